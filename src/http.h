/* SPDX-License-Identifier: MIT */
/*
 * The one libcurl wrapper: the CalDAV and ICS sources, and the digest's
 * mail (http_mail_send).  A struct http keeps one curl handle (so
 * connections are reused between requests and polls), the credentials
 * and the TLS settings of one source.
 *
 * Credentials belong to one origin (scheme, host and port: RFC 6454), the
 * one of the source's url; http_same_origin() is the one check of every
 * URL before credentials go there.  A handle with credentials refuses
 * requests and redirects to any other origin.  URLs lose their userinfo
 * (user:password@) before they are requested, logged, stored or shown.
 *
 * Bodies are streamed to a callback after gzip decoding done here (not by
 * libcurl), so that the decoded size of every response is counted against
 * a cap.  Transfers stop within about a second when the stop flag is set.
 * HTTP errors are mapped to err classes by http_status_error().
 */
#ifndef SC_HTTP_H
#define SC_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"

/* Decoded bytes of one response (after gzip), and of its headers. */
#define HTTP_MAX_BODY		(64u * 1024 * 1024)
#define HTTP_MAX_HEADERS	(256u * 1024)

struct http;

struct http_opts {
	const char	*origin;	/* URL whose origin alone gets credentials */
	bool		 secret_url;	/* path and query are secret (a feed's key) */
	size_t		 max_body;	/* 0: HTTP_MAX_BODY */
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
	const char	*content_type;	/* of body; NULL: XML */
	bool		 no_redirect;	/* a 3xx is the answer (body holds a secret) */
	const char	*if_none_match;	/* conditional GET, or NULL */
	const char	*if_modified_since;
	http_body_cb	 cb;		/* may be NULL: the body is dropped */
	void		*arg;
};

struct http_response {
	long		 status;	/* final status after redirects */
	char		*url;		/* owned: the URL that answered, no userinfo */
	char		*etag;		/* owned, NULL if none; printable */
	char		*last_modified;	/* owned, NULL if none; printable */
	char		*content_type;	/* owned, NULL if none */
	char		 error_body[2048];	/* start of a non-2xx body (decoded), NUL-terminated */
};

/* Copies what it needs from opts.  Caller frees with http_free(). */
struct http	*http_new(const struct http_opts *, const char *tag);

/*
 * A handle for a configured source: its user and password (or its
 * token_command's bearer token) for the origin of its url, ca_file and
 * timeout; the url of an ICS source counts as secret.  -1 with err when
 * a secret cannot be read.
 */
int		 http_open_source(const struct source *, struct http **,
		    struct err *);
void		 http_free(struct http *);

/*
 * Closes libcurl's handle with its connection and wake-up pair (three
 * descriptors) and keeps the rest; the next request makes a new one.  A
 * source's handle goes after each poll (source_ops.disconnect).  h may
 * be NULL.
 */
void		 http_disconnect(struct http *);

/*
 * Opens the sockets of a curl handle (a CURL *) through a callback that
 * keeps in *sock_errno why the last one could not be had, for
 * http_fd_trouble.  The SMTP sender uses it too.
 */
void		 http_watch_sockets(void *curl, int *sock_errno);

/*
 * When a transfer that ended with curl code rc failed for want of a
 * descriptor (EMFILE, ENFILE: the socket, or libcurl's resolver thread
 * or wake-up pair, which libcurl reports as a name it cannot resolve or
 * as memory), says so in out (source_fd_error) and returns it; NULL
 * otherwise.
 */
const char	*http_fd_trouble(int rc, int sock_errno, char *out, size_t len);

/*
 * The stop flag of the poll that uses the handle (NULL: none): once set,
 * a request in progress fails within about a second and no new one starts.
 */
void		 http_set_stop(struct http *, volatile sig_atomic_t *stop);

/*
 * Performs one request, following redirects.  Returns 0 whenever the
 * server answered (any status, in resp->status), -1 with err on network,
 * TLS or redirect trouble, a response over the size caps, a request or
 * redirect to another origin than the credentials', when the callback
 * aborted, when stopped, or while a Retry-After the server gave earlier
 * has not passed yet.  The caller frees resp with http_response_free()
 * in both cases.
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

/*
 * True when two URLs have the same origin: scheme, host and port (the
 * default port of the scheme when none is given), compared without case.
 * False when either is malformed.
 */
bool		 http_same_origin(const char *a, const char *b);

/*
 * The URL without userinfo (user:password@), with spaces, controls and
 * bytes over 0x7e percent-encoded.  Caller frees; NULL if malformed.
 */
char		*http_url_clean(const char *url);

