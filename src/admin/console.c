/* console.c - tramtin-admin console: a local web page for commune clerks.
 *
 * A libmicrohttpd server, one thread per connection (a preview takes the
 * kiosk a second or two, and the page keeps polling meanwhile), serving
 * the static page from assets/web/ (read once at start) and a small JSON
 * API over the channel's draft (draft.c), its preview (preview.c), its
 * publication (bundle_build, bundle_sign, admin_publish: what `bundle
 * build|sign|publish` do, in a thread of its own whose lines the page
 * polls), staff messages (admin_message) and the kiosks' status
 * (watch.c).  The signing key never leaves the machine: it is read from
 * its file for each signature and wiped after.
 *
 * Security, for a server that holds a signing key: it listens on loopback
 * unless told otherwise; every request whose Host header is not the
 * address it listens on (or "localhost" on loopback) is refused, which
 * defeats DNS rebinding; every API call and every file of the draft needs
 * the per-run random token, given once in the URL printed at start and
 * then kept in a SameSite=Strict, HttpOnly cookie (so another site's page
 * can neither read nor send it); a POST with an Origin header must come
 * from the console's own origin.  Bodies have hard limits (64 KiB of JSON
 * after the bodies' Markdown, 16 MiB for an image), refused with 413 as
 * soon as the Content-Length or the bytes received pass them.  Every
 * field is checked in draft.c or here; paths only ever come from checked
 * names.  Draft edits, builds and previews take one mutex, so a publish
 * never builds a half-saved page. */
#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/console.h"
#include "admin/image.h"
#include "tramtin/clock.h"
#include "tramtin/crypto.h"
#include "tramtin/log.h"
#include "tramtin/text.h"
#include "tt_build.h"

#define JSON_MAX   (512 * 1024)       /* a page with both bodies fits */
#define UPLOAD_MAX (16 * 1024 * 1024) /* one image */
#define STATIC_MAX 32
#define JOB_LINES  400
#define COOKIE     "tt_console"
#define PATH_LEN   4096

#define CT_JSON "application/json; charset=utf-8"
#define CT_TEXT "text/plain; charset=utf-8"

typedef struct static_file {
	char name[64];
	char *data;
	size_t len;
	const char *ctype;
} static_file;

typedef struct console {
	console_opts o;
	char token[65];
	char draft[PATH_LEN], work[PATH_LEN + 16], web[PATH_LEN], tramtin[PATH_LEN + 80], fallback[PATH_LEN];
	char hosts[2][160];
	char origins[2][180];
	int port;
	unsigned char pk[32];
	char pk_b64[64];
	static_file files[STATIC_MAX];
	size_t n_files;
	watch *w;
	pthread_mutex_t draft_lock;
	/* the publish job, under job_lock */
	pthread_mutex_t job_lock;
	pthread_t job;
	bool job_running, job_joinable;
	char job_state[16];
	int64_t job_version;
	char job_error[1200];
	cJSON *job_log;
	int64_t job_started, job_finished;
} console;

typedef struct req {
	char *body;
	size_t len, cap, max;
	bool too_big, started;
} req;

/* ---- replies ------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype, const void *body, size_t len,
                             bool copy, const char *cookie, const char *location)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)body, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, "Content-Security-Policy",
	                        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
	                        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	if (location)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, cJSON *o)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return reply(c, 500, CT_JSON, "{\"error\":\"out of memory\"}", 25, false, NULL, NULL);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CT_JSON);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* {"error": en, "error_vi": vi, "field": f} with e's status. */
static enum MHD_Result reply_err(struct MHD_Connection *c, const draft_err *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", e->en);
	cJSON_AddStringToObject(o, "error_vi", e->vi);
	if (e->field[0])
		cJSON_AddStringToObject(o, "field", e->field);
	return reply_json(c, e->status ? (unsigned)e->status : 500, o);
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static enum MHD_Result fail(struct MHD_Connection *c, unsigned status, const char *field, const char *vi,
                            const char *fmt, ...);

static enum MHD_Result fail(struct MHD_Connection *c, unsigned status, const char *field, const char *vi,
                            const char *fmt, ...)
{
	draft_err e = {0};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.en, sizeof e.en, fmt, ap);
	va_end(ap);
	e.status = (int)status;
	snprintf(e.field, sizeof e.field, "%s", field ? field : "");
	snprintf(e.vi, sizeof e.vi, "%s", vi);
	return reply_err(c, &e);
}

/* ---- files ---------------------------------------------------------------- */

static const char *ctype_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return NULL;
	if (!strcmp(dot, ".html"))
		return "text/html; charset=utf-8";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".png"))
		return "image/png";
	if (!strcmp(dot, ".jpg") || !strcmp(dot, ".jpeg"))
		return "image/jpeg";
	return NULL;
}

