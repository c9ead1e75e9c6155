/* SPDX-License-Identifier: MIT */
/*
 * salescycle conversion: per phase, the cohort of deals that entered it in
 * the period and what became of them within --within days (advanced, won,
 * lost, still there), the rates to the next phase and to won once every
 * deal of the cohort had that time, median and 75th-percentile days in the
 * phase, the previous cohort of equal length with the change (not for
 * cohorts under 5 deals), and the [targets] conversion per phase.
 */
#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "util.h"

#define DAY	86400
#define DEFAULT_PERIOD_DAYS	28
#define DEFAULT_WITHIN_DAYS	90
/* Long-only options, clear of the common ones' letters. */
#define CONVERSION_OPT_WITHIN	0x100

static bool conversion_by_person;
static int conversion_within = DEFAULT_WITHIN_DAYS;

static const struct option conversion_options[] = {
	{ "by-salesperson", no_argument, NULL, 'B' },
	{ "within", required_argument, NULL, CONVERSION_OPT_WITHIN },
	{ NULL, 0, NULL, 0 }
};

static const struct column conversion_columns[] = {
	{ "salesperson", NULL, COL_STR, COL_FIT },
	{ "phase", NULL, COL_STR, 0 },
	{ "entered", NULL, COL_INT, 0 },
	{ "advanced", NULL, COL_INT, 0 },
	{ "won", NULL, COL_INT, COL_WIDE },
	{ "lost", NULL, COL_INT, COL_WIDE },
	{ "open", NULL, COL_INT, COL_WIDE },
	{ "next_pct", "next %", COL_REAL, 0 },
	{ "won_pct", "won %", COL_REAL, 0 },
	{ "median_days", "median d", COL_REAL, 0 },
	{ "p75_days", "p75 d", COL_REAL, COL_WIDE },
	{ "target_pct", "target %", COL_REAL, 0 },
	{ "prev_entered", "prev entered", COL_INT, COL_WIDE },
	{ "prev_next_pct", "prev %", COL_REAL, 0 },
	{ "change_pct", "change", COL_REAL, 0 },
	{ "small", NULL, COL_STR, 0 },
};

static int
cmd_conversion_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	char *end;
	long v;

	(void)ctx;
	if (opt == 'B') {
		conversion_by_person = true;
		return 0;
	}
	if (opt != CONVERSION_OPT_WITHIN)
		return -1;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 3660) {
		cmd_error("--within", "'%s' is not a number of days (1 to 3660)",
		    arg);
		return -1;
	}
	conversion_within = (int)v;
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
			/* One deal against one deal is no headline. */
			if (c->small || p->small)
				table_null(t, 14);
			else
				table_real(t, 14, pct(c->rate_next) -
				    pct(p->rate_next));
		} else {
			table_null(t, 12);
			table_null(t, 13);
			table_null(t, 14);
		}
		table_str(t, 15, c->small ? "n<5" : NULL);
	}
}

static int
cmd_conversion_exec(struct cmd_ctx *ctx)
{
	struct analysis_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->now, NULL, false, NULL };
	struct conversion cur, prev;
	struct strlist one = { 0 };
	struct err err = { 0 };
	struct table t;
	struct json j;
	size_t i, r;
	int rc = EXIT_OK;

	/* By default the youngest cohort that had the whole time to move on. */
	if (f.until == 0)
		f.until = ctx->now - (time_t)conversion_within * DAY;
	if (f.since == 0)
		f.since = f.until - (time_t)DEFAULT_PERIOD_DAYS * DAY;
	table_init(&t, conversion_columns,
	    sizeof conversion_columns / sizeof conversion_columns[0],
	    ctx->cfg.timezone);
	if (ctx->salesperson != NULL)
		strlist_add(&one, ctx->salesperson);
	f.salespeople = &one;
	if (analysis_cohorts(ctx->store, &f, conversion_within, &cur, &prev,
	    &err) != 0)
		goto fail;
	conversion_rows(&t, ctx->salesperson != NULL ? ctx->salesperson : "all",
	    &cur, &prev);
	for (i = 0; conversion_by_person && ctx->salesperson == NULL &&
	    i < ctx->cfg.npeople; i++) {
		strlist_clear(&one);
		strlist_add(&one, ctx->cfg.people[i].key);
		if (analysis_cohorts(ctx->store, &f, conversion_within, &cur, &prev,
	    &err) != 0)
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
		json_key(&j, "within_days");
		json_int(&j, conversion_within);
		json_key(&j, "mature");
		json_bool(&j, cur.mature);
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

			util_day(f.since, ctx->cfg.timezone, a, sizeof a);
			util_day(f.until - 1, ctx->cfg.timezone, b, sizeof b);
			util_day(f.since - (f.until - f.since), ctx->cfg.timezone,
			    c, sizeof c);
			printf("deals that entered each phase from %s to %s "
			    "(previous cohort from %s),\nfollowed for %d days "
			    "after entering", a, b, c, conversion_within);
			if (!cur.mature)
				printf(": too recent, not all of them had "
				    "that time yet: no rates");
			printf("\n\n");
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
	.usage = "[--by-salesperson] [--within DAYS]",
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT | CMD_PERSON,
	.options = conversion_options,
	.shortopts = "",
	.option = cmd_conversion_option,
	.exec = cmd_conversion_exec,
	.help = "  --by-salesperson  also a block of rows per salesperson\n"
	    "  --within DAYS     follow each deal this long after it entered\n"
	    "                    (default 90)\n"
	    "Per phase, the cohort of deals that entered it in the period\n"
	    "(--since/--until; default the 28 days that end DAYS before now): how\n"
	    "many advanced to a later phase (the last phase: won), were won, were\n"
	    "lost in the phase, within DAYS of entering it, and the rest (open);\n"
	    "the rates to the next phase and to won, shown only when every deal of\n"
	    "the cohort had DAYS to move on; median and 75th-percentile days in the\n"
	    "phase of the advanced; the [targets] conversion; the previous cohort of\n"
	    "equal length and the change of the rate to the next phase in\n"
	    "percentage points, left out when either cohort has fewer than 5 deals\n"
	    "(small: n<5).\n",
};
