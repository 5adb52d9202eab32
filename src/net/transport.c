/* transport.c - MQTT v5 delivery of the outbox, in a thread of its own.
 *
 * The loop polls the MQTT socket and a wake pipe (so a new submission
 * goes out at once, not at the next timer), then: takes due rows from the
 * outbox (at most max_inflight published and not yet PUBACKed, at most
 * UNACKED_MAX waiting for the collector's ack), publishes them QoS 1, and
 * handles the collector's acks, which erase rows.  A
 * broker PUBACK proves nothing durable (ARCHITECTURE.md), so only the
 * collector's ack counts; rows published but not acknowledged are sent
 * again after retry_ms, at start-up and after every reconnect.  The
 * session is persistent (clean_start false, a session-expiry interval), so
 * acks sent while we were away are delivered when we come back.  This is
 * the only file that includes mosquitto.h. */
#define _GNU_SOURCE
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "tramtin/clock.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/outbox.h"
#include "tramtin/transport.h"
#include "content_sync.h"
#include "staff.h"

#define TAKE_BATCH 64
/* Rows sent and waiting for the collector's ack: far more than a drain on
 * loopback keeps in flight, and what a kiosk resends every retry_ms while
 * the collector is away, instead of its whole queue. */
#define UNACKED_MAX 1000

struct transport {
	/* copied config */
	char *host, *username, *password, *tls_ca, *tls_cert, *tls_key, *client_id, *root, *outbox_path, *version,
		*state_dir;
	int port, max_inflight, retry_ms, session_expiry_s, status_interval_s;
	size_t outbox_max;
	int64_t boot;
	void (*on_change)(void *ctx);
	void *ctx;

	pthread_t thread;
	bool started;
	atomic_bool stop;
	atomic_bool sync_now;    /* asked: status, manifests, waiting submissions again */
	int wake[2];

	/* network thread only */
	struct mosquitto *mosq;
	content_sync *cs;       /* NULL: no content sync */
	staff *staff;           /* announcements, surveys, commands (under lock) */
	uint64_t content_gen, content_errors; /* last reported in the status */
	outbox *ob;
	bool connected;
	bool refused_said;      /* a refused publish was logged on this connection */
	int inflight;
	uint64_t next_connect_ms, backoff_ms, next_status_ms;
	char topic_up[256], topic_ack[256], topic_status[256];

	/* shared, under lock */
	pthread_mutex_t lock;
	transport_stats stats;
	/* one tracking-code lookup at a time (the kiosk's Track screen) */
	char track_want[300];      /* topic asked for by the UI */
	char track_subscribed[300]; /* topic subscribed (network thread) */
	char track_status[32], track_updated[32];
	int track_state;           /* 0 waiting, 1 found, -1 none retained */
	uint64_t track_asked_ms;
	char display[32];          /* "on", "off by schedule", ... */
	bool display_changed;
};

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void set_error(transport *t, const char *msg)
{
	pthread_mutex_lock(&t->lock);
	snprintf(t->stats.last_error, sizeof t->stats.last_error, "%s", msg);
	pthread_mutex_unlock(&t->lock);
}

static void changed(transport *t)
{
	if (t->on_change)
		t->on_change(t->ctx);
}

