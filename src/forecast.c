/* SPDX-License-Identifier: MIT */
/*
 * The forecast's estimators (forecast.h).  Nothing here reads the store:
 * analysis.c gathers the observations and the open deals.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"
#include "radix.h"
#include "util.h"
#include "xmalloc.h"

/* The seed of the draws: the same data give the same interval. */
#define FORECAST_SEED	0x5ca1ec7c1e5eed01ULL
/* Probabilities are kept this far from 0 and 1 on the log-odds scale. */
#define FORECAST_EPS	1e-6
#define FORECAST_2PI	6.283185307179586
/*
 * Cells of a distribution under this are dropped at its tails: the
 * interval is read from cumulatives with 1e-12 of slack, and even a
 * million deals drop fewer than 1e8 cells, under 1e-14 of mass in all.
 */
#define FORECAST_TINY	1e-22
/* Deals per block of the exact DP, before blocks are convolved. */
#define FORECAST_LEAF	64
/*
 * A count whose variance is at least this (sd 30) is read from its first
 * four cumulants (forecast_smooth) instead of the exact convolutions,
 * whose cost grows with the variance: at 10M signals 400 draws over
 * 427k open deals spent 10 s convolving.  The expansion's error falls as
 * sd^-3; from here on the unit test finds the forecast's quantiles equal
 * to the exact distribution's.
 */
#define FORECAST_SMOOTH_VAR	900.0
/* Standard deviations of a smooth count's window on either side of its mean. */
#define FORECAST_SMOOTH_SDS	12.0

/* A distribution of a count on a window: P(lo + k) = v[k], k < n. */
struct forecast_win {
	double		*v;		/* owned */
	size_t		 lo, n;
};

static int
forecast_cmp_obs(const void *a, const void *b)
{
	const struct forecast_obs *x = a, *y = b;

	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	/* At the same time closes come first: a censored deal was still at risk. */
	return (x->end == FORECAST_OPEN) - (y->end == FORECAST_OPEN);
}

/* Keeps p inside (0, 1) for the log-odds. */
static double
forecast_clamp(double p)
{
	if (p < FORECAST_EPS)
		return FORECAST_EPS;
	if (p > 1.0 - FORECAST_EPS)
		return 1.0 - FORECAST_EPS;
	return p;
}

void
forecast_estimate(struct forecast_obs *v, size_t n, double horizon,
    double prior, struct forecast_est *e)
{
	if (n > 0)
		qsort(v, n, sizeof *v, forecast_cmp_obs);
	forecast_estimate_sorted(v, n, horizon, prior, e);
}

double
forecast_cif(const struct forecast_obs *v, size_t n, size_t at_risk,
    double horizon)
{
	double surv = 1.0, cif = 0.0;
	size_t i, j, dw, dl;

	/* Aalen-Johansen: a win at t adds S(t-) * wins / at risk. */
	for (i = 0; i < n && v[i].days < horizon; i = j) {
		dw = dl = 0;
		for (j = i; j < n && v[j].days == v[i].days; j++) {
			if (v[j].end == FORECAST_WON)
				dw++;
			else if (v[j].end == FORECAST_LOST)
				dl++;
		}
		if (at_risk > 0) {
			cif += surv * (double)dw / (double)at_risk;
			surv *= 1.0 - (double)(dw + dl) / (double)at_risk;
		}
		at_risk -= j - i;
	}
	return cif;
}

void
forecast_blend(struct forecast_est *e, double prior)
{
	double m = e->weight + FORECAST_PRIOR_WEIGHT, p;

	if (e->n == 0)
		p = prior;
	else
		p = (e->cif * e->weight + prior * FORECAST_PRIOR_WEIGHT) / m;
	e->p = p;
	p = forecast_clamp(p);
	e->se = 1.0 / sqrt(m * p * (1.0 - p));
}

