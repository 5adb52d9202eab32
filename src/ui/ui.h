/* ui.h - the kiosk's user interface layer (SDL2).
 *
 * Immediate-mode widgets over a retained frame: a screen's draw function
 * lays out and draws its widgets every time the frame is dirty, and each
 * widget call also records {id, role, label, rect} in the frame's widget
 * table.  That table serves hit-testing for touch and mouse, the
 * automation script (tap by label or id, expect, dump) and, later, screen
 * readers.  Nothing is drawn while nothing changes: input, timers and
 * script commands mark the frame dirty.
 *
 * Coordinates are logical: 1920x1080 (landscape) or 1080x1920 (portrait),
 * scaled by SDL to the real display. */
#ifndef TRAMTIN_UI_H
#define TRAMTIN_UI_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdbool.h>
#include <stdint.h>

#include "tramtin/config.h"
#include "tramtin/content.h"
#include "tramtin/i18n.h"

#define UI_MAX_WIDGETS 1024
#define UI_ID_LEN 48
#define UI_LABEL_LEN 512
#define UI_FONT_SLOTS 40 /* open sizes per face: the UI's sizes in both text modes */

typedef enum ui_role {
	ROLE_BUTTON, ROLE_TILE, ROLE_ITEM, ROLE_KEY, ROLE_FIELD, ROLE_TEXT, ROLE_IMAGE, ROLE_QR, ROLE_LIST,
	ROLE_SCROLL
} ui_role;

typedef struct ui_widget {
	char id[UI_ID_LEN];
	char label[UI_LABEL_LEN];
	ui_role role;
	SDL_Rect r;
	bool visible;
	bool enabled;
	bool in_scroll; /* inside the scroll view: hit only within it */
	int checked;    /* a switch: 1 on, 0 off; -1 not a switch */
	bool clipped;   /* its words did not fit and were cut or shrunk below the floor */
} ui_widget;

/* Font faces and the sizes the UI uses (logical pixels). */
typedef enum ui_face { FACE_REGULAR = 0, FACE_BOLD, FACE__COUNT } ui_face;

typedef struct ui_font_key {
	ui_face face;
	int size;
} ui_font_key;

typedef struct ui_theme {
	SDL_Color bg, surface, text, muted, primary, primary_text, accent, border, pressed, danger;
} ui_theme;

struct ui_screen;
struct text_cache;
struct image_cache;
struct rencache;

/* Navigation: a small stack of screens with their parameters. */
#define UI_NAV_DEPTH 16
typedef struct ui_nav_entry {
	const struct ui_screen *screen;
	char arg[96];     /* e.g. a category or page id */
	int scroll;       /* restored on back */
} ui_nav_entry;

#include "ui/services.h"

