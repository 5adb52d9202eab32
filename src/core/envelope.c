/* envelope.c - sealing, signing and opening submissions.
 *
 * The kiosk turns a submission into inner JSON (cJSON; text in NFC;
 * anonymous kinds lose their contact and keep only the UTC day), pads it
 * with sodium_pad to a size bucket (1, 2, 4, 8, 16, 32 KiB, then multiples
 * of 32 KiB) so that the length on the wire says little about the text,
 * seals it to the collector's X25519 key (crypto_box_seal, anonymous to
 * the broker), and signs "tramtin-sub-v1\n" + id + "\n" + kiosk + "\n" +
 * sealed with the kiosk's Ed25519 key, so the collector knows which kiosk
 * sent it and that nobody moved a sealed payload under another id.
 * The receiving side parses strictly (v, a lower-case UUID v4, a plain
 * kiosk id), verifies, and opens: padding goes exactly to the bucket, so
 * the decrypted length itself is the block size for sodium_unpad.
 * Buffers and JSON trees that held plaintext are wiped before they are
 * freed (best effort: cJSON's printer reallocates without wiping). */
#include <cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/envelope.h"
#include "tramtin/text.h"

#define SIG_CONTEXT "tramtin-sub-v1\n"
#define BUCKET_MIN 1024u
#define BUCKET_STEP 32768u
#define FIELD_MAX 1024 /* bytes of a short field: category, name, phone, ref, lang */
#define KIOSK_MAX 127
#define LAST_SECOND 253402300799LL /* 9999-12-31T23:59:59Z */

static const char *const kind_names[SUB__KINDS] = {"feedback", "complaint", "objection", "survey"};

const char *sub_kind_name(sub_kind k)
{
	return (unsigned)k < SUB__KINDS ? kind_names[k] : "unknown";
}

bool sub_kind_parse(const char *s, sub_kind *out)
{
	if (!s)
		return false;
	for (int k = 0; k < SUB__KINDS; k++)
		if (strcmp(s, kind_names[k]) == 0) {
			if (out)
				*out = (sub_kind)k;
			return true;
		}
	return false;
}

