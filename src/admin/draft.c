/* draft.c - the channel's editable source, as the console changes it.
 *
 * The source is a folder laid out like assets/content/ (README there):
 * manifest.json holds every page's fields (type, titles, summaries,
 * posting window, attract schedule, cover image, ...) and the bodies are
 * Markdown files beside it, pages/<id>.<lang>.md.  The console reads and
 * writes exactly that, so what a clerk makes is also what `tramtin-admin
 * bundle build` takes, and a folder edited by hand opens in the console.
 *
 * Every field that comes from the page is checked here, before anything
 * is written, with the same rules the kiosk's loader (content.c) and the
 * bundle builder apply, and a refusal names the field ("posting.to") with
 * a message in Vietnamese and English.  Texts are stored NFC.  A body is
 * parsed with the kiosk's own Markdown reader, and every image it shows
 * must be a file of the draft.  Writes go to a temporary file that is
 * fsynced and renamed; the manifest is written last, so a page never
 * names a body that is not there yet.  Keys of a page the console does not
 * edit (document, links, anything newer) are kept as they were.  Only
 * paths made of checked parts are ever joined to the folder, so nothing
 * is written outside it.  The caller serialises calls (one mutex). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "admin/console.h"
#include "tramtin/clock.h"
#include "tramtin/i18n.h"
#include "tramtin/markdown.h"
#include "tramtin/text.h"

#define PATH_LEN   4096
#define ID_MAX     64
#define TITLE_MAX  120   /* characters; the README asks for ~60 to fit two lines */
#define SUMMARY_MAX 140
#define BODY_MAX   (128 * 1024) /* bytes of one Markdown body */
#define LINKS_MAX  32

static const char *const types[] = {"policy", "campaign", "notice", "faq"};
static const char *const langs[] = {"vi", "en"};

tt_err draft_fail(draft_err *e, int status, const char *field, const char *vi, const char *en_fmt, ...)
{
	va_list ap;
	e->status = status;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	snprintf(e->vi, sizeof e->vi, "%s", vi);
	va_start(ap, en_fmt);
	vsnprintf(e->en, sizeof e->en, en_fmt, ap);
	va_end(ap);
	return status >= 500 ? TT_ERR_IO : status == 404 ? TT_ERR_NOTFOUND : TT_ERR_INVAL;
}

bool draft_safe_path(const char *rel)
{
	if (!rel || !*rel || rel[0] == '/' || strlen(rel) > 200)
		return false;
	const char *part = rel;
	for (const char *c = rel;; c++) {
		if (*c == '/' || !*c) {
			size_t n = (size_t)(c - part);
			if (n == 0 || (n == 1 && part[0] == '.') || (n == 2 && part[0] == '.' && part[1] == '.') ||
			    part[0] == '.')
				return false;
			if (!*c)
				return true;
			part = c + 1;
			continue;
		}
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-')
			return false;
	}
}

static bool id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > ID_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* ---- files ------------------------------------------------------------- */

static char *read_all(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	char *d = malloc((size_t)st.st_size + 1);
	size_t n = d ? fread(d, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!d || n != (size_t)st.st_size) {
		free(d);
		errno = EIO;
		return NULL;
	}
	d[n] = '\0';
	if (len)
		*len = n;
	return d;
}

/* Writes path via path.tmp, fsync and rename; 0 or an errno. */
static int write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[PATH_LEN + 320];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(fd);
			unlink(tmp);
			return e;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return e;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return e;
	}
	return 0;
}

static bool file_exists(const char *dir, const char *rel)
{
	char p[PATH_LEN];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static cJSON *load_manifest(const char *dir, draft_err *e)
{
	char path[PATH_LEN];
	size_t len;
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	char *data = read_all(path, BUNDLE_MANIFEST_MAX, &len);
	if (!data) {
		draft_fail(e, 500, "", "Không đọc được manifest.json của bản nháp.", "%s: cannot read: %s", path,
		           strerror(errno));
		return NULL;
	}
	cJSON *m = cJSON_ParseWithLength(data, len);
	free(data);
	if (!cJSON_IsObject(m) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(m, "pages"))) {
		cJSON_Delete(m);
		draft_fail(e, 500, "", "manifest.json của bản nháp bị hỏng.", "%s: not a content manifest", path);
		return NULL;
	}
	return m;
}

