/* pending.c - the feedback, complaint, objection and track screens, until
 * their flows land: a plain statement of what will be possible here, and
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

static void feedback_draw(ui *u)
{
	draw_pending(u, _("Feedback"), _("Here you will be able to send your opinion on the programme and its support."));
}

static void complaint_draw(ui *u)
{
	draw_pending(u, _("Anonymous complaint"),
	             _("Here you will be able to send a complaint without your name. Only the provincial Fatherland Front can read it."));
}

static void objection_draw(ui *u)
{
	draw_pending(u, _("Object to a notice"),
	             _("Here you will be able to object to or comment on a posted notice."));
}

static void track_draw(ui *u)
{
	draw_pending(u, _("Track"), _("Here you will be able to type your tracking code and see the answer."));
}

const ui_screen screen_feedback = {.id = "feedback", .draw = feedback_draw};
const ui_screen screen_complaint = {.id = "complaint", .draw = complaint_draw};
const ui_screen screen_objection = {.id = "objection", .draw = objection_draw};
const ui_screen screen_track = {.id = "track", .draw = track_draw};
