/* render.c - fonts, cached text and images, and drawing primitives.
 *
 * Text is the expensive part of a kiosk frame: shaping and rasterising a
 * line with SDL_ttf costs far more than blitting it.  So every line of text
 * becomes a texture once, kept in a small cache keyed by face, size, colour
 * and the bytes of the line (FNV hash plus a full compare), evicted least
 * recently used when the cache passes its pixel budget.  An unchanged page
 * re-presents from the cache; scrolling only moves where lines are blitted.
 * Images are cached the same way, by path.  Fonts are opened lazily per
 * size; fontconfig finds Noto Sans (DejaVu Sans as fallback) once. */
#include <limits.h>
#include <SDL_image.h>
#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/log.h"
#include "tramtin/qr.h"
#include "tramtin/text.h"
#include "ui/ui.h"

#define TEXT_SLOTS 1024
#define TEXT_BUDGET_PX (2u << 20) /* 2 Mpx = 8 MiB of ARGB textures: two pages of text */
#define IMAGE_SLOTS 12

struct text_entry {
	uint64_t hash;
	char *text;
	size_t len;
	ui_face face;
	int size;
	uint64_t color; /* foreground << 32 | background (0: transparent) */
	SDL_Texture *tex;
	int w, h;
	uint64_t used;
};

struct text_cache {
	struct text_entry e[TEXT_SLOTS];
	size_t n;
	size_t pixels;
	uint64_t tick, misses;
	uint64_t frame_start; /* entries used since then are drawn this frame */
};

struct image_entry {
	char *path;
	SDL_Texture *tex;
	int w, h;
	bool failed;
	uint64_t used;
};

struct image_cache {
	struct image_entry e[IMAGE_SLOTS];
	uint64_t tick, frame_start;
	tt_qr qr;
	char *qr_text;
};

struct text_cache *text_cache_new(void)
{
	return calloc(1, sizeof(struct text_cache));
}

static void text_entry_drop(struct text_cache *c, size_t i)
{
	struct text_entry *e = &c->e[i];
	if (e->tex)
		SDL_DestroyTexture(e->tex);
	c->pixels -= (size_t)e->w * (size_t)e->h;
	free(e->text);
	c->e[i] = c->e[--c->n];
}

void text_cache_free(struct text_cache *c)
{
	if (!c)
		return;
	while (c->n)
		text_entry_drop(c, c->n - 1);
	free(c);
}

struct image_cache *image_cache_new(void)
{
	return calloc(1, sizeof(struct image_cache));
}

void image_cache_free(struct image_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < IMAGE_SLOTS; i++) {
		if (c->e[i].tex)
			SDL_DestroyTexture(c->e[i].tex);
		free(c->e[i].path);
	}
	qr_free(&c->qr);
	free(c->qr_text);
	free(c);
}

void ui_cache_stats(ui *u, size_t *entries, size_t *bytes, uint64_t *misses)
{
	*entries = u->texts->n;
	*bytes = u->texts->pixels * 4;
	*misses = u->texts->misses;
}

/* The pixel size of a logical text size in the current mode. */
static int font_px(const ui *u, int size)
{
	return u->large_text ? (size * 13 + 5) / 10 : size;
}

/* Opens FACE at pixel SIZE from the file's bytes in memory (read at first use). */
static TTF_Font *font_open(ui *u, ui_face face, int size)
{
	if (!u->font_data[face] && !(u->font_data[face] = SDL_LoadFile(u->font_path[face], &u->font_len[face]))) {
		tt_error("%s: cannot read font: %s", u->font_path[face], SDL_GetError());
		return NULL;
	}
	if (u->font_len[face] > INT_MAX) {
		tt_error("%s: font file over 2 GiB", u->font_path[face]);
		return NULL;
	}
	SDL_RWops *rw = SDL_RWFromConstMem(u->font_data[face], (int)u->font_len[face]);
	TTF_Font *f = rw ? TTF_OpenFontRW(rw, 1, size) : NULL;
	if (!f) {
		tt_error("%s: cannot open font: %s", u->font_path[face], TTF_GetError());
		return NULL;
	}
	TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
	return f;
}

TTF_Font *ui_font(ui *u, ui_face face, int size)
{
	size = font_px(u, size);
	for (int i = 0; i < UI_FONT_SLOTS; i++) {
		if (u->font_sizes[face][i] == size)
			return u->fonts[face][i];
		if (u->font_sizes[face][i] == 0) {
			TTF_Font *f = font_open(u, face, size);
			if (!f)
				return NULL;
			u->fonts[face][i] = f;
			u->font_sizes[face][i] = size;
			return f;
		}
	}
	/* More sizes than slots: reuse the last slot. */
	int last = UI_FONT_SLOTS - 1;
	TTF_CloseFont(u->fonts[face][last]);
	u->fonts[face][last] = font_open(u, face, size);
	u->font_sizes[face][last] = u->fonts[face][last] ? size : 0;
	return u->fonts[face][last];
}

