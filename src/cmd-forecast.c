/* SPDX-License-Identifier: MIT */
/*
 * salescycle forecast: for every open deal the chance it is won within
 * the horizon (from the history deals that were in its phase at its age,
 * analysis.h) and the sum as new customers and growth deals with 80% and
 * 95% intervals.  --as-of runs it on what was known at an earlier date
 * and shows what actually happened next; --backtest does that at every
 * step of a range and scores it against two naive baselines.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "util.h"

#define DEFAULT_HORIZON	90
#define DEFAULT_STEP	7
/* Fewer closed deals than this: the output says the history is thin. */
#define FORECAST_THIN	20

static int forecast_horizon = DEFAULT_HORIZON;
static int forecast_step = DEFAULT_STEP;
static const char *forecast_as_of;
static const char *forecast_from;
static const char *forecast_to;
static bool forecast_backtest;
static bool forecast_step_set;

/* Long-only options, clear of the common ones' letters. */
#define FORECAST_OPT_BACKTEST	0x100
#define FORECAST_OPT_FROM	0x101
#define FORECAST_OPT_TO		0x102
#define FORECAST_OPT_STEP	0x103

static const struct option forecast_options[] = {
	{ "horizon", required_argument, NULL, 'H' },
	{ "as-of", required_argument, NULL, 'A' },
	{ "backtest", no_argument, NULL, FORECAST_OPT_BACKTEST },
	{ "from", required_argument, NULL, FORECAST_OPT_FROM },
	{ "to", required_argument, NULL, FORECAST_OPT_TO },
	{ "step", required_argument, NULL, FORECAST_OPT_STEP },
	{ NULL, 0, NULL, 0 }
};

static const struct column forecast_columns[] = {
	{ "deal", NULL, COL_INT, COL_WIDE },
	{ "account", NULL, COL_STR, COL_FIT },
	{ "salesperson", NULL, COL_STR, 0 },
	{ "kind", NULL, COL_STR, 0 },
	{ "phase", NULL, COL_STR, 0 },
	{ "p_won_pct", "p won %", COL_REAL, 0 },
	{ "history", NULL, COL_INT, COL_WIDE },
	{ "value", NULL, COL_REAL, COL_SPARSE },
	{ "weighted_value", "weighted", COL_REAL, COL_WIDE },
	{ "expected_close", "likely close", COL_TIME, 0 },
	{ "in_horizon", "in horizon", COL_STR, 0 },
	{ "actual", NULL, COL_STR, COL_SPARSE },
	{ "actual_closed", "closed", COL_TIME, COL_SPARSE },
};

static const struct column backtest_columns[] = {
	{ "as_of", "as of", COL_DAY, 0 },
	{ "open", NULL, COL_INT, 0 },
	{ "expected", NULL, COL_REAL, COL_DECIMAL },
	{ "low80", "80% low", COL_INT, 0 },
	{ "high80", "80% high", COL_INT, 0 },
	{ "low", "95% low", COL_INT, 0 },
	{ "high", "95% high", COL_INT, 0 },
	{ "actual", NULL, COL_INT, 0 },
	{ "run_rate", "run rate", COL_INT, 0 },
	{ "pipeline", NULL, COL_REAL, COL_DECIMAL },
};

