/* SPDX-License-Identifier: MIT */
/*
 * The libcurl wrapper of the CalDAV and ICS sources.  One curl handle per
 * source keeps connections alive between requests and polls.  Bodies of
 * successful responses are streamed to the caller, so a 50 MB multistatus
 * never sits in memory; only the start of an error body is kept for the
 * message.
 *
 * Redirects are followed here and not by libcurl: libcurl would repeat a
 * custom method to any host it is sent to, with our credentials.  We
 * follow a redirect only within the registrable domain of the URL it came
 * from and never from https to http.
 *
 * Trust: with a ca_file, libcurl's GnuTLS flavour replaces its default
 * bundle with CURLOPT_CAINFO.  To trust the system store as well we also
 * set CURLOPT_CAPATH to libcurl's built-in CA directory (/etc/ssl/certs on
 * Debian), which GnuTLS loads in full; so ca_file adds a trust anchor and
 * takes none away.
 *
 * Authentication: a bearer token when one is configured; otherwise Basic
 * sent up front over https (it saves a round trip), and Basic or Digest
 * negotiated on the server's challenge over plain http, where sending a
 * password unasked would be careless.  A 401 to the up-front Basic that
 * offers Digest switches the handle to Digest.
 */
#include <ctype.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#define LOG_TAG "http"
#include "account.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define HTTP_MAX_REDIRECTS	5
#define HTTP_CONNECT_TIMEOUT	10
/* A whole transfer may take this many times the source's timeout. */
#define HTTP_TOTAL_TIMEOUTS	20
#define HTTP_RETRY_MIN		60	/* Retry-After clamped to 1 min ... */
#define HTTP_RETRY_MAX		7200	/* ... 2 h, as DAVx5 does */
#define HTTP_SYSTEM_CAPATH	"/etc/ssl/certs"

struct http {
	CURL		*curl;
	char		*tag;		/* owned: source name for messages */
	char		*user;		/* owned */
	char		*password;	/* owned */
	char		*bearer;	/* owned */
	char		*ca_file;	/* owned */
	int		 timeout;
	bool		 digest;	/* the server wants Digest, not Basic */
	time_t		 retry_until;	/* Retry-After of a 429/503 */
	unsigned long	 nrequests;
	char		 curl_error[CURL_ERROR_SIZE];
};

/* What the curl callbacks of one transfer share. */
struct http_transfer {
	struct http		*h;
	const struct http_request *req;
	struct http_response	*resp;
	size_t			 error_len;
	bool			 aborted;
	struct err		 cb_err;
};

struct http *
http_new(const struct http_opts *opts, const char *tag)
{
	struct http *h;

	h = xcalloc(1, sizeof *h);
	h->curl = curl_easy_init();
	if (h->curl == NULL)
		fatal("curl_easy_init failed");
	h->tag = xstrdup(tag != NULL ? tag : "http");
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
	if (config_secret(&src->token, &token, err) != 0)
		return -1;
	if (token == NULL && src->user != NULL &&
	    config_secret(&src->password, &password, err) != 0)
		return -1;
	memset(&o, 0, sizeof o);
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
	curl_easy_cleanup(h->curl);
	free(h->tag);
	free(h->user);
	http_wipe(h->password);
	http_wipe(h->bearer);
	free(h->ca_file);
	free(h);
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

/* Copies a header value without its surrounding white space. */
static char *
http_header_value(const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	return xstrndup(v, len);
}

/* Keeps ETag and Last-Modified of the final response; forgets earlier ones. */
static size_t
http_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		free(t->resp->etag);
		free(t->resp->last_modified);
		t->resp->etag = t->resp->last_modified = NULL;
		t->error_len = 0;
		t->resp->error_body[0] = '\0';
	} else if (len > 5 && strncasecmp(data, "ETag:", 5) == 0) {
		free(t->resp->etag);
		t->resp->etag = http_header_value(data + 5, len - 5);
	} else if (len > 14 && strncasecmp(data, "Last-Modified:", 14) == 0) {
		free(t->resp->last_modified);
		t->resp->last_modified = http_header_value(data + 14, len - 14);
	}
	return len;
}

/* Streams a 2xx body to the caller; keeps the start of any other body. */
static size_t
http_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n, room;
	long code = 0;

	curl_easy_getinfo(t->h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300) {
		if (t->req->cb == NULL)
			return len;
		if (t->req->cb(data, len, t->req->arg, &t->cb_err) != 0) {
			t->aborted = true;
			return 0;
		}
		return len;
	}
	room = sizeof t->resp->error_body - 1 - t->error_len;
	if (len < room)
		room = len;
	memcpy(t->resp->error_body + t->error_len, data, room);
	t->error_len += room;
	t->resp->error_body[t->error_len] = '\0';
	return len;
}

