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
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "analysis"
#include "analysis.h"
#include "log.h"
#include "store-query.h"
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

double
analysis_blend(long won, long n, double prior)
{
	return ((double)won + ANALYSIS_PRIOR_WEIGHT * prior) /
	    ((double)n + ANALYSIS_PRIOR_WEIGHT);
}

void
analysis_sum_interval(struct forecast_sum *s, int horizon_days)
{
	double sd = sqrt(s->variance);

	s->low = s->expected - ANALYSIS_Z95 * sd;
	s->high = s->expected + ANALYSIS_Z95 * sd;
	if (s->low < 0)
		s->low = 0;
	if (s->high > (double)s->deals)
		s->high = (double)s->deals;
	s->per_month = horizon_days > 0 ?
	    s->expected * 30.0 / (double)horizon_days : 0.0;
}

/* A growable array of day counts per phase. */
struct analysis_days {
	double	*v[MAX_PHASES];	/* owned */
	size_t	 n[MAX_PHASES];
};

static void
analysis_days_add(struct analysis_days *d, int p, double days)
{
	d->v[p] = xreallocarray(d->v[p], d->n[p] + 1, sizeof *d->v[p]);
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
	struct conversion *c;		/* NULL: days only */
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
 * transition from it, or for the last phase its win) up to as_of, its
 * outcome and close.  Fills the counts of c (when not NULL) and the days
 * of the advanced.
 */
static int
analysis_entries(struct store *st, const struct analysis_filter *f,
    time_t since, time_t until, bool all_people, struct conversion *c,
    struct analysis_days *days, struct err *err)
{
	struct analysis_entries_walk w = { f, c, days };

	if (f->as_of != 0 && (until == 0 || f->as_of < until))
		until = f->as_of;
	return store_entries(st, all_people ? NULL : f->salespeople, since,
	    until, NULL, analysis_entry, &w, err);
}

/* One period's conversion into c. */
static int
analysis_period(struct store *st, const struct analysis_filter *f,
    time_t since, time_t until, struct conversion *c, struct err *err)
{
	const struct config *cfg = f->cfg;
	struct analysis_days days = { 0 };
	size_t i;
	int rc;

	memset(c, 0, sizeof *c);
	c->since = since;
	c->until = until;
	c->nphases = cfg->phases.n;
	rc = analysis_entries(st, f, since, until, false, c, &days, err);
	for (i = 0; i < c->nphases; i++) {
		struct conversion_phase *cp = &c->phases[i];

		cp->phase = cfg->phases.name[i];
		cp->rate_next = cp->entered > 0 ?
		    (double)cp->advanced / (double)cp->entered : NAN;
		cp->rate_won = cp->entered > 0 ?
		    (double)cp->won / (double)cp->entered : NAN;
		cp->median_days = analysis_percentile(days.v[i], days.n[i], 0.5);
		cp->p75_days = analysis_percentile(days.v[i], days.n[i], 0.75);
		cp->target = cfg->targets.conversion[i] > 0 ?
		    cfg->targets.conversion[i] : NAN;
	}
	analysis_days_free(&days);
	return rc;
}

int
analysis_conversion(struct store *st, const struct analysis_filter *f,
    struct conversion *cur, struct conversion *prev, struct err *err)
{
	if (analysis_period(st, f, f->since, f->until, cur, err) != 0)
		return -1;
	if (prev == NULL)
		return 0;
	if (f->since == 0 || f->until == 0) {
		memset(prev, 0, sizeof *prev);
		return 0;
	}
	return analysis_period(st, f, f->since - (f->until - f->since), f->since,
	    prev, err);
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
	memset(l, 0, sizeof *l);
}

/* What analysis_offer_time looks for in a deal's entries. */
struct analysis_offer {
	const struct config *cfg;
	int		 offer;		/* the phase an offer enters */
	time_t		 at;		/* found: when the deal reached it */
};

/* Stops a deal's walk at its first entry into the offer phase or a later one. */
static int
analysis_offer_entry(const struct store_entry *e, void *arg)
{
	struct analysis_offer *o = arg;
	int p = config_phase_index(o->cfg, e->phase);

	if (p == PHASE_NONE || p < o->offer)
		return 0;
	o->at = e->at;
	return 1;
}

