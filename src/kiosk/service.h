/* service.h - the kiosk's submission service: state directory, kiosk key,
 * outbox and MQTT transport, lent to the UI as ui_services. */
#ifndef TRAMTIN_KIOSK_SERVICE_H
#define TRAMTIN_KIOSK_SERVICE_H

#include "tramtin/bundle.h"
#include "tramtin/config.h"
#include "tramtin/content.h"
#include "tramtin/crypto.h"
#include <stdbool.h>

#include "ui/services.h"

typedef struct kiosk_service kiosk_service;

/* Prepares the state dir, the kiosk's signing key and the outbox, and
 * starts the transport if a broker is configured.  Problems that leave
 * the kiosk usable (no broker, no collector key) are logged as one line
 * each; only an unusable state dir or outbox returns NULL (with err). */
/* on_change (may be NULL) is called from the network thread when a
 * delivery state changed, to wake the UI. */
kiosk_service *kiosk_service_new(const tt_config *cfg, bool demo_keys, void (*on_change)(void *), void *ctx, char *err,
                                 size_t errlen);
void kiosk_service_free(kiosk_service *s);

/* Fills the UI's services (submit, delivery, follow-up URL, content swap). */
void kiosk_service_bind(kiosk_service *s, ui_services *out);

/* Commits a submission as the form's Send does (same code path); see
 * ui_services.submit. */
int kiosk_service_submit(kiosk_service *s, const struct tt_submission *sub, char *id, size_t idlen, char *why,
                         size_t whylen);

/* 1 when the outbox has nothing pending, 0 if it has, -1 without outbox. */
int kiosk_service_all_delivered(kiosk_service *s);


/* The content channels the kiosk follows, commune first:
 * "{province}/{commune}" and "{province}" ("" if not a valid channel). */
void kiosk_channels(const tt_config *cfg, char out[2][BUNDLE_CHANNEL_MAX]);
/* The content to show: the signed bundles installed under the state dir
 * (commune first), or the local fallback [content] dir when none is. */
content_bundle *kiosk_content_load(const tt_config *cfg);

/* Loads the kiosk's Ed25519 key from the state dir, creating it (and the
 * dir) on first start, and writes its public half as base64 into b64.
 * Touches nothing else (no outbox, no network). One line in err on failure. */
tt_err kiosk_key(const tt_config *cfg, tt_sign_key *key, char *b64, size_t b64len, char *err, size_t errlen);

#endif
