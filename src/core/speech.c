/* speech.c - read aloud with espeak-ng (speech.h).
 *
 * One worker thread owns the engine's synthesis: speech_speak hands it a
 * text, its synth callback copies the sound into a ring buffer and waits
 * there while the buffer is full; speech_read (the audio callback) takes
 * from it.  A generation counter says which text is current: speak and
 * stop bump it, the callback sees the change and aborts espeak-ng's
 * synthesis (returning 1), and the ring is emptied at once.  Everything
 * shared is under one mutex; the audio side holds it only to copy. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/speech.h"
#include "tramtin/text.h"
#include "tt_build.h"

#if TT_HAVE_SPEECH
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#define RING_SECONDS 30

struct tt_speech {
	pthread_mutex_t mu;
	pthread_cond_t work, space, done;
	pthread_t thread;
	bool started, quit;
	int rate;                 /* wanted words per minute */
	char voice[16];           /* wanted voice */
	int rate_set;             /* what the engine has (the worker's own) */
	char voice_set[16];
	uint64_t gen;             /* bumped by speak and stop */
	uint64_t worker_gen;      /* the generation being synthesised */
	char *pending;            /* the next text (NFC), owned */
	char *current;            /* the current or last text, owned */
	int16_t *ring;
	size_t cap, head, count;  /* samples: read at head, count queued */
	int sample_rate;
	speech_status st;
};

static tt_speech *engine; /* espeak-ng's callback has no user pointer for us */

bool speech_available(void)
{
	return true;
}

static int synth_cb(short *wav, int n, espeak_EVENT *events)
{
	(void)events;
	tt_speech *s = engine;
	if (!s)
		return 1;
	pthread_mutex_lock(&s->mu);
	size_t left = wav && n > 0 ? (size_t)n : 0, at = 0;
	while (left) {
		if (s->quit || s->gen != s->worker_gen)
			break;
		size_t room = s->cap - s->count;
		if (!room) {
			pthread_cond_wait(&s->space, &s->mu);
			continue;
		}
		size_t k = left < room ? left : room;
		for (size_t i = 0; i < k; i++) {
			size_t pos = (s->head + s->count + i) % s->cap;
			int16_t v = wav[at + i];
			s->ring[pos] = v;
			uint64_t a = v < 0 ? (uint64_t)(-(int32_t)v) : (uint64_t)v;
			if (a > s->st.peak)
				s->st.peak = a;
		}
		s->count += k;
		s->st.samples += k;
		at += k;
		left -= k;
		pthread_cond_broadcast(&s->done); /* speech_wait_sound */
	}
	int abort = s->quit || s->gen != s->worker_gen;
	pthread_mutex_unlock(&s->mu);
	return abort;
}

static void *worker(void *arg)
{
	tt_speech *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->quit && !s->pending)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->quit)
			break;
		char *text = s->pending;
		s->pending = NULL;
		s->worker_gen = s->gen;
		int rate = s->rate;
		char voice[sizeof s->voice];
		memcpy(voice, s->voice, sizeof voice);
		pthread_mutex_unlock(&s->mu);
		/* the engine is this thread's alone: set it up without the lock,
		 * so the audio callback never waits for a voice to load */
		if (rate != s->rate_set) {
			espeak_SetParameter(espeakRATE, rate, 0);
			s->rate_set = rate;
		}
		if (strcmp(voice, s->voice_set) != 0 && espeak_ng_SetVoiceByName(voice) == ENS_OK)
			memcpy(s->voice_set, voice, sizeof s->voice_set);
		espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
		free(text);
		pthread_mutex_lock(&s->mu);
		if (s->worker_gen == s->gen) {
			s->st.synthesizing = false;
			if (!s->count && !s->st.samples)
				s->st.active = false; /* nothing to say (punctuation only) */
		}
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

