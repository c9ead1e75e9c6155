/* SPDX-License-Identifier: MIT */
/*
 * The Microsoft Graph calendar source ([graph X]), for Microsoft 365,
 * which offers no CalDAV.  Read-only: GET only.  It follows Graph's delta
 * protocol for calendarView (docs.microsoft.com, "event: delta" and "Get
 * incremental changes to events in a calendar view"): the first request
 * names the window (DESIGN section 7: backfill_days back, a year ahead)
 * as startDateTime and endDateTime; each page of the answer gives the
 * next page's URL as @odata.nextLink, the last page an @odata.deltaLink
 * to ask for the changes since.  Whichever link comes last is the
 * source's cursor, committed with the page's events, so a poll stopped
 * half-way goes on where it was.  An entry with @removed is a deletion;
 * 410 Gone says the sync state expired: the window is read again from
 * the start, events are replaced by their id (no duplicates), and those
 * the complete re-read did not see are removed.  429 and 503 with
 * Retry-After fail the poll (http.c holds back further requests until
 * then) and the source backs off.
 *
 * Each event becomes an iCalendar VEVENT (graph_ical) that event_parse
 * reads like any other, so that classification is the same: its start
 * and end in their timeZone (Windows names through CLDR's table),
 * isAllDay, isCancelled, sensitivity, showAs, organizer, attendees with
 * type and response (and the owner's own response), iCalUId as UID,
 * createdDateTime, lastModifiedDateTime, and bodyPreview as DESCRIPTION
 * for its hashtags.  calendarView returns the occurrences of a series,
 * each with its own iCalUId (Outlook's GlobalObjectId with the
 * occurrence's date in it): the date is zeroed to give the series' UID,
 * which invitations in mail carry, and originalStart is the occurrence's
 * RECURRENCE-ID.  An item is one event id, its version the changeKey.
 *
 * The bearer token comes from token_command, read at every poll (tokens
 * expire within the hour); links to another origin than url are refused,
 * so the token goes nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define LOG_TAG "graph"
#include "event.h"
#include "graph.h"
#include "hashset.h"
#include "http.h"
#include "log.h"
#include "pipeline.h"
#include "source.h"
#include "util.h"
#include "xmalloc.h"

/* Bytes of one page: jansson takes 10 to 30 times that in memory. */
#define GRAPH_MAX_PAGE	(2u * 1024 * 1024)
#define GRAPH_MAX_PAGES	1000	/* pages per poll */
#define GRAPH_MAX_TEXT	4096	/* bytes kept of a text field */
#define GRAPH_MAX_ID	1024	/* bytes of an event id */
#define GRAPH_SCOPE	"calendarView"	/* the cursors' scope */

/* Outlook's GlobalObjectId: the class id its hex form starts with. */
#define GRAPH_GOID	"040000008200E00074C5B7101A82E008"

/* A page of the answer, collected up to GRAPH_MAX_PAGE. */
static int
graph_body_cb(const char *data, size_t len, void *arg, struct err *err)
{
	struct buf *b = arg;

	if (len > GRAPH_MAX_PAGE - b->len)
		return err_set(err, ERR_TEMP, "a page of more than %u MiB; "
		    "refused", GRAPH_MAX_PAGE >> 20);
	buf_append(b, data, len);
	return 0;
}

/* A string member of obj, or NULL. */
static const char *
graph_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A string member of member k1 of obj ("start"."dateTime"), or NULL. */
static const char *
graph_str2(json_t *obj, const char *k1, const char *k2)
{
	json_t *v = json_object_get(obj, k1);

	return json_is_object(v) ? graph_str(v, k2) : NULL;
}

/* A boolean member of obj, false when absent. */
static bool
graph_bool(json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

/*
 * Appends a TEXT value (RFC 5545 section 3.3.11) escaped, without
 * control characters, at most GRAPH_MAX_TEXT bytes of it.
 */
static void
graph_text(struct buf *b, const char *s)
{
	size_t n;

	for (n = 0; s != NULL && *s != '\0' && n < GRAPH_MAX_TEXT; s++, n++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			buf_printf(b, "\\%c", *s);
		} else if (*s == '\n')
			buf_puts(b, "\\n");
		else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			buf_append(b, s, 1);
	}
}

