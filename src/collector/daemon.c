/* daemon.c - tramtin-collector serve: store every submission once, then
 * acknowledge it.
 *
 * Three kinds of thread, one pipeline:
 *   - the main thread owns the MQTT client: it reads messages into the
 *     open batch and publishes what the store thread hands back (acks,
 *     retained track status);
 *   - as messages arrive, the pool (pool.h: the main thread and workers)
 *     checks them: signature, seal, inner JSON; the costly part;
 *   - the store thread owns the database: it stores a checked batch in
 *     one transaction, commits (one fsync), and only then queues the acks.
 * While the store thread commits one batch the next one fills, so under
 * load batches grow and the cost of a commit is shared by more messages
 * (group commit); when quiet, a message waits at most batch_ms.
 *
 * One thread, one MQTT client with a persistent session (clean_start
 * false, a session-expiry interval), optionally in a shared subscription
 * group so several collectors split the load.  Messages are collected for
 * at most batch_ms (or batch_max messages), then checked and stored in one
 * transaction; only after that commit are acknowledgements published, one
 * message per kiosk naming all its ids.  A commit that fails acknowledges
 * nothing: the kiosks send again, and the unique id makes the repeat
 * harmless.  Payloads that fail a check are kept in the quarantine with
 * the reason, and acknowledged so the kiosk stops re-sending them.
 * Changes to follow-up (from this process, the CLI or the web server) are
 * published as the retained status of each tracking code's hash. */
#define _GNU_SOURCE
#include <cJSON.h>
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "collector.h"
#include "http.h"
#include "pool.h"
#include "registry.h"
#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/notify.h"
#include "tramtin/store.h"
#include "tramtin/text.h"

/* One received message and what the check found (filled in parallel). */
struct pending {
	struct mosquitto_message *msg;
	bool status;      /* a kiosk's retained status, not a submission */
	bool ok;          /* r is ready to store */
	bool env_ok;      /* the envelope parsed: id and root are known */
	char id[ENVELOPE_ID_LEN + 1], kiosk[128], root[256], why[200];
	store_record r;
};

struct ack {
	char root[256];
	char id[ENVELOPE_ID_LEN + 1];
};

struct batch {
	struct pending *items;
	struct ack *acks; /* room for one per item */
	size_t n, cap, n_acks;
};

/* What the store thread hands the main thread to publish. */
struct outgoing {
	char *topic, *payload;
	int len;
	bool retain;
};

static volatile sig_atomic_t stopping, reload;

struct daemon {
	const collector_config *cfg;
	tt_box_key box;
	kiosk_registry kiosks;
	struct mosquitto *mosq;
	atomic_bool connected;
	pool *pool;
	int wake[2]; /* the store thread wakes the main thread */

	/* main thread */
	struct batch open;
	size_t checked; /* open.items[0, checked) are checked */
	uint64_t open_since;

	/* the store thread's, while busy */
	store *db;
	struct batch work;
	unsigned long stored, duplicates, quarantined, commits;

	/* under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool busy, quit, track_due;
	struct outgoing *out;
	size_t n_out, cap_out;
};

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stopping = 1;
}

/* Reads the kiosk registry; keeps the old one if the file is bad. */
static bool load_kiosks(struct daemon *d)
{
	if (!registry_load(d->cfg->kiosks, &d->kiosks))
		return false;
	tt_info("%s: %zu kiosk(s) registered", d->cfg->kiosks, d->kiosks.n);
	return true;
}

static bool batch_grow(struct batch *b, size_t want)
{
	size_t cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	if (cap == b->cap)
		return true;
	struct pending *items = realloc(b->items, cap * sizeof *items);
	if (items)
		b->items = items;
	struct ack *acks = items ? realloc(b->acks, cap * sizeof *acks) : NULL;
	if (acks)
		b->acks = acks;
	if (!acks)
		return false;
	b->cap = cap;
	return true;
}

/* Forgets a batch's messages, wiping what was checked but not stored. */
static void batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &b->items[i];
		if (p->r.text)
			crypto_wipe(p->r.text, strlen(p->r.text));
		store_record_clear(&p->r);
		mosquitto_message_free(&p->msg);
	}
	b->n = 0;
	b->n_acks = 0;
}

