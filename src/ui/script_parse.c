/* script_parse.c - reading an automation script (script_parse.h; the
 * language is in script.c's comment and ARCHITECTURE.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/text.h"
#include "ui/script_parse.h"

static const struct {
	const char *name;
	enum op op;
} names[] = {
	{"tap", OP_TAP}, {"tap?", OP_TAP_OPT}, {"touch", OP_TOUCH}, {"hold", OP_HOLD}, {"keys", OP_KEYS}, {"expect", OP_EXPECT},
	{"expect-screen", OP_EXPECT_SCREEN}, {"advance", OP_ADVANCE}, {"wait-for", OP_WAIT_FOR},
	{"screenshot", OP_SCREENSHOT}, {"dump", OP_DUMP}, {"monkey", OP_MONKEY},
	{"wait-delivered", OP_WAIT_DELIVERED}, {"sleep", OP_SLEEP}, {"press", OP_PRESS}, {"wait-content", OP_WAIT_CONTENT},
	{"wait-content-error", OP_WAIT_CONTENT_ERROR}, {"expect-speech", OP_EXPECT_SPEECH}, {"expect-silent", OP_EXPECT_SILENT},
};

void script_free(script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->cmds[i].str);
	free(s->cmds);
	free(s->path);
	free(s);
}

/* Reads one argument at *p: "quoted text" (\" and \\ escapes), or a bare
 * word.  Returns a new string, or NULL at the end of the line; sets *bad
 * on an unterminated quote. */
static char *arg(const char **p, bool *bad, bool *quoted)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	*quoted = false;
	if (!*s || *s == '#')
		return NULL;
	char *out = malloc(strlen(s) + 1), *o = out;
	if (!out) {
		*bad = true;
		return NULL;
	}
	if (*s == '"') {
		*quoted = true;
		s++;
		while (*s && *s != '"') {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			*o++ = *s++;
		}
		if (*s != '"') {
			*bad = true;
			free(out);
			return NULL;
		}
		s++;
	} else {
		while (*s && *s != ' ' && *s != '\t')
			*o++ = *s++;
	}
	*o = '\0';
	*p = s;
	return out;
}

static bool number(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0)
		return false;
	*out = v;
	return true;
}

