/* SPDX-License-Identifier: MIT */
/*
 * The IMAP source driver (libetpan).  It connects with TLS verified by
 * tls.c (implicit TLS or required STARTTLS), logs in with LOGIN, PLAIN or
 * XOAUTH2, finds INBOX and the \Sent folder (or the configured folders)
 * and reads each folder strictly read-only: STATUS first and nothing more
 * when UIDVALIDITY and UIDNEXT are unchanged; otherwise EXAMINE (never
 * SELECT), UID SEARCH for the new UIDs and UID FETCH of metadata only
 * (BODYSTRUCTURE, INTERNALDATE and BODY.PEEK of the header fields a
 * summary is made of, read by mail.c as it reads a file's header) in
 * batches, streamed through libetpan's message handler into the
 * pipeline, which commits each batch with the folder's cursor.
 *
 * Of outbound mail (the \Sent folder, or sent by a salesperson; never
 * bulk) it also fetches the first 4 KB of the first text/plain part, for
 * the hashtags (#lost, #verbal) that mail.c finds in the same part of a
 * file, and its text/calendar and application/ics parts (up to 1 MiB
 * each), the invitations the pipeline turns into appointments: all parts
 * of a batch in one UID FETCH per distinct message structure.  A
 * message whose FETCH answer libetpan cannot parse, or that the server
 * refuses (NO or BAD, as Exchange does for one message), is found by
 * asking again in halves (on a fresh connection after a parse error).
 * An unparsable one is skipped with a warning and recorded in the
 * folder's "skipped" cursor; a refused one, like one the server leaves
 * out of its answer, is asked again at the next polls ("retry" cursor)
 * and given up with a warning after IMAP_RETRY_MAX of them.  UIDNEXT is
 * kept as a 64-bit number: after UID 2^32 - 1 it is 2^32.
 *
 * libetpan 1.9.4 hands results over unevenly on errors (a FETCH list it
 * freed itself, a STATUS or LIST result set on a NO, NULL on an OK
 * without the untagged line): each call below says which it is.
 * It never changes a mailbox: no SELECT, STORE, EXPUNGE, APPEND, COPY or
 * MOVE is ever sent.
 *
 * An idle poll costs LOGIN, one STATUS per folder and LOGOUT: the
 * capabilities come from the greeting's and LOGIN's response codes when
 * the server sends them there (RFC 3501 sections 7.1 and 6.2.3), and the
 * resolved folder list is kept in the store with the time it was made, so
 * LIST is sent again only after IMAP_RELIST_SECS or when a folder of the
 * list is refused by STATUS.
 *
 * imap_check() is the same connection and discovery, reporting each step
 * for `salescycle doctor`.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "imap"
#include "classify.h"
#include "config.h"
#include "imap.h"
#include "imap-list.h"
#include "imap-stream.h"
#include "log.h"
#include "mail.h"
#include "mime.h"
#include "pipeline.h"
#include "source.h"
#include "store.h"
#include "tls.h"
#include "util.h"
#include "xmalloc.h"

/* Folders, and bytes of their names, a LIST may give (some 40 MB at most). */
#define IMAP_MAX_FOLDERS	200000
#define IMAP_MAX_FOLDER_BYTES	(16 * 1024 * 1024)
/* Folder names listed in a doctor's hint. */
#define IMAP_HINT_FOLDERS	12
#define IMAP_MAX_DEPTH		32
#define IMAP_MAX_PARAMS		64
/* Bytes of a text part fetched for its hashtags (BODY.PEEK[n]<0.4096>). */
#define IMAP_TEXT_MAX		4096
/* Bytes of the header fields read of a message (a few are asked for). */
#define IMAP_HEADER_MAX		(256 * 1024)
/* Messages skipped or put off in one folder's poll before it fails. */
#define IMAP_MAX_SKIPPED	20
/* Polls that ask for a message in vain before it is given up. */
#define IMAP_RETRY_MAX		3
/* UIDs kept in the folder's "retry" cursor. */
#define IMAP_RETRY_KEEP		100
/*
 * A command and its answer may take this many times the source's timeout
 * (which bounds each wait for data), a poll's session sixty times: an
 * hour by default, after which the folders left wait for the next poll.
 */
#define IMAP_COMMAND_TIMEOUTS	10
#define IMAP_SESSION_TIMEOUTS	60
/* Seconds LOGOUT may take. */
#define IMAP_LOGOUT_SECS	5
/* Skipped UIDs kept in the folder's "skipped" cursor. */
#define IMAP_SKIPPED_KEEP	50

/* Log with the session's tag ("imap[anna]"); the level is checked first. */
#define imap_log(lvl, s, ...) do {					\
	if (log_level >= (lvl))						\
		log_msg((lvl), (s)->tag, __VA_ARGS__);			\
} while (0)

/* What a driver keeps between polls of one source. */
struct imap_session {
	mailimap	*imap;		/* owned; NULL while disconnected */
	char		*tag;		/* owned: "imap[anna]" */
	struct imap_url	 url;
	bool		 in_auth;	/* the logger redacts what is sent */
	bool		 lost;		/* the connection broke in this poll */
	bool		 condstore;
	struct strlist	 folders;	/* mailbox names to poll, server spelling */
	long		 sent;		/* index of the \Sent folder in folders, -1 */
	struct strlist	 missing;	/* configured folders the server lacks */
	time_t		 listed;	/* when folders were resolved */
	volatile sig_atomic_t *stop;	/* borrowed for a poll; may be NULL */
	int64_t		 session_end;	/* the poll's deadline, in ms */
	int		 session_secs;	/* and how long it was given */
	struct source_report rep;	/* doctor's; say NULL while polling */
	const struct config *cfg;	/* borrowed for a poll */
	const struct source *src;	/* borrowed for a poll */
	struct store	*store;		/* borrowed for a poll */
};

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
imap_utf7_flush(struct buf *b, const uint16_t *u, size_t n)
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
imap_utf7_encode(const char *in)
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
				imap_utf7_flush(&b, run, nrun);
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
		imap_utf7_flush(&b, run, nrun);
	free(run);
	return b.data;
bad:
	free(run);
	buf_free(&b);
	return NULL;
}

/* Collects MIME parameters into the arrays mime_param_filename() takes. */
static void
imap_params(struct mailimap_body_fld_param *fp, const char **names,
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
imap_part(struct mail_summary *out, struct mailimap_body_type_1part *p)
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
		imap_params(p->bd_ext_1part->bd_disposition->dsp_attributes,
		    names, values, &n);
	if (fields != NULL)
		imap_params(fields->bd_parameter, names, values, &n);
	if (n == 0)
		return;
	fname = mime_param_filename(names, values, n);
	if (fname != NULL)
		strlist_take(&out->attachments, fname);
}

/* Walks a BODYSTRUCTURE for file names and report parts. */
static void
imap_body(struct mail_summary *out, struct mailimap_body *body, int depth)
{
	struct mailimap_body_type_mpart	*mp;
	clistiter			*it;

	if (body == NULL || depth > IMAP_MAX_DEPTH)
		return;
	if (body->bd_type == MAILIMAP_BODY_1PART) {
		if (body->bd_data.bd_body_1part != NULL)
			imap_part(out, body->bd_data.bd_body_1part);
		return;
	}
	mp = body->bd_data.bd_body_mpart;
	if (mp == NULL || mp->bd_list == NULL)
		return;
	if (mp->bd_media_subtype != NULL &&
	    strcasecmp(mp->bd_media_subtype, "report") == 0)
		out->bulk |= MAIL_BULK_DSN;
	for (it = clist_begin(mp->bd_list); it != NULL; it = clist_next(it))
		imap_body(out, clist_content(it), depth + 1);
}

/* The section, encoding, charset and size of a part to fetch. */
static void
imap_text_fill(const struct mailimap_body_fields *f, const char *section,
    struct imap_text_part *out)
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
imap_walk(const struct mailimap_body *body, const char *section, int depth,
    bool (*visit)(const struct mailimap_body_type_1part *, const char *,
    void *), void *arg)
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
			if (imap_walk(clist_content(it), sub, depth + 1, visit,
			    arg))
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
		return imap_walk(m->bd_body, sub, depth + 1, visit, arg);
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
imap_text_visit(const struct mailimap_body_type_1part *p, const char *section,
    void *arg)
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
		imap_params(dsp->dsp_attributes, names, values, &n);
	imap_params(t->bd_fields != NULL ? t->bd_fields->bd_parameter : NULL,
	    names, values, &n);
	if (n > 0 && (fname = mime_param_filename(names, values, n)) != NULL) {
		free(fname);
		return false;
	}
	imap_text_fill(t->bd_fields, section, arg);
	return true;
}

/* The calendar parts a walk has found so far. */
struct imap_calendars {
	struct imap_text_part	*v;	/* borrowed: room for max */
	size_t			 max;
	size_t			 n;	/* found, may exceed max */
};

/*
 * The walk's visitor for calendar parts: text/calendar and
 * application/ics, attachment or not, as mail.c collects them.
 */
static bool
imap_calendar_visit(const struct mailimap_body_type_1part *p,
    const char *section, void *arg)
{
	struct imap_calendars			*c = arg;
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
		imap_text_fill(f, section, &c->v[c->n]);
	c->n++;
	return false;
}

/* The calendar parts of a BODYSTRUCTURE into out[0..max); returns how many. */
static size_t
imap_body_calendars(const struct mailimap_body *body,
    struct imap_text_part *out, size_t max)
{
	struct imap_calendars	c = { out, max, 0 };

	imap_walk(body, "", 0, imap_calendar_visit, &c);
	return c.n;
}

/* The BODYSTRUCTURE of a FETCH response; NULL if it has none. */
static const struct mailimap_body *
imap_msg_body(const struct mailimap_msg_att *att)
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
imap_msg_text_part(const struct mailimap_msg_att *att,
    struct imap_text_part *out)
{
	return imap_walk(imap_msg_body(att), "", 0, imap_text_visit, out);
}

size_t
imap_msg_calendar_parts(const struct mailimap_msg_att *att,
    struct imap_text_part *out, size_t max)
{
	return imap_body_calendars(imap_msg_body(att), out, max);
}


void
imap_text_hashtags(struct mail_summary *sum, const struct imap_text_part *tp,
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
imap_is_received_probe(const struct mailimap_msg_att_body_section *sec)
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
			if (imap_is_received_probe(st->att_data.att_body_section))
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
	imap_body(out, body, 0);
	n = imap_body_calendars(body, cals, IMAP_MAX_CALENDARS);
	for (i = 0; i < n && i < IMAP_MAX_CALENDARS; i++)
		strlist_add(&out->calendar_sections, cals[i].section);
	return 0;
}

struct mailimap_set *
imap_uid_set(const uint32_t *uids, size_t n)
{
	struct mailimap_set	*set;
	size_t			 i, j;

	set = mailimap_set_new_empty();
	if (set == NULL)
		fatal("out of memory");
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		if (mailimap_set_add_interval(set, uids[i], uids[j]) !=
		    MAILIMAP_NO_ERROR)
			fatal("out of memory");
	}
	return set;
}

