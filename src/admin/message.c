/* message.c - tramtin-admin announce | survey | cmd: a staff message built,
 * checked, signed and published.
 *
 * The message is built as the kiosk will read it (signed.h) and put
 * through signed_parse before anything leaves, so a text over 280
 * characters or a survey with one answer is refused here, with the option
 * named, and never reaches a kiosk that would log and drop it.  Texts are
 * made NFC before they are signed, so the signed bytes are what the kiosk
 * shows.  The times the staff give (--from, --to) are checked against the
 * message's life (created .. created + ttl): without --ttl the life is
 * stretched to cover --to, since a kiosk that reconnects after the
 * message expired would refuse it while others still show it.
 * Announcements and surveys are retained (the latest of each kind per
 * target); commands are not, and wait in the kiosk's persistent session. */
#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "tramtin/bundle.h"
#include "tramtin/clock.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/text.h"

#define TTL_MAX 31536000LL

static const char *const type_names[] = {"announce", "survey", "cmd"};

/* The message being sent and where its lines go. */
typedef struct ctx {
	const admin_msg *m;
	const admin_out *out;
} ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int bad(const ctx *c, const char *fmt, ...);

/* One error line for msg's command; returns 2. */
static int bad(const ctx *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	admin_say(c->out, true, "%s: %s", type_names[c->m->type], line);
	return 2;
}

static void fmt_time(int64_t t, char out[32])
{
	int y, mo, d, h, mi;
	clock_civil(t, 0, &y, &mo, &d, &h, &mi, NULL);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, (int)(((t % 60) + 60) % 60));
}

/* t as the staff wrote it in Vietnam time, for messages. */
static void fmt_vn(int64_t t, char out[40])
{
	int y, mo, d, h, mi;
	clock_civil(t, CLOCK_TZ_VN_MIN, &y, &mo, &d, &h, &mi, NULL);
	snprintf(out, 40, "%04d-%02d-%02d %02d:%02d (UTC+7)", y, mo, d, h, mi);
}

/* 1: a channel ("ht", "ht/camxuyen"), 2: one kiosk ("ht/camxuyen/k1"),
 * 0: neither. */
static int target_kind(const char *target)
{
	char channel[BUNDLE_CHANNEL_MAX];
	const char *s1 = target ? strchr(target, '/') : NULL, *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!target || strlen(target) >= sizeof ((signed_msg *)0)->target)
		return 0;
	if (!s2)
		return bundle_channel_valid(target) ? 1 : 0;
	if ((size_t)(s2 - target) >= sizeof channel || !s2[1])
		return 0;
	memcpy(channel, target, (size_t)(s2 - target));
	channel[s2 - target] = '\0';
	if (!bundle_channel_valid(channel))
		return 0;
	for (const char *c = s2 + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '-'))
			return 0;
	return 2;
}

bool admin_msg_topic(signed_type type, const char *target, char *out, size_t outlen)
{
	char root[192];
	int kind = target_kind(target);
	if (!kind || !out || (type == SIGNED_CMD && kind != 2) || (unsigned)type > SIGNED_CMD)
		return false;
	if (kind == 2)
		return (size_t)snprintf(out, outlen, "tramtin/v1/%s/down/%s", target, type_names[type]) < outlen;
	if (bundle_topic_root(target, root, sizeof root) != TT_OK)
		return false;
	return (size_t)snprintf(out, outlen, "%s/%s", root, type_names[type]) < outlen;
}

/* {"vi": ..., "en": ...} of t, each NFC, into *out (new); the exit
 * status, 2 after one line naming opt[lang] on a text that is not UTF-8. */
static int texts(const ctx *c, const char *const t[LANG__COUNT], const char *const opt[LANG__COUNT],
                 cJSON **out)
{
	cJSON *p = cJSON_CreateObject();
	*out = NULL;
	if (!p)
		return 1;
	for (int l = 0; l < LANG__COUNT; l++) {
		if (!t[l])
			continue;
		if (!text_valid(t[l], strlen(t[l]))) {
			cJSON_Delete(p);
			return bad(c, "%s is not valid UTF-8", opt[l]);
		}
		char *n = text_nfc(t[l], strlen(t[l]));
		size_t pos = 0, cps = 0, len = n ? strlen(n) : 0;
		while (pos < len && text_decode(n, len, &pos) >= 0)
			cps++;
		if (cps > SIGNED_TEXT_MAX) {
			free(n);
			cJSON_Delete(p);
			return bad(c, "%s has %zu characters, more than %d", opt[l], cps, SIGNED_TEXT_MAX);
		}
		bool ok = n && cJSON_AddStringToObject(p, i18n_code((tt_lang)l), n);
		free(n);
		if (!ok) {
			cJSON_Delete(p);
			return 1;
		}
	}
	*out = p;
	return 0;
}