/* Parses a number of days in [1, 3660] for option name. */
static int
forecast_days(const char *name, const char *arg, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 3660) {
		cmd_error(name, "'%s' is not a number of days (1 to 3660)", arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
cmd_forecast_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	(void)ctx;
	switch (opt) {
	case 'H':
		return forecast_days("--horizon", arg, &forecast_horizon);
	case FORECAST_OPT_STEP:
		forecast_step_set = true;
		return forecast_days("--step", arg, &forecast_step);
	case 'A':
		forecast_as_of = arg;
		return 0;
	case FORECAST_OPT_BACKTEST:
		forecast_backtest = true;
		return 0;
	case FORECAST_OPT_FROM:
		forecast_from = arg;
		return 0;
	case FORECAST_OPT_TO:
		forecast_to = arg;
		return 0;
	}
	return -1;
}

static void
print_sum(struct json *j, const char *key, const struct forecast_sum *s,
    bool backtest)
{
	json_key(j, key);
	json_begin_object(j);
	json_key(j, "deals");
	json_int(j, s->deals);
	json_key(j, "expected");
	json_real(j, s->expected);
	json_key(j, "low");
	json_real(j, s->low);
	json_key(j, "high");
	json_real(j, s->high);
	json_key(j, "low80");
	json_real(j, s->low80);
	json_key(j, "high80");
	json_real(j, s->high80);
	json_key(j, "unopened");
	json_real(j, s->unopened);
	json_key(j, "per_month");
	json_real(j, s->per_month);
	json_key(j, "weighted_value");
	json_real(j, s->weighted_value);
	json_key(j, "valued");
	json_int(j, s->valued);
	json_key(j, "actual_won");
	if (backtest)
		json_int(j, s->actual_won);
	else
		json_null(j);
	json_key(j, "actual_all");
	if (backtest)
		json_int(j, s->actual_all);
	else
		json_null(j);
	json_end_object(j);
}

/* One open deal as t's next row. */
static void
forecast_row(struct table *t, const struct cmd_ctx *ctx,
    const struct forecast *fc, const struct forecast_deal *d)
{
	table_row(t);
	table_int(t, 0, d->deal);
	table_str(t, 1, d->account);
	table_str(t, 2, d->salesperson);
	table_str(t, 3, deal_kind_name(d->kind));
	table_str(t, 4, ctx->cfg.phases.name[d->phase]);
	table_real(t, 5, d->p_won * 100.0);
	table_int(t, 6, d->history);
	table_real(t, 7, d->value);
	table_real(t, 8, d->value * d->p_won);
	table_time(t, 9, d->expected_close);
	table_str(t, 10, d->in_horizon ? "yes" : "no");
	if (fc->backtest) {
		table_str(t, 11, outcome_name(d->actual));
		table_time(t, 12, d->actual_closed);
	} else {
		table_null(t, 11);
		table_null(t, 12);
	}
}

/*
 * The forecast as one JSON object, its open deals last, each printed
 * from t as it is made: at 10M signals 427k rows held whole cost a
 * quarter of a gigabyte.
 */
static void
print_json(const struct cmd_ctx *ctx, const struct forecast *fc,
    struct table *t)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "as_of");
	json_time(&j, fc->as_of);
	json_key(&j, "horizon_days");
	json_int(&j, fc->horizon_days);
	json_key(&j, "backtest");
	json_bool(&j, fc->backtest);
	json_key(&j, "history");
	json_begin_object(&j);
	json_key(&j, "from");
	json_time(&j, fc->history_from);
	json_key(&j, "closed");
	json_int(&j, fc->closed);
	json_key(&j, "won");
	json_int(&j, fc->won);
	json_key(&j, "open");
	json_int(&j, fc->open);
	json_end_object(&j);
	json_key(&j, "phases");
	json_begin_array(&j);
	for (i = 0; i < fc->nphases; i++) {
		const struct forecast_phase *p = &fc->phases[i];

		json_begin_object(&j);
		json_key(&j, "phase");
		json_str(&j, p->phase);
		json_key(&j, "history");
		json_int(&j, p->history);
		json_key(&j, "history_won");
		json_int(&j, p->history_won);
		json_key(&j, "censored");
		json_int(&j, p->censored);
		json_key(&j, "prior_pct");
		json_real(&j, p->prior * 100.0);
		json_key(&j, "p_won_pct");
		json_real(&j, p->p_won * 100.0);
		json_key(&j, "remaining_days");
		json_real(&j, p->remaining_days);
		json_end_object(&j);
	}
	json_end_array(&j);
	print_sum(&j, "new", &fc->new_deals, fc->backtest);
	print_sum(&j, "growth", &fc->growth, fc->backtest);
	print_sum(&j, "total", &fc->total, fc->backtest);
	json_key(&j, "deals");
	json_begin_array(&j);
	for (i = 0; i < fc->ndeals; i++) {
		forecast_row(t, ctx, fc, &fc->deals[i]);
		json_table_row(&j, t, 0);
		table_forget_rows(t);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_end(&j);
}

/* One kind's sum, what qualifies it on lines of its own, to fit 100 columns. */
static void
print_text_sum(const char *label, const struct forecast_sum *s, bool backtest)
{
	printf("  %-14s %5.1f expected (80%%: %.0f to %.0f, 95%%: %.0f to %.0f)"
	    " from %ld open deals\n", label, s->expected, s->low80, s->high80,
	    s->low, s->high, s->deals);
	if (s->unopened >= 0.05)
		printf("  %-14s and %.1f from deals not open yet\n", "",
		    s->unopened);
	if (s->valued > 0)
		printf("  %-14s worth %.0f weighted (%ld deals with a value)\n",
		    "", s->weighted_value, s->valued);
	if (backtest)
		printf("  %-14s actually won %ld of them, %ld in all\n", "",
		    s->actual_won, s->actual_all);
}

