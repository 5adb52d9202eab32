/* cli.c - tramtin-collector's command line over its database: list,
 * show, respond, set-status, export and report (cli.h).
 *
 * Each subcommand is a row in a table: its name, the options it takes, how
 * many positional arguments, and a function.  Arguments are parsed once
 * into struct args (options as --name VALUE or --name=VALUE, in any order
 * around the positionals), checked (status, kind and outcome names, dates,
 * numbers) and turned into a store_filter before the store is opened, so
 * a typo costs nothing and is named on one line with exit status 2.  The
 * store itself does the work: store_list streams records newest first
 * (so a million rows never sit in memory), store_update applies the
 * lifecycle, store_report counts.  Output is for people and for programs:
 * tables that align by display width (utf8proc's character widths, so
 * "Phản ánh về thông báo" takes 21 columns, not its 29 bytes), JSON and
 * CSV for programs.  Everything that came from a citizen is cleaned before
 * it reaches a terminal (control characters, bidi overrides and invalid
 * UTF-8 become U+FFFD), and written escaped into JSON, CSV and HTML.
 * Privacy: a contact leaves the collector only in an explicit export with
 * --with-contact (never in Open311), and an anonymous complaint's times
 * are shown as days, as its kiosk sent them.  Files are written beside
 * their target and renamed into place, exports readable by the owner
 * only.  Local dates are Vietnam's (UTC+7, no daylight saving). */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "cli.h"
#include "collector/report.h"
#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "tramtin/store.h"
#include "tramtin/text.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define PROG              "tramtin-collector"
#define EXIT_FAIL         1
#define EXIT_USAGE        2
#define DAY               86400
#define TZ                CLOCK_TZ_VN_MIN
#define MAX_TEXT          (64u << 10) /* an answer read from a file */
#define TABLE_BUFFER      1000        /* rows measured before a table is printed */

/* --- messages ------------------------------------------------------------- */

static int fail(int status, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Prints "tramtin-collector: ..." on stderr; returns status. */
static int fail(int status, const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* Shared with the staff pages (report.h). */
#define kind_labels     report_kind_labels
#define category_labels report_category_labels
#define status_labels   report_status_labels
#define outcome_labels  report_outcome_labels
#define find_label      report_find_label
#define clean           report_clean
#define fmt_date        report_fmt_date
#define fmt_date_vi     report_fmt_date_vi
#define fmt_local       report_fmt_local
#define row_label       report_row_label
#define fmt_avg         report_fmt_avg
#define days_late       report_days_late
#define N_OF(a)         (sizeof(a) / sizeof((a)[0]))

/* --- text for terminals ------------------------------------------------------ */

/* Terminal columns of clean text (combining marks take none). */
static int display_width(const char *s)
{
	size_t len = strlen(s), pos = 0;
	int w = 0;
	while (pos < len) {
		int32_t cp = text_decode(s, len, &pos);
		int cw = cp < 0 ? 1 : utf8proc_charwidth(cp);
		w += cw > 0 ? cw : 0;
	}
	return w;
}

/* Prints s in exactly w columns (cut with an ellipsis if wider). */
static void put_cell(FILE *f, const char *s, int w, bool right, bool last)
{
	int sw = display_width(s);
	if (sw <= w) {
		if (right)
			fprintf(f, "%*s", w - sw, "");
		fputs(s, f);
		if (!right && !last)
			fprintf(f, "%*s", w - sw, "");
		return;
	}
	size_t len = strlen(s), pos = 0;
	int used = 0;
	while (pos < len) {
		size_t start = pos;
		int32_t cp = text_decode(s, len, &pos);
		int cw = cp < 0 ? 1 : utf8proc_charwidth(cp);
		cw = cw > 0 ? cw : 0;
		if (used + cw > w - 1) {
			pos = start;
			break;
		}
		fwrite(s + start, 1, pos - start, f);
		used += cw;
	}
	fputs("…", f);
	if (!last)
		fprintf(f, "%*s", w - 1 - used, "");
}

/* --- tables --------------------------------------------------------------------- */

#define MAX_COLS 10

/* A table measured on its first rows: up to TABLE_BUFFER rows are kept to
 * size the columns, then printed; later rows use those widths. */
struct table {
	FILE *out;
	int ncols;
	const char *head[MAX_COLS];
	bool right[MAX_COLS];
	int max[MAX_COLS]; /* widest a column may grow, 0: no limit */
	int width[MAX_COLS];
	char **cells; /* rows * ncols, cleaned, owned */
	size_t rows, cap;
	bool sized, failed;
};

static void table_init(struct table *t, FILE *out, int ncols, const char *const *head)
{
	memset(t, 0, sizeof *t);
	t->out = out;
	t->ncols = ncols;
	for (int i = 0; i < ncols; i++)
		t->head[i] = head[i];
}

static void table_print_row(struct table *t, char *const *cells)
{
	int last = t->ncols - 1;
	while (last > 0 && !t->right[last] && !*cells[last])
		last--; /* no trailing blanks */
	for (int c = 0; c <= last; c++) {
		put_cell(t->out, cells[c], t->width[c], t->right[c], c == last);
		if (c < last)
			fputs("  ", t->out);
	}
	fputc('\n', t->out);
}

static void table_flush(struct table *t)
{
	if (!t->sized) {
		for (int c = 0; c < t->ncols; c++) {
			int w = display_width(t->head[c]);
			for (size_t r = 0; r < t->rows; r++) {
				int cw = display_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
				w = cw > w ? cw : w;
			}
			t->width[c] = t->max[c] && w > t->max[c] ? t->max[c] : w;
		}
		t->sized = true;
		table_print_row(t, (char *const *)t->head);
	}
	for (size_t r = 0; r < t->rows; r++) {
		table_print_row(t, &t->cells[r * (size_t)t->ncols]);
		for (int c = 0; c < t->ncols; c++)
			free(t->cells[r * (size_t)t->ncols + (size_t)c]);
	}
	t->rows = 0;
}

/* Adds a row (cells copied, cleaned).  False: out of memory. */
static bool table_add(struct table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, ncap * (size_t)t->ncols * sizeof *p);
		if (!p)
			return !(t->failed = true);
		t->cells = p;
		t->cap = ncap;
	}
	char **row = &t->cells[t->rows * (size_t)t->ncols];
	for (int c = 0; c < t->ncols; c++) {
		if (!(row[c] = clean(cells[c] ? cells[c] : "", false))) {
			while (c-- > 0)
				free(row[c]);
			return !(t->failed = true);
		}
	}
	t->rows++;
	if (t->rows >= TABLE_BUFFER)
		table_flush(t);
	return true;
}

static void table_end(struct table *t)
{
	table_flush(t);
	free(t->cells);
	t->cells = NULL;
}

