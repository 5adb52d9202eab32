/* staff.c - see staff.h. */
#define _GNU_SOURCE
#include "staff.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/bundle.h"
#include "tramtin/log.h"

enum { SRC_KIOSK, SRC_COMMUNE, SRC_PROVINCE, SRC__N };

struct staff {
	char kiosk_root[256], kiosk_id[128], commune[BUNDLE_CHANNEL_MAX];
	char topics[SRC__N][2][300]; /* [source][announce, survey] */
	char cmd_topic[300];
	char *trust, *seen;
	/* results, under lock (the UI thread reads them) */
	pthread_mutex_t lock;
	signed_msg shown[SRC__N][2]; /* latest accepted, by source and kind */
	unsigned pending;            /* bit c: command c waits for the UI */
	char error[256];
};

staff *staff_new(const char *kiosk_root, const char *commune_channel, const char *province_channel,
                 const char *kiosk_id, const char *trust, const char *seen)
{
	staff *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->kiosk_root, sizeof s->kiosk_root, "%s", kiosk_root);
	snprintf(s->kiosk_id, sizeof s->kiosk_id, "%s", kiosk_id);
	snprintf(s->commune, sizeof s->commune, "%s", commune_channel ? commune_channel : "");
	s->trust = strdup(trust ? trust : "");
	s->seen = seen ? strdup(seen) : NULL;
	snprintf(s->cmd_topic, sizeof s->cmd_topic, "%s/down/cmd", kiosk_root);
	const char *kinds[2] = {"announce", "survey"};
	for (int k = 0; k < 2; k++) {
		char root[200];
		snprintf(s->topics[SRC_KIOSK][k], sizeof s->topics[0][0], "%s/down/%s", kiosk_root, kinds[k]);
		if (commune_channel && bundle_topic_root(commune_channel, root, sizeof root) == TT_OK)
			snprintf(s->topics[SRC_COMMUNE][k], sizeof s->topics[0][0], "%s/%s", root, kinds[k]);
		if (province_channel && bundle_topic_root(province_channel, root, sizeof root) == TT_OK)
			snprintf(s->topics[SRC_PROVINCE][k], sizeof s->topics[0][0], "%s/%s", root, kinds[k]);
	}
	if (!s->trust || (seen && !s->seen)) {
		staff_free(s);
		return NULL;
	}
	return s;
}

