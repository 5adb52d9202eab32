/* cli.h - tramtin-collector's command line over its database.
 *
 *   list        --db FILE [filters] [--json] [--limit N] [--after ID]
 *   show        --db FILE ID
 *   respond     --db FILE ID --text T | --text-file F [--status S]
 *   set-status  --db FILE ID [S] [--reason R] [--agency A] [--outcome O]
 *                            [--complex | --not-complex]
 *   export      --db FILE [--format csv|json|open311] [--out FILE]
 *                         [--with-contact] [--excel] [filters]
 *   report      --db FILE [--from D] [--to D] [--html FILE]
 *
 * Filters: --commune C --kiosk K --kind K --category C --status S
 * --from YYYY-MM-DD --to YYYY-MM-DD (local dates in Vietnam, both days
 * included) --overdue.  Output is UTF-8; tables align by display width.
 * Exit status: 0 done, 1 not found or refused by the lifecycle or a
 * failed write, 2 bad usage (one line on stderr naming the argument,
 * value or file at fault). */
#ifndef TRAMTIN_COLLECTOR_CLI_H
#define TRAMTIN_COLLECTOR_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Runs one subcommand: argv[0] is its name (list, show, ...), the rest
 * its arguments (borrowed).  Returns the exit status.  Logging
 * (tt_log_init) is the caller's; the store's warnings go there. */
int collector_cli(int argc, char **argv);

/* Whether name is one of the subcommands above. */
bool collector_cli_handles(const char *name);

/* The actor of the audit log for a command line change: "cli:USER". */
void collector_cli_actor(char *out, size_t n);

/* Prints the usage lines above to f. */
void collector_cli_usage(FILE *f);

#endif