/* libetpan's error codes in words. */
static const char *
imap_strerror(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return "connection lost or timed out";
	case MAILIMAP_ERROR_PARSE:
		return "unparsable server response";
	case MAILIMAP_ERROR_FATAL:
		return "the server closed the connection (BYE)";
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "connection refused";
	case MAILIMAP_ERROR_MEMORY:
		return "out of memory";
	case MAILIMAP_ERROR_SSL:
		return "TLS handshake failed";
	case MAILIMAP_ERROR_BAD_STATE:
		return "command not allowed in this state";
	default:
		return "command refused";
	}
}

/* True when an error leaves the connection unusable. */
static bool
imap_fatal_error(int r)
{
	return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE ||
	    r == MAILIMAP_ERROR_FATAL || r == MAILIMAP_ERROR_CONNECTION_REFUSED ||
	    r == MAILIMAP_ERROR_MEMORY || r == MAILIMAP_ERROR_SSL ||
	    r == MAILIMAP_ERROR_BAD_STATE;
}

/*
 * The server's text for the last tagged response, with the atom of its
 * response code ("[UNAVAILABLE] ..."), which libetpan keeps apart, made
 * safe to show; a placeholder when there is none.
 */
static const char *
imap_response(const struct imap_session *s, char *out, size_t len)
{
	const struct mailimap_response_info	*ri;
	const char				*text = NULL, *atom = NULL;
	char					 raw[512];

	if (s->imap != NULL) {
		text = s->imap->imap_response;
		ri = s->imap->imap_response_info;
		if (ri != NULL && ri->rsp_atom != NULL && *ri->rsp_atom != '\0')
			atom = ri->rsp_atom;
	}
	if (text != NULL && *text == '\0')
		text = NULL;
	snprintf(raw, sizeof raw, "%s%s%s%s", atom != NULL ? "[" : "",
	    atom != NULL ? atom : "", atom != NULL ? "] " : "",
	    text != NULL ? text : atom != NULL ? "" : "no reason given");
	return util_printable(raw, out, len);
}

/* Drops the connection; LOGOUT only when polite (the connection works). */
static void
imap_disconnect(struct imap_session *s, bool polite)
{
	if (s->imap == NULL)
		return;
	if (polite && s->imap->imap_stream != NULL) {
		/* A few seconds at most: the answer changes nothing. */
		imap_stream_arm(s->imap->imap_stream, s->stop,
		    util_monotonic_ms() + IMAP_LOGOUT_SECS * 1000,
		    IMAP_LOGOUT_SECS);
		mailimap_logout(s->imap);
	}
	/* mailimap_free() would send LOGOUT and wait for the answer. */
	if (s->imap->imap_stream != NULL) {
		mailstream_close(s->imap->imap_stream);
		s->imap->imap_stream = NULL;
	}
	mailimap_free(s->imap);
	s->imap = NULL;
	s->listed = 0;
}

/*
 * Fills err for a failed command; a broken connection is dropped (never
 * reused after a parse error) and graded ERR_TEMP.
 */
static int
imap_fail(struct imap_session *s, int r, const char *what, struct err *err)
{
	const char	*why = NULL;
	char		 text[512];

	if (s->imap != NULL)
		imap_stream_failure(s->imap->imap_stream, &why);
	if (why != NULL || imap_fatal_error(r)) {
		err_set(err, ERR_TEMP, "%s: %s: %s", s->url.host, what,
		    why != NULL ? why : imap_strerror(r));
		s->lost = true;
		imap_disconnect(s, false);
		return -1;
	}
	return err_set(err, ERR_WAIT, "%s: %s: %s", s->url.host, what,
	    imap_response(s, text, sizeof text));
}

/* Protocol trace at debug level: commands only, authentication redacted. */
static void
imap_logger(mailimap *imap, int type, const char *str, size_t size, void *arg)
{
	struct imap_session	*s = arg;

	(void)imap;
	if (type == MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE ||
	    (type == MAILSTREAM_LOG_TYPE_DATA_SENT && s->in_auth)) {
		imap_log(LOG_LVL_DEBUG, s, "C: (authentication, %zu bytes)", size);
		return;
	}
	if (type != MAILSTREAM_LOG_TYPE_DATA_SENT)
		return;
	while (size > 0 && (str[size - 1] == '\n' || str[size - 1] == '\r'))
		size--;
	imap_log(LOG_LVL_DEBUG, s, "C: %.*s", (int)(size > 300 ? 300 : size),
	    str);
}

/* The capabilities the server announced last, or NULL if none are known. */
static struct mailimap_capability_data *
imap_caps(const struct imap_session *s)
{
	if (s->imap == NULL || s->imap->imap_connection_info == NULL)
		return NULL;
	return s->imap->imap_connection_info->imap_capability;
}

/*
 * Forgets the capabilities: after STARTTLS (RFC 3501 section 6.2.1 says
 * what was said before TLS is not to be trusted) and before logging in,
 * so that the tagged OK's [CAPABILITY] is told from the old list.
 */
static void
imap_caps_forget(struct imap_session *s)
{
	struct mailimap_capability_data	*caps = imap_caps(s);

	if (caps == NULL)
		return;
	mailimap_capability_data_free(caps);
	s->imap->imap_connection_info->imap_capability = NULL;
}

/*
 * Sends CAPABILITY and reads the answer, which libetpan files in the
 * connection info.  Not mailimap_capability(): it copies that list, and
 * libetpan 1.9.4 dereferences it unchecked, so an OK without a
 * * CAPABILITY line would crash it.  These are the exported steps it is
 * made of.
 */
static int
imap_capability_cmd(mailimap *imap)
{
	static const char		 cmd[] = "CAPABILITY\r\n";
	struct mailimap_response	*resp = NULL;
	int				 r, state;

	r = mailimap_send_current_tag(imap);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	if (mailstream_write(imap->imap_stream, cmd, sizeof cmd - 1) !=
	    (ssize_t)(sizeof cmd - 1) || mailstream_flush(imap->imap_stream) != 0 ||
	    mailimap_read_line(imap) == NULL)
		return MAILIMAP_ERROR_STREAM;
	r = mailimap_parse_response(imap, &resp);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	state = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->
	    rsp_type;
	mailimap_response_free(resp);
	return state == MAILIMAP_RESP_COND_STATE_OK ? MAILIMAP_NO_ERROR :
	    MAILIMAP_ERROR_CAPABILITY;
}

/*
 * Asks CAPABILITY unless the server listed them in a response code (the
 * greeting's, or the tagged OK of LOGIN's) since they were last forgotten.
 * A server that answers without any leaves the list empty.
 */
static int
imap_capability(struct imap_session *s, struct err *err)
{
	int	r;

	if (imap_caps(s) != NULL)
		return 0;
	r = imap_capability_cmd(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, "CAPABILITY", err);
	return 0;
}

/* The known capabilities as one line ("IMAP4rev1 IDLE AUTH=PLAIN"). */
static void
imap_caps_text(const struct imap_session *s, char *out, size_t len)
{
	struct mailimap_capability_data	*caps = imap_caps(s);
	struct mailimap_capability	*c;
	clistiter			*it;
	const char			*name;
	char				 safe[256];
	size_t				 n = 0;

	out[0] = '\0';
	if (caps == NULL || caps->cap_list == NULL)
		return;
	for (it = clist_begin(caps->cap_list); it != NULL && n + 1 < len;
	    it = clist_next(it)) {
		c = clist_content(it);
		if (c == NULL)
			continue;
		name = c->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE ?
		    c->cap_data.cap_auth_type : c->cap_data.cap_name;
		snprintf(out + n, len - n, "%s%s%s", n > 0 ? " " : "",
		    c->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE ? "AUTH=" : "",
		    util_printable(name != NULL ? name : "", safe,
		    sizeof safe));
		n = strlen(out);
	}
}

/* Logs in with the configured or best mechanism; the secret is wiped after. */
static int
imap_login(struct imap_session *s, const struct source *src, struct err *err)
{
	bool		 xoauth2, plain = false;
	char		*secret = NULL, text[512];
	const char	*user = src->user != NULL ? src->user : "";
	const char	*mech;
	int		 r;

	xoauth2 = src->auth != NULL ? strcasecmp(src->auth, "xoauth2") == 0 :
	    (src->token.command != NULL || src->token.env != NULL ||
	    src->token.value != NULL);
	if (config_secret(xoauth2 ? &src->token : &src->password, &secret,
	    err) != 0) {
		source_note(&s->rep, false, "%s: %s", xoauth2 ? "token" :
		    "password", err->msg);
		return -1;
	}
	if (secret == NULL)
		secret = xstrdup("");
	if (!xoauth2) {
		plain = src->auth != NULL ? strcasecmp(src->auth, "plain") == 0 :
		    mailimap_has_extension(s->imap, "LOGINDISABLED") != 0;
		if (!plain && mailimap_has_extension(s->imap, "LOGINDISABLED")) {
			explicit_bzero(secret, strlen(secret));
			free(secret);
			err_set(err, ERR_FINAL, "%s: the server disables "
			    "LOGIN; set auth = plain or xoauth2", s->url.host);
			source_note(&s->rep, false, "%s", err->msg);
			return -1;
		}
	}
	mech = xoauth2 ? "XOAUTH2" : plain ? "AUTHENTICATE PLAIN" : "LOGIN";
	/* RFC 3501 6.2.3: the tagged OK may carry the new capabilities. */
	imap_caps_forget(s);
	s->in_auth = true;
	if (xoauth2)
		r = mailimap_oauth2_authenticate(s->imap, user, secret);
	else if (plain)
		r = mailimap_authenticate(s->imap, "PLAIN", s->url.host,
		    NULL, NULL, user, user, secret, NULL);
	else
		r = mailimap_login(s->imap, user, secret);
	s->in_auth = false;
	explicit_bzero(secret, strlen(secret));
	free(secret);
	if (r != MAILIMAP_NO_ERROR && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		if (imap_fatal_error(r))
			imap_fail(s, r, "login", err);
		else
			err_set(err, ERR_WAIT, "%s: login as %s failed: %s",
			    s->url.host, user, imap_response(s, text,
			    sizeof text));
		source_note(&s->rep, false, "%s (%s); check user = and the "
		    "password of [imap %s]", err->msg, mech, src->key);
		return -1;
	}
	source_note(&s->rep, true, "logged in as %s (%s)", user, mech);
	return 0;
}

/* The transport's bounds for a source (imap-stream.h). */
static void
imap_transport_conf(const struct source *src, struct imap_stream_conf *conf)
{
	memset(conf, 0, sizeof *conf);
	conf->timeout = src->timeout > 0 ? src->timeout : 60;
	conf->command_timeout = conf->timeout * IMAP_COMMAND_TIMEOUTS;
	conf->max_response = IMAP_MAX_RESPONSE;
}

/* Verifies the certificate of a TLS stream, with a hint when it fails. */
static int
imap_open_verify(struct imap_session *s, const struct source *src,
    mailstream *ms, const char **hint, struct err *err)
{
	if (imap_stream_verify(ms, s->url.host, src->ca_file, err) != 0) {
		if (err->cls == ERR_FINAL)
			*hint = "fix ca_file =";
		else if (strstr(err->msg, "does not match") != NULL)
			*hint = "put the name the certificate is made out to in "
			    "url =";
		else if (strstr(err->msg, "expired") != NULL)
			*hint = "the server's certificate must be renewed";
		else if (strstr(err->msg, "not activated") != NULL)
			*hint = "the certificate is not valid yet: check the "
			    "clocks";
		else
			*hint = "set ca_file = to the CA that signed it (or to "
			    "the certificate itself when it is self-signed)";
		return -1;
	}
	source_note(&s->rep, true, "TLS: certificate verified for %s (%s%s)",
	    s->url.host, src->ca_file != NULL ? "ca_file " :
	    "system trust store", src->ca_file != NULL ? src->ca_file : "");
	return 0;
}