void envelope_uuid(char out[ENVELOPE_ID_LEN + 1])
{
	unsigned char b[16];
	char hex[33];

	if (!out)
		return;
	randombytes_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 */
	sodium_bin2hex(hex, sizeof hex, b, sizeof b);
	snprintf(out, ENVELOPE_ID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

bool envelope_id_valid(const char *s)
{
	if (!s || strlen(s) != ENVELOPE_ID_LEN)
		return false;
	for (int i = 0; i < ENVELOPE_ID_LEN; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

/* A kiosk id: 1..127 of [A-Za-z0-9_-] (it is also an MQTT username and a
 * topic level, so nothing else is safe). */
static bool is_kiosk_id(const char *s)
{
	size_t n = 0;
	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= KIOSK_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

/* Wipes every string value of a cJSON tree (before cJSON_Delete). */
static void wipe_json(cJSON *j)
{
	for (; j; j = j->next) {
		if (j->valuestring)
			sodium_memzero(j->valuestring, strlen(j->valuestring));
		wipe_json(j->child);
	}
}

static void free_json(cJSON *j)
{
	wipe_json(j);
	cJSON_Delete(j);
}

/* Adds s (NULL as "") to o under key, in NFC.  False if s is not valid
 * UTF-8, longer than max bytes, or memory ran out. */
static bool add_text(cJSON *o, const char *key, const char *s, size_t max)
{
	size_t len;
	char *nfc;
	bool ok;

	if (!s)
		s = "";
	len = strlen(s);
	if (len > max || !text_valid(s, len))
		return false;
	nfc = text_nfc(s, len);
	if (!nfc)
		return false;
	len = strlen(nfc);
	ok = len <= max && cJSON_AddStringToObject(o, key, nfc) != NULL;
	sodium_memzero(nfc, len);
	free(nfc);
	return ok;
}

/* created as ISO 8601 UTC, or the start of its UTC day. */
static bool format_time(int64_t t, bool day_only, char out[32])
{
	int y, mo, d, h, mi;
	if (t < 0 || t > LAST_SECOND)
		return false;
	if (day_only)
		t -= t % 86400;
	clock_civil(t, 0, &y, &mo, &d, &h, &mi, NULL);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, (int)(t % 60));
	return true;
}

char *envelope_inner_json(const tt_submission *s)
{
	char created[32], code[CODE_LEN + 1], grouped[CODE_GROUPED_LEN + 1];
	cJSON *o = NULL;
	char *out = NULL;

	if (!s || (unsigned)s->kind >= SUB__KINDS || s->rating < 0 || s->rating > 5 ||
	    !format_time(s->created, s->anonymous, created))
		return NULL;
	if (s->code && s->code[0] && !code_normalise(s->code, code))
		return NULL;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "kind", kind_names[s->kind]) ||
	    !cJSON_AddStringToObject(o, "created", created) || !add_text(o, "category", s->category, FIELD_MAX) ||
	    (s->rating && !cJSON_AddNumberToObject(o, "rating", s->rating)) ||
	    !add_text(o, "text", s->text, ENVELOPE_MAX_TEXT))
		goto cleanup;
	if (!s->anonymous && ((s->name && s->name[0]) || (s->phone && s->phone[0]))) {
		cJSON *c = cJSON_AddObjectToObject(o, "contact");
		if (!c || !add_text(c, "name", s->name, FIELD_MAX) || !add_text(c, "phone", s->phone, FIELD_MAX))
			goto cleanup;
	}
	if (s->ref && s->ref[0] && !add_text(o, "ref", s->ref, FIELD_MAX))
		goto cleanup;
	if (!add_text(o, "lang", s->lang, FIELD_MAX))
		goto cleanup;
	if (s->code && s->code[0]) {
		code_group(code, grouped);
		if (!cJSON_AddStringToObject(o, "code", grouped))
			goto cleanup;
	}
	out = cJSON_PrintUnformatted(o);
cleanup:
	sodium_memzero(code, sizeof code);
	sodium_memzero(grouped, sizeof grouped);
	free_json(o);
	return out;
}

size_t envelope_bucket(size_t len)
{
	size_t need, b = BUCKET_MIN;

	if (len > (size_t)-1 / 2)
		return 0;
	need = len + 1; /* sodium_pad always adds at least one byte */
	while (b < need && b < BUCKET_STEP)
		b *= 2;
	if (b >= need)
		return b;
	return (need + BUCKET_STEP - 1) / BUCKET_STEP * BUCKET_STEP;
}

/* The signed bytes: context, id, kiosk, sealed (a new string). */
static char *signed_message(const char *id, const char *kiosk, const char *sealed, size_t *len)
{
	size_t lc = strlen(SIG_CONTEXT), li = strlen(id), lk = strlen(kiosk), ls = strlen(sealed);
	size_t n = lc + li + 1 + lk + 1 + ls;
	char *m = malloc(n + 1), *p = m;
	if (!m)
		return NULL;
	memcpy(p, SIG_CONTEXT, lc);
	p += lc;
	memcpy(p, id, li);
	p += li;
	*p++ = '\n';
	memcpy(p, kiosk, lk);
	p += lk;
	*p++ = '\n';
	memcpy(p, sealed, ls + 1);
	*len = n;
	return m;
}

tt_err envelope_build(const char *id, const char *kiosk, const char *inner_json,
                      const unsigned char collector_pk[crypto_box_PUBLICKEYBYTES], const tt_sign_key *key,
                      char **out)
{
	unsigned char *padded = NULL, *sealed = NULL, sig[crypto_sign_BYTES];
	char *sealed_b64 = NULL, *msg = NULL, sig_b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
	                                                                         sodium_base64_VARIANT_ORIGINAL)];
	size_t len, bucket = 0, padded_len, b64_len, msg_len;
	cJSON *o = NULL;
	tt_err rc = TT_ERR_NOMEM;

	if (out)
		*out = NULL;
	if (!out || !envelope_id_valid(id) || !is_kiosk_id(kiosk) || !inner_json || !collector_pk || !key)
		return TT_ERR_INVAL;
	len = strlen(inner_json);
	if (!len || !text_valid(inner_json, len))
		return TT_ERR_INVAL;
	bucket = envelope_bucket(len);
	b64_len = sodium_base64_ENCODED_LEN(bucket + crypto_box_SEALBYTES, sodium_base64_VARIANT_ORIGINAL);
	if (!bucket || b64_len + sizeof sig_b64 + ENVELOPE_ID_LEN + KIOSK_MAX + 64 > ENVELOPE_MAX_BYTES)
		return TT_ERR_RANGE;

	padded = malloc(bucket);
	sealed = malloc(bucket + crypto_box_SEALBYTES);
	sealed_b64 = malloc(b64_len);
	if (!padded || !sealed || !sealed_b64)
		goto cleanup;
	memcpy(padded, inner_json, len);
	if (sodium_pad(&padded_len, padded, len, bucket, bucket) != 0 || padded_len != bucket) {
		rc = TT_ERR_RANGE;
		goto cleanup;
	}
	if (crypto_box_seal(sealed, padded, padded_len, collector_pk) != 0) {
		rc = TT_ERR_CRYPTO;
		goto cleanup;
	}
	sodium_bin2base64(sealed_b64, b64_len, sealed, padded_len + crypto_box_SEALBYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
	msg = signed_message(id, kiosk, sealed_b64, &msg_len);
	if (!msg)
		goto cleanup;
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, msg_len, key->sk);
	sodium_bin2base64(sig_b64, sizeof sig_b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);

	o = cJSON_CreateObject();
	if (!o || !cJSON_AddNumberToObject(o, "v", 1) || !cJSON_AddStringToObject(o, "id", id) ||
	    !cJSON_AddStringToObject(o, "kiosk", kiosk) || !cJSON_AddStringToObject(o, "sealed", sealed_b64) ||
	    !cJSON_AddStringToObject(o, "sig", sig_b64))
		goto cleanup;
	*out = cJSON_PrintUnformatted(o);
	if (!*out)
		goto cleanup;
	if (strlen(*out) > ENVELOPE_MAX_BYTES) {
		free(*out);
		*out = NULL;
		rc = TT_ERR_RANGE;
		goto cleanup;
	}
	rc = TT_OK;
cleanup:
	if (padded)
		sodium_memzero(padded, bucket);
	free(padded);
	free(sealed);
	free(sealed_b64);
	free(msg);
	cJSON_Delete(o);
	return rc;
}

