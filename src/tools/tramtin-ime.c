/* tramtin-ime.c - types key sequences into the input engine, for tests and
 * for checking a method by hand.
 *
 * Each line of standard input is one sequence of keys as pressed on the
 * kiosk keyboard: "<BS>" is one backspace, "<Enter>" ends the word without
 * inserting anything, every other character is a key (a trailing space
 * too).  For each line the tool starts from an empty engine and prints the
 * whole text the engine holds after the last key, one line out per line
 * in.  Nothing here knows the rules; it only turns lines into ime_* calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "tramtin/ime.h"

static const char usage[] =
	"usage: tramtin-ime --method telex|vni|direct [--style old|new]\n"
	"Reads key sequences, one per line, from standard input and prints the\n"
	"composed text of each.  <BS> is a backspace, <Enter> ends the word.\n";

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "tramtin-ime: %s: %s (try --help)\n", what, arg);
	return 2;
}

/* Accepts "--name value" and "--name=value"; returns the value or NULL. */
static const char *option(const char *name, int argc, char **argv, int *i)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

/* Feeds one line; returns 0, or -1 if it holds invalid UTF-8. */
static int feed_line(ime *e, const char *s, size_t len)
{
	size_t i = 0;
	int bad_utf8 = 0;

	while (i < len) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k;

		if (len - i >= 4 && memcmp(s + i, "<BS>", 4) == 0) {
			ime_backspace(e); /* at the start it does nothing */
			i += 4;
			continue;
		}
		if (len - i >= 7 && memcmp(s + i, "<Enter>", 7) == 0) {
			ime_commit(e);
			i += 7;
			continue;
		}
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &c);
		if (k <= 0) {
			bad_utf8 = 1;
			i++;
			continue;
		}
		ime_feed(e, (uint32_t)c); /* refused keys (controls) are skipped */
		i += (size_t)k;
	}
	return bad_utf8 ? -1 : 0;
}

int main(int argc, char **argv)
{
	ime_method method = IME_TELEX;
	ime_style style = IME_STYLE_OLD;
	int have_method = 0, status = 0, i;
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	ime *e;

	for (i = 1; i < argc; i++) {
		const char *v;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if ((v = option("--method", argc, argv, &i)) != NULL) {
			if (strcmp(v, "telex") == 0)
				method = IME_TELEX;
			else if (strcmp(v, "vni") == 0)
				method = IME_VNI;
			else if (strcmp(v, "direct") == 0)
				method = IME_DIRECT;
			else
				return bad("unknown method", v);
			have_method = 1;
		} else if ((v = option("--style", argc, argv, &i)) != NULL) {
			if (strcmp(v, "old") == 0)
				style = IME_STYLE_OLD;
			else if (strcmp(v, "new") == 0)
				style = IME_STYLE_NEW;
			else
				return bad("unknown style", v);
		} else {
			return bad("unknown argument", argv[i]);
		}
	}
	if (!have_method)
		return bad("missing argument", "--method");

	e = ime_new(method, style);
	if (!e) {
		fputs("tramtin-ime: out of memory\n", stderr);
		return 1;
	}
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		ime_clear(e);
		if (feed_line(e, line, len) < 0) {
			fprintf(stderr, "tramtin-ime: line %lu: invalid UTF-8 skipped\n", lineno);
			status = 1;
		}
		if (printf("%s\n", ime_text(e)) < 0)
			break;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("tramtin-ime: stdout");
		status = 1;
	}
	free(line);
	ime_free(e);
	return status;
}
