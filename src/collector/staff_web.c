/* staff_web.c - the province's staff pages (staff_web.h).
 *
 * Every page is written into a memory stream (open_memstream) with the
 * report's escaping (report_html_esc: cleaned of control and bidi
 * characters, then HTML-escaped), so all text from citizens, kiosks and
 * staff reaches the page escaped.  Listing is the store's keyset paging
 * (store_list after an id, one indexed range scan a page); changes go
 * through store_update / store_respond, which hold the lifecycle and
 * write the audit rows with the actor "staff:USER".  An anonymous
 * complaint shows only what it held: no contact rows, no kiosk, and its
 * times as days (as the CLI shows them). */
#define _GNU_SOURCE /* open_memstream on older C libraries */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cJSON.h>
#include <sodium.h>

#include "collector/auth.h"
#include "collector/report.h"
#include "collector/staff_web.h"
#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "tramtin/store.h"
#include "tramtin/text.h"

#define PREFIX     "/staff"
#define BODY_LIMIT (64u << 10)
#define PAGE_SIZE  50
#define COOKIE     "tt_staff"
#define LANG_COOKIE "tt_lang"
#define DAY        86400
#define N_OF(a)    (sizeof(a) / sizeof((a)[0]))

struct staff_web {
	store *st;
	auth *au;
	bool secure;
};

typedef struct sreq {
	char *body;
	size_t len;
	bool too_big;
} sreq;

static char get_marker_staff;

/* --- words ------------------------------------------------------------------ */

typedef struct phrase {
	const char *key, *vi, *en;
} phrase;

static const phrase words[] = {
    {"app", "Trạm tin – Tỉnh", "Tramtin – Province"},
    {"login", "Đăng nhập", "Log in"},
    {"logout", "Đăng xuất", "Log out"},
    {"user", "Tên đăng nhập", "User name"},
    {"password", "Mật khẩu", "Password"},
    {"bad_login", "Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."},
    {"locked", "Tạm khoá do đăng nhập sai nhiều lần. Thử lại sau (giây):",
     "Locked after too many failed logins. Try again in (seconds):"},
    {"inbox", "Hộp thư", "Inbox"},
    {"fleet", "Trạm", "Kiosks"},
    {"reports", "Báo cáo", "Reports"},
    {"audit", "Nhật ký", "Audit log"},
    {"switch", "English", "Tiếng Việt"},
    {"commune", "Xã", "Commune"},
    {"kind", "Loại", "Kind"},
    {"category", "Lĩnh vực", "Category"},
    {"status", "Trạng thái", "Status"},
    {"overdue", "Quá hạn", "Overdue"},
    {"only_overdue", "Chỉ việc quá hạn", "Overdue only"},
    {"any", "Tất cả", "Any"},
    {"filter", "Lọc", "Filter"},
    {"received", "Ngày nhận", "Received"},
    {"due", "Hạn", "Due"},
    {"id", "Mã", "ID"},
    {"text", "Nội dung", "Text"},
    {"next", "Trang sau", "Next page"},
    {"first", "Trang đầu", "First page"},
    {"none", "Không có ý kiến nào.", "No submissions."},
    {"kiosk", "Trạm", "Kiosk"},
    {"rating", "Đánh giá", "Rating"},
    {"contact_name", "Họ tên", "Name"},
    {"contact_phone", "Điện thoại", "Phone"},
    {"anonymous", "Ẩn danh", "Anonymous"},
    {"ref", "Liên quan đến", "About"},
    {"agency", "Cơ quan giải quyết", "Agency"},
    {"reason", "Lý do / ghi chú", "Reason / note"},
    {"answer", "Trả lời cho người dân", "Answer to the citizen"},
    {"no_answer", "Chưa có câu trả lời.", "No answer yet."},
    {"assign", "Giao xử lý", "Assign"},
    {"set_status", "Đổi trạng thái", "Set status"},
    {"outcome", "Kết quả (khi kết thúc)", "Outcome (when closing)"},
    {"send_answer", "Gửi trả lời", "Send the answer"},
    {"history", "Lịch sử xử lý", "History"},
    {"when", "Thời gian", "When"},
    {"who", "Người thực hiện", "Who"},
    {"what", "Việc", "What"},
    {"detail", "Chi tiết", "Detail"},
    {"saved", "Đã lưu.", "Saved."},
    {"refused", "Không thể chuyển sang trạng thái này từ trạng thái hiện tại.",
     "The lifecycle does not allow this change from the current status."},
    {"invalid", "Dữ liệu không hợp lệ hoặc thiếu.", "Missing or invalid input."},
    {"forbidden", "Phiên làm việc không hợp lệ (thiếu mã CSRF). Hãy tải lại trang.",
     "Invalid form token (CSRF). Reload the page."},
    {"notfound", "Không tìm thấy.", "Not found."},
    {"error", "Lỗi máy chủ. Thử lại sau.", "Server error. Try again later."},
    {"online", "Đang hoạt động", "Online"},
    {"lost", "Mất kết nối", "Lost"},
    {"last_seen", "Lần cuối", "Last seen"},
    {"outbox", "Hàng đợi gửi", "Outbox"},
    {"oldest", "Cũ nhất (phút)", "Oldest (min)"},
    {"content", "Phiên bản nội dung", "Content versions"},
    {"last_error", "Lỗi gần nhất", "Last error"},
    {"disk", "Dung lượng trống (MB)", "Free disk (MB)"},
    {"no_kiosks", "Chưa có trạm nào báo trạng thái.", "No kiosk has reported yet."},
    {"from", "Từ ngày", "From"},
    {"to", "Đến ngày", "To"},
    {"show", "Xem", "Show"},
    {"half_year", "Sơ kết 6 tháng đầu năm", "Half-year review"},
    {"whole_year", "Tổng kết năm", "Year review"},
    {"sub", "Ý kiến", "Submission"},
    {"complex", "Vụ việc phức tạp (45 ngày)", "Complex (45 days)"},
};

static const char *w_(const char *key, bool en)
{
	for (size_t i = 0; i < N_OF(words); i++)
		if (!strcmp(words[i].key, key))
			return en ? words[i].en : words[i].vi;
	return key;
}

static const char *label_of(const struct label *t, size_t n, const char *key, bool en)
{
	const struct label *l = report_find_label(t, n, key);
	return l ? (en ? l->en : l->vi) : key;
}

/* --- request helpers ---------------------------------------------------------- */

static const char *arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	return v && *v ? v : NULL;
}

