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

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "digest.h"
#include "helpers.h"
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
	add_sig(&l, SIG_OFFER_SENT, "c1.nl", "anna", mon + 1 * DAY, DIR_OUTBOUND, "c1-2", "Offer");
	add_sig(&l, SIG_ORDER_CONFIRMED, "c1.nl", "anna", mon + 3 * DAY, DIR_INBOUND, "c1-3", "Order");
	add_sig(&l, SIG_APPOINTMENT, "c2.nl", "bram", mon - 30 * DAY, DIR_OUTBOUND, "c2-1", "Visit");
	add_sig(&l, SIG_OFFER_SENT, "c2.nl", "bram", mon - 25 * DAY, DIR_OUTBOUND, "c2-2", EVIL);
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
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, &d, &err), 0);

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
		    &d, &err), 0);
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

/* A manager's digest covers only their salespeople. */
static void
test_digest_people_subset(void **state)
{
	struct fixture *f = *state;
	struct strlist bram = { 0 };
	struct digest_period p;
	struct digest_data d;
	struct err err;

	strlist_add(&bram, "bram");
	assert_int_equal(digest_period_at(&f->cfg, "week", MONDAY, &p, &err), 0);
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, &bram, MONDAY, &d, &err), 0);
	assert_int_equal(d.npeople, 1);
	assert_string_equal(d.people[0].key, "bram");
	assert_int_equal(d.appointments, 1);
	assert_int_equal(d.won_new, 0);
	assert_int_equal(d.current[3], 1);	/* c2.nl in offer */
	digest_data_free(&d);
	strlist_clear(&bram);
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
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, &d, &err), 0);
	subject = digest_subject(&d);
	assert_string_equal(subject, "Sales week 2026-05-25 \xe2\x80\x93 2026-05-31: "
	    "4 appointments, 1 won");
	text = digest_text(&f->cfg, &d);
	assert_non_null(strstr(text, "Sales digest, week 2026-05-25 to 2026-05-31"));
	assert_non_null(strstr(text, "(target 0.50)"));
	assert_non_null(strstr(text, "0.60/day met"));
	assert_non_null(strstr(text, "0.20/day below"));
	assert_non_null(strstr(text, "WON: 1 new customers, 0 growth deals; lost 0"));
	assert_non_null(strstr(text, "c1.nl (new, anna)"));
	/* No reason given for a lost deal: no section for them. */
	assert_null(strstr(text, "LOST REASONS"));
	/* c2.nl: quiet for 32 days in offer, nothing planned: stalled. */
	assert_non_null(strstr(text, "c2.nl (bram, offer)"));
	assert_non_null(strstr(text, "days without reply"));
	/* The CR/LF in its subject became spaces. */
	assert_non_null(strstr(text, "offer_sent: Offerte  Bcc: victim@evil.example"));
	assert_null(strstr(text, "\r"));
	html = digest_html(&f->cfg, &d);
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
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, &d,
	    &err), 0);
	text = digest_text(&f->cfg, &d);
	if (strstr(text, "TOP LOST REASONS per phase\n"
	    "  suspect: timing 1\n"
	    "  offer: price 2, <b>evil</b> 1, a 1\n\n") == NULL)
		fail_msg("no lost reasons in:\n%s", text);
	assert_null(strstr(text, "budget"));
	html = digest_html(&f->cfg, &d);
	assert_non_null(strstr(html, "Top lost reasons per phase"));
	assert_non_null(strstr(html, "&lt;b&gt;evil&lt;/b&gt; <b>1</b>"));
	assert_null(strstr(html, "<b>evil"));
	free(text);
	free(html);
	digest_data_free(&d);
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
	assert_int_equal(digest_collect(f->st, &f->cfg, &p, NULL, MONDAY, &d, &err), 0);
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
	if (digest_collect(st, &f->cfg, &p, NULL, MONDAY, &d, &err) != 0)
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
		cmocka_unit_test(test_digest_qp),
		cmocka_unit_test(test_digest_header_injection),
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
