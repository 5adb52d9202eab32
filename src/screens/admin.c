/* admin.c - the staff's screen, behind a hidden gesture (hold the top-left
 * corner for five seconds, platform.c) and a PIN (pinlock.h).
 *
 * First a keypad: the digits typed show only as dots, a wrong PIN says
 * how many tries are left, and the fifth locks the screen for fifteen
 * minutes.  Then what a technician on the phone asks first: the kiosk's
 * id, the broker link, the outbox, the content versions and the last
 * update error, free disk, the clock, the version; and three actions:
 * sync now, a test submission, and exit to the desktop where the config
 * allows it.  Leaving the screen (or an idle reset) locks it again and
 * wipes the digits. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "screens/screens.h"
#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "tramtin/pinlock.h"

static struct {
	bool unlocked;
	char pin[PIN_MAX_DIGITS + 1];
	char message[300];
	bool message_bad;
	pinlock lock;
	char test_id[48];
	char result[300];
	uint64_t refreshed; /* when the figures were last read (clock_ms) */
} A;

static void wipe(void)
{
	sodium_memzero(&A, sizeof A);
}

static void enter(ui *u, const char *arg)
{
	(void)arg;
	wipe();
	pinlock_init(&A.lock, u->cfg->state_dir);
}

static void leave(ui *u)
{
	(void)u;
	wipe();
}

/* --- the PIN ---------------------------------------------------------------- */

static void lock_message(ui *u)
{
	int64_t left = pinlock_wait_s(&A.lock, clock_now());
	snprintf(A.message, sizeof A.message,
	         _("Too many wrong PINs. The admin screen is locked; try again in %lld min."),
	         (long long)((left + 59) / 60));
	A.message_bad = true;
	(void)u;
}

static void check_pin(ui *u)
{
	pin_result r = pinlock_check(&A.lock, u->cfg->pin_hash, A.pin, clock_now());
	sodium_memzero(A.pin, sizeof A.pin);
	switch (r) {
	case PIN_OK:
		A.unlocked = true;
		A.message[0] = '\0';
		tt_info("admin screen opened");
		break;
	case PIN_WRONG:
		if (pinlock_tries_left(&A.lock) > 0) {
			snprintf(A.message, sizeof A.message, _("Wrong PIN. Tries left: %d."), pinlock_tries_left(&A.lock));
			A.message_bad = true;
		} else {
			lock_message(u);
		}
		break;
	case PIN_LOCKED:
		lock_message(u);
		break;
	case PIN_UNSET:
		break;
	}
}

static void keypad(ui *u, SDL_Rect r)
{
	static const char *const keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"};
	int gap = 20, kw = (r.w - 2 * gap) / 3, kh = (r.h - 3 * gap) / 4;
	for (int i = 0; i < 12; i++) {
		char id[32];
		snprintf(id, sizeof id, "admin.key.%s", keys[i]);
		const char *label = i == 9 ? _("Clear") : i == 11 ? _("OK") : keys[i];
		SDL_Rect k = {r.x + (i % 3) * (kw + gap), r.y + (i / 3) * (kh + gap), kw, kh};
		ui_button(u, id, label, k, i == 11 ? BTN_PRIMARY : BTN_SECONDARY);
	}
}

static void draw_pin(ui *u, SDL_Rect a)
{
	const ui_theme *t = &u->theme;
	if (!u->cfg->pin_hash[0]) {
		ui_label(u, "admin.message", FACE_REGULAR, 40, t->text, a.x, a.y, a.w,
		         _("No PIN is set for this kiosk, so the admin screen stays closed. Set [admin] pin_hash in the kiosk's configuration (tramtin-admin pin-hash)."));
		return;
	}
	bool locked = pinlock_wait_s(&A.lock, clock_now()) > 0;
	if (locked)
		lock_message(u);
	int kw = u->portrait ? a.w : 640, kh = u->portrait ? 720 : a.h;
	SDL_Rect pad = {a.x + a.w - kw, a.y + a.h - kh, kw, kh};
	int w = u->portrait ? a.w : a.w - kw - 60, y = a.y;
	y += ui_label(u, "admin.hint", FACE_REGULAR, 40, t->text, a.x, y, w, _("For commune staff. Enter the PIN.")) + 32;
	/* the digits show only as dots, and the tree says only how many */
	char label[120];
	size_t n = strlen(A.pin);
	snprintf(label, sizeof label, _("PIN: digits entered: %zu"), n);
	SDL_Rect field = {a.x, y, w < 640 ? w : 640, 120};
	ui_widget_add(u, "admin.pin", ROLE_FIELD, label, field, true);
	ui_fill_round(u, field, 16, t->primary);
	ui_fill_round(u, (SDL_Rect){field.x + 4, field.y + 4, field.w - 8, field.h - 8}, 13, t->surface);
	for (size_t i = 0; i < n; i++)
		ui_fill_round(u, (SDL_Rect){field.x + 36 + (int)i * 48, field.y + field.h / 2 - 16, 32, 32}, 16, t->text);
	y += field.h + 32;
	if (A.message[0])
		ui_label(u, "admin.message", FACE_BOLD, 38, A.message_bad ? t->danger : t->text, a.x, y, w, A.message);
	if (!locked)
		keypad(u, pad);
}

