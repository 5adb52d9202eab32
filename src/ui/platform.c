/* platform.c - window, renderer, input events and navigation.
 *
 * The only file that turns SDL events into kiosk input.  Touch and mouse
 * become one pointer: a touch screen also sends synthetic mouse events,
 * which we switch off (and ignore if they come anyway) so one touch is one
 * action; only the first finger down is followed, so a palm or a second
 * finger does nothing.  An action fires on release, on the widget where the
 * press began, and only if the finger did not travel: a travel of more
 * than DRAG_SLOP scrolls instead. */
#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "ui/osk.h"
#include "ui/ui.h"

#define DRAG_SLOP 24

static const ui_theme light = {
	.bg = {246, 243, 236, 255},
	.surface = {255, 255, 255, 255},
	.text = {28, 28, 30, 255},
	.muted = {72, 72, 80, 255},
	.primary = {166, 31, 36, 255},     /* a deep red, as in the Front's materials */
	.primary_text = {255, 255, 255, 255},
	.accent = {178, 104, 0, 255},
	.border = {200, 194, 184, 255},
	.pressed = {250, 226, 200, 255},
	.danger = {150, 20, 20, 255},
};

/* High contrast: white and yellow on black, well above WCAG's 7:1. */
static const ui_theme contrast = {
	.bg = {0, 0, 0, 255},
	.surface = {0, 0, 0, 255},
	.text = {255, 255, 255, 255},
	.muted = {235, 235, 235, 255},
	.primary = {255, 221, 0, 255},
	.primary_text = {0, 0, 0, 255},
	.accent = {255, 221, 0, 255},
	.border = {255, 255, 255, 255},
	.pressed = {40, 60, 120, 255},
	.danger = {255, 140, 140, 255},
};

void ui_set_modes(ui *u, bool large_text, bool high_contrast)
{
	if (u->large_text == large_text && u->high_contrast == high_contrast && u->frames)
		return;
	u->large_text = large_text;
	u->high_contrast = high_contrast;
	u->theme = high_contrast ? contrast : light;
	if (u->rc)
		rencache_invalidate(u->rc); /* every pixel changes */
	u->dirty = true;
}

static void set_layout(ui *u)
{
	int ow = 0, oh = 0;
	SDL_GetWindowSize(u->window, &ow, &oh);
	const char *o = u->cfg->orientation;
	u->portrait = strcmp(o, "portrait") == 0 || (strcmp(o, "auto") == 0 && oh > ow);
	u->w = u->portrait ? 1080 : 1920;
	u->h = u->portrait ? 1920 : 1080;
	SDL_RenderSetLogicalSize(u->renderer, u->w, u->h);
	u->dirty = true;
}

ui *ui_new(const tt_config *cfg, content_bundle *bundle, const ui_options *opt)
{
	ui *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->cfg = cfg;
	u->bundle = bundle;
	ui_set_modes(u, cfg->large_text, cfg->high_contrast);
	if (opt->headless) {
		setenv("SDL_VIDEODRIVER", "dummy", 1);
		SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
	}
	/* A kiosk: no screensaver, no synthetic mouse from touch (or touch
	 * from mouse), no framebuffer copy that costs 100 MiB under X11. */
	SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "1");
	if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
		tt_error("cannot start SDL video: %s", SDL_GetError());
		free(u);
		return NULL;
	}
	if (TTF_Init() != 0) {
		tt_error("cannot start SDL_ttf: %s", TTF_GetError());
		goto fail;
	}
	IMG_Init(IMG_INIT_PNG | IMG_INIT_JPG);
	int w = opt->width, h = opt->height;
	Uint32 flags = SDL_WINDOW_SHOWN;
	if (!w || !h) {
		bool portrait = strcmp(cfg->orientation, "portrait") == 0;
		w = portrait ? 1080 : 1920;
		h = portrait ? 1920 : 1080;
		if (opt->windowed && !opt->headless) {
			w /= 2;
			h /= 2;
		}
	}
	if (!opt->windowed && !opt->headless)
		flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
	if (opt->windowed)
		flags |= SDL_WINDOW_RESIZABLE;
	u->window = SDL_CreateWindow("Trạm tin", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
	if (!u->window) {
		tt_error("cannot open a window: %s", SDL_GetError());
		goto fail;
	}
	u->renderer = SDL_CreateRenderer(u->window, -1, opt->headless ? SDL_RENDERER_SOFTWARE : 0);
	if (!u->renderer) {
		tt_error("cannot create a renderer: %s", SDL_GetError());
		goto fail;
	}
	if (!opt->windowed && !opt->headless)
		SDL_ShowCursor(SDL_DISABLE);
	set_layout(u);
	if (!ui_fonts_find(u))
		goto fail;
	u->texts = text_cache_new();
	u->images = image_cache_new();
	u->rc = rencache_new(u->renderer);
	if (!u->texts || !u->images || !u->rc)
		goto fail;
	u->last_input_ms = clock_ms();
	u->osk = osk_new(cfg);
	if (!u->osk)
		goto fail;
	ui_home(u);
	return u;
fail:
	ui_free(u);
	return NULL;
}

