/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pure parts of the HTTP wrapper: which redirects may
 * carry credentials, href resolution, URL paths, and the mapping of HTTP
 * statuses to error classes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void
test_http_same_site(void **state)
{
	static const struct {
		const char	*from, *to;
		bool		 ok;
	} rows[] = {
		{ "https://dav.example.nl/", "https://dav.example.nl/cal/", true },
		/* Another host of the same registrable domain (iCloud's pNN). */
		{ "https://caldav.icloud.com/", "https://p42-caldav.icloud.com/1/", true },
		{ "https://dav.example.co.uk/", "https://www.example.co.uk/", true },
		/* A public suffix is not a site: co.uk hosts are strangers. */
		{ "https://a.example.co.uk/", "https://b.other.co.uk/", false },
		{ "https://dav.example.nl/", "https://dav.example.com/", false },
		/* Never from https to http, even on the same host. */
		{ "https://dav.example.nl/", "http://dav.example.nl/", false },
		{ "http://dav.example.nl/", "https://dav.example.nl/", true },
		{ "http://127.0.0.1:5232/", "http://127.0.0.1:5232/anna/", true },
		{ "http://127.0.0.1:5232/", "http://127.0.0.2:5232/", false },
		{ "http://localhost:8080/", "http://LOCALHOST:9090/x", true },
		{ "https://dav.example.nl/", "not a url", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (http_same_site(rows[i].from, rows[i].to) != rows[i].ok)
			fail_msg("%s -> %s: want %d", rows[i].from, rows[i].to,
			    rows[i].ok);
	}
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
		{ "GET http://nx.invalid/: Could not resolve host: nx.invalid",
		    "host name" },
		{ "GET http://127.0.0.1:1/: Failed to connect to 127.0.0.1 port 1 "
		    "after 0 ms: Couldn't connect to server", "port" },
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_same_site),
		cmocka_unit_test(test_http_resolve),
		cmocka_unit_test(test_http_url_path),
		cmocka_unit_test(test_http_status_error),
		cmocka_unit_test(test_http_error_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