/* When the deal first reached the phase an offer enters (or a later one); 0 if never. */
static int
analysis_offer_time(struct store *st, const struct config *cfg, int64_t deal,
    time_t *out, struct err *err)
{
	struct analysis_offer o = { cfg, cfg->phases.enters[SIG_OFFER_SENT], 0 };

	*out = 0;
	if (o.offer == PHASE_NONE)
		return 0;
	if (store_deal_entries(st, deal, analysis_offer_entry, &o, err) < 0)
		return -1;
	*out = o.at;
	return 0;
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

static int
analysis_cmp_stalled(const void *a, const void *b)
{
	const struct stalled *x = a, *y = b;

	if (x->days_stalled != y->days_stalled)
		return x->days_stalled > y->days_stalled ? -1 : 1;
	return (x->deal > y->deal) - (x->deal < y->deal);
}

/* What analysis_stalled needs while walking the open deals. */
struct analysis_stalled_walk {
	struct store	*st;
	const struct analysis_filter *f;
	const double	*p75;		/* per phase */
	struct stalled_list *out;
	size_t		 cap;
	struct err	*err;
};

/* Keeps an open deal that is slow in its phase or silent since its offer. */
static int
analysis_stalled_deal(const struct store_open_deal *od, void *arg)
{
	const struct store_deal *d = &od->deal;
	struct analysis_stalled_walk *w = arg;
	const struct analysis_filter *f = w->f;
	const struct config *cfg = f->cfg;
	double silence = (double)cfg->silence_days;
	double over_phase = 0, over_silence = 0;
	struct stalled s = { 0 };
	struct stalled_list *out = w->out;
	time_t offer, quiet_since;
	int p;

	if (!analysis_admits(f, d->salesperson))
		return 0;
	p = config_phase_index(cfg, d->phase);
	if (p == PHASE_NONE) {
		log_warn("deal %lld: unknown phase '%s', skipped",
		    (long long)d->id, d->phase);
		return 0;
	}
	s.deal = d->id;
	s.phase = cfg->phases.name[p];
	s.days_in_phase = (double)(f->as_of - od->phase_since) / DAY;
	s.p75_days = w->p75[p];
	s.days_silent = NAN;
	if (!isnan(s.p75_days) && s.days_in_phase > s.p75_days) {
		s.slow = true;
		over_phase = s.days_in_phase - s.p75_days;
	}
	if (analysis_offer_time(w->st, cfg, s.deal, &offer, w->err) != 0)
		return -1;
	if (offer != 0) {
		quiet_since = od->last_inbound > offer ? od->last_inbound :
		    offer;
		s.days_silent = (double)(f->as_of - quiet_since) / DAY;
		if (s.days_silent > silence) {
			s.silent = true;
			over_silence = s.days_silent - silence;
		}
	}
	if (!s.slow && !s.silent)
		return 0;
	s.days_stalled = over_phase > over_silence ? over_phase : over_silence;
	s.account = xstrdup(d->account);
	s.salesperson = xstrdup(d->salesperson);
	if (out->n == w->cap) {
		w->cap = w->cap == 0 ? 8 : w->cap * 2;
		out->v = xreallocarray(out->v, w->cap, sizeof *out->v);
	}
	out->v[out->n++] = s;
	if (store_latest_signal(w->st, od->account_id, d->opened, f->as_of,
	    analysis_evidence_signal, &out->v[out->n - 1], w->err) != 0)
		return -1;
	return 0;
}

int
analysis_stalled(struct store *st, const struct analysis_filter *f,
    struct stalled_list *out, struct err *err)
{
	struct analysis_filter all = *f;
	struct analysis_days days = { 0 };
	struct analysis_stalled_walk w = { st, f, NULL, out, 0, err };
	double p75[MAX_PHASES];
	size_t i;

	memset(out, 0, sizeof *out);
	/* The thresholds come from every salesperson's history. */
	all.salespeople = NULL;
	if (analysis_entries(st, &all, 0, 0, true, NULL, &days, err) != 0)
		goto fail;
	for (i = 0; i < MAX_PHASES; i++)
		p75[i] = analysis_percentile(days.v[i], days.n[i], 0.75);
	analysis_days_free(&days);
	w.p75 = p75;
	if (store_open_deals(st, analysis_stalled_deal, &w, err) != 0)
		goto fail;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, analysis_cmp_stalled);
	return 0;
fail:
	analysis_days_free(&days);
	stalled_list_free(out);
	return -1;
}

