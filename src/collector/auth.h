/* auth.h - the province's staff accounts, sessions, login lockout and the
 * audit log's reading side, in the collector's SQLite file (tables staff,
 * staff_sessions, login_failures and audit: store_sqlite.c, schema 3).
 *
 * Passwords: libsodium crypto_pwhash_str_alg (Argon2id, the interactive
 * limits); an unknown account costs the same verify as a known one.
 * Sessions: 32 random bytes (hex in the cookie), stored only as their
 * BLAKE2b hash, with a CSRF token of their own; a session ends after
 * idle_min minutes without a request, after AUTH_SESSION_MAX_S in all,
 * at logout, and when its account is disabled or its password changed.
 * Lockout: AUTH_LOCK_FAILS failed logins within AUTH_LOCK_S for one account
 * or from one address lock that account or address for AUTH_LOCK_S (no
 * password is checked meanwhile).  Times are passed in (UTC seconds) so
 * tests need no clock.  One auth is one connection, one thread at a time. */
#ifndef TRAMTIN_COLLECTOR_AUTH_H
#define TRAMTIN_COLLECTOR_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"

#define AUTH_USER_MAX      64
#define AUTH_PASSWORD_MIN  8
#define AUTH_PASSWORD_MAX  1024
#define AUTH_TOKEN_HEX     64 /* a session id or CSRF token: 32 bytes in hex */
#define AUTH_LOCK_FAILS    5
#define AUTH_LOCK_S        (15 * 60)
#define AUTH_SESSION_MAX_S (12 * 3600)

typedef struct auth auth;

/* Opens the store file path (the schema must exist: store_open_sqlite
 * first).  idle_min: the session idle timeout.  NULL with one line in err. */
auth *auth_open(const char *path, int idle_min, char *err, size_t errlen);
void auth_close(auth *a); /* accepts NULL */

/* A user name: 1..AUTH_USER_MAX of [a-z0-9._-], starting with a letter or digit. */
bool auth_user_valid(const char *user);
/* A password: AUTH_PASSWORD_MIN..AUTH_PASSWORD_MAX bytes of valid UTF-8, no control characters. */
bool auth_password_valid(const char *pw);

/* Accounts.  add: TT_ERR_STATE if the user exists; passwd, enable:
 * TT_ERR_NOTFOUND if not; TT_ERR_INVAL for a bad name or password.  Each
 * writes an audit line by actor (e.g. "cli:root"). */
tt_err auth_staff_add(auth *a, const char *user, const char *password, const char *actor, int64_t now);
tt_err auth_staff_passwd(auth *a, const char *user, const char *password, const char *actor, int64_t now);
tt_err auth_staff_enable(auth *a, const char *user, bool enabled, const char *actor, int64_t now);

typedef struct auth_staff {
	char user[AUTH_USER_MAX + 1];
	bool disabled;
	int64_t created, changed, last_login;
} auth_staff;
tt_err auth_staff_list(auth *a, bool (*fn)(const auth_staff *s, void *ctx), void *ctx);

typedef enum auth_result { AUTH_OK, AUTH_BAD, AUTH_LOCKED, AUTH_ERROR } auth_result;

/* Checks user's password from the client address addr (any string naming
 * it, e.g. its /64); AUTH_OK opens a session: its id in sid (for the
 * cookie).  AUTH_LOCKED: *retry_s until the lock ends.  A wrong password,
 * an unknown or disabled account all give AUTH_BAD.  Logged in the audit
 * (action "login", "login_failed", "locked"). */
auth_result auth_login(auth *a, const char *user, const char *password, const char *addr, int64_t now,
                       char sid[AUTH_TOKEN_HEX + 1], unsigned *retry_s);

typedef struct auth_session {
	char user[AUTH_USER_MAX + 1];
	char csrf[AUTH_TOKEN_HEX + 1];
} auth_session;

/* The session of sid, if it is live at now (and its account enabled):
 * true with out filled, and its idle clock restarted. */
bool auth_session_get(auth *a, const char *sid, int64_t now, auth_session *out);
/* Ends the session sid (a no-op for an unknown one). */
void auth_logout(auth *a, const char *sid, int64_t now);
/* Whether given is the session's CSRF token (constant time). */
bool auth_csrf_ok(const auth_session *s, const char *given);

/* Writes one audit line not tied to a submission (id ""), e.g. a login. */
tt_err auth_audit(auth *a, const char *actor, const char *action, const char *id, const char *detail, int64_t now);

typedef struct auth_audit_row {
	int64_t seq, when;
	const char *actor, *id, *action, *detail; /* valid during the call */
} auth_audit_row;
/* Calls fn for audit lines newest first, those with seq < before (0: from
 * the newest), at most limit (0: all). */
tt_err auth_audit_list(auth *a, int64_t before, size_t limit, bool (*fn)(const auth_audit_row *r, void *ctx),
                       void *ctx);

#endif
