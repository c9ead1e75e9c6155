/* SPDX-License-Identifier: MIT */
/*
 * Event summaries from iCalendar text with libical 3.0.16.  Every VEVENT
 * becomes an event_summary; masters are expanded within a window with
 * their RRULE, RDATE and EXDATE, and sibling VEVENTs with a RECURRENCE-ID
 * then replace the occurrence they override, which libical's own iterator
 * does not do (libical#314).  Times are resolved here rather than by
 * icalproperty_get_datetime_with_component, because an unknown TZID must
 * not silently become floating: the builtin zones, CLDR's Windows names
 * (winzones.c), the Olson name at the end of a vendor's TZID
 * ("/mozilla.org/20070129_1/America/New_York"), the file's VTIMEZONE,
 * else the configured zone with a warning.  Nothing here touches the
 * network or the store.
 */
#define LOG_TAG "event"

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "event.h"
#include "log.h"
#include "mail.h"
#include "util.h"

/*
 * Bounds on expansion, so that no input takes long or much memory: a step
 * of libical's iterator costs some 4 us, an occurrence 48 bytes here and,
 * as an appointment, some 15 us and 300 bytes downstream.  Occurrences
 * per event (a runaway rule) and per file (a salesperson meets fewer in
 * the window); iterator steps per rule, also those before the window
 * (COUNT rules), and per file.
 */
#define EVENT_MAX_OCCURRENCES	10000
#define EVENT_FILE_OCCURRENCES	50000
#define EVENT_MAX_STEPS		100000
#define EVENT_FILE_STEPS	150000

/*
 * Attendees kept per event: classification compares each with the
 * others, and a meeting with more is not a sales appointment.
 */
#define EVENT_MAX_ATTENDEES	1000

/*
 * One call of libical's icalrecur_iterator_next() cannot be interrupted,
 * and it looks at every candidate time until one matches the rule: for
 * FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 every day up to year 2582, three
 * seconds; for a sub-daily rule every second, hours.  Before a rule is
 * walked (an event's, or a VTIMEZONE's, which libical walks itself on
 * the first conversion) the candidates are counted (event_rule_cost) and
 * charged to the object: at most this many, some 2-3 us each.
 */
#define EVENT_MAX_CANDIDATES	100000

/*
 * A VTIMEZONE says when a zone's offset changes, a few times a year: a
 * rule more often than daily is refused (one with FREQ=SECONDLY is two
 * thousand million changes, which libical keeps in one array), and so is
 * a zone with more changes than this up to the horizon it is followed to.
 */
#define EVENT_MAX_ZONE_CHANGES	2000

/*
 * The last year libical follows a zone or a rule to (MAX_TIME_T_YEAR,
 * ICALTIMEZONE_MAX_YEAR with a 64-bit time_t).
 */
#define EVENT_LAST_YEAR		2582

/*
 * Bounds on what one iCalendar object may cost libical, checked on the
 * text before libical sees it (event_parse_text).  libical's own test
 * data holds objects that cost it gigabytes (fuzz42521679: thousands of
 * TZID parameters on one line, each copied with the line up to it, and
 * all of them again for each comma-separated value), overflow the stack
 * when freed (fuzz69344: 26,000 nested components) or take seconds
 * (fuzz42517512: a line whose 20,000 parameters are each searched to
 * its end).  Beyond a bound the object is refused, naming the bound.
 * The counts that grow with an object (properties, components, the
 * copies a list value makes) are bounded in proportion to its size,
 * above a floor: a calendar exported whole over the years is big and
 * may cost libical in proportion; refused is a text that would cost it
 * out of all proportion.  In libical 3.0.16 a property costs 200-800
 * bytes, a component 200, a copy of a property for a further value of a
 * list 200 and its head: a megabyte of text stays under 64 MB.
 */
#define EVENT_MAX_LINE		(8u * 1024 * 1024) /* a content line, unfolded */
#define EVENT_MAX_HEAD		(16u * 1024)	/* its name and parameters */
#define EVENT_MAX_PARAMS	64		/* parameters of one property */
#define EVENT_MAX_DEPTH		8		/* VCALENDAR, VEVENT, VALARM: 3 */
#define EVENT_MAX_PROPERTIES	100000		/* each value of a list counted, */
#define EVENT_PROPERTY_BYTES	8		/* ... or one per 8 bytes */
#define EVENT_MAX_COMPONENTS	20000		/* or one per 32 bytes */
#define EVENT_COMPONENT_BYTES	32
#define EVENT_MAX_COPIES	(4u * 1024 * 1024) /* or one byte per byte */
#define EVENT_COPY_COST		256		/* a copy, besides its head */
#define EVENT_LIST_VALUES	500	/* libical's MAXIMUM_ALLOWED_MULTIPLE_VALUES */

/*
 * VTIMEZONEs: freeing one makes libical search the array of zones of its
 * parent, so that many (fuzz69888: 14,000) take it seconds to free; an
 * export with one per event (libical's large.ics: 225) takes
 * milliseconds.
 */
#define EVENT_MAX_ZONES		2000

/*
 * libical loads builtin zones lazily into one shared table, which 3.0.16
 * does not reliably guard (libical#319, PR #1029): every lookup in it
 * (event_builtin) is serialized with util.c's zone conversions under
 * util_ical_lock.  The rest is per object (the parsed tree, its own
 * VTIMEZONEs) or per thread (libical's error state and string ring), or
 * guarded by libical itself (the expanded changes of a zone), and runs
 * unlocked: a big or hostile object never holds up the other sources.
 */

/* What event_parse needs everywhere. */
struct event_ctx {
	icaltimezone	*deftz;		/* floating times, unknown TZIDs */
	const char	*tz;		/* its name, for warnings */
	const char	*what;		/* the item, for warnings */
	char		 warned[256];	/* "UID TZID" warned about */
	unsigned long	 steps;		/* iterator steps left */
	size_t		 occurrences;	/* occurrences left */
	unsigned long	 candidates;	/* candidate times left to walk */
	int		 horizon;	/* last year a VTIMEZONE is followed to */
	size_t		 nchecked;
	unsigned long	 warnings;	/* its parts' warnings (event_warn) */
	bool		 refused;	/* a VTIMEZONE in use was refused: */
	struct err	 err;		/* ... why */
	/* Last, not cleared (18 kB for each object): nchecked says. */
	icaltimezone	*checked[EVENT_MAX_ZONES]; /* VTIMEZONEs checked */
	bool		 usable[EVENT_MAX_ZONES];  /* ... and whether usable */
};

/*
 * A warning about one part of an object (a VEVENT, a time, a rule): at
 * most EVENT_MAX_WARNINGS lines an object, the others counted and said
 * in one line at its end (event_warned).  A file of 100,000 VEVENTs
 * without DTSTART wrote 100,000 lines.
 */
#define EVENT_MAX_WARNINGS	10
#define event_warn(ctx, ...) do {					\
	if ((ctx)->warnings++ < EVENT_MAX_WARNINGS)			\
		log_warn(__VA_ARGS__);					\
} while (0)

/* A time read from a property, in UTC. */
struct event_time {
	struct icaltimetype t;		/* with its zone; dates: none */
	time_t		 utc;		/* dates: midnight UTC */
	char		 day[11];	/* dates: "YYYY-MM-DD", else "" */
};

/* What expansion needs of a parsed VEVENT besides its summary. */
struct event_src {
	icalcomponent	*comp;		/* borrowed from the parsed tree */
	struct event_time dtstart;
	bool		 override;	/* has a RECURRENCE-ID */
	time_t		 rid;		/* its original start, UTC */
	size_t		 master;	/* of an override, or SIZE_MAX */
	bool		 superseded;	/* a newer version exists */
};

/* An occurrence being built: the master and original start are its key. */
struct event_build {
	size_t		 master;	/* SIZE_MAX: no master */
	time_t		 orig;		/* original start */
	bool		 drop;		/* moved out of the window */
	struct event_occurrence o;
};

struct event_builds {
	struct event_build *v;
	size_t		 n, cap;
};

/* Instance starts of one master. */
struct event_times {
	struct event_time *v;
	size_t		 n, cap;
};

/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
static int64_t
event_days(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* True when the fields of t form a real date and time. */
static bool
event_time_valid(struct icaltimetype t)
{
	if (icaltime_is_null_time(t))
		return (false);
	if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 ||
	    t.day < 1 || t.day > icaltime_days_in_month(t.month, t.year))
		return (false);
	if (t.is_date)
		return (true);
	return (t.hour >= 0 && t.hour <= 23 && t.minute >= 0 &&
	    t.minute <= 59 && t.second >= 0 && t.second <= 60);
}

/*
 * The UTC time_t of t: dates at midnight UTC, other times converted from
 * their zone.  libical's icaltime_as_timet gives -1 before 1902, so the
 * epoch arithmetic is done here.  libical follows a zone's changes up to
 * EVENT_LAST_YEAR and expands them all anew for every later time it is
 * asked about (under its global lock), so a later time takes the offset
 * of the same day and hour of that year.
 */
static time_t
event_utc(struct icaltimetype t)
{
	icaltimezone		*utc = icaltimezone_get_utc_timezone();
	struct icaltimetype	 c = t;
	time_t			 local;

	local = (time_t)event_days(t.year, t.month, t.day) * 86400;
	if (t.is_date)
		return (local);
	local += t.hour * 3600 + t.minute * 60 + t.second;
	if (t.zone == NULL || t.zone == utc)
		return (local);
	if (c.year > EVENT_LAST_YEAR) {
		c.year = EVENT_LAST_YEAR;
		if (c.day > icaltime_days_in_month(c.month, c.year))
			c.day = icaltime_days_in_month(c.month, c.year);
	}
	return (local - icaltimezone_get_utc_offset((icaltimezone *)t.zone,
	    &c, NULL));
}

/* The date or date-time value of a property (PERIOD values: their start). */
static struct icaltimetype
event_prop_value(icalproperty *prop)
{
	icalvalue			*v = icalproperty_get_value(prop);
	struct icaldatetimeperiodtype	 dtp;

	if (v == NULL)
		return (icaltime_null_time());
	switch (icalvalue_isa(v)) {
	case ICAL_DATE_VALUE:
		return (icalvalue_get_date(v));
	case ICAL_DATETIME_VALUE:
		return (icalvalue_get_datetime(v));
	case ICAL_DATETIMEPERIOD_VALUE:
		dtp = icalvalue_get_datetimeperiod(v);
		if (!icaltime_is_null_time(dtp.time))
			return (dtp.time);
		return (dtp.period.start);
	case ICAL_PERIOD_VALUE:
		return (icalvalue_get_period(v).start);
	default:
		return (icaltime_null_time());
	}
}

/*
 * True when a VTIMEZONE can convert times: libical needs DTSTART and
 * TZOFFSETTO in each observance (Outlook sometimes leaves them out,
 * libical#141); a broken one is not used.
 */
