/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of digest.c: periods, recipients, the numbers against the
 * CLI's reports for the same period, the text and HTML parts, MIME
 * (quoted-printable, RFC 2047, headers), header injection, the record of
 * sent periods across a restart, the schedule and the back-off after a
 * failed send.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "digest.h"
#include "digest-words.h"
#include "helpers.h"
#include "mime.h"
#include "project.h"
#include "report.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

#define T0	1780012800	/* Friday 2026-05-29 00:00 UTC */
#define DAY	86400
#define MONDAY	(T0 + 3 * DAY)	/* 2026-06-01 */
#define EVIL	"Offerte\r\nBcc: victim@evil.example"

struct fixture {
	struct config	 cfg;
	struct store	*st;
	char		 path[512];
};

static void
add_sig(struct signal_list *l, enum signal_kind kind, const char *account,
    const char *who, time_t at, enum direction dir, const char *id,
    const char *subject)
{
	struct signal *s = signal_list_add(l);

	s->kind = kind;
	s->account = xstrdup(account);
	s->salesperson = xstrdup(who);
	s->occurred_at = at;
	s->dir = dir;
	s->source = xasprintf("imap:%s", who);
	s->item = xasprintf("INBOX/%s", id);
	s->ref = xasprintf("%s:%s:<%s@test>", signal_kind_name(kind), account, id);
	s->rule = xstrdup("test");
	s->subject = xstrdup(subject);
}

/* A signal of a salesperson's own hashtag: "#need c3.nl LIMS". */
static void
add_tag(struct signal_list *l, enum signal_kind kind, const char *account,
    const char *who, time_t at, const char *id, const char *tag,
    const char *value)
{
	add_sig(l, kind, account, who, at, DIR_OUTBOUND, id, "Re: visit");
	free(l->v[l->n - 1].rule);
	l->v[l->n - 1].rule = xasprintf("hashtag:%s", tag);
	l->v[l->n - 1].value = xstrdup(value);
}

static void
add_appt(struct appointment_list *l, const char *who, const char *uid,
    const char *account, time_t start, time_t created)
{
	struct appointment *a = appointment_list_add(l);

	a->source = xasprintf("caldav:%s", who);
	a->item = xasprintf("cal/%s.ics", uid);
	a->uid = xstrdup(uid);
	a->salesperson = xstrdup(who);
	a->account = xstrdup(account);
	a->kind = SIG_APPOINTMENT;
	a->start = start;
	a->end = start + 3600;
	util_day(start, "UTC", a->day, sizeof a->day);
	a->created = created;
	a->summary = xstrdup(uid);
}

/* A salesperson with a display name and a manager, without addresses. */
static void
add_manager_person(struct config *cfg, const char *key, const char *name,
    const char *manager)
{
	struct salesperson *sp = test_add_person(cfg, key, NULL);

	free(sp->name);
	sp->name = xstrdup(name);
	sp->manager = xstrdup(manager);
}

/*
 * The week 2026-05-25 .. 2026-05-31 (the digest sent on Monday
 * 2026-06-01): anna makes three appointments (created Mon, Tue, Wed),
 * bram one, all with c1.nl; c1.nl goes suspect -> offer -> won, c2.nl
 * suspect -> offer whose evidence subject carries a header injection
 * attempt, and no meeting is planned with it (that would make it a next
 * step, not a stalled deal).
 */
static void
build_store(struct fixture *f)
{
	struct signal_list l = { 0 };
	struct appointment_list al = { 0 };
	struct strlist touched = { 0 };
	time_t mon = T0 - 4 * DAY;	/* 2026-05-25 */
	struct err err;

	add_sig(&l, SIG_APPOINTMENT, "c1.nl", "anna", mon, DIR_OUTBOUND, "c1-1", "Visit");
	add_sig(&l, SIG_OFFER_SENT, "c1.nl", "anna", mon + 1 * DAY, DIR_OUTBOUND, "c1-2",
	    "Offerte 2026-014 \xe2\x82\xac 12.500,-");
	add_sig(&l, SIG_ORDER_CONFIRMED, "c1.nl", "anna", mon + 3 * DAY, DIR_INBOUND, "c1-3", "Order");
	add_sig(&l, SIG_APPOINTMENT, "c2.nl", "bram", mon - 30 * DAY, DIR_OUTBOUND, "c2-1", "Visit");
	add_sig(&l, SIG_OFFER_SENT, "c2.nl", "bram", mon - 25 * DAY, DIR_OUTBOUND, "c2-2", EVIL);
	/* Corrections by hashtag in the week: bram's and anna's own. */
	add_tag(&l, SIG_NEED, "c3.nl", "bram", mon + 2 * DAY, "c3-1", "#need", "LIMS");
	add_tag(&l, SIG_DECISION, "c1.nl", "anna", mon + 4 * DAY, "c1-4", "#decision",
	    "2026-07-01");
	if (store_add_signals(f->st, &l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, MONDAY, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);

	add_appt(&al, "anna", "u1", "c1.nl", mon + 7 * DAY, mon + 3600);
	add_appt(&al, "anna", "u2", "c1.nl", mon + 8 * DAY, mon + DAY + 3600);
	add_appt(&al, "anna", "u3", "c1.nl", mon + 9 * DAY, mon + 2 * DAY + 3600);
	add_appt(&al, "anna", "u4", "c1.nl", mon + 9 * DAY, mon - 2 * DAY);	/* the week before */
	if (store_replace_item(f->st, "caldav:anna", "cal/all.ics", NULL, &al,
	    &touched, &err) != 0)
		fail_msg("store_replace_item: %s", err.msg);
	appointment_list_clear(&al);
	add_appt(&al, "bram", "u5", "c1.nl", mon + 10 * DAY, mon + 4 * DAY);
	if (store_replace_item(f->st, "caldav:bram", "cal/all.ics", NULL, &al,
	    &touched, &err) != 0)
		fail_msg("store_replace_item: %s", err.msg);
	appointment_list_clear(&al);
	strlist_clear(&touched);
}

static int
setup(void **state)
{
	static int n;
	struct fixture *f = xcalloc(1, sizeof *f);
	struct err err;

	config_defaults(&f->cfg);
	free(f->cfg.timezone);
	f->cfg.timezone = xstrdup("UTC");
	add_manager_person(&f->cfg, "anna", "Anna de Vries", "piet@example.com");
	add_manager_person(&f->cfg, "bram", "Bram Jansen", "piet@example.com");
	f->cfg.targets.appointments_per_day = 0.5;
	f->cfg.smtp.from = xstrdup("salescycle@example.com");
	snprintf(f->path, sizeof f->path, "%s/digest-%d.db", test_tmpdir(), n++);
	if (store_open(f->path, 0, &f->st, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	build_store(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	config_free(&f->cfg);
	free(f);
	return 0;
}

static void
test_digest_period(void **state)
{
	static const struct {
		const char	*tz, *as_of, *name, *first, *last, *key;
	} rows[] = {
		{ "Europe/Amsterdam", "2026-11-16T08:00", "week", "2026-11-09",
		    "2026-11-15", "week:2026-11-09" },
		{ "Europe/Amsterdam", "2026-11-16T00:30", "day", "2026-11-15",
		    "2026-11-15", "day:2026-11-15" },
		{ "UTC", "2026-03-02T07:30", "week", "2026-02-23", "2026-03-01",
		    "week:2026-02-23" },
		/* Any day of a week: the ISO week before it, Monday to Sunday. */
		{ "Europe/Amsterdam", "2026-11-18T10:00", "week", "2026-11-09",
		    "2026-11-15", "week:2026-11-09" },
		{ "Europe/Amsterdam", "2026-11-22T23:30", "week", "2026-11-09",
		    "2026-11-15", "week:2026-11-09" },
		{ "Europe/Amsterdam", "2026-11-23T00:30", "week", "2026-11-16",
		    "2026-11-22", "week:2026-11-16" },
		{ "Europe/Amsterdam", "2026-11-18T10:00", "day", "2026-11-17",
		    "2026-11-17", "day:2026-11-17" },
	};
	struct config cfg;
	struct digest_period p;
	struct err err;
	time_t at, start;
	size_t i;

	(void)state;
	config_defaults(&cfg);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		free(cfg.timezone);
		cfg.timezone = xstrdup(rows[i].tz);
		assert_int_equal(util_parse_time(rows[i].as_of, rows[i].tz, &at), 0);
		assert_int_equal(digest_period_at(&cfg, rows[i].name, at, &p, &err), 0);
		assert_string_equal(p.first, rows[i].first);
		assert_string_equal(p.last, rows[i].last);
		assert_string_equal(p.key, rows[i].key);
		assert_int_equal(util_day_start(rows[i].first, rows[i].tz, &start), 0);
		assert_int_equal(p.since, start);
	}
	assert_int_equal(digest_period_at(&cfg, "month", at, &p, &err), -1);
	config_free(&cfg);
}

static void
test_digest_recipients(void **state)
{
	struct fixture *f = *state;
	struct digest_recipients r;

	add_manager_person(&f->cfg, "carla", "Carla Smit", "kees@example.com");
	digest_recipients(&f->cfg, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].address, "piet@example.com");
	assert_int_equal(r.v[0].people.n, 2);
	assert_string_equal(r.v[1].address, "kees@example.com");
	assert_int_equal(r.v[1].people.n, 1);
	assert_string_equal(r.v[1].people.v[0], "carla");
	digest_recipients_free(&r);

	strlist_add(&f->cfg.digest.to, "boss@example.com");
	digest_recipients(&f->cfg, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].address, "boss@example.com");
	assert_int_equal(r.v[0].people.n, 0);
	digest_recipients_free(&r);
}

/* The digest's numbers are the CLI's for the same period. */
static void
test_digest_numbers_equal_cli(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct report_filter rf;
	struct funnel fu;
	struct table t;
	struct err err;
	long appts[2] = { 0, 0 }, won = 0;
	size_t i;

	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY + 8 * 3600, &p,
	    &err), 0);
	assert_string_equal(p.first, "2026-05-25");
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL, &d, &err), 0);

	rf = (struct report_filter){ &f->cfg, p.since, p.until, NULL, NULL };
	assert_int_equal(report_appointments(f->st, &rf, APPT_BY_CREATED, &t, &err), 0);
	for (i = 0; i < t.nrows; i++)
		appts[strcmp(t.cells[i * t.ncols + 1].s, "anna") == 0 ? 0 : 1] +=
		    t.cells[i * t.ncols + 2].i;
	table_free(&t);
	assert_int_equal(d.people[0].appointments, appts[0]);
	assert_int_equal(d.people[1].appointments, appts[1]);
	/* By hand: anna u1, u2, u3 (u4 was made the week before), bram u5. */
	assert_int_equal(d.people[0].appointments, 3);
	assert_int_equal(d.people[1].appointments, 1);
	assert_int_equal(d.appointments, 4);
	assert_int_equal(d.working_days, 5);
	assert_true(fabs(d.people[0].per_day - 0.6) < 1e-9);

	assert_int_equal(report_funnel(f->st, &rf, 0, &fu, &err), 0);
	for (i = 0; i < fu.nphases; i++) {
		assert_int_equal(d.cur.phases[i].entered, fu.phases[i].entered);
		assert_int_equal(d.cur.phases[i].advanced, fu.phases[i].advanced);
		assert_int_equal(d.current[i], fu.phases[i].current);
	}
	assert_int_equal(d.won_new + d.won_growth, fu.won);
	assert_int_equal(d.lost, fu.lost);
	assert_int_equal(d.won_new, 1);
	assert_int_equal(d.nwon, 1);
	assert_string_equal(d.won[0].account, "c1.nl");

	assert_int_equal(report_transitions(f->st, &rf, &t, &err), 0);
	assert_int_equal(d.transitions, (long)t.nrows);
	assert_int_equal(d.transitions, 3);
	for (i = 0; i < t.nrows; i++)
		won += strcmp(t.cells[i * t.ncols + 5].s, "closing") == 0;
	assert_int_equal(d.transitions_to[4], won);
	table_free(&t);
	digest_data_free(&d);
}

