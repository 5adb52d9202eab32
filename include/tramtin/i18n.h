/* i18n.h - UI languages: Vietnamese first, English second.
 *
 * Interface strings go through gettext (catalogues in assets/po/); content
 * text comes per language from the bundle.  The language can change at any
 * moment (the VI/EN switch on every screen). */
#ifndef TRAMTIN_I18N_H
#define TRAMTIN_I18N_H

#include <libintl.h>
#include <stdbool.h>

typedef enum tt_lang { LANG_VI = 0, LANG_EN = 1, LANG__COUNT } tt_lang;

#define _(s) gettext(s)
#define N_(s) (s)

/* Binds the "tramtin" text domain to localedir (borrowed) and makes sure a
 * UTF-8 locale is active so catalogues apply.  Returns false if no
 * catalogue could be bound (strings then stay in English). */
bool i18n_init(const char *localedir);

/* Switches the interface language. */
void i18n_set_lang(tt_lang lang);
tt_lang i18n_lang(void);

/* "vi"/"en" and back; i18n_parse returns false for anything else. */
const char *i18n_code(tt_lang lang);
bool i18n_parse(const char *code, tt_lang *out);

#endif
