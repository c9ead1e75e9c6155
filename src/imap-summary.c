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
 * FETCH items these need.  Pure: libetpan's structures in, owned
 * summaries out; fuzzed through fuzz-imap.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "imap"
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
imap_summary_params(struct mailimap_body_fld_param *fp, const char **names,
    const char **values, size_t *n)
{
	clistiter				*it;
	struct mailimap_single_body_fld_param	*sp;

	if (fp == NULL || fp->pa_list == NULL)
		return;
	for (it = clist_begin(fp->pa_list); it != NULL; it = clist_next(it)) {
		sp = clist_content(it);
		if (sp == NULL || *n >= IMAP_MAX_PARAMS)
			continue;
		names[*n] = sp->pa_name;
		values[*n] = sp->pa_value;
		(*n)++;
	}
}

/* Records a part's file name and DSN marker. */
static void
imap_summary_part(struct mail_summary *out, struct mailimap_body_type_1part *p)
{
	const char			*names[IMAP_MAX_PARAMS];
	const char			*values[IMAP_MAX_PARAMS];
	struct mailimap_body_fields	*fields = NULL;
	size_t				 n = 0;
	char				*fname;

	switch (p->bd_type) {
	case MAILIMAP_BODY_TYPE_1PART_BASIC:
		if (p->bd_data.bd_type_basic == NULL)
			return;
		fields = p->bd_data.bd_type_basic->bd_fields;
		if (p->bd_data.bd_type_basic->bd_media_basic != NULL &&
		    p->bd_data.bd_type_basic->bd_media_basic->med_type ==
		    MAILIMAP_MEDIA_BASIC_MESSAGE &&
		    p->bd_data.bd_type_basic->bd_media_basic->med_subtype !=
		    NULL &&
		    strcasecmp(p->bd_data.bd_type_basic->bd_media_basic->
		    med_subtype, "delivery-status") == 0)
			out->bulk |= MAIL_BULK_DSN;
		break;
	case MAILIMAP_BODY_TYPE_1PART_MSG:
		if (p->bd_data.bd_type_msg != NULL)
			fields = p->bd_data.bd_type_msg->bd_fields;
		break;
	case MAILIMAP_BODY_TYPE_1PART_TEXT:
		if (p->bd_data.bd_type_text == NULL)
			return;
		fields = p->bd_data.bd_type_text->bd_fields;
		break;
	}
	if (p->bd_ext_1part != NULL && p->bd_ext_1part->bd_disposition != NULL)
		imap_summary_params(
		    p->bd_ext_1part->bd_disposition->dsp_attributes, names,
		    values, &n);
	if (fields != NULL)
		imap_summary_params(fields->bd_parameter, names, values, &n);
	if (n == 0)
		return;
	fname = mime_param_filename(names, values, n);
	if (fname != NULL)
		strlist_take(&out->attachments, fname);
}

/* Walks a BODYSTRUCTURE for file names and report parts. */
static void
imap_summary_body(struct mail_summary *out, struct mailimap_body *body,
    int depth)
{
	struct mailimap_body_type_mpart	*mp;
	clistiter			*it;

	if (body == NULL || depth > IMAP_MAX_DEPTH)
		return;
	if (body->bd_type == MAILIMAP_BODY_1PART) {
		if (body->bd_data.bd_body_1part != NULL)
			imap_summary_part(out, body->bd_data.bd_body_1part);
		return;
	}
	mp = body->bd_data.bd_body_mpart;
	if (mp == NULL || mp->bd_list == NULL)
		return;
	if (mp->bd_media_subtype != NULL &&
	    strcasecmp(mp->bd_media_subtype, "report") == 0)
		out->bulk |= MAIL_BULK_DSN;
	for (it = clist_begin(mp->bd_list); it != NULL; it = clist_next(it))
		imap_summary_body(out, clist_content(it), depth + 1);
}

