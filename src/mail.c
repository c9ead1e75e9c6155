/* SPDX-License-Identifier: MIT */
/*
 * Mail extraction: turns the bytes of one RFC 5322 message into a mail
 * summary (mail.h) with libetpan's header (mailimf) and MIME (mailmime)
 * parsers, and offers the pieces the IMAP path reuses (header decoding,
 * attachment names from MIME parameters, the extra-header markers).
 *
 * The message is first copied through a sanitizer that bounds what the
 * parsers see: libetpan takes seconds on a 50 MB folded address list and
 * is quadratic (and recursive) in the nesting depth of multiparts, so any
 * line or header field is cut at 64 KiB and the message is cut where the
 * nesting would exceed MAIL_MAX_DEPTH.  Nothing of the body is kept: only
 * the hashtags of the first text part and the text of calendar parts.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "mail"
#include "log.h"
#include "mail.h"
#include "util.h"

#define MAIL_LINE_MAX		(64 * 1024)	/* longest line handed to libetpan */
#define MAIL_FIELD_MAX		(64 * 1024)	/* longest header field, folded */
#define MAIL_MAX_DEPTH		32		/* multipart and message nesting */
#define MAIL_BOUNDARY_MAX	200		/* RFC 2046 allows 70 */
#define MAIL_TEXT_MAX		(64 * 1024)	/* text scanned for hashtags */
#define MAIL_CALENDAR_MAX	(1024 * 1024)	/* largest calendar part kept */
#define MAIL_HASHTAG_VALUE_MAX	200
#define MAIL_MAX_HASHTAGS	100		/* kept per summary */
#define MAIL_RFC2231_SECTIONS	64

/* UTF-8 of U+FFFD, written for bytes that are not text in their charset. */
static const char mail_replacement[] = "\xef\xbf\xbd";

/*
 * The Windows-1252 characters for bytes 0x80-0x9f: C1 controls in a
 * decoded header almost always come from Windows text labelled
 * ISO-8859-1, which is why WHATWG decodes that label as Windows-1252.
 */
static const unsigned short mail_cp1252_c1[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

/* Appends code point cp as UTF-8. */
static void
mail_put_utf8(struct buf *b, unsigned cp)
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
mail_charset_name(const char *cs, char *tmp, size_t tmplen)
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
mail_iconv_all(iconv_t cd, const char *in, size_t len, struct buf *out)
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
		buf_puts(out, mail_replacement);
		ip++;
		il--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	op = block;
	ol = sizeof block;
	iconv(cd, NULL, NULL, &op, &ol);
	buf_append(out, block, sizeof block - ol);
}

char *
mail_to_utf8(const char *charset, const char *in, size_t len)
{
	struct buf out = { 0 };
	char tmp[64];
	const char *name;
	iconv_t cd;
	size_t i;

	name = mail_charset_name(charset, tmp, sizeof tmp);
	/* Unlabelled or unknown 8-bit text: UTF-8 if it is, else Windows-1252. */
	if (name == NULL)
		name = util_utf8_valid(in, len) ? "UTF-8" : "WINDOWS-1252";
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1) {
		log_debug("unknown charset \"%s\"", name);
		cd = iconv_open("UTF-8",
		    util_utf8_valid(in, len) ? "UTF-8" : "WINDOWS-1252");
		if (cd == (iconv_t)-1)
			fatal("iconv cannot convert Windows-1252 to UTF-8");
	}
	buf_append(&out, "", 0);
	mail_iconv_all(cd, in, len, &out);
	iconv_close(cd);
	/* A C string cannot hold NUL: those bytes become spaces. */
	for (i = 0; i < out.len; i++)
		if (out.data[i] == '\0')
			out.data[i] = ' ';
	return out.data;
}

/*
 * Returns a copy of UTF-8 text fit for one line: C1 controls read as
 * Windows-1252 (see mail_cp1252_c1), other control characters as spaces,
 * runs of white space collapsed, the ends trimmed, and each byte that is
 * not UTF-8 after all (libetpan passes an encoded word in UTF-8 through
 * unchecked) as U+FFFD.  Caller frees.
 */