void
forecast_estimate_sorted(const struct forecast_obs *v, size_t n,
    double horizon, double prior, struct forecast_est *e)
{
	double *won;
	size_t i;

	memset(e, 0, sizeof *e);
	e->n = (long)n;
	e->cif = NAN;
	e->won_days = NAN;
	if (n > 0)
		e->cif = forecast_cif(v, n, n, horizon);
	won = xcalloc(n > 0 ? n : 1, sizeof *won);
	for (i = 0; i < n; i++) {
		if (v[i].end != FORECAST_OPEN || v[i].days >= horizon)
			e->weight += 1.0;
		if (v[i].end == FORECAST_WON)
			won[e->won++] = v[i].days;
	}
	/* In time order already: the median by index. */
	if (e->won > 0) {
		e->won_days = e->won % 2 == 1 ? won[e->won / 2] :
		    (won[e->won / 2 - 1] + won[e->won / 2]) / 2.0;
	}
	free(won);
	forecast_blend(e, prior);
}

void
forecast_pb(const double *p, size_t n, double *pmf)
{
	size_t i, k;

	pmf[0] = 1.0;
	for (k = 1; k <= n; k++)
		pmf[k] = 0.0;
	for (i = 0; i < n; i++) {
		for (k = i + 1; k > 0; k--)
			pmf[k] = pmf[k] * (1.0 - p[i]) + pmf[k - 1] * p[i];
		pmf[0] *= 1.0 - p[i];
	}
}

/* Drops the cells under FORECAST_TINY at both ends of w; returns their mass. */
static double
forecast_trim(struct forecast_win *w)
{
	double lost = 0.0;
	size_t a = 0, b = w->n;

	while (b - a > 1 && w->v[a] < FORECAST_TINY)
		lost += w->v[a++];
	while (b - a > 1 && w->v[b - 1] < FORECAST_TINY)
		lost += w->v[--b];
	if (a > 0)
		memmove(w->v, w->v + a, (b - a) * sizeof *w->v);
	w->lo += a;
	w->n = b - a;
	return lost;
}

bool forecast_conv_plain;

/* Two doubles at once (SSE2 on x86-64, NEON on arm64): the same IEEE operations per lane. */
typedef double forecast_v2 __attribute__((vector_size(16)));

static forecast_v2
forecast_load(const double *p)
{
	forecast_v2 v;

	memcpy(&v, p, sizeof v);
	return v;
}

/*
 * r[k] += a[0] b[k] + a[1] b[k - 1] + a[2] b[k - 2] + a[3] b[k - 3] for k
 * in [0, n), added in that order, two k at a time: each r[k] gets the
 * same sums in the same order as one row of a after the other, so the
 * result is the same to the bit, with one load and store of r per four
 * rows instead of per row.  b has three zeros before b[0] and after its
 * end, so that adding a row's missing terms adds +0.
 */
static void
forecast_rows4(double *r, const double *a, const double *b, size_t n)
{
	forecast_v2 a0 = { a[0], a[0] }, a1 = { a[1], a[1] };
	forecast_v2 a2 = { a[2], a[2] }, a3 = { a[3], a[3] }, x;
	size_t k;

	for (k = 0; k + 2 <= n; k += 2) {
		x = forecast_load(r + k);
		x = x + a0 * forecast_load(b + k);
		x = x + a1 * forecast_load(b + k - 1);
		x = x + a2 * forecast_load(b + k - 2);
		x = x + a3 * forecast_load(b + k - 3);
		memcpy(r + k, &x, sizeof x);
	}
	for (; k < n; k++)
		r[k] = r[k] + a[0] * b[k] + a[1] * b[k - 1] + a[2] * b[k - 2] +
		    a[3] * b[k - 3];
}

/*
 * r = a * b (convolution) over their windows, trimmed; returns the mass
 * dropped.  Each r[k] sums a[i] b[k - i] by ascending i, four rows of a
 * at a time (forecast_rows4); forecast_conv_plain takes them one by one,
 * the reference the tests compare with.
 */
static double
forecast_conv(const struct forecast_win *a, const struct forecast_win *b,
    struct forecast_win *r)
{
	double *bp, ap[4];
	size_t i, j, t;

