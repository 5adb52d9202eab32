/* collector.h - tramtin-collector: its config and the ingest daemon. */
#ifndef TRAMTIN_COLLECTOR_H
#define TRAMTIN_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "tramtin/err.h"

typedef struct collector_config {
	/* [mqtt] */
	char mqtt_host[256];
	int mqtt_port;
	char mqtt_username[256], mqtt_password[256];
	char tls_ca[1024], tls_cert[1024], tls_key[1024];
	char client_id[128];
	char share_group[64];     /* MQTT v5 shared subscription group, or "" */
	/* [store] */
	char db[1024];
	/* [keys] */
	char secret_key[1024];    /* the collector's X25519 key file */
	char kiosks[1024];        /* lines "kiosk_id base64_ed25519_public_key" */
	/* [http] */
	char http_bind[64];
	int http_port;            /* 0: no follow-up server */
	char http_path[64];
	int rate_per_min;
	char http_tls_cert[1024], http_tls_key[1024]; /* HTTPS when both are set */
	/* [staff] */
	bool staff_enabled;       /* the staff pages under /staff/ */
	int staff_idle_min;       /* session idle timeout */
	/* [ingest] */
	int batch_ms;             /* longest a message waits for its batch */
	int batch_max;            /* commit when a batch has this many */
	int workers;              /* threads checking signatures; 0: one per CPU */
} collector_config;

void collector_config_defaults(collector_config *c);
/* Reads and checks FILE; one line in err and TT_ERR_CONFIG (etc.) on a fault. */
tt_err collector_config_load(collector_config *c, const char *path, char *err, size_t errlen);
tt_err collector_config_load_text(collector_config *c, const char *name, const char *text, size_t len, char *err,
                                  size_t errlen);

/* Fills r from a submission's inner JSON (NUL-terminated); on a fault
 * writes why and returns false.  r's strings are the caller's to clear
 * (store_record_clear) either way. */
struct store_record;
struct cJSON;
bool collector_parse_inner(const char *inner, struct store_record *r, char *why, size_t whylen);
/* The same from the JSON already parsed (envelope_open_json). */
bool collector_parse_inner_json(const struct cJSON *j, struct store_record *r, char *why, size_t whylen);

/* Runs the daemon until SIGTERM/SIGINT. Returns the process exit status. */
int collector_serve(const collector_config *c);

#endif
