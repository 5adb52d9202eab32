/* signed.c - staff messages to kiosks: announcements, surveys, commands.
 *
 * A message is a small JSON object signed as it is: the wire form carries
 * its exact bytes in base64 beside a detached Ed25519 signature over
 * "tramtin-msg-v1\n" + those bytes, so nothing is re-serialised before it
 * is checked.  signed_parse is strict about what a kiosk acts on (version,
 * type, a lower-case UUID v4, times in the one form "YYYY-MM-DDTHH:MM:SSZ",
 * ttl, target, per-type fields) and stores text NFC, so what the ticker
 * shows and what a survey answer names do not depend on how the staff's
 * keyboard composed them; fields it does not know are left alone, for
 * later versions.  signed_accept decides in the order that keeps each log
 * line meaningful: the wire form, the message, the signature (with the
 * keys trusted for the target's channel: a commune key never speaks for
 * the province, and a kiosk target takes its commune's or its province's
 * key), then whether the target is this kiosk, then time, then replay.
 * Only commands are checked for replay: an announcement or survey is
 * retained and delivered again after every reconnect, and showing it again
 * is what it is for.  The "seen" file holds one "id expiry" line per
 * command taken; it is read whole, pruned of expired lines, and rewritten
 * through a temporary file, fsync and rename(2), so a power cut leaves the
 * old list or the new one.  A command that cannot be recorded is not
 * taken: acting on it could let it be acted on twice. */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tramtin/bundle.h"
#include "tramtin/clock.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/signed.h"
#include "tramtin/text.h"

#define SIG_PREFIX  "tramtin-msg-v1\n"
#define JSON_MAX    (64 * 1024) /* bytes of a message: 14 texts of 280 code points, escaped, fit */
#define TTL_MAX     31536000LL  /* one year */
#define FUTURE_MAX  600         /* seconds a message may be created ahead of the kiosk's clock */
#define KEYS_MAX    16          /* trusted keys per channel */
#define SEEN_MAX    (16 * 1024 * 1024) /* bytes of the seen file read */
#define ID_LEN      ENVELOPE_ID_LEN

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void say(char *why, size_t len, const char *fmt, ...);

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static const char *const cmd_names[] = {"none", "sync", "restart", "screen-off", "screen-on"};
static const char *const type_names[] = {"announce", "survey", "cmd"};

void signed_msg_free(signed_msg *m)
{
	if (!m)
		return;
	for (int l = 0; l < LANG__COUNT; l++) {
		free(m->text[l]);
		free(m->question[l]);
		for (int i = 0; i < SIGNED_MAX_ANSWERS; i++)
			free(m->answers[i][l]);
	}
	memset(m, 0, sizeof *m);
}

const char *signed_cmd_name(signed_cmd c)
{
	return c > CMD_NONE && c <= CMD_SCREEN_ON ? cmd_names[c] : "none";
}

bool signed_cmd_parse(const char *s, signed_cmd *out)
{
	if (!s)
		return false;
	for (int c = CMD_SYNC; c <= CMD_SCREEN_ON; c++)
		if (!strcmp(s, cmd_names[c])) {
			if (out)
				*out = (signed_cmd)c;
			return true;
		}
	return false;
}

/* ---- checks ------------------------------------------------------------ */


/* Splits a target into its channel ("ht" or "ht/camxuyen") and kiosk id
 * ("" for a channel target); false if it is neither form.  A kiosk id is
 * a topic level and an MQTT username: [A-Za-z0-9_-] only. */
