/* test_envelope.c - sealed, signed submissions end to end (build, parse,
 * verify, open), what the broker can and cannot see, size buckets, and
 * the key files of crypto.c. */
#include <cJSON.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tramtin/code.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"

static tt_sign_key kiosk_key;
static tt_box_key collector;
static char tmpdir[64];

/* 2025-03-04T17:23:45Z */
#define T_CREATED 1741109025

static int setup(void **state)
{
	(void)state;
	if (crypto_init() != TT_OK)
		return -1;
	crypto_sign_keypair(kiosk_key.pk, kiosk_key.sk);
	crypto_box_keypair(collector.pk, collector.sk);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tt-envelope-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static tt_submission feedback(const char *text)
{
	tt_submission s = {
		.kind = SUB_FEEDBACK,
		.category = "y-te",
		.rating = 4,
		.text = text,
		.name = "Nguyễn Văn A",
		.phone = "0912345678",
		.ref = "bhyt-2025",
		.lang = "vi",
		.code = "7KQ2-M9XD-4TRB-HV3N",
		.created = T_CREATED,
	};
	return s;
}

/* Builds an envelope around s into *json (caller frees). */
static void build(const tt_submission *s, char id[ENVELOPE_ID_LEN + 1], char **json)
{
	char *inner = envelope_inner_json(s);
	assert_non_null(inner);
	envelope_uuid(id);
	assert_int_equal(envelope_build(id, "ht-camxuyen-01", inner, collector.pk, &kiosk_key, json), TT_OK);
	assert_non_null(*json);
	free(inner);
}

static size_t sealed_len(const char *json)
{
	tt_envelope e;
	char why[64];
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), TT_OK);
	size_t n = strlen(e.sealed);
	envelope_free(&e);
	return n;
}

static void assert_uuid_v4(const char *u)
{
	assert_int_equal(strlen(u), 36);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(u[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", u[i]));
	}
	assert_int_equal(u[14], '4');
	assert_non_null(strchr("89ab", u[19]));
}

static void uuid_is_v4_lower_case(void **state)
{
	(void)state;
	char prev[ENVELOPE_ID_LEN + 1] = "";
	for (int i = 0; i < 200; i++) {
		char u[ENVELOPE_ID_LEN + 1];
		envelope_uuid(u);
		assert_uuid_v4(u);
		assert_string_not_equal(u, prev);
		memcpy(prev, u, sizeof u);
	}
}

static void roundtrip(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1], why[64];
	const char *text = "Trạm y tế xã cần thêm thuốc \"hạ sốt\"\nvà giờ mở cửa sớm hơn.";
	tt_submission s = feedback(text);
	char *json;
	build(&s, id, &json);

	tt_envelope e;
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), TT_OK);
	assert_int_equal(e.v, 1);
	assert_string_equal(e.id, id);
	assert_string_equal(e.kiosk, "ht-camxuyen-01");
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_OK);

	char *inner = NULL;
	assert_int_equal(envelope_open(&e, &collector, &inner), TT_OK);
	cJSON *j = cJSON_Parse(inner);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "feedback");
	assert_string_equal(cJSON_GetObjectItem(j, "created")->valuestring, "2025-03-04T17:23:45Z");
	assert_string_equal(cJSON_GetObjectItem(j, "category")->valuestring, "y-te");
	assert_int_equal(cJSON_GetObjectItem(j, "rating")->valueint, 4);
	assert_string_equal(cJSON_GetObjectItem(j, "text")->valuestring, text);
	const cJSON *c = cJSON_GetObjectItem(j, "contact");
	assert_non_null(c);
	assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring, "Nguyễn Văn A");
	assert_string_equal(cJSON_GetObjectItem(c, "phone")->valuestring, "0912345678");
	assert_string_equal(cJSON_GetObjectItem(j, "ref")->valuestring, "bhyt-2025");
	assert_string_equal(cJSON_GetObjectItem(j, "lang")->valuestring, "vi");
	assert_string_equal(cJSON_GetObjectItem(j, "code")->valuestring, "7KQ2-M9XD-4TRB-HV3N");
	cJSON_Delete(j);

	/* what was opened is exactly the inner JSON that was sealed */
	char *again = envelope_inner_json(&s);
	assert_string_equal(inner, again);
	free(again);
	/* opened as a parsed object: the same JSON */
	cJSON *parsed = NULL;
	assert_int_equal(envelope_open_json(&e, &collector, &parsed), TT_OK);
	assert_true(cJSON_IsObject(parsed));
	char *printed = cJSON_PrintUnformatted(parsed);
	assert_string_equal(printed, inner);
	free(printed);
	envelope_json_free(parsed);
	envelope_json_free(NULL);
	free(inner);
	envelope_free(&e);
	envelope_free(&e); /* harmless twice */
	free(json);
}

