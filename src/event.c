/* SPDX-License-Identifier: MIT */
/*
 * Event summaries from iCalendar text with libical 3.0.16.  Every VEVENT
 * becomes an event_summary; masters are expanded within a window with
 * their RRULE, RDATE and EXDATE, and sibling VEVENTs with a RECURRENCE-ID
 * then replace the occurrence they override, which libical's own iterator
 * does not do (libical#314).  Times are resolved here rather than by
 * icalproperty_get_datetime_with_component, because an unknown TZID must
 * not silently become floating: the builtin zones, CLDR's Windows names
 * (winzones.c), the file's VTIMEZONE, else the configured zone with a
 * warning.  Nothing here touches the network or the store.
 */
#define LOG_TAG "event"

#include <pthread.h>
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
 * of libical's iterator costs a few microseconds, an occurrence 48 bytes.
 * Occurrences per event (a runaway rule) and per file; iterator steps per
 * rule, also those before the window (COUNT rules), and per file.
 */
#define EVENT_MAX_OCCURRENCES	10000
#define EVENT_FILE_OCCURRENCES	200000
#define EVENT_MAX_STEPS		100000
#define EVENT_FILE_STEPS	300000

/*
 * libical loads builtin zones lazily into shared tables, which 3.0.16
 * does not reliably guard (libical#319, PR #1029), and keeps its error
 * state in globals: parses are serialized with util.c's zone
 * conversions under one lock.  They take milliseconds.
 */

/* What event_parse needs everywhere. */
struct event_ctx {
	icaltimezone	*deftz;		/* floating times, unknown TZIDs */
	const char	*tz;		/* its name, for warnings */
	const char	*what;		/* the item, for warnings */
	char		 warned[256];	/* "UID TZID" warned about */
	unsigned long	 steps;		/* iterator steps left */
	size_t		 occurrences;	/* occurrences left */
};

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
 * epoch arithmetic is done here.
 */
