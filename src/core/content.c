/* content.c - loading a content bundle into an in-memory catalogue.
 *
 * The manifest is read once with cJSON into plain structs (ids, titles per
 * language, posting windows, attract schedules); page bodies are parsed
 * lazily on first view and cached, since a kiosk shows a handful of pages
 * between restarts.  Every fault (missing field, unknown type, file that
 * does not exist, path escaping the bundle) is logged in one line naming
 * the manifest and the page, and the page is kept if it can still be
 * shown: a kiosk with one bad page is better than a blank kiosk.
 *
 * A bundle may be made of several parts (content_load_many: a commune's
 * bundle, then its province's).  Each part is loaded on its own, then moved
 * into one catalogue: categories and pages of earlier parts first, a later
 * part's category with a known id adds only its pages, a later part's page
 * with a known id is dropped.  Every page remembers its part, whose folder
 * its body and images are resolved against. */
#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tramtin/clock.h"
#include "tramtin/content.h"
#include "tramtin/log.h"
#include "tramtin/text.h"

#define MAX_MANIFEST (8u << 20)
#define MAX_PAGE (4u << 20)

struct content_part {
	char *dir;
	char *id, *channel;
	int64_t version;
	bool sample;
};

struct content_bundle {
	struct content_part *parts; /* parts[0] is the only part while loading */
	size_t n_parts;
	content_category *cats;
	size_t n_cats;
	content_page *pages;
	size_t n_pages;
	mdoc **docs; /* n_pages * LANG__COUNT, lazily parsed */
	bool *doc_failed;
	unsigned faults;
	char first_fault[256];
};

/* The first part's folder (the only one while a part is loading). */
static const char *bdir(const content_bundle *b)
{
	return b && b->n_parts && b->parts[0].dir ? b->parts[0].dir : "";
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void fault(content_bundle *b, const char *fmt, ...);

static void fault(content_bundle *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (!b->faults++)
		snprintf(b->first_fault, sizeof b->first_fault, "%.255s", line);
	tt_warn("%s", line);
}

static char *read_file(const char *path, size_t max, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;
	*err = 0;
	if (!f) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *p = realloc(data, ncap);
			if (!p) {
				*err = ENOMEM;
				goto fail;
			}
			data = p;
			cap = ncap;
		}
		size_t r = fread(data + n, 1, cap - n - 1, f);
		n += r;
		if (n > max) {
			*err = EFBIG;
			goto fail;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		*err = EIO;
		goto fail;
	}
	fclose(f);
	data[n] = '\0';
	*len = n;
	return data;
fail:
	fclose(f);
	free(data);
	return NULL;
}

static char *nfc_dup(const char *s)
{
	return s ? text_nfc(s, strlen(s)) : NULL;
}

static char *str_field(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? nfc_dup(v->valuestring) : NULL;
}

static void read_text(const cJSON *o, const char *name, content_text *t)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (cJSON_IsString(v)) {
		t->t[LANG_VI] = nfc_dup(v->valuestring);
		return;
	}
	for (int l = 0; l < LANG__COUNT; l++)
		t->t[l] = str_field(v, i18n_code((tt_lang)l));
}

static void free_text(content_text *t)
{
	for (int l = 0; l < LANG__COUNT; l++)
		free(t->t[l]);
}

const char *content_tr(const content_text *t, tt_lang lang)
{
	if (!t)
		return "";
	if ((unsigned)lang < LANG__COUNT && t->t[lang] && t->t[lang][0])
		return t->t[lang];
	for (int l = 0; l < LANG__COUNT; l++)
		if (t->t[l] && t->t[l][0])
			return t->t[l];
	return "";
}

static bool parse_hhmm(const char *s, int *out)
{
	int h, m, n = 0;
	if (!s || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m))
		return false;
	*out = h * 60 + m;
	return true;
}

