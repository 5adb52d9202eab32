/* widgets.c - the widget table and the kiosk's few widget kinds.
 *
 * Each widget call draws and records itself in u->widgets, so the table is
 * always exactly what is on screen: hit-testing, automation and the dump
 * read it.  Widgets are big on purpose: the smallest touch target is 100
 * logical pixels (about 25 mm on a 21.5-inch 1080p panel, above the 20 mm
 * minimum), with gaps of at least 16. */
#include <string.h>

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
	int size = r.h >= 110 ? 40 : 36;
	int tw = ui_text_width(u, FACE_BOLD, size, label, strlen(label));
	int iw = ic != ICON_NONE ? size + 16 : 0;
	if (tw + iw > r.w - 32) {
		size = 32;
		tw = ui_text_width(u, FACE_BOLD, size, label, strlen(label));
	}
	int lh = ui_line_height(u, FACE_BOLD, size);
	int x = r.x + (r.w - tw - iw) / 2;
	SDL_Color prev = ui_set_text_bg(u, bg);
	if (ic != ICON_NONE)
		ui_icon(u, ic, x + size / 2, r.y + r.h / 2, size, fg, bg);
	if (tw + iw <= r.w - 16)
		ui_text(u, FACE_BOLD, size, fg, x + iw, r.y + (r.h - lh) / 2, label, strlen(label));
	else
		ui_text_wrapped(u, FACE_BOLD, size, fg, r.x + 12, r.y + 8, r.w - 24, label, 2, true);
	ui_set_text_bg(u, prev);
	(void)w;
}

void ui_button(ui *u, const char *id, const char *label, SDL_Rect r, ui_button_style style)
{
	button_icon(u, id, label, r, style, ICON_NONE);
}

void ui_tile(ui *u, const char *id, const char *label, const char *sub, SDL_Rect r, SDL_Color color, int ic)
{
	const ui_theme *t = &u->theme;
	ui_widget_add(u, id, ROLE_TILE, label, r, true);
	SDL_Color bg = ui_pressed(u, id) ? darker(color, 25) : color;
	ui_fill_round(u, r, 24, bg);
	/* Wide tiles: pictogram in a left column, words to its right.  Narrow
	 * (portrait) tiles: pictogram above the words, so they keep the whole
	 * width.  The label shrinks before it would be cut. */
	bool narrow = r.w < 560;
	int pad = 32, is = narrow ? 96 : 112;
	int x = narrow ? r.x + pad : r.x + pad + is + 32, w = r.x + r.w - pad - x;
	int top = narrow ? is + 24 : 0;
	SDL_Color soft = {255, 255, 255, 230};
	int size = 56, lh, sh;
	for (;;) {
		lh = ui_text_wrapped(u, FACE_BOLD, size, t->primary_text, x, 0, w, label, 0, false);
		sh = sub && *sub ? ui_text_wrapped(u, FACE_REGULAR, 34, soft, x, 0, w, sub, 0, false) + 12 : 0;
		if (top + lh + sh <= r.h - 2 * pad || size <= 40)
			break;
		size -= 6;
	}
	int y = r.y + (r.h - top - lh - sh) / 2 + top;
	if (narrow)
		ui_icon(u, ic, x + is / 2, y - top + is / 2, is, t->primary_text, bg);
	else
		ui_icon(u, ic, r.x + pad + is / 2, r.y + r.h / 2, is, t->primary_text, bg);
	SDL_Color prev = ui_set_text_bg(u, bg);
	ui_text_wrapped(u, FACE_BOLD, size, t->primary_text, x, y, w, label, 3, true);
	if (sh)
		ui_text_wrapped(u, FACE_REGULAR, 34, soft, x, y + lh + 12, w, sub, 3, true);
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

SDL_Rect ui_chrome(ui *u, const char *title, bool back)
{
	const ui_theme *t = &u->theme;
	int bar = 132, pad = 24, bh = 100;
	ui_fill(u, (SDL_Rect){0, 0, u->w, bar}, t->primary);
	int x = pad;
	int bw = u->portrait ? 300 : 360;
	button_icon(u, "nav.home", _("Home"), (SDL_Rect){x, (bar - bh) / 2, bw, bh}, BTN_SECONDARY, ICON_HOME);
	x += bw + 20;
	if (back) {
		button_icon(u, "nav.back", _("Back"), (SDL_Rect){x, (bar - bh) / 2, bw - 60, bh}, BTN_SECONDARY, ICON_BACK);
		x += bw - 60 + 20;
	}
	int lw = u->portrait ? 240 : 280;
	const char *other = i18n_lang() == LANG_VI ? "English" : "Tiếng Việt";
	ui_button(u, "nav.lang", other, (SDL_Rect){u->w - pad - lw, (bar - bh) / 2, lw, bh}, BTN_SECONDARY);
	if (content_is_sample(u->bundle)) {
		const char *badge = _("Sample content");
		int size = 30;
		int tw = ui_text_width(u, FACE_BOLD, size, badge, strlen(badge));
		int bx = u->w - pad - lw - 24 - tw - 32;
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
