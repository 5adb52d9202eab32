/* ime.c - the Vietnamese input engine: Telex, VNI and direct input.
 *
 * The engine owns the text (UTF-8, always NFC) and a cursor, and only ever
 * re-composes the word just before the cursor.  That word is a small fixed
 * array of letters - a lowercase ASCII base, a mark (circumflex, breve,
 * horn, or the bar of đ), a tone and a case flag - plus the keys typed for
 * it, kept to put a non-Vietnamese word back as typed when it ends.  A key
 * is applied to a copy of the word by the rules of the method, the copy is
 * rendered as precomposed letters (which is NFC) and spliced into the text
 * in place of the old rendering: no allocation and no normalisation on that
 * path.  Every rule asks a syllable parser (initial, vowel nucleus looked up
 * in a table of Vietnamese vowel sequences, final) whether the word is
 * still "plausible" Vietnamese; a mark or tone whose result is not is
 * refused and the key is typed as a letter, which is how English words
 * stay as typed.  The tone sits on one letter and is moved to the place the
 * orthographic rules give after every key (old style hóa/thủy by default,
 * new style hoá/thuỷ by option).  At the end of a word (space, punctuation,
 * ime_commit) a word that carries Vietnamese marks but is not a valid
 * syllable is replaced by the keys that were typed (Unikey's spell check
 * with auto restore).  When the cursor moves, after a backspace or when the
 * text is set, the word state is rebuilt from the visible text before the
 * cursor by decomposing its letters, so the screen is the only truth.
 * Anything unusual - combining marks, characters that join the grapheme of
 * a neighbour - takes a slow path that re-normalises the line around the
 * cursor and recounts the graphemes with utf8proc. */
#include "tramtin/ime.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define WORD_MAX 24 /* letters of the word being composed; longer runs slide */
#define RAW_MAX 64  /* keys remembered to restore a word as typed */
#define INIT_CAP 64

enum mark { M_NONE, M_CIRC, M_BREVE, M_HORN, M_BAR };
enum { L_UPPER = 1, L_FROM_W = 2 };

struct letter {
	unsigned char ch;    /* lowercase ASCII letter or digit */
	unsigned char mark;  /* enum mark */
	unsigned char tone;  /* enum ime_tone */
	unsigned char flags; /* L_UPPER; L_FROM_W: ư typed as a lone Telex w */
};

struct word {
	struct letter l[WORD_MAX];
	uint32_t raw[RAW_MAX]; /* the keys, for restoring */
	int n, nraw;
	int raw_lost; /* raw overflowed or the word was toned by ime_tone */
};

struct ime {
	ime_method method;
	ime_style style;
	size_t max;   /* grapheme limit, 0: none */
	char *buf;    /* NUL-terminated, NFC */
	size_t len, cap, cur, ngraph;
	size_t wstart; /* the word is buf[wstart, cur) when live */
	int live;      /* word state matches the text; else rebuild */
	int wfast;     /* the word's neighbours never join its graphemes */
	struct word w;
};

/* --- letters ------------------------------------------------------------ */

enum vowel {
	V_NONE, V_A, V_AW, V_AA, V_E, V_EE, V_I, V_O, V_OO, V_OW, V_U, V_UW, V_Y,
	V_COUNT
};

static const unsigned char vbase[V_COUNT] = {
	0, 'a', 'a', 'a', 'e', 'e', 'i', 'o', 'o', 'o', 'u', 'u', 'y'
};
static const unsigned char vmark[V_COUNT] = {
	M_NONE, M_NONE, M_BREVE, M_CIRC, M_NONE, M_CIRC, M_NONE, M_NONE,
	M_CIRC, M_HORN, M_NONE, M_HORN, M_NONE
};

/* Lowercase precomposed forms, by vowel and tone (enum ime_tone order). */
static const uint32_t vform[V_COUNT][6] = {
	{ 0, 0, 0, 0, 0, 0 },
	{ 0x0061, 0x00E1, 0x00E0, 0x1EA3, 0x00E3, 0x1EA1 }, /* a */
	{ 0x0103, 0x1EAF, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EB7 }, /* ă */
	{ 0x00E2, 0x1EA5, 0x1EA7, 0x1EA9, 0x1EAB, 0x1EAD }, /* â */
	{ 0x0065, 0x00E9, 0x00E8, 0x1EBB, 0x1EBD, 0x1EB9 }, /* e */
	{ 0x00EA, 0x1EBF, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EC7 }, /* ê */
	{ 0x0069, 0x00ED, 0x00EC, 0x1EC9, 0x0129, 0x1ECB }, /* i */
	{ 0x006F, 0x00F3, 0x00F2, 0x1ECF, 0x00F5, 0x1ECD }, /* o */
	{ 0x00F4, 0x1ED1, 0x1ED3, 0x1ED5, 0x1ED7, 0x1ED9 }, /* ô */
	{ 0x01A1, 0x1EDB, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EE3 }, /* ơ */
	{ 0x0075, 0x00FA, 0x00F9, 0x1EE7, 0x0169, 0x1EE5 }, /* u */
	{ 0x01B0, 0x1EE9, 0x1EEB, 0x1EED, 0x1EEF, 0x1EF1 }, /* ư */
	{ 0x0079, 0x00FD, 0x1EF3, 0x1EF7, 0x1EF9, 0x1EF5 }, /* y */
};

/* The inverse of vform for the non-ASCII letters, both cases, sorted by
 * code point for bsearch: { code point, vowel, tone, uppercase }. */
