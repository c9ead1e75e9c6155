/* SPDX-License-Identifier: MIT */
/*
 * The metadata UID FETCH read outside libetpan (see imap-fetch.h).  The
 * grammar is RFC 3501's, as far as the summary reads it:
 *
 *	"*" SP nz-number SP "FETCH" SP "(" msg-att *(SP msg-att) ")"
 *	msg-att = "UID" SP nz-number / "INTERNALDATE" SP date-time /
 *	    "BODYSTRUCTURE" SP body / "BODY" section ["<" number ">"] SP
 *	    nstring / any other item SP value (skipped)
 *
 * read with libetpan's leniencies where real servers need them (blanks
 * repeated, NIL for a media type or subtype, an empty parameter list, an
 * atom for the encoding) and its choices where they decide what a part
 * is: "TEXT" parts need their line count, "MESSAGE" "RFC822" parts their
 * envelope, or they count as basic parts, and only quoted type names
 * are told apart.  Strings are decoded where they lie: a quoted string
 * into its own bytes (the result is never longer), a literal moved to
 * where its "{n}" began; so nothing is allocated per message but when
 * the kept arrays grow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_TAG "imap"
#include "imap-fetch.h"
#include "imap-list.h"
#include "imap-stream.h"
#include "log.h"
#include "mail.h"
#include "util.h"
#include "xmalloc.h"

/* A cursor over one response being parsed. */
struct imap_fetch_p {
	char			*p;
	char			*end;
	struct imap_fetch	*f;
	const char		*why;	/* the first fault */
};

/* Records the first fault; returns -1. */
static int
imap_fetch_fail(struct imap_fetch_p *fp, const char *why)
{
	if (fp->why == NULL)
		fp->why = why;
	return -1;
}

/* Whether c ends an atom (RFC 3501 atom-specials, and the line end). */
static bool
imap_fetch_special(char c)
{
	return c == ' ' || c == '\t' || c == '(' || c == ')' || c == '{' ||
	    c == '"' || c == '\\' || c == ']' || c == '[' || c == '\r' ||
	    c == '\n' || c == '\0' || c == '<';
}

/* Skips blanks (libetpan takes a TAB, and more than one, for a SP). */
static void
imap_fetch_blanks(struct imap_fetch_p *fp)
{
	while (fp->p < fp->end && (*fp->p == ' ' || *fp->p == '\t'))
		fp->p++;
}

/* One or more blanks; -1 without. */
static int
imap_fetch_sp(struct imap_fetch_p *fp)
{
	if (fp->p >= fp->end || (*fp->p != ' ' && *fp->p != '\t'))
		return imap_fetch_fail(fp, "a space missing");
	imap_fetch_blanks(fp);
	return 0;
}

/* Whether an atom equal to word (ignoring case) is next; consumed if so. */
static bool
imap_fetch_word(struct imap_fetch_p *fp, const char *word)
{
	size_t	n = strlen(word);

	if ((size_t)(fp->end - fp->p) < n || strncasecmp(fp->p, word, n) != 0 ||
	    (fp->p + n < fp->end && !imap_fetch_special(fp->p[n])))
		return false;
	fp->p += n;
	return true;
}

/* A number of at most 32 bits. */
static int
imap_fetch_number(struct imap_fetch_p *fp, uint32_t *out)
{
	uint64_t	v = 0;
	const char	*start = fp->p;

	while (fp->p < fp->end && *fp->p >= '0' && *fp->p <= '9') {
		v = v * 10 + (uint64_t)(*fp->p - '0');
		if (v > UINT32_MAX)
			return imap_fetch_fail(fp, "a number too large");
		fp->p++;
	}
	if (fp->p == start)
		return imap_fetch_fail(fp, "a number missing");
	*out = (uint32_t)v;
	return 0;
}

/*
 * A literal's "{n}" (or "{n+}") and its line end, at fp->p; *data and
 * *len get its bytes, which the response holds in full.
 */
static int
imap_fetch_literal(struct imap_fetch_p *fp, char **data, size_t *len)
{
	uint32_t	n;

	fp->p++;	/* '{' */
	if (imap_fetch_number(fp, &n) != 0)
		return -1;
	if (fp->p < fp->end && *fp->p == '+')
		fp->p++;
	if (fp->p >= fp->end || *fp->p++ != '}')
		return imap_fetch_fail(fp, "a bad literal");
	if (fp->p < fp->end && *fp->p == '\r')
		fp->p++;
	if (fp->p >= fp->end || *fp->p++ != '\n' ||
	    (size_t)(fp->end - fp->p) < n)
		return imap_fetch_fail(fp, "a literal cut short");
	*data = fp->p;
	*len = n;
	fp->p += n;
	return 0;
}