/* True when s is a plain token: printable ASCII but for the chars in bad. */
static bool
graph_token(const char *s, size_t max, const char *bad)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++, n++)
		if (n >= max || (unsigned char)*s <= 0x20 ||
		    (unsigned char)*s >= 0x7f || strchr(bad, *s) != NULL)
			return false;
	return true;
}

/*
 * A Graph date and time ("2026-10-15T10:00:00.0000000", "...Z") into
 * fields; false when it is no such thing.
 */
static bool
graph_time(const char *s, int *y, int *mo, int *d, int *h, int *mi, int *se)
{
	size_t i;

	if (s == NULL || strlen(s) < 19)
		return false;
	for (i = 0; i < 19; i++) {
		if (i == 4 || i == 7 ? s[i] != '-' : i == 10 ? s[i] != 'T' :
		    i == 13 || i == 16 ? s[i] != ':' :
		    (s[i] < '0' || s[i] > '9'))
			return false;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", y, mo, d, h, mi, se) != 6)
		return false;
	return *mo >= 1 && *mo <= 12 && *d >= 1 && *d <= 31 && *h <= 23 &&
	    *mi <= 59 && *se <= 60;
}

/* Appends a DateTimeOffset (UTC) property: "NAME:YYYYMMDDTHHMMSSZ". */
static void
graph_utc(struct buf *b, const char *name, const char *s)
{
	int y, mo, d, h, mi, se;

	if (graph_time(s, &y, &mo, &d, &h, &mi, &se))
		buf_printf(b, "%s:%04d%02d%02dT%02d%02d%02dZ\r\n", name, y, mo,
		    d, h, mi, se);
}

/*
 * Appends DTSTART or DTEND from a dateTimeTimeZone: a date when all day,
 * UTC when the zone is UTC, else local time with the zone as TZID
 * (event_parse resolves Windows names).  False when the time is bad.
 */
static bool
graph_when(struct buf *b, const char *name, json_t *dt, bool all_day)
{
	const char *t = json_is_object(dt) ? graph_str(dt, "dateTime") : NULL;
	const char *tz = json_is_object(dt) ? graph_str(dt, "timeZone") : NULL;
	int y, mo, d, h, mi, se;

	if (!graph_time(t, &y, &mo, &d, &h, &mi, &se))
		return false;
	if (all_day)
		buf_printf(b, "%s;VALUE=DATE:%04d%02d%02d\r\n", name, y, mo, d);
	else if (tz == NULL || strcasecmp(tz, "UTC") == 0 ||
	    strcasecmp(tz, "tzone://Microsoft/Utc") == 0)
		buf_printf(b, "%s:%04d%02d%02dT%02d%02d%02dZ\r\n", name, y, mo,
		    d, h, mi, se);
	else if (strlen(tz) < 128 && strpbrk(tz, "\"\r\n") == NULL)
		buf_printf(b, "%s;TZID=\"%s\":%04d%02d%02dT%02d%02d%02d\r\n",
		    name, tz, y, mo, d, h, mi, se);
	else
		return false;
	return true;
}

/* The PARTSTAT of a Graph response ("accepted", "tentativelyAccepted"). */
static const char *
graph_partstat(const char *response)
{
	if (response == NULL)
		return "NEEDS-ACTION";
	if (strcmp(response, "accepted") == 0 ||
	    strcmp(response, "organizer") == 0)
		return "ACCEPTED";
	if (strcmp(response, "declined") == 0)
		return "DECLINED";
	if (strcmp(response, "tentativelyAccepted") == 0)
		return "TENTATIVE";
	return "NEEDS-ACTION";
}

/* An email address usable in "mailto:", or NULL. */
static const char *
graph_address(json_t *who)
{
	const char *a = graph_str2(who, "emailAddress", "address");

	return graph_token(a, 320, "\";:,<>()[]\\") && strchr(a, '@') != NULL ?
	    a : NULL;
}

/*
 * The UID of an event: its iCalUId, for an occurrence or exception of a
 * series with the occurrence's date zeroed (bytes 16 to 19 of Outlook's
 * GlobalObjectId), which gives the series' UID.  Caller frees; NULL if
 * none.
 */
static char *
graph_uid(json_t *ev, bool instance)
{
	const char *u = graph_str(ev, "iCalUId");
	char *uid;

	if (!graph_token(u, GRAPH_MAX_ID, ""))
		return NULL;
	uid = xstrdup(u);
	if (instance && strlen(uid) >= 40 &&
	    strncasecmp(uid, GRAPH_GOID, strlen(GRAPH_GOID)) == 0)
		memcpy(uid + 32, "00000000", 8);
	return uid;
}

/*
 * The iCalendar object of one Graph event (see the top of the file).
 * owner is the salesperson whose calendar it is: their response
 * (responseStatus) is their ATTENDEE's PARTSTAT.  Returns NULL, with
 * why, for an event without UID or times.  Caller frees.
 */
static char *
graph_ical(json_t *ev, const struct salesperson *owner, const char **why)
{
	struct buf b = { 0 };
	json_t *att, *a;
	const char *type, *addr, *own, *role, *s;
	bool all_day = graph_bool(ev, "isAllDay"), instance, owner_seen = false;
	char *uid;
	size_t i;

	type = graph_str(ev, "type");
	instance = type != NULL && (strcmp(type, "occurrence") == 0 ||
	    strcmp(type, "exception") == 0);
	uid = graph_uid(ev, instance);
	if (uid == NULL) {
		*why = "no iCalUId";
		return NULL;
	}
	own = graph_str2(ev, "responseStatus", "response");
	buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//salescycle//graph//EN\r\nBEGIN:VEVENT\r\nUID:");
	graph_text(&b, uid);
	buf_puts(&b, "\r\n");
	free(uid);
	if (!graph_when(&b, "DTSTART", json_object_get(ev, "start"), all_day) ||
	    !graph_when(&b, "DTEND", json_object_get(ev, "end"), all_day)) {
		buf_free(&b);
		*why = "no start or end";
		return NULL;
	}
	graph_utc(&b, "CREATED", graph_str(ev, "createdDateTime"));
	graph_utc(&b, "LAST-MODIFIED", graph_str(ev, "lastModifiedDateTime"));
	graph_utc(&b, "DTSTAMP", graph_str(ev, "lastModifiedDateTime"));
	buf_puts(&b, "SUMMARY:");
	graph_text(&b, graph_str(ev, "subject"));
	buf_puts(&b, "\r\nLOCATION:");
	graph_text(&b, graph_str2(ev, "location", "displayName"));
	buf_puts(&b, "\r\nDESCRIPTION:");
	graph_text(&b, graph_str(ev, "bodyPreview"));
	buf_puts(&b, "\r\n");
	if (graph_bool(ev, "isCancelled"))
		buf_puts(&b, "STATUS:CANCELLED\r\n");
	s = graph_str(ev, "sensitivity");
	if (s != NULL && (strcmp(s, "private") == 0 ||
	    strcmp(s, "confidential") == 0))
		buf_puts(&b, "CLASS:PRIVATE\r\n");
	s = graph_str(ev, "showAs");
	if (s != NULL && strcmp(s, "free") == 0)
		buf_puts(&b, "TRANSP:TRANSPARENT\r\n");
	addr = graph_address(json_object_get(ev, "organizer"));
	if (addr != NULL)
		buf_printf(&b, "ORGANIZER:mailto:%s\r\n", addr);
	att = json_object_get(ev, "attendees");
	json_array_foreach(att, i, a) {
		addr = graph_address(a);
		if (addr == NULL)
			continue;
		s = graph_str(a, "type");
		role = "REQ-PARTICIPANT";
		if (s != NULL && strcmp(s, "optional") == 0)
			role = "OPT-PARTICIPANT";
		else if (s != NULL && strcmp(s, "resource") == 0)
			role = "NON-PARTICIPANT;CUTYPE=RESOURCE";
		s = graph_str2(a, "status", "response");
		/* The owner's own answer is the event's responseStatus. */
		if (owner != NULL && strlist_contains(&owner->email, addr)) {
			owner_seen = true;
			if (own != NULL)
				s = own;
		}
		buf_printf(&b, "ATTENDEE;ROLE=%s;PARTSTAT=%s:mailto:%s\r\n",
		    role, graph_partstat(s), addr);
	}
	if (!owner_seen && owner != NULL && owner->email.n > 0 && own != NULL &&
	    strcmp(own, "declined") == 0)
		buf_printf(&b, "ATTENDEE;PARTSTAT=DECLINED:mailto:%s\r\n",
		    owner->email.v[0]);
	buf_puts(&b, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	return b.data;
}

char *
graph_event_ical(const char *json, size_t len,
    const struct salesperson *owner, const char **why)
{
	json_error_t jerr;
	json_t *ev;
	char *text;

	ev = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(ev)) {
		json_decref(ev);
		*why = "no JSON object";
		return NULL;
	}
	text = graph_ical(ev, owner, why);
	json_decref(ev);
	return text;
}

/* Parses a DateTimeOffset into *out; false when it is none. */
static bool
graph_timet(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se;

	if (!graph_time(s, &y, &mo, &d, &h, &mi, &se))
		return false;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm);
	return *out != (time_t)-1;
}

