/* SPDX-License-Identifier: MIT */
/*
 * Time and text helpers (util.h).  Zone conversions use libical's builtin
 * zones, which read the system tzdata, so that one implementation serves
 * the reports, the classifier and the calendar code alike.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "util.h"
#include "xmalloc.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* The civil date of a day number (inverse of days_from_civil). */
static void
civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

/* The days of month m (1-12) of year y. */
static int
util_month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Parses YYYY-MM-DD of a day that exists (not 2026-09-31). */
static bool
parse_day(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d", y, m, d) != 3 ||
	    s[4] != '-' || s[7] != '-')
		return false;
	return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 &&
	    *d <= util_month_days(*y, *m);
}

/*
 * One lock around every use of libical's table of builtin zones, which it
 * fills lazily and does not guard reliably: event.c takes it for each
 * lookup, the conversions below for theirs.  Recursive, so that a caller
 * may hold it around them.
 */
static pthread_mutex_t util_ical_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void
util_ical_lock(void)
{
	pthread_mutex_lock(&util_ical_mutex);
}

void
util_ical_unlock(void)
{
	pthread_mutex_unlock(&util_ical_mutex);
}

/*
 * libical finds a builtin zone by comparing the name with each of its
 * some 600 zones, and a calendar's first sync asks for one per event time
 * and per appointment's day: the last names asked for are remembered,
 * found or not.  libical keeps its builtin zones until exit and never
 * adds one, so the answers stay right.  Names longer than a slot go to
 * libical every time.
 */
#define UTIL_ZONE_SLOTS	8
#define UTIL_ZONE_NAME	64

static struct {
	char		 name[UTIL_ZONE_NAME];	/* "" when unused */
	icaltimezone	*zone;			/* NULL: not a builtin zone */
} util_zones[UTIL_ZONE_SLOTS];
static unsigned util_zone_next;

icaltimezone *
util_builtin_zone(const char *name)
{
	icaltimezone *z;
	size_t len = strlen(name), i;

	util_ical_lock();
	for (i = 0; len > 0 && len < UTIL_ZONE_NAME && i < UTIL_ZONE_SLOTS; i++)
		if (strcmp(util_zones[i].name, name) == 0) {
			z = util_zones[i].zone;
			util_ical_unlock();
			return z;
		}
	z = icaltimezone_get_builtin_timezone(name);
	if (len > 0 && len < UTIL_ZONE_NAME) {
		i = util_zone_next++ % UTIL_ZONE_SLOTS;
		memcpy(util_zones[i].name, name, len + 1);
		util_zones[i].zone = z;
	}
	util_ical_unlock();
	return z;
}

static icaltimezone *
zone(const char *tz)
{
	icaltimezone *z = NULL;

	if (tz != NULL && strcmp(tz, "UTC") != 0)
		z = util_builtin_zone(tz);
	return z != NULL ? z : icaltimezone_get_utc_timezone();
}

/*
 * Writes y (0-9999), m and d as digits over the zeros of "0000-00-00" at
 * b: printf is most of formatting a day in a listing of a million.
 */
static void
util_put_day(char *b, int y, int m, int d)
{
	b[0] += (char)(y / 1000);
	b[1] += (char)(y / 100 % 10);
	b[2] += (char)(y / 10 % 10);
	b[3] += (char)(y % 10);
	b[5] += (char)(m / 10);
	b[6] += (char)(m % 10);
	b[8] += (char)(d / 10);
	b[9] += (char)(d % 10);
}

void
util_format_utc(time_t t, char *out, size_t outlen)
{
	long days = (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
	long secs = (long)(t - (time_t)days * 86400), y;
	unsigned m, d;

	char b[21];

	/* Plain digits: reports format hundreds of thousands of these. */
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || outlen < sizeof b) {
		snprintf(out, outlen, "%04ld-%02u-%02uT%02ld:%02ld:%02ldZ", y,
		    m, d, secs / 3600, secs / 60 % 60, secs % 60);
		return;
	}
	memcpy(b, "0000-00-00T00:00:00Z", sizeof b);
	util_put_day(b, (int)y, (int)m, (int)d);
	b[11] += (char)(secs / 36000);
	b[12] += (char)(secs / 3600 % 10);
	b[14] += (char)(secs / 600 % 6);
	b[15] += (char)(secs / 60 % 10);
	b[17] += (char)(secs % 60 / 10);
	b[18] += (char)(secs % 10);
	memcpy(out, b, sizeof b);
}

