/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of analysis.c: the pure helpers (percentiles, priors, the
 * blend, the interval) from tables, and conversion, stalled deals, the
 * forecast and its backtest on a small store whose numbers are worked
 * out by hand in the comments below.
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
#include "helpers.h"
#include "model.h"
#include "report.h"
#include "store.h"
#include "xmalloc.h"

#define T0	1780012800	/* 2026-05-29 00:00 UTC */
#define DAY	86400
#define NOW	(T0 + 30 * DAY)
#define EPS	1e-6

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
	if (store_project(f->st, &f->cfg, &touched, NOW, &err) != 0)
		fail_msg("store_project: %s", err.msg);
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
test_analysis_blend_and_prior(void **state)
{
	struct fixture *f = *state;

	/* Configured priors win; unset ones are (index + 1) / (phases + 1). */
	assert_near(analysis_prior(&f->cfg, 1), 0.2, EPS);
	assert_near(analysis_prior(&f->cfg, 0), 1.0 / 6.0, EPS);
	assert_near(analysis_prior(&f->cfg, 4), 5.0 / 6.0, EPS);
	/* No history: the prior; much history: close to the observed rate. */
	assert_near(analysis_blend(0, 0, 0.3), 0.3, EPS);
	assert_near(analysis_blend(1, 3, 0.2), 3.0 / 13.0, EPS);
	assert_near(analysis_blend(900, 1000, 0.2), 902.0 / 1010.0, EPS);
}

static void
test_analysis_sum_interval(void **state)
{
	struct forecast_sum s = { .deals = 3, .expected = 1.5, .variance = 0.25 };

	(void)state;
	analysis_sum_interval(&s, 60);
	assert_near(s.low, 1.5 - 1.96 * 0.5, EPS);
	assert_near(s.high, 1.5 + 1.96 * 0.5, EPS);
	assert_near(s.per_month, 0.75, EPS);
	/* Clipped to [0, deals]. */
	s.expected = 0.2;
	s.variance = 0.16;
	s.deals = 1;
	analysis_sum_interval(&s, 30);
	assert_near(s.low, 0, EPS);
	assert_near(s.high, 0.2 + 1.96 * 0.4, EPS);
}

/*
 * Period [T0, T0+7d).  suspect entered by a1 (0), a2 (1), a3 (2), a4 (3):
 * a1 left after 4 days, a2 after 2, a3 after 8; a4 still there; a1 won.
 * Days 2, 4, 8: median 4, p75 6.  offer entered by a2 (3), a1 (4): a1
 * advanced (won) after 6 days, a2 lost.  Previous period [T0-7d, T0):
 * a0 entered suspect and was lost there.
 */
static void
test_analysis_conversion(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, T0, T0 + 7 * DAY, NOW, NULL };
	struct conversion cur, prev;
	struct err err;
	const struct conversion_phase *s, *o;

	assert_int_equal(analysis_conversion(f->st, &af, &cur, &prev, &err), 0);
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

/* The same numbers the funnel report gives for the same period. */
static void
test_analysis_conversion_equals_funnel(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, T0, T0 + 7 * DAY, NOW, NULL };
	struct report_filter rf = { &f->cfg, T0, T0 + 7 * DAY, NULL, NULL };
	struct conversion cur;
	struct funnel fu;
	struct err err;
	size_t i;

	assert_int_equal(analysis_conversion(f->st, &af, &cur, NULL, &err), 0);
	assert_int_equal(report_funnel(f->st, &rf, &fu, &err), 0);
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
	struct analysis_filter af = { &f->cfg, T0, T0 + 7 * DAY, NOW, &bram };
	struct conversion cur;
	struct err err;

	strlist_add(&bram, "bram");
	assert_int_equal(analysis_conversion(f->st, &af, &cur, NULL, &err), 0);
	assert_int_equal(cur.phases[1].entered, 1);
	assert_int_equal(cur.phases[1].open, 1);
	assert_int_equal(cur.phases[3].entered, 0);
	strlist_clear(&bram);
}

