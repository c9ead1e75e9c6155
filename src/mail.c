/* SPDX-License-Identifier: MIT */
/*
 * Mail extraction: turns the bytes of one RFC 5322 message into a mail
 * summary (mail.h) with libetpan's header (mailimf) and MIME (mailmime)
 * parsers and mime.c's decoders.  The header is read by one function for
 * both paths: mail_parse() hands it the header of a file's message,
 * mail_apply_header() the header fields an IMAP server returns, so that
 * a message gives the same summary whichever way it is read.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "mail"
#include "log.h"
#include "mail.h"
#include "mime.h"
#include "util.h"

#define MAIL_LINE_MAX		(64 * 1024)	/* longest line handed to libetpan */
#define MAIL_FIELD_MAX		(64 * 1024)	/* longest header field, folded */
#define MAIL_MAX_DEPTH		32		/* multipart and message nesting */
#define MAIL_BOUNDARY_MAX	200		/* RFC 2046 allows 70 */
#define MAIL_TEXT_MAX		(64 * 1024)	/* text scanned for hashtags */
#define MAIL_CALENDAR_MAX	(1024 * 1024)	/* largest calendar part kept */
#define MAIL_HASHTAG_VALUE_MAX	200
#define MAIL_MAX_HASHTAGS	100		/* kept per summary */

/*
 * Hashtags: those that take a value run to the end of their line; #verbal,
 * #lost and #won may be followed by words up to the next hashtag (a note
 * to self names its account there: "#lost acme.nl te duur").  The list is
 * classify.c's table of hashtags (which kind each gives) by name.
 */
enum mail_tag_value { TAG_NO_VALUE, TAG_VALUE, TAG_OPTIONAL_VALUE };

static const struct {
	const char		*tag;
	enum mail_tag_value	 value;
} mail_hashtags[] = {
	{ "verbal", TAG_OPTIONAL_VALUE }, { "lost", TAG_OPTIONAL_VALUE },
	{ "won", TAG_OPTIONAL_VALUE }, { "snooze", TAG_VALUE },
	{ "value", TAG_VALUE }, { "waarde", TAG_VALUE },
	{ "bedrag", TAG_VALUE },
	{ "decision", TAG_VALUE }, { "competitor", TAG_VALUE },
	{ "need", TAG_VALUE }, { "problem", TAG_VALUE },
};

/*
 * The line that some mail client writes above the text it quotes in a
 * reply or forward, below which no hashtag counts: an old "#lost acme.nl"
 * quoted in an answer must not lose the deal again.  "On <date>, <name>
 * wrote:", "Op <datum> schreef <naam>:", "Am ... schrieb ...:", "Le ...
 * a écrit :" (often wrapped, so only the line's end is matched), and the
 * separators of Outlook ("-----Original Message-----", "-----Oorspronkelijk
 * bericht-----", a row of underscores above "From:").
 */
static bool
mail_quote_header(const char *s, size_t n)
{
	static const char *const said[] = { "wrote", "schreef", "schrieb",
	    "a \303\251crit", "a ecrit" };
	size_t i, k, len;

	while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 5 && (strncmp(s, "-----", 5) == 0 ||
	    strncmp(s, "_____", 5) == 0))
		return true;
	if (n == 0)
		return false;
	/*
	 * "On <date> ... wrote" wrapped before its colon: a line that opens
	 * like a quote header, with a digit of the date in it.
	 */
	if (s[n - 1] != ':') {
		if (n < 4 || s[2] != ' ' || (strncasecmp(s, "on", 2) != 0 &&
		    strncasecmp(s, "op", 2) != 0 &&
		    strncasecmp(s, "am", 2) != 0 &&
		    strncasecmp(s, "le", 2) != 0))
			return false;
		for (i = 0; i < n && !isdigit((unsigned char)s[i]); i++)
			;
		if (i == n)
			return false;
	} else
		n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    (n > 1 && (unsigned char)s[n - 2] == 0xc2 &&
	    (unsigned char)s[n - 1] == 0xa0))) {
		n -= (unsigned char)s[n - 1] == 0xa0 ? 2 : 1;
	}
	for (k = 0; k < sizeof said / sizeof said[0]; k++) {
		len = strlen(said[k]);
		for (i = 0; i + len <= n; i++)
			if (strncasecmp(s + i, said[k], len) == 0 &&
			    (i == 0 || s[i - 1] == ' ') &&
			    (i + len == n || s[i + len] == ' '))
				return true;
	}
	return false;
}

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
		if (mail_quote_header(p, n))
			break;
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
		name = mime_decode_header(mb->mb_display_name);
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

