/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of analysis.c: the pure helpers (percentiles, priors, the
 * blend, the interval) from tables, and conversion, stalled deals, the
 * forecast and its backtest on a small store whose numbers are worked
 * out by hand in the comments below; and that reading one account's rows
 * does not read every other account's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "config.h"
#include "forecast.h"
#include "helpers.h"
#include "lost.h"
#include "model.h"
#include "project.h"
#include "report.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

#define T0	1780012800	/* 2026-05-29 00:00 UTC */
#define DAY	86400
#define NOW	(T0 + 30 * DAY)
#define EPS	1e-6
#define NOISE	5000	/* signals of another account */

/* cmocka 1.1.5 compares floats only; reports doubles with their values. */
#define assert_near(a, b, eps) do {					\
	double a_ = (a), b_ = (b);					\
	if (!(fabs(a_ - b_) <= (eps)))					\
		fail_msg("%s = %.9g, want %.9g", #a, a_, b_);		\
} while (0)

struct fixture {
	struct config	 cfg;
	struct store	*st;
};

/* Appends a mail-like signal of anna or bram about account. */
static void
add_sig(struct signal_list *l, enum signal_kind kind, const char *account,
    const char *who, time_t at, enum direction dir, const char *id)
{
	struct signal *s = signal_list_add(l);

	s->kind = kind;
	s->account = xstrdup(account);
	s->salesperson = xstrdup(who);
	s->occurred_at = at;
	s->dir = dir;
	s->source = xasprintf("imap:%s", who);
	s->item = xasprintf("INBOX/%s", id);
	s->ref = xasprintf("%s:%s:<%s@test>", signal_kind_name(kind), account, id);
	s->rule = xstrdup("test");
	s->subject = xasprintf("subject of %s", id);
}

/*
 * The scenario (phases: selection 0, suspect 1, prospect 2, offer 3,
 * closing 4; days after T0):
 *   a0.nl anna  appointment -5, lost -2                 (previous period)
 *   a1.nl anna  appointment 0, offer 4, order 10: won; appointment 20
 *               opens a growth deal (after the 7-day reopen window)
 *   a2.nl anna  appointment 1, offer 3, lost 20
 *   a3.nl anna  appointment 2, offer 10, inbound contact 12: open in offer
 *   a4.nl bram  appointment 3: open in suspect
 *   a6.nl anna  appointment 25: open in suspect
 */
static void
build_store(struct fixture *f)
{
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct err err;

	add_sig(&l, SIG_APPOINTMENT, "a0.nl", "anna", T0 - 5 * DAY, DIR_OUTBOUND, "a0-1");
	add_sig(&l, SIG_LOST, "a0.nl", "anna", T0 - 2 * DAY, DIR_OUTBOUND, "a0-2");
	add_sig(&l, SIG_APPOINTMENT, "a1.nl", "anna", T0, DIR_OUTBOUND, "a1-1");
	add_sig(&l, SIG_OFFER_SENT, "a1.nl", "anna", T0 + 4 * DAY, DIR_OUTBOUND, "a1-2");
	add_sig(&l, SIG_ORDER_CONFIRMED, "a1.nl", "anna", T0 + 10 * DAY, DIR_INBOUND, "a1-3");
	add_sig(&l, SIG_APPOINTMENT, "a1.nl", "anna", T0 + 20 * DAY, DIR_OUTBOUND, "a1-4");
	add_sig(&l, SIG_APPOINTMENT, "a2.nl", "anna", T0 + 1 * DAY, DIR_OUTBOUND, "a2-1");
	add_sig(&l, SIG_OFFER_SENT, "a2.nl", "anna", T0 + 3 * DAY, DIR_OUTBOUND, "a2-2");
	add_sig(&l, SIG_LOST, "a2.nl", "anna", T0 + 20 * DAY, DIR_OUTBOUND, "a2-3");
	add_sig(&l, SIG_APPOINTMENT, "a3.nl", "anna", T0 + 2 * DAY, DIR_OUTBOUND, "a3-1");
	add_sig(&l, SIG_OFFER_SENT, "a3.nl", "anna", T0 + 10 * DAY, DIR_OUTBOUND, "a3-2");
	add_sig(&l, SIG_CONTACT, "a3.nl", "anna", T0 + 12 * DAY, DIR_INBOUND, "a3-3");
	add_sig(&l, SIG_APPOINTMENT, "a4.nl", "bram", T0 + 3 * DAY, DIR_OUTBOUND, "a4-1");
	add_sig(&l, SIG_APPOINTMENT, "a6.nl", "anna", T0 + 25 * DAY, DIR_OUTBOUND, "a6-1");
	if (store_add_signals(f->st, &l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);
}

static int
setup(void **state)
{
	static int n;
	struct fixture *f = xcalloc(1, sizeof *f);
	char path[512];
	struct err err;

	config_defaults(&f->cfg);
	free(f->cfg.timezone);
	f->cfg.timezone = xstrdup("UTC");
	f->cfg.targets.prior_win[1] = 0.2;	/* suspect */
	f->cfg.targets.prior_win[3] = 0.5;	/* offer */
	f->cfg.targets.conversion[1] = 0.6;
	snprintf(path, sizeof path, "%s/analysis-%d.db", test_tmpdir(), n++);
	if (store_open(path, 0, &f->st, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	build_store(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	config_free(&f->cfg);
	free(f);
	return 0;
}

static void
test_analysis_percentile(void **state)
{
	static const struct {
		double	 v[6];
		size_t	 n;
		double	 q, want;
	} rows[] = {
		{ { 4, 2, 8 }, 3, 0.5, 4 },
		{ { 4, 2, 8 }, 3, 0.75, 6 },
		{ { 1, 2, 3, 4 }, 4, 0.5, 2.5 },
		{ { 1, 2, 3, 4 }, 4, 0.75, 3.25 },
		{ { 7 }, 1, 0.75, 7 },
		{ { 5, 1, 3 }, 3, 0, 1 },
		{ { 5, 1, 3 }, 3, 1, 5 },
	};
	double v[6];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memcpy(v, rows[i].v, sizeof v);
		assert_near(analysis_percentile(v, rows[i].n, rows[i].q),
		    rows[i].want, EPS);
	}
	assert_true(isnan(analysis_percentile(v, 0, 0.5)));
}

static void
test_analysis_prior(void **state)
{
	struct fixture *f = *state;

	/* Configured priors win; unset ones are (index + 1) / (phases + 1). */
	assert_near(analysis_prior(&f->cfg, 1), 0.2, EPS);
	assert_near(analysis_prior(&f->cfg, 0), 1.0 / 6.0, EPS);
	assert_near(analysis_prior(&f->cfg, 4), 5.0 / 6.0, EPS);
}

/*
 * Six deals followed from a landmark, horizon 30 days, prior 0.5:
 *   won 5, lost 10, open 12 (censored), won 20, lost 40, won 50.
 * Aalen-Johansen: at 5, 6 at risk, a win: P = 1/6, still open 5/6; at
 * 10, 5 at risk, a loss: open 5/6 * 4/5 = 4/6; at 12 one leaves
 * censored; at 20, 3 at risk, a win: P += 4/6 * 1/3: P = 7/18.  (Counting
 * the censored deal as not won would give 2/6, leaving it out 2/5.)
 * Known within the horizon: all but the censored one: k = 5.
 *   P = (7/18 * 5 + 0.5) / 6 = 11/27; se = 1 / sqrt(6 * 11/27 * 16/27)
 *   won: 3, median days to win 20.
 * With a horizon of 7 days only the first win counts: 1/6; every deal's
 * outcome within 7 days is known (the censored one was followed for 12):
 * k = 6, P = (1/6 * 6 + 0.5) / 7.
 */
static void
test_forecast_estimate(void **state)
{
	struct forecast_obs v[] = {
		{ 50, FORECAST_WON }, { 10, FORECAST_LOST }, { 12, FORECAST_OPEN },
		{ 20, FORECAST_WON }, { 40, FORECAST_LOST }, { 5, FORECAST_WON },
	};
	/* At a tie the closes come first: the censored deal was at risk. */
	struct forecast_obs tie[] = {
		{ 10, FORECAST_OPEN }, { 10, FORECAST_WON }, { 20, FORECAST_LOST },
	};
	struct forecast_est e;

	(void)state;
	forecast_estimate(v, 6, 30, 0.5, &e);
	assert_int_equal(e.n, 6);
	assert_int_equal(e.won, 3);
	assert_near(e.cif, 7.0 / 18.0, EPS);
	assert_near(e.weight, 5, EPS);
	assert_near(e.p, 11.0 / 27.0, EPS);
	assert_near(e.se, 1.0 / sqrt(6.0 * 11.0 / 27.0 * 16.0 / 27.0), EPS);
	assert_near(e.won_days, 20, EPS);
	forecast_estimate(v, 6, 7, 0.5, &e);
	assert_near(e.cif, 1.0 / 6.0, EPS);
	assert_near(e.weight, 6, EPS);
	assert_near(e.p, (1.0 / 6.0 * 6.0 + 0.5) / 7.0, EPS);
	/* At 10: 3 at risk, 1 won: 1/3 (1/2 if the censored one left first). */
	forecast_estimate(tie, 3, 30, 0.5, &e);
	assert_near(e.cif, 1.0 / 3.0, EPS);
	/* No history: the prior, with the error of one deal. */
	forecast_estimate(NULL, 0, 30, 0.3, &e);
	assert_int_equal(e.n, 0);
	assert_true(isnan(e.cif));
	assert_true(isnan(e.won_days));
	assert_near(e.p, 0.3, EPS);
	assert_near(e.se, 1.0 / sqrt(0.3 * 0.7), EPS);
}

/* The Poisson-binomial DP against every subset of ten deals. */
static void
test_forecast_pb(void **state)
{
	static const double p[10] = { 0.9, 0.05, 0.5, 0.33, 0.71, 0.2, 0.99,
	    0.01, 0.6, 0.45 };
	static const double half_fifth[2] = { 0.5, 0.2 };
	double pmf[11], brute[11] = { 0 }, two[3], q;
	unsigned mask;
	size_t i, k;

	(void)state;
	forecast_pb(p, 10, pmf);
	for (mask = 0; mask < 1u << 10; mask++) {
		q = 1.0;
		k = 0;
		for (i = 0; i < 10; i++) {
			if (mask & (1u << i)) {
				q *= p[i];
				k++;
			} else
				q *= 1.0 - p[i];
		}
		brute[k] += q;
	}
	for (k = 0; k <= 10; k++)
		assert_near(pmf[k], brute[k], 1e-12);
	/* By hand: 0.5 and 0.2 give 0.4, 0.5, 0.1. */
	forecast_pb(half_fifth, 2, two);
	assert_near(two[0], 0.4, EPS);
	assert_near(two[1], 0.5, EPS);
	assert_near(two[2], 0.1, EPS);
	/* Quantiles: the smallest count whose cumulative reaches q. */
	assert_int_equal(forecast_quantile(two, 3, 0.025), 0);
	assert_int_equal(forecast_quantile(two, 3, 0.4), 0);
	assert_int_equal(forecast_quantile(two, 3, 0.5), 1);
	assert_int_equal(forecast_quantile(two, 3, 0.9), 1);
	assert_int_equal(forecast_quantile(two, 3, 0.975), 2);
	/* No deals: certainly none. */
	forecast_pb(NULL, 0, pmf);
	assert_near(pmf[0], 1, EPS);
}

/* A deterministic uniform draw in [0, 1) for the random inputs below. */
static double
test_uniform(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) * 0x1.0p-53;
}

/*
 * The fast Poisson-binomial (blocks and windows) against the exact O(n^2)
 * DP on random deals: chances spread evenly, tiny, near certain, and a
 * mixture, from one deal to a few thousand.  The quantiles the forecast
 * prints must be the same, every cell within the mass the fast path says
 * it dropped, and that mass far below the quantiles' slack of 1e-12.
 */
static void
test_forecast_pb_fast(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 10, 63, 64, 65, 129, 500,
	    1000, 2500, 4000 };
	static const double qs[] = { 0.025, 0.10, 0.5, 0.90, 0.975 };
	uint64_t seed = 42;
	double *p, *exact, *fast, lost, u;
	size_t si, i, k, n, kind;
	int rep;

	(void)state;
	p = xcalloc(4000, sizeof *p);
	exact = xcalloc(4001, sizeof *exact);
	fast = xcalloc(4001, sizeof *fast);
	for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
		for (kind = 0; kind < 4; kind++)
			for (rep = 0; rep < (sizes[si] > 1000 ? 2 : 10); rep++) {
				n = sizes[si];
				for (i = 0; i < n; i++) {
					u = test_uniform(&seed);
					if (kind == 0)
						p[i] = u;
					else if (kind == 1)
						p[i] = pow(10.0, -9.0 * u);
					else if (kind == 2)
						p[i] = 1.0 - pow(10.0, -9.0 * u);
					else
						p[i] = u < 0.3 ? 0.02 * u :
						    u < 0.9 ? u : 1.0 - 1e-7 * u;
				}
				forecast_pb(p, n, exact);
				lost = forecast_pb_fast(p, n, fast);
				assert_true(lost >= 0 && lost < 1e-14);
				for (k = 0; k <= n; k++)
					assert_true(fabs(exact[k] - fast[k]) <=
					    lost + 1e-13);
				for (k = 0; k < sizeof qs / sizeof qs[0]; k++)
					assert_int_equal(
					    forecast_quantile(exact, n + 1, qs[k]),
					    forecast_quantile(fast, n + 1, qs[k]));
			}
	free(fast);
	free(exact);
	free(p);
}

/*
 * A wide Poisson-binomial (variance 900 and more, where forecast_mixture
 * reads it from its cumulants) against the exact one: chances spread
 * evenly, small (near a Poisson count), near certain (skewed the other
 * way) and mixed, at an sd just over 30 and wider.  The quantiles the
 * forecast prints are the same; no cell is off by more than 1e-7 and no
 * cumulative probability by more than 1e-6 (measured: 2.0e-8 and
 * 2.3e-7 at the sd of 31 of the small chances, under 1e-9 from sd 70).
 */
static void
test_forecast_pb_smooth(void **state)
{
	static const size_t sizes[] = { 5500, 40000, 100000 };
	static const double qs[] = { 0.025, 0.10, 0.5, 0.90, 0.975 };
	uint64_t seed = 11;
	double *p, *exact, *smooth, u, var, cell, cum, ce, cs;
	size_t si, i, k, n, kind, checked = 0;

	(void)state;
	p = xcalloc(100000, sizeof *p);
	exact = xcalloc(100001, sizeof *exact);
	smooth = xcalloc(100001, sizeof *smooth);
	for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
		for (kind = 0; kind < 4; kind++) {
			n = sizes[si];
			var = 0;
			for (i = 0; i < n; i++) {
				u = test_uniform(&seed);
				if (kind == 0)
					p[i] = u;
				else if (kind == 1)
					p[i] = 0.02 * u;
				else if (kind == 2)
					p[i] = 1.0 - 0.02 * u;
				else
					p[i] = u < 0.3 ? 1e-4 * u : u < 0.9 ?
					    u : 1.0 - 1e-7 * u;
				var += p[i] * (1.0 - p[i]);
			}
			if (var < 900)
				continue;
			checked++;
			forecast_pb_fast(p, n, exact);
			forecast_pb_smooth(p, n, smooth);
			cell = cum = ce = cs = 0;
			for (k = 0; k <= n; k++) {
				ce += exact[k];
				cs += smooth[k];
				if (fabs(exact[k] - smooth[k]) > cell)
					cell = fabs(exact[k] - smooth[k]);
				if (fabs(ce - cs) > cum)
					cum = fabs(ce - cs);
			}
			print_message("smooth n %zu kind %zu sd %.1f: cell %.2e "
			    "cumulative %.2e\n", n, kind, sqrt(var), cell, cum);
			assert_true(cell < 1e-7);
			assert_true(cum < 1e-6);
			for (k = 0; k < sizeof qs / sizeof qs[0]; k++)
				assert_int_equal(
				    forecast_quantile(exact, n + 1, qs[k]),
				    forecast_quantile(smooth, n + 1, qs[k]));
		}
	assert_true(checked == 7);
	/* No deal: no spread, all the mass on none. */
	forecast_pb_smooth(p, 0, smooth);
	assert_true(smooth[0] == 1.0);
	free(smooth);
	free(exact);
	free(p);
}

/*
 * The convolutions four rows at a time give what one row after the other
 * gives, to the bit: the distributions of forecast_pb_fast (odd and even
 * window widths, rows not a multiple of four) and the mixture's of a few
 * thousand uncertain deals with a rate of deals not open yet.
 */
static void
test_forecast_conv_blocked(void **state)
{
	static const size_t sizes[] = { 65, 129, 200, 333, 1000, 4000 };
	struct forecast_item *it;
	struct forecast_rate rate[2] = { { 12.5, 40 }, { 3.0, 40 } };
	struct forecast_dist d[3], e[3];
	uint64_t seed = 7;
	double *p, *a, *b;
	size_t si, i, n;

	(void)state;
	p = xcalloc(4000, sizeof *p);
	a = xcalloc(4001, sizeof *a);
	b = xcalloc(4001, sizeof *b);
	for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
		n = sizes[si];
		for (i = 0; i < n; i++)
			p[i] = test_uniform(&seed) * (i % 3 == 0 ? 0.05 : 1.0);
		forecast_pb_fast(p, n, a);
		forecast_conv_plain = true;
		forecast_pb_fast(p, n, b);
		forecast_conv_plain = false;
		assert_memory_equal(a, b, (n + 1) * sizeof *a);
	}
	it = xcalloc(3000, sizeof *it);
	for (i = 0; i < 3000; i++) {
		it[i].p = test_uniform(&seed);
		it[i].se = 0.2 + test_uniform(&seed);
		it[i].phase = (int)(i % 5);
		it[i].group = i % 4 == 0;
	}
	forecast_mixture(it, 3000, 0.3, 0.4, rate, d);
	forecast_conv_plain = true;
	forecast_mixture(it, 3000, 0.3, 0.4, rate, e);
	forecast_conv_plain = false;
	for (i = 0; i < 3; i++) {
		assert_int_equal(d[i].n, e[i].n);
		assert_memory_equal(d[i].pmf, e[i].pmf, d[i].n * sizeof *d[i].pmf);
		forecast_dist_free(&d[i]);
		forecast_dist_free(&e[i]);
	}
	free(it);
	free(b);
	free(a);
	free(p);
}

