/* config.h - the kiosk's INI configuration (inih).
 *
 * Every key is in kiosk-config/kiosk.ini.example with its meaning.  An
 * unknown section or key, or a bad value, is an error that names the file,
 * the line and the key; the program then exits with status 2. */
#ifndef TRAMTIN_CONFIG_H
#define TRAMTIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "tramtin/err.h"

#define CONFIG_STR 256
#define CONFIG_PATH 1024

typedef struct tt_config {
	/* [kiosk] */
	char kiosk_id[64];
	char province[64];
	char commune[64];
	char lang[8];          /* "vi" or "en": the language after idle reset */
	/* [content] */
	char content_dir[CONFIG_PATH];
	/* [state] */
	char state_dir[CONFIG_PATH];
	/* [mqtt] */
	char mqtt_host[CONFIG_STR];
	int mqtt_port;
	char mqtt_username[CONFIG_STR];
	char mqtt_password[CONFIG_STR];
	char tls_ca[CONFIG_PATH];
	char tls_cert[CONFIG_PATH];
	char tls_key[CONFIG_PATH];
	int outbox_max;        /* [state] outbox_max: most submissions waiting */
	int retry_s;           /* [mqtt] retry_s: re-send unacknowledged after */
	/* [collector] */
	char collector_public_key[CONFIG_STR];
	char followup_url[CONFIG_STR];
	/* [trust] */
	char content_keys[4 * CONFIG_STR];
	/* [idle] */
	int idle_timeout_s;
	int form_timeout_s;
	int warning_s;
	/* [schedule]: opening hours, "07:00-17:30" ("" : always on), and the
	 * days of the week open, digits 1 (Monday) .. 7 (Sunday) */
	char open_hours[16];
	char open_days[16];
	/* [limits]: submissions from the screen (ratelimit.h; 0 is off) */
	int limit_interval_s, limit_per_hour, limit_repeat_s;
	/* [admin] */
	char pin_hash[CONFIG_STR];   /* Argon2id (pinlock.h); empty: the admin screen stays shut */
	bool admin_allow_exit;       /* the admin screen may quit to the desktop */
	/* [display] */
	char font[CONFIG_PATH];      /* a font file; empty: fontconfig finds Noto Sans */
	char font_bold[CONFIG_PATH];
	char orientation[16];        /* "auto", "landscape", "portrait" */
	bool large_text;             /* the modes each citizen starts in (they can switch) */
	bool high_contrast;
	/* [input] */
	char ime_method[16];         /* "telex", "vni", "direct" */
	char ime_style[8];           /* "old", "new" */
	int text_max_chars;
	/* [accessibility] */
	bool read_aloud;             /* a speaker button on content pages and form steps (builds with espeak-ng) */
	bool announce_keys;          /* the on-screen keyboard says each key pressed */
	int speech_rate;             /* words per minute, 80..450 */
} tt_config;

/* Fills c with the defaults (no broker, content from the source tree's
 * assets/content, state in $XDG_STATE_HOME/tramtin or ./var). */
void config_defaults(tt_config *c);

/* Reads path into c (over the defaults already there).  On error writes
 * one line "FILE:LINE: message" into err (size errlen) and returns
 * TT_ERR_CONFIG (bad key or value), TT_ERR_NOTFOUND or TT_ERR_IO. */
tt_err config_load(tt_config *c, const char *path, char *err, size_t errlen);

/* The same for INI text in memory (name stands for the file). */
tt_err config_load_text(tt_config *c, const char *name, const char *text, size_t len, char *err, size_t errlen);

/* Checks values that depend on each other; same error contract. */
tt_err config_check(const tt_config *c, const char *path, char *err, size_t errlen);

/* True if s may be a kiosk id, province or commune: one or more letters,
 * digits, '-' or '_' (they are MQTT topic levels and the kiosk's MQTT user
 * name: no '/', '+', '#' or spaces).  The length is the caller's check. */
bool config_id_valid(const char *s);

/* True if the kiosk's screen should be on at local weekday (1 = Monday)
 * and minute of the day ([schedule]; always true without hours). */
bool config_open_at(const tt_config *c, int wday, int minute);

#endif
