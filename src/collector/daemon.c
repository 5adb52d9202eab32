/* daemon.c - tramtin-collector serve: store every submission once, then
 * acknowledge it.
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
#include <cJSON.h>
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "http.h"
#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/store.h"
#include "tramtin/text.h"

#define MAX_KIOSKS 100000

struct kiosk_key {
	char id[128];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
};

struct pending {
	struct mosquitto_message *msg;
};

struct ack {
	char root[256];
	char id[ENVELOPE_ID_LEN + 1];
};

static volatile sig_atomic_t stopping, reload;

struct daemon {
	const collector_config *cfg;
	tt_box_key box;
	struct kiosk_key *kiosks;
	size_t n_kiosks;
	store *db;
	struct mosquitto *mosq;
	bool connected;
	struct pending *batch;
	size_t n_batch;
	uint64_t batch_started;
	struct ack *acks;
	size_t n_acks;
	unsigned long stored, duplicates, quarantined;
};

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stopping = 1;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct kiosk_key *)a)->id, ((const struct kiosk_key *)b)->id);
}

/* Reads the kiosk registry; keeps the old one if the file is bad. */
static bool load_kiosks(struct daemon *d)
{
	FILE *f = fopen(d->cfg->kiosks, "r");
	if (!f) {
		tt_error("%s: cannot open the kiosk registry: %s", d->cfg->kiosks, tt_strerrno(errno));
		return false;
	}
	struct kiosk_key *list = NULL;
	size_t n = 0, cap = 0;
	char line[512];
	int lineno = 0;
	bool ok = true;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char id[128], b64[256];
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (sscanf(p, "%127s %255s", id, b64) != 2) {
			tt_error("%s:%d: expected 'kiosk_id public_key'", d->cfg->kiosks, lineno);
			ok = false;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct kiosk_key *nl = realloc(list, cap * sizeof *nl);
			if (!nl || cap > MAX_KIOSKS) {
				free(nl ? nl : list);
				list = NULL;
				ok = false;
				break;
			}
			list = nl;
		}
		snprintf(list[n].id, sizeof list[n].id, "%s", id);
		if (b64_decode(b64, list[n].pk, sizeof list[n].pk, sizeof list[n].pk, NULL) != TT_OK) {
			tt_error("%s:%d: kiosk '%s': not the base64 of an Ed25519 public key", d->cfg->kiosks, lineno, id);
			ok = false;
			break;
		}
		n++;
	}
	fclose(f);
	if (!ok) {
		free(list);
		return false;
	}
	qsort(list, n, sizeof *list, by_id);
	free(d->kiosks);
	d->kiosks = list;
	d->n_kiosks = n;
	tt_info("%s: %zu kiosk(s) registered", d->cfg->kiosks, n);
	return true;
}

static const unsigned char *kiosk_key(const struct daemon *d, const char *id)
{
	struct kiosk_key k;
	snprintf(k.id, sizeof k.id, "%s", id);
	const struct kiosk_key *hit = bsearch(&k, d->kiosks, d->n_kiosks, sizeof k, by_id);
	return hit ? hit->pk : NULL;
}

static void queue_ack(struct daemon *d, const char *root, const char *id)
{
	if (d->n_acks >= (size_t)d->cfg->batch_max)
		return;
	snprintf(d->acks[d->n_acks].root, sizeof d->acks[0].root, "%s", root);
	snprintf(d->acks[d->n_acks].id, sizeof d->acks[0].id, "%s", id);
	d->n_acks++;
}

static bool get_str(const cJSON *o, const char *k, char *out, size_t len, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v || cJSON_IsNull(v)) {
		out[0] = '\0';
		return !required;
	}
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= len)
		return false;
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	return true;
}

