/* SPDX-License-Identifier: MIT */
/*
 * The manager's analyses (issue 5): conversion per phase over a period
 * against the previous period of equal length, stalled deals, and the
 * forecast of what the open pipeline will yield, with its backtest.
 * Everything is read through the store's queries into the structs below;
 * the arithmetic lives in pure helpers (percentiles here, the forecast's
 * estimators in forecast.h) that the unit tests drive directly.
 */
#ifndef SC_ANALYSIS_H
#define SC_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"

/*
 * A deal older in its phase than all but this many history deals were is
 * judged by those that stayed longest.
 */
#define ANALYSIS_MIN_LANDMARK	8
/*
 * The phases' errors move together by ANALYSIS_SHARED_DEALS / (that +
 * closed deals): with few closed deals every phase rests on the same ones.
 */
#define ANALYSIS_SHARED_DEALS	5.0
/* The forecast counts an open deal lost after at least this many quiet days. */
#define ANALYSIS_QUIET_DAYS	21.0

/*
 * Each open deal's landmark by walking every member of its phase, the
 * reference that the tests compare the forecast's faster reading with;
 * false (the faster reading) unless a test sets it.
 */
extern bool analysis_landmark_walk;
/*
 * Each open deal's value read per deal even for every salesperson, the
 * reference that the tests compare the one pass over all offers with;
 * false unless a test sets it.
 */
extern bool analysis_values_per_deal;
/* The open deals the forecasts have estimated so far, for the tests. */
extern size_t analysis_estimated;
/*
 * The forecast as of now projects the whole history again, the
 * reference that the tests compare its reading of the stored deals
 * with; false unless a test sets it.
 */
extern bool analysis_reproject;

struct analysis_filter {
	const struct config *cfg;		/* borrowed */
	time_t		 since;			/* period start; 0 = unbounded */
	time_t		 until;			/* period end, exclusive; 0 = unbounded */
	time_t		 as_of;			/* "now" of the analysis */
	const struct strlist *salespeople;	/* borrowed; NULL or empty = all */
	/*
	 * as_of is at or after now: every stored signal was seen by then,
	 * so the forecast reads the stored deals rather than projecting
	 * the whole history again.
	 */
	bool		 current;
	/*
	 * NULL, or what the analyses keep for the next filter of the same
	 * as_of (and for the forecast the same horizon and current): what
	 * they read of every salesperson whoever the filter admits
	 * (analysis_shared_new).
	 */
	struct analysis_shared *shared;
};

/*
 * What analysis_stalled and the forecast read of the whole history at
 * one as_of, whichever salespeople a filter admits: the meetings, the
 * usual quiet spells, the projected deals and
 * every open deal's estimate.  A digest run keeps it for all its
 * managers, who then cost what their own deals cost.  It holds the
 * history as first read: the digests of a run are as of its start,
 * whatever is stored meanwhile (a signal stored since is not seen); an
 * analysis at another as_of replaces what it holds.  Not for a change of
 * analysis_reproject or analysis_landmark_walk in between.
 */
struct analysis_shared;

struct analysis_shared *analysis_shared_new(void);
void	analysis_shared_free(struct analysis_shared *);
/*
 * Tells sh that the run's filters admit these salespeople (NULL or
 * empty: everyone), before its first analysis: the forecast estimates
 * the open deals of the salespeople told alone (a manager's digest: a
 * twentieth of them at 10M signals), and analysis_stalled reads the
 * meetings of each filter's own deals, not every meeting once; never
 * told, or told of everyone, it does both for everyone.  A filter
 * admitting another is served all the same, at the cost of estimating
 * every open deal then.
 */
void	analysis_shared_cover(struct analysis_shared *,
	    const struct strlist *people);

/* True when the filter admits salesperson key. */
bool	analysis_admits(const struct analysis_filter *, const char *key);

/*
 * The q-quantile (0 <= q <= 1) of n values, sorted in place, by linear
 * interpolation between closest ranks (R type 7: the median of 1,2,3,4
 * is 2.5, the 75th percentile 3.25).  NAN for n = 0.
 */
