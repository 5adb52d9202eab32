/* markdown.c - CommonMark page to kiosk blocks, by md4c's callbacks.
 *
 * md4c calls back for each block and span and hands over text runs.  We
 * keep a stack-free state machine: a current block being filled (text
 * buffer plus span list), the list depth and item numbers, and the images
 * met inside the block.  On leaving a leaf block we emit it, then any
 * images it held as blocks of their own (a kiosk shows an image on its own
 * line, full width).  Raw HTML is dropped: pages are data, not markup. */
#include <md4c.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/markdown.h"
#include "tramtin/text.h"

#define MAX_DEPTH 8
#define MAX_BLOCKS 20000

struct buf {
	char *p;
	size_t len, cap;
};

struct state {
	mdoc *doc;
	size_t cap_blocks;
	bool in_leaf;
	mdoc_kind kind;
	int depth, number;
	int nest;       /* lists open, however deep; depth stops at MAX_DEPTH - 1 */
	int list_counter[MAX_DEPTH];
	bool list_ordered[MAX_DEPTH];
	int quote;
	struct buf text;
	mdoc_span *spans;
	size_t n_spans, cap_spans;
	unsigned style;
	size_t style_start;
	/* images in the current block */
	int in_img;      /* images open (an image's alt text may hold one) */
	struct buf alt;
	char *img_src[32];
	char *img_alt[32];
	size_t n_imgs;
	bool oom;
};

static bool buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		if (n) /* md4c gives an empty image source as NULL, 0 */
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Closes the run of the current style as a span. */
static void close_span(struct state *st)
{
	if (!st->style || st->text.len <= st->style_start)
		goto out;
	if (st->n_spans == st->cap_spans) {
		size_t cap = st->cap_spans ? st->cap_spans * 2 : 8;
		mdoc_span *p = realloc(st->spans, cap * sizeof *p);
		if (!p) {
			st->oom = true;
			goto out;
		}
		st->spans = p;
		st->cap_spans = cap;
	}
	st->spans[st->n_spans++] = (mdoc_span){st->style_start, st->text.len - st->style_start, st->style};
out:
	st->style_start = st->text.len;
}

static mdoc_block *new_block(struct state *st)
{
	mdoc *d = st->doc;
	if (d->n_blocks >= MAX_BLOCKS)
		return NULL;
	if (d->n_blocks == st->cap_blocks) {
		size_t cap = st->cap_blocks ? st->cap_blocks * 2 : 32;
		mdoc_block *p = realloc(d->blocks, cap * sizeof *p);
		if (!p) {
			st->oom = true;
			return NULL;
		}
		d->blocks = p;
		st->cap_blocks = cap;
	}
	mdoc_block *b = &d->blocks[d->n_blocks++];
	memset(b, 0, sizeof *b);
	return b;
}

static void begin_leaf(struct state *st, mdoc_kind kind)
{
	st->in_leaf = true;
	st->kind = kind;
	st->text.len = 0;
	if (st->text.p)
		st->text.p[0] = '\0';
	st->n_spans = 0;
	st->style_start = 0;
	/* images met outside a block (n_imgs) wait for the next one's end */
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t')
			return false;
	return true;
}

/* Character references (&#x301;) can undo the NFC of the source: each
 * run between span edges is normalised again and the spans moved. */
static void normalize(struct state *st)
{
	if (!st->text.len || text_is_nfc(st->text.p))
		return;
	struct buf out = {0};
	size_t from = 0, end = 0;
	for (size_t i = 0; i <= st->n_spans * 2; i++) {
		mdoc_span *sp = i < st->n_spans * 2 ? &st->spans[i / 2] : NULL;
		/* the span's old edges, read before it is moved */
		size_t to = !sp ? st->text.len : i % 2 == 0 ? sp->start : end;
		if (sp && i % 2 == 0)
			end = sp->start + sp->len;
		if (to < from)
			to = from;
		char *nfc = text_nfc(st->text.p + from, to - from);
		bool ok = nfc ? buf_add(&out, nfc, strlen(nfc)) : buf_add(&out, st->text.p + from, to - from);
		free(nfc);
		if (!ok) {
			st->oom = true;
			free(out.p);
			return;
		}
		if (sp && i % 2 == 0)
			sp->start = out.len;
		else if (sp)
			sp->len = out.len - sp->start;
		from = to;
	}
	/* a run that normalises to nothing leaves an empty span */
	size_t k = 0;
	for (size_t i = 0; i < st->n_spans; i++)
		if (st->spans[i].len)
			st->spans[k++] = st->spans[i];
	st->n_spans = k;
	free(st->text.p);
	st->text = out;
	if (!st->text.p)
		st->text.len = st->text.cap = 0;
}

