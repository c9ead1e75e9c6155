/* SPDX-License-Identifier: MIT */
/*
 * Conversion, stalled deals and the forecast (analysis.h), read from the
 * deals and transitions that the store projects, through its queries
 * (store-query.h); salespeople are filtered in C so that a manager's
 * digest can cover any subset of them.  Deal state at an
 * earlier date (--as-of) is reconstructed from the transitions and close
 * times before that date, so a backtest sees what the data said then.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "analysis"
#include "analysis.h"
#include "forecast.h"
#include "hashset.h"
#include "log.h"
#include "money.h"
#include "phases.h"
#include "radix.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

#define DAY	86400

bool
analysis_admits(const struct analysis_filter *f, const char *key)
{
	size_t i;

	if (f->salespeople == NULL || f->salespeople->n == 0)
		return true;
	if (key == NULL)
		return false;
	for (i = 0; i < f->salespeople->n; i++)
		if (strcmp(f->salespeople->v[i], key) == 0)
			return true;
	return false;
}

static int
analysis_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
analysis_percentile(double *v, size_t n, double q)
{
	double h;
	size_t lo;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, analysis_cmp_double);
	if (q <= 0)
		return v[0];
	if (q >= 1)
		return v[n - 1];
	h = (double)(n - 1) * q;
	lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

double
analysis_prior(const struct config *cfg, int phase)
{
	if (phase < 0 || (size_t)phase >= cfg->phases.n)
		return 0.0;
	if (cfg->targets.prior_win[phase] > 0)
		return cfg->targets.prior_win[phase];
	return (double)(phase + 1) / (double)(cfg->phases.n + 1);
}

/* A growable array of day counts per phase. */
struct analysis_days {
	double	*v[MAX_PHASES];	/* owned */
	size_t	 n[MAX_PHASES];
	size_t	 cap[MAX_PHASES];
};

static void
analysis_days_add(struct analysis_days *d, int p, double days)
{
	if (d->n[p] == d->cap[p]) {
		d->cap[p] = d->cap[p] == 0 ? 16 : d->cap[p] * 2;
		d->v[p] = xreallocarray(d->v[p], d->cap[p], sizeof *d->v[p]);
	}
	d->v[p][d->n[p]++] = days;
}

static void
analysis_days_free(struct analysis_days *d)
{
	size_t i;

	for (i = 0; i < MAX_PHASES; i++)
		free(d->v[i]);
	memset(d, 0, sizeof *d);
}

/* What analysis_entries fills while walking the store's entries. */
struct analysis_entries_walk {
	const struct analysis_filter *f;
	int		 within_days;	/* 0: up to as_of */
	struct conversion *c;
	struct analysis_days *days;
};

/* Counts one entry into a phase, and the days of an advanced one. */
static int
analysis_entry(const struct store_entry *e, void *arg)
{
	struct analysis_entries_walk *w = arg;
	const struct analysis_filter *f = w->f;
	const struct config *cfg = f->cfg;
	time_t left = e->left, closed = e->closed;
	bool is_closed = closed != 0 && (f->as_of == 0 || closed < f->as_of);
	bool won = is_closed && e->outcome == OUTCOME_WON;
	bool lost = is_closed && e->outcome == OUTCOME_LOST;
	int p;

	/* What happened from as_of on is not known yet. */
	if (f->as_of != 0 && left >= f->as_of)
		left = 0;
	/* A cohort counts what happened within within_days of entering. */
	if (w->within_days > 0) {
		time_t horizon = e->at + (time_t)w->within_days * DAY;

		if (left > horizon)
			left = 0;
		if (closed > horizon)
			is_closed = won = lost = false;
	}
	p = config_phase_index(cfg, e->phase);
	if (p == PHASE_NONE)
		return 0;
	if (left == 0 && (size_t)p + 1 == cfg->phases.n && won)
		left = closed;
	if (w->c != NULL) {
		struct conversion_phase *cp = &w->c->phases[p];

		cp->entered++;
		if (won)
			cp->won++;
		if (left != 0)
			cp->advanced++;
		else if (lost)
			cp->lost++;
		else if (!is_closed)
			cp->open++;
	}
	if (left != 0)
		analysis_days_add(w->days, p, (double)(left - e->at) / DAY);
	return 0;
}

/*
 * Walks every entry of a deal into a phase in [since, until) before
 * as_of, as the funnel counts them: when it left the phase (its next
 * transition from it, or for the last phase its win) up to as_of (and
 * within within_days of the entry when set), its outcome and close.
 * Each entry goes to the walk of its period: w[1]'s from split on, else
 * w[0]'s (split 0: w[0]'s alone).
 */
struct analysis_periods_walk {
	time_t		 split;
	struct analysis_entries_walk w[2];
};

static int
analysis_period_entry(const struct store_entry *e, void *arg)
{
	struct analysis_periods_walk *pw = arg;

	return analysis_entry(e, &pw->w[pw->split != 0 && e->at >= pw->split]);
}

/* Starts one period's conversion in c. */
static void
analysis_period_begin(const struct analysis_filter *f, int within_days,
    time_t since, time_t until, struct conversion *c)
{
	memset(c, 0, sizeof *c);
	c->since = since;
	c->until = until;
	c->within_days = within_days;
	c->mature = within_days == 0 || (until != 0 &&
	    until + (time_t)within_days * DAY <= f->as_of);
	c->nphases = f->cfg->phases.n;
}

/* Ends one period's conversion in c from its counts and days. */
static void
analysis_period_end(const struct analysis_filter *f, struct conversion *c,
    struct analysis_days *days)
{
	const struct config *cfg = f->cfg;
	size_t i;

	for (i = 0; i < c->nphases; i++) {
		struct conversion_phase *cp = &c->phases[i];

		cp->phase = cfg->phases.name[i];
		cp->small = cp->entered < ANALYSIS_COHORT_MIN;
		cp->rate_next = cp->entered > 0 && c->mature ?
		    (double)cp->advanced / (double)cp->entered : NAN;
		cp->rate_won = cp->entered > 0 && c->mature ?
		    (double)cp->won / (double)cp->entered : NAN;
		cp->median_days = analysis_percentile(days->v[i], days->n[i],
		    0.5);
		cp->p75_days = analysis_percentile(days->v[i], days->n[i], 0.75);
		cp->target = cfg->targets.conversion[i] > 0 ?
		    cfg->targets.conversion[i] : NAN;
	}
	analysis_days_free(days);
}

/*
 * The conversion of the period [since, until) into cur and, when prev is
 * not NULL, of the period of the same length before it into prev, from
 * one walk of the entries of both: one read of the deals they may belong
 * to, not two.
 */
static int
analysis_periods(struct store *st, const struct analysis_filter *f,
    int within_days, time_t since, time_t until, struct conversion *cur,
    struct conversion *prev, struct err *err)
{
	struct analysis_periods_walk pw;
	struct analysis_days days[2];
	time_t from = since, to = until;
	int rc;

	memset(&pw, 0, sizeof pw);
	memset(days, 0, sizeof days);
	analysis_period_begin(f, within_days, since, until, cur);
	/* cur's walk is the later one when there are two. */
	pw.w[prev != NULL] = (struct analysis_entries_walk){ f, within_days,
	    cur, &days[0] };
	if (prev != NULL) {
		from = since - (until - since);
		analysis_period_begin(f, within_days, from, since, prev);
		pw.split = since;
		pw.w[0] = (struct analysis_entries_walk){ f, within_days, prev,
		    &days[1] };
	}
	if (f->as_of != 0 && (to == 0 || f->as_of < to))
		to = f->as_of;
	rc = store_entries(st, f->salespeople, from, to, NULL,
	    analysis_period_entry, &pw, err);
	analysis_period_end(f, cur, &days[0]);
	if (prev != NULL)
		analysis_period_end(f, prev, &days[1]);
	return rc;
}

int
analysis_cohorts(struct store *st, const struct analysis_filter *f,
    int within_days, struct conversion *cur, struct conversion *prev,
    struct err *err)
{
	bool both = prev != NULL && f->since != 0 && f->until != 0;

	if (prev != NULL && !both)
		memset(prev, 0, sizeof *prev);
	return analysis_periods(st, f, within_days, f->since, f->until, cur,
	    both ? prev : NULL, err);
}

int
analysis_conversion(struct store *st, const struct analysis_filter *f,
    struct conversion *cur, struct conversion *prev, struct err *err)
{
	return analysis_cohorts(st, f, 0, cur, prev, err);
}

/* One signal of the history, its strings owned. */
struct analysis_sig {
	int64_t		 id;
	enum signal_kind kind;
	enum direction	 dir;
	time_t		 at;
	time_t		 seen;
	char		*salesperson;
	char		*ref;
	char		*value;
};

/* One account's signals, in row id order. */
struct analysis_account {
	char		*key;		/* owned */
	struct analysis_sig *v;		/* owned */
	size_t		 n, cap;
};

/*
 * Every attributed signal, loaded once so that the backtest can project
 * the deals again as they stood at each of its dates.
 */
struct analysis_history {
	struct analysis_account *v;	/* owned */
	size_t		 n, cap;
	time_t		 backfill;	/* seen by then: known from when it occurred */
};

/*
 * The salespeople's names, each kept once: a deal borrows its
 * salesperson from here, so that a history of a million deals holds a
 * few hundred names, not a million copies.
 */
struct analysis_names {
	char		**v;		/* owned */
	size_t		 n, cap;
	/*
	 * v's, to look up: deals come by id, their salespeople interleaved,
	 * and a scan of 200 names per deal was a tenth of reading a
	 * forecast's deals at 10M signals.
	 */
	struct hashset	 set;
};

/* The agent's first pass reads the past: what it saw in its first day counts as known all along. */
#define ANALYSIS_BACKFILL	DAY

static void
analysis_history_free(struct analysis_history *h)
{
	size_t i, j;

	for (i = 0; i < h->n; i++) {
		for (j = 0; j < h->v[i].n; j++) {
			free(h->v[i].v[j].salesperson);
			free(h->v[i].v[j].ref);
			free(h->v[i].v[j].value);
		}
		free(h->v[i].v);
		free(h->v[i].key);
	}
	free(h->v);
	memset(h, 0, sizeof *h);
}

/* Keeps one signal of the history (rows come grouped by account). */
static int
analysis_history_add(const struct store_history_signal *g, void *arg)
{
	struct analysis_history *h = arg;
	struct analysis_account *a;
	struct analysis_sig *sg;
	int kind = signal_kind_from_name(g->kind), dir;

	dir = direction_from_name(g->direction);
	if (kind < 0 || dir < 0 || g->account == NULL)
		return 0;
	if (h->n == 0 || strcmp(h->v[h->n - 1].key, g->account) != 0) {
		if (h->n == h->cap) {
			h->cap = h->cap == 0 ? 64 : h->cap * 2;
			h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
		}
		a = &h->v[h->n++];
		memset(a, 0, sizeof *a);
		a->key = xstrdup(g->account);
	}
	a = &h->v[h->n - 1];
	if (a->n == a->cap) {
		a->cap = a->cap == 0 ? 8 : a->cap * 2;
		a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	}
	sg = &a->v[a->n++];
	sg->id = g->id;
	sg->kind = (enum signal_kind)kind;
	sg->dir = (enum direction)dir;
	sg->at = g->at;
	sg->seen = g->seen;
	sg->salesperson = xstrdup(g->salesperson != NULL ? g->salesperson : "");
	sg->ref = xstrdup(g->ref != NULL ? g->ref : "");
	sg->value = g->value != NULL ? xstrdup(g->value) : NULL;
	return 0;
}

/*
 * Until when a signal counts as known from when it occurred: a day after
 * the first signal was stored (the agent's first pass); 0 if none.
 */
static int
analysis_backfill(struct store *st, time_t *backfill, struct err *err)
{
	if (store_history_seen(st, backfill, err) != 0)
		return -1;
	if (*backfill != 0)
		*backfill += ANALYSIS_BACKFILL;
	return 0;
}

static int
analysis_history_load(struct store *st, struct analysis_history *h,
    struct err *err)
{
	memset(h, 0, sizeof *h);
	if (analysis_backfill(st, &h->backfill, err) != 0 ||
	    store_history(st, analysis_history_add, h, err) != 0) {
		analysis_history_free(h);
		return -1;
	}
	return 0;
}

/* True when a signal was known at t: it occurred before and was seen by then. */
static bool
analysis_known(time_t backfill, const struct analysis_sig *g, time_t t)
{
	return g->at < t && (g->seen <= t || g->seen <= backfill);
}

/* The kept copy of name, added on first sight. */
static const char *
analysis_name(struct analysis_names *nm, const char *name)
{
	const char *kept = hashset_get(&nm->set, name);

	if (kept != NULL)
		return kept;
	if (nm->n == nm->cap) {
		nm->cap = nm->cap == 0 ? 16 : nm->cap * 2;
		nm->v = xreallocarray(nm->v, nm->cap, sizeof *nm->v);
	}
	nm->v[nm->n] = xstrdup(name);
	hashset_add(&nm->set, nm->v[nm->n]);
	return nm->v[nm->n++];
}

static void
analysis_names_free(struct analysis_names *nm)
{
	size_t i;

	hashset_clear(&nm->set);
	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	memset(nm, 0, sizeof *nm);
}

/* A deal as the forecast projects it at as_of. */
struct analysis_deal {
	int64_t		 id;		/* the stored deal it is; 0 if none */
	char		*account;	/* owned; NULL once closed when projected */
	const char	*salesperson;	/* borrowed from the deals' names */
	enum deal_kind	 kind;
	enum outcome	 outcome;	/* at as_of */
	time_t		 opened, closed;	/* closed: 0 while open at as_of */
	time_t		 last_activity;
	double		 silence;	/* won: its longest quiet spell (days) */
	int		 phase;		/* at as_of (phases only move forward) */
};

/*
 * The deals projected at one date.  When each deal first reached each
 * phase (or a later one) is a row of np times of its own in reached, not
 * MAX_PHASES in the deal: at 10M signals the deals were 236 MB, new
 * memory that the forecast filled, copied and read phase by phase.
 */
struct analysis_deals {
	struct analysis_deal *v;	/* owned */
	time_t		*reached;	/* owned: cap rows of np; deal i's is analysis_reached */
	size_t		 n, cap;
	int		 np;		/* the configured phases */
	struct analysis_names people;	/* the deals' salespeople */
	time_t		 first;		/* the first signal known; 0 if none */
	double		 quiet;		/* days of quiet after which an open deal counts as lost */
};

static void
analysis_deals_free(struct analysis_deals *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].account);
	free(l->v);
	free(l->reached);
	analysis_names_free(&l->people);
	memset(l, 0, sizeof *l);
}

/* When deal i of l first reached each phase (or a later one), np times. */
static time_t *
analysis_reached(const struct analysis_deals *l, size_t i)
{
	return &l->reached[i * (size_t)l->np];
}

/* Makes room for one more deal in l, of np phases; returns it, zeroed. */
static struct analysis_deal *
analysis_deals_room(struct analysis_deals *l, int np)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
		l->np = np;
		l->reached = xreallocarray(l->reached, l->cap,
		    (size_t)np * sizeof *l->reached);
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	memset(analysis_reached(l, l->n), 0, (size_t)np * sizeof *l->reached);
	return &l->v[l->n];
}

/* The longest gap (days) between the signals (sorted) in [from, to]. */
static double
analysis_silence(const struct phase_signal *sigs, size_t n, time_t from,
    time_t to)
{
	time_t prev = from, gap = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (sigs[i].at < from || sigs[i].at > to)
			continue;
		if (sigs[i].at - prev > gap)
			gap = sigs[i].at - prev;
		prev = sigs[i].at;
	}
	return (double)gap / DAY;
}

/*
 * Keeps the deals of one account's projection from its sorted signals;
 * the account's name only with the deals still open (the forecast's
 * items): a closed deal is a number in the history.
 */
static void
analysis_deals_keep(struct analysis_deals *l, int np, const char *account,
    const struct projection *pr, const struct phase_signal *sigs, size_t n)
{
	struct analysis_deal *d;
	time_t *at;
	size_t i, j;
	int q, reached;

	for (i = 0; i < pr->ndeals; i++) {
		d = analysis_deals_room(l, np);
		at = analysis_reached(l, l->n);
		d->kind = pr->deals[i].kind;
		d->outcome = pr->deals[i].outcome;
		d->opened = pr->deals[i].opened;
		d->closed = pr->deals[i].closed;
		d->last_activity = pr->deals[i].last_activity;
		if (d->outcome == OUTCOME_WON)
			d->silence = analysis_silence(sigs, n, d->opened,
			    d->closed);
		reached = PHASE_NONE;
		for (j = 0; j < pr->ntrans; j++) {
			const struct transition *t = &pr->trans[j];

			if (t->deal_seq != pr->deals[i].seq || t->to <= reached ||
			    t->to >= np)
				continue;
			for (q = reached + 1; q <= t->to; q++)
				at[q] = t->at;
			reached = t->to;
		}
		if (reached == PHASE_NONE)
			continue;
		d->phase = reached;
		d->salesperson = analysis_name(&l->people,
		    pr->deals[i].salesperson);
		if (d->closed == 0)
			d->account = xstrdup(account);
		l->n++;
	}
}

