/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of util.c: time parsing and days in zones, words, globs,
 * UTF-8 decoding and repair, and text made safe for terminals and logs
 * (log.c).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libical/ical.h>

#include "log.h"
#include "radix.h"
#include "util.h"
#include "xmalloc.h"

static void
test_util_parse_time_forms(void **state)
{
	static const struct {
		const char	*in;
		const char	*tz;
		long long	 want;	/* -1: must fail */
	} rows[] = {
		/* 2026-10-20 00:00 CEST = 2026-10-19T22:00Z */
		{ "2026-10-20", "Europe/Amsterdam", 1792447200LL },
		{ "2026-10-20", "UTC", 1792454400LL },
		{ "2026-10-20T14:03:00Z", "Europe/Amsterdam", 1792504980LL },
		{ "2026-10-20T16:03", "Europe/Amsterdam", 1792504980LL },
		{ "2026-10-20T14:03:00+00:00", "UTC", 1792504980LL },
		{ "2026-10-20T16:03:00+02:00", "UTC", 1792504980LL },
		/* After the end of DST: 2026-11-02 00:00 CET = 2026-11-01T23:00Z */
		{ "2026-11-02", "Europe/Amsterdam", 1793574000LL },
		{ "2026-13-01", "UTC", -1 },
		/* No day the month does not have (it read as 10-01). */
		{ "2026-09-31", "UTC", -1 },
		{ "2026-04-31T10:00Z", "UTC", -1 },
		{ "2026-02-29", "UTC", -1 },
		{ "2100-02-29", "UTC", -1 },
		{ "2028-02-29", "UTC", 1835395200LL },
		{ "20261020", "UTC", -1 },
		{ "2026-10-20T25:00", "UTC", -1 },
		{ "2026-10-20T10:00+2", "UTC", -1 },
		{ "", "UTC", -1 },
	};
	size_t i;
	time_t t;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int rc = util_parse_time(rows[i].in, rows[i].tz, &t);

		if (rows[i].want == -1) {
			assert_int_equal(rc, -1);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal((long long)t, rows[i].want);
	}
}

/*
 * util_day_cached gives util_day's day for every time, in time order and
 * out of it, across changes of clocks: at midnight (Asia/Tehran until
 * 2022, America/Sao_Paulo until 2019), by half an hour
 * (Australia/Lord_Howe), a whole day skipped (Pacific/Apia, 2011-12-30)
 * and an hour one way and the other (Europe/Amsterdam).
 */
static void
test_util_day_cached(void **state)
{
	static const char *const zones[] = { "Europe/Amsterdam",
	    "Asia/Tehran", "America/Sao_Paulo", "Australia/Lord_Howe",
	    "Pacific/Apia", "UTC" };
	struct util_day_cache c;
	char want[11], got[11];
	time_t t, from = 1293840000;	/* 2011-01-01 */
	unsigned x = 12345;
	size_t z;
	int i;

	(void)state;
	for (z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		memset(&c, 0, sizeof c);
		/* In order, each half hour and a second before, 2011-2012. */
		for (t = from; t < from + 2 * 366 * 86400L; t += 1800) {
			util_day(t, zones[z], want, sizeof want);
			util_day_cached(&c, t, zones[z], got, sizeof got);
			if (strcmp(want, got) != 0)
				fail_msg("%s at %lld: %s, not %s", zones[z],
				    (long long)t, got, want);
			util_day(t - 1, zones[z], want, sizeof want);
			util_day_cached(&c, t - 1, zones[z], got, sizeof got);
			if (strcmp(want, got) != 0)
				fail_msg("%s at %lld: %s, not %s", zones[z],
				    (long long)t - 1, got, want);
		}
		/* Out of order. */
		for (i = 0; i < 5000; i++) {
			x = x * 1103515245u + 12345u;
			t = from + (time_t)(x % (2u * 366u * 86400u));
			util_day(t, zones[z], want, sizeof want);
			util_day_cached(&c, t, zones[z], got, sizeof got);
			if (strcmp(want, got) != 0)
				fail_msg("%s at %lld: %s, not %s", zones[z],
				    (long long)t, got, want);
		}
	}
}