/*
 * At NOW (T0+30d).  Thresholds over all history: suspect p75 6 (days
 * 2, 4, 8), offer p75 6 (a1's 6 days).  a4: 27 days in suspect, 21 over.
 * a3: 20 days in offer (14 over); quiet since its inbound contact at
 * day 12, 18 days > 14: silent too, 4 over; stalled 14.  a1's growth
 * deal: 10 days in suspect, 4 over.  a6: 5 days, not stalled.
 */
static void
test_analysis_stalled(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL };
	struct stalled_list l;
	struct err err;

	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].account, "a4.nl");
	assert_string_equal(l.v[0].salesperson, "bram");
	assert_string_equal(l.v[0].phase, "suspect");
	assert_true(l.v[0].slow);
	assert_false(l.v[0].silent);
	assert_near(l.v[0].days_in_phase, 27, EPS);
	assert_near(l.v[0].p75_days, 6, EPS);
	assert_near(l.v[0].days_stalled, 21, EPS);
	assert_true(isnan(l.v[0].days_silent));

	assert_string_equal(l.v[1].account, "a3.nl");
	assert_string_equal(l.v[1].phase, "offer");
	assert_true(l.v[1].slow);
	assert_true(l.v[1].silent);
	assert_near(l.v[1].days_silent, 18, EPS);
	assert_near(l.v[1].days_stalled, 14, EPS);
	assert_int_equal(l.v[1].evidence_at, T0 + 12 * DAY);
	assert_string_equal(l.v[1].evidence, "contact: subject of a3-3");

	assert_string_equal(l.v[2].account, "a1.nl");
	assert_near(l.v[2].days_stalled, 4, EPS);
	stalled_list_free(&l);

	/* A longer silence_days keeps a3 slow but not silent. */
	f->cfg.silence_days = 20;
	assert_int_equal(analysis_stalled(f->st, &af, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[1].account, "a3.nl");
	assert_false(l.v[1].silent);
	stalled_list_free(&l);
}

/*
 * At NOW, history of closed deals: a0 (reached suspect, lost), a1
 * (reached closing, won), a2 (reached offer, lost).  suspect: 1 of 3 won,
 * prior 0.2: (1 + 2) / 13.  offer: 1 of 2, prior 0.5: (1 + 5) / 12 = 0.5.
 * a1 took 10 days from suspect and 6 from offer to win.  Open: a3 (offer
 * since 10: due day 16, before NOW, so NOW), a4 (suspect since 3: NOW),
 * a6 (suspect since 25: day 35), a1's growth deal (suspect since 20:
 * day 30 = NOW).  Horizon 30 days: all in it.
 */
static void
test_analysis_forecast(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL };
	struct forecast fc;
	struct err err;
	double ps = 3.0 / 13.0;
	size_t i;

	assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc, &err), 0);
	assert_int_equal(fc.phases[1].history, 3);
	assert_int_equal(fc.phases[1].history_won, 1);
	assert_near(fc.phases[1].p_won, ps, EPS);
	assert_int_equal(fc.phases[3].history, 2);
	assert_near(fc.phases[3].p_won, 0.5, EPS);
	assert_int_equal(fc.phases[4].history, 1);
	assert_near(fc.phases[1].remaining_days, 10, EPS);
	assert_near(fc.phases[3].remaining_days, 6, EPS);

	assert_int_equal(fc.ndeals, 4);
	for (i = 0; i < fc.ndeals; i++) {
		const struct forecast_deal *d = &fc.deals[i];

		assert_true(d->in_horizon);
		if (strcmp(d->account, "a6.nl") == 0)
			assert_int_equal(d->expected_close, T0 + 35 * DAY);
		else
			assert_int_equal(d->expected_close, NOW);
		if (strcmp(d->account, "a1.nl") == 0)
			assert_int_equal(d->kind, DEAL_GROWTH);
	}
	/* New: a3 (0.5), a4 and a6 (3/13 each); growth: a1 (3/13). */
	assert_int_equal(fc.new_deals.deals, 3);
	assert_near(fc.new_deals.expected, 0.5 + 2 * ps, EPS);
	assert_near(fc.new_deals.variance, 0.25 + 2 * ps * (1 - ps), EPS);
	assert_near(fc.new_deals.low, 0, EPS);
	assert_near(fc.new_deals.high, 0.5 + 2 * ps +
	    1.96 * sqrt(0.25 + 2 * ps * (1 - ps)), EPS);
	assert_near(fc.new_deals.per_month, 0.5 + 2 * ps, EPS);
	assert_int_equal(fc.growth.deals, 1);
	assert_near(fc.growth.expected, ps, EPS);
	assert_near(fc.total.expected, 0.5 + 3 * ps, EPS);
	forecast_free(&fc);

	/* A horizon of 3 days leaves a6 (day 35) out. */
	assert_int_equal(analysis_forecast(f->st, &af, 3, false, &fc, &err), 0);
	assert_int_equal(fc.new_deals.deals, 2);
	assert_near(fc.new_deals.expected, 0.5 + ps, EPS);
	forecast_free(&fc);
}

