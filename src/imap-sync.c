/* SPDX-License-Identifier: MIT */
/*
 * The IMAP sync engine: each folder strictly read-only, STATUS first and
 * nothing more when UIDVALIDITY and UIDNEXT are unchanged; otherwise
 * EXAMINE (never SELECT), UID SEARCH for the new UIDs and UID FETCH of
 * metadata in batches, read response by response (imap-fetch.c) and
 * made summaries (imap-summary.c) for the pipeline, which commits each
 * batch with the folder's cursors (source_commit): both on a queue's
 * thread (imap-queue.c, source-queue.c), so that reading the next batch
 * and storing the last one overlap.  The folders come from the shared poll loop (source_sync),
 * which lists them again when STATUS refuses one.
 *
 * Of outbound mail (classify_direction; never bulk) it also fetches the
 * first 4 KB of the first text/plain part, for the hashtags (#lost,
 * #verbal) that mail.c finds in the same part of a file, and, when the
 * message is the owner's own (classify_owners_own) or came from outside
 * (invite_readable), its text/calendar and application/ics parts (up to
 * 1 MiB each), the invitations the pipeline turns into appointments
 * (invite.c): all parts of a batch in one UID
 * FETCH per distinct message structure.  A message whose FETCH response
 * does not parse is skipped alone, on the same connection; one after
 * which the answer cannot be read on (a line that is no response), or
 * that the server refuses (NO or BAD, as Exchange does for one message),
 * is found by asking again in halves (on a fresh connection after a
 * broken answer).  An unparsable one is skipped with a warning and
 * recorded in the folder's "skipped" cursor; a refused one, like one
 * the server leaves out of its answer, is asked again at the next polls
 * ("retry" cursor) and given up with a warning after IMAP_RETRY_MAX of
 * them (on a first sync that asked for every UID, only one the server
 * finds by date: imap_sync_drop_old).  UIDNEXT is kept as a 64-bit
 * number: after UID 2^32 - 1 it is 2^32.
 *
 * libetpan 1.9.4 hands results over unevenly on errors (a FETCH list it
 * freed itself, a STATUS result set on a NO, NULL on an OK without the
 * untagged line): each call below says which it is.  No SELECT, STORE,
 * EXPUNGE, APPEND, COPY or MOVE is ever sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "imap"
#include "classify.h"
#include "imap-fetch.h"
#include "imap-int.h"
#include "imap-list.h"
#include "imap-stream.h"
#include "invite.h"
#include "mail.h"
#include "mime.h"
#include "util.h"
#include "xmalloc.h"

/* Messages skipped or put off in one folder's poll before it fails. */
#define IMAP_MAX_SKIPPED	20
/* Polls that ask for a message in vain before it is given up. */
#define IMAP_RETRY_MAX		3
/* UIDs kept in the folder's "retry" cursor. */
#define IMAP_RETRY_KEEP		100
/* Skipped UIDs kept in the folder's "skipped" cursor. */
#define IMAP_SKIPPED_KEEP	50

struct mailimap_set *
imap_sync_uid_set(const uint32_t *uids, size_t n)
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

/*
 * An outbound message whose parts are still to be fetched: its first
 * text/plain part (hashtags) and its calendar parts (invitations).
 */
struct imap_sync_held {
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
struct imap_sync_retry {
	uint32_t	uid;
	unsigned	tries;		/* polls that asked for it in vain */
};

/* One folder's sync in progress. */
struct imap_sync_ctx {
	struct imap_session	*s;
	struct pipeline		*p;
	const struct config	*cfg;
	const struct source	*src;
	const char		*folder;
	const char		*shown;		/* the folder's name for people */
	uint64_t		 renumbered;	/* polls in a row with a new UIDVALIDITY */
	uint32_t		 uidvalidity;
	bool			 sent;
	const uint32_t		*batch;		/* borrowed: the batch's UIDs, ascending */
	bool			*got;		/* owned: per batch UID, its answer came */
	size_t			 nbatch;
	struct imap_sync_held	*held;		/* owned: outbound mail awaiting its parts */
	size_t			 nheld;
	struct strlist		 skipped;	/* UIDs given up on, as text */
	struct imap_sync_retry	*retry;		/* owned, ascending by UID */
	size_t			 nretry;
	struct source_queue	*q;		/* owned: to the pipeline, or NULL */
	struct imap_queue_arg	 qarg;		/* the queue's */
	unsigned		 failures;	/* UIDs skipped or put off in this poll */
	unsigned long		 seen;
	int			 since;		/* yyyymmdd: drop older INTERNALDATEs; 0 none */
};

/* Compares UIDs for qsort and bsearch. */
static int
imap_sync_uid_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Hands a summary (taken over, left empty) to the pipeline under its
 * item name (folder/validity/UID): through the queue's thread while
 * there is one.
 */
static void
imap_sync_hand(struct imap_sync_ctx *c, uint32_t uid, struct mail_summary *sum)
{
	char	buf[512], *item = buf;

	/* A folder's name of any length: cut, every UID was one item. */
	if ((size_t)snprintf(buf, sizeof buf, "%s/%u/%u", c->folder,
	    c->uidvalidity, uid) >= sizeof buf)
		item = xasprintf("%s/%u/%u", c->folder, c->uidvalidity, uid);
	if (c->q != NULL)
		imap_queue_mail(c->q, item, sum);
	else {
		pipeline_mail(c->p, c->src->salesperson, sum, c->sent, item);
		mail_summary_free(sum);
	}
	if (item != buf)
		free(item);
}

/*
 * Which parts of a message to fetch into h: the text part of an
 * outbound one (hashtags), and the calendar parts small enough to take
 * in when its invitations may count (readable: the owner's own, and
 * those from outside, which count only with the owner's answer; never
 * one that names a colleague).  False if none.
 */
static bool
imap_sync_held_parts(const struct imap_sync_ctx *c,
    const struct imap_fetch_msg *att, uint32_t uid, bool outbound,
    bool readable, struct imap_sync_held *h)
{
	struct imap_text_part	cal[IMAP_MAX_CALENDARS];
	size_t			n, i;

	h->has_text = outbound && imap_summary_text_part(att, &h->text);
	n = readable ? imap_summary_calendar_parts(att, cal,
	    IMAP_MAX_CALENDARS) : 0;
	if (n > IMAP_MAX_CALENDARS) {
		imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: %zu calendar parts; "
		    "only the first %d read", c->shown, uid, n,
		    IMAP_MAX_CALENDARS);
		n = IMAP_MAX_CALENDARS;
	}
	h->ncal = 0;
	for (i = 0; i < n; i++) {
		if (cal[i].size > IMAP_CALENDAR_MAX) {
			imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: calendar part "
			    "%s of %u bytes skipped", c->shown, uid,
			    cal[i].section, cal[i].size);
			continue;
		}
		h->cal[h->ncal++] = cal[i];
	}
	return h->has_text || h->ncal > 0;
}

