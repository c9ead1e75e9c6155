/* SPDX-License-Identifier: MIT */
/*
 * The manager's digest email (issue 5): one message per recipient (each
 * manager for their salespeople, or every [digest] to address for all of
 * them) covering one day or one week: new appointments per working day
 * against target, transitions, deals won, the funnel, conversion against
 * the previous period, the top stalled deals, the forecast and the health
 * of every source.  The message is multipart/alternative (plain text that
 * reads well in a terminal, and HTML with inline CSS only, drawn for a
 * 375 px phone screen and dark mode), sent over SMTP with libcurl.
 *
 * Each period and recipient is recorded in the store (table digests):
 * claimed in a write transaction before the message goes out, with its
 * Message-ID, and marked sent once the SMTP server accepted it.  A
 * claimed digest is never sent again by the agent, also when recording
 * the outcome fails (it is recorded later): each period is mailed once
 * per recipient, across restarts and beside a manual send.
 */
#ifndef SC_DIGEST_H
#define SC_DIGEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "analysis.h"
#include "config.h"
#include "err.h"
#include "lost.h"
#include "store.h"
#include "xmalloc.h"

struct http_mail_info;

/* The forecast horizon of the digest. */
#define DIGEST_HORIZON_DAYS	90
/* Stalled deals listed in the digest. */
#define DIGEST_STALLED_MAX	10
/* Weeks of the trend per salesperson, the period's week the last. */
#define DIGEST_TREND_WEEKS	12
/* The cohort: deals that entered in these weeks, followed this many days. */
#define DIGEST_COHORT_WEEKS	4
#define DIGEST_COHORT_DAYS	90
/* At most this many rows of one list in a mail (moves, waiting offers ...). */
#define DIGEST_LIST_MAX		25

/* The days one digest covers: [since, until), whole days in the time zone. */
struct digest_period {
	char		 name[8];	/* "week" or "day" */
	char		 first[11];	/* first day covered, YYYY-MM-DD */
	char		 last[11];	/* last day covered */
	char		 key[24];	/* "week:2026-11-09": recorded when sent */
	int		 week;		/* ISO 8601 week number of first */
	time_t		 since, until;
	/*
	 * Made now, not as of a past date: every stored signal was seen
	 * by then, so its forecast reads the stored deals.
	 */
	bool		 current;
};

/* The ISO 8601 week number (1 to 53) of day "YYYY-MM-DD"; 0 if not a day. */
int	digest_iso_week(const char *day);

/*
 * The period of kind name ("week" or "day") before as_of: the last whole
 * ISO week (Monday to Sunday) before the day of as_of, or the day before
 * it.  -1 with err for an unknown name.
 */
int	digest_period_at(const struct config *, const char *name, time_t as_of,
	    struct digest_period *, struct err *);

/* One recipient and the salespeople the message covers. */
struct digest_recipient {
	char		*address;	/* owned */
	struct strlist	 people;	/* salesperson keys; empty = all */
};

struct digest_recipients {
	struct digest_recipient *v;	/* owned */
	size_t		 n;
};

/*
 * [digest] to (each address gets all salespeople), else each manager
 * with their salespeople, in configuration order.
 */
void	digest_recipients(const struct config *, struct digest_recipients *);
void	digest_recipients_free(struct digest_recipients *);

/*
 * Tells a run's shared analyses (analysis_shared_cover) the salespeople
 * its digests cover: each recipient's, and everyone when there is no
 * recipient (a digest for all) or a salesperson gets a personal mail
 * (everyone's stalled deals are read for those at once).
 */
void	digest_shared_cover(struct analysis_shared *, const struct config *,
	    const struct digest_recipients *);

/* One salesperson's numbers in the period. */
struct digest_person {
	const char	*key;		/* borrowed from the config */
	const char	*name;		/* borrowed */
	long		 appointments;	/* booked in the period (appointments --by created) */
	double		 per_day;	/* booked per working day */
	long		 held;		/* held in the period (appointments --by start) */
	double		 held_per_day;
	long		 offers;	/* offers sent in the period */
	long		 transitions;
	long		 won_new, won_growth;
	long		 qual_open;	/* open deals from the suspect phase on */
	long		 qual_qualified;	/* of those, all four known */
	/* Per week of the trend, the oldest first, the period's week last. */
	long		 trend_held[DIGEST_TREND_WEEKS];
	long		 trend_booked[DIGEST_TREND_WEEKS];
	long		 trend_offers[DIGEST_TREND_WEEKS];
};

