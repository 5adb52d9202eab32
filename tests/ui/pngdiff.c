/* pngdiff.c - compares a screenshot with its reference, with a tolerance.
 *
 * usage: pngdiff REF.png OUT.png DIFF.png [channel_tolerance] [max_percent]
 * A pixel differs when any channel differs by more than channel_tolerance
 * (default 32); the images match when at most max_percent of the pixels
 * differ (default 0.2).  On a mismatch DIFF.png shows the reference dimmed
 * with the differing pixels in magenta, and the exit status is 1; 2 for
 * unreadable files or different sizes. */
#include <SDL.h>
#include <SDL_image.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static SDL_Surface *load(const char *path)
{
	SDL_Surface *s = IMG_Load(path);
	if (!s) {
		fprintf(stderr, "pngdiff: %s: %s\n", path, IMG_GetError());
		return NULL;
	}
	SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
	SDL_FreeSurface(s);
	return c;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: pngdiff REF.png OUT.png DIFF.png [channel_tolerance] [max_percent]\n");
		return 2;
	}
	int tol = argc > 4 ? atoi(argv[4]) : 32;
	double max_pct = argc > 5 ? atof(argv[5]) : 0.2;
	SDL_Surface *a = load(argv[1]), *b = load(argv[2]);
	if (!a || !b)
		return 2;
	if (a->w != b->w || a->h != b->h) {
		fprintf(stderr, "pngdiff: %s is %dx%d but %s is %dx%d\n", argv[1], a->w, a->h, argv[2], b->w, b->h);
		return 2;
	}
	SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, a->w, a->h, 32, SDL_PIXELFORMAT_ARGB8888);
	long differ = 0, total = (long)a->w * a->h;
	for (int y = 0; y < a->h; y++) {
		const Uint32 *pa = (const Uint32 *)((const Uint8 *)a->pixels + y * a->pitch);
		const Uint32 *pb = (const Uint32 *)((const Uint8 *)b->pixels + y * b->pitch);
		Uint32 *pd = (Uint32 *)((Uint8 *)d->pixels + y * d->pitch);
		for (int x = 0; x < a->w; x++) {
			bool diff = false;
			for (int sh = 0; sh < 24; sh += 8) {
				int ca = (pa[x] >> sh) & 0xff, cb = (pb[x] >> sh) & 0xff;
				if (abs(ca - cb) > tol)
					diff = true;
			}
			if (diff) {
				differ++;
				pd[x] = 0xffff00ff;
			} else {
				Uint32 g = ((pa[x] >> 16 & 0xff) + (pa[x] >> 8 & 0xff) + (pa[x] & 0xff)) / 3;
				g = 128 + g / 2;
				pd[x] = 0xff000000 | g << 16 | g << 8 | g;
			}
		}
	}
	double pct = 100.0 * (double)differ / (double)total;
	int rc = 0;
	if (pct > max_pct) {
		IMG_SavePNG(d, argv[3]);
		fprintf(stderr, "pngdiff: %s differs from %s in %.3f%% of pixels (limit %.3f%%); see %s\n", argv[2], argv[1],
		        pct, max_pct, argv[3]);
		rc = 1;
	}
	SDL_FreeSurface(a);
	SDL_FreeSurface(b);
	SDL_FreeSurface(d);
	return rc;
}
