/* ime.h - the Vietnamese input engine (Telex, VNI, direct).
 *
 * The engine owns one text buffer with a cursor, as a kiosk text field
 * needs it.  Keys are fed one at a time; the word just before the cursor is
 * re-composed on every key following the input method's rules (vowel marks,
 * tones with free marking, undo by repeating a key, orthographic tone
 * placement, old or new style, spell check that leaves non-Vietnamese words
 * as typed).  The text is always valid UTF-8 in NFC.  No SDL, no I/O. */
#ifndef TRAMTIN_IME_H
#define TRAMTIN_IME_H

#include <stddef.h>
#include <stdint.h>
#include "tramtin/err.h"

typedef enum ime_method { IME_TELEX = 0, IME_VNI, IME_DIRECT } ime_method;
typedef enum ime_style { IME_STYLE_OLD = 0, IME_STYLE_NEW } ime_style;
enum ime_tone {
	IME_TONE_NONE = 0, /* removes the tone */
	IME_TONE_SAC,      /* á */
	IME_TONE_HUYEN,    /* à */
	IME_TONE_HOI,      /* ả */
	IME_TONE_NGA,      /* ã */
	IME_TONE_NANG      /* ạ */
};

typedef struct ime ime;

/* Creates an engine with an empty text. Returns NULL on out of memory. */
ime *ime_new(ime_method method, ime_style style);
/* Zeroes and frees the engine and its text. Accepts NULL. */
void ime_free(ime *e);

void ime_set_method(ime *e, ime_method method); /* ends the current word */
ime_method ime_get_method(const ime *e);
void ime_set_style(ime *e, ime_style style);

/* Limits the text to max graphemes (0: no limit). A key that would exceed
 * the limit returns TT_ERR_FULL and changes nothing. */
void ime_set_max(ime *e, size_t max_graphemes);

/* Feeds one typed key: a Unicode code point as printed on the key (ASCII
 * letters and digits go through the method; any other character, e.g. 'ă'
 * from a Vietnamese letter key, is inserted as is).  A space, '\n' or
 * punctuation ends the current word and is inserted.
 * Returns TT_OK, TT_ERR_FULL (limit), TT_ERR_INVAL (cp not valid). */
tt_err ime_feed(ime *e, uint32_t cp);

/* Feeds a whole UTF-8 string key by key (stops at the first error). */
tt_err ime_feed_str(ime *e, const char *keys);

/* Ends the current word (as <Enter> in tramtin-ime) without inserting. */
void ime_commit(ime *e);

/* Removes the grapheme before the cursor (never a lone combining mark);
 * the engine state stays consistent: further keys compose the remaining
 * word as if it had been typed. Returns TT_ERR_STATE at the start. */
tt_err ime_backspace(ime *e);

/* Tone key of the on-screen keyboard: puts tone t on the word before the
 * cursor by the placement rules, in any method (also direct).  Returns
 * TT_ERR_INVAL if there is no Vietnamese vowel to carry it. */
tt_err ime_tone(ime *e, enum ime_tone t);

/* The whole text (NFC, borrowed, valid until the next call that changes
 * the engine) and the cursor as a byte offset into it. */
const char *ime_text(const ime *e);
size_t ime_cursor(const ime *e);
/* Number of graphemes in the text. */
size_t ime_length(const ime *e);

/* Replaces the text (copied, normalised to NFC) and puts the cursor at the
 * grapheme boundary at or before byte offset cursor; ends the word.
 * Returns TT_ERR_PARSE for invalid UTF-8, TT_ERR_FULL over the limit. */
tt_err ime_set_text(ime *e, const char *text, size_t cursor);
/* Moves the cursor (ends the word). */
void ime_set_cursor(ime *e, size_t cursor);

/* Zeroes the text and all composition state. */
void ime_clear(ime *e);

#endif
