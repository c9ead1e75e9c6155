/* SPDX-License-Identifier: MIT */
/*
 * Invitations in mail (iTIP, RFC 5546): which calendar parts of a message
 * count for its mailbox's owner, and when a meeting a customer organised
 * is the owner's appointment.  Pure: summaries and iCalendar text in,
 * decisions out; the pipeline keeps the parts in the store.
 */
#ifndef SC_INVITE_H
#define SC_INVITE_H

#include <stdbool.h>

#include "config.h"
#include "err.h"
#include "event.h"
#include "mail.h"

/* The store's names of an invitation's parts (store_invitation_get). */
#define INVITE_PART_ORGANIZER	"organizer"
#define INVITE_PART_REPLY	"reply"
#define INVITE_PART_OWN		"own"
#define INVITE_PART_ANSWER	"answer:"	/* + the attendee's address */

/* What a calendar part of a message is to the mailbox's owner. */
enum invite_role {
	INVITE_NONE,		/* not read */
	INVITE_OWN,		/* the owner's own REQUEST or CANCEL */
	INVITE_REPLY,		/* the owner's answer to an invitation */
	INVITE_ORGANIZER,	/* an external organizer's REQUEST or CANCEL */
	INVITE_ANSWER		/* an external attendee's REPLY to the owner */
};

/*
 * Whether a message's calendar parts may count (and are worth fetching):
 * it is the owner's own (classify_owners_own) or it came from an external
 * sender.  Bulk mail never counts.
 */
bool	invite_readable(const struct config *, const char *owner,
	    const struct mail_summary *, bool sent_folder);

/*
 * The role of one parsed calendar part f of message m in the owner's
 * mailbox: the owner's own REPLY is INVITE_REPLY, their other own
 * objects INVITE_OWN; a REQUEST or CANCEL received from an external
 * sender whose account is its ORGANIZER's is INVITE_ORGANIZER; a REPLY
 * received from an external sender whose account is that of its one
 * ATTENDEE, to an ORGANIZER that is the owner (or none: Exchange), is
 * INVITE_ANSWER.  A REPLY, REQUEST or CANCEL from outside whose VEVENTs
 * do not share one UID is INVITE_NONE.
 */
enum invite_role invite_role(const struct config *, const char *owner,
	    const struct mail_summary *m, bool sent_folder,
	    const struct ical_file *f);

/*
 * The version of an invitation: SEQUENCE, then DTSTAMP, zero-padded so
 * that a later update compares greater as a string.  Caller frees.
 */
char	*invite_version(const struct ical_file *);

/*
 * The store's part name of an INVITE_ANSWER: INVITE_PART_ANSWER and the
 * answering attendee's address, so that each attendee's newest answer is
 * kept.  Caller frees.
 */
char	*invite_answer_part(const struct ical_file *);

/*
 * A calendar part of message m reduced to what invite_decide reads
 * (event_reduce), for the store: without the invitation's text; the
 * SUMMARY only when store_subjects is on, else only the demo or call word
 * it matched.  A REPLY without ORGANIZER (Exchange sends them so; RFC
 * 5546 section 3.2.3 requires one) gets the first To of m, to whom it
 * went.  The owner's own (INVITE_OWN) keeps the hashtags of its
 * DESCRIPTION, which classification reads.  role is the part's
 * (invite_role).  Returns 0, or -1 with err.
 * Caller frees *out.
 */
int	invite_reduce(const struct config *, const struct mail_summary *m,
	    enum invite_role role, const char *text, const char *what,
	    char **out, struct err *);

/*
 * Whether a meeting an external organizer invited the owner to is the
 * owner's appointment, from the stored parts (either may be NULL): the
 * owner's newest REPLY must accept it (PARTSTAT=ACCEPTED); the
 * organizer's CANCEL at that SEQUENCE or later ends it; the organizer's
 * REQUEST at that SEQUENCE or later gives its time and attendees (an
 * update moves it), else the REPLY does.  An organizer part from another
 * ORGANIZER than the REPLY's is ignored.  On true, *out holds the event
 * to classify, dated by the REPLY's DTSTAMP (the day the owner accepted);
 * the caller frees it with ical_file_free.  what names the meeting in
 * log lines.
 */
bool	invite_decide(const struct config *, const char *owner,
	    const char *organizer, const char *reply, const char *what,
	    struct ical_file *out);

/*
 * The owner's own invitation (own, the stored INVITE_PART_OWN) with the
 * customers' answers applied, as their calendar copy would show it:
 * each answer (a stored INVITE_PART_ANSWER) to this SEQUENCE or a later
 * one sets its attendee's PARTSTAT (a decline by every customer is then
 * no appointment to classification); an answer to an older SEQUENCE, or
 * from someone the invitation does not name, changes nothing.  False
 * when own cannot be read.  On true the caller frees *out with
 * ical_file_free.
 */
bool	invite_own_decide(const struct config *, const char *own,
	    const struct strlist *answers, const char *what,
	    struct ical_file *out);

#endif