static const struct vdec {
	uint16_t cp;
	unsigned char v, tone, upper;
} vdec[] = {
	{ 0x00C0, V_A, 2, 1 }, { 0x00C1, V_A, 1, 1 }, { 0x00C2, V_AA, 0, 1 },
	{ 0x00C3, V_A, 4, 1 }, { 0x00C8, V_E, 2, 1 }, { 0x00C9, V_E, 1, 1 },
	{ 0x00CA, V_EE, 0, 1 }, { 0x00CC, V_I, 2, 1 }, { 0x00CD, V_I, 1, 1 },
	{ 0x00D2, V_O, 2, 1 }, { 0x00D3, V_O, 1, 1 }, { 0x00D4, V_OO, 0, 1 },
	{ 0x00D5, V_O, 4, 1 }, { 0x00D9, V_U, 2, 1 }, { 0x00DA, V_U, 1, 1 },
	{ 0x00DD, V_Y, 1, 1 }, { 0x00E0, V_A, 2, 0 }, { 0x00E1, V_A, 1, 0 },
	{ 0x00E2, V_AA, 0, 0 }, { 0x00E3, V_A, 4, 0 }, { 0x00E8, V_E, 2, 0 },
	{ 0x00E9, V_E, 1, 0 }, { 0x00EA, V_EE, 0, 0 }, { 0x00EC, V_I, 2, 0 },
	{ 0x00ED, V_I, 1, 0 }, { 0x00F2, V_O, 2, 0 }, { 0x00F3, V_O, 1, 0 },
	{ 0x00F4, V_OO, 0, 0 }, { 0x00F5, V_O, 4, 0 }, { 0x00F9, V_U, 2, 0 },
	{ 0x00FA, V_U, 1, 0 }, { 0x00FD, V_Y, 1, 0 }, { 0x0102, V_AW, 0, 1 },
	{ 0x0103, V_AW, 0, 0 }, { 0x0128, V_I, 4, 1 }, { 0x0129, V_I, 4, 0 },
	{ 0x0168, V_U, 4, 1 }, { 0x0169, V_U, 4, 0 }, { 0x01A0, V_OW, 0, 1 },
	{ 0x01A1, V_OW, 0, 0 }, { 0x01AF, V_UW, 0, 1 }, { 0x01B0, V_UW, 0, 0 },
	{ 0x1EA0, V_A, 5, 1 }, { 0x1EA1, V_A, 5, 0 }, { 0x1EA2, V_A, 3, 1 },
	{ 0x1EA3, V_A, 3, 0 }, { 0x1EA4, V_AA, 1, 1 }, { 0x1EA5, V_AA, 1, 0 },
	{ 0x1EA6, V_AA, 2, 1 }, { 0x1EA7, V_AA, 2, 0 }, { 0x1EA8, V_AA, 3, 1 },
	{ 0x1EA9, V_AA, 3, 0 }, { 0x1EAA, V_AA, 4, 1 }, { 0x1EAB, V_AA, 4, 0 },
	{ 0x1EAC, V_AA, 5, 1 }, { 0x1EAD, V_AA, 5, 0 }, { 0x1EAE, V_AW, 1, 1 },
	{ 0x1EAF, V_AW, 1, 0 }, { 0x1EB0, V_AW, 2, 1 }, { 0x1EB1, V_AW, 2, 0 },
	{ 0x1EB2, V_AW, 3, 1 }, { 0x1EB3, V_AW, 3, 0 }, { 0x1EB4, V_AW, 4, 1 },
	{ 0x1EB5, V_AW, 4, 0 }, { 0x1EB6, V_AW, 5, 1 }, { 0x1EB7, V_AW, 5, 0 },
	{ 0x1EB8, V_E, 5, 1 }, { 0x1EB9, V_E, 5, 0 }, { 0x1EBA, V_E, 3, 1 },
	{ 0x1EBB, V_E, 3, 0 }, { 0x1EBC, V_E, 4, 1 }, { 0x1EBD, V_E, 4, 0 },
	{ 0x1EBE, V_EE, 1, 1 }, { 0x1EBF, V_EE, 1, 0 }, { 0x1EC0, V_EE, 2, 1 },
	{ 0x1EC1, V_EE, 2, 0 }, { 0x1EC2, V_EE, 3, 1 }, { 0x1EC3, V_EE, 3, 0 },
	{ 0x1EC4, V_EE, 4, 1 }, { 0x1EC5, V_EE, 4, 0 }, { 0x1EC6, V_EE, 5, 1 },
	{ 0x1EC7, V_EE, 5, 0 }, { 0x1EC8, V_I, 3, 1 }, { 0x1EC9, V_I, 3, 0 },
	{ 0x1ECA, V_I, 5, 1 }, { 0x1ECB, V_I, 5, 0 }, { 0x1ECC, V_O, 5, 1 },
	{ 0x1ECD, V_O, 5, 0 }, { 0x1ECE, V_O, 3, 1 }, { 0x1ECF, V_O, 3, 0 },
	{ 0x1ED0, V_OO, 1, 1 }, { 0x1ED1, V_OO, 1, 0 }, { 0x1ED2, V_OO, 2, 1 },
	{ 0x1ED3, V_OO, 2, 0 }, { 0x1ED4, V_OO, 3, 1 }, { 0x1ED5, V_OO, 3, 0 },
	{ 0x1ED6, V_OO, 4, 1 }, { 0x1ED7, V_OO, 4, 0 }, { 0x1ED8, V_OO, 5, 1 },
	{ 0x1ED9, V_OO, 5, 0 }, { 0x1EDA, V_OW, 1, 1 }, { 0x1EDB, V_OW, 1, 0 },
	{ 0x1EDC, V_OW, 2, 1 }, { 0x1EDD, V_OW, 2, 0 }, { 0x1EDE, V_OW, 3, 1 },
	{ 0x1EDF, V_OW, 3, 0 }, { 0x1EE0, V_OW, 4, 1 }, { 0x1EE1, V_OW, 4, 0 },
	{ 0x1EE2, V_OW, 5, 1 }, { 0x1EE3, V_OW, 5, 0 }, { 0x1EE4, V_U, 5, 1 },
	{ 0x1EE5, V_U, 5, 0 }, { 0x1EE6, V_U, 3, 1 }, { 0x1EE7, V_U, 3, 0 },
	{ 0x1EE8, V_UW, 1, 1 }, { 0x1EE9, V_UW, 1, 0 }, { 0x1EEA, V_UW, 2, 1 },
	{ 0x1EEB, V_UW, 2, 0 }, { 0x1EEC, V_UW, 3, 1 }, { 0x1EED, V_UW, 3, 0 },
	{ 0x1EEE, V_UW, 4, 1 }, { 0x1EEF, V_UW, 4, 0 }, { 0x1EF0, V_UW, 5, 1 },
	{ 0x1EF1, V_UW, 5, 0 }, { 0x1EF2, V_Y, 2, 1 }, { 0x1EF3, V_Y, 2, 0 },
	{ 0x1EF4, V_Y, 5, 1 }, { 0x1EF5, V_Y, 5, 0 }, { 0x1EF6, V_Y, 3, 1 },
	{ 0x1EF7, V_Y, 3, 0 }, { 0x1EF8, V_Y, 4, 1 }, { 0x1EF9, V_Y, 4, 0 },
};