static tt_err save_manifest(const char *dir, const cJSON *m, draft_err *e)
{
	char path[PATH_LEN];
	char *text = cJSON_Print(m);
	if (!text)
		return draft_fail(e, 500, "", "Hết bộ nhớ.", "out of memory");
	size_t n = strlen(text);
	char *withnl = realloc(text, n + 2);
	if (withnl) {
		text = withnl;
		text[n++] = '\n';
		text[n] = '\0';
	}
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	int rc = write_atomic(path, text, n);
	free(text);
	if (rc)
		return draft_fail(e, 500, "", "Không ghi được manifest.json.", "%s: cannot write: %s", path, strerror(rc));
	return TT_OK;
}

static cJSON *find_page(cJSON *m, const char *id, int *index)
{
	cJSON *p;
	int i = 0;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "pages")) {
		const char *pid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "id"));
		if (pid && !strcmp(pid, id)) {
			if (index)
				*index = i;
			return p;
		}
		i++;
	}
	return NULL;
}

/* ---- init -------------------------------------------------------------- */

static int copy_file(const char *from, const char *to)
{
	size_t len;
	char *d = read_all(from, 64u << 20, &len);
	if (!d)
		return errno ? errno : EIO;
	int rc = write_atomic(to, d, len);
	free(d);
	return rc;
}

/* Copies the regular files of from/sub into dir/sub. */
static int copy_folder(const char *from, const char *dir, const char *sub)
{
	char src[PATH_LEN], dst[PATH_LEN];
	snprintf(src, sizeof src, "%s/%s", from, sub);
	snprintf(dst, sizeof dst, "%s/%s", dir, sub);
	if (mkdir(dst, 0755) != 0 && errno != EEXIST)
		return errno;
	DIR *d = opendir(src);
	if (!d)
		return errno == ENOENT ? 0 : errno;
	struct dirent *de;
	int rc = 0;
	while (!rc && (de = readdir(d))) {
		char a[PATH_LEN + 300], b[PATH_LEN + 300];
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(a, sizeof a, "%s/%s", src, de->d_name);
		snprintf(b, sizeof b, "%s/%s", dst, de->d_name);
		if (stat(a, &st) == 0 && S_ISREG(st.st_mode))
			rc = copy_file(a, b);
	}
	closedir(d);
	return rc;
}

tt_err draft_init(const char *dir, const char *from, const char *channel, draft_err *e)
{
	char path[PATH_LEN];
	struct stat st;
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if (stat(path, &st) == 0)
		return TT_OK;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return draft_fail(e, 500, "", "Không tạo được thư mục làm việc.", "%s: cannot create: %s", dir,
		                  strerror(errno));
	int rc = copy_folder(from, dir, "pages");
	if (!rc)
		rc = copy_folder(from, dir, "images");
	if (rc)
		return draft_fail(e, 500, "", "Không chép được nội dung ban đầu.", "%s: cannot copy into %s: %s", from,
		                  dir, strerror(rc));
	char src[PATH_LEN];
	snprintf(src, sizeof src, "%s/manifest.json", from);
	snprintf(path, sizeof path, "%s", from);
	cJSON *m = load_manifest(path, e);
	if (!m)
		return TT_ERR_IO;
	cJSON_DeleteItemFromObjectCaseSensitive(m, "files");
	cJSON_ReplaceItemInObjectCaseSensitive(m, "channel", cJSON_CreateString(channel));
	tt_err r = save_manifest(dir, m, e);
	cJSON_Delete(m);
	return r;
}

/* ---- listing ------------------------------------------------------------- */

static cJSON *dup_item(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v ? cJSON_Duplicate(v, true) : NULL;
}

/* "posted", "upcoming", "ended" or "" for a notice's window at now. */
static const char *posting_state(const cJSON *page, int64_t now)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(page, "posting");
	int64_t from, to;
	const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "from"));
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "to"));
	if (!clock_parse(f, CLOCK_TZ_VN_MIN, &from) || !clock_parse(t, CLOCK_TZ_VN_MIN, &to))
		return "";
	if (strlen(t) == 10)
		to += 86400 - 1;
	return now < from ? "upcoming" : now > to ? "ended" : "posted";
}

