/* SPDX-License-Identifier: MIT */
/*
 * salescycle stalled: open deals that nothing has moved for longer than is
 * usual for their phase (analysis.h), the ones to call first on top, then
 * those as quiet whose next meeting is already planned.
 */
#include <stdio.h>

#include "analysis.h"
#include "cmd.h"
#include "util.h"

static const struct column stalled_columns[] = {
	{ "deal", NULL, COL_INT, COL_WIDE },
	{ "account", NULL, COL_STR, COL_FIT },
	{ "salesperson", NULL, COL_STR, 0 },
	{ "phase", NULL, COL_STR, 0 },
	{ "value", NULL, COL_REAL, COL_SPARSE },
	{ "reason", NULL, COL_STR, COL_FIT },
	{ "quiet_days", "quiet for", COL_REAL, 0 },
	{ "usual_days", "usual", COL_REAL, 0 },
	{ "over_days", "over", COL_REAL, COL_WIDE },
	{ "next_meeting", "next meeting", COL_DAY, 0 },
	{ "quiet_since", "last activity", COL_DAY, COL_WIDE },
	{ "evidence", "last evidence", COL_STR, COL_WIDE },
};

/* Why a deal is listed, in a manager's words. */
static const char *
stalled_reason(const struct stalled *s)
{
	if (s->decision_passed)
		return "decision date passed";
	if (s->next_meeting != 0)
		return "next step planned";
	if (s->verbal)
		return "verbal order unconfirmed";
	if (s->untouched)
		return "untouched target";
	return "quiet";
}

static void
stalled_row(const struct cmd_ctx *ctx, struct table *t, const struct stalled *s)
{
	char day[24];

	table_row(t);
	table_int(t, 0, s->deal);
	table_str(t, 1, s->account);
	table_str(t, 2, s->salesperson);
	table_str(t, 3, s->phase);
	table_real(t, 4, s->value);
	table_str(t, 5, stalled_reason(s));
	table_real(t, 6, s->quiet_days);
	table_real(t, 7, s->usual_days);
	table_real(t, 8, s->over_days);
	if (s->next_meeting != 0) {
		util_day(s->next_meeting, ctx->cfg.timezone, day, sizeof day);
		table_str(t, 9, day);
	} else
		table_null(t, 9);
	util_day(s->quiet_since, ctx->cfg.timezone, day, sizeof day);
	table_str(t, 10, day);
	table_str(t, 11, s->evidence);
}

static int
cmd_stalled_exec(struct cmd_ctx *ctx)
{
	struct analysis_filter f = { &ctx->cfg, 0, 0, ctx->now, NULL, false, NULL };
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
	for (i = 0; i < l.n; i++)
		stalled_row(ctx, &t, &l.v[i]);
	for (i = 0; i < l.nplanned; i++)
		stalled_row(ctx, &t, &l.planned[i]);
	table_print(&t, ctx->format, stdout);
	if (ctx->format == FORMAT_TABLE)
		printf("\n%zu stalled, %zu as quiet with a meeting planned. "
		    "quiet for: days since anything\nhappened with the account "
		    "(mail either way, a signal, a meeting held); usual: what\n"
		    "won deals went through in the phase (see --help).\n", l.n,
		    l.nplanned);
	table_free(&t);
	stalled_list_free(&l);
	return EXIT_OK;
}

const struct cmd_entry cmd_stalled_entry = {
	.name = "stalled",
	.summary = "open deals that nothing has moved for longer than usual",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_FORMAT | CMD_PERSON,
	.shortopts = "",
	.exec = cmd_stalled_exec,
	.help = "quiet for: days since anything happened with the account: a signal\n"
	    "of any kind (mail in either direction, an offer, a booking) or a\n"
	    "meeting held (its start passed). usual: the 75th percentile of the\n"
	    "longest quiet spell that deals which went on to win had in the phase;\n"
	    "usual_quiet_days ([general], default 14) while fewer than 5 won deals\n"
	    "show it; never less than 7. A deal is stalled when quiet for longer\n"
	    "than usual (over: by how much). A verbal order counts from the\n"
	    "verbal order against confirmation_days (default 14), whatever else\n"
	    "happens. A meeting planned with the account is a next step: such a\n"
	    "deal is listed last as 'next step planned', not stalled. value: the\n"
	    "amount in the subject of the deal's newest offer (EUR 12,500.00,\n"
	    "€ 12.500,-). A deal whose #decision date has passed without an order\n"
	    "is stalled too. Order: the later the phase the higher, then the\n"
	    "larger value, untouched target-list rows last, then by over.\n",
};
