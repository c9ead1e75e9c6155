/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pure parts of the HTTP wrapper: the origin check
 * that decides where credentials may go, URLs without userinfo and how
 * messages name them, href resolution, URL paths, the mapping of HTTP
 * statuses to error classes, server text made printable, and the body
 * decoder with its cap, what is kept of a server's authentication.  And
 * the one grading of libcurl's errors, for HTTP and for SMTP, against a
 * loopback port that is not TLS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include <zlib.h>

#include "http.h"
#include "http-int.h"

static void
test_http_same_origin(void **state)
{
	static const struct {
		const char	*a, *b;
		bool		 same;
	} rows[] = {
		{ "https://dav.example.nl/", "https://dav.example.nl/cal/", true },
		{ "https://dav.example.nl/", "https://DAV.Example.NL:443/x", true },
		{ "http://h/", "http://h:80/cal/", true },
		/* The port is part of the origin (RFC 6454). */
		{ "http://127.0.0.1:5232/", "http://127.0.0.1:5233/anna/", false },
		{ "http://localhost:8080/", "http://LOCALHOST:9090/x", false },
		{ "https://h/", "https://h:8443/", false },
		/* Another host of the same registrable domain is another origin. */
		{ "https://caldav.icloud.com/", "https://p42-caldav.icloud.com/1/", false },
		{ "https://dav.example.nl/", "https://dav.example.com/", false },
		/* The scheme too, either way. */
		{ "https://dav.example.nl/", "http://dav.example.nl/", false },
		{ "http://dav.example.nl/", "https://dav.example.nl/", false },
		{ "http://127.0.0.1:5232/", "http://127.0.0.2:5232/", false },
		/* Userinfo does not make another origin. */
		{ "http://a:b@h:1/", "http://h:1/x", true },
		{ "https://dav.example.nl/", "not a url", false },
		{ "not a url", "not a url", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (http_same_origin(rows[i].a, rows[i].b) != rows[i].same)
			fail_msg("%s -> %s: want %d", rows[i].a, rows[i].b,
			    rows[i].same);
	}
}

/* Userinfo goes, whatever else the URL holds. */
static void
test_http_url_clean(void **state)
{
	static const struct {
		const char	*url, *want;
	} rows[] = {
		{ "http://anna:geheim@127.0.0.1:5232/anna/",
		  "http://127.0.0.1:5232/anna/" },
		{ "https://anna@dav.example.nl/x?y=1", "https://dav.example.nl/x?y=1" },
		{ "https://u:p;auth=x@h/", "https://h/" },
		{ "https://h/cal/", "https://h/cal/" },
		/* Nothing a log line would obey. */
		{ "http://h/a\xc2\x9b" "b", "http://h/a%C2%9Bb" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = http_url_clean(rows[i].url);
		assert_non_null(got);
		assert_string_equal(got, rows[i].want);
		free(got);
	}
	assert_null(http_url_clean("::"));
}

/* A feed's URL is named by its origin; a CalDAV URL in full, without userinfo. */
static void
test_http_url_name(void **state)
{
	struct http_opts o;
	struct http *h;
	char out[256];

	(void)state;
	memset(&o, 0, sizeof o);
	o.origin = "https://outlook.example.com/owa/calendar/KEY/calendar.ics";
	o.secret_url = true;
	h = http_new(&o, "ics:anna");
	http_url_name(h, "https://u:p@outlook.example.com:8443/owa/calendar/"
	    "KEY/calendar.ics?token=Q", out, sizeof out);
	assert_string_equal(out, "https://outlook.example.com:8443/...");
	http_url_name(h, "::", out, sizeof out);
	assert_null(strstr(out, "::"));
	http_free(h);
	o.secret_url = false;
	h = http_new(&o, "caldav:anna");
	http_url_name(h, "http://anna:geheim@h:5232/anna/werk/", out, sizeof out);
	assert_string_equal(out, "http://h:5232/anna/werk/");
	http_free(h);
}

static void
test_http_resolve(void **state)
{
	static const struct {
		const char	*base, *href, *want;
	} rows[] = {
		{ "http://h:5232/", "/anna/", "http://h:5232/anna/" },
		{ "https://h/dav/anna/", "werk/", "https://h/dav/anna/werk/" },
		{ "https://h/dav/anna/werk/", "../prive/", "https://h/dav/anna/prive/" },
		{ "https://h/dav/", "https://p42-caldav.icloud.com:443/1/calendars/",
		  "https://p42-caldav.icloud.com/1/calendars/" },
		{ "https://h/", "/cal/a%40b.ics", "https://h/cal/a%40b.ics" },
		/* No userinfo from either, and nothing a log line would obey. */
		{ "http://anna:pw@h:1/", "/x/", "http://h:1/x/" },
		{ "http://h/", "http://evil:pw@h/y", "http://h/y" },
		{ "http://h/", "/a\xc2\x9b" "2J\xe2\x82\xac", "http://h/a%c2%9b2J%e2%82%ac" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = http_resolve(rows[i].base, rows[i].href);
		assert_non_null(got);
		assert_string_equal(got, rows[i].want);
		free(got);
	}
	assert_null(http_resolve("no base", "/x"));
}

static void
test_http_url_path(void **state)
{
	char *p;

	(void)state;
	p = http_url_path("https://dav.example.nl:8443/cal/Demo%20X.ics");
	assert_string_equal(p, "/cal/Demo%20X.ics");
	free(p);
	p = http_url_path("http://127.0.0.1:5232");
	assert_string_equal(p, "/");
	free(p);
	assert_null(http_url_path("::"));
}

static void
test_http_status_error(void **state)
{
	static const struct {
		long		 status;
		enum err_class	 cls;
		const char	*says;
	} rows[] = {
		{ 401, ERR_WAIT, "authentication failed (401)" },
		{ 403, ERR_WAIT, "permission denied (403)" },
		{ 404, ERR_WAIT, "not found (404)" },
		{ 429, ERR_WAIT, "server busy (429)" },
		{ 503, ERR_WAIT, "server busy (503)" },
		{ 500, ERR_TEMP, "server error (500): Internal trouble" },
		{ 418, ERR_WAIT, "unexpected status 418" },
	};
	static const char hostile[] = "\r\n  Kapot \x1b[2J\x1b]0;pwned\x07 "
	    "\xc2\x9b" "31m \xff\xfe rood\r\nnext";
	struct http_response resp;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&resp, 0, sizeof resp);
		resp.status = rows[i].status;
		snprintf(resp.error_body, sizeof resp.error_body,
		    "Internal trouble\nsecond line");
		memset(&err, 0, sizeof err);
		assert_int_equal(http_status_error(&resp, "GET /x", &err), -1);
		assert_int_equal(err.cls, rows[i].cls);
		if (strstr(err.msg, rows[i].says) == NULL ||
		    strncmp(err.msg, "GET /x: ", 8) != 0)
			fail_msg("%ld: %s", rows[i].status, err.msg);
		/* Only the first line of the body is quoted. */
		assert_null(strstr(err.msg, "second line"));
	}
	/* A body with terminal escapes and bytes that are no UTF-8. */
	memset(&resp, 0, sizeof resp);
	resp.status = 500;
	snprintf(resp.error_body, sizeof resp.error_body, "%s", hostile);
	http_status_error(&resp, "GET /x", &err);
	assert_string_equal(err.msg, "GET /x: server error (500): "
	    "Kapot ?[2J?]0;pwned? ?31m ?? rood");
}

/* A sink that counts what it gets and keeps the first bytes. */
struct sink {
	size_t	total;
	size_t	calls;
	size_t	biggest;
	char	head[64];
};

static int
sink_cb(const char *data, size_t len, void *arg, struct err *err)
{
	struct sink *k = arg;
	size_t room = sizeof k->head - 1 - (k->total < sizeof k->head - 1 ?
	    k->total : sizeof k->head - 1);

	(void)err;
	memcpy(k->head + sizeof k->head - 1 - room, data, len < room ? len : room);
	k->total += len;
	k->calls++;
	if (len > k->biggest)
		k->biggest = len;
	return 0;
}

/* gzip (deflate with a gzip wrapper) of n bytes of c after head; caller frees. */
static unsigned char *
gzip_of(const char *head, int c, size_t n, size_t *outlen)
{
	z_stream z;
	unsigned char *out, *plain;
	size_t hl = strlen(head), cap = compressBound((uLong)(hl + n)) + 64;

	plain = malloc(hl + n);
	out = malloc(cap);
	assert_non_null(plain);
	assert_non_null(out);
	memcpy(plain, head, hl);
	memset(plain + hl, c, n);
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = plain;
	z.avail_in = (uInt)(hl + n);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	free(plain);
	return out;
}

/* Feeds data in pieces of step bytes, as libcurl would. */
static int
feed_in_pieces(struct http_decoder *d, const unsigned char *data, size_t len,
    size_t step, struct sink *k, struct err *err)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		if (http_decoder_feed(d, (const char *)data + off, n, sink_cb, k,
		    err) != 0)
			return -1;
	}
	return 0;
}