static bool load_static(console *k)
{
	DIR *d = opendir(k->web);
	struct dirent *de;
	if (!d) {
		fprintf(stderr, "tramtin-admin: console: %s: %s (the page's files)\n", k->web, strerror(errno));
		return false;
	}
	while ((de = readdir(d)) && k->n_files < STATIC_MAX) {
		char path[PATH_LEN + 80];
		size_t len;
		const char *ct = ctype_of(de->d_name);
		size_t nlen = strlen(de->d_name);
		if (de->d_name[0] == '.' || !ct || nlen >= sizeof k->files[0].name ||
		    (size_t)snprintf(path, sizeof path, "%s/%s", k->web, de->d_name) >= sizeof path)
			continue;
		char *data = admin_read_file(path, 4u << 20, &len);
		if (!data)
			continue;
		static_file *f = &k->files[k->n_files++];
		memcpy(f->name, de->d_name, nlen + 1);
		f->data = data;
		f->len = len;
		f->ctype = ct;
	}
	closedir(d);
	for (size_t i = 0; i < k->n_files; i++)
		if (!strcmp(k->files[i].name, "index.html"))
			return true;
	fprintf(stderr, "tramtin-admin: console: %s/index.html: missing\n", k->web);
	return false;
}

static enum MHD_Result serve_file(struct MHD_Connection *c, const char *path, const char *ctype)
{
	size_t len;
	char *data = admin_read_file(path, UPLOAD_MAX * 2, &len);
	if (!data)
		return fail(c, 404, "", "Không có tệp này.", "not found");
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- the publish job -------------------------------------------------------- */

static void job_line(void *ctx, bool error, const char *text)
{
	console *k = ctx;
	pthread_mutex_lock(&k->job_lock);
	if (error)
		snprintf(k->job_error, sizeof k->job_error, "%s", text);
	if (cJSON_GetArraySize(k->job_log) < JOB_LINES)
		cJSON_AddItemToArray(k->job_log, cJSON_CreateString(text));
	pthread_mutex_unlock(&k->job_lock);
	tt_info("console: %s", text);
}

static void job_set(console *k, const char *state)
{
	pthread_mutex_lock(&k->job_lock);
	snprintf(k->job_state, sizeof k->job_state, "%s", state);
	if (!strcmp(state, "done") || !strcmp(state, "failed"))
		k->job_finished = clock_now();
	pthread_mutex_unlock(&k->job_lock);
}

static int64_t previous_build(const char *dir)
{
	char path[PATH_LEN + 64], why[256];
	size_t len;
	bundle_manifest m = {0};
	int64_t v = 0;
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	char *json = admin_read_file(path, BUNDLE_MANIFEST_MAX, &len);
	if (json && bundle_manifest_parse(json, len, &m, why, sizeof why) == TT_OK)
		v = m.version;
	bundle_manifest_free(&m);
	free(json);
	return v;
}

static void *job_run(void *arg)
{
	console *k = arg;
	admin_out out = {job_line, k};
	char build[PATH_LEN + 32], err[1024];
	tt_sign_key key;

	snprintf(build, sizeof build, "%s/build", k->work);
	job_set(k, "building");
	pthread_mutex_lock(&k->draft_lock);
	int64_t prev = previous_build(build), pub = watch_published(k->w, NULL, NULL);
	int64_t version = (prev > pub ? prev : pub) + 1;
	pthread_mutex_lock(&k->job_lock);
	k->job_version = version;
	pthread_mutex_unlock(&k->job_lock);
	tt_log_set_level(TT_LOG_ERROR);
	tt_err rc = bundle_build(k->draft, build, k->o.channel, version, 0, err, sizeof err);
	tt_log_set_level(TT_LOG_WARN);
	pthread_mutex_unlock(&k->draft_lock);
	if (rc != TT_OK) {
		admin_say(&out, true, "bundle build: %s", err);
		goto failed;
	}
	admin_say(&out, false, "built %s version %" PRId64, k->o.channel, version);
	job_set(k, "signing");
	if (crypto_sign_key_load(k->o.key_path, &key) != TT_OK) {
		admin_say(&out, true, "bundle sign: %s: cannot load the signing key", k->o.key_path);
		goto failed;
	}
	rc = bundle_sign(build, &key, err, sizeof err);
	crypto_wipe(&key, sizeof key);
	if (rc != TT_OK) {
		admin_say(&out, true, "bundle sign: %s", err);
		goto failed;
	}
	admin_say(&out, false, "signed with the key whose public half is %s", k->pk_b64);
	job_set(k, "publishing");
	if (admin_publish(build, &k->o.mq, ADMIN_MAX_MESSAGE_DEFAULT, &out) != 0)
		goto failed;
	job_set(k, "done");
	return NULL;
failed:
	job_set(k, "failed");
	return NULL;
}

static enum MHD_Result start_publish(console *k, struct MHD_Connection *c)
{
	pthread_mutex_lock(&k->job_lock);
	if (k->job_running && strcmp(k->job_state, "done") && strcmp(k->job_state, "failed")) {
		pthread_mutex_unlock(&k->job_lock);
		return fail(c, 409, "", "Đang đăng một bản; chờ xong đã.", "a publish is running");
	}
	if (k->job_joinable) {
		pthread_join(k->job, NULL);
		k->job_joinable = false;
	}
	cJSON_Delete(k->job_log);
	k->job_log = cJSON_CreateArray();
	k->job_error[0] = '\0';
	k->job_version = 0;
	k->job_started = clock_now();
	k->job_finished = 0;
	snprintf(k->job_state, sizeof k->job_state, "queued");
	k->job_running = true;
	if (pthread_create(&k->job, NULL, job_run, k) != 0) {
		k->job_running = false;
		snprintf(k->job_state, sizeof k->job_state, "failed");
		pthread_mutex_unlock(&k->job_lock);
		return fail(c, 500, "", "Không bắt đầu được.", "cannot start a thread");
	}
	k->job_joinable = true;
	pthread_mutex_unlock(&k->job_lock);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "state", "queued");
	return reply_json(c, 202, o);
}

