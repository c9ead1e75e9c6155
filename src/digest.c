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
#include "report.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

/* ---- periods and recipients ---- */

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
	stalled_list_free(&d->stalled);
	forecast_free(&d->forecast);
	source_health_free(d->health, d->nhealth);
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

/* Appointments made in the period, as `appointments --by created` counts them. */
static int
digest_collect_appointments(struct store *st, const struct config *cfg,
    struct digest_data *d, struct err *err)
{
	struct report_filter rf = { cfg, d->period.since, d->period.until, NULL, NULL };
	struct digest_person *p;
	struct table t;
	size_t r, i;

	if (report_appointments(st, &rf, APPT_BY_CREATED, &t, err) != 0) {
		table_free(&t);
		return -1;
	}
	for (r = 0; r < t.nrows; r++) {
		p = digest_person(d, t.cells[r * t.ncols + 1].s);
		if (p == NULL)
			continue;
		p->appointments += (long)t.cells[r * t.ncols + 2].i;
		d->appointments += (long)t.cells[r * t.ncols + 2].i;
	}
	table_free(&t);
	for (i = 0; i < d->npeople; i++)
		d->people[i].per_day = d->working_days > 0 ?
		    (double)d->people[i].appointments / (double)d->working_days : 0;
	return 0;
}

/* Transitions in the period, per phase entered and per salesperson. */
static int
digest_collect_transitions(struct store *st, const struct config *cfg,
    struct digest_data *d, struct err *err)
{
	struct report_filter rf = { cfg, d->period.since, d->period.until, NULL, NULL };
	struct digest_person *p;
	struct table t;
	size_t r;
	int ph;

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
	return 0;
}

/* What digest_collect_deals fills while walking deals. */
struct digest_deals_walk {
	const struct config *cfg;
	struct digest_data *d;
	const struct report_moves *moves;
};

