/* SPDX-License-Identifier: MIT */
/*
 * The one path from a source to the store.  A pipeline classifies what a
 * source hands it (classify.c) into a pending batch that it owns: the
 * signals of messages (never the summaries), and per calendar item its
 * signals, appointments and version, or its removal, in arrival order.
 * pipeline_commit writes the batch, the links its items show (links.c),
 * the source's cursors and the re-projection of the touched accounts in
 * one transaction.  When that
 * fails, everything is rolled back and the batch is dropped: the source
 * fetches again from its old cursor, so nothing is ever half-written.
 *
 * It does not fetch, parse or decide phases.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_TAG "pipeline"
#include "classify.h"
#include "event.h"
#include "hashset.h"
#include "invite.h"
#include "links.h"
#include "log.h"
#include "pipeline.h"
#include "project.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

enum pipeline_op { PIPELINE_ICAL, PIPELINE_REMOVE, PIPELINE_INVITED,
    PIPELINE_OWN };

/*
 * Bits of the filter of the items handed in since pipeline_fresh: a
 * fixed 8 KiB whatever the calendar's size, so that memory stays flat;
 * past some ten thousand items more of them are looked up, none wrongly
 * skipped.
 */
#define PIPELINE_SEEN_BITS	65536

/*
 * A calendar item to replace or remove on commit; or (PIPELINE_INVITED)
 * a part of an invitation from outside, to keep if newer and decide
 * again (invite.c).
 */
struct pipeline_item {
	enum pipeline_op	 op;
	char			*item;		/* owned */
	char			*version;	/* owned, may be NULL */
	struct signal_list	 sigs;		/* owned */
	struct appointment_list	 appts;		/* owned */
	time_t			 first_seen;	/* the time undated events got */
	bool			 newer_only;	/* replace only an older version */
	bool			 same_skip;	/* version is of sigs and appts: */
						/* write nothing when it is stored */
	bool			 fresh;		/* no row when classified, in a */
						/* collection with none (pipeline_fresh) */
	/* PIPELINE_INVITED, PIPELINE_OWN: */
	char			*uid;		/* owned */
	char			*part;		/* owned: INVITE_PART_* (ADDR) */
	char			*body;		/* owned: reduced */
	const char		*salesperson;	/* borrowed from cfg */
};

struct pipeline {
	const struct config	*cfg;		/* borrowed */
	struct store		*store;		/* borrowed */
	char			*source;	/* owned: "imap:anna" */
	struct signal_list	 mail;		/* owned: signals of pending messages */
	struct pipeline_item	*items;		/* owned, in arrival order */
	size_t			 nitems;
	size_t			 capitems;
	size_t			 pending;	/* entries since the last commit */
	bool			 deferred;	/* project in pipeline_finish */
	bool			 fresh;		/* see pipeline_fresh */
	uint8_t			*seen;		/* owned: PIPELINE_SEEN_BITS, */
						/* items handed in since then */
	struct pipeline_stats	 stats;
};

struct pipeline *
pipeline_new(const struct config *cfg, struct store *store, const char *source)
{
	struct pipeline *p = xcalloc(1, sizeof *p);

	p->cfg = cfg;
	p->store = store;
	p->source = xstrdup(source);
	return p;
}

/* Drops the pending batch. */
static void
pipeline_clear(struct pipeline *p)
{
	size_t i;

	signal_list_clear(&p->mail);
	for (i = 0; i < p->nitems; i++) {
		free(p->items[i].item);
		free(p->items[i].version);
		free(p->items[i].uid);
		free(p->items[i].part);
		free(p->items[i].body);
		signal_list_clear(&p->items[i].sigs);
		appointment_list_clear(&p->items[i].appts);
	}
	free(p->items);
	p->items = NULL;
	p->nitems = p->capitems = 0;
	p->pending = 0;
}

void
pipeline_drop(struct pipeline *p)
{
	if (p->pending > 0)
		log_info("%s: %zu uncommitted entries dropped", p->source,
		    p->pending);
	pipeline_clear(p);
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	pipeline_drop(p);
	free(p->seen);
	free(p->source);
	free(p);
}