static cJSON *job_json(console *k)
{
	cJSON *o = cJSON_CreateObject();
	pthread_mutex_lock(&k->job_lock);
	cJSON_AddStringToObject(o, "state", k->job_running ? k->job_state : "idle");
	cJSON_AddNumberToObject(o, "version", (double)k->job_version);
	cJSON_AddItemToObject(o, "log", k->job_log ? cJSON_Duplicate(k->job_log, true) : cJSON_CreateArray());
	cJSON_AddStringToObject(o, "error", k->job_error);
	pthread_mutex_unlock(&k->job_lock);
	return o;
}

/* ---- staff messages --------------------------------------------------------- */

typedef struct msg_lines {
	char error[1024];
	char said[512];
} msg_lines;

static void msg_line(void *ctx, bool error, const char *text)
{
	msg_lines *m = ctx;
	snprintf(error ? m->error : m->said, error ? sizeof m->error : sizeof m->said, "%s", text);
}

/* A time from the page: "YYYY-MM-DDTHH:MM" (an <input type=datetime-local>)
 * in Vietnam time, or empty.  false after e names the field. */
static bool page_time(const cJSON *o, const char *key, bool *has, int64_t *out, draft_err *e)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	*has = false;
	if (!s || !*s)
		return true;
	if (strlen(s) <= 10 || !clock_parse(s, CLOCK_TZ_VN_MIN, out)) {
		draft_fail(e, 400, key, "Thời gian phải có dạng YYYY-MM-DD HH:MM (giờ Việt Nam).",
		           "%s '%.40s' is not a time (YYYY-MM-DDTHH:MM, Vietnam time)", key, s);
		return false;
	}
	*has = true;
	return true;
}

/* A text of at most SIGNED_TEXT_MAX characters at o[key][lang]; false
 * after e.  *out borrowed from o. */
static bool msg_text(const cJSON *o, const char *key, const char *lang, bool required, const char **out, draft_err *e)
{
	char field[48];
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, key), lang));
	snprintf(field, sizeof field, "%s.%s", key, lang);
	*out = NULL;
	if (!s || !*s) {
		if (required) {
			draft_fail(e, 400, field, "Ô này không được để trống.", "%s is required", field);
			return false;
		}
		return true;
	}
	size_t len = strlen(s), pos = 0, n = 0;
	if (!text_valid(s, len)) {
		draft_fail(e, 400, field, "Chữ không hợp lệ.", "%s is not valid UTF-8", field);
		return false;
	}
	while (pos < len && text_decode(s, len, &pos) >= 0)
		n++;
	if (n > SIGNED_TEXT_MAX) {
		char vi[128];
		snprintf(vi, sizeof vi, "Dài quá: %zu ký tự, tối đa %d.", n, SIGNED_TEXT_MAX);
		draft_fail(e, 400, field, vi, "%s has %zu characters, more than %d", field, n, SIGNED_TEXT_MAX);
		return false;
	}
	*out = s;
	return true;
}

