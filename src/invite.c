/* SPDX-License-Identifier: MIT */
/*
 * Invitations in mail.  A salesperson's own invitations (REQUEST or
 * CANCEL from their \Sent folder) are appointments like calendar events;
 * the pipeline handles them as calendar items.  A meeting a customer
 * organises reaches the salesperson as a REQUEST from outside, which
 * anybody can send: it alone is never evidence.  It becomes an
 * appointment when the salesperson accepts it, which Outlook, Gmail and
 * Apple Mail do by sending a METHOD:REPLY with their ATTENDEE at
 * PARTSTAT=ACCEPTED to the organizer, a copy of which lies in their
 * \Sent folder.  The newest REPLY decides whether the salesperson goes
 * (a decline or a tentative answer is no appointment); the organizer's
 * newest REQUEST or CANCEL, when it is at least as new (SEQUENCE) as
 * the REPLY, says when and with whom (an update moves the meeting) or
 * that it was cancelled.  The parts come in any order, from two folders
 * and over many polls; the pipeline keeps the newest of each in the store
 * and asks invite_decide again whenever one changes, so the result
 * depends only on which messages exist.
 *
 * A customer's answer (METHOD:REPLY) to a meeting the salesperson
 * organised, in their INBOX, counts as the customer's answer in the
 * salesperson's calendar copy would: the invitation from \Sent and each
 * attendee's newest answer are kept, and invite_own_decide applies the
 * answers, so that a decline by every customer removes the appointment
 * whichever message is read first.
 *
 * Limits: a REPLY or CANCEL for one occurrence of a series (a
 * RECURRENCE-ID without a master) is not read; the REQUEST and REPLY of
 * one meeting must lie in the same mailbox (source).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_TAG "invite"
#include "account.h"
#include "classify.h"
#include "invite.h"
#include "log.h"
#include "util.h"

/* Room for an account key: a full free-mail address or a domain. */
#define INVITE_KEY_MAX	330

bool
invite_readable(const struct config *cfg, const char *owner,
    const struct mail_summary *m, bool sent_folder)
{
	if (m->bulk != 0)
		return false;
	return classify_owners_own(cfg, owner, m, sent_folder) ||
	    classify_direction(cfg, m, sent_folder) == DIR_INBOUND;
}

/* True when every VEVENT of f has the UID of the first. */
static bool
invite_one_uid(const struct ical_file *f)
{
	size_t i;

	if (f->nevents == 0 || f->events[0].uid == NULL)
		return false;
	for (i = 1; i < f->nevents; i++)
		if (f->events[i].uid == NULL ||
		    strcmp(f->events[i].uid, f->events[0].uid) != 0)
			return false;
	return true;
}

/* True when the method is name (case-insensitive). */
static bool
invite_method(const struct ical_file *f, const char *name)
{
	return f->method != NULL && strcasecmp(f->method, name) == 0;
}

/*
 * Whether a REPLY received is a customer's answer to the owner: its one
 * ATTENDEE is of the sender's account (an assistant may answer for the
 * customer), external, and its ORGANIZER, when there is one, is one of
 * the owner's addresses.
 */
static bool
invite_answerer(const struct config *cfg, const char *owner,
    const struct mail_summary *m, const struct ical_file *f)
{
	const struct salesperson *sp = config_salesperson(cfg, owner);
	const struct event_summary *ev = &f->events[0];
	char att[INVITE_KEY_MAX], from[INVITE_KEY_MAX];

	if (sp == NULL || ev->nattendees != 1 || m->from.n == 0 ||
	    account_classify(cfg, ev->attendees[0].addr, att, sizeof att) !=
	    ADDR_EXTERNAL ||
	    account_classify(cfg, m->from.v[0].addr, from, sizeof from) !=
	    ADDR_EXTERNAL || strcmp(att, from) != 0)
		return false;
	return ev->organizer == NULL ||
	    config_salesperson_by_email(cfg, ev->organizer) == sp;
}

