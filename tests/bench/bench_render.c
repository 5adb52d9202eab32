/* bench_render.c - frame costs of the kiosk UI with the software renderer.
 *
 * Opens the real UI headless at 1920x1080 on the default content, opens a
 * long policy page and measures: the first frame of the page (layout and
 * rasterising), re-presenting the unchanged page, a scroll frame, and how
 * many frames an idle second draws.  Prints one line per figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tramtin/clock.h"
#include "tramtin/config.h"
#include "tramtin/content.h"
#include "tramtin/i18n.h"
#include "tramtin/log.h"
#include "tt_build.h"
#include "ui/ui.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

static double p95(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n * 95 / 100];
}

int main(int argc, char **argv)
{
	const char *page = argc > 1 ? argv[1] : "chi-so-dich-vu-xa-hoi";
	tt_config cfg;
	config_defaults(&cfg);
	tt_log_init("bench", TT_LOG_WARN);
	i18n_init(TT_LOCALE_DIR);
	content_bundle *b = content_load(cfg.content_dir);
	ui_options o = {.headless = true, .width = 1920, .height = 1080};
	ui *u = ui_new(&cfg, b, &o);
	if (!u)
		return 1;
	ui_render(u);
	enum { N = 200 };
	static double t[N];

	double t0 = now_ms();
	ui_go(u, "policy.page", page);
	ui_render(u);
	printf("bench: page first frame (layout + raster): %.2f ms\n", now_ms() - t0);

	for (int i = 0; i < N; i++) {
		u->dirty = true;
		double s = now_ms();
		ui_render(u);
		t[i] = now_ms() - s;
	}
	printf("bench: re-present unchanged page: median %.2f ms, p95 %.2f ms (target <= 3 ms)\n", median(t, N), p95(t, N));

	int frames = 0;
	for (int i = 0; i < N; i++) {
		int dy = (i / 40) % 2 ? -24 : 24; /* down and up, like a finger */
		double s = now_ms();
		ui_scroll_by(u, dy);
		frames += ui_render(u);
		t[i] = now_ms() - s;
	}
	printf("bench: scroll frame on a long page: median %.2f ms, p95 %.2f ms (target <= 8 ms)\n", median(t, N),
	       p95(t, N));
	size_t entries, bytes;
	uint64_t misses;
	ui_cache_stats(u, &entries, &bytes, &misses);
	printf("bench: text cache: %zu lines, %.1f MiB, %llu rasterised in total\n", entries, bytes / 1048576.0,
	       (unsigned long long)misses);

	/* settle: window events queued since start-up, and the last scroll */
	SDL_Event ev;
	while (SDL_PollEvent(&ev))
		ui_handle_event(u, &ev);
	ui_render(u);
	uint64_t before = u->frames;
	double end = now_ms() + 1000;
	while (now_ms() < end) {
		if (SDL_WaitEventTimeout(&ev, 100))
			ui_handle_event(u, &ev);
		ui_render(u);
	}
	printf("bench: frames drawn in 1 s with nothing changing: %llu (target 0)\n",
	       (unsigned long long)(u->frames - before));
	/* Tap a key on the on-screen keyboard, then draw: the time from the
	 * tap to the glyph on screen, with the keyboard open. */
	ui_go(u, "feedback", NULL);
	const char *walk[] = {"form.category.1", "form.next", "form.rating.3", "form.next"};
	for (size_t i = 0; i < sizeof walk / sizeof walk[0]; i++) {
		ui_render(u);
		const ui_widget *w = ui_widget_find(u, walk[i]);
		if (w) {
			ui_pointer_down(u, w->r.x + 10, w->r.y + 10);
			ui_pointer_up(u, w->r.x + 10, w->r.y + 10);
		}
	}
	ui_render(u);
	const char *keys[] = {"osk.key.t", "osk.key.o", "osk.key.o", "osk.key.i", "osk.key.space"};
	for (int i = 0; i < N; i++) {
		const ui_widget *w = ui_widget_find(u, keys[i % 5]);
		if (!w) {
			printf("bench: no keyboard on the text step\n");
			break;
		}
		int x = w->r.x + w->r.w / 2, y = w->r.y + w->r.h / 2;
		double s0 = now_ms();
		ui_pointer_down(u, x, y);
		ui_render(u); /* pressed state */
		ui_pointer_up(u, x, y);
		ui_render(u); /* the glyph */
		t[i] = now_ms() - s0;
	}
	printf("bench: tap -> glyph on screen with the keyboard open (two frames: pressed key, text): median %.2f ms, p95 %.2f ms (target <= 8 ms)\n",
	       median(t, N), p95(t, N));
	ui_free(u);
	content_free(b);
	return 0;
}