int ui_line_height(ui *u, ui_face face, int size)
{
	TTF_Font *f = ui_font(u, face, size);
	return f ? TTF_FontLineSkip(f) : size;
}

static uint32_t pack(SDL_Color c)
{
	return (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
}

SDL_Color ui_set_text_bg(ui *u, SDL_Color bg)
{
	SDL_Color prev = u->text_bg;
	u->text_bg = bg;
	return prev;
}

/* Returns the cached texture for one line, rendering it on a miss.  Text
 * on a known opaque background is rendered onto it (TTF "shaded") and
 * copied without blending: with the software renderer a blended blit of a
 * page of text costs several times a plain copy. */
static struct text_entry *text_get(ui *u, ui_face face, int size, SDL_Color color, const char *s, size_t len)
{
	struct text_cache *c = u->texts;
	bool opaque = u->text_bg.a == 255;
	uint64_t col = (uint64_t)pack(color) << 32 | (opaque ? pack(u->text_bg) : 0);
	int px = font_px(u, size); /* the key: what is drawn, not what was asked */
	uint64_t h = text_hash(s, len, ((uint64_t)face << 56 ^ (uint64_t)px << 48) ^ col);
	for (size_t i = 0; i < c->n; i++) {
		struct text_entry *e = &c->e[i];
		if (e->hash == h && e->len == len && e->face == face && e->size == px && e->color == col &&
		    memcmp(e->text, s, len) == 0) {
			e->used = ++c->tick;
			return e;
		}
	}
	c->misses++;
	TTF_Font *f = ui_font(u, face, size);
	if (!f || len == 0)
		return NULL;
	char *copy = malloc(len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	SDL_Surface *surf = opaque ? TTF_RenderUTF8_Shaded(f, copy, color, u->text_bg) : TTF_RenderUTF8_Blended(f, copy, color);
	if (!surf) {
		free(copy);
		return NULL;
	}
	SDL_Texture *tex = SDL_CreateTextureFromSurface(u->renderer, surf);
	if (tex && opaque)
		SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_NONE);
	int w = surf->w, hh = surf->h;
	SDL_FreeSurface(surf);
	if (!tex) {
		free(copy);
		return NULL;
	}
	/* Evict least recently used entries until there is room, but never
	 * one this frame already drew (its texture is in the command list). */
	while (c->n && (c->n == TEXT_SLOTS || c->pixels + (size_t)w * (size_t)hh > TEXT_BUDGET_PX)) {
		size_t old = 0;
		for (size_t i = 1; i < c->n; i++)
			if (c->e[i].used < c->e[old].used)
				old = i;
		if (c->e[old].used > c->frame_start && c->n < TEXT_SLOTS)
			break; /* over budget for one frame rather than a dangling texture */
		if (c->e[old].used > c->frame_start) {
			SDL_DestroyTexture(tex);
			free(copy);
			return NULL;
		}
		text_entry_drop(c, old);
	}
	struct text_entry *e = &c->e[c->n++];
	*e = (struct text_entry){h, copy, len, face, px, col, tex, w, hh, ++c->tick};
	c->pixels += (size_t)w * (size_t)hh;
	return e;
}

void ui_cache_frame_begin(ui *u)
{
	u->texts->frame_start = u->texts->tick;
	u->images->frame_start = u->images->tick;
}

int ui_text(ui *u, ui_face face, int size, SDL_Color c, int x, int y, const char *s, size_t len)
{
	struct text_entry *e = text_get(u, face, size, c, s, len);
	if (!e)
		return 0;
	rencache_copy(u->rc, e->tex, (SDL_Rect){x, y, e->w, e->h}, e->hash);
	return e->w;
}

struct measure_ctx {
	TTF_Font *f;
	char buf[4096];
};

static int measure(void *ctx, const char *s, size_t n)
{
	struct measure_ctx *m = ctx;
	int w = 0;
	if (n >= sizeof m->buf)
		n = sizeof m->buf - 1;
	memcpy(m->buf, s, n);
	m->buf[n] = '\0';
	if (TTF_SizeUTF8(m->f, m->buf, &w, NULL) != 0)
		return 0;
	return w;
}

int ui_text_width(ui *u, ui_face face, int size, const char *s, size_t len)
{
	struct measure_ctx m = {.f = ui_font(u, face, size)};
	return m.f ? measure(&m, s, len) : 0;
}

int ui_text_wrapped(ui *u, ui_face face, int size, SDL_Color c, int x, int y, int width, const char *s,
                    int max_lines, bool draw)
{
	text_line lines[64];
	struct measure_ctx m = {.f = ui_font(u, face, size)};
	if (!m.f || !s)
		return 0;
	size_t len = strlen(s);
	size_t n = text_wrap(s, len, width, measure, &m, lines, 64);
	size_t shown = n < 64 ? n : 64;
	if (max_lines > 0 && shown > (size_t)max_lines)
		shown = (size_t)max_lines;
	int lh = TTF_FontLineSkip(m.f);
	for (size_t i = 0; draw && i < shown; i++) {
		if (i + 1 == shown && shown < n) {
			/* Cut: end the last shown line with an ellipsis that fits. */
			char buf[1024];
			size_t l = lines[i].len < 1000 ? lines[i].len : 1000;
			for (;;) {
				memcpy(buf, s + lines[i].start, l);
				memcpy(buf + l, "…", strlen("…") + 1);
				if (l == 0 || measure(&m, buf, strlen(buf)) <= width)
					break;
				l = text_prev_grapheme(s + lines[i].start, lines[i].len, l);
			}
			ui_text(u, face, size, c, x, y + (int)i * lh, buf, strlen(buf));
		} else {
			ui_text(u, face, size, c, x, y + (int)i * lh, s + lines[i].start, lines[i].len);
		}
	}
	return (int)shown * lh;
}

static struct image_entry *image_get(ui *u, const char *path)
{
	struct image_cache *c = u->images;
	int slot = 0;
	for (int i = 0; i < IMAGE_SLOTS; i++) {
		if (c->e[i].path && strcmp(c->e[i].path, path) == 0) {
			c->e[i].used = ++c->tick;
			return c->e[i].failed ? NULL : &c->e[i];
		}
		if (c->e[i].used < c->e[slot].used)
			slot = i;
	}
	if (c->e[slot].used > c->frame_start && c->e[slot].tex)
		return NULL; /* every slot is on screen this frame */
	struct image_entry *e = &c->e[slot];
	if (e->tex)
		SDL_DestroyTexture(e->tex);
	free(e->path);
	memset(e, 0, sizeof *e);
	e->path = strdup(path);
	e->used = ++c->tick;
	SDL_Surface *s = IMG_Load(path);
	if (!s) {
		tt_warn("%s: cannot show image: %s", path, IMG_GetError());
		e->failed = true;
		return NULL;
	}
	e->tex = SDL_CreateTextureFromSurface(u->renderer, s);
	e->w = s->w;
	e->h = s->h;
	SDL_FreeSurface(s);
	if (!e->tex) {
		tt_warn("%s: cannot show image: %s", path, SDL_GetError());
		e->failed = true;
		return NULL;
	}
	return e;
}

bool ui_image_size(ui *u, const char *path, int *w, int *h)
{
	struct image_entry *e = image_get(u, path);
	if (!e)
		return false;
	*w = e->w;
	*h = e->h;
	return true;
}

int ui_image(ui *u, const char *path, SDL_Rect r, bool draw)
{
	struct image_entry *e = image_get(u, path);
	if (!e || e->w <= 0 || e->h <= 0)
		return 0;
	/* Fit into r keeping the aspect ratio; never upscale more than 2x. */
	double sx = (double)r.w / e->w, sy = r.h > 0 ? (double)r.h / e->h : sx;
	double s = sx < sy ? sx : sy;
	if (s > 2.0)
		s = 2.0;
	SDL_Rect dst = {r.x, r.y, (int)(e->w * s), (int)(e->h * s)};
	if (draw)
		rencache_copy(u->rc, e->tex, dst, text_hash(path, strlen(path), 0x1a9e));
	return dst.h;
}

void ui_qr(ui *u, const char *text, SDL_Rect r)
{
	struct image_cache *c = u->images;
	if (!c->qr_text || strcmp(c->qr_text, text) != 0) {
		qr_free(&c->qr);
		free(c->qr_text);
		c->qr_text = strdup(text);
		if (qr_encode(text, &c->qr) != TT_OK) {
			tt_warn("cannot encode QR code for '%s'", text);
			return;
		}
	}
	int n = c->qr.size;
	if (n <= 0)
		return;
	int side = r.w < r.h ? r.w : r.h;
	int module = side / (n + 8); /* quiet zone of 4 modules each side */
	if (module < 1)
		module = 1;
	int full = module * (n + 8);
	int ox = r.x + (r.w - full) / 2, oy = r.y + (r.h - full) / 2;
	ui_fill(u, (SDL_Rect){ox, oy, full, full}, (SDL_Color){255, 255, 255, 255});
	SDL_Color black = {0, 0, 0, 255};
	SDL_Rect rects[64];
	int k = 0;
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++) {
			if (!qr_dark(&c->qr, x, y))
				continue;
			/* merge horizontal runs into one rectangle */
			int run = 1;
			while (x + run < n && qr_dark(&c->qr, x + run, y))
				run++;
			rects[k++] = (SDL_Rect){ox + (x + 4) * module, oy + (y + 4) * module, run * module, module};
			x += run - 1;
			if (k == 64) {
				rencache_rects(u->rc, rects, k, black);
				k = 0;
			}
		}
	if (k)
		rencache_rects(u->rc, rects, k, black);
}