static void publish_status(transport *t, bool force)
{
	uint64_t now = clock_ms();
	if (!t->connected || (!force && now < t->next_status_ms))
		return;
	t->next_status_ms = now + (uint64_t)t->status_interval_s * 1000u;
	size_t pending = 0;
	int64_t oldest = 0;
	outbox_stats(t->ob, &pending, &oldest);
	struct statvfs vfs;
	long free_mb = statvfs(t->state_dir ? t->state_dir : ".", &vfs) == 0
		               ? (long)((unsigned long long)vfs.f_bavail * vfs.f_frsize / (1024 * 1024))
		               : -1;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "state", "online");
	cJSON_AddNumberToObject(o, "boot", (double)t->boot);
	cJSON_AddStringToObject(o, "version", t->version ? t->version : "");
	content_sync_status(t->cs, o);
	cJSON *ob = cJSON_AddObjectToObject(o, "outbox");
	cJSON_AddNumberToObject(ob, "pending", (double)pending);
	cJSON_AddNumberToObject(ob, "oldest_s", (double)oldest);
	cJSON_AddNumberToObject(o, "disk_free_mb", (double)free_mb);
	pthread_mutex_lock(&t->lock);
	cJSON_AddStringToObject(o, "display", t->display[0] ? t->display : "on");
	t->display_changed = false;
	pthread_mutex_unlock(&t->lock);
	const char *clock_source;
	cJSON_AddBoolToObject(o, "clock_synced", clock_synced(&clock_source));
	cJSON_AddStringToObject(o, "clock", clock_source);
	const char *cerr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "content_error"));
	pthread_mutex_lock(&t->lock);
	snprintf(t->stats.content_error, sizeof t->stats.content_error, "%s", cerr ? cerr : "");
	if (t->stats.last_error[0])
		cJSON_AddStringToObject(o, "error", t->stats.last_error);
	else
		cJSON_AddNullToObject(o, "error");
	t->stats.pending = pending;
	t->stats.oldest_s = oldest;
	pthread_mutex_unlock(&t->lock);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text)
		mosquitto_publish_v5(t->mosq, NULL, t->topic_status, (int)strlen(text), text, 1, true, NULL);
	free(text);
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *props)
{
	transport *t = obj;
	(void)flags;
	(void)props;
	if (rc != 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "broker refused the connection: %s", mosquitto_reason_string(rc));
		/* e.g. bad credentials: keep retrying, but slowly */
		t->backoff_ms = 60000;
		t->next_connect_ms = clock_ms() + t->backoff_ms;
		tt_warn("mqtt %s:%d: %s", t->host, t->port, msg);
		set_error(t, msg);
		return;
	}
	t->connected = true;
	t->refused_said = false;
	t->inflight = 0;
	t->backoff_ms = 0;
	mosquitto_subscribe_v5(m, NULL, t->topic_ack, 1, 0, NULL);
	content_sync_connected(t->cs, m);
	staff_connected(t->staff, m);
	/* Whatever was in flight may be lost with the old connection. */
	outbox_reset_sent(t->ob);
	pthread_mutex_lock(&t->lock);
	t->stats.connected = true;
	t->stats.last_error[0] = '\0';
	pthread_mutex_unlock(&t->lock);
	tt_info("mqtt %s:%d: connected", t->host, t->port);
	publish_status(t, true);
	changed(t);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *props)
{
	transport *t = obj;
	(void)m;
	(void)props;
	t->connected = false;
	t->inflight = 0;
	pthread_mutex_lock(&t->lock);
	t->stats.connected = false;
	pthread_mutex_unlock(&t->lock);
	if (rc != 0)
		tt_warn("mqtt %s:%d: connection lost: %s", t->host, t->port, mosquitto_strerror(rc));
	changed(t);
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int reason, const mosquitto_property *props)
{
	transport *t = obj;
	(void)m;
	(void)mid;
	(void)props;
	if (t->inflight > 0)
		t->inflight--;
	/* The broker's ACL dropped it (MQTT 5 tells us; 3.1.1 would not): the
	 * kiosk looks connected but delivers nothing, so say why. */
	if (reason >= 0x80) {
		char msg[160];
		snprintf(msg, sizeof msg,
		         "broker refused a publish: %s (is [mqtt] username this kiosk's id? The ACL allows only that)",
		         mosquitto_reason_string(reason));
		if (!t->refused_said)
			tt_warn("mqtt %s:%d: %s", t->host, t->port, msg);
		t->refused_said = true;
		set_error(t, msg);
	}
}

/* A bundle installed or a content failure: say so in the status now, and
 * wake the UI for a new bundle. */
static void content_news(transport *t)
{
	uint64_t gen = content_sync_generation(t->cs), errors = content_sync_errors(t->cs);
	if (gen == t->content_gen && errors == t->content_errors)
		return;
	bool installed = gen != t->content_gen;
	t->content_gen = gen;
	t->content_errors = errors;
	pthread_mutex_lock(&t->lock);
	t->stats.content_failures = errors; /* also while offline (the text waits for a status) */
	pthread_mutex_unlock(&t->lock);
	publish_status(t, true);
	if (installed)
		changed(t);
}