/*
 * The open deals per phase of a digest made as of an earlier time are
 * those open then, as the funnel's "current" counts them at that time.
 * They used to be the phases as stored, whatever the time.
 */
static void
test_digest_current_at(void **state)
{
	struct fixture *f = *state;
	time_t mon = T0 - 4 * DAY;
	const time_t at[] = { mon - 30 * DAY + 3600, mon - 20 * DAY,
	    mon + 12 * 3600, mon + 2 * DAY, mon + 3 * DAY + 3600, MONDAY };
	struct digest_period p;
	struct digest_data d;
	struct report_filter rf = { &f->cfg, 0, 0, NULL, NULL };
	struct funnel fu;
	struct err err;
	size_t i, k;

	for (k = 0; k < sizeof at / sizeof at[0]; k++) {
		assert_int_equal(digest_period_at(&f->cfg, "week", at[k], &p,
		    &err), 0);
		assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, at[k],
		    NULL, &d, &err), 0);
		assert_int_equal(report_funnel(f->st, &rf, at[k], &fu, &err), 0);
		for (i = 0; i < fu.nphases; i++)
			if (d.current[i] != fu.phases[i].current)
				fail_msg("at %lld, %s: digest %ld, funnel %ld",
				    (long long)at[k], fu.phases[i].phase,
				    d.current[i], fu.phases[i].current);
		/* By hand, half a day into the week: c1.nl suspect, c2.nl offer. */
		if (at[k] == mon + 12 * 3600) {
			assert_int_equal(d.current[1], 1);
			assert_int_equal(d.current[3], 1);
			assert_int_equal(d.current[4], 0);
		}
		digest_data_free(&d);
	}
}

/* Keeps each statement a connection runs with its bound values. */
static int
trace_expanded(unsigned type, void *arg, void *p, void *x)
{
	char *sql;

	(void)x;
	if (type != SQLITE_TRACE_STMT ||
	    (sql = sqlite3_expanded_sql(p)) == NULL)
		return 0;
	strlist_add(arg, sql);
	sqlite3_free(sql);
	return 0;
}

/*
 * A manager's digest covers only their salespeople, and reads the
 * offers and hashtags of theirs alone (not every salesperson's, each
 * with its account looked up).
 */
static void
test_digest_people_subset(void **state)
{
	struct fixture *f = *state;
	struct strlist bram = { 0 }, sql = { 0 };
	struct digest_period p;
	struct digest_data d;
	struct err err;
	size_t i, offers = 0;

	strlist_add(&bram, "bram");
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT, trace_expanded,
	    &sql);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, &bram, MONDAY, NULL, &d, &err), 0);
	sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
	for (i = 0; i < sql.n; i++) {
		if (strstr(sql.v[i], "signals_digested") == NULL)
			continue;
		assert_non_null(strstr(sql.v[i], "json_each('[\"bram\"]')"));
		offers++;
	}
	assert_int_equal(offers, 1);
	strlist_clear(&sql);
	assert_int_equal(d.npeople, 1);
	assert_string_equal(d.people[0].key, "bram");
	assert_int_equal(d.appointments, 1);
	assert_int_equal(d.won_new, 0);
	assert_int_equal(d.current[3], 1);	/* c2.nl in offer */
	digest_data_free(&d);
	strlist_clear(&bram);
}