/* Appends an item entry and returns it zeroed but for op and item. */
static struct pipeline_item *
pipeline_add_item(struct pipeline *p, enum pipeline_op op, const char *item)
{
	struct pipeline_item *it;

	if (p->nitems == p->capitems) {
		p->capitems = p->capitems == 0 ? 16 : p->capitems * 2;
		p->items = xreallocarray(p->items, p->capitems,
		    sizeof *p->items);
	}
	it = &p->items[p->nitems++];
	memset(it, 0, sizeof *it);
	it->op = op;
	it->item = xstrdup(item);
	p->pending++;
	return it;
}

/*
 * When the store first saw an item: events without CREATED and DTSTAMP
 * are dated by it (DESIGN section 3); now for a new item, which the
 * store records with it on commit (store_item_version_set), so that
 * every later read dates them the same.  *stored, when asked: whether
 * the item has a row.
 */
static time_t
pipeline_first_seen(struct pipeline *p, const char *item, bool *stored)
{
	struct err err;
	time_t t;

	if (store_item_first_seen(p->store, p->source, item, &t, &err) != 0) {
		log_warn("%s: %s: %s", p->source, item, err.msg);
		t = 0;
	}
	if (stored != NULL)
		*stored = t != 0;
	return t != 0 ? t : util_now();
}

/* Hashes a string, or NULL, so that no two lists of them hash alike. */
static uint64_t
pipeline_hash_str(uint64_t h, const char *s)
{
	uint64_t	len = s != NULL ? strlen(s) + 1 : 0;

	h = hashset_fnv1a(h, &len, sizeof len);
	return s != NULL ? hashset_fnv1a(h, s, len) : h;
}

/* Hashes a number. */
static uint64_t
pipeline_hash_num(uint64_t h, int64_t v)
{
	return hashset_fnv1a(h, &v, sizeof v);
}

/*
 * The version of an item that has none of its own (an imported file):
 * a hash of every field of what it gave, so that reading it again with
 * the same content (and rules) is seen to change nothing.  Caller frees.
 */
static char *
pipeline_output_version(const struct pipeline_item *it)
{
	const struct signal		*g;
	const struct appointment	*a;
	uint64_t			 h = HASHSET_FNV_INIT;
	size_t				 i;

	for (i = 0; i < it->sigs.n; i++) {
		g = &it->sigs.v[i];
		h = pipeline_hash_num(h, g->kind);
		h = pipeline_hash_str(h, g->account);
		h = pipeline_hash_str(h, g->salesperson);
		h = pipeline_hash_num(h, g->occurred_at);
		h = pipeline_hash_num(h, g->dir);
		h = pipeline_hash_str(h, g->source);
		h = pipeline_hash_str(h, g->item);
		h = pipeline_hash_str(h, g->ref);
		h = pipeline_hash_str(h, g->rule);
		h = pipeline_hash_str(h, g->subject);
		h = pipeline_hash_str(h, g->value);
		h = pipeline_hash_str(h, g->match_text);
	}
	h = pipeline_hash_num(h, -1);
	for (i = 0; i < it->appts.n; i++) {
		a = &it->appts.v[i];
		h = pipeline_hash_str(h, a->source);
		h = pipeline_hash_str(h, a->item);
		h = pipeline_hash_str(h, a->uid);
		h = pipeline_hash_num(h, a->recurrence_id);
		h = pipeline_hash_str(h, a->salesperson);
		h = pipeline_hash_str(h, a->account);
		h = pipeline_hash_str(h, a->match_text);
		h = pipeline_hash_num(h, a->kind);
		h = pipeline_hash_num(h, a->start);
		h = pipeline_hash_num(h, a->end);
		h = pipeline_hash_num(h, a->all_day);
		h = pipeline_hash_str(h, a->day);
		h = pipeline_hash_num(h, a->created);
		h = pipeline_hash_num(h, a->series);
		h = pipeline_hash_str(h, a->summary);
	}
	return xasprintf("out:%zu:%zu:%016llx", it->sigs.n, it->appts.n,
	    (unsigned long long)h);
}

/*
 * Whether an item may have been handed in since pipeline_fresh (a bloom
 * filter: two bits of its hash; never false for one that was), and
 * records that it was.
 */
