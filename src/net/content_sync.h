/* content_sync.h - the kiosk's side of signed content bundles (bundle.h),
 * run by the transport's network thread on its MQTT connection.
 *
 * For each channel (the commune's, then the province's) it subscribes to
 * the retained manifest; a manifest that bundle_accept takes starts a
 * download of the blobs not already on disk, chunk by chunk straight into
 * files (memory does not grow with the bundle); when every blob is
 * complete and checked, bundle_install switches the channel's "current"
 * bundle atomically and the generation number grows, which tells the UI
 * to load it when nobody is using the screen.  Any failure keeps the old
 * bundle and is reported as the last content error in the status.
 * Network thread only, except content_sync_generation (atomic). */
#ifndef TRAMTIN_CONTENT_SYNC_H
#define TRAMTIN_CONTENT_SYNC_H

#include <cJSON.h>
#include <mosquitto.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct content_sync content_sync;

/* root: {state}/content (created); channels: e.g. {"ht/camxuyen", "ht"};
 * trust: the [trust] content_keys value.  NULL on out of memory or an
 * unusable root (logged). */
content_sync *content_sync_new(const char *root, const char *const *channels, size_t n, const char *trust);
void content_sync_free(content_sync *cs);

/* After every (re)connect: subscribe to the manifests; downloads in
 * progress start again from what is on disk. */
void content_sync_connected(content_sync *cs, struct mosquitto *m);
/* true if msg was content (manifest or blob chunk) and was handled. */
bool content_sync_message(content_sync *cs, struct mosquitto *m, const struct mosquitto_message *msg, uint64_t now_ms);
/* Notices a download that makes no progress (said in the status). */
void content_sync_tick(content_sync *cs, uint64_t now_ms);
/* Grows by one with every bundle installed. Any thread. */
uint64_t content_sync_generation(content_sync *cs);
/* Grows with every failure reported (network thread). */
uint64_t content_sync_errors(content_sync *cs);
/* Adds "content": {channel: version, ...} and "content_error" (the
 * last failure, or null) to a status object. */
void content_sync_status(content_sync *cs, cJSON *status);
/* Bytes of blob chunks received since start (benchmarks, tests). */
uint64_t content_sync_bytes(content_sync *cs);

#endif
