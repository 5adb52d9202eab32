/* i18n.c - gettext with a language switch at run time.
 *
 * gettext picks the catalogue from $LANGUAGE unless the locale is plain
 * "C", so we run in C.UTF-8 (always present in glibc 2.35+), which also
 * keeps number formatting and collation predictable, and switch languages
 * by setting LANGUAGE and bumping glibc's catalogue counter, the mechanism
 * the gettext manual gives for programs that change language while
 * running. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/i18n.h"

extern int _nl_msg_cat_cntr;

static tt_lang current = LANG_VI;

bool i18n_init(const char *localedir)
{
	const char *loc = setlocale(LC_ALL, "");
	if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0 || !strstr(loc, "UTF-8"))
		if (!setlocale(LC_ALL, "C.UTF-8"))
			setlocale(LC_ALL, "C.utf8");
	/* Numbers and dates are formatted by hand; keep the C conventions. */
	setlocale(LC_NUMERIC, "C");
	bool ok = bindtextdomain("tramtin", localedir) != NULL;
	bind_textdomain_codeset("tramtin", "UTF-8");
	textdomain("tramtin");
	i18n_set_lang(current);
	return ok;
}

void i18n_set_lang(tt_lang lang)
{
	if ((unsigned)lang >= LANG__COUNT)
		lang = LANG_VI;
	current = lang;
	setenv("LANGUAGE", lang == LANG_EN ? "en" : "vi", 1);
	++_nl_msg_cat_cntr;
}

tt_lang i18n_lang(void)
{
	return current;
}

const char *i18n_code(tt_lang lang)
{
	return lang == LANG_EN ? "en" : "vi";
}

bool i18n_parse(const char *code, tt_lang *out)
{
	if (code && strcmp(code, "vi") == 0) {
		*out = LANG_VI;
		return true;
	}
	if (code && strcmp(code, "en") == 0) {
		*out = LANG_EN;
		return true;
	}
	return false;
}