static bool want_en(struct MHD_Connection *c)
{
	const char *l = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LANG_COOKIE);
	return l && !strcmp(l, "en");
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The decoded value of field name in a form body (a new string), or NULL
 * if absent or out of memory. */
static char *form_get(const sreq *q, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = q->body ? q->body : "", *end = p + q->len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *fend = amp ? amp : end;
		if ((size_t)(fend - p) >= nlen && !memcmp(p, name, nlen) && (p + nlen == fend || p[nlen] == '=')) {
			const char *v = p + nlen + (p + nlen < fend ? 1 : 0);
			char *out = malloc((size_t)(fend - v) + 1);
			size_t n = 0;
			if (!out)
				return NULL;
			for (const char *s = v; s < fend; s++) {
				char ch = *s;
				if (ch == '+')
					ch = ' ';
				else if (ch == '%' && fend - s > 2 && hexv(s[1]) >= 0 && hexv(s[2]) >= 0) {
					ch = (char)(hexv(s[1]) * 16 + hexv(s[2]));
					s += 2;
				}
				if (ch == '\r')
					continue; /* CRLF from a textarea: LF */
				if (ch == '\0')
					ch = ' ';
				out[n++] = ch;
			}
			out[n] = '\0';
			return out;
		}
		p = fend + 1;
	}
	return NULL;
}

/* Staff text as stored: valid UTF-8 in NFC, trimmed; NULL if invalid. */
static char *staff_text(char *s)
{
	if (!s || !text_valid(s, strlen(s))) {
		free(s);
		return NULL;
	}
	char *nfc = text_nfc(s, strlen(s));
	free(s);
	if (!nfc)
		return NULL;
	size_t n = strlen(nfc), i = 0;
	while (n && strchr(" \n\t", nfc[n - 1]))
		nfc[--n] = '\0';
	while (nfc[i] && strchr(" \n\t", nfc[i]))
		i++;
	memmove(nfc, nfc + i, n - i + 1);
	return nfc;
}

/* The client's address for the lockout: IPv4, or the /64 of IPv6. */
static void client_addr(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	snprintf(out, n, "?");
	if (sa && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
	} else if (sa && sa->sa_family == AF_INET6) {
		struct in6_addr a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (!IN6_IS_ADDR_V4MAPPED(&a))
			memset(a.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &a, out, (socklen_t)n);
	}
}

/* --- responses ------------------------------------------------------------------ */

#define CSP                                                                                                            \
	"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "                   \
	"frame-ancestors 'none'; base-uri 'none'"

static enum MHD_Result send_reply(struct MHD_Connection *c, unsigned status, const char *body, size_t len,
                            const char *location, const char *cookie, const char *cookie2)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, location ? "text/plain; charset=utf-8"
	                                                                  : "text/html; charset=utf-8");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	/* same-origin, not no-referrer: with no-referrer Chromium sends
	 * "Origin: null" on the pages' own POSTs (same_origin) */
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	if (location)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	if (cookie2)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie2);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to, const char *cookie)
{
	return send_reply(c, MHD_HTTP_SEE_OTHER, "see other\n", 10, to, cookie, NULL);
}

/* A page being written. */
typedef struct page {
	FILE *f;
	char *buf;
	size_t len;
	bool en;
} page;

static void esc(page *p, const char *s)
{
	report_html_esc(p->f, s ? s : "");
}

static void tx(page *p, const char *key)
{
	esc(p, w_(key, p->en));
}

static const char page_css[] =
    "body{font-family:\"Noto Sans\",\"DejaVu Sans\",Arial,sans-serif;margin:0;color:#1a202c;line-height:1.45;"
    "font-size:16px}\n"
    "header{background:#2b6cb0;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;gap:1em;align-items:center}\n"
    "header a,header button{color:#fff;font-size:1em}header .app{font-weight:bold;margin-right:1em}\n"
    "header form{margin:0 0 0 auto}header button{background:none;border:1px solid #fff;border-radius:4px;"
    "padding:.2em .6em;cursor:pointer}\n"
    "main{max-width:72em;margin:1em auto;padding:0 1em}\n"
    ".msg{padding:.5em 1em;border-radius:4px;background:#c6f6d5}.err{padding:.5em 1em;border-radius:4px;"
    "background:#fed7d7}\n"
    "form.filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end;margin-bottom:1em}\n"
    "label{display:block;font-size:.9em;color:#2d3748}input,select,textarea,button{font:inherit;padding:.3em}\n"
    "textarea{width:100%;min-height:6em;box-sizing:border-box}\n"
    ".box{border:1px solid #cbd5e0;border-radius:6px;padding:.6em 1em;margin:1em 0}\n"
    "dl.sub{display:grid;grid-template-columns:12em 1fr;gap:.3em 1em}dl.sub dt{font-weight:bold}dl.sub dd{margin:0;"
    "white-space:pre-wrap}\n"
    ".late{color:#c53030;font-weight:bold}.lost{color:#c53030;font-weight:bold}.online{color:#276749}\n"
    "table.box{border-collapse:collapse;width:100%}table.box th,table.box td{text-align:left;border:1px solid #cbd5e0;"
    "padding:.3em .5em;vertical-align:top}table.box thead th{background:#edf2f7}\n"
    "#inbox td:nth-child(-n+3),#inbox td:nth-child(7),#audit td:first-child{white-space:nowrap}\n";

static bool page_begin(page *p, bool en, const char *title, const auth_session *s)
{
	memset(p, 0, sizeof *p);
	p->en = en;
	if (!(p->f = open_memstream(&p->buf, &p->len)))
		return false;
	fprintf(p->f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	              "<meta name=\"referrer\" content=\"same-origin\"><link rel=\"icon\" href=\"data:,\"><title>",
	        en ? "en" : "vi");
	tx(p, title);
	fputs(" – ", p->f);
	tx(p, "app");
	fprintf(p->f, "</title><style>%s%s</style></head><body><header><span class=\"app\">", page_css, report_css);
	tx(p, "app");
	fputs("</span>", p->f);
	if (s) {
		static const char *const nav[][2] = {
		    {"inbox", "inbox"}, {"fleet", "fleet"}, {"reports", "reports"}, {"audit", "audit"}};
		for (size_t i = 0; i < N_OF(nav); i++) {
			fprintf(p->f, "<a id=\"nav-%s\" href=\"" PREFIX "/%s\">", nav[i][0], nav[i][1]);
			tx(p, nav[i][0]);
			fputs("</a>", p->f);
		}
	}
	fprintf(p->f, "<a id=\"lang\" href=\"" PREFIX "/lang?to=%s\">", en ? "vi" : "en");
	tx(p, "switch");
	fputs("</a>", p->f);
	if (s) {
		fputs("<span id=\"whoami\">", p->f);
		esc(p, s->user);
		fputs("</span><form id=\"logout-form\" method=\"post\" action=\"" PREFIX "/logout\">"
		      "<input type=\"hidden\" name=\"csrf\" value=\"",
		      p->f);
		esc(p, s->csrf);
		fputs("\"><button id=\"logout\" type=\"submit\">", p->f);
		tx(p, "logout");
		fputs("</button></form>", p->f);
	}
	fputs("</header><main>", p->f);
	return true;
}

