/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of event.c: iCalendar fixtures under tests/data/ics/ to event
 * summaries and occurrences.  Expected times are UTC seconds worked out by
 * hand in the comments: days since 1970-01-01 times 86400 plus the time of
 * day, with 2026-01-01 = day 20454 and the day of year counted from there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "helpers.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

/* 2026-01-01T00:00:00Z: 20454 days (56 years, 14 leap days). */
#define JAN2026		1767225600
/* 2028-01-01T00:00:00Z: JAN2026 + 730 days. */
#define JAN2028		1830297600

/*
 * 2026-10-05 is day 277 of 2026 (0-based; Jan..Sep hold 273 days), so
 * day 20731, 1791158400; it is a Monday (2026-01-01 is a Thursday, and
 * 277 = 39 * 7 + 4).  Amsterdam is at +02:00 until 2026-10-25, then +01:00.
 */
#define OCT05		1791158400
#define DAY		86400
#define HOUR		3600

#define MAX_OCC		6

struct occ_exp {
	time_t		 start, end, rid;
	const char	*summary;	/* of the event it points at */
};

struct fixture_case {
	const char	*file;
	const char	*tz;
	time_t		 from, to;
	const char	*method;	/* NULL: none */
	size_t		 nevents;
	unsigned	 skipped;
	unsigned long	 warnings;	/* exactly this many warnings */
	size_t		 nocc;
	struct occ_exp	 occ[MAX_OCC];	/* the first ones */
	time_t		 last_start;	/* of the last; 0: unchecked */
};

