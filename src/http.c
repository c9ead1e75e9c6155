/* SPDX-License-Identifier: MIT */
/*
 * The libcurl wrapper of the CalDAV and ICS sources.  One curl handle per
 * source keeps connections alive between requests and polls.  Bodies of
 * successful responses are streamed to the caller, so a 50 MB multistatus
 * never sits in memory; only the start of an error body is kept for the
 * message.
 *
 * Origins: the credentials of a source belong to the origin (scheme, host
 * and port) of its url and go nowhere else.  Every request of a handle
 * with credentials is checked against that origin before it is sent, by
 * http_same_origin(), the one check there is; the credentials are set on
 * the curl handle per request, for that request only, and
 * CURLOPT_UNRESTRICTED_AUTH stays off.  Redirects are followed here and
 * not by libcurl (which would repeat a custom method anywhere): with
 * credentials only within their origin, without them anywhere but from
 * https to http.  Every URL loses its userinfo first: libcurl hands back
 * redirect URLs with our user:password@ in them.
 *
 * Size: gzip and deflate are decoded here with zlib rather than by
 * libcurl, so that the decoded size of every response (whatever its
 * status) is counted and capped (HTTP_MAX_BODY), and the headers too
 * (HTTP_MAX_HEADERS); a gzip bomb ends at the cap with a clear error.
 *
 * Stopping: the progress callback, which libcurl calls at least once a
 * second even while nothing moves (connect, waiting for headers, a
 * stalled body), aborts the transfer once the poll's stop flag is set.
 *
 * Descriptors: the curl handle is made by the first request and closed
 * by http_disconnect after each poll (an HTTP server closes an idle
 * connection long before the next poll), since a kept handle costs its
 * connection and libcurl's wake-up pair.  libcurl opens its sockets
 * through http_open_socket, which notes why it could not: EMFILE and
 * ENFILE end up as "too many open files" with the limit and what to
 * change (source_fd_error), never as "could not resolve" or "out of
 * memory", which is what libcurl says when its resolver thread or its
 * wake-up pair finds no descriptor.  libcurl 7.88 waits in poll()
 * (select() only in curl_multi_fdset, which is not used), so a socket
 * above FD_SETSIZE is fine.
 *
 * Trust: with a ca_file, libcurl's GnuTLS flavour replaces its default
 * bundle with CURLOPT_CAINFO.  To trust the system store as well we also
 * set CURLOPT_CAPATH to libcurl's built-in CA directory (/etc/ssl/certs on
 * Debian), which GnuTLS loads in full; so ca_file adds a trust anchor and
 * takes none away.
 *
 * Authentication: a bearer token when one is configured (the source's
 * OAuth 2.0 client's, asked before each request since it renews them,
 * and once more after a 401: oauth.h); otherwise Basic
 * sent up front over https (it saves a round trip), and Basic or Digest
 * negotiated on the server's challenge over plain http, where sending a
 * password unasked would be careless.  Once the server has asked (a 401,
 * or a DAV:unauthenticated principal: http_auth_wanted), the credentials
 * go up front over http too: Digest when it was on offer, else Basic.  A
 * 401 to an up-front Basic that offers Digest switches the handle to
 * Digest.  What was learned outlives the process (http_auth_learned,
 * kept by the source in its store): an agent started by cron with --once
 * would otherwise pay the 401 round trip on every calendar of every
 * pass, where the password already went to that origin after the first.
 * Every response counts as a request (http_request_count), the 401 that
 * libcurl answers on its own included.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>

#define LOG_TAG "http"
#include "http.h"
#include "http-int.h"
#include "oauth.h"
#include "log.h"
#include "source.h"
#include "util.h"
#include "xmalloc.h"

#define HTTP_MAX_REDIRECTS	5
#define HTTP_CONNECT_TIMEOUT	10
/* A whole transfer may take this many times the source's timeout. */
#define HTTP_TOTAL_TIMEOUTS	20
#define HTTP_RETRY_MIN		60	/* Retry-After clamped to 1 min ... */
#define HTTP_RETRY_MAX		7200	/* ... 2 h, as DAVx5 does */
#define HTTP_SYSTEM_CAPATH	"/etc/ssl/certs"
#define HTTP_DECODE_CHUNK	16384	/* decoded bytes handed on at once */

struct http {
	CURL		*curl;
	char		*tag;		/* owned: source name for messages */
	char		*origin;	/* owned: the credentials' URL */
	bool		 secret_url;	/* name URLs by their origin only */
	size_t		 max_body;
	char		*user;		/* owned */
	char		*password;	/* owned */
	char		*bearer;	/* owned */
	struct oauth_client *oauth;	/* borrowed (lives until exit) or NULL */
	char		*ca_file;	/* owned */
	int		 timeout;
	bool		 digest;	/* the server wants Digest, not Basic */
	bool		 digest_ready;	/* the handle holds a nonce (http_digest_prime) */
	bool		 eager;		/* it asked: credentials go up front */
	int64_t		 retry_until;	/* Retry-After of a 429/503, in ms */
	volatile sig_atomic_t *stop;	/* borrowed: the poll's stop flag */
	unsigned long	 nrequests;
	int		 sock_errno;	/* why the last socket failed */
	char		 curl_error[CURL_ERROR_SIZE];
};

