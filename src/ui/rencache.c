/* rencache.c - draw commands, hashed into screen cells; only changed cells
 * are drawn again (the design of rxi/lite's rencache).
 *
 * During a frame every primitive (filled rectangles, triangles, texture
 * copies) is recorded with the clip rectangle in force, not drawn.  At the
 * end each command's hash is folded into the hash of every 64x64 cell it
 * touches; cells whose hash differs from the previous frame's are merged
 * into rectangles, and only the commands that meet those rectangles are
 * replayed, clipped to them.  A frame in which nothing visible changed
 * draws nothing; pressing a button redraws the button.  This relies on the
 * previous frame's pixels still being there, which holds for SDL's
 * software renderer (it draws into the window surface); other renderers
 * redraw everything each frame. */
#include <stdlib.h>
#include <string.h>

#include "tramtin/text.h"
#include "ui/ui.h"

#define CELL 64
#define MAX_W (1920 / CELL + 1)
#define MAX_H (1920 / CELL + 1)

enum cmd_kind { CMD_RECTS, CMD_GEOMETRY, CMD_COPY };

struct cmd {
	enum cmd_kind kind;
	SDL_Rect box;      /* bounds, already clipped */
	SDL_Rect clip;     /* clip in force (w == 0: none) */
	SDL_Color color;
	size_t data, n;    /* CMD_RECTS/CMD_GEOMETRY: offset and count in the arena */
	SDL_Texture *tex;  /* CMD_COPY */
	SDL_Rect dst;
	uint64_t hash;
};

struct rencache {
	struct cmd *cmds;
	size_t n, cap;
	unsigned char *arena;
	size_t used, arena_cap;
	SDL_Rect clip;
	bool clipping;
	uint64_t cells[2][MAX_W * MAX_H];
	int cur;
	bool full;         /* next frame redraws everything */
	bool partial_ok;   /* renderer keeps the previous frame */
	unsigned last_dirty_px;
};

struct rencache *rencache_new(SDL_Renderer *r)
{
	struct rencache *c = calloc(1, sizeof *c);
	SDL_RendererInfo info;
	if (!c)
		return NULL;
	c->full = true;
	c->partial_ok = SDL_GetRendererInfo(r, &info) == 0 && (info.flags & SDL_RENDERER_SOFTWARE);
	return c;
}

void rencache_free(struct rencache *c)
{
	if (!c)
		return;
	free(c->cmds);
	free(c->arena);
	free(c);
}

void rencache_invalidate(struct rencache *c)
{
	c->full = true;
}

unsigned rencache_last_dirty(const struct rencache *c)
{
	return c->last_dirty_px;
}

void rencache_begin(struct rencache *c)
{
	c->n = 0;
	c->used = 0;
	c->clipping = false;
}

static void *arena_put(struct rencache *c, const void *data, size_t len, size_t *off)
{
	size_t room = (len + 15) & ~(size_t)15; /* keep every entry 16-byte aligned */
	if (c->used + room > c->arena_cap) {
		size_t cap = c->arena_cap ? c->arena_cap * 2 : 64 * 1024;
		while (cap < c->used + room)
			cap *= 2;
		unsigned char *p = realloc(c->arena, cap);
		if (!p)
			abort(); /* the UI may abort on out-of-memory (STYLE.md) */
		c->arena = p;
		c->arena_cap = cap;
	}
	*off = c->used;
	memcpy(c->arena + c->used, data, len);
	c->used += room;
	return c->arena + *off;
}

static struct cmd *push(struct rencache *c, enum cmd_kind kind, SDL_Rect box)
{
	if (c->clipping && !SDL_IntersectRect(&box, &c->clip, &box))
		return NULL;
	if (box.w <= 0 || box.h <= 0)
		return NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct cmd *p = realloc(c->cmds, cap * sizeof *p);
		if (!p)
			abort();
		c->cmds = p;
		c->cap = cap;
	}
	struct cmd *k = &c->cmds[c->n++];
	memset(k, 0, sizeof *k);
	k->kind = kind;
	k->box = box;
	if (c->clipping)
		k->clip = c->clip;
	return k;
}

void rencache_clip(struct rencache *c, const SDL_Rect *clip)
{
	c->clipping = clip != NULL;
	if (clip)
		c->clip = *clip;
}

void rencache_rects(struct rencache *c, const SDL_Rect *rects, int n, SDL_Color color)
{
	if (n <= 0)
		return;
	SDL_Rect box = rects[0];
	for (int i = 1; i < n; i++)
		SDL_UnionRect(&box, &rects[i], &box);
	struct cmd *k = push(c, CMD_RECTS, box);
	if (!k)
		return;
	k->color = color;
	k->n = (size_t)n;
	arena_put(c, rects, (size_t)n * sizeof *rects, &k->data);
	uint32_t col;
	memcpy(&col, &color, sizeof col);
	k->hash = text_hash(rects, (size_t)n * sizeof *rects, (uint64_t)CMD_RECTS << 32 ^ col);
}

