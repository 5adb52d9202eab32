/* forms.c - feedback, anonymous complaint and objection: step by step.
 *
 * One form at a time is open; its state lives here and is wiped (memory
 * zeroed) whenever the citizen leaves it: cancel, home, finishing, or an
 * idle reset.  Steps, screen ids and widget ids follow ARCHITECTURE.md so
 * scripts can walk every flow: feedback = category, rating, text, contact
 * (optional), review; complaint = what is protected, category, text,
 * review; objection = text, review.  nav.back goes to the previous step,
 * form.cancel leaves.  The receipt appears only once the submission is
 * durable (services.submit returns after the outbox commit). */
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/code.h"
#include "tramtin/envelope.h"
#include "tramtin/ime.h"
#include "screens/screens.h"
#include "ui/osk.h"

enum step { ST_PROTECTED, ST_CATEGORY, ST_RATING, ST_TEXT, ST_CONTACT, ST_REVIEW };

struct category {
	const char *id, *label;
};

static const struct category feedback_categories[] = {
	{"policy", N_("A question about a policy")},
	{"support", N_("How support is carried out")},
	{"officials", N_("Conduct of officials")},
	{"suggestion", N_("A suggestion")},
	{"praise", N_("Praise")},
	{"other", N_("Something else")},
};

static const struct category complaint_categories[] = {
	{"review", N_("Mistakes in the poor-household review")},
	{"targeting", N_("Support not reaching the right people")},
	{"officials", N_("Conduct of officials")},
	{"corruption", N_("Corruption or misuse of funds")},
	{"other", N_("Something else")},
};

static const char *const rating_words[5] = {
	N_("Very unhappy"), N_("Unhappy"), N_("Neither"), N_("Happy"), N_("Very happy"),
};

static struct form {
	sub_kind kind;
	bool open;
	bool with_contact;   /* complaint: the citizen chose to add contact details */
	int step;            /* index into steps() */
	int category;        /* 1..n, 0: none */
	int rating;          /* 1..5, 0: none */
	int focus;           /* ST_CONTACT: 0 name, 1 phone */
	ime *text, *name, *phone;
	char ref[96];
	char error[256];
} F;

/* Receipt state, wiped when the receipt is left. */
static struct {
	char id[ENVELOPE_ID_LEN + 1];
	char code[CODE_GROUPED_LEN + 1];
} R;

static size_t steps(enum step *out)
{
	size_t n = 0;
	switch (F.kind) {
	case SUB_COMPLAINT:
		out[n++] = ST_PROTECTED;
		out[n++] = ST_CATEGORY;
		out[n++] = ST_TEXT;
		if (F.with_contact)
			out[n++] = ST_CONTACT;
		break;
	case SUB_OBJECTION:
		out[n++] = ST_TEXT;
		break;
	default:
		out[n++] = ST_CATEGORY;
		out[n++] = ST_RATING;
		out[n++] = ST_TEXT;
		out[n++] = ST_CONTACT;
		break;
	}
	out[n++] = ST_REVIEW;
	return n;
}

static enum step current(void)
{
	enum step s[8];
	size_t n = steps(s);
	return s[F.step < (int)n ? F.step : (int)n - 1];
}

static const struct category *categories(size_t *n)
{
	if (F.kind == SUB_COMPLAINT) {
		*n = sizeof complaint_categories / sizeof complaint_categories[0];
		return complaint_categories;
	}
	*n = sizeof feedback_categories / sizeof feedback_categories[0];
	return feedback_categories;
}

static void wipe(void)
{
	ime_free(F.text);
	ime_free(F.name);
	ime_free(F.phone);
	explicit_bzero(&F, sizeof F);
}

static void open_form(ui *u, sub_kind kind, const char *ref)
{
	if (F.open && F.kind == kind && strcmp(F.ref, ref ? ref : "") == 0)
		return; /* back from a later screen: keep what was typed */
	wipe();
	F.kind = kind;
	F.open = true;
	snprintf(F.ref, sizeof F.ref, "%s", ref ? ref : "");
	ime_style style = strcmp(u->cfg->ime_style, "new") == 0 ? IME_STYLE_NEW : IME_STYLE_OLD;
	F.text = ime_new(osk_method(u->osk), style);
	F.name = ime_new(osk_method(u->osk), style);
	F.phone = ime_new(IME_DIRECT, style);
	if (!F.text || !F.name || !F.phone)
		abort(); /* the UI may abort on out-of-memory (STYLE.md) */
	ime_set_max(F.text, (size_t)u->cfg->text_max_chars);
	ime_set_max(F.name, 100);
	ime_set_max(F.phone, 20);
}