/*
 * A FETCH response that does not parse: the message it names, if the
 * UID came before the fault, is skipped and recorded with a warning
 * (imap_sync_fetch_part fails the folder after IMAP_MAX_SKIPPED of
 * them); without a UID nothing is known of it but its sequence number,
 * and its UID stays unanswered, to be asked again at the next poll.
 */
static void
imap_sync_bad(struct imap_sync_ctx *c, const struct imap_fetch_msg *m)
{
	const uint32_t	*at = NULL;

	if (m->uid != 0)
		at = bsearch(&m->uid, c->batch, c->nbatch, sizeof *c->batch,
		    imap_sync_uid_cmp);
	if (at == NULL) {
		imap_log(LOG_LVL_WARN, c->s, "%s: message %u: %s; asking "
		    "again at the next poll", c->shown, m->seq, m->why);
		return;
	}
	if (c->got[at - c->batch])
		return;		/* answered already: a second answer */
	c->got[at - c->batch] = true;
	imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: %s; message skipped",
	    c->shown, m->uid, m->why);
	strlist_take(&c->skipped, xasprintf("%u", m->uid));
	c->failures++;
}

/*
 * imap_fetch_run calls this for each FETCH response while it is still
 * reading.  One that does not parse is skipped alone, with a warning
 * that names it; the answer is read on.
 */
static void
imap_sync_on_message(const struct imap_fetch_msg *att, void *arg)
{
	struct imap_sync_ctx	*c = arg;
	struct mail_summary	 sum;
	struct imap_sync_held	*h;
	const uint32_t		*at;
	uint32_t		 uid;
	bool			 outbound, readable;

	/*
	 * A first sync that asked for every UID (imap_sync_search) drops
	 * what UID SEARCH SINCE would have left out: by the date as the
	 * INTERNALDATE writes it, time and zone disregarded (RFC 3501),
	 * also when the rest of its answer did not parse: SINCE would not
	 * have asked, so it is not a message skipped.
	 */
	if (c->since != 0 && att->uid != 0 && att->has_date &&
	    att->year * 10000 + att->month * 100 + att->day < c->since) {
		at = bsearch(&att->uid, c->batch, c->nbatch, sizeof *c->batch,
		    imap_sync_uid_cmp);
		if (at != NULL)
			c->got[at - c->batch] = true;
		return;
	}
	if (imap_summary(att, &sum, &uid) != 0) {
		if (att->bad)
			imap_sync_bad(c, att);
		return;		/* else an unsolicited FETCH (flags), not ours */
	}
	at = bsearch(&uid, c->batch, c->nbatch, sizeof *c->batch,
	    imap_sync_uid_cmp);
	if (at == NULL || c->got[at - c->batch]) {
		/* Not asked for ("n:*" answers the last UID) or twice. */
		mail_summary_free(&sum);
		return;
	}
	c->got[at - c->batch] = true;
	c->seen++;
	/*
	 * Parts are worth fetching when hashtags count (mail the
	 * salesperson sends) or invitations do (invite_readable), never of
	 * bulk mail; each decided once here.  Invitations are read from
	 * calendar parts only: without one there is nothing to decide (a
	 * twelfth of a first sync's reading thread went to asking).
	 */
	outbound = sum.bulk == 0 &&
	    classify_direction(c->cfg, &sum, c->sent) == DIR_OUTBOUND;
	readable = sum.calendar_sections.n > 0 &&
	    invite_readable(c->cfg, c->src->salesperson, &sum, c->sent);
	if (outbound || readable) {
		c->held = xreallocarray(c->held, c->nheld + 1, sizeof *c->held);
		h = &c->held[c->nheld];
		memset(h, 0, sizeof *h);
		if (imap_sync_held_parts(c, att, uid, outbound, readable, h)) {
			h->uid = uid;
			h->sum = sum;	/* taken over */
			c->nheld++;
			return;
		}
	}
	imap_sync_hand(c, uid, &sum);
}

/*
 * Reads one BODY[section] answer into a held message: hashtags from its
 * text part, or the decoded iCalendar text of calendar part j into texts[j].
 */
