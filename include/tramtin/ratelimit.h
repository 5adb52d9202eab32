/* ratelimit.h - how often a kiosk takes submissions from its screen.
 *
 * A minimum interval between two submissions, a cap per rolling hour, and
 * the same text again within a window refused (only a hash of the text is
 * kept, never the text).  Times are the monotonic clock (clock_ms), so a
 * wrong wall clock changes nothing.  A limit of 0 is off. */
#ifndef TRAMTIN_RATELIMIT_H
#define TRAMTIN_RATELIMIT_H

#include <stdint.h>

typedef struct ratelimit_config {
	int min_interval_s; /* between two submissions */
	int per_hour;       /* at most this many in any 60 minutes */
	int repeat_s;       /* the same text again within this is refused */
} ratelimit_config;

typedef enum rl_verdict { RL_OK = 0, RL_TOO_SOON, RL_HOURLY_CAP, RL_REPEAT } rl_verdict;

typedef struct ratelimit ratelimit;

ratelimit *ratelimit_new(const ratelimit_config *c); /* NULL: out of memory */
void ratelimit_free(ratelimit *r);
/* Would a submission with text (NULL or "": none) be taken at now_ms?
 * Changes nothing; *wait_s (may be NULL) says how long until it would be
 * (0 for a repeat, which waiting does not cure). */
rl_verdict ratelimit_check(const ratelimit *r, const char *text, uint64_t now_ms, int *wait_s);
/* A submission was taken at now_ms. */
void ratelimit_note(ratelimit *r, const char *text, uint64_t now_ms);

#endif
