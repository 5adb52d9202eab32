/* script.h - the UI automation language (ARCHITECTURE.md), one command a
 * line: tap, tap?, keys, expect, expect-screen, advance, wait-for,
 * screenshot, dump, monkey, wait-delivered, sleep. */
#ifndef TRAMTIN_SCRIPT_H
#define TRAMTIN_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/ui.h"

typedef struct script script;

/* What the program lends the script: its periodic work (network, timers)
 * and, once there is an outbox, whether everything was delivered. */
typedef struct script_host {
	void *ctx;
	void (*tick)(void *ctx);                 /* may be NULL */
	/* returns 1 delivered, 0 not yet, -1 not available in this build */
	int (*delivered)(void *ctx);
} script_host;

/* Reads and checks the whole script.  On a syntax error writes
 * "FILE:LINE: message" into err and returns NULL. */
script *script_load(const char *path, char *err, size_t errlen);
void script_free(script *s);

/* Runs the script. Returns 0 when every command held, 1 when one failed
 * (one line on stderr naming the script line and what was visible). */
int script_run(script *s, ui *u, const script_host *host);

#endif