	r->lo = a->lo + b->lo;
	r->n = a->n + b->n - 1;
	r->v = xreallocarray(r->v, r->n + 4, sizeof *r->v);
	memset(r->v, 0, (r->n + 4) * sizeof *r->v);
	if (forecast_conv_plain) {
		for (i = 0; i < a->n; i++)
			for (j = 0; j < b->n; j++)
				r->v[i + j] += a->v[i] * b->v[j];
		return forecast_trim(r);
	}
	/* b with three zeros on each side; a's last rows padded with zeros. */
	bp = xcalloc(b->n + 6, sizeof *bp);
	memcpy(bp + 3, b->v, b->n * sizeof *bp);
	for (i = 0; i < a->n; i += 4) {
		for (t = 0; t < 4; t++)
			ap[t] = i + t < a->n ? a->v[i + t] : 0.0;
		forecast_rows4(r->v + i, ap, bp + 3, b->n + 3);
	}
	free(bp);
	return forecast_trim(r);
}

/*
 * The Poisson-binomial distribution of p[0..n-1] into w: the exact DP on
 * blocks of FORECAST_LEAF deals, the blocks' distributions convolved in
 * pairs.  A block's distribution is narrow (about 20 sd of mass above
 * FORECAST_TINY), so the cost is about n * FORECAST_LEAF / 2 plus the
 * square of the final width per level, not n squared.  Returns the mass
 * dropped at the tails (each cell dropped is under FORECAST_TINY).
 */
static double
forecast_pb_tree(const double *p, size_t n, struct forecast_win *w)
{
	struct forecast_win a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	double lost;
	size_t h;

	if (n <= FORECAST_LEAF) {
		w->v = xreallocarray(w->v, n + 1, sizeof *w->v);
		forecast_pb(p, n, w->v);
		w->lo = 0;
		w->n = n + 1;
		return forecast_trim(w);
	}
	h = n / 2;
	lost = forecast_pb_tree(p, h, &a);
	lost += forecast_pb_tree(p + h, n - h, &b);
	lost += forecast_conv(&a, &b, w);
	free(a.v);
	free(b.v);
	return lost;
}

double
forecast_pb_fast(const double *p, size_t n, double *pmf)
{
	struct forecast_win w = { NULL, 0, 0 };
	double lost;
	size_t k;

	lost = forecast_pb_tree(p, n, &w);
	for (k = 0; k <= n; k++)
		pmf[k] = k >= w.lo && k - w.lo < w.n ? w.v[k - w.lo] : 0.0;
	free(w.v);
	return lost;
}

/* The first four cumulants of a count: they add up over independent parts. */
struct forecast_cum {
	double		 k1, k2, k3, k4;
};

/* Adds n deals each won with chance p (n Bernoullis' cumulants). */
static void
forecast_cum_deals(struct forecast_cum *c, double p, double n)
{
	double v = p * (1.0 - p);

	c->k1 += n * p;
	c->k2 += n * v;
	c->k3 += n * v * (1.0 - 2.0 * p);
	c->k4 += n * v * (1.0 - 6.0 * v);
}

/* Adds the cumulants of an independent count b to a. */
static void
forecast_cum_add(struct forecast_cum *a, const struct forecast_cum *b)
{
	a->k1 += b->k1;
	a->k2 += b->k2;
	a->k3 += b->k3;
	a->k4 += b->k4;
}

/* Adds a Poisson(l) count, every cumulant of which is l. */
static void
forecast_cum_poisson(struct forecast_cum *c, double l)
{
	c->k1 += l;
	c->k2 += l;
	c->k3 += l;
	c->k4 += l;
}

/*
 * The distribution of a count with cumulants c into w, for a sum of many
 * independent counts (c->k2 at least FORECAST_SMOOTH_VAR): the local
 * Edgeworth expansion of an integer-valued sum to its fourth cumulant,
 * P(k) ~ phi(x) / sd (1 + k3 He3(x) / 6 sd^3 + k4 He4(x) / 24 sd^4 +
 * k3^2 He6(x) / 72 sd^6) with x = (k - k1) / sd (Petrov, Sums of
 * Independent Random Variables, ch. VII), its error of order sd^-3 of
 * the cell.  Over FORECAST_SMOOTH_SDS sd either side of the mean,
 * negative cells (far tails, where the polynomial outgrows phi) made 0,
 * scaled to sum to one, trimmed as the exact path's.
 */
