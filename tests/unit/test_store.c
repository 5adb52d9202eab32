/* test_store.c - the collector's store: batches of adds, duplicates and
 * quarantine, rollbacks and injected disk failures that lose nothing
 * committed, the follow-up lifecycle and its legal clocks, answers,
 * listing with filters and keyset paging, the periodic report, the track
 * changes the daemon publishes, and kiosks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "tramtin/log.h"
#include "tramtin/store.h"

#define DAY 86400
/* 2026-11-02T00:00:00Z, a fixed "now" that the clocks count from */
#define T0 ((int64_t)1793577600)

static char tmpdir[64];
static char db[128];
static int counter;

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tt-store-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	tt_log_init("test_store", TT_LOG_ERROR); /* the injected faults log warnings */
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
	snprintf(db, sizeof db, "%s/store-%d.db", tmpdir, ++counter);
	store_fail_writes_after(0, 0);
	return 0;
}

static store *open_db(void)
{
	char err[256] = "";
	store *s = store_open_sqlite(db, err, sizeof err);
	if (!s)
		fail_msg("open: %s", err);
	return s;
}

/* A record: i picks commune, kind, category and rating; received at t. */
static void make(store_record *r, const char *id, int i, int64_t t)
{
	static const char *const communes[] = {"cam-binh", "cam-thanh", "thach-ha"};
	static const char *const kinds[] = {"feedback", "complaint", "objection", "feedback"};
	static const char *const cats[] = {"policy", "support", "officials", "other", "review"};
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s", id);
	snprintf(r->kiosk, sizeof r->kiosk, "kiosk-%02d", i % 5);
	snprintf(r->province, sizeof r->province, "ht");
	snprintf(r->commune, sizeof r->commune, "%s", communes[i % 3]);
	snprintf(r->kind, sizeof r->kind, "%s", kinds[i % 4]);
	snprintf(r->category, sizeof r->category, "%s", cats[i % 5]);
	r->rating = strcmp(r->kind, "feedback") == 0 ? 1 + i % 5 : 0;
	r->text = "Đường vào thôn Bắc bị sạt lở, xin xã sớm sửa.";
	if (strcmp(r->kind, "complaint") != 0) {
		r->contact_name = "Nguyễn Thị Hoa";
		r->contact_phone = "0912 345 678";
	}
	snprintf(r->lang, sizeof r->lang, "vi");
	snprintf(r->code_hash, sizeof r->code_hash, "%032x", (unsigned)i + 1);
	r->created = strcmp(r->kind, "complaint") == 0 ? t - t % DAY : t - 60;
	r->received = t;
}

static void add_one(store *s, const char *id, int i, int64_t t)
{
	store_record r;
	bool inserted = false;
	make(&r, id, i, t);
	assert_int_equal(store_add(s, &r, &inserted), TT_OK);
	assert_true(inserted);
}

static bool count_fn(const store_record *r, void *ctx)
{
	(void)r;
	(*(size_t *)ctx)++;
	return true;
}

static size_t count(store *s, const store_filter *f, int64_t now)
{
	size_t n = 0;
	assert_int_equal(store_list(s, f, now, count_fn, &n), TT_OK);
	return n;
}

static bool has(store *s, const char *id)
{
	store_record r;
	tt_err e = store_get(s, id, T0, &r);
	store_record_clear(&r);
	assert_true(e == TT_OK || e == TT_ERR_NOTFOUND);
	return e == TT_OK;
}

/* --- ingest ------------------------------------------------------------- */

static void add_duplicate_quarantine_in_batches(void **state)
{
	(void)state;
	store *s = open_db();
	store_record r;
	bool inserted = true;

	assert_int_equal(store_begin(s), TT_OK);
	assert_int_equal(store_begin(s), TT_ERR_STATE); /* one batch at a time */
	add_one(s, "a", 0, T0);
	add_one(s, "b", 1, T0 + 1);
	assert_int_equal(
	    store_quarantine(s, "tramtin/v1/ht/x/k/up/submission", "k", "bad signature", "\x01\x02", 2, T0), TT_OK);
	make(&r, "a", 5, T0 + 2); /* the same id inside the batch */
	assert_int_equal(store_add(s, &r, &inserted), TT_OK);
	assert_false(inserted);
	assert_int_equal(store_commit(s), TT_OK);
	assert_int_equal(store_commit(s), TT_ERR_STATE);

	/* a re-sent submission in a later batch: acknowledged, not stored */
	assert_int_equal(store_begin(s), TT_OK);
	make(&r, "b", 7, T0 + 3);
	assert_int_equal(store_add(s, &r, &inserted), TT_OK);
	assert_false(inserted);
	add_one(s, "c", 2, T0 + 4);
	assert_int_equal(store_commit(s), TT_OK);
	/* and outside a batch too */
	add_one(s, "d", 3, T0 + 5);
	assert_int_equal(store_quarantine(s, "t", NULL, "not JSON", NULL, 0, T0), TT_OK);
	assert_int_equal(store_quarantine_count(s), 2);
	store_close(s);

	s = open_db();
	assert_int_equal(count(s, NULL, T0), 4);
	assert_int_equal(store_get(s, "a", T0, &r), TT_OK);
	assert_string_equal(r.commune, "cam-binh"); /* the first add stays */
	assert_string_equal(r.text, "Đường vào thôn Bắc bị sạt lở, xin xã sớm sửa.");
	assert_string_equal(r.contact_name, "Nguyễn Thị Hoa");
	assert_int_equal(r.status, ST_RECEIVED);
	assert_int_equal(r.received, T0);
	assert_int_equal(r.accept_due, T0 + 10 * DAY);
	assert_int_equal(r.settle_due, 0);
	assert_null(r.answer);
	store_record_clear(&r);
	assert_int_equal(store_get(s, "b", T0, &r), TT_OK);
	assert_string_equal(r.kind, "complaint");
	assert_null(r.contact_name); /* anonymous */
	assert_null(r.contact_phone);
	assert_true(store_is_anonymous(&r));
	assert_int_equal(r.created % DAY, 0);
	store_record_clear(&r);
	assert_int_equal(store_get_by_code_hash(s, "00000000000000000000000000000003", T0, &r), TT_OK);
	assert_string_equal(r.id, "c");
	store_record_clear(&r);
	assert_int_equal(store_get_by_code_hash(s, "ffffffffffffffffffffffffffffffff", T0, &r), TT_ERR_NOTFOUND);
	assert_int_equal(store_get(s, "zz", T0, &r), TT_ERR_NOTFOUND);
	assert_int_equal(store_quarantine_count(s), 2);
	store_close(s);
}