/*
 * Backtest from T0+5d, horizon 60 days.  Then only a0 had closed (reached
 * suspect, lost): suspect (0 + 10 * 0.2) / 11, offer: the prior 0.5.
 * Without won history the rest takes 14 days per remaining phase.  Open
 * then: a1 and a2 (offer), a3 and a4 (suspect).  What happened: a1 won
 * at day 10, a2 lost at 20, a3 and a4 still open.
 */
static void
test_analysis_backtest(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, T0 + 5 * DAY, NULL };
	struct forecast fc;
	struct err err;
	double ps = 2.0 / 11.0;
	size_t i;

	assert_int_equal(analysis_forecast(f->st, &af, 60, true, &fc, &err), 0);
	assert_true(fc.backtest);
	assert_int_equal(fc.phases[1].history, 1);
	assert_int_equal(fc.phases[1].history_won, 0);
	assert_near(fc.phases[1].p_won, ps, EPS);
	assert_near(fc.phases[3].p_won, 0.5, EPS);
	assert_int_equal(fc.phases[3].remaining_n, 0);
	assert_near(fc.phases[3].remaining_days, 28, EPS);
	assert_int_equal(fc.ndeals, 4);
	for (i = 0; i < fc.ndeals; i++) {
		const struct forecast_deal *d = &fc.deals[i];

		if (strcmp(d->account, "a1.nl") == 0) {
			assert_int_equal(d->phase, 3);
			assert_int_equal(d->expected_close, T0 + 32 * DAY);
			assert_int_equal(d->actual, OUTCOME_WON);
			assert_int_equal(d->actual_closed, T0 + 10 * DAY);
		} else if (strcmp(d->account, "a2.nl") == 0)
			assert_int_equal(d->actual, OUTCOME_LOST);
		else if (strcmp(d->account, "a3.nl") == 0) {
			/* a3 was still in suspect then. */
			assert_int_equal(d->phase, 1);
			assert_int_equal(d->actual, OUTCOME_OPEN);
		} else
			assert_string_equal(d->account, "a4.nl");
	}
	assert_near(fc.total.expected, 1.0 + 2 * ps, EPS);
	assert_int_equal(fc.total.actual_won, 1);
	assert_int_equal(fc.new_deals.actual_won, 1);
	assert_int_equal(fc.new_deals.actual_all, 1);
	assert_int_equal(fc.growth.actual_all, 0);
	forecast_free(&fc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analysis_percentile),
		cmocka_unit_test_setup_teardown(test_analysis_blend_and_prior, setup, teardown),
		cmocka_unit_test(test_analysis_sum_interval),
		cmocka_unit_test_setup_teardown(test_analysis_conversion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_conversion_equals_funnel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_conversion_salesperson, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_backtest, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_tmpdir_cleanup();
	return rc;
}