/*
 * A string (quoted or literal), or NIL when nil is allowed (*out NULL
 * then): decoded in place and NUL-terminated, as libetpan hands strings
 * over (a NUL inside cuts it there for whoever reads it as a C string).
 * *len gets its decoded length and *quoted whether it was quoted.
 */
static int
imap_fetch_string(struct imap_fetch_p *fp, bool nil, char **out, size_t *len,
    bool *quoted)
{
	char	*start = fp->p, *dst, *data;
	size_t	 n;

	*out = NULL;
	*len = 0;
	if (quoted != NULL)
		*quoted = false;
	if (fp->p >= fp->end)
		return imap_fetch_fail(fp, "a string missing");
	if (*fp->p == '"') {
		dst = start;
		for (fp->p++; fp->p < fp->end && *fp->p != '"'; fp->p++) {
			/* libetpan keeps a backslash before anything else. */
			if (*fp->p == '\\' && fp->p + 1 < fp->end &&
			    (fp->p[1] == '"' || fp->p[1] == '\\'))
				fp->p++;
			if (*fp->p == '\n')
				break;
			*dst++ = *fp->p;
		}
		if (fp->p >= fp->end || *fp->p != '"')
			return imap_fetch_fail(fp, "a quoted string not closed");
		fp->p++;
		*dst = '\0';	/* at most where the closing quote was */
		*out = start;
		*len = (size_t)(dst - start);
		if (quoted != NULL)
			*quoted = true;
		return 0;
	}
	if (*fp->p == '{') {
		if (imap_fetch_literal(fp, &data, &n) != 0)
			return -1;
		/* "{n}" and its line end come first: there is room. */
		memmove(start, data, n);
		start[n] = '\0';
		*out = start;
		*len = n;
		return 0;
	}
	if (nil && imap_fetch_word(fp, "NIL"))
		return 0;
	return imap_fetch_fail(fp, "a string missing");
}

/*
 * Skips one value of any kind: an atom or number (NIL too), a quoted
 * string, a literal, or a parenthesized list of values, nested at most
 * to IMAP_FETCH_MAX_DEPTH with depth already open.
 */
static int
imap_fetch_skip(struct imap_fetch_p *fp, int depth)
{
	char	*s;
	size_t	 n;

	if (fp->p >= fp->end)
		return imap_fetch_fail(fp, "a value missing");
	if (*fp->p == '"' || *fp->p == '{')
		return imap_fetch_string(fp, false, &s, &n, NULL);
	if (*fp->p == '(') {
		if (depth >= IMAP_FETCH_MAX_DEPTH)
			return imap_fetch_fail(fp, "lists nested too deep");
		fp->p++;
		for (;;) {
			imap_fetch_blanks(fp);
			if (fp->p >= fp->end)
				return imap_fetch_fail(fp, "a list not closed");
			if (*fp->p == ')')
				break;
			if (imap_fetch_skip(fp, depth + 1) != 0)
				return -1;
		}
		fp->p++;
		return 0;
	}
	/* An atom; flags (\Seen) and bracketed parts of one included. */
	for (n = 0; fp->p < fp->end; fp->p++, n++) {
		if (*fp->p == '\\' && n == 0)
			continue;
		if (*fp->p == '[') {
			while (fp->p < fp->end && *fp->p != ']' &&
			    *fp->p != '\n')
				fp->p++;
			if (fp->p >= fp->end || *fp->p != ']')
				return imap_fetch_fail(fp, "a '[' not closed");
			continue;
		}
		if (imap_fetch_special(*fp->p) && *fp->p != '<')
			break;
	}
	if (n == 0)
		return imap_fetch_fail(fp, "a value missing");
	return 0;
}

