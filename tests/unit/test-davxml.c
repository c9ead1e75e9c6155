/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the multistatus parser: multistatus documents as Radicale,
 * Nextcloud (sabre/dav), Google and iCloud write them, paging by 507, the
 * valid-sync-token error, malformed and hostile documents (with the
 * limits on what a response may make the parser keep), text made
 * printable, and href normalisation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "davxml.h"
#include "helpers.h"
#include "xmalloc.h"

/* A copy of one response as the callback saw it. */
struct rec {
	char	*href;
	int	 status;
	char	*etag;
	char	*ctag;
	char	*displayname;
	char	*principal;
	char	*home_set;
	char	*data;
	bool	 too_big;
	bool	 calendar;
	bool	 collection;
	bool	 comp_set;
	bool	 comp_vevent;
	bool	 unauthenticated;
};

struct recs {
	struct rec	v[16];
	size_t		n;
	size_t		stop_after;	/* fail the callback at this response; 0 = never */
};

static int
record_cb(const struct dav_response *r, void *arg, struct err *err)
{
	struct recs *rs = arg;
	struct rec *c;

	if (rs->stop_after != 0 && rs->n + 1 == rs->stop_after)
		return err_set(err, ERR_TEMP, "stopped by test");
	assert_true(rs->n < 16);
	c = &rs->v[rs->n++];
	c->href = xstrdup(r->href);
	c->status = r->status;
	c->etag = xstrdup(r->etag);
	c->ctag = xstrdup(r->ctag);
	c->displayname = xstrdup(r->displayname);
	c->principal = xstrdup(r->principal);
	c->home_set = xstrdup(r->home_set);
	c->data = r->calendar_data != NULL ?
	    xstrndup(r->calendar_data, r->calendar_data_len) : NULL;
	c->too_big = r->calendar_data_too_big;
	c->calendar = r->calendar;
	c->collection = r->collection;
	c->comp_set = r->comp_set;
	c->comp_vevent = r->comp_vevent;
	c->unauthenticated = r->unauthenticated;
	return 0;
}

static void
recs_free(struct recs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].href);
		free(rs->v[i].etag);
		free(rs->v[i].ctag);
		free(rs->v[i].displayname);
		free(rs->v[i].principal);
		free(rs->v[i].home_set);
		free(rs->v[i].data);
	}
	rs->n = 0;
}

/* Parses a fixture in pieces of chunk bytes (0: whole). */
static int
parse_fixture(const char *name, size_t chunk, struct recs *rs,
    struct davxml **out, struct err *err)
{
	char rel[128];
	char *doc;
	size_t len, off, n;
	struct davxml *x;
	int rc = 0;

	snprintf(rel, sizeof rel, "dav/%s", name);
	doc = test_read_data(rel, &len);
	x = davxml_new(record_cb, rs);
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len && rc == 0; off += n) {
		n = len - off < chunk ? len - off : chunk;
		rc = davxml_feed(x, doc + off, n, false, err);
	}
	if (rc == 0)
		rc = davxml_feed(x, NULL, 0, true, err);
	free(doc);
	*out = x;
	return rc;
}