/*
 * Deals open at t but quiet for longer than 95% of the won deals ever
 * were (and at least ANALYSIS_QUIET_DAYS) count as lost at their last
 * activity: the store turns them lost only after stale_after_days, and
 * until then they would stand in the history as deals that may still win
 * and in the forecast as live ones.
 */
static void
analysis_presume_lost(struct analysis_deals *l, time_t t)
{
	double *v = xcalloc(l->n > 0 ? l->n : 1, sizeof *v), quiet;
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->v[i].closed != 0 && l->v[i].outcome == OUTCOME_WON)
			v[n++] = l->v[i].silence;
	quiet = n > 0 ? analysis_percentile(v, n, 0.95) : 0;
	free(v);
	if (!(quiet > ANALYSIS_QUIET_DAYS))
		quiet = ANALYSIS_QUIET_DAYS;
	l->quiet = quiet;
	for (i = 0; i < l->n; i++) {
		struct analysis_deal *d = &l->v[i];

		if (d->closed == 0 &&
		    (double)(t - d->last_activity) / DAY > quiet) {
			d->closed = d->last_activity;
			d->outcome = OUTCOME_LOST;
		}
	}
}

/*
 * The deals of one account as they stood at t: its signals known then,
 * through the phase model with t as "now" (which decides staleness).
 * sigs (of *cap) is the caller's buffer, grown here.
 */
static void
analysis_project_account(const struct config *cfg, time_t backfill,
    const struct analysis_account *a, time_t t, struct phase_signal **sigs,
    size_t *cap, struct analysis_deals *out)
{
	struct projection pr;
	size_t j, k;

	if (a->n > *cap) {
		*cap = a->n;
		*sigs = xreallocarray(*sigs, *cap, sizeof **sigs);
	}
	for (j = k = 0; j < a->n; j++) {
		const struct analysis_sig *g = &a->v[j];
		struct phase_signal *ps = &(*sigs)[k];

		if (!analysis_known(backfill, g, t))
			continue;
		if (out->first == 0 || g->at < out->first)
			out->first = g->at;
		ps->id = g->id;
		ps->kind = g->kind;
		ps->at = g->at;
		ps->dir = g->dir;
		ps->salesperson = g->salesperson;
		ps->ref = g->ref;
		ps->value = g->value;
		k++;
	}
	if (k == 0)
		return;
	memset(&pr, 0, sizeof pr);
	phases_project(cfg, *sigs, k, t, &pr);
	analysis_deals_keep(out, (int)cfg->phases.n, a->key, &pr, *sigs, k);
	projection_free(&pr);
}

/* The deals as they stood at t, from the loaded history. */
static void
analysis_project_at(const struct config *cfg, const struct analysis_history *h,
    time_t t, struct analysis_deals *out)
{
	struct phase_signal *sigs = NULL;
	size_t i, cap = 0;

	memset(out, 0, sizeof *out);
	for (i = 0; i < h->n; i++)
		analysis_project_account(cfg, h->backfill, &h->v[i], t, &sigs,
		    &cap, out);
	free(sigs);
}

/*
 * The history read once for one date: each account projected as soon as
 * its rows are read, so that only one account's signals are held at a
 * time, not every signal of the store.  The backfill (a scan of every
 * signal) is asked for only when a signal seen after t needs it: as of
 * now, none does.
 */
struct analysis_stream {
	struct store	*st;
	const struct config *cfg;
	time_t		 t, backfill;
	bool		 backfill_read;
	struct analysis_history cur;	/* the account being read: n <= 1 */
	struct phase_signal *sigs;	/* owned, of cap */
	size_t		 cap;
	struct analysis_deals *out;
	struct err	*err;
};

/* Projects the account read so far and forgets its signals. */
static int
analysis_stream_flush(struct analysis_stream *w)
{
	const struct analysis_account *a = &w->cur.v[0];
	size_t j;

	if (w->cur.n == 0)
		return 0;
	for (j = 0; !w->backfill_read && j < a->n; j++)
		if (a->v[j].at < w->t && a->v[j].seen > w->t) {
			if (analysis_backfill(w->st, &w->backfill, w->err) != 0)
				return -1;
			w->backfill_read = true;
		}
	analysis_project_account(w->cfg, w->backfill, a, w->t, &w->sigs,
	    &w->cap, w->out);
	analysis_history_free(&w->cur);
	return 0;
}

/* Reads one signal of the history; the next account's first projects the last. */
static int
analysis_stream_add(const struct store_history_signal *g, void *arg)
{
	struct analysis_stream *w = arg;

	if (g->account != NULL && w->cur.n > 0 &&
	    strcmp(w->cur.v[0].key, g->account) != 0 &&
	    analysis_stream_flush(w) != 0)
		return -1;
	return analysis_history_add(g, &w->cur);
}

/*
 * The deals as they stood at t (analysis_project_at), reading the
 * history once and holding one account's signals at a time.
 */
static int
analysis_project_stream(struct store *st, const struct config *cfg, time_t t,
    struct analysis_deals *out, struct err *err)
{
	struct analysis_stream w;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	w.st = st;
	w.cfg = cfg;
	w.t = t;
	w.out = out;
	w.err = err;
	rc = store_history(st, analysis_stream_add, &w, err);
	if (rc == 0)
		rc = analysis_stream_flush(&w);
	analysis_history_free(&w.cur);
	free(w.sigs);
	if (rc != 0)
		analysis_deals_free(out);
	return rc;
}

bool analysis_reproject;

/* Row ids, as they come. */
struct analysis_ids {
	int64_t		*v;		/* owned */
	size_t		 n, cap;
};

/*
 * The deals as of t read from the store's own projection (the deals and
 * their transitions, which rebuild and the agent write from every stored
 * signal), with what projecting again at t would change: an open deal
 * quiet for stale_after_days by t is lost at its last activity, and the
 * accounts with a signal at or after t (a meeting planned, a date in the
 * future) are projected again from their signals known at t.  Each deal
 * carries its account's row id and place for the order of the history.
 */
struct analysis_current {
	struct store	*st;
	const struct config *cfg;
	time_t		 t;
	struct analysis_ids late;	/* accounts projected again, ascending */
	struct analysis_deals *out;
	int64_t		*deal;		/* owned: each stored deal's id, ascending */
	int64_t		*key;		/* owned: each deal's account id */
	int64_t		*seq;		/* owned: and its place in the account */
	size_t		 cap;
	int		 reached;	/* the deal being read: its phase so far */
	bool		 unkept;	/* a won deal's silence was not kept */
	struct err	*err;
};

/* Adds a row id to the ids at arg. */
static int
analysis_ids_add(int64_t id, void *arg)
{
	struct analysis_ids *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = id;
	return 0;
}

/* True when account is one of the sorted ids v[0..n-1]. */
static bool
analysis_id_in(const int64_t *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == id;
}

/* Makes room for one more deal and its keys. */
static struct analysis_deal *
analysis_current_room(struct analysis_current *w)
{
	struct analysis_deals *l = w->out;
	struct analysis_deal *d = analysis_deals_room(l,
	    (int)w->cfg->phases.n);

	if (l->n >= w->cap) {
		w->cap = l->cap;
		w->deal = xreallocarray(w->deal, w->cap, sizeof *w->deal);
		w->key = xreallocarray(w->key, w->cap, sizeof *w->key);
		w->seq = xreallocarray(w->seq, w->cap, sizeof *w->seq);
	}
	return d;
}

/*
 * Reads one transition of a stored deal (rows come by deal, in time
 * order): the first of a deal starts it; each moves its phase forward as
 * analysis_deals_keep does with a projection's transitions.
 */
static int
analysis_current_step(const struct store_deal_step *g, void *arg)
{
	struct analysis_current *w = arg;
	struct analysis_deals *l = w->out;
	struct analysis_deal *d;
	int q, o;

	if (analysis_id_in(w->late.v, w->late.n, g->account_id))
		return 0;
	if (l->n == 0 || w->deal[l->n - 1] != g->deal) {
		d = analysis_current_room(w);
		d->id = g->deal;
		w->deal[l->n] = g->deal;
		w->key[l->n] = g->account_id;
		w->seq[l->n] = g->seq;
		d->kind = g->kind != NULL && strcmp(g->kind, "growth") == 0 ?
		    DEAL_GROWTH : DEAL_NEW;
		o = outcome_from_name(g->outcome != NULL ? g->outcome : "");
		d->outcome = o < 0 ? OUTCOME_OPEN : (enum outcome)o;
		d->opened = g->opened;
		d->closed = d->outcome == OUTCOME_OPEN ? 0 : g->closed;
		d->last_activity = g->last_activity;
		d->salesperson = analysis_name(&l->people,
		    g->salesperson != NULL ? g->salesperson : "");
		/* The account's name is kept for an open deal alone. */
		d->account = d->closed != 0 ? NULL :
		    xstrdup(g->account != NULL ? g->account : "");
		d->phase = PHASE_NONE;
		/* Its longest silence, if won before t (analysis_quiet_signal). */
		if (d->outcome == OUTCOME_WON && g->closed >= 1 &&
		    g->closed < w->t) {
			if (g->kept)
				d->silence = (double)g->silence / DAY;
			else
				w->unkept = true;
		}
		l->n++;
	}
	d = &l->v[l->n - 1];
	q = config_phase_index(w->cfg, g->phase);
	if (q == PHASE_NONE || q <= d->phase || q >= l->np)
		return 0;
	for (o = d->phase + 1; o <= q; o++)
		analysis_reached(l, l->n - 1)[o] = g->at;
	d->phase = q;
	return 0;
}

/* Each stored won deal's longest quiet spell, from its signals in time order. */
struct analysis_quiet {
	struct analysis_current *w;
	size_t		 i;		/* the deal of the previous row; SIZE_MAX if none */
	time_t		 prev, gap;
};

/* Closes the deal of the previous rows. */
static void
analysis_quiet_end(struct analysis_quiet *q)
{
	if (q->i != SIZE_MAX)
		q->w->out->v[q->i].silence = (double)q->gap / DAY;
	q->i = SIZE_MAX;
}

/* A signal of a won deal in [opened, closed], as analysis_silence reads it. */
static int
analysis_quiet_signal(int64_t deal, time_t at, void *arg)
{
	struct analysis_quiet *q = arg;
	const struct analysis_current *w = q->w;
	size_t lo = 0, hi = w->out->n, mid;

	if (q->i == SIZE_MAX || w->deal[q->i] != deal) {
		/* The first signal of a deal: find it among the stored deals. */
		analysis_quiet_end(q);
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (w->deal[mid] < deal)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == w->out->n || w->deal[lo] != deal ||
		    w->out->v[lo].outcome != OUTCOME_WON)
			return 0;
		q->i = lo;
		q->prev = w->out->v[lo].opened;
		q->gap = 0;
	}
	if (at - q->prev > q->gap)
		q->gap = at - q->prev;
	q->prev = at;
	return 0;
}

/* Projects the late accounts again from their signals known at t. */
static int
analysis_current_late_project(struct analysis_current *w)
{
	struct analysis_history cur;
	struct phase_signal *sigs = NULL;
	time_t backfill = 0;
	bool backfill_read = false;
	size_t i, j, n0, cap = 0;
	int rc = 0;

	memset(&cur, 0, sizeof cur);
	for (i = 0; rc == 0 && i < w->late.n; i++) {
		rc = store_account_history(w->st, w->late.v[i],
		    analysis_history_add, &cur, w->err);
		if (rc != 0 || cur.n == 0)
			continue;
		for (j = 0; !backfill_read && j < cur.v[0].n; j++)
			if (cur.v[0].v[j].at < w->t && cur.v[0].v[j].seen > w->t) {
				rc = analysis_backfill(w->st, &backfill, w->err);
				backfill_read = true;
			}
		n0 = w->out->n;
		if (rc == 0)
			analysis_project_account(w->cfg, backfill, &cur.v[0],
			    w->t, &sigs, &cap, w->out);
		for (j = n0; j < w->out->n; j++) {
			analysis_current_room(w);
			w->deal[j] = 0;
			w->key[j] = w->late.v[i];
			w->seq[j] = (int64_t)(j - n0);
		}
		analysis_history_free(&cur);
	}
	analysis_history_free(&cur);
	free(sigs);
	return rc;
}

/*
 * Reads the history's first signal into *first, the late accounts and
 * the deals' steps into w, all from st's snapshot: the late accounts
 * decide which stored deals are trusted.
 */
static int
analysis_current_read(struct analysis_current *w, time_t *first,
    struct err *err)
{
	*first = 0;
	if (store_history_first(w->st, first, err) != 0 ||
	    store_history_late(w->st, w->t, analysis_ids_add, &w->late,
	    err) != 0)
		return -1;
	return store_deal_steps(w->st, analysis_current_step, w, err);
}

/*
 * The deals as of t (t at or after now: every stored signal seen by
 * then) from the stored projection, as analysis_project_stream would
 * give them.  Returns 1 (out empty) when the store's deals are behind
 * its signals (accounts wait for the deferred projection).
 */
static int
analysis_project_current(struct store *st, const struct config *cfg,
    time_t t, struct analysis_deals *out, struct err *err)
{
	struct analysis_current w;
	struct analysis_quiet q;
	struct radix_item *ord;
	struct analysis_deal *v;
	time_t *reached, first, stale = (time_t)cfg->stale_after_days * DAY;
	size_t i, j, nstored;
	bool dirty;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	w.st = st;
	w.cfg = cfg;
	w.t = t;
	w.out = out;
	w.err = err;
	if (store_dirty_any(st, &dirty, err) != 0)
		return -1;
	if (dirty)
		return 1;
	rc = analysis_current_read(&w, &first, err);
	nstored = out->n;
	/* Where the projection kept none, from the won deals' signals. */
	if (rc == 0 && w.unkept) {
		memset(&q, 0, sizeof q);
		q.w = &w;
		q.i = SIZE_MAX;
		rc = store_won_times(st, t, analysis_quiet_signal, &q, err);
		analysis_quiet_end(&q);
	}
	for (i = j = 0; i < nstored; i++) {
		struct analysis_deal *d = &out->v[i];

		/* A deal that reached no phase is not kept, as in analysis_deals_keep. */
		if (d->phase == PHASE_NONE) {
			free(d->account);
			continue;
		}
		/* What phases_project's last check at t does. */
		if (d->closed == 0 && cfg->stale_after_days > 0 &&
		    t - d->last_activity > stale) {
			d->closed = d->last_activity;
			d->outcome = OUTCOME_LOST;
		}
		if (d->closed != 0) {
			free(d->account);
			d->account = NULL;
		}
		out->v[j] = *d;
		if (j != i)
			memcpy(analysis_reached(out, j),
			    analysis_reached(out, i),
			    (size_t)out->np * sizeof *out->reached);
		w.deal[j] = w.deal[i];
		w.key[j] = w.key[i];
		w.seq[j] = w.seq[i];
		j++;
	}
	out->n = j;
	if (rc == 0)
		rc = analysis_current_late_project(&w);
	if (rc == 0) {
		out->first = first < t ? first : 0;
		/*
		 * The history's order: by account row id, then place (a
		 * stable sort by place, then by account).
		 */
		ord = xcalloc(out->n > 0 ? out->n : 1, sizeof *ord);
		for (i = 0; i < out->n; i++) {
			ord[i].key = radix_key_int(w.seq[i]);
			ord[i].i = i;
		}
		radix_sort(ord, out->n);
		for (i = 0; i < out->n; i++)
			ord[i].key = radix_key_int(w.key[ord[i].i]);
		radix_sort(ord, out->n);
		v = xcalloc(out->cap > 0 ? out->cap : 1, sizeof *v);
		reached = xcalloc(out->cap > 0 ? out->cap : 1,
		    (size_t)out->np * sizeof *reached);
		for (i = 0; i < out->n; i++) {
			v[i] = out->v[ord[i].i];
			memcpy(&reached[i * (size_t)out->np],
			    analysis_reached(out, ord[i].i),
			    (size_t)out->np * sizeof *reached);
		}
		free(out->v);
		free(out->reached);
		out->v = v;
		out->reached = reached;
		free(ord);
	}
	free(w.late.v);
	free(w.deal);
	free(w.key);
	free(w.seq);
	if (rc != 0)
		analysis_deals_free(out);
	return rc;
}

/* A stored deal: what happened in the end. */
struct analysis_truth {
	int64_t		 id;
	char		*account;	/* owned */
	const char	*salesperson;	/* borrowed from the truths' names */
	enum deal_kind	 kind;
	enum outcome	 outcome;
	time_t		 opened, closed;
};