static void
forecast_smooth(const struct forecast_cum *c, struct forecast_win *w)
{
	double sd = sqrt(c->k2), s3 = sd * sd * sd, a3, a4, a6, lo, hi;
	double x, x2, v, sum = 0.0;
	size_t k;

	/* No spread (no deal): all the mass on the mean. */
	if (!(sd > 0.0)) {
		w->lo = c->k1 > 0.0 ? (size_t)llround(c->k1) : 0;
		w->n = 1;
		w->v = xreallocarray(w->v, 1, sizeof *w->v);
		w->v[0] = 1.0;
		return;
	}
	a3 = c->k3 / (6.0 * s3);
	a4 = c->k4 / (24.0 * s3 * sd);
	a6 = c->k3 * c->k3 / (72.0 * s3 * s3);
	lo = floor(c->k1 - FORECAST_SMOOTH_SDS * sd);
	hi = ceil(c->k1 + FORECAST_SMOOTH_SDS * sd);
	if (lo < 0.0)
		lo = 0.0;
	w->lo = (size_t)lo;
	w->n = (size_t)(hi - lo) + 1;
	w->v = xreallocarray(w->v, w->n, sizeof *w->v);
	for (k = 0; k < w->n; k++) {
		x = ((double)(w->lo + k) - c->k1) / sd;
		x2 = x * x;
		v = exp(-0.5 * x2) * (1.0 + a3 * x * (x2 - 3.0) +
		    a4 * ((x2 - 6.0) * x2 + 3.0) +
		    a6 * (((x2 - 15.0) * x2 + 45.0) * x2 - 15.0));
		w->v[k] = v > 0.0 ? v : 0.0;
		sum += w->v[k];
	}
	for (k = 0; k < w->n; k++)
		w->v[k] /= sum;
	forecast_trim(w);
}

void
forecast_pb_smooth(const double *p, size_t n, double *pmf)
{
	struct forecast_cum c = { 0, 0, 0, 0 };
	struct forecast_win w = { NULL, 0, 0 };
	size_t i, k;

	for (i = 0; i < n; i++)
		forecast_cum_deals(&c, p[i], 1.0);
	forecast_smooth(&c, &w);
	for (k = 0; k <= n; k++)
		pmf[k] = k >= w.lo && k - w.lo < w.n ? w.v[k - w.lo] : 0.0;
	free(w.v);
}

long
forecast_quantile(const double *pmf, size_t n, double q)
{
	double cum = 0.0;
	size_t k;

	/* A hair of slack so that rounding in the sum never skips a count. */
	for (k = 0; k < n; k++) {
		cum += pmf[k];
		if (cum >= q - 1e-12)
			return (long)k;
	}
	return n > 0 ? (long)n - 1 : 0;
}

void
forecast_dist_free(struct forecast_dist *d)
{
	free(d->pmf);
	memset(d, 0, sizeof *d);
}

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t
forecast_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform draw in (0, 1). */
static double
forecast_uniform(uint64_t *s)
{
	return ((double)(forecast_next(s) >> 11) + 0.5) * 0x1.0p-53;
}

/* A standard normal draw (Box-Muller). */
static double
forecast_normal(uint64_t *s)
{
	double u = forecast_uniform(s), v = forecast_uniform(s);

	return sqrt(-2.0 * log(u)) * cos(FORECAST_2PI * v);
}