static bool
pipeline_seen(struct pipeline *p, const char *item)
{
	uint64_t	h = hashset_fnv1a(HASHSET_FNV_INIT, item, strlen(item));
	uint32_t	a = (uint32_t)h % PIPELINE_SEEN_BITS;
	uint32_t	b = (uint32_t)(h >> 32) % PIPELINE_SEEN_BITS;
	bool		seen;

	seen = (p->seen[a / 8] & (1u << (a % 8))) != 0 &&
	    (p->seen[b / 8] & (1u << (b % 8))) != 0;
	p->seen[a / 8] |= (uint8_t)(1u << (a % 8));
	p->seen[b / 8] |= (uint8_t)(1u << (b % 8));
	return seen;
}

void
pipeline_ical(struct pipeline *p, const char *salesperson,
    const struct ical_file *f, const char *item, const char *version)
{
	struct pipeline_item *it;
	bool stored;

	it = pipeline_add_item(p, PIPELINE_ICAL, item);
	/*
	 * In a collection that had nothing stored, only an item handed in
	 * before in this sync can have a row: the others are not looked up
	 * (a read transaction each, with its locks).
	 */
	if (p->fresh && !pipeline_seen(p, item)) {
		it->first_seen = util_now();
		it->fresh = true;
	} else {
		it->first_seen = pipeline_first_seen(p, item, &stored);
		it->fresh = p->fresh && !stored;
	}
	classify_ical(p->cfg, salesperson, f, p->source, item, it->first_seen,
	    &it->sigs, &it->appts);
	if (version != NULL)
		it->version = xstrdup(version);
	else {
		it->version = pipeline_output_version(it);
		it->same_skip = true;
	}
}

/*
 * Queues a part of an invitation, reduced for the store; the commit
 * decides.  From outside (role INVITE_REPLY or INVITE_ORGANIZER) it is
 * part of the meeting "invited:UID"; the owner's own (INVITE_OWN) and a
 * customer's answer to it (INVITE_ANSWER) are parts of "invite:UID".
 */
static void
pipeline_invited(struct pipeline *p, const struct salesperson *sp,
    const struct mail_summary *m, const struct ical_file *f,
    enum invite_role role, const char *part, const char *item)
{
	struct pipeline_item *it;
	struct err err = { 0 };
	bool own = role == INVITE_OWN || role == INVITE_ANSWER;
	char *body, *key;

	if (invite_reduce(p->cfg, m, role, part, item, &body, &err) != 0) {
		log_warn("%s: invitation: %s, skipped", item, err.msg);
		return;
	}
	key = xasprintf("%s:%s", own ? "invite" : "invited", f->events[0].uid);
	it = pipeline_add_item(p, role == INVITE_OWN ? PIPELINE_OWN :
	    PIPELINE_INVITED, key);
	free(key);
	it->uid = xstrdup(f->events[0].uid);
	if (role == INVITE_ANSWER)
		it->part = invite_answer_part(f);
	else
		it->part = xstrdup(role == INVITE_REPLY ? INVITE_PART_REPLY :
		    role == INVITE_OWN ? INVITE_PART_OWN :
		    INVITE_PART_ORGANIZER);
	it->version = invite_version(f);
	it->body = body;
	it->salesperson = sp->key;
}

/*
 * Invitations in mail (invite.c).  The mailbox owner's own (text/calendar
 * parts, METHOD REQUEST or CANCEL, classify_owners_own) are appointments
 * like those in a calendar.  The item is the event's UID, so an update or
 * a cancellation replaces what an earlier message gave, and the newest
 * version wins whatever order the messages are read in.  The same UID
 * seen through CalDAV gives the same signal refs and is counted once
 * (DISTINCT in the reports).  The owner's REPLY and an external
 * organizer's REQUEST or CANCEL are parts of a meeting the customer
 * organised, decided on commit (pipeline_write_invited).
 */
