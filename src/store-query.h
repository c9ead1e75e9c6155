/* SPDX-License-Identifier: MIT */
/*
 * Reading the store: the queries behind the reports, the analyses, the
 * digest and the status and doctor commands, so that no other module
 * writes SQL.  Rows are walked through callbacks that get a struct whose
 * strings are borrowed for the call only (copy what you keep).  A callback
 * returns 0 to go on; anything else stops the walk, and the query returns
 * it without touching err.  A callback may run other queries of the store,
 * but not the one that called it (that one fails).
 *
 * Times are 0 where the database holds NULL; a range [since, until) is
 * unbounded at an end that is 0.
 */
#ifndef SC_STORE_QUERY_H
#define SC_STORE_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "activity.h"
#include "err.h"
#include "model.h"
#include "store.h"

struct store_filter {
	const char	*salesperson;	/* NULL = all */
	const char	*account;	/* NULL = all (store_signals: required) */
	time_t		 since;		/* 0 = unbounded */
	time_t		 until;		/* 0 = unbounded, exclusive */
};

struct store_deal {
	int64_t		 id;
	const char	*account;
	const char	*salesperson;
	const char	*kind;
	const char	*phase;
	const char	*outcome;
	time_t		 opened;
	time_t		 closed;
	time_t		 last_activity;
};

/* An open deal, with what telling a stalled one needs. */
struct store_open_deal {
	struct store_deal deal;
	int64_t		 account_id;
	time_t		 last_inbound;
	time_t		 phase_since;
	/*
	 * What the projection kept of its activity (activity.h; its
	 * last_inbound is the deal's, above): none (kept false) for a deal
	 * projected before the schema kept it, or not open.
	 */
	bool		 kept;
	struct activity	 act;
};

/*
 * Deals active in the range (opened before until, not closed before
 * since) of the salesperson and account, in id order.
 */
int	store_deals(struct store *, const struct store_filter *,
	    int (*cb)(const struct store_deal *, void *), void *arg,
	    struct err *);
/* The open deals, in id order. */
int	store_open_deals(struct store *,
	    int (*cb)(const struct store_open_deal *, void *), void *arg,
	    struct err *);
/*
 * The accounts whose projection is deferred (project_mark_dirty), in
 * byte order: what the projection kept of their deals may be behind
 * their signals.
 */
int	store_dirty_accounts(struct store *, struct strlist *keys,
	    struct err *);
/* Whether any account's projection is deferred. */
int	store_dirty_any(struct store *, bool *dirty, struct err *);
/* How many deals are open, of the salesperson (NULL: all). */
int	store_open_deal_count(struct store *, const char *salesperson,
	    long *n, struct err *);
/* The open deals of one salesperson, in id order. */
int	store_open_deals_of(struct store *, const char *salesperson,
	    int (*cb)(const struct store_open_deal *, void *), void *arg,
	    struct err *);
/*
 * The deals won and closed before until, in id order (account_id as for
 * an open deal; last_inbound and phase_since as stored at the close).
 */
int	store_won_deals(struct store *, time_t until,
	    int (*cb)(const struct store_open_deal *, void *), void *arg,
	    struct err *);
/* Deals closed in [since, until) (both bounded), in order of closing. */
int	store_closed_deals(struct store *, time_t since, time_t until,
	    int (*cb)(const struct store_deal *, void *), void *arg,
	    struct err *);

/* What counting deals needs of each. */
struct store_deal_state {
	int64_t		 id;
	const char	*salesperson;
	const char	*phase;
	int		 outcome;	/* enum outcome; -1 if unknown */
	time_t		 closed;
};

/* Every deal of the salespeople (NULL or empty: all), in id order. */
int	store_deal_states(struct store *, const struct strlist *salespeople,
	    int (*cb)(const struct store_deal_state *, void *), void *arg,
	    struct err *);

/*
 * The open deals of the salespeople (NULL or empty: all, in id order),
 * else by salesperson in the list's order, each one's in id order.
 */