/* The libcurl built-in CA directory, which ca_file must not replace. */
static const char *
http_system_capath(void)
{
	const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);

	if (vi != NULL && vi->capath != NULL)
		return vi->capath;
	return HTTP_SYSTEM_CAPATH;
}

/* Sets the options of one attempt at url; returns the header list to free. */
static struct curl_slist *
http_setup(struct http *h, const struct http_request *req, const char *url,
    struct http_transfer *t)
{
	CURL *c = h->curl;
	struct curl_slist *hdr = NULL;
	char line[512];
	bool https = strncasecmp(url, "https:", 6) == 0;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "salescycle");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_error);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(h->timeout < HTTP_CONNECT_TIMEOUT ?
	    h->timeout : HTTP_CONNECT_TIMEOUT));
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)h->timeout);
	/* A server that dribbles a byte a second must not hold a worker forever. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)h->timeout * HTTP_TOTAL_TIMEOUTS);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file != NULL) {
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, http_system_capath());
	}
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);

	if (h->bearer != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, h->bearer);
	} else if (h->user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, h->password);
		if (h->digest)
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
		else if (https)
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		else
			curl_easy_setopt(c, CURLOPT_HTTPAUTH,
			    CURLAUTH_BASIC | CURLAUTH_DIGEST);
	}

	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (req->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
		/* libcurl's default would be form encoding. */
		hdr = curl_slist_append(hdr,
		    "Content-Type: application/xml; charset=utf-8");
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
	    strcmp(req->method, "GET") == 0 ? NULL : req->method);
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
		resp->content_type = xstrdup(type);
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
	h->retry_until = time(NULL) + (time_t)after;
}

/*
 * How a failed transfer should be retried: an untrusted certificate is no
 * network hiccup (back off and let the admin see it), a URL we cannot
 * speak will not get better.
 */
static enum err_class
http_curl_class(CURLcode rc)
{
	switch (rc) {
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

/* One transfer to url, without following redirects. */
static int
http_perform(struct http *h, const struct http_request *req, const char *url,
    struct http_response *resp, struct err *err)
{
	struct http_transfer t;
	struct curl_slist *hdr;
	CURLcode rc;
	long avail = 0;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		memset(&t, 0, sizeof t);
		t.h = h;
		t.req = req;
		t.resp = resp;
		h->curl_error[0] = '\0';
		hdr = http_setup(h, req, url, &t);
		h->nrequests++;
		rc = curl_easy_perform(h->curl);
		curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(hdr);
		if (t.aborted) {
			*err = t.cb_err;
			if (err->cls == ERR_NONE)
				err_set(err, ERR_TEMP, "%s %s: aborted", req->method, url);
			return -1;
		}
		if (rc != CURLE_OK)
			return err_set(err, http_curl_class(rc), "%s %s: %s",
			    req->method, url, h->curl_error[0] != '\0' ?
			    h->curl_error : curl_easy_strerror(rc));
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
		curl_easy_getinfo(h->curl, CURLINFO_HTTPAUTH_AVAIL, &avail);
		http_note_type(h, resp);
		/* Our up-front Basic was refused but Digest is on offer. */
		if (resp->status == 401 && h->bearer == NULL && h->user != NULL &&
		    !h->digest && (avail & CURLAUTH_DIGEST) &&
		    strncasecmp(url, "https:", 6) == 0) {
			h->digest = true;
			continue;
		}
		break;
	}
	http_note_retry(h, resp->status);
	return 0;
}

/* True for an IPv4 or IPv6 address literal (curl gives IPv6 in brackets). */
static bool
http_is_ip(const char *host)
{
	unsigned char addr[16];
	char v6[64];
	size_t n = strlen(host);

	if (inet_pton(AF_INET, host, addr) == 1)
		return true;
	if (n > 2 && n < sizeof v6 && host[0] == '[' && host[n - 1] == ']') {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		return inet_pton(AF_INET6, v6, addr) == 1;
	}
	return false;
}

bool
http_same_site(const char *from, const char *to)
{
	CURLU *a = curl_url(), *b = curl_url();
	char *sa = NULL, *sb = NULL, *ha = NULL, *hb = NULL;
	char ra[256], rb[256];
	bool ok = false;

	if (a == NULL || b == NULL)
		fatal("curl_url failed");
	if (curl_url_set(a, CURLUPART_URL, from, 0) != CURLUE_OK ||
	    curl_url_set(b, CURLUPART_URL, to, 0) != CURLUE_OK ||
	    curl_url_get(a, CURLUPART_SCHEME, &sa, 0) != CURLUE_OK ||
	    curl_url_get(b, CURLUPART_SCHEME, &sb, 0) != CURLUE_OK ||
	    curl_url_get(a, CURLUPART_HOST, &ha, 0) != CURLUE_OK ||
	    curl_url_get(b, CURLUPART_HOST, &hb, 0) != CURLUE_OK)
		goto out;
	if (strcasecmp(sa, "https") == 0 && strcasecmp(sb, "https") != 0)
		goto out;
	if (strcasecmp(ha, hb) == 0) {
		ok = true;
		goto out;
	}
	/* An address is its own site: the suffix list would pair 10.0.1.10 with 192.168.1.10. */
	if (http_is_ip(ha) || http_is_ip(hb))
		goto out;
	if (account_registrable(ha, ra, sizeof ra) &&
	    account_registrable(hb, rb, sizeof rb) && strcasecmp(ra, rb) == 0)
		ok = true;
out:
	curl_free(sa);
	curl_free(sb);
	curl_free(ha);
	curl_free(hb);
	curl_url_cleanup(a);
	curl_url_cleanup(b);
	return ok;
}

char *
http_resolve(const char *base, const char *href)
{
	CURLU *u = curl_url();
	char *s = NULL, *out = NULL;

	if (u == NULL)
		fatal("curl_url failed");
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, href, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT) == CURLUE_OK)
		out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return out;
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