/* One poll's state. */
struct graph_ctx {
	const struct config	*cfg;
	const struct source	*src;
	const struct salesperson *owner;
	struct pipeline		*p;
	time_t			 from, to;
	struct strlist		 seen_ids;	/* owned: ids read */
	struct hashset		 seen;		/* into seen_ids */
	unsigned		 changed, removed, bad;
};

/* Takes one entry of a page: an event to keep, or a removal. */
static void
graph_entry(struct graph_ctx *g, json_t *ev)
{
	struct ical_file f;
	struct err e = { 0 };
	const char *id = graph_str(ev, "id"), *why = NULL, *v;
	const char *type = graph_str(ev, "type");
	time_t rid = 0;
	char *text;
	size_t i;

	if (!graph_token(id, GRAPH_MAX_ID, "")) {
		log_warn("%s: an entry without a usable id, skipped",
		    g->src->name);
		g->bad++;
		return;
	}
	if (json_object_get(ev, "@removed") != NULL) {
		pipeline_remove(g->p, id);
		g->removed++;
		return;
	}
	if (type != NULL && strcmp(type, "seriesMaster") == 0)
		return;		/* calendarView gives its occurrences */
	text = graph_ical(ev, g->owner, &why);
	if (text == NULL) {
		log_warn("%s: event %s: %s, skipped", g->src->name, id, why);
		g->bad++;
		return;
	}
	memset(&f, 0, sizeof f);
	if (event_parse(text, strlen(text), g->from, g->to, g->cfg->timezone,
	    id, &f, &e) != 0 || f.nevents == 0) {
		log_warn("%s: event %s: %s, skipped", g->src->name, id,
		    e.msg[0] != '\0' ? e.msg : "no event");
		ical_file_free(&f);
		free(text);
		g->bad++;
		return;
	}
	free(text);
	/* An occurrence of a series: its original start names it. */
	if (type != NULL && (strcmp(type, "occurrence") == 0 ||
	    strcmp(type, "exception") == 0) &&
	    graph_timet(graph_str(ev, "originalStart"), &rid)) {
		for (i = 0; i < f.nevents; i++) {
			f.events[i].recurrence_id = rid;
			f.events[i].recurring = true;
		}
		for (i = 0; i < f.nocc; i++)
			f.occ[i].recurrence_id = rid;
	}
	v = graph_str(ev, "changeKey");
	pipeline_ical(g->p, g->src->salesperson, &f, id, v != NULL ? v :
	    graph_str(ev, "lastModifiedDateTime"));
	ical_file_free(&f);
	g->changed++;
	if (hashset_get(&g->seen, id) == NULL) {
		strlist_add(&g->seen_ids, id);
		hashset_add(&g->seen, g->seen_ids.v[g->seen_ids.n - 1]);
	}
}