int	store_open_deal_states(struct store *, const struct strlist *salespeople,
	    int (*cb)(const struct store_deal_state *, void *), void *arg,
	    struct err *);

/* A lost deal and why, as the salesperson said it (#lost acme.nl price). */
struct store_lost {
	struct store_deal deal;
	const char	*reason;	/* the closing lost signal's value; NULL if none */
};

/* The deals lost in [since, until) (0: unbounded), in order of closing. */
int	store_lost_deals(struct store *, time_t since, time_t until,
	    int (*cb)(const struct store_lost *, void *), void *arg,
	    struct err *);

/* The salesperson of the account's latest deal; *owner NULL if none.  Caller frees. */
int	store_account_owner(struct store *, const char *account, char **owner,
	    struct err *);

struct store_transition {
	int64_t		 deal;
	const char	*account;
	const char	*salesperson;	/* the deal's */
	const char	*actor;
	const char	*from;		/* NULL for a deal's first */
	const char	*to;
	time_t		 at;
	const char	*signal_kind;
	const char	*source;
	const char	*ref;
};

/*
 * Transitions at a time in the range of the deals of the salesperson and
 * account, in time order (then deal, then id).
 */
int	store_transitions(struct store *, const struct store_filter *,
	    int (*cb)(const struct store_transition *, void *), void *arg,
	    struct err *);

/* One deal entering one phase, with what followed. */
struct store_entry {
	int64_t		 deal;
	const char	*phase;
	time_t		 at;
	time_t		 left;		/* its next transition; 0 if none yet */
	int		 outcome;	/* the deal's enum outcome; -1 if unknown */
	time_t		 closed;	/* the deal's; 0 while open */
	const char	*salesperson;	/* the deal's (store_entries_at); else NULL */
	time_t		 opened;	/* the deal's (store_entries_at); else 0 */
};

/*
 * The deals of the salespeople (NULL or empty: all) and their entries at
 * a time in [since, until): deal() (may be NULL) for every deal (with a
 * since: every open deal and every deal closed in the range), then
 * entry() for every entry, in no particular order.  With a since, the
 * cost follows the range, not the history.
 */
int	store_entries(struct store *, const struct strlist *salespeople,
	    time_t since, time_t until,
	    int (*deal)(const struct store_deal_state *, void *),
	    int (*entry)(const struct store_entry *, void *), void *arg,
	    struct err *);
/*
 * The funnel's reads (report_funnel), each from a covering index: the
 * cost follows the range or the rows counted, not the history.
 *
 * Every entry at a time in [since, until) (0: unbounded), every deal's:
 * deal, phase, at and left (outcome -1), in no particular order.
 */
int	store_window_entries(struct store *, time_t since, time_t until,
	    int (*cb)(const struct store_entry *, void *), void *arg,
	    struct err *);
/* The ids of the deals of a salesperson, ascending. */
int	store_person_deals(struct store *, const char *salesperson,
	    int (*cb)(int64_t id, void *), void *arg, struct err *);
/* The open deals as stored of the salesperson (NULL: all), per phase. */
int	store_open_phases(struct store *, const char *salesperson,
	    int (*cb)(const char *phase, long n, void *), void *arg,
	    struct err *);
/* How many deals of the salesperson (NULL: all) closed won and lost in [since, until). */
int	store_closed_counts(struct store *, const char *salesperson,
	    time_t since, time_t until, long *won, long *lost, struct err *);
/* The id and close of the deals of the salesperson won at or after since (0: all). */
int	store_won_closes(struct store *, const char *salesperson, time_t since,
	    int (*cb)(int64_t deal, time_t closed, void *), void *arg,
	    struct err *);
/*
 * Every salesperson's deals with a transition at or after since or closed
 * at or after it (whose state at since may not be the stored one), each
 * once, in no particular order.
 */
int	store_changed_since(struct store *, time_t since,
	    int (*cb)(const struct store_deal_state *, void *), void *arg,
	    struct err *);
