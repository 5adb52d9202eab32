/* test_http.c - the follow-up web server's pure parts: the rate-limit
 * table, reading request bodies, the JSON answer (exactly its fields),
 * the page (escaping, the script the CSP allows), dates; and http_start's
 * refusals and a start/stop loop that must not leak descriptors.  The
 * server's file is included whole so its static helpers are reachable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/http.c"

/* --- rate limit ------------------------------------------------------------ */

static void key4(unsigned char key[16], const char *ip)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	assert_int_equal(inet_pton(AF_INET, ip, &in.sin_addr), 1);
	rl_key((struct sockaddr *)&in, key);
}

static void key6(unsigned char key[16], const char *ip)
{
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	assert_int_equal(inet_pton(AF_INET6, ip, &in6.sin6_addr), 1);
	rl_key((struct sockaddr *)&in6, key);
}

static void bucket_allows_a_burst_then_refills(void **state)
{
	(void)state;
	rl_table *t = malloc(sizeof *t);
	unsigned char a[16], b[16];
	unsigned retry = 0;
	assert_non_null(t);
	rl_init(t);
	key4(a, "203.0.113.7");
	key4(b, "203.0.113.8");
	for (int i = 0; i < 30; i++)
		assert_true(rl_take(t, a, 1000, 30, &retry));
	assert_false(rl_take(t, a, 1000, 30, &retry));
	assert_int_equal(retry, 2); /* 30 a minute: one every 2 s */
	/* another address is not touched */
	assert_true(rl_take(t, b, 1000, 30, &retry));
	/* 1.9 s later still nothing; 2 s later exactly one */
	assert_false(rl_take(t, a, 2900, 30, &retry));
	assert_int_equal(retry, 1);
	assert_true(rl_take(t, a, 3000, 30, &retry));
	assert_false(rl_take(t, a, 3000, 30, &retry));
	/* a minute of quiet fills the bucket, no more than that */
	for (int i = 0; i < 30; i++)
		assert_true(rl_take(t, a, 600000, 30, &retry));
	assert_false(rl_take(t, a, 600000, 30, &retry));
	/* rate 1: the answer says 60 s */
	key4(b, "203.0.113.9");
	assert_true(rl_take(t, b, 700000, 1, &retry));
	assert_false(rl_take(t, b, 700000, 1, &retry));
	assert_int_equal(retry, 60);
	free(t);
}

static void addresses_are_keyed_by_host_and_slash_64(void **state)
{
	(void)state;
	unsigned char a[16], b[16];
	key4(a, "198.51.100.1");
	key6(b, "::ffff:198.51.100.1");
	assert_memory_equal(a, b, 16); /* IPv4 and IPv4-mapped: one client */
	key4(b, "198.51.100.2");
	assert_memory_not_equal(a, b, 16);
	key6(a, "2001:db8:1:2::1");
	key6(b, "2001:db8:1:2:ffff:ffff:ffff:ffff");
	assert_memory_equal(a, b, 16); /* one /64: one subscriber */
	key6(b, "2001:db8:1:3::1");
	assert_memory_not_equal(a, b, 16);
	rl_key(NULL, a);
	memset(b, 0, sizeof b);
	assert_memory_equal(a, b, 16);
}

/* Keys that land in the same set as first (the table's key is known). */
static int same_set(const rl_table *t, int first, unsigned char keys[][16], int want)
{
	uint64_t h0, h;
	int n = 0;
	unsigned char k[16];
	key4(k, "10.0.0.0");
	memcpy(k + 12, &first, 4);
	crypto_shorthash((unsigned char *)&h0, k, 16, t->hkey);
	for (int i = first + 1; n < want; i++) {
		memcpy(k + 12, &i, 4);
		crypto_shorthash((unsigned char *)&h, k, 16, t->hkey);
		if (h % RL_SETS == h0 % RL_SETS)
			memcpy(keys[n++], k, 16);
	}
	return n;
}

