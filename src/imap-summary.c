/* SPDX-License-Identifier: MIT */
/*
 * A FETCH response made a mail summary, as mail.c makes one of a file:
 * the header fields of MAIL_HEADERS go through mail_apply_header (the
 * one reader of headers), INTERNALDATE through mime_time, the Received
 * probe says whether the message came in by SMTP, and BODYSTRUCTURE
 * gives the attachment names (mime_param_filename), the delivery reports
 * and the parts worth fetching of outbound mail: the first text/plain
 * part (hashtags) and the text/calendar and application/ics parts
 * (invitations), found depth first as mail.c walks a message.  Also the
 * FETCH items of those parts.  Pure: a response as imap-fetch.c parsed
 * it in, owned summaries out; fuzzed through fuzz-imap.c and
 * fuzz-fetch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "imap"
#include "imap-fetch.h"
#include "imap-int.h"
#include "mail.h"
#include "mime.h"
#include "xmalloc.h"

#define IMAP_MAX_DEPTH		32	/* of a BODYSTRUCTURE walked */
#define IMAP_MAX_PARAMS		64	/* MIME parameters of a part read */
/* Bytes of the header fields read of a message (a few are asked for). */
#define IMAP_HEADER_MAX		(256 * 1024)

/* Collects MIME parameters into the arrays mime_param_filename() takes. */
static void
imap_summary_params(const struct imap_fetch_msg *m, size_t first, size_t n,
    const char **names, const char **values, size_t *k)
{
	size_t	i;

	for (i = first; i < first + n && *k < IMAP_MAX_PARAMS; i++) {
		names[*k] = m->params[i].name;
		values[*k] = m->params[i].value;
		(*k)++;
	}
}

/*
 * Records a part's file name and DSN marker; a report inside an attached
 * message (embedded) does not make this one a bounce.
 */
static void
imap_summary_part(struct mail_summary *out, const struct imap_fetch_msg *m,
    const struct imap_fetch_part *p, bool embedded)
{
	const char	*names[IMAP_MAX_PARAMS];
	const char	*values[IMAP_MAX_PARAMS];
	size_t		 n = 0;
	char		*fname;

	if (!embedded && p->kind == IMAP_PART_BASIC &&
	    p->basic == MAILIMAP_MEDIA_BASIC_MESSAGE &&
	    strcasecmp(p->subtype, "delivery-status") == 0)
		out->bulk |= MAIL_BULK_DSN;
	if (p->dsp != NULL)
		imap_summary_params(m, p->dparam, p->ndparam, names, values, &n);
	imap_summary_params(m, p->param, p->nparam, names, values, &n);
	if (n == 0)
		return;
	fname = mime_param_filename(names, values, n);
	if (fname != NULL)
		strlist_take(&out->attachments, fname);
}

/*
 * Walks the BODYSTRUCTURE from part i for file names and report parts,
 * into attached messages as mail.c's walk does (a file forwarded inside
 * one counts; its reports do not).
 */
static void
imap_summary_body(struct mail_summary *out, const struct imap_fetch_msg *m,
    size_t i, int depth, bool embedded)
{
	const struct imap_fetch_part	*p = &m->parts[i];
	size_t				 c, k;

	if (depth > IMAP_MAX_DEPTH)
		return;
	if (p->kind != IMAP_PART_MULTI) {
		imap_summary_part(out, m, p, embedded);
		if (p->kind == IMAP_PART_MSG && p->nchild > 0)
			imap_summary_body(out, m, i + 1, depth + 1, true);
		return;
	}
	if (!embedded && strcasecmp(p->subtype, "report") == 0)
		out->bulk |= MAIL_BULK_DSN;
	for (k = 0, c = i + 1; k < p->nchild; k++, c = m->parts[c].next)
		imap_summary_body(out, m, c, depth + 1, embedded);
}

/* The section, encoding, charset and size of a part to fetch. */
static void
imap_summary_part_fill(const struct imap_fetch_msg *m,
    const struct imap_fetch_part *p, const char *section,
    struct imap_text_part *out)
{
	size_t	i;

