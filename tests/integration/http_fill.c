/* http_fill.c - fills a collector store with the two records the web
 * server test looks up, by their known tracking codes:
 *   - an anonymous complaint, code 7KQ2-M9XD-4TRB-HV3N, answered
 *     (status responded) with a known answer;
 *   - a feedback with a name and phone, code 0AB1-2CD3-4EF5-6GH0, still
 *     received.
 * Their texts and contacts are things the server must never show.
 * Prints nothing; exit 0, or 1 with one line on stderr.
 * With --hash CODE it prints the code's hash instead (the test looks for
 * it where it must not be, e.g. the server's log).
 * usage: http_fill DB | http_fill --hash CODE */
#include <stdio.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/crypto.h"
#include "tramtin/store.h"

#define ANSWER "Xã đã kiểm tra và bổ sung tên vào danh sách."

static int fail(const char *what, tt_err e)
{
	fprintf(stderr, "http_fill: %s: %s\n", what, tt_strerror(e));
	return 1;
}

static void record(store_record *r, const char *id, const char *kind, const char *code, int64_t now)
{
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s", id);
	snprintf(r->kiosk, sizeof r->kiosk, "ht-camxuyen-01");
	snprintf(r->province, sizeof r->province, "ht");
	snprintf(r->commune, sizeof r->commune, "camxuyen");
	snprintf(r->kind, sizeof r->kind, "%s", kind);
	snprintf(r->lang, sizeof r->lang, "vi");
	code_hash(code, r->code_hash);
	r->created = now - now % 86400;
	r->received = now;
	r->status = ST_RECEIVED;
}

int main(int argc, char **argv)
{
	char err[256];
	static char complaint[] = "Cán bộ thôn thu tiền để đưa tên vào danh sách hộ nghèo.";
	static char feedback[] = "Đường vào thôn bị hỏng.", name[] = "Nguyễn Văn A", phone[] = "0912345678";
	store_record r;
	bool inserted;
	tt_err e;
	int64_t now = clock_now();

	if (argc == 3 && !strcmp(argv[1], "--hash")) {
		char h[CODE_HASH_HEX + 1];
		if (crypto_init() != TT_OK || !code_hash(argv[2], h))
			return fail(argv[2], TT_ERR_PARSE);
		printf("%s\n", h);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: http_fill DB | http_fill --hash CODE\n");
		return 2;
	}
	if (crypto_init() != TT_OK)
		return fail("libsodium", TT_ERR_CRYPTO);
	store *s = store_open_sqlite(argv[1], err, sizeof err);
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((e = store_begin(s)) != TT_OK)
		return fail("begin", e);

	record(&r, "6f1c2a4e-1d3b-4c5a-9e7f-000000000001", "complaint", "7KQ2-M9XD-4TRB-HV3N", now);
	snprintf(r.category, sizeof r.category, "ho-ngheo");
	r.text = complaint;
	if ((e = store_add(s, &r, &inserted)) != TT_OK)
		return fail("add complaint", e);

	record(&r, "6f1c2a4e-1d3b-4c5a-9e7f-000000000002", "feedback", "0AB1-2CD3-4EF5-6GH0", now);
	snprintf(r.category, sizeof r.category, "ha-tang");
	r.rating = 2;
	r.text = feedback;
	r.contact_name = name;
	r.contact_phone = phone;
	if ((e = store_add(s, &r, &inserted)) != TT_OK)
		return fail("add feedback", e);
	if ((e = store_commit(s)) != TT_OK)
		return fail("commit", e);

	/* The complaint is answered: straight to responded if the lifecycle
	 * allows it, else through accepted and in_progress as staff would. */
	const char *id = "6f1c2a4e-1d3b-4c5a-9e7f-000000000001";
	e = store_respond(s, id, ANSWER, -1, "test:http_fill", now + 3600);
	if (e == TT_ERR_STATE) {
		if ((e = store_set_status(s, id, ST_ACCEPTED, OUT_NONE, NULL, NULL, "test:http_fill", now + 600)) !=
		    TT_OK)
			return fail("accept", e);
		if ((e = store_set_status(s, id, ST_IN_PROGRESS, OUT_NONE, NULL, NULL, "test:http_fill", now + 1200)) !=
		    TT_OK)
			return fail("in progress", e);
		e = store_respond(s, id, ANSWER, -1, "test:http_fill", now + 3600);
	}
	if (e != TT_OK)
		return fail("respond", e);
	store_close(s);
	return 0;
}
