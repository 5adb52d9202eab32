/* notify.h - telling the service manager how the program is doing.
 *
 * Under systemd (Type=notify, WatchdogSec=) with libsystemd at build
 * time: notify_ready once serving, notify_watchdog from the main loop at
 * least every notify_watchdog_ms(); notify_status for `systemctl status`.
 * Without systemd (or without libsystemd) every call does nothing. */
#ifndef TRAMTIN_NOTIFY_H
#define TRAMTIN_NOTIFY_H

void notify_ready(const char *status);
void notify_status(const char *status);
void notify_watchdog(void);
/* How often to call notify_watchdog (ms): half the watchdog interval, or
 * -1 when no watchdog is asked for. */
int notify_watchdog_ms(void);
void notify_stopping(void);

#endif
