/* SPDX-License-Identifier: MIT */
/*
 * The ICS URL source.  A feed is fetched with the ETag and Last-Modified
 * of the previous fetch, so an unchanged feed costs one request and a 304.
 * A changed feed is split with libical into one calendar object per UID
 * (the master, its overrides and the feed's VTIMEZONEs), each stored as
 * an item named by its UID with a hash of its text as version: only UIDs
 * whose text changed are classified again, and UIDs that left the feed
 * are removed.  DTSTAMP lines are left out of the hash because feeds
 * regenerate them on every fetch (vdirsyncer#262).  ics_check() fetches
 * the feed once for `salescycle doctor` and says what came back.
 *
 * The URL holds the feed's key, so it goes into no message, health row or
 * cursor: messages say "the feed at https://host/..." (http_url_name),
 * and the ETag and Last-Modified cursors are scoped by "feed " and a
 * SHA-256 of the URL, so that a feed moved elsewhere still starts afresh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libical/ical.h>

#define LOG_TAG "ics"
#include "caldav.h"
#include "event.h"
#include "http.h"
#include "ics.h"
#include "log.h"
#include "pipeline.h"
#include "xmalloc.h"

#define ICS_BATCH	200	/* items per commit */

struct ics_state {
	struct http	*http;
};

/* One UID of the feed. */
struct ics_item {
	char	*uid;		/* owned */
	char	*text;		/* owned: a VCALENDAR with this UID's VEVENTs */
	char	 version[17];	/* hash of text without DTSTAMP */
	bool	 current;	/* stored with this version already */
};

/* A VEVENT of the feed with the VCALENDAR it came from. */
struct ics_event {
	const char	*uid;		/* borrowed from the component */
	size_t		 seq;		/* order in the feed, to keep sorting stable */
	icalcomponent	*vevent;	/* borrowed */
	icalcomponent	*vcal;		/* borrowed */
};

struct ics_feed {
	struct ics_item	*v;	/* owned array, sorted by uid */
	size_t		 n;
};

struct ics_body {
	struct buf	 buf;
	const char	*name;		/* the feed as messages name it */
};

static void
ics_close(void *arg)
{
	struct ics_state *st = arg;

	if (st == NULL)
		return;
	http_free(st->http);
	free(st);
}

/* Collects the feed, refusing one larger than ICS_MAX_FEED. */
static int
ics_body_cb(const char *data, size_t len, void *arg, struct err *err)
{
	struct ics_body *b = arg;

	if (len > ICS_MAX_FEED - b->buf.len)
		return err_set(err, ERR_TEMP, "the feed at %s is larger than "
		    "%u MiB; refused", b->name, ICS_MAX_FEED >> 20);
	buf_append(&b->buf, data, len);
	return 0;
}

/* FNV-1a over the text, skipping DTSTAMP lines, as 16 hex digits. */
static void
ics_hash(const char *text, char *out, size_t outlen)
{
	uint64_t h = 14695981039346656037ULL;
	const char *p = text, *eol;

	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (strncmp(p, "DTSTAMP", 7) != 0) {
			for (; p < eol; p++) {
				h ^= (unsigned char)*p;
				h *= 1099511628211ULL;
			}
		}
		p = *eol == '\n' ? eol + 1 : eol;
	}
	snprintf(out, outlen, "%016llx", (unsigned long long)h);
}

static int
ics_event_cmp(const void *a, const void *b)
{
	const struct ics_event *ea = a, *eb = b;
	int c = strcmp(ea->uid, eb->uid);

	if (c != 0)
		return c;
	return ea->seq < eb->seq ? -1 : ea->seq > eb->seq;
}

