/* store.c - the collector store's rules, whatever holds the rows.
 *
 * A store is a back end's state behind a table of operations (struct
 * store_ops, store.h): SQLite by default (store_sqlite.c), PostgreSQL for
 * a national deployment (docs/postgres-store.md).  This file holds what
 * every back end shares, so that they cannot drift apart: the names of
 * statuses and outcomes, the lifecycle, the legal clocks, and the checks
 * on arguments before a back end sees them.
 *
 * Lifecycle: received -> accepted | not_accepted; accepted -> assigned |
 * in_progress | responded | closed; assigned -> in_progress | responded |
 * closed; in_progress -> responded | closed; responded -> closed |
 * in_progress (the citizen was not satisfied); not_accepted and closed ->
 * reopened; reopened -> accepted | assigned | in_progress | responded |
 * closed.  A move to the same status is not a move.
 *
 * Clocks (Law on Complaints, Law on Denunciations): acceptance is due
 * STORE_ACCEPT_DAYS after receipt; settlement STORE_SETTLE_DAYS after
 * acceptance, STORE_SETTLE_COMPLEX_DAYS if the case is complex.  The
 * settlement clock starts at the first move into accepted, assigned or
 * in_progress and survives later moves; marking a case complex (or not)
 * moves its settlement deadline by the difference.  Reopening starts over:
 * a new acceptance deadline from the reopening, no settlement deadline
 * until the case is taken up again.  An item is overdue while it waits on
 * the authority (received, accepted, assigned, in_progress, reopened) and
 * the deadline that applies (settlement once it runs, acceptance before)
 * has passed; responded, closed and not accepted items never are.  Back
 * ends keep accept_due and settle_due as columns, so a query can select
 * overdue items without loading every row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/store.h"
#include "tramtin/text.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define DAY 86400

struct store {
	const struct store_ops *ops;
	void *be;
};

static const char *const status_names[ST__COUNT] = {
    [ST_RECEIVED] = "received", [ST_ACCEPTED] = "accepted",       [ST_NOT_ACCEPTED] = "not_accepted",
    [ST_ASSIGNED] = "assigned", [ST_IN_PROGRESS] = "in_progress", [ST_RESPONDED] = "responded",
    [ST_CLOSED] = "closed",     [ST_REOPENED] = "reopened",
};

static const char *const outcome_names[OUT__COUNT] = {
    [OUT_NONE] = "",
    [OUT_RESOLVED] = "resolved",
    [OUT_NO_ACTION] = "no_action",
    [OUT_REFERRED] = "referred",
    [OUT_DUPLICATE] = "duplicate",
    [OUT_WITHDRAWN] = "withdrawn",
};

#define BIT(s) (1u << (s))
static const unsigned allowed_moves[ST__COUNT] = {
    [ST_RECEIVED] = BIT(ST_ACCEPTED) | BIT(ST_NOT_ACCEPTED),
    [ST_ACCEPTED] = BIT(ST_ASSIGNED) | BIT(ST_IN_PROGRESS) | BIT(ST_RESPONDED) | BIT(ST_CLOSED),
    [ST_ASSIGNED] = BIT(ST_IN_PROGRESS) | BIT(ST_RESPONDED) | BIT(ST_CLOSED),
    [ST_IN_PROGRESS] = BIT(ST_RESPONDED) | BIT(ST_CLOSED),
    [ST_RESPONDED] = BIT(ST_CLOSED) | BIT(ST_IN_PROGRESS),
    [ST_NOT_ACCEPTED] = BIT(ST_REOPENED),
    [ST_CLOSED] = BIT(ST_REOPENED),
    [ST_REOPENED] = BIT(ST_ACCEPTED) | BIT(ST_ASSIGNED) | BIT(ST_IN_PROGRESS) | BIT(ST_RESPONDED) | BIT(ST_CLOSED),
};

/* --- names ---------------------------------------------------------------- */