/* What a fixture must yield: response count, token, paging, and one response's fields. */
static const struct {
	const char	*fixture;
	size_t		 nresp;
	const char	*token;
	bool		 truncated;
	size_t		 at;		/* which response the fields below describe */
	const char	*href;
	int		 status;
	const char	*etag;
	bool		 has_data;
	bool		 calendar;
	bool		 vevent;
	const char	*displayname;
} cases[] = {
	{ "radicale-sync.xml", 3, "http://radicale.org/ns/sync/8f3a2c0e5b1d4e6f",
	  false, 0, "/anna/werk/acme-bezoek.ics", 0, "\"c2d1f0e8a3b4\"", true,
	  false, false, NULL },
	/* calendar-data in a 404 propstat: the item lives, without data. */
	{ "radicale-sync.xml", 3, "http://radicale.org/ns/sync/8f3a2c0e5b1d4e6f",
	  false, 1, "/anna/werk/Demo%20Northwind.ics", 0, "\"77aa01\"", false,
	  false, false, NULL },
	{ "radicale-sync.xml", 3, "http://radicale.org/ns/sync/8f3a2c0e5b1d4e6f",
	  false, 2, "/anna/werk/verwijderd.ics", 404, NULL, false, false, false,
	  NULL },
	{ "nextcloud-home.xml", 4, NULL, false, 1,
	  "/remote.php/dav/calendars/anna/personal/", 0, NULL, false, true, true,
	  "Persoonlijk" },
	{ "nextcloud-home.xml", 4, NULL, false, 2,
	  "/remote.php/dav/calendars/anna/taken/", 0, NULL, false, true, false,
	  "Taken" },
	{ "nextcloud-home.xml", 4, NULL, false, 0,
	  "/remote.php/dav/calendars/anna/", 0, NULL, false, false, false, NULL },
	/* Google: status before prop; a propstat 404 does not delete the item. */
	{ "google-sync.xml", 2, "https://www.google.com/calendar/dav/anna%40brightline.nl/events/sync/CPjm7dbn8YkDEPjm7dbn8YkDGAEgqNS2nQIo-ObT2_GJAw==",
	  false, 0, "/caldav/v2/anna%40brightline.nl/events/4f1c2e9a0b7d%40google.com.ics",
	  0, "\"63891234567890\"", false, false, false, NULL },
	{ "google-sync.xml", 2, "https://www.google.com/calendar/dav/anna%40brightline.nl/events/sync/CPjm7dbn8YkDEPjm7dbn8YkDGAEgqNS2nQIo-ObT2_GJAw==",
	  false, 1, "/caldav/v2/anna%40brightline.nl/events/0a9b8c7d6e5f%40google.com.ics",
	  0, NULL, false, false, false, NULL },
	/* The 507 response is paging, not an item. */
	{ "truncated-507.xml", 2, "http://example.com/ns/sync/1235", true, 1,
	  "/anna/werk/2.ics", 0, "\"00002-1\"", false, false, false, NULL },
	{ "prefixes.xml", 3, NULL, false, 0, "/123456789/principal/", 0, NULL,
	  false, false, false, "Anna de Vries" },
	/* Two hrefs in one status response: one callback each, normalised. */
	{ "prefixes.xml", 3, NULL, false, 2, "/123456789/calendars/old/b~%2F.ics",
	  404, NULL, false, false, false, NULL },
};

static void
test_davxml_fixtures(void **state)
{
	size_t i, chunk;
	static const size_t chunks[] = { 0, 1, 7 };

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (chunk = 0; chunk < 3; chunk++) {
			struct recs rs = { .n = 0 };
			struct davxml *x;
			struct err err = { 0 };
			const struct rec *r;

			if (parse_fixture(cases[i].fixture, chunks[chunk], &rs, &x,
			    &err) != 0)
				fail_msg("%s: %s", cases[i].fixture, err.msg);
			assert_int_equal(rs.n, cases[i].nresp);
			if (cases[i].token == NULL)
				assert_null(davxml_sync_token(x));
			else
				assert_string_equal(davxml_sync_token(x), cases[i].token);
			assert_int_equal(davxml_truncated(x), cases[i].truncated);
			r = &rs.v[cases[i].at];
			assert_string_equal(r->href, cases[i].href);
			assert_int_equal(r->status, cases[i].status);
			if (cases[i].etag == NULL)
				assert_null(r->etag);
			else
				assert_string_equal(r->etag, cases[i].etag);
			assert_int_equal(r->data != NULL, cases[i].has_data);
			assert_int_equal(r->calendar, cases[i].calendar);
			assert_int_equal(r->comp_vevent, cases[i].vevent);
			if (cases[i].displayname == NULL)
				assert_null(r->displayname);
			else
				assert_string_equal(r->displayname,
				    cases[i].displayname);
			recs_free(&rs);
			davxml_free(x);
		}
	}
}

static void
test_davxml_calendar_data_text(void **state)
{
	struct recs rs = { .n = 0 };
	struct davxml *x;
	struct err err;

	(void)state;
	assert_int_equal(parse_fixture("radicale-sync.xml", 0, &rs, &x, &err), 0);
	/* Entities decoded, line breaks kept. */
	assert_non_null(strstr(rs.v[0].data, "SUMMARY:Bezoek Acme & co\n"));
	assert_non_null(strstr(rs.v[0].data, "BEGIN:VCALENDAR\nVERSION:2.0\n"));
	recs_free(&rs);
	davxml_free(x);
}