/* The mean of a distribution of a count. */
static double
dist_mean(const struct forecast_dist *d)
{
	double m = 0;
	size_t k;

	for (k = 0; k < d->n; k++)
		m += (double)k * d->pmf[k];
	return m;
}

/* The total mass of a distribution of a count. */
static double
dist_mass(const struct forecast_dist *d)
{
	double m = 0;
	size_t k;

	for (k = 0; k < d->n; k++)
		m += d->pmf[k];
	return m;
}

/* The largest gap between the cumulative probabilities of d and e. */
static double
dist_max_cum_gap(const struct forecast_dist *d, const struct forecast_dist *e)
{
	double cd = 0, ce = 0, gap = 0;
	size_t k;

	for (k = 0; k < d->n || k < e->n; k++) {
		cd += k < d->n ? d->pmf[k] : 0;
		ce += k < e->n ? e->pmf[k] : 0;
		if (fabs(cd - ce) > gap)
			gap = fabs(cd - ce);
	}
	return gap;
}

/*
 * Without uncertainty the mixture is the exact distribution; with it the
 * mean stays the sum of the chances and the tails are heavier; the rate
 * of deals not open yet adds a Poisson count.  New deals 0.5 and 0.2,
 * a growth deal 0.7: exactly, P(none) = 0.5 * 0.8 * 0.3 = 0.12 and
 * P(all) = 0.5 * 0.2 * 0.7 = 0.07.
 */
static void
test_forecast_mixture(void **state)
{
	struct forecast_item it[] = {
		{ 0.5, 0, 1, 0 }, { 0.2, 0, 3, 0 }, { 0.7, 0, 3, 1 },
	};
	static const double news[2] = { 0.5, 0.2 }, all[3] = { 0.5, 0.2, 0.7 };
	struct forecast_rate none[2] = { { 0, 0 }, { 0, 0 } };
	struct forecast_rate some[2] = { { 1.5, 0 }, { 0, 0 } };
	struct forecast_rate big[2] = { { 0, 0 }, { 0, 0 } };
	struct forecast_dist d[3];
	double pb[3], total[4];
	size_t k;

	(void)state;
	forecast_mixture(it, 3, 0, 0, none, d);
	forecast_pb(news, 2, pb);
	for (k = 0; k < 3; k++)
		assert_near(d[0].pmf[k], pb[k], 1e-12);
	assert_near(d[1].pmf[1], 0.7, 1e-12);
	forecast_pb(all, 3, total);
	for (k = 0; k < 4; k++)
		assert_near(d[2].pmf[k], total[k], 1e-12);
	assert_near(total[0], 0.12, EPS);
	assert_near(total[3], 0.07, EPS);
	for (k = 0; k < 3; k++)
		forecast_dist_free(&d[k]);

	/* Uncertain estimates: the same means, more weight on none and all. */
	it[0].se = it[1].se = it[2].se = 1.5;
	forecast_mixture(it, 3, 0.8, 0.5, none, d);
	assert_near(dist_mean(&d[2]), 1.4, 1e-9);
	assert_near(dist_mean(&d[0]), 0.7, 1e-9);
	assert_true(d[2].pmf[0] > 0.12);
	assert_true(d[2].pmf[3] > 0.07);
	for (k = 0; k < 3; k++)
		forecast_dist_free(&d[k]);

	/* 1.5 expected from deals not open yet: P(none at all) = 0.12 e^-1.5. */
	it[0].se = it[1].se = it[2].se = 0;
	forecast_mixture(it, 3, 0, 0, some, d);
	assert_near(d[2].pmf[0], 0.12 * exp(-1.5), 1e-12);
	assert_near(dist_mean(&d[2]), 2.9, 1e-9);
	assert_near(dist_mean(&d[1]), 0.7, 1e-9);
	for (k = 0; k < 3; k++)
		forecast_dist_free(&d[k]);

	/*
	 * A large organisation: 4,000 wins expected from deals not open yet.
	 * e^-4000 is 0 in a double; the Poisson count must still be there,
	 * its interval around 4,001.4 (sd 63), its mass one.
	 */
	big[0].mean = 4000;
	forecast_mixture(it, 3, 0, 0, big, d);
	assert_near(dist_mean(&d[2]), 4001.4, 1e-6);
	assert_near(dist_mass(&d[2]), 1.0, 1e-12);
	assert_true(forecast_quantile(d[2].pmf, d[2].n, 0.025) > 3870);
	assert_true(forecast_quantile(d[2].pmf, d[2].n, 0.975) < 4130);
	assert_true(forecast_quantile(d[0].pmf, d[0].n, 0.10) < 4000);
	assert_true(forecast_quantile(d[0].pmf, d[0].n, 0.90) > 4000);
	for (k = 0; k < 3; k++)
		forecast_dist_free(&d[k]);
}

/*
 * n deals of twelve chances in three phases, of both groups (mixed within
 * a kind) when mixed, else all new, through the exact path or not: each
 * group's mean is the sum of its chances (the draws are centred on them),
 * and the distributions are those of the same deals each made a kind of
 * its own (chances moved by under 1e-11).  Returns the smaller group's
 * variance of the count.
 */
static double
check_mixture_kinds(size_t n, bool exact, bool mixed)
{
	struct forecast_item *it, *own;
	struct forecast_rate none[2] = { { 0, 0 }, { 0, 0 } };
	struct forecast_dist d[3], e[3];
	uint64_t seed = 7;
	double sum[3] = { 0, 0, 0 }, var[2] = { 0, 0 };
	size_t i, g;

	it = xcalloc(n, sizeof *it);
	own = xcalloc(n, sizeof *own);
	for (i = 0; i < n; i++) {
		it[i].p = 0.3 + 0.4 * floor(12 * test_uniform(&seed)) / 12;
		it[i].phase = (int)floor(3 * test_uniform(&seed));
		it[i].se = 0.2 + 0.1 * it[i].phase;
		it[i].group = mixed && test_uniform(&seed) < 1.0 / 3;
		own[i] = it[i];
		own[i].p += 1e-15 * (double)(i + 1);
		sum[it[i].group] += it[i].p;
		sum[2] += it[i].p;
		var[it[i].group] += it[i].p * (1 - it[i].p);
	}
	forecast_exact = exact;
	forecast_mixture(it, n, 0.1, 0.3, none, d);
	forecast_mixture(own, n, 0.1, 0.3, none, e);
	forecast_exact = false;
	for (g = 0; g < 3; g++) {
		assert_near(dist_mean(&d[g]), sum[g], 1e-6);
		assert_near(dist_mean(&d[g]), dist_mean(&e[g]), 1e-6);
		assert_true(dist_max_cum_gap(&d[g], &e[g]) < 1e-8);
		forecast_dist_free(&d[g]);
		forecast_dist_free(&e[g]);
	}
	free(own);
	free(it);
	return (var[0] < var[1] ? var[0] : var[1]);
}

/*
 * Deals alike (the same phase, se and chance) share their draws in the
 * mixture: through the cumulants (15,000 deals, each group's variance
 * well over 900), the exact path, and a group of none (always exact).
 */
static void
test_forecast_mixture_kinds(void **state)
{
	(void)state;
	assert_true(check_mixture_kinds(15000, false, true) > 1000);
	check_mixture_kinds(3000, true, true);
	assert_true(check_mixture_kinds(3000, false, false) == 0);
}

/*
 * The mixture halves its kinds where they are, whatever the threads: the
 * same items give the same bytes on one thread as on two (15,000 deals
 * of both groups, on the cumulant path and on the exact one).
 */
static void
test_forecast_mixture_threads(void **state)
{
	struct forecast_item *it;
	struct forecast_rate rate[2] = { { 40.0, 8 }, { 10.0, 8 } };
	struct forecast_dist d[3], e[3];
	uint64_t seed = 11;
	size_t i, g, pass;

	(void)state;
	it = xcalloc(15000, sizeof *it);
	for (i = 0; i < 15000; i++) {
		it[i].p = 0.05 + 0.9 * test_uniform(&seed);
		it[i].phase = (int)floor(4 * test_uniform(&seed));
		it[i].se = 0.1 + 0.05 * floor(3 * test_uniform(&seed));
		it[i].group = test_uniform(&seed) < 0.4;
	}
	for (pass = 0; pass < 2; pass++) {
		forecast_exact = pass == 1;
		util_one_thread = true;
		forecast_mixture(it, 15000, 0.1, 0.3, rate, d);
		util_one_thread = false;
		forecast_mixture(it, 15000, 0.1, 0.3, rate, e);
		forecast_exact = false;
		for (g = 0; g < 3; g++) {
			assert_int_equal(d[g].n, e[g].n);
			assert_true(d[g].n > 0);
			assert_memory_equal(d[g].pmf, e[g].pmf,
			    d[g].n * sizeof *d[g].pmf);
			forecast_dist_free(&d[g]);
			forecast_dist_free(&e[g]);
		}
	}
	free(it);
}

/*
 * The mixture of an organisation whose counts are wide (10,000 deals, a
 * variance over 900 in every draw, and deals not open yet) read from the
 * cumulants gives the intervals of the exact convolutions: the same
 * quantiles and means, cumulatives within 1e-6.
 */
static void
test_forecast_mixture_smooth(void **state)
{
	static const double qs[] = { 0.025, 0.10, 0.5, 0.90, 0.975 };
	struct forecast_item *it;
	struct forecast_rate rate[2] = { { 120.0, 8 }, { 30.0, 8 } };
	struct forecast_dist d[3], e[3];
	uint64_t seed = 5;
	double cum;
	size_t i, k, g;

	(void)state;
	it = xcalloc(10000, sizeof *it);
	for (i = 0; i < 10000; i++) {
		it[i].p = 0.2 + 0.6 * test_uniform(&seed);
		it[i].se = 0.1 * (double)(1 + i % 3);
		it[i].phase = (int)(i % 3);
		it[i].group = i % 2 == 0;
	}
	forecast_mixture(it, 10000, 0.1, 0.3, rate, d);
	forecast_exact = true;
	forecast_mixture(it, 10000, 0.1, 0.3, rate, e);
	forecast_exact = false;
	for (g = 0; g < 3; g++) {
		assert_near(dist_mean(&d[g]), dist_mean(&e[g]), 1e-6);
		for (k = 0; k < sizeof qs / sizeof qs[0]; k++)
			assert_int_equal(forecast_quantile(d[g].pmf, d[g].n,
			    qs[k]), forecast_quantile(e[g].pmf, e[g].n, qs[k]));
		cum = dist_max_cum_gap(&d[g], &e[g]);
		print_message("mixture group %zu: cumulative %.2e\n", g, cum);
		/* Not zero: the two paths did differ. */
		assert_true(cum > 0 && cum < 1e-6);
		forecast_dist_free(&d[g]);
		forecast_dist_free(&e[g]);
	}
	free(it);
}

