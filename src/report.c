/* SPDX-License-Identifier: MIT */
/*
 * Reports over the store (report.h): the rows the store's queries walk
 * (store-query.h) made into tables and counts.  No SQL here.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

const struct column report_deal_columns[] = {
	{ "id", NULL, COL_INT, 0 },
	{ "account", NULL, COL_STR, COL_FIT },
	{ "salesperson", NULL, COL_STR, 0 },
	{ "kind", NULL, COL_STR, 0 },
	{ "phase", NULL, COL_STR, 0 },
	{ "outcome", NULL, COL_STR, 0 },
	{ "opened", NULL, COL_TIME, 0 },
	{ "closed", NULL, COL_TIME, 0 },
	{ "last_activity", "last activity", COL_TIME, 0 },
};
const size_t report_deal_ncolumns =
    sizeof report_deal_columns / sizeof report_deal_columns[0];

const struct column report_transition_columns[] = {
	{ "deal", NULL, COL_INT, 0 },
	{ "account", NULL, COL_STR, COL_FIT },
	{ "salesperson", NULL, COL_STR, 0 },
	{ "actor", NULL, COL_STR, 0 },
	{ "from", NULL, COL_STR, 0 },
	{ "to", NULL, COL_STR, 0 },
	{ "at", NULL, COL_TIME, 0 },
	{ "signal", NULL, COL_STR, 0 },
	{ "source", NULL, COL_STR, COL_WIDE },
	{ "ref", NULL, COL_STR, COL_WIDE },
};
const size_t report_transition_ncolumns =
    sizeof report_transition_columns / sizeof report_transition_columns[0];

static const struct column signal_columns[] = {
	{ "at", NULL, COL_TIME, 0 },
	{ "kind", NULL, COL_STR, 0 },
	{ "direction", NULL, COL_STR, 0 },
	{ "salesperson", NULL, COL_STR, 0 },
	{ "rule", NULL, COL_STR, COL_WIDE },
	{ "language", NULL, COL_STR, COL_WIDE },
	{ "subject", NULL, COL_STR, COL_FIT },
	{ "source", NULL, COL_STR, COL_WIDE },
	{ "ref", NULL, COL_STR, COL_WIDE },
	{ "ignored", NULL, COL_STR, COL_WIDE },
};

static const struct column appointment_columns[] = {
	{ "day", NULL, COL_DAY, 0 },
	{ "salesperson", NULL, COL_STR, 0 },
	{ "count", NULL, COL_INT, 0 },
};

/* The store's filter of a report's. */
static struct store_filter
report_store_filter(const struct report_filter *f)
{
	struct store_filter sf = { f->salesperson, f->account, f->since,
	    f->until };

	return sf;
}

/* Adds a deal to the table of report_deals. */
static int
report_deal_row(const struct store_deal *d, void *arg)
{
	struct table *t = arg;

	table_row(t);
	table_int(t, 0, d->id);
	table_str(t, 1, d->account);
	table_str(t, 2, d->salesperson);
	table_str(t, 3, d->kind);
	table_str(t, 4, d->phase);
	table_str(t, 5, d->outcome);
	table_time(t, 6, d->opened);
	table_time(t, 7, d->closed);
	table_time(t, 8, d->last_activity);
	return 0;
}

int
report_deal_rows(struct store *st, const struct report_filter *f,
    struct table *t, struct err *err)
{
	struct store_filter sf = report_store_filter(f);

	return store_deals(st, &sf, report_deal_row, t, err);
}

int
report_deals(struct store *st, const struct report_filter *f, struct table *t,
    struct err *err)
{
	table_init(t, report_deal_columns, report_deal_ncolumns, f->cfg->timezone);
	return report_deal_rows(st, f, t, err);
}

/* "imap:anna" -> "imap": the JSON shows the kind of source only. */
static void
source_type(const char *source, char *out, size_t outlen)
{
	size_t n = strcspn(source, ":");

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, source, n);
	out[n] = '\0';
}

