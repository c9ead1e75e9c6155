/* SPDX-License-Identifier: MIT */
/*
 * The domain model shared by every module: signal kinds, phases, outcomes
 * and the signal itself (DESIGN sections 3 and 4).  Kinds and their names
 * come from one X-macro list so that the enum and the name table never
 * drift apart.
 */
#ifndef SC_MODEL_H
#define SC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* name, moves the phase (true) or not */
#define SIGNAL_KINDS(X)				\
	X(TARGET,		"target",		true)	\
	X(CALL,			"call",			true)	\
	X(APPOINTMENT,		"appointment",		true)	\
	X(DEMO,			"demo",			true)	\
	X(OFFER_SENT,		"offer_sent",		true)	\
	X(VERBAL_ORDER,		"verbal_order",		true)	\
	X(ORDER_CONFIRMED,	"order_confirmed",	true)	\
	X(LOST,			"lost",			false)	\
	X(CONTACT,		"contact",		false)	\
	X(DECISION,		"decision",		false)	\
	X(COMPETITOR,		"competitor",		false)	\
	X(NEED,			"need",			false)	\
	X(PROBLEM,		"problem",		false)	\
	X(MANUAL,		"manual",		false)	\
	X(WON,			"won",			false)	\
	X(SNOOZE,		"snooze",		false)	\
	X(VALUE,		"value",		false)

/* The longest quiet a #snooze may ask for, in days (classify, analysis). */
#define SIGNAL_SNOOZE_MAX_DAYS	365

enum signal_kind {
#define X(e, s, m) SIG_##e,
	SIGNAL_KINDS(X)
#undef X
	SIG__COUNT
};

const char	*signal_kind_name(enum signal_kind);
int		 signal_kind_from_name(const char *);	/* -1 if unknown */
bool		 signal_kind_moves_phase(enum signal_kind);

/* The built-in phases; [phases] may define others (see config.h). */
#define MAX_PHASES 16
#define PHASE_NONE (-1)

enum outcome { OUTCOME_OPEN, OUTCOME_WON, OUTCOME_LOST };
const char	*outcome_name(enum outcome);
int		 outcome_from_name(const char *);	/* -1 if unknown */

enum direction { DIR_NONE, DIR_INBOUND, DIR_OUTBOUND };
const char	*direction_name(enum direction);
int		 direction_from_name(const char *);	/* -1 if unknown */

enum deal_kind { DEAL_NEW, DEAL_GROWTH };
const char	*deal_kind_name(enum deal_kind);

/*
 * One observed fact.  All strings are owned by the signal.
 *
 * ref is unique in the store: inserting a signal whose ref exists is a
 * no-op.  For mail it is "ACTOR/KIND:ACCOUNT:MESSAGE-ID", so the same
 * message seen in two mailboxes with the same actor, or re-read after a
 * UIDVALIDITY change, or both imported from a file and polled over IMAP,
 * is stored once.  For calendar items it is "ACTOR/KIND:ACCOUNT:UID" (a
 * recurring series is one appointment made once; the same meeting in two
 * salespeople's calendars is each one's own).
 *
 * item names the source item the signal came from ("INBOX/1234",
 * "/cal/anna/x.ics", "file:msg.eml").  Calendar sources replace all signals
 * of an item when it changes (store_replace_item).
 */
struct signal {
	enum signal_kind kind;
	char		*account;	/* account key; NULL: attributed by match_text at projection */
	char		*salesperson;	/* whose mailbox or calendar gave it */
	time_t		 occurred_at;
	enum direction	 dir;
	char		*source;	/* "imap:anna", "caldav:anna", "ics:anna", "import", "manual" */
	char		*item;		/* the item within the source */
	char		*ref;		/* unique, see above */
	char		*rule;		/* the rule that matched, "offer_subject:offerte" */
	char		*subject;	/* evidence subject or event summary; NULL if store_subjects = no */
	char		*value;		/* hashtag value ("12500.00" for value, days for snooze) or "phase=offer"/"outcome=won" for manual */
	char		*match_text;	/* summary and location of an unattributed event */
	char		*language;	/* "nl", "en", "de", "fr": the default rule's language, or NULL */
	char		*thread;	/* mail: "<id> ..." it answers (In-Reply-To, References), for links.c; not stored */
};

struct signal_list {
	struct signal	*v;	/* owned */
	size_t		 n;
	size_t		 cap;
};

/* Appends a zeroed signal and returns it for the caller to fill. */
struct signal	*signal_list_add(struct signal_list *);
void		 signal_list_clear(struct signal_list *);
void		 signal_free(struct signal *);

/*
 * A salesperson's calendar occurrence with an external party, kept in its
 * current state for counting appointments per day (DESIGN section 3).
 */
struct appointment {
	char		*source;	/* owned: "caldav:anna" */
	char		*item;		/* owned: href, or "mail:<message-id>" for invitations */
	char		*uid;		/* owned: iCalendar UID */
	time_t		 recurrence_id;	/* 0 for a single event; the occurrence's original start otherwise */
	char		*salesperson;	/* owned */
	char		*account;	/* owned; NULL: attributed by match_text at projection */
	char		*match_text;	/* owned: summary and location */
	enum signal_kind kind;		/* SIG_APPOINTMENT or SIG_DEMO */
	time_t		 start, end;
	bool		 all_day;
	char		 day[11];	/* YYYY-MM-DD in the configured time zone (all-day: its date) */
	time_t		 created;	/* CREATED, else DTSTAMP, else first seen */
	bool		 series;	/* part of a recurring series */
	char		*summary;	/* owned; NULL if store_subjects = no */
};

struct appointment_list {
	struct appointment *v;	/* owned */
	size_t		    n;
	size_t		    cap;
};

struct appointment	*appointment_list_add(struct appointment_list *);
void			 appointment_list_clear(struct appointment_list *);

#endif