static void envelope_json_is_exact(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1], prefix[128];
	tt_submission s = feedback("ok");
	char *json;
	build(&s, id, &json);
	snprintf(prefix, sizeof prefix, "{\"v\":1,\"id\":\"%s\",\"kiosk\":\"ht-camxuyen-01\",\"sealed\":\"", id);
	assert_memory_equal(json, prefix, strlen(prefix));
	assert_non_null(strstr(json, "\",\"sig\":\""));
	assert_int_equal(json[strlen(json) - 1], '}');
	cJSON *j = cJSON_Parse(json);
	assert_int_equal(cJSON_GetArraySize(j), 5);
	/* sig is base64 of 64 bytes */
	unsigned char sig[64];
	assert_int_equal(b64_decode(cJSON_GetObjectItem(j, "sig")->valuestring, sig, sizeof sig, 64, NULL), TT_OK);
	cJSON_Delete(j);
	free(json);
}

static void signature_covers_the_exact_bytes(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1], why[64];
	tt_submission s = feedback("ok");
	char *json;
	build(&s, id, &json);
	tt_envelope e;
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), TT_OK);
	/* checked independently: Ed25519 over context, id, kiosk, sealed */
	size_t n = strlen("tramtin-sub-v1\n") + 36 + 1 + strlen(e.kiosk) + 1 + strlen(e.sealed);
	char *m = malloc(n + 1);
	snprintf(m, n + 1, "tramtin-sub-v1\n%s\n%s\n%s", e.id, e.kiosk, e.sealed);
	unsigned char sig[64];
	assert_int_equal(b64_decode(e.sig, sig, sizeof sig, 64, NULL), TT_OK);
	assert_int_equal(crypto_sign_verify_detached(sig, (unsigned char *)m, n, kiosk_key.pk), 0);
	free(m);
	envelope_free(&e);
	free(json);
}

static void anonymous_has_no_contact_and_only_the_day(void **state)
{
	(void)state;
	tt_submission s = feedback("Cán bộ thôn đòi tiền khi làm hồ sơ.");
	s.kind = SUB_COMPLAINT;
	s.anonymous = true; /* name and phone set on purpose: they must not go */
	s.rating = 0;
	s.ref = "";
	char *inner = envelope_inner_json(&s);
	assert_non_null(inner);
	assert_null(strstr(inner, "Nguyễn"));
	assert_null(strstr(inner, "0912345678"));
	cJSON *j = cJSON_Parse(inner);
	assert_null(cJSON_GetObjectItem(j, "contact"));
	assert_null(cJSON_GetObjectItem(j, "rating"));
	assert_null(cJSON_GetObjectItem(j, "ref"));
	assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "complaint");
	assert_string_equal(cJSON_GetObjectItem(j, "created")->valuestring, "2025-03-04T00:00:00Z");
	cJSON_Delete(j);
	free(inner);

	/* late in the UTC day (early next morning in Vietnam): still that UTC day */
	s.created = 1741132799; /* 2025-03-04T23:59:59Z */
	inner = envelope_inner_json(&s);
	assert_non_null(strstr(inner, "\"created\":\"2025-03-04T00:00:00Z\""));
	free(inner);

	/* not anonymous, no name or phone: no contact either */
	s.anonymous = false;
	s.name = "";
	s.phone = NULL;
	inner = envelope_inner_json(&s);
	assert_null(strstr(inner, "contact"));
	assert_non_null(strstr(inner, "\"created\":\"2025-03-04T23:59:59Z\""));
	free(inner);
}

