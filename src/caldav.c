/* SPDX-License-Identifier: MIT */
/*
 * The CalDAV source.  Discovery (RFC 4791 section 6, RFC 6764 section 5)
 * starts from whatever URL the user has: a calendar collection is used
 * as it is; otherwise its current-user-principal or calendar-home-set,
 * falling back to /.well-known/caldav on the same server.  The home set
 * is listed with a Depth 1 PROPFIND and only calendars that may hold
 * VEVENTs are kept, filtered by `calendars =` on their display names.
 *
 * Each calendar is synced with a sync-collection REPORT (RFC 6578) from
 * the stored token, asking for calendar-data inline, so that a poll with
 * no change costs one request and one change costs one or two.  Without
 * a token, or when the server no longer accepts it (403, 409, 410 or a
 * valid-sync-token precondition: reset once, never in a loop), the
 * calendar is listed href -> etag and diffed against the store; servers
 * without sync-collection are listed with a calendar-query (always with
 * comp-filter VEVENT: SOGo and Xandikos answer nothing without it) after
 * a getctag check.  Changed items come in calendar-multiget batches.
 * Only a response-level 404 means an item is gone; a 507 response inside
 * the multistatus means more pages follow.  The token commits in the
 * same transaction as the last changes it covers.
 *
 * Items are keyed by their normalised href path, compared exactly (hrefs
 * are case-sensitive), with hash sets for the duplicate checks so that a
 * listing of any length costs linear time; what a listing keeps is
 * bounded (CALDAV_MAX_LISTING).  Cursors are scoped by the calendar's
 * path.  Nothing is ever written to the server.
 *
 * The server's word is not ours: a calendar, principal or home set on
 * another origin (scheme, host and port) than the url is refused, since
 * the credentials go to that origin only (http.c checks every request
 * once more); display names are made printable and shortened; the
 * calendar list kept in the store (so that a new process need not
 * discover again) is one cursor row per field, never text to split.
 * A url = that does not exist is an error, not a reason to fall back to
 * the well-known URI and every calendar of the user.
 *
 * caldav_check() runs the same discovery for `salescycle doctor`, saying
 * which path it took and which calendars it found and keeps.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_TAG "caldav"
#include "caldav.h"
#include "caldav-queue.h"
#include "davxml.h"
#include "event.h"
#include "hashset.h"
#include "http.h"
#include "log.h"
#include "pipeline.h"
#include "util.h"
#include "xmalloc.h"

#define CALDAV_REDISCOVER	86400	/* seconds between discoveries */
#define CALDAV_MAX_NAME		200	/* bytes of a display name kept */
#define CALDAV_MAX_CALENDARS	1000	/* calendars of one source */
/* Bytes a listing keeps (hrefs, etags and a little per entry). */
#define CALDAV_MAX_LISTING	(16u * 1024 * 1024)
#define CALDAV_ENTRY_COST	64

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
#define XMLNS "xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" " \
	"xmlns:cs=\"http://calendarserver.org/ns/\""

static const char caldav_propfind_discover[] = XML_HEAD
	"<d:propfind " XMLNS "><d:prop><d:resourcetype/><d:displayname/>"
	"<d:current-user-principal/><c:calendar-home-set/>"
	"<c:supported-calendar-component-set/></d:prop></d:propfind>";

static const char caldav_propfind_ctag[] = XML_HEAD
	"<d:propfind " XMLNS "><d:prop><cs:getctag/></d:prop>"
	"</d:propfind>";

static const char caldav_query_etags[] = XML_HEAD
	"<c:calendar-query " XMLNS "><d:prop><d:getetag/></d:prop>"
	"<c:filter><c:comp-filter name=\"VCALENDAR\">"
	"<c:comp-filter name=\"VEVENT\"/></c:comp-filter></c:filter>"
	"</c:calendar-query>";

struct caldav_cal {
	char	*url;		/* owned: absolute URL of the collection */
	char	*path;		/* owned: its normalised path, the cursor scope */
	char	*name;		/* owned: display name or path */
	bool	 no_sync;	/* sync-collection refused: use getctag */
	/*
	 * Synced before, not discovered now: asked once whether it is gone
	 * (caldav_gone_check), not polled.
	 */
	bool	 probe;
};

struct caldav_state {
	struct http		*http;
	struct caldav_cal	*cals;	/* owned array */
	size_t			 ncals;
	time_t			 discovered;
	size_t			 nprobes;	/* of cals: probes, at the end */
	bool			 reconcile;	/* discovered in this poll: list in full */
	bool			 cached;	/* calendar list from the store */
	bool			 lost;	/* a calendar failed for good */
	const char		*auth;	/* static: http_auth_learned as kept */
	struct source_report	 rep;	/* doctor's; say NULL while polling */
	/* Borrowed for a poll: */
	const struct config	*cfg;
	const struct source	*src;
	struct store		*store;
	volatile sig_atomic_t	*stop;
	time_t			 from, to;	/* the event window */
	bool			 answered;	/* the server answered once */
	struct strlist		 names;	/* doctor: every calendar's name */
};

/* One entry of a full listing. */
struct caldav_entry {
	char	*href;		/* owned */
	char	*etag;		/* owned, may be NULL */
	bool	 current;	/* stored with this etag already */
};

/* What the sync of one calendar carries around. */
struct caldav_sync {
	const struct config	*cfg;
	const struct source	*src;
	struct store		*store;
	struct pipeline		*p;
	struct caldav_state	*st;
	struct caldav_cal	*cal;
	volatile sig_atomic_t	*stop;
	time_t			 from, to;
	bool			 listing;	/* collect entries instead of acting */
	struct caldav_entry	*ent;		/* owned array */
	size_t			 nent, capent;
	struct strlist		 fetch;		/* hrefs to multiget */
	struct hashset		 fetch_set;	/* the same, to look up */
	struct strlist		 asked;		/* hrefs of the current multiget */
	struct hashset		 asked_set;
	size_t			 kept;		/* bytes the listing keeps */
	unsigned		 changed, removed, bad;
	size_t			 nstored;	/* items stored for this calendar */
	bool			 gone;		/* the calendar answered 404 or 410 */
	/*
	 * A sync-collection hands its items to a queue's thread, started
	 * with the first item (an idle pass starts none); in between only
	 * that thread touches the pipeline and the store.
	 */
	bool			 queued;
	struct source_queue	*q;
	size_t			 pending;	/* handed in since the last commit */
	size_t			 batch;		/* items of a commit */
};

/* Discovery results of a Depth 0 PROPFIND. */
struct caldav_probe {
	bool	 seen;
	bool	 calendar;
	bool	 unauthenticated;	/* the principal: DAV:unauthenticated */
	char	*principal;	/* owned, raw href */
	char	*home_set;	/* owned, raw href */
	char	*displayname;	/* owned */
};

/* Listing of a home set. */
struct caldav_list {
	struct caldav_state	*st;
	const struct source	*src;
	const char		*base;	/* URL that answered */
};

/* Forgets the hrefs to fetch. */
static void
caldav_fetch_clear(struct caldav_sync *s)
{
	hashset_clear(&s->fetch_set);
	strlist_clear(&s->fetch);
	s->kept = 0;
}

/* Counts bytes a listing keeps; -1 with err past CALDAV_MAX_LISTING. */
static int
caldav_keep(struct caldav_sync *s, size_t n, struct err *err)
{
	if (n > CALDAV_MAX_LISTING - s->kept)
		return err_set(err, ERR_TEMP, "%s: the listing is larger than "
		    "%u MiB; refused", s->cal->url, CALDAV_MAX_LISTING >> 20);
	s->kept += n;
	return 0;
}

