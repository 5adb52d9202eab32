/* services.h - what the kiosk program lends the screens: storing a
 * submission and asking how far it got.  Function pointers, so the UI
 * layer depends on neither storage nor network code, and the service
 * side needs no SDL. */
#ifndef TRAMTIN_UI_SERVICES_H
#define TRAMTIN_UI_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/config.h"

struct tt_submission;
struct content_bundle;

typedef enum ui_delivery { DELIVERY_UNKNOWN = 0, DELIVERY_SAVED, DELIVERY_DELIVERED } ui_delivery;

/* A survey due now, in the current language (staff messages). */
typedef struct ui_survey {
	char id[40];
	char question[400];
	char answers[6][400];
	int n_answers;
} ui_survey;

/* What the admin screen shows about the kiosk. */
typedef struct ui_admin_info {
	char kiosk[64], version[40];
	bool broker_set;        /* an [mqtt] host is configured */
	bool connected;
	char broker[CONFIG_STR + 16]; /* host:port */
	char last_error[200];   /* the link's last error, "" if none */
	size_t pending;         /* submissions waiting in the outbox */
	int64_t oldest_s;       /* age of the oldest, seconds */
	char content[200];      /* "ht/xa: 7, ht: 3", or "" (the fallback folder) */
	char content_error[200];
	uint64_t content_failures; /* content updates that failed since start */
	long disk_free_mb;      /* -1: unknown */
	bool clock_synced;
	char clock[64];         /* clock.h: where the time comes from */
} ui_admin_info;

typedef struct ui_services {
	void *ctx;
	/* Seals and commits s; on success writes the envelope id and returns
	 * 0 (TT_OK) only once it is durable.  On failure returns a tt_err and
	 * writes a reason for the citizen (plain words, current language). */
	int (*submit)(void *ctx, const struct tt_submission *s, char *id, size_t idlen, char *why, size_t whylen);
	ui_delivery (*delivery)(void *ctx, const char *id);
	/* Tracking-code lookup (Track screen): ask, then poll.  track_result
	 * returns 1 found (status name and date written), 0 waiting, -1 not
	 * found, -2 no connection, -3 not a valid code. */
	void (*track_ask)(void *ctx, const char *code);
	int (*track_result)(void *ctx, const char *code, char *status, size_t slen, char *updated, size_t ulen);
	const char *followup_url;
	/* Asked only while nobody uses the screen: if newer content was
	 * installed, loads it, frees *bundle, points it at the new one and
	 * returns true. May be NULL. */
	bool (*content_swap)(void *ctx, struct content_bundle **bundle);
	/* Staff messages (may be NULL): the announcement and the survey due
	 * now in lang (a tt_lang), and a command for the screen, taken once
	 * (1 screen off, 2 screen on, 3 restart, 0 none). */
	bool (*announcement)(void *ctx, int lang, char *out, size_t outlen);
	bool (*survey)(void *ctx, int lang, ui_survey *out);
	int (*take_command)(void *ctx);
	/* The display's state for the kiosk's status: "on", "off by schedule",
	 * "off by command". May be NULL. */
	void (*display)(void *ctx, const char *state);
	/* The admin screen (may be NULL): the kiosk's state; "sync now"
	 * (status, content manifests and every waiting submission again);
	 * a test submission, stored and sent like a citizen's but without the
	 * screen's limits (same contract as submit). */
	void (*admin_info)(void *ctx, ui_admin_info *out);
	void (*sync_now)(void *ctx);
	int (*test_submit)(void *ctx, char *id, size_t idlen, char *why, size_t whylen);
} ui_services;

enum { UI_CMD_NONE = 0, UI_CMD_SCREEN_OFF, UI_CMD_SCREEN_ON, UI_CMD_RESTART };

#endif