static void
test_davxml_discovery_props(void **state)
{
	struct recs rs = { .n = 0 };
	struct davxml *x;
	struct err err;

	(void)state;
	assert_int_equal(parse_fixture("prefixes.xml", 0, &rs, &x, &err), 0);
	assert_string_equal(rs.v[0].principal, "/123456789/principal/");
	/* The home set on another host stays an absolute URL. */
	assert_string_equal(rs.v[0].home_set,
	    "https://p42-caldav.icloud.com:443/123456789/calendars/");
	assert_string_equal(rs.v[1].href, "/123456789/calendars/old/a.ics");
	recs_free(&rs);
	davxml_free(x);

	assert_int_equal(parse_fixture("nextcloud-home.xml", 0, &rs, &x, &err), 0);
	/* The ctag of a 404 propstat is not reported; the 200 one is. */
	assert_null(rs.v[0].ctag);
	assert_true(rs.v[0].collection);
	assert_string_equal(rs.v[1].ctag, "http://sabre.io/ns/sync/1042");
	assert_true(rs.v[1].comp_set);
	assert_false(rs.v[3].calendar);
	recs_free(&rs);
	davxml_free(x);
}

static void
test_davxml_errors(void **state)
{
	struct recs rs = { .n = 0 };
	struct davxml *x;
	struct err err;

	(void)state;
	assert_int_equal(parse_fixture("error-valid-sync-token.xml", 0, &rs, &x,
	    &err), 0);
	assert_true(davxml_has_error(x, "valid-sync-token"));
	assert_false(davxml_has_error(x, "number-of-matches-within-limits"));
	assert_int_equal(rs.n, 0);
	davxml_free(x);

	assert_int_equal(parse_fixture("truncated-507.xml", 0, &rs, &x, &err), 0);
	assert_true(davxml_has_error(x, "number-of-matches-within-limits"));
	assert_int_equal(davxml_responses(x), 3);
	recs_free(&rs);
	davxml_free(x);
}

static void
test_davxml_malformed(void **state)
{
	struct recs rs = { .n = 0 };
	struct davxml *x;
	struct err err = { 0 };

	(void)state;
	assert_int_equal(parse_fixture("malformed.xml", 0, &rs, &x, &err), -1);
	assert_int_equal(err.cls, ERR_DATA);
	assert_non_null(strstr(err.msg, "malformed XML"));
	/* What came before the damage was seen; the broken response was not. */
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.v[0].href, "/anna/werk/ok.ics");
	recs_free(&rs);
	davxml_free(x);

	assert_int_equal(parse_fixture("doctype.xml", 0, &rs, &x, &err), -1);
	assert_int_equal(err.cls, ERR_DATA);
	assert_non_null(strstr(err.msg, "document type"));
	assert_int_equal(rs.n, 0);
	davxml_free(x);
}

static void
test_davxml_callback_stops(void **state)
{
	struct recs rs = { .n = 0, .stop_after = 2 };
	struct davxml *x;
	struct err err = { 0 };

	(void)state;
	assert_int_equal(parse_fixture("radicale-sync.xml", 0, &rs, &x, &err), -1);
	assert_string_equal(err.msg, "stopped by test");
	assert_int_equal(rs.n, 1);
	recs_free(&rs);
	davxml_free(x);
}

/* Feeds a multistatus whose calendar-data is n bytes long. */
static void
big_data(size_t n, struct recs *rs)
{
	static const char head[] = "<multistatus xmlns=\"DAV:\" "
	    "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><response><href>/c/big.ics"
	    "</href><propstat><prop><getetag>\"1\"</getetag><C:calendar-data>";
	static const char tail[] = "</C:calendar-data></prop><status>HTTP/1.1 "
	    "200 OK</status></propstat></response></multistatus>";
	struct davxml *x = davxml_new(record_cb, rs);
	struct err err;
	char block[4096];
	size_t done, k;

	memset(block, 'x', sizeof block);
	assert_int_equal(davxml_feed(x, head, strlen(head), false, &err), 0);
	for (done = 0; done < n; done += k) {
		k = n - done < sizeof block ? n - done : sizeof block;
		assert_int_equal(davxml_feed(x, block, k, false, &err), 0);
	}
	assert_int_equal(davxml_feed(x, tail, strlen(tail), true, &err), 0);
	davxml_free(x);
}