static const char *kind_title(sub_kind k)
{
	switch (k) {
	case SUB_COMPLAINT: return _("Anonymous complaint");
	case SUB_OBJECTION: return _("Object to a notice");
	default: return _("Feedback");
	}
}

static const char *step_title(enum step s)
{
	switch (s) {
	case ST_PROTECTED: return _("What is protected");
	case ST_CATEGORY: return _("What is it about?");
	case ST_RATING: return _("How satisfied are you?");
	case ST_TEXT: return _("Write your message");
	case ST_CONTACT: return _("Your name and phone (optional)");
	default: return _("Check and send");
	}
}

static ime *focused(void)
{
	enum step s = current();
	if (s == ST_TEXT)
		return F.text;
	if (s == ST_CONTACT)
		return F.focus ? F.phone : F.name;
	return NULL;
}

static bool can_go_on(void)
{
	switch (current()) {
	case ST_CATEGORY: return F.category > 0;
	case ST_RATING: return F.rating > 0;
	case ST_TEXT: return ime_length(F.text) > 0;
	default: return true;
	}
}

/* Bottom-right action buttons: next or submit, and cancel. */
static void actions(ui *u, SDL_Rect r, bool vertical)
{
	bool last = current() == ST_REVIEW;
	int bw = vertical ? r.w : (r.w - 24) / 2, bh = 110;
	SDL_Rect go = vertical ? (SDL_Rect){r.x, r.y, bw, bh} : (SDL_Rect){r.x + bw + 24, r.y, bw, bh};
	SDL_Rect cancel = vertical ? (SDL_Rect){r.x, r.y + bh + 24, bw, bh} : (SDL_Rect){r.x, r.y, bw, bh};
	ui_button(u, last ? "form.submit" : "form.next", last ? _("Send") : _("Next"), go, BTN_PRIMARY);
	if (!last && !can_go_on())
		u->widgets[u->n_widgets - 1].enabled = false;
	ui_button(u, "form.cancel", _("Cancel"), cancel, BTN_SECONDARY);
}

/* The title line of a form: what it is, and where the citizen is in it. */
static int header(ui *u, SDL_Rect *area)
{
	enum step s[8];
	size_t n = steps(s);
	char step[160], line[320];
	snprintf(step, sizeof step, _("Step %d of %zu: %s"), F.step + 1, n, step_title(current()));
	snprintf(line, sizeof line, "%s · %s", kind_title(F.kind), step);
	int h = ui_label(u, "form.step", FACE_BOLD, 48, u->theme.text, area->x, area->y, area->w, line);
	area->y += h + 20;
	area->h -= h + 20;
	return h;
}

/* The words of the "what is protected" step, in a scroll area when they
 * are taller than the room (large text). */
static int protected_words(ui *u, SDL_Rect v, int scroll, bool draw)
{
	const ui_theme *t = &u->theme;
	const struct {
		const char *id;
		ui_face face;
		int size, indent, after;
		SDL_Color c;
		const char *text;
	} w[] = {
		{"form.protect.yes", FACE_BOLD, 40, 0, 8, t->text, _("What is protected:")},
		{"form.protect.1", FACE_REGULAR, 38, 40, 6, t->text,
		 _("• What you write is locked so that only the provincial Fatherland Front can read it; the commune and this kiosk cannot.")},
		{"form.protect.2", FACE_REGULAR, 38, 40, 18, t->text,
		 _("• No name and no phone number are asked. Only the day of sending is kept, not the hour.")},
		{"form.protect.no", FACE_BOLD, 40, 0, 8, t->danger, _("What is not protected:")},
		{"form.protect.3", FACE_REGULAR, 38, 40, 18, t->text,
		 _("• Someone standing behind you can see the screen. Look around before you write.")},
		{"form.protect.law", FACE_REGULAR, 34, 0, 0, t->muted,
		 _("Note: under the Law on Denunciation, a denunciation without a name cannot be settled formally. If you want a formal answer, you may add your name and phone.")},
	};
	int y = v.y - scroll;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		int x = v.x + w[i].indent, width = v.w - w[i].indent;
		y += (draw ? ui_label(u, w[i].id, w[i].face, w[i].size, w[i].c, x, y, width, w[i].text)
		           : ui_text_wrapped(u, w[i].face, w[i].size, w[i].c, x, y, width, w[i].text, 0, false)) + w[i].after;
	}
	return y - (v.y - scroll);
}