static void
imap_sync_held_answer(struct imap_sync_ctx *c, struct imap_sync_held *h,
    const struct mailimap_msg_att_body_section *sec, char **texts)
{
	char	section[IMAP_SECTION_MAX];
	size_t	j;

	if (sec->sec_body_part == NULL)
		return;
	imap_summary_answer_section(sec->sec_section, section, sizeof section);
	/* No more than was asked for, whatever the server sends. */
	if (h->has_text && strcmp(section, h->text.section) == 0) {
		imap_summary_hashtags(&h->sum, &h->text, sec->sec_body_part,
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
			    "%s does not decode; skipped", c->shown, h->uid,
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
imap_sync_on_parts(struct mailimap_msg_att *att, void *arg)
{
	struct imap_sync_ctx		*c = arg;
	struct mailimap_msg_att_item	*item;
	struct mailimap_msg_att_static	*st;
	struct imap_sync_held		*h = NULL;
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
			imap_sync_held_answer(c, h,
			    st->att_data.att_body_section, texts);
	}
	/* In the order of the parts, as mail.c collects them. */
	for (i = 0; i < h->ncal; i++)
		if (texts[i] != NULL)
			strlist_take(&h->sum.calendar_parts, texts[i]);
	imap_sync_hand(c, h->uid, &h->sum);
	h->answered = true;
}

/* The retry entry of a UID, or NULL. */
static struct imap_sync_retry *
imap_sync_retry_find(struct imap_sync_ctx *c, uint32_t uid)
{
	struct imap_sync_retry	key = { uid, 0 };

	if (c->nretry == 0)
		return NULL;	/* c->retry may be NULL: not for bsearch */
	return bsearch(&key, c->retry, c->nretry, sizeof *c->retry,
	    imap_sync_uid_cmp);
}

/*
 * After a batch: its UIDs that were never answered (a server may leave
 * some out of a FETCH answer, or refuse them) are put off to the next
 * poll, and given up with a warning after IMAP_RETRY_MAX polls; those
 * answered leave the retry list.
 */
static void
imap_sync_retry_batch(struct imap_sync_ctx *c)
{
	struct imap_sync_retry	*rt;
	size_t			 i, j;

	for (i = 0; i < c->nbatch; i++) {
		rt = imap_sync_retry_find(c, c->batch[i]);
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
			    "asking again at the next poll", c->shown,
			    c->batch[i]);
			continue;
		}
		imap_log(LOG_LVL_WARN, c->s, "%s: UID %u: asked in %d polls "
		    "in vain; message given up", c->shown, c->batch[i],
		    IMAP_RETRY_MAX);
		strlist_take(&c->skipped, xasprintf("%u", c->batch[i]));
		rt->tries = 0;
	}
	for (i = j = 0; i < c->nretry; i++)
		if (c->retry[i].tries > 0)
			c->retry[j++] = c->retry[i];
	c->nretry = j;
	if (c->nretry > 0)
		qsort(c->retry, c->nretry, sizeof *c->retry, imap_sync_uid_cmp);
	/* The oldest first when there are too many to keep. */
	if (c->nretry > IMAP_RETRY_KEEP) {
		memmove(c->retry, c->retry + c->nretry - IMAP_RETRY_KEEP,
		    IMAP_RETRY_KEEP * sizeof *c->retry);
		c->nretry = IMAP_RETRY_KEEP;
	}
}

/*
 * On a first sync that asked for every UID (c->since set): the batch's
 * UIDs that were not answered, or refused, have no INTERNALDATE to drop
 * them by, and a later poll, which asks for UIDs whatever their date,
 * would read an old one that UID SEARCH SINCE never asked for.  So the
 * server is asked which of them are older (UID SEARCH UID set BEFORE,
 * the complement of SINCE in RFC 3501), by its own dates as on the other
 * path, and those count as answered.  Only what the server names is
 * dropped: an empty or failed answer drops nothing, the UIDs are asked
 * again (and stored, old or not) at the next poll, as before.  The UIDs
 * cannot decide it: they ascend with the order of delivery or APPEND,
 * not with INTERNALDATE.  A well-behaved server answers every UID and is
 * never asked.  Left as they were: a refused old message has had its
 * warning and counts among the poll's failures, and one whose answer
 * broke off before its INTERNALDATE is skipped as unparsable
 * (imap_sync_bad), whatever its date.
 */
static void
imap_sync_drop_old(struct imap_sync_ctx *c)
{
	struct imap_session		*s = c->s;
	struct mailimap_search_key	*key, *sub;
	struct mailimap_date		*date;
	struct err			 e;
	clist				*res = NULL;
	clistiter			*it;
	const uint32_t			*at;
	uint32_t			*v, u;
	uint64_t			 modseq = 0;
	size_t				 i, k = 0, dropped = 0;
	char				 what[128];
	int				 r;

	if (c->since == 0 || s->imap == NULL)
		return;
	v = xcalloc(c->nbatch > 0 ? c->nbatch : 1, sizeof *v);
	for (i = 0; i < c->nbatch; i++)
		if (!c->got[i])
			v[k++] = c->batch[i];
	if (k == 0) {
		free(v);
		return;
	}
	if ((key = mailimap_search_key_new_multiple_empty()) == NULL ||
	    (sub = mailimap_search_key_new_uid(imap_sync_uid_set(v,
	    k))) == NULL || mailimap_search_key_multiple_add(key, sub) !=
	    MAILIMAP_NO_ERROR || (date = mailimap_date_new(c->since % 100,
	    c->since / 100 % 100, c->since / 10000)) == NULL ||
	    (sub = mailimap_search_key_new_before(date)) == NULL ||
	    mailimap_search_key_multiple_add(key, sub) != MAILIMAP_NO_ERROR)
		fatal("out of memory");
	/* As in imap_sync_search: the result is set on a NO too. */
	r = mailimap_uid_search_modseq(s->imap, NULL, key, &res, &modseq);
	mailimap_search_key_free(key);
	free(v);
	if (r != MAILIMAP_NO_ERROR) {
		if (res != NULL)
			mailimap_search_result_free(res);
		/* A broken connection is closed; the next batch reopens it. */
		snprintf(what, sizeof what, "%s: UID SEARCH BEFORE", c->shown);
		imap_conn_fail(s, r, what, &e);
		imap_log(LOG_LVL_DEBUG, s, "%s; the unanswered are asked again",
		    e.msg);
		return;
	}
	for (it = res != NULL ? clist_begin(res) : NULL; it != NULL;
	    it = clist_next(it)) {
		if (clist_content(it) == NULL)
			continue;
		u = *(uint32_t *)clist_content(it);
		at = bsearch(&u, c->batch, c->nbatch, sizeof *c->batch,
		    imap_sync_uid_cmp);
		if (at == NULL || c->got[at - c->batch])
			continue;
		imap_log(LOG_LVL_DEBUG, s, "%s: UID %u not answered and "
		    "before the cutoff; dropped", c->shown, u);
		c->got[at - c->batch] = true;
		dropped++;
	}
	if (res != NULL)
		mailimap_search_result_free(res);
	if (dropped > 0)
		imap_log(LOG_LVL_INFO, s, "%s: %zu unanswered message%s from "
		    "before the cutoff dropped", c->shown, dropped,
		    dropped == 1 ? "" : "s");
}