static enum MHD_Result send_message(console *k, struct MHD_Connection *c, signed_type type, const cJSON *body)
{
	admin_msg m = {.type = type, .key_path = k->o.key_path};
	draft_err e = {0};
	msg_lines lines = {"", ""};
	admin_out out = {msg_line, &lines};
	const char *key = type == SIGNED_ANNOUNCE ? "text" : "question";
	const char *target = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "target"));
	char tbuf[160];
	if (!cJSON_IsObject(body))
		return fail(c, 400, "", "Dữ liệu gửi lên không phải JSON.", "the request body is not a JSON object");
	/* the channel, or one kiosk of it */
	if (target && *target && strcmp(target, k->o.channel) != 0) {
		bool ok = strlen(target) < 64 && *target;
		for (const char *p = target; ok && *p; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			     *p == '_';
		if (!ok)
			return fail(c, 400, "target", "Máy nhận không hợp lệ.", "target '%.64s' is not a kiosk id", target);
		snprintf(tbuf, sizeof tbuf, "%s/%s", k->o.channel, target);
		m.target = tbuf;
	} else {
		m.target = k->o.channel;
	}
	m.clear = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "clear"));
	if (!m.clear) {
		if (!msg_text(body, key, "vi", true, &m.text[LANG_VI], &e) ||
		    !msg_text(body, key, "en", false, &m.text[LANG_EN], &e) ||
		    !page_time(body, "from", &m.has_from, &m.from, &e) || !page_time(body, "to", &m.has_to, &m.to, &e))
			return reply_err(c, &e);
		int64_t now = clock_now();
		if (m.has_to && m.to <= now)
			return fail(c, 400, "to", "Thời gian kết thúc đã qua.", "to is already past");
		if (m.has_to && m.has_from && m.to <= m.from)
			return fail(c, 400, "to", "Thời gian kết thúc phải sau thời gian bắt đầu.", "to is not after from");
		if (type == SIGNED_SURVEY) {
			const cJSON *answers = cJSON_GetObjectItemCaseSensitive(body, "answers"), *a;
			int n = cJSON_GetArraySize(answers);
			if (!cJSON_IsArray(answers) || n < 2 || n > SIGNED_MAX_ANSWERS)
				return fail(c, 400, "answers", "Khảo sát cần từ 2 đến 6 câu trả lời.",
				            "a survey has 2 to %d answers", SIGNED_MAX_ANSWERS);
			int i = 0;
			cJSON_ArrayForEach(a, answers) {
				char field[32];
				const char *vi = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "vi"));
				const char *en = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "en"));
				snprintf(field, sizeof field, "answers.%d.vi", i + 1);
				if (!vi || !*vi || strlen(vi) > 400 || !text_valid(vi, strlen(vi)))
					return fail(c, 400, field, "Câu trả lời (tiếng Việt) không được để trống.",
					            "%s is required (at most 280 characters)", field);
				m.answers[i][LANG_VI] = vi;
				m.answers[i][LANG_EN] = en && *en ? en : NULL;
				i++;
			}
			m.n_answers = i;
		}
	}
	admin_mqtt mq = k->o.mq;
	int status = admin_message(&m, &mq, &out);
	if (status != 0) {
		/* "announce: --to ... is already past": the CLI's words for a field */
		return fail(c, status == 2 ? 400 : 502, "", status == 2 ? "Tin nhắn không hợp lệ." : "Không gửi được tới máy chủ tin.",
		            "%s", lines.error[0] ? lines.error : "failed");
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "result", lines.said);
	cJSON_AddStringToObject(o, "target", m.target);
	return reply_json(c, 200, o);
}

/* ---- routes ---------------------------------------------------------------- */

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static bool token_ok(const console *k, const char *t)
{
	return t && strlen(t) == 64 && sodium_memcmp(t, k->token, 64) == 0;
}

static bool host_ok(const console *k, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	return h && (!strcmp(h, k->hosts[0]) || (k->hosts[1][0] && !strcmp(h, k->hosts[1])));
}

static bool origin_ok(const console *k, struct MHD_Connection *c)
{
	const char *o = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	return !o || !strcmp(o, k->origins[0]) || (k->origins[1][0] && !strcmp(o, k->origins[1]));
}

static cJSON *parse_body(const req *q, struct MHD_Connection *c, enum MHD_Result *ret)
{
	cJSON *o = q->len ? cJSON_ParseWithLength(q->body, q->len) : NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		*ret = fail(c, 400, "", "Dữ liệu gửi lên không phải JSON.", "the request body is not a JSON object");
		return NULL;
	}
	return o;
}

static enum MHD_Result api(console *k, struct MHD_Connection *c, const char *url, bool get, req *q)
{
	draft_err e = {0};
	enum MHD_Result ret;
	cJSON *o;

