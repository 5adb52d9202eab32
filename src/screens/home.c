/* home.c - the first screen: six large tiles, nothing else to learn;
 * above them a survey button and below them the staff's announcement,
 * when there are ones.
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

/* The staff's announcement, in a band at the foot of the screen: still
 * text, not a crawl, so slow readers can read it.  Returns its height. */
static int ticker(ui *u, SDL_Rect area, const char *text)
{
	int pad = 22, size = 34; /* 280 characters at most: three or four lines */
	int h = ui_text_wrapped(u, FACE_BOLD, size, u->theme.text, 0, 0, area.w - 2 * pad - 8, text, 0, false) + 2 * pad;
	SDL_Rect r = {area.x, area.y + area.h - h, area.w, h};
	SDL_Color bg = u->high_contrast ? u->theme.bg : (SDL_Color){255, 236, 179, 255};
	if (u->high_contrast)
		ui_fill_round(u, (SDL_Rect){r.x - 4, r.y - 4, r.w + 8, r.h + 8}, 20, u->theme.border);
	ui_fill_round(u, r, 16, bg);
	ui_fill(u, (SDL_Rect){r.x, r.y, 12, r.h}, u->theme.accent);
	SDL_Color old = u->text_bg;
	u->text_bg = bg;
	ui_label(u, "home.ticker", FACE_BOLD, size, u->theme.text, r.x + pad + 8, r.y + pad, r.w - 2 * pad - 8, text);
	u->text_bg = old;
	return h;
}

static void draw(ui *u)
{
	SDL_Rect area = ui_chrome(u, _("Information station: sustainable poverty reduction"), false);
	int y = area.y, bottom = area.y + area.h;
	char note[1200];
	ui_survey sv;
	if (u->services.announcement && u->services.announcement(u->services.ctx, i18n_lang(), note, sizeof note) &&
	    note[0])
		bottom -= ticker(u, area, note) + 24;
	if (u->services.survey && u->services.survey(u->services.ctx, i18n_lang(), &sv)) {
		char label[600];
		snprintf(label, sizeof label, "%s: %s", _("Survey"), sv.question);
		ui_button(u, "home.survey", label, (SDL_Rect){area.x, y, area.w, 110}, BTN_PRIMARY);
		y += 110 + 28;
	} else {
		y += ui_label(u, "home.hint", FACE_REGULAR, 38, u->theme.muted, area.x, y, area.w,
		              _("Touch a box to begin.")) + 28;
	}
	int cols = u->portrait ? 2 : 3, rows = u->portrait ? 3 : 2, gap = 28;
	int tw = (area.w - (cols - 1) * gap) / cols;
	int th = (bottom - y - (rows - 1) * gap) / rows;
	const char *labels[6], *subs[6];
	for (int i = 0; i < 6; i++) {
		labels[i] = _(tiles[i].label);
		subs[i] = _(tiles[i].sub);
	}
	ui_tiles_fit(u, labels, subs, 6, (SDL_Rect){area.x, y, tw, th});
	for (int i = 0; i < 6; i++) {
		SDL_Rect r = {area.x + (i % cols) * (tw + gap), y + (i / cols) * (th + gap), tw, th};
		ui_tile(u, tiles[i].id, _(tiles[i].label), _(tiles[i].sub), r, tiles[i].color, tiles[i].icon);
	}
}

static bool activate(ui *u, const char *id)
{
	if (strcmp(id, "home.survey") == 0) {
		ui_go(u, "survey", NULL);
		return true;
	}
	for (int i = 0; i < 6; i++)
		if (strcmp(id, tiles[i].id) == 0) {
			ui_go(u, tiles[i].target, NULL);
			return true;
		}
	return false;
}

const ui_screen screen_home = {.id = "home", .draw = draw, .activate = activate};