struct analysis_truths {
	struct analysis_truth *v;	/* owned, by account, then opened */
	size_t		 n, cap;
	struct analysis_names people;
};

static void
analysis_truths_free(struct analysis_truths *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].account);
	free(l->v);
	analysis_names_free(&l->people);
	memset(l, 0, sizeof *l);
}

static int
analysis_truth_add(const struct store_deal *sd, void *arg)
{
	struct analysis_truths *l = arg;
	struct analysis_truth *t;
	int q;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	t = &l->v[l->n++];
	t->id = sd->id;
	t->account = xstrdup(sd->account);
	t->salesperson = analysis_name(&l->people, sd->salesperson);
	t->kind = strcmp(sd->kind, "growth") == 0 ? DEAL_GROWTH : DEAL_NEW;
	q = outcome_from_name(sd->outcome);
	t->outcome = q < 0 ? OUTCOME_OPEN : (enum outcome)q;
	t->opened = sd->opened;
	t->closed = sd->closed;
	return 0;
}

static int
analysis_cmp_truth(const void *a, const void *b)
{
	const struct analysis_truth *x = a, *y = b;
	int c = strcmp(x->account, y->account);

	if (c != 0)
		return c;
	return (x->opened > y->opened) - (x->opened < y->opened);
}

static int
analysis_truths_load(struct store *st, struct analysis_truths *l,
    struct err *err)
{
	struct store_filter all = { NULL, NULL, 0, 0 };

	memset(l, 0, sizeof *l);
	if (store_deals(st, &all, analysis_truth_add, l, err) != 0) {
		analysis_truths_free(l);
		return -1;
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, analysis_cmp_truth);
	return 0;
}

/*
 * Whether an open deal of l is not a stored deal: projected again from
 * signals, as of an earlier time or for an account with a signal dated
 * at or after it.
 */
static bool
analysis_deals_unstored(const struct analysis_deals *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].closed == 0 && l->v[i].id == 0)
			return true;
	return false;
}

/*
 * The stored deal that a deal projected at t became: the account's latest
 * deal opened by t.  NULL if none.
 */
static const struct analysis_truth *
analysis_truth_find(const struct analysis_truths *l, const char *account,
    time_t t)
{
	const struct analysis_truth *best = NULL;
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(l->v[mid].account, account) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < l->n && strcmp(l->v[lo].account, account) == 0; lo++)
		if (l->v[lo].opened < t)
			best = &l->v[lo];
	return best;
}

void
stalled_list_free(struct stalled_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].account);
		free(l->v[i].salesperson);
		free(l->v[i].evidence);
	}
	free(l->v);
	for (i = 0; i < l->nplanned; i++) {
		free(l->planned[i].account);
		free(l->planned[i].salesperson);
		free(l->planned[i].evidence);
	}
	free(l->planned);
	memset(l, 0, sizeof *l);
}

/* Describes the deal's latest signal as "kind: subject". */
static int
analysis_evidence_signal(const struct store_signal *g, void *arg)
{
	struct stalled *s = arg;

	s->evidence_at = g->at;
	if (g->subject == NULL)
		s->evidence = xstrdup(g->kind);
	else
		s->evidence = xasprintf("%s: %s", g->kind, g->subject);
	return 0;
}

/*
 * What deserves a call first: a target-list row nobody touched last, then
 * later phases before earlier ones, larger value before smaller (none
 * counts as 0), then the longer overshoot.
 */
static int
analysis_cmp_stalled(const void *a, const void *b)
{
	const struct stalled *x = a, *y = b;

	if (x->untouched != y->untouched)
		return x->untouched ? 1 : -1;
	if (x->phase_index != y->phase_index)
		return x->phase_index > y->phase_index ? -1 : 1;
	if ((isnan(x->value) ? 0 : x->value) != (isnan(y->value) ? 0 : y->value))
		return (isnan(x->value) ? 0 : x->value) >
		    (isnan(y->value) ? 0 : y->value) ? -1 : 1;
	if (x->over_days != y->over_days)
		return x->over_days > y->over_days ? -1 : 1;
	return (x->deal > y->deal) - (x->deal < y->deal);
}

/*
 * Every meeting (attributed appointment occurrence), by account row id,
 * then start; with known_at, only those booked by then (a meeting booked
 * later was not known as of that time).
 */
struct analysis_meetings {
	int64_t		*account;	/* owned */
	time_t		*start;		/* owned */
	size_t		 n, cap;
	time_t		 known_at;	/* 0: all */
};

static void
analysis_meetings_free(struct analysis_meetings *m)
{
	free(m->account);
	free(m->start);
	memset(m, 0, sizeof *m);
}

static int
analysis_meeting_add(const struct store_meeting_time *sm, void *arg)
{
	struct analysis_meetings *m = arg;

	if (m->known_at != 0 && sm->created > m->known_at)
		return 0;
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 64 : m->cap * 2;
		m->account = xreallocarray(m->account, m->cap,
		    sizeof *m->account);
		m->start = xreallocarray(m->start, m->cap, sizeof *m->start);
	}
	m->account[m->n] = sm->account_id;
	m->start[m->n++] = sm->start;
	return 0;
}

/* The index of the account's first meeting (or where it would be). */
static size_t
analysis_meetings_find(const struct analysis_meetings *m, int64_t account)
{
	size_t lo = 0, hi = m->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->account[mid] < account)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The times something happened with one account, and whether all of it was a target-list row. */
struct analysis_acts {
	time_t		*v;		/* owned */
	size_t		 n, cap;
	struct activity	 act;		/* what the signals say besides their times */
	double		 value;		/* the newest amount (offer, #value); NAN if none */
};

static void
analysis_acts_add(struct analysis_acts *a, time_t t)
{
	if (a->n == a->cap) {
		a->cap = a->cap == 0 ? 16 : a->cap * 2;
		a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	}
	a->v[a->n++] = t;
}

static int
analysis_acts_signal(const struct store_signal *g, void *arg)
{
	struct analysis_acts *a = arg;
	int kind = g->kind != NULL ? signal_kind_from_name(g->kind) : -1;
	double v;

	if (!activity_is_note(kind))
		analysis_acts_add(a, g->at);
	activity_add(&a->act, kind, direction_from_name(g->direction), g->at,
	    g->id, g->value);
	/* Signals come in time order: the newest amount wins. */
	if (money_signal_value(g->kind, g->subject, g->value, &v))
		a->value = v;
	return 0;
}

static int
analysis_cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return (x > y) - (x < y);
}

/* Empties a for the next account's signals (analysis_acts_signal). */
static void
analysis_acts_reset(struct analysis_acts *a)
{
	a->n = 0;
	activity_init(&a->act);
	a->value = NAN;
}

/*
 * Adds the meetings held with the account in [from, to] to its signals
 * in a and sorts them; *next (when not NULL) the first meeting after
 * to, 0 if none.
 */
static void
analysis_acts_meetings(const struct analysis_meetings *m, int64_t account,
    time_t from, time_t to, struct analysis_acts *a, time_t *next)
{
	size_t i;

	if (next != NULL)
		*next = 0;
	for (i = analysis_meetings_find(m, account);
	    i < m->n && m->account[i] == account; i++) {
		if (m->start[i] < from)
			continue;
		if (m->start[i] > to) {
			if (next != NULL)
				*next = m->start[i];
			break;
		}
		analysis_acts_add(a, m->start[i]);
		a->act.only_target = false;
	}
	qsort(a->v, a->n, sizeof *a->v, analysis_cmp_time);
}

/*
 * The activity of an account (row id) in [from, to], sorted: its signals
 * of any kind and the meetings held with it; *next (when not NULL) the
 * first meeting after to, 0 if none.
 */
static int
analysis_account_acts(struct store *st, const struct analysis_meetings *m,
    int64_t account, time_t from, time_t to, struct analysis_acts *a,
    time_t *next, struct err *err)
{
	analysis_acts_reset(a);
	if (store_account_signals(st, account, from, to + 1,
	    analysis_acts_signal, a, err) != 0)
		return -1;
	analysis_acts_meetings(m, account, from, to, a, next);
	return 0;
}

/* A deal won before as_of, as analysis_usual reads them. */
struct analysis_won {
	int64_t		 id;
	int64_t		 account;	/* its row id */
	time_t		 opened, closed;
	int		 reached;	/* the last phase it reached, or PHASE_NONE */
};

/*
 * The won deals in id order, and the walks of their entries and then
 * of their signals, which come by deal: cur is the deal they are at.
 * at holds, per deal and per phase, the deal's first arrival in the
 * phase (or in a later one).
 */
struct analysis_wons {
	const struct config *cfg;
	const struct analysis_meetings *m;
	struct analysis_won *v;		/* owned */
	time_t		*at;		/* owned: n x phases.n */
	size_t		 n, cap, cur;
	struct analysis_acts acts;	/* the signals of deal cur */
	struct analysis_days days;
};

static int
analysis_won_add(const struct store_open_deal *od, void *arg)
{
	const struct store_deal *sd = &od->deal;
	struct analysis_wons *w = arg;
	size_t np = w->cfg->phases.n;

	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
		w->at = xreallocarray(w->at, w->cap, np * sizeof *w->at);
	}
	w->v[w->n].id = sd->id;
	w->v[w->n].account = od->account_id;
	w->v[w->n].opened = sd->opened;
	w->v[w->n].closed = sd->closed;
	w->v[w->n].reached = PHASE_NONE;
	memset(&w->at[w->n * np], 0, np * sizeof *w->at);
	w->n++;
	return 0;
}

/* The first arrival of won deal cur in each phase up to the entry's. */
static int
analysis_won_entry(const struct store_entry *e, void *arg)
{
	struct analysis_wons *w = arg;
	struct analysis_won *d;
	int p, q;

	while (w->cur < w->n && w->v[w->cur].id < e->deal)
		w->cur++;
	if (w->cur == w->n || w->v[w->cur].id != e->deal)
		return 0;
	d = &w->v[w->cur];
	p = config_phase_index(w->cfg, e->phase);
	if (p == PHASE_NONE || p <= d->reached)
		return 0;
	for (q = d->reached + 1; q <= p; q++)
		w->at[w->cur * w->cfg->phases.n + (size_t)q] = e->at;
	d->reached = p;
	return 0;
}

/*
 * The longest quiet spell that won deal i had in each phase it passed
 * through (its signals read into w->acts), from its arrival there to
 * its next phase or its close; acts emptied for the next deal.
 */
static void
analysis_won_done(struct analysis_wons *w, size_t i)
{
	const struct analysis_won *d = &w->v[i];
	time_t spell[MAX_PHASES];
	int p;

	analysis_acts_meetings(w->m, d->account, d->opened, d->closed,
	    &w->acts, NULL);
	activity_spells(w->acts.v, w->acts.n, &w->at[i * w->cfg->phases.n],
	    d->reached, d->closed, spell);
	for (p = 0; p <= d->reached; p++)
		if (spell[p] >= 0)
			analysis_days_add(&w->days, p, (double)spell[p] / DAY);
	analysis_acts_reset(&w->acts);
}

/*
 * The time of an activity of a won deal (what analysis_acts_signal
 * counts as one): the deals before it are complete.  Only the times
 * tell a quiet spell.
 */
static int
analysis_won_act(int64_t deal, time_t at, void *arg)
{
	struct analysis_wons *w = arg;

	while (w->cur < w->n && w->v[w->cur].id < deal)
		analysis_won_done(w, w->cur++);
	if (w->cur < w->n && w->v[w->cur].id == deal)
		analysis_acts_add(&w->acts, at);
	return 0;
}

/*
 * The longest quiet spells of the won deals (closed up to as_of) in each
 * phase, from the won deals, their entries and their signals in three
 * passes, each in order of deal.
 */
static int
analysis_usual_read(struct store *st, const struct config *cfg,
    const struct analysis_meetings *m, time_t as_of,
    struct analysis_days *days, struct err *err)
{
	struct analysis_wons w = { 0 };
	int rc;

	w.cfg = cfg;
	w.m = m;
	analysis_acts_reset(&w.acts);
	rc = store_won_deals(st, as_of + 1, analysis_won_add, &w, err);
	if (rc == 0)
		rc = store_won_entries(st, as_of + 1, analysis_won_entry, &w,
		    err);
	w.cur = 0;
	if (rc == 0)
		rc = store_won_acts(st, as_of + 1, analysis_won_act, &w, err);
	while (rc == 0 && w.cur < w.n)
		analysis_won_done(&w, w.cur++);
	free(w.v);
	free(w.at);
	free(w.acts.v);
	*days = w.days;
	return rc;
}

/* What analysis_usual_kept collects of the won deals' kept spells. */
struct analysis_kept_spells {
	const struct config *cfg;
	struct analysis_days *days;
	bool		 all;		/* every deal had them kept */
};

/* The spells kept on a won deal ("PHASE SECONDS,..."; NULL: none kept). */
static int
analysis_kept_spell(const char *spells, void *arg)
{
	struct analysis_kept_spells *k = arg;
	const char *s = spells, *sp;
	char *end;
	long long secs;
	size_t len;
	int p;

	if (spells == NULL) {
		k->all = false;
		return 1;
	}
	while (*s != '\0' && (sp = strchr(s, ' ')) != NULL) {
		len = (size_t)(sp - s);
		secs = strtoll(sp + 1, &end, 10);
		for (p = 0; p < (int)k->cfg->phases.n; p++)
			if (strlen(k->cfg->phases.name[p]) == len &&
			    memcmp(k->cfg->phases.name[p], s, len) == 0)
				break;
		if (p < (int)k->cfg->phases.n && secs >= 0)
			analysis_days_add(k->days, p, (double)secs / DAY);
		s = *end == ',' ? end + 1 : end;
		if (end == sp + 1)
			break;
	}
	return 0;
}

/*
 * The usual quiet spell of each phase: the 75th percentile of the longest
 * quiet spell that the deals which went on to win had in it (those that
 * passed through it at once tell nothing); usual_quiet_days while fewer
 * than ANALYSIS_USUAL_MIN won deals show it; never below
 * ANALYSIS_USUAL_FLOOR days.  From the spells the projection kept on
 * each won deal unless read is set (as of an earlier time, only the
 * meetings booked by then count; with accounts left to project, what it
 * kept may be behind), or where a deal has none kept: then from the won
 * deals, their entries and their signals in three passes, each in order
 * of deal.
 */
static int
analysis_usual(struct store *st, const struct config *cfg,
    struct analysis_meetings *m, bool *all_meetings, bool read, time_t as_of,
    double *usual, struct err *err)
{
	struct analysis_days days = { 0 };
	struct analysis_kept_spells k = { cfg, &days, !read };
	int p, rc = 0;

	if (k.all) {
		rc = store_won_spells(st, as_of + 1, analysis_kept_spell, &k,
		    err);
		if (rc == 1 && !k.all)
			rc = 0;
	}
	/* From the won deals' signals and every meeting held in them. */
	if (rc == 0 && !k.all && !*all_meetings) {
		rc = store_meeting_times(st, m->known_at != 0,
		    analysis_meeting_add, m, err);
		*all_meetings = true;
	}
	if (rc == 0 && !k.all) {
		analysis_days_free(&days);
		rc = analysis_usual_read(st, cfg, m, as_of, &days, err);
	}
	for (p = 0; p < (int)cfg->phases.n; p++) {
		usual[p] = days.n[p] >= ANALYSIS_USUAL_MIN ?
		    analysis_percentile(days.v[p], days.n[p], 0.75) :
		    (double)cfg->usual_quiet_days;
		if (usual[p] < ANALYSIS_USUAL_FLOOR)
			usual[p] = ANALYSIS_USUAL_FLOOR;
	}
	analysis_days_free(&days);
	return rc;
}

/* The newest amount of an open deal, by time then signal. */
struct analysis_amount {
	int64_t		 deal;
	time_t		 at;
	int64_t		 signal;
	double		 value;
};

/* The open deals' amounts, by deal once complete (analysis_amounts_end). */
struct analysis_amounts {
	struct analysis_amount *v;	/* owned */
	size_t		 n, cap;
};

/* An amount of an open deal (store_deal_offers, in no order). */
static int
analysis_amount_add(const struct store_offer *g, void *arg)
{
	struct analysis_amounts *o = arg;
	double v;

	if (!money_signal_value(g->kind, g->subject, g->value, &v))
		return 0;
	if (o->n == o->cap) {
		o->cap = o->cap == 0 ? 64 : o->cap * 2;
		o->v = xreallocarray(o->v, o->cap, sizeof *o->v);
	}
	o->v[o->n].deal = g->deal;
	o->v[o->n].at = g->at;
	o->v[o->n].signal = g->signal;
	o->v[o->n].value = v;
	o->n++;
	return 0;
}

static int
analysis_cmp_amount(const void *a, const void *b)
{
	const struct analysis_amount *x = a, *y = b;

	if (x->deal != y->deal)
		return (x->deal > y->deal) - (x->deal < y->deal);
	if (x->at != y->at)
		return (x->at > y->at) - (x->at < y->at);
	return (x->signal > y->signal) - (x->signal < y->signal);
}