void
util_day(time_t t, const char *tz, char *out, size_t outlen)
{
	struct icaltimetype tt;

	util_ical_lock();
	tt = icaltime_from_timet_with_zone(t, 0, zone(tz));
	util_ical_unlock();
	if (tt.year < 0 || tt.year > 9999 || tt.month < 1 || tt.month > 12 ||
	    tt.day < 1 || tt.day > 31 || outlen < 11) {
		snprintf(out, outlen, "%04d-%02d-%02d", tt.year, tt.month,
		    tt.day);
		return;
	}
	/* Plain digits, as util_format_utc: a listing has a million. */
	memcpy(out, "0000-00-00", 11);
	util_put_day(out, tt.year, tt.month, tt.day);
}

/* Seconds since the epoch of a local wall time in tz. */
static time_t
local_to_utc(int y, int mo, int d, int h, int mi, int s, const char *tz)
{
	struct icaltimetype tt = icaltime_null_time();
	icaltimezone *z;
	time_t t;

	util_ical_lock();
	z = zone(tz);
	tt.year = y;
	tt.month = mo;
	tt.day = d;
	tt.hour = h;
	tt.minute = mi;
	tt.second = s;
	tt.zone = z;
	t = icaltime_as_timet_with_zone(tt, z);
	util_ical_unlock();
	return t;
}

int
util_day_start(const char *day, const char *tz, time_t *out)
{
	int y, m, d;

	if (!parse_day(day, &y, &m, &d))
		return -1;
	*out = local_to_utc(y, m, d, 0, 0, 0, tz);
	return 0;
}

int
util_parse_time(const char *s, const char *tz, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, n = 0;
	const char *rest;
	long days;

	if (!parse_day(s, &y, &mo, &d))
		return -1;
	rest = s + 10;
	if (*rest == '\0')
		return util_day_start(s, tz, out);
	if (*rest != 'T' && *rest != ' ')
		return -1;
	if (sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
		return -1;
	rest += 1 + n;
	if (*rest == ':') {
		if (sscanf(rest + 1, "%2d%n", &sec, &n) != 1)
			return -1;
		rest += 1 + n;
	}
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*rest == '\0') {
		*out = local_to_utc(y, mo, d, h, mi, sec, tz);
		return 0;
	}
	days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*out = (time_t)days * 86400 + h * 3600 + mi * 60 + sec;
	if (strcmp(rest, "Z") == 0)
		return 0;
	if ((rest[0] == '+' || rest[0] == '-') &&
	    sscanf(rest + 1, "%2d:%2d", &oh, &om) == 2 && strlen(rest) == 6) {
		long off = oh * 3600L + om * 60L;
		*out -= rest[0] == '+' ? off : -off;
		return 0;
	}
	return -1;
}

int
util_weekday(const char *day)
{
	int y, m, d;
	long days;

	if (!parse_day(day, &y, &m, &d))
		return -1;
	days = days_from_civil(y, (unsigned)m, (unsigned)d);
	/* 1970-01-01 was a Thursday (3 with Monday = 0). */
	return (int)(((days % 7) + 7 + 3) % 7);
}

void
util_day_add(const char *day, int n, char *out, size_t outlen)
{
	int y, m, d;
	long yy;
	unsigned mm, dd;

	if (!parse_day(day, &y, &m, &d)) {
		snprintf(out, outlen, "%s", day);
		return;
	}
	civil_from_days(days_from_civil(y, (unsigned)m, (unsigned)d) + n,
	    &yy, &mm, &dd);
	snprintf(out, outlen, "%04ld-%02u-%02u", yy, mm, dd);
}

/*
 * A day is cached only when it is 24 hours from midnight to midnight and
 * its bounds convert back to it: a day with a change of clocks (or a
 * midnight the change skips or repeats) is converted time by time, as
 * util_day does.  libical's conversion, behind its lock, was most of
 * what `appointments --by created` cost per series.
 */