static enum MHD_Result page_end(page *p, struct MHD_Connection *c, unsigned status)
{
	enum MHD_Result ret;
	fputs("</main></body></html>\n", p->f);
	if (fclose(p->f) != 0 || !p->buf) {
		free(p->buf);
		return MHD_NO;
	}
	ret = send_reply(c, status, p->buf, p->len, NULL, NULL, NULL);
	free(p->buf);
	return ret;
}

static void csrf_field(page *p, const auth_session *s)
{
	fputs("<input type=\"hidden\" name=\"csrf\" value=\"", p->f);
	esc(p, s->csrf);
	fputs("\">", p->f);
}

static enum MHD_Result message_page(struct MHD_Connection *c, bool en, const auth_session *s, unsigned status,
                                    const char *key)
{
	page p;
	if (!page_begin(&p, en, key, s))
		return MHD_NO;
	fprintf(p.f, "<p id=\"%s\" class=\"err\">", key);
	tx(&p, key);
	fputs("</p>", p.f);
	return page_end(&p, c, status);
}

/* --- login ------------------------------------------------------------------------ */

static enum MHD_Result login_page(struct MHD_Connection *c, bool en, unsigned status, const char *err,
                                  unsigned retry)
{
	page p;
	if (!page_begin(&p, en, "login", NULL))
		return MHD_NO;
	fputs("<h1>", p.f);
	tx(&p, "login");
	fputs("</h1>", p.f);
	if (err) {
		fputs("<p id=\"login-error\" class=\"err\">", p.f);
		tx(&p, err);
		if (retry)
			fprintf(p.f, " <span id=\"retry\">%u</span>", retry);
		fputs("</p>", p.f);
	}
	fputs("<form id=\"login-form\" class=\"box\" method=\"post\" action=\"" PREFIX "/login\"><label for=\"user\">",
	      p.f);
	tx(&p, "user");
	fputs("</label><input id=\"user\" name=\"user\" autocomplete=\"username\" required maxlength=\"64\" "
	      "autocapitalize=\"none\"><label for=\"password\">",
	      p.f);
	tx(&p, "password");
	fputs("</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" "
	      "required><p><button id=\"login-submit\" type=\"submit\">",
	      p.f);
	tx(&p, "login");
	fputs("</button></p></form>", p.f);
	return page_end(&p, c, status);
}

static enum MHD_Result do_login(staff_web *w, struct MHD_Connection *c, const sreq *q, bool en)
{
	char *user = form_get(q, "user"), *pw = form_get(q, "password");
	char sid[AUTH_TOKEN_HEX + 1], addr[64], cookie[256];
	unsigned retry = 0;
	auth_result r;

	client_addr(c, addr, sizeof addr);
	r = auth_login(w->au, user ? user : "", pw ? pw : "", addr, clock_now(), sid, &retry);
	if (pw) {
		sodium_memzero(pw, strlen(pw));
		free(pw);
	}
	free(user);
	if (r == AUTH_LOCKED)
		return login_page(c, en, MHD_HTTP_TOO_MANY_REQUESTS, "locked", retry);
	if (r == AUTH_ERROR)
		return login_page(c, en, MHD_HTTP_SERVICE_UNAVAILABLE, "error", 0);
	if (r != AUTH_OK)
		return login_page(c, en, MHD_HTTP_UNAUTHORIZED, "bad_login", 0);
	snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=" PREFIX "; HttpOnly; SameSite=Strict%s", sid,
	         w->secure ? "; Secure" : "");
	sodium_memzero(sid, sizeof sid);
	enum MHD_Result ret = redirect(c, PREFIX "/inbox", cookie);
	sodium_memzero(cookie, sizeof cookie);
	return ret;
}

/* --- inbox --------------------------------------------------------------------------- */

struct inbox_ctx {
	page *p;
	size_t n;
	char last[40];
	int64_t now;
};

static void put_date(page *p, int64_t t)
{
	char d[32];
	report_fmt_date(t, d, sizeof d);
	esc(p, d);
}

/* A time as it may be shown: an anonymous complaint's only as its day. */
static int64_t shown_time(const store_record *r, int64_t t)
{
	if (t && store_is_anonymous(r)) {
		int64_t m = t % DAY;
		return t - (m < 0 ? m + DAY : m);
	}
	return t;
}

static bool inbox_row(const store_record *r, void *ctx)
{
	struct inbox_ctx *x = ctx;
	page *p = x->p;
	char snippet[160];
	const char *text = r->text ? r->text : "";
	size_t n = 0, chars = 0, pos = 0, len = strlen(text);

	/* the first 60 characters of the text */
	while (pos < len && chars < 60 && n < sizeof snippet - 4) {
		size_t start = pos;
		text_decode(text, len, &pos);
		if (n + (pos - start) >= sizeof snippet - 4)
			break;
		memcpy(snippet + n, text + start, pos - start);
		n += pos - start;
		chars++;
	}
	snippet[n] = '\0';
	if (pos < len)
		strcat(snippet, "…");
	fputs("<tr id=\"row-", p->f);
	esc(p, r->id);
	fputs("\"><td><a id=\"open-", p->f);
	esc(p, r->id);
	fputs("\" href=\"" PREFIX "/s/", p->f);
	esc(p, r->id);
	fputs("\" title=\"", p->f);
	esc(p, r->id);
	char short_id[9];
	memcpy(short_id, r->id, 8);
	short_id[8] = '\0'; /* the first 8 characters; the title has all */
	fputs("\"><code>", p->f);
	esc(p, short_id);
	fputs("</code></a></td><td>", p->f);
	put_date(p, shown_time(r, r->received));
	fputs("</td><td>", p->f);
	esc(p, r->commune);
	fputs("</td><td>", p->f);
	esc(p, label_of(report_kind_labels, REPORT_N_KIND, r->kind, p->en));
	fputs("</td><td>", p->f);
	esc(p, r->category[0] ? label_of(report_category_labels, REPORT_N_CATEGORY, r->category, p->en) : "");
	fputs("</td><td class=\"status\">", p->f);
	esc(p, label_of(report_status_labels, REPORT_N_STATUS, store_status_name(r->status), p->en));
	fprintf(p->f, "</td><td%s>", r->overdue ? " class=\"late\"" : "");
	put_date(p, store_due(r));
	fputs("</td><td>", p->f);
	esc(p, snippet);
	fputs("</td></tr>\n", p->f);
	snprintf(x->last, sizeof x->last, "%s", r->id);
	x->n++;
	return true;
}

