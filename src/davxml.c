/* SPDX-License-Identifier: MIT */
/*
 * Streaming multistatus parser on expat.  The parser runs in namespace
 * mode (XML_ParserCreateNS with a space as separator), so "DAV: href" is
 * the same element whether the server wrote D:href, d:href or a default
 * namespace.  An element stack tells where we are; text is collected only
 * for the few elements we read, bounded per element.  Properties are kept
 * per propstat and merged into the response only when the propstat's
 * status is 2xx: Google and others list live items with a propstat 404
 * for properties they do not have (RFC 4918 section 14.22).
 *
 * Document type declarations are refused outright: a multistatus has no
 * use for them and they are the door to entity expansion.  What expat
 * keeps is bounded too: every open element costs it memory (so nesting
 * is limited), and it buffers a whole tag, comment or processing
 * instruction before reporting it, so the bytes fed since the last event
 * are limited (DAVXML_MAX_TOKEN); text is reported as it comes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "davxml.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define NS_DAV		"DAV:"
#define NS_CALDAV	"urn:ietf:params:xml:ns:caldav"
#define NS_CS		"http://calendarserver.org/ns/"
#define DAVXML_MAX_ERROR_NAME	128	/* bytes kept of a condition's name */

enum dav_elem {
	E_OTHER, E_MULTISTATUS, E_RESPONSE, E_HREF, E_STATUS, E_PROPSTAT,
	E_PROP, E_GETETAG, E_GETCTAG, E_SYNC_TOKEN, E_DISPLAYNAME,
	E_RESOURCETYPE, E_COLLECTION, E_CALENDAR, E_COMPSET, E_COMP,
	E_CALDATA, E_PRINCIPAL, E_HOMESET, E_ERROR, E_UNAUTHENTICATED,
	E_SHARED,
};

static const struct {
	const char	*name;	/* namespace URI, space, local name */
	enum dav_elem	 id;
} davxml_names[] = {
	{ NS_DAV " multistatus", E_MULTISTATUS },
	{ NS_DAV " response", E_RESPONSE },
	{ NS_DAV " href", E_HREF },
	{ NS_DAV " status", E_STATUS },
	{ NS_DAV " propstat", E_PROPSTAT },
	{ NS_DAV " prop", E_PROP },
	{ NS_DAV " getetag", E_GETETAG },
	{ NS_CS " getctag", E_GETCTAG },
	{ NS_DAV " sync-token", E_SYNC_TOKEN },
	{ NS_DAV " displayname", E_DISPLAYNAME },
	{ NS_DAV " resourcetype", E_RESOURCETYPE },
	{ NS_DAV " collection", E_COLLECTION },
	{ NS_CALDAV " calendar", E_CALENDAR },
	{ NS_CALDAV " supported-calendar-component-set", E_COMPSET },
	{ NS_CALDAV " comp", E_COMP },
	{ NS_CALDAV " calendar-data", E_CALDATA },
	{ NS_DAV " current-user-principal", E_PRINCIPAL },
	{ NS_CALDAV " calendar-home-set", E_HOMESET },
	{ NS_DAV " error", E_ERROR },
	{ NS_DAV " unauthenticated", E_UNAUTHENTICATED },
	{ NS_CS " shared", E_SHARED },
};

/* Properties of a response, or of one propstat before its status is known. */
struct davxml_props {
	char	*etag, *ctag, *sync_token, *displayname;	/* owned */
	char	*principal, *home_set;				/* owned */
	char	*data;						/* owned */
	size_t	 data_len;
	bool	 data_too_big;
	bool	 collection, calendar, shared, comp_set, comp_vevent;
	bool	 unauthenticated;	/* the principal: DAV:unauthenticated */
};

/* Where collected text goes when its element ends. */
enum davxml_target {
	T_NONE, T_HREF, T_RESP_STATUS, T_PROPSTAT_STATUS, T_ETAG, T_CTAG,
	T_PROP_TOKEN, T_DISPLAYNAME, T_DATA, T_PRINCIPAL, T_HOMESET, T_DOC_TOKEN,
};

