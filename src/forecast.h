/* SPDX-License-Identifier: MIT */
/*
 * The forecast's estimators (issue 10), pure so that the unit tests drive
 * them with numbers worked out by hand: the chance that a deal in a phase
 * is won within the horizon, from the history deals that were in the same
 * phase at the same age (Aalen-Johansen with censoring and losses as the
 * competing end); the distribution of a sum of independent wins
 * (Poisson-binomial: exact, or from its cumulants when it is wide); and
 * the mixture of such sums over the uncertainty of
 * the estimates, from which the 80% and 95% intervals are read.
 */
#ifndef SC_FORECAST_H
#define SC_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The prior weighs as this many deals: never more than one deal of history. */
#define FORECAST_PRIOR_WEIGHT	1.0
/* Draws of the estimates' uncertainty behind the intervals. */
#define FORECAST_SIMS		400

/* How a history deal's spell from its landmark ended. */
enum forecast_end { FORECAST_OPEN, FORECAST_WON, FORECAST_LOST };

/* One history deal from its landmark (in the phase, at the deal's age). */
struct forecast_obs {
	double		 days;		/* to its close; open: to as_of (censored) */
	enum forecast_end end;
};

/* What the observations say about winning within the horizon. */
struct forecast_est {
	long		 n;		/* observations */
	long		 won;		/* of those, won (at any time) */
	double		 cif;		/* P(won within horizon), Aalen-Johansen; NAN if n = 0 */
	double		 weight;	/* deals whose outcome within the horizon is known */
	double		 p;		/* (cif * weight + prior * W) / (weight + W), W = FORECAST_PRIOR_WEIGHT */
	double		 se;		/* sd of logit(p): 1 / sqrt((weight + W) p (1 - p)) */
	double		 won_days;	/* median days to win of the won; NAN if none */
};

/*
 * Estimates from n observations (sorted in place) the chance of a win
 * within horizon days, blended with prior.  With censoring: a deal open
 * at as_of counts while it was followed, and losses end a deal's chance.
 */
void	forecast_estimate(struct forecast_obs *, size_t n, double horizon,
	    double prior, struct forecast_est *);
/* The same for observations already in that order (by days, closes first at a tie). */
void	forecast_estimate_sorted(const struct forecast_obs *, size_t n,
	    double horizon, double prior, struct forecast_est *);

/*
 * The parts of forecast_estimate_sorted, for a caller that finds the
 * observations its own way: the Aalen-Johansen P(won within horizon) of
 * the first n of at_risk observations in that order (those past n are
 * at risk until the horizon); and p and se from e's n, cif and weight.
 */
double	forecast_cif(const struct forecast_obs *, size_t n, size_t at_risk,
	    double horizon);
void	forecast_blend(struct forecast_est *, double prior);

/*
 * The distribution of the number of wins among n independent deals won
 * with probabilities p: pmf[k] = P(k wins), k = 0..n (exact, O(n^2)).
 */
void	forecast_pb(const double *p, size_t n, double *pmf);

/*
 * The same distribution in about n * 32 + w^2 * log2(n / 64) steps, w
 * the width of the distribution's mass (about 20 standard deviations),
 * cells under 1e-22 dropped at its tails: returns the mass dropped, the
 * bound on the difference from forecast_pb's pmf summed over all k.
 */
double	forecast_pb_fast(const double *p, size_t n, double *pmf);

/*
 * The same distribution from its first four cumulants (the local
 * Edgeworth expansion), as forecast_mixture reads a count whose variance
 * is 900 or more: O(n) plus the width of its mass.
 */
void	forecast_pb_smooth(const double *p, size_t n, double *pmf);

/*
 * The convolutions of forecast_pb_fast and forecast_mixture one row at a
 * time, the reference that the tests compare the blocked ones with (the
 * same to the bit); false unless a test sets it.
 */
extern bool forecast_conv_plain;

/*
 * Every count of forecast_mixture convolved exactly, however wide: the
 * reference that the tests compare the cumulants' path with; false
 * unless a test sets it.
 */
extern bool forecast_exact;

/* The smallest k with P(X <= k) >= q in pmf[0..n-1]. */
long	forecast_quantile(const double *pmf, size_t n, double q);

/* One open deal in the sum. */
struct forecast_item {
	double		 p;		/* chance of a win within the horizon */
	double		 se;		/* sd of logit(p) of its phase's estimate */
	int		 phase;		/* deals of a phase share that error */
	int		 group;		/* 0 new, 1 growth */
};

/* Wins of deals not open yet, per horizon: a Poisson rate and its evidence. */
struct forecast_rate {
	double		 mean;		/* expected wins per horizon */
	double		 windows;	/* horizon-length windows of history behind it */
};

/* A distribution of a count: pmf[0..n-1], owned. */
struct forecast_dist {
	double		*pmf;
	size_t		 n;
};

/*
 * The distribution of the wins of items and of the rates' deals, per
 * group (out[0] new, out[1] growth) and in all (out[2]): the average over
 * FORECAST_SIMS draws of the distribution given drawn estimates: exact,
 * or from its cumulants where its variance is 900 or more (sd 30).
 * Each draw moves the log-odds of every deal by a normal draw times
 * shared_se (the error of the organisation's overall win rate, which
 * every estimate shares) and by its phase's normal draw times its se;
 * the phases' draws are correlated by rho (with thin history every phase
 * rests on the same few deals).  So thin history widens the interval
 * instead of averaging out.  The draws are centred so that each deal's
 * mean stays its p.  Each rate is drawn from its Gamma posterior.
 * Deterministic: a fixed seed.
 */
void	forecast_mixture(const struct forecast_item *, size_t n,
	    double shared_se, double rho, const struct forecast_rate rate[2],
	    struct forecast_dist out[3]);
void	forecast_dist_free(struct forecast_dist *);

#endif