static int is_vowel(int c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static int is_alpha(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_ascii_alnum(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int vcode(const struct letter *l)
{
	switch (l->ch) {
	case 'a':
		return l->mark == M_BREVE ? V_AW : l->mark == M_CIRC ? V_AA : V_A;
	case 'e':
		return l->mark == M_CIRC ? V_EE : V_E;
	case 'i':
		return V_I;
	case 'o':
		return l->mark == M_CIRC ? V_OO : l->mark == M_HORN ? V_OW : V_O;
	case 'u':
		return l->mark == M_HORN ? V_UW : V_U;
	case 'y':
		return V_Y;
	default:
		return V_NONE;
	}
}

static uint32_t letter_cp(const struct letter *l)
{
	uint32_t c;
	int v = vcode(l);

	if (v != V_NONE)
		c = vform[v][l->tone];
	else if (l->mark == M_BAR)
		c = 0x0111;
	else
		c = l->ch;
	if (!(l->flags & L_UPPER))
		return c;
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 32 : c;
	/* Latin-1 letters are 0x20 above their capitals; the others used by
	 * Vietnamese come in (capital, small) pairs. */
	return c < 0x100 ? c - 0x20 : c - 1;
}

static int vdec_cmp(const void *k, const void *m)
{
	uint32_t a = *(const uint32_t *)k, b = ((const struct vdec *)m)->cp;

	return a < b ? -1 : a > b;
}

/* Decomposes a Vietnamese letter, ASCII letter or digit; 0 if cp is none. */
static int letter_from_cp(uint32_t cp, struct letter *l)
{
	const struct vdec *d;

	memset(l, 0, sizeof *l);
	if (cp < 0x80) {
		if (!is_ascii_alnum(cp))
			return 0;
		if (cp >= 'A' && cp <= 'Z') {
			l->ch = (unsigned char)(cp + 32);
			l->flags = L_UPPER;
		} else {
			l->ch = (unsigned char)cp;
		}
		return 1;
	}
	if (cp == 0x0110 || cp == 0x0111) {
		l->ch = 'd';
		l->mark = M_BAR;
		l->flags = cp == 0x0110 ? L_UPPER : 0;
		return 1;
	}
	if (cp < 0xC0 || cp > 0x1EF9)
		return 0;
	d = bsearch(&cp, vdec, sizeof vdec / sizeof vdec[0], sizeof vdec[0], vdec_cmp);
	if (!d)
		return 0;
	l->ch = vbase[d->v];
	l->mark = vmark[d->v];
	l->tone = d->tone;
	l->flags = d->upper ? L_UPPER : 0;
	return 1;
}

/* Renders letters as UTF-8 into out (at least 3 bytes a letter). */
static size_t render(const struct letter *l, int n, char *out)
{
	size_t k = 0;
	int i;

	for (i = 0; i < n; i++) {
		uint32_t c = letter_cp(&l[i]);

		if (c < 0x80) {
			out[k++] = (char)c;
		} else if (c < 0x800) {
			out[k++] = (char)(0xC0 | (c >> 6));
			out[k++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[k++] = (char)(0xE0 | (c >> 12));
			out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[k++] = (char)(0x80 | (c & 0x3F));
		}
	}
	return k;
}

/* --- syllables ---------------------------------------------------------- */

enum {
	FN_C = 1, FN_CH = 2, FN_M = 4, FN_N = 8, FN_NG = 16, FN_NH = 32,
	FN_P = 64, FN_T = 128, FN_K = 256
};
#define FN_STOP (FN_C | FN_CH | FN_P | FN_T | FN_K)
#define FN_ALL (FN_C | FN_CH | FN_M | FN_N | FN_NG | FN_NH | FN_P | FN_T)

/* Vowel nuclei of Vietnamese syllables (after the initial, so "qu" and
 * "gi" keep their u and i out of it): whether the syllable may end there
 * and which finals may follow.  A little lenient where users type real
 * words the dictionaries forget (êng, ênh, ech, yt, Đắk). */
static const struct nucleus {
	unsigned char v[3];
	unsigned char len, open;
	unsigned short fin;
} nuclei[] = {
	{ { V_A }, 1, 1, FN_ALL },
	{ { V_AW }, 1, 1, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T | FN_K },
	{ { V_AA }, 1, 1, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_E }, 1, 1, FN_ALL },
	{ { V_EE }, 1, 1, FN_ALL },
	{ { V_I }, 1, 1, FN_C | FN_CH | FN_M | FN_N | FN_NH | FN_P | FN_T },
	{ { V_O }, 1, 1, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_OO }, 1, 1, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_OW }, 1, 1, FN_M | FN_N | FN_P | FN_T },
	{ { V_U }, 1, 1, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_UW }, 1, 1, FN_C | FN_M | FN_N | FN_NG | FN_T },
	{ { V_Y }, 1, 1, FN_N | FN_NH | FN_T },
	{ { V_A, V_I }, 2, 1, 0 },
	{ { V_A, V_O }, 2, 1, 0 },
	{ { V_A, V_U }, 2, 1, 0 },
	{ { V_A, V_Y }, 2, 1, 0 },
	{ { V_AA, V_U }, 2, 1, 0 },
	{ { V_AA, V_Y }, 2, 1, 0 },
	{ { V_E, V_O }, 2, 1, 0 },
	{ { V_EE, V_U }, 2, 1, 0 },
	{ { V_I, V_A }, 2, 1, 0 },
	{ { V_I, V_U }, 2, 1, 0 },
	{ { V_I, V_EE }, 2, 0, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_O, V_A }, 2, 1, FN_ALL },
	{ { V_O, V_AW }, 2, 0, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_O, V_E }, 2, 1, FN_N | FN_T },
	{ { V_O, V_I }, 2, 1, 0 },
	{ { V_OO, V_I }, 2, 1, 0 },
	{ { V_OW, V_I }, 2, 1, 0 },
	{ { V_O, V_O }, 2, 0, FN_C | FN_NG },
	{ { V_U, V_A }, 2, 1, 0 },
	{ { V_U, V_AA }, 2, 0, FN_N | FN_NG | FN_T },
	{ { V_U, V_EE }, 2, 1, FN_C | FN_CH | FN_N | FN_NH },
	{ { V_U, V_I }, 2, 1, 0 },
	{ { V_U, V_OO }, 2, 0, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_U, V_OW }, 2, 1, 0 },
	{ { V_UW, V_OW }, 2, 0, FN_C | FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_U, V_Y }, 2, 1, FN_C | FN_CH | FN_N | FN_NH | FN_P | FN_T },
	{ { V_UW, V_A }, 2, 1, 0 },
	{ { V_UW, V_I }, 2, 1, 0 },
	{ { V_UW, V_U }, 2, 1, 0 },
	{ { V_Y, V_EE }, 2, 0, FN_M | FN_N | FN_NG | FN_P | FN_T },
	{ { V_I, V_EE, V_U }, 3, 1, 0 },
	{ { V_Y, V_EE, V_U }, 3, 1, 0 },
	{ { V_O, V_A, V_I }, 3, 1, 0 },
	{ { V_O, V_A, V_Y }, 3, 1, 0 },
	{ { V_O, V_A, V_O }, 3, 1, 0 },
	{ { V_O, V_E, V_O }, 3, 1, 0 },
	{ { V_U, V_AA, V_Y }, 3, 1, 0 },
	{ { V_U, V_OO, V_I }, 3, 1, 0 },
	{ { V_UW, V_OW, V_I }, 3, 1, 0 },
	{ { V_UW, V_OW, V_U }, 3, 1, 0 },
	{ { V_U, V_Y, V_A }, 3, 1, 0 },
	{ { V_U, V_Y, V_EE }, 3, 0, FN_N | FN_T },
	{ { V_U, V_Y, V_U }, 3, 1, 0 },
};

/* A word split as initial + nucleus + final. */
struct syl {
	int vs, ve;  /* nucleus letters [vs, ve) */
	int fin;     /* FN_ bit of the final, 0 if none */
	int nini;    /* letters in the initial */
	char ini[4]; /* the initial, lowercase, đ as '#' */
};

static int initial_ok(const char *s, int n)
{
	switch (n) {
	case 0:
		return 1;
	case 1:
		return strchr("bcdghklmnpqrstvx#", s[0]) != NULL;
	case 2:
		switch (s[0]) {
		case 'c': case 'k': case 'p': case 't':
			return s[1] == 'h' || (s[0] == 't' && s[1] == 'r');
		case 'g':
			return s[1] == 'h' || s[1] == 'i';
		case 'n':
			return s[1] == 'g' || s[1] == 'h';
		case 'q':
			return s[1] == 'u';
		default:
			return 0;
		}
	default:
		return s[0] == 'n' && s[1] == 'g' && s[2] == 'h';
	}
}

static int final_bit(const struct letter *l, int n)
{
	int a, b;

	if (n > 2 || l[0].mark || (n == 2 && l[1].mark))
		return 0;
	a = l[0].ch;
	if (n == 1) {
		switch (a) {
		case 'c': return FN_C;
		case 'm': return FN_M;
		case 'n': return FN_N;
		case 'p': return FN_P;
		case 't': return FN_T;
		case 'k': return FN_K;
		default: return 0;
		}
	}
	b = l[1].ch;
	if (a == 'c' && b == 'h')
		return FN_CH;
	if (a == 'n' && b == 'g')
		return FN_NG;
	if (a == 'n' && b == 'h')
		return FN_NH;
	return 0;
}

/* Splits a word; 0 if it cannot be a syllable whatever the vowels are. */
static int parse(const struct letter *l, int n, struct syl *s)
{
	int i = 0, k = 0;

	while (i < n && !is_vowel(l[i].ch)) {
		if (k == 3 || !is_alpha(l[i].ch))
			return 0;
		s->ini[k++] = l[i].mark == M_BAR ? '#' : (char)l[i].ch;
		i++;
	}
	/* u after q and i after g belong to the initial when a vowel follows */
	if (k == 1 && i + 1 < n && is_vowel(l[i + 1].ch) &&
	    ((s->ini[0] == 'q' && l[i].ch == 'u' && l[i].mark == M_NONE) ||
	     (s->ini[0] == 'g' && l[i].ch == 'i'))) {
		s->ini[k++] = (char)l[i].ch;
		i++;
	}
	s->ini[k] = '\0';
	s->nini = k;
	if (!initial_ok(s->ini, k))
		return 0;
	s->vs = i;
	while (i < n && is_vowel(l[i].ch))
		i++;
	s->ve = i;
	if (s->ve - s->vs > 3)
		return 0;
	s->fin = 0;
	if (i < n) {
		s->fin = final_bit(l + i, n - i);
		if (!s->fin)
			return 0;
	}
	return 1;
}

static int ini_is(const struct syl *s, const char *x)
{
	return strcmp(s->ini, x) == 0;
}

/* The initial is a lone q: its u is the only "vowel" and takes no mark. */
static int q_only(const struct syl *s)
{
	return s->nini == 1 && s->ini[0] == 'q';
}

/* Whether the nucleus and final fit the table: strictly (a finished
 * syllable, marks exactly as in the table) or as a word still being typed
 * (a typed vowel without its mark matches the marked one, n may become ng
 * or nh, c may become ch, any nucleus may still get its final). */