/* --- times --------------------------------------------------------------------------- */

static int64_t floor_mod(int64_t a, int64_t m)
{
	int64_t r = a % m;
	return r < 0 ? r + m : r;
}

/* ISO 8601 with seconds: UTC ("Z") if tz_min is 0, else with its offset. */
static void fmt_iso(int64_t t, int tz_min, char *out, size_t n)
{
	int y, mo, d, h, mi;
	clock_civil(t, tz_min, &y, &mo, &d, &h, &mi, NULL);
	int s = (int)floor_mod(t, 60);
	if (tz_min == 0)
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
	else
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, mo, d, h, mi, s, tz_min < 0 ? '-' : '+',
		         abs(tz_min) / 60, abs(tz_min) % 60);
}

/* A time of r as it may be shown: for an anonymous complaint, times that
 * tell when it was sent (its receipt, the acceptance deadline counted
 * from it, the update time until staff touch it) only as their day (UTC,
 * as the kiosk rounds created).  Deadlines shown as dates need not be. */
static int64_t anon_day(const store_record *r, int64_t t)
{
	return t && store_is_anonymous(r) ? t - floor_mod(t, DAY) : t;
}

static int64_t shown_received(const store_record *r)
{
	return anon_day(r, r->received);
}

static int64_t shown_updated(const store_record *r)
{
	return r->updated == r->received ? anon_day(r, r->updated) : r->updated;
}

static int64_t shown_accept_due(const store_record *r)
{
	return anon_day(r, r->accept_due);
}

/* The deadline that applies, as it may be shown. */
static int64_t shown_due(const store_record *r)
{
	return r->settle_due ? r->settle_due : shown_accept_due(r);
}

/* --- arguments ------------------------------------------------------------------------ */

enum opt {
	O_DB,
	O_JSON,
	O_COMMUNE,
	O_KIOSK,
	O_KIND,
	O_CATEGORY,
	O_STATUS,
	O_FROM,
	O_TO,
	O_OVERDUE,
	O_LIMIT,
	O_AFTER,
	O_TEXT,
	O_TEXT_FILE,
	O_REASON,
	O_AGENCY,
	O_OUTCOME,
	O_COMPLEX,
	O_NOT_COMPLEX,
	O_FORMAT,
	O_OUT,
	O_WITH_CONTACT,
	O_EXCEL,
	O_HTML,
	O_HELP,
	O__COUNT
};

static const struct {
	const char *name;
	bool value;
} options[O__COUNT] = {
    [O_DB] = {"db", true},
    [O_JSON] = {"json", false},
    [O_COMMUNE] = {"commune", true},
    [O_KIOSK] = {"kiosk", true},
    [O_KIND] = {"kind", true},
    [O_CATEGORY] = {"category", true},
    [O_STATUS] = {"status", true},
    [O_FROM] = {"from", true},
    [O_TO] = {"to", true},
    [O_OVERDUE] = {"overdue", false},
    [O_LIMIT] = {"limit", true},
    [O_AFTER] = {"after", true},
    [O_TEXT] = {"text", true},
    [O_TEXT_FILE] = {"text-file", true},
    [O_REASON] = {"reason", true},
    [O_AGENCY] = {"agency", true},
    [O_OUTCOME] = {"outcome", true},
    [O_COMPLEX] = {"complex", false},
    [O_NOT_COMPLEX] = {"not-complex", false},
    [O_FORMAT] = {"format", true},
    [O_OUT] = {"out", true},
    [O_WITH_CONTACT] = {"with-contact", false},
    [O_EXCEL] = {"excel", false},
    [O_HTML] = {"html", true},
    [O_HELP] = {"help", false},
};

#define OPT(o) (1ul << (o))
#define FILTERS                                                                                                        \
	(OPT(O_COMMUNE) | OPT(O_KIOSK) | OPT(O_KIND) | OPT(O_CATEGORY) | OPT(O_STATUS) | OPT(O_FROM) | OPT(O_TO) |     \
	 OPT(O_OVERDUE))

struct args {
	const char *cmd;
	const char *val[O__COUNT]; /* an option's value ("" for a flag), NULL if not given */
	const char *pos[3];
	int npos;
	store_filter f;
	int64_t now;
	store *st;
};

struct command {
	const char *name;
	int (*run)(struct args *a);
	unsigned long opts;
	int min_pos, max_pos;
	const char *usage;
};

static int cmd_list(struct args *a);
static int cmd_show(struct args *a);
static int cmd_respond(struct args *a);
static int cmd_set_status(struct args *a);
static int cmd_export(struct args *a);
static int cmd_report(struct args *a);

static const struct command commands[] = {
    {"list", cmd_list, FILTERS | OPT(O_JSON) | OPT(O_LIMIT) | OPT(O_AFTER), 0, 0,
     "list --db FILE [filters] [--limit N] [--after ID] [--json]"},
    {"show", cmd_show, 0, 1, 1, "show --db FILE ID"},
    {"respond", cmd_respond, OPT(O_TEXT) | OPT(O_TEXT_FILE) | OPT(O_STATUS), 1, 1,
     "respond --db FILE ID --text TEXT | --text-file FILE [--status S]"},
    {"set-status", cmd_set_status, OPT(O_REASON) | OPT(O_AGENCY) | OPT(O_OUTCOME) | OPT(O_COMPLEX) | OPT(O_NOT_COMPLEX),
     1, 2, "set-status --db FILE ID [STATUS] [--reason R] [--agency A] [--outcome O] [--complex|--not-complex]"},
    {"export", cmd_export, FILTERS | OPT(O_FORMAT) | OPT(O_OUT) | OPT(O_WITH_CONTACT) | OPT(O_EXCEL), 0, 0,
     "export --db FILE [--format csv|json|open311] [--out FILE] [--with-contact] [--excel] [filters]"},
    {"report", cmd_report, OPT(O_FROM) | OPT(O_TO) | OPT(O_HTML), 0, 0,
     "report --db FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--html FILE]"},
};

static const char *const kinds[] = {"feedback", "complaint", "objection", "survey"};