/* True for the thread headers, read as raw values by mail_apply_ids. */
static bool
mail_is_id_field(const char *name)
{
	return strcasecmp(name, "Message-ID") == 0 ||
	    strcasecmp(name, "In-Reply-To") == 0 ||
	    strcasecmp(name, "References") == 0;
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
		/*
		 * Parsed only when it may name a report (mail_check_dsn):
		 * a subtype is one token, so it is in the text as such, and
		 * most mail is no report (the parse cost 2% of a sync).
		 */
		if ((strcasestr(value, "report") != NULL ||
		    strcasestr(value, "delivery-status") != NULL) &&
		    mailmime_content_parse(value, strlen(value), &idx, &ct) ==
		    MAILIMF_NO_ERROR) {
			mail_check_dsn(s, ct);
			mailmime_content_free(ct);
		}
	} else if (strcasecmp(name, "Message-ID") == 0) {
		/*
		 * The raw value: libetpan's parse makes "a@bc" of "a@b c",
		 * the one cleaner makes "a@b" of it.
		 */
		if (s->message_id == NULL)
			s->message_id = mime_msgid(value);
	} else if (strcasecmp(name, "In-Reply-To") == 0) {
		/* The first <id>: some mailers put a phrase around it. */
		if (s->in_reply_to == NULL) {
			struct strlist ids = { 0 };

			mime_msgids(&ids, value);
			if (ids.n > 0)
				s->in_reply_to = xstrdup(ids.v[0]);
			strlist_clear(&ids);
		}
	} else if (strcasecmp(name, "References") == 0)
		mime_msgids(&s->references, value);
	else if (strcasecmp(name, "Received") == 0)
		s->received = true;
}

/*
 * Applies the fields read as name and raw value (Message-ID, bulk
 * markers, thread headers, Content-Type) to a summary; with skip_ids,
 * all but the thread headers (mail_apply_ids reads those).
 */
static void
mail_apply_fields(struct mail_summary *s, const struct mailimf_fields *f,
    bool skip_ids)
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
		if (skip_ids && mail_is_id_field(opt->fld_name))
			continue;
		mail_apply_optional(s, opt->fld_name, opt->fld_value);
	}
}

/*
 * The length of the header field starting at p, its folded lines
 * included: up to the line end not followed by a space or tab, where
 * libetpan's unstructured value ends too.
 */
static size_t
mail_field_len(const char *p, const char *e)
{
	const char *q = p, *nl;

	while (q < e) {
		nl = memchr(q, '\n', e - q);
		if (nl == NULL)
			return e - p;
		q = nl + 1;
		if (q >= e || (*q != ' ' && *q != '\t'))
			break;
	}
	return q - p;
}

/*
 * Applies the thread headers (Message-ID, In-Reply-To, References) of
 * the header block hdr[0..len) as raw values: each line that may start
 * one is read alone as libetpan reads an optional field.  The envelope
 * parse gives these parsed, not raw (libetpan makes "a@bc" of "a@b c"),
 * and reading every field again as raw text cost as much as the
 * envelope parse itself; the other fields come from its optional ones
 * (mail_apply_fields).  len is where that parse stopped, so the fields
 * seen are the same.
 */
static void
mail_apply_ids(struct mail_summary *s, const char *hdr, size_t len)
{
	static const char *const names[] = { "message-id", "in-reply-to",
	    "references" };
	const char *p = hdr, *e = hdr + len, *nl, *q;
	struct mailimf_fields *one;
	struct mailimf_field *fl;
	size_t i, n, flen, idx;

	for (; p < e; p = nl != NULL ? nl + 1 : e) {
		nl = memchr(p, '\n', e - p);
		if (*p == ' ' || *p == '\t')
			continue;
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			n = strlen(names[i]);
			if ((size_t)(e - p) > n &&
			    strncasecmp(p, names[i], n) == 0)
				break;
		}
		if (i == sizeof names / sizeof names[0])
			continue;
		/* The name alone, then what libetpan skips before ':'. */
		q = p + strlen(names[i]);
		if (*q != ':' && *q != ' ' && *q != '\t' && *q != '(' &&
		    *q != '\r' && *q != '\n')
			continue;
		flen = mail_field_len(p, e);
		idx = 0;
		one = NULL;
		if (mailimf_optional_fields_parse(p, flen, &idx, &one) !=
		    MAILIMF_NO_ERROR)
			continue;
		if (one->fld_list != NULL && !clist_isempty(one->fld_list)) {
			fl = clist_content(clist_begin(one->fld_list));
			if (mail_is_id_field(
			    fl->fld_data.fld_optional_field->fld_name))
				mail_apply_optional(s,
				    fl->fld_data.fld_optional_field->fld_name,
				    fl->fld_data.fld_optional_field->fld_value);
		}
		mailimf_fields_free(one);
	}
}

