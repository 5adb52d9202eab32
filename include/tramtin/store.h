/* store.h - the collector's storage: submissions, their follow-up, the
 * quarantine, kiosks, and an audit log.
 *
 * A small interface (a table of operations behind an opaque struct) with
 * SQLite as the default back end (store_sqlite.c: WAL, synchronous=FULL);
 * a national deployment would add a PostgreSQL back end with the same
 * operations (docs/postgres-store.md).  The ingest path batches: begin,
 * add many, commit; the daemon acknowledges only what a commit made
 * durable.  The tracking code is stored only as its hash (code.h).  Like
 * the outbox, the store never aborts: it returns errors, loses nothing. */
#ifndef TRAMTIN_STORE_H
#define TRAMTIN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"

/* Follow-up lifecycle (Law on Complaints / Denunciation clocks in days). */
typedef enum store_status {
	ST_RECEIVED = 0, ST_ACCEPTED, ST_NOT_ACCEPTED, ST_ASSIGNED, ST_IN_PROGRESS, ST_RESPONDED, ST_CLOSED, ST_REOPENED,
	ST__COUNT
} store_status;

/* How a closed item was closed. */
typedef enum store_outcome {
	OUT_NONE = 0, OUT_RESOLVED, OUT_NO_ACTION, OUT_REFERRED, OUT_DUPLICATE, OUT_WITHDRAWN, OUT__COUNT
} store_outcome;

const char *store_status_name(store_status s);   /* "received", "accepted", "not_accepted", ... */
bool store_status_parse(const char *s, store_status *out);
const char *store_outcome_name(store_outcome o); /* "", "resolved", "no_action", "referred", "duplicate", "withdrawn" */
bool store_outcome_parse(const char *s, store_outcome *out);
/* Whether the lifecycle allows from -> to (closed -> reopened, ...). */
bool store_status_allowed(store_status from, store_status to);

#define STORE_ACCEPT_DAYS 10
#define STORE_SETTLE_DAYS 30
#define STORE_SETTLE_COMPLEX_DAYS 45

/* One stored submission (strings owned by the record: store_record_clear). */
typedef struct store_record {
	char id[40];
	char kiosk[128];
	char province[64], commune[64]; /* from the topic */
	char kind[16];                  /* feedback, complaint, objection, survey */
	char category[48];
	int rating;                     /* 0: none */
	char *text;
	char *contact_name, *contact_phone; /* NULL for anonymous kinds */
	char ref[128];
	char lang[8];
	char code_hash[40];             /* hex BLAKE2b-128 of the code, or "" */
	int64_t created;                /* as the kiosk said (anonymous: the day) */
	int64_t received;               /* collector clock */
	store_status status;
	store_outcome outcome;
	bool complex;                   /* 45-day settlement clock */
	char agency[128];               /* assigned to */
	char *reason;                   /* not accepted because / closing note */
	char *answer;                   /* the staff's answer, shown to the citizen */
	int64_t updated;                /* last status change */
	int64_t accept_due, settle_due; /* deadlines (UTC seconds), 0 if none */
	bool overdue;                   /* at the time of the query */
} store_record;
void store_record_clear(store_record *r); /* frees strings; accepts a zeroed record */

/* Filters for listing; zero / NULL fields do not filter. */
typedef struct store_filter {
	const char *commune, *kiosk, *kind, *category;
	int status;             /* -1: any */
	int64_t from, to;       /* received in [from, to) */
	bool overdue_only;
	size_t limit, offset;   /* limit 0: no limit */
	const char *after_id;   /* keyset paging: strictly after this (received, id) */
} store_filter;
void store_filter_init(store_filter *f); /* everything, status -1 */

typedef struct store store;

/* Opens (creating the schema) an SQLite store; NULL with one line in err. */
store *store_open_sqlite(const char *path, char *err, size_t errlen);
void store_close(store *s); /* accepts NULL */

/* --- ingest (the daemon) ------------------------------------------------ */
tt_err store_begin(store *s);
/* Adds r (its id unique); *inserted false if the id was already stored
 * (a re-sent submission: acknowledge again, store nothing). */
tt_err store_add(store *s, const store_record *r, bool *inserted);
/* Keeps a payload that failed a check, with the reason; never dropped. */
tt_err store_quarantine(store *s, const char *topic, const char *kiosk, const char *reason, const void *payload,
                        size_t len, int64_t now);