static void
test_davxml_calendar_data_cap(void **state)
{
	struct recs rs = { .n = 0 };

	(void)state;
	big_data(DAVXML_MAX_DATA, &rs);
	assert_int_equal(rs.n, 1);
	assert_non_null(rs.v[0].data);
	assert_int_equal(strlen(rs.v[0].data), DAVXML_MAX_DATA);
	assert_false(rs.v[0].too_big);
	recs_free(&rs);

	big_data(DAVXML_MAX_DATA + 1, &rs);
	assert_int_equal(rs.n, 1);
	assert_null(rs.v[0].data);
	assert_true(rs.v[0].too_big);
	/* The rest of the response is still read. */
	assert_string_equal(rs.v[0].etag, "\"1\"");
	recs_free(&rs);
}

/* Empty elements leave nothing collected (found by fuzzing). */
/*
 * Feeds head, then unit n times in pieces of up to 16 KiB (as the HTTP
 * layer does), then tail; returns what davxml_feed said first.
 */
static int
feed_repeated(struct davxml *x, const char *head, const char *unit, size_t n,
    const char *tail, struct err *err)
{
	struct buf b = { 0 };
	size_t i, per = 16384 / strlen(unit);
	int rc;

	rc = davxml_feed(x, head, strlen(head), false, err);
	for (i = 0; i < n && rc == 0; i += per) {
		size_t j;

		buf_reset(&b);
		for (j = 0; j < per && i + j < n; j++)
			buf_puts(&b, unit);
		rc = davxml_feed(x, b.data, b.len, false, err);
	}
	buf_free(&b);
	if (rc == 0)
		rc = davxml_feed(x, tail, strlen(tail), true, err);
	return rc;
}

/* Counts the responses. */
static int
count_cb(const struct dav_response *r, void *arg, struct err *err)
{
	size_t *n = arg;

	(void)r; (void)err;
	(*n)++;
	return 0;
}

/* What a hostile server sends ends at the limits with a clear ERR_DATA. */
static void
test_davxml_limits(void **state)
{
	static const char ms[] = "<d:multistatus xmlns:d=\"DAV:\">";
	struct recs rs = { .n = 0 };
	size_t count = 0;
	struct davxml *x;
	struct err err = { 0 };
	char head[256];

	(void)state;
	/* Hrefs in one response: the limit is fine, one more is not. */
	snprintf(head, sizeof head, "%s<d:response>", ms);
	x = davxml_new(count_cb, &count);
	assert_int_equal(feed_repeated(x, head, "<d:href>/c/x.ics</d:href>",
	    DAVXML_MAX_HREFS, "<d:status>HTTP/1.1 404 Not Found</d:status>"
	    "</d:response></d:multistatus>", &err), 0);
	assert_int_equal(count, DAVXML_MAX_HREFS);
	davxml_free(x);
	x = davxml_new(count_cb, &count);
	assert_int_equal(feed_repeated(x, head, "<d:href>/c/x.ics</d:href>",
	    1000000, "</d:response></d:multistatus>", &err), -1);
	assert_int_equal(err.cls, ERR_DATA);
	assert_non_null(strstr(err.msg, "more than 256 hrefs"));
	davxml_free(x);

	/* Conditions of a DAV:error, kept once each and bounded. */
	snprintf(head, sizeof head, "%s<d:error>", ms);
	x = davxml_new(record_cb, &rs);
	assert_int_equal(feed_repeated(x, head, "<d:valid-sync-token/>",
	    DAVXML_MAX_ERRORS, "</d:error></d:multistatus>", &err), 0);
	assert_true(davxml_has_error(x, "valid-sync-token"));
	davxml_free(x);
	x = davxml_new(record_cb, &rs);
	assert_int_equal(feed_repeated(x, head, "<d:no-such-thing/>",
	    1000000, "</d:error></d:multistatus>", &err), -1);
	assert_non_null(strstr(err.msg, "more than 64 conditions"));
	davxml_free(x);

	/* Nesting. */
	x = davxml_new(record_cb, &rs);
	assert_int_equal(feed_repeated(x, ms, "<d:prop>", DAVXML_MAX_DEPTH - 1,
	    "", &err), -1);
	/* ... unclosed, so malformed, but not refused for depth: */
	assert_null(strstr(err.msg, "nested"));
	davxml_free(x);
	x = davxml_new(record_cb, &rs);
	assert_int_equal(feed_repeated(x, ms, "<d:prop>", 1000000, "", &err), -1);
	assert_non_null(strstr(err.msg, "nested deeper than 64"));
	davxml_free(x);

	/* One endless attribute value, and one endless comment. */
	snprintf(head, sizeof head, "%s<d:response x=\"", ms);
	x = davxml_new(record_cb, &rs);
	assert_int_equal(feed_repeated(x, head, "aaaaaaaaaaaaaaaa", 1000000, "\"/>",
	    &err), -1);
	assert_non_null(strstr(err.msg, "XML token"));
	davxml_free(x);
	snprintf(head, sizeof head, "%s<!--", ms);
	x = davxml_new(record_cb, &rs);
	assert_int_equal(feed_repeated(x, head, "cccccccccccccccc", 1000000, "-->",
	    &err), -1);
	assert_non_null(strstr(err.msg, "XML token"));
	davxml_free(x);

	/* The same in one piece, where expat needs to buffer nothing. */
	{
		size_t n = 2 * DAVXML_MAX_TOKEN;
		char *doc = xmalloc(n + 64);

		snprintf(doc, n + 64, "%s<!--", ms);
		memset(doc + strlen(doc), 'c', n);
		snprintf(doc + strlen(ms) + 4 + n, 60, "--></d:multistatus>");
		x = davxml_new(record_cb, &rs);
		assert_int_equal(davxml_feed(x, doc, strlen(doc), true, &err), -1);
		assert_non_null(strstr(err.msg, "XML token"));
		davxml_free(x);
		free(doc);
	}

	/* Long text is no token: 8 MiB of white space between elements is fine. */
	x = davxml_new(record_cb, &rs);
	assert_int_equal(feed_repeated(x, ms, "                ", 512 * 1024,
	    "</d:multistatus>", &err), 0);
	davxml_free(x);
	assert_int_equal(rs.n, 0);
}