static bool
event_vtimezone_usable(icaltimezone *zone)
{
	icalcomponent	*vtz = icaltimezone_get_component(zone), *c;
	size_t		 n = 0;

	if (vtz == NULL)
		return (false);
	for (c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(c) != ICAL_XSTANDARD_COMPONENT &&
		    icalcomponent_isa(c) != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		if (icalcomponent_get_first_property(c,
		    ICAL_DTSTART_PROPERTY) == NULL ||
		    icalcomponent_get_first_property(c,
		    ICAL_TZOFFSETTO_PROPERTY) == NULL)
			return (false);
		n++;
	}
	return (n > 0);
}

/* The number of values in the BY list v of n slots. */
static unsigned long
event_by_count(const short *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n && v[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		;
	return (i);
}

#define EVENT_BY(a)	event_by_count((a), sizeof (a) / sizeof (a)[0])

/* a * b, saturating. */
static unsigned long
event_mul(unsigned long a, unsigned long b)
{
	if (b == 0)
		b = 1;
	if (a > ULONG_MAX / b)
		return (ULONG_MAX);
	return (a * b);
}

/*
 * The days a monthly or yearly rule has libical look at in each month:
 * every day when a BY part filters days (BYMONTHDAY, BYYEARDAY, BYWEEKNO,
 * BYSETPOS, a BYDAY weekday without position), else one per positioned
 * weekday ("-1SU", as zones change on the last Sunday of a month).
 */
static unsigned long
event_month_cost(const struct icalrecurrencetype *r)
{
	unsigned long	 i, nday = EVENT_BY(r->by_day);

	if (EVENT_BY(r->by_month_day) + EVENT_BY(r->by_year_day) +
	    EVENT_BY(r->by_week_no) + EVENT_BY(r->by_set_pos) > 0)
		return (31);
	for (i = 0; i < nday; i++)
		if (icalrecurrencetype_day_position(r->by_day[i]) == 0)
			return (31);
	return (nday > 0 ? nday : 1);
}

/*
 * An upper bound on the candidate times libical's iterator looks at when
 * it walks rule r through span seconds.  Without BY parts each call finds
 * the next instance at once (the caller bounds the calls).  With them, a
 * call may pass over any number of candidates that do not match: every
 * day of a daily rule, the listed weekdays of each week of a weekly one,
 * the days of each month of a monthly one (event_month_cost), and of each
 * month of a yearly one (only the listed months with BYMONTH), each times
 * the times of day its BYHOUR, BYMINUTE and BYSECOND lists expand a day
 * to; for a
 * rule more frequent than daily every step of its frequency and
 * interval, times the finer lists it expands to.
 */
static unsigned long
event_rule_cost(const struct icalrecurrencetype *r, time_t span)
{
	static const unsigned long unit[] = { 1, 60, 3600 };
	unsigned long	 nsec, nmin, nhour, nmonth, nday, days, n;

	nsec = EVENT_BY(r->by_second);
	nmin = EVENT_BY(r->by_minute);
	nhour = EVENT_BY(r->by_hour);
	nmonth = EVENT_BY(r->by_month);
	nday = EVENT_BY(r->by_day);
	if (nsec + nmin + nhour + nmonth + nday + EVENT_BY(r->by_month_day) +
	    EVENT_BY(r->by_year_day) + EVENT_BY(r->by_week_no) +
	    EVENT_BY(r->by_set_pos) == 0)
		return (0);
	if (span < 0)
		span = 0;
	days = (unsigned long)(span / 86400) + 1;
	switch (r->freq) {
	case ICAL_SECONDLY_RECURRENCE:
	case ICAL_MINUTELY_RECURRENCE:
	case ICAL_HOURLY_RECURRENCE:
		n = (unsigned long)(span / (time_t)unit[r->freq] /
		    (r->interval > 1 ? r->interval : 1)) + 1;
		if (r->freq == ICAL_HOURLY_RECURRENCE)
			n = event_mul(n, nmin);
		if (r->freq != ICAL_SECONDLY_RECURRENCE)
			n = event_mul(n, nsec);
		return (n);
	case ICAL_DAILY_RECURRENCE:
		n = days;
		break;
	case ICAL_WEEKLY_RECURRENCE:
		n = event_mul(days / 7 + 1, nday);
		break;
	case ICAL_MONTHLY_RECURRENCE:
		n = event_mul(days / 28 + 1, event_month_cost(r));
		break;
	default:
		n = event_mul(days / 365 + 1, event_mul(nmonth > 0 ? nmonth :
		    12, event_month_cost(r)));
		break;
	}
	return (event_mul(event_mul(event_mul(n, nhour), nmin), nsec));
}

/*
 * Charges the walk of rule r through span seconds to the object; false
 * when that is more than it has left.
 */
static bool
event_charge(struct event_ctx *ctx, const struct icalrecurrencetype *r,
    time_t span)
{
	unsigned long	 cost = event_rule_cost(r, span);

	if (cost > ctx->candidates)
		return (false);
	ctx->candidates -= cost;
	return (true);
}

/* A copy of s fit for a message: printable ASCII, at most outlen - 1. */
static const char *
event_printable(const char *s, char *out, size_t outlen)
{
	size_t	i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < outlen; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
	return (out);
}

/*
 * True for a rule in the Gregorian calendar (no RSCALE, or GREGORIAN).
 * Another scale walks ICU's calendar, the Chinese one astronomically:
 * a rule that never matches there (BYMONTHDAY=30;BYMONTH=1L) took
 * minutes inside icalrecur_iterator_new, whatever its UNTIL, where the
 * cost model charged it 62 candidates.
 */
static bool
event_rscale_gregorian(const struct icalrecurrencetype *r)
{
	return (r->rscale == NULL || strcasecmp(r->rscale, "GREGORIAN") == 0);
}

/*
 * Checks the rules of one STANDARD or DAYLIGHT observance of a VTIMEZONE
 * before libical expands them (icaltimezone_expand_vtimezone walks each
 * RRULE from the observance's last DTSTART, one change per instance):
 * a rule more often than daily is refused; UNTIL is moved to the end of
 * the horizon, so that no call of the iterator walks beyond it; the walk
 * is charged to the object and its changes, with the RDATEs and DTSTART,
 * counted into *changes.  -1 with err when the zone is refused.
 */
static int
event_check_observance(icalcomponent *obs, const char *tzid,
    struct event_ctx *ctx, size_t *changes, struct err *err)
{
	struct icalrecurrencetype	 r;
	struct icaltimetype		 dtstart = icaltime_null_time(), end;
	icalrecur_iterator		*it;
	icalproperty			*p;
	char				 name[64];

	for (p = icalcomponent_get_first_property(obs, ICAL_ANY_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(obs, ICAL_ANY_PROPERTY)) {
		if (icalproperty_isa(p) == ICAL_DTSTART_PROPERTY)
			dtstart = icalproperty_get_dtstart(p);
		else if (icalproperty_isa(p) == ICAL_RDATE_PROPERTY)
			(*changes)++;
	}
	/* Observances and RDATEs count as rules' instances do. */
	if (++(*changes) > EVENT_MAX_ZONE_CHANGES) {
		event_printable(tzid, name, sizeof name);
		return (err_set(err, ERR_DATA, "%s: VTIMEZONE \"%s\": more "
		    "than %d changes of offset", ctx->what, name,
		    EVENT_MAX_ZONE_CHANGES));
	}
	if (!event_time_valid(dtstart)) {
		/*
		 * libical expands such an observance all the same, from year
		 * 0 on: with a rule, that walk would be neither clamped nor
		 * charged.
		 */
		if (icalcomponent_get_first_property(obs,
		    ICAL_RRULE_PROPERTY) == NULL)
			return (0);
		event_printable(tzid, name, sizeof name);
		return (err_set(err, ERR_DATA, "%s: VTIMEZONE \"%s\": an "
		    "observance with a rule has no valid DTSTART", ctx->what,
		    name));
	}
	end = icaltime_null_time();
	end.year = ctx->horizon;
	end.month = 12;
	end.day = 31;
	end.hour = 23;
	end.minute = 59;
	end.second = 59;
	end.is_date = dtstart.is_date;
	for (p = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(obs, ICAL_RRULE_PROPERTY)) {
		r = icalproperty_get_rrule(p);
		if (r.freq == ICAL_NO_RECURRENCE)
			continue;
		event_printable(tzid, name, sizeof name);
		if (r.freq < ICAL_DAILY_RECURRENCE)
			return (err_set(err, ERR_DATA, "%s: VTIMEZONE \"%s\": "
			    "RRULE FREQ=%s changes the offset more often "
			    "than daily", ctx->what, name,
			    icalrecur_freq_to_string(r.freq)));
		if (!event_rscale_gregorian(&r))
			return (err_set(err, ERR_DATA, "%s: VTIMEZONE \"%s\": "
			    "RRULE in a calendar other than the Gregorian",
			    ctx->what, name));
		if (icaltime_is_null_time(r.until) ||
		    icaltime_compare(r.until, end) > 0) {
			r.until = end;
			icalproperty_set_rrule(p, r);
		}
		if (!event_charge(ctx, &r, (time_t)(event_days(end.year,
		    end.month, end.day) - event_days(dtstart.year,
		    dtstart.month, dtstart.day)) * 86400))
			return (err_set(err, ERR_DATA, "%s: VTIMEZONE \"%s\": "
			    "RRULE needs more than %d candidate times to "
			    "expand", ctx->what, name, EVENT_MAX_CANDIDATES));
		it = icalrecur_iterator_new(r, dtstart);
		while (it != NULL && *changes <= EVENT_MAX_ZONE_CHANGES &&
		    !icaltime_is_null_time(icalrecur_iterator_next(it)))
			(*changes)++;
		icalrecur_iterator_free(it);
		if (*changes > EVENT_MAX_ZONE_CHANGES)
			return (err_set(err, ERR_DATA, "%s: VTIMEZONE \"%s\": "
			    "more than %d changes of offset up to %d",
			    ctx->what, name, EVENT_MAX_ZONE_CHANGES,
			    ctx->horizon));
	}
	return (0);
}

/*
 * Makes libical expand the changes of a VTIMEZONE of the object now, up
 * to its last year: it expands a zone again from the start each time a
 * later year is asked for, and events in ascending years would have it
 * walk the zone's rules a hundred times.  The rules end at the horizon
 * (event_check_zone), so this costs what was charged for them, once.
 */
static void
event_zone_expand(icaltimezone *zone)
{
	struct icaltimetype	 t = icaltime_null_time();

	t.year = EVENT_LAST_YEAR;
	t.month = 1;
	t.day = 1;
	(void)icaltimezone_get_utc_offset(zone, &t, NULL);
}

/*
 * Checks (and clamps) a VTIMEZONE of the object when an event is first
 * read in it, before libical expands it, and expands it then; a zone no
 * event uses is never expanded, and a feed's item that holds all its
 * zones is not refused for one it does not use.  The verdict is kept:
 * each time of each event asks again (10,000 EXDATEs walked a zone of
 * 10,000 observances each).  Returns 1 when the zone converts times, 0
 * when it cannot (event_vtimezone_usable), or -1 with the refusal in
 * ctx->err (and ctx->refused set: the object is refused at the end).
 */
static int
event_check_zone(icaltimezone *zone, struct event_ctx *ctx)
{
	icalcomponent	*vtz, *obs;
	size_t		 i, changes = 0;
	bool		 usable;

	for (i = 0; i < ctx->nchecked; i++)
		if (ctx->checked[i] == zone)
			return (ctx->usable[i] ? 1 : 0);
	if (ctx->refused)
		return (-1);
	usable = event_vtimezone_usable(zone);
	vtz = usable ? icaltimezone_get_component(zone) : NULL;
	for (obs = vtz != NULL ? icalcomponent_get_first_component(vtz,
	    ICAL_ANY_COMPONENT) : NULL; obs != NULL;
	    obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		if ((icalcomponent_isa(obs) == ICAL_XSTANDARD_COMPONENT ||
		    icalcomponent_isa(obs) == ICAL_XDAYLIGHT_COMPONENT) &&
		    event_check_observance(obs, icaltimezone_get_tzid(zone),
		    ctx, &changes, &ctx->err) == -1) {
			ctx->refused = true;
			return (-1);
		}
	}
	/* At most EVENT_MAX_ZONES VTIMEZONEs (event_scan_check). */
	if (ctx->nchecked < EVENT_MAX_ZONES) {
		ctx->usable[ctx->nchecked] = usable;
		ctx->checked[ctx->nchecked++] = zone;
	}
	if (usable)
		event_zone_expand(zone);
	return (usable ? 1 : 0);
}

const char *
event_windows_zone(const char *windows_name)
{
	size_t	i;

	if (windows_name == NULL)
		return (NULL);
	for (i = 0; i < event_nwinzones; i++) {
		if (strcasecmp(event_winzones[i].windows, windows_name) == 0)
			return (event_winzones[i].iana);
	}
	return (NULL);
}

/*
 * The IANA name for Outlook's display form of a zone, "(UTC+01:00)
 * Amsterdam, Berlin, ..." (older versions write "(GMT+01:00)"), or NULL.
 */
static const char *
event_display_zone(const char *tzid)
{
	size_t	i;

	if (strncasecmp(tzid, "(UTC", 4) != 0 &&
	    strncasecmp(tzid, "(GMT", 4) != 0)
		return (NULL);
	for (i = 0; i < event_nwinzones; i++) {
		if (strcasecmp(event_winzones[i].display + 4, tzid + 4) == 0)
			return (event_winzones[i].iana);
	}
	return (NULL);
}

/*
 * The builtin zone of a name, loaded, or NULL: under util_ical_lock, since
 * libical appends to its shared table of zones and loads each one on
 * first use without a lock that holds in 3.0.16.
 */
static icaltimezone *
event_builtin(const char *name, bool from_tzid)
{
	icaltimezone	*zone;

	util_ical_lock();
	zone = from_tzid ? icaltimezone_get_builtin_timezone_from_tzid(name) :
	    util_builtin_zone(name);
	if (zone != NULL)
		(void)icaltimezone_get_component(zone);
	util_ical_unlock();
	return (zone);
}

/* Olson names have at most this many parts ("America/Argentina/Salta"). */
#define EVENT_OLSON_PARTS	3

/*
 * The zone named at the end of a vendor's globally unique TZID (RFC 5545
 * section 3.2.19: one that starts with "/"), as old Lightning
 * ("/mozilla.org/20070129_1/America/New_York"), Evolution
 * ("/softwarestudio.org/Olson_20011030_5/America/New_York") and others
 * wrote them: the longest of the last EVENT_OLSON_PARTS parts that is a
 * builtin zone, or a Windows name mapped by CLDR.  NULL if none is.
 */
static icaltimezone *
event_vendor_zone(const char *tzid)
{
	const char	*part[EVENT_OLSON_PARTS], *p;
	icaltimezone	*zone;
	const char	*iana;
	size_t		 n = 0, i;

	if (tzid[0] != '/')
		return (NULL);
	for (p = tzid + strlen(tzid); p > tzid && n < EVENT_OLSON_PARTS; p--)
		if (p[-1] == '/' && *p != '\0')
			part[n++] = p;
	for (i = n; i > 0; i--) {
		zone = event_builtin(part[i - 1], false);
		if (zone != NULL)
			return (zone);
		iana = event_windows_zone(part[i - 1]);
		if (iana != NULL && (zone = event_builtin(iana, false)) != NULL)
			return (zone);
	}
	return (NULL);
}

/*
 * The zone of a property's TZID: a builtin zone of that name, a Windows
 * name or Outlook display form mapped by CLDR, the zone at the end of a
 * vendor's TZID (event_vendor_zone), a usable VTIMEZONE of the VCALENDAR
 * holding comp, else the configured zone with a warning.  The
 * system's tz data goes first: it is exact for past years, where
 * Outlook's VTIMEZONE repeats today's rule back to 1601, and libical
 * expands a VTIMEZONE anew for every parse (7 ms from 1970, 45 ms from
 * 1601, against well under 1 ms).  NULL when there is no TZID.
 */
static icaltimezone *
event_zone(icalcomponent *comp, icalproperty *prop,
    struct event_ctx *ctx, const char *uid)
{
	icalparameter	*param;
	icalcomponent	*cal;
	icaltimezone	*zone;
	const char	*tzid, *iana;
	char		 key[sizeof ctx->warned];

	param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
	if (param == NULL)
		return (NULL);
	tzid = icalparameter_get_tzid(param);
	if (tzid == NULL || *tzid == '\0')
		return (NULL);

	zone = event_builtin(tzid, false);
	if (zone != NULL)
		return (zone);
	iana = event_windows_zone(tzid);
	if (iana == NULL)
		iana = event_display_zone(tzid);
	if (iana != NULL) {
		zone = event_builtin(iana, false);
		if (zone != NULL)
			return (zone);
	}
	zone = event_vendor_zone(tzid);
	if (zone != NULL)
		return (zone);
	cal = icalcomponent_get_parent(comp);
	if (cal != NULL) {
		zone = icalcomponent_get_timezone(cal, tzid);
		switch (zone != NULL ? event_check_zone(zone, ctx) : 0) {
		case -1:
			return (ctx->deftz);
		case 1:
			return (zone);
		}
	}
	zone = event_builtin(tzid, true);
	if (zone != NULL)
		return (zone);

	/* DTSTART, DTEND and RECURRENCE-ID usually share one TZID. */
	snprintf(key, sizeof key, "%s %s", uid, tzid);
	if (strcmp(key, ctx->warned) != 0) {
		event_warn(ctx, "%s: %s: unknown TZID \"%s\", read in %s",
		    ctx->what, uid, tzid, ctx->tz);
		memcpy(ctx->warned, key, sizeof ctx->warned);
	}
	return (ctx->deftz);
}

/*
 * Reads the time t of property prop of comp into out: dates stay dates,
 * UTC stays UTC, a TZID is resolved by event_zone and floating times are
 * in the configured zone.  Returns -1 when t is not a valid time.
 */
static int
event_time(icalcomponent *comp, icalproperty *prop, struct icaltimetype t,
    struct event_ctx *ctx, const char *uid, struct event_time *out)
{
	icaltimezone	*zone;

	memset(out, 0, sizeof *out);
	if (!event_time_valid(t))
		return (-1);
	if (t.is_date) {
		t.zone = NULL;
		snprintf(out->day, sizeof out->day, "%04d-%02d-%02d", t.year,
		    t.month, t.day);
	} else if (!icaltime_is_utc(t)) {
		zone = event_zone(comp, prop, ctx, uid);
		if (zone == NULL)
			zone = ctx->deftz;
		t = icaltime_set_timezone(&t, zone);
	}
	out->t = t;
	out->utc = event_utc(t);
	return (0);
}

/* Reads the time of the first property of kind k; -1 if none or invalid. */
static int
event_prop_time(icalcomponent *comp, icalproperty_kind k,
    struct event_ctx *ctx, const char *uid, struct event_time *out)
{
	icalproperty	*prop;

	prop = icalcomponent_get_first_property(comp, k);
	if (prop == NULL)
		return (-1);
	return (event_time(comp, prop, event_prop_value(prop), ctx, uid, out));
}

/*
 * A copy of a cal-address without "mailto:", trimmed and lower-cased, as
 * valid UTF-8.
 */
static char *
event_address(const char *value)
{
	char	*s;

	if (value == NULL)
		return (NULL);
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncasecmp(value, "mailto:", 7) == 0)
		value += 7;
	s = util_utf8_repair(util_lower(util_trim(xstrdup(value))));
	if (*s == '\0') {
		free(s);
		return (NULL);
	}
	return (s);
}

/* A copy of a text property's value, "" when absent, as valid UTF-8. */
static char *
event_text(icalcomponent *comp, icalproperty_kind k)
{
	icalproperty	*prop;
	const char	*s = NULL;

	prop = icalcomponent_get_first_property(comp, k);
	if (prop != NULL && icalproperty_get_value(prop) != NULL)
		s = icalvalue_get_text(icalproperty_get_value(prop));
	return (util_utf8_repair(xstrdup(s != NULL ? s : "")));
}

/*
 * Adds the ATTENDEEs of comp to ev, the first EVENT_MAX_ATTENDEES of
 * them (with a warning): what reads them compares each with the others.
 */
static void
event_attendees(icalcomponent *comp, struct event_ctx *ctx,
    struct event_summary *ev)
{
	icalproperty		*p;
	icalparameter		*param;
	struct event_attendee	*a;
	const char		*cn;
	char			*addr;
	size_t			 n = 0;

	for (p = icalcomponent_get_first_property(comp, ICAL_ATTENDEE_PROPERTY);
	    p != NULL && n <= EVENT_MAX_ATTENDEES;
	    p = icalcomponent_get_next_property(comp, ICAL_ATTENDEE_PROPERTY))
		n++;
	if (n > EVENT_MAX_ATTENDEES) {
		event_warn(ctx, "%s: %s: more than %d attendees, the rest "
		    "ignored", ctx->what, ev->uid, EVENT_MAX_ATTENDEES);
		n = EVENT_MAX_ATTENDEES;
	}
	if (n == 0)
		return;
	ev->attendees = xreallocarray(NULL, n, sizeof *ev->attendees);
	for (p = icalcomponent_get_first_property(comp, ICAL_ATTENDEE_PROPERTY);
	    p != NULL && ev->nattendees < n;
	    p = icalcomponent_get_next_property(comp, ICAL_ATTENDEE_PROPERTY)) {
		addr = event_address(icalproperty_get_attendee(p));
		if (addr == NULL)
			continue;
		a = &ev->attendees[ev->nattendees++];
		a->addr = addr;
		a->name = NULL;
		param = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
		cn = param != NULL ? icalparameter_get_cn(param) : NULL;
		if (cn != NULL && *cn != '\0')
			a->name = util_utf8_repair(xstrdup(cn));
		param = icalproperty_get_first_parameter(p,
		    ICAL_PARTSTAT_PARAMETER);
		a->declined = param != NULL &&
		    icalparameter_get_partstat(param) == ICAL_PARTSTAT_DECLINED;
		a->accepted = param != NULL &&
		    icalparameter_get_partstat(param) == ICAL_PARTSTAT_ACCEPTED;
	}
}

/* Frees what an event summary owns. */
static void
event_summary_free(struct event_summary *ev)
{
	size_t	i;

	free(ev->uid);
	free(ev->summary);
	free(ev->location);
	free(ev->organizer);
	for (i = 0; i < ev->nattendees; i++) {
		free(ev->attendees[i].addr);
		free(ev->attendees[i].name);
	}
	free(ev->attendees);
	strlist_clear(&ev->hashtags);
	memset(ev, 0, sizeof *ev);
}

/*
 * Reads the start and end of comp into ev: DTEND, else DURATION, else
 * the start, or for a date the next day (RFC 5545 section 3.6.1: such an
 * event takes the whole day).  An end before the start is logged and set
 * to the start.
 * Returns -1 (logged) when DTSTART is missing or invalid.
 */
static int
event_read_span(icalcomponent *comp, struct event_ctx *ctx,
    struct event_summary *ev, struct event_src *src)
{
	struct event_time	 end;
	icalproperty		*p;
	struct icaldurationtype	 dur;

	if (event_prop_time(comp, ICAL_DTSTART_PROPERTY, ctx, ev->uid,
	    &src->dtstart) == -1) {
		event_warn(ctx, "%s: %s: no valid DTSTART, skipped", ctx->what,
		    ev->uid);
		return (-1);
	}
	ev->start = ev->end = src->dtstart.utc;
	ev->all_day = src->dtstart.t.is_date;
	memcpy(ev->start_day, src->dtstart.day, sizeof ev->start_day);

	if (event_prop_time(comp, ICAL_DTEND_PROPERTY, ctx, ev->uid,
	    &end) == 0) {
		ev->end = end.utc;
	} else {
		p = icalcomponent_get_first_property(comp,
		    ICAL_DURATION_PROPERTY);
		if (p != NULL) {
			dur = icalproperty_get_duration(p);
			if (!icaldurationtype_is_bad_duration(dur))
				ev->end = ev->start +
				    icaldurationtype_as_int(dur);
		} else if (ev->all_day) {
			end.t = src->dtstart.t;
			icaltime_adjust(&end.t, 1, 0, 0, 0);
			ev->end = event_utc(end.t);
		}
	}
	if (ev->end < ev->start) {
		event_warn(ctx, "%s: %s: ends before it starts, end set to "
		    "start", ctx->what, ev->uid);
		ev->end = ev->start;
	}
	return (0);
}

/*
 * Fills ev and src from one VEVENT.  Returns -1 (logged) when it has to
 * be skipped: no UID, no valid DTSTART.
 */
static int
event_read(icalcomponent *comp, struct event_ctx *ctx,
    struct event_summary *ev, struct event_src *src)
{
	struct event_time	 t;
	icalproperty		*p;
	icalparameter		*range;
	const char		*uid, *desc;
	enum icalproperty_class	 cls;
	enum icalproperty_transp transp;

	memset(ev, 0, sizeof *ev);
	memset(src, 0, sizeof *src);
	src->comp = comp;
	src->master = SIZE_MAX;

	uid = icalcomponent_get_uid(comp);
	if (uid == NULL || *uid == '\0') {
		event_warn(ctx, "%s: VEVENT without UID, skipped", ctx->what);
		return (-1);
	}
	ev->uid = util_utf8_repair(xstrdup(uid));
	if (event_read_span(comp, ctx, ev, src) == -1)
		goto fail;

	p = icalcomponent_get_first_property(comp, ICAL_RECURRENCEID_PROPERTY);
	if (p != NULL) {
		if (event_time(comp, p, event_prop_value(p), ctx, ev->uid,
		    &t) == -1) {
			event_warn(ctx, "%s: %s: invalid RECURRENCE-ID, "
			    "skipped", ctx->what, ev->uid);
			goto fail;
		}
		src->override = true;
		src->rid = ev->recurrence_id = t.utc;
		range = icalproperty_get_first_parameter(p,
		    ICAL_RANGE_PARAMETER);
		if (range != NULL && icalparameter_get_range(range) ==
		    ICAL_RANGE_THISANDFUTURE)
			log_info("%s: %s: RANGE=THISANDFUTURE read as one "
			    "override", ctx->what, ev->uid);
	}
	ev->recurring = src->override ||
	    icalcomponent_get_first_property(comp, ICAL_RRULE_PROPERTY) !=
	    NULL ||
	    icalcomponent_get_first_property(comp, ICAL_RDATE_PROPERTY) != NULL;

	/*
	 * Stamps before 1990 or more than a day from now are none: they
	 * date the event's signal (util_time_plausible).
	 */
	if (event_prop_time(comp, ICAL_CREATED_PROPERTY, ctx, ev->uid,
	    &t) == 0 && util_time_plausible(t.utc, 0))
		ev->created = t.utc;
	if (event_prop_time(comp, ICAL_DTSTAMP_PROPERTY, ctx, ev->uid,
	    &t) == 0 && util_time_plausible(t.utc, 0))
		ev->dtstamp = t.utc;
	if (event_prop_time(comp, ICAL_LASTMODIFIED_PROPERTY, ctx, ev->uid,
	    &t) == 0 && util_time_plausible(t.utc, 0))
		ev->last_modified = t.utc;

	ev->summary = event_text(comp, ICAL_SUMMARY_PROPERTY);
	ev->location = event_text(comp, ICAL_LOCATION_PROPERTY);
	p = icalcomponent_get_first_property(comp, ICAL_ORGANIZER_PROPERTY);
	if (p != NULL)
		ev->organizer = event_address(icalproperty_get_organizer(p));
	event_attendees(comp, ctx, ev);

	switch (icalcomponent_get_status(comp)) {
	case ICAL_STATUS_CANCELLED:
		ev->status = EVENT_CANCELLED;
		break;
	case ICAL_STATUS_TENTATIVE:
		ev->status = EVENT_TENTATIVE;
		break;
	default:
		ev->status = EVENT_CONFIRMED;
		break;
	}
	p = icalcomponent_get_first_property(comp, ICAL_CLASS_PROPERTY);
	if (p != NULL) {
		cls = icalproperty_get_class(p);
		ev->private = cls == ICAL_CLASS_PRIVATE ||
		    cls == ICAL_CLASS_CONFIDENTIAL;
	}
	p = icalcomponent_get_first_property(comp, ICAL_TRANSP_PROPERTY);
	if (p != NULL) {
		transp = icalproperty_get_transp(p);
		ev->transparent = transp == ICAL_TRANSP_TRANSPARENT ||
		    transp == ICAL_TRANSP_TRANSPARENTNOCONFLICT;
	}
	p = icalcomponent_get_first_property(comp, ICAL_SEQUENCE_PROPERTY);
	if (p != NULL)
		ev->sequence = icalproperty_get_sequence(p);

	p = icalcomponent_get_first_property(comp, ICAL_DESCRIPTION_PROPERTY);
	desc = p != NULL ? icalproperty_get_description(p) : NULL;
	if (desc != NULL)
		mail_find_hashtags(&ev->hashtags, desc, strlen(desc));
	return (0);

fail:
	event_summary_free(ev);
	return (-1);
}

/* Appends an instance start. */
static void
event_times_add(struct event_times *l, const struct event_time *t)
{
	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = *t;
}

/* Orders instance starts by time. */
static int
event_times_cmp(const void *a, const void *b)
{
	const struct event_time	*x = a, *y = b;

	return ((x->utc > y->utc) - (x->utc < y->utc));
}

/*
 * True for rules libical can walk in bounded time.  A sub-daily rule that
 * also filters by day, week, month or set position may step second by
 * second through years before it finds (or never finds) a match, inside
 * one call that cannot be interrupted.
 */
static bool
event_rule_supported(const struct icalrecurrencetype *r)
{
	if (r->freq == ICAL_NO_RECURRENCE || !event_rscale_gregorian(r))
		return (false);
	if (r->freq > ICAL_HOURLY_RECURRENCE)
		return (true);
	return (r->by_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r->by_year_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r->by_week_no[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r->by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX);
}

/*
 * True for the rules walked here instead of by libical: every INTERVAL
 * days or weeks for COUNT instances, without BY parts, RSCALE or an UNTIL
 * before the walk's end (own_until).  Their instances are DTSTART's wall
 * time on every INTERVAL-th day or week from DTSTART's date, as libical
 * gives them until one falls in a gap of the zone (event_wall_exists);
 * its iterator takes some 25,000 instructions a step through ICU's
 * calendar, a tenth of a first sync of a calendar with series.  A rule
 * without COUNT is libical's: its walk jumps ahead to the window.
 */
static bool
event_rule_simple(const struct icalrecurrencetype *r, bool own_until)
{
	return ((r->freq == ICAL_DAILY_RECURRENCE ||
	    r->freq == ICAL_WEEKLY_RECURRENCE) && r->count > 0 &&
	    r->interval >= 1 && !own_until && r->rscale == NULL &&
	    EVENT_BY(r->by_second) + EVENT_BY(r->by_minute) +
	    EVENT_BY(r->by_hour) + EVENT_BY(r->by_day) +
	    EVENT_BY(r->by_month_day) + EVENT_BY(r->by_year_day) +
	    EVENT_BY(r->by_week_no) + EVENT_BY(r->by_month) +
	    EVENT_BY(r->by_set_pos) == 0);
}

/*
 * Whether a wall time exists in its zone: not in the hour a change to
 * summer time skips.  libical's iterator moves such an instance, and
 * some after it, as ICU's calendar does; the walk is then its.
 */
static bool
event_wall_exists(struct icaltimetype t)
{
	struct icaltimetype	back;

	if (t.is_date || t.zone == NULL ||
	    t.zone == icaltimezone_get_utc_timezone())
		return (true);
	back = icaltime_from_timet_with_zone(event_utc(t), 0,
	    (icaltimezone *)t.zone);
	return (back.year == t.year && back.month == t.month &&
	    back.day == t.day && back.hour == t.hour &&
	    back.minute == t.minute && back.second == t.second);
}

/*
 * The next instance of a simple rule (event_rule_simple) after *t, its
 * k-th (0: DTSTART itself), or the null time past COUNT or UNTIL, as
 * libical's iterator ends.
 */
static struct icaltimetype
event_rule_next(const struct icalrecurrencetype *r, struct icaltimetype *t,
    unsigned long k)
{
	if (k >= (unsigned long)r->count)
		return (icaltime_null_time());
	if (k > 0)
		icaltime_adjust(t, r->freq == ICAL_WEEKLY_RECURRENCE ?
		    7 * r->interval : r->interval, 0, 0, 0);
	if (icaltime_compare(*t, r->until) > 0)
		return (icaltime_null_time());
	return (*t);
}

/*
 * Adds the instances of one RRULE that start within [from, to) to out.
 * Without COUNT the iterator jumps to a day before the window (libical's
 * set_start is off by the zone offset for sub-daily rules, and loses the
 * phase of sub-daily intervals, so those walk from DTSTART).  UNTIL is
 * brought to a day after the window, in DTSTART's zone, so that no call
 * of the iterator looks beyond it (nor converts zones at each step), and
 * the walk is charged to the object (event_charge) before it starts.
 * The walk is capped in steps and in instances, with a warning.
 */
static void
event_expand_rule(icalproperty *rrule, const struct event_time *dtstart,
    time_t from, time_t to, struct event_ctx *ctx, const char *uid,
    struct event_times *out)
{
	struct icalrecurrencetype	 r = icalproperty_get_rrule(rrule);
	icaltimezone			*zone = (icaltimezone *)dtstart->t.zone;
	icalrecur_iterator		*it = NULL;
	struct icaltimetype		 s, end, cur = dtstart->t;
	struct event_time		 t;
	unsigned long			 steps, k;
	time_t				 walk, last;
	size_t				 n = 0;
	bool				 jump, own_until = false, simple;

	if (!event_rule_supported(&r)) {
		event_warn(ctx, "%s: %s: unsupported RRULE, read as a single "
		    "occurrence", ctx->what, uid);
		return;
	}
	/* libical walks no rule past EVENT_LAST_YEAR, nor converts times. */
	last = (time_t)event_days(EVENT_LAST_YEAR, 12, 31) * 86400;
	end = icaltime_from_timet_with_zone(to + 86400 < last ? to + 86400 :
	    last, dtstart->t.is_date, zone);
	if (icaltime_is_null_time(r.until) || icaltime_compare(r.until, end) > 0)
		r.until = end;
	else {
		own_until = true;
		if (!r.until.is_date && zone != NULL && r.until.zone != zone)
			r.until = icaltime_convert_to_zone(r.until, zone);
	}
	jump = r.count == 0 && from - 86400 > dtstart->utc &&
	    from - 86400 < last &&
	    (r.freq >= ICAL_DAILY_RECURRENCE || r.interval <= 1);
	walk = jump ? from - 86400 : dtstart->utc;
	if (!event_charge(ctx, &r, to - walk)) {
		event_warn(ctx, "%s: %s: RRULE needs more than %lu candidate "
		    "times to expand, read as a single occurrence", ctx->what,
		    uid, ctx->candidates);
		return;
	}
	simple = !jump && event_rule_simple(&r, own_until);
	if (!simple)
		it = icalrecur_iterator_new(r, dtstart->t);
	if (!simple && it == NULL) {
		event_warn(ctx, "%s: %s: unsupported RRULE, read as a single "
		    "occurrence", ctx->what, uid);
		return;
	}
	if (jump) {
		s = icaltime_from_timet_with_zone(from - 86400,
		    dtstart->t.is_date, zone);
		(void)icalrecur_iterator_set_start(it, s);
	}
	for (steps = 0;; steps++) {
		if (steps == EVENT_MAX_STEPS || ctx->steps == 0) {
			event_warn(ctx, "%s: %s: RRULE stopped after %lu steps",
			    ctx->what, uid, steps);
			break;
		}
		ctx->steps--;
		memset(&t, 0, sizeof t);
		if (simple) {
			t.t = event_rule_next(&r, &cur, steps);
			if (event_time_valid(t.t) && !event_wall_exists(t.t)) {
				/*
				 * libical's from here: its iterator walks the
				 * steps taken again (once per rule, no more
				 * than were charged) to this instance.
				 */
				simple = false;
				it = icalrecur_iterator_new(r, dtstart->t);
				for (k = 0; it != NULL && k < steps; k++)
					(void)icalrecur_iterator_next(it);
				t.t = it != NULL ? icalrecur_iterator_next(it) :
				    icaltime_null_time();
			}
		} else
			t.t = icalrecur_iterator_next(it);
		if (!event_time_valid(t.t))
			break;
		t.utc = event_utc(t.t);
		if (t.utc >= to)
			break;
		if (t.utc < from)
			continue;
		if (n == EVENT_MAX_OCCURRENCES) {
			event_warn(ctx, "%s: %s: too many occurrences, capped "
			    "at %zu", ctx->what, uid, n);
			break;
		}
		if (t.t.is_date)
			snprintf(t.day, sizeof t.day, "%04d-%02d-%02d",
			    t.t.year, t.t.month, t.t.day);
		event_times_add(out, &t);
		n++;
	}
	if (it != NULL)
		icalrecur_iterator_free(it);
}

/* Adds an occurrence being built. */
static struct event_build *
event_builds_add(struct event_builds *b)
{
	struct event_build	*e;

	if (b->n == b->cap) {
		b->cap = b->cap != 0 ? b->cap * 2 : 16;
		b->v = xreallocarray(b->v, b->cap, sizeof *b->v);
	}
	e = &b->v[b->n++];
	memset(e, 0, sizeof *e);
	return (e);
}

/* Reads the EXDATEs of comp, sorted, into out. */
static void
event_exdates(icalcomponent *comp, struct event_ctx *ctx, const char *uid,
    struct event_times *out)
{
	icalproperty		*p;
	struct event_time	 ex;

	for (p = icalcomponent_get_first_property(comp, ICAL_EXDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(comp, ICAL_EXDATE_PROPERTY)) {
		if (event_time(comp, p, event_prop_value(p), ctx, uid,
		    &ex) == 0)
			event_times_add(out, &ex);
	}
	if (out->n > 0)
		qsort(out->v, out->n, sizeof *out->v, event_times_cmp);
}

/*
 * Adds the occurrences of master idx that start within [from, to): the
 * event itself, or DTSTART, its RRULE and RDATE instances less EXDATEs.
 */
static void
event_expand(const struct ical_file *f, const struct event_src *src,
    size_t idx, time_t from, time_t to, struct event_ctx *ctx,
    struct event_builds *out)
{
	const struct event_summary	*ev = &f->events[idx];
	icalcomponent			*comp = src->comp;
	struct event_times		 inst = { NULL, 0, 0 };
	struct event_times		 ex = { NULL, 0, 0 };
	struct event_time		 t;
	struct event_build		*b;
	icalproperty			*p;
	time_t				 dur = ev->end - ev->start;
	size_t				 i, n = 0;

	if (src->dtstart.utc >= from && src->dtstart.utc < to)
		event_times_add(&inst, &src->dtstart);
	if (ev->recurring) {
		for (p = icalcomponent_get_first_property(comp,
		    ICAL_RRULE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(comp,
		    ICAL_RRULE_PROPERTY))
			event_expand_rule(p, &src->dtstart, from, to, ctx,
			    ev->uid, &inst);
		for (p = icalcomponent_get_first_property(comp,
		    ICAL_RDATE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(comp,
		    ICAL_RDATE_PROPERTY)) {
			if (event_time(comp, p, event_prop_value(p), ctx,
			    ev->uid, &t) == 0 && t.utc >= from && t.utc < to)
				event_times_add(&inst, &t);
		}
	}
	if (ev->recurring)
		event_exdates(comp, ctx, ev->uid, &ex);
	if (inst.n > 0)
		qsort(inst.v, inst.n, sizeof *inst.v, event_times_cmp);
	for (i = 0; i < inst.n; i++) {
		if (i > 0 && inst.v[i].utc == inst.v[i - 1].utc)
			continue;
		if (ex.n > 0 && bsearch(&inst.v[i], ex.v, ex.n, sizeof *ex.v,
		    event_times_cmp) != NULL)
			continue;
		if (n++ == EVENT_MAX_OCCURRENCES || ctx->occurrences == 0) {
			event_warn(ctx, "%s: %s: too many occurrences, capped "
			    "at %zu", ctx->what, ev->uid, n - 1);
			break;
		}
		ctx->occurrences--;
		b = event_builds_add(out);
		b->master = idx;
		b->orig = inst.v[i].utc;
		b->o.event = idx;
		b->o.recurrence_id = ev->recurring ? inst.v[i].utc : 0;
		b->o.start = inst.v[i].utc;
		b->o.end = inst.v[i].utc + dur;
		memcpy(b->o.day, inst.v[i].day, sizeof b->o.day);
	}
	free(inst.v);
	free(ex.v);
}

/* Orders occurrences being built by master and original start. */
static int
event_builds_cmp(const void *a, const void *b)
{
	const struct event_build	*x = a, *y = b;

	if (x->master != y->master)
		return (x->master < y->master ? -1 : 1);
	return ((x->orig > y->orig) - (x->orig < y->orig));
}

/* Orders the final occurrences by start, then event and recurrence id. */
static int
event_occ_cmp(const void *a, const void *b)
{
	const struct event_occurrence	*x = a, *y = b;

	if (x->start != y->start)
		return (x->start < y->start ? -1 : 1);
	if (x->event != y->event)
		return (x->event < y->event ? -1 : 1);
	return ((x->recurrence_id > y->recurrence_id) -
	    (x->recurrence_id < y->recurrence_id));
}

/* An event index in UID order, for grouping masters and overrides. */
struct event_key {
	const char	*uid;
	bool		 override;
	time_t		 rid;
	int		 sequence;
	size_t		 idx;
};

/* Orders by UID, masters first, then RECURRENCE-ID, SEQUENCE, file order. */
static int
event_key_cmp(const void *a, const void *b)
{
	const struct event_key	*x = a, *y = b;
	int			 c;

	c = strcmp(x->uid, y->uid);
	if (c != 0)
		return (c);
	if (x->override != y->override)
		return (x->override ? 1 : -1);
	if (x->rid != y->rid)
		return (x->rid < y->rid ? -1 : 1);
	if (x->sequence != y->sequence)
		return (x->sequence < y->sequence ? -1 : 1);
	return ((x->idx > y->idx) - (x->idx < y->idx));
}

/* The events of f in UID order; caller frees. */
static struct event_key *
event_keys(const struct ical_file *f, const struct event_src *src)
{
	struct event_key	*k;
	size_t			 i;

	k = xreallocarray(NULL, f->nevents != 0 ? f->nevents : 1, sizeof *k);
	for (i = 0; i < f->nevents; i++) {
		k[i].uid = f->events[i].uid;
		k[i].override = src[i].override;
		k[i].rid = src[i].rid;
		k[i].sequence = f->events[i].sequence;
		k[i].idx = i;
	}
	qsort(k, f->nevents, sizeof *k, event_key_cmp);
	return (k);
}

/*
 * Links each override to its master (same UID, no RECURRENCE-ID) and
 * marks all but the newest version (highest SEQUENCE, then the last in
 * the file) of overrides of the same occurrence as superseded.
 */
static void
event_link_overrides(const struct ical_file *f, struct event_src *src)
{
	struct event_key	*k = event_keys(f, src);
	size_t			 i, master = SIZE_MAX;

	for (i = 0; i < f->nevents; i++) {
		if (i == 0 || strcmp(k[i].uid, k[i - 1].uid) != 0)
			master = k[i].override ? SIZE_MAX : k[i].idx;
		if (!k[i].override)
			continue;
		src[k[i].idx].master = master;
		if (i + 1 < f->nevents && k[i + 1].override &&
		    k[i + 1].rid == k[i].rid &&
		    strcmp(k[i + 1].uid, k[i].uid) == 0)
			src[k[i].idx].superseded = true;
	}
	free(k);
}

/*
 * Applies the overrides to the masters' occurrences in b: an override
 * replaces the occurrence whose original start is its RECURRENCE-ID
 * (dropping it when moved out of the window), or, when there is none in
 * the window, adds itself if it now starts within the window.
 */
static void
event_apply_overrides(const struct ical_file *f, const struct event_src *src,
    time_t from, time_t to, struct event_builds *b)
{
	struct event_build	 key, *hit;
	const struct event_summary *ov;
	size_t			 i, nmaster = b->n;
	bool			 inside;

	if (b->n > 0)
		qsort(b->v, b->n, sizeof *b->v, event_builds_cmp);
	for (i = 0; i < f->nevents; i++) {
		if (!src[i].override || src[i].superseded)
			continue;
		ov = &f->events[i];
		inside = ov->start >= from && ov->start < to;
		hit = NULL;
		if (src[i].master != SIZE_MAX && nmaster > 0) {
			key.master = src[i].master;
			key.orig = src[i].rid;
			hit = bsearch(&key, b->v, nmaster, sizeof *b->v,
			    event_builds_cmp);
		}
		if (hit == NULL) {
			if (!inside)
				continue;
			hit = event_builds_add(b);
			hit->master = src[i].master;
			hit->orig = src[i].rid;
			hit->o.recurrence_id = src[i].rid;
		}
		hit->drop = !inside;
		hit->o.event = i;
		hit->o.start = ov->start;
		hit->o.end = ov->end;
		memcpy(hit->o.day, ov->start_day, sizeof hit->o.day);
	}
}

/* Reads the VEVENTs of one VCALENDAR into f and src. */
static void
event_read_calendar(icalcomponent *cal, struct event_ctx *ctx,
    struct ical_file *f, struct event_src **src, size_t *cap)
{
	icalcomponent	*c;
	icalproperty	*p;
	char		*method;

	p = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
	if (p != NULL && f->method == NULL) {
		method = icalproperty_get_value_as_string_r(p);
		if (method != NULL && *method != '\0')
			f->method = util_utf8_repair(xstrdup(method));
		icalmemory_free_buffer(method);
	}
	for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    c != NULL && !ctx->refused;
	    c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		if (f->nevents == *cap) {
			*cap = *cap != 0 ? *cap * 2 : 8;
			f->events = xreallocarray(f->events, *cap,
			    sizeof *f->events);
			*src = xreallocarray(*src, *cap, sizeof **src);
		}
		if (event_read(c, ctx, &f->events[f->nevents],
		    &(*src)[f->nevents]) == -1) {
			f->skipped++;
			continue;
		}
		f->nevents++;
	}
}

/*
 * Skips all but one master per UID (a calendar holds one series per UID):
 * the newest version, by SEQUENCE and then the last in the file, wins.
 */
static void
event_drop_duplicates(struct ical_file *f, struct event_src *src,
    struct event_ctx *ctx)
{
	struct event_key	*k = event_keys(f, src);
	size_t			 i, n = 0;

	for (i = 1; i < f->nevents; i++) {
		if (k[i].override || k[i - 1].override ||
		    strcmp(k[i].uid, k[i - 1].uid) != 0)
			continue;
		event_warn(ctx, "%s: %s: older VEVENT with this UID, skipped",
		    ctx->what, k[i].uid);
		src[k[i - 1].idx].comp = NULL;
	}
	free(k);
	for (i = 0; i < f->nevents; i++) {
		if (src[i].comp == NULL) {
			event_summary_free(&f->events[i]);
			f->skipped++;
			continue;
		}
		f->events[n] = f->events[i];
		src[n] = src[i];
		n++;
	}
	f->nevents = n;
}

/* An object read as content lines, and what it would cost libical. */
struct event_scan {
	const char	*p, *end;	/* the input not read yet */
	const char	*what;		/* the item, for errors */
	unsigned long	 next;		/* the physical line at p */
	unsigned long	 lineno;	/* where the line in line starts */
	struct buf	 line;		/* the content line, unfolded */
	size_t		 depth;		/* components open */
	size_t		 components, max_components;
	size_t		 properties, max_properties; /* list values counted */
	size_t		 copies, max_copies; /* bytes of copies for list values */
	size_t		 zones;		/* VTIMEZONEs */
	unsigned long	 stray;		/* lines outside any component, */
	unsigned long	 stray_line;	/* dropped; the first of them */
	/*
	 * VTIMEZONEs left out of libical's parse (event_scan_zone): those
	 * whose TZID names a builtin zone, which event_zone takes before
	 * any VTIMEZONE, so that they are never read.  CalDAV servers send
	 * one with every event, half its lines.
	 */
	bool		 drop_zones;	/* leave them out (event_parse) */
	bool		 second;	/* the pass that feeds libical */
	size_t		 zone_depth;	/* depth of the zone read, 0 if none */
	size_t		 zone_index;	/* its index */
	size_t		 zone_tzids;	/* its TZIDs, all builtin names */
	bool		 zone_other;	/* it has another TZID */
	size_t		 skip_depth;	/* depth of the zone left out, or 0 */
	unsigned char	 builtin[(EVENT_MAX_ZONES + 7) / 8]; /* by index */
};

/*
 * The length of the physical line at p, without its end; *eol: of that.
 * By memchr, which goes through a word at a time: this runs over every
 * byte of every object twice (event_parse_text).
 */
static size_t
event_scan_phys(const char *p, const char *end, size_t *eol)
{
	const char	*q, *lf;

	lf = memchr(p, '\n', (size_t)(end - p));
	if (lf == NULL)
		lf = end;
	q = memchr(p, '\r', (size_t)(lf - p));
	if (q == NULL)
		q = lf;
	*eol = 0;
	if (q < end)
		*eol = *q == '\r' && q + 1 < end && q[1] == '\n' ? 2 : 1;
	return ((size_t)(q - p));
}

/*
 * Reads the next content line into s->line.  Physical lines end at LF,
 * CRLF or a bare CR; one starting with a space or tab continues the
 * line before it (RFC 5545 section 3.1), less that character; NUL
 * bytes, which would end libical's copy early, become spaces; white
 * space at the end goes, as libical drops it.  Returns 1, 0 at the end
 * of the input, -1 with err for a line longer than EVENT_MAX_LINE.
 */
static int
event_scan_line(struct event_scan *s, struct err *err)
{
	size_t	 n, eol, skip = 0, at;
	char	*z;

	if (s->p >= s->end)
		return (0);
	buf_reset(&s->line);
	s->lineno = s->next;
	for (;;) {
		n = event_scan_phys(s->p, s->end, &eol);
		if (s->line.len + n - skip > EVENT_MAX_LINE)
			return (err_set(err, ERR_DATA, "%s: line %lu: longer "
			    "than %u bytes", s->what, s->lineno,
			    EVENT_MAX_LINE));
		at = s->line.len;
		buf_append(&s->line, s->p + skip, n - skip);
		for (z = memchr(s->line.data + at, '\0', s->line.len - at);
		    z != NULL; z = memchr(z + 1, '\0', s->line.len -
		    (size_t)(z + 1 - s->line.data)))
			*z = ' ';
		s->p += n + eol;
		s->next++;
		if (eol == 0 || s->p >= s->end || s->line.len == 0 ||
		    (*s->p != ' ' && *s->p != '\t'))
			break;
		skip = 1;
	}
	while (s->line.len > 0 &&
	    strchr(" \t\r\n\v\f", s->line.data[s->line.len - 1]) != NULL)
		s->line.data[--s->line.len] = '\0';
	return (1);
}

/*
 * Where libical's parser (parser_get_next_char) finds c or c2, whichever
 * comes first, in [p, end): not in quoted text, nor after a backslash,
 * nor at p itself.  NULL if not.
 */
static const char *
event_scan_char(const char *p, const char *end, char c, char c2)
{
	bool	 quoted = false;
	char	 prev = '\0';

	for (; p < end; prev = *p++) {
		if (prev == '\0' || prev == '\\')
			continue;
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == c || *p == c2))
			return (p);
	}
	return (NULL);
}

/*
 * Counts the parameters in [p, end), the text between a property's name
 * and its value, into *n: one more than its semicolons (quoted ones too,
 * a bound from above); and the TZID parameters among them into *tzid.
 */
static void
event_scan_params(const char *p, const char *end, size_t *n, size_t *tzid)
{
	const char	*q;

	*n = 1;
	*tzid = 0;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 4 && strncasecmp(p, "TZID", 4) == 0) {
			for (q = p + 4; q < end && (*q == ' ' || *q == '\t');
			    q++)
				;
			if (q == end || *q == '=')
				(*tzid)++;
		}
		q = memchr(p, ';', (size_t)(end - p));
		if (q == NULL)
			break;
		(*n)++;
		p = q + 1;
	}
}

