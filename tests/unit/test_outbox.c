/* test_outbox.c - the durable queue: put, take, retry, ack, the cap,
 * idempotent puts, data across reopen and across two connections, and
 * injected disk failures that must lose nothing already committed. */
#include <pthread.h>
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

#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "tramtin/outbox.h"

static char tmpdir[64];
static char db[128];
static int counter;

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tt-outbox-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* a pinned wall clock, so ages are exact */
	setenv("TRAMTIN_NOW", "2025-03-04T10:00:00Z", 1);
	tt_log_init("test_outbox", TT_LOG_ERROR); /* the injected faults log warnings */
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh file for each test. */
static int fresh(void **state)
{
	(void)state;
	snprintf(db, sizeof db, "%s/outbox-%d.db", tmpdir, ++counter);
	outbox_fail_next_writes(NULL, 0);
	return 0;
}

static outbox *open_db(size_t max)
{
	char err[256] = "";
	outbox *o = outbox_open(db, max, err, sizeof err);
	if (!o)
		fail_msg("open: %s", err);
	return o;
}

static const char *env_of(const char *id)
{
	static char buf[128];
	snprintf(buf, sizeof buf, "{\"v\":1,\"id\":\"%.40s\",\"sealed\":\"...\"}", id);
	return buf;
}

static size_t pending_count(outbox *o)
{
	size_t n = 99;
	int64_t oldest;
	assert_int_equal(outbox_stats(o, &n, &oldest), TT_OK);
	return n;
}

static void free_items(outbox_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outbox_item_free(&it[i]);
}

static void put_take_ack(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	outbox_item it[10];
	const char *ids[] = {"id-a", "id-b", "id-c"};
	for (int i = 0; i < 3; i++)
		assert_int_equal(outbox_put(o, ids[i], env_of(ids[i])), TT_OK);
	assert_int_equal(pending_count(o), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(outbox_pending(o, ids[i]), 1);
	assert_int_equal(outbox_pending(o, "id-z"), 0);

	size_t n = outbox_take(o, 1000, 30000, it, 10);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(it[i].id, ids[i]); /* oldest first */
		assert_string_equal(it[i].envelope, env_of(ids[i]));
		assert_int_equal(it[i].attempts, 1);
		if (i)
			assert_true(it[i].seq > it[i - 1].seq);
	}
	free_items(it, n);
	/* sent, not yet due again */
	assert_int_equal(outbox_take(o, 1000, 30000, it, 10), 0);
	assert_int_equal(outbox_take(o, 30999, 30000, it, 10), 0);
	/* still pending until acknowledged */
	assert_int_equal(pending_count(o), 3);

	assert_int_equal(outbox_ack(o, "id-b"), TT_OK);
	assert_int_equal(outbox_pending(o, "id-b"), 0);
	assert_int_equal(outbox_pending(o, "id-a"), 1);
	assert_int_equal(pending_count(o), 2);
	assert_int_equal(outbox_ack(o, "id-b"), TT_OK);     /* again: fine */
	assert_int_equal(outbox_ack(o, "never-put"), TT_OK); /* unknown: fine */
	assert_int_equal(outbox_ack(o, "id-a"), TT_OK);
	assert_int_equal(outbox_ack(o, "id-c"), TT_OK);
	assert_int_equal(pending_count(o), 0);
	assert_int_equal(outbox_take(o, 999999, 0, it, 10), 0);
	outbox_close(o);
}

static void retake_after_retry(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	outbox_item it[4];
	assert_int_equal(outbox_put(o, "r1", "e1"), TT_OK);
	assert_int_equal(outbox_take(o, 1000, 5000, it, 4), 1);
	free_items(it, 1);
	assert_int_equal(outbox_put(o, "r2", "e2"), TT_OK);
	/* r2 was never sent: due at once; r1 not yet */
	assert_int_equal(outbox_take(o, 5999, 5000, it, 4), 1);
	assert_string_equal(it[0].id, "r2");
	free_items(it, 1);
	/* r1 due exactly retry_ms after it was sent */
	assert_int_equal(outbox_take(o, 6000, 5000, it, 4), 1);
	assert_string_equal(it[0].id, "r1");
	assert_int_equal(it[0].attempts, 2);
	free_items(it, 1);
	/* both due again later, oldest first, with their counts */
	assert_int_equal(outbox_take(o, 20000, 5000, it, 4), 2);
	assert_string_equal(it[0].id, "r1");
	assert_int_equal(it[0].attempts, 3);
	assert_string_equal(it[1].id, "r2");
	assert_int_equal(it[1].attempts, 2);
	free_items(it, 2);
	/* a monotonic clock that went back (reboot): what was sent "later"
	 * than now is due, not stuck until the clock catches up */
	assert_int_equal(outbox_take(o, 10, 5000, it, 4), 2);
	free_items(it, 2);
	outbox_close(o);
}