static void end_leaf(struct state *st)
{
	if (!st->in_leaf)
		return;
	close_span(st);
	st->in_leaf = false;
	/* Trim trailing white space (soft breaks at the end), and the spans
	 * with it. */
	while (st->text.len && (st->text.p[st->text.len - 1] == ' ' || st->text.p[st->text.len - 1] == '\n'))
		st->text.len--;
	if (st->text.p)
		st->text.p[st->text.len] = '\0';
	while (st->n_spans && st->spans[st->n_spans - 1].start >= st->text.len)
		st->n_spans--;
	if (st->n_spans && st->spans[st->n_spans - 1].start + st->spans[st->n_spans - 1].len > st->text.len)
		st->spans[st->n_spans - 1].len = st->text.len - st->spans[st->n_spans - 1].start;
	normalize(st);
	if (st->kind == MDOC_HR || !only_space(st->text.p ? st->text.p : "", st->text.len)) {
		mdoc_block *b = new_block(st);
		if (b) {
			b->kind = st->kind;
			b->depth = st->kind == MDOC_LI ? st->depth : 0;
			b->number = st->kind == MDOC_LI ? st->number : 0;
			b->text = dup_n(st->text.p ? st->text.p : "", st->text.len);
			b->text_len = st->text.len;
			if (st->n_spans) {
				b->spans = malloc(st->n_spans * sizeof *b->spans);
				if (b->spans) {
					memcpy(b->spans, st->spans, st->n_spans * sizeof *b->spans);
					b->n_spans = st->n_spans;
				}
			}
			if (!b->text)
				st->oom = true;
		}
	}
	for (size_t i = 0; i < st->n_imgs; i++) {
		mdoc_block *b = new_block(st);
		if (b) {
			b->kind = MDOC_IMG;
			b->src = st->img_src[i];
			b->text = st->img_alt[i] ? st->img_alt[i] : dup_n("", 0);
			b->text_len = b->text ? strlen(b->text) : 0;
		} else {
			free(st->img_src[i]);
			free(st->img_alt[i]);
		}
		st->img_src[i] = st->img_alt[i] = NULL;
	}
	st->n_imgs = 0;
}

/* md4c can leave an image span open when a block starts or ends (found by
 * fuzz_page: "![]()![![](![]()]())" enters three images and leaves two):
 * the open image is dropped. */