static void
caldav_cal_free(struct caldav_cal *c)
{
	free(c->url);
	free(c->path);
	free(c->name);
}

static void
caldav_cals_free(struct caldav_state *st)
{
	size_t i;

	for (i = 0; i < st->ncals; i++)
		caldav_cal_free(&st->cals[i]);
	free(st->cals);
	st->cals = NULL;
	st->ncals = 0;
	st->nprobes = 0;
}

static void
caldav_close(void *arg)
{
	struct caldav_state *st = arg;

	if (st == NULL)
		return;
	caldav_cals_free(st);
	http_free(st->http);
	free(st);
}

/*
 * After each poll: the curl handle and its connection go (an HTTP server
 * would close it long before the next poll), the next poll makes another.
 */
static void
caldav_disconnect(void *arg)
{
	struct caldav_state *st = arg;

	http_disconnect(st->http);
}

/* Streams a response body into the XML parser. */
static int
caldav_feed(const char *data, size_t len, void *arg, struct err *err)
{
	return davxml_feed(arg, data, len, false, err);
}

/*
 * Sends a DAV request whose 2xx body is parsed by x.  Returns 0 when the
 * server answered (any status), -1 with err otherwise.
 */
static int
caldav_xml(struct caldav_state *st, const char *method, const char *url,
    const char *depth, const char *body, struct davxml *x,
    struct http_response *resp, struct err *err)
{
	struct http_request req;

	memset(&req, 0, sizeof req);
	req.method = method;
	req.url = url;
	req.depth = depth;
	req.body = body;
	req.cb = caldav_feed;
	req.arg = x;
	if (http_request(st->http, &req, resp, err) != 0 ||
	    (resp->status >= 200 && resp->status < 300 &&
	    davxml_feed(x, NULL, 0, true, err) != 0)) {
		/* The parser's word on the body: say which request it was. */
		if (err->cls == ERR_DATA) {
			char msg[sizeof err->msg];

			snprintf(msg, sizeof msg, "%s", err->msg);
			err_set(err, ERR_TEMP, "%s %s: %s", method, url, msg);
		}
		return -1;
	}
	return 0;
}

/* The item key of an href: its normalised path.  Caller frees; NULL if malformed. */
static char *
caldav_key(const char *base, const char *href)
{
	char *url, *path, *key;

	if (href[0] == '/')
		return xstrdup(href);
	url = http_resolve(base, href);
	if (url == NULL)
		return NULL;
	path = http_url_path(url);
	free(url);
	if (path == NULL)
		return NULL;
	key = davxml_normalize_href(path);
	free(path);
	return key;
}

static int
caldav_probe_cb(const struct dav_response *r, void *arg, struct err *err)
{
	struct caldav_probe *pr = arg;

	(void)err;
	if (pr->seen || (r->status != 0 && r->status / 100 != 2))
		return 0;
	pr->seen = true;
	pr->calendar = r->calendar;
	pr->unauthenticated = r->unauthenticated;
	pr->principal = xstrdup(r->principal);
	pr->home_set = xstrdup(r->home_set);
	pr->displayname = xstrdup(r->displayname);
	return 0;
}

static void
caldav_probe_clear(struct caldav_probe *pr)
{
	free(pr->principal);
	free(pr->home_set);
	free(pr->displayname);
	memset(pr, 0, sizeof *pr);
}

/*
 * A Depth 0 PROPFIND for the discovery properties of url.  Returns 0 with
 * *answered set when the server gave a multistatus, 0 with it unset on
 * 404/405/501 (nothing DAV there; *status says which), -1 with err on
 * anything else.  A server that answers a request without credentials
 * with a multistatus whose principal is DAV:unauthenticated (Cyrus)
 * rather than with a 401 is asked once more, with them.
 */
static int
caldav_probe(struct caldav_state *st, const char *url, struct caldav_probe *pr,
    char **final_url, bool *answered, long *status, struct err *err)
{
	struct http_response resp;
	struct davxml *x;
	char what[600];
	int rc = -1;

	*answered = false;
	*status = 0;
	free(*final_url);
	*final_url = NULL;
	caldav_probe_clear(pr);
again:
	x = davxml_new(caldav_probe_cb, pr);
	if (caldav_xml(st, "PROPFIND", url, "0", caldav_propfind_discover, x,
	    &resp, err) != 0)
		goto out;
	if (resp.status == 207 && pr->seen && pr->unauthenticated &&
	    pr->principal == NULL && http_auth_wanted(st->http, url)) {
		source_note(&st->rep, true, "discovery: %s answered without "
		    "credentials (DAV:unauthenticated); asking again with "
		    "them", url);
		http_response_free(&resp);
		davxml_free(x);
		caldav_probe_clear(pr);
		goto again;
	}
	if (st->rep.say != NULL && !st->answered) {
		http_connection_info(st->http, url, what, sizeof what);
		source_note(&st->rep, true, "%s", what);
	}
	st->answered = true;
	*status = resp.status;
	if (resp.status == 207) {
		*answered = pr->seen;
		*final_url = resp.url;
		resp.url = NULL;
		rc = 0;
	} else if (resp.status == 404 || resp.status == 405 ||
	    resp.status == 501 || resp.status / 100 == 2) {
		rc = 0;
	} else {
		snprintf(what, sizeof what, "PROPFIND %s", url);
		http_status_error(&resp, what, err);
	}
out:
	http_response_free(&resp);
	davxml_free(x);
	return rc;
}

/*
 * A display name as it may be kept and shown: printable (davxml made it
 * so; a name read back from the store gets the same treatment) and at
 * most CALDAV_MAX_NAME bytes, cut where a character starts.  Caller frees.
 */
static char *
caldav_clean_name(const char *name)
{
	char *s = xstrdup(name);
	size_t n;

	util_printable(s, s, strlen(s) + 1);
	n = strlen(s);
	if (n > CALDAV_MAX_NAME) {
		n = CALDAV_MAX_NAME;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		s[n] = '\0';
	}
	return s;
}

/*
 * Adds a calendar unless it is on another origin than the url (whose
 * credentials it would get), the filter leaves it out, there are too
 * many, or it is there already.  Every calendar, discovered or read back
 * from the store, comes this way.  One shared with the user by another
 * (shared) holds the other's meetings, not the salesperson's: it is read
 * only when calendars = names it.
 */
static void
caldav_add_cal(struct caldav_state *st, const struct source *src,
    const char *url, const char *name, bool shared)
{
	struct caldav_cal *c;
	char *clean, *path, *key, *cname;
	size_t i;

	/* Resolved against itself: no userinfo, printable. */
	clean = http_resolve(url, url);
	if (clean == NULL)
		return;
	if (!http_same_origin(src->url, clean)) {
		log_warn("%s: calendar %s is on another origin than the url "
		    "(scheme, host and port), skipped", src->name, clean);
		source_note(&st->rep, false, "calendar %s is on another origin "
		    "than the url; configure it as its own [caldav] source",
		    clean);
		free(clean);
		return;
	}
	path = http_url_path(clean);
	if (path == NULL) {
		free(clean);
		return;
	}
	key = davxml_normalize_href(path);
	free(path);
	cname = caldav_clean_name(name == NULL || *name == '\0' ? key : name);
	for (i = 0; i < st->ncals; i++) {
		if (strcmp(st->cals[i].path, key) == 0)
			goto out;
	}
	if (st->rep.say != NULL)
		strlist_add(&st->names, cname);
	if (src->calendars.n > 0 && !strlist_contains(&src->calendars, cname)) {
		log_debug("%s: calendar %s not in the calendars list", src->name,
		    cname);
		source_note(&st->rep, true, "calendar \"%s\" (%s): events; "
		    "left out by calendars =", cname, key);
		goto out;
	}
	if (shared && src->calendars.n == 0) {
		log_info("%s: calendar %s is shared by another; left out",
		    src->name, cname);
		source_note(&st->rep, true, "calendar \"%s\" (%s): shared with "
		    "you by another; left out (name it in calendars = to read "
		    "it as yours)", cname, key);
		goto out;
	}
	if (st->ncals >= CALDAV_MAX_CALENDARS) {
		if (st->ncals == CALDAV_MAX_CALENDARS)
			log_warn("%s: more than %d calendars; the rest is left out",
			    src->name, CALDAV_MAX_CALENDARS);
		goto out;
	}
	source_note(&st->rep, true, "calendar \"%s\" (%s): events; polled",
	    cname, key);
	st->cals = xreallocarray(st->cals, st->ncals + 1, sizeof *st->cals);
	c = &st->cals[st->ncals++];
	memset(c, 0, sizeof *c);
	c->url = clean;
	c->name = cname;
	c->path = key;
	log_info("%s: calendar %s (%s)", src->name, c->name, c->url);
	return;
out:
	free(clean);
	free(key);
	free(cname);
}

