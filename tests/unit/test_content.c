/* test_content.c - bundles: the shipped default, a broken one, several
 * shown as one, and the Markdown model pages are parsed into. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Found by fuzz_page: a character reference undid the NFC of the
 * source; spans outlived the trailing space trimmed from the text; the
 * list depth went wrong after lists nested deeper than 8; an image in an
 * image's alt text leaked, and so did an image md4c left open; an empty
 * image source was copied from NULL. */
static void markdown_fuzz_regressions(void **state)
{
	(void)state;
	mdoc *d = NULL;
	const char *ref = "e&#x301; **a&#x300;** *x*  \n";
	assert_int_equal(mdoc_parse(ref, strlen(ref), &d), TT_OK);
	assert_string_equal(d->blocks[0].text, "\xc3\xa9 \xc3\xa0 x");
	assert_int_equal(d->blocks[0].n_spans, 2);
	assert_int_equal(d->blocks[0].spans[0].start, 3);
	assert_int_equal(d->blocks[0].spans[0].len, 2);
	assert_int_equal(d->blocks[0].spans[1].start, 6);
	assert_int_equal(d->blocks[0].spans[1].len, 1);
	mdoc_free(d);
	char deep[1024] = "";
	size_t n = 0;
	for (int i = 0; i < 12; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "%*s- l%d\n", i * 2, "", i + 1);
	n += (size_t)snprintf(deep + n, sizeof deep - n, "\n  - back\n");
	assert_int_equal(mdoc_parse(deep, n, &d), TT_OK);
	assert_int_equal(d->blocks[11].depth, 7);
	assert_string_equal(d->blocks[12].text, "back");
	assert_int_equal(d->blocks[12].depth, 2);
	mdoc_free(d);
	const char *img = "![a ![b](in.png) c](out.png)\n";
	assert_int_equal(mdoc_parse(img, strlen(img), &d), TT_OK);
	assert_int_equal(d->n_blocks, 1);
	assert_string_equal(d->blocks[0].src, "out.png");
	assert_string_equal(d->blocks[0].text, "a b c");
	mdoc_free(d);
	assert_int_equal(mdoc_parse("![x]()", 6, &d), TT_OK); /* a NULL source from md4c */
	assert_string_equal(d->blocks[0].src, "");
	mdoc_free(d);
	/* md4c leaves one of these images open: no leak (ASan build) */
	assert_int_equal(mdoc_parse("![]()![![](![]()]())", 20, &d), TT_OK);
	assert_true(d->n_blocks >= 1);
	assert_string_equal(d->blocks[0].src, "");
	mdoc_free(d);
}

/* --- several bundles as one ------------------------------------------- */

static char tmp[64];

static void put(const char *bundle, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmp, bundle);
	mkdir(path, 0755);
	for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
		snprintf(path, sizeof path, "%s/%s/%.*s", tmp, bundle, (int)(s - rel), rel);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof path, "%s/%s/%s", tmp, bundle, rel);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* "xa" is the commune's bundle (channel ht/xa-a), "tinh" the province's
 * (ht).  Both have category "chung" and page "dup"; both have a cover at
 * images/cover.png; the province's page "t-xa" uses the commune's category. */