/* A Gamma(a, 1) draw (Marsaglia and Tsang; a < 1 by a^(1/a) boost). */
static double
forecast_gamma(uint64_t *s, double a)
{
	double d, c, x, v, u;

	if (a < 1.0)
		return forecast_gamma(s, a + 1.0) *
		    pow(forecast_uniform(s), 1.0 / a);
	d = a - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		do {
			x = forecast_normal(s);
			v = 1.0 + c * x;
		} while (v <= 0.0);
		v = v * v * v;
		u = forecast_uniform(s);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

/*
 * The centre mu of an item's log-odds such that its draws
 * logistic(mu + shift[s]) average p exactly: the interval widens around
 * the estimate, it does not move it.  Newton's method on that mean
 * (increasing in mu), kept inside the bracket where it is known to lie
 * and bisecting when a step would leave it: a handful of passes over the
 * draws instead of sixty, each without exp() (e[s] = exp(-shift[s])).
 */
static double
forecast_centre(double p, const double *e, size_t n)
{
	double lo = -40.0, hi = 40.0, mu, u, mean, slope, l, step;
	size_t i;
	int it;

	p = forecast_clamp(p);
	mu = log(p / (1.0 - p));
	for (it = 0; it < 100; it++) {
		u = exp(-mu);
		mean = slope = 0.0;
		for (i = 0; i < n; i++) {
			l = 1.0 / (1.0 + u * e[i]);
			mean += l;
			slope += l * (1.0 - l);
		}
		mean = mean / (double)n - p;
		slope /= (double)n;
		if (mean < 0)
			lo = mu;
		else
			hi = mu;
		step = slope > 0 ? -mean / slope : 0.0;
		if (!(mu + step > lo && mu + step < hi))
			step = (lo + hi) / 2.0 - mu;
		mu += step;
		if (fabs(step) <= 1e-13 * (1.0 + fabs(mu)) || hi - lo < 1e-13)
			break;
	}
	return mu;
}

/*
 * The Poisson(l) pmf into w, from its mode outwards while the cells are at
 * least FORECAST_TINY (exp(-l) underflows past l = 745, so the pmf is not
 * started at 0), scaled to sum to one.  Returns a bound on the mass of the
 * tails left out.
 */
static double
forecast_poisson(double l, struct forecast_win *w)
{
	size_t m, lo, hi, k;
	double mode, t, sum, lost;

	w->v = xreallocarray(w->v, 1, sizeof *w->v);
	w->v[0] = 1.0;
	w->lo = 0;
	w->n = 1;
	if (!(l > 0.0))
		return 0.0;
	m = (size_t)floor(l);
	/* Only for where to stop: the cells are scaled by their sum below. */
	mode = exp(-l + (double)m * log(l) - lgamma((double)m + 1.0));
	for (lo = m, t = mode; lo > 0 && t * (double)lo / l >= FORECAST_TINY;
	    lo--)
		t *= (double)lo / l;
	for (hi = m, t = mode; t * l / (double)(hi + 1) >= FORECAST_TINY; hi++)
		t *= l / (double)(hi + 1);
	w->lo = lo;
	w->n = hi - lo + 1;
	w->v = xreallocarray(w->v, w->n, sizeof *w->v);
	w->v[m - lo] = 1.0;
	for (k = m; k > lo; k--)
		w->v[k - 1 - lo] = w->v[k - lo] * (double)k / l;
	for (k = m; k < hi; k++)
		w->v[k + 1 - lo] = w->v[k - lo] * l / (double)(k + 1);
	for (sum = 0.0, k = 0; k < w->n; k++)
		sum += w->v[k];
	for (k = 0; k < w->n; k++)
		w->v[k] /= sum;
	/* Each tail falls off at least geometrically from under FORECAST_TINY. */
	lost = FORECAST_TINY * (double)(hi + 2) / ((double)(hi + 2) - l);
	if (lo > 0)
		lost += FORECAST_TINY * l / (l - (double)lo);
	return lost;
}

/* acc += wt * d, acc grown (with zeros) to hold d's window. */
static void
forecast_accumulate(struct forecast_dist *acc, const struct forecast_win *d,
    double wt)
{
	size_t k, n = d->lo + d->n;

	if (acc->n < n) {
		acc->pmf = xreallocarray(acc->pmf, n, sizeof *acc->pmf);
		for (k = acc->n; k < n; k++)
			acc->pmf[k] = 0.0;
		acc->n = n;
	}
	for (k = 0; k < d->n; k++)
		acc->pmf[d->lo + k] += wt * d->v[k];
}

/*
 * The wins of one group in one draw into d: its deals' Poisson-binomial
 * (chances p, cumulants c) plus a Poisson count of rate l for deals not
 * open yet, from the cumulants when wide (then true), else exact.  The
 * chances are needed only for the exact path (forecast_mixture fills
 * them then).
 */
bool forecast_exact;

static bool
forecast_is_smooth(const struct forecast_cum *c)
{
	return (c->k2 >= FORECAST_SMOOTH_VAR && !forecast_exact);
}

static bool
forecast_group(const double *p, size_t n, struct forecast_cum *c, double l,
    struct forecast_win *pb, struct forecast_win *pois,
    struct forecast_win *d)
{
	if (forecast_is_smooth(c)) {
		forecast_cum_poisson(c, l);
		forecast_smooth(c, d);
		return true;
	}
	forecast_pb_tree(p, n, pb);
	forecast_poisson(l, pois);
	forecast_conv(pb, pois, d);
	return false;
}

/*
 * Open deals alike in the draws: the same phase, standard error and
 * chance give the same centre and the same chance in every draw, so the
 * work follows the kinds of deals, not the deals (at 10M signals 423k
 * open deals are 213k kinds: a deal's chance and se follow its age and
 * the members its estimate rests on).
 */
struct forecast_kind {
	double		 p, se;
	int		 phase;
	double		 n[2];		/* deals of each group */
	double		 em;		/* exp(-centre) */
};

/*
 * A double's radix key in the order the kinds are compared in: a NaN
 * (never expected) before every number, equal to another NaN.
 */
static uint64_t
forecast_kind_key(double x)
{
	return (isnan(x) ? 0 : radix_key_double(x));
}

/*
 * Sorts the items' indexes into order by phase, se and p, ties in index
 * order: three stable passes, the last key first (qsort's comparisons
 * were a twentieth of a forecast at 10M signals, on one thread).
 */
static void
forecast_kinds_order(const struct forecast_item *it, size_t n,
    struct radix_item *ord)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ord[i].i = i;
		ord[i].key = forecast_kind_key(it[i].p);
	}
	radix_sort(ord, n);
	for (i = 0; i < n; i++)
		ord[i].key = forecast_kind_key(it[ord[i].i].se);
	radix_sort(ord, n);
	for (i = 0; i < n; i++)
		ord[i].key = radix_key_int(it[ord[i].i].phase);
	radix_sort(ord, n);
}