cJSON *draft_list(const char *dir, int64_t now, draft_err *e)
{
	static const char *const keep[] = {"id", "type", "category", "order", "title", "summary", "image",
	                                   "posting", "attract", "document", "links"};
	cJSON *m = load_manifest(dir, e), *out = cJSON_CreateObject(), *pages, *p;
	if (!m || !out) {
		cJSON_Delete(m);
		cJSON_Delete(out);
		return NULL;
	}
	cJSON_AddItemToObject(out, "title", dup_item(m, "title"));
	cJSON_AddItemToObject(out, "sample", dup_item(m, "sample"));
	cJSON *cats = cJSON_AddArrayToObject(out, "categories"), *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "categories")) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddItemToObject(x, "id", dup_item(c, "id"));
		cJSON_AddItemToObject(x, "title", dup_item(c, "title"));
		cJSON_AddItemToArray(cats, x);
	}
	pages = cJSON_AddArrayToObject(out, "pages");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "pages")) {
		cJSON *x = cJSON_CreateObject();
		for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
			cJSON *v = dup_item(p, keep[k]);
			if (v)
				cJSON_AddItemToObject(x, keep[k], v);
		}
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "type"));
		if (type && !strcmp(type, "notice"))
			cJSON_AddStringToObject(x, "state", posting_state(p, now));
		cJSON_AddItemToArray(pages, x);
	}
	cJSON_AddItemToObject(out, "images", draft_images(dir));
	cJSON_Delete(m);
	return out;
}

cJSON *draft_images(const char *dir)
{
	char path[PATH_LEN];
	cJSON *a = cJSON_CreateArray();
	snprintf(path, sizeof path, "%s/images", dir);
	DIR *d = opendir(path);
	struct dirent *de;
	if (!d || !a)
		return a;
	while ((de = readdir(d))) {
		char rel[300];
		const char *dot = strrchr(de->d_name, '.');
		if (de->d_name[0] == '.' || !dot || (strcmp(dot, ".png") && strcmp(dot, ".jpg") && strcmp(dot, ".jpeg")))
			continue;
		snprintf(rel, sizeof rel, "images/%s", de->d_name);
		if (draft_safe_path(rel))
			cJSON_AddItemToArray(a, cJSON_CreateString(rel));
	}
	closedir(d);
	return a;
}

cJSON *draft_page_get(const char *dir, const char *id, draft_err *e)
{
	cJSON *m = load_manifest(dir, e);
	if (!m)
		return NULL;
	cJSON *p = id_valid(id) ? find_page(m, id, NULL) : NULL;
	if (!p) {
		cJSON_Delete(m);
		draft_fail(e, 404, "id", "Không có trang này.", "no page '%.64s'", id ? id : "");
		return NULL;
	}
	cJSON *out = cJSON_Duplicate(p, true), *bodies = cJSON_CreateObject();
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(p, "body");
	for (int l = 0; l < 2; l++) {
		const char *rel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(paths, langs[l]));
		char path[PATH_LEN];
		if (!rel || !draft_safe_path(rel))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, rel);
		char *text = read_all(path, BODY_MAX * 4, NULL);
		cJSON_AddStringToObject(bodies, langs[l], text ? text : "");
		free(text);
	}
	cJSON_ReplaceItemInObjectCaseSensitive(out, "body", bodies);
	cJSON_Delete(m);
	return out;
}

/* ---- checking a page ------------------------------------------------------- */

/* The string at o[key], NFC, checked: valid UTF-8, at most max characters,
 * one line unless multiline; required or not.  *out is a new string or
 * NULL (absent or empty and not required).  false after e names field. */