static int
caldav_list_cb(const struct dav_response *r, void *arg, struct err *err)
{
	struct caldav_list *l = arg;
	char *url;

	(void)err;
	if (r->status != 0 && r->status / 100 != 2)
		return 0;
	if (r->calendar && r->comp_set && !r->comp_vevent) {
		char *name = caldav_clean_name(r->displayname != NULL &&
		    *r->displayname != '\0' ? r->displayname : r->href);

		source_note(&l->st->rep, true, "calendar \"%s\" (%s): holds no "
		    "events (VEVENT); not polled", name, r->href);
		if (l->st->rep.say != NULL)
			strlist_add(&l->st->names, name);
		free(name);
	}
	if (!r->calendar || (r->comp_set && !r->comp_vevent))
		return 0;
	url = http_resolve(l->base, r->href);
	if (url == NULL) {
		log_warn("%s: malformed calendar href %s, skipped", l->src->name,
		    r->href);
		return 0;
	}
	caldav_add_cal(l->st, l->src, url, r->displayname, r->shared);
	free(url);
	return 0;
}

/* Lists the calendars of a home set with a Depth 1 PROPFIND. */
static int
caldav_list_home(struct caldav_state *st, const struct source *src,
    const char *home, struct err *err)
{
	struct http_response resp;
	struct caldav_list l = { st, src, home };
	struct davxml *x = davxml_new(caldav_list_cb, &l);
	char what[600];
	int rc = -1;

	if (caldav_xml(st, "PROPFIND", home, "1", caldav_propfind_discover, x,
	    &resp, err) != 0)
		goto out;
	if (resp.status != 207) {
		snprintf(what, sizeof what, "PROPFIND %s", home);
		http_status_error(&resp, what, err);
		goto out;
	}
	rc = 0;
out:
	http_response_free(&resp);
	davxml_free(x);
	return rc;
}

/* True when the path of url is the server root. */
static bool
caldav_is_root(const char *url)
{
	char *path = http_url_path(url);
	bool root = path == NULL || strcmp(path, "/") == 0;

	free(path);
	return root;
}

/*
 * Finds the calendar home set from the configured URL: its own
 * calendar-home-set, else its principal's, else (when the url names the
 * server root, or answers as no DAV server does) the principal behind
 * /.well-known/caldav.  A calendar URL is taken as the only calendar;
 * *home is then NULL and 0 returned.  A url whose path does not exist
 * (404) is an error: the well-known URI would lead to every calendar of
 * the user instead of the one meant.
 */
static int
caldav_find_home(struct caldav_state *st, const struct source *src,
    char **home, struct err *err)
{
	struct caldav_probe pr = { 0 };
	char *url, *base = NULL, *principal = NULL, *wk = NULL;
	const char *from = "the url";
	bool answered;
	long status;
	int rc = -1;

	*home = NULL;
	url = http_url_clean(src->url);
	if (url == NULL)
		return err_set(err, ERR_FINAL, "%s: malformed url", src->name);
	if (caldav_probe(st, url, &pr, &base, &answered, &status, err) != 0)
		goto out;
	if (answered && pr.calendar) {
		source_note(&st->rep, true, "discovery: the url is a calendar");
		caldav_add_cal(st, src, base, pr.displayname, false);
		rc = 0;
		goto out;
	}
	if (answered && pr.home_set != NULL)
		goto found;
	if (answered && pr.principal != NULL)
		principal = http_resolve(base, pr.principal);
	if (principal == NULL && !answered && status == 404 &&
	    !caldav_is_root(url)) {
		err_set(err, ERR_WAIT, "PROPFIND %s: not found (404): no "
		    "calendar or principal there; check the path in url =", url);
		goto out;
	}
	if (principal == NULL) {
		/* RFC 6764 section 5: the well-known URI on the same server. */
		source_note(&st->rep, true, "discovery: no principal at the "
		    "url%s; trying /.well-known/caldav", answered ? "" : " (no "
		    "DAV answer)");
		wk = http_resolve(url, "/.well-known/caldav");
		if (wk == NULL) {
			err_set(err, ERR_FINAL, "%s: malformed url", url);
			goto out;
		}
		from = "/.well-known/caldav";
		if (caldav_probe(st, wk, &pr, &base, &answered, &status, err) != 0)
			goto out;
		if (answered && pr.home_set != NULL)
			goto found;
		if (answered && pr.principal != NULL)
			principal = http_resolve(base, pr.principal);
	}
	/* Credentials go only to the configured url's origin (RFC 6764 8). */
	if (principal != NULL && !http_same_origin(url, principal)) {
		err_set(err, ERR_FINAL, "%s: principal %s is on another origin "
		    "(scheme, host and port); refused (configure its url instead)",
		    url, principal);
		goto out;
	}
	if (principal != NULL) {
		source_note(&st->rep, true, "principal: %s "
		    "(current-user-principal of %s)", principal, from);
		from = "the principal";
		if (caldav_probe(st, principal, &pr, &base, &answered, &status,
		    err) != 0)
			goto out;
		if (answered && pr.home_set != NULL)
			goto found;
	}
	err_set(err, ERR_FINAL, "%s: no CalDAV calendar home set found", url);
	goto out;
found:
	*home = http_resolve(base, pr.home_set);
	if (*home == NULL)
		err_set(err, ERR_TEMP, "%s: malformed calendar-home-set %s",
		    url, pr.home_set);
	else {
		source_note(&st->rep, true, "calendar home set: %s (of %s)",
		    *home, from);
		rc = 0;
	}
out:
	caldav_probe_clear(&pr);
	free(url);
	free(base);
	free(principal);
	free(wk);
	return rc;
}

/* The fields of a calendar in the kept list. */
static const char *const caldav_cache_fields[] = { "url", "name" };

/*
 * What a kept calendar list must match: the URL and the filter it was
 * made for.  Caller frees.
 */
static char *
caldav_cache_key(const struct source *src)
{
	struct buf b = { 0 };
	size_t i;

	buf_printf(&b, "%s", src->url);
	for (i = 0; i < src->calendars.n; i++)
		buf_printf(&b, "\t%s", src->calendars.v[i]);
	return b.data;
}

/*
 * Keeps the calendar list in the store, so that the next process
 * (salescycled --once, a restart) need not discover again.
 */
static void
caldav_cache_save(struct caldav_state *st, const struct source *src,
    struct store *store)
{
	struct source_cache c = { caldav_cache_fields, 2, { 0 },
	    st->discovered };
	char *key = caldav_cache_key(src);
	size_t i;