static char *
mail_tidy(const char *s)
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
			mail_put_utf8(&b, mail_cp1252_c1[p[1] - 0x80]);
			k = 2;
		} else if (*p < 0x20 || *p == 0x7f || *p == ' ') {
			space = true;
		} else {
			if (space && b.len > 0)
				buf_append(&b, " ", 1);
			space = false;
			k = util_utf8_next((const char *)p, &cp);
			if (k == 0) {
				buf_puts(&b, mail_replacement);
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
mail_decode_header(const char *value)
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
		raw = mail_to_utf8("windows-1252", value, len);
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
	out = mail_tidy(raw);
	free(raw);
	return out;
}

/* Value of a hex digit, -1 if c is none. */
static int
mail_hexval(int c)
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
mail_percent_decode(struct buf *b, const char *s)
{
	char c;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && (hi = mail_hexval((unsigned char)s[1])) >= 0 &&
		    (lo = mail_hexval((unsigned char)s[2])) >= 0) {
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
mail_param_find(const char *const *names, const char *const *values,
    size_t n, const char *base)
{
	const char *simple = NULL, *ext = NULL, *cs = NULL, *v, *q;
	const char *sect[MAIL_RFC2231_SECTIONS] = { 0 };
	bool enc[MAIL_RFC2231_SECTIONS] = { 0 };
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
		if (errno != 0 || idx < 0 || idx >= MAIL_RFC2231_SECTIONS ||
		    (*end != '\0' && strcmp(end, "*") != 0))
			continue;
		sect[idx] = values[i];
		enc[idx] = *end == '*';
	}
	if (ext != NULL) {
		sect[0] = ext;
		enc[0] = true;
		for (k = 1; k < MAIL_RFC2231_SECTIONS; k++)
			sect[k] = NULL;
	}
	if (sect[0] == NULL) {
		if (simple == NULL)
			return NULL;
		out = mail_decode_header(simple);
		goto done;
	}
	buf_append(&b, "", 0);
	for (k = 0; k < MAIL_RFC2231_SECTIONS && sect[k] != NULL; k++) {
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
			mail_percent_decode(&b, v);
		else
			buf_puts(&b, v);
	}
	cs = charset[0] != '\0' ? charset : NULL;
	out = mail_to_utf8(cs, b.data, b.len);
	buf_free(&b);
done:
	if (out != NULL) {
		end = mail_tidy(out);
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
mail_param_filename(const char *const *names, const char *const *values,
    size_t n)
{
	char *name;

	if ((name = mail_param_find(names, values, n, "filename")) != NULL)
		return name;
	return mail_param_find(names, values, n, "name");
}

/*
 * Hashtags: those that take a value run to the end of their line; #verbal
 * and #lost may be followed by words up to the next hashtag (a note to
 * self names its account there: "#lost acme.nl te duur").
 */
enum mail_tag_value { TAG_NO_VALUE, TAG_VALUE, TAG_OPTIONAL_VALUE };

static const struct {
	const char		*tag;
	enum mail_tag_value	 value;
} mail_hashtags[] = {
	{ "verbal", TAG_OPTIONAL_VALUE }, { "lost", TAG_OPTIONAL_VALUE },
	{ "decision", TAG_VALUE }, { "competitor", TAG_VALUE },
	{ "need", TAG_VALUE }, { "problem", TAG_VALUE },
};

/* True for a byte that may stand before '#' for it to start a hashtag. */
static bool
mail_hashtag_before(unsigned char c)
{
	return c == ' ' || c == '\t' || strchr("([{,;:\"'", c) != NULL;
}

/* Looks for hashtags in one line (without its line end). */
static void
mail_hashtags_line(struct strlist *list, const char *s, size_t n)
{
	size_t i, j, t, tl, vs, ve, k;
	char *entry;

	i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '>')		/* quoted text of a reply */
		return;
	for (; i < n && list->n < MAIL_MAX_HASHTAGS; i++) {
		if (s[i] != '#' || (i > 0 &&
		    !mail_hashtag_before((unsigned char)s[i - 1])))
			continue;
		for (j = i + 1; j < n && isalpha((unsigned char)s[j]); j++)
			;
		tl = j - i - 1;
		if (tl == 0 || (j < n && (isalnum((unsigned char)s[j]) ||
		    s[j] == '_' || s[j] == '-' || (unsigned char)s[j] >= 0x80)))
			continue;
		for (t = 0; t < sizeof mail_hashtags / sizeof mail_hashtags[0]; t++)
			if (strlen(mail_hashtags[t].tag) == tl &&
			    strncasecmp(mail_hashtags[t].tag, s + i + 1,
			    tl) == 0)
				break;
		if (t == sizeof mail_hashtags / sizeof mail_hashtags[0])
			continue;
		for (vs = j; vs < n && isspace((unsigned char)s[vs]); vs++)
			;
		ve = n;
		if (mail_hashtags[t].value == TAG_OPTIONAL_VALUE) {
			/* The words up to the next hashtag, if they are words. */
			for (k = vs; k < n; k++)
				if (s[k] == '#' && k > 0 &&
				    mail_hashtag_before((unsigned char)s[k - 1]))
					break;
			ve = k;
			if (vs < n && !isalnum((unsigned char)s[vs]))
				ve = vs;
		}
		for (; ve > vs && isspace((unsigned char)s[ve - 1]); ve--)
			;
		if (ve == vs && mail_hashtags[t].value == TAG_VALUE)
			continue;
		if (ve == vs) {
			entry = xasprintf("#%s", mail_hashtags[t].tag);
			i = j - 1;
		} else {
			/* Cut a long value on a character boundary. */
			if (ve - vs > MAIL_HASHTAG_VALUE_MAX) {
				ve = vs + MAIL_HASHTAG_VALUE_MAX;
				while (ve > vs &&
				    ((unsigned char)s[ve] & 0xc0) == 0x80)
					ve--;
			}
			entry = xasprintf("#%s %.*s", mail_hashtags[t].tag,
			    (int)(ve - vs), s + vs);
			for (k = 0; entry[k] != '\0'; k++)
				if ((unsigned char)entry[k] < 0x20)
					entry[k] = ' ';
			i = ve - 1;
		}
		entry = util_utf8_repair(entry);
		if (strlist_contains(list, entry))
			free(entry);
		else
			strlist_take(list, entry);
	}
}

void
mail_find_hashtags(struct strlist *list, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	size_t n;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		n = (nl != NULL ? nl : end) - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		mail_hashtags_line(list, p, n);
		p = nl != NULL ? nl + 1 : end;
	}
}

void
mail_addr_list_add(struct mail_addr_list *l, const char *name, const char *addr)
{
	struct mail_addr *a;
	char *copy;

	if (addr == NULL)
		return;
	copy = util_utf8_repair(util_trim(util_lower(xstrdup(addr))));
	if (*copy == '\0') {
		free(copy);
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 4 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	a = &l->v[l->n++];
	a->addr = copy;
	a->name = name != NULL && *name != '\0' ?
	    util_utf8_repair(xstrdup(name)) : NULL;
}

void
mail_addr_list_clear(struct mail_addr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
mail_summary_free(struct mail_summary *s)
{
	if (s == NULL)
		return;
	free(s->message_id);
	mail_addr_list_clear(&s->from);
	mail_addr_list_clear(&s->to);
	mail_addr_list_clear(&s->cc);
	free(s->subject);
	strlist_clear(&s->attachments);
	free(s->in_reply_to);
	strlist_clear(&s->references);
	strlist_clear(&s->hashtags);
	strlist_clear(&s->calendar_parts);
	strlist_clear(&s->calendar_sections);
	memset(s, 0, sizeof *s);
}

void
mail_set_internaldate(struct mail_summary *s, time_t t)
{
	s->internaldate = util_time_plausible(t, 0) ? t : 0;
	if (s->date_valid && !util_time_plausible(s->date, s->internaldate))
		s->date_valid = false;
	if (!s->date_valid)
		s->date = s->internaldate;
}

/*
 * Checks an addr-spec as libetpan returned it (its parser is lenient and
 * gives "B<b@x.nl" or "bad@@x" for broken input): text after a stray '<'
 * is taken, and the rest must be local@domain without spaces or quotes.
 * Returns the address to keep (a pointer into tmp) or NULL.
 */
static const char *
mail_addr_check(const char *spec, char *tmp, size_t tmplen)
{
	const char *p, *at;
	size_t n;

	if (spec == NULL)
		return NULL;
	if ((p = strrchr(spec, '<')) != NULL)
		spec = p + 1;
	n = strcspn(spec, ">");
	if (n == 0 || n >= tmplen)
		return NULL;
	memcpy(tmp, spec, n);
	tmp[n] = '\0';
	util_trim(tmp);
	at = strchr(tmp, '@');
	if (at == NULL || at == tmp || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return NULL;
	if (strpbrk(tmp, " \t\r\n\"(),:;<>[]\\") != NULL)
		return NULL;
	return tmp;
}

/* Adds one libetpan mailbox, with its display name decoded. */
static void
mail_add_mailbox(struct mail_addr_list *l, const struct mailimf_mailbox *mb)
{
	char tmp[512], *name = NULL;
	const char *addr;
	size_t n;

	addr = mail_addr_check(mb->mb_addr_spec, tmp, sizeof tmp);
	if (addr == NULL) {
		log_debug("bad address skipped");
		return;
	}
	if (mb->mb_display_name != NULL)
		name = mail_decode_header(mb->mb_display_name);
	/* Outlook writes 'Jan Jansen' with single quotes. */
	n = name != NULL ? strlen(name) : 0;
	if (n >= 2 && name[0] == '\'' && name[n - 1] == '\'') {
		memmove(name, name + 1, n - 2);
		name[n - 2] = '\0';
	}
	mail_addr_list_add(l, name, addr);
	free(name);
}

static void
mail_add_mailbox_list(struct mail_addr_list *l,
    const struct mailimf_mailbox_list *ml)
{
	clistiter *it;

	if (ml == NULL || ml->mb_list == NULL)
		return;
	for (it = clist_begin(ml->mb_list); it != NULL; it = clist_next(it))
		mail_add_mailbox(l, clist_content(it));
}

/* Adds an address list, flattening groups (RFC 5322 section 3.4). */
static void
mail_add_address_list(struct mail_addr_list *l,
    const struct mailimf_address_list *al)
{
	struct mailimf_address *a;
	clistiter *it;

	if (al == NULL || al->ad_list == NULL)
		return;
	for (it = clist_begin(al->ad_list); it != NULL; it = clist_next(it)) {
		a = clist_content(it);
		if (a->ad_type == MAILIMF_ADDRESS_MAILBOX)
			mail_add_mailbox(l, a->ad_data.ad_mailbox);
		else if (a->ad_type == MAILIMF_ADDRESS_GROUP)
			mail_add_mailbox_list(l,
			    a->ad_data.ad_group->grp_mb_list);
	}
}

/*
 * Salvages an address list libetpan could not parse: each comma-separated
 * piece (outside quotes and angle brackets) is parsed on its own, so one
 * bad address does not lose the good ones.
 */
static void
mail_add_raw_addresses(struct mail_addr_list *l, const char *v)
{
	struct mailimf_mailbox *mb;
	const char *start = v, *p, *colon;
	bool quote = false;
	int angle = 0;
	size_t idx, n;
	char *piece;

	for (p = v;; p++) {
		if (*p == '"' && (p == v || p[-1] != '\\'))
			quote = !quote;
		else if (!quote && *p == '<')
			angle++;
		else if (!quote && *p == '>' && angle > 0)
			angle--;
		if (*p != '\0' &&
		    (quote || angle > 0 || (*p != ',' && *p != ';')))
			continue;
		n = p - start;
		piece = xstrndup(start, n);
		/* "Group: first@x" keeps the address after the group name. */
		colon = strchr(piece, ':');
		if (colon != NULL && colon < piece + strcspn(piece, "<\""))
			memmove(piece, colon + 1, strlen(colon + 1) + 1);
		idx = 0;
		mb = NULL;
		if (mailimf_mailbox_parse(piece, strlen(piece), &idx, &mb) ==
		    MAILIMF_NO_ERROR) {
			mail_add_mailbox(l, mb);
			mailimf_mailbox_free(mb);
		}
		free(piece);
		if (*p == '\0')
			break;
		start = p + 1;
	}
}

/* A Message-ID without angle brackets or white space; NULL if empty. */
static char *
mail_msgid_clean(const char *v)
{
	const char *p, *q;

	if (v == NULL)
		return NULL;
	if ((p = strchr(v, '<')) != NULL && (q = strchr(p, '>')) != NULL)
		return q - p > 1 ? xstrndup(p + 1, q - p - 1) : NULL;
	while (isspace((unsigned char)*v))
		v++;
	p = v + strcspn(v, " \t\r\n");
	return p > v ? xstrndup(v, p - v) : NULL;
}

/* Adds every <id> in a raw In-Reply-To or References value. */
static void
mail_add_raw_msgids(struct strlist *list, const char *v)
{
	const char *p, *q;

	while ((p = strchr(v, '<')) != NULL && (q = strchr(p, '>')) != NULL) {
		if (q - p > 1)
			strlist_take(list, xstrndup(p + 1, q - p - 1));
		v = q + 1;
	}
}

/* True when the header value v is one of the words of list (case-insensitive). */
static bool
mail_value_is(const char *v, const char *const *list)
{
	char word[64];
	size_t n;

	while (isspace((unsigned char)*v))
		v++;
	n = strcspn(v, " \t\r\n;(");
	if (n >= sizeof word)
		return false;
	memcpy(word, v, n);
	word[n] = '\0';
	for (; *list != NULL; list++)
		if (strcasecmp(word, *list) == 0)
			return true;
	return false;
}

/* Sets MAIL_BULK_DSN when content is multipart/report or a delivery status. */
static void
mail_check_dsn(struct mail_summary *s, const struct mailmime_content *ct)
{
	const struct mailmime_type *t;

	if (ct == NULL || ct->ct_subtype == NULL)
		return;
	t = ct->ct_type;
	if (t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	    t->tp_data.tp_composite_type->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART &&
	    strcasecmp(ct->ct_subtype, "report") == 0)
		s->bulk |= MAIL_BULK_DSN;
	if (t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	    t->tp_data.tp_composite_type->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE &&
	    (strcasecmp(ct->ct_subtype, "delivery-status") == 0 ||
	    strcasecmp(ct->ct_subtype, "global-delivery-status") == 0))
		s->bulk |= MAIL_BULK_DSN;
	/* libetpan files unknown message/ subtypes as discrete extensions. */
	if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	    (strcasecmp(ct->ct_subtype, "delivery-status") == 0 ||
	    strcasecmp(ct->ct_subtype, "global-delivery-status") == 0))
		s->bulk |= MAIL_BULK_DSN;
}

/* Applies one optional header field. */
static void
mail_apply_optional(struct mail_summary *s, const char *name, const char *value)
{
	static const char *const precedence[] = { "bulk", "list", "junk",
	    NULL };
	static const char *const no[] = { "no", NULL };
	struct mailmime_content *ct = NULL;
	size_t idx = 0;

	if (value == NULL)
		return;
	if (strcasecmp(name, "List-Id") == 0 ||
	    strcasecmp(name, "List-Unsubscribe") == 0 ||
	    strcasecmp(name, "List-Post") == 0)
		s->bulk |= MAIL_BULK_LIST;
	else if (strcasecmp(name, "Precedence") == 0) {
		if (mail_value_is(value, precedence))
			s->bulk |= MAIL_BULK_PRECEDENCE;
	} else if (strcasecmp(name, "Auto-Submitted") == 0) {
		if (!mail_value_is(value, no))
			s->bulk |= MAIL_BULK_AUTOSUBMITTED;
	} else if (strcasecmp(name, "X-Autoreply") == 0 ||
	    strcasecmp(name, "X-Autorespond") == 0) {
		if (!mail_value_is(value, no))
			s->bulk |= MAIL_BULK_AUTOREPLY;
	} else if (strcasecmp(name,
	    "X-MS-Exchange-Generated-Message-Source") == 0) {
		/* Exchange's rules agent sends the out-of-office replies. */
		if (strcasestr(value, "Mailbox Rules Agent") != NULL ||
		    strcasestr(value, "auto") != NULL)
			s->bulk |= MAIL_BULK_AUTOREPLY;
	} else if (strcasecmp(name, "Content-Type") == 0) {
		if (mailmime_content_parse(value, strlen(value), &idx, &ct) ==
		    MAILIMF_NO_ERROR) {
			mail_check_dsn(s, ct);
			mailmime_content_free(ct);
		}
	} else if (strcasecmp(name, "In-Reply-To") == 0) {
		/* The first <id>: some mailers put a phrase around it. */
		if (s->in_reply_to == NULL) {
			struct strlist ids = { 0 };

			mail_add_raw_msgids(&ids, value);
			if (ids.n > 0)
				s->in_reply_to = xstrdup(ids.v[0]);
			strlist_clear(&ids);
		}
	} else if (strcasecmp(name, "References") == 0)
		mail_add_raw_msgids(&s->references, value);
	else if (strcasecmp(name, "Received") == 0)
		s->received = true;
}

/*
 * Applies the extra headers (bulk markers, thread headers, Content-Type)
 * of parsed fields to a summary: the one place both the file path and
 * the IMAP path (through mail_apply_headers) read them.
 */
static void
mail_apply_fields(struct mail_summary *s, const struct mailimf_fields *f)
{
	struct mailimf_optional_field *opt;
	struct mailimf_field *fl;
	clistiter *it;

	if (f == NULL || f->fld_list == NULL)
		return;
	for (it = clist_begin(f->fld_list); it != NULL; it = clist_next(it)) {
		fl = clist_content(it);
		if (fl->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD)
			continue;
		opt = fl->fld_data.fld_optional_field;
		mail_apply_optional(s, opt->fld_name, opt->fld_value);
	}
}

/* True when line [p, e) starts a header field: "name:" with printable name. */
static bool
mail_is_field_start(const char *p, const char *e)
{
	const char *q;

	for (q = p; q < e && *q != ':'; q++)
		if ((unsigned char)*q <= ' ' || (unsigned char)*q > '~')
			return false;
	return q < e && q > p;
}

/* True when [p, e) starts with prefix, ignoring ASCII case. */
static bool
mail_prefix(const char *p, const char *e, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(e - p) >= n && strncasecmp(p, prefix, n) == 0;
}

/* Extracts the boundary parameter of a folded Content-Type field. */
static void
mail_boundary(const char *p, const char *end, char *out, size_t outlen)
{
	char field[2048];
	size_t n = 0, k = 0;
	const char *b;

	/* Unfold the field (this line and its continuations) into field. */
	while (p < end && n < sizeof field - 1) {
		if (*p == '\n') {
			if (p + 1 >= end || (p[1] != ' ' && p[1] != '\t'))
				break;
		} else if (*p != '\r')
			field[n++] = *p;
		p++;
	}
	field[n] = '\0';
	out[0] = '\0';
	if ((b = strcasestr(field, "boundary")) == NULL)
		return;
	for (b += strlen("boundary"); *b == ' ' || *b == '\t'; b++)
		;
	if (*b++ != '=')
		return;
	while (*b == ' ' || *b == '\t')
		b++;
	if (*b == '"') {
		for (b++; *b != '\0' && *b != '"' && k < outlen - 1; b++)
			out[k++] = *b;
	} else {
		for (; *b != '\0' && !strchr(" \t;", *b) && k < outlen - 1; b++)
			out[k++] = *b;
	}
	out[k] = '\0';
}

/*
 * Copies a message into a form libetpan parses in bounded time: NUL bytes
 * become spaces, lines are cut at MAIL_LINE_MAX, folded fields at
 * MAIL_FIELD_MAX, and the message ends before a multipart or message part
 * that would nest deeper than MAIL_MAX_DEPTH (nesting is estimated from
 * Content-Type lines and the boundary lines that close them).  A leading
 * mbox "From " line is dropped and a final line end added.  Caller frees.
 */
static char *
mail_sanitize(const char *buf, size_t len, size_t *outlen)
{
	char bnd[MAIL_MAX_DEPTH][MAIL_BOUNDARY_MAX + 1];
	const char *p = buf, *end = buf + len, *nl, *e, *v;
	size_t o = 0, n, fieldlen = 0, bl, i;
	bool infield = false, closing;
	int depth = 0, k;
	char *out;

	out = xmalloc(len + 2);
	if (len >= 5 && memcmp(p, "From ", 5) == 0) {
		nl = memchr(p, '\n', len);
		p = nl != NULL ? nl + 1 : end;
	}
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		e = nl != NULL ? nl : end;		/* e: end of the line's text */
		n = e - p;
		if (n > 0 && (*p == ' ' || *p == '\t') && infield) {
			fieldlen += n;
			if (fieldlen > MAIL_FIELD_MAX)
				goto next;
		} else if (mail_is_field_start(p, e)) {
			infield = true;
			fieldlen = n;
		} else
			infield = false;
		if (n > 2 && p[0] == '-' && p[1] == '-') {
			/* A boundary line ends the parts nested inside it. */
			for (k = depth - 1; k >= 0; k--) {
				bl = strlen(bnd[k]);
				if (bl == 0 || bl > n - 2 ||
				    memcmp(p + 2, bnd[k], bl) != 0)
					continue;
				closing = n - 2 >= bl + 2 &&
				    memcmp(p + 2 + bl, "--", 2) == 0;
				depth = closing ? k : k + 1;
				break;
			}
		}
		if (infield && mail_prefix(p, e, "content-type:")) {
			for (v = p + 13; v < e && (*v == ' ' ||
			    *v == '\t'); v++)
				;
			if (mail_prefix(v, e, "multipart/") ||
			    mail_prefix(v, e, "message/")) {
				if (depth == MAIL_MAX_DEPTH) {
					log_debug("message cut at nesting depth %d", depth);
					break;
				}
				mail_boundary(p, end, bnd[depth],
				    sizeof bnd[depth]);
				depth++;
			}
		}
		if (n > MAIL_LINE_MAX)
			n = MAIL_LINE_MAX;
		for (i = 0; i < n; i++)
			out[o++] = p[i] != '\0' ? p[i] : ' ';
		if (nl != NULL)
			out[o++] = '\n';
next:
		p = nl != NULL ? nl + 1 : end;
	}
	if (o > 0 && out[o - 1] != '\n')
		out[o++] = '\n';
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* Length of the header block at the start of buf (up to the empty line). */
static size_t
mail_header_len(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	while (p < end) {
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			return p - buf;
		nl = memchr(p, '\n', end - p);
		if (nl == NULL)
			return len;
		p = nl + 1;
	}
	return len;
}

void
mail_apply_headers(struct mail_summary *s, const char *hdr, size_t len)
{
	struct mailimf_fields *f = NULL;
	size_t clen, idx = 0;
	char *clean;
	int r;

	if (hdr == NULL || len == 0)
		return;
	clean = mail_sanitize(hdr, len, &clen);
	clen = mail_header_len(clean, clen);
	/*
	 * Every field as name and raw value: these headers need no structured
	 * parse, and mailimf_fields_parse leaks on a broken Return-Path.
	 */
	r = mailimf_optional_fields_parse(clean, clen, &idx, &f);
	if (r == MAILIMF_NO_ERROR) {
		mail_apply_fields(s, f);
		mailimf_fields_free(f);
	}
	free(clean);
}

/* Converts a parsed Date to time_t; false if out of range. */
static bool
mail_date(const struct mailimf_date_time *d, time_t *out)
{
	struct tm tm = { 0 };
	int year = d->dt_year, zone = abs(d->dt_zone), off;
	time_t t;

	/* Two- and three-digit years, RFC 5322 section 4.3. */
	if (year < 50)
		year += 2000;
	else if (year < 1000)
		year += 1900;
	if (year < 1900 || year > 9999 || d->dt_month < 1 || d->dt_month > 12 ||
	    d->dt_day < 1 || d->dt_day > 31 ||
	    d->dt_hour < 0 || d->dt_hour > 23 ||
	    d->dt_min < 0 || d->dt_min > 59 ||
	    d->dt_sec < 0 || d->dt_sec > 60 ||
	    zone % 100 > 59 || zone / 100 > 23)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d->dt_day)	/* 31 February */
		return false;
	off = (zone / 100) * 3600 + (zone % 100) * 60;
	*out = d->dt_zone < 0 ? t + off : t - off;
	return true;
}

/* Fills the envelope fields (ids, date, addresses, subject) from the header. */
static void
mail_apply_envelope(struct mail_summary *s, const struct mailimf_fields *f)
{
	struct mailimf_optional_field *opt;
	struct mailimf_field *fl;
	bool have_date = false;
	clistiter *it;

	for (it = clist_begin(f->fld_list); it != NULL; it = clist_next(it)) {
		fl = clist_content(it);
		switch (fl->fld_type) {
		case MAILIMF_FIELD_MESSAGE_ID:
			if (s->message_id == NULL)
				s->message_id = mail_msgid_clean(
				    fl->fld_data.fld_message_id->mid_value);
			break;
		case MAILIMF_FIELD_ORIG_DATE:
			if (!have_date)
				s->date_valid = mail_date(
				    fl->fld_data.fld_orig_date->dt_date_time,
				    &s->date);
			have_date = true;
			break;
		case MAILIMF_FIELD_FROM:
			if (s->from.n == 0)
				mail_add_mailbox_list(&s->from,
				    fl->fld_data.fld_from->frm_mb_list);
			break;
		case MAILIMF_FIELD_TO:
			mail_add_address_list(&s->to,
			    fl->fld_data.fld_to->to_addr_list);
			break;
		case MAILIMF_FIELD_CC:
			mail_add_address_list(&s->cc,
			    fl->fld_data.fld_cc->cc_addr_list);
			break;
		case MAILIMF_FIELD_SUBJECT:
			if (s->subject == NULL)
				s->subject = mail_decode_header(
				    fl->fld_data.fld_subject->sbj_value);
			break;
		case MAILIMF_FIELD_OPTIONAL_FIELD:
			/* A structured field libetpan could not parse lands here. */
			opt = fl->fld_data.fld_optional_field;
			if (strcasecmp(opt->fld_name, "Message-ID") == 0 &&
			    s->message_id == NULL)
				s->message_id = mail_msgid_clean(opt->fld_value);
			else if (strcasecmp(opt->fld_name, "Date") == 0)
				have_date = true;
			else if (strcasecmp(opt->fld_name, "From") == 0 &&
			    s->from.n == 0)
				mail_add_raw_addresses(&s->from,
				    opt->fld_value);
			else if (strcasecmp(opt->fld_name, "To") == 0)
				mail_add_raw_addresses(&s->to, opt->fld_value);
			else if (strcasecmp(opt->fld_name, "Cc") == 0)
				mail_add_raw_addresses(&s->cc, opt->fld_value);
			else if (strcasecmp(opt->fld_name, "Subject") == 0 &&
			    s->subject == NULL)
				s->subject = mail_decode_header(opt->fld_value);
			break;
		default:
			break;
		}
	}
}

/* The MIME walk's state: which text part gave hashtags already. */
struct mail_walk {
	struct mail_summary	*s;
	bool			 text_done;
};

/* Lower-case "type/subtype" of a part (text/plain when absent). */
static void
mail_content_type(const struct mailmime_content *ct, char *out, size_t outlen)
{
	const struct mailmime_type *t;
	const char *type = "application";

	if (ct == NULL || ct->ct_subtype == NULL) {
		snprintf(out, outlen, "text/plain");
		return;
	}
	t = ct->ct_type;
	if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		switch (t->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:	type = "text"; break;
		case MAILMIME_DISCRETE_TYPE_IMAGE:	type = "image"; break;
		case MAILMIME_DISCRETE_TYPE_AUDIO:	type = "audio"; break;
		case MAILMIME_DISCRETE_TYPE_VIDEO:	type = "video"; break;
		case MAILMIME_DISCRETE_TYPE_EXTENSION:
			type = t->tp_data.tp_discrete_type->dt_extension;
			break;
		default:				break;
		}
	} else {
		switch (t->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:	type = "message"; break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:	type = "multipart"; break;
		default:
			type = t->tp_data.tp_composite_type->ct_token;
			break;
		}
	}
	snprintf(out, outlen, "%s/%s", type != NULL ? type : "",
	    ct->ct_subtype);
	util_lower(out);
}

/*
 * Collects the file name of a part from its Content-Disposition and
 * Content-Type parameters; sets *attachment for disposition attachment.
 * Caller frees the name.
 */
static char *
mail_part_filename(const struct mailmime *m, bool *attachment)
{
	const char **names = NULL, **values = NULL;
	struct mailmime_disposition_parm *dp;
	struct mailmime_parameter *pa;
	struct mailmime_field *mf;
	size_t n = 0, cap = 0;
	clistiter *it, *jt;
	char *name;

	*attachment = false;
#define ADD(nm, vl) do {						\
	if (n == cap) {							\
		cap = cap == 0 ? 8 : cap * 2;				\
		names = xreallocarray(names, cap, sizeof *names);	\
		values = xreallocarray(values, cap, sizeof *values);	\
	}								\
	names[n] = (nm);						\
	values[n++] = (vl);						\
} while (0)
	if (m->mm_mime_fields != NULL && m->mm_mime_fields->fld_list != NULL) {
		for (it = clist_begin(m->mm_mime_fields->fld_list); it != NULL;
		    it = clist_next(it)) {
			mf = clist_content(it);
			if (mf->fld_type != MAILMIME_FIELD_DISPOSITION)
				continue;
			if (mf->fld_data.fld_disposition->dsp_type->dsp_type ==
			    MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
				*attachment = true;
			for (jt = clist_begin(mf->fld_data.fld_disposition->dsp_parms);
			    jt != NULL; jt = clist_next(jt)) {
				dp = clist_content(jt);
				if (dp->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
					ADD("filename",
					    dp->pa_data.pa_filename);
				else if (dp->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER)
					ADD(dp->pa_data.pa_parameter->pa_name,
					    dp->pa_data.pa_parameter->pa_value);
			}
		}
	}
	if (m->mm_content_type != NULL &&
	    m->mm_content_type->ct_parameters != NULL) {
		for (it = clist_begin(m->mm_content_type->ct_parameters); it != NULL;
		    it = clist_next(it)) {
			pa = clist_content(it);
			ADD(pa->pa_name, pa->pa_value);
		}
	}
#undef ADD
	name = mail_param_filename(names, values, n);
	free(names);
	free(values);
	return name;
}

/*
 * Decodes a single part's body (base64, quoted-printable) to UTF-8 from
 * its charset, reading at most max encoded bytes when max is not 0.
 * Caller frees; NULL if the part has no body.
 */
static char *
mail_part_text(const struct mailmime *m, size_t max, size_t *outlen)
{
	const struct mailmime_data *d = m->mm_data.mm_single;
	const char *charset = NULL;
	char *dec = NULL, *out;
	size_t len, declen, idx = 0;
	int enc;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return NULL;
	len = d->dt_data.dt_text.dt_length;
	enc = d->dt_encoded ? d->dt_encoding : MAILMIME_MECHANISM_8BIT;
	if (max != 0 && len > max)
		len = max;
	if (max != 0 && len > MAIL_TEXT_MAX &&
	    enc != MAILMIME_MECHANISM_BASE64 &&
	    enc != MAILMIME_MECHANISM_QUOTED_PRINTABLE)
		len = MAIL_TEXT_MAX;
	if (m->mm_content_type != NULL)
		charset = mailmime_content_charset_get(m->mm_content_type);
	if (enc == MAILMIME_MECHANISM_BASE64 ||
	    enc == MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		if (mailmime_part_parse(d->dt_data.dt_text.dt_data, len, &idx,
		    enc,
		    &dec, &declen) != MAILIMF_NO_ERROR)
			return NULL;
		if (max != 0 && declen > MAIL_TEXT_MAX)
			declen = MAIL_TEXT_MAX;
		out = mail_to_utf8(charset, dec, declen);
		mailmime_decoded_part_free(dec);
	} else
		out = mail_to_utf8(charset, d->dt_data.dt_text.dt_data, len);
	*outlen = strlen(out);
	return out;
}

/* Visits one MIME part and its children (depth is bounded by the sanitizer). */
static void
mail_walk_part(struct mail_walk *w, const struct mailmime *m, bool embedded)
{
	struct mail_summary *s = w->s;
	char type[128], *name, *text;
	bool attachment;
	clistiter *it;
	size_t len;

	mail_content_type(m->mm_content_type, type, sizeof type);
	/* A report inside a forwarded message does not make this one a bounce. */
	if (!embedded)
		mail_check_dsn(s, m->mm_content_type);
	switch (m->mm_type) {
	case MAILMIME_MULTIPLE:
		for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list); it != NULL;
		    it = clist_next(it))
			mail_walk_part(w, clist_content(it), embedded);
		return;
	case MAILMIME_MESSAGE:
		if ((name = mail_part_filename(m, &attachment)) != NULL)
			strlist_take(&s->attachments, name);
		if (m->mm_data.mm_message.mm_msg_mime != NULL)
			mail_walk_part(w, m->mm_data.mm_message.mm_msg_mime,
			    true);
		return;
	case MAILMIME_SINGLE:
		break;
	default:
		return;
	}
	name = mail_part_filename(m, &attachment);
	if (strcmp(type, "text/calendar") == 0 ||
	    strcmp(type, "application/ics") == 0) {
		text = mail_part_text(m, 0, &len);
		if (text != NULL && len > MAIL_CALENDAR_MAX) {
			log_warn("calendar part of %zu bytes skipped", len);
			free(text);
		} else if (text != NULL)
			strlist_take(&s->calendar_parts, text);
	} else if (strcmp(type, "text/plain") == 0 && !w->text_done &&
	    name == NULL && !attachment) {
		w->text_done = true;
		/* Base64 of MAIL_TEXT_MAX bytes, with its line ends. */
		if ((text = mail_part_text(m, MAIL_TEXT_MAX / 3 * 4 +
		    MAIL_TEXT_MAX / 38 + 8, &len)) != NULL) {
			mail_find_hashtags(&s->hashtags, text, len);
			free(text);
		}
	}
	if (name != NULL)
		strlist_take(&s->attachments, name);
}

