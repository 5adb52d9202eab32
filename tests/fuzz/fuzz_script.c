/* fuzz_script.c - fuzz target for the UI automation script parser
 * (script_parse, without SDL).  A script that parses must have its
 * commands in line order with their numbers; one that does not must say
 * "fuzz.script:LINE: why".  Nothing may crash, leak or read out of bounds.
 * libFuzzer target; with -DFUZZ_STANDALONE standalone.c gives it a main(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/script_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char err[512] = "";
	script *s = script_parse("fuzz.script", (const char *)data, size, err, sizeof err);
	if (!s) {
		if (strncmp(err, "fuzz.script:", 12) != 0) {
			fprintf(stderr, "fuzz_script: bad error line: '%s'\n", err);
			abort();
		}
		return 0;
	}
	int last = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->cmds[i].line <= last || s->cmds[i].a < 0 || s->cmds[i].b < 0 || s->cmds[i].d < 0) {
			fprintf(stderr, "fuzz_script: command %zu: bad line or number\n", i);
			abort();
		}
		last = s->cmds[i].line;
	}
	script_free(s);
	return 0;
}
