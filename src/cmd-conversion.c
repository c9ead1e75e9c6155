/* SPDX-License-Identifier: MIT */
/*
 * salescycle conversion: per phase, the deals that entered it in the
 * period and what became of them (advanced, won, lost, still open), the
 * rates to the next phase and to won, median and 75th-percentile days in
 * the phase, the same for the previous period of equal length with the
 * change, and the [targets] conversion per phase.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "util.h"

#define DAY	86400
#define DEFAULT_PERIOD_DAYS	28

static bool conversion_by_person;

static const struct option conversion_options[] = {
	{ "by-salesperson", no_argument, NULL, 'B' },
	{ NULL, 0, NULL, 0 }
};

static const struct column conversion_columns[] = {
	{ "salesperson", NULL, COL_STR },
	{ "phase", NULL, COL_STR },
	{ "entered", NULL, COL_INT },
	{ "advanced", NULL, COL_INT },
	{ "won", NULL, COL_INT },
	{ "lost", NULL, COL_INT },
	{ "open", NULL, COL_INT },
	{ "next_pct", "next %", COL_REAL },
	{ "won_pct", "won %", COL_REAL },
	{ "median_days", "median d", COL_REAL },
	{ "p75_days", "p75 d", COL_REAL },
	{ "target_pct", "target %", COL_REAL },
	{ "prev_entered", "prev entered", COL_INT },
	{ "prev_next_pct", "prev next %", COL_REAL },
	{ "change_pct", "change", COL_REAL },
};

static int
cmd_conversion_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	(void)ctx;
	(void)arg;
	if (opt != 'B')
		return -1;
	conversion_by_person = true;
	return 0;
}

static double
pct(double r)
{
	return isnan(r) ? NAN : r * 100.0;
}

/* Adds the rows of one salesperson (or "all") to t. */
static void
conversion_rows(struct table *t, const char *who, const struct conversion *cur,
    const struct conversion *prev)
{
	size_t i;

	for (i = 0; i < cur->nphases; i++) {
		const struct conversion_phase *c = &cur->phases[i];
		const struct conversion_phase *p = &prev->phases[i];
		bool has_prev = prev->nphases > 0;

		table_row(t);
		table_str(t, 0, who);
		table_str(t, 1, c->phase);
		table_int(t, 2, c->entered);
		table_int(t, 3, c->advanced);
		table_int(t, 4, c->won);
		table_int(t, 5, c->lost);
		table_int(t, 6, c->open);
		table_real(t, 7, pct(c->rate_next));
		table_real(t, 8, pct(c->rate_won));
		table_real(t, 9, c->median_days);
		table_real(t, 10, c->p75_days);
		table_real(t, 11, pct(c->target));
		if (has_prev) {
			table_int(t, 12, p->entered);
			table_real(t, 13, pct(p->rate_next));
			table_real(t, 14, pct(c->rate_next) - pct(p->rate_next));
		} else {
			table_null(t, 12);
			table_null(t, 13);
			table_null(t, 14);
		}
	}
}

static int
cmd_conversion_exec(struct cmd_ctx *ctx)
{
	struct analysis_filter f = { &ctx->cfg, ctx->since, ctx->until, ctx->now, NULL };
	struct conversion cur, prev;
	struct strlist one = { 0 };
	struct err err = { 0 };
	struct table t;
	struct json j;
	size_t i, r;
	int rc = EXIT_OK;

	if (f.until == 0)
		f.until = ctx->now;
	if (f.since == 0)
		f.since = f.until - (time_t)DEFAULT_PERIOD_DAYS * DAY;
	table_init(&t, conversion_columns,
	    sizeof conversion_columns / sizeof conversion_columns[0],
	    ctx->cfg.timezone);
	if (ctx->salesperson != NULL)
		strlist_add(&one, ctx->salesperson);
	f.salespeople = &one;
	if (analysis_conversion(ctx->store, &f, &cur, &prev, &err) != 0)
		goto fail;
	conversion_rows(&t, ctx->salesperson != NULL ? ctx->salesperson : "all",
	    &cur, &prev);
	for (i = 0; conversion_by_person && ctx->salesperson == NULL &&
	    i < ctx->cfg.npeople; i++) {
		strlist_clear(&one);
		strlist_add(&one, ctx->cfg.people[i].key);
		if (analysis_conversion(ctx->store, &f, &cur, &prev, &err) != 0)
			goto fail;
		conversion_rows(&t, ctx->cfg.people[i].key, &cur, &prev);
	}

	if (ctx->format == FORMAT_JSON) {
		json_init(&j, stdout);
		json_begin_object(&j);
		json_key(&j, "since");
		json_time(&j, f.since);
		json_key(&j, "until");
		json_time(&j, f.until);
		json_key(&j, "previous_since");
		json_time(&j, f.since - (f.until - f.since));
		json_key(&j, "phases");
		json_begin_array(&j);
		for (r = 0; r < t.nrows; r++)
			json_table_row(&j, &t, r);
		json_end_array(&j);
		json_end_object(&j);
		json_end(&j);
	} else {
		if (ctx->format == FORMAT_TABLE) {
			char a[24], b[24], c[24];

			util_format_utc(f.since, a, sizeof a);
			util_format_utc(f.until, b, sizeof b);
			util_format_utc(f.since - (f.until - f.since), c, sizeof c);
			printf("period %s to %s, previous from %s\n\n", a, b, c);
		}
		table_print(&t, ctx->format, stdout);
	}
	goto out;
fail:
	cmd_error("conversion", "%s", err.msg);
	rc = EXIT_FAIL;
out:
	table_free(&t);
	strlist_clear(&one);
	return rc;
}

const struct cmd_entry cmd_conversion_entry = {
	.name = "conversion",
	.summary = "conversion per phase against the previous period",
	.usage = "[--by-salesperson]",
	.flags = CMD_NEEDS_STORE,
	.options = conversion_options,
	.shortopts = "",
	.option = cmd_conversion_option,
	.exec = cmd_conversion_exec,
	.help = "  --by-salesperson  also a block of rows per salesperson\n"
	    "Per phase, the deals that entered it in the period (--since/--until;\n"
	    "default the 28 days before now): advanced to a later phase (the last\n"
	    "phase: won), won by now, lost in the phase, still open in it; the rates\n"
	    "to the next phase and to won; median and 75th-percentile days in the\n"
	    "phase; the [targets] conversion; the previous period of equal length\n"
	    "and the change of the rate to the next phase in percentage points.\n",
};
