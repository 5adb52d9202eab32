/* outbox.c - the kiosk's durable queue of sealed submissions, in SQLite.
 *
 * One table, one row per envelope: seq (the order of arrival), id (the
 * envelope's UUID, unique, so a put is idempotent), the envelope, the
 * wall-clock time of the put (for "oldest waiting"), the monotonic time it
 * was last sent (NULL: never) and how often.  The file runs in WAL mode
 * with synchronous=FULL, so a put that returned TT_OK survives a power cut,
 * and with secure_delete, so an acknowledged envelope is overwritten, not
 * just unlinked from the b-tree; when the queue drains the WAL is
 * truncated too, so the disk keeps nothing the collector already has.
 * Each outbox is one connection used by one thread (SQLITE_OPEN_NOMUTEX);
 * several connections share a file through SQLite's locks, and every
 * read-modify-write runs in BEGIN IMMEDIATE with a 5 s busy timeout.
 * Nothing here aborts: a failure is logged in one line naming the file,
 * the transaction is rolled back, and TT_ERR_IO returned.
 * Files are opened through "tramtin-fault" (faultvfs.c), a pass-through
 * VFS over the default one (SQLite's own test seam, as in os_unix.c):
 * while the counter set by outbox_fail_next_writes is above zero, each
 * xWrite or xSync fails as a full or failing disk would, so tests can
 * show nothing is lost; outbox_fail_writes_after lets some through first,
 * to reach every step of a commit (WAL header, frames, the fsync).  A
 * commit whose fsync failed may still be found in the WAL by a recovery
 * after a crash (the frames are written, only their durability is
 * unknown): then a put that returned TT_ERR_IO is delivered after all,
 * which loses nothing. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tramtin/clock.h"
#include "tramtin/faultvfs.h"
#include "tramtin/log.h"
#include "tramtin/outbox.h"

#define BUSY_MS 5000
#define ID_MAX (sizeof ((outbox_item *)0)->id - 1)

struct outbox {
	sqlite3 *db;
	char *path;
	size_t max_pending;
	size_t unacked_max; /* 0: no limit */
	sqlite3_stmt *begin, *commit, *rollback;
	sqlite3_stmt *exists, *count, *insert, *due, *any_due, *unacked, *due_new, *mark, *reset, *del, *stats, *any;
};

void outbox_fail_writes_after(int skip, int n)
{
	faultvfs_fail_writes_after(skip, n);
}

void outbox_fail_next_writes(outbox *o, int n)
{
	(void)o; /* the VFS cannot tell connections apart: the counter is global */
	faultvfs_fail_writes_after(0, n);
}

/* --- statements and transactions ---------------------------------------- */

/* Logs a failed step in one line naming the file. */
static tt_err log_fail(outbox *o, const char *what)
{
	tt_warn("%s: %s: %s", o->path, what, sqlite3_errmsg(o->db));
	return TT_ERR_IO;
}

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows.  False (logged) on failure. */
static bool run(outbox *o, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_fail(o, what);
		done(st);
		return false;
	}
	done(st);
	return true;
}

/* Ends a failed transaction, if SQLite has not already done so. */
static void rollback(outbox *o)
{
	if (!sqlite3_get_autocommit(o->db))
		run(o, o->rollback, "cannot roll back");
}

static bool commit(outbox *o, const char *what)
{
	if (run(o, o->commit, what))
		return true;
	rollback(o);
	return false;
}

