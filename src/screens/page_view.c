/* page_view.c - a content page: laid out once, scrolled many times.
 *
 * The Markdown blocks of a page are broken into lines for the current
 * width, language and orientation once, and the result kept until one of
 * those changes.  A frame then only blits the lines inside the view, from
 * the text cache: a scroll frame costs a few dozen texture copies, not a
 * re-layout.  Bold and link spans are drawn as separate runs on the same
 * line (a line that holds bold text is measured in the bold face, so it
 * never overflows).  The page's legal document is shown as a QR code in a
 * panel beside (landscape) or under (portrait) the text. */
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "tramtin/text.h"
#include "screens/screens.h"

struct pv_line {
	int y, x;
	size_t block, start, len;
};

struct pv_block {
	int y, h;
	int size;
	ui_face face;
	int x, indent;
	char marker[16];
	char img_path[1024];
};

static struct {
	const content_page *page;
	const content_bundle *bundle;
	tt_lang lang;
	int width;
	const mdoc *doc;
	struct pv_line *lines;
	size_t n_lines, cap_lines;
	struct pv_block *blocks;
	int height;
	char cover[1024]; /* the page's cover image, shown above the text */
	int cover_h;
} L;

static void style_of(const mdoc_block *b, int *size, ui_face *face, int *before, int *after)
{
	*face = FACE_REGULAR;
	*size = 38;
	*before = 0;
	*after = 22;
	switch (b->kind) {
	case MDOC_H1: *face = FACE_BOLD; *size = 54; *before = 32; *after = 16; break;
	case MDOC_H2: *face = FACE_BOLD; *size = 46; *before = 30; *after = 14; break;
	case MDOC_H3: *face = FACE_BOLD; *size = 40; *before = 24; *after = 10; break;
	case MDOC_LI: *after = 12; break;
	case MDOC_HR: *before = 12; *after = 24; break;
	case MDOC_IMG: *before = 8; *after = 28; break;
	default: break;
	}
}

static bool has_bold(const mdoc_block *b)
{
	for (size_t i = 0; i < b->n_spans; i++)
		if (b->spans[i].style & MDOC_BOLD)
			return true;
	return false;
}

struct mctx {
	ui *u;
	ui_face face;
	int size;
};

static int measure(void *ctx, const char *s, size_t n)
{
	struct mctx *m = ctx;
	return ui_text_width(m->u, m->face, m->size, s, n);
}

static void layout(ui *u, content_bundle *bundle, const content_page *p, int width)
{
	tt_lang lang = i18n_lang();
	if (L.page == p && L.bundle == bundle && L.lang == lang && L.width == width)
		return;
	free(L.blocks);
	L.blocks = NULL;
	L.n_lines = 0;
	L.page = p;
	L.bundle = bundle;
	L.lang = lang;
	L.width = width;
	L.height = 0;
	L.doc = content_page_doc(bundle, p, lang);
	if (!L.doc)
		return;
	L.blocks = calloc(L.doc->n_blocks + 1, sizeof *L.blocks);
	if (!L.blocks)
		return;
	int y = 0, iw, ih;
	L.cover_h = 0;
	if (p->image && content_path(bundle, NULL, p->image, L.cover, sizeof L.cover) == TT_OK &&
	    ui_image_size(u, L.cover, &iw, &ih)) {
		L.cover_h = ui_image(u, L.cover, (SDL_Rect){0, 0, width, 420}, false);
		y = L.cover_h + 28;
	}
	text_line tl[256];
	for (size_t i = 0; i < L.doc->n_blocks; i++) {
		const mdoc_block *b = &L.doc->blocks[i];
		struct pv_block *pb = &L.blocks[i];
		int before, after;
		style_of(b, &pb->size, &pb->face, &before, &after);
		if (i == 0 && b->kind == MDOC_H1) {
			pb->h = 0; /* the title is already shown above the page */
			pb->y = y;
			continue;
		}
		y += i ? before : 0;
		pb->y = y;
		if (b->kind == MDOC_HR) {
			pb->h = 4;
			y += pb->h + after;
			continue;
		}
		if (b->kind == MDOC_IMG) {
			int biw, bih;
			if (content_path(bundle, p->body[lang] ? p->body[lang] : p->body[!lang], b->src, pb->img_path,
			                 sizeof pb->img_path) != TT_OK) {
				tt_warn("%s: page '%s': image '%s' is not a path inside the bundle", content_dir(bundle), p->id,
				        b->src);
				pb->img_path[0] = '\0';
			}
			if (pb->img_path[0] && ui_image_size(u, pb->img_path, &biw, &bih)) {
				pb->h = ui_image(u, pb->img_path, (SDL_Rect){0, 0, width, 520}, false);
				y += pb->h + after;
			} else {
				pb->img_path[0] = '\0';
			}
			continue;
		}
		if (b->kind == MDOC_LI) {
			pb->indent = 56 * (b->depth > 0 ? b->depth : 1);
			if (b->number)
				snprintf(pb->marker, sizeof pb->marker, "%d.", b->number);
			else
				snprintf(pb->marker, sizeof pb->marker, "%s", b->depth > 1 ? "◦" : "•");
		} else if (b->kind == MDOC_QUOTE) {
			pb->indent = 40;
		}
		struct mctx m = {u, has_bold(b) ? FACE_BOLD : pb->face, pb->size};
		size_t n = text_wrap(b->text, b->text_len, width - pb->indent, measure, &m, tl, 256);
		if (n > 256)
			n = 256;
		int lh = ui_line_height(u, pb->face, pb->size);
		for (size_t k = 0; k < n; k++) {
			if (L.n_lines == L.cap_lines) {
				size_t cap = L.cap_lines ? L.cap_lines * 2 : 256;
				struct pv_line *nl = realloc(L.lines, cap * sizeof *nl);
				if (!nl)
					break;
				L.lines = nl;
				L.cap_lines = cap;
			}
			L.lines[L.n_lines++] = (struct pv_line){y + (int)k * lh, pb->indent, i, tl[k].start, tl[k].len};
		}
		pb->h = (int)n * lh;
		y += pb->h + after;
	}
	L.height = y;
}