/* How many statements of l walk a window of entries (store_entries). */
static size_t
count_entry_walks(const struct strlist *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += strstr(l->v[i], "FROM transitions") != NULL &&
		    strstr(l->v[i], "at >= ?1 AND") != NULL;
	return n;
}

/*
 * Period [T0, T0+7d).  suspect entered by a1 (0), a2 (1), a3 (2), a4 (3):
 * a1 left after 4 days, a2 after 2, a3 after 8; a4 still there; a1 won.
 * Days 2, 4, 8: median 4, p75 6.  offer entered by a2 (3), a1 (4): a1
 * advanced (won) after 6 days, a2 lost.  Previous period [T0-7d, T0):
 * a0 entered suspect and was lost there.  Both periods come from one
 * walk of the entries (one read of their deals), for the company and a
 * salesperson alike.
 */
static void
test_analysis_conversion(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, T0, T0 + 7 * DAY, NOW, NULL, false, NULL };
	struct conversion cur, prev;
	struct strlist sql = { 0 }, anna = { 0 };
	struct err err;
	const struct conversion_phase *s, *o;

	strlist_add(&anna, "anna");
	af.salespeople = &anna;
	sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT, test_trace_sql,
	    &sql);
	assert_int_equal(analysis_conversion(f->st, &af, &cur, &prev, &err), 0);
	assert_int_equal(count_entry_walks(&sql), 1);
	strlist_clear(&sql);
	af.salespeople = NULL;
	assert_int_equal(analysis_conversion(f->st, &af, &cur, &prev, &err), 0);
	sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
	assert_int_equal(count_entry_walks(&sql), 1);
	strlist_clear(&sql);
	strlist_clear(&anna);
	s = &cur.phases[1];
	o = &cur.phases[3];
	assert_string_equal(s->phase, "suspect");
	assert_int_equal(s->entered, 4);
	assert_int_equal(s->advanced, 3);
	assert_int_equal(s->won, 1);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->open, 1);
	assert_near(s->rate_next, 0.75, EPS);
	assert_near(s->rate_won, 0.25, EPS);
	assert_near(s->median_days, 4, EPS);
	assert_near(s->p75_days, 6, EPS);
	assert_near(s->target, 0.6, EPS);
	assert_int_equal(o->entered, 2);
	assert_int_equal(o->advanced, 1);
	assert_int_equal(o->won, 1);
	assert_int_equal(o->lost, 1);
	assert_int_equal(o->open, 0);
	assert_near(o->median_days, 6, EPS);
	assert_true(isnan(o->target));
	assert_int_equal(cur.phases[0].entered, 0);
	assert_true(isnan(cur.phases[0].rate_next));
	assert_int_equal(cur.phases[4].entered, 0);

	assert_int_equal(prev.since, T0 - 7 * DAY);
	assert_int_equal(prev.until, T0);
	assert_int_equal(prev.phases[1].entered, 1);
	assert_int_equal(prev.phases[1].lost, 1);
	assert_near(prev.phases[1].rate_next, 0, EPS);
}

/*
 * Cohorts followed for 5 days after entering, as of NOW (day 30).  The
 * suspect cohort of [T0, T0+7d): a1 (entered 0, left 4), a2 (1, left 3),
 * a3 (2, left 10), a4 (3, still there): a1 and a2 moved on within 5
 * days, a3 only after 8; a1's win (day 10) came 10 days on: advanced 2,
 * won 0, lost 0, the other 2 open: 50%, a small cohort (4 < 5).  Offer:
 * a2 (3, lost at 20) and a1 (4, closing and won at 10, 6 days on):
 * neither within 5 days: 0 of 2.  The previous cohort: a0 entered
 * suspect at -5 and was lost 3 days later: lost 1 of 1.  Followed for 30
 * days the same cohort is too young at day 30 (its last entry, day 7,
 * plus 30 is after NOW): counts but no rates.
 */
static void
test_analysis_cohorts(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, T0, T0 + 7 * DAY, NOW, NULL, false, NULL };
	struct conversion cur, prev;
	struct err err;
	const struct conversion_phase *s, *o;

	assert_int_equal(analysis_cohorts(f->st, &af, 5, &cur, &prev, &err), 0);
	assert_true(cur.mature);
	assert_int_equal(cur.within_days, 5);
	s = &cur.phases[1];
	assert_int_equal(s->entered, 4);
	assert_int_equal(s->advanced, 2);
	assert_int_equal(s->won, 0);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->open, 2);
	assert_near(s->rate_next, 0.5, EPS);
	assert_near(s->rate_won, 0, EPS);
	assert_true(s->small);
	o = &cur.phases[3];
	assert_int_equal(o->entered, 2);
	assert_int_equal(o->advanced, 0);
	assert_int_equal(o->won, 0);
	assert_int_equal(o->lost, 0);
	assert_int_equal(o->open, 2);
	assert_near(o->rate_next, 0, EPS);
	assert_true(prev.mature);
	assert_int_equal(prev.phases[1].entered, 1);
	assert_int_equal(prev.phases[1].lost, 1);
	assert_near(prev.phases[1].rate_next, 0, EPS);

	assert_int_equal(analysis_cohorts(f->st, &af, 30, &cur, &prev, &err), 0);
	assert_false(cur.mature);
	assert_int_equal(cur.phases[1].entered, 4);
	assert_true(isnan(cur.phases[1].rate_next));
	assert_true(prev.mature);
}

/* The same numbers the funnel report gives for the same period. */
static void
test_analysis_conversion_equals_funnel(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, T0, T0 + 7 * DAY, NOW, NULL, false, NULL };
	struct report_filter rf = { &f->cfg, T0, T0 + 7 * DAY, NULL, NULL };
	struct conversion cur;
	struct funnel fu;
	struct err err;
	size_t i;

	assert_int_equal(analysis_conversion(f->st, &af, &cur, NULL, &err), 0);
	assert_int_equal(report_funnel(f->st, &rf, 0, &fu, &err), 0);
	assert_int_equal(cur.nphases, fu.nphases);
	for (i = 0; i < fu.nphases; i++) {
		assert_int_equal(cur.phases[i].entered, fu.phases[i].entered);
		assert_int_equal(cur.phases[i].advanced, fu.phases[i].advanced);
		if (isnan(fu.phases[i].median_days))
			assert_true(isnan(cur.phases[i].median_days));
		else
			assert_near(cur.phases[i].median_days,
			    fu.phases[i].median_days, EPS);
	}
}

static void
test_analysis_conversion_salesperson(void **state)
{
	struct fixture *f = *state;
	struct strlist bram = { 0 };
	struct analysis_filter af = { &f->cfg, T0, T0 + 7 * DAY, NOW, &bram, false, NULL };
	struct conversion cur;
	struct err err;

	strlist_add(&bram, "bram");
	assert_int_equal(analysis_conversion(f->st, &af, &cur, NULL, &err), 0);
	assert_int_equal(cur.phases[1].entered, 1);
	assert_int_equal(cur.phases[1].open, 1);
	assert_int_equal(cur.phases[3].entered, 0);
	strlist_clear(&bram);
}