typedef struct ui {
	SDL_Window *window;
	SDL_Renderer *renderer;
	int w, h;                 /* logical size */
	bool portrait;
	const tt_config *cfg;     /* borrowed */
	content_bundle *bundle;   /* borrowed */
	ui_theme theme;
	bool large_text;          /* text 30% larger; layouts measure and reflow */
	bool high_contrast;       /* white and yellow on black */

	char font_path[FACE__COUNT][1024];
	/* Each face's file, read once: every size opens from this memory, so a
	 * glyph FreeType has to load again is a memcpy, not a seek and a read. */
	void *font_data[FACE__COUNT];
	size_t font_len[FACE__COUNT];
	TTF_Font *fonts[FACE__COUNT][UI_FONT_SLOTS];
	int font_sizes[FACE__COUNT][UI_FONT_SLOTS];
	struct text_cache *texts;
	SDL_Color text_bg;        /* opaque background under text, or alpha 0 */
	struct image_cache *images;
	struct rencache *rc;

	ui_widget widgets[UI_MAX_WIDGETS];
	int n_widgets;
	bool dirty;
	uint64_t frames;          /* frames drawn so far */

	ui_nav_entry nav[UI_NAV_DEPTH];
	int nav_depth;

	/* pointer state */
	bool pointer_down;
	int press_x, press_y, last_x, last_y;
	char pressed_id[UI_ID_LEN];
	bool dragging;
	SDL_FingerID finger;
	bool finger_active;

	/* the screen's scroll area, recorded while drawing */
	SDL_Rect scroll_view;
	int scroll_max;
	bool scroll_registered;

	uint64_t last_input_ms;
	bool quit;
	bool restart;             /* quit because staff asked for a restart */
	bool exit_desktop;        /* quit from the admin screen: not to be restarted */
	uint64_t press_ms;        /* when the pointer went down (the admin gesture) */
	char focus_id[UI_ID_LEN]; /* keyboard / switch focus ("" none): Tab moves it, Enter activates */
	uint64_t content_swaps;   /* newer content shown since start (scripts wait on it) */
	int tile_size, tile_ssize; /* this frame's common tile text sizes (0: none) */
	uint64_t idle_warning_ms; /* when "Are you still there?" came up; 0: not up */
	bool screen_off;          /* blank (staff command or schedule) until touched or turned on */
	bool closed;              /* outside the opening hours ([schedule]) */
	int64_t now;              /* wall clock for this frame (posting windows) */
	ui_services services;
	struct osk *osk;          /* the on-screen keyboard (one for all fields) */
	struct tt_speech *speech; /* read aloud (speak.c); NULL: off, not in this build, or not used yet */
	SDL_AudioDeviceID audio;
	bool speech_failed;       /* the engine or the sound device would not start */
	bool speaking_screen;     /* reading the current screen (the button shows "Stop reading") */
	uint64_t listen_until_ms; /* when that reading should be over (idle waits for it); 0: none */
} ui;

typedef struct ui_screen {
	const char *id;
	void (*enter)(ui *u, const char *arg);
	void (*draw)(ui *u);
	/* a widget was activated (tap released on it); return true if handled */
	bool (*activate)(ui *u, const char *id);
	void (*leave)(ui *u);
	/* nav.back inside the screen (e.g. a form's previous step); return
	 * false to leave the screen as usual. NULL: leave. */
	bool (*back)(ui *u);
	/* periodic work and when it is next due in ms (-1: none). NULL: none */
	void (*tick)(ui *u);
	int (*next_timer)(ui *u);
	/* Read aloud: appends the words on screen to out (ui_speak_add) -
	 * title and body of a page, step title, prompt and value of a form
	 * step.  NULL: the screen has no speaker button. */
	void (*speak_text)(ui *u, char *out, size_t len);
} ui_screen;

/* --- platform.c -------------------------------------------------------- */
typedef struct ui_options {
	bool headless, windowed;
	int width, height;        /* window size; 0: desktop / 1920x1080 */
} ui_options;

/* Creates the window and renderer and loads fonts. Returns NULL with one
 * log line on failure. */
ui *ui_new(const tt_config *cfg, content_bundle *bundle, const ui_options *opt);
void ui_free(ui *u);

/* Handles one SDL event (touch, mouse, keys, window). */
void ui_handle_event(ui *u, const SDL_Event *ev);
/* Draws a frame if dirty. Returns true if one was drawn. */
bool ui_render(ui *u);
/* Saves the current frame as a PNG. Returns false with a log line. */
bool ui_screenshot(ui *u, const char *path);
/* Writes an RGB PNG of a 32-bit surface (png.c). Logs and returns false on failure. */
bool ui_png_write(const char *path, const SDL_Surface *s);

/* Pointer input in logical coordinates (also used by automation). */
void ui_pointer_down(ui *u, int x, int y);
void ui_pointer_move(ui *u, int x, int y);
void ui_pointer_up(ui *u, int x, int y);
void ui_wheel(ui *u, int dy);

/* Runs timers of the current screen; returns ms until the next is due
 * (-1: none), for the event loop's sleep. */
int ui_tick(ui *u);
/* Waits up to ms for an event, as SDL_WaitEventTimeout.  Video drivers
 * that cannot block on input (kmsdrm, dummy: SDL 2.26 then wakes every
 * 1 ms) are polled every 10 ms instead, or every 50 ms while nobody is
 * using the kiosk (attract loop, display off), so an idle kiosk stays
 * near 0% CPU. */