static time_t
event_utc(struct icaltimetype t)
{
	icaltimezone	*utc = icaltimezone_get_utc_timezone();

	if (t.is_date)
		return ((time_t)event_days(t.year, t.month, t.day) * 86400);
	if (t.zone != NULL && t.zone != utc)
		icaltimezone_convert_time(&t, (icaltimezone *)t.zone, utc);
	return ((time_t)event_days(t.year, t.month, t.day) * 86400 +
	    t.hour * 3600 + t.minute * 60 + t.second);
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
 * The zone of a property's TZID: a builtin zone of that name, a Windows
 * name or Outlook display form mapped by CLDR, a usable VTIMEZONE of the
 * VCALENDAR holding comp, else the configured zone with a warning.  The
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

	zone = icaltimezone_get_builtin_timezone(tzid);
	if (zone != NULL)
		return (zone);
	iana = event_windows_zone(tzid);
	if (iana == NULL)
		iana = event_display_zone(tzid);
	if (iana != NULL) {
		zone = icaltimezone_get_builtin_timezone(iana);
		if (zone != NULL)
			return (zone);
	}
	cal = icalcomponent_get_parent(comp);
	if (cal != NULL) {
		zone = icalcomponent_get_timezone(cal, tzid);
		if (zone != NULL && event_vtimezone_usable(zone))
			return (zone);
	}
	zone = icaltimezone_get_builtin_timezone_from_tzid(tzid);
	if (zone != NULL)
		return (zone);

	/* DTSTART, DTEND and RECURRENCE-ID usually share one TZID. */
	snprintf(key, sizeof key, "%s %s", uid, tzid);
	if (strcmp(key, ctx->warned) != 0) {
		log_warn("%s: %s: unknown TZID \"%s\", read in %s", ctx->what,
		    uid, tzid, ctx->tz);
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

/* Adds the ATTENDEEs of comp to ev. */
static void
event_attendees(icalcomponent *comp, struct event_summary *ev)
{
	icalproperty		*p;
	icalparameter		*param;
	struct event_attendee	*a;
	const char		*cn;
	char			*addr;

	for (p = icalcomponent_get_first_property(comp, ICAL_ATTENDEE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(comp, ICAL_ATTENDEE_PROPERTY)) {
		addr = event_address(icalproperty_get_attendee(p));
		if (addr == NULL)
			continue;
		ev->attendees = xreallocarray(ev->attendees,
		    ev->nattendees + 1, sizeof *ev->attendees);
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
 * the start.  An end before the start is logged and set to the start.
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
		log_warn("%s: %s: no valid DTSTART, skipped", ctx->what,
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
		}
	}
	if (ev->end < ev->start) {
		log_warn("%s: %s: ends before it starts, end set to start",
		    ctx->what, ev->uid);
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
		log_warn("%s: VEVENT without UID, skipped", ctx->what);
		return (-1);
	}
	ev->uid = util_utf8_repair(xstrdup(uid));
	if (event_read_span(comp, ctx, ev, src) == -1)
		goto fail;

	p = icalcomponent_get_first_property(comp, ICAL_RECURRENCEID_PROPERTY);
	if (p != NULL) {
		if (event_time(comp, p, event_prop_value(p), ctx, ev->uid,
		    &t) == -1) {
			log_warn("%s: %s: invalid RECURRENCE-ID, skipped",
			    ctx->what, ev->uid);
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

	if (event_prop_time(comp, ICAL_CREATED_PROPERTY, ctx, ev->uid, &t) == 0)
		ev->created = t.utc;
	if (event_prop_time(comp, ICAL_DTSTAMP_PROPERTY, ctx, ev->uid, &t) == 0)
		ev->dtstamp = t.utc;
	if (event_prop_time(comp, ICAL_LASTMODIFIED_PROPERTY, ctx, ev->uid,
	    &t) == 0)
		ev->last_modified = t.utc;

	ev->summary = event_text(comp, ICAL_SUMMARY_PROPERTY);
	ev->location = event_text(comp, ICAL_LOCATION_PROPERTY);
	p = icalcomponent_get_first_property(comp, ICAL_ORGANIZER_PROPERTY);
	if (p != NULL)
		ev->organizer = event_address(icalproperty_get_organizer(p));
	event_attendees(comp, ev);

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
	if (r->freq == ICAL_NO_RECURRENCE)
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
 * Adds the instances of one RRULE that start within [from, to) to out.
 * Without COUNT the iterator jumps to a day before the window (libical's
 * set_start is off by the zone offset for sub-daily rules, and loses the
 * phase of sub-daily intervals, so those walk from DTSTART).  The walk is
 * capped in steps and in instances, with a warning.
 */
static void
event_expand_rule(icalproperty *rrule, const struct event_time *dtstart,
    time_t from, time_t to, struct event_ctx *ctx, const char *uid,
    struct event_times *out)
{
	struct icalrecurrencetype	 r = icalproperty_get_rrule(rrule);
	icalrecur_iterator		*it;
	struct icaltimetype		 s;
	struct event_time		 t;
	unsigned long			 steps;
	size_t				 n = 0;

	it = event_rule_supported(&r) ? icalrecur_iterator_new(r, dtstart->t) :
	    NULL;
	if (it == NULL) {
		log_warn("%s: %s: unsupported RRULE, read as a single "
		    "occurrence", ctx->what, uid);
		return;
	}
	if (r.count == 0 && from - 86400 > dtstart->utc &&
	    (r.freq >= ICAL_DAILY_RECURRENCE || r.interval <= 1)) {
		s = icaltime_from_timet_with_zone(from - 86400,
		    dtstart->t.is_date, (icaltimezone *)dtstart->t.zone);
		(void)icalrecur_iterator_set_start(it, s);
	}
	for (steps = 0;; steps++) {
		if (steps == EVENT_MAX_STEPS || ctx->steps == 0) {
			log_warn("%s: %s: RRULE stopped after %lu steps",
			    ctx->what, uid, steps);
			break;
		}
		ctx->steps--;
		memset(&t, 0, sizeof t);
		t.t = icalrecur_iterator_next(it);
		if (!event_time_valid(t.t))
			break;
		t.utc = event_utc(t.t);
		if (t.utc >= to)
			break;
		if (t.utc < from)
			continue;
		if (n == EVENT_MAX_OCCURRENCES) {
			log_warn("%s: %s: too many occurrences, capped at %zu",
			    ctx->what, uid, n);
			break;
		}
		if (t.t.is_date)
			snprintf(t.day, sizeof t.day, "%04d-%02d-%02d",
			    t.t.year, t.t.month, t.t.day);
		event_times_add(out, &t);
		n++;
	}
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
			log_warn("%s: %s: too many occurrences, capped at %zu",
			    ctx->what, ev->uid, n - 1);
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
	    c != NULL;
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
		log_warn("%s: %s: older VEVENT with this UID, skipped",
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

/* The rest of the input for event_read_line. */
struct event_input {
	const char	*p, *end;
};

/*
 * libical's line generator (an fgets): copies up to size - 1 bytes of
 * the input through the next line end.  Unlike icalparser_parse_string
 * it never scans past what it copies (a 5 MB line would be quadratic),
 * reads bare CR as a line end, and maps NUL bytes, which would end
 * libical's input early, to spaces.
 */
static char *
event_read_line(char *out, size_t size, void *arg)
{
	struct event_input	*in = arg;
	size_t			 i, n;

	if (in->p >= in->end || size < 2)
		return (NULL);
	n = (size_t)(in->end - in->p);
	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++) {
		out[i] = in->p[i] != '\0' ? in->p[i] : ' ';
		if (in->p[i] == '\n') {
			i++;
			break;
		}
		if (in->p[i] == '\r' && (in->p + i + 1 == in->end ||
		    in->p[i + 1] != '\n')) {
			out[i++] = '\n';
			break;
		}
	}
	out[i] = '\0';
	in->p += i;
	return (out);
}

/* Adds a top-level component to root, under an XROOT when there are several. */
static icalcomponent *
event_root_add(icalcomponent *root, icalcomponent *c)
{
	icalcomponent	*x;

	if (root == NULL)
		return (c);
	if (icalcomponent_isa(root) != ICAL_XROOT_COMPONENT) {
		x = icalcomponent_new(ICAL_XROOT_COMPONENT);
		icalcomponent_add_component(x, root);
		root = x;
	}
	icalcomponent_add_component(root, c);
	return (root);
}

/*
 * Parses the text line by line as icalparser_parse does, but keeps what
 * a truncated input holds: the unfinished component is closed (by
 * icalparser_clean, whose result the parser still owns, hence the copy),
 * so the complete VEVENTs before the cut are read.
 */
static icalcomponent *
event_parse_text(const char *buf, size_t len)
{
	struct event_input	 in = { buf, buf + len };
	icalparser		*parser;
	icalcomponent		*root = NULL, *c;
	char			*line;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		in.p += 3;
	parser = icalparser_new();
	if (parser == NULL)
		return (NULL);
	icalparser_set_gen_data(parser, &in);
	for (;;) {
		line = icalparser_get_line(parser, event_read_line);
		if (line == NULL)
			break;
		c = icalparser_add_line(parser, line);
		icalmemory_free_buffer(line);
		if (c != NULL)
			root = event_root_add(root, c);
	}
	c = icalparser_clean(parser);
	if (c != NULL && icalcomponent_get_parent(c) == NULL)
		root = event_root_add(root, icalcomponent_new_clone(c));
	icalparser_free(parser);
	return (root);
}

/* event_parse under util_ical_lock. */
static int
event_parse_locked(const char *buf, size_t len, time_t from, time_t to,
    const char *tz, const char *what, struct ical_file *out, struct err *err)
{
	struct event_ctx	 ctx;
	struct event_src	*src = NULL;
	struct event_builds	 b = { NULL, 0, 0 };
	icalcomponent		*root, *c;
	size_t			 i, cap = 0, ncal = 0;

	memset(out, 0, sizeof *out);
	memset(&ctx, 0, sizeof ctx);
	icalerror_set_errors_are_fatal(0);

	ctx.what = what != NULL ? what : "calendar";
	ctx.steps = EVENT_FILE_STEPS;
	ctx.occurrences = EVENT_FILE_OCCURRENCES;
	ctx.tz = tz != NULL ? tz : "UTC";
	ctx.deftz = icaltimezone_get_builtin_timezone(ctx.tz);
	if (ctx.deftz == NULL) {
		log_warn("%s: unknown time zone %s, floating times read as UTC",
		    ctx.what, ctx.tz);
		ctx.tz = "UTC";
		ctx.deftz = icaltimezone_get_utc_timezone();
	}

	root = event_parse_text(buf, len);
	if (root == NULL)
		return (err_set(err, ERR_DATA, "%s: no VCALENDAR", ctx.what));

	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		event_read_calendar(root, &ctx, out, &src, &cap);
		ncal = 1;
	} else if (icalcomponent_isa(root) == ICAL_XROOT_COMPONENT) {
		for (c = icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT); c != NULL;
		    c = icalcomponent_get_next_component(root,
		    ICAL_VCALENDAR_COMPONENT)) {
			event_read_calendar(c, &ctx, out, &src, &cap);
			ncal++;
		}
	}
	if (ncal == 0) {
		icalcomponent_free(root);
		free(src);
		return (err_set(err, ERR_DATA, "%s: no VCALENDAR", ctx.what));
	}

	event_drop_duplicates(out, src, &ctx);
	for (i = 0; i < out->nevents; i++) {
		if (!src[i].override)
			event_expand(out, &src[i], i, from, to, &ctx, &b);
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

int
event_parse(const char *buf, size_t len, time_t from, time_t to,
    const char *tz, const char *what, struct ical_file *out, struct err *err)
{
	int	rc;

	util_ical_lock();
	rc = event_parse_locked(buf, len, from, to, tz, what, out, err);
	util_ical_unlock();
	return (rc);
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