/* Reads the "retry" cursor ("UID:TRIES,..."); malformed entries are dropped. */
static void
imap_sync_retry_load(struct imap_sync_ctx *c, const char *v)
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
		qsort(c->retry, c->nretry, sizeof *c->retry, imap_sync_uid_cmp);
}

/* The "retry" cursor's value; NULL (deleted) when nothing waits.  Caller frees. */
static char *
imap_sync_retry_format(const struct imap_sync_ctx *c)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i;

	for (i = 0; i < c->nretry; i++)
		buf_printf(&b, "%s%u:%u", i > 0 ? "," : "", c->retry[i].uid,
		    c->retry[i].tries);
	return b.data;
}

/*
 * Whether the first message of the folder (the lowest UID, as a rule the
 * oldest) arrived on or after the date since (yyyymmdd), by one FETCH of
 * its INTERNALDATE; false when the folder is empty or the FETCH fails
 * (UID SEARCH, sent next, finds out about a broken connection).
 */
static bool
imap_sync_recent(struct imap_sync_ctx *c, int since)
{
	struct imap_session		*s = c->s;
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	struct mailimap_msg_att		*ma;
	struct mailimap_msg_att_item	*item;
	struct mailimap_date_time	*dt;
	clist				*res = NULL;
	clistiter			*it, *jt;
	bool				 recent = false;
	int				 r;

	if (s->imap->imap_selection_info == NULL ||
	    s->imap->imap_selection_info->sel_exists == 0)
		return false;
	if ((set = mailimap_set_new_single(1)) == NULL ||
	    (ft = mailimap_fetch_type_new_fetch_att(
	    mailimap_fetch_att_new_internaldate())) == NULL)
		fatal("out of memory");
	/* The list is ours only on success, as with UID FETCH. */
	r = mailimap_fetch(s->imap, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR || res == NULL)
		return false;
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		ma = clist_content(it);
		if (ma == NULL || ma->att_number != 1)
			continue;
		for (jt = clist_begin(ma->att_list); jt != NULL;
		    jt = clist_next(jt)) {
			item = clist_content(jt);
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
			    item->att_data.att_static->att_type !=
			    MAILIMAP_MSG_ATT_INTERNALDATE ||
			    (dt = item->att_data.att_static->
			    att_data.att_internal_date) == NULL)
				continue;
			recent = dt->dt_year * 10000 + dt->dt_month * 100 +
			    dt->dt_day >= since;
		}
	}
	mailimap_fetch_list_free(res);
	return recent;
}

/*
 * The UIDs to fetch, ascending: those from start on and those waiting in
 * the retry list that still exist, or on a first sync those of the last
 * backfill_days.  UIDs below start that "n:*" returns when nothing is new
 * are dropped, and so are retries the server no longer has (expunged).
 * start may be 2^32, past the last possible UID.  Caller frees *out.
 */
static int
imap_sync_search(struct imap_sync_ctx *c, uint64_t start, bool first,
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
		/*
		 * When the first message is recent, as in a young mailbox
		 * or one kept short, SINCE would leave out little or
		 * nothing and costs the server a look at every message's
		 * date (0.11 s of 20,000 on Dovecot, SEARCH ALL 0.016 s):
		 * every UID then, and the old ones are dropped as their
		 * INTERNALDATE comes (imap_sync_on_message).
		 */
		c->since = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
		    tm.tm_mday;
		if (imap_sync_recent(c, c->since))
			key = mailimap_search_key_new_all();
		else {
			c->since = 0;
			key = mailimap_search_key_new_since(mailimap_date_new(
			    tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900));
		}
	} else {
		v = xcalloc(c->nretry > 0 ? c->nretry : 1, sizeof *v);
		for (i = 0; i < c->nretry; i++)
			v[i] = c->retry[i].uid;
		set = imap_sync_uid_set(v, c->nretry);
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
		snprintf(what, sizeof what, "%s: UID SEARCH", c->shown);
		return imap_conn_fail(s, r, what, err);
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
		if (!first && imap_sync_retry_find(c, u) != NULL)
			found[imap_sync_retry_find(c, u) - c->retry] = true;
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
			    c->shown, c->retry[i].uid);
	}
	c->nretry = first ? 0 : cap;
	free(found);
	qsort(v, k, sizeof *v, imap_sync_uid_cmp);
	for (i = 1, cap = k > 0 ? 1 : 0; i < k; i++)
		if (v[i] != v[cap - 1])
			v[cap++] = v[i];
	*out = v;
	*n = cap;
	return 0;
}

/*
 * What a folder renumbered at every poll costs, and why: Courier-IMAP
 * gives a folder no client opened read-write (no courierimapuiddb) a new
 * UIDVALIDITY at each session, and nothing read-only can keep its UIDs.
 */
static void
imap_sync_renumbered_text(const struct imap_sync_ctx *c, char *out,
    size_t len)
{
	snprintf(out, len, "%s: the server gave it a new UIDVALIDITY at each "
	    "of the last %llu polls, so it is read in full at every poll "
	    "(Courier-IMAP does so until a mail client opens the folder once, "
	    "not read-only)", c->shown, (unsigned long long)c->renumbered);
}