static void inner_json_checks_its_input(void **state)
{
	(void)state;
	tt_submission s = feedback("\xc3\x28 bad");
	assert_null(envelope_inner_json(&s));
	s.text = "ok";
	s.name = "\xff";
	assert_null(envelope_inner_json(&s));
	s = feedback("ok");
	s.rating = 6;
	assert_null(envelope_inner_json(&s));
	s = feedback("ok");
	s.kind = SUB__KINDS;
	assert_null(envelope_inner_json(&s));
	s = feedback("ok");
	s.code = "7KQ2-M9XD-4TRB-HV3U";
	assert_null(envelope_inner_json(&s));
	s = feedback("ok");
	s.created = -1;
	assert_null(envelope_inner_json(&s));
	assert_null(envelope_inner_json(NULL));

	/* text: up to ENVELOPE_MAX_TEXT bytes */
	char *big = malloc(ENVELOPE_MAX_TEXT + 2);
	memset(big, 'a', ENVELOPE_MAX_TEXT + 1);
	big[ENVELOPE_MAX_TEXT + 1] = '\0';
	s.created = T_CREATED;
	s.text = big;
	assert_null(envelope_inner_json(&s));
	big[ENVELOPE_MAX_TEXT] = '\0';
	char *inner = envelope_inner_json(&s);
	assert_non_null(inner);
	free(inner);
	free(big);

	/* text is stored in NFC; a code typed loosely travels grouped */
	s = feedback("Khe\xcc\x81o"); /* e + combining acute */
	s.code = "7kq2m9xd4trbhv3n";
	inner = envelope_inner_json(&s);
	assert_non_null(strstr(inner, "\"text\":\"Kh\xc3\xa9o\""));
	assert_non_null(strstr(inner, "\"code\":\"7KQ2-M9XD-4TRB-HV3N\""));
	free(inner);

	/* a survey or an objection without a code leaves the key out */
	s = feedback("ok");
	s.kind = SUB_OBJECTION;
	s.code = NULL;
	inner = envelope_inner_json(&s);
	assert_null(strstr(inner, "\"code\""));
	assert_non_null(strstr(inner, "\"kind\":\"objection\""));
	free(inner);
}

static void kind_names(void **state)
{
	(void)state;
	sub_kind k;
	const char *names[] = {"feedback", "complaint", "objection", "survey"};
	for (int i = 0; i < SUB__KINDS; i++) {
		assert_string_equal(sub_kind_name((sub_kind)i), names[i]);
		assert_true(sub_kind_parse(names[i], &k));
		assert_int_equal(k, i);
	}
	assert_false(sub_kind_parse("Feedback", &k));
	assert_false(sub_kind_parse(NULL, &k));
}

static void tampering_fails_verify(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1], why[64];
	tt_submission s = feedback("ok");
	char *json;
	build(&s, id, &json);
	tt_envelope e;
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), TT_OK);
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_OK);

	/* one bit of one base64 character of sealed ('A' <-> 'B' is bit 0) */
	size_t mid = strlen(e.sealed) / 2;
	char saved = e.sealed[mid];
	e.sealed[mid] = saved == 'A' ? 'B' : 'A';
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_ERR_CRYPTO);
	e.sealed[mid] = saved;

	/* the signed fields: id and kiosk */
	e.id[35] = e.id[35] == '0' ? '1' : '0';
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_ERR_CRYPTO);
	e.id[35] = id[35];
	e.kiosk[0] ^= 1;
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_ERR_CRYPTO);
	e.kiosk[0] ^= 1;
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_OK);

	/* the signature itself, and another kiosk's key */
	saved = e.sig[10];
	e.sig[10] = saved == 'A' ? 'B' : 'A';
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_ERR_CRYPTO);
	e.sig[10] = saved;
	tt_sign_key other;
	crypto_sign_keypair(other.pk, other.sk);
	assert_int_equal(envelope_verify(&e, other.pk), TT_ERR_CRYPTO);
	envelope_free(&e);

	/* a bit flipped in the JSON text of sealed, parsed again */
	char *p = strstr(json, "\"sealed\":\"") + 20;
	*p = *p == 'A' ? 'B' : 'A';
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), TT_OK);
	assert_int_equal(envelope_verify(&e, kiosk_key.pk), TT_ERR_CRYPTO);
	/* and such a sealed box does not open either */
	char *inner = (char *)"x";
	assert_int_equal(envelope_open(&e, &collector, &inner), TT_ERR_CRYPTO);
	assert_null(inner);
	envelope_free(&e);
	free(json);
}

static void wrong_collector_key_fails_open(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1], why[64];
	tt_submission s = feedback("ok");
	char *json;
	build(&s, id, &json);
	tt_envelope e;
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), TT_OK);
	tt_box_key other;
	crypto_box_keypair(other.pk, other.sk);
	char *inner = NULL;
	assert_int_equal(envelope_open(&e, &other, &inner), TT_ERR_CRYPTO);
	assert_null(inner);
	/* the right secret key with a wrong public key does not open either */
	memcpy(other.sk, collector.sk, sizeof other.sk);
	assert_int_equal(envelope_open(&e, &other, &inner), TT_ERR_CRYPTO);
	envelope_free(&e);
	free(json);
}