/*
 * Sorts the amounts by deal and keeps each deal's newest, as
 * analysis_acts_signal keeps it.
 */
static void
analysis_amounts_end(struct analysis_amounts *o)
{
	size_t i, n = 0;

	if (o->n > 1)
		qsort(o->v, o->n, sizeof *o->v, analysis_cmp_amount);
	for (i = 0; i < o->n; i++) {
		if (n > 0 && o->v[n - 1].deal == o->v[i].deal)
			n--;
		o->v[n++] = o->v[i];
	}
	o->n = n;
}

/* The newest amount of deal; NAN if none. */
static double
analysis_amount_of(const struct analysis_amounts *o, int64_t deal)
{
	size_t lo = 0, hi = o->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->v[mid].deal < deal)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n && o->v[lo].deal == deal ? o->v[lo].value : NAN;
}

static int
analysis_cmp_key(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Whether the list, in byte order, holds key. */
static bool
analysis_sorted_has(const struct strlist *l, const char *key)
{
	return (l->n > 0 && bsearch(&key, l->v, l->n, sizeof *l->v,
	    analysis_cmp_key) != NULL);
}

/*
 * The activity of open deal od as analysis_account_acts would read it,
 * for what analysis_stalled_deal looks at (the latest activity, not
 * each one), from what the projection kept, up to to: false when it
 * kept none or a signal is dated after to (then read the signals).
 */
static bool
analysis_open_acts(const struct store_open_deal *od,
    const struct analysis_amounts *amounts, const struct strlist *dirty,
    const struct analysis_meetings *m, time_t to, struct analysis_acts *a,
    time_t *next)
{
	if (amounts == NULL || !od->kept || od->act.latest_at > to ||
	    analysis_sorted_has(dirty, od->deal.account))
		return false;
	analysis_acts_reset(a);
	a->act = od->act;
	a->value = analysis_amount_of(amounts, od->deal.id);
	if (od->act.last_act != 0)
		analysis_acts_add(a, od->act.last_act);
	analysis_acts_meetings(m, od->account_id, od->deal.opened, to, a,
	    next);
	return true;
}

/* What analysis_stalled needs while walking the open deals. */
struct analysis_stalled_walk {
	struct store	*st;
	const struct analysis_filter *f;
	const struct analysis_meetings *m;
	const double	*usual;
	struct analysis_acts acts;
	struct stalled_list *out;
	struct err	*err;
	/* NULL: each deal's activity read from its signals */
	const struct analysis_amounts *amounts;
	const struct strlist *dirty;	/* their accounts' too */
	struct analysis_evidence *evidence;	/* owned: looked up after the walk */
	size_t		 nevidence, capevidence;
};

/*
 * The latest signal of a stalled deal, its evidence, as the projection
 * kept it: looked up after the walk in the order of the signals' rows,
 * not one random read per deal as the walk finds them.
 */
struct analysis_evidence {
	int64_t		 signal;
	time_t		 signal_at;	/* its time, as kept */
	size_t		 at;		/* in out->v */
	int64_t		 account;	/* the deal's account row, opened: */
	time_t		 opened;	/* where to look if the row was replaced */
};

static void
analysis_evidence_later(struct analysis_stalled_walk *w, int64_t signal,
    time_t signal_at, int64_t account, time_t opened)
{
	struct analysis_evidence *e;

	if (w->nevidence == w->capevidence) {
		w->capevidence = w->capevidence == 0 ? 64 :
		    w->capevidence * 2;
		w->evidence = xreallocarray(w->evidence, w->capevidence,
		    sizeof *w->evidence);
	}
	e = &w->evidence[w->nevidence++];
	e->signal = signal;
	e->signal_at = signal_at;
	e->at = w->out->n - 1;
	e->account = account;
	e->opened = opened;
}

static int
analysis_cmp_evidence(const void *a, const void *b)
{
	const struct analysis_evidence *x = a, *y = b;

	return (x->signal > y->signal) - (x->signal < y->signal);
}

/*
 * Looks up the evidence the walk left for later, in the order of the
 * signals' rows; a row replaced since (gone, or its id taken by another
 * signal) is looked for again.
 */
static int
analysis_evidence_lookup(struct analysis_stalled_walk *w)
{
	const struct analysis_evidence *e;
	struct stalled *s;
	size_t i;

	if (w->nevidence > 1)
		qsort(w->evidence, w->nevidence, sizeof *w->evidence,
		    analysis_cmp_evidence);
	for (i = 0; i < w->nevidence; i++) {
		e = &w->evidence[i];
		s = &w->out->v[e->at];
		if (store_signal_by_id(w->st, e->signal,
		    analysis_evidence_signal, s, w->err) != 0)
			return -1;
		if (s->evidence != NULL && s->evidence_at != e->signal_at) {
			free(s->evidence);
			s->evidence = NULL;
			s->evidence_at = 0;
		}
		if (s->evidence == NULL && store_latest_signal(w->st,
		    e->account, e->opened, w->f->as_of,
		    analysis_evidence_signal, s, w->err) != 0)
			return -1;
	}
	w->nevidence = 0;
	return 0;
}

/* Appends s to an array that doubles whenever its count reaches a power of 2. */
static void
analysis_stalled_push(struct stalled **v, size_t *n, const struct stalled *s)
{
	if ((*n & (*n - 1)) == 0)
		*v = xreallocarray(*v, *n == 0 ? 1 : *n * 2, sizeof **v);
	(*v)[(*n)++] = *s;
}

/* Judges one open deal: how long it has been quiet, against what. */
static int
analysis_stalled_deal(const struct store_open_deal *od, void *arg)
{
	const struct store_deal *d = &od->deal;
	struct analysis_stalled_walk *w = arg;
	const struct analysis_filter *f = w->f;
	const struct config *cfg = f->cfg;
	char entered_by[32];
	int offer = cfg->phases.enters[SIG_OFFER_SENT], p;
	struct stalled s = { 0 };
	time_t last, heard;
	bool kept;

	if (!analysis_admits(f, d->salesperson) || d->opened > f->as_of)
		return 0;
	p = config_phase_index(cfg, d->phase);
	if (p == PHASE_NONE) {
		log_warn("deal %lld: unknown phase '%s', skipped",
		    (long long)d->id, d->phase);
		return 0;
	}
	kept = analysis_open_acts(od, w->amounts, w->dirty, w->m, f->as_of,
	    &w->acts, &s.next_meeting);
	if (!kept && analysis_account_acts(w->st, w->m, od->account_id,
	    d->opened, f->as_of, &w->acts, &s.next_meeting, w->err) != 0)
		return -1;
	/*
	 * A verbal order enters one phase (phases.c moves a deal to the
	 * phase its signal's kind enters): a deal elsewhere was not entered
	 * by one, and needs no look-up (one per open deal: 13 % of a whole
	 * stalled list at 10M signals); the projection kept the kind.
	 */
	entered_by[0] = '\0';
	if (p != cfg->phases.enters[SIG_VERBAL_ORDER])
		;
	else if (kept && w->acts.act.entered_by >= 0)
		snprintf(entered_by, sizeof entered_by, "%s",
		    signal_kind_name(w->acts.act.entered_by));
	else if (!kept && store_entry_kind(w->st, d->id, od->phase_since,
	    d->phase, entered_by, sizeof entered_by, w->err) != 0)
		return -1;
	last = od->phase_since;
	if (w->acts.n > 0 && w->acts.v[w->acts.n - 1] > last)
		last = w->acts.v[w->acts.n - 1];
	s.deal = d->id;
	s.phase = cfg->phases.name[p];
	s.phase_index = p;
	s.days_in_phase = (double)(f->as_of - od->phase_since) / DAY;
	s.untouched = p == 0 && w->acts.act.only_target;
	s.value = w->acts.value;
	/* A verbal order waits for its confirmation, whatever else happens. */
	s.verbal = strcmp(entered_by, "verbal_order") == 0;
	s.quiet_since = s.verbal ? od->phase_since : last;
	s.usual_days = s.verbal ? (double)cfg->confirmation_days : w->usual[p];
	s.quiet_days = (double)(f->as_of - s.quiet_since) / DAY;
	s.over_days = s.quiet_days - s.usual_days;
	/* The day after the decision date the decision is overdue. */
	if (w->acts.act.decision[0] != '\0' &&
	    util_day_start(w->acts.act.decision, cfg->timezone,
	    &s.decision) == 0)
		s.decision_passed = s.decision + DAY <= f->as_of;
	if (!(s.over_days > 0) && !s.decision_passed)
		return 0;
	/* The salesperson said when to look again (#snooze). */
	if (w->acts.act.snoozed > f->as_of)
		return 0;
	s.days_silent = NAN;
	if (offer != PHASE_NONE && p >= offer) {
		/* As of an earlier time, the last word known then. */
		heard = od->last_inbound <= f->as_of ? od->last_inbound :
		    w->acts.act.last_inbound;
		if (heard < od->phase_since)
			heard = od->phase_since;
		s.days_silent = (double)(f->as_of - heard) / DAY;
		s.silent = s.days_silent > (double)cfg->silence_days;
	}
	s.account = xstrdup(d->account);
	s.salesperson = xstrdup(d->salesperson);
	if (s.next_meeting != 0 && !s.decision_passed) {
		analysis_stalled_push(&w->out->planned, &w->out->nplanned, &s);
		return 0;
	}
	analysis_stalled_push(&w->out->v, &w->out->n, &s);
	/* Its evidence: the deal's latest signal. */
	if (kept) {
		analysis_evidence_later(w, w->acts.act.latest,
		    w->acts.act.latest_at, od->account_id, d->opened);
		return 0;
	}
	return store_latest_signal(w->st, od->account_id, d->opened, f->as_of,
	    analysis_evidence_signal, &w->out->v[w->out->n - 1], w->err);
}

/* What analysis_deal_at finds of a deal's entries: its phase at a time. */
struct analysis_phase_at {
	time_t		 at;
	char		 phase[64];
	time_t		 since;
};

static int
analysis_phase_entry(const struct store_entry *e, void *arg)
{
	struct analysis_phase_at *pa = arg;

	if (e->at <= pa->at && e->phase != NULL) {
		snprintf(pa->phase, sizeof pa->phase, "%s", e->phase);
		pa->since = e->at;
	}
	return 0;
}

/*
 * Judges a deal that was open at f->as_of (an earlier time) as it stood
 * then: its phase and the time it entered it from its entries, its last
 * word from the signals known then (analysis_stalled_deal).
 */
static int
analysis_stalled_deal_at(const struct store_deal *d, void *arg)
{
	struct analysis_stalled_walk *w = arg;
	struct analysis_phase_at pa = { w->f->as_of, "", 0 };
	struct store_open_deal od = { 0 };

	if (d->opened > w->f->as_of ||
	    (d->closed != 0 && d->closed <= w->f->as_of) ||
	    !analysis_admits(w->f, d->salesperson))
		return 0;
	if (store_deal_entries(w->st, d->id, analysis_phase_entry, &pa,
	    w->err) != 0)
		return -1;
	if (pa.phase[0] == '\0')
		return 0;
	if (store_account_find(w->st, d->account, &od.account_id, w->err) != 0)
		return -1;
	/* A deal's account has a row (a foreign key): none, nothing to judge. */
	if (od.account_id == 0)
		return 0;
	od.deal = *d;
	od.deal.phase = pa.phase;
	od.phase_since = pa.since;
	/* Not known as of then: analysis_stalled_deal reads it from signals. */
	od.last_inbound = INT64_MAX;
	return analysis_stalled_deal(&od, w);
}

/*
 * What analysis_stalled reads of the whole history at one as_of, for
 * every salesperson: the meetings and the usual quiet spells of the won
 * deals.  The meetings only when every one is needed (all_meetings): for
 * the usual spells when the projection did not keep them all, for every
 * salesperson's deals, or for a digest run's recipients (one of them may
 * be everyone); a team's own list reads its accounts' meetings.
 */
struct analysis_stalled_base {
	bool		 earlier;	/* as_of is before now */
	bool		 all_meetings;	/* m holds every meeting */
	struct analysis_meetings m;
	double		 usual[MAX_PHASES];
	struct strlist	 dirty;		/* accounts left to project, in byte order */
};

/* Frees what b holds and empties it. */
static void
analysis_stalled_base_free(struct analysis_stalled_base *b)
{
	analysis_meetings_free(&b->m);
	strlist_clear(&b->dirty);
	memset(b, 0, sizeof *b);
}

/* Made now (a digest run, however long): the deals as they are. */
static bool
analysis_earlier(const struct analysis_filter *f)
{
	return !f->current && util_now() - f->as_of >= 60;
}

/*
 * Reads b's meetings and usual spells at f->as_of, from every
 * salesperson's history; made now, b->dirty first (the accounts whose
 * kept spells are not to be trusted).
 */
static bool analysis_shared_all(const struct analysis_shared *);

static int
analysis_stalled_base_history(struct store *st,
    const struct analysis_filter *f, struct analysis_stalled_base *b,
    struct err *err)
{
	bool read = b->earlier || b->dirty.n > 0;
	int rc = 0;

	/* As of an earlier time, only the meetings booked by then. */
	if (b->earlier)
		b->m.known_at = f->as_of;
	b->all_meetings = read || analysis_shared_all(f->shared) ||
	    f->salespeople == NULL || f->salespeople->n == 0;
	if (b->all_meetings)
		rc = store_meeting_times(st, b->earlier, analysis_meeting_add,
		    &b->m, err);
	if (rc == 0)
		rc = analysis_usual(st, f->cfg, &b->m, &b->all_meetings, read,
		    f->as_of, b->usual, err);
	return rc;
}

struct analysis_shared {
	/* analysis_stalled's, of stalled_at when has_stalled */
	bool		 has_stalled;
	time_t		 stalled_at;
	struct analysis_stalled_base stalled;
	/* the forecast's, of forecast_at and horizon when has_forecast */
	bool		 has_forecast;
	time_t		 forecast_at;
	int		 horizon;
	bool		 current;
	struct analysis_deals deals;
	struct forecast_est *est;	/* owned: each open deal's of deals, in order */
	/* est of the open deals of cover alone (when !est_all); NULL: to make */
	bool		 est_all;
	/* analysis_shared_cover's: the salespeople told, or everyone */
	struct strlist	 cover;
	bool		 cover_all;
};

/* An empty one: the first analysis at an as_of fills it. */
struct analysis_shared *
analysis_shared_new(void)
{
	return xcalloc(1, sizeof(struct analysis_shared));
}

static void
analysis_shared_forget_forecast(struct analysis_shared *sh)
{
	analysis_deals_free(&sh->deals);
	free(sh->est);
	sh->est = NULL;
	sh->has_forecast = false;
}

void
analysis_shared_free(struct analysis_shared *sh)
{
	if (sh == NULL)
		return;
	analysis_stalled_base_free(&sh->stalled);
	analysis_shared_forget_forecast(sh);
	strlist_clear(&sh->cover);
	free(sh);
}

/*
 * Whether sh serves filters of everyone: told so, or never told.  Its
 * stalled deals' base then holds every meeting, read once for all of
 * them, where a team's filters read their own deals' meetings.
 */
static bool
analysis_shared_all(const struct analysis_shared *sh)
{
	return sh != NULL && (sh->cover_all || sh->cover.n == 0);
}

void
analysis_shared_cover(struct analysis_shared *sh,
    const struct strlist *people)
{
	struct analysis_filter told = { .salespeople = &sh->cover };
	size_t i;

	if (people == NULL || people->n == 0) {
		sh->cover_all = true;
		return;
	}
	for (i = 0; i < people->n; i++)
		if (sh->cover.n == 0 || !analysis_admits(&told, people->v[i])) {
			strlist_add(&sh->cover, people->v[i]);
			/* Estimates made for fewer are made again. */
			if (!sh->est_all) {
				free(sh->est);
				sh->est = NULL;
			}
		}
}

/*
 * The base of analysis_stalled at f->as_of: f's shared one, or own
 * (empty); true when it is to be read (the shared one held another
 * as_of and is emptied).
 */
static bool
analysis_stalled_base_of(const struct analysis_filter *f,
    struct analysis_stalled_base *own, struct analysis_stalled_base **b)
{
	struct analysis_shared *sh = f->shared;

	if (sh == NULL) {
		*b = own;
		return true;
	}
	*b = &sh->stalled;
	if (sh->has_stalled && sh->stalled_at == f->as_of)
		return false;
	analysis_stalled_base_free(&sh->stalled);
	sh->has_stalled = false;
	return true;
}

/*
 * The deals open now that analysis_stalled judges, read before it
 * judges them so that the base's history can be read beside them: each
 * row's five strings are in text, one after the other.
 */
struct analysis_open_rows {
	struct store_open_deal *v;	/* owned */
	size_t		 n, cap;
	char		*text;		/* owned */
	size_t		 len, size;
	struct analysis_amounts amounts;	/* the deals' newest amounts */
};

static void
analysis_open_text_add(struct analysis_open_rows *r, const char *s)
{
	size_t len = strlen(s != NULL ? s : "") + 1;

	if (r->size - r->len < len) {
		r->size = r->size == 0 ? 4096 : r->size * 2;
		if (r->size - r->len < len)
			r->size = r->len + len;
		r->text = xrealloc(r->text, r->size);
	}
	memcpy(r->text + r->len, s != NULL ? s : "", len);
	r->len += len;
}

/* Keeps an open deal's row (store_open_deals) to be judged later. */
static int
analysis_open_keep(const struct store_open_deal *od, void *arg)
{
	struct analysis_open_rows *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 256 : r->cap * 2;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n++] = *od;
	analysis_open_text_add(r, od->deal.account);
	analysis_open_text_add(r, od->deal.salesperson);
	analysis_open_text_add(r, od->deal.kind);
	analysis_open_text_add(r, od->deal.phase);
	analysis_open_text_add(r, od->deal.outcome);
	return 0;
}