/* store_add joins a batch without a savepoint: an add that fails (here a
 * trigger refuses one id) spoils the batch, whose commit fails and keeps
 * nothing of it, so nothing of it is acknowledged; the batch sent again
 * without the bad one is stored.  Deferred checkpoints change nothing
 * that is read back. */
static void failed_add_spoils_the_batch(void **state)
{
	(void)state;
	store *s = open_db();
	store_defer_checkpoints(s);
	add_one(s, "before", 0, T0);
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
	                              "CREATE TRIGGER refuse BEFORE INSERT ON submissions WHEN NEW.id = 'bad'"
	                              " BEGIN SELECT RAISE(ABORT, 'refused'); END",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(raw);
	store_record r;
	bool inserted = true;
	assert_int_equal(store_begin(s), TT_OK);
	add_one(s, "a", 1, T0);
	make(&r, "bad", 2, T0);
	assert_int_equal(store_add(s, &r, &inserted), TT_ERR_IO);
	assert_false(inserted);
	make(&r, "b", 3, T0);
	inserted = true;
	assert_int_equal(store_add(s, &r, &inserted), TT_ERR_IO); /* the batch is spoilt */
	assert_false(inserted);
	assert_int_equal(store_commit(s), TT_ERR_IO);
	assert_false(has(s, "a"));
	assert_false(has(s, "b"));
	assert_true(has(s, "before"));
	assert_int_equal(store_begin(s), TT_OK); /* a new batch starts clean */
	add_one(s, "a", 1, T0);
	add_one(s, "b", 3, T0);
	assert_int_equal(store_commit(s), TT_OK);
	store_checkpoint(s);
	store_close(s);
	s = open_db();
	assert_true(has(s, "a"));
	assert_true(has(s, "b"));
	assert_int_equal(count(s, NULL, T0), 3);
	store_close(s);
}

static void rollback_loses_nothing_committed(void **state)
{
	(void)state;
	store *s = open_db();
	assert_int_equal(store_begin(s), TT_OK);
	add_one(s, "a", 0, T0);
	add_one(s, "b", 1, T0);
	assert_int_equal(store_commit(s), TT_OK);
	assert_int_equal(store_begin(s), TT_OK);
	add_one(s, "c", 2, T0);
	add_one(s, "d", 3, T0);
	assert_int_equal(store_quarantine(s, "t", "k", "bad", "x", 1, T0), TT_OK);
	assert_int_equal(store_rollback(s), TT_OK);
	assert_int_equal(store_rollback(s), TT_OK); /* nothing open: harmless */
	store_close(s);

	s = open_db();
	assert_true(has(s, "a"));
	assert_true(has(s, "b"));
	assert_false(has(s, "c"));
	assert_false(has(s, "d"));
	assert_int_equal(store_quarantine_count(s), 0);
	/* the lost batch comes again (the kiosk re-sends): stored now */
	assert_int_equal(store_begin(s), TT_OK);
	add_one(s, "c", 2, T0);
	add_one(s, "d", 3, T0);
	assert_int_equal(store_commit(s), TT_OK);
	assert_int_equal(count(s, NULL, T0), 4);
	store_close(s);
}

/* A batch whose commit fails at each write in turn (WAL frames, the
 * fsync): the commit says so, what was committed before stays, and the
 * same batch added again is stored exactly once. */
static void injected_failure_then_retry(void **state)
{
	(void)state;
	int failures = 0;
	for (int k = 0; k < 12; k++) {
		char id[24];
		store *s;
		tt_err e;
		bool inserted;
		store_record r;

		fresh(state);
		s = open_db();
		add_one(s, "committed", 0, T0);
		snprintf(id, sizeof id, "batch-%d", k);
		make(&r, id, k, T0 + 1);

		store_fail_writes_after(k, 1);
		e = store_begin(s);
		if (e == TT_OK)
			e = store_add(s, &r, &inserted);
		if (e == TT_OK)
			e = store_commit(s);
		else
			store_rollback(s);
		store_fail_writes_after(0, 0);
		if (e != TT_OK) {
			failures++;
			assert_int_equal(e, TT_ERR_IO);
			assert_true(has(s, "committed"));
			/* the retry: stored, or found stored (a failed fsync
			 * may leave the frames in place) and not doubled */
			assert_int_equal(store_begin(s), TT_OK);
			assert_int_equal(store_add(s, &r, &inserted), TT_OK);
			assert_int_equal(store_commit(s), TT_OK);
		}
		assert_true(has(s, "committed"));
		assert_true(has(s, id));
		assert_int_equal(count(s, NULL, T0), 2);
		store_close(s);
		s = open_db(); /* and on disk */
		assert_true(has(s, "committed"));
		assert_true(has(s, id));
		assert_int_equal(count(s, NULL, T0), 2);
		store_close(s);
	}
	assert_true(failures >= 2); /* the faults did reach the commit */

	/* a failed status change leaves the record as it was */
	fresh(state);
	store *s = open_db();
	store_record r;
	add_one(s, "x", 0, T0);
	store_fail_writes_after(0, 1);
	assert_int_equal(store_set_status(s, "x", ST_ACCEPTED, OUT_NONE, NULL, NULL, "test", T0 + 1), TT_ERR_IO);
	store_fail_writes_after(0, 0);
	assert_int_equal(store_get(s, "x", T0, &r), TT_OK);
	assert_int_equal(r.status, ST_RECEIVED);
	store_record_clear(&r);
	assert_int_equal(store_set_status(s, "x", ST_ACCEPTED, OUT_NONE, NULL, NULL, "test", T0 + 1), TT_OK);
	store_close(s);
}

