/* home.c - the first screen: six large tiles, nothing else to learn.
 *
 * Landscape shows the tiles 3 by 2, portrait 2 by 3; each tile is at least
 * 560x330 logical pixels, far above the 20 mm touch minimum, with a
 * pictogram for people who read slowly. */
#include <string.h>

#include "screens/screens.h"

struct tile {
	const char *id, *label, *sub, *target;
	SDL_Color color;
	int icon;
};

static const struct tile tiles[] = {
	{"home.policies", N_("Policies"), N_("Support for poor and near-poor households"), "policy.categories",
	 {166, 31, 36, 255}, ICON_DOC},
	{"home.campaigns", N_("Campaigns"), N_("For the poor: join hands"), "campaign", {15, 103, 103, 255}, ICON_HEART},
	{"home.notices", N_("Notices"), N_("Public notices of the commune"), "notice.list", {31, 78, 153, 255},
	 ICON_BOARD},
	{"home.feedback", N_("Feedback"), N_("Send your opinion"), "feedback", {46, 110, 50, 255}, ICON_BUBBLE},
	{"home.complaint", N_("Anonymous complaint"), N_("No name needed"), "complaint", {94, 58, 140, 255},
	 ICON_SHIELD},
	{"home.track", N_("Track"), N_("Follow up on what you sent"), "track", {140, 74, 18, 255}, ICON_SEARCH},
};

static void draw(ui *u)
{
	SDL_Rect area = ui_chrome(u, _("Information station: sustainable poverty reduction"), false);
	int y = area.y;
	y += ui_label(u, "home.hint", FACE_REGULAR, 38, u->theme.muted, area.x, y, area.w,
	              _("Touch a box to begin.")) + 28;
	int cols = u->portrait ? 2 : 3, rows = u->portrait ? 3 : 2, gap = 28;
	int tw = (area.w - (cols - 1) * gap) / cols;
	int th = (area.y + area.h - y - (rows - 1) * gap) / rows;
	for (int i = 0; i < 6; i++) {
		SDL_Rect r = {area.x + (i % cols) * (tw + gap), y + (i / cols) * (th + gap), tw, th};
		ui_tile(u, tiles[i].id, _(tiles[i].label), _(tiles[i].sub), r, tiles[i].color, tiles[i].icon);
	}
}

static bool activate(ui *u, const char *id)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(id, tiles[i].id) == 0) {
			ui_go(u, tiles[i].target, NULL);
			return true;
		}
	return false;
}

const ui_screen screen_home = {.id = "home", .draw = draw, .activate = activate};