/* Queues the removal of a stored event a complete read did not see. */
static int
graph_unseen_cb(const char *item, const char *version, void *arg)
{
	struct graph_ctx *g = arg;

	(void)version;
	if (hashset_get(&g->seen, item) == NULL) {
		pipeline_remove(g->p, item);
		g->removed++;
	}
	return 0;
}

/* The first request of a read: the window's delta.  Caller frees. */
static char *
graph_start_url(const struct source *src, time_t from, time_t to)
{
	char a[32], b[32];
	struct tm tm;
	size_t n = strlen(src->url);

	while (n > 0 && src->url[n - 1] == '/')
		n--;
	strftime(a, sizeof a, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&from, &tm));
	strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&to, &tm));
	return xasprintf("%.*s/calendarView/delta?startDateTime=%s&"
	    "endDateTime=%s", (int)n, src->url, a, b);
}

/*
 * GETs one page into a JSON object.  Returns 0, 1 for 410 Gone, or -1
 * with err.
 */
static int
graph_get(struct http *http, const char *url, json_t **out, struct err *err)
{
	struct http_request req;
	struct http_response resp;
	struct buf body = { 0 };
	json_error_t jerr;
	int rc = -1;

	*out = NULL;
	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	req.method = "GET";
	req.url = url;
	req.cb = graph_body_cb;
	req.arg = &body;
	if (http_request(http, &req, &resp, err) != 0)
		goto out;
	if (resp.status == 410) {
		rc = 1;
		goto out;
	}
	if (resp.status != 200) {
		http_status_error(&resp, "GET calendarView/delta", err);
		goto out;
	}
	*out = json_loadb(body.data != NULL ? body.data : "", body.len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		err_set(err, ERR_WAIT, "GET calendarView/delta: the answer is "
		    "no JSON object (%zu bytes)", body.len);
		goto out;
	}
	rc = 0;
out:
	http_response_free(&resp);
	buf_free(&body);
	return rc;
}