/* --- lifecycle ------------------------------------------------------------ */

static void names_round_trip(void **state)
{
	(void)state;
	static const char *const want[ST__COUNT] = {"received",    "accepted",  "not_accepted", "assigned",
	                                            "in_progress", "responded", "closed",       "reopened"};
	store_status s;
	store_outcome o;
	for (int i = 0; i < ST__COUNT; i++) {
		assert_string_equal(store_status_name((store_status)i), want[i]);
		assert_true(store_status_parse(want[i], &s));
		assert_int_equal(s, i);
	}
	assert_true(store_status_parse("in-progress", &s));
	assert_int_equal(s, ST_IN_PROGRESS);
	assert_true(store_status_parse("Not_Accepted", &s));
	assert_int_equal(s, ST_NOT_ACCEPTED);
	assert_false(store_status_parse("done", &s));
	assert_false(store_status_parse("", &s));
	assert_false(store_status_parse(NULL, &s));
	assert_string_equal(store_status_name(ST__COUNT), "unknown");
	for (int i = 0; i < OUT__COUNT; i++) {
		assert_true(store_outcome_parse(store_outcome_name((store_outcome)i), &o));
		assert_int_equal(o, i);
	}
	assert_string_equal(store_outcome_name(OUT_NO_ACTION), "no_action");
	assert_true(store_outcome_parse("no-action", &o));
	assert_int_equal(o, OUT_NO_ACTION);
	assert_true(store_outcome_parse("none", &o));
	assert_int_equal(o, OUT_NONE);
	assert_false(store_outcome_parse("fixed", &o));
}

static void lifecycle_allowed_and_forbidden(void **state)
{
	(void)state;
	/* rows: from; columns: to, in enum order */
	static const unsigned char m[ST__COUNT][ST__COUNT] = {
	    [ST_RECEIVED] = {0, 1, 1, 0, 0, 0, 0, 0},     [ST_ACCEPTED] = {0, 0, 0, 1, 1, 1, 1, 0},
	    [ST_NOT_ACCEPTED] = {0, 0, 0, 0, 0, 0, 0, 1}, [ST_ASSIGNED] = {0, 0, 0, 0, 1, 1, 1, 0},
	    [ST_IN_PROGRESS] = {0, 0, 0, 0, 0, 1, 1, 0},  [ST_RESPONDED] = {0, 0, 0, 0, 1, 0, 1, 0},
	    [ST_CLOSED] = {0, 0, 0, 0, 0, 0, 0, 1},       [ST_REOPENED] = {0, 1, 0, 1, 1, 1, 1, 0},
	};
	for (int f = 0; f < ST__COUNT; f++)
		for (int t = 0; t < ST__COUNT; t++)
			if (store_status_allowed((store_status)f, (store_status)t) != (m[f][t] != 0))
				fail_msg("%s -> %s", store_status_name((store_status)f),
				         store_status_name((store_status)t));
	assert_false(store_status_allowed(ST__COUNT, ST_ACCEPTED));
	assert_false(store_status_allowed(ST_RECEIVED, ST__COUNT));

	store *s = open_db();
	store_record r;
	add_one(s, "x", 0, T0);
	assert_int_equal(store_set_status(s, "x", ST_ASSIGNED, OUT_NONE, NULL, "UBND xã", "cli:t", T0), TT_ERR_STATE);
	assert_int_equal(store_set_status(s, "x", ST_RECEIVED, OUT_NONE, NULL, NULL, "cli:t", T0), TT_ERR_STATE);
	assert_int_equal(store_set_status(s, "x", ST_ACCEPTED, OUT_NONE, NULL, NULL, "cli:t", T0 + 1), TT_OK);
	assert_int_equal(store_set_status(s, "x", ST_ACCEPTED, OUT_NONE, NULL, NULL, "cli:t", T0 + 2), TT_ERR_STATE);
	assert_int_equal(store_set_status(s, "x", ST_ASSIGNED, OUT_NONE, NULL, "Phòng LĐ-TB&XH huyện", "cli:t", T0 + 3),
	                 TT_OK);
	/* an outcome belongs to closing */
	assert_int_equal(store_set_status(s, "x", ST_IN_PROGRESS, OUT_RESOLVED, NULL, NULL, "cli:t", T0 + 4),
	                 TT_ERR_INVAL);
	assert_int_equal(
	    store_set_status(s, "x", ST_CLOSED, OUT_REFERRED, "Chuyển Thanh tra huyện", NULL, "cli:t", T0 + 5), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 6, &r), TT_OK);
	assert_int_equal(r.status, ST_CLOSED);
	assert_int_equal(r.outcome, OUT_REFERRED);
	assert_string_equal(r.agency, "Phòng LĐ-TB&XH huyện");
	assert_string_equal(r.reason, "Chuyển Thanh tra huyện");
	assert_int_equal(r.updated, T0 + 5);
	store_record_clear(&r);
	assert_int_equal(store_set_status(s, "x", ST_RESPONDED, OUT_NONE, NULL, NULL, "cli:t", T0 + 6), TT_ERR_STATE);
	assert_int_equal(store_set_status(s, "x", ST_REOPENED, OUT_NONE, NULL, NULL, "cli:t", T0 + 7), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 7, &r), TT_OK);
	assert_int_equal(r.outcome, OUT_NONE);
	store_record_clear(&r);
	assert_int_equal(store_set_status(s, "nope", ST_ACCEPTED, OUT_NONE, NULL, NULL, "cli:t", T0), TT_ERR_NOTFOUND);

	add_one(s, "y", 1, T0);
	assert_int_equal(
	    store_set_status(s, "y", ST_NOT_ACCEPTED, OUT_NONE, "Không thuộc thẩm quyền", NULL, "cli:t", T0 + 1),
	    TT_OK);
	assert_int_equal(store_set_status(s, "y", ST_ACCEPTED, OUT_NONE, NULL, NULL, "cli:t", T0 + 2), TT_ERR_STATE);
	assert_int_equal(store_set_status(s, "y", ST_REOPENED, OUT_NONE, NULL, NULL, "cli:t", T0 + 3), TT_OK);
	assert_int_equal(store_set_status(s, "y", ST_IN_PROGRESS, OUT_NONE, NULL, NULL, "cli:t", T0 + 4), TT_OK);
	store_close(s);
}

