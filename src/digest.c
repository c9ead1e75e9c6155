/* SPDX-License-Identifier: MIT */
/*
 * The digest email (digest.h): collects the period's numbers through
 * report.c and analysis.c (so they equal the CLI's), has them rendered
 * (digest-render.c), sends each message through the libcurl wrapper
 * (http_mail_send), records what was sent, and decides when a digest is
 * due.  The agent calls digest_run() once per loop, and `salescycle
 * digest` composes or sends one on demand.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "digest"
#include "digest.h"
#include "http.h"
#include "log.h"
#include "money.h"
#include "report.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

/* ---- periods and recipients ---- */

#define DAY	86400

/* ISO 8601 week numbers from the C library, which knows the rule (%V). */
int
digest_iso_week(const char *day)
{
	struct tm tm = { 0 };
	char out[8], *end;
	time_t t;
	long week;
	int y, m, d;

	if (day == NULL || sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, sizeof out, "%V", &tm) == 0)
		return 0;
	week = strtol(out, &end, 10);
	return *end == '\0' && week >= 1 && week <= 53 ? (int)week : 0;
}

void
digest_personal_key(const struct digest_period *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "personal:%s", p->key);
}

/*
 * A week is an ISO week, Monday to Sunday, whatever the day of as_of:
 * so a digest sent by hand on a Wednesday and the one the agent sends on
 * its scheduled day cover the same days under the same key, and the
 * period is mailed once.
 */
int
digest_period_at(const struct config *cfg, const char *name, time_t as_of,
    struct digest_period *p, struct err *err)
{
	char today[11], end[11];
	int days;

	memset(p, 0, sizeof *p);
	if (name != NULL && strcmp(name, "week") == 0)
		days = 7;
	else if (name != NULL && strcmp(name, "day") == 0)
		days = 1;
	else
		return err_set(err, ERR_FINAL, "'%s': the period is week or day",
		    name != NULL ? name : "");
	snprintf(p->name, sizeof p->name, "%s", name);
	util_day(as_of, cfg->timezone, today, sizeof today);
	/* The period ends where today's day (or week) begins. */
	if (days == 7 && util_weekday(today) > 0)
		util_day_add(today, -util_weekday(today), end, sizeof end);
	else
		snprintf(end, sizeof end, "%s", today);
	util_day_add(end, -days, p->first, sizeof p->first);
	util_day_add(end, -1, p->last, sizeof p->last);
	snprintf(p->key, sizeof p->key, "%s:%s", p->name, p->first);
	p->week = digest_iso_week(p->first);
	if (util_day_start(p->first, cfg->timezone, &p->since) != 0 ||
	    util_day_start(end, cfg->timezone, &p->until) != 0)
		return err_set(err, ERR_FINAL, "cannot compute the days before %s",
		    end);
	return 0;
}

void
digest_recipients_free(struct digest_recipients *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].address);
		strlist_clear(&r->v[i].people);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

static struct digest_recipient *
digest_recipient_add(struct digest_recipients *r, const char *address)
{
	struct digest_recipient *d;

	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	d = &r->v[r->n++];
	memset(d, 0, sizeof *d);
	d->address = xstrdup(address);
	return d;
}

void
digest_recipients(const struct config *cfg, struct digest_recipients *r)
{
	struct digest_recipient *d;
	size_t i, j;

	memset(r, 0, sizeof *r);
	for (i = 0; i < cfg->digest.to.n; i++)
		digest_recipient_add(r, cfg->digest.to.v[i]);
	if (r->n > 0)
		return;
	for (i = 0; i < cfg->npeople; i++) {
		const struct salesperson *sp = &cfg->people[i];

		if (sp->manager == NULL)
			continue;
		d = NULL;
		for (j = 0; j < r->n; j++)
			if (strcasecmp(r->v[j].address, sp->manager) == 0)
				d = &r->v[j];
		if (d == NULL)
			d = digest_recipient_add(r, sp->manager);
		strlist_add(&d->people, sp->key);
	}
}

/* ---- collecting ---- */

void
digest_data_free(struct digest_data *d)
{
	size_t i;

	free(d->people);
	for (i = 0; i < d->nwon; i++) {
		free(d->won[i].account);
		free(d->won[i].salesperson);
	}
	free(d->won);
	for (i = 0; i < d->nmoves; i++) {
		free(d->moves[i].account);
		free(d->moves[i].salesperson);
	}
	free(d->moves);
	stalled_list_free(&d->stalled);
	forecast_free(&d->forecast);
	source_health_free(d->health, d->nhealth);
	lost_reasons_free(&d->lost_reasons);
	for (i = 0; i < d->nwaiting; i++)
		free(d->waiting[i].account);
	free(d->waiting);
	for (i = 0; i < d->nplanned; i++) {
		free(d->planned[i].account);
		free(d->planned[i].summary);
	}
	free(d->planned);
	for (i = 0; i < d->ncorrections; i++) {
		free(d->corrections[i].account);
		free(d->corrections[i].kind);
		free(d->corrections[i].value);
		free(d->corrections[i].ignored);
	}
	free(d->corrections);
	memset(d, 0, sizeof *d);
}

static struct digest_person *
digest_person(struct digest_data *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->npeople; i++)
		if (key != NULL && strcmp(d->people[i].key, key) == 0)
			return &d->people[i];
	return NULL;
}

/* The trend's week (0 the oldest) of day "YYYY-MM-DD"; -1 outside it. */
static int
digest_trend_index(const struct digest_data *d, const char *day)
{
	char start[11];
	int k;

	if (day == NULL || strcmp(day, d->trend_first) < 0)
		return -1;
	for (k = DIGEST_TREND_WEEKS - 1; k >= 0; k--) {
		util_day_add(d->trend_first, 7 * k, start, sizeof start);
		if (strcmp(day, start) >= 0)
			return k;
	}
	return -1;
}

/*
 * The trend's weeks: the ISO week of the period's last day and the
 * eleven before it, each cut at the period's end (a day digest's week
 * is partial), with their working days.
 */