/* A new part at the end of the array; its index, or -1 past the bound. */
static long
imap_fetch_new_part(struct imap_fetch_p *fp, enum imap_fetch_kind kind)
{
	struct imap_fetch	*f = fp->f;
	struct imap_fetch_part	*pt;

	if (f->nparts >= IMAP_FETCH_MAX_PARTS)
		return imap_fetch_fail(fp, "too many parts");
	if (f->nparts == f->partcap) {
		f->partcap = f->partcap == 0 ? 16 : f->partcap * 2;
		f->parts = xreallocarray(f->parts, f->partcap, sizeof *f->parts);
	}
	pt = &f->parts[f->nparts];
	memset(pt, 0, sizeof *pt);
	pt->kind = kind;
	pt->subtype = "";
	pt->encoding = MAILMIME_MECHANISM_8BIT;
	return (long)f->nparts++;
}

/*
 * body-fld-param: NIL, or "(" string SP string *(SP string SP string)
 * ")" (empty too, as libetpan takes it); the parameters go to the
 * array, *first and *n say where.
 */
static int
imap_fetch_params(struct imap_fetch_p *fp, size_t *first, size_t *n)
{
	struct imap_fetch	*f = fp->f;
	char			*name, *value;
	size_t			 len;

	*first = f->nparams;
	*n = 0;
	if (imap_fetch_word(fp, "NIL"))
		return 0;
	if (fp->p >= fp->end || *fp->p != '(')
		return imap_fetch_fail(fp, "a parameter list missing");
	fp->p++;
	for (;;) {
		imap_fetch_blanks(fp);
		if (fp->p < fp->end && *fp->p == ')')
			break;
		if (imap_fetch_string(fp, false, &name, &len, NULL) != 0 ||
		    imap_fetch_sp(fp) != 0 ||
		    imap_fetch_string(fp, false, &value, &len, NULL) != 0)
			return -1;
		if (f->nparams >= IMAP_FETCH_MAX_PARAMS)
			return imap_fetch_fail(fp, "too many parameters");
		if (f->nparams == f->paramcap) {
			f->paramcap = f->paramcap == 0 ? 32 : f->paramcap * 2;
			f->params = xreallocarray(f->params, f->paramcap,
			    sizeof *f->params);
		}
		f->params[f->nparams].name = name;
		f->params[f->nparams].value = value;
		f->nparams++;
		(*n)++;
	}
	fp->p++;
	return 0;
}

/* body-fields: param SP id SP desc SP encoding SP octets, into part i. */
static int
imap_fetch_fields(struct imap_fetch_p *fp, size_t i)
{
	struct imap_fetch_part	*pt;
	size_t			 first, n, len;
	uint32_t		 size;
	char			*s, *enc = NULL;
	bool			 quoted;

	if (imap_fetch_params(fp, &first, &n) != 0 || imap_fetch_sp(fp) != 0 ||
	    imap_fetch_string(fp, true, &s, &len, NULL) != 0 ||
	    imap_fetch_sp(fp) != 0 ||
	    imap_fetch_string(fp, true, &s, &len, NULL) != 0 ||
	    imap_fetch_sp(fp) != 0)
		return -1;
	/* The encoding: a string, NIL, or an atom (Exchange). */
	if (fp->p < fp->end && (*fp->p == '"' || *fp->p == '{')) {
		if (imap_fetch_string(fp, false, &enc, &len, &quoted) != 0)
			return -1;
	} else if (!imap_fetch_word(fp, "NIL")) {
		s = fp->p;
		while (fp->p < fp->end && !imap_fetch_special(*fp->p))
			fp->p++;
		if (fp->p == s)
			return imap_fetch_fail(fp, "an encoding missing");
		enc = s;
		len = (size_t)(fp->p - s);
	}
	if (imap_fetch_sp(fp) != 0 || imap_fetch_number(fp, &size) != 0)
		return -1;
	pt = &fp->f->parts[i];
	pt->param = first;
	pt->nparam = n;
	pt->size = size;
	if (enc != NULL && len == 6 && strncasecmp(enc, "BASE64", 6) == 0)
		pt->encoding = MAILMIME_MECHANISM_BASE64;
	else if (enc != NULL && len == 16 &&
	    strncasecmp(enc, "QUOTED-PRINTABLE", 16) == 0)
		pt->encoding = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
	return 0;
}

/*
 * body-ext-1part: md5 [SP disposition [SP language [SP location *(SP
 * extension)]]], into part i; only the disposition is kept.
 */