/*
 * Commits a batch with the folder's cursors: UIDNEXT as a 64-bit number
 * (after UID 2^32 - 1 it is 2^32), the UIDs skipped as unparsable or
 * given up (the last IMAP_SKIPPED_KEEP) and those to ask again.
 */
static int
imap_sync_commit(struct imap_sync_ctx *ctx, uint64_t next, uint32_t messages,
    uint64_t modseq, struct err *err)
{
	const char		*folder = ctx->folder;
	const struct strlist	*skipped = &ctx->skipped;
	char			 sv[16], sn[24], sm[16], sq[24], sr[24], *rt;
	char			 warn[600];
	struct cursor		 c[8];
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
	rt = imap_sync_retry_format(ctx);
	c[n++] = (struct cursor){ folder, "retry", rt };
	snprintf(sr, sizeof sr, "%llu", (unsigned long long)ctx->renumbered);
	c[n++] = (struct cursor){ folder, "renumbered",
	    ctx->renumbered > 0 ? sr : NULL };
	imap_sync_renumbered_text(ctx, warn, sizeof warn);
	c[n++] = (struct cursor){ folder, "warning",
	    ctx->renumbered > 1 ? warn : NULL };
	r = ctx->q != NULL ? source_queue_commit(ctx->q, c, n, err) :
	    source_commit(ctx->p, c, n, err);
	buf_free(&sk);
	free(rt);
	return r < 0 ? -1 : r;
}

/* Reads STATUS; fills what the server sent. */
int
imap_sync_status(struct imap_session *s, const char *folder, const char *shown,
    uint32_t *validity, uint32_t *uidnext, uint32_t *messages,
    uint64_t *modseq, struct err *err)
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
			snprintf(what, sizeof what, "%s: CLOSE", shown);
			return imap_conn_fail(s, r, what, err);
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
		snprintf(what, sizeof what, "%s: STATUS", shown);
		return imap_conn_fail(s, r, what, err);
	}
	if (ms == NULL)
		return err_set(err, ERR_WAIT, "%s: %s: STATUS: the server "
		    "answered OK without the status", s->url.host, shown);
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
imap_sync_held_clear(struct imap_sync_ctx *c)
{
	size_t	i;

	for (i = 0; i < c->nheld; i++)
		mail_summary_free(&c->held[i].sum);
	free(c->held);
	c->held = NULL;
	c->nheld = 0;
}

/* The FETCH items of a held message's parts: UID and each part, PEEK. */
static struct mailimap_fetch_type *
imap_sync_parts_fetch_type(const struct imap_sync_held *h)
{
	struct mailimap_fetch_type	*ft;
	size_t				 i;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (ft == NULL || mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid()) != 0)
		fatal("out of memory");
	if (h->has_text && mailimap_fetch_type_new_fetch_att_list_add(ft,
	    imap_summary_section_att(h->text.section, IMAP_TEXT_MAX)) != 0)
		fatal("out of memory");
	for (i = 0; i < h->ncal; i++)
		if (mailimap_fetch_type_new_fetch_att_list_add(ft,
		    imap_summary_section_att(h->cal[i].section, IMAP_CALENDAR_MAX)) != 0)
			fatal("out of memory");
	return ft;
}

/* Whether two held messages ask for the same parts (one FETCH for both). */
static bool
imap_sync_held_same(const struct imap_sync_held *a,
    const struct imap_sync_held *b)
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
imap_sync_fetch_uids(struct imap_session *s, const uint32_t *uids, size_t n,
    struct mailimap_fetch_type *ft)
{
	struct mailimap_set	*set;
	clist			*res = NULL;
	int			 r;

	set = imap_sync_uid_set(uids, n);
	r = mailimap_uid_fetch(s->imap, set, ft, &res);
	mailimap_set_free(set);
	if (r == MAILIMAP_NO_ERROR && res != NULL)
		mailimap_fetch_list_free(res);
	return r;
}

/* Connects again after a dropped connection and examines the folder. */
static int
imap_sync_reopen(struct imap_sync_ctx *c, struct err *err)
{
	struct imap_session	*s = c->s;
	char			 what[600];
	int			 r;

	if (s->imap != NULL)
		return 0;
	s->lost = true;
	if (imap_conn_open(s, c->src, err) != 0)
		return -1;
	r = mailimap_examine(s->imap, c->folder);
	if (r != MAILIMAP_NO_ERROR) {
		snprintf(what, sizeof what, "%s: EXAMINE", c->shown);
		return imap_conn_fail(s, r, what, err);
	}
	if (s->imap->imap_selection_info != NULL &&
	    s->imap->imap_selection_info->sel_uidvalidity != 0 &&
	    s->imap->imap_selection_info->sel_uidvalidity != c->uidvalidity)
		return err_set(err, ERR_TEMP, "%s: %s: uidvalidity changed "
		    "during the sync", s->url.host, c->shown);
	s->lost = false;
	return 0;
}

#ifdef SC_TEST_HOOKS
/*
 * Test hook: before the n-th metadata UID FETCH of the process
 * (SALESCYCLE_TEST_PAUSE_FETCH=n), creates SALESCYCLE_TEST_PAUSE_FILE and
 * waits up to a minute for the test to remove it.
 */
static void
imap_sync_test_pause(void)
{
	static atomic_long	 fetches;
	const char		*path = getenv("SALESCYCLE_TEST_PAUSE_FILE");
	long			 at;
	int			 fd, i;

	at = source_test_hook("SALESCYCLE_TEST_PAUSE_FETCH", 0);
	if (at <= 0 || path == NULL || atomic_fetch_add(&fetches, 1) + 1 != at)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	log_warn("test hook: paused before UID FETCH %ld", at);
	for (i = 0; i < 600 && access(path, F_OK) == 0; i++)
		usleep(100000);
}
#endif