static bool prepare(outbox *o, sqlite3_stmt **st, const char *sql)
{
	return sqlite3_prepare_v3(o->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK;
}

/* --- the outbox ---------------------------------------------------------- */

outbox *outbox_open(const char *path, size_t max_pending, char *err, size_t errlen)
{
	char dummy[1];
	outbox *o = NULL;
	const char *why = NULL;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!path || !*path) {
		snprintf(err, errlen, "outbox: no file given");
		return NULL;
	}
	o = calloc(1, sizeof *o);
	if (!o || !(o->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(o);
		return NULL;
	}
	o->max_pending = max_pending;
	o->db = faultvfs_open_wal(path, BUSY_MS, err, errlen);
	if (!o->db) {
		why = NULL;
		goto fail_quiet;
	}
	if (sqlite3_exec(o->db,
	                 "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
	                 "CREATE TABLE IF NOT EXISTS outbox("
	                 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	                 " id TEXT UNIQUE NOT NULL,"
	                 " put_wall INTEGER NOT NULL,"
	                 " sent_ms INTEGER,"
	                 " attempts INTEGER NOT NULL DEFAULT 0,"
	                 /* last: scanning for due rows reads the small columns
	                  * only, never the envelope's overflow pages */
	                 " envelope TEXT NOT NULL);"
	                 /* finds new and overdue rows without scanning the rest */
	                 "CREATE INDEX IF NOT EXISTS outbox_sent ON outbox(sent_ms);"
	                 /* the oldest pending age for the status, without a scan */
	                 "CREATE INDEX IF NOT EXISTS outbox_put ON outbox(put_wall)",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		why = sqlite3_errmsg(o->db);
		goto fail;
	}
	if (!prepare(o, &o->begin, "BEGIN IMMEDIATE") || !prepare(o, &o->commit, "COMMIT") ||
	    !prepare(o, &o->rollback, "ROLLBACK") || !prepare(o, &o->exists, "SELECT 1 FROM outbox WHERE id = ?1") ||
	    !prepare(o, &o->count, "SELECT count(*) FROM outbox") ||
	    !prepare(o, &o->insert, "INSERT OR IGNORE INTO outbox(id, envelope, put_wall) VALUES(?1, ?2, ?3)") ||
	    /* Rows due again, oldest first.  This form walks the table in seq
	     * order, so any_due (a covering look at the sent_ms index) asks
	     * first whether there is one at all: a drain has none, and walking
	     * 10,000 envelopes on every take read gigabytes.  (A covering
	     * subquery on the index instead lost rows under a concurrent
	     * writer in the two-thread test: kept out.) */
	    !prepare(o, &o->due,
	             "SELECT seq, id, envelope, attempts FROM outbox"
	             " WHERE sent_ms > ?1 OR sent_ms <= ?2 ORDER BY seq LIMIT ?3") ||
	    !prepare(o, &o->any_due, "SELECT 1 FROM outbox WHERE sent_ms > ?1 OR sent_ms <= ?2 LIMIT 1") ||
	    !prepare(o, &o->unacked, "SELECT count(*) FROM outbox WHERE sent_ms IS NOT NULL") ||
	    !prepare(o, &o->due_new,
	             "SELECT seq, id, envelope, attempts FROM outbox WHERE sent_ms IS NULL ORDER BY seq LIMIT ?3") ||
	    !prepare(o, &o->any, "SELECT 1 FROM outbox LIMIT 1") ||
	    !prepare(o, &o->mark, "UPDATE outbox SET sent_ms = ?1, attempts = attempts + 1 WHERE seq = ?2") ||
	    !prepare(o, &o->reset, "UPDATE outbox SET sent_ms = NULL WHERE sent_ms IS NOT NULL") ||
	    !prepare(o, &o->del, "DELETE FROM outbox WHERE id = ?1") ||
	    !prepare(o, &o->stats, "SELECT count(*), min(put_wall) FROM outbox")) {
		why = sqlite3_errmsg(o->db);
		goto fail;
	}
	return o;
fail:
	snprintf(err, errlen, "%s: %s", path, why ? why : "cannot open");
fail_quiet:
	outbox_close(o);
	return NULL;
}

void outbox_close(outbox *o)
{
	if (!o)
		return;
	sqlite3_stmt *all[] = {o->begin, o->commit, o->rollback, o->exists, o->count, o->insert, o->due, o->any_due, o->unacked,
	                       o->due_new, o->mark, o->reset, o->del, o->stats, o->any};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
	if (o->db && sqlite3_close(o->db) != SQLITE_OK)
		tt_warn("%s: cannot close: %s", o->path, sqlite3_errmsg(o->db));
	free(o->path);
	free(o);
}

tt_err outbox_put(outbox *o, const char *id, const char *envelope)
{
	sqlite3_stmt *st = NULL;
	const char *what;
	int rc;

	if (!o || !id || !*id || strlen(id) > ID_MAX || !envelope)
		return TT_ERR_INVAL;
	if (!run(o, o->begin, "cannot start a transaction"))
		return TT_ERR_IO;

	st = o->exists;
	what = "cannot look up a submission";
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	done(st);
	if (rc == SQLITE_ROW) { /* already committed: nothing to do */
		rollback(o);
		return TT_OK;
	}

	if (o->max_pending) {
		st = o->count;
		what = "cannot count waiting submissions";
		if (sqlite3_step(st) != SQLITE_ROW)
			goto fail;
		sqlite3_int64 n = sqlite3_column_int64(st, 0);
		done(st);
		if (n >= 0 && (uint64_t)n >= o->max_pending) {
			rollback(o);
			return TT_ERR_FULL;
		}
	}

	st = o->insert;
	what = "cannot store a submission";
	if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, envelope, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, clock_now()) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	done(st);
	return commit(o, "cannot commit a submission") ? TT_OK : TT_ERR_IO;
fail:
	log_fail(o, what);
	done(st);
	rollback(o);
	return TT_ERR_IO;
}

void outbox_item_free(outbox_item *it)
{
	if (!it)
		return;
	free(it->envelope);
	it->envelope = NULL;
}

size_t outbox_take(outbox *o, uint64_t now_ms, uint64_t retry_ms, outbox_item *items, size_t max)
{
	size_t n = 0;
	int rc = SQLITE_DONE;

	if (!o || !items || !max)
		return 0;
	if (max > INT32_MAX)
		max = INT32_MAX;
	if (!run(o, o->begin, "cannot start a transaction"))
		return 0;
	/* Two passes over the sent_ms index: rows due again (sent at least
	 * retry_ms ago, or sent_ms > now: sent before a reboot reset the
	 * monotonic clock), then rows never sent while fewer than unacked_max
	 * wait for their ack; each oldest first. */
	sqlite3_stmt *passes[2] = {o->due, o->due_new};
	for (int p = 0; p < 2 && n < max; p++) {
		sqlite3_stmt *q = passes[p];
		size_t room = max - n;
		if (p == 0) {
			sqlite3_int64 late = now_ms >= retry_ms ? (sqlite3_int64)(now_ms - retry_ms) : -1;
			sqlite3_bind_int64(o->any_due, 1, (sqlite3_int64)now_ms);
			sqlite3_bind_int64(o->any_due, 2, late);
			int any = sqlite3_step(o->any_due);
			done(o->any_due);
			if (any == SQLITE_DONE)
				continue; /* nothing due again: no walk */
			sqlite3_bind_int64(q, 1, (sqlite3_int64)now_ms);
			sqlite3_bind_int64(q, 2, late);
		} else if (o->unacked_max) {
			if (sqlite3_step(o->unacked) != SQLITE_ROW) {
				log_fail(o, "cannot count submissions sent");
				done(o->unacked);
				goto fail;
			}
			size_t waiting = (size_t)sqlite3_column_int64(o->unacked, 0);
			done(o->unacked);
			if (waiting >= o->unacked_max)
				break;
			if (room > o->unacked_max - waiting)
				room = o->unacked_max - waiting;
		}
		sqlite3_bind_int64(q, 3, (sqlite3_int64)room);
		while (n < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
			outbox_item *it = &items[n];
			const char *id = (const char *)sqlite3_column_text(q, 1);
			const char *env = (const char *)sqlite3_column_text(q, 2);
			memset(it, 0, sizeof *it);
			it->seq = sqlite3_column_int64(q, 0);
			it->attempts = sqlite3_column_int(q, 3) + 1;
			snprintf(it->id, sizeof it->id, "%s", id ? id : "");
			/* NULL from a NOT NULL column: SQLite ran out of memory */
			if (!id || !env || !(it->envelope = strdup(env))) {
				tt_warn("%s: out of memory taking submissions to send", o->path);
				done(q);
				goto fail;
			}
			n++;
		}
		if (n < max && rc != SQLITE_DONE) {
			log_fail(o, "cannot read submissions to send");
			done(q);
			goto fail;
		}
		done(q);
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(o->mark, 1, (sqlite3_int64)now_ms);
		sqlite3_bind_int64(o->mark, 2, items[i].seq);
		if (!run(o, o->mark, "cannot mark a submission sent"))
			goto fail;
	}
	if (!commit(o, "cannot commit sent marks"))
		goto fail;
	return n;
fail:
	rollback(o);
	for (size_t i = 0; i < n; i++)
		outbox_item_free(&items[i]);
	return 0;
}

void outbox_set_unacked_max(outbox *o, size_t n)
{
	if (o)
		o->unacked_max = n;
}

tt_err outbox_reset_sent(outbox *o)
{
	if (!o)
		return TT_ERR_INVAL;
	return run(o, o->reset, "cannot mark submissions for resending") ? TT_OK : TT_ERR_IO;
}

tt_err outbox_ack(outbox *o, const char *id)
{
	if (!o || !id)
		return TT_ERR_INVAL;
	return outbox_ack_many(o, &id, 1);
}

tt_err outbox_ack_many(outbox *o, const char *const *ids, size_t n)
{
	int erased = 0;
	if (!o || (!ids && n))
		return TT_ERR_INVAL;
	if (n == 0)
		return TT_OK;
	/* One transaction, one fsync, for a whole ack message: a collector
	 * acknowledges in batches and draining must keep up with it. */
	if (!run(o, o->begin, "cannot start erasing acknowledged submissions"))
		return TT_ERR_IO;
	for (size_t i = 0; i < n; i++) {
		if (!ids[i])
			continue;
		sqlite3_bind_text(o->del, 1, ids[i], -1, SQLITE_STATIC);
		if (!run(o, o->del, "cannot erase an acknowledged submission")) {
			rollback(o);
			return TT_ERR_IO;
		}
		erased += sqlite3_changes(o->db);
	}
	if (!commit(o, "cannot commit erasing acknowledged submissions"))
		return TT_ERR_IO;
	if (erased > 0) {
		/* Drained: truncate the WAL, which still holds the old pages.
		 * Best effort; a busy reader only delays it to the next drain. */
		int rc = sqlite3_step(o->any); /* cheap: is anything left? */
		done(o->any);
		if (rc == SQLITE_DONE)
			sqlite3_wal_checkpoint_v2(o->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	return TT_OK;
}

tt_err outbox_relax(outbox *o)
{
	if (!o)
		return TT_ERR_INVAL;
	/* WAL with synchronous=NORMAL: commits are not fsynced, only
	 * checkpoints.  A power cut may undo the last sent marks and acks on
	 * this connection, which only means sending those rows again. */
	if (sqlite3_exec(o->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		log_fail(o, "cannot relax synchronous");
		return TT_ERR_IO;
	}
	return TT_OK;
}

int outbox_empty(outbox *o)
{
	if (!o)
		return -1;
	int rc = sqlite3_step(o->any);
	done(o->any);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_fail(o, "cannot look into the outbox");
		return -1;
	}
	return rc == SQLITE_DONE;
}

int outbox_pending(outbox *o, const char *id)
{
	int rc;

	if (!o || !id)
		return -1;
	sqlite3_bind_text(o->exists, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(o->exists);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_fail(o, "cannot look up a submission");
		done(o->exists);
		return -1;
	}
	done(o->exists);
	return rc == SQLITE_ROW;
}

tt_err outbox_stats(outbox *o, size_t *pending, int64_t *oldest_s)
{
	sqlite3_int64 n, first;
	bool empty;

	if (!o)
		return TT_ERR_INVAL;
	if (sqlite3_step(o->stats) != SQLITE_ROW) {
		log_fail(o, "cannot count waiting submissions");
		done(o->stats);
		return TT_ERR_IO;
	}
	n = sqlite3_column_int64(o->stats, 0);
	empty = sqlite3_column_type(o->stats, 1) == SQLITE_NULL;
	first = sqlite3_column_int64(o->stats, 1);
	done(o->stats);
	if (pending)
		*pending = n > 0 ? (size_t)n : 0;
	if (oldest_s) {
		int64_t age = empty ? 0 : clock_now() - first;
		*oldest_s = age > 0 ? age : 0;
	}
	return TT_OK;
}
