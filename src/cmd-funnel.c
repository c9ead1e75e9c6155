/* SPDX-License-Identifier: MIT */
/*
 * salescycle funnel: per phase, deals entered, current, advanced, and
 * in money: the value of the open deals per phase, the value won in the
 * range and the average won deal.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "money.h"
#include "report.h"
#include "store-query.h"
#include "xmalloc.h"

/* A deal's amount from one of its signals; the newest valued one counts. */
struct funnel_value {
	int64_t		 deal;
	time_t		 at;
	int64_t		 signal;
	int		 phase;		/* open: its phase index; won: -1 */
	double		 value;
};

/* The amounts of the deals of one walk of store_deal_offers(). */
struct funnel_money_walk {
	const struct config *cfg;
	bool		 won;
	struct funnel_value *v;		/* owned */
	size_t		 n;
	size_t		 cap;
};

/* The money of the funnel: sums of the newest offers' amounts. */
struct funnel_money {
	double		 value[MAX_PHASES];	/* open deals now; NAN: none with a value */
	double		 won_value;		/* won in the range; NAN: none with a value */
	long		 won_valued;		/* won deals with a value */
};

static const struct column funnel_columns[] = {
	{ "phase", NULL, COL_STR, 0 },
	{ "entered", NULL, COL_INT, 0 },
	{ "current", NULL, COL_INT, 0 },
	{ "advanced", NULL, COL_INT, 0 },
	{ "median_days", "median days", COL_REAL, 0 },
	{ "value", NULL, COL_REAL, COL_SPARSE },
};

/* Keeps a signal's amount, if it has one, for its deal. */
static int
funnel_money_offer(const struct store_offer *o, void *arg)
{
	struct funnel_money_walk *w = arg;
	struct funnel_value *fv;
	int p = -1;
	double v;

	if (!w->won) {
		p = config_phase_index(w->cfg, o->phase);
		if (p == PHASE_NONE)
			return 0;
	}
	if (!money_signal_value(o->kind, o->subject, o->value, &v))
		return 0;
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 64 : w->cap * 2;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
	}
	fv = &w->v[w->n++];
	fv->deal = o->deal;
	fv->at = o->at;
	fv->signal = o->signal;
	fv->phase = p;
	fv->value = v;
	return 0;
}

/* Orders amounts by deal, then as the signals happened. */
static int
funnel_cmp_value(const void *a, const void *b)
{
	const struct funnel_value *x = a, *y = b;

	if (x->deal != y->deal)
		return x->deal < y->deal ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->signal != y->signal)
		return x->signal < y->signal ? -1 : 1;
	return 0;
}

/*
 * Adds each deal's newest amount to m, in the order of deals (so that
 * the sums are the same to the last bit whatever order rows came in).
 */
static void
funnel_money_add(struct funnel_money_walk *w, struct funnel_money *m)
{
	const struct funnel_value *fv;
	double *sum;
	size_t i;

	/* v is NULL without rows, and qsort's pointer must not be. */
	if (w->n > 1)
		qsort(w->v, w->n, sizeof *w->v, funnel_cmp_value);
	for (i = 0; i < w->n; i++) {
		if (i + 1 < w->n && w->v[i + 1].deal == w->v[i].deal)
			continue;
		fv = &w->v[i];
		sum = fv->phase < 0 ? &m->won_value : &m->value[fv->phase];
		*sum = isnan(*sum) ? fv->value : *sum + fv->value;
		if (fv->phase < 0)
			m->won_valued++;
	}
}

/*
 * The value of the open deals per phase (as the store has them now) and
 * of the deals won in the range, each deal's its newest offer's amount,
 * by one join each over the signals with an amount (fu's open deals say
 * which side of the first join is the smaller).
 */
static int
funnel_money(struct cmd_ctx *ctx, const struct funnel *fu,
    struct funnel_money *m, struct err *err)
{
	struct funnel_money_walk w;
	long open = 0;
	size_t i;
	int rc, won;