/*
 * The kinds of the n items into *kinds (returned: how many), and each
 * item's kind into kind_of[i].
 */
static size_t
forecast_kinds(const struct forecast_item *it, size_t n, size_t *kind_of,
    struct forecast_kind **kinds)
{
	struct radix_item *ord;
	struct forecast_kind *k;
	const struct forecast_item *x;
	size_t i, nk = 0;

	ord = xcalloc(n > 0 ? n : 1, sizeof *ord);
	forecast_kinds_order(it, n, ord);
	k = xcalloc(n > 0 ? n : 1, sizeof *k);
	for (i = 0; i < n; i++) {
		x = &it[ord[i].i];
		if (nk == 0 || x->phase != k[nk - 1].phase ||
		    !(x->se == k[nk - 1].se) || !(x->p == k[nk - 1].p)) {
			k[nk].p = x->p;
			k[nk].se = x->se;
			k[nk].phase = x->phase;
			nk++;
		}
		k[nk - 1].n[x->group != 0] += 1.0;
		kind_of[ord[i].i] = nk - 1;
	}
	free(ord);
	*kinds = k;
	return nk;
}

/*
 * The chance in draw s of each kind with deals of group g into q: as in
 * the draws of the centres, f = exp(-shift) once per run of one phase
 * and se.
 */
