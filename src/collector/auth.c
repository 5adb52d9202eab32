/* auth.c - staff accounts, sessions, lockout and the audit log (auth.h).
 *
 * Plain SQL on a connection of its own to the collector's file (the
 * tables come with the store's schema 3).  Every statement is prepared
 * per call: logins and page views are few, and the code stays short. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "collector/auth.h"
#include "tramtin/faultvfs.h"
#include "tramtin/log.h"
#include "tramtin/text.h"

#define BUSY_MS 5000

struct auth {
	sqlite3 *db;
	char *path;
	int idle_s;
	char dummy_hash[crypto_pwhash_STRBYTES]; /* for unknown accounts, made on first use */
};

static tt_err fail(auth *a, const char *what)
{
	tt_warn("%s: %s: %s", a->path, what, sqlite3_errmsg(a->db));
	return sqlite3_errcode(a->db) == SQLITE_NOMEM ? TT_ERR_NOMEM : TT_ERR_IO;
}

auth *auth_open(const char *path, int idle_min, char *err, size_t errlen)
{
	auth *a;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "auth: libsodium cannot start");
		return NULL;
	}
	if (!(a = calloc(1, sizeof *a)) || !(a->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(a);
		return NULL;
	}
	a->idle_s = (idle_min > 0 ? idle_min : 30) * 60;
	a->db = faultvfs_open_wal(path, BUSY_MS, err, errlen);
	if (!a->db) {
		auth_close(a);
		return NULL;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(a->db, "SELECT count(*) FROM staff", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: no staff table (open it with the store first): %s", path,
		         sqlite3_errmsg(a->db));
		sqlite3_finalize(st);
		auth_close(a);
		return NULL;
	}
	sqlite3_finalize(st);
	return a;
}

void auth_close(auth *a)
{
	if (!a)
		return;
	if (a->db)
		sqlite3_close(a->db);
	free(a->path);
	free(a);
}

bool auth_user_valid(const char *user)
{
	size_t n = user ? strlen(user) : 0;
	if (n < 1 || n > AUTH_USER_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = user[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("._-", c)))
			return false;
	}
	return true;
}

bool auth_password_valid(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX || !text_valid(pw, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f)
			return false;
	return true;
}

static bool hash_password(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                             crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

/* Runs sql with text parameters (NULL: SQL NULL) and int64 parameters
 * after them; true if it ran (changes in *changes when given). */
static bool exec(auth *a, const char *sql, const char *const *t, size_t nt, const int64_t *v, size_t nv, int *changes)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fail(a, "cannot prepare");
		return false;
	}
	for (size_t i = 0; i < nt; i++)
		sqlite3_bind_text(st, (int)i + 1, t[i], -1, SQLITE_STATIC);
	for (size_t i = 0; i < nv; i++)
		sqlite3_bind_int64(st, (int)(nt + i) + 1, v[i]);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fail(a, "cannot write");
		return false;
	}
	if (changes)
		*changes = sqlite3_changes(a->db);
	return true;
}

tt_err auth_audit(auth *a, const char *actor, const char *action, const char *id, const char *detail, int64_t now)
{
	const char *t[] = {actor ? actor : "?", id ? id : "", action, detail};
	return exec(a, "INSERT INTO audit(actor, id, action, detail, \"when\") VALUES(?1, ?2, ?3, ?4, ?5)", t, 4,
	            &now, 1, NULL)
	           ? TT_OK
	           : TT_ERR_IO;
}

/* Hashes password and runs sql with ?1 user, ?2 the hash, ?3 now; *n is
 * the rows it changed.  The hash is wiped after. */
static tt_err write_hash(auth *a, const char *sql, const char *user, const char *password, int64_t now, int *n)
{
	char h[crypto_pwhash_STRBYTES];
	*n = 0;
	if (!auth_user_valid(user) || !auth_password_valid(password))
		return TT_ERR_INVAL;
	if (!hash_password(password, h))
		return TT_ERR_NOMEM;
	const char *t[] = {user, h};
	bool ok = exec(a, sql, t, 2, &now, 1, n);
	sodium_memzero(h, sizeof h);
	return ok ? TT_OK : TT_ERR_IO;
}

