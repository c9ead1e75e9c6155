/* SPDX-License-Identifier: MIT */
/*
 * The digest email (digest.h): collects the period's numbers through
 * report.c and analysis.c (so they equal the CLI's), renders a plain text
 * and an HTML part, wraps them in a MIME message and sends it with
 * libcurl's SMTP.  It does not schedule anything by itself: the agent
 * calls digest_run() once per loop, and `salescycle digest` composes or
 * sends one on demand.
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
#include <sys/random.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libical/ical.h>

#define LOG_TAG "digest"
#include "digest.h"
#include "http.h"
#include "log.h"
#include "report.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

#define DAY		86400
#define BAR_COLOUR	"#3b82f6"
#define WARN_COLOUR	"#e0533d"
#define MUTED_COLOUR	"#8a8f98"

/* ---- periods and recipients ---- */

int
digest_period_at(const struct config *cfg, const char *name, time_t as_of,
    struct digest_period *p, struct err *err)
{
	char today[11];
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
	util_day_add(today, -days, p->first, sizeof p->first);
	util_day_add(today, -1, p->last, sizeof p->last);
	snprintf(p->key, sizeof p->key, "%s:%s", p->name, p->first);
	if (util_day_start(p->first, cfg->timezone, &p->since) != 0 ||
	    util_day_start(today, cfg->timezone, &p->until) != 0)
		return err_set(err, ERR_FINAL, "cannot compute the days before %s",
		    today);
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
	int ph;

	if (sd->outcome != OUTCOME_OPEN ||
	    digest_person(w->d, sd->salesperson) == NULL)
		return 0;
	ph = config_phase_index(w->cfg, sd->phase);
	if (ph != PHASE_NONE)
		w->d->current[ph]++;
	return 0;
}

/* Deals closed in the period, and the open deals per phase now. */
static int
digest_collect_deals(struct store *st, const struct config *cfg,
    struct digest_data *d, struct err *err)
{
	struct digest_deals_walk w = { cfg, d };

	if (store_closed_deals(st, d->period.since, d->period.until,
	    digest_closed_deal, &w, err) != 0)
		return -1;
	return store_deal_states(st, NULL, digest_open_deal, &w, err);
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
	    digest_collect_deals(st, cfg, d, err) != 0 ||
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

/* The change of a rate in percentage points: "+12", "-3", or "" when either is undefined. */
static void
digest_change(double cur, double prev, char *out, size_t outlen)
{
	if (isnan(cur) || isnan(prev))
		snprintf(out, outlen, "-");
	else
		snprintf(out, outlen, "%+.0f pt", (cur - prev) * 100.0);
}

static bool
digest_has_prev(const struct digest_data *d)
{
	return d->prev.since != 0;
}

char *
digest_subject(const struct digest_data *d)
{
	const char *what = strcmp(d->period.name, "day") == 0 ? "day" : "week";

	if (strcmp(d->period.first, d->period.last) == 0)
		return xasprintf("Sales %s %s: %ld appointments, %ld won", what,
		    d->period.first, d->appointments, d->won_new + d->won_growth);
	return xasprintf("Sales %s %s \xe2\x80\x93 %s: %ld appointments, %ld won",
	    what, d->period.first, d->period.last, d->appointments,
	    d->won_new + d->won_growth);
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

static long
digest_appt_max(const struct digest_data *d)
{
	long max = 0;
	size_t i;

	for (i = 0; i < d->npeople; i++)
		if (d->people[i].appointments > max)
			max = d->people[i].appointments;
	return max;
}

/* "met" / "below" against a target, or "" without one. */
static const char *
digest_verdict(double value, double target)
{
	if (isnan(target) || isnan(value))
		return "";
	return value >= target ? "met" : "below";
}

static void
digest_text_sum(struct buf *b, const char *label, const struct forecast_sum *s)
{
	buf_printf(b, "  %-15s %5.1f expected (%.1f to %.1f) of %ld deals, "
	    "%.1f per month\n", label, s->expected, s->low, s->high, s->deals,
	    s->per_month);
}

char *
digest_text(const struct config *cfg, const struct digest_data *d)
{
	struct buf b = { 0 };
	char t1[32], t2[32], t3[32], t4[32];
	long max;
	size_t i, n;

	buf_printf(&b, "Sales digest, %s %s to %s (%ld working days)\n\n",
	    d->period.name, d->period.first, d->period.last, d->working_days);

	buf_puts(&b, "NEW APPOINTMENTS per working day");
	if (!isnan(d->appt_target))
		buf_printf(&b, " (target %.2f)", d->appt_target);
	buf_puts(&b, "\n");
	max = digest_appt_max(d);
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];

		buf_puts(&b, "  ");
		digest_put_clean(&b, p->name, 20);
		buf_printf(&b, "%*s", (int)(22 - (strlen(p->name) > 20 ? 23 :
		    strlen(p->name))), "");
		digest_text_bar(&b, p->appointments, max, 20);
		buf_printf(&b, " %3ld  %5.2f/day %s\n", p->appointments,
		    p->per_day, digest_verdict(p->per_day, d->appt_target));
	}
	buf_printf(&b, "  total %ld\n\n", d->appointments);

