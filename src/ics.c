/* SPDX-License-Identifier: MIT */
/*
 * The ICS URL source.  A feed is fetched with the ETag and Last-Modified
 * of the previous fetch, so an unchanged feed costs one request and a 304.
 * A changed feed is split by its content lines into one calendar object
 * per UID (the master, its overrides and its VCALENDAR's VTIMEZONEs),
 * each stored as an item named by its UID with a hash of its text as
 * version: only UIDs whose text changed are put together and parsed
 * (with libical, one at a time), and UIDs that left the feed are
 * removed.  The feed is never parsed whole, which took several times its
 * size in memory.  DTSTAMP lines are left out of the hash because feeds
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

#define LOG_TAG "ics"
#include "event.h"
#include "hashset.h"
#include "http.h"
#include "ics.h"
#include "log.h"
#include "pipeline.h"
#include "util.h"
#include "xmalloc.h"

#define ICS_BATCH	200	/* items per commit */
/*
 * The VTIMEZONE text put into items in one poll (ics_item_text): four
 * times the feed and a MiB.  Past it the items are left for the next
 * poll, so that a feed whose every event names a zone of megabytes costs
 * a poll what a few feeds do, not events x zones.
 */
#define ICS_ZONE_FACTOR	4
#define ICS_ZONE_FLOOR	(1U << 20)

struct ics_state {
	struct http	*http;
};

/* A component's text in the feed: its BEGIN line through its END line. */
struct ics_piece {
	size_t		 off;
	size_t		 len;
};

/* A VEVENT of the feed and the VCALENDAR it came from. */
struct ics_event {
	char		*uid;		/* owned */
	size_t		 seq;		/* order in the feed, to keep sorting stable */
	struct ics_piece text;
	size_t		 vcal;		/* index into ics_feed.vcals */
};

/* A VTIMEZONE of the feed and its TZID. */
struct ics_zone {
	struct ics_piece text;
	char		*tzid;		/* owned; NULL if it has none */
};

/*
 * The VTIMEZONEs of one VCALENDAR, zones[first, first + n), and the hash
 * of their text (ics_hash_text from HASHSET_FNV_INIT): each of its items'
 * versions goes on from there, so that the zones are hashed once a feed.
 */
struct ics_vcal {
	size_t		 first;
	size_t		 n;
	size_t		 nnamed;	/* with a TZID, in zsorted from first */
	uint64_t	 hash;
};

/* One UID of the feed: the events [first, last) of ics_feed.ev. */
struct ics_item {
	const char	*uid;		/* borrowed from ev[first] */
	size_t		 first, last;
	char		 version[17];	/* hash of its text without DTSTAMP */
	bool		 current;	/* stored with this version already */
};

/*
 * A feed split by UID.  Only offsets into the feed's text are kept; an
 * item's text is put together when it is classified, one at a time.
 */
struct ics_feed {
	const char	*text;		/* borrowed: the feed */
	size_t		 len;
	struct ics_event *ev;		/* owned array, sorted by uid */
	size_t		 nev, capev;
	struct ics_zone	*zones;		/* owned array */
	size_t		*zsorted;	/* owned: ics_vcal.nnamed, by TZID */
	size_t		 nzones, capzones;
	struct ics_vcal	*vcals;		/* owned array */
	size_t		 nvcals, capvcals;
	struct ics_item	*v;		/* owned array, sorted by uid */
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

/*
 * After each poll: the curl handle and its connection go (an HTTP server
 * would close it long before the next poll), the next poll makes another.
 */
static void
ics_disconnect(void *arg)
{
	struct ics_state *st = arg;

	http_disconnect(st->http);
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

#define ICS_HEAD	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" \
	"PRODID:-//salescycle//ics split//EN\r\n"
#define ICS_TAIL	"END:VCALENDAR\r\n"
#define ICS_MAX_NEST	32	/* components within components */

/*
 * The content line (RFC 5545 section 3.1) that starts at p: up to the
 * line break not followed by a space or tab (a fold).  Returns where the
 * next one starts; *len is the line's length without its break.
 */
static const char *
ics_line(const char *p, const char *end, size_t *len)
{
	const char *q = p, *nl;

	for (;;) {
		nl = memchr(q, '\n', (size_t)(end - q));
		if (nl == NULL) {
			*len = (size_t)(end - p);
			return end;
		}
		if (nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t')) {
			q = nl + 1;
			continue;
		}
		*len = (size_t)(nl - p);
		if (*len > 0 && p[*len - 1] == '\r')
			(*len)--;
		return nl + 1;
	}
}

/* The line unfolded into out (cut at outlen - 1 bytes); returns out. */
static char *
ics_unfold(const char *p, size_t len, char *out, size_t outlen)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < outlen; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			continue;
		if (p[i] == '\n' && i + 1 < len && (p[i + 1] == ' ' ||
		    p[i + 1] == '\t')) {
			i++;
			continue;
		}
		out[n++] = p[i];
	}
	out[n] = '\0';
	return out;
}