static void
digest_trend_weeks(const struct config *cfg, struct digest_data *d)
{
	char monday[11], first[11], last[11];
	int k, wd = util_weekday(d->period.last);

	util_day_add(d->period.last, wd > 0 ? -wd : 0, monday, sizeof monday);
	util_day_add(monday, -7 * (DIGEST_TREND_WEEKS - 1), d->trend_first,
	    sizeof d->trend_first);
	for (k = 0; k < DIGEST_TREND_WEEKS; k++) {
		util_day_add(d->trend_first, 7 * k, first, sizeof first);
		util_day_add(first, 6, last, sizeof last);
		if (strcmp(last, d->period.last) > 0)
			snprintf(last, sizeof last, "%s", d->period.last);
		d->trend_week[k] = digest_iso_week(first);
		d->trend_working_days[k] = report_working_days(cfg, first, last);
	}
}

/*
 * Meetings booked (`appointments --by created`) or held (`--by start`)
 * from the trend's first day to the period's end, counted per
 * salesperson into the period and the trend's weeks.
 */
static int
digest_collect_appointments(struct store *st, const struct config *cfg,
    struct digest_data *d, enum appt_by by, struct err *err)
{
	struct report_filter rf = { cfg, 0, d->period.until, NULL, NULL };
	struct digest_person *p;
	struct table t;
	const char *day;
	size_t r, i;
	long n;
	int k;

	if (util_day_start(d->trend_first, cfg->timezone, &rf.since) != 0)
		return err_set(err, ERR_FINAL, "cannot compute the start of %s",
		    d->trend_first);
	if (rf.since > d->period.since)
		rf.since = d->period.since;
	if (report_appointments(st, &rf, by, &t, err) != 0) {
		table_free(&t);
		return -1;
	}
	for (r = 0; r < t.nrows; r++) {
		day = t.cells[r * t.ncols].s;
		p = digest_person(d, t.cells[r * t.ncols + 1].s);
		n = (long)t.cells[r * t.ncols + 2].i;
		if (p == NULL || day == NULL)
			continue;
		k = digest_trend_index(d, day);
		if (k >= 0)
			(by == APPT_BY_START ? p->trend_held :
			    p->trend_booked)[k] += n;
		if (strcmp(day, d->period.first) < 0 ||
		    strcmp(day, d->period.last) > 0)
			continue;
		if (by == APPT_BY_START) {
			p->held += n;
			d->held += n;
		} else {
			p->appointments += n;
			d->appointments += n;
		}
	}
	table_free(&t);
	for (i = 0; i < d->npeople; i++) {
		p = &d->people[i];
		p->per_day = d->working_days > 0 ?
		    (double)p->appointments / (double)d->working_days : 0;
		p->held_per_day = d->working_days > 0 ?
		    (double)p->held / (double)d->working_days : 0;
	}
	return 0;
}

/* What digest_person_signal fills. */
struct digest_signals_walk {
	const struct config *cfg;
	struct digest_data *d;
};

/*
 * Counts an offer sent into the period and the trend; keeps a signal of
 * the salesperson's own hashtag in the period (personal mail).
 */
static int
digest_person_signal(const struct store_person_signal *g, void *arg)
{
	struct digest_signals_walk *w = arg;
	struct digest_data *d = w->d;
	struct digest_person *p = digest_person(d, g->salesperson);
	struct digest_correction *c;
	char day[11];
	int k;

	if (p == NULL || g->kind == NULL || g->at >= d->as_of)
		return 0;
	if (strcmp(g->kind, "offer_sent") == 0 && g->ignored == NULL) {
		util_day(g->at, w->cfg->timezone, day, sizeof day);
		k = digest_trend_index(d, day);
		if (k >= 0)
			p->trend_offers[k]++;
		if (g->at >= d->period.since && g->at < d->period.until) {
			p->offers++;
			d->offers++;
		}
	}
	if (d->person == NULL || g->rule == NULL ||
	    strncmp(g->rule, "hashtag:", 8) != 0 ||
	    g->at < d->period.since || g->at >= d->period.until ||
	    d->ncorrections >= DIGEST_LIST_MAX)
		return 0;
	d->corrections = xreallocarray(d->corrections, d->ncorrections + 1,
	    sizeof *d->corrections);
	c = &d->corrections[d->ncorrections++];
	c->account = g->account != NULL ? xstrdup(g->account) : NULL;
	c->kind = xstrdup(g->kind);
	c->value = g->value != NULL ? xstrdup(g->value) : NULL;
	c->ignored = g->ignored != NULL ? xstrdup(g->ignored) : NULL;
	c->at = g->at;
	return 0;
}

/* Offers sent (trend and period) and, for a personal mail, corrections. */
static int
digest_collect_signals(struct store *st, const struct config *cfg,
    struct digest_data *d, struct err *err)
{
	struct digest_signals_walk w = { cfg, d };
	struct strlist people = { 0 };
	time_t since;
	size_t i;
	int rc;

	if (util_day_start(d->trend_first, cfg->timezone, &since) != 0)
		return err_set(err, ERR_FINAL, "cannot compute the start of %s",
		    d->trend_first);
	if (since > d->period.since)
		since = d->period.since;
	/* The digest's salespeople's alone: a manager's team of the company. */
	if (d->person != NULL)
		strlist_add(&people, d->person->key);
	for (i = 0; d->person == NULL && i < d->npeople; i++)
		strlist_add(&people, d->people[i].key);
	rc = people.n == 0 ? 0 : store_person_signals(st, &people, since,
	    d->period.until, digest_person_signal, &w, err);
	strlist_clear(&people);
	return rc;
}

/* Keeps the amount of an offer (in time order: the newest wins). */
static int
digest_offer_value(const struct store_signal *g, void *arg)
{
	double *value = arg, v;

	if (g->kind != NULL && strcmp(g->kind, "offer_sent") == 0 &&
	    g->subject != NULL && money_find(g->subject, &v))
		*value = v;
	return 0;
}

/* The account's value at as_of: its newest offer's amount, NAN if none. */
static int
digest_value(struct store *st, const char *account, time_t as_of,
    double *value, struct err *err)
{
	struct store_filter sf = { NULL, account, 0, as_of };

	*value = NAN;
	return store_signals(st, &sf, digest_offer_value, value, err);
}