static void a_full_set_evicts_the_one_seen_longest_ago(void **state)
{
	(void)state;
	rl_table *t = malloc(sizeof *t);
	unsigned char a[16], others[RL_WAYS][16];
	unsigned retry;
	int first = 12345;
	assert_non_null(t);
	rl_init(t);
	key4(a, "10.0.0.0");
	memcpy(a + 12, &first, 4);
	assert_int_equal(same_set(t, first, others, RL_WAYS), RL_WAYS);
	for (int i = 0; i < 5; i++)
		assert_true(rl_take(t, a, 0, 5, &retry));
	assert_false(rl_take(t, a, 0, 5, &retry));
	/* seven newcomers fill the set, a stays (and stays limited) */
	for (int i = 0; i < RL_WAYS - 1; i++)
		assert_true(rl_take(t, others[i], 10 + (uint64_t)i, 5, &retry));
	assert_false(rl_take(t, a, 100, 5, &retry));
	/* a was just seen: the eighth newcomer evicts others[0] instead */
	assert_true(rl_take(t, others[RL_WAYS - 1], 200, 5, &retry));
	assert_false(rl_take(t, a, 300, 5, &retry));
	/* the table never grows: thousands of addresses, same memory */
	for (int i = 0; i < 20000; i++) {
		unsigned char k[16];
		key4(k, "10.1.0.0");
		memcpy(k + 12, &i, 4);
		assert_true(rl_take(t, k, 1000 + (uint64_t)i, 5, &retry));
	}
	free(t);
}

/* --- request bodies -------------------------------------------------------- */

