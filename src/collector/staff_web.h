/* staff_web.h - the province's staff pages on the collector's HTTP server.
 *
 * Server-rendered HTML under /staff/ (no script, no external resource),
 * Vietnamese first with an English switch (cookie tt_lang):
 *
 *   GET  /staff/login, POST /staff/login, POST /staff/logout
 *   GET  /staff/inbox?commune=&kind=&category=&status=&overdue=1&after=ID
 *   GET  /staff/s/ID          one submission, its forms and history
 *   POST /staff/s/ID/assign   agency=         -> assigned
 *   POST /staff/s/ID/status   status= reason= outcome=
 *   POST /staff/s/ID/answer   answer=         -> responded (the citizen sees it)
 *   GET  /staff/fleet         kiosks: online/lost, last seen, outbox, content, error, disk
 *   GET  /staff/reports?from=YYYY-MM-DD&to=YYYY-MM-DD   the periodic report with charts
 *   GET  /staff/audit?before=SEQ                        the audit log, newest first
 *   GET  /staff/lang?to=en|vi   (then to the inbox, or the login page)
 *
 * The session cookie tt_staff is HttpOnly, SameSite=Strict, Path=/staff,
 * and Secure when the server speaks TLS; every POST but the login carries
 * the session's CSRF token (field csrf), else 403, and a POST whose Origin
 * names another site is refused (403, login included).  Element ids are
 * stable for tests (listed in README.md). */
#ifndef TRAMTIN_COLLECTOR_STAFF_WEB_H
#define TRAMTIN_COLLECTOR_STAFF_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

typedef struct staff_web staff_web;

/* Opens the store and the accounts in path for the server's thread.
 * NULL with one line in err. */
staff_web *staff_web_new(const char *path, int idle_min, bool secure, char *err, size_t errlen);
void staff_web_free(staff_web *w); /* accepts NULL */

/* Whether url is one of the staff pages' (/staff or under /staff/). */
bool staff_web_owns(const char *url);

/* libmicrohttpd's access handler for a staff url; *state starts NULL and
 * is the request's (freed by staff_web_done). */
enum MHD_Result staff_web_request(staff_web *w, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *upload, size_t *upload_size, void **state);
void staff_web_done(void **state);

#endif