/* What the walks of transitions and deals fill. */
struct digest_deals_walk {
	struct store	*st;
	const struct config *cfg;
	struct digest_data *d;
	const struct report_moves *moves;
	struct err	*err;
};

/* Keeps a move of a deal from one phase to another in the period. */
static int
digest_move(const struct store_transition *t, void *arg)
{
	struct digest_deals_walk *w = arg;
	struct digest_data *d = w->d;
	struct digest_person *p = digest_person(d, t->salesperson);
	struct digest_move *m;
	int from, to;

	if (p == NULL || t->from == NULL || t->at >= d->as_of)
		return 0;
	from = config_phase_index(w->cfg, t->from);
	to = config_phase_index(w->cfg, t->to);
	if (from == PHASE_NONE || to == PHASE_NONE)
		return 0;
	d->moves = xreallocarray(d->moves, d->nmoves + 1, sizeof *d->moves);
	m = &d->moves[d->nmoves++];
	m->account = xstrdup(t->account);
	m->salesperson = xstrdup(p->key);
	m->from = w->cfg->phases.name[from];
	m->to = w->cfg->phases.name[to];
	m->at = t->at;
	return 0;
}

/* Transitions in the period, per phase entered and per salesperson. */
static int
digest_collect_transitions(struct store *st, const struct config *cfg,
    struct digest_data *d, struct err *err)
{
	struct report_filter rf = { cfg, d->period.since, d->period.until, NULL, NULL };
	struct store_filter sf = { NULL, NULL, d->period.since, d->period.until };
	struct digest_deals_walk w = { st, cfg, d, NULL, err };
	struct digest_person *p;
	struct table t;
	size_t r;
	int ph;

	if (sf.until > d->as_of)
		sf.until = d->as_of;
	if (report_transitions(st, &rf, &t, err) != 0) {
		table_free(&t);
		return -1;
	}
	for (r = 0; r < t.nrows; r++) {
		p = digest_person(d, t.cells[r * t.ncols + 2].s);
		if (p == NULL)
			continue;
		p->transitions++;
		d->transitions++;
		ph = config_phase_index(cfg, t.cells[r * t.ncols + 5].s);
		if (ph != PHASE_NONE)
			d->transitions_to[ph]++;
	}
	table_free(&t);
	return store_transitions(st, &sf, digest_move, &w, err);
}

/* Counts a deal closed in the period, keeping it with its value. */
static int
digest_closed_deal(const struct store_deal *sd, void *arg)
{
	struct digest_deals_walk *dw = arg;
	struct digest_data *d = dw->d;
	struct digest_person *p;
	struct digest_won *w;

	p = digest_person(d, sd->salesperson);
	if (p == NULL || sd->outcome == NULL || sd->closed >= d->as_of)
		return 0;
	d->won = xreallocarray(d->won, d->nwon + 1, sizeof *d->won);
	w = &d->won[d->nwon++];
	w->account = xstrdup(sd->account);
	w->salesperson = xstrdup(p->key);
	w->kind = sd->kind != NULL && strcmp(sd->kind, "growth") == 0 ?
	    DEAL_GROWTH : DEAL_NEW;
	w->lost = strcmp(sd->outcome, "lost") == 0;
	w->closed = sd->closed;
	if (w->lost) {
		d->lost++;
		w->value = NAN;
		return 0;
	}
	if (w->kind == DEAL_GROWTH) {
		p->won_growth++;
		d->won_growth++;
	} else {
		p->won_new++;
		d->won_new++;
	}
	return 0;
}

/* Counts an open deal in its phase. */
static int
digest_open_deal(const struct store_deal_state *sd, void *arg)
{
	struct digest_deals_walk *w = arg;

	if (digest_person(w->d, sd->salesperson) != NULL)
		report_count_open(w->cfg, w->moves, sd, w->d->current);
	return 0;
}

/*
 * Whether d is read as of an earlier time, each deal as it stood then,
 * rather than as the deals are: never for a digest made now (the agent's
 * run, period.current, however long its mails have taken when it gets
 * to this one), else when as_of is a minute or more before the clock.
 */
static bool
digest_earlier(const struct digest_data *d)
{
	return !d->period.current && util_now() - d->as_of >= 60;
}

/*
 * Deals closed in the period (with their values, read once the walk is
 * done), and the open deals of people (NULL: all) per phase at as_of, as
 * the funnel's "current" counts them (report_count_open).
 */
static int
digest_collect_deals(struct store *st, const struct config *cfg,
    const struct strlist *people, struct digest_data *d, struct err *err)
{
	struct report_moves moves;
	struct digest_deals_walk w = { st, cfg, d, &moves, err };
	time_t now = d->as_of;
	size_t i;
	int rc;

	if (store_closed_deals(st, d->period.since, d->period.until,
	    digest_closed_deal, &w, err) != 0)
		return -1;
	for (i = 0; i < d->nwon; i++) {
		double v;

		if (digest_value(st, d->won[i].account, d->won[i].closed + 1,
		    &v, err) != 0)
			return -1;
		d->won[i].value = v;
		if (!d->won[i].lost && !isnan(v))
			d->won_value += v;
	}
	if (report_moves_load(st, cfg, now, &moves, err) != 0)
		return -1;
	/*
	 * A digest made now has no deal closed after its time: the open
	 * ones, by their index, are all.  One as of an earlier day reads
	 * every deal, for those closed since.
	 */
	if (!digest_earlier(d))
		rc = store_open_deal_states(st, people, digest_open_deal, &w,
		    err);
	else
		rc = store_deal_states(st, NULL, digest_open_deal, &w, err);
	report_moves_free(&moves);
	return rc;
}

/* The health of each configured source of the covered salespeople. */
static int
digest_collect_health(struct store *st, const struct config *cfg,
    const struct analysis_filter *af, struct digest_data *d, struct err *err)
{
	struct source_health *h = NULL;
	size_t nh = 0, i, j;

	if (store_health_list(st, &h, &nh, err) != 0)
		return -1;
	d->health = xcalloc(cfg->nsources + 1, sizeof *d->health);
	for (i = 0; i < cfg->nsources; i++) {
		const struct source *src = &cfg->sources[i];
		struct source_health *out;

		if (!analysis_admits(af, src->salesperson))
			continue;
		out = &d->health[d->nhealth++];
		out->source = xstrdup(src->name);
		for (j = 0; j < nh; j++) {
			if (strcmp(h[j].source, src->name) != 0)
				continue;
			out->last_attempt = h[j].last_attempt;
			out->last_success = h[j].last_success;
			out->backoff_until = h[j].backoff_until;
			/* A feed's URL is its password: never in a mail. */
			out->last_error = util_redacted(h[j].last_error,
			    src->type == SOURCE_ICS);
			out->error_since = h[j].error_since;
		}
	}
	source_health_free(h, nh);
	return 0;
}