static void drop_open_img(struct state *st)
{
	if (!st->in_img)
		return;
	if (st->n_imgs < sizeof st->img_src / sizeof st->img_src[0]) {
		free(st->img_src[st->n_imgs]);
		st->img_src[st->n_imgs] = NULL;
	}
	st->in_img = 0;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *user)
{
	struct state *st = user;
	drop_open_img(st);
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		end_leaf(st);
		st->nest++;
		if (st->depth < MAX_DEPTH - 1) {
			st->depth++;
			st->list_ordered[st->depth] = type == MD_BLOCK_OL;
			st->list_counter[st->depth] =
				type == MD_BLOCK_OL ? (int)((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
		}
		break;
	case MD_BLOCK_LI:
		end_leaf(st);
		st->number = st->list_ordered[st->depth] ? st->list_counter[st->depth]++ : 0;
		begin_leaf(st, MDOC_LI);
		break;
	case MD_BLOCK_QUOTE:
		end_leaf(st);
		st->quote++;
		break;
	case MD_BLOCK_HR:
		end_leaf(st);
		begin_leaf(st, MDOC_HR);
		break;
	case MD_BLOCK_H: {
		unsigned level = ((MD_BLOCK_H_DETAIL *)detail)->level;
		end_leaf(st);
		begin_leaf(st, level <= 1 ? MDOC_H1 : level == 2 ? MDOC_H2 : MDOC_H3);
		break;
	}
	case MD_BLOCK_P:
	case MD_BLOCK_CODE:
	case MD_BLOCK_TABLE:
		/* A paragraph inside a list item continues the item. */
		if (st->in_leaf && st->kind == MDOC_LI) {
			if (st->text.len && !buf_add(&st->text, "\n", 1))
				st->oom = true;
			break;
		}
		end_leaf(st);
		begin_leaf(st, st->quote ? MDOC_QUOTE : MDOC_P);
		break;
	case MD_BLOCK_TR:
		if (st->in_leaf && st->text.len && !buf_add(&st->text, "\n", 1))
			st->oom = true;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		if (st->in_leaf && st->text.len && st->text.p[st->text.len - 1] != '\n' && !buf_add(&st->text, " · ", strlen(" · ")))
			st->oom = true;
		break;
	default:
		break;
	}
	return st->oom ? 1 : 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *user)
{
	struct state *st = user;
	(void)detail;
	drop_open_img(st);
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		end_leaf(st);
		if (st->nest > 0 && --st->nest < st->depth)
			st->depth--;
		break;
	case MD_BLOCK_QUOTE:
		end_leaf(st);
		if (st->quote > 0)
			st->quote--;
		break;
	case MD_BLOCK_LI:
	case MD_BLOCK_H:
	case MD_BLOCK_HR:
	case MD_BLOCK_CODE:
	case MD_BLOCK_TABLE:
		end_leaf(st);
		break;
	case MD_BLOCK_P:
		if (!(st->in_leaf && st->kind == MDOC_LI))
			end_leaf(st);
		break;
	default:
		break;
	}
	return st->oom ? 1 : 0;
}

static unsigned span_style(MD_SPANTYPE type)
{
	switch (type) {
	case MD_SPAN_STRONG: return MDOC_BOLD;
	case MD_SPAN_EM: return MDOC_ITALIC;
	case MD_SPAN_A: return MDOC_LINK;
	case MD_SPAN_CODE: return MDOC_CODE;
	default: return 0;
	}
}

static int enter_span(MD_SPANTYPE type, void *detail, void *user)
{
	struct state *st = user;
	if (type == MD_SPAN_IMG) {
		MD_SPAN_IMG_DETAIL *d = detail;
		if (st->in_img++) /* an image in an image's alt text: its alt only */
			return 0;
		st->alt.len = 0;
		if (st->n_imgs < sizeof st->img_src / sizeof st->img_src[0]) {
			st->img_src[st->n_imgs] = dup_n(d->src.text, d->src.size);
			st->img_alt[st->n_imgs] = NULL;
			if (!st->img_src[st->n_imgs])
				st->oom = true;
		}
		return st->oom ? 1 : 0;
	}
	unsigned s = span_style(type);
	if (s && st->in_leaf) {
		close_span(st);
		st->style |= s;
	}
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *user)
{
	struct state *st = user;
	(void)detail;
	if (type == MD_SPAN_IMG) {
		if (--st->in_img)
			return 0;
		if (st->n_imgs < sizeof st->img_src / sizeof st->img_src[0]) {
			st->img_alt[st->n_imgs] = text_nfc(st->alt.p ? st->alt.p : "", st->alt.len);
			if (!st->img_alt[st->n_imgs])
				st->img_alt[st->n_imgs] = dup_n(st->alt.p ? st->alt.p : "", st->alt.len);
			st->n_imgs++;
		}
		return 0;
	}
	unsigned s = span_style(type);
	if (s && st->in_leaf) {
		close_span(st);
		st->style &= ~s;
	}
	return 0;
}