static bool split_target(const char *target, char channel[BUNDLE_CHANNEL_MAX], const char **kiosk)
{
	size_t len = target ? strlen(target) : 0;
	if (!len || len >= sizeof ((signed_msg *)0)->target)
		return false;
	const char *s1 = strchr(target, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	size_t clen = s2 ? (size_t)(s2 - target) : len;
	if (clen >= BUNDLE_CHANNEL_MAX)
		return false;
	memcpy(channel, target, clen);
	channel[clen] = '\0';
	if (!bundle_channel_valid(channel))
		return false;
	*kiosk = s2 ? s2 + 1 : "";
	if (!s2)
		return true;
	if (!**kiosk)
		return false;
	for (const char *c = *kiosk; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '-'))
			return false;
	return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ" exactly (clock_parse takes more forms). */
static bool parse_time(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (!s || strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	return clock_parse(s, 0, out);
}

static bool int_field(const cJSON *o, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

/* A text of a message: valid UTF-8, no control character (each is shown
 * on one line or one button), 1..SIGNED_TEXT_MAX code points once NFC.
 * *out is the NFC copy (new string), or NULL with why filled. */
static tt_err one_text(const cJSON *v, const char *what, char **out, char *why, size_t whylen)
{
	*out = NULL;
	if (!cJSON_IsString(v)) {
		say(why, whylen, "%s is not a string", what);
		return TT_ERR_PARSE;
	}
	const char *s = v->valuestring;
	size_t len = strlen(s);
	if (!len) {
		say(why, whylen, "%s is empty", what);
		return TT_ERR_PARSE;
	}
	if (!text_valid(s, len)) {
		say(why, whylen, "%s is not valid UTF-8", what);
		return TT_ERR_PARSE;
	}
	char *n = text_nfc(s, len);
	if (!n) {
		say(why, whylen, "%s: out of memory", what);
		return TT_ERR_NOMEM;
	}
	size_t pos = 0, cps = 0, nlen = strlen(n);
	while (pos < nlen) {
		int32_t cp = text_decode(n, nlen, &pos);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			say(why, whylen, "%s holds a control character (U+%04X)", what,
			    (unsigned)(cp < 0 ? 0xfffd : cp));
			free(n);
			return TT_ERR_PARSE;
		}
		cps++;
	}
	if (cps > SIGNED_TEXT_MAX) {
		say(why, whylen, "%s has %zu characters, more than %d", what, cps, SIGNED_TEXT_MAX);
		free(n);
		return TT_ERR_RANGE;
	}
	*out = n;
	return TT_OK;
}

/* {"vi": ..., "en": ...}: vi required, en optional. */
static tt_err lang_texts(const cJSON *o, const char *what, char *out[LANG__COUNT], char *why, size_t whylen)
{
	char name[64];
	if (!cJSON_IsObject(o)) {
		say(why, whylen, "%s is missing or not an object {\"vi\": ..., \"en\": ...}", what);
		return TT_ERR_PARSE;
	}
	for (int l = 0; l < LANG__COUNT; l++) {
		const char *code = i18n_code((tt_lang)l);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, code);
		snprintf(name, sizeof name, "%s.%s", what, code);
		if (!v && l != LANG_VI)
			continue;
		if (!v) {
			say(why, whylen, "%s is missing", name);
			return TT_ERR_PARSE;
		}
		tt_err rc = one_text(v, name, &out[l], why, whylen);
		if (rc != TT_OK)
			return rc;
	}
	return TT_OK;
}

/* ---- parse -------------------------------------------------------------- */

/* Fills m from root (m is emptied by the caller on failure). */
static tt_err parse_obj(const cJSON *root, signed_msg *m, char *why, size_t whylen)
{
	int64_t v;
	char channel[BUNDLE_CHANNEL_MAX];
	const char *kiosk;
	tt_err rc;
	if (!cJSON_IsObject(root)) {
		say(why, whylen, "message is not a JSON object");
		return TT_ERR_PARSE;
	}
	if (!int_field(root, "v", 1, 1, &v)) {
		say(why, whylen, "message \"v\" is not 1");
		return TT_ERR_PARSE;
	}
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "type"));
	int t = -1;
	for (int i = 0; type && i < 3; i++)
		if (!strcmp(type, type_names[i]))
			t = i;
	if (t < 0) {
		say(why, whylen, "message \"type\" is not announce, survey or cmd");
		return TT_ERR_PARSE;
	}
	m->type = (signed_type)t;
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "id"));
	if (!envelope_id_valid(id)) {
		say(why, whylen, "message \"id\" is not a lower-case UUID v4");
		return TT_ERR_PARSE;
	}
	memcpy(m->id, id, ID_LEN + 1);
	if (!parse_time(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "created")), &m->created)) {
		say(why, whylen, "message \"created\" is not a time YYYY-MM-DDTHH:MM:SSZ");
		return TT_ERR_PARSE;
	}
	if (!int_field(root, "ttl", 1, TTL_MAX, &m->ttl)) {
		say(why, whylen, "message \"ttl\" is not a whole number of seconds from 1 to %lld", TTL_MAX);
		return TT_ERR_PARSE;
	}
	const char *target = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "target"));
	if (!split_target(target, channel, &kiosk)) {
		say(why, whylen, "message \"target\" is not ht, ht/<commune> or ht/<commune>/<kiosk>");
		return TT_ERR_PARSE;
	}
	snprintf(m->target, sizeof m->target, "%s", target);

	if (m->type == SIGNED_CMD) {
		const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "cmd"));
		if (!signed_cmd_parse(c, &m->cmd)) {
			say(why, whylen, "command \"cmd\" is not sync, restart, screen-off or screen-on");
			return TT_ERR_PARSE;
		}
		if (!*kiosk) {
			say(why, whylen, "command \"target\" %s is not one kiosk (ht/<commune>/<kiosk>)", m->target);
			return TT_ERR_PARSE;
		}
		return TT_OK;
	}

	/* announce, survey: the window, then the texts */
	m->from = m->created;
	m->to = m->created + m->ttl;
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "from");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "to");
	if (f && !parse_time(cJSON_GetStringValue(f), &m->from)) {
		say(why, whylen, "message \"from\" is not a time YYYY-MM-DDTHH:MM:SSZ");
		return TT_ERR_PARSE;
	}
	if (u && !parse_time(cJSON_GetStringValue(u), &m->to)) {
		say(why, whylen, "message \"to\" is not a time YYYY-MM-DDTHH:MM:SSZ");
		return TT_ERR_PARSE;
	}
	if (m->from >= m->to) {
		say(why, whylen, "message \"from\" is not before \"to\"");
		return TT_ERR_RANGE;
	}
	/* a kiosk that reconnects after created + ttl refuses the message, so
	 * a window running longer would show on some kiosks and not others */
	if (m->to > m->created + m->ttl) {
		say(why, whylen, "message \"to\" is after it expires (created + ttl); give a longer ttl");
		return TT_ERR_RANGE;
	}
	if (m->type == SIGNED_ANNOUNCE)
		return lang_texts(cJSON_GetObjectItemCaseSensitive(root, "text"), "text", m->text, why, whylen);

	if ((rc = lang_texts(cJSON_GetObjectItemCaseSensitive(root, "question"), "question", m->question, why,
	                     whylen)) != TT_OK)
		return rc;
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(root, "answers");
	int n = cJSON_IsArray(answers) ? cJSON_GetArraySize(answers) : -1;
	if (n < 2 || n > SIGNED_MAX_ANSWERS) {
		if (n < 0)
			say(why, whylen, "survey \"answers\" is missing or not an array");
		else
			say(why, whylen, "survey has %d answers; it needs 2 to %d", n, SIGNED_MAX_ANSWERS);
		return n < 0 ? TT_ERR_PARSE : TT_ERR_RANGE;
	}
	for (int i = 0; i < n; i++) {
		char what[32];
		snprintf(what, sizeof what, "answers[%d]", i);
		if ((rc = lang_texts(cJSON_GetArrayItem(answers, i), what, m->answers[i], why, whylen)) != TT_OK)
			return rc;
		m->n_answers = i + 1;
	}
	return TT_OK;
}