/*
 * The cohort conversion: the deals that entered each phase in the
 * DIGEST_COHORT_WEEKS weeks that end DIGEST_COHORT_DAYS before the
 * period's end, so that every one of them had that long to move on by
 * then, against the cohort before it.
 */
static int
digest_collect_cohort(struct store *st, const struct analysis_filter *af,
    struct digest_data *d, struct err *err)
{
	struct analysis_filter cf = *af;

	cf.until = d->period.until - (time_t)DIGEST_COHORT_DAYS * DAY;
	cf.since = cf.until - (time_t)DIGEST_COHORT_WEEKS * 7 * DAY;
	return analysis_cohorts(st, &cf, DIGEST_COHORT_DAYS, &d->cohort,
	    &d->cohort_prev, err);
}

/*
 * Per salesperson, the open deals from the suspect phase on as of the
 * digest and how many are qualified (analysis_qualification_of): only
 * the digest's salespeople's deals are read.
 */
static int
digest_collect_qualification(struct store *st, const struct config *cfg,
    const struct analysis_filter *af, struct digest_data *d, struct err *err)
{
	struct qualification_count *cnt;
	size_t i, k, p, nph = cfg->phases.n;
	int rc;

	cnt = xcalloc(cfg->npeople * nph + 1, sizeof *cnt);
	rc = analysis_qualification_of(st, af, cnt, err);
	for (i = 0; rc == 0 && i < d->npeople; i++) {
		for (k = 0; k < cfg->npeople; k++)
			if (strcmp(cfg->people[k].key, d->people[i].key) == 0)
				break;
		for (p = ANALYSIS_QUAL_FIRST_PHASE; k < cfg->npeople && p < nph;
		    p++) {
			d->people[i].qual_open += cnt[k * nph + p].open;
			d->people[i].qual_qualified += cnt[k * nph + p].qualified;
		}
	}
	free(cnt);
	return rc;
}

/*
 * The forecast's sums of a digest, made beside the rest of it
 * (store_beside): at 10M signals the forecast reads every deal's steps
 * and was the second half of a manager's digest, on one core, after the
 * first.  It may be a commit later than the rest of the digest.
 */
struct digest_forecast_ahead {
	struct analysis_filter	 af;
	struct forecast		*out;
};

bool digest_forecast_read_ahead;

static int
digest_forecast_read(struct store *st, void *arg, struct err *err)
{
	struct digest_forecast_ahead *a = arg;

	return analysis_forecast_sums(st, &a->af, DIGEST_HORIZON_DAYS, a->out,
	    err);
}

static int
digest_collect_common(struct store *st, const struct config *cfg,
    const struct digest_period *period, const struct strlist *people,
    time_t now, struct analysis_shared *shared, struct digest_data *d,
    struct err *err)
{
	struct analysis_filter af = { cfg, period->since, period->until, now,
	    people, period->current, shared };
	struct digest_forecast_ahead fa = { af, &d->forecast };
	struct store_beside sb;
	bool ahead = false;
	size_t i;
	int rc;

	d->period = *period;
	d->as_of = now;
	d->working_days = report_working_days(cfg, period->first, period->last);
	d->appt_target = cfg->targets.appointments_per_day > 0 ?
	    cfg->targets.appointments_per_day : NAN;
	d->offer_target = cfg->targets.offers_per_week > 0 ?
	    cfg->targets.offers_per_week : NAN;
	digest_trend_weeks(cfg, d);
	d->people = xcalloc(cfg->npeople + 1, sizeof *d->people);
	for (i = 0; i < cfg->npeople; i++) {
		if (!analysis_admits(&af, cfg->people[i].key))
			continue;
		d->people[d->npeople].key = cfg->people[i].key;
		d->people[d->npeople].name = cfg->people[i].name != NULL ?
		    cfg->people[i].name : cfg->people[i].key;
		d->npeople++;
	}
	/* A salesperson's own mail shows none of the rest: not computed. */
	if (d->person == NULL)
		ahead = store_beside_start(st, &sb, digest_forecast_read, &fa);
	digest_forecast_read_ahead = ahead;
	rc = digest_collect_appointments(st, cfg, d, APPT_BY_CREATED, err) != 0 ||
	    digest_collect_appointments(st, cfg, d, APPT_BY_START, err) != 0 ||
	    digest_collect_signals(st, cfg, d, err) != 0 ? -1 : 0;
	if (rc == 0 && d->person == NULL &&
	    (analysis_stalled(st, &af, &d->stalled, err) != 0 ||
	    digest_collect_qualification(st, cfg, &af, d, err) != 0 ||
	    digest_collect_transitions(st, cfg, d, err) != 0 ||
	    digest_collect_deals(st, cfg, people, d, err) != 0 ||
	    analysis_conversion(st, &af, &d->cur, &d->prev, err) != 0 ||
	    digest_collect_cohort(st, &af, d, err) != 0 ||
	    (!ahead && analysis_forecast_sums(st, &af, DIGEST_HORIZON_DAYS,
	    &d->forecast, err) != 0) ||
	    digest_collect_health(st, cfg, &af, d, err) != 0))
		rc = -1;
	return ahead ? store_beside_join(&sb, rc, err) : rc;
}

int
digest_collect(struct store *st, const struct config *cfg,
    const struct digest_period *period, const struct strlist *people,
    time_t now, struct analysis_shared *shared, struct digest_data *d,
    struct err *err)
{
	memset(d, 0, sizeof *d);
	d->lang = config_language(cfg, NULL);
	d->currency = cfg->currency;
	if (digest_collect_common(st, cfg, period, people, now, shared, d,
	    err) != 0 ||
	    lost_reasons_collect(st, cfg, people, period->since, period->until,
	    &d->lost_reasons, err) != 0) {
		digest_data_free(d);
		return -1;
	}
	return 0;
}