/* Anyone may seal to the collector: what opens must still be padded JSON. */
static void open_checks_padding_and_content(void **state)
{
	(void)state;
	unsigned char pt[1024], ct[1024 + crypto_box_SEALBYTES];
	char b64[2048];
	size_t plen;
	tt_envelope e = {.v = 1, .id = "", .kiosk = "k"};
	char *inner = NULL;

	/* not padded at all */
	memcpy(pt, "{\"kind\":\"feedback\"}", 19);
	crypto_box_seal(ct, pt, 19, collector.pk);
	e.sealed = b64_encode(ct, 19 + crypto_box_SEALBYTES, b64, sizeof b64);
	assert_int_equal(envelope_open(&e, &collector, &inner), TT_ERR_PARSE);

	/* padded, but not JSON */
	memcpy(pt, "hello", 5);
	assert_int_equal(sodium_pad(&plen, pt, 5, 1024, sizeof pt), 0);
	crypto_box_seal(ct, pt, plen, collector.pk);
	e.sealed = b64_encode(ct, plen + crypto_box_SEALBYTES, b64, sizeof b64);
	assert_int_equal(envelope_open(&e, &collector, &inner), TT_ERR_PARSE);

	/* padded JSON: opens, to exactly the bytes before the padding */
	memcpy(pt, "{\"a\":1} ", 8);
	assert_int_equal(sodium_pad(&plen, pt, 8, 1024, sizeof pt), 0);
	crypto_box_seal(ct, pt, plen, collector.pk);
	e.sealed = b64_encode(ct, plen + crypto_box_SEALBYTES, b64, sizeof b64);
	assert_int_equal(envelope_open(&e, &collector, &inner), TT_OK);
	assert_string_equal(inner, "{\"a\":1} ");
	free(inner);

	/* not base64, too short */
	e.sealed = (char *)"!!!!";
	assert_int_equal(envelope_open(&e, &collector, &inner), TT_ERR_CRYPTO);
	e.sealed = (char *)"AAAA";
	assert_int_equal(envelope_open(&e, &collector, &inner), TT_ERR_CRYPTO);
}

static void buckets(void **state)
{
	(void)state;
	assert_int_equal(envelope_bucket(0), 1024);
	assert_int_equal(envelope_bucket(1023), 1024);
	assert_int_equal(envelope_bucket(1024), 2048);
	assert_int_equal(envelope_bucket(2047), 2048);
	assert_int_equal(envelope_bucket(4000), 4096);
	assert_int_equal(envelope_bucket(16384), 32768);
	assert_int_equal(envelope_bucket(32767), 32768);
	assert_int_equal(envelope_bucket(32768), 65536);
	assert_int_equal(envelope_bucket(65535), 65536);
	assert_int_equal(envelope_bucket(65536), 98304);
	for (size_t n = 0; n < 200000; n += 97) {
		size_t b = envelope_bucket(n);
		assert_true(b >= n + 1);
		assert_true(b == 1024 || b == 2048 || b == 4096 || b == 8192 || b == 16384 || b % 32768 == 0);
	}
}

static void texts_of_similar_size_look_alike(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1];
	char text[1501];
	size_t lens[4];
	const size_t sizes[4] = {1, 500, 900, 1500};
	for (int i = 0; i < 4; i++) {
		memset(text, 'x', sizes[i]);
		text[sizes[i]] = '\0';
		/* an anonymous complaint: about 130 bytes of JSON around the text */
		tt_submission s = feedback(text);
		s.kind = SUB_COMPLAINT;
		s.anonymous = true;
		s.rating = 0;
		s.ref = NULL;
		char *json;
		build(&s, id, &json);
		lens[i] = sealed_len(json);
		free(json);
	}
	assert_int_equal(lens[0], lens[1]);
	assert_int_equal(lens[1], lens[2]);
	assert_true(lens[3] > lens[2]);
	/* exactly one bucket (1024) plus the seal's overhead, in base64 */
	assert_int_equal(lens[0], sodium_base64_ENCODED_LEN(1024 + crypto_box_SEALBYTES, sodium_base64_VARIANT_ORIGINAL) - 1);
	assert_int_equal(lens[3], sodium_base64_ENCODED_LEN(2048 + crypto_box_SEALBYTES, sodium_base64_VARIANT_ORIGINAL) - 1);
}

