/* report.c - labels, text cleaning, dates and the periodic report shared
 * by the command line (cli.c) and the staff pages (staff_web.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/report.h"
#include "tramtin/clock.h"
#include "tramtin/text.h"

#define TZ  CLOCK_TZ_VN_MIN
#define DAY 86400


const struct label report_kind_labels[] = {
    {"feedback", "Góp ý", "Feedback"},
    {"complaint", "Phản ánh", "Complaint"},
    {"objection", "Phản ánh về thông báo", "Objection to a notice"},
    {"survey", "Khảo sát", "Survey"},
};

/* The kiosk's categories (src/screens/forms.c) in its own Vietnamese. */
const struct label report_category_labels[] = {
    {"policy", "Hỏi về chính sách", "A question about a policy"},
    {"support", "Việc thực hiện hỗ trợ", "How support is carried out"},
    {"officials", "Thái độ, việc làm của cán bộ", "Conduct of officials"},
    {"suggestion", "Đề xuất, kiến nghị", "A suggestion"},
    {"praise", "Khen ngợi", "Praise"},
    {"review", "Sai sót khi rà soát hộ nghèo", "Mistakes in the poor-household review"},
    {"targeting", "Hỗ trợ không đến đúng người", "Support not reaching the right people"},
    {"corruption", "Tham nhũng, sử dụng sai tiền hỗ trợ", "Corruption or misuse of funds"},
    {"other", "Việc khác", "Something else"},
};

const struct label report_status_labels[] = {
    {"received", "Đã tiếp nhận", "Received"},
    {"accepted", "Đã thụ lý", "Accepted"},
    {"not_accepted", "Không thụ lý", "Not accepted"},
    {"assigned", "Đã giao xử lý", "Assigned"},
    {"in_progress", "Đang xử lý", "In progress"},
    {"responded", "Đã trả lời", "Responded"},
    {"closed", "Đã kết thúc", "Closed"},
    {"reopened", "Mở lại", "Reopened"},
};

const struct label report_outcome_labels[] = {
    {"resolved", "Đã giải quyết", "Resolved"},       {"no_action", "Không cần xử lý thêm", "No further action"},
    {"referred", "Chuyển cơ quan khác", "Referred"}, {"duplicate", "Trùng lặp", "Duplicate"},
    {"withdrawn", "Người gửi rút lại", "Withdrawn"},
};


const struct label *report_find_label(const struct label *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return &t[i];
	return NULL;
}

/* s fit for a terminal: invalid UTF-8, control characters and bidi
 * overrides become U+FFFD; tabs and line breaks a space (line breaks kept
 * if lines).  A new string, or NULL out of memory. */
char *report_clean(const char *s, bool lines)
{
	static const char repl[] = "\xEF\xBF\xBD";
	size_t len = s ? strlen(s) : 0, pos = 0, n = 0;
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	while (pos < len) {
		size_t start = pos;
		int32_t cp = text_decode(s, len, &pos);
		if (cp == '\n' || cp == '\t' || cp == '\r') {
			if (cp == '\r' && lines)
				continue;
			out[n++] = cp == '\n' && lines ? '\n' : ' ';
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
		           (cp >= 0x2066 && cp <= 0x2069)) {
			memcpy(out + n, repl, 3);
			n += 3;
		} else {
			memcpy(out + n, s + start, pos - start);
			n += pos - start;
		}
	}
	out[n] = '\0';
	return out;
}

/* Local date "YYYY-MM-DD" ("" for 0). */
void report_fmt_date(int64_t t, char *out, size_t n)
{
	int y, mo, d;
	if (!t) {
		snprintf(out, n, "%s", "");
		return;
	}
	clock_civil(t, TZ, &y, &mo, &d, NULL, NULL, NULL);
	snprintf(out, n, "%04d-%02d-%02d", y, mo, d);
}

/* Vietnamese date "DD/MM/YYYY", for the report. */
void report_fmt_date_vi(int64_t t, char *out, size_t n)
{
	int y, mo, d;
	clock_civil(t, TZ, &y, &mo, &d, NULL, NULL, NULL);
	snprintf(out, n, "%02d/%02d/%04d", d, mo, y);
}

/* Local "YYYY-MM-DD HH:MM". */
void report_fmt_local(int64_t t, char *out, size_t n)
{
	int y, mo, d, h, mi;
	clock_civil(t, TZ, &y, &mo, &d, &h, &mi, NULL);
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
}