void ui_fill(ui *u, SDL_Rect r, SDL_Color c)
{
	rencache_rects(u->rc, &r, 1, c);
}

void ui_fill_round(ui *u, SDL_Rect r, int radius, SDL_Color c)
{
	if (radius * 2 > r.h)
		radius = r.h / 2;
	if (radius * 2 > r.w)
		radius = r.w / 2;
	if (radius > 128)
		radius = 128;
	/* the middle, then the rounded top and bottom bands a row at a time */
	SDL_Rect rows[257];
	int k = 0;
	rows[k++] = (SDL_Rect){r.x, r.y + radius, r.w, r.h - 2 * radius};
	for (int i = 0; i < radius; i++) {
		double dy = radius - i - 0.5;
		int inset = radius - (int)(SDL_sqrt((double)radius * radius - dy * dy) + 0.5);
		rows[k++] = (SDL_Rect){r.x + inset, r.y + i, r.w - 2 * inset, 1};
		rows[k++] = (SDL_Rect){r.x + inset, r.y + r.h - 1 - i, r.w - 2 * inset, 1};
	}
	rencache_rects(u->rc, rows, k, c);
}

void ui_frame_rect(ui *u, SDL_Rect r, int t, SDL_Color c)
{
	SDL_Rect s[4] = {{r.x, r.y, r.w, t}, {r.x, r.y + r.h - t, r.w, t}, {r.x, r.y, t, r.h}, {r.x + r.w - t, r.y, t, r.h}};
	rencache_rects(u->rc, s, 4, c);
}