/* Text values reach logs and the store: no control characters in them. */
static void
test_davxml_printable(void **state)
{
	static const char doc[] = "<d:multistatus xmlns:d=\"DAV:\" "
	    "xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><d:response>"
	    "<d:href>/c/a&#10;b\xc2\x9b.ics</d:href><d:propstat><d:prop>"
	    "<d:displayname> Werk&#10;http://x/&#9;Buit \xc2\x9b" "2J caf\xc3\xa9"
	    "</d:displayname><d:getetag>\"1&#13;\"</d:getetag>"
	    "<c:calendar-data>BEGIN:VCALENDAR&#13;&#10;END:VCALENDAR&#13;&#10;"
	    "</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status>"
	    "</d:propstat></d:response></d:multistatus>";
	struct recs rs = { .n = 0 };
	struct davxml *x;
	struct err err;

	(void)state;
	x = davxml_new(record_cb, &rs);
	assert_int_equal(davxml_feed(x, doc, strlen(doc), true, &err), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.v[0].displayname, "Werk?http://x/?Buit ?2J caf\xc3\xa9");
	assert_string_equal(rs.v[0].etag, "\"1?\"");
	/* hrefs are percent-encoded instead, calendar-data is left alone. */
	assert_string_equal(rs.v[0].href, "/c/a%0Ab%C2%9B.ics");
	assert_string_equal(rs.v[0].data, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
	recs_free(&rs);
	davxml_free(x);
}

static void
test_davxml_empty_elements(void **state)
{
	static const char *docs[] = {
		"<multistatus xmlns=\"DAV:\"><response><href></href></response>"
		    "</multistatus>",
		"<multistatus xmlns=\"DAV:\"><response><href>/a</href><status/>"
		    "</response></multistatus>",
		"<multistatus xmlns=\"DAV:\"><response><href>/a</href><propstat>"
		    "<prop><getetag/></prop><status></status></propstat></response>"
		    "<sync-token/></multistatus>",
	};
	static const char *hrefs[] = { "", "/a", "/a" };
	struct recs rs = { .n = 0 };
	struct davxml *x;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		x = davxml_new(record_cb, &rs);
		assert_int_equal(davxml_feed(x, docs[i], strlen(docs[i]), true, &err),
		    0);
		assert_int_equal(rs.n, 1);
		assert_string_equal(rs.v[0].href, hrefs[i]);
		assert_int_equal(rs.v[0].status, 0);
		recs_free(&rs);
		davxml_free(x);
	}
}