/* The numbers of all attributes width="N" and "width:Npx" are at most 600. */
static void
assert_outlook_safe(const char *html)
{
	const char *p;
	long n;
	int tables = 0, trs = 0, tds = 0;

	assert_null(strstr(html, "max-width"));
	assert_null(strstr(html, "<svg"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<style"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "\r"));
	for (p = html; (p = strstr(p, "width=\"")) != NULL; p++) {
		n = strtol(p + 7, NULL, 10);
		assert_true(n <= 600);
	}
	for (p = html; (p = strstr(p, "width:")) != NULL; p++) {
		n = strtol(p + 6, (char **)&p, 10);
		if (strncmp(p, "px", 2) == 0)
			assert_true(n <= 600);
	}
	/* The outermost table is a fixed width: Outlook ignores max-width. */
	p = strstr(html, "<table");
	assert_non_null(p);
	assert_true(strncmp(strstr(p, "width=\""), "width=\"600\"", 11) == 0);
	for (p = html; (p = strstr(p, "<table")) != NULL; p++)
		tables++;
	for (p = html; (p = strstr(p, "</table>")) != NULL; p++)
		tables--;
	for (p = html; (p = strstr(p, "<tr")) != NULL; p++)
		trs++;
	for (p = html; (p = strstr(p, "</tr>")) != NULL; p++)
		trs--;
	for (p = html; (p = strstr(p, "<td")) != NULL; p++)
		tds++;
	for (p = html; (p = strstr(p, "</td>")) != NULL; p++)
		tds--;
	assert_int_equal(tables, 0);
	assert_int_equal(trs, 0);
	assert_int_equal(tds, 0);
}

static void
test_digest_text_and_html(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct err err;
	char *text, *html, *subject;

	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL, &d, &err), 0);
	subject = digest_subject(&d);
	assert_string_equal(subject, "Sales week 22 (2026-05-25 \xe2\x80\x93 "
	    "2026-05-31): 0 meetings held, 4 booked, 1 won");
	text = digest_text(&f->cfg, &d);
	assert_non_null(strstr(text, "Sales digest, week 22: 2026-05-25 to "
	    "2026-05-31 (5 working days)"));
	assert_non_null(strstr(text, "(target 0.50 per working day)"));
	assert_non_null(strstr(text, "0.60 met"));
	assert_non_null(strstr(text, "0.20 below"));
	assert_non_null(strstr(text, "WON AND LOST: 1 new customer, 0 growth "
	    "deals won (\xe2\x82\xac" "12,500); 0 lost"));
	assert_non_null(strstr(text, "c1.nl: won, new customer, "
	    "\xe2\x82\xac" "12,500 (anna)"));
	assert_non_null(strstr(text, "c1.nl: suspect -> offer (anna)"));
	/* No reason given for a lost deal: no section for them. */
	assert_null(strstr(text, "LOST REASONS"));
	/* c2.nl: quiet for 32 days in offer, nothing planned: stalled. */
	assert_non_null(strstr(text, "c2.nl (bram, offer): quiet for 32 days"));
	/* The CR/LF in its subject became spaces; the kind is in words. */
	assert_non_null(strstr(text, "offer sent: Offerte  Bcc: victim@evil.example"));
	assert_null(strstr(text, "offer_sent"));
	assert_null(strstr(text, "\r"));
	html = digest_html(&f->cfg, &d);
	assert_outlook_safe(html);
	assert_non_null(strstr(html, "color-scheme"));
	assert_non_null(strstr(html, "bgcolor=\"#3b82f6\""));
	assert_non_null(strstr(html, "Anna de Vries"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<style"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "\r"));
	free(subject);
	free(text);
	free(html);
	digest_data_free(&d);
}

/*
 * The top lost reasons per phase of the week (issue 12 item 10), in the
 * cycle's order, most frequent first; a deal lost the week before is not
 * counted, and the HTML escapes what a salesperson wrote.
 */
static void
test_digest_lost_reasons(void **state)
{
	static const struct {
		const char	*account;
		enum signal_kind first;
		int		 lost_day;	/* after Monday 2026-05-25 */
		const char	*reason;
	} lost[] = {
		{ "l1.nl", SIG_OFFER_SENT, 2, "Price" },
		{ "l2.nl", SIG_OFFER_SENT, 3, "price." },
		{ "l3.nl", SIG_APPOINTMENT, 4, "timing" },
		{ "l4.nl", SIG_OFFER_SENT, 4, "<b>evil</b>" },
		{ "l5.nl", SIG_OFFER_SENT, -3, "budget" },
		{ "l6.nl", SIG_OFFER_SENT, 5, "a" },
		{ "l7.nl", SIG_OFFER_SENT, 5, "b" },
	};
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	time_t mon = T0 - 4 * DAY;
	struct digest_period p;
	struct digest_data d;
	struct err err;
	char *text, *html, id[16];
	size_t i;

	for (i = 0; i < sizeof lost / sizeof lost[0]; i++) {
		snprintf(id, sizeof id, "l%zu-1", i);
		add_sig(&l, lost[i].first, lost[i].account, "anna", mon - 5 * DAY,
		    DIR_OUTBOUND, id, "Offerte");
		snprintf(id, sizeof id, "l%zu-2", i);
		add_sig(&l, SIG_LOST, lost[i].account, "anna",
		    mon + lost[i].lost_day * DAY, DIR_OUTBOUND, id, "notitie");
		l.v[l.n - 1].value = xstrdup(lost[i].reason);
	}
	if (store_add_signals(f->st, &l, &touched, &err) < 0 ||
	    project_accounts(f->st, &f->cfg, &touched, MONDAY, &err) != 0)
		fail_msg("store: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);

	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL, &d,
	    &err), 0);
	text = digest_text(&f->cfg, &d);
	if (strstr(text, "TOP LOST REASONS PER PHASE\n"
	    "  suspect: timing 1\n"
	    "  offer: price 2, <b>evil</b> 1, a 1\n") == NULL)
		fail_msg("no lost reasons in:\n%s", text);
	assert_null(strstr(text, "budget"));
	html = digest_html(&f->cfg, &d);
	assert_non_null(strstr(html, "Top lost reasons per phase</h2>"));
	assert_non_null(strstr(html, "&lt;b&gt;evil&lt;/b&gt; <b>1</b>"));
	assert_null(strstr(html, "<b>evil"));
	free(text);
	free(html);
	digest_data_free(&d);
}

/* Anna's counts of deals to qualify and qualified in the digest. */
static void
qual_counts(struct fixture *f, time_t as_of, long *open, long *qualified,
    char **text)
{
	struct digest_period p;
	struct digest_data d;
	struct err err;
	size_t i;

	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, as_of, NULL, &d,
	    &err), 0);
	*open = *qualified = -1;
	for (i = 0; i < d.npeople; i++)
		if (strcmp(d.people[i].key, "anna") == 0) {
			*open = d.people[i].qual_open;
			*qualified = d.people[i].qual_qualified;
		}
	*text = digest_text(&f->cfg, &d);
	digest_data_free(&d);
}

/* Counts the SQLite VM instructions of a collect, one by one. */
static int
count_steps(void *arg)
{
	(*(long *)arg)++;
	return 0;
}

/*
 * A digest made now (the agent's run: period.current) reads the deals as
 * they are, however long the run has taken by the time it comes to this
 * mail: not as they stood then, which reads every deal and each one's
 * entries (a run of a company's mails at 10M signals takes minutes, and
 * a minute after its time each mail went that way).  Three hundred deals
 * lost long ago make that way cost; the manager's digest and anna's own
 * mail take the same SQLite instructions with the clock at as_of and two
 * hours later, and give the same open deals and stalled deals.
 */
static void
test_digest_long_run(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct digest_period p;
	struct digest_data d;
	const struct salesperson *anna = &f->cfg.people[0];
	char account[32], id[32], now[32];
	long steps[2];
	long open[2][MAX_PHASES];
	size_t stalled[2], k;
	struct tm tm;
	time_t t;
	struct err err;
	int i;

	for (i = 0; i < 300; i++) {
		t = T0 - 400 * DAY + i * 600;
		snprintf(account, sizeof account, "old%d.nl", i);
		snprintf(id, sizeof id, "old-%d-1", i);
		add_sig(&l, SIG_APPOINTMENT, account, "anna", t, DIR_OUTBOUND,
		    id, "Visit");
		snprintf(id, sizeof id, "old-%d-2", i);
		add_sig(&l, SIG_LOST, account, "anna", t + DAY, DIR_INBOUND,
		    id, "No");
	}
	if (store_add_signals(f->st, &l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, MONDAY, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err),
	    0);
	p.current = true;
	for (k = 0; k < 2; k++) {
		t = MONDAY + (time_t)k * 2 * 3600;
		gmtime_r(&t, &tm);
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
		setenv("SALESCYCLE_NOW", now, 1);
		steps[k] = 0;
		sqlite3_progress_handler(store_db(f->st), 1, count_steps,
		    &steps[k]);
		assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL,
		    MONDAY, NULL, &d, &err), 0);
		memcpy(open[k], d.current, sizeof open[k]);
		stalled[k] = d.stalled.n;
		digest_data_free(&d);
		assert_int_equal(digest_collect_personal(f->st, &f->cfg, &p,
		    anna, NULL, MONDAY, &d, &err), 0);
		digest_data_free(&d);
		sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	}
	unsetenv("SALESCYCLE_NOW");
	assert_true(steps[0] > 0);
	assert_int_equal(steps[1], steps[0]);
	assert_memory_equal(open[0], open[1], sizeof open[0]);
	assert_int_equal(stalled[1], stalled[0]);
	assert_true(stalled[0] > 0);
}