struct davxml {
	XML_Parser	 parser;
	davxml_cb	 cb;
	void		*arg;
	struct err	 cb_err;
	bool		 cb_failed;

	enum dav_elem	 stack[DAVXML_MAX_DEPTH];
	int		 depth;
	unsigned long long fed;		/* bytes given to expat */
	unsigned long long mark;	/* where its last event started */

	enum davxml_target target;
	int		 target_depth;
	struct buf	 text;
	size_t		 text_max;
	bool		 text_over;

	/* The response being read. */
	struct strlist	 hrefs;
	int		 status;
	struct davxml_props props;
	struct davxml_props pend;
	int		 pend_status;

	char		*sync_token;	/* owned: the document's */
	bool		 truncated;
	struct strlist	 errors;	/* local names of error preconditions */
	unsigned	 nerrors;	/* conditions seen, kept or not */
	unsigned long	 nresponses;
};

static enum dav_elem
davxml_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof davxml_names / sizeof davxml_names[0]; i++) {
		if (strcmp(name, davxml_names[i].name) == 0)
			return davxml_names[i].id;
	}
	return E_OTHER;
}

/* The element at the given distance above the current one (0 = parent). */
static enum dav_elem
davxml_up(const struct davxml *x, int n)
{
	int i = x->depth - 1 - n;

	if (i < 0 || i >= DAVXML_MAX_DEPTH)
		return E_OTHER;
	return x->stack[i];
}

static void
davxml_props_free(struct davxml_props *p)
{
	free(p->etag);
	free(p->ctag);
	free(p->sync_token);
	free(p->displayname);
	free(p->principal);
	free(p->home_set);
	free(p->data);
	memset(p, 0, sizeof *p);
}

/* Moves a string into *dst unless it is set already. */
static void
davxml_take(char **dst, char **src)
{
	if (*dst == NULL) {
		*dst = *src;
		*src = NULL;
	}
}

/* Merges a propstat's properties into the response's (first one wins). */
static void
davxml_props_merge(struct davxml_props *dst, struct davxml_props *src)
{
	davxml_take(&dst->etag, &src->etag);
	davxml_take(&dst->ctag, &src->ctag);
	davxml_take(&dst->sync_token, &src->sync_token);
	davxml_take(&dst->displayname, &src->displayname);
	davxml_take(&dst->principal, &src->principal);
	davxml_take(&dst->home_set, &src->home_set);
	if (dst->data == NULL && !dst->data_too_big) {
		dst->data = src->data;
		dst->data_len = src->data_len;
		dst->data_too_big = src->data_too_big;
		src->data = NULL;
	}
	dst->collection |= src->collection;
	dst->unauthenticated |= src->unauthenticated;
	dst->calendar |= src->calendar;
	dst->shared |= src->shared;
	dst->comp_set |= src->comp_set;
	dst->comp_vevent |= src->comp_vevent;
	davxml_props_free(src);
}

/* The number in "HTTP/1.1 404 Not Found"; 0 if there is none. */
static int
davxml_parse_status(const char *s)
{
	const char *sp = strchr(s, ' ');
	char *end;
	long v;

	if (sp == NULL)
		return 0;
	v = strtol(sp + 1, &end, 10);
	if (end == sp + 1 || v < 100 || v > 999)
		return 0;
	return (int)v;
}

/*
 * The text without leading and trailing white space, copied, with control
 * characters as '?': C0 and DEL, and C1 (U+0080 to U+009F, which expat
 * hands over as UTF-8 C2 80 to C2 9F) as one '?' each.
 */
static char *
davxml_trimmed(const char *s, size_t len)
{
	unsigned char *out, *q;
	size_t i;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	out = q = (unsigned char *)xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			*q++ = '?';
			i++;
		} else
			*q++ = c < 0x20 || c == 0x7f ? '?' : c;
	}
	*q = '\0';
	return (char *)out;
}