struct lines {
	char text[8][200];
	size_t n;
};

static bool history_fn(const store_audit *a, void *ctx)
{
	struct lines *l = ctx;
	if (l->n < 8)
		snprintf(l->text[l->n++], sizeof l->text[0], "%s|%s|%s", a->actor, a->action,
		         a->detail ? a->detail : "");
	return true;
}

static void audit_log_records_every_change(void **state)
{
	(void)state;
	store *s = open_db();
	struct lines l = {0};
	store_change c;

	add_one(s, "x", 0, T0);
	assert_int_equal(store_history(s, "x", history_fn, &l), TT_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_set_status(s, "x", ST_ACCEPTED, OUT_NONE, NULL, NULL, "cli:hoa", T0 + 1), TT_OK);
	store_change_init(&c, "web:lan", T0 + 2);
	c.to = ST_ASSIGNED;
	c.agency = "UBND xã Cẩm Bình";
	c.complex = 1;
	assert_int_equal(store_update(s, "x", &c), TT_OK);
	store_change_init(&c, "web:lan", T0 + 3);
	c.reason = "Chờ xác minh";
	assert_int_equal(store_update(s, "x", &c), TT_OK);
	store_change_init(&c, "web:lan", T0 + 4);
	assert_int_equal(store_update(s, "x", &c), TT_ERR_INVAL); /* nothing to change */
	assert_int_equal(store_history(s, "x", history_fn, &l), TT_OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.text[0], "cli:hoa|status|received -> accepted");
	assert_string_equal(l.text[1], "web:lan|complex|yes (45-day settlement)");
	assert_string_equal(l.text[2], "web:lan|status|accepted -> assigned; agency: UBND xã Cẩm Bình");
	assert_string_equal(l.text[3], "web:lan|note|reason: Chờ xác minh");
	store_close(s);
}

/* --- clocks ------------------------------------------------------------------ */

static void deadlines_and_overdue(void **state)
{
	(void)state;
	store *s = open_db();
	store_record r;
	store_filter f;
	store_change c;

	add_one(s, "x", 0, T0);
	assert_int_equal(store_get(s, "x", T0 + 10 * DAY, &r), TT_OK);
	assert_int_equal(r.accept_due, T0 + 10 * DAY);
	assert_int_equal(store_due(&r), T0 + 10 * DAY);
	assert_false(r.overdue); /* due today: not yet late */
	assert_true(store_is_overdue(&r, T0 + 10 * DAY + 1));
	store_record_clear(&r);
	assert_int_equal(store_get(s, "x", T0 + 10 * DAY + 1, &r), TT_OK);
	assert_true(r.overdue);
	store_record_clear(&r);

	/* accepted on day 2: 30 days from then */
	assert_int_equal(store_set_status(s, "x", ST_ACCEPTED, OUT_NONE, NULL, NULL, "t", T0 + 2 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 20 * DAY, &r), TT_OK);
	assert_int_equal(r.settle_due, T0 + 32 * DAY);
	assert_int_equal(store_due(&r), T0 + 32 * DAY);
	assert_false(r.overdue);
	store_record_clear(&r);
	assert_int_equal(store_get(s, "x", T0 + 32 * DAY + 1, &r), TT_OK);
	assert_true(r.overdue);
	store_record_clear(&r);

	/* complex: 45 days from acceptance; and back */
	store_change_init(&c, "t", T0 + 3 * DAY);
	c.complex = 1;
	assert_int_equal(store_update(s, "x", &c), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 40 * DAY, &r), TT_OK);
	assert_true(r.complex);
	assert_int_equal(r.settle_due, T0 + 47 * DAY);
	assert_false(r.overdue);
	store_record_clear(&r);
	c.complex = 0;
	assert_int_equal(store_update(s, "x", &c), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 40 * DAY, &r), TT_OK);
	assert_int_equal(r.settle_due, T0 + 32 * DAY);
	assert_true(r.overdue);
	store_record_clear(&r);
	/* the clock survives assignment and work */
	assert_int_equal(store_set_status(s, "x", ST_IN_PROGRESS, OUT_NONE, NULL, NULL, "t", T0 + 5 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 40 * DAY, &r), TT_OK);
	assert_int_equal(r.settle_due, T0 + 32 * DAY);
	assert_true(r.overdue);
	store_record_clear(&r);

	/* overdue in a listing, and not once answered */
	store_filter_init(&f);
	f.overdue_only = true;
	add_one(s, "fresh", 1, T0 + 39 * DAY);
	assert_int_equal(count(s, &f, T0 + 40 * DAY), 1);
	assert_int_equal(store_respond(s, "x", "Đã sửa xong đường.", -1, "t", T0 + 41 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 400 * DAY, &r), TT_OK);
	assert_false(r.overdue);
	store_record_clear(&r);
	assert_int_equal(count(s, &f, T0 + 40 * DAY), 0);
	assert_int_equal(count(s, &f, T0 + 50 * DAY), 1); /* "fresh", past its acceptance */

	/* the citizen is not satisfied: back to work, on the old clock */
	assert_int_equal(store_set_status(s, "x", ST_IN_PROGRESS, OUT_NONE, NULL, NULL, "t", T0 + 42 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 42 * DAY, &r), TT_OK);
	assert_true(r.overdue);
	store_record_clear(&r);
	assert_int_equal(store_set_status(s, "x", ST_CLOSED, OUT_RESOLVED, NULL, NULL, "t", T0 + 43 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 400 * DAY, &r), TT_OK);
	assert_false(r.overdue);
	store_record_clear(&r);

	/* reopened: a new acceptance clock, no settlement clock until taken up */
	assert_int_equal(store_set_status(s, "x", ST_REOPENED, OUT_NONE, NULL, NULL, "t", T0 + 60 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 60 * DAY, &r), TT_OK);
	assert_int_equal(r.accept_due, T0 + 70 * DAY);
	assert_int_equal(r.settle_due, 0);
	assert_false(r.overdue);
	store_record_clear(&r);
	assert_int_equal(store_get(s, "x", T0 + 71 * DAY, &r), TT_OK);
	assert_true(r.overdue);
	store_record_clear(&r);
	assert_int_equal(store_set_status(s, "x", ST_IN_PROGRESS, OUT_NONE, NULL, NULL, "t", T0 + 65 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + 71 * DAY, &r), TT_OK);
	assert_int_equal(r.settle_due, T0 + 95 * DAY);
	assert_false(r.overdue);
	store_record_clear(&r);

	/* not accepted: never overdue */
	add_one(s, "y", 2, T0);
	assert_int_equal(store_set_status(s, "y", ST_NOT_ACCEPTED, OUT_NONE, "Trùng nội dung", NULL, "t", T0 + DAY),
	                 TT_OK);
	assert_int_equal(store_get(s, "y", T0 + 400 * DAY, &r), TT_OK);
	assert_false(r.overdue);
	assert_int_equal(r.settle_due, 0);
	store_record_clear(&r);
	store_close(s);
}