struct http_decoder {
	z_stream	 z;
	bool		 inflating;	/* gzip or deflate; else identity */
	bool		 started;	/* a compressed byte was seen */
	bool		 ended;		/* the last member ended */
	size_t		 max;
	size_t		 in;		/* bytes on the wire */
	size_t		 out;		/* decoded bytes */
	char		 buf[HTTP_DECODE_CHUNK];
};

/* What the curl callbacks of one transfer share. */
struct http_transfer {
	struct http		*h;
	const struct http_request *req;
	struct http_response	*resp;
	size_t			 error_len;
	size_t			 header_bytes;
	char			*encoding;	/* owned: Content-Encoding */
	struct http_decoder	*dec;		/* owned: of the response read */
	bool			 aborted;
	bool			 own_err;	/* cb_err ours, not the caller's */
	struct err		 cb_err;
	unsigned		 responses;	/* final ones (not 1xx) */
	bool			 challenged;	/* a 401 among them */
	bool			 offers_digest;	/* ... with a Digest challenge */
	bool			 status_line;	/* an "HTTP/" line was read */
};

struct http_decoder *
http_decoder_new(const char *coding, size_t max, struct err *err)
{
	struct http_decoder *d;
	char name[32];
	size_t n;
	bool inflating = false;

	if (coding != NULL) {
		while (*coding == ' ' || *coding == '\t')
			coding++;
		n = strlen(coding);
		while (n > 0 && isspace((unsigned char)coding[n - 1]))
			n--;
		if (n >= sizeof name) {
			err_set(err, ERR_WAIT, "unsupported Content-Encoding");
			return NULL;
		}
		memcpy(name, coding, n);
		name[n] = '\0';
		if (strcasecmp(name, "gzip") == 0 ||
		    strcasecmp(name, "x-gzip") == 0 ||
		    strcasecmp(name, "deflate") == 0)
			inflating = true;
		else if (n != 0 && strcasecmp(name, "identity") != 0) {
			util_printable(name, name, sizeof name);
			err_set(err, ERR_WAIT, "unsupported Content-Encoding %s",
			    name);
			return NULL;
		}
	}
	d = xcalloc(1, sizeof *d);
	d->max = max;
	d->inflating = inflating;
	/* 32 + 15: a zlib or a gzip header, detected by zlib. */
	if (inflating && inflateInit2(&d->z, 32 + 15) != Z_OK)
		fatal("inflateInit2 failed");
	return d;
}

/* Hands decoded bytes to the sink unless the cap is passed. */
static int
http_decoder_out(struct http_decoder *d, const char *data, size_t len,
    http_body_cb sink, void *arg, struct err *err)
{
	if (len > d->max - d->out)
		return err_set(err, ERR_TEMP, "response larger than %zu MiB "
		    "(decoded); refused", d->max >> 20);
	d->out += len;
	return sink(data, len, arg, err);
}

int
http_decoder_feed(struct http_decoder *d, const char *data, size_t len,
    http_body_cb sink, void *arg, struct err *err)
{
	size_t made;
	int zrc;

	if (len > d->max - d->in)
		return err_set(err, ERR_TEMP, "response larger than %zu MiB; "
		    "refused", d->max >> 20);
	d->in += len;
	if (!d->inflating)
		return http_decoder_out(d, data, len, sink, arg, err);
	if (len > 0)
		d->started = true;
	d->z.next_in = (Bytef *)(uintptr_t)data;
	d->z.avail_in = (uInt)len;
	for (;;) {
		if (d->ended) {
			/* A gzip member ended; another may follow (RFC 1952). */
			if (d->z.avail_in == 0)
				return 0;
			if (inflateReset(&d->z) != Z_OK)
				return err_set(err, ERR_TEMP,
				    "malformed compressed body");
			d->ended = false;
		}
		d->z.next_out = (Bytef *)d->buf;
		d->z.avail_out = sizeof d->buf;
		zrc = inflate(&d->z, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			return err_set(err, ERR_TEMP, "malformed compressed body "
			    "(zlib: %s)", d->z.msg != NULL ? d->z.msg : "error");
		made = sizeof d->buf - d->z.avail_out;
		if (made > 0 && http_decoder_out(d, d->buf, made, sink, arg,
		    err) != 0)
			return -1;
		if (zrc == Z_STREAM_END)
			d->ended = true;
		/* Done with this piece: no input left and no output pending. */
		else if (d->z.avail_in == 0 && made < sizeof d->buf)
			return 0;
		else if (zrc == Z_BUF_ERROR && made == 0)
			return 0;
	}
}

int
http_decoder_finish(struct http_decoder *d, struct err *err)
{
	if (d->inflating && d->started && !d->ended)
		return err_set(err, ERR_TEMP, "compressed body cut short");
	return 0;
}

size_t
http_decoder_total(const struct http_decoder *d)
{
	return d->out;
}

void
http_decoder_free(struct http_decoder *d)
{
	if (d == NULL)
		return;
	if (d->inflating)
		inflateEnd(&d->z);
	free(d);
}

/*
 * url with whatever libcurl let through that may not stand in a URL or a
 * log line (controls, spaces, bytes over 0x7e) percent-encoded; frees
 * url.  NULL stays NULL.
 */
static char *
http_url_printable(char *url)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = { 0 };
	const unsigned char *p;
	char esc[3];

	if (url == NULL)
		return NULL;
	for (p = (const unsigned char *)url; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f) {
			esc[0] = '%';
			esc[1] = hex[*p >> 4];
			esc[2] = hex[*p & 15];
			buf_append(&b, esc, 3);
		} else
			buf_append(&b, (const char *)p, 1);
	}
	free(url);
	return b.data;
}