bool ui_wait_event(ui *u, SDL_Event *ev, int ms);

/* --- nav ---------------------------------------------------------------- */
void ui_go(ui *u, const char *screen_id, const char *arg);
/* Idle: seconds left on the "Are you still there?" countdown; and the
 * citizen answered it (back to the screen in use, untouched). */
int ui_idle_seconds_left(const ui *u);
void ui_idle_continue(ui *u);
void ui_back(ui *u);
void ui_home(ui *u);
const ui_screen *ui_current(const ui *u);
const char *ui_arg(const ui *u);
int *ui_scroll(ui *u);
void ui_set_lang(ui *u, tt_lang lang);
/* Large text and high contrast: each citizen can switch them from every
 * screen (nav.text, nav.contrast); an idle reset restores [display]'s. */
void ui_set_modes(ui *u, bool large_text, bool high_contrast);
const ui_screen *ui_find_screen(const char *id);

/* --- speak.c: read aloud ----------------------------------------------- */
void ui_speech_end(ui *u);
/* This build reads aloud and [accessibility] read_aloud is on (and the
 * engine did not fail to start): screens with words get nav.speak. */
bool ui_speech_enabled(const ui *u);
bool ui_speech_button(const ui *u); /* the current screen shows nav.speak */
bool ui_speaking(ui *u);          /* reading the current screen now */
void ui_speak_screen(ui *u);      /* nav.speak: reads the screen's words */
void ui_speech_stop(ui *u);
void ui_speak_key(ui *u, const char *label); /* [accessibility] announce_keys */
int ui_speech_tick(ui *u);        /* ms until it should look again, -1: not reading */
/* Appends s to out (size len) after a pause, cutting at a character. */
void ui_speak_add(char *out, size_t len, const char *s);
/* Appends the frame's title and the text and field widgets whose ids
 * start with prefix, in drawing order (what the screen shows). */
void ui_speak_widgets(ui *u, char *out, size_t len, const char *prefix);

/* --- render.c: drawing primitives -------------------------------------- */
/* Finds the font files (config, then fontconfig). False with a log line. */
bool ui_fonts_find(ui *u);
TTF_Font *ui_font(ui *u, ui_face face, int size);
/* Declares the opaque colour text is drawn on from now (alpha 0: unknown,
 * text is blended); returns the previous one so callers can restore it. */
SDL_Color ui_set_text_bg(ui *u, SDL_Color bg);
/* Sets the draw colour (and a blend mode only for translucent colours). */
void ui_set_color(ui *u, SDL_Color c);
void ui_fill(ui *u, SDL_Rect r, SDL_Color c);
void ui_fill_round(ui *u, SDL_Rect r, int radius, SDL_Color c);
void ui_frame_rect(ui *u, SDL_Rect r, int thickness, SDL_Color c);
/* Draws one line of text at (x, y) (top-left); returns its width. */
int ui_text(ui *u, ui_face face, int size, SDL_Color c, int x, int y, const char *s, size_t len);
int ui_text_width(ui *u, ui_face face, int size, const char *s, size_t len);
int ui_line_height(ui *u, ui_face face, int size);
/* Draws text wrapped into width, at most max_lines (0: all; the last
 * shown line gets an ellipsis if cut).  Returns the height used.  If
 * draw is false only measures. */
int ui_text_wrapped(ui *u, ui_face face, int size, SDL_Color c, int x, int y, int width, const char *s,
                    int max_lines, bool draw);
/* Draws the image file at path fitted into r (keeping aspect); returns
 * the height drawn (0 if it could not be loaded: one log line, once). */
int ui_image(ui *u, const char *path, SDL_Rect r, bool draw);
/* Image size, or false if it cannot be loaded. */
bool ui_image_size(ui *u, const char *path, int *w, int *h);
void ui_qr(ui *u, const char *text, SDL_Rect r);
void ui_cache_stats(ui *u, size_t *text_entries, size_t *text_bytes, uint64_t *text_misses);
void ui_caches_free(ui *u);
struct text_cache *text_cache_new(void);
void text_cache_free(struct text_cache *c);
struct image_cache *image_cache_new(void);
void image_cache_free(struct image_cache *c);