static void read_attract(content_bundle *b, const char *pid, const cJSON *a, content_attract *out)
{
	if (!a)
		return;
	if (!cJSON_IsObject(a)) {
		fault(b, "%s/manifest.json: page '%s': \"attract\" must be an object", bdir(b), pid);
		return;
	}
	out->set = true;
	out->days = 0x7f;
	out->from_min = 0;
	out->to_min = 24 * 60;
	out->seconds = 10;
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(a, "days");
	if (cJSON_IsArray(days)) {
		out->days = 0;
		const cJSON *d;
		cJSON_ArrayForEach(d, days) {
			if (cJSON_IsNumber(d) && d->valueint >= 1 && d->valueint <= 7)
				out->days |= 1u << (d->valueint - 1);
			else
				fault(b, "%s/manifest.json: page '%s': attract day must be 1 (Monday) to 7 (Sunday)", bdir(b), pid);
		}
	}
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(a, "from");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(a, "to");
	if (from && !parse_hhmm(cJSON_GetStringValue(from), &out->from_min))
		fault(b, "%s/manifest.json: page '%s': attract \"from\" must be HH:MM", bdir(b), pid);
	if (to && !parse_hhmm(cJSON_GetStringValue(to), &out->to_min))
		fault(b, "%s/manifest.json: page '%s': attract \"to\" must be HH:MM", bdir(b), pid);
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(a, "seconds");
	if (cJSON_IsNumber(sec)) {
		if (sec->valueint >= 3 && sec->valueint <= 600)
			out->seconds = sec->valueint;
		else
			fault(b, "%s/manifest.json: page '%s': attract \"seconds\" must be 3 to 600", bdir(b), pid);
	}
}

bool content_attract_due(const content_attract *a, int wday, int minute)
{
	if (!a || !a->set || wday < 1 || wday > 7 || !(a->days & (1u << (wday - 1))))
		return false;
	if (a->from_min <= a->to_min)
		return minute >= a->from_min && minute < a->to_min;
	return minute >= a->from_min || minute < a->to_min; /* over midnight */
}

static content_type parse_type(const char *s, bool *ok)
{
	static const char *const names[] = {"policy", "campaign", "notice", "faq", "survey"};
	*ok = false;
	for (int i = 0; s && i < CONTENT__TYPES; i++)
		if (strcmp(s, names[i]) == 0) {
			*ok = true;
			return (content_type)i;
		}
	return CONTENT_POLICY;
}

/* Joins dir and rel (relative to base, a path inside the bundle, or to the
 * bundle root if base is NULL) after normalising; see content_path. */
static tt_err join_path(const char *dir, const char *base, const char *rel, char *out, size_t outlen)
{
	char joined[2048];
	if (!dir || !*dir || !rel || !out || !*rel)
		return TT_ERR_INVAL;
	if (rel[0] == '/' || strstr(rel, "://") || strchr(rel, '\\'))
		return TT_ERR_INVAL;
	size_t dlen = 0;
	if (base) {
		const char *slash = strrchr(base, '/');
		dlen = slash ? (size_t)(slash - base) + 1 : 0;
	}
	if (dlen + strlen(rel) + 1 > sizeof joined)
		return TT_ERR_RANGE;
	memcpy(joined, base ? base : "", dlen);
	strcpy(joined + dlen, rel);
	/* Normalise ".." and "." segments; refuse to climb out of the bundle. */
	char norm[2048];
	size_t n = 0;
	for (char *seg = joined; *seg;) {
		char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if (len == 0 || (len == 1 && seg[0] == '.')) {
			/* skip */
		} else if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (n == 0)
				return TT_ERR_INVAL;
			while (n > 0 && norm[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			if (n)
				norm[n++] = '/';
			memcpy(norm + n, seg, len);
			n += len;
		}
		if (!end)
			break;
		seg = end + 1;
	}
	norm[n] = '\0';
	if (n == 0)
		return TT_ERR_INVAL;
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, norm) >= outlen)
		return TT_ERR_RANGE;
	return TT_OK;
}