tt_err store_commit(store *s);
tt_err store_rollback(store *s);
/* By default a commit may also copy the write-ahead log back into the
 * database (a checkpoint) when the log has grown, and the committer waits
 * for it.  After store_defer_checkpoints a commit never does: the caller
 * calls store_checkpoint when it suits it (the daemon: once the batch's
 * acks are out), which checkpoints only if the log has grown past the
 * threshold.  Both do nothing for a back end without a log. */
void store_defer_checkpoints(store *s);
void store_checkpoint(store *s);

/* --- follow-up (CLI, HTTP, staff) --------------------------------------- */
/* Loads one record by id: TT_OK, TT_ERR_NOTFOUND. now: for overdue. */
tt_err store_get(store *s, const char *id, int64_t now, store_record *out);
/* Loads the record whose code hash is hash (code.h). */
tt_err store_get_by_code_hash(store *s, const char *hash, int64_t now, store_record *out);
/* Calls fn for each record matching f, newest first; fn returns false to
 * stop. Returns TT_OK or an error. */
tt_err store_list(store *s, const store_filter *f, int64_t now, bool (*fn)(const store_record *r, void *ctx),
                  void *ctx);
/* Changes the status (checked with store_status_allowed: TT_ERR_STATE
 * otherwise), with an optional outcome (for closed), reason, agency (for
 * assigned) and complex flag; sets deadlines; writes the audit log entry
 * (actor, e.g. "cli:root" or a staff account). */
tt_err store_set_status(store *s, const char *id, store_status to, store_outcome outcome, const char *reason,
                        const char *agency, const char *actor, int64_t now);
/* Records the answer shown to the citizen; moves the status to responded
 * unless a status is given (to < 0: responded). */
tt_err store_respond(store *s, const char *id, const char *answer, int to, const char *actor, int64_t now);

/* Records whose follow-up changed (added, status, answer) since they were
 * last taken: calls fn for up to max of them and forgets them once fn
 * returned true for each (the daemon publishes the retained track topic;
 * the CLI and the HTTP server change records in other processes).
 * Returns how many were taken. */
size_t store_track_changes(store *s, int64_t now, bool (*fn)(const store_record *r, void *ctx), void *ctx,
                           size_t max);

/* Counts for the periodic report. */
typedef struct store_count {
	char key[128];
	size_t n;
	double rating_sum;
	size_t rated;
	size_t overdue;
	double response_days_sum; /* received -> responded, for those responded */
	size_t responded;
} store_count;
/* Groups records received in [from, to) by "commune", "category", "kind"
 * or "status"; writes at most max groups. Returns how many groups. */
size_t store_report(store *s, const char *by, int64_t from, int64_t to, int64_t now, store_count *out, size_t max);

/* Number of quarantined payloads (0 also on an error, logged). */
size_t store_quarantine_count(store *s);

/* --- kiosks ------------------------------------------------------------- */
tt_err store_kiosk_seen(store *s, const char *kiosk, const char *status_json, bool online, int64_t now);
typedef struct store_kiosk {
	char id[128];
	bool online;
	int64_t last_seen;
	char *status_json;
} store_kiosk;
tt_err store_kiosks(store *s, bool (*fn)(const store_kiosk *k, void *ctx), void *ctx);

/* Fault injection for tests: the next n writes fail (see outbox.h). */
void store_fail_writes_after(int skip, int n);

/* --- additions: deadlines, general updates, history --------------------- */

/* The deadline that applies to r: settle_due once the settlement clock
 * runs (from acceptance), accept_due before it; 0 if none. */
int64_t store_due(const store_record *r);
/* Whether r is overdue at now: its status still waits on the authority
 * (received, accepted, assigned, in_progress, reopened) and now is past
 * store_due(r).  Responded, closed and not accepted items never are. */
bool store_is_overdue(const store_record *r, int64_t now);
/* Whether r was sent without a name or phone: a complaint without contact
 * (the kiosk's anonymous complaint).  Such records show "anonymous" where
 * a contact would be, and their times leave the collector only as days. */
bool store_is_anonymous(const store_record *r);

/* One change to a record's follow-up.  Strings are borrowed; NULL leaves a
 * field as it is, "" clears it. */
typedef struct store_change {
	int to;                /* store_status, or -1: unchanged */
	store_outcome outcome; /* only with to == ST_CLOSED */
	const char *reason;    /* not accepted because / closing note */
	const char *agency;    /* assigned to */
	const char *answer;    /* the answer shown to the citizen */
	int complex;           /* 1 or 0 (45- or 30-day settlement), -1: unchanged */
	const char *actor;     /* for the audit log, e.g. "cli:root"; NULL: "?" */
	int64_t now;
} store_change;
/* A change that changes nothing, by actor at now (actor borrowed). */
void store_change_init(store_change *c, const char *actor, int64_t now);

