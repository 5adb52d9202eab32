/* staff_cli.c - tramtin-collector staff ... and audit (staff_cli.h).
 *
 * Passwords come from standard input only (never argv, which other users
 * can read in /proc): a terminal is asked twice without echo, a pipe gives
 * its first line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "collector/auth.h"
#include "collector/report.h"
#include "collector/staff_cli.h"
#include "tramtin/clock.h"
#include "tramtin/store.h"

#define PROG "tramtin-collector"

static int usage_fail(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	fprintf(stderr, "usage: " PROG " staff add|passwd|disable|enable|list --db FILE [USER]\n"
	                "       " PROG " audit --db FILE [--limit N]\n");
	return 2;
}

/* One line of stdin into buf (no line end); false at EOF or if too long. */
static bool read_line(char *buf, size_t n)
{
	if (!fgets(buf, (int)n, stdin))
		return false;
	size_t len = strlen(buf);
	if (len && buf[len - 1] != '\n' && !feof(stdin))
		return false; /* longer than the buffer */
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return true;
}

static bool read_password(char *buf, size_t n)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	char again[AUTH_PASSWORD_MAX + 2];
	bool ok;

	if (!tty)
		return read_line(buf, n);
	tcgetattr(STDIN_FILENO, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fputs("Mật khẩu / Password: ", stderr);
	ok = read_line(buf, n);
	fputs("\nNhập lại / Again: ", stderr);
	ok = ok && read_line(again, sizeof again);
	fputc('\n', stderr);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (ok && strcmp(buf, again) != 0) {
		fprintf(stderr, PROG ": the two passwords differ\n");
		ok = false;
	}
	sodium_memzero(again, sizeof again);
	return ok;
}

static bool list_one(const auth_staff *s, void *ctx)
{
	char created[32], last[32] = "-";
	(void)ctx;
	report_fmt_local(s->created, created, sizeof created);
	if (s->last_login)
		report_fmt_local(s->last_login, last, sizeof last);
	printf("%-24s %-8s created %s  last login %s\n", s->user, s->disabled ? "disabled" : "active", created, last);
	return true;
}

static bool audit_one(const auth_audit_row *r, void *ctx)
{
	char when[32];
	(void)ctx;
	report_fmt_local(r->when, when, sizeof when);
	char *actor = report_clean(r->actor, false), *id = report_clean(r->id, false),
	     *action = report_clean(r->action, false), *detail = report_clean(r->detail, false);
	printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)r->seq, when, actor ? actor : "", id && *id ? id : "-",
	       action ? action : "", detail ? detail : "");
	free(actor);
	free(id);
	free(action);
	free(detail);
	return true;
}

bool staff_cli_handles(const char *name)
{
	return name && (!strcmp(name, "staff") || !strcmp(name, "audit"));
}

int staff_cli(int argc, char **argv)
{
	const char *db = NULL, *sub = NULL, *user = NULL;
	long limit = 0;
	char err[1024];
	int first = 1;
	bool audit = !strcmp(argv[0], "audit");

	if (!audit) {
		if (argc < 2)
			return usage_fail("staff: which? add, passwd, disable, enable or list");
		sub = argv[1];
		first = 2;
		if (strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "disable") && strcmp(sub, "enable") &&
		    strcmp(sub, "list")) {
			fprintf(stderr, PROG ": staff: unknown command \"%s\" (valid: add, passwd, disable, enable, list)\n",
			        sub);
			return 2;
		}
	}
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			db = argv[i] + 5;
		} else if (audit && !strcmp(argv[i], "--limit") && i + 1 < argc) {
			char *end;
			limit = strtol(argv[++i], &end, 10);
			if (*end || limit < 1) {
				fprintf(stderr, PROG ": audit: --limit: a number of lines (1 or more); got '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strncmp(argv[i], "--", 2)) {
			fprintf(stderr, PROG ": %s: unknown option %s\n", audit ? "audit" : "staff", argv[i]);
			return 2;
		} else if (!audit && !user && strcmp(sub, "list")) {
			user = argv[i];
		} else {
			fprintf(stderr, PROG ": %s: unexpected argument '%s'\n", audit ? "audit" : "staff", argv[i]);
			return 2;
		}
	}
	if (!db)
		return usage_fail(audit ? "audit: --db FILE is required" : "staff: --db FILE is required");
	if (!audit && strcmp(sub, "list") && !user)
		return usage_fail("staff: which user?");
	if (user && !auth_user_valid(user)) {
		fprintf(stderr,
		        PROG ": staff: user '%s': 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit\n",
		        user);
		return 2;
	}

	store *st = store_open_sqlite(db, err, sizeof err); /* creates or migrates the schema */
	if (!st) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	store_close(st);
	auth *a = auth_open(db, 30, err, sizeof err);
	if (!a) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	int rc = 0;
	tt_err e = TT_OK;
	int64_t now = clock_now();
	char actor[160];
	collector_cli_actor(actor, sizeof actor);
	if (audit) {
		e = auth_audit_list(a, 0, (size_t)limit, audit_one, NULL);
	} else if (!strcmp(sub, "list")) {
		e = auth_staff_list(a, list_one, NULL);
	} else if (!strcmp(sub, "add") || !strcmp(sub, "passwd")) {
		char pw[AUTH_PASSWORD_MAX + 2];
		if (!read_password(pw, sizeof pw)) {
			fprintf(stderr, PROG ": staff %s: no password on standard input (one line, at most %d bytes)\n", sub,
			        AUTH_PASSWORD_MAX);
			rc = 2;
		} else if (!auth_password_valid(pw)) {
			fprintf(stderr,
			        PROG ": staff %s: the password must have %d to %d bytes of UTF-8 text without control "
			             "characters\n",
			        sub, AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
			rc = 2;
		} else {
			e = !strcmp(sub, "add") ? auth_staff_add(a, user, pw, actor, now) : auth_staff_passwd(a, user, pw, actor, now);
		}
		sodium_memzero(pw, sizeof pw);
	} else {
		e = auth_staff_enable(a, user, !strcmp(sub, "enable"), actor, now);
	}
	if (!rc && e == TT_ERR_STATE) {
		fprintf(stderr, PROG ": staff add: user '%s' exists already (staff passwd to change the password)\n", user);
		rc = 1;
	} else if (!rc && e == TT_ERR_NOTFOUND) {
		fprintf(stderr, PROG ": staff %s: no user '%s' in %s\n", sub, user, db);
		rc = 1;
	} else if (!rc && e != TT_OK) {
		fprintf(stderr, PROG ": %s: cannot %s: %s\n", db, audit ? "read the audit log" : "change staff",
		        tt_strerror(e));
		rc = 1;
	} else if (!rc && !audit && strcmp(sub, "list")) {
		fprintf(stderr, PROG ": staff %s %s: done\n", sub, user);
	}
	auth_close(a);
	if (fflush(stdout) != 0 && !rc)
		rc = 1;
	return rc;
}
