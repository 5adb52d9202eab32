/* content_sync.c - see content_sync.h. */
#define _GNU_SOURCE
#include "content_sync.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tramtin/bundle.h"
#include "tramtin/log.h"

#define MAX_CHANNELS 4
#define STALL_MS 30000

struct blob {
	char sha[65];
	const char *path; /* the first file with this hash, for messages */
	uint64_t size;
	uint32_t n_chunks, got;
	unsigned char *seen; /* one byte a chunk */
};

struct channel {
	char name[BUNDLE_CHANNEL_MAX];
	char root[160];     /* topic root, ".../content" */
	int64_t version;    /* installed and shown, 0: none */
	/* the download in progress */
	bool active;
	bundle_manifest m;
	unsigned char sig[64];
	struct blob *blobs;
	size_t n_blobs, left;
	uint64_t last_progress_ms, fetched; /* bytes of chunks received */
	bool stall_reported;
	int64_t failed_version; /* do not fetch this version again */
};

struct content_sync {
	char *root, *blobs_dir, *trust;
	struct channel ch[MAX_CHANNELS];
	size_t n;
	atomic_uint_fast64_t generation;
	atomic_uint_fast64_t bytes;
	char error[BUNDLE_CHANNEL_MAX + 240];
	uint64_t errors; /* grows with every failure reported */
};

static void set_error(content_sync *cs, struct channel *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_error(content_sync *cs, struct channel *c, const char *fmt, ...)
{
	char msg[224];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(cs->error, sizeof cs->error, "content %s: %s", c->name, msg);
	cs->errors++;
	tt_warn("%s", cs->error);
}

content_sync *content_sync_new(const char *root, const char *const *channels, size_t n, const char *trust)
{
	content_sync *cs = calloc(1, sizeof *cs);
	if (!cs)
		return NULL;
	cs->root = strdup(root);
	cs->trust = strdup(trust ? trust : "");
	if (asprintf(&cs->blobs_dir, "%s/blobs", root) < 0)
		cs->blobs_dir = NULL;
	if (!cs->root || !cs->trust || !cs->blobs_dir) {
		content_sync_free(cs);
		return NULL;
	}
	if ((mkdir(root, 0755) != 0 && errno != EEXIST) || (mkdir(cs->blobs_dir, 0755) != 0 && errno != EEXIST)) {
		tt_error("%s: cannot create the content folder: %s", cs->blobs_dir, tt_strerrno(errno));
		content_sync_free(cs);
		return NULL;
	}
	for (size_t i = 0; i < n && cs->n < MAX_CHANNELS; i++) {
		struct channel *c = &cs->ch[cs->n];
		if (!channels[i] || bundle_topic_root(channels[i], c->root, sizeof c->root) != TT_OK) {
			tt_warn("content: channel '%s' is not valid; not followed", channels[i] ? channels[i] : "");
			continue;
		}
		snprintf(c->name, sizeof c->name, "%s", channels[i]);
		char dir[1024];
		if (bundle_current(root, c->name, dir, sizeof dir, &c->version) != TT_OK)
			c->version = 0;
		cs->n++;
	}
	return cs;
}

static void drop_download(struct channel *c, struct mosquitto *m)
{
	for (size_t i = 0; i < c->n_blobs; i++) {
		if (m && c->blobs[i].got < c->blobs[i].n_chunks) {
			char filter[256];
			snprintf(filter, sizeof filter, "%s/blob/%s/+", c->root, c->blobs[i].sha);
			mosquitto_unsubscribe_v5(m, NULL, filter, NULL);
		}
		free(c->blobs[i].seen);
	}
	free(c->blobs);
	c->blobs = NULL;
	c->n_blobs = c->left = 0;
	bundle_manifest_free(&c->m);
	c->active = false;
}

void content_sync_free(content_sync *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++)
		drop_download(&cs->ch[i], NULL);
	free(cs->root);
	free(cs->blobs_dir);
	free(cs->trust);
	free(cs);
}

static void subscribe_blobs(struct channel *c, struct mosquitto *m)
{
	for (size_t i = 0; i < c->n_blobs; i++) {
		struct blob *b = &c->blobs[i];
		if (b->got == b->n_chunks)
			continue;
		/* chunks already written stay; the retained ones come again */
		memset(b->seen, 0, b->n_chunks);
		b->got = 0;
		char filter[256];
		snprintf(filter, sizeof filter, "%s/blob/%s/+", c->root, b->sha);
		mosquitto_subscribe_v5(m, NULL, filter, 1, 0, NULL);
	}
}

void content_sync_connected(content_sync *cs, struct mosquitto *m)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		struct channel *c = &cs->ch[i];
		char topic[256];
		snprintf(topic, sizeof topic, "%s/manifest", c->root);
		mosquitto_subscribe_v5(m, NULL, topic, 1, 0, NULL);
		if (c->active)
			subscribe_blobs(c, m);
	}
}

