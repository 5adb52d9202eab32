/* text.h - UTF-8 text: validation, NFC, graphemes, and line breaking.
 *
 * All text the kiosk shows or stores is NFC.  Line breaking is independent
 * of any font: the caller passes a measuring function, so the same code
 * lays out text for SDL_ttf on screen and for a fixed-width font in tests. */
#ifndef TRAMTIN_TEXT_H
#define TRAMTIN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"

/* True if s[0..len) is valid UTF-8 with no NUL. */
bool text_valid(const char *s, size_t len);

/* Returns s[0..len) normalised to NFC in a new string (caller frees), or
 * NULL if s is not valid UTF-8 or memory ran out. */
char *text_nfc(const char *s, size_t len);

/* True if s (NUL-terminated) is valid UTF-8 and already NFC. */
bool text_is_nfc(const char *s);

/* True if haystack contains needle, both compared in NFC and, if fold is
 * true, case-folded.  Invalid UTF-8 never matches. */
bool text_contains(const char *haystack, const char *needle, bool fold);

/* s in upper case (Unicode simple mapping; "đ" -> "Đ"), NFC, in a new
 * string; NULL for invalid UTF-8 or out of memory. */
char *text_upper(const char *s);
/* The same in lower case ("Đ" -> "đ"). */
char *text_lower(const char *s);

/* Byte offset of the grapheme boundary after / before pos in s[0..len). */
size_t text_next_grapheme(const char *s, size_t len, size_t pos);
size_t text_prev_grapheme(const char *s, size_t len, size_t pos);
/* Number of graphemes in s[0..len). */
size_t text_graphemes(const char *s, size_t len);

/* Decodes one code point at s[*pos] (advancing *pos); returns -1 on an
 * invalid sequence (and advances one byte). */
int32_t text_decode(const char *s, size_t len, size_t *pos);

/* Line breaking.  measure(ctx, s, n) returns the width of s[0..n) in the
 * caller's units.  A line ends at '\n', or at the last space before width
 * is exceeded; a word wider than width is broken at a grapheme boundary. */
typedef int (*text_measure_fn)(void *ctx, const char *s, size_t n);

typedef struct text_line {
	size_t start; /* byte offset into the text */
	size_t len;   /* bytes, without the trailing space or newline */
	int width;    /* measured width of s[start..start+len) */
} text_line;

/* Breaks s[0..len) into lines no wider than width.  Writes at most max
 * lines to out and returns the number of lines the whole text needs (which
 * may be more than max: call again with a larger array). */
size_t text_wrap(const char *s, size_t len, int width, text_measure_fn measure, void *ctx,
                 text_line *out, size_t max);

/* FNV-1a hash of bytes, for caches. */
uint64_t text_hash(const void *data, size_t len, uint64_t seed);

#endif
