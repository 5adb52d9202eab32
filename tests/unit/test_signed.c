/* test_signed.c - staff messages: parsing each type, good and bad (missing
 * fields, answer counts, text length in code points, commands, times,
 * UTF-8 and NFC), the wire form, and the kiosk's accept decision for each
 * key, target, time and replay, with the replay list pruned as ids
 * expire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <cJSON.h>

#include "tramtin/clock.h"
#include "tramtin/crypto.h"
#include "tramtin/envelope.h"
#include "tramtin/log.h"
#include "tramtin/signed.h"

static char tmpdir[64];
static char dir[256]; /* a fresh folder per test */
static int counter;
static int64_t now; /* 2026-11-27T02:00:00Z */

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tt-signed-XXXXXX");
	if (!mkdtemp(tmpdir) || crypto_init() != TT_OK || !clock_parse("2026-11-27T02:00:00Z", 0, &now))
		return -1;
	tt_log_init("test_signed", TT_LOG_QUIET);
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int fresh(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/t%d", tmpdir, ++counter);
	return mkdir(dir, 0755);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	return data;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void keygen(const char *name, tt_sign_key *key, char *pub, size_t publen)
{
	char prefix[300], path[320], err[256] = "";
	snprintf(prefix, sizeof prefix, "%s/%s", dir, name);
	if (crypto_keygen("sign", prefix, err, sizeof err) != TT_OK)
		fail_msg("keygen: %s", err);
	snprintf(path, sizeof path, "%s.key", prefix);
	assert_int_equal(crypto_sign_key_load(path, key), TT_OK);
	assert_non_null(b64_encode(key->pk, sizeof key->pk, pub, publen));
}

static void fmt_time(int64_t t, char out[32])
{
	int y, mo, d, h, mi;
	clock_civil(t, 0, &y, &mo, &d, &h, &mi, NULL);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, (int)(((t % 60) + 60) % 60));
}

/* ---- messages to tweak -------------------------------------------------- */

static cJSON *base(const char *type, const char *target, int64_t created, int64_t ttl)
{
	char id[ENVELOPE_ID_LEN + 1], t[32];
	envelope_uuid(id);
	fmt_time(created, t);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", 1);
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "created", t);
	cJSON_AddNumberToObject(o, "ttl", (double)ttl);
	cJSON_AddStringToObject(o, "target", target);
	return o;
}

static cJSON *pair(const char *vi, const char *en)
{
	cJSON *p = cJSON_CreateObject();
	if (vi)
		cJSON_AddStringToObject(p, "vi", vi);
	if (en)
		cJSON_AddStringToObject(p, "en", en);
	return p;
}

static cJSON *announce(const char *target)
{
	cJSON *o = base("announce", target, now, 7 * 86400);
	cJSON_AddItemToObject(o, "text", pair("Họp dân lúc 8 giờ sáng Chủ nhật", "Village meeting at 8 am Sunday"));
	return o;
}

static cJSON *survey(const char *target, int answers)
{
	cJSON *o = base("survey", target, now, 7 * 86400);
	cJSON_AddItemToObject(o, "question", pair("Bạn có hài lòng không?", "Are you satisfied?"));
	cJSON *a = cJSON_AddArrayToObject(o, "answers");
	for (int i = 0; i < answers; i++) {
		char vi[32], en[32];
		snprintf(vi, sizeof vi, "Ý kiến %d", i + 1);
		snprintf(en, sizeof en, "Option %d", i + 1);
		cJSON_AddItemToArray(a, pair(vi, i % 2 ? NULL : en));
	}
	return o;
}

static cJSON *command(const char *target, const char *cmd, int64_t created, int64_t ttl)
{
	cJSON *o = base("cmd", target, created, ttl);
	cJSON_AddStringToObject(o, "cmd", cmd);
	return o;
}

static void set_str(cJSON *o, const char *key, const char *val)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (val)
		cJSON_AddStringToObject(o, key, val);
}

static void set_num(cJSON *o, const char *key, double val)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddNumberToObject(o, key, val);
}

