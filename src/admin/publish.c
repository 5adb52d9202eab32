/* publish.c - tramtin-admin's MQTT side: publishing a signed bundle and
 * clearing the blobs no manifest uses any more.
 *
 * Everything is retained, so the broker is the store kiosks fetch from.
 * Blobs are content-addressed ({root}/blob/{sha256}/{n}); a publish first
 * asks the broker which it holds by subscribing to chunk 0 of each (with
 * MQTT v5's no-local option, so our own chunks are not echoed back) and
 * listening until the retained messages have come (SUBACK, then a probe
 * message of our own that the broker sends behind them; 300 ms of quiet
 * if the probe cannot be sent).  A retained chunk 0 equal to ours means the blob is whole,
 * because each blob's chunks are published last to first: chunk 0 is only
 * there if the others went before it on the same ordered connection.
 * Missing blobs go out at QoS 1 with at most 64 publishes waiting for
 * their PUBACK, and the manifest goes last, so a kiosk never sees a
 * manifest whose blobs are not on the broker.  gc reads every retained
 * blob topic of a channel, keeps what the retained manifest uses, and
 * clears the rest with empty retained messages, chunk 0 first so that a
 * gc cut short never leaves a blob that looks whole.  A staff message
 * (admin_send) is one publish on the same kind of connection, done once
 * its PUBACK is back.  One connection, one thread: mosquitto_loop() is
 * driven here, so callbacks run in between our own calls and need no
 * locks. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "tramtin/bundle.h"
#include "tramtin/crypto.h"
#include "tramtin/log.h"

#define INFLIGHT_MAX  64  /* publishes waiting for their PUBACK */
#define SETTLE_MS     300 /* quiet time that ends the retained messages */
#define CONNECT_MS    10000
#define STALL_MS      30000  /* nothing from the broker for this long: give up */
#define LISTEN_MAX_MS 120000 /* retained messages still coming after this: go on */
#define SUB_BATCH     64     /* topics per SUBSCRIBE */

typedef struct blob {
	char sha[65];
	uint64_t size;
	uint32_t chunks;  /* publish: how many it has */
	uint32_t acked;   /* PUBACKs received for it */
	uint32_t to_send; /* publishes made for it */
	char *path;       /* publish: the first file with this hash (owned) */
	bool present;     /* publish: whole on the broker; gc: used by the manifest */
	bool send;        /* publish: decided after listening */
	bool differs;     /* publish: a chunk 0 on the broker that is not ours */
	uint32_t *seen;   /* gc: chunk numbers retained */
	size_t n_seen, cap_seen;
} blob;

typedef struct pending {
	int mid;
	long blob; /* index, or -1 for the manifest */
} pending;

typedef struct session {
	struct mosquitto *mosq;
	const admin_mqtt *mq;
	const char *what; /* "bundle publish", for messages */
	char root[128];
	bool gc, lib;
	bool connack, connected, quitting, failed;
	int connect_rc;
	int subs_wanted, subs_acked;
	bool sub_refused;
	uint64_t last_event; /* ms: last message, ack or publish from idle */
	pending inflight[INFLIGHT_MAX];
	size_t n_inflight;
	blob *blobs;
	size_t n_blobs, cap_blobs;
	uint32_t chunk;
	char *manifest; /* gc: the retained manifest payload */
	size_t manifest_len;
	uint64_t bytes_sent;
	char probe[200];  /* listen_retained's end marker topic, or "" */
	bool probe_seen;
	const char *topic; /* admin_send: the one topic published on */
	const admin_out *out; /* where lines go (NULL: stdout / stderr) */
} session;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void fail(session *s, const char *fmt, ...);

static void fail(session *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (!s->failed)
		admin_say(s->out, true, "%s: %s", s->what, line);
	s->failed = true;
}

void admin_say(const admin_out *out, bool error, const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (out && out->line) {
		out->line(out->ctx, error, line);
	} else if (error) {
		fprintf(stderr, "tramtin-admin: %s\n", line);
	} else {
		printf("%s\n", line);
		fflush(stdout);
	}
}

