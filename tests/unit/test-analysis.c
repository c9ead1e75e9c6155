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
#include "helpers.h"
#include "model.h"
#include "project.h"
#include "report.h"
#include "store-int.h"
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
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL };
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
	assert_int_equal(sl.n, 3);
	assert_string_equal(sl.v[1].evidence, "contact: subject of a3-3");
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
 * One phase's history, prior 0.3 (10 * prior = 3): won after 2, 4 and
 * 10 days, lost after 3 and 12, and one counted as not won at 20.
 * Unconditioned every deal would get (3 + 3) / (6 + 10) = 0.375 and the
 * median 4 days; conditioned on its age a only the spells with days > a
 * count, and the remaining days are the won ones' days - a:
 *   a 0:  all 6, won 2, 4, 10: 6/16, median(2, 4, 10) = 4
 *   a 3:  4, 10, 12, 20 (3 is not > 3): won 2: 5/14, median(1, 7) = 4
 *   a 5:  10, 12, 20: won 1: 4/13, 10 - 5 = 5
 *   a 10: 12, 20 (10 is not > 10): won 0: 3/12, no won: NAN
 *   a 25: none: the prior 0.3, NAN
 */
static void
test_analysis_condition(void **state)
{
	static const struct forecast_spell spells[] = {
		{ 2, true }, { 4, true }, { 10, true }, { 3, false },
		{ 12, false }, { 20, false },
	};
	static const struct {
		double	 age;
		long	 n, won;
		double	 p_won, remaining;
	} rows[] = {
		{ 0, 6, 3, 6.0 / 16.0, 4 },
		{ 3, 4, 2, 5.0 / 14.0, 4 },
		{ 5, 3, 1, 4.0 / 13.0, 5 },
		{ 10, 2, 0, 3.0 / 12.0, NAN },
		{ 25, 0, 0, 0.3, NAN },
	};
	struct forecast_cond c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		analysis_condition(spells, sizeof spells / sizeof spells[0],
		    rows[i].age, 0.3, &c);
		assert_int_equal(c.n, rows[i].n);
		assert_int_equal(c.won, rows[i].won);
		assert_near(c.p_won, rows[i].p_won, EPS);
		if (isnan(rows[i].remaining))
			assert_true(isnan(c.remaining_days));
		else
			assert_near(c.remaining_days, rows[i].remaining, EPS);
	}
	/* No history at all: the prior. */
	analysis_condition(NULL, 0, 1, 0.3, &c);
	assert_int_equal(c.n, 0);
	assert_near(c.p_won, 0.3, EPS);
	assert_true(isnan(c.remaining_days));
}

/*
 * At NOW (T0+30d).  Days from first reaching each phase to the close of
 * the deals closed by then (the first phases are reached together):
 *   a0  selection, suspect: lost after 3
 *   a1  selection, suspect: won after 10; prospect, offer: won after 6;
 *       closing: won after 0 (the order entered it)
 *   a2  selection, suspect: lost after 19; prospect, offer: lost after 17
 * Won deals took at most 10 days from suspect, 6 from offer; closing's
 * only win took 0 days, so closing keeps the 14-day default and counts
 * no open deal as not won.  Open then: a3 (suspect since 2, offer since
 * 10), a4 (suspect since 3), a6 (suspect since 25), a1's growth deal
 * (suspect since 20).  Counted as not won: a3 in suspect (28 > 10) and
 * offer (20 > 6), a4 in suspect (27); not a1's growth deal (10 is not
 * more than 10), nor a6 (5).
 *   suspect: 3, 10 won, 19, 28, 27: 1 of 5, prior 0.2: (1 + 2) / 15
 *   offer:   6 won, 17, 20: 1 of 3, prior 0.5: (1 + 5) / 13
 *   closing: 0 won: 1 of 1, prior 5/6: (1 + 50/6) / 11 = 28/33
 * The open deals, each on its age in its phase:
 *   a3  offer 20 days: no spell > 20: the prior 0.5; no won deal was
 *       open that long: close unknown, not in the horizon
 *   a4  suspect 27 days: only a3's 28, not won: 2/11; unknown
 *   a6  suspect 5 days: 10 won, 19, 28, 27: 3/14; closes in 10 - 5 = 5
 *       days, at day 35
 *   a1 growth, suspect 10 days: 19, 28, 27, none won: 2/13; unknown
 * Unconditioned (every closed deal, an overdue close counted as today)
 * all four would be in a 30-day horizon with 0.5 + 3 * 3/13 = 1.19
 * expected; here only a6 is, with 3/14.
 */