/*
 * RFC 5397: a current-user-principal of DAV:unauthenticated (Cyrus, to a
 * request without credentials) is told from one with an href, and counts
 * only as the property itself, in a propstat that is not an error.
 */
static void
test_davxml_unauthenticated(void **state)
{
	static const struct {
		const char	*doc;
		bool		 unauth;
		const char	*principal;
	} rows[] = {
		{ "<multistatus xmlns=\"DAV:\"><response><href>/</href><propstat>"
		    "<prop><current-user-principal><unauthenticated/>"
		    "</current-user-principal></prop><status>HTTP/1.1 200 OK"
		    "</status></propstat></response></multistatus>", true, NULL },
		{ "<multistatus xmlns=\"DAV:\"><response><href>/</href><propstat>"
		    "<prop><current-user-principal><href>/anna/</href>"
		    "</current-user-principal></prop></propstat></response>"
		    "</multistatus>", false, "/anna/" },
		{ "<multistatus xmlns=\"DAV:\"><response><href>/</href><propstat>"
		    "<prop><current-user-principal><unauthenticated/>"
		    "</current-user-principal></prop><status>HTTP/1.1 404 Not "
		    "Found</status></propstat></response></multistatus>", false,
		    NULL },
		{ "<multistatus xmlns=\"DAV:\"><response><href>/</href><propstat>"
		    "<prop><displayname><unauthenticated/></displayname></prop>"
		    "</propstat></response></multistatus>", false, NULL },
	};
	struct recs rs = { .n = 0 };
	struct davxml *x;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		x = davxml_new(record_cb, &rs);
		assert_int_equal(davxml_feed(x, rows[i].doc,
		    strlen(rows[i].doc), true, &err), 0);
		assert_int_equal(rs.n, 1);
		assert_int_equal(rs.v[0].unauthenticated, rows[i].unauth);
		if (rows[i].principal == NULL)
			assert_null(rs.v[0].principal);
		else
			assert_string_equal(rs.v[0].principal,
			    rows[i].principal);
		recs_free(&rs);
		davxml_free(x);
	}
}

static void
test_davxml_normalize_href(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "/cal/a.ics", "/cal/a.ics" },
		{ "/cal/%7eanna/%41b.ics", "/cal/~anna/Ab.ics" },
		{ "/cal/a%2fb.ics", "/cal/a%2Fb.ics" },
		{ "/cal/a%40b.ics", "/cal/a%40b.ics" },
		{ "/cal/Demo Northwind.ics", "/cal/Demo%20Northwind.ics" },
		{ "/cal/caf\xc3\xa9.ics", "/cal/caf%C3%A9.ics" },
		{ "/cal/100%.ics", "/cal/100%25.ics" },
		{ "/cal/%zz.ics", "/cal/%25zz.ics" },
		{ "https://h.example/x%5fy/", "https://h.example/x_y/" },
		{ "", "" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		s = davxml_normalize_href(rows[i].in);
		assert_string_equal(s, rows[i].out);
		free(s);
	}
}

static void
test_davxml_escape(void **state)
{
	char *s;

	(void)state;
	s = davxml_escape("/a&b/<c>\"d\".ics");
	assert_string_equal(s, "/a&amp;b/&lt;c&gt;&quot;d&quot;.ics");
	free(s);
	s = davxml_escape("");
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_davxml_fixtures),
		cmocka_unit_test(test_davxml_calendar_data_text),
		cmocka_unit_test(test_davxml_discovery_props),
		cmocka_unit_test(test_davxml_errors),
		cmocka_unit_test(test_davxml_malformed),
		cmocka_unit_test(test_davxml_callback_stops),
		cmocka_unit_test(test_davxml_calendar_data_cap),
		cmocka_unit_test(test_davxml_limits),
		cmocka_unit_test(test_davxml_printable),
		cmocka_unit_test(test_davxml_empty_elements),
		cmocka_unit_test(test_davxml_unauthenticated),
		cmocka_unit_test(test_davxml_normalize_href),
		cmocka_unit_test(test_davxml_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