void ui_free(ui *u)
{
	if (!u)
		return;
	if (u->nav_depth > 0 && u->nav[u->nav_depth - 1].screen->leave)
		u->nav[u->nav_depth - 1].screen->leave(u);
	text_cache_free(u->texts);
	image_cache_free(u->images);
	rencache_free(u->rc);
	osk_free(u->osk);
	ui_speech_end(u);
	for (int f = 0; f < FACE__COUNT; f++)
		for (int i = 0; i < UI_FONT_SLOTS; i++)
			if (u->fonts[f][i])
				TTF_CloseFont(u->fonts[f][i]);
	for (int f = 0; f < FACE__COUNT; f++)
		SDL_free(u->font_data[f]); /* after the fonts that read from it */
	if (u->renderer)
		SDL_DestroyRenderer(u->renderer);
	if (u->window)
		SDL_DestroyWindow(u->window);
	IMG_Quit();
	if (TTF_WasInit())
		TTF_Quit();
	SDL_Quit();
	free(u);
}

/* --- navigation ---------------------------------------------------------- */

const ui_screen *ui_find_screen(const char *id)
{
	for (int i = 0; ui_screens[i]; i++)
		if (strcmp(ui_screens[i]->id, id) == 0)
			return ui_screens[i];
	return NULL;
}

const ui_screen *ui_current(const ui *u)
{
	/* the idle warning covers the screen in use without leaving it, so
	 * "Continue" finds the form as it was */
	if (u->idle_warning_ms) {
		const ui_screen *w = ui_find_screen("idle.warning");
		if (w)
			return w;
	}
	return u->nav_depth ? u->nav[u->nav_depth - 1].screen : NULL;
}

const char *ui_arg(const ui *u)
{
	return u->nav_depth ? u->nav[u->nav_depth - 1].arg : "";
}

int *ui_scroll(ui *u)
{
	static int none;
	return u->nav_depth ? &u->nav[u->nav_depth - 1].scroll : &none;
}

static void leave_current(ui *u)
{
	const ui_screen *cur = ui_current(u);
	if (cur && cur->leave)
		cur->leave(u);
	ui_speech_stop(u); /* what was read belonged to that screen */
	u->pointer_down = false;
	u->dragging = false;
	u->pressed_id[0] = '\0';
	u->focus_id[0] = '\0';
	u->scroll_max = 0;
}

void ui_go(ui *u, const char *screen_id, const char *arg)
{
	const ui_screen *s = ui_find_screen(screen_id);
	if (!s) {
		tt_warn("no screen '%s'", screen_id);
		return;
	}
	leave_current(u);
	if (u->nav_depth == UI_NAV_DEPTH) {
		memmove(&u->nav[1], &u->nav[2], (UI_NAV_DEPTH - 2) * sizeof u->nav[0]);
		u->nav_depth--;
	}
	ui_nav_entry *e = &u->nav[u->nav_depth++];
	memset(e, 0, sizeof *e);
	e->screen = s;
	snprintf(e->arg, sizeof e->arg, "%s", arg ? arg : "");
	if (s->enter)
		s->enter(u, e->arg);
	u->dirty = true;
}

