/* clock.c - monotonic and wall clocks, movable by automation.
 *
 * Timers compare clock_ms() values, never wall time, so a kiosk without an
 * RTC or network still times out and rotates its attract loop properly.
 * Civil-date arithmetic is Howard Hinnant's days-from-civil algorithm, so
 * no time zone database or locale is consulted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

#include "tramtin/clock.h"

static uint64_t advanced_ms;

uint64_t clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u + advanced_ms;
}

void clock_advance(uint64_t ms)
{
	advanced_ms += ms;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

bool clock_parse(const char *s, int tz_min, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	if (!s || !out)
		return false;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return false;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	const char *p = s + n;
	if (*p == 'T' || *p == ' ') {
		int k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5)
			return false;
		p += 1 + k;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &k) != 1 || k != 2)
				return false;
			p += 3;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
		if (*p == 'Z') {
			tz_min = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			int th, tm;
			if (sscanf(p + 1, "%2d:%2d%n", &th, &tm, &k) != 2 || k != 5 || th > 14 || tm > 59)
				return false;
			tz_min = (*p == '-' ? -1 : 1) * (th * 60 + tm);
			p += 1 + k;
		}
	}
	if (*p)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - (int64_t)tz_min * 60;
	return true;
}

int64_t clock_now(void)
{
	static int pinned = -1;
	static int64_t pinned_at;
	if (pinned < 0) {
		const char *env = getenv("TRAMTIN_NOW");
		pinned = env && clock_parse(env, 0, &pinned_at) ? 1 : 0;
	}
	if (pinned)
		return pinned_at + (int64_t)(advanced_ms / 1000u);
	return (int64_t)time(NULL) + (int64_t)(advanced_ms / 1000u);
}

bool clock_synced(const char **source)
{
	const char *why;
	bool ok;
	struct timex tx = {0}; /* modes 0: only reads */
	if (getenv("TRAMTIN_NOW")) {
		why = "fixed (TRAMTIN_NOW)";
		ok = true;
	} else if (adjtimex(&tx) != -1 && !(tx.status & STA_UNSYNC)) {
		why = "synchronized (kernel)";
		ok = true;
	} else {
		why = "not synchronized";
		ok = false;
	}
	if (source)
		*source = why;
	return ok;
}

void clock_civil(int64_t t, int tz_min, int *year, int *month, int *day, int *hour, int *min, int *wday)
{
	t += (int64_t)tz_min * 60;
	int64_t z = (t >= 0 ? t : t - 86399) / 86400;
	int64_t secs = t - z * 86400;
	int64_t days = z;
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	if (year) *year = (int)(y + (m <= 2));
	if (month) *month = m;
	if (day) *day = d;
	if (hour) *hour = (int)(secs / 3600);
	if (min) *min = (int)(secs % 3600 / 60);
	/* 1970-01-01 was a Thursday; 1 = Monday .. 7 = Sunday. */
	if (wday) *wday = (int)(((days % 7) + 7 + 3) % 7) + 1;
}