char *
http_url_clean(const char *url)
{
	CURLU *u = curl_url();
	char *s = NULL, *out = NULL;

	if (u == NULL)
		fatal("curl_url failed");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT) == CURLUE_OK)
		out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return http_url_printable(out);
}

/* The origin of url as "scheme://host:port", lower case; false if malformed. */
static bool
http_origin(const char *url, char *out, size_t len)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	bool ok = false;

	if (u == NULL)
		fatal("curl_url failed");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK) {
		ok = (size_t)snprintf(out, len, "%s://%s:%s", scheme, host,
		    port) < len;
		for (char *p = out; ok && *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok;
}

bool
http_same_origin(const char *a, const char *b)
{
	char oa[512], ob[512];

	return http_origin(a, oa, sizeof oa) && http_origin(b, ob, sizeof ob) &&
	    strcmp(oa, ob) == 0;
}

void
http_url_show(const char *url, bool secret, char *out, size_t len)
{
	CURLU *u;
	char *clean, *s = NULL;

	clean = http_url_clean(url);
	if (clean == NULL) {
		snprintf(out, len, "(a malformed URL)");
		return;
	}
	if (!secret) {
		snprintf(out, len, "%s", clean);
		free(clean);
		return;
	}
	/* Only the origin: the path and query hold the feed's key. */
	if ((u = curl_url()) == NULL)
		fatal("curl_url failed");
	if (curl_url_set(u, CURLUPART_URL, clean, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PATH, "/", 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT) == CURLUE_OK)
		snprintf(out, len, "%s...", s);
	else
		snprintf(out, len, "(a malformed URL)");
	curl_free(s);
	curl_url_cleanup(u);
	free(clean);
}

void
http_url_name(const struct http *h, const char *url, char *out, size_t len)
{
	http_url_show(url, h != NULL && h->secret_url, out, len);
}

struct http *
http_new(const struct http_opts *opts, const char *tag)
{
	struct http *h;

	h = xcalloc(1, sizeof *h);
	h->tag = xstrdup(tag != NULL ? tag : "http");
	h->origin = opts->origin != NULL ? http_url_clean(opts->origin) : NULL;
	h->secret_url = opts->secret_url;
	h->max_body = opts->max_body > 0 ? opts->max_body : HTTP_MAX_BODY;
	h->user = xstrdup(opts->user);
	h->password = xstrdup(opts->password != NULL ? opts->password : "");
	h->bearer = xstrdup(opts->bearer);
	h->ca_file = xstrdup(opts->ca_file);
	h->timeout = opts->timeout > 0 ? opts->timeout : 60;
	return h;
}

/* Wipes and frees a secret. */
static void
http_wipe(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int
http_open_source(const struct source *src, struct http **out, struct err *err)
{
	struct http_opts o;
	char *password = NULL, *token = NULL;

	*out = NULL;
	if (oauth_enabled(src)) {
		/* Its tokens are asked for request by request. */
		memset(&o, 0, sizeof o);
		o.origin = src->url;
		o.ca_file = src->ca_file;
		o.timeout = src->timeout;
		*out = http_new(&o, src->name);
		(*out)->oauth = oauth_client_for(src);
		return 0;
	}
	if (config_secret(&src->token, &token, err) != 0)
		return -1;
	if (token == NULL && src->user != NULL &&
	    config_secret(&src->password, &password, err) != 0)
		return -1;
	memset(&o, 0, sizeof o);
	o.origin = src->url;
	o.secret_url = source_ops_for(src->type)->secret_url;
	o.user = src->user;
	o.password = password;
	o.bearer = token;
	o.ca_file = src->ca_file;
	o.timeout = src->timeout;
	*out = http_new(&o, src->name);
	http_wipe(password);
	http_wipe(token);
	return 0;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	http_disconnect(h);
	free(h->tag);
	free(h->origin);
	free(h->user);
	http_wipe(h->password);
	http_wipe(h->bearer);
	free(h->ca_file);
	free(h);
}

void
http_disconnect(struct http *h)
{
	if (h == NULL || h->curl == NULL)
		return;
	curl_easy_cleanup(h->curl);
	h->curl = NULL;
	h->digest_ready = false;
}

/*
 * libcurl's socket: opened here so that the reason a socket could not be
 * had is known (libcurl keeps errno to itself).
 */
static curl_socket_t
http_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	int	*sock_errno = arg;
	int	 fd;

	(void)purpose;
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	*sock_errno = fd < 0 ? errno : 0;
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

void
http_watch_sockets(void *c, int *sock_errno)
{
	*sock_errno = 0;
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, http_open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, sock_errno);
}

const char *
http_connect_words(CURL *c, CURLcode rc, const char *url, char *out,
    size_t len)
{
	CURLU		*u;
	char		*host = NULL, *port = NULL, why[256];
	curl_off_t	 connected = 0;
	long		 os_errno = 0;

	if (rc != CURLE_COULDNT_RESOLVE_HOST && rc != CURLE_COULDNT_CONNECT &&
	    rc != CURLE_OPERATION_TIMEDOUT)
		return NULL;
	/* A time-out after connecting is the server's silence, not this. */
	if (rc == CURLE_OPERATION_TIMEDOUT &&
	    (curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected) !=
	    CURLE_OK || connected > 0))
		return NULL;
	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		curl_free(host);
		curl_url_cleanup(u);
		return NULL;
	}
	if (rc == CURLE_COULDNT_RESOLVE_HOST)
		snprintf(out, len, "cannot resolve %s", host);
	else {
		if (rc == CURLE_OPERATION_TIMEDOUT)
			os_errno = ETIMEDOUT;
		else if (curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno) !=
		    CURLE_OK || os_errno == 0)
			os_errno = ECONNREFUSED;
		snprintf(out, len, "%s:%s: cannot connect: %s", host, port,
		    source_connect_error((int)os_errno, why, sizeof why));
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

