/* SPDX-License-Identifier: MIT */
/*
 * The digest's rendering (digest.h): the plain text and HTML parts of a
 * struct digest_data, and the MIME message around them.  Pure: no store,
 * no network, no clock but the time it is given.
 *
 * Every string that comes from mail, calendars or the configuration is
 * cleaned of control characters before it reaches a header or a body
 * line, and escaped in HTML; header values are RFC 2047 encoded when they
 * are not plain ASCII.  So a subject or a name with CR/LF in it can never
 * add a header or break the MIME structure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <libical/ical.h>

#include "digest.h"
#include "digest-words.h"
#include "util.h"
#include "xmalloc.h"

#define BAR_COLOUR	"#3b82f6"
#define WARN_COLOUR	"#e0533d"
#define MUTED_COLOUR	"#8a8f98"

/* ---- rendering ---- */

/*
 * A copy of s fit for a header or a body line: CR, LF and tab as spaces,
 * other control characters and bytes that are not UTF-8 as U+FFFD (the
 * parts are declared UTF-8, and a mail may be read in a terminal).
 * Caller frees.
 */
static char *
digest_clean(const char *s)
{
	struct buf b = { 0 };

	util_safe_text(&b, s != NULL ? s : "");
	buf_append(&b, "", 0);
	return b.data;
}

/* Appends s cleaned and cut to at most max bytes (at a UTF-8 boundary, with "..."). */
static void
digest_put_clean(struct buf *b, const char *s, size_t max)
{
	char *c = digest_clean(s);
	size_t n = strlen(c);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)c[n] & 0xc0) == 0x80)
			n--;
		buf_append(b, c, n);
		buf_puts(b, "...");
	} else
		buf_puts(b, c);
	free(c);
}

/* Appends s cleaned, cut to max bytes, padded with spaces to width columns. */
static void
digest_put_padded(struct buf *b, const char *s, size_t max, int width)
{
	size_t start = b->len, cols = 0, i;

	digest_put_clean(b, s, max);
	/* Columns are characters: count the bytes that start one. */
	for (i = start; i < b->len; i++)
		if (((unsigned char)b->data[i] & 0xc0) != 0x80)
			cols++;
	for (; (int)cols < width; cols++)
		buf_puts(b, " ");
}

/* "YYYY-MM-DD HH:MM" of t in the configured zone. */
static void
digest_local(const struct config *cfg, time_t t, char *out, size_t outlen)
{
	icaltimezone *z = NULL;
	struct icaltimetype tt;

	if (cfg->timezone != NULL && strcmp(cfg->timezone, "UTC") != 0)
		z = icaltimezone_get_builtin_timezone(cfg->timezone);
	tt = icaltime_from_timet_with_zone(t, 0, z != NULL ? z :
	    icaltimezone_get_utc_timezone());
	snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d", tt.year, tt.month,
	    tt.day, tt.hour, tt.minute);
}

static void
digest_day(const struct config *cfg, time_t t, char *out, size_t outlen)
{
	util_day(t, cfg->timezone, out, outlen);
}

/* "42%" or "-" for an undefined rate. */
static void
digest_pct(double r, char *out, size_t outlen)
{
	if (isnan(r))
		snprintf(out, outlen, "-");
	else
		snprintf(out, outlen, "%.0f%%", r * 100.0);
}

/* Whole days, rounded down: "3". */
static long
digest_days(double days)
{
	return isnan(days) || days < 0 ? 0 : (long)floor(days);
}

/*
 * The analysis describes evidence as "offer_sent: Offerte 12": the kind
 * in plain words of the language, the rest cleaned and cut to max.
 */
static void
digest_put_evidence(struct buf *b, const struct digest_data *d,
    const char *evidence, size_t max,
    void (*put)(struct buf *, const char *, size_t))
{
	const char *colon = strchr(evidence, ':');
	char kind[32], *words;
	size_t n = colon != NULL ? (size_t)(colon - evidence) :
	    strlen(evidence);

	if (n == 0 || n >= sizeof kind || strspn(evidence,
	    "abcdefghijklmnopqrstuvwxyz_") < n) {
		put(b, evidence, max);
		return;
	}
	memcpy(kind, evidence, n);
	kind[n] = '\0';
	words = digest_kind_words(d->lang, kind);
	put(b, words, 40);
	free(words);
	if (colon != NULL)
		put(b, colon, max);
}

/* The word of d's language. */
static const char *
W(const struct digest_data *d, enum digest_word w)
{
	return digest_word(d->lang, w, 1);
}

char *
digest_subject(const struct digest_data *d)
{
	struct buf b = { 0 };
	bool day = strcmp(d->period.name, "day") == 0;

	if (d->person != NULL)
		buf_printf(&b, "%s %d: ", W(d, W_PERSONAL), d->period.week);
	else if (day)
		buf_printf(&b, "%s %s %s: ", W(d, W_SALES), W(d, W_DAY),
		    d->period.first);
	else
		buf_printf(&b, "%s %s %d (%s \xe2\x80\x93 %s): ", W(d, W_SALES),
		    W(d, W_WEEK), d->period.week, d->period.first,
		    d->period.last);
	if (d->person != NULL) {
		digest_count(&b, d->lang, (long)d->nwaiting, W_OFFER);
		buf_printf(&b, " %s, ", digest_words_dutch(d->lang) ?
		    "wachten" : "waiting");
		digest_count(&b, d->lang, d->held, W_MEETING);
		buf_printf(&b, " %s", W(d, W_HELD));
		return b.data;
	}
	digest_count(&b, d->lang, d->held, W_MEETING);
	buf_printf(&b, " %s, %ld %s, %ld %s", W(d, W_HELD), d->appointments,
	    W(d, W_BOOKED), d->won_new + d->won_growth, W(d, W_WON));
	return b.data;
}

/* A text bar of at most width cells for value out of max. */
static void
digest_text_bar(struct buf *b, long value, long max, int width)
{
	int n = max > 0 ? (int)lround((double)value * width / (double)max) : 0;
	int i;

	if (n == 0 && value > 0)
		n = 1;
	for (i = 0; i < n; i++)
		buf_puts(b, "#");
	for (; i < width; i++)
		buf_puts(b, " ");
}

static long
digest_funnel_max(const struct digest_data *d)
{
	long max = 0;
	size_t i;

	for (i = 0; i < d->cur.nphases; i++) {
		if (d->cur.phases[i].entered > max)
			max = d->cur.phases[i].entered;
		if (d->current[i] > max)
			max = d->current[i];
	}
	return max;
}

/* "met" / "below" against a target, or NULL without one. */
static const char *
digest_verdict(const struct digest_data *d, double value, double target)
{
	if (isnan(target) || isnan(value))
		return NULL;
	return W(d, value >= target ? W_MET : W_BELOW);
}

/* A trend week's target: per working day x its working days, or per week. */
static double
digest_week_target(const struct digest_data *d, int k, bool offers)
{
	if (offers)
		return d->offer_target;
	if (isnan(d->appt_target))
		return NAN;
	return d->appt_target * (double)d->trend_working_days[k];
}

/* The heading of a text section: the title in capitals (ASCII only). */
static void
digest_text_h(struct buf *b, const char *title)
{
	const char *p;

	buf_puts(b, "\n");
	for (p = title; *p != '\0'; p++) {
		char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;

		buf_append(b, &c, 1);
	}
}

/* "2" or "2.5": a target without needless decimals. */
static void
digest_target_str(double v, char *out, size_t outlen)
{
	if (fabs(v - round(v)) < 0.05)
		snprintf(out, outlen, "%.0f", v);
	else
		snprintf(out, outlen, "%.1f", v);
}

/* One cell of "  3 0.60 met  ": a count, per working day, the verdict. */
static void
digest_text_rate(struct buf *b, const struct digest_data *d, long n,
    double per_day)
{
	const char *v = digest_verdict(d, per_day, d->appt_target);

	buf_printf(b, " %6ld %7.2f ", n, per_day);
	digest_put_padded(b, v != NULL ? v : "", 10, 9);
}