/* Draws text[start, start+len) of block b with its spans' styles. */
static void draw_runs(ui *u, const mdoc_block *b, const struct pv_block *pb, size_t start, size_t len, int x, int y)
{
	const ui_theme *t = &u->theme;
	SDL_Color base = b->kind == MDOC_QUOTE ? t->muted : (b->kind == MDOC_H2 ? t->primary : t->text);
	size_t pos = start, end = start + len;
	for (size_t i = 0; i < b->n_spans && pos < end; i++) {
		const mdoc_span *s = &b->spans[i];
		size_t s0 = s->start, s1 = s->start + s->len;
		if (s1 <= pos || s0 >= end)
			continue;
		if (s0 > pos) {
			x += ui_text(u, pb->face, pb->size, base, x, y, b->text + pos, s0 - pos);
			pos = s0;
		}
		size_t e = s1 < end ? s1 : end;
		ui_face f = s->style & MDOC_BOLD ? FACE_BOLD : pb->face;
		SDL_Color c = s->style & MDOC_LINK ? t->primary : base;
		x += ui_text(u, f, pb->size, c, x, y, b->text + pos, e - pos);
		pos = e;
	}
	if (pos < end)
		ui_text(u, pb->face, pb->size, base, x, y, b->text + pos, end - pos);
}

/* Portrait: the QR code on the left of the panel, the words beside it. */
#define PANEL_QR 380

/* Height of the panel's words (caption, document, hint) in width w;
 * large text makes them taller, and the panel grows with them. */
static int doc_words_h(ui *u, const char *doc, int w, int *hint_h)
{
	int h = ui_text_wrapped(u, FACE_BOLD, 38, u->theme.text, 0, 0, w, _("Full text of the document"), 0, false) + 12;
	h += ui_text_wrapped(u, FACE_REGULAR, 36, u->theme.text, 0, 0, w, doc, 0, false) + 12;
	*hint_h = ui_text_wrapped(u, FACE_REGULAR, 32, u->theme.text, 0, 0, w, _("Scan with your phone camera to read it."), 0,
	                          false);
	return h + *hint_h;
}

/* The portrait panel's height for a page's document. */
static int doc_panel_h(ui *u, const content_page *p, int width)
{
	int hint_h, h = doc_words_h(u, content_tr(&p->doc_title, i18n_lang()), width - PANEL_QR - 76, &hint_h) + 64;
	return h > PANEL_QR + 40 ? h : PANEL_QR + 40;
}