/* Bad data (a hash or a length that does not match) is given up for good;
 * an I/O failure (a full disk) is tried again at the next manifest
 * delivery or "sync". */
static void give_up(struct channel *c, tt_err rc)
{
	if (rc == TT_ERR_PARSE || rc == TT_ERR_RANGE || rc == TT_ERR_CRYPTO || rc == TT_ERR_INVAL)
		c->failed_version = c->m.version;
}

static void install(content_sync *cs, struct channel *c, struct mosquitto *m)
{
	char why[256];
	tt_err rc = bundle_install(cs->root, cs->blobs_dir, &c->m, c->sig, why, sizeof why);
	if (rc != TT_OK) {
		set_error(cs, c, "version %lld not installed (%s); showing version %lld", (long long)c->m.version, why,
		          (long long)c->version);
		give_up(c, rc);
	} else {
		tt_info("content %s: version %lld installed (%llu bytes fetched)", c->name, (long long)c->m.version,
		        (unsigned long long)c->fetched);
		c->version = c->m.version;
		cs->error[0] = '\0';
		atomic_fetch_add(&cs->generation, 1);
	}
	drop_download(c, m);
}

static void on_manifest(content_sync *cs, struct channel *c, struct mosquitto *m, const struct mosquitto_message *msg,
                        uint64_t now_ms)
{
	if (msg->payloadlen <= 0)
		return; /* cleared */
	bundle_manifest nm = {0};
	char why[256], *json = NULL;
	size_t jlen = 0;
	unsigned char sig[64];
	/* the one shown, delivered again on every reconnect: not news */
	if (bundle_wire_decode(msg->payload, (size_t)msg->payloadlen, &json, &jlen, sig, why, sizeof why) == TT_OK &&
	    bundle_manifest_parse(json, jlen, &nm, why, sizeof why) == TT_OK && nm.version == c->version &&
	    strcmp(nm.channel, c->name) == 0) {
		free(json);
		bundle_manifest_free(&nm);
		return;
	}
	free(json);
	json = NULL;
	bundle_manifest_free(&nm);
	if (bundle_accept(msg->payload, (size_t)msg->payloadlen, cs->trust, c->name, c->version, &nm, why, sizeof why) !=
	    TT_OK) {
		set_error(cs, c, "manifest refused: %s; showing version %lld", why, (long long)c->version);
		return;
	}
	if ((c->active && c->m.version == nm.version) || nm.version == c->failed_version) {
		bundle_manifest_free(&nm);
		return;
	}
	drop_download(c, m);
	if (bundle_wire_decode(msg->payload, (size_t)msg->payloadlen, &json, &jlen, sig, why, sizeof why) != TT_OK) {
		bundle_manifest_free(&nm); /* accepted above, so cannot happen */
		return;
	}
	free(json);
	c->m = nm;
	memcpy(c->sig, sig, sizeof sig);
	c->active = true;
	c->fetched = 0;
	c->last_progress_ms = now_ms;
	c->stall_reported = false;
	size_t *missing = calloc(c->m.n_files ? c->m.n_files : 1, sizeof *missing);
	c->blobs = calloc(c->m.n_files ? c->m.n_files : 1, sizeof *c->blobs);
	if (!missing || !c->blobs) {
		free(missing);
		set_error(cs, c, "out of memory for version %lld", (long long)c->m.version);
		drop_download(c, m);
		return;
	}
	size_t k = bundle_missing(&c->m, cs->blobs_dir, missing);
	for (size_t i = 0; i < k; i++) {
		const bundle_file *f = &c->m.files[missing[i]];
		struct blob *b = &c->blobs[c->n_blobs];
		snprintf(b->sha, sizeof b->sha, "%s", f->sha256);
		b->path = f->path;
		b->size = f->size;
		b->n_chunks = bundle_chunks(f->size, c->m.chunk);
		if (!(b->seen = calloc(b->n_chunks, 1))) {
			free(missing);
			set_error(cs, c, "out of memory for version %lld", (long long)c->m.version);
			drop_download(c, m);
			return;
		}
		c->n_blobs++;
	}
	free(missing);
	c->left = c->n_blobs;
	tt_info("content %s: version %lld offered; fetching %zu of %zu files", c->name, (long long)c->m.version,
	        c->n_blobs, c->m.n_files);
	if (c->left == 0)
		install(cs, c, m);
	else
		subscribe_blobs(c, m);
}

/* A blob already complete under its hash (both channels may fetch the
 * same file: a shared logo). */
static bool blob_on_disk(content_sync *cs, const struct blob *b)
{
	char path[1200];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", cs->blobs_dir, b->sha);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == b->size;
}