	buf_printf(&b, "PHASE TRANSITIONS: %ld\n", d->transitions);
	for (i = 0, n = 0; i < d->cur.nphases; i++) {
		if (d->transitions_to[i] == 0)
			continue;
		buf_printf(&b, "%s%s %ld", n++ == 0 ? "  into " : ", ",
		    d->cur.phases[i].phase, d->transitions_to[i]);
	}
	buf_puts(&b, n > 0 ? "\n\n" : "\n");

	buf_printf(&b, "WON: %ld new customers, %ld growth deals; lost %ld\n",
	    d->won_new, d->won_growth, d->lost);
	for (i = 0; i < d->nwon; i++) {
		buf_puts(&b, "  ");
		digest_put_clean(&b, d->won[i].account, 40);
		buf_printf(&b, " (%s, %s)\n", deal_kind_name(d->won[i].kind),
		    d->won[i].salesperson);
	}
	buf_puts(&b, "\n");

	buf_puts(&b, "FUNNEL: open deals now / entered in the period\n");
	max = digest_funnel_max(d);
	for (i = 0; i < d->cur.nphases; i++) {
		buf_printf(&b, "  %-10.10s ", d->cur.phases[i].phase);
		digest_text_bar(&b, d->current[i], max, 20);
		buf_printf(&b, " %3ld open %3ld entered\n", d->current[i],
		    d->cur.phases[i].entered);
	}
	buf_puts(&b, "\n");

	buf_printf(&b, "CONVERSION to the next phase%s\n", digest_has_prev(d) ?
	    ", against the previous period" : "");
	buf_printf(&b, "  %-10s %7s %5s %5s %7s %6s %7s\n", "phase", "entered",
	    "rate", "prev", "change", "target", "median");
	for (i = 0; i < d->cur.nphases; i++) {
		const struct conversion_phase *c = &d->cur.phases[i];
		double prev = digest_has_prev(d) ? d->prev.phases[i].rate_next : NAN;

		digest_pct(c->rate_next, t1, sizeof t1);
		digest_pct(prev, t2, sizeof t2);
		digest_change(c->rate_next, prev, t3, sizeof t3);
		digest_pct(c->target, t4, sizeof t4);
		buf_printf(&b, "  %-10.10s %7ld %5s %5s %7s %6s", c->phase,
		    c->entered, t1, t2, t3, t4);
		if (isnan(c->median_days))
			buf_printf(&b, " %7s\n", "-");
		else
			buf_printf(&b, " %5.1f d\n", c->median_days);
	}
	buf_puts(&b, "\n");

	n = d->stalled.n < DIGEST_STALLED_MAX ? d->stalled.n : DIGEST_STALLED_MAX;
	buf_printf(&b, "STALLED DEALS: %zu", d->stalled.n);
	if (d->stalled.n > n)
		buf_printf(&b, " (top %zu)", n);
	buf_puts(&b, "\n");
	for (i = 0; i < n; i++) {
		const struct stalled *s = &d->stalled.v[i];

		buf_puts(&b, "  ");
		digest_put_clean(&b, s->account, 40);
		buf_printf(&b, " (%s, %s): %.0f days in phase", s->salesperson,
		    s->phase, s->days_in_phase);
		if (s->silent)
			buf_printf(&b, ", %.0f days without reply", s->days_silent);
		buf_puts(&b, "\n");
		if (s->evidence != NULL) {
			digest_day(cfg, s->evidence_at, t1, sizeof t1);
			buf_printf(&b, "    last: %s ", t1);
			digest_put_clean(&b, s->evidence, 60);
			buf_puts(&b, "\n");
		}
	}
	buf_puts(&b, "\n");