tt_err auth_staff_add(auth *a, const char *user, const char *password, const char *actor, int64_t now)
{
	int n;
	tt_err e = write_hash(a, "INSERT OR IGNORE INTO staff(user, hash, created, changed) VALUES(?1, ?2, ?3, ?3)",
	                      user, password, now, &n);
	if (e != TT_OK)
		return e;
	if (n == 0)
		return TT_ERR_STATE;
	return auth_audit(a, actor, "staff_add", "", user, now);
}

static void end_sessions(auth *a, const char *user)
{
	const char *t[] = {user};
	exec(a, "DELETE FROM staff_sessions WHERE user = ?1", t, 1, NULL, 0, NULL);
}

tt_err auth_staff_passwd(auth *a, const char *user, const char *password, const char *actor, int64_t now)
{
	int n;
	tt_err e = write_hash(a, "UPDATE staff SET hash = ?2, changed = ?3 WHERE user = ?1", user, password, now, &n);
	if (e != TT_OK)
		return e;
	if (n == 0)
		return TT_ERR_NOTFOUND;
	end_sessions(a, user);
	return auth_audit(a, actor, "staff_passwd", "", user, now);
}

tt_err auth_staff_enable(auth *a, const char *user, bool enabled, const char *actor, int64_t now)
{
	int n = 0;
	if (!auth_user_valid(user))
		return TT_ERR_INVAL;
	const char *t[] = {user};
	int64_t v[] = {enabled ? 0 : 1, now};
	if (!exec(a, "UPDATE staff SET disabled = ?2, changed = ?3 WHERE user = ?1", t, 1, v, 2, &n))
		return TT_ERR_IO;
	if (n == 0)
		return TT_ERR_NOTFOUND;
	if (!enabled)
		end_sessions(a, user);
	return auth_audit(a, actor, enabled ? "staff_enable" : "staff_disable", "", user, now);
}