/* True when the line is property name. */
static bool
ics_is(const char *line, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(line, name, n) == 0 &&
	    (line[n] == ':' || line[n] == ';');
}

/* The value of a line, trimmed in place ("" if none). */
static char *
ics_value(char *line)
{
	char *v = strchr(line, ':');

	return v != NULL ? util_trim(v + 1) : line + strlen(line);
}

/* FNV-1a over one piece of text, leaving out DTSTAMP lines. */
static uint64_t
ics_hash_text(uint64_t h, const char *p, size_t len)
{
	const char *end = p + len, *next;
	size_t n;

	for (; p < end; p = next) {
		next = ics_line(p, end, &n);
		/* Feeds make DTSTAMP anew on every fetch (vdirsyncer#262). */
		if (n > 7 && strncasecmp(p, "DTSTAMP", 7) == 0 &&
		    (p[7] == ':' || p[7] == ';'))
			continue;
		h = hashset_fnv1a(hashset_fnv1a(h, p, n), "\n", 1);
	}
	return h;
}

/* Appends a piece of the feed, ending it with a line break. */
static void
ics_put(struct buf *b, const struct ics_feed *f, const struct ics_piece *pc)
{
	buf_append(b, f->text + pc->off, pc->len);
	buf_puts(b, "\r\n");
}

/*
 * Adds the TZID parameters of the piece's property lines to named, each
 * once (seen holds them): a parameter's value is not escaped, and may be
 * quoted.
 */
static void
ics_named_zones(const struct ics_feed *f, const struct ics_piece *pc,
    struct strlist *named, struct hashset *seen)
{
	const char *p = f->text + pc->off, *end = p + pc->len, *next;
	char line[1024], *v, *e;
	size_t n;

	for (; p < end; p = next) {
		next = ics_line(p, end, &n);
		ics_unfold(p, n, line, sizeof line);
		for (v = line; (v = strchr(v, ';')) != NULL; ) {
			v++;
			if (strncasecmp(v, "TZID=", 5) != 0)
				continue;
			v += 5;
			if (*v == '"')
				e = strchr(++v, '"');
			else
				e = v + strcspn(v, ";:");
			if (e == NULL)
				break;
			*e = '\0';
			if (hashset_get(seen, v) == NULL) {
				strlist_add(named, v);
				hashset_add(seen, named->v[named->n - 1]);
			}
			v = e + 1;
		}
	}
}