	buf_printf(&b, "FORECAST for the next %d days\n", d->forecast.horizon_days);
	digest_text_sum(&b, "new customers", &d->forecast.new_deals);
	digest_text_sum(&b, "growth deals", &d->forecast.growth);
	buf_puts(&b, "\n");

	buf_puts(&b, "SOURCES\n");
	if (d->nhealth == 0)
		buf_puts(&b, "  none configured\n");
	for (i = 0; i < d->nhealth; i++) {
		const struct source_health *h = &d->health[i];

		buf_printf(&b, "  %-20s ", h->source);
		if (h->last_error != NULL) {
			digest_local(cfg, h->error_since, t1, sizeof t1);
			buf_printf(&b, "FAILING since %s: ", t1);
			digest_put_clean(&b, h->last_error, 80);
			buf_puts(&b, "\n");
		} else if (h->last_success != 0) {
			digest_local(cfg, h->last_success, t1, sizeof t1);
			buf_printf(&b, "ok, last poll %s\n", t1);
		} else
			buf_puts(&b, "never polled\n");
	}
	return b.data;
}

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
	    " cellspacing=\"0\" style=\"width:%d%%;border-collapse:collapse;\"><tr>"
	    "<td bgcolor=\"%s\" style=\"background-color:%s;height:14px;"
	    "font-size:1px;line-height:1px;border-radius:3px;\">&nbsp;</td>"
	    "</tr></table>", pct, pct, colour, colour);
}

static void
digest_html_h2(struct buf *b, const char *title)
{
	buf_printf(b, "<h2 style=\"font-size:16px;margin:22px 0 6px 0;"
	    "padding:0;\">%s</h2>\n", title);
}

static const char digest_td[] = "<td style=\"padding:3px 6px 3px 0;"
    "vertical-align:middle;white-space:nowrap;\">";
static const char digest_td_num[] = "<td style=\"padding:3px 0 3px 6px;"
    "vertical-align:middle;text-align:right;white-space:nowrap;\">";
static const char digest_td_bar[] = "<td style=\"padding:3px 0;"
    "vertical-align:middle;width:100%;\">";
static const char digest_table[] = "<table role=\"presentation\" width=\"100%\""
    " cellpadding=\"0\" cellspacing=\"0\" style=\"width:100%;"
    "border-collapse:collapse;font-size:14px;\">\n";

static void
digest_html_sum(struct buf *b, const char *label, const struct forecast_sum *s)
{
	buf_printf(b, "<tr>%s%s</td>%s<b>%.1f</b></td>%s%.1f&ndash;%.1f</td>"
	    "%s%.1f</td></tr>\n", digest_td, label, digest_td_num, s->expected,
	    digest_td_num, s->low, s->high, digest_td_num, s->per_month);
}

