/* SPDX-License-Identifier: MIT */
/*
 * Classification: summaries to signals by the rules of DESIGN section 5.
 * Pure and table-driven: the pattern lists live in struct rules (config),
 * each signal records the rule that matched ("offer_subject:offerte").
 */
#ifndef SC_CLASSIFY_H
#define SC_CLASSIFY_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "event.h"
#include "mail.h"
#include "model.h"

/* Fills the default rules of DESIGN section 5 (Dutch and English). */
void	classify_default_rules(struct rules *);

/*
 * Appends the signals of one message to out.  salesperson is the key of
 * the mailbox owner; sent_folder is true for the \Sent folder; source and
 * item are copied into each signal.  Returns the number of signals added.
 */
int	classify_mail(const struct config *, const char *salesperson,
	    const struct mail_summary *, bool sent_folder,
	    const char *source, const char *item, struct signal_list *out);

/*
 * The direction of a message: DIR_OUTBOUND when it lies in the \Sent
 * folder (sent_folder) or its From is a salesperson or an internal
 * address; DIR_INBOUND when From is external; DIR_NONE when the sender is
 * no account (none, invalid, an ignored domain).  The one place that
 * decides it: classification, and what a source fetches of a message.
 */
enum direction classify_direction(const struct config *,
	    const struct mail_summary *, bool sent_folder);

/*
 * Whether an outbound message is the mailbox owner's own (owner: the
 * salesperson key of the mailbox): read from the owner's \Sent folder, or
 * sent from the owner's address and filed in the owner's mailbox without
 * a Received header (a copy the owner's client filed, never one that came
 * in by SMTP; anybody can write a From that names a salesperson).  Only
 * such a message's invitations count as appointments.
 */
bool	classify_owners_own(const struct config *, const char *owner,
	    const struct mail_summary *, bool sent_folder);

/*
 * Appends the signals (one per VEVENT and kind, dated as DESIGN section 3
 * says; first_seen for events without CREATED and DTSTAMP) and the
 * appointments (one per occurrence of kind appointment or demo that is not
 * cancelled, private or internal) of one calendar item.  A METHOD:CANCEL
 * object gives no signals and no appointments, nor does a VEVENT that
 * salesperson (the calendar's owner) declined as an ATTENDEE.
 */
void	classify_ical(const struct config *, const char *salesperson,
	    const struct ical_file *, const char *source, const char *item,
	    time_t first_seen, struct signal_list *sigs,
	    struct appointment_list *appts);

/*
 * Strips reply and forward prefixes ("Re: Fwd: AW:", repeated) from a
 * subject; sets *reply / *forward by the outermost prefix.  Returns a
 * pointer into subject.
 */
const char *classify_strip_prefixes(const struct rules *, const char *subject,
	    bool *reply, bool *forward);

/*
 * The i-th hashtag that gives signals ("#won"), NULL past the last: what
 * the guide salescycle-evidence(7) must list.
 */
const char *classify_hashtag(size_t i);

#endif