	for (i = 0; i < st->ncals; i++) {
		strlist_add(&c.values, st->cals[i].url);
		strlist_add(&c.values, st->cals[i].name);
	}
	source_cache_save(store, src, key, &c);
	strlist_clear(&c.values);
	free(key);
}

/*
 * Loads a calendar list kept less than a day ago for this URL and
 * filter.  Each URL passes the same checks as a discovered one.
 */
static void
caldav_cache_load(struct caldav_state *st, const struct source *src,
    struct store *store)
{
	struct source_cache c = { caldav_cache_fields, 2, { 0 }, 0 };
	char *key = caldav_cache_key(src);
	size_t i;

	if (source_cache_load(store, src, key, CALDAV_REDISCOVER,
	    CALDAV_MAX_CALENDARS, &c) == 0) {
		for (i = 0; i < source_cache_count(&c); i++)
			caldav_add_cal(st, src, c.values.v[2 * i],
			    c.values.v[2 * i + 1], false);
		st->discovered = c.when;
		st->cached = st->ncals > 0;
	}
	strlist_clear(&c.values);
	free(key);
}

/* Finds the calendars to sync (again). */
static int
caldav_discover(struct caldav_state *st, const struct source *src,
    struct store *store, struct err *err)
{
	char *home = NULL;
	int rc = -1;

	caldav_cals_free(st);
	st->cached = false;
	if (caldav_find_home(st, src, &home, err) != 0)
		goto out;
	if (home != NULL) {
		/* iCloud and others put the home set on another host. */
		if (!http_same_origin(src->url, home)) {
			err_set(err, ERR_FINAL, "calendar home set %s is on "
			    "another origin (scheme, host and port) than the url; "
			    "configure that url instead", home);
			goto out;
		}
		if (caldav_list_home(st, src, home, err) != 0)
			goto out;
	}
	if (st->ncals == 0)
		log_warn("%s: no calendars with events found at %s", src->name,
		    home != NULL ? home : "the url");
	st->discovered = util_now();
	caldav_cache_save(st, src, store);
	rc = 0;
out:
	free(home);
	return rc;
}

/*
 * Starts the queue of a sync that may use one, if not started yet.  A
 * thread that cannot start leaves the items to this one, as before.
 */
static void
caldav_queue(struct caldav_sync *s)
{
	struct err e;

	if (!s->queued || s->q != NULL)
		return;
	err_clear(&e);
	s->q = caldav_queue_start(s->p, s->src->salesperson, &e);
	if (s->q == NULL) {
		log_warn("%s: %s; classifying on this one", s->src->name, e.msg);
		s->queued = false;
	}
}

/* The item is gone: its removal goes to the pipeline, or the queue. */
static void
caldav_remove(struct caldav_sync *s, const char *key)
{
	caldav_queue(s);
	if (s->q != NULL)
		caldav_queue_remove(s->q, key);
	else
		pipeline_remove(s->p, key);
	s->pending++;
	s->removed++;
}

/* Commits what was handed in with the cursors, directly or queued. */
static int
caldav_commit(struct caldav_sync *s, const struct cursor *cur, size_t n,
    struct err *err)
{
	s->pending = 0;
	if (s->q != NULL)
		return source_queue_commit(s->q, cur, n, err);
	return source_commit(s->p, cur, n, err) < 0 ? -1 : 0;
}

/* Parses one calendar object and hands it to the pipeline; bad items are skipped. */
static void
caldav_item(struct caldav_sync *s, const char *key, const char *etag,
    const char *data, size_t len)
{
	struct ical_file f;
	struct err e;

	memset(&f, 0, sizeof f);
	err_clear(&e);
	if (event_parse(data, len, s->from, s->to, s->cfg->timezone, key, &f,
	    &e) != 0) {
		/* The message names the item. */
		util_printable(e.msg, e.msg, sizeof e.msg);
		log_warn("%s: %s, skipped", s->src->name, e.msg);
		s->bad++;
		ical_file_free(&f);
		return;
	}
	caldav_queue(s);
	if (s->q != NULL)
		caldav_queue_ical(s->q, key, etag, &f);
	else
		pipeline_ical(s->p, s->src->salesperson, &f, key, etag);
	ical_file_free(&f);
	s->pending++;
	s->changed++;
}

/* Remembers one href -> etag of a full listing; -1 with err past the bound. */
static int
caldav_entry_add(struct caldav_sync *s, const char *href, const char *etag,
    struct err *err)
{
	struct caldav_entry *e;

	if (caldav_keep(s, strlen(href) + (etag != NULL ? strlen(etag) : 0) +
	    sizeof *e + CALDAV_ENTRY_COST, err) != 0)
		return -1;
	if (s->nent == s->capent) {
		s->capent = s->capent == 0 ? 256 : s->capent * 2;
		s->ent = xreallocarray(s->ent, s->capent, sizeof *s->ent);
	}
	e = &s->ent[s->nent++];
	e->href = xstrdup(href);
	e->etag = xstrdup(etag);
	e->current = false;
	return 0;
}

static void
caldav_entries_free(struct caldav_sync *s)
{
	size_t i;

	for (i = 0; i < s->nent; i++) {
		free(s->ent[i].href);
		free(s->ent[i].etag);
	}
	free(s->ent);
	s->ent = NULL;
	s->nent = s->capent = 0;
	s->kept = 0;
}

/*
 * True when href is an item of the calendar at path: below it, not the
 * collection itself, and not in a sibling whose name merely starts alike
 * (/dav/cal2/x is not in /dav/cal).
 */
static bool
caldav_in_cal(const char *path, const char *href)
{
	size_t n = strlen(path);

	if (strncmp(href, path, n) != 0 || href[n] == '\0')
		return false;
	return n > 0 && (path[n - 1] == '/' || href[n] == '/');
}

/* Handles one response of a sync-collection, calendar-query or multiget. */
static int
caldav_response_cb(const struct dav_response *r, void *arg, struct err *err)
{
	struct caldav_sync *s = arg;
	char *key;
	int rc = 0;

	key = caldav_key(s->cal->url, r->href);
	if (key == NULL) {
		log_warn("%s: malformed href %s, skipped", s->src->name, r->href);
		return 0;
	}
	/* The collection itself, or something outside it: not an item. */
	if (!caldav_in_cal(s->cal->path, key))
		goto out;
	if (s->asked.n > 0 && hashset_get(&s->asked_set, key) == NULL) {
		log_debug("%s: unsolicited %s in multiget", s->src->name, key);
		goto out;
	}
	if (r->status == 404) {
		if (!s->listing)
			caldav_remove(s, key);
		goto out;
	}
	if (r->status != 0 && r->status / 100 != 2) {
		log_warn("%s: %s: status %d, skipped", s->src->name, key, r->status);
		goto out;
	}
	if (s->listing)
		rc = caldav_entry_add(s, key, r->etag, err);
	else if (r->calendar_data != NULL) {
		caldav_item(s, key, r->etag, r->calendar_data, r->calendar_data_len);
		/* Bounded memory: the token follows with the last batch. */
		if (s->pending >= s->batch &&
		    caldav_commit(s, NULL, 0, err) != 0) {
			free(key);
			return -1;
		}
	} else if (r->calendar_data_too_big) {
		log_warn("%s: %s: calendar data larger than %u bytes, skipped",
		    s->src->name, key, DAVXML_MAX_DATA);
		s->bad++;
	} else if (s->asked.n == 0 && hashset_get(&s->fetch_set, key) == NULL) {
		rc = caldav_keep(s, strlen(key) + CALDAV_ENTRY_COST, err);
		if (rc == 0) {
			strlist_add(&s->fetch, key);
			hashset_add(&s->fetch_set, s->fetch.v[s->fetch.n - 1]);
		}
	}
out:
	free(key);
	return rc;
}