static void select_of(page *p, const char *id, const char *name, const struct label *t, size_t n, const char *cur)
{
	fprintf(p->f, "<select id=\"%s\" name=\"%s\"><option value=\"\">", id, name);
	tx(p, "any");
	fputs("</option>", p->f);
	for (size_t i = 0; i < n; i++) {
		fputs("<option value=\"", p->f);
		esc(p, t[i].key);
		fprintf(p->f, "\"%s>", cur && !strcmp(cur, t[i].key) ? " selected" : "");
		esc(p, p->en ? t[i].en : t[i].vi);
		fputs("</option>", p->f);
	}
	fputs("</select>", p->f);
}

/* Appends "name=value&" URL-encoded to the query being built. */
static void q_add(FILE *f, const char *name, const char *v)
{
	if (!v)
		return;
	fprintf(f, "%s=", name);
	for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("-._~", *s))
			fputc(*s, f);
		else
			fprintf(f, "%%%02X", *s);
	}
	fputs("&amp;", f);
}

static enum MHD_Result inbox(staff_web *w, struct MHD_Connection *c, const auth_session *s, bool en)
{
	const char *commune = arg(c, "commune"), *kind = arg(c, "kind"), *category = arg(c, "category");
	const char *status = arg(c, "status"), *after = arg(c, "after"), *overdue = arg(c, "overdue");
	store_filter f;
	store_status st;
	page p;
	struct inbox_ctx x = {&p, 0, "", clock_now()};

	store_filter_init(&f);
	f.commune = commune;
	f.kind = kind;
	f.category = category;
	if (status && store_status_parse(status, &st))
		f.status = (int)st;
	else
		status = NULL;
	f.overdue_only = overdue != NULL;
	f.after_id = after;
	f.limit = PAGE_SIZE;
	if (!page_begin(&p, en, "inbox", s))
		return MHD_NO;
	fputs("<h1>", p.f);
	tx(&p, "inbox");
	fputs("</h1><form id=\"filters\" class=\"filters\" method=\"get\" action=\"" PREFIX "/inbox\"><div>"
	      "<label for=\"f-commune\">",
	      p.f);
	tx(&p, "commune");
	fputs("</label><input id=\"f-commune\" name=\"commune\" maxlength=\"63\" value=\"", p.f);
	esc(&p, commune);
	fputs("\"></div><div><label for=\"f-kind\">", p.f);
	tx(&p, "kind");
	fputs("</label>", p.f);
	select_of(&p, "f-kind", "kind", report_kind_labels, REPORT_N_KIND, kind);
	fputs("</div><div><label for=\"f-category\">", p.f);
	tx(&p, "category");
	fputs("</label>", p.f);
	select_of(&p, "f-category", "category", report_category_labels, REPORT_N_CATEGORY, category);
	fputs("</div><div><label for=\"f-status\">", p.f);
	tx(&p, "status");
	fputs("</label>", p.f);
	select_of(&p, "f-status", "status", report_status_labels, REPORT_N_STATUS, status);
	fprintf(p.f, "</div><div><label><input id=\"f-overdue\" type=\"checkbox\" name=\"overdue\" value=\"1\"%s> ",
	        overdue ? " checked" : "");
	tx(&p, "only_overdue");
	fputs("</label></div><div><button id=\"f-apply\" type=\"submit\">", p.f);
	tx(&p, "filter");
	fputs("</button></div></form>", p.f);

	fputs("<table id=\"inbox\" class=\"box\"><thead><tr><th>", p.f);
	static const char *const heads[] = {"id", "received", "commune", "kind", "category", "status", "due", "text"};
	for (size_t i = 0; i < N_OF(heads); i++) {
		tx(&p, heads[i]);
		fputs(i + 1 < N_OF(heads) ? "</th><th>" : "</th></tr></thead><tbody>\n", p.f);
	}
	tt_err e = store_list(w->st, &f, x.now, inbox_row, &x);
	fputs("</tbody></table>", p.f);
	if (e == TT_ERR_NOTFOUND) { /* a page after an id that is not there */
		fputs("<p id=\"error\" class=\"err\">", p.f);
		tx(&p, "notfound");
		fputs("</p>", p.f);
	} else if (e != TT_OK) {
		fputs("<p id=\"error\" class=\"err\">", p.f);
		tx(&p, "error");
		fputs("</p>", p.f);
	} else if (!x.n) {
		fputs("<p id=\"empty\">", p.f);
		tx(&p, "none");
		fputs("</p>", p.f);
	}
	fputs("<p class=\"paging\">", p.f);
	if (after) {
		fputs("<a id=\"first-page\" href=\"" PREFIX "/inbox?", p.f);
		q_add(p.f, "commune", commune);
		q_add(p.f, "kind", kind);
		q_add(p.f, "category", category);
		q_add(p.f, "status", status);
		q_add(p.f, "overdue", overdue ? "1" : NULL);
		fputs("\">", p.f);
		tx(&p, "first");
		fputs("</a> ", p.f);
	}
	if (x.n == PAGE_SIZE) {
		fputs("<a id=\"next-page\" href=\"" PREFIX "/inbox?", p.f);
		q_add(p.f, "commune", commune);
		q_add(p.f, "kind", kind);
		q_add(p.f, "category", category);
		q_add(p.f, "status", status);
		q_add(p.f, "overdue", overdue ? "1" : NULL);
		q_add(p.f, "after", x.last);
		fputs("\">", p.f);
		tx(&p, "next");
		fputs("</a>", p.f);
	}
	fputs("</p>", p.f);
	return page_end(&p, c, e == TT_OK ? MHD_HTTP_OK : e == TT_ERR_NOTFOUND ? MHD_HTTP_NOT_FOUND : 503);
}

/* --- one submission ------------------------------------------------------------------- */

