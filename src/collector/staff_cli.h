/* staff_cli.h - tramtin-collector's staff accounts and audit log commands.
 *
 *   staff add|passwd  --db FILE USER   (the password on standard input)
 *   staff disable|enable --db FILE USER
 *   staff list --db FILE
 *   audit --db FILE [--limit N]        (newest first, tab-separated)
 *
 * Exit status: 0 done, 1 refused (user exists / unknown) or a failed
 * write, 2 bad usage (one line naming the argument or file). */
#ifndef TRAMTIN_COLLECTOR_STAFF_CLI_H
#define TRAMTIN_COLLECTOR_STAFF_CLI_H

#include <stdbool.h>

bool staff_cli_handles(const char *name);
/* argv[0] is "staff" or "audit". */
int staff_cli(int argc, char **argv);

#endif