/*
 * A digest makes its forecast on a thread of its own, on a second
 * connection, beside the rest: the same forecast as on one thread.  In
 * a transaction that has written it is made on the caller's thread,
 * which sees the write; a read error on the thread fails the digest
 * with its message.
 */
static void
test_digest_forecast_beside(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct digest_period p;
	struct digest_data one, two, wrote;
	struct err err;

	/* A deal open at the digest's time, with an offer. */
	add_sig(&l, SIG_APPOINTMENT, "c8.nl", "bram", MONDAY - 6 * DAY,
	    DIR_OUTBOUND, "c8-1", "Visit");
	add_sig(&l, SIG_OFFER_SENT, "c8.nl", "bram", MONDAY - 2 * DAY,
	    DIR_OUTBOUND, "c8-2", "Offerte");
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), 2);
	assert_int_equal(project_accounts(f->st, &f->cfg, &touched, MONDAY,
	    &err), 0);
	signal_list_clear(&l);
	strlist_clear(&touched);
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY + 8 * 3600,
	    &p, &err), 0);
	util_one_thread = true;
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL,
	    &one, &err), 0);
	util_one_thread = false;
	assert_false(digest_forecast_read_ahead);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL,
	    &two, &err), 0);
	assert_true(digest_forecast_read_ahead);
	assert_int_equal(two.forecast.open, 1);
	assert_true(two.forecast.total.expected > 0);
	test_assert_same_forecast(&one.forecast, &two.forecast);

	/* A new open deal written in an open transaction counts. */
	assert_int_equal(store_begin(f->st, &err), 0);
	add_sig(&l, SIG_APPOINTMENT, "c9.nl", "anna", MONDAY - DAY,
	    DIR_OUTBOUND, "c9-1", "Visit");
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), 1);
	assert_int_equal(project_accounts(f->st, &f->cfg, &touched, MONDAY,
	    &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL,
	    &wrote, &err), 0);
	assert_false(digest_forecast_read_ahead);
	assert_int_equal(wrote.forecast.open, two.forecast.open + 1);
	store_rollback(f->st);
	signal_list_clear(&l);
	strlist_clear(&touched);
	digest_data_free(&wrote);
	digest_data_free(&two);
	digest_data_free(&one);

	/*
	 * Only the forecast made now reads signals_unattributed (its late
	 * accounts and first signal), the rest of this digest does not.
	 */
	p.current = true;
	(void)test_corrupt_page(f->st, "signals_unattributed", 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL,
	    &two, &err), -1);
	assert_true(digest_forecast_read_ahead);
	assert_non_null(strstr(err.msg, "malformed"));
}

/*
 * The share of qualified deals per salesperson (issue 10 item 6): a deal
 * in the offer phase with all four of #decision, #competitor, #need and
 * #problem counts as qualified, one with three of them does not; a fact
 * learnt after the digest's as-of date does not count yet.
 */
static void
test_digest_qualification(void **state)
{
	static const enum signal_kind facts[] = { SIG_DECISION, SIG_COMPETITOR,
	    SIG_NEED, SIG_PROBLEM };
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	long open0, qual0, open1, qual1;
	char *text, id[32];
	size_t k;

	qual_counts(f, MONDAY, &open0, &qual0, &text);
	free(text);
	assert_true(open0 >= 0);
	add_sig(&l, SIG_OFFER_SENT, "q1.nl", "anna", MONDAY - 9 * DAY,
	    DIR_OUTBOUND, "q1-offer", "Offerte");
	add_sig(&l, SIG_OFFER_SENT, "q2.nl", "anna", MONDAY - 9 * DAY,
	    DIR_OUTBOUND, "q2-offer", "Offerte");
	for (k = 0; k < 4; k++) {
		snprintf(id, sizeof id, "q1-%zu", k);
		add_sig(&l, facts[k], "q1.nl", "anna", MONDAY - 8 * DAY,
		    DIR_OUTBOUND, id, "notitie");
		l.v[l.n - 1].value = xstrdup("known");
		/* q2.nl learns its fourth fact only after the as-of date. */
		snprintf(id, sizeof id, "q2-%zu", k);
		add_sig(&l, facts[k], "q2.nl", "anna", k < 3 ? MONDAY - 8 * DAY :
		    MONDAY + DAY, DIR_OUTBOUND, id, "notitie");
		l.v[l.n - 1].value = xstrdup("known");
	}
	if (store_add_signals(f->st, &l, &touched, &err) < 0 ||
	    project_accounts(f->st, &f->cfg, &touched, MONDAY + 2 * DAY,
	    &err) != 0)
		fail_msg("store: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);

	qual_counts(f, MONDAY, &open1, &qual1, &text);
	assert_int_equal(open1, open0 + 2);
	assert_int_equal(qual1, qual0 + 1);
	if (strstr(text, "QUALIFIED DEALS") == NULL)
		fail_msg("no qualified deals in:\n%s", text);
	free(text);
	qual_counts(f, MONDAY + 2 * DAY, &open1, &qual1, &text);
	assert_int_equal(open1, open0 + 2);
	assert_int_equal(qual1, qual0 + 2);
	free(text);
}

/* Counts and kinds in plain words, in both languages. */
static void
test_digest_words(void **state)
{
	static const struct {
		const char	*lang;
		long		 n;
		enum digest_word w;
		const char	*out;
	} rows[] = {
		{ "en", 1, W_MEETING, "1 meeting" },
		{ "en", 0, W_MEETING, "0 meetings" },
		{ "en", 2, W_NEW_CUSTOMER, "2 new customers" },
		{ "nl", 1, W_MEETING, "1 afspraak" },
		{ "nl", 3, W_MEETING, "3 afspraken" },
		{ "nl", 1, W_WORKING_DAY, "1 werkdag" },
		{ "nl", 5, W_WORKING_DAY, "5 werkdagen" },
		{ "nl", 2, W_GROWTH_DEAL, "2 uitbreidingsdeals" },
		{ NULL, 2, W_DAY, "2 days" },
	};
	struct buf b = { 0 };
	char *k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_reset(&b);
		digest_count(&b, rows[i].lang, rows[i].n, rows[i].w);
		assert_string_equal(b.data, rows[i].out);
	}
	k = digest_kind_words("en", "offer_sent");
	assert_string_equal(k, "offer sent");
	free(k);
	k = digest_kind_words("nl", "verbal_order");
	assert_string_equal(k, "mondelinge order");
	free(k);
	/* A kind the table does not know yet (a new correction) in words. */
	k = digest_kind_words("nl", "some_new_kind");
	assert_string_equal(k, "some new kind");
	free(k);
	buf_reset(&b);
	digest_money(&b, "nl", "EUR", 12500);
	assert_string_equal(b.data, "\xe2\x82\xac 12.500");
	buf_reset(&b);
	digest_money(&b, "en", "EUR", 1234567.4);
	assert_string_equal(b.data, "\xe2\x82\xac" "1,234,567");
	buf_reset(&b);
	digest_money(&b, "en", "GBP", 800);
	assert_string_equal(b.data, "\xc2\xa3" "800");
	buf_reset(&b);
	digest_money(&b, "nl", "CHF", 12500);
	assert_string_equal(b.data, "CHF 12.500");
	buf_free(&b);
}