static void doc_panel(ui *u, const content_page *p, SDL_Rect r)
{
	const ui_theme *t = &u->theme;
	tt_lang l = i18n_lang();
	ui_fill_round(u, r, 20, t->surface);
	SDL_Color prev = ui_set_text_bg(u, t->surface);
	char label[UI_LABEL_LEN];
	const char *doc = content_tr(&p->doc_title, l);
	snprintf(label, sizeof label, "%s: %s", _("QR code of the full document"), doc);
	if (u->portrait) {
		int q = PANEL_QR;
		SDL_Rect qr = {r.x + 20, r.y + 20, q, q};
		ui_qr(u, p->doc_url, qr);
		ui_widget_add(u, "page.qr", ROLE_QR, label, qr, true);
		int x = qr.x + q + 32, w = r.x + r.w - x - 24, y = r.y + 32;
		y += ui_label(u, "page.qr.caption", FACE_BOLD, 38, t->text, x, y, w, _("Full text of the document")) + 12;
		y += ui_label(u, "page.qr.doc", FACE_REGULAR, 36, t->primary, x, y, w, doc) + 12;
		ui_label(u, "page.qr.hint", FACE_REGULAR, 32, t->muted, x, y, w, _("Scan with your phone camera to read it."));
		ui_set_text_bg(u, prev);
		return;
	}
	int y = r.y + 28, x = r.x + 28, w = r.w - 56, hint_h;
	doc_words_h(u, doc, w, &hint_h);
	y += ui_label(u, "page.qr.caption", FACE_BOLD, 38, t->text, x, y, w, _("Full text of the document")) + 8;
	y += ui_label(u, "page.qr.doc", FACE_REGULAR, 34, t->primary, x, y, w, doc) + 16;
	int room = r.y + r.h - y - hint_h - 40; /* the code shrinks so the hint stays on screen */
	int q = w < room ? w : room;
	if (q < 200)
		q = 200;
	SDL_Rect qr = {x + (w - q) / 2, y, q, q};
	ui_qr(u, p->doc_url, qr);
	ui_widget_add(u, "page.qr", ROLE_QR, label, qr, true);
	ui_label(u, "page.qr.hint", FACE_REGULAR, 32, t->muted, x, y + q + 16, w,
	         _("Scan with your phone camera to read it."));
	ui_set_text_bg(u, prev);
}

void page_view_draw(ui *u, const content_page *p)
{
	const ui_theme *t = &u->theme;
	tt_lang l = i18n_lang();
	SDL_Rect area = ui_chrome(u, p ? content_tr(&p->title, l) : _("Page not found"), true);
	if (!p) {
		ui_label(u, "page.missing", FACE_REGULAR, 40, t->muted, area.x, area.y, area.w,
		         _("This page is no longer available."));
		return;
	}
	if (p->has_posting) {
		char from[16], to[16], line[128];
		screens_date(p->post_from, from, sizeof from);
		screens_date(p->post_to, to, sizeof to);
		snprintf(line, sizeof line, _("Posted from %s to %s"), from, to);
		int h = ui_label(u, "page.posting", FACE_BOLD, 36, t->accent, area.x, area.y - 8, area.w, line);
		area.y += h + 12;
		area.h -= h + 12;
	}
	SDL_Rect text = area;
	if (p->type == CONTENT_NOTICE) {
		/* Objection to a posted notice: always in reach, under the text. */
		SDL_Rect b = {area.x, area.y + area.h - 110, u->portrait ? area.w : 760, 110};
		ui_button(u, "notice.object", _("Object to or comment on this notice"), b, BTN_PRIMARY);
		text.h -= 110 + 24;
	}
	if (p->doc_url) {
		if (u->portrait) {
			int ph = doc_panel_h(u, p, text.w);
			SDL_Rect panel = {text.x, text.y + text.h - ph, text.w, ph};
			doc_panel(u, p, panel);
			text.h -= ph + 24;
		} else {
			int pw = u->large_text ? 560 : 480;
			SDL_Rect panel = {text.x + text.w - pw, text.y, pw, text.h};
			doc_panel(u, p, panel);
			text.w -= pw + 32;
		}
	}
	int width = text.w - 150;
	layout(u, u->bundle, p, width);
	if (!L.doc) {
		ui_label(u, "page.missing", FACE_REGULAR, 40, t->muted, text.x, text.y, width,
		         _("This page cannot be shown at the moment."));
		return;
	}
	int scroll = *ui_scroll(u);
	ui_scroll_begin(u, text);
	int top = text.y - scroll;
	/* Widgets for every block (labels for scripts and screen readers),
	 * pixels only for what is inside the view. */
	if (L.cover_h) {
		SDL_Rect cr = {text.x, top, width, L.cover_h};
		bool visible = SDL_HasIntersection(&cr, &text);
		ui_widget_add(u, "page.cover", ROLE_IMAGE, content_tr(&p->title, l), cr, visible);
		if (visible)
			ui_image(u, L.cover, (SDL_Rect){cr.x, cr.y, width, 420}, true);
	}
	for (size_t i = 0; i < L.doc->n_blocks; i++) {
		const mdoc_block *b = &L.doc->blocks[i];
		const struct pv_block *pb = &L.blocks[i];
		if (pb->h == 0 && b->kind != MDOC_HR)
			continue;
		SDL_Rect br = {text.x, top + pb->y, width, pb->h};
		bool visible = SDL_HasIntersection(&br, &text);
		char id[32];
		snprintf(id, sizeof id, "page.block.%zu", i + 1);
		if (b->kind == MDOC_IMG) {
			ui_widget_add(u, id, ROLE_IMAGE, b->text, br, visible);
			if (visible)
				ui_image(u, pb->img_path, (SDL_Rect){br.x, br.y, width, 520}, true);
		} else if (b->kind == MDOC_HR) {
			if (visible)
				ui_fill(u, (SDL_Rect){br.x, br.y, width, 3}, t->border);
		} else {
			ui_widget_add(u, id, ROLE_TEXT, b->text, br, visible);
			if (visible && pb->marker[0])
				ui_text(u, FACE_BOLD, pb->size, t->primary, text.x + pb->indent - 44, br.y, pb->marker,
				        strlen(pb->marker));
			if (visible && b->kind == MDOC_QUOTE)
				ui_fill(u, (SDL_Rect){br.x + 8, br.y, 8, pb->h}, t->border);
		}
	}
	for (size_t k = 0; k < L.n_lines; k++) {
		const struct pv_line *ln = &L.lines[k];
		int y = top + ln->y;
		if (y > text.y + text.h || y + 80 < text.y)
			continue;
		draw_runs(u, &L.doc->blocks[ln->block], &L.blocks[ln->block], ln->start, ln->len, text.x + ln->x, y);
	}
	/* Related pages. */
	int y = top + L.height + 8;
	for (size_t i = 0; i < p->n_links; i++) {
		const content_page *o = content_page_find(u->bundle, p->links[i]);
		if (!o)
			continue;
		char id[32], label[UI_LABEL_LEN];
		snprintf(id, sizeof id, "page.link.%zu", i + 1);
		snprintf(label, sizeof label, "%s: %s", _("See also"), content_tr(&o->title, l));
		ui_button(u, id, label, (SDL_Rect){text.x, y, width, 110}, BTN_SECONDARY);
		y += 110 + 20;
	}
	ui_scroll_end(u, y - top);
}