static void broker_sees_no_kind_text_or_code(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1];
	size_t first = 0;
	for (int k = 0; k < SUB__KINDS; k++) {
		tt_submission s = feedback("secret words");
		s.kind = (sub_kind)k;
		s.anonymous = k == SUB_COMPLAINT;
		char *json;
		build(&s, id, &json);
		/* exactly five keys, and nothing readable outside the base64 */
		cJSON *j = cJSON_Parse(json);
		const char *keys[] = {"v", "id", "kiosk", "sealed", "sig"};
		int i = 0;
		for (const cJSON *c = j->child; c; c = c->next, i++) {
			assert_true(i < 5);
			assert_string_equal(c->string, keys[i]);
		}
		assert_int_equal(i, 5);
		cJSON_ReplaceItemInObject(j, "sealed", cJSON_CreateString(""));
		cJSON_ReplaceItemInObject(j, "sig", cJSON_CreateString(""));
		char *visible = cJSON_PrintUnformatted(j);
		for (int n = 0; n < SUB__KINDS; n++)
			assert_null(strstr(visible, sub_kind_name((sub_kind)n)));
		assert_null(strstr(visible, "kind"));
		assert_null(strstr(visible, "secret"));
		assert_null(strstr(visible, "7KQ2"));
		assert_null(strstr(visible, "Nguy"));
		assert_null(strstr(visible, "2025"));
		free(visible);
		cJSON_Delete(j);
		/* and every kind is the same size on the wire */
		if (!k)
			first = strlen(json);
		assert_int_equal(strlen(json), first);
		free(json);
	}
}

static void build_checks_its_input(void **state)
{
	(void)state;
	char id[ENVELOPE_ID_LEN + 1], *out = (char *)"x";
	envelope_uuid(id);
	assert_int_equal(envelope_build("not-a-uuid", "k", "{}", collector.pk, &kiosk_key, &out), TT_ERR_INVAL);
	assert_null(out);
	assert_int_equal(envelope_build(id, "bad/kiosk", "{}", collector.pk, &kiosk_key, &out), TT_ERR_INVAL);
	assert_int_equal(envelope_build(id, "", "{}", collector.pk, &kiosk_key, &out), TT_ERR_INVAL);
	assert_int_equal(envelope_build(id, "k", "\xff", collector.pk, &kiosk_key, &out), TT_ERR_INVAL);
	assert_int_equal(envelope_build(id, "k", NULL, collector.pk, &kiosk_key, &out), TT_ERR_INVAL);
	assert_int_equal(envelope_build(id, "k", "{}", NULL, &kiosk_key, &out), TT_ERR_INVAL);
	assert_int_equal(envelope_build(id, "k", "{}", collector.pk, NULL, &out), TT_ERR_INVAL);
	/* too large for ENVELOPE_MAX_BYTES */
	char *big = malloc(40001);
	memset(big, 'a', 40000);
	big[40000] = '\0';
	assert_int_equal(envelope_build(id, "k", big, collector.pk, &kiosk_key, &out), TT_ERR_RANGE);
	/* the largest that fits: 32767 bytes (bucket 32768) */
	big[32767] = '\0';
	assert_int_equal(envelope_build(id, "k", big, collector.pk, &kiosk_key, &out), TT_OK);
	assert_true(strlen(out) <= ENVELOPE_MAX_BYTES);
	free(out);
	free(big);
}

static void expect_parse_error(const char *json, tt_err want, const char *reason)
{
	tt_envelope e;
	char why[64] = "unset";
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), want);
	assert_string_equal(why, reason);
	if (want != TT_OK) {
		assert_null(e.sealed);
		assert_null(e.sig);
	}
	envelope_free(&e);
}