/* The string at *p in text, *p moved past it. */
static const char *
analysis_open_text_next(const char **p)
{
	const char *s = *p;

	*p += strlen(s) + 1;
	return s;
}

/* Points each row's strings at their copies, once every row is read. */
static void
analysis_open_rows_end(struct analysis_open_rows *r)
{
	struct store_deal *d;
	const char *p = r->text;
	size_t i;

	for (i = 0; i < r->n; i++) {
		d = &r->v[i].deal;
		d->account = analysis_open_text_next(&p);
		d->salesperson = analysis_open_text_next(&p);
		d->kind = analysis_open_text_next(&p);
		d->phase = analysis_open_text_next(&p);
		d->outcome = analysis_open_text_next(&p);
	}
	analysis_amounts_end(&r->amounts);
}

static void
analysis_open_rows_free(struct analysis_open_rows *r)
{
	free(r->v);
	free(r->text);
	free(r->amounts.v);
	memset(r, 0, sizeof *r);
}

/* Reads the open deals of person (NULL: all) and their amounts. */
static int
analysis_open_read_of(struct store *st, const struct analysis_filter *f,
    const char *person, struct analysis_open_rows *r, struct err *err)
{
	long deals;
	int rc;

	rc = store_open_deal_count(st, person, &deals, err);
	if (rc == 0)
		rc = store_deal_offers(st, person, false, f->as_of, 0, deals,
		    analysis_amount_add, &r->amounts, err);
	if (rc == 0)
		rc = person == NULL ?
		    store_open_deals(st, analysis_open_keep, r, err) :
		    store_open_deals_of(st, person, analysis_open_keep, r,
		    err);
	return rc;
}

/*
 * Reads the deals open now that f admits: a list's salespeople each
 * from their index ranges (a manager's team is a few of hundreds: at
 * 10M signals every open deal's signals took 4 s), all in one walk.
 */
static int
analysis_open_read(struct store *st, const struct analysis_filter *f,
    struct analysis_open_rows *r, struct err *err)
{
	const struct strlist *sp = f->salespeople;
	size_t i;
	int rc = 0;

	if (sp == NULL || sp->n == 0)
		rc = analysis_open_read_of(st, f, NULL, r, err);
	/* Named twice, judged once. */
	for (i = 0; sp != NULL && i < sp->n && rc == 0; i++)
		if (!strlist_repeats(sp, i))
			rc = analysis_open_read_of(st, f, sp->v[i], r, err);
	if (rc == 0)
		analysis_open_rows_end(r);
	return rc;
}

bool analysis_base_read_ahead;

/* A base's history read beside the open deals (store_beside). */
struct analysis_base_ahead {
	const struct analysis_filter *f;
	struct analysis_stalled_base *b;
};

static int
analysis_base_ahead_read(struct store *st, void *arg, struct err *err)
{
	struct analysis_base_ahead *a = arg;

	return analysis_stalled_base_history(st, a->f, a->b, err);
}

/*
 * Reads the deals open now that f admits into rows and, when read_base,
 * b: its history beside them, on a second connection on a thread of its
 * own when one can be had and st has no write of its own to hide from
 * it (at 10M signals every meeting and the won deals' spells are a third
 * of a whole stalled list).  The deals and the accounts left to project
 * come from st's snapshot, as everything else a report reads; the
 * meetings and the usual spells from the last commit when the thread
 * starts, so that a meeting the agent stores meanwhile is counted.
 */
static int
analysis_stalled_read(struct store *st, const struct analysis_filter *f,
    struct analysis_stalled_base *b, bool read_base,
    struct analysis_open_rows *rows, struct err *err)
{
	struct analysis_base_ahead a = { f, b };
	struct store_beside sb;
	bool ahead = false;
	int rc = 0;

	if (read_base)
		rc = store_dirty_accounts(st, &b->dirty, err);
	if (rc == 0 && read_base)
		ahead = store_beside_start(st, &sb, analysis_base_ahead_read,
		    &a);
	analysis_base_read_ahead = ahead;
	if (rc == 0 && read_base && !ahead)
		rc = analysis_stalled_base_history(st, f, b, err);
	if (rc == 0)
		rc = analysis_open_read(st, f, rows, err);
	return ahead ? store_beside_join(&sb, rc, err) : rc;
}

/* Orders row ids. */
static int
analysis_cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The meetings of the accounts of the rows' deals into m, by account and
 * start as store_meeting_times gives them: a team's few thousand
 * accounts each from its range of the index, not every meeting (2M at
 * 10M signals, most of a salesperson's stalled list).
 */
static int
analysis_rows_meetings(struct store *st, const struct analysis_open_rows *r,
    struct analysis_meetings *m, struct err *err)
{
	int64_t *id = xcalloc(r->n > 0 ? r->n : 1, sizeof *id);
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n; i++)
		id[i] = r->v[i].account_id;
	if (r->n > 1)
		qsort(id, r->n, sizeof *id, analysis_cmp_id);
	for (i = 0; i < r->n && rc == 0; i++) {
		if (i > 0 && id[i] == id[i - 1])
			continue;
		rc = store_account_meeting_times(st, id[i],
		    analysis_meeting_add, m, err);
	}
	free(id);
	return rc;
}

/* Judges the rows read, then looks the stalled deals' evidence up. */
static int
analysis_stalled_judge(struct analysis_open_rows *rows,
    struct analysis_stalled_walk *w)
{
	size_t i;
	int rc = 0;

	w->amounts = &rows->amounts;
	for (i = 0; i < rows->n && rc == 0; i++)
		rc = analysis_stalled_deal(&rows->v[i], w);
	if (rc == 0)
		rc = analysis_evidence_lookup(w);
	w->amounts = NULL;
	return rc;
}

int
analysis_stalled(struct store *st, const struct analysis_filter *f,
    struct stalled_list *out, struct err *err)
{
	struct analysis_stalled_base own = { 0 }, *b;
	struct analysis_meetings own_m = { 0 };
	struct analysis_stalled_walk w = { .st = st, .f = f, .out = out,
	    .err = err };
	struct store_filter open_then = { NULL, NULL, f->as_of, f->as_of + 1 };
	struct analysis_open_rows rows = { 0 };
	bool read_base;
	int rc = 0;

	memset(out, 0, sizeof *out);
	read_base = analysis_stalled_base_of(f, &own, &b);
	if (read_base)
		b->earlier = analysis_earlier(f);
	w.m = &b->m;
	w.usual = b->usual;
	w.dirty = &b->dirty;
	/*
	 * The deals open now, by their index; as of an earlier time those
	 * open then, as they stood (one closed since was open then).
	 */
	if (b->earlier) {
		if (read_base)
			rc = analysis_stalled_base_history(st, f, b, err);
		if (rc == 0)
			rc = store_deals(st, &open_then,
			    analysis_stalled_deal_at, &w, err);
	} else {
		rc = analysis_stalled_read(st, f, b, read_base, &rows, err);
		if (rc == 0 && !b->all_meetings) {
			rc = analysis_rows_meetings(st, &rows, &own_m, err);
			w.m = &own_m;
		}
		if (rc == 0)
			rc = analysis_stalled_judge(&rows, &w);
		analysis_open_rows_free(&rows);
		analysis_meetings_free(&own_m);
	}
	free(w.acts.v);
	free(w.evidence);
	if (read_base && f->shared != NULL && rc == 0) {
		f->shared->has_stalled = true;
		f->shared->stalled_at = f->as_of;
	}
	if (b == &own || (read_base && rc != 0))
		analysis_stalled_base_free(b);
	if (rc != 0) {
		stalled_list_free(out);
		return -1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, analysis_cmp_stalled);
	if (out->nplanned > 1)
		qsort(out->planned, out->nplanned, sizeof *out->planned,
		    analysis_cmp_stalled);
	return 0;
}

/*
 * Seconds deal d (reached: its analysis_reached) stayed in phase p before
 * it moved on or closed, seen at t.
 */
static time_t
analysis_stay(const struct analysis_deal *d, const time_t *reached, int p,
    time_t t)
{
	time_t end = t;

	if (d->phase > p && reached[p + 1] < end)
		end = reached[p + 1];
	if (d->closed != 0 && d->closed < end)
		end = d->closed;
	return (end - reached[p]);
}

/* A deal that reached a phase, as the landmarks of that phase see it. */
struct analysis_member {
	size_t		 idx;		/* in the deals */
	double		 stay;		/* days in the phase, up to leaving it, its close or t */
	double		 full;		/* days from reaching the phase to its close or t */
	enum forecast_end end;
	bool		 here;		/* open and in the phase at t: full is its age */
};

/*
 * The members of one phase by full (closes first at a tie), and their
 * places in v by stay, longest first (ties in v's order).
 */
struct analysis_phase_members {
	struct analysis_member *v;	/* owned */
	size_t		*by_stay;	/* owned */
	size_t		 n;
};

/* The k-th longest stay of the members. */
static double
analysis_kth_stay(const struct analysis_phase_members *pm, size_t k)
{
	return (pm->v[pm->by_stay[k]].stay);
}

/*
 * Sorts every deal that reached phase p at t once, for all its landmarks:
 * by full, the closed before the open at a tie, else in the deals' order
 * (the radix sort is stable: the closed are handed to it first); then by
 * stay.  Both sort the seconds that full and stay are made of.
 */
static void
analysis_members(const struct analysis_deals *l, int p, time_t t,
    struct analysis_phase_members *pm)
{
	struct analysis_member *m;
	struct radix_item *key;
	time_t *full, *stay;
	size_t i, k;

	memset(pm, 0, sizeof *pm);
	m = xcalloc(l->n > 0 ? l->n : 1, sizeof *m);
	full = xcalloc(l->n > 0 ? l->n : 1, sizeof *full);
	stay = xcalloc(l->n > 0 ? l->n : 1, sizeof *stay);
	for (i = 0; i < l->n; i++) {
		const struct analysis_deal *d = &l->v[i];

		if (d->phase < p)
			continue;
		stay[pm->n] = analysis_stay(d, analysis_reached(l, i), p, t);
		full[pm->n] = (d->closed != 0 ? d->closed : t) -
		    analysis_reached(l, i)[p];
		m[pm->n].idx = i;
		m[pm->n].stay = (double)stay[pm->n] / DAY;
		m[pm->n].full = (double)full[pm->n] / DAY;
		m[pm->n].end = d->closed == 0 ? FORECAST_OPEN :
		    d->outcome == OUTCOME_WON ? FORECAST_WON : FORECAST_LOST;
		m[pm->n].here = d->closed == 0 && d->phase == p;
		pm->n++;
	}
	key = xcalloc(pm->n > 0 ? pm->n : 1, sizeof *key);
	for (i = 0, k = 0; i < pm->n; i++)
		if (m[i].end != FORECAST_OPEN)
			key[k++].i = i;
	for (i = 0; i < pm->n; i++)
		if (m[i].end == FORECAST_OPEN)
			key[k++].i = i;
	for (k = 0; k < pm->n; k++)
		key[k].key = radix_key_int(full[key[k].i]);
	free(full);
	radix_sort(key, pm->n);
	pm->v = xcalloc(pm->n > 0 ? pm->n : 1, sizeof *pm->v);
	for (k = 0; k < pm->n; k++)
		pm->v[k] = m[key[k].i];
	free(m);
	for (k = 0; k < pm->n; k++)
		key[k].key = ~radix_key_int(stay[key[k].i]);
	free(stay);
	for (k = 0; k < pm->n; k++)
		key[k].i = k;
	radix_sort(key, pm->n);
	pm->by_stay = xcalloc(pm->n > 0 ? pm->n : 1, sizeof *pm->by_stay);
	for (k = 0; k < pm->n; k++)
		pm->by_stay[k] = key[k].i;
	free(key);
}

static void
analysis_members_free(struct analysis_phase_members *pm)
{
	free(pm->v);
	free(pm->by_stay);
	memset(pm, 0, sizeof *pm);
}

/*
 * True when member m is one of the open deals of a whole-days age: open
 * and in the phase at t, for age days and less than age + 1.  Those are
 * the deals that share that age's estimate: none is compared with itself
 * or with the others of its age.
 */
static bool
analysis_peer(const struct analysis_member *m, double age)
{
	return m->here && m->full >= age && m->full < age + 1.0;
}

/*
 * The landmark observations of a phase at whole-days age, in time order:
 * every member (but the peers of age when peers is set: analysis_peer)
 * that was still in the phase, open, age days after reaching it, and
 * still open at the exact age at (>= age), followed from at to its close
 * or to t.  When fewer than ANALYSIS_MIN_LANDMARK of them stayed longer
 * than age, the age is lowered to the stay of the
 * ANALYSIS_MIN_LANDMARK-th longest (of all when fewer reached the
 * phase), those that stayed that long count, followed from there (at
 * does not apply), and *lowered is set.  Returns the number of
 * observations in obs (room for pm->n).
 */
static size_t
analysis_landmark(const struct analysis_phase_members *pm, double age,
    double at, bool peers, struct forecast_obs *obs, bool *lowered)
{
	double top[ANALYSIS_MIN_LANDMARK], s, whole = age;
	size_t longer = 0, ntop = 0, i, k, n = 0;

	*lowered = false;
	/* How many stayed longer than age, and the longest stays of all. */
	for (i = 0; i < pm->n; i++) {
		const struct analysis_member *m = &pm->v[i];

		if (peers && analysis_peer(m, whole))
			continue;
		if (m->stay > age)
			longer++;
		s = m->stay;
		if (ntop == ANALYSIS_MIN_LANDMARK && s <= top[ntop - 1])
			continue;
		if (ntop < ANALYSIS_MIN_LANDMARK)
			ntop++;
		for (k = ntop - 1; k > 0 && top[k - 1] < s; k--)
			top[k] = top[k - 1];
		top[k] = s;
	}
	if (longer < ANALYSIS_MIN_LANDMARK && ntop > 0) {
		/* The ntop-th longest: the 8th, or the shortest of fewer. */
		if (top[ntop - 1] < age)
			age = top[ntop - 1];
		at = age;
		*lowered = true;
	}
	for (i = 0; i < pm->n; i++) {
		const struct analysis_member *m = &pm->v[i];

		if ((peers && analysis_peer(m, whole)) || !(m->stay > age ||
		    (*lowered && m->stay >= age)) || (at > age && !(m->full > at)))
			continue;
		obs[n].days = m->full - at;
		obs[n].end = m->end;
		n++;
	}
	return n;
}

bool analysis_landmark_walk;
size_t analysis_estimated;
bool analysis_values_per_deal;

/* A Fenwick tree of counts over 0..n-1, for the k-th present rank. */
struct analysis_fenwick {
	size_t		*t;		/* owned, 1-based */
	size_t		 n;
};

static void
analysis_fenwick_add(struct analysis_fenwick *fw, size_t rank)
{
	size_t i;

	for (i = rank + 1; i <= fw->n; i += i & -i)
		fw->t[i]++;
}

/* The k-th (from 0) smallest rank present; k below the count present. */
static size_t
analysis_fenwick_kth(const struct analysis_fenwick *fw, size_t k)
{
	size_t pos = 0, step = 1;

	while (step * 2 <= fw->n)
		step *= 2;
	for (; step > 0; step /= 2)
		if (pos + step <= fw->n && fw->t[pos + step] <= k) {
			pos += step;
			k -= fw->t[pos];
		}
	return pos;
}

/* One open deal's landmark query: its age in its phase. */
struct analysis_query {
	size_t		 q;		/* its place in the results */
	double		 age;		/* days */
	double		 whole;		/* whole days of it */
};

