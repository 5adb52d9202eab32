/* script.c - the automation language that drives the kiosk like a person.
 *
 * A script is parsed whole before it runs, so a typo fails at once with
 * exit 2 instead of half-way through a scenario.  Commands act through the
 * same paths as a finger: `tap` presses and releases the pointer at the
 * widget's centre, with a frame drawn in between, so pressed states,
 * hit-testing and the drag slop are all exercised; `keys` taps the
 * on-screen keyboard's keys.  `advance` moves the kiosk's clock, so idle
 * and attract timers are tested without waiting.  Failures print the
 * script line and what was on screen.  Two commands beyond
 * ARCHITECTURE.md's: `touch` (a tap through SDL's finger events) and
 * `hold @id MS` or `hold X Y MS` (press, keep for MS of the kiosk's clock,
 * release), `press Tab|Shift+Tab|Return|space` (a hardware key: focus),
 * `wait-content MS` (real time, until newer content is shown: network tests;
 * `wait-content MS CHANNEL=V`: until that channel is shown at version V or
 * later), `wait-content-error MS` (real time, until a content update fails
 * after the one the last such wait saw, or since the start for the first:
 * the failures the kiosk's status and admin screen report),
 * `expect-speech "text"` (waits, in real time, until the text being read
 * aloud made a second of sound or all of it; it must contain text) and
 * `expect-silent` (nothing is being read). */
#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/content.h"
#include "tramtin/log.h"
#include "tramtin/speech.h"
#include "tramtin/text.h"
#include "ui/script.h"

#include "ui/script_parse.h"

script *script_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, tt_strerrno(errno));
		return NULL;
	}
	char *text = NULL;
	size_t len = 0, cap = 0, k;
	char chunk[8192];
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + k > cap) {
			cap = (len + k) * 2;
			char *p = realloc(text, cap);
			if (!p) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return NULL;
			}
			text = p;
		}
		memcpy(text + len, chunk, k);
		len += k;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(text);
		snprintf(err, errlen, "%s: cannot read", path);
		return NULL;
	}
	script *s = script_parse(path, text ? text : "", len, err, errlen);
	free(text);
	return s;
}

/* --- running ---------------------------------------------------------------- */

struct run {
	script *s;
	ui *u;
	const script_host *host;
	const struct cmd *c;
	uint64_t swaps_seen; /* content swaps a wait-content already waited for */
	uint64_t failures_seen; /* content failures a wait-content-error already waited for */
};

static void pump(struct run *r)
{
	SDL_Event ev;
	while (SDL_PollEvent(&ev))
		ui_handle_event(r->u, &ev);
	if (r->host && r->host->tick)
		r->host->tick(r->host->ctx);
	ui_tick(r->u);
	ui_render(r->u);
}

static void visible_summary(ui *u, char *out, size_t len)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < u->n_widgets && n + 8 < len; i++) {
		const ui_widget *w = &u->widgets[i];
		if (!w->visible || !w->label[0])
			continue;
		int k = snprintf(out + n, len - n, "%s\"%.80s\"", n ? ", " : "", w->label);
		if (k < 0 || (size_t)k >= len - n) {
			snprintf(out + (len > 5 ? len - 5 : 0), 5, "...");
			return;
		}
		n += (size_t)k;
	}
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(struct run *r, const char *fmt, ...);