static int
imap_fetch_ext(struct imap_fetch_p *fp, size_t i, int depth)
{
	char	*type, *s;
	size_t	 len, first, n;

	if (imap_fetch_string(fp, true, &s, &len, NULL) != 0)
		return -1;
	imap_fetch_blanks(fp);
	if (fp->p >= fp->end || *fp->p == ')')
		return 0;
	if (!imap_fetch_word(fp, "NIL")) {
		if (*fp->p != '(')
			return imap_fetch_fail(fp, "a bad disposition");
		fp->p++;
		if (imap_fetch_string(fp, false, &type, &len, NULL) != 0 ||
		    imap_fetch_sp(fp) != 0 ||
		    imap_fetch_params(fp, &first, &n) != 0)
			return -1;
		imap_fetch_blanks(fp);
		if (fp->p >= fp->end || *fp->p != ')')
			return imap_fetch_fail(fp, "a bad disposition");
		fp->p++;
		fp->f->parts[i].dsp = type;
		fp->f->parts[i].dparam = first;
		fp->f->parts[i].ndparam = n;
	}
	for (;;) {
		imap_fetch_blanks(fp);
		if (fp->p >= fp->end || *fp->p == ')')
			return 0;
		if (imap_fetch_skip(fp, depth) != 0)
			return -1;
	}
}

/* The basic media types libetpan knows by their quoted names. */
static int
imap_fetch_basic(const char *type, bool quoted)
{
	static const struct {
		const char	*name;
		int		 type;
	} types[] = {
		{ "APPLICATION", MAILIMAP_MEDIA_BASIC_APPLICATION },
		{ "AUDIO", MAILIMAP_MEDIA_BASIC_AUDIO },
		{ "IMAGE", MAILIMAP_MEDIA_BASIC_IMAGE },
		{ "MESSAGE", MAILIMAP_MEDIA_BASIC_MESSAGE },
		{ "VIDEO", MAILIMAP_MEDIA_BASIC_VIDEO },
	};
	size_t	i;

	if (type == NULL)
		return MAILIMAP_MEDIA_BASIC_APPLICATION;	/* NIL */
	for (i = 0; quoted && i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(type, types[i].name) == 0)
			return types[i].type;
	return MAILIMAP_MEDIA_BASIC_OTHER;
}

static int	imap_fetch_body(struct imap_fetch_p *, int depth);

/* A single part after its "(": type SP subtype SP fields ... ")". */
static int
imap_fetch_single(struct imap_fetch_p *fp, int depth)
{
	char		*type, *sub;
	size_t		 len;
	bool		 tq, sq;
	long		 i;
	uint32_t	 lines;

	if (imap_fetch_string(fp, true, &type, &len, &tq) != 0 ||
	    imap_fetch_sp(fp) != 0 ||
	    imap_fetch_string(fp, true, &sub, &len, &sq) != 0 ||
	    imap_fetch_sp(fp) != 0)
		return -1;
	if ((i = imap_fetch_new_part(fp, IMAP_PART_BASIC)) < 0)
		return -1;
	fp->f->parts[i].subtype = sub != NULL ? sub : type == NULL ? "DATA" :
	    "";
	fp->f->parts[i].basic = imap_fetch_basic(type, tq);
	if (imap_fetch_fields(fp, (size_t)i) != 0)
		return -1;
	if (tq && sq && sub != NULL && strcasecmp(type, "MESSAGE") == 0 &&
	    strcasecmp(sub, "RFC822") == 0 && fp->end - fp->p >= 2 &&
	    (*fp->p == ' ' || *fp->p == '\t')) {
		imap_fetch_blanks(fp);
		if (fp->p < fp->end && *fp->p == '(') {
			/* envelope SP body SP lines */
			fp->f->parts[i].kind = IMAP_PART_MSG;
			if (imap_fetch_skip(fp, depth) != 0 ||
			    imap_fetch_sp(fp) != 0 ||
			    imap_fetch_body(fp, depth + 1) != 0 ||
			    imap_fetch_sp(fp) != 0 ||
			    imap_fetch_number(fp, &lines) != 0)
				return -1;
			fp->f->parts[i].nchild = 1;
		}
	} else if (tq && type != NULL && strcasecmp(type, "TEXT") == 0 &&
	    fp->end - fp->p >= 2 && (*fp->p == ' ' || *fp->p == '\t')) {
		imap_fetch_blanks(fp);
		if (fp->p < fp->end && *fp->p >= '0' && *fp->p <= '9') {
			fp->f->parts[i].kind = IMAP_PART_TEXT;
			if (imap_fetch_number(fp, &lines) != 0)
				return -1;
		}
	}
	imap_fetch_blanks(fp);
	if (fp->p < fp->end && *fp->p != ')' &&
	    imap_fetch_ext(fp, (size_t)i, depth) != 0)
		return -1;
	fp->f->parts[i].next = fp->f->nparts;
	return 0;
}