static int nucleus_ok(const struct letter *l, const struct syl *s, int strict)
{
	int nv = s->ve - s->vs, first, fl = s->fin, j;
	size_t i;

	if (nv == 0)
		return s->fin == 0;
	first = l[s->vs].ch;
	if (q_only(s))
		return nv == 1 && first == 'u' && l[s->vs].mark == M_NONE && !s->fin;
	if (ini_is(s, "qu") && first == 'u')
		return 0;
	if (ini_is(s, "gi") && first == 'i')
		return 0;
	if ((ini_is(s, "k") || ini_is(s, "gh") || ini_is(s, "ngh")) &&
	    first != 'e' && first != 'i' && first != 'y')
		return 0;
	if (!strict && fl == FN_N)
		fl = FN_N | FN_NG | FN_NH;
	else if (!strict && fl == FN_C)
		fl = FN_C | FN_CH;
	for (i = 0; i < sizeof nuclei / sizeof nuclei[0]; i++) {
		const struct nucleus *u = &nuclei[i];

		if (u->len != nv)
			continue;
		for (j = 0; j < nv; j++) {
			int c = vcode(&l[s->vs + j]), want = u->v[j];

			if (strict ? c != want
			           : (vbase[c] != vbase[want] ||
			              (vmark[c] != M_NONE && vmark[c] != vmark[want])))
				break;
		}
		if (j < nv)
			continue;
		if (s->fin ? (u->fin & fl) != 0 : (!strict || u->open))
			return 1;
	}
	return 0;
}

/* Index of the first toned letter or -1; *count gets how many carry one. */
static int tone_at(const struct word *w, int *count)
{
	int i, at = -1, c = 0;

	for (i = 0; i < w->n; i++) {
		if (w->l[i].tone) {
			if (at < 0)
				at = i;
			c++;
		}
	}
	*count = c;
	return at;
}

/* Could the word still become a Vietnamese syllable? */
static int plausible(const struct word *w, struct syl *s)
{
	int c;

	if (!parse(w->l, w->n, s) || !nucleus_ok(w->l, s, 0))
		return 0;
	tone_at(w, &c);
	return c <= 1;
}

/* Is the word a finished Vietnamese syllable (or has no vowel marks)? */
static int valid_word(const struct word *w)
{
	struct syl s;
	int c, t;

	if (!parse(w->l, w->n, &s) || !nucleus_ok(w->l, &s, 1))
		return 0;
	t = tone_at(w, &c);
	if (c > 1)
		return 0;
	if (c == 1 && (s.fin & FN_STOP) && w->l[t].tone != IME_TONE_SAC &&
	    w->l[t].tone != IME_TONE_NANG)
		return 0;
	return 1;
}

/* Where the tone goes in nucleus [vs, ve): a vowel with a mark (the ơ of
 * ươ), else the middle of three, else with two the second if a final
 * follows, the second of oa/oe/uy in the new style, the first otherwise. */
static int place(const struct letter *l, int vs, int ve, int has_final, ime_style st)
{
	int nv = ve - vs, i, m = -1;

	if (nv <= 1)
		return vs;
	for (i = vs; i < ve; i++)
		if (l[i].mark != M_NONE)
			m = i;
	if (m >= 0)
		return m;
	if (nv >= 3 || has_final)
		return vs + 1;
	if (st == IME_STYLE_NEW) {
		int a = l[vs].ch, b = l[vs + 1].ch;

		if ((a == 'o' && (b == 'a' || b == 'e')) || (a == 'u' && b == 'y'))
			return vs + 1;
	}
	return vs;
}

/* Moves the tone to where the rules put it, if the word is plausible. */
static void replace_tone(struct word *w, ime_style st)
{
	struct syl s;
	int c, t = tone_at(w, &c), p;

	if (t < 0 || !plausible(w, &s) || s.ve == s.vs || q_only(&s))
		return;
	p = place(w->l, s.vs, s.ve, s.fin != 0, st);
	if (p != t) {
		w->l[p].tone = w->l[t].tone;
		w->l[t].tone = 0;
	}
}

/* Index of the u of a u+o pair in the nucleus, or -1. */
static int uo_pair(const struct letter *l, const struct syl *s)
{
	int i;

	for (i = s->vs; i + 1 < s->ve; i++)
		if (l[i].ch == 'u' && l[i + 1].ch == 'o')
			return i;
	return -1;
}

/* --- the rules ---------------------------------------------------------- */

enum res {
	R_DONE,   /* the key was a mark or tone and is consumed */
	R_APPEND, /* the rule does not apply: type the key as a letter */
	R_UNDO,   /* the key undid its own mark: type it as a letter */
	R_STOP    /* a tone a final c, ch, p, t forbids: not Vietnamese */
};
enum { HK_A = 1, HK_O = 2, HK_U = 4 };

static void push_raw(struct word *w, uint32_t cp)
{
	if (w->nraw < RAW_MAX)
		w->raw[w->nraw++] = cp;
	else
		w->raw_lost = 1;
}

/* Appends a letter.  A consonant, i or u after ưo or uơ completes the
 * pair to ươ (ưon -> ươn, huơi -> hươi) when the result is plausible. */
static void push_letter(struct word *w, const struct letter *nl, int complete)
{
	struct syl s;
	int p;

	if (complete && plausible(w, &s) && !s.fin && (p = uo_pair(w->l, &s)) >= 0 &&
	    p + 2 == w->n &&
	    (w->l[p].mark == M_HORN) != (w->l[p + 1].mark == M_HORN) &&
	    (is_vowel(nl->ch) ? nl->ch == 'i' || nl->ch == 'u' : is_alpha(nl->ch))) {
		unsigned char mu = w->l[p].mark, mo = w->l[p + 1].mark;

		w->l[p].mark = M_HORN;
		w->l[p + 1].mark = M_HORN;
		w->l[w->n++] = *nl;
		if (!plausible(w, &s)) {
			w->l[p].mark = mu;
			w->l[p + 1].mark = mo;
		}
		return;
	}
	w->l[w->n++] = *nl;
}

/* A tone key; after a lone qu it goes on the u and moves to the vowel
 * typed next (qusa -> quá), like the i of gi. */
static int do_tone(struct word *w, int tone, ime_style st)
{
	struct syl s;
	int c, t;

	if (!plausible(w, &s) || s.ve == s.vs)
		return R_APPEND;
	t = tone_at(w, &c);
	if (tone == IME_TONE_NONE) {
		if (t < 0)
			return R_APPEND;
		w->l[t].tone = 0;
		return R_DONE;
	}
	if (t >= 0 && w->l[t].tone == tone) {
		w->l[t].tone = 0;
		return R_UNDO;
	}
	if ((s.fin & FN_STOP) && tone != IME_TONE_SAC && tone != IME_TONE_NANG)
		return R_STOP;
	if (t >= 0)
		w->l[t].tone = 0;
	w->l[place(w->l, s.vs, s.ve, s.fin != 0, st)].tone = (unsigned char)tone;
	return R_DONE;
}

/* Circumflex on target (a, e, o; 0 for any of them, VNI 6). */
static int do_roof(struct word *w, int target)
{
	struct syl s;
	int i, p;

	if (!plausible(w, &s) || s.ve == s.vs || q_only(&s))
		return R_APPEND;
	p = uo_pair(w->l, &s);
	if (p >= 0 && (target == 'o' || target == 0) &&
	    (w->l[p].mark == M_HORN || w->l[p + 1].mark == M_HORN)) {
		/* ươ, ưo, uơ + o -> uô */
		unsigned char mu = w->l[p].mark, mo = w->l[p + 1].mark;

		w->l[p].mark = M_NONE;
		w->l[p + 1].mark = M_CIRC;
		if (plausible(w, &s))
			return R_DONE;
		w->l[p].mark = mu;
		w->l[p + 1].mark = mo;
		return R_APPEND;
	}
	for (i = s.vs; i < s.ve; i++) {
		int c = w->l[i].ch;

		if ((target ? c == target : c == 'a' || c == 'e' || c == 'o') &&
		    w->l[i].mark == M_CIRC) {
			w->l[i].mark = M_NONE;
			return R_UNDO;
		}
	}
	for (i = s.ve - 1; i >= s.vs; i--) {
		int c = w->l[i].ch;
		unsigned char m = w->l[i].mark;

		if (!(target ? c == target : c == 'a' || c == 'e' || c == 'o'))
			continue;
		w->l[i].mark = M_CIRC;
		if (plausible(w, &s))
			return R_DONE;
		w->l[i].mark = m;
	}
	return R_APPEND;
}

static int hook_of(int c, int set)
{
	if (c == 'a' && (set & HK_A))
		return M_BREVE;
	if ((c == 'o' && (set & HK_O)) || (c == 'u' && (set & HK_U)))
		return M_HORN;
	return M_NONE;
}