/* Counts a deal closed in the period, keeping the won ones. */
static int
digest_closed_deal(const struct store_deal *sd, void *arg)
{
	struct digest_data *d = ((struct digest_deals_walk *)arg)->d;
	struct digest_person *p;
	struct digest_won *w;

	p = digest_person(d, sd->salesperson);
	if (p == NULL || sd->outcome == NULL)
		return 0;
	if (strcmp(sd->outcome, "lost") == 0) {
		d->lost++;
		return 0;
	}
	d->won = xreallocarray(d->won, d->nwon + 1, sizeof *d->won);
	w = &d->won[d->nwon++];
	w->account = xstrdup(sd->account);
	w->salesperson = xstrdup(p->key);
	w->kind = sd->kind != NULL && strcmp(sd->kind, "growth") == 0 ?
	    DEAL_GROWTH : DEAL_NEW;
	w->closed = sd->closed;
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
 * Deals closed in the period, and the open deals per phase at now, as
 * the funnel's "current" counts them (report_count_open).
 */
static int
digest_collect_deals(struct store *st, const struct config *cfg,
    time_t now, struct digest_data *d, struct err *err)
{
	struct report_moves moves;
	struct digest_deals_walk w = { cfg, d, &moves };
	int rc;

	if (store_closed_deals(st, d->period.since, d->period.until,
	    digest_closed_deal, &w, err) != 0 ||
	    report_moves_load(st, cfg, now, &moves, err) != 0)
		return -1;
	/*
	 * A digest as of the clock (within the minute a run takes) has no
	 * deal closed after its time: the open ones, by their index, are
	 * all.  One as of an earlier day reads every deal, for those
	 * closed since.
	 */
	if (util_now() - now < 60)
		rc = store_open_deal_states(st, NULL, digest_open_deal, &w,
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

int
digest_collect(struct store *st, const struct config *cfg,
    const struct digest_period *period, const struct strlist *people,
    time_t now, struct digest_data *d, struct err *err)
{
	struct analysis_filter af = { cfg, period->since, period->until, now, people };
	size_t i;

	memset(d, 0, sizeof *d);
	d->period = *period;
	d->working_days = report_working_days(cfg, period->first, period->last);
	d->appt_target = cfg->targets.appointments_per_day > 0 ?
	    cfg->targets.appointments_per_day : NAN;
	d->people = xcalloc(cfg->npeople + 1, sizeof *d->people);
	for (i = 0; i < cfg->npeople; i++) {
		if (!analysis_admits(&af, cfg->people[i].key))
			continue;
		d->people[d->npeople].key = cfg->people[i].key;
		d->people[d->npeople].name = cfg->people[i].name != NULL ?
		    cfg->people[i].name : cfg->people[i].key;
		d->npeople++;
	}
	if (digest_collect_appointments(st, cfg, d, err) != 0 ||
	    digest_collect_transitions(st, cfg, d, err) != 0 ||
	    digest_collect_deals(st, cfg, now, d, err) != 0 ||
	    analysis_conversion(st, &af, &d->cur, &d->prev, err) != 0 ||
	    analysis_stalled(st, &af, &d->stalled, err) != 0 ||
	    analysis_forecast(st, &af, DIGEST_HORIZON_DAYS, false, &d->forecast,
	    err) != 0 ||
	    digest_collect_health(st, cfg, &af, d, err) != 0) {
		digest_data_free(d);
		return -1;
	}
	return 0;
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

int
digest_deliver(struct store *st, const struct config *cfg,
    const struct digest_period *period, time_t now, bool force,
    struct digest_state *state, struct err *err)
{
	struct digest_recipients r;
	struct digest_data d;
	struct err e = { 0 }, re;
	char newid[256], msgid[256], *msg;
	size_t i;
	long reply;
	int sent = 0, failed = 0, rc;
	bool unreachable = false;

	digest_flush(st, state, now);
	state->reply = 0;
	digest_recipients(cfg, &r);
	if (r.n == 0) {
		digest_recipients_free(&r);
		return err_set(err, ERR_FINAL, "no recipients: set [digest] to, "
		    "or a manager for the salespeople");
	}
	for (i = 0; i < r.n && !unreachable; i++) {
		const char *to = r.v[i].address;

		if (!force && digest_was_sent(st, period->key, to))
			continue;
		err_clear(&e);
		reply = 0;
		if (digest_collect(st, cfg, period, &r.v[i].people, now, &d, &e) != 0)
			goto failed;
		digest_message_id(cfg, period, now, newid, sizeof newid);
		rc = digest_claim(st, period->key, to, force, newid, msgid,
		    sizeof msgid, &e);
		if (rc <= 0) {
			digest_data_free(&d);
			if (rc < 0)
				goto failed;
			continue;	/* another sender has it */
		}
		msg = digest_message(cfg, &d, to, msgid, now);
		digest_data_free(&d);
		rc = digest_send(cfg, to, msg, state->stop, &reply, &e);
		free(msg);
		/* The others would only wait for the same server again. */
		if (rc != 0 && reply == 0 && e.cls != ERR_FINAL)
			unreachable = true;
		/* Accepted or not, the outcome is recorded, now or later. */
		if (digest_record(st, period->key, to, msgid, rc == 0, now,
		    &re) != 0) {
			log_warn("%s to %s: %s, but cannot record it yet: %s",
			    period->key, to, rc == 0 ? "sent" : "not sent",
			    re.msg);
			digest_pending_add(state, period->key, to, msgid,
			    rc == 0);
		}
		if (rc != 0)
			goto failed;
		log_info("%s sent to %s", period->key, to);
		sent++;
		continue;
failed:
		/* The first failure is the caller's to report, the rest ours. */
		if (failed++ == 0) {
			err_set(err, e.cls, "%s to %s: %s", period->key, to,
			    e.msg);
			state->reply = reply;
		} else
			log_warn("%s to %s: %s", period->key, to, e.msg);
	}
	digest_recipients_free(&r);
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
	char today[11], day[11];
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