bool collector_cli_handles(const char *name)
{
	for (size_t i = 0; name && i < N_OF(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return true;
	return false;
}

#define FILTER_HELP                                                                                                    \
	"filters: --commune C --kiosk K --kind K --category C --status S --from YYYY-MM-DD --to YYYY-MM-DD\n"          \
	"         --overdue (dates are local, both days included)\n"

void collector_cli_usage(FILE *f)
{
	for (size_t i = 0; i < N_OF(commands); i++)
		fprintf(f, "%s %s %s\n", i ? "      " : "usage:", PROG, commands[i].usage);
	fputs(FILTER_HELP, f);
}

/* "a, b, c" of a list of names, for messages. */
static void join_names(char *out, size_t n, const char *const *names, size_t count)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < count && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", names[i]);
}

static int bad_status(const struct args *a, const char *what, const char *value)
{
	const char *names[ST__COUNT];
	char list[256];
	for (int i = 0; i < ST__COUNT; i++)
		names[i] = store_status_name((store_status)i);
	join_names(list, sizeof list, names, ST__COUNT);
	return fail(EXIT_USAGE, "%s: unknown %s \"%s\" (valid: %s)", a->cmd, what, value, list);
}

static int parse_status(const struct args *a, const char *what, const char *value, store_status *out)
{
	return store_status_parse(value, out) ? 0 : bad_status(a, what, value);
}

/* A local date (or date and time) for --from / --to; a plain --to date
 * includes its whole day. */
static int parse_day(const struct args *a, enum opt o, int64_t *out)
{
	const char *v = a->val[o];
	if (!clock_parse(v, TZ, out))
		return fail(EXIT_USAGE, "%s: --%s \"%s\" is not a date (YYYY-MM-DD)", a->cmd, options[o].name, v);
	if (o == O_TO && strlen(v) == 10)
		*out += DAY;
	return 0;
}

/* The filter options into a->f.  0, or the exit status. */
static int parse_filters(struct args *a)
{
	int rc;
	store_status st;

	store_filter_init(&a->f);
	a->f.commune = a->val[O_COMMUNE];
	a->f.kiosk = a->val[O_KIOSK];
	a->f.category = a->val[O_CATEGORY];
	a->f.overdue_only = a->val[O_OVERDUE] != NULL;
	if ((a->f.kind = a->val[O_KIND])) {
		size_t i;
		for (i = 0; i < N_OF(kinds) && strcmp(kinds[i], a->f.kind) != 0; i++)
			;
		if (i == N_OF(kinds)) {
			char list[128];
			join_names(list, sizeof list, kinds, N_OF(kinds));
			return fail(EXIT_USAGE, "%s: unknown kind \"%s\" (valid: %s)", a->cmd, a->f.kind, list);
		}
	}
	if (a->val[O_STATUS]) {
		if ((rc = parse_status(a, "status", a->val[O_STATUS], &st)))
			return rc;
		a->f.status = (int)st;
	}
	if (a->val[O_FROM] && (rc = parse_day(a, O_FROM, &a->f.from)))
		return rc;
	if (a->val[O_TO] && (rc = parse_day(a, O_TO, &a->f.to)))
		return rc;
	if (a->f.from && a->f.to && a->f.to <= a->f.from)
		return fail(EXIT_USAGE, "%s: --to %s is before --from %s", a->cmd, a->val[O_TO], a->val[O_FROM]);
	if (a->val[O_LIMIT]) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(a->val[O_LIMIT], &end, 10);
		if (errno || end == a->val[O_LIMIT] || *end || n == 0 || a->val[O_LIMIT][0] == '-' || n > SIZE_MAX)
			return fail(EXIT_USAGE, "%s: --limit \"%s\" is not a positive number", a->cmd, a->val[O_LIMIT]);
		a->f.limit = (size_t)n;
	}
	a->f.after_id = a->val[O_AFTER];
	return 0;
}

/* Splits argv into options and positionals for command c.  0 or the exit
 * status (help printed: -1 mapped to 0 by the caller). */
static int parse_args(const struct command *c, int argc, char **argv, struct args *a)
{
	bool options_end = false;
	unsigned long allowed = c->opts | OPT(O_DB) | OPT(O_HELP);

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!options_end && strcmp(arg, "--") == 0) {
			options_end = true;
			continue;
		}
		if (!options_end && strcmp(arg, "-h") == 0)
			arg = "--help";
		if (options_end || arg[0] != '-' || arg[1] != '-') {
			if (!options_end && arg[0] == '-' && arg[1])
				return fail(EXIT_USAGE, "%s: unknown option %s (see %s %s --help)", c->name, arg, PROG,
				            c->name);
			if (a->npos >= c->max_pos)
				return fail(EXIT_USAGE, "%s: unexpected argument \"%s\" (see %s %s --help)", c->name,
				            arg, PROG, c->name);
			a->pos[a->npos++] = arg;
			continue;
		}
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		int o;
		for (o = 0; o < O__COUNT; o++)
			if (strlen(options[o].name) == len && strncmp(options[o].name, name, len) == 0)
				break;
		if (o == O__COUNT || !(allowed & OPT(o)))
			return fail(EXIT_USAGE, "%s: unknown option --%.*s (see %s %s --help)", c->name, (int)len, name,
			            PROG, c->name);
		if (!options[o].value) {
			if (eq)
				return fail(EXIT_USAGE, "%s: --%s takes no value", c->name, options[o].name);
			a->val[o] = "";
		} else if (eq) {
			a->val[o] = eq + 1;
		} else if (i + 1 < argc) {
			a->val[o] = argv[++i];
		} else {
			return fail(EXIT_USAGE, "%s: --%s needs a value", c->name, options[o].name);
		}
	}
	if (a->val[O_HELP]) {
		printf("usage: %s %s\n", PROG, c->usage);
		if (c->opts & OPT(O_COMMUNE))
			fputs(FILTER_HELP, stdout);
		return -1;
	}
	if (!a->val[O_DB] || !*a->val[O_DB])
		return fail(EXIT_USAGE, "%s: --db FILE is required (see %s %s --help)", c->name, PROG, c->name);
	if (a->npos < c->min_pos)
		return fail(EXIT_USAGE, "%s: the submission ID is missing (see %s %s --help)", c->name, PROG, c->name);
	return 0;
}

/* Opens --db, which must exist: the command line never makes a new,
 * empty store by mistake.  0 or the exit status. */
static int open_store(struct args *a)
{
	char err[512];
	struct stat sb;
	const char *path = a->val[O_DB];

	if (stat(path, &sb) != 0)
		return fail(EXIT_USAGE, "%s: %s", path, tt_strerrno(errno));
	if (!S_ISREG(sb.st_mode))
		return fail(EXIT_USAGE, "%s: not a file", path);
	if (!(a->st = store_open_sqlite(path, err, sizeof err)))
		return fail(EXIT_USAGE, "%s", err);
	return 0;
}

static int not_found(const struct args *a, const char *id)
{
	char *c = clean(id, false);
	int rc = fail(EXIT_FAIL, "no submission %s in %s", c ? c : "?", a->val[O_DB]);
	free(c);
	return rc;
}

/* --- output files --------------------------------------------------------------------- */

/* A file written beside its target and renamed over it when complete, so
 * a reader never sees half an export; or stdout. */
struct outfile {
	FILE *f;
	const char *path; /* NULL: stdout */
	char *tmp;
};