/* Telex: a lone w is ư where a vowel may start (w, nhw, giw). */
static int lone_w(struct word *w, int upper)
{
	struct syl s;
	struct letter u = { 'u', M_HORN, 0, L_FROM_W };

	if (upper)
		u.flags |= L_UPPER;
	w->l[w->n++] = u;
	if (plausible(w, &s))
		return R_DONE;
	w->n--;
	return R_APPEND;
}

/* Breve and horn: Telex w (set HK_A|HK_O|HK_U), VNI 7 (HK_O|HK_U) and 8
 * (HK_A).  u+o follows Unikey: uo -> uơ at the end of h/kh/th or of a
 * bare syllable (huơ, thuở), -> ươ otherwise; ưo and uơ -> ươ; ươ -> uo. */
static int do_hook(struct word *w, int set, int telex, int upper)
{
	struct syl s;
	int i, p;

	if (!plausible(w, &s))
		return R_APPEND;
	if (s.ve == s.vs || q_only(&s) ||
	    (ini_is(&s, "g") && s.ve - s.vs == 1 && w->l[s.vs].ch == 'i' && !s.fin))
		return telex ? lone_w(w, upper) : R_APPEND;
	p = uo_pair(w->l, &s);
	if (p >= 0 && (set & HK_O) && (set & HK_U)) {
		struct letter *u = &w->l[p], *o = &w->l[p + 1];
		unsigned char mu = u->mark, mo = o->mark;

		if (mu == M_HORN && mo == M_HORN) {
			u->mark = M_NONE;
			o->mark = M_NONE;
			return R_UNDO;
		}
		if (mu == M_HORN) {
			o->mark = M_HORN;
		} else if (mo == M_HORN) {
			u->mark = M_HORN;
		} else if (p + 2 == w->n && (ini_is(&s, "") || ini_is(&s, "h") ||
		                             ini_is(&s, "kh") || ini_is(&s, "th"))) {
			o->mark = M_HORN;
		} else {
			u->mark = M_HORN;
			o->mark = M_HORN;
		}
		if (plausible(w, &s))
			return R_DONE;
		u->mark = mu;
		o->mark = mo;
		return R_APPEND;
	}
	for (i = s.vs; i < s.ve; i++) {
		int h = hook_of(w->l[i].ch, set);

		if (h != M_NONE && w->l[i].mark == h) {
			if (telex && i == w->n - 1 && (w->l[i].flags & L_FROM_W))
				w->n--; /* ww -> w */
			else
				w->l[i].mark = M_NONE;
			return R_UNDO;
		}
	}
	for (i = s.vs; i < s.ve; i++) {
		int h = hook_of(w->l[i].ch, set);
		unsigned char m = w->l[i].mark;

		if (h == M_NONE)
			continue;
		w->l[i].mark = (unsigned char)h;
		if (plausible(w, &s))
			return R_DONE;
		w->l[i].mark = m;
	}
	return R_APPEND;
}

/* đ: the initial d of a plausible word (free marking, dd undoes), or a d
 * typed just before (SDD -> SĐ, oddp -> ođp). */
static int do_dd(struct word *w)
{
	struct syl s;
	struct letter *l;

	if (w->n > 0 && w->l[0].ch == 'd' && plausible(w, &s)) {
		if (w->l[0].mark == M_NONE) {
			w->l[0].mark = M_BAR;
			return R_DONE;
		}
		w->l[0].mark = M_NONE;
		return R_UNDO;
	}
	if (w->n == 0)
		return R_APPEND;
	l = &w->l[w->n - 1];
	if (l->ch == 'd' && l->mark == M_NONE && (w->n == 1 || w->l[w->n - 2].ch != 'd')) {
		l->mark = M_BAR;
		return R_DONE;
	}
	return R_APPEND;
}

/* Vowel marks, tones, or a đ that is not the first letter (add -> ađ);
 * a leading đ alone is an abbreviation (đt) and is left alone. */
static int has_marks(const struct word *w)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (w->l[i].tone || (w->l[i].mark && (w->l[i].mark != M_BAR || i > 0)))
			return 1;
	return 0;
}

/* Puts the keys typed back as the word's letters, key included (aacr stays
 * aacr); 0 if they are not known or do not fit. */
static int keys_back(struct word *w, uint32_t key)
{
	int i;

	if (w->raw_lost || w->nraw + 1 > WORD_MAX || !has_marks(w))
		return 0;
	push_raw(w, key);
	for (i = 0; i < w->nraw; i++)
		letter_from_cp(w->raw[i], &w->l[i]);
	w->n = w->nraw;
	return 1;
}

/* Applies one ASCII key of Telex or VNI to the word (which has room). */
static void compose_key(struct word *w, uint32_t key, ime_method m, ime_style st)
{
	int upper = key >= 'A' && key <= 'Z';
	int c = upper ? (int)key + 32 : (int)key;
	int r = R_APPEND;

	if (m == IME_TELEX) {
		switch (c) {
		case 's': r = do_tone(w, IME_TONE_SAC, st); break;
		case 'f': r = do_tone(w, IME_TONE_HUYEN, st); break;
		case 'r': r = do_tone(w, IME_TONE_HOI, st); break;
		case 'x': r = do_tone(w, IME_TONE_NGA, st); break;
		case 'j': r = do_tone(w, IME_TONE_NANG, st); break;
		case 'z': r = do_tone(w, IME_TONE_NONE, st); break;
		case 'a': case 'e': case 'o': r = do_roof(w, c); break;
		case 'w': r = do_hook(w, HK_A | HK_O | HK_U, 1, upper); break;
		case 'd': r = do_dd(w); break;
		default: break;
		}
	} else {
		switch (c) {
		case '0': case '1': case '2': case '3': case '4': case '5':
			r = do_tone(w, c - '0', st);
			break;
		case '6': r = do_roof(w, 0); break;
		case '7': r = do_hook(w, HK_O | HK_U, 0, 0); break;
		case '8': r = do_hook(w, HK_A, 0, 0); break;
		case '9': r = do_dd(w); break;
		default: break;
		}
	}
	if (r == R_STOP && keys_back(w, key))
		return;
	if (r != R_DONE) {
		struct letter nl = { (unsigned char)c, M_NONE, 0, upper ? L_UPPER : 0 };

		push_letter(w, &nl, r == R_APPEND);
	}
	push_raw(w, key);
	replace_tone(w, st);
}

/* Whether restoring the typed keys is due at the end of the word: it has
 * vowel marks or a tone and is not a Vietnamese syllable. */
static int restore_due(const struct word *w)
{
	return !w->raw_lost && w->nraw > 0 && has_marks(w) && !valid_word(w);
}

/* Tone for ime_tone: by the rules on a plausible word, on the last vowel
 * group of any other word.  Returns TT_ERR_INVAL when nothing can carry
 * it or a stop final forbids it. */
static tt_err osk_tone(struct word *w, int tone, ime_style st)
{
	struct syl s;
	int i, vs, ve, fin, p;

	if (plausible(w, &s) && s.ve > s.vs && !q_only(&s)) {
		vs = s.vs;
		ve = s.ve;
		fin = s.fin != 0;
		if (tone && (s.fin & FN_STOP) && tone != IME_TONE_SAC && tone != IME_TONE_NANG)
			return TT_ERR_INVAL;
	} else {
		for (ve = w->n; ve > 0 && !is_vowel(w->l[ve - 1].ch); ve--)
			;
		if (ve == 0)
			return TT_ERR_INVAL;
		for (vs = ve - 1; vs > 0 && is_vowel(w->l[vs - 1].ch) && ve - vs < 3; vs--)
			;
		fin = ve < w->n;
	}
	p = place(w->l, vs, ve, fin, st);
	for (i = 0; i < w->n; i++)
		w->l[i].tone = 0;
	w->l[p].tone = (unsigned char)tone;
	return TT_OK;
}

/* --- the text ----------------------------------------------------------- */

static void *(*const volatile wipe_fn)(void *, int, size_t) = memset;

/* Zeroes memory in a way the compiler may not drop. */
static void wipe(void *p, size_t n)
{
	if (p && n)
		wipe_fn(p, 0, n);
}

static void free_wiped(void *p, size_t n)
{
	wipe(p, n);
	free(p);
}