static void unacked_max_holds_back_new_rows(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	outbox_item it[8];
	char id[16];
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof id, "w%d", i);
		assert_int_equal(outbox_put(o, id, "e"), TT_OK);
	}
	outbox_set_unacked_max(o, 3);
	assert_int_equal(outbox_take(o, 1000, 5000, it, 8), 3);
	assert_string_equal(it[0].id, "w0");
	free_items(it, 3);
	/* the window is full: nothing new until an ack */
	assert_int_equal(outbox_take(o, 1001, 5000, it, 8), 0);
	assert_int_equal(outbox_ack(o, "w1"), TT_OK);
	assert_int_equal(outbox_take(o, 1002, 5000, it, 8), 1);
	assert_string_equal(it[0].id, "w3");
	free_items(it, 1);
	/* rows due again go out even with the window full, oldest first */
	assert_int_equal(outbox_take(o, 6001, 5000, it, 8), 2);
	assert_string_equal(it[0].id, "w0");
	assert_string_equal(it[1].id, "w2");
	free_items(it, 2);
	outbox_close(o);
}

static void take_respects_max(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	outbox_item it[5];
	char id[16];
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof id, "m%d", i);
		assert_int_equal(outbox_put(o, id, "e"), TT_OK);
	}
	assert_int_equal(outbox_take(o, 1, 100, it, 2), 2);
	assert_string_equal(it[0].id, "m0");
	assert_string_equal(it[1].id, "m1");
	free_items(it, 2);
	assert_int_equal(outbox_take(o, 1, 100, it, 5), 3);
	assert_string_equal(it[0].id, "m2");
	assert_string_equal(it[2].id, "m4");
	free_items(it, 3);
	assert_int_equal(outbox_take(o, 1, 100, it, 0), 0);
	assert_int_equal(outbox_take(o, 1, 100, NULL, 5), 0);
	outbox_close(o);
}

static void reset_sent_resends_everything(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	outbox_item it[4];
	assert_int_equal(outbox_put(o, "s1", "e1"), TT_OK);
	assert_int_equal(outbox_put(o, "s2", "e2"), TT_OK);
	assert_int_equal(outbox_take(o, 1000, 60000, it, 4), 2);
	free_items(it, 2);
	assert_int_equal(outbox_take(o, 1001, 60000, it, 4), 0);
	assert_int_equal(outbox_reset_sent(o), TT_OK);
	assert_int_equal(outbox_take(o, 1001, 60000, it, 4), 2);
	assert_string_equal(it[0].id, "s1");
	assert_int_equal(it[0].attempts, 2); /* the count is kept */
	free_items(it, 2);
	outbox_close(o);
}

static void cap_refuses_and_writes_nothing(void **state)
{
	(void)state;
	outbox *o = open_db(2);
	assert_int_equal(outbox_put(o, "c1", "e1"), TT_OK);
	assert_int_equal(outbox_put(o, "c2", "e2"), TT_OK);
	assert_int_equal(outbox_put(o, "c3", "e3"), TT_ERR_FULL);
	assert_int_equal(outbox_pending(o, "c3"), 0);
	assert_int_equal(pending_count(o), 2);
	/* a put of an id already there is no new row: fine at the cap */
	assert_int_equal(outbox_put(o, "c1", "e1"), TT_OK);
	assert_int_equal(pending_count(o), 2);
	/* room again once one is acknowledged */
	assert_int_equal(outbox_ack(o, "c1"), TT_OK);
	assert_int_equal(outbox_put(o, "c3", "e3"), TT_OK);
	assert_int_equal(pending_count(o), 2);
	outbox_close(o);

	/* the file on disk did not get c3 in the refused put */
	o = open_db(0);
	outbox_item it[4];
	size_t n = outbox_take(o, 1, 1, it, 4);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].id, "c2");
	assert_string_equal(it[1].id, "c3");
	free_items(it, n);
	outbox_close(o);
}