static void
digest_text_meetings(struct buf *b, const struct digest_data *d)
{
	char t1[16];
	size_t i;

	digest_text_h(b, W(d, W_MEETINGS_TITLE));
	if (!isnan(d->appt_target))
		buf_printf(b, " (%s %.2f %s)", W(d, W_TARGET), d->appt_target,
		    W(d, W_PER_DAY));
	buf_puts(b, "\n");
	buf_printf(b, "  %-20s %6s %7s %9s %6s %7s %9s %s\n", "", W(d, W_HELD),
	    digest_words_dutch(d->lang) ? "/dag" : "/day", "",
	    W(d, W_BOOKED), digest_words_dutch(d->lang) ? "/dag" : "/day", "",
	    W(d, W_OFFERS_SENT));
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		buf_puts(b, "  ");
		digest_put_padded(b, d->person != NULL ? "" : p->name, 20, 20);
		digest_text_rate(b, d, p->held, p->held_per_day);
		digest_text_rate(b, d, p->appointments, p->per_day);
		buf_printf(b, " %ld", p->offers);
		if (!isnan(d->offer_target)) {
			digest_target_str(d->offer_target, t1, sizeof t1);
			buf_printf(b, " (%s %s %s)", W(d, W_TARGET), t1,
			    W(d, W_PER_WEEK));
		}
		buf_puts(b, "\n");
	}
	if (d->person == NULL) {
		buf_puts(b, "  ");
		digest_count(b, d->lang, d->held, W_MEETING);
		buf_printf(b, " %s, %ld %s, ", W(d, W_HELD), d->appointments,
		    W(d, W_BOOKED));
		digest_count(b, d->lang, d->offers, W_OFFER);
		buf_printf(b, " %s\n", W(d, W_SENT));
	}
}

/* One row of the text trend: the counts per week, "*" where below target. */
static void
digest_text_trend_row(struct buf *b, const struct digest_data *d,
    const char *label, const long *v, bool offers)
{
	double target;
	char t1[16];
	int k;

	buf_puts(b, "    ");
	digest_put_padded(b, label, 18, 18);
	for (k = 0; k < DIGEST_TREND_WEEKS; k++) {
		target = digest_week_target(d, k, offers);
		buf_printf(b, " %3ld%s", v[k], !isnan(target) &&
		    (double)v[k] < target ? "*" : " ");
	}
	target = digest_week_target(d, DIGEST_TREND_WEEKS - 1, offers);
	if (!isnan(target)) {
		digest_target_str(target, t1, sizeof t1);
		buf_printf(b, "  %s %s", W(d, W_TARGET), t1);
	}
	buf_puts(b, "\n");
}

static void
digest_text_trend(struct buf *b, const struct digest_data *d)
{
	size_t i;
	int k;

	digest_text_h(b, W(d, W_TREND_TITLE));
	buf_printf(b, " (* %s)\n", W(d, W_BELOW_TARGET));
	buf_printf(b, "    %-18s", W(d, W_WEEK));
	for (k = 0; k < DIGEST_TREND_WEEKS; k++)
		buf_printf(b, " %3d ", d->trend_week[k]);
	buf_puts(b, "\n");
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		if (d->person == NULL) {
			buf_puts(b, "  ");
			digest_put_clean(b, p->name, 40);
			buf_puts(b, "\n");
		}
		digest_text_trend_row(b, d, W(d, W_HELD), p->trend_held, false);
		digest_text_trend_row(b, d, W(d, W_BOOKED), p->trend_booked,
		    false);
		digest_text_trend_row(b, d, W(d, W_OFFERS_SENT),
		    p->trend_offers, true);
	}
}

static void
digest_text_moves(struct buf *b, const struct digest_data *d)
{
	size_t i, n = d->nmoves < DIGEST_LIST_MAX ? d->nmoves : DIGEST_LIST_MAX;

	digest_text_h(b, W(d, W_MOVES_TITLE));
	buf_printf(b, ": %zu\n", d->nmoves);
	for (i = 0; i < n; i++) {
		const struct digest_move *m = &d->moves[i];

		buf_puts(b, "  ");
		digest_put_clean(b, m->account, 40);
		buf_puts(b, ": ");
		digest_put_clean(b, m->from, 20);
		buf_puts(b, " -> ");
		digest_put_clean(b, m->to, 20);
		if (d->person == NULL) {
			buf_puts(b, " (");
			digest_put_clean(b, m->salesperson, 20);
			buf_puts(b, ")");
		}
		buf_puts(b, "\n");
	}
	if (d->nmoves > n)
		buf_printf(b, "  ... +%zu\n", d->nmoves - n);
}

static void
digest_text_closed(struct buf *b, const struct digest_data *d)
{
	size_t i;

	digest_text_h(b, W(d, W_CLOSED_TITLE));
	buf_puts(b, ": ");
	digest_count(b, d->lang, d->won_new, W_NEW_CUSTOMER);
	buf_puts(b, ", ");
	digest_count(b, d->lang, d->won_growth, W_GROWTH_DEAL);
	buf_printf(b, " %s", W(d, W_WON));
	if (d->won_value > 0) {
		buf_puts(b, " (");
		digest_money(b, d->lang, d->currency, d->won_value);
		buf_puts(b, ")");
	}
	buf_printf(b, "; %ld %s\n", d->lost, W(d, W_LOST));
	for (i = 0; i < d->nwon && i < DIGEST_LIST_MAX; i++) {
		const struct digest_won *w = &d->won[i];

		buf_puts(b, "  ");
		digest_put_clean(b, w->account, 40);
		buf_printf(b, ": %s", W(d, w->lost ? W_LOST : W_WON));
		if (!w->lost)
			buf_printf(b, ", %s", W(d, w->kind == DEAL_GROWTH ?
			    W_GROWTH_DEAL : W_NEW_CUSTOMER));
		if (!isnan(w->value)) {
			buf_puts(b, ", ");
			digest_money(b, d->lang, d->currency, w->value);
		}
		if (d->person == NULL) {
			buf_puts(b, " (");
			digest_put_clean(b, w->salesperson, 20);
			buf_puts(b, ")");
		}
		buf_puts(b, "\n");
	}
}

/* Whether any salesperson of the digest has a deal to qualify. */
static bool
digest_has_qualification(const struct digest_data *d)
{
	size_t i;

	for (i = 0; i < d->npeople; i++)
		if (d->people[i].qual_open > 0)
			return true;
	return false;
}

/* QUALIFIED DEALS per salesperson: "anna  2 of 5 (40%)". */
static void
digest_text_qualification(struct buf *b, const struct digest_data *d)
{
	size_t i;

	if (!digest_has_qualification(d))
		return;
	digest_text_h(b, W(d, W_QUAL_TITLE));
	buf_printf(b, ": %s\n", W(d, W_QUAL_NOTE));
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		if (p->qual_open == 0)
			continue;
		buf_puts(b, "  ");
		digest_put_padded(b, p->name, 20, 20);
		buf_printf(b, " %ld %s %ld (%.0f%%)\n", p->qual_qualified,
		    W(d, W_OF), p->qual_open,
		    100.0 * (double)p->qual_qualified / (double)p->qual_open);
	}
}

static void
digest_text_funnel(struct buf *b, const struct digest_data *d)
{
	long max = digest_funnel_max(d);
	size_t i;

	digest_text_h(b, W(d, W_FUNNEL_TITLE));
	buf_printf(b, ": %s / %s\n", W(d, W_OPEN_NOW), W(d, W_ENTERED));
	for (i = 0; i < d->cur.nphases; i++) {
		buf_puts(b, "  ");
		digest_put_padded(b, d->cur.phases[i].phase, 12, 12);
		digest_text_bar(b, d->current[i], max, 20);
		buf_printf(b, " %3ld %s %3ld %s\n", d->current[i],
		    W(d, W_OPEN_NOW), d->cur.phases[i].entered,
		    W(d, W_ENTERED));
	}
}

/* The cohort's days, "2026-07-20 to 2026-08-16". */
static void
digest_cohort_days(const struct config *cfg, const struct digest_data *d,
    char *first, char *last, size_t len)
{
	digest_day(cfg, d->cohort.since, first, len);
	digest_day(cfg, d->cohort.until - 1, last, len);
}

