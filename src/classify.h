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
 * Appends the signals (one per VEVENT and kind, dated as DESIGN section 3
 * says; first_seen for events without CREATED and DTSTAMP) and the
 * appointments (one per occurrence of kind appointment or demo that is not
 * cancelled, private or internal) of one calendar item.  A METHOD:CANCEL
 * object gives no signals and no appointments.
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

#endif