static void batch_free(struct batch *b)
{
	batch_clear(b);
	free(b->items);
	free(b->acks);
}

static void queue_ack(struct batch *b, const char *root, const char *id)
{
	if (b->n_acks >= b->cap)
		return;
	snprintf(b->acks[b->n_acks].root, sizeof b->acks[0].root, "%s", root);
	snprintf(b->acks[b->n_acks].id, sizeof b->acks[0].id, "%s", id);
	b->n_acks++;
}

/* Store thread: queues a message for the main thread to publish (under
 * the lock); false if out of memory. */
static bool hand_out(struct daemon *d, const char *topic, const char *payload, size_t len, bool retain)
{
	bool ok = false;
	pthread_mutex_lock(&d->lock);
	if (d->n_out == d->cap_out) {
		size_t cap = d->cap_out ? d->cap_out * 2 : 64;
		struct outgoing *o = realloc(d->out, cap * sizeof *o);
		if (!o)
			goto out;
		d->out = o;
		d->cap_out = cap;
	}
	struct outgoing *o = &d->out[d->n_out];
	o->topic = strdup(topic);
	o->payload = malloc(len ? len : 1);
	if (!o->topic || !o->payload) {
		free(o->topic);
		free(o->payload);
		goto out;
	}
	memcpy(o->payload, payload, len);
	o->len = (int)len;
	o->retain = retain;
	d->n_out++;
	ok = true;
out:
	pthread_mutex_unlock(&d->lock);
	return ok;
}

/* Checks one message: topic, envelope, registered kiosk, signature, seal,
 * inner JSON.  Touches only p and read-only daemon state, so messages are
 * checked in parallel (pool.h). */
static void check(struct daemon *d, struct pending *p, int64_t now)
{
	const struct mosquitto_message *m = p->msg;
	char **parts = NULL;
	cJSON *inner = NULL;
	int n = 0;
	tt_envelope env = {0};
	if (mosquitto_sub_topic_tokenise(m->topic, &parts, &n) != MOSQ_ERR_SUCCESS || n != 7) {
		snprintf(p->why, sizeof p->why, "unexpected topic");
		goto out;
	}
	snprintf(p->kiosk, sizeof p->kiosk, "%s", parts[4]);
	snprintf(p->root, sizeof p->root, "%s/%s/%s/%s/%s", parts[0], parts[1], parts[2], parts[3], parts[4]);
	if (m->payloadlen <= 0 || m->payloadlen > ENVELOPE_MAX_BYTES) {
		snprintf(p->why, sizeof p->why, "envelope too large or empty (%d bytes)", m->payloadlen);
		goto out;
	}
	if (envelope_parse(m->payload, (size_t)m->payloadlen, &env, p->why, sizeof p->why) != TT_OK)
		goto out;
	p->env_ok = true;
	snprintf(p->id, sizeof p->id, "%s", env.id);
	if (strcmp(env.kiosk, parts[4]) != 0) {
		snprintf(p->why, sizeof p->why, "kiosk in the topic (%.60s) is not the envelope's (%.60s)", parts[4],
		         env.kiosk);
		goto out;
	}
	const unsigned char *pk = registry_find(&d->kiosks, env.kiosk);
	if (!pk) {
		snprintf(p->why, sizeof p->why, "kiosk %.100s is not registered", env.kiosk);
		goto out;
	}
	if (envelope_verify(&env, pk) != TT_OK) {
		snprintf(p->why, sizeof p->why, "bad signature");
		goto out;
	}
	if (envelope_open_json(&env, &d->box, &inner) != TT_OK) {
		snprintf(p->why, sizeof p->why, "the seal does not open with this collector's key");
		goto out;
	}
	if (!collector_parse_inner_json(inner, &p->r, p->why, sizeof p->why))
		goto out;
	snprintf(p->r.id, sizeof p->r.id, "%s", env.id);
	snprintf(p->r.kiosk, sizeof p->r.kiosk, "%s", env.kiosk);
	snprintf(p->r.province, sizeof p->r.province, "%s", parts[2]);
	snprintf(p->r.commune, sizeof p->r.commune, "%s", parts[3]);
	p->r.received = now;
	p->r.status = ST_RECEIVED;
	p->ok = true;
out:
	envelope_json_free(inner); /* wipes the plaintext */
	envelope_free(&env);
	if (parts)
		mosquitto_sub_topic_tokens_free(&parts, n);
}