static void on_track(transport *t, const struct mosquitto_message *msg)
{
	cJSON *j = msg->payloadlen > 0 && msg->payloadlen < 4096 ? cJSON_ParseWithLength(msg->payload, (size_t)msg->payloadlen)
	                                                         : NULL;
	const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "status"));
	const char *up = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "updated"));
	pthread_mutex_lock(&t->lock);
	if (strcmp(msg->topic, t->track_want) == 0 && st) {
		snprintf(t->track_status, sizeof t->track_status, "%s", st);
		snprintf(t->track_updated, sizeof t->track_updated, "%s", up ? up : "");
		t->track_state = 1;
	}
	pthread_mutex_unlock(&t->lock);
	cJSON_Delete(j);
	changed(t);
}

struct acked {
	outbox *ob;
	unsigned n;
};

static void ack_some(void *ctx, const char *const *ids, size_t n)
{
	struct acked *a = ctx;
	if (outbox_ack_many(a->ob, ids, n) == TT_OK)
		a->n += (unsigned)n;
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg, const mosquitto_property *props)
{
	transport *t = obj;
	(void)m;
	(void)props;
	if (content_sync_message(t->cs, m, msg, clock_ms())) {
		content_news(t);
		return;
	}
	bool sync = false;
	if (staff_message(t->staff, msg, clock_now(), &sync)) {
		if (sync) /* "sync now", as from the admin screen (done in the loop) */
			atomic_store(&t->sync_now, true);
		changed(t);
		return;
	}
	if (strstr(msg->topic, "/track/")) {
		on_track(t, msg);
		return;
	}
	if (strcmp(msg->topic, t->topic_ack) != 0 || msg->payloadlen <= 0 || msg->payloadlen > 1 << 20)
		return;
	struct acked a = {t->ob, 0};
	if (envelope_ack_parse(msg->payload, (size_t)msg->payloadlen, ack_some, &a) != TT_OK) {
		tt_warn("mqtt %s: ack is not {\"v\":1,\"ids\":[...]}; ignored", msg->topic);
		return;
	}
	unsigned n = a.n;
	pthread_mutex_lock(&t->lock);
	t->stats.acked += n;
	pthread_mutex_unlock(&t->lock);
	if (n)
		changed(t);
}

static void send_due(transport *t)
{
	outbox_item items[TAKE_BATCH];
	/* Refill the window when half of it is free, not one by one: each
	 * take is a commit, and a commit per message would cap the rate. */
	if (t->inflight > t->max_inflight / 2)
		return;
	while (t->connected && t->inflight < t->max_inflight) {
		size_t want = (size_t)(t->max_inflight - t->inflight);
		if (want > TAKE_BATCH)
			want = TAKE_BATCH;
		size_t n = outbox_take(t->ob, clock_ms(), (uint64_t)t->retry_ms, items, want);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			int rc = mosquitto_publish_v5(t->mosq, NULL, t->topic_up, (int)strlen(items[i].envelope),
			                              items[i].envelope, 1, false, NULL);
			if (rc == MOSQ_ERR_SUCCESS) {
				t->inflight++;
				pthread_mutex_lock(&t->lock);
				t->stats.published++;
				pthread_mutex_unlock(&t->lock);
			}
			outbox_item_free(&items[i]);
		}
	}
}

static void try_connect(transport *t)
{
	uint64_t now = clock_ms();
	if (t->connected || now < t->next_connect_ms)
		return;
	mosquitto_property *props = NULL;
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, (uint32_t)t->session_expiry_s);
	int rc = mosquitto_connect_bind_v5(t->mosq, t->host, t->port, 30, NULL, props);
	mosquitto_property_free_all(&props);
	if (rc == MOSQ_ERR_SUCCESS) {
		pthread_mutex_lock(&t->lock);
		t->stats.reconnects++;
		pthread_mutex_unlock(&t->lock);
		/* on_connect says whether the broker accepted us */
		t->backoff_ms = t->backoff_ms ? t->backoff_ms : 500;
		t->next_connect_ms = now + t->backoff_ms;
		return;
	}
	char msg[160];
	snprintf(msg, sizeof msg, "cannot connect to %s:%d: %s", t->host, t->port,
	         rc == MOSQ_ERR_ERRNO ? tt_strerrno(errno) : mosquitto_strerror(rc));
	if (t->backoff_ms == 0)
		tt_warn("mqtt: %s (retrying with backoff)", msg);
	set_error(t, msg);
	/* exponential backoff with jitter, 0.5 s to 60 s */
	t->backoff_ms = t->backoff_ms ? t->backoff_ms * 2 : 500;
	if (t->backoff_ms > 60000)
		t->backoff_ms = 60000;
	t->next_connect_ms = now + t->backoff_ms / 2 + (uint64_t)(rand() % (int)(t->backoff_ms / 2 + 1));
}

