/* osk.h - the on-screen Vietnamese keyboard and the text field it types
 * into.  The keyboard turns taps into input-engine calls (ime.h): letter
 * keys feed the method (Telex, VNI or direct), the row of Vietnamese
 * letters inserts them as they are, tone keys put a tone on the word
 * before the cursor.  Widget ids: osk.key.X, where X is the character a
 * key types ("a", "ă", "6", ",") or a name: space, backspace, shift, enter,
 * done, page (letters/numbers), method, sac, huyen, hoi, nga, nang. */
#ifndef TRAMTIN_OSK_H
#define TRAMTIN_OSK_H

#include "tramtin/ime.h"
#include "ui/ui.h"

typedef struct osk osk;

/* Creates a keyboard with the method and style from cfg (borrowed). */
osk *osk_new(const tt_config *cfg);
void osk_free(osk *k); /* accepts NULL */

/* Back to the configured method, letters page, no shift (a new citizen). */
void osk_reset(osk *k);
ime_method osk_method(const osk *k);
/* Shows the numbers page (e.g. for a phone field) or the letters. */
void osk_set_numbers(osk *k, bool numbers);

/* Height the keyboard needs at the current orientation. */
int osk_height(const ui *u, const osk *k);

/* Draws the keyboard into r and records its keys. */
void osk_draw(ui *u, osk *k, SDL_Rect r);

/* Applies a tapped widget to the engine.  Returns true if id was a key;
 * *done is set when the done key was tapped. */
bool osk_activate(ui *u, osk *k, ime *e, const char *id, bool *done);

/* Called each loop turn: repeats backspace while it is held. */
void osk_tick(ui *u, osk *k, ime *e);
/* Milliseconds until osk_tick has work (for the event loop's sleep), or
 * -1 for none. */
int osk_next_timer(const ui *u, const osk *k);

/* A text field showing the engine's text with a cursor, a placeholder
 * when empty, and how many characters remain (limit max).  Records widget
 * id (role field) with the text as its label. */
void ui_text_field(ui *u, const char *id, ime *e, SDL_Rect r, const char *placeholder, size_t max);
/* A tap in the field at logical (x, y): moves the cursor there. */
void ui_text_field_tap(ui *u, const char *id, ime *e, int x, int y);

#endif