/* A deal as the forecast reconstructs it at as_of. */
struct analysis_deal {
	int64_t		 id;
	char		*account;	/* owned */
	char		*salesperson;	/* owned */
	enum deal_kind	 kind;
	enum outcome	 outcome;	/* final, as stored */
	time_t		 opened, closed;
	int		 phase;		/* at as_of; PHASE_NONE before its first transition */
	int		 reached;	/* highest phase reached before as_of */
	time_t		 reached_at[MAX_PHASES];	/* first reached p or later */
};

static void
analysis_deals_free(struct analysis_deal *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].account);
		free(v[i].salesperson);
	}
	free(v);
}

/* The deals analysis_load_deals reads, then merges their entries into. */
struct analysis_deals {
	const struct config *cfg;
	struct analysis_deal *v;	/* owned */
	size_t		 n;
	size_t		 cap;
	size_t		 i;		/* the merge's position */
};

/* Keeps one deal, its phase history still empty. */
static int
analysis_deal_add(const struct store_deal *sd, void *arg)
{
	struct analysis_deals *l = arg;
	struct analysis_deal *d;
	int q;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	d = &l->v[l->n++];
	memset(d, 0, sizeof *d);
	d->id = sd->id;
	d->account = xstrdup(sd->account);
	d->salesperson = xstrdup(sd->salesperson);
	d->kind = strcmp(sd->kind, "growth") == 0 ? DEAL_GROWTH : DEAL_NEW;
	q = outcome_from_name(sd->outcome);
	d->outcome = q < 0 ? OUTCOME_OPEN : (enum outcome)q;
	d->opened = sd->opened;
	d->closed = sd->closed;
	d->phase = d->reached = PHASE_NONE;
	return 0;
}

/* Follows a deal's phase history by one entry. */
static int
analysis_deal_entry(const struct store_entry *e, void *arg)
{
	struct analysis_deals *l = arg;
	struct analysis_deal *d;
	int p, q;

	/* Both lists are in deal id order: merge them. */
	while (l->i < l->n && l->v[l->i].id < e->deal)
		l->i++;
	if (l->i == l->n || l->v[l->i].id != e->deal)
		return 0;
	d = &l->v[l->i];
	p = config_phase_index(l->cfg, e->phase);
	if (p == PHASE_NONE)
		return 0;
	d->phase = p;
	for (q = d->reached + 1; q <= p; q++)
		d->reached_at[q] = e->at;
	if (p > d->reached)
		d->reached = p;
	return 0;
}

/* Loads every deal with its phase history before as_of. */
static int
analysis_load_deals(struct store *st, const struct config *cfg, time_t as_of,
    struct analysis_deal **out, size_t *nout, struct err *err)
{
	struct store_filter all = { NULL, NULL, 0, 0 };
	struct analysis_deals l = { cfg, NULL, 0, 0, 0 };

