/* SPDX-License-Identifier: MIT */
/* salescycle deal ACCOUNT: one account's deals, transitions and evidence. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "report.h"

static int
cmd_deal_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct table deals, trans, sigs;
	struct err err = { 0 };
	struct json j;
	char key[256];
	size_t r;
	int rc = EXIT_OK;

	memset(&deals, 0, sizeof deals);
	memset(&trans, 0, sizeof trans);
	memset(&sigs, 0, sizeof sigs);
	if (cmd_account_key(&ctx->cfg, ctx->argv[0], key, sizeof key) != 0)
		return EXIT_USAGE;
	f.account = key;
	/* Deals and transitions of the account whatever the salesperson. */
	f.salesperson = NULL;
	if (report_deals(ctx->store, &f, &deals, &err) != 0 ||
	    report_transitions(ctx->store, &f, &trans, &err) != 0)
		goto fail_early;
	f.salesperson = ctx->salesperson;
	if (report_signals(ctx->store, &f, &sigs, &err) != 0)
		goto fail_early;
	if (deals.nrows == 0 && sigs.nrows == 0) {
		cmd_error(key, "no deals or evidence for this account");
		rc = EXIT_FAIL;
	} else if (ctx->format == FORMAT_JSON) {
		json_init(&j, stdout);
		json_begin_object(&j);
		json_key(&j, "account");
		json_str(&j, key);
		json_key(&j, "deals");
		json_begin_array(&j);
		for (r = 0; r < deals.nrows; r++)
			json_table_row(&j, &deals, r);
		json_end_array(&j);
		json_key(&j, "transitions");
		json_begin_array(&j);
		for (r = 0; r < trans.nrows; r++)
			json_table_row(&j, &trans, r);
		json_end_array(&j);
		json_key(&j, "evidence");
		json_begin_array(&j);
		for (r = 0; r < sigs.nrows; r++)
			json_table_row(&j, &sigs, r);
		json_end_array(&j);
		json_end_object(&j);
		json_end(&j);
	} else {
		if (ctx->format == FORMAT_TABLE)
			printf("Deals of %s\n", key);
		table_print(&deals, ctx->format, stdout);
		if (ctx->format == FORMAT_TABLE) {
			printf("\nTransitions\n");
			table_print(&trans, ctx->format, stdout);
			printf("\nEvidence\n");
			table_print(&sigs, ctx->format, stdout);
		}
	}
	table_free(&deals);
	table_free(&trans);
	table_free(&sigs);
	return rc;
fail_early:
	table_free(&deals);
	table_free(&trans);
	table_free(&sigs);
	cmd_error("deal", "%s", err.msg);
	return EXIT_FAIL;
}

const struct cmd_entry cmd_deal_entry = {
	.name = "deal",
	.summary = "one account's deals, transitions and evidence",
	.usage = "ACCOUNT",
	.flags = CMD_NEEDS_STORE,
	.args = { 1, 1, "give one account (a domain such as acme.nl)" },
	.shortopts = "",
	.exec = cmd_deal_exec,
	.help = "ACCOUNT is the customer's domain (acme.nl; sales.acme.nl works too) or, for\n"
	    "a free-mail customer, the address.  Shows the timeline of evidence: every\n"
	    "signal with its rule, subject and Message-ID or event UID.  CSV output holds\n"
	    "the deals only.\n",
};