static const struct fixture_case fixture_cases[] = {
	/* 10:00-11:30 Amsterdam (CEST) on Oct 5 = 08:00Z-09:30Z. */
	{ "ics/simple.ics", "UTC", JAN2026, JAN2028, "REQUEST", 1, 0, 0, 1,
	  { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR + 1800, 0,
	      "Kennismaking ACME" } }, 0 },
	/* All-day Oct 12 (day 20738): midnight UTC to the next midnight. */
	{ "ics/allday.ics", "Europe/Amsterdam", JAN2026, JAN2028, NULL, 1, 0,
	  0, 1, { { OCT05 + 7 * DAY, OCT05 + 8 * DAY, 0,
	      "Beurs Jaarbeurs Utrecht" } }, 0 },
	/* DURATION instead of DTEND: 1h30 from 08:00Z; two days from Oct 6. */
	{ "ics/duration.ics", "UTC", JAN2026, JAN2028, NULL, 2, 0, 0, 2,
	  { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR + 1800, 0, "Anderhalf uur" },
	    { OCT05 + DAY, OCT05 + 3 * DAY, 0, "Twee dagen" } }, 0 },
	/* Floating 14:00 is read in tz: Amsterdam +02:00 gives 12:00Z. */
	{ "ics/floating.ics", "Europe/Amsterdam", JAN2026, JAN2028, NULL, 1,
	  0, 0, 1, { { OCT05 + 12 * HOUR, OCT05 + 13 * HOUR, 0,
	      "Bellen Northwind" } }, 0 },
	/* ... New York (EDT, -04:00) gives 18:00Z ... */
	{ "ics/floating.ics", "America/New_York", JAN2026, JAN2028, NULL, 1,
	  0, 0, 1, { { OCT05 + 18 * HOUR, OCT05 + 19 * HOUR, 0,
	      "Bellen Northwind" } }, 0 },
	/* ... and UTC 14:00Z. */
	{ "ics/floating.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0, 1,
	  { { OCT05 + 14 * HOUR, OCT05 + 15 * HOUR, 0, "Bellen Northwind" } },
	  0 },
	/*
	 * Outlook, "W. Europe Standard Time" with a 1601 VTIMEZONE, read in
	 * UTC so that a fallback would show.  2026-06-15 is day 165 (Jan..May
	 * hold 151 days + 14), day 20619 = 1781481600: 09:30 CEST = 07:30Z.
	 * 2026-11-10 is day 313, day 20767 = 1794268800: 09:30 CET = 08:30Z.
	 */
	{ "ics/outlook.ics", "UTC", JAN2026, JAN2028, "PUBLISH", 2, 0, 0, 2,
	  { { 1781481600 + 7 * HOUR + 1800, 1781481600 + 8 * HOUR, 0,
	      "Offerte bespreken" },
	    { 1794268800 + 8 * HOUR + 1800, 1794268800 + 9 * HOUR + 1800, 0,
	      "Demo Contoso" } }, 0 },
	/* The same times from that VTIMEZONE under a name of its own ... */
	{ "ics/outlook-custom.ics", "UTC", JAN2026, JAN2028, "PUBLISH", 2, 0,
	  0, 2,
	  { { 1781481600 + 7 * HOUR + 1800, 1781481600 + 8 * HOUR, 0,
	      "Offerte bespreken" },
	    { 1794268800 + 8 * HOUR + 1800, 1794268800 + 9 * HOUR + 1800, 0,
	      "Demo Contoso" } }, 0 },
	/* ... and when it lacks TZOFFSETFROM. */
	{ "ics/outlook-notzoffsetfrom.ics", "UTC", JAN2026, JAN2028,
	  "PUBLISH", 2, 0, 0, 2,
	  { { 1781481600 + 7 * HOUR + 1800, 1781481600 + 8 * HOUR, 0,
	      "Offerte bespreken" },
	    { 1794268800 + 8 * HOUR + 1800, 1794268800 + 9 * HOUR + 1800, 0,
	      "Demo Contoso" } }, 0 },
	/* Outlook's display form "(UTC+01:00) Amsterdam, ...": 10:00 CEST. */
	{ "ics/outlook-display.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0,
	  1, { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR, 0, "Kennismaking" } }, 0 },
	/* TZID=Europe/Amsterdam without VTIMEZONE: the builtin zone. */
	{ "ics/iana-no-vtimezone.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0,
	  1, { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR, 0, "Kennismaking" } }, 0 },
	/*
	 * Vendors' TZIDs without VTIMEZONE, read in UTC so that a fallback
	 * would show: the Olson name at the end of Lightning's and
	 * Evolution's (10:00 EDT = 14:00Z), a Windows name by CLDR (10:00
	 * CEST = 08:00Z); one that names no zone is read in tz, with one
	 * warning.
	 */
	{ "ics/vendor-tzid.ics", "UTC", JAN2026, JAN2028, NULL, 4, 0, 1, 4,
	  { { OCT05 + 14 * HOUR, OCT05 + 15 * HOUR, 0, "Lightning" },
	    { OCT05 + DAY + 14 * HOUR, OCT05 + DAY + 15 * HOUR, 0,
	      "Evolution" },
	    { OCT05 + 2 * DAY + 8 * HOUR, OCT05 + 2 * DAY + 9 * HOUR, 0,
	      "Outlook" },
	    { OCT05 + 3 * DAY + 10 * HOUR, OCT05 + 3 * DAY + 11 * HOUR, 0,
	      "Unknown" } }, 0 },
	/* An unknown TZID is read in tz, with one warning: 10:00Z in UTC ... */
	{ "ics/unknown-tz.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 1, 1,
	  { { OCT05 + 10 * HOUR, OCT05 + 11 * HOUR, 0, "Kennismaking" } }, 0 },
	/* ... and 08:00Z in Amsterdam. */
	{ "ics/unknown-tz.ics", "Europe/Amsterdam", JAN2026, JAN2028, NULL, 1,
	  0, 1, 1, { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR, 0,
	      "Kennismaking" } }, 0 },
	/* Weekly from Mon Oct 5 09:00 CEST (07:00Z), COUNT=3. */
	{ "ics/weekly-count.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0, 3,
	  { { OCT05 + 7 * HOUR, OCT05 + 8 * HOUR, OCT05 + 7 * HOUR,
	      "Weekoverleg ACME" },
	    { OCT05 + 7 * DAY + 7 * HOUR, OCT05 + 7 * DAY + 8 * HOUR,
	      OCT05 + 7 * DAY + 7 * HOUR, "Weekoverleg ACME" },
	    { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 8 * HOUR,
	      OCT05 + 14 * DAY + 7 * HOUR, "Weekoverleg ACME" } }, 0 },
	/* UNTIL=20261019T070000Z includes Oct 19 07:00Z. */
	{ "ics/weekly-until.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0, 3,
	  { { OCT05 + 7 * HOUR, OCT05 + 8 * HOUR, OCT05 + 7 * HOUR,
	      "Weekoverleg ACME" },
	    { OCT05 + 7 * DAY + 7 * HOUR, OCT05 + 7 * DAY + 8 * HOUR,
	      OCT05 + 7 * DAY + 7 * HOUR, "Weekoverleg ACME" },
	    { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 8 * HOUR,
	      OCT05 + 14 * DAY + 7 * HOUR, "Weekoverleg ACME" } }, 0 },
	/*
	 * Every Monday 09:00 Amsterdam since 2025-01-06, no end: bounded by
	 * the window.  2026 and 2027 hold 52 Mondays each.  The first is
	 * 2026-01-05 09:00 CET = 08:00Z; the last 2027-12-27 (2028-01-01 is
	 * a Saturday) 08:00Z.
	 */
	{ "ics/weekly-noend.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0, 104,
	  { { JAN2026 + 4 * DAY + 8 * HOUR, JAN2026 + 4 * DAY + 8 * HOUR + 1800,
	      JAN2026 + 4 * DAY + 8 * HOUR, "Maandagstart" },
	    { JAN2026 + 11 * DAY + 8 * HOUR,
	      JAN2026 + 11 * DAY + 8 * HOUR + 1800,
	      JAN2026 + 11 * DAY + 8 * HOUR, "Maandagstart" } },
	  JAN2028 - 5 * DAY + 8 * HOUR },
	/*
	 * The same in October 2026 only: Oct 5, 12, 19 at 07:00Z (CEST), and
	 * Oct 26 at 08:00Z (CET): DST ends on Sunday Oct 25, 09:00 stays 09:00.
	 */
	{ "ics/weekly-noend.ics", "UTC", OCT05 - 4 * DAY, OCT05 + 27 * DAY,
	  NULL, 1, 0, 0, 4,
	  { { OCT05 + 7 * HOUR, OCT05 + 7 * HOUR + 1800, OCT05 + 7 * HOUR,
	      "Maandagstart" },
	    { OCT05 + 7 * DAY + 7 * HOUR, OCT05 + 7 * DAY + 7 * HOUR + 1800,
	      OCT05 + 7 * DAY + 7 * HOUR, "Maandagstart" },
	    { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 7 * HOUR + 1800,
	      OCT05 + 14 * DAY + 7 * HOUR, "Maandagstart" },
	    { OCT05 + 21 * DAY + 8 * HOUR, OCT05 + 21 * DAY + 8 * HOUR + 1800,
	      OCT05 + 21 * DAY + 8 * HOUR, "Maandagstart" } }, 0 },
	/* DST: Oct 19 09:00 CEST = 07:00Z, Oct 26 09:00 CET = 08:00Z. */
	{ "ics/dst.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0, 2,
	  { { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 8 * HOUR,
	      OCT05 + 14 * DAY + 7 * HOUR, "Weekoverleg ACME" },
	    { OCT05 + 21 * DAY + 8 * HOUR, OCT05 + 21 * DAY + 9 * HOUR,
	      OCT05 + 21 * DAY + 8 * HOUR, "Weekoverleg ACME" } }, 0 },
	/* COUNT=4 less the EXDATE of Oct 12: Oct 5, 19 (CEST), 26 (CET). */
	{ "ics/exdate.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0, 3,
	  { { OCT05 + 7 * HOUR, OCT05 + 8 * HOUR, OCT05 + 7 * HOUR,
	      "Weekoverleg ACME" },
	    { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 8 * HOUR,
	      OCT05 + 14 * DAY + 7 * HOUR, "Weekoverleg ACME" },
	    { OCT05 + 21 * DAY + 8 * HOUR, OCT05 + 21 * DAY + 9 * HOUR,
	      OCT05 + 21 * DAY + 8 * HOUR, "Weekoverleg ACME" } }, 0 },
	/* DTSTART Oct 5 07:00Z plus RDATE Oct 7 14:00 CEST = 12:00Z. */
	{ "ics/rdate.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0, 2,
	  { { OCT05 + 7 * HOUR, OCT05 + 8 * HOUR, OCT05 + 7 * HOUR,
	      "Workshop ACME" },
	    { OCT05 + 2 * DAY + 12 * HOUR, OCT05 + 2 * DAY + 13 * HOUR,
	      OCT05 + 2 * DAY + 12 * HOUR, "Workshop ACME" } }, 0 },
	/*
	 * The Oct 12 07:00Z occurrence moved to Oct 13 15:00 CEST = 13:00Z;
	 * its recurrence id stays the original start.
	 */
	{ "ics/override-move.ics", "UTC", JAN2026, JAN2028, NULL, 2, 0, 0, 3,
	  { { OCT05 + 7 * HOUR, OCT05 + 8 * HOUR, OCT05 + 7 * HOUR,
	      "Weekoverleg ACME" },
	    { OCT05 + 8 * DAY + 13 * HOUR, OCT05 + 8 * DAY + 14 * HOUR,
	      OCT05 + 7 * DAY + 7 * HOUR, "Weekoverleg ACME (verzet)" },
	    { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 8 * HOUR,
	      OCT05 + 14 * DAY + 7 * HOUR, "Weekoverleg ACME" } }, 0 },
	/* The same with the override first and its RECURRENCE-ID in UTC. */
	{ "ics/override-first.ics", "UTC", JAN2026, JAN2028, NULL, 2, 0, 0, 3,
	  { { OCT05 + 7 * HOUR, OCT05 + 8 * HOUR, OCT05 + 7 * HOUR,
	      "Weekoverleg ACME" },
	    { OCT05 + 8 * DAY + 13 * HOUR, OCT05 + 8 * DAY + 14 * HOUR,
	      OCT05 + 7 * DAY + 7 * HOUR, "Weekoverleg ACME (verzet)" },
	    { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 8 * HOUR,
	      OCT05 + 14 * DAY + 7 * HOUR, "Weekoverleg ACME" } }, 0 },
	/*
	 * Weekly from 2025-12-01 09:00Z, COUNT=6; the Dec 29 one moved into
	 * the window to 2026-01-02 10:00Z; the Jan 5 one stays.  The
	 * override of orphan@test has no master: a single occurrence on
	 * 2026-10-14 07:00Z with its RECURRENCE-ID 2026-10-12 07:00Z.
	 */
	{ "ics/override-outside.ics", "UTC", JAN2026, JAN2028, NULL, 3, 0, 0,
	  3, { { JAN2026 + DAY + 10 * HOUR, JAN2026 + DAY + 11 * HOUR,
	      JAN2026 - 3 * DAY + 9 * HOUR,
	      "Weekoverleg Contoso (na de feestdagen)" },
	    { JAN2026 + 4 * DAY + 9 * HOUR, JAN2026 + 4 * DAY + 10 * HOUR,
	      JAN2026 + 4 * DAY + 9 * HOUR, "Weekoverleg Contoso" },
	    { OCT05 + 9 * DAY + 7 * HOUR, OCT05 + 9 * DAY + 8 * HOUR,
	      OCT05 + 7 * DAY + 7 * HOUR, "Losse uitzondering" } }, 0 },
	/* The window drops the occurrences of a series outside it. */
	{ "ics/weekly-count.ics", "UTC", OCT05 + DAY, OCT05 + 14 * DAY, NULL,
	  1, 0, 0, 1,
	  { { OCT05 + 7 * DAY + 7 * HOUR, OCT05 + 7 * DAY + 8 * HOUR,
	      OCT05 + 7 * DAY + 7 * HOUR, "Weekoverleg ACME" } }, 0 },
	/*
	 * Two masters of one UID: the higher SEQUENCE (09:00Z) wins.  Two
	 * overrides of its Oct 12 09:00Z occurrence: SEQUENCE 3 (15:00Z)
	 * wins over 2 (14:00Z), whatever their order in the file.
	 */
	{ "ics/duplicate-uid.ics", "UTC", JAN2026, JAN2028, NULL, 3, 1, 1, 2,
	  { { OCT05 + 9 * HOUR, OCT05 + 9 * HOUR, OCT05 + 9 * HOUR, "Nieuw" },
	    { OCT05 + 7 * DAY + 15 * HOUR, OCT05 + 7 * DAY + 15 * HOUR,
	      OCT05 + 7 * DAY + 9 * HOUR, "Verzet later" } }, 0 },
	/* A cancelled occurrence stays, pointing at the cancelled override. */
	{ "ics/cancel-occurrence.ics", "UTC", JAN2026, JAN2028, NULL, 2, 0, 0,
	  3, { { OCT05 + 7 * HOUR, OCT05 + 8 * HOUR, OCT05 + 7 * HOUR,
	      "Weekoverleg ACME" },
	    { OCT05 + 7 * DAY + 7 * HOUR, OCT05 + 7 * DAY + 8 * HOUR,
	      OCT05 + 7 * DAY + 7 * HOUR, "Weekoverleg ACME" },
	    { OCT05 + 14 * DAY + 7 * HOUR, OCT05 + 14 * DAY + 8 * HOUR,
	      OCT05 + 14 * DAY + 7 * HOUR, "Weekoverleg ACME" } }, 0 },
	{ "ics/cancelled-event.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 0,
	  1, { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR, 0,
	      "Kennismaking ACME" } }, 0 },
	{ "ics/method-cancel.ics", "UTC", JAN2026, JAN2028, "CANCEL", 1, 0, 0,
	  1, { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR + 1800, 0,
	      "Geannuleerd: Kennismaking ACME" } }, 0 },
	/* Truncated: the complete VEVENT before the cut is kept. */
	{ "ics/truncated.ics", "UTC", JAN2026, JAN2028, NULL, 1, 1, 1, 1,
	  { { OCT05 + 8 * HOUR, OCT05 + 9 * HOUR, 0, "Kennismaking ACME" } },
	  0 },
	/* The VEVENT without UID is skipped, the next (Oct 6 08:00Z) not. */
	{ "ics/missing-uid.ics", "UTC", JAN2026, JAN2028, NULL, 1, 1, 1, 1,
	  { { OCT05 + DAY + 8 * HOUR, OCT05 + DAY + 8 * HOUR, 0, "Met UID" } },
	  0 },
	/* DTEND before DTSTART: a warning, the end becomes the start. */
	{ "ics/dtend-before.ics", "UTC", JAN2026, JAN2028, NULL, 1, 0, 1, 1,
	  { { OCT05 + 10 * HOUR, OCT05 + 10 * HOUR, 0, "Achterstevoren" } },
	  0 },
	/*
	 * FREQ=SECONDLY without end from JAN2026: capped at 10000 (the last
	 * at JAN2026 + 9999).  The impossible SECONDLY rule is refused and
	 * read as its DTSTART.  MINUTELY from 1601 with a huge COUNT stops
	 * after 100000 steps, long before the window.  Three warnings.
	 */
	{ "ics/secondly.ics", "UTC", JAN2026, JAN2028, NULL, 3, 0, 3, 10001,
	  { { JAN2026, JAN2026, JAN2026, "Elke seconde" },
	    { JAN2026, JAN2026, JAN2026, "Nooit" },
	    { JAN2026 + 1, JAN2026 + 1, JAN2026 + 1, "Elke seconde" } },
	  JAN2026 + 9999 },
	/*
	 * Year 9999 (libical refuses its RRULE: one warning) is outside the
	 * window; the yearly event from 1601 gives 2026-01-01 and 2027-01-01
	 * (JAN2026 + 365 days).
	 */
	{ "ics/year9999.ics", "UTC", JAN2026, JAN2028, NULL, 2, 0, 1, 2,
	  { { JAN2026, JAN2026, JAN2026, "Lang geleden" },
	    { JAN2026 + 365 * DAY, JAN2026 + 365 * DAY, JAN2026 + 365 * DAY,
	      "Lang geleden" } }, 0 },
	/*
	 * A window on 9999-12-31 (253402300800 is 10000-01-01, the end of
	 * 9999 as every date tool knows it): the event at 09:00Z is there.
	 */
	{ "ics/year9999.ics", "UTC", 253402300800 - DAY, 253402300800, NULL,
	  2, 0, 1, 1,
	  { { 253402300800 - DAY + 9 * HOUR, 253402300800 - DAY + 10 * HOUR,
	      253402300800 - DAY + 9 * HOUR, "Ver weg" } }, 0 },
};