void ui_back(ui *u)
{
	if (u->nav_depth <= 1) {
		ui_home(u);
		return;
	}
	leave_current(u);
	u->nav_depth--;
	ui_nav_entry *e = &u->nav[u->nav_depth - 1];
	if (e->screen->enter)
		e->screen->enter(u, e->arg);
	u->scroll_max = 1 << 30; /* let the restored scroll stand until drawn */
	u->dirty = true;
}

void ui_home(ui *u)
{
	leave_current(u);
	if (u->osk)
		osk_reset(u->osk); /* the keyboard's method is remembered per visit */
	u->nav_depth = 0;
	ui_go(u, "home", NULL);
}

void ui_set_lang(ui *u, tt_lang lang)
{
	i18n_set_lang(lang);
	ui_speech_stop(u);
	u->dirty = true;
}

/* --- input ---------------------------------------------------------------- */

static void activate(ui *u, const char *id)
{
	if (strcmp(id, "nav.home") == 0)
		ui_home(u);
	else if (strcmp(id, "nav.back") == 0) {
		const ui_screen *cur = ui_current(u);
		if (!(cur && cur->back && cur->back(u)))
			ui_back(u);
	}
	else if (strcmp(id, "nav.lang") == 0)
		ui_set_lang(u, i18n_lang() == LANG_VI ? LANG_EN : LANG_VI);
	else if (strcmp(id, "nav.text") == 0)
		ui_set_modes(u, !u->large_text, u->high_contrast);
	else if (strcmp(id, "nav.contrast") == 0)
		ui_set_modes(u, u->large_text, !u->high_contrast);
	else if (strcmp(id, "nav.speak") == 0) {
		if (ui_speaking(u))
			ui_speech_stop(u);
		else
			ui_speak_screen(u);
	}
	else if (strcmp(id, "scroll.up") == 0)
		ui_scroll_by(u, -u->scroll_view.h * 3 / 4);
	else if (strcmp(id, "scroll.down") == 0)
		ui_scroll_by(u, u->scroll_view.h * 3 / 4);
	else {
		if (strncmp(id, "osk.key.", 8) == 0) { /* [accessibility] announce_keys */
			const ui_widget *w = ui_widget_find(u, id);
			if (w)
				ui_speak_key(u, w->label);
		}
		if (ui_current(u) && ui_current(u)->activate)
			ui_current(u)->activate(u, id);
	}
	u->dirty = true;
}

/* Tells the kiosk's status what the display does. */
static void display_state(ui *u)
{
	if (u->services.display)
		u->services.display(u->services.ctx,
		                    !u->screen_off ? "on" : u->closed ? "off by schedule" : "off by command");
}

void ui_pointer_down(ui *u, int x, int y)
{
	u->last_input_ms = u->press_ms = clock_ms();
	if (u->screen_off) { /* a touch wakes a blank screen, and does nothing else */
		u->screen_off = false;
		u->dirty = true;
		display_state(u);
		return;
	}
	u->pointer_down = true;
	u->dragging = false;
	u->press_x = u->last_x = x;
	u->press_y = u->last_y = y;
	const ui_widget *w = ui_widget_at(u, x, y);
	snprintf(u->pressed_id, sizeof u->pressed_id, "%s", w ? w->id : "");
	u->dirty = true;
}

void ui_pointer_move(ui *u, int x, int y)
{
	if (!u->pointer_down)
		return;
	u->last_input_ms = clock_ms();
	if (!u->dragging && (abs(x - u->press_x) > DRAG_SLOP || abs(y - u->press_y) > DRAG_SLOP)) {
		u->dragging = true;
		u->dirty = true; /* drop the pressed look */
	}
	SDL_Point p = {u->press_x, u->press_y};
	if (u->dragging && SDL_PointInRect(&p, &u->scroll_view))
		ui_scroll_by(u, u->last_y - y);
	u->last_x = x;
	u->last_y = y;
}

void ui_pointer_up(ui *u, int x, int y)
{
	if (!u->pointer_down)
		return;
	ui_pointer_move(u, x, y);
	u->pointer_down = false;
	u->dirty = true;
	char id[UI_ID_LEN];
	snprintf(id, sizeof id, "%s", u->pressed_id);
	u->pressed_id[0] = '\0';
	if (u->dragging || !id[0])
		return;
	const ui_widget *w = ui_widget_at(u, x, y);
	if (w && strcmp(w->id, id) == 0)
		activate(u, id);
}

