/* SPDX-License-Identifier: MIT */
/*
 * salescycle qualification: per salesperson, how many open deals from the
 * suspect phase on have the four things the suspect phase asks to know
 * (#decision, #competitor, #need, #problem: analysis_deal_qualification).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "store-query.h"
#include "xmalloc.h"

/* The phase from which a deal should be qualified: the second of the cycle. */
#define QUAL_FIRST_PHASE	1

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

/* What an open deal needs for its qualification, kept until the walk ends. */
struct qual_deal {
	char		*account;	/* owned */
	int		 person;	/* index in the config's salespeople */
	int		 phase;
	time_t		 opened;
};

/* Counts of one salesperson and phase. */
struct qual_count {
	long		 open;
	long		 qualified;
	long		 known[4];	/* decision, competitor, need, problem */
};

struct qual_walk {
	const struct cmd_ctx *ctx;
	struct qual_deal *v;		/* owned */
	size_t		 n;
	size_t		 cap;
};

/* Index of a salesperson key in the configuration; -1 if none. */
static int
qual_person(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->npeople; i++)
		if (strcmp(cfg->people[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Keeps an open deal from the suspect phase on. */
static int
qual_deal(const struct store_deal *d, void *arg)
{
	struct qual_walk *w = arg;
	const struct config *cfg = &w->ctx->cfg;
	int p, who;

	if (strcmp(d->outcome, "open") != 0 || d->opened > w->ctx->now)
		return 0;
	p = config_phase_index(cfg, d->phase);
	who = qual_person(cfg, d->salesperson);
	if (p == PHASE_NONE || p < QUAL_FIRST_PHASE || who < 0)
		return 0;
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 64 : w->cap * 2;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
	}
	w->v[w->n].account = xstrdup(d->account);
	w->v[w->n].person = who;
	w->v[w->n].phase = p;
	w->v[w->n].opened = d->opened;
	w->n++;
	return 0;
}

/* Adds a row of counts; the share is NAN without open deals. */
static void
qual_row(struct table *t, const char *who, const char *phase,
    const struct qual_count *c)
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
	struct store_filter sf = { ctx->salesperson, NULL, ctx->now, 0 };
	const struct config *cfg = &ctx->cfg;
	struct qual_walk w = { ctx, NULL, 0, 0 };
	struct qual_count *cnt, all;
	struct deal_facts df;
	struct err err = { 0 };
	struct table t;
	size_t i, p, k, nph = cfg->phases.n;
	int rc = EXIT_OK;

	cnt = xcalloc(cfg->npeople * nph + 1, sizeof *cnt);
	if (store_deals(ctx->store, &sf, qual_deal, &w, &err) != 0)
		rc = EXIT_FAIL;
	for (i = 0; i < w.n; i++) {
		struct qual_count *c = &cnt[w.v[i].person * nph + w.v[i].phase];
		const char *facts[4];

		if (rc == EXIT_OK && analysis_deal_qualification(ctx->store,
		    w.v[i].account, w.v[i].opened, ctx->now, &df, &err) != 0)
			rc = EXIT_FAIL;
		free(w.v[i].account);
		if (rc != EXIT_OK)
			continue;
		facts[0] = df.decision;
		facts[1] = df.competitor;
		facts[2] = df.need;
		facts[3] = df.problem;
		c->open++;
		for (k = 0; k < 4; k++)
			if (facts[k] != NULL)
				c->known[k]++;
		if (facts[0] && facts[1] && facts[2] && facts[3])
			c->qualified++;
		deal_facts_free(&df);
	}
	free(w.v);
	if (rc != EXIT_OK) {
		cmd_error("qualification", "%s", err.msg);
		free(cnt);
		return rc;
	}
	table_init(&t, qual_columns, sizeof qual_columns / sizeof qual_columns[0],
	    cfg->timezone);
	for (i = 0; i < cfg->npeople; i++) {
		if (ctx->salesperson != NULL &&
		    strcmp(ctx->salesperson, cfg->people[i].key) != 0)
			continue;
		memset(&all, 0, sizeof all);
		for (p = QUAL_FIRST_PHASE; p < nph; p++) {
			const struct qual_count *c = &cnt[i * nph + p];

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