tt_err auth_staff_list(auth *a, bool (*fn)(const auth_staff *s, void *ctx), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(a->db, "SELECT user, disabled, created, changed, last_login FROM staff ORDER BY user", -1,
	                       &st, NULL) != SQLITE_OK)
		return fail(a, "cannot list staff");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		auth_staff s = {0};
		snprintf(s.user, sizeof s.user, "%s", (const char *)sqlite3_column_text(st, 0));
		s.disabled = sqlite3_column_int(st, 1) != 0;
		s.created = sqlite3_column_int64(st, 2);
		s.changed = sqlite3_column_int64(st, 3);
		s.last_login = sqlite3_column_int64(st, 4);
		if (!fn(&s, ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TT_OK : fail(a, "cannot list staff");
}

/* --- lockout ------------------------------------------------------------------ */

/* Seconds key stays locked at now (0: not locked). */
static int64_t locked_for(auth *a, const char *key, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int64_t until = 0;
	if (sqlite3_prepare_v2(a->db, "SELECT locked_until FROM login_failures WHERE key = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			until = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return until > now ? until - now : 0;
}

/* Counts a failure for key; true if it locked the key now. */
static bool count_failure(auth *a, const char *key, int64_t now)
{
	const char *t[] = {key};
	int64_t v[] = {now, AUTH_LOCK_S, AUTH_LOCK_FAILS};
	/* a failure older than the window starts a new count */
	exec(a,
	     "INSERT INTO login_failures(key, fails, first, locked_until) VALUES(?1, 1, ?2, 0)"
	     " ON CONFLICT(key) DO UPDATE SET"
	     " fails = CASE WHEN first + ?3 <= ?2 OR locked_until > 0 THEN 1 ELSE fails + 1 END,"
	     " first = CASE WHEN first + ?3 <= ?2 OR locked_until > 0 THEN ?2 ELSE first END,"
	     " locked_until = 0",
	     t, 1, v, 2, NULL);
	int n = 0;
	exec(a, "UPDATE login_failures SET locked_until = ?2 + ?3, fails = 0 WHERE key = ?1 AND fails >= ?4", t, 1, v,
	     3, &n);
	return n > 0;
}

static void clear_failures(auth *a, const char *key)
{
	const char *t[] = {key};
	exec(a, "DELETE FROM login_failures WHERE key = ?1", t, 1, NULL, 0, NULL);
}

/* --- sessions ------------------------------------------------------------------- */

static void token(char out[AUTH_TOKEN_HEX + 1])
{
	unsigned char b[AUTH_TOKEN_HEX / 2];
	randombytes_buf(b, sizeof b);
	sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, b, sizeof b);
	sodium_memzero(b, sizeof b);
}

static bool token_hash(const char *sid, char out[AUTH_TOKEN_HEX + 1])
{
	unsigned char h[AUTH_TOKEN_HEX / 2];
	if (!sid || strlen(sid) != AUTH_TOKEN_HEX)
		return false;
	for (const char *p = sid; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	crypto_generichash(h, sizeof h, (const unsigned char *)sid, AUTH_TOKEN_HEX, NULL, 0);
	sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, h, sizeof h);
	return true;
}

auth_result auth_login(auth *a, const char *user, const char *password, const char *addr, int64_t now,
                       char sid[AUTH_TOKEN_HEX + 1], unsigned *retry_s)
{
	char ukey[AUTH_USER_MAX + 8], akey[128], stored[crypto_pwhash_STRBYTES] = "", hid[AUTH_TOKEN_HEX + 1];
	char csrf[AUTH_TOKEN_HEX + 1];
	bool known = false, disabled = false;
	const char *shown = auth_user_valid(user) ? user : "?";
	int64_t wait;

	sid[0] = '\0';
	if (retry_s)
		*retry_s = 0;
	snprintf(ukey, sizeof ukey, "user:%s", shown);
	snprintf(akey, sizeof akey, "addr:%s", addr ? addr : "?");
	wait = locked_for(a, ukey, now);
	if (!wait)
		wait = locked_for(a, akey, now);
	if (wait) {
		if (retry_s)
			*retry_s = (unsigned)wait;
		auth_audit(a, shown, "login_locked", "", addr, now);
		return AUTH_LOCKED;
	}

	if (auth_user_valid(user)) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(a->db, "SELECT hash, disabled FROM staff WHERE user = ?1", -1, &st, NULL) !=
		    SQLITE_OK) {
			fail(a, "cannot read staff");
			return AUTH_ERROR;
		}
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			known = true;
			snprintf(stored, sizeof stored, "%s", (const char *)sqlite3_column_text(st, 0));
			disabled = sqlite3_column_int(st, 1) != 0;
		}
		sqlite3_finalize(st);
	}
	if (!known) { /* the same cost as a real account */
		if (!a->dummy_hash[0] && !hash_password("tramtin-no-such-account", a->dummy_hash))
			return AUTH_ERROR;
		snprintf(stored, sizeof stored, "%s", a->dummy_hash);
	}
	bool match = password && strlen(password) <= AUTH_PASSWORD_MAX &&
	             crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
	sodium_memzero(stored, sizeof stored);
	if (!match || !known || disabled) {
		bool locked = known && count_failure(a, ukey, now);
		locked = count_failure(a, akey, now) || locked;
		auth_audit(a, shown, locked ? "login_lock" : "login_failed", "", addr, now);
		return AUTH_BAD;
	}
	clear_failures(a, ukey);
	clear_failures(a, akey);

	token(sid);
	token(csrf);
	token_hash(sid, hid);
	const char *t[] = {hid, user, csrf};
	int64_t v[] = {now};
	if (!exec(a, "INSERT INTO staff_sessions(id_hash, user, csrf, created, last_seen) VALUES(?1, ?2, ?3, ?4, ?4)", t,
	          3, v, 1, NULL)) {
		sodium_memzero(sid, AUTH_TOKEN_HEX + 1);
		return AUTH_ERROR;
	}
	const char *tu[] = {user};
	exec(a, "UPDATE staff SET last_login = ?2 WHERE user = ?1", tu, 1, v, 1, NULL);
	/* sessions long dead go now and then: here */
	int64_t old[] = {now - a->idle_s, now - AUTH_SESSION_MAX_S};
	exec(a, "DELETE FROM staff_sessions WHERE last_seen <= ?1 OR created <= ?2", NULL, 0, old, 2, NULL);
	auth_audit(a, user, "login", "", addr, now);
	return AUTH_OK;
}