static void set_why(char *why, size_t whylen, const char *text)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", text);
}

/* True if s[0..len) is only JSON whitespace. */
static bool only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* Parses s[0..len) as one JSON value with nothing but blanks after it. */
static cJSON *parse_exact(const char *s, size_t len)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(s, len, &end, false);
	if (j && (!end || end < s || end > s + len || !only_space(end, (size_t)(s + len - end)))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

tt_err envelope_parse(const char *json, size_t len, tt_envelope *env, char *why, size_t whylen)
{
	cJSON *j = NULL;
	const cJSON *v, *id, *kiosk, *sealed, *sig;
	tt_err rc = TT_ERR_PARSE;

	set_why(why, whylen, "");
	if (!env) {
		set_why(why, whylen, "no envelope");
		return TT_ERR_INVAL;
	}
	memset(env, 0, sizeof *env);
	if (!json) {
		set_why(why, whylen, "no envelope");
		return TT_ERR_INVAL;
	}
	if (len > ENVELOPE_MAX_BYTES) {
		set_why(why, whylen, "too large");
		return TT_ERR_RANGE;
	}
	j = parse_exact(json, len);
	if (!cJSON_IsObject(j)) {
		set_why(why, whylen, "not JSON");
		goto cleanup;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "v");
	id = cJSON_GetObjectItemCaseSensitive(j, "id");
	kiosk = cJSON_GetObjectItemCaseSensitive(j, "kiosk");
	sealed = cJSON_GetObjectItemCaseSensitive(j, "sealed");
	sig = cJSON_GetObjectItemCaseSensitive(j, "sig");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1.0) {
		set_why(why, whylen, "unsupported version");
		goto cleanup;
	}
	if (!cJSON_IsString(id) || !envelope_id_valid(id->valuestring)) {
		set_why(why, whylen, "bad id");
		goto cleanup;
	}
	if (!cJSON_IsString(kiosk) || !is_kiosk_id(kiosk->valuestring)) {
		set_why(why, whylen, "bad kiosk");
		goto cleanup;
	}
	if (!cJSON_IsString(sealed) || !sealed->valuestring[0]) {
		set_why(why, whylen, "missing sealed");
		goto cleanup;
	}
	if (!cJSON_IsString(sig) || !sig->valuestring[0]) {
		set_why(why, whylen, "missing sig");
		goto cleanup;
	}
	env->v = 1;
	memcpy(env->id, id->valuestring, ENVELOPE_ID_LEN + 1);
	snprintf(env->kiosk, sizeof env->kiosk, "%s", kiosk->valuestring);
	env->sealed = strdup(sealed->valuestring);
	env->sig = strdup(sig->valuestring);
	if (!env->sealed || !env->sig) {
		envelope_free(env);
		set_why(why, whylen, "out of memory");
		rc = TT_ERR_NOMEM;
		goto cleanup;
	}
	rc = TT_OK;
cleanup:
	cJSON_Delete(j);
	return rc;
}

void envelope_free(tt_envelope *env)
{
	if (!env)
		return;
	free(env->sealed);
	free(env->sig);
	env->sealed = env->sig = NULL;
}

