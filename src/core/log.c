/* log.c - one-line messages on stderr, with a level filter.
 *
 * The kiosk runs unattended; journald picks up stderr.  A message is one
 * line, whatever it contains: embedded newlines are replaced so a line in
 * the journal is always one event. */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tramtin/log.h"

static const char *log_prog = "tramtin";
static tt_log_level log_min = TT_LOG_INFO;
static unsigned log_counts[TT_LOG_QUIET];

void tt_log_init(const char *prog, tt_log_level min)
{
	if (prog)
		log_prog = prog;
	log_min = min;
}

void tt_log_set_level(tt_log_level min)
{
	log_min = min;
}

unsigned tt_log_count(tt_log_level level)
{
	return level < TT_LOG_QUIET ? log_counts[level] : 0;
}

void tt_log(tt_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warning", "error"};
	char line[1024];
	va_list ap;

	if (level >= TT_LOG_QUIET)
		return;
	log_counts[level]++;
	if (level < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "%s: %s: %s\n", log_prog, names[level], line);
}

const char *tt_strerrno(int errnum)
{
	static locale_t c_locale;
	if (!c_locale)
		c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c_locale ? strerror_l(errnum, c_locale) : strerror(errnum);
}
