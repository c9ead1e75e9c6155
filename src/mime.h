/* SPDX-License-Identifier: MIT */
/*
 * What the file path (mail.c) and the IMAP path (imap-summary.c) share to
 * read a message: dates, Message-IDs, charsets, RFC 2047 encoded words,
 * RFC 2231 parameters and transfer encodings.  One implementation of
 * each, so that both paths give the same summary (mail.h).  Pure
 * functions; they are fuzzed through mail_parse.
 */
#ifndef SC_MIME_H
#define SC_MIME_H

#include <stddef.h>
#include <time.h>

#include "xmalloc.h"

/*
 * A date and time as RFC 5322 section 3.3 writes it, zone as the number
 * +HHMM (-0130 is -130), into seconds since the epoch: the Date header
 * and IMAP's INTERNALDATE alike.  Two- and three-digit years are read as
 * section 4.3 says ("99" is 1999, "26" is 2026).  Returns -1 when a field
 * is out of range or the day does not exist ("31 Feb").
 */
int	mime_time(int year, int month, int day, int hour, int min, int sec,
	    int zone, time_t *out);

/*
 * A Message-ID without its angle brackets: what lies between the first
 * '<' and the next '>', else the first word ("a@b c" is "a@b").  NULL if
 * empty.  Caller frees.
 */
char	*mime_msgid(const char *value);

/* Adds every <id> of a raw In-Reply-To or References value to list. */
void	mime_msgids(struct strlist *list, const char *value);

/*
 * Converts text in the named charset to UTF-8 (iconv; ISO-8859-1 read as
 * Windows-1252, as WHATWG does; unlabelled or unknown 8-bit text as UTF-8
 * when it is, else Windows-1252).  Invalid bytes become U+FFFD and NUL
 * bytes spaces: it never fails.  Caller frees.
 */
char	*mime_to_utf8(const char *charset, const char *in, size_t len);

/*
 * Decodes RFC 2047 encoded words in a header value into UTF-8 fit for one
 * line (unfolded, controls as spaces, white space collapsed, trimmed).
 * NULL for NULL.  Caller frees.
 */
char	*mime_decode_header(const char *value);

/*
 * Decodes an attachment file name from the MIME parameters: RFC 2231
 * (name*0*=, charset'lang'%XX) or RFC 2047 inside quotes as Outlook writes
 * it.  params are name/value pairs as they appear (n pairs); returns the
 * decoded "filename" (Content-Disposition) or "name" (Content-Type), NULL
 * if none; caller frees.
 */
char	*mime_param_filename(const char *const *names,
	    const char *const *values, size_t n);

/*
 * The text of a part from its transfer encoding (MAILMIME_MECHANISM_*;
 * base64 and quoted-printable are decoded, anything else taken as it is)
 * and charset (NULL or "": US-ASCII) in UTF-8, at most max bytes of it
 * decoded (0: all).  NULL when the encoding does not decode.  Caller
 * frees.
 */
char	*mime_part_text(int encoding, const char *charset, const char *data,
	    size_t len, size_t max);

#endif
