/* SPDX-License-Identifier: MIT */
/* salescycle deal ACCOUNT: one account's deals, transitions and evidence. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "links.h"
#include "report.h"
#include "util.h"
#include "xmalloc.h"

/*
 * One qualification fact as "decision date 2027-01-15" or "... not known",
 * safe for a terminal (the value is a hashtag someone wrote).
 */
static void
deal_fact(struct buf *b, const char *label, const char *value, const char *sep)
{
	buf_printf(b, "%s%s ", sep, label);
	util_safe_text(b, value != NULL ? value : "not known");
}

/* Prints a line of facts, shortened with an ellipsis unless --wide. */
static void
deal_fact_line(const struct buf *b, bool wide)
{
	char *line = printer_fit(b->data != NULL ? b->data : "",
	    wide ? SIZE_MAX : PRINTER_WIDTH);

	printf("%s\n", line);
	free(line);
}

/*
 * The latest deal's qualification, value and next meeting, under the
 * tables: on one line when it fits 100 columns, else need and problem
 * on lines of their own.
 */
static void
deal_print_facts(const struct cmd_ctx *ctx, const struct deal_facts *df)
{
	struct buf all = { 0 }, first = { 0 }, need = { 0 }, problem = { 0 };
	char day[24];

	deal_fact(&first, "Qualification: decision date", df->decision, "");
	deal_fact(&first, "competitor", df->competitor, " \xc2\xb7 ");
	deal_fact(&need, "need", df->need, "  ");
	deal_fact(&problem, "problem", df->problem, "  ");
	buf_printf(&all, "%s \xc2\xb7 %s \xc2\xb7 %s", first.data,
	    need.data + 2, problem.data + 2);
	putchar('\n');
	if (ctx->wide || printer_width(all.data) <= PRINTER_WIDTH)
		deal_fact_line(&all, true);
	else {
		deal_fact_line(&first, false);
		deal_fact_line(&need, false);
		deal_fact_line(&problem, false);
	}
	buf_free(&all);
	buf_free(&first);
	buf_free(&need);
	buf_free(&problem);
	printf("Value: ");
	if (isnan(df->value))
		printf("not known (no offer with an amount, no #value)\n");
	else
		/* Whole amounts as whole numbers, cents only when there are. */
		printf(fabs(df->value - round(df->value)) < 0.005 ? "%.0f %s (%s)\n" :
		    "%.2f %s (%s)\n", df->value, cmd_currency(ctx),
		    df->value_from);
	printf("Next meeting: ");
	if (df->next_meeting == 0)
		printf("none planned\n");
	else {
		util_day(df->next_meeting, ctx->cfg.timezone, day, sizeof day);
		printf("%s\n", day);
	}
}

/*
 * Why evidence was ignored, under its table: the reasons are sentences
 * that would not fit in a column of a table 100 wide (--wide shows them
 * in the table instead).
 */
static void
deal_print_ignored(const struct cmd_ctx *ctx, const struct table *sigs)
{
	const struct cell *at, *kind, *why;
	struct buf b = { 0 };
	char day[24];
	size_t r;
	bool any = false;

	for (r = 0; r < sigs->nrows; r++) {
		at = &sigs->cells[r * sigs->ncols + REPORT_SIGNAL_AT];
		kind = &sigs->cells[r * sigs->ncols + REPORT_SIGNAL_KIND];
		why = &sigs->cells[r * sigs->ncols + REPORT_SIGNAL_IGNORED];
		if (why->null)
			continue;
		if (!any)
			printf("\nIgnored evidence\n");
		any = true;
		util_day((time_t)at->i, ctx->cfg.timezone, day, sizeof day);
		buf_reset(&b);
		buf_printf(&b, "  %s ", day);
		util_safe_text(&b, kind->s);
		deal_fact_line(&b, false);
		printer_wrap(stdout, why->s, 4);
	}
	buf_free(&b);
}

/* The same in JSON. */
static void
deal_json_facts(struct json *j, const struct config *cfg,
    const struct deal_facts *df)
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
	json_key(j, "currency");
	json_str(j, cfg->currency);
	json_key(j, "next_meeting");
	json_time(j, df->next_meeting);
}

/* What cmd_deal_link hands on: JSON or a text stream. */
struct deal_links {
	struct json	*j;	/* NULL: text to out */
	FILE		*out;
	const char	*tz;	/* days in the table */
	size_t		 n;
};

/* One linked address: a JSON object, or a line of the table. */
static int
cmd_deal_link(const char *address, const char *account, const char *how,
    time_t at, void *arg)
{
	struct deal_links *dl = arg;
	char when[32];

	dl->n++;
	if (dl->j != NULL) {
		json_begin_object(dl->j);
		json_key(dl->j, "address");
		json_str(dl->j, address);
		json_key(dl->j, "account");
		json_str(dl->j, account);
		json_key(dl->j, "how");
		json_str(dl->j, how);
		json_key(dl->j, "at");
		json_time(dl->j, at);
		json_end_object(dl->j);
		return 0;
	}
	if (dl->n == 1)
		fprintf(dl->out, "\nLinked addresses\n");
	util_day(at, dl->tz, when, sizeof when);
	fputs("  ", dl->out);
	util_safe_fputs(address, dl->out);
	fputs(" -> ", dl->out);
	util_safe_fputs(account, dl->out);
	fprintf(dl->out, " (%s, %s)\n", how, when);
	return 0;
}

static int
cmd_deal_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct table deals, trans, sigs;
	struct deal_facts df;
	struct deal_links dl = { .tz = ctx->cfg.timezone };
	struct err err = { 0 };
	struct json j;
	char key[256];
	time_t since = 0;
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
		deal_json_facts(&j, &ctx->cfg, &df);
		json_key(&j, "links");
		json_begin_array(&j);
		dl.j = &j;
		if (links_list(ctx->store, key, cmd_deal_link, &dl, &err) != 0)
			rc = EXIT_FAIL;
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
			if (!ctx->wide)
				deal_print_ignored(ctx, &sigs);
			deal_print_facts(ctx, &df);
			dl.out = stdout;
			if (links_list(ctx->store, key, cmd_deal_link, &dl,
			    &err) != 0)
				rc = EXIT_FAIL;
		}
	}
	deal_facts_free(&df);
	if (rc == EXIT_FAIL && err.msg[0] != '\0')
		cmd_error("deal", "%s", err.msg);
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
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT | CMD_PERSON,
	.args = { 1, 1, "give one account (a domain such as acme.nl)" },
	.shortopts = "",
	.exec = cmd_deal_exec,
	.help = "ACCOUNT is the customer's domain (acme.nl; sales.acme.nl works too) or, for\n"
	    "a free-mail customer, the address.  Shows the timeline of evidence: every\n"
	    "signal with its rule and its language, subject, Message-ID or event UID, and\n"
	    "why it was ignored (an order confirmation without earlier evidence of ours:\n"
	    "an order we placed), and the free-mail addresses linked to the account\n"
	    "(salescycle link).  CSV output holds the deals only.  Under the tables, for\n"
	    "the latest deal: its qualification (the newest #decision, #competitor, #need\n"
	    "and #problem), its value (the newest amount: an offer's subject, a #value\n"
	    "hashtag or set --value; in [general] currency) and the\n"
	    "next meeting planned.\n",
};
