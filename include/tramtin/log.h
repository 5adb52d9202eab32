/* log.h - one-line log messages on stderr.
 *
 * Each message is one line: "tramtin: LEVEL: text".  Operators read these;
 * a message about bad input names the file (and line), key or value. */
#ifndef TRAMTIN_LOG_H
#define TRAMTIN_LOG_H

typedef enum tt_log_level { TT_LOG_DEBUG = 0, TT_LOG_INFO, TT_LOG_WARN, TT_LOG_ERROR, TT_LOG_QUIET } tt_log_level;

/* Sets the program name printed before each line (borrowed; must outlive
 * logging) and the lowest level printed. */
void tt_log_init(const char *prog, tt_log_level min);
void tt_log_set_level(tt_log_level min);

/* Counts of warnings and errors logged so far (tests use them). */
unsigned tt_log_count(tt_log_level level);

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void tt_log(tt_log_level level, const char *fmt, ...);

/* strerror() in English whatever the UI language (logs are for
 * operators; LANGUAGE would otherwise translate libc's messages). */
const char *tt_strerrno(int errnum);

#define tt_debug(...) tt_log(TT_LOG_DEBUG, __VA_ARGS__)
#define tt_info(...) tt_log(TT_LOG_INFO, __VA_ARGS__)
#define tt_warn(...) tt_log(TT_LOG_WARN, __VA_ARGS__)
#define tt_error(...) tt_log(TT_LOG_ERROR, __VA_ARGS__)

#endif