/*
 * Checks what a property line costs libical: the name and parameters
 * (its head) are split at each semicolon and searched to the value for
 * each parameter; a TZID parameter makes libical read up to the last
 * colon of the line instead (for Google's "TZID=GMT+05:30") and copy the
 * line from its start for each such parameter; a property of a list
 * type becomes one copy of itself, head and all, for each comma-separated
 * value.  sep is where the name ends.  -1 with err beyond a bound.
 */
static int
event_scan_property(struct event_scan *s, const char *sep, struct err *err)
{
	const char	*line = s->line.data, *end = line + s->line.len;
	const char	*colon, *q, *head = sep + 1;
	size_t		 nparams = 0, ntzid = 0, values = 1;

	if (*sep == ';' && (colon = event_scan_char(sep + 1, end,
	    ':', ':')) != NULL) {
		event_scan_params(sep + 1, colon, &nparams, &ntzid);
		if (ntzid > 0) {
			colon = memrchr(line, ':', s->line.len);
			event_scan_params(sep + 1, colon, &nparams, &ntzid);
		}
		head = colon + 1;
	}
	if ((size_t)(head - line) > EVENT_MAX_HEAD)
		return (err_set(err, ERR_DATA, "%s: line %lu: name and "
		    "parameters longer than %u bytes", s->what, s->lineno,
		    EVENT_MAX_HEAD));
	if (nparams > EVENT_MAX_PARAMS)
		return (err_set(err, ERR_DATA, "%s: line %lu: %zu parameters, "
		    "more than %d", s->what, s->lineno, nparams,
		    EVENT_MAX_PARAMS));
	if (ntzid > 1)
		return (err_set(err, ERR_DATA, "%s: line %lu: %zu TZID "
		    "parameters, more than one", s->what, s->lineno, ntzid));
	for (q = head; values < EVENT_LIST_VALUES &&
	    (q = memchr(q, ',', (size_t)(end - q))) != NULL; q++)
		values++;
	s->properties += values;
	if (s->properties > s->max_properties)
		return (err_set(err, ERR_DATA, "%s: line %lu: more than %zu "
		    "properties", s->what, s->lineno, s->max_properties));
	s->copies += (values - 1) * (EVENT_COPY_COST + (size_t)(head - line));
	if (s->copies > s->max_copies)
		return (err_set(err, ERR_DATA, "%s: line %lu: the values of "
		    "lists take more than %zu bytes of copies", s->what,
		    s->lineno, s->max_copies));
	return (0);
}

