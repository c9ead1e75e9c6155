/* SPDX-License-Identifier: MIT */
/*
 * MIME and RFC 5322 pieces that both the file path (mail.c) and the IMAP
 * path (imap-summary.c) read messages with, so that the two cannot
 * disagree: dates (RFC 5322 section 3.3, with section 4.3's obsolete
 * years), Message-IDs, charsets to UTF-8 (iconv, with the labels mail
 * really carries), RFC 2047 encoded words, RFC 2231 parameters and the
 * transfer encodings of a part.  Pure functions: bytes in, owned strings
 * out.  It does not parse messages (libetpan does, for mail.c) nor know
 * the summary.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "mime"
#include "log.h"
#include "mime.h"
#include "util.h"

#define MIME_RFC2231_SECTIONS	64

/* UTF-8 of U+FFFD, written for bytes that are not text in their charset. */
static const char mime_replacement[] = "\xef\xbf\xbd";

/*
 * The Windows-1252 characters for bytes 0x80-0x9f: C1 controls in a
 * decoded header almost always come from Windows text labelled
 * ISO-8859-1, which is why WHATWG decodes that label as Windows-1252.
 */
static const unsigned short mime_cp1252_c1[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

/* Appends code point cp as UTF-8. */
static void
mime_put_utf8(struct buf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		buf_append(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	}
}

/* Maps a charset label to the iconv name used for it; NULL means "guess". */
static const char *
mime_charset_name(const char *cs, char *tmp, size_t tmplen)
{
	static const struct {
		const char	*label;
		const char	*name;
	} alias[] = {
		/* Latin-1 text is nearly always Windows-1252 (WHATWG). */
		{ "iso-8859-1", "WINDOWS-1252" },
		{ "iso8859-1", "WINDOWS-1252" },
		{ "iso_8859-1", "WINDOWS-1252" }, { "latin1", "WINDOWS-1252" },
		{ "latin-1", "WINDOWS-1252" }, { "l1", "WINDOWS-1252" },
		{ "cp819", "WINDOWS-1252" }, { "utf8", "UTF-8" },
		{ "gb2312", "GBK" }, { "ks_c_5601-1987", "CP949" },
		{ "iso-8859-8-i", "ISO-8859-8" },
	};
	size_t i, n;

	if (cs == NULL)
		return NULL;
	while (*cs == ' ' || *cs == '\t' || *cs == '"')
		cs++;
	/* Stop at an RFC 2231 language suffix ("utf-8*nl"). */
	n = strcspn(cs, " \t\"*;");
	if (n == 0 || n >= tmplen)
		return NULL;
	memcpy(tmp, cs, n);
	tmp[n] = '\0';
	if (strcasecmp(tmp, "us-ascii") == 0 || strcasecmp(tmp, "ascii") == 0 ||
	    strcasecmp(tmp, "unknown-8bit") == 0 ||
	    strcasecmp(tmp, "x-unknown") == 0)
		return NULL;
	for (i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcasecmp(tmp, alias[i].label) == 0)
			return alias[i].name;
	return tmp;
}

/* Converts with an open iconv descriptor, replacing what it cannot read. */
static void
mime_iconv_all(iconv_t cd, const char *in, size_t len, struct buf *out)
{
	char block[4096], *ip = (char *)in, *op;
	size_t il = len, ol, r;

	while (il > 0) {
		op = block;
		ol = sizeof block;
		r = iconv(cd, &ip, &il, &op, &ol);
		buf_append(out, block, sizeof block - ol);
		if (r != (size_t)-1)
			continue;
		if (errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL (truncated at the end): skip one byte. */
		buf_puts(out, mime_replacement);
		ip++;
		il--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	op = block;
	ol = sizeof block;
	iconv(cd, NULL, NULL, &op, &ol);
	buf_append(out, block, sizeof block - ol);
}

/*
 * Whether iconv from the charset name gives ASCII bytes back as they
 * are: UTF-8 and the ISO-8859 and Windows code pages are ASCII byte for
 * byte (a name iconv does not know falls back to UTF-8 or Windows-1252),
 * unlike UTF-7, UTF-16, ISO-2022 or EBCDIC, where they mean other things.
 */
static bool
mime_ascii_superset(const char *name)
{
	return strcasecmp(name, "UTF-8") == 0 ||
	    strncasecmp(name, "WINDOWS-125", 11) == 0 ||
	    strncasecmp(name, "ISO-8859-", 9) == 0;
}

/* Whether in[0..len) is all ASCII (NUL included). */
static bool
mime_is_ascii(const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return false;
	return true;
}

char *
mime_to_utf8(const char *charset, const char *in, size_t len)
{
	struct buf out = { 0 };
	char tmp[64], *copy;
	const char *name;
	iconv_t cd;
	size_t i;

	name = mime_charset_name(charset, tmp, sizeof tmp);
	/* Unlabelled or unknown 8-bit text: UTF-8 if it is, else Windows-1252. */
	if (name == NULL)
		name = util_utf8_valid(in, len) ? "UTF-8" : "WINDOWS-1252";
	/*
	 * Most text is ASCII, which such a charset leaves as it is: no
	 * converter to open (iconv_open and the conversion were most of
	 * reading the text parts of outbound mail).
	 */
	if (mime_ascii_superset(name) && mime_is_ascii(in, len)) {
		copy = xmalloc(len + 1);
		for (i = 0; i < len; i++)
			copy[i] = in[i] != '\0' ? in[i] : ' ';
		copy[len] = '\0';
		return copy;
	}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1) {
		log_debug("unknown charset \"%s\"", name);
		cd = iconv_open("UTF-8",
		    util_utf8_valid(in, len) ? "UTF-8" : "WINDOWS-1252");
		if (cd == (iconv_t)-1)
			fatal("iconv cannot convert Windows-1252 to UTF-8");
	}
	buf_append(&out, "", 0);
	mime_iconv_all(cd, in, len, &out);
	iconv_close(cd);
	/* A C string cannot hold NUL: those bytes become spaces. */
	for (i = 0; i < out.len; i++)
		if (out.data[i] == '\0')
			out.data[i] = ' ';
	return out.data;
}

/*
 * Returns a copy of UTF-8 text fit for one line: C1 controls read as
 * Windows-1252 (see mime_cp1252_c1), other control characters as spaces,
 * runs of white space collapsed, the ends trimmed, and each byte that is
 * not UTF-8 after all (libetpan passes an encoded word in UTF-8 through
 * unchecked) as U+FFFD.  Caller frees.
 */
static char *
mime_tidy(const char *s)
{
	struct buf b = { 0 };
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	bool space = false;
	uint32_t cp;
	size_t k;

	buf_append(&b, "", 0);
	for (; p < end; p += k) {
		k = 1;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			if (space && b.len > 0)
				buf_append(&b, " ", 1);
			space = false;
			mime_put_utf8(&b, mime_cp1252_c1[p[1] - 0x80]);
			k = 2;
		} else if (*p < 0x20 || *p == 0x7f || *p == ' ') {
			space = true;
		} else {
			if (space && b.len > 0)
				buf_append(&b, " ", 1);
			space = false;
			k = util_utf8_next((const char *)p, &cp);
			if (k == 0) {
				buf_puts(&b, mime_replacement);
				k = 1;
			} else
				buf_append(&b, (const char *)p, k);
		}
	}
	return b.data;
}

/*
 * Decodes RFC 2047 encoded words with libetpan.  Raw 8-bit text that is not
 * UTF-8 is read as Windows-1252 first (encoded words are ASCII and survive
 * that).  libetpan decodes unknown charsets as ISO-8859-1 and replaces
 * bytes iconv cannot read with '?'; when it fails anyway (a bad encoded
 * word), the unfolded raw text is kept, so a subject is never lost.
 */
char *
mime_decode_header(const char *value)
{
	char *raw, *dec = NULL, *out;
	size_t len, idx = 0, i, j;
	int r;

	if (value == NULL)
		return NULL;
	len = strlen(value);
	if (util_utf8_valid(value, len))
		raw = xstrdup(value);
	else
		raw = mime_to_utf8("windows-1252", value, len);
	/* Unfolding (RFC 5322 section 2.2.3) removes the CRLF only. */
	for (i = j = 0; raw[i] != '\0'; i++)
		if (raw[i] != '\r' && raw[i] != '\n')
			raw[j++] = raw[i];
	raw[j] = '\0';
	if (strstr(raw, "=?") == NULL)
		goto out;
	r = mailmime_encoded_phrase_parse("utf-8", raw, j, &idx, "utf-8", &dec);
	if (r == MAILIMF_NO_ERROR && dec != NULL) {
		out = xasprintf("%s%s", dec, idx < j ? raw + idx : "");
		free(dec);
		free(raw);
		raw = out;
	} else
		log_debug("undecodable encoded word kept as is");
out:
	out = mime_tidy(raw);
	free(raw);
	return out;
}

/* Value of a hex digit, -1 if c is none. */
static int
mime_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Appends s with %XX escapes decoded (RFC 2231 section 4). */
static void
mime_percent_decode(struct buf *b, const char *s)
{
	char c;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && (hi = mime_hexval((unsigned char)s[1])) >= 0 &&
		    (lo = mime_hexval((unsigned char)s[2])) >= 0) {
			c = (char)(hi << 4 | lo);
			buf_append(b, &c, 1);
			s += 2;
		} else
			buf_append(b, s, 1);
	}
}

