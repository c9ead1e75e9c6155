/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for what a token endpoint or device authorization
 * endpoint answers: the JSON body through oauth_reply_parse(), as
 * oauth.c parses every answer, whatever its status.  Each field that
 * came out is read, and each token checked to be what the parser
 * promises: 1 to OAUTH_MAX_TOKEN visible ASCII characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oauth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless s is NULL or a token as oauth_reply_parse promises. */
static void
fuzz_token(const char *s)
{
	size_t	n;

	if (s == NULL)
		return;
	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			abort();
	if (n == 0 || n > OAUTH_MAX_TOKEN)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct oauth_reply	r;
	struct err		err;
	size_t			sum = 0;

	if (len > OAUTH_MAX_RESPONSE)
		return 0;
	if (oauth_reply_parse((const char *)data, len, &r, &err) != 0)
		return 0;
	fuzz_token(r.access_token);
	fuzz_token(r.refresh_token);
	fuzz_token(r.device_code);
	sum += r.token_type != NULL ? strlen(r.token_type) : 0;
	sum += r.error != NULL ? strlen(r.error) : 0;
	sum += r.error_description != NULL ? strlen(r.error_description) : 0;
	sum += r.user_code != NULL ? strlen(r.user_code) : 0;
	sum += r.verification_uri != NULL ? strlen(r.verification_uri) : 0;
	sum += r.verification_uri_complete != NULL ?
	    strlen(r.verification_uri_complete) : 0;
	if (r.expires_in < -1 || r.interval < -1 || sum > 4 * len + 16)
		abort();
	oauth_reply_clear(&r);
	return 0;
}