void staff_free(staff *s)
{
	if (!s)
		return;
	for (int i = 0; i < SRC__N; i++)
		for (int k = 0; k < 2; k++)
			signed_msg_free(&s->shown[i][k]);
	free(s->trust);
	free(s->seen);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void staff_connected(staff *s, struct mosquitto *m)
{
	if (!s)
		return;
	mosquitto_subscribe_v5(m, NULL, s->cmd_topic, 1, 0, NULL);
	for (int i = 0; i < SRC__N; i++)
		for (int k = 0; k < 2; k++)
			if (s->topics[i][k][0])
				mosquitto_subscribe_v5(m, NULL, s->topics[i][k], 1, 0, NULL);
}

bool staff_message(staff *s, const struct mosquitto_message *msg, int64_t now, bool *sync)
{
	if (!s || !msg->topic)
		return false;
	int src = -1, kind = -1;
	bool cmd = strcmp(msg->topic, s->cmd_topic) == 0;
	for (int i = 0; i < SRC__N && !cmd && src < 0; i++)
		for (int k = 0; k < 2; k++)
			if (s->topics[i][k][0] && strcmp(msg->topic, s->topics[i][k]) == 0)
				src = i, kind = k;
	if (!cmd && src < 0)
		return false;
	if (msg->payloadlen <= 0) { /* cleared by staff */
		if (src >= 0) {
			pthread_mutex_lock(&s->lock);
			signed_msg_free(&s->shown[src][kind]);
			pthread_mutex_unlock(&s->lock);
		}
		return true;
	}
	/* The checks (a signature, for commands a write of the seen file with
	 * fsync) run without the lock: the UI never waits on them. */
	signed_msg m = {0};
	char why[200], error[256] = "";
	if (signed_accept(msg->payload, (size_t)msg->payloadlen, s->trust, s->commune, s->kiosk_id, now, s->seen, &m, why,
	                  sizeof why) != TT_OK) {
		snprintf(error, sizeof error, "%s: refused: %s", msg->topic, why);
	} else if (cmd ? m.type != SIGNED_CMD : (int)m.type != (kind == 0 ? SIGNED_ANNOUNCE : SIGNED_SURVEY)) {
		snprintf(error, sizeof error, "%s: refused: a %s message on this topic", msg->topic,
		         m.type == SIGNED_CMD ? "command" : m.type == SIGNED_SURVEY ? "survey" : "announcement");
		signed_msg_free(&m);
	}
	if (error[0]) {
		tt_warn("%s", error);
		pthread_mutex_lock(&s->lock);
		snprintf(s->error, sizeof s->error, "%s", error);
		pthread_mutex_unlock(&s->lock);
		return true;
	}
	if (cmd) {
		tt_info("command %s (%s) accepted", signed_cmd_name(m.cmd), m.id);
		if (m.cmd == CMD_SYNC) {
			*sync = true;
		} else {
			pthread_mutex_lock(&s->lock);
			s->pending |= 1u << m.cmd; /* several may come at once: none is lost */
			pthread_mutex_unlock(&s->lock);
		}
		signed_msg_free(&m);
		return true;
	}
	pthread_mutex_lock(&s->lock);
	if (strcmp(s->shown[src][kind].id, m.id) != 0)
		tt_info("%s %s accepted", kind == 0 ? "announcement" : "survey", m.id);
	signed_msg_free(&s->shown[src][kind]);
	s->shown[src][kind] = m;
	pthread_mutex_unlock(&s->lock);
	return true;
}

static const signed_msg *due(staff *s, int kind, int64_t now)
{
	for (int i = 0; i < SRC__N; i++) {
		const signed_msg *m = &s->shown[i][kind];
		if (m->id[0] && now >= m->from && now < m->to && now < m->created + m->ttl)
			return m;
	}
	return NULL;
}

static const char *tr(char *const t[LANG__COUNT], tt_lang lang)
{
	return t[lang] && t[lang][0] ? t[lang] : t[LANG_VI] ? t[LANG_VI] : "";
}

bool staff_announcement(staff *s, int64_t now, tt_lang lang, char *out, size_t outlen)
{
	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	const signed_msg *m = due(s, 0, now);
	if (m)
		snprintf(out, outlen, "%s", tr(m->text, lang));
	pthread_mutex_unlock(&s->lock);
	return m != NULL;
}

bool staff_survey(staff *s, int64_t now, tt_lang lang, char *id, size_t idlen, char *question, size_t qlen,
                  char answers[SIGNED_MAX_ANSWERS][400], int *n_answers)
{
	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	const signed_msg *m = due(s, 1, now);
	if (m) {
		snprintf(id, idlen, "%s", m->id);
		snprintf(question, qlen, "%s", tr(m->question, lang));
		for (int i = 0; i < m->n_answers; i++)
			snprintf(answers[i], 400, "%s", tr(m->answers[i], lang));
		*n_answers = m->n_answers;
	}
	pthread_mutex_unlock(&s->lock);
	return m != NULL;
}

signed_cmd staff_take_command(staff *s)
{
	signed_cmd c = CMD_NONE;
	if (!s)
		return c;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = CMD_SYNC; i <= CMD_SCREEN_ON && c == CMD_NONE; i++)
		if (s->pending & (1u << i)) {
			s->pending &= ~(1u << i);
			c = (signed_cmd)i;
		}
	pthread_mutex_unlock(&s->lock);
	return c;
}

void staff_last_error(staff *s, char *out, size_t outlen)
{
	if (!s) {
		snprintf(out, outlen, "%s", "");
		return;
	}
	pthread_mutex_lock(&s->lock);
	snprintf(out, outlen, "%s", s->error);
	pthread_mutex_unlock(&s->lock);
}