char *admin_read_file(const char *path, size_t max, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	int e = fstat(fileno(f), &st) != 0   ? errno
	        : !S_ISREG(st.st_mode)       ? EISDIR
	        : (uint64_t)st.st_size > max ? EFBIG
	                                     : 0;
	if (e) {
		fclose(f);
		errno = e;
		return NULL;
	}
	char *data = malloc((size_t)st.st_size + 1);
	if (!data) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	size_t n = fread(data, 1, (size_t)st.st_size, f);
	e = ferror(f) ? EIO : 0;
	fclose(f);
	if (e || n != (size_t)st.st_size) {
		free(data);
		errno = e ? e : EIO;
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}

static void free_blobs(session *s)
{
	for (size_t i = 0; i < s->n_blobs; i++) {
		free(s->blobs[i].path);
		free(s->blobs[i].seen);
	}
	free(s->blobs);
	s->blobs = NULL;
	s->n_blobs = s->cap_blobs = 0;
}

static blob *find_blob(session *s, const char *sha, size_t len)
{
	for (size_t i = 0; i < s->n_blobs; i++)
		if (len == 64 && !memcmp(s->blobs[i].sha, sha, 64))
			return &s->blobs[i];
	return NULL;
}

static blob *add_blob(session *s, const char *sha)
{
	if (s->n_blobs == s->cap_blobs) {
		size_t ncap = s->cap_blobs ? s->cap_blobs * 2 : 64;
		blob *p = realloc(s->blobs, ncap * sizeof *p);
		if (!p)
			return NULL;
		s->blobs = p;
		s->cap_blobs = ncap;
	}
	blob *b = &s->blobs[s->n_blobs++];
	memset(b, 0, sizeof *b);
	memcpy(b->sha, sha, 64);
	b->sha[64] = '\0';
	return b;
}

/* ---- the connection ----------------------------------------------------- */

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *p)
{
	(void)m;
	(void)flags;
	(void)p;
	session *s = obj;
	s->connack = true;
	s->connect_rc = rc;
	s->connected = rc == 0;
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *p)
{
	(void)m;
	(void)p;
	session *s = obj;
	s->connected = false;
	if (!s->quitting)
		fail(s, "mqtt %s:%d: connection lost: %s", s->mq->host, s->mq->port,
		     rc < 0x80 ? mosquitto_strerror(rc) : mosquitto_reason_string(rc));
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted,
                         const mosquitto_property *p)
{
	(void)m;
	(void)mid;
	(void)p;
	session *s = obj;
	s->subs_acked++;
	s->last_event = now_ms();
	for (int i = 0; i < n; i++)
		if (granted[i] >= 0x80)
			s->sub_refused = true;
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int reason, const mosquitto_property *p)
{
	(void)m;
	(void)p;
	session *s = obj;
	long bi = -2;
	for (size_t i = 0; i < s->n_inflight; i++)
		if (s->inflight[i].mid == mid) {
			bi = s->inflight[i].blob;
			s->inflight[i] = s->inflight[--s->n_inflight];
			break;
		}
	if (bi == -2)
		return; /* not one of ours */
	s->last_event = now_ms();
	if (reason >= 0x80) {
		if (s->topic)
			fail(s, "the broker refused the publish on %s: %s (check the ACL for this user)", s->topic,
			     mosquitto_reason_string(reason));
		else
			fail(s, "the broker refused a publish on %s/%s: %s (check the ACL for this user)", s->root,
			     bi >= 0 ? "blob/..." : "manifest", mosquitto_reason_string(reason));
		return;
	}
	if (bi < 0)
		return;
	blob *b = &s->blobs[bi];
	if (++b->acked == b->to_send && !s->gc) {
		admin_say(s->out, false, "sent %s (%" PRIu64 " bytes, %" PRIu32 " chunk%s)", b->sha, b->size,
		          b->chunks, b->chunks == 1 ? "" : "s");
	}
}