static bool text_field(const cJSON *o, const char *key, const char *field, size_t max, bool required,
                       bool multiline, char **out, draft_err *e)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
	*out = NULL;
	if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !v->valuestring[0])) {
		if (required) {
			draft_fail(e, 400, field, "Ô này không được để trống.", "%s is required", field);
			return false;
		}
		return true;
	}
	if (!cJSON_IsString(v)) {
		draft_fail(e, 400, field, "Giá trị không hợp lệ.", "%s must be text", field);
		return false;
	}
	const char *s = v->valuestring;
	size_t len = strlen(s);
	if (!text_valid(s, len)) {
		draft_fail(e, 400, field, "Chữ không hợp lệ (không phải UTF-8).", "%s is not valid UTF-8", field);
		return false;
	}
	char *n = text_nfc(s, len);
	if (!n) {
		draft_fail(e, 500, field, "Hết bộ nhớ.", "out of memory");
		return false;
	}
	len = strlen(n);
	/* trim what a form leaves around a title */
	char *start = n;
	while (*start == ' ' || *start == '\t' || (multiline && (*start == '\n' || *start == '\r')))
		start++;
	size_t tl = strlen(start);
	while (tl && (start[tl - 1] == ' ' || start[tl - 1] == '\t' || start[tl - 1] == '\n' || start[tl - 1] == '\r'))
		start[--tl] = '\0';
	memmove(n, start, tl + 1);
	if (!*n) {
		free(n);
		if (required) {
			draft_fail(e, 400, field, "Ô này không được để trống.", "%s is required", field);
			return false;
		}
		return true;
	}
	size_t pos = 0, cps = 0;
	len = strlen(n);
	while (pos < len) {
		int32_t cp = text_decode(n, len, &pos);
		if (cp < 0x20 && !(multiline && (cp == '\n' || cp == '\t' || cp == '\r'))) {
			free(n);
			draft_fail(e, 400, field,
			           multiline ? "Có ký tự điều khiển không hợp lệ." : "Chỉ được viết trên một dòng.",
			           multiline ? "%s holds a control character" : "%s must be one line", field);
			return false;
		}
		cps++;
	}
	if (max && cps > max) {
		free(n);
		char vi[128];
		snprintf(vi, sizeof vi, "Dài quá: %zu ký tự, tối đa %zu.", cps, max);
		draft_fail(e, 400, field, vi, "%s has %zu characters, more than %zu", field, cps, max);
		return false;
	}
	*out = n;
	return true;
}

/* A {"vi": .., "en": ..} object from o[key] into a new cJSON (NULL if both
 * are empty and not required); false after e. */
static bool lang_object(const cJSON *o, const char *key, size_t max, bool vi_required, cJSON **out, draft_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char field[64];
	*out = NULL;
	if (v && !cJSON_IsObject(v) && !cJSON_IsNull(v)) {
		draft_fail(e, 400, key, "Giá trị không hợp lệ.", "%s must be an object {\"vi\": .., \"en\": ..}", key);
		return false;
	}
	cJSON *r = cJSON_CreateObject();
	for (int l = 0; l < 2; l++) {
		char *t;
		snprintf(field, sizeof field, "%s.%s", key, langs[l]);
		if (!text_field(v, langs[l], field, max, l == 0 && vi_required, false, &t, e)) {
			cJSON_Delete(r);
			return false;
		}
		if (t)
			cJSON_AddStringToObject(r, langs[l], t);
		free(t);
	}
	if (!r->child) {
		cJSON_Delete(r);
		r = NULL;
	}
	*out = r;
	return true;
}

static bool date_ok(const char *s)
{
	int64_t t;
	return s && strlen(s) == 10 && clock_parse(s, CLOCK_TZ_VN_MIN, &t);
}

static bool hhmm_ok(const char *s)
{
	int h, m, n = 0;
	return s && sscanf(s, "%2d:%2d%n", &h, &m, &n) == 2 && !s[n] && n == 5 && h >= 0 && h <= 24 && m >= 0 &&
	       m <= 59 && !(h == 24 && m);
}

