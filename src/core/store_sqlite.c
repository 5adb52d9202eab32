/* store_sqlite.c - the collector store in one SQLite file (the default
 * back end behind struct store_ops).
 *
 * Tables: submissions (one row per envelope id, the primary key, so a
 * re-sent submission is ignored: INSERT OR IGNORE, and sqlite3_changes
 * tells the daemon whether it was new), quarantine (payloads that failed
 * a check, kept with the reason), kiosks (last status seen), audit (every
 * change of status, answer or note: when, actor, id, action, detail) and
 * track_queue (ids whose follow-up changed and whose retained track topic
 * the daemon has yet to publish, in the order of the changes: appended at
 * the end and taken from the front, so ingest writes it sequentially;
 * an id changed twice is there twice and published twice, harmless for a
 * retained topic, and a change made while the daemon was publishing is a
 * new row it did not take, so no change is forgotten).
 * Statuses and outcomes are stored by name, so the file reads plainly in
 * the sqlite3 shell and survives a reordering of the enums.
 *
 * Durability as in the outbox: WAL, synchronous=FULL, a 5 s busy timeout,
 * every write in BEGIN IMMEDIATE (a read that later writes would otherwise
 * lose a race with another process), files created 0600 and opened
 * through the fault-injecting VFS (faultvfs.h) so tests can fail any
 * write.  The daemon batches: store_begin, store_add many, store_commit;
 * an operation called inside a batch joins it through a savepoint, one
 * called outside runs its own transaction.  store_add, the one called for
 * every submission, joins a batch without a savepoint (two statements
 * less each): INSERT OR IGNORE already makes a repeat a no-op, and if its
 * insert or track mark fails the batch is spoilt, so its commit rolls
 * everything back and says so.  A failed commit rolls the whole batch
 * back: what was committed before stays, what was not is added again by
 * the caller (the kiosk re-sends what was not acked).
 *
 * Checkpoints: SQLite's automatic checkpoint runs inside the COMMIT that
 * passes the threshold, so the daemon's acks would wait for it.  A
 * connection may defer them (store_defer_checkpoints): the WAL hook only
 * counts frames, and store_checkpoint, called once the acks are out,
 * copies the WAL back (PASSIVE: it never waits for readers).
 *
 * Listing: newest first by (received, id), with keyset paging after an id.
 * One SQL text per combination of filters (prepared on first use and kept
 * in the struct), so that SQLite picks the index that fits: (received,
 * id), (commune, received, id), (status, received, id), and a partial
 * index over the items still waiting on the authority for the overdue
 * view, and (kind, ...) and (category, ...) since version 3; with a million rows a page costs an index range scan, not a sort.
 * A store is one connection, used by one thread at a time. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tramtin/faultvfs.h"
#include "tramtin/log.h"
#include "tramtin/store.h"

#define BUSY_MS        5000
#define CKPT_FRAMES    8192 /* WAL frames (pages) that make a checkpoint due: 32 MiB */
#define SCHEMA_VERSION 3

/* List filters, one bit each: the index into the statement cache. */
enum {
	LF_COMMUNE = 1 << 0,
	LF_KIOSK = 1 << 1,
	LF_KIND = 1 << 2,
	LF_CATEGORY = 1 << 3,
	LF_STATUS = 1 << 4,
	LF_FROM = 1 << 5,
	LF_TO = 1 << 6,
	LF_OVERDUE = 1 << 7,
	LF_AFTER = 1 << 8,
	LF__COMBOS = 1 << 9,
};

#define N_GROUPS 5
static const char *const group_cols[N_GROUPS] = {"commune", "category", "kind", "status", "kiosk"};

struct sq {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *begin, *commit, *rollback, *savepoint, *release, *rollback_to;
	sqlite3_stmt *insert, *mark, *quarantine, *quarantine_count;
	sqlite3_stmt *get_id, *get_hash, *update, *audit, *history, *received_of;
	sqlite3_stmt *dirty, *undirty;
	sqlite3_stmt *kiosk_seen, *kiosks;
	bool spoilt;       /* a store_add inside the batch failed: its commit must fail */
	bool defer_ckpt;   /* checkpoints wait for store_checkpoint */
	int wal_frames;    /* frames in the WAL after the last commit */
	sqlite3_stmt *report[N_GROUPS];
	sqlite3_stmt *list[LF__COMBOS];
};

/* The columns of a record, in the order load() reads them. */
#define COLS                                                                                                           \
	"id, kiosk, province, commune, kind, category, rating, text, contact_name, contact_phone, ref, lang,"          \
	" code_hash, created, received, status, outcome, complex, agency, reason, answer, updated, accept_due,"        \
	" settle_due"

/* Items waiting on the authority, and the deadline that applies to them
 * (store.c); the partial index repeats the first term word for word. */