/* The entries of one deal, in time order: deal, phase and at only. */
int	store_deal_entries(struct store *, int64_t deal,
	    int (*cb)(const struct store_entry *, void *), void *arg,
	    struct err *);
/*
 * The entries of the deals store_won_deals reads (entry.outcome -1), by
 * deal, then as store_deal_entries orders one deal's.
 */
int	store_won_entries(struct store *, time_t until,
	    int (*cb)(const struct store_entry *, void *), void *arg,
	    struct err *);
/*
 * The signal kind of the deal's latest entry into phase at the time
 * (kind "" if none), into kind of size bytes.
 */
int	store_entry_kind(struct store *, int64_t deal, time_t at,
	    const char *phase, char *kind, size_t size, struct err *);
/*
 * The transitions at or after a time, in time order, by the transitions'
 * time index: deal, at, and as phase the phase the deal left (NULL for
 * its first).
 */
int	store_moves_since(struct store *, time_t since,
	    int (*cb)(const struct store_entry *, void *), void *arg,
	    struct err *);

struct store_signal {
	int64_t		 id;		/* its row id */
	time_t		 at;
	const char	*kind;
	const char	*direction;
	const char	*salesperson;
	const char	*rule;
	const char	*language;	/* of the default rule that matched, or NULL */
	const char	*subject;	/* NULL when expired */
	const char	*source;
	const char	*ref;
	const char	*ignored;	/* why the projection ignored it, or NULL */
	const char	*value;		/* a hashtag's value, a manual move; NULL if none */
};

/* A signal that may carry an amount (an offer, a value), by the deal it values. */
struct store_offer {
	int64_t		 deal;
	const char	*phase;		/* the deal's */
	time_t		 at;
	int64_t		 signal;	/* its id: the order of signals at one time */
	const char	*kind;
	const char	*subject;	/* NULL when expired */
	const char	*value;
	const char	*account;	/* store_account_offers: whose; else NULL */
};

/*
 * The signals that may carry an amount (the sources of store_signals) of
 * every deal of the salesperson (NULL: all), from the deal's opening: if
 * won, the deals won in [since, until) up to their close; else the deals
 * open at since up to since.  In no order.  deals: about how many deals
 * that is, if known (0: not), so that the cheaper side leads.
 */
int	store_deal_offers(struct store *, const char *salesperson, bool won,
	    time_t since, time_t until, long deals,
	    int (*cb)(const struct store_offer *, void *), void *arg,
	    struct err *);

/*
 * The signals that may carry an amount (the sources of store_signals) of
 * every account, before until, each with its account's key (deal and
 * phase unset): the forecast values all open deals in one pass.  In no
 * order.
 */
int	store_account_offers(struct store *, time_t until,
	    int (*cb)(const struct store_offer *, void *), void *arg,
	    struct err *);

/*
 * The signals of f->account (its own, those of the free-mail addresses
 * linked to it, and those attributed to it by name) of the salesperson
 * in the range, in time order.
 */
int	store_signals(struct store *, const struct store_filter *,
	    int (*cb)(const struct store_signal *, void *), void *arg,
	    struct err *);
/*
 * Those of store_signals that state a fact of the deal's qualification
 * (#decision, #competitor, #need, #problem), from the index of those
 * alone (signals_facts): a deal's other signals cost nothing.
 */
int	store_fact_signals(struct store *, const struct store_filter *,
	    int (*cb)(const struct store_signal *, void *), void *arg,
	    struct err *);
/*
 * The entries of every deal open at "at" (opened by then, not closed
 * before) of salesperson (NULL: all), each deal's as store_deal_entries
 * gives them, with the deal's salesperson, opening and close: by deal,
 * then time.
 */
int	store_entries_at(struct store *, const char *salesperson, time_t at,
	    int (*cb)(const struct store_entry *, void *), void *arg,
	    struct err *);
/*
 * The fact signals of every deal open at "at" (opened by then, not closed
 * before) of salesperson (NULL: all), each from the deal's opening to
 * at, with the deal's id: by deal, then in time order.  Only their time,
 * kind and value are set.
 */