struct check_job {
	struct daemon *d;
	size_t from;
	int64_t now;
};

static void check_one(void *ctx, size_t i)
{
	struct check_job *job = ctx;
	struct pending *p = &job->d->open.items[job->from + i];
	if (!p->status)
		check(job->d, p, job->now);
}

/* Main thread: checks what arrived since the last call, on every core. */
static void check_new(struct daemon *d)
{
	if (d->checked >= d->open.n)
		return;
	struct check_job job = {d, d->checked, clock_now()};
	pool_for(d->pool, d->open.n - d->checked, check_one, &job);
	d->checked = d->open.n;
}

/* Store thread: a kiosk's retained status. */
static void keep_status(struct daemon *d, const struct mosquitto_message *m, int64_t now)
{
	char **parts;
	int n;
	if (mosquitto_sub_topic_tokenise(m->topic, &parts, &n) != MOSQ_ERR_SUCCESS)
		return;
	if (n == 6 && m->payloadlen > 0 && m->payloadlen < 65536) {
		char *json = strndup(m->payload, (size_t)m->payloadlen);
		cJSON *j = json ? cJSON_Parse(json) : NULL;
		const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state"));
		store_kiosk_seen(d->db, parts[4], json, state && strcmp(state, "online") == 0, now);
		cJSON_Delete(j);
		free(json);
	}
	mosquitto_sub_topic_tokens_free(&parts, n);
}

/* Store thread: adds one checked message to the open transaction (store
 * or quarantine) and queues its ack. */
static void keep(struct daemon *d, struct batch *b, struct pending *p, int64_t now)
{
	const struct mosquitto_message *m = p->msg;
	if (p->status) {
		keep_status(d, m, now);
	} else if (p->ok) {
		bool inserted = false;
		if (store_add(d->db, &p->r, &inserted) == TT_OK) {
			if (inserted)
				d->stored++;
			else
				d->duplicates++;
			queue_ack(b, p->root, p->id);
		} /* else the batch's commit decides; no ack for this one */
	} else {
		/* Keep what came, say why, and stop the kiosk re-sending it. */
		tt_warn("quarantined a message on %s: %s", m->topic, p->why);
		if (store_quarantine(d->db, m->topic, p->kiosk, p->why, m->payload,
		                     m->payloadlen > 0 ? (size_t)m->payloadlen : 0, now) == TT_OK) {
			d->quarantined++;
			if (p->env_ok && p->root[0])
				queue_ack(b, p->root, p->id);
		}
	}
}

static int by_root(const void *a, const void *b)
{
	return strcmp(((const struct ack *)a)->root, ((const struct ack *)b)->root);
}

/* Store thread: one ack message per kiosk naming all its ids of the
 * batch (several if they would pass 1 MiB). */
static void hand_out_acks(struct daemon *d, struct batch *b)
{
	static char buf[1 << 20];
	qsort(b->acks, b->n_acks, sizeof *b->acks, by_root);
	for (size_t i = 0; i < b->n_acks;) {
		size_t len = (size_t)snprintf(buf, sizeof buf, "{\"v\":1,\"ids\":[");
		size_t j = i;
		for (; j < b->n_acks && strcmp(b->acks[j].root, b->acks[i].root) == 0 && len + 64 < sizeof buf; j++)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s\"%s\"", j == i ? "" : ",", b->acks[j].id);
		len += (size_t)snprintf(buf + len, sizeof buf - len, "]}");
		char topic[300];
		snprintf(topic, sizeof topic, "%s/down/ack", b->acks[i].root);
		if (!hand_out(d, topic, buf, len, false))
			tt_warn("out of memory: %zu ack(s) not sent; the kiosk sends again", j - i);
		i = j;
	}
}

