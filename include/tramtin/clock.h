/* clock.h - the kiosk's clocks.
 *
 * Two clocks: a monotonic one in milliseconds that drives timers (idle,
 * attract, animations) and that automation scripts move forward with
 * `advance` without real waiting; and the wall clock (UTC seconds) for
 * posting windows and schedules, which tests can pin with the environment
 * variable TRAMTIN_NOW (ISO 8601, e.g. 2026-11-27T09:00:00+07:00). */
#ifndef TRAMTIN_CLOCK_H
#define TRAMTIN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Monotonic milliseconds since an arbitrary start, plus every advance. */
uint64_t clock_ms(void);
/* Moves the monotonic clock (and the wall clock) forward by ms. */
void clock_advance(uint64_t ms);

/* Wall clock, UTC seconds since the epoch (TRAMTIN_NOW if set, plus
 * advances). */
int64_t clock_now(void);

/* Whether the wall clock is trustworthy, and why: "fixed (TRAMTIN_NOW)",
 * "synchronized (kernel)" when a time service (systemd-timesyncd, chrony,
 * ntpd) disciplines the kernel clock, else "not synchronized".  Nothing in
 * the kiosk depends on it being true: the outbox orders by sequence, timers
 * run on the monotonic clock; it is reported in the status and the admin
 * screen so staff know whether dates shown can be trusted. */
bool clock_synced(const char **source);

/* Parses "YYYY-MM-DD" (local date in zone offset tz_min, start of day) or
 * "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]" into UTC seconds. Returns false on a
 * malformed or impossible date. */
bool clock_parse(const char *s, int tz_min, int64_t *out);

/* Vietnam is UTC+7 and has no daylight saving: local dates use this. */
#define CLOCK_TZ_VN_MIN (7 * 60)

/* Civil date of t at zone offset tz_min. */
void clock_civil(int64_t t, int tz_min, int *year, int *month, int *day, int *hour, int *min, int *wday);

#endif