/* Sorts queries made in q's order by whole days, oldest first, then q. */
static void
analysis_sort_queries(struct analysis_query *v, size_t n)
{
	struct analysis_query *was;
	struct radix_item *key;
	size_t i;

	key = xcalloc(n > 0 ? n : 1, sizeof *key);
	for (i = 0; i < n; i++) {
		key[i].key = ~radix_key_double(v[i].whole);
		key[i].i = i;
	}
	radix_sort(key, n);
	was = xreallocarray(NULL, n > 0 ? n : 1, sizeof *was);
	memcpy(was, v, n * sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = was[key[i].i];
	free(was);
	free(key);
}

/* A won member: its stay, and its rank among the won in time order. */
struct analysis_won_stay {
	double		 stay;
	size_t		 rank;
};

/*
 * The landmark of one whole-days age as a curve: the times at which the
 * members still in the phase at that age (their bits set in in[], one per
 * member in pm's order), but for its peers (analysis_peer), closed or were
 * last seen open, from lo (the first to end after the age) to a horizon
 * after the end of the age's day, and before each time k: the product
 * s[k] and sum c[k] of the Aalen-Johansen estimate from the age, and how
 * many had ended (gone), been won and been seen open.  A deal of that
 * age at its exact age a reads its estimate from a to a + horizon out of
 * it (analysis_curve_est) instead of scanning the members again.
 */
struct analysis_curve {
	double		*time;		/* owned: full, ascending */
	double		*s, *c;		/* owned: n + 1 each */
	size_t		*gone, *won, *open;	/* owned: n + 1 each */
	size_t		 n, cap;
	size_t		 at_risk;	/* at the age */
};

static void
analysis_curve_free(struct analysis_curve *cv)
{
	free(cv->time);
	free(cv->s);
	free(cv->c);
	free(cv->gone);
	free(cv->won);
	free(cv->open);
	memset(cv, 0, sizeof *cv);
}

/* Makes room for one more time (and its counts at n + 1). */
static void
analysis_curve_room(struct analysis_curve *cv)
{
	if (cv->n + 2 <= cv->cap)
		return;
	cv->cap = cv->cap == 0 ? 64 : cv->cap * 2;
	cv->time = xreallocarray(cv->time, cv->cap, sizeof *cv->time);
	cv->s = xreallocarray(cv->s, cv->cap, sizeof *cv->s);
	cv->c = xreallocarray(cv->c, cv->cap, sizeof *cv->c);
	cv->gone = xreallocarray(cv->gone, cv->cap, sizeof *cv->gone);
	cv->won = xreallocarray(cv->won, cv->cap, sizeof *cv->won);
	cv->open = xreallocarray(cv->open, cv->cap, sizeof *cv->open);
}

/* Appends a time with nothing at it yet. */
static void
analysis_curve_push(struct analysis_curve *cv, double t)
{
	analysis_curve_room(cv);
	cv->time[cv->n] = t;
	cv->gone[cv->n + 1] = cv->won[cv->n + 1] = cv->open[cv->n + 1] = 0;
	cv->n++;
}

/*
 * Fills cv for the whole-days age (analysis_curve), at_risk members in
 * it, reading the members from lo in place and skipping those that had
 * left the phase a word of 64 at a time: most members of the early
 * phases in the window had moved on.
 */
static void
analysis_curve_build(const struct analysis_phase_members *pm,
    const uint64_t *in, size_t lo, double age, size_t at_risk,
    double horizon, struct analysis_curve *cv)
{
	double d, r;
	size_t w, j, k, dw, dl;
	uint64_t bits;
	bool done = false;

	cv->n = 0;
	cv->at_risk = at_risk;
	analysis_curve_room(cv);
	cv->gone[0] = cv->won[0] = cv->open[0] = 0;
	for (w = lo / 64; !done && w * 64 < pm->n; w++) {
		bits = in[w];
		if (w == lo / 64)
			bits &= ~0ULL << (lo % 64);
		for (; bits != 0; bits &= bits - 1) {
			j = w * 64 + (size_t)__builtin_ctzll(bits);
			d = pm->v[j].full - age;
			/* Past any deal of the age's horizon (a margin for rounding). */
			if (!(d < horizon + 2.0)) {
				done = true;
				break;
			}
			if (pm->v[j].here && d < 1.0)
				continue;
			if (cv->n == 0 || pm->v[j].full != cv->time[cv->n - 1])
				analysis_curve_push(cv, pm->v[j].full);
			cv->gone[cv->n]++;
			if (pm->v[j].end == FORECAST_WON)
				cv->won[cv->n]++;
			else if (pm->v[j].end == FORECAST_OPEN)
				cv->open[cv->n]++;
		}
	}
	/* Counts at each time to counts before each; the estimate along. */
	cv->s[0] = 1.0;
	cv->c[0] = 0.0;
	for (k = 0; k < cv->n; k++) {
		dw = cv->won[k + 1];
		dl = cv->gone[k + 1] - dw - cv->open[k + 1];
		r = (double)(at_risk - cv->gone[k]);
		cv->c[k + 1] = cv->c[k] + cv->s[k] * (double)dw / r;
		cv->s[k + 1] = cv->s[k] * (1.0 - (double)(dw + dl) / r);
		cv->gone[k + 1] += cv->gone[k];
		cv->won[k + 1] += cv->won[k];
		cv->open[k + 1] += cv->open[k];
	}
}

/*
 * The estimate of a deal of the curve's age at its exact age a: the
 * members still open at a, followed from a (what analysis_landmark and
 * forecast_estimate_sorted give, but for rounding in the last bits of the
 * CIF), the won members present in fw (by their place in time order,
 * won[] their index in pm) for the median time to win.
 */
static void
analysis_curve_est(const struct analysis_phase_members *pm,
    const struct analysis_curve *cv, const struct analysis_fenwick *fw,
    const size_t *won, size_t nwon, double a, double horizon, double prior,
    struct forecast_est *e)
{
	size_t lo = 0, hi = cv->n, mid, i0, i1, m, off;
	double x;

	/* i0: the first time after a; i1: the first a horizon or more after a. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cv->time[mid] > a)
			hi = mid;
		else
			lo = mid + 1;
	}
	i0 = lo;
	for (hi = cv->n; lo < hi; ) {
		mid = lo + (hi - lo) / 2;
		if (cv->time[mid] - a < horizon)
			lo = mid + 1;
		else
			hi = mid;
	}
	i1 = lo;
	memset(e, 0, sizeof *e);
	e->n = (long)(cv->at_risk - cv->gone[i0]);
	e->cif = NAN;
	e->won_days = NAN;
	if (e->n > 0)
		e->cif = (cv->c[i1] - cv->c[i0]) / cv->s[i0];
	e->weight = (double)e->n - (double)(cv->open[i1] - cv->open[i0]);
	off = cv->won[i0];
	m = nwon - off;
	e->won = (long)m;
	if (m > 0) {
		x = pm->v[won[analysis_fenwick_kth(fw, off + m / 2)]].full - a;
		e->won_days = m % 2 == 1 ? x :
		    (pm->v[won[analysis_fenwick_kth(fw, off + m / 2 - 1)]].full -
		    a + x) / 2.0;
	}
	forecast_blend(e, prior);
}

/*
 * The estimates of the open deals idx[0..n-1], each in phase p at t,
 * into est[0..n-1]: what analysis_landmark and forecast_estimate_sorted
 * give (but for rounding in the CIF's last bits), without walking every
 * member of the phase for every deal.  The landmark is taken at the
 * whole days of a deal's age, so that the deals of one age (the same
 * day's) share its members: one scan of them per age, a few hundred per
 * phase, not one per open deal (427k at 10M signals), and each deal reads
 * its exact age's estimate from that age's curve.  Ages are taken oldest
 * first, so that the won members that stayed longer than the age only
 * grow, kept in a Fenwick tree by their place in time order for the
 * median time to win.  An age whose landmark is lowered (fewer than
 * ANALYSIS_MIN_LANDMARK stayed longer) takes the walk, as every deal
 * does with analysis_landmark_walk.
 */
static void
analysis_landmarks(const struct analysis_deals *l,
    const struct analysis_phase_members *pm, int p, time_t t,
    const size_t *idx, size_t n, double horizon, double prior,
    struct forecast_est *est)
{
	struct analysis_fenwick fw = { NULL, 0 };
	struct analysis_curve cv;
	struct analysis_query *qs;
	struct analysis_won_stay *order;
	struct forecast_obs *buf;
	size_t *won, *rank, *here, nwon = 0, wp = 0, ap = 0, i, j, k;
	size_t lo, hi, mid, longer, nb;
	uint64_t *in;
	double age;
	bool lowered;

	memset(&cv, 0, sizeof cv);
	won = xcalloc(pm->n > 0 ? pm->n : 1, sizeof *won);
	rank = xcalloc(pm->n > 0 ? pm->n : 1, sizeof *rank);
	order = xcalloc(pm->n > 0 ? pm->n : 1, sizeof *order);
	buf = xcalloc(pm->n > 0 ? pm->n : 1, sizeof *buf);
	/* here[i]: the members before the i-th that are open in the phase. */
	here = xcalloc(pm->n + 1, sizeof *here);
	for (i = 0; i < pm->n; i++) {
		here[i + 1] = here[i] + pm->v[i].here;
		if (pm->v[i].end == FORECAST_WON) {
			rank[i] = nwon;
			won[nwon++] = i;
		}
	}
	/* The won by stay, longest first, ties by rank: from by_stay. */
	for (i = 0, k = 0; i < pm->n; i++)
		if (pm->v[pm->by_stay[i]].end == FORECAST_WON) {
			order[k].stay = analysis_kth_stay(pm, i);
			order[k++].rank = rank[pm->by_stay[i]];
		}
	in = xcalloc(pm->n / 64 + 1, sizeof *in);
	fw.n = nwon;
	fw.t = xcalloc(nwon + 1, sizeof *fw.t);
	qs = xcalloc(n > 0 ? n : 1, sizeof *qs);
	for (i = 0; i < n; i++) {
		qs[i].q = i;
		qs[i].age = (double)(t - analysis_reached(l, idx[i])[p]) / DAY;
		qs[i].whole = (double)((t - analysis_reached(l, idx[i])[p]) /
		    DAY);
	}
	analysis_sort_queries(qs, n);
	for (i = 0; i < n; i = j) {
		age = qs[i].whole;
		for (j = i + 1; j < n && qs[j].whole == age; j++)
			;
		if (analysis_landmark_walk) {
			/* The reference: each deal on its own. */
			for (k = i; k < j; k++) {
				nb = analysis_landmark(pm, age, qs[k].age, true,
				    buf, &lowered);
				forecast_estimate_sorted(buf, nb, horizon, prior,
				    &est[qs[k].q]);
			}
			continue;
		}
		/* Stays longest first: how many are longer than age. */
		for (lo = 0, hi = pm->n; lo < hi; ) {
			mid = lo + (hi - lo) / 2;
			if (analysis_kth_stay(pm, mid) > age)
				lo = mid + 1;
			else
				hi = mid;
		}
		longer = lo;
		/* Members ending after the age: full > age. */
		for (lo = 0, hi = pm->n; lo < hi; ) {
			mid = lo + (hi - lo) / 2;
			if (pm->v[mid].full > age)
				hi = mid;
			else
				lo = mid + 1;
		}
		/* Less its peers among the longer: open here, full in (age, age + 1). */
		for (k = lo, hi = pm->n; k < hi; ) {
			mid = k + (hi - k) / 2;
			if (pm->v[mid].full < age + 1.0)
				k = mid + 1;
			else
				hi = mid;
		}
		longer -= here[k] - here[lo];
		if (longer < ANALYSIS_MIN_LANDMARK) {
			/* Lowered: the age's deals share the oldest members' estimate. */
			nb = analysis_landmark(pm, age, age, true, buf, &lowered);
			forecast_estimate_sorted(buf, nb, horizon, prior,
			    &est[qs[i].q]);
			for (k = i + 1; k < j; k++)
				est[qs[k].q] = est[qs[i].q];
			continue;
		}
		while (wp < nwon && order[wp].stay > age)
			analysis_fenwick_add(&fw, order[wp++].rank);
		/* Every member by stay, to mark those still in the phase. */
		for (; ap < pm->n && analysis_kth_stay(pm, ap) > age; ap++)
			in[pm->by_stay[ap] / 64] |= 1ULL <<
			    (pm->by_stay[ap] % 64);
		analysis_curve_build(pm, in, lo, age, longer, horizon, &cv);
		for (k = i; k < j; k++)
			analysis_curve_est(pm, &cv, &fw, won, wp, qs[k].age,
			    horizon, prior, &est[qs[k].q]);
	}
	analysis_curve_free(&cv);
	free(in);
	free(qs);
	free(fw.t);
	free(here);
	free(buf);
	free(order);
	free(rank);
	free(won);
}

/*
 * The wins per horizon of deals opened after a window's start and won
 * before its end, over every window of the known history: a deal opened
 * at o and won at c counts in the windows starting in (c - H, o].
 */
static void
analysis_unopened(const struct analysis_filter *f,
    const struct analysis_deals *l, time_t t, int horizon_days,
    enum deal_kind kind, struct forecast_rate *r)
{
	time_t h = (time_t)horizon_days * DAY, last = t - h, lo, hi;
	double span, sum = 0;
	size_t i;

	memset(r, 0, sizeof *r);
	/* Less than one whole window of history says nothing yet. */
	if (l->first == 0 || last - l->first < h)
		return;
	span = (double)(last - l->first);
	for (i = 0; i < l->n; i++) {
		const struct analysis_deal *d = &l->v[i];

		if (d->kind != kind || d->outcome != OUTCOME_WON ||
		    !analysis_admits(f, d->salesperson))
			continue;
		lo = d->closed - h > l->first ? d->closed - h : l->first;
		hi = d->opened < last ? d->opened : last;
		if (hi > lo)
			sum += (double)(hi - lo);
	}
	r->mean = sum / span;
	r->windows = span / (double)h;
}

/* Fills a sum's interval and rate from its distribution. */
static void
analysis_sum_dist(struct forecast_sum *s, const struct forecast_dist *d,
    int horizon_days)
{
	s->low = (double)forecast_quantile(d->pmf, d->n, 0.025);
	s->high = (double)forecast_quantile(d->pmf, d->n, 0.975);
	s->low80 = (double)forecast_quantile(d->pmf, d->n, 0.10);
	s->high80 = (double)forecast_quantile(d->pmf, d->n, 0.90);
	s->per_month = horizon_days > 0 ?
	    s->expected * 30.0 / (double)horizon_days : 0.0;
}

/* Whole-history win rates of the phases, for the pipeline baseline. */
static void
analysis_phase_rates(const struct config *cfg, const struct analysis_deals *l,
    double *rate)
{
	long won[MAX_PHASES] = { 0 }, closed[MAX_PHASES] = { 0 };
	size_t i;
	int p;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].closed == 0)
			continue;
		for (p = 0; p <= l->v[i].phase; p++) {
			closed[p]++;
			if (l->v[i].outcome == OUTCOME_WON)
				won[p]++;
		}
	}
	for (p = 0; p < (int)cfg->phases.n; p++)
		rate[p] = closed[p] > 0 ? (double)won[p] / (double)closed[p] :
		    analysis_prior(cfg, p);
}

/* The phases' summary: what the history says on entering each. */
static void
analysis_forecast_phases(const struct config *cfg,
    const struct analysis_deals *l, const struct analysis_phase_members *pm,
    struct forecast *fc, struct forecast_obs *obs)
{
	struct forecast_est e;
	size_t i, n;
	bool lowered;
	int p;

	for (p = 0; p < (int)fc->nphases; p++) {
		struct forecast_phase *fp = &fc->phases[p];

		fp->phase = cfg->phases.name[p];
		fp->prior = analysis_prior(cfg, p);
		for (i = 0; i < l->n; i++) {
			if (l->v[i].phase < p)
				continue;
			fp->history++;
			if (l->v[i].closed == 0)
				fp->censored++;
			else if (l->v[i].outcome == OUTCOME_WON)
				fp->history_won++;
		}
		n = analysis_landmark(&pm[p], 0, 0, false, obs, &lowered);
		forecast_estimate_sorted(obs, n, fc->horizon_days, fp->prior, &e);
		fp->p_won = e.p;
		fp->remaining_days = e.won_days;
	}
}

/*
 * The error on the log-odds of the overall win rate of the closed deals,
 * blended with an even prior as one deal: what every phase's estimate
 * shares.
 */
static double
analysis_shared_se(const struct forecast *fc)
{
	double m = (double)fc->closed + FORECAST_PRIOR_WEIGHT;
	double p = ((double)fc->won + 0.5 * FORECAST_PRIOR_WEIGHT) / m;

	return 1.0 / sqrt(m * p * (1.0 - p));
}

/*
 * A forecast's work of each phase at t (analysis_phase_job): its members
 * and the estimates of the open deals in it, each from the landmark of
 * the phase at its age.  Phases share nothing but the deals they read,
 * so that two run at once (util_parallel).
 */
struct analysis_phase_jobs {
	const struct config *cfg;
	const struct analysis_deals *l;
	time_t		 t;
	int		 horizon_days;
	struct analysis_phase_members *pm;	/* one per phase, filled */
	const size_t	*idx;		/* the open deals to estimate, in l */
	size_t		 n;
	struct forecast_est *est;	/* n: filled, in idx's order */
};