/*
 * A page's link to go on with, checked: the origin of url, so that the
 * bearer token goes nowhere else.  NULL (with err) when it is not.
 */
static const char *
graph_link(const struct source *src, const char *link, struct err *err)
{
	if (!graph_token(link, 8 * GRAPH_MAX_ID, "\"<>\\") ||
	    !http_same_origin(link, src->url)) {
		err_set(err, ERR_WAIT, "GET calendarView/delta: a link to "
		    "another origin than url, or a malformed one; refused");
		return NULL;
	}
	return link;
}

static int
graph_poll(void **statep, const struct config *cfg, const struct source *src,
    struct store *store, volatile sig_atomic_t *stop, struct err *err)
{
	struct graph_ctx g;
	struct err e = { 0 };
	struct http *http = NULL;
	struct cursor cur[2];
	json_t *page = NULL, *v, *ev;
	const char *next, *delta;
	char *link = NULL, *full = NULL;
	bool full_here = false, restarted = false;
	unsigned pages;
	size_t i;
	int r, rc = -1;

	(void)statep;
	memset(&g, 0, sizeof g);
	g.cfg = cfg;
	g.src = src;
	g.owner = config_salesperson(cfg, src->salesperson);
	event_window(util_now(), cfg->backfill_days, cfg->timezone, &g.from,
	    &g.to);
	/* The token anew each poll: bearer tokens last an hour or so. */
	if (http_open_source(src, &http, err) != 0)
		return -1;
	http_set_stop(http, stop);
	g.p = pipeline_new(cfg, store, src->name);
	pipeline_defer_projection(g.p);
	if (store_cursor_get(store, src->name, GRAPH_SCOPE, "link", &link,
	    err) != 0 || store_cursor_get(store, src->name, GRAPH_SCOPE,
	    "full", &full, err) != 0)
		goto out;
	if (link == NULL) {
		link = graph_start_url(src, g.from, g.to);
		full_here = true;
	}
	for (pages = 0; !*stop; pages++) {
		if (pages >= GRAPH_MAX_PAGES) {
			err_set(err, ERR_TEMP, "more than %d pages in one "
			    "poll; going on at the next", GRAPH_MAX_PAGES);
			goto out;
		}
		r = graph_get(http, link, &page, err);
		if (r < 0) {
			if (*stop)
				rc = 0;
			goto out;
		}
		if (r == 1) {
			/* The sync state expired: read the window again. */
			if (restarted) {
				err_set(err, ERR_WAIT, "GET calendarView/"
				    "delta: 410 Gone for a fresh read");
				goto out;
			}
			log_info("%s: the sync state is gone (410); reading "
			    "the calendar again", src->name);
			restarted = full_here = true;
			free(link);
			link = graph_start_url(src, g.from, g.to);
			continue;
		}
		v = json_object_get(page, "value");
		json_array_foreach(v, i, ev) {
			if (json_is_object(ev))
				graph_entry(&g, ev);
		}
		next = graph_str(page, "@odata.nextLink");
		delta = graph_str(page, "@odata.deltaLink");
		if (next == NULL && delta == NULL) {
			err_set(err, ERR_WAIT, "GET calendarView/delta: a page "
			    "without @odata.nextLink or @odata.deltaLink");
			goto out;
		}
		if (graph_link(src, next != NULL ? next : delta, err) == NULL)
			goto out;
		cur[0] = (struct cursor){ GRAPH_SCOPE, "link",
		    next != NULL ? next : delta };
		/* A full read in progress, for the removals at its end. */
		cur[1] = (struct cursor){ GRAPH_SCOPE, "full",
		    next != NULL && (full_here || full != NULL) ? "1" : NULL };
		if (next == NULL && full_here && store_items(store, src->name,
		    graph_unseen_cb, &g, err) != 0)
			goto out;
		if (next == NULL && !full_here && full != NULL)
			log_info("%s: a read of the calendar spanned polls; "
			    "events deleted meanwhile stay until deleted again",
			    src->name);
		if (source_commit(g.p, cur, 2, err) < 0)
			goto out;
		free(link);
		link = xstrdup(next != NULL ? next : delta);
		json_decref(page);
		page = NULL;
		if (next == NULL)
			break;
	}
	log_info("%s: %u events, %u removed, %u skipped", src->name,
	    g.changed, g.removed, g.bad);
	rc = 0;
out:
	json_decref(page);
	if (pipeline_finish(g.p, rc == 0 ? err : &e) != 0)
		rc = -1;
	pipeline_free(g.p);
	http_free(http);
	hashset_clear(&g.seen);
	strlist_clear(&g.seen_ids);
	free(link);
	free(full);
	return rc;
}