	for (i = 0; i < MAX_PHASES; i++)
		m->value[i] = NAN;
	m->won_value = NAN;
	m->won_valued = 0;
	for (i = 0; i < fu->nphases; i++)
		open += fu->phases[i].current;
	for (won = 0; won <= 1; won++) {
		memset(&w, 0, sizeof w);
		w.cfg = &ctx->cfg;
		w.won = won;
		rc = store_deal_offers(ctx->store, ctx->salesperson, won,
		    won ? ctx->since : ctx->now, ctx->until, won ? 0 : open,
		    funnel_money_offer, &w, err);
		if (rc == 0)
			funnel_money_add(&w, m);
		free(w.v);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static void
print_json(const struct cmd_ctx *ctx, const struct funnel *fu,
    const struct funnel_money *m)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "since");
	json_str(&j, ctx->since_arg);
	json_key(&j, "until");
	json_str(&j, ctx->until_arg);
	json_key(&j, "phases");
	json_begin_array(&j);
	for (i = 0; i < fu->nphases; i++) {
		json_begin_object(&j);
		json_key(&j, "phase");
		json_str(&j, fu->phases[i].phase);
		json_key(&j, "entered");
		json_int(&j, fu->phases[i].entered);
		json_key(&j, "current");
		json_int(&j, fu->phases[i].current);
		json_key(&j, "advanced");
		json_int(&j, fu->phases[i].advanced);
		json_key(&j, "median_days");
		json_real(&j, fu->phases[i].median_days);
		json_key(&j, "value");
		json_number(&j, m->value[i]);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "won");
	json_int(&j, fu->won);
	json_key(&j, "lost");
	json_int(&j, fu->lost);
	json_key(&j, "won_value");
	json_number(&j, m->won_value);
	json_key(&j, "won_valued");
	json_int(&j, m->won_valued);
	json_key(&j, "average_won_value");
	json_number(&j, m->won_valued > 0 ? m->won_value /
	    (double)m->won_valued : NAN);
	json_key(&j, "currency");
	json_str(&j, cmd_currency(ctx));
	json_end_object(&j);
	json_end(&j);
}

/* Under the table: the average won deal and what "value" means. */
static void
print_money_note(const struct cmd_ctx *ctx, const struct funnel *fu,
    const struct funnel_money *m)
{
	bool any = !isnan(m->won_value);
	size_t i;

	for (i = 0; i < fu->nphases; i++)
		any = any || !isnan(m->value[i]);
	if (!any)
		return;
	putchar('\n');
	if (m->won_valued > 0)
		printf("average won deal: %.0f %s (%ld of %ld won deals with a "
		    "value)\n", m->won_value / (double)m->won_valued,
		    cmd_currency(ctx), m->won_valued, fu->won);
	printf("value in %s: each deal's newest offer amount; open deals as "
	    "they are now\n", cmd_currency(ctx));
}

static int
cmd_funnel_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct err err = { 0 };
	struct funnel_money m;
	struct funnel fu;
	struct table t;
	size_t i;

	if (report_funnel(ctx->store, &f, ctx->now, &fu, &err) != 0 ||
	    funnel_money(ctx, &fu, &m, &err) != 0) {
		cmd_error("funnel", "%s", err.msg);
		return EXIT_FAIL;
	}
	if (ctx->format == FORMAT_JSON) {
		print_json(ctx, &fu, &m);
		return EXIT_OK;
	}
	table_init(&t, funnel_columns, sizeof funnel_columns / sizeof funnel_columns[0],
	    ctx->cfg.timezone);
	for (i = 0; i < fu.nphases; i++) {
		table_row(&t);
		table_str(&t, 0, fu.phases[i].phase);
		table_int(&t, 1, fu.phases[i].entered);
		table_int(&t, 2, fu.phases[i].current);
		table_int(&t, 3, fu.phases[i].advanced);
		table_real(&t, 4, fu.phases[i].median_days);
		table_real(&t, 5, m.value[i]);
	}
	table_row(&t);
	table_str(&t, 0, "won");
	table_int(&t, 1, fu.won);
	table_real(&t, 5, m.won_value);
	table_row(&t);
	table_str(&t, 0, "lost");
	table_int(&t, 1, fu.lost);
	table_print(&t, ctx->format, stdout);
	table_free(&t);
	if (ctx->format == FORMAT_TABLE)
		print_money_note(ctx, &fu, &m);
	return EXIT_OK;
}

const struct cmd_entry cmd_funnel_entry = {
	.name = "funnel",
	.summary = "deals entering, in and leaving each phase",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT | CMD_PERSON,
	.shortopts = "",
	.exec = cmd_funnel_exec,
	.help = "Per phase: 'entered' counts deals that entered it in the range, 'current'\n"
	    "the open deals in it now, 'advanced' those of the entered that moved on to a\n"
	    "later phase (for the last phase: that were won), 'median days' how long the\n"
	    "advanced ones stayed. 'won' and 'lost' count deals closed in the range.\n"
	    "'value' sums the amounts of the newest offers (see stalled --help): of\n"
	    "the open deals in the phase now, and on the 'won' row of the deals won\n"
	    "in the range; under the table, the average won deal.\n",
};