/* The part a path handed to content_path belongs to: base or rel is one of
 * a page's own strings (body, image) or an image path in a page's parsed
 * body.  Anything else is taken as the first part's. */
static size_t part_of(const content_bundle *b, const char *base, const char *rel)
{
	if (b->n_parts <= 1)
		return 0;
	for (size_t i = 0; i < b->n_pages; i++) {
		const content_page *p = &b->pages[i];
		bool mine = (base && base == p->image) || rel == p->image;
		for (int l = 0; l < LANG__COUNT; l++)
			mine |= (base && base == p->body[l]) || rel == p->body[l];
		if (mine)
			return p->part;
	}
	for (size_t slot = 0; b->docs && slot < b->n_pages * LANG__COUNT; slot++) {
		const mdoc *d = b->docs[slot];
		for (size_t k = 0; d && k < d->n_blocks; k++)
			if (d->blocks[k].src == rel)
				return b->pages[slot / LANG__COUNT].part;
	}
	return 0;
}

tt_err content_path(const content_bundle *b, const char *base, const char *rel, char *out, size_t outlen)
{
	if (!b || !b->n_parts)
		return TT_ERR_INVAL;
	return join_path(b->parts[part_of(b, base, rel)].dir, base, rel, out, outlen);
}

static bool page_in(const content_bundle *b, const content_page *p)
{
	return b && p && b->pages && p >= b->pages && p < b->pages + b->n_pages;
}

tt_err content_page_path(const content_bundle *b, const content_page *p, const char *base, const char *rel, char *out,
                         size_t outlen)
{
	if (!page_in(b, p) || p->part >= b->n_parts)
		return TT_ERR_INVAL;
	return join_path(b->parts[p->part].dir, base, rel, out, outlen);
}

/* Returns false (after one log line) if rel is not a file in the bundle. */
static bool check_file(content_bundle *b, const char *pid, const char *what, const char *rel)
{
	char path[2048];
	struct stat st;
	if (!rel)
		return true;
	if (join_path(bdir(b), NULL, rel, path, sizeof path) != TT_OK) {
		fault(b, "%s/manifest.json: page '%s': %s '%s' is not a path inside the bundle", bdir(b), pid, what, rel);
		return false;
	}
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		fault(b, "%s: page '%s': %s file is missing", path, pid, what);
		return false;
	}
	return true;
}