static void duplicate_id_is_ignored(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	outbox_item it[4];
	assert_int_equal(outbox_put(o, "d1", "first"), TT_OK);
	assert_int_equal(outbox_put(o, "d1", "second"), TT_OK);
	assert_int_equal(pending_count(o), 1);
	assert_int_equal(outbox_take(o, 1, 1, it, 4), 1);
	assert_string_equal(it[0].envelope, "first");
	free_items(it, 1);
	outbox_close(o);
}

static void survives_close_and_reopen(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	outbox_item it[4];
	assert_int_equal(outbox_put(o, "p1", "kept one"), TT_OK);
	assert_int_equal(outbox_put(o, "p2", "kept two"), TT_OK);
	assert_int_equal(outbox_take(o, 500, 1000, it, 1), 1);
	free_items(it, 1);
	outbox_close(o);

	struct stat st;
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	o = open_db(0);
	assert_int_equal(pending_count(o), 2);
	assert_int_equal(outbox_pending(o, "p1"), 1);
	/* the sent mark survived too; reset_sent is what start-up calls */
	assert_int_equal(outbox_take(o, 600, 1000, it, 4), 1);
	assert_string_equal(it[0].id, "p2");
	free_items(it, 1);
	assert_int_equal(outbox_reset_sent(o), TT_OK);
	assert_int_equal(outbox_take(o, 600, 1000, it, 4), 2);
	assert_string_equal(it[0].envelope, "kept one");
	assert_string_equal(it[1].envelope, "kept two");
	free_items(it, 2);
	outbox_close(o);
}

static void stats_give_the_oldest_age(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	size_t n = 99;
	int64_t oldest = 99;
	assert_int_equal(outbox_stats(o, &n, &oldest), TT_OK);
	assert_int_equal(n, 0);
	assert_int_equal(oldest, 0);
	assert_int_equal(outbox_put(o, "o1", "e"), TT_OK);
	clock_advance(90000);
	assert_int_equal(outbox_put(o, "o2", "e"), TT_OK);
	clock_advance(10000);
	assert_int_equal(outbox_stats(o, &n, &oldest), TT_OK);
	assert_int_equal(n, 2);
	assert_int_equal(oldest, 100);
	assert_int_equal(outbox_ack(o, "o1"), TT_OK);
	assert_int_equal(outbox_stats(o, &n, &oldest), TT_OK);
	assert_int_equal(oldest, 10);
	assert_int_equal(outbox_stats(o, NULL, NULL), TT_OK);
	outbox_close(o);
}