	if (!strcmp(url, "/api/session") && get) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "channel", k->o.channel);
		cJSON_AddStringToObject(o, "workdir", k->draft);
		cJSON_AddStringToObject(o, "public_key", k->pk_b64);
		cJSON_AddStringToObject(o, "broker", k->o.mq.host);
		cJSON_AddNumberToObject(o, "broker_port", k->o.mq.port);
		cJSON_AddNumberToObject(o, "kiosk_width", k->o.kiosk_w);
		cJSON_AddNumberToObject(o, "kiosk_height", k->o.kiosk_h);
		cJSON_AddStringToObject(o, "version", TT_VERSION);
		return reply_json(c, 200, o);
	}
	if (!strcmp(url, "/api/content") && get) {
		pthread_mutex_lock(&k->draft_lock);
		o = draft_list(k->draft, clock_now(), &e);
		pthread_mutex_unlock(&k->draft_lock);
		if (!o)
			return reply_err(c, &e);
		bool connected, ours;
		int64_t pub = watch_published(k->w, &connected, &ours);
		cJSON_AddStringToObject(o, "channel", k->o.channel);
		cJSON_AddNumberToObject(o, "published", (double)pub);
		cJSON_AddBoolToObject(o, "connected", connected);
		return reply_json(c, 200, o);
	}
	if (!strcmp(url, "/api/page") && get) {
		pthread_mutex_lock(&k->draft_lock);
		o = draft_page_get(k->draft, arg(c, "id"), &e);
		pthread_mutex_unlock(&k->draft_lock);
		return o ? reply_json(c, 200, o) : reply_err(c, &e);
	}
	if (!strcmp(url, "/api/page") && !get) {
		if (!(o = parse_body(q, c, &ret)))
			return ret;
		const char *n = arg(c, "new");
		pthread_mutex_lock(&k->draft_lock);
		tt_err rc = draft_page_put(k->draft, o, n && !strcmp(n, "1"), &e);
		pthread_mutex_unlock(&k->draft_lock);
		cJSON *id = cJSON_DetachItemFromObjectCaseSensitive(o, "id");
		cJSON_Delete(o);
		if (rc != TT_OK) {
			cJSON_Delete(id);
			return reply_err(c, &e);
		}
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", id);
		cJSON_AddBoolToObject(o, "saved", true);
		return reply_json(c, 200, o);
	}
	if (!strcmp(url, "/api/page/delete") && !get) {
		pthread_mutex_lock(&k->draft_lock);
		tt_err rc = draft_page_delete(k->draft, arg(c, "id"), &e);
		pthread_mutex_unlock(&k->draft_lock);
		if (rc != TT_OK)
			return reply_err(c, &e);
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "deleted", true);
		return reply_json(c, 200, o);
	}
	if (!strcmp(url, "/api/image") && !get) {
		admin_image img;
		char why[256], path[160];
		tt_err rc = admin_image_fit(q->body, q->len, k->o.kiosk_w, k->o.kiosk_h, &img, why, sizeof why);
		if (rc != TT_OK)
			return fail(c, rc == TT_ERR_RANGE ? 413 : rc == TT_ERR_NOMEM ? 500 : 415, "file",
			            rc == TT_ERR_RANGE ? "Ảnh quá lớn." : "Chỉ nhận ảnh PNG hoặc JPEG.", "%s", why);
		pthread_mutex_lock(&k->draft_lock);
		rc = draft_image_put(k->draft, arg(c, "name"), img.data, img.len, img.ext, path, sizeof path, &e);
		pthread_mutex_unlock(&k->draft_lock);
		if (rc != TT_OK) {
			admin_image_free(&img);
			return reply_err(c, &e);
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", path);
		cJSON_AddNumberToObject(o, "width", img.width);
		cJSON_AddNumberToObject(o, "height", img.height);
		cJSON_AddNumberToObject(o, "src_width", img.src_width);
		cJSON_AddNumberToObject(o, "src_height", img.src_height);
		cJSON_AddNumberToObject(o, "bytes", (double)img.len);
		admin_image_free(&img);
		return reply_json(c, 200, o);
	}
	if (!strcmp(url, "/api/preview") && !get) {
		const char *id = arg(c, "id"), *lang = arg(c, "lang");
		preview_shot shots[2];
		char work[PATH_LEN + 32], note[64];
		if (!lang)
			lang = "vi";
		if (strcmp(lang, "vi") && strcmp(lang, "en"))
			return fail(c, 400, "lang", "Ngôn ngữ phải là vi hoặc en.", "lang must be vi or en");
		if (!id || !*id || strlen(id) > 64 || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id))
			return fail(c, 400, "id", "Không có trang này.", "id '%.64s' is not a page id", id ? id : "");
		snprintf(work, sizeof work, "%s/preview", k->work);
		preview_req r = {k->draft, work, k->tramtin, k->o.channel, id, lang};
		pthread_mutex_lock(&k->draft_lock);
		tt_err rc = preview_run(&r, shots, note, sizeof note, &e);
		pthread_mutex_unlock(&k->draft_lock);
		if (rc != TT_OK)
			return reply_err(c, &e);
		o = cJSON_CreateObject();
		static const char *const names[] = {"landscape", "portrait"};
		for (int s = 0; s < 2; s++) {
			char u[200];
			cJSON *x = cJSON_AddObjectToObject(o, names[s]);
			snprintf(u, sizeof u, "/preview/%s?t=%" PRIu32, shots[s].file, randombytes_random());
			cJSON_AddStringToObject(x, "url", u);
			cJSON_AddNumberToObject(x, "width", shots[s].w);
			cJSON_AddNumberToObject(x, "height", shots[s].h);
		}
		cJSON_AddStringToObject(o, "shown_on", note);
		return reply_json(c, 200, o);
	}
	if (!strcmp(url, "/api/publish"))
		return get ? reply_json(c, 200, job_json(k)) : start_publish(k, c);
	if (!strcmp(url, "/api/kiosks") && get) {
		int64_t target = 0;
		pthread_mutex_lock(&k->job_lock);
		if (k->job_running && !strcmp(k->job_state, "done"))
			target = k->job_version;
		pthread_mutex_unlock(&k->job_lock);
		return reply_json(c, 200, watch_json(k->w, target));
	}
	if ((!strcmp(url, "/api/announce") || !strcmp(url, "/api/survey")) && !get) {
		if (!(o = parse_body(q, c, &ret)))
			return ret;
		ret = send_message(k, c, !strcmp(url, "/api/announce") ? SIGNED_ANNOUNCE : SIGNED_SURVEY, o);
		cJSON_Delete(o);
		return ret;
	}
	return fail(c, 404, "", "Không có địa chỉ này.", "no such API route (or wrong method)");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	console *k = cls;
	req *q = *con_cls;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool post = !strcmp(method, MHD_HTTP_METHOD_POST);
	(void)version;

	if (!q) { /* the headers: every check that needs no body, first */
		if (!host_ok(k, c))
			return fail(c, 403, "", "Địa chỉ không đúng.",
			            "Host header is not the console's address (open the URL printed at start)");
		if (!get && !post)
			return fail(c, 405, "", "Phương thức không được phép.", "method not allowed");
		bool is_api = !strncmp(url, "/api/", 5), is_file = !strncmp(url, "/preview/", 9) || !strncmp(url, "/draft/", 7);
		if (is_api || is_file) {
			if (!token_ok(k, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE)))
				return fail(c, 403, "", "Phiên làm việc không hợp lệ: mở lại đường dẫn in ra khi khởi động.",
				            "missing or wrong token: open the URL printed when the console started");
			if (post && !origin_ok(k, c))
				return fail(c, 403, "", "Yêu cầu từ trang khác bị từ chối.", "cross-origin request refused");
		}
		if (post && !is_api)
			return fail(c, 405, "", "Phương thức không được phép.", "method not allowed");
		size_t max = !strcmp(url, "/api/image") ? UPLOAD_MAX : JSON_MAX;
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && (strlen(cl) > 12 || strtoull(cl, NULL, 10) > max))
			return fail(c, 413, !strcmp(url, "/api/image") ? "file" : "",
			            !strcmp(url, "/api/image") ? "Tệp quá lớn (tối đa 16 MB)." : "Dữ liệu quá lớn.",
			            "request body over %zu bytes", max);
		if (!(q = calloc(1, sizeof *q)))
			return MHD_NO;
		q->max = max;
		*con_cls = q;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!q->too_big && *upload_size <= q->max - q->len) {
			if (q->len + *upload_size + 1 > q->cap) {
				size_t ncap = q->cap ? q->cap : 65536;
				while (ncap < q->len + *upload_size + 1)
					ncap *= 2;
				char *nb = realloc(q->body, ncap);
				if (!nb)
					return MHD_NO;
				q->body = nb;
				q->cap = ncap;
			}
			memcpy(q->body + q->len, upload, *upload_size);
			q->len += *upload_size;
			q->body[q->len] = '\0';
		} else {
			q->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->too_big)
		return fail(c, 413, "", "Dữ liệu quá lớn.", "request body over %zu bytes", q->max);

	if (!strncmp(url, "/api/", 5))
		return api(k, c, url, get, q);
	if (!strncmp(url, "/preview/", 9) || !strncmp(url, "/draft/", 7)) {
		/* a screenshot (/preview/NAME.png) or an image of the draft
		 * (/draft/images/NAME.jpg): checked names only */
		char path[PATH_LEN + 320];
		bool prev = url[1] == 'p';
		const char *rel = url + (prev ? 9 : 7), *ct = ctype_of(rel);
		if (!ct || strncmp(ct, "image/", 6) != 0 || !draft_safe_path(rel) ||
		    (prev ? strchr(rel, '/') != NULL : strncmp(rel, "images/", 7) != 0))
			return fail(c, 404, "", "Không có tệp này.", "not found");
		snprintf(path, sizeof path, prev ? "%s/preview/%s" : "%s/%s", prev ? k->work : k->draft, rel);
		return serve_file(c, path, ct);
	}
	/* the page itself */
	const char *name = !strcmp(url, "/") ? "index.html" : url + 1;
	if (!strcmp(url, "/")) {
		const char *t = arg(c, "token");
		if (t) {
			if (!token_ok(k, t))
				return fail(c, 403, "", "Mã phiên không đúng.", "wrong token");
			char cookie[160];
			snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", k->token);
			return reply(c, 303, CT_TEXT, "", 0, false, cookie, "/");
		}
	}
	for (size_t i = 0; i < k->n_files; i++)
		if (!strcmp(k->files[i].name, name))
			return reply(c, 200, k->files[i].ctype, k->files[i].data, k->files[i].len, false, NULL, NULL);
	return fail(c, 404, "", "Không có trang này.", "not found");
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	req *q = *con_cls;
	if (q) {
		free(q->body);
		free(q);
	}
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];
	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\r\n")] = '\0';
	tt_debug("console: libmicrohttpd: %s", line);
}