/* --- rencache.c: record now, draw only changed cells at the end --------- */
struct rencache *rencache_new(SDL_Renderer *r);
void rencache_free(struct rencache *c);
void rencache_invalidate(struct rencache *c);
void rencache_begin(struct rencache *c);
void rencache_clip(struct rencache *c, const SDL_Rect *clip); /* NULL: none */
void rencache_rects(struct rencache *c, const SDL_Rect *rects, int n, SDL_Color color);
void rencache_geometry(struct rencache *c, const SDL_Vertex *v, int n);
/* id names the texture's content (same id, same pixels). */
void rencache_copy(struct rencache *c, SDL_Texture *tex, SDL_Rect dst, uint64_t id);
void rencache_end(struct rencache *c, SDL_Renderer *r, int w, int h, bool full);
unsigned rencache_last_dirty(const struct rencache *c); /* pixels drawn last frame */
void ui_cache_frame_begin(ui *u);

/* --- widgets.c ---------------------------------------------------------- */
/* Records a widget in the frame's table (label copied). Returns it. */
ui_widget *ui_widget_add(ui *u, const char *id, ui_role role, const char *label, SDL_Rect r, bool visible);
const ui_widget *ui_widget_find(const ui *u, const char *id);
/* Finds a visible, tappable widget whose label contains text (NFC);
 * an exact label match wins over a partial one. */
const ui_widget *ui_widget_by_label(const ui *u, const char *text);
const ui_widget *ui_widget_at(const ui *u, int x, int y);
bool ui_pressed(const ui *u, const char *id);
/* Focus order for keyboards and switch devices: the visible tappable
 * widgets in reading order (rows top to bottom, tops within 24 px one row,
 * left to right in a row).  Writes up to max widget indices; returns the count. */
int ui_focus_order(const ui *u, int *idx, int max);
/* Moves the focus to the next (dir 1) or previous (-1) widget. */
void ui_focus_move(ui *u, int dir);

enum ui_icon { ICON_NONE = -1, ICON_DOC, ICON_HEART, ICON_BOARD, ICON_BUBBLE, ICON_SHIELD, ICON_SEARCH, ICON_HOME,
               ICON_BACK, ICON_UP, ICON_DOWN, ICON_TEXT, ICON_CONTRAST, ICON_SPEAKER, ICON_STOP };
/* Draws a pictogram of kind (enum ui_icon) centred at (cx, cy), s wide. */
void ui_icon(ui *u, int kind, int cx, int cy, int s, SDL_Color c, SDL_Color bg);

typedef enum ui_button_style { BTN_PRIMARY, BTN_SECONDARY, BTN_NAV, BTN_DANGER } ui_button_style;
void ui_button(ui *u, const char *id, const char *label, SDL_Rect r, ui_button_style style);
void ui_tile(ui *u, const char *id, const char *label, const char *sub, SDL_Rect r, SDL_Color color, int icon);
/* Tiles of size r drawn together share one text size: the largest at
 * which all n fit (set for this frame's tiles; 0 sizes: each its own). */
void ui_tiles_fit(ui *u, const char *const *labels, const char *const *subs, int n, SDL_Rect r);
/* A list row: title and summary; returns its height (measures if r.h 0). */
void ui_list_item(ui *u, const char *id, const char *title, const char *summary, const char *meta, SDL_Rect r);
/* Text widget (role text) wrapped in width: returns height. */
int ui_label(ui *u, const char *id, ui_face face, int size, SDL_Color c, int x, int y, int width, const char *s);

/* Standard chrome: top bar with home, back, title, language; returns the
 * content rectangle below it. */
SDL_Rect ui_chrome(ui *u, const char *title, bool back);

/* A vertical scroll area: content drawn between ui_scroll_begin and
 * ui_scroll_end, offset by the screen's scroll; up/down buttons appear
 * when the content is taller than the view. */
void ui_scroll_begin(ui *u, SDL_Rect view);
void ui_scroll_end(ui *u, int content_h);
void ui_scroll_by(ui *u, int dy);

/* screens.c registry */
extern const ui_screen *const ui_screens[];

#endif
