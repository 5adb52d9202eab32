/* screens.h - what the screens share: the page viewer and list helpers. */
#ifndef TRAMTIN_SCREENS_H
#define TRAMTIN_SCREENS_H

#include "ui/ui.h"

extern const ui_screen screen_home, screen_policy_categories, screen_policy_list, screen_policy_page,
	screen_campaign, screen_campaign_page, screen_notice_list, screen_notice_page, screen_feedback,
	screen_complaint, screen_objection, screen_track, screen_receipt, screen_survey, screen_attract, screen_idle_warning,
	screen_admin;

/* Draws a list of pages as list.item.N rows in a scroll area inside r. */
void screens_page_list(ui *u, SDL_Rect r, const content_page *const *pages, size_t n, const char *empty_text);
/* Index (from 1) in "list.item.N", or 0. */
int screens_item_index(const char *id);

/* Draws a content page (title, posting, body, images, QR) below the chrome. */
void page_view_draw(ui *u, const content_page *p);
/* Handles the page's own widgets (related links); false if not one. */
bool page_view_activate(ui *u, const content_page *p, const char *id);
/* Formats a UTC time as a local date "dd/mm/yyyy". */
void screens_date(int64_t t, char *out, size_t len);

#endif
