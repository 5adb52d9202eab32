/* test_text.c - NFC, graphemes and line breaking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <utf8proc.h>

#include "tramtin/text.h"

static void nfc_composes_vietnamese(void **state)
{
	(void)state;
	/* "ặ" as a + dot below + breve, and "ữ" as u + horn + tilde */
	const char *decomposed = "a\xcc\xa3\xcc\x86 u\xcc\x9b\xcc\x83";
	char *n = text_nfc(decomposed, strlen(decomposed));
	assert_non_null(n);
	assert_string_equal(n, "ặ ữ");
	assert_true(text_is_nfc(n));
	assert_false(text_is_nfc(decomposed));
	free(n);
}

static void nfc_rejects_invalid_utf8(void **state)
{
	(void)state;
	assert_null(text_nfc("\xc3\x28", 2));
	assert_null(text_nfc("ab\xff", 3));
	assert_false(text_valid("a\0b", 3)); /* NUL inside */
	assert_true(text_valid("Hà Tĩnh", strlen("Hà Tĩnh")));
	char *e = text_nfc("", 0);
	assert_non_null(e);
	assert_string_equal(e, "");
	free(e);
}

static void contains_is_nfc_insensitive(void **state)
{
	(void)state;
	assert_true(text_contains("Cảm ơn bạn", "Cảm ơn", false));
	assert_true(text_contains("Ca\xcc\x89m ơn", "Cảm", false)); /* decomposed haystack */
	assert_false(text_contains("Cam on", "Cảm", false));
	assert_true(text_contains("NGƯỜI NGHÈO", "người nghèo", true));
	assert_false(text_contains("NGƯỜI NGHÈO", "người nghèo", false));
	assert_false(text_contains(NULL, "a", false));
}

static void graphemes_step_over_marks(void **state)
{
	(void)state;
	const char *s = "e\xcc\x82\xcc\x89x"; /* ể decomposed, then x */
	size_t len = strlen(s);
	assert_int_equal(text_graphemes(s, len), 2);
	assert_int_equal(text_next_grapheme(s, len, 0), 5);
	assert_int_equal(text_prev_grapheme(s, len, len), 5);
	assert_int_equal(text_prev_grapheme(s, len, 5), 0);
	assert_int_equal(text_graphemes("ệ", strlen("ệ")), 1);
}

/* Fixed-width font: every grapheme is 10 units. */
static int mono(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	return (int)text_graphemes(s, n) * 10;
}

static void wrap_breaks_at_spaces(void **state)
{
	(void)state;
	const char *s = "Hộ nghèo được hỗ trợ nhà ở";
	text_line lines[8];
	size_t n = text_wrap(s, strlen(s), 100, mono, NULL, lines, 8);
	assert_int_equal(n, 3);
	assert_int_equal(lines[0].len, strlen("Hộ nghèo"));
	assert_memory_equal(s + lines[1].start, "được hỗ", strlen("được hỗ"));
	assert_memory_equal(s + lines[2].start, "trợ nhà ở", strlen("trợ nhà ở"));
	for (size_t i = 0; i < n; i++)
		assert_true(lines[i].width <= 100);
}

static void wrap_keeps_newlines_and_cuts_long_words(void **state)
{
	(void)state;
	const char *s = "a\n\nbbbbbbbbbbbbbbb";
	text_line lines[8];
	size_t n = text_wrap(s, strlen(s), 50, mono, NULL, lines, 8);
	assert_int_equal(n, 5); /* "a", "", then 15 b's in 5+5+5 */
	assert_int_equal(lines[1].len, 0);
	assert_int_equal(lines[2].len, 5);
	/* asking for fewer lines still counts them all */
	assert_int_equal(text_wrap(s, strlen(s), 50, mono, NULL, lines, 1), 5);
}

static void wrap_never_splits_a_grapheme(void **state)
{
	(void)state;
	const char *s = "e\xcc\x82\xcc\x89" "e\xcc\x82\xcc\x89" "e\xcc\x82\xcc\x89";
	text_line lines[8];
	size_t n = text_wrap(s, strlen(s), 10, mono, NULL, lines, 8);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lines[i].len, 5);
}

static void upper_case_vietnamese(void **state)
{
	(void)state;
	char *u = text_upper("đường ưu tiên ấy");
	assert_string_equal(u, "ĐƯỜNG ƯU TIÊN ẤY");
	free(u);
	assert_null(text_upper("\xff"));
}

/* text_nfc copies text it knows is NFC without asking utf8proc: check
 * that claim against utf8proc for every code point it covers, alone,
 * after a letter, and before a combining mark (which must compose). */
static void nfc_fast_path_agrees_with_utf8proc(void **state)
{
	(void)state;
	for (int32_t cp = 1; cp < 0x1F00; cp++) {
		if (cp == 0x300)
			cp = 0x1E00;
		utf8proc_uint8_t one[8];
		utf8proc_ssize_t n = utf8proc_encode_char(cp, one);
		const char *around[][2] = {{"", ""}, {"a", ""}, {"\xe1\xba\xa1", "b"}, {"", "\xcc\x81"}, {"u", "\xcc\x9b"}};
		for (size_t k = 0; k < sizeof around / sizeof around[0]; k++) {
			char s[32];
			int len = snprintf(s, sizeof s, "%s%.*s%s", around[k][0], (int)n, (const char *)one, around[k][1]);
			char *fast = text_nfc(s, (size_t)len);
			char *ref = (char *)utf8proc_NFC((const utf8proc_uint8_t *)s);
			assert_non_null(fast);
			assert_non_null(ref);
			if (strcmp(fast, ref) != 0)
				fail_msg("U+%04X (case %zu): text_nfc differs from utf8proc", (unsigned)cp, k);
			free(fast);
			free(ref);
		}
	}
	assert_null(text_nfc("ab\0c", 4)); /* a NUL is not text, fast path or not */
}

static void hash_differs(void **state)
{
	(void)state;
	assert_int_not_equal(text_hash("a", 1, 0), text_hash("b", 1, 0));
	assert_int_not_equal(text_hash("a", 1, 0), text_hash("a", 1, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nfc_composes_vietnamese),
		cmocka_unit_test(nfc_rejects_invalid_utf8),
		cmocka_unit_test(contains_is_nfc_insensitive),
		cmocka_unit_test(graphemes_step_over_marks),
		cmocka_unit_test(wrap_breaks_at_spaces),
		cmocka_unit_test(wrap_keeps_newlines_and_cuts_long_words),
		cmocka_unit_test(wrap_never_splits_a_grapheme),
		cmocka_unit_test(upper_case_vietnamese),
		cmocka_unit_test(nfc_fast_path_agrees_with_utf8proc),
		cmocka_unit_test(hash_differs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