/*
 * Finds parameter base ("filename" or "name") and decodes it: RFC 2231
 * "base*" or "base*0*", "base*1", ... with charset'lang'%XX, else the
 * plain value with RFC 2047 words decoded.  Caller frees; NULL if absent.
 */
static char *
mime_param_find(const char *const *names, const char *const *values,
    size_t n, const char *base)
{
	const char *simple = NULL, *ext = NULL, *cs = NULL, *v, *q;
	const char *sect[MIME_RFC2231_SECTIONS] = { 0 };
	bool enc[MIME_RFC2231_SECTIONS] = { 0 };
	size_t blen = strlen(base), i, k;
	struct buf b = { 0 };
	char *end, *out, charset[64] = "";
	long idx;

	for (i = 0; i < n; i++) {
		if (names[i] == NULL || values[i] == NULL)
			continue;
		if (strcasecmp(names[i], base) == 0) {
			if (simple == NULL)
				simple = values[i];
			continue;
		}
		if (strncasecmp(names[i], base, blen) != 0 ||
		    names[i][blen] != '*')
			continue;
		v = names[i] + blen + 1;
		if (*v == '\0') {
			ext = values[i];
			continue;
		}
		if (!isdigit((unsigned char)*v))
			continue;
		errno = 0;
		idx = strtol(v, &end, 10);
		if (errno != 0 || idx < 0 || idx >= MIME_RFC2231_SECTIONS ||
		    (*end != '\0' && strcmp(end, "*") != 0))
			continue;
		sect[idx] = values[i];
		enc[idx] = *end == '*';
	}
	if (ext != NULL) {
		sect[0] = ext;
		enc[0] = true;
		for (k = 1; k < MIME_RFC2231_SECTIONS; k++)
			sect[k] = NULL;
	}
	if (sect[0] == NULL) {
		if (simple == NULL)
			return NULL;
		out = mime_decode_header(simple);
		goto done;
	}
	buf_append(&b, "", 0);
	for (k = 0; k < MIME_RFC2231_SECTIONS && sect[k] != NULL; k++) {
		v = sect[k];
		if (k == 0 && enc[0]) {
			/* charset'language'text; a value without the quotes is text */
			q = strchr(v, '\'');
			if (q != NULL && strchr(q + 1, '\'') != NULL) {
				if ((size_t)(q - v) < sizeof charset) {
					memcpy(charset, v, q - v);
					charset[q - v] = '\0';
				}
				v = strchr(q + 1, '\'') + 1;
			}
		}
		if (enc[k])
			mime_percent_decode(&b, v);
		else
			buf_puts(&b, v);
	}
	cs = charset[0] != '\0' ? charset : NULL;
	out = mime_to_utf8(cs, b.data, b.len);
	buf_free(&b);
done:
	if (out != NULL) {
		end = mime_tidy(out);
		free(out);
		out = end;
		if (*out == '\0') {
			free(out);
			out = NULL;
		}
	}
	return out;
}

