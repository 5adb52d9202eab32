/* http.c - the collector's follow-up web server (libmicrohttpd).
 *
 * One libmicrohttpd daemon with its own polling thread; every callback
 * runs on that one thread, so the store connection (opened in http_start
 * for this thread alone) and the rate-limit table need no locks.  Four
 * routes: the follow-up page, its JSON lookup, the same lookup for a page
 * without JavaScript (a form POST answered with a server-rendered page),
 * and /healthz.  A lookup always costs one hash and one store query:
 * a well-formed code is hashed as code.h says, anything else is hashed
 * under another key, and both go to the store, so an unknown code and a
 * malformed one take the same path and get the same {"found":false}.  The
 * code and its hash live only in the request's body buffer and on the
 * stack of that path, wiped after use, and are never logged: the only
 * lines logged are server errors (the store failing, out of memory).
 *
 * The page is one self-contained document built per request from fixed
 * parts: inline CSS and an inline script whose SHA-256 hashes, computed in
 * http_start, are the only sources the Content-Security-Policy allows.
 * Its words come from one table (texts[] below), rendered by the server
 * and handed to the script as a dictionary so the VI/EN switch swaps them
 * in place; the script builds its DOM with textContent only.
 *
 * Rate limiting: a token bucket per client address (IPv4, or the /64 of
 * an IPv6 address, which one subscriber typically holds whole), refilled
 * at rate_per_min per minute up to a burst of rate_per_min, kept in a
 * fixed table of 512 sets of 8 entries indexed by a keyed SipHash of the
 * address (so a client cannot aim its addresses at one set); a new address
 * takes a free entry of its set or the one seen longest ago.  Only code
 * lookups are counted: the page and /healthz cost no store secret. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <microhttpd.h>
#include <sodium.h>

#include "collector/http.h"
#include "collector/staff_web.h"
#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/log.h"
#include "tramtin/store.h"

#define BODY_MAX       1024 /* bytes of a POST body; larger: 413 */
#define CODE_INPUT_MAX 64   /* longer inputs are malformed codes */
#define PATH_MAX_LEN   127
#define API_TRACK      "/api/track"
#define HEALTHZ        "/healthz"
#define RL_SETS        512
#define RL_WAYS        8
#define RL_UNIT        60000u /* bucket units per token: refill is rate units per ms */
#define RATE_DEFAULT   30

/* ------------------------------------------------------------------ texts */

typedef struct phrase {
	const char *key, *vi, *en;
} phrase;

static const phrase texts[] = {
    {"title", "Tra cứu kết quả – Trạm tin", "Follow-up – Tramtin"},
    {"h1", "Tra cứu kết quả", "Follow-up"},
    {"switch", "English", "Tiếng Việt"},
    {"intro", "Nhập mã tra cứu in trên phiếu của bạn để xem tình trạng và câu trả lời.",
     "Enter the tracking code printed on your receipt to see the status and the answer."},
    {"code_label", "Mã tra cứu", "Tracking code"},
    {"submit", "Tra cứu", "Look up"},
    {"loading", "Đang tra cứu…", "Looking up…"},
    {"notfound", "Không tìm thấy mã này. Hãy kiểm tra lại mã trên phiếu.",
     "This code was not found. Please check the code on your receipt."},
    {"limited", "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.",
     "Too many lookups. Please try again in a few minutes."},
    {"error", "Không tra cứu được lúc này. Vui lòng thử lại sau.",
     "The lookup is not available now. Please try again later."},
    {"status", "Tình trạng", "Status"},
    {"kind", "Loại", "Type"},
    {"received", "Ngày nhận", "Received"},
    {"updated", "Cập nhật lần cuối", "Last updated"},
    {"accept_due", "Hạn thụ lý", "Acceptance due"},
    {"settle_due", "Hạn giải quyết", "Resolution due"},
    {"overdue", "Đã quá hạn", "Overdue"},
    {"answer", "Trả lời của cơ quan", "Answer from the authority"},
    {"no_answer", "Chưa có câu trả lời.", "No answer yet."},
    {"note", "Giữ kín mã tra cứu: ai có mã đều xem được kết quả.",
     "Keep your tracking code private: anyone who has it can see the result."},
    {"st_received", "Đã nhận", "Received"},
    {"st_accepted", "Đã thụ lý", "Accepted"},
    {"st_not_accepted", "Không thụ lý", "Not accepted"},
    {"st_assigned", "Đã chuyển cơ quan giải quyết", "Sent to the responsible agency"},
    {"st_in_progress", "Đang giải quyết", "Being resolved"},
    {"st_responded", "Đã trả lời", "Responded"},
    {"st_closed", "Đã kết thúc", "Closed"},
    {"st_reopened", "Mở lại", "Reopened"},
    {"kind_feedback", "Góp ý", "Feedback"},
    {"kind_complaint", "Phản ánh ẩn danh", "Anonymous complaint"},
    {"kind_objection", "Phản ánh về thông báo", "Objection to a notice"},
    {"kind_survey", "Khảo sát", "Survey"},
};

/* The text for key in the language, or NULL if there is none. */
static const char *tr(const char *key, bool en)
{
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (!strcmp(texts[i].key, key))
			return en ? texts[i].en : texts[i].vi;
	return NULL;
}

/* Which deadline matters while an item is in status s ("accept_due",
 * "settle_due"), or NULL once it has been answered or closed. */
static const char *due_key(store_status s)
{
	switch (s) {
	case ST_RECEIVED:
	case ST_REOPENED: /* reopened: a new acceptance clock (store.c) */
		return "accept_due";
	case ST_ACCEPTED:
	case ST_ASSIGNED:
	case ST_IN_PROGRESS:
		return "settle_due";
	default:
		return NULL;
	}
}