static void
test_util_day_in_zone(void **state)
{
	char day[11];

	/* 2026-10-19T22:30Z is already the 20th in Amsterdam (CEST, +2). */
	util_day(1792449000, "Europe/Amsterdam", day, sizeof day);
	assert_string_equal(day, "2026-10-20");
	util_day(1792449000, "UTC", day, sizeof day);
	assert_string_equal(day, "2026-10-19");
	/* New York is behind: 2026-10-20T03:00Z is still the 19th. */
	util_day(1792465200, "America/New_York", day, sizeof day);
	assert_string_equal(day, "2026-10-19");
}

/*
 * util_day writes libical's day as "%04d-%02d-%02d" would: years of
 * fewer than four digits padded, of five in full.
 */
static void
test_util_day_digits(void **state)
{
	static const struct {
		time_t		 t;
		const char	*tz, *want;
	} rows[] = {
		{ 0, "UTC", "1970-01-01" },
		{ -30610224000LL, "UTC", "1000-01-01" },
		{ -30610224001LL, "UTC", "0999-12-31" },
		{ -30610224001LL, "Asia/Tokyo", "1000-01-01" },
		{ 253402300799LL, "UTC", "9999-12-31" },
		{ 253402300800LL, "UTC", "10000-01-01" },
		{ 253402297200LL, "Europe/Amsterdam", "10000-01-01" },
	};
	char day[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		util_day(rows[i].t, rows[i].tz, day, sizeof day);
		assert_string_equal(day, rows[i].want);
	}
}

/*
 * The remembered zones give what libical gives, for more names than are
 * remembered, asked for again in another order, for names that are not
 * zones (asked twice), a prefix of a zone's name and one too long to keep.
 */
static void
test_util_builtin_zone(void **state)
{
	static const char *names[] = {
		"Europe/Amsterdam", "America/New_York", "Asia/Tokyo",
		"Europe/Amster", "No/Such_Zone", "Australia/Sydney",
		"Europe/Brussels", "Africa/Nairobi", "America/Sao_Paulo",
		"Pacific/Auckland", "Asia/Kolkata", "Europe/London", "",
		"America/Argentina/Buenos_Aires/and/a/name/longer/than/sixty-four/bytes",
	};
	size_t n = sizeof names / sizeof names[0], round, i, k;
	const char *name;
	icaltimezone *want;

	(void)state;
	for (round = 0; round < 3; round++)
		for (k = 0; k < n; k++) {
			i = round == 1 ? n - 1 - k : (k * 5 + round) % n;
			name = names[i];
			want = icaltimezone_get_builtin_timezone(name);
			assert_ptr_equal(util_builtin_zone(name), want);
			assert_ptr_equal(util_builtin_zone(name), want);
		}
	assert_non_null(util_builtin_zone("Europe/Amsterdam"));
	assert_null(util_builtin_zone("Europe/Amster"));
	assert_null(util_builtin_zone("No/Such_Zone"));
}

static void
test_util_format_utc(void **state)
{
	char buf[32];

	util_format_utc(1792504980LL, buf, sizeof buf);
	assert_string_equal(buf, "2026-10-20T14:03:00Z");
}

static void
test_util_weekday_and_add(void **state)
{
	char out[11];

	assert_int_equal(util_weekday("2026-11-27"), 4);	/* Friday */
	assert_int_equal(util_weekday("2026-11-30"), 0);	/* Monday */
	assert_int_equal(util_weekday("2000-02-29"), 1);	/* Tuesday */
	assert_int_equal(util_weekday("nonsense"), -1);
	util_day_add("2026-12-31", 1, out, sizeof out);
	assert_string_equal(out, "2027-01-01");
	util_day_add("2028-03-01", -1, out, sizeof out);
	assert_string_equal(out, "2028-02-29");
	util_day_add("2026-11-27", 30, out, sizeof out);
	assert_string_equal(out, "2026-12-27");
}

static void
test_util_has_word(void **state)
{
	assert_true(util_has_word("Bezoek Acme Rotterdam", "acme"));
	assert_true(util_has_word("Demo bij ACME.", "acme"));
	assert_true(util_has_word("visit acme.nl today", "acme.nl"));
	assert_false(util_has_word("Acmeprint bezoek", "acme"));
	assert_false(util_has_word("quoted price", "quote"));
	assert_true(util_has_word("Quote: 12 units", "quote"));
	assert_false(util_has_word("", "acme"));
	assert_false(util_has_word("acme", ""));
	/* Letters with accents are part of a word. */
	assert_false(util_has_word("acmeé", "acme"));
}