/* A deal won or lost in the period. */
struct digest_won {
	char		*account;	/* owned */
	char		*salesperson;	/* owned */
	enum deal_kind	 kind;
	bool		 lost;
	double		 value;		/* its newest offer's amount; NAN if none */
	time_t		 closed;
};

/* A deal that moved to another phase in the period. */
struct digest_move {
	char		*account;	/* owned */
	char		*salesperson;	/* owned */
	const char	*from;		/* borrowed from the config; NULL: a new deal */
	const char	*to;		/* borrowed from the config */
	time_t		 at;
};

/* An offer of an open deal in the offer phase with no answer since. */
struct digest_offer {
	char		*account;	/* owned */
	time_t		 sent;		/* it entered the offer phase */
	double		 days;		/* waiting at as_of */
	double		 value;		/* NAN if none */
};

/* A meeting planned with a customer. */
struct digest_meeting {
	char		*account;	/* owned */
	char		*summary;	/* owned; NULL when not stored */
	time_t		 start;
};

/* A signal the salesperson's own hashtag gave in the period. */
struct digest_correction {
	char		*account;	/* owned; NULL when it names none */
	char		*kind;		/* owned: the signal's kind */
	char		*value;		/* owned; NULL if none */
	char		*ignored;	/* owned: why it changed nothing; NULL */
	time_t		 at;
};

/* Everything a digest shows, computed from the store. */
struct digest_data {
	struct digest_period period;
	time_t		 as_of;			/* every number is as of this time */
	const char	*lang;			/* "nl" or "en", borrowed */
	const char	*currency;		/* of values, borrowed from the config */
	const struct salesperson *person;	/* borrowed; NULL: the manager's digest */
	long		 working_days;
	double		 appt_target;		/* NAN when unset */
	double		 offer_target;		/* per week; NAN when unset */
	int		 trend_week[DIGEST_TREND_WEEKS];	/* ISO week numbers */
	char		 trend_first[11];	/* first day of the trend */
	long		 trend_working_days[DIGEST_TREND_WEEKS];
	struct digest_person *people;		/* owned */
	size_t		 npeople;
	long		 appointments;		/* total booked in the period */
	long		 held;			/* total held in the period */
	long		 offers;		/* total offers sent in the period */
	long		 transitions;		/* total in the period */
	long		 transitions_to[MAX_PHASES];
	struct digest_won *won;			/* owned, deals won or lost in the period */
	size_t		 nwon;
	long		 won_new, won_growth, lost;
	double		 won_value;		/* of the won deals with a value */
	struct digest_move *moves;		/* owned, in time order */
	size_t		 nmoves;
	long		 current[MAX_PHASES];	/* open deals per phase at as_of */
	struct conversion cur, prev;		/* prev.since == 0: no previous period */
	struct conversion cohort, cohort_prev;	/* DIGEST_COHORT_DAYS after entering */
	struct stalled_list stalled;		/* all; the message lists the top 10 */
	struct forecast	 forecast;
	struct source_health *health;		/* owned, one per configured source */
	size_t		 nhealth;
	struct lost_reasons lost_reasons;	/* of the deals lost in the period */
	/* The personal mail's (person != NULL): */
	struct digest_offer *waiting;		/* owned, the longest waiting first */
	size_t		 nwaiting;
	struct digest_meeting *planned;		/* owned, in time order */
	size_t		 nplanned;
	int		 planned_week;		/* ISO week of the planned meetings */
	struct digest_correction *corrections;	/* owned, in time order */
	size_t		 ncorrections;
};

/* Lost reasons shown per phase in the digest. */
#define DIGEST_LOST_REASONS_MAX	3