/* Whether a batch UID's answer came (or the message was dealt with). */
static bool *
imap_sync_got(struct imap_sync_ctx *c, uint32_t uid)
{
	const uint32_t	*at;

	at = bsearch(&uid, c->batch, c->nbatch, sizeof *c->batch,
	    imap_sync_uid_cmp);
	return at != NULL ? &c->got[at - c->batch] : NULL;
}

/*
 * Counts a message skipped or put off in this poll; more than
 * IMAP_MAX_SKIPPED fail the folder until the next poll.
 */
static int
imap_sync_count_failure(struct imap_sync_ctx *c, struct err *err)
{
	if (++c->failures <= IMAP_MAX_SKIPPED)
		return 0;
	err_set(err, ERR_TEMP, "%s: %s: more than %d messages unparsable or "
	    "refused; giving up until the next poll", c->s->url.host,
	    c->shown, IMAP_MAX_SKIPPED);
	return -1;
}

/*
 * Whether a refusal says the server is throttling the account rather
 * than failing one message: Office 365 answers "Request is throttled.
 * Suggested Backoff Time: 178755 milliseconds", Gmail "Account exceeded
 * command or bandwidth limits".  Asking again in halves would only
 * send more commands into the limit.
 */
static bool
imap_sync_throttled(const char *why)
{
	static const char *const marks[] = { "throttl", "backoff time",
	    "bandwidth limits" };
	size_t	i;

	for (i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strcasestr(why, marks[i]) != NULL)
			return true;
	return false;
}

/*
 * Fetches the metadata of uids[0..n), all of the batch or a part of it.
 * A response that does not parse skips its message alone
 * (imap_sync_bad).  When the answer cannot be read on (the connection
 * is then dropped and never reused) or the server refuses the command with NO or BAD (as
 * Exchange does for one message: "[UNAVAILABLE]", "[SERVERBUG]"), the
 * UIDs whose answers did not arrive are asked again in halves, down to
 * single UIDs, so that the message at fault is found instead of failing
 * the folder on every poll.  An unparsable message is skipped and
 * recorded; a refused one is left unanswered, for imap_sync_retry_batch() to
 * ask again at the next poll.  A refusal that says the server is
 * throttling (imap_sync_throttled) stops the poll (ERR_WAIT: the agent
 * backs off) without asking again or counting the messages.  Returns
 * SOURCE_OK, SOURCE_STOP (the connection was lost, or throttled) or
 * SOURCE_SKIP (only this folder failed); err says why.
 */
static enum source_status
imap_sync_fetch_part(struct imap_sync_ctx *c, const uint32_t *uids, size_t n,
    struct err *err)
{
	struct imap_session	*s = c->s;
	uint32_t		*left;
	size_t			 nleft = 0, i, half;
	char			 what[600], why[512];
	bool			*got, refused;
	enum source_status	 rc = SOURCE_OK;
	int			 r;

	if (imap_sync_reopen(c, err) != 0)
		return SOURCE_STOP;
	r = imap_fetch_run(s->imap, uids, n, !c->sent, imap_sync_on_message, c,
	    why, sizeof why);
	if (c->failures > IMAP_MAX_SKIPPED) {
		err_set(err, ERR_TEMP, "%s: %s: more than %d messages "
		    "unparsable or refused; giving up until the next poll",
		    s->url.host, c->shown, IMAP_MAX_SKIPPED);
		return SOURCE_SKIP;
	}
	if (r == MAILIMAP_NO_ERROR)
		return SOURCE_OK;
	refused = r == MAILIMAP_ERROR_UID_FETCH || r == MAILIMAP_ERROR_PROTOCOL;
	if (!refused && !imap_conn_bad_answer(s, r, why, sizeof why)) {
		snprintf(what, sizeof what, "%s: UID FETCH", c->shown);
		imap_conn_fail(s, r, what, err);
		return s->lost ? SOURCE_STOP : SOURCE_SKIP;
	}
	if (refused) {
		if (why[0] == '\0')
			snprintf(why, sizeof why, "no reason given");
		if (imap_sync_throttled(why)) {
			/* Nothing of the batch is committed or counted. */
			err_set(err, ERR_WAIT, "%s: %s: UID FETCH: the server "
			    "is throttling: %s; backing off", s->url.host,
			    c->shown, why);
			return SOURCE_STOP;
		}
	} else
		imap_conn_close(s, false);
	left = xcalloc(n, sizeof *left);
	for (i = 0; i < n; i++) {
		got = imap_sync_got(c, uids[i]);
		if (got != NULL && !*got)
			left[nleft++] = uids[i];
	}
	if (n == 1 && nleft == 1) {
		if (refused)
			imap_log(LOG_LVL_WARN, s, "%s: UID %u: the server refused "
			    "it: %s; asking again at the next poll", c->shown,
			    uids[0], why);
		else {
			imap_log(LOG_LVL_WARN, s, "%s: UID %u: %s; message "
			    "skipped", c->shown, uids[0], why);
			strlist_take(&c->skipped, xasprintf("%u", uids[0]));
			*imap_sync_got(c, uids[0]) = true;
		}
		if (imap_sync_count_failure(c, err) != 0)
			rc = SOURCE_SKIP;
	} else if (nleft > 0) {
		imap_log(LOG_LVL_INFO, s, "%s: %s to a FETCH of %zu messages; "
		    "asking again in parts", c->shown, refused ? "a refusal" :
		    "an unparsable answer", n);
		half = (nleft + 1) / 2;
		rc = imap_sync_fetch_part(c, left, half, err);
		if (rc == SOURCE_OK && nleft > half)
			rc = imap_sync_fetch_part(c, left + half, nleft - half,
			    err);
	}
	free(left);
	return rc;
}

/*
 * Fetches the parts of each held (outbound) message, the start of its
 * text part and its calendar parts, with one UID FETCH per distinct set
 * of sections (mail from one client has the same structure, so that is
 * one or a few per batch); each message goes to the pipeline as its
 * answer arrives, the others after.  Returns as imap_sync_fetch_part does.
 */