/* Fills r from the inner JSON; on a fault writes why and returns false. */
static bool parse_inner(const char *inner, store_record *r, char *why, size_t whylen)
{
	cJSON *j = cJSON_Parse(inner);
	bool ok = false;
	char kind[16], created[40], code[64];
	if (!j || !cJSON_IsObject(j)) {
		snprintf(why, whylen, "inner payload is not a JSON object");
		goto out;
	}
	sub_kind k;
	if (!get_str(j, "kind", kind, sizeof kind, true) || !sub_kind_parse(kind, &k)) {
		snprintf(why, whylen, "inner payload: bad kind");
		goto out;
	}
	snprintf(r->kind, sizeof r->kind, "%s", kind);
	if (!get_str(j, "created", created, sizeof created, true) || !clock_parse(created, 0, &r->created)) {
		snprintf(why, whylen, "inner payload: bad created time");
		goto out;
	}
	if (!get_str(j, "category", r->category, sizeof r->category, false) ||
	    !get_str(j, "ref", r->ref, sizeof r->ref, false) || !get_str(j, "lang", r->lang, sizeof r->lang, false)) {
		snprintf(why, whylen, "inner payload: bad category, ref or lang");
		goto out;
	}
	const cJSON *rating = cJSON_GetObjectItemCaseSensitive(j, "rating");
	if (rating && (!cJSON_IsNumber(rating) || rating->valueint < 0 || rating->valueint > 5)) {
		snprintf(why, whylen, "inner payload: rating must be 1 to 5");
		goto out;
	}
	r->rating = rating ? rating->valueint : 0;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
	if (!cJSON_IsString(text) || strlen(text->valuestring) > ENVELOPE_MAX_TEXT ||
	    !text_valid(text->valuestring, strlen(text->valuestring))) {
		snprintf(why, whylen, "inner payload: text missing, too long or not UTF-8");
		goto out;
	}
	r->text = text_nfc(text->valuestring, strlen(text->valuestring));
	const cJSON *contact = cJSON_GetObjectItemCaseSensitive(j, "contact");
	if (cJSON_IsObject(contact)) {
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(contact, "name"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(contact, "phone"));
		r->contact_name = n && *n && text_valid(n, strlen(n)) ? strdup(n) : NULL;
		r->contact_phone = p && *p && text_valid(p, strlen(p)) ? strdup(p) : NULL;
	}
	if (get_str(j, "code", code, sizeof code, false) && code[0] && !code_hash(code, r->code_hash)) {
		snprintf(why, whylen, "inner payload: bad tracking code");
		goto out;
	}
	ok = r->text != NULL;
	if (!ok)
		snprintf(why, whylen, "out of memory");
out:
	cJSON_Delete(j);
	return ok;
}

/* Checks one message and adds it to the open transaction (store or
 * quarantine); queues its ack. */
static void handle(struct daemon *d, const struct mosquitto_message *m, int64_t now)
{
	char **parts = NULL, why[200] = "", root[256] = "";
	int n = 0;
	tt_envelope env = {0};
	char *inner = NULL;
	store_record r = {0};
	bool env_ok = false;
	if (mosquitto_sub_topic_tokenise(m->topic, &parts, &n) != MOSQ_ERR_SUCCESS || n != 7) {
		snprintf(why, sizeof why, "unexpected topic");
		goto quarantine;
	}
	snprintf(root, sizeof root, "%s/%s/%s/%s/%s", parts[0], parts[1], parts[2], parts[3], parts[4]);
	if (m->payloadlen <= 0 || m->payloadlen > ENVELOPE_MAX_BYTES) {
		snprintf(why, sizeof why, "envelope too large or empty (%d bytes)", m->payloadlen);
		goto quarantine;
	}
	if (envelope_parse(m->payload, (size_t)m->payloadlen, &env, why, sizeof why) != TT_OK)
		goto quarantine;
	env_ok = true;
	if (strcmp(env.kiosk, parts[4]) != 0) {
		snprintf(why, sizeof why, "kiosk in the topic (%.60s) is not the envelope's (%.60s)", parts[4], env.kiosk);
		goto quarantine;
	}
	const unsigned char *pk = kiosk_key(d, env.kiosk);
	if (!pk) {
		snprintf(why, sizeof why, "kiosk %.100s is not registered", env.kiosk);
		goto quarantine;
	}
	if (envelope_verify(&env, pk) != TT_OK) {
		snprintf(why, sizeof why, "bad signature");
		goto quarantine;
	}
	if (envelope_open(&env, &d->box, &inner) != TT_OK) {
		snprintf(why, sizeof why, "the seal does not open with this collector's key");
		goto quarantine;
	}
	if (!parse_inner(inner, &r, why, sizeof why))
		goto quarantine;
	snprintf(r.id, sizeof r.id, "%s", env.id);
	snprintf(r.kiosk, sizeof r.kiosk, "%s", env.kiosk);
	snprintf(r.province, sizeof r.province, "%s", parts[2]);
	snprintf(r.commune, sizeof r.commune, "%s", parts[3]);
	r.received = now;
	r.status = ST_RECEIVED;
	bool inserted = false;
	if (store_add(d->db, &r, &inserted) != TT_OK)
		goto out; /* the batch's commit decides; no ack for this one */
	if (inserted)
		d->stored++;
	else
		d->duplicates++;
	queue_ack(d, root, env.id);
	goto out;
quarantine:
	/* Keep what came, say why, and stop the kiosk re-sending it. */
	tt_warn("quarantined a message on %s: %s", m->topic, why);
	if (store_quarantine(d->db, m->topic, env_ok ? env.kiosk : (n == 7 ? parts[4] : ""), why, m->payload,
	                     m->payloadlen > 0 ? (size_t)m->payloadlen : 0, now) == TT_OK) {
		d->quarantined++;
		if (env_ok && root[0])
			queue_ack(d, root, env.id);
	}
out:
	if (inner) {
		crypto_wipe(inner, strlen(inner));
		free(inner);
	}
	if (r.text)
		crypto_wipe(r.text, strlen(r.text));
	store_record_clear(&r);
	envelope_free(&env);
	if (parts)
		mosquitto_sub_topic_tokens_free(&parts, n);
}