static void
forecast_draw_kinds(const struct forecast_kind *kind, size_t nk, size_t g,
    const double *z, const double *w, double shared_se, size_t s, double *q)
{
	size_t k, last = SIZE_MAX;
	double f = 0.0;

	for (k = 0; k < nk; k++) {
		if (!(kind[k].n[g] > 0))
			continue;
		if (last == SIZE_MAX || kind[k].phase != kind[last].phase ||
		    !(kind[k].se == kind[last].se))
			f = exp(-(z[s] * shared_se +
			    w[(size_t)kind[k].phase * FORECAST_SIMS + s] *
			    kind[k].se));
		last = k;
		q[k] = 1.0 / (1.0 + kind[k].em * f);
	}
}

/* The kinds' draws of forecast_mixture, a half of the kinds on either thread. */
struct forecast_kinds_job {
	struct forecast_kind *kind;	/* each half sets its kinds' em */
	size_t		 nk;
	const double	*z, *w;
	double		 shared_se;
	struct forecast_cum *cum[2];	/* each half's: 2 * FORECAST_SIMS */
};

/*
 * Item i's log-odds in simulation s: mu + z[s] * shared_se +
 * w[phase][s] * se, with its centre mu found once per kind and kept as
 * em = exp(-mu), so that its chance in a draw is 1 / (1 + em
 * exp(-shift)).  A kind's exp(-shift) of every draw (e[s]) serves its
 * centre and then its chances: each draw's cumulants (cum[s * 2 + g])
 * are summed kind after kind, and the draws are not kept per kind.
 * Kinds of one phase and se are adjacent: their shifts are made once.
 * The kinds are halved where they are, whatever the threads: the sums
 * are the same on any machine.
 */
static void
forecast_kinds_half(void *arg, size_t half)
{
	struct forecast_kinds_job *j = arg;
	struct forecast_cum *cum = j->cum[half];
	size_t from = half == 0 ? 0 : j->nk / 2;
	size_t to = half == 0 ? j->nk / 2 : j->nk, k, s, g;
	struct forecast_kind *kd;
	const double *wp;
	double *e, qk;

	e = xcalloc(FORECAST_SIMS, sizeof *e);
	for (k = from; k < to; k++) {
		kd = &j->kind[k];
		wp = &j->w[(size_t)kd->phase * FORECAST_SIMS];
		if (k == from || kd->phase != kd[-1].phase ||
		    !(kd->se == kd[-1].se))
			for (s = 0; s < FORECAST_SIMS; s++)
				e[s] = exp(-(j->z[s] * j->shared_se +
				    wp[s] * kd->se));
		kd->em = exp(-forecast_centre(kd->p, e, FORECAST_SIMS));
		for (s = 0; s < FORECAST_SIMS; s++) {
			qk = 1.0 / (1.0 + kd->em * e[s]);
			for (g = 0; g < 2; g++)
				if (kd->n[g] > 0)
					forecast_cum_deals(&cum[s * 2 + g], qk,
					    kd->n[g]);
		}
	}
	free(e);
}

