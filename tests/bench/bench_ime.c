/* bench_ime.c - how many Telex keys a second the input engine takes.
 *
 * A long Telex text (sentences of the programme, with free marking, undo
 * and a few backspaces' worth of corrections typed as keys) is decoded
 * once into code points, then fed key by key with ime_feed many times, the
 * engine cleared between rounds so the text stays the size of a form
 * field.  Prints "ime: N keys/s" (and the text of the last round on
 * request, to see that the work is real).
 *
 * Usage: bench_ime [ROUNDS] [-v] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <utf8proc.h>

#include "tramtin/ime.h"

static const char text[] =
	"Tooi muoons gops ys veef chisnh sachs giamr ngheof beenf vuwngx. "
	"Xin chaof, tooi laf nguwowfi daan tinhr Haf Tixnh, hooj caanj ngheof "
	"nawm 2024. Gia ddinhf tooi thuoocj dieenj hooj ngheof nhuwng chuwa "
	"dduwowcj hoox trowj kipj thowfi. Tooi muoons phanr anhs veef vieecj "
	"xets duyeetj hooj ngheof chuwa ddungs quy ddinhj, ddeef nghij Mawtj "
	"traanj Toor quoocs xax xem xets laji vaf giair quyeets khieeus naij "
	"cuar chusng tooi. Nguoiwf daan mong muoons chuwowng trifnh mujc tieeu "
	"quoocs gia giamr ngheof beenf vuwngx dduwowcj thuwcj hieenj coong "
	"khai, minh bajch. Xin traan trongj camr own! VIEETJ NAM, Hoaf thuaanj, "
	"thuyr lowij, uoww, thuowngf, khuryu, gisa, ddawks lawks, awoo, add.\n";

int main(int argc, char **argv)
{
	long rounds = 20000, r;
	int verbose = 0, i;
	uint32_t keys[sizeof text];
	size_t nkeys = 0, k;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
	struct timespec t0, t1;
	double secs;
	ime *e;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if ((rounds = strtol(argv[i], NULL, 10)) <= 0)
			rounds = 20000;
	}
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

		if (n <= 0)
			return 1;
		keys[nkeys++] = (uint32_t)c;
		p += n;
	}
	e = ime_new(IME_TELEX, IME_STYLE_OLD);
	if (!e)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < rounds; r++) {
		ime_clear(e);
		for (k = 0; k < nkeys; k++)
			ime_feed(e, keys[k]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (verbose)
		printf("%s", ime_text(e));
	printf("ime: %.0f keys/s (%zu keys x %ld rounds in %.3f s)\n",
	       (double)nkeys * (double)rounds / secs, nkeys, rounds, secs);
	ime_free(e);
	return 0;
}