static void field(page *p, const char *id, const char *key, const char *value)
{
	fprintf(p->f, "<dt>");
	tx(p, key);
	fprintf(p->f, "</dt><dd id=\"%s\">", id);
	esc(p, value);
	fputs("</dd>", p->f);
}

static bool history_row(const store_audit *a, void *ctx)
{
	page *p = ctx;
	char when[32];
	report_fmt_local(a->when, when, sizeof when);
	fputs("<tr><td>", p->f);
	esc(p, when);
	fputs("</td><td>", p->f);
	esc(p, a->actor);
	fputs("</td><td>", p->f);
	esc(p, a->action);
	fputs("</td><td>", p->f);
	esc(p, a->detail);
	fputs("</td></tr>\n", p->f);
	return true;
}

static enum MHD_Result submission(staff_web *w, struct MHD_Connection *c, const auth_session *s, bool en,
                                  const char *id, unsigned status, const char *msg)
{
	store_record r;
	page p;
	char buf[64];
	tt_err e = store_get(w->st, id, clock_now(), &r);
	bool anon;

	if (e == TT_ERR_NOTFOUND)
		return message_page(c, en, s, MHD_HTTP_NOT_FOUND, "notfound");
	if (e != TT_OK)
		return message_page(c, en, s, MHD_HTTP_SERVICE_UNAVAILABLE, "error");
	anon = store_is_anonymous(&r);
	if (!page_begin(&p, en, "sub", s)) {
		store_record_clear(&r);
		return MHD_NO;
	}
	fputs("<h1>", p.f);
	tx(&p, "sub");
	fputs(" <code>", p.f);
	esc(&p, r.id);
	fputs("</code></h1>", p.f);
	if (msg) {
		bool ok = !strcmp(msg, "saved");
		fprintf(p.f, "<p id=\"%s\" class=\"%s\">", ok ? "flash" : "error", ok ? "msg" : "err");
		tx(&p, msg);
		fputs("</p>", p.f);
	}
	fputs("<dl id=\"sub\" class=\"sub box\">", p.f);
	field(&p, "sub-id", "id", r.id);
	field(&p, "sub-kind", "kind", label_of(report_kind_labels, REPORT_N_KIND, r.kind, en));
	if (r.category[0])
		field(&p, "sub-category", "category",
		      label_of(report_category_labels, REPORT_N_CATEGORY, r.category, en));
	field(&p, "sub-commune", "commune", r.commune);
	if (!anon)
		field(&p, "sub-kiosk", "kiosk", r.kiosk);
	if (anon)
		report_fmt_date(shown_time(&r, r.received), buf, sizeof buf);
	else
		report_fmt_local(r.received, buf, sizeof buf);
	field(&p, "sub-received", "received", buf);
	if (r.rating > 0) {
		snprintf(buf, sizeof buf, "%d/5", r.rating);
		field(&p, "sub-rating", "rating", buf);
	}
	if (r.ref[0])
		field(&p, "sub-ref", "ref", r.ref);
	if (r.text && *r.text)
		field(&p, "sub-text", "text", r.text);
	if (r.contact_name && *r.contact_name)
		field(&p, "sub-contact-name", "contact_name", r.contact_name);
	if (r.contact_phone && *r.contact_phone)
		field(&p, "sub-contact-phone", "contact_phone", r.contact_phone);
	if (anon)
		field(&p, "sub-anonymous", "contact_name", w_("anonymous", en));
	field(&p, "sub-status", "status",
	      label_of(report_status_labels, REPORT_N_STATUS, store_status_name(r.status), en));
	if (r.outcome != OUT_NONE)
		field(&p, "sub-outcome", "outcome",
		      label_of(report_outcome_labels, REPORT_N_OUTCOME, store_outcome_name(r.outcome), en));
	if (store_due(&r)) {
		report_fmt_date(store_due(&r), buf, sizeof buf);
		if (r.overdue)
			strcat(buf, " !");
		field(&p, "sub-due", "due", buf);
	}
	if (r.agency[0])
		field(&p, "sub-agency", "agency", r.agency);
	if (r.reason && *r.reason)
		field(&p, "sub-reason", "reason", r.reason);
	field(&p, "sub-answer", "answer", r.answer && *r.answer ? r.answer : w_("no_answer", en));
	fputs("</dl>", p.f);

	/* assign */
	if (store_status_allowed(r.status, ST_ASSIGNED)) {
		fputs("<form id=\"assign-form\" class=\"box\" method=\"post\" action=\"" PREFIX "/s/", p.f);
		esc(&p, r.id);
		fputs("/assign\">", p.f);
		csrf_field(&p, s);
		fputs("<label for=\"agency\">", p.f);
		tx(&p, "agency");
		fputs("</label><input id=\"agency\" name=\"agency\" maxlength=\"127\" required value=\"", p.f);
		esc(&p, r.agency);
		fputs("\"> <button id=\"assign-submit\" type=\"submit\">", p.f);
		tx(&p, "assign");
		fputs("</button></form>", p.f);
	}
	/* status */
	fputs("<form id=\"status-form\" class=\"box\" method=\"post\" action=\"" PREFIX "/s/", p.f);
	esc(&p, r.id);
	fputs("/status\">", p.f);
	csrf_field(&p, s);
	fputs("<label for=\"status\">", p.f);
	tx(&p, "set_status");
	fputs("</label><select id=\"status\" name=\"status\">", p.f);
	for (int i = 0; i < ST__COUNT; i++)
		if (store_status_allowed(r.status, (store_status)i)) {
			fprintf(p.f, "<option value=\"%s\">", store_status_name((store_status)i));
			esc(&p, label_of(report_status_labels, REPORT_N_STATUS, store_status_name((store_status)i), en));
			fputs("</option>", p.f);
		}
	fputs("</select><label for=\"outcome\">", p.f);
	tx(&p, "outcome");
	fputs("</label><select id=\"outcome\" name=\"outcome\"><option value=\"\"></option>", p.f);
	for (size_t i = 0; i < REPORT_N_OUTCOME; i++) {
		fputs("<option value=\"", p.f);
		esc(&p, report_outcome_labels[i].key);
		fputs("\">", p.f);
		esc(&p, en ? report_outcome_labels[i].en : report_outcome_labels[i].vi);
		fputs("</option>", p.f);
	}
	fputs("</select><label for=\"reason\">", p.f);
	tx(&p, "reason");
	fputs("</label><textarea id=\"reason\" name=\"reason\" maxlength=\"4000\"></textarea>"
	      "<button id=\"status-submit\" type=\"submit\">",
	      p.f);
	tx(&p, "set_status");
	fputs("</button></form>", p.f);
	/* answer */
	fputs("<form id=\"answer-form\" class=\"box\" method=\"post\" action=\"" PREFIX "/s/", p.f);
	esc(&p, r.id);
	fputs("/answer\">", p.f);
	csrf_field(&p, s);
	fputs("<label for=\"answer\">", p.f);
	tx(&p, "answer");
	fputs("</label><textarea id=\"answer\" name=\"answer\" maxlength=\"16000\" required>", p.f);
	esc(&p, r.answer);
	fputs("</textarea><button id=\"answer-submit\" type=\"submit\">", p.f);
	tx(&p, "send_answer");
	fputs("</button></form>", p.f);

	fputs("<h2>", p.f);
	tx(&p, "history");
	fputs("</h2><table id=\"history\" class=\"box\"><thead><tr><th>", p.f);
	tx(&p, "when");
	fputs("</th><th>", p.f);
	tx(&p, "who");
	fputs("</th><th>", p.f);
	tx(&p, "what");
	fputs("</th><th>", p.f);
	tx(&p, "detail");
	fputs("</th></tr></thead><tbody>", p.f);
	store_history(w->st, r.id, history_row, &p);
	fputs("</tbody></table>", p.f);
	store_record_clear(&r);
	return page_end(&p, c, status);
}

