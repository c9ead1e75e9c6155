/* SPDX-License-Identifier: MIT */
/*
 * Names on the server: an imap:// or imaps:// URL (RFC 5092, host and
 * port only: the rest is configured apart) and a mailbox name in IMAP's
 * modified UTF-7 (RFC 3501 section 5.1.3), as a configured folder name
 * is written to the server.  Pure functions.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap.h"
#include "xmalloc.h"

int
imap_url_parse(const char *url, struct imap_url *u, struct err *err)
{
	const char	*p, *end, *colon;
	size_t		 hostlen;
	char		*ep;
	long		 port;

	memset(u, 0, sizeof *u);
	if (url == NULL)
		return err_set(err, ERR_FINAL, "no url");
	if (strncasecmp(url, "imaps://", 8) == 0) {
		u->implicit_tls = true;
		u->port = 993;
		p = url + 8;
	} else if (strncasecmp(url, "imap://", 7) == 0) {
		u->port = 143;
		p = url + 7;
	} else
		return err_set(err, ERR_FINAL, "%s: not an imap:// or imaps:// url",
		    url);
	end = p + strcspn(p, "/?#");
	if (*end == '/' && end[1] != '\0')
		return err_set(err, ERR_FINAL, "%s: a path is not supported; "
		    "use folders =", url);
	if (*end == '?' || *end == '#' || memchr(p, '@', end - p) != NULL)
		return err_set(err, ERR_FINAL, "%s: user, query and fragment "
		    "belong in user =", url);
	colon = memchr(p, ':', end - p);
	hostlen = (colon != NULL ? colon : end) - p;
	if (hostlen == 0 || hostlen >= sizeof u->host)
		return err_set(err, ERR_FINAL, "%s: bad host name", url);
	memcpy(u->host, p, hostlen);
	u->host[hostlen] = '\0';
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &ep, 10);
		if (errno != 0 || ep != end || ep == colon + 1 || port < 1 ||
		    port > 65535)
			return err_set(err, ERR_FINAL, "%s: bad port", url);
		u->port = (uint16_t)port;
	}
	return 0;
}

/* Appends the modified base64 of a UTF-16 run (RFC 3501 section 5.1.3). */
static void
imap_url_utf7_flush(struct buf *b, const uint16_t *u, size_t n)
{
	static const char	b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	uint32_t		acc = 0;
	int			bits = 0;
	size_t			i;
	char			c;

	buf_puts(b, "&");
	for (i = 0; i < n; i++) {
		acc = (acc << 16) | u[i];
		bits += 16;
		while (bits >= 6) {
			bits -= 6;
			c = b64[(acc >> bits) & 0x3f];
			buf_append(b, &c, 1);
		}
	}
	if (bits > 0) {
		c = b64[(acc << (6 - bits)) & 0x3f];
		buf_append(b, &c, 1);
	}
	buf_puts(b, "-");
}

char *
imap_url_mailbox(const char *in)
{
	const unsigned char	*p = (const unsigned char *)in;
	struct buf		 b = { NULL, 0, 0 };
	uint16_t		*run;
	size_t			 nrun = 0, len, i;
	uint32_t		 cp;

	len = strlen(in);
	run = xcalloc(2 * len + 1, sizeof *run);
	buf_puts(&b, "");
	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			if (nrun > 0) {
				imap_url_utf7_flush(&b, run, nrun);
				nrun = 0;
			}
			buf_append(&b, (const char *)p, 1);
			if (*p == '&')
				buf_puts(&b, "-");
			p++;
			continue;
		}
		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			len = 2;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			len = 3;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			len = 4;
		} else
			goto bad;
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			run[nrun++] = 0xd800 | (cp >> 10);
			run[nrun++] = 0xdc00 | (cp & 0x3ff);
		} else
			run[nrun++] = cp;
		p += len;
	}
	if (nrun > 0)
		imap_url_utf7_flush(&b, run, nrun);
	free(run);
	return b.data;
bad:
	free(run);
	buf_free(&b);
	return NULL;
}

/* Appends a code point as UTF-8. */
static void
imap_url_put_utf8(struct buf *b, uint32_t cp)
{
	char	u[4];
	size_t	n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, u, n);
}

char *
imap_url_mailbox_utf8(const char *in)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	struct buf		 b = { NULL, 0, 0 };
	const char		*p, *d;
	uint32_t		 acc, cp, hi;
	int			 bits;

	buf_puts(&b, "");
	for (p = in; *p != '\0'; p++) {
		if (*p != '&') {
			buf_append(&b, p, 1);
			continue;
		}
		if (p[1] == '-') {
			buf_puts(&b, "&");
			p++;
			continue;
		}
		acc = 0;
		bits = 0;
		hi = 0;
		for (p++; *p != '-'; p++) {
			if (*p == '\0' || (d = strchr(b64, *p)) == NULL)
				goto bad;
			acc = (acc << 6) | (uint32_t)(d - b64);
			bits += 6;
			if (bits < 16)
				continue;
			bits -= 16;
			cp = (acc >> bits) & 0xffff;
			if (cp >= 0xd800 && cp <= 0xdbff && hi == 0) {
				hi = cp;
				continue;
			}
			if (hi != 0) {
				if (cp < 0xdc00 || cp > 0xdfff)
					goto bad;
				cp = 0x10000 + ((hi - 0xd800) << 10) +
				    (cp - 0xdc00);
				hi = 0;
			} else if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				goto bad;
			imap_url_put_utf8(&b, cp);
		}
		/* A run ends on whole units, with at most 5 zero bits left. */
		if (hi != 0 || bits >= 6 || (acc & ((1u << bits) - 1)) != 0)
			goto bad;
	}
	return b.data;
bad:
	buf_free(&b);
	return NULL;
}

char *
imap_url_mailbox_shown(const char *in)
{
	char	*s = imap_url_mailbox_utf8(in);

	return s != NULL ? s : xstrdup(in);
}