	if (store_deals(st, &all, analysis_deal_add, &l, err) != 0 ||
	    store_entries_before(st, as_of, analysis_deal_entry, &l, err) != 0) {
		analysis_deals_free(l.v, l.n);
		return -1;
	}
	*out = l.v;
	*nout = l.n;
	return 0;
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
analysis_condition(const struct forecast_spell *v, size_t n, double age,
    double prior, struct forecast_cond *c)
{
	double *rest;
	size_t i;

	memset(c, 0, sizeof *c);
	rest = n > 0 ? xreallocarray(NULL, n, sizeof *rest) : NULL;
	for (i = 0; i < n; i++) {
		if (!(v[i].days > age))
			continue;
		c->n++;
		if (v[i].won)
			rest[c->won++] = v[i].days - age;
	}
	c->p_won = analysis_blend(c->won, c->n, prior);
	c->remaining_days = analysis_percentile(rest, (size_t)c->won, 0.5);
	free(rest);
}

/* The spells of every phase, as the forecast's history. */
struct analysis_spells {
	struct forecast_spell *v[MAX_PHASES];	/* owned */
	size_t		 n[MAX_PHASES];
};

static void
analysis_spells_add(struct analysis_spells *s, int p, time_t from, time_t to,
    bool won)
{
	struct forecast_spell *sp;

	s->v[p] = xreallocarray(s->v[p], s->n[p] + 1, sizeof *s->v[p]);
	sp = &s->v[p][s->n[p]++];
	sp->days = to > from ? (double)(to - from) / DAY : 0.0;
	sp->won = won;
}

static void
analysis_spells_free(struct analysis_spells *s)
{
	size_t i;

	for (i = 0; i < MAX_PHASES; i++)
		free(s->v[i]);
	memset(s, 0, sizeof *s);
}

/* True when the deal was open at as_of: in a phase then and not closed before it. */
static bool
analysis_open_at(const struct analysis_deal *d, time_t as_of)
{
	return d->phase != PHASE_NONE && d->opened < as_of &&
	    (d->closed == 0 || d->closed >= as_of);
}

/*
 * The history of every salesperson as it stood at as_of: per phase a
 * spell for each deal closed before as_of that reached it, and for each
 * deal still open then that has been in it longer than every won deal
 * took from it to its win, a spell as a deal not won (censored).  Only
 * won deals that spent time in the phase (days > 0; an order confirmation
 * enters the last phase and wins at once) show how long winning takes: a
 * phase without them censors nothing and uses the default cycle.  Fills
 * the per-phase summary.
 */
static void
analysis_history(const struct config *cfg, const struct analysis_deal *v,
    size_t n, time_t as_of, struct analysis_spells *sp, struct forecast *fc)
{
	double won_max[MAX_PHASES], *timed;
	const struct forecast_spell *s;
	size_t i, j;
	int p;

	for (i = 0; i < n; i++) {
		const struct analysis_deal *d = &v[i];

		if (d->closed == 0 || d->closed >= as_of || d->reached == PHASE_NONE)
			continue;
		for (p = 0; p <= d->reached; p++)
			analysis_spells_add(sp, p, d->reached_at[p], d->closed,
			    d->outcome == OUTCOME_WON);
	}
	for (i = 0; i < fc->nphases; i++) {
		struct forecast_phase *fp = &fc->phases[i];

		fp->phase = cfg->phases.name[i];
		fp->prior = analysis_prior(cfg, (int)i);
		timed = xreallocarray(NULL, sp->n[i] + 1, sizeof *timed);
		won_max[i] = 0;
		for (j = 0; j < sp->n[i]; j++) {
			s = &sp->v[i][j];
			if (!s->won || !(s->days > 0))
				continue;
			timed[fp->remaining_n++] = s->days;
			if (s->days > won_max[i])
				won_max[i] = s->days;
		}
		fp->remaining_days = fp->remaining_n > 0 ?
		    analysis_percentile(timed, (size_t)fp->remaining_n, 0.5) :
		    ANALYSIS_DEFAULT_PHASE_DAYS * (double)(fc->nphases - i);
		free(timed);
	}
	for (i = 0; i < n; i++) {
		const struct analysis_deal *d = &v[i];

		if (!analysis_open_at(d, as_of))
			continue;
		for (p = 0; p <= d->reached; p++) {
			if (fc->phases[p].remaining_n == 0 ||
			    !((double)(as_of - d->reached_at[p]) / DAY > won_max[p]))
				continue;
			analysis_spells_add(sp, p, d->reached_at[p], as_of, false);
			fc->phases[p].censored++;
		}
	}
	for (i = 0; i < fc->nphases; i++) {
		struct forecast_phase *fp = &fc->phases[i];

		fp->history = (long)sp->n[i];
		for (j = 0; j < sp->n[i]; j++)
			if (sp->v[i][j].won)
				fp->history_won++;
		fp->p_won = analysis_blend(fp->history_won, fp->history, fp->prior);
	}
}

static void
analysis_sum_add(struct forecast_sum *s, const struct forecast_deal *d)
{
	s->deals++;
	s->expected += d->p_won;
	s->variance += d->p_won * (1.0 - d->p_won);
	if (d->actual == OUTCOME_WON)
		s->actual_won++;
}

/*
 * An open deal's chance and expected close: the spells of its phase still
 * open at its age there.  Without won spells in the phase at all, the
 * default cycle stands for them; when no won deal was open this long, the
 * close is unknown (0) and so not in the horizon.
 */
static void
analysis_predict(const struct forecast *fc, const struct analysis_spells *sp,
    const struct analysis_deal *d, time_t end, struct forecast_deal *fd)
{
	const struct forecast_phase *fp = &fc->phases[d->phase];
	struct forecast_cond c;
	double age = (double)(fc->as_of - d->reached_at[d->phase]) / DAY;
	double rest;

	analysis_condition(sp->v[d->phase], sp->n[d->phase], age, fp->prior, &c);
	fd->history = c.n;
	fd->history_won = c.won;
	fd->p_won = c.p_won;
	if (fp->remaining_n == 0)
		rest = fp->remaining_days > age ? fp->remaining_days - age : NAN;
	else
		rest = c.remaining_days;
	fd->expected_close = isnan(rest) ? 0 :
	    fc->as_of + (time_t)llround(rest * DAY);
	fd->in_horizon = fd->expected_close != 0 && fd->expected_close < end;
}

int
analysis_forecast(struct store *st, const struct analysis_filter *f,
    int horizon_days, bool backtest, struct forecast *fc, struct err *err)
{
	const struct config *cfg = f->cfg;
	time_t as_of = f->as_of, end = f->as_of + (time_t)horizon_days * DAY;
	struct analysis_spells spells = { 0 };
	struct analysis_deal *v = NULL;
	size_t n = 0, i, cap = 0;

	memset(fc, 0, sizeof *fc);
	fc->as_of = as_of;
	fc->horizon_days = horizon_days;
	fc->backtest = backtest;
	fc->nphases = cfg->phases.n;
	if (analysis_load_deals(st, cfg, as_of, &v, &n, err) != 0)
		return -1;
	analysis_history(cfg, v, n, as_of, &spells, fc);

	for (i = 0; i < n; i++) {
		const struct analysis_deal *d = &v[i];
		struct forecast_deal *fd;
		bool won_in = d->outcome == OUTCOME_WON && d->closed >= as_of &&
		    d->closed < end;

		if (!analysis_admits(f, d->salesperson))
			continue;
		if (backtest && won_in) {
			if (d->kind == DEAL_GROWTH)
				fc->growth.actual_all++;
			else
				fc->new_deals.actual_all++;
			fc->total.actual_all++;
		}
		if (!analysis_open_at(d, as_of))
			continue;
		if (fc->ndeals == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			fc->deals = xreallocarray(fc->deals, cap, sizeof *fc->deals);
		}
		fd = &fc->deals[fc->ndeals++];
		memset(fd, 0, sizeof *fd);
		fd->deal = d->id;
		fd->account = xstrdup(d->account);
		fd->salesperson = xstrdup(d->salesperson);
		fd->kind = d->kind;
		fd->phase = d->phase;
		fd->phase_since = d->reached_at[d->phase];
		analysis_predict(fc, &spells, d, end, fd);
		fd->actual = OUTCOME_OPEN;
		if (backtest && d->closed != 0 && d->closed < end) {
			fd->actual = d->outcome;
			fd->actual_closed = d->closed;
		}
		if (!fd->in_horizon)
			continue;
		analysis_sum_add(d->kind == DEAL_GROWTH ? &fc->growth :
		    &fc->new_deals, fd);
		analysis_sum_add(&fc->total, fd);
	}
	analysis_sum_interval(&fc->new_deals, horizon_days);
	analysis_sum_interval(&fc->growth, horizon_days);
	analysis_sum_interval(&fc->total, horizon_days);
	analysis_spells_free(&spells);
	analysis_deals_free(v, n);
	return 0;
}