int	store_facts_at(struct store *, const char *salesperson, time_t at,
	    int (*cb)(int64_t, const struct store_signal *, void *), void *arg,
	    struct err *);
/*
 * The times of the signals of the deals store_won_deals reads, each from
 * the deal's opening to its close (the sources of store_signals, every
 * salesperson's), with the deal's id: by deal, then in time order.
 */
int	store_won_times(struct store *, time_t until,
	    int (*cb)(int64_t deal, time_t at, void *), void *arg,
	    struct err *);
/*
 * The times store_won_times gives but of the notes about a deal (#snooze,
 * #value), which are no activity in it: what the usual quiet spells of
 * the stalled deals read.
 */
int	store_won_acts(struct store *, time_t until,
	    int (*cb)(int64_t deal, time_t at, void *), void *arg,
	    struct err *);
/*
 * The quiet spells the projection kept on each deal won and closed
 * before until, in no order: "PHASE SECONDS" of each phase it did not
 * pass through at once (activity_spells), joined by ","; NULL for a
 * deal projected before the schema kept them.
 */
int	store_won_spells(struct store *, time_t until,
	    int (*cb)(const char *spells, void *), void *arg,
	    struct err *);
/*
 * store_signals of every salesperson by the account's row id, in
 * [from, until) (0: unbounded).
 */
int	store_account_signals(struct store *, int64_t account, time_t from,
	    time_t until, int (*cb)(const struct store_signal *, void *),
	    void *arg, struct err *);
/* The signal of that row id, if any. */
int	store_signal_by_id(struct store *, int64_t id,
	    int (*cb)(const struct store_signal *, void *), void *arg,
	    struct err *);
/*
 * The latest signal of the account (row id) in [from, to] (to 0:
 * unbounded), if any.
 */
int	store_latest_signal(struct store *, int64_t account, time_t from,
	    time_t to, int (*cb)(const struct store_signal *, void *), void *arg,
	    struct err *);

/* A signal of a salesperson, with the account it is attributed to. */
struct store_person_signal {
	time_t		 at;
	const char	*kind;
	const char	*salesperson;
	const char	*account;	/* NULL when attributed to none */
	const char	*rule;
	const char	*value;		/* a hashtag's value; NULL if none */
	const char	*ignored;	/* why the projection ignored it, or NULL */
	const char	*direction;
};

/*
 * The signals of the salespeople (NULL or empty: all) that occurred in
 * [since, until) and a digest reads (STORE_DIGESTED: offers sent,
 * hashtags), in time order, from one range of an index.
 */
int	store_person_signals(struct store *,
	    const struct strlist *salespeople, time_t since, time_t until,
	    int (*cb)(const struct store_person_signal *, void *), void *arg,
	    struct err *);

/* A signal as the forecast projects it again at an earlier date. */
struct store_history_signal {
	const char	*account;	/* the account it is attributed to */
	int64_t		 id;
	const char	*kind;
	time_t		 at;
	const char	*direction;
	const char	*salesperson;
	const char	*ref;
	const char	*value;
	time_t		 seen;		/* when it was first stored */
};

/*
 * Every signal attributed to an account (its own, else the one its text
 * names), in order of account, then signal row id.
 */
int	store_history(struct store *,
	    int (*cb)(const struct store_history_signal *, void *), void *arg,
	    struct err *);
/* The start of the account's first meeting after a time; 0 if none. */
int	store_next_meeting(struct store *, const char *account, time_t after,
	    time_t *, struct err *);
/* The first time a signal of that history was stored; 0 if none. */
int	store_history_seen(struct store *, time_t *, struct err *);

/* The first time a signal of that history occurred; 0 if none. */
int	store_history_first(struct store *, time_t *first, struct err *);
/*
 * The accounts (row ids, ascending) with a signal of that history that
 * occurred at or after t.  When t is no earlier than any signal was
 * stored (a current forecast's as_of, at or after now, unless the agent
 * committed since the command began or the clock was set back): a range
 * of signals_ahead, what lies ahead of t, whatever the history's size;
 * else two index probes per account.
 */