/* free_wiped for a NUL-terminated string; accepts NULL. */
static void free_wiped_str(char *s)
{
	if (s)
		free_wiped(s, strlen(s));
}

static uint32_t cp_at(const char *b, size_t len, size_t pos)
{
	utf8proc_int32_t c = 0;

	utf8proc_iterate((const utf8proc_uint8_t *)b + pos, (utf8proc_ssize_t)(len - pos), &c);
	return (uint32_t)c;
}

static uint32_t cp_before(const char *b, size_t pos, size_t *start)
{
	size_t q = pos;

	do
		q--;
	while (q > 0 && ((unsigned char)b[q] & 0xC0) == 0x80);
	*start = q;
	return cp_at(b, pos, q);
}

/* May c attach to (or compose with) whatever precedes it? */
static int joins_prev_side(uint32_t c)
{
	const utf8proc_property_t *p;

	if (c < 0x80)
		return 0;
	p = utf8proc_get_property((utf8proc_int32_t)c);
	return p->combining_class != 0 || p->boundclass == UTF8PROC_BOUNDCLASS_EXTEND ||
	       p->boundclass == UTF8PROC_BOUNDCLASS_SPACINGMARK ||
	       p->boundclass == UTF8PROC_BOUNDCLASS_ZWJ ||
	       p->boundclass == UTF8PROC_BOUNDCLASS_E_MODIFIER;
}

/* May whatever follows c attach to it? */
static int joins_next_side(uint32_t c)
{
	return c >= 0x80 &&
	       utf8proc_get_property((utf8proc_int32_t)c)->boundclass == UTF8PROC_BOUNDCLASS_PREPEND;
}

/* A character that never forms a grapheme with a neighbour of the same kind. */
static int plain_cp(uint32_t c)
{
	struct letter l;

	return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || letter_from_cp(c, &l);
}

static size_t line_start(const char *b, size_t pos)
{
	while (pos > 0 && b[pos - 1] != '\n')
		pos--;
	return pos;
}

/* Grapheme boundaries: the last one at or before pos (floor) and the first
 * one after pos.  A line feed always ends a grapheme, so scanning from the
 * start of the line is enough. */
static size_t bound_floor(const char *b, size_t len, size_t pos)
{
	size_t p, best;
	utf8proc_int32_t prev = -1, c, state = 0;

	if (pos >= len)
		return len;
	p = best = line_start(b, pos);
	while (p < len) {
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)b + p,
		                                      (utf8proc_ssize_t)(len - p), &c);

		if (k <= 0)
			break;
		if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, c, &state)) {
			if (p > pos)
				break;
			best = p;
		}
		prev = c;
		p += (size_t)k;
	}
	return best;
}

static size_t bound_next(const char *b, size_t len, size_t pos)
{
	size_t p;
	utf8proc_int32_t prev = -1, c, state = 0;

	if (pos >= len)
		return len;
	p = line_start(b, pos);
	while (p < len) {
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)b + p,
		                                      (utf8proc_ssize_t)(len - p), &c);

		if (k <= 0)
			break;
		if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, c, &state) && p > pos)
			return p;
		prev = c;
		p += (size_t)k;
	}
	return len;
}

static size_t count_graphemes(const char *b, size_t len)
{
	size_t p = 0, n = 0;
	utf8proc_int32_t prev = -1, c, state = 0;

	while (p < len) {
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)b + p,
		                                      (utf8proc_ssize_t)(len - p), &c);

		if (k <= 0)
			break;
		if (prev < 0 || utf8proc_grapheme_break_stateful(prev, c, &state))
			n++;
		prev = c;
		p += (size_t)k;
	}
	return n;
}

/* Makes room for need bytes plus the NUL; old memory is wiped. */
static int grow(ime *e, size_t need)
{
	size_t nc = e->cap;
	char *nb;

	if (need < e->cap)
		return 0;
	while (nc <= need) {
		if (nc > (size_t)-1 / 2)
			return -1;
		nc *= 2;
	}
	nb = malloc(nc);
	if (!nb)
		return -1;
	memcpy(nb, e->buf, e->len + 1);
	free_wiped(e->buf, e->cap);
	e->buf = nb;
	e->cap = nc;
	return 0;
}

/* Replaces buf[a, z) by s[0, n); bytes no longer used are wiped. */
static int splice(ime *e, size_t a, size_t z, const char *s, size_t n)
{
	size_t nl = e->len - (z - a) + n;

	if (nl > e->len && grow(e, nl))
		return -1;
	memmove(e->buf + a + n, e->buf + z, e->len - z + 1);
	memcpy(e->buf + a, s, n);
	if (nl < e->len)
		memset(e->buf + nl + 1, 0, e->len - nl);
	e->len = nl;
	return 0;
}

static char *dup_range(const char *b, size_t a, size_t z)
{
	char *s = malloc(z - a + 1);

	if (s) {
		memcpy(s, b + a, z - a);
		s[z - a] = '\0';
	}
	return s;
}

/* After an edit that ended at the cursor and may have joined characters:
 * re-normalises from the start of the line to the end of the grapheme
 * after the cursor, keeps the cursor after what was inserted (or after the
 * grapheme it merged into) and recounts the graphemes. */
static tt_err settle(ime *e)
{
	size_t ls = line_start(e->buf, e->cur);
	size_t ge = bound_next(e->buf, e->len, e->cur);
	char *a = dup_range(e->buf, ls, e->cur), *ab = dup_range(e->buf, ls, ge);
	char *na = NULL, *nab = NULL;
	size_t la, lab, nc;
	tt_err err = TT_ERR_NOMEM;

	if (!a || !ab)
		goto cleanup;
	na = (char *)utf8proc_NFC((const utf8proc_uint8_t *)a);
	nab = (char *)utf8proc_NFC((const utf8proc_uint8_t *)ab);
	if (!na || !nab)
		goto cleanup;
	la = strlen(na);
	lab = strlen(nab);
	nc = lab >= la && memcmp(nab, na, la) == 0 ? la : lab;
	if (splice(e, ls, ge, nab, lab))
		goto cleanup;
	e->cur = ls + nc;
	if (bound_floor(e->buf, e->len, e->cur) != e->cur)
		e->cur = bound_next(e->buf, e->len, e->cur);
	e->ngraph = count_graphemes(e->buf, e->len);
	err = TT_OK;
cleanup:
	free_wiped_str(a);
	free_wiped_str(ab);
	free_wiped_str(na);
	free_wiped_str(nab);
	return err;
}

struct snap {
	char *buf;
	size_t len, cur, ngraph, wstart;
	int live, wfast;
	struct word w;
};

static int snap_take(const ime *e, struct snap *s)
{
	s->buf = dup_range(e->buf, 0, e->len);
	s->len = e->len;
	s->cur = e->cur;
	s->ngraph = e->ngraph;
	s->wstart = e->wstart;
	s->live = e->live;
	s->wfast = e->wfast;
	s->w = e->w;
	return s->buf ? 0 : -1;
}

static void snap_drop(struct snap *s)
{
	free_wiped(s->buf, s->len);
	s->buf = NULL;
}

/* Puts the text back as it was; the buffer is at least as large. */
static void snap_back(ime *e, struct snap *s)
{
	if (e->len > s->len)
		memset(e->buf + s->len, 0, e->len - s->len);
	memcpy(e->buf, s->buf, s->len + 1);
	e->len = s->len;
	e->cur = s->cur;
	e->ngraph = s->ngraph;
	e->wstart = s->wstart;
	e->live = s->live;
	e->wfast = s->wfast;
	e->w = s->w;
	snap_drop(s);
}

/* Replaces buf[a, z) by s, cursor after it, on the slow path: normalises
 * and recounts; over the limit nothing changes (TT_ERR_FULL). */
static tt_err replace_slow(ime *e, size_t a, size_t z, const char *s, size_t n)
{
	struct snap sn;
	tt_err err;

	if (snap_take(e, &sn))
		return TT_ERR_NOMEM;
	if (splice(e, a, z, s, n)) {
		snap_back(e, &sn);
		return TT_ERR_NOMEM;
	}
	e->cur = a + n;
	err = settle(e);
	if (!err && e->max && e->ngraph > e->max && e->ngraph > sn.ngraph)
		err = TT_ERR_FULL;
	if (err)
		snap_back(e, &sn);
	else
		snap_drop(&sn);
	return err;
}