/* Follows the UI's lookup: one track topic subscribed at a time. */
static void track_subscribe(transport *t)
{
	char want[300];
	pthread_mutex_lock(&t->lock);
	snprintf(want, sizeof want, "%s", t->track_want);
	bool expired = t->track_state == 0 && want[0] && clock_ms() - t->track_asked_ms > 3000;
	if (expired)
		t->track_state = -1; /* nothing retained for this code */
	pthread_mutex_unlock(&t->lock);
	if (expired)
		changed(t);
	if (!t->connected || strcmp(want, t->track_subscribed) == 0)
		return;
	if (t->track_subscribed[0])
		mosquitto_unsubscribe_v5(t->mosq, NULL, t->track_subscribed, NULL);
	if (want[0])
		mosquitto_subscribe_v5(t->mosq, NULL, want, 1, 0, NULL);
	snprintf(t->track_subscribed, sizeof t->track_subscribed, "%s", want);
}

void transport_track(transport *t, const char *province, const char *hash)
{
	if (!t || !province || !hash)
		return;
	pthread_mutex_lock(&t->lock);
	snprintf(t->track_want, sizeof t->track_want, "tramtin/v1/%s/track/%s", province, hash);
	t->track_state = 0;
	t->track_asked_ms = clock_ms();
	t->track_subscribed[0] = '\0'; /* subscribe again: the retained message comes anew */
	pthread_mutex_unlock(&t->lock);
	transport_wake(t);
}

int transport_track_result(transport *t, const char *hash, char *status, size_t slen, char *updated, size_t ulen)
{
	if (!t)
		return -2;
	pthread_mutex_lock(&t->lock);
	int state = t->track_state;
	bool mine = hash && strstr(t->track_want, hash) != NULL;
	bool connected = t->stats.connected;
	if (state == 1 && mine) {
		snprintf(status, slen, "%s", t->track_status);
		snprintf(updated, ulen, "%s", t->track_updated);
	}
	pthread_mutex_unlock(&t->lock);
	if (!mine)
		return 0;
	if (!connected && state != 1)
		return -2;
	return state;
}

static void *run(void *arg)
{
	transport *t = arg;
	outbox_reset_sent(t->ob);
	while (!atomic_load(&t->stop)) {
		try_connect(t);
		int sock = mosquitto_socket(t->mosq);
		struct pollfd pfd[2] = {{t->wake[0], POLLIN, 0}, {sock, POLLIN, 0}};
		if (sock >= 0 && mosquitto_want_write(t->mosq))
			pfd[1].events |= POLLOUT;
		int timeout = 100;
		poll(pfd, sock >= 0 ? 2 : 1, timeout);
		if (pfd[0].revents & POLLIN) {
			char buf[64];
			while (read(t->wake[0], buf, sizeof buf) > 0)
				;
		}
		if (sock >= 0) {
			int rc = MOSQ_ERR_SUCCESS;
			if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
				rc = mosquitto_loop_read(t->mosq, 1);
			if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(t->mosq))
				rc = mosquitto_loop_write(t->mosq, 1);
			if (rc == MOSQ_ERR_SUCCESS)
				rc = mosquitto_loop_misc(t->mosq);
			if (rc != MOSQ_ERR_SUCCESS && t->connected) {
				t->connected = false;
				pthread_mutex_lock(&t->lock);
				t->stats.connected = false;
				pthread_mutex_unlock(&t->lock);
				changed(t);
			}
			if (rc != MOSQ_ERR_SUCCESS && t->next_connect_ms < clock_ms() + 500)
				t->next_connect_ms = clock_ms() + 500;
		}
		send_due(t);
		track_subscribe(t);
		content_sync_tick(t->cs, clock_ms());
		content_news(t);
		pthread_mutex_lock(&t->lock);
		bool display = t->display_changed;
		pthread_mutex_unlock(&t->lock);
		if (display)
			publish_status(t, true);
		if (atomic_exchange(&t->sync_now, false) && t->connected) {
			outbox_reset_sent(t->ob); /* everything waiting goes out again now */
			publish_status(t, true);
			content_sync_connected(t->cs, t->mosq);
		}
		if (t->connected && mosquitto_want_write(t->mosq))
			mosquitto_loop_write(t->mosq, 1);
		publish_status(t, false);
	}
	if (t->connected) {
		/* a clean stop is not a lost kiosk: say so, then leave */
		mosquitto_disconnect_v5(t->mosq, MQTT_RC_NORMAL_DISCONNECTION, NULL);
	}
	return NULL;
}