/* Adds a meeting with account at start to the store's appointments. */
static void
add_meeting(struct fixture *f, const char *account, time_t start)
{
	char *sql = xasprintf("INSERT INTO appointments(source, item, uid,"
	    " salesperson, account_id, kind, start, \"end\", all_day, day,"
	    " created, series) VALUES('caldav:anna', 'm-%s-%lld', 'u-%s-%lld',"
	    " 'anna', (SELECT id FROM accounts WHERE key = '%s'), 'appointment',"
	    " %lld, %lld, 0, '2026-06-01', %lld, 0)", account, (long long)start,
	    account, (long long)start, account, (long long)start,
	    (long long)start + 3600, (long long)T0);

	if (sqlite3_exec(f->st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("insert: %s", sqlite3_errmsg(f->st->db));
	free(sql);
}

/* Two stalled deals alike in all that is shown of them. */
static void
check_same_stalled_deal(const struct stalled *a, const struct stalled *b)
{
	assert_int_equal(a->deal, b->deal);
	assert_string_equal(a->account, b->account);
	assert_string_equal(a->salesperson, b->salesperson);
	assert_string_equal(a->phase, b->phase);
	assert_int_equal(a->verbal, b->verbal);
	assert_int_equal(a->untouched, b->untouched);
	assert_int_equal(a->quiet_since, b->quiet_since);
	assert_true(a->usual_days == b->usual_days);
	assert_true(a->quiet_days == b->quiet_days);
	assert_near(a->over_days, b->over_days, EPS);
	assert_int_equal(a->next_meeting, b->next_meeting);
	assert_true(isnan(a->value) ? isnan(b->value) : a->value == b->value);
	assert_int_equal(a->decision, b->decision);
	assert_int_equal(a->decision_passed, b->decision_passed);
	assert_int_equal(a->silent, b->silent);
	assert_int_equal(a->evidence_at, b->evidence_at);
	assert_true(a->evidence == NULL ? b->evidence == NULL :
	    b->evidence != NULL && strcmp(a->evidence, b->evidence) == 0);
}

/* The stalled lists are the same. */
static void
check_same_stalled(const struct stalled_list *a, const struct stalled_list *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->nplanned, b->nplanned);
	for (i = 0; i < a->n; i++)
		check_same_stalled_deal(&a->v[i], &b->v[i]);
	for (i = 0; i < a->nplanned; i++)
		check_same_stalled_deal(&a->planned[i], &b->planned[i]);
}

/*
 * At NOW (day 30).  Only a1 was won (before NOW): fewer than 5 won deals
 * show any phase's quiet spells, so every phase's usual spell is
 * usual_quiet_days, 14.  Open, quiet since their last signal:
 *   a1's growth deal, suspect: appointment at 20: 10 days, not stalled
 *   a3, offer: inbound contact at 12: 18 days, 4 over; no reply for 18
 *       days since its offer (day 10): silent too
 *   a4 (bram), suspect: appointment at 3: 27 days, 13 over
 *   a6, suspect: appointment at 25: 5 days
 * Later phases first: a3, then a4, though a4 is further over.
 * Then: a7 gets an appointment (5), a verbal order (12) and a contact
 * (28): a verbal order is judged from itself: 18 days against
 * confirmation_days 14, whatever happened since; a8 is only a target-list
 * row (day 0): 30 days, 16 over, but untouched rows come last; a meeting
 * held with a4 on day 20 makes it quiet for 10 days only; a meeting
 * planned with a3 for day 32 is a next step: a3 moves to planned.  Two
 * more offers: a9's (day 2, "€ 20.000,-": 28 days quiet, 14 over) and
 * a10's (day 1, no amount: 15 over): the larger value comes first.  a6
 * gets "#decision 2026-06-20" (day 22) on day 26: quiet for 4 days only,
 * but the decision date passed without an order: stalled, as a suspect.
 */
static void
test_analysis_stalled(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct analysis_filter now = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct signal_list sl = { 0 };
	struct strlist touched = { 0 };
	struct stalled_list l, again;
	char *sql;
	size_t i;
	struct err err;

	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.nplanned, 0);
	assert_string_equal(l.v[0].account, "a3.nl");
	assert_string_equal(l.v[0].phase, "offer");
	assert_near(l.v[0].usual_days, 14, EPS);
	assert_near(l.v[0].quiet_days, 18, EPS);
	assert_near(l.v[0].over_days, 4, EPS);
	assert_int_equal(l.v[0].quiet_since, T0 + 12 * DAY);
	assert_true(l.v[0].silent);
	assert_near(l.v[0].days_silent, 18, EPS);
	assert_near(l.v[0].days_in_phase, 20, EPS);
	assert_false(l.v[0].verbal);
	assert_int_equal(l.v[0].evidence_at, T0 + 12 * DAY);
	assert_string_equal(l.v[0].evidence, "contact: subject of a3-3");
	assert_string_equal(l.v[1].account, "a4.nl");
	assert_string_equal(l.v[1].salesperson, "bram");
	assert_near(l.v[1].over_days, 13, EPS);
	assert_true(isnan(l.v[1].days_silent));
	stalled_list_free(&l);

	/* Another usual spell: a3 is no longer over it, a4 still is. */
	f->cfg.usual_quiet_days = 20;
	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].account, "a4.nl");
	stalled_list_free(&l);
	f->cfg.usual_quiet_days = 14;

	add_sig(&sl, SIG_APPOINTMENT, "a7.nl", "anna", T0 + 5 * DAY, DIR_OUTBOUND, "a7-1");
	add_sig(&sl, SIG_VERBAL_ORDER, "a7.nl", "anna", T0 + 12 * DAY, DIR_OUTBOUND, "a7-2");
	add_sig(&sl, SIG_CONTACT, "a7.nl", "anna", T0 + 28 * DAY, DIR_INBOUND, "a7-3");
	add_sig(&sl, SIG_TARGET, "a8.nl", "anna", T0, DIR_NONE, "a8-1");
	add_sig(&sl, SIG_APPOINTMENT, "a9.nl", "anna", T0 + 1 * DAY, DIR_OUTBOUND, "a9-1");
	add_sig(&sl, SIG_OFFER_SENT, "a9.nl", "anna", T0 + 2 * DAY, DIR_OUTBOUND, "a9-2");
	free(sl.v[sl.n - 1].subject);
	sl.v[sl.n - 1].subject = xstrdup("Offerte 2026-014 \xe2\x80\x93 \xe2\x82\xac 20.000,-");
	add_sig(&sl, SIG_APPOINTMENT, "a10.nl", "anna", T0, DIR_OUTBOUND, "a10-1");
	add_sig(&sl, SIG_OFFER_SENT, "a10.nl", "anna", T0 + 1 * DAY, DIR_OUTBOUND, "a10-2");
	add_sig(&sl, SIG_DECISION, "a6.nl", "anna", T0 + 26 * DAY, DIR_OUTBOUND, "a6-2");
	sl.v[sl.n - 1].value = xstrdup("2026-06-20");
	if (store_add_signals(f->st, &sl, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&sl);
	strlist_clear(&touched);
	add_meeting(f, "a4.nl", T0 + 20 * DAY);
	add_meeting(f, "a3.nl", NOW + 2 * DAY);

	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].account, "a7.nl");
	assert_string_equal(l.v[0].phase, "closing");
	assert_true(l.v[0].verbal);
	assert_int_equal(l.v[0].quiet_since, T0 + 12 * DAY);
	assert_near(l.v[0].over_days, 4, EPS);
	assert_true(isnan(l.v[0].value));
	assert_string_equal(l.v[1].account, "a9.nl");
	assert_near(l.v[1].value, 20000, EPS);
	assert_near(l.v[1].over_days, 14, EPS);
	assert_string_equal(l.v[2].account, "a10.nl");
	assert_near(l.v[2].over_days, 15, EPS);
	assert_string_equal(l.v[3].account, "a6.nl");
	assert_true(l.v[3].decision_passed);
	assert_true(l.v[3].over_days < 0);
	assert_int_equal(l.v[3].decision, T0 + 22 * DAY);
	assert_string_equal(l.v[4].account, "a8.nl");
	assert_true(l.v[4].untouched);
	assert_near(l.v[4].over_days, 16, EPS);
	assert_int_equal(l.nplanned, 1);
	assert_string_equal(l.planned[0].account, "a3.nl");
	assert_int_equal(l.planned[0].next_meeting, NOW + 2 * DAY);

	/*
	 * As of now, the activity the projection kept of each open deal
	 * tells; as of an earlier time (the list above: NOW is in the
	 * past), or where it kept none (a database of version 17 until
	 * projected again), the deal's signals: the same list.
	 */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE outcome = 'open' AND latest_at IS NULL", NULL), 0);
	assert_int_equal(analysis_stalled(f->st, &now, &again, &err), 0);
	check_same_stalled(&l, &again);
	stalled_list_free(&again);
	assert_int_equal(sqlite3_exec(store_db(f->st),
	    "UPDATE deals SET latest_at = NULL", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(analysis_stalled(f->st, &now, &again, &err), 0);
	check_same_stalled(&l, &again);
	stalled_list_free(&again);
	stalled_list_free(&l);

	/*
	 * A signal dated after as_of (a mail from the future) is not the
	 * deal's activity yet: a10's kept activity names it, so its signals
	 * up to as_of tell instead.
	 */
	add_sig(&sl, SIG_CONTACT, "a10.nl", "anna", NOW + 3 * DAY, DIR_INBOUND, "a10-3");
	if (store_add_signals(f->st, &sl, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&sl);
	strlist_clear(&touched);
	sql = xasprintf("SELECT count(*) FROM deals WHERE account = 'a10.nl'"
	    " AND outcome = 'open' AND latest_at = %lld",
	    (long long)(NOW + 3 * DAY));
	assert_int_equal(test_query_int(f->st, sql, NULL), 1);
	free(sql);
	assert_int_equal(analysis_stalled(f->st, &now, &l, &err), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[2].account, "a10.nl");
	assert_near(l.v[2].over_days, 15, EPS);
	assert_string_equal(l.v[1].account, "a9.nl");
	stalled_list_free(&l);

	/*
	 * A reply stored but not projected yet (a large sync defers the
	 * projection to its end): what was kept of a9 is behind its
	 * signals, which tell instead; a9 is no longer quiet.
	 */
	if (project_rebuild(f->st, &f->cfg, NOW, &err) != 0)
		fail_msg("rebuild: %s", err.msg);
	add_sig(&sl, SIG_CONTACT, "a9.nl", "anna", NOW - DAY, DIR_INBOUND, "a9-3");
	if (store_add_signals(f->st, &sl, &touched, &err) < 0 ||
	    project_mark_dirty(f->st, &touched, &err) != 0)
		fail_msg("store: %s", err.msg);
	signal_list_clear(&sl);
	strlist_clear(&touched);
	assert_int_equal(analysis_stalled(f->st, &now, &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[1].account, "a10.nl");
	stalled_list_free(&l);
	/* Projected, the same from what it kept. */
	if (project_dirty(f->st, &f->cfg, NOW, &err) != 0)
		fail_msg("project_dirty: %s", err.msg);
	assert_int_equal(analysis_stalled(f->st, &now, &again, &err), 0);
	assert_int_equal(again.n, 4);
	assert_string_equal(again.v[1].account, "a10.nl");
	stalled_list_free(&again);

	/* A #snooze kept on a7: not listed for its 10 days. */
	add_sig(&sl, SIG_SNOOZE, "a7.nl", "anna", NOW - DAY, DIR_OUTBOUND, "a7-4");
	sl.v[sl.n - 1].value = xstrdup("10");
	if (store_add_signals(f->st, &sl, &touched, &err) < 0 ||
	    project_accounts(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("store: %s", err.msg);
	signal_list_clear(&sl);
	strlist_clear(&touched);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE account = 'a7.nl' AND snoozed > 0", NULL), 1);
	assert_int_equal(analysis_stalled(f->st, &now, &l, &err), 0);
	assert_int_equal(l.n, 3);
	for (i = 0; i < l.n; i++)
		assert_string_not_equal(l.v[i].account, "a7.nl");
	stalled_list_free(&l);
}

/* Counts the progress callbacks of SQLite: one per 1,000 VM instructions. */
static int
count_progress(void *arg)
{
	(*(long *)arg)++;
	return 0;
}

/*
 * The evidence of a stalled deal is found through the indexes of its
 * account's signals, however many signals other accounts have: it read
 * every signal once per stalled deal (`stalled` ran for more than 25
 * minutes on 1M signals).  A bound on SQLite's instructions, not time.
 */
static void
test_analysis_stalled_bounded(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct stalled_list sl;
	struct err err;
	char id[32];
	long steps = 0;
	int i;

	/* Contact alone opens no deal: signals without any transition. */
	for (i = 0; i < NOISE; i++) {
		snprintf(id, sizeof id, "n-%d", i);
		add_sig(&l, SIG_CONTACT, "noise.nl", "bram", T0 + i % 20 * DAY,
		    DIR_INBOUND, id);
	}
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), NOISE);
	signal_list_clear(&l);
	strlist_clear(&touched);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress, &steps);
	assert_int_equal(analysis_stalled(f->st, &af, &sl, &err), 0);
	sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	assert_int_equal(sl.n, 2);
	assert_string_equal(sl.v[0].evidence, "contact: subject of a3-3");
	/* Reading the other account's signals once took 60. */
	assert_true(steps < 10);
	stalled_list_free(&sl);
}

/*
 * One account's deals, transitions and evidence (salescycle deal) start
 * from its key, however many other deals there are: each of the three
 * read every deal, transition or signal.
 */
static void
test_analysis_account_bounded(void **state)
{
	struct fixture *f = *state;
	struct report_filter rf = { &f->cfg, 0, 0, NULL, "a3.nl" };
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct table deals, trans, sigs;
	struct err err;
	char id[32], account[32];
	long steps = 0;
	int i;

	for (i = 0; i < NOISE / 5; i++) {
		snprintf(id, sizeof id, "n-%d", i);
		snprintf(account, sizeof account, "n%d.nl", i);
		add_sig(&l, SIG_APPOINTMENT, account, "bram", T0 + i % 20 * DAY,
		    DIR_OUTBOUND, id);
	}
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err),
	    NOISE / 5);
	assert_int_equal(project_accounts(f->st, &f->cfg, &touched, NOW, &err),
	    0);
	signal_list_clear(&l);
	strlist_clear(&touched);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress, &steps);
	assert_int_equal(report_deals(f->st, &rf, &deals, &err), 0);
	assert_int_equal(report_transitions(f->st, &rf, &trans, &err), 0);
	assert_int_equal(report_signals(f->st, &rf, &sigs, &err), 0);
	sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	assert_int_equal(deals.nrows, 1);
	assert_int_equal(trans.nrows, 2);
	assert_int_equal(sigs.nrows, 3);
	/* Reading every deal, transition and signal once took 33. */
	assert_true(steps < 10);
	table_free(&deals);
	table_free(&trans);
	table_free(&sigs);
}

/*
 * At NOW (T0+30d), horizon 30 days.  The won deal a1 was never quiet for
 * more than 6 days (signals at 0, 4, 10): open deals quiet for more than
 * 21 days count as lost, so a4 (last seen at day 3) is lost at day 3.
 * Known: a0 lost, a1 won, a2 lost, a4 lost; open: a3 (offer since day
 * 10), a6 (suspect since 25), a1's growth deal a1g (suspect since 20).
 * Days each deal stayed in suspect (to leaving it, its close or NOW):
 *   a0 3, a1 4, a1g 10, a2 2, a3 8, a4 0, a6 5
 * Fewer than 8 deals stayed longer than any age, so each deal is compared
 * with all the others from when they reached suspect (age lowered to the
 * shortest stay, 0), to their close (a0 3 lost, a1 10 won, a2 19 lost,
 * a4 0 lost) or NOW (a1g 10, a3 28, a6 5: censored).
 *   a6 (all but a6): at 0 one of 6 lost (5/6 open), at 3 one of 5
 *     (4/6), at 10 one of 4 won: 4/6 * 1/4 = 1/6.  Known: a0 a1 a2 a4:
 *     k = 4.  P = (1/6 * 4 + 0.2) / 5 = 13/75; closes 10 days on.
 *   a1g (all but a1g): at 0 5/6, at 3 4/6, a6 leaves at 5, at 10 one of
 *     3 won: 4/6 * 1/3 = 2/9.  P = (2/9 * 4 + 0.2) / 5 = 49/225.
 *   a3 in offer for 20 days: offer's other deals a1 (stayed 6) and a2
 *     (17): age lowered to 6: a1 won at once (0 days), a2 lost 11 days
 *     on: 1/2, k = 2, prior 0.5: P = (1/2 * 2 + 0.5) / 3 = 1/2; closes
 *     at NOW.
 * Phases on entry: suspect, all 7: at 0 6/7, at 3 5/7, a6 leaves at 5,
 * at 10 one of 4 won: 5/7 * 1/4 = 5/28: (5/28 * 4 + 0.2) / 5 = 32/175.
 * offer: a1 6 won, a2 17 lost, a3 20 censored: 1/3, k = 2:
 * (1/3 * 2 + 0.5) / 3 = 7/18, 6 days to win.  closing: a1 won at once:
 * (1 + 5/6) / 2 = 11/12.
 * The history starts at day -5: not a whole 30-day window before NOW -
 * 30, so nothing is added for deals not open yet.
 */
static void
test_analysis_forecast(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct forecast fc;
	struct err err;
	double p6 = 13.0 / 75.0, pg = 49.0 / 225.0;
	size_t i;

	assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc, &err), 0);
	assert_int_equal(fc.history_from, T0 - 5 * DAY);
	assert_int_equal(fc.closed, 4);
	assert_int_equal(fc.won, 1);
	assert_int_equal(fc.open, 3);
	assert_int_equal(fc.phases[1].history, 7);
	assert_int_equal(fc.phases[1].history_won, 1);
	assert_int_equal(fc.phases[1].censored, 3);
	assert_near(fc.phases[1].p_won, 32.0 / 175.0, EPS);
	assert_near(fc.phases[1].remaining_days, 10, EPS);
	assert_int_equal(fc.phases[3].history, 3);
	assert_int_equal(fc.phases[3].censored, 1);
	assert_near(fc.phases[3].p_won, 7.0 / 18.0, EPS);
	assert_near(fc.phases[3].remaining_days, 6, EPS);
	assert_int_equal(fc.phases[4].history, 1);
	assert_near(fc.phases[4].p_won, 11.0 / 12.0, EPS);
	assert_near(fc.phases[4].remaining_days, 0, EPS);

	assert_int_equal(fc.ndeals, 3);
	for (i = 0; i < fc.ndeals; i++) {
		const struct forecast_deal *d = &fc.deals[i];

		assert_true(d->deal > 0);
		assert_true(d->in_horizon);
		if (strcmp(d->account, "a6.nl") == 0) {
			assert_int_equal(d->history, 6);
			assert_int_equal(d->history_won, 1);
			assert_near(d->p_won, p6, EPS);
			assert_int_equal(d->expected_close, NOW + 10 * DAY);
		} else if (strcmp(d->account, "a3.nl") == 0) {
			assert_int_equal(d->phase, 3);
			assert_int_equal(d->history, 2);
			assert_near(d->p_won, 0.5, EPS);
			assert_int_equal(d->expected_close, NOW);
		} else {
			assert_string_equal(d->account, "a1.nl");
			assert_int_equal(d->kind, DEAL_GROWTH);
			assert_int_equal(d->history, 6);
			assert_near(d->p_won, pg, EPS);
		}
	}
	assert_int_equal(fc.new_deals.deals, 2);
	assert_near(fc.new_deals.expected, 0.5 + p6, EPS);
	assert_near(fc.new_deals.unopened, 0, EPS);
	assert_int_equal(fc.growth.deals, 1);
	assert_near(fc.growth.expected, pg, EPS);
	assert_near(fc.total.expected, 0.5 + p6 + pg, EPS);
	assert_near(fc.total.per_month, 0.5 + p6 + pg, EPS);
	/* At most one growth deal; the intervals nest within [0, 3]. */
	assert_true(fc.growth.high <= 1);
	assert_true(fc.total.low <= fc.total.low80);
	assert_true(fc.total.low80 <= fc.total.high80);
	assert_true(fc.total.high80 <= fc.total.high);
	assert_true(fc.total.high <= 3);
	forecast_free(&fc);
}

/*
 * The value of an open deal is the amount in its newest offer's subject:
 * a3's offer (day 10) for EUR 10.000,- at P 1/2 weighs 5000; the others
 * have no offer with an amount.
 */