static void
pipeline_invitations(struct pipeline *p, const char *salesperson,
    const struct mail_summary *m, bool sent_folder, const char *item)
{
	const struct config *cfg = p->cfg;
	const struct salesperson *sp;
	struct ical_file f;
	struct err err = { 0 };
	enum invite_role role;
	time_t from, to;
	char *what;
	size_t i;

	if (m->calendar_parts.n == 0)
		return;
	sp = config_salesperson(cfg, salesperson);
	if (sp == NULL || !invite_readable(cfg, salesperson, m, sent_folder)) {
		log_debug("%s: invitation neither the mailbox owner's own "
		    "nor from outside; not read", item);
		return;
	}
	event_window(util_now(), cfg->backfill_days, cfg->timezone, &from, &to);
	what = xasprintf("%s: invitation", item);
	for (i = 0; i < m->calendar_parts.n; i++) {
		const char *part = m->calendar_parts.v[i];

		memset(&f, 0, sizeof f);
		err_clear(&err);
		if (event_parse(part, strlen(part), from, to, cfg->timezone,
		    what, &f, &err) != 0 || f.nevents == 0) {
			/* The parser's message names the item. */
			if (f.nevents == 0 && err.msg[0] == '\0')
				snprintf(err.msg, sizeof err.msg, "%s: no event",
				    what);
			log_warn("%s, skipped", err.msg);
			ical_file_free(&f);
			continue;
		}
		role = invite_role(cfg, salesperson, m, sent_folder, &f);
		if (role != INVITE_NONE)
			pipeline_invited(p, sp, m, &f, role, part, item);
		else
			log_debug("%s: invitation not read", item);
		ical_file_free(&f);
	}
	free(what);
}

/*
 * Drops the signals from index first on that are older than retention_days:
 * their stored copies lost their refs to retention, so storing them again
 * would duplicate them (a UIDVALIDITY change, an old mbox imported).
 */
static void
pipeline_drop_expired(struct pipeline *p, size_t first)
{
	time_t cutoff;
	size_t i, j;

	if (p->cfg->retention_days <= 0)
		return;
	cutoff = util_now() - (time_t)p->cfg->retention_days * 86400;
	for (i = j = first; i < p->mail.n; i++) {
		if (p->mail.v[i].occurred_at < cutoff) {
			signal_free(&p->mail.v[i]);
			continue;
		}
		p->mail.v[j++] = p->mail.v[i];
	}
	p->mail.n = j;
}

void
pipeline_mail(struct pipeline *p, const char *salesperson,
    const struct mail_summary *m, bool sent_folder, const char *item)
{
	size_t first = p->mail.n;

	classify_mail(p->cfg, salesperson, m, sent_folder, p->source, item,
	    &p->mail);
	pipeline_drop_expired(p, first);
	pipeline_invitations(p, salesperson, m, sent_folder, item);
	p->pending++;
}

void
pipeline_fresh(struct pipeline *p, bool on)
{
	p->fresh = on;
	if (!on) {
		free(p->seen);
		p->seen = NULL;
	} else if (p->seen == NULL)
		p->seen = xcalloc(PIPELINE_SEEN_BITS / 8, 1);
	else
		memset(p->seen, 0, PIPELINE_SEEN_BITS / 8);
}

void
pipeline_remove(struct pipeline *p, const char *item)
{
	pipeline_add_item(p, PIPELINE_REMOVE, item);
}

size_t
pipeline_pending(const struct pipeline *p)
{
	return p->pending;
}

/*
 * How the item's version compares with the stored one (strcmp); 1 when
 * none is stored, or it cannot be read (the item is then written).
 */
static int
pipeline_version_cmp(struct pipeline *p, const struct pipeline_item *it,
    struct err *err)
{
	char *stored = NULL;
	int cmp;

	if (store_item_version(p->store, p->source, it->item, &stored, err) != 0)
		return 1;
	cmp = stored == NULL ? 1 : strcmp(it->version, stored);
	free(stored);
	return cmp;
}

/*
 * Decides the owner's own invitation it->uid again from its stored parts
 * (invite_own_decide: the invitation and the customers' answers): its
 * item then holds the appointment as the calendar copy would.  Nothing
 * when the invitation itself has not been read.  Returns the new signals,
 * or -1.
 */
static int
pipeline_decide_own(struct pipeline *p, struct pipeline_item *it,
    struct strlist *touched, unsigned long *appts, struct err *err)
{
	struct signal_list sigs = { 0 };
	struct appointment_list list = { 0 };
	struct strlist answers = { 0 };
	struct ical_file f;
	char *ov = NULL, *own = NULL;
	time_t first_seen;
	int r = 0;