bool transport_announcement(transport *t, int64_t now, tt_lang lang, char *out, size_t outlen)
{
	if (!t)
		return false;
	return staff_announcement(t->staff, now, lang, out, outlen);
}

bool transport_survey(transport *t, int64_t now, tt_lang lang, char *id, size_t idlen, char *question, size_t qlen,
                      char answers[SIGNED_MAX_ANSWERS][400], int *n_answers)
{
	if (!t)
		return false;
	return staff_survey(t->staff, now, lang, id, idlen, question, qlen, answers, n_answers);
}

void transport_set_display(transport *t, const char *state)
{
	if (!t || !state)
		return;
	pthread_mutex_lock(&t->lock);
	if (strcmp(t->display, state) != 0) {
		snprintf(t->display, sizeof t->display, "%s", state);
		t->display_changed = true;
	}
	pthread_mutex_unlock(&t->lock);
	transport_wake(t);
}

int transport_take_command(transport *t)
{
	if (!t)
		return CMD_NONE;
	return (int)staff_take_command(t->staff);
}

uint64_t transport_content_generation(transport *t)
{
	return t ? content_sync_generation(t->cs) : 0;
}

void transport_wake(transport *t)
{
	if (t && t->wake[1] >= 0) {
		ssize_t w = write(t->wake[1], "w", 1);
		(void)w; /* a full pipe already means "wake up" */
	}
}