void
util_day_cached(struct util_day_cache *c, time_t t, const char *tz,
    char *out, size_t outlen)
{
	char next[11], at[11];
	time_t lo, hi;

	if (c->hi == 0 || t < c->lo || t >= c->hi) {
		c->hi = 0;
		util_day(t, tz, c->day, sizeof c->day);
		util_day_add(c->day, 1, next, sizeof next);
		if (util_day_start(c->day, tz, &lo) == 0 &&
		    util_day_start(next, tz, &hi) == 0 &&
		    hi - lo == 24 * 3600 && lo <= t && t < hi) {
			util_day(lo, tz, at, sizeof at);
			if (strcmp(at, c->day) == 0) {
				util_day(hi - 1, tz, at, sizeof at);
				if (strcmp(at, c->day) == 0) {
					c->lo = lo;
					c->hi = hi;
				}
			}
		}
	}
	snprintf(out, outlen, "%s", c->day);
}

const char *
util_system_tz(void)
{
	static char name[128];
	const char *env = getenv("TZ");
	char link[PATH_MAX];
	ssize_t n;
	FILE *f;
	char *p;

	if (env != NULL && *env != '\0') {
		snprintf(name, sizeof name, "%s", env[0] == ':' ? env + 1 : env);
		return name;
	}
	f = fopen("/etc/timezone", "r");
	if (f != NULL) {
		if (fgets(name, sizeof name, f) != NULL) {
			fclose(f);
			util_trim(name);
			if (name[0] != '\0')
				return name;
		} else
			fclose(f);
	}
	n = readlink("/etc/localtime", link, sizeof link - 1);
	if (n > 0) {
		link[n] = '\0';
		p = strstr(link, "zoneinfo/");
		if (p != NULL) {
			snprintf(name, sizeof name, "%s", p + strlen("zoneinfo/"));
			return name;
		}
	}
	return "UTC";
}

int
util_tz_preload(const char *tz)
{
	icaltimezone *z;
	char day[11];

	util_ical_lock();
	icaltimezone_get_utc_timezone();
	z = tz == NULL || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0 ?
	    NULL : icaltimezone_get_builtin_timezone(tz);
	util_ical_unlock();
	if (tz == NULL || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0)
		return 0;
	if (z == NULL)
		return -1;
	/* Converting once makes libical expand the zone's changes now. */
	util_day(util_now(), tz, day, sizeof day);
	return 0;
}

static bool
is_word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* c in ASCII lower case; other bytes as they are. */
static unsigned char
util_ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * A scan for the needle's first letter, then a compare of the rest:
 * strcasestr() set up its two-way search on every call, which was half
 * of classifying a message (short subjects, many phrases to try).
 */
bool
util_has_word(const char *hay, const char *needle)
{
	const unsigned char *h = (const unsigned char *)hay;
	const unsigned char *nd = (const unsigned char *)needle;
	const char *at;
	size_t n = strlen(needle), i, k;
	char first[3];

	if (n == 0)
		return false;
	/* The first letter in both cases, found by strpbrk's vector scan. */
	first[0] = (char)util_ascii_lower(nd[0]);
	first[1] = first[0] >= 'a' && first[0] <= 'z' ?
	    (char)(first[0] - 'a' + 'A') : '\0';
	first[2] = '\0';
	for (at = strpbrk(hay, first); at != NULL; at = strpbrk(at + 1, first)) {
		i = (size_t)(at - hay);
		/* Stops at hay's NUL: no needle byte before n is one. */
		for (k = 1; k < n && util_ascii_lower(h[i + k]) ==
		    util_ascii_lower(nd[k]); k++)
			;
		if (k < n)
			continue;
		bool left = i == 0 || !is_word_char(h[i - 1]) ||
		    !is_word_char(nd[0]);
		bool right = !is_word_char(h[i + n]) ||
		    !is_word_char(nd[n - 1]);
		if (left && right)
			return true;
	}
	return false;
}

/*
 * util_utf8_next over a counted buffer: a NUL is a character, and no
 * byte after s[n - 1] is read.
 */
static size_t
util_utf8_next_n(const char *s, size_t n)
{
	char		 tail[5] = "";
	uint32_t	 cp;

	if (*s == '\0')
		return 1;
	if (n >= 4)
		return util_utf8_next(s, &cp);
	memcpy(tail, s, n);
	return util_utf8_next(tail, &cp);
}

