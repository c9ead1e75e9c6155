/* SPDX-License-Identifier: MIT */
/*
 * salescycle forecast: for every open deal the chance it is won (the
 * store's history per phase blended with the [targets] priors) and its
 * expected close date; the sum over the horizon as new customers and
 * growth deals with a 95% interval.  --as-of runs it on the data as it
 * stood at an earlier date and shows what actually happened next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "util.h"

#define DEFAULT_HORIZON	90

static int forecast_horizon = DEFAULT_HORIZON;
static const char *forecast_as_of;

static const struct option forecast_options[] = {
	{ "horizon", required_argument, NULL, 'H' },
	{ "as-of", required_argument, NULL, 'A' },
	{ NULL, 0, NULL, 0 }
};

static const struct column forecast_columns[] = {
	{ "deal", NULL, COL_INT },
	{ "account", NULL, COL_STR },
	{ "salesperson", NULL, COL_STR },
	{ "kind", NULL, COL_STR },
	{ "phase", NULL, COL_STR },
	{ "p_won_pct", "p won %", COL_REAL },
	{ "expected_close", "expected close", COL_TIME },
	{ "in_horizon", "in horizon", COL_STR },
	{ "actual", NULL, COL_STR },
	{ "actual_closed", "closed", COL_TIME },
};

static int
cmd_forecast_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	char *end;
	long v;

	(void)ctx;
	switch (opt) {
	case 'H':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 3660) {
			cmd_error("--horizon", "'%s' is not a number of days "
			    "(1 to 3660)", arg);
			return -1;
		}
		forecast_horizon = (int)v;
		return 0;
	case 'A':
		forecast_as_of = arg;
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
	json_key(j, "per_month");
	json_real(j, s->per_month);
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

static void
print_json(const struct forecast *fc, const struct table *t)
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
	for (i = 0; i < t->nrows; i++)
		json_table_row(&j, t, i);
	json_end_array(&j);
	json_end_object(&j);
	json_end(&j);
}

static void
print_text_sum(const char *label, const struct forecast_sum *s, bool backtest)
{
	printf("  %-14s %5.1f expected (95%%: %.1f to %.1f) of %ld deals, "
	    "%.1f per month", label, s->expected, s->low, s->high, s->deals,
	    s->per_month);
	if (backtest)
		printf("; actually won %ld of them, %ld in all", s->actual_won,
		    s->actual_all);
	putchar('\n');
}

static void
print_text(const struct cmd_ctx *ctx, const struct forecast *fc)
{
	char when[24];
	size_t i;

	util_day(fc->as_of, ctx->cfg.timezone, when, sizeof when);
	printf("\nP(won | phase), from %s, blended with priors as %g deals:\n",
	    when, ANALYSIS_PRIOR_WEIGHT);
	for (i = 0; i < fc->nphases; i++) {
		const struct forecast_phase *p = &fc->phases[i];

		printf("  %-12s %3ld of %3ld won, prior %3.0f%% -> %3.0f%%, "
		    "median %.1f days to win%s\n", p->phase, p->history_won,
		    p->history, p->prior * 100.0, p->p_won * 100.0,
		    p->remaining_days, p->remaining_n > 0 ? "" : " (default)");
	}
	printf("\nexpected in the %d days from %s:\n", fc->horizon_days, when);
	print_text_sum("new customers", &fc->new_deals, fc->backtest);
	print_text_sum("growth deals", &fc->growth, fc->backtest);
	print_text_sum("total", &fc->total, fc->backtest);
}

static int
cmd_forecast_exec(struct cmd_ctx *ctx)
{
	struct analysis_filter f = { &ctx->cfg, 0, 0, ctx->now, NULL };
	struct strlist one = { 0 };
	struct err err = { 0 };
	struct forecast fc;
	struct table t;
	size_t i;

	if (forecast_as_of != NULL &&
	    util_parse_time(forecast_as_of, ctx->cfg.timezone, &f.as_of) != 0) {
		cmd_error("--as-of", "'%s' is not a date (YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS][Z])", forecast_as_of);
		return EXIT_USAGE;
	}
	if (ctx->salesperson != NULL)
		strlist_add(&one, ctx->salesperson);
	f.salespeople = &one;
	if (analysis_forecast(ctx->store, &f, forecast_horizon,
	    forecast_as_of != NULL, &fc, &err) != 0) {
		strlist_clear(&one);
		cmd_error("forecast", "%s", err.msg);
		return EXIT_FAIL;
	}
	strlist_clear(&one);
	table_init(&t, forecast_columns,
	    sizeof forecast_columns / sizeof forecast_columns[0], ctx->cfg.timezone);
	for (i = 0; i < fc.ndeals; i++) {
		const struct forecast_deal *d = &fc.deals[i];

		table_row(&t);
		table_int(&t, 0, d->deal);
		table_str(&t, 1, d->account);
		table_str(&t, 2, d->salesperson);
		table_str(&t, 3, deal_kind_name(d->kind));
		table_str(&t, 4, ctx->cfg.phases.name[d->phase]);
		table_real(&t, 5, d->p_won * 100.0);
		table_time(&t, 6, d->expected_close);
		table_str(&t, 7, d->in_horizon ? "yes" : "no");
		if (fc.backtest) {
			table_str(&t, 8, outcome_name(d->actual));
			table_time(&t, 9, d->actual_closed);
		} else {
			table_null(&t, 8);
			table_null(&t, 9);
		}
	}
	if (ctx->format == FORMAT_JSON)
		print_json(&fc, &t);
	else {
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
	.usage = "[--horizon DAYS] [--as-of DATE]",
	.flags = CMD_NEEDS_STORE,
	.options = forecast_options,
	.shortopts = "",
	.option = cmd_forecast_option,
	.exec = cmd_forecast_exec,
	.help = "  --horizon DAYS  how far ahead to look (default 90)\n"
	    "  --as-of DATE    forecast from the data as it stood then, and show what\n"
	    "                  actually happened in the horizon after it (backtest)\n"
	    "P(won) = (won + 10 * prior) / (n + 10) over the history deals of the\n"
	    "deal's phase that were still open at its age in the phase (open deals\n"
	    "older than every win counted as not won); prior from [targets]\n"
	    "prior_PHASE, else (index + 1) / (phases + 1). Expected close: the median\n"
	    "remaining days of those won; unknown (outside the horizon) when none\n"
	    "was won. The interval is +-1.96 standard deviations\n"
	    "of the sum of independent wins.\n",
};