transport *transport_start(const transport_config *c, char *err, size_t errlen)
{
	static atomic_bool lib_init;
	if (!c || !c->host || !*c->host || !c->client_id || !c->root || !c->outbox_path) {
		snprintf(err, errlen, "mqtt: no broker host configured");
		return NULL;
	}
	if (!atomic_exchange(&lib_init, true))
		mosquitto_lib_init();
	transport *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->wake[0] = t->wake[1] = -1;
	pthread_mutex_init(&t->lock, NULL);
	t->host = strdup(c->host);
	t->username = dup_or_null(c->username);
	t->password = dup_or_null(c->password);
	t->tls_ca = dup_or_null(c->tls_ca);
	t->tls_cert = dup_or_null(c->tls_cert);
	t->tls_key = dup_or_null(c->tls_key);
	t->client_id = strdup(c->client_id);
	t->root = strdup(c->root);
	t->outbox_path = strdup(c->outbox_path);
	t->version = dup_or_null(c->version);
	t->state_dir = dup_or_null(c->state_dir);
	t->port = c->port ? c->port : 1883;
	t->max_inflight = c->max_inflight > 0 ? c->max_inflight : 20;
	t->retry_ms = c->retry_ms > 0 ? c->retry_ms : 30000;
	t->session_expiry_s = c->session_expiry_s > 0 ? c->session_expiry_s : 7 * 24 * 3600;
	t->status_interval_s = c->status_interval_s > 0 ? c->status_interval_s : 60;
	t->outbox_max = c->outbox_max;
	t->boot = c->boot;
	t->on_change = c->on_change;
	t->ctx = c->ctx;
	snprintf(t->topic_up, sizeof t->topic_up, "%s/up/submission", c->root);
	snprintf(t->topic_ack, sizeof t->topic_ack, "%s/down/ack", c->root);
	snprintf(t->topic_status, sizeof t->topic_status, "%s/status", c->root);
	if (!t->host || !t->client_id || !t->root || !t->outbox_path || pipe2(t->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		snprintf(err, errlen, "out of resources starting the network thread");
		goto fail;
	}
	t->ob = outbox_open(t->outbox_path, t->outbox_max, err, errlen);
	if (!t->ob)
		goto fail;
	/* this connection only marks and erases: a lost commit means a resend */
	outbox_relax(t->ob);
	outbox_set_unacked_max(t->ob, UNACKED_MAX);
	if (c->content_root) {
		const char *chans[2];
		size_t n = 0;
		for (size_t i = 0; i < 2; i++)
			if (c->content_channels[i] && *c->content_channels[i])
				chans[n++] = c->content_channels[i];
		t->cs = content_sync_new(c->content_root, chans, n, c->content_trust);
	}
	{
		char seen[1200];
		snprintf(seen, sizeof seen, "%s/commands-seen", c->state_dir ? c->state_dir : ".");
		t->staff = staff_new(c->root, c->content_channels[0], c->content_channels[1], c->client_id,
		                     c->content_trust, seen);
	}
	/* clean_start false: the broker keeps our session (and acks) while away */
	t->mosq = mosquitto_new(t->client_id, false, t);
	if (!t->mosq) {
		snprintf(err, errlen, "mqtt: cannot create a client for id '%s'", t->client_id);
		goto fail;
	}
	mosquitto_int_option(t->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(t->mosq, MOSQ_OPT_TCP_NODELAY, 1); /* no 40 ms stall per message */
	mosquitto_connect_v5_callback_set(t->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(t->mosq, on_disconnect);
	mosquitto_publish_v5_callback_set(t->mosq, on_publish);
	mosquitto_message_v5_callback_set(t->mosq, on_message);
	if (t->username && mosquitto_username_pw_set(t->mosq, t->username, t->password) != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "mqtt: bad username or password setting");
		goto fail;
	}
	if (t->tls_ca) {
		int rc = mosquitto_tls_set(t->mosq, t->tls_ca, NULL, t->tls_cert, t->tls_key, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "mqtt: TLS files %s / %s: %s", t->tls_ca, t->tls_cert ? t->tls_cert : "-",
			         mosquitto_strerror(rc));
			goto fail;
		}
	}
	char will[96];
	snprintf(will, sizeof will, "{\"state\":\"lost\",\"boot\":%lld}", (long long)t->boot);
	mosquitto_will_set_v5(t->mosq, t->topic_status, (int)strlen(will), will, 1, true, NULL);
	if (pthread_create(&t->thread, NULL, run, t) != 0) {
		snprintf(err, errlen, "cannot start the network thread");
		goto fail;
	}
	t->started = true;
	return t;
fail:
	transport_stop(t);
	return NULL;
}

void transport_stop(transport *t)
{
	if (!t)
		return;
	if (t->started) {
		atomic_store(&t->stop, true);
		transport_wake(t);
		pthread_join(t->thread, NULL);
	}
	if (t->mosq)
		mosquitto_destroy(t->mosq);
	content_sync_free(t->cs);
	staff_free(t->staff);
	outbox_close(t->ob);
	if (t->wake[0] >= 0)
		close(t->wake[0]);
	if (t->wake[1] >= 0)
		close(t->wake[1]);
	free(t->host);
	free(t->username);
	if (t->password)
		explicit_bzero(t->password, strlen(t->password));
	free(t->password);
	free(t->tls_ca);
	free(t->tls_cert);
	free(t->tls_key);
	free(t->client_id);
	free(t->root);
	free(t->outbox_path);
	free(t->version);
	free(t->state_dir);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void transport_sync_now(transport *t)
{
	if (!t)
		return;
	atomic_store(&t->sync_now, true);
	transport_wake(t);
}

void transport_get_stats(transport *t, transport_stats *s)
{
	pthread_mutex_lock(&t->lock);
	*s = t->stats;
	pthread_mutex_unlock(&t->lock);
}