/* The trend's weeks: ISO numbers, meetings booked and offers sent per week. */
static void
test_digest_trend(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct err err;
	int k;

	f->cfg.targets.offers_per_week = 2;
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	assert_int_equal(p.week, 22);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL, &d,
	    &err), 0);
	assert_string_equal(d.trend_first, "2026-03-09");
	for (k = 0; k < DIGEST_TREND_WEEKS; k++)
		assert_int_equal(d.trend_week[k], 11 + k);
	/* anna: u4 made the week before, u1-u3 in the week; her one offer. */
	assert_string_equal(d.people[0].key, "anna");
	assert_int_equal(d.people[0].trend_booked[10], 1);
	assert_int_equal(d.people[0].trend_booked[11], 3);
	assert_int_equal(d.people[0].trend_offers[11], 1);
	assert_int_equal(d.people[0].offers, 1);
	/* bram's offer to c2.nl, 25 days before the week: week 18. */
	assert_int_equal(d.people[1].trend_offers[7], 1);
	assert_int_equal(d.people[1].offers, 0);
	assert_int_equal(d.offers, 1);
	/* No meeting started in the week: all of them are the next week's. */
	assert_int_equal(d.held, 0);
	assert_true(fabs(d.offer_target - 2) < 1e-9);
	assert_int_equal(d.trend_working_days[11], 5);
	assert_int_equal(d.nmoves, 2);
	assert_string_equal(d.moves[0].from, "suspect");
	assert_string_equal(d.moves[0].to, "offer");
	assert_true(fabs(d.won_value - 12500) < 1e-9);
	digest_data_free(&d);
	assert_int_equal(digest_iso_week("2026-01-01"), 1);
	assert_int_equal(digest_iso_week("2027-01-01"), 53);
	assert_int_equal(digest_iso_week("2026-12-28"), 53);
	assert_int_equal(digest_iso_week("nonsense"), 0);
}

/* Whether text has word w, not as a part of a longer word. */
static bool
has_word(const char *text, const char *w)
{
	const char *p;
	size_t n = strlen(w);

	for (p = text; (p = strstr(p, w)) != NULL; p++)
		if ((p == text || !isalpha((unsigned char)p[-1])) &&
		    !isalpha((unsigned char)p[n]))
			return true;
	return false;
}

/* The manager's digest in Dutch: every fixed word of both parts. */
static void
test_digest_dutch(void **state)
{
	static const char *const english[] = { "meeting", "held", "booked",
	    "Stalled", "STALLED", "Funnel", "FUNNEL", "Forecast", "FORECAST",
	    "won", "lost", "working day", "new customer", "growth", "quiet",
	    "usual", "Sources", "SOURCES", "none", "expected", "per month",
	    "entered", "previous", "target", "offer sent", "Sales" };
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct err err;
	char *text, *html, *subject;
	size_t i;

	f->cfg.language = xstrdup("nl");
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL, &d,
	    &err), 0);
	subject = digest_subject(&d);
	assert_string_equal(subject, "Verkoop week 22 (2026-05-25 \xe2\x80\x93 "
	    "2026-05-31): 0 afspraken gehouden, 4 geboekt, 1 gewonnen");
	text = digest_text(&f->cfg, &d);
	html = digest_html(&f->cfg, &d);
	assert_non_null(strstr(text, "Verkoopoverzicht, week 22: 2026-05-25 "
	    "tot en met 2026-05-31 (5 werkdagen)"));
	assert_non_null(strstr(text, "GEWONNEN EN VERLOREN: 1 nieuwe klant, "
	    "0 uitbreidingsdeals gewonnen (\xe2\x82\xac 12.500); 0 verloren"));
	assert_non_null(strstr(text, "c2.nl (bram, offer): stil sinds 32 dagen"));
	assert_non_null(strstr(text, "offerte verstuurd: Offerte"));
	assert_non_null(strstr(html, "<html lang=\"nl\">"));
	assert_non_null(strstr(html, "Vastgelopen deals (1)"));
	/* No English word is left (phase names are the configuration's). */
	for (i = 0; i < sizeof english / sizeof english[0]; i++) {
		if (has_word(text, english[i]))
			fail_msg("text: '%s' in Dutch", english[i]);
		if (has_word(html, english[i]))
			fail_msg("html: '%s' in Dutch", english[i]);
	}
	free(subject);
	free(text);
	free(html);
	digest_data_free(&d);
}

/*
 * The personal mail: the salesperson's own offers waiting, stalled
 * deals, next week's meetings and hashtags, never another salesperson's;
 * in their language; the footer with the hashtags and the guide.
 */
static void
test_digest_personal(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct err err;
	char *text, *html, *subject;

	strlist_add(&f->cfg.people[0].email, "anna@example.com");
	strlist_add(&f->cfg.people[1].email, "bram@example.com");
	f->cfg.people[1].language = xstrdup("nl");
	f->cfg.digest.guide_url = xstrdup("https://example.com/guide?a=1&b=2");
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);

	/* bram, in Dutch. */
	assert_int_equal(digest_collect_personal(f->st, &f->cfg, &p,
	    &f->cfg.people[1], NULL, MONDAY, &d, &err), 0);
	assert_int_equal(d.npeople, 1);
	assert_int_equal(d.nwaiting, 1);
	assert_string_equal(d.waiting[0].account, "c2.nl");
	assert_int_equal(d.planned_week, 23);
	assert_int_equal(d.nplanned, 1);
	assert_int_equal(d.ncorrections, 1);
	assert_string_equal(d.corrections[0].account, "c3.nl");
	subject = digest_subject(&d);
	assert_string_equal(subject, "Jouw week 22: 1 offerte wachten, "
	    "0 afspraken gehouden");
	text = digest_text(&f->cfg, &d);
	html = digest_html(&f->cfg, &d);
	assert_non_null(strstr(text, "Jouw week 22, Bram Jansen"));
	assert_non_null(strstr(text, "OFFERTES DIE OP ANTWOORD WACHTEN: 1\n"
	    "  c2.nl: verstuurd 2026-04-30, wacht al 32 dagen"));
	assert_non_null(strstr(text, "VASTGELOPEN DEALS: 1\n  c2.nl (offer)"));
	assert_non_null(strstr(text, "AFSPRAKEN GEPLAND IN WEEK 23: 1\n"
	    "  2026-06-04 00:00  c1.nl: u5"));
	assert_non_null(strstr(text, "WAT JE HASHTAGS VERANDERDEN: 1\n"
	    "  2026-05-27 c3.nl: behoefte (LIMS)"));
	assert_non_null(strstr(text, "#lost acme.nl prijs"));
	assert_non_null(strstr(text, "Alle woorden en hashtags: "
	    "https://example.com/guide?a=1&b=2"));
	assert_non_null(strstr(html, "href=\"https://example.com/guide?a=1&amp;b=2\""));
	/* Nothing of anna's: her won deal, her hashtag, her meetings. */
	assert_null(strstr(text, "2026-07-01"));
	assert_null(strstr(text, "Anna"));
	assert_null(strstr(text, "gewonnen, nieuwe klant"));
	assert_null(strstr(html, "2026-07-01"));
	assert_null(strstr(html, "Anna"));
	assert_outlook_safe(html);
	free(subject);
	free(html);
	digest_data_free(&d);

	/* The same mail from everyone's stalled deals, read once for a run. */
	{
		struct stalled_list all;
		char *again;

		assert_int_equal(digest_stalled_all(f->st, &f->cfg, MONDAY, NULL,
		    &all, &err), 0);
		assert_int_equal(all.n, 1);
		assert_int_equal(digest_collect_personal(f->st, &f->cfg, &p,
		    &f->cfg.people[1], &all, MONDAY, &d, &err), 0);
		again = digest_text(&f->cfg, &d);
		assert_string_equal(again, text);
		digest_data_free(&d);
		assert_int_equal(digest_collect_personal(f->st, &f->cfg, &p,
		    &f->cfg.people[0], &all, MONDAY, &d, &err), 0);
		assert_int_equal(d.stalled.n, 0);
		digest_data_free(&d);
		free(again);
		free(text);
		stalled_list_free(&all);
	}

	/* anna, in English: her hashtag, her four meetings, no waiting offer. */
	assert_int_equal(digest_collect_personal(f->st, &f->cfg, &p,
	    &f->cfg.people[0], NULL, MONDAY, &d, &err), 0);
	assert_int_equal(d.nwaiting, 0);
	assert_int_equal(d.nplanned, 4);
	assert_int_equal(d.ncorrections, 1);
	text = digest_text(&f->cfg, &d);
	assert_non_null(strstr(text, "WHAT YOUR HASHTAGS CHANGED: 1\n"
	    "  2026-05-29 c1.nl: decision date (2026-07-01)"));
	assert_non_null(strstr(text, "MEETINGS PLANNED FOR WEEK 23: 4"));
	assert_non_null(strstr(text, "#lost acme.nl price"));
	assert_null(strstr(text, "LIMS"));
	assert_null(strstr(text, "c2.nl"));
	assert_null(strstr(text, "Bram"));
	free(text);
	digest_data_free(&d);
}

