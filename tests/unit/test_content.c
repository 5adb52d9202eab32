/* test_content.c - bundles: the shipped default, a broken one, and the
 * Markdown model pages are parsed into. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tramtin/clock.h"
#include "tramtin/content.h"
#include "tramtin/log.h"
#include "tramtin/text.h"

static char src[1024];

static void path_of(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", src, rel);
}

static void default_bundle_is_complete(void **state)
{
	(void)state;
	char dir[1200];
	path_of(dir, sizeof dir, "assets/content");
	content_bundle *b = content_load(dir);
	assert_non_null(b);
	if (content_faults(b))
		fail_msg("default bundle has %u fault(s), first: %s", content_faults(b), content_first_fault(b));
	assert_true(content_is_sample(b));
	int64_t now;
	assert_true(clock_parse("2026-11-27T09:00:00+07:00", 0, &now));
	assert_true(content_select(b, CONTENT_POLICY, NULL, now, NULL, 0) >= 8);
	assert_true(content_select(b, CONTENT_CAMPAIGN, NULL, now, NULL, 0) >= 3);
	assert_int_equal(content_select(b, CONTENT_NOTICE, NULL, now, NULL, 0), 2);
	assert_true(content_category_count(b) >= 2);
	for (size_t i = 0; i < content_page_count(b); i++) {
		const content_page *p = content_page_at(b, i);
		for (int l = 0; l < LANG__COUNT; l++) {
			assert_non_null(p->title.t[l]);
			assert_true(text_is_nfc(p->title.t[l]));
			const mdoc *d = content_page_doc(b, p, (tt_lang)l);
			if (!d)
				fail_msg("page %s (%s) does not parse", p->id, i18n_code((tt_lang)l));
			/* every page names its legal source in its last paragraphs */
			bool source = false;
			for (size_t k = 0; k < d->n_blocks; k++)
				source |= strncmp(d->blocks[k].text, l == LANG_VI ? "Nguồn:" : "Source:", l == LANG_VI ? 8 : 7) == 0;
			if (!source)
				fail_msg("page %s (%s) has no source line", p->id, i18n_code((tt_lang)l));
		}
		if (p->type == CONTENT_POLICY && !p->doc_url)
			fail_msg("policy page %s has no document link", p->id);
	}
	assert_int_equal(content_faults(b), 0);
	content_free(b);
}

static void bad_bundle_loads_what_it_can(void **state)
{
	(void)state;
	char dir[1200];
	path_of(dir, sizeof dir, "tests/unit/data/bad-bundle");
	tt_log_set_level(TT_LOG_QUIET);
	content_bundle *b = content_load(dir);
	assert_non_null(b);
	assert_true(content_faults(b) >= 9);
	assert_int_equal(content_version(b), 3);
	assert_int_equal(content_category_count(b), 1);
	/* the non-object entry is skipped, every other page kept */
	assert_int_equal(content_page_count(b), 10);
	const content_page *ok = content_page_find(b, "ok");
	assert_non_null(ok);
	const mdoc *d = content_page_doc(b, ok, LANG_EN); /* falls back to vi */
	assert_non_null(d);
	assert_int_equal(d->n_blocks, 2);
	assert_null(content_page_doc(b, content_page_find(b, "missing-body"), LANG_VI));
	assert_null(content_page_doc(b, content_page_find(b, "bad-utf8"), LANG_VI));
	assert_null(content_page_doc(b, content_page_find(b, "escape"), LANG_VI));
	/* a second call does not retry (and log) again */
	unsigned faults = content_faults(b);
	assert_null(content_page_doc(b, content_page_find(b, "bad-utf8"), LANG_VI));
	assert_int_equal(content_faults(b), faults);
	/* notices: only a valid window is shown, and only inside it */
	int64_t nov15, dec15;
	clock_parse("2026-11-15", CLOCK_TZ_VN_MIN, &nov15);
	clock_parse("2026-12-15", CLOCK_TZ_VN_MIN, &dec15);
	const content_page *list[8];
	assert_int_equal(content_select(b, CONTENT_NOTICE, NULL, nov15, list, 8), 1);
	assert_string_equal(list[0]->id, "notice-ok");
	assert_int_equal(content_select(b, CONTENT_NOTICE, NULL, dec15, list, 8), 0);
	/* sorted by order */
	assert_true(content_select(b, CONTENT_POLICY, "c1", nov15, list, 8) >= 2);
	assert_string_equal(list[0]->id, "missing-body");
	tt_log_set_level(TT_LOG_INFO);
	content_free(b);
}

static void broken_json_gives_empty_bundle(void **state)
{
	(void)state;
	char dir[1200];
	path_of(dir, sizeof dir, "tests/unit/data/broken-json");
	tt_log_set_level(TT_LOG_QUIET);
	content_bundle *b = content_load(dir);
	assert_non_null(b);
	assert_int_equal(content_page_count(b), 0);
	assert_non_null(strstr(content_first_fault(b), "manifest.json:1: not valid JSON"));
	content_free(b);
	b = content_load("/nonexistent");
	assert_non_null(b);
	assert_non_null(strstr(content_first_fault(b), "cannot read"));
	content_free(b);
	tt_log_set_level(TT_LOG_INFO);
	content_free(NULL);
}