/* Parses o (then deletes it); returns the code, why in why. */
static tt_err parse_of(cJSON *o, signed_msg *m, char *why, size_t whylen)
{
	char *json = cJSON_PrintUnformatted(o);
	assert_non_null(json);
	cJSON_Delete(o);
	why[0] = '\0';
	tt_err rc = signed_parse(json, strlen(json), m, why, whylen);
	free(json);
	return rc;
}

/* o must be refused with why containing word. */
static void refused(cJSON *o, const char *word)
{
	signed_msg m;
	char why[256];
	tt_err rc = parse_of(o, &m, why, sizeof why);
	if (rc == TT_OK)
		fail_msg("accepted a message that should fail with '%s'", word);
	if (!strstr(why, word))
		fail_msg("why '%s' does not contain '%s'", why, word);
	assert_null(m.text[LANG_VI]);
	assert_int_equal(m.n_answers, 0);
}

/* ---- parse -------------------------------------------------------------- */

static void parse_announce(void **state)
{
	(void)state;
	signed_msg m;
	char why[256];
	cJSON *o = announce("ht/camxuyen");
	char id[40];
	snprintf(id, sizeof id, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "id")));
	assert_int_equal(parse_of(o, &m, why, sizeof why), TT_OK);
	assert_int_equal(m.type, SIGNED_ANNOUNCE);
	assert_string_equal(m.id, id);
	assert_string_equal(m.target, "ht/camxuyen");
	assert_int_equal(m.created, now);
	assert_int_equal(m.ttl, 7 * 86400);
	assert_int_equal(m.from, now); /* defaults: created .. created + ttl */
	assert_int_equal(m.to, now + 7 * 86400);
	assert_string_equal(m.text[LANG_VI], "Họp dân lúc 8 giờ sáng Chủ nhật");
	assert_string_equal(m.text[LANG_EN], "Village meeting at 8 am Sunday");
	signed_msg_free(&m);
	assert_null(m.text[LANG_VI]);
	signed_msg_free(&m); /* twice, and an empty one, are harmless */

	/* a window; English left out; a province and a kiosk target */
	o = base("announce", "ht", now, 86400);
	cJSON_AddItemToObject(o, "text", pair("Mất điện chiều nay", NULL));
	set_str(o, "from", "2026-11-27T06:00:00Z");
	set_str(o, "to", "2026-11-27T10:00:00Z");
	assert_int_equal(parse_of(o, &m, why, sizeof why), TT_OK);
	assert_null(m.text[LANG_EN]);
	assert_int_equal(m.to - m.from, 4 * 3600);
	signed_msg_free(&m);
	assert_int_equal(parse_of(announce("ht/camxuyen/k-01_a"), &m, why, sizeof why), TT_OK);
	signed_msg_free(&m);

	/* text arrives decomposed (as some keyboards send it): stored NFC */
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair("Vie\xcc\xa3\xcc\x82t Nam", NULL)); /* e + dot below + circumflex */
	assert_int_equal(parse_of(o, &m, why, sizeof why), TT_OK);
	assert_string_equal(m.text[LANG_VI], "Vi\xe1\xbb\x87t Nam"); /* U+1EC7 */
	signed_msg_free(&m);

	/* 280 characters of three bytes each fit; 281 do not */
	char big[282 * 3 + 1] = "";
	for (int i = 0; i < 280; i++)
		strcat(big, "\xe1\xbb\x87");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair(big, NULL));
	assert_int_equal(parse_of(o, &m, why, sizeof why), TT_OK);
	signed_msg_free(&m);
	strcat(big, "a");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair("ok", big));
	assert_int_equal(parse_of(o, &m, why, sizeof why), TT_ERR_RANGE);
	assert_non_null(strstr(why, "text.en has 281 characters"));
	/* counted after NFC: 280 decomposed pairs become 280 characters */
	char dec[281 * 3 + 1] = "";
	for (int i = 0; i < 280; i++)
		strcat(dec, "e\xcc\x82");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair(dec, NULL));
	assert_int_equal(parse_of(o, &m, why, sizeof why), TT_OK);
	signed_msg_free(&m);

	/* missing and bad fields */
	o = announce("ht");
	cJSON_DeleteItemFromObject(o, "v");
	refused(o, "\"v\"");
	o = announce("ht");
	set_num(o, "v", 2);
	refused(o, "\"v\"");
	o = announce("ht");
	set_str(o, "type", "poster");
	refused(o, "\"type\"");
	o = announce("ht");
	set_str(o, "id", NULL);
	refused(o, "\"id\"");
	o = announce("ht");
	set_str(o, "id", "6F9619FF-8B86-4D11-B42D-00C04FC964FF");
	refused(o, "\"id\"");
	o = announce("ht");
	set_str(o, "id", "6f9619ff-8b86-1d11-b42d-00c04fc964ff"); /* version 1 */
	refused(o, "\"id\"");
	o = announce("ht");
	set_str(o, "created", NULL);
	refused(o, "\"created\"");
	o = announce("ht");
	set_str(o, "created", "2026-11-27T09:00:00+07:00");
	refused(o, "\"created\"");
	o = announce("ht");
	set_str(o, "created", "2026-02-30T09:00:00Z");
	refused(o, "\"created\"");
	o = announce("ht");
	set_str(o, "created", "2026-11-27 09:00");
	refused(o, "\"created\"");
	o = announce("ht");
	set_num(o, "ttl", 0);
	refused(o, "\"ttl\"");
	o = announce("ht");
	set_num(o, "ttl", 31536001);
	refused(o, "\"ttl\"");
	o = announce("ht");
	set_num(o, "ttl", 60.5);
	refused(o, "\"ttl\"");
	o = announce("ht");
	set_str(o, "ttl", "60");
	refused(o, "\"ttl\"");
	static const char *const bad_targets[] = {"HT", "ht/", "ht/camxuyen/", "ht//k1", "ht/camxuyen/k1/x",
	                                          "ht/camxuyen/k 1", "ht/cam.xuyen", ""};
	for (size_t i = 0; i < sizeof bad_targets / sizeof *bad_targets; i++)
		refused(announce(bad_targets[i]), "\"target\"");
	o = announce("ht");
	cJSON_DeleteItemFromObject(o, "target");
	refused(o, "\"target\"");
	o = announce("ht");
	cJSON_DeleteItemFromObject(o, "text");
	refused(o, "text is missing");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair(NULL, "English only"));
	refused(o, "text.vi is missing");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair("", NULL));
	refused(o, "text.vi is empty");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair("bad \xc3\x28 byte", NULL));
	refused(o, "text.vi is not valid UTF-8");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair("ok", "\xed\xa0\x80 surrogate"));
	refused(o, "text.en is not valid UTF-8");
	o = base("announce", "ht", now, 60);
	cJSON_AddItemToObject(o, "text", pair("line\nbreak", NULL));
	refused(o, "control character");
	/* times of the window */
	o = announce("ht");
	set_str(o, "from", "tomorrow");
	refused(o, "\"from\"");
	o = announce("ht");
	set_str(o, "to", "2026-11-27T02:00:00Z"); /* = created = from */
	refused(o, "\"from\" is not before \"to\"");
	o = announce("ht");
	set_str(o, "to", "2026-12-27T02:00:00Z"); /* after created + 7 days */
	refused(o, "expires");
	/* not JSON, not an object, a NUL inside */
	assert_int_equal(signed_parse("{\"v\":", 5, &m, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(signed_parse("[1]", 3, &m, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(signed_parse("{\"v\":1}\0x", 9, &m, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(signed_parse("", 0, &m, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(signed_parse(NULL, 3, &m, why, sizeof why), TT_ERR_PARSE);
	assert_int_equal(signed_parse("{}", 2, NULL, why, sizeof why), TT_ERR_INVAL);
}

static void parse_survey(void **state)
{
	(void)state;
	signed_msg m;
	char why[256];
	for (int n = 2; n <= SIGNED_MAX_ANSWERS; n++) {
		assert_int_equal(parse_of(survey("ht/camxuyen", n), &m, why, sizeof why), TT_OK);
		assert_int_equal(m.type, SIGNED_SURVEY);
		assert_int_equal(m.n_answers, n);
		assert_string_equal(m.question[LANG_VI], "Bạn có hài lòng không?");
		assert_string_equal(m.answers[0][LANG_EN], "Option 1");
		assert_null(m.answers[1][LANG_EN]);
		assert_string_equal(m.answers[n - 1][LANG_VI], n == 6 ? "Ý kiến 6" : m.answers[n - 1][LANG_VI]);
		signed_msg_free(&m);
	}
	refused(survey("ht", 1), "1 answers");
	refused(survey("ht", 7), "7 answers");
	refused(survey("ht", 0), "0 answers");
	cJSON *o = survey("ht", 3);
	cJSON_DeleteItemFromObject(o, "question");
	refused(o, "question is missing");
	o = survey("ht", 3);
	cJSON_DeleteItemFromObject(o, "answers");
	refused(o, "\"answers\"");
	o = survey("ht", 3);
	set_str(o, "answers", "yes|no");
	refused(o, "\"answers\"");
	o = survey("ht", 2);
	cJSON_AddItemToArray(cJSON_GetObjectItem(o, "answers"), pair(NULL, "no Vietnamese"));
	refused(o, "answers[2].vi is missing");
	o = survey("ht", 2);
	cJSON_AddItemToArray(cJSON_GetObjectItem(o, "answers"), cJSON_CreateString("bare"));
	refused(o, "answers[2]");
	o = survey("ht", 2);
	cJSON_AddItemToArray(cJSON_GetObjectItem(o, "answers"), pair("\xff", NULL));
	refused(o, "answers[2].vi is not valid UTF-8");
	char big[300] = "";
	memset(big, 'x', 281);
	o = survey("ht", 2);
	cJSON_AddItemToArray(cJSON_GetObjectItem(o, "answers"), pair(big, NULL));
	refused(o, "answers[2].vi has 281 characters");
	o = survey("ht", 2);
	set_str(o, "to", "2026-11-26T00:00:00Z"); /* before from = created */
	refused(o, "\"from\" is not before \"to\"");
}

static void parse_cmd(void **state)
{
	(void)state;
	signed_msg m;
	char why[256];
	static const char *const names[] = {"sync", "restart", "screen-off", "screen-on"};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(parse_of(command("ht/camxuyen/k1", names[i], now, 600), &m, why, sizeof why), TT_OK);
		assert_int_equal(m.type, SIGNED_CMD);
		assert_int_equal(m.cmd, CMD_SYNC + i);
		assert_string_equal(signed_cmd_name(m.cmd), names[i]);
		signed_cmd c;
		assert_true(signed_cmd_parse(names[i], &c));
		assert_int_equal(c, m.cmd);
		signed_msg_free(&m);
	}
	assert_false(signed_cmd_parse("reboot", NULL));
	assert_false(signed_cmd_parse(NULL, NULL));
	assert_false(signed_cmd_parse("none", NULL));
	assert_string_equal(signed_cmd_name(CMD_NONE), "none");
	refused(command("ht/camxuyen/k1", "reboot", now, 600), "\"cmd\"");
	refused(command("ht/camxuyen/k1", "Sync", now, 600), "\"cmd\"");
	cJSON *o = command("ht/camxuyen/k1", "sync", now, 600);
	cJSON_DeleteItemFromObject(o, "cmd");
	refused(o, "\"cmd\"");
	/* a command goes to one kiosk */
	refused(command("ht/camxuyen", "sync", now, 600), "not one kiosk");
	refused(command("ht", "restart", now, 600), "not one kiosk");
	refused(command("ht/camxuyen/k1", "sync", now, 0), "\"ttl\"");
}

/* ---- wire and accept ------------------------------------------------------ */

typedef struct keys {
	tt_sign_key prov, comm, other, stranger;
	char trust[1024];
} keys;

static void make_keys(keys *k)
{
	char kp[64], kc[64], ko[64], ks[64];
	keygen("prov", &k->prov, kp, sizeof kp);
	keygen("comm", &k->comm, kc, sizeof kc);
	keygen("other", &k->other, ko, sizeof ko);
	keygen("stranger", &k->stranger, ks, sizeof ks);
	snprintf(k->trust, sizeof k->trust, "ht=%s ht/camxuyen=%s ht/khanhloc=%s", kp, kc, ko);
}

/* The wire form of o signed with key (o deleted). */
static char *wire(cJSON *o, const tt_sign_key *key)
{
	char *json = cJSON_PrintUnformatted(o);
	assert_non_null(json);
	cJSON_Delete(o);
	char *w = signed_wrap(json, strlen(json), key);
	assert_non_null(w);
	free(json);
	return w;
}

/* signed_accept for kiosk k1 of ht/camxuyen at t. */
static tt_err accept_at(const char *w, const keys *k, int64_t t, const char *seen, char *why, size_t whylen)
{
	signed_msg m;
	why[0] = '\0';
	tt_err rc = signed_accept(w, strlen(w), k->trust, "ht/camxuyen", "k1", t, seen, &m, why, whylen);
	if (rc == TT_OK)
		assert_true(m.id[0] != '\0');
	else
		assert_int_equal(m.id[0], '\0');
	signed_msg_free(&m);
	return rc;
}

static void wrap_accept_round_trip(void **state)
{
	(void)state;
	keys k;
	signed_msg m;
	char why[256];
	make_keys(&k);
	cJSON *o = survey("ht/camxuyen", 3);
	char *json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *w = signed_wrap(json, strlen(json), &k.comm);
	assert_non_null(w);
	/* the wire form: {"msg": base64 of the exact bytes, "sig": ...} */
	cJSON *wj = cJSON_Parse(w);
	assert_non_null(wj);
	unsigned char back[4096], sig[64];
	size_t got = 0;
	assert_int_equal(b64_decode(cJSON_GetStringValue(cJSON_GetObjectItem(wj, "msg")), back, sizeof back, 0, &got),
	                 TT_OK);
	assert_int_equal(got, strlen(json));
	assert_memory_equal(back, json, got);
	assert_int_equal(b64_decode(cJSON_GetStringValue(cJSON_GetObjectItem(wj, "sig")), sig, 64, 64, NULL), TT_OK);
	/* over the prefix: not a bare signature of the bytes */
	assert_int_not_equal(crypto_sign_verify_detached(sig, back, got, k.comm.pk), 0);
	cJSON_Delete(wj);

	assert_int_equal(signed_accept(w, strlen(w), k.trust, "ht/camxuyen", "k1", now, NULL, &m, why, sizeof why),
	                 TT_OK);
	assert_int_equal(m.type, SIGNED_SURVEY);
	assert_int_equal(m.n_answers, 3);
	assert_string_equal(m.answers[2][LANG_VI], "Ý kiến 3");
	signed_msg_free(&m);

	/* one byte of the message changed: the signature fails */
	char *ttl = strstr(json, "\"ttl\":604800");
	assert_non_null(ttl);
	ttl[6] = '5';
	char *forged = signed_wrap(json, strlen(json), &k.stranger);
	cJSON *fj = cJSON_Parse(forged), *orig = cJSON_Parse(w);
	cJSON_ReplaceItemInObject(fj, "sig", cJSON_Duplicate(cJSON_GetObjectItem(orig, "sig"), 0));
	char *swapped = cJSON_PrintUnformatted(fj);
	assert_int_equal(accept_at(swapped, &k, now, NULL, why, sizeof why), TT_ERR_CRYPTO);
	assert_non_null(strstr(why, "signature"));
	free(swapped);
	cJSON_Delete(fj);
	cJSON_Delete(orig);
	free(forged);
	free(json);
	free(w);

	/* garbage on the wire */
	static const char *const junk[] = {"", "{", "[]", "{\"msg\":\"aGk=\"}", "{\"msg\":\"!!\",\"sig\":\"AAAA\"}",
	                                   "{\"msg\":1,\"sig\":2}"};
	for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
		assert_int_equal(accept_at(junk[i], &k, now, NULL, why, sizeof why), TT_ERR_PARSE);
		assert_non_null(strstr(why, "payload"));
	}
	/* a signed payload that is not a message */
	w = signed_wrap("{\"hello\":1}", 11, &k.prov);
	assert_int_equal(accept_at(w, &k, now, NULL, why, sizeof why), TT_ERR_PARSE);
	assert_non_null(strstr(why, "\"v\""));
	free(w);
	assert_null(signed_wrap(NULL, 3, &k.prov));
	assert_null(signed_wrap("{}", 2, NULL));
	/* bad arguments */
	w = wire(announce("ht"), &k.prov);
	assert_int_equal(signed_accept(w, strlen(w), k.trust, "ht", "k1", now, NULL, &m, why, sizeof why),
	                 TT_ERR_INVAL);
	assert_int_equal(signed_accept(w, strlen(w), k.trust, "ht/camxuyen", "", now, NULL, &m, why, sizeof why),
	                 TT_ERR_INVAL);
	assert_int_equal(signed_accept(w, strlen(w), k.trust, "ht/camxuyen", "k1", now, NULL, NULL, why, sizeof why),
	                 TT_ERR_INVAL);
	free(w);
}

static void accept_keys_and_targets(void **state)
{
	(void)state;
	keys k;
	char why[256];
	make_keys(&k);
	struct {
		const char *target;
		const tt_sign_key *key;
		tt_err want;
		const char *word;
	} cases[] = {
	    /* channel targets take exactly their channel's keys */
	    {"ht", &k.prov, TT_OK, ""},
	    {"ht/camxuyen", &k.comm, TT_OK, ""},
	    {"ht", &k.comm, TT_ERR_CRYPTO, "signature"},        /* a commune key for the province */
	    {"ht/camxuyen", &k.prov, TT_ERR_CRYPTO, "signature"}, /* as for bundles */
	    {"ht/camxuyen", &k.other, TT_ERR_CRYPTO, "signature"},
	    {"ht", &k.stranger, TT_ERR_CRYPTO, "signature"},
	    /* a kiosk target: its commune's or its province's key */
	    {"ht/camxuyen/k1", &k.comm, TT_OK, ""},
	    {"ht/camxuyen/k1", &k.prov, TT_OK, ""},
	    {"ht/camxuyen/k1", &k.other, TT_ERR_CRYPTO, "signature"},
	    {"ht/camxuyen/k1", &k.stranger, TT_ERR_CRYPTO, "signature"},
	    /* a commune key for a kiosk of another commune: not trusted there */
	    {"ht/khanhloc/k1", &k.comm, TT_ERR_CRYPTO, "signature"},
	    /* well signed, but not for this kiosk */
	    {"ht/khanhloc/k1", &k.other, TT_ERR_INVAL, "not this kiosk"},
	    {"ht/khanhloc/k1", &k.prov, TT_ERR_INVAL, "not this kiosk"},
	    {"ht/khanhloc", &k.other, TT_ERR_INVAL, "not this kiosk"},
	    {"ht/camxuyen/k2", &k.comm, TT_ERR_INVAL, "not this kiosk"},
	    {"ht/camxuyen/K1", &k.comm, TT_ERR_INVAL, "not this kiosk"},
	    /* another province: nobody here trusts a key for it */
	    {"hn", &k.prov, TT_ERR_CRYPTO, "no key"},
	    {"hn/camxuyen/k1", &k.comm, TT_ERR_CRYPTO, "no key"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		for (int type = 0; type < 2; type++) {
			char *w = wire(type ? survey(cases[i].target, 2) : announce(cases[i].target), cases[i].key);
			tt_err rc = accept_at(w, &k, now, NULL, why, sizeof why);
			if (rc != cases[i].want || !strstr(why, cases[i].word))
				fail_msg("case %zu (%s): got %d '%s', want %d with '%s'", i, cases[i].target, rc, why,
				         cases[i].want, cases[i].word);
			free(w);
		}
	}
	/* commands: the same rules for a kiosk target */
	char *w = wire(command("ht/camxuyen/k1", "restart", now, 600), &k.prov);
	assert_int_equal(accept_at(w, &k, now, NULL, why, sizeof why), TT_OK);
	free(w);
	w = wire(command("ht/khanhloc/k1", "restart", now, 600), &k.comm);
	assert_int_equal(accept_at(w, &k, now, NULL, why, sizeof why), TT_ERR_CRYPTO);
	free(w);
	/* a province named like this kiosk's commune's prefix is not it */
	w = wire(announce("h"), &k.prov);
	assert_int_equal(accept_at(w, &k, now, NULL, why, sizeof why), TT_ERR_CRYPTO);
	free(w);
	/* no trust at all */
	signed_msg m;
	w = wire(announce("ht"), &k.prov);
	assert_int_equal(signed_accept(w, strlen(w), NULL, "ht/camxuyen", "k1", now, NULL, &m, why, sizeof why),
	                 TT_ERR_CRYPTO);
	free(w);
}

static void accept_times(void **state)
{
	(void)state;
	keys k;
	char why[256];
	make_keys(&k);
	/* created an hour ago with a ttl of 30 minutes: expired */
	char *w = wire(command("ht/camxuyen/k1", "sync", now - 3600, 1800), &k.comm);
	assert_int_equal(accept_at(w, &k, now, NULL, why, sizeof why), TT_ERR_RANGE);
	assert_non_null(strstr(why, "expired 1800 s ago"));
	/* the same at its last second is still good */
	assert_int_equal(accept_at(w, &k, now - 1800, NULL, why, sizeof why), TT_OK);
	free(w);
	/* ahead of the kiosk's clock: up to 10 minutes is a clock's drift */
	w = wire(announce("ht"), &k.prov);
	assert_int_equal(accept_at(w, &k, now - 600, NULL, why, sizeof why), TT_OK);
	assert_int_equal(accept_at(w, &k, now - 601, NULL, why, sizeof why), TT_ERR_RANGE);
	assert_non_null(strstr(why, "future"));
	assert_int_equal(accept_at(w, &k, now - 86400, NULL, why, sizeof why), TT_ERR_RANGE);
	/* and after its week, expired */
	assert_int_equal(accept_at(w, &k, now + 7 * 86400, NULL, why, sizeof why), TT_OK);
	assert_int_equal(accept_at(w, &k, now + 7 * 86400 + 1, NULL, why, sizeof why), TT_ERR_RANGE);
	assert_non_null(strstr(why, "expired"));
	free(w);
}

static void accept_replay(void **state)
{
	(void)state;
	keys k;
	char why[256], seen[300];
	make_keys(&k);
	snprintf(seen, sizeof seen, "%s/seen", dir);
	/* a command is taken once */
	char *w = wire(command("ht/camxuyen/k1", "restart", now, 600), &k.comm);
	assert_int_equal(accept_at(w, &k, now, seen, why, sizeof why), TT_OK);
	assert_int_equal(accept_at(w, &k, now + 5, seen, why, sizeof why), TT_ERR_STATE);
	assert_non_null(strstr(why, "replay"));
	/* without a replay list, no check */
	assert_int_equal(accept_at(w, &k, now, NULL, why, sizeof why), TT_OK);
	/* a different command is new */
	char *w2 = wire(command("ht/camxuyen/k1", "restart", now, 600), &k.comm);
	assert_int_equal(accept_at(w2, &k, now, seen, why, sizeof why), TT_OK);
	/* the list: one "id expiry" line each */
	char *text = slurp(seen);
	assert_non_null(text);
	int lines = 0;
	for (char *c = text; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 2);
	char want[64];
	snprintf(want, sizeof want, " %lld\n", (long long)(now + 600));
	assert_non_null(strstr(text, want));
	free(text);
	struct stat st;
	assert_int_equal(stat(seen, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(w2);
	free(w);

	/* a retained announcement or survey delivered again is the same message */
	w = wire(announce("ht/camxuyen"), &k.comm);
	assert_int_equal(accept_at(w, &k, now, seen, why, sizeof why), TT_OK);
	assert_int_equal(accept_at(w, &k, now + 60, seen, why, sizeof why), TT_OK);
	free(w);
	w = wire(survey("ht/camxuyen/k1", 3), &k.comm);
	assert_int_equal(accept_at(w, &k, now, seen, why, sizeof why), TT_OK);
	assert_int_equal(accept_at(w, &k, now, seen, why, sizeof why), TT_OK);
	free(w);
	text = slurp(seen);
	lines = 0;
	for (char *c = text; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 2); /* only the commands */
	free(text);

	/* a list that cannot be written: the command is not taken */
	char bad[320];
	snprintf(bad, sizeof bad, "%s/no-such-dir/seen", dir);
	w = wire(command("ht/camxuyen/k1", "sync", now, 600), &k.comm);
	assert_int_equal(accept_at(w, &k, now, bad, why, sizeof why), TT_ERR_IO);
	assert_non_null(strstr(why, "no-such-dir"));
	free(w);
}

static void seen_drops_expired(void **state)
{
	(void)state;
	keys k;
	char why[256], seen[300], old[ENVELOPE_ID_LEN + 1], keep[ENVELOPE_ID_LEN + 1];
	make_keys(&k);
	snprintf(seen, sizeof seen, "%s/seen", dir);
	/* a list left with junk, an expired id, and one still good */
	envelope_uuid(old);
	envelope_uuid(keep);
	char pre[512];
	snprintf(pre, sizeof pre, "garbage\n%s %lld\n%s %lld\nnot-a-uuid 99999999999\n%s", old, (long long)(now - 1),
	         keep, (long long)(now + 100), "torn-line-without-end");
	spit(seen, pre);
	/* A: 60 s to live */
	cJSON *o = command("ht/camxuyen/k1", "sync", now, 60);
	char a[40];
	snprintf(a, sizeof a, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "id")));
	char *wa = wire(o, &k.comm);
	assert_int_equal(accept_at(wa, &k, now, seen, why, sizeof why), TT_OK);
	char *text = slurp(seen);
	char want[256];
	snprintf(want, sizeof want, "%s %lld\n%s %lld\n", keep, (long long)(now + 100), a, (long long)(now + 60));
	assert_string_equal(text, want);
	free(text);
	/* two minutes later: A and keep have expired and are dropped when B is taken */
	o = command("ht/camxuyen/k1", "screen-off", now + 120, 600);
	char b[40];
	snprintf(b, sizeof b, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "id")));
	char *wb = wire(o, &k.comm);
	assert_int_equal(accept_at(wb, &k, now + 120, seen, why, sizeof why), TT_OK);
	text = slurp(seen);
	snprintf(want, sizeof want, "%s %lld\n", b, (long long)(now + 720));
	assert_string_equal(text, want);
	free(text);
	/* A is refused as expired, not as a replay, and nothing is left behind */
	assert_int_equal(accept_at(wa, &k, now + 120, seen, why, sizeof why), TT_ERR_RANGE);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "test $(ls '%s' | grep -c tmp) = 0", dir);
	assert_int_equal(system(cmd), 0);
	free(wa);
	free(wb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(parse_announce, fresh),
	    cmocka_unit_test_setup(parse_survey, fresh),
	    cmocka_unit_test_setup(parse_cmd, fresh),
	    cmocka_unit_test_setup(wrap_accept_round_trip, fresh),
	    cmocka_unit_test_setup(accept_keys_and_targets, fresh),
	    cmocka_unit_test_setup(accept_times, fresh),
	    cmocka_unit_test_setup(accept_replay, fresh),
	    cmocka_unit_test_setup(seen_drops_expired, fresh),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