tt_err signed_parse(const char *json, size_t len, signed_msg *m, char *why, size_t whylen)
{
	if (!m)
		return TT_ERR_INVAL;
	memset(m, 0, sizeof *m);
	if (!json || !len) {
		say(why, whylen, "message is empty");
		return TT_ERR_PARSE;
	}
	if (len > JSON_MAX) {
		say(why, whylen, "message is %zu bytes, more than the %d allowed", len, JSON_MAX);
		return TT_ERR_RANGE;
	}
	if (memchr(json, '\0', len)) {
		say(why, whylen, "message holds a NUL byte");
		return TT_ERR_PARSE;
	}
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root) {
		say(why, whylen, "message is not JSON");
		return TT_ERR_PARSE;
	}
	tt_err rc = parse_obj(root, m, why, whylen);
	cJSON_Delete(root);
	if (rc != TT_OK)
		signed_msg_free(m);
	return rc;
}

/* ---- signature and the wire form ---------------------------------------- */

char *signed_wrap(const char *json, size_t len, const tt_sign_key *key)
{
	unsigned char sig[64];
	char sig64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	size_t blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = NULL, *out = NULL;
	cJSON *o = NULL;
	if (!json || !len || len > JSON_MAX || !key || crypto_init() != TT_OK)
		return NULL;
	if (crypto_sign_prefixed(SIG_PREFIX, json, len, key, sig) != TT_OK)
		return NULL;
	if (!(b64 = malloc(blen)))
		return NULL;
	b64_encode((const unsigned char *)json, len, b64, blen);
	b64_encode(sig, sizeof sig, sig64, sizeof sig64);
	if ((o = cJSON_CreateObject()) && cJSON_AddStringToObject(o, "msg", b64) &&
	    cJSON_AddStringToObject(o, "sig", sig64))
		out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(b64);
	return out;
}