static void publish_acks(struct daemon *d)
{
	static char buf[1 << 20];
	for (size_t i = 0; i < d->n_acks; i++) {
		if (!d->acks[i].root[0])
			continue;
		size_t len = (size_t)snprintf(buf, sizeof buf, "{\"v\":1,\"ids\":[");
		for (size_t j = i; j < d->n_acks; j++) {
			if (strcmp(d->acks[j].root, d->acks[i].root) != 0 || len + 64 > sizeof buf)
				continue;
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s\"%s\"", j == i ? "" : ",", d->acks[j].id);
			if (j != i)
				d->acks[j].root[0] = '\0';
		}
		len += (size_t)snprintf(buf + len, sizeof buf - len, "]}");
		char topic[300];
		snprintf(topic, sizeof topic, "%s/down/ack", d->acks[i].root);
		mosquitto_publish_v5(d->mosq, NULL, topic, (int)len, buf, 1, false, NULL);
		d->acks[i].root[0] = '\0';
	}
	d->n_acks = 0;
}

static void flush(struct daemon *d)
{
	if (!d->n_batch)
		return;
	int64_t now = clock_now();
	d->n_acks = 0;
	if (store_begin(d->db) != TT_OK) {
		tt_error("%s: cannot start a transaction; %zu message(s) not acknowledged (kiosks resend)", d->cfg->db,
		         d->n_batch);
		goto drop;
	}
	for (size_t i = 0; i < d->n_batch; i++)
		handle(d, d->batch[i].msg, now);
	if (store_commit(d->db) != TT_OK) {
		store_rollback(d->db);
		tt_error("%s: commit failed; %zu message(s) not acknowledged (kiosks resend)", d->cfg->db, d->n_batch);
		d->n_acks = 0;
		goto drop;
	}
	/* durable: now, and only now, acknowledge */
	publish_acks(d);
drop:
	for (size_t i = 0; i < d->n_batch; i++)
		mosquitto_message_free(&d->batch[i].msg);
	d->n_batch = 0;
}

