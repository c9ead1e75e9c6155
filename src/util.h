/* SPDX-License-Identifier: MIT */
/*
 * Time and text helpers shared by the modules: ISO 8601 formatting and
 * parsing, days in a named time zone, case-insensitive whole-word search.
 * The time zone conversions go through libical's builtin zones so that
 * they are thread-safe once util_tz_preload() has run.
 */
#ifndef SC_UTIL_H
#define SC_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct buf;

/* "2026-10-20T14:03:00Z" into out (at least 21 bytes). */
void	 util_format_utc(time_t, char *out, size_t outlen);

/*
 * Parses "YYYY-MM-DD" (midnight in tz), "YYYY-MM-DDTHH:MM[:SS]" (in tz),
 * or the same with "Z" or "+HH:MM" (absolute).  Returns 0 or -1.
 */
int	 util_parse_time(const char *, const char *tz, time_t *out);

/* The day "YYYY-MM-DD" (out at least 11 bytes) on which t falls in tz. */
void	 util_day(time_t t, const char *tz, char *out, size_t outlen);

/*
 * util_day through the last day found: the instants [lo, hi) of that day
 * in tz.  For times that come in time order (a report by creation), each
 * day is converted once instead of each time.  Zeroed before first use.
 */
struct util_day_cache {
	time_t	lo;
	time_t	hi;	/* 0: nothing cached */
	char	day[11];
};
void	 util_day_cached(struct util_day_cache *, time_t t, const char *tz,
	    char *out, size_t outlen);

/* Midnight in tz that starts the day "YYYY-MM-DD"; -1 if malformed. */
int	 util_day_start(const char *day, const char *tz, time_t *out);

/* Day of week of "YYYY-MM-DD": 0 = Monday ... 6 = Sunday, -1 if malformed. */
int	 util_weekday(const char *day);

/* Adds n days to "YYYY-MM-DD" into out. */
void	 util_day_add(const char *day, int n, char *out, size_t outlen);

/* The system's time zone name (from TZ or /etc/timezone or /etc/localtime), "UTC" if none. */
const char *util_system_tz(void);

/* The lock around libical's builtin zone table (recursive; short holds only). */
void	 util_ical_lock(void);
void	 util_ical_unlock(void);

/*
 * libical's builtin zone of a name (icaltimezone_get_builtin_timezone),
 * or NULL, looked up once for the last few names; takes util_ical_lock.
 */
struct _icaltimezone *util_builtin_zone(const char *name);

/* Loads the named zone (and UTC) once, before any thread starts; -1 if unknown. */
int	 util_tz_preload(const char *tz);

/*
 * True when needle occurs in hay as a whole word, ignoring ASCII case:
 * the characters around it are not letters or digits (UTF-8 bytes >= 0x80
 * count as letters).
 */
bool	 util_has_word(const char *hay, const char *needle);

/*
 * True when s[0..n) is valid UTF-8, as util_utf8_next reads it (a NUL
 * byte counts as text here).
 */
bool	 util_utf8_valid(const char *s, size_t n);
/*
 * A plain mail address, user@domain, that can go into an SMTP envelope
 * and a header as it is: one "@" with something on both sides, at most
 * 254 bytes of printable ASCII (no SMTPUTF8: a domain of other letters
 * in its xn-- form), no spaces, controls or any of <>()[],;:\" (so never
 * a list, a display name or a second header).  The one check of
 * addresses: what the configuration accepts, the digest can send to.
 */
bool	 util_valid_address(const char *);

/*
 * Returns s when it is valid UTF-8; else frees s and returns a copy with
 * U+FFFD for each byte that starts no valid sequence.  NULL stays NULL.
 * Text from outside passes here once, where its summary is made, so that
 * nothing invalid reaches the store or JSON output.
 */
char	*util_utf8_repair(char *s);

/* ASCII lower-casing in place; returns s. */
char	*util_lower(char *s);

/* Strips leading and trailing ASCII white space in place; returns s. */
char	*util_trim(char *s);

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence at s (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF) with its code
 * point in *cp; 0 when s does not start one (or at the NUL).
 */
size_t	 util_utf8_next(const char *s, uint32_t *cp);