/* What the walks of a personal mail fill. */
struct digest_personal_walk {
	struct store	*st;
	const struct config *cfg;
	struct digest_data *d;
	int		 offer;		/* the phase an offer enters */
	time_t		 from, to;	/* the planned meetings' range */
	struct err	*err;
};

/* Keeps an open deal of the salesperson waiting for an answer to its offer. */
static int
digest_waiting_offer(const struct store_open_deal *od, void *arg)
{
	struct digest_personal_walk *w = arg;
	struct digest_data *d = w->d;
	const struct store_deal *sd = &od->deal;
	struct digest_offer *o;

	if (sd->salesperson == NULL ||
	    strcmp(sd->salesperson, d->person->key) != 0 ||
	    config_phase_index(w->cfg, sd->phase) != w->offer ||
	    od->phase_since == 0 || od->phase_since > d->as_of ||
	    od->last_inbound >= od->phase_since)
		return 0;
	d->waiting = xreallocarray(d->waiting, d->nwaiting + 1,
	    sizeof *d->waiting);
	o = &d->waiting[d->nwaiting++];
	o->account = xstrdup(sd->account);
	o->sent = od->phase_since;
	o->days = (double)(d->as_of - od->phase_since) / DAY;
	o->value = NAN;
	return 0;
}

/* Keeps the phase a deal was in at w->at, from its entries in time order. */
struct digest_phase_at {
	time_t		 at;
	char		 phase[64];
	time_t		 since;
	time_t		 heard;		/* its last inbound signal by then */
};

static int
digest_phase_entry(const struct store_entry *e, void *arg)
{
	struct digest_phase_at *pa = arg;

	if (e->at <= pa->at && e->phase != NULL) {
		snprintf(pa->phase, sizeof pa->phase, "%s", e->phase);
		pa->since = e->at;
	}
	return 0;
}

static int
digest_inbound(const struct store_signal *g, void *arg)
{
	struct digest_phase_at *pa = arg;

	if (g->direction != NULL &&
	    strcmp(g->direction, direction_name(DIR_INBOUND)) == 0)
		pa->heard = g->at;
	return 0;
}

/*
 * An earlier as_of: a deal open then, as it stood then (its phase from
 * its entries, its last word from the signals known then).
 */
static int
digest_waiting_offer_at(const struct store_deal *sd, void *arg)
{
	struct digest_personal_walk *w = arg;
	struct digest_data *d = w->d;
	struct digest_phase_at pa = { d->as_of, "", 0, 0 };
	struct store_open_deal od = { 0 };
	struct store_filter sf = { NULL, sd->account, 0, d->as_of + 1 };

	if (sd->salesperson == NULL ||
	    strcmp(sd->salesperson, d->person->key) != 0 ||
	    sd->opened > d->as_of ||
	    (sd->closed != 0 && sd->closed <= d->as_of))
		return 0;
	if (store_deal_entries(w->st, sd->id, digest_phase_entry, &pa,
	    w->err) != 0)
		return -1;
	if (config_phase_index(w->cfg, pa.phase) != w->offer)
		return 0;
	sf.since = pa.since;
	if (store_signals(w->st, &sf, digest_inbound, &pa, w->err) != 0)
		return -1;
	od.deal = *sd;
	od.deal.phase = pa.phase;
	od.phase_since = pa.since;
	od.last_inbound = pa.heard;
	return digest_waiting_offer(&od, w);
}

/* The longest waiting first. */
static int
digest_cmp_waiting(const void *a, const void *b)
{
	const struct digest_offer *x = a, *y = b;

	if (x->sent != y->sent)
		return x->sent < y->sent ? -1 : 1;
	return strcmp(x->account, y->account);
}

/* Keeps a meeting of the salesperson planned in the range. */
static int
digest_planned_meeting(const struct store_meeting *m, void *arg)
{
	struct digest_personal_walk *w = arg;
	struct digest_data *d = w->d;
	struct digest_meeting *p;

	/* A meeting booked after as_of was not known then. */
	if (m->salesperson == NULL ||
	    strcmp(m->salesperson, d->person->key) != 0 ||
	    m->start < w->from || m->start >= w->to ||
	    (m->created != 0 && m->created > d->as_of) ||
	    d->nplanned >= DIGEST_LIST_MAX)
		return 0;
	d->planned = xreallocarray(d->planned, d->nplanned + 1,
	    sizeof *d->planned);
	p = &d->planned[d->nplanned++];
	p->account = xstrdup(m->account);
	p->summary = m->summary != NULL ? xstrdup(m->summary) : NULL;
	p->start = m->start;
	return 0;
}

/* In time order. */
static int
digest_cmp_planned(const void *a, const void *b)
{
	const struct digest_meeting *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->account, y->account);
}

/* The offers waiting, with values, and the meetings of the week after. */
static int
digest_collect_own(struct store *st, const struct config *cfg,
    struct digest_data *d, struct err *err)
{
	struct digest_personal_walk w = { st, cfg, d,
	    cfg->phases.enters[SIG_OFFER_SENT], 0, 0, err };
	struct store_filter open_then = { NULL, NULL, d->as_of, d->as_of + 1 };
	char day[11], next[11], lo[11], hi[11];
	size_t i;

