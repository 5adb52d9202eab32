/* admin.h - what tramtin-admin's command line calls beyond the core. */
#ifndef TRAMTIN_ADMIN_H
#define TRAMTIN_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/signed.h"

/* How to reach the broker (all strings borrowed). */
typedef struct admin_mqtt {
	const char *host;
	int port;
	const char *username, *password; /* NULL: anonymous */
	const char *tls_ca;              /* NULL: no TLS; else the CA that signed the broker's certificate */
} admin_mqtt;

#define ADMIN_MAX_MESSAGE_DEFAULT (256 * 1024)

/* Where the lines of publish, gc and the message commands go: each line
 * (without its newline) to line(ctx, error, text), on the calling thread;
 * error is true for the one line that says why a command failed.  A NULL
 * admin_out (the command line) means stdout for progress and stderr,
 * after "tramtin-admin: ", for the failure.  The console passes its own
 * to show progress and errors on its page. */
typedef struct admin_out {
	void (*line)(void *ctx, bool error, const char *text);
	void *ctx;
} admin_out;

/* Formats one line to out (NULL: stdout, or stderr for an error). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void admin_say(const admin_out *out, bool error, const char *fmt, ...);

/* The whole file at path (a new NUL-terminated string, *len without the
 * NUL), or NULL with errno set (EFBIG above max bytes). */
char *admin_read_file(const char *path, size_t max, size_t *len);

/* Publishes the signed bundle in dir: the blobs the broker does not hold
 * yet (retained, QoS 1), then the manifest.  Says one line per blob and
 * a summary to out.  Returns the exit status: 0, 1 (broker or I/O
 * failure), 2 (a bad bundle folder; one error line names it). */
int admin_publish(const char *dir, const admin_mqtt *mq, size_t max_message, const admin_out *out);

/* Clears the retained blobs of channel that its retained manifest does not
 * use.  Says what it removed to out.  Returns the exit status as above. */
int admin_gc(const char *channel, const admin_mqtt *mq, const admin_out *out);

/* Publishes one message on topic at QoS 1 (retained or not; len 0: an
 * empty message, which clears a retained one) and waits for its PUBACK.
 * Returns the exit status: 0, 1 (broker failure; one error line to out
 * naming the broker or the topic, after "what: "). */
int admin_send(const char *what, const admin_mqtt *mq, const char *topic, const void *data, size_t len, bool retain,
               const admin_out *out);

/* A staff message as the command line gives it (strings borrowed). */
typedef struct admin_msg {
	signed_type type;
	const char *key_path;        /* PREFIX.key */
	const char *target;          /* ht, ht/<commune> or ht/<commune>/<kiosk> */
	int64_t ttl;                 /* seconds; 0: the type's default */
	bool has_from, has_to;
	int64_t from, to;            /* UTC seconds */
	const char *text[LANG__COUNT]; /* announce: the text; survey: the question (en may be NULL) */
	const char *answers[SIGNED_MAX_ANSWERS][LANG__COUNT];
	int n_answers;
	signed_cmd cmd;
	bool clear;                  /* announce, survey: empty the retained one */
} admin_msg;

#define ADMIN_TTL_MESSAGE (7 * 86400) /* default ttl of announce and survey */
#define ADMIN_TTL_CMD     600

/* The topic of a message of type for target (signed.h): a channel's
 * content root + "/announce" or "/survey", or tramtin/v1/{target}/down/
 * {announce|survey|cmd} for one kiosk.  False if target is not a target
 * (or a channel for a command) or out is too small. */
bool admin_msg_topic(signed_type type, const char *target, char *out, size_t outlen);

/* Builds msg (a new id, created now), checks it with signed_parse, signs
 * it with the key at msg->key_path, publishes it (or, with clear, an empty
 * retained message) and says "sent TYPE ID to TOPIC" to out.  Returns the
 * exit status: 0, 1 (broker, memory), 2 (a bad value or key file; one
 * error line to out names it, after "TYPE: "). */
int admin_message(const admin_msg *msg, const admin_mqtt *mq, const admin_out *out);

/* What tramtin-admin provision was given (strings borrowed; NULL: not
 * given).  port is already defaulted (8883 with tls_ca, else 1883). */
typedef struct admin_provision_args {
	const char *id, *province, *commune;
	const char *passwd;        /* mosquitto password file: make the account */
	const char *kiosks;        /* the collector's registry: add "id public_key" */
	const char *public_key;    /* the kiosk's (tramtin --print-public-key) */
	const char *host;
	int port;
	const char *tls_ca;        /* as the kiosk will find it */
	const char *collector_key; /* [collector] public_key */
	const char *followup_url;
	const char *content_keys;  /* [trust] content_keys */
	const char *out;           /* the kiosk.ini to create; NULL: standard output */
} admin_provision_args;

/* Checks every value, refuses an id already in the password file or the
 * registry, then writes the kiosk.ini (unless only a key is registered:
 * kiosks without passwd), adds the account with a new random password and
 * registers the key.  Says what it did on stdout (stderr when the kiosk.ini
 * goes to stdout).  Returns the exit status: 0; 1 a file could not be
 * read or written; 2 a bad value or a duplicate id (one line on stderr). */
int admin_provision(const admin_provision_args *p);

#endif
