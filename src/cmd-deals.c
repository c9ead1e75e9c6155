/* SPDX-License-Identifier: MIT */
/* salescycle deals: the deals active in the range. */
#include <stdio.h>

#include "cmd.h"
#include "report.h"

static int
cmd_deals_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct err err = { 0 };
	struct table t;

	/* Hundreds of thousands of deals: CSV and JSON print as they come. */
	table_init(&t, report_deal_columns, report_deal_ncolumns,
	    ctx->cfg.timezone);
	table_stream(&t, ctx->format, stdout);
	if (report_deal_rows(ctx->store, &f, &t, &err) != 0) {
		table_free(&t);
		cmd_error("deals", "%s", err.msg);
		return EXIT_FAIL;
	}
	table_print(&t, ctx->format, stdout);
	table_free(&t);
	return EXIT_OK;
}

const struct cmd_entry cmd_deals_entry = {
	.name = "deals",
	.summary = "list deals with their phase and outcome",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT | CMD_PERSON,
	.args = { 0, 0, "takes no arguments (see 'deal ACCOUNT')" },
	.shortopts = "",
	.exec = cmd_deals_exec,
	.help = "Lists every deal that was open at some time in the range: "
	    "opened before --until\nand not closed before --since.\n",
};