/* The message's JSON (a new string) into *json; the exit status. */
static int build(const ctx *c, int64_t created, int64_t ttl, const char *id, char **json)
{
	const admin_msg *m = c->m;
	static const char *const text_opt[] = {"--text-vi", "--text-en"};
	static const char *const question_opt[] = {"--question-vi", "--question-en"};
	char t[32], a_vi[32], a_en[32];
	const char *const answer_opt[] = {a_vi, a_en};
	cJSON *o = cJSON_CreateObject(), *p = NULL, *a;
	int rc = 1;
	*json = NULL;
	fmt_time(created, t);
	if (!o || !cJSON_AddNumberToObject(o, "v", 1) || !cJSON_AddStringToObject(o, "type", type_names[m->type]) ||
	    !cJSON_AddStringToObject(o, "id", id) || !cJSON_AddStringToObject(o, "created", t) ||
	    !cJSON_AddNumberToObject(o, "ttl", (double)ttl) || !cJSON_AddStringToObject(o, "target", m->target))
		goto out;
	if (m->type == SIGNED_CMD) {
		if (!cJSON_AddStringToObject(o, "cmd", signed_cmd_name(m->cmd)))
			goto out;
		goto print;
	}
	if (m->has_from && (fmt_time(m->from, t), !cJSON_AddStringToObject(o, "from", t)))
		goto out;
	if (m->has_to && (fmt_time(m->to, t), !cJSON_AddStringToObject(o, "to", t)))
		goto out;
	bool ann = m->type == SIGNED_ANNOUNCE;
	if ((rc = texts(c, m->text, ann ? text_opt : question_opt, &p)) != 0)
		goto out;
	if (!cJSON_AddItemToObject(o, ann ? "text" : "question", p)) {
		cJSON_Delete(p);
		rc = 1;
		goto out;
	}
	if (ann)
		goto print;
	if (!(a = cJSON_AddArrayToObject(o, "answers")))
		goto out;
	for (int i = 0; i < m->n_answers; i++) {
		snprintf(a_vi, sizeof a_vi, "--answer %d", i + 1);
		snprintf(a_en, sizeof a_en, "--answer %d (after '|')", i + 1);
		if ((rc = texts(c, m->answers[i], answer_opt, &p)) != 0)
			goto out;
		if (!cJSON_AddItemToArray(a, p)) {
			cJSON_Delete(p);
			rc = 1;
			goto out;
		}
	}
print:
	rc = (*json = cJSON_PrintUnformatted(o)) ? 0 : 1;
out:
	if (rc == 1)
		admin_say(c->out, true, "%s: out of memory", type_names[m->type]);
	cJSON_Delete(o);
	return rc;
}

/* The ttl to use, after checking --from and --to against it; 0 after one
 * line on a bad window. */
static int64_t life(const ctx *c, int64_t created)
{
	const admin_msg *m = c->m;
	char t[40];
	int64_t ttl = m->ttl ? m->ttl : m->type == SIGNED_CMD ? ADMIN_TTL_CMD : ADMIN_TTL_MESSAGE;
	if (m->type == SIGNED_CMD)
		return ttl;
	int64_t from = m->has_from ? m->from : created;
	if (m->has_to) {
		fmt_vn(m->to, t);
		if (m->to <= created)
			return bad(c, "--to %s is already past", t), 0;
		if (m->to <= from)
			return bad(c, "--from is not before --to"), 0;
		if (m->to - created > TTL_MAX)
			return bad(c, "--to %s is more than 365 days away", t), 0;
		if (m->to > created + ttl) {
			if (m->ttl)
				return bad(c, "--to %s is after the message expires (--ttl %" PRId64
				              " s from now); give a longer --ttl",
				           t, m->ttl),
				       0;
			ttl = m->to - created; /* stretched to cover the window */
		}
	} else if (from >= created + ttl) {
		fmt_vn(from, t);
		return bad(c,
		           "--from %s is after the message expires (%" PRId64
		           " s from now); give a --to or a longer --ttl",
		           t, ttl),
		       0;
	}
	return ttl;
}

int admin_message(const admin_msg *m, const admin_mqtt *mq, const admin_out *out)
{
	const ctx cx = {m, out}, *c = &cx;
	char topic[256], id[ENVELOPE_ID_LEN + 1], why[512], what[16];
	tt_sign_key key;
	signed_msg check;
	char *json = NULL, *wire = NULL;
	int status;

	if (!m || !mq || (unsigned)m->type > SIGNED_CMD)
		return 2;
	snprintf(what, sizeof what, "%s", type_names[m->type]);
	int kind = target_kind(m->target);
	if (!kind)
		return bad(c, "--target '%s' is not ht, ht/<commune> or ht/<commune>/<kiosk> (a-z, 0-9, '-'; a kiosk "
		              "id also A-Z, '_')",
		           m->target ? m->target : "");
	if (m->type == SIGNED_CMD && kind != 2)
		return bad(c, "--target '%s' is not one kiosk (ht/<commune>/<kiosk>): a command goes to one kiosk",
		           m->target);
	if (!admin_msg_topic(m->type, m->target, topic, sizeof topic))
		return bad(c, "--target '%s' is too long", m->target);
	tt_err rc = crypto_sign_key_load(m->key_path, &key);
	if (rc == TT_ERR_IO)
		return bad(c, "%s: %s", m->key_path, tt_strerrno(errno));
	if (rc != TT_OK)
		return bad(c, "%s: not a signing key (one line of base64 of 64 bytes, as keygen --kind sign writes)",
		           m->key_path);
	if (m->clear) {
		crypto_wipe(&key, sizeof key);
		status = admin_send(what, mq, topic, NULL, 0, true, out);
		if (status == 0)
			admin_say(out, false, "cleared %s on %s", what, topic);
		return status;
	}

	int64_t created = clock_now(), ttl = life(c, created);
	if (!ttl) {
		status = 2;
		goto out;
	}
	envelope_uuid(id);
	if ((status = build(c, created, ttl, id, &json)) != 0)
		goto out;
	if (signed_parse(json, strlen(json), &check, why, sizeof why) != TT_OK) {
		status = bad(c, "%s", why);
		goto out;
	}
	signed_msg_free(&check);
	if (!(wire = signed_wrap(json, strlen(json), &key))) {
		admin_say(out, true, "%s: out of memory", what);
		status = 1;
		goto out;
	}
	status = admin_send(what, mq, topic, wire, strlen(wire), m->type != SIGNED_CMD, out);
	if (status == 0)
		admin_say(out, false, "sent %s %s to %s", what, id, topic);
out:
	crypto_wipe(&key, sizeof key);
	free(json);
	free(wire);
	return status;
}