/* Keeps the MAX_OVERDUE_SHOWN items most overdue, most overdue first. */
bool report_late_row(const store_record *r, void *ctx)
{
	struct report *rep = ctx;
	int64_t due = store_due(r);
	size_t i = rep->n_late;

	if (i == MAX_OVERDUE_SHOWN && due >= rep->late[i - 1].due)
		return true;
	if (i == MAX_OVERDUE_SHOWN)
		i--;
	else
		rep->n_late++;
	for (; i > 0 && rep->late[i - 1].due > due; i--)
		rep->late[i] = rep->late[i - 1];
	struct overdue_item *it = &rep->late[i];
	snprintf(it->id, sizeof it->id, "%s", r->id);
	snprintf(it->commune, sizeof it->commune, "%s", r->commune);
	snprintf(it->kind, sizeof it->kind, "%s", r->kind);
	snprintf(it->status, sizeof it->status, "%s", store_status_name(r->status));
	it->due = due;
	return true;
}

/* Whole days past due, a started day counting as one. */
long long report_days_late(int64_t now, int64_t due)
{
	return (long long)((now - due + DAY - 1) / DAY);
}

/* A group's row label: "key" or "Vietnamese label (key)". */
void report_row_label(const struct group *g, const char *key, char *out, size_t n)
{
	const struct label *l = g->labels ? report_find_label(g->labels, g->n_labels, key) : NULL;
	if (!*key)
		snprintf(out, n, "Không phân loại (none)");
	else if (l)
		snprintf(out, n, "%s (%s)", l->vi, key);
	else
		snprintf(out, n, "%s", key);
}

void report_fmt_avg(char *out, size_t n, double sum, size_t count, const char *unit)
{
	if (count)
		snprintf(out, n, "%.1f%s", sum / (double)count, unit);
	else
		snprintf(out, n, "-");
}

/* --- HTML ------------------------------------------------------------------------------------- */

void report_html_esc(FILE *f, const char *s)
{
	char *c = report_clean(s ? s : "", false);
	for (const char *p = c ? c : ""; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*p, f);
		}
	}
	free(c);
}

/* A horizontal bar chart of a group's counts, the overdue share in red. */
static void svg_bars(FILE *f, const struct group *g)
{
	const int label_w = 360, bar_w = 380, row_h = 26, top = 8;
	size_t max = 1;
	char label[256];

	for (size_t i = 0; i < g->n; i++)
		max = g->rows[i].n > max ? g->rows[i].n : max;
	int height = top + row_h * (int)g->n + 8;
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	        label_w + bar_w + 90, height, label_w + bar_w + 90, height);
	report_html_esc(f, g->vi);
	fputs("\">\n<title>", f);
	report_html_esc(f, g->vi);
	fputs(" / ", f);
	report_html_esc(f, g->en);
	fputs("</title>\n", f);
	for (size_t i = 0; i < g->n; i++) {
		const store_count *c = &g->rows[i];
		int y = top + row_h * (int)i;
		int w = (int)((double)c->n / (double)max * bar_w + 0.5);
		int wo = (int)((double)c->overdue / (double)max * bar_w + 0.5);
		report_row_label(g, c->key, label, sizeof label);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", label_w - 8, y + 17);
		report_html_esc(f, label);
		fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" class=\"bar\"/>", label_w, y + 4,
		        w > 0 ? w : 1);
		if (wo > 0)
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" class=\"late\"/>", label_w,
			        y + 4, wo);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"num\">%zu", label_w + w + 6, y + 17, c->n);
		if (c->overdue)
			fprintf(f, " (%zu)", c->overdue);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

