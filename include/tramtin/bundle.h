/* bundle.h - signed content bundles: build, sign, verify, install.
 *
 * A built bundle is a folder laid out like assets/content/ whose
 * manifest.json (the content manifest, format 1, see
 * assets/content/README.md) also carries:
 *   "channel": "ht" (province) or "ht/<commune>",
 *   "version": an integer, higher than any earlier bundle of the channel,
 *   "created": "YYYY-MM-DDTHH:MM:SSZ",
 *   "chunk":   the blob chunk size in bytes (BUNDLE_CHUNK_DEFAULT unless set),
 *   "files":   [{"path": "pages/x.vi.md", "sha256": "<64 hex>", "size": n}, ...]
 *              every file the bundle uses, manifest.json itself excluded,
 * and manifest.sig: one line, the standard base64 of the Ed25519 detached
 * signature over "tramtin-manifest-v1\n" followed by the exact bytes of
 * manifest.json (the prefix keeps a manifest signature from ever passing
 * for a command's or a submission's).
 *
 * On the wire (ARCHITECTURE.md, MQTT): the manifest is published retained
 * on {root}/manifest as {"v":1,"manifest":"<base64 of manifest.json>",
 * "sig":"<base64>"}, each file as retained chunks on
 * {root}/blob/{sha256}/{n} (n from 0, each "chunk" bytes but the last),
 * where {root} is tramtin/v1/{province}/content for channel "{province}"
 * and tramtin/v1/{province}/{commune}/content for "{province}/{commune}".
 *
 * On the kiosk: complete, checked blobs live in {state}/content/blobs/
 * named by their sha256 (a download in progress is {sha256}.part); an
 * installed bundle is {state}/content/{channel with '/' as '_'}/v{version}/
 * and the symlink "current" beside it names the one shown, switched by
 * rename(2), so a reader sees the old bundle or the new one, never a mix.
 * The previous version stays for rollback; older ones are removed.
 *
 * No SDL, no MQTT here: the admin tool and the kiosk's content sync call
 * these; every function that fails writes one line naming the file or
 * value at fault into why/err. */
#ifndef TRAMTIN_BUNDLE_H
#define TRAMTIN_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/crypto.h"
#include "tramtin/err.h"

#define BUNDLE_CHUNK_DEFAULT (256 * 1024)
#define BUNDLE_CHANNEL_MAX 64
#define BUNDLE_MANIFEST_MAX (4 * 1024 * 1024) /* bytes of manifest.json */

typedef struct bundle_file {
	char *path;       /* relative, '/'-separated, no "..", no leading '/' */
	char sha256[65];  /* lower-case hex */
	uint64_t size;
} bundle_file;

typedef struct bundle_manifest {
	char *json;       /* manifest.json exactly as signed (owned) */
	size_t len;
	char channel[BUNDLE_CHANNEL_MAX];
	int64_t version;
	int64_t created;  /* UTC seconds */
	uint32_t chunk;
	bundle_file *files;
	size_t n_files;
} bundle_manifest;

/* A channel is "{province}" or "{province}/{commune}", each part 1..31 of
 * [a-z0-9-]. */
bool bundle_channel_valid(const char *channel);
/* The MQTT topic root of a channel's content, without a trailing '/'
 * (e.g. "tramtin/v1/ht/camxuyen/content").  TT_ERR_INVAL for a bad
 * channel, TT_ERR_RANGE if out is too small. */
tt_err bundle_topic_root(const char *channel, char *out, size_t outlen);

/* Builds the bundle of source folder src (laid out like assets/content/)
 * into out (created if missing; if it holds a previous build, the new one
 * is built in out.tmp and swapped in, so a failed build keeps it): checks that every page
 * loads and renders without a fault and every link names a page of the
 * bundle, copies every file the manifest uses, and writes manifest.json
 * with channel, version, created (clock_now()), chunk and files.  version
 * 0 means one higher than the version of out's previous build if out
 * holds one, else 1.  chunk 0 means BUNDLE_CHUNK_DEFAULT.  TT_OK, or an
 * error with one line in err naming the file at fault. */
tt_err bundle_build(const char *src, const char *out, const char *channel, int64_t version, uint32_t chunk,
                    char *err, size_t errlen);

/* Signs dir/manifest.json with key, writing dir/manifest.sig (atomically). */
tt_err bundle_sign(const char *dir, const tt_sign_key *key, char *err, size_t errlen);

