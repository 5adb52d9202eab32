/* fuzz_ime.c - fuzz target for the Vietnamese input engine.
 *
 * The first two bytes pick the method, style and a grapheme limit; every
 * other byte is one action: mostly a key from a table that mixes the keys
 * of Telex and VNI with Vietnamese letters, punctuation and the characters
 * that make grapheme and normalisation edge cases (combining marks, ZWJ,
 * emoji, regional indicators, Hangul jamo, a prepended concatenation mark),
 * sometimes a backspace, an <Enter>, a tone key of the on-screen keyboard,
 * a tap that moves the cursor, a method or style switch, a new text.
 * After every action the text must be valid UTF-8 in NFC, the cursor on a
 * grapheme boundary inside it, ime_length() right and within the limit;
 * anything else aborts.
 *
 * Built with clang -fsanitize=fuzzer this is a libFuzzer target.  Built
 * with -DFUZZ_STANDALONE (any compiler) it has a main():
 *   fuzz_ime FILE...      runs each file as one input (a corpus, a crash)
 *   fuzz_ime [-n N] [-s SEED]   runs N pseudo-random inputs (default 20000) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "tramtin/ime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t keys[] = {
	'a', 'e', 'o', 'u', 'i', 'y', 'w', 'd', 's', 'f', 'r', 'x', 'j', 'z',
	'n', 'g', 'h', 'c', 't', 'q', 'k', 'p', 'm', 'b', 'l', 'v',
	'A', 'E', 'O', 'U', 'W', 'D', 'S', 'F', 'G', 'Q', 'I',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	' ', '.', ',', '[', ']', '{', '<', '\n', '\t', '\r', 0,
	0x00E0, 0x00C2, 0x0103, 0x0111, 0x0110, 0x01A1, 0x01B0, 0x01AF,
	0x1EC7, 0x1EA1, 0x00E9, 0x0129,
	0x0300, 0x0301, 0x0302, 0x0323, 0x031B, 0x20DD,
	0x200D, 0x1F600, 0x1F469, 0x1F4BB, 0x1F1FB, 0x1F1F3, 0x0600,
	0x1100, 0x1161, 0x11A8, 0xAC00, 0x0E33, 0x0915, 0x094D,
	0xD800, 0x110000, 0x00A0, 0x2026, 0x201C, 0xFEFF, 0x0085,
};

static const char *const texts[] = {
	"", "hoa binh", "Tie\xCC\x82\xCC\x81ng Vie\xCC\xA3\xCC\x82t", "a\n\xCC\x81",
	"\xF0\x9F\x87\xBB\xF0\x9F\x87\xB3x", "\xD8\x80" "abc", "\xE1\x84\x80\xE1\x85\xA1",
	"x\xE2\x83\x9D y", "dong\r\nmoi", "nguoi ngheo", "\xC3", "qu gi k ngh",
};

static size_t count_graphemes(const char *s, int *bad)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t prev = -1, c, state = 0;
	size_t n = 0;

	while (*p) {
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);

		if (k <= 0) {
			*bad = 1;
			return n;
		}
		if (prev < 0 || utf8proc_grapheme_break_stateful(prev, c, &state))
			n++;
		prev = c;
		p += k;
	}
	return n;
}

static int at_boundary(const char *s, size_t pos)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t prev = -1, c, state = 0;
	size_t off = 0;

	if (pos == 0 || pos == strlen(s))
		return 1;
	while (p[off]) {
		utf8proc_ssize_t k = utf8proc_iterate(p + off, -1, &c);

		if (k <= 0)
			return 0;
		if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, c, &state) && off == pos)
			return 1;
		prev = c;
		off += (size_t)k;
	}
	return 0;
}

static void check(const ime *e, size_t max)
{
	const char *t = ime_text(e);
	char *nfc;
	int bad = 0;
	size_t g;

	if (!t)
		abort();
	g = count_graphemes(t, &bad);
	nfc = (char *)utf8proc_NFC((const utf8proc_uint8_t *)t);
	if (bad || !nfc || strcmp(nfc, t) != 0) {
		fprintf(stderr, "fuzz_ime: text not valid NFC: \"%s\"\n", t);
		abort();
	}
	free(nfc);
	if (ime_cursor(e) > strlen(t) || !at_boundary(t, ime_cursor(e))) {
		fprintf(stderr, "fuzz_ime: cursor %zu off a boundary in \"%s\"\n", ime_cursor(e), t);
		abort();
	}
	if (ime_length(e) != g) {
		fprintf(stderr, "fuzz_ime: length %zu, counted %zu in \"%s\"\n", ime_length(e), g, t);
		abort();
	}
	(void)max;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i, max = 0, before;
	ime *e;

	if (size < 2)
		return 0;
	e = ime_new((ime_method)(data[0] % 3), (ime_style)((data[0] >> 2) & 1));
	if (!e)
		return 0;
	if (data[1] & 0x80) {
		max = data[1] & 0x3F;
		ime_set_max(e, max);
	}
	for (i = 2; i < size; i++) {
		uint8_t b = data[i], arg = i + 1 < size ? data[i + 1] : 0;

		before = ime_length(e);
		switch (b >> 4) {
		case 12:
			ime_backspace(e);
			break;
		case 13:
			if (b & 1)
				ime_commit(e);
			else
				ime_tone(e, (enum ime_tone)(b % 7)); /* 6 is invalid on purpose */
			break;
		case 14:
			ime_set_cursor(e, strlen(ime_text(e)) * arg / 255 + (b & 1));
			i++;
			break;
		case 15:
			switch (b & 7) {
			case 0:
				ime_set_method(e, (ime_method)(arg % 4));
				break;
			case 1:
				ime_set_style(e, (ime_style)(arg % 3));
				break;
			case 2:
				ime_set_text(e, texts[arg % (sizeof texts / sizeof texts[0])], arg % 9);
				break;
			case 3:
				ime_clear(e);
				break;
			case 4:
				max = arg % 24;
				ime_set_max(e, max);
				break;
			default:
				ime_feed(e, keys[arg % (sizeof keys / sizeof keys[0])]);
				break;
			}
			i++;
			break;
		default:
			ime_feed(e, keys[b % (sizeof keys / sizeof keys[0])]);
			break;
		}
		check(e, max);
		/* a key may never push the text over the limit */
		if (max && ime_length(e) > max && ime_length(e) > before) {
			fprintf(stderr, "fuzz_ime: %zu graphemes over the limit %zu\n", ime_length(e), max);
			abort();
		}
	}
	ime_free(e);
	return 0;
}

#ifdef FUZZ_STANDALONE
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	int c;

	if (!f) {
		perror(path);
		return 1;
	}
	while ((c = fgetc(f)) != EOF) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap ? cap * 2 : 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		buf[n++] = (uint8_t)c;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	long iters = 20000, it;
	uint32_t seed = 0x9E3779B9u;
	int i, files = 0, status = 0;
	uint8_t buf[600];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			iters = strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			seed = (uint32_t)strtoul(argv[++i], NULL, 0);
			if (!seed)
				seed = 1;
		} else {
			files++;
			status |= run_file(argv[i]);
		}
	}
	if (files)
		return status;
	for (it = 0; it < iters; it++) {
		size_t n = 2 + rnd(&seed) % (sizeof buf - 2), k;

		for (k = 0; k < n; k++)
			buf[k] = (uint8_t)rnd(&seed);
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("fuzz_ime: %ld inputs ok\n", iters);
	return 0;
}
#endif