/*
 * Computes the digest of period for the salespeople in people (NULL or
 * empty: all), everything as of now: the period's numbers, the trend of
 * the weeks up to it, and stalled deals, open deals per phase and the
 * forecast at now.  In the manager's language.  shared (NULL: none)
 * keeps what the stalled deals and the forecast read of the whole
 * history for the next digest of the run (analysis_shared_new).  The
 * forecast is made beside the rest, on a second connection (see
 * digest_forecast_read_ahead): it may be a commit later than the rest.
 */
int	digest_collect(struct store *, const struct config *, const struct digest_period *,
	    const struct strlist *people, time_t now, struct analysis_shared *,
	    struct digest_data *, struct err *);
/*
 * Whether the last digest_collect made its forecast on a thread of its
 * own, beside the rest of the digest.
 */
extern bool digest_forecast_read_ahead;
/*
 * The personal mail's data for salesperson sp (issue 12 item 9): their
 * meetings, offers, trend and stalled deals as digest_collect (not the
 * funnel, moves, cohorts, forecast or sources, which their mail does
 * not show; the stalled deals taken from all when it is not NULL),
 * their offers waiting for an answer, the
 * meetings planned for the week after the period, and the signals their
 * own hashtags gave in the period; in their language.
 */
int	digest_collect_personal(struct store *, const struct config *,
	    const struct digest_period *, const struct salesperson *sp,
	    const struct stalled_list *all, time_t now, struct digest_data *,
	    struct err *);
/*
 * The stalled deals of every salesperson at now, for the personal mails
 * of one run (digest_collect_personal's all: their usual quiet spells
 * come from the whole history, read once instead of once per mail);
 * with shared (NULL: none), what the managers' digests read of it.
 */
int	digest_stalled_all(struct store *, const struct config *, time_t now,
	    struct analysis_shared *, struct stalled_list *, struct err *);
void	digest_data_free(struct digest_data *);

/*
 * The digest's data as one JSON object: the numbers of the mail to to
 * (NULL: none), in DESIGN section 7's style.  Implemented in digest-json.c.
 */
struct json;
void	digest_json(struct json *, const struct digest_data *, const char *to);

/*
 * The key of a personal mail's record: "personal:" and the period's key,
 * so that it and the manager's digest are each sent once per period.
 */
void	digest_personal_key(const struct digest_period *, char *out, size_t outlen);

/* The subject: period and headline number ("Sales week 2026-11-09 – 2026-11-15: ..."). Caller frees. */
char	*digest_subject(const struct digest_data *);
/* The plain text part (LF line ends, UTF-8).  Caller frees. */
char	*digest_text(const struct config *, const struct digest_data *);
/* The HTML part: inline CSS only, no scripts, no images.  Caller frees. */
char	*digest_html(const struct config *, const struct digest_data *);

/* A new Message-ID "<digest.PERIOD.TIME.RANDOM@FROM-DOMAIN>" into out. */
void	 digest_message_id(const struct config *, const struct digest_period *,
	    time_t now, char *out, size_t outlen);

/*
 * The whole RFC 5322 message (CRLF line ends): Date, From, To, Subject
 * (RFC 2047 when not ASCII), Message-ID (msgid, or a new one when NULL),
 * MIME multipart/alternative with quoted-printable UTF-8 parts.  Control
 * characters in any header value are replaced, so data can never add a
 * header.  to may be NULL (undisclosed recipients).  Caller frees.
 */
char	*digest_message(const struct config *, const struct digest_data *,
	    const char *to, const char *msgid, time_t now);

/* Helpers, exposed for the unit tests. */
void	digest_qp_encode(struct buf *, const char *text);	/* LF in, CRLF out */
void	digest_header_encode(struct buf *, const char *name, const char *value);

/*
 * Sends msg to one recipient over [smtp] through the libcurl wrapper
 * (http_mail_send): smtps:// or smtp:// with required STARTTLS (unless
 * tls = none), verified TLS, AUTH with user and the config_secret
 * password, [smtp] timeout.  Errors: ERR_TEMP (network, 4xx), ERR_WAIT
 * (authentication, TLS, 5xx), ERR_FINAL (no [smtp], bad address).
 * *reply is the server's last SMTP reply (0: not reached).  stop, when
 * not NULL, aborts the transfer within a second of being set (ERR_TEMP).
 */