tt_err speech_new(tt_speech **out, const char *voice, int rate_wpm, char *err, size_t errlen)
{
	*out = NULL;
	if (engine) {
		snprintf(err, errlen, "speech: the engine is already in use");
		return TT_ERR_STATE;
	}
	espeak_ng_InitializePath(NULL);
	espeak_ng_ERROR_CONTEXT ctx = NULL;
	espeak_ng_STATUS rc = espeak_ng_Initialize(&ctx);
	if (rc != ENS_OK) {
		char msg[256];
		espeak_ng_GetStatusCodeMessage(rc, msg, sizeof msg);
		snprintf(err, errlen, "speech: espeak-ng did not start (is espeak-ng-data installed?): %s", msg);
		espeak_ng_ClearErrorContext(&ctx);
		return TT_ERR_CONFIG;
	}
	rc = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 200, NULL);
	if (rc == ENS_OK)
		rc = espeak_ng_SetVoiceByName(voice && *voice ? voice : "vi");
	if (rc != ENS_OK) {
		char msg[256];
		espeak_ng_GetStatusCodeMessage(rc, msg, sizeof msg);
		snprintf(err, errlen, "speech: espeak-ng has no voice '%s': %s", voice && *voice ? voice : "vi", msg);
		espeak_ng_Terminate();
		return TT_ERR_CONFIG;
	}
	tt_speech *s = calloc(1, sizeof *s);
	if (!s) {
		espeak_ng_Terminate();
		snprintf(err, errlen, "speech: out of memory");
		return TT_ERR_NOMEM;
	}
	s->sample_rate = espeak_ng_GetSampleRate();
	s->cap = (size_t)s->sample_rate * RING_SECONDS;
	s->ring = malloc(s->cap * sizeof *s->ring);
	snprintf(s->voice, sizeof s->voice, "%s", voice && *voice ? voice : "vi");
	snprintf(s->voice_set, sizeof s->voice_set, "%s", s->voice);
	s->rate = rate_wpm < SPEECH_RATE_MIN ? SPEECH_RATE_MIN : rate_wpm > SPEECH_RATE_MAX ? SPEECH_RATE_MAX : rate_wpm;
	s->rate_set = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->space, NULL);
	pthread_cond_init(&s->done, NULL);
	engine = s;
	espeak_SetSynthCallback(synth_cb);
	if (!s->ring || pthread_create(&s->thread, NULL, worker, s) != 0) {
		snprintf(err, errlen, "speech: cannot start the speech thread");
		speech_free(s);
		return TT_ERR_NOMEM;
	}
	s->started = true;
	*out = s;
	return TT_OK;
}

void speech_free(tt_speech *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	s->gen++;
	pthread_cond_broadcast(&s->work);
	pthread_cond_broadcast(&s->space);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->thread, NULL);
	espeak_ng_Terminate();
	engine = NULL;
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->space);
	pthread_cond_destroy(&s->done);
	free(s->pending);
	free(s->current);
	free(s->ring);
	free(s);
}

int speech_sample_rate(const tt_speech *s)
{
	return s ? s->sample_rate : 0;
}

void speech_set_rate(tt_speech *s, int wpm)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->rate = wpm < SPEECH_RATE_MIN ? SPEECH_RATE_MIN : wpm > SPEECH_RATE_MAX ? SPEECH_RATE_MAX : wpm;
	pthread_mutex_unlock(&s->mu);
}

bool speech_set_voice(tt_speech *s, const char *voice)
{
	if (!s || !voice || !*voice || strlen(voice) >= sizeof s->voice)
		return false;
	pthread_mutex_lock(&s->mu);
	snprintf(s->voice, sizeof s->voice, "%s", voice);
	pthread_mutex_unlock(&s->mu);
	return true;
}

tt_err speech_speak(tt_speech *s, const char *text)
{
	if (!s || !text)
		return TT_ERR_INVAL;
	char *nfc = text_nfc(text, strlen(text));
	if (!nfc)
		return text_valid(text, strlen(text)) ? TT_ERR_NOMEM : TT_ERR_PARSE;
	char *copy = strdup(nfc);
	if (!copy) {
		free(nfc);
		return TT_ERR_NOMEM;
	}
	pthread_mutex_lock(&s->mu);
	s->gen++;
	s->head = s->count = 0;
	free(s->pending);
	s->pending = nfc;
	free(s->current);
	s->current = copy;
	s->st.active = s->st.synthesizing = true;
	s->st.samples = s->st.played = s->st.peak = 0;
	s->st.texts++;
	pthread_cond_signal(&s->work);
	pthread_cond_broadcast(&s->space);
	pthread_mutex_unlock(&s->mu);
	return TT_OK;
}