/* Adds a transition to the table of report_transitions. */
static int
report_transition_row(const struct store_transition *tr, void *arg)
{
	struct table *t = arg;
	char src[32];

	table_row(t);
	table_int(t, 0, tr->deal);
	table_str(t, 1, tr->account);
	table_str(t, 2, tr->salesperson);
	table_str(t, 3, tr->actor);
	table_str(t, 4, tr->from);
	table_str(t, 5, tr->to);
	table_time(t, 6, tr->at);
	table_str(t, 7, tr->signal_kind);
	source_type(tr->source, src, sizeof src);
	table_str(t, 8, src);
	table_str(t, 9, tr->ref);
	return 0;
}

int
report_transition_rows(struct store *st, const struct report_filter *f,
    struct table *t, struct err *err)
{
	struct store_filter sf = report_store_filter(f);

	return store_transitions(st, &sf, report_transition_row, t, err);
}

int
report_transitions(struct store *st, const struct report_filter *f,
    struct table *t, struct err *err)
{
	table_init(t, report_transition_columns, report_transition_ncolumns,
	    f->cfg->timezone);
	return report_transition_rows(st, f, t, err);
}

/* The part of a signal ref after "KIND:ACCOUNT:" (Message-ID or UID). */
static const char *
ref_evidence(const char *ref)
{
	const char *p;

	if (ref == NULL || (p = strchr(ref, ':')) == NULL ||
	    (p = strchr(p + 1, ':')) == NULL)
		return ref;
	return p + 1;
}

/* Adds a signal to the table of report_signals. */
static int
report_signal_row(const struct store_signal *g, void *arg)
{
	struct table *t = arg;
	char src[32];

	table_row(t);
	table_time(t, 0, g->at);
	table_str(t, 1, g->kind);
	table_str(t, 2, g->direction);
	table_str(t, 3, g->salesperson);
	table_str(t, 4, g->rule);
	table_str(t, 5, g->language);
	table_str(t, 6, g->subject);
	source_type(g->source, src, sizeof src);
	table_str(t, 7, src);
	table_str(t, 8, ref_evidence(g->ref));
	table_str(t, 9, g->ignored);
	return 0;
}

int
report_signals(struct store *st, const struct report_filter *f, struct table *t,
    struct err *err)
{
	struct store_filter sf = report_store_filter(f);