/* Every id in ids[0..n) is pending, and nothing else. */
static void assert_exactly(outbox *o, char ids[][16], size_t n)
{
	assert_int_equal(pending_count(o), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(outbox_pending(o, ids[i]), 1);
}

static void injected_failure_loses_nothing(void **state)
{
	(void)state;
	outbox *o = open_db(0);
	char ids[64][16];
	size_t n = 0;
	for (; n < 3; n++) {
		snprintf(ids[n], sizeof ids[n], "f%zu", n);
		assert_int_equal(outbox_put(o, ids[n], env_of(ids[n])), TT_OK);
	}

	/* one failed write: that put fails, the next one works */
	outbox_fail_next_writes(o, 1);
	assert_int_equal(outbox_put(o, "lost", "x"), TT_ERR_IO);
	assert_int_equal(outbox_pending(o, "lost"), 0);
	assert_exactly(o, ids, n);
	snprintf(ids[n], sizeof ids[n], "f%zu", n);
	assert_int_equal(outbox_put(o, ids[n], env_of(ids[n])), TT_OK);
	n++;
	assert_exactly(o, ids, n);

	/* fail the k-th write or fsync from now, for k = 1..24: that walks
	 * through the WAL header, the frames and the commit's fsync; the put
	 * either fails and leaves nothing, or (k past its last write)
	 * succeeds; earlier rows stay, and a retry of the same put works */
	int failed = 0;
	for (int k = 1; k <= 24; k++) {
		char id[16];
		snprintf(id, sizeof id, "k%d", k);
		outbox_fail_writes_after(k - 1, 1);
		tt_err rc = outbox_put(o, id, env_of(id));
		outbox_fail_next_writes(o, 0);
		assert_true(rc == TT_OK || rc == TT_ERR_IO);
		assert_int_equal(outbox_pending(o, id), rc == TT_OK);
		failed += rc != TT_OK;
		assert_int_equal(outbox_put(o, id, env_of(id)), TT_OK);
		snprintf(ids[n++], sizeof ids[0], "%s", id);
		assert_exactly(o, ids, n);
	}
	assert_true(failed >= 2); /* at least a frame write and the fsync */

	/* several failures in a row, then the disk is back */
	outbox_fail_next_writes(o, 5);
	assert_int_equal(outbox_put(o, "m1", "x"), TT_ERR_IO);
	assert_int_equal(outbox_put(o, "m2", "x"), TT_ERR_IO);
	outbox_fail_next_writes(o, 0);
	assert_int_equal(outbox_put(o, "m2", "x"), TT_OK);
	snprintf(ids[n++], sizeof ids[0], "m2");
	assert_exactly(o, ids, n);

	/* take under failure marks nothing; the rows come back next time */
	outbox_item it[64];
	outbox_fail_next_writes(o, 1);
	assert_int_equal(outbox_take(o, 1000, 60000, it, 64), 0);
	outbox_fail_next_writes(o, 0);
	size_t got = outbox_take(o, 1000, 60000, it, 64);
	assert_int_equal(got, n);
	for (size_t i = 0; i < got; i++)
		assert_string_equal(it[i].id, ids[i]);
	free_items(it, got);

	/* ack under failure keeps the row */
	outbox_fail_next_writes(o, 1);
	assert_int_equal(outbox_ack(o, ids[0]), TT_ERR_IO);
	outbox_fail_next_writes(o, 0);
	assert_int_equal(outbox_pending(o, ids[0]), 1);
	assert_int_equal(outbox_ack(o, ids[0]), TT_OK);
	assert_int_equal(outbox_pending(o, ids[0]), 0);
	outbox_close(o);

	/* and it is all on disk */
	o = open_db(0);
	assert_exactly(o, ids + 1, n - 1);
	outbox_close(o);
}

static void two_connections_share_a_file(void **state)
{
	(void)state;
	outbox *ui = open_db(10), *net = open_db(10);
	outbox_item it[4];
	assert_int_equal(outbox_put(ui, "t1", "e1"), TT_OK);
	assert_int_equal(outbox_pending(net, "t1"), 1);
	assert_int_equal(outbox_take(net, 1, 1000, it, 4), 1);
	assert_string_equal(it[0].id, "t1");
	free_items(it, 1);
	assert_int_equal(outbox_put(ui, "t2", "e2"), TT_OK);
	assert_int_equal(outbox_take(net, 2, 1000, it, 4), 1);
	assert_string_equal(it[0].id, "t2");
	free_items(it, 1);
	assert_int_equal(outbox_ack(net, "t1"), TT_OK);
	assert_int_equal(outbox_pending(ui, "t1"), 0);
	assert_int_equal(outbox_pending(ui, "t2"), 1);
	assert_int_equal(outbox_ack(net, "t2"), TT_OK);
	assert_int_equal(pending_count(ui), 0);
	outbox_close(net);
	outbox_close(ui);
}

#define STREAM 300

static void *ui_thread(void *arg)
{
	outbox *o = arg;
	char id[16];
	intptr_t bad = 0;
	for (int i = 0; i < STREAM; i++) {
		snprintf(id, sizeof id, "u%d", i);
		bad += outbox_put(o, id, env_of(id)) != TT_OK;
	}
	return (void *)bad;
}

/* The kiosk's two threads at once: every put lands, every row is taken
 * in order of arrival and acknowledged, no busy errors. */
static void two_threads_at_once(void **state)
{
	(void)state;
	outbox *ui = open_db(0), *net = open_db(0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, ui_thread, ui), 0);
	outbox_item it[16];
	int acked = 0, expect = 0;
	uint64_t now = 1;
	while (acked < STREAM && now < 2000000) {
		size_t n = outbox_take(net, now++, 1000000, it, 16);
		for (size_t i = 0; i < n; i++) {
			char id[16];
			snprintf(id, sizeof id, "u%d", expect++);
			assert_string_equal(it[i].id, id);
			assert_int_equal(it[i].attempts, 1);
			assert_int_equal(outbox_ack(net, it[i].id), TT_OK);
			acked++;
		}
		free_items(it, n);
	}
	void *bad;
	assert_int_equal(pthread_join(t, &bad), 0);
	assert_null(bad);
	assert_int_equal(acked, STREAM);
	assert_int_equal(pending_count(ui), 0);
	outbox_close(ui);
	outbox_close(net);
}

