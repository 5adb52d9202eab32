/* test_render.c - Vietnamese with stacked marks renders whole, at every
 * size the UI uses, in the font fontconfig finds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tramtin/config.h"
#include "tramtin/log.h"
#include "tramtin/text.h"
#include "ui/ui.h"

static ui *u;
static tt_config cfg;
static content_bundle *bundle;

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	bundle = content_load(cfg.content_dir);
	ui_options o = {.headless = true, .width = 1920, .height = 1080};
	u = ui_new(&cfg, bundle, &o);
	return u ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ui_free(u);
	content_free(bundle);
	return 0;
}

static const char *const samples[] = {
	"ẶỖỮỆ ẤỞỲ", "ặỗữệ ấởỳ", "Người nghèo được hỗ trợ", "Ủy ban Mặt trận Tổ quốc", "HỘ CẬN NGHÈO ĐẶC BIỆT",
};
static const int sizes[] = {30, 32, 34, 36, 38, 40, 44, 46, 54, 56, 60};

static void font_is_noto_or_dejavu(void **state)
{
	(void)state;
	for (int f = 0; f < FACE__COUNT; f++)
		assert_true(strstr(u->font_path[f], "NotoSans") || strstr(u->font_path[f], "DejaVuSans"));
}

static void every_glyph_is_in_the_font(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
		for (int f = 0; f < FACE__COUNT; f++) {
			TTF_Font *font = ui_font(u, (ui_face)f, 40);
			size_t pos = 0, len = strlen(samples[i]);
			while (pos < len) {
				int32_t cp = text_decode(samples[i], len, &pos);
				if (!TTF_GlyphIsProvided32(font, (Uint32)cp))
					fail_msg("U+%04X of \"%s\" is missing from %s", (unsigned)cp, samples[i], u->font_path[f]);
			}
		}
}

/* The marks above a capital (Ặ, Ỗ, Ữ: two marks stacked) and below (ặ,
 * ự) must lie inside the line SDL_ttf renders, which spans the font's
 * ascent to its descent: a glyph reaching beyond would be cut off.  Then
 * the rendered line must show ink in its top rows (the marks are there). */
static void stacked_marks_are_not_clipped(void **state)
{
	(void)state;
	SDL_Color black = {0, 0, 0, 255};
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
		for (int f = 0; f < FACE__COUNT; f++) {
			TTF_Font *font = ui_font(u, (ui_face)f, sizes[s]);
			assert_non_null(font);
			for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
				size_t pos = 0, len = strlen(samples[i]);
				while (pos < len) {
					int32_t cp = text_decode(samples[i], len, &pos);
					int minx, maxx, miny, maxy, adv;
					assert_int_equal(TTF_GlyphMetrics32(font, (Uint32)cp, &minx, &maxx, &miny, &maxy, &adv), 0);
					if (maxy > TTF_FontAscent(font) || miny < TTF_FontDescent(font))
						fail_msg("size %d %s: U+%04X spans %d..%d, outside the line %d..%d (clipped)", sizes[s],
						         f ? "bold" : "regular", (unsigned)cp, miny, maxy, TTF_FontDescent(font),
						         TTF_FontAscent(font));
				}
			}
			SDL_Surface *surf = TTF_RenderUTF8_Blended(font, samples[0], black);
			assert_non_null(surf);
			assert_true(surf->h <= TTF_FontLineSkip(font));
			SDL_Surface *argb = SDL_ConvertSurfaceFormat(surf, SDL_PIXELFORMAT_ARGB8888, 0);
			int top = -1;
			for (int y = 0; y < argb->h && top < 0; y++)
				for (int x = 0; x < argb->w; x++)
					if ((((Uint32 *)((Uint8 *)argb->pixels + y * argb->pitch))[x] >> 24) > 0x20) {
						top = y;
						break;
					}
			/* the stacked marks rise well above the capitals' cap height */
			if (top < 0 || top > TTF_FontAscent(font) / 5)
				fail_msg("size %d: no ink near the top of \"%s\" (top row %d): marks missing?", sizes[s], samples[0], top);
			SDL_FreeSurface(argb);
			SDL_FreeSurface(surf);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(font_is_noto_or_dejavu),
		cmocka_unit_test(every_glyph_is_in_the_font),
		cmocka_unit_test(stacked_marks_are_not_clipped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