static void
analysis_phase_job(void *arg, size_t job)
{
	struct analysis_phase_jobs *j = arg;
	struct forecast_est *pest;
	size_t *at, *pos, i, m = 0;
	int p = (int)job;

	analysis_members(j->l, p, j->t, &j->pm[p]);
	for (i = 0; i < j->n; i++)
		if (j->l->v[j->idx[i]].phase == p)
			m++;
	if (m == 0)
		return;
	at = xcalloc(m, sizeof *at);
	pos = xcalloc(m, sizeof *pos);
	for (i = 0, m = 0; i < j->n; i++)
		if (j->l->v[j->idx[i]].phase == p) {
			pos[m] = i;
			at[m++] = j->idx[i];
		}
	pest = xcalloc(m, sizeof *pest);
	analysis_landmarks(j->l, &j->pm[p], p, j->t, at, m, j->horizon_days,
	    analysis_prior(j->cfg, p), pest);
	for (i = 0; i < m; i++)
		j->est[pos[i]] = pest[i];
	free(pest);
	free(pos);
	free(at);
}

/*
 * The members of every phase at t into pm (the caller frees them) and,
 * when f is not NULL, the estimates of the open deals f admits, in the
 * order of the deals (*n of them; NULL without f).  The first phase,
 * which every deal reached, goes first.
 */
static struct forecast_est *
analysis_phases(const struct analysis_filter *f, const struct config *cfg,
    const struct analysis_deals *l, time_t t, int horizon_days,
    struct analysis_phase_members *pm, size_t *n)
{
	struct analysis_phase_jobs j = { cfg, l, t, horizon_days, pm, NULL,
	    0, NULL };
	size_t *idx = NULL, i;

	*n = 0;
	if (f != NULL) {
		idx = xcalloc(l->n > 0 ? l->n : 1, sizeof *idx);
		for (i = 0; i < l->n; i++)
			if (l->v[i].closed == 0 &&
			    analysis_admits(f, l->v[i].salesperson))
				idx[(*n)++] = i;
		j.idx = idx;
		j.n = *n;
		analysis_estimated += *n;
		j.est = xcalloc(*n > 0 ? *n : 1, sizeof *j.est);
	}
	util_parallel(cfg->phases.n, analysis_phase_job, &j);
	free(idx);
	return j.est;
}

/*
 * The forecast at t from the deals projected then (l), the stored deals
 * (truth) for ids and what happened; the baselines of a backtest date
 * into bd when not NULL.  With sums, the phases' summary is left out
 * (analysis_forecast_sums).  all_est, when not NULL, holds the estimate
 * of every open deal of l in order (analysis_shared_forecast), else those
 * of the open deals f admits are made here.
 */
static void
analysis_forecast_at(const struct analysis_filter *f,
    const struct analysis_deals *l, const struct analysis_truths *truth,
    time_t t, int horizon_days, bool backtest, bool sums,
    const struct forecast_est *all_est, struct forecast *fc,
    struct backtest_date *bd)
{
	const struct config *cfg = f->cfg;
	time_t end = t + (time_t)horizon_days * DAY;
	struct forecast_obs *obs;
	struct forecast_item *items;
	struct forecast_rate rate[2];
	struct forecast_dist dist[3];
	struct forecast_est e;
	struct analysis_phase_members pm[MAX_PHASES];
	struct forecast_est *est = NULL;
	double prate[MAX_PHASES];
	size_t i, nitems = 0, cap = 0, nest, nopen = 0;
	bool members = !sums || all_est == NULL;
	int p;

	memset(fc, 0, sizeof *fc);
	memset(pm, 0, sizeof pm);
	fc->as_of = t;
	fc->horizon_days = horizon_days;
	fc->backtest = backtest;
	fc->nphases = cfg->phases.n;
	fc->history_from = l->first;
	obs = xcalloc(l->n > 0 ? l->n : 1, sizeof *obs);
	items = xcalloc(l->n > 0 ? l->n : 1, sizeof *items);
	for (i = 0; i < l->n; i++) {
		if (l->v[i].closed == 0)
			fc->open++;
		else {
			fc->closed++;
			if (l->v[i].outcome == OUTCOME_WON)
				fc->won++;
		}
	}
	if (members)
		est = analysis_phases(all_est == NULL ? f : NULL, cfg, l, t,
		    horizon_days, pm, &nest);
	if (!sums)
		analysis_forecast_phases(cfg, l, pm, fc, obs);
	analysis_phase_rates(cfg, l, prate);
	nest = 0;
	if (bd != NULL)
		memset(bd, 0, sizeof *bd);
	for (i = 0; i < l->n; i++) {
		const struct analysis_deal *d = &l->v[i];
		const struct analysis_truth *tr;
		struct forecast_deal *fd;
		struct forecast_sum *s;

		if (d->closed == 0)
			nopen++;
		if (!analysis_admits(f, d->salesperson))
			continue;
		if (bd != NULL && d->outcome == OUTCOME_WON &&
		    d->closed >= t - (time_t)horizon_days * DAY)
			bd->run_rate++;
		if (d->closed != 0)
			continue;
		if (bd != NULL) {
			bd->open++;
			bd->pipeline += prate[d->phase];
		}
		if (fc->ndeals == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			fc->deals = xreallocarray(fc->deals, cap, sizeof *fc->deals);
		}
		fd = &fc->deals[fc->ndeals++];
		memset(fd, 0, sizeof *fd);
		fd->account = xstrdup(d->account);
		fd->salesperson = xstrdup(d->salesperson);
		fd->kind = d->kind;
		fd->phase = d->phase;
		fd->phase_since = analysis_reached(l, i)[d->phase];
		fd->opened = d->opened;
		fd->value = NAN;
		e = all_est != NULL ? all_est[nopen - 1] : est[nest++];
		fd->history = e.n;
		fd->history_won = e.won;
		fd->p_won = e.p;
		fd->expected_close = isnan(e.won_days) ? 0 :
		    t + (time_t)llround(e.won_days * DAY);
		fd->in_horizon = fd->expected_close != 0 &&
		    fd->expected_close < end;
		fd->actual = OUTCOME_OPEN;
		/*
		 * A stored deal is itself; one projected again from signals
		 * is looked up, and what became of it is that deal's.
		 */
		fd->deal = sums ? 0 : d->id;
		tr = d->id == 0 || backtest ?
		    analysis_truth_find(truth, d->account, t) : NULL;
		if (tr != NULL && d->id != 0 && tr->id != d->id)
			tr = NULL;
		if (tr != NULL) {
			if (d->id == 0)
				fd->deal = tr->id;
			if (backtest && tr->closed != 0 && tr->closed < end) {
				fd->actual = tr->outcome;
				fd->actual_closed = tr->closed;
			}
		}
		items[nitems].p = e.p;
		items[nitems].se = e.se;
		items[nitems].group = d->kind == DEAL_GROWTH;
		items[nitems].phase = d->phase;
		nitems++;
		s = d->kind == DEAL_GROWTH ? &fc->growth : &fc->new_deals;
		s->deals++;
		s->expected += e.p;
		if (fd->actual == OUTCOME_WON)
			s->actual_won++;
	}
	for (i = 0; backtest && i < truth->n; i++) {
		const struct analysis_truth *tr = &truth->v[i];

		if (tr->outcome != OUTCOME_WON || tr->closed < t ||
		    tr->closed >= end || !analysis_admits(f, tr->salesperson))
			continue;
		(tr->kind == DEAL_GROWTH ? &fc->growth :
		    &fc->new_deals)->actual_all++;
	}
	analysis_unopened(f, l, t, horizon_days, DEAL_NEW, &rate[0]);
	analysis_unopened(f, l, t, horizon_days, DEAL_GROWTH, &rate[1]);
	fc->new_deals.unopened = rate[0].mean;
	fc->new_deals.expected += rate[0].mean;
	fc->growth.unopened = rate[1].mean;
	fc->growth.expected += rate[1].mean;
	fc->total.deals = fc->new_deals.deals + fc->growth.deals;
	fc->total.expected = fc->new_deals.expected + fc->growth.expected;
	fc->total.unopened = rate[0].mean + rate[1].mean;
	fc->total.actual_won = fc->new_deals.actual_won + fc->growth.actual_won;
	fc->total.actual_all = fc->new_deals.actual_all + fc->growth.actual_all;
	forecast_mixture(items, nitems, analysis_shared_se(fc),
	    ANALYSIS_SHARED_DEALS / (ANALYSIS_SHARED_DEALS + (double)fc->closed),
	    rate, dist);
	analysis_sum_dist(&fc->new_deals, &dist[0], horizon_days);
	analysis_sum_dist(&fc->growth, &dist[1], horizon_days);
	analysis_sum_dist(&fc->total, &dist[2], horizon_days);
	for (i = 0; i < 3; i++)
		forecast_dist_free(&dist[i]);
	for (p = 0; members && p < (int)fc->nphases; p++)
		analysis_members_free(&pm[p]);
	free(est);
	free(items);
	free(obs);
}

/* Keeps a deal's facts from one signal (in time order: the newest wins). */
static int
analysis_fact(const struct store_signal *g, void *arg)
{
	struct deal_facts *df = arg;
	char **slot = NULL;
	double v;

	if (g->kind == NULL)
		return 0;
	if (money_signal_value(g->kind, g->subject, g->value, &v)) {
		df->value = v;
		df->value_from = strcmp(g->kind, "offer_sent") == 0 ?
		    "the newest offer" : g->source != NULL &&
		    strcmp(g->source, "manual") == 0 ?
		    "set by hand" : "by hashtag";
	}
	else if (strcmp(g->kind, "decision") == 0)
		slot = &df->decision;
	else if (strcmp(g->kind, "competitor") == 0)
		slot = &df->competitor;
	else if (strcmp(g->kind, "need") == 0)
		slot = &df->need;
	else if (strcmp(g->kind, "problem") == 0)
		slot = &df->problem;
	if (slot != NULL && g->value != NULL) {
		free(*slot);
		*slot = xstrdup(g->value);
	}
	return 0;
}

void
deal_facts_free(struct deal_facts *df)
{
	free(df->decision);
	free(df->competitor);
	free(df->need);
	free(df->problem);
	memset(df, 0, sizeof *df);
}

/*
 * The facts of the account's signals from since up to now into df: with
 * its amount (every signal read) when amounts, else the qualification's
 * alone (value NAN), read from the index for many deals.
 */
static int
analysis_facts_read(struct store *st, const char *account, time_t since,
    time_t now, bool amounts, struct deal_facts *df, struct err *err)
{
	struct store_filter sf = { NULL, account, since, now + 1 };
	int rc;

	memset(df, 0, sizeof *df);
	df->value = NAN;
	rc = amounts ? store_signals(st, &sf, analysis_fact, df, err) :
	    store_fact_signals(st, &sf, analysis_fact, df, err);
	if (rc != 0) {
		deal_facts_free(df);
		return -1;
	}
	return 0;
}

/* An open deal to qualify, kept until the walk of the deals ends. */
struct analysis_qual_deal {
	int64_t		 id;
	char		*account;	/* owned */
	int		 person;	/* index in the config's salespeople */
	int		 phase;		/* at as_of */
	time_t		 opened;
};

struct analysis_qual_walk {
	struct store	*st;
	const struct config *cfg;
	const struct analysis_filter *f;	/* whose deals */
	time_t		 as_of;
	struct analysis_qual_deal *v;	/* owned */
	size_t		 n, cap;
	struct err	*err;
};

/* Index of a salesperson key in the configuration; -1 if none. */
static int
analysis_person_index(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < cfg->npeople; i++)
		if (strcmp(cfg->people[i].key, key) == 0)
			return (int)i;
	return -1;
}

/*
 * The index of the salesperson of a deal that was open at as_of, whom
 * the walk's filter admits; -1 when the deal is not counted.
 */
static int
analysis_qual_admit(const struct analysis_qual_walk *w,
    const char *salesperson, time_t opened, time_t closed)
{
	int who;

	if (opened > w->as_of || (closed != 0 && closed <= w->as_of))
		return -1;
	who = analysis_person_index(w->cfg, salesperson);
	if (who < 0 || !analysis_admits(w->f, salesperson))
		return -1;
	return who;
}

/* Keeps a deal in phase p at as_of, from the suspect phase on then. */
static void
analysis_qual_keep(struct analysis_qual_walk *w, int64_t id,
    const char *account, int who, int p, time_t opened)
{
	if (p == PHASE_NONE || p < ANALYSIS_QUAL_FIRST_PHASE)
		return;
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 64 : w->cap * 2;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
	}
	w->v[w->n].id = id;
	w->v[w->n].account = account != NULL ? xstrdup(account) : NULL;
	w->v[w->n].person = who;
	w->v[w->n].phase = p;
	w->v[w->n].opened = opened;
	w->n++;
}

/* A deal of a team, its phase at as_of from its own entries. */
static int
analysis_qual_deal(const struct store_deal *d, void *arg)
{
	struct analysis_qual_walk *w = arg;
	struct analysis_phase_at pa = { w->as_of, "", 0 };
	int who;

	who = analysis_qual_admit(w, d->salesperson, d->opened, d->closed);
	if (who < 0)
		return 0;
	if (store_deal_entries(w->st, d->id, analysis_phase_entry, &pa,
	    w->err) != 0)
		return -1;
	analysis_qual_keep(w, d->id, d->account, who,
	    config_phase_index(w->cfg, pa.phase), d->opened);
	return 0;
}

/* Counts deal i of the walk in cnt with its facts df, and empties df. */
static void
analysis_qual_count(const struct analysis_qual_walk *w, size_t i,
    struct deal_facts *df, struct qualification_count *cnt)
{
	struct qualification_count *c = &cnt[(size_t)w->v[i].person *
	    w->cfg->phases.n + (size_t)w->v[i].phase];
	const char *facts[4];
	size_t k;

	facts[0] = df->decision;
	facts[1] = df->competitor;
	facts[2] = df->need;
	facts[3] = df->problem;
	c->open++;
	for (k = 0; k < 4; k++)
		if (facts[k] != NULL)
			c->known[k]++;
	if (facts[0] && facts[1] && facts[2] && facts[3])
		c->qualified++;
	deal_facts_free(df);
	df->value = NAN;
}

/*
 * The deals open at as_of and their phases then, from their entries in
 * one pass (store_entries_at), by deal.
 */
struct analysis_qual_phases {
	struct analysis_qual_walk *w;
	int64_t		 deal;		/* whose entries pa holds; 0: none */
	int		 who;		/* its salesperson's index; -1: not counted */
	time_t		 opened;
	struct analysis_phase_at pa;
};

/* Keeps the deal whose entries were read last. */
static void
analysis_qual_phase_end(struct analysis_qual_phases *q)
{
	if (q->deal != 0 && q->who >= 0)
		analysis_qual_keep(q->w, q->deal, NULL, q->who,
		    config_phase_index(q->w->cfg, q->pa.phase), q->opened);
	q->deal = 0;
	q->pa.phase[0] = '\0';
}

static int
analysis_qual_entry(const struct store_entry *e, void *arg)
{
	struct analysis_qual_phases *q = arg;

	if (e->deal != q->deal) {
		analysis_qual_phase_end(q);
		q->deal = e->deal;
		q->opened = e->opened;
		q->who = analysis_qual_admit(q->w, e->salesperson, e->opened,
		    e->closed);
	}
	return analysis_phase_entry(e, &q->pa);
}

static int
analysis_qual_phases(struct analysis_qual_walk *w, const char *salesperson)
{
	struct analysis_qual_phases q = { w, 0, -1, 0, { w->as_of, "", 0 } };
	int rc;

	rc = store_entries_at(w->st, salesperson, w->as_of,
	    analysis_qual_entry, &q, w->err);
	analysis_qual_phase_end(&q);
	return rc;
}

/* The facts of every deal of a walk in one pass (store_facts_at), by deal. */
struct analysis_qual_pass {
	const struct analysis_qual_walk *w;
	struct qualification_count *cnt;
	size_t		 i;		/* the deal of w the rows have reached */
	struct deal_facts df;		/* of deal i */
};

static int
analysis_qual_fact(int64_t deal, const struct store_signal *g, void *arg)
{
	struct analysis_qual_pass *q = arg;

	while (q->i < q->w->n && q->w->v[q->i].id < deal)
		analysis_qual_count(q->w, q->i++, &q->df, q->cnt);
	if (q->i < q->w->n && q->w->v[q->i].id == deal)
		return analysis_fact(g, &q->df);
	return 0;
}

/*
 * The deals of a team open at the walk's as_of (open_then), each
 * salesperson's from their own deals, not from every open deal.
 */
