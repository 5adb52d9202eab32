/* signed.h - staff messages to kiosks: announcements, surveys, commands.
 *
 * Each is a JSON object
 *   {"v":1, "type":"announce"|"survey"|"cmd", "id":"<uuid v4>",
 *    "created":"YYYY-MM-DDTHH:MM:SSZ", "ttl": seconds (1..31536000),
 *    "target": "ht" | "ht/camxuyen" | "ht/camxuyen/<kiosk>", ...}
 * with, by type:
 *   announce: "text": {"vi": "...", "en": "..."} (vi required, each at most
 *             280 characters), "from"/"to": times (the ticker runs between;
 *             default created .. created + ttl)
 *   survey:   "question": {"vi","en"}, "answers": [{"vi","en"}, ...] (2..6),
 *             "from"/"to" as above
 *   cmd:      "cmd": "sync" | "restart" | "screen-off" | "screen-on"
 * On the wire it travels as {"msg":"<base64 of the JSON bytes>",
 * "sig":"<base64>"}: the Ed25519 detached signature over
 * "tramtin-msg-v1\n" followed by those bytes (the prefix keeps it from
 * passing for a manifest's or a submission's signature).
 *
 * Topics (ARCHITECTURE.md, MQTT): a command goes to one kiosk on
 * K/down/cmd (QoS 1, not retained; the persistent session keeps it while
 * the kiosk is away).  Announcements and surveys for a channel are
 * retained on {content root of the channel}/announce and .../survey (the
 * latest one of each kind per channel; an empty retained message clears
 * it); for one kiosk on K/down/announce and K/down/survey, retained.
 *
 * Trust: the signing key must be one trusted (the [trust] content_keys
 * list, as for bundles) for the target's channel: "ht" for a province
 * target, "ht/camxuyen" for a commune target, and for a kiosk target
 * either its commune's or its province's key.  The kiosk rejects, with
 * one log line each: a bad signature, an untrusted key, a target that is
 * not this kiosk or one of its channels, an expired message (created +
 * ttl in the past), one created more than 10 minutes in the future, and
 * a replayed command (an id already taken; ids are remembered until they
 * expire).  An announcement or survey delivered again (retained, after a
 * reconnect) is the same message, not a replay. */
#ifndef TRAMTIN_SIGNED_H
#define TRAMTIN_SIGNED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/crypto.h"
#include "tramtin/err.h"
#include "tramtin/i18n.h"

#define SIGNED_MAX_ANSWERS 6
#define SIGNED_TEXT_MAX 280 /* characters (code points) per language */

typedef enum signed_type { SIGNED_ANNOUNCE = 0, SIGNED_SURVEY, SIGNED_CMD } signed_type;
typedef enum signed_cmd { CMD_NONE = 0, CMD_SYNC, CMD_RESTART, CMD_SCREEN_OFF, CMD_SCREEN_ON } signed_cmd;

typedef struct signed_msg {
	signed_type type;
	char id[37];
	int64_t created, ttl;  /* UTC seconds; seconds */
	char target[128];
	int64_t from, to;      /* announce, survey: when it shows */
	char *text[LANG__COUNT];     /* announce: NFC; en may be NULL */
	char *question[LANG__COUNT]; /* survey */
	char *answers[SIGNED_MAX_ANSWERS][LANG__COUNT];
	int n_answers;
	signed_cmd cmd;
} signed_msg;

void signed_msg_free(signed_msg *m); /* accepts an empty one */
const char *signed_cmd_name(signed_cmd c);
bool signed_cmd_parse(const char *s, signed_cmd *out);

/* Parses and checks the JSON object (not the signature): every field above,
 * text valid UTF-8 and stored NFC.  One line in why on a fault. */
tt_err signed_parse(const char *json, size_t len, signed_msg *m, char *why, size_t whylen);

/* Signs json (a message as above), returning the wire form (new string). */
char *signed_wrap(const char *json, size_t len, const tt_sign_key *key);

/* The kiosk's decision: unwraps the wire form, verifies the signature
 * against the keys trust gives for the target's channel (see above),
 * checks that the target is kiosk_channel_commune ("ht/camxuyen"), its
 * province ("ht") or "ht/camxuyen/<kiosk_id>", parses, and checks time
 * (now) and, for commands, replay (seen: a file of "id expiry" lines kept
 * by this function, written atomically, expired lines dropped; NULL: no
 * replay check).  TT_OK with m
 * filled, or why says which check failed. */
tt_err signed_accept(const char *payload, size_t len, const char *trust, const char *commune_channel,
                     const char *kiosk_id, int64_t now, const char *seen, signed_msg *m, char *why, size_t whylen);

#endif