/* Finds a font file through fontconfig; false if none of the family. */
static bool find_font(const char *family, const char *style, char *out, size_t outlen)
{
	bool ok = false;
	FcPattern *pat = FcPatternBuild(NULL, FC_FAMILY, FcTypeString, (const FcChar8 *)family, FC_STYLE, FcTypeString,
	                                (const FcChar8 *)style, (char *)NULL);
	if (!pat)
		return false;
	FcConfigSubstitute(NULL, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	FcResult res;
	FcPattern *m = FcFontMatch(NULL, pat, &res);
	FcChar8 *file = NULL, *fam = NULL;
	if (m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch &&
	    FcPatternGetString(m, FC_FAMILY, 0, &fam) == FcResultMatch && strcmp((const char *)fam, family) == 0) {
		snprintf(out, outlen, "%s", (const char *)file);
		ok = true;
	}
	if (m)
		FcPatternDestroy(m);
	FcPatternDestroy(pat);
	return ok;
}

bool ui_fonts_find(ui *u)
{
	static const char *const families[] = {"Noto Sans", "DejaVu Sans"};
	static const char *const styles[FACE__COUNT] = {"Regular", "Bold"};
	const char *cfg_font[FACE__COUNT] = {u->cfg->font, u->cfg->font_bold};
	bool fc = false;
	for (int f = 0; f < FACE__COUNT; f++) {
		if (cfg_font[f][0]) {
			snprintf(u->font_path[f], sizeof u->font_path[f], "%s", cfg_font[f]);
			continue;
		}
		if (!fc && !FcInit()) {
			tt_error("fontconfig: cannot initialise");
			return false;
		}
		fc = true;
		bool found = false;
		for (size_t i = 0; i < sizeof families / sizeof families[0] && !found; i++)
			found = find_font(families[i], styles[f], u->font_path[f], sizeof u->font_path[f]);
		if (!found) {
			tt_error("no font found: install fonts-noto-core (Noto Sans) or set [display] font");
			return false;
		}
	}
	if (!u->cfg->font_bold[0] && u->cfg->font[0])
		snprintf(u->font_path[FACE_BOLD], sizeof u->font_path[FACE_BOLD], "%s", u->cfg->font);
	if (fc)
		FcFini();
	return true;
}
