/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, one line per message, prefixed with the program and
 * the module tag.  A mutex keeps lines of worker threads whole.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

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
	fprintf(stderr, "%s: %s", log_prog, names[level]);
	if (tag != NULL)
		fprintf(stderr, "%s: ", tag);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: fatal: ", log_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}
