/* pending.c - the track screen, until its flow lands (with the collector): a plain statement of what will be possible here, and
 * what a person can do today instead. */
#include "screens/screens.h"

static void draw_pending(ui *u, const char *title, const char *what)
{
	SDL_Rect r = ui_chrome(u, title, true);
	int y = r.y + 20;
	y += ui_label(u, "pending.what", FACE_REGULAR, 42, u->theme.text, r.x, y, r.w * 3 / 4, what) + 36;
	y += ui_label(u, "pending.soon", FACE_BOLD, 44, u->theme.primary, r.x, y, r.w * 3 / 4,
	              _("This service is coming soon on this kiosk.")) + 36;
	ui_label(u, "pending.meanwhile", FACE_REGULAR, 40, u->theme.muted, r.x, y, r.w * 3 / 4,
	         _("Meanwhile, you can talk to the commune staff or the Fatherland Front committee of the commune."));
}

static void track_draw(ui *u)
{
	draw_pending(u, _("Track"), _("Here you will be able to type your tracking code and see the answer."));
}

const ui_screen screen_track = {.id = "track", .draw = track_draw};