/*
 * Counts a line outside any component, which is dropped: libical would
 * only complain about it on stderr ("Encountered END before BEGIN"),
 * nameless and once per line; event_parse_text says it once per object.
 * Returns 0.
 */
static int
event_scan_stray(struct event_scan *s)
{
	if (s->stray++ == 0)
		s->stray_line = s->lineno;
	return (0);
}

/*
 * Follows VTIMEZONEs for event_scan_check when s->drop_zones; line is
 * the content line, sep its separator, n the length of its name.  The
 * first pass marks each top-level zone (by its index, counting as
 * event_scan_check does) whose TZIDs are all plain names of builtin
 * zones; the second leaves those zones out.  Returns 0 for a line to
 * leave out, 1 to hand on.  Called after s->depth moved for the line.
 */
static int
event_scan_zone(struct event_scan *s, const char *line, const char *sep,
    size_t n, bool begin, bool end)
{
	size_t	 i;
	bool	 zone = begin && strncasecmp(sep + 1, "VTIMEZONE", 9) == 0;

	if (s->second) {
		if (s->skip_depth > 0) {
			if (end && s->depth < s->skip_depth)
				s->skip_depth = 0;
			return (0);
		}
		i = s->zones - 1;
		if (zone && (s->builtin[i / 8] & (1u << (i % 8))) != 0) {
			s->skip_depth = s->depth;
			return (0);
		}
		return (1);
	}
	if (s->zone_depth == 0) {
		if (zone) {
			s->zone_depth = s->depth;
			s->zone_index = s->zones - 1;
			s->zone_tzids = 0;
			s->zone_other = false;
		}
	} else if (end && s->depth < s->zone_depth) {
		/* A zone cut short never gets here: libical reads it. */
		i = s->zone_index;
		if (s->zone_tzids > 0 && !s->zone_other)
			s->builtin[i / 8] |= (unsigned char)(1u << (i % 8));
		s->zone_depth = 0;
	} else if (!begin && !end && s->depth == s->zone_depth && n == 4 &&
	    strncasecmp(line, "TZID", 4) == 0) {
		/* Plain "TZID:name": no parameters, nothing to unescape. */
		if (*sep == ':' && sep[1] != '\0' && strchr(sep + 1, '\\') ==
		    NULL && util_builtin_zone(sep + 1) != NULL)
			s->zone_tzids++;
		else
			s->zone_other = true;
	}
	return (1);
}

