/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr (journald picks it up).  Each .c file may define
 * LOG_TAG before including this header; messages then read
 * "salescycled: imap[anna]: INBOX: ...".  The level is checked before
 * formatting.  Never pass secrets or message bodies to these functions.
 */
#ifndef SC_LOG_H
#define SC_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern int log_level;			/* default LOG_LVL_WARN */

void	log_init(const char *progname);
void	log_msg(enum log_level, const char *tag, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Number of warnings logged since start (tests and exit codes use it). */
unsigned long	log_warn_count(void);
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#ifndef LOG_TAG
#define LOG_TAG NULL
#endif

#define log_error(...) log_msg(LOG_LVL_ERROR, LOG_TAG, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, LOG_TAG, __VA_ARGS__)
#define log_info(...) do { if (log_level >= LOG_LVL_INFO) \
	log_msg(LOG_LVL_INFO, LOG_TAG, __VA_ARGS__); } while (0)
#define log_debug(...) do { if (log_level >= LOG_LVL_DEBUG) \
	log_msg(LOG_LVL_DEBUG, LOG_TAG, __VA_ARGS__); } while (0)

#endif