static void blob_done(content_sync *cs, struct channel *c, struct mosquitto *m, struct blob *b)
{
	char filter[256];
	b->got = b->n_chunks;
	snprintf(filter, sizeof filter, "%s/blob/%s/+", c->root, b->sha);
	mosquitto_unsubscribe_v5(m, NULL, filter, NULL);
	if (--c->left == 0)
		install(cs, c, m);
}

static void on_chunk(content_sync *cs, struct channel *c, struct mosquitto *m, const char *rest,
                     const struct mosquitto_message *msg, uint64_t now_ms)
{
	/* rest: "{sha}/{n}" */
	if (!c->active || msg->payloadlen < 0 || strlen(rest) < 66 || rest[64] != '/')
		return;
	struct blob *b = NULL;
	for (size_t i = 0; i < c->n_blobs && !b; i++)
		if (strncmp(c->blobs[i].sha, rest, 64) == 0)
			b = &c->blobs[i];
	char *end;
	unsigned long n = strtoul(rest + 65, &end, 10);
	if (!b || *end || n >= b->n_chunks || b->seen[n] || b->got == b->n_chunks)
		return;
	if (msg->payloadlen == 0 && b->size > 0)
		return; /* a cleared chunk: not there (yet) */
	char why[256];
	/* the same file in the other channel's download may have finished it */
	if (blob_on_disk(cs, b)) {
		blob_done(cs, c, m, b);
		return;
	}
	tt_err rc = bundle_blob_chunk(cs->blobs_dir, b->sha, b->size, c->m.chunk, (uint32_t)n, msg->payload,
	                              (size_t)msg->payloadlen, why, sizeof why);
	if (rc != TT_OK) {
		set_error(cs, c, "version %lld: %s: %s; showing version %lld", (long long)c->m.version, b->path, why,
		          (long long)c->version);
		give_up(c, rc);
		drop_download(c, m);
		return;
	}
	atomic_fetch_add(&cs->bytes, (uint64_t)msg->payloadlen);
	c->fetched += (uint64_t)msg->payloadlen;
	b->seen[n] = 1;
	b->got++;
	c->last_progress_ms = now_ms;
	if (b->got < b->n_chunks)
		return;
	if (blob_on_disk(cs, b)) { /* finished meanwhile by the other channel */
		blob_done(cs, c, m, b);
		return;
	}
	rc = bundle_blob_finish(cs->blobs_dir, b->sha, b->size, why, sizeof why);
	if (rc != TT_OK) {
		set_error(cs, c, "version %lld: %s: %s; showing version %lld", (long long)c->m.version, b->path, why,
		          (long long)c->version);
		give_up(c, rc);
		drop_download(c, m);
		return;
	}
	blob_done(cs, c, m, b);
}

bool content_sync_message(content_sync *cs, struct mosquitto *m, const struct mosquitto_message *msg, uint64_t now_ms)
{
	if (!cs || !msg->topic)
		return false;
	for (size_t i = 0; i < cs->n; i++) {
		struct channel *c = &cs->ch[i];
		size_t rl = strlen(c->root);
		if (strncmp(msg->topic, c->root, rl) != 0 || msg->topic[rl] != '/')
			continue;
		const char *rest = msg->topic + rl + 1;
		if (strcmp(rest, "manifest") == 0) {
			on_manifest(cs, c, m, msg, now_ms);
			return true;
		}
		if (strncmp(rest, "blob/", 5) == 0) {
			on_chunk(cs, c, m, rest + 5, msg, now_ms);
			return true;
		}
	}
	return false;
}

void content_sync_tick(content_sync *cs, uint64_t now_ms)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		struct channel *c = &cs->ch[i];
		if (!c->active || c->stall_reported || now_ms - c->last_progress_ms < STALL_MS)
			continue;
		const char *first = "";
		for (size_t k = 0; k < c->n_blobs && !*first; k++)
			if (c->blobs[k].got < c->blobs[k].n_chunks)
				first = c->blobs[k].path;
		set_error(cs, c, "version %lld: waiting for %zu of %zu files (first: %s); showing version %lld",
		          (long long)c->m.version, c->left, c->m.n_files, first, (long long)c->version);
		c->stall_reported = true;
	}
}

uint64_t content_sync_generation(content_sync *cs)
{
	return cs ? atomic_load(&cs->generation) : 0;
}

uint64_t content_sync_errors(content_sync *cs)
{
	return cs ? cs->errors : 0;
}

uint64_t content_sync_bytes(content_sync *cs)
{
	return cs ? atomic_load(&cs->bytes) : 0;
}

void content_sync_status(content_sync *cs, cJSON *status)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(status, "content");
	if (!o)
		o = cJSON_AddObjectToObject(status, "content");
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++)
		cJSON_AddNumberToObject(o, cs->ch[i].name, (double)cs->ch[i].version);
	if (cs->error[0])
		cJSON_AddStringToObject(status, "content_error", cs->error);
	else
		cJSON_AddNullToObject(status, "content_error");
}
