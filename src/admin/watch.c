/* watch.c - the console's view of its channel on the broker.
 *
 * One MQTT connection in libmosquitto's own thread (mosquitto_loop_start),
 * subscribed to the channel's retained manifest and to the retained status
 * of every kiosk of the commune.  The callbacks only copy what they need
 * into a table under one mutex; the web server's threads read it under the
 * same mutex.  A kiosk's status says which version of each channel it
 * shows ("content": {channel: version}) and, when an update failed, why
 * ("content_error"): that is all the console needs to say who has applied
 * a publish and who has not.  A kiosk whose Last Will fired shows as lost
 * with the version it had. */
#include <inttypes.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/console.h"
#include "tramtin/clock.h"
#include "tramtin/log.h"

#define KIOSKS_MAX 1024

typedef struct kiosk {
	char id[64];
	char state[16];
	int64_t content;  /* -1: none for this channel */
	char content_error[512];
	char error[256];
	char version[32];
	int64_t boot;
	int64_t seen;     /* UTC seconds of the last status */
} kiosk;

struct watch {
	pthread_mutex_t lock;
	struct mosquitto *mosq;
	char channel[BUNDLE_CHANNEL_MAX];
	char status_topic[192], manifest_topic[192];
	unsigned char pk[32];
	bool connected, ours;
	int64_t published;
	kiosk *kiosks;
	size_t n;
};

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *p)
{
	(void)flags;
	(void)p;
	watch *w = obj;
	if (rc != 0) {
		tt_warn("console: mqtt: connection refused: %s", mosquitto_reason_string(rc));
		return;
	}
	char *topics[] = {w->status_topic, w->manifest_topic};
	mosquitto_subscribe_multiple(m, NULL, 2, topics, 1, 0, NULL);
	pthread_mutex_lock(&w->lock);
	w->connected = true;
	pthread_mutex_unlock(&w->lock);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *p)
{
	(void)m;
	(void)rc;
	(void)p;
	watch *w = obj;
	pthread_mutex_lock(&w->lock);
	w->connected = false;
	pthread_mutex_unlock(&w->lock);
}

static void on_manifest(watch *w, const struct mosquitto_message *msg)
{
	char *json = NULL, why[256];
	size_t len;
	unsigned char sig[64];
	bundle_manifest m = {0};
	if (msg->payloadlen <= 0)
		return;
	if (bundle_wire_decode(msg->payload, (size_t)msg->payloadlen, &json, &len, sig, why, sizeof why) != TT_OK ||
	    bundle_manifest_parse(json, len, &m, why, sizeof why) != TT_OK) {
		tt_warn("console: %s: %s", msg->topic, why);
		free(json);
		return;
	}
	bool ours = bundle_verify_bytes(json, len, sig, w->pk);
	pthread_mutex_lock(&w->lock);
	if (!strcmp(m.channel, w->channel)) {
		w->published = m.version;
		w->ours = ours;
	}
	pthread_mutex_unlock(&w->lock);
	bundle_manifest_free(&m);
	free(json);
}

static void copy_str(char *out, size_t outlen, const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	snprintf(out, outlen, "%s", s ? s : "");
}

static void on_status(watch *w, const struct mosquitto_message *msg)
{
	/* tramtin/v1/{province}/{commune}/{kiosk}/status */
	const char *end = strrchr(msg->topic, '/'), *start = end;
	while (start > msg->topic && start[-1] != '/')
		start--;
	size_t idlen = (size_t)(end - start);
	if (!end || idlen == 0 || idlen >= sizeof ((kiosk *)0)->id)
		return;
	cJSON *o = msg->payloadlen > 0 ? cJSON_ParseWithLength(msg->payload, (size_t)msg->payloadlen) : NULL;
	pthread_mutex_lock(&w->lock);
	kiosk *k = NULL;
	for (size_t i = 0; i < w->n; i++)
		if (strlen(w->kiosks[i].id) == idlen && !memcmp(w->kiosks[i].id, start, idlen))
			k = &w->kiosks[i];
	if (!o) { /* cleared (or not JSON): the kiosk is gone from the list */
		if (k)
			*k = w->kiosks[--w->n];
		goto out;
	}
	if (!k) {
		if (w->n == KIOSKS_MAX)
			goto out;
		k = &w->kiosks[w->n++];
		memset(k, 0, sizeof *k);
		memcpy(k->id, start, idlen);
		k->content = -1;
	}
	copy_str(k->state, sizeof k->state, o, "state");
	const cJSON *boot = cJSON_GetObjectItemCaseSensitive(o, "boot");
	if (cJSON_IsNumber(boot))
		k->boot = (int64_t)boot->valuedouble;
	k->seen = clock_now();
	/* a Last Will says only state and boot: what the kiosk showed stays */
	if (cJSON_GetObjectItemCaseSensitive(o, "content")) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "content"), w->channel);
		k->content = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
		copy_str(k->content_error, sizeof k->content_error, o, "content_error");
		copy_str(k->error, sizeof k->error, o, "error");
		copy_str(k->version, sizeof k->version, o, "version");
	}
