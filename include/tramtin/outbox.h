/* outbox.h - the kiosk's durable queue of sealed submissions (SQLite).
 *
 * A submission is committed (WAL, synchronous=FULL, secure_delete) before
 * the citizen is thanked.  It is sent, re-sent until the collector
 * acknowledges its id, and then erased.  Several connections may use one
 * outbox file (the UI thread puts, the network thread takes and acks).
 * The outbox never aborts: every failure is a returned error and nothing
 * already committed is lost. */
#ifndef TRAMTIN_OUTBOX_H
#define TRAMTIN_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/err.h"

typedef struct outbox outbox;

/* Opens (creating if needed) the outbox at path.  max_pending caps the
 * number of rows waiting (0: no cap).  On error returns NULL and writes
 * one line naming the file into err. */
outbox *outbox_open(const char *path, size_t max_pending, char *err, size_t errlen);
void outbox_close(outbox *o); /* accepts NULL */

/* Commits one envelope (its id is the key; both strings are copied).
 * Returns TT_OK once it is on disk, also if id was already there (the
 * first envelope stays); TT_ERR_FULL at the cap (nothing written);
 * TT_ERR_INVAL (no id, id over 39 bytes, no envelope); TT_ERR_IO
 * otherwise (logged; nothing written, nothing earlier lost). */
tt_err outbox_put(outbox *o, const char *id, const char *envelope);

/* A row to send. */
typedef struct outbox_item {
	char id[40];
	char *envelope; /* owned by the item: outbox_item_free */
	int attempts;   /* sends so far, this one included */
	int64_t seq;
} outbox_item;
void outbox_item_free(outbox_item *it);

/* Up to max rows due for sending, oldest first: never sent, or last sent
 * at least retry_ms ago (by the monotonic time now_ms the caller passes;
 * a row marked later than now_ms, from before a reboot, is due too).
 * Marks them sent at now_ms.  Returns how many were written to items
 * (0 on error, logged, with nothing marked). */
size_t outbox_take(outbox *o, uint64_t now_ms, uint64_t retry_ms, outbox_item *items, size_t max);

/* At most n rows sent and not yet acknowledged: outbox_take hands out a
 * never-sent row only while fewer wait for their ack (rows due again are
 * always handed out).  While the collector is away the kiosk then keeps
 * resending a window of n, not its whole queue.  0 (the default): no
 * limit. */
void outbox_set_unacked_max(outbox *o, size_t n);

/* Marks every row as not yet sent (at start-up: resend all pending). */
tt_err outbox_reset_sent(outbox *o);

/* The collector acknowledged id: the row and its payload are erased.
 * TT_OK also if id was not (or no longer) there. */
tt_err outbox_ack(outbox *o, const char *id);
/* The same for n ids in one transaction (an ack message names many). */
tt_err outbox_ack_many(outbox *o, const char *const *ids, size_t n);

/* For the sending connection only: its commits (sent marks, acks) are
 * no longer fsynced.  Losing them in a power cut means re-sending, never
 * losing: puts must stay on a connection that was not relaxed. */
tt_err outbox_relax(outbox *o);

/* 1 if nothing is waiting, 0 if something is, -1 on error (cheap). */
int outbox_empty(outbox *o);

/* 1 if id is waiting, 0 if not here (acknowledged or never put), -1 on error. */
int outbox_pending(outbox *o, const char *id);

/* Rows waiting and the age in seconds of the oldest (by its wall-clock
 * put time; 0 when empty). */
tt_err outbox_stats(outbox *o, size_t *pending, int64_t *oldest_s);

/* Fault injection for tests: the next n writes or fsyncs (SQLite's xWrite
 * and xSync) fail as if the disk were full or failing.  0 turns it off.
 * The counter is shared by every outbox in the process (the file layer
 * cannot tell connections apart); o is not used and may be NULL. */
void outbox_fail_next_writes(outbox *o, int n);

/* Finer fault injection for tests: the next skip writes or fsyncs go
 * through, then n fail (to reach each step of a commit in turn).
 * outbox_fail_next_writes(o, n) is outbox_fail_writes_after(0, n). */
void outbox_fail_writes_after(int skip, int n);

#endif