static void
digest_text_cohort(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char first[11], last[11], t1[16], t2[16], t3[16];
	size_t i;

	digest_cohort_days(cfg, d, first, last, sizeof first);
	digest_text_h(b, W(d, W_COHORT_TITLE));
	buf_printf(b, "\n  %s %s %s %s, %s %d %s\n", W(d, W_COHORT_OF), first,
	    W(d, W_TO), last, W(d, W_WITHIN), d->cohort.within_days,
	    digest_word(d->lang, W_DAY, d->cohort.within_days));
	buf_printf(b, "  %-12s %8s %7s %9s %7s\n", W(d, W_PHASE),
	    W(d, W_ENTERED), W(d, W_RATE), W(d, W_PREVIOUS), W(d, W_TARGET));
	for (i = 0; i < d->cohort.nphases; i++) {
		const struct conversion_phase *c = &d->cohort.phases[i];
		const struct conversion_phase *p = &d->cohort_prev.phases[i];

		digest_pct(c->rate_next, t1, sizeof t1);
		digest_pct(d->cohort_prev.nphases > i ? p->rate_next : NAN, t2,
		    sizeof t2);
		digest_pct(c->target, t3, sizeof t3);
		buf_puts(b, "  ");
		digest_put_padded(b, c->phase, 12, 12);
		buf_printf(b, " %8ld %7s %9s %7s%s%s\n", c->entered, t1, t2, t3,
		    c->small ? "  " : "", c->small ? W(d, W_SMALL) : "");
	}
}

static void
digest_text_stalled(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char t1[32];
	size_t i, n;

	n = d->stalled.n < DIGEST_STALLED_MAX ? d->stalled.n : DIGEST_STALLED_MAX;
	digest_text_h(b, W(d, W_STALLED_TITLE));
	buf_printf(b, ": %zu\n", d->stalled.n);
	for (i = 0; i < n; i++) {
		const struct stalled *s = &d->stalled.v[i];

		buf_puts(b, "  ");
		digest_put_clean(b, s->account, 40);
		buf_puts(b, " (");
		if (d->person == NULL) {
			digest_put_clean(b, s->salesperson, 20);
			buf_puts(b, ", ");
		}
		digest_put_clean(b, s->phase, 20);
		buf_printf(b, "): %s %ld %s (%s %ld)", W(d, W_QUIET_FOR),
		    digest_days(s->quiet_days), digest_word(d->lang, W_DAY,
		    digest_days(s->quiet_days)), W(d, W_USUAL),
		    digest_days(s->usual_days));
		if (s->decision_passed)
			buf_printf(b, ", %s", W(d, W_DECISION_PASSED));
		if (!isnan(s->value)) {
			buf_puts(b, ", ");
			digest_money(b, d->lang, d->currency, s->value);
		}
		buf_puts(b, "\n");
		if (s->evidence != NULL) {
			digest_day(cfg, s->evidence_at, t1, sizeof t1);
			buf_printf(b, "    %s %s: ", W(d, W_LAST), t1);
			digest_put_evidence(b, d, s->evidence, 60,
			    digest_put_clean);
			buf_puts(b, "\n");
		}
	}
}

static void
digest_text_sum(struct buf *b, const struct digest_data *d, enum digest_word w,
    const struct forecast_sum *s)
{
	buf_puts(b, "  ");
	digest_put_padded(b, digest_word(d->lang, w, 2), 20, 20);
	buf_printf(b, " %5.1f %s (%.1f - %.1f) %s %ld, %.1f %s\n", s->expected,
	    W(d, W_EXPECTED), s->low, s->high, W(d, W_OF), s->deals,
	    s->per_month, W(d, W_PER_MONTH));
}

static void
digest_text_forecast(struct buf *b, const struct digest_data *d)
{
	digest_text_h(b, W(d, W_FORECAST_TITLE));
	buf_printf(b, " %d %s\n", d->forecast.horizon_days,
	    digest_word(d->lang, W_DAY, d->forecast.horizon_days));
	digest_text_sum(b, d, W_NEW_CUSTOMER, &d->forecast.new_deals);
	digest_text_sum(b, d, W_GROWTH_DEAL, &d->forecast.growth);
}

static void
digest_text_sources(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char t1[32];
	size_t i;

	digest_text_h(b, W(d, W_SOURCES_TITLE));
	buf_puts(b, "\n");
	if (d->nhealth == 0)
		buf_printf(b, "  %s\n", W(d, W_NONE));
	for (i = 0; i < d->nhealth; i++) {
		const struct source_health *h = &d->health[i];

		buf_puts(b, "  ");
		digest_put_padded(b, h->source, 30, 21);
		if (h->last_error != NULL) {
			digest_local(cfg, h->error_since, t1, sizeof t1);
			buf_printf(b, "%s %s: ", W(d, W_FAILING_SINCE), t1);
			digest_put_clean(b, h->last_error, 80);
			buf_puts(b, "\n");
		} else if (h->last_success != 0) {
			digest_local(cfg, h->last_success, t1, sizeof t1);
			buf_printf(b, "%s %s\n", W(d, W_OK_LAST_POLL), t1);
		} else
			buf_printf(b, "%s\n", W(d, W_NEVER_POLLED));
	}
}

/* ---- the personal mail's own sections (issue 12 item 9) ---- */

static void
digest_text_waiting(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char t1[16];
	size_t i;

	digest_text_h(b, W(d, W_WAITING_TITLE));
	buf_printf(b, ": %zu\n", d->nwaiting);
	for (i = 0; i < d->nwaiting && i < DIGEST_LIST_MAX; i++) {
		const struct digest_offer *o = &d->waiting[i];

		digest_day(cfg, o->sent, t1, sizeof t1);
		buf_puts(b, "  ");
		digest_put_clean(b, o->account, 40);
		buf_printf(b, ": %s %s, %s ", W(d, W_SENT), t1, W(d, W_WAITING));
		digest_count(b, d->lang, digest_days(o->days), W_DAY);
		if (!isnan(o->value)) {
			buf_puts(b, ", ");
			digest_money(b, d->lang, d->currency, o->value);
		}
		buf_puts(b, "\n");
	}
}

static void
digest_text_planned(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char t1[32];
	size_t i;

	digest_text_h(b, W(d, W_PLANNED_TITLE));
	buf_printf(b, " %d: %zu\n", d->planned_week, d->nplanned);
	for (i = 0; i < d->nplanned; i++) {
		const struct digest_meeting *m = &d->planned[i];

		digest_local(cfg, m->start, t1, sizeof t1);
		buf_printf(b, "  %s  ", t1);
		digest_put_clean(b, m->account, 40);
		if (m->summary != NULL) {
			buf_puts(b, ": ");
			digest_put_clean(b, m->summary, 60);
		}
		buf_puts(b, "\n");
	}
}

/* "won", "lost: price", "value: 12500" ... of one correction. */
static void
digest_correction_words(struct buf *b, const struct digest_data *d,
    const struct digest_correction *c, void (*put)(struct buf *,
    const char *, size_t))
{
	char *kind = digest_kind_words(d->lang, c->kind);
	const char *value = c->value;
	size_t n = c->account != NULL ? strlen(c->account) : 0;

	put(b, c->account != NULL ? c->account : "-", 40);
	buf_puts(b, ": ");
	put(b, kind, 40);
	free(kind);
	/* "#need acme.nl LIMS" keeps the account in its value: once will do. */
	if (value != NULL && n > 0 && strncasecmp(value, c->account, n) == 0 &&
	    value[n] == ' ')
		value += n + 1;
	if (value != NULL && *value != '\0') {
		buf_puts(b, " (");
		put(b, value, 60);
		buf_puts(b, ")");
	}
	if (c->ignored != NULL) {
		buf_printf(b, " - %s: ", digest_words_dutch(d->lang) ?
		    "niets veranderd" : "changed nothing");
		put(b, c->ignored, 60);
	}
}

static void
digest_text_corrections(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char t1[16];
	size_t i;

	digest_text_h(b, W(d, W_CORRECTIONS_TITLE));
	buf_printf(b, ": %zu\n", d->ncorrections);
	for (i = 0; i < d->ncorrections; i++) {
		digest_day(cfg, d->corrections[i].at, t1, sizeof t1);
		buf_printf(b, "  %s ", t1);
		digest_correction_words(b, d, &d->corrections[i],
		    digest_put_clean);
		buf_puts(b, "\n");
	}
}

/* The hashtags a salesperson corrects a deal with, and what each does. */
static const struct {
	const char	*tag_en, *tag_nl;
	enum digest_word what;
} digest_hashtags[] = {
	{ "#won acme.nl", "#won acme.nl", W_HT_WON },
	{ "#lost acme.nl price", "#lost acme.nl prijs", W_HT_LOST },
	{ "#snooze acme.nl 14", "#snooze acme.nl 14", W_HT_SNOOZE },
	{ "#value acme.nl 12500", "#value acme.nl 12500", W_HT_VALUE },
	{ "#verbal acme.nl", "#verbal acme.nl", W_HT_VERBAL },
};

