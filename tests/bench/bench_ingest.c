/* bench_ingest.c - the collector's ingest rate, with many kiosks at once.
 *
 *   bench_ingest prepare DIR KIOSKS N   N envelopes from KIOSKS kiosks (new signing
 *                                       keys, registered in DIR/kiosks), sealed to
 *                                       DIR/collector.pub, written to DIR/ingest.bin
 *   bench_ingest run DIR PORT [WINDOW]  publishes them QoS 1 to the broker on PORT,
 *                                       at most WINDOW (default 1000: fifty kiosks with
 *                                       20 in flight each) waiting
 *                                       for the collector's ack, and prints the rate
 *                                       from the first publish to the last ack
 *   bench_ingest backlog DIR PORT       publishes all of them first (the
 *                                       collector is down), prints "queued", waits for a
 *                                       line on stdin (the collector started), then prints
 *                                       the rate from there to the last ack
 *   bench_ingest check DIR              the checks the collector makes of each of
 *                                       them (parse, Ed25519 signature, sealed box,
 *                                       inner JSON) on one core, with no broker and
 *                                       no database: the floor of its CPU cost, and
 *                                       what the signature and the seal alone cost
 *
 * Building, sealing and signing happen in prepare, so run costs the
 * collector, not the kiosks, and one connection stands for every kiosk
 * (the collector checks the kiosk in the topic against the signed
 * envelope, not the connection).  Exit 1 if not every envelope was
 * acknowledged within 120 s. */
#define _GNU_SOURCE
#include <mosquitto.h>
#include <cjson/cJSON.h>
#include <mqtt_protocol.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "registry.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int prepare(const char *dir, long kiosks, long n)
{
	char path[4096], line[256];
	unsigned char cpk[crypto_box_PUBLICKEYBYTES];
	snprintf(path, sizeof path, "%s/collector.pub", dir);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(line, sizeof line, f) || (line[strcspn(line, "\n")] = '\0', 0) ||
	    b64_decode(line, cpk, sizeof cpk, sizeof cpk, NULL) != TT_OK) {
		fprintf(stderr, "bench_ingest: %s: not a public key\n", path);
		return 2;
	}
	fclose(f);
	tt_sign_key *keys = calloc((size_t)kiosks, sizeof *keys);
	snprintf(path, sizeof path, "%s/kiosks", dir);
	FILE *reg = fopen(path, "a");
	snprintf(path, sizeof path, "%s/ingest.bin", dir);
	FILE *out = fopen(path, "w");
	if (!keys || !reg || !out) {
		fprintf(stderr, "bench_ingest: cannot write in %s\n", dir);
		return 1;
	}
	for (long k = 0; k < kiosks; k++) {
		char b64[128];
		crypto_sign_keypair(keys[k].pk, keys[k].sk);
		fprintf(reg, "load-%03ld %s\n", k, b64_encode(keys[k].pk, sizeof keys[k].pk, b64, sizeof b64));
	}
	fclose(reg);
	for (long i = 0; i < n; i++) {
		long k = i % kiosks;
		char id[ENVELOPE_ID_LEN + 1], kiosk[32], topic[128], text[200], code[CODE_GROUPED_LEN + 1];
		snprintf(kiosk, sizeof kiosk, "load-%03ld", k);
		snprintf(topic, sizeof topic, "tramtin/v1/ht/xa-%02ld/%s/up/submission", k % 12, kiosk);
		snprintf(text, sizeof text, "Ý kiến số %ld: xin hỏi về hỗ trợ nhà ở cho hộ nghèo trong thôn", i);
		code_new(code);
		envelope_uuid(id);
		tt_submission sub = {.kind = i % 3 ? SUB_FEEDBACK : SUB_COMPLAINT, .anonymous = i % 3 == 0,
		                     .category = "policy", .rating = (int)(i % 5) + 1, .text = text, .lang = "vi",
		                     .code = code, .created = clock_now()};
		char *inner = envelope_inner_json(&sub), *env = NULL;
		if (!inner || envelope_build(id, kiosk, inner, cpk, &keys[k], &env) != TT_OK) {
			fprintf(stderr, "bench_ingest: cannot build envelope %ld\n", i);
			return 1;
		}
		uint32_t tl = (uint32_t)strlen(topic), pl = (uint32_t)strlen(env);
		fwrite(&tl, sizeof tl, 1, out);
		fwrite(topic, 1, tl, out);
		fwrite(&pl, sizeof pl, 1, out);
		fwrite(env, 1, pl, out);
		free(inner);
		free(env);
	}
	crypto_wipe(keys, (size_t)kiosks * sizeof *keys);
	free(keys);
	if (fclose(out) != 0) {
		fprintf(stderr, "bench_ingest: %s: write failed\n", path);
		return 1;
	}
	return 0;
}

