/* attract.c - what the kiosk shows while nobody uses it: campaign items and
 * notices in turn, each for its own time (10 s unless the bundle says),
 * only those whose attract schedule (days of the week, hours) covers now.
 * A touch anywhere goes home.  And the "Are you still there?" warning
 * that comes before it (idle.warning, drawn over the screen in use). */
#include <string.h>

#include "screens/screens.h"
#include "tramtin/clock.h"

#define MAX_ITEMS 32

static struct {
	const content_page *items[MAX_ITEMS];
	size_t n, at;
	uint64_t since;
} A;

static bool shown_now(const content_page *p, int64_t now)
{
	if (!p->attract.set)
		return true;
	int hour, min, wday;
	clock_civil(now, CLOCK_TZ_VN_MIN, NULL, NULL, NULL, &hour, &min, &wday);
	return content_attract_due(&p->attract, wday, hour * 60 + min);
}

static void collect(ui *u)
{
	const content_page *found[MAX_ITEMS];
	int64_t now = clock_now();
	A.n = 0;
	content_type types[2] = {CONTENT_CAMPAIGN, CONTENT_NOTICE};
	for (int t = 0; t < 2; t++) {
		size_t k = content_select(u->bundle, types[t], NULL, now, found, MAX_ITEMS);
		for (size_t i = 0; i < k && i < MAX_ITEMS && A.n < MAX_ITEMS; i++)
			if (shown_now(found[i], now))
				A.items[A.n++] = found[i];
	}
}

static void enter(ui *u, const char *arg)
{
	(void)arg;
	collect(u);
	A.at = 0;
	A.since = clock_ms();
}

static int seconds(const content_page *p)
{
	return p->attract.set && p->attract.seconds > 0 ? p->attract.seconds : 10;
}

static void tick(ui *u)
{
	if (!A.n || clock_ms() - A.since < (uint64_t)seconds(A.items[A.at]) * 1000)
		return;
	collect(u); /* the hour or the day may have changed what is due */
	A.at = A.n ? (A.at + 1) % A.n : 0;
	A.since = clock_ms();
	u->dirty = true;
}

static int next_timer(ui *u)
{
	(void)u;
	if (!A.n)
		return -1;
	uint64_t due = A.since + (uint64_t)seconds(A.items[A.at]) * 1000, now = clock_ms();
	return due > now ? (int)(due - now) : 0;
}

static void draw(ui *u)
{
	/* the whole screen is one target: any touch begins */
	ui_widget_add(u, "attract.start", ROLE_BUTTON, _("Touch the screen to begin"), (SDL_Rect){0, 0, u->w, u->h}, true);
	/* red with white words; high contrast: black with white, and yellow */
	SDL_Color bg = u->high_contrast ? u->theme.bg : u->theme.primary, white = {255, 255, 255, 255};
	SDL_Color box = u->high_contrast ? u->theme.primary : white, hint = u->high_contrast ? u->theme.primary_text : u->theme.primary;
	ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, bg);
	int pad = 60, y = pad;
	SDL_Color old = u->text_bg;
	u->text_bg = bg;
	if (A.n) {
		const content_page *p = A.items[A.at % A.n];
		tt_lang lang = i18n_lang();
		y += ui_label(u, "attract.title", FACE_BOLD, 64, white, pad, y, u->w - 2 * pad,
		              content_tr(&p->title, lang)) + 24;
		y += ui_label(u, "attract.summary", FACE_REGULAR, 40, white, pad, y, u->w - 2 * pad,
		              content_tr(&p->summary, lang)) + 32;
		char path[1024];
		if (p->image && content_page_path(u->bundle, p, NULL, p->image, path, sizeof path) == TT_OK)
			ui_image(u, path, (SDL_Rect){pad, y, u->w - 2 * pad, u->h - y - 180}, true);
	} else {
		y += ui_label(u, "attract.title", FACE_BOLD, 64, white, pad, y, u->w - 2 * pad,
		              _("Information station: sustainable poverty reduction")) + 24;
	}
	ui_fill_round(u, (SDL_Rect){pad, u->h - 150, u->w - 2 * pad, 110}, 20, box);
	u->text_bg = box;
	ui_label(u, "attract.hint", FACE_BOLD, 48, hint, pad + 40, u->h - 150 + 26, u->w - 2 * pad - 80,
	         _("Touch the screen to begin"));
	u->text_bg = old;
}

static bool activate(ui *u, const char *id)
{
	(void)id;
	ui_home(u);
	return true;
}

const ui_screen screen_attract = {.id = "attract", .enter = enter, .draw = draw, .activate = activate,
                                  .tick = tick, .next_timer = next_timer};

/* --- idle.warning ---------------------------------------------------------- */

static void warning_draw(ui *u)
{
	int left = ui_idle_seconds_left(u);
	ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, u->theme.bg);
	int pad = 80, y = u->h / 5;
	y += ui_label(u, "idle.title", FACE_BOLD, 72, u->theme.text, pad, y, u->w - 2 * pad, _("Are you still there?")) +
	     30;
	char msg[300];
	snprintf(msg, sizeof msg, _("In %d seconds this screen starts again from the beginning, and what you wrote is erased."),
	         left);
	y += ui_label(u, "idle.countdown", FACE_REGULAR, 44, u->theme.text, pad, y, u->w - 2 * pad, msg) + 60;
	int bw = u->portrait ? u->w - 2 * pad : 800;
	ui_button(u, "idle.continue", _("Continue"), (SDL_Rect){(u->w - bw) / 2, y, bw, 160}, BTN_PRIMARY);
}

static bool warning_activate(ui *u, const char *id)
{
	(void)id; /* any touch means someone is there */
	ui_idle_continue(u);
	return true;
}

const ui_screen screen_idle_warning = {.id = "idle.warning", .draw = warning_draw, .activate = warning_activate};