const char *store_status_name(store_status s)
{
	return (unsigned)s < ST__COUNT ? status_names[s] : "unknown";
}

/* Compares a name, taking '-' for '_' and ignoring ASCII case
 * ("in-progress", "Not_Accepted"), since people type these. */
static bool same_name(const char *typed, const char *name)
{
	for (; *typed && *name; typed++, name++) {
		char c = *typed == '-' ? '_' : *typed;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *name)
			return false;
	}
	return !*typed && !*name;
}

bool store_status_parse(const char *s, store_status *out)
{
	if (!s)
		return false;
	for (int i = 0; i < ST__COUNT; i++) {
		if (same_name(s, status_names[i])) {
			if (out)
				*out = (store_status)i;
			return true;
		}
	}
	return false;
}

const char *store_outcome_name(store_outcome o)
{
	return (unsigned)o < OUT__COUNT ? outcome_names[o] : "unknown";
}

bool store_outcome_parse(const char *s, store_outcome *out)
{
	if (!s)
		return false;
	if (same_name(s, "none")) {
		if (out)
			*out = OUT_NONE;
		return true;
	}
	for (int i = 0; i < OUT__COUNT; i++) {
		if (same_name(s, outcome_names[i])) {
			if (out)
				*out = (store_outcome)i;
			return true;
		}
	}
	return false;
}

bool store_status_allowed(store_status from, store_status to)
{
	if ((unsigned)from >= ST__COUNT || (unsigned)to >= ST__COUNT)
		return false;
	return (allowed_moves[from] & BIT(to)) != 0;
}

/* --- records, deadlines -------------------------------------------------- */

void store_record_clear(store_record *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->contact_name);
	free(r->contact_phone);
	free(r->reason);
	free(r->answer);
	memset(r, 0, sizeof *r);
}

void store_filter_init(store_filter *f)
{
	if (!f)
		return;
	memset(f, 0, sizeof *f);
	f->status = -1;
}

void store_audit_clear(store_audit *a)
{
	if (!a)
		return;
	free(a->detail);
	memset(a, 0, sizeof *a);
}

void store_change_init(store_change *c, const char *actor, int64_t now)
{
	if (!c)
		return;
	memset(c, 0, sizeof *c);
	c->to = -1;
	c->complex = -1;
	c->actor = actor;
	c->now = now;
}

int64_t store_accept_due(int64_t received)
{
	return received + (int64_t)STORE_ACCEPT_DAYS * DAY;
}

static int64_t settle_days(bool complex)
{
	return complex ? STORE_SETTLE_COMPLEX_DAYS : STORE_SETTLE_DAYS;
}

int64_t store_due(const store_record *r)
{
	if (!r)
		return 0;
	return r->settle_due > 0 ? r->settle_due : r->accept_due;
}

static bool waits_on_authority(store_status s)
{
	return s == ST_RECEIVED || s == ST_ACCEPTED || s == ST_ASSIGNED || s == ST_IN_PROGRESS || s == ST_REOPENED;
}

bool store_is_overdue(const store_record *r, int64_t now)
{
	int64_t due = store_due(r);
	return r && waits_on_authority(r->status) && due > 0 && now > due;
}

bool store_is_anonymous(const store_record *r)
{
	return r && strcmp(r->kind, "complaint") == 0 && !(r->contact_name && *r->contact_name) &&
	       !(r->contact_phone && *r->contact_phone);
}

/* --- the lifecycle step -------------------------------------------------- */

static bool add_log(store_audit *log, size_t *n, const char *action, const char *fmt, ...) PRINTF_LIKE(4, 5);

/* Appends one audit line (detail formatted).  False: out of memory. */
static bool add_log(store_audit *log, size_t *n, const char *action, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (*n >= STORE_AUDIT_MAX)
		return true; /* cannot happen: store_apply writes at most five */
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return false;
	char *d = malloc((size_t)len + 1);
	if (!d)
		return false;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)len + 1, fmt, ap);
	va_end(ap);
	memset(&log[*n], 0, sizeof log[*n]);
	snprintf(log[*n].action, sizeof log[*n].action, "%s", action);
	log[*n].detail = d;
	(*n)++;
	return true;
}