#define WAITING "status IN ('received','accepted','assigned','in_progress','reopened')"
#define DUE     "(CASE WHEN settle_due > 0 THEN settle_due ELSE accept_due END)"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS submissions("
    " id TEXT PRIMARY KEY NOT NULL,"
    " kiosk TEXT NOT NULL DEFAULT '', province TEXT NOT NULL DEFAULT '', commune TEXT NOT NULL DEFAULT '',"
    " kind TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '', rating INTEGER NOT NULL DEFAULT 0,"
    " text TEXT, contact_name TEXT, contact_phone TEXT, ref TEXT NOT NULL DEFAULT '',"
    " lang TEXT NOT NULL DEFAULT '', code_hash TEXT NOT NULL DEFAULT '',"
    " created INTEGER NOT NULL DEFAULT 0, received INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'received', outcome TEXT NOT NULL DEFAULT '',"
    " complex INTEGER NOT NULL DEFAULT 0, agency TEXT NOT NULL DEFAULT '', reason TEXT, answer TEXT,"
    " updated INTEGER NOT NULL DEFAULT 0, accept_due INTEGER NOT NULL DEFAULT 0,"
    " settle_due INTEGER NOT NULL DEFAULT 0, responded_at INTEGER);"
    "CREATE INDEX IF NOT EXISTS submissions_received ON submissions(received, id);"
    "CREATE INDEX IF NOT EXISTS submissions_commune ON submissions(commune, received, id);"
    "CREATE INDEX IF NOT EXISTS submissions_status ON submissions(status, received, id);"
    /* the deadlines in the index: the overdue view tests them on index
     * entries and reads only the rows it lists (version 3) */
    "CREATE INDEX IF NOT EXISTS submissions_overdue ON submissions(received, id, settle_due, accept_due) WHERE "
    WAITING ";"
    "CREATE INDEX IF NOT EXISTS submissions_code ON submissions(code_hash);"
    "CREATE TABLE IF NOT EXISTS quarantine("
    " rowid INTEGER PRIMARY KEY, received INTEGER NOT NULL, topic TEXT NOT NULL, kiosk TEXT NOT NULL,"
    " reason TEXT NOT NULL, payload BLOB);"
    "CREATE TABLE IF NOT EXISTS kiosks("
    " id TEXT PRIMARY KEY NOT NULL, online INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL DEFAULT 0,"
    " status_json TEXT);"
    "CREATE TABLE IF NOT EXISTS audit("
    " seq INTEGER PRIMARY KEY, \"when\" INTEGER NOT NULL, actor TEXT NOT NULL, id TEXT NOT NULL,"
    " action TEXT NOT NULL, detail TEXT);"
    "CREATE INDEX IF NOT EXISTS audit_id ON audit(id, seq);"
    "CREATE TABLE IF NOT EXISTS track_queue(gen INTEGER PRIMARY KEY, id TEXT NOT NULL);"
    /* version 3: the province's staff pages (src/collector/auth.c) and the
     * inbox's kind and category filters without a scan */
    "CREATE INDEX IF NOT EXISTS submissions_kind ON submissions(kind, received, id);"
    "CREATE INDEX IF NOT EXISTS submissions_category ON submissions(category, received, id);"
    "CREATE INDEX IF NOT EXISTS audit_when ON audit(\"when\", seq);"
    "CREATE TABLE IF NOT EXISTS staff("
    " user TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0, last_login INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS staff_sessions("
    " id_hash TEXT PRIMARY KEY NOT NULL, user TEXT NOT NULL, csrf TEXT NOT NULL,"
    " created INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS staff_sessions_user ON staff_sessions(user);"
    "CREATE TABLE IF NOT EXISTS login_failures("
    " key TEXT PRIMARY KEY NOT NULL, fails INTEGER NOT NULL DEFAULT 0, first INTEGER NOT NULL DEFAULT 0,"
    " locked_until INTEGER NOT NULL DEFAULT 0);";

/* From version 1: track_dirty was keyed by id, a write at a random place
 * of its b-tree for every stored submission. */
static const char migrate_1[] =
    "INSERT INTO track_queue(id) SELECT id FROM track_dirty ORDER BY gen;"
    "DROP TABLE track_dirty;";

/* From version 2: the waiting index became submissions_overdue. */
static const char migrate_2[] = "DROP INDEX IF EXISTS submissions_waiting;";

/* --- statements and transactions ---------------------------------------- */

/* Logs a failed step in one line naming the file; the error to return. */
static tt_err log_fail(struct sq *q, const char *what)
{
	int rc = sqlite3_errcode(q->db);
	tt_warn("%s: %s: %s", q->path, what, sqlite3_errmsg(q->db));
	return rc == SQLITE_NOMEM ? TT_ERR_NOMEM : TT_ERR_IO;
}

static void done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Runs a statement that returns no rows.  False (logged) on failure. */
static bool run(struct sq *q, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_fail(q, what);
		done(st);
		return false;
	}
	done(st);
	return true;
}

static bool prepare(struct sq *q, sqlite3_stmt **st, const char *sql)
{
	return sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK;
}