/* util_has_word as it was, on strcasestr(): the reference. */
static bool
has_word_ref(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	if (n == 0)
		return false;
	for (p = hay; (p = strcasestr(p, needle)) != NULL; p++) {
		bool left = p == hay || !(isalnum((unsigned char)p[-1]) ||
		    (unsigned char)p[-1] >= 0x80) ||
		    !(isalnum((unsigned char)needle[0]) ||
		    (unsigned char)needle[0] >= 0x80);
		bool right = !(isalnum((unsigned char)p[n]) ||
		    (unsigned char)p[n] >= 0x80) ||
		    !(isalnum((unsigned char)needle[n - 1]) ||
		    (unsigned char)needle[n - 1] >= 0x80);
		if (left && right)
			return true;
	}
	return false;
}

/*
 * The scan that replaced strcasestr() answers as it did, on random
 * texts and needles of letters in both cases, digits, punctuation,
 * spaces and UTF-8 bytes, repeated needles ("aa" in "aaa") included.
 */
static void
test_util_has_word_same(void **state)
{
	static const char alpha[] = "aAbB1 .-\xc3\xa9\xa0";
	char hay[16], needle[6];
	unsigned seed = 5;
	size_t i, k, hn, nn, agree = 0, found = 0;

	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245 + 12345;
		hn = (seed >> 16) % sizeof hay;
		seed = seed * 1103515245 + 12345;
		nn = (seed >> 16) % sizeof needle;
		for (k = 0; k < hn; k++) {
			seed = seed * 1103515245 + 12345;
			hay[k] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		hay[hn] = '\0';
		for (k = 0; k < nn; k++) {
			seed = seed * 1103515245 + 12345;
			needle[k] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		needle[nn] = '\0';
		if (util_has_word(hay, needle) != has_word_ref(hay, needle))
			fail_msg("\"%s\" in \"%s\": %d, was %d", needle, hay,
			    util_has_word(hay, needle), has_word_ref(hay, needle));
		agree++;
		found += has_word_ref(hay, needle);
	}
	/* Both answers came often enough to mean something. */
	assert_true(found > 1000);
	assert_true(agree - found > 1000);
}

/* "Did you mean": Levenshtein, case-insensitive, long names far away. */
static void
test_util_edit_distance(void **state)
{
	char long_name[UTIL_EDIT_MAX + 2];

	assert_int_equal(util_edit_distance("stalled", "stalled"), 0);
	assert_int_equal(util_edit_distance("stalld", "stalled"), 1);
	assert_int_equal(util_edit_distance("Timezon", "timezone"), 1);
	assert_int_equal(util_edit_distance("forcast", "forecast"), 1);
	assert_int_equal(util_edit_distance("funnle", "funnel"), 2);
	assert_int_equal(util_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(util_edit_distance("", "abc"), 3);
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_int_equal(util_edit_distance(long_name, "a"), UTIL_EDIT_MAX + 1);
}

static void
test_util_glob_and_trim(void **state)
{
	char s[] = "  \tspaced out \n";

	assert_true(util_glob("offerte*", "Offerte_2026-014.pdf"));
	assert_true(util_glob("*.pdf", "x.PDF"));
	assert_false(util_glob("quote*", "requote.pdf"));
	assert_string_equal(util_trim(s), "spaced out");
}

static void
test_util_read_file_missing(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(util_read_file("/nonexistent/file", &buf, &len), -1);
	assert_null(buf);
}

/* Invalid UTF-8 becomes U+FFFD byte by byte; valid text is kept as is. */
static void
test_util_utf8_repair(void **state)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "", "" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "a\xffz", "a\xef\xbf\xbdz" },
		/* Overlong '/', a surrogate, above U+10FFFF, a cut sequence. */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80",
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "ab\xc3", "ab\xef\xbf\xbd" },
		{ "\xe2\x82z", "\xef\xbf\xbd\xef\xbf\xbdz" },
	};
	char *s, *orig;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		orig = s = strdup(cases[i].in);
		assert_non_null(s);
		assert_int_equal(util_utf8_valid(s, strlen(s)),
		    strcmp(cases[i].in, cases[i].want) == 0);
		s = util_utf8_repair(s);
		assert_string_equal(s, cases[i].want);
		/* Valid text is returned itself, not copied. */
		if (strcmp(cases[i].in, cases[i].want) == 0)
			assert_ptr_equal(s, orig);
		free(s);
	}
	assert_null(util_utf8_repair(NULL));
}