double	analysis_percentile(double *v, size_t n, double q);

/* The prior of phase p: [targets] prior_PHASE, else (p + 1) / (nphases + 1). */
double	analysis_prior(const struct config *, int phase);


/* Per phase of one period. */
struct conversion_phase {
	const char	*phase;		/* borrowed from the config */
	long		 entered;	/* deals that entered the phase in the period */
	long		 advanced;	/* of those: moved on to a later phase (last phase: won) */
	long		 won;		/* of those: won by as_of */
	long		 lost;		/* of those: lost while in the phase */
	long		 open;		/* of those: still open in the phase */
	double		 rate_next;	/* advanced / entered; NAN if none entered */
	double		 rate_won;	/* won / entered; NAN if none entered */
	double		 median_days;	/* days in the phase of the advanced; NAN if none */
	double		 p75_days;
	double		 target;	/* [targets] conversion_PHASE; NAN if unset */
	bool		 small;		/* fewer than ANALYSIS_COHORT_MIN entered */
};

/* A cohort smaller than this is flagged and not compared. */
#define ANALYSIS_COHORT_MIN	5

struct conversion {
	time_t		 since, until;
	int		 within_days;	/* 0: followed up to as_of */
	bool		 mature;	/* every deal of it had within_days to move on by as_of */
	struct conversion_phase phases[MAX_PHASES];
	size_t		 nphases;
};

/*
 * Conversion per phase of the deals that entered each phase in
 * [f->since, f->until), followed up to f->as_of.  Needs both bounds for
 * prev: the period of equal length before since (prev may be NULL).
 */
int	analysis_conversion(struct store *, const struct analysis_filter *,
	    struct conversion *cur, struct conversion *prev, struct err *);

/*
 * The same for a cohort followed for within_days after each deal entered
 * (0: up to f->as_of): only a cohort whose last entry is that old by
 * f->as_of (mature) gets rates.
 */
int	analysis_cohorts(struct store *, const struct analysis_filter *,
	    int within_days, struct conversion *cur, struct conversion *prev,
	    struct err *);

/* One open deal that nothing has moved for longer than usual. */
struct stalled {
	int64_t		 deal;		/* the stored deal; 0 if none matches */
	char		*account;	/* owned */
	char		*salesperson;	/* owned */
	const char	*phase;		/* borrowed from the config */
	int		 phase_index;
	bool		 verbal;	/* a verbal order waiting for its confirmation */
	bool		 untouched;	/* a target-list row with nothing since */
	double		 days_in_phase;
	double		 usual_days;	/* the phase's usual quiet spell; verbal: confirmation_days */
	time_t		 quiet_since;	/* its last activity; verbal: the verbal order */
	double		 quiet_days;	/* since quiet_since */
	double		 over_days;	/* quiet_days - usual_days */
	time_t		 next_meeting;	/* the next meeting planned with the account; 0 if none */
	double		 value;		/* the newest offer's amount (money.h); NAN if none */
	time_t		 decision;	/* its #decision date (start of day); 0 if none */
	bool		 decision_passed;	/* that date passed without an order */
	bool		 silent;	/* no inbound contact for silence_days since the offer */
	double		 days_silent;	/* NAN before an offer */
	time_t		 evidence_at;	/* the deal's latest signal; 0 if none */
	char		*evidence;	/* owned: "offer_sent: Offerte X", NULL if none */
};

struct stalled_list {
	struct stalled	*v;		/* owned: the stalled deals, first to call first */
	size_t		 n;
	struct stalled	*planned;	/* owned: as quiet, but a meeting is planned */
	size_t		 nplanned;
};

/* Won deals that show a phase's usual quiet spell before it counts. */
#define ANALYSIS_USUAL_MIN	5
/* No phase's usual quiet spell is shorter (days). */
#define ANALYSIS_USUAL_FLOOR	7.0