/* Parses a fixture; fails the test when it has no VCALENDAR. */
static void
parse_fixture(const char *file, const char *tz, time_t from, time_t to,
    struct ical_file *f)
{
	struct err	 err;
	char		*buf;
	size_t		 len;
	int		 rc;

	buf = test_read_data(file, &len);
	rc = event_parse(buf, len, from, to, tz, file, f, &err);
	free(buf);
	if (rc != 0)
		fail_msg("%s: %s", file, err.msg);
}

/* Each fixture gives the expected events, occurrences and warnings. */
static void
test_event_fixtures(void **state)
{
	const struct fixture_case	*c;
	struct ical_file		 f;
	unsigned long			 warns;
	size_t				 i, k;

	(void)state;
	for (i = 0; i < sizeof fixture_cases / sizeof fixture_cases[0]; i++) {
		c = &fixture_cases[i];
		print_message("# %s in %s\n", c->file, c->tz);
		warns = log_warn_count();
		parse_fixture(c->file, c->tz, c->from, c->to, &f);
		assert_int_equal(log_warn_count() - warns, c->warnings);
		if (c->method == NULL)
			assert_null(f.method);
		else
			assert_string_equal(f.method, c->method);
		assert_int_equal(f.nevents, c->nevents);
		assert_int_equal(f.skipped, c->skipped);
		assert_int_equal(f.nocc, c->nocc);
		for (k = 0; k < MAX_OCC && c->occ[k].summary != NULL; k++) {
			assert_true(k < f.nocc);
			assert_int_equal(f.occ[k].start, c->occ[k].start);
			assert_int_equal(f.occ[k].end, c->occ[k].end);
			assert_int_equal(f.occ[k].recurrence_id, c->occ[k].rid);
			assert_true(f.occ[k].event < f.nevents);
			assert_string_equal(f.events[f.occ[k].event].summary,
			    c->occ[k].summary);
		}
		if (c->last_start != 0)
			assert_int_equal(f.occ[f.nocc - 1].start,
			    c->last_start);
		for (k = 1; k < f.nocc; k++)
			assert_true(f.occ[k - 1].start <= f.occ[k].start);
		ical_file_free(&f);
	}
}

/* The fields of one event: times, texts, organizer and attendees. */
static void
test_event_fields(void **state)
{
	struct ical_file		 f;
	const struct event_summary	*e;

	(void)state;
	parse_fixture("ics/simple.ics", "UTC", JAN2026, JAN2028, &f);
	assert_int_equal(f.nevents, 1);
	e = &f.events[0];
	assert_string_equal(e->uid, "simple-1@brightline.nl");
	assert_int_equal(e->recurrence_id, 0);
	assert_false(e->recurring);
	/* CREATED 2026-09-20 08:15Z: day 20716 (Jan..Aug hold 243 days). */
	assert_int_equal(e->created, 20716LL * DAY + 8 * HOUR + 900);
	/* DTSTAMP 2026-09-21 12:00Z, LAST-MODIFIED 2026-09-22 13:00Z. */
	assert_int_equal(e->dtstamp, 20717LL * DAY + 12 * HOUR);
	assert_int_equal(e->last_modified, 20718LL * DAY + 13 * HOUR);
	assert_int_equal(e->start, OCT05 + 8 * HOUR);
	assert_int_equal(e->end, OCT05 + 9 * HOUR + 1800);
	assert_false(e->all_day);
	assert_string_equal(e->start_day, "");
	assert_string_equal(e->summary, "Kennismaking ACME");
	assert_string_equal(e->location, "ACME, Utrecht");
	assert_string_equal(e->organizer, "anna@brightline.nl");
	assert_int_equal(e->nattendees, 2);
	assert_string_equal(e->attendees[0].addr, "jan.jansen@acme.nl");
	assert_string_equal(e->attendees[0].name, "Jan Jansen");
	assert_false(e->attendees[0].declined);
	assert_string_equal(e->attendees[1].addr, "piet@acme.nl");
	assert_null(e->attendees[1].name);
	assert_true(e->attendees[1].declined);
	assert_int_equal(e->status, EVENT_CONFIRMED);
	assert_false(e->private);
	assert_false(e->transparent);
	assert_int_equal(e->sequence, 2);
	assert_int_equal(e->hashtags.n, 0);
	ical_file_free(&f);
}

/* An all-day event keeps its date and sits at midnight UTC. */
static void
test_event_all_day(void **state)
{
	struct ical_file		 f;
	const struct event_summary	*e;

	(void)state;
	/* Read in a zone far from UTC: the date must not shift. */
	parse_fixture("ics/allday.ics", "Pacific/Auckland", JAN2026, JAN2028,
	    &f);
	e = &f.events[0];
	assert_true(e->all_day);
	assert_string_equal(e->start_day, "2026-10-12");
	assert_int_equal(e->start, OCT05 + 7 * DAY);
	assert_int_equal(e->end, OCT05 + 8 * DAY);
	assert_true(e->private);
	assert_true(e->transparent);
	assert_string_equal(e->organizer == NULL ? "(none)" : e->organizer,
	    "(none)");
	assert_int_equal(f.nocc, 1);
	assert_string_equal(f.occ[0].day, "2026-10-12");
	ical_file_free(&f);
}

/* Statuses: tentative, a cancelled event, a cancelled occurrence. */
static void
test_event_status(void **state)
{
	static const struct {
		const char		*file;
		size_t			 occ;	/* the occurrence */
		enum event_status	 status;
		time_t			 rid;	/* of its event */
	} cases[] = {
		{ "ics/floating.ics", 0, EVENT_TENTATIVE, 0 },
		{ "ics/cancelled-event.ics", 0, EVENT_CANCELLED, 0 },
		{ "ics/method-cancel.ics", 0, EVENT_CANCELLED, 0 },
		{ "ics/cancel-occurrence.ics", 0, EVENT_CONFIRMED, 0 },
		{ "ics/cancel-occurrence.ics", 1, EVENT_CANCELLED,
		  OCT05 + 7 * DAY + 7 * HOUR },
		{ "ics/cancel-occurrence.ics", 2, EVENT_CONFIRMED, 0 },
	};
	struct ical_file		 f;
	const struct event_summary	*e;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		parse_fixture(cases[i].file, "UTC", JAN2026, JAN2028, &f);
		assert_true(cases[i].occ < f.nocc);
		e = &f.events[f.occ[cases[i].occ].event];
		assert_int_equal(e->status, cases[i].status);
		assert_int_equal(e->recurrence_id, cases[i].rid);
		ical_file_free(&f);
	}
}