static void
test_util_utf8_next(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: not well-formed */
		uint32_t	 cp;
	} rows[] = {
		{ "a", 1, 'a' },
		{ "\xc3\xab", 2, 0xeb },		/* ë */
		{ "\xe2\x82\xac", 3, 0x20ac },		/* € */
		{ "\xf0\x9d\x84\x9e", 4, 0x1d11e },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
		{ "", 0, 0 },
		{ "\x80", 0, 0 },			/* a lone continuation byte */
		{ "\xc0\xaf", 0, 0 },			/* overlong '/' */
		{ "\xe0\x80\xaf", 0, 0 },		/* overlong, three bytes */
		{ "\xed\xa0\x80", 0, 0 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 0, 0 },		/* above U+10FFFF */
		{ "\xf5\x80\x80\x80", 0, 0 },
		{ "\xe2\x82", 0, 0 },			/* cut short by the end */
		{ "\xe2" "a", 0, 0 },
	};
	uint32_t cp;
	size_t i, n;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cp = 0;
		n = util_utf8_next(rows[i].in, &cp);
		if (n != rows[i].len || (n > 0 && cp != rows[i].cp))
			fail_msg("row %zu: %zu U+%04X, want %zu U+%04X", i, n,
			    (unsigned)cp, rows[i].len, (unsigned)rows[i].cp);
	}
}

/*
 * Server text made one printable line: controls (line ends and tabs too),
 * C1 and what is not UTF-8 become '?', a character at a time; other UTF-8
 * stays; cut on a character boundary; in place or into another buffer.
 * The rows of the two cleaners it replaced (http.c's and the IMAP
 * transport's) give the same; a C1 character is one '?', as http.c had
 * it (the transport wrote "??").
 */
static void
test_util_printable(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*want;
	} rows[] = {
		{ "plain text", 64, "plain text" },
		{ "line\nfeed\ttab\rcr\x7f", 64, "line?feed?tab?cr?" },
		{ "\x1b[2J\x1b]0;t\x07", 64, "?[2J?]0;t?" },
		{ "\x1b]0;owned\x07\x1b[2Jx", 64, "?]0;owned??[2Jx" },
		{ "csi \xc2\x9b" "31m nel \xc2\x85", 64, "csi ?31m nel ?" },
		{ "c1 \x9b end", 64, "c1 ? end" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x85", 64,
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x85" },
		{ "nbsp \xc2\xa0", 64, "nbsp \xc2\xa0" },
		{ "bad \xff\xc0\x80 \xe2\x82", 64, "bad ??? ??" },
		{ "overlong \xe0\x80\xaf surrogate \xed\xa0\x80", 64,
		  "overlong ??? surrogate ???" },
		{ "cut \xf0\x9f\x93", 64, "cut ???" },
		{ "cut \xc3", 64, "cut ?" },
		{ "caf\xc3\xa9", 5, "caf" },
		{ "caf\xc3\xa9", 6, "caf\xc3\xa9" },
		{ "abcdef", 4, "abc" },
		{ "\x01\x02\x03\x04", 3, "??" },
		{ "", 1, "" },
	};
	char	out[64], in[64];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (strcmp(util_printable(rows[i].in, out, rows[i].len),
		    rows[i].want) != 0)
			fail_msg("row %zu: \"%s\"", i, out);
		/* In place, the same. */
		snprintf(in, sizeof in, "%s", rows[i].in);
		if (strcmp(util_printable(in, in, rows[i].len),
		    rows[i].want) != 0)
			fail_msg("row %zu in place: \"%s\"", i, in);
	}
	assert_ptr_equal(util_printable("x", out, 0), out);
}

static void
test_util_safe_text(void **state)
{
	static const struct {
		const char	*in, *want;
	} rows[] = {
		{ "plain", "plain" },
		{ "Zoë €", "Zoë €" },
		{ "\x1b[2J", "\xef\xbf\xbd[2J" },
		{ "a\r\nb\tc", "a  b c" },
		{ "\xc2\x9b" "1m", "\xef\xbf\xbd" "1m" },
		{ "\x9b" "1m", "\xef\xbf\xbd" "1m" },
		{ "\x7f", "\xef\xbf\xbd" },
		{ "x\xff\xfe", "x\xef\xbf\xbd\xef\xbf\xbd" },
		/* U+202E (right-to-left override), U+2067 (an isolate). */
		{ "ex\xe2\x80\xae" "ample", "ex\xef\xbf\xbd" "ample" },
		{ "a\xe2\x81\xa7" "b", "a\xef\xbf\xbd" "b" },
		/* A mark (U+200F) overrides nothing: it stays. */
		{ "a\xe2\x80\x8f" "b", "a\xe2\x80\x8f" "b" },
	};
	struct buf b = { 0 };
	size_t i;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_reset(&b);
		util_safe_text(&b, rows[i].in);
		buf_append(&b, "", 0);
		if (strcmp(b.data, rows[i].want) != 0)
			fail_msg("row %zu: \"%s\", want \"%s\"", i, b.data,
			    rows[i].want);
	}
	buf_free(&b);
}