/*
 * Open deals (at f->as_of) that nothing has moved for longer than is
 * usual for their phase: no signal of any kind with the account and no
 * meeting held since, for longer than the 75th percentile of the longest
 * quiet spell that won deals had in the phase (analysis_usual); a verbal
 * order counts from itself against confirmation_days; a deal whose
 * #decision date has passed is stalled whatever else.  A deal with a
 * meeting planned goes to planned instead.  Ranked: untouched target-list
 * rows last, later phases first, larger value first, then the longer
 * overshoot.
 */
int	analysis_stalled(struct store *, const struct analysis_filter *,
	    struct stalled_list *, struct err *);
void	stalled_list_free(struct stalled_list *);
/*
 * Whether the last analysis_stalled read the meetings and usual spells
 * on a thread of its own, beside the open deals.
 */
extern bool analysis_base_read_ahead;

/*
 * What is known of a deal beyond its phase: what the seed asks of a
 * suspect (the qualification hashtags #decision, #competitor, #need,
 * #problem; the newest of each wins), its value and the next meeting.
 */
struct deal_facts {
	char		*decision;	/* owned: "2027-01-15"; NULL if not known */
	char		*competitor;	/* owned; NULL if not known */
	char		*need;		/* owned; NULL if not known */
	char		*problem;	/* owned; NULL if not known */
	double		 value;		/* the newest amount (offer, #value, set --value); NAN if none */
	const char	*value_from;	/* static: where value came from; NULL if none */
	time_t		 next_meeting;	/* the first meeting after now; 0 if none */
};

/* The facts of the account's signals from since up to now, and its next meeting. */
int	analysis_deal_facts(struct store *, const char *account, time_t since,
	    time_t now, struct deal_facts *, struct err *);
void	deal_facts_free(struct deal_facts *);

/*
 * Qualification per salesperson and phase (issue 10 item 6): the deals
 * open at as_of in a phase from the second (suspect) on, as they stood
 * then, and how many knew each of decision, competitor, need and problem
 * (and all four) from their signals up to then.
 */
#define ANALYSIS_QUAL_FIRST_PHASE	1
struct qualification_count {
	long		 open;
	long		 qualified;	/* all four known */
	long		 known[4];	/* decision, competitor, need, problem */
};
/*
 * Fills cnt[person * phases + phase] (person: index in the configuration's
 * salespeople; cnt zeroed by the caller, npeople * phases of them) for the
 * one salesperson given, or for all with NULL.
 */
int	analysis_qualification(struct store *, const struct config *,
	    const char *salesperson, time_t as_of,
	    struct qualification_count *cnt, struct err *);
/*
 * The same at f->as_of for the salespeople f admits (all if none are
 * named): the other deals' entries and signals are not read.
 */
int	analysis_qualification_of(struct store *, const struct analysis_filter *,
	    struct qualification_count *cnt, struct err *);

/* What the history says about one phase, for a deal just entering it. */
struct forecast_phase {
	const char	*phase;		/* borrowed */
	long		 history;	/* deals known at as_of that reached the phase */
	long		 history_won;	/* of those, won */
	long		 censored;	/* of those, still open at as_of */
	double		 prior;
	double		 p_won;		/* P(won within the horizon) on entering it */
	double		 remaining_days;	/* median days from entering it to the win; NAN if none */
};

/* One open deal at as_of. */
struct forecast_deal {
	int64_t		 deal;		/* the stored deal; 0 if none matches */
	char		*account;	/* owned */
	char		*salesperson;	/* owned */
	enum deal_kind	 kind;
	int		 phase;
	time_t		 phase_since;
	long		 history;	/* history deals in the phase at its age */
	long		 history_won;	/* of those, won */
	double		 p_won;		/* P(won within the horizon) */
	time_t		 opened;
	double		 value;		/* the newest offer's amount (money.h); NAN if none */
	time_t		 decision;	/* its #decision date (start of day); 0 if none */
	bool		 decision_passed;	/* that date passed without an order */
	time_t		 expected_close;	/* as_of + the median days to win of those won; 0 if none */
	bool		 in_horizon;	/* expected_close within the horizon */
	/* What happened after as_of, up to as_of + horizon (or the store's last data). */
	enum outcome	 actual;
	time_t		 actual_closed;	/* 0 if still open */
};