static int fail(struct run *r, const char *fmt, ...)
{
	char msg[512], vis[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const ui_screen *cur = ui_current(r->u);
	visible_summary(r->u, vis, sizeof vis);
	fprintf(stderr, "%s:%d: %s on screen '%s'; visible: %s\n", r->s->path, r->c->line, msg, cur ? cur->id : "?", vis);
	return 1;
}

static void tap_at(struct run *r, int x, int y)
{
	ui_pointer_down(r->u, x, y);
	pump(r); /* the pressed state is drawn, as for a finger */
	ui_pointer_up(r->u, x, y);
	pump(r);
}

/* A touch as a touchscreen reports it, through SDL's event queue: the
 * finger, the mouse events a driver may synthesise from it, and a second
 * finger (a palm) resting on the glass meanwhile.  The kiosk must act
 * exactly once. */
static void touch_at(struct run *r, int x, int y)
{
	int ww, wh;
	SDL_GetWindowSize(r->u->window, &ww, &wh);
	/* normalised window coordinates; the logical space fills the window */
	float fx = (float)x / (float)r->u->w, fy = (float)y / (float)r->u->h;
	(void)ww;
	(void)wh;
	SDL_Event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = SDL_FINGERDOWN;
	ev.tfinger.touchId = 1;
	ev.tfinger.fingerId = 10;
	ev.tfinger.x = fx;
	ev.tfinger.y = fy;
	ev.tfinger.pressure = 1;
	SDL_PushEvent(&ev);
	SDL_Event m;
	memset(&m, 0, sizeof m);
	m.type = SDL_MOUSEBUTTONDOWN;
	m.button.which = SDL_TOUCH_MOUSEID;
	m.button.button = SDL_BUTTON_LEFT;
	m.button.state = SDL_PRESSED;
	m.button.x = x;
	m.button.y = y;
	SDL_PushEvent(&m);
	SDL_Event palm = ev;
	palm.tfinger.fingerId = 11;
	palm.tfinger.x = 0.02f;
	palm.tfinger.y = 0.98f;
	SDL_PushEvent(&palm);
	pump(r);
	ev.type = SDL_FINGERUP;
	SDL_PushEvent(&ev);
	m.type = SDL_MOUSEBUTTONUP;
	m.button.state = SDL_RELEASED;
	SDL_PushEvent(&m);
	palm.type = SDL_FINGERUP;
	SDL_PushEvent(&palm);
	pump(r);
}

static bool visible_text(ui *u, const char *text)
{
	for (int i = 0; i < u->n_widgets; i++)
		if (u->widgets[i].visible && text_contains(u->widgets[i].label, text, false))
			return true;
	return false;
}

/* Brings a widget inside the scroll view into sight, as a person would
 * scroll to it; returns the widget (re-found after scrolling). */
static const ui_widget *reveal(struct run *r, const ui_widget *w, bool by_id, const char *key)
{
	for (int tries = 0; w && w->in_scroll && tries < 200; tries++) {
		SDL_Rect v = r->u->scroll_view;
		int cy = w->r.y + w->r.h / 2;
		if (cy >= v.y + 10 && cy <= v.y + v.h - 10)
			break;
		ui_scroll_by(r->u, cy < v.y ? -(v.y - cy + v.h / 3) : cy - (v.y + v.h) + v.h / 3);
		pump(r);
		w = by_id ? ui_widget_find(r->u, key) : ui_widget_by_label(r->u, key);
	}
	return w;
}

static int do_tap(struct run *r, bool optional, void (*press)(struct run *, int, int))
{
	const struct cmd *c = r->c;
	if (c->by_xy) {
		press(r, (int)c->a, (int)c->b);
		return 0;
	}
	const ui_widget *w = c->by_id ? ui_widget_find(r->u, c->str) : ui_widget_by_label(r->u, c->str);
	if (!w && !c->by_id) {
		/* a label inside a scrolled list may not be on screen yet */
		for (int i = 0; i < r->u->n_widgets && !w; i++) {
			const ui_widget *x = &r->u->widgets[i];
			if (x->in_scroll && x->enabled && x->role != ROLE_TEXT && x->role != ROLE_SCROLL &&
			    text_contains(x->label, c->str, false))
				w = x;
		}
	}
	if (w && w->in_scroll)
		w = reveal(r, w, true, w->id);
	if (!w || !w->visible) {
		if (optional)
			return 0;
		return c->by_id ? fail(r, "tap: no visible widget @%s", c->str) : fail(r, "tap: no visible widget labelled \"%s\"", c->str);
	}
	if (!w->enabled) {
		if (optional)
			return 0;
		return fail(r, "tap: widget @%s (\"%s\") is disabled", w->id, w->label);
	}
	press(r, w->r.x + w->r.w / 2, w->r.y + w->r.h / 2);
	return 0;
}

static const ui_widget *visible_key(ui *u, const char *id)
{
	const ui_widget *w = ui_widget_find(u, id);
	return w && w->visible ? w : NULL;
}

static void tap_widget(struct run *r, const ui_widget *w)
{
	tap_at(r, w->r.x + w->r.w / 2, w->r.y + w->r.h / 2);
}

/* Types one character as a person would on the on-screen keyboard: the
 * key itself; for a capital, shift then the key; for a character on the
 * other page (digits, symbols), the page key first. */
static int type_one(struct run *r, const char *ch)
{
	char id[UI_ID_LEN];
	for (int attempt = 0; attempt < 2; attempt++) {
		if (strcmp(ch, " ") == 0)
			snprintf(id, sizeof id, "osk.key.space");
		else
			snprintf(id, sizeof id, "osk.key.%s", ch);
		const ui_widget *w = visible_key(r->u, id);
		if (w) {
			tap_widget(r, w);
			return 0;
		}
		char *lower = text_lower(ch);
		if (lower && strcmp(lower, ch) != 0) {
			snprintf(id, sizeof id, "osk.key.%s", lower);
			w = visible_key(r->u, id);
			if (w) {
				const ui_widget *shift = visible_key(r->u, "osk.key.shift");
				/* the key shows the capital when shift is on */
				if (shift && strcmp(w->label, ch) != 0) {
					tap_widget(r, shift);
					w = visible_key(r->u, id);
				}
				free(lower);
				if (!w)
					break;
				tap_widget(r, w);
				return 0;
			}
		}
		free(lower);
		const ui_widget *page = visible_key(r->u, "osk.key.page");
		if (!page)
			break;
		tap_widget(r, page);
	}
	for (int i = 0; i < r->u->n_widgets; i++)
		if (strncmp(r->u->widgets[i].id, "osk.key.", 8) == 0 && r->u->widgets[i].visible)
			return fail(r, "keys: no key for \"%s\" on the on-screen keyboard", ch);
	return fail(r, "keys: no on-screen keyboard is open on this screen");
}

/* Presses a widget and keeps the finger there for ms of the kiosk's
 * clock (moved forward, no real waiting), then lifts it: hold-to-repeat. */
static int do_hold(struct run *r)
{
	int x = (int)r->c->b, y = (int)r->c->d;
	if (!r->c->by_xy) {
		const ui_widget *w = ui_widget_find(r->u, r->c->str);
		if (!w || !w->visible)
			return fail(r, "hold: no visible widget @%s", r->c->str);
		x = w->r.x + w->r.w / 2;
		y = w->r.y + w->r.h / 2;
	}
	ui_pointer_down(r->u, x, y);
	pump(r);
	for (long t = 0; t < r->c->a; t += 10) {
		clock_advance(10);
		pump(r);
	}
	ui_pointer_up(r->u, x, y);
	pump(r);
	return 0;
}

static int do_keys(struct run *r)
{
	const char *s = r->c->str;
	size_t len = strlen(s), pos = 0;
	while (pos < len) {
		size_t start = pos;
		text_decode(s, len, &pos);
		char ch[8];
		snprintf(ch, sizeof ch, "%.*s", (int)(pos - start), s + start);
		if (type_one(r, ch))
			return 1;
	}
	return 0;
}

static int do_dump(struct run *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *arr = cJSON_CreateArray();
	static const char *const roles[] = {"button", "tile", "item", "key", "field", "text", "image", "qr", "list",
	                                    "scroll-content"};
	const ui_screen *cur = ui_current(r->u);
	cJSON_AddStringToObject(root, "screen", cur ? cur->id : "");
	cJSON_AddNumberToObject(root, "frames", (double)r->u->frames);
	cJSON_AddNumberToObject(root, "width", r->u->w);
	cJSON_AddNumberToObject(root, "height", r->u->h);
	cJSON_AddStringToObject(root, "focus", r->u->focus_id);
	int order[UI_MAX_WIDGETS], n_order = ui_focus_order(r->u, order, UI_MAX_WIDGETS);
	cJSON *fo = cJSON_AddArrayToObject(root, "focus_order");
	for (int i = 0; i < n_order; i++)
		cJSON_AddItemToArray(fo, cJSON_CreateString(r->u->widgets[order[i]].id));
	cJSON_AddItemToObject(root, "widgets", arr);
	for (int i = 0; i < r->u->n_widgets; i++) {
		const ui_widget *w = &r->u->widgets[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", w->id);
		cJSON_AddStringToObject(o, "role", roles[w->role]);
		cJSON_AddStringToObject(o, "label", w->label);
		cJSON_AddNumberToObject(o, "x", w->r.x);
		cJSON_AddNumberToObject(o, "y", w->r.y);
		cJSON_AddNumberToObject(o, "w", w->r.w);
		cJSON_AddNumberToObject(o, "h", w->r.h);
		cJSON_AddBoolToObject(o, "visible", w->visible);
		cJSON_AddBoolToObject(o, "enabled", w->enabled);
		if (w->checked >= 0)
			cJSON_AddBoolToObject(o, "checked", w->checked);
		if (w->clipped)
			cJSON_AddBoolToObject(o, "clipped", true);
		cJSON_AddItemToArray(arr, o);
	}
	/* read aloud: is it reading, what, and how much sound it made */
	cJSON *sp = cJSON_AddObjectToObject(root, "speech");
	speech_status st;
	char said[2048];
	speech_get_status(r->u->speech, &st, said, sizeof said);
	cJSON_AddBoolToObject(sp, "available", ui_speech_enabled(r->u));
	cJSON_AddBoolToObject(sp, "started", r->u->speech != NULL);
	cJSON_AddBoolToObject(sp, "button", ui_speech_button(r->u));
	cJSON_AddBoolToObject(sp, "active", st.active);
	cJSON_AddBoolToObject(sp, "reading_screen", ui_speaking(r->u));
	cJSON_AddBoolToObject(sp, "synthesizing", st.synthesizing);
	cJSON_AddStringToObject(sp, "text", said);
	cJSON_AddNumberToObject(sp, "samples", (double)st.samples);
	cJSON_AddNumberToObject(sp, "played", (double)st.played);
	cJSON_AddNumberToObject(sp, "peak", (double)st.peak);
	cJSON_AddNumberToObject(sp, "texts", (double)st.texts);
	cJSON_AddNumberToObject(sp, "sample_rate", speech_sample_rate(r->u->speech));
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	FILE *f = text ? fopen(r->c->str, "w") : NULL;
	bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
	if (f && fclose(f) != 0)
		ok = false;
	free(text);
	if (!ok)
		return fail(r, "dump: cannot write %s: %s", r->c->str, tt_strerrno(errno));
	return 0;
}

/* A small, seedable generator, so a monkey run can be replayed exactly. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int do_monkey(struct run *r)
{
	uint64_t seed = (uint64_t)r->c->b * 2654435761u + 0x9E3779B97F4A7C15ull;
	ui *u = r->u;
	for (long i = 0; i < r->c->a; i++) {
		unsigned roll = (unsigned)(rng_next(&seed) % 100);
		if (roll < 60) {
			/* tap a random tappable widget, or a random point */
			int n = u->n_widgets;
			const ui_widget *w = n ? &u->widgets[rng_next(&seed) % (uint64_t)n] : NULL;
			if (w && w->visible && roll < 45)
				tap_at(r, w->r.x + w->r.w / 2, w->r.y + w->r.h / 2);
			else
				tap_at(r, (int)(rng_next(&seed) % (uint64_t)u->w), (int)(rng_next(&seed) % (uint64_t)u->h));
		} else if (roll < 80) {
			int x = (int)(rng_next(&seed) % (uint64_t)u->w), y = (int)(rng_next(&seed) % (uint64_t)u->h);
			int dy = (int)(rng_next(&seed) % 1200) - 600;
			ui_pointer_down(u, x, y);
			for (int k = 1; k <= 4; k++) {
				ui_pointer_move(u, x, y + dy * k / 4);
				pump(r);
			}
			ui_pointer_up(u, x, y + dy);
			pump(r);
		} else if (roll < 90) {
			ui_wheel(u, (int)(rng_next(&seed) % 7) - 3);
			pump(r);
		} else {
			clock_advance(rng_next(&seed) % 30000);
			pump(r);
		}
		/* The way home must always work. */
		if ((i + 1) % 1000 == 0) {
			const ui_widget *home = ui_widget_find(u, "nav.home");
			if (home) {
				tap_at(r, home->r.x + home->r.w / 2, home->r.y + home->r.h / 2);
				if (strcmp(ui_current(u)->id, "home") != 0)
					return fail(r, "monkey: after %ld events @nav.home did not lead home", i + 1);
			}
		}
	}
	return 0;
}

