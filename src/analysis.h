/* SPDX-License-Identifier: MIT */
/*
 * The manager's analyses (issue 5): conversion per phase over a period
 * against the previous period of equal length, stalled deals, and the
 * forecast of what the open pipeline will yield, with a backtest from an
 * earlier date.  Everything is read through the store's queries into the
 * structs below; the arithmetic (percentiles, the blend of
 * history and priors, the variance of the sum) lives in pure helpers that
 * the unit tests drive directly.
 */
#ifndef SC_ANALYSIS_H
#define SC_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* History weighs against priors as if the prior were this many closed deals. */
#define ANALYSIS_PRIOR_WEIGHT	10.0
/* Days per remaining phase when no won deal shows how long the rest takes. */
#define ANALYSIS_DEFAULT_PHASE_DAYS	14.0
/* z for the 95% interval of the forecast sum. */
#define ANALYSIS_Z95		1.96

struct analysis_filter {
	const struct config *cfg;		/* borrowed */
	time_t		 since;			/* period start; 0 = unbounded */
	time_t		 until;			/* period end, exclusive; 0 = unbounded */
	time_t		 as_of;			/* "now" of the analysis */
	const struct strlist *salespeople;	/* borrowed; NULL or empty = all */
};

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

/* History blended with a prior: (won + K * prior) / (n + K), K = ANALYSIS_PRIOR_WEIGHT. */
double	analysis_blend(long won, long n, double prior);

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
};

struct conversion {
	time_t		 since, until;
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

/* One stalled open deal. */
struct stalled {
	int64_t		 deal;
	char		*account;	/* owned */
	char		*salesperson;	/* owned */
	const char	*phase;		/* borrowed from the config */
	bool		 slow;		/* longer in the phase than its 75th percentile */
	bool		 silent;	/* no inbound contact for silence_days since the offer */
	double		 days_in_phase;
	double		 p75_days;	/* NAN when no deal advanced from the phase yet */
	double		 days_silent;	/* NAN when no offer was sent */
	double		 days_stalled;	/* the larger of the excesses that apply */
	time_t		 evidence_at;	/* the deal's latest signal; 0 if none */
	char		*evidence;	/* owned: "offer_sent: Offerte X", NULL if none */
};

struct stalled_list {
	struct stalled	*v;		/* owned */
	size_t		 n;
};

/*
 * Open deals (at f->as_of) whose time in their phase exceeds the 75th
 * percentile of the deals that advanced from it, or that had no inbound
 * contact for silence_days since their offer; most stalled first.
 */
int	analysis_stalled(struct store *, const struct analysis_filter *,
	    struct stalled_list *, struct err *);
void	stalled_list_free(struct stalled_list *);

/*
 * One history deal seen from a phase it reached: the days from reaching
 * the phase to its close, or for a deal still open at as_of that is older
 * there than every won deal was (censored), to as_of as a deal not won.
 */
struct forecast_spell {
	double		 days;
	bool		 won;
};

/* What the spells of a phase say about a deal open there for some days. */
struct forecast_cond {
	long		 n;		/* spells still open at that age: days > age */
	long		 won;		/* of those, won */
	double		 p_won;		/* analysis_blend(won, n, prior) */
	double		 remaining_days;	/* median of days - age of the won; NAN if none */
};

/*
 * Conditions the n spells of a phase on age: only the deals that were
 * still open age days after reaching the phase count (the survival view),
 * so a deal already older than the fast wins is not credited with them.
 */
void	analysis_condition(const struct forecast_spell *, size_t n, double age,
	    double prior, struct forecast_cond *);

/* What the history says about one phase, for a deal just entering it. */
struct forecast_phase {
	const char	*phase;		/* borrowed */
	long		 history;	/* spells: closed deals that reached the phase, and censored */
	long		 history_won;	/* of those, won */
	long		 censored;	/* of those, open at as_of and counted as not won */
	double		 prior;
	double		 p_won;		/* analysis_blend(history_won, history, prior) */
	double		 remaining_days;	/* median days to win of the won with days > 0 */
	long		 remaining_n;		/* won deals behind remaining_days; 0: default */
};

/* One open deal at as_of. */
struct forecast_deal {
	int64_t		 deal;
	char		*account;	/* owned */
	char		*salesperson;	/* owned */
	enum deal_kind	 kind;
	int		 phase;
	time_t		 phase_since;
	long		 history;	/* spells of its phase still open at its age */
	long		 history_won;	/* of those, won */
	double		 p_won;		/* analysis_blend(history_won, history, prior) */
	time_t		 expected_close;	/* 0: no won deal was open this long */
	bool		 in_horizon;
	/* What happened after as_of, up to as_of + horizon (or the store's last data). */
	enum outcome	 actual;
	time_t		 actual_closed;	/* 0 if still open */
};

/* The sum over deals expected to close in the horizon. */
struct forecast_sum {
	long		 deals;		/* open deals expected to close in the horizon */
	double		 expected;	/* sum of p_won */
	double		 variance;	/* sum of p (1 - p) */
	double		 low, high;	/* expected -/+ 1.96 sd, within [0, deals] */
	double		 per_month;	/* expected per 30 days of the horizon */
	long		 actual_won;	/* of those deals, won within the horizon */
	long		 actual_all;	/* all deals of this kind won within the horizon */
};

struct forecast {
	time_t		 as_of;
	int		 horizon_days;
	bool		 backtest;	/* as_of before the store's data ends: actuals known */
	struct forecast_phase phases[MAX_PHASES];
	size_t		 nphases;
	struct forecast_deal *deals;	/* owned */
	size_t		 ndeals;
	struct forecast_sum new_deals, growth, total;
};

/*
 * Forecast from the data as it stood at f->as_of (transitions and closes
 * before it only), for the horizon_days after it: each open deal's
 * P(won) and expected close from the history of its phase conditioned on
 * how long it has been in the phase (analysis_condition).  backtest fills
 * the actual outcomes from what the store recorded later.
 */
int	analysis_forecast(struct store *, const struct analysis_filter *,
	    int horizon_days, bool backtest, struct forecast *, struct err *);
void	forecast_free(struct forecast *);

/* Fills low, high and per_month of a sum from deals, expected and variance. */
void	analysis_sum_interval(struct forecast_sum *, int horizon_days);

#endif