/* Binds a fixed-size field (terminated within size: store.c checked). */
static void bind_field(sqlite3_stmt *st, int i, const char *f, size_t size)
{
	sqlite3_bind_text(st, i, f, (int)strnlen(f, size), SQLITE_STATIC);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Starts a write: a transaction of its own outside a batch (*own true),
 * a savepoint inside one. */
static bool tx_begin(struct sq *q, bool *own)
{
	*own = sqlite3_get_autocommit(q->db) != 0;
	return run(q, *own ? q->begin : q->savepoint, "cannot start a transaction");
}

/* Ends what tx_begin started: commits it if ok, undoes it otherwise. */
static bool tx_end(struct sq *q, bool own, bool ok)
{
	if (own) {
		if (ok && run(q, q->commit, "cannot commit"))
			return true;
		if (!sqlite3_get_autocommit(q->db))
			run(q, q->rollback, "cannot roll back");
		return false;
	}
	if (!ok && !sqlite3_get_autocommit(q->db))
		run(q, q->rollback_to, "cannot roll back to a savepoint");
	if (!sqlite3_get_autocommit(q->db))
		run(q, q->release, "cannot release a savepoint");
	return ok;
}

static tt_err sq_begin(void *be)
{
	struct sq *q = be;
	if (!sqlite3_get_autocommit(q->db))
		return TT_ERR_STATE;
	q->spoilt = false;
	return run(q, q->begin, "cannot start a transaction") ? TT_OK : TT_ERR_IO;
}

static tt_err sq_commit(void *be)
{
	struct sq *q = be;
	if (q->spoilt) {
		q->spoilt = false;
		if (!sqlite3_get_autocommit(q->db))
			run(q, q->rollback, "cannot roll back");
		return TT_ERR_IO;
	}
	if (sqlite3_get_autocommit(q->db))
		return TT_ERR_STATE;
	if (run(q, q->commit, "cannot commit"))
		return TT_OK;
	/* The batch is lost as a whole (the caller adds it again); whatever
	 * was committed before stays. */
	if (!sqlite3_get_autocommit(q->db))
		run(q, q->rollback, "cannot roll back");
	return TT_ERR_IO;
}

static tt_err sq_rollback(void *be)
{
	struct sq *q = be;
	q->spoilt = false;
	if (sqlite3_get_autocommit(q->db))
		return TT_OK;
	return run(q, q->rollback, "cannot roll back") ? TT_OK : TT_ERR_IO;
}

/* The WAL hook, after every commit: the automatic checkpoint (SQLite's
 * own, which this hook replaces) unless the caller defers it. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
	struct sq *q = ctx;
	q->wal_frames = frames;
	if (!q->defer_ckpt && frames >= CKPT_FRAMES)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void sq_defer_checkpoints(void *be)
{
	((struct sq *)be)->defer_ckpt = true;
}

static void sq_checkpoint(void *be)
{
	struct sq *q = be;
	if (q->wal_frames < CKPT_FRAMES || !sqlite3_get_autocommit(q->db))
		return;
	int rc = sqlite3_wal_checkpoint_v2(q->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_fail(q, "cannot checkpoint the write-ahead log");
	q->wal_frames = 0; /* due again after as many new frames */
}

/* Marks id for store_track_changes; a newer gen than any mark there. */
static bool mark_dirty(struct sq *q, const char *id)
{
	sqlite3_bind_text(q->mark, 1, id, -1, SQLITE_STATIC);
	return run(q, q->mark, "cannot mark a record for publishing");
}

/* --- rows ------------------------------------------------------------------ */

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	snprintf(dst, size, "%s", v ? (const char *)v : "");
}

/* A copy of a nullable text column in *dst.  False: out of memory. */
static bool dup_col(sqlite3_stmt *st, int i, char **dst)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	*dst = NULL;
	if (!v)
		return sqlite3_column_type(st, i) == SQLITE_NULL;
	return (*dst = strdup((const char *)v)) != NULL;
}

/* Reads the row under st (columns COLS) into r.  False: out of memory. */
static bool load(sqlite3_stmt *st, int64_t now, store_record *r)
{
	store_status status = ST_RECEIVED;
	store_outcome outcome = OUT_NONE;

	memset(r, 0, sizeof *r);
	copy_col(st, 0, r->id, sizeof r->id);
	copy_col(st, 1, r->kiosk, sizeof r->kiosk);
	copy_col(st, 2, r->province, sizeof r->province);
	copy_col(st, 3, r->commune, sizeof r->commune);
	copy_col(st, 4, r->kind, sizeof r->kind);
	copy_col(st, 5, r->category, sizeof r->category);
	r->rating = sqlite3_column_int(st, 6);
	copy_col(st, 10, r->ref, sizeof r->ref);
	copy_col(st, 11, r->lang, sizeof r->lang);
	copy_col(st, 12, r->code_hash, sizeof r->code_hash);
	r->created = sqlite3_column_int64(st, 13);
	r->received = sqlite3_column_int64(st, 14);
	store_status_parse((const char *)sqlite3_column_text(st, 15), &status);
	store_outcome_parse((const char *)sqlite3_column_text(st, 16), &outcome);
	r->status = status;
	r->outcome = outcome;
	r->complex = sqlite3_column_int(st, 17) != 0;
	copy_col(st, 18, r->agency, sizeof r->agency);
	r->updated = sqlite3_column_int64(st, 21);
	r->accept_due = sqlite3_column_int64(st, 22);
	r->settle_due = sqlite3_column_int64(st, 23);
	r->overdue = store_is_overdue(r, now);
	if (!dup_col(st, 7, &r->text) || !dup_col(st, 8, &r->contact_name) || !dup_col(st, 9, &r->contact_phone) ||
	    !dup_col(st, 19, &r->reason) || !dup_col(st, 20, &r->answer)) {
		store_record_clear(r);
		return false;
	}
	return true;
}

