/* test_auth.c - staff accounts and sessions (src/collector/auth.c) on a
 * real SQLite file: Argon2id hash and verify, session idle expiry and
 * the absolute limit, CSRF tokens, lockout per account and per address,
 * disabling and password changes ending sessions, the audit lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/auth.h"
#include "tramtin/store.h"

#define T0 1795000000
#define PW "mật-khẩu-đủ-dài"

static char db[256];

static auth *fresh(int idle_min)
{
	char err[256];
	snprintf(db, sizeof db, "/tmp/test_auth_%d.db", (int)getpid());
	unlink(db);
	char wal[300];
	snprintf(wal, sizeof wal, "%s-wal", db);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", db);
	unlink(wal);
	store *s = store_open_sqlite(db, err, sizeof err);
	assert_non_null(s);
	store_close(s);
	auth *a = auth_open(db, idle_min, err, sizeof err);
	assert_non_null(a);
	return a;
}

static void done(auth *a)
{
	auth_close(a);
	unlink(db);
}

static void names_and_passwords(void **state)
{
	(void)state;
	assert_true(auth_user_valid("alice"));
	assert_true(auth_user_valid("nguyen.van-a_1"));
	assert_false(auth_user_valid(""));
	assert_false(auth_user_valid("Alice"));
	assert_false(auth_user_valid(".hidden"));
	assert_false(auth_user_valid("a b"));
	assert_true(auth_password_valid(PW));
	assert_false(auth_password_valid("short"));
	assert_false(auth_password_valid("has\ttab-in-it"));
	assert_false(auth_password_valid("bad\xff utf8 here"));
}

/* Stored as an Argon2id string, never in clear; verify works both ways. */
static void hash_and_verify(void **state)
{
	(void)state;
	auth *a = fresh(30);
	char sid[AUTH_TOKEN_HEX + 1];
	unsigned retry;
	assert_int_equal(auth_staff_add(a, "alice", PW, "cli:test", T0), TT_OK);
	assert_int_equal(auth_staff_add(a, "alice", PW, "cli:test", T0), TT_ERR_STATE);
	assert_int_equal(auth_staff_add(a, "bob", "short", "cli:test", T0), TT_ERR_INVAL);

	sqlite3 *d;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(d, "SELECT hash FROM staff WHERE user = 'alice'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const char *h = (const char *)sqlite3_column_text(st, 0);
	assert_true(strncmp(h, "$argon2id$", 10) == 0);
	assert_null(strstr(h, PW));
	sqlite3_finalize(st);
	sqlite3_close(d);

	assert_int_equal(auth_login(a, "alice", "wrong-password", "10.0.0.1", T0, sid, &retry), AUTH_BAD);
	assert_string_equal(sid, "");
	assert_int_equal(auth_login(a, "nobody", PW, "10.0.0.1", T0, sid, &retry), AUTH_BAD);
	assert_int_equal(auth_login(a, "alice", PW, "10.0.0.1", T0, sid, &retry), AUTH_OK);
	assert_int_equal(strlen(sid), AUTH_TOKEN_HEX);

	/* a new password: the old one fails, sessions end */
	assert_int_equal(auth_staff_passwd(a, "alice", "another-password", "cli:test", T0 + 1), TT_OK);
	auth_session s;
	assert_false(auth_session_get(a, sid, T0 + 2, &s));
	assert_int_equal(auth_login(a, "alice", PW, "10.0.0.1", T0 + 3, sid, &retry), AUTH_BAD);
	assert_int_equal(auth_login(a, "alice", "another-password", "10.0.0.1", T0 + 3, sid, &retry), AUTH_OK);
	assert_int_equal(auth_staff_passwd(a, "nobody", "another-password", "cli:test", T0), TT_ERR_NOTFOUND);
	done(a);
}

static void sessions_expire(void **state)
{
	(void)state;
	auth *a = fresh(30);
	char sid[AUTH_TOKEN_HEX + 1], sid2[AUTH_TOKEN_HEX + 1];
	unsigned retry;
	auth_session s;
	assert_int_equal(auth_staff_add(a, "alice", PW, "cli:test", T0), TT_OK);
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0, sid, &retry), AUTH_OK);
	assert_true(auth_session_get(a, sid, T0 + 29 * 60, &s));
	assert_string_equal(s.user, "alice");
	/* each request restarts the idle clock */
	assert_true(auth_session_get(a, sid, T0 + 58 * 60, &s));
	assert_false(auth_session_get(a, sid, T0 + 88 * 60 + 1, &s));
	assert_false(auth_session_get(a, sid, T0 + 58 * 60 + 1, &s)); /* gone for good */

	/* the absolute limit, however busy */
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0, sid, &retry), AUTH_OK);
	for (int64_t t = T0; t < T0 + AUTH_SESSION_MAX_S - 600; t += 20 * 60)
		assert_true(auth_session_get(a, sid, t, &s));
	assert_false(auth_session_get(a, sid, T0 + AUTH_SESSION_MAX_S, &s));

	/* ids are the cookie's; anything else is no session; logout ends it */
	assert_false(auth_session_get(a, "", T0, &s));
	assert_false(auth_session_get(a, "zz", T0, &s));
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0, sid, &retry), AUTH_OK);
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0, sid2, &retry), AUTH_OK);
	assert_string_not_equal(sid, sid2);
	auth_logout(a, sid, T0 + 1);
	assert_false(auth_session_get(a, sid, T0 + 2, &s));
	assert_true(auth_session_get(a, sid2, T0 + 2, &s));
	/* disabling an account ends its sessions and its logins */
	assert_int_equal(auth_staff_enable(a, "alice", false, "cli:test", T0 + 3), TT_OK);
	assert_false(auth_session_get(a, sid2, T0 + 4, &s));
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0 + 5, sid, &retry), AUTH_BAD);
	assert_int_equal(auth_staff_enable(a, "alice", true, "cli:test", T0 + 6), TT_OK);
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0 + 7, sid, &retry), AUTH_OK);
	done(a);
}