static void parse_is_strict(void **state)
{
	(void)state;
	const char *id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	char buf[512];
#define ENV(v, idv, k, rest) (snprintf(buf, sizeof buf, "{\"v\":%s,\"id\":\"%s\",\"kiosk\":\"%s\"%s}", v, idv, k, rest), buf)
	const char *ok = ",\"sealed\":\"AAAA\",\"sig\":\"BBBB\"";

	tt_envelope e;
	char why[64];
	ENV("1", id, "ht-camxuyen_01", ok);
	assert_int_equal(envelope_parse(buf, strlen(buf), &e, why, sizeof why), TT_OK);
	assert_string_equal(e.id, id);
	assert_string_equal(e.sealed, "AAAA");
	assert_string_equal(e.sig, "BBBB");
	envelope_free(&e);
	/* len is honoured: no NUL needed after the JSON */
	strcat(buf, "garbage");
	assert_int_equal(envelope_parse(buf, strlen(buf) - 7, &e, why, sizeof why), TT_OK);
	envelope_free(&e);

	expect_parse_error("", TT_ERR_PARSE, "not JSON");
	expect_parse_error("{\"v\":1", TT_ERR_PARSE, "not JSON");
	expect_parse_error("[1,2]", TT_ERR_PARSE, "not JSON");
	expect_parse_error(ENV("1", id, "k", ok) /* then */, TT_OK, "");
	strcat(buf, " {}");
	expect_parse_error(buf, TT_ERR_PARSE, "not JSON");
	expect_parse_error(ENV("2", id, "k", ok), TT_ERR_PARSE, "unsupported version");
	expect_parse_error(ENV("\"1\"", id, "k", ok), TT_ERR_PARSE, "unsupported version");
	expect_parse_error(ENV("1", "0F8FAD5B-D9CB-469F-A165-70867728950E", "k", ok), TT_ERR_PARSE, "bad id");
	expect_parse_error(ENV("1", "0f8fad5b-d9cb-169f-a165-70867728950e", "k", ok), TT_ERR_PARSE, "bad id");
	expect_parse_error(ENV("1", "0f8fad5b-d9cb-469f-c165-70867728950e", "k", ok), TT_ERR_PARSE, "bad id");
	expect_parse_error(ENV("1", "0f8fad5bd9cb469fa16570867728950e", "k", ok), TT_ERR_PARSE, "bad id");
	expect_parse_error(ENV("1", id, "", ok), TT_ERR_PARSE, "bad kiosk");
	expect_parse_error(ENV("1", id, "ht/camxuyen", ok), TT_ERR_PARSE, "bad kiosk");
	expect_parse_error(ENV("1", id, "a b", ok), TT_ERR_PARSE, "bad kiosk");
	expect_parse_error(ENV("1", id, "k#", ok), TT_ERR_PARSE, "bad kiosk");
	char long_kiosk[129];
	memset(long_kiosk, 'k', 128);
	long_kiosk[128] = '\0';
	expect_parse_error(ENV("1", id, long_kiosk, ok), TT_ERR_PARSE, "bad kiosk");
	long_kiosk[127] = '\0';
	expect_parse_error(ENV("1", id, long_kiosk, ok), TT_OK, "");
	expect_parse_error(ENV("1", id, "k", ",\"sig\":\"BBBB\""), TT_ERR_PARSE, "missing sealed");
	expect_parse_error(ENV("1", id, "k", ",\"sealed\":1,\"sig\":\"BBBB\""), TT_ERR_PARSE, "missing sealed");
	expect_parse_error(ENV("1", id, "k", ",\"sealed\":\"AAAA\""), TT_ERR_PARSE, "missing sig");
	expect_parse_error(ENV("1", id, "k", ",\"sealed\":\"AAAA\",\"sig\":null"), TT_ERR_PARSE, "missing sig");
#undef ENV

	char *huge = malloc(ENVELOPE_MAX_BYTES + 2);
	memset(huge, ' ', ENVELOPE_MAX_BYTES + 1);
	huge[ENVELOPE_MAX_BYTES + 1] = '\0';
	expect_parse_error(huge, TT_ERR_RANGE, "too large");
	free(huge);
	assert_int_equal(envelope_parse(NULL, 0, &e, why, sizeof why), TT_ERR_INVAL);
}

/* --- crypto.c: base64 and key files ------------------------------------- */

static void base64_is_strict(void **state)
{
	(void)state;
	unsigned char out[8];
	char b64[16];
	size_t got = 0;
	assert_string_equal(b64_encode((const unsigned char *)"abc", 3, b64, sizeof b64), "YWJj");
	assert_string_equal(b64_encode((const unsigned char *)"ab", 2, b64, sizeof b64), "YWI=");
	assert_null(b64_encode((const unsigned char *)"abcdefghijkl", 12, b64, 16)); /* needs 17 */
	assert_int_equal(b64_decode("YWI=", out, sizeof out, 0, &got), TT_OK);
	assert_int_equal(got, 2);
	assert_memory_equal(out, "ab", 2);
	assert_int_equal(b64_decode("YWI=", out, sizeof out, 3, NULL), TT_ERR_PARSE);
	assert_int_equal(b64_decode("YWI", out, sizeof out, 0, NULL), TT_ERR_PARSE);   /* no padding */
	assert_int_equal(b64_decode("YW-=", out, sizeof out, 0, NULL), TT_ERR_PARSE);  /* URL alphabet */
	assert_int_equal(b64_decode("YWI= ", out, sizeof out, 0, NULL), TT_ERR_PARSE); /* trailing junk */
	assert_int_equal(b64_decode("YWJjZGVmZ2hpams=", out, sizeof out, 0, NULL), TT_ERR_PARSE); /* too long */
}

