/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of invite.c: which calendar parts of a message count, the
 * reduction kept in the store, and when a meeting a customer organised
 * is the salesperson's appointment.  The iCalendar objects are shaped as
 * Outlook (Exchange), Google Calendar and Apple Calendar send them
 * (tests/data/itip/; Exchange's REPLY has no ORGANIZER), with their day,
 * DTSTAMP, SEQUENCE and PARTSTAT filled in here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "config.h"
#include "event.h"
#include "helpers.h"
#include "invite.h"
#include "mail.h"
#include "util.h"
#include "xmalloc.h"

#define DAY	86400

static struct config cfg;
static time_t t0;	/* today, midnight UTC */

static int
setup(void **state)
{
	(void)state;
	/* Local times below are Amsterdam's. */
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	config_defaults(&cfg);
	free(cfg.timezone);
	cfg.timezone = xstrdup("Europe/Amsterdam");
	strlist_add(&cfg.internal_domains, "brightline.nl");
	test_add_person(&cfg, "anna", "anna@brightline.nl");
	test_add_person(&cfg, "bram", "bram@brightline.nl");
	t0 = util_now() / DAY * DAY;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

/*
 * A fixture of tests/data/itip with the meeting on day (days from
 * today), stamped stamp hours after two days ago (test_itip).
 */
static char *
itip(const char *file, int day, int stamp, int seq, const char *partstat,
    const char *other)
{
	return test_itip(file, t0 + day * DAY, t0 - 2 * DAY + stamp * 3600,
	    seq, partstat, other);
}

/* A message from one address to another, for invite_role. */
static void
message(struct mail_summary *m, const char *from, const char *to)
{
	memset(m, 0, sizeof *m);
	mail_addr_list_add(&m->from, NULL, from);
	mail_addr_list_add(&m->to, NULL, to);
	m->subject = xstrdup("Uitnodiging");
	m->date = t0;
	m->date_valid = true;
}

/* Parses text within the agent's window. */
static void
parse(const char *text, struct ical_file *f)
{
	struct err err;
	time_t from, to;

	event_window(util_now(), cfg.backfill_days, cfg.timezone, &from, &to);
	if (event_parse(text, strlen(text), from, to, cfg.timezone, "test", f,
	    &err) != 0)
		fail_msg("event_parse: %s", err.msg);
}

/* The reduction keeps what classification reads and nothing of the text. */
static void
test_invite_reduce(void **state)
{
	struct mail_summary m;
	struct ical_file a, b;
	struct err err;
	char *text, *red;

	(void)state;
	message(&m, "anna@brightline.nl", "jan@acme.nl");
	text = itip("outlook-request.ics", 5, 0, 0, NULL, NULL);
	assert_int_equal(invite_reduce(&cfg, &m, INVITE_ORGANIZER, text,
	    "req", &red, &err), 0);
	assert_null(strstr(red, "DESCRIPTION"));
	assert_null(strstr(red, "vergaderruimte"));
	assert_null(strstr(red, "LOCATION"));
	assert_null(strstr(red, "X-MICROSOFT"));
	assert_null(strstr(red, "VALARM"));
	assert_non_null(strstr(red, "W. Europe Standard Time"));
	assert_non_null(strstr(red, "SUMMARY"));
	/* The same event, attendees and times as the original. */
	parse(text, &a);
	parse(red, &b);
	assert_int_equal(a.nevents, 1);
	assert_int_equal(b.nevents, 1);
	assert_string_equal(a.events[0].uid, b.events[0].uid);
	assert_int_equal(a.events[0].start, b.events[0].start);
	assert_int_equal(a.events[0].end, b.events[0].end);
	assert_int_equal(b.events[0].nattendees, 2);
	assert_string_equal(b.events[0].organizer, "jan@acme.nl");
	assert_string_equal(b.events[0].summary,
	    "Bespreking offerte Brightline");
	ical_file_free(&a);
	ical_file_free(&b);
	free(red);
	free(text);

	/* Exchange's REPLY has no ORGANIZER: the To it went to is. */
	text = itip("outlook-reply.ics", 5, 1, 0, NULL, NULL);
	assert_null(strstr(text, "ORGANIZER"));
	assert_int_equal(invite_reduce(&cfg, &m, INVITE_REPLY, text, "reply",
	    &red, &err), 0);
	assert_null(strstr(red, "COMMENT"));
	parse(red, &b);
	assert_string_equal(b.events[0].organizer, "jan@acme.nl");
	ical_file_free(&b);
	free(red);
	free(text);

	/* Without stored subjects only the demo or call word is kept. */
	cfg.store_subjects = false;
	text = itip("gmail-request.ics", 5, 0, 0, NULL, NULL);
	assert_int_equal(invite_reduce(&cfg, &m, INVITE_ORGANIZER, text, "g",
	    &red, &err), 0);
	assert_null(strstr(red, "zonnepanelen"));
	assert_non_null(strstr(red, "SUMMARY:demo"));
	free(red);
	free(text);
	text = itip("outlook-request.ics", 5, 0, 0, NULL, NULL);
	assert_int_equal(invite_reduce(&cfg, &m, INVITE_ORGANIZER, text, "o",
	    &red, &err), 0);
	assert_null(strstr(red, "SUMMARY"));
	free(red);
	free(text);
	cfg.store_subjects = true;

	/*
	 * The owner's own keeps the hashtags of DESCRIPTION, which
	 * classification reads, and none of its text; others keep neither.
	 */
	text = xstrdup("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
	    "BEGIN:VEVENT\r\nUID:t-1\r\nDTSTAMP:20261001T080000Z\r\n"
	    "DTSTART:20261010T100000Z\r\nORGANIZER:mailto:anna@brightline.nl"
	    "\r\nDESCRIPTION:Geheime prijsafspraak\\n#verbal\\n#competitor "
	    "Acme Solar\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	assert_int_equal(invite_reduce(&cfg, &m, INVITE_OWN, text, "own",
	    &red, &err), 0);
	assert_null(strstr(red, "Geheime"));
	parse(red, &b);
	assert_int_equal(b.nevents, 1);
	assert_int_equal(b.events[0].hashtags.n, 2);
	assert_string_equal(b.events[0].hashtags.v[0], "#verbal");
	assert_non_null(strstr(b.events[0].hashtags.v[1], "Acme Solar"));
	ical_file_free(&b);
	free(red);
	assert_int_equal(invite_reduce(&cfg, &m, INVITE_ORGANIZER, text, "org",
	    &red, &err), 0);
	assert_null(strstr(red, "DESCRIPTION"));
	free(red);
	free(text);

	/* Not iCalendar at all. */
	assert_int_equal(invite_reduce(&cfg, &m, INVITE_ORGANIZER,
	    "Zullen we afspreken?", "x", &red, &err), -1);
	assert_null(red);
	mail_summary_free(&m);
}

/* Which calendar parts count, and as what. */
static void
test_invite_role(void **state)
{
	static const struct {
		const char		*what;
		const char		*file;
		const char		*from;
		const char		*to;
		bool			 sent;
		bool			 bulk;
		enum invite_role	 want;
	} rows[] = {
		{ "own reply in Sent", "outlook-reply.ics",
		    "anna@brightline.nl", "jan@acme.nl", true, false,
		    INVITE_REPLY },
		{ "organizer's request", "outlook-request.ics",
		    "jan@acme.nl", "anna@brightline.nl", false, false,
		    INVITE_ORGANIZER },
		{ "organizer's colleague sends it", "outlook-request.ics",
		    "secretariaat@acme.nl", "anna@brightline.nl", false, false,
		    INVITE_ORGANIZER },
		{ "organizer's cancel", "outlook-cancel.ics", "jan@acme.nl",
		    "anna@brightline.nl", false, false, INVITE_ORGANIZER },
		{ "Google's request", "gmail-request.ics", "karin@globex.be",
		    "anna@brightline.nl", false, false, INVITE_ORGANIZER },
		{ "a stranger names the organizer", "outlook-request.ics",
		    "mallory@evil.example", "anna@brightline.nl", false, false,
		    INVITE_NONE },
		{ "a colleague's address", "outlook-request.ics",
		    "bram@brightline.nl", "anna@brightline.nl", false, false,
		    INVITE_NONE },
		{ "bulk", "outlook-request.ics", "jan@acme.nl",
		    "anna@brightline.nl", false, true, INVITE_NONE },
		{ "a customer's reply", "gmail-reply.ics", "karin@globex.be",
		    "anna@brightline.nl", false, false, INVITE_NONE },
		{ "the customer's request in Sent", "outlook-request.ics",
		    "anna@brightline.nl", "jan@acme.nl", true, false,
		    INVITE_OWN },
	};
	struct mail_summary m;
	struct ical_file f;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		message(&m, rows[i].from, rows[i].to);
		m.bulk = rows[i].bulk ? MAIL_BULK_LIST : 0;
		text = itip(rows[i].file, 5, 0, 0, NULL, NULL);
		parse(text, &f);
		if (invite_role(&cfg, "anna", &m, rows[i].sent, &f) !=
		    rows[i].want)
			fail_msg("%s: role %d, want %d", rows[i].what,
			    invite_role(&cfg, "anna", &m, rows[i].sent, &f),
			    rows[i].want);
		ical_file_free(&f);
		free(text);
		mail_summary_free(&m);
	}
}