/* Stops the parser with a limit's error. */
static void __attribute__((format(printf, 2, 3)))
davxml_refuse(struct davxml *x, const char *fmt, ...)
{
	va_list ap;

	if (x->cb_failed)
		return;
	x->cb_err.cls = ERR_DATA;
	va_start(ap, fmt);
	vsnprintf(x->cb_err.msg, sizeof x->cb_err.msg, fmt, ap);
	va_end(ap);
	x->cb_failed = true;
	XML_StopParser(x->parser, XML_FALSE);
}

/*
 * Notes that expat got as far as the event it reports now, and refuses
 * the event when it is one token over DAVXML_MAX_TOKEN (the check in
 * davxml_feed sees only what is still buffered between two pieces).
 */
static void
davxml_progress(struct davxml *x)
{
	XML_Index i = XML_GetCurrentByteIndex(x->parser);

	if (i >= 0 && (unsigned long long)i > x->mark)
		x->mark = (unsigned long long)i;
	if ((unsigned)XML_GetCurrentByteCount(x->parser) > DAVXML_MAX_TOKEN)
		davxml_refuse(x, "an XML token (a tag, comment or the like) "
		    "larger than %u MiB", DAVXML_MAX_TOKEN >> 20);
}

/* Comments and processing instructions only count as progress. */
static void XMLCALL
davxml_comment(void *arg, const XML_Char *data)
{
	(void)data;
	davxml_progress(arg);
}

static void XMLCALL
davxml_pi(void *arg, const XML_Char *target, const XML_Char *data)
{
	(void)target;
	(void)data;
	davxml_progress(arg);
}

static void
davxml_begin_text(struct davxml *x, enum davxml_target t)
{
	x->target = t;
	x->target_depth = x->depth;
	x->text_max = t == T_DATA ? DAVXML_MAX_DATA : DAVXML_MAX_TEXT;
	x->text_over = false;
	buf_reset(&x->text);
}

/* Hands every href of the finished response to the callback. */
static void
davxml_end_response(struct davxml *x)
{
	struct dav_response r;
	size_t i;

	x->nresponses++;
	if (x->status == 507) {
		x->truncated = true;
		goto out;
	}
	for (i = 0; i < x->hrefs.n && !x->cb_failed; i++) {
		memset(&r, 0, sizeof r);
		r.href = x->hrefs.v[i];
		r.status = x->status;
		r.etag = x->props.etag;
		r.ctag = x->props.ctag;
		r.sync_token = x->props.sync_token;
		r.displayname = x->props.displayname;
		r.collection = x->props.collection;
		r.calendar = x->props.calendar;
		r.shared = x->props.shared;
		r.comp_set = x->props.comp_set;
		r.comp_vevent = x->props.comp_vevent;
		r.calendar_data = x->props.data;
		r.calendar_data_len = x->props.data_len;
		r.calendar_data_too_big = x->props.data_too_big;
		r.principal = x->props.principal;
		r.unauthenticated = x->props.unauthenticated;
		r.home_set = x->props.home_set;
		if (x->cb(&r, x->arg, &x->cb_err) != 0) {
			x->cb_failed = true;
			XML_StopParser(x->parser, XML_FALSE);
		}
	}
out:
	strlist_clear(&x->hrefs);
	davxml_props_free(&x->props);
	davxml_props_free(&x->pend);
	x->status = 0;
}