static bool posting_field(const cJSON *page, bool notice, cJSON **out, draft_err *e)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(page, "posting");
	*out = NULL;
	if (!p || cJSON_IsNull(p)) {
		if (notice) {
			draft_fail(e, 400, "posting.from", "Thông báo cần có thời gian niêm yết (từ ngày, đến ngày).",
			           "a notice needs a posting window: posting.from and posting.to");
			return false;
		}
		return true;
	}
	const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "from"));
	const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "to"));
	if (!date_ok(from))
		return draft_fail(e, 400, "posting.from", "Ngày bắt đầu phải có dạng YYYY-MM-DD, là một ngày có thật.",
		                  "posting.from '%.40s' is not a date (YYYY-MM-DD)", from ? from : ""),
		       false;
	if (!date_ok(to))
		return draft_fail(e, 400, "posting.to", "Ngày kết thúc phải có dạng YYYY-MM-DD, là một ngày có thật.",
		                  "posting.to '%.40s' is not a date (YYYY-MM-DD)", to ? to : ""),
		       false;
	if (strcmp(from, to) > 0)
		return draft_fail(e, 400, "posting.to", "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
		                  "posting.to %s is before posting.from %s", to, from),
		       false;
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "from", from);
	cJSON_AddStringToObject(*out, "to", to);
	return true;
}

static bool attract_field(const cJSON *page, cJSON **out, draft_err *e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(page, "attract"), *d;
	*out = NULL;
	if (!a || cJSON_IsNull(a) || cJSON_IsFalse(a))
		return true;
	if (!cJSON_IsObject(a))
		return draft_fail(e, 400, "attract", "Lịch màn hình chờ không hợp lệ.", "attract must be an object"), false;
	cJSON *r = cJSON_CreateObject();
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(a, "days");
	if (days && !cJSON_IsNull(days)) {
		unsigned seen = 0;
		if (!cJSON_IsArray(days) || !cJSON_GetArraySize(days))
			goto bad_days;
		cJSON *list = cJSON_AddArrayToObject(r, "days");
		cJSON_ArrayForEach(d, days) {
			if (!cJSON_IsNumber(d) || d->valuedouble != (int)d->valuedouble || d->valueint < 1 || d->valueint > 7)
				goto bad_days;
			if (!(seen & 1u << d->valueint))
				cJSON_AddItemToArray(list, cJSON_CreateNumber(d->valueint));
			seen |= 1u << d->valueint;
		}
	}
	static const char *const hm[] = {"from", "to"};
	for (int i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, hm[i]);
		if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring))
			continue;
		if (!hhmm_ok(cJSON_GetStringValue(v))) {
			cJSON_Delete(r);
			return draft_fail(e, 400, i ? "attract.to" : "attract.from", "Giờ phải có dạng HH:MM (00:00 đến 24:00).",
			                  "attract.%s must be HH:MM", hm[i]),
			       false;
		}
		cJSON_AddStringToObject(r, hm[i], v->valuestring);
	}
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(a, "seconds");
	if (sec && !cJSON_IsNull(sec)) {
		if (!cJSON_IsNumber(sec) || sec->valuedouble != (int)sec->valuedouble || sec->valueint < 3 ||
		    sec->valueint > 600) {
			cJSON_Delete(r);
			return draft_fail(e, 400, "attract.seconds", "Thời gian hiển thị phải từ 3 đến 600 giây.",
			                  "attract.seconds must be a whole number from 3 to 600"),
			       false;
		}
		cJSON_AddNumberToObject(r, "seconds", sec->valueint);
	}
	*out = r;
	return true;
bad_days:
	cJSON_Delete(r);
	return draft_fail(e, 400, "attract.days", "Chọn ít nhất một ngày trong tuần (1 = thứ Hai … 7 = Chủ nhật).",
	                  "attract.days must list weekdays 1 (Monday) to 7 (Sunday)"),
	       false;
}

/* Every image the body shows must be a file of the draft, as the bundle
 * builder will demand; paths are relative to pages/. */
static bool body_images(const char *dir, const mdoc *d, const char *field, draft_err *e)
{
	for (size_t i = 0; i < d->n_blocks; i++) {
		const char *src = d->blocks[i].kind == MDOC_IMG ? d->blocks[i].src : NULL;
		char rel[300];
		if (d->blocks[i].kind != MDOC_IMG)
			continue;
		if (src && !strncmp(src, "../", 3))
			snprintf(rel, sizeof rel, "%s", src + 3);
		else
			snprintf(rel, sizeof rel, "pages/%s", src ? src : "");
		if (!src || !*src || !draft_safe_path(rel) || !file_exists(dir, rel)) {
			char vi[400];
			snprintf(vi, sizeof vi, "Ảnh “%.120s” không có trong nội dung (tải ảnh lên trước, rồi viết "
			                        "![mô tả](../images/tên-ảnh.png)).",
			         src ? src : "");
			draft_fail(e, 400, field, vi, "%s: image '%.120s' is not a file of the draft (upload it, then "
			           "write ![alt](../images/name.png))", field, src ? src : "");
			return false;
		}
	}
	return true;
}