/*
 * Connects, verifies TLS before anything else is sent and logs in.  The
 * capabilities of the greeting are used when it has them; they are asked
 * again after STARTTLS (RFC 3501 section 6.2.1), and after login unless
 * the tagged OK carried them.
 */
static int
imap_open(struct imap_session *s, const struct source *src, struct err *err)
{
	struct imap_stream_conf	 conf;
	mailstream		*ms = NULL;
	char			 caps[1024];
	const char		*hint = NULL, *why;
	bool			 preauth;
	int			 r;

	if (s->url.implicit_tls && src->tls == TLS_NONE) {
		err_set(err, ERR_FINAL, "tls = none needs an imap:// url");
		source_note(&s->rep, false, "%s", err->msg);
		return -1;
	}
	s->imap = mailimap_new(0, NULL);
	if (s->imap == NULL)
		fatal("out of memory");
	if (log_level >= LOG_LVL_DEBUG)
		mailimap_set_logger(s->imap, imap_logger, s);
	imap_transport_conf(src, &conf);
	if (imap_stream_connect(s->url.host, s->url.port, s->url.implicit_tls,
	    &conf, s->stop, &ms, err) != 0) {
		if (strstr(err->msg, "TLS handshake") != NULL)
			hint = "is this port imaps (993) or imap with STARTTLS "
			    "(143)?";
		else if (strstr(err->msg, "cannot resolve") != NULL)
			hint = "check the host name in url =";
		else if (strstr(err->msg, "too many open files") == NULL)
			hint = "check the host and port in url = and that "
			    "nothing blocks them";
		goto fail;
	}
	source_note(&s->rep, true, "connected to %s:%u%s", s->url.host,
	    (unsigned)s->url.port, s->url.implicit_tls ? " with TLS (imaps)" :
	    "");
	/* The certificate is checked before even the greeting is read. */
	if (s->url.implicit_tls && imap_open_verify(s, src, ms, &hint,
	    err) != 0) {
		mailstream_close(ms);
		goto fail;
	}
	imap_stream_arm(ms, s->stop, s->session_end, s->session_secs);
	r = mailimap_connect(s->imap, ms);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		imap_stream_failure(ms, &why);
		err_set(err, ERR_TEMP, "%s:%u: no IMAP greeting: %s", s->url.host,
		    (unsigned)s->url.port, why != NULL ? why :
		    r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION ?
		    "the server refused the connection (BYE)" :
		    imap_strerror(r));
		hint = "is this an IMAP port? (timeout =)";
		goto fail;
	}
	preauth = r == MAILIMAP_NO_ERROR_AUTHENTICATED;

	if (!s->url.implicit_tls && src->tls != TLS_NONE) {
		if (preauth) {
			err_set(err, ERR_WAIT, "%s: the server sent PREAUTH "
			    "before STARTTLS; refusing an unencrypted session",
			    s->url.host);
			goto fail;
		}
		if (imap_capability(s, err) != 0)
			goto fail;
		if (!mailimap_has_extension(s->imap, "STARTTLS")) {
			err_set(err, ERR_WAIT, "%s: the server does not offer "
			    "STARTTLS", s->url.host);
			hint = "use an imaps:// url, or tls = none only on "
			    "loopback";
			goto fail;
		}
		r = mailimap_starttls(s->imap);
		if (r != MAILIMAP_NO_ERROR) {
			imap_fail(s, r, "STARTTLS", err);
			goto fail;
		}
		/*
		 * Anything the server sent after its OK would be taken as
		 * said under TLS (CVE-2020-15953): refused.
		 */
		if (imap_stream_buffered(s->imap->imap_stream)) {
			err_set(err, ERR_WAIT, "%s: STARTTLS: the server sent "
			    "more after its OK; refusing the connection",
			    s->url.host);
			goto fail;
		}
		if (imap_stream_starttls(s->imap->imap_stream, s->url.host,
		    err) != 0)
			goto fail;
		imap_caps_forget(s);
		source_note(&s->rep, true, "STARTTLS negotiated");
		if (imap_open_verify(s, src, s->imap->imap_stream, &hint,
		    err) != 0)
			goto fail;
	}
	if (src->tls == TLS_NONE)
		source_note(&s->rep, true, "TLS: none (tls = none): the "
		    "password crosses the network unencrypted");
	if (imap_capability(s, err) != 0)
		goto fail;
	if (s->rep.say != NULL) {
		imap_caps_text(s, caps, sizeof caps);
		source_note(&s->rep, true, "capabilities: %s", caps);
	}
	if (!preauth) {
		if (imap_login(s, src, err) != 0) {
			imap_disconnect(s, false);
			return -1;
		}
		if (imap_capability(s, err) != 0)
			goto fail;
		if (s->rep.say != NULL) {
			imap_caps_text(s, caps, sizeof caps);
			source_note(&s->rep, true, "capabilities after login: "
			    "%s", caps);
		}
	} else
		source_note(&s->rep, true, "pre-authenticated by the server "
		    "(PREAUTH)");
	s->condstore = mailimap_has_extension(s->imap, "CONDSTORE") != 0;
	imap_log(LOG_LVL_INFO, s, "connected to %s:%u%s", s->url.host,
	    (unsigned)s->url.port, src->tls == TLS_NONE ? " without TLS" : "");
	return 0;
fail:
	util_trim(err->msg);	/* GnuTLS ends its reasons with a space */
	source_fail(&s->rep, err->msg, hint);
	imap_disconnect(s, false);
	return -1;
}

/* Whether a list holds a mailbox name (exactly, but for INBOX). */
static bool
imap_has_name(const struct strlist *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (imap_list_same(l->v[i], name))
			return true;
	return false;
}

/* The server's name for a configured folder, trying its delimiter and INBOX prefix. */
static const char *
imap_find_mailbox(const struct imap_nameset *names, const char *want,
    char delim)
{
	char		*alt, *cand[3];
	size_t		 j;
	const char	*found = NULL;

	cand[0] = xstrdup(want);
	cand[1] = xstrdup(want);
	if (delim != '\0')
		for (alt = cand[1]; *alt != '\0'; alt++)
			if (*alt == '/')
				*alt = delim;
	cand[2] = delim != '\0' ? xasprintf("INBOX%c%s", delim, cand[1]) :
	    xstrdup(want);
	for (j = 0; j < 3 && found == NULL; j++)
		found = imap_nameset_get(names, cand[j]);
	for (j = 0; j < 3; j++)
		free(cand[j]);
	return found;
}

/* What a LIST or XLIST answer gives discovery. */
struct imap_listing {
	struct imap_nameset	 names;		/* selectable mailboxes */
	size_t			 bytes;		/* of their names */
	bool			 full;		/* IMAP_MAX_FOLDERS reached */
	char			 delim;		/* the first one given */
	char			*sent;		/* owned: the first \Sent one */
};

/* Takes one LIST or XLIST entry: a selectable name, delimiter, \Sent. */
static void
imap_listing_add(const struct imap_list_entry *e, void *arg)
{
	struct imap_listing	*l = arg;

	if (l->delim == '\0')
		l->delim = e->delim;
	if (e->noselect || l->full)
		return;
	if (l->names.names.n >= IMAP_MAX_FOLDERS ||
	    l->bytes + strlen(e->name) > IMAP_MAX_FOLDER_BYTES) {
		l->full = true;
		return;
	}
	if (imap_nameset_add(&l->names, e->name))
		l->bytes += strlen(e->name);
	if (e->sent && l->sent == NULL)
		l->sent = xstrdup(e->name);
}

/*
 * Sends LIST or XLIST and adds its answer to l.  Returns 0, or -1 with
 * err and the connection dropped when it broke; a NO or BAD is only
 * logged, in *refused.
 */
static int
imap_listing_run(struct imap_session *s, const char *cmd,
    struct imap_listing *l, bool *refused, struct err *err)
{
	char	text[512], safe[512];
	size_t	bad = 0;
	int	r;

	*refused = false;
	r = imap_list_run(s->imap, cmd, imap_listing_add, l, &bad, text,
	    sizeof text);
	if (bad > 0)
		imap_log(LOG_LVL_WARN, s, "%s: %zu folder names skipped "
		    "(malformed, or holding control characters)", cmd, bad);
	if (r == MAILIMAP_NO_ERROR && l->full)
		return err_set(err, ERR_TEMP, "%s: %s: more than %d folders, or "
		    "%d MiB of folder names; not read", s->url.host, cmd,
		    IMAP_MAX_FOLDERS, IMAP_MAX_FOLDER_BYTES >> 20);
	if (r == MAILIMAP_NO_ERROR)
		return 0;
	if (r == MAILIMAP_ERROR_LIST || r == MAILIMAP_ERROR_PROTOCOL) {
		*refused = true;
		err_set(err, ERR_WAIT, "%s: %s refused: %s", s->url.host, cmd,
		    util_printable(text, safe, sizeof safe));
		return 0;
	}
	return imap_fail(s, r, cmd, err);
}

/* The first folder names of a list, for a doctor's hint. */
static void
imap_names_text(const struct strlist *names, char *out, size_t len)
{
	size_t	i, n = 0;

	out[0] = '\0';
	for (i = 0; i < names->n && i < IMAP_HINT_FOLDERS && n + 1 < len; i++) {
		snprintf(out + n, len - n, "%s%s", i > 0 ? ", " : "",
		    names->v[i]);
		n = strlen(out);
	}
	if (names->n > IMAP_HINT_FOLDERS && n + 1 < len)
		snprintf(out + n, len - n, " and %zu more",
		    names->n - IMAP_HINT_FOLDERS);
}

/*
 * Resolves the folders to poll: INBOX and the \Sent special-use folder
 * (RFC 6154, or Gmail's XLIST), or the configured ones in the server's
 * spelling.  Roles come from flags only, never from localised names.
 * LIST is read line by line into a hash set (imap-list.c): linear in the
 * number of folders, names compared exactly but for INBOX, and at most
 * IMAP_MAX_FOLDERS of them.
 */
static int
imap_discover(struct imap_session *s, const struct source *src,
    struct err *err)
{
	struct imap_listing	 l;
	struct imap_nameset	*names = &l.names;
	char			 delim, *sent, *enc, all[1024];
	const char		*found, *how = "SPECIAL-USE";
	size_t			 i;
	bool			 refused;

	memset(&l, 0, sizeof l);
	if (imap_listing_run(s, "LIST", &l, &refused, err) != 0 || refused) {
		source_note(&s->rep, false, "%s", err->msg);
		if (!refused)
			goto fail;
		/* A list refused is a server in trouble: try again later. */
		err->cls = ERR_TEMP;
		goto fail;
	}
	if (l.sent == NULL && mailimap_has_extension(s->imap, "XLIST")) {
		how = "XLIST";
		if (imap_listing_run(s, "XLIST", &l, &refused, err) != 0) {
			source_note(&s->rep, false, "%s", err->msg);
			goto fail;
		}
		err_clear(err);
	}
	delim = l.delim;
	sent = l.sent;
	imap_names_text(&names->names, all, sizeof all);
	source_note(&s->rep, true, "LIST: %zu folders (delimiter %c): %s",
	    names->names.n,
	    delim != '\0' ? delim : '-', all);