/* Stores the collected text where it belongs. */
static void
davxml_end_text(struct davxml *x)
{
	struct davxml_props *p = &x->pend;
	/* An empty element leaves the buffer unallocated. */
	const char *text = x->text.data != NULL ? x->text.data : "";
	char **dst = NULL;

	switch (x->target) {
	case T_NONE:
		return;
	case T_HREF:
		if (x->hrefs.n >= DAVXML_MAX_HREFS) {
			davxml_refuse(x, "a response with more than %u hrefs",
			    DAVXML_MAX_HREFS);
			break;
		}
		if (!x->text_over) {
			char *raw = xstrndup(text, x->text.len);

			strlist_take(&x->hrefs,
			    davxml_normalize_href(util_trim(raw)));
			free(raw);
		}
		break;
	case T_RESP_STATUS:
		x->status = davxml_parse_status(text);
		break;
	case T_PROPSTAT_STATUS:
		x->pend_status = davxml_parse_status(text);
		break;
	case T_ETAG:
		dst = &p->etag;
		break;
	case T_CTAG:
		dst = &p->ctag;
		break;
	case T_PROP_TOKEN:
		dst = &p->sync_token;
		break;
	case T_DISPLAYNAME:
		dst = &p->displayname;
		break;
	case T_PRINCIPAL:
		dst = &p->principal;
		break;
	case T_HOMESET:
		dst = &p->home_set;
		break;
	case T_DOC_TOKEN:
		dst = &x->sync_token;
		break;
	case T_DATA:
		if (p->data != NULL || p->data_too_big)
			break;
		if (x->text_over) {
			p->data_too_big = true;
			break;
		}
		p->data = xstrndup(text, x->text.len);
		p->data_len = x->text.len;
		break;
	}
	if (dst != NULL && *dst == NULL && !x->text_over)
		*dst = davxml_trimmed(text, x->text.len);
	x->target = T_NONE;
	buf_reset(&x->text);
}

static void XMLCALL
davxml_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct davxml *x = arg;
	enum dav_elem e = davxml_lookup(name);
	enum dav_elem parent = davxml_up(x, 0);
	const char *local;
	size_t i;

	davxml_progress(x);
	if (x->cb_failed)
		return;
	if (x->depth >= DAVXML_MAX_DEPTH) {
		davxml_refuse(x, "elements nested deeper than %d", DAVXML_MAX_DEPTH);
		return;
	}
	if (x->target != T_NONE) {
		/* Markup inside text we collect (a server bug): ignore it. */
		x->stack[x->depth++] = E_OTHER;
		return;
	}
	if (parent == E_ERROR) {
		local = strchr(name, ' ');
		local = local != NULL ? local + 1 : name;
		if (++x->nerrors > DAVXML_MAX_ERRORS) {
			davxml_refuse(x, "a DAV:error with more than %u conditions",
			    DAVXML_MAX_ERRORS);
			return;
		}
		if (strlen(local) <= DAVXML_MAX_ERROR_NAME &&
		    !davxml_has_error(x, local))
			strlist_add(&x->errors, local);
	}
	switch (e) {
	case E_HREF:
		if (parent == E_RESPONSE)
			davxml_begin_text(x, T_HREF);
		else if (parent == E_PRINCIPAL && davxml_up(x, 1) == E_PROP)
			davxml_begin_text(x, T_PRINCIPAL);
		else if (parent == E_HOMESET && davxml_up(x, 1) == E_PROP)
			davxml_begin_text(x, T_HOMESET);
		break;
	case E_STATUS:
		if (parent == E_RESPONSE)
			davxml_begin_text(x, T_RESP_STATUS);
		else if (parent == E_PROPSTAT)
			davxml_begin_text(x, T_PROPSTAT_STATUS);
		break;
	case E_SYNC_TOKEN:
		if (parent == E_MULTISTATUS)
			davxml_begin_text(x, T_DOC_TOKEN);
		else if (parent == E_PROP)
			davxml_begin_text(x, T_PROP_TOKEN);
		break;
	case E_GETETAG:
	case E_GETCTAG:
	case E_DISPLAYNAME:
	case E_CALDATA:
		if (parent != E_PROP)
			break;
		davxml_begin_text(x, e == E_GETETAG ? T_ETAG : e == E_GETCTAG ?
		    T_CTAG : e == E_DISPLAYNAME ? T_DISPLAYNAME : T_DATA);
		break;
	case E_COLLECTION:
		if (parent == E_RESOURCETYPE)
			x->pend.collection = true;
		break;
	case E_UNAUTHENTICATED:
		/* RFC 5397 section 3: the request was not authenticated. */
		if (parent == E_PRINCIPAL && davxml_up(x, 1) == E_PROP)
			x->pend.unauthenticated = true;
		break;
	case E_CALENDAR:
		if (parent == E_RESOURCETYPE)
			x->pend.calendar = true;
		break;
	case E_SHARED:
		/* A sharee's view (SabreDAV, Apple); the owner's says shared-owner. */
		if (parent == E_RESOURCETYPE)
			x->pend.shared = true;
		break;
	case E_COMPSET:
		if (parent == E_PROP)
			x->pend.comp_set = true;
		break;
	case E_COMP:
		if (parent != E_COMPSET)
			break;
		for (i = 0; attrs[i] != NULL; i += 2) {
			if (strcmp(attrs[i], "name") == 0 &&
			    strcasecmp(attrs[i + 1], "VEVENT") == 0)
				x->pend.comp_vevent = true;
		}
		break;
	case E_PROPSTAT:
		davxml_props_free(&x->pend);
		x->pend_status = 0;
		break;
	case E_RESPONSE:
		strlist_clear(&x->hrefs);
		davxml_props_free(&x->props);
		davxml_props_free(&x->pend);
		x->status = 0;
		break;
	default:
		break;
	}
	x->stack[x->depth++] = e;
}

