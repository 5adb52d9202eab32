/* survey.c - a staff survey: one question, two to six answers as large
 * buttons; a tap sends the answer (kind survey, anonymous, the survey id
 * as ref) and thanks the citizen.  Nothing is typed, nothing identifies
 * the person. */
#include <string.h>

#include "screens/screens.h"
#include "tramtin/clock.h"
#include "tramtin/envelope.h"
#include "tramtin/err.h"

static struct {
	bool done;
	char error[300];
} S;

static void enter(ui *u, const char *arg)
{
	(void)u;
	(void)arg;
	memset(&S, 0, sizeof S);
}

static void draw(ui *u)
{
	SDL_Rect area = ui_chrome(u, _("Survey"), true);
	ui_survey sv;
	int y = area.y;
	if (!u->services.survey || !u->services.survey(u->services.ctx, i18n_lang(), &sv)) {
		ui_label(u, "survey.none", FACE_REGULAR, 38, u->theme.text, area.x, y, area.w,
		         _("This survey has ended. Thank you."));
		return;
	}
	if (S.done) {
		y += ui_label(u, "survey.thanks", FACE_BOLD, 48, u->theme.text, area.x, y, area.w,
		              _("Thank you. Your answer has been saved.")) + 40;
		ui_button(u, "survey.done", _("Finish"), (SDL_Rect){area.x, y, u->portrait ? area.w : 600, 120}, BTN_PRIMARY);
		return;
	}
	y += ui_label(u, "survey.question", FACE_BOLD, 48, u->theme.text, area.x, y, area.w, sv.question) + 16;
	y += ui_label(u, "survey.hint", FACE_REGULAR, 34, u->theme.muted, area.x, y, area.w,
	              _("Touch one answer. No name is asked.")) + 28;
	int bh = 120, gap = 20;
	for (int i = 0; i < sv.n_answers; i++) {
		char id[32];
		snprintf(id, sizeof id, "survey.answer.%d", i + 1);
		ui_button(u, id, sv.answers[i], (SDL_Rect){area.x, y, area.w, bh}, BTN_SECONDARY);
		y += bh + gap;
	}
	if (S.error[0])
		ui_label(u, "survey.error", FACE_BOLD, 34, u->theme.danger, area.x, y, area.w, S.error);
}

static bool activate(ui *u, const char *id)
{
	if (strcmp(id, "survey.done") == 0) {
		ui_home(u);
		return true;
	}
	int n = 0;
	ui_survey sv;
	if (sscanf(id, "survey.answer.%d", &n) != 1 || !u->services.survey ||
	    !u->services.survey(u->services.ctx, i18n_lang(), &sv) || n < 1 || n > sv.n_answers)
		return false;
	char ref[64], env_id[ENVELOPE_ID_LEN + 1], why[256] = "", category[16];
	snprintf(ref, sizeof ref, "%s", sv.id);
	snprintf(category, sizeof category, "answer-%d", n);
	tt_submission s = {
		.kind = SUB_SURVEY,
		.anonymous = true,
		.category = category,
		.text = sv.answers[n - 1],
		.ref = ref,
		.lang = i18n_code(i18n_lang()),
		.created = clock_now(),
	};
	if (!u->services.submit ||
	    u->services.submit(u->services.ctx, &s, env_id, sizeof env_id, why, sizeof why) != TT_OK) {
		snprintf(S.error, sizeof S.error, "%s",
		         why[0] ? why : _("Your answer could not be saved. Please tell the commune staff."));
		return true;
	}
	S.done = true;
	return true;
}

const ui_screen screen_survey = {.id = "survey", .enter = enter, .draw = draw, .activate = activate};