	strlist_clear(&s->folders);
	strlist_clear(&s->missing);
	s->sent = -1;
	if (src->folders.n == 0) {
		strlist_add(&s->folders, "INBOX");
		if (sent != NULL && strcasecmp(sent, "INBOX") != 0) {
			s->sent = (long)s->folders.n;
			strlist_add(&s->folders, sent);
			source_note(&s->rep, true, "\\Sent folder: %s (by %s)",
			    sent, how);
		} else {
			imap_log(LOG_LVL_INFO, s, "no \\Sent special-use folder; "
			    "polling INBOX only (set folders = to choose)");
			source_note(&s->rep, false, "no \\Sent special-use "
			    "folder: only INBOX is read, so no offer is seen; "
			    "set folders = INBOX, <the folder sent mail goes "
			    "to>");
		}
	}
	for (i = 0; i < src->folders.n; i++) {
		enc = imap_utf7_encode(src->folders.v[i]);
		found = imap_find_mailbox(names, enc != NULL ? enc :
		    src->folders.v[i], delim);
		free(enc);
		if (found == NULL) {
			log_msg(LOG_LVL_WARN, s->tag, "%s: no such folder on %s",
			    src->folders.v[i], s->url.host);
			source_note(&s->rep, false, "%s: no such folder on %s; "
			    "fix folders = (the server has: %s)",
			    src->folders.v[i], s->url.host, all);
			strlist_add(&s->missing, src->folders.v[i]);
			continue;
		}
		source_note(&s->rep, true, "%s: found%s%s", src->folders.v[i],
		    strcmp(found, src->folders.v[i]) != 0 ? " as " : "",
		    strcmp(found, src->folders.v[i]) != 0 ? found : "");
		if (imap_has_name(&s->folders, found))
			continue;
		if (sent != NULL && imap_list_same(found, sent))
			s->sent = (long)s->folders.n;
		strlist_add(&s->folders, found);
	}
	free(sent);
	imap_nameset_clear(names);
	s->listed = util_now();
	return 0;
fail:
	free(l.sent);
	imap_nameset_clear(names);
	return -1;
}

/* The fields of a folder in the kept list: its name and its role. */
static const char *const imap_cache_fields[] = { "name", "role" };

/*
 * What a kept folder list was made for: the server, the user and the
 * configured folders, so that changing any of them lists again.  Caller
 * frees.
 */
static char *
imap_cache_key(const struct source *src)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i;

	buf_printf(&b, "%s\t%s", src->url, src->user != NULL ? src->user : "");
	for (i = 0; i < src->folders.n; i++)
		buf_printf(&b, "\t%s", src->folders.v[i]);
	return b.data;
}

/*
 * Takes the folders of a kept list: names as clean as LIST gives them
 * (imap-list.c), roles "sent" (one at most) or "folder".  -1 if any is
 * not; the session's list is then empty.
 */
static int
imap_cache_take(struct imap_session *s, const struct source_cache *c)
{
	const char	*name, *role;
	char		 safe[IMAP_LIST_NAME_MAX];
	size_t		 i, n = source_cache_count(c);

	strlist_clear(&s->folders);
	s->sent = -1;
	for (i = 0; i < n; i++) {
		name = c->values.v[2 * i];
		role = c->values.v[2 * i + 1];
		if (*name == '\0' || strcmp(util_printable(name, safe,
		    sizeof safe), name) != 0)
			goto bad;
		if (strcmp(role, "sent") == 0 && s->sent < 0)
			s->sent = (long)i;
		else if (strcmp(role, "folder") != 0)
			goto bad;
		strlist_add(&s->folders, name);
	}
	return n > 0 ? 0 : -1;
bad:
	strlist_clear(&s->folders);
	s->sent = -1;
	return -1;
}

/*
 * Takes the folder list from the store when it was made less than
 * IMAP_RELIST_SECS ago for this configuration: an idle poll of a new
 * process (salescycled --once) then sends no LIST.
 */
static void
imap_cache_load(struct imap_session *s, const struct source *src,
    struct store *st)
{
	struct source_cache	 c = { imap_cache_fields, 2, { NULL, 0, 0 },
				     0 };
	char			*key = imap_cache_key(src);

	if (source_cache_load(st, src, key, IMAP_RELIST_SECS, IMAP_MAX_FOLDERS,
	    &c) == 0 && imap_cache_take(s, &c) == 0) {
		strlist_clear(&s->missing);
		s->listed = c.when;
		imap_log(LOG_LVL_DEBUG, s, "%zu folders from the list of %lld",
		    s->folders.n, (long long)c.when);
	}
	strlist_clear(&c.values);
	free(key);
}

/*
 * Keeps the folder list in the store; a list that lacks a configured
 * folder is not kept (the one kept is dropped), so that the next poll
 * looks again.
 */
static void
imap_cache_save(struct imap_session *s, const struct source *src,
    struct store *st)
{
	struct source_cache	 c = { imap_cache_fields, 2, { NULL, 0, 0 },
				     s->listed };
	char			*key;
	size_t			 i;

	if (s->missing.n > 0) {
		source_cache_drop(st, src);
		return;
	}
	for (i = 0; i < s->folders.n; i++) {
		strlist_add(&c.values, s->folders.v[i]);
		strlist_add(&c.values, (long)i == s->sent ? "sent" : "folder");
	}
	key = imap_cache_key(src);
	source_cache_save(st, src, key, &c);
	strlist_clear(&c.values);
	free(key);
}

/* A test hook's numeric environment variable, or def when unset. */
static long
imap_test_env(const char *name, long def)
{
	const char	*v = getenv(name);
	char		*ep;
	long		 n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &ep, 10);
	if (errno != 0 || *ep != '\0' || n < 1)
		return def;
	return n;
}

/*
 * An outbound message whose parts are still to be fetched: its first
 * text/plain part (hashtags) and its calendar parts (invitations).
 */
struct imap_held {
	uint32_t		 uid;
	struct mail_summary	 sum;
	bool			 has_text;
	struct imap_text_part	 text;
	struct imap_text_part	 cal[IMAP_MAX_CALENDARS];
	size_t			 ncal;
	bool			 asked;		/* in a parts FETCH */
	bool			 answered;	/* handed to the pipeline */
};

/*
 * A UID that was asked for and not answered, or refused: it is asked
 * again at the next polls and given up after IMAP_RETRY_MAX of them.
 */
struct imap_retry {
	uint32_t	uid;
	unsigned	tries;		/* polls that asked for it in vain */
};

/* One folder's sync in progress. */
struct imap_folder_ctx {
	struct imap_session	*s;
	struct pipeline		*p;
	const struct config	*cfg;
	const struct source	*src;
	const char		*folder;
	struct mailimap_fetch_type *ft;		/* owned: the metadata items */
	uint32_t		 uidvalidity;
	bool			 sent;
	const uint32_t		*batch;		/* borrowed: the batch's UIDs, ascending */
	bool			*got;		/* owned: per batch UID, its answer came */
	size_t			 nbatch;
	struct imap_held	*held;		/* owned: outbound mail awaiting its parts */
	size_t			 nheld;
	struct strlist		 skipped;	/* UIDs given up on, as text */
	struct imap_retry	*retry;		/* owned, ascending by UID */
	size_t			 nretry;
	unsigned		 failures;	/* UIDs skipped or put off in this poll */
	unsigned long		 seen;
};

/*
 * libetpan 1.9.4 only hands FETCH responses to the message handler when
 * a progress callback is set (mailimap_parse_response() otherwise takes
 * the path that collects them all in a list), so this one does nothing.
 */
static void
imap_progress(size_t current, size_t maximum, void *arg)
{
	(void)current;
	(void)maximum;
	(void)arg;
}

/* Compares UIDs for qsort and bsearch. */
static int
imap_uid_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Hands a summary to the pipeline under its item name (folder/validity/UID). */
static void
imap_hand(struct imap_folder_ctx *c, uint32_t uid, const struct mail_summary *sum)
{
	char	item[512];

	snprintf(item, sizeof item, "%s/%u/%u", c->folder, c->uidvalidity, uid);
	pipeline_mail(c->p, c->src->salesperson, sum, c->sent, item);
}

/*
 * Whether a message's parts are worth fetching: hashtags and invitations
 * only count in mail the salesperson sends, never in bulk mail.
 */
static bool
imap_needs_parts(const struct imap_folder_ctx *c, const struct mail_summary *sum)
{
	return sum->bulk == 0 &&
	    classify_direction(c->cfg, sum, c->sent) == DIR_OUTBOUND;
}

/*
 * Which parts of an outbound message (summary sum) to fetch into h: the
 * text part and the calendar parts small enough to take in, when its
 * invitations may count.  False if none.
 */
static bool
imap_held_parts(const struct imap_folder_ctx *c,
    const struct mailimap_msg_att *att, uint32_t uid,
    const struct mail_summary *sum, struct imap_held *h)
{
	struct imap_text_part	cal[IMAP_MAX_CALENDARS];
	size_t			n, i;

	h->has_text = imap_msg_text_part(att, &h->text);
	/* Only the owner's own invitations count: a stranger's are not read. */
	n = classify_owners_own(c->cfg, c->src->salesperson, sum, c->sent) ?
	    imap_msg_calendar_parts(att, cal, IMAP_MAX_CALENDARS) : 0;
	if (n > IMAP_MAX_CALENDARS) {
		imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: %zu calendar parts; "
		    "only the first %d read", c->folder, uid, n,
		    IMAP_MAX_CALENDARS);
		n = IMAP_MAX_CALENDARS;
	}
	h->ncal = 0;
	for (i = 0; i < n; i++) {
		if (cal[i].size > IMAP_CALENDAR_MAX) {
			imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: calendar part "
			    "%s of %u bytes skipped", c->folder, uid,
			    cal[i].section, cal[i].size);
			continue;
		}
		h->cal[h->ncal++] = cal[i];
	}
	return h->has_text || h->ncal > 0;
}

/* libetpan calls this for each FETCH response while it is still reading. */
static void
imap_on_message(struct mailimap_msg_att *att, void *arg)
{
	struct imap_folder_ctx	*c = arg;
	struct mail_summary	 sum;
	struct imap_held	*h;
	const uint32_t		*at;
	uint32_t		 uid;

	if (imap_summary(att, &sum, &uid) != 0)
		return;		/* an unsolicited FETCH (flags), not ours */
	at = bsearch(&uid, c->batch, c->nbatch, sizeof *c->batch, imap_uid_cmp);
	if (at == NULL || c->got[at - c->batch]) {
		/* Not asked for ("n:*" answers the last UID) or twice. */
		mail_summary_free(&sum);
		return;
	}
	c->got[at - c->batch] = true;
	c->seen++;
	if (imap_needs_parts(c, &sum)) {
		c->held = xreallocarray(c->held, c->nheld + 1, sizeof *c->held);
		h = &c->held[c->nheld];
		memset(h, 0, sizeof *h);
		if (imap_held_parts(c, att, uid, &sum, h)) {
			h->uid = uid;
			h->sum = sum;	/* taken over */
			c->nheld++;
			return;
		}
	}
	imap_hand(c, uid, &sum);
	mail_summary_free(&sum);
}

