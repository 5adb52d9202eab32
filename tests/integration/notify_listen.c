/* notify_listen.c - stands in for systemd's notify socket: binds PATH,
 * prints every datagram a service sends there, and exits 0 once one says
 * READY=1, or holds WORD if given (1 after TIMEOUT seconds without it).
 * usage: notify_listen PATH TIMEOUT [WORD] */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: notify_listen PATH TIMEOUT [WORD]\n");
		return 2;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(argv[1]) >= sizeof a.sun_path) {
		fprintf(stderr, "notify_listen: %s: path too long\n", argv[1]);
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		perror("notify_listen: bind");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	time_t end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 200) != 1)
			continue;
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
		if (strstr(buf, argc == 4 ? argv[3] : "READY=1"))
			return 0;
	}
	return 1;
}