static bool publish_track(const store_record *r, void *ctx)
{
	struct daemon *d = ctx;
	if (!r->code_hash[0] || !d->connected)
		return d->connected; /* nothing to publish, or retry when connected */
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
	int rc = text ? mosquitto_publish_v5(d->mosq, NULL, topic, (int)strlen(text), text, 1, true, NULL) : MOSQ_ERR_NOMEM;
	free(text);
	return rc == MOSQ_ERR_SUCCESS;
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
	d->connected = true;
	tt_info("mqtt %s:%d: connected, subscribed to %s", d->cfg->mqtt_host, d->cfg->mqtt_port, sub);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *p)
{
	struct daemon *d = obj;
	(void)m;
	(void)p;
	d->connected = false;
	if (rc)
		tt_warn("mqtt %s:%d: connection lost; reconnecting", d->cfg->mqtt_host, d->cfg->mqtt_port);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg, const mosquitto_property *p)
{
	struct daemon *d = obj;
	(void)m;
	(void)p;
	size_t len = strlen(msg->topic);
	if (len > 7 && strcmp(msg->topic + len - 7, "/status") == 0) {
		char **parts;
		int n;
		if (mosquitto_sub_topic_tokenise(msg->topic, &parts, &n) == MOSQ_ERR_SUCCESS) {
			if (n == 6 && msg->payloadlen > 0 && msg->payloadlen < 65536) {
				char *json = strndup(msg->payload, (size_t)msg->payloadlen);
				cJSON *j = json ? cJSON_Parse(json) : NULL;
				const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state"));
				store_kiosk_seen(d->db, parts[4], json, state && strcmp(state, "online") == 0, clock_now());
				cJSON_Delete(j);
				free(json);
			}
			mosquitto_sub_topic_tokens_free(&parts, n);
		}
		return;
	}
	if (d->n_batch == 0)
		d->batch_started = clock_ms();
	if (d->n_batch < (size_t)d->cfg->batch_max) {
		struct mosquitto_message *copy = calloc(1, sizeof *copy);
		if (copy && mosquitto_message_copy(copy, msg) == MOSQ_ERR_SUCCESS)
			d->batch[d->n_batch++].msg = copy;
		else
			free(copy); /* not acknowledged: the kiosk sends it again */
	}
}

int collector_serve(const collector_config *c)
{
	struct daemon d = {.cfg = c};
	char err[512];
	int rc = 1;
	http_server *web = NULL;
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
	d.batch = calloc((size_t)c->batch_max, sizeof *d.batch);
	d.acks = calloc((size_t)c->batch_max, sizeof *d.acks);
	if (!d.batch || !d.acks)
		goto out;
	if (c->http_port) {
		http_config hc = {.bind = c->http_bind, .port = c->http_port, .path = c->http_path, .db = c->db,
		                  .rate_per_min = c->rate_per_min};
		web = http_start(&hc, err, sizeof err);
		if (!web) {
			tt_error("%s", err);
			rc = 2;
			goto out;
		}
		tt_info("follow-up page on http://%s:%d%s", c->http_bind, c->http_port, c->http_path);
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
	mosquitto_reconnect_delay_set(d.mosq, 1, 30, true);
	if (c->mqtt_username[0])
		mosquitto_username_pw_set(d.mosq, c->mqtt_username, c->mqtt_password[0] ? c->mqtt_password : NULL);
	if (c->tls_ca[0] && mosquitto_tls_set(d.mosq, c->tls_ca, NULL, c->tls_cert[0] ? c->tls_cert : NULL,
	                                      c->tls_key[0] ? c->tls_key : NULL, NULL) != MOSQ_ERR_SUCCESS) {
		tt_error("mqtt: TLS files %s: cannot be used", c->tls_ca);
		rc = 2;
		goto out;
	}
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
	uint64_t next_track = 0;
	while (!stopping) {
		/* wait for messages; with a batch open, only until its window ends */
		int timeout = 50;
		if (d.n_batch) {
			uint64_t age = clock_ms() - d.batch_started;
			timeout = age >= (uint64_t)c->batch_ms ? 0 : (int)((uint64_t)c->batch_ms - age);
		}
		int lrc = mosquitto_loop(d.mosq, timeout, 1);
		if (lrc != MOSQ_ERR_SUCCESS && !stopping) {
			d.connected = false;
			usleep(200 * 1000);
			mosquitto_reconnect(d.mosq);
		}
		uint64_t now = clock_ms();
		if (d.n_batch && (d.n_batch >= (size_t)c->batch_max || now - d.batch_started >= (uint64_t)c->batch_ms))
			flush(&d);
		if (now >= next_track && d.connected) {
			store_track_changes(d.db, clock_now(), publish_track, &d, 256);
			next_track = now + 500;
		}
		if (reload) {
			reload = 0;
			load_kiosks(&d);
		}
	}
	flush(&d);
	tt_info("stopping: %lu stored, %lu duplicates, %lu quarantined", d.stored, d.duplicates, d.quarantined);
	rc = 0;
out:
	http_stop(web);
	if (d.mosq) {
		mosquitto_disconnect(d.mosq);
		mosquitto_destroy(d.mosq);
	}
	store_close(d.db);
	free(d.batch);
	free(d.acks);
	free(d.kiosks);
	crypto_wipe(&d.box, sizeof d.box);
	return rc;
}