static void read_page(content_bundle *b, const cJSON *o, content_page *p, size_t index)
{
	char fallback_id[32];
	p->id = str_field(o, "id");
	if (!p->id) {
		snprintf(fallback_id, sizeof fallback_id, "page-%zu", index + 1);
		fault(b, "%s/manifest.json: page %zu has no \"id\"", bdir(b), index + 1);
		p->id = strdup(fallback_id);
	}
	const char *pid = p->id ? p->id : "?";
	bool ok;
	p->type = parse_type(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "type")), &ok);
	if (!ok)
		fault(b, "%s/manifest.json: page '%s': \"type\" must be policy, campaign, notice, faq or survey", bdir(b), pid);
	p->category = str_field(o, "category");
	const cJSON *ord = cJSON_GetObjectItemCaseSensitive(o, "order");
	p->order = cJSON_IsNumber(ord) ? ord->valueint : (int)index + 1;
	read_text(o, "title", &p->title);
	read_text(o, "summary", &p->summary);
	if (!p->title.t[LANG_VI] && !p->title.t[LANG_EN])
		fault(b, "%s/manifest.json: page '%s' has no \"title\"", bdir(b), pid);
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(o, "body");
	for (int l = 0; l < LANG__COUNT; l++) {
		p->body[l] = str_field(body, i18n_code((tt_lang)l));
		/* a body already reported missing is not read (and reported) again */
		if (!check_file(b, pid, "body", p->body[l]))
			b->doc_failed[index * LANG__COUNT + (size_t)l] = true;
	}
	p->image = str_field(o, "image");
	check_file(b, pid, "image", p->image);
	const cJSON *doc = cJSON_GetObjectItemCaseSensitive(o, "document");
	if (doc) {
		p->doc_url = str_field(doc, "url");
		read_text(doc, "title", &p->doc_title);
		if (!p->doc_url || (strncmp(p->doc_url, "https://", 8) != 0 && strncmp(p->doc_url, "http://", 7) != 0)) {
			fault(b, "%s/manifest.json: page '%s': document \"url\" must be an http(s) URL", bdir(b), pid);
			free(p->doc_url);
			p->doc_url = NULL;
		}
	}
	const cJSON *posting = cJSON_GetObjectItemCaseSensitive(o, "posting");
	if (posting) {
		const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(posting, "from"));
		const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(posting, "to"));
		if (clock_parse(from, CLOCK_TZ_VN_MIN, &p->post_from) && clock_parse(to, CLOCK_TZ_VN_MIN, &p->post_to) &&
		    p->post_from <= p->post_to) {
			p->has_posting = true;
			if (strlen(to) == 10)
				p->post_to += 86400 - 1; /* a date "to" includes that whole day */
		} else {
			fault(b, "%s/manifest.json: page '%s': \"posting\" needs \"from\" and \"to\" dates (YYYY-MM-DD), from <= to",
			      bdir(b), pid);
		}
	} else if (p->type == CONTENT_NOTICE) {
		fault(b, "%s/manifest.json: notice '%s' has no \"posting\" window", bdir(b), pid);
	}
	read_attract(b, pid, cJSON_GetObjectItemCaseSensitive(o, "attract"), &p->attract);
	const cJSON *links = cJSON_GetObjectItemCaseSensitive(o, "links");
	if (cJSON_IsArray(links)) {
		int n = cJSON_GetArraySize(links);
		p->links = calloc((size_t)n + 1, sizeof *p->links);
		const cJSON *l;
		cJSON_ArrayForEach(l, links) {
			if (p->links && cJSON_IsString(l))
				p->links[p->n_links++] = strdup(l->valuestring);
		}
	}
}

static void free_page(content_page *p)
{
	free(p->id);
	free(p->category);
	free_text(&p->title);
	free_text(&p->summary);
	for (int l = 0; l < LANG__COUNT; l++)
		free(p->body[l]);
	free(p->image);
	free(p->doc_url);
	free_text(&p->doc_title);
	for (size_t i = 0; i < p->n_links; i++)
		free(p->links[i]);
	free(p->links);
}

static void load_manifest(content_bundle *b)
{
	char path[2048];
	size_t len = 0;
	int err;
	struct content_part *part = &b->parts[0];
	snprintf(path, sizeof path, "%s/manifest.json", part->dir);
	char *data = read_file(path, MAX_MANIFEST, &len, &err);
	if (!data) {
		fault(b, "%s: cannot read: %s", path, tt_strerrno(err));
		return;
	}
	cJSON *root = cJSON_ParseWithLength(data, len);
	if (!root || !cJSON_IsObject(root)) {
		const char *at = cJSON_GetErrorPtr();
		size_t line = 1;
		for (const char *p = data; at && p < at && p < data + len; p++)
			line += *p == '\n';
		fault(b, "%s:%zu: not valid JSON", path, line);
		goto out;
	}
	part->id = str_field(root, "id");
	part->channel = str_field(root, "channel");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");
	part->version = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
	part->sample = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "sample"));

	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(root, "categories");
	int nc = cJSON_IsArray(cats) ? cJSON_GetArraySize(cats) : 0;
	if (nc > 0 && (b->cats = calloc((size_t)nc, sizeof *b->cats))) {
		const cJSON *c;
		cJSON_ArrayForEach(c, cats) {
			content_category *cat = &b->cats[b->n_cats];
			cat->id = str_field(c, "id");
			if (!cat->id) {
				fault(b, "%s: category %zu has no \"id\"", path, b->n_cats + 1);
				continue;
			}
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(c, "order");
			cat->order = cJSON_IsNumber(o) ? o->valueint : (int)b->n_cats + 1;
			read_text(c, "title", &cat->title);
			read_text(c, "summary", &cat->summary);
			b->n_cats++;
		}
	}
	const cJSON *pages = cJSON_GetObjectItemCaseSensitive(root, "pages");
	int np = cJSON_IsArray(pages) ? cJSON_GetArraySize(pages) : 0;
	if (!cJSON_IsArray(pages))
		fault(b, "%s: no \"pages\" array", path);
	b->docs = calloc((size_t)np * LANG__COUNT + 1, sizeof *b->docs);
	b->doc_failed = calloc((size_t)np * LANG__COUNT + 1, sizeof *b->doc_failed);
	if (!b->docs || !b->doc_failed)
		goto out;
	if (np > 0 && (b->pages = calloc((size_t)np, sizeof *b->pages))) {
		const cJSON *p;
		cJSON_ArrayForEach(p, pages) {
			if (!cJSON_IsObject(p)) {
				fault(b, "%s: page %zu is not an object", path, b->n_pages + 1);
				continue;
			}
			read_page(b, p, &b->pages[b->n_pages], b->n_pages);
			b->n_pages++;
		}
	}
