/* script_parse.h - the automation script as parsed: one command a line,
 * checked whole before anything runs.  No SDL here, so the fuzz target
 * (tests/fuzz/fuzz_script.c) takes the parser alone. */
#ifndef TRAMTIN_SCRIPT_PARSE_H
#define TRAMTIN_SCRIPT_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum op { OP_TAP, OP_TAP_OPT, OP_TOUCH, OP_HOLD, OP_KEYS, OP_EXPECT, OP_EXPECT_SCREEN, OP_ADVANCE, OP_WAIT_FOR, OP_SCREENSHOT, OP_DUMP,
          OP_MONKEY, OP_WAIT_DELIVERED, OP_SLEEP, OP_PRESS, OP_WAIT_CONTENT, OP_WAIT_CONTENT_ERROR, OP_EXPECT_SPEECH,
          OP_EXPECT_SILENT };

struct cmd {
	enum op op;
	int line;
	char *str;       /* text, id (without @), path, screen id or content channel */
	bool by_id, by_xy;
	long a, b, d;    /* numbers */
};

typedef struct script script;

struct script {
	char *path;
	struct cmd *cmds;
	size_t n;
};

/* Parses text[0..len) (need not end in a NUL); name stands for the file
 * in messages.  On a syntax error writes "NAME:LINE: message" into err and
 * returns NULL. */
script *script_parse(const char *name, const char *text, size_t len, char *err, size_t errlen);
void script_free(script *s);

#endif