/* Handles POST /staff/s/ID/ACTION. */
static enum MHD_Result change(staff_web *w, struct MHD_Connection *c, const auth_session *s, bool en,
                              const char *id, const char *action, const sreq *q)
{
	char actor[AUTH_USER_MAX + 8], loc[256];
	int64_t now = clock_now();
	store_change ch;
	tt_err e = TT_ERR_INVAL;
	char *a = NULL, *b = NULL, *o = NULL;

	snprintf(actor, sizeof actor, "staff:%s", s->user);
	store_change_init(&ch, actor, now);
	if (!strcmp(action, "assign")) {
		a = staff_text(form_get(q, "agency"));
		if (a && *a && strlen(a) < 128) {
			ch.to = ST_ASSIGNED;
			ch.agency = a;
			e = store_update(w->st, id, &ch);
		}
	} else if (!strcmp(action, "status")) {
		store_status to;
		store_outcome out = OUT_NONE;
		char *sv = form_get(q, "status"), *raw = form_get(q, "reason");
		bool reason_ok = !raw || (a = staff_text(raw)) != NULL;
		o = form_get(q, "outcome");
		if (sv && store_status_parse(sv, &to) && reason_ok && (!o || !*o || store_outcome_parse(o, &out)) &&
		    (out == OUT_NONE || to == ST_CLOSED)) {
			ch.to = (int)to;
			ch.outcome = out;
			ch.reason = a && *a ? a : NULL;
			e = store_update(w->st, id, &ch);
		}
		free(sv);
	} else if (!strcmp(action, "answer")) {
		b = staff_text(form_get(q, "answer"));
		if (b && *b)
			e = store_respond(w->st, id, b, -1, actor, now);
	} else {
		return message_page(c, en, s, MHD_HTTP_NOT_FOUND, "notfound");
	}
	free(a);
	free(b);
	free(o);
	if (e == TT_ERR_NOTFOUND)
		return message_page(c, en, s, MHD_HTTP_NOT_FOUND, "notfound");
	if (e == TT_ERR_STATE)
		return submission(w, c, s, en, id, MHD_HTTP_CONFLICT, "refused");
	if (e == TT_ERR_INVAL)
		return submission(w, c, s, en, id, MHD_HTTP_BAD_REQUEST, "invalid");
	if (e != TT_OK)
		return submission(w, c, s, en, id, MHD_HTTP_SERVICE_UNAVAILABLE, "error");
	snprintf(loc, sizeof loc, PREFIX "/s/%s?msg=saved", id);
	return redirect(c, loc, NULL);
}

/* --- fleet -------------------------------------------------------------------------------- */

static bool fleet_row(const store_kiosk *k, void *ctx)
{
	page *p = ctx;
	cJSON *j = k->status_json ? cJSON_Parse(k->status_json) : NULL;
	cJSON *ob = cJSON_GetObjectItemCaseSensitive(j, "outbox");
	cJSON *content = cJSON_GetObjectItemCaseSensitive(j, "content");
	cJSON *pending = cJSON_GetObjectItemCaseSensitive(ob, "pending");
	cJSON *oldest = cJSON_GetObjectItemCaseSensitive(ob, "oldest_s");
	cJSON *disk = cJSON_GetObjectItemCaseSensitive(j, "disk_free_mb");
	const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
	const char *cerr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "content_error"));
	char when[32];

	fputs("<tr id=\"kiosk-", p->f);
	esc(p, k->id);
	fputs("\"><td>", p->f);
	esc(p, k->id);
	fprintf(p->f, "</td><td class=\"state %s\">", k->online ? "online" : "lost");
	tx(p, k->online ? "online" : "lost");
	fputs("</td><td class=\"seen\">", p->f);
	report_fmt_local(k->last_seen, when, sizeof when);
	esc(p, when);
	fputs("</td><td class=\"outbox\">", p->f);
	if (cJSON_IsNumber(pending))
		fprintf(p->f, "%.0f", pending->valuedouble);
	fputs("</td><td class=\"oldest\">", p->f);
	if (cJSON_IsNumber(oldest) && cJSON_IsNumber(pending) && pending->valuedouble > 0)
		fprintf(p->f, "%.0f", oldest->valuedouble / 60.0);
	fputs("</td><td class=\"content\">", p->f);
	cJSON *ch;
	bool first = true;
	cJSON_ArrayForEach(ch, content)
	{
		if (!cJSON_IsNumber(ch) || !ch->string)
			continue;
		if (!first)
			fputs(", ", p->f);
		esc(p, ch->string);
		fprintf(p->f, " v%.0f", ch->valuedouble);
		first = false;
	}
	fputs("</td><td class=\"error\">", p->f);
	esc(p, err ? err : "");
	if (cerr && *cerr) {
		if (err && *err)
			fputs("; ", p->f);
		esc(p, cerr);
	}
	fputs("</td><td class=\"disk\">", p->f);
	if (cJSON_IsNumber(disk) && disk->valuedouble >= 0)
		fprintf(p->f, "%.0f", disk->valuedouble);
	fputs("</td></tr>\n", p->f);
	cJSON_Delete(j);
	return true;
}