/* The fast decoder for public data accepts and refuses what sodium's
 * does (except that it also refuses bytes outside ASCII, some of which
 * sodium's takes for '/' or '+'): every length and value of short inputs, then mangled
 * ones (bad characters, padding in the wrong place, non-zero trailing
 * bits, too long for the buffer, wrong expected length). */
static void base64_public_agrees_with_sodium(void **state)
{
	(void)state;
	unsigned char bin[64], a[64], b[64];
	char text[128];
	static const char pokes[] = "A/+=-_ \n\0\xff" "9z";
	for (size_t len = 0; len <= 40; len++) {
		for (int round = 0; round < 20; round++) {
			randombytes_buf(bin, len);
			b64_encode(bin, len, text, sizeof text);
			size_t tl = strlen(text);
			for (int m = -1; m < (int)tl * 4; m++) {
				char t[128];
				memcpy(t, text, tl + 1);
				size_t cut = tl;
				if (m >= 0 && m < (int)tl)
					t[m] = pokes[(size_t)(round + m) % (sizeof pokes - 1)];
				else if (m >= (int)tl && m < (int)tl + 4 && tl)
					cut = tl - (size_t)(m - (int)tl) % 4; /* drop a few characters */
				else if (m >= 0)
					break;
				t[cut] = '\0';
				size_t tlen = strlen(t); /* a poked NUL shortens it */
				for (size_t outlen = len ? len - 1 : 0; outlen <= len + 1; outlen++)
					for (size_t want = 0; want <= 2; want++) {
						size_t w = want == 0 ? 0 : want == 1 ? len : len + 1;
						size_t ga = 99, gb = 99;
						tt_err ea = b64_decode(t, a, outlen ? outlen : 1, w, &ga);
						tt_err eb = b64_decode_public(t, tlen, b, outlen ? outlen : 1, w, &gb);
						bool high = false; /* sodium takes some bytes >= 0x80 as '/' or '+': fast refuses them */
						for (size_t i = 0; i < tlen; i++)
							high |= (unsigned char)t[i] >= 0x80;
						if (ea != eb && !(high && eb == TT_ERR_PARSE))
							fail_msg("'%s' outlen %zu want %zu: sodium %d, fast %d", t, outlen, w, ea, eb);
						if (ea == TT_OK && eb == TT_OK) {
							assert_int_equal(ga, gb);
							assert_memory_equal(a, b, ga);
						}
					}
			}
		}
	}
}