/* Runs the kiosk for up to ms real milliseconds, until done(r) if done is
 * given.  False only if that time ran out first: done, or a stop (SIGTERM
 * or SIGINT, as SDL_QUIT), ends the wait early and counts as not timed out. */
static bool wait_real(struct run *r, long ms, bool (*done)(struct run *))
{
	uint64_t end = clock_ms() + (uint64_t)ms;
	for (;;) {
		if (r->u->quit || (done && done(r)))
			return true;
		uint64_t now = clock_ms();
		if (now >= end)
			return !done;
		SDL_Event ev;
		uint64_t left = end - now;
		if (SDL_WaitEventTimeout(&ev, (int)(left < 20 ? left : 20)))
			ui_handle_event(r->u, &ev);
		pump(r);
	}
}

static bool text_seen(struct run *r)
{
	return visible_text(r->u, r->c->str);
}

static bool content_swapped(struct run *r)
{
	if (!r->c->str) /* newer content than the last wait saw */
		return r->u->content_swaps > r->swaps_seen;
	const content_bundle *b = r->u->bundle; /* that channel at that version, or later */
	for (size_t i = 0; i < content_part_count(b); i++)
		if (strcmp(content_part_channel(b, i), r->c->str) == 0 && content_part_version(b, i) >= r->c->b)
			return true;
	return false;
}