/* ---- paths ------------------------------------------------------------------ */

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_exe(const char *p)
{
	return access(p, X_OK) == 0;
}

/* From the build tree: the source's assets and the built kiosk; installed:
 * the data dir and the kiosk beside us.  Environment variables override
 * (TRAMTIN_WEB_DIR, TRAMTIN_CONTENT_DIR, TRAMTIN_BIN). */
static void find_paths(console *k)
{
	char exe[PATH_MAX] = "", exedir[PATH_MAX] = "", p[PATH_LEN + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(exedir, sizeof exedir, "%s", exe);
		char *s = strrchr(exedir, '/');
		if (s)
			*s = '\0';
	}
	bool in_build = n > 0 && !strncmp(exe, TT_BUILD_DIR "/", strlen(TT_BUILD_DIR) + 1);
	const char *env = getenv("TRAMTIN_WEB_DIR");
	if (env && *env)
		snprintf(k->web, sizeof k->web, "%s", env);
	else if (!in_build && is_dir(TT_DATA_DIR "/web"))
		snprintf(k->web, sizeof k->web, "%s", TT_DATA_DIR "/web");
	else
		snprintf(k->web, sizeof k->web, "%s", TT_SOURCE_DIR "/assets/web");
	env = getenv("TRAMTIN_CONTENT_DIR");
	if (env && *env)
		snprintf(k->fallback, sizeof k->fallback, "%s", env);
	else if (!in_build && is_dir(TT_DATA_DIR "/content"))
		snprintf(k->fallback, sizeof k->fallback, "%s", TT_DATA_DIR "/content");
	else
		snprintf(k->fallback, sizeof k->fallback, "%s", TT_SOURCE_DIR "/assets/content");
	env = getenv("TRAMTIN_BIN");
	snprintf(p, sizeof p, "%s/tramtin", exedir);
	if (env && *env)
		snprintf(k->tramtin, sizeof k->tramtin, "%s", env);
	else if (!in_build && exedir[0] && is_exe(p))
		snprintf(k->tramtin, sizeof k->tramtin, "%s", p);
	else
		snprintf(k->tramtin, sizeof k->tramtin, "%s", TT_BUILD_DIR "/src/kiosk/tramtin");
}