/* The wire form's message bytes (new, NUL-terminated) and signature. */
static tt_err unwrap(const char *payload, size_t len, char **json, size_t *jlen, unsigned char sig[64], char *why,
                     size_t whylen)
{
	size_t wire_max = sodium_base64_ENCODED_LEN(JSON_MAX, sodium_base64_VARIANT_ORIGINAL) + 256;
	tt_err rc = TT_ERR_PARSE;
	unsigned char *bin = NULL;
	*json = NULL;
	if (!payload || !len) {
		say(why, whylen, "payload is empty");
		return TT_ERR_PARSE;
	}
	if (len > wire_max) {
		say(why, whylen, "payload is %zu bytes, more than a message of %d bytes takes", len, JSON_MAX);
		return TT_ERR_RANGE;
	}
	cJSON *o = cJSON_ParseWithLength(payload, len);
	const char *b64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "msg"));
	const char *s64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "sig"));
	if (!cJSON_IsObject(o) || !b64 || !s64) {
		say(why, whylen, "payload is not a JSON object with \"msg\" and \"sig\" strings");
		goto out;
	}
	if (b64_decode(s64, sig, 64, 64, NULL) != TT_OK) {
		say(why, whylen, "payload \"sig\" is not base64 of a 64-byte signature");
		goto out;
	}
	size_t cap = strlen(b64) / 4 * 3 + 3, got = 0;
	if (!(bin = malloc(cap + 1))) {
		say(why, whylen, "payload: out of memory");
		rc = TT_ERR_NOMEM;
		goto out;
	}
	if (b64_decode(b64, bin, cap, 0, &got) != TT_OK || !got) {
		say(why, whylen, "payload \"msg\" is not base64 of a message");
		goto out;
	}
	bin[got] = '\0';
	*json = (char *)bin;
	*jlen = got;
	bin = NULL;
	rc = TT_OK;
out:
	free(bin);
	cJSON_Delete(o);
	return rc;
}

/* ---- the replay list ------------------------------------------------------ */

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads seen (missing: empty) into a new string of the lines still valid
 * at now; *taken if id is among them. */