void ui_wheel(ui *u, int dy)
{
	u->last_input_ms = clock_ms();
	ui_scroll_by(u, -dy * 120);
}

static void finger_to_logical(ui *u, float fx, float fy, int *x, int *y)
{
	int ww, wh;
	float lx, ly;
	SDL_GetWindowSize(u->window, &ww, &wh);
	SDL_RenderWindowToLogical(u->renderer, (int)(fx * (float)ww), (int)(fy * (float)wh), &lx, &ly);
	*x = (int)lx;
	*y = (int)ly;
}

void ui_handle_event(ui *u, const SDL_Event *ev)
{
	int x, y;
	switch (ev->type) {
	case SDL_QUIT:
		u->quit = true;
		break;
	case SDL_WINDOWEVENT:
		if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
			set_layout(u);
		if (u->rc)
			rencache_invalidate(u->rc); /* exposed or resized: repaint all */
		u->dirty = true;
		break;
	case SDL_RENDER_TARGETS_RESET:
	case SDL_RENDER_DEVICE_RESET:
		/* textures are gone: drop the caches, they refill on the next frame */
		text_cache_free(u->texts);
		image_cache_free(u->images);
		u->texts = text_cache_new();
		u->images = image_cache_new();
		rencache_invalidate(u->rc);
		u->dirty = true;
		break;
	case SDL_MOUSEBUTTONDOWN:
		if (ev->button.which != SDL_TOUCH_MOUSEID && ev->button.button == SDL_BUTTON_LEFT && !u->finger_active)
			ui_pointer_down(u, ev->button.x, ev->button.y);
		break;
	case SDL_MOUSEMOTION:
		if (ev->motion.which != SDL_TOUCH_MOUSEID && !u->finger_active)
			ui_pointer_move(u, ev->motion.x, ev->motion.y);
		break;
	case SDL_MOUSEBUTTONUP:
		if (ev->button.which != SDL_TOUCH_MOUSEID && ev->button.button == SDL_BUTTON_LEFT && !u->finger_active)
			ui_pointer_up(u, ev->button.x, ev->button.y);
		break;
	case SDL_MOUSEWHEEL:
		ui_wheel(u, ev->wheel.y);
		break;
	case SDL_USEREVENT:
		/* the network thread changed something the screen may show */
		u->dirty = true;
		break;
	case SDL_FINGERDOWN:
		if (u->finger_active || u->pointer_down)
			break;
		u->finger_active = true;
		u->finger = ev->tfinger.fingerId;
		finger_to_logical(u, ev->tfinger.x, ev->tfinger.y, &x, &y);
		ui_pointer_down(u, x, y);
		break;
	case SDL_FINGERMOTION:
		if (u->finger_active && ev->tfinger.fingerId == u->finger) {
			finger_to_logical(u, ev->tfinger.x, ev->tfinger.y, &x, &y);
			ui_pointer_move(u, x, y);
		}
		break;
	case SDL_FINGERUP:
		if (u->finger_active && ev->tfinger.fingerId == u->finger) {
			u->finger_active = false;
			finger_to_logical(u, ev->tfinger.x, ev->tfinger.y, &x, &y);
			ui_pointer_up(u, x, y);
		}
		break;
	case SDL_KEYDOWN:
		u->last_input_ms = clock_ms();
		if (ev->key.keysym.sym == SDLK_TAB)
			ui_focus_move(u, ev->key.keysym.mod & KMOD_SHIFT ? -1 : 1);
		else if ((ev->key.keysym.sym == SDLK_RETURN || ev->key.keysym.sym == SDLK_KP_ENTER ||
		          ev->key.keysym.sym == SDLK_SPACE) && u->focus_id[0]) {
			const ui_widget *w = ui_widget_find(u, u->focus_id);
			char id[UI_ID_LEN];
			snprintf(id, sizeof id, "%s", u->focus_id);
			if (w && w->visible && w->enabled)
				activate(u, id);
		} else if (ev->key.keysym.sym == SDLK_PAGEDOWN)
			ui_scroll_by(u, u->scroll_view.h * 3 / 4);
		else if (ev->key.keysym.sym == SDLK_PAGEUP)
			ui_scroll_by(u, -u->scroll_view.h * 3 / 4);
		else if (ev->key.keysym.sym == SDLK_ESCAPE && (SDL_GetWindowFlags(u->window) & SDL_WINDOW_FULLSCREEN) == 0)
			u->quit = true;
		break;
	default:
		break;
	}
}

