/* config.c - INI configuration, table-driven.
 *
 * One table lists every section and key with its type, destination and
 * range; inih calls back once per key and the handler looks the key up in
 * the table.  The first fault stops the parse and is reported as
 * "FILE:LINE: [section] key: message", which is all an operator needs to
 * fix it.  Paths in the file are taken relative to the file's folder. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include "tramtin/config.h"
#include "tramtin/log.h"
#include "tt_build.h"

enum kind { K_STR, K_PATH, K_INT, K_ENUM };

struct key {
	const char *section, *name;
	enum kind kind;
	size_t offset, size;
	long min, max;            /* K_INT */
	const char *choices;      /* K_ENUM: space-separated */
};

#define S(sec, nm, field) {sec, nm, K_STR, offsetof(tt_config, field), sizeof(((tt_config *)0)->field), 0, 0, NULL}
#define P(sec, nm, field) {sec, nm, K_PATH, offsetof(tt_config, field), sizeof(((tt_config *)0)->field), 0, 0, NULL}
#define I(sec, nm, field, lo, hi) {sec, nm, K_INT, offsetof(tt_config, field), sizeof(int), lo, hi, NULL}
#define E(sec, nm, field, ch) {sec, nm, K_ENUM, offsetof(tt_config, field), sizeof(((tt_config *)0)->field), 0, 0, ch}

static const struct key keys[] = {
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
	S("admin", "pin_hash", pin_hash),
	P("display", "font", font),
	P("display", "font_bold", font_bold),
	E("display", "orientation", orientation, "auto landscape portrait"),
	E("input", "method", ime_method, "telex vni direct"),
	E("input", "style", ime_style, "old new"),
	I("input", "max_chars", text_max_chars, 1, 20000),
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
	snprintf(c->orientation, sizeof c->orientation, "auto");
	snprintf(c->ime_method, sizeof c->ime_method, "telex");
	snprintf(c->ime_style, sizeof c->ime_style, "old");
	c->text_max_chars = 2000;
}

struct ctx {
	tt_config *c;
	const char *path;
	char dir[CONFIG_PATH];
	char *err;
	size_t errlen;
	int line;
	bool failed;
};

static int fail(struct ctx *x, int line, const char *sec, const char *key, const char *msg, const char *value)
{
	if (!x->failed) {
		if (key)
			snprintf(x->err, x->errlen, "%s:%d: [%s] %s: %s%s%s%s", x->path, line, sec, key, msg,
			         value ? " '" : "", value ? value : "", value ? "'" : "");
		else
			snprintf(x->err, x->errlen, "%s:%d: %s%s%s%s", x->path, line, msg,
			         value ? " '" : "", value ? value : "", value ? "'" : "");
	}
	x->failed = true;
	return 0;
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, w, n) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *x = user;
	bool section_known = false;
	int line = x->line;
	if (!name) /* a section header with no keys yet */
		return 1;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct key *k = &keys[i];
		if (strcmp(k->section, section) != 0)
			continue;
		section_known = true;
		if (strcmp(k->name, name) != 0)
			continue;
		char *dst = (char *)x->c + k->offset;
		switch (k->kind) {
		case K_STR:
		case K_ENUM:
			if (strlen(value) >= k->size)
				return fail(x, line, section, name, "value too long", NULL);
			if (k->kind == K_ENUM && !has_word(k->choices, value)) {
				char msg[160];
				snprintf(msg, sizeof msg, "must be one of: %s; got", k->choices);
				return fail(x, line, section, name, msg, value);
			}
			memcpy(dst, value, strlen(value) + 1);
			return 1;
		case K_PATH:
			if (value[0] && value[0] != '/' && x->dir[0]) {
				if ((size_t)snprintf(dst, k->size, "%s/%s", x->dir, value) >= k->size)
					return fail(x, line, section, name, "path too long", NULL);
			} else {
				if (strlen(value) >= k->size)
					return fail(x, line, section, name, "path too long", NULL);
				memcpy(dst, value, strlen(value) + 1);
			}
			return 1;
		case K_INT: {
			char *end;
			errno = 0;
			long v = strtol(value, &end, 10);
			if (!*value || *end || errno)
				return fail(x, line, section, name, "not a whole number:", value);
			if (v < k->min || v > k->max) {
				char msg[96];
				snprintf(msg, sizeof msg, "must be between %ld and %ld; got", k->min, k->max);
				return fail(x, line, section, name, msg, value);
			}
			*(int *)(void *)dst = (int)v;
			return 1;
		}
		}
	}
	if (!section_known)
		return fail(x, line, section, name, "unknown section", section);
	return fail(x, line, section, name, "unknown key", NULL);
}

/* Debian's inih does not pass line numbers to the handler; the reader
 * counts them instead (the handler runs right after its line is read). */
struct reader {
	FILE *f;
	int *line;
};

static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	char *s = fgets(str, num, r->f);
	if (s)
		(*r->line)++;
	return s;
}

tt_err config_load(tt_config *c, const char *path, char *err, size_t errlen)
{
	struct ctx x = {.c = c, .path = path, .err = err, .errlen = errlen};
	if (!c || !path || !err || errlen == 0)
		return TT_ERR_INVAL;
	err[0] = '\0';
	const char *slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof x.dir) {
		memcpy(x.dir, path, (size_t)(slash - path));
		x.dir[slash - path] = '\0';
		if (!x.dir[0])
			snprintf(x.dir, sizeof x.dir, "/");
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, tt_strerrno(e));
		return e == ENOENT ? TT_ERR_NOTFOUND : TT_ERR_IO;
	}
	struct reader r = {f, &x.line};
	int rc = ini_parse_stream(read_line, &r, handler, &x);
	fclose(f);
	if (x.failed)
		return TT_ERR_CONFIG;
	if (rc > 0) {
		snprintf(err, errlen, "%s:%d: not a valid INI line (expected [section] or key = value)", path, rc);
		return TT_ERR_CONFIG;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot read", path);
		return TT_ERR_IO;
	}
	return config_check(c, path, err, errlen);
}

static bool id_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

tt_err config_check(const tt_config *c, const char *path, char *err, size_t errlen)
{
	const char *p = path ? path : "(defaults)";
	/* Ids appear in MQTT topics: no '/', '+', '#' or spaces. */
	if (!id_ok(c->kiosk_id)) {
		snprintf(err, errlen, "%s: [kiosk] id: must be letters, digits, '-' or '_'; got '%s'", p, c->kiosk_id);
		return TT_ERR_CONFIG;
	}
	if (!id_ok(c->province)) {
		snprintf(err, errlen, "%s: [kiosk] province: must be letters, digits, '-' or '_'; got '%s'", p, c->province);
		return TT_ERR_CONFIG;
	}
	if (!id_ok(c->commune)) {
		snprintf(err, errlen, "%s: [kiosk] commune: must be letters, digits, '-' or '_'; got '%s'", p, c->commune);
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
	return TT_OK;
}
