/* inner.c - the collector's check of a submission's inner JSON (what the
 * kiosk sealed), into a store record.  Apart from the daemon so that the
 * fuzz target reaches it without a broker. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/envelope.h"
#include "tramtin/store.h"
#include "tramtin/text.h"

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

/* Fills r from the inner JSON (as envelope_open_json parsed it); on a
 * fault writes why and returns false. */
bool collector_parse_inner_json(const cJSON *j, store_record *r, char *why, size_t whylen)
{
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
	return ok;
}

bool collector_parse_inner(const char *inner, store_record *r, char *why, size_t whylen)
{
	cJSON *j = cJSON_Parse(inner);
	bool ok = collector_parse_inner_json(j, r, why, whylen);
	envelope_json_free(j); /* wipes the citizen's words */
	return ok;
}