/* Hashtags come from DESCRIPTION, including a folded line. */
static void
test_event_hashtags(void **state)
{
	static const char *const want[] = {
		"#decision 2027-01-15", "#competitor Initech",
		"#need Nieuwe planningssoftware", "#problem Excel loopt vast",
		"#verbal",
	};
	struct ical_file	 f;
	size_t			 i;

	(void)state;
	parse_fixture("ics/hashtags.ics", "UTC", JAN2026, JAN2028, &f);
	assert_int_equal(f.nevents, 2);
	assert_int_equal(f.events[0].hashtags.n, 5);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_true(strlist_contains(&f.events[0].hashtags, want[i]));
	/* LAST-MODIFIED 2026-10-02 11:00Z: day 20728. */
	assert_int_equal(f.events[0].last_modified, 20728LL * DAY + 11 * HOUR);
	assert_int_equal(f.events[1].hashtags.n, 1);
	assert_string_equal(f.events[1].hashtags.v[0], "#lost");
	ical_file_free(&f);
}

/* Windows zone names map to CLDR's territory 001 zone. */
static void
test_event_windows_zone(void **state)
{
	static const struct {
		const char	*windows;
		const char	*iana;
	} cases[] = {
		{ "W. Europe Standard Time", "Europe/Berlin" },
		{ "w. europe standard time", "Europe/Berlin" },
		{ "Romance Standard Time", "Europe/Paris" },
		{ "GMT Standard Time", "Europe/London" },
		{ "Pacific Standard Time", "America/Los_Angeles" },
		{ "Eastern Standard Time", "America/New_York" },
		{ "Customized Time Zone", NULL },
		{ "", NULL },
		{ NULL, NULL },
	};
	const char	*got;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = event_windows_zone(cases[i].windows);
		if (cases[i].iana == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].iana);
	}
}

/* event_reduce's summary callback: the text as it is. */
static char *
keep_summary(const char *text, void *arg)
{
	(void)arg;
	return xstrdup(text);
}

#define ZONE(tzid, off) \
	"BEGIN:VTIMEZONE\r\nTZID:" tzid "\r\nBEGIN:STANDARD\r\n" \
	"DTSTART:19700101T000000\r\nTZOFFSETFROM:" off "\r\nTZOFFSETTO:" off \
	"\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
#define ZONED_EVENTS \
	"BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\n" \
	"DTSTART;TZID=Europe/Amsterdam:20261005T100000\r\n" \
	"DTEND;TZID=Europe/Amsterdam:20261005T110000\r\n" \
	"RRULE:FREQ=WEEKLY;COUNT=6\r\nEND:VEVENT\r\n" \
	"BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260101T000000Z\r\n" \
	"DTSTART;TZID=Custom Zone:20261005T100000\r\nEND:VEVENT\r\n"

/* Parses text (in UTC) into f, which must succeed. */
static void
parse_text(const char *text, struct ical_file *f)
{
	struct err	 err;

	err_clear(&err);
	if (event_parse(text, strlen(text), JAN2026, JAN2028, "UTC", "t.ics",
	    f, &err) != 0)
		fail_msg("%s", err.msg);
}

/*
 * An all-day event without DTEND or DURATION takes its whole day (RFC
 * 5545 section 3.6.1), as with DTEND the next date; so does each
 * occurrence of such a series.  A timed one without either ends as it
 * starts.
 */
