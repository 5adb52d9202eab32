/* speech.h - read aloud: Vietnamese (or English) text to 16-bit mono PCM
 * with espeak-ng, on a worker thread, into a ring buffer the UI's audio
 * callback pulls from (speech_read).  No SDL here.
 *
 * espeak-ng has one global engine: at most one tt_speech exists at a time.
 * Built without espeak-ng (meson -Dspeech=disabled, or auto without
 * libespeak-ng-dev) speech_available() is false and speech_new fails
 * with TT_ERR_UNSUPPORTED and a line saying so. */
#ifndef TRAMTIN_SPEECH_H
#define TRAMTIN_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"

#define SPEECH_RATE_MIN 80   /* words per minute, espeak-ng's range */
#define SPEECH_RATE_MAX 450
#define SPEECH_RATE_DEFAULT 150

typedef struct tt_speech tt_speech;

/* True if this build can speak. */
bool speech_available(void);

/* Starts the engine with the voice ("vi" or "en") and rate.  On failure
 * writes one line into err and returns an error. */
tt_err speech_new(tt_speech **out, const char *voice, int rate_wpm, char *err, size_t errlen);
void speech_free(tt_speech *s); /* accepts NULL; stops and joins the worker */

int speech_sample_rate(const tt_speech *s);
/* Words per minute, clamped to the range; applies from the next text. */
void speech_set_rate(tt_speech *s, int wpm);
/* Voice for the next text: "vi" or "en" (false if the voice is missing). */
bool speech_set_voice(tt_speech *s, const char *voice);

/* Reads text (UTF-8; normalised to NFC) aloud, replacing whatever was
 * being read.  Returns TT_ERR_PARSE for text that is not UTF-8. */
tt_err speech_speak(tt_speech *s, const char *text);
/* Stops at once: synthesis is aborted and queued samples dropped. */
void speech_stop(tt_speech *s);

/* Takes up to n samples of the current text (the audio callback).
 * Returns how many were written; the rest of out is left alone. */
size_t speech_read(tt_speech *s, int16_t *out, size_t n);

typedef struct speech_status {
	bool active;        /* reading: not stopped, and synthesising or samples still to play */
	bool synthesizing;  /* the worker is still turning the text into sound */
	uint64_t samples;   /* samples synthesised for the current (or last) text */
	uint64_t played;    /* of those, taken by speech_read */
	uint64_t peak;      /* largest absolute sample value of that text */
	uint64_t texts;     /* texts started since speech_new */
} speech_status;

/* The state, and the current (or last) text into text[0..len) if given. */
void speech_get_status(tt_speech *s, speech_status *st, char *text, size_t len);

/* Waits until the current text is synthesised (or stopped), at most
 * timeout_ms.  True if synthesis is over. */
bool speech_wait_synth(tt_speech *s, int timeout_ms);
/* Waits until the current text made at least samples of sound, or its
 * synthesis is over.  True if so. */
bool speech_wait_sound(tt_speech *s, uint64_t samples, int timeout_ms);

#endif