/*
 * How messages name url: without userinfo, and when the URL is secret
 * (an ICS feed's) only as "scheme://host[:port]/...".
 */
void		 http_url_show(const char *url, bool secret, char *out, size_t len);
/* The same for a URL of this handle's source. */
void		 http_url_name(const struct http *, const char *url, char *out,
		    size_t len);

/*
 * Resolves href against base into an absolute URL without userinfo,
 * percent-encoding spaces, controls and bytes over 0x7e.  Caller frees.
 * NULL when either is malformed.
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

/*
 * Number of requests sent through this handle: every response, a 401
 * that libcurl answered by itself with credentials included.
 */
unsigned long	 http_request_count(const struct http *);

/*
 * The server at url answered as to a stranger where it wants credentials
 * (RFC 5397: a DAV:unauthenticated principal): send them up front from
 * now on.  True when that changes what is sent, so that asking again is
 * worth it; false when the handle has none for url's origin, or sent
 * them already (https, a bearer token, or asked before).
 */
bool		 http_auth_wanted(struct http *, const char *url);

/*
 * What the handle learned about the server's authentication over plain
 * http, for the next process to start from (http_auth_recall): "basic"
 * once the server asked for credentials (a 401, or DAV:unauthenticated),
 * "digest" once it offered Digest; NULL when there is nothing to keep
 * (not asked yet, https, a bearer token, no user).  Never a secret.
 */
const char	*http_auth_learned(const struct http *);

/*
 * Starts from what an earlier process learned (http_auth_learned):
 * "basic" sends the credentials up front, to the origin of the url only
 * (as after a 401), "digest" answers Digest challenges only.  Anything
 * else, and a handle without a user and password, is left as it is.
 */
void		 http_auth_recall(struct http *, const char *scheme);

/*
 * The decoding of one response body: identity, or gzip and deflate with
 * zlib (also several gzip members one after the other).  Output goes to
 * the sink in pieces of at most 16 KiB; more than max decoded bytes, or
 * more than max bytes on the wire, fail with ERR_TEMP.
 */
struct http_decoder;

/* For a Content-Encoding (NULL: none).  NULL with ERR_WAIT if unsupported. */
struct http_decoder *http_decoder_new(const char *content_encoding, size_t max,
		    struct err *);
/* -1 with err when the data is malformed, too large, or the sink fails. */
int		 http_decoder_feed(struct http_decoder *, const char *, size_t,
		    http_body_cb sink, void *arg, struct err *);
/* -1 with err when a compressed body ended before its end. */
int		 http_decoder_finish(struct http_decoder *, struct err *);
/* Decoded bytes so far. */
size_t		 http_decoder_total(const struct http_decoder *);
void		 http_decoder_free(struct http_decoder *);

/* One message to send over SMTP (http-mail.c): the digest's. */
struct http_mail {
	const char	*url;		/* smtps://HOST[:PORT] or smtp://HOST[:PORT] */
	bool		 starttls;	/* smtp://: require STARTTLS */
	const char	*user;		/* NULL: no AUTH */
	const char	*password;
	const char	*ca_file;	/* extra trust anchor, or NULL */
	int		 timeout;	/* seconds to connect, and for each answer */
	const char	*from;		/* the envelope sender, a plain address */
	const char	*to;		/* the one recipient, a plain address */
	const volatile sig_atomic_t *stop; /* NULL: none */
};

/*
 * Sends msg (CRLF line ends) with libcurl's SMTP.  Returns 0 once the
 * server accepted it, -1 with err otherwise, named by the URL: graded by
 * http_curl_class, and an SMTP reply 5xx as ERR_WAIT, 4xx as ERR_TEMP; a
 * server that does not answer within the timeout says so.  *reply is the
 * server's last reply code, 0 when it was not reached or never answered.
 * stop, once set, ends the transfer within a second (ERR_TEMP).
 */
int		 http_mail_send(const struct http_mail *, const char *msg,
		    long *reply, struct err *);

/* What http_mail_check got through. */
struct http_mail_info {
	char	 server[80];	/* "IP:PORT" connected to, "" if none */
	bool	 connected;
	bool	 tls;		/* STARTTLS (or smtps) with a verified certificate */
	bool	 logged_in;	/* AUTH accepted; false without a user */
	bool	 login_refused;	/* the server refused the user or password */
};

/*
 * Checks the mail server as http_mail_send would use it (from and to are
 * not needed): connects, STARTTLS when required, logs in with user, then
 * NOOP and QUIT; no message is sent.  0 when all of that worked, -1 with
 * err (as http_mail_send's) otherwise; info says how far it got either way.
 */
int		 http_mail_check(const struct http_mail *,
		    struct http_mail_info *, struct err *);

#endif