static bool pin_activate(ui *u, const char *id)
{
	if (strncmp(id, "admin.key.", 10) != 0)
		return false;
	const char *k = id + 10;
	size_t n = strlen(A.pin);
	if (!strcmp(k, "clear")) {
		sodium_memzero(A.pin, sizeof A.pin);
	} else if (!strcmp(k, "ok")) {
		if (n >= PIN_MIN_DIGITS)
			check_pin(u);
		else {
			snprintf(A.message, sizeof A.message, _("A PIN has at least %d digits."), PIN_MIN_DIGITS);
			A.message_bad = true;
		}
	} else if (k[0] >= '0' && k[0] <= '9' && !k[1] && n < PIN_MAX_DIGITS) {
		A.pin[n] = k[0];
		A.pin[n + 1] = '\0';
	}
	u->dirty = true;
	return true;
}

/* --- the kiosk's state and actions -------------------------------------------- */

static int info_row(ui *u, const char *id, int x, int y, int w, const char *name, const char *value, bool bad)
{
	char line[600];
	snprintf(line, sizeof line, "%s: %s", name, value);
	return ui_label(u, id, FACE_REGULAR, 36, bad ? u->theme.danger : u->theme.text, x, y, w, line) + 10;
}

static void draw_info(ui *u, SDL_Rect a)
{
	ui_admin_info in = {0};
	if (u->services.admin_info)
		u->services.admin_info(u->services.ctx, &in);
	char v[400];
	int aw = u->portrait ? a.w : 620, x = a.x, w = u->portrait ? a.w : a.w - aw - 60, y = a.y;
	y += info_row(u, "admin.info.kiosk", x, y, w, _("Kiosk"), in.kiosk, false);
	if (!in.broker_set)
		snprintf(v, sizeof v, "%s", _("none configured: submissions wait in the outbox"));
	else if (in.connected)
		snprintf(v, sizeof v, _("connected to %s"), in.broker);
	else
		snprintf(v, sizeof v, _("not connected to %s (%s)"), in.broker, in.last_error[0] ? in.last_error : _("trying"));
	y += info_row(u, "admin.info.broker", x, y, w, _("Broker"), v, in.broker_set && !in.connected);
	if (in.pending)
		snprintf(v, sizeof v, _("%zu waiting; the oldest waited %lld min"), in.pending, (long long)(in.oldest_s / 60));
	else
		snprintf(v, sizeof v, "%s", _("nothing waiting"));
	y += info_row(u, "admin.info.outbox", x, y, w, _("Outbox"), v, false);
	y += info_row(u, "admin.info.content", x, y, w, _("Content"), in.content[0] ? in.content : _("the built-in sample"),
	              false);
	y += info_row(u, "admin.info.error", x, y, w, _("Last update error"), in.content_error[0] ? in.content_error : _("none"),
	              in.content_error[0] != '\0');
	if (in.disk_free_mb >= 0)
		snprintf(v, sizeof v, _("%ld MB"), in.disk_free_mb);
	else
		snprintf(v, sizeof v, "%s", _("unknown"));
	y += info_row(u, "admin.info.disk", x, y, w, _("Free disk"), v, in.disk_free_mb >= 0 && in.disk_free_mb < 200);
	/* clock.h's sources, in the screen's language */
	const char *how = strstr(in.clock, "kernel") ? _("by the network time service")
	                  : strstr(in.clock, "TRAMTIN_NOW") ? _("fixed for a test") : NULL;
	snprintf(v, sizeof v, "%s%s%s%s", in.clock_synced ? _("synchronized") : _("not synchronized"), how ? " (" : "",
	         how ? how : "", how ? ")" : "");
	y += info_row(u, "admin.info.clock", x, y, w, _("Clock"), v, !in.clock_synced);
	y += info_row(u, "admin.info.version", x, y, w, _("Version"), in.version, false);

	if (A.test_id[0] && u->services.delivery) {
		ui_delivery d = u->services.delivery(u->services.ctx, A.test_id);
		snprintf(A.result, sizeof A.result, _("Test submission %.8s: %s"), A.test_id,
		         d == DELIVERY_DELIVERED ? _("delivered to the collector") : _("saved, waiting to be sent"));
	}
	/* actions: a column at the right (landscape) or rows at the foot */
	struct {
		const char *id, *label;
		bool shown;
	} act[] = {
		{"admin.sync", _("Sync now"), u->services.sync_now != NULL},
		{"admin.test", _("Send a test"), u->services.test_submit != NULL},
		{"admin.exit", _("Exit to desktop"), u->cfg->admin_allow_exit},
		{"admin.close", _("Close"), true},
	};
	int bh = 110, gap = 24, ax = u->portrait ? a.x : a.x + a.w - aw, ay = u->portrait ? a.y + a.h - 2 * bh - gap : a.y;
	int i = 0;
	for (size_t k = 0; k < sizeof act / sizeof act[0]; k++) {
		if (!act[k].shown)
			continue;
		SDL_Rect r = u->portrait ? (SDL_Rect){ax + (i % 2) * (a.w + gap) / 2, ay + (i / 2) * (bh + gap), (a.w - gap) / 2, bh}
		                         : (SDL_Rect){ax, ay + i * (bh + gap), aw, bh};
		ui_button(u, act[k].id, act[k].label, r, !strcmp(act[k].id, "admin.exit") ? BTN_DANGER : BTN_SECONDARY);
		i++;
	}
	if (A.result[0]) {
		int ry = u->portrait ? y + 16 : ay + i * (bh + gap) + 16;
		ui_label(u, "admin.result", FACE_BOLD, 36, u->theme.text, u->portrait ? x : ax, ry, u->portrait ? w : aw, A.result);
	}
}