/* New content is shown only while nobody uses the screen: on the home
 * screen untouched for a few seconds, or in the attract loop (never
 * mid-form, never under a reader's finger). */
#define CONTENT_SWAP_IDLE_MS 3000

static void maybe_swap_content(ui *u)
{
	const ui_screen *s = ui_current(u);
	bool attract = s && strcmp(s->id, "attract") == 0;
	if (!u->services.content_swap || !s || (!attract && (u->nav_depth != 1 || strcmp(s->id, "home") != 0)) ||
	    clock_ms() - u->last_input_ms < CONTENT_SWAP_IDLE_MS)
		return;
	if (u->services.content_swap(u->services.ctx, &u->bundle)) {
		tt_info("showing the new content");
		u->content_swaps++;
		if (attract) { /* it held pages of the old bundle: start it again */
			ui_home(u);
			ui_go(u, "attract", NULL);
		}
		u->dirty = true;
	}
}

/* --- idle ------------------------------------------------------------------
 * After timeout_s without a touch (form_timeout_s on a form or with the
 * keyboard), "Are you still there?" with a warning_s countdown; then
 * everything typed is wiped (each screen's leave), the history cleared,
 * and the attract loop runs.  From the home screen the attract loop comes
 * without a warning: there is nothing to lose. */

static bool on_form(const ui *u)
{
	static const char *const forms[] = {"feedback", "complaint", "objection", "track", NULL};
	const ui_screen *s = u->nav_depth ? u->nav[u->nav_depth - 1].screen : NULL;
	for (int i = 0; s && forms[i]; i++)
		if (strcmp(s->id, forms[i]) == 0)
			return true;
	return false;
}

static uint64_t idle_limit_ms(const ui *u)
{
	int s = on_form(u) ? u->cfg->form_timeout_s : u->cfg->idle_timeout_s;
	return (uint64_t)(s > 0 ? s : 60) * 1000;
}

int ui_idle_seconds_left(const ui *u)
{
	uint64_t total = (uint64_t)(u->cfg->warning_s > 0 ? u->cfg->warning_s : 20) * 1000, gone;
	gone = u->idle_warning_ms ? clock_ms() - u->idle_warning_ms : 0;
	return gone >= total ? 0 : (int)((total - gone + 999) / 1000);
}

void ui_idle_continue(ui *u)
{
	u->idle_warning_ms = 0;
	u->last_input_ms = clock_ms();
	u->dirty = true;
}

/* The next person starts in the kiosk's own language ([kiosk] lang) and
 * display modes ([display] large_text, high_contrast). */
static void idle_defaults(ui *u)
{
	tt_lang lang = LANG_VI;
	if (i18n_parse(u->cfg->lang, &lang) && lang != i18n_lang())
		ui_set_lang(u, lang);
	ui_set_modes(u, u->cfg->large_text, u->cfg->high_contrast);
}

/* Returns ms until the idle logic next needs to run (-1: never). */
static int idle_tick(ui *u)
{
	const ui_screen *s = u->nav_depth ? u->nav[u->nav_depth - 1].screen : NULL;
	uint64_t now = clock_ms();
	if (!s || !u->cfg || strcmp(s->id, "attract") == 0)
		return -1;
	if (u->idle_warning_ms) {
		int left = ui_idle_seconds_left(u);
		if (left > 0) {
			u->dirty = true; /* the countdown */
			return 1000;
		}
		tt_info("idle: nobody answered; wiping input and starting the attract loop");
		u->idle_warning_ms = 0;
		ui_home(u); /* each screen's leave wipes what it held */
		idle_defaults(u);
		ui_go(u, "attract", NULL);
		return -1;
	}
	/* someone listening to a page is not idle: the count starts when the
	 * reading should end (an estimate on the kiosk's clock, so scripts
	 * and the monkey stay repeatable) */
	uint64_t since = u->last_input_ms > u->listen_until_ms ? u->last_input_ms : u->listen_until_ms;
	if (since > now)
		since = now;
	uint64_t limit = idle_limit_ms(u), idle = now - since;
	if (idle < limit)
		return (int)(limit - idle);
	if (u->nav_depth == 1 && strcmp(s->id, "home") == 0) {
		idle_defaults(u);
		ui_go(u, "attract", NULL);
		return -1;
	}
	u->idle_warning_ms = now ? now : 1;
	u->pointer_down = false;
	u->pressed_id[0] = '\0';
	u->dirty = true;
	return 1000;
}

