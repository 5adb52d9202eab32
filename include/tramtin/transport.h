/* transport.h - the kiosk's MQTT link (libmosquitto, in src/net/ only).
 *
 * One network thread owns the MQTT connection and its own connection to
 * the outbox: it publishes pending submissions (QoS 1, at most
 * max_inflight unacknowledged by the broker), erases a row only when the
 * collector's ack names its id, re-sends what is not acknowledged within
 * retry_ms (and everything at start-up and after a reconnect), keeps a
 * retained status with a Last Will, and reconnects with exponential
 * backoff.  The UI thread never waits on it: it commits to the outbox and
 * calls transport_wake. */
#ifndef TRAMTIN_TRANSPORT_H
#define TRAMTIN_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"
#include "tramtin/i18n.h"
#include "tramtin/signed.h"

typedef struct transport transport;

typedef struct transport_config {
	const char *host;          /* broker; required */
	int port;
	const char *username, *password; /* NULL: none */
	const char *tls_ca, *tls_cert, *tls_key; /* NULL or "": plain TCP */
	const char *client_id;     /* the kiosk id */
	const char *root;          /* tramtin/v1/{province}/{commune}/{kiosk} */
	const char *outbox_path;
	size_t outbox_max;
	int max_inflight;          /* default 20 */
	int retry_ms;              /* default 30000 */
	int session_expiry_s;      /* default 7 days */
	int status_interval_s;     /* default 60 */
	int64_t boot;              /* boot counter for the status */
	const char *version;       /* app version for the status */
	const char *state_dir;     /* for free disk space in the status */
	/* Signed content (content_sync.h): where bundles are kept
	 * ({state}/content), the channels followed, commune first, and the
	 * [trust] content_keys value.  content_root NULL: no content sync. */
	const char *content_root;
	const char *content_channels[2];
	const char *content_trust;
	/* Called from the network thread when delivery state, the connection
	 * or the installed content changed (the kiosk wakes its UI). May be
	 * NULL. */
	void (*on_change)(void *ctx);
	void *ctx;
} transport_config;

/* Starts the network thread.  Strings in c are copied.  Returns NULL
 * with one line in err if the config is unusable (no host, outbox cannot
 * open); a broker that is down is not an error: it keeps trying. */
transport *transport_start(const transport_config *c, char *err, size_t errlen);
/* Stops the thread (publishing nothing more) and frees. Accepts NULL. */
void transport_stop(transport *t);

/* A submission was committed to the outbox: send soon. Thread-safe. */
void transport_wake(transport *t);

/* Looks a tracking code's status up on the broker: subscribes to the
 * retained topic tramtin/v1/{province}/track/{hash} (hash from code.h;
 * copied).  Thread-safe; the answer arrives through on_change. */
void transport_track(transport *t, const char *province, const char *hash);
/* The answer for hash: 1 found (status and updated written, e.g.
 * "responded" and "2026-11-27"), 0 still waiting, -1 nothing retained
 * for it (after a few seconds), -2 not connected. */
int transport_track_result(transport *t, const char *hash, char *status, size_t slen, char *updated, size_t ulen);

/* Grows by one with every content bundle installed: the UI loads the
 * new content (content_installed_dirs) when nobody is using the screen.
 * Thread-safe. */
uint64_t transport_content_generation(transport *t);

/* Staff messages (signed.h), thread-safe: the announcement and the
 * survey due at now (the kiosk's own before its commune's before its
 * province's), and a command waiting for the UI (signed_cmd: screen off
 * or on, restart; "sync" is done by the network thread). */
bool transport_announcement(transport *t, int64_t now, tt_lang lang, char *out, size_t outlen);
bool transport_survey(transport *t, int64_t now, tt_lang lang, char *id, size_t idlen, char *question, size_t qlen,
                      char answers[SIGNED_MAX_ANSWERS][400], int *n_answers);
int transport_take_command(transport *t);
/* The display's state for the status ("on", "off by schedule", ...);
 * published at once when it changes.  Thread-safe. */
void transport_set_display(transport *t, const char *state);

typedef struct transport_stats {
	bool connected;
	uint64_t published, acked, reconnects;
	size_t pending;
	int64_t oldest_s;
	char last_error[160];
	char content_error[200]; /* the last content update's error, "" if none */
	uint64_t content_failures; /* content updates that failed since start */
} transport_stats;
void transport_get_stats(transport *t, transport_stats *s);
/* "Sync now" (the admin screen, or a staff command): publishes the status,
 * asks for the content manifests again and re-sends every waiting
 * submission at once.  Thread-safe; returns at once. */
void transport_sync_now(transport *t);

#endif