/* Applies c to the record id in one transaction: the status move is
 * checked with store_status_allowed, except that an answer to a received
 * item accepts it first (both moves are logged); an answer with to equal
 * to the current status (or to < 0) only replaces the answer.  Moving to
 * the same status without an answer is refused.  Deadlines follow the
 * move (see store.c); every change writes audit rows and marks the record
 * for store_track_changes.  Returns TT_OK, TT_ERR_NOTFOUND,
 * TT_ERR_STATE (the lifecycle forbids the move), TT_ERR_INVAL (bad
 * arguments, an outcome without closing, nothing to change), TT_ERR_NOMEM
 * or TT_ERR_IO (logged; nothing changed). */
tt_err store_update(store *s, const char *id, const store_change *c);

/* One line of a record's audit log. */
typedef struct store_audit {
	int64_t when;
	char actor[128];
	char action[16]; /* "status", "answer", "complex", "note" */
	char *detail;    /* owned: store_audit_clear */
} store_audit;
void store_audit_clear(store_audit *a); /* frees detail; accepts a zeroed entry */

/* Calls fn for each audit line of id, oldest first (none: TT_OK without a
 * call); fn returns false to stop.  The entry is valid during the call. */
tt_err store_history(store *s, const char *id, bool (*fn)(const store_audit *a, void *ctx), void *ctx);

/* --- back ends ----------------------------------------------------------- */

/* What a back end implements (store_sqlite.c; docs/postgres-store.md for
 * PostgreSQL).  be is the back end's own state.  store.c checks arguments
 * before calling (non-NULL store, ids, callbacks; a known report group)
 * and holds the lifecycle rules: update reads the row inside its write
 * transaction, calls store_apply, writes the row, the audit rows and the
 * track mark, and commits.  get takes either an id or a code hash (the
 * other NULL).  Records handed to callbacks are valid during the call. */
struct store_ops {
	const char *name; /* "sqlite" */
	void (*close)(void *be);
	tt_err (*begin)(void *be);
	tt_err (*commit)(void *be);
	tt_err (*rollback)(void *be);
	tt_err (*add)(void *be, const store_record *r, bool *inserted);
	tt_err (*quarantine)(void *be, const char *topic, const char *kiosk, const char *reason, const void *payload,
	                     size_t len, int64_t now);
	size_t (*quarantine_count)(void *be);
	tt_err (*get)(void *be, const char *id, const char *code_hash, int64_t now, store_record *out);
	tt_err (*list)(void *be, const store_filter *f, int64_t now, bool (*fn)(const store_record *r, void *ctx),
	               void *ctx);
	tt_err (*update)(void *be, const char *id, const store_change *c);
	tt_err (*history)(void *be, const char *id, bool (*fn)(const store_audit *a, void *ctx), void *ctx);
	size_t (*track_changes)(void *be, int64_t now, bool (*fn)(const store_record *r, void *ctx), void *ctx,
	                        size_t max);
	size_t (*report)(void *be, const char *by, int64_t from, int64_t to, int64_t now, store_count *out,
	                 size_t max);
	tt_err (*kiosk_seen)(void *be, const char *kiosk, const char *status_json, bool online, int64_t now);
	tt_err (*kiosks)(void *be, bool (*fn)(const store_kiosk *k, void *ctx), void *ctx);
	void (*defer_checkpoints)(void *be); /* optional */
	void (*checkpoint)(void *be);        /* optional */
};

/* Makes a store of a back end's state be and its operations (ops borrowed:
 * a static table).  Out of memory: calls ops->close(be), returns NULL. */
store *store_wrap(const struct store_ops *ops, void *be);

/* The lifecycle step of store_update, for back ends: applies c to r in
 * memory (status, outcome, reason, agency, answer, complex, deadlines,
 * updated, overdue at c->now) and writes the audit lines to log (at most
 * STORE_AUDIT_MAX; details owned by the caller: store_audit_clear), their
 * count to *n_log.  On an error (as store_update) r and log are as
 * before. */
#define STORE_AUDIT_MAX 6
tt_err store_apply(store_record *r, const store_change *c, store_audit log[STORE_AUDIT_MAX], size_t *n_log);

/* The deadline a new record starts with: received + STORE_ACCEPT_DAYS. */
int64_t store_accept_due(int64_t received);

#endif