/* --- opening hours ---------------------------------------------------------
 * Outside them the screen is black; a touch wakes it for a citizen, and
 * after the idle timeout it goes black again; at opening time it comes on. */

static void schedule_tick(ui *u)
{
	if (!u->cfg || !u->cfg->open_hours[0])
		return;
	int hour, min, wday;
	clock_civil(clock_now(), CLOCK_TZ_VN_MIN, NULL, NULL, NULL, &hour, &min, &wday);
	bool open = config_open_at(u->cfg, wday, hour * 60 + min);
	if (open && u->closed) {
		tt_info("opening time: display on");
		u->closed = u->screen_off = false;
		u->last_input_ms = clock_ms();
		u->dirty = true;
		display_state(u);
	} else if (!open && !u->closed) {
		tt_info("closing time: display off by schedule");
		u->closed = u->screen_off = true;
		u->dirty = true;
		display_state(u);
	} else if (!open && !u->screen_off &&
	           clock_ms() - u->last_input_ms >= (uint64_t)(u->cfg->idle_timeout_s > 0 ? u->cfg->idle_timeout_s : 60) * 1000) {
		u->screen_off = true; /* woken by a touch after hours, then left */
		u->dirty = true;
		display_state(u);
	}
}

/* Staff commands for the screen (signed, checked by the network side). */
static void take_commands(ui *u)
{
	if (!u->services.take_command)
		return;
	for (int c; (c = u->services.take_command(u->services.ctx)) != UI_CMD_NONE;) {
		if (c == UI_CMD_SCREEN_OFF || c == UI_CMD_SCREEN_ON) {
			u->screen_off = c == UI_CMD_SCREEN_OFF;
			tt_info("screen %s by staff command", u->screen_off ? "off" : "on");
			u->dirty = true;
			display_state(u);
		} else if (c == UI_CMD_RESTART) {
			tt_info("restarting by staff command");
			u->restart = u->quit = true;
		}
	}
}

/* --- the admin gesture -------------------------------------------------------
 * A finger held still on the top-left corner for five seconds opens the
 * admin screen (which asks for the PIN).  Nothing on screen says so, and
 * the press is dropped so the button under it does not fire on release. */
#define ADMIN_CORNER 120
#define ADMIN_HOLD_MS 5000

static int admin_gesture(ui *u)
{
	if (!u->pointer_down || u->dragging || u->press_x >= ADMIN_CORNER || u->press_y >= ADMIN_CORNER)
		return -1;
	uint64_t held = clock_ms() - u->press_ms;
	if (held < ADMIN_HOLD_MS)
		return (int)(ADMIN_HOLD_MS - held);
	u->pointer_down = false;
	u->pressed_id[0] = '\0';
	u->idle_warning_ms = 0;
	const ui_screen *s = ui_current(u);
	if (!s || strcmp(s->id, "admin") != 0) {
		tt_info("admin gesture: asking for the PIN");
		ui_go(u, "admin", NULL);
	}
	return -1;
}

int ui_tick(ui *u)
{
	bool was_off = u->screen_off;
	take_commands(u);
	schedule_tick(u);
	if (was_off && !u->screen_off)
		display_state(u);
	maybe_swap_content(u);
	int gesture = admin_gesture(u);
	int idle = idle_tick(u);
	if (gesture >= 0 && (idle < 0 || gesture < idle))
		idle = gesture;
	int speech = ui_speech_tick(u);
	if (speech >= 0 && (idle < 0 || speech < idle))
		idle = speech;
	const ui_screen *s = ui_current(u);
	int next = -1;
	if (s && s->tick) {
		s->tick(u);
		next = s->next_timer ? s->next_timer(u) : -1;
	}
	return next < 0 || (idle >= 0 && idle < next) ? idle : next;
}