static void
print_text(const struct cmd_ctx *ctx, const struct forecast *fc)
{
	char when[24], first[24];
	size_t i;

	util_day(fc->as_of, ctx->cfg.timezone, when, sizeof when);
	if (fc->history_from != 0) {
		util_day(fc->history_from, ctx->cfg.timezone, first,
		    sizeof first);
		printf("\nhistory known at %s: %ld deals closed (%ld won), "
		    "%ld open, since %s (%.0f days)\n", when, fc->closed,
		    fc->won, fc->open, first,
		    (double)(fc->as_of - fc->history_from) / 86400.0);
	} else
		printf("\nno history known at %s: priors only\n", when);
	if (fc->closed < FORECAST_THIN)
		printf("thin history (fewer than %d closed deals): the "
		    "intervals are wide for that reason\n", FORECAST_THIN);
	printf("\nP(won within %d days) on entering each phase:\n",
	    fc->horizon_days);
	for (i = 0; i < fc->nphases; i++) {
		const struct forecast_phase *p = &fc->phases[i];

		printf("  %-12s %3ld reached it, %3ld won, %3ld open: %3.0f%%",
		    p->phase, p->history, p->history_won, p->censored,
		    p->p_won * 100.0);
		if (!isnan(p->remaining_days))
			printf(", median %.0f days to win", p->remaining_days);
		putchar('\n');
	}
	printf("\nexpected in the %d days from %s:\n", fc->horizon_days, when);
	print_text_sum("new customers", &fc->new_deals, fc->backtest);
	print_text_sum("growth deals", &fc->growth, fc->backtest);
	print_text_sum("total", &fc->total, fc->backtest);
}

/* Parses a date option into *out (0 when not given). */
static int
forecast_date(const struct cmd_ctx *ctx, const char *name, const char *arg,
    time_t *out)
{
	*out = 0;
	if (arg == NULL)
		return 0;
	if (util_parse_time(arg, ctx->cfg.timezone, out) != 0) {
		cmd_error(name, "'%s' is not a date (YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS][Z])", arg);
		return -1;
	}
	return 0;
}

static void
print_backtest_json(const struct backtest *bt, const struct table *t)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "horizon_days");
	json_int(&j, bt->horizon_days);
	json_key(&j, "step_days");
	json_int(&j, bt->step_days);
	json_key(&j, "dates");
	json_begin_array(&j);
	for (i = 0; i < t->nrows; i++)
		json_table_row(&j, t, i);
	json_end_array(&j);
	json_key(&j, "summary");
	json_begin_object(&j);
	json_key(&j, "dates");
	json_int(&j, (int64_t)bt->n);
	json_key(&j, "within80_pct");
	json_real(&j, bt->within80 * 100.0);
	json_key(&j, "within95_pct");
	json_real(&j, bt->within95 * 100.0);
	json_key(&j, "mae");
	json_real(&j, bt->mae);
	json_key(&j, "mae_run_rate");
	json_real(&j, bt->mae_run_rate);
	json_key(&j, "mae_pipeline");
	json_real(&j, bt->mae_pipeline);
	json_end_object(&j);
	json_end_object(&j);
	json_end(&j);
}

/* forecast --backtest. */
static int
forecast_run_backtest(struct cmd_ctx *ctx, const struct analysis_filter *f)
{
	struct err err = { 0 };
	struct backtest bt;
	struct table t;
	time_t from, to;
	char day[24];
	size_t i;

	if (forecast_date(ctx, "--from", forecast_from, &from) != 0 ||
	    forecast_date(ctx, "--to", forecast_to, &to) != 0)
		return EXIT_USAGE;
	if (analysis_backtest(ctx->store, f, from, to, forecast_step,
	    forecast_horizon, &bt, &err) != 0) {
		cmd_error("forecast --backtest", "%s", err.msg);
		return EXIT_FAIL;
	}
	table_init(&t, backtest_columns,
	    sizeof backtest_columns / sizeof backtest_columns[0],
	    ctx->cfg.timezone);
	for (i = 0; i < bt.n; i++) {
		const struct backtest_date *d = &bt.v[i];

		table_row(&t);
		util_day(d->as_of, ctx->cfg.timezone, day, sizeof day);
		table_str(&t, 0, day);
		table_int(&t, 1, d->open);
		table_real(&t, 2, d->expected);
		table_int(&t, 3, (int64_t)d->low80);
		table_int(&t, 4, (int64_t)d->high80);
		table_int(&t, 5, (int64_t)d->low);
		table_int(&t, 6, (int64_t)d->high);
		table_int(&t, 7, d->actual);
		table_int(&t, 8, (int64_t)d->run_rate);
		table_real(&t, 9, d->pipeline);
	}
	if (ctx->format == FORMAT_JSON)
		print_backtest_json(&bt, &t);
	else {
		table_print(&t, ctx->format, stdout);
		if (ctx->format == FORMAT_TABLE)
			printf("\n%zu dates, horizon %d days: the 80%% interval "
			    "held the actual on %.0f%%, the 95%% interval on "
			    "%.0f%%\nmean absolute error %.2f; run rate %.2f; "
			    "stage-weighted pipeline %.2f\n", bt.n,
			    bt.horizon_days, bt.within80 * 100.0,
			    bt.within95 * 100.0, bt.mae, bt.mae_run_rate,
			    bt.mae_pipeline);
	}
	table_free(&t);
	backtest_free(&bt);
	return EXIT_OK;
}