static void path_in_tmp(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

static void keygen_writes_and_refuses_to_overwrite(void **state)
{
	(void)state;
	char prefix[128], keyf[160], pubf[160], err[256];
	struct stat st;
	path_in_tmp(prefix, sizeof prefix, "staff");
	snprintf(keyf, sizeof keyf, "%s.key", prefix);
	snprintf(pubf, sizeof pubf, "%s.pub", prefix);

	assert_int_equal(crypto_keygen("sign", prefix, err, sizeof err), TT_OK);
	assert_int_equal(stat(keyf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	tt_sign_key k;
	assert_int_equal(crypto_sign_key_load(keyf, &k), TT_OK);
	unsigned char pub[crypto_sign_PUBLICKEYBYTES];
	assert_int_equal(crypto_read_key_file(pubf, pub, sizeof pub), TT_OK);
	assert_memory_equal(pub, k.pk, sizeof pub);
	/* a signature made with the file's key verifies with the .pub */
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)"m", 1, k.sk);
	assert_int_equal(crypto_sign_verify_detached(sig, (const unsigned char *)"m", 1, pub), 0);

	/* never overwritten; the message names the file */
	err[0] = '\0';
	assert_int_equal(crypto_keygen("sign", prefix, err, sizeof err), TT_ERR_IO);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, keyf));
	tt_sign_key k2;
	assert_int_equal(crypto_sign_key_load(keyf, &k2), TT_OK);
	assert_memory_equal(k2.sk, k.sk, sizeof k.sk);

	/* box keys: 32-byte secret; the public key derives from it */
	path_in_tmp(prefix, sizeof prefix, "collector");
	snprintf(keyf, sizeof keyf, "%s.key", prefix);
	snprintf(pubf, sizeof pubf, "%s.pub", prefix);
	assert_int_equal(crypto_keygen("box", prefix, err, sizeof err), TT_OK);
	unsigned char sk[crypto_box_SECRETKEYBYTES], bpk[crypto_box_PUBLICKEYBYTES], derived[crypto_box_PUBLICKEYBYTES];
	assert_int_equal(crypto_read_key_file(keyf, sk, sizeof sk), TT_OK);
	assert_int_equal(crypto_read_key_file(pubf, bpk, sizeof bpk), TT_OK);
	assert_int_equal(crypto_scalarmult_base(derived, sk), 0);
	assert_memory_equal(derived, bpk, sizeof bpk);
	tt_box_key bk;
	assert_int_equal(crypto_box_key_load(keyf, &bk), TT_OK);
	assert_memory_equal(bk.pk, bpk, sizeof bpk);

	/* an envelope sealed to the .pub opens with the .key */
	char id[ENVELOPE_ID_LEN + 1], *json = NULL, *inner = NULL, why[64];
	envelope_uuid(id);
	assert_int_equal(envelope_build(id, "k1", "{\"kind\":\"feedback\"}", bpk, &k, &json), TT_OK);
	tt_envelope e;
	assert_int_equal(envelope_parse(json, strlen(json), &e, why, sizeof why), TT_OK);
	assert_int_equal(envelope_verify(&e, pub), TT_OK);
	assert_int_equal(envelope_open(&e, &bk, &inner), TT_OK);
	assert_string_equal(inner, "{\"kind\":\"feedback\"}");
	free(inner);
	envelope_free(&e);
	free(json);

	/* a bad kind names itself */
	assert_int_equal(crypto_keygen("rsa", prefix, err, sizeof err), TT_ERR_INVAL);
	assert_non_null(strstr(err, "rsa"));
	/* a folder that does not exist */
	assert_int_equal(crypto_keygen("sign", "/tmp/tt-no-such-dir-xyz/k", err, sizeof err), TT_ERR_IO);
	assert_non_null(strstr(err, "/tmp/tt-no-such-dir-xyz/k.key"));
	/* no temp files left behind */
	char cmd[256];
	snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", tmpdir);
	assert_int_not_equal(system(cmd), 0);
}

static void sign_key_is_created_once(void **state)
{
	(void)state;
	char path[128];
	struct stat st;
	tt_sign_key a, b;
	path_in_tmp(path, sizeof path, "kiosk.key");
	assert_int_equal(crypto_sign_key_load_or_create(path, &a), TT_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(crypto_sign_key_load_or_create(path, &b), TT_OK);
	assert_memory_equal(a.sk, b.sk, sizeof a.sk);
	assert_memory_equal(a.pk, b.pk, sizeof a.pk);

	/* a damaged key is refused, not replaced */
	FILE *f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	assert_int_equal(crypto_sign_key_load_or_create(path, &b), TT_ERR_PARSE);
	f = fopen(path, "r");
	char line[32] = "";
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_string_equal(line, "not a key\n");

	/* a 64-byte key whose public half does not match its seed */
	unsigned char sk[64];
	char b64[128];
	memcpy(sk, a.sk, 64);
	sk[40] ^= 1;
	f = fopen(path, "w");
	fprintf(f, "%s\n", b64_encode(sk, 64, b64, sizeof b64));
	fclose(f);
	assert_int_equal(crypto_sign_key_load_or_create(path, &b), TT_ERR_PARSE);

	/* a folder that does not exist: TT_ERR_IO with errno */
	assert_int_equal(crypto_sign_key_load_or_create("/tmp/tt-no-such-dir-xyz/kiosk.key", &b), TT_ERR_IO);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uuid_is_v4_lower_case),
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(envelope_json_is_exact),
		cmocka_unit_test(signature_covers_the_exact_bytes),
		cmocka_unit_test(anonymous_has_no_contact_and_only_the_day),
		cmocka_unit_test(inner_json_checks_its_input),
		cmocka_unit_test(kind_names),
		cmocka_unit_test(tampering_fails_verify),
		cmocka_unit_test(wrong_collector_key_fails_open),
		cmocka_unit_test(open_checks_padding_and_content),
		cmocka_unit_test(buckets),
		cmocka_unit_test(texts_of_similar_size_look_alike),
		cmocka_unit_test(broker_sees_no_kind_text_or_code),
		cmocka_unit_test(build_checks_its_input),
		cmocka_unit_test(parse_is_strict),
		cmocka_unit_test(base64_is_strict),
		cmocka_unit_test(base64_public_agrees_with_sodium),
		cmocka_unit_test(keygen_writes_and_refuses_to_overwrite),
		cmocka_unit_test(sign_key_is_created_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
