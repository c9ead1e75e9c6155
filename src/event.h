/* SPDX-License-Identifier: MIT */
/*
 * Event summaries from iCalendar (libical): one struct per VEVENT (a
 * master or an override), and the occurrences of each within a window,
 * with RRULE, RDATE, EXDATE and RECURRENCE-ID overrides applied (libical's
 * iterator does not apply overrides, libical#314).  Times are resolved
 * with the builtin zones, a Windows zone name mapped through CLDR's
 * windowsZones table, or the file's VTIMEZONE; a TZID that cannot be
 * resolved is logged and read in the configured zone.  Pure: bytes in,
 * structs out.
 */
#ifndef SC_EVENT_H
#define SC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "xmalloc.h"

enum event_status { EVENT_CONFIRMED, EVENT_TENTATIVE, EVENT_CANCELLED };

struct event_attendee {
	char	*addr;		/* owned, lower-cased, "mailto:" stripped */
	char	*name;		/* owned, CN, may be NULL */
	bool	 declined;	/* PARTSTAT=DECLINED */
	bool	 accepted;	/* PARTSTAT=ACCEPTED */
};

struct event_summary {
	char		*uid;		/* owned */
	time_t		 recurrence_id;	/* 0 unless an override */
	time_t		 created;	/* CREATED, 0 if none or implausible */
	time_t		 dtstamp;	/* DTSTAMP, 0 if none or implausible */
	time_t		 last_modified;	/* LAST-MODIFIED, 0 if none or implausible */
	time_t		 start, end;	/* UTC; end = start when absent */
	bool		 all_day;
	char		 start_day[11];	/* all-day: the DTSTART date "YYYY-MM-DD" */
	bool		 recurring;	/* has RRULE or RDATE, or is an override */
	int		 sequence;
	char		*summary;	/* owned, may be "" */
	char		*location;	/* owned, may be "" */
	char		*organizer;	/* owned, lower-cased address or NULL */
	struct event_attendee *attendees; /* owned array */
	size_t		 nattendees;
	enum event_status status;
	bool		 private;	/* CLASS:PRIVATE or CONFIDENTIAL */
	bool		 transparent;	/* TRANSP:TRANSPARENT */
	struct strlist	 hashtags;	/* "#lost", "#decision 2027-01-15" from DESCRIPTION */
};

/*
 * One occurrence within the window.  An occurrence replaced by an override
 * points at that override, also when the override is STATUS:CANCELLED: a
 * cancelled occurrence stays in occ (its event says so) so that callers
 * can see it stopped counting; a cancelled master's occurrences likewise.
 */
struct event_occurrence {
	size_t		 event;		/* index into ical_file.events (master or override) */
	time_t		 recurrence_id;	/* original start of this occurrence; 0 for a single event */
	time_t		 start, end;	/* UTC */
	char		 day[11];	/* all-day: its date; else "" (bucketed by the caller) */
};

struct ical_file {
	char			*method;	/* owned: METHOD (REQUEST, CANCEL, PUBLISH) or NULL */
	struct event_summary	*events;	/* owned array */
	size_t			 nevents;
	struct event_occurrence	*occ;		/* owned array, sorted by start */
	size_t			 nocc;
	unsigned		 skipped;	/* VEVENTs skipped with a warning */
};

/*
 * Parses an iCalendar object and expands occurrences that start within
 * [from, to).  tz is the zone for floating times and unresolved TZIDs.
 * what names the item in warnings and errors ("x.ics", an href): the
 * caller need not name it again.  A VEVENT without a VCALENDAR around
 * it is read as a calendar of one event.  Returns 0, or -1 with err
 * (ERR_DATA) when the text holds no VCALENDAR or VEVENT at all, or when
 * the object would cost more than a bound allows (a content line, the
 * parameters of one property, properties, components or nesting of the
 * object, a VTIMEZONE changing more often than daily or too often, a
 * walk through its rules): the message names the bound.  Bad VEVENTs
 * are skipped with a warning and counted in skipped; a rule too costly
 * to expand is read as a single occurrence, with a warning.  events
 * holds every VEVENT read (also those outside the window), one master
 * per UID.  Thread-safe: objects are parsed in parallel, only the
 * lookups of builtin zones are serialized.
 */
int	event_parse(const char *buf, size_t len, time_t from, time_t to,
	    const char *tz, const char *what, struct ical_file *out, struct err *err);
void	ical_file_free(struct ical_file *);

/*
 * An iCalendar object reduced to what event_parse reads for
 * classification, to be kept in the store (invitations): METHOD, the
 * VTIMEZONEs, and of each VEVENT its times, recurrence, UID, SEQUENCE,
 * stamps, STATUS, CLASS, TRANSP, ORGANIZER, ATTENDEEs and SUMMARY, the
 * latter replaced by what summary(text, arg) returns (allocated, or NULL
 * to drop it).  No DESCRIPTION, LOCATION, COMMENT, X- property or alarm
 * is kept.  A VEVENT without ORGANIZER gets organizer (an address) when
 * it is not NULL: Exchange leaves it out of its REPLYs.  With tags, the
 * hashtags of a DESCRIPTION are kept as its only text (the salesperson's
 * own invitations: classification reads them).  Bounded like
 * event_parse.  *out is the caller's to free.  Returns 0, or -1 with err
 * (ERR_DATA).
 */
int	event_reduce(const char *buf, size_t len, const char *what,
	    const char *organizer, char *(*summary)(const char *, void *),
	    void *arg, bool tags, char **out, struct err *err);

/*
 * The window in which recurrences are expanded (DESIGN section 7): from
 * the start of the day backfill_days before the day of now to the end of
 * the day 365 days after it, days in tz (NULL: the system's).  Every
 * source of events (CalDAV, ICS feeds, invitations in mail, imported
 * files) reads with this window, so that the same .ics gives the same
 * occurrences whichever way it comes in.
 */
void	event_window(time_t now, int backfill_days, const char *tz,
	    time_t *from, time_t *to);

/* The IANA name for a Windows zone name ("W. Europe Standard Time"), or NULL. */
const char *event_windows_zone(const char *windows_name);

/*
 * CLDR's Windows zones (winzones.c, generated by build-aux/gen-winzones.sh):
 * the Windows name, its display form as Outlook writes it in TZID
 * ("(UTC+01:00) Amsterdam, Berlin, ..."), and the IANA name.
 */
struct event_winzone {
	const char	*windows;
	const char	*display;
	const char	*iana;
};
extern const struct event_winzone event_winzones[];
extern const size_t event_nwinzones;

#endif
