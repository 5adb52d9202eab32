/* widgets.c - the widget table and the kiosk's few widget kinds.
 *
 * Each widget call draws and records itself in u->widgets, so the table is
 * always exactly what is on screen: hit-testing, automation and the dump
 * read it.  Widgets are big on purpose: the smallest touch target is 100
 * logical pixels (about 25 mm on a 21.5-inch 1080p panel, above the 20 mm
 * minimum), with gaps of at least 16. */
#include <string.h>

#include "tramtin/speech.h"
#include "tramtin/text.h"
#include "ui/ui.h"

ui_widget *ui_widget_add(ui *u, const char *id, ui_role role, const char *label, SDL_Rect r, bool visible)
{
	if (u->n_widgets >= UI_MAX_WIDGETS)
		return NULL;
	ui_widget *w = &u->widgets[u->n_widgets++];
	snprintf(w->id, sizeof w->id, "%s", id ? id : "");
	/* Cut labels at a character boundary. */
	size_t n = label ? strlen(label) : 0;
	if (n >= sizeof w->label) {
		n = sizeof w->label - 1;
		while (n > 0 && ((unsigned char)label[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(w->label, label ? label : "", n);
	w->label[n] = '\0';
	w->role = role;
	w->r = r;
	w->visible = visible;
	w->enabled = true;
	w->checked = -1;
	w->clipped = false;
	w->in_scroll = u->scroll_registered;
	return w;
}

const ui_widget *ui_widget_find(const ui *u, const char *id)
{
	for (int i = 0; i < u->n_widgets; i++)
		if (strcmp(u->widgets[i].id, id) == 0)
			return &u->widgets[i];
	return NULL;
}

static bool tappable(const ui_widget *w)
{
	return w->visible && w->enabled && (w->role == ROLE_BUTTON || w->role == ROLE_TILE || w->role == ROLE_ITEM ||
	                                    w->role == ROLE_KEY || w->role == ROLE_FIELD);
}

const ui_widget *ui_widget_by_label(const ui *u, const char *text)
{
	const ui_widget *partial = NULL;
	for (int i = 0; i < u->n_widgets; i++) {
		const ui_widget *w = &u->widgets[i];
		if (!tappable(w))
			continue;
		if (text_contains(w->label, text, false)) {
			if (strcmp(w->label, text) == 0)
				return w;
			if (!partial)
				partial = w;
		}
	}
	return partial;
}

const ui_widget *ui_widget_at(const ui *u, int x, int y)
{
	SDL_Point p = {x, y};
	/* Last drawn is on top. */
	for (int i = u->n_widgets - 1; i >= 0; i--) {
		const ui_widget *w = &u->widgets[i];
		/* a widget inside the scroll area is hit only inside the view */
		if (tappable(w) && SDL_PointInRect(&p, &w->r) && (!w->in_scroll || SDL_PointInRect(&p, &u->scroll_view)))
			return w;
	}
	return NULL;
}

#define FOCUS_ROW_PX 24

int ui_focus_order(const ui *u, int *idx, int max)
{
	int n = 0;
	for (int i = 0; i < u->n_widgets && n < max; i++)
		if (tappable(&u->widgets[i]) && (!u->widgets[i].in_scroll || SDL_HasIntersection(&u->widgets[i].r, &u->scroll_view)))
			idx[n++] = i;
	/* by top, then rows (tops within FOCUS_ROW_PX of the row's first) by x;
	 * insertion sorts: a screen has a few dozen targets */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && u->widgets[idx[j]].r.y < u->widgets[idx[j - 1]].r.y; j--) {
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (int start = 0; start < n;) {
		int end = start + 1, top = u->widgets[idx[start]].r.y;
		while (end < n && u->widgets[idx[end]].r.y - top <= FOCUS_ROW_PX)
			end++;
		for (int i = start + 1; i < end; i++)
			for (int j = i; j > start && u->widgets[idx[j]].r.x < u->widgets[idx[j - 1]].r.x; j--) {
				int t = idx[j];
				idx[j] = idx[j - 1];
				idx[j - 1] = t;
			}
		start = end;
	}
	return n;
}

void ui_focus_move(ui *u, int dir)
{
	int idx[UI_MAX_WIDGETS];
	int n = ui_focus_order(u, idx, UI_MAX_WIDGETS), at = -1;
	if (!n)
		return;
	for (int i = 0; i < n; i++)
		if (!strcmp(u->widgets[idx[i]].id, u->focus_id))
			at = i;
	at = at < 0 ? (dir > 0 ? 0 : n - 1) : (at + dir + n) % n;
	snprintf(u->focus_id, sizeof u->focus_id, "%s", u->widgets[idx[at]].id);
	u->dirty = true;
}

bool ui_pressed(const ui *u, const char *id)
{
	return u->pointer_down && !u->dragging && strcmp(u->pressed_id, id) == 0;
}

static SDL_Color darker(SDL_Color c, int pct)
{
	return (SDL_Color){(Uint8)(c.r * (100 - pct) / 100), (Uint8)(c.g * (100 - pct) / 100),
	                   (Uint8)(c.b * (100 - pct) / 100), c.a};
}

static void circle(ui *u, int cx, int cy, int r, SDL_Color c)
{
	SDL_Rect rows[256];
	int k = 0;
	for (int dy = -r; dy <= r; dy++) {
		int dx = (int)SDL_sqrt((double)r * r - (double)dy * dy);
		rows[k++] = (SDL_Rect){cx - dx, cy + dy, 2 * dx + 1, 1};
		if (k == 256) {
			rencache_rects(u->rc, rows, k, c);
			k = 0;
		}
	}
	if (k)
		rencache_rects(u->rc, rows, k, c);
}

static void triangle(ui *u, SDL_FPoint a, SDL_FPoint b, SDL_FPoint c, SDL_Color col)
{
	SDL_Vertex v[3] = {{a, col, {0, 0}}, {b, col, {0, 0}}, {c, col, {0, 0}}};
	rencache_geometry(u->rc, v, 3);
}

/* Simple pictograms drawn from shapes: no icon font, no image files. */

void ui_icon(ui *u, int kind, int cx, int cy, int s, SDL_Color c, SDL_Color bg)
{
	float x = (float)cx, y = (float)cy, h = (float)s / 2;
	switch (kind) {
	case ICON_DOC:
		ui_fill(u, (SDL_Rect){cx - s * 3 / 8, cy - s / 2, s * 3 / 4, s}, c);
		for (int i = 0; i < 4; i++)
			ui_fill(u, (SDL_Rect){cx - s / 4, cy - s / 3 + i * s / 5, s / 2, s / 14 + 1}, bg);
		break;
	case ICON_HEART:
		circle(u, cx - s / 4, cy - s / 8, s / 4, c);
		circle(u, cx + s / 4, cy - s / 8, s / 4, c);
		triangle(u, (SDL_FPoint){x - h, y - (float)s / 16}, (SDL_FPoint){x + h, y - (float)s / 16},
		         (SDL_FPoint){x, y + h}, c);
		break;
	case ICON_BOARD:
		ui_fill(u, (SDL_Rect){cx - s / 2, cy - s / 3, s, s * 2 / 3}, c);
		ui_fill(u, (SDL_Rect){cx - s / 2 + s / 10, cy - s / 3 + s / 10, s - s / 5, s * 2 / 3 - s / 5}, bg);
		circle(u, cx, cy - s / 3, s / 10, c);
		for (int i = 0; i < 2; i++)
			ui_fill(u, (SDL_Rect){cx - s / 4, cy - s / 10 + i * s / 6, s / 2, s / 16 + 1}, c);
		break;
	case ICON_BUBBLE:
		ui_fill_round(u, (SDL_Rect){cx - s / 2, cy - s / 2, s, s * 3 / 4}, s / 6, c);
		triangle(u, (SDL_FPoint){x - h / 2, y + h / 2 - 2}, (SDL_FPoint){x, y + h / 2 - 2},
		         (SDL_FPoint){x - h / 2, y + h}, c);
		for (int i = 0; i < 3; i++)
			circle(u, cx - s / 4 + i * s / 4, cy - s / 8, s / 14, bg);
		break;
	case ICON_SHIELD:
		ui_fill(u, (SDL_Rect){cx - s / 2 + s / 8, cy - s / 2, s * 3 / 4, s / 2}, c);
		triangle(u, (SDL_FPoint){x - h + (float)s / 8, y}, (SDL_FPoint){x + h - (float)s / 8, y},
		         (SDL_FPoint){x, y + h}, c);
		circle(u, cx, cy - s / 8, s / 8, bg);
		ui_fill(u, (SDL_Rect){cx - s / 24, cy - s / 8, s / 12 + 1, s / 4}, bg);
		break;
	case ICON_SEARCH:
		circle(u, cx - s / 8, cy - s / 8, s / 3, c);
		circle(u, cx - s / 8, cy - s / 8, s / 3 - s / 10, bg);
		for (int i = 0; i < s / 3; i++)
			ui_fill(u, (SDL_Rect){cx + s / 8 + i, cy + s / 8 + i, s / 9, s / 9}, c);
		break;
	case ICON_HOME:
		triangle(u, (SDL_FPoint){x - h, y}, (SDL_FPoint){x + h, y}, (SDL_FPoint){x, y - h}, c);
		ui_fill(u, (SDL_Rect){cx - s / 3, cy, s * 2 / 3, s / 2}, c);
		ui_fill(u, (SDL_Rect){cx - s / 10, cy + s / 5, s / 5, s * 3 / 10}, bg);
		break;
	case ICON_BACK:
		triangle(u, (SDL_FPoint){x - h, y}, (SDL_FPoint){x, y - h}, (SDL_FPoint){x, y + h}, c);
		ui_fill(u, (SDL_Rect){cx, cy - s / 6, s / 2, s / 3}, c);
		break;
	case ICON_UP:
		triangle(u, (SDL_FPoint){x - h, y + h / 2}, (SDL_FPoint){x + h, y + h / 2}, (SDL_FPoint){x, y - h / 2}, c);
		break;
	case ICON_DOWN:
		triangle(u, (SDL_FPoint){x - h, y - h / 2}, (SDL_FPoint){x + h, y - h / 2}, (SDL_FPoint){x, y + h / 2}, c);
		break;
	case ICON_TEXT: { /* a small and a big A, from the font: "text size" */
		int sizes[2] = {s * 2 / 5, s * 3 / 4}, ws[2], asc[2];
		bool large = u->large_text;
		u->large_text = false; /* a pictogram keeps its size */
		for (int i = 0; i < 2; i++) {
			TTF_Font *f = ui_font(u, FACE_BOLD, sizes[i]);
			ws[i] = ui_text_width(u, FACE_BOLD, sizes[i], "A", 1);
			asc[i] = f ? TTF_FontAscent(f) : sizes[i];
		}
		int gap = s / 12, x0 = cx - (ws[0] + ws[1] + gap) / 2, base = cy + asc[1] * 7 / 20; /* cap height ~0.7 em */
		SDL_Color prev = ui_set_text_bg(u, bg);
		ui_text(u, FACE_BOLD, sizes[0], c, x0, base - asc[0], "A", 1);
		ui_text(u, FACE_BOLD, sizes[1], c, x0 + ws[0] + gap, base - asc[1], "A", 1);
		ui_set_text_bg(u, prev);
		u->large_text = large;
		break;
	}
	case ICON_CONTRAST: /* a disc half filled: "contrast" */
		circle(u, cx, cy, s / 2, c);
		circle(u, cx, cy, s / 2 - s / 10, bg);
		for (int dy = -(s / 2 - s / 10); dy <= s / 2 - s / 10; dy++) {
			int r2 = s / 2 - s / 10, dx = (int)SDL_sqrt((double)r2 * r2 - (double)dy * dy);
			ui_fill(u, (SDL_Rect){cx - dx, cy + dy, dx, 1}, c);
		}
		break;
	case ICON_SPEAKER: { /* a loudspeaker and two sound waves: "read aloud" */
		int wt = s / 10 > 2 ? s / 10 : 2, wx = cx - s / 12;
		for (int i = 0; i < 2; i++) { /* waves: rings (outer first) whose left part the speaker covers */
			int rr = i ? s * 3 / 10 : s / 2;
			circle(u, wx, cy, rr, c);
			circle(u, wx, cy, rr - wt, bg);
		}
		ui_fill(u, (SDL_Rect){wx - s / 2 - 1, cy - s / 2 - 1, s / 2 + s / 12 + 1, s + 2}, bg);
		int x0 = cx - s * 5 / 12, x1 = x0 + s / 6, tip = wx + s / 24;
		ui_fill(u, (SDL_Rect){x0, cy - s / 6, x1 - x0, s / 3}, c);
		triangle(u, (SDL_FPoint){(float)x1 - 1, y - (float)s / 6}, (SDL_FPoint){(float)tip, y - (float)s * 7 / 20},
		         (SDL_FPoint){(float)tip, y + (float)s * 7 / 20}, c);
		triangle(u, (SDL_FPoint){(float)x1 - 1, y - (float)s / 6}, (SDL_FPoint){(float)tip, y + (float)s * 7 / 20},
		         (SDL_FPoint){(float)x1 - 1, y + (float)s / 6}, c);
		break;
	}
	case ICON_STOP: /* a square: "stop" */
		ui_fill_round(u, (SDL_Rect){cx - s * 3 / 10, cy - s * 3 / 10, s * 3 / 5, s * 3 / 5}, s / 12, c);
		break;
	default:
		break;
	}
}

static void button_icon(ui *u, const char *id, const char *label, SDL_Rect r, ui_button_style style, int ic)
{
	const ui_theme *t = &u->theme;
	SDL_Color bg = style == BTN_PRIMARY ? t->primary : style == BTN_DANGER ? t->danger : t->surface;
	SDL_Color fg = style == BTN_PRIMARY || style == BTN_DANGER ? t->primary_text : t->text;
	bool visible = true;
	if (u->scroll_registered)
		visible = SDL_HasIntersection(&r, &u->scroll_view);
	ui_widget *w = ui_widget_add(u, id, ROLE_BUTTON, label, r, visible);
	if (ui_pressed(u, id))
		bg = darker(bg, 25);
	ui_fill_round(u, r, 18, style == BTN_PRIMARY || style == BTN_DANGER ? bg : t->border);
	ui_fill_round(u, (SDL_Rect){r.x + 3, r.y + 3, r.w - 6, r.h - 6}, 16, bg);
	/* The label shrinks to fit one line (down to 26), then wraps to two;
	 * if even that does not fit the widget says so (clipped). */
	int size = r.h >= 110 ? 40 : 36, tw, iw;
	for (;;) {
		tw = ui_text_width(u, FACE_BOLD, size, label, strlen(label));
		iw = ic != ICON_NONE ? size + 16 : 0;
		if (tw + iw <= r.w - 32 || size <= 26)
			break;
		size -= 2;
	}
	if (tw + iw > r.w - 16 && ic != ICON_NONE) { /* the words matter more than the pictogram */
		ic = ICON_NONE;
		iw = 0;
	}
	int lh = ui_line_height(u, FACE_BOLD, size);
	int x = r.x + (r.w - tw - iw) / 2;
	SDL_Color prev = ui_set_text_bg(u, bg);
	if (ic != ICON_NONE)
		ui_icon(u, ic, x + size / 2, r.y + r.h / 2, size, fg, bg);
	if (tw + iw <= r.w - 16) {
		ui_text(u, FACE_BOLD, size, fg, x + iw, r.y + (r.h - lh) / 2, label, strlen(label));
	} else {
		int need = ui_text_wrapped(u, FACE_BOLD, size, fg, 0, 0, r.w - 24, label, 0, false);
		int top = need < r.h ? (r.h - need) / 2 : 4;
		ui_text_wrapped(u, FACE_BOLD, size, fg, r.x + 12, r.y + top, r.w - 24, label, need > r.h - 8 ? 1 : 2, true);
		if (w && need > r.h - 8)
			w->clipped = true;
	}
	ui_set_text_bg(u, prev);
}

void ui_button(ui *u, const char *id, const char *label, SDL_Rect r, ui_button_style style)
{
	button_icon(u, id, label, r, style, ICON_NONE);
}

/* A tile's words area, and the text sizes at which label and sub fit in
 * it: from the sizes given down (label first, to 40; then the sub, to 28). */
struct tile_box {
	bool narrow;
	int pad, is, x, w, top;
};

static struct tile_box tile_box(SDL_Rect r)
{
	struct tile_box b = {.narrow = r.w < 560, .pad = 32};
	b.is = b.narrow ? 96 : 112;
	b.x = b.narrow ? r.x + b.pad : r.x + b.pad + b.is + 32;
	b.w = r.x + r.w - b.pad - b.x;
	b.top = b.narrow ? b.is + 24 : 0;
	return b;
}

static bool tile_fit(ui *u, const char *label, const char *sub, SDL_Rect r, int *size, int *ssize, int *lh, int *sh)
{
	struct tile_box b = tile_box(r);
	SDL_Color any = {0, 0, 0, 255}; /* measuring only */
	for (;;) {
		*lh = ui_text_wrapped(u, FACE_BOLD, *size, any, b.x, 0, b.w, label, 0, false);
		*sh = sub && *sub ? ui_text_wrapped(u, FACE_REGULAR, *ssize, any, b.x, 0, b.w, sub, 0, false) + 12 : 0;
		if (b.top + *lh + *sh <= r.h - 2 * b.pad)
			return true;
		if (*size > 40)
			*size -= 6;
		else if (*ssize > 28)
			*ssize -= 3;
		else
			return false;
	}
}

void ui_tiles_fit(ui *u, const char *const *labels, const char *const *subs, int n, SDL_Rect r)
{
	int size = 56, ssize = 34, lh, sh;
	for (int i = 0; i < n; i++)
		tile_fit(u, labels[i], subs ? subs[i] : NULL, r, &size, &ssize, &lh, &sh);
	u->tile_size = size;
	u->tile_ssize = ssize;
}

void ui_tile(ui *u, const char *id, const char *label, const char *sub, SDL_Rect r, SDL_Color color, int ic)
{
	const ui_theme *t = &u->theme;
	ui_widget *wd = ui_widget_add(u, id, ROLE_TILE, label, r, true);
	/* high contrast: white words on black inside a yellow frame */
	SDL_Color bg = u->high_contrast ? t->bg : color;
	if (ui_pressed(u, id))
		bg = u->high_contrast ? t->pressed : darker(color, 25);
	SDL_Color fg = u->high_contrast ? t->text : t->primary_text;
	if (u->high_contrast) {
		ui_fill_round(u, r, 24, t->primary);
		ui_fill_round(u, (SDL_Rect){r.x + 6, r.y + 6, r.w - 12, r.h - 12}, 20, bg);
	} else {
		ui_fill_round(u, r, 24, bg);
	}
	/* Wide tiles: pictogram in a left column, words to its right.  Narrow
	 * (portrait) tiles: pictogram above the words, so they keep the whole
	 * width.  The label shrinks before it would be cut. */
	struct tile_box b = tile_box(r);
	bool narrow = b.narrow;
	int is = b.is, x = b.x, w = b.w, top = b.top, pad = b.pad;
	SDL_Color soft = u->high_contrast ? t->muted : (SDL_Color){255, 255, 255, 230};
	/* a set of tiles shares one size (ui_tiles_fit), else each fits alone */
	int size = u->tile_size ? u->tile_size : 56, ssize = u->tile_ssize ? u->tile_ssize : 34, lh, sh;
	tile_fit(u, label, sub, r, &size, &ssize, &lh, &sh);
	if (wd && top + lh + sh > r.h - 16)
		wd->clipped = true;
	int y = r.y + (r.h - top - lh - sh) / 2 + top;
	if (narrow)
		ui_icon(u, ic, x + is / 2, y - top + is / 2, is, fg, bg);
	else
		ui_icon(u, ic, r.x + pad + is / 2, r.y + r.h / 2, is, fg, bg);
	SDL_Color prev = ui_set_text_bg(u, bg);
	ui_text_wrapped(u, FACE_BOLD, size, fg, x, y, w, label, 3, true);
	if (sh)
		ui_text_wrapped(u, FACE_REGULAR, ssize, soft, x, y + lh + 12, w, sub, 3, true);
	ui_set_text_bg(u, prev);
}

void ui_list_item(ui *u, const char *id, const char *title, const char *summary, const char *meta, SDL_Rect r)
{
	const ui_theme *t = &u->theme;
	bool visible = !u->scroll_registered || SDL_HasIntersection(&r, &u->scroll_view);
	ui_widget_add(u, id, ROLE_ITEM, title, r, visible);
	if (!visible)
		return;
	SDL_Color bg = ui_pressed(u, id) ? t->pressed : t->surface;
	ui_fill_round(u, r, 18, t->border);
	ui_fill_round(u, (SDL_Rect){r.x + 2, r.y + 2, r.w - 4, r.h - 4}, 16, bg);
	ui_fill(u, (SDL_Rect){r.x + 2, r.y + 20, 10, r.h - 40}, t->primary);
	int x = r.x + 40, w = r.w - 80 - 60;
	int y = r.y + 24;
	char sub[UI_ID_LEN + 16];
	SDL_Color prev = ui_set_text_bg(u, bg);
	y += ui_text_wrapped(u, FACE_BOLD, 44, t->text, x, y, w, title, 2, true);
	if (meta && *meta) {
		int h = ui_text_wrapped(u, FACE_BOLD, 32, t->accent, x, y + 4, w, meta, 1, true);
		snprintf(sub, sizeof sub, "%s.meta", id);
		ui_widget_add(u, sub, ROLE_TEXT, meta, (SDL_Rect){x, y + 4, w, h}, true);
		y += h + 4;
	}
	if (summary && *summary) {
		int h = ui_text_wrapped(u, FACE_REGULAR, 34, t->muted, x, y + 6, w, summary, 2, true);
		snprintf(sub, sizeof sub, "%s.summary", id);
		ui_widget_add(u, sub, ROLE_TEXT, summary, (SDL_Rect){x, y + 6, w, h}, true);
	}
	ui_set_text_bg(u, prev);
	/* a chevron says "this opens" */
	int cx = r.x + r.w - 60, cy = r.y + r.h / 2;
	triangle(u, (SDL_FPoint){(float)cx, (float)cy - 22}, (SDL_FPoint){(float)cx + 22, (float)cy},
	         (SDL_FPoint){(float)cx, (float)cy + 22}, t->primary);
}

int ui_label(ui *u, const char *id, ui_face face, int size, SDL_Color c, int x, int y, int width, const char *s)
{
	int h = ui_text_wrapped(u, face, size, c, x, y, width, s, 0, false);
	SDL_Rect r = {x, y, width, h};
	bool visible = !u->scroll_registered || SDL_HasIntersection(&r, &u->scroll_view);
	ui_widget_add(u, id, ROLE_TEXT, s, r, visible);
	if (visible)
		ui_text_wrapped(u, face, size, c, x, y, width, s, 0, true);
	return h;
}

/* A switch in the top bar: a pictogram over a short caption; yellow
 * while on.  The widget's label is the caption, its state "checked". */
static void toggle(ui *u, const char *id, const char *caption, SDL_Rect r, int ic, bool on)
{
	const ui_theme *t = &u->theme;
	static const SDL_Color yellow = {255, 221, 0, 255}, black = {0, 0, 0, 255};
	SDL_Color bg = on ? yellow : t->surface, fg = on ? black : t->text;
	ui_widget *w = ui_widget_add(u, id, ROLE_BUTTON, caption, r, true);
	if (w)
		w->checked = on;
	if (ui_pressed(u, id))
		bg = darker(bg, 25);
	ui_fill_round(u, r, 18, on ? black : t->border);
	ui_fill_round(u, (SDL_Rect){r.x + 4, r.y + 4, r.w - 8, r.h - 8}, 15, bg);
	int size = 24, tw;
	while ((tw = ui_text_width(u, FACE_BOLD, size, caption, strlen(caption))) > r.w - 16 && size > 14)
		size--;
	if (w && tw > r.w - 8)
		w->clipped = true;
	int lh = ui_line_height(u, FACE_BOLD, size), is = r.h - lh - 22;
	if (is < 40)
		is = 40;
	ui_icon(u, ic, r.x + r.w / 2, r.y + 8 + is / 2, is, fg, bg);
	SDL_Color prev = ui_set_text_bg(u, bg);
	ui_text(u, FACE_BOLD, size, fg, r.x + (r.w - tw) / 2, r.y + r.h - lh - 8, caption, strlen(caption));
	ui_set_text_bg(u, prev);
}

SDL_Rect ui_chrome(ui *u, const char *title, bool back)
{
	const ui_theme *t = &u->theme;
	int bar = 132, pad = 24, bh = 100, gap = u->portrait ? 16 : 20;
	ui_fill(u, (SDL_Rect){0, 0, u->w, bar}, u->high_contrast ? t->bg : t->primary);
	if (u->high_contrast) /* black on black: a line says where the bar ends */
		ui_fill(u, (SDL_Rect){0, bar - 6, u->w, 6}, t->primary);
	int x = pad;
	int bw = u->portrait ? 260 : 360, backw = u->portrait ? 200 : 300;
	int lw = u->portrait ? 230 : 280, sw = u->portrait ? 130 : 150;
	/* read aloud: one more switch-sized button, so portrait bars make room
	 * on every screen alike (the button itself only where there is text) */
	bool speech = speech_available() && u->cfg->read_aloud;
	if (speech && u->portrait) { /* widths at which the words fit in large text */
		bw = 236;
		backw = 160;
		lw = 190;
		sw = 128;
		gap = 12;
	}
	button_icon(u, "nav.home", _("Home"), (SDL_Rect){x, (bar - bh) / 2, bw, bh}, BTN_SECONDARY, ICON_HOME);
	x += bw + gap;
	if (back) {
		button_icon(u, "nav.back", _("Back"), (SDL_Rect){x, (bar - bh) / 2, backw, bh}, BTN_SECONDARY, ICON_BACK);
		x += backw + gap;
	}
	const char *other = i18n_lang() == LANG_VI ? "English" : "Tiếng Việt";
	int lx = u->w - pad - lw;
	ui_button(u, "nav.lang", other, (SDL_Rect){lx, (bar - bh) / 2, lw, bh}, BTN_SECONDARY);
	/* the two display switches, left of the language */
	int cx = lx - gap - sw, tx = cx - gap - sw;
	toggle(u, "nav.contrast", _("Contrast"), (SDL_Rect){cx, (bar - bh) / 2, sw, bh}, ICON_CONTRAST, u->high_contrast);
	toggle(u, "nav.text", _("Large text"), (SDL_Rect){tx, (bar - bh) / 2, sw, bh}, ICON_TEXT, u->large_text);
	/* read aloud, left of them: "Stop reading" with a square while it reads */
	if (ui_speech_button(u)) {
		bool on = ui_speaking(u);
		tx -= gap + sw;
		toggle(u, "nav.speak", on ? _("Stop reading") : _("Read aloud"), (SDL_Rect){tx, (bar - bh) / 2, sw, bh},
		       on ? ICON_STOP : ICON_SPEAKER, on);
	}
	if (content_is_sample(u->bundle)) {
		const char *badge = _("Sample content");
		int size = 30;
		int tw = ui_text_width(u, FACE_BOLD, size, badge, strlen(badge));
		int bx = tx - 24 - tw - 32;
		if (bx > x + 20) {
			ui_fill_round(u, (SDL_Rect){bx, bar / 2 - 28, tw + 32, 56}, 28, t->accent);
			SDL_Color prev = ui_set_text_bg(u, t->accent);
			ui_text(u, FACE_BOLD, size, t->primary_text, bx + 16, bar / 2 - 28 + (56 - ui_line_height(u, FACE_BOLD, size)) / 2,
			        badge, strlen(badge));
			ui_set_text_bg(u, prev);
			ui_widget_add(u, "badge.sample", ROLE_TEXT, badge, (SDL_Rect){bx, bar / 2 - 28, tw + 32, 56}, true);
		}
	}
	int y = bar + 28;
	if (title && *title) {
		int h = ui_label(u, "title", FACE_BOLD, 60, t->text, 48, y, u->w - 96, title);
		y += h + 20;
	}
	return (SDL_Rect){48, y, u->w - 96, u->h - y - 32};
}

void ui_scroll_begin(ui *u, SDL_Rect view)
{
	int *s = ui_scroll(u);
	u->scroll_view = view;
	u->scroll_registered = true;
	if (*s > u->scroll_max)
		*s = u->scroll_max;
	if (*s < 0)
		*s = 0;
	rencache_clip(u->rc, &view);
}

void ui_scroll_end(ui *u, int content_h)
{
	const ui_theme *t = &u->theme;
	int *s = ui_scroll(u);
	SDL_Rect v = u->scroll_view;
	rencache_clip(u->rc, NULL);
	int max = content_h - v.h;
	if (max < 0)
		max = 0;
	if (max != u->scroll_max) {
		u->scroll_max = max;
		if (*s > max) {
			*s = max;
			u->dirty = true;
		}
	}
	ui_widget_add(u, "scroll.content", ROLE_SCROLL, "", (SDL_Rect){v.x, v.y - *s, v.w, content_h}, true);
	u->scroll_registered = false;
	if (max <= 0)
		return;
	/* Scroll buttons and a position bar at the right edge of the view. */
	int bw = 120, bh = 120;
	SDL_Rect up = {v.x + v.w - bw, v.y, bw, bh};
	SDL_Rect down = {v.x + v.w - bw, v.y + v.h - bh, bw, bh};
	SDL_Rect track = {v.x + v.w - bw / 2 - 6, v.y + bh + 16, 12, v.h - 2 * bh - 32};
	ui_fill_round(u, track, 6, t->border);
	int th = track.h * v.h / content_h;
	if (th < 40)
		th = 40;
	int ty = track.y + (track.h - th) * *s / max;
	ui_fill_round(u, (SDL_Rect){track.x - 4, ty, 20, th}, 10, t->primary);
	const char *names[2] = {_("Scroll up"), _("Scroll down")};
	SDL_Rect rs[2] = {up, down};
	const char *ids[2] = {"scroll.up", "scroll.down"};
	for (int i = 0; i < 2; i++) {
		bool enabled = i == 0 ? *s > 0 : *s < max;
		ui_widget *w = ui_widget_add(u, ids[i], ROLE_BUTTON, names[i], rs[i], true);
		if (w)
			w->enabled = enabled;
		SDL_Color bg = enabled ? (ui_pressed(u, ids[i]) ? darker(t->primary, 25) : t->primary) : t->border;
		ui_fill_round(u, rs[i], 60, bg);
		ui_icon(u, i == 0 ? ICON_UP : ICON_DOWN, rs[i].x + bw / 2, rs[i].y + bh / 2, 56, t->primary_text, bg);
	}
}

void ui_scroll_by(ui *u, int dy)
{
	int *s = ui_scroll(u);
	int v = *s + dy;
	if (v > u->scroll_max)
		v = u->scroll_max;
	if (v < 0)
		v = 0;
	if (v != *s) {
		*s = v;
		u->dirty = true;
	}
}