enum invite_role
invite_role(const struct config *cfg, const char *owner,
    const struct mail_summary *m, bool sent_folder, const struct ical_file *f)
{
	char org[INVITE_KEY_MAX], from[INVITE_KEY_MAX];
	const char *organizer;

	if (m->bulk != 0 || f->nevents == 0)
		return INVITE_NONE;
	if (classify_owners_own(cfg, owner, m, sent_folder) &&
	    !invite_method(f, "REPLY"))
		return INVITE_OWN;
	/* The parts of a meeting are kept by its UID: one per object. */
	if (!invite_one_uid(f))
		return INVITE_NONE;
	if (classify_owners_own(cfg, owner, m, sent_folder))
		return INVITE_REPLY;
	if (classify_direction(cfg, m, sent_folder) != DIR_INBOUND)
		return INVITE_NONE;
	if (invite_method(f, "REPLY"))
		return invite_answerer(cfg, owner, m, f) ? INVITE_ANSWER :
		    INVITE_NONE;
	if (!invite_method(f, "REQUEST") && !invite_method(f, "CANCEL"))
		return INVITE_NONE;
	/*
	 * The sender speaks for the organizer: the same account (a
	 * colleague or an assistant may send on the organizer's behalf).
	 */
	organizer = f->events[0].organizer;
	if (organizer == NULL || m->from.n == 0 ||
	    account_classify(cfg, organizer, org, sizeof org) !=
	    ADDR_EXTERNAL ||
	    account_classify(cfg, m->from.v[0].addr, from, sizeof from) !=
	    ADDR_EXTERNAL || strcmp(org, from) != 0)
		return INVITE_NONE;
	return INVITE_ORGANIZER;
}

char *
invite_answer_part(const struct ical_file *f)
{
	return xasprintf("%s%s", INVITE_PART_ANSWER,
	    f->nevents > 0 && f->events[0].nattendees > 0 ?
	    f->events[0].attendees[0].addr : "");
}

char *
invite_version(const struct ical_file *f)
{
	long long seq = 0, stamp = 0;
	size_t i;

	for (i = 0; i < f->nevents; i++) {
		if (f->events[i].sequence > seq)
			seq = f->events[i].sequence;
		if (f->events[i].dtstamp > stamp)
			stamp = (long long)f->events[i].dtstamp;
	}
	return xasprintf("%010lld:%020lld", seq, stamp);
}

/*
 * The SUMMARY kept of an invitation: all of it when subjects are stored,
 * else only the demo or call word it matched, which is all
 * classification reads of it (NULL drops it).
 */
static char *
invite_summary(const char *text, void *arg)
{
	const struct config *cfg = arg;
	const struct strlist *lists[2] = { &cfg->rules.demo_summary,
	    &cfg->rules.call_summary };
	size_t i, j;

	if (cfg->store_subjects)
		return xstrdup(text);
	for (i = 0; i < 2; i++)
		for (j = 0; j < lists[i]->n; j++)
			if (util_has_word(text, lists[i]->v[j]))
				return xstrdup(lists[i]->v[j]);
	return NULL;
}

int
invite_reduce(const struct config *cfg, const struct mail_summary *m,
    enum invite_role role, const char *text, const char *what, char **out,
    struct err *err)
{
	return event_reduce(text, strlen(text), what,
	    role == INVITE_REPLY && m->to.n > 0 ? m->to.v[0].addr : NULL,
	    invite_summary, (void *)(uintptr_t)cfg, role == INVITE_OWN, out,
	    err);
}

/* The master VEVENT of f (no RECURRENCE-ID), or NULL. */
static struct event_summary *
invite_master(const struct ical_file *f)
{
	size_t i;

	for (i = 0; i < f->nevents; i++)
		if (f->events[i].recurrence_id == 0)
			return &f->events[i];
	return NULL;
}

/*
 * The owner's ATTENDEE of a REPLY: one of the owner's addresses, else
 * the only ATTENDEE (a REPLY names just the one who answers, who may
 * write from an alias).  NULL if none.
 */
static const struct event_attendee *
invite_replier(const struct config *cfg, const char *owner,
    const struct event_summary *ev)
{
	const struct salesperson *sp = config_salesperson(cfg, owner);
	size_t i;

	for (i = 0; i < ev->nattendees; i++)
		if (sp != NULL && config_salesperson_by_email(cfg,
		    ev->attendees[i].addr) == sp)
			return &ev->attendees[i];
	return ev->nattendees == 1 ? &ev->attendees[0] : NULL;
}

/* The highest SEQUENCE of f. */
static int
invite_sequence(const struct ical_file *f)
{
	int seq = 0;
	size_t i;

	for (i = 0; i < f->nevents; i++)
		if (f->events[i].sequence > seq)
			seq = f->events[i].sequence;
	return seq;
}

/* Parses a stored part within the window; false (logged) if it is no use. */
static bool
invite_parse(const struct config *cfg, const char *text, const char *what,
    struct ical_file *f)
{
	struct err err = { 0 };
	time_t from, to;

