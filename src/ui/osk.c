/* osk.c - the on-screen keyboard and the text field.
 *
 * The keyboard is a few rows of keys computed from the page (letters or
 * numbers), the input method and the orientation; every key is a widget,
 * so a person's tap and an automation `keys` take the same path.  One key
 * unit is sized from the widest row, so keys line up and never fall under
 * 80 logical pixels (20 mm on a 21.5-inch panel), in portrait too.
 * Backspace repeats while held (after 500 ms, every 70 ms), driven by
 * osk_tick from the event loop's timer, so `advance` in a script makes it
 * repeat without waiting.  The keyboard only calls the input engine: all
 * Vietnamese rules live in src/core/ime.c. */
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/text.h"
#include "ui/osk.h"

enum kind { K_CHAR, K_TONE, K_SHIFT, K_BACKSPACE, K_SPACE, K_ENTER, K_DONE, K_PAGE, K_METHOD };

struct key {
	enum kind kind;
	const char *id;     /* after "osk.key." */
	const char *label;  /* NULL: the character itself */
	float units;
	int tone;           /* K_TONE: enum ime_tone */
};

struct osk {
	const tt_config *cfg;
	ime_method method;
	bool numbers;
	int shift;          /* 0 off, 1 next letter, 2 caps lock */
	uint64_t hold_next;
	int repeats;
};

#define ROW_MAX 14
struct row {
	struct key k[ROW_MAX];
	int n;
};

static ime_method config_method(const tt_config *cfg)
{
	if (strcmp(cfg->ime_method, "vni") == 0)
		return IME_VNI;
	if (strcmp(cfg->ime_method, "direct") == 0)
		return IME_DIRECT;
	return IME_TELEX;
}

osk *osk_new(const tt_config *cfg)
{
	osk *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->cfg = cfg;
	osk_reset(k);
	return k;
}

void osk_free(osk *k)
{
	free(k);
}

void osk_reset(osk *k)
{
	k->method = config_method(k->cfg);
	k->numbers = false;
	k->shift = 0;
	k->hold_next = 0;
	k->repeats = 0;
}

ime_method osk_method(const osk *k)
{
	return k->method;
}

void osk_set_numbers(osk *k, bool numbers)
{
	k->numbers = numbers;
	k->shift = 0;
}

static void add(struct row *r, enum kind kind, const char *id, const char *label, float units, int tone)
{
	if (r->n < ROW_MAX)
		r->k[r->n++] = (struct key){kind, id, label, units, tone};
}

static void chars(struct row *r, const char *const *ids)
{
	for (; *ids; ids++)
		add(r, K_CHAR, *ids, NULL, 1, 0);
}