out:
	cJSON_Delete(root);
	free(data);
}

/* Loads one part: a bundle whose parts[0] is dir. */
static content_bundle *load_part(const char *dir)
{
	content_bundle *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->parts = calloc(1, sizeof *b->parts);
	if (!b->parts || !(b->parts[0].dir = strdup(dir ? dir : "."))) {
		free(b->parts);
		free(b);
		return NULL;
	}
	b->n_parts = 1;
	char *d = b->parts[0].dir;
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	load_manifest(b);
	if (!b->docs)
		b->docs = calloc(1, sizeof *b->docs);
	if (!b->doc_failed)
		b->doc_failed = calloc(1, sizeof *b->doc_failed);
	if (!b->docs || !b->doc_failed) {
		content_free(b);
		return NULL;
	}
	return b;
}

/* A policy page's category must be one of the (merged) categories. */
static void check_categories(content_bundle *b)
{
	for (size_t i = 0; i < b->n_pages; i++) {
		const content_page *pg = &b->pages[i];
		if (pg->type != CONTENT_POLICY || !pg->category)
			continue;
		bool known = false;
		for (size_t k = 0; k < b->n_cats && !known; k++)
			known = strcmp(b->cats[k].id, pg->category) == 0;
		if (!known)
			fault(b, "%s/manifest.json: page '%s': unknown category '%s'", b->parts[pg->part].dir, pg->id,
			      pg->category);
	}
}

content_bundle *content_load(const char *dir)
{
	content_bundle *b = load_part(dir);
	if (b)
		check_categories(b);
	return b;
}

static void free_category(content_category *c)
{
	free(c->id);
	free_text(&c->title);
	free_text(&c->summary);
}

static void free_part(struct content_part *p)
{
	free(p->dir);
	free(p->id);
	free(p->channel);
}

/* Moves part s (loaded by load_part, nothing parsed yet) into m as part
 * m->n_parts; m's arrays have room for all of s.  s is freed. */