static int out_open(struct outfile *o, const char *path, mode_t mode)
{
	memset(o, 0, sizeof *o);
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	size_t n = strlen(path) + 16;
	int fd;
	if (!(o->tmp = malloc(n)))
		return fail(EXIT_FAIL, "%s: out of memory", path);
	snprintf(o->tmp, n, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(o->tmp)) < 0) {
		int rc = fail(EXIT_FAIL, "%s: %s", path, tt_strerrno(errno));
		free(o->tmp);
		o->tmp = NULL;
		return rc;
	}
	fchmod(fd, mode);
	if (!(o->f = fdopen(fd, "w"))) {
		int rc = fail(EXIT_FAIL, "%s: %s", path, tt_strerrno(errno));
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return rc;
	}
	o->path = path;
	return 0;
}

/* Finishes the file (ok false: throws it away).  0 or the exit status. */
static int out_close(struct outfile *o, bool ok)
{
	int rc = 0;
	if (!o->f)
		return 0;
	if (!o->path) {
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = fail(EXIT_FAIL, "standard output: %s", tt_strerrno(errno));
		o->f = NULL;
		return ok ? rc : EXIT_FAIL;
	}
	bool written = ok && fflush(o->f) == 0 && !ferror(o->f) && fsync(fileno(o->f)) == 0;
	int err = errno;
	if (fclose(o->f) != 0 && written) {
		written = false;
		err = errno;
	}
	o->f = NULL;
	if (written && rename(o->tmp, o->path) != 0) {
		written = false;
		err = errno;
	}
	if (!written) {
		unlink(o->tmp);
		if (ok)
			rc = fail(EXIT_FAIL, "%s: %s", o->path, tt_strerrno(err));
		else
			rc = EXIT_FAIL;
	}
	free(o->tmp);
	o->tmp = NULL;
	return rc;
}

/* --- list ------------------------------------------------------------------------------ */

/* Whether r's deadline still matters: it waits on the authority and has
 * one (overdue at the end of time). */
static bool due_matters(const store_record *r)
{
	return store_is_overdue(r, INT64_MAX);
}

/* The fields every listing shares, as JSON; NULL out of memory. */
static cJSON *summary_json(const store_record *r)
{
	char t[40];
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	bool ok = cJSON_AddStringToObject(o, "id", r->id) && cJSON_AddStringToObject(o, "kiosk", r->kiosk) &&
	          cJSON_AddStringToObject(o, "kind", r->kind) && cJSON_AddStringToObject(o, "category", r->category) &&
	          cJSON_AddStringToObject(o, "status", store_status_name(r->status));
	fmt_iso(r->created, 0, t, sizeof t);
	ok = ok && cJSON_AddStringToObject(o, "created", t) && cJSON_AddStringToObject(o, "province", r->province) &&
	     cJSON_AddStringToObject(o, "commune", r->commune);
	fmt_iso(shown_received(r), 0, t, sizeof t);
	ok = ok && cJSON_AddStringToObject(o, "received", t);
	fmt_iso(shown_updated(r), 0, t, sizeof t);
	ok = ok && cJSON_AddStringToObject(o, "updated", t);
	ok = ok && (r->rating ? cJSON_AddNumberToObject(o, "rating", r->rating) : cJSON_AddNullToObject(o, "rating"));
	bool waiting = due_matters(r);
	if (waiting)
		fmt_iso(shown_due(r), 0, t, sizeof t);
	ok = ok && (waiting ? cJSON_AddStringToObject(o, "due", t) : cJSON_AddNullToObject(o, "due"));
	ok = ok && cJSON_AddBoolToObject(o, "overdue", r->overdue) &&
	     cJSON_AddBoolToObject(o, "anonymous", store_is_anonymous(r));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

struct list_ctx {
	FILE *out;
	bool json, failed;
	size_t n, overdue;
	struct table t;
};

/* Writes one JSON object of an array streamed to out.  False: out of memory. */
static bool put_json(FILE *out, cJSON *o, size_t index)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!s)
		return false;
	fputs(index ? ",\n" : "[\n", out);
	fputs(s, out);
	cJSON_free(s);
	return true;
}

static bool list_row(const store_record *r, void *ctx)
{
	struct list_ctx *l = ctx;
	if (l->json) {
		if (!put_json(l->out, summary_json(r), l->n))
			return !(l->failed = true);
	} else {
		char created[16], due[16] = "";
		/* the deadline only while it still matters */
		if (due_matters(r)) /* a date tells no time of day: the real one */
			fmt_date(store_due(r), due, sizeof due);
		fmt_date(r->created, created, sizeof created);
		const char *cells[] = {r->id,   r->kiosk,    r->commune,
		                       r->kind, r->category, store_status_name(r->status),
		                       created, due,         r->overdue ? "yes" : ""};
		if (!table_add(&l->t, cells))
			return !(l->failed = true);
	}
	l->n++;
	l->overdue += r->overdue;
	return true;
}

static int cmd_list(struct args *a)
{
	static const char *const head[] = {"ID",     "KIOSK",   "COMMUNE", "KIND",   "CATEGORY",
	                                   "STATUS", "CREATED", "DUE",     "OVERDUE"};
	struct list_ctx l = {.out = stdout, .json = a->val[O_JSON] != NULL};
	tt_err e;

	table_init(&l.t, stdout, 9, head);
	l.t.max[0] = 36; /* a UUID */
	l.t.max[1] = 24;
	l.t.max[2] = 24;
	l.t.max[4] = 16;
	e = store_list(a->st, &a->f, a->now, list_row, &l);
	if (l.json)
		fputs(l.n ? "\n]\n" : "[]\n", stdout);
	else if (l.n)
		table_end(&l.t);
	else
		free(l.t.cells); /* no header over nothing */
	if (e == TT_ERR_NOTFOUND)
		return fail(EXIT_USAGE, "list: --after %s: no such submission in %s", a->f.after_id, a->val[O_DB]);
	if (e != TT_OK || l.failed)
		return fail(EXIT_FAIL, "%s: cannot list submissions: %s", a->val[O_DB],
		            tt_strerror(e != TT_OK ? e : TT_ERR_NOMEM));
	if (!l.json) {
		if (l.n)
			printf("%zu submission%s, %zu overdue\n", l.n, l.n == 1 ? "" : "s", l.overdue);
		else
			printf("no submissions match\n");
	}
	struct outfile so = {.f = stdout};
	return out_close(&so, true);
}

/* --- show ---------------------------------------------------------------------------------- */

/* "label: value" with the value cleaned for the terminal. */
static void field(const char *label, const char *value)
{
	char *c = clean(value ? value : "", false);
	printf("%-11s %s\n", label, c ? c : "?");
	free(c);
}