static void paths_stay_inside(void **state)
{
	(void)state;
	char out[256];
	tt_log_set_level(TT_LOG_QUIET);
	content_bundle *b = content_load("/nonexistent-bundle");
	assert_int_equal(content_path(b, "pages/a.md", "../images/x.png", out, sizeof out), TT_OK);
	assert_string_equal(out, "/nonexistent-bundle/images/x.png");
	assert_int_equal(content_path(b, NULL, "./pages//b.md", out, sizeof out), TT_OK);
	assert_string_equal(out, "/nonexistent-bundle/pages/b.md");
	assert_int_equal(content_path(b, "pages/a.md", "../../x", out, sizeof out), TT_ERR_INVAL);
	assert_int_equal(content_path(b, NULL, "/etc/passwd", out, sizeof out), TT_ERR_INVAL);
	assert_int_equal(content_path(b, NULL, "https://x.org/a.png", out, sizeof out), TT_ERR_INVAL);
	assert_int_equal(content_path(b, NULL, "..", out, sizeof out), TT_ERR_INVAL);
	assert_int_equal(content_path(b, NULL, "a", out, 4), TT_ERR_RANGE);
	content_free(b);
	tt_log_set_level(TT_LOG_INFO);
}

static void attract_schedule(void **state)
{
	(void)state;
	content_attract a = {.set = true, .days = 0x1f, .from_min = 7 * 60, .to_min = 17 * 60 + 30, .seconds = 10};
	assert_true(content_attract_due(&a, 1, 8 * 60));
	assert_false(content_attract_due(&a, 6, 8 * 60)); /* Saturday */
	assert_false(content_attract_due(&a, 1, 18 * 60));
	content_attract night = {.set = true, .days = 0x7f, .from_min = 22 * 60, .to_min = 6 * 60};
	assert_true(content_attract_due(&night, 3, 23 * 60));
	assert_true(content_attract_due(&night, 3, 5 * 60));
	assert_false(content_attract_due(&night, 3, 12 * 60));
}

static void markdown_blocks_and_spans(void **state)
{
	(void)state;
	const char *md = "# Tiêu đề\n\nĐoạn có **chữ đậm** và [liên kết](x).\n\n"
	                 "- một\n- hai\n  - con\n\n3. ba\n4. bốn\n\n> trích\n\n---\n\n![Ảnh minh họa](../images/a.png)\n\n"
	                 "<b>html</b> &amp; &#7871;\n";
	mdoc *d = NULL;
	assert_int_equal(mdoc_parse(md, strlen(md), &d), TT_OK);
	assert_non_null(d);
	const mdoc_kind kinds[] = {MDOC_H1, MDOC_P, MDOC_LI, MDOC_LI, MDOC_LI, MDOC_LI, MDOC_LI, MDOC_QUOTE, MDOC_HR, MDOC_IMG, MDOC_P};
	assert_int_equal(d->n_blocks, sizeof kinds / sizeof kinds[0]);
	for (size_t i = 0; i < d->n_blocks; i++)
		assert_int_equal(d->blocks[i].kind, kinds[i]);
	assert_string_equal(d->blocks[1].text, "Đoạn có chữ đậm và liên kết.");
	assert_int_equal(d->blocks[1].n_spans, 2);
	assert_int_equal(d->blocks[1].spans[0].style, MDOC_BOLD);
	assert_memory_equal(d->blocks[1].text + d->blocks[1].spans[0].start, "chữ đậm", d->blocks[1].spans[0].len);
	assert_int_equal(d->blocks[1].spans[1].style, MDOC_LINK);
	assert_int_equal(d->blocks[4].depth, 2);
	assert_int_equal(d->blocks[5].number, 3);
	assert_int_equal(d->blocks[6].number, 4);
	assert_string_equal(d->blocks[9].src, "../images/a.png");
	assert_string_equal(d->blocks[9].text, "Ảnh minh họa");
	assert_string_equal(d->blocks[10].text, "html & ế"); /* raw HTML dropped, entities decoded */
	mdoc_free(d);
	mdoc_free(NULL);
}

static void markdown_rejects_invalid_utf8_and_normalises(void **state)
{
	(void)state;
	mdoc *d = NULL;
	assert_int_equal(mdoc_parse("ab\xff", 3, &d), TT_ERR_PARSE);
	assert_null(d);
	const char *decomposed = "Ha\xcc\x80 Ti\xcc\x83nh";
	assert_int_equal(mdoc_parse(decomposed, strlen(decomposed), &d), TT_OK);
	assert_string_equal(d->blocks[0].text, "Hà Tĩnh");
	mdoc_free(d);
	assert_int_equal(mdoc_parse("", 0, &d), TT_OK);
	assert_int_equal(d->n_blocks, 0);
	mdoc_free(d);
}

int main(void)
{
	snprintf(src, sizeof src, "%s", getenv("TT_SOURCE_DIR") ? getenv("TT_SOURCE_DIR") : ".");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_bundle_is_complete),
		cmocka_unit_test(bad_bundle_loads_what_it_can),
		cmocka_unit_test(broken_json_gives_empty_bundle),
		cmocka_unit_test(paths_stay_inside),
		cmocka_unit_test(attract_schedule),
		cmocka_unit_test(markdown_blocks_and_spans),
		cmocka_unit_test(markdown_rejects_invalid_utf8_and_normalises),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
