/* config.c - the kiosk's configuration: its keys, defaults and checks.
 *
 * The INI reading itself is ini.c's: this file is the table of the
 * kiosk's keys (each documented in kiosk-config/kiosk.ini.example), the
 * defaults, and the checks between values. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/config.h"
#include "tramtin/ini.h"
#include "tramtin/log.h"
#include "tramtin/speech.h"
#include "tt_build.h"

#define S(sec, nm, field) INI_STRING(tt_config, sec, nm, field)
#define P(sec, nm, field) INI_FILEPATH(tt_config, sec, nm, field)
#define I(sec, nm, field, lo, hi) INI_NUMBER(tt_config, sec, nm, field, lo, hi)
#define E(sec, nm, field, ch) INI_CHOICE(tt_config, sec, nm, field, ch)
#define B(sec, nm, field) INI_BOOL(tt_config, sec, nm, field)

static const ini_key keys[] = {
	S("kiosk", "id", kiosk_id),
	S("kiosk", "province", province),
	S("kiosk", "commune", commune),
	E("kiosk", "lang", lang, "vi en"),
	P("content", "dir", content_dir),
	P("state", "dir", state_dir),
	I("state", "outbox_max", outbox_max, 10, 10000000),
	S("mqtt", "host", mqtt_host),
	I("mqtt", "port", mqtt_port, 1, 65535),
	S("mqtt", "username", mqtt_username),
	S("mqtt", "password", mqtt_password),
	P("mqtt", "tls_ca", tls_ca),
	P("mqtt", "tls_cert", tls_cert),
	P("mqtt", "tls_key", tls_key),
	I("mqtt", "retry_s", retry_s, 1, 86400),
	S("collector", "public_key", collector_public_key),
	S("collector", "followup_url", followup_url),
	S("trust", "content_keys", content_keys),
	I("idle", "timeout_s", idle_timeout_s, 5, 86400),
	I("idle", "form_timeout_s", form_timeout_s, 5, 86400),
	I("idle", "warning_s", warning_s, 3, 600),
	S("schedule", "hours", open_hours),
	S("schedule", "days", open_days),
	I("limits", "min_interval_s", limit_interval_s, 0, 86400),
	I("limits", "per_hour", limit_per_hour, 0, 100000),
	I("limits", "repeat_s", limit_repeat_s, 0, 604800),
	S("admin", "pin_hash", pin_hash),
	B("admin", "allow_exit", admin_allow_exit),
	P("display", "font", font),
	P("display", "font_bold", font_bold),
	E("display", "orientation", orientation, "auto landscape portrait"),
	B("display", "large_text", large_text),
	B("display", "high_contrast", high_contrast),
	E("input", "method", ime_method, "telex vni direct"),
	E("input", "style", ime_style, "old new"),
	I("input", "max_chars", text_max_chars, 1, 20000),
	B("accessibility", "read_aloud", read_aloud),
	B("accessibility", "announce_keys", announce_keys),
	I("accessibility", "speech_rate", speech_rate, SPEECH_RATE_MIN, SPEECH_RATE_MAX),
};

void config_defaults(tt_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->kiosk_id, sizeof c->kiosk_id, "demo-kiosk");
	snprintf(c->province, sizeof c->province, "ht");
	snprintf(c->commune, sizeof c->commune, "demo");
	snprintf(c->lang, sizeof c->lang, "vi");
	snprintf(c->content_dir, sizeof c->content_dir, "%s/assets/content", TT_SOURCE_DIR);
	const char *xdg = getenv("XDG_STATE_HOME");
	if (xdg && *xdg)
		snprintf(c->state_dir, sizeof c->state_dir, "%s/tramtin", xdg);
	else
		snprintf(c->state_dir, sizeof c->state_dir, "var");
	c->mqtt_port = 1883;
	c->retry_s = 30;
	c->outbox_max = 100000;
	snprintf(c->followup_url, sizeof c->followup_url, "http://127.0.0.1:8080/t");
	c->idle_timeout_s = 60;
	c->form_timeout_s = 120;
	c->warning_s = 20;
	snprintf(c->open_days, sizeof c->open_days, "1234567");
	c->limit_interval_s = 10;
	c->limit_per_hour = 60;
	c->limit_repeat_s = 3600;
	snprintf(c->orientation, sizeof c->orientation, "auto");
	snprintf(c->ime_method, sizeof c->ime_method, "telex");
	snprintf(c->ime_style, sizeof c->ime_style, "old");
	c->text_max_chars = 2000;
	c->read_aloud = true;
	c->announce_keys = false;
	c->speech_rate = SPEECH_RATE_DEFAULT;
}

tt_err config_load(tt_config *c, const char *path, char *err, size_t errlen)
{
	tt_err rc = ini_load(path, keys, sizeof keys / sizeof keys[0], c, err, errlen);
	return rc != TT_OK ? rc : config_check(c, path, err, errlen);
}

tt_err config_load_text(tt_config *c, const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	tt_err rc = ini_load_text(name, text, len, keys, sizeof keys / sizeof keys[0], c, err, errlen);
	return rc != TT_OK ? rc : config_check(c, name, err, errlen);
}

bool config_id_valid(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* "HH:MM-HH:MM" into minutes of the day; false if not that. */
static bool parse_hours(const char *s, int *from, int *to)
{
	int h1, m1, h2, m2, n = 0;
	if (sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 || s[n] || h1 > 24 || h2 > 24 || m1 > 59 ||
	    m2 > 59 || h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0)
		return false;
	*from = h1 * 60 + m1;
	*to = h2 * 60 + m2;
	return *from < *to && *to <= 24 * 60;
}