/* Moves the clocks for a move into s at now (see the top of the file). */
static void move_clocks(store_record *r, store_status s, int64_t now)
{
	if (s == ST_REOPENED) {
		r->accept_due = store_accept_due(now);
		r->settle_due = 0;
	} else if ((s == ST_ACCEPTED || s == ST_ASSIGNED || s == ST_IN_PROGRESS) && r->settle_due == 0) {
		r->settle_due = now + settle_days(r->complex) * DAY;
	}
}

static bool valid_text(const char *s)
{
	return !s || text_valid(s, strlen(s));
}

tt_err store_apply(store_record *r, const store_change *c, store_audit log[STORE_AUDIT_MAX], size_t *n_log)
{
	store_record w;
	store_status path[2];
	size_t steps = 0, n = 0;
	char *reason = NULL, *answer = NULL;
	bool complex_changes;

	if (!r || !c || !log || !n_log)
		return TT_ERR_INVAL;
	*n_log = 0;
	if (c->to < -1 || c->to >= ST__COUNT || (unsigned)c->outcome >= OUT__COUNT || c->complex < -1 || c->complex > 1)
		return TT_ERR_INVAL;
	if (c->outcome != OUT_NONE && c->to != ST_CLOSED)
		return TT_ERR_INVAL;
	if (!valid_text(c->reason) || !valid_text(c->agency) || !valid_text(c->answer))
		return TT_ERR_INVAL;
	if (c->agency && strlen(c->agency) >= sizeof r->agency)
		return TT_ERR_INVAL;

	if (c->to >= 0 && (store_status)c->to != r->status) {
		store_status to = (store_status)c->to;
		if (store_status_allowed(r->status, to)) {
			path[steps++] = to;
		} else if (c->answer && r->status == ST_RECEIVED && store_status_allowed(ST_ACCEPTED, to)) {
			/* Answering a received item takes it up: it is accepted. */
			path[steps++] = ST_ACCEPTED;
			path[steps++] = to;
		} else {
			return TT_ERR_STATE;
		}
	} else if (c->to >= 0 && !c->answer) {
		return TT_ERR_STATE; /* same status, nothing to answer */
	}
	complex_changes = c->complex >= 0 && (c->complex == 1) != r->complex;
	if (!steps && !c->answer && !c->reason && !c->agency && !complex_changes)
		return TT_ERR_INVAL; /* nothing to change */

	if ((c->reason && *c->reason && !(reason = strdup(c->reason))) ||
	    (c->answer && *c->answer && !(answer = strdup(c->answer))))
		goto nomem;

	w = *r; /* a working copy: r is touched only once nothing can fail */
	const char *actor = c->actor && *c->actor ? c->actor : "?";
	if (complex_changes) {
		w.complex = c->complex == 1;
		if (w.settle_due > 0)
			w.settle_due += (settle_days(w.complex) - settle_days(r->complex)) * DAY;
		if (!add_log(log, &n, "complex", "%s (%d-day settlement)", w.complex ? "yes" : "no",
		             (int)settle_days(w.complex)))
			goto nomem;
	}
	for (size_t i = 0; i < steps; i++) {
		store_status from = w.status, to = path[i];
		bool last = i + 1 == steps;
		move_clocks(&w, to, c->now);
		w.status = to;
		if (to == ST_CLOSED)
			w.outcome = c->outcome;
		else if (to == ST_REOPENED)
			w.outcome = OUT_NONE;
		if (!add_log(log, &n, "status", "%s -> %s%s%s%s%s%s%s%s", store_status_name(from),
		             store_status_name(to), !last ? " (taken up to be answered)" : "",
		             last && to == ST_CLOSED && c->outcome ? "; outcome: " : "",
		             last && to == ST_CLOSED && c->outcome ? store_outcome_name(c->outcome) : "",
		             last && c->agency ? "; agency: " : "", last && c->agency ? c->agency : "",
		             last && c->reason ? "; reason: " : "", last && c->reason ? c->reason : ""))
			goto nomem;
	}
	if (!steps && (c->agency || c->reason) &&
	    !add_log(log, &n, "note", "%s%s%s%s%s", c->agency ? "agency: " : "", c->agency ? c->agency : "",
	             c->agency && c->reason ? "; " : "", c->reason ? "reason: " : "", c->reason ? c->reason : ""))
		goto nomem;
	if (c->answer && !add_log(log, &n, "answer", "%s", c->answer))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		log[i].when = c->now;
		snprintf(log[i].actor, sizeof log[i].actor, "%s", actor);
	}

	if (c->agency)
		snprintf(w.agency, sizeof w.agency, "%s", c->agency);
	if (c->reason) {
		free(r->reason);
		w.reason = reason;
	}
	if (c->answer) {
		free(r->answer);
		w.answer = answer;
	}
	w.updated = c->now;
	w.overdue = store_is_overdue(&w, c->now);
	*r = w;
	*n_log = n;
	return TT_OK;