/* Both mails, in both languages, hold in Outlook: fixed widths, no images. */
static void
test_digest_html_layout(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct err err;
	char *html;
	int lang, personal;

	strlist_add(&f->cfg.people[0].email, "anna@example.com");
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	for (lang = 0; lang < 2; lang++) {
		free(f->cfg.language);
		f->cfg.language = xstrdup(lang == 0 ? "en" : "nl");
		for (personal = 0; personal < 2; personal++) {
			if (personal)
				assert_int_equal(digest_collect_personal(f->st,
				    &f->cfg, &p, &f->cfg.people[0], NULL,
				    MONDAY, &d, &err), 0);
			else
				assert_int_equal(digest_collect(f->st, &f->cfg,
				    &p, NULL, MONDAY, NULL, &d, &err), 0);
			html = digest_html(&f->cfg, &d);
			assert_outlook_safe(html);
			free(html);
			digest_data_free(&d);
		}
	}
}

/*
 * With [digest] salespeople, a period is due until the manager's digest
 * and every salesperson's own mail are recorded, each under its own key;
 * a salesperson who said no, or has no address, is not waited for.
 */
static void
test_digest_personal_due(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct err err;
	char id[64], key[64];
	time_t now = MONDAY + 9 * 3600;

	f->cfg.digest.schedule = xstrdup("mon 08:00");
	f->cfg.digest.period = xstrdup("week");
	f->cfg.digest.salespeople = true;
	strlist_add(&f->cfg.people[0].email, "anna@example.com");
	strlist_add(&f->cfg.people[1].email, "bram@example.com");
	f->cfg.people[1].digest = 2;	/* bram: digest = no */
	assert_int_equal(digest_claim(f->st, "week:2026-05-25",
	    "piet@example.com", false, "<a@x>", id, sizeof id, &err), 1);
	assert_int_equal(digest_record(f->st, "week:2026-05-25",
	    "piet@example.com", id, true, now, &err), 0);
	assert_int_equal(digest_due(f->st, &f->cfg, now, &p), 1);
	digest_personal_key(&p, key, sizeof key);
	assert_string_equal(key, "personal:week:2026-05-25");
	/* The manager's record does not count as anna's. */
	assert_false(digest_was_sent(f->st, key, "anna@example.com"));
	assert_int_equal(digest_claim(f->st, key, "anna@example.com", false,
	    "<b@x>", id, sizeof id, &err), 1);
	assert_int_equal(digest_record(f->st, key, "anna@example.com", id, true,
	    now, &err), 0);
	assert_int_equal(digest_due(f->st, &f->cfg, now, &p), 0);
	/* After a restart too. */
	store_close(f->st);
	assert_int_equal(store_open(f->path, 0, &f->st, &err), 0);
	assert_int_equal(digest_due(f->st, &f->cfg, now + DAY, &p), 0);
	f->cfg.people[1].digest = 1;	/* bram says yes after all */
	assert_int_equal(digest_due(f->st, &f->cfg, now + DAY, &p), 1);
}

/*
 * digest --as-of: every number is as of that time.  What happens after
 * it (c2.nl's order, a new offer, a meeting booked, a hashtag) leaves
 * the digest made as of it, text and data, as it was.  The stalled deals
 * used to be the deals open at the real time: c2.nl, stalled then, went
 * missing once it was won later.
 */
static void
test_digest_as_of(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct appointment_list al = { 0 };
	struct strlist touched = { 0 };
	struct digest_period p;
	struct digest_data d;
	struct err err;
	char *before, *after, *pbefore, *pafter;
	time_t at = MONDAY + 9 * 3600;

	strlist_add(&f->cfg.people[1].email, "bram@example.com");
	assert_int_equal(digest_period_at(&f->cfg, "week", at, &p, &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, at, NULL, &d,
	    &err), 0);
	assert_int_equal(d.stalled.n, 1);
	before = digest_text(&f->cfg, &d);
	digest_data_free(&d);
	assert_int_equal(digest_collect_personal(f->st, &f->cfg, &p,
	    &f->cfg.people[1], NULL, at, &d, &err), 0);
	pbefore = digest_text(&f->cfg, &d);
	digest_data_free(&d);

	/* Later: c2.nl orders, anna offers c4.nl, books, tags. */
	add_sig(&l, SIG_ORDER_CONFIRMED, "c2.nl", "bram", at + 2 * DAY,
	    DIR_INBOUND, "c2-3", "Order");
	add_sig(&l, SIG_OFFER_SENT, "c4.nl", "anna", at + DAY, DIR_OUTBOUND,
	    "c4-1", "Offerte 9 \xe2\x82\xac 1.000");
	add_tag(&l, SIG_NEED, "c2.nl", "bram", at + DAY, "c2-4", "#need",
	    "later");
	if (store_add_signals(f->st, &l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	if (project_accounts(f->st, &f->cfg, &touched, at + 3 * DAY, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	signal_list_clear(&l);
	strlist_clear(&touched);
	add_appt(&al, "bram", "u9", "c2.nl", at + 3 * DAY, at + DAY);
	if (store_replace_item(f->st, "caldav:bram", "cal/later.ics", NULL, &al,
	    &touched, &err) != 0)
		fail_msg("store_replace_item: %s", err.msg);
	appointment_list_clear(&al);
	strlist_clear(&touched);

	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, at, NULL, &d,
	    &err), 0);
	after = digest_text(&f->cfg, &d);
	digest_data_free(&d);
	assert_int_equal(digest_collect_personal(f->st, &f->cfg, &p,
	    &f->cfg.people[1], NULL, at, &d, &err), 0);
	pafter = digest_text(&f->cfg, &d);
	digest_data_free(&d);
	assert_string_equal(after, before);
	assert_string_equal(pafter, pbefore);
	/* The later facts are there for a digest as of later. */
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, at + 4 * DAY,
	    NULL, &d, &err), 0);
	assert_int_equal(d.stalled.n, 0);
	digest_data_free(&d);
	free(before);
	free(after);
	free(pbefore);
	free(pafter);
}

static void
test_digest_qp(void **state)
{
	static const struct {
		const char	*in, *out;
	} rows[] = {
		{ "plain\n", "plain\r\n" },
		{ "a=b", "a=3Db" },
		{ "caf\xc3\xa9", "caf=C3=A9" },
		{ "end \nnext", "end=20\r\nnext" },
		{ ".dot\n", "=2Edot\r\n" },
		{ "tab\there", "tab\there" },
		{ "bell\a", "bell=07" },
	};
	struct buf b = { 0 };
	const char *p, *line;
	char longline[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_reset(&b);
		digest_qp_encode(&b, rows[i].in);
		assert_string_equal(b.data, rows[i].out);
	}
	/* Long lines get soft breaks; no encoded line exceeds 76 characters. */
	memset(longline, 'x', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	buf_reset(&b);
	digest_qp_encode(&b, longline);
	for (line = b.data; (p = strstr(line, "\r\n")) != NULL; line = p + 2) {
		assert_true(p - line <= 76);
		assert_int_equal(p[-1], '=');
	}
	assert_true(strlen(line) <= 76);
	buf_free(&b);
}

static void
test_digest_header_injection(void **state)
{
	static const struct {
		const char	*value, *want;
	} rows[] = {
		{ "Hello", "Subject: Hello\r\n" },
		{ "a\r\nBcc: x@evil.example", "Subject: a  Bcc: x@evil.example\r\n" },
		{ "a\nb\rc", "Subject: a b c\r\n" },
		/* Non-ASCII: RFC 2047 words ("café" in base64). */
		{ "caf\xc3\xa9", "Subject: =?UTF-8?B?Y2Fmw6k=?=\r\n" },
		/* An escape sequence and a byte that is not UTF-8: U+FFFD. */
		{ "\x1b[2J", "Subject: =?UTF-8?B?77+9WzJK?=\r\n" },
		{ "x\xff", "Subject: =?UTF-8?B?eO+/vQ==?=\r\n" },
	};
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_reset(&b);
		digest_header_encode(&b, "Subject", rows[i].value);
		assert_string_equal(b.data, rows[i].want);
	}
	buf_free(&b);
}