static tt_err seen_load(const char *seen, const char *id, int64_t now, char **kept, size_t *klen, bool *taken,
                        char *why, size_t whylen)
{
	char *data = NULL, *out = NULL;
	size_t len = 0, olen = 0;
	struct stat st;
	*taken = false;
	int fd = open(seen, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		say(why, whylen, "replay list %s: %s", seen, tt_strerrno(errno));
		return TT_ERR_IO;
	}
	if (fd >= 0) {
		int e = fstat(fd, &st) != 0 ? errno : 0;
		if (e || !S_ISREG(st.st_mode) || st.st_size > SEEN_MAX) {
			say(why, whylen, "replay list %s: %s", seen,
			    e ? tt_strerrno(e) : "not a regular file of at most 16 MiB");
			close(fd);
			return TT_ERR_IO;
		}
		if (!(data = malloc((size_t)st.st_size + 1))) {
			close(fd);
			say(why, whylen, "replay list %s: out of memory", seen);
			return TT_ERR_NOMEM;
		}
		while (len < (size_t)st.st_size) {
			ssize_t r = read(fd, data + len, (size_t)st.st_size - len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			len += (size_t)r;
		}
		close(fd);
		data[len] = '\0';
	}
	/* each line kept is rewritten no longer than it was, plus a '\n' the
	 * last one may lack */
	if (!(out = malloc(len + 2))) {
		free(data);
		say(why, whylen, "replay list %s: out of memory", seen);
		return TT_ERR_NOMEM;
	}
	/* keep each well-formed line "uuid expiry" that has not expired; drop
	 * the rest (a torn line cannot come from rename, but a hand edit can) */
	for (char *line = data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char lid[ID_LEN + 1];
		long long exp;
		int k = 0;
		if (strlen(line) > 80 || sscanf(line, "%36s %lld%n", lid, &exp, &k) != 2 || line[k] ||
		    !envelope_id_valid(lid) || exp < now)
			continue;
		if (!strcmp(lid, id))
			*taken = true;
		olen += (size_t)sprintf(out + olen, "%s %lld\n", lid, exp);
	}
	out[olen] = '\0';
	free(data);
	*kept = out;
	*klen = olen;
	return TT_OK;
}

/* Replaces seen with data: temp file beside it, fsync, rename, fsync dir. */
static tt_err seen_store(const char *seen, const char *data, size_t len, char *why, size_t whylen)
{
	size_t n = strlen(seen);
	char *tmp = malloc(n + 16), *dir = malloc(n + 2);
	tt_err rc = TT_ERR_IO;
	int fd = -1;
	if (!tmp || !dir) {
		free(tmp);
		free(dir);
		say(why, whylen, "replay list %s: out of memory", seen);
		return TT_ERR_NOMEM;
	}
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", seen);
	memcpy(dir, seen, n + 1);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = mkstemp(tmp)) < 0) {
		say(why, whylen, "replay list %s: cannot create %s: %s", seen, tmp, tt_strerrno(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		say(why, whylen, "replay list %s: cannot write %s: %s", seen, tmp, tt_strerrno(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		say(why, whylen, "replay list %s: cannot write %s: %s", seen, tmp, tt_strerrno(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, seen) != 0) {
		say(why, whylen, "replay list %s: cannot rename %s to it: %s", seen, tmp, tt_strerrno(errno));
		goto out;
	}
	tmp[0] = '\0';
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* the rename is done; a failed directory fsync changes nothing we can act on */
		close(dfd);
	}
	rc = TT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
}

/* Records the command m in seen unless its id is there already. */
static tt_err seen_take(const char *seen, const signed_msg *m, int64_t now, char *why, size_t whylen)
{
	char *kept = NULL;
	size_t klen = 0;
	bool taken;
	tt_err rc = seen_load(seen, m->id, now, &kept, &klen, &taken, why, whylen);
	if (rc != TT_OK)
		return rc;
	if (taken) {
		free(kept);
		say(why, whylen, "command %s was already taken (a replay)", m->id);
		return TT_ERR_STATE;
	}
	char line[ID_LEN + 32];
	int ll = snprintf(line, sizeof line, "%s %lld\n", m->id, (long long)(m->created + m->ttl));
	char *all = realloc(kept, klen + (size_t)ll + 1);
	if (!all) {
		free(kept);
		say(why, whylen, "replay list %s: out of memory", seen);
		return TT_ERR_NOMEM;
	}
	memcpy(all + klen, line, (size_t)ll + 1);
	rc = seen_store(seen, all, klen + (size_t)ll, why, whylen);
	free(all);
	return rc;
}

/* ---- the kiosk's decision ----------------------------------------------------- */

tt_err signed_accept(const char *payload, size_t len, const char *trust, const char *commune_channel,
                     const char *kiosk_id, int64_t now, const char *seen, signed_msg *m, char *why, size_t whylen)
{
	unsigned char sig[64], keys[2 * KEYS_MAX][32];
	char *json = NULL, tchan[BUNDLE_CHANNEL_MAX], province[BUNDLE_CHANNEL_MAX];
	const char *tkiosk;
	size_t jlen = 0, n = 0;
	tt_err rc;
	if (!m)
		return TT_ERR_INVAL;
	memset(m, 0, sizeof *m);
	if (!bundle_channel_valid(commune_channel) || !strchr(commune_channel, '/') || !kiosk_id || !*kiosk_id) {
		say(why, whylen, "this kiosk's commune channel '%.64s' or id '%.64s' is not valid",
		    commune_channel ? commune_channel : "", kiosk_id ? kiosk_id : "");
		return TT_ERR_INVAL;
	}
	if ((rc = unwrap(payload, len, &json, &jlen, sig, why, whylen)) != TT_OK)
		return rc;
	rc = signed_parse(json, jlen, m, why, whylen);
	if (rc != TT_OK)
		goto out;
	split_target(m->target, tchan, &tkiosk); /* signed_parse checked it */

	/* the signature, with the keys of the target's channel (and, for a
	 * kiosk target, its province's too) */
	n = bundle_trust_keys(trust, tchan, keys, KEYS_MAX);
	if (*tkiosk) {
		snprintf(province, sizeof province, "%.*s", (int)strcspn(tchan, "/"), tchan);
		n += bundle_trust_keys(trust, province, keys + n, KEYS_MAX);
	}
	if (!n) {
		say(why, whylen, "signature: no key in [trust] content_keys is trusted for target %s", m->target);
		rc = TT_ERR_CRYPTO;
		goto out;
	}
	bool ok = false;
	for (size_t i = 0; i < n && !ok; i++)
		ok = crypto_verify_prefixed(SIG_PREFIX, json, jlen, sig, keys[i]);
	if (!ok) {
		say(why, whylen, "signature of %s %s does not verify with the %zu key(s) trusted for target %s",
		    type_names[m->type], m->id, n, m->target);
		rc = TT_ERR_CRYPTO;
		goto out;
	}

	/* this kiosk: its commune, its province, or itself by name */
	size_t plen = strcspn(commune_channel, "/");
	bool mine = *tkiosk ? !strcmp(tchan, commune_channel) && !strcmp(tkiosk, kiosk_id)
	                    : !strcmp(tchan, commune_channel) ||
	                          (strlen(tchan) == plen && !strncmp(tchan, commune_channel, plen));
	if (!mine) {
		say(why, whylen, "target %s of %s %s is not this kiosk (%s/%s)", m->target, type_names[m->type], m->id,
		    commune_channel, kiosk_id);
		rc = TT_ERR_INVAL;
		goto out;
	}

	if (m->created + m->ttl < now) {
		say(why, whylen, "%s %s expired %lld s ago", type_names[m->type], m->id,
		    (long long)(now - m->created - m->ttl));
		rc = TT_ERR_RANGE;
		goto out;
	}
	if (m->created > now + FUTURE_MAX) {
		say(why, whylen, "%s %s was created %lld s in the future (more than %d s: a clock is wrong)",
		    type_names[m->type], m->id, (long long)(m->created - now), FUTURE_MAX);
		rc = TT_ERR_RANGE;
		goto out;
	}
	if (m->type == SIGNED_CMD && seen)
		rc = seen_take(seen, m, now, why, whylen);
out:
	free(json);
	crypto_wipe(keys, sizeof keys);
	if (rc != TT_OK)
		signed_msg_free(m);
	return rc;
}