int	digest_send(const struct config *, const char *to, const char *msg,
	    const volatile sig_atomic_t *stop, long *reply, struct err *);

/*
 * Checks [smtp] as digest_send would use it, without sending: connect,
 * STARTTLS, login (http_mail_check); timeout > 0 replaces [smtp] timeout.
 * Errors as digest_send's; info says how far it got.
 */
int	digest_check(const struct config *, int timeout,
	    struct http_mail_info *, struct err *);

/*
 * A short plain-text test message to `to` from [smtp] from, for doctor
 * --send-test: says which host sent it and that the digest's mail works.
 * Caller frees.
 */
char	*digest_test_message(const struct config *, const char *to,
	    const char *host, time_t now);

/*
 * Whether the period was sent to recipient, or claimed for sending (the
 * outcome unknown: never sent twice).  A store without the record: no.
 */
bool	digest_was_sent(struct store *, const char *period_key, const char *recipient);

/*
 * Claims the period for recipient in a write transaction, before sending:
 * returns 1 with the Message-ID to use in msgid (that of an earlier
 * attempt that surely failed, so that a copy that arrived after all is
 * one message to the mail client; else new_id), 0 when it is sent or
 * claimed already (unless force: a deliberate resend, with new_id), -1
 * with err (nothing claimed: nothing may be sent).
 */
int	digest_claim(struct store *, const char *period_key,
	    const char *recipient, bool force, const char *new_id, char *msgid,
	    size_t msgid_len, struct err *);

/*
 * Records the outcome of a claimed send: sent (the server accepted it),
 * or failed (it surely did not: a later attempt may send it again).
 */
int	digest_record(struct store *, const char *period_key,
	    const char *recipient, const char *msgid, bool sent, time_t now,
	    struct err *);

/* An outcome that could not be recorded yet (the database was locked). */
struct digest_pending {
	char		*period;	/* owned */
	char		*recipient;	/* owned */
	char		*msgid;		/* owned */
	bool		 sent;
};

/* State between sends (the agent's loop, one CLI run). */
struct digest_state {
	const volatile sig_atomic_t *stop; /* borrowed or NULL: aborts a send */
	unsigned	 failures;
	time_t		 retry_at;	/* 0: no back-off */
	long		 reply;		/* of the last failed send: the server's
					   SMTP reply, 0 when it was not reached */
	struct digest_pending *pending;	/* owned, recorded by the next call */
	size_t		 npending;
};

/* Records the pending outcomes; returns how many are still pending. */
size_t	digest_flush(struct store *, struct digest_state *, time_t now);
void	digest_state_free(struct digest_state *);

/*
 * Composes and sends the digest of period to every recipient not yet
 * recorded for it (all of them when force), claiming each before and
 * recording each outcome after (in state when that fails).  Returns the
 * number sent, or -1 with err naming period and recipient of the first
 * failure, and its SMTP reply in state->reply; later failures are
 * logged.  After a server that could not be reached, the recipients
 * left are not tried (they would wait for it in turn): a later call
 * sends them.
 */
int	digest_deliver(struct store *, const struct config *,
	    const struct digest_period *, time_t now, bool force,
	    struct digest_state *, struct err *);

/*
 * Whether a digest is due at now: the latest scheduled time ([digest]
 * schedule, in the configured zone) at or before now has a period (that
 * of digest_period_at then) that some recipient has not been sent yet.
 * Fills period when due.  Returns 1 due, 0 not (or no schedule).
 */
int	digest_due(struct store *, const struct config *, time_t now,
	    struct digest_period *);

/* The first scheduled time after now, or 0 without a schedule. */
time_t	digest_next(const struct config *, time_t now);

/*
 * The agent's call, once per loop: records pending outcomes, then sends
 * the due digest unless backing off; a failure backs off (60 s doubling,
 * capped at an hour) and is retried by a later call.  *next is when to
 * call again (the retry time, the next scheduled time, or soon while an
 * outcome is pending).  Returns the number sent, or -1 with err.
 */
int	digest_run(struct store *, const struct config *, time_t now,
	    struct digest_state *, time_t *next, struct err *);

#endif