/*
 * A calendar's own URL refused (http_status_error); 404 or 410 say that
 * the calendar is gone (caldav_cals_sync), not the server.
 */
static int
caldav_cal_error(struct caldav_sync *s, const struct http_response *resp,
    const char *what, struct err *err)
{
	s->gone = resp->status == 404 || resp->status == 410;
	return http_status_error(resp, what, err);
}

/* Fetches the hrefs in s->fetch with calendar-multiget, committing per batch. */
static int
caldav_multiget(struct caldav_sync *s, struct err *err)
{
	struct http_response resp;
	struct davxml *x;
	struct buf body = { 0 };
	size_t i, j;
	char *esc, what[600];
	int rc = 0;

	for (i = 0; i < s->fetch.n && rc == 0; i += CALDAV_MULTIGET_BATCH) {
		if (*s->stop)
			break;
		buf_reset(&body);
		buf_puts(&body, XML_HEAD "<c:calendar-multiget " XMLNS "><d:prop>"
		    "<d:getetag/><c:calendar-data/></d:prop>");
		hashset_clear(&s->asked_set);
		strlist_clear(&s->asked);
		for (j = i; j < s->fetch.n && j < i + CALDAV_MULTIGET_BATCH; j++) {
			esc = davxml_escape(s->fetch.v[j]);
			buf_printf(&body, "<d:href>%s</d:href>", esc);
			free(esc);
			strlist_add(&s->asked, s->fetch.v[j]);
			hashset_add(&s->asked_set, s->asked.v[s->asked.n - 1]);
		}
		buf_puts(&body, "</c:calendar-multiget>");
		x = davxml_new(caldav_response_cb, s);
		rc = caldav_xml(s->st, "REPORT", s->cal->url, "1", body.data, x,
		    &resp, err);
		if (rc == 0 && resp.status != 207) {
			snprintf(what, sizeof what, "REPORT calendar-multiget %s",
			    s->cal->url);
			rc = caldav_cal_error(s, &resp, what, err);
		}
		http_response_free(&resp);
		davxml_free(x);
		if (rc == 0 && caldav_commit(s, NULL, 0, err) != 0)
			rc = -1;
	}
	hashset_clear(&s->asked_set);
	strlist_clear(&s->asked);
	caldav_fetch_clear(s);
	buf_free(&body);
	return rc;
}

/*
 * The report a sync-collection is sent as: under the test hook
 * SALESCYCLE_TEST_NO_SYNC_COLLECTION=1 a name no server knows, so that a
 * server with sync-collection answers as one without it does and the
 * getctag fallback can be tested against it.
 */
static const char *
caldav_sync_report(void)
{
	if (SOURCE_TEST_HOOK("SALESCYCLE_TEST_NO_SYNC_COLLECTION", 0) == 1) {
		log_debug("test hook: sync-collection sent as an unknown report");
		return "x-no-sync-collection";
	}
	return "sync-collection";
}

/* The body of a sync-collection REPORT; token NULL for the initial sync. */
static char *
caldav_sync_body(const char *token, bool data)
{
	char *esc = davxml_escape(token != NULL ? token : "");
	const char *report = caldav_sync_report();
	char *body;

	body = xasprintf(XML_HEAD "<d:%s " XMLNS ">"
	    "<d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level>"
	    "<d:prop><d:getetag/>%s</d:prop></d:%s>", report, esc,
	    data ? "<c:calendar-data/>" : "", report);
	free(esc);
	return body;
}

/* True when a refused sync-collection means "not done here". */
static bool
caldav_sync_unsupported(const struct http_response *resp)
{
	return resp->status == 400 || resp->status == 403 ||
	    resp->status == 405 || resp->status == 409 || resp->status == 415 ||
	    resp->status == 501;
}

/*
 * True when a refused sync-collection from token means "your token is no
 * good".  A server error on a token counts too: Xandikos 0.2.8 answers a
 * token it does not know (a calendar deleted and made again, a restored
 * store) with 500, for ever.  The calendar is then listed once; a server
 * that is broken fails that listing too, and the token stays.
 */
static bool
caldav_token_refused(const struct http_response *resp, const char *token)
{
	return resp->status == 403 || resp->status == 409 || resp->status == 410 ||
	    (resp->status == 400 && strstr(resp->error_body, "valid-sync-token") !=
	    NULL) || (*token != '\0' && resp->status >= 500 &&
	    resp->status != 503);
}

/*
 * Waits for the queue's thread to be done and ends it: rc, or -1 with
 * its err when one of its commits failed (an earlier error stands).
 */
static int
caldav_unqueue(struct caldav_sync *s, int rc, struct err *err)
{
	struct err e;

	s->queued = false;
	err_clear(&e);
	if (source_queue_finish(s->q, &e) != 0 && rc != -1) {
		*err = e;
		rc = -1;
	}
	s->q = NULL;
	return rc;
}

/*
 * Incremental sync from a stored token (the empty token on a first sync),
 * with calendar-data inline.  Returns 0 when done, 1 when the server does
 * not accept the token or gives none back (the caller lists instead), -1
 * on error.
 */
static int
caldav_sync_token(struct caldav_sync *s, const char *stored, struct err *err)
{
	struct http_response resp;
	struct davxml *x;
	struct cursor cur;
	char *token = xstrdup(stored), *body, what[600];
	int page, rc = 0;

	s->pending = pipeline_pending(s->p);
	s->queued = true;
	for (page = 0; page < CALDAV_MAX_PAGES && rc == 0; page++) {
		bool more;

		body = caldav_sync_body(token, true);
		x = davxml_new(caldav_response_cb, s);
		rc = caldav_xml(s->st, "REPORT", s->cal->url, "0", body, x, &resp,
		    err);
		free(body);
		if (rc == 0 && resp.status != 207) {
			if (page == 0 && (caldav_token_refused(&resp, stored) ||
			    (*stored == '\0' && caldav_sync_unsupported(&resp))))
				rc = 1;
			else {
				snprintf(what, sizeof what, "REPORT sync-collection %s",
				    s->cal->url);
				rc = caldav_cal_error(s, &resp, what, err);
			}
		} else if (rc == 0 && davxml_sync_token(x) == NULL) {
			/* A server that stops giving tokens: list it instead. */
			rc = page == 0 ? 1 : err_set(err, ERR_TEMP,
			    "%s: sync-collection without a token", s->cal->url);
		}
		if (rc != 0) {
			http_response_free(&resp);
			davxml_free(x);
			break;
		}
		more = davxml_truncated(x);
		if (strcmp(token, davxml_sync_token(x)) != 0 || s->fetch.n > 0 ||
		    s->pending > 0) {
			free(token);
			token = xstrdup(davxml_sync_token(x));
			rc = caldav_multiget(s, err);
			cur.scope = s->cal->path;
			cur.name = "sync-token";
			cur.value = token;
			if (rc == 0 && !*s->stop &&
			    caldav_commit(s, &cur, 1, err) != 0)
				rc = -1;
		} else
			more = false;
		http_response_free(&resp);
		davxml_free(x);
		if (!more || *s->stop)
			break;
	}
	free(token);
	return caldav_unqueue(s, rc, err);
}

/*
 * A full listing the server cut short (507 with no more pages to ask for)
 * cannot tell what is gone: fail the poll rather than remove items or
 * move the cursor.
 */
static int
caldav_cut_short(struct caldav_sync *s, struct err *err)
{
	return err_set(err, ERR_TEMP, "%s: the server cut the listing short; "
	    "nothing removed, trying again next poll", s->cal->url);
}

/*
 * The initial listing with sync-collection and an empty token.  Returns 0
 * with the new token in *token (the entries in s->ent), 1 when the server
 * does not do sync-collection here, -1 on error.
 */