/* Store thread: stores a checked batch in one transaction; after the
 * commit, and only then, hands out its acks.  A failed commit
 * acknowledges nothing: the kiosks send again, and the unique id makes
 * the repeat harmless. */
static void store_batch(struct daemon *d, struct batch *b)
{
	int64_t now = clock_now();
	if (store_begin(d->db) != TT_OK) {
		tt_error("%s: cannot start a transaction; %zu message(s) not acknowledged (kiosks resend)", d->cfg->db, b->n);
		return;
	}
	for (size_t i = 0; i < b->n; i++)
		keep(d, b, &b->items[i], now);
	if (store_commit(d->db) != TT_OK) {
		store_rollback(d->db);
		tt_error("%s: commit failed; %zu message(s) not acknowledged (kiosks resend)", d->cfg->db, b->n);
		return;
	}
	d->commits++;
	hand_out_acks(d, b);
}

static bool publish_track(const store_record *r, void *ctx)
{
	struct daemon *d = ctx;
	if (!r->code_hash[0] || !atomic_load(&d->connected))
		return atomic_load(&d->connected); /* nothing to publish, or retry when connected */
	char topic[256], when[16];
	snprintf(topic, sizeof topic, "tramtin/v1/%s/track/%s", r->province[0] ? r->province : "_", r->code_hash);
	int y, mo, da;
	clock_civil(r->updated ? r->updated : r->received, 7 * 60, &y, &mo, &da, NULL, NULL, NULL);
	snprintf(when, sizeof when, "%04d-%02d-%02d", y, mo, da);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", 1);
	cJSON_AddStringToObject(o, "status", store_status_name(r->status));
	cJSON_AddStringToObject(o, "updated", when);
	cJSON_AddBoolToObject(o, "answered", r->answer && r->answer[0]);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	/* Status and date only: the answer's words stay off the broker. */
	bool ok = text && hand_out(d, topic, text, strlen(text), true);
	free(text);
	return ok;
}