void rencache_geometry(struct rencache *c, const SDL_Vertex *v, int n)
{
	if (n <= 0)
		return;
	float x0 = v[0].position.x, y0 = v[0].position.y, x1 = x0, y1 = y0;
	for (int i = 1; i < n; i++) {
		x0 = SDL_min(x0, v[i].position.x);
		y0 = SDL_min(y0, v[i].position.y);
		x1 = SDL_max(x1, v[i].position.x);
		y1 = SDL_max(y1, v[i].position.y);
	}
	SDL_Rect box = {(int)x0 - 1, (int)y0 - 1, (int)(x1 - x0) + 3, (int)(y1 - y0) + 3};
	struct cmd *k = push(c, CMD_GEOMETRY, box);
	if (!k)
		return;
	k->n = (size_t)n;
	arena_put(c, v, (size_t)n * sizeof *v, &k->data);
	k->hash = text_hash(v, (size_t)n * sizeof *v, CMD_GEOMETRY);
}

void rencache_copy(struct rencache *c, SDL_Texture *tex, SDL_Rect dst, uint64_t id)
{
	struct cmd *k = push(c, CMD_COPY, dst);
	if (!k)
		return;
	k->tex = tex;
	k->dst = dst;
	k->hash = text_hash(&dst, sizeof dst, id ^ (uint64_t)CMD_COPY << 60);
}

static void replay(SDL_Renderer *r, struct rencache *c, const struct cmd *k, const SDL_Rect *region)
{
	SDL_Rect clip = *region;
	if (k->clip.w && !SDL_IntersectRect(&clip, &k->clip, &clip))
		return;
	SDL_RenderSetClipRect(r, &clip);
	switch (k->kind) {
	case CMD_RECTS:
		SDL_SetRenderDrawBlendMode(r, k->color.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
		SDL_SetRenderDrawColor(r, k->color.r, k->color.g, k->color.b, k->color.a);
		SDL_RenderFillRects(r, (const SDL_Rect *)(const void *)(c->arena + k->data), (int)k->n);
		break;
	case CMD_GEOMETRY:
		SDL_RenderGeometry(r, NULL, (const SDL_Vertex *)(const void *)(c->arena + k->data), (int)k->n, NULL, 0);
		break;
	case CMD_COPY:
		SDL_RenderCopy(r, k->tex, NULL, &k->dst);
		break;
	}
}

/* Draws what changed since the last frame (everything if full). */
void rencache_end(struct rencache *c, SDL_Renderer *r, int w, int h, bool full)
{
	int gw = (w + CELL - 1) / CELL, gh = (h + CELL - 1) / CELL;
	if (gw > MAX_W)
		gw = MAX_W;
	if (gh > MAX_H)
		gh = MAX_H;
	uint64_t *cells = c->cells[c->cur], *prev = c->cells[!c->cur];
	for (int i = 0; i < gw * gh; i++)
		cells[i] = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < c->n; i++) {
		const struct cmd *k = &c->cmds[i];
		int cx0 = SDL_max(k->box.x / CELL, 0), cy0 = SDL_max(k->box.y / CELL, 0);
		int cx1 = SDL_min((k->box.x + k->box.w - 1) / CELL, gw - 1);
		int cy1 = SDL_min((k->box.y + k->box.h - 1) / CELL, gh - 1);
		for (int y = cy0; y <= cy1; y++)
			for (int x = cx0; x <= cx1; x++) {
				uint64_t *cell = &cells[y * gw + x];
				/* order-sensitive within the cell, blind to other cells */
				*cell = (*cell ^ k->hash) * 0x100000001B3ull;
			}
	}
	full = full || c->full || !c->partial_ok;
	c->full = false;
	/* Merge dirty cells into rectangles: runs within a row, then runs of
	 * equal span in following rows. */
	SDL_Rect regions[MAX_W * MAX_H];
	int n = 0;
	static bool used[MAX_W * MAX_H];
	memset(used, 0, sizeof used);
	if (full) {
		regions[n++] = (SDL_Rect){0, 0, w, h};
	} else {
		for (int y = 0; y < gh; y++)
			for (int x = 0; x < gw; x++) {
				if (used[y * gw + x] || cells[y * gw + x] == prev[y * gw + x])
					continue;
				int x1 = x;
				while (x1 + 1 < gw && !used[y * gw + x1 + 1] && cells[y * gw + x1 + 1] != prev[y * gw + x1 + 1])
					x1++;
				int y1 = y;
				for (;;) {
					if (y1 + 1 >= gh)
						break;
					bool all = true;
					for (int k = x; k <= x1 && all; k++)
						all = !used[(y1 + 1) * gw + k] && cells[(y1 + 1) * gw + k] != prev[(y1 + 1) * gw + k];
					if (!all)
						break;
					y1++;
				}
				for (int yy = y; yy <= y1; yy++)
					for (int xx = x; xx <= x1; xx++)
						used[yy * gw + xx] = true;
				regions[n++] = (SDL_Rect){x * CELL, y * CELL, (x1 - x + 1) * CELL, (y1 - y + 1) * CELL};
			}
	}
	c->last_dirty_px = 0;
	for (int i = 0; i < n; i++) {
		SDL_Rect reg = regions[i];
		c->last_dirty_px += (unsigned)(reg.w * reg.h);
		for (size_t k = 0; k < c->n; k++)
			if (SDL_HasIntersection(&c->cmds[k].box, &reg))
				replay(r, c, &c->cmds[k], &reg);
	}
	SDL_RenderSetClipRect(r, NULL);
	c->cur = !c->cur;
}
