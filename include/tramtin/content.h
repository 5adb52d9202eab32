/* content.h - a content bundle: manifest, pages, images.
 *
 * A bundle is a folder with manifest.json (format in
 * assets/content/README.md) plus Markdown pages per language and images.
 * Loading never fails as a whole because one part is bad: a page whose file
 * is missing or whose Markdown is broken is kept with an error text, one
 * log line names each fault, and the kiosk shows what it can.  Only an
 * unreadable or non-JSON manifest gives an empty bundle (with its error).
 *
 * A kiosk shows several bundles as one (content_load_many): its commune's
 * channel "ht/<commune>", then its province's "ht".  Each is a part; every
 * page remembers its part, whose folder its body and images come from. */
#ifndef TRAMTIN_CONTENT_H
#define TRAMTIN_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"
#include "tramtin/i18n.h"
#include "tramtin/markdown.h"

typedef enum content_type {
	CONTENT_POLICY = 0, CONTENT_CAMPAIGN, CONTENT_NOTICE, CONTENT_FAQ, CONTENT_SURVEY, CONTENT__TYPES
} content_type;

/* A text in each language; a missing language falls back to the other. */
typedef struct content_text {
	char *t[LANG__COUNT];
} content_text;

typedef struct content_attract {
	bool set;
	unsigned days;      /* bit d-1 for day d, 1 = Monday .. 7 = Sunday */
	int from_min, to_min; /* minutes after local midnight */
	int seconds;
} content_attract;

typedef struct content_category {
	char *id;
	int order;
	content_text title, summary;
} content_category;

typedef struct content_page {
	char *id;
	content_type type;
	char *category;     /* policy pages: a category id */
	int order;
	content_text title, summary;
	char *body[LANG__COUNT];  /* path relative to the bundle */
	char *image;              /* cover image, relative to the bundle, or NULL */
	char *doc_url;            /* full legal document (QR), or NULL */
	content_text doc_title;
	bool has_posting;
	int64_t post_from, post_to; /* UTC seconds; post_to is the end of that day */
	content_attract attract;
	char **links;
	size_t n_links;
	size_t part;              /* index of the bundle part the page came from */
} content_page;

typedef struct content_bundle content_bundle;

/* Loads the bundle in dir (copied).  Never returns NULL except on out of
 * memory; faults are logged and counted (content_faults). */
content_bundle *content_load(const char *dir);
/* Loads the bundles in dirs[0..n) as one: the first's pages and
 * categories come first (a kiosk passes the commune's bundle, then the
 * province's).  A category id present in several keeps the first's
 * title and summary and collects pages from all; a page id present in
 * an earlier bundle hides the later one's page (logged once).  Each
 * page keeps the folder of the bundle it came from, so its body,
 * images and links resolve there.  n == 1 is content_load(dirs[0]).
 * A part that cannot be read is a fault and stays a part (empty, channel
 * "", version 0); the others still show.  n == 0 gives an empty bundle
 * with no part and one fault.  NULL only on out of memory. */
content_bundle *content_load_many(const char *const *dirs, size_t n);
void content_free(content_bundle *b); /* accepts NULL */

/* The first part's folder, id, channel and version ("" / 0 without one). */
const char *content_dir(const content_bundle *b);
const char *content_id(const content_bundle *b);
const char *content_channel(const content_bundle *b);
int64_t content_version(const content_bundle *b);
/* True if every part is sample content (false without parts). */
bool content_is_sample(const content_bundle *b);
/* The parts, in the order given to content_load_many (content_load: one).
 * Out of range: "" / 0. */
size_t content_part_count(const content_bundle *b);
const char *content_part_dir(const content_bundle *b, size_t i);
const char *content_part_id(const content_bundle *b, size_t i);
const char *content_part_channel(const content_bundle *b, size_t i);
int64_t content_part_version(const content_bundle *b, size_t i);
/* Number of faults found while loading (0 for a clean bundle), over all
 * parts, and the first one's text (or ""). */
unsigned content_faults(const content_bundle *b);
const char *content_first_fault(const content_bundle *b);

size_t content_category_count(const content_bundle *b);
const content_category *content_category_at(const content_bundle *b, size_t i);

size_t content_page_count(const content_bundle *b);
const content_page *content_page_at(const content_bundle *b, size_t i);
const content_page *content_page_find(const content_bundle *b, const char *id);

/* Pages of one type (and, if category is not NULL, of that category),
 * sorted by (part, order, id) so an earlier part's pages come first, the
 * first max of them written to out (borrowed pointers); returns how many
 * there are.
 * Notices are filtered by posting window at time now (UTC): those not yet
 * posted or ended are left out. */
size_t content_select(const content_bundle *b, content_type type, const char *category, int64_t now,
                      const content_page **out, size_t max);

/* The text of t in lang, falling back to the other language, never NULL. */
const char *content_tr(const content_text *t, tt_lang lang);

/* Loads and parses the page body in lang (falls back to the other
 * language).  The document is cached in the bundle and borrowed by the
 * caller.  On a fault returns NULL and logs once. */
const mdoc *content_page_doc(content_bundle *b, const content_page *p, tt_lang lang);

/* Joins the bundle folder and a path found in the bundle (relative to
 * base, a path inside the bundle, or to the bundle root if base is NULL)
 * into out.  Refuses absolute paths, URLs and paths that leave the bundle.
 * Returns TT_OK, TT_ERR_INVAL or TT_ERR_RANGE (too long).
 * With several parts, the folder is that of the page whose own string
 * (p->image, p->body[l], or an image src in its parsed body from
 * content_page_doc) is passed as base or rel, compared by address; any
 * other string resolves against the first part.  Prefer
 * content_page_path, which does not depend on that. */
tt_err content_path(const content_bundle *b, const char *base, const char *rel, char *out, size_t outlen);
/* content_path in the folder of p's part (p from this bundle). */
tt_err content_page_path(const content_bundle *b, const content_page *p, const char *base, const char *rel, char *out,
                         size_t outlen);

/* True if a page with an attract schedule should be shown at local time
 * (weekday 1..7, minute of day). */
bool content_attract_due(const content_attract *a, int wday, int minute);

#endif