/* True if the file at path contains needle. */
static bool file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t cap = 1 << 20, n = 0, m = strlen(needle);
	char *buf = malloc(cap);
	n = fread(buf, 1, cap, f);
	fclose(f);
	bool found = false;
	for (size_t i = 0; i + m <= n && !found; i++)
		found = memcmp(buf + i, needle, m) == 0;
	free(buf);
	return found;
}

static void acknowledged_envelopes_leave_no_trace(void **state)
{
	(void)state;
	char wal[160];
	snprintf(wal, sizeof wal, "%s-wal", db);
	outbox *o = open_db(0), *other = open_db(0);
	assert_int_equal(outbox_put(o, "x1", "SEALED-PAYLOAD-MARKER-1"), TT_OK);
	assert_int_equal(outbox_put(o, "x2", "SEALED-PAYLOAD-MARKER-2"), TT_OK);
	assert_true(file_contains(db, "SEALED-PAYLOAD-MARKER-1") || file_contains(wal, "SEALED-PAYLOAD-MARKER-1"));
	assert_int_equal(outbox_ack(o, "x1"), TT_OK);
	assert_int_equal(outbox_ack(o, "x2"), TT_OK);
	/* while another connection keeps the file open */
	assert_false(file_contains(db, "SEALED-PAYLOAD-MARKER"));
	assert_false(file_contains(wal, "SEALED-PAYLOAD-MARKER"));
	outbox_close(other);
	outbox_close(o);
	assert_false(file_contains(db, "SEALED-PAYLOAD-MARKER"));
	assert_false(file_contains(wal, "SEALED-PAYLOAD-MARKER"));
}

static void arguments_are_checked(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(outbox_open("/tmp/tt-no-such-dir-xyz/outbox.db", 0, err, sizeof err));
	assert_non_null(strstr(err, "/tmp/tt-no-such-dir-xyz/outbox.db"));
	assert_null(outbox_open(NULL, 0, err, sizeof err));
	assert_null(outbox_open("", 0, NULL, 0));
	outbox_close(NULL);
	outbox_item_free(NULL);

	outbox *o = open_db(0);
	assert_int_equal(outbox_put(NULL, "a", "b"), TT_ERR_INVAL);
	assert_int_equal(outbox_put(o, NULL, "b"), TT_ERR_INVAL);
	assert_int_equal(outbox_put(o, "", "b"), TT_ERR_INVAL);
	assert_int_equal(outbox_put(o, "a", NULL), TT_ERR_INVAL);
	assert_int_equal(outbox_put(o, "0123456789012345678901234567890123456789", "b"), TT_ERR_INVAL);
	assert_int_equal(outbox_put(o, "012345678901234567890123456789012345678", "b"), TT_OK); /* 39 */
	assert_int_equal(outbox_ack(NULL, "a"), TT_ERR_INVAL);
	assert_int_equal(outbox_ack(o, NULL), TT_ERR_INVAL);
	assert_int_equal(outbox_pending(NULL, "a"), -1);
	assert_int_equal(outbox_pending(o, NULL), -1);
	assert_int_equal(outbox_stats(NULL, NULL, NULL), TT_ERR_INVAL);
	assert_int_equal(outbox_reset_sent(NULL), TT_ERR_INVAL);
	assert_int_equal(outbox_take(NULL, 0, 0, NULL, 0), 0);
	outbox_close(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(put_take_ack, fresh),
		cmocka_unit_test_setup(retake_after_retry, fresh),
		cmocka_unit_test_setup(take_respects_max, fresh),
		cmocka_unit_test_setup(unacked_max_holds_back_new_rows, fresh),
		cmocka_unit_test_setup(reset_sent_resends_everything, fresh),
		cmocka_unit_test_setup(cap_refuses_and_writes_nothing, fresh),
		cmocka_unit_test_setup(duplicate_id_is_ignored, fresh),
		cmocka_unit_test_setup(survives_close_and_reopen, fresh),
		cmocka_unit_test_setup(stats_give_the_oldest_age, fresh),
		cmocka_unit_test_setup(injected_failure_loses_nothing, fresh),
		cmocka_unit_test_setup(two_connections_share_a_file, fresh),
		cmocka_unit_test_setup(two_threads_at_once, fresh),
		cmocka_unit_test_setup(acknowledged_envelopes_leave_no_trace, fresh),
		cmocka_unit_test_setup(arguments_are_checked, fresh),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