/* body: "(" (single part / multipart) ")", depth parentheses open. */
static int
imap_fetch_body(struct imap_fetch_p *fp, int depth)
{
	char	*sub;
	size_t	 len, nchild = 0;
	long	 i;

	if (fp->p >= fp->end || *fp->p != '(')
		return imap_fetch_fail(fp, "a body structure missing");
	if (depth >= IMAP_FETCH_MAX_DEPTH)
		return imap_fetch_fail(fp, "a body structure nested too deep");
	fp->p++;
	imap_fetch_blanks(fp);
	if (fp->p < fp->end && *fp->p == '(') {
		if ((i = imap_fetch_new_part(fp, IMAP_PART_MULTI)) < 0)
			return -1;
		while (fp->p < fp->end && *fp->p == '(') {
			if (imap_fetch_body(fp, depth + 1) != 0)
				return -1;
			nchild++;
			imap_fetch_blanks(fp);
		}
		if (imap_fetch_string(fp, false, &sub, &len, NULL) != 0)
			return -1;
		fp->f->parts[i].subtype = sub;
		fp->f->parts[i].nchild = nchild;
		fp->f->parts[i].next = fp->f->nparts;
		/* body-ext-mpart: nothing of it is read. */
		for (;;) {
			imap_fetch_blanks(fp);
			if (fp->p >= fp->end || *fp->p == ')')
				break;
			if (imap_fetch_skip(fp, depth + 1) != 0)
				return -1;
		}
	} else if (imap_fetch_single(fp, depth + 1) != 0)
		return -1;
	if (fp->p >= fp->end || *fp->p != ')')
		return imap_fetch_fail(fp, "a body structure not closed");
	fp->p++;
	return 0;
}

/* date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", split as libetpan splits it. */
static int
imap_fetch_date(struct imap_fetch_p *fp, struct imap_fetch_msg *m)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	const char	*s;
	size_t		 i;
	uint32_t	 day, year, hour, min, sec, zone;
	int		 sign;

	if (fp->p >= fp->end || *fp->p++ != '"')
		return imap_fetch_fail(fp, "a bad INTERNALDATE");
	if (fp->p < fp->end && *fp->p == ' ')
		fp->p++;
	s = fp->p;
	if (imap_fetch_number(fp, &day) != 0 || fp->p - s > 2 ||
	    fp->end - fp->p < 5 || *fp->p != '-')
		return imap_fetch_fail(fp, "a bad INTERNALDATE");
	for (i = 0; i < 12; i++)
		if (strncasecmp(fp->p + 1, months[i], 3) == 0)
			break;
	if (i == 12 || fp->p[4] != '-')
		return imap_fetch_fail(fp, "a bad INTERNALDATE");
	fp->p += 5;
	s = fp->p;
	if (imap_fetch_number(fp, &year) != 0 || fp->p - s != 4 ||
	    imap_fetch_sp(fp) != 0)
		return imap_fetch_fail(fp, "a bad INTERNALDATE");
	if (imap_fetch_number(fp, &hour) != 0 || fp->p >= fp->end ||
	    *fp->p++ != ':' || imap_fetch_number(fp, &min) != 0 ||
	    fp->p >= fp->end || *fp->p++ != ':' ||
	    imap_fetch_number(fp, &sec) != 0 || imap_fetch_sp(fp) != 0 ||
	    fp->p >= fp->end || (*fp->p != '+' && *fp->p != '-'))
		return imap_fetch_fail(fp, "a bad INTERNALDATE");
	sign = *fp->p++ == '-' ? -1 : 1;
	if (imap_fetch_number(fp, &zone) != 0 || zone > 9999 ||
	    hour > 99 || min > 99 || sec > 99 || day > 99 ||
	    fp->p >= fp->end || *fp->p++ != '"')
		return imap_fetch_fail(fp, "a bad INTERNALDATE");
	m->has_date = true;
	m->day = (int)day;
	m->month = (int)i + 1;
	m->year = (int)year;
	m->hour = (int)hour;
	m->min = (int)min;
	m->sec = (int)sec;
	m->zone = sign * (int)zone;
	return 0;
}

