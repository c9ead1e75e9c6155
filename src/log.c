/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, one line per message, prefixed with the program and
 * the module tag.  A mutex keeps lines of worker threads whole.  Messages
 * carry server texts, folder names and subjects: each is formatted first
 * and written through util_safe_fputs, so a control character can neither
 * split a line (journald) nor reach a terminal as an escape sequence.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define LOG_LINE_MAX	2048	/* longer messages are formatted on the heap */

int log_level = LOG_LVL_WARN;
static const char *log_prog = "salescycle";
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong log_warnings;

void
log_init(const char *progname)
{
	log_prog = progname;
}

unsigned long
log_warn_count(void)
{
	return atomic_load(&log_warnings);
}

/*
 * Writes "PROG: LEVEL TAG: message" as one safe line, URLs without
 * credentials.  fatal() runs on out-of-memory too: it allocates nothing
 * and writes the first LOG_LINE_MAX bytes of its message.
 */
static void
log_line(const char *level, const char *tag, bool may_allocate,
    const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX], *msg = line, *clean = NULL;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(line, sizeof line, fmt, ap);
	if (may_allocate && n >= (int)sizeof line &&
	    vasprintf(&msg, fmt, copy) < 0)
		msg = line;
	va_end(copy);
	if (may_allocate && strstr(msg, "://") != NULL)
		clean = util_redacted(msg, false);
	fprintf(stderr, "%s: %s", log_prog, level);
	if (tag != NULL)
		fprintf(stderr, "%s: ", tag);
	util_safe_fputs(clean != NULL ? clean : msg, stderr);
	fputc('\n', stderr);
	free(clean);
	if (msg != line)
		free(msg);
}

void
log_msg(enum log_level level, const char *tag, const char *fmt, ...)
{
	static const char *const names[] = {
		"error: ", "warning: ", "", "debug: "
	};
	va_list ap;

	if (level == LOG_LVL_WARN)
		atomic_fetch_add(&log_warnings, 1);
	if ((int)level > log_level)
		return;
	pthread_mutex_lock(&log_lock);
	va_start(ap, fmt);
	log_line(names[level], tag, true, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&log_lock);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("fatal: ", NULL, false, fmt, ap);
	va_end(ap);
	exit(1);
}