nomem:
	free(reason);
	free(answer);
	for (size_t i = 0; i < n; i++)
		store_audit_clear(&log[i]);
	return TT_ERR_NOMEM;
}

/* --- the store: argument checks, then the back end ----------------------- */

store *store_wrap(const struct store_ops *ops, void *be)
{
	store *s;
	if (!ops)
		return NULL;
	if (!(s = calloc(1, sizeof *s))) {
		if (ops->close)
			ops->close(be);
		return NULL;
	}
	s->ops = ops;
	s->be = be;
	return s;
}

void store_close(store *s)
{
	if (!s)
		return;
	if (s->ops->close)
		s->ops->close(s->be);
	free(s);
}

tt_err store_begin(store *s)
{
	return s ? s->ops->begin(s->be) : TT_ERR_INVAL;
}

tt_err store_commit(store *s)
{
	return s ? s->ops->commit(s->be) : TT_ERR_INVAL;
}

tt_err store_rollback(store *s)
{
	return s ? s->ops->rollback(s->be) : TT_ERR_INVAL;
}

void store_defer_checkpoints(store *s)
{
	if (s && s->ops->defer_checkpoints)
		s->ops->defer_checkpoints(s->be);
}

void store_checkpoint(store *s)
{
	if (s && s->ops->checkpoint)
		s->ops->checkpoint(s->be);
}

/* A fixed field holds a terminated, non-empty string. */
static bool field_set(const char *f, size_t size)
{
	return f[0] && memchr(f, '\0', size);
}

tt_err store_add(store *s, const store_record *r, bool *inserted)
{
	bool dummy;
	store_record row;

	if (inserted)
		*inserted = false;
	if (!s || !r || !field_set(r->id, sizeof r->id) || !memchr(r->kiosk, '\0', sizeof r->kiosk) ||
	    !memchr(r->kind, '\0', sizeof r->kind) || (unsigned)r->status >= ST__COUNT ||
	    (unsigned)r->outcome >= OUT__COUNT)
		return TT_ERR_INVAL;
	row = *r; /* shallow: the back end only reads it */
	if (!row.accept_due)
		row.accept_due = store_accept_due(row.received);
	if (!row.updated)
		row.updated = row.received;
	return s->ops->add(s->be, &row, inserted ? inserted : &dummy);
}

tt_err store_quarantine(store *s, const char *topic, const char *kiosk, const char *reason, const void *payload,
                        size_t len, int64_t now)
{
	if (!s || (!payload && len))
		return TT_ERR_INVAL;
	return s->ops->quarantine(s->be, topic ? topic : "", kiosk ? kiosk : "", reason ? reason : "", payload, len,
	                          now);
}

