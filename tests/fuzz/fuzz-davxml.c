/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for the multistatus parser: the input is fed in two
 * pieces split at its first byte's value, so chunk boundaries are fuzzed
 * too, and every response is walked so that each field is read.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "davxml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_cb(const struct dav_response *r, void *arg, struct err *err)
{
	size_t *sum = arg;

	(void)err;
	*sum += strlen(r->href) + (r->etag != NULL ? strlen(r->etag) : 0) +
	    r->calendar_data_len + (size_t)r->status;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct davxml *x;
	struct err err;
	size_t sum = 0, cut;

	cut = len > 0 ? data[0] % (len + 1) : 0;
	x = davxml_new(fuzz_cb, &sum);
	if (davxml_feed(x, (const char *)data, cut, false, &err) == 0 &&
	    davxml_feed(x, (const char *)data + cut, len - cut, true, &err) == 0)
		(void)davxml_sync_token(x);
	davxml_free(x);
	return 0;
}