const char *
http_fd_trouble(int rc, int sock_errno, char *out, size_t len)
{
	int	fd;

	if (sock_errno == EMFILE || sock_errno == ENFILE)
		return source_fd_error(sock_errno, out, len);
	if (rc != CURLE_COULDNT_RESOLVE_HOST && rc != CURLE_COULDNT_CONNECT &&
	    rc != CURLE_OUT_OF_MEMORY && rc != CURLE_FAILED_INIT)
		return NULL;
	/*
	 * Its resolver thread and its wake-up pair say nothing of why they
	 * failed: whether a descriptor can be had now tells.
	 */
	fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	return errno == EMFILE || errno == ENFILE ?
	    source_fd_error(errno, out, len) : NULL;
}

void
http_set_stop(struct http *h, volatile sig_atomic_t *stop)
{
	h->stop = stop;
}

void
http_response_free(struct http_response *resp)
{
	free(resp->url);
	free(resp->etag);
	free(resp->last_modified);
	free(resp->content_type);
	memset(resp, 0, sizeof *resp);
}

unsigned long
http_request_count(const struct http *h)
{
	return h->nrequests;
}

/* True when the handle has credentials to send. */
static bool
http_has_credentials(const struct http *h)
{
	return h->bearer != NULL || h->oauth != NULL || h->user != NULL;
}

/* Copies a header value without its surrounding white space, printable. */
static char *
http_header_value(const char *v, size_t len)
{
	char *out;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	out = xstrndup(v, len);
	return util_printable(out, out, len + 1);
}

/* Forgets the body decoding of the response read so far. */
static void
http_transfer_reset(struct http_transfer *t)
{
	free(t->encoding);
	t->encoding = NULL;
	http_decoder_free(t->dec);
	t->dec = NULL;
}

/* Fails the transfer from a callback with an error of our own. */
static size_t
http_transfer_fail(struct http_transfer *t)
{
	t->aborted = true;
	t->own_err = true;
	return 0;
}

/*
 * Counts a response by its status line ("HTTP/1.1 401 ..."): every final
 * one is a request sent, libcurl's own retries with credentials included;
 * 1xx (100 Continue) are not.
 */
static void
http_count_response(struct http_transfer *t, const char *line, size_t len)
{
	const char	*sp = memchr(line, ' ', len);

	if (sp == NULL || (size_t)(sp - line) + 4 > len || sp[1] == '1')
		return;
	t->responses++;
	if (strncmp(sp + 1, "401", 3) == 0)
		t->challenged = true;
}

/* Notes whether a WWW-Authenticate challenge offers Digest. */
static void
http_note_challenge(struct http_transfer *t, const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len >= 6 && strncasecmp(v, "Digest", 6) == 0)
		t->offers_digest = true;
}

/*
 * Keeps ETag, Last-Modified and Content-Encoding of the final response;
 * forgets earlier ones.  Headers beyond HTTP_MAX_HEADERS end the transfer.
 */
static size_t
http_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n;

	t->header_bytes += len;
	if (t->header_bytes > HTTP_MAX_HEADERS) {
		err_set(&t->cb_err, ERR_TEMP, "response headers larger than "
		    "%u KiB; refused", HTTP_MAX_HEADERS >> 10);
		return http_transfer_fail(t);
	}
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		t->status_line = true;
		http_count_response(t, data, len);
		free(t->resp->etag);
		free(t->resp->last_modified);
		t->resp->etag = t->resp->last_modified = NULL;
		t->error_len = 0;
		t->resp->error_body[0] = '\0';
		http_transfer_reset(t);
	} else if (len > 5 && strncasecmp(data, "ETag:", 5) == 0) {
		free(t->resp->etag);
		t->resp->etag = http_header_value(data + 5, len - 5);
	} else if (len > 14 && strncasecmp(data, "Last-Modified:", 14) == 0) {
		free(t->resp->last_modified);
		t->resp->last_modified = http_header_value(data + 14, len - 14);
	} else if (len > 17 && strncasecmp(data, "Content-Encoding:", 17) == 0) {
		free(t->encoding);
		t->encoding = http_header_value(data + 17, len - 17);
	} else if (len > 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0) {
		http_note_challenge(t, data + 17, len - 17);
	}
	return len;
}

/* Streams a decoded 2xx body to the caller; keeps the start of any other body. */
static int
http_sink(const char *data, size_t len, void *arg, struct err *err)
{
	struct http_transfer *t = arg;
	size_t room;
	long code = 0;

	curl_easy_getinfo(t->h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300) {
		if (t->req->cb == NULL)
			return 0;
		if (t->req->cb(data, len, t->req->arg, err) != 0) {
			/* The caller's own error, passed on as it is. */
			t->own_err = false;
			return -1;
		}
		return 0;
	}
	room = sizeof t->resp->error_body - 1 - t->error_len;
	if (len < room)
		room = len;
	memcpy(t->resp->error_body + t->error_len, data, room);
	t->error_len += room;
	t->resp->error_body[t->error_len] = '\0';
	return 0;
}