static void merge_part(content_bundle *m, content_bundle *s)
{
	size_t k = m->n_parts++, first_page = m->n_pages;
	m->parts[k] = s->parts[0];
	if (s->faults && !m->faults)
		memcpy(m->first_fault, s->first_fault, sizeof m->first_fault);
	m->faults += s->faults;
	for (size_t i = 0; i < s->n_cats; i++) {
		content_category *c = &s->cats[i];
		bool known = false;
		for (size_t j = 0; j < m->n_cats && !known; j++)
			known = strcmp(m->cats[j].id, c->id) == 0;
		if (known)
			free_category(c); /* the earlier part's title and summary stay */
		else
			m->cats[m->n_cats++] = *c;
	}
	for (size_t i = 0; i < s->n_pages; i++) {
		content_page *p = &s->pages[i];
		const content_page *earlier = NULL;
		for (size_t j = 0; j < first_page && !earlier && p->id; j++)
			if (m->pages[j].id && strcmp(m->pages[j].id, p->id) == 0)
				earlier = &m->pages[j];
		if (earlier) {
			tt_info("%s/manifest.json: page '%s' is hidden by the one in %s", m->parts[k].dir, p->id,
			        m->parts[earlier->part].dir);
			free_page(p);
			continue;
		}
		p->part = k;
		for (int l = 0; l < LANG__COUNT; l++)
			m->doc_failed[m->n_pages * LANG__COUNT + (size_t)l] = s->doc_failed[i * LANG__COUNT + (size_t)l];
		m->pages[m->n_pages++] = *p;
	}
	/* s->docs holds no parsed document yet */
	free(s->cats);
	free(s->pages);
	free(s->docs);
	free(s->doc_failed);
	free(s->parts);
	free(s);
}

content_bundle *content_load_many(const char *const *dirs, size_t n)
{
	if (dirs && n == 1)
		return content_load(dirs[0]);
	content_bundle *m = calloc(1, sizeof *m), **parts = calloc(n + 1, sizeof *parts);
	size_t n_cats = 0, n_pages = 0, loaded = 0;
	if (!m || !parts)
		goto oom;
	for (; dirs && loaded < n; loaded++) {
		if (!(parts[loaded] = load_part(dirs[loaded])))
			goto oom;
		n_cats += parts[loaded]->n_cats;
		n_pages += parts[loaded]->n_pages;
	}
	m->parts = calloc(loaded + 1, sizeof *m->parts);
	m->cats = calloc(n_cats + 1, sizeof *m->cats);
	m->pages = calloc(n_pages + 1, sizeof *m->pages);
	m->docs = calloc(n_pages * LANG__COUNT + 1, sizeof *m->docs);
	m->doc_failed = calloc(n_pages * LANG__COUNT + 1, sizeof *m->doc_failed);
	if (!m->parts || !m->cats || !m->pages || !m->docs || !m->doc_failed)
		goto oom;
	if (loaded == 0)
		fault(m, "no content bundle to load");
	for (size_t i = 0; i < loaded; i++)
		merge_part(m, parts[i]);
	free(parts);
	check_categories(m);
	return m;
oom:
	for (size_t i = 0; parts && i < loaded; i++)
		content_free(parts[i]);
	free(parts);
	content_free(m);
	return NULL;
}

void content_free(content_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_cats; i++)
		free_category(&b->cats[i]);
	free(b->cats);
	for (size_t i = 0; i < b->n_pages; i++) {
		free_page(&b->pages[i]);
		for (int l = 0; l < LANG__COUNT; l++)
			if (b->docs)
				mdoc_free(b->docs[i * LANG__COUNT + (size_t)l]);
	}
	free(b->pages);
	free(b->docs);
	free(b->doc_failed);
	for (size_t i = 0; i < b->n_parts; i++)
		free_part(&b->parts[i]);
	free(b->parts);
	free(b);
}

const char *content_dir(const content_bundle *b) { return bdir(b); }
const char *content_id(const content_bundle *b) { return content_part_id(b, 0); }
const char *content_channel(const content_bundle *b) { return content_part_channel(b, 0); }
int64_t content_version(const content_bundle *b) { return content_part_version(b, 0); }

bool content_is_sample(const content_bundle *b)
{
	bool all = b && b->n_parts > 0;
	for (size_t i = 0; all && i < b->n_parts; i++)
		all = b->parts[i].sample;
	return all;
}

size_t content_part_count(const content_bundle *b) { return b ? b->n_parts : 0; }

static const struct content_part *part_at(const content_bundle *b, size_t i)
{
	return b && i < b->n_parts ? &b->parts[i] : NULL;
}

const char *content_part_dir(const content_bundle *b, size_t i)
{
	const struct content_part *p = part_at(b, i);
	return p && p->dir ? p->dir : "";
}

