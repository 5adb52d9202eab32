/* registry.c - every screen the kiosk has, found by its stable id. */
#include "screens/screens.h"

const ui_screen *const ui_screens[] = {
	&screen_home, &screen_policy_categories, &screen_policy_list, &screen_policy_page, &screen_campaign,
	&screen_campaign_page, &screen_notice_list, &screen_notice_page, &screen_feedback, &screen_complaint,
	&screen_objection, &screen_track, &screen_receipt, &screen_survey, &screen_attract, &screen_idle_warning, &screen_admin,
	NULL,
};