/*
 * Classifies the content line in s->line for libical: 1 to hand it on
 * (a BEGIN, an END, a property inside a component), 0 to drop it (no
 * name; an END or a property outside any component, which libical
 * would only complain about), -1 with err beyond a bound.
 */
static int
event_scan_check(struct event_scan *s, struct err *err)
{
	const char	*line = s->line.data, *end = line + s->line.len;
	const char	*sep;
	size_t		 n;

	/* The name ends at the first semicolon or colon, one pass for both. */
	if ((sep = event_scan_char(line, end, ';', ':')) == NULL)
		return (0);
	for (n = (size_t)(sep - line); n > 0 &&
	    strchr(" \t\r\n\v\f", line[n - 1]) != NULL; n--)
		;
	if (n == 0)
		return (0);
	if (n == 5 && strncasecmp(line, "BEGIN", 5) == 0) {
		if (s->depth == EVENT_MAX_DEPTH)
			return (err_set(err, ERR_DATA, "%s: line %lu: "
			    "components nested deeper than %d", s->what,
			    s->lineno, EVENT_MAX_DEPTH));
		if (s->components == s->max_components)
			return (err_set(err, ERR_DATA, "%s: line %lu: more "
			    "than %zu components", s->what, s->lineno,
			    s->max_components));
		/* libical takes any kind starting with the name of one. */
		if (strncasecmp(sep + 1, "VTIMEZONE", 9) == 0 &&
		    ++s->zones > EVENT_MAX_ZONES)
			return (err_set(err, ERR_DATA, "%s: line %lu: more "
			    "than %d VTIMEZONEs", s->what, s->lineno,
			    EVENT_MAX_ZONES));
		s->depth++;
		s->components++;
		return (s->drop_zones ? event_scan_zone(s, line, sep, n, true,
		    false) : 1);
	}
	if (n == 3 && strncasecmp(line, "END", 3) == 0) {
		if (s->depth == 0)
			return (event_scan_stray(s));
		s->depth--;
		return (s->drop_zones ? event_scan_zone(s, line, sep, n, false,
		    true) : 1);
	}
	if (s->depth == 0)
		return (event_scan_stray(s));
	if (event_scan_property(s, sep, err) == -1)
		return (-1);
	return (s->drop_zones ? event_scan_zone(s, line, sep, n, false,
	    false) : 1);
}