static void XMLCALL
davxml_end(void *arg, const XML_Char *name)
{
	struct davxml *x = arg;
	enum dav_elem e;

	(void)name;
	davxml_progress(x);
	/* After a refusal expat may still close what it opened. */
	if (x->cb_failed || x->depth == 0)
		return;
	x->depth--;
	if (x->target != T_NONE) {
		if (x->depth == x->target_depth)
			davxml_end_text(x);
		return;
	}
	e = x->stack[x->depth];
	if (e == E_PROPSTAT) {
		if (x->pend_status == 0 ||
		    (x->pend_status >= 200 && x->pend_status < 300))
			davxml_props_merge(&x->props, &x->pend);
		else
			davxml_props_free(&x->pend);
	} else if (e == E_RESPONSE)
		davxml_end_response(x);
}

static void XMLCALL
davxml_chars(void *arg, const XML_Char *s, int len)
{
	struct davxml *x = arg;

	davxml_progress(x);
	if (x->target == T_NONE || x->text_over || len <= 0)
		return;
	if (x->text.len + (size_t)len > x->text_max) {
		x->text_over = true;
		buf_reset(&x->text);
		return;
	}
	buf_append(&x->text, s, (size_t)len);
}

static void XMLCALL
davxml_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	struct davxml *x = arg;

	(void)name; (void)sysid; (void)pubid; (void)has_internal_subset;
	err_set(&x->cb_err, ERR_DATA, "document type declarations are not allowed");
	x->cb_failed = true;
	XML_StopParser(x->parser, XML_FALSE);
}

struct davxml *
davxml_new(davxml_cb cb, void *arg)
{
	struct davxml *x;

	x = xcalloc(1, sizeof *x);
	x->parser = XML_ParserCreateNS(NULL, ' ');
	if (x->parser == NULL)
		fatal("XML_ParserCreateNS failed");
	x->cb = cb;
	x->arg = arg;
	XML_SetUserData(x->parser, x);
	XML_SetElementHandler(x->parser, davxml_start, davxml_end);
	XML_SetCharacterDataHandler(x->parser, davxml_chars);
	XML_SetStartDoctypeDeclHandler(x->parser, davxml_doctype);
	XML_SetCommentHandler(x->parser, davxml_comment);
	XML_SetProcessingInstructionHandler(x->parser, davxml_pi);
	return x;
}

