/* admin.h - what tramtin-admin's command line calls beyond the core. */
#ifndef TRAMTIN_ADMIN_H
#define TRAMTIN_ADMIN_H

#include <stddef.h>

/* How to reach the broker (all strings borrowed). */
typedef struct admin_mqtt {
	const char *host;
	int port;
	const char *username, *password; /* NULL: anonymous */
} admin_mqtt;

#define ADMIN_MAX_MESSAGE_DEFAULT (256 * 1024)

/* The whole file at path (a new NUL-terminated string, *len without the
 * NUL), or NULL with errno set (EFBIG above max bytes). */
char *admin_read_file(const char *path, size_t max, size_t *len);

/* Publishes the signed bundle in dir: the blobs the broker does not hold
 * yet (retained, QoS 1), then the manifest.  Prints one line per blob and
 * a summary on stdout.  Returns the exit status: 0, 1 (broker or I/O
 * failure), 2 (a bad bundle folder; one line on stderr names it). */
int admin_publish(const char *dir, const admin_mqtt *mq, size_t max_message);

/* Clears the retained blobs of channel that its retained manifest does not
 * use.  Prints what it removed.  Returns the exit status as above. */
int admin_gc(const char *channel, const admin_mqtt *mq);

#endif