/*
 * Whether a section (between the brackets) is HEADER.FIELDS (RECEIVED),
 * the probe, and not another one: one header name, RECEIVED in any case,
 * bare or quoted.
 */
static bool
imap_fetch_is_probe(const char *s, size_t n)
{
	const char	*e = s + n;

	if (n < 13 || strncasecmp(s, "HEADER.FIELDS", 13) != 0)
		return false;
	for (s += 13; s < e && (*s == ' ' || *s == '\t'); s++)
		;
	if (s >= e || *s++ != '(')
		return false;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (e - s >= 10 && strncasecmp(s, "\"RECEIVED\"", 10) == 0)
		s += 10;
	else if (e - s >= 8 && strncasecmp(s, "RECEIVED", 8) == 0)
		s += 8;
	else
		return false;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s + 1 == e && *s == ')';
}

/* BODY[section]<origin> SP nstring, after "BODY[". */
static int
imap_fetch_section(struct imap_fetch_p *fp, struct imap_fetch_msg *m)
{
	char	*sec = fp->p, *data;
	size_t	 len;
	uint32_t origin;
	bool	 probe;

	while (fp->p < fp->end && *fp->p != ']') {
		if (*fp->p == '\n' || *fp->p == '{')
			return imap_fetch_fail(fp, "a bad section");
		if (*fp->p == '"')
			for (fp->p++; fp->p < fp->end && *fp->p != '"' &&
			    *fp->p != '\n'; fp->p++)
				;
		if (fp->p < fp->end)
			fp->p++;
	}
	if (fp->p >= fp->end)
		return imap_fetch_fail(fp, "a section not closed");
	probe = imap_fetch_is_probe(sec, (size_t)(fp->p - sec));
	fp->p++;
	if (fp->p < fp->end && *fp->p == '<') {
		fp->p++;
		if (imap_fetch_number(fp, &origin) != 0 || fp->p >= fp->end ||
		    *fp->p++ != '>')
			return imap_fetch_fail(fp, "a bad origin");
	}
	if (imap_fetch_sp(fp) != 0 ||
	    imap_fetch_string(fp, true, &data, &len, NULL) != 0)
		return -1;
	if (probe) {
		m->has_probe = true;
		m->probe = data;
		m->probelen = len;
	} else {
		m->has_hdr = true;
		m->hdr = data;
		m->hdrlen = len;
	}
	return 0;
}

/* The items of a FETCH response, after its "(". */
static int
imap_fetch_items(struct imap_fetch_p *fp, struct imap_fetch_msg *m)
{
	struct imap_fetch	*f = fp->f;
	uint32_t		 uid;
	char			*name;

	for (;;) {
		imap_fetch_blanks(fp);
		if (fp->p >= fp->end)
			return imap_fetch_fail(fp, "the item list not closed");
		if (*fp->p == ')')
			break;
		if (imap_fetch_word(fp, "UID")) {
			if (imap_fetch_sp(fp) != 0 ||
			    imap_fetch_number(fp, &uid) != 0)
				return -1;
			if (uid == 0)
				return imap_fetch_fail(fp, "UID 0");
			m->uid = uid;
		} else if (imap_fetch_word(fp, "INTERNALDATE")) {
			if (imap_fetch_sp(fp) != 0 || imap_fetch_date(fp, m) != 0)
				return -1;
		} else if (imap_fetch_word(fp, "BODYSTRUCTURE")) {
			/* The last one counts, as in libetpan's list. */
			f->nparts = f->nparams = 0;
			if (imap_fetch_sp(fp) != 0 || imap_fetch_body(fp, 1) != 0)
				return -1;
			m->nparts = f->nparts;
		} else if (fp->end - fp->p >= 5 &&
		    strncasecmp(fp->p, "BODY[", 5) == 0) {
			fp->p += 5;
			if (imap_fetch_section(fp, m) != 0)
				return -1;
		} else {
			/* Any other item: its name (with [] and <>), a value. */
			name = fp->p;
			while (fp->p < fp->end && *fp->p != ' ' &&
			    *fp->p != '\t' && *fp->p != ')' && *fp->p != '(' &&
			    *fp->p != '\r' && *fp->p != '\n' && *fp->p != '"' &&
			    *fp->p != '{') {
				if (*fp->p == '[')
					while (fp->p < fp->end && *fp->p != ']' &&
					    *fp->p != '\n')
						fp->p++;
				if (fp->p < fp->end)
					fp->p++;
			}
			if (fp->p == name)
				return imap_fetch_fail(fp, "an item missing");
			if (imap_fetch_sp(fp) != 0 || imap_fetch_skip(fp, 1) != 0)
				return -1;
		}
	}
	fp->p++;
	imap_fetch_blanks(fp);
	if (fp->p < fp->end && *fp->p == '\r')
		fp->p++;
	if (fp->p < fp->end && *fp->p == '\n')
		fp->p++;
	if (fp->p != fp->end)
		return imap_fetch_fail(fp, "more after the item list");
	return 0;
}