/* The part number of a BODY[section] answer ("1.2"); "" for any other. */
static void
imap_answer_section(const struct mailimap_section *sec, char *out, size_t len)
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

/*
 * Reads one BODY[section] answer into a held message: hashtags from its
 * text part, or the decoded iCalendar text of calendar part j into texts[j].
 */
static void
imap_held_answer(struct imap_folder_ctx *c, struct imap_held *h,
    const struct mailimap_msg_att_body_section *sec, char **texts)
{
	char	section[IMAP_SECTION_MAX];
	size_t	j;

	if (sec->sec_body_part == NULL)
		return;
	imap_answer_section(sec->sec_section, section, sizeof section);
	/* No more than was asked for, whatever the server sends. */
	if (h->has_text && strcmp(section, h->text.section) == 0) {
		imap_text_hashtags(&h->sum, &h->text, sec->sec_body_part,
		    sec->sec_length < IMAP_TEXT_MAX ? sec->sec_length :
		    IMAP_TEXT_MAX);
		return;
	}
	for (j = 0; j < h->ncal; j++) {
		if (strcmp(section, h->cal[j].section) != 0 || texts[j] != NULL)
			continue;
		texts[j] = mime_part_text(h->cal[j].encoding, h->cal[j].charset,
		    sec->sec_body_part, sec->sec_length < IMAP_CALENDAR_MAX ?
		    sec->sec_length : IMAP_CALENDAR_MAX, 0);
		if (texts[j] == NULL)
			imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: calendar part "
			    "%s does not decode; skipped", c->folder, h->uid,
			    section);
		return;
	}
}

/*
 * libetpan calls this for each answer to the parts FETCH of held
 * messages: the message is complete with it and goes to the pipeline at
 * once, so that a batch never keeps more than one answer's parts.
 */
static void
imap_on_parts(struct mailimap_msg_att *att, void *arg)
{
	struct imap_folder_ctx		*c = arg;
	struct mailimap_msg_att_item	*item;
	struct mailimap_msg_att_static	*st;
	struct imap_held		*h = NULL;
	clistiter			*it;
	char				*texts[IMAP_MAX_CALENDARS] = { NULL };
	uint32_t			 uid = 0;
	size_t				 i;

	if (att == NULL || att->att_list == NULL)
		return;
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item != NULL && item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static != NULL &&
		    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
			uid = item->att_data.att_static->att_data.att_uid;
	}
	for (i = 0; i < c->nheld && h == NULL; i++)
		if (c->held[i].uid == uid && c->held[i].asked &&
		    !c->held[i].answered)
			h = &c->held[i];
	if (h == NULL)
		return;		/* not ours, or a second answer */
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item == NULL || item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
		    item->att_data.att_static == NULL)
			continue;
		st = item->att_data.att_static;
		if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
		    st->att_data.att_body_section != NULL)
			imap_held_answer(c, h, st->att_data.att_body_section,
			    texts);
	}
	/* In the order of the parts, as mail.c collects them. */
	for (i = 0; i < h->ncal; i++)
		if (texts[i] != NULL)
			strlist_take(&h->sum.calendar_parts, texts[i]);
	imap_hand(c, h->uid, &h->sum);
	mail_summary_free(&h->sum);
	h->answered = true;
}

/*
 * Sets the streaming handler of the connection (again after a reconnect),
 * and tells the transport, whose bounds count a streamed FETCH as freed
 * once handled.
 */
static void
imap_stream_to(struct imap_session *s, mailimap_msg_att_handler *h, void *arg)
{
	imap_stream_keep(s->imap->imap_stream, h != NULL ? IMAP_KEEP_NO_FETCH :
	    IMAP_KEEP_ALL);
	mailimap_set_msg_att_handler(s->imap, h, arg);
	mailimap_set_progress_callback(s->imap, NULL, h != NULL ?
	    imap_progress : NULL, NULL);
}

/*
 * The FETCH items: metadata only, and BODY.PEEK so \Seen is never set.
 * Outside the \Sent folder also the first byte of the Received header
 * fields (BODY.PEEK[HEADER.FIELDS (RECEIVED)]<0.1>), which tells a
 * message that came in by SMTP from a copy the owner's client filed
 * (RFC 3501 section 6.4.5: without such fields the section is the empty
 * line alone).
 */
static struct mailimap_fetch_type *
imap_fetch_type(bool probe)
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

/* The retry entry of a UID, or NULL. */
static struct imap_retry *
imap_retry_find(struct imap_folder_ctx *c, uint32_t uid)
{
	struct imap_retry	key = { uid, 0 };

	if (c->nretry == 0)
		return NULL;	/* c->retry may be NULL: not for bsearch */
	return bsearch(&key, c->retry, c->nretry, sizeof *c->retry,
	    imap_uid_cmp);
}

/*
 * After a batch: its UIDs that were never answered (a server may leave
 * some out of a FETCH answer, or refuse them) are put off to the next
 * poll, and given up with a warning after IMAP_RETRY_MAX polls; those
 * answered leave the retry list.
 */
static void
imap_retry_batch(struct imap_folder_ctx *c)
{
	struct imap_retry	*rt;
	size_t			 i, j;

	for (i = 0; i < c->nbatch; i++) {
		rt = imap_retry_find(c, c->batch[i]);
		if (c->got[i]) {
			if (rt != NULL)
				rt->tries = 0;		/* dropped below */
			continue;
		}
		if (rt == NULL) {
			c->retry = xreallocarray(c->retry, c->nretry + 1,
			    sizeof *c->retry);
			rt = &c->retry[c->nretry++];
			rt->uid = c->batch[i];
			rt->tries = 0;
		}
		if (++rt->tries < IMAP_RETRY_MAX) {
			imap_log(LOG_LVL_INFO, c->s, "%s: UID %u not answered; "
			    "asking again at the next poll", c->folder,
			    c->batch[i]);
			continue;
		}
		imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: asked in %d polls "
		    "in vain; message given up", c->folder, c->batch[i],
		    IMAP_RETRY_MAX);
		strlist_take(&c->skipped, xasprintf("%u", c->batch[i]));
		rt->tries = 0;
	}
	for (i = j = 0; i < c->nretry; i++)
		if (c->retry[i].tries > 0)
			c->retry[j++] = c->retry[i];
	c->nretry = j;
	if (c->nretry > 0)
		qsort(c->retry, c->nretry, sizeof *c->retry, imap_uid_cmp);
	/* The oldest first when there are too many to keep. */
	if (c->nretry > IMAP_RETRY_KEEP) {
		memmove(c->retry, c->retry + c->nretry - IMAP_RETRY_KEEP,
		    IMAP_RETRY_KEEP * sizeof *c->retry);
		c->nretry = IMAP_RETRY_KEEP;
	}
}

/* Reads the "retry" cursor ("UID:TRIES,..."); malformed entries are dropped. */
static void
imap_retry_load(struct imap_folder_ctx *c, const char *v)
{
	unsigned long long	 uid, tries;
	const char		*p = v;
	char			*ep;

	while (p != NULL && *p != '\0' && c->nretry < IMAP_RETRY_KEEP) {
		errno = 0;
		uid = strtoull(p, &ep, 10);
		if (errno == 0 && ep != p && *ep == ':') {
			p = ep + 1;
			tries = strtoull(p, &ep, 10);
			if (errno == 0 && ep != p && uid > 0 &&
			    uid <= UINT32_MAX && tries > 0 &&
			    tries < IMAP_RETRY_MAX && (*ep == ',' || *ep == '\0')) {
				c->retry = xreallocarray(c->retry, c->nretry + 1,
				    sizeof *c->retry);
				c->retry[c->nretry].uid = (uint32_t)uid;
				c->retry[c->nretry++].tries = (unsigned)tries;
			}
		}
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	if (c->nretry > 0)
		qsort(c->retry, c->nretry, sizeof *c->retry, imap_uid_cmp);
}

/* The "retry" cursor's value; NULL (deleted) when nothing waits.  Caller frees. */
static char *
imap_retry_format(const struct imap_folder_ctx *c)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i;

	for (i = 0; i < c->nretry; i++)
		buf_printf(&b, "%s%u:%u", i > 0 ? "," : "", c->retry[i].uid,
		    c->retry[i].tries);
	return b.data;
}

/*
 * The UIDs to fetch, ascending: those from start on and those waiting in
 * the retry list that still exist, or on a first sync those of the last
 * backfill_days.  UIDs below start that "n:*" returns when nothing is new
 * are dropped, and so are retries the server no longer has (expunged).
 * start may be 2^32, past the last possible UID.  Caller frees *out.
 */
static int
imap_search(struct imap_folder_ctx *c, uint64_t start, bool first,
    uint32_t **out, size_t *n, struct err *err)
{
	struct imap_session		*s = c->s;
	struct mailimap_search_key	*key;
	struct mailimap_set		*set;
	clist				*res = NULL;
	clistiter			*it;
	struct tm			 tm;
	time_t				 since;
	uint32_t			*v, u;
	uint64_t			 modseq = 0;
	size_t				 cap, k = 0, i;
	bool				*found = NULL;
	char				 what[600];
	int				 r;

	*out = NULL;
	*n = 0;
	if (first && c->cfg->backfill_days > 0) {
		since = util_now() - (time_t)c->cfg->backfill_days * 86400;
		gmtime_r(&since, &tm);
		key = mailimap_search_key_new_since(mailimap_date_new(tm.tm_mday,
		    tm.tm_mon + 1, tm.tm_year + 1900));
	} else {
		v = xcalloc(c->nretry > 0 ? c->nretry : 1, sizeof *v);
		for (i = 0; i < c->nretry; i++)
			v[i] = c->retry[i].uid;
		set = imap_uid_set(v, c->nretry);
		free(v);
		/* "start:*"; libetpan sends 0 as "*". */
		if (start <= UINT32_MAX && mailimap_set_add_interval(set,
		    start > 0 ? (uint32_t)start : 1, 0) != MAILIMAP_NO_ERROR)
			fatal("out of memory");
		if (clist_isempty(set->set_list)) {
			mailimap_set_free(set);
			return 0;	/* no UID can come after 2^32 - 1 */
		}
		key = mailimap_search_key_new_uid(set);
	}
	if (key == NULL)
		fatal("out of memory");
	/*
	 * The result is set on a NO too.  The _modseq form because
	 * mailimap_uid_search() passes a NULL modseq pointer that libetpan
	 * writes through whenever it files an answer as CONDSTORE search
	 * data (1.9.4's parse order makes that unlikely; it costs nothing).
	 */
	r = mailimap_uid_search_modseq(s->imap, NULL, key, &res, &modseq);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		if (res != NULL)
			mailimap_search_result_free(res);
		snprintf(what, sizeof what, "%s: UID SEARCH", c->folder);
		return imap_fail(s, r, what, err);
	}
	cap = res != NULL ? clist_count(res) : 0;
	v = xcalloc(cap > 0 ? cap : 1, sizeof *v);
	if (c->nretry > 0)
		found = xcalloc(c->nretry, sizeof *found);
	for (it = res != NULL ? clist_begin(res) : NULL; it != NULL;
	    it = clist_next(it)) {
		if (clist_content(it) == NULL)
			continue;
		u = *(uint32_t *)clist_content(it);
		if (u == 0)
			continue;
		if (!first && imap_retry_find(c, u) != NULL)
			found[imap_retry_find(c, u) - c->retry] = true;
		else if (u < start)
			continue;
		v[k++] = u;
	}
	if (res != NULL)
		mailimap_search_result_free(res);
	/* Retries the server does not have any more were expunged. */
	for (i = cap = 0; i < c->nretry; i++) {
		if (found != NULL && found[i])
			c->retry[cap++] = c->retry[i];
		else
			imap_log(LOG_LVL_DEBUG, s, "%s: UID %u is gone",
			    c->folder, c->retry[i].uid);
	}
	c->nretry = first ? 0 : cap;
	free(found);
	qsort(v, k, sizeof *v, imap_uid_cmp);
	for (i = 1, cap = k > 0 ? 1 : 0; i < k; i++)
		if (v[i] != v[cap - 1])
			v[cap++] = v[i];
	*out = v;
	*n = cap;
	return 0;
}

