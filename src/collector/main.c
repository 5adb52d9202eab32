/* main.c - tramtin-collector: the daemon and its command line.
 *
 *   tramtin-collector serve --config FILE
 *   tramtin-collector list|show|respond|set-status|export|report --db FILE ...
 *   tramtin-collector staff add|passwd|disable|enable|list --db FILE [USER]
 *   tramtin-collector audit --db FILE [--limit N]
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "collector.h"
#include "staff_cli.h"
#include "tramtin/log.h"
#include "tt_build.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: tramtin-collector serve --config FILE\n"
	           "       tramtin-collector list|show|respond|set-status|export|report --db FILE ...\n"
	           "       tramtin-collector staff add|passwd|disable|enable|list --db FILE [USER]\n"
	           "       tramtin-collector audit --db FILE [--limit N]\n"
	           "       tramtin-collector --version\n");
}

int main(int argc, char **argv)
{
	tt_log_init("tramtin-collector", TT_LOG_INFO);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tramtin-collector %s\n", TT_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "serve")) {
		collector_config cfg;
		char err[1024];
		if (argc != 4 || strcmp(argv[2], "--config") != 0) {
			fprintf(stderr, "tramtin-collector: serve needs --config FILE\n");
			return 2;
		}
		collector_config_defaults(&cfg);
		if (collector_config_load(&cfg, argv[3], err, sizeof err) != TT_OK) {
			fprintf(stderr, "tramtin-collector: %s\n", err);
			return 2;
		}
		return collector_serve(&cfg);
	}
	if (staff_cli_handles(argv[1]))
		return staff_cli(argc - 1, argv + 1);
	return collector_cli(argc - 1, argv + 1);
}