bool
util_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = util_utf8_next_n(s + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

char *
util_utf8_repair(char *s)
{
	struct buf b = { 0 };
	uint32_t cp;
	size_t n, i, k;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (util_utf8_valid(s, n))
		return s;
	buf_append(&b, "", 0);
	for (i = 0; i < n; i += k) {
		k = util_utf8_next(s + i, &cp);
		if (k == 0) {
			buf_puts(&b, "\xef\xbf\xbd");	/* U+FFFD */
			k = 1;
		} else
			buf_append(&b, s + i, k);
	}
	free(s);
	return b.data;
}

char *
util_lower(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

char *
util_trim(char *s)
{
	char *start = s, *end;

	while (isspace((unsigned char)*start))
		start++;
	if (start != s)
		memmove(s, start, strlen(start) + 1);
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

size_t
util_utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c, min;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return p[0] == 0 ? 0 : 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;	/* a continuation byte, C0, C1, F5..FF */
	/* A NUL is not a continuation byte, so this never reads past it. */
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * The bidirectional embeddings, overrides and isolates: in a subject or a
 * name they reverse the rest of a line on a terminal or in a mail.
 */
static bool
util_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The bytes at the start of s that display as they are, and in *skip the
 * length of the character after them (0 at the end), which does not.
 */
static size_t
util_safe_run(const char *s, size_t *skip)
{
	const char *p = s;
	uint32_t cp;
	size_t n;

	for (;;) {
		/* Plain ASCII first, the common case, without decoding. */
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f) {
			p++;
			continue;
		}
		if (*p == '\0') {
			*skip = 0;
			break;
		}
		n = util_utf8_next(p, &cp);
		if (n > 0 && cp >= 0x20 && cp != 0x7f &&
		    (cp < 0x80 || cp > 0x9f) && !util_bidi_control(cp)) {
			p += n;
			continue;
		}
		*skip = n > 0 ? n : 1;
		break;
	}
	return (size_t)(p - s);
}

/* What an unsafe character shows as: white space as a space, else U+FFFD. */
static const char *
util_safe_stand_in(char c)
{
	return c == '\t' || c == '\r' || c == '\n' ? " " : "\xef\xbf\xbd";
}

bool
util_valid_address(const char *a)
{
	const char *at, *p;

	if (a == NULL || *a == '\0' || strlen(a) > 254)
		return false;
	for (p = a; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[],;:\\\"", *p) != NULL)
			return false;
	at = strchr(a, '@');
	return at != NULL && at != a && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL;
}

void
util_safe_text(struct buf *b, const char *s)
{
	size_t n, skip;

	do {
		n = util_safe_run(s, &skip);
		buf_append(b, s, n);
		if (skip > 0)
			buf_puts(b, util_safe_stand_in(s[n]));
		s += n + skip;
	} while (skip > 0);
}

void
util_safe_fputs(const char *s, FILE *f)
{
	size_t n, skip;

	do {
		n = util_safe_run(s, &skip);
		fwrite(s, 1, n, f);
		if (skip > 0)
			fputs(util_safe_stand_in(s[n]), f);
		s += n + skip;
	} while (skip > 0);
}

char *
util_printable(const char *in, char *out, size_t outlen)
{
	size_t n = 0, run, skip;

	if (outlen == 0)
		return out;
	for (;;) {
		run = util_safe_run(in, &skip);
		if (run > outlen - 1 - n) {
			/* No room for all: cut where a character starts. */
			run = outlen - 1 - n;
			while (run > 0 &&
			    ((unsigned char)in[run] & 0xc0) == 0x80)
				run--;
			skip = 0;
		}
		/* memmove: in and out may be one buffer, out never ahead. */
		memmove(out + n, in, run);
		n += run;
		if (skip == 0 || n + 1 >= outlen)
			break;
		out[n++] = '?';
		in += run + skip;
	}
	out[n] = '\0';
	return out;
}

/* The length of a URL scheme ending at s + n ("https" before "://"), or 0. */
static size_t
util_scheme_before(const char *start, const char *s)
{
	const char *p = s;

	while (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '+' ||
	    p[-1] == '-' || p[-1] == '.'))
		p--;
	while (p < s && !isalpha((unsigned char)*p))
		p++;	/* a scheme starts with a letter */
	return (size_t)(s - p);
}