	if (store_invitation_get(p->store, p->source, it->uid,
	    INVITE_PART_OWN, &ov, &own, err) != 0 ||
	    store_invitation_answers(p->store, p->source, it->uid, &answers,
	    err) != 0) {
		r = -1;
		goto out;
	}
	if (own == NULL)
		goto out;
	if (!invite_own_decide(p->cfg, own, &answers, it->item, &f)) {
		r = store_remove_item(p->store, p->source, it->item, touched,
		    err);
		goto out;
	}
	first_seen = pipeline_first_seen(p, it->item, NULL);
	classify_ical(p->cfg, it->salesperson, &f, p->source, it->item,
	    first_seen, &sigs, &list);
	ical_file_free(&f);
	r = store_replace_item(p->store, p->source, it->item, &sigs, &list,
	    touched, err);
	if (r >= 0 && (store_item_version_set(p->store, p->source, it->item,
	    ov, first_seen, err) != 0 || links_learn(p->store, &sigs,
	    util_now(), touched, err) != 0))
		r = -1;
	if (r >= 0)
		*appts += list.n;
	signal_list_clear(&sigs);
	appointment_list_clear(&list);
out:
	strlist_clear(&answers);
	free(ov);
	free(own);
	return r;
}

/*
 * Keeps an invitation's part when it is newer than the stored one and
 * decides the meeting again from the stored parts: one the owner was
 * invited to (invite_decide), its item then holding the appointment or
 * nothing, or the owner's own (pipeline_decide_own).  Returns the new
 * signals, or -1.
 */
static int
pipeline_write_invited(struct pipeline *p, struct pipeline_item *it,
    struct strlist *touched, unsigned long *appts, struct err *err)
{
	struct signal_list sigs = { 0 };
	struct appointment_list list = { 0 };
	struct ical_file f;
	char *stored = NULL, *org = NULL, *reply = NULL, *ov = NULL;
	char *rv = NULL;
	time_t first_seen;
	int r = 0;

	if (store_invitation_get(p->store, p->source, it->uid, it->part,
	    &stored, NULL, err) != 0)
		return -1;
	if (stored != NULL && strcmp(stored, it->version) >= 0)
		goto out;		/* an older or the same message */
	if (it->op == PIPELINE_OWN || strncmp(it->part, INVITE_PART_ANSWER,
	    strlen(INVITE_PART_ANSWER)) == 0) {
		r = store_invitation_set(p->store, p->source, it->uid, it->part,
		    it->version, it->body, err) != 0 ? -1 :
		    pipeline_decide_own(p, it, touched, appts, err);
		goto out;
	}
	if (store_invitation_set(p->store, p->source, it->uid, it->part,
	    it->version, it->body, err) != 0 ||
	    store_invitation_get(p->store, p->source, it->uid,
	    INVITE_PART_ORGANIZER, &ov, &org, err) != 0 ||
	    store_invitation_get(p->store, p->source, it->uid,
	    INVITE_PART_REPLY, &rv, &reply, err) != 0) {
		r = -1;
		goto out;
	}
	if (!invite_decide(p->cfg, it->salesperson, org, reply, it->item,
	    &f)) {
		r = store_remove_item(p->store, p->source, it->item, touched,
		    err);
		goto out;
	}
	first_seen = pipeline_first_seen(p, it->item, NULL);
	classify_ical(p->cfg, it->salesperson, &f, p->source, it->item,
	    first_seen, &sigs, &list);
	ical_file_free(&f);
	r = store_replace_item(p->store, p->source, it->item, &sigs, &list,
	    touched, err);
	if (r >= 0 && store_item_version_set(p->store, p->source, it->item,
	    rv, first_seen, err) != 0)
		r = -1;
	if (r >= 0)
		*appts += list.n;
	signal_list_clear(&sigs);
	appointment_list_clear(&list);
out:
	free(stored);
	free(org);
	free(reply);
	free(ov);
	free(rv);
	return r;
}

