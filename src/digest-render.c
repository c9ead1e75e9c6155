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
#include <sys/random.h>
#include <unistd.h>

#include <libical/ical.h>

#include "digest.h"
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
