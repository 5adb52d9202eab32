/* http_serve.c - runs the follow-up web server alone, for tests: starts
 * it with the given bind address, port, page path, store and rate, says
 * "http: ready" on stdout once it listens, and stops cleanly on SIGTERM
 * or SIGINT (exit 0).  Exit 2 on bad usage or when it cannot start.
 * With HTTP_SERVE_STAFF set in the environment, the staff pages too
 * (idle timeout 30 minutes).
 * usage: http_serve BIND PORT PATH DB RATE_PER_MIN */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "collector/http.h"
#include "tramtin/log.h"

int main(int argc, char **argv)
{
	char err[256];
	sigset_t set;
	int sig = 0;

	if (argc != 6) {
		fprintf(stderr, "usage: http_serve BIND PORT PATH DB RATE_PER_MIN\n");
		return 2;
	}
	tt_log_init("http_serve", TT_LOG_INFO);
	/* Blocked before the server's thread exists, so it inherits the mask
	 * and the signals come to sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	http_config c = {
	    .bind = argv[1],
	    .port = atoi(argv[2]),
	    .path = argv[3],
	    .db = argv[4],
	    .rate_per_min = atoi(argv[5]),
	    .staff = getenv("HTTP_SERVE_STAFF") != NULL,
	    .staff_idle_min = 30,
	};
	http_server *h = http_start(&c, err, sizeof err);
	if (!h) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	printf("http: ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	http_stop(h);
	return 0;
}
