/* SPDX-License-Identifier: MIT */
/*
 * salescycle lost-reasons: why deals were lost, as the salespeople said it
 * (#lost acme.nl price), grouped by reason and the phase the deal was lost
 * in, most frequent reason first (lost.c).
 */
#include <stdio.h>

#include "cmd.h"
#include "lost.h"

static const struct column lost_columns[] = {
	{ "reason", NULL, COL_STR, COL_FIT },
	{ "phase", "lost in", COL_STR, 0 },
	{ "count", "deals", COL_INT, 0 },
	{ "reason_total", "all phases", COL_INT, 0 },
};

static int
cmd_lost_reasons_exec(struct cmd_ctx *ctx)
{
	struct lost_reasons lr;
	struct strlist people = { 0 };
	struct err err = { 0 };
	struct table t;
	size_t i;

	if (ctx->salesperson != NULL)
		strlist_add(&people, ctx->salesperson);
	if (lost_reasons_collect(ctx->store, &ctx->cfg, &people, ctx->since,
	    ctx->until, &lr, &err) != 0) {
		strlist_clear(&people);
		cmd_error("lost-reasons", "%s", err.msg);
		return EXIT_FAIL;
	}
	strlist_clear(&people);
	table_init(&t, lost_columns, sizeof lost_columns / sizeof *lost_columns,
	    ctx->cfg.timezone);
	for (i = 0; i < lr.n; i++) {
		table_row(&t);
		/* A deal lost without a reason: none was given. */
		table_str(&t, 0, lr.v[i].reason != NULL ? lr.v[i].reason :
		    ctx->format == FORMAT_TABLE ? "(none given)" : NULL);
		table_str(&t, 1, lr.v[i].phase);
		table_int(&t, 2, lr.v[i].count);
		table_int(&t, 3, lr.v[i].reason_total);
	}
	table_print(&t, ctx->format, stdout);
	if (ctx->format == FORMAT_TABLE)
		printf("\n%ld deal%s lost, %ld with a reason given.\n",
		    lr.deals, lr.deals == 1 ? "" : "s", lr.with_reason);
	table_free(&t);
	lost_reasons_free(&lr);
	return EXIT_OK;
}

const struct cmd_entry cmd_lost_reasons_entry = {
	.name = "lost-reasons",
	.summary = "why deals were lost, per phase",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT | CMD_PERSON,
	.shortopts = "",
	.exec = cmd_lost_reasons_exec,
	.help = "Lists the reasons of the deals lost in the range (closed between --since\n"
	    "and --until; --salesperson: that owner's deals), as the salesperson gave\n"
	    "them with a hashtag in mail they sent or an event they organised:\n"
	    "'#lost acme.nl price'.  Reasons are grouped with case and spacing\n"
	    "folded ('Price.' is 'price'); 'deals' counts the deals lost for the\n"
	    "reason in the phase they were lost in, 'all phases' in any phase.  Deals\n"
	    "lost without a reason (gone stale, or #lost alone) are '(none given)',\n"
	    "null in JSON and CSV.\n",
};