int
mail_parse(const char *buf, size_t len, struct mail_summary *out,
    struct err *err)
{
	struct mail_walk w = { .s = out };
	struct mailmime *mime = NULL;
	struct mailimf_fields *f;
	size_t clen, hlen, idx = 0;
	char *clean;
	int rc = -1;

	memset(out, 0, sizeof *out);
	clean = mail_sanitize(buf, len, &clen);
	hlen = mail_header_len(clean, clen);
	if (mailmime_parse(clean, clen, &idx, &mime) != MAILIMF_NO_ERROR ||
	    mime->mm_type != MAILMIME_MESSAGE) {
		err_set(err, ERR_DATA, "not a message");
		goto out;
	}
	f = mime->mm_data.mm_message.mm_fields;
	if (f == NULL || f->fld_list == NULL || clist_isempty(f->fld_list)) {
		err_set(err, ERR_DATA, "no header fields");
		goto out;
	}
	mail_apply_envelope(out, f);
	mail_set_internaldate(out, 0);
	mail_apply_headers(out, clean, hlen);
	if (out->subject == NULL)
		out->subject = xstrdup("");
	if (out->subject[0] != '\0')
		mail_find_hashtags(&out->hashtags, out->subject,
		    strlen(out->subject));
	if (mime->mm_data.mm_message.mm_msg_mime != NULL)
		mail_walk_part(&w, mime->mm_data.mm_message.mm_msg_mime, false);
	rc = 0;
out:
	if (mime != NULL)
		mailmime_free(mime);
	free(clean);
	if (rc != 0)
		mail_summary_free(out);
	return rc;
}