static void
digest_text_footer(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	size_t i;

	buf_printf(b, "\n-- \n%s\n", W(d, W_FOOTER));
	for (i = 0; i < sizeof digest_hashtags / sizeof *digest_hashtags; i++)
		buf_printf(b, "  %-22s %s\n", digest_words_dutch(d->lang) ?
		    digest_hashtags[i].tag_nl : digest_hashtags[i].tag_en,
		    W(d, digest_hashtags[i].what));
	if (cfg->digest.guide_url != NULL) {
		buf_printf(b, "%s ", W(d, W_GUIDE));
		digest_put_clean(b, cfg->digest.guide_url, 300);
		buf_puts(b, "\n");
	}
}

/* The title: "Sales digest, week 47: 2026-11-16 to 2026-11-22 (5 working days)". */
static void
digest_text_title(struct buf *b, const struct digest_data *d)
{
	if (d->person != NULL) {
		buf_printf(b, "%s %d, ", W(d, W_PERSONAL), d->period.week);
		digest_put_clean(b, d->person->name != NULL ? d->person->name :
		    d->person->key, 60);
	} else
		buf_printf(b, "%s, %s %d", W(d, W_DIGEST), W(d, W_WEEK),
		    d->period.week);
	buf_printf(b, ": %s %s %s (", d->period.first, W(d, W_TO),
	    d->period.last);
	digest_count(b, d->lang, d->working_days, W_WORKING_DAY);
	buf_puts(b, ")\n");
}

/*
 * The indexes in d->lost_reasons of the top reasons given for deals lost
 * in phase p, most frequent first (ties: the overall order), into top[];
 * returns how many.
 */
static size_t
digest_lost_top(const struct digest_data *d, int p,
    size_t top[DIGEST_LOST_REASONS_MAX])
{
	const struct lost_reasons *lr = &d->lost_reasons;
	size_t i, k, n = 0, best;
	bool taken;

	for (n = 0; n < DIGEST_LOST_REASONS_MAX; n++) {
		best = lr->n;
		for (i = 0; i < lr->n; i++) {
			if (lr->v[i].reason == NULL || lr->v[i].phase_index != p)
				continue;
			for (k = 0, taken = false; k < n; k++)
				taken = taken || top[k] == i;
			if (!taken && (best == lr->n ||
			    lr->v[i].count > lr->v[best].count))
				best = i;
		}
		if (best == lr->n)
			break;
		top[n] = best;
	}
	return n;
}

/*
 * TOP LOST REASONS per phase, in the cycle's order, when a salesperson
 * gave any (#lost acme.nl price): "  offer: price 3, timing 1".
 */
static void
digest_text_lost(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	size_t top[DIGEST_LOST_REASONS_MAX], n, k;
	int p;

	if (d->lost_reasons.with_reason == 0)
		return;
	digest_text_h(b, W(d, W_LOST_TITLE));
	buf_puts(b, "\n");
	for (p = 0; p < (int)cfg->phases.n; p++) {
		n = digest_lost_top(d, p, top);
		if (n == 0)
			continue;
		buf_puts(b, "  ");
		digest_put_clean(b, cfg->phases.name[p], 20);
		buf_puts(b, ": ");
		for (k = 0; k < n; k++) {
			buf_puts(b, k > 0 ? ", " : "");
			digest_put_clean(b, d->lost_reasons.v[top[k]].reason, 40);
			buf_printf(b, " %ld", d->lost_reasons.v[top[k]].count);
		}
		buf_puts(b, "\n");
	}
}

char *
digest_text(const struct config *cfg, const struct digest_data *d)
{
	struct buf b = { 0 };

	digest_text_title(&b, d);
	digest_text_meetings(&b, d);
	if (d->person != NULL) {
		digest_text_waiting(&b, cfg, d);
		digest_text_stalled(&b, cfg, d);
		digest_text_planned(&b, cfg, d);
		digest_text_corrections(&b, cfg, d);
		digest_text_trend(&b, d);
		digest_text_footer(&b, cfg, d);
		return b.data;
	}
	digest_text_trend(&b, d);
	digest_text_moves(&b, d);
	digest_text_closed(&b, d);
	digest_text_lost(&b, cfg, d);
	digest_text_funnel(&b, d);
	digest_text_qualification(&b, d);
	digest_text_cohort(&b, cfg, d);
	digest_text_stalled(&b, cfg, d);
	digest_text_forecast(&b, d);
	digest_text_sources(&b, cfg, d);
	return b.data;
}

/* ---- HTML ---- */

/*
 * The layout holds in desktop Outlook (Word's renderer) and on a phone:
 * one centred table of a fixed DIGEST_WIDTH px, tables inside it, inline
 * styles only, no max-width (Outlook ignores it), no SVG or images
 * (blocked or not drawn): bars are table cells with a background colour.
 */
#define DIGEST_WIDTH	600

/* Appends s cleaned and HTML-escaped, cut to max bytes. */
static void
digest_put_html(struct buf *b, const char *s, size_t max)
{
	struct buf c = { 0 };
	const char *p;

	digest_put_clean(&c, s, max);
	for (p = c.data != NULL ? c.data : ""; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_append(b, p, 1);
		}
	}
	buf_free(&c);
}

/* digest_put_html as the callback the shared writers take. */
static void
digest_put_html_cb(struct buf *b, const char *s, size_t max)
{
	digest_put_html(b, s, max);
}

/*
 * A bar as a nested table: mail clients honour table widths and bgcolor
 * far more reliably than sized divs.  The colour is a mid tone that
 * reads on light and dark backgrounds alike.
 */
static void
digest_html_bar(struct buf *b, long value, long max, const char *colour)
{
	int pct = max > 0 ? (int)lround(100.0 * (double)value / (double)max) : 0;

	if (pct == 0 && value > 0)
		pct = 2;
	if (pct == 0) {
		buf_puts(b, "&nbsp;");
		return;
	}
	buf_printf(b, "<table role=\"presentation\" width=\"%d%%\" cellpadding=\"0\""
	    " cellspacing=\"0\" border=\"0\" style=\"width:%d%%;"
	    "border-collapse:collapse;\"><tr><td bgcolor=\"%s\" style=\""
	    "background-color:%s;height:14px;font-size:1px;line-height:1px;\">"
	    "&nbsp;</td></tr></table>", pct, pct, colour, colour);
}

static void
digest_html_h2(struct buf *b, const char *title)
{
	buf_puts(b, "<h2 style=\"font-size:16px;margin:22px 0 6px 0;"
	    "padding:0;\">");
	digest_put_html(b, title, 200);
	buf_puts(b, "</h2>\n");
}

/* A muted line under a heading; text is ours (no escaping needed beyond it). */
static void
digest_html_note(struct buf *b, const char *text)
{
	buf_printf(b, "<p style=\"margin:0 0 4px 0;color:%s;\">", MUTED_COLOUR);
	digest_put_html(b, text, 400);
	buf_puts(b, "</p>\n");
}

static const char digest_td[] = "<td style=\"padding:3px 6px 3px 0;"
    "vertical-align:middle;\">";
static const char digest_td_num[] = "<td align=\"right\" style=\"padding:3px 0 "
    "3px 6px;vertical-align:middle;text-align:right;white-space:nowrap;\">";
static const char digest_td_bar[] = "<td width=\"200\" style=\"padding:3px 0;"
    "vertical-align:middle;width:200px;\">";
static const char digest_table[] = "<table role=\"presentation\" width=\"100%\""
    " cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;"
    "border-collapse:collapse;font-size:14px;\">\n";

/* A row of muted column headings. */
static void
digest_html_head(struct buf *b, const char *const *cols, size_t n)
{
	size_t i;

	buf_printf(b, "<tr style=\"color:%s;\">", MUTED_COLOUR);
	for (i = 0; i < n; i++) {
		buf_puts(b, i == 0 ? digest_td : digest_td_num);
		digest_put_html(b, cols[i], 60);
		buf_puts(b, "</td>");
	}
	buf_puts(b, "</tr>\n");
}

/* A verdict in colour: met in the bar colour, below in the warning one. */
static void
digest_html_verdict(struct buf *b, const struct digest_data *d, double value,
    double target)
{
	const char *v = digest_verdict(d, value, target);

	if (v != NULL)
		buf_printf(b, " <span style=\"color:%s;\">%s</span>",
		    value >= target ? BAR_COLOUR : WARN_COLOUR, v);
}

