/* text.c - UTF-8 validation, NFC, graphemes and line breaking.
 *
 * utf8proc does the Unicode work (NFC, case folding, grapheme breaks); this
 * file adds the kiosk's needs on top: NFC-insensitive search for automation
 * `expect`, grapheme-safe cursor steps, and a greedy line breaker that asks
 * a caller-supplied function for widths.  The breaker measures whole
 * candidate lines rather than summing words, so kerning and shaping across
 * a space are measured as they will be drawn. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tramtin/text.h"

int32_t text_decode(const char *s, size_t len, size_t *pos)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + *pos, (utf8proc_ssize_t)(len - *pos), &cp);
	if (n <= 0) {
		(*pos)++;
		return -1;
	}
	*pos += (size_t)n;
	return cp;
}

bool text_valid(const char *s, size_t len)
{
	size_t pos = 0;
	if (!s)
		return false;
	while (pos < len) {
		int32_t cp = text_decode(s, len, &pos);
		if (cp <= 0)
			return false;
	}
	return true;
}

static char *map(const char *s, size_t len, int options)
{
	utf8proc_uint8_t *out = NULL;
	if (!s || !text_valid(s, len))
		return NULL;
	if (len == 0)
		return calloc(1, 1);
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
	                                  (utf8proc_option_t)(options | UTF8PROC_STABLE | UTF8PROC_COMPOSE));
	if (n < 0)
		return NULL;
	return (char *)out;
}

/* True if s[0..len) is valid UTF-8 (no NUL) made only of code points
 * below U+0300 (ASCII, Latin-1, Latin Extended-A/B, IPA, spacing
 * modifiers) or in Latin Extended Additional (U+1E00..U+1EFF, where
 * Vietnamese's precomposed letters live): all are NFC_QC=Yes with
 * combining class 0, so such a string is already NFC and no pair of them
 * composes (tests/unit/test_text.c checks this against utf8proc). */
static bool nfc_already(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = 0;
	while (pos < len) {
		if (u[pos] >= 0x01 && u[pos] < 0x80) { /* ASCII, the common case */
			pos++;
			continue;
		}
		int32_t cp = text_decode(s, len, &pos);
		if (cp <= 0 || (cp >= 0x300 && (cp < 0x1E00 || cp > 0x1EFF)))
			return false;
	}
	return true;
}

char *text_nfc(const char *s, size_t len)
{
	if (s && nfc_already(s, len)) {
		char *out = malloc(len + 1);
		if (out) {
			memcpy(out, s, len);
			out[len] = '\0';
		}
		return out;
	}
	return map(s, len, 0);
}

static char *map_case(const char *s, bool upper)
{
	size_t len = s ? strlen(s) : 0, pos = 0, n = 0;
	if (!s || !text_valid(s, len))
		return NULL;
	char *out = malloc(len * 2 + 1); /* an upper-case form is at most 2x longer in UTF-8 */
	if (!out)
		return NULL;
	while (pos < len) {
		int32_t cp = text_decode(s, len, &pos);
		n += (size_t)utf8proc_encode_char(upper ? utf8proc_toupper(cp) : utf8proc_tolower(cp), (utf8proc_uint8_t *)out + n);
	}
	out[n] = '\0';
	char *nfc = text_nfc(out, n);
	free(out);
	return nfc;
}

char *text_upper(const char *s)
{
	return map_case(s, true);
}

char *text_lower(const char *s)
{
	return map_case(s, false);
}

bool text_is_nfc(const char *s)
{
	if (!s)
		return false;
	char *n = text_nfc(s, strlen(s));
	bool same = n && strcmp(n, s) == 0;
	free(n);
	return same;
}

bool text_contains(const char *haystack, const char *needle, bool fold)
{
	int opt = fold ? UTF8PROC_CASEFOLD : 0;
	char *h = map(haystack, haystack ? strlen(haystack) : 0, opt);
	char *n = map(needle, needle ? strlen(needle) : 0, opt);
	bool found = h && n && strstr(h, n) != NULL;
	free(h);
	free(n);
	return found;
}

size_t text_next_grapheme(const char *s, size_t len, size_t pos)
{
	utf8proc_int32_t state = 0;
	int32_t prev = -1;
	while (pos < len) {
		size_t at = pos;
		int32_t cp = text_decode(s, len, &pos);
		if (prev >= 0 && cp >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state))
			return at;
		if (prev >= 0 && cp < 0)
			return at;
		prev = cp;
		if (cp < 0)
			return pos;
	}
	return len;
}

size_t text_prev_grapheme(const char *s, size_t len, size_t pos)
{
	size_t at = 0, last = 0;
	if (pos > len)
		pos = len;
	/* Walk forward from the start: grapheme rules need left context, and
	 * kiosk fields are short (a few thousand bytes at most). */
	while (at < pos) {
		last = at;
		at = text_next_grapheme(s, len, at);
	}
	return last;
}

size_t text_graphemes(const char *s, size_t len)
{
	size_t n = 0, pos = 0;
	while (pos < len) {
		pos = text_next_grapheme(s, len, pos);
		n++;
	}
	return n;
}

uint64_t text_hash(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ull ^ seed;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* Longest prefix of s[start..end) (at grapheme boundaries) that fits. */
static size_t fit_graphemes(const char *s, size_t start, size_t end, int width, text_measure_fn measure, void *ctx)
{
	size_t fit = text_next_grapheme(s, end, start); /* always at least one */
	for (;;) {
		size_t next = text_next_grapheme(s, end, fit);
		if (next <= fit || next > end || measure(ctx, s + start, next - start) > width)
			return fit;
		fit = next;
	}
}

size_t text_wrap(const char *s, size_t len, int width, text_measure_fn measure, void *ctx,
                 text_line *out, size_t max)
{
	size_t count = 0, pos = 0;
	if (!s || !measure)
		return 0;
	while (pos <= len) {
		size_t para_end = pos;
		while (para_end < len && s[para_end] != '\n')
			para_end++;
		/* Lay out s[pos..para_end) as one paragraph. */
		size_t line_start = pos;
		do {
			size_t end = line_start, best = line_start;
			int best_w = 0;
			bool broke = false;
			while (end < para_end) {
				size_t word_end = end;
				while (word_end < para_end && s[word_end] == ' ')
					word_end++;
				while (word_end < para_end && s[word_end] != ' ')
					word_end++;
				int w = measure(ctx, s + line_start, word_end - line_start);
				if (w > width) {
					if (best == line_start) {
						/* A single word wider than the line: cut it. */
						best = fit_graphemes(s, line_start, word_end, width, measure, ctx);
						best_w = measure(ctx, s + line_start, best - line_start);
					}
					broke = true;
					break;
				}
				best = word_end;
				best_w = w;
				end = word_end;
			}
			if (!broke) {
				best = para_end;
				best_w = measure(ctx, s + line_start, para_end - line_start);
			}
			size_t l_end = best;
			while (l_end > line_start && s[l_end - 1] == ' ')
				l_end--;
			if (count < max && out) {
				out[count].start = line_start;
				out[count].len = l_end - line_start;
				out[count].width = l_end == best ? best_w : measure(ctx, s + line_start, l_end - line_start);
			}
			count++;
			line_start = best;
			while (line_start < para_end && s[line_start] == ' ')
				line_start++;
		} while (line_start < para_end);
		pos = para_end + 1;
	}
	return count;
}