static void
test_analysis_forecast_value(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct forecast fc;
	struct err err;
	size_t i;

	if (sqlite3_exec(f->st->db, "UPDATE signals SET subject ="
	    " 'Offerte 2026-014 EUR 10.000,-' WHERE ref ="
	    " 'offer_sent:a3.nl:<a3-2@test>'", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc, &err), 0);
	for (i = 0; i < fc.ndeals; i++) {
		if (strcmp(fc.deals[i].account, "a3.nl") == 0)
			assert_near(fc.deals[i].value, 10000, EPS);
		else
			assert_true(isnan(fc.deals[i].value));
	}
	assert_near(fc.new_deals.weighted_value, 5000, EPS);
	assert_int_equal(fc.new_deals.valued, 1);
	assert_int_equal(fc.growth.valued, 0);
	assert_near(fc.total.weighted_value, 5000, EPS);
	forecast_free(&fc);
}

/*
 * The digest's forecast (analysis_forecast_sums) gives the sums of the
 * whole forecast, from the stored projection and from the signals, and
 * neither reads nor makes what it does not show: the phases' summary,
 * the deals' values (a3's offer has an amount) and stored deal ids.
 */
static void
test_analysis_forecast_sums(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct forecast fc, sums;
	const struct forecast_sum *a, *b;
	struct err err;
	size_t i, k;

	if (sqlite3_exec(f->st->db, "UPDATE signals SET subject ="
	    " 'Offerte 2026-014 EUR 10.000,-' WHERE ref ="
	    " 'offer_sent:a3.nl:<a3-2@test>'", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	for (k = 0; k < 2; k++) {
		af.current = k == 1;
		assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc,
		    &err), 0);
		assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &sums,
		    &err), 0);
		assert_int_equal(sums.closed, fc.closed);
		assert_int_equal(sums.won, fc.won);
		assert_int_equal(sums.open, fc.open);
		for (i = 0; i < 3; i++) {
			a = i == 0 ? &fc.new_deals : i == 1 ? &fc.growth :
			    &fc.total;
			b = i == 0 ? &sums.new_deals : i == 1 ? &sums.growth :
			    &sums.total;
			assert_int_equal(b->deals, a->deals);
			assert_near(b->expected, a->expected, 1e-12);
			assert_near(b->unopened, a->unopened, 1e-12);
			assert_near(b->low, a->low, 1e-12);
			assert_near(b->high, a->high, 1e-12);
			assert_near(b->per_month, a->per_month, 1e-12);
			assert_int_equal(b->valued, 0);
		}
		assert_near(fc.new_deals.weighted_value, 5000, EPS);
		assert_int_equal(sums.ndeals, fc.ndeals);
		for (i = 0; i < sums.ndeals; i++) {
			assert_int_equal(sums.deals[i].deal, 0);
			assert_true(isnan(sums.deals[i].value));
			assert_near(sums.deals[i].p_won, fc.deals[i].p_won,
			    1e-12);
		}
		assert_int_equal(sums.phases[1].history, 0);
		assert_true(fc.phases[1].history > 0);
		forecast_free(&fc);
		forecast_free(&sums);
	}
}

/* Stores the signals of l with their values and projects them. */
static void
store_sigs(struct fixture *f, struct signal_list *l)
{
	struct strlist touched = { 0 };
	struct err err;

	if (store_add_signals(f->st, l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(l);
	strlist_clear(&touched);
}

/* The stalled entry of account, or NULL. */
static const struct stalled *
find_stalled(const struct stalled_list *l, const char *account)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].account, account) == 0)
			return &l->v[i];
	return NULL;
}

/*
 * #snooze (issue 12 item 10): a3.nl, quiet in offer since day 12, is
 * stalled at day 30; "#snooze a3.nl 14" on day 28 keeps it off the list
 * until day 42, one of 1 day (over on day 29) does not, and neither
 * counts as activity: the quiet still runs from day 12.
 */
static void
test_analysis_snooze(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct signal_list sl = { 0 };
	const struct stalled *s;
	struct stalled_list l;
	struct err err;

	add_sig(&sl, SIG_SNOOZE, "a3.nl", "anna", T0 + 28 * DAY, DIR_OUTBOUND, "s1");
	sl.v[0].value = xstrdup("1");
	store_sigs(f, &sl);
	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	s = find_stalled(&l, "a3.nl");
	assert_non_null(s);
	assert_int_equal(s->quiet_since, T0 + 12 * DAY);
	stalled_list_free(&l);

	add_sig(&sl, SIG_SNOOZE, "a3.nl", "anna", T0 + 28 * DAY, DIR_OUTBOUND, "s2");
	sl.v[0].value = xstrdup("14");
	store_sigs(f, &sl);
	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_null(find_stalled(&l, "a3.nl"));
	assert_non_null(find_stalled(&l, "a4.nl"));
	stalled_list_free(&l);

	/* Past the snooze it is stalled again. */
	af.as_of = T0 + 43 * DAY;
	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_non_null(find_stalled(&l, "a3.nl"));
	stalled_list_free(&l);

	/* A stored value out of bounds snoozes nothing. */
	af.as_of = NOW;
	if (sqlite3_exec(f->st->db, "UPDATE signals SET value = '100000'"
	    " WHERE kind = 'snooze'", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_non_null(find_stalled(&l, "a3.nl"));
	stalled_list_free(&l);
}

/*
 * A deal's value: the newest amount of an offer's subject or a value
 * signal (#value, set --value), in time order.
 */
static void
test_analysis_value_signal(void **state)
{
	struct fixture *f = *state;
	struct signal_list sl = { 0 };
	struct deal_facts df;
	struct err err;

	add_sig(&sl, SIG_OFFER_SENT, "v1.nl", "anna", T0 + 1 * DAY, DIR_OUTBOUND, "v1-1");
	free(sl.v[0].subject);
	sl.v[0].subject = xstrdup("Offerte 2026-014 \xe2\x80\x93 \xe2\x82\xac 20.000,-");
	add_sig(&sl, SIG_VALUE, "v1.nl", "anna", T0 + 3 * DAY, DIR_OUTBOUND, "v1-2");
	sl.v[1].value = xstrdup("12500.00");
	store_sigs(f, &sl);
	assert_int_equal(analysis_deal_facts(f->st, "v1.nl", T0, NOW, &df,
	    &err), 0);
	assert_near(df.value, 12500, EPS);
	assert_string_equal(df.value_from, "by hashtag");
	deal_facts_free(&df);

	/* A newer offer wins over the hashtag. */
	add_sig(&sl, SIG_OFFER_SENT, "v1.nl", "anna", T0 + 5 * DAY, DIR_OUTBOUND, "v1-3");
	free(sl.v[0].subject);
	sl.v[0].subject = xstrdup("Quotation Q-17 EUR 15,000.00");
	store_sigs(f, &sl);
	assert_int_equal(analysis_deal_facts(f->st, "v1.nl", T0, NOW, &df,
	    &err), 0);
	assert_near(df.value, 15000, EPS);
	assert_string_equal(df.value_from, "the newest offer");
	deal_facts_free(&df);
}

/* Reasons as they are grouped. */
static void
test_lost_reason_fold(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} rows[] = {
		{ "price", "price" },
		{ "  Price. ", "price" },
		{ "PRIJS te\thoog!", "prijs te hoog" },
		{ "te   duur", "te duur" },
		{ "...", NULL },
		{ "", NULL },
		{ "Caf\xc3\xa9 Prijs", "caf\xc3\xa9 prijs" },
	};
	char big[600];
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		test_assert_str(lost_reason_fold(rows[i].in), rows[i].want);
	assert_null(lost_reason_fold(NULL));
	/* Long: cut at LOST_REASON_MAX bytes, not inside a character. */
	for (i = 0; i + 2 < sizeof big; i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	big[i] = '\0';
	got = lost_reason_fold(big);
	assert_true(strlen(got) <= LOST_REASON_MAX);
	assert_true(test_utf8_valid(got));
	free(got);
}

/*
 * lost-reasons: a0.nl (suspect, day -2) and a2.nl (offer, day 20) were
 * lost without a reason; l1.nl in offer and l2.nl in suspect for
 * "price" (written two ways), l3.nl in offer for "te duur"; bram lost
 * nothing.
 */
static void
test_lost_reasons(void **state)
{
	struct fixture *f = *state;
	struct signal_list sl = { 0 };
	struct lost_reasons lr;
	struct strlist people = { 0 };
	struct err err;
	char got[512];
	size_t i, n;

	add_sig(&sl, SIG_OFFER_SENT, "l1.nl", "anna", T0 + 1 * DAY, DIR_OUTBOUND, "l1-1");
	add_sig(&sl, SIG_LOST, "l1.nl", "anna", T0 + 5 * DAY, DIR_OUTBOUND, "l1-2");
	sl.v[sl.n - 1].value = xstrdup("Price.");
	add_sig(&sl, SIG_APPOINTMENT, "l2.nl", "anna", T0 + 1 * DAY, DIR_OUTBOUND, "l2-1");
	add_sig(&sl, SIG_LOST, "l2.nl", "anna", T0 + 6 * DAY, DIR_OUTBOUND, "l2-2");
	sl.v[sl.n - 1].value = xstrdup("price");
	add_sig(&sl, SIG_OFFER_SENT, "l3.nl", "anna", T0 + 1 * DAY, DIR_OUTBOUND, "l3-1");
	add_sig(&sl, SIG_LOST, "l3.nl", "anna", T0 + 7 * DAY, DIR_OUTBOUND, "l3-2");
	sl.v[sl.n - 1].value = xstrdup(" te  duur ");
	store_sigs(f, &sl);

	assert_int_equal(lost_reasons_collect(f->st, &f->cfg, NULL, 0, 0, &lr,
	    &err), 0);
	got[0] = '\0';
	for (i = 0; i < lr.n; i++) {
		n = strlen(got);
		snprintf(got + n, sizeof got - n, "%s%s/%s/%ld/%ld",
		    i > 0 ? " " : "", lr.v[i].reason != NULL ? lr.v[i].reason :
		    "-", lr.v[i].phase, lr.v[i].count, lr.v[i].reason_total);
	}
	assert_string_equal(got, "price/suspect/1/2 price/offer/1/2 "
	    "-/suspect/1/2 -/offer/1/2 te duur/offer/1/1");
	assert_int_equal(lr.deals, 5);
	assert_int_equal(lr.with_reason, 3);
	lost_reasons_free(&lr);

	/* The range is the close: from T0 on, a0.nl is not counted. */
	assert_int_equal(lost_reasons_collect(f->st, &f->cfg, NULL, T0,
	    T0 + 6 * DAY, &lr, &err), 0);
	assert_int_equal(lr.deals, 1);
	assert_string_equal(lr.v[0].reason, "price");
	assert_string_equal(lr.v[0].phase, "offer");
	lost_reasons_free(&lr);

	strlist_add(&people, "bram");
	assert_int_equal(lost_reasons_collect(f->st, &f->cfg, &people, 0, 0,
	    &lr, &err), 0);
	assert_int_equal(lr.n, 0);
	assert_int_equal(lr.deals, 0);
	lost_reasons_free(&lr);
	strlist_clear(&people);
}

/* Sets when every signal was seen: an hour after it occurred, late_ref's at late. */
static void
set_seen(struct fixture *f, const char *late_ref, time_t late)
{
	char *sql = xasprintf("UPDATE signals SET seen_at = CASE WHEN ref = '%s'"
	    " THEN %lld ELSE occurred_at + 3600 END", late_ref, (long long)late);

	if (sqlite3_exec(f->st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	free(sql);
}

/*
 * "As of" means what was known then.  With every signal seen an hour
 * after it occurred, a1's order confirmation (day 10) seen on day 29 is
 * known at NOW (day 30): a1 won, as above.  Seen on day 31 it is not:
 * a1's deal is still in offer, its appointment of day 20 belongs to it
 * (no growth deal), and no deal was won yet.
 */
static void
test_analysis_forecast_seen(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	const char *order = "order_confirmed:a1.nl:<a1-3@test>";
	struct forecast fc;
	struct err err;
	size_t i;

	set_seen(f, order, T0 + 29 * DAY);
	assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc, &err), 0);
	assert_int_equal(fc.won, 1);
	assert_int_equal(fc.growth.deals, 1);
	forecast_free(&fc);

	set_seen(f, order, T0 + 31 * DAY);
	assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc, &err), 0);
	assert_int_equal(fc.won, 0);
	assert_int_equal(fc.closed, 3);
	assert_int_equal(fc.growth.deals, 0);
	assert_int_equal(fc.ndeals, 3);
	for (i = 0; i < fc.ndeals; i++)
		if (strcmp(fc.deals[i].account, "a1.nl") == 0)
			assert_int_equal(fc.deals[i].phase, 3);
	forecast_free(&fc);
}