/* Parses manifest bytes (copied into m->json); checks channel, version
 * >= 1, chunk 1 KiB..16 MiB, and every file entry (safe relative path,
 * 64 hex, size <= 1 GiB, no path twice).  Does not check a signature. */
tt_err bundle_manifest_parse(const char *json, size_t len, bundle_manifest *m, char *why, size_t whylen);
void bundle_manifest_free(bundle_manifest *m); /* accepts an empty one */

/* Ed25519 over "tramtin-manifest-v1\n" + json. */
void bundle_sign_bytes(const char *json, size_t len, const tt_sign_key *key, unsigned char sig[64]);
bool bundle_verify_bytes(const char *json, size_t len, const unsigned char sig[64], const unsigned char pk[32]);

/* The wire form {"v":1,"manifest":..,"sig":..} of a signed manifest
 * (a new string; NULL on out of memory), and back. */
char *bundle_wire_encode(const char *json, size_t len, const unsigned char sig[64]);
tt_err bundle_wire_decode(const char *payload, size_t len, char **json, size_t *jlen, unsigned char sig[64],
                          char *why, size_t whylen);

/* The kiosk's decision on a manifest that arrived on the topic of
 * channel: the signature must verify with a key that trust (the
 * "[trust] content_keys" value: space-separated "channel=base64key",
 * several keys per channel allowed) gives for exactly that channel (a
 * commune's key cannot sign for the province, nor the province's for a
 * commune), the manifest's channel must be channel, and its version must
 * be higher than current.  TT_OK with m filled; otherwise why says which
 * check failed ("signature ...", "channel ...", "version 3 is not newer
 * than 5", ...) and m is empty. */
tt_err bundle_accept(const char *payload, size_t len, const char *trust, const char *channel, int64_t current,
                     bundle_manifest *m, char *why, size_t whylen);

/* The keys that trust (the "[trust] content_keys" value, as above) gives
 * for exactly channel ("ht" gives the province's keys only, never a
 * commune's): decodes up to max of them into keys, in the order listed,
 * and returns how many.  Malformed entries are skipped with one warning
 * each naming them; entries beyond max with one warning.  trust may be
 * NULL (no keys).  Shared by bundle_accept and signed_accept. */
size_t bundle_trust_keys(const char *trust, const char *channel, unsigned char (*keys)[32], size_t max);

/* Files of m whose blob is not yet in blobs_dir (complete and named by
 * its hash): writes their indexes into missing (room for m->n_files) and
 * returns how many; files sharing a hash are listed once.  Empty files are
 * never missing: an empty retained MQTT message deletes the topic, so
 * they are not published, and bundle_install creates them. */
size_t bundle_missing(const bundle_manifest *m, const char *blobs_dir, size_t *missing);

/* Writes one chunk of a blob being downloaded into blobs_dir/{sha}.part at
 * n * chunk; when all ceil(size / chunk) chunks have been written (the
 * caller counts), bundle_blob_finish checks the sha256 and renames it to
 * blobs_dir/{sha}; TT_ERR_PARSE (and the .part removed) if the hash is
 * wrong. */
tt_err bundle_blob_chunk(const char *blobs_dir, const char *sha, uint64_t size, uint32_t chunk, uint32_t n,
                         const void *data, size_t len, char *why, size_t whylen);
tt_err bundle_blob_finish(const char *blobs_dir, const char *sha, uint64_t size, char *why, size_t whylen);
uint32_t bundle_chunks(uint64_t size, uint32_t chunk); /* ceil(size / chunk), at least 1 */

/* Installs m from blobs_dir under content_root (= {state}/content): copies
 * each file into {chan}/v{version}.tmp/, checks its hash again, writes
 * manifest.json and manifest.sig (sig given), fsyncs, renames to
 * v{version}, then points {chan}/current at it by rename(2).  Keeps the
 * previous version, removes older ones.  On failure nothing shown
 * changes. */
tt_err bundle_install(const char *content_root, const char *blobs_dir, const bundle_manifest *m,
                      const unsigned char sig[64], char *why, size_t whylen);

/* The installed bundle shown for channel: writes its folder into out and
 * its version into *version; TT_ERR_NOTFOUND if none is installed. */
tt_err bundle_current(const char *content_root, const char *channel, char *out, size_t outlen, int64_t *version);

#endif