/* Can the word at the cursor be edited without its neighbours joining it? */
static int word_fast(const ime *e)
{
	size_t q;

	if (e->wstart > 0 && joins_next_side(cp_before(e->buf, e->wstart, &q)))
		return 0;
	if (e->cur < e->len && joins_prev_side(cp_at(e->buf, e->len, e->cur)))
		return 0;
	return 1;
}

/* Starts an empty word at the cursor. */
static void word_begin(ime *e)
{
	e->w.n = 0;
	e->w.nraw = 0;
	e->w.raw_lost = 0;
	e->wstart = e->cur;
	e->live = 1;
	e->wfast = word_fast(e);
}

/* Rebuilds the word from the letters before the cursor. */
static void rebuild(ime *e)
{
	struct letter tmp[WORD_MAX];
	uint32_t cps[WORD_MAX];
	size_t p = e->cur, q;
	int n = 0, i;

	while (p > 0 && n < WORD_MAX) {
		uint32_t c = cp_before(e->buf, p, &q);

		if (!letter_from_cp(c, &tmp[n]))
			break;
		cps[n++] = c;
		p = q;
	}
	for (i = 0; i < n; i++) {
		e->w.l[i] = tmp[n - 1 - i];
		e->w.raw[i] = cps[n - 1 - i];
	}
	e->w.n = e->w.nraw = n;
	e->w.raw_lost = 0;
	e->wstart = p;
	e->live = 1;
	e->wfast = word_fast(e);
}

static void ensure_word(ime *e)
{
	if (!e->live)
		rebuild(e);
}

/* Shows word w in place of the current one and makes it the state; over
 * the limit nothing changes (TT_ERR_FULL). */
static tt_err show_word(ime *e, const struct word *w)
{
	char out[WORD_MAX * 3];
	size_t n = render(w->l, w->n, out);
	tt_err err;

	if (e->wfast) {
		size_t ng = e->ngraph - (size_t)e->w.n + (size_t)w->n;

		if (e->max && ng > e->max && ng > e->ngraph)
			return TT_ERR_FULL;
		if (splice(e, e->wstart, e->cur, out, n))
			return TT_ERR_NOMEM;
		e->cur = e->wstart + n;
		e->ngraph = ng;
		e->w = *w;
		return TT_OK;
	}
	err = replace_slow(e, e->wstart, e->cur, out, n);
	if (err)
		return err;
	e->w = *w;
	if (e->cur != e->wstart + n || memcmp(e->buf + e->wstart, out, n) != 0)
		e->live = 0; /* the word merged with what follows it */
	return TT_OK;
}

/* The first letter leaves a full word: the word then starts after it. */
static void slide(ime *e)
{
	char tmp[4];

	e->wstart += render(e->w.l, 1, tmp);
	memmove(e->w.l, e->w.l + 1, sizeof e->w.l[0] * (size_t)(e->w.n - 1));
	e->w.n--;
	e->w.raw_lost = 1;
}

/* A key that composes: ASCII letter or digit, or a Vietnamese letter. */
static tt_err word_key(ime *e, uint32_t cp, const struct letter *vl)
{
	struct word nw;

	ensure_word(e);
	if (e->w.n == WORD_MAX)
		slide(e);
	nw = e->w;
	if (!vl) {
		compose_key(&nw, cp, e->method, e->style);
	} else {
		push_letter(&nw, vl, 1);
		push_raw(&nw, cp);
		replace_tone(&nw, e->style);
	}
	return show_word(e, &nw);
}

/* Inserts a character at the cursor as is. */
static tt_err insert_cp(ime *e, uint32_t cp)
{
	char s[4];
	size_t n = (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)s);
	uint32_t prev = 0, next = 0;
	size_t q;

	if (e->cur > 0)
		prev = cp_before(e->buf, e->cur, &q);
	if (e->cur < e->len)
		next = cp_at(e->buf, e->len, e->cur);
	if (plain_cp(cp) && !joins_next_side(prev) && !joins_prev_side(next) &&
	    !(prev == '\r' && cp == '\n')) {
		if (e->max && e->ngraph + 1 > e->max)
			return TT_ERR_FULL;
		if (splice(e, e->cur, e->cur, s, n))
			return TT_ERR_NOMEM;
		e->cur += n;
		e->ngraph++;
		return TT_OK;
	}
	return replace_slow(e, e->cur, e->cur, s, n);
}

/* Ends the word; with restore, puts back the keys of a non-Vietnamese one.
 * Returns TT_ERR_FULL (and changes nothing) if that exceeds the limit. */
static tt_err end_word(ime *e, int restore)
{
	char out[RAW_MAX * 4];
	size_t n = 0;
	int i;
	tt_err err;

	if (!restore || !e->live || e->method == IME_DIRECT || !restore_due(&e->w)) {
		word_begin(e);
		return TT_OK;
	}
	for (i = 0; i < e->w.nraw; i++)
		n += (size_t)utf8proc_encode_char((utf8proc_int32_t)e->w.raw[i],
		                                  (utf8proc_uint8_t *)out + n);
	if (e->wfast) {
		size_t ng = e->ngraph - (size_t)e->w.n + (size_t)e->w.nraw;

		if (e->max && ng > e->max && ng > e->ngraph)
			return TT_ERR_FULL;
		if (splice(e, e->wstart, e->cur, out, n))
			return TT_ERR_NOMEM;
		e->cur = e->wstart + n;
		e->ngraph = ng;
	} else {
		err = replace_slow(e, e->wstart, e->cur, out, n);
		if (err)
			return err;
	}
	word_begin(e);
	return TT_OK;
}

static int cp_ok(uint32_t cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if (cp < 0x20)
		return cp == '\n' || cp == '\t';
	return cp < 0x7F || cp > 0x9F;
}

/* --- API ---------------------------------------------------------------- */

/* Creates an engine with an empty text.  Returns NULL on out of memory or
 * for a method or style that does not exist. */
ime *ime_new(ime_method method, ime_style style)
{
	ime *e;

	if ((unsigned)method > IME_DIRECT || (unsigned)style > IME_STYLE_NEW)
		return NULL;
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->buf = calloc(1, INIT_CAP);
	if (!e->buf) {
		free(e);
		return NULL;
	}
	e->cap = INIT_CAP;
	e->method = method;
	e->style = style;
	word_begin(e);
	return e;
}

/* Zeroes the text, the word state and the engine, then frees them.
 * Accepts NULL. */
void ime_free(ime *e)
{
	if (!e)
		return;
	free_wiped(e->buf, e->cap);
	free_wiped(e, sizeof *e);
}

/* Switches the method (an unknown one is ignored); ends the word without
 * restoring it. */
void ime_set_method(ime *e, ime_method method)
{
	if (!e || (unsigned)method > IME_DIRECT)
		return;
	e->method = method;
	word_begin(e);
}

/* The current method (IME_TELEX for NULL). */
ime_method ime_get_method(const ime *e)
{
	return e ? e->method : IME_TELEX;
}

/* Sets the tone placement style for the keys that follow; the word on
 * screen is not changed.  An unknown style is ignored. */
void ime_set_style(ime *e, ime_style style)
{
	if (e && (unsigned)style <= IME_STYLE_NEW)
		e->style = style;
}

/* Limits the text to max_graphemes (0: none).  A text already longer is
 * kept; only keys that would make it grow are refused. */
void ime_set_max(ime *e, size_t max_graphemes)
{
	if (e)
		e->max = max_graphemes;
}

/* Feeds one key.  ASCII letters and digits go through the method (all
 * keys are inserted as is in direct mode), Vietnamese letters join the
 * word as typed, anything else ends the word (restoring the keys of a
 * marked non-Vietnamese word, Telex and VNI only) and is inserted.
 * Returns TT_OK, TT_ERR_FULL (nothing changed), TT_ERR_INVAL (NULL engine;
 * cp 0, a surrogate, beyond U+10FFFF, or a control other than tab and
 * line feed) or TT_ERR_NOMEM. */