/* A block of citizen or staff text, indented, its lines kept. */
static void block(const char *label, const char *text)
{
	if (!text || !*text)
		return;
	char *c = clean(text, true);
	printf("%s\n", label);
	for (char *line = c, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		printf("    %s\n", line);
	}
	free(c);
}

/* "key — Vietnamese label" when there is one. */
static void labelled(char *out, size_t n, const char *key, const struct label *t, size_t count)
{
	const struct label *l = find_label(t, count, key);
	if (l)
		snprintf(out, n, "%s — %s", key, l->vi);
	else
		snprintf(out, n, "%s", key);
}

static bool show_history(const store_audit *h, void *ctx)
{
	char when[32];
	bool *any = ctx;
	if (!*any)
		printf("history:\n");
	*any = true;
	fmt_local(h->when, when, sizeof when);
	char *actor = clean(h->actor, false), *detail = clean(h->detail ? h->detail : "", false);
	printf("    %s  %s  %s  %s\n", when, actor ? actor : "?", h->action, detail ? detail : "?");
	free(actor);
	free(detail);
	return true;
}

static int cmd_show(struct args *a)
{
	store_record r;
	char buf[512], t1[40], t2[40];
	bool anonymous, any = false;
	tt_err e = store_get(a->st, a->pos[0], a->now, &r);

	if (e == TT_ERR_NOTFOUND)
		return not_found(a, a->pos[0]);
	if (e != TT_OK)
		return fail(EXIT_FAIL, "%s: cannot read %s: %s", a->val[O_DB], a->pos[0], tt_strerror(e));
	anonymous = store_is_anonymous(&r);
	field("id:", r.id);
	labelled(buf, sizeof buf, r.kind, kind_labels, N_OF(kind_labels));
	if (anonymous)
		strncat(buf, " (anonymous)", sizeof buf - strlen(buf) - 1);
	field("kind:", buf);
	labelled(buf, sizeof buf, r.category, category_labels, N_OF(category_labels));
	field("category:", buf);
	if (r.rating)
		snprintf(buf, sizeof buf, "%d/5", r.rating);
	field("rating:", r.rating ? buf : "-");
	snprintf(buf, sizeof buf, "%s (%s/%s)", r.kiosk, r.province, r.commune);
	field("kiosk:", buf);
	if (anonymous) { /* the kiosk sent only the day: so do we */
		fmt_date(r.created, t1, sizeof t1);
		fmt_date(shown_received(&r), t2, sizeof t2);
		snprintf(buf, sizeof buf, "%s (the day only)", t1);
		field("created:", buf);
		snprintf(buf, sizeof buf, "%s (the day only)", t2);
		field("received:", buf);
		field("contact:", "anonymous");
	} else {
		fmt_local(r.created, t1, sizeof t1);
		fmt_local(r.received, t2, sizeof t2);
		field("created:", t1);
		field("received:", t2);
		if (r.contact_name || r.contact_phone)
			snprintf(buf, sizeof buf, "%s%s%s", r.contact_name ? r.contact_name : "",
			         r.contact_name && r.contact_phone ? ", " : "", r.contact_phone ? r.contact_phone : "");
		field("contact:", r.contact_name || r.contact_phone ? buf : "none given");
	}
	if (r.lang[0])
		field("language:", r.lang);
	if (r.ref[0])
		field("about:", r.ref);
	field("code:", r.code_hash[0] ? "kept only as its hash" : "none");
	labelled(buf, sizeof buf, store_status_name(r.status), status_labels, N_OF(status_labels));
	field("status:", buf);
	if (r.outcome != OUT_NONE) {
		labelled(buf, sizeof buf, store_outcome_name(r.outcome), outcome_labels, N_OF(outcome_labels));
		field("outcome:", buf);
	}
	if (r.agency[0])
		field("agency:", r.agency);
	snprintf(buf, sizeof buf, "%s (%d-day settlement)", r.complex ? "yes" : "no",
	         r.complex ? STORE_SETTLE_COMPLEX_DAYS : STORE_SETTLE_DAYS);
	field("complex:", buf);
	if (r.accept_due) {
		fmt_date(r.accept_due, t1, sizeof t1);
		snprintf(buf, sizeof buf, "%s%s", t1, r.overdue && !r.settle_due ? "  OVERDUE" : "");
		field("accept by:", buf);
	}
	if (r.settle_due) {
		fmt_date(r.settle_due, t1, sizeof t1);
		snprintf(buf, sizeof buf, "%s%s", t1, r.overdue ? "  OVERDUE" : "");
		field("settle by:", buf);
	}
	if (anonymous && r.updated == r.received)
		snprintf(t1, sizeof t1, "%s", t2);
	else
		fmt_local(r.updated, t1, sizeof t1);
	field("updated:", t1);
	block("text:", r.text);
	block(r.status == ST_NOT_ACCEPTED ? "reason (not accepted):" : "reason:", r.reason);
	block("answer:", r.answer);
	e = store_history(a->st, r.id, show_history, &any);
	store_record_clear(&r);
	if (e != TT_OK)
		return fail(EXIT_FAIL, "%s: cannot read the history of %s: %s", a->val[O_DB], a->pos[0],
		            tt_strerror(e));
	struct outfile so = {.f = stdout};
	return out_close(&so, true);
}

/* --- respond, set-status ------------------------------------------------------------------- */

/* "cli:" and the user who runs the command, for the audit log. */
void collector_cli_actor(char *out, size_t n)
{
	const char *user = getenv("USER");
	if (!user || !*user)
		user = getenv("LOGNAME");
	if (!user || !*user) {
		struct passwd *pw = getpwuid(geteuid());
		user = pw ? pw->pw_name : NULL;
	}
	if (user && *user)
		snprintf(out, n, "cli:%s", user);
	else
		snprintf(out, n, "cli:uid%ld", (long)geteuid());
}

/* Why store_update refused, on one line; the exit status. */
static int update_failed(struct args *a, const char *id, tt_err e, int to)
{
	store_record r;
	const char *names[ST__COUNT];
	size_t n = 0;
	char list[256] = "";

	if (e == TT_ERR_NOTFOUND)
		return not_found(a, id);
	if (e == TT_ERR_STATE && store_get(a->st, id, a->now, &r) == TT_OK) {
		for (int s = 0; s < ST__COUNT; s++)
			if (store_status_allowed(r.status, (store_status)s))
				names[n++] = store_status_name((store_status)s);
		join_names(list, sizeof list, names, n);
		store_status from = r.status;
		store_record_clear(&r);
		if (to < 0 || (store_status)to == from)
			return fail(EXIT_FAIL, "%s: %s is already %s (it can move to: %s)", a->cmd, id,
			            store_status_name(from), list);
		return fail(EXIT_FAIL, "%s: %s is %s and cannot move to %s (it can move to: %s)", a->cmd, id,
		            store_status_name(from), store_status_name((store_status)to), list);
	}
	if (e == TT_ERR_INVAL)
		return fail(EXIT_USAGE, "%s: %s: a value is not valid (UTF-8 text, an agency under 128 bytes)", a->cmd,
		            id);
	return fail(EXIT_FAIL, "%s: cannot update %s: %s", a->val[O_DB], id, tt_strerror(e));
}