char *
digest_html(const struct config *cfg, const struct digest_data *d)
{
	struct buf b = { 0 };
	char t1[32], t2[32], t3[32];
	const char *muted = "color:" MUTED_COLOUR ";";
	long max;
	size_t i, n;

	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"color-scheme\" content=\"light dark\">"
	    "<meta name=\"supported-color-schemes\" content=\"light dark\">"
	    "<title>Sales digest</title></head>\n"
	    "<body style=\"margin:0;padding:0;\">\n"
	    "<div style=\"max-width:600px;margin:0 auto;padding:12px;"
	    "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
	    "font-size:14px;line-height:1.4;\">\n");
	buf_printf(&b, "<h1 style=\"font-size:20px;margin:0 0 4px 0;\">Sales digest"
	    "</h1>\n<p style=\"margin:0;%s\">%s %s &ndash; %s, %ld working days</p>\n",
	    muted, d->period.name, d->period.first, d->period.last,
	    d->working_days);

	/* Headline numbers. */
	buf_printf(&b, "%s<tr>", digest_table);
	buf_printf(&b, "<td style=\"padding:10px 0;text-align:center;\"><div style=\""
	    "font-size:26px;font-weight:bold;\">%ld</div><div style=\"%s\">"
	    "appointments</div></td>", d->appointments, muted);
	buf_printf(&b, "<td style=\"padding:10px 0;text-align:center;\"><div style=\""
	    "font-size:26px;font-weight:bold;\">%ld</div><div style=\"%s\">"
	    "transitions</div></td>", d->transitions, muted);
	buf_printf(&b, "<td style=\"padding:10px 0;text-align:center;\"><div style=\""
	    "font-size:26px;font-weight:bold;\">%ld</div><div style=\"%s\">"
	    "won</div></td>", d->won_new + d->won_growth, muted);
	buf_puts(&b, "</tr></table>\n");

	digest_html_h2(&b, "New appointments per working day");
	if (!isnan(d->appt_target))
		buf_printf(&b, "<p style=\"margin:0 0 4px 0;%s\">target %.2f per day"
		    "</p>\n", muted, d->appt_target);
	buf_puts(&b, digest_table);
	max = digest_appt_max(d);
	for (i = 0; i < d->npeople; i++) {
		const struct digest_person *p = &d->people[i];
		const char *v = digest_verdict(p->per_day, d->appt_target);

		buf_printf(&b, "<tr>%s", digest_td);
		digest_put_html(&b, p->name, 24);
		buf_printf(&b, "</td>%s", digest_td_bar);
		digest_html_bar(&b, p->appointments, max, BAR_COLOUR);
		buf_printf(&b, "</td>%s%ld &middot; %.2f/day", digest_td_num,
		    p->appointments, p->per_day);
		if (*v != '\0')
			buf_printf(&b, " <span style=\"color:%s;\">%s</span>",
			    strcmp(v, "met") == 0 ? BAR_COLOUR : WARN_COLOUR, v);
		buf_puts(&b, "</td></tr>\n");
	}
	buf_puts(&b, "</table>\n");

	digest_html_h2(&b, "Funnel");
	buf_printf(&b, "<p style=\"margin:0 0 4px 0;%s\">open deals now (bar) "
	    "&middot; entered in the period</p>\n", muted);
	buf_puts(&b, digest_table);
	max = digest_funnel_max(d);
	for (i = 0; i < d->cur.nphases; i++) {
		buf_printf(&b, "<tr>%s", digest_td);
		digest_put_html(&b, d->cur.phases[i].phase, 20);
		buf_printf(&b, "</td>%s", digest_td_bar);
		digest_html_bar(&b, d->current[i], max, BAR_COLOUR);
		buf_printf(&b, "</td>%s<b>%ld</b> open &middot; +%ld</td></tr>\n",
		    digest_td_num, d->current[i], d->cur.phases[i].entered);
	}
	buf_printf(&b, "</table>\n<p style=\"margin:6px 0 0 0;\">Won: <b>%ld</b> "
	    "new customers, <b>%ld</b> growth deals &middot; lost %ld</p>\n",
	    d->won_new, d->won_growth, d->lost);
	if (d->nwon > 0) {
		buf_puts(&b, "<ul style=\"margin:4px 0;padding-left:18px;\">");
		for (i = 0; i < d->nwon; i++) {
			buf_puts(&b, "<li>");
			digest_put_html(&b, d->won[i].account, 40);
			buf_printf(&b, " <span style=\"%s\">(%s, ", muted,
			    deal_kind_name(d->won[i].kind));
			digest_put_html(&b, d->won[i].salesperson, 20);
			buf_puts(&b, ")</span></li>");
		}
		buf_puts(&b, "</ul>\n");
	}

	digest_html_h2(&b, "Conversion to the next phase");
	buf_puts(&b, digest_table);
	buf_printf(&b, "<tr style=\"%s\">%sphase</td>%sentered</td>%srate</td>"
	    "%sprevious</td>%starget</td></tr>\n", muted, digest_td,
	    digest_td_num, digest_td_num, digest_td_num, digest_td_num);
	for (i = 0; i < d->cur.nphases; i++) {
		const struct conversion_phase *c = &d->cur.phases[i];
		double prev = digest_has_prev(d) ? d->prev.phases[i].rate_next : NAN;

		digest_pct(c->rate_next, t1, sizeof t1);
		digest_pct(prev, t2, sizeof t2);
		digest_pct(c->target, t3, sizeof t3);
		buf_printf(&b, "<tr>%s", digest_td);
		digest_put_html(&b, c->phase, 20);
		buf_printf(&b, "</td>%s%ld</td>%s<b>%s</b></td>%s%s</td>%s%s</td>"
		    "</tr>\n", digest_td_num, c->entered, digest_td_num, t1,
		    digest_td_num, t2, digest_td_num, t3);
	}
	buf_puts(&b, "</table>\n");

	n = d->stalled.n < DIGEST_STALLED_MAX ? d->stalled.n : DIGEST_STALLED_MAX;
	buf_printf(&b, "<h2 style=\"font-size:16px;margin:22px 0 6px 0;\">"
	    "Stalled deals (%zu)</h2>\n", d->stalled.n);
	if (n == 0)
		buf_printf(&b, "<p style=\"margin:0;%s\">none</p>\n", muted);
	for (i = 0; i < n; i++) {
		const struct stalled *s = &d->stalled.v[i];

		buf_printf(&b, "<div style=\"padding:6px 0 6px 8px;margin:4px 0;"
		    "border-left:3px solid %s;\"><b>", WARN_COLOUR);
		digest_put_html(&b, s->account, 40);
		buf_printf(&b, "</b> <span style=\"%s\">", muted);
		digest_put_html(&b, s->salesperson, 20);
		buf_printf(&b, ", %s</span><br>%.0f days in phase", s->phase,
		    s->days_in_phase);
		if (s->silent)
			buf_printf(&b, ", %.0f days without reply", s->days_silent);
		if (s->evidence != NULL) {
			digest_day(cfg, s->evidence_at, t1, sizeof t1);
			buf_printf(&b, "<br><span style=\"%s\">last %s: ", muted, t1);
			digest_put_html(&b, s->evidence, 60);
			buf_puts(&b, "</span>");
		}
		buf_puts(&b, "</div>\n");
	}

	buf_printf(&b, "<h2 style=\"font-size:16px;margin:22px 0 6px 0;\">"
	    "Forecast, next %d days</h2>\n", d->forecast.horizon_days);
	buf_puts(&b, digest_table);
	buf_printf(&b, "<tr style=\"%s\">%s&nbsp;</td>%sexpected</td>%s95%%</td>"
	    "%sper month</td></tr>\n", muted, digest_td, digest_td_num,
	    digest_td_num, digest_td_num);
	digest_html_sum(&b, "new customers", &d->forecast.new_deals);
	digest_html_sum(&b, "growth deals", &d->forecast.growth);
	buf_puts(&b, "</table>\n");

	digest_html_h2(&b, "Sources");
	buf_puts(&b, digest_table);
	for (i = 0; i < d->nhealth; i++) {
		const struct source_health *h = &d->health[i];

		buf_printf(&b, "<tr>%s", digest_td);
		digest_put_html(&b, h->source, 30);
		buf_puts(&b, "</td><td style=\"padding:3px 0;\">");
		if (h->last_error != NULL) {
			digest_local(cfg, h->error_since, t1, sizeof t1);
			buf_printf(&b, "<span style=\"color:%s;\">failing since %s"
			    "</span><br><span style=\"%s\">", WARN_COLOUR, t1, muted);
			digest_put_html(&b, h->last_error, 80);
			buf_puts(&b, "</span>");
		} else if (h->last_success != 0) {
			digest_local(cfg, h->last_success, t1, sizeof t1);
			buf_printf(&b, "ok, last poll %s", t1);
		} else
			buf_puts(&b, "never polled");
		buf_puts(&b, "</td></tr>\n");
	}
	if (d->nhealth == 0)
		buf_printf(&b, "<tr><td style=\"%s\">none configured</td></tr>\n",
		    muted);
	buf_puts(&b, "</table>\n</div>\n</body></html>\n");
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
	size_t n = strlen(v), i, chunk;
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
	 * RFC 2047: encoded words of at most 75 characters, on folded
	 * lines, never splitting a UTF-8 sequence between two words.
	 */
	buf_printf(b, "%s:", name);
	for (i = 0; i < n; i += chunk) {
		chunk = n - i < 45 ? n - i : 45;
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

bool
digest_valid_address(const char *a)
{
	const char *at, *p;

	if (a == NULL || *a == '\0' || strlen(a) > 254)
		return false;
	for (p = a; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    strchr("<>()[],;:\\\"", *p) != NULL)
			return false;
	at = strchr(a, '@');
	return at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL;
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
		unsigned long x = (unsigned long)time(NULL) ^
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
	    rnd, from != NULL && digest_valid_address(from) ?
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

	if (from != NULL && !digest_valid_address(from))
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
	    digest_valid_address(from) ? from : "salescycle@localhost");
	if (to != NULL && digest_valid_address(to))
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

/* ---- sending ---- */

struct digest_upload {
	const char	*data;
	size_t		 len, off;
};

static size_t
digest_read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct digest_upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* libcurl's progress callback: a non-zero return aborts the transfer. */
static int
digest_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const volatile sig_atomic_t *stop = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return *stop ? 1 : 0;
}