static const char *entity(const char *s, size_t n, char *tmp)
{
	static const struct { const char *name, *text; } named[] = {
		{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"},
		{"&nbsp;", "\xc2\xa0"}, {"&ndash;", "\xe2\x80\x93"}, {"&mdash;", "\xe2\x80\x94"},
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0)
			return named[i].text;
	if (n > 3 && s[1] == '#') {
		unsigned long cp = s[2] == 'x' || s[2] == 'X' ? strtoul(s + 3, NULL, 16) : strtoul(s + 2, NULL, 10);
		if (cp > 0 && cp < 0x110000 && !(cp >= 0xD800 && cp < 0xE000)) {
			if (cp < 0x80) {
				tmp[0] = (char)cp; tmp[1] = 0;
			} else if (cp < 0x800) {
				tmp[0] = (char)(0xC0 | (cp >> 6)); tmp[1] = (char)(0x80 | (cp & 0x3F)); tmp[2] = 0;
			} else if (cp < 0x10000) {
				tmp[0] = (char)(0xE0 | (cp >> 12)); tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
				tmp[2] = (char)(0x80 | (cp & 0x3F)); tmp[3] = 0;
			} else {
				tmp[0] = (char)(0xF0 | (cp >> 18)); tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
				tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); tmp[3] = (char)(0x80 | (cp & 0x3F)); tmp[4] = 0;
			}
			return tmp;
		}
	}
	return "";
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *user)
{
	struct state *st = user;
	char tmp[8];
	const char *s = text;
	size_t n = size;
	switch (type) {
	case MD_TEXT_NULLCHAR: s = "\xef\xbf\xbd"; n = 3; break;
	case MD_TEXT_BR: s = "\n"; n = 1; break;
	case MD_TEXT_SOFTBR: s = " "; n = 1; break;
	case MD_TEXT_ENTITY: s = entity(text, size, tmp); n = strlen(s); break;
	case MD_TEXT_HTML: return 0;
	default: break;
	}
	struct buf *b = st->in_img ? &st->alt : &st->text;
	if (!st->in_img && !st->in_leaf)
		begin_leaf(st, st->quote ? MDOC_QUOTE : MDOC_P);
	if (!buf_add(b, s, n))
		st->oom = true;
	return st->oom ? 1 : 0;
}

void mdoc_free(mdoc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_blocks; i++) {
		free(d->blocks[i].text);
		free(d->blocks[i].spans);
		free(d->blocks[i].src);
	}
	free(d->blocks);
	free(d);
}

tt_err mdoc_parse(const char *text, size_t len, mdoc **out)
{
	tt_err rc = TT_OK;
	struct state st = {0};
	char *nfc = NULL;
	if (!text || !out)
		return TT_ERR_INVAL;
	*out = NULL;
	nfc = text_nfc(text, len);
	if (!nfc)
		return text_valid(text, len) ? TT_ERR_NOMEM : TT_ERR_PARSE;
	st.doc = calloc(1, sizeof *st.doc);
	if (!st.doc) {
		rc = TT_ERR_NOMEM;
		goto cleanup;
	}
	MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH, /* raw HTML is recognised, then dropped */
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = on_text,
	};
	int r = md_parse(nfc, (MD_SIZE)strlen(nfc), &parser, &st);
	end_leaf(&st);
	if (st.oom) {
		rc = TT_ERR_NOMEM;
		goto cleanup;
	}
	if (r != 0) {
		rc = TT_ERR_PARSE;
		goto cleanup;
	}
	*out = st.doc;
	st.doc = NULL;
cleanup:
	for (size_t i = 0; i < st.n_imgs; i++) {
		free(st.img_src[i]);
		free(st.img_alt[i]);
	}
	/* an image span cut short by an error leaves its src behind */
	if (st.in_img && st.n_imgs < sizeof st.img_src / sizeof st.img_src[0])
		free(st.img_src[st.n_imgs]);
	free(st.text.p);
	free(st.alt.p);
	free(st.spans);
	mdoc_free(st.doc);
	free(nfc);
	return rc;
}
