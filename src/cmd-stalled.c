/* SPDX-License-Identifier: MIT */
/*
 * salescycle stalled: open deals that stay in their phase longer than the
 * 75th percentile of the deals that advanced from it, or that have heard
 * nothing from the customer for silence_days since the offer; most
 * stalled first, with the last evidence.
 */
#include <stdio.h>

#include "analysis.h"
#include "cmd.h"

static const struct column stalled_columns[] = {
	{ "deal", NULL, COL_INT },
	{ "account", NULL, COL_STR },
	{ "salesperson", NULL, COL_STR },
	{ "phase", NULL, COL_STR },
	{ "reason", NULL, COL_STR },
	{ "days_stalled", "days stalled", COL_REAL },
	{ "days_in_phase", "in phase", COL_REAL },
	{ "p75_days", "p75", COL_REAL },
	{ "days_silent", "silent", COL_REAL },
	{ "evidence_at", "last evidence", COL_TIME },
	{ "evidence", NULL, COL_STR },
};

static int
cmd_stalled_exec(struct cmd_ctx *ctx)
{
	struct analysis_filter f = { &ctx->cfg, 0, 0, ctx->now, NULL };
	struct strlist one = { 0 };
	struct stalled_list l;
	struct err err = { 0 };
	struct table t;
	size_t i;

	if (ctx->salesperson != NULL)
		strlist_add(&one, ctx->salesperson);
	f.salespeople = &one;
	if (analysis_stalled(ctx->store, &f, &l, &err) != 0) {
		strlist_clear(&one);
		cmd_error("stalled", "%s", err.msg);
		return EXIT_FAIL;
	}
	strlist_clear(&one);
	table_init(&t, stalled_columns,
	    sizeof stalled_columns / sizeof stalled_columns[0], ctx->cfg.timezone);
	for (i = 0; i < l.n; i++) {
		const struct stalled *s = &l.v[i];

		table_row(&t);
		table_int(&t, 0, s->deal);
		table_str(&t, 1, s->account);
		table_str(&t, 2, s->salesperson);
		table_str(&t, 3, s->phase);
		table_str(&t, 4, s->slow && s->silent ? "slow,silent" :
		    s->slow ? "slow" : "silent");
		table_real(&t, 5, s->days_stalled);
		table_real(&t, 6, s->days_in_phase);
		table_real(&t, 7, s->p75_days);
		table_real(&t, 8, s->days_silent);
		table_time(&t, 9, s->evidence_at);
		table_str(&t, 10, s->evidence);
	}
	table_print(&t, ctx->format, stdout);
	table_free(&t);
	stalled_list_free(&l);
	return EXIT_OK;
}

const struct cmd_entry cmd_stalled_entry = {
	.name = "stalled",
	.summary = "open deals that stall in their phase or wait for a reply",
	.usage = "",
	.flags = CMD_NEEDS_STORE,
	.shortopts = "",
	.exec = cmd_stalled_exec,
	.help = "An open deal is 'slow' when it has been in its phase longer than the\n"
	    "75th percentile of the days that deals which advanced from that phase\n"
	    "spent in it, and 'silent' when the customer has not written for\n"
	    "silence_days ([general], default 14) since the offer was sent.\n"
	    "'days stalled' is the larger excess over these limits.\n",
};