/*
 * A "body" before any status line is no HTTP at all (libcurl would call
 * it HTTP/0.9): most often the URL names the port of another protocol,
 * and what the server says first tells which.
 */
static size_t
http_not_http(struct http_transfer *t, const char *data, size_t len)
{
	static const struct {
		const char	*greeting;
		const char	*what;
	} protos[] = {
		{ "* OK", "an IMAP server" },
		{ "* PREAUTH", "an IMAP server" },
		{ "* BYE", "an IMAP server" },
		{ "+OK", "a POP3 server" },
		{ "220", "a mail (SMTP) server" },
		{ "SSH-", "an SSH server" },
	};
	size_t	i, n;

	for (i = 0; i < sizeof protos / sizeof protos[0]; i++) {
		n = strlen(protos[i].greeting);
		if (len >= n && memcmp(data, protos[i].greeting, n) == 0) {
			err_set(&t->cb_err, ERR_FINAL, "this looks like %s, "
			    "not HTTP: check the port in url =", protos[i].what);
			return http_transfer_fail(t);
		}
	}
	err_set(&t->cb_err, ERR_FINAL, "the server does not answer in HTTP: "
	    "check the port in url =");
	return http_transfer_fail(t);
}

/* Decodes a piece of the body and hands it on. */
static size_t
http_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n;

	if (!t->status_line)
		return http_not_http(t, data, len);
	if (t->dec == NULL) {
		t->dec = http_decoder_new(t->encoding, t->h->max_body, &t->cb_err);
		if (t->dec == NULL)
			return http_transfer_fail(t);
	}
	t->own_err = true;
	if (http_decoder_feed(t->dec, data, len, http_sink, t, &t->cb_err) != 0) {
		t->aborted = true;
		return 0;
	}
	return len;
}

/* Stops a transfer once the poll's stop flag is set. */
static int
http_progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct http *h = arg;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return h->stop != NULL && *h->stop ? 1 : 0;
}

void
http_curl_trust(CURL *c, const char *ca_file)
{
	const curl_version_info_data *vi;

	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file == NULL)
		return;
	/* libcurl's built-in CA directory, which ca_file must not replace. */
	vi = curl_version_info(CURLVERSION_NOW);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(c, CURLOPT_CAPATH, vi != NULL && vi->capath != NULL ?
	    vi->capath : HTTP_SYSTEM_CAPATH);
}

/*
 * Sets the credentials for one request: only when url has the origin of
 * the handle's url, and cleared otherwise, since the curl handle keeps
 * options from one request to the next.
 */
static void
http_setup_auth(struct http *h, const char *url)
{
	CURL *c = h->curl;
	bool https = strncasecmp(url, "https:", 6) == 0;

	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
	if (h->origin == NULL || !http_same_origin(h->origin, url))
		return;
	if (h->bearer != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, h->bearer);
	} else if (h->user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, h->password);
		if (h->digest)
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
		else if (https || h->eager)
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		else
			curl_easy_setopt(c, CURLOPT_HTTPAUTH,
			    CURLAUTH_BASIC | CURLAUTH_DIGEST);
	}
}

/* Sets the options of one attempt at url; returns the header list to free. */
static struct curl_slist *
http_setup(struct http *h, const struct http_request *req, const char *url,
    struct http_transfer *t)
{
	CURL *c = h->curl;
	struct curl_slist *hdr = NULL;
	char line[512];

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "salescycle");
	/* We decode, so that we can count what comes out (see above). */
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_error);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(h->timeout < HTTP_CONNECT_TIMEOUT ?
	    h->timeout : HTTP_CONNECT_TIMEOUT));
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)h->timeout);
	/* A server that dribbles a byte a second must not hold a worker forever. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)h->timeout * HTTP_TOTAL_TIMEOUTS);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	http_curl_trust(c, h->ca_file);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	/* Let through to http_write_cb, which names what answered instead. */
	curl_easy_setopt(c, CURLOPT_HTTP09_ALLOWED, 1L);
	http_watch_sockets(c, &h->sock_errno);
	http_setup_auth(h, url);

	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (req->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
		/* libcurl's default would be form encoding. */
		snprintf(line, sizeof line, "Content-Type: %s",
		    req->content_type != NULL ? req->content_type :
		    "application/xml; charset=utf-8");
		hdr = curl_slist_append(hdr, line);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
	    strcmp(req->method, "GET") == 0 ? NULL : req->method);
	hdr = curl_slist_append(hdr, "Accept-Encoding: gzip");
	/* Keep libcurl from waiting for 100-continue on large bodies. */
	hdr = curl_slist_append(hdr, "Expect:");
	if (req->depth != NULL) {
		snprintf(line, sizeof line, "Depth: %s", req->depth);
		hdr = curl_slist_append(hdr, line);
	}
	if (req->if_none_match != NULL) {
		snprintf(line, sizeof line, "If-None-Match: %s", req->if_none_match);
		hdr = curl_slist_append(hdr, line);
	}
	if (req->if_modified_since != NULL) {
		snprintf(line, sizeof line, "If-Modified-Since: %s",
		    req->if_modified_since);
		hdr = curl_slist_append(hdr, line);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	return hdr;
}