static bool body_field(const char *dir, const cJSON *page, int l, char **out, draft_err *e)
{
	char field[16];
	snprintf(field, sizeof field, "body.%s", langs[l]);
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(page, "body");
	if (b && !cJSON_IsObject(b))
		return draft_fail(e, 400, "body", "Nội dung không hợp lệ.", "body must be {\"vi\": .., \"en\": ..}"), false;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, langs[l]);
	if (cJSON_IsString(v) && strlen(v->valuestring) > BODY_MAX)
		return draft_fail(e, 400, field, "Nội dung dài quá (tối đa 128 kB).", "%s is longer than %d bytes", field,
		                  BODY_MAX),
		       false;
	if (!text_field(b, langs[l], field, 0, l == 0, true, out, e))
		return false;
	if (!*out)
		return true;
	mdoc *d = NULL;
	if (mdoc_parse(*out, strlen(*out), &d) != TT_OK) {
		free(*out);
		*out = NULL;
		return draft_fail(e, 400, field, "Máy không đọc được đoạn Markdown này.", "%s is not Markdown the kiosk reads",
		                  field),
		       false;
	}
	bool ok = body_images(dir, d, field, e);
	mdoc_free(d);
	if (!ok) {
		free(*out);
		*out = NULL;
	}
	return ok;
}

static bool image_field(const char *dir, const cJSON *page, cJSON **out, draft_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(page, "image");
	*out = NULL;
	if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring))
		return true;
	const char *s = cJSON_GetStringValue(v);
	const char *dot = s ? strrchr(s, '.') : NULL;
	if (!s || !draft_safe_path(s) || strncmp(s, "images/", 7) != 0 || !dot ||
	    (strcmp(dot, ".png") && strcmp(dot, ".jpg") && strcmp(dot, ".jpeg")) || !file_exists(dir, s))
		return draft_fail(e, 400, "image", "Ảnh bìa phải là một ảnh đã tải lên (images/…).",
		                  "image '%.120s' is not an uploaded image (images/NAME.png or .jpg)", s ? s : ""),
		       false;
	*out = cJSON_CreateString(s);
	return true;
}

/* Sets o[key] = v in place (v NULL: removes it). */
static void set_key(cJSON *o, const char *key, cJSON *v)
{
	if (!v) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	else
		cJSON_AddItemToObject(o, key, v);
}