	event_window(util_now(), cfg->backfill_days, cfg->timezone, &from,
	    &to);
	if (event_parse(text, strlen(text), from, to, cfg->timezone, what, f,
	    &err) != 0) {
		log_warn("%s: %s", what, err.msg);
		return false;
	}
	if (f->nevents == 0) {
		ical_file_free(f);
		return false;
	}
	return true;
}

/*
 * Marks the owner as attending in the chosen event: what they answered
 * in their REPLY counts, not what an organizer's REQUEST last showed.
 */
static void
invite_mark_attending(const struct config *cfg, const char *owner,
    struct ical_file *f, time_t accepted)
{
	const struct salesperson *sp = config_salesperson(cfg, owner);
	struct event_summary *ev;
	size_t i, j;

	for (i = 0; i < f->nevents; i++) {
		ev = &f->events[i];
		if (accepted != 0)
			ev->created = accepted;
		for (j = 0; j < ev->nattendees; j++) {
			if (sp == NULL || config_salesperson_by_email(cfg,
			    ev->attendees[j].addr) != sp)
				continue;
			ev->attendees[j].declined = false;
			ev->attendees[j].accepted = true;
		}
	}
}

bool
invite_decide(const struct config *cfg, const char *owner,
    const char *organizer, const char *reply, const char *what,
    struct ical_file *out)
{
	struct ical_file r, o;
	const struct event_summary *rm, *om;
	const struct event_attendee *a;
	time_t accepted;
	bool use_request = false;

	memset(out, 0, sizeof *out);
	if (reply == NULL || !invite_parse(cfg, reply, what, &r))
		return false;
	rm = invite_master(&r);
	a = rm != NULL ? invite_replier(cfg, owner, rm) : NULL;
	if (a == NULL || !a->accepted) {
		log_debug("%s: %s", what, rm == NULL ? "a reply for one "
		    "occurrence only" : a == NULL ? "no answer of the owner" :
		    a->declined ? "declined by the salesperson" :
		    "not accepted by the salesperson");
		ical_file_free(&r);
		return false;
	}
	accepted = rm->dtstamp;
	if (organizer != NULL && invite_parse(cfg, organizer, what, &o)) {
		om = invite_master(&o);
		if (om == NULL || om->organizer == NULL ||
		    rm->organizer == NULL ||
		    strcasecmp(om->organizer, rm->organizer) != 0) {
			log_debug("%s: the organizer's message is not from "
			    "the organizer of the reply; ignored", what);
		} else if (invite_sequence(&o) >= invite_sequence(&r)) {
			if (invite_method(&o, "CANCEL")) {
				log_debug("%s: cancelled by the organizer",
				    what);
				ical_file_free(&o);
				ical_file_free(&r);
				return false;
			}
			use_request = true;
		}
		if (!use_request)
			ical_file_free(&o);
	}
	if (use_request) {
		ical_file_free(&r);
		*out = o;
	} else
		*out = r;
	invite_mark_attending(cfg, owner, out, accepted);
	return true;
}

/*
 * Applies one customer's answer to the owner's invitation: the PARTSTAT
 * of that attendee in every event of own that names them.
 */
static void
invite_apply_answer(struct ical_file *own, const struct event_attendee *a,
    const char *what)
{
	struct event_summary *ev;
	size_t i, j;

	for (i = 0; i < own->nevents; i++) {
		ev = &own->events[i];
		for (j = 0; j < ev->nattendees; j++) {
			if (strcasecmp(ev->attendees[j].addr, a->addr) != 0)
				continue;
			ev->attendees[j].declined = a->declined;
			ev->attendees[j].accepted = a->accepted;
			log_debug("%s: %s %s", what, a->addr, a->declined ?
			    "declined" : a->accepted ? "accepted" :
			    "answered");
		}
	}
}

bool
invite_own_decide(const struct config *cfg, const char *own,
    const struct strlist *answers, const char *what, struct ical_file *out)
{
	struct ical_file a;
	const struct event_summary *am;
	int seq;
	size_t i;

	memset(out, 0, sizeof *out);
	if (own == NULL || !invite_parse(cfg, own, what, out))
		return false;
	seq = invite_sequence(out);
	for (i = 0; i < answers->n; i++) {
		if (!invite_parse(cfg, answers->v[i], what, &a))
			continue;
		am = invite_master(&a);
		/* An answer to an older version says nothing of this one. */
		if (am != NULL && am->nattendees == 1 &&
		    invite_sequence(&a) >= seq)
			invite_apply_answer(out, &am->attendees[0], what);
		ical_file_free(&a);
	}
	return true;
}
