/* ini.c - INI files read into structs, table-driven (inih).
 *
 * A program lists every section and key it knows with its type,
 * destination (offset into its config struct) and range; inih calls back
 * once per key and the handler looks the key up in the table.  The first
 * fault stops the parse and is reported as "FILE:LINE: [section] key:
 * message", which is all an operator needs to fix it.  Paths in the file
 * are taken relative to the file's folder. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include "tramtin/ini.h"
#include "tramtin/log.h"

struct ctx {
	void *base;
	const ini_key *keys;
	size_t n_keys;
	const char *path;
	char dir[1024];
	char *err;
	size_t errlen;
	int line;
	bool failed;
};

static int fail(struct ctx *x, int line, const char *sec, const char *key, const char *msg, const char *value)
{
	if (!x->failed) {
		if (key)
			snprintf(x->err, x->errlen, "%s:%d: [%s] %s: %s%s%s%s", x->path, line, sec, key, msg,
			         value ? " '" : "", value ? value : "", value ? "'" : "");
		else
			snprintf(x->err, x->errlen, "%s:%d: %s%s%s%s", x->path, line, msg,
			         value ? " '" : "", value ? value : "", value ? "'" : "");
	}
	x->failed = true;
	return 0;
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, w, n) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *x = user;
	bool section_known = false;
	int line = x->line;
	if (!name) /* a section header with no keys yet */
		return 1;
	for (size_t i = 0; i < x->n_keys; i++) {
		const ini_key *k = &x->keys[i];
		if (strcmp(k->section, section) != 0)
			continue;
		section_known = true;
		if (strcmp(k->name, name) != 0)
			continue;
		char *dst = (char *)x->base + k->offset;
		switch (k->kind) {
		case INI_STR:
		case INI_ENUM:
			if (strlen(value) >= k->size)
				return fail(x, line, section, name, "value too long", NULL);
			if (k->kind == INI_ENUM && !has_word(k->choices, value)) {
				char msg[160];
				snprintf(msg, sizeof msg, "must be one of: %s; got", k->choices);
				return fail(x, line, section, name, msg, value);
			}
			memcpy(dst, value, strlen(value) + 1);
			return 1;
		case INI_PATH:
			if (value[0] && value[0] != '/' && x->dir[0]) {
				if ((size_t)snprintf(dst, k->size, "%s/%s", x->dir, value) >= k->size)
					return fail(x, line, section, name, "path too long", NULL);
			} else {
				if (strlen(value) >= k->size)
					return fail(x, line, section, name, "path too long", NULL);
				memcpy(dst, value, strlen(value) + 1);
			}
			return 1;
		case INI_INT: {
			char *end;
			errno = 0;
			long v = strtol(value, &end, 10);
			if (!*value || *end || errno)
				return fail(x, line, section, name, "not a whole number:", value);
			if (v < k->min || v > k->max) {
				char msg[96];
				snprintf(msg, sizeof msg, "must be between %ld and %ld; got", k->min, k->max);
				return fail(x, line, section, name, msg, value);
			}
			*(int *)(void *)dst = (int)v;
			return 1;
		}
		case INI_BOOLEAN:
			if (has_word("true yes on 1", value))
				*(bool *)(void *)dst = true;
			else if (has_word("false no off 0", value))
				*(bool *)(void *)dst = false;
			else
				return fail(x, line, section, name, "must be true or false; got", value);
			return 1;
		}
	}
	if (!section_known)
		return fail(x, line, section, name, "unknown section", section);
	return fail(x, line, section, name, "unknown key", NULL);
}

/* Debian's inih does not pass line numbers to the handler; the reader
 * counts them instead (the handler runs right after its line is read).
 * It reads from a FILE or from memory, strips the indentation (inih
 * would take an indented line as the continuation of the key before it),
 * and stops at a line longer than inih's buffer, which inih would
 * otherwise cut silently and read the rest of as a line of its own. */
struct reader {
	FILE *f;
	const char *text, *end; /* from memory when f is NULL */
	struct ctx *x;
};

static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	size_t len = 0, max = num > 1 ? (size_t)num - 1 : 0;
	bool any = false;
	int c;
	if (r->x->failed)
		return NULL;
	/* indentation: skip it, whatever its length */
	for (;;) {
		c = r->f ? getc(r->f) : r->text < r->end ? (unsigned char)*r->text++ : EOF;
		if (c == EOF)
			break;
		any = true;
		if (c != ' ' && c != '\t')
			break;
	}
	while (c != EOF) {
		if (c == '\0')
			c = ' '; /* a NUL would end the line early for inih */
		if (len == max) {
			r->x->line++;
			snprintf(r->x->err, r->x->errlen, "%s:%d: line too long (at most %zu bytes)", r->x->path, r->x->line,
			         max > 0 ? max - 1 : 0);
			r->x->failed = true;
			return NULL;
		}
		str[len++] = (char)c;
		if (c == '\n')
			break;
		c = r->f ? getc(r->f) : r->text < r->end ? (unsigned char)*r->text++ : EOF;
	}
	if (!any)
		return NULL;
	str[len] = '\0';
	r->x->line++;
	return str;
}

static tt_err parse(struct ctx *x, struct reader *r)
{
	r->x = x;
	int rc = ini_parse_stream(read_line, r, handler, x);
	if (x->failed)
		return TT_ERR_CONFIG;
	if (rc > 0) {
		snprintf(x->err, x->errlen, "%s:%d: not a valid INI line (expected [section] or key = value)", x->path, rc);
		return TT_ERR_CONFIG;
	}
	if (rc < 0 || (r->f && ferror(r->f))) {
		snprintf(x->err, x->errlen, "%s: cannot read", x->path);
		return TT_ERR_IO;
	}
	return TT_OK;
}

static bool start(struct ctx *x, const char *path, const ini_key *keys, size_t n_keys, void *base, char *err,
                  size_t errlen)
{
	*x = (struct ctx){.base = base, .keys = keys, .n_keys = n_keys, .path = path, .err = err, .errlen = errlen};
	if (!base || !keys || !path || !err || errlen == 0)
		return false;
	err[0] = '\0';
	const char *slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof x->dir) {
		memcpy(x->dir, path, (size_t)(slash - path));
		x->dir[slash - path] = '\0';
		if (!x->dir[0])
			snprintf(x->dir, sizeof x->dir, "/");
	}
	return true;
}

tt_err ini_load(const char *path, const ini_key *keys, size_t n_keys, void *base, char *err, size_t errlen)
{
	struct ctx x;
	if (!start(&x, path, keys, n_keys, base, err, errlen))
		return TT_ERR_INVAL;
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, tt_strerrno(e));
		return e == ENOENT ? TT_ERR_NOTFOUND : TT_ERR_IO;
	}
	struct reader r = {.f = f};
	tt_err rc = parse(&x, &r);
	fclose(f);
	return rc;
}

tt_err ini_load_text(const char *name, const char *text, size_t len, const ini_key *keys, size_t n_keys, void *base,
                     char *err, size_t errlen)
{
	struct ctx x;
	if (!text || !start(&x, name, keys, n_keys, base, err, errlen))
		return TT_ERR_INVAL;
	struct reader r = {.text = text, .end = text + len};
	return parse(&x, &r);
}
