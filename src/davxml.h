/* SPDX-License-Identifier: MIT */
/*
 * A streaming parser for WebDAV multistatus documents (RFC 4918 section
 * 13, CalDAV RFC 4791, sync-collection RFC 6578) and DAV:error bodies,
 * built on expat in namespace mode: prefixes are whatever the server
 * chose.  Each <response> is handed to a callback as soon as it ends, so
 * memory stays bounded by one response: calendar-data is capped at
 * DAVXML_MAX_DATA, other text at DAVXML_MAX_TEXT, and a document with
 * more hrefs in one response, more conditions in a DAV:error, deeper
 * nesting or a longer XML token than the limits below fails as malformed
 * (ERR_DATA).  Only properties from a propstat with a 2xx status are
 * reported.  Text values other than calendar-data and hrefs come without
 * control characters (C0, DEL, C1 become '?'): they reach logs, the
 * store and terminals.  Pure: bytes in, callbacks out.
 */
#ifndef SC_DAVXML_H
#define SC_DAVXML_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define DAVXML_MAX_DATA		(4u * 1024 * 1024)	/* calendar-data per item */
#define DAVXML_MAX_TEXT		8192			/* any other text */
#define DAVXML_MAX_HREFS	256			/* hrefs in one response */
#define DAVXML_MAX_ERRORS	64			/* conditions in DAV:error */
#define DAVXML_MAX_DEPTH	64			/* element nesting */
#define DAVXML_MAX_TOKEN	(1024u * 1024)		/* a tag, comment, ... */

/* One <response>; all pointers are borrowed for the duration of the callback. */
struct dav_response {
	const char	*href;		/* normalised (see davxml_normalize_href) */
	int		 status;	/* response-level status, 0 if none */
	const char	*etag;		/* getetag, NULL if not found */
	const char	*ctag;		/* CS:getctag */
	const char	*sync_token;	/* DAV:sync-token as a property */
	const char	*displayname;
	bool		 collection;	/* resourcetype has DAV:collection */
	bool		 calendar;	/* resourcetype has C:calendar */
	bool		 shared;	/* ... and CS:shared: another's, shared with us */
	bool		 comp_set;	/* supported-calendar-component-set was given */
	bool		 comp_vevent;	/* ... and lists VEVENT */
	const char	*calendar_data;	/* NULL if none */
	size_t		 calendar_data_len;
	bool		 calendar_data_too_big;	/* dropped: larger than DAVXML_MAX_DATA */
	const char	*principal;	/* current-user-principal href (raw), or NULL */
	bool		 unauthenticated;	/* ... is DAV:unauthenticated (RFC 5397) */
	const char	*home_set;	/* first calendar-home-set href (raw), or NULL */
};

/* Returns 0 to go on, -1 to stop parsing (davxml_feed then fails with err). */
typedef int (*davxml_cb)(const struct dav_response *, void *arg, struct err *);

struct davxml;

struct davxml	*davxml_new(davxml_cb, void *arg);
void		 davxml_free(struct davxml *);

/* Feeds a piece of the document; last is true for the final piece.  -1 with ERR_DATA if malformed. */
int		 davxml_feed(struct davxml *, const char *, size_t, bool last,
		    struct err *);

/* The multistatus' own sync-token (RFC 6578), NULL if none. */
const char	*davxml_sync_token(const struct davxml *);

/* True when a response carried status 507: the result was truncated and more pages follow. */
bool		 davxml_truncated(const struct davxml *);

/* True when the document, or a response in it, named this DAV: or CalDAV precondition. */
bool		 davxml_has_error(const struct davxml *, const char *local_name);

/* Number of <response> elements seen (including ignored ones). */
unsigned long	 davxml_responses(const struct davxml *);

/*
 * Normalises an href to one spelling (RFC 3986 section 6.2.2):
 * escapes of unreserved characters decoded, other escapes in upper case,
 * and bytes that may not appear in a URL (controls, space, non-ASCII,
 * <>"{}|\^`) percent-encoded.  Returns a new string; caller frees.
 */
char		*davxml_normalize_href(const char *);

/* s with &, <, > and " escaped for an XML body; caller frees. */
char		*davxml_escape(const char *s);

#endif