	/* As of an earlier time, the deals open then (one closed since was). */
	if (w.offer != PHASE_NONE && digest_earlier(d)) {
		if (store_deals(st, &open_then, digest_waiting_offer_at, &w,
		    err) != 0)
			return -1;
	} else if (w.offer != PHASE_NONE && store_open_deals_of(st,
	    d->person->key, digest_waiting_offer, &w, err) != 0)
		return -1;
	if (d->nwaiting > 1)
		qsort(d->waiting, d->nwaiting, sizeof *d->waiting,
		    digest_cmp_waiting);
	for (i = 0; i < d->nwaiting; i++)
		if (digest_value(st, d->waiting[i].account, d->as_of + 1,
		    &d->waiting[i].value, err) != 0)
			return -1;
	/* The week the mail arrives in: from the period's end, not before as_of. */
	util_day(d->period.until, cfg->timezone, day, sizeof day);
	util_day_add(day, 7, next, sizeof next);
	d->planned_week = digest_iso_week(day);
	w.from = d->period.until > d->as_of ? d->period.until : d->as_of;
	if (util_day_start(next, cfg->timezone, &w.to) != 0)
		return err_set(err, ERR_FINAL, "cannot compute the start of %s",
		    next);
	/* Their days, with two either side for any zone the start was in. */
	util_day(w.from - 2 * DAY, cfg->timezone, lo, sizeof lo);
	util_day(w.to + 2 * DAY, cfg->timezone, hi, sizeof hi);
	if (store_meetings_of(st, d->person->key, lo, hi,
	    digest_planned_meeting, &w, err) != 0)
		return -1;
	if (d->nplanned > 1)
		qsort(d->planned, d->nplanned, sizeof *d->planned,
		    digest_cmp_planned);
	return 0;
}

int
digest_stalled_all(struct store *st, const struct config *cfg, time_t now,
    struct analysis_shared *shared, struct stalled_list *out, struct err *err)
{
	struct analysis_filter af = { cfg, 0, 0, now, NULL, false, shared };

	return analysis_stalled(st, &af, out, err);
}

/* Copies the stalled deals of salesperson key from all into out. */
static void
digest_stalled_of(const struct stalled_list *all, const char *key,
    struct stalled_list *out)
{
	struct stalled *s;
	size_t i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < all->n; i++) {
		if (all->v[i].salesperson == NULL ||
		    strcmp(all->v[i].salesperson, key) != 0)
			continue;
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		s = &out->v[out->n++];
		*s = all->v[i];
		s->account = xstrdup(all->v[i].account);
		s->salesperson = xstrdup(all->v[i].salesperson);
		s->evidence = all->v[i].evidence != NULL ?
		    xstrdup(all->v[i].evidence) : NULL;
	}
}

int
digest_collect_personal(struct store *st, const struct config *cfg,
    const struct digest_period *period, const struct salesperson *sp,
    const struct stalled_list *all, time_t now, struct digest_data *d,
    struct err *err)
{
	struct analysis_filter af = { cfg, period->since, period->until, now,
	    NULL, period->current, NULL };
	struct strlist one = { 0 };
	int rc;

	memset(d, 0, sizeof *d);
	d->person = sp;
	d->lang = config_language(cfg, sp);
	d->currency = cfg->currency;
	strlist_add(&one, sp->key);
	af.salespeople = &one;
	rc = digest_collect_common(st, cfg, period, &one, now, NULL, d, err);
	/* In the order of all (the ranking is the same for a subset). */
	if (rc == 0 && all != NULL)
		digest_stalled_of(all, sp->key, &d->stalled);
	else if (rc == 0)
		rc = analysis_stalled(st, &af, &d->stalled, err);
	strlist_clear(&one);
	if (rc == 0)
		rc = digest_collect_own(st, cfg, d, err);
	if (rc != 0)
		digest_data_free(d);
	return rc;
}

/* ---- sending ---- */

/*
 * The session settings of [smtp] for one mail to `to` (NULL: a check):
 * the password fetched by config_secret, which the caller wipes and frees.
 */
static int
digest_mail_setup(const struct config *cfg, const char *to,
    struct http_mail *m, char **password, struct err *err)
{
	const struct smtp *s = &cfg->smtp;

	*password = NULL;
	if (s->url == NULL || s->from == NULL)
		return err_set(err, ERR_FINAL, "no [smtp] url and from configured");
	if (to != NULL && !util_valid_address(to))
		return err_set(err, ERR_FINAL, "'%s' is not a mail address", to);
	if (!util_valid_address(s->from))
		return err_set(err, ERR_FINAL, "[smtp] from '%s' is not a mail "
		    "address", s->from);
	if (s->user != NULL && config_secret(&s->password, password, err) != 0)
		return -1;
	memset(m, 0, sizeof *m);
	m->url = s->url;
	/* STARTTLS is required on smtp:// unless the admin said tls = none. */
	m->starttls = s->tls != TLS_NONE;
	m->user = s->user;
	m->password = *password;
	m->ca_file = s->ca_file;
	m->timeout = s->timeout > 0 ? s->timeout : 30;
	m->from = s->from;
	m->to = to;
	return 0;
}

/* Wipes and frees a password of digest_mail_setup. */
static void
digest_mail_wipe(char *password)
{
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
}

int
digest_send(const struct config *cfg, const char *to, const char *msg,
    const volatile sig_atomic_t *stop, long *reply, struct err *err)
{
	struct http_mail m;
	char *password = NULL;
	int rc;

	*reply = 0;
	if (digest_mail_setup(cfg, to, &m, &password, err) != 0)
		return -1;
	m.stop = stop;
	rc = http_mail_send(&m, msg, reply, err);
	digest_mail_wipe(password);
	return rc;
}

int
digest_check(const struct config *cfg, int timeout,
    struct http_mail_info *info, struct err *err)
{
	struct http_mail m;
	char *password = NULL;
	int rc;

	memset(info, 0, sizeof *info);
	if (digest_mail_setup(cfg, NULL, &m, &password, err) != 0)
		return -1;
	if (timeout > 0)
		m.timeout = timeout;
	rc = http_mail_check(&m, info, err);
	digest_mail_wipe(password);
	return rc;
}

/* ---- the record of sent periods ---- */

/* How soon the agent tries again to record an outcome it could not. */
#define DIGEST_RECORD_RETRY	30

bool
digest_was_sent(struct store *st, const char *period_key, const char *recipient)
{
	return store_digest_taken(st, period_key, recipient);
}

int
digest_claim(struct store *st, const char *period_key, const char *recipient,
    bool force, const char *new_id, char *msgid, size_t msgid_len,
    struct err *err)
{
	char *state = NULL, *old = NULL;

