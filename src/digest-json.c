/* SPDX-License-Identifier: MIT */
/*
 * The digest's data as JSON (`salescycle digest --format json`): the
 * same numbers as the mail, from the same struct digest_data, so that a
 * script and the reader of the mail never disagree.  Pure.
 */
#include <math.h>
#include <string.h>

#include "digest.h"
#include "printer.h"

/* A count per week of the trend. */
static void
digest_json_weeks(struct json *j, const char *key, const long *v)
{
	int k;

	json_key(j, key);
	json_begin_array(j);
	for (k = 0; k < DIGEST_TREND_WEEKS; k++)
		json_int(j, v[k]);
	json_end_array(j);
}

static void
digest_json_people(struct json *j, const struct digest_data *d)
{
	size_t i;

	json_key(j, "salespeople");
	json_begin_array(j);
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		json_begin_object(j);
		json_key(j, "salesperson");
		json_str(j, p->key);
		json_key(j, "name");
		json_str(j, p->name);
		json_key(j, "held");
		json_int(j, p->held);
		json_key(j, "held_per_day");
		json_real(j, p->held_per_day);
		json_key(j, "booked");
		json_int(j, p->appointments);
		json_key(j, "booked_per_day");
		json_real(j, p->per_day);
		json_key(j, "offers_sent");
		json_int(j, p->offers);
		json_key(j, "transitions");
		json_int(j, p->transitions);
		json_key(j, "won_new");
		json_int(j, p->won_new);
		json_key(j, "won_growth");
		json_int(j, p->won_growth);
		json_key(j, "qualification_open");
		json_int(j, p->qual_open);
		json_key(j, "qualified");
		json_int(j, p->qual_qualified);
		json_key(j, "trend");
		json_begin_object(j);
		digest_json_weeks(j, "held", p->trend_held);
		digest_json_weeks(j, "booked", p->trend_booked);
		digest_json_weeks(j, "offers_sent", p->trend_offers);
		json_end_object(j);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
digest_json_closed(struct json *j, const struct digest_data *d)
{
	size_t i;

	json_key(j, "moves");
	json_begin_array(j);
	for (i = 0; i < d->nmoves; i++) {
		json_begin_object(j);
		json_key(j, "account");
		json_str(j, d->moves[i].account);
		json_key(j, "salesperson");
		json_str(j, d->moves[i].salesperson);
		json_key(j, "from");
		json_str(j, d->moves[i].from);
		json_key(j, "to");
		json_str(j, d->moves[i].to);
		json_key(j, "at");
		json_time(j, d->moves[i].at);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "closed");
	json_begin_array(j);
	for (i = 0; i < d->nwon; i++) {
		json_begin_object(j);
		json_key(j, "account");
		json_str(j, d->won[i].account);
		json_key(j, "salesperson");
		json_str(j, d->won[i].salesperson);
		json_key(j, "outcome");
		json_str(j, d->won[i].lost ? "lost" : "won");
		json_key(j, "kind");
		json_str(j, deal_kind_name(d->won[i].kind));
		json_key(j, "value");
		json_real(j, d->won[i].value);
		json_key(j, "closed");
		json_time(j, d->won[i].closed);
		json_end_object(j);
	}
	json_end_array(j);
}

/* One conversion of the cohort: per phase entered, rate, small. */
static void
digest_json_conversion(struct json *j, const char *key,
    const struct conversion *c)
{
	size_t i;

	json_key(j, key);
	json_begin_object(j);
	json_key(j, "since");
	json_time(j, c->since);
	json_key(j, "until");
	json_time(j, c->until);
	json_key(j, "within_days");
	json_int(j, c->within_days);
	json_key(j, "mature");
	json_bool(j, c->mature);
	json_key(j, "phases");
	json_begin_array(j);
	for (i = 0; i < c->nphases; i++) {
		json_begin_object(j);
		json_key(j, "phase");
		json_str(j, c->phases[i].phase);
		json_key(j, "entered");
		json_int(j, c->phases[i].entered);
		json_key(j, "advanced");
		json_int(j, c->phases[i].advanced);
		json_key(j, "rate");
		json_real(j, c->phases[i].rate_next);
		json_key(j, "target");
		json_real(j, c->phases[i].target);
		json_key(j, "small");
		json_bool(j, c->phases[i].small);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void
digest_json_stalled(struct json *j, const struct digest_data *d)
{
	size_t i;

	json_key(j, "stalled");
	json_begin_array(j);
	for (i = 0; i < d->stalled.n; i++) {
		const struct stalled *s = &d->stalled.v[i];

		json_begin_object(j);
		json_key(j, "account");
		json_str(j, s->account);
		json_key(j, "salesperson");
		json_str(j, s->salesperson);
		json_key(j, "phase");
		json_str(j, s->phase);
		json_key(j, "quiet_days");
		json_real(j, s->quiet_days);
		json_key(j, "usual_days");
		json_real(j, s->usual_days);
		json_key(j, "value");
		json_real(j, s->value);
		json_key(j, "evidence_at");
		json_time(j, s->evidence_at);
		json_key(j, "evidence");
		json_str(j, s->evidence);
		json_end_object(j);
	}
	json_end_array(j);
}

/* The personal mail's own lists. */
static void
digest_json_personal(struct json *j, const struct digest_data *d)
{
	size_t i;

	json_key(j, "waiting");
	json_begin_array(j);
	for (i = 0; i < d->nwaiting; i++) {
		json_begin_object(j);
		json_key(j, "account");
		json_str(j, d->waiting[i].account);
		json_key(j, "sent");
		json_time(j, d->waiting[i].sent);
		json_key(j, "days");
		json_real(j, d->waiting[i].days);
		json_key(j, "value");
		json_real(j, d->waiting[i].value);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "planned_week");
	json_int(j, d->planned_week);
	json_key(j, "planned");
	json_begin_array(j);
	for (i = 0; i < d->nplanned; i++) {
		json_begin_object(j);
		json_key(j, "account");
		json_str(j, d->planned[i].account);
		json_key(j, "start");
		json_time(j, d->planned[i].start);
		json_key(j, "summary");
		json_str(j, d->planned[i].summary);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "corrections");
	json_begin_array(j);
	for (i = 0; i < d->ncorrections; i++) {
		json_begin_object(j);
		json_key(j, "account");
		json_str(j, d->corrections[i].account);
		json_key(j, "kind");
		json_str(j, d->corrections[i].kind);
		json_key(j, "value");
		json_str(j, d->corrections[i].value);
		json_key(j, "ignored");
		json_str(j, d->corrections[i].ignored);
		json_key(j, "at");
		json_time(j, d->corrections[i].at);
		json_end_object(j);
	}
	json_end_array(j);
}

/* The manager's digest's own parts: moves, closed deals, funnel, cohorts, forecast. */
static void
digest_json_manager(struct json *j, const struct digest_data *d)
{
	size_t i;

	digest_json_closed(j, d);
	json_key(j, "funnel");
	json_begin_array(j);
	for (i = 0; i < d->cur.nphases; i++) {
		json_begin_object(j);
		json_key(j, "phase");
		json_str(j, d->cur.phases[i].phase);
		json_key(j, "current");
		json_int(j, d->current[i]);
		json_key(j, "entered");
		json_int(j, d->cur.phases[i].entered);
		json_end_object(j);
	}
	json_end_array(j);
	digest_json_conversion(j, "cohort", &d->cohort);
	digest_json_conversion(j, "previous_cohort", &d->cohort_prev);
	json_key(j, "forecast");
	json_begin_object(j);
	json_key(j, "horizon_days");
	json_int(j, d->forecast.horizon_days);
	json_key(j, "new_expected");
	json_real(j, d->forecast.new_deals.expected);
	json_key(j, "new_low");
	json_real(j, d->forecast.new_deals.low);
	json_key(j, "new_high");
	json_real(j, d->forecast.new_deals.high);
	json_key(j, "growth_expected");
	json_real(j, d->forecast.growth.expected);
	json_key(j, "growth_low");
	json_real(j, d->forecast.growth.low);
	json_key(j, "growth_high");
	json_real(j, d->forecast.growth.high);
	json_end_object(j);
}

void
digest_json(struct json *j, const struct digest_data *d, const char *to)
{
	int k;

	json_begin_object(j);
	json_key(j, "to");
	json_str(j, to);
	json_key(j, "salesperson");
	json_str(j, d->person != NULL ? d->person->key : NULL);
	json_key(j, "language");
	json_str(j, d->lang);
	json_key(j, "currency");
	json_str(j, d->currency);
	json_key(j, "period");
	json_str(j, d->period.name);
	json_key(j, "key");
	json_str(j, d->period.key);
	json_key(j, "week");
	json_int(j, d->period.week);
	json_key(j, "first");
	json_str(j, d->period.first);
	json_key(j, "last");
	json_str(j, d->period.last);
	json_key(j, "as_of");
	json_time(j, d->as_of);
	json_key(j, "working_days");
	json_int(j, d->working_days);
	json_key(j, "appointments_per_day_target");
	json_real(j, d->appt_target);
	json_key(j, "offers_per_week_target");
	json_real(j, d->offer_target);
	json_key(j, "held");
	json_int(j, d->held);
	json_key(j, "booked");
	json_int(j, d->appointments);
	json_key(j, "offers_sent");
	json_int(j, d->offers);
	json_key(j, "transitions");
	json_int(j, d->transitions);
	json_key(j, "won_new");
	json_int(j, d->won_new);
	json_key(j, "won_growth");
	json_int(j, d->won_growth);
	json_key(j, "won_value");
	json_real(j, d->won_value);
	json_key(j, "lost");
	json_int(j, d->lost);
	json_key(j, "trend_weeks");
	json_begin_array(j);
	for (k = 0; k < DIGEST_TREND_WEEKS; k++)
		json_int(j, d->trend_week[k]);
	json_end_array(j);
	digest_json_people(j, d);
	digest_json_stalled(j, d);
	/* A salesperson's own mail has its lists instead of the rest. */
	if (d->person != NULL)
		digest_json_personal(j, d);
	else
		digest_json_manager(j, d);
	json_end_object(j);
}
