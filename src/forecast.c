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
#include "xmalloc.h"

/* The seed of the draws: the same data give the same interval. */
#define FORECAST_SEED	0x5ca1ec7c1e5eed01ULL
/* Probabilities are kept this far from 0 and 1 on the log-odds scale. */
#define FORECAST_EPS	1e-6
#define FORECAST_2PI	6.283185307179586

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

/* forecast_pb up to max wins: pmf[0..max], what lies beyond dropped. */
static void
forecast_pb_upto(const double *p, size_t n, size_t max, double *pmf)
{
	size_t i, k;

	pmf[0] = 1.0;
	for (k = 1; k <= max; k++)
		pmf[k] = 0.0;
	for (i = 0; i < n; i++) {
		for (k = i + 1 < max ? i + 1 : max; k > 0; k--)
			pmf[k] = pmf[k] * (1.0 - p[i]) + pmf[k - 1] * p[i];
		pmf[0] *= 1.0 - p[i];
	}
}

void
forecast_pb(const double *p, size_t n, double *pmf)
{
	forecast_pb_upto(p, n, n, pmf);
}

/*
 * How many wins of n deals can matter: the mean plus 12 standard
 * deviations (and 12), beyond which the mass is below 1e-30; so that a
 * store with thousands of open deals costs n times that, not n squared.
 */
static size_t
forecast_reach(const double *p, size_t n)
{
	double mean = 0, var = 0, k;
	size_t i;

	for (i = 0; i < n; i++) {
		mean += p[i];
		var += p[i] * (1.0 - p[i]);
	}
	k = ceil(mean + 12.0 * sqrt(var) + 12.0);
	return k < (double)n ? (size_t)k : n;
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

static double
forecast_logistic(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/*
 * The centre mu of an item's log-odds such that its draws
 * logistic(mu + shift[s]) average p exactly: the interval widens around
 * the estimate, it does not move it.
 */
static double
forecast_centre(double p, const double *shift, size_t n)
{
	double lo = -40.0, hi = 40.0, mid = 0.0, mean;
	size_t i;
	int it;

	p = forecast_clamp(p);
	for (it = 0; it < 60; it++) {
		mid = (lo + hi) / 2.0;
		mean = 0.0;
		for (i = 0; i < n; i++)
			mean += forecast_logistic(mid + shift[i]);
		if (mean / (double)n < p)
			lo = mid;
		else
			hi = mid;
	}
	return mid;
}

/* The Poisson(l) pmf into a (grown) buffer, up to where the rest is negligible. */
static size_t
forecast_poisson(double l, double **buf, size_t *cap)
{
	size_t k, max = (size_t)ceil(l + 20.0 * sqrt(l) + 30.0);
	double term = exp(-l), cum = 0.0;

	if (*cap < max + 1) {
		*cap = max + 1;
		*buf = xreallocarray(*buf, *cap, sizeof **buf);
	}
	for (k = 0; k <= max; k++) {
		(*buf)[k] = term;
		cum += term;
		if (cum >= 1.0 - 1e-12 && k >= l)
			return k + 1;
		term *= l / (double)(k + 1);
	}
	return max + 1;
}

/* r = a * b (convolution), r with na + nb - 1 cells. */
static void
forecast_conv(const double *a, size_t na, const double *b, size_t nb,
    double *r)
{
	size_t i, j;

	memset(r, 0, (na + nb - 1) * sizeof *r);
	for (i = 0; i < na; i++) {
		if (a[i] == 0.0)
			continue;
		for (j = 0; j < nb; j++)
			r[i + j] += a[i] * b[j];
	}
}

/* acc += w * d, acc grown (with zeros) to hold d. */
static void
forecast_accumulate(struct forecast_dist *acc, const double *d, size_t n,
    double w)
{
	size_t k;

	if (acc->n < n) {
		acc->pmf = xreallocarray(acc->pmf, n, sizeof *acc->pmf);
		for (k = acc->n; k < n; k++)
			acc->pmf[k] = 0.0;
		acc->n = n;
	}
	for (k = 0; k < n; k++)
		acc->pmf[k] += w * d[k];
}

void
forecast_mixture(const struct forecast_item *it, size_t n, double shared_se,
    double rho, const struct forecast_rate rate[2], struct forecast_dist out[3])
{
	uint64_t seed = FORECAST_SEED;
	size_t nph = 1, i, s, g, ng[2] = { 0, 0 }, npois[2], cap[2] = { 0, 0 };
	double *z, *shift, *p[2], *pb[2], *pois[2] = { NULL, NULL }, *d[2], *tot;
	double l, a, mu;

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
	/* shift[i * SIMS + s]: item i's log-odds in simulation s, from its centre. */
	shift = xreallocarray(NULL, (n > 0 ? n : 1) * FORECAST_SIMS,
	    sizeof *shift);
	for (i = 0; i < n; i++) {
		double *sh = &shift[i * FORECAST_SIMS];
		const double *zp = &z[((size_t)it[i].phase + 1) * FORECAST_SIMS];

		for (s = 0; s < FORECAST_SIMS; s++)
			sh[s] = z[s] * shared_se + (sqrt(rho) * z[s] +
			    sqrt(1.0 - rho) * zp[s]) * it[i].se;
		mu = forecast_centre(it[i].p, sh, FORECAST_SIMS);
		for (s = 0; s < FORECAST_SIMS; s++)
			sh[s] += mu;
	}
	for (g = 0; g < 2; g++) {
		p[g] = xcalloc(ng[g] + 1, sizeof *p[g]);
		pb[g] = xcalloc(ng[g] + 1, sizeof *pb[g]);
		d[g] = NULL;
	}
	tot = NULL;
	for (s = 0; s < FORECAST_SIMS; s++) {
		size_t k[2] = { 0, 0 }, nd[2];

		for (i = 0; i < n; i++) {
			g = it[i].group != 0;
			p[g][k[g]++] = forecast_logistic(shift[i * FORECAST_SIMS +
			    s]);
		}
		for (g = 0; g < 2; g++) {
			size_t reach = forecast_reach(p[g], ng[g]);

			forecast_pb_upto(p[g], ng[g], reach, pb[g]);
			l = rate[g].mean;
			if (l > 0 && rate[g].windows > 0) {
				/* Gamma posterior of the rate, its mean kept. */
				a = l * rate[g].windows + 0.5;
				l = l * forecast_gamma(&seed, a) / a;
			}
			npois[g] = forecast_poisson(l, &pois[g], &cap[g]);
			nd[g] = reach + npois[g];
			d[g] = xreallocarray(d[g], nd[g], sizeof *d[g]);
			forecast_conv(pb[g], reach + 1, pois[g], npois[g], d[g]);
			forecast_accumulate(&out[g], d[g], nd[g],
			    1.0 / FORECAST_SIMS);
		}
		tot = xreallocarray(tot, nd[0] + nd[1] - 1, sizeof *tot);
		forecast_conv(d[0], nd[0], d[1], nd[1], tot);
		forecast_accumulate(&out[2], tot, nd[0] + nd[1] - 1,
		    1.0 / FORECAST_SIMS);
	}
	for (g = 0; g < 2; g++) {
		free(p[g]);
		free(pb[g]);
		free(pois[g]);
		free(d[g]);
	}
	free(tot);
	free(shift);
	free(z);
}