/*
 * The colon of the header field that line [p, e) starts: a printable name,
 * then blanks (the obsolete syntax libetpan reads too) and ":".  NULL
 * when the line starts no field.
 */
static const char *
mail_field_colon(const char *p, const char *e)
{
	const char *q;

	for (q = p; q < e && *q != ':' && *q != ' ' && *q != '\t'; q++)
		if ((unsigned char)*q < ' ' || (unsigned char)*q > '~')
			return NULL;
	if (q == p)
		return NULL;
	while (q < e && (*q == ' ' || *q == '\t'))
		q++;
	return q < e && *q == ':' ? q : NULL;
}

/* True when line [p, e) starts a header field (mail_field_colon). */
static bool
mail_is_field_start(const char *p, const char *e)
{
	return mail_field_colon(p, e) != NULL;
}

/* True when [p, e) starts with prefix, ignoring ASCII case. */
static bool
mail_prefix(const char *p, const char *e, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(e - p) >= n && strncasecmp(p, prefix, n) == 0;
}

/*
 * Whether the Content-Type field starting the line [p, e) (the message
 * runs to end) makes a part that nests: its value, unfolded, starts with
 * multipart/ or message/, or with a comment, or holds nothing to say it
 * does not.  libetpan reads the type on a continuation line, after a
 * comment and with blanks before the colon, as well as the plain form.
 */
static bool
mail_content_type_nests(const char *p, const char *e, const char *end)
{
	char value[64];
	const char *v = mail_field_colon(p, e);
	size_t n = 0;

	if (v == NULL || (size_t)(v - p) < 12 ||
	    strncasecmp(p, "content-type", 12) != 0 ||
	    (p[12] != ':' && p[12] != ' ' && p[12] != '\t'))
		return false;
	/* Unfold the start of the value, its blanks and line ends dropped. */
	for (v++; v < end && n < sizeof value - 1; v++) {
		if (*v == '\n') {
			if (v + 1 >= end || (v[1] != ' ' && v[1] != '\t'))
				break;
		} else if (*v != '\r' && (n > 0 || (*v != ' ' && *v != '\t')))
			value[n++] = *v;
	}
	/* A comment first ("(c)multipart/..."): libetpan skips it. */
	return n == 0 || value[0] == '(' ||
	    mail_prefix(value, value + n, "multipart/") ||
	    mail_prefix(value, value + n, "message/");
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
	const char *p = buf, *end = buf + len, *nl, *e;
	size_t o = 0, n, fieldlen = 0, bl;
	bool infield = false, closing;
	int depth = 0, k;
	char *out, *z;

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
		if (infield && mail_content_type_nests(p, e, end)) {
			if (depth == MAIL_MAX_DEPTH) {
				log_debug("message cut at nesting depth %d",
				    depth);
				break;
			}
			mail_boundary(p, end, bnd[depth], sizeof bnd[depth]);
			depth++;
		}
		if (n > MAIL_LINE_MAX)
			n = MAIL_LINE_MAX;
		/* Copied whole, then its rare NULs: byte by byte was slower. */
		memcpy(out + o, p, n);
		for (z = memchr(out + o, '\0', n); z != NULL;
		    z = memchr(z + 1, '\0', (size_t)(out + o + n - z - 1)))
			*z = ' ';
		o += n;
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

/* Fills the envelope fields (date, addresses, subject) from the header. */
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
		case MAILIMF_FIELD_ORIG_DATE:
			if (!have_date) {
				const struct mailimf_date_time *d =
				    fl->fld_data.fld_orig_date->dt_date_time;

				s->date_valid = mime_time(d->dt_year,
				    d->dt_month, d->dt_day, d->dt_hour,
				    d->dt_min, d->dt_sec, d->dt_zone,
				    &s->date) == 0;
			}
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
				s->subject = mime_decode_header(
				    fl->fld_data.fld_subject->sbj_value);
			break;
		case MAILIMF_FIELD_OPTIONAL_FIELD:
			/* A structured field libetpan could not parse lands here. */
			opt = fl->fld_data.fld_optional_field;
			if (strcasecmp(opt->fld_name, "Date") == 0)
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
				s->subject = mime_decode_header(opt->fld_value);
			break;
		default:
			break;
		}
	}
}

