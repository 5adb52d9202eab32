/* notify.c - see notify.h; sd_notify(3) when built with libsystemd. */
#include "tramtin/notify.h"

#include <stdint.h>

#include "tt_build.h"

#if TT_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

void notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status ? status : "ready");
}

void notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status ? status : "");
}

void notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

int notify_watchdog_ms(void)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return -1;
	uint64_t ms = usec / 2000;
	return ms > 0 && ms < 3600000 ? (int)ms : 1000;
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
#else
void notify_ready(const char *status)
{
	(void)status;
}

void notify_status(const char *status)
{
	(void)status;
}

void notify_watchdog(void)
{
}

int notify_watchdog_ms(void)
{
	return -1;
}

void notify_stopping(void)
{
}
#endif