/*
 * Adds a top-level component to *root, under an XROOT when there are
 * several.  A VEVENT or VTIMEZONE without a VCALENDAR around it (a file
 * of one event) goes into *bare, a VCALENDAR made for them and added to
 * *root in turn.  -1 (c freed) when libical cannot allocate.
 */
static int
event_root_add(icalcomponent **root, icalcomponent **bare, icalcomponent *c)
{
	icalcomponent	*x;
	icalcomponent_kind kind = icalcomponent_isa(c);

	if (kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VTIMEZONE_COMPONENT) {
		if (*bare == NULL) {
			x = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
			if (x == NULL || event_root_add(root, bare, x) == -1) {
				icalcomponent_free(c);
				return (-1);
			}
			*bare = x;
		}
		icalcomponent_add_component(*bare, c);
		return (0);
	}
	if (*root == NULL) {
		*root = c;
		return (0);
	}
	if (icalcomponent_isa(*root) != ICAL_XROOT_COMPONENT) {
		x = icalcomponent_new(ICAL_XROOT_COMPONENT);
		if (x == NULL) {
			icalcomponent_free(c);
			return (-1);
		}
		icalcomponent_add_component(x, *root);
		*root = x;
	}
	icalcomponent_add_component(*root, c);
	return (0);
}