static int
analysis_qual_team(struct store *st, const struct analysis_filter *f,
    const struct store_filter *open_then, struct analysis_qual_walk *w,
    struct err *err)
{
	const struct strlist *sp = f->salespeople;
	struct store_filter one = *open_then;
	size_t i;
	int rc = 0;

	for (i = 0; i < sp->n && rc == 0; i++) {
		/* Named twice, read once. */
		if (strlist_repeats(sp, i) || (open_then->salesperson != NULL &&
		    strcmp(open_then->salesperson, sp->v[i]) != 0))
			continue;
		one.salesperson = sp->v[i];
		rc = store_deals(st, &one, analysis_qual_deal, w, err);
	}
	return rc;
}

/*
 * analysis_qualification for the deals of salesperson (NULL: all) that f
 * admits: the entries and signals of no other deal are read.  A team's
 * deals (f admits some salespeople: a manager's digest) read their facts
 * one deal at a time; everyone's or one salesperson's in one pass
 * (store_facts_at), which at 10M signals is a probe per deal instead of
 * a statement (427k of them).
 */
static int
analysis_qualify(struct store *st, const struct analysis_filter *f,
    const char *salesperson, time_t as_of, struct qualification_count *cnt,
    struct err *err)
{
	const struct config *cfg = f->cfg;
	struct store_filter open_then = { salesperson, NULL, as_of, as_of + 1 };
	bool one_pass = f->salespeople == NULL || f->salespeople->n == 0;
	struct analysis_qual_walk w = { st, cfg, f, as_of, NULL, 0, 0, err };
	struct analysis_qual_pass q = { &w, cnt, 0, { 0 } };
	size_t i;
	int rc;

	/* The deals and their phases first, their facts after. */
	rc = one_pass ? analysis_qual_phases(&w, salesperson) :
	    analysis_qual_team(st, f, &open_then, &w, err);
	q.df.value = NAN;
	if (rc == 0 && one_pass) {
		rc = store_facts_at(st, salesperson, as_of, analysis_qual_fact,
		    &q, err);
		while (rc == 0 && q.i < w.n)
			analysis_qual_count(&w, q.i++, &q.df, cnt);
	}
	for (i = 0; rc == 0 && !one_pass && i < w.n; i++) {
		if (analysis_facts_read(st, w.v[i].account, w.v[i].opened,
		    as_of, false, &q.df, err) != 0)
			rc = -1;
		else
			analysis_qual_count(&w, i, &q.df, cnt);
	}
	deal_facts_free(&q.df);
	for (i = 0; i < w.n; i++)
		free(w.v[i].account);
	free(w.v);
	return rc;
}

int
analysis_qualification(struct store *st, const struct config *cfg,
    const char *salesperson, time_t as_of, struct qualification_count *cnt,
    struct err *err)
{
	struct analysis_filter all = { cfg, 0, 0, as_of, NULL, false, NULL };

	return analysis_qualify(st, &all, salesperson, as_of, cnt, err);
}

int
analysis_qualification_of(struct store *st, const struct analysis_filter *f,
    struct qualification_count *cnt, struct err *err)
{
	return analysis_qualify(st, f, NULL, f->as_of, cnt, err);
}

int
analysis_deal_facts(struct store *st, const char *account, time_t since,
    time_t now, struct deal_facts *df, struct err *err)
{
	if (analysis_facts_read(st, account, since, now, true, df, err) != 0)
		return -1;
	if (store_next_meeting(st, account, now, &df->next_meeting, err) != 0) {
		deal_facts_free(df);
		return -1;
	}
	return 0;
}

/* Keeps an amount (signals come in time order: the newest wins). */
static int
analysis_offer_value(const struct store_signal *g, void *arg)
{
	double *value = arg, v;

	if (money_signal_value(g->kind, g->subject, g->value, &v))
		*value = v;
	return 0;
}

/* An open deal by its account, for the offers read in one pass. */
struct analysis_by_account {
	const char	*account;	/* borrowed from the deal */
	size_t		 i;		/* in fc->deals */
};

struct analysis_values {
	struct forecast	*fc;
	struct analysis_by_account *by;	/* owned: fc->deals by account */
	time_t		*at;		/* owned: each deal's amount's time */
	int64_t		*id;		/* owned: and signal, the newest wins */
};

static int
analysis_cmp_account(const void *a, const void *b)
{
	return strcmp(((const struct analysis_by_account *)a)->account,
	    ((const struct analysis_by_account *)b)->account);
}

/* Keeps an amount for the open deals of its account, if newer. */
static int
analysis_account_offer(const struct store_offer *o, void *arg)
{
	struct analysis_values *w = arg;
	size_t lo = 0, hi = w->fc->ndeals, mid, i;
	double v;

	if (o->account == NULL || !money_signal_value(o->kind, o->subject,
	    o->value, &v))
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(w->by[mid].account, o->account) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < w->fc->ndeals && strcmp(w->by[lo].account, o->account) == 0;
	    lo++) {
		i = w->by[lo].i;
		/* What store_signals gives from the deal's opening, in time order. */
		if (o->at < w->fc->deals[i].opened ||
		    (!isnan(w->fc->deals[i].value) && (o->at < w->at[i] ||
		    (o->at == w->at[i] && o->signal < w->id[i]))))
			continue;
		w->fc->deals[i].value = v;
		w->at[i] = o->at;
		w->id[i] = o->signal;
	}
	return 0;
}

/*
 * The newest amount of each open deal's account from its opening, every
 * account's offers read in one pass (the whole company's open deals are
 * most accounts with an offer), rather than a statement per deal.
 */
static int
analysis_values_pass(struct store *st, struct forecast *fc, struct err *err)
{
	struct analysis_values w;
	size_t i;
	int rc;

	w.fc = fc;
	w.by = xcalloc(fc->ndeals + 1, sizeof *w.by);
	w.at = xcalloc(fc->ndeals + 1, sizeof *w.at);
	w.id = xcalloc(fc->ndeals + 1, sizeof *w.id);
	for (i = 0; i < fc->ndeals; i++) {
		w.by[i].account = fc->deals[i].account;
		w.by[i].i = i;
	}
	qsort(w.by, fc->ndeals, sizeof *w.by, analysis_cmp_account);
	rc = store_account_offers(st, fc->as_of, analysis_account_offer, &w,
	    err);
	free(w.id);
	free(w.at);
	free(w.by);
	return rc;
}

/*
 * Each open deal's value (its newest offer's amount) and the sums of
 * value x P(won) per kind: for the whole company in one pass over every
 * account's offers, for some salespeople per account through its index.
 */
static int
analysis_forecast_values(struct store *st, const struct analysis_filter *f,
    struct forecast *fc, struct err *err)
{
	size_t i;

	if ((f->salespeople == NULL || f->salespeople->n == 0) &&
	    !analysis_values_per_deal) {
		if (analysis_values_pass(st, fc, err) != 0)
			return -1;
	}
	else
		for (i = 0; i < fc->ndeals; i++) {
			struct forecast_deal *d = &fc->deals[i];
			struct store_filter sf = { NULL, d->account,
			    d->opened, fc->as_of };

			if (store_signals(st, &sf, analysis_offer_value,
			    &d->value, err) != 0)
				return -1;
		}
	for (i = 0; i < fc->ndeals; i++) {
		struct forecast_deal *d = &fc->deals[i];
		struct forecast_sum *s = d->kind == DEAL_GROWTH ? &fc->growth :
		    &fc->new_deals;

		if (isnan(d->value))
			continue;
		s->weighted_value += d->value * d->p_won;
		s->valued++;
		fc->total.weighted_value += d->value * d->p_won;
		fc->total.valued++;
	}
	return 0;
}

/* The deals as they stood at f->as_of, for the forecast. */
static int
analysis_forecast_deals(struct store *st, const struct analysis_filter *f,
    struct analysis_deals *l, struct err *err)
{
	int rc;

	rc = f->current && !analysis_reproject ?
	    analysis_project_current(st, f->cfg, f->as_of, l, err) : 1;
	if (rc == 1)
		rc = analysis_project_stream(st, f->cfg, f->as_of, l, err);
	if (rc != 0)
		return -1;
	analysis_presume_lost(l, f->as_of);
	return 0;
}

/* True when the filter admitting people admits none but cover's. */
static bool
analysis_covered(const struct strlist *cover, const struct strlist *people)
{
	struct analysis_filter told = { .salespeople = cover };
	size_t i;

	if (people == NULL || people->n == 0)
		return false;
	for (i = 0; i < people->n; i++)
		if (!analysis_admits(&told, people->v[i]))
			return false;
	return true;
}

/*
 * The estimates of the open deals f admits (in the deals' order, as
 * analysis_phases gives them) in the places of every open deal of l,
 * those f does not admit zero: est is freed.
 */
static struct forecast_est *
analysis_est_spread(const struct analysis_filter *f,
    const struct analysis_deals *l, struct forecast_est *est)
{
	struct forecast_est *all;
	size_t i, k = 0, nopen = 0;

	for (i = 0; i < l->n; i++)
		nopen += l->v[i].closed == 0;
	all = xcalloc(nopen > 0 ? nopen : 1, sizeof *all);
	for (i = 0, nopen = 0; i < l->n; i++) {
		if (l->v[i].closed != 0)
			continue;
		if (analysis_admits(f, l->v[i].salesperson))
			all[nopen] = est[k++];
		nopen++;
	}
	free(est);
	return all;
}

/*
 * Fills f's shared deals and the estimates of the open deals its
 * salespeople told have at f->as_of (every open deal's when f admits
 * another, analysis_shared_cover), unless it holds them already: an
 * estimate does not depend on which other deals are asked for (each
 * reads its phase's members at its age).
 */
static int
analysis_shared_forecast(struct store *st, const struct analysis_filter *f,
    int horizon_days, struct err *err)
{
	struct analysis_shared *sh = f->shared;
	struct analysis_phase_members pm[MAX_PHASES];
	struct analysis_filter cover = *f;
	size_t n;
	int p;
	bool all, same;

	all = analysis_shared_all(sh) ||
	    !analysis_covered(&sh->cover, f->salespeople);
	same = sh->has_forecast && sh->forecast_at == f->as_of &&
	    sh->horizon == horizon_days && sh->current == f->current;
	if (same && sh->est != NULL && (sh->est_all || !all))
		return 0;
	if (same) {
		/* Another's deals: every estimate, of the deals read. */
		free(sh->est);
		sh->est = NULL;
	} else {
		analysis_shared_forget_forecast(sh);
		if (analysis_forecast_deals(st, f, &sh->deals, err) != 0)
			return -1;
	}
	cover.salespeople = all ? NULL : &sh->cover;
	sh->est = analysis_phases(&cover, f->cfg, &sh->deals, f->as_of,
	    horizon_days, pm, &n);
	if (!all)
		sh->est = analysis_est_spread(&cover, &sh->deals, sh->est);
	for (p = 0; p < (int)f->cfg->phases.n; p++)
		analysis_members_free(&pm[p]);
	sh->est_all = all;
	sh->has_forecast = true;
	sh->forecast_at = f->as_of;
	sh->horizon = horizon_days;
	sh->current = f->current;
	return 0;
}

/*
 * The forecast (analysis_forecast); with sums, only what the sums need:
 * the stored deals (ids, outcomes) are not read, the phases' summary and
 * the deals' values not made.  Without a backtest they are read only when
 * an open deal is not one of them (analysis_deals_unstored): the stored
 * deals as of now are their own ids.  With a shared, the deals and
 * estimates come from it.
 */
static int
analysis_forecast_of(struct store *st, const struct analysis_filter *f,
    int horizon_days, bool backtest, bool sums, struct forecast *fc,
    struct err *err)
{
	struct analysis_truths truth;
	struct analysis_deals own;
	const struct analysis_deals *l = &own;
	const struct forecast_est *all_est = NULL;

	memset(fc, 0, sizeof *fc);
	memset(&truth, 0, sizeof truth);
	memset(&own, 0, sizeof own);
	if (f->shared != NULL) {
		if (analysis_shared_forecast(st, f, horizon_days, err) != 0)
			return -1;
		l = &f->shared->deals;
		all_est = f->shared->est;
	} else if (analysis_forecast_deals(st, f, &own, err) != 0)
		return -1;
	if (!sums && (backtest || analysis_deals_unstored(l)) &&
	    analysis_truths_load(st, &truth, err) != 0) {
		analysis_deals_free(&own);
		return -1;
	}
	analysis_forecast_at(f, l, &truth, f->as_of, horizon_days, backtest,
	    sums, all_est, fc, NULL);
	analysis_deals_free(&own);
	analysis_truths_free(&truth);
	if (!sums && analysis_forecast_values(st, f, fc, err) != 0) {
		forecast_free(fc);
		return -1;
	}
	return 0;
}

int
analysis_forecast(struct store *st, const struct analysis_filter *f,
    int horizon_days, bool backtest, struct forecast *fc, struct err *err)
{
	return analysis_forecast_of(st, f, horizon_days, backtest, false, fc,
	    err);
}

int
analysis_forecast_sums(struct store *st, const struct analysis_filter *f,
    int horizon_days, struct forecast *fc, struct err *err)
{
	return analysis_forecast_of(st, f, horizon_days, false, true, fc, err);
}

void
forecast_free(struct forecast *fc)
{
	size_t i;

	for (i = 0; i < fc->ndeals; i++) {
		free(fc->deals[i].account);
		free(fc->deals[i].salesperson);
	}
	free(fc->deals);
	memset(fc, 0, sizeof *fc);
}

void
backtest_free(struct backtest *bt)
{
	free(bt->v);
	memset(bt, 0, sizeof *bt);
}

/* The first signal of the history, whenever it was seen; 0 if none. */
static time_t
analysis_history_first(const struct analysis_history *h)
{
	time_t first = 0;
	size_t i, j;

	for (i = 0; i < h->n; i++)
		for (j = 0; j < h->v[i].n; j++)
			if (first == 0 || h->v[i].v[j].at < first)
				first = h->v[i].v[j].at;
	return first;
}

int
analysis_backtest(struct store *st, const struct analysis_filter *f,
    time_t from, time_t to, int step_days, int horizon_days,
    struct backtest *bt, struct err *err)
{
	time_t h = (time_t)horizon_days * DAY, step = (time_t)step_days * DAY, t;
	struct analysis_history hist;
	struct analysis_truths truth;
	struct analysis_deals l;
	struct forecast fc;
	size_t n, i;

	memset(bt, 0, sizeof *bt);
	bt->horizon_days = horizon_days;
	bt->step_days = step_days;
	if (analysis_history_load(st, &hist, err) != 0)
		return -1;
	if (from == 0) {
		from = analysis_history_first(&hist);
		/* A horizon of history first, from the next midnight (UTC). */
		from = from == 0 ? 0 : (from + h) / DAY * DAY + DAY;
	}
	if (to == 0)
		to = f->as_of - h;
	if (from == 0 || step <= 0 || to < from) {
		analysis_history_free(&hist);
		err_set(err, ERR_FINAL, "no backtest date: the history needs "
		    "a horizon before the first date and one after the last");
		return -1;
	}
	n = (size_t)((to - from) / step) + 1;
	if (n > ANALYSIS_BACKTEST_MAX) {
		analysis_history_free(&hist);
		err_set(err, ERR_FINAL, "%zu backtest dates, at most %d: take "
		    "a longer step or a shorter range", n, ANALYSIS_BACKTEST_MAX);
		return -1;
	}
	if (analysis_truths_load(st, &truth, err) != 0) {
		analysis_history_free(&hist);
		return -1;
	}
	bt->v = xcalloc(n, sizeof *bt->v);
	for (i = 0, t = from; i < n; i++, t += step) {
		struct backtest_date *bd = &bt->v[bt->n++];

		analysis_project_at(f->cfg, &hist, t, &l);
		analysis_presume_lost(&l, t);
		analysis_forecast_at(f, &l, &truth, t, horizon_days, true, false,
		    NULL, &fc, bd);
		bd->as_of = t;
		bd->expected = fc.total.expected;
		bd->low80 = fc.total.low80;
		bd->high80 = fc.total.high80;
		bd->low = fc.total.low;
		bd->high = fc.total.high;
		bd->actual = fc.total.actual_all;
		forecast_free(&fc);
		analysis_deals_free(&l);
		if (bd->low80 <= (double)bd->actual && (double)bd->actual <= bd->high80)
			bt->within80++;
		if (bd->low <= (double)bd->actual && (double)bd->actual <= bd->high)
			bt->within95++;
		bt->mae += fabs(bd->expected - (double)bd->actual);
		bt->mae_run_rate += fabs(bd->run_rate - (double)bd->actual);
		bt->mae_pipeline += fabs(bd->pipeline - (double)bd->actual);
	}
	bt->within80 /= (double)bt->n;
	bt->within95 /= (double)bt->n;
	bt->mae /= (double)bt->n;
	bt->mae_run_rate /= (double)bt->n;
	bt->mae_pipeline /= (double)bt->n;
	analysis_truths_free(&truth);
	analysis_history_free(&hist);
	return 0;
}