static void
test_analysis_forecast(void **state)
{
	struct fixture *f = *state;
	struct analysis_filter af = { &f->cfg, 0, 0, NOW, NULL };
	struct forecast fc;
	struct err err;
	double p6 = 3.0 / 14.0;
	size_t i;

	assert_int_equal(analysis_forecast(f->st, &af, 30, false, &fc, &err), 0);
	assert_int_equal(fc.phases[1].history, 5);
	assert_int_equal(fc.phases[1].history_won, 1);
	assert_int_equal(fc.phases[1].censored, 2);
	assert_near(fc.phases[1].p_won, 0.2, EPS);
	assert_near(fc.phases[1].remaining_days, 10, EPS);
	assert_int_equal(fc.phases[1].remaining_n, 1);
	assert_int_equal(fc.phases[3].history, 3);
	assert_int_equal(fc.phases[3].censored, 1);
	assert_near(fc.phases[3].p_won, 6.0 / 13.0, EPS);
	assert_near(fc.phases[3].remaining_days, 6, EPS);
	assert_int_equal(fc.phases[4].history, 1);
	assert_int_equal(fc.phases[4].history_won, 1);
	assert_int_equal(fc.phases[4].censored, 0);
	assert_near(fc.phases[4].p_won, 28.0 / 33.0, EPS);
	assert_int_equal(fc.phases[4].remaining_n, 0);
	assert_near(fc.phases[4].remaining_days, 14, EPS);

	assert_int_equal(fc.ndeals, 4);
	for (i = 0; i < fc.ndeals; i++) {
		const struct forecast_deal *d = &fc.deals[i];

		if (strcmp(d->account, "a6.nl") == 0) {
			assert_int_equal(d->history, 4);
			assert_int_equal(d->history_won, 1);
			assert_near(d->p_won, p6, EPS);
			assert_int_equal(d->expected_close, T0 + 35 * DAY);
			assert_true(d->in_horizon);
			continue;
		}
		assert_int_equal(d->expected_close, 0);
		assert_false(d->in_horizon);
		if (strcmp(d->account, "a3.nl") == 0) {
			assert_int_equal(d->phase, 3);
			assert_int_equal(d->history, 0);
			assert_near(d->p_won, 0.5, EPS);
		} else if (strcmp(d->account, "a4.nl") == 0) {
			assert_int_equal(d->history, 1);
			assert_near(d->p_won, 2.0 / 11.0, EPS);
		} else {
			assert_string_equal(d->account, "a1.nl");
			assert_int_equal(d->kind, DEAL_GROWTH);
			assert_int_equal(d->history, 3);
			assert_int_equal(d->history_won, 0);
			assert_near(d->p_won, 2.0 / 13.0, EPS);
		}
	}
	/* New: a6 alone; its interval clipped to [0, 1]. */
	assert_int_equal(fc.new_deals.deals, 1);
	assert_near(fc.new_deals.expected, p6, EPS);
	assert_near(fc.new_deals.variance, p6 * (1 - p6), EPS);
	assert_near(fc.new_deals.low, 0, EPS);
	assert_near(fc.new_deals.high, 1, EPS);
	assert_near(fc.new_deals.per_month, p6, EPS);
	assert_int_equal(fc.growth.deals, 0);
	assert_near(fc.growth.expected, 0, EPS);
	assert_near(fc.total.expected, p6, EPS);
	forecast_free(&fc);

	/* A horizon of 3 days leaves a6 (day 35) out too. */
	assert_int_equal(analysis_forecast(f->st, &af, 3, false, &fc, &err), 0);
	assert_int_equal(fc.new_deals.deals, 0);
	assert_near(fc.total.expected, 0, EPS);
	forecast_free(&fc);
}

/*
 * Backtest from T0+5d, horizon 60 days (to day 65).  Then only a0 had
 * closed: lost 3 days after reaching suspect.  No won deal yet: nothing
 * counts as not won, and winning takes 14 days per phase from the deal's
 * to the last: 56 from suspect, 28 from offer.  suspect: 0 of 1,
 * (0 + 2) / 11; offer: no history, the prior 0.5.  Open then, with their
 * age in their phase:
 *   a1  offer 1 day:   0.5, closes in 28 - 1 = 27 days, day 32
 *   a2  offer 2 days:  0.5, day 31
 *   a3  suspect 3 days: a0's 3 is not > 3: the prior 0.2, day 58
 *   a4  suspect 2 days: a0 lost: 2/11, day 59
 * (unconditioned a3 would get 2/11 as well).  What happened: a1 won at
 * day 10, a2 lost at 20, a3 and a4 still open.
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
	assert_int_equal(fc.phases[1].censored, 0);
	assert_near(fc.phases[1].p_won, ps, EPS);
	assert_near(fc.phases[3].p_won, 0.5, EPS);
	assert_int_equal(fc.phases[3].remaining_n, 0);
	assert_near(fc.phases[3].remaining_days, 28, EPS);
	assert_int_equal(fc.ndeals, 4);
	for (i = 0; i < fc.ndeals; i++) {
		const struct forecast_deal *d = &fc.deals[i];

		assert_true(d->in_horizon);
		if (strcmp(d->account, "a1.nl") == 0) {
			assert_int_equal(d->phase, 3);
			assert_near(d->p_won, 0.5, EPS);
			assert_int_equal(d->expected_close, T0 + 32 * DAY);
			assert_int_equal(d->actual, OUTCOME_WON);
			assert_int_equal(d->actual_closed, T0 + 10 * DAY);
		} else if (strcmp(d->account, "a2.nl") == 0) {
			assert_int_equal(d->expected_close, T0 + 31 * DAY);
			assert_int_equal(d->actual, OUTCOME_LOST);
		} else if (strcmp(d->account, "a3.nl") == 0) {
			/* a3 was still in suspect then. */
			assert_int_equal(d->phase, 1);
			assert_int_equal(d->history, 0);
			assert_near(d->p_won, 0.2, EPS);
			assert_int_equal(d->expected_close, T0 + 58 * DAY);
			assert_int_equal(d->actual, OUTCOME_OPEN);
		} else {
			assert_string_equal(d->account, "a4.nl");
			assert_int_equal(d->history, 1);
			assert_near(d->p_won, ps, EPS);
			assert_int_equal(d->expected_close, T0 + 59 * DAY);
		}
	}
	assert_near(fc.total.expected, 1.0 + 0.2 + ps, EPS);
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
		cmocka_unit_test(test_analysis_condition),
		cmocka_unit_test_setup_teardown(test_analysis_conversion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_conversion_equals_funnel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_conversion_salesperson, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_stalled_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_account_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_forecast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analysis_backtest, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_tmpdir_cleanup();
	return rc;
}