/* The section, encoding, charset and size of a part to fetch. */
static void
imap_summary_part_fill(const struct mailimap_body_fields *f,
    const char *section, struct imap_text_part *out)
{
	struct mailimap_single_body_fld_param	*sp;
	clistiter				*it;

	memset(out, 0, sizeof *out);
	snprintf(out->section, sizeof out->section, "%s", section);
	out->encoding = MAILMIME_MECHANISM_8BIT;
	if (f == NULL)
		return;
	out->size = f->bd_size;
	if (f->bd_encoding != NULL) {
		if (f->bd_encoding->enc_type == MAILIMAP_BODY_FLD_ENC_BASE64)
			out->encoding = MAILMIME_MECHANISM_BASE64;
		else if (f->bd_encoding->enc_type ==
		    MAILIMAP_BODY_FLD_ENC_QUOTED_PRINTABLE)
			out->encoding = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
	}
	if (f->bd_parameter == NULL || f->bd_parameter->pa_list == NULL)
		return;
	for (it = clist_begin(f->bd_parameter->pa_list); it != NULL;
	    it = clist_next(it)) {
		sp = clist_content(it);
		if (sp != NULL && sp->pa_name != NULL && sp->pa_value != NULL &&
		    strcasecmp(sp->pa_name, "charset") == 0)
			snprintf(out->charset, sizeof out->charset, "%s",
			    sp->pa_value);
	}
}

/*
 * Walks a BODYSTRUCTURE depth first, into multiparts and attached
 * messages, calling visit for each single part with its IMAP section
 * number until visit returns true; then the walk returns true too.
 */
static bool
imap_summary_walk(const struct mailimap_body *body, const char *section,
    int depth, bool (*visit)(const struct mailimap_body_type_1part *,
    const char *, void *), void *arg)
{
	const struct mailimap_body_type_1part	*p;
	const struct mailimap_body_type_msg	*m;
	clistiter				*it;
	char					 sub[128];
	int					 i = 1;

	if (body == NULL || depth > IMAP_MAX_DEPTH)
		return false;
	if (body->bd_type == MAILIMAP_BODY_MPART) {
		if (body->bd_data.bd_body_mpart == NULL ||
		    body->bd_data.bd_body_mpart->bd_list == NULL)
			return false;
		for (it = clist_begin(body->bd_data.bd_body_mpart->bd_list);
		    it != NULL; it = clist_next(it), i++) {
			snprintf(sub, sizeof sub, "%s%s%d", section,
			    *section != '\0' ? "." : "", i);
			if (imap_summary_walk(clist_content(it), sub, depth + 1,
			    visit, arg))
				return true;
		}
		return false;
	}
	p = body->bd_data.bd_body_1part;
	if (p == NULL)
		return false;
	if (p->bd_type == MAILIMAP_BODY_TYPE_1PART_MSG) {
		m = p->bd_data.bd_type_msg;
		if (m == NULL || m->bd_body == NULL)
			return false;
		/* RFC 3501 6.4.5: a single-part body inside is section N.1. */
		snprintf(sub, sizeof sub, "%s%s", *section != '\0' ? section :
		    "1", m->bd_body->bd_type == MAILIMAP_BODY_1PART ? ".1" : "");
		return imap_summary_walk(m->bd_body, sub, depth + 1, visit,
		    arg);
	}
	if (strlen(section) >= IMAP_SECTION_MAX)
		return false;
	return visit(p, *section != '\0' ? section : "1", arg);
}

/*
 * The walk's visitor for the first text/plain part without a file name or
 * attachment disposition: the part mail.c's MIME walk reads hashtags from.
 */