tt_err draft_page_put(const char *dir, const cJSON *page, bool create, draft_err *e)
{
	char *body[2] = {NULL, NULL};
	cJSON *m = NULL, *title = NULL, *summary = NULL, *posting = NULL, *attract = NULL, *image = NULL, *entry;
	tt_err rc = TT_ERR_INVAL;
	char path[PATH_LEN], rel[2][128];

	if (!cJSON_IsObject(page))
		return draft_fail(e, 400, "", "Dữ liệu gửi lên không phải JSON.", "the request body is not a JSON object");
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(page, "id"));
	if (!id_valid(id))
		return draft_fail(e, 400, "id",
		                  "Mã trang chỉ gồm chữ thường không dấu, số và dấu gạch ngang (a-z, 0-9, -), tối đa 64 ký tự.",
		                  "id '%.64s' must be 1 to 64 of a-z, 0-9 and '-'", id ? id : "");
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(page, "type"));
	int t = -1;
	for (int i = 0; type && i < 4; i++)
		if (!strcmp(type, types[i]))
			t = i;
	if (t < 0)
		return draft_fail(e, 400, "type", "Loại trang phải là chính sách, chiến dịch hoặc thông báo.",
		                  "type '%.20s' must be policy, campaign, notice or faq", type ? type : "");
	if (!(m = load_manifest(dir, e)))
		return TT_ERR_IO;
	entry = find_page(m, id, NULL);
	if (create && entry) {
		rc = draft_fail(e, 409, "id", "Đã có một trang với mã này; chọn mã khác.", "a page '%s' exists already", id);
		goto out;
	}
	const char *category = NULL;
	if (t == 0) {
		category = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(page, "category"));
		bool known = false;
		const cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "categories")) {
			const char *cid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "id"));
			known |= cid && category && !strcmp(cid, category);
		}
		if (!known) {
			rc = draft_fail(e, 400, "category", "Trang chính sách cần một nhóm có sẵn.",
			                "category '%.64s' is not a category of the draft", category ? category : "");
			goto out;
		}
	}
	const cJSON *order = cJSON_GetObjectItemCaseSensitive(page, "order");
	if (order && !cJSON_IsNull(order) &&
	    (!cJSON_IsNumber(order) || order->valuedouble != (int)order->valuedouble || order->valueint < 0 ||
	     order->valueint > 100000)) {
		rc = draft_fail(e, 400, "order", "Thứ tự phải là số nguyên từ 0 đến 100000.",
		                "order must be a whole number from 0 to 100000");
		goto out;
	}
	if (!lang_object(page, "title", TITLE_MAX, true, &title, e) ||
	    !lang_object(page, "summary", SUMMARY_MAX, false, &summary, e))
		goto out;
	for (int l = 0; l < 2; l++)
		if (!body_field(dir, page, l, &body[l], e))
			goto out;
	if (!image_field(dir, page, &image, e) || !posting_field(page, t == 2, &posting, e) ||
	    !attract_field(page, &attract, e))
		goto out;
	if (attract && t == 0) {
		rc = draft_fail(e, 400, "attract", "Chỉ chiến dịch và thông báo mới hiện trên màn hình chờ.",
		                "attract is for campaign items and notices only");
		goto out;
	}

	/* all checked: the bodies first, then the manifest */
	for (int l = 0; l < 2; l++) {
		snprintf(rel[l], sizeof rel[l], "pages/%s.%s.md", id, langs[l]);
		if (!body[l])
			continue;
		snprintf(path, sizeof path, "%s/pages", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/%s", dir, rel[l]);
		size_t n = strlen(body[l]);
		char *withnl = malloc(n + 2);
		if (!withnl) {
			rc = draft_fail(e, 500, "", "Hết bộ nhớ.", "out of memory");
			goto out;
		}
		memcpy(withnl, body[l], n);
		withnl[n] = '\n';
		int err = write_atomic(path, withnl, n + 1);
		free(withnl);
		if (err) {
			rc = draft_fail(e, 500, "", "Không ghi được trang.", "%s: cannot write: %s", path, strerror(err));
			goto out;
		}
	}
	bool added = !entry;
	if (added)
		entry = cJSON_CreateObject();
	set_key(entry, "id", cJSON_CreateString(id));
	set_key(entry, "type", cJSON_CreateString(types[t]));
	set_key(entry, "category", category ? cJSON_CreateString(category) : NULL);
	int ord = 1;
	if (order && cJSON_IsNumber(order)) {
		ord = order->valueint;
	} else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(entry, "order"))) {
		ord = cJSON_GetObjectItemCaseSensitive(entry, "order")->valueint;
	} else { /* after the last of its kind */
		const cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "pages")) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "order");
			const char *pt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "type"));
			if (pt && !strcmp(pt, types[t]) && cJSON_IsNumber(o) && o->valueint >= ord)
				ord = o->valueint + 1;
		}
	}
	set_key(entry, "order", cJSON_CreateNumber(ord));
	set_key(entry, "title", title);
	title = NULL;
	set_key(entry, "summary", summary);
	summary = NULL;
	cJSON *bodies = cJSON_CreateObject();
	for (int l = 0; l < 2; l++)
		if (body[l])
			cJSON_AddStringToObject(bodies, langs[l], rel[l]);
	set_key(entry, "body", bodies);
	set_key(entry, "image", image);
	image = NULL;
	set_key(entry, "posting", posting);
	posting = NULL;
	set_key(entry, "attract", attract);
	attract = NULL;
	if (added)
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(m, "pages"), entry);
	if ((rc = save_manifest(dir, m, e)) != TT_OK)
		goto out;
	/* an English body taken away: its file goes after the manifest */
	if (!body[1]) {
		snprintf(path, sizeof path, "%s/%s", dir, rel[1]);
		unlink(path);
	}
	rc = TT_OK;