static void
test_event_all_day_no_end(void **state)
{
	static const char text[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\n"
	    "DTSTART;VALUE=DATE:20261012\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260101T000000Z\r\n"
	    "DTSTART;VALUE=DATE:20261005\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:c@x\r\nDTSTAMP:20260101T000000Z\r\n"
	    "DTSTART:20261005T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	struct ical_file	 f;
	size_t			 i, series = 0;

	(void)state;
	parse_text(text, &f);
	assert_int_equal(f.nevents, 3);
	assert_true(f.events[0].all_day);
	assert_int_equal(f.events[0].start, OCT05 + 7 * DAY);
	assert_int_equal(f.events[0].end, OCT05 + 8 * DAY);
	assert_int_equal(f.events[2].end, f.events[2].start);
	for (i = 0; i < f.nocc; i++) {
		if (f.occ[i].event != 1)
			continue;
		assert_int_equal(f.occ[i].end - f.occ[i].start, DAY);
		series++;
	}
	assert_int_equal(series, 2);
	ical_file_free(&f);
}

/* Two parses gave the same events and occurrences. */
static void
assert_same_file(const struct ical_file *a, const struct ical_file *b)
{
	size_t	 i;

	assert_int_equal(a->nevents, b->nevents);
	assert_int_equal(a->nocc, b->nocc);
	for (i = 0; i < a->nevents; i++) {
		assert_string_equal(a->events[i].uid, b->events[i].uid);
		assert_int_equal(a->events[i].start, b->events[i].start);
		assert_int_equal(a->events[i].end, b->events[i].end);
	}
	for (i = 0; i < a->nocc; i++) {
		assert_int_equal(a->occ[i].event, b->occ[i].event);
		assert_int_equal(a->occ[i].start, b->occ[i].start);
		assert_int_equal(a->occ[i].end, b->occ[i].end);
	}
}

/*
 * A VTIMEZONE whose TZID names a builtin zone is left out of libical's
 * parse, since the builtin zone goes first: the events are those of the
 * file without it (its wrong +0500 changes nothing), a zone of another
 * name after it is still read (+0300), and so is one with a builtin
 * name as its second TZID (libical names it by the first) or one cut
 * short; event_reduce still keeps the VTIMEZONE.
 */
static void
test_event_builtin_vtimezone_skipped(void **state)
{
	static const char with[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    ZONE("Europe/Amsterdam", "+0500") ZONE("Custom Zone", "+0300")
	    ZONED_EVENTS "END:VCALENDAR\r\n";
	static const char without[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    ZONE("Custom Zone", "+0300") ZONED_EVENTS "END:VCALENDAR\r\n";
	static const char two_tzids[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "BEGIN:VTIMEZONE\r\nTZID:Custom Zone\r\nTZID:Europe/Amsterdam\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
	    "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\n"
	    "END:VTIMEZONE\r\n" ZONED_EVENTS "END:VCALENDAR\r\n";
	static const char cut[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    ZONE("Custom Zone", "+0300") ZONED_EVENTS
	    "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\nBEGIN:STANDARD\r\n";
	struct ical_file	 a, b;
	struct err		 err;
	char			*red = NULL;

	(void)state;
	parse_text(with, &a);
	parse_text(without, &b);
	assert_same_file(&a, &b);
	assert_int_equal(a.nevents, 2);
	assert_int_equal(a.nocc, 7);
	/* 10:00 CEST and 10:00 at +0300 on 2026-10-05. */
	assert_int_equal(a.events[0].start, OCT05 + 8 * HOUR);
	assert_int_equal(a.events[1].start, OCT05 + 7 * HOUR);
	ical_file_free(&b);
	parse_text(two_tzids, &b);
	assert_same_file(&a, &b);
	ical_file_free(&b);
	parse_text(cut, &b);
	assert_same_file(&a, &b);
	ical_file_free(&b);
	ical_file_free(&a);

	err_clear(&err);
	assert_int_equal(event_reduce(with, strlen(with), "t.ics", NULL,
	    keep_summary, NULL, false, &red, &err), 0);
	assert_non_null(strstr(red, "TZID:Europe/Amsterdam"));
	assert_non_null(strstr(red, "TZOFFSETTO:+0500"));
	free(red);
}

/* Bytes that hold no VCALENDAR are an error, not a crash. */
static void
test_event_garbage(void **state)
{
	struct ical_file	 f;
	struct err		 err;
	unsigned char		*buf;
	uint32_t		 x = 12345;
	size_t			 i, n = 64 * 1024;

	(void)state;
	buf = xmalloc(n);
	for (i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (unsigned char)(x >> 16);
	}
	assert_int_equal(event_parse((char *)buf, n, JAN2026, JAN2028, "UTC",
	    "garbage", &f, &err), -1);
	assert_int_equal(err.cls, ERR_DATA);
	assert_int_equal(f.nevents, 0);

	/* The same after a BEGIN line: a calendar without events. */
	memcpy(buf, "BEGIN:VCALENDAR\r\n", 17);
	assert_int_equal(event_parse((char *)buf, n, JAN2026, JAN2028, "UTC",
	    "garbage", &f, &err), 0);
	assert_int_equal(f.nevents, 0);
	assert_int_equal(f.nocc, 0);
	ical_file_free(&f);

	assert_int_equal(event_parse("", 0, JAN2026, JAN2028, "UTC", "empty",
	    &f, &err), -1);
	assert_int_equal(err.cls, ERR_DATA);
	free(buf);
}

/*
 * A VEVENT without a VCALENDAR around it is a calendar of one event, and
 * beside a VCALENDAR one event more; a VTIMEZONE beside it serves it.
 */
static void
test_event_bare_vevent(void **state)
{
	static const char bare[] = "BEGIN:VEVENT\r\nUID:bare@test\r\n"
	    "DTSTART:20261005T080000Z\r\nSUMMARY:Bezoek\r\nEND:VEVENT\r\n";
	static const char zoned[] = "BEGIN:VTIMEZONE\r\nTZID:Here\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
	    "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\n"
	    "END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:zoned@test\r\n"
	    "DTSTART;TZID=Here:20261005T080000\r\nEND:VEVENT\r\n"
	    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:inside@test\r\n"
	    "DTSTART:20261006T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	struct ical_file	 f;
	struct err		 err;

	(void)state;
	assert_int_equal(event_parse(bare, sizeof bare - 1, JAN2026, JAN2028,
	    "UTC", "bare", &f, &err), 0);
	assert_int_equal(f.nevents, 1);
	assert_string_equal(f.events[0].uid, "bare@test");
	assert_int_equal(f.nocc, 1);
	assert_int_equal((long long)f.occ[0].start, 1791187200LL);
	ical_file_free(&f);

	assert_int_equal(event_parse(zoned, sizeof zoned - 1, JAN2026, JAN2028,
	    "UTC", "zoned", &f, &err), 0);
	assert_int_equal(f.nevents, 2);
	assert_int_equal(f.nocc, 2);
	/* 08:00 at +03:00 is 05:00 UTC. */
	assert_int_equal((long long)f.occ[0].start, 1791176400LL);
	ical_file_free(&f);
}

/* A 5 MB DESCRIPTION on one line parses, quickly, hashtag included. */
static void
test_event_big_description(void **state)
{
	static const char head[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "BEGIN:VEVENT\r\nUID:big@test\r\nDTSTART:20261005T080000Z\r\n"
	    "SUMMARY:Groot\r\nDESCRIPTION:";
	static const char tail[] = " #lost\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	struct ical_file	 f;
	struct err		 err;
	size_t			 big = 5 * 1024 * 1024, len;
	char			*buf;

	(void)state;
	len = sizeof head - 1 + big + sizeof tail - 1;
	buf = xmalloc(len);
	memcpy(buf, head, sizeof head - 1);
	memset(buf + sizeof head - 1, 'x', big);
	memcpy(buf + sizeof head - 1 + big, tail, sizeof tail - 1);
	assert_int_equal(event_parse(buf, len, JAN2026, JAN2028, "UTC", "big",
	    &f, &err), 0);
	free(buf);
	assert_int_equal(f.nevents, 1);
	assert_string_equal(f.events[0].uid, "big@test");
	assert_string_equal(f.events[0].summary, "Groot");
	assert_int_equal(f.events[0].start, OCT05 + 8 * HOUR);
	assert_int_equal(f.events[0].hashtags.n, 1);
	assert_string_equal(f.events[0].hashtags.v[0], "#lost");
	ical_file_free(&f);
}

/* Events far in the past and future keep exact times. */
static void
test_event_far_years(void **state)
{
	struct ical_file	 f;

	(void)state;
	parse_fixture("ics/year9999.ics", "UTC", JAN2026, JAN2028, &f);
	assert_int_equal(f.nevents, 2);
	/* 9999-12-31 09:00Z: the day before 253402300800, plus 9 hours. */
	assert_int_equal(f.events[0].start, 253402300800LL - DAY + 9 * HOUR);
	/* 1601-01-01 00:00Z: the Windows FILETIME epoch, 11644473600 s back. */
	assert_int_equal(f.events[1].start, -11644473600LL);
	ical_file_free(&f);
}

/*
 * Bytes that are not UTF-8 in the text of an event (summary, location,
 * UID, names and addresses, a hashtag in the description, METHOD) come
 * out replaced: nothing invalid reaches the store or JSON output.
 */
static void
test_event_invalid_utf8(void **state)
{
	static const char ics[] =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQ\xffUEST\r\n"
	    "BEGIN:VEVENT\r\nUID:u\xc0\xaf@test\r\n"
	    "DTSTART:20261005T080000Z\r\n"
	    "SUMMARY:Offerte \xed\xa0\x80 bespreken \xff\r\n"
	    "LOCATION:Caf\xe9 \xf4\x90\x80\x80\r\n"
	    "ORGANIZER;CN=Anna \xff:mailto:anna\xe9@brightline.nl\r\n"
	    "ATTENDEE;CN=\"Jan \xc3\":mailto:j\xff@acme.nl\r\n"
	    "DESCRIPTION:#need koffie \xfe\\n#lost\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";
	const struct event_summary	*ev;
	struct ical_file		 f;
	struct err			 err;
	size_t				 i;

	(void)state;
	assert_int_equal(event_parse(ics, sizeof ics - 1, JAN2026, JAN2028,
	    "UTC", "utf8", &f, &err), 0);
	assert_int_equal(f.nevents, 1);
	ev = &f.events[0];
	assert_true(test_utf8_valid(f.method));
	assert_true(test_utf8_valid(ev->uid));
	assert_true(test_utf8_valid(ev->summary));
	assert_non_null(strstr(ev->summary, "Offerte"));
	assert_true(test_utf8_valid(ev->location));
	assert_non_null(ev->organizer);
	assert_true(test_utf8_valid(ev->organizer));
	assert_int_equal(ev->nattendees, 1);
	assert_true(test_utf8_valid(ev->attendees[0].addr));
	assert_non_null(ev->attendees[0].name);
	assert_true(test_utf8_valid(ev->attendees[0].name));
	assert_int_equal(ev->hashtags.n, 2);
	for (i = 0; i < ev->hashtags.n; i++)
		assert_true(test_utf8_valid(ev->hashtags.v[i]));
	ical_file_free(&f);
}

/*
 * Bounds.  Each input below would cost the parser before the bounds
 * seconds to hours, or gigabytes, or its stack; it is parsed in a child
 * process under an alarm and (without AddressSanitizer, which reserves
 * terabytes of address space) a limit on the address space it may add,
 * so that a bound that does not hold fails the test instead of hanging
 * it or exhausting the machine.  The limits are generous: a bounded
 * parse takes well under a second and a few megabytes.  Under valgrind
 * (tests/valgrind.sh sets SC_VALGRIND), whose shadow memory counts in
 * the child's address space and resident set and which runs the parse
 * some fifty times slower, only the time is limited, ten times longer.
 */
#define LIMIT_SECONDS	20
#define LIMIT_MB	512

static int
under_valgrind(void)
{
	const char *v = getenv("SC_VALGRIND");

	return (v != NULL && *v != '\0');
}

/* Whether memory is measured: not under ASan or valgrind. */
static int
memory_limited(void)
{
#ifdef __SANITIZE_ADDRESS__
	return (0);
#else
	return (!under_valgrind());
#endif
}

/* What a parse in a child process gave. */
struct limited {
	int		 rc;		/* event_parse's; -2: the child died */
	int		 sig;		/* what ended it then (SIGALRM: time) */
	size_t		 nevents, nocc;
	unsigned long	 warnings;
	long		 rss_kb;	/* peak resident set, over its start */
	char		 msg[512];	/* err.msg when rc is -1 */
};

/* The child's resident set in KiB, and (*vsz) its address space in bytes. */
static long
limited_statm(unsigned long *vsz)
{
	unsigned long	 size = 0, res = 0;
	FILE		*fp = fopen("/proc/self/statm", "r");

	if (fp != NULL) {
		if (fscanf(fp, "%lu %lu", &size, &res) != 2)
			size = res = 0;
		fclose(fp);
	}
	if (vsz != NULL)
		*vsz = size * (unsigned long)sysconf(_SC_PAGESIZE);
	return ((long)(res * (unsigned long)sysconf(_SC_PAGESIZE) / 1024));
}

/* Parses text in [from, to) in a child process under the limits. */
static void
limited_parse(const char *text, size_t len, time_t from, time_t to,
    struct limited *out)
{
	struct limited	 r;
	struct ical_file f;
	struct err	 err;
	struct rusage	 ru;
	struct rlimit	 rl;
	unsigned long	 vsz, warns;
	long		 base;
	ssize_t		 n;
	size_t		 got = 0;
	pid_t		 pid;
	int		 fd[2], status;

	memset(out, 0, sizeof *out);
	assert_int_equal(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		alarm(under_valgrind() ? 10 * LIMIT_SECONDS : LIMIT_SECONDS);
		base = limited_statm(&vsz);
		if (memory_limited()) {
			rl.rlim_cur = rl.rlim_max = vsz +
			    ((rlim_t)LIMIT_MB << 20);
			(void)setrlimit(RLIMIT_AS, &rl);
		}
		memset(&r, 0, sizeof r);
		warns = log_warn_count();
		r.rc = event_parse(text, len, from, to, "UTC", "bound", &f,
		    &err);
		r.warnings = log_warn_count() - warns;
		if (r.rc == 0) {
			r.nevents = f.nevents;
			r.nocc = f.nocc;
			ical_file_free(&f);
		} else
			snprintf(r.msg, sizeof r.msg, "%s", err.msg);
		getrusage(RUSAGE_SELF, &ru);
		r.rss_kb = ru.ru_maxrss - base;
		if (write(fd[1], &r, sizeof r) != (ssize_t)sizeof r)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	while (got < sizeof *out &&
	    (n = read(fd[0], (char *)out + got, sizeof *out - got)) > 0)
		got += (size_t)n;
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (got != sizeof *out || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		memset(out, 0, sizeof *out);
		out->rc = -2;
		out->sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		print_message("# the parse died (signal %d%s)\n", out->sig,
		    out->sig == SIGALRM ? ": out of time" : "");
	} else if (out->rc != 0)
		print_message("# refused: %s\n", out->msg);
	print_message("# peak resident growth %ld KiB\n", out->rss_kb);
}

/* Asserts that the object was refused with a message holding want. */
static void
assert_refused(const struct limited *r, const char *want)
{
	assert_int_equal(r->rc, -1);
	if (strstr(r->msg, want) == NULL)
		fail_msg("refused with \"%s\", not for \"%s\"", r->msg, want);
	/* Refused before libical built much of it. */
	if (memory_limited())
		assert_true(r->rss_kb < 64 * 1024);
}

/* A VCALENDAR holding a VEVENT at 2026-10-05 08:00Z with the lines mid. */
static char *
calendar_with(const char *zones, const char *event_lines, size_t *len)
{
	struct buf	 b = { 0 };

	buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
	buf_puts(&b, zones);
	buf_puts(&b, "BEGIN:VEVENT\r\nUID:bound@test\r\n"
	    "DTSTAMP:20260901T100000Z\r\nSUMMARY:Begrensd\r\n");
	buf_puts(&b, event_lines);
	buf_puts(&b, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	*len = b.len;
	return (b.data);
}

/* A VTIMEZONE "Bomb" whose STANDARD observance has the RRULE rule. */
static char *
zone_with(const char *dtstart, const char *rule)
{
	return (xasprintf("BEGIN:VTIMEZONE\r\nTZID:Bomb\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:%s\r\nTZOFFSETFROM:+0100\r\n"
	    "TZOFFSETTO:+0100\r\nRRULE:%s\r\nEND:STANDARD\r\n"
	    "END:VTIMEZONE\r\n", dtstart, rule));
}

/*
 * A VTIMEZONE that changes more often than daily is refused with the
 * object (FREQ=SECONDLY from 1970 made libical expand two thousand
 * million changes: the poll never ended), for each sub-daily frequency.
 */
static void
test_event_bound_zone_frequency(void **state)
{
	static const char *const rules[] = {
		"FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY",
		"FREQ=HOURLY;INTERVAL=1000",
	};
	struct limited	 r;
	size_t		 i, len;
	char		*zone, *text;

	(void)state;
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		print_message("# %s\n", rules[i]);
		zone = zone_with("19700101T000000", rules[i]);
		text = calendar_with(zone, "DTSTART;TZID=Bomb:20261005T100000\r\n"
		    "ATTENDEE:mailto:jan@acme.nl\r\n", &len);
		limited_parse(text, len, JAN2026, JAN2028, &r);
		assert_refused(&r, "VTIMEZONE \"Bomb\": RRULE FREQ=");
		assert_non_null(strstr(r.msg, "more often than daily"));
		free(text);
		free(zone);
	}
}

/*
 * A VTIMEZONE whose yearly rule changes the offset every day, or whose
 * impossible daily rule would be walked day by day from year 1, is
 * refused: bounded in changes and in the walk, not only in years.  An
 * Outlook zone from 1601 is not.
 */
static void
test_event_bound_zone_changes(void **state)
{
	struct limited	 r;
	size_t		 len;
	char		*zone, *text;

	(void)state;
	zone = zone_with("19700101T000000", "FREQ=YEARLY;BYMONTH=1,2,3,4,5,"
	    "6,7,8,9,10,11,12;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10,11,12,13,14,"
	    "15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31");
	text = calendar_with(zone, "DTSTART;TZID=Bomb:20261005T100000\r\n",
	    &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "more than 2000 changes of offset up to 2029");
	free(text);
	free(zone);

	zone = zone_with("00010101T000000",
	    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=1,2,3");
	text = calendar_with(zone, "DTSTART;TZID=Bomb:20261005T100000\r\n",
	    &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "candidate times");
	free(text);
	free(zone);

	/*
	 * The same rule from year 0, a DTSTART that is no date: libical
	 * walks it from there all the same (found by fuzz-event).
	 */
	zone = zone_with("00000101T000000",
	    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=1,2,3");
	text = calendar_with(zone, "DTSTART;TZID=Bomb:20261005T100000\r\n",
	    &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "observance with a rule has no valid DTSTART");
	free(text);
	free(zone);

	/*
	 * A bad VTIMEZONE no event is read in is never expanded, and does
	 * not cost the object (an ICS feed's item holds all its zones).
	 */
	zone = zone_with("19700101T000000", "FREQ=SECONDLY");
	text = calendar_with(zone, "DTSTART;TZID=Europe/Amsterdam:"
	    "20261005T100000\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 1);
	free(text);
	free(zone);

	/* The Outlook zone of ics/outlook-custom.ics parses. */
	text = test_read_data("ics/outlook-custom.ics", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 2);
	free(text);
}

/*
 * Observances count as changes of offset, with or without a rule: a
 * VTIMEZONE of 2,500 dated observances and an event with as many EXDATEs
 * in it cost 2,500 x 2,500 walks of the zone (a minute at 10,000).
 */
static void
test_event_bound_zone_observances(void **state)
{
	struct limited	 r;
	struct buf	 zone = { 0 }, lines = { 0 };
	size_t		 i, len;
	char		*text;

	(void)state;
	buf_puts(&zone, "BEGIN:VTIMEZONE\r\nTZID:Many\r\n");
	for (i = 0; i < 2500; i++)
		buf_printf(&zone, "BEGIN:STANDARD\r\nDTSTART:%04zu0101T000000"
		    "\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
		    "END:STANDARD\r\n", 1000 + i / 2);
	buf_puts(&zone, "END:VTIMEZONE\r\n");
	buf_puts(&lines, "DTSTART;TZID=Many:20261005T100000\r\n"
	    "RRULE:FREQ=YEARLY;COUNT=2\r\n");
	for (i = 0; i < 2500; i++)
		buf_puts(&lines, "EXDATE;TZID=Many:20250101T100000\r\n");
	text = calendar_with(zone.data, lines.data, &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "VTIMEZONE \"Many\": more than 2000 changes of "
	    "offset");
	free(text);
	/* Observances of no valid DTSTART count too. */
	buf_reset(&zone);
	buf_puts(&zone, "BEGIN:VTIMEZONE\r\nTZID:Many\r\n");
	for (i = 0; i < 2500; i++)
		buf_puts(&zone, "BEGIN:STANDARD\r\nDTSTART:20250230T000000\r\n"
		    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n");
	buf_puts(&zone, "END:VTIMEZONE\r\n");
	text = calendar_with(zone.data, lines.data, &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "VTIMEZONE \"Many\": more than 2000 changes of "
	    "offset");
	free(text);
	buf_free(&lines);
	buf_free(&zone);
}

/*
 * One object's warnings are at most ten lines and one that counts the
 * rest: 1,000 VEVENTs without DTSTART, then as many times in unknown
 * zones taking turns (the repeat check of a UID and TZID let them by).
 */
static void
test_event_bound_warnings(void **state)
{
	struct limited	 r;
	struct buf	 b = { 0 };
	size_t		 i;

	(void)state;
	buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "BEGIN:VEVENT\r\nUID:u%zu\r\nEND:VEVENT\r\n", i);
	buf_puts(&b, "END:VCALENDAR\r\n");
	limited_parse(b.data, b.len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nevents, 0);
	assert_int_equal(r.warnings, 11);
	buf_reset(&b);
	buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:x@t\r\nDTSTAMP:20260901T100000Z\r\n"
	    "DTSTART:20261005T100000Z\r\nRRULE:FREQ=YEARLY;COUNT=2\r\n");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "EXDATE;TZID=Nowhere%zu:20250101T100000\r\n", i % 2);
	buf_puts(&b, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	limited_parse(b.data, b.len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 2);
	assert_int_equal(r.warnings, 11);
	buf_free(&b);
}

/*
 * A rule in another calendar than the Gregorian (RSCALE) is read as one
 * occurrence, in an event, and refuses the object in a VTIMEZONE in use:
 * ICU's Chinese calendar looked for a 30th of a leap first month for
 * minutes inside libical's iterator.
 */
static void
test_event_bound_rscale(void **state)
{
	static const char rule[] =
	    "RSCALE=CHINESE;FREQ=YEARLY;BYMONTHDAY=30;BYMONTH=1L";
	struct limited	 r;
	size_t		 len;
	char		*text, *lines, *zone;

	(void)state;
	lines = xasprintf("DTSTART:20260301T100000Z\r\nRRULE:%s\r\n", rule);
	text = calendar_with("", lines, &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 1);
	assert_int_equal(r.warnings, 1);
	free(text);
	free(lines);
	/* One that matches every year is not expanded either. */
	text = calendar_with("", "DTSTART:20260217T100000Z\r\n"
	    "RRULE:RSCALE=CHINESE;FREQ=YEARLY;BYMONTHDAY=1;BYMONTH=1\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 1);
	free(text);
	/* A Gregorian RSCALE is the plain rule. */
	text = calendar_with("", "DTSTART:20260217T100000Z\r\n"
	    "RRULE:RSCALE=GREGORIAN;FREQ=YEARLY\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 2);
	free(text);
	zone = zone_with("19700101T000000", rule);
	text = calendar_with(zone, "DTSTART;TZID=Bomb:20261005T100000\r\n",
	    &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "VTIMEZONE \"Bomb\": RRULE in a calendar other "
	    "than the Gregorian");
	free(text);
	free(zone);
}

/*
 * An event's RRULE whose filter never matches, walked from DTSTART
 * (a sub-daily interval) or over the window, is read as one occurrence
 * with a warning before the walk: one call of libical's iterator would
 * step through every second up to year 2582.
 */
static void
test_event_bound_rule_walk(void **state)
{
	static const char *const rules[] = {
		"RRULE:FREQ=SECONDLY;INTERVAL=2;BYSECOND=1\r\n",
		"RRULE:FREQ=SECONDLY;BYHOUR=23;BYMINUTE=59;BYSECOND=59\r\n",
		"RRULE:FREQ=DAILY;COUNT=3;BYMONTH=2;BYMONTHDAY=30;"
		    "BYHOUR=1,2,3,4,5,6\r\n",
	};
	struct limited	 r;
	size_t		 i, len;
	char		*text, *lines;

	(void)state;
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		print_message("# %s", rules[i]);
		lines = xasprintf("DTSTART:%s\r\n%s", i == 2 ?
		    "16010101T000000Z" : "20260105T000000Z", rules[i]);
		text = calendar_with("", lines, &len);
		limited_parse(text, len, JAN2026, JAN2028, &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.nevents, 1);
		assert_int_equal(r.nocc, i == 2 ? 0 : 1);
		assert_int_equal(r.warnings, 1);
		free(text);
		free(lines);
	}
}

/*
 * Forty events each recurring every second: the object is capped at
 * 50,000 occurrences (each an appointment downstream) and 150,000 steps
 * of the iterator, not 200,000 and 300,000 (3 s and 90 MB to import).
 */
static void
test_event_bound_occurrences(void **state)
{
	struct limited	 r;
	struct buf	 b = { 0 };
	size_t		 i;

	(void)state;
	buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	for (i = 0; i < 40; i++)
		buf_printf(&b, "BEGIN:VEVENT\r\nUID:s%zu@test\r\n"
		    "DTSTART:20260105T000000Z\r\nRRULE:FREQ=SECONDLY\r\n"
		    "END:VEVENT\r\n", i);
	buf_puts(&b, "END:VCALENDAR\r\n");
	limited_parse(b.data, b.len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nevents, 40);
	assert_int_equal(r.nocc, 50000);
	buf_free(&b);
}

/* Builds "NAME" + n times piece + tail as one line into a calendar. */
static char *
calendar_with_line(const char *name, const char *piece, size_t n,
    const char *tail, size_t *len)
{
	struct buf	 b = { 0 };
	char		*text;
	size_t		 i;

	buf_puts(&b, name);
	for (i = 0; i < n; i++)
		buf_puts(&b, piece);
	buf_puts(&b, tail);
	text = calendar_with("", b.data, len);
	buf_free(&b);
	return (text);
}

/*
 * The parameters of a property: thousands of TZID parameters cost
 * libical gigabytes (libical's fuzz42521679), 20,000 parameters searched
 * to the end of a long line seconds (fuzz42517512); more than one TZID,
 * more than 64 parameters, or a head over 16 KiB is refused.
 */
static void
test_event_bound_parameters(void **state)
{
	struct limited	 r;
	size_t		 len;
	char		*text;

	(void)state;
	/* fuzz42521679's shape: TZID after TZID, each read to the last colon. */
	text = calendar_with_line("DTSTART", ";TZID=:;TZID=:D", 12000,
	    ":20261005T080000Z\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "name and parameters longer than 16384 bytes");
	free(text);

	/* fuzz42517512's shape: a 280 KB line of parameters. */
	text = calendar_with_line("DTSTART:20261005T080000Z\r\nRRULE",
	    ";BYWEE\xe9=RRULE", 20000, ":FREQ=DAILY\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "name and parameters longer than 16384 bytes");
	free(text);

	text = calendar_with("", "DTSTART;TZID=Europe/Amsterdam;TZID=UTC:"
	    "20261005T100000\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "2 TZID parameters, more than one");
	free(text);

	text = calendar_with_line("DTSTART:20261005T080000Z\r\nX-P", ";A=1",
	    65, ":v\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "65 parameters, more than 64");
	free(text);

	/* 64 are fine, and the event is read. */
	text = calendar_with_line("DTSTART:20261005T080000Z\r\nX-P", ";A=1",
	    64, ":v\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 1);
	free(text);
}

/* A content line over 8 MiB (unfolded) is refused, naming the limit. */
static void
test_event_bound_line(void **state)
{
	struct limited	 r;
	size_t		 len;
	char		*text;

	(void)state;
	/* Folded every 72 bytes, as RFC 5545 asks: 9 MiB unfolded. */
	text = calendar_with_line("DTSTART:20261005T080000Z\r\nDESCRIPTION:",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxx\r\n ", 9 * 1024 * 1024 / 72 + 1, "#lost\r\n", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "longer than 8388608 bytes");
	assert_non_null(strstr(r.msg, "bound: line 9: "));
	free(text);
}

/*
 * Components nested 200,000 deep cost libical 300 MB and a recursion as
 * deep to free them (libical's fuzz69344 nests 26,000, which overflowed
 * the stack of the sanitizer build): nesting deeper than 8 is refused.
 */
static void
test_event_bound_nesting(void **state)
{
	struct limited	 r;
	struct buf	 b = { 0 };
	size_t		 i;

	(void)state;
	buf_puts(&b, "BEGIN:VCALENDAR\r\n");
	for (i = 0; i < 200000; i++)
		buf_puts(&b, "BEGIN:X\r\n");
	limited_parse(b.data, b.len, JAN2026, JAN2028, &r);
	assert_refused(&r, "line 9: components nested deeper than 8");
	buf_free(&b);

	/* Eight levels are fine. */
	buf_puts(&b, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:n@test\r\n"
	    "DTSTART:20261005T080000Z\r\n");
	for (i = 0; i < 6; i++)
		buf_puts(&b, "BEGIN:X\r\n");
	limited_parse(b.data, b.len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nocc, 1);
	buf_free(&b);
}

/*
 * Many properties, components, VTIMEZONEs, or values of a list (each a
 * copy of its property with all its parameters, libical's
 * fuzz464655084) are refused beyond their bounds.
 */
static void
test_event_bound_counts(void **state)
{
	struct limited	 r;
	size_t		 len;
	char		*text;

	(void)state;
	/* 300,000 properties in 1.5 MB: more than one per 8 bytes. */
	text = calendar_with_line("DTSTART:20261005T080000Z\r\n", "X:a\r\n",
	    300000, "", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "properties");
	free(text);

	text = calendar_with_line("DTSTART:20261005T080000Z\r\n",
	    "BEGIN:X\r\nEND:X\r\n", 40000, "", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "components");
	free(text);

	text = calendar_with_line("DTSTART:20261005T080000Z\r\n",
	    "BEGIN:VTIMEZONE\r\nTZID:z\r\nEND:VTIMEZONE\r\n", 2100, "",
	    &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "more than 2000 VTIMEZONEs");
	free(text);

	text = calendar_with_line("DTSTART:20261005T080000Z\r\n",
	    "X;X=;X=;VALUE=TEXT:a,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
	    "\r\n", 100, "", &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_refused(&r, "the values of lists take more than");
	free(text);
}

/*
 * An event keeps its first 1000 attendees (with a warning), and its
 * description its first 100 hashtags: what reads them compares each
 * with the others.
 */
static void
test_event_bound_attendees(void **state)
{
	struct ical_file f;
	struct err	 err;
	struct buf	 b = { 0 };
	size_t		 i, len;
	unsigned long	 warns;
	char		*text;

	(void)state;
	buf_puts(&b, "DTSTART:20261005T080000Z\r\nDESCRIPTION:");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "#need n%zu\\n", i);
	buf_puts(&b, "\r\n");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "ATTENDEE:mailto:a%zu@acme%zu.nl\r\n", i, i);
	text = calendar_with("", b.data, &len);
	warns = log_warn_count();
	assert_int_equal(event_parse(text, len, JAN2026, JAN2028, "UTC",
	    "many", &f, &err), 0);
	assert_int_equal(log_warn_count() - warns, 1);
	assert_int_equal(f.events[0].nattendees, 1000);
	assert_string_equal(f.events[0].attendees[999].addr,
	    "a999@acme999.nl");
	assert_int_equal(f.events[0].hashtags.n, 100);
	ical_file_free(&f);
	free(text);
	buf_free(&b);
}

/*
 * Times after 2582 in a zone: libical expands the zone's changes anew for
 * each (under its global lock); they take the offset of 2582 instead.
 */
static void
test_event_bound_far_zone_times(void **state)
{
	struct limited	 r;
	struct buf	 b = { 0 };
	size_t		 i, len;
	char		*text;

	(void)state;
	buf_puts(&b, "DTSTART;TZID=Europe/Amsterdam:99990105T100000\r\n");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "RDATE;TZID=Europe/Amsterdam:9999%02zu%02zuT10%02zu00\r\n",
		    i % 12 + 1, i % 28 + 1, i % 60);
	text = calendar_with("", b.data, &len);
	limited_parse(text, len, JAN2026, JAN2028, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nevents, 1);
	assert_int_equal(r.nocc, 0);
	free(text);
	buf_free(&b);
}

/*
 * CREATED, DTSTAMP and LAST-MODIFIED before 1990 or in the future are
 * read as absent (they date the event's signal: a DTSTAMP in 1970 or
 * 2100 opened deals then); plausible ones are kept.
 */
static void
test_event_implausible_stamps(void **state)
{
	static const struct {
		const char	*stamp;
		time_t		 want;
	} rows[] = {
		{ "19700101T000000Z", 0 },
		{ "19891231T235959Z", 0 },
		{ "21000101T000000Z", 0 },
		{ "19900101T000000Z", 631152000 },
		{ "20260901T100000Z", 1788256800 },
	};
	struct ical_file	 f;
	struct err		 err;
	size_t			 i, len;
	char			*lines, *text;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		print_message("# %s\n", rows[i].stamp);
		lines = xasprintf("DTSTART:20261005T080000Z\r\nCREATED:%s\r\n"
		    "LAST-MODIFIED:%s\r\n", rows[i].stamp, rows[i].stamp);
		text = calendar_with("", lines, &len);
		/* calendar_with's DTSTAMP, replaced by this one. */
		memcpy(strstr(text, "DTSTAMP:") + 8, rows[i].stamp, 16);
		assert_int_equal(event_parse(text, len, JAN2026, JAN2028,
		    "UTC", "stamps", &f, &err), 0);
		assert_int_equal(f.nevents, 1);
		assert_int_equal(f.events[0].created, rows[i].want);
		assert_int_equal(f.events[0].dtstamp, rows[i].want);
		assert_int_equal(f.events[0].last_modified, rows[i].want);
		ical_file_free(&f);
		free(text);
		free(lines);
	}
}

/*
 * The one recurrence window: whole days in the zone, from backfill_days
 * before today to the end of the day a year after today, whatever the
 * time of day of now.
 */
static void
test_event_window(void **state)
{
	static const struct {
		const char	*now, *tz;
		int		 backfill;
		const char	*from, *to;
	} rows[] = {
		{ "2026-11-21T12:00:00Z", "Europe/Amsterdam", 365,
		  "2025-11-20T23:00:00Z", "2027-11-21T23:00:00Z" },
		{ "2026-11-21T23:30:00Z", "Europe/Amsterdam", 365,
		  "2025-11-21T23:00:00Z", "2027-11-22T23:00:00Z" },
		{ "2026-07-01T00:00:00Z", "UTC", 0,
		  "2026-07-01T00:00:00Z", "2027-07-02T00:00:00Z" },
		{ "2026-03-29T12:00:00Z", "Europe/Amsterdam", 30,
		  "2026-02-26T23:00:00Z", "2027-03-29T22:00:00Z" },
	};
	time_t now, from, to;
	char f[32], t[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(util_tz_preload(rows[i].tz), 0);
		assert_int_equal(util_parse_time(rows[i].now, "UTC", &now), 0);
		event_window(now, rows[i].backfill, rows[i].tz, &from, &to);
		util_format_utc(from, f, sizeof f);
		util_format_utc(to, t, sizeof t);
		if (strcmp(f, rows[i].from) != 0 || strcmp(t, rows[i].to) != 0)
			fail_msg("row %zu: %s to %s", i, f, t);
	}
}

/* Parses text as UTC-floating "rule" and fails the test on an error. */
static void
rule_parse(const char *text, time_t from, time_t to, struct ical_file *f)
{
	struct err err;

	memset(f, 0, sizeof *f);
	if (event_parse(text, strlen(text), from, to, "Europe/Amsterdam",
	    "rule.ics", f, &err) != 0)
		fail_msg("%s", err.msg);
}

/*
 * The rules event.c walks itself (every INTERVAL days or weeks for COUNT
 * instances, event_rule_simple) give the instances libical's iterator
 * gives for the same rule with a BYMONTH of every month, which it walks:
 * the same set, across DST changes (a wall time that does not exist or
 * exists twice), in zones, UTC, floating and all-day, and with a window
 * that cuts the series.
 */
static void
test_event_simple_rules(void **state)
{
	static const char *const starts[] = {
		"DTSTART;TZID=Europe/Amsterdam:20260325T023000",
		"DTSTART;TZID=Europe/Amsterdam:20261020T020000",
		"DTSTART;TZID=America/New_York:20261029T013000",
		"DTSTART;TZID=America/New_York:20260306T090000",
		"DTSTART;TZID=America/New_York:20260306T023000",
		"DTSTART;TZID=Europe/Amsterdam:20260322T020000",
		"DTSTART;TZID=Europe/Amsterdam:20261025T023000",
		"DTSTART:20260325T023000Z",
		"DTSTART:20260325T023000",
		"DTSTART;VALUE=DATE:20260227",
		"DTSTART;TZID=Europe/Amsterdam:20251231T235959",
	};
	static const char *const freqs[] = { "DAILY", "WEEKLY" };
	static const int intervals[] = { 1, 2, 3 };
	static const int counts[] = { 1, 5, 30, 200 };
	static const time_t windows[][2] = {
		{ JAN2026, JAN2028 },
		{ JAN2026 + 60 * DAY, JAN2026 + 120 * DAY },
	};
	struct ical_file fast, slow;
	char text[1024];
	const char *fmt;
	size_t a, b, c, d, w, k, compared = 0;

	(void)state;
	assert_int_equal(util_tz_preload("Europe/Amsterdam"), 0);
	assert_int_equal(util_tz_preload("America/New_York"), 0);
	fmt = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:r@t\r\nDTSTAMP:20260101T000000Z\r\n"
	    "%s\r\n%s\r\nRRULE:FREQ=%s;INTERVAL=%d;COUNT=%d%s\r\n"
	    "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	for (a = 0; a < sizeof starts / sizeof starts[0]; a++)
	for (b = 0; b < 2; b++)
	for (c = 0; c < sizeof intervals / sizeof intervals[0]; c++)
	for (d = 0; d < sizeof counts / sizeof counts[0]; d++)
	for (w = 0; w < sizeof windows / sizeof windows[0]; w++) {
		const char *dur = strstr(starts[a], "DATE") != NULL ?
		    "DURATION:P1D" : "DURATION:PT1H";

		snprintf(text, sizeof text, fmt, starts[a], dur, freqs[b],
		    intervals[c], counts[d], "");
		rule_parse(text, windows[w][0], windows[w][1], &fast);
		snprintf(text, sizeof text, fmt, starts[a], dur, freqs[b],
		    intervals[c], counts[d],
		    ";BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12");
		rule_parse(text, windows[w][0], windows[w][1], &slow);
		if (fast.nocc != slow.nocc)
			fail_msg("%s FREQ=%s;INTERVAL=%d;COUNT=%d window %zu: "
			    "%zu instances, libical %zu", starts[a], freqs[b],
			    intervals[c], counts[d], w, fast.nocc, slow.nocc);
		for (k = 0; k < fast.nocc; k++) {
			if (fast.occ[k].start != slow.occ[k].start ||
			    fast.occ[k].end != slow.occ[k].end ||
			    fast.occ[k].recurrence_id !=
			    slow.occ[k].recurrence_id ||
			    strcmp(fast.occ[k].day, slow.occ[k].day) != 0)
				fail_msg("%s FREQ=%s;INTERVAL=%d;COUNT=%d "
				    "window %zu: instance %zu at %lld, "
				    "libical %lld", starts[a], freqs[b],
				    intervals[c], counts[d], w, k,
				    (long long)fast.occ[k].start,
				    (long long)slow.occ[k].start);
		}
		compared += fast.nocc;
		ical_file_free(&fast);
		ical_file_free(&slow);
	}
	/* Not a comparison of empty lists. */
	assert_true(compared > 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_fixtures),
		cmocka_unit_test(test_event_window),
		cmocka_unit_test(test_event_simple_rules),
		cmocka_unit_test(test_event_fields),
		cmocka_unit_test(test_event_all_day),
		cmocka_unit_test(test_event_all_day_no_end),
		cmocka_unit_test(test_event_status),
		cmocka_unit_test(test_event_hashtags),
		cmocka_unit_test(test_event_windows_zone),
		cmocka_unit_test(test_event_builtin_vtimezone_skipped),
		cmocka_unit_test(test_event_garbage),
		cmocka_unit_test(test_event_bare_vevent),
		cmocka_unit_test(test_event_big_description),
		cmocka_unit_test(test_event_far_years),
		cmocka_unit_test(test_event_invalid_utf8),
		cmocka_unit_test(test_event_bound_zone_frequency),
		cmocka_unit_test(test_event_bound_zone_changes),
		cmocka_unit_test(test_event_bound_zone_observances),
		cmocka_unit_test(test_event_bound_rscale),
		cmocka_unit_test(test_event_bound_warnings),
		cmocka_unit_test(test_event_bound_rule_walk),
		cmocka_unit_test(test_event_bound_occurrences),
		cmocka_unit_test(test_event_bound_parameters),
		cmocka_unit_test(test_event_bound_line),
		cmocka_unit_test(test_event_bound_nesting),
		cmocka_unit_test(test_event_bound_counts),
		cmocka_unit_test(test_event_bound_attendees),
		cmocka_unit_test(test_event_bound_far_zone_times),
		cmocka_unit_test(test_event_implausible_stamps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