/*
 * Commits a batch with the folder's cursors: UIDNEXT as a 64-bit number
 * (after UID 2^32 - 1 it is 2^32), the UIDs skipped as unparsable or
 * given up (the last IMAP_SKIPPED_KEEP) and those to ask again.
 */
static int
imap_commit(struct imap_folder_ctx *ctx, uint64_t next, uint32_t messages,
    uint64_t modseq, struct err *err)
{
	const char		*folder = ctx->folder;
	const struct strlist	*skipped = &ctx->skipped;
	char			 sv[16], sn[24], sm[16], sq[24], *rt;
	struct cursor		 c[6];
	struct buf		 sk = { NULL, 0, 0 };
	size_t		n = 3, i;
	int		r;

	snprintf(sv, sizeof sv, "%u", ctx->uidvalidity);
	snprintf(sn, sizeof sn, "%llu", (unsigned long long)next);
	snprintf(sm, sizeof sm, "%u", messages);
	c[0] = (struct cursor){ folder, "uidvalidity", sv };
	c[1] = (struct cursor){ folder, "uidnext", sn };
	c[2] = (struct cursor){ folder, "messages", sm };
	if (modseq > 0) {
		snprintf(sq, sizeof sq, "%llu", (unsigned long long)modseq);
		c[n++] = (struct cursor){ folder, "highestmodseq", sq };
	}
	for (i = skipped->n > IMAP_SKIPPED_KEEP ? skipped->n -
	    IMAP_SKIPPED_KEEP : 0; i < skipped->n; i++) {
		if (sk.len > 0)
			buf_puts(&sk, ",");
		buf_puts(&sk, skipped->v[i]);
	}
	c[n++] = (struct cursor){ folder, "skipped", sk.data };
	rt = imap_retry_format(ctx);
	c[n++] = (struct cursor){ folder, "retry", rt };
	r = source_commit(ctx->p, c, n, err);
	buf_free(&sk);
	free(rt);
	return r < 0 ? -1 : r;
}

/* Reads STATUS; fills what the server sent. */
static int
imap_status(struct imap_session *s, const char *folder, uint32_t *validity,
    uint32_t *uidnext, uint32_t *messages, uint64_t *modseq, struct err *err)
{
	struct mailimap_status_att_list		*sl;
	struct mailimap_mailbox_data_status	*ms = NULL;
	struct mailimap_status_info		*si;
	struct mailimap_condstore_status_info	*cs;
	clistiter				*it;
	char					 what[600];
	int					 r;

	sl = mailimap_status_att_list_new_empty();
	if (sl == NULL ||
	    mailimap_status_att_list_add(sl, MAILIMAP_STATUS_ATT_UIDVALIDITY) ||
	    mailimap_status_att_list_add(sl, MAILIMAP_STATUS_ATT_UIDNEXT) ||
	    mailimap_status_att_list_add(sl, MAILIMAP_STATUS_ATT_MESSAGES) ||
	    (s->condstore && mailimap_status_att_list_add(sl,
	    MAILIMAP_STATUS_ATT_HIGHESTMODSEQ)))
		fatal("out of memory");
	/*
	 * STATUS on the selected mailbox is a client error (RFC 3501
	 * 6.3.10): Dovecot answers with the counts of when it was selected,
	 * so new mail would go unseen on a kept connection.  Leave it first;
	 * CLOSE removes nothing from a mailbox opened with EXAMINE (6.4.2).
	 */
	if (s->imap->imap_state == MAILIMAP_STATE_SELECTED) {
		r = mailimap_close(s->imap);
		if (r != MAILIMAP_NO_ERROR) {
			mailimap_status_att_list_free(sl);
			snprintf(what, sizeof what, "%s: CLOSE", folder);
			return imap_fail(s, r, what, err);
		}
	}
	/*
	 * libetpan hands over whatever * STATUS line came, also with a NO
	 * (so it is freed then too), and NULL with an OK that had none.
	 */
	r = mailimap_status(s->imap, folder, sl, &ms);
	mailimap_status_att_list_free(sl);
	if (r != MAILIMAP_NO_ERROR) {
		if (ms != NULL)
			mailimap_mailbox_data_status_free(ms);
		snprintf(what, sizeof what, "%s: STATUS", folder);
		return imap_fail(s, r, what, err);
	}
	if (ms == NULL)
		return err_set(err, ERR_WAIT, "%s: %s: STATUS: the server "
		    "answered OK without the status", s->url.host, folder);
	*validity = *uidnext = *messages = 0;
	*modseq = 0;
	for (it = ms->st_info_list != NULL ? clist_begin(ms->st_info_list) :
	    NULL; it != NULL; it = clist_next(it)) {
		si = clist_content(it);
		if (si == NULL)
			continue;
		switch (si->st_att) {
		case MAILIMAP_STATUS_ATT_UIDVALIDITY:
			*validity = si->st_value;
			break;
		case MAILIMAP_STATUS_ATT_UIDNEXT:
			*uidnext = si->st_value;
			break;
		case MAILIMAP_STATUS_ATT_MESSAGES:
			*messages = si->st_value;
			break;
		case MAILIMAP_STATUS_ATT_HIGHESTMODSEQ:
		case MAILIMAP_STATUS_ATT_EXTENSION:
			/* libetpan files it under the CONDSTORE extension. */
			if (si->st_ext_data != NULL &&
			    si->st_ext_data->ext_extension ==
			    &mailimap_extension_condstore &&
			    si->st_ext_data->ext_type ==
			    MAILIMAP_CONDSTORE_TYPE_STATUS_INFO &&
			    si->st_ext_data->ext_data != NULL) {
				cs = si->st_ext_data->ext_data;
				*modseq = cs->cs_highestmodseq_value;
			}
			break;
		}
	}
	mailimap_mailbox_data_status_free(ms);
	return 0;
}

/* Drops the held summaries. */
static void
imap_held_clear(struct imap_folder_ctx *c)
{
	size_t	i;

	for (i = 0; i < c->nheld; i++)
		mail_summary_free(&c->held[i].sum);
	free(c->held);
	c->held = NULL;
	c->nheld = 0;
}

/* BODY.PEEK[section]<0.max>: a part's first max bytes, never setting \Seen. */
static struct mailimap_fetch_att *
imap_section_att(const char *section, uint32_t max)
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
			break;		/* imap_walk writes digits and dots */
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

/* The FETCH items of a held message's parts: UID and each part, PEEK. */
static struct mailimap_fetch_type *
imap_parts_fetch_type(const struct imap_held *h)
{
	struct mailimap_fetch_type	*ft;
	size_t				 i;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (ft == NULL || mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid()) != 0)
		fatal("out of memory");
	if (h->has_text && mailimap_fetch_type_new_fetch_att_list_add(ft,
	    imap_section_att(h->text.section, IMAP_TEXT_MAX)) != 0)
		fatal("out of memory");
	for (i = 0; i < h->ncal; i++)
		if (mailimap_fetch_type_new_fetch_att_list_add(ft,
		    imap_section_att(h->cal[i].section, IMAP_CALENDAR_MAX)) != 0)
			fatal("out of memory");
	return ft;
}

/* Whether two held messages ask for the same parts (one FETCH for both). */
static bool
imap_held_same(const struct imap_held *a, const struct imap_held *b)
{
	size_t	i;

	if (a->has_text != b->has_text || a->ncal != b->ncal ||
	    (a->has_text && strcmp(a->text.section, b->text.section) != 0))
		return false;
	for (i = 0; i < a->ncal; i++)
		if (strcmp(a->cal[i].section, b->cal[i].section) != 0)
			return false;
	return true;
}

/*
 * One UID FETCH of uids[0..n) streamed to the handler set; libetpan's
 * code.  The result list is ours only on success: on a NO, libetpan
 * 1.9.4 (mailimap_uid_fetch_qresync_vanished) frees it itself and leaves
 * the pointer set, and on other errors never sets it.
 */
static int
imap_fetch_uids(struct imap_session *s, const uint32_t *uids, size_t n,
    struct mailimap_fetch_type *ft)
{
	struct mailimap_set	*set;
	clist			*res = NULL;
	int			 r;

	set = imap_uid_set(uids, n);
	r = mailimap_uid_fetch(s->imap, set, ft, &res);
	mailimap_set_free(set);
	if (r == MAILIMAP_NO_ERROR && res != NULL)
		mailimap_fetch_list_free(res);
	return r;
}

/* Connects again after a dropped connection and examines the folder. */
static int
imap_reopen(struct imap_folder_ctx *c, struct err *err)
{
	struct imap_session	*s = c->s;
	char			 what[600];
	int			 r;

	if (s->imap != NULL)
		return 0;
	s->lost = true;
	if (imap_open(s, c->src, err) != 0)
		return -1;
	r = mailimap_examine(s->imap, c->folder);
	if (r != MAILIMAP_NO_ERROR) {
		snprintf(what, sizeof what, "%s: EXAMINE", c->folder);
		return imap_fail(s, r, what, err);
	}
	if (s->imap->imap_selection_info != NULL &&
	    s->imap->imap_selection_info->sel_uidvalidity != 0 &&
	    s->imap->imap_selection_info->sel_uidvalidity != c->uidvalidity)
		return err_set(err, ERR_TEMP, "%s: %s: uidvalidity changed "
		    "during the sync", s->url.host, c->folder);
	s->lost = false;
	return 0;
}

/*
 * Test hook: before the n-th metadata UID FETCH of the process
 * (SALESCYCLE_TEST_PAUSE_FETCH=n), creates SALESCYCLE_TEST_PAUSE_FILE and
 * waits up to a minute for the test to remove it.
 */
static void
imap_test_pause(void)
{
	static atomic_long	 fetches;
	const char		*path = getenv("SALESCYCLE_TEST_PAUSE_FILE");
	long			 at;
	int			 fd, i;

	at = imap_test_env("SALESCYCLE_TEST_PAUSE_FETCH", 0);
	if (at <= 0 || path == NULL || atomic_fetch_add(&fetches, 1) + 1 != at)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	log_warn("test hook: paused before UID FETCH %ld", at);
	for (i = 0; i < 600 && access(path, F_OK) == 0; i++)
		usleep(100000);
}