/* Nothing is kept between polls: each reads its token and cursor anew. */
static void
graph_close(void *state)
{
	(void)state;
}

/*
 * The driver's check (salescycle doctor): the first page of the
 * window's delta read, whether it answers and how many events it holds.
 */
static int
graph_check(const struct config *cfg, const struct source *src,
    source_say_fn say, void *arg, struct err *err)
{
	struct source_report rep = { say, arg, 0 };
	struct http *http = NULL;
	json_t *page = NULL;
	time_t from, to;
	char *url = NULL, line[600];
	int r;

	if (http_open_source(src, &http, err) != 0) {
		source_note(&rep, false, "token: %s", err->msg);
		goto out;
	}
	event_window(util_now(), cfg->backfill_days, cfg->timezone, &from, &to);
	url = graph_start_url(src, from, to);
	r = graph_get(http, url, &page, err);
	if (r != 0) {
		if (r == 1)
			err_set(err, ERR_WAIT, "410 Gone for a fresh read");
		source_fail(&rep, err->msg, http_error_hint(err));
		goto out;
	}
	http_connection_info(http, url, line, sizeof line);
	source_note(&rep, true, "%s", line);
	source_note(&rep, true, "calendarView/delta answers: %zu events on "
	    "its first page", json_array_size(json_object_get(page, "value")));
out:
	json_decref(page);
	free(url);
	http_free(http);
	return source_report_end(&rep, err);
}

static const char *const graph_schemes[] = { "https", "http", NULL };

const struct source_ops graph_source_ops = {
	.type = SOURCE_GRAPH,
	.section = "graph",
	.schemes = graph_schemes,
	.cleartext = "http",
	.poll = graph_poll,
	.close = graph_close,
	.check = graph_check,
};
