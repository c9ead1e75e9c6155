/* SPDX-License-Identifier: MIT */
/*
 * What the two halves of the libcurl wrapper share: http.c (CalDAV and
 * ICS over HTTP) and http-mail.c (the digest over SMTP).  One grading of
 * libcurl's errors and one set of trust settings, so that a certificate,
 * a login or a TLS handshake is judged alike for a calendar and for the
 * mail server.
 */
#ifndef SC_HTTP_INT_H
#define SC_HTTP_INT_H

#include <curl/curl.h>

#include "err.h"

/*
 * The error class of a failed transfer (not of an answer the server
 * gave: see http_status_error and http_mail_send): ERR_WAIT for a login,
 * certificate or TLS handshake refused, ERR_FINAL for a URL libcurl
 * cannot speak, ERR_TEMP for the rest (resolving, connecting, time-outs).
 */
enum err_class	http_curl_class(CURLcode);

/*
 * Verified TLS (peer and host name), trusting the system store and, when
 * not NULL, ca_file as well.
 */
void		http_curl_trust(CURL *, const char *ca_file);

/*
 * The words for a transfer to url that failed before reaching its server,
 * in the IMAP driver's: "cannot resolve HOST" or "HOST:PORT: cannot
 * connect: connection refused" (or host unreachable, network
 * unreachable, timed out); out, or NULL for any other failure.
 */
const char	*http_connect_words(CURL *, CURLcode, const char *url,
		    char *out, size_t len);

#endif
