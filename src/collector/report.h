/* report.h - what the CLI's report and the staff pages share: the labels
 * of kinds, categories, statuses and outcomes, text cleaning, local dates,
 * and the periodic report (sơ kết / tổng kết): its figures (report_build)
 * and its HTML with SVG bar charts (report_html_body inside a page that
 * includes report_css; report_write_html for a whole document). */
#ifndef TRAMTIN_COLLECTOR_REPORT_H
#define TRAMTIN_COLLECTOR_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tramtin/store.h"

#define MAX_OVERDUE_SHOWN 50  /* overdue items listed in a report */
#define REPORT_MAX_GROUPS 512 /* report rows per grouping */
#define REPORT_N_KIND     4
#define REPORT_N_CATEGORY 9
#define REPORT_N_STATUS   8
#define REPORT_N_OUTCOME  5

struct label {
	const char *key, *vi, *en;
};

struct group {
	const char *by;             /* store_report's grouping */
	const char *vi, *en;        /* heading */
	const struct label *labels; /* key -> Vietnamese, or NULL */
	size_t n_labels;
	store_count *rows;
	size_t n;
};

struct overdue_item {
	char id[40], commune[64], kind[16], status[16];
	int64_t due;
};

struct report {
	int64_t from, to, now;
	struct group groups[4];
	struct overdue_item late[MAX_OVERDUE_SHOWN];
	size_t n_late;
	store_count total;
};

extern const struct label report_kind_labels[REPORT_N_KIND];
extern const struct label report_category_labels[REPORT_N_CATEGORY];
extern const struct label report_status_labels[REPORT_N_STATUS];
extern const struct label report_outcome_labels[REPORT_N_OUTCOME];
const struct label *report_find_label(const struct label *t, size_t n, const char *key);

/* s fit for a terminal or a page: invalid UTF-8, control characters and
 * bidi overrides become U+FFFD; tabs and line breaks a space (line breaks
 * kept if lines).  A new string, or NULL out of memory. */
char *report_clean(const char *s, bool lines);
/* Writes s cleaned and HTML-escaped. */
void report_html_esc(FILE *f, const char *s);

/* Vietnam's local time: "YYYY-MM-DD" ("" for 0), "DD/MM/YYYY", "YYYY-MM-DD HH:MM". */
void report_fmt_date(int64_t t, char *out, size_t n);
void report_fmt_date_vi(int64_t t, char *out, size_t n);
void report_fmt_local(int64_t t, char *out, size_t n);

/* The report of records received in [from, to) (0: open) as of now. */
tt_err report_build(store *st, int64_t from, int64_t to, int64_t now, struct report **out);
void report_free(struct report *rep); /* accepts NULL */

bool report_late_row(const store_record *r, void *ctx);
long long report_days_late(int64_t now, int64_t due);
void report_row_label(const struct group *g, const char *key, char *out, size_t n);
void report_fmt_avg(char *out, size_t n, double sum, size_t count, const char *unit);

extern const char report_css[]; /* the report's rules, without body{} */
void report_html_body(FILE *f, const struct report *rep);
void report_write_html(FILE *f, const struct report *rep);

#endif