/* The wins expected in the horizon. */
struct forecast_sum {
	long		 deals;		/* open deals */
	double		 expected;	/* sum of their p_won, plus unopened */
	double		 unopened;	/* expected wins of deals not open yet */
	double		 low, high;	/* 95% interval of the count */
	double		 low80, high80;	/* 80% interval */
	double		 per_month;	/* expected per 30 days of the horizon */
	double		 weighted_value;	/* sum of value x p_won of the open deals with a value */
	long		 valued;	/* open deals with a value */
	long		 actual_won;	/* of the open deals, won within the horizon */
	long		 actual_all;	/* all deals of this kind won within the horizon */
};

struct forecast {
	time_t		 as_of;
	int		 horizon_days;
	bool		 backtest;	/* as_of before the store's data ends: actuals known */
	time_t		 history_from;	/* the first signal known at as_of; 0 if none */
	long		 closed;	/* deals closed before as_of (the history) */
	long		 won;		/* of those, won */
	long		 open;		/* deals open at as_of, of every salesperson */
	struct forecast_phase phases[MAX_PHASES];
	size_t		 nphases;
	struct forecast_deal *deals;	/* owned */
	size_t		 ndeals;
	struct forecast_sum new_deals, growth, total;
};

/*
 * Forecast from what was known at f->as_of (signals that occurred before
 * it and were seen by then, projected again) for the horizon_days after
 * it.  Each open deal's chance of a win within the horizon comes from the
 * history deals that were in its phase at its age there (forecast.h);
 * deals not open yet add the rate at which deals opened and were won
 * within a horizon before.  backtest fills the actual outcomes from what
 * the store recorded later.
 */
int	analysis_forecast(struct store *, const struct analysis_filter *,
	    int horizon_days, bool backtest, struct forecast *, struct err *);
/*
 * analysis_forecast for what the digest shows: the same counts and sums
 * (new_deals, growth, total) and each open deal's chance, but no sum's
 * weighted value, no phases' summary, no deal's value and no stored
 * deal's id: the offers and the stored deals are not read for them.
 */
int	analysis_forecast_sums(struct store *, const struct analysis_filter *,
	    int horizon_days, struct forecast *, struct err *);
void	forecast_free(struct forecast *);

/* One date of a backtest. */
struct backtest_date {
	time_t		 as_of;
	long		 open;		/* open deals then */
	double		 expected;
	double		 low80, high80, low, high;
	long		 actual;	/* deals won in [as_of, as_of + horizon) */
	double		 run_rate;	/* baseline: won in the horizon before as_of */
	double		 pipeline;	/* baseline: open deals x their phase's win rate */
};

struct backtest {
	int		 horizon_days;
	int		 step_days;
	struct backtest_date *v;	/* owned */
	size_t		 n;
	double		 within80;	/* share of dates whose 80% interval held the actual */
	double		 within95;
	double		 mae;		/* mean absolute error of expected */
	double		 mae_run_rate;
	double		 mae_pipeline;
};

/* At most this many dates in a backtest. */
#define ANALYSIS_BACKTEST_MAX	2000

/*
 * The forecast at from, from + step, ... up to to, each from what was
 * known then, against what happened (f->as_of is "now": the actuals are
 * known up to it).  from 0: a horizon after the first signal; to 0: a
 * horizon before f->as_of.  Fails (ERR_FINAL) on more than
 * ANALYSIS_BACKTEST_MAX dates or none.
 */
int	analysis_backtest(struct store *, const struct analysis_filter *,
	    time_t from, time_t to, int step_days, int horizon_days,
	    struct backtest *, struct err *);
void	backtest_free(struct backtest *);

#endif