/* Keeps the Content-Type of the response that answered. */
static void
http_note_type(struct http *h, struct http_response *resp)
{
	char	*type = NULL;

	free(resp->content_type);
	resp->content_type = NULL;
	if (curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
	    type != NULL)
		resp->content_type = util_printable(type, xmalloc(strlen(type) +
		    1), strlen(type) + 1);
}

/* Remembers a 429/503's Retry-After (clamped) so that no request goes out before. */
static void
http_note_retry(struct http *h, long status)
{
	curl_off_t after = 0;

	if (status != 429 && status != 503)
		return;
	curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &after);
	if (after < HTTP_RETRY_MIN)
		after = HTTP_RETRY_MIN;
	if (after > HTTP_RETRY_MAX)
		after = HTTP_RETRY_MAX;
	h->retry_until = util_monotonic_ms() + (int64_t)after * 1000;
}

/*
 * A refused login or certificate is no network hiccup: back off and let
 * the admin see it.  Nor is a TLS handshake that fails: that is a port
 * that speaks something else, or a protocol version or cipher the two
 * sides do not share, far more often than a connection lost halfway, and
 * trying again every poll would not mend it (the back-off still tries).
 * A URL we cannot speak will not get better.  The rest (resolving,
 * connecting, time-outs, a connection reset) is retried next poll.
 */
enum err_class
http_curl_class(CURLcode rc)
{
	switch (rc) {
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return ERR_WAIT;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return ERR_FINAL;
	default:
		return ERR_TEMP;
	}
}

/*
 * After a transfer: a server that challenged (401) for our credentials
 * wants them, so they go up front from now on, as Digest when it offered
 * that.
 */
static void
http_note_auth(struct http *h, const struct http_transfer *t, const char *url)
{
	if (!t->challenged || h->bearer != NULL || h->user == NULL ||
	    h->origin == NULL || !http_same_origin(h->origin, url))
		return;
	h->eager = true;
	if (t->offers_digest)
		h->digest = true;
}

const char *
http_auth_learned(const struct http *h)
{
	if (h->bearer != NULL || h->oauth != NULL || h->user == NULL ||
	    h->origin == NULL)
		return NULL;
	if (h->digest)
		return "digest";
	/* Over https Basic goes up front anyway: nothing to remember. */
	if (h->eager && strncasecmp(h->origin, "https:", 6) != 0)
		return "basic";
	return NULL;
}

void
http_auth_recall(struct http *h, const char *scheme)
{
	if (scheme == NULL || h->bearer != NULL || h->oauth != NULL ||
	    h->user == NULL || h->origin == NULL)
		return;
	if (strcmp(scheme, "digest") == 0)
		h->digest = true;
	else if (strcmp(scheme, "basic") == 0)
		h->eager = true;
}

bool
http_auth_wanted(struct http *h, const char *url)
{
	if (h->bearer != NULL || h->user == NULL || h->eager || h->digest ||
	    strncasecmp(url, "https:", 6) == 0 || h->origin == NULL ||
	    !http_same_origin(h->origin, url))
		return false;
	h->eager = true;
	return true;
}

/* One transfer to url, without following redirects. */
static int
http_perform(struct http *h, const struct http_request *req, const char *url,
    struct http_response *resp, struct err *err)
{
	struct http_transfer t;
	struct curl_slist *hdr;
	CURLcode rc;
	long avail = 0;
	int attempt, ret = 0;
	char name[600], fdmsg[256];

