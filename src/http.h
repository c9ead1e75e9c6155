/* SPDX-License-Identifier: MIT */
/*
 * The one libcurl wrapper of the CalDAV and ICS sources.  A struct http
 * keeps one curl handle (so connections are reused between requests and
 * polls), the credentials and the TLS settings of one source.  Requests
 * stream their body to a callback; redirects are followed here, by hand,
 * and only within the registrable domain of the URL they started from and
 * never from https to http, so credentials never leak.  HTTP errors are
 * mapped to err classes by http_status_error().
 */
#ifndef SC_HTTP_H
#define SC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"

struct http;

struct http_opts {
	const char	*user;		/* NULL: no Basic/Digest auth */
	const char	*password;
	const char	*bearer;	/* token from token_command; wins over user */
	const char	*ca_file;	/* extra trust anchor, added to the system store */
	int		 timeout;	/* seconds without progress before giving up */
};

/*
 * Receives the body of a 2xx response in pieces.  Returns 0 to go on, -1
 * to abort the transfer (http_request then fails with the callback's err).
 */
typedef int (*http_body_cb)(const char *data, size_t len, void *arg,
    struct err *err);

struct http_request {
	const char	*method;	/* "GET", "PROPFIND", "REPORT" */
	const char	*url;
	const char	*depth;		/* Depth header, or NULL */
	const char	*body;		/* XML body, or NULL */
	const char	*if_none_match;	/* conditional GET, or NULL */
	const char	*if_modified_since;
	http_body_cb	 cb;		/* may be NULL: the body is dropped */
	void		*arg;
};

struct http_response {
	long		 status;	/* final status after redirects */
	char		*url;		/* owned: the URL that answered */
	char		*etag;		/* owned, NULL if none */
	char		*last_modified;	/* owned, NULL if none */
	char		*content_type;	/* owned, NULL if none */
	char		 error_body[2048];	/* start of a non-2xx body, NUL-terminated */
};

/* Copies what it needs from opts.  Caller frees with http_free(). */
struct http	*http_new(const struct http_opts *, const char *tag);

/*
 * A handle for a configured source: its user and password (or its
 * token_command's bearer token), ca_file and timeout.  -1 with err when a
 * secret cannot be read.
 */
int		 http_open_source(const struct source *, struct http **,
		    struct err *);
void		 http_free(struct http *);

/*
 * Performs one request, following redirects.  Returns 0 whenever the
 * server answered (any status, in resp->status), -1 with err on network,
 * TLS or redirect trouble, when the callback aborted, or while a
 * Retry-After the server gave earlier has not passed yet.  The caller
 * frees resp with http_response_free() in both cases.
 */
int		 http_request(struct http *, const struct http_request *,
		    struct http_response *, struct err *);
void		 http_response_free(struct http_response *);

/*
 * Fills err for a response that is not 2xx (or 304): 401 and 403 as
 * authentication or permission errors (ERR_WAIT), 404 (ERR_FINAL: the
 * URL is wrong), 429 and 503 with the server's Retry-After, 5xx as
 * ERR_TEMP.  what names the request ("PROPFIND /cal/").  Returns -1.
 */
int		 http_status_error(const struct http_response *, const char *what,
		    struct err *);

/* True when two URLs may share credentials: same registrable domain, no https->http. */
bool		 http_same_site(const char *from, const char *to);

/*
 * Resolves href against base into an absolute URL, percent-encoding what
 * needs it.  Caller frees.  NULL when either is malformed.
 */
char		*http_resolve(const char *base, const char *href);

/* The path of an absolute URL as it stands (percent-encoded).  Caller frees; NULL if malformed. */
char		*http_url_path(const char *url);

/*
 * Where the last request went, for `salescycle doctor`: "HOST (IP:PORT)"
 * and, over https, that the certificate was verified for HOST.
 */
void		 http_connection_info(struct http *, const char *url, char *out,
		    size_t len);

/* What to do about an error of http_request or http_status_error; NULL if nothing to say. */
const char	*http_error_hint(const struct err *);

/* Number of requests sent through this handle (tests count them). */
unsigned long	 http_request_count(const struct http *);

#endif