/*
 * Writes an item that had no row when it was classified in a collection
 * with none stored (pipeline_fresh): nothing to look up or delete first.
 * When its row is there after all (the same href earlier in the batch),
 * writes nothing and clears it->fresh for the caller to replace it.
 * Returns the new signals, or -1.
 */
static int
pipeline_write_new(struct pipeline *p, struct pipeline_item *it,
    struct strlist *touched, unsigned long *appts, struct err *err)
{
	bool added;
	int r;

	r = store_add_item(p->store, p->source, it->item, it->version,
	    it->first_seen, &it->sigs, &it->appts, touched, &added, err);
	if (r < 0)
		return -1;
	if (!added) {
		it->fresh = false;
		return 0;
	}
	if (links_learn(p->store, &it->sigs, util_now(), touched, err) != 0)
		return -1;
	*appts += it->appts.n;
	return r;
}

/* Writes the batch inside the open transaction; returns new signals or -1. */
static int
pipeline_write(struct pipeline *p, const struct cursor *cursors, size_t n,
    struct strlist *touched, unsigned long *appts, struct err *err)
{
	struct pipeline_item *it;
	size_t i;
	int added, r;

	added = store_add_signals(p->store, &p->mail, touched, err);
	if (added < 0 || links_learn(p->store, &p->mail, util_now(), touched,
	    err) != 0)
		return -1;
	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		if (it->op == PIPELINE_REMOVE) {
			if (store_remove_item(p->store, p->source, it->item,
			    touched, err) != 0)
				return -1;
			continue;
		}
		if (it->op == PIPELINE_INVITED || it->op == PIPELINE_OWN) {
			r = pipeline_write_invited(p, it, touched, appts, err);
			if (r < 0)
				return -1;
			added += r;
			continue;
		}
		if (it->newer_only && pipeline_version_cmp(p, it, err) <= 0)
			continue;
		/* Read again as it was: not a row to rewrite. */
		if (it->same_skip && pipeline_version_cmp(p, it, err) == 0)
			continue;
		if (it->fresh && !it->newer_only && !it->same_skip) {
			r = pipeline_write_new(p, it, touched, appts, err);
			if (r < 0)
				return -1;
			added += r;
			if (it->fresh)
				continue;
			/* It has a row after all: replaced below. */
		}
		r = store_replace_item(p->store, p->source, it->item,
		    &it->sigs, &it->appts, touched, err);
		if (r < 0 || store_item_version_set(p->store, p->source,
		    it->item, it->version, it->first_seen, err) != 0 ||
		    links_learn(p->store, &it->sigs, util_now(), touched,
		    err) != 0)
			return -1;
		added += r;
		*appts += it->appts.n;
	}
	for (i = 0; i < n; i++) {
		if (store_cursor_set(p->store, p->source, cursors[i].scope,
		    cursors[i].name, cursors[i].value, err) != 0)
			return -1;
	}
	if (p->deferred ? project_mark_dirty(p->store, touched, err) != 0 :
	    project_accounts(p->store, p->cfg, touched, util_now(), err) != 0)
		return -1;
	return added;
}

int
pipeline_commit(struct pipeline *p, const struct cursor *cursors, size_t n,
    struct err *err)
{
	struct strlist touched = { 0 };
	unsigned long appts = 0;
	size_t pending = p->pending;
	int added;

	if (pending == 0 && n == 0)
		return 0;
	if (store_begin(p->store, err) != 0) {
		pipeline_clear(p);
		return -1;
	}
	added = pipeline_write(p, cursors, n, &touched, &appts, err);
	strlist_clear(&touched);
	pipeline_clear(p);
	if (added < 0 || store_commit(p->store, err) != 0) {
		store_rollback(p->store);
		return -1;
	}
	p->stats.items += pending;
	p->stats.signals_new += (unsigned long)added;
	p->stats.appointments += appts;
	return added;
}

void
pipeline_defer_projection(struct pipeline *p)
{
	p->deferred = true;
}

int
pipeline_finish(struct pipeline *p, struct err *err)
{
	if (!p->deferred)
		return 0;
	return project_dirty(p->store, p->cfg, util_now(), err);
}

void
pipeline_stats(const struct pipeline *p, struct pipeline_stats *out)
{
	*out = p->stats;
}
