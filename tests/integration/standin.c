/* standin.c - a collector stand-in for the kiosk's integration tests.
 *
 * What the real collector does, minimally and for real: subscribe to
 * every kiosk's submission topic with a persistent session (QoS 1), check
 * the envelope, its kiosk and signature, open the seal, store the inner
 * JSON in SQLite with the envelope id as the unique key, commit, and only
 * then publish {"v":1,"ids":[...]} to that kiosk's ack topic.  Messages
 * that arrive together are stored in one transaction (one fsync) and
 * acknowledged together after its commit.
 *
 *   standin keygen PREFIX                 X25519 key pair (PREFIX.key/.pub)
 *   standin run --port P --db FILE --key PREFIX.key --kiosks FILE
 *
 * FILE of kiosks: lines "kiosk_id base64_public_key".  Stops on SIGTERM.
 * Prints "standin: ready" once subscribed (tests wait for it). */
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tramtin/crypto.h"
#include "tramtin/envelope.h"

static volatile sig_atomic_t stop;
static sqlite3 *db;
static sqlite3_stmt *ins;
static tt_box_key box;
static struct {
	char id[128];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
} kiosks[256];
static int n_kiosks;
static unsigned long stored, dupes, rejected;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const unsigned char *kiosk_key(const char *id)
{
	for (int i = 0; i < n_kiosks; i++)
		if (strcmp(kiosks[i].id, id) == 0)
			return kiosks[i].pk;
	return NULL;
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *p)
{
	(void)obj;
	(void)flags;
	(void)p;
	if (rc == 0) {
		mosquitto_subscribe_v5(m, NULL, "tramtin/v1/+/+/+/up/submission", 1, 0, NULL);
		printf("standin: ready\n");
		fflush(stdout);
	}
}

/* Messages received in one loop turn are stored in one transaction and
 * acknowledged together after its commit; none is ever dropped (a QoS 1
 * message is acknowledged to the broker when the callback returns). */
#define BATCH 512
struct acked {
	char id[40], root[256];
};
static struct acked *acked;
static size_t n_acked, cap_acked;
static bool in_txn;
static unsigned long seen;

static void handle(const struct mosquitto_message *msg);

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg, const mosquitto_property *p)
{
	(void)m;
	(void)obj;
	(void)p;
	seen++;
	if (!in_txn)
		in_txn = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	if (in_txn)
		handle(msg);
	/* no transaction: not stored, not acknowledged; the kiosk sends it again */
}

static void handle(const struct mosquitto_message *msg)
{
	tt_envelope env;
	char why[128], *inner = NULL;
	/* the topic is tramtin/v1/{province}/{commune}/{kiosk}/up/submission */
	char topic_kiosk[128] = "", root[256];
	char **parts;
	int n;
	if (mosquitto_sub_topic_tokenise(msg->topic, &parts, &n) == MOSQ_ERR_SUCCESS) {
		if (n == 7)
			snprintf(topic_kiosk, sizeof topic_kiosk, "%s", parts[4]);
		snprintf(root, sizeof root, "%s/%s/%s/%s/%s", parts[0], parts[1], parts[2], parts[3], n > 4 ? parts[4] : "");
		mosquitto_sub_topic_tokens_free(&parts, n);
	}
	if (envelope_parse(msg->payload, (size_t)msg->payloadlen, &env, why, sizeof why) != TT_OK) {
		fprintf(stderr, "standin: %s: rejected: %s\n", msg->topic, why);
		rejected++;
		return;
	}
	const unsigned char *pk = kiosk_key(env.kiosk);
	if (strcmp(env.kiosk, topic_kiosk) != 0 || !pk || envelope_verify(&env, pk) != TT_OK ||
	    envelope_open(&env, &box, &inner) != TT_OK) {
		fprintf(stderr, "standin: %s: rejected: kiosk, signature or seal\n", env.id);
		rejected++;
		envelope_free(&env);
		return;
	}
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, env.id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 2, env.kiosk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 3, inner, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(ins);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "standin: store: %s\n", sqlite3_errmsg(db));
		goto out; /* not stored: no ack, the kiosk sends it again */
	}
	if (sqlite3_changes(db))
		stored++;
	else
		dupes++;
	/* acknowledged once the batch is committed */
	if (n_acked == cap_acked) {
		size_t cap = cap_acked ? cap_acked * 2 : BATCH;
		struct acked *a = realloc(acked, cap * sizeof *a);
		if (!a)
			goto out; /* stored but not acknowledged: the repeat is a duplicate */
		acked = a;
		cap_acked = cap;
	}
	snprintf(acked[n_acked].id, sizeof acked[0].id, "%s", env.id);
	snprintf(acked[n_acked].root, sizeof acked[0].root, "%s", root);
	n_acked++;
out:
	free(inner);
	envelope_free(&env);
}