static int two_bundles_setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof tmp, "/tmp/tt-content-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	put("xa", "manifest.json",
	    "{\"format\": 1, \"id\": \"xa-a\", \"channel\": \"ht/xa-a\", \"version\": 5, \"sample\": true,\n"
	    " \"categories\": [{\"id\": \"chung\", \"order\": 1, \"title\": {\"vi\": \"Chung (xã)\"}, \"summary\": \"Của xã\"},\n"
	    "                {\"id\": \"xa\", \"order\": 2, \"title\": \"Riêng xã\"}],\n"
	    " \"pages\": [\n"
	    "  {\"id\": \"x-1\", \"type\": \"policy\", \"category\": \"chung\", \"order\": 2, \"title\": \"Xã một\",\n"
	    "   \"body\": {\"vi\": \"pages/x-1.vi.md\"}, \"image\": \"images/cover.png\"},\n"
	    "  {\"id\": \"dup\", \"type\": \"policy\", \"category\": \"chung\", \"order\": 1, \"title\": \"Trùng (xã)\",\n"
	    "   \"body\": {\"vi\": \"pages/dup.vi.md\"}},\n"
	    "  {\"id\": \"x-camp\", \"type\": \"campaign\", \"order\": 9, \"title\": \"Vận động xã\",\n"
	    "   \"body\": {\"vi\": \"pages/dup.vi.md\"}}\n"
	    " ]}\n");
	put("xa", "pages/x-1.vi.md", "# Xã một\n\nTrang của xã.\n\n![Ảnh](../images/a.png)\n");
	put("xa", "pages/dup.vi.md", "# Trùng\n\nBản của xã.\n");
	put("xa", "images/cover.png", "xa");
	put("xa", "images/a.png", "xa");
	put("tinh", "manifest.json",
	    "{\"format\": 1, \"id\": \"ht\", \"channel\": \"ht\", \"version\": 7, \"sample\": false,\n"
	    " \"categories\": [{\"id\": \"chung\", \"order\": 1, \"title\": {\"vi\": \"Chung (tỉnh)\"}, \"summary\": \"Của tỉnh\"},\n"
	    "                {\"id\": \"tinh\", \"order\": 1, \"title\": \"Riêng tỉnh\"}],\n"
	    " \"pages\": [\n"
	    "  {\"id\": \"t-1\", \"type\": \"policy\", \"category\": \"chung\", \"order\": 0, \"title\": \"Tỉnh một\",\n"
	    "   \"body\": {\"vi\": \"pages/t-1.vi.md\"}, \"image\": \"images/cover.png\"},\n"
	    "  {\"id\": \"dup\", \"type\": \"policy\", \"category\": \"chung\", \"order\": 0, \"title\": \"Trùng (tỉnh)\",\n"
	    "   \"body\": {\"vi\": \"pages/dup.vi.md\"}},\n"
	    "  {\"id\": \"t-camp\", \"type\": \"campaign\", \"order\": 1, \"title\": \"Vận động tỉnh\",\n"
	    "   \"body\": {\"vi\": \"pages/t-1.vi.md\"}},\n"
	    "  {\"id\": \"t-tinh\", \"type\": \"policy\", \"category\": \"tinh\", \"title\": \"Tỉnh riêng\",\n"
	    "   \"body\": {\"vi\": \"pages/t-1.vi.md\"}},\n"
	    "  {\"id\": \"t-xa\", \"type\": \"policy\", \"category\": \"xa\", \"title\": \"Tỉnh cho xã\",\n"
	    "   \"body\": {\"vi\": \"pages/t-1.vi.md\"}}\n"
	    " ]}\n");
	put("tinh", "pages/t-1.vi.md", "# Tỉnh một\n\nTrang của tỉnh.\n\n![Ảnh](../images/cover.png)\n");
	put("tinh", "pages/dup.vi.md", "# Trùng\n\nBản của tỉnh.\n");
	put("tinh", "images/cover.png", "tinh");
	return 0;
}

static int two_bundles_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *para(content_bundle *b, const char *id)
{
	const mdoc *d = content_page_doc(b, content_page_find(b, id), LANG_VI);
	return d && d->n_blocks >= 2 ? d->blocks[1].text : "(none)";
}

static void expect_path(tt_err rc, const char *out, const char *bundle, const char *rel)
{
	char want[256];
	snprintf(want, sizeof want, "%s/%s/%s", tmp, bundle, rel);
	assert_int_equal(rc, TT_OK);
	assert_string_equal(out, want);
}