/* Adds the VEVENTs of one VCALENDAR to evs; name names the source. */
static void
ics_collect(icalcomponent *vcal, const char *name, struct ics_event **evs,
    size_t *n, size_t *cap)
{
	icalcomponent *c;
	const char *uid;

	for (c = icalcomponent_get_first_component(vcal, ICAL_VEVENT_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(vcal, ICAL_VEVENT_COMPONENT)) {
		uid = icalcomponent_get_uid(c);
		if (uid == NULL || *uid == '\0') {
			log_warn("%s: event without UID, skipped", name);
			continue;
		}
		if (*n == *cap) {
			*cap = *cap == 0 ? 64 : *cap * 2;
			*evs = xreallocarray(*evs, *cap, sizeof **evs);
		}
		(*evs)[*n].uid = uid;
		(*evs)[*n].seq = *n;
		(*evs)[*n].vevent = c;
		(*evs)[*n].vcal = vcal;
		(*n)++;
	}
}

/* One VCALENDAR holding the events [first, last) and their calendar's zones. */
static char *
ics_item_text(const struct ics_event *ev, size_t first, size_t last)
{
	icalcomponent *out, *tz;
	char *text, *copy;
	size_t i;

	out = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
	    icalproperty_new_version("2.0"),
	    icalproperty_new_prodid("-//salescycle//ics split//EN"), (void *)0);
	for (tz = icalcomponent_get_first_component(ev[first].vcal,
	    ICAL_VTIMEZONE_COMPONENT); tz != NULL;
	    tz = icalcomponent_get_next_component(ev[first].vcal,
	    ICAL_VTIMEZONE_COMPONENT))
		icalcomponent_add_component(out, icalcomponent_new_clone(tz));
	for (i = first; i < last; i++)
		icalcomponent_add_component(out,
		    icalcomponent_new_clone(ev[i].vevent));
	text = icalcomponent_as_ical_string_r(out);
	icalcomponent_free(out);
	/* Keep ownership with our own allocator. */
	copy = xstrdup(text != NULL ? text : "");
	free(text);
	return copy;
}

static void
ics_feed_free(struct ics_feed *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].uid);
		free(f->v[i].text);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/*
 * Splits a feed into one item per UID, sorted by UID.  -1 with ERR_DATA
 * when the text holds no VCALENDAR.  src names the source in warnings,
 * feed the feed in err.
 */
static int
ics_split(const char *data, const char *src, const char *feed,
    struct ics_feed *out, struct err *err)
{
	icalcomponent *root, *c;
	struct ics_event *evs = NULL;
	size_t n = 0, cap = 0, i, j;

	memset(out, 0, sizeof *out);
	root = icalparser_parse_string(data);
	if (root == NULL)
		return err_set(err, ERR_DATA, "the feed at %s is no iCalendar",
		    feed);
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		ics_collect(root, src, &evs, &n, &cap);
	else {
		for (c = icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT); c != NULL;
		    c = icalcomponent_get_next_component(root,
		    ICAL_VCALENDAR_COMPONENT))
			ics_collect(c, src, &evs, &n, &cap);
		if (n == 0 && icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT) == NULL) {
			icalcomponent_free(root);
			return err_set(err, ERR_DATA, "the feed at %s is no "
			    "iCalendar", feed);
		}
	}
	if (n > 0)
		qsort(evs, n, sizeof *evs, ics_event_cmp);
	out->v = xcalloc(n > 0 ? n : 1, sizeof *out->v);
	for (i = 0; i < n; i = j) {
		struct ics_item *it = &out->v[out->n++];

		for (j = i + 1; j < n && strcmp(evs[j].uid, evs[i].uid) == 0; j++)
			;
		it->uid = xstrdup(evs[i].uid);
		it->text = ics_item_text(evs, i, j);
		ics_hash(it->text, it->version, sizeof it->version);
	}
	free(evs);
	icalcomponent_free(root);
	return 0;
}

static int
ics_item_cmp(const void *a, const void *b)
{
	const struct ics_item *ia = a, *ib = b;

	return strcmp(ia->uid, ib->uid);
}

struct ics_diff {
	struct ics_feed	*feed;
	struct pipeline	*p;
	unsigned	 removed;
};

/* Marks stored UIDs whose text is unchanged; queues UIDs gone from the feed. */
static int
ics_stored_cb(const char *item, const char *version, void *arg)
{
	struct ics_diff *d = arg;
	struct ics_item key, *it;

	memset(&key, 0, sizeof key);
	key.uid = (char *)item;
	it = bsearch(&key, d->feed->v, d->feed->n, sizeof *d->feed->v,
	    ics_item_cmp);
	if (it == NULL) {
		pipeline_remove(d->p, item);
		d->removed++;
	} else if (version != NULL && strcmp(version, it->version) == 0)
		it->current = true;
	return 0;
}

