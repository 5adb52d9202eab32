/* console.h - tramtin-admin console: the commune clerk's web page.
 *
 * console.c  the local web server (libmicrohttpd), its routes and security
 * draft.c    the channel's editable source folder: pages, notices, images
 * preview.c  the draft rendered by the kiosk itself, headless
 * watch.c    the channel on the broker: its published version, its kiosks
 * image.c    posters: upright, scaled to the kiosk, no metadata */
#ifndef TRAMTIN_ADMIN_CONSOLE_H
#define TRAMTIN_ADMIN_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "admin.h"
#include "tramtin/bundle.h"
#include "tramtin/err.h"

/* The command line of `tramtin-admin console` (strings borrowed). */
typedef struct console_opts {
	const char *workdir;
	const char *key_path;
	const char *channel;   /* ht/<commune> (or ht) */
	admin_mqtt mq;
	const char *bind;      /* numeric address; default 127.0.0.1 */
	int http_port;         /* default 8090; 0: any free port */
	int kiosk_w, kiosk_h;  /* default 1920x1080 */
} console_opts;

/* Runs the console until SIGINT or SIGTERM.  Returns the exit status: 0,
 * 1 (cannot listen, cannot write the folder), 2 (a bad option or key; one
 * line on stderr). */
int admin_console(const console_opts *o);

/* ---- draft.c ----------------------------------------------------------- */

/* Why a request was refused: the field at fault (as the API names it,
 * e.g. "posting.to", or "" for none), the HTTP status, and the message in
 * English and Vietnamese. */
typedef struct draft_err {
	int status;
	char field[64];
	char en[512], vi[512];
} draft_err;

/* Fills e; returns TT_ERR_INVAL (or the given code for status >= 500). */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
tt_err draft_fail(draft_err *e, int status, const char *field, const char *vi, const char *en_fmt, ...);

/* Makes dir the channel's source if it holds none: a copy of the bundle
 * source in from (assets/content) with its channel set.  TT_OK if dir
 * holds a manifest.json already or now. */
tt_err draft_init(const char *dir, const char *from, const char *channel, draft_err *e);

/* Everything the page lists: channel title, categories, and each page's
 * fields (no bodies), with "state" for notices (posted, upcoming, ended at
 * now) and for attract items; a new object, NULL with e filled. */
cJSON *draft_list(const char *dir, int64_t now, draft_err *e);

/* One page with its bodies ("body": {"vi": markdown, "en": markdown}). */
cJSON *draft_page_get(const char *dir, const char *id, draft_err *e);

/* Checks every field of page (the API's form, see console.js) and writes
 * it: the bodies to pages/<id>.<lang>.md, the entry into manifest.json
 * (keys the console does not edit are kept), each file atomically, the
 * manifest last.  create: the id must be new.  kiosk_w/h: none.  TT_OK, or
 * e names the field. */
tt_err draft_page_put(const char *dir, const cJSON *page, bool create, draft_err *e);

/* Removes a page (its entry, its bodies, links to it from other pages). */
tt_err draft_page_delete(const char *dir, const char *id, draft_err *e);

/* Stores an uploaded image (already checked and re-encoded, data[0..len),
 * extension ext) as images/<name>.<ext>, name made from hint (lower-case
 * ASCII, digits, '-'; a number added if taken); writes its path relative
 * to dir into out. */
tt_err draft_image_put(const char *dir, const char *hint, const void *data, size_t len, const char *ext, char *out,
                       size_t outlen, draft_err *e);

/* The images of the draft (paths relative to dir), a new array. */
cJSON *draft_images(const char *dir);

/* True if rel is a safe relative path ("images/x.png": [A-Za-z0-9._-]
 * parts, no "..", no leading '/'). */
bool draft_safe_path(const char *rel);

/* ---- preview.c --------------------------------------------------------- */

typedef struct preview_req {
	const char *draft_dir;  /* the source */
	const char *work_dir;   /* where the bundle, configs and PNGs go (created) */
	const char *tramtin;    /* the kiosk binary */
	const char *channel;
	const char *page_id;
	const char *lang;       /* "vi" or "en" */
} preview_req;

typedef struct preview_shot {
	int w, h;
	char file[128];         /* name inside work_dir */
} preview_shot;

/* Builds the draft into a bundle (as bundle build does, so a draft that
 * would not build fails here with the same message), then runs the kiosk
 * headless on it in landscape (1920x1080) and portrait (1080x1920), both
 * at once, each opening the page as a visitor would and taking a
 * screenshot.  A notice outside its posting window is shown at a time
 * inside it (note says which).  TT_OK with shots[0..2) filled. */
tt_err preview_run(const preview_req *r, preview_shot shots[2], char *note, size_t notelen, draft_err *e);

/* ---- watch.c ----------------------------------------------------------- */

typedef struct watch watch;

/* Connects to the broker (in a thread of libmosquitto's) and follows the
 * channel: its retained manifest (the published version) and the retained
 * status of every kiosk of its commune, tramtin/v1/{province}/{commune}/
 * +/status.  pk: the console's public key, to say whether the published
 * manifest is ours.  Keeps reconnecting.  NULL on out of memory. */
watch *watch_start(const admin_mqtt *mq, const char *channel, const unsigned char pk[32]);
void watch_stop(watch *w); /* accepts NULL */

/* The published version (0: none seen yet), and whether the broker is
 * connected. */
int64_t watch_published(watch *w, bool *connected, bool *ours);

/* {"connected": b, "published": n, "kiosks": [{"id", "state", "content": n
 * or null, "applied": b (content >= target), "content_error", "error",
 * "seen": "YYYY-MM-DDTHH:MM:SSZ", "boot", "version"}]}: a new object.
 * target 0: the published version. */
cJSON *watch_json(watch *w, int64_t target);

#endif