static void
test_util_redact_urls(void **state)
{
	static const struct {
		const char	*in;
		bool		 whole;
		const char	*want;
	} rows[] = {
		{ "no url here", false, "no url here" },
		{ "https://anna:s3cret@dav.x.nl/cal/: 401", false,
		    "https://dav.x.nl/cal/: 401" },
		{ "GET https://u:p@w@h.nl:8443/a?b#c failed", false,
		    "GET https://h.nl:8443/a?b#c failed" },
		{ "https://outlook.office365.com/owa/calendar/abc123/x/"
		    "calendar.ics: HTTP 404.", true,
		    "https://outlook.office365.com/...: HTTP 404." },
		{ "feed http://127.0.0.1:8080?token=t0ps3cret", true,
		    "feed http://127.0.0.1:8080/..." },
		{ "https://h.nl and 'webcal://k@h2.nl/p'", true,
		    "https://h.nl and 'webcal://h2.nl/...'" },
		{ "redirect to <https://evil.example/x/y>, stopped", true,
		    "redirect to <https://evil.example/...>, stopped" },
		{ "://odd and x://", true, "://odd and x://" },
	};
	char *out;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		out = util_redacted(rows[i].in, rows[i].whole);
		if (strcmp(out, rows[i].want) != 0)
			fail_msg("row %zu: \"%s\", want \"%s\"", i, out,
			    rows[i].want);
		free(out);
	}
	assert_null(util_redacted(NULL, true));
}

/*
 * A log line quoting a server keeps to one line, without escape sequences,
 * and a URL in it without credentials.
 */
static void
test_util_log_line_safe(void **state)
{
	char path[] = "/tmp/test-util-log-XXXXXX", *text = NULL;
	size_t len;
	int fd, saved;
	(void)state;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_init("test");
	log_warn("INBOX: server said: %s", "NO \x1b]0;pwned\x07\r\nforged line");
	log_warn("redirected to %s", "https://anna:hunter2@dav.x.nl/cal/");
	fflush(stderr);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	assert_int_equal(util_read_file(path, &text, &len), 0);
	unlink(path);
	assert_string_equal(text, "test: warning: INBOX: server said: NO "
	    "\xef\xbf\xbd]0;pwned\xef\xbf\xbd  forged line\n"
	    "test: warning: redirected to https://dav.x.nl/cal/\n");
	free(text);
}

/* The one address check: what goes into an envelope and a header as it is. */
static void
test_util_valid_address(void **state)
{
	static const struct {
		const char	*a;
		bool		 ok;
	} rows[] = {
		{ "piet@example.com", true },
		{ "o'brien@example.com", true },
		{ "piet@example.com\r\nBcc: x@y", false },
		{ "piet@example.com, x@y", false },
		{ "<piet@example.com>", false },
		{ "piet (sales)@example.com", false },
		{ "piet(sales)@example.com", false },
		{ "piet:x@example.com", false },
		{ "piet\x7f@example.com", false },
		/* No SMTPUTF8: bytes past ASCII, valid UTF-8 or not, refused. */
		{ "pi\xff" "et@example.com", false },
		{ "piet@b\xc3\xbc" "cher.de", false },
		{ "piet@xn--bcher-kva.de", true },
		{ "piet", false },
		{ "@example.com", false },
		{ "piet@", false },
		{ "a@b@c", false },
		{ "", false },
	};
	char big[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_int_equal(util_valid_address(rows[i].a), rows[i].ok);
	assert_false(util_valid_address(NULL));
	memset(big, 'a', sizeof big);
	memcpy(big + 240, "@example.com", 13);
	assert_true(util_valid_address(big));		/* 252 bytes */
	memcpy(big + 250, "@example.com", 13);
	assert_false(util_valid_address(big));		/* 262 bytes */
}

/* A double and where it came from, for qsort to order as radix_sort must. */
struct radix_ref {
	double		 x;
	size_t		 i;
};

static int
radix_ref_cmp(const void *a, const void *b)
{
	const struct radix_ref *x = a, *y = b;

	if (x->x != y->x)
		return (x->x < y->x ? -1 : 1);
	return ((x->i > y->i) - (x->i < y->i));
}

/* Counts the calls of each job, from whichever thread. */
static void
count_job(void *arg, size_t i)
{
	atomic_int *calls = arg;

	atomic_fetch_add(&calls[i], 1);
}

/*
 * util_parallel runs every job once, none for none, one for one, on two
 * threads or (util_one_thread) on the caller's.
 */
static void
test_util_parallel(void **state)
{
	static const size_t ns[] = { 0, 1, 2, 5, 1000 };
	atomic_int calls[1001];
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		for (i = 0; i <= 1000; i++)
			atomic_init(&calls[i], 0);
		util_one_thread = k % 2 == 1;
		util_parallel(ns[k], count_job, calls);
		util_one_thread = false;
		for (i = 0; i < ns[k]; i++)
			assert_int_equal(atomic_load(&calls[i]), 1);
		assert_int_equal(atomic_load(&calls[ns[k]]), 0);
	}
}