/*
 * Reads the object's content lines from the start, checking each
 * (event_scan_check); with a parser, hands on those to keep and adds the
 * top-level components libical returns to *root.  Components still open
 * at the end (a truncated object) are closed, so that the complete
 * VEVENTs before the cut are read.  -1 with err (ERR_DATA) beyond a
 * bound, or when libical could not allocate what it needed.
 */
static int
event_scan_all(struct event_scan *s, const char *buf, size_t len,
    icalparser *parser, icalcomponent **root, struct err *err)
{
	static char	 end_line[] = "END:VCALENDAR";
	icalcomponent	*c, *bare = NULL;
	int		 rc;

	s->p = buf;
	s->end = buf + len;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		s->p += 3;
	s->next = 1;
	s->depth = s->components = s->properties = s->copies = s->zones = 0;
	s->stray = 0;
	s->second = parser != NULL;
	s->zone_depth = s->skip_depth = 0;
	for (;;) {
		c = NULL;
		rc = event_scan_line(s, err);
		if (rc == -1)
			return (-1);
		if (rc == 1) {
			rc = event_scan_check(s, err);
			if (rc == -1)
				return (-1);
			if (rc == 0 || parser == NULL)
				continue;
			c = icalparser_add_line(parser, s->line.data);
		} else if (s->depth > 0) {
			s->depth--;
			if (parser == NULL)
				continue;
			c = icalparser_add_line(parser, end_line);
		} else
			return (0);
		if (icalerrno == ICAL_NEWFAILED_ERROR) {
			if (c != NULL)
				icalcomponent_free(c);
			return (err_set(err, ERR_DATA, "%s: line %lu: out of "
			    "memory", s->what, s->lineno));
		}
		if (c != NULL && event_root_add(root, &bare, c) == -1)
			return (err_set(err, ERR_DATA, "%s: out of memory",
			    s->what));
	}
}

/*
 * Sets up s for an object of len bytes named what; drop_zones: leave out
 * the VTIMEZONEs of builtin zones (event_scan_zone).
 */
static void
event_scan_init(struct event_scan *s, const char *what, size_t len,
    bool drop_zones)
{
	memset(s, 0, sizeof *s);
	s->what = what;
	s->drop_zones = drop_zones;
	s->max_properties = len / EVENT_PROPERTY_BYTES > EVENT_MAX_PROPERTIES ?
	    len / EVENT_PROPERTY_BYTES : EVENT_MAX_PROPERTIES;
	s->max_components = len / EVENT_COMPONENT_BYTES > EVENT_MAX_COMPONENTS ?
	    len / EVENT_COMPONENT_BYTES : EVENT_MAX_COMPONENTS;
	s->max_copies = len > EVENT_MAX_COPIES ? len : EVENT_MAX_COPIES;
}

/*
 * Parses the text into *root (NULL when it holds no component): the
 * whole text is checked first, so that an object beyond a bound is
 * refused before libical has built anything of it, then handed to
 * libical one checked content line at a time, without the VTIMEZONEs
 * of builtin zones when drop_zones.  -1 with err (ERR_DATA).
 */
static int
event_parse_text(const char *buf, size_t len, const char *what,
    bool drop_zones, icalcomponent **root, struct err *err)
{
	struct event_scan	 s;
	icalparser		*parser;
	int			 rc;

	*root = NULL;
	event_scan_init(&s, what, len, drop_zones);
	rc = event_scan_all(&s, buf, len, NULL, root, err);
	if (rc == 0) {
		parser = icalparser_new();
		if (parser == NULL)
			rc = err_set(err, ERR_DATA, "%s: out of memory", what);
		else {
			icalerror_clear_errno();
			rc = event_scan_all(&s, buf, len, parser, root, err);
			icalparser_free(parser);
		}
	}
	/* Said of an object that gave something; else its error says it. */
	if (rc == 0 && s.stray > 0 && *root != NULL)
		log_warn("%s: line %lu: %lu line%s outside any component (an END "
		    "before its BEGIN, or a property) ignored", what,
		    s.stray_line, s.stray, s.stray == 1 ? "" : "s");
	buf_free(&s.line);
	if (rc == -1 && *root != NULL) {
		icalcomponent_free(*root);
		*root = NULL;
	}
	return (rc);
}

/* libical's error handling, set once: errors are reported, not fatal. */
static void
event_init(void)
{
	icalerror_set_errors_are_fatal(0);
}

/*
 * The year after the one to falls in, at most EVENT_LAST_YEAR: the file's
 * own VTIMEZONEs are followed this far, which covers the window.
 */
static int
event_horizon(time_t to)
{
	struct tm	 tm;

	if (gmtime_r(&to, &tm) == NULL || tm.tm_year + 1901 > EVENT_LAST_YEAR)
		return (EVENT_LAST_YEAR);
	return (tm.tm_year + 1901);
}