struct msg {
	char *topic, *payload;
	int len;
};

struct run {
	long acked, waiting, published;
	bool connected;
};

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *p)
{
	struct run *r = obj;
	(void)flags;
	(void)p;
	if (rc == 0) {
		mosquitto_subscribe_v5(m, NULL, "tramtin/v1/+/+/+/down/ack", 1, 0, NULL);
		r->connected = true;
	}
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int rc, const mosquitto_property *p)
{
	struct run *r = obj;
	(void)m;
	(void)mid;
	(void)p;
	if (rc == 0)
		r->published++;
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg, const mosquitto_property *p)
{
	struct run *r = obj;
	(void)m;
	(void)p;
	/* {"v":1,"ids":["...","..."]}: every id is one quoted 36-char string */
	const char *s = msg->payload, *end = s + msg->payloadlen;
	long ids = 0;
	for (const char *q = s; q < end; q++)
		if (*q == '"')
			ids++;
	ids = ids / 2 - 2; /* "v" and "ids" */
	if (ids > 0) {
		r->acked += ids;
		r->waiting -= ids;
	}
}

/* Reads DIR/ingest.bin into msgs; returns their number, or -1. */
static long load(const char *dir, struct msg **out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/ingest.bin", dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench_ingest: %s: run prepare first\n", path);
		return -1;
	}
	struct msg *msgs = NULL;
	size_t n = 0, cap = 0;
	uint32_t tl, pl;
	while (fread(&tl, sizeof tl, 1, f) == 1) {
		if (n == cap && !(msgs = realloc(msgs, (cap = cap ? cap * 2 : 1024) * sizeof *msgs)))
			return -1;
		struct msg *m = &msgs[n++];
		m->topic = calloc(1, tl + 1);
		if (fread(m->topic, 1, tl, f) != tl || fread(&pl, sizeof pl, 1, f) != 1)
			return -1;
		m->payload = malloc(pl);
		m->len = (int)pl;
		if (fread(m->payload, 1, pl, f) != pl)
			return -1;
	}
	fclose(f);
	*out = msgs;
	return (long)n;
}

static void unload(struct msg *msgs, long n)
{
	for (long i = 0; i < n; i++) {
		free(msgs[i].topic);
		free(msgs[i].payload);
	}
	free(msgs);
}

static int check(const char *dir)
{
	struct msg *msgs;
	long n = load(dir, &msgs);
	char path[4096], reg_path[4096];
	snprintf(path, sizeof path, "%s/collector.key", dir);
	snprintf(reg_path, sizeof reg_path, "%s/kiosks", dir);
	tt_box_key box;
	kiosk_registry reg = {0};
	if (n <= 0 || !registry_load(reg_path, &reg)) /* each said which file, in one line */
		return 1;
	if (crypto_box_key_load(path, &box) != TT_OK) {
		fprintf(stderr, "bench_ingest: %s: not a collector key (run prepare first)\n", path);
		return 1;
	}
	/* each phase over every envelope, best of 3; the registry lookup
	 * between parse and verify is not timed */
	double best[3] = {1e9, 1e9, 1e9};
	long bad = 0;
	tt_envelope *env = calloc((size_t)n, sizeof *env);
	const unsigned char **pk = calloc((size_t)n, sizeof *pk);
	if (!env || !pk)
		return 1;
	for (int round = 0; round < 3; round++) {
		double t[3], t0 = now_s();
		for (long i = 0; i < n; i++)
			if (envelope_parse(msgs[i].payload, (size_t)msgs[i].len, &env[i], NULL, 0) != TT_OK)
				bad++;
		t[0] = now_s() - t0;
		for (long i = 0; i < n; i++)
			pk[i] = registry_find(&reg, env[i].kiosk);
		t0 = now_s();
		for (long i = 0; i < n; i++)
			if (!pk[i] || envelope_verify(&env[i], pk[i]) != TT_OK) /* NULL: not registered */
				bad++;
		t[1] = now_s() - t0;
		t0 = now_s();
		for (long i = 0; i < n; i++) {
			cJSON *inner = NULL;
			if (envelope_open_json(&env[i], &box, &inner) != TT_OK)
				bad++;
			envelope_json_free(inner);
		}
		t[2] = now_s() - t0;
		for (int p = 0; p < 3; p++)
			if (t[p] < best[p])
				best[p] = t[p];
		for (long i = 0; i < n; i++)
			envelope_free(&env[i]);
	}
	free(env);
	free(pk);
	double us[3], all = 0;
	for (int p = 0; p < 3; p++)
		all += us[p] = best[p] * 1e6 / (double)n;
	printf("bench: collector checks on one core, no broker, no database (%ld envelopes, best of 3): %.1f us per "
	       "submission (parse %.1f, Ed25519 signature %.1f, open sealed box + inner JSON %.1f): at most %.0f "
	       "submissions/s per core%s\n",
	       n, all, us[0], us[1], us[2], 1e6 / all, bad ? " (SOME FAILED)" : "");
	crypto_wipe(&box, sizeof box);
	registry_free(&reg);
	unload(msgs, n);
	return bad ? 1 : 0;
}