	snprintf(msgid, msgid_len, "%s", new_id);
	/* BEGIN IMMEDIATE: two senders cannot both see the period free. */
	if (store_begin(st, err) != 0)
		return -1;
	if (store_digest_get(st, period_key, recipient, &state, &old, err) != 0)
		goto fail;
	if (state != NULL) {
		if (!force && strcmp(state, "failed") != 0) {
			free(state);
			free(old);
			store_rollback(st);
			return 0;
		}
		/* A retry after a failure keeps the Message-ID. */
		if (!force && old != NULL)
			snprintf(msgid, msgid_len, "%s", old);
	}
	free(state);
	free(old);
	if (store_digest_claim(st, period_key, recipient, msgid, util_now(),
	    err) != 0 || store_commit(st, err) != 0)
		goto fail;
	return 1;
fail:
	store_rollback(st);
	return -1;
}

int
digest_record(struct store *st, const char *period_key, const char *recipient,
    const char *msgid, bool sent, time_t now, struct err *err)
{
	return store_digest_done(st, period_key, recipient, msgid, sent, now,
	    err);
}

/* Keeps an outcome for digest_flush. */
static void
digest_pending_add(struct digest_state *state, const char *period_key,
    const char *recipient, const char *msgid, bool sent)
{
	struct digest_pending *p;

	state->pending = xreallocarray(state->pending, state->npending + 1,
	    sizeof *state->pending);
	p = &state->pending[state->npending++];
	p->period = xstrdup(period_key);
	p->recipient = xstrdup(recipient);
	p->msgid = xstrdup(msgid);
	p->sent = sent;
}

static void
digest_pending_free(struct digest_pending *p)
{
	free(p->period);
	free(p->recipient);
	free(p->msgid);
}

size_t
digest_flush(struct store *st, struct digest_state *state, time_t now)
{
	struct err err;
	size_t i, j;

	for (i = j = 0; i < state->npending; i++) {
		struct digest_pending *p = &state->pending[i];

		if (digest_record(st, p->period, p->recipient, p->msgid,
		    p->sent, now, &err) == 0) {
			log_info("%s to %s: recorded as %s", p->period,
			    p->recipient, p->sent ? "sent" : "not sent");
			digest_pending_free(p);
			continue;
		}
		state->pending[j++] = *p;
	}
	state->npending = j;
	if (j == 0) {
		free(state->pending);
		state->pending = NULL;
	}
	return j;
}

void
digest_state_free(struct digest_state *state)
{
	size_t i;

	for (i = 0; i < state->npending; i++) {
		log_warn("%s to %s: %s, but that is not recorded; it will not "
		    "be sent again", state->pending[i].period,
		    state->pending[i].recipient, state->pending[i].sent ?
		    "sent" : "not sent");
		digest_pending_free(&state->pending[i]);
	}
	free(state->pending);
	memset(state, 0, sizeof *state);
}

/* One message of a period: to whom, under which record, with what. */
struct digest_target {
	const char	*to;		/* borrowed */
	const char	*key;		/* the record's period key */
	const struct strlist *people;	/* the manager's digest: borrowed */
	const struct salesperson *sp;	/* a personal mail: borrowed */
	const struct stalled_list *stalled;	/* everyone's, for sp: borrowed */
	struct analysis_shared *shared;	/* the run's: borrowed */
};

/*
 * Composes, claims, sends and records one message.  Returns 1 sent, 0
 * not (another sender has it), -1 failed with e and *reply;
 * *unreachable when the server could not be reached.
 */
static int
digest_deliver_one(struct store *st, const struct config *cfg,
    const struct digest_period *period, time_t now, bool force,
    struct digest_state *state, const struct digest_target *t, long *reply,
    bool *unreachable, struct err *e)
{
	struct digest_data d;
	struct err re;
	char newid[256], msgid[256], *msg;
	int rc;

	if (t->sp != NULL)
		rc = digest_collect_personal(st, cfg, period, t->sp, t->stalled,
		    now, &d, e);
	else
		rc = digest_collect(st, cfg, period, t->people, now, t->shared,
		    &d, e);
	if (rc != 0)
		return -1;
	digest_message_id(cfg, period, now, newid, sizeof newid);
	rc = digest_claim(st, t->key, t->to, force, newid, msgid, sizeof msgid,
	    e);
	if (rc <= 0) {
		digest_data_free(&d);
		return rc;	/* 0: another sender has it */
	}
	msg = digest_message(cfg, &d, t->to, msgid, now);
	digest_data_free(&d);
	rc = digest_send(cfg, t->to, msg, state->stop, reply, e);
	free(msg);
	/* The others would only wait for the same server again. */
	if (rc != 0 && *reply == 0 && e->cls != ERR_FINAL)
		*unreachable = true;
	/* Accepted or not, the outcome is recorded, now or later. */
	if (digest_record(st, t->key, t->to, msgid, rc == 0, now, &re) != 0) {
		log_warn("%s to %s: %s, but cannot record it yet: %s", t->key,
		    t->to, rc == 0 ? "sent" : "not sent", re.msg);
		digest_pending_add(state, t->key, t->to, msgid, rc == 0);
	}
	if (rc != 0)
		return -1;
	log_info("%s sent to %s", t->key, t->to);
	return 1;
}

/* Whether any salesperson gets a personal mail. */
static bool
digest_any_personal(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->npeople; i++)
		if (config_personal_digest(cfg, &cfg->people[i]))
			return true;
	return false;
}

void
digest_shared_cover(struct analysis_shared *shared, const struct config *cfg,
    const struct digest_recipients *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		analysis_shared_cover(shared, &r->v[i].people);
	if (r->n == 0 || digest_any_personal(cfg))
		analysis_shared_cover(shared, NULL);
}

int
digest_deliver(struct store *st, const struct config *cfg,
    const struct digest_period *period, time_t now, bool force,
    struct digest_state *state, struct err *err)
{
	struct digest_recipients r;
	struct digest_target t;
	struct stalled_list all = { 0 };
	struct analysis_shared *shared;
	struct err e = { 0 };
	char personal[64];
	size_t i, n;
	long reply;
	int sent = 0, failed = 0, rc;
	bool unreachable = false, have_all = false;