/* The error class of a failed transfer: by curl's code, then by the SMTP reply. */
static enum err_class
digest_curl_class(CURLcode rc, long reply)
{
	switch (rc) {
	case CURLE_LOGIN_DENIED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_AUTH_ERROR:
		return ERR_WAIT;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return ERR_FINAL;
	default:
		break;
	}
	if (reply >= 500)
		return ERR_WAIT;
	return ERR_TEMP;
}

int
digest_send(const struct config *cfg, const char *to, const char *msg,
    const volatile sig_atomic_t *stop, struct err *err)
{
	const struct smtp *s = &cfg->smtp;
	struct digest_upload u = { msg, strlen(msg), 0 };
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *password = NULL, addr[300];
	char fdmsg[256];
	const char *capath;
	long reply = 0;
	CURLcode rc;
	CURL *c;
	int ret = -1, sock_errno;

	if (s->url == NULL || s->from == NULL)
		return err_set(err, ERR_FINAL, "no [smtp] url and from configured");
	if (!digest_valid_address(to))
		return err_set(err, ERR_FINAL, "'%s' is not a mail address", to);
	if (!digest_valid_address(s->from))
		return err_set(err, ERR_FINAL, "[smtp] from '%s' is not a mail "
		    "address", s->from);
	if (s->user != NULL && config_secret(&s->password, &password, err) != 0)
		return -1;
	if ((c = curl_easy_init()) == NULL) {
		free(password);
		return err_set(err, ERR_TEMP, "cannot start libcurl");
	}
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	/* STARTTLS is required on smtp:// unless the admin said tls = none. */
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(s->tls == TLS_NONE ?
	    CURLUSESSL_NONE : CURLUSESSL_ALL));
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca_file != NULL) {
		/* ca_file adds a trust anchor; the system directory stays. */
		const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);

		capath = vi != NULL && vi->capath != NULL ? vi->capath :
		    "/etc/ssl/certs";
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, capath);
	}
	if (s->user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password != NULL ? password : "");
	}
	snprintf(addr, sizeof addr, "<%s>", s->from);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	snprintf(addr, sizeof addr, "<%s>", to);
	rcpt = curl_slist_append(rcpt, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, digest_read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	/* A want of descriptors is said so, not as a refused connection. */
	http_watch_sockets(c, &sock_errno);
	if (stop != NULL) {
		/* Called every second, also while the server is silent. */
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, digest_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
	}

	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		ret = 0;
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		err_set(err, ERR_TEMP, "%s: stopped: the program is stopping",
		    s->url);
	else if (http_fd_trouble((int)rc, sock_errno, fdmsg,
	    sizeof fdmsg) != NULL)
		err_set(err, ERR_TEMP, "%s: %s", s->url, fdmsg);
	else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
		err_set(err, digest_curl_class(rc, reply), "%s: %s%s%.0ld%s",
		    s->url, errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc),
		    reply > 0 ? " (reply " : "", reply, reply > 0 ? ")" : "");
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	return ret;
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
	if (store_digest_claim(st, period_key, recipient, msgid, time(NULL),
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
	int sent = 0, failed = 0, rc;

	digest_flush(st, state, now);
	digest_recipients(cfg, &r);
	if (r.n == 0) {
		digest_recipients_free(&r);
		return err_set(err, ERR_FINAL, "no recipients: set [digest] to, "
		    "or a manager for the salespeople");
	}
	for (i = 0; i < r.n; i++) {
		const char *to = r.v[i].address;

		if (!force && digest_was_sent(st, period->key, to))
			continue;
		err_clear(&e);
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
		rc = digest_send(cfg, to, msg, state->stop, &e);
		free(msg);
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
		log_warn("%s to %s: %s", period->key, to, e.msg);
		if (failed++ == 0)
			*err = e;
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