static enum MHD_Result fleet(staff_web *w, struct MHD_Connection *c, const auth_session *s, bool en)
{
	page p;
	long before;
	if (!page_begin(&p, en, "fleet", s))
		return MHD_NO;
	fputs("<h1>", p.f);
	tx(&p, "fleet");
	fputs("</h1><table id=\"fleet\" class=\"box\"><thead><tr>", p.f);
	static const char *const heads[] = {"kiosk", "status", "last_seen", "outbox", "oldest", "content",
	                                    "last_error", "disk"};
	for (size_t i = 0; i < N_OF(heads); i++) {
		fputs("<th>", p.f);
		tx(&p, heads[i]);
		fputs("</th>", p.f);
	}
	fputs("</tr></thead><tbody>\n", p.f);
	fflush(p.f);
	before = (long)p.len;
	tt_err e = store_kiosks(w->st, fleet_row, &p);
	fflush(p.f);
	bool none = (long)p.len == before;
	fputs("</tbody></table>", p.f);
	if (none) {
		fputs("<p id=\"empty\">", p.f);
		tx(&p, "no_kiosks");
		fputs("</p>", p.f);
	}
	return page_end(&p, c, e == TT_OK ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE);
}

/* --- reports ------------------------------------------------------------------------------ */

/* A local date YYYY-MM-DD as the UTC second it starts; false if malformed. */
static bool parse_day(const char *s, int64_t *out)
{
	char buf[40];
	if (!s || strlen(s) != 10)
		return false;
	snprintf(buf, sizeof buf, "%sT00:00:00+07:00", s);
	return clock_parse(buf, CLOCK_TZ_VN_MIN, out);
}

static enum MHD_Result reports(staff_web *w, struct MHD_Connection *c, const auth_session *s, bool en)
{
	const char *from_s = arg(c, "from"), *to_s = arg(c, "to");
	int64_t from = 0, to = 0;
	struct report *rep = NULL;
	page p;

	if ((from_s && !parse_day(from_s, &from)) || (to_s && !parse_day(to_s, &to)))
		return message_page(c, en, s, MHD_HTTP_BAD_REQUEST, "invalid");
	if (to)
		to += DAY; /* both days included */
	if (report_build(w->st, from, to, clock_now(), &rep) != TT_OK)
		return message_page(c, en, s, MHD_HTTP_SERVICE_UNAVAILABLE, "error");
	if (!page_begin(&p, en, "reports", s)) {
		report_free(rep);
		return MHD_NO;
	}
	fputs("<form id=\"report-form\" class=\"filters\" method=\"get\" action=\"" PREFIX "/reports\"><div>"
	      "<label for=\"r-from\">",
	      p.f);
	tx(&p, "from");
	fputs("</label><input id=\"r-from\" name=\"from\" type=\"date\" value=\"", p.f);
	esc(&p, from_s);
	fputs("\"></div><div><label for=\"r-to\">", p.f);
	tx(&p, "to");
	fputs("</label><input id=\"r-to\" name=\"to\" type=\"date\" value=\"", p.f);
	esc(&p, to_s);
	fputs("\"></div><div><button id=\"r-show\" type=\"submit\">", p.f);
	tx(&p, "show");
	fputs("</button></div></form><p class=\"presets\">", p.f);
	{
		int y;
		clock_civil(clock_now(), CLOCK_TZ_VN_MIN, &y, NULL, NULL, NULL, NULL, NULL);
		/* sơ kết: the first half of the year; tổng kết: the whole year */
		fprintf(p.f, "<a id=\"r-half\" href=\"" PREFIX "/reports?from=%04d-01-01&amp;to=%04d-06-30\">", y, y);
		tx(&p, "half_year");
		fprintf(p.f, " %d</a> · <a id=\"r-year\" href=\"" PREFIX "/reports?from=%04d-01-01&amp;to=%04d-12-31\">", y,
		        y, y);
		tx(&p, "whole_year");
		fprintf(p.f, " %d</a></p><div id=\"report\">", y);
	}
	report_html_body(p.f, rep);
	fputs("</div>", p.f);
	report_free(rep);
	return page_end(&p, c, MHD_HTTP_OK);
}

/* --- audit ------------------------------------------------------------------------------- */

struct audit_ctx {
	page *p;
	size_t n;
	int64_t last;
};

static bool audit_row(const auth_audit_row *a, void *ctx)
{
	struct audit_ctx *x = ctx;
	page *p = x->p;
	char when[32];
	report_fmt_local(a->when, when, sizeof when);
	fprintf(p->f, "<tr id=\"audit-%lld\"><td>", (long long)a->seq);
	esc(p, when);
	fputs("</td><td>", p->f);
	esc(p, a->actor);
	fputs("</td><td>", p->f);
	if (a->id && *a->id) {
		fputs("<a href=\"" PREFIX "/s/", p->f);
		esc(p, a->id);
		fputs("\"><code>", p->f);
		esc(p, a->id);
		fputs("</code></a>", p->f);
	}
	fputs("</td><td>", p->f);
	esc(p, a->action);
	fputs("</td><td>", p->f);
	esc(p, a->detail);
	fputs("</td></tr>\n", p->f);
	x->n++;
	x->last = a->seq;
	return true;
}

static enum MHD_Result audit_page(staff_web *w, struct MHD_Connection *c, const auth_session *s, bool en)
{
	const char *b = arg(c, "before");
	int64_t before = b ? strtoll(b, NULL, 10) : 0;
	page p;
	struct audit_ctx x = {&p, 0, 0};
	if (!page_begin(&p, en, "audit", s))
		return MHD_NO;
	fputs("<h1>", p.f);
	tx(&p, "audit");
	fputs("</h1><table id=\"audit\" class=\"box\"><thead><tr><th>", p.f);
	tx(&p, "when");
	fputs("</th><th>", p.f);
	tx(&p, "who");
	fputs("</th><th>", p.f);
	tx(&p, "id");
	fputs("</th><th>", p.f);
	tx(&p, "what");
	fputs("</th><th>", p.f);
	tx(&p, "detail");
	fputs("</th></tr></thead><tbody>\n", p.f);
	tt_err e = auth_audit_list(w->au, before > 0 ? before : 0, 100, audit_row, &x);
	fputs("</tbody></table>", p.f);
	if (x.n == 100)
		fprintf(p.f, "<p><a id=\"next-page\" href=\"" PREFIX "/audit?before=%lld\">%s</a></p>", (long long)x.last,
		        w_("next", en));
	return page_end(&p, c, e == TT_OK ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE);
}

/* --- routing ------------------------------------------------------------------------------ */