static void draw_protected(ui *u, SDL_Rect a)
{
	/* landscape: words on the left, Next/Cancel on the right; portrait:
	 * words, then "add my name", then the actions at the foot */
	int bottom = u->portrait ? 110 + 24 + 110 + 24 : 110 + 24;
	SDL_Rect v = {a.x, a.y, u->portrait ? a.w : a.w - 560, a.h - bottom};
	int h = protected_words(u, v, 0, false);
	if (h > v.h) { /* room for the scroll buttons at the right */
		SDL_Rect narrow = {v.x, v.y, v.w - 150, v.h};
		h = protected_words(u, narrow, 0, false);
		ui_scroll_begin(u, v);
		protected_words(u, narrow, *ui_scroll(u), true);
		ui_scroll_end(u, h);
	} else {
		protected_words(u, v, 0, true);
	}
	SDL_Rect add = {a.x, v.y + v.h + 24, u->portrait ? a.w : 760, 110};
	ui_button(u, "form.contact.add", F.with_contact ? _("Contact details will be added") : _("Add my name and phone"),
	          add, BTN_SECONDARY);
	SDL_Rect act = u->portrait ? (SDL_Rect){a.x, a.y + a.h - 110, a.w, 110} : (SDL_Rect){a.x + a.w - 520, a.y + a.h - 244, 520, 244};
	actions(u, act, !u->portrait);
}

static void draw_choices(ui *u, SDL_Rect a)
{
	size_t n;
	const struct category *c = categories(&n);
	int cols = u->portrait ? 1 : 2, gap = 24;
	int w = (a.w - (cols - 1) * gap) / cols, h = u->portrait ? 120 : 130;
	for (size_t i = 0; i < n; i++) {
		char id[48];
		snprintf(id, sizeof id, "form.category.%zu", i + 1);
		SDL_Rect r = {a.x + (int)(i % (size_t)cols) * (w + gap), a.y + (int)(i / (size_t)cols) * (h + gap), w, h};
		ui_button(u, id, _(c[i].label), r, F.category == (int)i + 1 ? BTN_PRIMARY : BTN_SECONDARY);
	}
	SDL_Rect act = {a.x + (u->portrait ? 0 : a.w - 760), a.y + a.h - 110, u->portrait ? a.w : 760, 110};
	actions(u, act, false);
}

static void face(ui *u, int cx, int cy, int r, int mood, SDL_Color c, SDL_Color bg)
{
	/* a round face: eyes, and a mouth that bends with the mood (-2..2):
	 * up at the corners for happy, down for unhappy */
	ui_fill_round(u, (SDL_Rect){cx - r, cy - r, 2 * r, 2 * r}, r, c);
	ui_fill_round(u, (SDL_Rect){cx - r / 3 - 8, cy - r / 3 - 8, 16, 16}, 8, bg);
	ui_fill_round(u, (SDL_Rect){cx + r / 3 - 8, cy - r / 3 - 8, 16, 16}, 8, bg);
	int mw = r, my = cy + r / 3 - mood * 3;
	for (int i = 0; i < mw; i += 4) {
		double t = (double)(i - mw / 2) / (mw / 2.0);
		int dy = (int)(mood * 6 * (1 - t * t));
		ui_fill(u, (SDL_Rect){cx - mw / 2 + i, my + dy, 5, 7}, bg);
	}
}