static bool parse_line(const char *line, struct cmd *c, char *why, size_t whylen)
{
	const char *p = line;
	bool bad = false, q;
	char *word = arg(&p, &bad, &q);
	char *a1 = NULL, *a2 = NULL, *a3 = NULL, *a4 = NULL;
	bool q1 = false, q2, q3, q4;
	bool ok = false;
	if (!word)
		return false;
	a1 = arg(&p, &bad, &q1);
	a2 = arg(&p, &bad, &q2);
	a3 = arg(&p, &bad, &q3);
	a4 = arg(&p, &bad, &q4);
	if (bad) {
		snprintf(why, whylen, "unterminated quoted text");
		goto out;
	}
	size_t k;
	for (k = 0; k < sizeof names / sizeof names[0]; k++)
		if (strcmp(word, names[k].name) == 0)
			break;
	if (k == sizeof names / sizeof names[0]) {
		snprintf(why, whylen, "unknown command '%s'", word);
		goto out;
	}
	c->op = names[k].op;
	switch (c->op) {
	case OP_TAP:
	case OP_TAP_OPT:
	case OP_TOUCH:
		if (a1 && a2 && !q1 && number(a1, &c->a) && number(a2, &c->b) && !a3) {
			c->by_xy = true;
			ok = true;
		} else if (a1 && !a2 && !q1 && a1[0] == '@' && a1[1]) {
			c->by_id = true;
			c->str = strdup(a1 + 1);
			ok = true;
		} else if (a1 && !a2 && q1) {
			c->str = strdup(a1);
			ok = true;
		} else {
			snprintf(why, whylen, "%s takes \"label\", @id or X Y", word);
		}
		break;
	case OP_EXPECT_SILENT:
		if (!a1)
			ok = true;
		else
			snprintf(why, whylen, "expect-silent takes nothing");
		break;
	case OP_KEYS:
	case OP_EXPECT:
	case OP_EXPECT_SPEECH:
		if (a1 && q1 && !a2) {
			c->str = strdup(a1);
			ok = true;
		} else {
			snprintf(why, whylen, "%s takes one \"quoted text\"", word);
		}
		break;
	case OP_EXPECT_SCREEN:
	case OP_SCREENSHOT:
	case OP_DUMP:
		if (a1 && !a2) {
			c->str = strdup(a1);
			ok = true;
		} else {
			snprintf(why, whylen, "%s takes one %s", word, c->op == OP_EXPECT_SCREEN ? "screen id" : "file name");
		}
		break;
	case OP_PRESS:
		if (a1 && !a2 && (!strcmp(a1, "Tab") || !strcmp(a1, "Shift+Tab") || !strcmp(a1, "Return") || !strcmp(a1, "space"))) {
			c->str = strdup(a1);
			ok = true;
		} else {
			snprintf(why, whylen, "press takes one key: Tab, Shift+Tab, Return or space");
		}
		break;
	case OP_WAIT_CONTENT:
		if (a1 && number(a1, &c->a) && !a2) {
			ok = true;
		} else if (a1 && number(a1, &c->a) && a2 && !q2 && !a3) {
			/* CHANNEL=VERSION: until that channel's version on screen is at least VERSION */
			char *eq = strchr(a2, '=');
			if (eq && eq != a2 && eq[1] >= '0' && eq[1] <= '9' && number(eq + 1, &c->b) && c->b > 0) {
				c->str = strndup(a2, (size_t)(eq - a2));
				ok = c->str != NULL;
			}
		}
		if (!ok)
			snprintf(why, whylen, "wait-content takes milliseconds, then optionally CHANNEL=VERSION (ht/xa=3)");
		break;
	case OP_ADVANCE:
	case OP_WAIT_DELIVERED:
	case OP_WAIT_CONTENT_ERROR:
	case OP_SLEEP:
		if (a1 && !a2 && number(a1, &c->a))
			ok = true;
		else
			snprintf(why, whylen, "%s takes one number of milliseconds", word);
		break;
	case OP_WAIT_FOR:
		if (a1 && q1 && a2 && number(a2, &c->a) && !a3) {
			c->str = strdup(a1);
			ok = true;
		} else {
			snprintf(why, whylen, "wait-for takes \"text\" and milliseconds");
		}
		break;
	case OP_HOLD:
		if (a1 && a1[0] == '@' && a1[1] && a2 && number(a2, &c->a) && !a3) {
			c->by_id = true;
			c->str = strdup(a1 + 1);
			ok = true;
		} else if (a1 && a2 && a3 && !q1 && number(a1, &c->b) && number(a2, &c->d) && number(a3, &c->a) && !a4) {
			c->by_xy = true; /* a place, not a widget: hidden gestures */
			ok = true;
		} else {
			snprintf(why, whylen, "hold takes @id or X Y, and milliseconds");
		}
		break;
	case OP_MONKEY:
		if (a1 && a2 && number(a1, &c->a) && number(a2, &c->b) && !a3)
			ok = true;
		else
			snprintf(why, whylen, "monkey takes a count and a seed");
		break;
	}
	if (ok && (c->op == OP_TAP || c->op == OP_TAP_OPT || c->op == OP_TOUCH || c->op == OP_KEYS || c->op == OP_EXPECT ||
	           c->op == OP_EXPECT_SPEECH ||
	           c->op == OP_WAIT_FOR) && c->str && !text_valid(c->str, strlen(c->str))) {
		snprintf(why, whylen, "text is not valid UTF-8");
		ok = false;
	}
out:
	free(word);
	free(a1);
	free(a2);
	free(a3);
	free(a4);
	if (!ok && !why[0])
		snprintf(why, whylen, "bad command");
	return ok;
}

script *script_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	script *s = calloc(1, sizeof *s);
	size_t cap = 0;
	char line[4096];
	int lineno = 0;
	const char *p = text, *end = text + len;
	if (!s || !(s->path = strdup(name)))
		goto oom;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (n >= sizeof line) {
			snprintf(err, errlen, "%s:%d: line too long", name, lineno);
			goto fail;
		}
		if (memchr(p, '\0', n)) {
			snprintf(err, errlen, "%s:%d: a NUL byte in the line", name, lineno);
			goto fail;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		size_t ll = n;
		while (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		struct cmd c = {.line = lineno};
		char why[160] = "";
		const char *q = line;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q || *q == '#')
			continue;
		if (!parse_line(q, &c, why, sizeof why)) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
			free(c.str);
			goto fail;
		}
		if (s->n == cap) {
			cap = cap ? cap * 2 : 32;
			struct cmd *nc = realloc(s->cmds, cap * sizeof *nc);
			if (!nc) {
				free(c.str);
				goto oom;
			}
			s->cmds = nc;
		}
		s->cmds[s->n++] = c;
	}
	return s;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
fail:
	script_free(s);
	return NULL;
}