	table_init(t, signal_columns, sizeof signal_columns / sizeof signal_columns[0],
	    f->cfg->timezone);
	return store_signals(st, &sf, report_signal_row, t, err);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Swaps two values. */
static void
report_swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Puts the k-th smallest of v[0..n) at v[k], the smaller before it and
 * the larger after it (quickselect, median of three): linear on average.
 * Past a depth that only a crafted order reaches, the rest is sorted.
 */
static void
report_select(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1, i, j, depth = 0;
	double pivot;

	while (lo < hi) {
		if (++depth > 64) {
			qsort(v + lo, hi - lo + 1, sizeof *v, cmp_double);
			return;
		}
		/* The median of the first, middle and last as the pivot. */
		i = lo + (hi - lo) / 2;
		if (v[i] < v[lo])
			report_swap(&v[i], &v[lo]);
		if (v[hi] < v[lo])
			report_swap(&v[hi], &v[lo]);
		if (v[hi] < v[i])
			report_swap(&v[hi], &v[i]);
		pivot = v[i];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i <= j) {
				report_swap(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		/* Now v[lo..j] <= pivot <= v[i..hi], and j < i. */
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

double
report_median(double *v, size_t n)
{
	size_t k, i;
	double next;

	if (n == 0)
		return NAN;
	k = (n - 1) / 2;
	report_select(v, n, k);
	if (n % 2 == 1)
		return v[k];
	/* The one above: the smallest of those after v[k]. */
	next = v[k + 1];
	for (i = k + 2; i < n; i++)
		if (v[i] < next)
			next = v[i];
	return (v[k] + next) / 2.0;
}

/* One transition at or after now: the phase its deal was in before it. */
struct report_move {
	int64_t		 deal;
	size_t		 seq;		/* its place in time order */
	int		 phase;		/* PHASE_NONE: the deal's first */
};

/* What report_moves_load reads of each transition. */
struct report_moves_walk {
	const struct config *cfg;
	struct report_moves *m;
	size_t		 cap;
};

/* Keeps a transition at or after now with the phase it left. */
static int
report_move_add(const struct store_entry *e, void *arg)
{
	struct report_moves_walk *w = arg;
	struct report_move *mv;

	if (w->m->n == w->cap) {
		w->cap = w->cap == 0 ? 64 : w->cap * 2;
		w->m->v = xreallocarray(w->m->v, w->cap, sizeof *w->m->v);
	}
	mv = &w->m->v[w->m->n];
	mv->deal = e->deal;
	mv->seq = w->m->n++;
	mv->phase = e->phase == NULL ? PHASE_NONE :
	    config_phase_index(w->cfg, e->phase);
	return 0;
}

/* Finds a move by its deal alone. */
static int
report_move_deal(const void *a, const void *b)
{
	const struct report_move *x = a, *y = b;

	return x->deal < y->deal ? -1 : x->deal > y->deal;
}

/* Orders moves by deal, then time. */
static int
report_move_cmp(const void *a, const void *b)
{
	const struct report_move *x = a, *y = b;

	if (x->deal != y->deal)
		return x->deal < y->deal ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
report_moves_load(struct store *st, const struct config *cfg, time_t now,
    struct report_moves *m, struct err *err)
{
	struct report_moves_walk w = { cfg, m, 0 };
	size_t i, j;
	int rc;

	memset(m, 0, sizeof *m);
	m->now = now;
	if (now == 0)
		return 0;
	/*
	 * Every salesperson's: the deals are looked up by id from a walk
	 * that filters them, and at the real time there is none.
	 */
	rc = store_moves_since(st, now, report_move_add, &w, err);
	if (rc != 0) {
		report_moves_free(m);
		return -1;
	}
	/* The first move of each deal tells its phase at now. */
	if (m->n > 0)
		qsort(m->v, m->n, sizeof *m->v, report_move_cmp);
	for (i = j = 0; i < m->n; i++)
		if (j == 0 || m->v[j - 1].deal != m->v[i].deal)
			m->v[j++] = m->v[i];
	m->n = j;
	return 0;
}

void
report_moves_free(struct report_moves *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

void
report_count_open(const struct config *cfg, const struct report_moves *m,
    const struct store_deal_state *d, long current[MAX_PHASES])
{
	struct report_move key, *mv = NULL;
	int p;

	if (m->now == 0 || d->outcome == OUTCOME_OPEN) {
		if (d->outcome != OUTCOME_OPEN)
			return;
	} else if (d->closed == 0 || d->closed < m->now)
		return;		/* closed before now */
	if (m->n > 0) {
		key.deal = d->id;
		key.seq = 0;
		mv = bsearch(&key, m->v, m->n, sizeof *m->v, report_move_deal);
	}
	p = mv != NULL ? mv->phase : config_phase_index(cfg, d->phase);
	if (p != PHASE_NONE)
		current[p]++;
}

/* A won deal's close, for the entries into the last phase it left by winning. */
struct report_close {
	int64_t		 deal;
	time_t		 closed;
};

/* What report_funnel gathers while walking the store. */
struct report_funnel_walk {
	const struct report_filter *f;
	struct funnel	*out;
	double		*days[MAX_PHASES];	/* owned */
	size_t		 ndays[MAX_PHASES];
	size_t		 cap[MAX_PHASES];
	struct report_close *won;	/* owned, by deal */
	size_t		 nwon;
	size_t		 capwon;
	int64_t		*mine;		/* owned: the salesperson's deals, ascending */
	size_t		 nmine;
	size_t		 capmine;
	const struct report_moves *moves;
	long		 current[MAX_PHASES];
};

/* Orders ids. */
static int
report_id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Keeps one of the salesperson's deals (they come ascending). */
static int
report_funnel_mine(int64_t id, void *arg)
{
	struct report_funnel_walk *w = arg;

	if (w->nmine == w->capmine) {
		w->capmine = w->capmine == 0 ? 1024 : w->capmine * 2;
		w->mine = xreallocarray(w->mine, w->capmine, sizeof *w->mine);
	}
	w->mine[w->nmine++] = id;
	return 0;
}

/* Keeps a won deal's close for its last entry. */
static int
report_funnel_won(int64_t deal, time_t closed, void *arg)
{
	struct report_funnel_walk *w = arg;

	if (w->nwon == w->capwon) {
		w->capwon = w->capwon == 0 ? 1024 : w->capwon * 2;
		w->won = xreallocarray(w->won, w->capwon, sizeof *w->won);
	}
	w->won[w->nwon].deal = deal;
	w->won[w->nwon].closed = closed;
	w->nwon++;
	return 0;
}

/* Orders closes by deal. */
static int
report_close_cmp(const void *a, const void *b)
{
	const struct report_close *x = a, *y = b;

	return x->deal < y->deal ? -1 : x->deal > y->deal;
}

/*
 * Counts one deal entering a phase, and when it left the phase (its next
 * transition; the last phase is left by winning) the days it stayed.
 * A won deal closed after all its transitions, so its close is among
 * those read from the range's start on.
 */
static int
report_funnel_entry(const struct store_entry *e, void *arg)
{
	struct report_funnel_walk *w = arg;
	const struct config *cfg = w->f->cfg;
	struct report_close key, *won;
	time_t left = e->left;
	int p;

	if (w->f->salesperson != NULL && (w->nmine == 0 ||
	    bsearch(&e->deal, w->mine, w->nmine, sizeof *w->mine,
	    report_id_cmp) == NULL))
		return 0;
	p = config_phase_index(cfg, e->phase);
	if (p == PHASE_NONE)
		return 0;
	w->out->phases[p].entered++;
	if (left == 0 && (size_t)p + 1 == cfg->phases.n && w->nwon > 0) {
		key.deal = e->deal;
		won = bsearch(&key, w->won, w->nwon, sizeof *w->won,
		    report_close_cmp);
		if (won != NULL)
			left = won->closed;
	}
	if (left == 0)
		return 0;
	w->out->phases[p].advanced++;
	if (w->ndays[p] == w->cap[p]) {
		w->cap[p] = w->cap[p] == 0 ? 64 : w->cap[p] * 2;
		w->days[p] = xreallocarray(w->days[p], w->cap[p],
		    sizeof *w->days[p]);
	}
	w->days[p][w->ndays[p]++] = (double)(left - e->at) / 86400.0;
	return 0;
}

/* Adds the stored open deals of a phase to current. */
static int
report_funnel_open(const char *phase, long n, void *arg)
{
	struct report_funnel_walk *w = arg;
	int p = config_phase_index(w->f->cfg, phase);

	if (p != PHASE_NONE)
		w->current[p] += n;
	return 0;
}

/*
 * Counts a deal that moved or closed at or after now as it was at now
 * (report_count_open), in place of how the stored open deals counted it.
 * With a range's start, as the deals of a window were: the open ones
 * and those closed in the range.
 */
static int
report_funnel_changed(const struct store_deal_state *d, void *arg)
{
	struct report_funnel_walk *w = arg;
	const struct report_filter *f = w->f;
	int p;

	if (f->salesperson != NULL && (d->salesperson == NULL ||
	    strcmp(d->salesperson, f->salesperson) != 0))
		return 0;
	if (d->outcome == OUTCOME_OPEN) {
		p = config_phase_index(f->cfg, d->phase);
		if (p != PHASE_NONE)
			w->current[p]--;
	} else if (f->since != 0 && (d->closed < f->since ||
	    (f->until != 0 && d->closed >= f->until)))
		return 0;
	report_count_open(f->cfg, w->moves, d, w->current);
	return 0;
}

/*
 * The funnel of f's range, each part from a covering index: the entries
 * of the range; the deals won and lost in it, counted in SQL, and the
 * closes of those won from its start on; the stored open deals per
 * phase, corrected by the deals that moved or closed at or after now.
 * A window reads no deal or entry before it.
 */
int
report_funnel(struct store *st, const struct report_filter *f, time_t now,
    struct funnel *out, struct err *err)
{
	struct report_funnel_walk w;
	struct report_moves moves = { 0 };
	const struct phases *ph = &f->cfg->phases;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	w.f = f;
	w.out = out;
	w.moves = &moves;
	out->nphases = ph->n;
	for (i = 0; i < ph->n; i++)
		out->phases[i].phase = ph->name[i];
	if (f->salesperson != NULL)
		rc = store_person_deals(st, f->salesperson, report_funnel_mine,
		    &w, err);
	if (rc == 0)
		rc = store_closed_counts(st, f->salesperson, f->since,
		    f->until, &out->won, &out->lost, err);
	if (rc == 0)
		rc = store_won_closes(st, f->salesperson, f->since,
		    report_funnel_won, &w, err);
	/* Read by the index of closes: put them in deal order. */
	if (rc == 0 && w.nwon > 1)
		qsort(w.won, w.nwon, sizeof *w.won, report_close_cmp);
	if (rc == 0)
		rc = store_window_entries(st, f->since, f->until,
		    report_funnel_entry, &w, err);
	if (rc == 0)
		rc = store_open_phases(st, f->salesperson, report_funnel_open,
		    &w, err);
	if (rc == 0 && now != 0)
		rc = report_moves_load(st, f->cfg, now, &moves, err);
	if (rc == 0 && now != 0)
		rc = store_changed_since(st, now, report_funnel_changed, &w,
		    err);
	report_moves_free(&moves);
	for (i = 0; i < ph->n; i++) {
		out->phases[i].current = w.current[i];
		out->phases[i].median_days = report_median(w.days[i],
		    w.ndays[i]);
	}
	for (i = 0; i < MAX_PHASES; i++)
		free(w.days[i]);
	free(w.won);
	free(w.mine);
	return rc;
}

/* Adds a row (day, salesperson, count) to the appointments table. */
static void
appointments_row(struct table *t, const char *day, const char *sp, long count)
{
	table_row(t);
	table_str(t, 0, day);
	table_str(t, 1, sp);
	table_int(t, 2, count);
}

struct day_count {
	char	 day[11];
	char	*salesperson;	/* owned */
	long	 count;
};

/* The series of appointments_by_created, one day_count each. */
struct report_series {
	const struct report_filter *f;
	struct day_count *v;	/* owned */
	size_t		 n;
	size_t		 cap;
	struct util_day_cache day;	/* the series come by creation */
};

static int
cmp_day_count(const void *a, const void *b)
{
	const struct day_count *x = a, *y = b;
	int c = strcmp(x->day, y->day);

	return c != 0 ? c : strcmp(x->salesperson, y->salesperson);
}

/* Keeps a series made in the range, on the day of its creation. */
static int
report_series_add(const char *salesperson, time_t created, void *arg)
{
	struct report_series *r = arg;
	const struct report_filter *f = r->f;

	if ((f->since != 0 && created < f->since) ||
	    (f->until != 0 && created >= f->until))
		return 0;
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 64 : r->cap * 2;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	util_day_cached(&r->day, created, f->cfg->timezone, r->v[r->n].day,
	    sizeof r->v[r->n].day);
	r->v[r->n].salesperson = xstrdup(salesperson);
	r->v[r->n].count = 1;
	r->n++;
	return 0;
}

/*
 * Counts appointments by the day they were made: a recurring series once
 * (its UID), on the day in the configured zone of its earliest CREATED.
 */
static int
appointments_by_created(struct store *st, const struct report_filter *f,
    struct table *t, struct err *err)
{
	struct report_series r = { f, NULL, 0, 0, { 0 } };
	size_t i, j;
	int rc;

	rc = store_appointment_series(st, f->salesperson, f->since, f->until,
	    report_series_add, &r, err);
	/* v is NULL without rows, and qsort's pointer must not be. */
	if (rc == 0 && r.n > 1)
		qsort(r.v, r.n, sizeof *r.v, cmp_day_count);
	for (i = 0; rc == 0 && i < r.n; i = j) {
		long count = 0;

		for (j = i; j < r.n && cmp_day_count(&r.v[i], &r.v[j]) == 0; j++)
			count++;
		appointments_row(t, r.v[i].day, r.v[i].salesperson, count);
	}
	for (i = 0; i < r.n; i++)
		free(r.v[i].salesperson);
	free(r.v);
	return rc;
}

/* The run of appointments of one day and salesperson being counted. */
struct report_day_run {
	struct table	*t;
	struct buf	 day;	/* owned */
	struct buf	 sp;	/* owned */
	struct buf	 uid;	/* owned */
	int64_t		 recur;
	long		 count;
};

/*
 * Counts an occurrence unless it is the one before seen again; a new day
 * or salesperson closes the run with its row.
 */
static int
report_day_add(const struct store_appointment *a, void *arg)
{
	struct report_day_run *r = arg;
	bool same_group = r->count > 0 && strcmp(r->day.data, a->day) == 0 &&
	    strcmp(r->sp.data, a->salesperson) == 0;

	if (same_group && strcmp(r->uid.data, a->uid) == 0 &&
	    r->recur == a->recurrence_id)
		return 0;
	if (!same_group) {
		if (r->count > 0)
			appointments_row(r->t, r->day.data, r->sp.data,
			    r->count);
		r->count = 0;
		buf_reset(&r->day);
		buf_puts(&r->day, a->day);
		buf_reset(&r->sp);
		buf_puts(&r->sp, a->salesperson);
	}
	buf_reset(&r->uid);
	buf_puts(&r->uid, a->uid);
	r->recur = a->recurrence_id;
	r->count++;
	return 0;
}

int
report_appointments(struct store *st, const struct report_filter *f,
    enum appt_by by, struct table *t, struct err *err)
{
	char since[11] = "0000-00-00", until[11] = "9999-99-99";
	struct report_day_run r = { 0 };
	int rc;

	table_init(t, appointment_columns,
	    sizeof appointment_columns / sizeof appointment_columns[0],
	    f->cfg->timezone);
	if (by == APPT_BY_CREATED)
		return appointments_by_created(st, f, t, err);
	if (f->since != 0)
		util_day(f->since, f->cfg->timezone, since, sizeof since);
	if (f->until != 0) {
		/* until is exclusive: a day counts when it starts before until. */
		util_day(f->until - 1, f->cfg->timezone, until, sizeof until);
		util_day_add(until, 1, until, sizeof until);
	}
	r.t = t;
	rc = store_appointments(st, f->salesperson, since, until,
	    report_day_add, &r, err);
	if (rc == 0 && r.count > 0)
		appointments_row(t, r.day.data, r.sp.data, r.count);
	buf_free(&r.day);
	buf_free(&r.sp);
	buf_free(&r.uid);
	return rc;
}

long
report_working_days(const struct config *cfg, const char *first, const char *last)
{
	char day[11];
	long n = 0, guard = 0;
	int wd;

	snprintf(day, sizeof day, "%s", first);
	while (strcmp(day, last) <= 0 && guard++ < 100000) {
		wd = util_weekday(day);
		if (wd >= 0 && (cfg->working_days & (1u << wd)))
			n++;
		util_day_add(day, 1, day, sizeof day);
	}
	return n;
}