static void draw_rating(ui *u, SDL_Rect a)
{
	const ui_theme *t = &u->theme;
	int cols = u->portrait ? 1 : 5, gap = 20;
	int w = (a.w - (cols - 1) * gap) / cols, h = u->portrait ? 150 : 330;
	static const SDL_Color moods[5] = {{176, 40, 40, 255}, {200, 100, 30, 255}, {150, 130, 40, 255},
	                                   {70, 130, 60, 255}, {30, 110, 60, 255}};
	for (int i = 0; i < 5; i++) {
		char id[32];
		snprintf(id, sizeof id, "form.rating.%d", i + 1);
		SDL_Rect r = {a.x + (i % cols) * (w + gap), a.y + (i / cols) * (h + gap), w, h};
		bool on = F.rating == i + 1;
		ui_widget_add(u, id, ROLE_BUTTON, _(rating_words[i]), r, true);
		SDL_Color bg = on ? moods[i] : (ui_pressed(u, id) ? t->pressed : t->surface);
		ui_fill_round(u, r, 20, on ? moods[i] : t->border);
		ui_fill_round(u, (SDL_Rect){r.x + 4, r.y + 4, r.w - 8, r.h - 8}, 18, bg);
		int fr = u->portrait ? 50 : 70;
		int fx = u->portrait ? r.x + 40 + fr : r.x + r.w / 2, fy = u->portrait ? r.y + r.h / 2 : r.y + 40 + fr;
		static const SDL_Color white = {255, 255, 255, 255}; /* on the mood's colour, in both themes */
		face(u, fx, fy, fr, i - 2, on ? white : moods[i], bg);
		SDL_Color prev = ui_set_text_bg(u, bg);
		const char *word = _(rating_words[i]);
		if (u->portrait)
			ui_text(u, FACE_BOLD, 44, on ? white : t->text, fx + fr + 40, r.y + (r.h - 60) / 2, word, strlen(word));
		else
			ui_text_wrapped(u, FACE_BOLD, 38, on ? white : t->text, r.x + 20, fy + fr + 24, r.w - 40, word, 2, true);
		ui_set_text_bg(u, prev);
	}
	SDL_Rect act = {a.x + (u->portrait ? 0 : a.w - 760), a.y + a.h - 110, u->portrait ? a.w : 760, 110};
	actions(u, act, false);
}

static void draw_text_step(ui *u, SDL_Rect a)
{
	int kh = osk_height(u, u->osk);
	SDL_Rect kb = {a.x + 16, a.y + a.h - kh - 8, a.w - 32, kh};
	int top = kb.y - 40 - a.y;
	SDL_Rect field, act;
	if (u->portrait) {
		field = (SDL_Rect){a.x, a.y, a.w, top - 134};
		act = (SDL_Rect){a.x, a.y + top - 110, a.w, 110};
	} else if (top >= 244) {
		field = (SDL_Rect){a.x, a.y, a.w - 440, top};
		act = (SDL_Rect){a.x + a.w - 400, a.y, 400, 244};
	} else {
		field = (SDL_Rect){a.x, a.y, a.w - 640, top};
		act = (SDL_Rect){a.x + a.w - 600, a.y, 600, 110};
	}
	ui_text_field(u, "form.text", F.text, field, _("Touch the keys below to write."), (size_t)u->cfg->text_max_chars);
	actions(u, act, !u->portrait && top >= 244);
	osk_draw(u, u->osk, kb);
}

static void draw_contact(ui *u, SDL_Rect a)
{
	int kh = osk_height(u, u->osk);
	SDL_Rect kb = {a.x + 16, a.y + a.h - kh - 8, a.w - 32, kh};
	int top = kb.y - 40 - a.y;
	int fw = u->portrait ? a.w : a.w - 640, fh = 150;
	if (2 * fh + 24 > top - (u->portrait ? 134 : 0))
		fh = (top - (u->portrait ? 134 : 0) - 24) / 2;
	SDL_Rect name = {a.x, a.y, fw, fh}, phone = {a.x, a.y + fh + 24, fw, fh};
	ui_text_field(u, "form.name", F.name, name, _("Your name"), 100);
	ui_text_field(u, "form.phone", F.phone, phone, _("Your phone number"), 20);
	/* the focused field has a thick frame */
	ui_frame_rect(u, F.focus ? phone : name, 8, u->theme.accent);
	SDL_Rect act = u->portrait ? (SDL_Rect){a.x, a.y + top - 110, a.w, 110} : (SDL_Rect){a.x + a.w - 600, a.y, 600, 110};
	actions(u, act, false);
	osk_draw(u, u->osk, kb);
}