void
forecast_mixture(const struct forecast_item *it, size_t n, double shared_se,
    double rho, const struct forecast_rate rate[2], struct forecast_dist out[3])
{
	uint64_t seed = FORECAST_SEED;
	size_t nph = 1, i, s, g, nk, ng[2] = { 0, 0 }, m[2], *kind_of;
	size_t *gk[2];
	double *z, *w, *p[2], *q, *lam, l, a;
	struct forecast_kinds_job kj;
	struct forecast_kind *kind;
	struct forecast_win pb[2], pois[2], d[2], tot;
	struct forecast_cum *cum, c[2];
	bool smooth[2];

	memset(pb, 0, sizeof pb);
	memset(pois, 0, sizeof pois);
	memset(d, 0, sizeof d);
	memset(&tot, 0, sizeof tot);
	for (g = 0; g < 3; g++)
		memset(&out[g], 0, sizeof out[g]);
	for (i = 0; i < n; i++) {
		if ((size_t)it[i].phase + 1 > nph)
			nph = (size_t)it[i].phase + 1;
		ng[it[i].group != 0]++;
	}
	/* z[s]: the shared draw of simulation s; z[(ph + 1) * SIMS + s]: phase ph's. */
	z = xreallocarray(NULL, (nph + 1) * FORECAST_SIMS, sizeof *z);
	for (i = 0; i < (nph + 1) * FORECAST_SIMS; i++)
		z[i] = forecast_normal(&seed);
	/* w[ph * SIMS + s]: what multiplies an item's se in phase ph. */
	w = xreallocarray(NULL, nph * FORECAST_SIMS, sizeof *w);
	for (i = 0; i < nph; i++)
		for (s = 0; s < FORECAST_SIMS; s++)
			w[i * FORECAST_SIMS + s] = sqrt(rho) * z[s] +
			    sqrt(1.0 - rho) * z[(i + 1) * FORECAST_SIMS + s];
	/* lam[s * 2 + g]: group g's rate of deals not open yet in draw s. */
	lam = xcalloc(2 * FORECAST_SIMS, sizeof *lam);
	for (s = 0; s < FORECAST_SIMS; s++)
		for (g = 0; g < 2; g++) {
			l = rate[g].mean;
			/* Gamma posterior of the rate, its mean kept. */
			if (l > 0 && rate[g].windows > 0) {
				a = l * rate[g].windows + 0.5;
				l = l * forecast_gamma(&seed, a) / a;
			}
			lam[s * 2 + g] = l;
		}
	/* Each kind's centre and each draw's cumulants (forecast_kinds_half). */
	kind_of = xcalloc(n > 0 ? n : 1, sizeof *kind_of);
	nk = forecast_kinds(it, n, kind_of, &kind);
	kj.kind = kind;
	kj.nk = nk;
	kj.z = z;
	kj.w = w;
	kj.shared_se = shared_se;
	for (i = 0; i < 2; i++)
		kj.cum[i] = xcalloc(2 * FORECAST_SIMS, sizeof *kj.cum[i]);
	util_parallel(2, forecast_kinds_half, &kj);
	cum = kj.cum[0];
	for (i = 0; i < 2 * FORECAST_SIMS; i++)
		forecast_cum_add(&cum[i], &kj.cum[1][i]);
	free(kj.cum[1]);
	/* gk[g][m]: the kind of group g's m-th deal, in the items' order. */
	for (g = 0; g < 2; g++) {
		p[g] = xcalloc(ng[g] + 1, sizeof *p[g]);
		gk[g] = xcalloc(ng[g] + 1, sizeof *gk[g]);
	}
	for (i = 0, m[0] = m[1] = 0; i < n; i++) {
		g = it[i].group != 0;
		gk[g][m[g]++] = kind_of[i];
	}
	q = xcalloc(nk > 0 ? nk : 1, sizeof *q);
	for (s = 0; s < FORECAST_SIMS; s++) {
		for (g = 0; g < 2; g++) {
			c[g] = cum[s * 2 + g];
			/* The exact path needs each deal's chance here. */
			if (!forecast_is_smooth(&c[g]) && ng[g] > 0) {
				forecast_draw_kinds(kind, nk, g, z, w,
				    shared_se, s, q);
				for (i = 0; i < ng[g]; i++)
					p[g][i] = q[gk[g][i]];
			}
			smooth[g] = forecast_group(p[g], ng[g], &c[g],
			    lam[s * 2 + g], &pb[g], &pois[g], &d[g]);
			forecast_accumulate(&out[g], &d[g], 1.0 / FORECAST_SIMS);
		}
		if (smooth[0] && smooth[1]) {
			forecast_cum_add(&c[0], &c[1]);
			forecast_smooth(&c[0], &tot);
		} else
			forecast_conv(&d[0], &d[1], &tot);
		forecast_accumulate(&out[2], &tot, 1.0 / FORECAST_SIMS);
	}
	for (g = 0; g < 2; g++) {
		free(p[g]);
		free(gk[g]);
		free(pb[g].v);
		free(pois[g].v);
		free(d[g].v);
	}
	free(tot.v);
	free(q);
	free(cum);
	free(lam);
	free(kind);
	free(kind_of);
	free(w);
	free(z);
}