const char *content_part_id(const content_bundle *b, size_t i)
{
	const struct content_part *p = part_at(b, i);
	return p && p->id ? p->id : "";
}

const char *content_part_channel(const content_bundle *b, size_t i)
{
	const struct content_part *p = part_at(b, i);
	return p && p->channel ? p->channel : "";
}

int64_t content_part_version(const content_bundle *b, size_t i)
{
	const struct content_part *p = part_at(b, i);
	return p ? p->version : 0;
}
unsigned content_faults(const content_bundle *b) { return b ? b->faults : 0; }
const char *content_first_fault(const content_bundle *b) { return b ? b->first_fault : ""; }
size_t content_category_count(const content_bundle *b) { return b ? b->n_cats : 0; }
size_t content_page_count(const content_bundle *b) { return b ? b->n_pages : 0; }

const content_category *content_category_at(const content_bundle *b, size_t i)
{
	return b && i < b->n_cats ? &b->cats[i] : NULL;
}

const content_page *content_page_at(const content_bundle *b, size_t i)
{
	return b && i < b->n_pages ? &b->pages[i] : NULL;
}

const content_page *content_page_find(const content_bundle *b, const char *id)
{
	for (size_t i = 0; b && id && i < b->n_pages; i++)
		if (b->pages[i].id && strcmp(b->pages[i].id, id) == 0)
			return &b->pages[i];
	return NULL;
}

/* Earlier parts first, then by order, then by id. */
static int by_order(const content_page *x, const content_page *y)
{
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

size_t content_select(const content_bundle *b, content_type type, const char *category, int64_t now,
                      const content_page **out, size_t max)
{
	size_t n = 0, kept = 0;
	for (size_t i = 0; b && i < b->n_pages; i++) {
		const content_page *p = &b->pages[i];
		if (p->type != type)
			continue;
		if (category && (!p->category || strcmp(p->category, category) != 0))
			continue;
		if (p->type == CONTENT_NOTICE && (!p->has_posting || now < p->post_from || now > p->post_to))
			continue;
		n++;
		/* keep out sorted; past max, only what sorts before the last stays */
		if (!out || max == 0 || (kept == max && by_order(p, out[max - 1]) >= 0))
			continue;
		size_t j = kept < max ? kept++ : max - 1;
		for (; j > 0 && by_order(p, out[j - 1]) < 0; j--)
			out[j] = out[j - 1];
		out[j] = p;
	}
	return n;
}

const mdoc *content_page_doc(content_bundle *b, const content_page *p, tt_lang lang)
{
	if (!page_in(b, p) || p->part >= b->n_parts || (unsigned)lang >= LANG__COUNT)
		return NULL;
	size_t pi = (size_t)(p - b->pages);
	tt_lang order[2] = {lang, lang == LANG_VI ? LANG_EN : LANG_VI};
	for (int k = 0; k < 2; k++) {
		size_t slot = pi * LANG__COUNT + order[k];
		if (b->docs[slot])
			return b->docs[slot];
		if (b->doc_failed[slot] || !p->body[order[k]])
			continue;
		char path[2048];
		size_t len;
		int err;
		b->doc_failed[slot] = true;
		if (join_path(b->parts[p->part].dir, NULL, p->body[order[k]], path, sizeof path) != TT_OK)
			continue;
		char *data = read_file(path, MAX_PAGE, &len, &err);
		if (!data) {
			fault(b, "%s: page '%s': cannot read: %s", path, p->id, tt_strerrno(err));
			continue;
		}
		mdoc *d = NULL;
		tt_err rc = mdoc_parse(data, len, &d);
		free(data);
		if (rc != TT_OK) {
			fault(b, "%s: page '%s': %s", path, p->id, rc == TT_ERR_PARSE ? "not valid UTF-8 Markdown" : tt_strerror(rc));
			continue;
		}
		b->doc_failed[slot] = false;
		b->docs[slot] = d;
		return d;
	}
	return NULL;
}