/* One part as the store keeps it: a fixture reduced as its role says. */
static char *
part(const char *file, enum invite_role role, int day, int stamp, int seq,
    const char *partstat, const char *other)
{
	struct mail_summary m;
	struct err err;
	char *text, *red;

	if (file == NULL)
		return NULL;
	if (strncmp(file, "gmail", 5) == 0)
		message(&m, "anna@brightline.nl", "karin@globex.be");
	else if (strncmp(file, "apple", 5) == 0)
		message(&m, "anna@brightline.nl", "luc@initech.be");
	else
		message(&m, "anna@brightline.nl", "jan@acme.nl");
	text = itip(file, day, stamp, seq, partstat, other);
	if (invite_reduce(&cfg, &m, role, text, file, &red, &err) != 0)
		fail_msg("%s: %s", file, err.msg);
	free(text);
	mail_summary_free(&m);
	return red;
}

/*
 * Whether a meeting a customer organised is the salesperson's
 * appointment, and when: what classify_ical makes of invite_decide's
 * event, as "kind account +days HH:MM" (days from today in UTC, the time
 * in Amsterdam, where Outlook's and Apple's zones are).
 */
static void
test_invite_decide(void **state)
{
	static const struct {
		const char	*what;
		const char	*org;		/* fixture, or NULL */
		int		 org_day, org_seq;
		const char	*other;		/* the other guest's PARTSTAT */
		const char	*reply;		/* fixture, or NULL */
		int		 reply_day, reply_seq;
		const char	*partstat;
		const char	*want;		/* "" for no appointment */
	} rows[] = {
		{ "Outlook: request and accept", "outlook-request.ics", 5, 0,
		    NULL, "outlook-reply.ics", 5, 0, "ACCEPTED",
		    "appointment acme.nl +5 10:00" },
		{ "Outlook: accept alone", NULL, 0, 0, NULL,
		    "outlook-reply.ics", 5, 0, "ACCEPTED",
		    "appointment acme.nl +5 10:00" },
		{ "Outlook: declined", "outlook-request.ics", 5, 0, NULL,
		    "outlook-reply.ics", 5, 0, "DECLINED", "" },
		{ "Outlook: tentative", "outlook-request.ics", 5, 0, NULL,
		    "outlook-reply.ics", 5, 0, "TENTATIVE", "" },
		{ "Outlook: cancelled after the accept", "outlook-cancel.ics",
		    5, 1, NULL, "outlook-reply.ics", 5, 0, "ACCEPTED", "" },
		{ "Outlook: moved after the accept", "outlook-request.ics", 8,
		    1, NULL, "outlook-reply.ics", 5, 0, "ACCEPTED",
		    "appointment acme.nl +8 10:00" },
		{ "Outlook: accepted again after a cancel", "outlook-cancel.ics",
		    5, 1, NULL, "outlook-reply.ics", 9, 2, "ACCEPTED",
		    "appointment acme.nl +9 10:00" },
		{ "Outlook: request only", "outlook-request.ics", 5, 0, NULL,
		    NULL, 0, 0, NULL, "" },
		{ "Google: accepted demo, a colleague of theirs declined",
		    "gmail-request.ics", 6, 0, "DECLINED", "gmail-reply.ics", 6,
		    0, "ACCEPTED", "demo globex.be +6 UTC 13:00" },
		{ "Google: every guest of Globex declined", "gmail-request.ics",
		    6, 0, "DECLINED/DECLINED", "gmail-reply.ics", 6, 0,
		    "ACCEPTED", "" },
		{ "Google: declined", "gmail-request.ics", 6, 0, NULL,
		    "gmail-reply.ics", 6, 0, "DECLINED", "" },
		{ "Apple: accepted", NULL, 0, 0, NULL, "apple-reply.ics", 4, 0,
		    "ACCEPTED", "appointment initech.be +4 14:30" },
		{ "Apple: declined", NULL, 0, 0, NULL, "apple-reply.ics", 4, 0,
		    "DECLINED", "" },
	};
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct ical_file f;
	char *org, *reply, got[256], hm[8];
	time_t start;
	struct tm tm;
	size_t i;
	bool utc;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		org = part(rows[i].org, INVITE_ORGANIZER, rows[i].org_day, 0,
		    rows[i].org_seq, NULL, rows[i].other);
		reply = part(rows[i].reply, INVITE_REPLY, rows[i].reply_day, 1,
		    rows[i].reply_seq, rows[i].partstat, NULL);
		got[0] = '\0';
		if (invite_decide(&cfg, "anna", org, reply, rows[i].what, &f)) {
			classify_ical(&cfg, "anna", &f, "imap:anna",
			    "invited:x", t0, &sigs, &appts);
			ical_file_free(&f);
			if ((sigs.n != 1 || appts.n != 1) &&
			    (sigs.n != 0 || appts.n != 0))
				fail_msg("%s: %zu signals, %zu appointments",
				    rows[i].what, sigs.n, appts.n);
		}
		/* Classification may still find it is no appointment. */
		if (sigs.n == 1) {
			start = appts.v[0].start;
			utc = strstr(rows[i].want, "UTC") != NULL;
			strftime(hm, sizeof hm, "%H:%M", utc ?
			    gmtime_r(&start, &tm) : localtime_r(&start, &tm));
			snprintf(got, sizeof got, "%s %s +%lld %s%s",
			    signal_kind_name(sigs.v[0].kind), sigs.v[0].account,
			    (long long)((start - t0) / DAY), utc ? "UTC " : "",
			    hm);
			/* Made the day the salesperson accepted. */
			assert_int_equal(sigs.v[0].occurred_at,
			    t0 - 2 * DAY + 3600);
			signal_list_clear(&sigs);
			appointment_list_clear(&appts);
		}
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", rows[i].what, got,
			    rows[i].want);
		free(org);
		free(reply);
	}
}