static bool info_activate(ui *u, const char *id)
{
	if (!strcmp(id, "admin.sync") && u->services.sync_now) {
		u->services.sync_now(u->services.ctx);
		snprintf(A.result, sizeof A.result, "%s", _("Asked for a sync: status, content and waiting submissions."));
		A.test_id[0] = '\0';
	} else if (!strcmp(id, "admin.test") && u->services.test_submit) {
		char why[300] = "";
		if (u->services.test_submit(u->services.ctx, A.test_id, sizeof A.test_id, why, sizeof why) != 0) {
			A.test_id[0] = '\0';
			snprintf(A.result, sizeof A.result, "%s", why);
		}
	} else if (!strcmp(id, "admin.exit") && u->cfg->admin_allow_exit) {
		tt_info("admin screen: exit to desktop");
		u->exit_desktop = u->quit = true;
	} else if (!strcmp(id, "admin.close")) {
		ui_home(u);
	} else {
		return false;
	}
	u->dirty = true;
	return true;
}

/* --- the screen ----------------------------------------------------------------- */

static void draw(ui *u)
{
	SDL_Rect a = ui_chrome(u, _("Kiosk administration"), true);
	if (A.unlocked)
		draw_info(u, a);
	else
		draw_pin(u, a);
}

static bool activate(ui *u, const char *id)
{
	return A.unlocked ? info_activate(u, id) : pin_activate(u, id);
}

/* Unlocked, the figures are read again every second. */
static void tick(ui *u)
{
	if (A.unlocked && clock_ms() - A.refreshed >= 1000) {
		A.refreshed = clock_ms();
		u->dirty = true;
	}
}

static int next_timer(ui *u)
{
	(void)u;
	uint64_t gone = clock_ms() - A.refreshed;
	return !A.unlocked ? -1 : gone >= 1000 ? 0 : (int)(1000 - gone);
}

const ui_screen screen_admin = {.id = "admin", .enter = enter, .draw = draw, .activate = activate, .leave = leave,
                                .tick = tick, .next_timer = next_timer};
