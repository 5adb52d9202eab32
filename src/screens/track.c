/* track.c - "Tra cứu": a citizen types the tracking code from their
 * receipt and sees how far their submission got.
 *
 * The kiosk asks the broker for the retained status of the code's hash
 * (published by the collector): status and date only, never the text or
 * the answer, which the citizen reads on the follow-up page (QR code on
 * the receipt).  Without a connection the screen says so and points to
 * the phone. The code is wiped when the screen is left. */
#include <string.h>

#include <stdlib.h>

#include "tramtin/ime.h"
#include "screens/screens.h"
#include "ui/osk.h"

static struct {
	ime *code;
	bool asked;
	int state; /* as ui_services.track_result; 0 also before asking */
	char status[32], updated[32];
} T;

static void wipe(void)
{
	ime_free(T.code);
	explicit_bzero(&T, sizeof T);
}

static void enter(ui *u, const char *arg)
{
	(void)arg;
	wipe();
	T.code = ime_new(IME_DIRECT, IME_STYLE_OLD);
	if (!T.code)
		abort();
	ime_set_max(T.code, 24);
	osk_set_numbers(u->osk, false);
}

static const char *status_words(const char *s)
{
	static const struct {
		const char *name, *words;
	} map[] = {
		{"received", N_("Received")}, {"accepted", N_("Accepted for handling")},
		{"not_accepted", N_("Not accepted")}, {"assigned", N_("Passed to the agency in charge")},
		{"in_progress", N_("Being handled")}, {"responded", N_("Answered")}, {"closed", N_("Closed")},
		{"reopened", N_("Reopened")},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].name, s) == 0)
			return _(map[i].words);
	return s;
}

static void result_text(char *out, size_t len)
{
	out[0] = '\0';
	if (!T.asked)
		return;
	switch (T.state) {
	case 1: {
		char date[16] = "";
		int y, m, d;
		if (sscanf(T.updated, "%d-%d-%d", &y, &m, &d) == 3)
			snprintf(date, sizeof date, "%02d/%02d/%04d", d, m, y);
		snprintf(out, len, _("Status: %s (updated %s). To read the answer, scan the QR code on your receipt with a phone."),
		         status_words(T.status), date);
		break;
	}
	case 0: snprintf(out, len, "%s", _("Looking up…")); break;
	case -1: snprintf(out, len, "%s", _("No result for this code yet. Check the code, or try again in a few days.")); break;
	case -3: snprintf(out, len, "%s", _("A code has 16 letters and digits, like 7KQ2-M9XD-4TRB-HV3N.")); break;
	default:
		snprintf(out, len, "%s",
		         _("This kiosk is not connected now. Scan the QR code on your receipt with a phone to see the result."));
	}
}

/* The answer is asked at every frame while one is awaited or shown: the
 * network thread wakes the UI (a frame) when it arrives or changes, or
 * when the lookup gives up, so nothing needs polling. */
static void refresh(ui *u)
{
	if (!T.asked || (T.state != 0 && T.state != 1) || !u->services.track_result)
		return;
	char status[sizeof T.status], updated[sizeof T.updated];
	int r = u->services.track_result(u->services.ctx, ime_text(T.code), status, sizeof status, updated, sizeof updated);
	if (r == 0)
		return;
	T.state = r;
	if (r == 1) {
		memcpy(T.status, status, sizeof T.status);
		memcpy(T.updated, updated, sizeof T.updated);
	}
}

static void draw(ui *u)
{
	refresh(u);
	SDL_Rect a = ui_chrome(u, _("Track"), true);
	int kh = osk_height(u, u->osk);
	SDL_Rect kb = {a.x + 16, a.y + a.h - kh - 8, a.w - 32, kh};
	int bw = u->portrait ? 300 : 400;
	SDL_Rect field = {a.x, a.y, a.w - bw - 24, 150};
	ui_text_field(u, "track.code", T.code, field, _("Type the code from your receipt"), 24);
	ui_button(u, "track.search", _("Look up"), (SDL_Rect){a.x + a.w - bw, a.y, bw, 150}, BTN_PRIMARY);
	char res[512];
	result_text(res, sizeof res);
	if (res[0])
		ui_label(u, "track.result", FACE_BOLD, 40, T.state == 1 ? u->theme.text : u->theme.accent, a.x, a.y + 180, a.w,
		         res);
	else
		ui_label(u, "track.hint", FACE_REGULAR, 38, u->theme.muted, a.x, a.y + 180, a.w,
		         _("The code is printed on your receipt, under \"Your tracking code\"."));
	osk_draw(u, u->osk, kb);
}

static void search(ui *u)
{
	T.asked = true;
	T.state = 0;
	if (!u->services.track_result) {
		T.state = -2;
		return;
	}
	int r = u->services.track_result(u->services.ctx, ime_text(T.code), T.status, sizeof T.status, T.updated,
	                                 sizeof T.updated);
	if (r == -3 || r == -2) {
		T.state = r;
		return;
	}
	u->services.track_ask(u->services.ctx, ime_text(T.code));
}

static bool activate(ui *u, const char *id)
{
	bool done = false;
	if (osk_activate(u, u->osk, T.code, id, &done)) {
		T.asked = false;
		if (!done)
			return true;
		id = "track.search";
	}
	if (strcmp(id, "track.search") == 0) {
		search(u);
		u->dirty = true;
		return true;
	}
	if (strcmp(id, "track.code") == 0) {
		ui_text_field_tap(u, id, T.code, u->last_x, u->last_y);
		return true;
	}
	return false;
}

static void tick(ui *u)
{
	osk_tick(u, u->osk, T.code);
}

static int next_timer(ui *u)
{
	return osk_next_timer(u, u->osk);
}

static void leave(ui *u)
{
	(void)u;
	wipe();
}

static void track_speak(ui *u, char *out, size_t len)
{
	ui_speak_widgets(u, out, len, "track.");
}

const ui_screen screen_track = {.speak_text = track_speak, .id = "track", .enter = enter, .draw = draw, .activate = activate, .leave = leave,
                                .tick = tick, .next_timer = next_timer};