bool ui_wait_event(ui *u, SDL_Event *ev, int ms)
{
	static int blocks = -1; /* whether the video driver sleeps until input */
	if (blocks < 0) {
		const char *d = SDL_GetCurrentVideoDriver();
		blocks = d && (strcmp(d, "x11") == 0 || strcmp(d, "wayland") == 0 || strcmp(d, "windows") == 0 ||
		               strcmp(d, "cocoa") == 0);
	}
	if (blocks)
		return SDL_WaitEventTimeout(ev, ms);
	const ui_screen *s = ui_current(u);
	int step = u->screen_off || (s && strcmp(s->id, "attract") == 0) ? 50 : 10;
	uint64_t end = clock_ms() + (uint64_t)(ms < 0 ? 0 : ms);
	for (;;) {
		if (SDL_PollEvent(ev))
			return true;
		uint64_t now = clock_ms();
		if (now >= end)
			return false;
		SDL_Delay((Uint32)(end - now < (uint64_t)step ? end - now : (uint64_t)step));
	}
}

/* --- frames --------------------------------------------------------------- */

static void draw_frame(ui *u, bool full)
{
	u->dirty = false;
	u->n_widgets = 0;
	u->scroll_registered = false;
	u->tile_size = u->tile_ssize = 0;
	u->now = clock_now();
	ui_cache_frame_begin(u);
	rencache_begin(u->rc);
	ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, u->theme.bg);
	u->text_bg = u->theme.bg;
	const ui_screen *s = ui_current(u);
	if (u->screen_off)
		ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, (SDL_Color){0, 0, 0, 255});
	else if (s && s->draw)
		s->draw(u);
	const ui_widget *f = u->focus_id[0] && !u->screen_off ? ui_widget_find(u, u->focus_id) : NULL;
	if (f && f->visible) { /* the focus ring: thick, outside the widget, in both themes */
		SDL_Color ring = u->high_contrast ? (SDL_Color){0, 200, 255, 255} : (SDL_Color){0, 70, 200, 255};
		ui_frame_rect(u, (SDL_Rect){f->r.x - 11, f->r.y - 11, f->r.w + 22, f->r.h + 22}, 6, ring);
		ui_frame_rect(u, (SDL_Rect){f->r.x - 5, f->r.y - 5, f->r.w + 10, f->r.h + 10}, 4, /* seen on any colour */
		              u->high_contrast ? (SDL_Color){0, 0, 0, 255} : (SDL_Color){255, 255, 255, 255});
	}
	rencache_end(u->rc, u->renderer, u->w, u->h, full);
	u->frames++;
}

bool ui_render(ui *u)
{
	if (!u->dirty)
		return false;
	draw_frame(u, false);
	SDL_RenderPresent(u->renderer);
	return true;
}

bool ui_screenshot(ui *u, const char *path)
{
	int w, h;
	/* What is on screen, as partial redraws left it (tests compare it with
	 * references, so a wrong partial redraw shows up there). */
	draw_frame(u, false);
	SDL_GetRendererOutputSize(u->renderer, &w, &h);
	/* The software renderer draws into the window surface: write it as it
	 * is.  Other renderers: read the pixels back first. */
	SDL_Surface *ws = SDL_GetWindowSurface(u->window);
	SDL_RendererInfo info;
	bool sw = SDL_GetRendererInfo(u->renderer, &info) == 0 && (info.flags & SDL_RENDERER_SOFTWARE) && ws &&
	          ws->w == w && ws->h == h && ws->format->BytesPerPixel == 4;
	bool ok;
	if (sw) {
		ok = ui_png_write(path, ws);
	} else {
		SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
		if (!s) {
			tt_error("%s: cannot take a screenshot: %s", path, SDL_GetError());
			return false;
		}
		SDL_RenderSetViewport(u->renderer, NULL);
		ok = SDL_RenderReadPixels(u->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) == 0;
		SDL_RenderSetLogicalSize(u->renderer, u->w, u->h);
		if (!ok)
			tt_error("%s: cannot read the frame: %s", path, SDL_GetError());
		else
			ok = ui_png_write(path, s);
		SDL_FreeSurface(s);
	}
	SDL_RenderPresent(u->renderer);
	return ok;
}