static bool
imap_summary_text_visit(const struct mailimap_body_type_1part *p,
    const char *section, void *arg)
{
	const struct mailimap_body_type_text	*t;
	const struct mailimap_body_fld_dsp	*dsp = NULL;
	const char				*names[IMAP_MAX_PARAMS];
	const char				*values[IMAP_MAX_PARAMS];
	char					*fname;
	size_t					 n = 0;

	if (p->bd_type != MAILIMAP_BODY_TYPE_1PART_TEXT)
		return false;
	t = p->bd_data.bd_type_text;
	if (t == NULL || t->bd_media_text == NULL ||
	    strcasecmp(t->bd_media_text, "plain") != 0)
		return false;
	if (p->bd_ext_1part != NULL)
		dsp = p->bd_ext_1part->bd_disposition;
	if (dsp != NULL && dsp->dsp_type != NULL &&
	    strcasecmp(dsp->dsp_type, "attachment") == 0)
		return false;
	if (dsp != NULL)
		imap_summary_params(dsp->dsp_attributes, names, values, &n);
	imap_summary_params(t->bd_fields != NULL ?
	    t->bd_fields->bd_parameter : NULL, names, values, &n);
	if (n > 0 && (fname = mime_param_filename(names, values, n)) != NULL) {
		free(fname);
		return false;
	}
	imap_summary_part_fill(t->bd_fields, section, arg);
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
imap_summary_calendar_visit(const struct mailimap_body_type_1part *p,
    const char *section, void *arg)
{
	struct imap_summary_cals			*c = arg;
	const struct mailimap_body_type_text	*t;
	const struct mailimap_body_type_basic	*b;
	const struct mailimap_body_fields	*f = NULL;

	if (p->bd_type == MAILIMAP_BODY_TYPE_1PART_TEXT) {
		t = p->bd_data.bd_type_text;
		if (t != NULL && t->bd_media_text != NULL &&
		    strcasecmp(t->bd_media_text, "calendar") == 0)
			f = t->bd_fields;
	} else if (p->bd_type == MAILIMAP_BODY_TYPE_1PART_BASIC) {
		b = p->bd_data.bd_type_basic;
		if (b != NULL && b->bd_media_basic != NULL &&
		    b->bd_media_basic->med_type ==
		    MAILIMAP_MEDIA_BASIC_APPLICATION &&
		    b->bd_media_basic->med_subtype != NULL &&
		    strcasecmp(b->bd_media_basic->med_subtype, "ics") == 0)
			f = b->bd_fields;
	}
	if (f == NULL)
		return false;
	if (c->n < c->max)
		imap_summary_part_fill(f, section, &c->v[c->n]);
	c->n++;
	return false;
}

/* The calendar parts of a BODYSTRUCTURE into out[0..max); returns how many. */
static size_t
imap_summary_calendars(const struct mailimap_body *body,
    struct imap_text_part *out, size_t max)
{
	struct imap_summary_cals	c = { out, max, 0 };

	imap_summary_walk(body, "", 0, imap_summary_calendar_visit, &c);
	return c.n;
}

/* The BODYSTRUCTURE of a FETCH response; NULL if it has none. */
static const struct mailimap_body *
imap_summary_structure(const struct mailimap_msg_att *att)
{
	struct mailimap_msg_att_item	*item;
	clistiter			*it;

	if (att == NULL || att->att_list == NULL)
		return NULL;
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item != NULL && item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static != NULL &&
		    item->att_data.att_static->att_type ==
		    MAILIMAP_MSG_ATT_BODYSTRUCTURE)
			return item->att_data.att_static->att_data.att_bodystructure;
	}
	return NULL;
}

bool
imap_summary_text_part(const struct mailimap_msg_att *att,
    struct imap_text_part *out)
{
	return imap_summary_walk(imap_summary_structure(att), "", 0,
	    imap_summary_text_visit, out);
}