/* Brings the store in line with a fetched feed and commits with the cursors. */
static int
ics_apply(const struct config *cfg, const struct source *src,
    struct store *store, struct ics_feed *feed, const struct cursor *cur,
    size_t ncur, volatile sig_atomic_t *stop, struct err *err)
{
	struct pipeline *p = pipeline_new(cfg, store, src->name);
	struct ics_diff d = { feed, p, 0 };
	struct ical_file f;
	struct err e;
	time_t from, to;
	size_t i;
	unsigned changed = 0, bad = 0;
	int rc = -1;

	pipeline_defer_projection(p);
	caldav_window(cfg, time(NULL), &from, &to);
	if (store_items(store, src->name, ics_stored_cb, &d, err) != 0)
		goto out;
	for (i = 0; i < feed->n; i++) {
		struct ics_item *it = &feed->v[i];

		if (it->current)
			continue;
		memset(&f, 0, sizeof f);
		err_clear(&e);
		if (event_parse(it->text, strlen(it->text), from, to, cfg->timezone,
		    it->uid, &f, &e) != 0) {
			/* The feed's text: made printable for the log line. */
			char *uid = http_clean_text(xstrdup(it->uid));

			http_clean_text(e.msg);
			log_warn("%s: %s: %s, skipped", src->name, uid, e.msg);
			free(uid);
			bad++;
		} else {
			pipeline_ical(p, src->salesperson, &f, it->uid, it->version);
			changed++;
		}
		ical_file_free(&f);
		if (pipeline_pending(p) >= ICS_BATCH) {
			if (pipeline_commit(p, NULL, 0, err) < 0)
				goto out;
			if (*stop) {
				rc = 0;
				goto out;
			}
		}
	}
	if (pipeline_commit(p, cur, ncur, err) < 0)
		goto out;
	log_info("%s: %zu events, %u changed, %u removed, %u skipped", src->name,
	    feed->n, changed, d.removed, bad);
	rc = 0;
out:
	if (pipeline_finish(p, rc == 0 ? err : &e) != 0)
		rc = -1;
	pipeline_free(p);
	return rc;
}

/*
 * The scope of a feed's cursors: "feed " and the first 16 bytes of the
 * SHA-256 of its URL in hex (out at least 38 bytes).
 */
static void
ics_scope(const char *url, char *out, size_t len)
{
	unsigned char md[32];
	size_t i, n;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, url, strlen(url), md) != 0)
		fatal("gnutls_hash_fast failed");
	n = (size_t)snprintf(out, len, "feed ");
	for (i = 0; i < 16 && n + 2 < len; i++, n += 2)
		snprintf(out + n, len - n, "%02x", md[i]);
}

static int
ics_poll(void **statep, const struct config *cfg, const struct source *src,
    struct store *store, volatile sig_atomic_t *stop, struct err *err)
{
	struct ics_state *st = *statep;
	struct http_request req;
	struct http_response resp;
	struct ics_body body;
	struct ics_feed feed = { 0 };
	struct cursor cur[2];
	char *etag = NULL, *lm = NULL, what[600], name[512], scope[64];
	int rc = -1;