/* ---- run --------------------------------------------------------------------- */

int admin_console(const console_opts *opts)
{
	console *k = calloc(1, sizeof *k);
	struct MHD_Daemon *d = NULL;
	int status = 1;
	draft_err e = {0};
	unsigned char raw[32];
	sigset_t sigs;

	if (!k) {
		fprintf(stderr, "tramtin-admin: console: out of memory\n");
		return 1;
	}
	k->o = *opts;
	pthread_mutex_init(&k->draft_lock, NULL);
	pthread_mutex_init(&k->job_lock, NULL);
	tt_sign_key key;
	if (crypto_sign_key_load(k->o.key_path, &key) != TT_OK) {
		fprintf(stderr,
		        "tramtin-admin: console: %s: not a signing key (one line of base64 of 64 bytes, as keygen --kind "
		        "sign writes)\n",
		        k->o.key_path);
		status = 2;
		goto out;
	}
	memcpy(k->pk, key.pk, 32);
	crypto_wipe(&key, sizeof key);
	b64_encode(k->pk, 32, k->pk_b64, sizeof k->pk_b64);
	if (!realpath(k->o.workdir, k->draft)) {
		if (mkdir(k->o.workdir, 0755) != 0 || !realpath(k->o.workdir, k->draft)) {
			fprintf(stderr, "tramtin-admin: console: --workdir %s: %s\n", k->o.workdir, strerror(errno));
			goto out;
		}
	}
	snprintf(k->work, sizeof k->work, "%s/.console", k->draft);
	if (mkdir(k->work, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "tramtin-admin: console: %s: %s\n", k->work, strerror(errno));
		goto out;
	}
	find_paths(k);
	if (draft_init(k->draft, k->fallback, k->o.channel, &e) != TT_OK) {
		fprintf(stderr, "tramtin-admin: console: %s\n", e.en);
		goto out;
	}
	if (!load_static(k))
		goto out;
	if (!is_exe(k->tramtin))
		fprintf(stderr, "tramtin-admin: console: warning: %s: no kiosk program; previews will fail (set TRAMTIN_BIN)\n",
		        k->tramtin);

	/* SIGINT and SIGTERM are waited for below, by this thread only */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	mosquitto_lib_init();
	if (!(k->w = watch_start(&k->o.mq, k->o.channel, k->pk))) {
		fprintf(stderr, "tramtin-admin: console: out of memory\n");
		goto out;
	}

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(k->token, sizeof k->token, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);

	struct sockaddr_in a4 = {0};
	struct sockaddr_in6 a6 = {0};
	struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	bool v6 = false, loopback;
	if (inet_pton(AF_INET, k->o.bind, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)k->o.http_port);
		sa = (struct sockaddr *)&a4;
		loopback = (ntohl(a4.sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, k->o.bind, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)k->o.http_port);
		sa = (struct sockaddr *)&a6;
		v6 = true;
		flags |= MHD_USE_IPv6;
		loopback = IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr);
	} else {
		fprintf(stderr, "tramtin-admin: console: --bind '%s' is not a numeric IPv4 or IPv6 address\n", k->o.bind);
		status = 2;
		goto out;
	}
	if (!loopback)
		fprintf(stderr,
		        "tramtin-admin: console: warning: listening on %s, not loopback: anyone who can reach it and learns "
		        "the token can publish with this key\n",
		        k->o.bind);
	d = MHD_start_daemon(flags, (uint16_t)k->o.http_port, NULL, NULL, on_request, k, MHD_OPTION_SOCK_ADDR, sa,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_done, k, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, k,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	                     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "tramtin-admin: console: cannot listen on %s port %d: %s\n", k->o.bind, k->o.http_port,
		        strerror(errno));
		goto out;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	k->port = info ? info->port : k->o.http_port;
	snprintf(k->hosts[0], sizeof k->hosts[0], v6 ? "[%s]:%d" : "%s:%d", k->o.bind, k->port);
	snprintf(k->origins[0], sizeof k->origins[0], "http://%s", k->hosts[0]);
	if (loopback) {
		snprintf(k->hosts[1], sizeof k->hosts[1], "localhost:%d", k->port);
		snprintf(k->origins[1], sizeof k->origins[1], "http://%s", k->hosts[1]);
	}
	printf("console for %s: open http://%s/?token=%s\n", k->o.channel, k->hosts[0], k->token);
	printf("  draft %s, broker %s:%d, key %s, kiosk %s\n", k->draft, k->o.mq.host, k->o.mq.port, k->pk_b64,
	       k->tramtin);
	printf("  Ctrl+C stops it\n");
	fflush(stdout);

	int sig = 0;
	sigwait(&sigs, &sig);
	printf("console: stopping (signal %d)\n", sig);
	status = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	if (k->job_joinable)
		pthread_join(k->job, NULL);
	watch_stop(k->w);
	if (k->w || d)
		mosquitto_lib_cleanup();
	for (size_t i = 0; i < k->n_files; i++)
		free(k->files[i].data);
	cJSON_Delete(k->job_log);
	pthread_mutex_destroy(&k->draft_lock);
	pthread_mutex_destroy(&k->job_lock);
	sodium_memzero(k->token, sizeof k->token);
	free(k);
	return status;
}
