/* markdown.h - a content page parsed into blocks the kiosk can lay out.
 *
 * md4c parses the CommonMark text; this module keeps what a kiosk page
 * shows: headings, paragraphs, list items, quotes, rules and images, each
 * block with its plain text (NFC) and styled spans (bold, italic, link). */
#ifndef TRAMTIN_MARKDOWN_H
#define TRAMTIN_MARKDOWN_H

#include <stddef.h>

#include "tramtin/err.h"

typedef enum mdoc_kind {
	MDOC_H1, MDOC_H2, MDOC_H3, MDOC_P, MDOC_LI, MDOC_QUOTE, MDOC_HR, MDOC_IMG
} mdoc_kind;

enum { MDOC_BOLD = 1, MDOC_ITALIC = 2, MDOC_LINK = 4, MDOC_CODE = 8 };

typedef struct mdoc_span {
	size_t start, len; /* bytes into the block's text */
	unsigned style;    /* MDOC_BOLD | ... */
} mdoc_span;

typedef struct mdoc_block {
	mdoc_kind kind;
	int depth;       /* list nesting, 1 for a top-level item, else 0 */
	int number;      /* ordered list item number, 0 for a bullet */
	char *text;      /* NFC; for MDOC_IMG the alt text */
	size_t text_len;
	mdoc_span *spans;
	size_t n_spans;
	char *src;       /* MDOC_IMG: the image path as written */
} mdoc_block;

typedef struct mdoc {
	mdoc_block *blocks;
	size_t n_blocks;
} mdoc;

/* Parses text[0..len) (UTF-8; normalised to NFC first).  On success *out
 * is a new document (free with mdoc_free).  Returns TT_ERR_PARSE for
 * invalid UTF-8 or a document md4c rejects, TT_ERR_NOMEM. */
tt_err mdoc_parse(const char *text, size_t len, mdoc **out);

/* Frees the document. Accepts NULL. */
void mdoc_free(mdoc *d);

#endif