	memset(out, 0, sizeof *out);
	snprintf(out->section, sizeof out->section, "%s", section);
	out->encoding = p->encoding;
	out->size = p->size;
	for (i = p->param; i < p->param + p->nparam; i++)
		if (strcasecmp(m->params[i].name, "charset") == 0)
			snprintf(out->charset, sizeof out->charset, "%s",
			    m->params[i].value);
}

/*
 * Walks a BODYSTRUCTURE from part i depth first, into multiparts and
 * attached messages, calling visit for each single part with its IMAP
 * section number until visit returns true; then the walk returns true
 * too.
 */
static bool
imap_summary_walk(const struct imap_fetch_msg *m, size_t i,
    const char *section, int depth, bool (*visit)(const struct imap_fetch_msg *,
    const struct imap_fetch_part *, const char *, void *), void *arg)
{
	const struct imap_fetch_part	*p = &m->parts[i];
	char				 sub[128];
	size_t				 c, k;

	if (depth > IMAP_MAX_DEPTH)
		return false;
	if (p->kind == IMAP_PART_MULTI) {
		for (k = 0, c = i + 1; k < p->nchild; k++, c = m->parts[c].next) {
			snprintf(sub, sizeof sub, "%s%s%zu", section,
			    *section != '\0' ? "." : "", k + 1);
			if (imap_summary_walk(m, c, sub, depth + 1, visit, arg))
				return true;
		}
		return false;
	}
	if (p->kind == IMAP_PART_MSG) {
		if (p->nchild == 0)
			return false;
		/* RFC 3501 6.4.5: a single-part body inside is section N.1. */
		snprintf(sub, sizeof sub, "%s%s", *section != '\0' ? section :
		    "1", m->parts[i + 1].kind != IMAP_PART_MULTI ? ".1" : "");
		return imap_summary_walk(m, i + 1, sub, depth + 1, visit, arg);
	}
	if (strlen(section) >= IMAP_SECTION_MAX)
		return false;
	return visit(m, p, *section != '\0' ? section : "1", arg);
}

/*
 * The walk's visitor for the first text/plain part without a file name or
 * attachment disposition: the part mail.c's MIME walk reads hashtags from.
 */
static bool
imap_summary_text_visit(const struct imap_fetch_msg *m,
    const struct imap_fetch_part *p, const char *section, void *arg)
{
	const char	*names[IMAP_MAX_PARAMS];
	const char	*values[IMAP_MAX_PARAMS];
	char		*fname;
	size_t		 n = 0;

	if (p->kind != IMAP_PART_TEXT || strcasecmp(p->subtype, "plain") != 0)
		return false;
	if (p->dsp != NULL && strcasecmp(p->dsp, "attachment") == 0)
		return false;
	if (p->dsp != NULL)
		imap_summary_params(m, p->dparam, p->ndparam, names, values, &n);
	imap_summary_params(m, p->param, p->nparam, names, values, &n);
	if (n > 0 && (fname = mime_param_filename(names, values, n)) != NULL) {
		free(fname);
		return false;
	}
	imap_summary_part_fill(m, p, section, arg);
	return true;
}

/* The calendar parts a walk has found so far. */
struct imap_summary_cals {
	struct imap_text_part	*v;	/* borrowed: room for max */
	size_t			 max;
	size_t			 n;	/* found, may exceed max */
};

/*
 * The walk's visitor for calendar parts: text/calendar and
 * application/ics, attachment or not, as mail.c collects them.
 */
static bool
imap_summary_calendar_visit(const struct imap_fetch_msg *m,
    const struct imap_fetch_part *p, const char *section, void *arg)
{
	struct imap_summary_cals	*c = arg;

	if (!(p->kind == IMAP_PART_TEXT &&
	    strcasecmp(p->subtype, "calendar") == 0) &&
	    !(p->kind == IMAP_PART_BASIC &&
	    p->basic == MAILIMAP_MEDIA_BASIC_APPLICATION &&
	    strcasecmp(p->subtype, "ics") == 0))
		return false;
	if (c->n < c->max)
		imap_summary_part_fill(m, p, section, &c->v[c->n]);
	c->n++;
	return false;
}

bool
imap_summary_text_part(const struct imap_fetch_msg *m,
    struct imap_text_part *out)
{
	if (m->nparts == 0)
		return false;
	return imap_summary_walk(m, 0, "", 0, imap_summary_text_visit, out);
}