/*
 * Fills the header fields of a summary: the envelope fields (date,
 * addresses, subject) from the parsed fields f, NULL when they did not
 * parse; the others (Message-ID, bulk markers, thread headers,
 * Content-Type) read as name and raw value: from the sanitized header
 * block hdr[0..len) read again, or, when parsed is not 0, from the
 * optional fields of f and the thread headers of hdr[0..parsed), where
 * the parse of f stopped (mail_apply_ids); then the subject's hashtags.
 * The one reader of headers: mail_parse() and mail_apply_header() (the
 * IMAP path) both come here.
 */
static void
mail_header(struct mail_summary *s, const struct mailimf_fields *f,
    const char *hdr, size_t len, size_t parsed)
{
	struct mailimf_fields *opt = NULL;
	size_t idx = 0;

	if (f != NULL)
		mail_apply_envelope(s, f);
	if (f != NULL && parsed > 0) {
		mail_apply_fields(s, f, true);
		mail_apply_ids(s, hdr, parsed);
	} else if (mailimf_optional_fields_parse(hdr, len, &idx, &opt) ==
	    MAILIMF_NO_ERROR) {
		/*
		 * Every field as name and raw value: these headers need no
		 * structured parse, and mailimf_fields_parse leaks on a
		 * broken Return-Path.
		 */
		mail_apply_fields(s, opt, false);
		mailimf_fields_free(opt);
	}
	if (s->subject == NULL)
		s->subject = xstrdup("");
	if (s->subject[0] != '\0')
		mail_find_hashtags(&s->hashtags, s->subject,
		    strlen(s->subject));
}

/* Thread header fields hidden from one parse, at most. */
#define MAIL_HIDE_MAX	64

/*
 * Hides the thread header fields (Message-ID, In-Reply-To, References)
 * of the header block hdr[0..len) from libetpan's envelope parse: the
 * first letter of each name, followed by its colon at a line's start,
 * becomes 'X', so that libetpan reads the field as an optional one it
 * has no parser for ("Xeferences").  Their values are read raw anyway
 * (mail_apply_ids), and parsing them into lists of message IDs was
 * more than a quarter of that parse.  libetpan reads an optional field to the same
 * line end as the structured one, so the parse stops where it did.
 * at[] gets where the letters were and was[] what they were; returns
 * how many (at most MAIL_HIDE_MAX; the others stay as they are).
 */
static size_t
mail_hide_ids(char *hdr, size_t len, size_t *at, char *was)
{
	static const char *const names[] = { "message-id:", "in-reply-to:",
	    "references:" };
	const char *nl;
	size_t i, n = 0, off = 0, k;

	while (off < len && n < MAIL_HIDE_MAX) {
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			k = strlen(names[i]);
			if (len - off >= k &&
			    strncasecmp(hdr + off, names[i], k) == 0) {
				at[n] = off;
				was[n++] = hdr[off];
				hdr[off] = 'X';
				break;
			}
		}
		nl = memchr(hdr + off, '\n', len - off);
		if (nl == NULL)
			break;
		off = (size_t)(nl - hdr) + 1;
	}
	return n;
}

void
mail_apply_header(struct mail_summary *s, const char *hdr, size_t len)
{
	struct mailimf_fields *f = NULL;
	size_t clen, idx = 0, at[MAIL_HIDE_MAX], nhid, i;
	char *clean, was[MAIL_HIDE_MAX];

	clean = mail_sanitize(hdr != NULL ? hdr : "", hdr != NULL ? len : 0,
	    &clen);
	clen = mail_header_len(clean, clen);
	/* The parser mailmime_parse() reads a message's header with. */
	nhid = mail_hide_ids(clean, clen, at, was);
	if (mailimf_envelope_and_optional_fields_parse(clean, clen, &idx,
	    &f) != MAILIMF_NO_ERROR) {
		f = NULL;
		idx = 0;
	}
	for (i = 0; i < nhid; i++)
		clean[at[i]] = was[i];
	mail_header(s, f, clean, clen, idx);
	if (f != NULL)
		mailimf_fields_free(f);
	free(clean);
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
	name = mime_param_filename(names, values, n);
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
	size_t len;
	char *out;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return NULL;
	len = d->dt_data.dt_text.dt_length;
	if (max != 0 && len > max)
		len = max;
	if (m->mm_content_type != NULL)
		charset = mailmime_content_charset_get(m->mm_content_type);
	out = mime_part_text(d->dt_encoded ? d->dt_encoding :
	    MAILMIME_MECHANISM_8BIT, charset, d->dt_data.dt_text.dt_data, len,
	    max != 0 ? MAIL_TEXT_MAX : 0);
	if (out != NULL)
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
		/* MIME fields alone are the parts', not the message's. */
		err_set(err, ERR_DATA, "no From or Date header field");
		goto out;
	}
	mail_header(out, f, clean, hlen, 0);
	mail_set_internaldate(out, 0);
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