/* --- answers --------------------------------------------------------------------- */

static void respond_records_the_answer(void **state)
{
	(void)state;
	store *s = open_db();
	store_record r;
	struct lines l = {0};

	add_one(s, "x", 0, T0);
	assert_int_equal(store_respond(s, "x", "", -1, "cli:t", T0), TT_ERR_INVAL);
	assert_int_equal(store_respond(s, "x", NULL, -1, "cli:t", T0), TT_ERR_INVAL);
	assert_int_equal(store_respond(s, "x", "bad \xff utf-8", -1, "cli:t", T0), TT_ERR_INVAL);
	/* a received item is taken up by the answer */
	assert_int_equal(store_respond(s, "x", "Xã đã sửa đường ngày 20/11.", -1, "cli:hoa", T0 + DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0 + DAY, &r), TT_OK);
	assert_int_equal(r.status, ST_RESPONDED);
	assert_string_equal(r.answer, "Xã đã sửa đường ngày 20/11.");
	assert_int_equal(r.settle_due, T0 + 31 * DAY);
	store_record_clear(&r);
	assert_int_equal(store_history(s, "x", history_fn, &l), TT_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.text[0], "cli:hoa|status|received -> accepted (taken up to be answered)");
	assert_string_equal(l.text[1], "cli:hoa|status|accepted -> responded");
	assert_string_equal(l.text[2], "cli:hoa|answer|Xã đã sửa đường ngày 20/11.");
	/* answered again: the answer is replaced, the status stays */
	assert_int_equal(store_respond(s, "x", "Bổ sung: đã rải nhựa.", -1, "cli:hoa", T0 + 2 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0, &r), TT_OK);
	assert_int_equal(r.status, ST_RESPONDED);
	assert_string_equal(r.answer, "Bổ sung: đã rải nhựa.");
	store_record_clear(&r);
	/* an answer that closes */
	assert_int_equal(store_respond(s, "x", "Kết thúc.", ST_CLOSED, "cli:hoa", T0 + 3 * DAY), TT_OK);
	assert_int_equal(store_get(s, "x", T0, &r), TT_OK);
	assert_int_equal(r.status, ST_CLOSED);
	store_record_clear(&r);
	/* closed: reopen first */
	assert_int_equal(store_respond(s, "x", "Thêm.", -1, "cli:hoa", T0 + 4 * DAY), TT_ERR_STATE);
	assert_int_equal(store_respond(s, "nope", "Thêm.", -1, "cli:hoa", T0), TT_ERR_NOTFOUND);

	/* not accepted, with the answer saying why */
	add_one(s, "y", 1, T0);
	assert_int_equal(store_respond(s, "y", "Không thuộc thẩm quyền của xã.", ST_NOT_ACCEPTED, "cli:hoa", T0 + DAY),
	                 TT_OK);
	assert_int_equal(store_get(s, "y", T0, &r), TT_OK);
	assert_int_equal(r.status, ST_NOT_ACCEPTED);
	assert_string_equal(r.answer, "Không thuộc thẩm quyền của xã.");
	store_record_clear(&r);
	store_close(s);
}

/* --- listing --------------------------------------------------------------------- */

struct ids {
	char id[64][40];
	int64_t received[64];
	size_t n;
};

static bool ids_fn(const store_record *r, void *ctx)
{
	struct ids *x = ctx;
	if (x->n < 64) {
		snprintf(x->id[x->n], sizeof x->id[0], "%s", r->id);
		x->received[x->n++] = r->received;
	}
	return true;
}

