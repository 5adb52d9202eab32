/* config.c - the collector's configuration (kiosk-config/collector.ini.example). */
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "tramtin/ini.h"

#define S(sec, nm, field) INI_STRING(collector_config, sec, nm, field)
#define P(sec, nm, field) INI_FILEPATH(collector_config, sec, nm, field)
#define I(sec, nm, field, lo, hi) INI_NUMBER(collector_config, sec, nm, field, lo, hi)

static const ini_key keys[] = {
	S("mqtt", "host", mqtt_host),
	I("mqtt", "port", mqtt_port, 1, 65535),
	S("mqtt", "username", mqtt_username),
	S("mqtt", "password", mqtt_password),
	P("mqtt", "tls_ca", tls_ca),
	P("mqtt", "tls_cert", tls_cert),
	P("mqtt", "tls_key", tls_key),
	S("mqtt", "client_id", client_id),
	S("mqtt", "share_group", share_group),
	P("store", "db", db),
	P("keys", "secret_key", secret_key),
	P("keys", "kiosks", kiosks),
	S("http", "bind", http_bind),
	I("http", "port", http_port, 0, 65535),
	S("http", "path", http_path),
	I("http", "rate_per_min", rate_per_min, 1, 100000),
	P("http", "tls_cert", http_tls_cert),
	P("http", "tls_key", http_tls_key),
	INI_BOOL(collector_config, "staff", "enabled", staff_enabled),
	I("staff", "idle_min", staff_idle_min, 1, 1440),
	I("ingest", "batch_ms", batch_ms, 0, 10000),
	I("ingest", "batch_max", batch_max, 1, 100000),
	I("ingest", "workers", workers, 0, 64),
};

void collector_config_defaults(collector_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->mqtt_host, sizeof c->mqtt_host, "127.0.0.1");
	c->mqtt_port = 1883;
	snprintf(c->client_id, sizeof c->client_id, "tramtin-collector");
	snprintf(c->db, sizeof c->db, "collector.db");
	snprintf(c->http_bind, sizeof c->http_bind, "127.0.0.1");
	c->http_port = 8080;
	snprintf(c->http_path, sizeof c->http_path, "/t");
	c->rate_per_min = 30;
	c->staff_enabled = true;
	c->staff_idle_min = 30;
	c->batch_ms = 30;
	c->batch_max = 1000;
}

static tt_err check(const collector_config *c, const char *path, char *err, size_t errlen);

tt_err collector_config_load(collector_config *c, const char *path, char *err, size_t errlen)
{
	tt_err rc = ini_load(path, keys, sizeof keys / sizeof keys[0], c, err, errlen);
	return rc != TT_OK ? rc : check(c, path, err, errlen);
}

tt_err collector_config_load_text(collector_config *c, const char *name, const char *text, size_t len, char *err,
                                  size_t errlen)
{
	tt_err rc = ini_load_text(name, text, len, keys, sizeof keys / sizeof keys[0], c, err, errlen);
	return rc != TT_OK ? rc : check(c, name, err, errlen);
}

static tt_err check(const collector_config *c, const char *path, char *err, size_t errlen)
{
	if (!c->secret_key[0]) {
		snprintf(err, errlen, "%s: [keys] secret_key: required (the collector's box key, from tramtin-admin keygen --kind box)", path);
		return TT_ERR_CONFIG;
	}
	if (!c->kiosks[0]) {
		snprintf(err, errlen, "%s: [keys] kiosks: required (a file of lines 'kiosk_id public_key')", path);
		return TT_ERR_CONFIG;
	}
	if (c->http_path[0] != '/' || strchr(c->http_path, '?') || strcmp(c->http_path, "/api/track") == 0 ||
	    strcmp(c->http_path, "/healthz") == 0 || strncmp(c->http_path, "/staff", 6) == 0) {
		snprintf(err, errlen, "%s: [http] path: must start with '/' and not be /api/track, /healthz or /staff...; got '%s'", path,
		         c->http_path);
		return TT_ERR_CONFIG;
	}
	if (!c->http_tls_cert[0] != !c->http_tls_key[0]) {
		snprintf(err, errlen, "%s: [http] tls_cert and tls_key: give both or neither", path);
		return TT_ERR_CONFIG;
	}
	if (strchr(c->share_group, '/') || strchr(c->share_group, '+') || strchr(c->share_group, '#')) {
		snprintf(err, errlen, "%s: [mqtt] share_group: no '/', '+' or '#'; got '%s'", path, c->share_group);
		return TT_ERR_CONFIG;
	}
	return TT_OK;
}