size_t store_quarantine_count(store *s)
{
	return s ? s->ops->quarantine_count(s->be) : 0;
}

tt_err store_get(store *s, const char *id, int64_t now, store_record *out)
{
	if (!s || !id || !*id || !out)
		return TT_ERR_INVAL;
	memset(out, 0, sizeof *out);
	return s->ops->get(s->be, id, NULL, now, out);
}

tt_err store_get_by_code_hash(store *s, const char *hash, int64_t now, store_record *out)
{
	if (!s || !hash || !*hash || !out)
		return TT_ERR_INVAL;
	memset(out, 0, sizeof *out);
	return s->ops->get(s->be, NULL, hash, now, out);
}

tt_err store_list(store *s, const store_filter *f, int64_t now, bool (*fn)(const store_record *r, void *ctx), void *ctx)
{
	store_filter all;
	if (!s || !fn)
		return TT_ERR_INVAL;
	if (!f) {
		store_filter_init(&all);
		f = &all;
	}
	if (f->status < -1 || f->status >= ST__COUNT)
		return TT_ERR_INVAL;
	return s->ops->list(s->be, f, now, fn, ctx);
}

tt_err store_update(store *s, const char *id, const store_change *c)
{
	if (!s || !id || !*id || !c)
		return TT_ERR_INVAL;
	return s->ops->update(s->be, id, c);
}

tt_err store_set_status(store *s, const char *id, store_status to, store_outcome outcome, const char *reason,
                        const char *agency, const char *actor, int64_t now)
{
	store_change c;
	store_change_init(&c, actor, now);
	c.to = (int)to;
	c.outcome = outcome;
	c.reason = reason;
	c.agency = agency;
	if ((unsigned)to >= ST__COUNT)
		return TT_ERR_INVAL;
	return store_update(s, id, &c);
}

tt_err store_respond(store *s, const char *id, const char *answer, int to, const char *actor, int64_t now)
{
	store_change c;
	if (!answer || !*answer || to >= ST__COUNT)
		return TT_ERR_INVAL;
	store_change_init(&c, actor, now);
	c.to = to < 0 ? ST_RESPONDED : to;
	c.answer = answer;
	return store_update(s, id, &c);
}

tt_err store_history(store *s, const char *id, bool (*fn)(const store_audit *a, void *ctx), void *ctx)
{
	if (!s || !id || !*id || !fn)
		return TT_ERR_INVAL;
	return s->ops->history(s->be, id, fn, ctx);
}

size_t store_track_changes(store *s, int64_t now, bool (*fn)(const store_record *r, void *ctx), void *ctx, size_t max)
{
	if (!s || !fn || !max)
		return 0;
	return s->ops->track_changes(s->be, now, fn, ctx, max);
}

size_t store_report(store *s, const char *by, int64_t from, int64_t to, int64_t now, store_count *out, size_t max)
{
	static const char *const groups[] = {"commune", "category", "kind", "status", "kiosk"};
	if (!s || !by || !out || !max)
		return 0;
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (strcmp(by, groups[i]) == 0)
			return s->ops->report(s->be, groups[i], from, to, now, out, max);
	return 0;
}

tt_err store_kiosk_seen(store *s, const char *kiosk, const char *status_json, bool online, int64_t now)
{
	if (!s || !kiosk || !*kiosk || strlen(kiosk) >= sizeof((store_kiosk *)0)->id)
		return TT_ERR_INVAL;
	return s->ops->kiosk_seen(s->be, kiosk, status_json, online, now);
}

tt_err store_kiosks(store *s, bool (*fn)(const store_kiosk *k, void *ctx), void *ctx)
{
	if (!s || !fn)
		return TT_ERR_INVAL;
	return s->ops->kiosks(s->be, fn, ctx);
}