static enum source_status
imap_sync_fetch_held(struct imap_sync_ctx *c, struct err *err)
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
			    imap_sync_held_same(&c->held[j], &c->held[i])) {
				c->held[j].asked = true;
				uids[k++] = c->held[j].uid;
			}
		qsort(uids, k, sizeof *uids, imap_sync_uid_cmp);
		if (imap_sync_reopen(c, err) != 0) {
			rc = SOURCE_STOP;
			break;
		}
		imap_conn_stream_to(c->s, imap_sync_on_parts, c);
		ft = imap_sync_parts_fetch_type(&c->held[i]);
		r = imap_sync_fetch_uids(c->s, uids, k, ft);
		mailimap_fetch_type_free(ft);
		bad = r != MAILIMAP_NO_ERROR &&
		    imap_conn_bad_answer(c->s, r, why, sizeof why);
		if (bad || r == MAILIMAP_ERROR_UID_FETCH ||
		    r == MAILIMAP_ERROR_PROTOCOL) {
			/* Keep the metadata; only the parts are lost. */
			if (!bad)
				imap_conn_response(c->s, why, sizeof why);
			imap_log(LOG_LVL_WARN, c->s, "%s: parts of UID %u%s not "
			    "read (%s); their hashtags and invitations are "
			    "lost", c->shown, uids[0], k > 1 ? " and others" :
			    "", why);
			if (bad)
				imap_conn_close(c->s, false);
		} else if (r != MAILIMAP_NO_ERROR) {
			snprintf(what, sizeof what, "%s: UID FETCH (parts)",
			    c->shown);
			imap_conn_fail(c->s, r, what, err);
			rc = c->s->lost ? SOURCE_STOP : SOURCE_SKIP;
		}
	}
	free(uids);
	if (rc == SOURCE_OK)
		for (i = 0; i < c->nheld; i++)
			if (!c->held[i].answered)
				imap_sync_hand(c, c->held[i].uid,
				    &c->held[i].sum);
	imap_sync_held_clear(c);
	return rc;
}

/*
 * Reads the folder's cursors of what is kept while UIDVALIDITY holds:
 * the UIDs skipped before and those to ask again.
 */