static void csrf_tokens(void **state)
{
	(void)state;
	auth *a = fresh(30);
	char sid[AUTH_TOKEN_HEX + 1], sid2[AUTH_TOKEN_HEX + 1];
	unsigned retry;
	auth_session s, s2;
	assert_int_equal(auth_staff_add(a, "alice", PW, "cli:test", T0), TT_OK);
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0, sid, &retry), AUTH_OK);
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0, sid2, &retry), AUTH_OK);
	assert_true(auth_session_get(a, sid, T0, &s));
	assert_true(auth_session_get(a, sid2, T0, &s2));
	assert_int_equal(strlen(s.csrf), AUTH_TOKEN_HEX);
	assert_string_not_equal(s.csrf, sid); /* not the cookie */
	assert_true(auth_csrf_ok(&s, s.csrf));
	assert_false(auth_csrf_ok(&s, s2.csrf)); /* another session's */
	assert_false(auth_csrf_ok(&s, NULL));
	assert_false(auth_csrf_ok(&s, ""));
	char cut[AUTH_TOKEN_HEX + 1];
	snprintf(cut, sizeof cut, "%s", s.csrf);
	cut[AUTH_TOKEN_HEX - 1] = cut[AUTH_TOKEN_HEX - 1] == '0' ? '1' : '0';
	assert_false(auth_csrf_ok(&s, cut));
	done(a);
}

static void lockout(void **state)
{
	(void)state;
	auth *a = fresh(30);
	char sid[AUTH_TOKEN_HEX + 1];
	unsigned retry = 0;
	assert_int_equal(auth_staff_add(a, "alice", PW, "cli:test", T0), TT_OK);
	assert_int_equal(auth_staff_add(a, "bob", PW, "cli:test", T0), TT_OK);

	/* per account: 5 failures from 5 addresses lock alice, not bob */
	char addr[16];
	for (int i = 0; i < AUTH_LOCK_FAILS; i++) {
		snprintf(addr, sizeof addr, "10.0.0.%d", i);
		assert_int_equal(auth_login(a, "alice", "wrong-password", addr, T0 + i, sid, &retry), AUTH_BAD);
	}
	assert_int_equal(auth_login(a, "alice", PW, "10.9.9.9", T0 + 10, sid, &retry), AUTH_LOCKED);
	assert_true(retry > 0 && retry <= AUTH_LOCK_S);
	assert_int_equal(auth_login(a, "bob", PW, "10.9.9.9", T0 + 10, sid, &retry), AUTH_OK);
	/* the lock ends after AUTH_LOCK_S */
	assert_int_equal(auth_login(a, "alice", PW, "10.9.9.9", T0 + 4 + AUTH_LOCK_S, sid, &retry), AUTH_OK);

	/* per address: 5 failures on different (even unknown) accounts */
	for (int i = 0; i < AUTH_LOCK_FAILS; i++) {
		char user[16];
		snprintf(user, sizeof user, "guess%d", i);
		assert_int_equal(auth_login(a, user, "wrong-password", "192.0.2.7", T0 + 2000 + i, sid, &retry),
		                 AUTH_BAD);
	}
	assert_int_equal(auth_login(a, "bob", PW, "192.0.2.7", T0 + 2010, sid, &retry), AUTH_LOCKED);
	assert_int_equal(auth_login(a, "bob", PW, "192.0.2.8", T0 + 2010, sid, &retry), AUTH_OK);

	/* failures spread wider than the window do not add up */
	for (int i = 0; i < 2 * AUTH_LOCK_FAILS; i++)
		assert_int_equal(
		    auth_login(a, "bob", "wrong-password", "198.51.100.1", T0 + 5000 + i * (AUTH_LOCK_S / 4 + 1), sid,
		               &retry),
		    AUTH_BAD);
	/* a success clears the count */
	assert_int_equal(auth_login(a, "bob", PW, "198.51.100.2", T0 + 90000, sid, &retry), AUTH_OK);
	done(a);
}

static bool count_row(const auth_audit_row *r, void *ctx)
{
	char *seen = ctx;
	strcat(seen, r->action);
	strcat(seen, ",");
	return true;
}

static void audit_lines(void **state)
{
	(void)state;
	auth *a = fresh(30);
	char sid[AUTH_TOKEN_HEX + 1], seen[512] = "";
	unsigned retry;
	assert_int_equal(auth_staff_add(a, "alice", PW, "cli:test", T0), TT_OK);
	assert_int_equal(auth_login(a, "alice", "wrong-password", "a1", T0 + 1, sid, &retry), AUTH_BAD);
	assert_int_equal(auth_login(a, "alice", PW, "a1", T0 + 2, sid, &retry), AUTH_OK);
	auth_logout(a, sid, T0 + 3);
	assert_int_equal(auth_audit_list(a, 0, 0, count_row, seen), TT_OK);
	assert_string_equal(seen, "logout,login,login_failed,staff_add,");
	seen[0] = '\0';
	assert_int_equal(auth_audit_list(a, 0, 2, count_row, seen), TT_OK);
	assert_string_equal(seen, "logout,login,");
	done(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_and_passwords), cmocka_unit_test(hash_and_verify), cmocka_unit_test(sessions_expire),
	    cmocka_unit_test(csrf_tokens),         cmocka_unit_test(lockout),         cmocka_unit_test(audit_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
