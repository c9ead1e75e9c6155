/* SPDX-License-Identifier: MIT */
/* salescycle funnel: per phase, deals entered, current, advanced. */
#include <math.h>
#include <stdio.h>

#include "cmd.h"
#include "report.h"

static const struct column funnel_columns[] = {
	{ "phase", NULL, COL_STR },
	{ "entered", NULL, COL_INT },
	{ "current", NULL, COL_INT },
	{ "advanced", NULL, COL_INT },
	{ "median_days", "median days", COL_REAL },
};

static void
print_json(const struct cmd_ctx *ctx, const struct funnel *fu)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "since");
	json_str(&j, ctx->since_arg);
	json_key(&j, "until");
	json_str(&j, ctx->until_arg);
	json_key(&j, "phases");
	json_begin_array(&j);
	for (i = 0; i < fu->nphases; i++) {
		json_begin_object(&j);
		json_key(&j, "phase");
		json_str(&j, fu->phases[i].phase);
		json_key(&j, "entered");
		json_int(&j, fu->phases[i].entered);
		json_key(&j, "current");
		json_int(&j, fu->phases[i].current);
		json_key(&j, "advanced");
		json_int(&j, fu->phases[i].advanced);
		json_key(&j, "median_days");
		json_real(&j, fu->phases[i].median_days);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "won");
	json_int(&j, fu->won);
	json_key(&j, "lost");
	json_int(&j, fu->lost);
	json_end_object(&j);
	json_end(&j);
}

static int
cmd_funnel_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct err err = { 0 };
	struct funnel fu;
	struct table t;
	size_t i;

	if (report_funnel(ctx->store, &f, ctx->now, &fu, &err) != 0) {
		cmd_error("funnel", "%s", err.msg);
		return EXIT_FAIL;
	}
	if (ctx->format == FORMAT_JSON) {
		print_json(ctx, &fu);
		return EXIT_OK;
	}
	table_init(&t, funnel_columns, sizeof funnel_columns / sizeof funnel_columns[0],
	    ctx->cfg.timezone);
	for (i = 0; i < fu.nphases; i++) {
		table_row(&t);
		table_str(&t, 0, fu.phases[i].phase);
		table_int(&t, 1, fu.phases[i].entered);
		table_int(&t, 2, fu.phases[i].current);
		table_int(&t, 3, fu.phases[i].advanced);
		table_real(&t, 4, fu.phases[i].median_days);
	}
	table_row(&t);
	table_str(&t, 0, "won");
	table_int(&t, 1, fu.won);
	table_row(&t);
	table_str(&t, 0, "lost");
	table_int(&t, 1, fu.lost);
	table_print(&t, ctx->format, stdout);
	table_free(&t);
	return EXIT_OK;
}

const struct cmd_entry cmd_funnel_entry = {
	.name = "funnel",
	.summary = "deals entering, in and leaving each phase",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT,
	.shortopts = "",
	.exec = cmd_funnel_exec,
	.help = "Per phase: 'entered' counts deals that entered it in the range, 'current'\n"
	    "the open deals in it now, 'advanced' those of the entered that moved on to a\n"
	    "later phase (for the last phase: that were won), 'median days' how long the\n"
	    "advanced ones stayed. 'won' and 'lost' count deals closed in the range.\n",
};