static void list_filters_and_paging(void **state)
{
	(void)state;
	store *s = open_db();
	store_filter f;
	struct ids x;
	char id[16];

	/* 30 records, one an hour; some with equal times to test the id order */
	assert_int_equal(store_begin(s), TT_OK);
	for (int i = 0; i < 30; i++) {
		snprintf(id, sizeof id, "r%02d", i);
		add_one(s, id, i, T0 + (i / 2) * 3600);
	}
	assert_int_equal(store_commit(s), TT_OK);
	assert_int_equal(store_set_status(s, "r03", ST_ACCEPTED, OUT_NONE, NULL, NULL, "t", T0), TT_OK);
	assert_int_equal(store_set_status(s, "r06", ST_ACCEPTED, OUT_NONE, NULL, NULL, "t", T0), TT_OK);

	memset(&x, 0, sizeof x);
	assert_int_equal(store_list(s, NULL, T0, ids_fn, &x), TT_OK);
	assert_int_equal(x.n, 30);
	assert_string_equal(x.id[0], "r29"); /* newest first, then by id */
	assert_string_equal(x.id[1], "r28");
	assert_string_equal(x.id[29], "r00");

	store_filter_init(&f);
	f.commune = "cam-thanh";
	assert_int_equal(count(s, &f, T0), 10);
	store_filter_init(&f);
	f.kind = "complaint";
	assert_int_equal(count(s, &f, T0), 8); /* i % 4 == 1 */
	f.commune = "cam-thanh";               /* i % 3 == 1 and i % 4 == 1: 1, 13, 25 */
	assert_int_equal(count(s, &f, T0), 3);
	store_filter_init(&f);
	f.category = "review";
	assert_int_equal(count(s, &f, T0), 6);
	store_filter_init(&f);
	f.kiosk = "kiosk-00";
	assert_int_equal(count(s, &f, T0), 6);
	store_filter_init(&f);
	f.status = ST_ACCEPTED;
	assert_int_equal(count(s, &f, T0), 2);
	f.status = ST_RECEIVED;
	assert_int_equal(count(s, &f, T0), 28);
	store_filter_init(&f);
	f.from = T0 + 3600;
	f.to = T0 + 3 * 3600; /* hours 1 and 2: r02..r05 */
	memset(&x, 0, sizeof x);
	assert_int_equal(store_list(s, &f, T0, ids_fn, &x), TT_OK);
	assert_int_equal(x.n, 4);
	assert_string_equal(x.id[0], "r05");
	assert_string_equal(x.id[3], "r02");
	store_filter_init(&f);
	f.limit = 5;
	f.offset = 2;
	memset(&x, 0, sizeof x);
	assert_int_equal(store_list(s, &f, T0, ids_fn, &x), TT_OK);
	assert_int_equal(x.n, 5);
	assert_string_equal(x.id[0], "r27");

	/* keyset paging: pages of 7 walk every record once, in order */
	struct ids all;
	memset(&all, 0, sizeof all);
	char after[40] = "";
	for (int page = 0; page < 10; page++) {
		store_filter_init(&f);
		f.limit = 7;
		f.after_id = *after ? after : NULL;
		memset(&x, 0, sizeof x);
		assert_int_equal(store_list(s, &f, T0, ids_fn, &x), TT_OK);
		for (size_t i = 0; i < x.n; i++)
			snprintf(all.id[all.n++], sizeof all.id[0], "%s", x.id[i]);
		if (x.n < 7)
			break;
		snprintf(after, sizeof after, "%s", x.id[x.n - 1]);
	}
	assert_int_equal(all.n, 30);
	for (int i = 0; i < 30; i++) {
		snprintf(id, sizeof id, "r%02d", 29 - i);
		assert_string_equal(all.id[i], id);
	}
	/* paging with a filter */
	store_filter_init(&f);
	f.commune = "cam-binh";
	f.after_id = "r15";
	memset(&x, 0, sizeof x);
	assert_int_equal(store_list(s, &f, T0, ids_fn, &x), TT_OK);
	assert_int_equal(x.n, 5); /* r12, r09, r06, r03, r00 */
	assert_string_equal(x.id[0], "r12");
	f.after_id = "no-such-id";
	assert_int_equal(store_list(s, &f, T0, ids_fn, &x), TT_ERR_NOTFOUND);
	store_filter_init(&f);
	f.status = ST__COUNT;
	assert_int_equal(store_list(s, &f, T0, ids_fn, &x), TT_ERR_INVAL);
	store_close(s);
}

static bool stop_after_three(const store_record *r, void *ctx)
{
	(void)r;
	return ++*(int *)ctx < 3;
}

static void list_stops_when_asked(void **state)
{
	(void)state;
	store *s = open_db();
	int n = 0;
	add_one(s, "a", 0, T0);
	add_one(s, "b", 1, T0);
	add_one(s, "c", 2, T0);
	add_one(s, "d", 3, T0);
	assert_int_equal(store_list(s, NULL, T0, stop_after_three, &n), TT_OK);
	assert_int_equal(n, 3);
	store_close(s);
}

static void thousand_rows_list(void **state)
{
	(void)state;
	store *s = open_db();
	store_filter f;
	struct ids x;
	char id[16];
	struct timespec a, b;

	assert_int_equal(store_begin(s), TT_OK);
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof id, "n%04d", i);
		add_one(s, id, i, T0 + i * 60);
	}
	assert_int_equal(store_commit(s), TT_OK);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(count(s, NULL, T0), 1000);
	store_filter_init(&f);
	f.commune = "thach-ha";
	f.limit = 20;
	memset(&x, 0, sizeof x);
	assert_int_equal(store_list(s, &f, T0, ids_fn, &x), TT_OK);
	assert_int_equal(x.n, 20);
	assert_string_equal(x.id[0], "n0998"); /* 998 % 3 == 2 */
	store_filter_init(&f);
	f.overdue_only = true;
	assert_int_equal(count(s, &f, T0 + 11 * DAY), 1000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	print_message("listing 1,000 rows three ways: %.1f ms\n",
	              (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	store_close(s);
}

/* --- report ------------------------------------------------------------------------ */

static const store_count *find(const store_count *c, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].key, key) == 0)
			return &c[i];
	fail_msg("no group %s", key);
	return NULL;
}