/*
 * RFC 2047 lines: at most 76 characters, the first one too (after the
 * field's name), each encoded word at most 75, and the words decode to
 * the value (UTF-8 sequences whole).
 */
static void
test_digest_header_lines(void **state)
{
	static const char *names[] = { "Subject", "X-A-Field-Name-Long-"
	    "Enough-To-Leave-No-Room-For-A-Word-On-Its-Line" };
	struct buf b = { 0 }, value = { 0 };
	const char *line, *end, *colon;
	char *decoded;
	size_t i, k, len;

	(void)state;
	for (k = 0; k < 12; k++)
		buf_puts(&value, k == 0 ? "Wekelijks overzicht \xe2\x80\x93 caf\xc3\xa9" :
		    " Wekelijks overzicht \xe2\x80\x93 caf\xc3\xa9");
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		buf_reset(&b);
		digest_header_encode(&b, names[i], value.data);
		for (line = b.data; *line != '\0'; line = end + 2) {
			end = strstr(line, "\r\n");
			assert_non_null(end);
			len = (size_t)(end - line);
			assert_true(len <= 76);
		}
		colon = strchr(b.data, ':');
		assert_non_null(colon);
		decoded = mime_decode_header(colon + 1);
		assert_string_equal(decoded, value.data);
		free(decoded);
	}
	buf_free(&value);
	buf_free(&b);
}

/* Unfolded header lines of the header block; the count of those named name. */
static int
count_header(const char *msg, const char *name)
{
	const char *p = msg, *end = strstr(msg, "\r\n\r\n");
	size_t n = strlen(name);
	int count = 0;

	assert_non_null(end);
	while (p < end) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			count++;
		p = strstr(p, "\r\n") + 2;
	}
	return count;
}

static void
test_digest_message(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct err err;
	const char *line;
	char *msg;

	/* A name with CR/LF must not add a header either. */
	free(f->cfg.people[0].name);
	f->cfg.people[0].name = xstrdup("Anna\r\nBcc: victim@evil.example");
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, NULL, &d, &err), 0);
	msg = digest_message(&f->cfg, &d, "piet@example.com", NULL,
	    MONDAY + 8 * 3600);
	assert_int_equal(count_header(msg, "Date"), 1);
	assert_int_equal(count_header(msg, "From"), 1);
	assert_int_equal(count_header(msg, "To"), 1);
	assert_int_equal(count_header(msg, "Subject"), 1);
	assert_int_equal(count_header(msg, "Message-ID"), 1);
	assert_int_equal(count_header(msg, "MIME-Version"), 1);
	assert_int_equal(count_header(msg, "Bcc"), 0);
	assert_non_null(strstr(msg, "Date: Mon, 01 Jun 2026 08:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "To: piet@example.com\r\n"));
	assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(msg, "Message-ID: <digest.week.2026-05-25."));
	assert_non_null(strstr(msg, "@example.com>\r\n"));
	assert_non_null(strstr(msg, "Content-Type: multipart/alternative;"));
	assert_non_null(strstr(msg, "Content-Type: text/plain; charset=UTF-8"));
	assert_non_null(strstr(msg, "Content-Type: text/html; charset=UTF-8"));
	/* Nowhere in the message does a line start with the injected header. */
	for (line = msg; line != NULL; line = strstr(line, "\r\n")) {
		if (line != msg)
			line += 2;
		assert_true(strncasecmp(line, "Bcc:", 4) != 0);
	}
	/* Only CRLF line ends, and every line within the 998 limit. */
	for (line = msg; *line != '\0'; line++)
		if (*line == '\n')
			assert_int_equal(line[-1], '\r');
	free(msg);
	/* An invalid recipient never reaches the header. */
	msg = digest_message(&f->cfg, &d, "x@y\r\nBcc: z@w", NULL, MONDAY);
	assert_non_null(strstr(msg, "To: undisclosed-recipients:;\r\n"));
	assert_int_equal(count_header(msg, "Bcc"), 0);
	free(msg);
	/* A given Message-ID (a claimed one) is used, on one line. */
	msg = digest_message(&f->cfg, &d, "piet@example.com",
	    "<digest.x.1.abc@example.com>\r\nBcc: z@w", MONDAY);
	assert_non_null(strstr(msg, "Message-ID: <digest.x.1.abc@example.com>  "
	    "Bcc: z@w\r\n"));
	assert_int_equal(count_header(msg, "Bcc"), 0);
	free(msg);
	digest_data_free(&d);
}

/* The sent periods survive closing and reopening the store. */
static void
test_digest_once_per_period_across_restart(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct err err;
	char id[64];
	time_t now = MONDAY + 9 * 3600;	/* Monday 09:00, after "mon 08:00" */

	f->cfg.digest.schedule = xstrdup("mon 08:00");
	f->cfg.digest.period = xstrdup("week");
	assert_int_equal(digest_due(f->st, &f->cfg, now, &p), 1);
	assert_string_equal(p.key, "week:2026-05-25");
	assert_false(digest_was_sent(f->st, p.key, "piet@example.com"));
	assert_int_equal(digest_claim(f->st, p.key, "piet@example.com", false,
	    "<a@x>", id, sizeof id, &err), 1);
	assert_int_equal(digest_record(f->st, p.key, "piet@example.com", id,
	    true, now, &err), 0);
	assert_int_equal(digest_due(f->st, &f->cfg, now, &p), 0);

	store_close(f->st);
	assert_int_equal(store_open(f->path, 0, &f->st, &err), 0);
	assert_true(digest_was_sent(f->st, "week:2026-05-25", "piet@example.com"));
	assert_int_equal(digest_due(f->st, &f->cfg, now + 3 * DAY, &p), 0);
	/* The next Monday's period is due again. */
	assert_int_equal(digest_due(f->st, &f->cfg, now + 7 * DAY, &p), 1);
	assert_string_equal(p.key, "week:2026-06-01");
	/* A read-only store without the table answers "not sent". */
	assert_false(digest_was_sent(f->st, "week:1999-01-04", "piet@example.com"));
}

/* The states of the record: claimed, sent, failed; who may send when. */
static void
test_digest_claim_states(void **state)
{
	struct fixture *f = *state;
	struct err err;
	char id[64];
	const char *key = "week:2026-05-25", *to = "piet@example.com";

	/* Claimed: not sent by anyone else, whatever the outcome was. */
	assert_int_equal(digest_claim(f->st, key, to, false, "<one@x>", id,
	    sizeof id, &err), 1);
	assert_string_equal(id, "<one@x>");
	assert_true(digest_was_sent(f->st, key, to));
	assert_int_equal(digest_claim(f->st, key, to, false, "<two@x>", id,
	    sizeof id, &err), 0);

	/* Surely not sent: sent again later, with the same Message-ID. */
	assert_int_equal(digest_record(f->st, key, to, "<one@x>", false,
	    MONDAY, &err), 0);
	assert_false(digest_was_sent(f->st, key, to));
	assert_int_equal(digest_claim(f->st, key, to, false, "<three@x>", id,
	    sizeof id, &err), 1);
	assert_string_equal(id, "<one@x>");

	/* Sent: never again, except by a deliberate resend with a new ID. */
	assert_int_equal(digest_record(f->st, key, to, "<one@x>", true, MONDAY,
	    &err), 0);
	assert_int_equal(digest_claim(f->st, key, to, false, "<four@x>", id,
	    sizeof id, &err), 0);
	assert_int_equal(digest_claim(f->st, key, to, true, "<five@x>", id,
	    sizeof id, &err), 1);
	assert_string_equal(id, "<five@x>");
	/* The old claim's late outcome does not touch the new one. */
	assert_int_equal(digest_record(f->st, key, to, "<one@x>", false, MONDAY,
	    &err), 0);
	assert_true(digest_was_sent(f->st, key, to));
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM digests"
	    " WHERE state = 'claimed' AND message_id = '<five@x>'", NULL), 1);
}