/*
 * Appends s to b for a terminal or a log line: valid UTF-8 as it is; tab,
 * CR and LF as one space; every other control character (C0, DEL, C1),
 * each bidirectional embedding, override and isolate (U+202A-202E,
 * U+2066-2069) and each byte that is not part of valid UTF-8 as U+FFFD.
 * Data from mail, calendars and servers then never moves the cursor,
 * sets a window title, clears the screen or turns a line around.
 */
void	 util_safe_text(struct buf *b, const char *s);
/* The same, written to f without allocating (for log lines and fatal()). */
void	 util_safe_fputs(const char *s, FILE *f);

/*
 * Text from outside (a server's answer, a name a server gave) made one
 * printable line for a log line, an error or a terminal: each control
 * character (C0 with tab and line ends, DEL, C1) and each byte that is
 * not part of valid UTF-8 becomes '?'; the rest, by the same rule as
 * util_safe_text, stays.  out gets at most outlen - 1 bytes, cut where a
 * character starts; in and out may be the same buffer.  Returns out.
 */
char	*util_printable(const char *in, char *out, size_t outlen);

/*
 * Appends text to b with every URL in it (scheme://...) redacted: never
 * user:password@; with whole, also no path or query (an ICS feed's URL
 * is its password: "https://outlook.office365.com/...").
 */
void	 util_redact_urls(struct buf *b, const char *text, bool whole);
/* The same into a new string (NULL for NULL).  Caller frees. */
char	*util_redacted(const char *text, bool whole);

/*
 * Core dumps hold what the process has in memory, passwords and tokens
 * included.  util_core_dumps(false) sets the soft RLIMIT_CORE to 0 and
 * makes the process not dumpable (which also keeps other processes of
 * its user from reading its memory through ptrace or /proc);
 * util_core_dumps(true) restores what was there before the first call.
 */
void	 util_core_dumps(bool allow);

/* Glob match with '*' and '?', ASCII case-insensitive. */
bool	 util_glob(const char *pattern, const char *s);

/*
 * The edit distance (Levenshtein, ASCII case-insensitive) of two short
 * names, for "did you mean": names longer than UTIL_EDIT_MAX count as
 * far from everything (UTIL_EDIT_MAX + 1).
 */
#define UTIL_EDIT_MAX	64
size_t	 util_edit_distance(const char *a, const char *b);

/*
 * The current time for projections and reports: $SALESCYCLE_NOW (ISO
 * 8601) when set, for tests, demos and backtests; else the clock.
 */
time_t	 util_now(void);

/*
 * Milliseconds of the monotonic clock: for deadlines and durations, which
 * neither $SALESCYCLE_NOW nor a change of the system clock may move.
 */
int64_t	 util_monotonic_ms(void);

/*
 * Runs fn(arg, i) for every i below n, each once, on this thread and on
 * a second where the machine has a second core, and returns when all
 * are done.  The calls must write nothing they share.  They start in the
 * order of i: put the longest first, so that both threads end together.
 */
void	 util_parallel(size_t n, void (*fn)(void *arg, size_t i), void *arg);
/*
 * Starts fn(arg) on a helper thread that takes no signal (they stay the
 * caller's); false when util_one_thread is set or no thread can be had,
 * and the caller does the work itself.
 */
bool	 util_thread_start(pthread_t *, void *(*fn)(void *), void *arg);
/*
 * No helper thread: every piece of work on the calling thread, the
 * reference the tests compare two threads with; false unless a test
 * sets it.
 */
extern bool util_one_thread;

/* 1990-01-01T00:00:00Z: no mail or calendar item we read is older. */
#define UTIL_EARLIEST_TIME	631152000

/*
 * True when t is a plausible time for an item that arrived at arrival
 * (util_now() when arrival is 0): not before 1990 (time 0, 1970, reads
 * as "unset" everywhere) and at most a day after it (clocks are wrong by
 * hours, not more).
 */
bool	 util_time_plausible(time_t t, time_t arrival);

/* Reads a whole file; caller frees *out.  Returns 0 or -1 with errno set. */
int	 util_read_file(const char *path, char **out, size_t *len);

#endif