/*
 * Whether a failed command's answer was at fault rather than the
 * connection: libetpan could not parse it, or the transport refused it
 * for exceeding a bound.  why gets which.
 */
static bool
imap_bad_answer(struct imap_session *s, int r, char *why, size_t len)
{
	const char	*bound = NULL;

	if (s->imap != NULL && imap_stream_failure(s->imap->imap_stream,
	    &bound) == IMAP_STREAM_BOUND) {
		snprintf(why, len, "%s", bound);
		return true;
	}
	if (r == MAILIMAP_ERROR_PARSE && bound == NULL) {
		snprintf(why, len, "unparsable server response");
		return true;
	}
	return false;
}

/* Whether a batch UID's answer came (or the message was dealt with). */
static bool *
imap_got(struct imap_folder_ctx *c, uint32_t uid)
{
	const uint32_t	*at;

	at = bsearch(&uid, c->batch, c->nbatch, sizeof *c->batch, imap_uid_cmp);
	return at != NULL ? &c->got[at - c->batch] : NULL;
}

/*
 * Counts a message skipped or put off in this poll; more than
 * IMAP_MAX_SKIPPED fail the folder until the next poll.
 */
static int
imap_count_failure(struct imap_folder_ctx *c, struct err *err)
{
	if (++c->failures <= IMAP_MAX_SKIPPED)
		return 0;
	err_set(err, ERR_TEMP, "%s: %s: more than %d messages unparsable or "
	    "refused; giving up until the next poll", c->s->url.host,
	    c->folder, IMAP_MAX_SKIPPED);
	return -1;
}

/*
 * Fetches the metadata of uids[0..n), all of the batch or a part of it.
 * When the answer cannot be parsed (the connection is then dropped and
 * never reused) or the server refuses the command with NO or BAD (as
 * Exchange does for one message: "[UNAVAILABLE]", "[SERVERBUG]"), the
 * UIDs whose answers did not arrive are asked again in halves, down to
 * single UIDs, so that the message at fault is found instead of failing
 * the folder on every poll.  An unparsable message is skipped and
 * recorded; a refused one is left unanswered, for imap_retry_batch() to
 * ask again at the next poll.  Returns SOURCE_OK, SOURCE_STOP (the
 * connection was lost) or SOURCE_SKIP (only this folder failed); err
 * says why.
 */
static enum source_status
imap_fetch_part(struct imap_folder_ctx *c, const uint32_t *uids, size_t n,
    struct err *err)
{
	struct imap_session	*s = c->s;
	uint32_t		*left;
	size_t			 nleft = 0, i, half;
	char			 what[600], why[512];
	bool			*got, refused;
	enum source_status	 rc = SOURCE_OK;
	int			 r;

	if (imap_reopen(c, err) != 0)
		return SOURCE_STOP;
	imap_stream_to(s, imap_on_message, c);
	r = imap_fetch_uids(s, uids, n, c->ft);
	if (r == MAILIMAP_NO_ERROR)
		return SOURCE_OK;
	refused = r == MAILIMAP_ERROR_UID_FETCH || r == MAILIMAP_ERROR_PROTOCOL;
	if (!refused && !imap_bad_answer(s, r, why, sizeof why)) {
		snprintf(what, sizeof what, "%s: UID FETCH", c->folder);
		imap_fail(s, r, what, err);
		return s->lost ? SOURCE_STOP : SOURCE_SKIP;
	}
	if (refused)
		imap_response(s, why, sizeof why);
	else
		imap_disconnect(s, false);
	left = xcalloc(n, sizeof *left);
	for (i = 0; i < n; i++) {
		got = imap_got(c, uids[i]);
		if (got != NULL && !*got)
			left[nleft++] = uids[i];
	}
	if (n == 1 && nleft == 1) {
		if (refused)
			imap_log(LOG_LVL_WARN, s, "%s: UID %u: the server refused "
			    "it: %s; asking again at the next poll", c->folder,
			    uids[0], why);
		else {
			imap_log(LOG_LVL_WARN, s, "%s: UID %u: %s; message "
			    "skipped", c->folder, uids[0], why);
			strlist_take(&c->skipped, xasprintf("%u", uids[0]));
			*imap_got(c, uids[0]) = true;
		}
		if (imap_count_failure(c, err) != 0)
			rc = SOURCE_SKIP;
	} else if (nleft > 0) {
		imap_log(LOG_LVL_INFO, s, "%s: %s to a FETCH of %zu messages; "
		    "asking again in parts", c->folder, refused ? "a refusal" :
		    "an unparsable answer", n);
		half = (nleft + 1) / 2;
		rc = imap_fetch_part(c, left, half, err);
		if (rc == SOURCE_OK && nleft > half)
			rc = imap_fetch_part(c, left + half, nleft - half, err);
	}
	free(left);
	return rc;
}

/*
 * Fetches the parts of each held (outbound) message, the start of its
 * text part and its calendar parts, with one UID FETCH per distinct set
 * of sections (mail from one client has the same structure, so that is
 * one or a few per batch); each message goes to the pipeline as its
 * answer arrives, the others after.  Returns as imap_fetch_part does.
 */
static enum source_status
imap_fetch_held(struct imap_folder_ctx *c, struct err *err)
{
	struct mailimap_fetch_type	*ft;
	uint32_t			*uids;
	size_t				 i, j, k;
	char				 what[600], why[512];
	bool				 bad;
	enum source_status		 rc = SOURCE_OK;
	int				 r;

	if (c->nheld == 0)
		return SOURCE_OK;
	uids = xcalloc(c->nheld, sizeof *uids);
	for (i = 0; i < c->nheld && rc == SOURCE_OK; i++) {
		if (c->held[i].asked)
			continue;
		for (j = i, k = 0; j < c->nheld; j++)
			if (!c->held[j].asked &&
			    imap_held_same(&c->held[j], &c->held[i])) {
				c->held[j].asked = true;
				uids[k++] = c->held[j].uid;
			}
		qsort(uids, k, sizeof *uids, imap_uid_cmp);
		if (imap_reopen(c, err) != 0) {
			rc = SOURCE_STOP;
			break;
		}
		imap_stream_to(c->s, imap_on_parts, c);
		ft = imap_parts_fetch_type(&c->held[i]);
		r = imap_fetch_uids(c->s, uids, k, ft);
		mailimap_fetch_type_free(ft);
		bad = r != MAILIMAP_NO_ERROR &&
		    imap_bad_answer(c->s, r, why, sizeof why);
		if (bad || r == MAILIMAP_ERROR_UID_FETCH ||
		    r == MAILIMAP_ERROR_PROTOCOL) {
			/* Keep the metadata; only the parts are lost. */
			if (!bad)
				imap_response(c->s, why, sizeof why);
			imap_log(LOG_LVL_WARN, c->s, "%s: parts of UID %u%s not "
			    "read (%s); their hashtags and invitations are "
			    "lost", c->folder, uids[0], k > 1 ? " and others" :
			    "", why);
			if (bad)
				imap_disconnect(c->s, false);
		} else if (r != MAILIMAP_NO_ERROR) {
			snprintf(what, sizeof what, "%s: UID FETCH (parts)",
			    c->folder);
			imap_fail(c->s, r, what, err);
			rc = c->s->lost ? SOURCE_STOP : SOURCE_SKIP;
		}
	}
	free(uids);
	if (rc == SOURCE_OK)
		for (i = 0; i < c->nheld; i++)
			if (!c->held[i].answered)
				imap_hand(c, c->held[i].uid, &c->held[i].sum);
	imap_held_clear(c);
	return rc;
}

/*
 * Reads the folder's cursors of what is kept while UIDVALIDITY holds:
 * the UIDs skipped before and those to ask again.
 */