static int review_line(ui *u, const char *id, int x, int y, int w, const char *what, const char *value)
{
	char line[UI_LABEL_LEN];
	snprintf(line, sizeof line, "%s: %s", what, value);
	return ui_label(u, id, FACE_REGULAR, 38, u->theme.text, x, y, w, line) + 14;
}

static void draw_review(ui *u, SDL_Rect a)
{
	const ui_theme *t = &u->theme;
	int w = u->portrait ? a.w : a.w - 560, y = a.y;
	size_t n;
	const struct category *c = categories(&n);
	if (F.category)
		y += review_line(u, "form.review.category", a.x, y, w, _("About"), _(c[F.category - 1].label));
	if (F.rating)
		y += review_line(u, "form.review.rating", a.x, y, w, _("Satisfaction"), _(rating_words[F.rating - 1]));
	/* the message, cut to what fits (it is sent whole) */
	char msg[UI_LABEL_LEN];
	snprintf(msg, sizeof msg, "%s: %s", _("Message"), ime_text(F.text));
	int room = a.y + a.h - y - 300;
	int lines = room / 52 > 1 ? room / 52 : 1;
	int h = ui_text_wrapped(u, FACE_REGULAR, 38, t->text, a.x, y, w, msg, lines, true);
	ui_widget_add(u, "form.review.text", ROLE_TEXT, ime_text(F.text), (SDL_Rect){a.x, y, w, h}, true);
	y += h + 14;
	bool anonymous = F.kind == SUB_COMPLAINT && !F.with_contact;
	if (anonymous) {
		y += ui_label(u, "form.review.anonymous", FACE_BOLD, 38, t->primary, a.x, y, w,
		              _("Anonymous: no name, no phone; only the day is kept.")) + 14;
	} else if (F.kind != SUB_OBJECTION || ime_length(F.name) || ime_length(F.phone)) {
		char contact[256];
		snprintf(contact, sizeof contact, "%s%s%s", ime_text(F.name), ime_length(F.name) && ime_length(F.phone) ? ", " : "",
		         ime_text(F.phone));
		y += review_line(u, "form.review.contact", a.x, y, w, _("Contact"), contact[0] ? contact : _("none given"));
	}
	if (F.error[0])
		ui_label(u, "form.error", FACE_BOLD, 38, t->danger, a.x, y, w, F.error);
	SDL_Rect act = u->portrait ? (SDL_Rect){a.x, a.y + a.h - 110, a.w, 110}
	                           : (SDL_Rect){a.x + a.w - 520, a.y + a.h - 244, 520, 244};
	actions(u, act, !u->portrait);
}

static void form_draw(ui *u)
{
	SDL_Rect a = ui_chrome(u, NULL, true);
	header(u, &a);
	switch (current()) {
	case ST_PROTECTED: draw_protected(u, a); break;
	case ST_CATEGORY: draw_choices(u, a); break;
	case ST_RATING: draw_rating(u, a); break;
	case ST_TEXT: draw_text_step(u, a); break;
	case ST_CONTACT: draw_contact(u, a); break;
	default: draw_review(u, a); break;
	}
}

/* Read aloud: the step's title, its words and choices, and what the
 * fields hold, as drawn in the last frame. */
static void form_speak(ui *u, char *out, size_t len)
{
	for (int i = 0; i < u->n_widgets; i++) {
		const ui_widget *w = &u->widgets[i];
		if (strncmp(w->id, "form.", 5) != 0)
			continue;
		if (w->role == ROLE_TEXT) {
			ui_speak_add(out, len, w->label);
		} else if (w->role == ROLE_FIELD) {
			const char *name = strcmp(w->id, "form.name") == 0 ? _("Your name")
			                   : strcmp(w->id, "form.phone") == 0 ? _("Your phone number") : NULL;
			ime *e = strcmp(w->id, "form.name") == 0 ? F.name : strcmp(w->id, "form.phone") == 0 ? F.phone : F.text;
			if (name && ime_length(e)) {
				char line[UI_LABEL_LEN + 64];
				snprintf(line, sizeof line, "%s: %s", name, ime_text(e));
				ui_speak_add(out, len, line);
			} else {
				ui_speak_add(out, len, w->role == ROLE_FIELD && ime_length(e) ? ime_text(e) : w->label);
			}
		} else if (strncmp(w->id, "form.category.", 14) == 0 || strncmp(w->id, "form.rating.", 12) == 0) {
			ui_speak_add(out, len, w->label);
		}
	}
}