void
util_redact_urls(struct buf *b, const char *text, bool whole)
{
	const char *p = text, *sep, *url, *end, *auth, *at, *rest;
	size_t n;

	while ((sep = strstr(p, "://")) != NULL) {
		n = util_scheme_before(p, sep);
		url = sep - n;
		if (n == 0) {
			buf_append(b, p, (size_t)(sep + 3 - p));
			p = sep + 3;
			continue;
		}
		end = sep + 3 + strcspn(sep + 3, " \t\r\n\"'<>");
		/* Punctuation after a URL belongs to the sentence. */
		while (end > sep + 3 && strchr(".,;:)]}", end[-1]) != NULL)
			end--;
		auth = sep + 3;
		rest = auth + strcspn(auth, "/?#");
		if (rest > end)
			rest = end;
		/* The host starts after the last '@': no user:password@. */
		for (at = rest; at > auth && at[-1] != '@'; at--)
			;
		buf_append(b, p, (size_t)(url - p));
		buf_append(b, url, (size_t)(auth - url));
		buf_append(b, at, (size_t)(rest - at));
		if (whole) {
			if (rest < end)
				buf_puts(b, "/...");
		} else
			buf_append(b, rest, (size_t)(end - rest));
		p = end;
	}
	buf_puts(b, p);
}

char *
util_redacted(const char *text, bool whole)
{
	struct buf b = { 0 };

	if (text == NULL)
		return NULL;
	util_redact_urls(&b, text, whole);
	buf_append(&b, "", 0);
	return b.data;
}

void
util_core_dumps(bool allow)
{
	static struct rlimit saved;
	static int dumpable = -1;
	struct rlimit rl;

	if (dumpable < 0) {
		dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
		if (getrlimit(RLIMIT_CORE, &saved) != 0)
			saved.rlim_cur = saved.rlim_max = 0;
	}
	if (allow) {
		setrlimit(RLIMIT_CORE, &saved);
		if (dumpable > 0)
			prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
		return;
	}
	rl = saved;
	rl.rlim_cur = 0;
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

bool
util_glob(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, FNM_CASEFOLD) == 0;
}

int
util_read_file(const char *path, char **out, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_append(&b, chunk, (size_t)n);
	}
	if (n < 0) {
		int saved = errno;
		close(fd);
		buf_free(&b);
		errno = saved;
		return -1;
	}
	close(fd);
	if (b.data == NULL)
		buf_append(&b, "", 0);
	*out = b.data;
	*len = b.len;
	return 0;
}

bool
util_time_plausible(time_t t, time_t arrival)
{
	if (arrival == 0)
		arrival = util_now();
	return (t >= UTIL_EARLIEST_TIME && t <= arrival + 86400);
}

size_t
util_edit_distance(const char *a, const char *b)
{
	size_t prev[UTIL_EDIT_MAX + 1], row[UTIL_EDIT_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, best;

	if (la > UTIL_EDIT_MAX || lb > UTIL_EDIT_MAX)
		return UTIL_EDIT_MAX + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			best = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
		}
		memcpy(prev, row, (lb + 1) * sizeof row[0]);
	}
	return prev[lb];
}

/* The jobs of util_parallel, taken in order by either thread. */
struct util_jobs {
	atomic_size_t	 next;
	size_t		 n;
	void		(*fn)(void *, size_t);
	void		*arg;
};

static void *
util_jobs_take(void *arg)
{
	struct util_jobs *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		j->fn(j->arg, i);
	return NULL;
}

bool util_one_thread;

bool
util_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, was;
	bool started;

	if (util_one_thread)
		return false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	started = pthread_create(tid, NULL, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	return started;
}

/* Whether this process may run on more than one core (its affinity). */
static bool
util_cores_many(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set) > 1;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

void
util_parallel(size_t n, void (*fn)(void *, size_t), void *arg)
{
	struct util_jobs j = { .n = n, .fn = fn, .arg = arg };
	pthread_t tid;
	bool two;

	atomic_init(&j.next, 0);
	two = n > 1 && util_cores_many() &&
	    util_thread_start(&tid, util_jobs_take, &j);
	util_jobs_take(&j);
	if (two)
		pthread_join(tid, NULL);
}

time_t
util_now(void)
{
	const char *s = getenv("SALESCYCLE_NOW");
	time_t t;

	if (s != NULL && util_parse_time(s, "UTC", &t) == 0)
		return t;
	return time(NULL);
}

int64_t
util_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