/* Is payload chunk 0 of b as we would publish it? */
static bool same_chunk0(const session *s, const blob *b, const void *payload, size_t len)
{
	size_t want = b->size < s->chunk ? (size_t)b->size : s->chunk;
	if (len != want)
		return false;
	int fd = open(b->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char *buf = malloc(want + 1);
	bool same = buf && pread(fd, buf, want, 0) == (ssize_t)want && !memcmp(buf, payload, want);
	free(buf);
	close(fd);
	return same;
}

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void gc_saw(session *s, const char *sha, const char *num)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(num, &end, 10);
	if (*end || !*num || num[0] == '-' || errno || n > UINT32_MAX)
		return;
	for (int i = 0; i < 64; i++)
		if (!((sha[i] >= '0' && sha[i] <= '9') || (sha[i] >= 'a' && sha[i] <= 'f')))
			return;
	blob *b = find_blob(s, sha, 64);
	if (!b && !(b = add_blob(s, sha))) {
		fail(s, "out of memory");
		return;
	}
	for (size_t i = 0; i < b->n_seen; i++)
		if (b->seen[i] == n)
			return;
	if (b->n_seen == b->cap_seen) {
		size_t ncap = b->cap_seen ? b->cap_seen * 2 : 8;
		uint32_t *p = realloc(b->seen, ncap * sizeof *p);
		if (!p) {
			fail(s, "out of memory");
			return;
		}
		b->seen = p;
		b->cap_seen = ncap;
	}
	b->seen[b->n_seen++] = (uint32_t)n;
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg, const mosquitto_property *p)
{
	(void)m;
	(void)p;
	session *s = obj;
	size_t rl = strlen(s->root);
	s->last_event = now_ms();
	if (s->probe[0] && msg->topic && !strcmp(msg->topic, s->probe)) {
		s->probe_seen = true;
		return;
	}
	if (!msg->retain || !msg->topic || strncmp(msg->topic, s->root, rl) != 0 || msg->topic[rl] != '/')
		return;
	const char *rest = msg->topic + rl + 1;
	size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	if (s->gc && !strcmp(rest, "manifest")) {
		char *copy = malloc(len + 1);
		if (!copy) {
			fail(s, "out of memory");
			return;
		}
		memcpy(copy, msg->payload, len);
		copy[len] = '\0';
		free(s->manifest);
		s->manifest = copy;
		s->manifest_len = len;
		return;
	}
	if (strncmp(rest, "blob/", 5) != 0 || strlen(rest) < 5 + 64 + 2 || rest[5 + 64] != '/' || !len)
		return;
	const char *sha = rest + 5, *num = rest + 5 + 65;
	if (s->gc) {
		gc_saw(s, sha, num);
		return;
	}
	blob *b = find_blob(s, sha, 64);
	if (!b || strcmp(num, "0") != 0)
		return;
	b->present = same_chunk0(s, b, msg->payload, len);
	b->differs = !b->present;
}