/* ---------------------------------------------------------- string buffer */

typedef struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Appends s with &, <, >, " and ' escaped (text and attribute values). */
static void sb_html(sbuf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&':
			sb_puts(b, "&amp;");
			break;
		case '<':
			sb_puts(b, "&lt;");
			break;
		case '>':
			sb_puts(b, "&gt;");
			break;
		case '"':
			sb_puts(b, "&quot;");
			break;
		case '\'':
			sb_puts(b, "&#39;");
			break;
		default:
			sb_add(b, p, 1);
		}
	}
}

/* The buffer may hold an answer or a typed code: wiped before it goes. */
static void sb_free(sbuf *b)
{
	if (b->p)
		sodium_memzero(b->p, b->cap);
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------------ dates */

/* Writes t as a Vietnamese local date, "YYYY-MM-DD" (iso) or "DD/MM/YYYY";
 * false (and "") for 0, which the store uses for "none". */
static bool fmt_date(int64_t t, bool iso, char out[16])
{
	int y, m, d, hh, mm, wd;
	out[0] = '\0';
	if (t == 0)
		return false;
	clock_civil(t, CLOCK_TZ_VN_MIN, &y, &m, &d, &hh, &mm, &wd);
	if (y < 0 || y > 9999)
		return false;
	if (iso)
		snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
	else
		snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
	return true;
}

/* ------------------------------------------------------------ rate limit */

typedef struct rl_entry {
	unsigned char key[16];
	uint64_t seen_ms; /* last request, and the time tokens were counted at */
	uint64_t units;   /* tokens * RL_UNIT */
	bool used;
} rl_entry;

typedef struct rl_table {
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	rl_entry e[RL_SETS][RL_WAYS];
} rl_table;

static void rl_init(rl_table *t)
{
	memset(t, 0, sizeof *t);
	randombytes_buf(t->hkey, sizeof t->hkey);
}

/* The client's bucket key: IPv4 as ::ffff:a.b.c.d (also when it arrives
 * IPv4-mapped), IPv6 by its /64.  An unknown family gets the zero key. */
static void rl_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			memcpy(key, &in6->sin6_addr, 16);
		else
			memcpy(key, &in6->sin6_addr, 8);
	}
}

/* Takes one token from key's bucket at now_ms (rate tokens per minute,
 * burst rate).  Returns true if the request may go on; otherwise false
 * with *retry_s the seconds until a token is back (at least 1). */
static bool rl_take(rl_table *t, const unsigned char key[16], uint64_t now_ms, int rate, unsigned *retry_s)
{
	uint64_t h, cap = (uint64_t)rate * RL_UNIT;
	rl_entry *set, *hit = NULL, *victim = NULL;

	crypto_shorthash((unsigned char *)&h, key, 16, t->hkey);
	set = t->e[h % RL_SETS];
	for (int i = 0; i < RL_WAYS; i++) {
		rl_entry *e = &set[i];
		if (e->used && !memcmp(e->key, key, 16)) {
			hit = e;
			break;
		}
		if (!victim || (victim->used && (!e->used || e->seen_ms < victim->seen_ms)))
			victim = e;
	}
	if (!hit) {
		/* A bucket we forgot (or never saw) is a full one. */
		hit = victim;
		memcpy(hit->key, key, 16);
		hit->used = true;
		hit->units = cap;
		hit->seen_ms = now_ms;
	} else if (hit->units > cap) {
		hit->units = cap; /* only if the rate ever changed */
	}
	if (now_ms > hit->seen_ms) {
		/* exact: rate units per millisecond, nothing rounded away */
		uint64_t add = (now_ms - hit->seen_ms) * (uint64_t)rate;
		hit->units = add >= cap - hit->units ? cap : hit->units + add;
		hit->seen_ms = now_ms;
	}
	if (hit->units >= RL_UNIT) {
		hit->units -= RL_UNIT;
		return true;
	}
	if (retry_s) {
		uint64_t ms = (RL_UNIT - hit->units + (uint64_t)rate - 1) / (uint64_t)rate;
		*retry_s = (unsigned)((ms + 999) / 1000);
		if (*retry_s == 0)
			*retry_s = 1;
	}
	return false;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---------------------------------------------------------- request bodies */

/* Copies the "code" string of a JSON body {"code":"..."} into out (at most
 * CODE_INPUT_MAX bytes; *too_long if it had more).  False if the body is
 * not a JSON object with a string "code".  The parsed copy is wiped. */
static bool body_json_code(const char *body, size_t len, char out[CODE_INPUT_MAX + 1], bool *too_long)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "code");
	bool ok = cJSON_IsObject(j) && cJSON_IsString(c) && c->valuestring;

	out[0] = '\0';
	*too_long = false;
	if (ok) {
		size_t n = strlen(c->valuestring);
		*too_long = n > CODE_INPUT_MAX;
		if (n > CODE_INPUT_MAX)
			n = CODE_INPUT_MAX;
		memcpy(out, c->valuestring, n);
		out[n] = '\0';
		sodium_memzero(c->valuestring, strlen(c->valuestring));
	}
	cJSON_Delete(j);
	return ok;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Finds field name in an application/x-www-form-urlencoded body and
 * decodes its value into out (outlen bytes; *too_long if it did not fit).
 * Returns false if the field is absent.  A malformed escape is kept as
 * typed (the code reading then refuses it). */