static int
caldav_list_sync(struct caldav_sync *s, char **token, struct err *err)
{
	struct http_response resp;
	struct davxml *x;
	char *body, what[600];
	int page, rc = 0;

	*token = NULL;
	for (page = 0; page < CALDAV_MAX_PAGES; page++) {
		bool more;

		body = caldav_sync_body(*token, false);
		x = davxml_new(caldav_response_cb, s);
		rc = caldav_xml(s->st, "REPORT", s->cal->url, "0", body, x, &resp,
		    err);
		free(body);
		if (rc == 0 && resp.status != 207) {
			if (page == 0 && caldav_sync_unsupported(&resp))
				rc = 1;
			else {
				snprintf(what, sizeof what, "REPORT sync-collection %s",
				    s->cal->url);
				rc = caldav_cal_error(s, &resp, what, err);
			}
		} else if (rc == 0 && davxml_sync_token(x) == NULL)
			rc = 1;
		more = rc == 0 && davxml_truncated(x);
		if (rc == 0) {
			free(*token);
			*token = xstrdup(davxml_sync_token(x));
		}
		http_response_free(&resp);
		davxml_free(x);
		if (rc != 0 || !more)
			break;
	}
	/* Pages left: the listing is not complete, so nothing may be removed. */
	if (rc == 0 && page == CALDAV_MAX_PAGES)
		rc = caldav_cut_short(s, err);
	if (rc != 0) {
		free(*token);
		*token = NULL;
		caldav_entries_free(s);
	}
	return rc;
}

static int
caldav_ctag_cb(const struct dav_response *r, void *arg, struct err *err)
{
	char **ctag = arg;

	(void)err;
	if (*ctag == NULL && r->ctag != NULL &&
	    (r->status == 0 || r->status / 100 == 2))
		*ctag = xstrdup(r->ctag);
	return 0;
}

/*
 * For servers without sync-collection: a getctag check, then a
 * calendar-query listing.  Returns 0 with the entries in s->ent and the
 * ctag in *ctag, 1 when the ctag is unchanged (nothing to do), -1 on error.
 */
static int
caldav_list_ctag(struct caldav_sync *s, char **ctag, struct err *err)
{
	struct http_response resp;
	struct davxml *x;
	char *stored = NULL, what[600];
	int rc;

	*ctag = NULL;
	memset(&resp, 0, sizeof resp);
	x = davxml_new(caldav_ctag_cb, ctag);
	rc = caldav_xml(s->st, "PROPFIND", s->cal->url, "0", caldav_propfind_ctag,
	    x, &resp, err);
	davxml_free(x);
	if (rc != 0)
		goto out;
	if (resp.status != 207) {
		snprintf(what, sizeof what, "PROPFIND %s", s->cal->url);
		rc = caldav_cal_error(s, &resp, what, err);
		goto out;
	}
	http_response_free(&resp);
	if (*ctag != NULL) {
		if (store_cursor_get(s->store, s->src->name, s->cal->path, "ctag",
		    &stored, err) != 0) {
			rc = -1;
			goto out;
		}
		if (stored != NULL && strcmp(stored, *ctag) == 0) {
			rc = 1;
			goto out;
		}
	}
	/* Depth 1 with comp-filter VEVENT, as RFC 4791 section 7.8 wants. */
	x = davxml_new(caldav_response_cb, s);
	rc = caldav_xml(s->st, "REPORT", s->cal->url, "1", caldav_query_etags, x,
	    &resp, err);
	if (rc == 0 && resp.status != 207) {
		snprintf(what, sizeof what, "REPORT calendar-query %s", s->cal->url);
		rc = caldav_cal_error(s, &resp, what, err);
	} else if (rc == 0 && davxml_truncated(x))
		rc = caldav_cut_short(s, err);
	davxml_free(x);
out:
	http_response_free(&resp);
	free(stored);
	if (rc != 0) {
		free(*ctag);
		*ctag = NULL;
	}
	return rc;
}

static int
caldav_entry_cmp(const void *a, const void *b)
{
	const struct caldav_entry *ea = a, *eb = b;

	return strcmp(ea->href, eb->href);
}

/* Marks listed items stored with the same etag; queues stored items not listed for removal. */
static int
caldav_stored_cb(const char *item, const char *version, void *arg)
{
	struct caldav_sync *s = arg;
	struct caldav_entry key, *e;

	if (!caldav_in_cal(s->cal->path, item))
		return 0;
	memset(&key, 0, sizeof key);
	key.href = (char *)item;
	e = bsearch(&key, s->ent, s->nent, sizeof *s->ent, caldav_entry_cmp);
	if (e == NULL)
		caldav_remove(s, item);
	else if (version != NULL && e->etag != NULL &&
	    strcmp(version, e->etag) == 0)
		e->current = true;
	return 0;
}

/* Compares a full listing with the store: what to fetch, what is gone. */
static int
caldav_diff(struct caldav_sync *s, struct err *err)
{
	size_t i;

	if (s->nent > 0)
		qsort(s->ent, s->nent, sizeof *s->ent, caldav_entry_cmp);
	if (store_items(s->store, s->src->name, caldav_stored_cb, s, err) != 0)
		return -1;
	for (i = 0; i < s->nent; i++) {
		if (s->ent[i].current)
			continue;
		/* Duplicate hrefs (Zimbra, DavMail) are fetched once. */
		if (i > 0 && strcmp(s->ent[i].href, s->ent[i - 1].href) == 0)
			continue;
		strlist_add(&s->fetch, s->ent[i].href);
		hashset_add(&s->fetch_set, s->fetch.v[s->fetch.n - 1]);
	}
	return 0;
}

/* Lists the whole calendar, diffs it with the store and fetches what changed. */
static int
caldav_sync_full(struct caldav_sync *s, struct err *err)
{
	struct cursor cur[2];
	char *token = NULL, *ctag = NULL;
	int rc = 1;

	s->listing = true;
	if (!s->cal->no_sync)
		rc = caldav_list_sync(s, &token, err);
	if (rc == 1) {
		if (!s->cal->no_sync)
			log_info("%s: %s: no sync-collection, comparing etags",
			    s->src->name, s->cal->name);
		s->cal->no_sync = true;
		caldav_entries_free(s);
		rc = caldav_list_ctag(s, &ctag, err);
		if (rc == 1) {
			rc = 0;
			goto out;
		}
	}
	s->listing = false;
	if (rc != 0)
		goto out;
	if (caldav_diff(s, err) != 0 || caldav_multiget(s, err) != 0) {
		rc = -1;
		goto out;
	}
	if (*s->stop)
		goto out;
	/* Both cursors: a stale token of the other method must go. */
	cur[0].scope = cur[1].scope = s->cal->path;
	cur[0].name = "sync-token";
	cur[0].value = token;
	cur[1].name = "ctag";
	cur[1].value = ctag;
	if (caldav_commit(s, cur, 2, err) != 0)
		rc = -1;
out:
	s->listing = false;
	caldav_entries_free(s);
	free(token);
	free(ctag);
	return rc;
}

static int
caldav_count_cb(const char *item, const char *version, void *arg)
{
	struct caldav_sync *s = arg;

	(void)version;
	if (caldav_in_cal(s->cal->path, item))
		s->nstored++;
	return 0;
}

/*
 * Syncs one calendar: from its token when it has one.  A calendar with
 * nothing stored yet is read with one sync-collection from the empty
 * token with calendar-data inline; otherwise (a reset token, a server
 * without sync-collection) it is listed and diffed so that only changed
 * items are fetched.  A calendar last listed by getctag (a ctag and no
 * token stored) stays on getctag until the calendars are discovered
 * again, so that a new process does not ask for sync-collection first.
 */