/*
 * A claim needs the write lock: while another process holds it, nothing
 * is claimed (so nothing may be sent); a record that cannot be written
 * waits in the state and is written by a later flush.
 */
static void
test_digest_claim_locked(void **state)
{
	struct fixture *f = *state;
	struct digest_state ds = { 0 };
	struct err err;
	sqlite3 *other;
	char id[64];
	const char *key = "week:2026-05-25", *to = "piet@example.com";

	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(store_db(f->st), 50);
	assert_int_equal(digest_claim(f->st, key, to, false, "<one@x>", id,
	    sizeof id, &err), -1);
	assert_int_equal(err.cls, ERR_TEMP);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_false(digest_was_sent(f->st, key, to));

	/* Claimed, then the lock is taken before the outcome is recorded. */
	assert_int_equal(digest_claim(f->st, key, to, false, "<one@x>", id,
	    sizeof id, &err), 1);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(digest_record(f->st, key, to, id, true, MONDAY, &err),
	    -1);
	ds.pending = xcalloc(1, sizeof *ds.pending);
	ds.pending[0].period = xstrdup(key);
	ds.pending[0].recipient = xstrdup(to);
	ds.pending[0].msgid = xstrdup(id);
	ds.pending[0].sent = true;
	ds.npending = 1;
	assert_int_equal(digest_flush(f->st, &ds, MONDAY), 1);
	/* Still claimed meanwhile: not due, not sent again. */
	assert_true(digest_was_sent(f->st, key, to));
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(digest_flush(f->st, &ds, MONDAY), 0);
	assert_null(ds.pending);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM digests"
	    " WHERE state = 'sent'", NULL), 1);
	digest_state_free(&ds);
	sqlite3_close(other);
}

/*
 * A fresh store, without a single appointment: the digest still renders
 * (the sanitizer build once stopped at qsort(NULL, 0, ...)).
 */
static void
test_digest_empty_store(void **state)
{
	struct fixture *f = *state;
	struct digest_period p;
	struct digest_data d;
	struct store *st;
	struct err err;
	char path[600];
	char *text;

	snprintf(path, sizeof path, "%s.empty", f->path);
	assert_int_equal(store_open(path, 0, &st, &err), 0);
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	if (digest_collect(st, &f->cfg, &p, NULL, MONDAY, NULL, &d, &err) != 0)
		fail_msg("digest_collect: %s", err.msg);
	assert_int_equal(d.appointments, 0);
	assert_int_equal(d.transitions, 0);
	text = digest_text(&f->cfg, &d);
	assert_non_null(text);
	free(text);
	digest_data_free(&d);
	store_close(st);
}

static void
test_digest_next(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(digest_next(&f->cfg, MONDAY), 0);	/* no schedule */
	f->cfg.digest.schedule = xstrdup("mon 08:00");
	assert_int_equal(digest_next(&f->cfg, MONDAY + 7 * 3600), MONDAY + 8 * 3600);
	assert_int_equal(digest_next(&f->cfg, MONDAY + 8 * 3600),
	    MONDAY + 7 * DAY + 8 * 3600);
	free(f->cfg.digest.schedule);
	f->cfg.digest.schedule = xstrdup("daily 07:30");
	assert_int_equal(digest_next(&f->cfg, MONDAY + 8 * 3600),
	    MONDAY + DAY + 7 * 3600 + 1800);
}

/* A failed send is not recorded and backs off: 60 s, then 120 s. */
static void
test_digest_run_backoff(void **state)
{
	struct fixture *f = *state;
	struct digest_state ds = { 0 };
	struct err err = { 0 };
	time_t now = MONDAY + 9 * 3600, next;

	f->cfg.digest.schedule = xstrdup("mon 08:00");
	f->cfg.digest.period = xstrdup("week");
	/* Nothing listens on port 1 of loopback: the connection is refused. */
	f->cfg.smtp.url = xstrdup("smtp://127.0.0.1:1");
	f->cfg.smtp.tls = TLS_NONE;
	assert_int_equal(digest_run(f->st, &f->cfg, now, &ds, &next, &err), -1);
	assert_int_equal(err.cls, ERR_TEMP);
	assert_int_equal(ds.failures, 1);
	assert_int_equal(ds.retry_at, now + 60);
	assert_int_equal(next, now + 60);
	assert_false(digest_was_sent(f->st, "week:2026-05-25", "piet@example.com"));

	/* Within the back-off nothing is tried. */
	err_clear(&err);
	assert_int_equal(digest_run(f->st, &f->cfg, now + 30, &ds, &next, &err), 0);
	assert_int_equal(ds.failures, 1);
	assert_int_equal(err.cls, ERR_NONE);

	assert_int_equal(digest_run(f->st, &f->cfg, now + 61, &ds, &next, &err), -1);
	assert_int_equal(ds.failures, 2);
	assert_int_equal(ds.retry_at, now + 61 + 120);
	assert_int_equal(digest_due(f->st, &f->cfg, now + 61, &(struct digest_period){ 0 }), 1);
}

/*
 * The period sent by hand on any day of a week is the one the agent
 * sends on its scheduled day of that week, whatever the day: the same
 * ISO week (Monday to Sunday) under the same key, so it is mailed once.
 * A manual send on a Wednesday used to cover Wednesday to Tuesday.
 */
static void
test_digest_week_agrees(void **state)
{
	static const struct {
		const char	*schedule;
		const char	*slot;		/* its day and time in the week */
	} rows[] = {
		{ "mon 08:00", "2026-11-16T08:00" },
		{ "wed 08:00", "2026-11-18T08:00" },
		{ "fri 17:30", "2026-11-20T17:30" },
		{ "sun 23:00", "2026-11-22T23:00" },
	};
	struct fixture *f = *state;
	struct digest_period manual, scheduled;
	struct err err;
	char day[11];
	time_t at, slot;
	size_t i;
	int k;

	f->cfg.digest.period = xstrdup("week");
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		free(f->cfg.digest.schedule);
		f->cfg.digest.schedule = xstrdup(rows[i].schedule);
		assert_int_equal(util_parse_time(rows[i].slot, f->cfg.timezone,
		    &slot), 0);
		assert_int_equal(digest_due(f->st, &f->cfg, slot + 60,
		    &scheduled), 1);
		assert_string_equal(scheduled.key, "week:2026-11-09");
		assert_string_equal(scheduled.last, "2026-11-15");
		/* By hand at noon on each day of the week, Monday to Sunday. */
		for (k = 0; k < 7; k++) {
			util_day_add("2026-11-16", k, day, sizeof day);
			assert_int_equal(util_day_start(day, f->cfg.timezone,
			    &at), 0);
			assert_int_equal(digest_period_at(&f->cfg, "week",
			    at + 12 * 3600, &manual, &err), 0);
			if (strcmp(manual.key, scheduled.key) != 0 ||
			    manual.since != scheduled.since ||
			    manual.until != scheduled.until)
				fail_msg("%s: by hand on %s: %s to %s, scheduled "
				    "%s to %s", rows[i].schedule, day,
				    manual.first, manual.last, scheduled.first,
				    scheduled.last);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_period),
		cmocka_unit_test_setup_teardown(test_digest_week_agrees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_recipients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_numbers_equal_cli, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_current_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_people_subset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_text_and_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_lost_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_long_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_qualification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_forecast_beside, setup, teardown),
		cmocka_unit_test(test_digest_words),
		cmocka_unit_test_setup_teardown(test_digest_trend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_dutch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_personal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_html_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_personal_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_as_of, setup, teardown),
		cmocka_unit_test(test_digest_qp),
		cmocka_unit_test(test_digest_header_injection),
		cmocka_unit_test(test_digest_header_lines),
		cmocka_unit_test_setup_teardown(test_digest_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_once_per_period_across_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_empty_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_claim_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_claim_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_run_backoff, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	test_tmpdir_cleanup();
	return rc;
}