static void enter_step(ui *u)
{
	enum step s = current();
	ui_speech_stop(u); /* a new step: what was read was the last one's */
	*ui_scroll(u) = 0; /* each step starts at its top */
	if (s == ST_CONTACT)
		osk_set_numbers(u->osk, F.focus == 1);
	else if (s == ST_TEXT)
		osk_set_numbers(u->osk, false);
	F.error[0] = '\0';
}

static void submit(ui *u)
{
	char code[CODE_GROUPED_LEN + 1], id[ENVELOPE_ID_LEN + 1] = "", why[256] = "";
	bool anonymous = F.kind == SUB_COMPLAINT && !F.with_contact;
	size_t n;
	const struct category *c = categories(&n);
	code_new(code);
	tt_submission s = {
		.kind = F.kind,
		.anonymous = anonymous,
		.category = F.category ? c[F.category - 1].id : "",
		.rating = F.rating,
		.text = ime_text(F.text),
		.name = anonymous ? "" : ime_text(F.name),
		.phone = anonymous ? "" : ime_text(F.phone),
		.ref = F.ref,
		.lang = i18n_code(i18n_lang()),
		.code = code,
		.created = clock_now(),
	};
	if (!u->services.submit) {
		snprintf(F.error, sizeof F.error, "%s", _("This kiosk cannot take messages at the moment. Please tell the commune staff."));
		return;
	}
	if (u->services.submit(u->services.ctx, &s, id, sizeof id, why, sizeof why) != TT_OK) {
		snprintf(F.error, sizeof F.error, "%s", why[0] ? why : _("Your message could not be saved. Please tell the commune staff."));
		explicit_bzero(code, sizeof code);
		return;
	}
	memcpy(R.id, id, sizeof R.id);
	memcpy(R.code, code, sizeof R.code);
	explicit_bzero(code, sizeof code);
	wipe();
	ui_go(u, "receipt", NULL);
}

static bool form_activate(ui *u, const char *id)
{
	enum step s[8];
	size_t n = steps(s);
	bool done = false;
	ime *e = focused();
	if (e && osk_activate(u, u->osk, e, id, &done)) {
		if (done && can_go_on() && current() == ST_TEXT)
			id = "form.next";
		else
			return true;
	}
	if (strcmp(id, "form.cancel") == 0) {
		wipe();
		ui_home(u);
	} else if (strcmp(id, "form.next") == 0) {
		if (can_go_on() && F.step + 1 < (int)n) {
			F.step++;
			enter_step(u);
		}
	} else if (strcmp(id, "form.submit") == 0) {
		submit(u);
	} else if (strcmp(id, "form.contact.add") == 0) {
		F.with_contact = !F.with_contact;
	} else if (strncmp(id, "form.category.", 14) == 0) {
		size_t nc;
		categories(&nc);
		int i = atoi(id + 14);
		if (i >= 1 && (size_t)i <= nc)
			F.category = i;
	} else if (strncmp(id, "form.rating.", 12) == 0) {
		int i = atoi(id + 12);
		if (i >= 1 && i <= 5)
			F.rating = i;
	} else if (strcmp(id, "form.text") == 0) {
		ui_text_field_tap(u, id, F.text, u->last_x, u->last_y);
	} else if (strcmp(id, "form.name") == 0 || strcmp(id, "form.phone") == 0) {
		int f = strcmp(id, "form.phone") == 0;
		if (f == F.focus)
			ui_text_field_tap(u, id, f ? F.phone : F.name, u->last_x, u->last_y);
		F.focus = f;
		osk_set_numbers(u->osk, f == 1);
	} else {
		return false;
	}
	u->dirty = true;
	return true;
}

static bool form_back(ui *u)
{
	if (F.step == 0)
		return false;
	F.step--;
	enter_step(u);
	u->dirty = true;
	return true;
}

static void form_leave(ui *u)
{
	(void)u;
	/* Leaving to anything but a later step of the same form wipes it:
	 * the only screen opened from a form is the receipt, after submit. */
	wipe();
}

static void form_tick(ui *u)
{
	ime *e = focused();
	if (e)
		osk_tick(u, u->osk, e);
}