int
http_request(struct http *h, const struct http_request *req,
    struct http_response *resp, struct err *err)
{
	char *url, *next;
	char *loc = NULL;
	int hops;

	memset(resp, 0, sizeof *resp);
	if (h->retry_until > time(NULL))
		return err_set(err, ERR_WAIT, "%s: server asked to wait %lld s more",
		    req->url, (long long)(h->retry_until - time(NULL)));
	url = xstrdup(req->url);
	for (hops = 0;; hops++) {
		free(resp->etag);
		free(resp->last_modified);
		resp->etag = resp->last_modified = NULL;
		if (http_perform(h, req, url, resp, err) != 0) {
			free(url);
			return -1;
		}
		if (resp->status < 300 || resp->status >= 400 || resp->status == 304)
			break;
		loc = NULL;
		curl_easy_getinfo(h->curl, CURLINFO_REDIRECT_URL, &loc);
		if (loc == NULL)
			break;
		if (hops >= HTTP_MAX_REDIRECTS) {
			err_set(err, ERR_FINAL, "%s %s: too many redirects",
			    req->method, req->url);
			free(url);
			return -1;
		}
		if (!http_same_site(url, loc)) {
			err_set(err, ERR_FINAL, "%s: redirect to %s leaves the site "
			    "or drops TLS, not followed", url, loc);
			free(url);
			return -1;
		}
		log_debug("%s: %s redirected to %s", h->tag, url, loc);
		next = xstrdup(loc);
		free(url);
		url = next;
	}
	resp->url = url;
	return 0;
}

/* The first line of an error body, for messages; empty if none. */
static void
http_error_excerpt(const struct http_response *resp, char *out, size_t outlen)
{
	size_t i, n = 0;

	for (i = 0; resp->error_body[i] != '\0' && n + 1 < outlen && n < 120; i++) {
		unsigned char ch = (unsigned char)resp->error_body[i];

		if (ch == '\n' && n > 0)
			break;
		if (ch < 0x20 || ch == 0x7f)
			continue;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
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
	curl_easy_getinfo(h->curl, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(h->curl, CURLINFO_PRIMARY_PORT, &port);
	snprintf(out, len, "connected to %s (%s:%ld)%s%s%s%s",
	    host != NULL ? host : url, ip != NULL && *ip != '\0' ? ip : "?",
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
		{ "Could not resolve", "check the host name in url =" },
		{ "(403)", "this user may not read there: check user = and "
		    "url =" },
		{ "Failed to connect", "check the host and port in url = and "
		    "that nothing blocks them" },
		{ "Couldn't connect", "check the host and port in url = and "
		    "that nothing blocks them" },
		{ "imed out", "the server does not answer in time (timeout =)" },
		{ "too slow", "the server does not answer in time (timeout =)" },
	};
	size_t	i;

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