tt_err envelope_verify(const tt_envelope *env, const unsigned char kiosk_pk[crypto_sign_PUBLICKEYBYTES])
{
	unsigned char sig[crypto_sign_BYTES];
	size_t len;
	char *msg;
	int ok;

	if (!env || !env->sealed || !env->sig || !kiosk_pk)
		return TT_ERR_INVAL;
	if (b64_decode_public(env->sig, strlen(env->sig), sig, sizeof sig, sizeof sig, NULL) != TT_OK)
		return TT_ERR_CRYPTO;
	msg = signed_message(env->id, env->kiosk, env->sealed, &len);
	if (!msg)
		return TT_ERR_NOMEM;
	ok = crypto_sign_verify_detached(sig, (const unsigned char *)msg, len, kiosk_pk) == 0;
	free(msg);
	return ok ? TT_OK : TT_ERR_CRYPTO;
}

/* Opens the seal: the inner JSON as text in *inner (if inner) and parsed
 * in *json (if json). */
static tt_err open_inner(const tt_envelope *env, const tt_box_key *collector, char **inner, cJSON **json)
{
	unsigned char *ct = NULL, *pt = NULL;
	size_t ct_max, ct_len = 0, pt_len = 0, len = 0, b64_len;
	cJSON *j = NULL;
	tt_err rc = TT_ERR_NOMEM;

	if (!env || !env->sealed || !collector)
		return TT_ERR_INVAL;
	/* The sealed text is ciphertext, public: no need for a constant-time decoder. */
	b64_len = strlen(env->sealed);
	ct_max = b64_len / 4 * 3 + 3;
	ct = malloc(ct_max);
	if (!ct)
		goto cleanup;
	if (b64_decode_public(env->sealed, b64_len, ct, ct_max, 0, &ct_len) != TT_OK || ct_len <= crypto_box_SEALBYTES) {
		rc = TT_ERR_CRYPTO;
		goto cleanup;
	}
	pt_len = ct_len - crypto_box_SEALBYTES;
	pt = malloc(pt_len + 1);
	if (!pt)
		goto cleanup;
	if (crypto_box_seal_open(pt, ct, ct_len, collector->pk, collector->sk) != 0) {
		rc = TT_ERR_CRYPTO;
		goto cleanup;
	}
	/* Padding runs exactly to the bucket: the whole is one block. */
	if (sodium_unpad(&len, pt, pt_len, pt_len) != 0 || !text_valid((const char *)pt, len)) {
		rc = TT_ERR_PARSE;
		goto cleanup;
	}
	j = parse_exact((const char *)pt, len);
	if (!cJSON_IsObject(j)) {
		rc = TT_ERR_PARSE;
		goto cleanup;
	}
	if (json) {
		*json = j;
		j = NULL;
	}
	if (inner) {
		sodium_memzero(pt + len, pt_len - len);
		pt[len] = '\0';
		*inner = (char *)pt;
		pt = NULL;
	}
	rc = TT_OK;
cleanup:
	free_json(j);
	if (pt)
		sodium_memzero(pt, pt_len + 1);
	free(pt);
	free(ct);
	return rc;
}

tt_err envelope_open(const tt_envelope *env, const tt_box_key *collector, char **inner)
{
	if (inner)
		*inner = NULL;
	if (!inner)
		return TT_ERR_INVAL;
	return open_inner(env, collector, inner, NULL);
}

tt_err envelope_open_json(const tt_envelope *env, const tt_box_key *collector, cJSON **inner)
{
	if (inner)
		*inner = NULL;
	if (!inner)
		return TT_ERR_INVAL;
	return open_inner(env, collector, NULL, inner);
}

void envelope_json_free(cJSON *j)
{
	free_json(j);
}

tt_err envelope_ack_parse(const char *json, size_t len, void (*each)(void *ctx, const char *const *ids, size_t n),
                          void *ctx)
{
	if (!json || !each)
		return TT_ERR_INVAL;
	if (len > 1u << 20)
		return TT_ERR_RANGE;
	cJSON *j = cJSON_ParseWithLength(json, len);
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(j, "ids"), *id;
	if (!cJSON_IsObject(j) || !cJSON_IsArray(ids)) {
		cJSON_Delete(j);
		return TT_ERR_PARSE;
	}
	const char *list[ENVELOPE_ACK_BATCH];
	size_t k = 0;
	cJSON_ArrayForEach(id, ids) {
		if (cJSON_IsString(id))
			list[k++] = id->valuestring;
		if (k == ENVELOPE_ACK_BATCH) {
			each(ctx, list, k);
			k = 0;
		}
	}
	if (k)
		each(ctx, list, k);
	cJSON_Delete(j);
	return TT_OK;
}