	digest_flush(st, state, now);
	state->reply = 0;
	digest_recipients(cfg, &r);
	if (r.n == 0 && !digest_any_personal(cfg)) {
		digest_recipients_free(&r);
		return err_set(err, ERR_FINAL, "no recipients: set [digest] to, "
		    "or a manager for the salespeople");
	}
	digest_personal_key(period, personal, sizeof personal);
	/* What every digest of the run reads of the whole history, read once. */
	shared = analysis_shared_new();
	digest_shared_cover(shared, cfg, &r);
	/* The managers' digests, then each salesperson's own mail. */
	n = r.n + cfg->npeople;
	for (i = 0; i < n && !unreachable; i++) {
		memset(&t, 0, sizeof t);
		if (i < r.n) {
			t.to = r.v[i].address;
			t.key = period->key;
			t.people = &r.v[i].people;
		} else {
			t.sp = &cfg->people[i - r.n];
			if (!config_personal_digest(cfg, t.sp))
				continue;
			t.to = t.sp->email.v[0];
			t.key = personal;
		}
		if (!force && digest_was_sent(st, t.key, t.to))
			continue;
		err_clear(&e);
		reply = 0;
		/* Everyone's stalled deals once, for all the personal mails. */
		if (t.sp != NULL && !have_all) {
			if (digest_stalled_all(st, cfg, now, shared, &all,
			    &e) != 0)
				goto failed;
			have_all = true;
		}
		t.stalled = have_all ? &all : NULL;
		t.shared = shared;
		rc = digest_deliver_one(st, cfg, period, now, force, state, &t,
		    &reply, &unreachable, &e);
		if (rc > 0)
			sent++;
		if (rc >= 0)
			continue;
failed:
		/* The first failure is the caller's to report, the rest ours. */
		if (failed++ == 0) {
			err_set(err, e.cls, "%s to %s: %s", t.key, t.to, e.msg);
			state->reply = reply;
		} else
			log_warn("%s to %s: %s", t.key, t.to, e.msg);
	}
	digest_recipients_free(&r);
	stalled_list_free(&all);
	analysis_shared_free(shared);
	return failed > 0 ? -1 : sent;
}

/* ---- the schedule ---- */

/* The schedule's weekday (0 = Monday, -1 = daily), hour and minute; -1 if none. */
static int
digest_schedule(const struct config *cfg, int *wd, int *h, int *m)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
	    "sat", "sun" };
	char day[16];
	int i;

	if (cfg->digest.schedule == NULL ||
	    sscanf(cfg->digest.schedule, "%15s %d:%d", day, h, m) != 3)
		return -1;
	*wd = -1;
	for (i = 0; i < 7; i++)
		if (strcasecmp(day, days[i]) == 0)
			*wd = i;
	if (*wd < 0 && strcasecmp(day, "daily") != 0)
		return -1;
	return 0;
}

/* The scheduled time on day, or -1 when the schedule skips that day. */
static time_t
digest_slot(const struct config *cfg, const char *day, int wd, int h, int m)
{
	char local[32];
	time_t t;

	if (wd >= 0 && util_weekday(day) != wd)
		return -1;
	snprintf(local, sizeof local, "%sT%02d:%02d", day, h, m);
	if (util_parse_time(local, cfg->timezone, &t) != 0)
		return -1;
	return t;
}

int
digest_due(struct store *st, const struct config *cfg, time_t now,
    struct digest_period *period)
{
	struct digest_recipients r;
	struct err err;
	char today[11], day[11], personal[64];
	time_t slot = -1;
	size_t i;
	int wd, h, m, k, due = 0;

	if (digest_schedule(cfg, &wd, &h, &m) != 0)
		return 0;
	util_day(now, cfg->timezone, today, sizeof today);
	for (k = 0; k <= 7 && slot < 0; k++) {
		util_day_add(today, -k, day, sizeof day);
		slot = digest_slot(cfg, day, wd, h, m);
		if (slot > now)
			slot = -1;
	}
	if (slot < 0 || digest_period_at(cfg, cfg->digest.period, slot, period,
	    &err) != 0)
		return 0;
	digest_recipients(cfg, &r);
	for (i = 0; i < r.n && !due; i++)
		if (!digest_was_sent(st, period->key, r.v[i].address))
			due = 1;
	digest_recipients_free(&r);
	digest_personal_key(period, personal, sizeof personal);
	for (i = 0; i < cfg->npeople && !due; i++)
		if (config_personal_digest(cfg, &cfg->people[i]) &&
		    !digest_was_sent(st, personal, cfg->people[i].email.v[0]))
			due = 1;
	return due;
}

time_t
digest_next(const struct config *cfg, time_t now)
{
	char today[11], day[11];
	time_t slot;
	int wd, h, m, k;

	if (digest_schedule(cfg, &wd, &h, &m) != 0)
		return 0;
	util_day(now, cfg->timezone, today, sizeof today);
	for (k = 0; k <= 8; k++) {
		util_day_add(today, k, day, sizeof day);
		slot = digest_slot(cfg, day, wd, h, m);
		if (slot > now)
			return slot;
	}
	return 0;
}

int
digest_run(struct store *st, const struct config *cfg, time_t now,
    struct digest_state *state, time_t *next, struct err *err)
{
	struct digest_period period;
	time_t backoff;
	int n;

	*next = digest_next(cfg, now);
	if (digest_flush(st, state, now) > 0 &&
	    (*next == 0 || now + DIGEST_RECORD_RETRY < *next))
		*next = now + DIGEST_RECORD_RETRY;
	if (state->retry_at > now) {
		if (*next == 0 || state->retry_at < *next)
			*next = state->retry_at;
		return 0;
	}
	if (!digest_due(st, cfg, now, &period))
		return 0;
	period.current = true;
	n = digest_deliver(st, cfg, &period, now, false, state, err);
	if (state->npending > 0 &&
	    (*next == 0 || now + DIGEST_RECORD_RETRY < *next))
		*next = now + DIGEST_RECORD_RETRY;
	if (n >= 0) {
		state->failures = 0;
		state->retry_at = 0;
		return n;
	}
	state->failures++;
	backoff = state->failures >= 7 ? 3600 : (time_t)60 << (state->failures - 1);
	if (backoff > 3600)
		backoff = 3600;
	state->retry_at = now + backoff;
	if (*next == 0 || state->retry_at < *next)
		*next = state->retry_at;
	return -1;
}