static int
caldav_sync_calendar(struct caldav_sync *s, struct err *err)
{
	char *token = NULL, *ctag = NULL;
	int rc;

	if (store_cursor_get(s->store, s->src->name, s->cal->path, "sync-token",
	    &token, err) != 0)
		return -1;
	if (token == NULL && !s->cal->no_sync && s->st->cached) {
		if (store_cursor_get(s->store, s->src->name, s->cal->path, "ctag",
		    &ctag, err) != 0)
			return -1;
		s->cal->no_sync = ctag != NULL;
		free(ctag);
	}
	if (token == NULL && !s->cal->no_sync) {
		if (store_items(s->store, s->src->name, caldav_count_cb, s, err) != 0)
			return -1;
		if (s->nstored == 0) {
			pipeline_fresh(s->p, true);
			rc = caldav_sync_token(s, "", err);
			pipeline_fresh(s->p, false);
			if (rc != 1)
				return rc;
			caldav_fetch_clear(s);
			/* The empty token refused: no sync-collection here. */
			log_info("%s: %s: no sync-collection, comparing etags",
			    s->src->name, s->cal->name);
			s->cal->no_sync = true;
		}
	}
	/*
	 * Once a discovery (a day): listed in full and diffed, whatever the
	 * token says.  A server may take a token for another calendar's:
	 * SabreDAV numbers each calendar's from 1, so the token of one
	 * deleted and made again at the same URL is answered "nothing new"
	 * until the new one's count passes it, and its first items never.
	 */
	if (token != NULL && s->st->reconcile) {
		free(token);
		log_info("%s: %s: discovered again, listing in full",
		    s->src->name, s->cal->name);
		return caldav_sync_full(s, err);
	}
	if (token != NULL) {
		rc = caldav_sync_token(s, token, err);
		free(token);
		if (rc != 1)
			return rc;
		caldav_fetch_clear(s);
		/* Reset once and list in full; never retry the token in a loop. */
		log_info("%s: %s: sync token no longer accepted, listing again",
		    s->src->name, s->cal->name);
	}
	return caldav_sync_full(s, err);
}

/* The poll loop's view of the calendars (source.h). */
static time_t
caldav_cals_load(void *arg)
{
	struct caldav_state *st = arg;

	if (st->discovered == 0 && st->ncals == 0)
		caldav_cache_load(st, st->src, st->store);
	return st->ncals > 0 ? st->discovered : 0;
}

/*
 * After a discovery: each calendar synced before (a token or a ctag kept
 * for its path) that it did not list goes to the end of the list as a
 * probe (caldav_gone_check), so that the events of a calendar deleted
 * while no agent ran go too.
 */
static void
caldav_add_probes(struct caldav_state *st)
{
	struct strlist paths = { NULL, 0, 0, NULL };
	struct hashset listed = { NULL, 0, 0, NULL };
	struct caldav_cal *c;
	struct err e;
	char *url;
	size_t i;

	for (i = 0; i < st->ncals; i++)
		hashset_add(&listed, st->cals[i].path);
	if (source_scopes_unlisted(st->store, st->src, "sync-token", &listed,
	    CALDAV_MAX_CALENDARS, &paths, &e) != 0 ||
	    source_scopes_unlisted(st->store, st->src, "ctag", &listed,
	    CALDAV_MAX_CALENDARS, &paths, &e) != 0)
		log_warn("%s: %s", st->src->name, e.msg);
	hashset_clear(&listed);
	for (i = 0; i < paths.n; i++) {
		url = http_resolve(st->src->url, paths.v[i]);
		if (url == NULL || !http_same_origin(st->src->url, url)) {
			free(url);
			continue;
		}
		st->cals = xreallocarray(st->cals, st->ncals + 1,
		    sizeof *st->cals);
		c = &st->cals[st->ncals++];
		memset(c, 0, sizeof *c);
		c->url = url;
		c->path = xstrdup(paths.v[i]);
		c->name = caldav_clean_name(paths.v[i]);
		c->probe = true;
		st->nprobes++;
	}
	strlist_clear(&paths);
}

/* The probes are asked once, in the poll of their discovery. */
static void
caldav_probes_drop(struct caldav_state *st)
{
	for (; st->nprobes > 0 && st->ncals > 0; st->nprobes--)
		caldav_cal_free(&st->cals[--st->ncals]);
}

static int
caldav_cals_discover(void *arg, struct err *err)
{
	struct caldav_state *st = arg;

	if (caldav_discover(st, st->src, st->store, err) != 0)
		return -1;
	caldav_add_probes(st);
	st->reconcile = true;
	return 0;
}

static size_t
caldav_cals_count(void *arg)
{
	const struct caldav_state *st = arg;

	return st->ncals;
}

/* A calendar's path: its key (display names need not differ). */
static const char *
caldav_cals_name(void *arg, size_t i)
{
	const struct caldav_state *st = arg;

	return st->cals[i].path;
}

/*
 * Queues the removal of a stored item of the calendar (store_items),
 * unless a calendar still polled holds it (one inside the gone one).
 */
static int
caldav_forget_cb(const char *item, const char *version, void *arg)
{
	struct caldav_sync *s = arg;
	const struct caldav_state *st = s->st;
	size_t i;

	(void)version;
	if (!caldav_in_cal(s->cal->path, item))
		return 0;
	for (i = 0; i < st->ncals; i++)
		if (!st->cals[i].probe && strlen(st->cals[i].path) >
		    strlen(s->cal->path) && caldav_in_cal(st->cals[i].path,
		    item))
			return 0;
	caldav_remove(s, item);
	return 0;
}

/*
 * A calendar synced before and not discovered now: gone when its URL
 * answers 404 or 410, and then what is stored of it goes, as a deleted
 * event's rows go, with its cursors, in one commit.  One still there
 * (left out by calendars =, or no longer holding events) keeps its rows,
 * and so does one that cannot be asked now: the next discovery asks
 * again.
 */
static enum source_status
caldav_gone_check(struct caldav_sync *s, struct err *err)
{
	struct cursor cur[2] = { { s->cal->path, "sync-token", NULL },
	    { s->cal->path, "ctag", NULL } };
	struct http_response resp;
	struct davxml *x;
	struct err e;
	char *ctag = NULL;
	long status;
	int rc;

	memset(&resp, 0, sizeof resp);
	err_clear(&e);
	x = davxml_new(caldav_ctag_cb, &ctag);
	rc = caldav_xml(s->st, "PROPFIND", s->cal->url, "0",
	    caldav_propfind_ctag, x, &resp, &e);
	status = resp.status;
	davxml_free(x);
	http_response_free(&resp);
	free(ctag);
	if (rc != 0 || (status != 404 && status != 410)) {
		log_debug("%s: %s: not listed, kept (%s)", s->src->name,
		    s->cal->name, rc != 0 ? e.msg : "still there");
		return SOURCE_OK;
	}
	log_info("%s: calendar %s is gone (%ld): its events are removed",
	    s->src->name, s->cal->name, status);
	s->queued = false;
	if (store_items(s->store, s->src->name, caldav_forget_cb, s,
	    err) != 0 || caldav_commit(s, cur, 2, err) != 0)
		return SOURCE_STOP;
	return SOURCE_OK;
}

/*
 * Syncs one calendar.  The server asking to wait (ERR_WAIT) stops the
 * poll; a calendar failing for good (ERR_FINAL: it moved or went) has
 * the calendars discovered again at the next poll; one whose URL answers
 * 404 or 410 has them discovered again now, and is then asked whether it
 * is gone (caldav_gone_check) when they do not list it; anything else fails
 * this calendar only.  While stopping, nothing fails.
 */