bool auth_session_get(auth *a, const char *sid, int64_t now, auth_session *out)
{
	char hid[AUTH_TOKEN_HEX + 1];
	sqlite3_stmt *st = NULL;
	bool live = false;

	memset(out, 0, sizeof *out);
	if (!token_hash(sid, hid))
		return false;
	if (sqlite3_prepare_v2(a->db,
	                       "SELECT s.user, s.csrf, s.last_seen, s.created FROM staff_sessions s"
	                       " JOIN staff u ON u.user = s.user AND u.disabled = 0 WHERE s.id_hash = ?1",
	                       -1, &st, NULL) != SQLITE_OK) {
		fail(a, "cannot read sessions");
		return false;
	}
	sqlite3_bind_text(st, 1, hid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t seen = sqlite3_column_int64(st, 2), created = sqlite3_column_int64(st, 3);
		if (now - seen < a->idle_s && now - created < AUTH_SESSION_MAX_S && now >= seen - 60) {
			live = true;
			snprintf(out->user, sizeof out->user, "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(out->csrf, sizeof out->csrf, "%s", (const char *)sqlite3_column_text(st, 1));
		}
	}
	sqlite3_finalize(st);
	const char *t[] = {hid};
	if (live) {
		exec(a, "UPDATE staff_sessions SET last_seen = ?2 WHERE id_hash = ?1 AND last_seen < ?2", t, 1, &now, 1,
		     NULL);
	} else {
		exec(a, "DELETE FROM staff_sessions WHERE id_hash = ?1", t, 1, NULL, 0, NULL);
		memset(out, 0, sizeof *out);
	}
	return live;
}

void auth_logout(auth *a, const char *sid, int64_t now)
{
	char hid[AUTH_TOKEN_HEX + 1];
	auth_session s;
	if (!auth_session_get(a, sid, now, &s) || !token_hash(sid, hid))
		return;
	const char *t[] = {hid};
	exec(a, "DELETE FROM staff_sessions WHERE id_hash = ?1", t, 1, NULL, 0, NULL);
	auth_audit(a, s.user, "logout", "", NULL, now);
}

bool auth_csrf_ok(const auth_session *s, const char *given)
{
	return s && given && s->csrf[0] && strlen(given) == AUTH_TOKEN_HEX &&
	       sodium_memcmp(s->csrf, given, AUTH_TOKEN_HEX) == 0;
}

tt_err auth_audit_list(auth *a, int64_t before, size_t limit, bool (*fn)(const auth_audit_row *r, void *ctx),
                       void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(a->db,
	                       "SELECT seq, \"when\", actor, id, action, coalesce(detail, '') FROM audit"
	                       " WHERE ?1 = 0 OR seq < ?1 ORDER BY seq DESC LIMIT ?2",
	                       -1, &st, NULL) != SQLITE_OK)
		return fail(a, "cannot read the audit log");
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		auth_audit_row r = {
		    .seq = sqlite3_column_int64(st, 0),
		    .when = sqlite3_column_int64(st, 1),
		    .actor = (const char *)sqlite3_column_text(st, 2),
		    .id = (const char *)sqlite3_column_text(st, 3),
		    .action = (const char *)sqlite3_column_text(st, 4),
		    .detail = (const char *)sqlite3_column_text(st, 5),
		};
		if (!fn(&r, ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TT_OK : fail(a, "cannot read the audit log");
}