size_t
imap_summary_calendar_parts(const struct imap_fetch_msg *m,
    struct imap_text_part *out, size_t max)
{
	struct imap_summary_cals	c = { out, max, 0 };

	if (m->nparts > 0)
		imap_summary_walk(m, 0, "", 0, imap_summary_calendar_visit, &c);
	return c.n;
}

void
imap_summary_hashtags(struct mail_summary *sum, const struct imap_text_part *tp,
    const char *data, size_t len)
{
	char	*text;

	text = mime_part_text(tp->encoding, tp->charset, data, len, 0);
	if (text == NULL)
		return;
	mail_find_hashtags(&sum->hashtags, text, strlen(text));
	free(text);
}

int
imap_summary(const struct imap_fetch_msg *m, struct mail_summary *out,
    uint32_t *uid)
{
	struct imap_text_part	cals[IMAP_MAX_CALENDARS];
	time_t			arrival = 0;
	size_t			i, n;

	memset(out, 0, sizeof *out);
	*uid = m->uid;
	if (m->bad || m->uid == 0 || !m->has_hdr)
		return -1;

	/* Unknown (no probe answer) counts as received. */
	out->received = !m->has_probe || (m->probelen > 0 &&
	    m->probe != NULL && m->probe[0] != '\r' && m->probe[0] != '\n');
	/* A server may send more than the few fields asked for: cut. */
	mail_apply_header(out, m->hdr, m->hdr == NULL ? 0 :
	    m->hdrlen < IMAP_HEADER_MAX ? m->hdrlen : IMAP_HEADER_MAX);
	if (m->has_date && mime_time(m->year, m->month, m->day, m->hour,
	    m->min, m->sec, m->zone, &arrival) != 0)
		arrival = 0;
	mail_set_internaldate(out, arrival);
	if (m->nparts > 0)
		imap_summary_body(out, m, 0, 0, false);
	n = imap_summary_calendar_parts(m, cals, IMAP_MAX_CALENDARS);
	for (i = 0; i < n && i < IMAP_MAX_CALENDARS; i++)
		strlist_add(&out->calendar_sections, cals[i].section);
	return 0;
}

/* BODY.PEEK[section]<0.max>: a part's first max bytes, never setting \Seen. */
struct mailimap_fetch_att *
imap_summary_section_att(const char *section, uint32_t max)
{
	struct mailimap_fetch_att	*fa;
	clist				*ids;
	uint32_t			*id;
	const char			*p = section;
	char				*ep;
	unsigned long			 v;

	ids = clist_new();
	if (ids == NULL)
		fatal("out of memory");
	while (*p != '\0') {
		v = strtoul(p, &ep, 10);
		if (ep == p || v == 0 || v > UINT32_MAX)
			break;	/* imap_summary_walk writes digits and dots */
		id = xmalloc(sizeof *id);
		*id = (uint32_t)v;
		if (clist_append(ids, id) != 0)
			fatal("out of memory");
		p = *ep == '.' ? ep + 1 : ep;
	}
	fa = mailimap_fetch_att_new_body_peek_section_partial(
	    mailimap_section_new_part(mailimap_section_part_new(ids)), 0, max);
	if (fa == NULL)
		fatal("out of memory");
	return fa;
}

/* The part number of a BODY[section] answer ("1.2"); "" for any other. */
void
imap_summary_answer_section(const struct mailimap_section *sec, char *out,
    size_t len)
{
	const struct mailimap_section_spec	*sp;
	clistiter				*it;
	size_t					 n = 0;

	out[0] = '\0';
	if (sec == NULL || (sp = sec->sec_spec) == NULL ||
	    sp->sec_type != MAILIMAP_SECTION_SPEC_SECTION_PART ||
	    sp->sec_text != NULL || sp->sec_data.sec_part == NULL ||
	    sp->sec_data.sec_part->sec_id == NULL)
		return;
	for (it = clist_begin(sp->sec_data.sec_part->sec_id); it != NULL &&
	    n < len; it = clist_next(it)) {
		snprintf(out + n, len - n, "%s%u", n > 0 ? "." : "",
		    *(uint32_t *)clist_content(it));
		n = strlen(out);
	}
}
