/* speak.c - read aloud in the UI: the audio device, the speaker button's
 * action, the keyboard's announcements and when reading stops.
 *
 * The sound comes from the core's speech engine (tramtin/speech.h): its
 * worker synthesises into a ring buffer, and SDL's audio callback here
 * pulls from it (silence when there is nothing).  The words read are the
 * ones on screen: each screen that can be read provides them through its
 * speak_text seam (ui.h).  Reading stops when the screen is left (which
 * an idle reset does too), when the language changes, and on a second
 * tap of the button. */
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "tramtin/speech.h"
#include "ui/ui.h"

#define SPEAK_TEXT_MAX 32768

static void SDLCALL audio_cb(void *ctx, Uint8 *stream, int len)
{
	tt_speech *s = ctx;
	int16_t *out = (int16_t *)(void *)stream;
	size_t n = (size_t)len / sizeof *out, got = speech_read(s, out, n);
	if (got < n)
		memset(out + got, 0, (n - got) * sizeof *out);
}

bool ui_speech_enabled(const ui *u)
{
	return speech_available() && u->cfg->read_aloud && !u->speech_failed;
}

/* The engine and the sound device start at the first use, not at launch
 * (about 30 ms, and more for a real sound card, that the first frame
 * should not wait for).  If they cannot, the button goes away. */
static bool speech_start(ui *u)
{
	if (u->speech)
		return true;
	if (u->speech_failed || !speech_available() || (!u->cfg->read_aloud && !u->cfg->announce_keys))
		return false;
	u->speech_failed = true; /* until it works */
	u->dirty = true;
	char err[256];
	if (speech_new(&u->speech, "vi", u->cfg->speech_rate, err, sizeof err) != TT_OK) {
		tt_warn("read aloud is off: %s", err);
		return false;
	}
	if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
		tt_warn("read aloud is off: no sound: %s", SDL_GetError());
		goto fail;
	}
	SDL_AudioSpec want = {.freq = speech_sample_rate(u->speech), .format = AUDIO_S16SYS, .channels = 1,
	                      .samples = 1024, .callback = audio_cb, .userdata = u->speech},
	              have;
	u->audio = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
	if (!u->audio) {
		tt_warn("read aloud is off: cannot open the sound device: %s", SDL_GetError());
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
		goto fail;
	}
	SDL_PauseAudioDevice(u->audio, 0);
	tt_info("read aloud: espeak-ng at %d Hz, %d words a minute, sound through '%s'", have.freq,
	        u->cfg->speech_rate, SDL_GetCurrentAudioDriver());
	u->speech_failed = false;
	return true;
fail:
	speech_free(u->speech);
	u->speech = NULL;
	return false;
}

void ui_speech_end(ui *u)
{
	if (u->audio) {
		SDL_CloseAudioDevice(u->audio); /* the callback is done before the engine goes */
		u->audio = 0;
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
	}
	speech_free(u->speech);
	u->speech = NULL;
}

bool ui_speech_button(const ui *u)
{
	const ui_screen *s = ui_current(u);
	return ui_speech_enabled(u) && s && s->speak_text;
}

bool ui_speaking(ui *u)
{
	speech_status st;
	speech_get_status(u->speech, &st, NULL, 0);
	return st.active && u->speaking_screen;
}

void ui_speech_stop(ui *u)
{
	if (!u->speech)
		return;
	speech_stop(u->speech);
	u->listen_until_ms = 0;
	if (u->speaking_screen)
		u->dirty = true;
	u->speaking_screen = false;
}

static void say(ui *u, const char *text)
{
	speech_set_voice(u->speech, i18n_lang() == LANG_VI ? "vi" : "en");
	tt_err rc = speech_speak(u->speech, text);
	if (rc != TT_OK)
		tt_warn("read aloud: %s", tt_strerror(rc));
}

void ui_speak_screen(ui *u)
{
	const ui_screen *s = ui_current(u);
	if (!s || !s->speak_text || !speech_start(u))
		return;
	char *text = malloc(SPEAK_TEXT_MAX);
	if (!text)
		return;
	text[0] = '\0';
	s->speak_text(u, text, SPEAK_TEXT_MAX);
	size_t words = 0;
	for (const char *p = text; *p; p++)
		if ((*p == ' ' || *p == '\n') && p[1] && p[1] != ' ' && p[1] != '\n')
			words++;
	u->listen_until_ms = clock_ms() + (words + 1) * 60000 / (uint64_t)(u->cfg->speech_rate > 0 ? u->cfg->speech_rate : SPEECH_RATE_DEFAULT) + 2000;
	tt_info("read aloud: %s (%zu bytes, about %zu words)", s->id, strlen(text), words + 1);
	say(u, text);
	free(text);
	u->speaking_screen = true;
	u->dirty = true;
}

/* Marks a voice would skip are said by name. */
static const struct {
	const char *mark, *name;
} marks[] = {
	{",", N_("comma")}, {".", N_("full stop")}, {"?", N_("question mark")}, {"!", N_("exclamation mark")},
	{"-", N_("hyphen")}, {"/", N_("slash")},
};

void ui_speak_key(ui *u, const char *label)
{
	if (!u->cfg->announce_keys || !label || !*label || !speech_start(u))
		return;
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strcmp(label, marks[i].mark) == 0)
			label = _(marks[i].name);
	u->speaking_screen = false; /* a key's name replaces the page being read */
	say(u, label);
}

int ui_speech_tick(ui *u)
{
	if (!u->speaking_screen)
		return -1;
	if (!ui_speaking(u)) { /* read to the end: the button says "Read aloud" again */
		u->speaking_screen = false;
		u->dirty = true;
		return -1;
	}
	return 250;
}

void ui_speak_add(char *out, size_t len, const char *s)
{
	if (!s || !*s || !len)
		return;
	size_t have = strlen(out), n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	if (!n)
		return;
	const char *sep = "";
	if (have) /* a pause between pieces: a full stop unless one ends them */
		sep = strchr(".!?:;", out[have - 1]) ? "\n" : ".\n";
	size_t sl = strlen(sep);
	if (have + sl + 1 >= len)
		return;
	memcpy(out + have, sep, sl);
	have += sl;
	if (n > len - 1 - have) { /* cut at a character boundary */
		n = len - 1 - have;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out + have, s, n);
	out[have + n] = '\0';
}

void ui_speak_widgets(ui *u, char *out, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (int i = 0; i < u->n_widgets; i++) {
		const ui_widget *w = &u->widgets[i];
		if ((w->role == ROLE_TEXT || w->role == ROLE_FIELD) &&
		    (strcmp(w->id, "title") == 0 || strncmp(w->id, prefix, pl) == 0))
			ui_speak_add(out, len, w->label);
	}
}
