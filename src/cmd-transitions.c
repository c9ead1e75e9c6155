/* SPDX-License-Identifier: MIT */
/* salescycle transitions: phase moves in the range, in time order. */
#include <stdio.h>

#include "cmd.h"
#include "report.h"

static int
cmd_transitions_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct err err = { 0 };
	struct table t;

	/* Millions of transitions: CSV and JSON print as they come. */
	table_init(&t, report_transition_columns, report_transition_ncolumns,
	    ctx->cfg.timezone);
	table_stream(&t, ctx->format, stdout);
	if (report_transition_rows(ctx->store, &f, &t, &err) != 0) {
		table_free(&t);
		cmd_error("transitions", "%s", err.msg);
		return EXIT_FAIL;
	}
	table_print(&t, ctx->format, stdout);
	table_free(&t);
	return EXIT_OK;
}

const struct cmd_entry cmd_transitions_entry = {
	.name = "transitions",
	.summary = "list phase transitions with their evidence",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT | CMD_PERSON,
	.shortopts = "",
	.exec = cmd_transitions_exec,
	.help = "Lists the phase moves that happened in the range. 'salesperson' is the deal's\n"
	    "owner, 'actor' the salesperson whose mailbox or calendar gave the signal.\n",
};