static int by_root(const void *a, const void *b)
{
	return strcmp(((const struct acked *)a)->root, ((const struct acked *)b)->root);
}

/* Commits the open transaction; after the commit, acknowledges its
 * messages, one ack message per kiosk. */
static void flush(struct mosquitto *m)
{
	if (!in_txn)
		return;
	in_txn = false;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "standin: commit: %s\n", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		n_acked = 0; /* nothing acknowledged: the kiosks send again */
	}
	qsort(acked, n_acked, sizeof *acked, by_root);
	char *ack = malloc(n_acked * 42 + 32);
	for (size_t i = 0, j; ack && i < n_acked; i = j) {
		char topic[300];
		size_t len = (size_t)sprintf(ack, "{\"v\":1,\"ids\":[");
		for (j = i; j < n_acked && !strcmp(acked[j].root, acked[i].root); j++)
			len += (size_t)sprintf(ack + len, "%s\"%s\"", j == i ? "" : ",", acked[j].id);
		len += (size_t)sprintf(ack + len, "]}");
		snprintf(topic, sizeof topic, "%s/down/ack", acked[i].root);
		mosquitto_publish_v5(m, NULL, topic, (int)len, ack, 1, false, NULL);
	}
	free(ack);
	n_acked = 0;
}

static int run(int argc, char **argv)
{
	int port = 0;
	const char *dbpath = NULL, *keyfile = NULL, *kfile = NULL, *id = "standin";
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--db"))
			dbpath = argv[i + 1];
		else if (!strcmp(argv[i], "--key"))
			keyfile = argv[i + 1];
		else if (!strcmp(argv[i], "--kiosks"))
			kfile = argv[i + 1];
		else if (!strcmp(argv[i], "--id"))
			id = argv[i + 1];
	}
	if (!port || !dbpath || !keyfile || !kfile) {
		fprintf(stderr, "usage: standin run --port P --db FILE --key PREFIX.key --kiosks FILE\n");
		return 2;
	}
	if (crypto_init() != TT_OK || crypto_read_key_file(keyfile, box.sk, sizeof box.sk) != TT_OK) {
		fprintf(stderr, "standin: %s: not a key\n", keyfile);
		return 2;
	}
	crypto_scalarmult_base(box.pk, box.sk);
	FILE *f = fopen(kfile, "r");
	char line[512];
	while (f && fgets(line, sizeof line, f) && n_kiosks < 256) {
		char kid[128], b64[256];
		if (sscanf(line, "%127s %255s", kid, b64) == 2 &&
		    b64_decode(b64, kiosks[n_kiosks].pk, sizeof kiosks[n_kiosks].pk, crypto_sign_PUBLICKEYBYTES, NULL) == TT_OK) {
			snprintf(kiosks[n_kiosks].id, sizeof kiosks[n_kiosks].id, "%s", kid);
			n_kiosks++;
		}
	}
	if (f)
		fclose(f);
	if (sqlite3_open(dbpath, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"
	                     "CREATE TABLE IF NOT EXISTS submissions(id TEXT PRIMARY KEY, kiosk TEXT, inner TEXT,"
	                     " stored_at TEXT DEFAULT CURRENT_TIMESTAMP)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO submissions(id, kiosk, inner) VALUES (?, ?, ?)", -1, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "standin: %s: %s\n", dbpath, sqlite3_errmsg(db));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	mosquitto_lib_init();
	struct mosquitto *m = mosquitto_new(id, false, NULL);
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_v5_callback_set(m, on_connect);
	mosquitto_message_v5_callback_set(m, on_message);
	mosquitto_property *props = NULL;
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 86400);
	while (!stop && mosquitto_connect_bind_v5(m, "127.0.0.1", port, 30, NULL, props) != MOSQ_ERR_SUCCESS)
		usleep(100 * 1000);
	while (!stop) {
		int rc = mosquitto_loop(m, 100, 1);
		/* read everything that is there before committing */
		while (rc == MOSQ_ERR_SUCCESS && in_txn && n_acked < BATCH) {
			unsigned long before = seen;
			rc = mosquitto_loop(m, 0, 1);
			if (seen == before)
				break;
		}
		flush(m);
		if (rc != MOSQ_ERR_SUCCESS && !stop) {
			usleep(200 * 1000);
			mosquitto_reconnect(m);
		}
	}
	mosquitto_property_free_all(&props);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(acked);
	fprintf(stderr, "standin: stored %lu, duplicates %lu, rejected %lu\n", stored, dupes, rejected);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "keygen")) {
		char err[256];
		if (crypto_init() != TT_OK || crypto_keygen("box", argv[2], err, sizeof err) != TT_OK) {
			fprintf(stderr, "standin: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc, argv);
	fprintf(stderr, "usage: standin keygen PREFIX | standin run --port P --db FILE --key PREFIX.key --kiosks FILE\n");
	return 2;
}