char *
mime_param_filename(const char *const *names, const char *const *values,
    size_t n)
{
	char *name;

	if ((name = mime_param_find(names, values, n, "filename")) != NULL)
		return name;
	return mime_param_find(names, values, n, "name");
}


int
mime_time(int year, int month, int day, int hour, int min, int sec, int zone,
    time_t *out)
{
	struct tm tm = { 0 };
	int z = abs(zone), off;
	time_t t;

	/* Two- and three-digit years, RFC 5322 section 4.3. */
	if (year >= 0 && year < 50)
		year += 2000;
	else if (year >= 50 && year < 1000)
		year += 1900;
	if (year < 1900 || year > 9999 || month < 1 || month > 12 ||
	    day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 ||
	    min > 59 || sec < 0 || sec > 60 || z % 100 > 59 || z / 100 > 23)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	/* A leap second (23:59:60) must not move the day. */
	tm.tm_sec = sec > 59 ? 59 : sec;
	t = timegm(&tm);
	/* timegm() moves 31 February to 3 March: no such day. */
	if (t == (time_t)-1 || tm.tm_mday != day || tm.tm_mon != month - 1)
		return -1;
	off = (z / 100) * 3600 + (z % 100) * 60;
	*out = (zone < 0 ? t + off : t - off) + (sec > 59 ? 1 : 0);
	return 0;
}