bool config_open_at(const tt_config *c, int wday, int minute)
{
	int from, to;
	if (!c || !c->open_hours[0] || !parse_hours(c->open_hours, &from, &to))
		return true;
	char d = (char)('0' + wday);
	return strchr(c->open_days, d) && minute >= from && minute < to;
}

tt_err config_check(const tt_config *c, const char *path, char *err, size_t errlen)
{
	const char *p = path ? path : "(defaults)";
	/* Ids appear in MQTT topics: no '/', '+', '#' or spaces. */
	if (!config_id_valid(c->kiosk_id)) {
		snprintf(err, errlen, "%s: [kiosk] id: must be letters, digits, '-' or '_'; got '%s'", p, c->kiosk_id);
		return TT_ERR_CONFIG;
	}
	if (!config_id_valid(c->province)) {
		snprintf(err, errlen, "%s: [kiosk] province: must be letters, digits, '-' or '_'; got '%s'", p, c->province);
		return TT_ERR_CONFIG;
	}
	if (!config_id_valid(c->commune)) {
		snprintf(err, errlen, "%s: [kiosk] commune: must be letters, digits, '-' or '_'; got '%s'", p, c->commune);
		return TT_ERR_CONFIG;
	}
	int from, to;
	if (c->open_hours[0] && !parse_hours(c->open_hours, &from, &to)) {
		snprintf(err, errlen, "%s: [schedule] hours: expected HH:MM-HH:MM with the end after the start; got '%s'", p,
		         c->open_hours);
		return TT_ERR_CONFIG;
	}
	for (const char *d = c->open_days; *d; d++)
		if (*d < '1' || *d > '7') {
			snprintf(err, errlen, "%s: [schedule] days: digits 1 (Monday) to 7 (Sunday); got '%s'", p, c->open_days);
			return TT_ERR_CONFIG;
		}
	if (c->warning_s >= c->idle_timeout_s) {
		snprintf(err, errlen, "%s: [idle] warning_s: must be shorter than timeout_s (%d); got %d", p,
		         c->idle_timeout_s, c->warning_s);
		return TT_ERR_CONFIG;
	}
	if (c->followup_url[0] && strncmp(c->followup_url, "http://", 7) != 0 && strncmp(c->followup_url, "https://", 8) != 0) {
		snprintf(err, errlen, "%s: [collector] followup_url: must start with http:// or https://; got '%s'", p,
		         c->followup_url);
		return TT_ERR_CONFIG;
	}
	if (c->pin_hash[0] && strncmp(c->pin_hash, "$argon2id$", 10) != 0) {
		snprintf(err, errlen, "%s: [admin] pin_hash: not an Argon2id string (make one with: tramtin-admin pin-hash); got '%.20s...'",
		         p, c->pin_hash);
		return TT_ERR_CONFIG;
	}
	return TT_OK;
}