int	store_history_late(struct store *, time_t t,
	    int (*cb)(int64_t account, void *), void *arg, struct err *);
/* One account's signals of that history (by row id), in row id order. */
int	store_account_history(struct store *, int64_t account,
	    int (*cb)(const struct store_history_signal *, void *), void *arg,
	    struct err *);

/* One transition of a stored deal, with its deal's columns. */
struct store_deal_step {
	int64_t		 deal;
	int64_t		 account_id;
	int64_t		 seq;		/* the deal's place among its account's */
	const char	*account;
	const char	*salesperson;
	const char	*kind;
	const char	*outcome;
	time_t		 opened, closed, last_activity;
	const char	*phase;		/* the transition's to_phase */
	time_t		 at;
	/* A won deal's longest silence as the projection kept it, if kept. */
	bool		 kept;
	time_t		 silence;
};

/*
 * Every transition of every stored deal (deals without one are left
 * out), by deal id, then in time order: the forecast reads the stored
 * projection as of now from it, without a sort.
 */
int	store_deal_steps(struct store *,
	    int (*cb)(const struct store_deal_step *, void *), void *arg,
	    struct err *);

/* An attributed appointment occurrence, as a meeting with the account. */
struct store_meeting {
	const char	*account;
	time_t		 start;
	const char	*salesperson;
	const char	*summary;	/* NULL when not stored */
	time_t		 created;	/* when it was booked; 0 if not known */
};

/* When an attributed appointment occurrence is, by its account's row id. */
struct store_meeting_time {
	int64_t		 account_id;
	time_t		 start;
	time_t		 created;	/* when booked, if asked; else 0 */
};

/*
 * Every attributed appointment occurrence, by account row id, then
 * start; when each was booked only if booked is true.
 */
int	store_meeting_times(struct store *, bool booked,
	    int (*cb)(const struct store_meeting_time *, void *), void *arg,
	    struct err *);
/* One account's (row id), by start, without when each was booked. */
int	store_account_meeting_times(struct store *, int64_t account,
	    int (*cb)(const struct store_meeting_time *, void *), void *arg,
	    struct err *);
/* Those of salesperson on days in [since, until) ("YYYY-MM-DD"), in the same order. */
int	store_meetings_of(struct store *, const char *salesperson,
	    const char *since, const char *until,
	    int (*cb)(const struct store_meeting *, void *), void *arg,
	    struct err *);

/* One occurrence of an appointment attributed to an account. */
struct store_appointment {
	const char	*day;
	const char	*salesperson;
	const char	*uid;
	int64_t		 recurrence_id;
};

/*
 * Attributed appointments of the salesperson (NULL: all) on days in
 * [since, until) ("YYYY-MM-DD"), in order of day, salesperson, UID and
 * RECURRENCE-ID.
 */
int	store_appointments(struct store *, const char *salesperson,
	    const char *since, const char *until,
	    int (*cb)(const struct store_appointment *, void *), void *arg,
	    struct err *);
/*
 * Attributed appointment series (per salesperson and UID) of the
 * salesperson (NULL: all) first created in [since, until), each with its
 * earliest creation time, in order of that time.
 */
int	store_appointment_series(struct store *, const char *salesperson,
	    time_t since, time_t until,
	    int (*cb)(const char *salesperson, time_t created, void *),
	    void *arg, struct err *);
/*
 * The signals of a kind per salesperson that occurred in [since, until)
 * (0: unbounded), in order of salesperson; cb non-zero stops the walk.
 */
int	store_signal_counts(struct store *, const char *kind, time_t since,
	    time_t until, int (*cb)(const char *salesperson, long count, void *),
	    void *arg, struct err *);

/* What `doctor` says about a database. */
struct store_counts {
	long long	 version;
	long long	 signals;
	long long	 deals;
	long long	 open_deals;
	long long	 accounts;
};

int	store_counts(struct store *, struct store_counts *, struct err *);

#endif