/*
 * radix_sort through radix_key_double orders doubles as they compare
 * (negatives, -0 with 0, subnormals, huge ones), keeps equal keys in
 * their order, and sorts ~key descending; a sort whose keys share most
 * bytes (times of one year) skips those passes and is still right.
 */
static void
test_radix_sort(void **state)
{
	static const double odd[] = { -0.0, 0.0, 5e-324, -5e-324, 1e308,
	    -1e308, 1.0, -1.0, 0.5, 2.0, 86400.0 };
	struct radix_item *v;
	struct radix_ref *ref;
	uint64_t seed = 3;
	size_t n = 20000, i, round;

	(void)state;
	v = xcalloc(n, sizeof *v);
	ref = xcalloc(n, sizeof *ref);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			if (round == 0)
				ref[i].x = odd[(seed >> 33) % 11];
			else if (round == 1)
				ref[i].x = ((double)(seed >> 11) * 0x1.0p-53 -
				    0.5) * 1e6;
			else
				ref[i].x = 1.7e9 + (double)((seed >> 33) %
				    (365 * 86400)) / 86400.0;
			ref[i].i = i;
			v[i].key = radix_key_double(ref[i].x);
			v[i].i = i;
		}
		radix_sort(v, n);
		qsort(ref, n, sizeof *ref, radix_ref_cmp);
		for (i = 0; i < n; i++)
			assert_int_equal(v[i].i, ref[i].i);
		/* Descending through the complement, still stable. */
		for (i = 0; i < n; i++) {
			v[i].key = ~radix_key_double(ref[i].x);
			v[i].i = i;
		}
		radix_sort(v, n);
		for (i = 1; i < n; i++) {
			assert_true(ref[v[i - 1].i].x >= ref[v[i].i].x);
			if (ref[v[i - 1].i].x == ref[v[i].i].x)
				assert_true(v[i - 1].i < v[i].i);
		}
	}
	radix_sort(v, 0);
	radix_sort(v, 1);
	free(ref);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_parse_time_forms),
		cmocka_unit_test(test_util_day_in_zone),
		cmocka_unit_test(test_util_day_digits),
		cmocka_unit_test(test_util_day_cached),
		cmocka_unit_test(test_util_builtin_zone),
		cmocka_unit_test(test_util_format_utc),
		cmocka_unit_test(test_util_weekday_and_add),
		cmocka_unit_test(test_util_has_word),
		cmocka_unit_test(test_util_has_word_same),
		cmocka_unit_test(test_util_glob_and_trim),
		cmocka_unit_test(test_util_edit_distance),
		cmocka_unit_test(test_util_read_file_missing),
		cmocka_unit_test(test_util_utf8_next),
		cmocka_unit_test(test_util_utf8_repair),
		cmocka_unit_test(test_util_printable),
		cmocka_unit_test(test_util_safe_text),
		cmocka_unit_test(test_util_valid_address),
		cmocka_unit_test(test_util_log_line_safe),
		cmocka_unit_test(test_util_redact_urls),
		cmocka_unit_test(test_radix_sort),
		cmocka_unit_test(test_util_parallel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