static bool form_field(const char *body, size_t len, const char *name, char *out, size_t outlen, bool *too_long)
{
	size_t nlen = strlen(name);
	const char *p = body, *end = body + len;

	out[0] = '\0';
	*too_long = false;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *fend = amp ? amp : end;
		if ((size_t)(fend - p) > nlen && !memcmp(p, name, nlen) && p[nlen] == '=') {
			size_t n = 0;
			for (const char *q = p + nlen + 1; q < fend; q++) {
				char c = *q;
				if (c == '+') {
					c = ' ';
				} else if (c == '%' && fend - q > 2 && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
					c = (char)(hexval(q[1]) * 16 + hexval(q[2]));
					q += 2;
				}
				if (c == '\0' || n + 1 >= outlen) {
					*too_long = true; /* or a NUL inside: malformed either way */
					break;
				}
				out[n++] = c;
			}
			out[n] = '\0';
			return true;
		}
		if ((size_t)(fend - p) == nlen && !memcmp(p, name, nlen))
			return true; /* "name" without '=': present and empty */
		p = fend + 1;
	}
	return false;
}

/* ---------------------------------------------------------------- server */

struct http_server {
	struct MHD_Daemon *d;
	store *st;
	int rate;
	char path[PATH_MAX_LEN + 1];
	char *script; /* the page's inline script (dictionary included) */
	char csp[512];
	char start_msg[256]; /* libmicrohttpd's last word while starting */
	atomic_bool started; /* set once MHD_start_daemon returned */
	rl_table *rl;
	staff_web *staff; /* the staff pages, or NULL */
	char *tls_cert, *tls_key; /* PEM text, kept while serving */
};

/* The request in progress on one connection (POST routes). */
typedef struct req {
	bool staff;        /* a staff page's request: its own state below */
	void *staff_state;
	size_t len;
	bool too_big;
	char body[BODY_MAX + 1];
} req;

enum route { R_NONE, R_PAGE, R_TRACK, R_HEALTH };

/* *con_cls of a GET between its calls (nothing allocated). */
static char get_marker;

/* Hashes a malformed code under a key of its own: the same work as a
 * well-formed one, and a hash no stored code can have. */
static const unsigned char dummy_key[16] = {'t', 'r', 'a', 'm', 't', 'i', 'n', '-',
                                            'h', 't', 't', 'p', '-', 'b', 'a', 'd'};

/* Looks up what was typed: always one hash and one store query.  Returns
 * TT_OK with *out filled (the caller clears it), TT_ERR_NOTFOUND for an
 * unknown or malformed code, or the store's error. */
static tt_err lookup(http_server *h, const char *typed, bool too_long, store_record *out)
{
	char hash[CODE_HASH_HEX + 1];
	bool valid = !too_long && code_hash(typed, hash);
	tt_err e;

	memset(out, 0, sizeof *out);
	if (!valid) {
		unsigned char d[CODE_HASH_HEX / 2];
		crypto_generichash(d, sizeof d, (const unsigned char *)typed, strlen(typed), dummy_key,
		                   sizeof dummy_key);
		sodium_bin2hex(hash, sizeof hash, d, sizeof d);
		sodium_memzero(d, sizeof d);
	}
	e = store_get_by_code_hash(h->st, hash, clock_now(), out);
	sodium_memzero(hash, sizeof hash);
	if (e == TT_OK && !valid) {
		store_record_clear(out);
		e = TT_ERR_NOTFOUND;
	}
	if (e != TT_OK && e != TT_ERR_NOTFOUND)
		store_record_clear(out);
	return e;
}

/* The JSON answer for a found record: exactly the fields of the contract,
 * nothing of the submission itself.  NULL when out of memory. */