static void many_bundles_merge_in_order(void **state)
{
	(void)state;
	char xa[128], tinh[128], out[256];
	snprintf(xa, sizeof xa, "%s/xa", tmp);
	snprintf(tinh, sizeof tinh, "%s/tinh", tmp);
	const char *dirs[] = {xa, tinh};
	content_bundle *b = content_load_many(dirs, 2);
	assert_non_null(b);
	if (content_faults(b))
		fail_msg("%u fault(s), first: %s", content_faults(b), content_first_fault(b));
	/* parts, and the bundle as a whole is the first part's */
	assert_int_equal(content_part_count(b), 2);
	assert_string_equal(content_part_channel(b, 0), "ht/xa-a");
	assert_string_equal(content_part_channel(b, 1), "ht");
	assert_int_equal(content_part_version(b, 0), 5);
	assert_int_equal(content_part_version(b, 1), 7);
	assert_string_equal(content_part_dir(b, 1), tinh);
	assert_string_equal(content_part_id(b, 1), "ht");
	assert_string_equal(content_part_channel(b, 2), "");
	assert_int_equal(content_part_version(b, 2), 0);
	assert_string_equal(content_dir(b), xa);
	assert_string_equal(content_id(b), "xa-a");
	assert_string_equal(content_channel(b), "ht/xa-a");
	assert_int_equal(content_version(b), 5);
	assert_false(content_is_sample(b)); /* only the commune's is sample */
	/* categories: the commune's first, "chung" keeps the commune's texts */
	assert_int_equal(content_category_count(b), 3);
	assert_string_equal(content_category_at(b, 0)->id, "chung");
	assert_string_equal(content_tr(&content_category_at(b, 0)->title, LANG_EN), "Chung (xã)");
	assert_string_equal(content_tr(&content_category_at(b, 0)->summary, LANG_VI), "Của xã");
	assert_string_equal(content_category_at(b, 1)->id, "xa");
	assert_string_equal(content_category_at(b, 2)->id, "tinh");
	/* the province's "dup" is hidden by the commune's */
	assert_int_equal(content_page_count(b), 3 + 5 - 1);
	const content_page *dup = content_page_find(b, "dup");
	assert_int_equal(dup->part, 0);
	assert_string_equal(content_tr(&dup->title, LANG_VI), "Trùng (xã)");
	assert_string_equal(para(b, "dup"), "Bản của xã.");
	size_t dups = 0;
	for (size_t i = 0; i < content_page_count(b); i++)
		dups += strcmp(content_page_at(b, i)->id, "dup") == 0;
	assert_int_equal(dups, 1);
	/* a category collects pages from both, the commune's first whatever the order */
	int64_t now;
	assert_true(clock_parse("2026-11-27", CLOCK_TZ_VN_MIN, &now));
	const content_page *list[8];
	assert_int_equal(content_select(b, CONTENT_POLICY, "chung", now, list, 8), 3);
	assert_string_equal(list[0]->id, "dup");
	assert_string_equal(list[1]->id, "x-1");
	assert_string_equal(list[2]->id, "t-1");
	assert_int_equal(content_select(b, CONTENT_POLICY, "chung", now, list, 2), 3); /* the first 2 of 3 */
	assert_string_equal(list[0]->id, "dup");
	assert_string_equal(list[1]->id, "x-1");
	assert_int_equal(content_select(b, CONTENT_CAMPAIGN, NULL, now, list, 8), 2);
	assert_string_equal(list[0]->id, "x-camp");
	assert_string_equal(list[1]->id, "t-camp");
	/* the province's page in the commune's category is no fault once merged */
	assert_int_equal(content_select(b, CONTENT_POLICY, "xa", now, list, 8), 1);
	assert_string_equal(list[0]->id, "t-xa");
	/* bodies and images resolve in each page's own folder */
	const content_page *x1 = content_page_find(b, "x-1"), *t1 = content_page_find(b, "t-1");
	assert_int_equal(x1->part, 0);
	assert_int_equal(t1->part, 1);
	assert_string_equal(para(b, "x-1"), "Trang của xã.");
	assert_string_equal(para(b, "t-1"), "Trang của tỉnh.");
	assert_string_equal(para(b, "t-camp"), "Trang của tỉnh.");
	expect_path(content_path(b, NULL, x1->image, out, sizeof out), out, "xa", "images/cover.png");
	expect_path(content_path(b, NULL, t1->image, out, sizeof out), out, "tinh", "images/cover.png");
	expect_path(content_page_path(b, t1, NULL, "images/cover.png", out, sizeof out), out, "tinh", "images/cover.png");
	expect_path(content_page_path(b, x1, x1->body[LANG_VI], "../images/a.png", out, sizeof out), out, "xa",
	            "images/a.png");
	/* as src/screens/page_view.c does: base is the page's body path */
	const mdoc *d = content_page_doc(b, t1, LANG_VI);
	assert_non_null(d);
	assert_int_equal(d->blocks[2].kind, MDOC_IMG);
	expect_path(content_path(b, t1->body[LANG_VI], d->blocks[2].src, out, sizeof out), out, "tinh", "images/cover.png");
	expect_path(content_path(b, NULL, d->blocks[2].src + 3, out, sizeof out), out, "xa", "images/cover.png");
	expect_path(content_path(b, x1->body[LANG_VI], "../images/cover.png", out, sizeof out), out, "xa",
	            "images/cover.png");
	assert_int_equal(content_page_path(b, content_page_find(b, "x-1") + 100, NULL, "a", out, sizeof out), TT_ERR_INVAL);
	assert_int_equal(content_page_path(b, t1, NULL, "../../x", out, sizeof out), TT_ERR_INVAL);
	assert_int_equal(content_faults(b), 0);
	content_free(b);

	/* alone, the province's page in the commune's category is a fault */
	tt_log_set_level(TT_LOG_QUIET);
	b = content_load(tinh);
	assert_int_equal(content_faults(b), 1);
	assert_non_null(strstr(content_first_fault(b), "unknown category 'xa'"));
	tt_log_set_level(TT_LOG_INFO);
	content_free(b);
}