out:
	for (int l = 0; l < 2; l++)
		free(body[l]);
	cJSON_Delete(title);
	cJSON_Delete(summary);
	cJSON_Delete(posting);
	cJSON_Delete(attract);
	cJSON_Delete(image);
	cJSON_Delete(m);
	return rc;
}

tt_err draft_page_delete(const char *dir, const char *id, draft_err *e)
{
	char path[PATH_LEN];
	int index;
	cJSON *m = load_manifest(dir, e), *p;
	if (!m)
		return TT_ERR_IO;
	if (!id_valid(id) || !find_page(m, id, &index)) {
		cJSON_Delete(m);
		return draft_fail(e, 404, "id", "Không có trang này.", "no page '%.64s'", id ? id : "");
	}
	cJSON *gone = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(m, "pages"), index);
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "pages")) {
		cJSON *links = cJSON_GetObjectItemCaseSensitive(p, "links");
		for (int i = cJSON_GetArraySize(links) - 1; i >= 0; i--) {
			const char *l = cJSON_GetStringValue(cJSON_GetArrayItem(links, i));
			if (l && !strcmp(l, id))
				cJSON_DeleteItemFromArray(links, i);
		}
	}
	tt_err rc = save_manifest(dir, m, e);
	if (rc == TT_OK) {
		const cJSON *paths = cJSON_GetObjectItemCaseSensitive(gone, "body");
		for (int l = 0; l < 2; l++) {
			const char *rel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(paths, langs[l]));
			if (rel && draft_safe_path(rel)) {
				snprintf(path, sizeof path, "%s/%s", dir, rel);
				unlink(path);
			}
		}
	}
	cJSON_Delete(gone);
	cJSON_Delete(m);
	return rc;
}

tt_err draft_image_put(const char *dir, const char *hint, const void *data, size_t len, const char *ext, char *out,
                       size_t outlen, draft_err *e)
{
	char name[48], path[PATH_LEN], rel[96];
	size_t n = 0;
	/* the name the clerk's file had, without its extension, in [a-z0-9-]:
	 * Vietnamese letters lose their marks ("Áp phích Tết" -> ap-phich-tet) */
	utf8proc_uint8_t *plain = NULL;
	if (hint && text_valid(hint, strlen(hint)))
		utf8proc_map((const utf8proc_uint8_t *)hint, 0, &plain,
		             UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
	const char *h = plain ? (const char *)plain : "";
	const char *dot = strrchr(h, '.');
	for (const char *c = h; *c && c != dot && n < 40; c++) {
		if (!strncmp(c, "\xc4\x91", 2)) { /* đ (casefolded Đ): no mark to strip, a letter of its own */
			name[n++] = 'd';
			c++;
			continue;
		}
		char ch = (char)tolower((unsigned char)*c);
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			name[n++] = ch;
		else if (n && name[n - 1] != '-')
			name[n++] = '-';
	}
	free(plain);
	while (n && name[n - 1] == '-')
		n--;
	name[n] = '\0';
	if (!n)
		snprintf(name, sizeof name, "anh");
	snprintf(path, sizeof path, "%s/images", dir);
	mkdir(path, 0755);
	for (int i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(rel, sizeof rel, "images/%s.%s", name, ext);
		else
			snprintf(rel, sizeof rel, "images/%s-%d.%s", name, i, ext);
		if (!file_exists(dir, rel))
			break;
	}
	if (!draft_safe_path(rel))
		return draft_fail(e, 400, "name", "Tên ảnh không hợp lệ.", "bad image name");
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	int err = write_atomic(path, data, len);
	if (err)
		return draft_fail(e, 500, "", "Không ghi được ảnh.", "%s: cannot write: %s", path, strerror(err));
	snprintf(out, outlen, "%s", rel);
	return TT_OK;
}