static int
imap_load_kept(struct imap_folder_ctx *c, struct store *st, struct err *err)
{
	char	*v = NULL, *tok, *save;

	if (store_cursor_get(st, c->src->name, c->folder, "skipped", &v,
	    err) != 0)
		return -1;
	for (tok = v != NULL ? strtok_r(v, ",", &save) : NULL; tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		strlist_add(&c->skipped, tok);
	free(v);
	v = NULL;
	if (store_cursor_get(st, c->src->name, c->folder, "retry", &v,
	    err) != 0)
		return -1;
	imap_retry_load(c, v);
	free(v);
	return 0;
}

/*
 * Polls one folder: SOURCE_STOP on a connection or store error
 * (s->lost for the former), SOURCE_SKIP when only this folder failed and
 * SOURCE_GONE when its STATUS was refused (gone or renamed, perhaps);
 * err says why.
 */
static enum source_status
imap_sync_folder(struct imap_session *s, struct pipeline *p,
    const char *folder, bool sent, struct err *err)
{
	const struct source		*src = s->src;
	struct store			*st = s->store;
	struct imap_folder_ctx		 ctx;
	struct pipeline_stats		 ps0, ps1;
	uint32_t			*uids = NULL, validity = 0, uidnext = 0, messages = 0;
	uint64_t			 old_validity, old_next, modseq = 0, next, floor;
	size_t				 n = 0, i, j, batch;
	int64_t				 t0 = util_monotonic_ms();
	bool				 first, progress;
	enum source_status		 rc = SOURCE_OK;
	int				 r;
	char				 what[600];

	memset(&ctx, 0, sizeof ctx);
	ctx.s = s;
	ctx.p = p;
	ctx.cfg = s->cfg;
	ctx.src = src;
	ctx.folder = folder;
	ctx.sent = sent;
	if (s->imap == NULL && imap_open(s, src, err) != 0)
		return SOURCE_STOP;
	if (source_cursor_num(st, src, folder, "uidvalidity", &old_validity,
	    err) != 0 || source_cursor_num(st, src, folder, "uidnext",
	    &old_next, err) != 0)
		return SOURCE_STOP;
	if (imap_status(s, folder, &validity, &uidnext, &messages, &modseq,
	    err) != 0)
		return s->lost ? SOURCE_STOP : SOURCE_GONE;
	first = old_validity == 0 || validity != old_validity;
	if (!first && imap_load_kept(&ctx, st, err) != 0) {
		rc = SOURCE_STOP;
		goto out;
	}
	/*
	 * Unchanged: nothing to ask again and no new UID, either as STATUS
	 * says or because the last UID read was 2^32 - 1 (UIDNEXT would
	 * not even fit an IMAP number then).
	 */
	if (!first && ctx.nretry == 0 && (old_next > UINT32_MAX ||
	    (uidnext != 0 && uidnext == old_next))) {
		imap_log(LOG_LVL_DEBUG, s, "%s: unchanged", folder);
		goto out;
	}
	if (old_validity != 0 && validity != old_validity)
		log_msg(LOG_LVL_WARN, s->tag, "%s: uidvalidity changed from %llu "
		    "to %u, re-reading", folder, (unsigned long long)old_validity,
		    validity);

	r = mailimap_examine(s->imap, folder);
	if (r != MAILIMAP_NO_ERROR) {
		snprintf(what, sizeof what, "%s: EXAMINE", folder);
		imap_fail(s, r, what, err);
		rc = s->lost ? SOURCE_STOP : SOURCE_SKIP;
		goto out;
	}
	if (s->imap->imap_selection_info != NULL &&
	    s->imap->imap_selection_info->sel_uidvalidity != 0 &&
	    s->imap->imap_selection_info->sel_uidvalidity != validity) {
		/* It changed between STATUS and EXAMINE: trust EXAMINE. */
		validity = s->imap->imap_selection_info->sel_uidvalidity;
		first = validity != old_validity;
	}
	if (first) {
		strlist_clear(&ctx.skipped);
		free(ctx.retry);
		ctx.retry = NULL;
		ctx.nretry = 0;
	}
	ctx.uidvalidity = validity;
	if (imap_search(&ctx, first ? 1 : old_next, first, &uids, &n,
	    err) != 0) {
		rc = s->lost ? SOURCE_STOP : SOURCE_SKIP;
		goto out;
	}
	/* The cursor never goes back, whatever a batch of retries holds. */
	floor = first ? 0 : old_next;

	batch = (size_t)imap_test_env("SALESCYCLE_TEST_BATCH_SIZE", IMAP_BATCH);
	if (batch > IMAP_BATCH)
		batch = IMAP_BATCH;
	progress = isatty(STDERR_FILENO) && n > batch;
	pipeline_stats(p, &ps0);
	ctx.ft = imap_fetch_type(!sent);
	for (i = 0; i < n; i = j) {
		if (s->stop != NULL && *s->stop)
			goto out;
		j = i + batch < n ? i + batch : n;
		ctx.batch = uids + i;
		ctx.nbatch = j - i;
		free(ctx.got);
		ctx.got = xcalloc(j - i, sizeof *ctx.got);
		imap_test_pause();
		rc = imap_fetch_part(&ctx, uids + i, j - i, err);
		if (rc == SOURCE_OK)
			rc = imap_fetch_held(&ctx, err);
		if (rc != SOURCE_OK)
			goto out;
		imap_retry_batch(&ctx);
		next = (uint64_t)uids[j - 1] + 1;
		if (j == n && uidnext > next)
			next = uidnext;
		if (next < floor)
			next = floor;
		if (imap_commit(&ctx, next, messages, modseq, err) < 0) {
			rc = SOURCE_STOP;
			goto out;
		}
		if (progress)
			fprintf(stderr, "\r%s: %s: %zu of %zu (%.0f/s)   ",
			    src->name, folder, j, n, (double)j * 1000 /
			    (double)(util_monotonic_ms() - t0 + 1));
	}
	if (n == 0 && imap_commit(&ctx, uidnext > floor ? uidnext : floor,
	    messages, modseq, err) < 0) {
		rc = SOURCE_STOP;
		goto out;
	}
	if (progress)
		fputc('\n', stderr);
	pipeline_stats(p, &ps1);
	imap_log(LOG_LVL_INFO, s, "%s: %lu new messages, %lu new signals "
	    "in %llds", folder, ctx.seen, ps1.signals_new - ps0.signals_new,
	    (long long)(util_monotonic_ms() - t0) / 1000);
out:
	if (s->imap != NULL)
		imap_stream_to(s, NULL, NULL);
	if (ctx.ft != NULL)
		mailimap_fetch_type_free(ctx.ft);
	imap_held_clear(&ctx);
	free(ctx.got);
	free(ctx.retry);
	strlist_clear(&ctx.skipped);
	free(uids);
	return rc;
}

/* The poll loop's view of the folders (source.h). */
static time_t
imap_folders_load(void *arg)
{
	struct imap_session	*s = arg;

	if (s->listed == 0)
		imap_cache_load(s, s->src, s->store);
	return s->listed;
}

/* Lists the folders again and keeps the new list. */
static int
imap_folders_discover(void *arg, struct err *err)
{
	struct imap_session	*s = arg;

	if (imap_discover(s, s->src, err) != 0)
		return -1;
	imap_cache_save(s, s->src, s->store);
	return 0;
}

static size_t
imap_folders_count(void *arg)
{
	const struct imap_session	*s = arg;

	return s->folders.n;
}

static const char *
imap_folders_name(void *arg, size_t i)
{
	const struct imap_session	*s = arg;

	return s->folders.v[i];
}

static enum source_status
imap_folders_sync(void *arg, size_t i, struct pipeline *p, struct err *err)
{
	struct imap_session	*s = arg;

	return imap_sync_folder(s, p, s->folders.v[i], (long)i == s->sent,
	    err);
}

static const struct source_sync_ops imap_sync_ops = {
	.load = imap_folders_load,
	.discover = imap_folders_discover,
	.count = imap_folders_count,
	.name = imap_folders_name,
	.sync = imap_folders_sync,
	.max_age = IMAP_RELIST_SECS,
	.canon = imap_list_canon,
};

/*
 * One poll over a connection that may be kept from the last one, by the
 * shared loop (source_sync): the folder list is the kept one while it is
 * fresh; a folder of it that STATUS refuses makes a new list (once per
 * poll), and the folders not polled yet are taken from that.
 */
static int
imap_poll_once(struct imap_session *s, const struct config *cfg,
    const struct source *src, struct store *st, volatile sig_atomic_t *stop,
    struct err *err)
{
	s->lost = false;
	if (s->imap == NULL && imap_open(s, src, err) != 0)
		return -1;
	s->cfg = cfg;
	s->src = src;
	s->store = st;
	if (source_sync(&imap_sync_ops, s, cfg, src, st, stop, err) != 0)
		return -1;
	if (s->missing.n > 0)
		return err_set(err, ERR_TEMP, "%s: no such folder: %s%s",
		    s->url.host, s->missing.v[0], s->missing.n > 1 ?
		    " (and others)" : "");
	return 0;
}

/*
 * Starts a session: the stop flag (may be NULL) and the deadline of this
 * poll, or doctor's check, for the connection kept and those opened.
 */
static void
imap_session_arm(struct imap_session *s, const struct source *src,
    volatile sig_atomic_t *stop)
{
	s->stop = stop;
	s->session_secs = (int)imap_test_env("SALESCYCLE_TEST_SESSION_SECS",
	    (long)(src->timeout > 0 ? src->timeout : 60) * IMAP_SESSION_TIMEOUTS);
	s->session_end = util_monotonic_ms() + (int64_t)s->session_secs * 1000;
	if (s->imap != NULL)
		imap_stream_arm(s->imap->imap_stream, s->stop, s->session_end,
		    s->session_secs);
}

/* The driver's poll: a broken kept connection is reopened once. */
static int
imap_poll(void **state, const struct config *cfg, const struct source *src,
    struct store *st, volatile sig_atomic_t *stop, struct err *err)
{
	struct imap_session	*s = *state;
	bool			 reused;
	int			 r;

	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->tag = xasprintf("imap[%s]", src->key);
		s->sent = -1;
		if (imap_url_parse(src->url, &s->url, err) != 0) {
			free(s->tag);
			free(s);
			return -1;
		}
		*state = s;
	}
	imap_session_arm(s, src, stop);
	reused = s->imap != NULL;
	r = imap_poll_once(s, cfg, src, st, stop, err);
	if (r != 0 && reused && s->lost && !*stop) {
		imap_log(LOG_LVL_INFO, s, "kept connection broke (%s); "
		    "reconnecting", err->msg);
		err_clear(err);
		r = imap_poll_once(s, cfg, src, st, stop, err);
	}
	/* Kept between polls, the connection watches no flag of this one. */
	s->stop = NULL;
	s->session_end = 0;
	if (s->imap != NULL)
		imap_stream_arm(s->imap->imap_stream, NULL, 0, 0);
	return r;
}

/* Logs out and frees the session. */
static void
imap_close(void *state)
{
	struct imap_session	*s = state;

	if (s == NULL)
		return;
	imap_disconnect(s, true);
	strlist_clear(&s->folders);
	strlist_clear(&s->missing);
	free(s->tag);
	free(s);
}

/*
 * Reports what the URL's host name resolves to, so that a DNS failure is
 * told from a refused connection.  False when it does not resolve.
 */
static bool
imap_check_dns(struct imap_session *s)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	unsigned char	 bin[sizeof(struct in6_addr)];
	char		 addr[INET6_ADDRSTRLEN], list[256];
	const void	*a;
	size_t		 n = 0, len;
	int		 r;

	if (inet_pton(AF_INET, s->url.host, bin) == 1 ||
	    inet_pton(AF_INET6, s->url.host, bin) == 1)
		return true;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(s->url.host, NULL, &hints, &res);
	if (r != 0) {
		source_note(&s->rep, false, "DNS: cannot resolve %s: %s; check "
		    "the host name in url =", s->url.host, gai_strerror(r));
		return false;
	}
	list[0] = '\0';
	for (ai = res; ai != NULL && n < 4; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)
			    ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			a = &((const struct sockaddr_in6 *)(const void *)
			    ai->ai_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(ai->ai_family, a, addr, sizeof addr) == NULL ||
		    strstr(list, addr) != NULL)
			continue;
		len = strlen(list);
		snprintf(list + len, sizeof list - len, "%s%s", n > 0 ? ", " :
		    "", addr);
		n++;
	}
	freeaddrinfo(res);
	source_note(&s->rep, true, "DNS: %s is %s", s->url.host, list);
	return true;
}

/*
 * The driver's check (salescycle doctor): DNS, connection, TLS, login,
 * folders and their message counts by STATUS, each step reported.  No
 * EXAMINE, no store: nothing is read beyond the counts.
 */
static int
imap_check(const struct config *cfg, const struct source *src,
    source_say_fn say, void *arg, struct err *err)
{
	struct imap_session	s;
	uint32_t		validity, uidnext, messages;
	uint64_t		modseq;
	size_t			i;

	(void)cfg;
	memset(&s, 0, sizeof s);
	s.tag = xasprintf("imap[%s]", src->key);
	s.sent = -1;
	s.rep.say = say;
	s.rep.arg = arg;
	if (imap_url_parse(src->url, &s.url, err) != 0) {
		source_note(&s.rep, false, "%s", err->msg);
		goto out;
	}
	imap_session_arm(&s, src, NULL);
	if (!imap_check_dns(&s) || imap_open(&s, src, err) != 0 ||
	    imap_discover(&s, src, err) != 0)
		goto out;
	for (i = 0; i < s.folders.n && s.imap != NULL; i++) {
		if (imap_status(&s, s.folders.v[i], &validity, &uidnext,
		    &messages, &modseq, err) != 0) {
			source_note(&s.rep, false, "%s", err->msg);
			continue;
		}
		source_note(&s.rep, true, "%s%s: %u message%s (UIDVALIDITY %u, "
		    "UIDNEXT %u)", s.folders.v[i], (long)i == s.sent ?
		    " (\\Sent)" : "", messages, messages == 1 ? "" : "s",
		    validity, uidnext);
	}
out:
	imap_disconnect(&s, true);
	strlist_clear(&s.folders);
	strlist_clear(&s.missing);
	free(s.tag);
	return source_report_end(&s.rep, err);
}

/* [imap KEY]'s own keys, besides source_keys. */
static const struct config_key imap_keys[] = {
	CONFIG_KEY("folders", CONFIG_LIST, source, folders),
	CONFIG_KEY_END
};

static const char *const imap_schemes[] = { "imap", "imaps", NULL };

const struct source_ops imap_source_ops = {
	.type = SOURCE_IMAP,
	.section = "imap",
	.schemes = imap_schemes,
	.keys = imap_keys,
	.poll = imap_poll,
	.close = imap_close,
	.check = imap_check,
};