static void many_of_one_is_load(void **state)
{
	(void)state;
	char dir[1200], xa[128];
	path_of(dir, sizeof dir, "tests/unit/data/bad-bundle");
	snprintf(xa, sizeof xa, "%s/xa", tmp);
	const char *bundles[] = {dir, xa};
	tt_log_set_level(TT_LOG_QUIET);
	for (size_t k = 0; k < 2; k++) {
		content_bundle *a = content_load(bundles[k]), *b = content_load_many(&bundles[k], 1);
		assert_non_null(b);
		assert_int_equal(content_part_count(a), 1);
		assert_int_equal(content_part_count(b), 1);
		assert_string_equal(content_dir(b), content_dir(a));
		assert_string_equal(content_part_dir(b, 0), content_dir(a));
		assert_string_equal(content_channel(b), content_channel(a));
		assert_string_equal(content_part_channel(b, 0), content_channel(a));
		assert_int_equal(content_part_version(b, 0), content_version(a));
		assert_int_equal(content_is_sample(b), content_is_sample(a));
		assert_int_equal(content_faults(b), content_faults(a));
		assert_string_equal(content_first_fault(b), content_first_fault(a));
		assert_int_equal(content_category_count(b), content_category_count(a));
		assert_int_equal(content_page_count(b), content_page_count(a));
		for (size_t i = 0; i < content_page_count(a); i++)
			assert_string_equal(content_page_at(b, i)->id, content_page_at(a, i)->id);
		const content_page *la[16], *lb[16];
		for (int t = 0; t < CONTENT__TYPES; t++) {
			size_t n = content_select(a, (content_type)t, NULL, 1764547200, la, 16);
			assert_int_equal(content_select(b, (content_type)t, NULL, 1764547200, lb, 16), n);
			for (size_t i = 0; i < n && i < 16; i++)
				assert_string_equal(la[i]->id, lb[i]->id);
		}
		content_free(a);
		content_free(b);
	}
	tt_log_set_level(TT_LOG_INFO);
}

static void many_with_a_missing_part(void **state)
{
	(void)state;
	char tinh[128], missing[128], out[256];
	snprintf(tinh, sizeof tinh, "%s/tinh", tmp);
	snprintf(missing, sizeof missing, "%s/nosuch", tmp);
	const char *dirs[] = {missing, tinh};
	tt_log_set_level(TT_LOG_QUIET);
	content_bundle *b = content_load_many(dirs, 2);
	assert_non_null(b);
	/* "cannot read" for the commune's, "unknown category 'xa'" for t-xa */
	assert_int_equal(content_faults(b), 2);
	assert_non_null(strstr(content_first_fault(b), "cannot read"));
	assert_int_equal(content_part_count(b), 2);
	assert_string_equal(content_part_channel(b, 0), "");
	assert_int_equal(content_part_version(b, 0), 0);
	assert_string_equal(content_part_channel(b, 1), "ht");
	assert_int_equal(content_part_version(b, 1), 7);
	assert_string_equal(content_dir(b), missing);
	assert_false(content_is_sample(b));
	/* the province's part still shows, from its own folder */
	assert_int_equal(content_page_count(b), 5);
	assert_int_equal(content_category_count(b), 2);
	assert_string_equal(para(b, "dup"), "Bản của tỉnh.");
	const content_page *t1 = content_page_find(b, "t-1");
	expect_path(content_path(b, NULL, t1->image, out, sizeof out), out, "tinh", "images/cover.png");
	const content_page *list[8];
	assert_int_equal(content_select(b, CONTENT_POLICY, "chung", 0, list, 8), 2);
	assert_string_equal(list[0]->id, "dup"); /* order 0, then id */
	assert_string_equal(list[1]->id, "t-1");
	content_free(b);

	/* nothing at all: an empty bundle with one fault */
	b = content_load_many(NULL, 0);
	assert_non_null(b);
	assert_int_equal(content_part_count(b), 0);
	assert_int_equal(content_page_count(b), 0);
	assert_int_equal(content_faults(b), 1);
	assert_string_equal(content_dir(b), "");
	assert_false(content_is_sample(b));
	assert_int_equal(content_path(b, NULL, "a", out, sizeof out), TT_ERR_INVAL);
	content_free(b);
	tt_log_set_level(TT_LOG_INFO);
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
		cmocka_unit_test(markdown_fuzz_regressions),
		cmocka_unit_test_setup_teardown(many_bundles_merge_in_order, two_bundles_setup, two_bundles_teardown),
		cmocka_unit_test_setup_teardown(many_of_one_is_load, two_bundles_setup, two_bundles_teardown),
		cmocka_unit_test_setup_teardown(many_with_a_missing_part, two_bundles_setup, two_bundles_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