/* One turn of the network loop; false once the session has failed. */
static bool pump(session *s, int ms)
{
	int rc = mosquitto_loop(s->mosq, ms, 1);
	if (rc != MOSQ_ERR_SUCCESS && !s->quitting)
		fail(s, "mqtt %s:%d: connection lost: %s", s->mq->host, s->mq->port,
		     rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	return !s->failed;
}

static int session_open(session *s)
{
	char id[64];
	mosquitto_lib_init();
	s->lib = true;
	/* unique per session: the console runs several at once, and a broker
	 * drops a client whose id another takes */
	snprintf(id, sizeof id, "tramtin-admin-%ld-%08" PRIx32, (long)getpid(), randombytes_random());
	if (!(s->mosq = mosquitto_new(id, true, s))) {
		fail(s, "out of memory");
		return 1;
	}
	mosquitto_int_option(s->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(s->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_v5_callback_set(s->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(s->mosq, on_disconnect);
	mosquitto_subscribe_v5_callback_set(s->mosq, on_subscribe);
	mosquitto_publish_v5_callback_set(s->mosq, on_publish);
	mosquitto_message_v5_callback_set(s->mosq, on_message);
	if (s->mq->username &&
	    mosquitto_username_pw_set(s->mosq, s->mq->username, s->mq->password) != MOSQ_ERR_SUCCESS) {
		fail(s, "out of memory");
		return 1;
	}
	if (s->mq->tls_ca) {
		int trc = mosquitto_tls_set(s->mosq, s->mq->tls_ca, NULL, NULL, NULL, NULL);
		if (trc != MOSQ_ERR_SUCCESS) {
			fail(s, "--tls-ca %s: %s", s->mq->tls_ca,
			     trc == MOSQ_ERR_INVAL ? "cannot be read" : mosquitto_strerror(trc));
			return 1;
		}
	}
	int rc = mosquitto_connect_bind_v5(s->mosq, s->mq->host, s->mq->port, 30, NULL, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		fail(s, "mqtt %s:%d: cannot connect: %s", s->mq->host, s->mq->port,
		     rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return 1;
	}
	uint64_t until = now_ms() + CONNECT_MS;
	while (!s->connack && now_ms() < until && pump(s, 100))
		;
	if (s->failed)
		return 1;
	if (!s->connack) {
		fail(s, "mqtt %s:%d: no answer to CONNECT in %d s", s->mq->host, s->mq->port, CONNECT_MS / 1000);
		return 1;
	}
	if (!s->connected) {
		fail(s, "mqtt %s:%d: connection refused: %s", s->mq->host, s->mq->port,
		     mosquitto_reason_string(s->connect_rc));
		return 1;
	}
	return 0;
}

static void session_close(session *s)
{
	if (s->mosq) {
		if (s->connected) {
			s->quitting = true;
			mosquitto_disconnect_v5(s->mosq, MQTT_RC_NORMAL_DISCONNECTION, NULL);
			uint64_t until = now_ms() + 1000;
			while (s->connected && now_ms() < until && mosquitto_loop(s->mosq, 50, 1) == MOSQ_ERR_SUCCESS)
				;
		}
		mosquitto_destroy(s->mosq);
		s->mosq = NULL;
	}
	if (s->lib)
		mosquitto_lib_cleanup();
	s->lib = false;
	free_blobs(s);
	free(s->manifest);
	s->manifest = NULL;
}

/* Subscribes to topics (in batches) and waits for the SUBACKs, then for the
 * retained messages to stop. */
static bool listen_retained(session *s, char **topics, int n, int options)
{
	for (int i = 0; i < n; i += SUB_BATCH) {
		int k = n - i < SUB_BATCH ? n - i : SUB_BATCH;
		int rc = mosquitto_subscribe_multiple(s->mosq, NULL, k, topics + i, 0, options, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			fail(s, "cannot subscribe to %s: %s", topics[i], mosquitto_strerror(rc));
			return false;
		}
		s->subs_wanted++;
	}
	uint64_t start = now_ms();
	s->last_event = start;
	while (s->subs_acked < s->subs_wanted) {
		if (!pump(s, 100))
			return false;
		if (now_ms() - s->last_event > STALL_MS) {
			fail(s, "mqtt %s:%d: no SUBACK in %d s", s->mq->host, s->mq->port, STALL_MS / 1000);
			return false;
		}
	}
	/* The broker queues a subscription's retained messages when it takes
	 * the subscription; a message of our own on a probe topic subscribed
	 * after them comes behind them on the same ordered connection, so its
	 * arrival ends the listing.  If the probe cannot be sent (an ACL), a
	 * quiet spell ends it instead. */
	snprintf(s->probe, sizeof s->probe, "%s/probe/%08" PRIx32 "%08" PRIx32, s->root, randombytes_random(),
	         randombytes_random());
	s->probe_seen = false;
	int want = s->subs_wanted + 1;
	if (mosquitto_subscribe_v5(s->mosq, NULL, s->probe, 1, 0, NULL) == MOSQ_ERR_SUCCESS) {
		s->subs_wanted++;
		while (s->subs_acked < want && now_ms() - s->last_event < STALL_MS)
			if (!pump(s, 50))
				return false;
		if (mosquitto_publish_v5(s->mosq, NULL, s->probe, 5, "probe", 1, false, NULL) == MOSQ_ERR_SUCCESS)
			while (!s->probe_seen && now_ms() - s->last_event < STALL_MS && now_ms() - start < LISTEN_MAX_MS)
				if (!pump(s, 50))
					return false;
		mosquitto_unsubscribe_v5(s->mosq, NULL, s->probe, NULL);
	}
	if (!s->probe_seen)
		while (now_ms() - s->last_event < SETTLE_MS && now_ms() - start < LISTEN_MAX_MS)
			if (!pump(s, 50))
				return false;
	s->probe[0] = '\0';
	return true;
}

static bool wait_acks(session *s, size_t below)
{
	while (s->n_inflight > below) {
		if (!pump(s, 100))
			return false;
		if (now_ms() - s->last_event > STALL_MS) {
			fail(s, "mqtt %s:%d: no PUBACK for %d s", s->mq->host, s->mq->port, STALL_MS / 1000);
			return false;
		}
	}
	return true;
}

/* Publishes at QoS 1 (retained or not) once fewer than INFLIGHT_MAX wait. */
static bool publish(session *s, const char *topic, const void *data, size_t len, long bi, bool retain)
{
	int mid = 0;
	if (!wait_acks(s, INFLIGHT_MAX - 1))
		return false;
	if (!s->n_inflight)
		s->last_event = now_ms();
	int rc = mosquitto_publish_v5(s->mosq, &mid, topic, (int)len, data, 1, retain, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		fail(s, "cannot publish on %s: %s", topic,
		     rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return false;
	}
	s->inflight[s->n_inflight++] = (pending){mid, bi};
	s->bytes_sent += len;
	if (bi >= 0)
		s->blobs[bi].to_send++;
	return true;
}

/* ---- bundle publish ------------------------------------------------------ */

/* Hashes path; true if it has sha256 sha and size bytes. */
static bool file_matches(const char *path, const char *sha, uint64_t size, int *err)
{
	unsigned char buf[65536], digest[crypto_hash_sha256_BYTES];
	char hex[65];
	crypto_hash_sha256_state st;
	uint64_t n = 0;
	*err = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return false;
	}
	crypto_hash_sha256_init(&st);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = errno;
			close(fd);
			return false;
		}
		if (r == 0)
			break;
		n += (uint64_t)r;
		crypto_hash_sha256_update(&st, buf, (size_t)r);
	}
	close(fd);
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	return n == size && !strcmp(hex, sha);
}

/* Publishes the chunks of blob bi, last to first (see the top). */
static bool send_blob(session *s, long bi)
{
	blob *b = &s->blobs[bi];
	char topic[256];
	int fd = open(b->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(s, "%s: %s", b->path, strerror(errno));
		return false;
	}
	char *buf = malloc(s->chunk);
	bool ok = buf != NULL;
	if (!ok)
		fail(s, "out of memory");
	for (uint32_t n = b->chunks; ok && n-- > 0;) {
		uint64_t off = (uint64_t)n * s->chunk;
		size_t len = n + 1 < b->chunks ? s->chunk : (size_t)(b->size - off);
		if (pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
			fail(s, "%s: cannot read chunk %" PRIu32 ": %s", b->path, n, strerror(errno ? errno : EIO));
			ok = false;
			break;
		}
		snprintf(topic, sizeof topic, "%s/blob/%s/%" PRIu32, s->root, b->sha, n);
		ok = publish(s, topic, buf, len, bi, true);
	}
	free(buf);
	close(fd);
	return ok;
}

int admin_publish(const char *dir, const admin_mqtt *mq, size_t max_message, const admin_out *out)
{
	session s = {.mq = mq, .what = "bundle publish", .out = out};
	char path[4096], why[512], topic[256];
	unsigned char sig[64];
	bundle_manifest m = {0};
	char *json = NULL, *sigtext = NULL, *wire = NULL;
	char **topics = NULL;
	size_t len;
	int status = 2, e;

	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if (!(json = admin_read_file(path, BUNDLE_MANIFEST_MAX, &len))) {
		fail(&s, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (bundle_manifest_parse(json, len, &m, why, sizeof why) != TT_OK) {
		fail(&s, "%s: %s", path, why);
		goto out;
	}
	snprintf(path, sizeof path, "%s/manifest.sig", dir);
	if (!(sigtext = admin_read_file(path, 1024, &len))) {
		if (errno == ENOENT)
			fail(&s, "%s: missing; sign the bundle first (tramtin-admin bundle sign %s --key PREFIX.key)",
			     path, dir);
		else
			fail(&s, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	while (len && (sigtext[len - 1] == '\n' || sigtext[len - 1] == '\r' || sigtext[len - 1] == ' '))
		sigtext[--len] = '\0';
	if (b64_decode(sigtext, sig, sizeof sig, sizeof sig, NULL) != TT_OK) {
		fail(&s, "%s: not a signature (one line of base64 of 64 bytes)", path);
		goto out;
	}
	if (m.chunk > max_message) {
		fail(&s,
		     "%s/manifest.json: chunk of %" PRIu32
		     " bytes is above --max-message %zu; build with --chunk %zu or less",
		     dir, m.chunk, max_message, max_message);
		goto out;
	}
	if (!(wire = bundle_wire_encode(m.json, m.len, sig))) {
		fail(&s, "out of memory");
		status = 1;
		goto out;
	}
	if (strlen(wire) > max_message) {
		fail(&s, "%s/manifest.json: the signed manifest takes %zu bytes on the wire, above --max-message %zu",
		     dir, strlen(wire), max_message);
		goto out;
	}
	bundle_topic_root(m.channel, s.root, sizeof s.root);
	s.chunk = m.chunk;
	/* every distinct blob, checked against the manifest before anything
	 * leaves: a folder changed after signing is not published */
	for (size_t i = 0; i < m.n_files; i++) {
		const bundle_file *f = &m.files[i];
		snprintf(path, sizeof path, "%s/%s", dir, f->path);
		if (!file_matches(path, f->sha256, f->size, &e)) {
			if (e)
				fail(&s, "%s: cannot read: %s", path, strerror(e));
			else
				fail(&s, "%s: differs from its sha256 and size in manifest.json; build and sign again",
				     path);
			goto out;
		}
		if (find_blob(&s, f->sha256, 64))
			continue;
		blob *b = add_blob(&s, f->sha256);
		if (!b || !(b->path = strdup(path))) {
			fail(&s, "out of memory");
			status = 1;
			goto out;
		}
		b->size = f->size;
		b->chunks = bundle_chunks(f->size, m.chunk);
		b->present = f->size == 0; /* the kiosk makes empty files itself */
	}

	status = 1;
	if (session_open(&s) != 0)
		goto out;
	int n = 0;
	if (!(topics = calloc(s.n_blobs + 1, sizeof *topics))) {
		fail(&s, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < s.n_blobs; i++) {
		if (s.blobs[i].size == 0)
			continue;
		char t[256];
		snprintf(t, sizeof t, "%s/blob/%s/0", s.root, s.blobs[i].sha);
		if (!(topics[n++] = strdup(t))) {
			fail(&s, "out of memory");
			goto out;
		}
	}
	if (n && !listen_retained(&s, topics, n, MQTT_SUB_OPT_NO_LOCAL))
		goto out;
	if (s.sub_refused) {
		admin_say(out, false, "bundle publish: the broker refused to show what %s/blob/ holds; every blob is sent",
		          s.root);
		for (size_t i = 0; i < s.n_blobs; i++)
			s.blobs[i].present = s.blobs[i].size == 0;
	}
	size_t kept = 0, sent = 0;
	for (size_t i = 0; i < s.n_blobs; i++) {
		const blob *b = &s.blobs[i];
		if (b->size == 0)
			admin_say(out, false, "empty %s (0 bytes, nothing to send)", b->sha);
		else if (b->present)
			admin_say(out, false, "kept %s (already on the broker)", b->sha);
		kept += b->present;
		s.blobs[i].send = !b->present;
	}
	for (size_t i = 0; i < s.n_blobs; i++) {
		if (!s.blobs[i].send)
			continue;
		if (s.blobs[i].differs)
			admin_say(out, false, "replacing %s (chunk 0 on the broker differs)", s.blobs[i].sha);
		if (!send_blob(&s, (long)i))
			goto out;
		sent++;
	}
	uint64_t blob_bytes = s.bytes_sent;
	snprintf(topic, sizeof topic, "%s/manifest", s.root);
	if (!publish(&s, topic, wire, strlen(wire), -1, true) || !wait_acks(&s, 0))
		goto out;
	admin_say(out, false,
	          "published %s version %" PRId64 " on %s: %zu blob%s sent (%" PRIu64 " bytes), %zu kept; %" PRIu64
	          " bytes sent in all",
	          m.channel, m.version, s.root, sent, sent == 1 ? "" : "s", blob_bytes, kept, s.bytes_sent);
	status = 0;
out:
	if (topics)
		for (size_t i = 0; i < s.n_blobs; i++)
			free(topics[i]);
	free(topics);
	session_close(&s);
	bundle_manifest_free(&m);
	free(json);
	free(sigtext);
	free(wire);
	return status;
}

/* ---- bundle gc ---------------------------------------------------------- */

int admin_gc(const char *channel, const admin_mqtt *mq, const admin_out *out)
{
	session s = {.mq = mq, .what = "bundle gc", .gc = true, .out = out};
	char t1[192], t2[192], topic[256], why[512];
	bundle_manifest m = {0};
	char *json = NULL;
	size_t jlen;
	unsigned char sig[64];
	int status = 1;

	if (bundle_topic_root(channel, s.root, sizeof s.root) != TT_OK) {
		fail(&s, "--channel '%s' is not a channel (ht or ht/<commune>: a-z, 0-9, '-')", channel);
		return 2;
	}
	if (session_open(&s) != 0)
		goto out;
	snprintf(t1, sizeof t1, "%s/manifest", s.root);
	snprintf(t2, sizeof t2, "%s/blob/+/+", s.root);
	char *topics[] = {t1, t2};
	if (!listen_retained(&s, topics, 2, 0))
		goto out;
	if (s.sub_refused) {
		fail(&s, "the broker refused the subscription to %s/#; nothing removed", s.root);
		goto out;
	}
	if (!s.manifest) {
		fail(&s, "no manifest is retained on %s; nothing removed", t1);
		goto out;
	}
	if (bundle_wire_decode(s.manifest, s.manifest_len, &json, &jlen, sig, why, sizeof why) != TT_OK ||
	    bundle_manifest_parse(json, jlen, &m, why, sizeof why) != TT_OK) {
		fail(&s, "%s: %s; nothing removed", t1, why);
		goto out;
	}
	if (strcmp(m.channel, channel) != 0) {
		fail(&s, "%s holds a manifest of channel %s; nothing removed", t1, m.channel);
		goto out;
	}
	/* what the manifest uses, and how many chunks each has at its size */
	size_t missing = 0;
	for (size_t i = 0; i < m.n_files; i++) {
		const bundle_file *f = &m.files[i];
		blob *b = find_blob(&s, f->sha256, 64);
		if (!b) {
			if (f->size && (b = add_blob(&s, f->sha256))) {
				admin_say(out, false, "missing %s (used by %s, not on the broker)", f->sha256, f->path);
				b->present = true;
				missing++;
			}
			continue;
		}
		b->present = true;
		b->size = f->size;
		b->chunks = bundle_chunks(f->size, m.chunk);
	}
	size_t removed = 0, trimmed = 0, kept = 0;
	uint64_t cleared = 0;
	for (size_t i = 0; i < s.n_blobs && !s.failed; i++) {
		blob *b = &s.blobs[i];
		qsort(b->seen, b->n_seen, sizeof *b->seen, by_u32); /* chunk 0 first */
		for (size_t k = 0; k < b->n_seen; k++) {
			if (b->present && b->seen[k] < b->chunks)
				continue;
			snprintf(topic, sizeof topic, "%s/blob/%s/%" PRIu32, s.root, b->sha, b->seen[k]);
			if (!publish(&s, topic, NULL, 0, (long)i, true))
				goto out;
			cleared++;
		}
	}
	if (!wait_acks(&s, 0))
		goto out;
	for (size_t i = 0; i < s.n_blobs; i++) {
		const blob *b = &s.blobs[i];
		if (!b->present) {
			admin_say(out, false, "removed %s (%" PRIu32 " chunk%s)", b->sha, b->to_send,
			          b->to_send == 1 ? "" : "s");
			removed++;
		} else if (b->to_send) {
			admin_say(out, false, "trimmed %s (%" PRIu32 " chunk%s beyond its size)", b->sha, b->to_send,
			          b->to_send == 1 ? "" : "s");
			trimmed++;
		} else if (b->n_seen) {
			kept++;
		}
	}
	admin_say(out, false,
	          "gc %s: %zu blob%s removed, %zu trimmed, %zu kept for version %" PRId64 " (%" PRIu64
	          " retained message%s cleared)%s",
	          channel, removed, removed == 1 ? "" : "s", trimmed, kept, m.version, cleared, cleared == 1 ? "" : "s",
	          missing ? "; some blobs of the manifest are missing: publish it again" : "");
	status = 0;
out:
	session_close(&s);
	bundle_manifest_free(&m);
	free(json);
	return status;
}

/* ---- one message: announce, survey, cmd ---------------------------------- */

int admin_send(const char *what, const admin_mqtt *mq, const char *topic, const void *data, size_t len, bool retain,
               const admin_out *out)
{
	session s = {.mq = mq, .what = what, .topic = topic, .out = out};
	int status = 1;
	if (len > 268435455) {
		fail(&s, "%s: a message of %zu bytes is above MQTT's limit", topic, len);
		return 2;
	}
	snprintf(s.root, sizeof s.root, "%s", topic);
	if (session_open(&s) == 0 && publish(&s, topic, len ? data : NULL, len, -1, retain) && wait_acks(&s, 0))
		status = 0;
	session_close(&s);
	return status;
}