static void
digest_html_meetings(struct buf *b, const struct digest_data *d)
{
	const char *cols[] = { "", W(d, W_HELD), W(d, W_BOOKED),
	    W(d, W_OFFERS_SENT) };
	char note[128];
	size_t i;

	digest_html_h2(b, W(d, W_MEETINGS_TITLE));
	if (!isnan(d->appt_target) || !isnan(d->offer_target)) {
		snprintf(note, sizeof note, "%s: %.2f %s", W(d, W_TARGET),
		    isnan(d->appt_target) ? 0.0 : d->appt_target,
		    W(d, W_PER_DAY));
		if (!isnan(d->offer_target))
			snprintf(note + strlen(note), sizeof note - strlen(note),
			    ", %.0f %s %s", d->offer_target,
			    digest_word(d->lang, W_OFFER, 2), W(d, W_PER_WEEK));
		digest_html_note(b, note);
	}
	buf_puts(b, digest_table);
	digest_html_head(b, cols, 4);
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		buf_puts(b, "<tr>");
		buf_puts(b, digest_td);
		digest_put_html(b, d->person != NULL ? "" : p->name, 40);
		buf_printf(b, "</td>%s<b>%ld</b> &middot; %.2f", digest_td_num,
		    p->held, p->held_per_day);
		digest_html_verdict(b, d, p->held_per_day, d->appt_target);
		buf_printf(b, "</td>%s<b>%ld</b> &middot; %.2f", digest_td_num,
		    p->appointments, p->per_day);
		digest_html_verdict(b, d, p->per_day, d->appt_target);
		buf_printf(b, "</td>%s<b>%ld</b>", digest_td_num, p->offers);
		digest_html_verdict(b, d, (double)p->offers, d->offer_target);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/*
 * One row of the trend: a column per week, a bar whose height is the
 * count against the row's largest (30 px), in the warning colour in a
 * week below its target, the count under it.
 */
static void
digest_html_trend_row(struct buf *b, const struct digest_data *d,
    const char *label, const long *v, bool offers)
{
	double target;
	char t1[16];
	long max = 0;
	int k, h;

	for (k = 0; k < DIGEST_TREND_WEEKS; k++)
		if (v[k] > max)
			max = v[k];
	buf_puts(b, "<tr><td width=\"120\" style=\"width:120px;padding:2px 4px "
	    "2px 0;vertical-align:bottom;font-size:12px;\">");
	digest_put_html(b, label, 40);
	buf_puts(b, "</td>");
	for (k = 0; k < DIGEST_TREND_WEEKS; k++) {
		target = digest_week_target(d, k, offers);
		h = max > 0 ? (int)lround(30.0 * (double)v[k] / (double)max) : 0;
		if (h == 0 && v[k] > 0)
			h = 2;
		buf_puts(b, "<td width=\"36\" align=\"center\" valign=\"bottom\" "
		    "style=\"width:36px;padding:2px 0;vertical-align:bottom;"
		    "text-align:center;font-size:11px;\">");
		if (h > 0)
			buf_printf(b, "<table role=\"presentation\" width=\"14\" "
			    "align=\"center\" cellpadding=\"0\" cellspacing=\"0\" "
			    "border=\"0\" style=\"width:14px;border-collapse:"
			    "collapse;\"><tr><td height=\"%d\" bgcolor=\"%s\" "
			    "style=\"height:%dpx;background-color:%s;font-size:"
			    "1px;line-height:1px;\">&nbsp;</td></tr></table>", h,
			    !isnan(target) && (double)v[k] < target ?
			    WARN_COLOUR : BAR_COLOUR, h, !isnan(target) &&
			    (double)v[k] < target ? WARN_COLOUR : BAR_COLOUR);
		buf_printf(b, "%ld</td>", v[k]);
	}
	target = digest_week_target(d, DIGEST_TREND_WEEKS - 1, offers);
	buf_printf(b, "<td width=\"48\" align=\"right\" style=\"width:48px;"
	    "padding:2px 0;vertical-align:bottom;text-align:right;font-size:"
	    "11px;color:%s;\">", MUTED_COLOUR);
	if (!isnan(target)) {
		digest_target_str(target, t1, sizeof t1);
		buf_printf(b, "%s %s", W(d, W_TARGET), t1);
	}
	else
		buf_puts(b, "&nbsp;");
	buf_puts(b, "</td></tr>\n");
}

static void
digest_html_trend(struct buf *b, const struct digest_data *d)
{
	size_t i;
	int k;

	digest_html_h2(b, W(d, W_TREND_TITLE));
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		if (d->person == NULL) {
			buf_puts(b, "<p style=\"margin:8px 0 2px 0;\"><b>");
			digest_put_html(b, p->name, 40);
			buf_puts(b, "</b></p>\n");
		}
		buf_puts(b, "<table role=\"presentation\" width=\"600\" "
		    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
		    "style=\"width:600px;border-collapse:collapse;\">\n");
		buf_printf(b, "<tr style=\"color:%s;font-size:11px;\"><td "
		    "width=\"120\" style=\"width:120px;font-size:11px;\">%s</td>",
		    MUTED_COLOUR, W(d, W_WEEK));
		for (k = 0; k < DIGEST_TREND_WEEKS; k++)
			buf_printf(b, "<td width=\"36\" align=\"center\" style=\""
			    "width:36px;text-align:center;font-size:11px;\">%d"
			    "</td>", d->trend_week[k]);
		buf_puts(b, "<td width=\"48\" style=\"width:48px;\">&nbsp;</td>"
		    "</tr>\n");
		digest_html_trend_row(b, d, W(d, W_HELD), p->trend_held, false);
		digest_html_trend_row(b, d, W(d, W_BOOKED), p->trend_booked,
		    false);
		digest_html_trend_row(b, d, W(d, W_OFFERS_SENT),
		    p->trend_offers, true);
		buf_puts(b, "</table>\n");
	}
}

static void
digest_html_moves(struct buf *b, const struct digest_data *d)
{
	size_t i, n = d->nmoves < DIGEST_LIST_MAX ? d->nmoves : DIGEST_LIST_MAX;
	char title[128];

	snprintf(title, sizeof title, "%s (%zu)", W(d, W_MOVES_TITLE),
	    d->nmoves);
	digest_html_h2(b, title);
	if (n == 0) {
		digest_html_note(b, W(d, W_NONE));
		return;
	}
	buf_puts(b, digest_table);
	for (i = 0; i < n; i++) {
		const struct digest_move *m = &d->moves[i];

		buf_printf(b, "<tr>%s<b>", digest_td);
		digest_put_html(b, m->account, 40);
		buf_printf(b, "</b></td>%s", digest_td);
		digest_put_html(b, m->from, 20);
		buf_puts(b, " &rarr; ");
		digest_put_html(b, m->to, 20);
		buf_printf(b, "</td>%s<span style=\"color:%s;\">", digest_td_num,
		    MUTED_COLOUR);
		if (d->person == NULL)
			digest_put_html(b, m->salesperson, 20);
		buf_puts(b, "</span></td></tr>\n");
	}
	if (d->nmoves > n)
		buf_printf(b, "<tr>%s&hellip; +%zu</td></tr>\n", digest_td,
		    d->nmoves - n);
	buf_puts(b, "</table>\n");
}

