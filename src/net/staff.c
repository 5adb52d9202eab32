/* staff.c - see staff.h. */
#define _GNU_SOURCE
#include "staff.h"

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
	signed_msg shown[SRC__N][2]; /* latest accepted, by source and kind */
	signed_cmd pending;
	char error[256];
};

staff *staff_new(const char *kiosk_root, const char *commune_channel, const char *province_channel,
                 const char *kiosk_id, const char *trust, const char *seen)
{
	staff *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
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
		if (src >= 0)
			signed_msg_free(&s->shown[src][kind]);
		return true;
	}
	signed_msg m = {0};
	char why[200];
	if (signed_accept(msg->payload, (size_t)msg->payloadlen, s->trust, s->commune, s->kiosk_id, now, s->seen, &m, why,
	                  sizeof why) != TT_OK) {
		snprintf(s->error, sizeof s->error, "%s: refused: %s", msg->topic, why);
		tt_warn("%s", s->error);
		return true;
	}
	bool fits = cmd ? m.type == SIGNED_CMD : (int)m.type == (kind == 0 ? SIGNED_ANNOUNCE : SIGNED_SURVEY);
	if (!fits) {
		snprintf(s->error, sizeof s->error, "%s: refused: a %s message on this topic", msg->topic,
		         m.type == SIGNED_CMD ? "command" : m.type == SIGNED_SURVEY ? "survey" : "announcement");
		tt_warn("%s", s->error);
		signed_msg_free(&m);
		return true;
	}
	if (cmd) {
		tt_info("command %s (%s) accepted", signed_cmd_name(m.cmd), m.id);
		if (m.cmd == CMD_SYNC)
			*sync = true;
		else
			s->pending = m.cmd;
		signed_msg_free(&m);
		return true;
	}
	if (strcmp(s->shown[src][kind].id, m.id) != 0)
		tt_info("%s %s accepted", kind == 0 ? "announcement" : "survey", m.id);
	signed_msg_free(&s->shown[src][kind]);
	s->shown[src][kind] = m;
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
	const signed_msg *m = s ? due(s, 0, now) : NULL;
	if (m)
		snprintf(out, outlen, "%s", tr(m->text, lang));
	return m != NULL;
}

bool staff_survey(staff *s, int64_t now, tt_lang lang, char *id, size_t idlen, char *question, size_t qlen,
                  char answers[SIGNED_MAX_ANSWERS][400], int *n_answers)
{
	const signed_msg *m = s ? due(s, 1, now) : NULL;
	if (!m)
		return false;
	snprintf(id, idlen, "%s", m->id);
	snprintf(question, qlen, "%s", tr(m->question, lang));
	for (int i = 0; i < m->n_answers; i++)
		snprintf(answers[i], 400, "%s", tr(m->answers[i], lang));
	*n_answers = m->n_answers;
	return true;
}

signed_cmd staff_take_command(staff *s)
{
	if (!s)
		return CMD_NONE;
	signed_cmd c = s->pending;
	s->pending = CMD_NONE;
	return c;
}

const char *staff_last_error(staff *s)
{
	return s ? s->error : "";
}