out:
	pthread_mutex_unlock(&w->lock);
	cJSON_Delete(o);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg, const mosquitto_property *p)
{
	(void)m;
	(void)p;
	watch *w = obj;
	if (!msg->topic)
		return;
	if (!strcmp(msg->topic, w->manifest_topic))
		on_manifest(w, msg);
	else
		on_status(w, msg);
}

watch *watch_start(const admin_mqtt *mq, const char *channel, const unsigned char pk[32])
{
	char root[160], id[64], province[32];
	watch *w = calloc(1, sizeof *w);
	if (!w || !(w->kiosks = calloc(KIOSKS_MAX, sizeof *w->kiosks)) ||
	    bundle_topic_root(channel, root, sizeof root) != TT_OK) {
		if (w)
			free(w->kiosks);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	snprintf(w->channel, sizeof w->channel, "%s", channel);
	memcpy(w->pk, pk, 32);
	snprintf(w->manifest_topic, sizeof w->manifest_topic, "%s/manifest", root);
	const char *slash = strchr(channel, '/');
	if (slash) {
		snprintf(w->status_topic, sizeof w->status_topic, "tramtin/v1/%s/+/status", channel);
	} else { /* a province's console: every kiosk of the province */
		snprintf(province, sizeof province, "%s", channel);
		snprintf(w->status_topic, sizeof w->status_topic, "tramtin/v1/%s/+/+/status", province);
	}
	snprintf(id, sizeof id, "tramtin-console-%ld-%08" PRIx32, (long)getpid(), randombytes_random());
	if (!(w->mosq = mosquitto_new(id, true, w))) {
		watch_stop(w);
		return NULL;
	}
	mosquitto_int_option(w->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(w->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_v5_callback_set(w->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(w->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(w->mosq, on_message);
	mosquitto_reconnect_delay_set(w->mosq, 1, 10, true);
	if (mq->username)
		mosquitto_username_pw_set(w->mosq, mq->username, mq->password);
	if (mq->tls_ca && mosquitto_tls_set(w->mosq, mq->tls_ca, NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS)
		tt_warn("console: --tls-ca %s: cannot be used; the kiosks' status will not show", mq->tls_ca);
	/* connect_async: a broker down at start is reached when it comes up */
	int rc = mosquitto_connect_bind_async(w->mosq, mq->host, mq->port, 30, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		tt_warn("console: mqtt %s:%d: %s; trying again", mq->host, mq->port, mosquitto_strerror(rc));
	if (mosquitto_loop_start(w->mosq) != MOSQ_ERR_SUCCESS) {
		watch_stop(w);
		return NULL;
	}
	return w;
}

void watch_stop(watch *w)
{
	if (!w)
		return;
	if (w->mosq) {
		mosquitto_disconnect(w->mosq);
		mosquitto_loop_stop(w->mosq, true);
		mosquitto_destroy(w->mosq);
	}
	pthread_mutex_destroy(&w->lock);
	free(w->kiosks);
	free(w);
}

int64_t watch_published(watch *w, bool *connected, bool *ours)
{
	pthread_mutex_lock(&w->lock);
	int64_t v = w->published;
	if (connected)
		*connected = w->connected;
	if (ours)
		*ours = w->ours;
	pthread_mutex_unlock(&w->lock);
	return v;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const kiosk *)a)->id, ((const kiosk *)b)->id);
}

cJSON *watch_json(watch *w, int64_t target)
{
	char t[32];
	cJSON *o = cJSON_CreateObject(), *list;
	if (!o)
		return NULL;
	pthread_mutex_lock(&w->lock);
	if (!target)
		target = w->published;
	qsort(w->kiosks, w->n, sizeof *w->kiosks, by_id);
	cJSON_AddBoolToObject(o, "connected", w->connected);
	cJSON_AddNumberToObject(o, "published", (double)w->published);
	cJSON_AddBoolToObject(o, "published_by_this_key", w->ours);
	cJSON_AddNumberToObject(o, "target", (double)target);
	if (!(list = cJSON_AddArrayToObject(o, "kiosks"))) {
		pthread_mutex_unlock(&w->lock);
		cJSON_Delete(o);
		return NULL;
	}
	for (size_t i = 0; i < w->n; i++) {
		const kiosk *k = &w->kiosks[i];
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(list, e)) {
			cJSON_Delete(e);
			break;
		}
		int y, mo, d, h, mi;
		clock_civil(k->seen, 0, &y, &mo, &d, &h, &mi, NULL);
		snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, (int)(((k->seen % 60) + 60) % 60));
		cJSON_AddStringToObject(e, "id", k->id);
		cJSON_AddStringToObject(e, "state", k->state);
		if (k->content >= 0)
			cJSON_AddNumberToObject(e, "content", (double)k->content);
		else
			cJSON_AddNullToObject(e, "content");
		cJSON_AddBoolToObject(e, "applied", target > 0 && k->content >= target);
		cJSON_AddStringToObject(e, "content_error", k->content_error);
		cJSON_AddStringToObject(e, "error", k->error);
		cJSON_AddStringToObject(e, "version", k->version);
		cJSON_AddNumberToObject(e, "boot", (double)k->boot);
		cJSON_AddStringToObject(e, "seen", t);
	}
	pthread_mutex_unlock(&w->lock);
	return o;
}