static void
digest_html_closed(struct buf *b, const struct digest_data *d)
{
	struct buf line = { 0 };
	size_t i;

	digest_html_h2(b, W(d, W_CLOSED_TITLE));
	digest_count(&line, d->lang, d->won_new, W_NEW_CUSTOMER);
	buf_puts(&line, ", ");
	digest_count(&line, d->lang, d->won_growth, W_GROWTH_DEAL);
	buf_printf(&line, " %s", W(d, W_WON));
	if (d->won_value > 0) {
		buf_puts(&line, " (");
		digest_money(&line, d->lang, d->currency, d->won_value);
		buf_puts(&line, ")");
	}
	buf_printf(&line, "; %ld %s", d->lost, W(d, W_LOST));
	buf_append(&line, "", 0);
	buf_puts(b, "<p style=\"margin:0 0 4px 0;\">");
	digest_put_html(b, line.data, 400);
	buf_puts(b, "</p>\n");
	buf_free(&line);
	if (d->nwon == 0)
		return;
	buf_puts(b, digest_table);
	for (i = 0; i < d->nwon && i < DIGEST_LIST_MAX; i++) {
		const struct digest_won *w = &d->won[i];

		buf_printf(b, "<tr>%s<b>", digest_td);
		digest_put_html(b, w->account, 40);
		buf_printf(b, "</b></td>%s<span style=\"color:%s;\">%s</span>",
		    digest_td, w->lost ? WARN_COLOUR : BAR_COLOUR,
		    W(d, w->lost ? W_LOST : W_WON));
		if (!w->lost)
			buf_printf(b, ", %s", W(d, w->kind == DEAL_GROWTH ?
			    W_GROWTH_DEAL : W_NEW_CUSTOMER));
		buf_printf(b, "</td>%s", digest_td_num);
		if (!isnan(w->value)) {
			struct buf v = { 0 };

			digest_money(&v, d->lang, d->currency, w->value);
			buf_append(&v, "", 0);
			digest_put_html(b, v.data, 40);
			buf_free(&v);
		}
		buf_printf(b, "</td>%s<span style=\"color:%s;\">", digest_td_num,
		    MUTED_COLOUR);
		if (d->person == NULL)
			digest_put_html(b, w->salesperson, 20);
		buf_puts(b, "</span></td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/* The same as digest_text_qualification, as a table. */
static void
digest_html_qualification(struct buf *b, const struct digest_data *d)
{
	size_t i;

	if (!digest_has_qualification(d))
		return;
	digest_html_h2(b, W(d, W_QUAL_TITLE));
	digest_html_note(b, W(d, W_QUAL_NOTE));
	buf_puts(b, digest_table);
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		if (p->qual_open == 0)
			continue;
		buf_printf(b, "<tr>%s", digest_td);
		digest_put_html(b, p->name, 30);
		buf_printf(b, "</td>%s<b>%ld</b> %s %ld</td>%s%.0f%%</td></tr>\n",
		    digest_td_num, p->qual_qualified, W(d, W_OF), p->qual_open,
		    digest_td_num,
		    100.0 * (double)p->qual_qualified / (double)p->qual_open);
	}
	buf_puts(b, "</table>\n");
}

static void
digest_html_funnel(struct buf *b, const struct digest_data *d)
{
	char note[128];
	long max = digest_funnel_max(d);
	size_t i;

	digest_html_h2(b, W(d, W_FUNNEL_TITLE));
	snprintf(note, sizeof note, "%s / %s", W(d, W_OPEN_NOW),
	    W(d, W_ENTERED));
	digest_html_note(b, note);
	buf_puts(b, digest_table);
	for (i = 0; i < d->cur.nphases; i++) {
		buf_printf(b, "<tr>%s", digest_td);
		digest_put_html(b, d->cur.phases[i].phase, 20);
		buf_printf(b, "</td>%s", digest_td_bar);
		digest_html_bar(b, d->current[i], max, BAR_COLOUR);
		buf_printf(b, "</td>%s<b>%ld</b> %s &middot; +%ld</td></tr>\n",
		    digest_td_num, d->current[i], W(d, W_OPEN_NOW),
		    d->cur.phases[i].entered);
	}
	buf_puts(b, "</table>\n");
}

static void
digest_html_cohort(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	const char *cols[] = { W(d, W_PHASE), W(d, W_ENTERED), W(d, W_RATE),
	    W(d, W_PREVIOUS), W(d, W_TARGET) };
	char first[11], last[11], note[256], t1[16], t2[16], t3[16];
	size_t i;

	digest_cohort_days(cfg, d, first, last, sizeof first);
	digest_html_h2(b, W(d, W_COHORT_TITLE));
	snprintf(note, sizeof note, "%s %s %s %s, %s %d %s", W(d, W_COHORT_OF),
	    first, W(d, W_TO), last, W(d, W_WITHIN), d->cohort.within_days,
	    digest_word(d->lang, W_DAY, d->cohort.within_days));
	digest_html_note(b, note);
	buf_puts(b, digest_table);
	digest_html_head(b, cols, 5);
	for (i = 0; i < d->cohort.nphases; i++) {
		const struct conversion_phase *c = &d->cohort.phases[i];

		digest_pct(c->rate_next, t1, sizeof t1);
		digest_pct(d->cohort_prev.nphases > i ?
		    d->cohort_prev.phases[i].rate_next : NAN, t2, sizeof t2);
		digest_pct(c->target, t3, sizeof t3);
		buf_printf(b, "<tr>%s", digest_td);
		digest_put_html(b, c->phase, 20);
		if (c->small)
			buf_printf(b, " <span style=\"color:%s;\">(%s)</span>",
			    MUTED_COLOUR, W(d, W_SMALL));
		buf_printf(b, "</td>%s%ld</td>%s<b>%s</b></td>%s%s</td>%s%s</td>"
		    "</tr>\n", digest_td_num, c->entered, digest_td_num, t1,
		    digest_td_num, t2, digest_td_num, t3);
	}
	buf_puts(b, "</table>\n");
}

static void
digest_html_stalled(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char title[128], t1[32];
	size_t i, n;

	n = d->stalled.n < DIGEST_STALLED_MAX ? d->stalled.n : DIGEST_STALLED_MAX;
	snprintf(title, sizeof title, "%s (%zu)", W(d, W_STALLED_TITLE),
	    d->stalled.n);
	digest_html_h2(b, title);
	if (n == 0)
		digest_html_note(b, W(d, W_NONE));
	for (i = 0; i < n; i++) {
		const struct stalled *s = &d->stalled.v[i];

		buf_printf(b, "<table role=\"presentation\" width=\"100%%\" "
		    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\""
		    "width:100%%;border-collapse:collapse;margin:4px 0;\"><tr>"
		    "<td width=\"3\" bgcolor=\"%s\" style=\"width:3px;"
		    "background-color:%s;\">&nbsp;</td><td style=\"padding:4px "
		    "0 4px 8px;\"><b>", WARN_COLOUR, WARN_COLOUR);
		digest_put_html(b, s->account, 40);
		buf_printf(b, "</b> <span style=\"color:%s;\">", MUTED_COLOUR);
		if (d->person == NULL) {
			digest_put_html(b, s->salesperson, 20);
			buf_puts(b, ", ");
		}
		digest_put_html(b, s->phase, 20);
		buf_printf(b, "</span><br>%s %ld %s (%s %ld)", W(d, W_QUIET_FOR),
		    digest_days(s->quiet_days), digest_word(d->lang, W_DAY,
		    digest_days(s->quiet_days)), W(d, W_USUAL),
		    digest_days(s->usual_days));
		if (s->decision_passed)
			buf_printf(b, ", %s", W(d, W_DECISION_PASSED));
		if (!isnan(s->value)) {
			struct buf v = { 0 };

			digest_money(&v, d->lang, d->currency, s->value);
			buf_append(&v, "", 0);
			buf_puts(b, ", ");
			digest_put_html(b, v.data, 40);
			buf_free(&v);
		}
		if (s->evidence != NULL) {
			digest_day(cfg, s->evidence_at, t1, sizeof t1);
			buf_printf(b, "<br><span style=\"color:%s;\">%s %s: ",
			    MUTED_COLOUR, W(d, W_LAST), t1);
			digest_put_evidence(b, d, s->evidence, 60,
			    digest_put_html_cb);
			buf_puts(b, "</span>");
		}
		buf_puts(b, "</td></tr></table>\n");
	}
}

static void
digest_html_sum(struct buf *b, const struct digest_data *d, enum digest_word w,
    const struct forecast_sum *s)
{
	buf_printf(b, "<tr>%s%s</td>%s<b>%.1f</b></td>%s%.1f&ndash;%.1f</td>"
	    "%s%.1f</td></tr>\n", digest_td, digest_word(d->lang, w, 2),
	    digest_td_num, s->expected, digest_td_num, s->low, s->high,
	    digest_td_num, s->per_month);
}

static void
digest_html_forecast(struct buf *b, const struct digest_data *d)
{
	const char *cols[] = { "", W(d, W_EXPECTED), "95%",
	    W(d, W_PER_MONTH) };
	char title[128];

	snprintf(title, sizeof title, "%s %d %s", W(d, W_FORECAST_TITLE),
	    d->forecast.horizon_days, digest_word(d->lang, W_DAY,
	    d->forecast.horizon_days));
	digest_html_h2(b, title);
	buf_puts(b, digest_table);
	digest_html_head(b, cols, 4);
	digest_html_sum(b, d, W_NEW_CUSTOMER, &d->forecast.new_deals);
	digest_html_sum(b, d, W_GROWTH_DEAL, &d->forecast.growth);
	buf_puts(b, "</table>\n");
}

static void
digest_html_sources(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char t1[32];
	size_t i;

	digest_html_h2(b, W(d, W_SOURCES_TITLE));
	buf_puts(b, digest_table);
	for (i = 0; i < d->nhealth; i++) {
		const struct source_health *h = &d->health[i];

		buf_printf(b, "<tr>%s", digest_td);
		digest_put_html(b, h->source, 30);
		buf_puts(b, "</td><td style=\"padding:3px 0;\">");
		if (h->last_error != NULL) {
			digest_local(cfg, h->error_since, t1, sizeof t1);
			buf_printf(b, "<span style=\"color:%s;\">%s %s</span>"
			    "<br><span style=\"color:%s;\">", WARN_COLOUR,
			    W(d, W_FAILING_SINCE), t1, MUTED_COLOUR);
			digest_put_html(b, h->last_error, 80);
			buf_puts(b, "</span>");
		} else if (h->last_success != 0) {
			digest_local(cfg, h->last_success, t1, sizeof t1);
			buf_printf(b, "%s %s", W(d, W_OK_LAST_POLL), t1);
		} else
			buf_puts(b, W(d, W_NEVER_POLLED));
		buf_puts(b, "</td></tr>\n");
	}
	if (d->nhealth == 0)
		buf_printf(b, "<tr><td style=\"color:%s;\">%s</td></tr>\n",
		    MUTED_COLOUR, W(d, W_NONE));
	buf_puts(b, "</table>\n");
}

static void
digest_html_waiting(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char title[128], t1[16];
	size_t i;

	snprintf(title, sizeof title, "%s (%zu)", W(d, W_WAITING_TITLE),
	    d->nwaiting);
	digest_html_h2(b, title);
	if (d->nwaiting == 0) {
		digest_html_note(b, W(d, W_NONE));
		return;
	}
	buf_puts(b, digest_table);
	for (i = 0; i < d->nwaiting && i < DIGEST_LIST_MAX; i++) {
		const struct digest_offer *o = &d->waiting[i];
		struct buf v = { 0 };

		digest_day(cfg, o->sent, t1, sizeof t1);
		buf_printf(b, "<tr>%s<b>", digest_td);
		digest_put_html(b, o->account, 40);
		buf_printf(b, "</b><br><span style=\"color:%s;\">%s %s</span>"
		    "</td>%s%s ", MUTED_COLOUR, W(d, W_SENT), t1, digest_td_num,
		    W(d, W_WAITING));
		digest_count(&v, d->lang, digest_days(o->days), W_DAY);
		if (!isnan(o->value)) {
			buf_puts(&v, ", ");
			digest_money(&v, d->lang, d->currency, o->value);
		}
		buf_append(&v, "", 0);
		digest_put_html(b, v.data, 80);
		buf_free(&v);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

static void
digest_html_planned(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char title[128], t1[32];
	size_t i;

	snprintf(title, sizeof title, "%s %d (%zu)", W(d, W_PLANNED_TITLE),
	    d->planned_week, d->nplanned);
	digest_html_h2(b, title);
	if (d->nplanned == 0) {
		digest_html_note(b, W(d, W_NONE));
		return;
	}
	buf_puts(b, digest_table);
	for (i = 0; i < d->nplanned; i++) {
		const struct digest_meeting *m = &d->planned[i];

		digest_local(cfg, m->start, t1, sizeof t1);
		buf_printf(b, "<tr>%s%s</td>%s<b>", digest_td, t1, digest_td);
		digest_put_html(b, m->account, 40);
		buf_puts(b, "</b>");
		if (m->summary != NULL) {
			buf_printf(b, "<br><span style=\"color:%s;\">",
			    MUTED_COLOUR);
			digest_put_html(b, m->summary, 60);
			buf_puts(b, "</span>");
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

static void
digest_html_corrections(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	char title[128], t1[16];
	size_t i;

	snprintf(title, sizeof title, "%s (%zu)", W(d, W_CORRECTIONS_TITLE),
	    d->ncorrections);
	digest_html_h2(b, title);
	if (d->ncorrections == 0) {
		digest_html_note(b, W(d, W_NONE));
		return;
	}
	buf_puts(b, digest_table);
	for (i = 0; i < d->ncorrections; i++) {
		digest_day(cfg, d->corrections[i].at, t1, sizeof t1);
		buf_printf(b, "<tr>%s%s</td>%s", digest_td, t1, digest_td);
		digest_correction_words(b, d, &d->corrections[i],
		    digest_put_html_cb);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

static void
digest_html_footer(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	size_t i;

	buf_printf(b, "<table role=\"presentation\" width=\"100%%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:"
	    "100%%;border-collapse:collapse;margin-top:24px;border-top:1px "
	    "solid %s;font-size:12px;color:%s;\">\n<tr><td colspan=\"2\" "
	    "style=\"padding:8px 0 4px 0;\">%s</td></tr>\n", MUTED_COLOUR,
	    MUTED_COLOUR, W(d, W_FOOTER));
	for (i = 0; i < sizeof digest_hashtags / sizeof *digest_hashtags; i++)
		buf_printf(b, "<tr><td style=\"padding:1px 8px 1px 0;"
		    "font-family:Consolas,Menlo,monospace;white-space:nowrap;\">"
		    "%s</td><td style=\"padding:1px 0;\">%s</td></tr>\n",
		    digest_words_dutch(d->lang) ? digest_hashtags[i].tag_nl :
		    digest_hashtags[i].tag_en, W(d, digest_hashtags[i].what));
	if (cfg->digest.guide_url != NULL) {
		buf_printf(b, "<tr><td colspan=\"2\" style=\"padding:6px 0 0 0;\">"
		    "%s <a href=\"", W(d, W_GUIDE));
		digest_put_html(b, cfg->digest.guide_url, 300);
		buf_puts(b, "\">");
		digest_put_html(b, cfg->digest.guide_url, 300);
		buf_puts(b, "</a></td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/* The same as digest_text_lost, as a small table. */
static void
digest_html_lost(struct buf *b, const struct config *cfg,
    const struct digest_data *d)
{
	size_t top[DIGEST_LOST_REASONS_MAX], n, k;
	int p;

	if (d->lost_reasons.with_reason == 0)
		return;
	digest_html_h2(b, W(d, W_LOST_TITLE));
	buf_puts(b, digest_table);
	for (p = 0; p < (int)cfg->phases.n; p++) {
		n = digest_lost_top(d, p, top);
		if (n == 0)
			continue;
		buf_printf(b, "<tr>%s", digest_td);
		digest_put_html(b, cfg->phases.name[p], 20);
		buf_puts(b, "</td><td style=\"padding:3px 0;\">");
		for (k = 0; k < n; k++) {
			buf_puts(b, k > 0 ? ", " : "");
			digest_put_html(b, d->lost_reasons.v[top[k]].reason, 40);
			buf_printf(b, " <b>%ld</b>", d->lost_reasons.v[top[k]].count);
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

char *
digest_html(const struct config *cfg, const struct digest_data *d)
{
	struct buf b = { 0 }, title = { 0 };

	digest_text_title(&title, d);
	if (title.len > 0 && title.data[title.len - 1] == '\n')
		title.data[--title.len] = '\0';
	buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"color-scheme\" content=\"light dark\">"
	    "<meta name=\"supported-color-schemes\" content=\"light dark\">"
	    "<title>%s</title></head>\n"
	    "<body style=\"margin:0;padding:0;\">\n"
	    "<table role=\"presentation\" width=\"%d\" align=\"center\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:%dpx;"
	    "border-collapse:collapse;font-family:-apple-system,'Segoe UI',"
	    "Roboto,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.4;"
	    "\">\n<tr><td style=\"padding:12px 0;\">\n",
	    digest_words_dutch(d->lang) ? "nl" : "en",
	    W(d, d->person != NULL ? W_PERSONAL : W_DIGEST), DIGEST_WIDTH,
	    DIGEST_WIDTH);
	buf_puts(&b, "<h1 style=\"font-size:20px;margin:0 0 4px 0;\">");
	digest_put_html(&b, title.data, 300);
	buf_puts(&b, "</h1>\n");
	buf_free(&title);

	digest_html_meetings(&b, d);
	if (d->person != NULL) {
		digest_html_waiting(&b, cfg, d);
		digest_html_stalled(&b, cfg, d);
		digest_html_planned(&b, cfg, d);
		digest_html_corrections(&b, cfg, d);
		digest_html_trend(&b, d);
		digest_html_footer(&b, cfg, d);
	} else {
		digest_html_trend(&b, d);
		digest_html_moves(&b, d);
		digest_html_closed(&b, d);
		digest_html_lost(&b, cfg, d);
		digest_html_funnel(&b, d);
		digest_html_qualification(&b, d);
		digest_html_cohort(&b, cfg, d);
		digest_html_stalled(&b, cfg, d);
		digest_html_forecast(&b, d);
		digest_html_sources(&b, cfg, d);
	}
	buf_puts(&b, "</td></tr></table>\n</body></html>\n");
	return b.data;
}

/* ---- MIME ---- */

void
digest_qp_encode(struct buf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)text;
	int col = 0;

	for (; *p != '\0'; p++) {
		char tok[4];
		int len;
		bool at_eol = p[1] == '\n' || p[1] == '\0';

		if (*p == '\n') {
			buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if ((*p < 0x20 && *p != '\t') || *p == '=' || *p >= 0x7f ||
		    ((*p == ' ' || *p == '\t') && at_eol) ||
		    (*p == '.' && col == 0)) {
			tok[0] = '=';
			tok[1] = hex[*p >> 4];
			tok[2] = hex[*p & 15];
			len = 3;
		} else {
			tok[0] = (char)*p;
			len = 1;
		}
		/* RFC 2045 6.7: lines of at most 76 characters, "=" included. */
		if (col + len > 75) {
			buf_puts(b, "=\r\n");
			col = 0;
		}
		buf_append(b, tok, (size_t)len);
		col += len;
	}
}

static void
digest_base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4];
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		out[0] = tab[p[i] >> 2];
		out[1] = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		out[2] = tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		out[3] = tab[p[i + 2] & 63];
		buf_append(b, out, 4);
	}
	if (n - i == 1) {
		out[0] = tab[p[i] >> 2];
		out[1] = tab[(p[i] & 3) << 4];
		out[2] = out[3] = '=';
		buf_append(b, out, 4);
	} else if (n - i == 2) {
		out[0] = tab[p[i] >> 2];
		out[1] = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		out[2] = tab[(p[i + 1] & 15) << 2];
		out[3] = '=';
		buf_append(b, out, 4);
	}
}

void
digest_header_encode(struct buf *b, const char *name, const char *value)
{
	char *v = digest_clean(value);
	size_t n = strlen(v), i, chunk, most, first;
	bool ascii = true;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] >= 0x80)
			ascii = false;
	if (ascii && strlen(name) + 2 + n <= 78) {
		buf_printf(b, "%s: %s\r\n", name, v);
		free(v);
		return;
	}
	/*
	 * RFC 2047: encoded words of at most 75 characters on lines of at
	 * most 76, never splitting a UTF-8 sequence between two words.  A
	 * word holds 45 bytes on a folded line (" =?UTF-8?B?", 60, "?="),
	 * fewer on the first, after the field's name; none there when the
	 * name leaves no room.
	 */
	buf_printf(b, "%s:", name);
	first = strlen(name) + 2 + 12 + 4 < 76 ?
	    (76 - strlen(name) - 2 - 12) / 4 * 3 : 0;
	if (first == 0)
		buf_puts(b, "\r\n");
	for (i = 0; i < n; i += chunk) {
		most = i == 0 && first > 0 ? first : 45;
		chunk = n - i < most ? n - i : most;
		while (chunk > 1 && i + chunk < n &&
		    ((unsigned char)v[i + chunk] & 0xc0) == 0x80)
			chunk--;
		buf_puts(b, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		digest_base64(b, (const unsigned char *)v + i, chunk);
		buf_puts(b, "?=");
	}
	buf_puts(b, "\r\n");
	free(v);
}

static void
digest_random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	static unsigned long counter;
	unsigned char r[16];
	size_t i;

	if (nbytes > sizeof r)
		nbytes = sizeof r;
	if (getrandom(r, nbytes, 0) != (ssize_t)nbytes) {
		unsigned long x = (unsigned long)util_monotonic_ms() ^
		    ((unsigned long)getpid() << 16) ^ ++counter;

		for (i = 0; i < nbytes; i++, x = x * 6364136223846793005UL + 1)
			r[i] = (unsigned char)(x >> 33);
	}
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

/* RFC 5322 3.3 date in UTC, independent of the locale. */
static void
digest_rfc5322_date(time_t t, char *out, size_t outlen)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    wd[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
digest_message_id(const struct config *cfg, const struct digest_period *period,
    time_t now, char *out, size_t outlen)
{
	const char *from = cfg->smtp.from;
	char rnd[33], key[sizeof period->key], *p;

	snprintf(key, sizeof key, "%s", period->key);
	for (p = key; *p != '\0'; p++)
		if (*p == ':')
			*p = '.';
	digest_random_hex(rnd, 12);
	snprintf(out, outlen, "<digest.%s.%lld.%s@%s>", key, (long long)now,
	    rnd, from != NULL && util_valid_address(from) ?
	    strchr(from, '@') + 1 : "localhost");
}

char *
digest_message(const struct config *cfg, const struct digest_data *d,
    const char *to, const char *msgid, time_t now)
{
	struct buf b = { 0 };
	const char *from = cfg->smtp.from != NULL ? cfg->smtp.from : NULL;
	char date[64], boundary[48], rnd[33], id[256];
	char *subject, *text, *html, *p;

	if (from != NULL && !util_valid_address(from))
		from = NULL;
	digest_rfc5322_date(now, date, sizeof date);
	digest_random_hex(rnd, 8);
	snprintf(boundary, sizeof boundary, "=_salescycle_%s", rnd);
	if (msgid == NULL) {
		digest_message_id(cfg, &d->period, now, id, sizeof id);
		msgid = id;
	}

	buf_printf(&b, "Date: %s\r\n", date);
	/*
	 * Addresses are never encoded words (RFC 2047 section 5): they are
	 * checked to be plain addresses and written as they are.
	 */
	buf_printf(&b, "From: salescycle <%s>\r\n", from != NULL &&
	    util_valid_address(from) ? from : "salescycle@localhost");
	if (to != NULL && util_valid_address(to))
		buf_printf(&b, "To: %s\r\n", to);
	else
		buf_puts(&b, "To: undisclosed-recipients:;\r\n");
	subject = digest_subject(d);
	digest_header_encode(&b, "Subject", subject);
	free(subject);
	/* Ours, or read back from our own record: still no line break in it. */
	p = digest_clean(msgid);
	buf_printf(&b, "Message-ID: %s\r\n", p);
	free(p);
	buf_puts(&b, "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n");
	buf_printf(&b, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n\r\n", boundary);
	buf_puts(&b, "This is a MIME message with a text and an HTML part.\r\n");

	text = digest_text(cfg, d);
	buf_printf(&b, "\r\n--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
	digest_qp_encode(&b, text);
	free(text);

	html = digest_html(cfg, d);
	buf_printf(&b, "\r\n--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
	digest_qp_encode(&b, html);
	free(html);
	buf_printf(&b, "\r\n--%s--\r\n", boundary);
	return b.data;
}

char *
digest_test_message(const struct config *cfg, const char *to,
    const char *host, time_t now)
{
	struct buf b = { 0 }, text = { 0 };
	const char *from = cfg->smtp.from;
	char date[64], rnd[33];

	if (from == NULL || !util_valid_address(from))
		from = "salescycle@localhost";
	digest_rfc5322_date(now, date, sizeof date);
	digest_random_hex(rnd, 12);
	buf_printf(&b, "Date: %s\r\n", date);
	buf_printf(&b, "From: salescycle <%s>\r\n", from);
	buf_printf(&b, "To: %s\r\n", to != NULL && util_valid_address(to) ?
	    to : "undisclosed-recipients:;");
	digest_header_encode(&b, "Subject", "salescycle: test mail");
	buf_printf(&b, "Message-ID: <test.%lld.%s@%s>\r\n", (long long)now,
	    rnd, strchr(from, '@') + 1);
	buf_puts(&b, "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	/* The host name is the machine's own, quoted-printable like the rest. */
	buf_printf(&text, "This is a test mail of salescycle doctor --send-test, "
	    "sent from %s.\n\nThe digest reaches you the same way: nothing to "
	    "do.\n", host);
	digest_qp_encode(&b, text.data);
	buf_free(&text);
	return b.data;
}