static void html_group(FILE *f, const struct group *g)
{
	char label[256], avg[24], days[24];
	fputs("<section>\n<h2>", f);
	report_html_esc(f, g->vi);
	fputs(" <small>", f);
	report_html_esc(f, g->en);
	fputs("</small></h2>\n", f);
	if (!g->n) {
		fputs("<p>Không có số liệu <small>No data</small></p>\n</section>\n", f);
		return;
	}
	svg_bars(f, g);
	fputs("<table>\n<thead><tr><th></th>"
	      "<th>Số lượng <small>Count</small></th>"
	      "<th>Đánh giá <small>Rated</small></th>"
	      "<th>Mức hài lòng <small>Satisfaction</small></th>"
	      "<th>Đã trả lời <small>Answered</small></th>"
	      "<th>Số ngày trả lời TB <small>Mean days to answer</small></th>"
	      "<th>Quá hạn <small>Overdue</small></th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < g->n; i++) {
		const store_count *c = &g->rows[i];
		report_row_label(g, c->key, label, sizeof label);
		report_fmt_avg(avg, sizeof avg, c->rating_sum, c->rated, "/5");
		report_fmt_avg(days, sizeof days, c->response_days_sum, c->responded, "");
		fputs("<tr><th scope=\"row\">", f);
		report_html_esc(f, label);
		fprintf(f, "</th><td>%zu</td><td>%zu</td><td>%s</td><td>%zu</td><td>%s</td><td%s>%zu</td></tr>\n", c->n,
		        c->rated, avg, c->responded, days, c->overdue ? " class=\"bad\"" : "", c->overdue);
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

const char report_css[] =
	"h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:2px solid #2b6cb0;"
	"padding-bottom:.2em}\n"
	"small{font-size:.72em;color:#4a5568;font-weight:normal}\n"
	".period{color:#2d3748}\n"
	".cards{display:flex;flex-wrap:wrap;gap:1em;margin:1.2em 0}\n"
	".card{flex:1 1 10em;border:1px solid #cbd5e0;border-radius:6px;padding:.6em .9em}\n"
	".card b{display:block;font-size:1.7em}\n"
	"table{border-collapse:collapse;width:100%;margin-top:.6em;font-size:.95em}\n"
	"th,td{border:1px solid #cbd5e0;padding:.3em .5em;text-align:right;vertical-align:top}\n"
	"thead th{background:#edf2f7}th[scope=row],th.l,td.l{text-align:left}\n"
	"td.bad,.card.bad b{color:#c53030;font-weight:bold}\n"
	"svg.chart{max-width:100%;height:auto;font-size:13px}\n"
	"svg .bar{fill:#2b6cb0}svg .late{fill:#c53030}svg .lbl,svg .num{fill:#1a202c}\n"
	".legend span{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin:0 .3em 0 1em}\n"
	"footer{margin-top:3em;color:#718096;font-size:.85em}\n"
	"@media print{body{margin:0;max-width:none}section{break-inside:avoid}}\n";

void report_html_body(FILE *f, const struct report *rep)
{
	char from[16] = "", to[16] = "", now[32], avg[24], days[24];
	if (rep->from)
		report_fmt_date_vi(rep->from, from, sizeof from);
	if (rep->to)
		report_fmt_date_vi(rep->to - 1, to, sizeof to);
	report_fmt_local(rep->now, now, sizeof now);
	report_fmt_avg(avg, sizeof avg, rep->total.rating_sum, rep->total.rated, "/5");
	report_fmt_avg(days, sizeof days, rep->total.response_days_sum, rep->total.responded, "");

	fputs("<h1>Báo cáo sơ kết ý kiến, phản ánh của người dân "
	      "<small>Periodic report of citizens' feedback and complaints</small></h1>\n<p class=\"period\">",
	      f);
	if (rep->from && rep->to)
		fprintf(f, "Kỳ báo cáo: từ %s đến %s <small>Period</small>", from, to);
	else if (rep->from)
		fprintf(f, "Kỳ báo cáo: từ %s <small>Period: from</small>", from);
	else if (rep->to)
		fprintf(f, "Kỳ báo cáo: đến %s <small>Period: until</small>", to);
	else
		fputs("Kỳ báo cáo: toàn bộ <small>Period: all time</small>", f);
	fprintf(f, " · Số liệu đến %s (giờ Việt Nam) <small>Figures as of, Vietnam time</small></p>\n", now);

	fprintf(f,
	        "<div class=\"cards\">\n"
	        "<div class=\"card\"><b>%zu</b>Tổng số ý kiến <small>Submissions</small></div>\n"
	        "<div class=\"card\"><b>%zu</b>Đã trả lời <small>Answered</small></div>\n"
	        "<div class=\"card%s\"><b>%zu</b>Quá hạn <small>Overdue</small></div>\n"
	        "<div class=\"card\"><b>%s</b>Mức hài lòng trung bình <small>Average satisfaction (%zu rated)</small>"
	        "</div>\n"
	        "<div class=\"card\"><b>%s</b>Số ngày trả lời trung bình <small>Mean days to answer</small></div>\n"
	        "</div>\n",
	        rep->total.n, rep->total.responded, rep->total.overdue ? " bad" : "", rep->total.overdue, avg,
	        rep->total.rated, days);
	fputs("<p class=\"legend\"><span style=\"background:#2b6cb0\"></span>Số lượng <small>count</small>"
	      "<span style=\"background:#c53030\"></span>Trong đó quá hạn <small>of which overdue</small></p>\n",
	      f);
	for (int i = 0; i < 4; i++)
		html_group(f, &rep->groups[i]);

	fputs("<section>\n<h2>Việc quá hạn <small>Overdue items</small></h2>\n", f);
	if (!rep->n_late) {
		fputs("<p>Không có việc quá hạn. <small>Nothing is overdue.</small></p>\n", f);
	} else {
		fputs("<table>\n<thead><tr><th class=\"l\">Mã <small>ID</small></th><th class=\"l\">Xã "
		      "<small>Commune</small>"
		      "</th><th class=\"l\">Loại <small>Kind</small></th><th class=\"l\">Trạng thái "
		      "<small>Status</small></th>"
		      "<th>Hạn <small>Due</small></th><th>Trễ (ngày) <small>Days "
		      "late</small></th></tr></thead>\n<tbody>\n",
		      f);
		for (size_t i = 0; i < rep->n_late; i++) {
			const struct overdue_item *it = &rep->late[i];
			const struct label *k = report_find_label(report_kind_labels, REPORT_N_KIND, it->kind);
			const struct label *s = report_find_label(report_status_labels, REPORT_N_STATUS, it->status);
			char due[16];
			report_fmt_date_vi(it->due, due, sizeof due);
			fputs("<tr><td class=\"l\"><code>", f);
			report_html_esc(f, it->id);
			fputs("</code></td><td class=\"l\">", f);
			report_html_esc(f, it->commune);
			fputs("</td><td class=\"l\">", f);
			report_html_esc(f, k ? k->vi : it->kind);
			fputs("</td><td class=\"l\">", f);
			report_html_esc(f, s ? s->vi : it->status);
			fprintf(f, "</td><td>%s</td><td class=\"bad\">%lld</td></tr>\n", due,
			        report_days_late(rep->now, it->due));
		}
		fputs("</tbody>\n</table>\n", f);
		if (rep->total.overdue > rep->n_late)
			fprintf(f, "<p>… và %zu việc khác <small>and %zu more</small></p>\n",
			        rep->total.overdue - rep->n_late, rep->total.overdue - rep->n_late);
	}
	fputs("</section>\n", f);
	fprintf(f,
	        "<footer>Thời hạn theo Luật Khiếu nại, Luật Tố cáo: thụ lý trong %d ngày; giải quyết trong %d ngày "
	        "(%d ngày với vụ việc phức tạp). <small>Deadlines: acceptance within %d days; settlement within %d "
	        "days (%d if complex).</small><br>Tramtin · trạm tin</footer>\n",
	        STORE_ACCEPT_DAYS, STORE_SETTLE_DAYS, STORE_SETTLE_COMPLEX_DAYS, STORE_ACCEPT_DAYS, STORE_SETTLE_DAYS,
	        STORE_SETTLE_COMPLEX_DAYS);
}


void report_write_html(FILE *f, const struct report *rep)
{
	fputs("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>Báo cáo sơ kết ý kiến người dân — Tramtin</title>\n<style>\n"
	      "body{font-family:\"Noto Sans\",\"DejaVu Sans\",Arial,sans-serif;margin:2em auto;max-width:62em;"
	      "padding:0 1em;color:#1a202c;line-height:1.45}\n",
	      f);
	fputs(report_css, f);
	fputs("</style>\n</head>\n<body>\n", f);
	report_html_body(f, rep);
	fputs("</body>\n</html>\n", f);
}

tt_err report_build(store *st, int64_t from, int64_t to, int64_t now, struct report **out)
{
	struct report *rep = calloc(1, sizeof *rep);
	store_filter f;
	tt_err e = TT_OK;

	*out = NULL;
	if (!rep)
		return TT_ERR_NOMEM;
	rep->from = from;
	rep->to = to;
	rep->now = now;
	rep->groups[0] = (struct group){"commune", "Theo xã", "By commune", NULL, 0, NULL, 0};
	rep->groups[1] = (struct group){"category", "Theo lĩnh vực", "By category", report_category_labels,
	                                REPORT_N_CATEGORY, NULL, 0};
	rep->groups[2] = (struct group){"kind", "Theo loại", "By kind", report_kind_labels, REPORT_N_KIND, NULL, 0};
	rep->groups[3] =
	    (struct group){"status", "Theo trạng thái", "By status", report_status_labels, REPORT_N_STATUS, NULL, 0};
	for (int i = 0; i < 4; i++) {
		struct group *g = &rep->groups[i];
		if (!(g->rows = calloc(REPORT_MAX_GROUPS, sizeof *g->rows))) {
			report_free(rep);
			return TT_ERR_NOMEM;
		}
		g->n = store_report(st, g->by, rep->from, rep->to, rep->now, g->rows, REPORT_MAX_GROUPS);
	}
	/* every record has one kind: the totals */
	for (size_t i = 0; i < rep->groups[2].n; i++) {
		const store_count *c = &rep->groups[2].rows[i];
		rep->total.n += c->n;
		rep->total.rated += c->rated;
		rep->total.rating_sum += c->rating_sum;
		rep->total.overdue += c->overdue;
		rep->total.responded += c->responded;
		rep->total.response_days_sum += c->response_days_sum;
	}
	store_filter_init(&f);
	f.from = rep->from;
	f.to = rep->to;
	f.overdue_only = true;
	if ((e = store_list(st, &f, rep->now, report_late_row, rep)) != TT_OK) {
		report_free(rep);
		return e;
	}
	*out = rep;
	return TT_OK;
}

void report_free(struct report *rep)
{
	if (!rep)
		return;
	for (int i = 0; i < 4; i++)
		free(rep->groups[i].rows);
	free(rep);
}