/*
 * An iCalendar object organised by anna, day days from today at 10:00
 * UTC, with one ATTENDEE per address of attendees (comma-separated).
 */
static char *
own_ical(const char *method, int seq, int stamp, const char *partstat,
    const char *attendees)
{
	struct buf b = { 0 };
	struct tm tm;
	time_t day = t0 + 5 * DAY, st = t0 - 2 * DAY + stamp * 3600;
	char d[32], s[32], *list, *a, *save = NULL;

	gmtime_r(&day, &tm);
	strftime(d, sizeof d, "%Y%m%dT100000Z", &tm);
	gmtime_r(&st, &tm);
	strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", &tm);
	buf_printf(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	    "METHOD:%s\r\nBEGIN:VEVENT\r\nUID:own-1@brightline.nl\r\n"
	    "SEQUENCE:%d\r\nDTSTAMP:%s\r\nDTSTART:%s\r\n"
	    "SUMMARY:Offertebespreking\r\n"
	    "ORGANIZER:mailto:anna@brightline.nl\r\n", method, seq, s, d);
	list = xstrdup(attendees);
	for (a = strtok_r(list, ",", &save); a != NULL;
	    a = strtok_r(NULL, ",", &save))
		buf_printf(&b, "ATTENDEE;PARTSTAT=%s:mailto:%s\r\n", partstat,
		    a);
	free(list);
	buf_puts(&b, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	return b.data;
}

/*
 * A customer's answer to anna's own invitation: which REPLYs are read
 * as one (the attendee's own account, to anna), and what they do to her
 * invitation (invite_own_decide): a decline by every customer is no
 * appointment, one by a guest of two is, an answer to an older SEQUENCE
 * or by someone not invited changes nothing.
 */
static void
test_invite_answers(void **state)
{
	static const struct {
		const char		*what;
		const char		*from;
		const char		*attendee;
		enum invite_role	 want;
	} roles[] = {
		{ "the customer answers", "jan@acme.nl", "jan@acme.nl",
		    INVITE_ANSWER },
		{ "a colleague of the customer sends it", "secretariaat@acme.nl",
		    "jan@acme.nl", INVITE_ANSWER },
		{ "a stranger answers for the customer", "mallory@evil.example",
		    "jan@acme.nl", INVITE_NONE },
		{ "a colleague of anna's answers", "bram@brightline.nl",
		    "bram@brightline.nl", INVITE_NONE },
	};
	static const struct {
		const char	*what;
		const char	*attendees;	/* of anna's invitation */
		int		 seq;		/* of anna's invitation */
		const char	*answers[3];	/* "address PARTSTAT SEQ" */
		size_t		 want;		/* appointments */
	} rows[] = {
		{ "no answer", "jan@acme.nl", 0, { NULL }, 1 },
		{ "declined", "jan@acme.nl", 0, { "jan@acme.nl DECLINED 0" },
		    0 },
		{ "accepted", "jan@acme.nl", 0, { "jan@acme.nl ACCEPTED 0" },
		    1 },
		{ "one guest of two declined", "jan@acme.nl,els@initech.nl", 0,
		    { "jan@acme.nl DECLINED 0" }, 1 },
		{ "both guests declined", "jan@acme.nl,els@initech.nl", 0,
		    { "jan@acme.nl DECLINED 0", "els@initech.nl DECLINED 0" },
		    0 },
		{ "declined before the meeting moved", "jan@acme.nl", 1,
		    { "jan@acme.nl DECLINED 0" }, 1 },
		{ "declined after it moved", "jan@acme.nl", 1,
		    { "jan@acme.nl DECLINED 1" }, 0 },
		{ "declined by someone not invited", "jan@acme.nl", 0,
		    { "piet@beta.nl DECLINED 0" }, 1 },
	};
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct strlist answers = { 0 };
	struct mail_summary m;
	struct ical_file f;
	char *text, *own, addr[64], ps[16];
	size_t i, j;
	int seq;

	(void)state;
	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		message(&m, roles[i].from, "anna@brightline.nl");
		text = own_ical("REPLY", 0, 1, "DECLINED", roles[i].attendee);
		parse(text, &f);
		if (invite_role(&cfg, "anna", &m, false, &f) != roles[i].want)
			fail_msg("%s: role %d, want %d", roles[i].what,
			    invite_role(&cfg, "anna", &m, false, &f),
			    roles[i].want);
		if (roles[i].want == INVITE_ANSWER) {
			own = invite_answer_part(&f);
			assert_string_equal(own, "answer:jan@acme.nl");
			free(own);
		}
		ical_file_free(&f);
		free(text);
		mail_summary_free(&m);
	}

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		own = own_ical("REQUEST", rows[i].seq, 0, "NEEDS-ACTION",
		    rows[i].attendees);
		for (j = 0; j < 3 && rows[i].answers[j] != NULL; j++) {
			if (sscanf(rows[i].answers[j], "%63s %15s %d", addr, ps,
			    &seq) != 3)
				fail_msg("%s: bad row", rows[i].what);
			text = own_ical("REPLY", seq, 1, ps, addr);
			strlist_add(&answers, text);
			free(text);
		}
		assert_true(invite_own_decide(&cfg, own, &answers,
		    rows[i].what, &f));
		classify_ical(&cfg, "anna", &f, "imap:anna", "invite:own-1",
		    t0, &sigs, &appts);
		if (appts.n != rows[i].want)
			fail_msg("%s: %zu appointments, want %zu", rows[i].what,
			    appts.n, rows[i].want);
		ical_file_free(&f);
		signal_list_clear(&sigs);
		appointment_list_clear(&appts);
		strlist_clear(&answers);
		free(own);
	}
	assert_false(invite_own_decide(&cfg, "not iCalendar", &answers, "x",
	    &f));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invite_reduce),
		cmocka_unit_test(test_invite_role),
		cmocka_unit_test(test_invite_decide),
		cmocka_unit_test(test_invite_answers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