static int
cmd_forecast_exec(struct cmd_ctx *ctx)
{
	struct analysis_filter f = { &ctx->cfg, 0, 0, ctx->now, NULL, false, NULL };
	struct strlist one = { 0 };
	struct err err = { 0 };
	struct forecast fc;
	struct table t;
	size_t i;
	int rc;

	if (forecast_as_of != NULL &&
	    util_parse_time(forecast_as_of, ctx->cfg.timezone, &f.as_of) != 0) {
		cmd_error("--as-of", "'%s' is not a date (YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS][Z])", forecast_as_of);
		return EXIT_USAGE;
	}
	f.current = f.as_of >= ctx->now;
	if (forecast_backtest && forecast_as_of != NULL) {
		cmd_error("--backtest", "goes with --from and --to, not --as-of");
		return EXIT_USAGE;
	}
	if (!forecast_backtest && (forecast_from != NULL ||
	    forecast_to != NULL || forecast_step_set)) {
		cmd_error(forecast_from != NULL ? "--from" : forecast_to != NULL ?
		    "--to" : "--step", "only with --backtest");
		return EXIT_USAGE;
	}
	if (ctx->salesperson != NULL)
		strlist_add(&one, ctx->salesperson);
	f.salespeople = &one;
	if (forecast_backtest) {
		rc = forecast_run_backtest(ctx, &f);
		strlist_clear(&one);
		return rc;
	}
	if (analysis_forecast(ctx->store, &f, forecast_horizon,
	    forecast_as_of != NULL, &fc, &err) != 0) {
		strlist_clear(&one);
		cmd_error("forecast", "%s", err.msg);
		return EXIT_FAIL;
	}
	strlist_clear(&one);
	table_init(&t, forecast_columns,
	    sizeof forecast_columns / sizeof forecast_columns[0], ctx->cfg.timezone);
	if (ctx->format == FORMAT_JSON)
		print_json(ctx, &fc, &t);
	else {
		table_stream(&t, ctx->format, stdout);
		for (i = 0; i < fc.ndeals; i++)
			forecast_row(&t, ctx, &fc, &fc.deals[i]);
		table_print(&t, ctx->format, stdout);
		if (ctx->format == FORMAT_TABLE)
			print_text(ctx, &fc);
	}
	table_free(&t);
	forecast_free(&fc);
	return EXIT_OK;
}

const struct cmd_entry cmd_forecast_entry = {
	.name = "forecast",
	.summary = "expected new customers and growth deals from the open deals",
	.usage = "[--horizon DAYS] [--as-of DATE | --backtest [--from DATE]\n"
	    "    [--to DATE] [--step DAYS]]",
	.flags = CMD_NEEDS_STORE | CMD_FORMAT | CMD_PERSON,
	.options = forecast_options,
	.shortopts = "",
	.option = cmd_forecast_option,
	.exec = cmd_forecast_exec,
	.help = "  --horizon DAYS  how far ahead to look (default 90)\n"
	    "  --as-of DATE    forecast from what was known then (signals that\n"
	    "                  occurred and were seen before it), and show what\n"
	    "                  actually happened in the horizon after it\n"
	    "  --backtest      the --as-of forecast at every step from --from\n"
	    "                  (default: a horizon after the first signal) to --to\n"
	    "                  (default: a horizon ago), every --step days (default\n"
	    "                  7), against the actual wins and two baselines: the\n"
	    "                  run rate (wins in the horizon before) and the\n"
	    "                  stage-weighted pipeline (open deals x their phase's\n"
	    "                  win rate so far)\n"
	    "p won %: the chance of a win within the horizon, from the deals that\n"
	    "were in the same phase on the same whole day of age there and still\n"
	    "open at its age (at least 8: an older deal is judged by the 8 that\n"
	    "stayed longest), followed to their close\n"
	    "or, still open, for as long as they were (censored), blended with the\n"
	    "prior ([targets] prior_PHASE) as if it were one deal. history: how\n"
	    "many deals that is. value: the amount in the subject of the deal's\n"
	    "newest offer; weighted: value x p won, summed per kind. Deals not\n"
	    "open yet add the rate at which deals opened and were won within a\n"
	    "horizon before. The intervals (80% and 95%) are read from the exact\n"
	    "distribution of the sum of independent wins, averaged over the\n"
	    "uncertainty of each phase's estimate: the less history, the wider.\n"
	    "A deal quiet for longer than 95% of the won deals ever were (and at\n"
	    "least 21 days) counts as lost. What the agent saw in its first day\n"
	    "counts as known from when it occurred.\n",
};
