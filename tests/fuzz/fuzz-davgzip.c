/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for the response path of a CalDAV request: the body as
 * it comes off the wire, decoded by http.c's decoder under the cap of a
 * real response (HTTP_MAX_BODY), and its output fed to the multistatus
 * parser as caldav.c feeds it, limits and all.  The first byte chooses
 * the Content-Encoding (gzip, deflate, none, x-gzip) and the size of the
 * pieces the body arrives in; the rest is the body.  Every response is
 * walked so that each field is read.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "davxml.h"
#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_cb(const struct dav_response *r, void *arg, struct err *err)
{
	size_t *sum = arg;

	(void)err;
	*sum += strlen(r->href) + (r->etag != NULL ? strlen(r->etag) : 0) +
	    (r->displayname != NULL ? strlen(r->displayname) : 0) +
	    r->calendar_data_len + (size_t)r->status;
	return 0;
}

/* The decoder's sink: the parser, as caldav_feed() does it. */
static int
fuzz_feed(const char *data, size_t len, void *arg, struct err *err)
{
	return davxml_feed(arg, data, len, false, err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const codings[] = { "gzip", "deflate", NULL, "x-gzip" };
	struct http_decoder *d;
	struct davxml *x;
	struct err err;
	size_t sum = 0, step, off, n;
	int rc = 0;

	if (len < 1)
		return 0;
	step = 1 + ((size_t)(data[0] >> 2) * 263) % 16384;
	d = http_decoder_new(codings[data[0] & 3], HTTP_MAX_BODY, &err);
	if (d == NULL)
		return 0;
	x = davxml_new(fuzz_cb, &sum);
	for (off = 1; off < len && rc == 0; off += n) {
		n = len - off < step ? len - off : step;
		rc = http_decoder_feed(d, (const char *)data + off, n, fuzz_feed,
		    x, &err);
	}
	if (rc == 0)
		rc = http_decoder_finish(d, &err);
	if (rc == 0 && davxml_feed(x, NULL, 0, true, &err) == 0)
		(void)davxml_sync_token(x);
	davxml_free(x);
	http_decoder_free(d);
	return 0;
}