static const char *const digits[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", NULL};
static const char *const viet[] = {"ă", "â", "đ", "ê", "ô", "ơ", "ư", NULL};
static const char *const qrow[] = {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p", NULL};
static const char *const arow[] = {"a", "s", "d", "f", "g", "h", "j", "k", "l", NULL};
static const char *const zrow[] = {"z", "x", "c", "v", "b", "n", "m", ",", ".", NULL};
static const char *const sym1[] = {"-", "/", ":", ";", "(", ")", "\"", "'", "&", "@", NULL};
static const char *const sym2[] = {".", ",", "?", "!", "%", "+", "=", "*", "#", NULL};

static void tones(struct row *r)
{
	add(r, K_TONE, "sac", N_("á acute"), 1.2f, IME_TONE_SAC);
	add(r, K_TONE, "huyen", N_("à grave"), 1.2f, IME_TONE_HUYEN);
	add(r, K_TONE, "hoi", N_("ả hook"), 1.2f, IME_TONE_HOI);
	add(r, K_TONE, "nga", N_("ã tilde"), 1.2f, IME_TONE_NGA);
	add(r, K_TONE, "nang", N_("ạ dot"), 1.2f, IME_TONE_NANG);
}

static int layout(const ui *u, const osk *k, struct row *rows)
{
	int n = 0;
	memset(rows, 0, 7 * sizeof *rows);
	if (k->numbers) {
		chars(&rows[n++], digits);
		chars(&rows[n++], sym1);
		chars(&rows[n], sym2);
		add(&rows[n++], K_BACKSPACE, "backspace", N_("Delete"), 1.5f, 0);
	} else {
		if (k->method == IME_VNI)
			chars(&rows[n++], digits); /* VNI marks and tones are digits */
		if (u->portrait) {
			chars(&rows[n++], viet);
			tones(&rows[n++]);
		} else {
			chars(&rows[n], viet);
			tones(&rows[n++]);
		}
		chars(&rows[n], qrow);
		if (!u->portrait)
			add(&rows[n], K_BACKSPACE, "backspace", N_("Delete"), 1.5f, 0);
		n++;
		chars(&rows[n], arow);
		if (!u->portrait)
			add(&rows[n], K_ENTER, "enter", N_("New line"), 1.5f, 0);
		n++;
		add(&rows[n], K_SHIFT, "shift", N_("Capital"), 1.5f, 0);
		chars(&rows[n++], zrow);
	}
	struct row *b = &rows[n++];
	add(b, K_PAGE, "page", k->numbers ? "abc" : "123", 1.5f, 0);
	add(b, K_METHOD, "method", NULL, 2, 0);
	add(b, K_SPACE, "space", N_("Space"), u->portrait ? 3 : 5, 0);
	if (u->portrait && !k->numbers)
		add(b, K_BACKSPACE, "backspace", N_("Delete"), 1.5f, 0);
	add(b, K_DONE, "done", N_("Done"), 2, 0);
	return n;
}

static int key_h(const ui *u)
{
	return u->portrait ? 104 : 84;
}

#define GAP 10

int osk_height(const ui *u, const osk *k)
{
	struct row rows[7];
	int n = layout(u, k, rows);
	return n * key_h(u) + (n - 1) * GAP;
}

static const char *method_name(ime_method m)
{
	return m == IME_VNI ? "VNI" : m == IME_DIRECT ? _("Direct") : "Telex";
}

/* The character a key types with the current shift (upper case). */
static void key_text(const osk *k, const struct key *key, char *out, size_t len)
{
	snprintf(out, len, "%s", key->id);
	if (key->kind != K_CHAR || !k->shift)
		return;
	char *up = text_upper(key->id);
	if (up) {
		snprintf(out, len, "%s", up);
		free(up);
	}
}

void osk_draw(ui *u, osk *k, SDL_Rect r)
{
	const ui_theme *t = &u->theme;
	struct row rows[7];
	int n = layout(u, k, rows);
	/* one key unit for the whole keyboard: the largest that lets every
	 * row, with its gaps, fit the width */
	float unit = 150;
	for (int i = 0; i < n; i++) {
		float units = 0;
		for (int j = 0; j < rows[i].n; j++)
			units += rows[i].k[j].units;
		float fit = ((float)r.w - (float)((rows[i].n - 1) * GAP)) / units;
		if (fit < unit)
			unit = fit;
	}
	int kh = key_h(u);
	ui_fill_round(u, (SDL_Rect){r.x - 16, r.y - 16, r.w + 32, r.h + 32}, 20, t->border);
	for (int i = 0; i < n; i++) {
		/* a row of few keys (Vietnamese letters, tones) may use wider keys */
		float units = 0, ru = unit;
		for (int j = 0; j < rows[i].n; j++)
			units += rows[i].k[j].units;
		float fit = ((float)r.w - (float)((rows[i].n - 1) * GAP)) / units;
		if (fit > ru)
			ru = fit < unit * 1.5f ? fit : unit * 1.5f;
		float w = 0;
		for (int j = 0; j < rows[i].n; j++)
			w += rows[i].k[j].units * ru;
		w += (float)((rows[i].n - 1) * GAP);
		float x = (float)r.x + ((float)r.w - w) / 2;
		int y = r.y + i * (kh + GAP);
		for (int j = 0; j < rows[i].n; j++) {
			const struct key *key = &rows[i].k[j];
			int kw = (int)(key->units * ru);
			char id[UI_ID_LEN], text[32], label[64];
			snprintf(id, sizeof id, "osk.key.%s", key->id);
			key_text(k, key, text, sizeof text);
			if (key->kind == K_METHOD)
				snprintf(label, sizeof label, "%s", method_name(k->method));
			else if (key->kind == K_SHIFT && k->shift == 2)
				snprintf(label, sizeof label, "%s", _("CAPS"));
			else
				snprintf(label, sizeof label, "%s", key->label ? (key->kind == K_PAGE ? key->label : _(key->label)) : text);
			SDL_Rect kr = {(int)x, y, kw, kh};
			ui_widget_add(u, id, ROLE_KEY, label, kr, true);
			bool active = (key->kind == K_SHIFT && k->shift) || (key->kind == K_PAGE && k->numbers);
			SDL_Color bg = key->kind == K_CHAR ? t->surface : key->kind == K_DONE ? t->primary : t->bg;
			if (active)
				bg = t->pressed;
			if (ui_pressed(u, id))
				bg = t->primary, bg.r = (Uint8)(bg.r * 3 / 4), bg.g = (Uint8)(bg.g * 3 / 4), bg.b = (Uint8)(bg.b * 3 / 4);
			SDL_Color fg = ui_pressed(u, id) || key->kind == K_DONE ? t->primary_text : t->text;
			ui_fill_round(u, kr, 14, bg);
			SDL_Color prev = ui_set_text_bg(u, bg);
			int size = key->kind == K_CHAR ? 48 : 34;
			int tw = ui_text_width(u, FACE_BOLD, size, label, strlen(label));
			while (tw > kw - 12 && size > 24) {
				size -= 4;
				tw = ui_text_width(u, FACE_BOLD, size, label, strlen(label));
			}
			int lh = ui_line_height(u, FACE_BOLD, size);
			ui_text(u, FACE_BOLD, size, fg, kr.x + (kw - tw) / 2, kr.y + (kh - lh) / 2, label, strlen(label));
			ui_set_text_bg(u, prev);
			x += (float)kw + GAP;
		}
	}
}

static const struct key *find(const ui *u, const osk *k, const char *name)
{
	static struct row rows[7];
	int n = layout(u, k, rows);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < rows[i].n; j++)
			if (strcmp(rows[i].k[j].id, name) == 0)
				return &rows[i].k[j];
	return NULL;
}

static void type_char(osk *k, ime *e, const struct key *key)
{
	char text[32];
	key_text(k, key, text, sizeof text);
	size_t pos = 0;
	int32_t cp = text_decode(text, strlen(text), &pos);
	/* Digits and symbols from the numbers page are literal, also in VNI. */
	if (k->numbers)
		ime_commit(e);
	if (cp > 0)
		ime_feed(e, (uint32_t)cp);
	if (k->numbers)
		ime_commit(e);
	if (k->shift == 1)
		k->shift = 0;
}

bool osk_activate(ui *u, osk *k, ime *e, const char *id, bool *done)
{
	if (strncmp(id, "osk.key.", 8) != 0)
		return false;
	const struct key *key = find(u, k, id + 8);
	if (!key)
		return false;
	u->dirty = true;
	switch (key->kind) {
	case K_CHAR:
		type_char(k, e, key);
		break;
	case K_TONE:
		ime_tone(e, (enum ime_tone)key->tone);
		break;
	case K_SHIFT:
		k->shift = (k->shift + 1) % 3;
		break;
	case K_BACKSPACE:
		if (k->repeats == 0)
			ime_backspace(e);
		k->repeats = 0;
		k->hold_next = 0;
		break;
	case K_SPACE:
		ime_feed(e, ' ');
		break;
	case K_ENTER:
		ime_feed(e, '\n');
		break;
	case K_DONE:
		ime_commit(e);
		if (done)
			*done = true;
		break;
	case K_PAGE:
		ime_commit(e);
		k->numbers = !k->numbers;
		break;
	case K_METHOD:
		k->method = k->method == IME_TELEX ? IME_VNI : k->method == IME_VNI ? IME_DIRECT : IME_TELEX;
		ime_set_method(e, k->method);
		break;
	}
	return true;
}

static bool holding_backspace(const ui *u)
{
	return u->pointer_down && !u->dragging && strcmp(u->pressed_id, "osk.key.backspace") == 0;
}

void osk_tick(ui *u, osk *k, ime *e)
{
	if (!holding_backspace(u)) {
		k->hold_next = 0;
		return;
	}
	uint64_t now = clock_ms();
	if (k->hold_next == 0) /* counted from the press, however late this tick runs */
		k->hold_next = u->press_ms + 500;
	while (now >= k->hold_next) {
		ime_backspace(e);
		k->repeats++;
		k->hold_next += 70;
		u->dirty = true;
	}
}

int osk_next_timer(const ui *u, const osk *k)
{
	if (!holding_backspace(u))
		return -1;
	if (k->hold_next == 0)
		return 0;
	uint64_t now = clock_ms();
	return k->hold_next > now ? (int)(k->hold_next - now) : 0;
}

/* --- the text field ---------------------------------------------------- */

#define FIELD_SIZE 40
#define FIELD_LINES 256

static struct {
	char id[UI_ID_LEN];
	SDL_Rect text;
	text_line lines[FIELD_LINES];
	size_t n;
	size_t first; /* first line shown */
	int lh;
} F;

struct mctx {
	ui *u;
};

static int measure(void *ctx, const char *s, size_t n)
{
	struct mctx *m = ctx;
	return ui_text_width(m->u, FACE_REGULAR, FIELD_SIZE, s, n);
}

void ui_text_field(ui *u, const char *id, ime *e, SDL_Rect r, const char *placeholder, size_t max)
{
	const ui_theme *t = &u->theme;
	const char *s = ime_text(e);
	size_t len = strlen(s), cur = ime_cursor(e);
	ui_widget_add(u, id, ROLE_FIELD, s[0] ? s : placeholder, r, true);
	ui_fill_round(u, r, 16, t->primary);
	ui_fill_round(u, (SDL_Rect){r.x + 4, r.y + 4, r.w - 8, r.h - 8}, 14, t->surface);
	SDL_Color prev = ui_set_text_bg(u, t->surface);
	int pad = 24, counter_h = 44;
	SDL_Rect tr = {r.x + pad, r.y + pad - 8, r.w - 2 * pad, r.h - 2 * pad - counter_h + 8};
	struct mctx m = {u};
	F.lh = ui_line_height(u, FACE_REGULAR, FIELD_SIZE);
	if (strcmp(F.id, id) != 0) {
		snprintf(F.id, sizeof F.id, "%s", id);
		F.first = 0;
	}
	F.text = tr;
	F.n = text_wrap(s, len, tr.w - 8, measure, &m, F.lines, FIELD_LINES);
	if (F.n > FIELD_LINES)
		F.n = FIELD_LINES;
	/* the line holding the cursor */
	size_t cl = 0;
	for (size_t i = 0; i < F.n; i++)
		if (F.lines[i].start <= cur)
			cl = i;
	size_t shown = (size_t)(tr.h / F.lh);
	if (shown < 1)
		shown = 1;
	if (cl < F.first)
		F.first = cl;
	if (cl >= F.first + shown)
		F.first = cl - shown + 1;
	if (!s[0]) {
		ui_text_wrapped(u, FACE_REGULAR, FIELD_SIZE, t->muted, tr.x, tr.y, tr.w, placeholder, (int)shown, true);
	} else {
		for (size_t i = F.first; i < F.n && i < F.first + shown; i++)
			ui_text(u, FACE_REGULAR, FIELD_SIZE, t->text, tr.x, tr.y + (int)(i - F.first) * F.lh, s + F.lines[i].start,
			        F.lines[i].len);
	}
	/* the cursor: a bar after the text before it on its line */
	if (cl >= F.first && cl < F.first + shown) {
		size_t ls = F.n ? F.lines[cl].start : 0;
		size_t upto = cur > ls ? cur - ls : 0;
		if (F.n && upto > F.lines[cl].len)
			upto = F.lines[cl].len;
		int cx = tr.x + (upto ? ui_text_width(u, FACE_REGULAR, FIELD_SIZE, s + ls, upto) : 0);
		ui_fill(u, (SDL_Rect){cx, tr.y + (int)(cl - F.first) * F.lh + 6, 4, F.lh - 12}, t->primary);
	}
	/* characters left */
	size_t used = ime_length(e), left = max > used ? max - used : 0;
	char buf[96];
	snprintf(buf, sizeof buf, ngettext("%zu character left", "%zu characters left", left), left);
	int tw = ui_text_width(u, FACE_REGULAR, 30, buf, strlen(buf));
	SDL_Rect cr = {r.x + r.w - pad - tw, r.y + r.h - pad - 36, tw, 40};
	bool warn = left < 50 && left * 5 < max; /* the last fifth, or 50 */
	ui_text(u, warn ? FACE_BOLD : FACE_REGULAR, 30, warn ? t->danger : t->muted, cr.x, cr.y, buf, strlen(buf));
	char cid[UI_ID_LEN + 8];
	snprintf(cid, sizeof cid, "%s.left", id);
	ui_widget_add(u, cid, ROLE_TEXT, buf, cr, true);
	ui_set_text_bg(u, prev);
}

void ui_text_field_tap(ui *u, const char *id, ime *e, int x, int y)
{
	if (strcmp(F.id, id) != 0 || F.n == 0)
		return;
	const char *s = ime_text(e);
	size_t len = strlen(s);
	int row = (y - F.text.y) / (F.lh ? F.lh : 1);
	if (row < 0)
		row = 0;
	size_t li = F.first + (size_t)row;
	if (li >= F.n)
		li = F.n - 1;
	const text_line *l = &F.lines[li];
	/* the grapheme boundary nearest to x */
	size_t best = l->start;
	int best_d = abs(x - F.text.x);
	for (size_t p = l->start; p < l->start + l->len;) {
		p = text_next_grapheme(s, len, p);
		int d = abs(x - (F.text.x + ui_text_width(u, FACE_REGULAR, FIELD_SIZE, s + l->start, p - l->start)));
		if (d < best_d) {
			best_d = d;
			best = p;
		}
	}
	ime_set_cursor(e, best);
	u->dirty = true;
}