/* The forecast at t of the streamed history equals the backtest's at t (the loaded one). */
static void
check_same_forecast(struct fixture *f, time_t t, int horizon)
{
	struct analysis_filter af = { &f->cfg, 0, 0, t, NULL, false, NULL };
	struct forecast fc;
	struct backtest bt;
	struct err err;

	if (analysis_forecast(f->st, &af, horizon, true, &fc, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	if (analysis_backtest(f->st, &af, t, t, 1, horizon, &bt, &err) != 0)
		fail_msg("backtest: %s", err.msg);
	assert_int_equal(bt.n, 1);
	/* The same arithmetic on the same deals: equal to the bit. */
	assert_true(fc.total.expected == bt.v[0].expected);
	assert_true(fc.total.low == bt.v[0].low);
	assert_true(fc.total.high == bt.v[0].high);
	assert_true(fc.total.low80 == bt.v[0].low80);
	assert_true(fc.total.high80 == bt.v[0].high80);
	assert_int_equal(fc.total.actual_all, bt.v[0].actual);
	assert_int_equal(fc.total.deals, bt.v[0].open);
	forecast_free(&fc);
	backtest_free(&bt);
}

/*
 * A generated history: 300 accounts of four salespeople over two years,
 * each a few deals' worth of signals of every kind, a fifth of them
 * seen weeks after they occurred (an as-of date leaves them out).
 */
static void
build_history(struct fixture *f)
{
	static const enum signal_kind kinds[] = { SIG_CONTACT, SIG_CALL,
	    SIG_APPOINTMENT, SIG_DEMO, SIG_OFFER_SENT, SIG_VERBAL_ORDER,
	    SIG_ORDER_CONFIRMED, SIG_LOST };
	static const char *const who[] = { "anna", "bram", "cees", "dirk" };
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char account[32], id[32];
	time_t at;
	struct err err;
	int a, k, n;

	for (a = 0; a < 300; a++) {
		snprintf(account, sizeof account, "gen%03d.nl", a);
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		at = T0 - 700 * DAY + (time_t)((x >> 33) % (680 * DAY));
		n = 2 + (int)((x >> 20) % 12);
		for (k = 0; k < n; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			at += (time_t)((x >> 33) % (40 * DAY));
			snprintf(id, sizeof id, "g%d-%d", a, k);
			add_sig(&l, kinds[(x >> 13) % 8], account,
			    who[a % 4], at, (x >> 7) % 3 == 0 ? DIR_INBOUND :
			    DIR_OUTBOUND, id);
		}
	}
	if (store_add_signals(f->st, &l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);
	if (sqlite3_exec(f->st->db, "UPDATE signals SET seen_at = CASE"
	    " WHEN id % 5 = 0 THEN occurred_at + 30 * 86400"
	    " ELSE occurred_at + 3600 END", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
}

/*
 * The forecast reads the history one account at a time (its memory
 * follows the deals, not the signals); the backtest projects the same
 * history loaded once.  Both must give the same forecast, now and as of
 * past dates (signals seen after the date left out): on the fixture and
 * on a generated history of two years.
 */
static void
test_analysis_forecast_stream(void **state)
{
	struct fixture *f = *state;
	time_t t;

	set_seen(f, "order_confirmed:a1.nl:<a1-3@test>", T0 + 31 * DAY);
	for (t = T0 - 3 * DAY; t <= NOW; t += 4 * DAY)
		check_same_forecast(f, t, 30);
	build_history(f);
	for (t = T0 - 600 * DAY; t <= NOW; t += 45 * DAY) {
		check_same_forecast(f, t, 30);
		check_same_forecast(f, t, 90);
	}
}

/* Two forecasts give the same open deals, phases and sums, bit for bit. */
static void
check_same_forecast_deals(const struct forecast *cur,
    const struct forecast *re)
{
	size_t i;
	int p;

	assert_int_equal(cur->open, re->open);
	assert_int_equal(cur->closed, re->closed);
	assert_int_equal(cur->won, re->won);
	assert_int_equal(cur->history_from, re->history_from);
	assert_int_equal(cur->ndeals, re->ndeals);
	for (i = 0; i < cur->ndeals; i++) {
		const struct forecast_deal *a = &cur->deals[i], *b = &re->deals[i];

		assert_string_equal(a->account, b->account);
		assert_string_equal(a->salesperson, b->salesperson);
		assert_int_equal(a->kind, b->kind);
		assert_int_equal(a->phase, b->phase);
		assert_int_equal(a->phase_since, b->phase_since);
		assert_int_equal(a->opened, b->opened);
		assert_int_equal(a->history, b->history);
		assert_int_equal(a->history_won, b->history_won);
		assert_true(a->p_won == b->p_won);
		assert_int_equal(a->expected_close, b->expected_close);
		assert_int_equal(a->deal, b->deal);
	}
	for (p = 0; p < (int)cur->nphases; p++) {
		assert_int_equal(cur->phases[p].history, re->phases[p].history);
		assert_true(cur->phases[p].p_won == re->phases[p].p_won);
	}
	assert_true(cur->total.expected == re->total.expected);
	assert_true(cur->total.low == re->total.low);
	assert_true(cur->total.high == re->total.high);
	assert_true(cur->total.low80 == re->total.low80);
	assert_true(cur->total.high80 == re->total.high80);
}

/*
 * The forecast at t (at or after the store's projection) read from the
 * stored deals equals the one that projects the whole history again, to
 * the bit; *open its open deals.
 */
static void
check_same_current(struct fixture *f, time_t t, int horizon, size_t *open)
{
	struct analysis_filter af = { &f->cfg, 0, 0, t, NULL, true, NULL };
	struct forecast cur, re, one;
	struct err err;

	if (analysis_forecast(f->st, &af, horizon, false, &cur, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	analysis_reproject = true;
	if (analysis_forecast(f->st, &af, horizon, false, &re, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	analysis_reproject = false;
	check_same_forecast_deals(&cur, &re);
	/* The stored deals read on one thread: the same again. */
	util_one_thread = true;
	if (analysis_forecast(f->st, &af, horizon, false, &one, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	util_one_thread = false;
	check_same_forecast_deals(&cur, &one);
	*open = cur.ndeals;
	forecast_free(&cur);
	forecast_free(&re);
	forecast_free(&one);
}

/*
 * A signal older than the whole history, stored inside a transaction
 * that is still open: the forecast read inside it starts its history
 * there (read in the caller's transaction, which sees the write).
 */
static void
check_first_written(struct fixture *f)
{
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct signal_list l = { 0 };
	struct forecast fc;
	struct err err;
	time_t early = T0 - 1000 * DAY;

	if (analysis_forecast(f->st, &af, 30, false, &fc, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	assert_true(fc.history_from > early);
	forecast_free(&fc);
	assert_int_equal(store_begin(f->st, &err), 0);
	add_sig(&l, SIG_CONTACT, "gen001.nl", "anna", early, DIR_INBOUND,
	    "early-1");
	if (store_add_signals(f->st, &l, NULL, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	signal_list_clear(&l);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM dirty",
	    NULL), 0);
	if (analysis_forecast(f->st, &af, 30, false, &fc, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	assert_int_equal(fc.history_from, early);
	forecast_free(&fc);
	store_rollback(f->st);
}

/*
 * The deals of team in all (n of them), in its order, are those of l (ln
 * of them), with the same meetings: a team's meetings are read for its
 * accounts alone, everyone's at once.
 */
static void
check_stalled_in(const struct stalled *all, size_t n,
    const struct strlist *team, const struct stalled *l, size_t ln)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < team->n; j++)
			if (strcmp(all[i].salesperson, team->v[j]) == 0)
				break;
		if (j == team->n)
			continue;
		assert_true(k < ln);
		assert_int_equal(l[k].deal, all[i].deal);
		assert_true(l[k].over_days == all[i].over_days);
		assert_int_equal(l[k].next_meeting, all[i].next_meeting);
		assert_int_equal(l[k].quiet_since, all[i].quiet_since);
		k++;
	}
	assert_int_equal(k, ln);
}

/* The stalled and planned deals of team in all are those of l. */
static void
check_stalled_of(const struct stalled_list *all, const struct strlist *team,
    const struct stalled_list *l)
{
	check_stalled_in(all->v, all->n, team, l->v, l->n);
	check_stalled_in(all->planned, all->nplanned, team, l->planned,
	    l->nplanned);
}

/* Collects the first column of each row (sqlite3_exec). */
static int
collect_text(void *arg, int ncol, char **val, char **name)
{
	(void)ncol;
	(void)name;
	strlist_add(arg, val[0]);
	return 0;
}

/*
 * As of now the stalled deals come from what the projection kept: each
 * open deal's activity and each won deal's quiet spells (the usual spell
 * of each phase), of its signals and the meetings held (one halfway
 * through each won deal, its account projected again as when a meeting
 * arrives).  Without it (a database of version 17 until projected
 * again) they come from the signals: the same list, with usual spells
 * that the won deals made (not usual_quiet_days alone).
 */
static void
test_analysis_stalled_kept(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct stalled_list kept, read;
	struct strlist won = { 0 };
	struct err err;
	size_t i, own = 0;

	build_history(f);
	assert_int_equal(sqlite3_exec(store_db(f->st), "INSERT INTO"
	    " appointments(source, item, uid, salesperson, account_id, kind,"
	    " start, \"end\", all_day, day, created, series) SELECT"
	    " 'caldav:anna', 'm-' || id, 'u-' || id, 'anna', account_id,"
	    " 'appointment', (opened + closed) / 2, (opened + closed) / 2"
	    " + 3600, 0, '2026-06-01', opened, 0 FROM deals"
	    " WHERE outcome = 'won'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(store_db(f->st), "SELECT DISTINCT account"
	    " FROM deals WHERE outcome = 'won'", collect_text, &won, NULL),
	    SQLITE_OK);
	if (project_accounts(f->st, &f->cfg, &won, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	strlist_clear(&won);
	assert_true(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE outcome = 'won' AND quiet_spells LIKE '% %'", NULL) > 10);
	assert_int_equal(analysis_stalled(f->st, &af, &kept, &err), 0);
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE deals"
	    " SET latest_at = NULL, quiet_spells = NULL", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(analysis_stalled(f->st, &af, &read, &err), 0);
	check_same_stalled(&kept, &read);
	assert_true(kept.n > 10);
	for (i = 0; i < kept.n; i++)
		if (!kept.v[i].verbal && kept.v[i].usual_days !=
		    (double)f->cfg.usual_quiet_days &&
		    kept.v[i].usual_days != ANALYSIS_USUAL_FLOOR)
			own++;
	assert_true(own > 0);
	stalled_list_free(&kept);
	stalled_list_free(&read);
}

/* The open deal of account key that is the stalled or planned one in l; NULL if none. */
static const struct stalled *
stalled_find(const struct stalled_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].account, key) == 0)
			return &l->v[i];
	for (i = 0; i < l->nplanned; i++)
		if (strcmp(l->planned[i].account, key) == 0)
			return &l->planned[i];
	return NULL;
}

/* Meetings held with half the open deals' accounts, planned with a fifth. */
static void
add_open_meetings(struct fixture *f)
{
	char sql[512];

	snprintf(sql, sizeof sql, "INSERT INTO appointments(source, item,"
	    " uid, salesperson, account_id, kind, start, \"end\", all_day,"
	    " day, created, series) SELECT 'caldav:anna', 'm-' || id,"
	    " 'u-' || id, 'anna', account_id, 'appointment', CASE"
	    " WHEN id %% 5 = 0 THEN %lld ELSE (opened + %lld) / 2 END, %lld,"
	    " 0, '2026-06-01', opened, 0 FROM deals WHERE outcome = 'open'"
	    " AND id %% 2 = 0", (long long)(NOW + 3 * DAY), (long long)NOW,
	    (long long)(NOW + 3 * DAY + 3600));
	assert_int_equal(sqlite3_exec(store_db(f->st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
}

/*
 * A team's list, when a won deal's quiet spells were not kept (a signal
 * the projection skipped): the usual spells come from the won deals'
 * signals and meetings, so every meeting is read for them, and the team's
 * deals are everyone's with the same usual spells.  Meetings are held all
 * through the won deals, so that they shorten the spells.
 */
static void
test_analysis_stalled_unkept_team(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct stalled_list all, one;
	struct strlist team = { 0 };
	struct err err;

	build_history(f);
	if (sqlite3_exec(store_db(f->st), "WITH RECURSIVE t(d, at) AS"
	    " (SELECT id, opened FROM deals WHERE outcome = 'won' UNION ALL"
	    " SELECT d, at + 3 * 86400 FROM t, deals WHERE deals.id = t.d"
	    " AND at + 3 * 86400 < deals.closed)"
	    " INSERT INTO appointments(source, item, uid, salesperson,"
	    " account_id, kind, start, \"end\", all_day, day, created, series)"
	    " SELECT 'caldav:anna', 'w-' || d || '-' || at, 'u', 'anna',"
	    " deals.account_id, 'appointment', at, at + 3600, 0, '2026-01-01',"
	    " at, 0 FROM t JOIN deals ON deals.id = t.d;"
	    "UPDATE deals SET quiet_spells = NULL WHERE outcome = 'won'",
	    NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("meetings: %s", sqlite3_errmsg(store_db(f->st)));
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM dirty",
	    NULL), 0);
	assert_int_equal(analysis_stalled(f->st, &af, &all, &err), 0);
	strlist_add(&team, "bram");
	strlist_add(&team, "dirk");
	af.salespeople = &team;
	assert_int_equal(analysis_stalled(f->st, &af, &one, &err), 0);
	assert_true(one.n > 5);
	check_stalled_of(&all, &team, &one);
	stalled_list_free(&all);
	stalled_list_free(&one);
	strlist_clear(&team);
}

/*
 * A digest run's base read first for a team, then for everyone, then
 * for the team again: each list is the one read alone, meetings and
 * planned deals included (the base holds every meeting for them all).
 */
static void
test_analysis_stalled_shared_team_first(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct stalled_list alone, t1, t2, sb;
	struct strlist team = { 0 };
	struct err err;

	build_history(f);
	add_open_meetings(f);
	assert_int_equal(analysis_stalled(f->st, &af, &alone, &err), 0);
	assert_true(alone.nplanned > 0);
	af.shared = analysis_shared_new();
	strlist_add(&team, "bram");
	af.salespeople = &team;
	assert_int_equal(analysis_stalled(f->st, &af, &t1, &err), 0);
	af.salespeople = NULL;
	assert_int_equal(analysis_stalled(f->st, &af, &sb, &err), 0);
	af.salespeople = &team;
	assert_int_equal(analysis_stalled(f->st, &af, &t2, &err), 0);
	check_same_stalled(&alone, &sb);
	check_same_stalled(&t1, &t2);
	check_stalled_of(&alone, &team, &t1);
	analysis_shared_free(af.shared);
	stalled_list_free(&alone);
	stalled_list_free(&sb);
	stalled_list_free(&t1);
	stalled_list_free(&t2);
	strlist_clear(&team);
}

/* How many statements of l read every meeting (QUERY_MEETING_TIMES). */
static size_t
count_all_meetings(const struct strlist *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += strstr(l->v[i], "IS NOT NULL ORDER BY 1, 2") != NULL;
	return n;
}

/*
 * The stalled deals of a team, with a shared told of teams alone, read
 * the meetings of the team's deals, not every meeting of the store (one
 * manager's digest read them all for the others it did not have); a
 * shared never told, or told of everyone, reads them all once.  The
 * lists are those made without a shared.
 */
static void
test_analysis_stalled_team_meetings(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct stalled_list alone, shared;
	struct strlist team = { 0 }, sql = { 0 };
	struct err err;
	int pass;

	build_history(f);
	add_open_meetings(f);
	strlist_add(&team, "bram");
	strlist_add(&team, "dirk");
	af.salespeople = &team;
	util_one_thread = true;
	assert_int_equal(analysis_stalled(f->st, &af, &alone, &err), 0);
	assert_true(alone.n > 5 && alone.nplanned > 0);
	for (pass = 0; pass < 3; pass++) {
		af.shared = analysis_shared_new();
		if (pass == 1)
			analysis_shared_cover(af.shared, &team);
		if (pass == 2)
			analysis_shared_cover(af.shared, NULL);
		sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT,
		    test_trace_sql, &sql);
		assert_int_equal(analysis_stalled(f->st, &af, &shared, &err),
		    0);
		sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
		assert_int_equal(count_all_meetings(&sql), pass == 1 ? 0 : 1);
		check_same_stalled(&alone, &shared);
		stalled_list_free(&shared);
		analysis_shared_free(af.shared);
		strlist_clear(&sql);
	}
	util_one_thread = false;
	stalled_list_free(&alone);
	strlist_clear(&team);
}

/*
 * As of now the meetings and the usual spells are read on a thread of
 * their own, on a second connection, while the open deals are read: the
 * same list as on one thread, for everyone and for a team (whose
 * meetings are read for its deals' accounts alone, after its deals: the
 * team's deals of everyone's list, with the same meetings).  Inside a
 * transaction that has written (a meeting not yet committed), the second
 * connection would not see what it wrote: read on the caller's thread
 * then, the meeting counted.  A failure of the thread's read fails the
 * list with its error.
 */
static void
test_analysis_stalled_read_ahead(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct stalled_list one, two, all = { 0 };
	const struct stalled *s;
	struct strlist team = { 0 };
	struct err err;
	char *key, sql[512];
	int pass;

	build_history(f);
	add_open_meetings(f);
	strlist_add(&team, "bram");
	strlist_add(&team, "dirk");
	for (pass = 0; pass < 2; pass++) {
		af.salespeople = pass == 0 ? NULL : &team;
		util_one_thread = true;
		assert_int_equal(analysis_stalled(f->st, &af, &one, &err), 0);
		assert_false(analysis_base_read_ahead);
		util_one_thread = false;
		assert_int_equal(analysis_stalled(f->st, &af, &two, &err), 0);
		assert_true(analysis_base_read_ahead);
		check_same_stalled(&one, &two);
		assert_true(one.n > (pass == 0 ? 10 : 5));
		assert_true(one.nplanned > 0);
		if (pass == 0)
			all = one;
		else {
			check_stalled_of(&all, &team, &one);
			stalled_list_free(&one);
		}
		stalled_list_free(&two);
	}
	stalled_list_free(&all);
	af.salespeople = NULL;
	strlist_clear(&team);

	/* A meeting planned inside a transaction moves its deal to planned. */
	assert_int_equal(analysis_stalled(f->st, &af, &one, &err), 0);
	assert_true(one.n > 0);
	key = xstrdup(one.v[0].account);
	assert_int_equal(one.v[0].next_meeting, 0);
	stalled_list_free(&one);
	assert_int_equal(store_begin(f->st, &err), 0);
	snprintf(sql, sizeof sql, "INSERT INTO appointments(source, item,"
	    " uid, salesperson, account_id, kind, start, \"end\", all_day,"
	    " day, created, series) SELECT 'caldav:anna', 'next', 'next',"
	    " 'anna', id, 'appointment', %lld, %lld, 0, '2026-07-01', %lld, 0"
	    " FROM accounts WHERE key = '%s'", (long long)(NOW + 2 * DAY),
	    (long long)(NOW + 2 * DAY + 3600), (long long)NOW, key);
	assert_int_equal(sqlite3_exec(store_db(f->st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(analysis_stalled(f->st, &af, &one, &err), 0);
	s = stalled_find(&one, key);
	assert_non_null(s);
	assert_int_equal(s->next_meeting, NOW + 2 * DAY);
	assert_false(analysis_base_read_ahead);
	stalled_list_free(&one);
	store_rollback(f->st);
	free(key);

	/*
	 * The meetings' index corrupt on disk (a page the deals' reads do not
	 * touch): the thread's read fails, and so does the list, with its
	 * error.
	 */
	(void)test_corrupt_page(f->st, "appointments_account", 0);
	assert_int_equal(analysis_stalled(f->st, &af, &one, &err), -1);
	assert_true(analysis_base_read_ahead);
	assert_non_null(strstr(err.msg, "appointments"));
	assert_non_null(strstr(err.msg, "malformed"));
	assert_int_equal(one.n, 0);
	assert_null(one.v);
}

/*
 * A digest run reads the whole history once for all its managers
 * (analysis_shared): for each team, the forecast's sums and the stalled
 * deals are the same as those read for the team alone, as of now (the
 * stored deals, the open deals' signals in one pass, each salesperson's
 * open deals from their index: those of everyone's that are the team's)
 * and as of a past date (projected again, each deal as it stood),
 * whatever team came first, a salesperson named twice judged once.  What it keeps is the history of its as_of: with every signal
 * moved out of sight, the team's forecast at that as_of is still the
 * one read before, and at another as_of it is read again.
 */
static void
test_analysis_shared(void **state)
{
	struct fixture *f = *state;
	static const char *const teams[][2] = { { "anna", "bram" },
	    { "cees", NULL }, { "dirk", "anna" }, { "bram", "bram" },
	    { NULL, NULL } };
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct analysis_shared *sh;
	struct forecast alone, shared, again;
	struct stalled_list sa, sb, all;
	struct strlist team;
	struct err err;
	size_t k, i, j, stalled = 0, deals = 0;

	build_history(f);
	if (sqlite3_exec(f->st->db, "UPDATE signals SET seen_at = occurred_at",
	    NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	/* As of now (the stored deals), then as of 90 days before. */
	for (k = 0; k < 2; k++) {
		af.as_of = k == 0 ? NOW : NOW - 90 * DAY;
		af.current = k == 0;
		setenv("SALESCYCLE_NOW", "2026-06-28T00:00:00Z", 1);
		af.salespeople = NULL;
		af.shared = NULL;
		assert_int_equal(analysis_stalled(f->st, &af, &all, &err), 0);
		sh = analysis_shared_new();
		for (i = 0; i < 5; i++) {
			memset(&team, 0, sizeof team);
			for (j = 0; j < 2 && teams[i][j] != NULL; j++)
				strlist_add(&team, teams[i][j]);
			af.salespeople = &team;
			af.shared = NULL;
			assert_int_equal(analysis_forecast_sums(f->st, &af, 30,
			    &alone, &err), 0);
			assert_int_equal(analysis_stalled(f->st, &af, &sa,
			    &err), 0);
			af.shared = sh;
			assert_int_equal(analysis_forecast_sums(f->st, &af, 30,
			    &shared, &err), 0);
			assert_int_equal(analysis_stalled(f->st, &af, &sb,
			    &err), 0);
			test_assert_same_forecast(&alone, &shared);
			check_same_stalled(&sa, &sb);
			if (team.n > 0)
				check_stalled_of(&all, &team, &sa);
			deals += shared.ndeals;
			stalled += sb.n + sb.nplanned;
			forecast_free(&alone);
			forecast_free(&shared);
			stalled_list_free(&sa);
			stalled_list_free(&sb);
			strlist_clear(&team);
		}
		unsetenv("SALESCYCLE_NOW");
		analysis_shared_free(sh);
		stalled_list_free(&all);
	}
	/* There were open and stalled deals to compare. */
	assert_true(deals > 50);
	assert_true(stalled > 10);

	/* Kept for its as_of only. */
	af.as_of = NOW - 90 * DAY;
	af.current = false;
	af.salespeople = NULL;
	af.shared = sh = analysis_shared_new();
	assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &shared, &err),
	    0);
	assert_true(shared.ndeals > 0);
	if (sqlite3_exec(f->st->db, "UPDATE signals SET seen_at = seen_at +"
	    " 1000 * 86400", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &again, &err),
	    0);
	test_assert_same_forecast(&shared, &again);
	forecast_free(&again);
	af.as_of++;
	assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &again, &err),
	    0);
	assert_int_equal(again.ndeals, 0);
	forecast_free(&again);
	forecast_free(&shared);
	analysis_shared_free(sh);
}

/*
 * A shared told which salespeople the run's filters admit estimates
 * their open deals alone, and serves a filter admitting another all the
 * same (then estimating every open deal of the deals it read).
 */
static void
test_analysis_shared_cover(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct analysis_shared *sh;
	struct forecast alone, shared;
	struct strlist ab = { 0 }, c = { 0 }, da = { 0 };
	struct err err;
	size_t every, own, made, i;

	build_history(f);
	if (sqlite3_exec(f->st->db, "UPDATE signals SET seen_at = occurred_at",
	    NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	setenv("SALESCYCLE_NOW", "2026-06-28T00:00:00Z", 1);
	strlist_add(&ab, "anna");
	strlist_add(&ab, "bram");
	strlist_add(&c, "cees");
	strlist_add(&da, "dirk");
	strlist_add(&da, "anna");
	/* Never told: every open deal. */
	af.shared = sh = analysis_shared_new();
	af.salespeople = &ab;
	analysis_estimated = 0;
	assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &shared, &err),
	    0);
	every = analysis_estimated;
	analysis_estimated = 0;
	forecast_free(&shared);
	analysis_shared_free(sh);

	sh = analysis_shared_new();
	analysis_shared_cover(sh, &ab);
	analysis_shared_cover(sh, &c);
	analysis_shared_cover(sh, &ab);
	for (i = 0; i < 4; i++) {
		af.salespeople = i == 0 || i == 3 ? &ab : i == 1 ? &c : &da;
		af.shared = NULL;
		assert_int_equal(analysis_forecast_sums(f->st, &af, 30,
		    &alone, &err), 0);
		own = analysis_estimated;
		af.shared = sh;
		assert_int_equal(analysis_forecast_sums(f->st, &af, 30,
		    &shared, &err), 0);
		made = analysis_estimated - own;
		analysis_estimated = 0;
		test_assert_same_forecast(&alone, &shared);
		assert_true(alone.ndeals > 0);
		forecast_free(&alone);
		forecast_free(&shared);
		if (i == 0)
			/* anna's, bram's and cees's, not dirk's too. */
			assert_true(made > own && made < every);
		else if (i == 2)
			/* dirk's were not told: every open deal's, once. */
			assert_int_equal(made, every);
		else
			assert_int_equal(made, 0);
	}
	analysis_shared_free(sh);

	/* Told of another after a forecast: its estimates are made too. */
	sh = analysis_shared_new();
	analysis_shared_cover(sh, &ab);
	af.salespeople = &ab;
	af.shared = sh;
	assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &shared, &err),
	    0);
	forecast_free(&shared);
	analysis_shared_cover(sh, &c);
	af.salespeople = &c;
	af.shared = NULL;
	assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &alone, &err),
	    0);
	af.shared = sh;
	assert_int_equal(analysis_forecast_sums(f->st, &af, 30, &shared, &err),
	    0);
	test_assert_same_forecast(&alone, &shared);
	forecast_free(&alone);
	forecast_free(&shared);
	unsetenv("SALESCYCLE_NOW");
	analysis_shared_free(sh);
	strlist_clear(&ab);
	strlist_clear(&c);
	strlist_clear(&da);
}

/* How many rows a count statement gives. */
static long
count_rows(struct fixture *f, const char *sql)
{
	sqlite3_stmt *s;
	long n;

	if (sqlite3_prepare_v2(f->st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		fail_msg("%s: %s", sql, sqlite3_errmsg(f->st->db));
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/*
 * As of now the forecast reads the stored deals (the projection rebuild
 * and the agent write) instead of projecting the whole history again:
 * the same forecast on the generated history of two years, every signal
 * seen when it occurred (as the agent stores them), now and at later
 * dates (deals gone stale since the store projected them, stale_after_days
 * shorter than the forecast's presumption of a quiet deal lost), with accounts
 * that have signals after the date (projected again from their signals)
 * and won deals whose quiet spells set the threshold of the presumed
 * lost.  A stored deal changed behind the projection's back changes the
 * forecast as of now, not the projection again: the stored deals are
 * what is read; with accounts waiting in the dirty table they are not.
 * The history's first signal is read on a thread of its own beside the
 * stored deals, the same forecast as on one thread, and a failure there
 * fails the forecast.
 */
static void
test_analysis_forecast_current(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, true, NULL };
	struct forecast cur, re;
	struct err err;
	size_t open, first;
	int k;

	build_history(f);
	if (sqlite3_exec(f->st->db, "UPDATE signals SET seen_at = occurred_at",
	    NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	/* Stale after 120 days: the won deals' quiet spells decide. */
	for (k = 0; k <= 3; k++)
		check_same_current(f, NOW + k * 50 * DAY, 30, &open);
	/*
	 * The won deals' silences as the projection keeps them, or read
	 * from their signals where it kept none (a database of version 17
	 * until projected again): the same forecast.
	 */
	if (sqlite3_exec(f->st->db, "UPDATE deals SET quiet_spells = NULL,"
	    " silence = NULL", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	for (k = 0; k <= 3; k++)
		check_same_current(f, NOW + k * 50 * DAY, 30, &open);
	/*
	 * Stale sooner than the forecast presumes a quiet deal lost (21
	 * days at least), so that staleness since the projection shows.
	 */
	f->cfg.stale_after_days = 10;
	if (project_rebuild(f->st, &f->cfg, NOW, &err) != 0)
		fail_msg("rebuild: %s", err.msg);
	/* The cases are there: signals after now, deals stale 50 days on. */
	assert_true(count_rows(f, "SELECT count(DISTINCT account_id)"
	    " FROM signals WHERE occurred_at >= 1782604800") > 10);
	assert_true(count_rows(f, "SELECT count(*) FROM deals"
	    " WHERE outcome = 'open' AND last_activity < 1782604800 + 40 * 86400"
	    " AND last_activity >= 1782604800 - 10 * 86400") > 10);
	check_same_current(f, NOW, 30, &first);
	assert_true(first > 3);
	for (k = 1; k <= 3; k++) {
		check_same_current(f, NOW + k * 50 * DAY, 30, &open);
		check_same_current(f, NOW + k * 50 * DAY, 90, &open);
	}
	/* Later dates lose the stale deals: stale_after_days did its work. */
	assert_true(open < first);

	if (sqlite3_exec(f->st->db, "UPDATE deals SET salesperson = 'zed'"
	    " WHERE outcome = 'open'", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	if (analysis_forecast(f->st, &af, 30, false, &cur, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	analysis_reproject = true;
	if (analysis_forecast(f->st, &af, 30, false, &re, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	analysis_reproject = false;
	assert_int_equal(cur.ndeals, re.ndeals);
	for (k = 0; k < (int)cur.ndeals; k++)
		if (strcmp(cur.deals[k].salesperson, "zed") == 0)
			break;
	assert_true(k < (int)cur.ndeals);
	assert_string_not_equal(re.deals[k].salesperson, "zed");
	forecast_free(&cur);
	forecast_free(&re);

	if (sqlite3_exec(f->st->db, "INSERT INTO dirty(account)"
	    " VALUES('gen001.nl')", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("insert: %s", sqlite3_errmsg(f->st->db));
	if (analysis_forecast(f->st, &af, 30, false, &cur, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	for (k = 0; k < (int)cur.ndeals; k++)
		assert_string_not_equal(cur.deals[k].salesperson, "zed");
	forecast_free(&cur);
	if (sqlite3_exec(f->st->db, "DELETE FROM dirty", NULL, NULL, NULL) !=
	    SQLITE_OK)
		fail_msg("delete: %s", sqlite3_errmsg(f->st->db));
	check_first_written(f);
}

/*
 * The forecast at t with the landmarks read fast equals the walk's: the
 * same deals compared, the CIF but for rounding in its last bits (read
 * as a difference on the age's curve), and the same intervals.
 */
static void
check_same_landmarks(struct fixture *f, time_t t, int horizon)
{
	struct analysis_filter af = { &f->cfg, 0, 0, t, NULL, false, NULL };
	struct forecast fast, walk;
	struct err err;
	size_t i;

	if (analysis_forecast(f->st, &af, horizon, false, &fast, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	analysis_landmark_walk = true;
	if (analysis_forecast(f->st, &af, horizon, false, &walk, &err) != 0)
		fail_msg("forecast: %s", err.msg);
	analysis_landmark_walk = false;
	assert_int_equal(fast.ndeals, walk.ndeals);
	for (i = 0; i < fast.ndeals; i++) {
		const struct forecast_deal *a = &fast.deals[i], *b = &walk.deals[i];

		assert_string_equal(a->account, b->account);
		assert_int_equal(a->history, b->history);
		assert_int_equal(a->history_won, b->history_won);
		assert_near(a->p_won, b->p_won, 1e-12);
		assert_int_equal(a->expected_close, b->expected_close);
	}
	assert_near(fast.total.expected, walk.total.expected, 1e-9);
	assert_true(fast.total.low == walk.total.low);
	assert_true(fast.total.high == walk.total.high);
	assert_true(fast.total.low80 == walk.total.low80);
	assert_true(fast.total.high80 == walk.total.high80);
	forecast_free(&fast);
	forecast_free(&walk);
}

/*
 * Each open deal's chance comes from the deals that stayed in its phase
 * longer than it has: read for all open deals of a phase at once, not by
 * walking every member for each (quadratic at 1M signals).  Both readings
 * give the same forecast, on the fixture and on the generated history,
 * now and as of past dates, with horizons that reach past some closes
 * and the lowered landmark of the oldest deals.
 */
static void
test_analysis_forecast_landmarks(void **state)
{
	struct fixture *f = *state;
	time_t t;
	long open = 0;

	for (t = T0 - 3 * DAY; t <= NOW; t += 4 * DAY)
		check_same_landmarks(f, t, 30);
	build_history(f);
	for (t = T0 - 600 * DAY; t <= NOW; t += 30 * DAY) {
		struct analysis_filter af = { &f->cfg, 0, 0, t, NULL, false, NULL };
		struct forecast fc;
		struct err err;

		check_same_landmarks(f, t, 7);
		check_same_landmarks(f, t, 30);
		check_same_landmarks(f, t, 180);
		if (analysis_forecast(f->st, &af, 30, false, &fc, &err) != 0)
			fail_msg("forecast: %s", err.msg);
		open += (long)fc.ndeals;
		forecast_free(&fc);
	}
	/* The history has open deals to compare at those dates. */
	assert_true(open > 100);
}

/*
 * The landmark is read per whole day of age, but a deal is followed from
 * its exact age: what it has outlived within its day is not its chance.
 * Twelve deals reached closing 20 days before NOW and were won 12 hours
 * later, twelve reached it then and were lost 3 days later; x0 reached it
 * 19.2 hours before NOW.  Its day's members are all 24; of them only the
 * twelve lost were still open at its age: P = (0 * 12 + prior) / 13.
 * Counted from the start of its day, the twelve won would give it about
 * one half.
 */
static void
test_analysis_forecast_within_day(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	const struct forecast_deal *x = NULL;
	struct forecast fc;
	struct err err;
	char account[32], id[32];
	time_t at = NOW - 20 * DAY;
	size_t i;
	int k;

	for (k = 0; k < 24; k++) {
		snprintf(account, sizeof account, "c%02d.nl", k);
		snprintf(id, sizeof id, "c%d-1", k);
		add_sig(&l, SIG_VERBAL_ORDER, account, "anna", at,
		    DIR_OUTBOUND, id);
		snprintf(id, sizeof id, "c%d-2", k);
		if (k < 12)
			add_sig(&l, SIG_ORDER_CONFIRMED, account, "anna",
			    at + DAY / 2, DIR_INBOUND, id);
		else
			add_sig(&l, SIG_LOST, account, "anna", at + 3 * DAY,
			    DIR_OUTBOUND, id);
	}
	add_sig(&l, SIG_VERBAL_ORDER, "x0.nl", "bram", NOW - DAY * 4 / 5,
	    DIR_OUTBOUND, "x0-1");
	if (store_add_signals(f->st, &l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);

	assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc, &err), 0);
	for (i = 0; i < fc.ndeals; i++)
		if (strcmp(fc.deals[i].account, "x0.nl") == 0)
			x = &fc.deals[i];
	assert_non_null(x);
	assert_int_equal(x->phase, 4);
	assert_int_equal(x->history, 12);
	assert_int_equal(x->history_won, 0);
	assert_near(x->p_won, analysis_prior(&f->cfg, 4) / 13.0, EPS);
	forecast_free(&fc);
}

/*
 * The open deals' values read in one pass over every account's offers
 * (the whole company) are those read per deal through store_signals: on
 * the generated history with amounts in its offers, some of them
 * unattributed (the account their text names) and some of a second
 * account linked to the first, at dates where older offers of the same
 * account and offers before a deal's opening must lose.
 */
static void
test_analysis_forecast_values_pass(void **state)
{
	struct fixture *f = *state;
	time_t t;
	long valued = 0;
	size_t i;

	build_history(f);
	if (sqlite3_exec(f->st->db, "UPDATE signals SET subject ="
	    " 'Offerte EUR ' || (id * 10) || ',-' WHERE kind = 'offer_sent';"
	    "UPDATE signals SET matched_account_id = account_id,"
	    " account_id = NULL WHERE kind = 'offer_sent' AND id % 5 = 0;"
	    "INSERT INTO accounts(key) VALUES('linked.nl');"
	    "INSERT INTO account_links(account_id, target_id, how,"
	    " linked_at) SELECT (SELECT id FROM accounts"
	    " WHERE key = 'linked.nl'), id, 'test', 0 FROM accounts"
	    " WHERE key = 'gen007.nl';"
	    "UPDATE signals SET account_id = (SELECT id FROM accounts"
	    " WHERE key = 'linked.nl') WHERE kind = 'offer_sent'"
	    " AND account_id = (SELECT id FROM accounts"
	    " WHERE key = 'gen007.nl')", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("update: %s", sqlite3_errmsg(f->st->db));
	for (t = T0 - 600 * DAY; t <= NOW; t += 15 * DAY) {
		struct analysis_filter af = { &f->cfg, 0, 0, t, NULL, false, NULL };
		struct forecast pass, each;
		struct err err;

		if (analysis_forecast(f->st, &af, 30, false, &pass, &err) != 0)
			fail_msg("forecast: %s", err.msg);
		analysis_values_per_deal = true;
		if (analysis_forecast(f->st, &af, 30, false, &each, &err) != 0)
			fail_msg("forecast: %s", err.msg);
		analysis_values_per_deal = false;
		assert_int_equal(pass.ndeals, each.ndeals);
		for (i = 0; i < pass.ndeals; i++) {
			double a = pass.deals[i].value, b = each.deals[i].value;

			assert_string_equal(pass.deals[i].account,
			    each.deals[i].account);
			assert_true(isnan(a) ? isnan(b) : a == b);
		}
		assert_int_equal(pass.total.valued, each.total.valued);
		assert_true(pass.total.weighted_value ==
		    each.total.weighted_value);
		valued += pass.total.valued;
		forecast_free(&pass);
		forecast_free(&each);
	}
	/* The dates have valued deals to compare. */
	assert_true(valued > 50);
}

/*
 * Backtest from T0+5d, horizon 60 days (to day 65).  Then: a0 lost (day
 * -2); open a1 (offer since 4), a2 (offer since 3), a3 (suspect since 2),
 * a4 (suspect since 3): none quiet for 21 days.  What happened: a1 won at
 * day 10, a2 lost at 20, a3 and a4 open in the store.  The history's only
 * close is a loss: every chance is below its prior, no deal was won to
 * show when one closes, and 5 days of history say nothing of deals not
 * open yet.
 */
static void
test_analysis_backtest(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, T0 + 5 * DAY, NULL, false, NULL };
	struct forecast fc;
	struct err err;
	size_t i;

	assert_int_equal(analysis_forecast(f->st, &af, 60, true, &fc, &err), 0);
	assert_true(fc.backtest);
	assert_int_equal(fc.closed, 1);
	assert_int_equal(fc.won, 0);
	assert_int_equal(fc.ndeals, 4);
	for (i = 0; i < fc.ndeals; i++) {
		const struct forecast_deal *d = &fc.deals[i];

		if (strcmp(d->account, "a1.nl") == 0) {
			assert_int_equal(d->phase, 3);
			assert_int_equal(d->actual, OUTCOME_WON);
			assert_int_equal(d->actual_closed, T0 + 10 * DAY);
		} else if (strcmp(d->account, "a2.nl") == 0) {
			assert_int_equal(d->actual, OUTCOME_LOST);
			assert_int_equal(d->actual_closed, T0 + 20 * DAY);
		} else {
			/* a3 was still in suspect then. */
			assert_int_equal(d->phase, 1);
			assert_int_equal(d->actual, OUTCOME_OPEN);
		}
		assert_true(d->p_won <= analysis_prior(&f->cfg, d->phase) + EPS);
		assert_int_equal(d->expected_close, 0);
	}
	assert_near(fc.total.unopened, 0, EPS);
	assert_int_equal(fc.total.actual_won, 1);
	assert_int_equal(fc.new_deals.actual_won, 1);
	assert_int_equal(fc.new_deals.actual_all, 1);
	assert_int_equal(fc.growth.actual_all, 0);
	forecast_free(&fc);
}

/*
 * The backtest over dates: from day 5 every 10 days to day 25, horizon 10
 * (NOW is day 30).  Actual wins in [t, t + 10): day 5: a1 (day 10); 15:
 * none; 25: none (a1's growth deal is still open).  Run rate (wins in
 * the 10 days before): 0, 1 (a1 at day 10), 0: off by 1, 1 and 0, a
 * mean absolute error of 2/3.
 */
static void
test_analysis_backtest_dates(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL, false, NULL };
	struct backtest bt;
	struct err err;
	double mae = 0;
	size_t i;

	assert_int_equal(analysis_backtest(f->st, &af, T0 + 5 * DAY,
	    T0 + 25 * DAY, 10, 10, &bt, &err), 0);
	assert_int_equal(bt.n, 3);
	assert_int_equal(bt.v[0].as_of, T0 + 5 * DAY);
	assert_int_equal(bt.v[0].actual, 1);
	assert_int_equal(bt.v[1].actual, 0);
	assert_int_equal(bt.v[2].actual, 0);
	assert_near(bt.v[0].run_rate, 0, EPS);
	assert_near(bt.v[1].run_rate, 1, EPS);
	assert_near(bt.v[2].run_rate, 0, EPS);
	for (i = 0; i < bt.n; i++)
		mae += fabs(bt.v[i].expected - (double)bt.v[i].actual);
	assert_near(bt.mae, mae / 3, EPS);
	assert_near(bt.mae_run_rate, 2.0 / 3.0, EPS);
	backtest_free(&bt);

	/* Too many dates, or none, is an error. */
	assert_int_equal(analysis_backtest(f->st, &af, T0, T0 + 3000 * DAY, 1,
	    10, &bt, &err), -1);
	assert_int_equal(analysis_backtest(f->st, &af, T0 + 20 * DAY, T0, 1,
	    10, &bt, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analysis_percentile),
		cmocka_unit_test_setup_teardown(test_analysis_prior, setup, teardown),
		cmocka_unit_test(test_forecast_estimate),
		cmocka_unit_test(test_forecast_pb),
		cmocka_unit_test(test_forecast_pb_fast),
		cmocka_unit_test(test_forecast_pb_smooth),
		cmocka_unit_test(test_forecast_mixture),
		cmocka_unit_test(test_forecast_mixture_smooth),
		cmocka_unit_test(test_forecast_mixture_kinds),
		cmocka_unit_test(test_forecast_mixture_threads),
		cmocka_unit_test(test_forecast_conv_blocked),
		cmocka_unit_test_setup_teardown(test_analysis_conversion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_cohorts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_conversion_equals_funnel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_conversion_salesperson, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_account_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_sums, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_snooze, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_value_signal, setup, teardown),
		cmocka_unit_test(test_lost_reason_fold),
		cmocka_unit_test_setup_teardown(test_lost_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_current, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_landmarks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_within_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast_values_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_backtest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled_read_ahead,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_analysis_stalled_unkept_team, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_analysis_stalled_shared_team_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_shared_cover, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled_team_meetings,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_backtest_dates, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_tmpdir_cleanup();
	return rc;
}