tt_err ime_feed(ime *e, uint32_t cp)
{
	struct letter l;
	tt_err err;

	if (!e || !cp_ok(cp))
		return TT_ERR_INVAL;
	if (e->method == IME_DIRECT) {
		err = insert_cp(e, cp);
		if (!err)
			e->live = 0;
		return err;
	}
	if (is_ascii_alnum(cp))
		return word_key(e, cp, NULL);
	if (letter_from_cp(cp, &l))
		return word_key(e, cp, &l);
	if (e->live && e->w.n > 0 && restore_due(&e->w)) {
		/* restore and insert must both fit or neither happens */
		struct snap sn;

		if (snap_take(e, &sn))
			return TT_ERR_NOMEM;
		err = end_word(e, 1);
		if (!err)
			err = insert_cp(e, cp);
		if (err) {
			snap_back(e, &sn);
			return err;
		}
		snap_drop(&sn);
	} else {
		err = insert_cp(e, cp);
		if (err)
			return err;
	}
	word_begin(e);
	return TT_OK;
}

/* Feeds a NUL-terminated UTF-8 string key by key (borrowed; it may be
 * ime_text() of the same engine).  Returns the first error (TT_ERR_PARSE
 * for invalid UTF-8, TT_ERR_NOMEM); keys before it stay fed. */
tt_err ime_feed_str(ime *e, const char *keys)
{
	const utf8proc_uint8_t *p;
	char *copy = NULL;
	tt_err err = TT_OK;

	if (!e || !keys)
		return TT_ERR_INVAL;
	if ((uintptr_t)keys >= (uintptr_t)e->buf && (uintptr_t)keys < (uintptr_t)e->buf + e->cap) {
		copy = dup_range(keys, 0, strlen(keys)); /* the text changes as we feed */
		if (!copy)
			return TT_ERR_NOMEM;
		keys = copy;
	}
	for (p = (const utf8proc_uint8_t *)keys; *p && !err;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);

		if (k <= 0) {
			err = TT_ERR_PARSE;
			break;
		}
		err = ime_feed(e, (uint32_t)c);
		p += k;
	}
	free_wiped_str(copy);
	return err;
}

/* Ends the word without inserting anything; a marked non-Vietnamese word
 * gets its typed keys back unless that would pass the limit. */
void ime_commit(ime *e)
{
	if (!e)
		return;
	if (end_word(e, 1) != TT_OK)
		word_begin(e);
}

/* Removes the grapheme before the cursor.  When that was a letter of a
 * word (Telex, VNI), the rest of the word is rebuilt and its tone put back
 * in place (tủy minus y is tủ).  Returns TT_ERR_STATE at the start of the
 * text, TT_ERR_NOMEM if the slow path cannot allocate. */
tt_err ime_backspace(ime *e)
{
	size_t g, q;
	uint32_t prev = 0, next = 0;
	utf8proc_int32_t c = 0;
	utf8proc_ssize_t k;
	struct letter l;
	int letter;
	tt_err err;

	if (!e)
		return TT_ERR_INVAL;
	if (e->cur == 0)
		return TT_ERR_STATE;
	g = bound_floor(e->buf, e->len, e->cur - 1);
	k = utf8proc_iterate((const utf8proc_uint8_t *)e->buf + g,
	                     (utf8proc_ssize_t)(e->len - g), &c);
	letter = g + (size_t)k == e->cur && letter_from_cp((uint32_t)c, &l);
	if (g > 0)
		prev = cp_before(e->buf, g, &q);
	if (e->cur < e->len)
		next = cp_at(e->buf, e->len, e->cur);
	if ((g == 0 || (plain_cp(prev) && prev != '\r')) && (!next || plain_cp(next))) {
		if (splice(e, g, e->cur, "", 0))
			return TT_ERR_NOMEM;
		e->cur = g;
		e->ngraph--;
	} else {
		err = replace_slow(e, g, e->cur, "", 0);
		if (err)
			return err;
	}
	e->live = 0;
	if (letter && e->method != IME_DIRECT && e->cur > 0 &&
	    letter_from_cp(cp_before(e->buf, e->cur, &q), &l)) {
		struct word nw;

		rebuild(e);
		nw = e->w;
		replace_tone(&nw, e->style);
		if (show_word(e, &nw) != TT_OK)
			e->live = 0;
	}
	return TT_OK;
}

/* Puts tone t on the word before the cursor (any method): by the rules on
 * a Vietnamese word, on its last vowel group otherwise; the same tone
 * again changes nothing, IME_TONE_NONE removes it.  The word is then never
 * restored to its keys.  Returns TT_ERR_INVAL if no vowel can carry the
 * tone or a final c, ch, p, t forbids it (only sắc and nặng there). */
tt_err ime_tone(ime *e, enum ime_tone t)
{
	struct word nw;
	tt_err err;

	if (!e || (unsigned)t > IME_TONE_NANG)
		return TT_ERR_INVAL;
	if (!e->live || e->w.n == 0)
		rebuild(e); /* also the word an <Enter> or a method switch ended */
	nw = e->w;
	err = osk_tone(&nw, (int)t, e->style);
	if (err)
		return err;
	nw.raw_lost = 1;
	return show_word(e, &nw);
}

/* The text, NUL-terminated, NFC; borrowed until the next change. */
const char *ime_text(const ime *e)
{
	return e ? e->buf : "";
}

/* The cursor as a byte offset into ime_text(), on a grapheme boundary. */
size_t ime_cursor(const ime *e)
{
	return e ? e->cur : 0;
}

/* Graphemes in the text, kept up to date by every call (0 for NULL). */
size_t ime_length(const ime *e)
{
	return e ? e->ngraph : 0;
}

/* Replaces the text by a normalised copy of text.  cursor is a byte
 * offset into text; it is mapped into the normalised text and moved back
 * to a grapheme boundary.  Ends the word: the next key composes the word
 * before the new cursor.  Returns TT_ERR_PARSE for invalid UTF-8,
 * TT_ERR_FULL over the limit (nothing changed), TT_ERR_NOMEM. */
tt_err ime_set_text(ime *e, const char *text, size_t cursor)
{
	const utf8proc_uint8_t *p;
	char *nfc = NULL, *pre = NULL, *npre = NULL;
	size_t n, g, c;
	tt_err err = TT_ERR_NOMEM;

	if (!e || !text)
		return TT_ERR_INVAL;
	for (p = (const utf8proc_uint8_t *)text; *p;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);

		if (k <= 0)
			return TT_ERR_PARSE;
		p += k;
	}
	n = strlen(text);
	c = cursor < n ? cursor : n;
	while (c > 0 && ((unsigned char)text[c] & 0xC0) == 0x80)
		c--;
	nfc = (char *)utf8proc_NFC((const utf8proc_uint8_t *)text);
	pre = dup_range(text, 0, c);
	if (!nfc || !pre)
		goto cleanup;
	npre = (char *)utf8proc_NFC((const utf8proc_uint8_t *)pre);
	if (!npre)
		goto cleanup;
	n = strlen(nfc);
	g = count_graphemes(nfc, n);
	if (e->max && g > e->max) {
		err = TT_ERR_FULL;
		goto cleanup;
	}
	if (n >= e->cap && grow(e, n))
		goto cleanup;
	if (e->len > n)
		memset(e->buf + n, 0, e->len - n);
	memcpy(e->buf, nfc, n + 1);
	e->len = n;
	e->ngraph = g;
	c = strlen(npre);
	e->cur = bound_floor(e->buf, e->len, c < n ? c : n);
	e->live = 0;
	err = TT_OK;
cleanup:
	free_wiped_str(nfc);
	free_wiped_str(pre);
	free_wiped_str(npre);
	return err;
}

/* Moves the cursor to the grapheme boundary at or before byte offset
 * cursor (clamped to the text); ends the word without restoring it. */
void ime_set_cursor(ime *e, size_t cursor)
{
	if (!e)
		return;
	e->cur = bound_floor(e->buf, e->len, cursor < e->len ? cursor : e->len);
	e->live = 0;
}

/* Zeroes the text and the composition state; method, style and limit
 * stay. */
void ime_clear(ime *e)
{
	if (!e)
		return;
	wipe(e->buf, e->cap);
	wipe(&e->w, sizeof e->w);
	e->len = e->cur = e->ngraph = 0;
	word_begin(e);
}
