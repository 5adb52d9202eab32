/* http.h - the collector's follow-up web server (libmicrohttpd).
 *
 *   GET  {path}            the follow-up page (Vietnamese, English switch,
 *                          no external resources); its script reads the
 *                          code from the URL fragment and asks:
 *   POST /api/track        body {"code":"XXXX-XXXX-XXXX-XXXX"} ->
 *                          {"found":true,"status":...,"received":...,...}
 *                          or the same neutral {"found":false} for unknown
 *                          and malformed codes
 *   POST {path}            the same without JavaScript (form field "code"),
 *                          answered with a server-rendered page
 *   GET  /healthz          "ok" when the store answers
 *   /staff/...             the province's staff pages, when enabled
 *                          (staff_web.h)
 *
 * Codes are hashed at once (code.h) and never logged or stored in clear.
 * Requests are rate-limited per client address. */
#ifndef TRAMTIN_COLLECTOR_HTTP_H
#define TRAMTIN_COLLECTOR_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "tramtin/err.h"

typedef struct http_server http_server;

typedef struct http_config {
	const char *bind;        /* address, e.g. "127.0.0.1" */
	int port;
	const char *path;        /* the follow-up page path, e.g. "/t" */
	const char *db;          /* the store (opened by the server's own thread) */
	int rate_per_min;        /* track requests per client address per minute (default 30) */
	bool staff;              /* serve the staff pages under /staff/ (staff_web.h) */
	int staff_idle_min;      /* their session idle timeout */
	const char *tls_cert;    /* PEM files: HTTPS when both are given (else NULL or "") */
	const char *tls_key;
} http_config;

/* Starts serving in libmicrohttpd's own thread.  NULL with one line in err
 * (port taken, bad bind address, store cannot open). */
http_server *http_start(const http_config *c, char *err, size_t errlen);
void http_stop(http_server *h); /* accepts NULL */

#endif