static int
imap_sync_load_kept(struct imap_sync_ctx *c, struct store *st, struct err *err)
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
	imap_sync_retry_load(c, v);
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
	struct imap_sync_ctx		 ctx;
	struct pipeline_stats		 ps0, ps1;
	uint32_t			*uids = NULL, validity = 0, uidnext = 0, messages = 0;
	uint64_t			 old_validity, old_next, modseq = 0, next, floor;
	uint64_t			 renumbered;
	size_t				 n = 0, i, j, batch;
	int64_t				 t0 = util_monotonic_ms();
	bool				 first, progress;
	enum source_status		 rc = SOURCE_OK;
	struct err			 qerr = { 0 };
	struct imap_trace_span		 sp;
	int				 r;
	char				 what[600], *shown;

	memset(&ctx, 0, sizeof ctx);
	ctx.s = s;
	ctx.p = p;
	ctx.cfg = s->cfg;
	ctx.src = src;
	ctx.folder = folder;
	ctx.shown = shown = imap_url_mailbox_shown(folder);
	ctx.sent = sent;
	if ((s->imap == NULL && imap_conn_open(s, src, err) != 0) ||
	    source_cursor_num(st, src, folder, "uidvalidity", &old_validity,
	    err) != 0 || source_cursor_num(st, src, folder, "uidnext",
	    &old_next, err) != 0 || source_cursor_num(st, src, folder,
	    "renumbered", &renumbered, err) != 0) {
		free(shown);
		return SOURCE_STOP;
	}
	if (imap_sync_status(s, folder, shown, &validity, &uidnext, &messages,
	    &modseq, err) != 0) {
		free(shown);
		return s->lost ? SOURCE_STOP : SOURCE_GONE;
	}
	first = old_validity == 0 || validity != old_validity;
	if (!first && imap_sync_load_kept(&ctx, st, err) != 0) {
		rc = SOURCE_STOP;
		goto out;
	}
	/*
	 * Unchanged: nothing to ask again and no new UID, either as STATUS
	 * says or because the last UID read was 2^32 - 1 (UIDNEXT would
	 * not even fit an IMAP number then).
	 */
	if (!first && ctx.nretry == 0 && (renumbered == 0 || !s->fresh) &&
	    (old_next > UINT32_MAX || (uidnext != 0 && uidnext == old_next))) {
		imap_log(LOG_LVL_DEBUG, s, "%s: unchanged", shown);
		goto out;
	}
	/*
	 * Counted by poll, kept (and shown by status) until a new session
	 * finds the same UIDVALIDITY: on a kept connection it stays put.
	 */
	ctx.renumbered = old_validity != 0 && validity != old_validity ?
	    renumbered + 1 : s->fresh ? 0 : renumbered;
	if (ctx.renumbered == 2) {
		imap_sync_renumbered_text(&ctx, what, sizeof what);
		log_msg(LOG_LVL_WARN, s->tag, "%s", what);
	} else if (ctx.renumbered > 0)
		log_msg(ctx.renumbered == 1 ? LOG_LVL_WARN : LOG_LVL_INFO,
		    s->tag, "%s: uidvalidity changed from %llu to %u, "
		    "re-reading", shown, (unsigned long long)old_validity,
		    validity);

	r = mailimap_examine(s->imap, folder);
	if (r != MAILIMAP_NO_ERROR) {
		snprintf(what, sizeof what, "%s: EXAMINE", shown);
		imap_conn_fail(s, r, what, err);
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
	IMAP_TRACE_BEGIN(&sp, IMAP_TRACE_SEARCH);
	if (imap_sync_search(&ctx, first ? 1 : old_next, first, &uids, &n,
	    err) != 0) {
		rc = s->lost ? SOURCE_STOP : SOURCE_SKIP;
		goto out;
	}
	IMAP_TRACE_END(&sp, IMAP_TRACE_SEARCH);
	/* The cursor never goes back, whatever a batch of retries holds. */
	floor = first ? 0 : old_next;

	batch = (size_t)SOURCE_TEST_HOOK("SALESCYCLE_TEST_BATCH_SIZE",
	    IMAP_BATCH);
	if (batch > IMAP_BATCH)
		batch = IMAP_BATCH;
	progress = isatty(STDERR_FILENO) && n > batch;
	pipeline_stats(p, &ps0);
	/* Without a thread the messages go to the pipeline from here. */
	if (n > 0 && (ctx.q = imap_queue_start(p, src->salesperson, sent,
	    &ctx.qarg, &qerr)) == NULL)
		imap_log(LOG_LVL_WARN, s, "%s: %s", shown, qerr.msg);
	for (i = 0; i < n; i = j) {
		if (s->stop != NULL && *s->stop)
			goto out;
		j = i + batch < n ? i + batch : n;
		ctx.batch = uids + i;
		ctx.nbatch = j - i;
		free(ctx.got);
		ctx.got = xcalloc(j - i, sizeof *ctx.got);
#ifdef SC_TEST_HOOKS
		imap_sync_test_pause();
#endif
		IMAP_TRACE_BEGIN(&sp, IMAP_TRACE_META);
		rc = imap_sync_fetch_part(&ctx, uids + i, j - i, err);
		IMAP_TRACE_END(&sp, IMAP_TRACE_META);
		IMAP_TRACE_BEGIN(&sp, IMAP_TRACE_PARTS);
		if (rc == SOURCE_OK)
			rc = imap_sync_fetch_held(&ctx, err);
		IMAP_TRACE_END(&sp, IMAP_TRACE_PARTS);
		if (rc != SOURCE_OK)
			goto out;
		imap_sync_drop_old(&ctx);
		imap_sync_retry_batch(&ctx);
		next = (uint64_t)uids[j - 1] + 1;
		if (j == n && uidnext > next)
			next = uidnext;
		if (next < floor)
			next = floor;
		if (imap_sync_commit(&ctx, next, messages, modseq, err) < 0) {
			rc = SOURCE_STOP;
			goto out;
		}
		if (progress)
			fprintf(stderr, "\r%s: %s: %zu of %zu (%.0f/s)   ",
			    src->name, shown, j, n, (double)j * 1000 /
			    (double)(util_monotonic_ms() - t0 + 1));
	}
	if (n == 0 && imap_sync_commit(&ctx, uidnext > floor ? uidnext : floor,
	    messages, modseq, err) < 0) {
		rc = SOURCE_STOP;
		goto out;
	}
	if (progress)
		fputc('\n', stderr);
	r = source_queue_finish(ctx.q, err);
	ctx.q = NULL;
	if (r != 0) {
		rc = SOURCE_STOP;
		goto out;
	}
	pipeline_stats(p, &ps1);
	IMAP_TRACE_REPORT(s, shown);
	imap_log(LOG_LVL_INFO, s, "%s: %lu new messages, %lu new signals "
	    "in %llds", shown, ctx.seen, ps1.signals_new - ps0.signals_new,
	    (long long)(util_monotonic_ms() - t0) / 1000);
out:
	/* What was queued before a failure is still done, as it was. */
	if (source_queue_finish(ctx.q, rc == SOURCE_OK ? err : &qerr) != 0 &&
	    rc == SOURCE_OK)
		rc = SOURCE_STOP;
	if (s->imap != NULL)
		imap_conn_stream_to(s, NULL, NULL);
	imap_sync_held_clear(&ctx);
	free(ctx.got);
	free(ctx.retry);
	strlist_clear(&ctx.skipped);
	free(uids);
	free(shown);
	return rc;
}

/* The poll loop's view of the folders (source.h). */
static time_t
imap_sync_load(void *arg)
{
	struct imap_session	*s = arg;

	if (s->listed == 0)
		imap_folders_load(s, s->src, s->store);
	return s->listed;
}

/* Lists the folders again and keeps the new list. */
static int
imap_sync_discover(void *arg, struct err *err)
{
	struct imap_session	*s = arg;

	if (imap_folders_list(s, s->src, err) != 0)
		return -1;
	imap_folders_save(s, s->src, s->store);
	return 0;
}

static size_t
imap_sync_count(void *arg)
{
	const struct imap_session	*s = arg;

	return s->folders.n;
}

static const char *
imap_sync_name(void *arg, size_t i)
{
	const struct imap_session	*s = arg;

	return s->folders.v[i];
}

static enum source_status
imap_sync_collection(void *arg, size_t i, struct pipeline *p, struct err *err)
{
	struct imap_session	*s = arg;

	return imap_sync_folder(s, p, s->folders.v[i], (long)i == s->sent,
	    err);
}

static const struct source_sync_ops imap_sync_ops = {
	.load = imap_sync_load,
	.discover = imap_sync_discover,
	.count = imap_sync_count,
	.name = imap_sync_name,
	.sync = imap_sync_collection,
	.max_age = IMAP_RELIST_SECS,
	.canon = imap_list_canon,
};

/*
 * One poll over a connection that may be kept from the last one, by the
 * shared loop (source_sync): the folder list is the kept one while it is
 * fresh; a folder of it that STATUS refuses makes a new list (once per
 * poll), and the folders not polled yet are taken from that.
 */
int
imap_sync_poll(struct imap_session *s, const struct config *cfg,
    const struct source *src, struct store *st, volatile sig_atomic_t *stop,
    struct err *err)
{
	s->lost = false;
	s->fresh = false;
	if (s->imap == NULL && imap_conn_open(s, src, err) != 0)
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