static void report_groups(void **state)
{
	(void)state;
	store *s = open_db();
	store_count c[16];
	size_t n;
	char id[16];

	assert_int_equal(store_begin(s), TT_OK);
	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof id, "r%02d", i);
		add_one(s, id, i, T0 + i * DAY);
	}
	assert_int_equal(store_commit(s), TT_OK);
	/* r00 answered after 2 days, r04 after 4 */
	assert_int_equal(store_respond(s, "r00", "Đã trả lời.", -1, "t", T0 + 2 * DAY), TT_OK);
	assert_int_equal(store_respond(s, "r04", "Đã trả lời.", -1, "t", T0 + 8 * DAY), TT_OK);

	n = store_report(s, "commune", 0, 0, T0 + 12 * DAY, c, 16);
	assert_int_equal(n, 3);
	assert_int_equal(find(c, n, "cam-binh")->n, 4);
	assert_int_equal(find(c, n, "cam-thanh")->n, 4);
	const store_count *cb = find(c, n, "cam-binh"); /* r00 r03 r06 r09 */
	assert_int_equal(cb->responded, 1);
	assert_true(cb->response_days_sum > 1.99 && cb->response_days_sum < 2.01);
	/* feedback ratings: r00 (1), r03 (4), r04 (5), r07 (3), r08 (4), r11 (2); objection r02... none */
	assert_int_equal(cb->rated, 2); /* r00: 1, r03: 4 */
	assert_true(cb->rating_sum > 4.99 && cb->rating_sum < 5.01);
	/* overdue at day 12: received more than 10 days before, still waiting: r00 answered, r01 */
	assert_int_equal(cb->overdue, 0);
	assert_int_equal(find(c, n, "cam-thanh")->overdue, 1);

	n = store_report(s, "kind", 0, 0, T0, c, 16);
	assert_int_equal(n, 3);
	assert_int_equal(find(c, n, "feedback")->n, 6);
	assert_int_equal(find(c, n, "complaint")->n, 3);
	assert_int_equal(find(c, n, "objection")->n, 3);
	assert_string_equal(c[0].key, "feedback"); /* biggest first */
	const store_count *fb = find(c, n, "feedback");
	assert_int_equal(fb->rated, 6);
	assert_int_equal(fb->responded, 2);
	assert_true(fb->response_days_sum > 5.99 && fb->response_days_sum < 6.01);

	n = store_report(s, "status", 0, 0, T0, c, 16);
	assert_int_equal(n, 2);
	assert_int_equal(find(c, n, "received")->n, 10);
	assert_int_equal(find(c, n, "responded")->n, 2);

	n = store_report(s, "category", T0 + 5 * DAY, T0 + 10 * DAY, T0, c, 16); /* r05..r09 */
	assert_int_equal(n, 5);
	assert_int_equal(find(c, n, "policy")->n, 1);

	assert_int_equal(store_report(s, "kind", 0, 0, T0, c, 2), 2); /* at most max */
	assert_int_equal(store_report(s, "colour", 0, 0, T0, c, 16), 0);
	assert_int_equal(store_report(s, "kiosk", 0, 0, T0, c, 16), 5);
	store_close(s);
}

/* --- track changes ------------------------------------------------------------------ */

struct track {
	char id[16][40];
	store_status status[16];
	size_t n;
	int refuse_after; /* -1: never */
	store *other;     /* changes this record during the call */
};

static bool track_fn(const store_record *r, void *ctx)
{
	struct track *t = ctx;
	if (t->refuse_after >= 0 && (int)t->n >= t->refuse_after)
		return false;
	if (t->other)
		assert_int_equal(store_set_status(t->other, r->id, ST_ACCEPTED, OUT_NONE, NULL, NULL, "other", T0),
		                 TT_OK);
	snprintf(t->id[t->n], sizeof t->id[0], "%s", r->id);
	t->status[t->n++] = r->status;
	return true;
}

static void track_changes(void **state)
{
	(void)state;
	store *s = open_db();
	struct track t = {.refuse_after = -1};

	add_one(s, "a", 0, T0);
	add_one(s, "b", 1, T0);
	add_one(s, "c", 2, T0);
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 2), 2);
	assert_string_equal(t.id[0], "a"); /* in the order they changed */
	assert_string_equal(t.id[1], "b");
	memset(&t, 0, sizeof t);
	t.refuse_after = -1;
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 100), 1);
	assert_string_equal(t.id[0], "c");
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 100), 0);

	/* a status change and an answer mark again; a refusal keeps the mark */
	assert_int_equal(store_set_status(s, "b", ST_ACCEPTED, OUT_NONE, NULL, NULL, "t", T0), TT_OK);
	assert_int_equal(store_respond(s, "a", "Đã xử lý.", -1, "t", T0), TT_OK);
	memset(&t, 0, sizeof t);
	t.refuse_after = 1;
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 100), 1);
	assert_string_equal(t.id[0], "b");
	assert_int_equal(t.status[0], ST_ACCEPTED);
	memset(&t, 0, sizeof t);
	t.refuse_after = -1;
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 100), 1);
	assert_string_equal(t.id[0], "a");
	assert_int_equal(t.status[0], ST_RESPONDED);

	/* changed by another process while being published: not forgotten */
	store *other = open_db();
	add_one(s, "d", 3, T0);
	memset(&t, 0, sizeof t);
	t.refuse_after = -1;
	t.other = other;
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 100), 1);
	assert_int_equal(t.status[0], ST_RECEIVED);
	memset(&t, 0, sizeof t);
	t.refuse_after = -1;
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 100), 1);
	assert_string_equal(t.id[0], "d");
	assert_int_equal(t.status[0], ST_ACCEPTED);
	store_close(other);
	store_close(s);
}

/* A file of schema 1 (track_dirty keyed by id) is migrated on open and
 * keeps the changes still to be published, in their order. */
static void schema_1_is_migrated(void **state)
{
	(void)state;
	store *s = open_db();
	add_one(s, "a", 0, T0);
	add_one(s, "b", 1, T0);
	store_close(s);
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
	         "sqlite3 '%s' \"DROP TABLE track_queue; CREATE TABLE track_dirty(id TEXT PRIMARY KEY NOT NULL,"
	         " gen INTEGER NOT NULL); INSERT INTO track_dirty VALUES('b', 7), ('a', 3); PRAGMA user_version = 1;\"",
	         db);
	assert_int_equal(system(cmd), 0);
	s = open_db();
	struct track t = {.refuse_after = -1};
	assert_int_equal(store_track_changes(s, T0, track_fn, &t, 100), 2);
	assert_string_equal(t.id[0], "a");
	assert_string_equal(t.id[1], "b");
	store_close(s);
	snprintf(cmd, sizeof cmd, "test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = 3", db);
	assert_int_equal(system(cmd), 0);
}

/* --- kiosks ------------------------------------------------------------------------------ */

struct kiosks {
	char line[4][200];
	size_t n;
};

static bool kiosk_fn(const store_kiosk *k, void *ctx)
{
	struct kiosks *x = ctx;
	if (x->n < 4)
		snprintf(x->line[x->n++], sizeof x->line[0], "%s %d %lld %s", k->id, k->online, (long long)k->last_seen,
		         k->status_json ? k->status_json : "-");
	return true;
}