/* Backlog: says the broker has all n, then waits for the go line on stdin. */
static bool queued_then_go(long published, size_t n)
{
	char line[16];
	if ((size_t)published < n) {
		fprintf(stderr, "bench_ingest: the broker took %ld of %zu within 120 s\n", published, n);
		return false;
	}
	printf("bench_ingest: %ld queued at the broker\n", published);
	fflush(stdout);
	if (!fgets(line, sizeof line, stdin)) {
		fprintf(stderr, "bench_ingest: no go line on stdin\n");
		return false;
	}
	return true;
}

/* Publishes n envelopes, at most window waiting for their ack; with
 * backlog, all of them first (the collector is not running, window unused),
 * then waits for a line on stdin (the collector has been started) before
 * the clock starts. */
static int run(const char *dir, int port, long window, bool backlog)
{
	struct msg *msgs;
	long nl = load(dir, &msgs);
	if (nl < 0)
		return 2;
	size_t n = (size_t)nl;
	mosquitto_lib_init();
	struct run r = {0};
	struct mosquitto *mq = mosquitto_new("bench-ingest", true, &r);
	mosquitto_int_option(mq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(mq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_v5_callback_set(mq, on_connect);
	mosquitto_publish_v5_callback_set(mq, on_publish);
	mosquitto_message_v5_callback_set(mq, on_message);
	if (mosquitto_connect_bind_v5(mq, "127.0.0.1", port, 60, NULL, NULL) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "bench_ingest: cannot connect to 127.0.0.1:%d\n", port);
		return 1;
	}
	double t0 = now_s(), start = 0;
	while (!r.connected && now_s() - t0 < 5)
		mosquitto_loop(mq, 10, 1);
	for (int i = 0; i < 20; i++) /* let the subscription settle */
		mosquitto_loop(mq, 10, 1);
	size_t next = 0;
	if (backlog) { /* all at once: the broker queues them for the collector's session */
		while (next < n && mosquitto_publish_v5(mq, NULL, msgs[next].topic, msgs[next].len, msgs[next].payload, 1,
		                                        false, NULL) == MOSQ_ERR_SUCCESS)
			next++;
		r.waiting = (long)next;
		for (t0 = now_s(); (size_t)r.published < n && now_s() - t0 < 120;)
			if (mosquitto_loop(mq, 5, 1) != MOSQ_ERR_SUCCESS)
				break;
		if (!queued_then_go(r.published, n))
			goto done; /* nothing acknowledged: exit 1 */
	}
	start = now_s();
	while ((size_t)r.acked < n && now_s() - start < 120) {
		while (next < n && r.waiting < window) {
			if (mosquitto_publish_v5(mq, NULL, msgs[next].topic, msgs[next].len, msgs[next].payload, 1, false,
			                         NULL) != MOSQ_ERR_SUCCESS)
				break;
			next++;
			r.waiting++;
		}
		if (mosquitto_loop(mq, 5, 1) != MOSQ_ERR_SUCCESS)
			break;
	}
	double dt = now_s() - start;
	char how[64];
	if (backlog)
		snprintf(how, sizeof how, "(queued at the broker while it was down, then drained)");
	else
		snprintf(how, sizeof how, "from many kiosks (window %ld)", window);
	printf("bench: collector ingest of %s%zu submissions %s: %.0f ms, %.0f submissions/s (target >= 10000/s)\n",
	       backlog ? "a backlog of " : "", n, how, dt * 1e3, (double)r.acked / dt);
done:
	mosquitto_disconnect(mq);
	mosquitto_destroy(mq);
	mosquitto_lib_cleanup();
	unload(msgs, nl);
	return (size_t)r.acked >= n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "prepare") && crypto_init() == TT_OK)
		return prepare(argv[2], strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "run"))
		return run(argv[2], atoi(argv[3]), argc == 5 ? strtol(argv[4], NULL, 10) : 1000, false);
	if (argc == 4 && !strcmp(argv[1], "backlog"))
		return run(argv[2], atoi(argv[3]), 0, true);
	if (argc == 3 && !strcmp(argv[1], "check") && crypto_init() == TT_OK)
		return check(argv[2]);
	fprintf(stderr, "usage: bench_ingest prepare DIR KIOSKS N | bench_ingest run DIR PORT [WINDOW] | bench_ingest backlog DIR PORT | "
	                "bench_ingest check DIR\n");
	return 2;
}
