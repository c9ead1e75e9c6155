/* SPDX-License-Identifier: MIT */
/*
 * salescycle qualification: per salesperson, how many open deals from the
 * suspect phase on have the four things the suspect phase asks to know
 * (#decision, #competitor, #need, #problem: analysis_qualification).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "xmalloc.h"

static const struct column qual_columns[] = {
	{ "salesperson", NULL, COL_STR, COL_FIT },
	{ "phase", NULL, COL_STR, 0 },
	{ "open", NULL, COL_INT, 0 },
	{ "qualified", NULL, COL_INT, 0 },
	{ "qualified_pct", "qualified %", COL_REAL, 0 },
	{ "decision", NULL, COL_INT, 0 },
	{ "competitor", NULL, COL_INT, 0 },
	{ "need", NULL, COL_INT, 0 },
	{ "problem", NULL, COL_INT, 0 },
};

/* Adds a row of counts; the share is NAN without open deals. */
static void
qual_row(struct table *t, const char *who, const char *phase,
    const struct qualification_count *c)
{
	size_t k;

	table_row(t);
	table_str(t, 0, who);
	table_str(t, 1, phase);
	table_int(t, 2, c->open);
	table_int(t, 3, c->qualified);
	if (c->open > 0)
		table_real(t, 4, 100.0 * (double)c->qualified / (double)c->open);
	for (k = 0; k < 4; k++)
		table_int(t, 5 + k, c->known[k]);
}

static int
cmd_qualification_exec(struct cmd_ctx *ctx)
{
	const struct config *cfg = &ctx->cfg;
	struct qualification_count *cnt, all;
	struct err err = { 0 };
	struct table t;
	size_t i, p, k, nph = cfg->phases.n;

	cnt = xcalloc(cfg->npeople * nph + 1, sizeof *cnt);
	if (analysis_qualification(ctx->store, cfg, ctx->salesperson, ctx->now,
	    cnt, &err) != 0) {
		cmd_error("qualification", "%s", err.msg);
		free(cnt);
		return EXIT_FAIL;
	}
	table_init(&t, qual_columns, sizeof qual_columns / sizeof qual_columns[0],
	    cfg->timezone);
	for (i = 0; i < cfg->npeople; i++) {
		if (ctx->salesperson != NULL &&
		    strcmp(ctx->salesperson, cfg->people[i].key) != 0)
			continue;
		memset(&all, 0, sizeof all);
		for (p = ANALYSIS_QUAL_FIRST_PHASE; p < nph; p++) {
			const struct qualification_count *c = &cnt[i * nph + p];

			qual_row(&t, cfg->people[i].key, cfg->phases.name[p], c);
			all.open += c->open;
			all.qualified += c->qualified;
			for (k = 0; k < 4; k++)
				all.known[k] += c->known[k];
		}
		qual_row(&t, cfg->people[i].key, "all", &all);
	}
	table_print(&t, ctx->format, stdout);
	table_free(&t);
	free(cnt);
	return EXIT_OK;
}

const struct cmd_entry cmd_qualification_entry = {
	.name = "qualification",
	.summary = "per salesperson, the open deals whose qualification is known",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_FORMAT | CMD_PERSON,
	.shortopts = "",
	.exec = cmd_qualification_exec,
	.help = "Per salesperson and phase from the second (suspect) on, and in all: the\n"
	    "open deals now, how many are qualified (all four of #decision, #competitor,\n"
	    "#need and #problem given since the deal opened), that share in percent, and\n"
	    "how many know each of the four.\n",
};