/*
 * The VCALENDARs of a parsed object in turn: root itself, or those
 * under an XROOT; first starts over.
 */
static icalcomponent *
event_calendar(icalcomponent *root, bool first)
{
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		return (first ? root : NULL);
	if (icalcomponent_isa(root) != ICAL_XROOT_COMPONENT)
		return (NULL);
	return (first ? icalcomponent_get_first_component(root,
	    ICAL_VCALENDAR_COMPONENT) : icalcomponent_get_next_component(root,
	    ICAL_VCALENDAR_COMPONENT));
}

/* Says how many warnings of the object event_warn left out. */
static void
event_warned(const struct event_ctx *ctx)
{
	if (ctx->warnings > EVENT_MAX_WARNINGS)
		log_warn("%s: %lu more warnings not shown", ctx->what,
		    ctx->warnings - EVENT_MAX_WARNINGS);
}

int
event_parse(const char *buf, size_t len, time_t from, time_t to,
    const char *tz, const char *what, struct ical_file *out, struct err *err)
{
	static pthread_once_t	 once = PTHREAD_ONCE_INIT;
	struct event_ctx	 ctx;
	struct event_src	*src = NULL;
	struct event_builds	 b = { NULL, 0, 0 };
	icalcomponent		*root, *c;
	size_t			 i, cap = 0, ncal = 0;

	memset(out, 0, sizeof *out);
	memset(&ctx, 0, offsetof(struct event_ctx, checked));
	pthread_once(&once, event_init);

	ctx.what = what != NULL ? what : "calendar";
	ctx.steps = EVENT_FILE_STEPS;
	ctx.occurrences = EVENT_FILE_OCCURRENCES;
	ctx.candidates = EVENT_MAX_CANDIDATES;
	ctx.horizon = event_horizon(to);
	ctx.tz = tz != NULL ? tz : "UTC";
	ctx.deftz = event_builtin(ctx.tz, false);
	if (ctx.deftz == NULL) {
		log_warn("%s: unknown time zone %s, floating times read as UTC",
		    ctx.what, ctx.tz);
		ctx.tz = "UTC";
		ctx.deftz = icaltimezone_get_utc_timezone();
	}

	/* event_zone takes a builtin zone before any VTIMEZONE. */
	if (event_parse_text(buf, len, ctx.what, true, &root, err) == -1)
		return (-1);
	if (root == NULL)
		return (err_set(err, ERR_DATA, "%s: no VCALENDAR or VEVENT", ctx.what));
	for (c = event_calendar(root, true); c != NULL && !ctx.refused;
	    c = event_calendar(root, false)) {
		event_read_calendar(c, &ctx, out, &src, &cap);
		ncal++;
	}
	if (ncal == 0) {
		icalcomponent_free(root);
		return (err_set(err, ERR_DATA, "%s: no VCALENDAR or VEVENT", ctx.what));
	}

	event_drop_duplicates(out, src, &ctx);
	for (i = 0; i < out->nevents && !ctx.refused; i++) {
		if (!src[i].override)
			event_expand(out, &src[i], i, from, to, &ctx, &b);
	}
	event_warned(&ctx);
	if (ctx.refused) {
		/* A VTIMEZONE in use would cost beyond its bounds. */
		*err = ctx.err;
		free(b.v);
		free(src);
		ical_file_free(out);
		icalcomponent_free(root);
		return (-1);
	}
	event_link_overrides(out, src);
	event_apply_overrides(out, src, from, to, &b);

	out->occ = xreallocarray(NULL, b.n != 0 ? b.n : 1, sizeof *out->occ);
	for (i = 0; i < b.n; i++) {
		if (!b.v[i].drop)
			out->occ[out->nocc++] = b.v[i].o;
	}
	qsort(out->occ, out->nocc, sizeof *out->occ, event_occ_cmp);

	free(b.v);
	free(src);
	icalcomponent_free(root);
	return (0);
}

/*
 * Whether event_reduce keeps a VEVENT property: what event_read reads,
 * but for DESCRIPTION (the invitation's text), LOCATION and COMMENT.
 */
static bool
event_reduce_keeps(icalproperty_kind k)
{
	static const icalproperty_kind kept[] = {
		ICAL_UID_PROPERTY, ICAL_SEQUENCE_PROPERTY,
		ICAL_DTSTAMP_PROPERTY, ICAL_CREATED_PROPERTY,
		ICAL_LASTMODIFIED_PROPERTY, ICAL_DTSTART_PROPERTY,
		ICAL_DTEND_PROPERTY, ICAL_DURATION_PROPERTY,
		ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY,
		ICAL_EXDATE_PROPERTY, ICAL_RECURRENCEID_PROPERTY,
		ICAL_STATUS_PROPERTY, ICAL_ORGANIZER_PROPERTY,
		ICAL_ATTENDEE_PROPERTY, ICAL_SUMMARY_PROPERTY,
		ICAL_CLASS_PROPERTY, ICAL_TRANSP_PROPERTY,
	};
	size_t	i;

	for (i = 0; i < sizeof kept / sizeof kept[0]; i++)
		if (kept[i] == k)
			return (true);
	return (false);
}

/*
 * Strips one component in place: of a VCALENDAR its properties but
 * METHOD and VERSION, and its components but VEVENTs and VTIMEZONEs; of a
 * VEVENT the properties event_reduce_keeps does not, its components
 * (alarms), its SUMMARY replaced by what summary() returns, and an
 * ORGANIZER added when it has none and organizer is not NULL.  With tags,
 * a VEVENT's DESCRIPTION is kept as its hashtags alone.
 */
static void
event_reduce_component(icalcomponent *c, const char *organizer,
    char *(*summary)(const char *, void *), void *arg, bool tags)
{
	icalcomponent_kind	 kind = icalcomponent_isa(c);
	icalcomponent		*sub, **subs = NULL;
	icalproperty		*p, **props = NULL;
	icalproperty_kind	 k;
	struct strlist		 found = { 0 };
	struct buf		 list = { 0 };
	size_t			 n = 0, i;
	const char		*text;
	char			*repl;

	if (tags && kind == ICAL_VEVENT_COMPONENT) {
		p = icalcomponent_get_first_property(c,
		    ICAL_DESCRIPTION_PROPERTY);
		text = p != NULL ? icalproperty_get_description(p) : NULL;
		if (text != NULL)
			mail_find_hashtags(&found, text, strlen(text));
		for (i = 0; i < found.n; i++)
			/* One a line: a tag's value runs to its end. */
			buf_printf(&list, "%s%s", i > 0 ? "\n" : "",
			    found.v[i]);
		strlist_clear(&found);
	}

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY);
	    p != NULL; p = icalcomponent_get_next_property(c,
	    ICAL_ANY_PROPERTY)) {
		k = icalproperty_isa(p);
		if (kind == ICAL_VCALENDAR_COMPONENT ?
		    k == ICAL_METHOD_PROPERTY || k == ICAL_VERSION_PROPERTY :
		    event_reduce_keeps(k))
			continue;
		props = xreallocarray(props, n + 1, sizeof *props);
		props[n++] = p;
	}
	for (i = 0; i < n; i++) {
		icalcomponent_remove_property(c, props[i]);
		icalproperty_free(props[i]);
	}
	free(props);
	if (kind == ICAL_VEVENT_COMPONENT) {
		p = icalcomponent_get_first_property(c, ICAL_SUMMARY_PROPERTY);
		text = p != NULL ? icalproperty_get_summary(p) : NULL;
		repl = p != NULL ? summary(text != NULL ? text : "", arg) :
		    NULL;
		if (repl != NULL)
			icalproperty_set_summary(p, repl);
		else if (p != NULL) {
			icalcomponent_remove_property(c, p);
			icalproperty_free(p);
		}
		free(repl);
		if (list.len > 0)
			icalcomponent_add_property(c,
			    icalproperty_new_description(list.data));
		buf_free(&list);
		if (organizer != NULL && icalcomponent_get_first_property(c,
		    ICAL_ORGANIZER_PROPERTY) == NULL) {
			repl = xasprintf("mailto:%s", organizer);
			icalcomponent_add_property(c,
			    icalproperty_new_organizer(repl));
			free(repl);
		}
	}
	n = 0;
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    sub != NULL; sub = icalcomponent_get_next_component(c,
	    ICAL_ANY_COMPONENT)) {
		if (kind == ICAL_VCALENDAR_COMPONENT &&
		    (icalcomponent_isa(sub) == ICAL_VEVENT_COMPONENT ||
		    icalcomponent_isa(sub) == ICAL_VTIMEZONE_COMPONENT))
			continue;
		subs = xreallocarray(subs, n + 1, sizeof *subs);
		subs[n++] = sub;
	}
	for (i = 0; i < n; i++) {
		icalcomponent_remove_component(c, subs[i]);
		icalcomponent_free(subs[i]);
	}
	free(subs);
	if (kind != ICAL_VCALENDAR_COMPONENT)
		return;
	for (sub = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT);
	    sub != NULL; sub = icalcomponent_get_next_component(c,
	    ICAL_VEVENT_COMPONENT))
		event_reduce_component(sub, organizer, summary, arg, tags);
}

int
event_reduce(const char *buf, size_t len, const char *what,
    const char *organizer, char *(*summary)(const char *, void *), void *arg,
    bool tags, char **out, struct err *err)
{
	static pthread_once_t	 once = PTHREAD_ONCE_INIT;
	icalcomponent		*root, *c;
	struct buf		 b = { 0 };
	char			*s;

	*out = NULL;
	pthread_once(&once, event_init);
	what = what != NULL ? what : "calendar";
	if (event_parse_text(buf, len, what, false, &root, err) == -1)
		return (-1);
	if (root == NULL)
		return (err_set(err, ERR_DATA, "%s: no VCALENDAR", what));
	for (c = event_calendar(root, true); c != NULL;
	    c = event_calendar(root, false)) {
		event_reduce_component(c, organizer, summary, arg, tags);
		s = icalcomponent_as_ical_string_r(c);
		if (s != NULL)
			buf_puts(&b, s);
		icalmemory_free_buffer(s);
	}
	icalcomponent_free(root);
	if (b.len == 0) {
		buf_free(&b);
		return (err_set(err, ERR_DATA, "%s: no VCALENDAR", what));
	}
	*out = b.data;
	return (0);
}

void
ical_file_free(struct ical_file *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nevents; i++)
		event_summary_free(&f->events[i]);
	free(f->events);
	free(f->occ);
	free(f->method);
	memset(f, 0, sizeof *f);
}

void
event_window(time_t now, int backfill_days, const char *tz, time_t *from,
    time_t *to)
{
	char today[11], day[11];

	if (tz == NULL)
		tz = util_system_tz();
	util_day(now, tz, today, sizeof today);
	util_day_add(today, -backfill_days, day, sizeof day);
	if (util_day_start(day, tz, from) != 0)
		*from = now - (time_t)backfill_days * 86400;
	util_day_add(today, 366, day, sizeof day);
	if (util_day_start(day, tz, to) != 0)
		*to = now + 366 * 86400;
}