static enum source_status
caldav_cals_sync(void *arg, size_t i, struct pipeline *p, struct err *err)
{
	struct caldav_state *st = arg;
	struct caldav_sync s;
	struct err e;
	enum source_status rc = SOURCE_OK;

	memset(&s, 0, sizeof s);
	s.cfg = st->cfg;
	s.src = st->src;
	s.store = st->store;
	s.p = p;
	s.st = st;
	s.cal = &st->cals[i];
	s.stop = st->stop;
	s.from = st->from;
	s.to = st->to;
	/* Smaller under a test hook, so that a test sees several commits. */
	s.batch = (size_t)SOURCE_TEST_HOOK("SALESCYCLE_TEST_BATCH_SIZE",
	    CALDAV_COMMIT_BATCH);
	if (s.batch == 0 || s.batch > CALDAV_COMMIT_BATCH)
		s.batch = CALDAV_COMMIT_BATCH;
	err_clear(&e);
	if (s.cal->probe)
		rc = caldav_gone_check(&s, err);
	else if (caldav_sync_calendar(&s, &e) != 0 && !*st->stop) {
		/* The loop's messages name the calendar. */
		err_set(err, e.cls, "%s: %s", s.cal->name, e.msg);
		if (e.cls == ERR_FINAL)
			st->lost = true;
		rc = s.gone ? SOURCE_GONE : e.cls == ERR_WAIT ? SOURCE_STOP :
		    SOURCE_SKIP;
	}
	if (s.changed > 0 || s.removed > 0 || s.bad > 0)
		log_info("%s: %s: %u changed, %u removed, %u skipped",
		    s.src->name, s.cal->name, s.changed, s.removed, s.bad);
	caldav_fetch_clear(&s);
	hashset_clear(&s.asked_set);
	strlist_clear(&s.asked);
	return rc;
}

static const struct source_sync_ops caldav_sync_ops = {
	.load = caldav_cals_load,
	.discover = caldav_cals_discover,
	.count = caldav_cals_count,
	.name = caldav_cals_name,
	.sync = caldav_cals_sync,
	.max_age = CALDAV_REDISCOVER,
};

/*
 * What the server's authentication is known to be (http_auth_recall),
 * kept per url: a url on another origin starts afresh, since credentials
 * go up front over http only to an origin that asked for them.
 */
static void
caldav_auth_load(struct caldav_state *st, const struct source *src,
    struct store *store)
{
	struct err e;
	char *scope, *v = NULL;

	if ((scope = http_url_clean(src->url)) == NULL)
		return;
	if (store_cursor_get(store, src->name, scope, "auth", &v, &e) != 0)
		log_warn("%s: %s", src->name, e.msg);
	http_auth_recall(st->http, v);
	st->auth = http_auth_learned(st->http);
	free(v);
	free(scope);
}

/* Keeps what the poll learned of the server's authentication, if new. */
static void
caldav_auth_save(struct caldav_state *st, const struct source *src,
    struct store *store)
{
	const char *learned = http_auth_learned(st->http);
	struct err e;
	char *scope;

	if (learned == NULL || (st->auth != NULL && strcmp(st->auth,
	    learned) == 0) || (scope = http_url_clean(src->url)) == NULL)
		return;
	if (store_cursor_set(store, src->name, scope, "auth", learned, &e) != 0)
		log_warn("%s: %s", src->name, e.msg);
	else
		st->auth = learned;
	free(scope);
}

static int
caldav_poll(void **statep, const struct config *cfg, const struct source *src,
    struct store *store, volatile sig_atomic_t *stop, struct err *err)
{
	struct caldav_state *st = *statep;
	unsigned long nreq;
	int rc;

	if (st == NULL) {
		st = xcalloc(1, sizeof *st);
		if (http_open_source(src, &st->http, err) != 0) {
			free(st);
			return -1;
		}
		*statep = st;
		caldav_auth_load(st, src, store);
	}
	http_set_stop(st->http, stop);
	nreq = http_request_count(st->http);
	st->cfg = cfg;
	st->src = src;
	st->store = store;
	st->stop = stop;
	st->lost = false;
	event_window(util_now(), cfg->backfill_days, cfg->timezone, &st->from,
	    &st->to);
	rc = source_sync(&caldav_sync_ops, st, cfg, src, store, stop, err);
	caldav_probes_drop(st);
	st->reconcile = false;
	caldav_auth_save(st, src, store);
	log_info("%s: polled %zu calendars with %lu requests", src->name,
	    st->ncals - st->nprobes, http_request_count(st->http) - nreq);
	if (st->lost) {
		/* A calendar that moved or went: look again next time. */
		caldav_cals_free(st);
		st->discovered = 0;
		source_cache_drop(store, src);
	}
	return rc;
}


/*
 * The driver's check (salescycle doctor): discovery step by step, the
 * calendars found, which hold events and which `calendars =` keeps, and
 * the names in that filter that match nothing.  No calendar is read.
 */
static int
caldav_check(const struct config *cfg, const struct source *src,
    source_say_fn say, void *arg, struct err *err)
{
	struct caldav_state st;
	char *home = NULL;
	size_t i;

	(void)cfg;
	memset(&st, 0, sizeof st);
	st.rep.say = say;
	st.rep.arg = arg;
	if (http_open_source(src, &st.http, err) != 0) {
		source_note(&st.rep, false, "password: %s", err->msg);
		goto out;
	}
	if (caldav_find_home(&st, src, &home, err) != 0) {
		if (err->cls == ERR_FINAL && strstr(err->msg, "no CalDAV") != NULL)
			source_note(&st.rep, false, "%s; point url = at the "
			    "server root, your principal or a calendar",
			    err->msg);
		else
			source_fail(&st.rep, err->msg, http_error_hint(err));
		goto out;
	}
	if (src->user != NULL || src->token.command != NULL)
		source_note(&st.rep, true, "authenticated%s%s", src->user !=
		    NULL ? " as " : " with a token", src->user != NULL ?
		    src->user : "");
	if (home != NULL) {
		if (!http_same_origin(src->url, home)) {
			source_note(&st.rep, false, "calendar home set %s is "
			    "on another origin (scheme, host and port) than "
			    "the url; configure that url instead", home);
			goto out;
		}
		if (caldav_list_home(&st, src, home, err) != 0) {
			source_fail(&st.rep, err->msg, http_error_hint(err));
			goto out;
		}
	}
	for (i = 0; i < src->calendars.n; i++)
		if (!strlist_contains(&st.names, src->calendars.v[i]))
			source_note(&st.rep, false, "calendars = names \"%s\", "
			    "which the server does not have",
			    src->calendars.v[i]);
	if (st.ncals == 0)
		source_note(&st.rep, false, "no calendar with events to poll "
		    "at %s", home != NULL ? home : src->url);
	else
		source_note(&st.rep, true, "%zu calendar%s polled", st.ncals,
		    st.ncals == 1 ? "" : "s");
out:
	free(home);
	caldav_cals_free(&st);
	strlist_clear(&st.names);
	http_free(st.http);
	return source_report_end(&st.rep, err);
}

/* [caldav KEY]'s own keys, besides source_keys. */
static const struct config_key caldav_keys[] = {
	CONFIG_KEY("calendars", CONFIG_LIST, source, calendars),
	CONFIG_KEY_END
};

static const char *const caldav_schemes[] = { "http", "https", NULL };

const struct source_ops caldav_source_ops = {
	.type = SOURCE_CALDAV,
	.section = "caldav",
	.schemes = caldav_schemes,
	.cleartext = "http",
	.keys = caldav_keys,
	.poll = caldav_poll,
	.close = caldav_close,
	.disconnect = caldav_disconnect,
	.check = caldav_check,
};