int
imap_fetch_parse(struct imap_fetch *f, char *resp, size_t len,
    struct imap_fetch_msg *out)
{
	struct imap_fetch_p	fp = { resp, resp + len, f, NULL };
	uint32_t		seq;

	memset(out, 0, sizeof *out);
	f->nparts = f->nparams = 0;
	if (len < 2 || resp[0] != '*' || resp[1] != ' ')
		return 0;
	fp.p += 2;
	if (imap_fetch_number(&fp, &seq) != 0 || imap_fetch_sp(&fp) != 0 ||
	    !imap_fetch_word(&fp, "FETCH"))
		return 0;
	out->seq = seq;
	if (imap_fetch_sp(&fp) != 0 || fp.p >= fp.end || *fp.p++ != '(' ||
	    imap_fetch_items(&fp, out) != 0) {
		out->bad = true;
		snprintf(out->why, sizeof out->why, "unparsable FETCH response "
		    "(%s)", fp.why != NULL ? fp.why : "no item list");
		out->parts = NULL;
		out->nparts = 0;
		return 1;
	}
	out->parts = out->nparts > 0 ? f->parts : NULL;
	out->params = f->params;
	return 1;
}

void
imap_fetch_clear(struct imap_fetch *f)
{
	free(f->parts);
	free(f->params);
	memset(f, 0, sizeof *f);
}

/* The command: UID FETCH set (items), with its line end. */
static char *
imap_fetch_command(const uint32_t *uids, size_t n, bool probe)
{
	static const char *const hdrs[] = { MAIL_HEADERS };
	struct buf	b = { NULL, 0, 0 };
	size_t		i, j;

	buf_puts(&b, "UID FETCH ");
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		buf_printf(&b, "%s%u", i > 0 ? "," : "", uids[i]);
		if (j > i)
			buf_printf(&b, ":%u", uids[j]);
	}
	buf_puts(&b, " (");
	if (probe)
		buf_puts(&b, "BODY.PEEK[HEADER.FIELDS (RECEIVED)]<0.1> ");
	buf_puts(&b, "UID INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (");
	for (i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++)
		buf_printf(&b, "%s%s", i > 0 ? " " : "", hdrs[i]);
	buf_puts(&b, ")])\r\n");
	return b.data;
}

/* What imap_fetch_run's lines hand to the parser. */
struct imap_fetch_run {
	struct imap_fetch	 f;
	imap_fetch_fn		 fn;
	void			*arg;
};

/* One untagged response of the UID FETCH: a message, or another kind. */
static void
imap_fetch_run_line(char *line, size_t len, void *arg)
{
	struct imap_fetch_run	*run = arg;
	struct imap_fetch_msg	 m;

	if (imap_fetch_parse(&run->f, line, len, &m) == 1)
		run->fn(&m, run->arg);
}

int
imap_fetch_run(mailimap *imap, const uint32_t *uids, size_t n, bool probe,
    imap_fetch_fn fn, void *arg, char *text, size_t textlen)
{
	struct imap_fetch_run	 run = { .fn = fn, .arg = arg };
	char			*cmd;
	int			 r;

	text[0] = '\0';
	if (imap->imap_state != MAILIMAP_STATE_SELECTED)
		return MAILIMAP_ERROR_BAD_STATE;
	cmd = imap_fetch_command(uids, n, probe);
	r = imap_list_command(imap, cmd, MAILIMAP_ERROR_UID_FETCH,
	    imap_fetch_run_line, &run, text, textlen);
	free(cmd);
	imap_fetch_clear(&run.f);
	return r;
}
