/* SPDX-License-Identifier: MIT */
/* salescycle deal ACCOUNT: one account's deals, transitions and evidence. */
#include <stdio.h>
#include <string.h>

#include <math.h>

#include "analysis.h"
#include "cmd.h"
#include "report.h"
#include "util.h"

/* One qualification fact as "decision date 2027-01-15" or "... not known". */
static void
deal_fact(const char *label, const char *value, const char *sep)
{
	printf("%s%s %s", sep, label, value != NULL ? value : "not known");
}

/* The latest deal's qualification, value and next meeting, under the tables. */
static void
deal_print_facts(const struct cmd_ctx *ctx, const struct deal_facts *df)
{
	char day[24];

	printf("\nQualification: ");
	deal_fact("decision date", df->decision, "");
	deal_fact("competitor", df->competitor, " \xc2\xb7 ");
	deal_fact("need", df->need, " \xc2\xb7 ");
	deal_fact("problem", df->problem, " \xc2\xb7 ");
	printf("\nValue: ");
	if (isnan(df->value))
		printf("not known (no offer with an amount)\n");
	else
		printf("%.2f (the newest offer)\n", df->value);
	printf("Next meeting: ");
	if (df->next_meeting == 0)
		printf("none planned\n");
	else {
		util_day(df->next_meeting, ctx->cfg.timezone, day, sizeof day);
		printf("%s\n", day);
	}
}

/* The same in JSON. */
static void
deal_json_facts(struct json *j, const struct deal_facts *df)
{
	json_key(j, "qualification");
	json_begin_object(j);
	json_key(j, "decision");
	json_str(j, df->decision);
	json_key(j, "competitor");
	json_str(j, df->competitor);
	json_key(j, "need");
	json_str(j, df->need);
	json_key(j, "problem");
	json_str(j, df->problem);
	json_end_object(j);
	json_key(j, "value");
	json_real(j, df->value);
	json_key(j, "next_meeting");
	json_time(j, df->next_meeting);
}

static int
cmd_deal_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct table deals, trans, sigs;
	struct deal_facts df;
	struct err err = { 0 };
	struct json j;
	char key[256];
	time_t since = 0;
	size_t r;
	int rc = EXIT_OK;

	memset(&deals, 0, sizeof deals);
	memset(&trans, 0, sizeof trans);
	memset(&sigs, 0, sizeof sigs);
	if (ctx->argc != 1) {
		cmd_error("deal", "give one account (a domain such as acme.nl)");
		return EXIT_USAGE;
	}
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
	/* The facts of the latest deal: from when it opened. */
	for (r = 0; r < deals.nrows; r++)
		if (deals.cells[r * deals.ncols + 6].i > since)
			since = (time_t)deals.cells[r * deals.ncols + 6].i;
	if (analysis_deal_facts(ctx->store, key, since, ctx->now, &df,
	    &err) != 0)
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
		deal_json_facts(&j, &df);
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
			deal_print_facts(ctx, &df);
		}
	}
	deal_facts_free(&df);
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
	.shortopts = "",
	.exec = cmd_deal_exec,
	.help = "ACCOUNT is the customer's domain (acme.nl; sales.acme.nl works too) or, for\n"
	    "a free-mail customer, the address.  Shows the timeline of evidence: every\n"
	    "signal with its rule, subject and Message-ID or event UID.  CSV output holds\n"
	    "the deals only.  Under the tables, for the latest deal: its qualification\n"
	    "(the newest #decision, #competitor, #need and #problem), its value (the\n"
	    "amount in the newest offer's subject) and the next meeting planned.\n",
};