/* Steps a one-row lookup (id or code hash bound) into out. */
static tt_err get_row(struct sq *q, sqlite3_stmt *st, int64_t now, store_record *out)
{
	tt_err e = TT_OK;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e = load(st, now, out) ? TT_OK : TT_ERR_NOMEM;
	else if (rc == SQLITE_DONE)
		e = TT_ERR_NOTFOUND;
	else
		e = log_fail(q, "cannot read a submission");
	done(st);
	return e;
}

static tt_err sq_get(void *be, const char *id, const char *code_hash, int64_t now, store_record *out)
{
	struct sq *q = be;
	sqlite3_stmt *st = id ? q->get_id : q->get_hash;
	sqlite3_bind_text(st, 1, id ? id : code_hash, -1, SQLITE_STATIC);
	return get_row(q, st, now, out);
}

/* --- ingest ----------------------------------------------------------------- */

static tt_err sq_add(void *be, const store_record *r, bool *inserted)
{
	struct sq *q = be;
	sqlite3_stmt *st = q->insert;
	bool ok, batch = !sqlite3_get_autocommit(q->db);

	*inserted = false;
	if (q->spoilt) /* the batch will not commit; nothing more joins it */
		return TT_ERR_IO;
	if (!batch && !run(q, q->begin, "cannot start a transaction"))
		return TT_ERR_IO;
	bind_field(st, 1, r->id, sizeof r->id);
	bind_field(st, 2, r->kiosk, sizeof r->kiosk);
	bind_field(st, 3, r->province, sizeof r->province);
	bind_field(st, 4, r->commune, sizeof r->commune);
	bind_field(st, 5, r->kind, sizeof r->kind);
	bind_field(st, 6, r->category, sizeof r->category);
	sqlite3_bind_int(st, 7, r->rating);
	bind_opt(st, 8, r->text);
	bind_opt(st, 9, r->contact_name);
	bind_opt(st, 10, r->contact_phone);
	bind_field(st, 11, r->ref, sizeof r->ref);
	bind_field(st, 12, r->lang, sizeof r->lang);
	bind_field(st, 13, r->code_hash, sizeof r->code_hash);
	sqlite3_bind_int64(st, 14, r->created);
	sqlite3_bind_int64(st, 15, r->received);
	sqlite3_bind_text(st, 16, store_status_name(r->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, store_outcome_name(r->outcome), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 18, r->complex);
	bind_field(st, 19, r->agency, sizeof r->agency);
	bind_opt(st, 20, r->reason);
	bind_opt(st, 21, r->answer);
	sqlite3_bind_int64(st, 22, r->updated);
	sqlite3_bind_int64(st, 23, r->accept_due);
	sqlite3_bind_int64(st, 24, r->settle_due);
	ok = run(q, st, "cannot store a submission");
	*inserted = ok && sqlite3_changes(q->db) > 0;
	if (ok && *inserted)
		ok = mark_dirty(q, r->id);
	if (batch) {
		/* No savepoint: a half-done add spoils the batch (see the top). */
		if (!ok) {
			q->spoilt = true;
			*inserted = false;
			return TT_ERR_IO;
		}
		return TT_OK;
	}
	if (!tx_end(q, true, ok)) {
		*inserted = false;
		return TT_ERR_IO;
	}
	return TT_OK;
}

static tt_err sq_quarantine(void *be, const char *topic, const char *kiosk, const char *reason, const void *payload,
                            size_t len, int64_t now)
{
	struct sq *q = be;
	sqlite3_stmt *st = q->quarantine;
	bool own, ok;

	if (len > INT32_MAX)
		return TT_ERR_RANGE;
	if (!tx_begin(q, &own))
		return TT_ERR_IO;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kiosk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	if (payload)
		sqlite3_bind_blob(st, 5, payload, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_zeroblob(st, 5, 0);
	ok = run(q, st, "cannot quarantine a payload");
	return tx_end(q, own, ok) ? TT_OK : TT_ERR_IO;
}

static size_t sq_quarantine_count(void *be)
{
	struct sq *q = be;
	size_t n = 0;
	if (sqlite3_step(q->quarantine_count) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(q->quarantine_count, 0);
	else
		log_fail(q, "cannot count quarantined payloads");
	done(q->quarantine_count);
	return n;
}

/* --- follow-up --------------------------------------------------------------- */

static tt_err sq_update(void *be, const char *id, const store_change *c)
{
	struct sq *q = be;
	store_record r;
	store_audit log[STORE_AUDIT_MAX];
	size_t n_log = 0;
	bool own, ok = false, responded;
	tt_err e;

	if (!tx_begin(q, &own))
		return TT_ERR_IO;
	sqlite3_bind_text(q->get_id, 1, id, -1, SQLITE_STATIC);
	if ((e = get_row(q, q->get_id, c->now, &r)) != TT_OK) {
		tx_end(q, own, false);
		return e;
	}
	if ((e = store_apply(&r, c, log, &n_log)) != TT_OK) {
		tx_end(q, own, false);
		store_record_clear(&r);
		return e;
	}

	sqlite3_stmt *st = q->update;
	responded = r.status == ST_RESPONDED || (c->answer && *c->answer);
	sqlite3_bind_text(st, 1, store_status_name(r.status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, store_outcome_name(r.outcome), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r.complex);
	bind_field(st, 4, r.agency, sizeof r.agency);
	bind_opt(st, 5, r.reason);
	bind_opt(st, 6, r.answer);
	sqlite3_bind_int64(st, 7, r.updated);
	sqlite3_bind_int64(st, 8, r.accept_due);
	sqlite3_bind_int64(st, 9, r.settle_due);
	if (responded) /* the first response counts for response times */
		sqlite3_bind_int64(st, 10, c->now);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_text(st, 11, id, -1, SQLITE_STATIC);
	if (!run(q, st, "cannot update a submission"))
		goto end;
	for (size_t i = 0; i < n_log; i++) {
		sqlite3_bind_int64(q->audit, 1, log[i].when);
		sqlite3_bind_text(q->audit, 2, log[i].actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(q->audit, 3, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q->audit, 4, log[i].action, -1, SQLITE_STATIC);
		bind_opt(q->audit, 5, log[i].detail);
		if (!run(q, q->audit, "cannot write the audit log"))
			goto end;
	}
	ok = mark_dirty(q, id);
end:
	ok = tx_end(q, own, ok);
	for (size_t i = 0; i < n_log; i++)
		store_audit_clear(&log[i]);
	store_record_clear(&r);
	return ok ? TT_OK : TT_ERR_IO;
}

static tt_err sq_history(void *be, const char *id, bool (*fn)(const store_audit *a, void *ctx), void *ctx)
{
	struct sq *q = be;
	sqlite3_stmt *st = q->history;
	store_audit a;
	int rc;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof a);
		a.when = sqlite3_column_int64(st, 0);
		copy_col(st, 1, a.actor, sizeof a.actor);
		copy_col(st, 2, a.action, sizeof a.action);
		a.detail = (char *)sqlite3_column_text(st, 3); /* borrowed for the call */
		if (!fn(&a, ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	tt_err e = rc == SQLITE_DONE ? TT_OK : log_fail(q, "cannot read the audit log");
	done(st);
	return e;
}

/* The cached statement for a combination of list filters. */
static sqlite3_stmt *list_stmt(struct sq *q, unsigned mask)
{
	char sql[1024];
	size_t n;
	const char *and = " WHERE ";

	if (q->list[mask])
		return q->list[mask];
	/* Overdue alone: walk the items still waiting, newest first, rather
	 * than sort them all (SQLite would pick the status index). */
	n = (size_t)snprintf(
	    sql, sizeof sql, "SELECT " COLS " FROM submissions%s",
	    (mask & LF_OVERDUE) && !(mask & (LF_COMMUNE | LF_STATUS)) ? " INDEXED BY submissions_overdue" : "");
#define TERM(bit, text)                                                                                                \
	if (mask & (bit)) {                                                                                            \
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", and, text);                                     \
		and = " AND ";                                                                                         \
	}
	TERM(LF_COMMUNE, "commune = ?1")
	TERM(LF_KIOSK, "kiosk = ?2")
	TERM(LF_KIND, "kind = ?3")
	TERM(LF_CATEGORY, "category = ?4")
	TERM(LF_STATUS, "status = ?5")
	TERM(LF_FROM, "received >= ?6")
	TERM(LF_TO, "received < ?7")
	TERM(LF_OVERDUE, WAITING " AND " DUE " > 0 AND " DUE " < ?8")
	TERM(LF_AFTER, "(received, id) < (?9, ?10)")
#undef TERM
	snprintf(sql + n, sizeof sql - n, " ORDER BY received DESC, id DESC LIMIT ?11 OFFSET ?12");
	if (!prepare(q, &q->list[mask], sql))
		return NULL;
	return q->list[mask];
}

static tt_err sq_list(void *be, const store_filter *f, int64_t now, bool (*fn)(const store_record *r, void *ctx),
                      void *ctx)
{
	struct sq *q = be;
	unsigned mask = 0;
	int64_t after_received = 0;
	sqlite3_stmt *st;
	store_record r;
	tt_err e = TT_OK;
	int rc;

	if (f->after_id && *f->after_id) {
		sqlite3_bind_text(q->received_of, 1, f->after_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(q->received_of);
		if (rc == SQLITE_ROW)
			after_received = sqlite3_column_int64(q->received_of, 0);
		else
			e = rc == SQLITE_DONE ? TT_ERR_NOTFOUND : log_fail(q, "cannot look up the page's last id");
		done(q->received_of);
		if (e)
			return e;
		mask |= LF_AFTER;
	}
	mask |= (f->commune && *f->commune ? LF_COMMUNE : 0) | (f->kiosk && *f->kiosk ? LF_KIOSK : 0) |
	        (f->kind && *f->kind ? LF_KIND : 0) | (f->category && *f->category ? LF_CATEGORY : 0) |
	        (f->status >= 0 ? LF_STATUS : 0) | (f->from ? LF_FROM : 0) | (f->to ? LF_TO : 0) |
	        (f->overdue_only ? LF_OVERDUE : 0);
	if (!(st = list_stmt(q, mask)))
		return log_fail(q, "cannot prepare a listing");
	if (mask & LF_COMMUNE)
		sqlite3_bind_text(st, 1, f->commune, -1, SQLITE_STATIC);
	if (mask & LF_KIOSK)
		sqlite3_bind_text(st, 2, f->kiosk, -1, SQLITE_STATIC);
	if (mask & LF_KIND)
		sqlite3_bind_text(st, 3, f->kind, -1, SQLITE_STATIC);
	if (mask & LF_CATEGORY)
		sqlite3_bind_text(st, 4, f->category, -1, SQLITE_STATIC);
	if (mask & LF_STATUS)
		sqlite3_bind_text(st, 5, store_status_name((store_status)f->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, f->from);
	sqlite3_bind_int64(st, 7, f->to);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, after_received);
	sqlite3_bind_text(st, 10, f->after_id ? f->after_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, f->limit && f->limit <= INT64_MAX ? (sqlite3_int64)f->limit : -1);
	sqlite3_bind_int64(st, 12, f->offset <= INT64_MAX ? (sqlite3_int64)f->offset : INT64_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!load(st, now, &r)) {
			e = TT_ERR_NOMEM;
			break;
		}
		bool more = fn(&r, ctx);
		store_record_clear(&r);
		if (!more)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = log_fail(q, "cannot list submissions");
	done(st);
	return e;
}

struct mark {
	char id[40];
	sqlite3_int64 gen;
};

static size_t sq_track_changes(void *be, int64_t now, bool (*fn)(const store_record *r, void *ctx), void *ctx,
                               size_t max)
{
	struct sq *q = be;
	struct mark *marks = NULL;
	size_t n = 0, cap = 0, taken = 0, forget = 0;
	int rc;

	sqlite3_bind_int64(q->dirty, 1, max <= INT64_MAX ? (sqlite3_int64)max : INT64_MAX);
	while ((rc = sqlite3_step(q->dirty)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct mark *m = realloc(marks, ncap * sizeof *m);
			if (!m) {
				tt_warn("%s: out of memory taking changed records", q->path);
				break;
			}
			marks = m;
			cap = ncap;
		}
		copy_col(q->dirty, 0, marks[n].id, sizeof marks[n].id);
		marks[n].gen = sqlite3_column_int64(q->dirty, 1);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_fail(q, "cannot read changed records");
	done(q->dirty);

	/* Publish first, forget after: a crash in between publishes again,
	 * which a retained topic takes without harm. */
	for (size_t i = 0; i < n; i++) {
		store_record r;
		sqlite3_bind_text(q->get_id, 1, marks[i].id, -1, SQLITE_STATIC);
		tt_err e = get_row(q, q->get_id, now, &r);
		if (e == TT_ERR_NOTFOUND) {
			marks[forget++] = marks[i]; /* nothing to publish */
			continue;
		}
		if (e != TT_OK)
			break;
		bool ok = fn(&r, ctx);
		store_record_clear(&r);
		if (!ok)
			break;
		marks[forget++] = marks[i];
		taken++;
	}
	bool own;
	if (forget && tx_begin(q, &own)) {
		bool ok = true;
		for (size_t i = 0; ok && i < forget; i++) {
			sqlite3_bind_text(q->undirty, 1, marks[i].id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q->undirty, 2, marks[i].gen);
			ok = run(q, q->undirty, "cannot forget a published change");
		}
		tx_end(q, own, ok); /* on failure: published again next time */
	}
	free(marks);
	return taken;
}

static size_t sq_report(void *be, const char *by, int64_t from, int64_t to, int64_t now, store_count *out, size_t max)
{
	struct sq *q = be;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int g, rc;

	for (g = 0; g < N_GROUPS; g++)
		if (strcmp(by, group_cols[g]) == 0)
			break;
	if (g == N_GROUPS)
		return 0;
	if (!q->report[g]) {
		char sql[1024];
		snprintf(sql, sizeof sql,
		         "SELECT %s, count(*), total(CASE WHEN rating > 0 THEN rating END),"
		         " count(CASE WHEN rating > 0 THEN 1 END),"
		         " count(CASE WHEN " WAITING " AND " DUE " > 0 AND " DUE " < ?3 THEN 1 END),"
		         " total(CASE WHEN responded_at IS NOT NULL THEN max(responded_at - received, 0) END),"
		         " count(responded_at)"
		         " FROM submissions WHERE received >= ?1 AND received < ?2"
		         " GROUP BY 1 ORDER BY 2 DESC, 1",
		         group_cols[g]);
		if (!prepare(q, &q->report[g], sql)) {
			log_fail(q, "cannot prepare a report");
			return 0;
		}
	}
	st = q->report[g];
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to ? to : INT64_MAX);
	sqlite3_bind_int64(st, 3, now);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_count *c = &out[n++];
		memset(c, 0, sizeof *c);
		copy_col(st, 0, c->key, sizeof c->key);
		c->n = (size_t)sqlite3_column_int64(st, 1);
		c->rating_sum = sqlite3_column_double(st, 2);
		c->rated = (size_t)sqlite3_column_int64(st, 3);
		c->overdue = (size_t)sqlite3_column_int64(st, 4);
		c->response_days_sum = sqlite3_column_double(st, 5) / 86400.0;
		c->responded = (size_t)sqlite3_column_int64(st, 6);
	}
	if (n < max && rc != SQLITE_DONE)
		log_fail(q, "cannot count submissions");
	done(st);
	return n;
}

/* --- kiosks ------------------------------------------------------------------ */

static tt_err sq_kiosk_seen(void *be, const char *kiosk, const char *status_json, bool online, int64_t now)
{
	struct sq *q = be;
	bool own, ok;
	if (!tx_begin(q, &own))
		return TT_ERR_IO;
	sqlite3_bind_text(q->kiosk_seen, 1, kiosk, -1, SQLITE_STATIC);
	sqlite3_bind_int(q->kiosk_seen, 2, online);
	sqlite3_bind_int64(q->kiosk_seen, 3, now);
	bind_opt(q->kiosk_seen, 4, status_json);
	ok = run(q, q->kiosk_seen, "cannot record a kiosk's status");
	return tx_end(q, own, ok) ? TT_OK : TT_ERR_IO;
}

static tt_err sq_kiosks(void *be, bool (*fn)(const store_kiosk *k, void *ctx), void *ctx)
{
	struct sq *q = be;
	sqlite3_stmt *st = q->kiosks;
	store_kiosk k;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&k, 0, sizeof k);
		copy_col(st, 0, k.id, sizeof k.id);
		k.online = sqlite3_column_int(st, 1) != 0;
		k.last_seen = sqlite3_column_int64(st, 2);
		k.status_json = (char *)sqlite3_column_text(st, 3); /* borrowed for the call */
		if (!fn(&k, ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	tt_err e = rc == SQLITE_DONE ? TT_OK : log_fail(q, "cannot read kiosks");
	done(st);
	return e;
}

/* --- open, close ---------------------------------------------------------------- */

static void sq_close(void *be)
{
	struct sq *q = be;
	if (!q)
		return;
	sqlite3_stmt *all[] = {q->begin,       q->commit,   q->rollback, q->savepoint,  q->release,
	                       q->rollback_to, q->insert,   q->mark,     q->quarantine, q->quarantine_count,
	                       q->get_id,      q->get_hash, q->update,   q->audit,      q->history,
	                       q->received_of, q->dirty,    q->undirty,  q->kiosk_seen, q->kiosks};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
	for (int i = 0; i < N_GROUPS; i++)
		sqlite3_finalize(q->report[i]);
	for (int i = 0; i < LF__COMBOS; i++)
		sqlite3_finalize(q->list[i]);
	if (q->db && sqlite3_close(q->db) != SQLITE_OK)
		tt_warn("%s: cannot close: %s", q->path, sqlite3_errmsg(q->db));
	free(q->path);
	free(q);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .add = sq_add,
    .quarantine = sq_quarantine,
    .quarantine_count = sq_quarantine_count,
    .get = sq_get,
    .list = sq_list,
    .update = sq_update,
    .history = sq_history,
    .track_changes = sq_track_changes,
    .report = sq_report,
    .kiosk_seen = sq_kiosk_seen,
    .kiosks = sq_kiosks,
    .defer_checkpoints = sq_defer_checkpoints,
    .checkpoint = sq_checkpoint,
};

/* Creates or checks the schema, in one write transaction so that two
 * processes starting at once do not trip over each other.  NULL or why. */
static const char *setup_schema(struct sq *q)
{
	sqlite3_stmt *st = NULL;
	int version = 0;

	if (sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite3_errmsg(q->db);
	if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version > SCHEMA_VERSION) {
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		return "made by a newer tramtin-collector (schema version too high)";
	}
	if (sqlite3_exec(q->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    (version == 1 && sqlite3_exec(q->db, migrate_1, NULL, NULL, NULL) != SQLITE_OK) ||
	    (version >= 1 && version < 3 && sqlite3_exec(q->db, migrate_2, NULL, NULL, NULL) != SQLITE_OK) ||
	    sqlite3_exec(q->db, "PRAGMA user_version = 3", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return NULL;
fail:
	sqlite3_finalize(st);
	return sqlite3_errmsg(q->db); /* closing the connection rolls back */
}

store *store_open_sqlite(const char *path, char *err, size_t errlen)
{
	char dummy[1];
	struct sq *q = NULL;
	const char *why = NULL;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!path || !*path) {
		snprintf(err, errlen, "store: no file given");
		return NULL;
	}
	if (!(q = calloc(1, sizeof *q)) || !(q->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(q);
		return NULL;
	}
	q->db = faultvfs_open_wal(path, BUSY_MS, err, errlen);
	if (!q->db) {
		why = NULL;
		goto fail_quiet;
	}
	/* 32 MiB of page cache: ingest touches four indexes at random places. */
	if (sqlite3_exec(q->db, "PRAGMA synchronous=FULL; PRAGMA cache_size=-32768", NULL, NULL, NULL) != SQLITE_OK) {
		why = sqlite3_errmsg(q->db);
		goto fail;
	}
	sqlite3_wal_hook(q->db, wal_hook, q); /* checkpoints at CKPT_FRAMES (replaces wal_autocheckpoint) */
	if ((why = setup_schema(q)))
		goto fail;
	if (!prepare(q, &q->begin, "BEGIN IMMEDIATE") || !prepare(q, &q->commit, "COMMIT") ||
	    !prepare(q, &q->rollback, "ROLLBACK") || !prepare(q, &q->savepoint, "SAVEPOINT op") ||
	    !prepare(q, &q->release, "RELEASE op") || !prepare(q, &q->rollback_to, "ROLLBACK TO op") ||
	    !prepare(q, &q->insert,
	             "INSERT OR IGNORE INTO submissions(" COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	             " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)") ||
	    !prepare(q, &q->mark,
	             "INSERT INTO track_queue(id) VALUES(?1)") ||
	    !prepare(q, &q->quarantine,
	             "INSERT INTO quarantine(received, topic, kiosk, reason, payload) VALUES(?1, ?2, ?3, ?4, ?5)") ||
	    !prepare(q, &q->quarantine_count, "SELECT count(*) FROM quarantine") ||
	    !prepare(q, &q->get_id, "SELECT " COLS " FROM submissions WHERE id = ?1") ||
	    !prepare(q, &q->get_hash,
	             "SELECT " COLS " FROM submissions WHERE code_hash = ?1 ORDER BY received DESC, id DESC LIMIT 1") ||
	    !prepare(q, &q->update,
	             "UPDATE submissions SET status = ?1, outcome = ?2, complex = ?3, agency = ?4, reason = ?5,"
	             " answer = ?6, updated = ?7, accept_due = ?8, settle_due = ?9,"
	             " responded_at = coalesce(responded_at, ?10) WHERE id = ?11") ||
	    !prepare(q, &q->audit,
	             "INSERT INTO audit(\"when\", actor, id, action, detail) VALUES(?1, ?2, ?3, ?4, ?5)") ||
	    !prepare(q, &q->history, "SELECT \"when\", actor, action, detail FROM audit WHERE id = ?1 ORDER BY seq") ||
	    !prepare(q, &q->received_of, "SELECT received FROM submissions WHERE id = ?1") ||
	    !prepare(q, &q->dirty, "SELECT id, gen FROM track_queue ORDER BY gen LIMIT ?1") ||
	    !prepare(q, &q->undirty, "DELETE FROM track_queue WHERE gen = ?2 AND id = ?1") ||
	    !prepare(q, &q->kiosk_seen,
	             "INSERT INTO kiosks(id, online, last_seen, status_json) VALUES(?1, ?2, ?3, ?4)"
	             " ON CONFLICT(id) DO UPDATE SET online = excluded.online, last_seen = excluded.last_seen,"
	             " status_json = coalesce(excluded.status_json, kiosks.status_json)") ||
	    !prepare(q, &q->kiosks, "SELECT id, online, last_seen, status_json FROM kiosks ORDER BY id")) {
		why = sqlite3_errmsg(q->db);
		goto fail;
	}
	store *s = store_wrap(&sqlite_ops, q); /* closes q if it fails */
	if (!s)
		snprintf(err, errlen, "%s: out of memory", path);
	return s;
fail:
	snprintf(err, errlen, "%s: %s", path, why ? why : "cannot open");
fail_quiet:
	sq_close(q);
	return NULL;
}

void store_fail_writes_after(int skip, int n)
{
	faultvfs_fail_writes_after(skip, n);
}