size_t
imap_summary_calendar_parts(const struct mailimap_msg_att *att,
    struct imap_text_part *out, size_t max)
{
	return imap_summary_calendars(imap_summary_structure(att), out, max);
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

/* Whether a BODY[...] answer is that of HEADER.FIELDS (RECEIVED). */
static bool
imap_summary_is_probe(const struct mailimap_msg_att_body_section *sec)
{
	const struct mailimap_section_spec	*sp;
	const struct mailimap_section_msgtext	*mt;
	clist					*hl;
	const char				*name;

	if (sec == NULL || sec->sec_section == NULL ||
	    (sp = sec->sec_section->sec_spec) == NULL ||
	    sp->sec_type != MAILIMAP_SECTION_SPEC_SECTION_MSGTEXT ||
	    (mt = sp->sec_data.sec_msgtext) == NULL ||
	    mt->sec_type != MAILIMAP_SECTION_MSGTEXT_HEADER_FIELDS ||
	    mt->sec_header_list == NULL ||
	    (hl = mt->sec_header_list->hdr_list) == NULL ||
	    clist_count(hl) != 1 || clist_begin(hl) == NULL)
		return false;
	name = clist_content(clist_begin(hl));
	return name != NULL && strcasecmp(name, "RECEIVED") == 0;
}

int
imap_summary(const struct mailimap_msg_att *att, struct mail_summary *out,
    uint32_t *uid)
{
	struct mailimap_body		*body = NULL;
	struct mailimap_date_time	*idate = NULL;
	struct mailimap_msg_att_body_section *hdr = NULL, *probe = NULL;
	struct mailimap_msg_att_item	*item;
	struct mailimap_msg_att_static	*st;
	struct imap_text_part		 cals[IMAP_MAX_CALENDARS];
	clistiter			*it;
	time_t				 arrival = 0;
	size_t				 i, n;

	memset(out, 0, sizeof *out);
	*uid = 0;
	if (att == NULL || att->att_list == NULL)
		return -1;
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item == NULL || item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st == NULL)
			continue;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			*uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE:
			idate = st->att_data.att_internal_date;
			break;
		case MAILIMAP_MSG_ATT_BODYSTRUCTURE:
			body = st->att_data.att_bodystructure;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (imap_summary_is_probe(st->att_data.att_body_section))
				probe = st->att_data.att_body_section;
			else
				hdr = st->att_data.att_body_section;
			break;
		}
	}
	if (*uid == 0 || hdr == NULL)
		return -1;

	/* Unknown (no probe answer) counts as received. */
	out->received = probe == NULL || (probe->sec_length > 0 &&
	    probe->sec_body_part != NULL && probe->sec_body_part[0] != '\r' &&
	    probe->sec_body_part[0] != '\n');
	/* A server may send more than the few fields asked for: cut. */
	mail_apply_header(out, hdr->sec_body_part, hdr->sec_body_part == NULL ?
	    0 : hdr->sec_length < IMAP_HEADER_MAX ? hdr->sec_length :
	    IMAP_HEADER_MAX);
	if (idate != NULL && mime_time(idate->dt_year, idate->dt_month,
	    idate->dt_day, idate->dt_hour, idate->dt_min, idate->dt_sec,
	    idate->dt_zone, &arrival) != 0)
		arrival = 0;
	mail_set_internaldate(out, arrival);
	imap_summary_body(out, body, 0);
	n = imap_summary_calendars(body, cals, IMAP_MAX_CALENDARS);
	for (i = 0; i < n && i < IMAP_MAX_CALENDARS; i++)
		strlist_add(&out->calendar_sections, cals[i].section);
	return 0;
}

/*
 * The FETCH items: metadata only, and BODY.PEEK so \Seen is never set.
 * Outside the \Sent folder also the first byte of the Received header
 * fields (BODY.PEEK[HEADER.FIELDS (RECEIVED)]<0.1>), which tells a
 * message that came in by SMTP from a copy the owner's client filed
 * (RFC 3501 section 6.4.5: without such fields the section is the empty
 * line alone).
 */
struct mailimap_fetch_type *
imap_summary_fetch_type(bool probe)
{
	static const char *const	 hdrs[] = { MAIL_HEADERS };
	struct mailimap_fetch_type	*ft;
	clist				*hl, *rl;
	size_t				 i;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	hl = clist_new();
	if (ft == NULL || hl == NULL)
		fatal("out of memory");
	if (probe) {
		rl = clist_new();
		if (rl == NULL || clist_append(rl, xstrdup("RECEIVED")) != 0 ||
		    mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_body_peek_section_partial(
		    mailimap_section_new_header_fields(
		    mailimap_header_list_new(rl)), 0, 1)) != 0)
			fatal("out of memory");
	}
	for (i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++)
		if (clist_append(hl, xstrdup(hdrs[i])) != 0)
			fatal("out of memory");
	if (mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid()) != 0 ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_internaldate()) != 0 ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_bodystructure()) != 0 ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(
	    mailimap_section_new_header_fields(
	    mailimap_header_list_new(hl)))) != 0)
		fatal("out of memory");
	return ft;
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