static void json_body_gives_the_code(void **state)
{
	(void)state;
	char code[CODE_INPUT_MAX + 1];
	bool too_long;
	const char *ok = "{\"code\":\"7KQ2-M9XD-4TRB-HV3N\"}";
	assert_true(body_json_code(ok, strlen(ok), code, &too_long));
	assert_string_equal(code, "7KQ2-M9XD-4TRB-HV3N");
	assert_false(too_long);
	/* the length bounds the parse, not a terminator */
	assert_false(body_json_code(ok, 10, code, &too_long));
	const char *bad[] = {"",
	                     "garbage",
	                     "[]",
	                     "\"7KQ2\"",
	                     "{\"code\":7}",
	                     "{\"code\":null}",
	                     "{\"Code\":\"x\"}",
	                     "{\"code\":[\"7KQ2\"]}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(body_json_code(bad[i], strlen(bad[i]), code, &too_long));
	char longer[256];
	snprintf(longer, sizeof longer, "{\"code\":\"7KQ2M9XD4TRBHV3N%080d\"}", 0);
	assert_true(body_json_code(longer, strlen(longer), code, &too_long));
	assert_true(too_long);
	assert_int_equal(strlen(code), CODE_INPUT_MAX);
}

static void form_body_is_url_decoded(void **state)
{
	(void)state;
	char v[CODE_INPUT_MAX + 1];
	bool too_long;
	const char *b = "lang=en&xcode=nope&code=7kq2+m9xd%2D4trb-hv3n&code=second";
	assert_true(form_field(b, strlen(b), "code", v, sizeof v, &too_long));
	assert_string_equal(v, "7kq2 m9xd-4trb-hv3n");
	assert_false(too_long);
	assert_true(form_field(b, strlen(b), "lang", v, sizeof v, &too_long));
	assert_string_equal(v, "en");
	assert_false(form_field(b, strlen(b), "other", v, sizeof v, &too_long));
	assert_true(form_field("code", 4, "code", v, sizeof v, &too_long));
	assert_string_equal(v, "");
	assert_true(form_field("code=%ZZ%4", 10, "code", v, sizeof v, &too_long));
	assert_string_equal(v, "%ZZ%4"); /* kept as typed: the reading refuses it */
	assert_true(form_field("code=7KQ2%00M9XD", 16, "code", v, sizeof v, &too_long));
	assert_true(too_long); /* a NUL inside: malformed, never cut short into a code */
	char big[200];
	snprintf(big, sizeof big, "code=%0100d", 0);
	assert_true(form_field(big, strlen(big), "code", v, sizeof v, &too_long));
	assert_true(too_long);
}

/* --- answers ----------------------------------------------------------------- */

static void dates_are_vietnamese_days(void **state)
{
	(void)state;
	char d[16];
	int64_t t;
	assert_true(clock_parse("2026-11-26T17:00:00Z", 0, &t)); /* midnight in Hà Nội */
	assert_true(fmt_date(t, true, d));
	assert_string_equal(d, "2026-11-27");
	assert_true(fmt_date(t, false, d));
	assert_string_equal(d, "27/11/2026");
	assert_true(fmt_date(t - 1, true, d));
	assert_string_equal(d, "2026-11-26");
	assert_false(fmt_date(0, true, d));
	assert_string_equal(d, "");
}

static void record(store_record *r)
{
	static char text[] = "Cán bộ thôn thu tiền", name[] = "Nguyễn Văn A", answer[] = "Đã <b>xử lý</b> & \"xong\"",
	            reason[] = "ghi chú nội bộ";
	int64_t t;
	memset(r, 0, sizeof *r);
	assert_true(clock_parse("2026-11-27T09:00:00+07:00", 0, &t));
	snprintf(r->id, sizeof r->id, "6f1c2a4e-0000-4000-8000-000000000001");
	snprintf(r->kiosk, sizeof r->kiosk, "ht-camxuyen-01");
	snprintf(r->kind, sizeof r->kind, "complaint");
	snprintf(r->code_hash, sizeof r->code_hash, "00112233445566778899aabbccddeeff");
	r->text = text;
	r->contact_name = name;
	r->reason = reason;
	r->answer = answer;
	r->status = ST_RESPONDED;
	r->received = t;
	r->updated = t + 86400;
	r->accept_due = t + 10 * 86400;
}

static void track_json_has_exactly_the_contract(void **state)
{
	(void)state;
	store_record r;
	record(&r);
	char *j = track_json(&r);
	assert_non_null(j);
	assert_string_equal(j, "{\"found\":true,\"status\":\"responded\",\"status_vi\":\"Đã trả lời\",\"status_en\":"
	                       "\"Responded\",\"received\":\"2026-11-27\",\"updated\":\"2026-11-28\",\"accept_due\":"
	                       "\"2026-12-07\",\"settle_due\":null,\"overdue\":false,\"answer\":\"Đã <b>xử lý</b> & "
	                       "\\\"xong\\\"\",\"kind\":\"complaint\"}");
	free(j);
	r.answer = NULL;
	r.status = ST_ASSIGNED;
	r.overdue = true;
	j = track_json(&r);
	assert_non_null(strstr(j, "\"status_vi\":\"Đã chuyển cơ quan giải quyết\""));
	assert_non_null(strstr(j, "\"overdue\":true,\"answer\":null,"));
	free(j);
}

static void every_status_has_its_words(void **state)
{
	(void)state;
	static const char *const vi[ST__COUNT] = {
	    "Đã nhận",         "Đã thụ lý",  "Không thụ lý", "Đã chuyển cơ quan giải quyết",
	    "Đang giải quyết", "Đã trả lời", "Đã kết thúc",  "Mở lại"};
	for (int s = 0; s < ST__COUNT; s++) {
		char key[32];
		snprintf(key, sizeof key, "st_%s", store_status_name((store_status)s));
		assert_non_null(tr(key, false));
		assert_non_null(tr(key, true));
		assert_string_equal(tr(key, false), vi[s]);
	}
}

static http_server *page_server(void)
{
	http_server *h = calloc(1, sizeof *h);
	assert_non_null(h);
	snprintf(h->path, sizeof h->path, "/t");
	assert_true(page_prepare(h));
	return h;
}

static void page_escapes_and_its_script_is_the_one_allowed(void **state)
{
	(void)state;
	http_server *h = page_server();
	store_record r;
	sbuf b = {0};
	record(&r);
	page_render(&b, h, false, V_FOUND, &r, "\"><script>x</script>");
	assert_false(b.oom);
	assert_non_null(strstr(b.p, "<html lang=\"vi\">"));
	assert_non_null(strstr(b.p, "Đã &lt;b&gt;xử lý&lt;/b&gt; &amp; &quot;xong&quot;"));
	assert_non_null(strstr(b.p, "value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
	assert_null(strstr(b.p, "<script>x"));
	assert_non_null(strstr(b.p, "data-t=\"st_responded\">Đã trả lời<"));
	assert_non_null(strstr(b.p, ">27/11/2026<"));
	/* nothing of the submission but what the contract lists */
	assert_null(strstr(b.p, "Cán bộ"));
	assert_null(strstr(b.p, "Nguyễn"));
	assert_null(strstr(b.p, "ht-camxuyen"));
	assert_null(strstr(b.p, "nội bộ"));
	assert_null(strstr(b.p, "6f1c2a4e"));
	assert_null(strstr(b.p, "00112233"));
	/* the one inline script hashes to what the CSP names */
	const char *s = strstr(b.p, "<script>");
	assert_non_null(s);
	s += strlen("<script>");
	const char *e = strstr(s, "</script>");
	assert_non_null(e);
	assert_null(strstr(e + 1, "<script"));
	unsigned char dg[crypto_hash_sha256_BYTES];
	char want[128], b64[64];
	crypto_hash_sha256(dg, (const unsigned char *)s, (size_t)(e - s));
	sodium_bin2base64(b64, sizeof b64, dg, sizeof dg, sodium_base64_VARIANT_ORIGINAL);
	snprintf(want, sizeof want, "script-src 'sha256-%s'", b64);
	assert_non_null(strstr(h->csp, want));
	assert_non_null(strstr(h->csp, "default-src 'none'"));
	sb_free(&b);

	page_render(&b, h, true, V_NOTFOUND, NULL, "7KQ2-M9XD-4TRB-HV3M");
	assert_non_null(strstr(b.p, "<html lang=\"en\">"));
	assert_non_null(strstr(b.p, "This code was not found"));
	assert_non_null(strstr(b.p, "action=\"/t?lang=en\""));
	assert_non_null(strstr(b.p, "href=\"/t?lang=vi\""));
	sb_free(&b);
	free(h->script);
	free(h);
}

/* --- starting and stopping ------------------------------------------------ */

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void start_refuses_what_cannot_work(void **state)
{
	(void)state;
	char err[256], db[] = "/tmp/test_http_XXXXXX";
	int fd = mkstemp(db);
	assert_true(fd >= 0);
	close(fd);
	http_config c = {.bind = "127.0.0.1", .port = 0, .path = "/t", .db = db, .rate_per_min = 30};
	assert_null(http_start(&c, err, sizeof err));
	assert_non_null(strstr(err, "port 0"));
	c.port = 1;
	const char *paths[] = {"t", "/", "/api/track", "/healthz", "/t?x", "/t\"", "/t x", NULL};
	for (int i = 0; i < 8; i++) {
		c.path = paths[i];
		assert_null(http_start(&c, err, sizeof err));
		assert_non_null(strstr(err, "path"));
	}
	c.path = "/t";
	c.bind = "192.0.2.1"; /* TEST-NET-1: on no interface here */
	c.port = 39999;
	assert_null(http_start(&c, err, sizeof err));
	assert_non_null(strstr(err, "192.0.2.1"));
	c.bind = "127.0.0.1";
	c.db = "/nonexistent-dir/x.db";
	assert_null(http_start(&c, err, sizeof err));
	assert_true(err[0] != '\0');
	assert_null(http_start(NULL, NULL, 0));

	/* a port in use: said, with the port */
	c.db = db;
	int base = open_fds();
	http_server *h = NULL;
	for (int p = 41000 + (int)(getpid() % 1000); !h && p < 43000; p++) {
		c.port = p;
		h = http_start(&c, err, sizeof err);
	}
	assert_non_null(h);
	char want[32];
	snprintf(want, sizeof want, "port %d", c.port);
	assert_null(http_start(&c, err, sizeof err));
	assert_non_null(strstr(err, want));
	http_stop(h);
	/* start and stop again and again: nothing left open */
	for (int i = 0; i < 20; i++) {
		h = http_start(&c, err, sizeof err);
		assert_non_null(h);
		http_stop(h);
	}
	assert_int_equal(open_fds(), base);
	http_stop(NULL);
	unlink(db);
	char side[64];
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bucket_allows_a_burst_then_refills),
	    cmocka_unit_test(addresses_are_keyed_by_host_and_slash_64),
	    cmocka_unit_test(a_full_set_evicts_the_one_seen_longest_ago),
	    cmocka_unit_test(json_body_gives_the_code),
	    cmocka_unit_test(form_body_is_url_decoded),
	    cmocka_unit_test(dates_are_vietnamese_days),
	    cmocka_unit_test(track_json_has_exactly_the_contract),
	    cmocka_unit_test(every_status_has_its_words),
	    cmocka_unit_test(page_escapes_and_its_script_is_the_one_allowed),
	    cmocka_unit_test(start_refuses_what_cannot_work),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