	http_url_name(h, url, name, sizeof name);
	if (h->curl == NULL && (h->curl = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	for (attempt = 0; attempt < 2; attempt++) {
		if (h->oauth != NULL && http_same_origin(h->origin, url)) {
			http_wipe(h->bearer);
			h->bearer = NULL;
			if (oauth_client_token(h->oauth, h->stop, &h->bearer,
			    err) != 0)
				return -1;
		}
		memset(&t, 0, sizeof t);
		t.h = h;
		t.req = req;
		t.resp = resp;
		h->curl_error[0] = '\0';
		hdr = http_setup(h, req, url, &t);
		rc = curl_easy_perform(h->curl);
		curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(hdr);
		/* One request at least: it was sent, answered or not. */
		h->nrequests += t.responses > 0 ? t.responses : 1;
		http_note_auth(h, &t, url);
		if (t.aborted) {
			if (!t.own_err)
				*err = t.cb_err;
			else
				err_set(err, t.cb_err.cls, "%s %s: %s", req->method,
				    name, t.cb_err.msg);
			if (err->cls == ERR_NONE)
				err_set(err, ERR_TEMP, "%s %s: aborted", req->method,
				    name);
			ret = -1;
			goto out;
		}
		if (rc == CURLE_ABORTED_BY_CALLBACK) {
			ret = err_set(err, ERR_TEMP, "%s %s: stopped", req->method,
			    name);
			goto out;
		}
		if (rc == CURLE_FILESIZE_EXCEEDED) {
			/* A token endpoint's cap is 64 KiB, not "0 MiB". */
			ret = err_set(err, ERR_TEMP, "%s %s: response larger than "
			    "%zu %s; refused", req->method, name,
			    h->max_body >= (1u << 20) ? h->max_body >> 20 :
			    h->max_body >> 10, h->max_body >= (1u << 20) ? "MiB" :
			    "KiB");
			goto out;
		}
		if (rc != CURLE_OK && http_fd_trouble((int)rc, h->sock_errno,
		    fdmsg, sizeof fdmsg) != NULL) {
			ret = err_set(err, ERR_TEMP, "%s %s: %s", req->method,
			    name, fdmsg);
			goto out;
		}
		if (rc != CURLE_OK && http_connect_words(h->curl, rc, url,
		    fdmsg, sizeof fdmsg) != NULL) {
			ret = err_set(err, http_curl_class(rc), "%s %s: %s",
			    req->method, name, fdmsg);
			goto out;
		}
		if (rc != CURLE_OK) {
			/* libcurl may quote what the server sent. */
			util_printable(h->curl_error, h->curl_error,
			    sizeof h->curl_error);
			ret = err_set(err, http_curl_class(rc), "%s %s: %s",
			    req->method, name, h->curl_error[0] != '\0' ?
			    h->curl_error : curl_easy_strerror(rc));
			goto out;
		}
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
		curl_easy_getinfo(h->curl, CURLINFO_HTTPAUTH_AVAIL, &avail);
		if (h->digest && resp->status != 401)
			h->digest_ready = true;
		http_note_type(h, resp);
		if (resp->status / 100 == 2 && t.dec != NULL &&
		    http_decoder_finish(t.dec, &t.cb_err) != 0) {
			ret = err_set(err, t.cb_err.cls, "%s %s: %s", req->method,
			    name, t.cb_err.msg);
			goto out;
		}
		/* A cached access token refused: once with a new one. */
		if (resp->status == 401 && h->oauth != NULL &&
		    h->bearer != NULL && attempt == 0) {
			oauth_client_refused(h->oauth, h->bearer);
			http_transfer_reset(&t);
			continue;
		}
		/* Our up-front Basic was refused but Digest is on offer. */
		if (resp->status == 401 && h->bearer == NULL && h->user != NULL &&
		    !h->digest && (avail & CURLAUTH_DIGEST) &&
		    (strncasecmp(url, "https:", 6) == 0 || h->eager)) {
			h->digest = true;
			http_transfer_reset(&t);
			continue;
		}
		break;
	}
	http_note_retry(h, resp->status);
out:
	http_transfer_reset(&t);
	return ret;
}

/*
 * Digest needs the server's nonce before a request can carry its body:
 * without one libcurl sends a request with a body empty, expecting a
 * 401, and SabreDAV (Baikal, Nextcloud) answers an empty REPORT from a
 * stranger with 500 instead.  So on a handle with no nonce yet (a new
 * process or poll that recalled Digest), a PROPFIND of url without a
 * body fetches one first.
 */
static int
http_digest_prime(struct http *h, const struct http_request *req,
    const char *url, struct err *err)
{
	struct http_request probe;
	struct http_response resp;
	int rc;

	if (req->body == NULL || !h->digest || h->digest_ready ||
	    h->user == NULL || h->bearer != NULL || h->origin == NULL ||
	    !http_same_origin(h->origin, url))
		return 0;
	memset(&probe, 0, sizeof probe);
	probe.method = "PROPFIND";
	probe.url = url;
	probe.depth = "0";
	probe.no_redirect = true;
	memset(&resp, 0, sizeof resp);
	rc = http_perform(h, &probe, url, &resp, err);
	http_response_free(&resp);
	return rc;
}

/* Resolves href against base, without userinfo; printable ASCII only. */
static char *
http_resolve_raw(const char *base, const char *href)
{
	CURLU *u = curl_url();
	char *s = NULL, *out = NULL;

	if (u == NULL)
		fatal("curl_url failed");
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, href, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT) == CURLUE_OK)
		out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

char *
http_resolve(const char *base, const char *href)
{
	return http_url_printable(http_resolve_raw(base, href));
}

char *
http_url_path(const char *url)
{
	CURLU *u = curl_url();
	char *s = NULL, *out = NULL;

	if (u == NULL)
		fatal("curl_url failed");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &s, 0) == CURLUE_OK)
		out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

/*
 * Where a redirect may go: with credentials only within their origin
 * (which the caller states in the error); without, anywhere but from
 * https to http.
 */
static bool
http_redirect_ok(const struct http *h, const char *from, const char *to)
{
	if (http_has_credentials(h))
		return h->origin != NULL && http_same_origin(h->origin, to);
	return strncasecmp(from, "https:", 6) != 0 ||
	    strncasecmp(to, "https:", 6) == 0;
}

int
http_request(struct http *h, const struct http_request *req,
    struct http_response *resp, struct err *err)
{
	char *url, *next;
	char *loc = NULL;
	char name[600], lname[600];
	int hops;