bool staff_web_owns(const char *url)
{
	return url && !strncmp(url, PREFIX, strlen(PREFIX)) && (url[strlen(PREFIX)] == '\0' || url[strlen(PREFIX)] == '/');
}

/* An id from a URL: what store ids are made of, else "". */
static bool id_ok(const char *s, size_t n)
{
	if (n == 0 || n >= 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* A POST from another site's page (login CSRF included): browsers send
 * Origin with a POST; when there is one it must name this server (the
 * Host the request came to).  Clients without Origin (curl) pass; the
 * session's CSRF token still guards every change. */
static bool same_origin(const staff_web *w, struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *scheme = w->secure ? "https://" : "http://";
	size_t n = strlen(scheme);
	if (!origin)
		return true;
	return host && !strncmp(origin, scheme, n) && !strcmp(origin + n, host);
}

static enum MHD_Result dispatch(staff_web *w, struct MHD_Connection *c, const char *url, bool post, const sreq *q)
{
	bool en = want_en(c);
	const char *path = url + strlen(PREFIX);
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
	auth_session s;
	bool in = sid && auth_session_get(w->au, sid, clock_now(), &s);

	if (!strcmp(path, "/lang")) {
		const char *to = arg(c, "to");
		char cookie[128];
		snprintf(cookie, sizeof cookie, LANG_COOKIE "=%s; Path=" PREFIX "; SameSite=Strict; Max-Age=31536000%s",
		         to && !strcmp(to, "en") ? "en" : "vi", w->secure ? "; Secure" : "");
		return redirect(c, in ? PREFIX "/inbox" : PREFIX "/login", cookie);
	}
	if (post && !same_origin(w, c))
		return message_page(c, en, NULL, MHD_HTTP_FORBIDDEN, "forbidden");
	if (!strcmp(path, "/login")) {
		if (post)
			return do_login(w, c, q, en);
		return in ? redirect(c, PREFIX "/inbox", NULL) : login_page(c, en, MHD_HTTP_OK, NULL, 0);
	}
	if (!in) {
		if (post)
			return message_page(c, en, NULL, MHD_HTTP_FORBIDDEN, "forbidden");
		return redirect(c, PREFIX "/login", NULL);
	}
	if (post) {
		char *token = form_get(q, "csrf");
		bool ok = auth_csrf_ok(&s, token);
		free(token);
		if (!ok)
			return message_page(c, en, &s, MHD_HTTP_FORBIDDEN, "forbidden");
	}
	if (!strcmp(path, "/logout") && post) {
		char cookie[160];
		auth_logout(w->au, sid, clock_now());
		snprintf(cookie, sizeof cookie, COOKIE "=; Path=" PREFIX "; HttpOnly; SameSite=Strict; Max-Age=0%s",
		         w->secure ? "; Secure" : "");
		return redirect(c, PREFIX "/login", cookie);
	}
	if (!post && (!strcmp(path, "") || !strcmp(path, "/")))
		return redirect(c, PREFIX "/inbox", NULL);
	if (!post && !strcmp(path, "/inbox"))
		return inbox(w, c, &s, en);
	if (!post && !strcmp(path, "/fleet"))
		return fleet(w, c, &s, en);
	if (!post && !strcmp(path, "/reports"))
		return reports(w, c, &s, en);
	if (!post && !strcmp(path, "/audit"))
		return audit_page(w, c, &s, en);
	if (!strncmp(path, "/s/", 3)) {
		const char *id = path + 3, *slash = strchr(id, '/');
		size_t n = slash ? (size_t)(slash - id) : strlen(id);
		char idbuf[40];
		if (!id_ok(id, n))
			return message_page(c, en, &s, MHD_HTTP_NOT_FOUND, "notfound");
		memcpy(idbuf, id, n);
		idbuf[n] = '\0';
		if (!post && !slash) {
			const char *msg = arg(c, "msg");
			return submission(w, c, &s, en, idbuf, MHD_HTTP_OK, msg && !strcmp(msg, "saved") ? "saved" : NULL);
		}
		if (post && slash)
			return change(w, c, &s, en, idbuf, slash + 1, q);
	}
	return message_page(c, en, &s, MHD_HTTP_NOT_FOUND, "notfound");
}

enum MHD_Result staff_web_request(staff_web *w, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *upload, size_t *upload_size, void **state)
{
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool post = !strcmp(method, MHD_HTTP_METHOD_POST);
	sreq *q = *state;

	if (!get && !post) {
		static const char m[] = "method not allowed\n";
		return send_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, m, strlen(m), NULL, NULL, NULL);
	}
	if (!*state) {
		if (get) {
			*state = &get_marker_staff;
			return MHD_YES;
		}
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > BODY_LIMIT)) {
			static const char m[] = "request too large\n";
			return send_reply(c, MHD_HTTP_CONTENT_TOO_LARGE, m, strlen(m), NULL, NULL, NULL);
		}
		if (!(q = calloc(1, sizeof *q)))
			return MHD_NO;
		*state = q;
		return MHD_YES;
	}
	if (*upload_size) {
		if (post && !q->too_big && *upload_size <= BODY_LIMIT - q->len) {
			char *nb = realloc(q->body, q->len + *upload_size + 1);
			if (!nb)
				return MHD_NO;
			q->body = nb;
			memcpy(q->body + q->len, upload, *upload_size);
			q->len += *upload_size;
			q->body[q->len] = '\0';
		} else if (post) {
			q->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (post && q->too_big) {
		static const char m[] = "request too large\n";
		return send_reply(c, MHD_HTTP_CONTENT_TOO_LARGE, m, strlen(m), NULL, NULL, NULL);
	}
	return dispatch(w, c, url, post, post ? q : NULL);
}

void staff_web_done(void **state)
{
	if (*state && *state != (void *)&get_marker_staff) {
		sreq *q = *state;
		if (q->body) {
			sodium_memzero(q->body, q->len);
			free(q->body);
		}
		free(q);
	}
	*state = NULL;
}

staff_web *staff_web_new(const char *path, int idle_min, bool secure, char *err, size_t errlen)
{
	staff_web *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "staff pages: out of memory");
		return NULL;
	}
	w->secure = secure;
	if (!(w->st = store_open_sqlite(path, err, errlen)) || !(w->au = auth_open(path, idle_min, err, errlen))) {
		staff_web_free(w);
		return NULL;
	}
	return w;
}

void staff_web_free(staff_web *w)
{
	if (!w)
		return;
	auth_close(w->au);
	store_close(w->st);
	free(w);
}
