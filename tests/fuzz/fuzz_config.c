/* fuzz_config.c - fuzz target for the INI configurations: the kiosk's
 * (config_load_text, then config_open_at over the week) and the
 * collector's (collector_config_load_text), both from the same text.
 * A failure must leave one non-empty line in err naming the file; nothing
 * may crash, leak or read out of bounds.  libFuzzer target; with
 * -DFUZZ_STANDALONE standalone.c gives it a main(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "tramtin/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(tt_err rc, const char *err)
{
	if (rc == TT_OK)
		return;
	if (strncmp(err, "fuzz.ini", 8) != 0 || strchr(err, '\n')) {
		fprintf(stderr, "fuzz_config: bad error line: '%s'\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char err[512];
	tt_config c;
	config_defaults(&c);
	tt_err rc = config_load_text(&c, "fuzz.ini", (const char *)data, size, err, sizeof err);
	check_err(rc, err);
	if (rc == TT_OK)
		for (int d = 1; d <= 7; d++)
			for (int m = 0; m < 24 * 60; m += 97)
				(void)config_open_at(&c, d, m);
	collector_config cc;
	collector_config_defaults(&cc);
	rc = collector_config_load_text(&cc, "fuzz.ini", (const char *)data, size, err, sizeof err);
	check_err(rc, err);
	return 0;
}