	memset(resp, 0, sizeof *resp);
	http_url_name(h, req->url, name, sizeof name);
	if (h->stop != NULL && *h->stop)
		return err_set(err, ERR_TEMP, "%s %s: stopped", req->method, name);
	if (h->retry_until > util_monotonic_ms())
		return err_set(err, ERR_WAIT, "%s: server asked to wait %lld s "
		    "more", name, (long long)(h->retry_until -
		    util_monotonic_ms() + 999) / 1000);
	url = http_url_clean(req->url);
	if (url == NULL)
		return err_set(err, ERR_FINAL, "%s: malformed URL", name);
	/* The one check: credentials go to their own origin and nowhere else. */
	if (http_has_credentials(h) &&
	    (h->origin == NULL || !http_same_origin(h->origin, url))) {
		err_set(err, ERR_FINAL, "%s %s: another origin than the url's "
		    "(scheme, host and port); not sent there with credentials",
		    req->method, name);
		free(url);
		return -1;
	}
	for (hops = 0;; hops++) {
		free(resp->etag);
		free(resp->last_modified);
		resp->etag = resp->last_modified = NULL;
		if (http_digest_prime(h, req, url, err) != 0 ||
		    http_perform(h, req, url, resp, err) != 0) {
			free(url);
			return -1;
		}
		if (resp->status < 300 || resp->status >= 400 ||
		    resp->status == 304 || req->no_redirect)
			break;
		loc = NULL;
		curl_easy_getinfo(h->curl, CURLINFO_REDIRECT_URL, &loc);
		if (loc == NULL)
			break;
		http_url_name(h, url, name, sizeof name);
		/* libcurl puts our user:password@ into it: drop them first. */
		next = http_url_clean(loc);
		if (next == NULL) {
			err_set(err, ERR_WAIT, "%s %s: malformed redirect",
			    req->method, name);
			free(url);
			return -1;
		}
		http_url_name(h, next, lname, sizeof lname);
		if (hops >= HTTP_MAX_REDIRECTS) {
			err_set(err, ERR_FINAL, "%s %s: too many redirects",
			    req->method, name);
			free(next);
			free(url);
			return -1;
		}
		if (!http_redirect_ok(h, url, next)) {
			err_set(err, ERR_FINAL, "%s: redirected to %s, %s; not "
			    "followed%s", name, lname, http_has_credentials(h) ?
			    "another origin (scheme, host and port)" :
			    "from https to http", http_has_credentials(h) ?
			    " (set url = to it if that is right)" : "");
			free(next);
			free(url);
			return -1;
		}
		log_debug("%s: %s redirected to %s", h->tag, name, lname);
		free(url);
		url = next;
	}
	resp->url = url;
	return 0;
}

/*
 * The first line of an error body, for messages, made printable (the
 * server's text reaches logs and terminals); empty if none.
 */
static void
http_error_excerpt(const struct http_response *resp, char *out, size_t outlen)
{
	const char *p = resp->error_body;
	size_t n = 0;

	while (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t')
		p++;
	while (p[n] != '\0' && p[n] != '\r' && p[n] != '\n' && n + 1 < outlen &&
	    n < 120)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
	util_printable(out, out, n + 1);
}

void
http_connection_info(struct http *h, const char *url, char *out, size_t len)
{
	CURLU	*u = curl_url();
	char	*host = NULL, *ip = NULL;
	long	 port = 0;
	bool	 https = strncasecmp(url, "https:", 6) == 0;

	if (u == NULL)
		fatal("curl_url failed");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		host = NULL;
	if (h->curl != NULL) {
		curl_easy_getinfo(h->curl, CURLINFO_PRIMARY_IP, &ip);
		curl_easy_getinfo(h->curl, CURLINFO_PRIMARY_PORT, &port);
	}
	snprintf(out, len, "connected to %s (%s:%ld)%s%s%s%s",
	    host != NULL ? host : "?", ip != NULL && *ip != '\0' ? ip : "?",
	    port, https ? "; TLS certificate verified for " : "; no TLS (http)",
	    https && host != NULL ? host : "",
	    https && h->ca_file != NULL ? " with ca_file " : "",
	    https && h->ca_file != NULL ? h->ca_file : "");
	curl_free(host);
	curl_url_cleanup(u);
}

const char *
http_error_hint(const struct err *err)
{
	static const struct {
		const char	*needle;
		const char	*hint;
	} hints[] = {
		{ "no alternative certificate subject name",
		    "put the name the certificate is made out to in url =" },
		{ "does not match", "put the name the certificate is made out "
		    "to in url =" },
		{ "certificate", "set ca_file = to the CA that signed the "
		    "server's certificate (or to the certificate itself when "
		    "it is self-signed)" },
		{ "(403)", "this user may not read there: check user = and "
		    "url =" },
		{ "imed out", "the server does not answer in time (timeout =)" },
		{ "too slow", "the server does not answer in time (timeout =)" },
	};
	const char *hint;
	size_t	i;

	/* Reaching the server is said alike for every protocol. */
	if ((hint = source_connect_hint(err->msg)) != NULL)
		return hint;
	for (i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (strstr(err->msg, hints[i].needle) != NULL)
			return hints[i].hint;
	return NULL;
}

int
http_status_error(const struct http_response *resp, const char *what,
    struct err *err)
{
	char ex[128];
	long s = resp->status;

	http_error_excerpt(resp, ex, sizeof ex);
	if (s == 401)
		return err_set(err, ERR_WAIT, "%s: authentication failed (401): "
		    "check user and password", what);
	if (s == 403)
		return err_set(err, ERR_WAIT, "%s: permission denied (403)", what);
	/*
	 * Not final: a calendar deleted or a server in maintenance must not
	 * switch the whole source off until a reload; it backs off instead.
	 */
	if (s == 404)
		return err_set(err, ERR_WAIT, "%s: not found (404): check the url",
		    what);
	if (s == 429 || s == 503)
		return err_set(err, ERR_WAIT, "%s: server busy (%ld), retrying later",
		    what, s);
	if (s >= 500)
		return err_set(err, ERR_TEMP, "%s: server error (%ld)%s%s", what, s,
		    ex[0] != '\0' ? ": " : "", ex);
	return err_set(err, ERR_WAIT, "%s: unexpected status %ld%s%s", what, s,
	    ex[0] != '\0' ? ": " : "", ex);
}