/* The zone places zsorted[lo, hi) sorted by TZID: the first of tzid's. */
static size_t
ics_zone_find(const struct ics_feed *f, size_t lo, size_t hi,
    const char *tzid)
{
	size_t mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(f->zones[f->zsorted[mid]].tzid, tzid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
ics_size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/*
 * The text of an item: a VCALENDAR with its events and those VTIMEZONEs
 * of its first event's VCALENDAR that they name.  Every zone for every
 * item made a feed of Z bytes of zones and N events cost N x Z: 2 MB of
 * zones and 5,000 events, five minutes a poll.  *zone_bytes gets what of
 * the text is zones.  Caller frees.
 */
static char *
ics_item_text(const struct ics_feed *f, const struct ics_item *it,
    size_t *zone_bytes)
{
	const struct ics_vcal *vc = &f->vcals[f->ev[it->first].vcal];
	struct strlist named = { 0 };
	struct hashset seen = { 0 };
	struct buf b = { 0 };
	size_t *take = NULL, ntake = 0, cap = 0, i, j, end;

	/* Its events' TZIDs, then their zones among the VCALENDAR's. */
	for (i = it->first; i < it->last; i++)
		ics_named_zones(f, &f->ev[i].text, &named, &seen);
	hashset_clear(&seen);
	end = vc->first + vc->nnamed;
	for (i = 0; i < named.n; i++)
		for (j = ics_zone_find(f, vc->first, end, named.v[i]);
		    j < end && strcmp(f->zones[f->zsorted[j]].tzid,
		    named.v[i]) == 0; j++) {
			if (ntake == cap) {
				cap = cap * 2 + 4;
				take = xreallocarray(take, cap, sizeof *take);
			}
			take[ntake++] = f->zsorted[j];
		}
	strlist_clear(&named);
	/* In the feed's order. */
	if (ntake > 1)
		qsort(take, ntake, sizeof *take, ics_size_cmp);
	*zone_bytes = 0;
	buf_puts(&b, ICS_HEAD);
	for (i = 0; i < ntake; i++) {
		ics_put(&b, f, &f->zones[take[i]].text);
		*zone_bytes += f->zones[take[i]].text.len;
	}
	free(take);
	for (i = it->first; i < it->last; i++)
		ics_put(&b, f, &f->ev[i].text);
	buf_puts(&b, ICS_TAIL);
	return b.data;
}

/*
 * The version of an item: a hash of its text without DTSTAMP lines (its
 * VCALENDAR's zones, all of them, then its events).
 */
static void
ics_item_hash(const struct ics_feed *f, struct ics_item *it)
{
	uint64_t h = f->vcals[f->ev[it->first].vcal].hash;
	size_t i;

	for (i = it->first; i < it->last; i++)
		h = ics_hash_text(h, f->text + f->ev[i].text.off, f->ev[i].text.len);
	snprintf(it->version, sizeof it->version, "%016llx",
	    (unsigned long long)h);
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

static void
ics_feed_free(struct ics_feed *f)
{
	size_t i;

	for (i = 0; i < f->nev; i++)
		free(f->ev[i].uid);
	free(f->ev);
	for (i = 0; i < f->nzones; i++)
		free(f->zones[i].tzid);
	free(f->zones);
	free(f->zsorted);
	free(f->vcals);
	free(f->v);
	memset(f, 0, sizeof *f);
}

/* A TEXT value unescaped in place, as libical reads it (RFC 5545 3.3.11). */
static char *
ics_unescape(char *s)
{
	char *r = s, *w = s;

	for (; *r != '\0'; r++) {
		if (*r == '\\' && r[1] != '\0') {
			r++;
			*w++ = *r == 'n' || *r == 'N' ? '\n' : *r;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return s;
}

/* A zone's TZID and place, to sort by. */
struct ics_zone_key {
	const char	*tzid;
	size_t		 i;
};

static int
ics_zone_cmp(const void *a, const void *b)
{
	const struct ics_zone_key *x = a, *y = b;
	int c = strcmp(x->tzid, y->tzid);

	return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Each VCALENDAR's zones hashed once, and those with a TZID sorted by it
 * for ics_item_text: an item looks its TZIDs up, where each zone was
 * matched against each line of each item's events (a feed of 50,000
 * zones and 2,000 events, 47 s).
 */
static void
ics_zones_index(struct ics_feed *f)
{
	struct ics_zone_key *key;
	struct ics_vcal *vc;
	size_t i, j, n;

	f->zsorted = xcalloc(f->nzones > 0 ? f->nzones : 1, sizeof *f->zsorted);
	key = xcalloc(f->nzones > 0 ? f->nzones : 1, sizeof *key);
	for (i = 0; i < f->nvcals; i++) {
		vc = &f->vcals[i];
		vc->hash = HASHSET_FNV_INIT;
		for (j = vc->first, n = 0; j < vc->first + vc->n; j++) {
			vc->hash = ics_hash_text(vc->hash, f->text +
			    f->zones[j].text.off, f->zones[j].text.len);
			if (f->zones[j].tzid != NULL) {
				key[n].tzid = f->zones[j].tzid;
				key[n++].i = j;
			}
		}
		qsort(key, n, sizeof *key, ics_zone_cmp);
		for (j = 0; j < n; j++)
			f->zsorted[vc->first + j] = key[j].i;
		vc->nnamed = n;
	}
	free(key);
}

/*
 * Splits a feed into one item per UID, sorted by UID, from its text
 * alone: the content lines are scanned for the VCALENDARs, their
 * VTIMEZONEs and VEVENTs, so that no parse of the whole feed (several
 * times its size in memory) is needed; each item is parsed on its own
 * when it is classified.  -1 with ERR_DATA when the text holds no
 * VCALENDAR or nests components deeper than ICS_MAX_NEST.  src names the
 * source in warnings, feed the feed in err.
 */
static int
ics_split(const char *data, size_t len, const char *src, const char *feed,
    struct ics_feed *out, struct err *err)
{
	const char *end = data + len, *p, *next;
	char line[1024], *v;
	char *uid = NULL, *tzid = NULL;
	size_t n, i, j, start = 0, depth = 0, skipped = 0;
	enum { IN_NONE, IN_EVENT, IN_ZONE } in = IN_NONE;

	memset(out, 0, sizeof *out);
	out->text = data;
	out->len = len;
	for (p = data; p < end; p = next) {
		next = ics_line(p, end, &n);
		if (n == 0)
			continue;
		ics_unfold(p, n, line, sizeof line);
		if (ics_is(line, "BEGIN")) {
			v = ics_value(line);
			if (depth == 0 && strcasecmp(v, "VCALENDAR") != 0)
				continue;
			if (++depth > ICS_MAX_NEST) {
				ics_feed_free(out);
				free(uid);
				free(tzid);
				return err_set(err, ERR_DATA, "the feed at %s nests "
				    "components deeper than %d", feed, ICS_MAX_NEST);
			}
			if (depth == 1) {
				if (out->nvcals == out->capvcals) {
					out->capvcals = out->capvcals * 2 + 4;
					out->vcals = xreallocarray(out->vcals,
					    out->capvcals, sizeof *out->vcals);
				}
				out->vcals[out->nvcals].first = out->nzones;
				out->vcals[out->nvcals++].n = 0;
			} else if (depth == 2) {
				free(tzid);
				tzid = NULL;
				in = strcasecmp(v, "VEVENT") == 0 ? IN_EVENT :
				    strcasecmp(v, "VTIMEZONE") == 0 ? IN_ZONE :
				    IN_NONE;
				start = (size_t)(p - data);
			}
			continue;
		}
		if (ics_is(line, "END")) {
			if (depth == 0)
				continue;
			if (depth == 2 && in == IN_ZONE) {
				if (out->nzones == out->capzones) {
					out->capzones = out->capzones * 2 + 4;
					out->zones = xreallocarray(out->zones,
					    out->capzones, sizeof *out->zones);
				}
				out->zones[out->nzones].text.off = start;
				out->zones[out->nzones].text.len =
				    (size_t)(p - data) + n - start;
				out->zones[out->nzones++].tzid = tzid;
				tzid = NULL;
				out->vcals[out->nvcals - 1].n++;
			} else if (depth == 2 && in == IN_EVENT && uid == NULL) {
				skipped++;
			} else if (depth == 2 && in == IN_EVENT) {
				if (out->nev == out->capev) {
					out->capev = out->capev * 2 + 64;
					out->ev = xreallocarray(out->ev, out->capev,
					    sizeof *out->ev);
				}
				out->ev[out->nev].uid = uid;
				out->ev[out->nev].seq = out->nev;
				out->ev[out->nev].text.off = start;
				out->ev[out->nev].text.len =
				    (size_t)(p - data) + n - start;
				out->ev[out->nev++].vcal = out->nvcals - 1;
				uid = NULL;
			}
			if (depth == 2)
				in = IN_NONE;
			depth--;
			continue;
		}
		if (depth == 2 && in == IN_EVENT && uid == NULL &&
		    ics_is(line, "UID") && *(v = ics_value(line)) != '\0')
			uid = xstrdup(v);
		if (depth == 2 && in == IN_ZONE && tzid == NULL &&
		    ics_is(line, "TZID") && *(v = ics_value(line)) != '\0')
			tzid = ics_unescape(xstrdup(v));
	}
	free(uid);
	free(tzid);
	if (out->nvcals == 0) {
		ics_feed_free(out);
		return err_set(err, ERR_DATA, "the feed at %s is no iCalendar",
		    feed);
	}
	if (skipped > 0)
		log_warn("%s: %zu events without UID, skipped", src, skipped);
	ics_zones_index(out);
	if (out->nev > 0)
		qsort(out->ev, out->nev, sizeof *out->ev, ics_event_cmp);
	out->v = xcalloc(out->nev > 0 ? out->nev : 1, sizeof *out->v);
	for (i = 0; i < out->nev; i = j) {
		struct ics_item *it = &out->v[out->n++];

		for (j = i + 1; j < out->nev &&
		    strcmp(out->ev[j].uid, out->ev[i].uid) == 0; j++)
			;
		it->uid = out->ev[i].uid;
		it->first = i;
		it->last = j;
		ics_item_hash(out, it);
	}
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
	char *text;
	time_t from, to;
	size_t i, zb, zone_left = ICS_ZONE_FACTOR * feed->len + ICS_ZONE_FLOOR;
	unsigned changed = 0, bad = 0, later = 0;
	int rc = -1;

	pipeline_defer_projection(p);
	event_window(util_now(), cfg->backfill_days, cfg->timezone, &from, &to);
	if (store_items(store, src->name, ics_stored_cb, &d, err) != 0)
		goto out;
	for (i = 0; i < feed->n; i++) {
		struct ics_item *it = &feed->v[i];

		if (it->current)
			continue;
		memset(&f, 0, sizeof f);
		err_clear(&e);
		text = ics_item_text(feed, it, &zb);
		if (zb > zone_left) {
			free(text);
			later++;
			continue;
		}
		zone_left -= zb;
		if (event_parse(text, strlen(text), from, to, cfg->timezone,
		    it->uid, &f, &e) != 0) {
			/*
			 * The message names the item by its UID, the feed's
			 * text: made printable for the log line.
			 */
			util_printable(e.msg, e.msg, sizeof e.msg);
			log_warn("%s: %s, skipped", src->name, e.msg);
			bad++;
		} else {
			pipeline_ical(p, src->salesperson, &f, it->uid, it->version);
			changed++;
		}
		ical_file_free(&f);
		free(text);
		if (pipeline_pending(p) >= ICS_BATCH) {
			if (source_commit(p, NULL, 0, err) < 0)
				goto out;
			if (*stop) {
				rc = 0;
				goto out;
			}
		}
	}
	/* Without the feed's cursors, the next poll fetches it again. */
	if (later > 0)
		log_warn("%s: %u events left for the next poll: their "
		    "VTIMEZONEs would be read for more than %zu MiB in this "
		    "one",
		    src->name, later, (ICS_ZONE_FACTOR * feed->len +
		    ICS_ZONE_FLOOR) >> 20);
	if (source_commit(p, later > 0 ? NULL : cur, later > 0 ? 0 : ncur,
	    err) < 0)
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
	if (ics_split(body.buf.data != NULL ? body.buf.data : "", body.buf.len,
	    src->name, name, &feed, err) != 0) {
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
	struct source_report rep = { say, arg, 0 };
	const char *type;
	char line[600], name[512];
	bool calendar;

	(void)cfg;
	memset(&body, 0, sizeof body);
	memset(&resp, 0, sizeof resp);
	if (http_open_source(src, &http, err) != 0) {
		source_note(&rep, false, "password: %s", err->msg);
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
		source_fail(&rep, err->msg, http_error_hint(err));
		goto out;
	}
	http_connection_info(http, resp.url != NULL ? resp.url : src->url,
	    line, sizeof line);
	source_note(&rep, true, "%s", line);
	if (resp.status != 200) {
		snprintf(line, sizeof line, "GET %s", name);
		http_status_error(&resp, line, err);
		source_note(&rep, false, "%s", err->msg);
		goto out;
	}
	type = resp.content_type != NULL ? resp.content_type : "none";
	calendar = strncasecmp(type, "text/calendar", 13) == 0;
	if (ics_split(body.buf.data != NULL ? body.buf.data : "", body.buf.len,
	    src->name, name, &feed, err) != 0) {
		source_note(&rep, false, "the feed answers (%zu bytes, "
		    "Content-Type %s) but is no iCalendar; check url = (a "
		    "login page?)", body.buf.len, type);
		goto out;
	}
	source_note(&rep, true, "the feed answers: %zu bytes, Content-Type "
	    "%s%s", body.buf.len, type, calendar ? "" : " (not text/calendar, "
	    "but it reads as iCalendar)");
	source_note(&rep, true, "%zu events", feed.n);
out:
	ics_feed_free(&feed);
	http_response_free(&resp);
	buf_free(&body.buf);
	http_free(http);
	return source_report_end(&rep, err);
}

static const char *const ics_schemes[] = { "http", "https", NULL };

const struct source_ops ics_source_ops = {
	.type = SOURCE_ICS,
	.section = "ics",
	.schemes = ics_schemes,
	.cleartext = "http",
	.secret_url = true,
	.poll = ics_poll,
	.close = ics_close,
	.disconnect = ics_disconnect,
	.check = ics_check,
};