static int form_next_timer(ui *u)
{
	return osk_next_timer(u, u->osk);
}

static void feedback_enter(ui *u, const char *arg)
{
	(void)arg;
	open_form(u, SUB_FEEDBACK, NULL);
}

static void complaint_enter(ui *u, const char *arg)
{
	(void)arg;
	open_form(u, SUB_COMPLAINT, NULL);
}

static void objection_enter(ui *u, const char *arg)
{
	open_form(u, SUB_OBJECTION, arg);
}

#define FORM_SCREEN(name, sid, enter_fn)                                                                          \
	const ui_screen name = {.id = sid, .enter = enter_fn, .draw = form_draw, .activate = form_activate,        \
	                        .leave = form_leave, .back = form_back, .tick = form_tick, .next_timer = form_next_timer, \
	                        .speak_text = form_speak}

FORM_SCREEN(screen_feedback, "feedback", feedback_enter);
FORM_SCREEN(screen_complaint, "complaint", complaint_enter);
FORM_SCREEN(screen_objection, "objection", objection_enter);

/* --- receipt -------------------------------------------------------------- */

static void receipt_draw(ui *u)
{
	const ui_theme *t = &u->theme;
	SDL_Rect a = ui_chrome(u, _("Thank you!"), false);
	int qs = u->portrait ? 520 : 460;
	int w = u->portrait ? a.w : a.w - qs - 60, y = a.y;
	y += ui_label(u, "receipt.saved", FACE_REGULAR, 40, t->text, a.x, y, w, _("Your message has been received.")) + 20;
	y += ui_label(u, "receipt.code.caption", FACE_REGULAR, 38, t->muted, a.x, y, w, _("Your tracking code:")) + 8;
	y += ui_label(u, "receipt.code", FACE_BOLD, 88, t->text, a.x, y, w, R.code) + 20;
	/* Asked at every frame; the network thread wakes the UI (a frame)
	 * when an ack changes it, so nothing needs polling. */
	ui_delivery d = u->services.delivery ? u->services.delivery(u->services.ctx, R.id) : DELIVERY_SAVED;
	const char *state = d == DELIVERY_DELIVERED ? _("Delivered to the provincial Fatherland Front.")
	                                            : _("Saved on this kiosk; it will be sent as soon as there is a connection.");
	y += ui_label(u, "receipt.state", FACE_BOLD, 38, d == DELIVERY_DELIVERED && !u->high_contrast ? (SDL_Color){30, 110, 60, 255} : t->accent,
	              a.x, y, w, state) + 20;
	y += ui_label(u, "receipt.hint", FACE_REGULAR, 36, t->muted, a.x, y, w,
	              _("Take a photo of the QR code, or write the code down, to see the answer later under \"Track\".")) + 20;
	char url[512];
	snprintf(url, sizeof url, "%s#%s", u->services.followup_url ? u->services.followup_url : "", R.code);
	SDL_Rect qr = u->portrait ? (SDL_Rect){a.x + (a.w - qs) / 2, y, qs, qs} : (SDL_Rect){a.x + a.w - qs - 12, a.y + 12, qs, qs};
	ui_fill_round(u, (SDL_Rect){qr.x - 12, qr.y - 12, qr.w + 24, qr.h + 24}, 16, t->surface);
	ui_qr(u, url, qr);
	ui_widget_add(u, "receipt.qr", ROLE_QR, _("QR code of the follow-up page"), qr, true);
	SDL_Rect done = {a.x + (u->portrait ? 0 : a.w - 520), a.y + a.h - 120, u->portrait ? a.w : 520, 120};
	ui_button(u, "receipt.done", _("Finish"), done, BTN_PRIMARY);
}

static bool receipt_activate(ui *u, const char *id)
{
	if (strcmp(id, "receipt.done") != 0)
		return false;
	ui_home(u);
	return true;
}

static void receipt_speak(ui *u, char *out, size_t len)
{
	ui_speak_widgets(u, out, len, "receipt.");
}

static void receipt_leave(ui *u)
{
	(void)u;
	explicit_bzero(&R, sizeof R);
}

const ui_screen screen_receipt = {.id = "receipt", .draw = receipt_draw, .activate = receipt_activate,
                                  .leave = receipt_leave, .speak_text = receipt_speak};