static char *track_json(const store_record *r)
{
	cJSON *o = cJSON_CreateObject();
	char key[32], d[16];
	const char *name = store_status_name(r->status);
	char *s = NULL;

	if (!o)
		return NULL;
	snprintf(key, sizeof key, "st_%s", name ? name : "");
	cJSON_AddTrueToObject(o, "found");
	cJSON_AddStringToObject(o, "status", name ? name : "");
	cJSON_AddStringToObject(o, "status_vi", tr(key, false) ? tr(key, false) : (name ? name : ""));
	cJSON_AddStringToObject(o, "status_en", tr(key, true) ? tr(key, true) : (name ? name : ""));
#define DATE(field)                                                                                                    \
	if (fmt_date(r->field, true, d))                                                                               \
		cJSON_AddStringToObject(o, #field, d);                                                                 \
	else                                                                                                           \
		cJSON_AddNullToObject(o, #field);
	DATE(received)
	DATE(updated)
	DATE(accept_due)
	DATE(settle_due)
#undef DATE
	cJSON_AddBoolToObject(o, "overdue", r->overdue);
	if (r->answer && r->answer[0])
		cJSON_AddStringToObject(o, "answer", r->answer);
	else
		cJSON_AddNullToObject(o, "answer");
	cJSON_AddStringToObject(o, "kind", r->kind);
	/* Out of memory half-way would leave fields out: all eleven or none. */
	if (cJSON_GetArraySize(o) == 11)
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* ------------------------------------------------------------------ page */

static const char page_style[] =
    "html{font-size:20px;-webkit-text-size-adjust:100%}"
    "body{margin:0;font-family:\"Noto Sans\",Roboto,Arial,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}"
    "header{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1rem;background:#8c4a12;"
    "color:#fff}"
    "h1{font-size:1.3rem;margin:0 .5rem 0 0}"
    "#lang{color:#fff;border:2px solid #fff;border-radius:.4rem;padding:.3rem .7rem;text-decoration:none;"
    "font-weight:bold;white-space:nowrap}"
    "main{max-width:34rem;margin:0 auto;padding:1rem}"
    "label{display:block;font-weight:bold;margin:.8rem 0 .3rem}"
    "input{box-sizing:border-box;width:100%;font-size:1.3rem;padding:.5rem;border:2px solid #555;"
    "border-radius:.4rem;font-family:monospace;text-transform:uppercase}"
    "button{margin-top:.7rem;width:100%;font-size:1.2rem;padding:.7rem;border:0;border-radius:.4rem;"
    "background:#8c4a12;color:#fff;font-weight:bold}"
    ".res{margin-top:1.2rem;padding:1rem;border:2px solid #ccc;border-radius:.5rem}"
    ".code{font-family:monospace;font-size:1.2rem;margin:0 0 .5rem;word-break:break-all}"
    ".st{font-size:1.4rem;font-weight:bold;margin:.2rem 0 .6rem;color:#0b5a1e}"
    ".msg{font-size:1.1rem;margin:.3rem 0}"
    "dl{margin:0}dt{color:#444;font-size:.9rem;margin-top:.4rem}dd{margin:0;font-weight:bold}"
    ".late{color:#b00020;font-weight:bold}"
    "h2{font-size:1.1rem;margin:1rem 0 .3rem}"
    ".ans{white-space:pre-wrap;background:#f4f1ea;padding:.7rem;border-radius:.4rem;margin:0}"
    ".note{color:#555;font-size:.85rem;margin-top:1.5rem}"
    "@media (max-width:359px){html{font-size:16px}}";

/* ES5 and XMLHttpRequest on purpose: old phone browsers.  T (the
 * dictionary) goes between the two halves; DOM built with textContent. */
static const char script_head[] = "(function(){\"use strict\";var T=";
static const char script_tail[] =
    ";var d=document,lang=d.documentElement.lang==='en'?'en':'vi';"
    "function $(i){return d.getElementById(i);}"
    "var form=$('f'),base=form.getAttribute('action').replace(/\\?.*$/,'');"
    "if(!/[?&]lang=/.test(location.search))try{var "
    "s=localStorage.getItem('tt-lang');if(s==='en'||s==='vi')lang=s;}catch(e){}"
    "function apply(){var D=T[lang],l=d.querySelectorAll('[data-t]');"
    "for(var i=0;i<l.length;i++){var k=l[i].getAttribute('data-t');if(D.hasOwnProperty(k))l[i].textContent=D[k];}"
    "d.documentElement.lang=lang;var o=lang==='vi'?'en':'vi';"
    "$('lang').setAttribute('href',base+'?lang='+o);$('lang').setAttribute('hreflang',o);"
    "form.setAttribute('action',base+(lang==='en'?'?lang=en':''));}"
    "function norm(s){s=String(s).toUpperCase().replace(/[\\s-]/g,'').replace(/[IL]/g,'1').replace(/O/g,'0');"
    "return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(s)?s:null;}"
    "function group(s){return s.slice(0,4)+'-'+s.slice(4,8)+'-'+s.slice(8,12)+'-'+s.slice(12);}"
    "function el(t,c,k,x){var e=d.createElement(t);if(c)e.className=c;if(k)e.setAttribute('data-t',k);"
    "if(x!=null)e.textContent=x;return e;}"
    "function dmy(s){var m=/^(\\d{4})-(\\d\\d)-(\\d\\d)$/.exec(s||'');return m?m[3]+'/'+m[2]+'/'+m[1]:null;}"
    "function due(s){return s==='received'?'accept_due':(s==='accepted'||s==='assigned'||s==='in_progress'||"
    "s==='reopened')?'settle_due':null;}"
    "function render(r,shown){var out=$('out');while(out.firstChild)out.removeChild(out.firstChild);"
    "var s=el('section','res');s.appendChild(el('p','code',null,shown));"
    "if(r.wait)s.appendChild(el('p','msg','loading'));"
    "else if(r.limited)s.appendChild(el('p','msg','limited'));"
    "else if(r.error||typeof r.found!=='boolean')s.appendChild(el('p','msg','error'));"
    "else if(!r.found)s.appendChild(el('p','msg','notfound'));"
    "else{s.appendChild(el('p','st','st_'+r.status,r['status_'+lang]||r.status));"
    "var dl=el('dl'),row=function(k,v,vk){if(v==null)return;dl.appendChild(el('dt',null,k));"
    "dl.appendChild(el('dd',null,vk||null,v));};"
    "row('kind',r.kind,'kind_'+r.kind);row('received',dmy(r.received));row('updated',dmy(r.updated));"
    "var k=due(r.status);if(k)row(k,dmy(r[k]));s.appendChild(dl);"
    "if(r.overdue)s.appendChild(el('p','late','overdue'));"
    "s.appendChild(el('h2',null,'answer'));"
    "s.appendChild(r.answer!=null?el('p','ans',null,r.answer):el('p','msg','no_answer'));}"
    "out.appendChild(s);apply();}"
    "var seq=0;function lookup(raw){var n=norm(raw),shown=n?group(n):raw,my=++seq;$('code').value=shown;"
    "render({wait:true},shown);var x=new XMLHttpRequest();x.open('POST','/api/track',true);"
    "x.setRequestHeader('Content-Type','application/json');"
    "x.onreadystatechange=function(){if(x.readyState!==4||my!==seq)return;var r=null;"
    "try{r=JSON.parse(x.responseText);}catch(e){}"
    "if(x.status===200&&r)render(r,shown);else if(x.status===429)render({limited:true},shown);"
    "else render({error:true},shown);};x.send(JSON.stringify({code:raw}));}"
    "function fromHash(){var h=location.hash.replace(/^#/,'');try{h=decodeURIComponent(h);}catch(e){}"
    "if(h)lookup(h);}"
    "$('lang').onclick=function(){lang=lang==='vi'?'en':'vi';"
    "try{localStorage.setItem('tt-lang',lang);}catch(e){}apply();return false;};"
    "form.onsubmit=function(){var v=$('code').value,n=norm(v);if(!v)return false;"
    "if(history.replaceState)try{history.replaceState(null,'',n?'#'+group(n):location.pathname+location.search);}catch("
    "e){}"
    "lookup(v);return false;};"
    "window.onhashchange=fromHash;apply();fromHash();})();";

/* Builds the script (the dictionary from texts[]) and the CSP with the
 * hashes of the script and the style.  False when out of memory. */
static bool page_prepare(http_server *h)
{
	cJSON *dict = cJSON_CreateObject(), *vi = cJSON_AddObjectToObject(dict, "vi"),
	      *en = cJSON_AddObjectToObject(dict, "en");
	unsigned char dg[crypto_hash_sha256_BYTES];
	char sh[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	char ch[sizeof sh];
	char *json = NULL;
	sbuf b = {0};
	bool ok = false;

	if (!vi || !en)
		goto cleanup;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (!cJSON_AddStringToObject(vi, texts[i].key, texts[i].vi) ||
		    !cJSON_AddStringToObject(en, texts[i].key, texts[i].en))
			goto cleanup;
	json = cJSON_PrintUnformatted(dict);
	if (!json)
		goto cleanup;
	sb_puts(&b, script_head);
	sb_puts(&b, json);
	sb_puts(&b, script_tail);
	if (b.oom)
		goto cleanup;
	crypto_hash_sha256(dg, (const unsigned char *)b.p, b.len);
	sodium_bin2base64(sh, sizeof sh, dg, sizeof dg, sodium_base64_VARIANT_ORIGINAL);
	crypto_hash_sha256(dg, (const unsigned char *)page_style, strlen(page_style));
	sodium_bin2base64(ch, sizeof ch, dg, sizeof dg, sodium_base64_VARIANT_ORIGINAL);
	/* 'unsafe-inline' is for CSP1 browsers only: a browser that knows
	 * hashes ignores it. */
	snprintf(h->csp, sizeof h->csp,
	         "default-src 'none'; script-src 'sha256-%s' 'unsafe-inline'; style-src 'sha256-%s' 'unsafe-inline'; "
	         "connect-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	         sh, ch);
	h->script = b.p;
	b.p = NULL;
	ok = true;
cleanup:
	free(b.p);
	free(json);
	cJSON_Delete(dict);
	return ok;
}

enum view { V_FORM, V_FOUND, V_NOTFOUND, V_LIMITED, V_ERROR };

static void sb_t(sbuf *b, const char *tag, const char *cls, const char *key, bool en)
{
	sb_puts(b, "<");
	sb_puts(b, tag);
	if (cls) {
		sb_puts(b, " class=\"");
		sb_puts(b, cls);
		sb_puts(b, "\"");
	}
	sb_puts(b, " data-t=\"");
	sb_puts(b, key);
	sb_puts(b, "\">");
	sb_html(b, tr(key, en));
	sb_puts(b, "</");
	sb_puts(b, tag);
	sb_puts(b, ">");
}

/* A definition row: label (a text key) and a value (escaped), with the
 * value's own text key if it has one. */
static void sb_row(sbuf *b, const char *key, const char *value, const char *value_key, bool en)
{
	sb_t(b, "dt", NULL, key, en);
	if (value_key && tr(value_key, en)) {
		sb_t(b, "dd", NULL, value_key, en);
	} else {
		sb_puts(b, "<dd>");
		sb_html(b, value);
		sb_puts(b, "</dd>");
	}
}

/* The result block of a server-rendered page: the same markup the script
 * builds, so the VI/EN switch works on it too. */
static void page_result(sbuf *b, bool en, enum view v, const store_record *r, const char *shown)
{
	char d[16], key[48];

	sb_puts(b, "<section class=\"res\"><p class=\"code\">");
	sb_html(b, shown);
	sb_puts(b, "</p>");
	switch (v) {
	case V_NOTFOUND:
		sb_t(b, "p", "msg", "notfound", en);
		break;
	case V_LIMITED:
		sb_t(b, "p", "msg", "limited", en);
		break;
	case V_ERROR:
		sb_t(b, "p", "msg", "error", en);
		break;
	case V_FOUND: {
		const char *name = store_status_name(r->status);
		snprintf(key, sizeof key, "st_%s", name ? name : "");
		if (tr(key, en)) {
			sb_t(b, "p", "st", key, en);
		} else {
			sb_puts(b, "<p class=\"st\">");
			sb_html(b, name ? name : "");
			sb_puts(b, "</p>");
		}
		sb_puts(b, "<dl>");
		snprintf(key, sizeof key, "kind_%s", r->kind);
		sb_row(b, "kind", r->kind, key, en);
		if (fmt_date(r->received, false, d))
			sb_row(b, "received", d, NULL, en);
		if (fmt_date(r->updated, false, d))
			sb_row(b, "updated", d, NULL, en);
		const char *due = due_key(r->status);
		if (due && fmt_date(!strcmp(due, "accept_due") ? r->accept_due : r->settle_due, false, d))
			sb_row(b, due, d, NULL, en);
		sb_puts(b, "</dl>");
		if (r->overdue)
			sb_t(b, "p", "late", "overdue", en);
		sb_t(b, "h2", NULL, "answer", en);
		if (r->answer && r->answer[0]) {
			sb_puts(b, "<p class=\"ans\">");
			sb_html(b, r->answer);
			sb_puts(b, "</p>");
		} else {
			sb_t(b, "p", "msg", "no_answer", en);
		}
		break;
	}
	default:
		break;
	}
	sb_puts(b, "</section>");
}

/* The whole page; v V_FORM has no result block.  shown: the code as it
 * is shown back (escaped here), "" for none. */
static void page_render(sbuf *b, const http_server *h, bool en, enum view v, const store_record *r, const char *shown)
{
	sb_puts(b, "<!DOCTYPE html>\n<html lang=\"");
	sb_puts(b, en ? "en" : "vi");
	sb_puts(b, "\"><head><meta charset=\"utf-8\">"
	           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	           "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\">"
	           "<link rel=\"icon\" href=\"data:,\">");
	sb_t(b, "title", NULL, "title", en);
	sb_puts(b, "<style>");
	sb_puts(b, page_style);
	sb_puts(b, "</style></head><body><header>");
	sb_t(b, "h1", NULL, "h1", en);
	sb_puts(b, "<a id=\"lang\" href=\"");
	sb_html(b, h->path);
	sb_puts(b, en ? "?lang=vi\" hreflang=\"vi\"" : "?lang=en\" hreflang=\"en\"");
	sb_puts(b, " data-t=\"switch\">");
	sb_html(b, tr("switch", en));
	sb_puts(b, "</a></header><main>");
	sb_t(b, "p", NULL, "intro", en);
	sb_puts(b, "<form id=\"f\" method=\"post\" action=\"");
	sb_html(b, h->path);
	if (en)
		sb_puts(b, "?lang=en");
	sb_puts(b, "\" autocomplete=\"off\">");
	sb_puts(b, "<label for=\"code\" data-t=\"code_label\">");
	sb_html(b, tr("code_label", en));
	sb_puts(b, "</label><input id=\"code\" name=\"code\" type=\"text\" maxlength=\"40\" required "
	           "autocapitalize=\"characters\" autocomplete=\"off\" autocorrect=\"off\" spellcheck=\"false\" "
	           "placeholder=\"XXXX-XXXX-XXXX-XXXX\" value=\"");
	sb_html(b, shown);
	sb_puts(b, "\">");
	sb_t(b, "button", NULL, "submit", en);
	sb_puts(b, "</form><div id=\"out\" aria-live=\"polite\">");
	if (v != V_FORM)
		page_result(b, en, v, r, shown);
	sb_puts(b, "</div>");
	sb_t(b, "p", "note", "note", en);
	sb_puts(b, "</main><script>");
	sb_puts(b, h->script);
	sb_puts(b, "</script></body></html>\n");
}

/* -------------------------------------------------------------- replies */

static enum MHD_Result reply(const http_server *h, struct MHD_Connection *c, unsigned status, const char *ctype,
                             const char *body, size_t len, const char *allow, unsigned retry_s)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	char num[16];

	if (!r) {
		tt_error("http: out of memory for a response");
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, "Content-Security-Policy", h->csp);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (retry_s) {
		snprintf(num, sizeof num, "%u", retry_s);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

#define CT_TEXT            "text/plain; charset=utf-8"
#define CT_JSON            "application/json; charset=utf-8"
#define CT_HTML            "text/html; charset=utf-8"
#define METHOD_NOT_ALLOWED "method not allowed\n"
#define TOO_MANY           "{\"error\":\"too_many_requests\"}"

static enum MHD_Result reply_str(const http_server *h, struct MHD_Connection *c, unsigned status, const char *ctype,
                                 const char *body)
{
	return reply(h, c, status, ctype, body, strlen(body), NULL, 0);
}

static enum MHD_Result reply_page(const http_server *h, struct MHD_Connection *c, unsigned status, bool en, enum view v,
                                  const store_record *r, const char *shown, unsigned retry_s)
{
	sbuf b = {0};
	enum MHD_Result ret;

	page_render(&b, h, en, v, r, shown);
	if (b.oom) {
		sb_free(&b);
		tt_error("http: out of memory for the page");
		return MHD_NO;
	}
	ret = reply(h, c, status, CT_HTML, b.p, b.len, NULL, retry_s);
	sb_free(&b);
	return ret;
}

static bool want_en(struct MHD_Connection *c)
{
	const char *l = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
	return l && !strcmp(l, "en");
}

/* ------------------------------------------------------------- handlers */

static enum MHD_Result handle_track(http_server *h, struct MHD_Connection *c, const req *q)
{
	char code[CODE_INPUT_MAX + 1];
	bool too_long;
	store_record r;
	enum MHD_Result ret;
	tt_err e;

	if (!body_json_code(q->body, q->len, code, &too_long))
		return reply_str(h, c, MHD_HTTP_BAD_REQUEST, CT_JSON, "{\"error\":\"bad_request\"}");
	e = lookup(h, code, too_long, &r);
	sodium_memzero(code, sizeof code);
	if (e == TT_ERR_NOTFOUND)
		return reply_str(h, c, MHD_HTTP_OK, CT_JSON, "{\"found\":false}");
	if (e != TT_OK) {
		tt_error("http: track lookup failed: %s", tt_strerror(e));
		return reply_str(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, CT_JSON, "{\"error\":\"unavailable\"}");
	}
	char *json = track_json(&r);
	store_record_clear(&r);
	if (!json) {
		tt_error("http: out of memory for a track answer");
		return MHD_NO;
	}
	ret = reply_str(h, c, MHD_HTTP_OK, CT_JSON, json);
	sodium_memzero(json, strlen(json));
	free(json);
	return ret;
}

static enum MHD_Result handle_form(http_server *h, struct MHD_Connection *c, const req *q)
{
	char code[CODE_INPUT_MAX + 1], norm[CODE_LEN + 1], shown[CODE_INPUT_MAX + 1];
	bool too_long, en = want_en(c);
	store_record r;
	enum MHD_Result ret;
	tt_err e;

	if (!form_field(q->body, q->len, "code", code, sizeof code, &too_long) || !code[0])
		return reply_page(h, c, MHD_HTTP_OK, en, V_FORM, NULL, "", 0);
	/* Shown back grouped when it reads as a code, else as typed. */
	if (!too_long && code_normalise(code, norm))
		code_group(norm, shown);
	else
		snprintf(shown, sizeof shown, "%s", code);
	e = lookup(h, code, too_long, &r);
	sodium_memzero(code, sizeof code);
	sodium_memzero(norm, sizeof norm);
	if (e == TT_OK) {
		ret = reply_page(h, c, MHD_HTTP_OK, en, V_FOUND, &r, shown, 0);
		store_record_clear(&r);
	} else if (e == TT_ERR_NOTFOUND) {
		ret = reply_page(h, c, MHD_HTTP_OK, en, V_NOTFOUND, NULL, shown, 0);
	} else {
		tt_error("http: track lookup failed: %s", tt_strerror(e));
		ret = reply_page(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, en, V_ERROR, NULL, shown, 0);
	}
	sodium_memzero(shown, sizeof shown);
	return ret;
}

static enum MHD_Result handle_health(http_server *h, struct MHD_Connection *c)
{
	static const char zero_hash[CODE_HASH_HEX + 1] = "00000000000000000000000000000000";
	store_record r;
	tt_err e = store_get_by_code_hash(h->st, zero_hash, clock_now(), &r);

	if (e == TT_OK)
		store_record_clear(&r);
	if (e == TT_OK || e == TT_ERR_NOTFOUND)
		return reply_str(h, c, MHD_HTTP_OK, CT_TEXT, "ok\n");
	tt_error("http: health check: the store does not answer: %s", tt_strerror(e));
	return reply_str(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, CT_TEXT, "unavailable\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	http_server *h = cls;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool post = !strcmp(method, MHD_HTTP_METHOD_POST);
	enum route rt = !strcmp(url, h->path)     ? R_PAGE
	                : !strcmp(url, API_TRACK) ? R_TRACK
	                : !strcmp(url, HEALTHZ)   ? R_HEALTH
	                                          : R_NONE;
	req *q = *con_cls;

	(void)version;
	if (h->staff && staff_web_owns(url)) {
		if (!q) {
			if (!(q = calloc(1, sizeof *q)))
				return MHD_NO;
			q->staff = true;
			*con_cls = q;
		}
		return staff_web_request(h->staff, c, url, method, upload, upload_size, &q->staff_state);
	}
	if (rt == R_NONE)
		return reply_str(h, c, MHD_HTTP_NOT_FOUND, CT_TEXT, "not found\n");
	if (rt == R_PAGE && !get && !post)
		return reply(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, CT_TEXT, METHOD_NOT_ALLOWED, strlen(METHOD_NOT_ALLOWED),
		             "GET, HEAD, POST", 0);
	if (rt == R_TRACK && !post)
		return reply(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, CT_TEXT, METHOD_NOT_ALLOWED, strlen(METHOD_NOT_ALLOWED),
		             "POST", 0);
	if (rt == R_HEALTH && !get)
		return reply(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, CT_TEXT, METHOD_NOT_ALLOWED, strlen(METHOD_NOT_ALLOWED),
		             "GET, HEAD", 0);
	if (get) {
		/* Answered on the second call: libmicrohttpd closes a connection
		 * answered before the request was complete, and a phone on a slow
		 * network wants to keep it for the lookup that follows. */
		if (!*con_cls) {
			*con_cls = &get_marker;
			return MHD_YES;
		}
		if (*upload_size) { /* a body on a GET: read and dropped */
			*upload_size = 0;
			return MHD_YES;
		}
		return rt == R_HEALTH ? handle_health(h, c)
		                      : reply_page(h, c, MHD_HTTP_OK, want_en(c), V_FORM, NULL, "", 0);
	}

	/* A lookup (POST): the headers come first, then the body in pieces,
	 * then a last call with nothing. */
	if (!q) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		unsigned char key[16];
		unsigned retry = 0;
		rl_key(ci ? ci->client_addr : NULL, key);
		if (!rl_take(h->rl, key, mono_ms(), h->rate, &retry)) {
			if (rt == R_TRACK)
				return reply(h, c, MHD_HTTP_TOO_MANY_REQUESTS, CT_JSON, TOO_MANY, strlen(TOO_MANY),
				             NULL, retry);
			return reply_page(h, c, MHD_HTTP_TOO_MANY_REQUESTS, want_en(c), V_LIMITED, NULL, "", retry);
		}
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > BODY_MAX))
			return reply_str(h, c, MHD_HTTP_CONTENT_TOO_LARGE, CT_TEXT, "request too large\n");
		q = calloc(1, sizeof *q);
		if (!q) {
			tt_error("http: out of memory for a request");
			return MHD_NO;
		}
		*con_cls = q;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!q->too_big && *upload_size <= BODY_MAX - q->len) {
			memcpy(q->body + q->len, upload, *upload_size);
			q->len += *upload_size;
		} else {
			q->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->too_big)
		return reply_str(h, c, MHD_HTTP_CONTENT_TOO_LARGE, CT_TEXT, "request too large\n");
	q->body[q->len] = '\0';
	return rt == R_TRACK ? handle_track(h, c, q) : handle_form(h, c, q);
}

/* The body held a code: wiped before it is freed. */
static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	if (*con_cls && *con_cls != (void *)&get_marker) {
		req *q = *con_cls;
		if (q->staff)
			staff_web_done(&q->staff_state);
		sodium_memzero(q, sizeof *q);
		free(q);
	}
	*con_cls = NULL;
}

/* libmicrohttpd's messages: kept while starting (for err), afterwards
 * debug only, since nearly all of them are about clients. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	http_server *h = cls;
	char line[256];
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\r\n")] = '\0';
	if (!atomic_load(&h->started))
		snprintf(h->start_msg, sizeof h->start_msg, "%s", line);
	else
		tt_debug("http: libmicrohttpd: %s", line);
}

/* Opens the listening socket on addr:port (numeric or resolvable; empty
 * or NULL: every address, IPv6 and IPv4).  -1 with one line in err. */
static int open_listener(const char *addr, int port, char *err, size_t errlen)
{
	struct addrinfo hints = {0}, *ai = NULL, *use;
	char ps[8];
	const char *host = addr && *addr ? addr : NULL;
	const char *shown = host ? host : "*";
	int fd = -1, one = 1, zero = 0, rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(ps, sizeof ps, "%d", port);
	rc = getaddrinfo(host, ps, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "http: bind address %s: %s", shown, gai_strerror(rc));
		return -1;
	}
	use = ai;
	if (!host) /* the IPv6 wildcard takes IPv4 too (V6ONLY off) */
		for (struct addrinfo *p = ai; p; p = p->ai_next)
			if (p->ai_family == AF_INET6) {
				use = p;
				break;
			}
	fd = socket(use->ai_family, use->ai_socktype | SOCK_CLOEXEC, use->ai_protocol);
	if (fd < 0) {
		snprintf(err, errlen, "http: socket for %s: %s", shown, tt_strerrno(errno));
		goto cleanup;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (use->ai_family == AF_INET6 && !host)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	if (bind(fd, use->ai_addr, use->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		snprintf(err, errlen, "http: bind %s port %d: %s", shown, port, tt_strerrno(errno));
		close(fd);
		fd = -1;
	}
cleanup:
	freeaddrinfo(ai);
	return fd;
}

/* The text of a PEM file (at most 1 MiB), or NULL with one line in err. */
static char *read_pem(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	if (!f) {
		snprintf(err, errlen, "http: %s: %s", path, tt_strerrno(errno));
		return NULL;
	}
	if (!(buf = malloc((1u << 20) + 1))) {
		snprintf(err, errlen, "http: %s: out of memory", path);
	} else {
		n = fread(buf, 1, 1u << 20, f);
		buf[n] = '\0';
		if (ferror(f) || n == 0 || !strstr(buf, "-----BEGIN ")) {
			snprintf(err, errlen, "http: %s: not a PEM file", path);
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static bool path_ok(const char *p)
{
	size_t n = p ? strlen(p) : 0;
	if (n < 2 || n > PATH_MAX_LEN || p[0] != '/' || !strcmp(p, API_TRACK) || !strcmp(p, HEALTHZ) ||
	    staff_web_owns(p))
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] >= 127 || strchr("\"'<>&?#%\\", p[i]))
			return false;
	return true;
}

http_server *http_start(const http_config *c, char *err, size_t errlen)
{
	char dummy[256];
	http_server *h = NULL;
	int fd = -1;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!c || !c->db || !*c->db) {
		snprintf(err, errlen, "http: no store given");
		return NULL;
	}
	if (c->port < 1 || c->port > 65535) {
		snprintf(err, errlen, "http: port %d: out of range (1-65535)", c->port);
		return NULL;
	}
	if (!path_ok(c->path)) {
		snprintf(err, errlen, "http: path '%s': must be like /t (not %s or %s)", c->path ? c->path : "",
		         API_TRACK, HEALTHZ);
		return NULL;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "http: libsodium cannot start");
		return NULL;
	}
	h = calloc(1, sizeof *h);
	if (!h || !(h->rl = malloc(sizeof *h->rl)) || !page_prepare(h)) {
		snprintf(err, errlen, "http: out of memory");
		goto fail;
	}
	rl_init(h->rl);
	snprintf(h->path, sizeof h->path, "%s", c->path);
	h->rate = c->rate_per_min > 0 ? c->rate_per_min : RATE_DEFAULT;
	if (h->rate > 1000000)
		h->rate = 1000000;
	h->st = store_open_sqlite(c->db, err, errlen);
	if (!h->st)
		goto fail;
	bool tls = c->tls_cert && *c->tls_cert && c->tls_key && *c->tls_key;
	if (tls) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "http: tls_cert: this libmicrohttpd has no TLS");
			goto fail;
		}
		if (!(h->tls_cert = read_pem(c->tls_cert, err, errlen)) || !(h->tls_key = read_pem(c->tls_key, err, errlen)))
			goto fail;
	}
	if (c->staff && !(h->staff = staff_web_new(c->db, c->staff_idle_min, tls, err, errlen)))
		goto fail;
	fd = open_listener(c->bind, c->port, err, errlen);
	if (fd < 0)
		goto fail;
	h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0), 0, NULL, NULL,
	                        on_request, h, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_NOTIFY_COMPLETED,
	                        on_done, h, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h, MHD_OPTION_CONNECTION_LIMIT,
	                        (unsigned)256, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)32,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)15, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	                        (size_t)(32 * 1024), tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->tls_cert,
	                        MHD_OPTION_HTTPS_MEM_KEY, h->tls_key, MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "http: cannot start the server on %s port %d%s%s",
		         c->bind && *c->bind ? c->bind : "*", c->port, h->start_msg[0] ? ": " : "", h->start_msg);
		close(fd);
		goto fail;
	}
	atomic_store(&h->started, true);
	return h;
fail:
	http_stop(h);
	return NULL;
}

void http_stop(http_server *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d); /* joins the thread, closes the listening socket */
	store_close(h->st);
	staff_web_free(h->staff);
	if (h->tls_key)
		sodium_memzero(h->tls_key, strlen(h->tls_key));
	free(h->tls_key);
	free(h->tls_cert);
	free(h->script);
	if (h->rl)
		sodium_memzero(h->rl, sizeof *h->rl);
	free(h->rl);
	free(h);
}