	if (st == NULL) {
		st = xcalloc(1, sizeof *st);
		if (http_open_source(src, &st->http, err) != 0) {
			free(st);
			return -1;
		}
		*statep = st;
	}
	http_set_stop(st->http, stop);
	http_url_name(st->http, src->url, name, sizeof name);
	ics_scope(src->url, scope, sizeof scope);
	memset(&body, 0, sizeof body);
	memset(&resp, 0, sizeof resp);
	body.name = name;
	/* Earlier versions scoped the cursors by the URL itself. */
	if (store_cursor_clear(store, src->name, src->url, err) != 0 ||
	    store_cursor_get(store, src->name, scope, "etag", &etag, err) != 0 ||
	    store_cursor_get(store, src->name, scope, "last-modified", &lm,
	    err) != 0)
		goto out;
	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = src->url;
	req.if_none_match = etag;
	req.if_modified_since = lm;
	req.cb = ics_body_cb;
	req.arg = &body;
	if (http_request(st->http, &req, &resp, err) != 0) {
		/* Stopped: nothing failed, the next process goes on. */
		if (*stop)
			rc = 0;
		goto out;
	}
	if (resp.status == 304) {
		log_debug("%s: feed unchanged", src->name);
		rc = 0;
		goto out;
	}
	if (resp.status != 200) {
		snprintf(what, sizeof what, "GET %s", name);
		http_status_error(&resp, what, err);
		goto out;
	}
	if (ics_split(body.buf.data != NULL ? body.buf.data : "", src->name,
	    name, &feed, err) != 0) {
		/* The server sent something that is no calendar: its fault. */
		err_set(err, ERR_WAIT, "the feed at %s is no iCalendar (%zu "
		    "bytes, Content-Type %s); check url =", name, body.buf.len,
		    resp.content_type != NULL ? resp.content_type : "none");
		goto out;
	}
	cur[0].scope = cur[1].scope = scope;
	cur[0].name = "etag";
	cur[0].value = resp.etag;
	cur[1].name = "last-modified";
	cur[1].value = resp.last_modified;
	rc = ics_apply(cfg, src, store, &feed, cur, 2, stop, err);
out:
	ics_feed_free(&feed);
	http_response_free(&resp);
	buf_free(&body.buf);
	free(etag);
	free(lm);
	return rc;
}

/*
 * The driver's check (salescycle doctor): one unconditional GET of the
 * feed, its status and content type, and how many events it holds.
 */
static int
ics_check(const struct config *cfg, const struct source *src,
    source_say_fn say, void *arg, struct err *err)
{
	struct http *http = NULL;
	struct http_request req;
	struct http_response resp;
	struct ics_body body;
	struct ics_feed feed = { 0 };
	const char *hint, *type;
	char line[600], name[512];
	bool calendar;
	int rc = -1;

	(void)cfg;
	memset(&body, 0, sizeof body);
	memset(&resp, 0, sizeof resp);
	if (http_open_source(src, &http, err) != 0) {
		say(arg, false, "password: %s", err->msg);
		goto out;
	}
	http_url_name(http, src->url, name, sizeof name);
	body.name = name;
	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = src->url;
	req.cb = ics_body_cb;
	req.arg = &body;
	if (http_request(http, &req, &resp, err) != 0) {
		hint = http_error_hint(err);
		say(arg, false, "%s%s%s", err->msg, hint != NULL ? "; " : "",
		    hint != NULL ? hint : "");
		goto out;
	}
	http_connection_info(http, resp.url != NULL ? resp.url : src->url,
	    line, sizeof line);
	say(arg, true, "%s", line);
	if (resp.status != 200) {
		snprintf(line, sizeof line, "GET %s", name);
		http_status_error(&resp, line, err);
		say(arg, false, "%s", err->msg);
		goto out;
	}
	type = resp.content_type != NULL ? resp.content_type : "none";
	calendar = strncasecmp(type, "text/calendar", 13) == 0;
	if (ics_split(body.buf.data != NULL ? body.buf.data : "", src->name,
	    name, &feed, err) != 0) {
		say(arg, false, "the feed answers (%zu bytes, Content-Type %s) "
		    "but is no iCalendar; check url = (a login page?)",
		    body.buf.len, type);
		goto out;
	}
	say(arg, true, "the feed answers: %zu bytes, Content-Type %s%s",
	    body.buf.len, type, calendar ? "" : " (not text/calendar, "
	    "but it reads as iCalendar)");
	say(arg, true, "%zu events", feed.n);
	rc = 0;
out:
	ics_feed_free(&feed);
	http_response_free(&resp);
	buf_free(&body.buf);
	http_free(http);
	return rc;
}

const struct source_ops ics_source_ops = {
	.type = SOURCE_ICS,
	.poll = ics_poll,
	.close = ics_close,
	.check = ics_check,
};