void
davxml_free(struct davxml *x)
{
	if (x == NULL)
		return;
	XML_ParserFree(x->parser);
	buf_free(&x->text);
	strlist_clear(&x->hrefs);
	davxml_props_free(&x->props);
	davxml_props_free(&x->pend);
	free(x->sync_token);
	strlist_clear(&x->errors);
	free(x);
}

int
davxml_feed(struct davxml *x, const char *data, size_t len, bool last,
    struct err *err)
{
	enum XML_Status st;

	if (x->cb_failed) {
		*err = x->cb_err;
		return -1;
	}
	while (len > 0 || last) {
		int n = len > (1u << 30) ? (1 << 30) : (int)len;

		st = XML_Parse(x->parser, data, n, last && (size_t)n == len);
		x->fed += (unsigned long long)n;
		if (x->cb_failed) {
			*err = x->cb_err;
			return -1;
		}
		/* A token expat is still buffering: refuse it past the limit. */
		if (st == XML_STATUS_OK && x->fed - x->mark > DAVXML_MAX_TOKEN) {
			davxml_refuse(x, "an XML token (a tag, comment or the "
			    "like) larger than %u MiB", DAVXML_MAX_TOKEN >> 20);
			*err = x->cb_err;
			return -1;
		}
		if (st != XML_STATUS_OK)
			return err_set(err, ERR_DATA, "malformed XML at line %lu: %s",
			    (unsigned long)XML_GetCurrentLineNumber(x->parser),
			    XML_ErrorString(XML_GetErrorCode(x->parser)));
		/* The last piece (data may be NULL then: no pointer arithmetic). */
		if ((size_t)n == len)
			break;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *
davxml_sync_token(const struct davxml *x)
{
	return x->sync_token;
}

bool
davxml_truncated(const struct davxml *x)
{
	return x->truncated;
}

bool
davxml_has_error(const struct davxml *x, const char *local_name)
{
	size_t i;

	for (i = 0; i < x->errors.n; i++) {
		if (strcmp(x->errors.v[i], local_name) == 0)
			return true;
	}
	return false;
}

unsigned long
davxml_responses(const struct davxml *x)
{
	return x->nresponses;
}

/* True for RFC 3986 unreserved characters. */
static bool
davxml_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int
davxml_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
davxml_normalize_href(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = { 0 };
	const unsigned char *p = (const unsigned char *)s;
	char esc[3];
	int hi, lo;

	while (*p != '\0') {
		if (*p == '%' && (hi = davxml_hexval(p[1])) >= 0 &&
		    (lo = davxml_hexval(p[2])) >= 0) {
			unsigned char c = (unsigned char)(hi * 16 + lo);

			if (davxml_unreserved(c))
				buf_append(&b, (const char *)&c, 1);
			else {
				esc[0] = '%';
				esc[1] = hex[hi];
				esc[2] = hex[lo];
				buf_append(&b, esc, 3);
			}
			p += 3;
			continue;
		}
		if (*p <= 0x20 || *p >= 0x7f || *p == '%' ||
		    strchr("<>\"{}|\\^`", *p) != NULL) {
			esc[0] = '%';
			esc[1] = hex[*p >> 4];
			esc[2] = hex[*p & 15];
			buf_append(&b, esc, 3);
		} else
			buf_append(&b, (const char *)p, 1);
		p++;
	}
	return b.data != NULL ? b.data : xstrdup("");
}

char *
davxml_escape(const char *s)
{
	struct buf b = { 0 };

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(&b, "&amp;");
			break;
		case '<':
			buf_puts(&b, "&lt;");
			break;
		case '>':
			buf_puts(&b, "&gt;");
			break;
		case '"':
			buf_puts(&b, "&quot;");
			break;
		default:
			buf_append(&b, s, 1);
			break;
		}
	}
	return b.data != NULL ? b.data : xstrdup("");
}