void speech_stop(tt_speech *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->gen++;
	s->head = s->count = 0;
	free(s->pending);
	s->pending = NULL;
	s->st.active = s->st.synthesizing = false;
	pthread_cond_broadcast(&s->space);
	pthread_cond_broadcast(&s->done);
	pthread_mutex_unlock(&s->mu);
}

size_t speech_read(tt_speech *s, int16_t *out, size_t n)
{
	if (!s)
		return 0;
	pthread_mutex_lock(&s->mu);
	size_t k = n < s->count ? n : s->count;
	for (size_t i = 0; i < k; i++)
		out[i] = s->ring[(s->head + i) % s->cap];
	s->head = (s->head + k) % s->cap;
	s->count -= k;
	s->st.played += k;
	if (k)
		pthread_cond_broadcast(&s->space);
	if (s->st.active && !s->st.synthesizing && !s->count)
		s->st.active = false; /* all of it was played */
	pthread_mutex_unlock(&s->mu);
	return k;
}

void speech_get_status(tt_speech *s, speech_status *st, char *text, size_t len)
{
	memset(st, 0, sizeof *st);
	if (text && len)
		text[0] = '\0';
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	*st = s->st;
	if (text && len && s->current)
		snprintf(text, len, "%s", s->current);
	pthread_mutex_unlock(&s->mu);
}

bool speech_wait_synth(tt_speech *s, int timeout_ms)
{
	return speech_wait_sound(s, UINT64_MAX, timeout_ms);
}

bool speech_wait_sound(tt_speech *s, uint64_t samples, int timeout_ms)
{
	if (!s)
		return true;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (s->st.synthesizing && s->st.samples < samples)
		if (pthread_cond_timedwait(&s->done, &s->mu, &until) != 0)
			break;
	bool over = !s->st.synthesizing || s->st.samples >= samples;
	pthread_mutex_unlock(&s->mu);
	return over;
}

#else /* built without espeak-ng */

bool speech_available(void)
{
	return false;
}

tt_err speech_new(tt_speech **out, const char *voice, int rate_wpm, char *err, size_t errlen)
{
	(void)voice;
	(void)rate_wpm;
	*out = NULL;
	snprintf(err, errlen, "speech: this build has no read aloud (meson -Dspeech=enabled with libespeak-ng-dev)");
	return TT_ERR_UNSUPPORTED;
}

void speech_free(tt_speech *s)
{
	(void)s;
}

int speech_sample_rate(const tt_speech *s)
{
	(void)s;
	return 0;
}

void speech_set_rate(tt_speech *s, int wpm)
{
	(void)s;
	(void)wpm;
}

bool speech_set_voice(tt_speech *s, const char *voice)
{
	(void)s;
	(void)voice;
	return false;
}

tt_err speech_speak(tt_speech *s, const char *text)
{
	(void)s;
	(void)text;
	return TT_ERR_UNSUPPORTED;
}

void speech_stop(tt_speech *s)
{
	(void)s;
}

size_t speech_read(tt_speech *s, int16_t *out, size_t n)
{
	(void)s;
	(void)out;
	(void)n;
	return 0;
}

void speech_get_status(tt_speech *s, speech_status *st, char *text, size_t len)
{
	(void)s;
	memset(st, 0, sizeof *st);
	if (text && len)
		text[0] = '\0';
}

bool speech_wait_synth(tt_speech *s, int timeout_ms)
{
	(void)s;
	(void)timeout_ms;
	return true;
}

bool speech_wait_sound(tt_speech *s, uint64_t samples, int timeout_ms)
{
	(void)s;
	(void)samples;
	(void)timeout_ms;
	return true;
}

#endif