char *
mime_msgid(const char *v)
{
	const char *p, *q;

	if (v == NULL)
		return NULL;
	if ((p = strchr(v, '<')) != NULL && (q = strchr(p, '>')) != NULL)
		return q - p > 1 ? xstrndup(p + 1, (size_t)(q - p - 1)) : NULL;
	while (isspace((unsigned char)*v))
		v++;
	p = v + strcspn(v, " \t\r\n");
	return p > v ? xstrndup(v, (size_t)(p - v)) : NULL;
}

void
mime_msgids(struct strlist *list, const char *v)
{
	const char *p, *q;

	while ((p = strchr(v, '<')) != NULL && (q = strchr(p, '>')) != NULL) {
		if (q - p > 1)
			strlist_take(list, xstrndup(p + 1, (size_t)(q - p - 1)));
		v = q + 1;
	}
}

char *
mime_part_text(int encoding, const char *charset, const char *data,
    size_t len, size_t max)
{
	char *dec = NULL, *text;
	size_t declen = 0, idx = 0;

	/* An unlabelled part is US-ASCII (RFC 2045 section 5.2). */
	if (charset == NULL || *charset == '\0')
		charset = "us-ascii";
	if (encoding != MAILMIME_MECHANISM_BASE64 &&
	    encoding != MAILMIME_MECHANISM_QUOTED_PRINTABLE)
		return mime_to_utf8(charset, data, max != 0 && len > max ?
		    max : len);
	if (mailmime_part_parse(data, len, &idx, encoding, &dec,
	    &declen) != MAILIMF_NO_ERROR)
		return NULL;
	text = mime_to_utf8(charset, dec, max != 0 && declen > max ? max :
	    declen);
	mailmime_decoded_part_free(dec);
	return text;
}