static uint64_t content_failures(struct run *r)
{
	ui_admin_info in = {0};
	if (r->u->services.admin_info)
		r->u->services.admin_info(r->u->services.ctx, &in);
	return in.content_failures;
}

/* A content update failed after the one the last wait-content-error saw
 * (the first: since the kiosk started), as its status reports them. */
static bool content_failed(struct run *r)
{
	return content_failures(r) > r->failures_seen;
}

static bool delivered(struct run *r)
{
	return r->host && r->host->delivered && r->host->delivered(r->host->ctx) == 1;
}

int script_run(script *s, ui *u, const script_host *host)
{
	struct run r = {.s = s, .u = u, .host = host};
	for (size_t i = 0; i < s->n; i++) {
		r.c = &s->cmds[i];
		pump(&r);
		int rc = 0;
		switch (r.c->op) {
		case OP_TAP:
			rc = do_tap(&r, false, tap_at);
			break;
		case OP_TAP_OPT:
			rc = do_tap(&r, true, tap_at);
			break;
		case OP_TOUCH:
			rc = do_tap(&r, false, touch_at);
			break;
		case OP_HOLD:
			rc = do_hold(&r);
			break;
		case OP_KEYS:
			rc = do_keys(&r);
			break;
		case OP_EXPECT:
			if (!visible_text(u, r.c->str))
				rc = fail(&r, "expect \"%s\" failed", r.c->str);
			break;
		case OP_EXPECT_SCREEN:
			if (strcmp(ui_current(u)->id, r.c->str) != 0)
				rc = fail(&r, "expect-screen %s failed", r.c->str);
			break;
		case OP_ADVANCE:
			clock_advance((uint64_t)r.c->a);
			u->dirty = true;
			pump(&r);
			break;
		case OP_WAIT_FOR:
			if (!wait_real(&r, r.c->a, text_seen))
				rc = fail(&r, "wait-for \"%s\" timed out after %ld ms", r.c->str, r.c->a);
			break;
		case OP_SCREENSHOT:
			if (!ui_screenshot(u, r.c->str))
				rc = fail(&r, "screenshot %s failed", r.c->str);
			break;
		case OP_DUMP:
			rc = do_dump(&r);
			break;
		case OP_MONKEY:
			rc = do_monkey(&r);
			break;
		case OP_WAIT_DELIVERED:
			if (!host || !host->delivered || host->delivered(host->ctx) < 0) {
				rc = fail(&r, "wait-delivered: not available yet (this kiosk has no outbox)");
				break;
			}
			if (!wait_real(&r, r.c->a, delivered))
				rc = fail(&r, "wait-delivered timed out after %ld ms", r.c->a);
			break;
		case OP_SLEEP:
			wait_real(&r, r.c->a, NULL);
			break;
		case OP_WAIT_CONTENT: /* until newer content is on screen (it swaps in on an idle home screen) */
			if (!wait_real(&r, r.c->a, content_swapped)) {
				if (r.c->str)
					rc = fail(&r, "wait-content: %s was not shown at version %ld or later within %ld ms", r.c->str,
					          r.c->b, r.c->a);
				else
					rc = fail(&r, "wait-content: no newer content was shown within %ld ms", r.c->a);
			}
			r.swaps_seen = u->content_swaps;
			break;
		case OP_WAIT_CONTENT_ERROR: {
			ui_admin_info in = {0};
			if (u->services.admin_info)
				u->services.admin_info(u->services.ctx, &in);
			if (!in.broker_set)
				rc = fail(&r, "wait-content-error: this kiosk has no broker ([mqtt] host), so no content updates");
			else if (!wait_real(&r, r.c->a, content_failed))
				rc = fail(&r, "wait-content-error: no content update failed within %ld ms", r.c->a);
			r.failures_seen = content_failures(&r);
			break;
		}
		case OP_EXPECT_SPEECH: {
			if (!u->speech) {
				rc = fail(&r, "expect-speech: read aloud is off (no espeak-ng in this build, or [accessibility])");
				break;
			}
			/* a second of sound, or all of it (the rest plays at its pace) */
			speech_wait_sound(u->speech, (uint64_t)speech_sample_rate(u->speech), 20000);
			speech_status st;
			char said[4096];
			speech_get_status(u->speech, &st, said, sizeof said);
			fprintf(stderr, "speech: %llu samples (%.1f s, peak %llu) for \"%.60s%s\"\n", (unsigned long long)st.samples,
			        (double)st.samples / speech_sample_rate(u->speech), (unsigned long long)st.peak, said,
			        strlen(said) > 60 ? "..." : "");
			if (!text_contains(said, r.c->str, false))
				rc = fail(&r, "expect-speech \"%s\": the text read is \"%.200s\"", r.c->str, said);
			else if (st.samples == 0 || st.peak == 0)
				rc = fail(&r, "expect-speech \"%s\": no sound was made", r.c->str);
			pump(&r);
			break;
		}
		case OP_EXPECT_SILENT: {
			speech_status st;
			speech_get_status(u->speech, &st, NULL, 0);
			if (st.active)
				rc = fail(&r, "expect-silent: still reading (%llu samples)", (unsigned long long)st.samples);
			break;
		}
		case OP_PRESS: { /* a hardware key, as a keyboard or a switch device sends it */
			SDL_Event ev = {.type = SDL_KEYDOWN};
			const char *k = r.c->str;
			ev.key.keysym.sym = !strcmp(k, "Return") ? SDLK_RETURN : !strcmp(k, "space") ? SDLK_SPACE : SDLK_TAB;
			ev.key.keysym.mod = !strcmp(k, "Shift+Tab") ? KMOD_LSHIFT : KMOD_NONE;
			ui_handle_event(u, &ev);
			pump(&r);
			break;
		}
		}
		if (rc)
			return rc;
		if (u->quit)
			break;
	}
	return 0;
}
