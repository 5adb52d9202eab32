/* staff.h - staff messages on the kiosk (signed.h): announcements,
 * surveys and commands, taken on the transport's MQTT connection.
 *
 * Subscribes to the kiosk's own K/down/{cmd,announce,survey} and to
 * {content root}/announce and /survey of its commune and province
 * channels; signed_accept decides on each message (one log line per
 * refusal, also kept as the last error).  The latest accepted
 * announcement and survey of each source (kiosk, commune, province) are
 * kept; the most specific one that is due is shown.  Commands: "sync" is
 * done here (the caller publishes its status and subscriptions again);
 * the others wait for the UI (staff_take_command).  staff_message runs
 * in the network thread, its checks outside any lock; the results are
 * kept under the module's own lock, so the UI thread may ask any time
 * without waiting on a signature or an fsync. */
#ifndef TRAMTIN_STAFF_H
#define TRAMTIN_STAFF_H

#include <mosquitto.h>
#include <stdbool.h>
#include <stdint.h>

#include "tramtin/i18n.h"
#include "tramtin/signed.h"

typedef struct staff staff;

/* kiosk_root: tramtin/v1/{province}/{commune}/{kiosk}; seen: replay file. */
staff *staff_new(const char *kiosk_root, const char *commune_channel, const char *province_channel,
                 const char *kiosk_id, const char *trust, const char *seen);
void staff_free(staff *s);
void staff_connected(staff *s, struct mosquitto *m);
/* true if msg was a staff message (handled); *sync set for "sync". */
bool staff_message(staff *s, const struct mosquitto_message *msg, int64_t now, bool *sync);

/* The announcement to show at now in lang (falls back to Vietnamese). */
bool staff_announcement(staff *s, int64_t now, tt_lang lang, char *out, size_t outlen);
/* The survey due at now: a copy of its id, question and answers in lang. */
bool staff_survey(staff *s, int64_t now, tt_lang lang, char *id, size_t idlen, char *question, size_t qlen,
                  char answers[SIGNED_MAX_ANSWERS][400], int *n_answers);
/* A command for the UI (screen off/on, restart), each once; CMD_NONE when
 * none waits.  Several waiting are all kept. */
signed_cmd staff_take_command(staff *s);
void staff_last_error(staff *s, char *out, size_t outlen);

#endif