static void *store_thread(void *arg)
{
	struct daemon *d = arg;
	pthread_mutex_lock(&d->lock);
	for (;;) {
		while (!d->quit && !d->busy && !d->track_due)
			pthread_cond_wait(&d->cond, &d->lock);
		if (d->quit && !d->busy)
			break;
		bool track = d->track_due;
		d->track_due = false;
		d->busy = true; /* also for the track changes alone: no batch is handed over meanwhile */
		pthread_mutex_unlock(&d->lock);
		if (d->work.n) {
			store_batch(d, &d->work);
			/* the acks go out now; a due checkpoint runs meanwhile, not
			 * inside the commit where the acks would wait for it */
			ssize_t w = write(d->wake[1], "w", 1);
			(void)w;
			store_checkpoint(d->db);
		}
		batch_clear(&d->work);
		if (track)
			store_track_changes(d->db, clock_now(), publish_track, d, 256);
		pthread_mutex_lock(&d->lock);
		d->busy = false;
		pthread_cond_broadcast(&d->cond);
		ssize_t w = write(d->wake[1], "w", 1);
		(void)w; /* a full pipe already means "wake up" */
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* Main thread: hands the open batch to the store thread when it is idle
 * and the batch is due (full, old enough, or we are stopping); asks for
 * the track changes to be published when due. */
static void hand_over(struct daemon *d, bool track, bool force)
{
	uint64_t now = clock_ms();
	pthread_mutex_lock(&d->lock);
	if (!d->busy && d->open.n &&
	    (force || d->open.n >= (size_t)d->cfg->batch_max || now - d->open_since >= (uint64_t)d->cfg->batch_ms)) {
		struct batch t = d->work;
		d->work = d->open;
		d->open = t;
		d->checked = 0;
		d->busy = true;
	}
	if (track)
		d->track_due = true;
	if (d->busy || d->track_due)
		pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/* Main thread: publishes what the store thread handed out. */
static void publish_out(struct daemon *d)
{
	pthread_mutex_lock(&d->lock);
	struct outgoing *out = d->out;
	size_t n = d->n_out;
	d->out = NULL;
	d->n_out = d->cap_out = 0;
	pthread_mutex_unlock(&d->lock);
	/* libmosquitto writes each publish at once: cork the socket so that a
	 * batch's acks leave in a few full segments, not one each. */
	int sock = n > 1 && d->mosq ? mosquitto_socket(d->mosq) : -1, on = 1, off = 0;
	if (sock >= 0)
		setsockopt(sock, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
	for (size_t i = 0; i < n; i++) {
		mosquitto_publish_v5(d->mosq, NULL, out[i].topic, out[i].len, out[i].payload, 1, out[i].retain, NULL);
		free(out[i].topic);
		free(out[i].payload);
	}
	if (sock >= 0)
		setsockopt(sock, IPPROTO_TCP, TCP_CORK, &off, sizeof off); /* sends what is held */
	free(out);
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *p)
{
	struct daemon *d = obj;
	(void)flags;
	(void)p;
	if (rc) {
		tt_error("mqtt %s:%d: connection refused: %s", d->cfg->mqtt_host, d->cfg->mqtt_port, mosquitto_reason_string(rc));
		return;
	}
	char sub[256];
	const char *topic = "tramtin/v1/+/+/+/up/submission";
	if (d->cfg->share_group[0])
		snprintf(sub, sizeof sub, "$share/%s/%s", d->cfg->share_group, topic);
	else
		snprintf(sub, sizeof sub, "%s", topic);
	mosquitto_subscribe_v5(m, NULL, sub, 1, 0, NULL);
	mosquitto_subscribe_v5(m, NULL, "tramtin/v1/+/+/+/status", 1, 0, NULL);
	atomic_store(&d->connected, true);
	tt_info("mqtt %s:%d: connected, subscribed to %s", d->cfg->mqtt_host, d->cfg->mqtt_port, sub);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *p)
{
	struct daemon *d = obj;
	(void)m;
	(void)p;
	atomic_store(&d->connected, false);
	if (rc)
		tt_warn("mqtt %s:%d: connection lost; reconnecting", d->cfg->mqtt_host, d->cfg->mqtt_port);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg, const mosquitto_property *p)
{
	struct daemon *d = obj;
	(void)m;
	(void)p;
	size_t len = strlen(msg->topic);
	/* No cap here: libmosquitto acknowledges a QoS 1 message to the broker
	 * when this callback returns, so a message not kept would wait for the
	 * kiosk's retry timeout.  batch_max says when to commit. */
	if (!batch_grow(&d->open, d->open.n + 1)) {
		tt_warn("out of memory holding %zu messages; the kiosk will send the rest again", d->open.n);
		return;
	}
	struct mosquitto_message *copy = calloc(1, sizeof *copy);
	if (!copy || mosquitto_message_copy(copy, msg) != MOSQ_ERR_SUCCESS) {
		free(copy); /* not acknowledged: the kiosk sends it again */
		return;
	}
	if (d->open.n == 0)
		d->open_since = clock_ms();
	d->open.items[d->open.n++] =
		(struct pending){.msg = copy, .status = len > 7 && strcmp(msg->topic + len - 7, "/status") == 0};
}

/* Main thread: one turn of the MQTT client: waits for the socket or the
 * store thread, at most timeout_ms, then reads all that is there. */
static void mqtt_turn(struct daemon *d, int timeout_ms, uint64_t *next_reconnect)
{
	int sock = mosquitto_socket(d->mosq);
	struct pollfd pfd[2] = {{d->wake[0], POLLIN, 0}, {sock, POLLIN, 0}};
	if (sock >= 0 && mosquitto_want_write(d->mosq))
		pfd[1].events |= POLLOUT;
	poll(pfd, sock >= 0 ? 2 : 1, timeout_ms);
	if (pfd[0].revents & POLLIN) {
		char buf[64];
		while (read(d->wake[0], buf, sizeof buf) > 0)
			;
	}
	int rc = MOSQ_ERR_SUCCESS;
	if (sock >= 0) {
		/* libmosquitto reads about one packet a call: drain the socket */
		for (int i = 0; i < 4096 && rc == MOSQ_ERR_SUCCESS && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)); i++) {
			rc = mosquitto_loop_read(d->mosq, 1);
			struct pollfd again = {sock, POLLIN, 0};
			if (poll(&again, 1, 0) != 1)
				break;
		}
		if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(d->mosq))
			rc = mosquitto_loop_write(d->mosq, 1);
		if (rc == MOSQ_ERR_SUCCESS)
			rc = mosquitto_loop_misc(d->mosq);
	} else {
		rc = MOSQ_ERR_NO_CONN;
	}
	if (rc != MOSQ_ERR_SUCCESS && !stopping) {
		atomic_store(&d->connected, false);
		uint64_t now = clock_ms();
		if (now >= *next_reconnect) {
			*next_reconnect = now + 1000;
			mosquitto_reconnect(d->mosq);
		}
	}
}

int collector_serve(const collector_config *c)
{
	struct daemon d = {.cfg = c, .wake = {-1, -1}};
	char err[512];
	int rc = 1;
	http_server *web = NULL;
	pthread_t store_tid;
	bool store_started = false;
	pthread_mutex_init(&d.lock, NULL);
	pthread_cond_init(&d.cond, NULL);
	if (crypto_init() != TT_OK)
		return 1;
	if (crypto_box_key_load(c->secret_key, &d.box) != TT_OK) {
		tt_error("%s: cannot read the collector's secret key", c->secret_key);
		return 2;
	}
	if (!load_kiosks(&d))
		return 2;
	d.db = store_open_sqlite(c->db, err, sizeof err);
	if (!d.db) {
		tt_error("%s", err);
		goto out;
	}
	store_defer_checkpoints(d.db); /* store_thread checkpoints after the acks */
	if (pipe2(d.wake, O_NONBLOCK | O_CLOEXEC) != 0 || !batch_grow(&d.open, 256) || !batch_grow(&d.work, 256)) {
		tt_error("cannot set up: %s", tt_strerrno(errno));
		goto out;
	}
	int workers = c->workers > 0 ? c->workers : pool_cpus();
	d.pool = pool_new(workers - 1);
	if (c->http_port) {
		http_config hc = {.bind = c->http_bind, .port = c->http_port, .path = c->http_path, .db = c->db,
		                  .rate_per_min = c->rate_per_min, .staff = c->staff_enabled,
		                  .staff_idle_min = c->staff_idle_min, .tls_cert = c->http_tls_cert,
		                  .tls_key = c->http_tls_key};
		web = http_start(&hc, err, sizeof err);
		if (!web) {
			tt_error("%s", err);
			rc = 2;
			goto out;
		}
		bool tls = c->http_tls_cert[0] && c->http_tls_key[0];
		tt_info("follow-up page on %s://%s:%d%s%s", tls ? "https" : "http", c->http_bind, c->http_port,
		        c->http_path, c->staff_enabled ? ", staff pages under /staff/" : "");
	}
	mosquitto_lib_init();
	d.mosq = mosquitto_new(c->client_id, false, &d);
	if (!d.mosq)
		goto out;
	mosquitto_int_option(d.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(d.mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_v5_callback_set(d.mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(d.mosq, on_disconnect);
	mosquitto_message_v5_callback_set(d.mosq, on_message);
	if (c->mqtt_username[0])
		mosquitto_username_pw_set(d.mosq, c->mqtt_username, c->mqtt_password[0] ? c->mqtt_password : NULL);
	if (c->tls_ca[0] && mosquitto_tls_set(d.mosq, c->tls_ca, NULL, c->tls_cert[0] ? c->tls_cert : NULL,
	                                      c->tls_key[0] ? c->tls_key : NULL, NULL) != MOSQ_ERR_SUCCESS) {
		tt_error("mqtt: TLS files %s: cannot be used", c->tls_ca);
		rc = 2;
		goto out;
	}
	if (pthread_create(&store_tid, NULL, store_thread, &d) != 0) {
		tt_error("cannot start the store thread");
		goto out;
	}
	store_started = true;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	mosquitto_property *props = NULL;
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 7 * 24 * 3600);
	bool warned = false;
	while (!stopping && mosquitto_connect_bind_v5(d.mosq, c->mqtt_host, c->mqtt_port, 30, NULL, props) != MOSQ_ERR_SUCCESS) {
		if (!warned)
			tt_warn("mqtt %s:%d: cannot connect yet; retrying", c->mqtt_host, c->mqtt_port);
		warned = true;
		sleep(1);
	}
	mosquitto_property_free_all(&props);
	printf("tramtin-collector: serving\n");
	fflush(stdout);
	notify_ready("serving");
	int dog = notify_watchdog_ms();
	uint64_t next_track = 0, next_reconnect = 0;
	while (!stopping) {
		/* wait for messages; with a batch open, only until it is due */
		int timeout = 50;
		pthread_mutex_lock(&d.lock);
		bool busy = d.busy; /* if so, the store thread wakes us when done */
		pthread_mutex_unlock(&d.lock);
		if (d.open.n && !busy) {
			uint64_t age = clock_ms() - d.open_since;
			timeout = age >= (uint64_t)c->batch_ms ? 1 : (int)((uint64_t)c->batch_ms - age);
		}
		if (dog > 0 && timeout > dog)
			timeout = dog;
		mqtt_turn(&d, timeout, &next_reconnect);
		notify_watchdog();
		check_new(&d);
		uint64_t now = clock_ms();
		bool track = now >= next_track && atomic_load(&d.connected);
		if (track)
			next_track = now + 500;
		hand_over(&d, track, false);
		publish_out(&d);
		if (reload) {
			reload = 0;
			load_kiosks(&d);
		}
	}
	notify_stopping();
	/* Store what came, acknowledge it, then leave.  No new track work may
	 * start, or the store thread could be busy with it when the last batch
	 * is handed over. */
	pthread_mutex_lock(&d.lock);
	d.track_due = false;
	while (d.busy)
		pthread_cond_wait(&d.cond, &d.lock);
	pthread_mutex_unlock(&d.lock);
	check_new(&d);
	hand_over(&d, false, true);
	pthread_mutex_lock(&d.lock);
	d.quit = true;
	pthread_cond_broadcast(&d.cond);
	pthread_mutex_unlock(&d.lock);
	pthread_join(store_tid, NULL);
	store_started = false;
	publish_out(&d);
	mosquitto_loop_write(d.mosq, 1);
	tt_info("stopping: %lu stored, %lu duplicates, %lu quarantined, in %lu commits", d.stored, d.duplicates,
	        d.quarantined, d.commits);
	rc = 0;
out:
	if (store_started) {
		pthread_mutex_lock(&d.lock);
		d.quit = true;
		pthread_cond_broadcast(&d.cond);
		pthread_mutex_unlock(&d.lock);
		pthread_join(store_tid, NULL);
	}
	http_stop(web);
	if (d.mosq) {
		mosquitto_disconnect(d.mosq);
		mosquitto_destroy(d.mosq);
	}
	store_close(d.db);
	pool_free(d.pool);
	batch_free(&d.open);
	batch_free(&d.work);
	publish_out(&d); /* frees what is left unsent (mosq is gone: publish fails) */
	registry_free(&d.kiosks);
	if (d.wake[0] >= 0) {
		close(d.wake[0]);
		close(d.wake[1]);
	}
	pthread_cond_destroy(&d.cond);
	pthread_mutex_destroy(&d.lock);
	crypto_wipe(&d.box, sizeof d.box);
	return rc;
}