bool page_view_activate(ui *u, const content_page *p, const char *id)
{
	if (!p || strncmp(id, "page.link.", 10) != 0)
		return false;
	size_t i = (size_t)atoi(id + 10);
	if (i < 1 || i > p->n_links)
		return false;
	const content_page *o = content_page_find(u->bundle, p->links[i - 1]);
	if (!o)
		return false;
	ui_go(u, o->type == CONTENT_NOTICE ? "notice.page" : o->type == CONTENT_CAMPAIGN ? "campaign.page" : "policy.page",
	      o->id);
	return true;
}

/* --- the three page screens ---------------------------------------------- */

static const content_page *current_page(ui *u)
{
	return content_page_find(u->bundle, ui_arg(u));
}

static void page_draw(ui *u)
{
	page_view_draw(u, current_page(u));
}

static bool page_activate(ui *u, const char *id)
{
	return page_view_activate(u, current_page(u), id);
}

static bool notice_activate(ui *u, const char *id)
{
	if (strcmp(id, "notice.object") == 0) {
		ui_go(u, "objection", ui_arg(u));
		return true;
	}
	return page_activate(u, id);
}

/* Read aloud: the title, the posting dates and the body's blocks (an
 * image by its description), in the language shown. */
static void page_speak(ui *u, char *out, size_t len)
{
	const content_page *p = current_page(u);
	tt_lang l = i18n_lang();
	if (!p) {
		ui_speak_add(out, len, _("Page not found"));
		return;
	}
	ui_speak_add(out, len, content_tr(&p->title, l));
	const ui_widget *posting = ui_widget_find(u, "page.posting");
	if (posting)
		ui_speak_add(out, len, posting->label);
	const mdoc *d = content_page_doc(u->bundle, p, l);
	for (size_t i = 0; d && i < d->n_blocks; i++) {
		const mdoc_block *b = &d->blocks[i];
		if (i == 0 && b->kind == MDOC_H1)
			continue; /* the title, already said */
		ui_speak_add(out, len, b->text);
	}
}

const ui_screen screen_policy_page = {.id = "policy.page", .draw = page_draw, .activate = page_activate,
                                      .speak_text = page_speak};
const ui_screen screen_campaign_page = {.id = "campaign.page", .draw = page_draw, .activate = page_activate,
                                        .speak_text = page_speak};
const ui_screen screen_notice_page = {.id = "notice.page", .draw = page_draw, .activate = notice_activate,
                                      .speak_text = page_speak};