static void kiosks(void **state)
{
	(void)state;
	store *s = open_db();
	struct kiosks x = {0};
	assert_int_equal(store_kiosk_seen(s, "ht-cb-02", "{\"state\":\"online\",\"boot\":3}", true, T0), TT_OK);
	assert_int_equal(store_kiosk_seen(s, "ht-cb-01", "{\"state\":\"online\",\"boot\":1}", true, T0 + 1), TT_OK);
	assert_int_equal(store_kiosk_seen(s, "ht-cb-02", NULL, false, T0 + 60), TT_OK); /* Last Will */
	assert_int_equal(store_kiosks(s, kiosk_fn, &x), TT_OK);
	assert_int_equal(x.n, 2);
	assert_string_equal(x.line[0], "ht-cb-01 1 1793577601 {\"state\":\"online\",\"boot\":1}");
	assert_string_equal(x.line[1], "ht-cb-02 0 1793577660 {\"state\":\"online\",\"boot\":3}");
	assert_int_equal(store_kiosk_seen(s, "", NULL, false, T0), TT_ERR_INVAL);
	assert_int_equal(store_kiosk_seen(s, NULL, NULL, false, T0), TT_ERR_INVAL);
	store_close(s);
}

/* --- arguments --------------------------------------------------------------------------- */

static bool never(const store_record *r, void *ctx)
{
	(void)r;
	(void)ctx;
	return false;
}

static void arguments_are_checked(void **state)
{
	(void)state;
	char err[256] = "";
	store_record r;
	store_count c[2];
	store_change ch;

	assert_null(store_open_sqlite("/tmp/tt-no-such-dir-xyz/store.db", err, sizeof err));
	assert_non_null(strstr(err, "/tmp/tt-no-such-dir-xyz/store.db"));
	assert_null(store_open_sqlite(NULL, err, sizeof err));
	assert_null(store_open_sqlite("", NULL, 0));
	store_close(NULL);
	store_record_clear(NULL);
	memset(&r, 0, sizeof r);
	store_record_clear(&r);
	store_audit_clear(NULL);

	store *s = open_db();
	make(&r, "", 0, T0);
	assert_int_equal(store_add(s, &r, NULL), TT_ERR_INVAL);
	memset(r.id, 'x', sizeof r.id); /* not terminated */
	assert_int_equal(store_add(s, &r, NULL), TT_ERR_INVAL);
	assert_int_equal(store_add(NULL, &r, NULL), TT_ERR_INVAL);
	assert_int_equal(store_add(s, NULL, NULL), TT_ERR_INVAL);
	make(&r, "ok", 0, T0);
	assert_int_equal(store_add(s, &r, NULL), TT_OK);
	assert_int_equal(store_get(s, NULL, T0, &r), TT_ERR_INVAL);
	assert_int_equal(store_get(s, "", T0, &r), TT_ERR_INVAL);
	assert_int_equal(store_get(NULL, "ok", T0, &r), TT_ERR_INVAL);
	assert_int_equal(store_get_by_code_hash(s, "", T0, &r), TT_ERR_INVAL);
	assert_int_equal(store_list(s, NULL, T0, NULL, NULL), TT_ERR_INVAL);
	assert_int_equal(store_list(NULL, NULL, T0, never, NULL), TT_ERR_INVAL);
	assert_int_equal(store_set_status(s, "ok", ST__COUNT, OUT_NONE, NULL, NULL, "t", T0), TT_ERR_INVAL);
	assert_int_equal(store_set_status(s, NULL, ST_ACCEPTED, OUT_NONE, NULL, NULL, "t", T0), TT_ERR_INVAL);
	assert_int_equal(store_respond(s, "ok", "x", ST__COUNT, "t", T0), TT_ERR_INVAL);
	store_change_init(&ch, "t", T0);
	ch.complex = 2;
	assert_int_equal(store_update(s, "ok", &ch), TT_ERR_INVAL);
	ch.complex = -1;
	ch.agency = "very long agency name ......................................................................"
	            "..........................................................";
	assert_int_equal(store_update(s, "ok", &ch), TT_ERR_INVAL);
	assert_int_equal(store_update(s, "ok", NULL), TT_ERR_INVAL);
	assert_int_equal(store_history(s, "ok", NULL, NULL), TT_ERR_INVAL);
	assert_int_equal(store_track_changes(NULL, T0, never, NULL, 1), 0);
	assert_int_equal(store_track_changes(s, T0, never, NULL, 0), 0);
	assert_int_equal(store_report(s, NULL, 0, 0, T0, c, 2), 0);
	assert_int_equal(store_report(s, "kind", 0, 0, T0, NULL, 2), 0);
	assert_int_equal(store_quarantine(s, "t", "k", "r", NULL, 3, T0), TT_ERR_INVAL);
	assert_int_equal(store_quarantine_count(NULL), 0);
	assert_int_equal(store_begin(NULL), TT_ERR_INVAL);
	assert_int_equal(store_commit(s), TT_ERR_STATE);
	assert_int_equal(store_kiosks(s, NULL, NULL), TT_ERR_INVAL);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(add_duplicate_quarantine_in_batches, fresh),
	    cmocka_unit_test_setup(failed_add_spoils_the_batch, fresh),
	    cmocka_unit_test_setup(rollback_loses_nothing_committed, fresh),
	    cmocka_unit_test_setup(injected_failure_then_retry, fresh),
	    cmocka_unit_test(names_round_trip),
	    cmocka_unit_test_setup(lifecycle_allowed_and_forbidden, fresh),
	    cmocka_unit_test_setup(audit_log_records_every_change, fresh),
	    cmocka_unit_test_setup(deadlines_and_overdue, fresh),
	    cmocka_unit_test_setup(respond_records_the_answer, fresh),
	    cmocka_unit_test_setup(list_filters_and_paging, fresh),
	    cmocka_unit_test_setup(list_stops_when_asked, fresh),
	    cmocka_unit_test_setup(thousand_rows_list, fresh),
	    cmocka_unit_test_setup(report_groups, fresh),
	    cmocka_unit_test_setup(track_changes, fresh),
	    cmocka_unit_test_setup(schema_1_is_migrated, fresh),
	    cmocka_unit_test_setup(kiosks, fresh),
	    cmocka_unit_test_setup(arguments_are_checked, fresh),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