/* Prints what an update left: "ID: status (settle by DATE)". */
static void print_outcome(struct args *a, const char *id)
{
	store_record r;
	char due[16];
	if (store_get(a->st, id, a->now, &r) != TT_OK)
		return;
	printf("%s: %s", r.id, store_status_name(r.status));
	if (due_matters(&r)) {
		fmt_date(store_due(&r), due, sizeof due);
		printf(" (%s by %s%s)", r.settle_due ? "settle" : "accept", due, r.overdue ? ", overdue" : "");
	}
	if (r.status == ST_CLOSED && r.outcome != OUT_NONE)
		printf(" (%s)", store_outcome_name(r.outcome));
	putchar('\n');
	store_record_clear(&r);
}

/* Reads an answer from a file ("-": standard input).  NULL after a message. */
static char *read_text_file(const struct args *a, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;

	if (!f) {
		fail(EXIT_USAGE, "%s: %s", path, tt_strerrno(errno));
		return NULL;
	}
	if (!(buf = malloc(MAX_TEXT + 1))) {
		fail(EXIT_FAIL, "%s: out of memory", path);
		goto out;
	}
	n = fread(buf, 1, MAX_TEXT + 1, f);
	if (ferror(f)) {
		fail(EXIT_USAGE, "%s: %s", path, tt_strerrno(errno));
		goto fail;
	}
	if (n > MAX_TEXT) {
		fail(EXIT_USAGE, "%s: %s: longer than %u KiB", a->cmd, path, MAX_TEXT >> 10);
		goto fail;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	goto out;
fail:
	free(buf);
	buf = NULL;
out:
	if (f != stdin)
		fclose(f);
	return buf;
}

/* Staff text as stored: valid UTF-8 in NFC.  NULL after a message. */
static char *staff_text(const struct args *a, const char *what, const char *s)
{
	char *nfc;
	if (!text_valid(s, strlen(s))) {
		fail(EXIT_USAGE, "%s: %s is not valid UTF-8", a->cmd, what);
		return NULL;
	}
	if (!(nfc = text_nfc(s, strlen(s))))
		fail(EXIT_FAIL, "%s: out of memory", a->cmd);
	return nfc;
}

static int cmd_respond(struct args *a)
{
	char actor[160], *raw = NULL, *text = NULL;
	const char *id = a->pos[0];
	store_status to = ST_RESPONDED;
	int rc;
	tt_err e;

	if (!a->val[O_TEXT] == !a->val[O_TEXT_FILE])
		return fail(EXIT_USAGE, "respond: give the answer with --text TEXT or --text-file FILE, not both");
	if (a->val[O_STATUS] && (rc = parse_status(a, "status", a->val[O_STATUS], &to)))
		return rc;
	if (a->val[O_TEXT_FILE] && !(raw = read_text_file(a, a->val[O_TEXT_FILE])))
		return EXIT_USAGE;
	text = staff_text(a, a->val[O_TEXT] ? "--text" : a->val[O_TEXT_FILE], raw ? raw : a->val[O_TEXT]);
	free(raw);
	if (!text)
		return EXIT_USAGE;
	if (!*text) {
		free(text);
		return fail(EXIT_USAGE, "respond: the answer is empty");
	}
	collector_cli_actor(actor, sizeof actor);
	e = store_respond(a->st, id, text, (int)to, actor, a->now);
	free(text);
	if (e != TT_OK)
		return update_failed(a, id, e, (int)to);
	print_outcome(a, id);
	return 0;
}

static int cmd_set_status(struct args *a)
{
	char actor[160], *reason = NULL, *agency = NULL;
	const char *id = a->pos[0];
	store_status to;
	store_change c;
	int rc;
	tt_err e;

	collector_cli_actor(actor, sizeof actor);
	store_change_init(&c, actor, a->now);
	if (a->npos > 1) {
		if ((rc = parse_status(a, "status", a->pos[1], &to)))
			return rc;
		c.to = (int)to;
	}
	if (a->val[O_OUTCOME]) {
		if (!store_outcome_parse(a->val[O_OUTCOME], &c.outcome)) {
			const char *names[OUT__COUNT - 1];
			char list[128];
			for (int i = 1; i < OUT__COUNT; i++)
				names[i - 1] = store_outcome_name((store_outcome)i);
			join_names(list, sizeof list, names, OUT__COUNT - 1);
			return fail(EXIT_USAGE, "set-status: unknown outcome \"%s\" (valid: %s)", a->val[O_OUTCOME],
			            list);
		}
		if (c.outcome != OUT_NONE && c.to != ST_CLOSED)
			return fail(EXIT_USAGE, "set-status: --outcome %s goes with the status closed",
			            a->val[O_OUTCOME]);
	}
	if (a->val[O_COMPLEX] && a->val[O_NOT_COMPLEX])
		return fail(EXIT_USAGE, "set-status: --complex or --not-complex, not both");
	c.complex = a->val[O_COMPLEX] ? 1 : a->val[O_NOT_COMPLEX] ? 0 : -1;
	if (c.to < 0 && c.complex < 0 && !a->val[O_REASON] && !a->val[O_AGENCY])
		return fail(EXIT_USAGE,
		            "set-status: give a STATUS, or --reason, --agency, --complex (see %s set-status --help)",
		            PROG);
	if (a->val[O_REASON] && !(c.reason = reason = staff_text(a, "--reason", a->val[O_REASON])))
		return EXIT_USAGE;
	if (a->val[O_AGENCY] && !(c.agency = agency = staff_text(a, "--agency", a->val[O_AGENCY]))) {
		free(reason);
		return EXIT_USAGE;
	}
	if (agency && strlen(agency) >= sizeof((store_record *)0)->agency) {
		free(reason);
		free(agency);
		return fail(EXIT_USAGE, "set-status: --agency is longer than %zu bytes",
		            sizeof((store_record *)0)->agency - 1);
	}
	e = store_update(a->st, id, &c);
	free(reason);
	free(agency);
	if (e != TT_OK)
		return update_failed(a, id, e, c.to);
	print_outcome(a, id);
	return 0;
}

/* --- export ---------------------------------------------------------------------------------- */

enum format { F_CSV, F_JSON, F_OPEN311 };

struct export_ctx {
	FILE *out;
	enum format format;
	bool contact, excel, failed;
	size_t n;
};

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote or a
 * line break.  excel: a field a spreadsheet would take for a formula
 * gets a leading apostrophe (OWASP's CSV injection advice). */
static void csv_field(FILE *f, const char *s, bool excel, bool first)
{
	bool formula = excel && s && strchr("=+-@\t\r", s[0]) && s[0];
	if (!first)
		fputc(',', f);
	if (!s)
		return;
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *const csv_head[] = {
    "id",     "kiosk",  "province", "commune",    "kind",       "category", "rating",    "text",
    "ref",    "lang",   "created",  "received",   "status",     "outcome",  "complex",   "agency",
    "reason", "answer", "updated",  "accept_due", "settle_due", "overdue",  "anonymous",
};

static void csv_row(struct export_ctx *x, const store_record *r)
{
	char rating[8] = "", created[32], received[32], updated[32], adue[32] = "", sdue[32] = "";
	FILE *f = x->out;

	if (r->rating)
		snprintf(rating, sizeof rating, "%d", r->rating);
	fmt_iso(r->created, 0, created, sizeof created);
	fmt_iso(shown_received(r), 0, received, sizeof received);
	fmt_iso(shown_updated(r), 0, updated, sizeof updated);
	if (r->accept_due)
		fmt_iso(shown_accept_due(r), 0, adue, sizeof adue);
	if (r->settle_due)
		fmt_iso(r->settle_due, 0, sdue, sizeof sdue);
	const char *cells[] = {
	    r->id,
	    r->kiosk,
	    r->province,
	    r->commune,
	    r->kind,
	    r->category,
	    rating,
	    r->text,
	    r->ref,
	    r->lang,
	    created,
	    received,
	    store_status_name(r->status),
	    store_outcome_name(r->outcome),
	    r->complex ? "yes" : "no",
	    r->agency,
	    r->reason,
	    r->answer,
	    updated,
	    adue,
	    sdue,
	    r->overdue ? "yes" : "no",
	    store_is_anonymous(r) ? "yes" : "no",
	};
	for (size_t i = 0; i < N_OF(cells); i++)
		csv_field(f, cells[i], x->excel, i == 0);
	if (x->contact) {
		csv_field(f, r->contact_name, x->excel, false);
		csv_field(f, r->contact_phone, x->excel, false);
	}
	fputs("\r\n", f);
}

static bool add_str_or_null(cJSON *o, const char *key, const char *v)
{
	return v && *v ? cJSON_AddStringToObject(o, key, v) != NULL : cJSON_AddNullToObject(o, key) != NULL;
}

static bool add_time_or_null(cJSON *o, const char *key, int64_t t, int tz)
{
	char buf[40];
	if (!t)
		return cJSON_AddNullToObject(o, key) != NULL;
	fmt_iso(t, tz, buf, sizeof buf);
	return cJSON_AddStringToObject(o, key, buf) != NULL;
}

static cJSON *full_json(const store_record *r, bool contact)
{
	cJSON *o = summary_json(r);
	if (!o)
		return NULL;
	bool ok = add_str_or_null(o, "text", r->text) && add_str_or_null(o, "ref", r->ref) &&
	          add_str_or_null(o, "lang", r->lang) &&
	          add_str_or_null(o, "outcome", store_outcome_name(r->outcome)) &&
	          cJSON_AddBoolToObject(o, "complex", r->complex) && add_str_or_null(o, "agency", r->agency) &&
	          add_str_or_null(o, "reason", r->reason) && add_str_or_null(o, "answer", r->answer) &&
	          add_time_or_null(o, "accept_due", shown_accept_due(r), 0) &&
	          add_time_or_null(o, "settle_due", r->settle_due, 0);
	if (ok && contact && (r->contact_name || r->contact_phone)) {
		cJSON *c = cJSON_AddObjectToObject(o, "contact");
		ok = c && add_str_or_null(c, "name", r->contact_name) && add_str_or_null(c, "phone", r->contact_phone);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Open311 GeoReport v2, the "requests" representation.  Never a contact;
 * an anonymous complaint's request time is the day the kiosk sent. */
static cJSON *open311_json(const store_record *r)
{
	char address[160];
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	bool closed = r->status == ST_CLOSED || r->status == ST_NOT_ACCEPTED;
	const char *notes = r->answer ? r->answer : r->status == ST_NOT_ACCEPTED ? r->reason : NULL;
	snprintf(address, sizeof address, "%s, %s", r->commune, r->province);
	bool ok = cJSON_AddStringToObject(o, "service_request_id", r->id) &&
	          cJSON_AddStringToObject(o, "status", closed ? "closed" : "open") &&
	          add_str_or_null(o, "status_notes", notes) && add_str_or_null(o, "service_name", r->category) &&
	          cJSON_AddStringToObject(o, "service_code", r->kind) && add_str_or_null(o, "description", r->text) &&
	          add_str_or_null(o, "agency_responsible", r->agency) && cJSON_AddNullToObject(o, "service_notice") &&
	          add_time_or_null(o, "requested_datetime", r->created, TZ) &&
	          add_time_or_null(o, "updated_datetime", shown_updated(r), TZ) &&
	          add_time_or_null(o, "expected_datetime", due_matters(r) ? shown_due(r) : 0, TZ) &&
	          cJSON_AddStringToObject(o, "address", address) && cJSON_AddNullToObject(o, "address_id") &&
	          cJSON_AddNullToObject(o, "zipcode") && cJSON_AddNullToObject(o, "lat") &&
	          cJSON_AddNullToObject(o, "long") && cJSON_AddNullToObject(o, "media_url");
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static bool export_row(const store_record *r, void *ctx)
{
	struct export_ctx *x = ctx;
	switch (x->format) {
	case F_CSV:
		csv_row(x, r);
		break;
	case F_JSON:
		if (!put_json(x->out, full_json(r, x->contact), x->n))
			return !(x->failed = true);
		break;
	case F_OPEN311:
		if (!put_json(x->out, open311_json(r), x->n))
			return !(x->failed = true);
		break;
	}
	x->n++;
	return !ferror(x->out);
}

static int cmd_export(struct args *a)
{
	static const char *const formats[] = {"csv", "json", "open311"};
	struct export_ctx x = {.contact = a->val[O_WITH_CONTACT] != NULL, .excel = a->val[O_EXCEL] != NULL};
	struct outfile o;
	const char *fmt = a->val[O_FORMAT] ? a->val[O_FORMAT] : "csv";
	size_t i;
	int rc;

	for (i = 0; i < N_OF(formats) && strcmp(formats[i], fmt) != 0; i++)
		;
	if (i == N_OF(formats))
		return fail(EXIT_USAGE, "export: unknown format \"%s\" (valid: csv, json, open311)", fmt);
	x.format = (enum format)i;
	if (x.format == F_OPEN311 && x.contact)
		return fail(EXIT_USAGE, "export: open311 never carries a contact (--with-contact is for csv and json)");
	if (x.excel && x.format != F_CSV)
		return fail(EXIT_USAGE, "export: --excel is for csv");
	/* contacts are personal data: the file is the owner's alone */
	if ((rc = out_open(&o, a->val[O_OUT], 0600)))
		return rc;
	x.out = o.f;
	if (x.format == F_CSV) {
		if (x.excel)
			fputs("\xEF\xBB\xBF", x.out); /* a BOM, so a spreadsheet reads UTF-8 */
		for (i = 0; i < N_OF(csv_head); i++)
			csv_field(x.out, csv_head[i], false, i == 0);
		if (x.contact)
			fputs(",contact_name,contact_phone", x.out);
		fputs("\r\n", x.out);
	}
	tt_err e = store_list(a->st, &a->f, a->now, export_row, &x);
	if (x.format != F_CSV)
		fputs(x.n ? "\n]\n" : "[]\n", x.out);
	if (e != TT_OK || x.failed) {
		out_close(&o, false);
		return fail(EXIT_FAIL, "%s: cannot export: %s", a->val[O_DB],
		            tt_strerror(e != TT_OK ? e : TT_ERR_NOMEM));
	}
	if ((rc = out_close(&o, true)))
		return rc;
	if (a->val[O_OUT] && strcmp(a->val[O_OUT], "-") != 0)
		fprintf(stderr, "%s: exported %zu submission%s to %s\n", PROG, x.n, x.n == 1 ? "" : "s", a->val[O_OUT]);
	return 0;
}

/* --- report ---------------------------------------------------------------------------------- */

static void print_group(const struct group *g)
{
	static const char *const head[] = {"", "COUNT", "RATED", "SATISFACTION", "ANSWERED", "MEAN DAYS", "OVERDUE"};
	struct table t;
	char label[256], n[24], rated[24], avg[24], answered[24], days[24], late[24];
	const char *h[7];

	memcpy(h, head, sizeof h);
	char upper[64];
	snprintf(upper, sizeof upper, "%s", g->by);
	for (char *p = upper; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	h[0] = upper;
	printf("\n%s / %s\n", g->vi, g->en);
	table_init(&t, stdout, 7, h);
	for (int c = 1; c < 7; c++)
		t.right[c] = true;
	t.max[0] = 48;
	for (size_t i = 0; i < g->n; i++) {
		const store_count *c = &g->rows[i];
		row_label(g, c->key, label, sizeof label);
		snprintf(n, sizeof n, "%zu", c->n);
		snprintf(rated, sizeof rated, "%zu", c->rated);
		fmt_avg(avg, sizeof avg, c->rating_sum, c->rated, "/5");
		snprintf(answered, sizeof answered, "%zu", c->responded);
		fmt_avg(days, sizeof days, c->response_days_sum, c->responded, "");
		snprintf(late, sizeof late, "%zu", c->overdue);
		const char *cells[] = {label, n, rated, avg, answered, days, late};
		table_add(&t, cells);
	}
	if (g->n) {
		table_end(&t);
	} else {
		printf("(none)\n");
		free(t.cells);
	}
}

static int cmd_report(struct args *a)
{
	struct report *rep = NULL;
	int rc = 0;

	if (report_build(a->st, a->f.from, a->f.to, a->now, &rep) != TT_OK)
		return fail(EXIT_FAIL, "%s: cannot build the report", a->val[O_DB]);

	char from[16] = "the start", to[16] = "now", now[32], avg[24], days[24];
	if (rep->from)
		fmt_date(rep->from, from, sizeof from);
	if (rep->to)
		fmt_date(rep->to - 1, to, sizeof to);
	fmt_local(rep->now, now, sizeof now);
	fmt_avg(avg, sizeof avg, rep->total.rating_sum, rep->total.rated, "/5");
	fmt_avg(days, sizeof days, rep->total.response_days_sum, rep->total.responded, " days");
	printf("Báo cáo sơ kết / Periodic report: received from %s to %s, as of %s (+07:00)\n", from, to, now);
	printf("%zu submissions, %zu answered (mean %s), %zu overdue, satisfaction %s (%zu rated)\n", rep->total.n,
	       rep->total.responded, days, rep->total.overdue, avg, rep->total.rated);
	for (int i = 0; i < 4; i++)
		print_group(&rep->groups[i]);
	printf("\nViệc quá hạn / Overdue items\n");
	if (!rep->n_late) {
		printf("(none)\n");
	} else {
		static const char *const head[] = {"ID", "COMMUNE", "KIND", "STATUS", "DUE", "DAYS LATE"};
		struct table t;
		table_init(&t, stdout, 6, head);
		t.right[5] = true;
		for (size_t i = 0; i < rep->n_late; i++) {
			char due[16], late[24];
			fmt_date(rep->late[i].due, due, sizeof due);
			snprintf(late, sizeof late, "%lld", days_late(rep->now, rep->late[i].due));
			const char *cells[] = {
			    rep->late[i].id, rep->late[i].commune, rep->late[i].kind, rep->late[i].status, due, late};
			table_add(&t, cells);
		}
		table_end(&t);
		if (rep->total.overdue > rep->n_late)
			printf("… and %zu more (list --overdue)\n", rep->total.overdue - rep->n_late);
	}

	if (a->val[O_HTML]) {
		struct outfile o;
		if ((rc = out_open(&o, a->val[O_HTML], 0644)))
			goto out;
		report_write_html(o.f, rep);
		if ((rc = out_close(&o, true)))
			goto out;
		fprintf(stderr, "%s: wrote %s\n", PROG, a->val[O_HTML]);
	}
	struct outfile so = {.f = stdout};
	rc = out_close(&so, true);
out:
	report_free(rep);
	return rc;
}

/* --- the entry point ------------------------------------------------------------------------ */

int collector_cli(int argc, char **argv)
{
	struct args a;
	const struct command *c = NULL;
	int rc;

	if (argc < 1 || !argv[0]) {
		collector_cli_usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < N_OF(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			c = &commands[i];
	if (!c)
		return fail(EXIT_USAGE,
		            "unknown command \"%s\" (valid: serve, list, show, respond, set-status, export, report, staff, audit"
		            ")",
		            argv[0]);
	memset(&a, 0, sizeof a);
	a.cmd = c->name;
	if ((rc = parse_args(c, argc, argv, &a)))
		return rc < 0 ? 0 : rc;
	if ((c->opts & OPT(O_FROM)) && (rc = parse_filters(&a)))
		return rc;
	if ((rc = open_store(&a)))
		return rc;
	a.now = clock_now();
	rc = c->run(&a);
	store_close(a.st);
	return rc;
}