static void
test_http_decoder(void **state)
{
	struct http_decoder *d;
	struct sink k;
	struct err err;
	unsigned char *gz, *two;
	size_t gzlen;

	(void)state;
	/* Identity: passed on as it is, and counted. */
	memset(&k, 0, sizeof k);
	d = http_decoder_new(NULL, 10, &err);
	assert_non_null(d);
	assert_int_equal(http_decoder_feed(d, "hello", 5, sink_cb, &k, &err), 0);
	assert_int_equal(http_decoder_feed(d, "world", 5, sink_cb, &k, &err), 0);
	assert_int_equal(http_decoder_feed(d, "!", 1, sink_cb, &k, &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
	assert_string_equal(k.head, "helloworld");
	http_decoder_free(d);

	/* gzip, also split at every byte: the same text comes out. */
	gz = gzip_of("<multistatus>", ' ', 100000, &gzlen);
	memset(&k, 0, sizeof k);
	d = http_decoder_new(" GZip ", 1 << 20, &err);
	assert_non_null(d);
	assert_int_equal(feed_in_pieces(d, gz, gzlen, 1, &k, &err), 0);
	assert_int_equal(http_decoder_finish(d, &err), 0);
	assert_int_equal(k.total, 13 + 100000);
	assert_int_equal(http_decoder_total(d), 13 + 100000);
	assert_true(k.biggest <= 16384);
	assert_int_equal(strncmp(k.head, "<multistatus>   ", 16), 0);
	http_decoder_free(d);

	/* Two gzip members one after the other (RFC 1952 2.2). */
	two = malloc(2 * gzlen);
	assert_non_null(two);
	memcpy(two, gz, gzlen);
	memcpy(two + gzlen, gz, gzlen);
	memset(&k, 0, sizeof k);
	d = http_decoder_new("x-gzip", 1 << 20, &err);
	assert_int_equal(feed_in_pieces(d, two, 2 * gzlen, 4096, &k, &err), 0);
	assert_int_equal(http_decoder_finish(d, &err), 0);
	assert_int_equal(k.total, 2 * (13 + 100000));
	http_decoder_free(d);
	free(two);

	/* Cut short: an error at the end, not a silent half body. */
	memset(&k, 0, sizeof k);
	d = http_decoder_new("gzip", 1 << 20, &err);
	assert_int_equal(feed_in_pieces(d, gz, gzlen / 2, 100, &k, &err), 0);
	assert_int_equal(http_decoder_finish(d, &err), -1);
	assert_non_null(strstr(err.msg, "cut short"));
	http_decoder_free(d);
	free(gz);

	/* A bomb: 8 MiB of blanks from a few KiB stop at a 1 MiB cap. */
	gz = gzip_of("<x>", ' ', 8u << 20, &gzlen);
	assert_true(gzlen < (64u << 10));
	memset(&k, 0, sizeof k);
	d = http_decoder_new("gzip", 1u << 20, &err);
	assert_int_equal(feed_in_pieces(d, gz, gzlen, 16384, &k, &err), -1);
	assert_int_equal(err.cls, ERR_TEMP);
	assert_non_null(strstr(err.msg, "larger than 1 MiB (decoded)"));
	assert_true(k.total <= (1u << 20));
	http_decoder_free(d);
	free(gz);

	/* Not gzip at all, and codings we do not speak. */
	d = http_decoder_new("gzip", 1 << 20, &err);
	assert_int_equal(http_decoder_feed(d, "plain text, no gzip", 19, sink_cb,
	    &k, &err), -1);
	assert_non_null(strstr(err.msg, "malformed compressed body"));
	http_decoder_free(d);
	assert_null(http_decoder_new("br", 1 << 20, &err));
	assert_null(http_decoder_new("gzip, gzip", 1 << 20, &err));
	assert_null(http_decoder_new("\x1b[2Jx", 1 << 20, &err));
	assert_null(strchr(err.msg, '\x1b'));
	d = http_decoder_new("identity", 1, &err);
	assert_non_null(d);
	http_decoder_free(d);
}

/* What the doctor suggests for the errors curl and the status mapping give. */
static void
test_http_error_hint(void **state)
{
	static const struct {
		const char	*msg;
		const char	*hint;	/* a word of the hint, NULL: none */
	} rows[] = {
		{ "GET https://x/: SSL certificate problem: self-signed "
		    "certificate", "ca_file" },
		{ "GET https://x/: SSL: no alternative certificate subject name "
		    "matches target host name 'x'", "made out to" },
		{ "GET http://nx.invalid/: cannot resolve nx.invalid",
		    "check the host name" },
		{ "GET http://127.0.0.1:1/: 127.0.0.1:1: cannot connect: "
		    "connection refused", "check the port" },
		{ "GET http://10.9.9.9/: 10.9.9.9:80: cannot connect: "
		    "host unreachable", "cannot be reached" },
		{ "GET http://10.9.9.9/: 10.9.9.9:80: cannot connect: "
		    "network unreachable", "cannot be reached" },
		{ "GET http://10.9.9.9/: 10.9.9.9:80: cannot connect: "
		    "timed out", "cannot be reached" },
		{ "GET http://x/: Operation too slow. Less than 1 bytes/sec "
		    "transferred the last 2 seconds", "timeout" },
		{ "PROPFIND /: permission denied (403)", "may not read" },
		{ "PROPFIND /: server error (500)", NULL },
	};
	struct err	 err;
	const char	*hint;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		err_set(&err, ERR_TEMP, "%s", rows[i].msg);
		hint = http_error_hint(&err);
		if (rows[i].hint == NULL)
			assert_null(hint);
		else if (hint == NULL || strstr(hint, rows[i].hint) == NULL)
			fail_msg("%zu: %s", i, hint != NULL ? hint : "(none)");
	}
}

/* The grading of libcurl's codes, the same for both protocols. */
static void
test_http_curl_class(void **state)
{
	static const struct {
		CURLcode	 rc;
		enum err_class	 cls;
	} rows[] = {
		{ CURLE_SSL_CONNECT_ERROR, ERR_WAIT },
		{ CURLE_PEER_FAILED_VERIFICATION, ERR_WAIT },
		{ CURLE_SSL_CACERT_BADFILE, ERR_WAIT },
		{ CURLE_SSL_CERTPROBLEM, ERR_WAIT },
		{ CURLE_LOGIN_DENIED, ERR_WAIT },
		{ CURLE_AUTH_ERROR, ERR_WAIT },
		{ CURLE_USE_SSL_FAILED, ERR_WAIT },
		{ CURLE_UNSUPPORTED_PROTOCOL, ERR_FINAL },
		{ CURLE_URL_MALFORMAT, ERR_FINAL },
		{ CURLE_COULDNT_RESOLVE_HOST, ERR_TEMP },
		{ CURLE_COULDNT_CONNECT, ERR_TEMP },
		{ CURLE_OPERATION_TIMEDOUT, ERR_TEMP },
		{ CURLE_RECV_ERROR, ERR_TEMP },
		{ CURLE_GOT_NOTHING, ERR_TEMP },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (http_curl_class(rows[i].rc) != rows[i].cls)
			fail_msg("%s: class %d, want %d",
			    curl_easy_strerror(rows[i].rc),
			    http_curl_class(rows[i].rc), rows[i].cls);
}

/* A listener that answers every connection with a line that is not TLS. */
struct plain_server {
	int		 fd;
	int		 port;
	int		 connections;	/* to serve before the thread ends */
	pthread_t	 thread;
};

static void *
plain_server_run(void *arg)
{
	struct plain_server *ps = arg;
	static const char line[] = "220 this port does not speak TLS\r\n";
	char buf[512];
	int i, c;

	for (i = 0; i < ps->connections; i++) {
		if ((c = accept(ps->fd, NULL, NULL)) < 0)
			break;
		if (write(c, line, sizeof line - 1) < 0)
			break;
		(void)read(c, buf, sizeof buf);
		close(c);
	}
	return NULL;
}

static void
plain_server_start(struct plain_server *ps, int connections)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ps->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ps->fd >= 0);
	assert_int_equal(bind(ps->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(ps->fd, 4), 0);
	assert_int_equal(getsockname(ps->fd, (struct sockaddr *)&sin, &len), 0);
	ps->port = ntohs(sin.sin_port);
	ps->connections = connections;
	assert_int_equal(pthread_create(&ps->thread, NULL, plain_server_run, ps),
	    0);
}

/*
 * A TLS handshake with a port that is not TLS fails alike for a calendar
 * (https) and for the mail server (smtps): both back off.  http.c used to
 * retry it every poll while the digest backed off.
 */
static void
test_http_tls_handshake_graded_alike(void **state)
{
	struct plain_server ps;
	struct http_opts o = { 0 };
	struct http_request req = { 0 };
	struct http_response resp = { 0 };
	struct http_mail m = { 0 };
	struct http *h;
	struct err herr = { 0 }, merr = { 0 };
	char url[64];
	long reply;

	(void)state;
	plain_server_start(&ps, 2);
	snprintf(url, sizeof url, "https://127.0.0.1:%d/cal/", ps.port);
	o.timeout = 10;
	h = http_new(&o, "test");
	req.method = "GET";
	req.url = url;
	assert_int_equal(http_request(h, &req, &resp, &herr), -1);
	http_response_free(&resp);
	http_free(h);

	snprintf(url, sizeof url, "smtps://127.0.0.1:%d", ps.port);
	m.url = url;
	m.timeout = 10;
	m.from = "s@example.com";
	m.to = "m@example.com";
	assert_int_equal(http_mail_send(&m, "Subject: x\r\n\r\nx\r\n", &reply,
	    &merr), -1);
	pthread_join(ps.thread, NULL);
	close(ps.fd);
	if (herr.cls != ERR_WAIT || merr.cls != ERR_WAIT)
		fail_msg("https: class %d (%s); smtps: class %d (%s)", herr.cls,
		    herr.msg, merr.cls, merr.msg);
}

/*
 * A transfer that failed for want of a descriptor says so, with the
 * limit: a socket's EMFILE, and libcurl's "out of memory" or "could not
 * resolve" when its wake-up pair or resolver thread found none; other
 * failures keep libcurl's words.
 */
static void
test_http_fd_trouble(void **state)
{
	struct rlimit	old, rl;
	const char	*p;
	char		buf[256];
	int		fd;

	(void)state;
	p = http_fd_trouble(CURLE_COULDNT_CONNECT, EMFILE, buf, sizeof buf);
	assert_non_null(p);
	assert_non_null(strstr(p, "too many open files (limit"));
	p = http_fd_trouble(CURLE_COULDNT_CONNECT, ENFILE, buf, sizeof buf);
	assert_non_null(p);
	assert_non_null(strstr(p, "in the system"));
	assert_null(http_fd_trouble(CURLE_COULDNT_CONNECT, ECONNREFUSED, buf,
	    sizeof buf));
	assert_null(http_fd_trouble(CURLE_OUT_OF_MEMORY, 0, buf, sizeof buf));
	assert_null(http_fd_trouble(CURLE_OPERATION_TIMEDOUT, 0, buf,
	    sizeof buf));

	/* No descriptor to be had: the lowest free one is the limit. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	fd = fcntl(STDERR_FILENO, F_DUPFD, 0);
	assert_true(fd >= 0);
	close(fd);
	rl = old;
	rl.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	p = http_fd_trouble(CURLE_OUT_OF_MEMORY, 0, buf, sizeof buf);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_non_null(p);
	assert_non_null(strstr(p, "too many open files"));
	assert_null(strstr(p, "memory"));
}

/* A handle of user anna at url, or with a bearer token. */
static struct http *
auth_handle(const char *url, bool bearer)
{
	struct http_opts o;

	memset(&o, 0, sizeof o);
	o.origin = url;
	o.user = bearer ? NULL : "anna";
	o.password = bearer ? NULL : "geheim";
	o.bearer = bearer ? "tok" : NULL;
	return http_new(&o, "t");
}

/*
 * What a process learns of a server's authentication and the next one
 * starts from: only Basic or Digest over http with a user, nothing that
 * holds a secret, and an unknown word changes nothing.
 */
static void
test_http_auth_learned(void **state)
{
	struct http *h;

	(void)state;
	h = auth_handle("http://dav.example/cal/", false);
	assert_null(http_auth_learned(h));
	http_auth_recall(h, NULL);
	http_auth_recall(h, "ntlm");
	assert_null(http_auth_learned(h));
	http_auth_recall(h, "basic");
	assert_string_equal(http_auth_learned(h), "basic");
	http_auth_recall(h, "digest");
	assert_string_equal(http_auth_learned(h), "digest");
	http_free(h);

	/* The server asked (DAV:unauthenticated): learned as Basic. */
	h = auth_handle("http://dav.example/cal/", false);
	assert_true(http_auth_wanted(h, "http://dav.example/cal/"));
	assert_string_equal(http_auth_learned(h), "basic");
	http_free(h);

	/* Over https Basic goes up front anyway. */
	h = auth_handle("https://dav.example/cal/", false);
	http_auth_recall(h, "basic");
	assert_null(http_auth_learned(h));
	http_free(h);

	/* A bearer token is not a user's password. */
	h = auth_handle("http://dav.example/cal/", true);
	http_auth_recall(h, "digest");
	assert_null(http_auth_learned(h));
	http_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_same_origin),
		cmocka_unit_test(test_http_url_clean),
		cmocka_unit_test(test_http_url_name),
		cmocka_unit_test(test_http_resolve),
		cmocka_unit_test(test_http_url_path),
		cmocka_unit_test(test_http_status_error),
		cmocka_unit_test(test_http_error_hint),
		cmocka_unit_test(test_http_decoder),
		cmocka_unit_test(test_http_curl_class),
		cmocka_unit_test(test_http_tls_handshake_graded_alike),
		cmocka_unit_test(test_http_fd_trouble),
		cmocka_unit_test(test_http_auth_learned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
