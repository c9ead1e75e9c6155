/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of mail.c and mbox.c: the summary of each fixture under
 * tests/data/mail (read with LF and with CRLF line ends), the decoding
 * helpers from tables, bad input (empty, garbage, NUL bytes, truncation,
 * huge header lines, deep nesting), and the mbox reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "mail.h"
#include "mbox.h"
#include "mime.h"

/* Joins an address list as "Name <addr>, <addr>". Caller frees. */
static char *
join_addrs(const struct mail_addr_list *l)
{
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, "");
	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s%s<%s>", i > 0 ? ", " : "",
		    l->v[i].name != NULL ? l->v[i].name : "",
		    l->v[i].name != NULL ? " " : "", l->v[i].addr);
	return b.data;
}

/* Joins a string list with sep. Caller frees. */
static char *
join_list(const struct strlist *l, const char *sep)
{
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, "");
	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i > 0 ? sep : "", l->v[i]);
	return b.data;
}

static void
assert_join_addrs(const struct mail_addr_list *l, const char *want)
{
	char *got = join_addrs(l);

	assert_string_equal(got, want);
	free(got);
}

static void
assert_join_list(const struct strlist *l, const char *sep, const char *want)
{
	char *got = join_list(l, sep);

	assert_string_equal(got, want);
	free(got);
}

/* Rewrites line ends: all LF when crlf is false, all CRLF otherwise. */
static char *
line_ends(const char *in, size_t len, bool crlf, size_t *outlen)
{
	char *out = malloc(2 * len + 1);
	size_t i, o = 0;

	assert_non_null(out);
	for (i = 0; i < len; i++) {
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		if (in[i] == '\n' && crlf)
			out[o++] = '\r';
		out[o++] = in[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

struct mail_case {
	const char	*file;
	const char	*message_id;
	time_t		 date;		/* 0: no valid Date */
	const char	*from, *to, *cc;
	const char	*subject;
	const char	*attachments;	/* " | " separated */
	unsigned	 bulk;
	const char	*in_reply_to;
	const char	*references;	/* " " separated */
	const char	*hashtags;	/* " | " separated */
	size_t		 ncalendar;
	const char	*calendar_has;
};

#define OUTLOOK_ID "AM0PR07MB1234A1B2C3D4E5F6@AM0PR07MB1234.eurprd07.prod.outlook.com"

static const struct mail_case mail_cases[] = {
	{ "outlook-offer.eml", OUTLOOK_ID, 1772532942,
	  "Anna de Vries <anna.devries@brightline.nl>",
	  "Jan Jansen <jan.jansen@sales.acme.nl>",
	  "Inkoop, Acme <inkoop@acme.nl>",
	  "Offerte 2026-114 Acme", "Offerte 2026-114 Acme.pdf", 0, NULL, "", "",
	  0, NULL },
	{ "gmail.eml", "CAHk7vQ2x+Fo5uN1=Q9y8fZ3c@mail.gmail.com", 1772629331,
	  "Piet Bakker <piet.bakker@gmail.com>",
	  "<anna.devries@brightline.nl>, Bram Smit <bram@brightline.nl>",
	  "Jos\xc3\xa9 Garc\xc3\xad" "a <jose@northwind.co.uk>",
	  "Vraag over levering \xe2\x80\x93 week 12 en de prijsopgave voor het "
	  "\xe2\x80\x98koelsysteem\xe2\x80\x99", "", 0, NULL, "", "", 0, NULL },
	{ "apple.eml", "8F3E2D1C-0B9A-4C7D-8E6F-5A4B3C2D1E0F@acme.nl",
	    1773071103,
	  "Jan Jansen <jan.jansen@acme.nl>",
	  "Anna de Vries <anna.devries@brightline.nl>", "",
	  "Getekende offerte 2026-114 \xe2\x80\x93 opdrachtbevestiging caf\xc3\xa9",
	  "Getekende offerte 2026-114.pdf", 0, NULL, "", "", 0, NULL },
	{ "rfc2231.eml", "20260305130000.4711@mail.example.de", 1772715600,
	  "Ren\xc3\xa9 M\xc3\xbcller <rene.mueller@example.de>",
	  "<anna@brightline.nl>", "", "Unterlagen",
	  "Offerte \xe2\x82\xac 12.500 \xe2\x80\x93 K\xc3\xb6lner Stra\xc3\x9f" "e.pdf | "
	  "Preis\xc3\xbc" "bersicht caf\xc3\xa9.xlsx | "
	  "Lieferbedingungen-und-allgemeine-Geschaeftsbedingungen.txt",
	  0, NULL, "", "", 0, NULL },
	{ "cp1252-subject.eml", "000001da6f2e$1a2b3c40$4e5f6a70$@brightline.nl",
	  1772785800, "Smit, Bram <bram@brightline.nl>",
	  "<inkoop@northwind.co.uk>", "",
	  "Offerte \xe2\x80\x93 prijsopgave", "", 0, NULL, "", "", 0, NULL },
	{ "latin1-subject.eml", "latin1.20260307@dubois.fr", 1772927999,
	  "Andr\xc3\xa9 Dubois <andre@dubois.fr>", "<anna@brightline.nl>", "",
	  "Prijsopgave caf\xc3\xa9 \xe2\x80\x9c" "De Hoek\xe2\x80\x9d", "", 0, NULL,
	  "", "", 0, NULL },
	{ "newsletter.eml", "nb-2026-03.anna=brightline.nl@mail.vakblad.nl",
	  1772949600, "Vakblad Installatie <nieuwsbrief@vakblad.nl>",
	  "<anna@brightline.nl>", "",
	  "Nieuwsbrief maart: de beste offertes van 2026", "",
	  MAIL_BULK_LIST | MAIL_BULK_PRECEDENCE, NULL, "", "", 0, NULL },
	{ "ooo.eml", "ooo-8c1d@acme.nl", 1772532950,
	  "Jan Jansen <jan.jansen@acme.nl>",
	  "Anna de Vries <anna.devries@brightline.nl>", "",
	  "Automatisch antwoord: Offerte 2026-114 Acme", "",
	  MAIL_BULK_AUTOSUBMITTED | MAIL_BULK_AUTOREPLY, OUTLOOK_ID, "", "",
	  0, NULL },
	{ "exchange-oof.eml", "oof-2@acme.nl", 1772532960,
	  "Jan Jansen <jan.jansen@acme.nl>",
	  "Anna de Vries <anna.devries@brightline.nl>", "",
	  "Afwezig: Offerte", "", MAIL_BULK_AUTOREPLY, NULL, "", "", 0, NULL },
	{ "dsn.eml", "20260303100000.4B2C1D0E9F@mx.brightline.nl", 1772532000,
	  "<mailer-daemon@mx.brightline.nl>", "<anna@brightline.nl>", "",
	  "Undelivered Mail Returned to Sender", "",
	  MAIL_BULK_DSN | MAIL_BULK_AUTOSUBMITTED, NULL, "", "", 0, NULL },
	{ "reply.eml", "reply-3@acme.nl", 1773230700,
	  "Jan Jansen <jan.jansen@acme.nl>",
	  "Anna de Vries <anna.devries@brightline.nl>", "", "RE: AW: Offerte", "",
	  0, OUTLOOK_ID, "first-1@brightline.nl aw-2@kunde.de " OUTLOOK_ID, "",
	  0, NULL },
	{ "invite.eml", "000000000000e4f5a6b7c8d9@google.com", 1772625600,
	  "Anna de Vries <anna.devries@brightline.nl>", "<jan.jansen@acme.nl>", "",
	  "Uitnodiging: Kennismaking Acme \xe2\x80\x93 demo @ ma 16 mrt 2026",
	  "invite.ics", 0, NULL, "", "", 2,
	  "UID:7kq3l2m1n0p9o8i7u6y5t4r3e2@google.com" },
	{ "hashtag.eml", "notes-12@brightline.nl", 1773332400,
	  "Anna de Vries <anna.devries@brightline.nl>",
	  "<anna.devries@brightline.nl>", "",
	  "Acme notities #problem te warm in de serverruimte", "", 0, NULL, "",
	  "#problem te warm in de serverruimte | #verbal | #decision 2027-01-15 | "
	  "#competitor Globex B.V. (goedkoper, maar later) | "
	  "#need koeling voor serverruimte caf\xc3\xa9", 0, NULL },
	{ "no-id-no-date.eml", NULL, 0, "<info@hoek-installatie.nl>",
	  "<anna@brightline.nl>", "", "vraagje", "", 0, NULL, "", "", 0, NULL },
};

/* Checks one summary against its table row. */
static void
check_case(const struct mail_case *c, const struct mail_summary *s)
{
	size_t i;

	if (c->message_id == NULL)
		assert_null(s->message_id);
	else
		assert_string_equal(s->message_id, c->message_id);
	assert_int_equal(s->date_valid, c->date != 0);
	assert_int_equal((long long)s->date, (long long)c->date);
	assert_join_addrs(&s->from, c->from);
	assert_join_addrs(&s->to, c->to);
	assert_join_addrs(&s->cc, c->cc);
	assert_string_equal(s->subject, c->subject);
	assert_join_list(&s->attachments, " | ", c->attachments);
	assert_int_equal(s->bulk, c->bulk);
	if (c->in_reply_to == NULL)
		assert_null(s->in_reply_to);
	else
		assert_string_equal(s->in_reply_to, c->in_reply_to);
	assert_join_list(&s->references, " ", c->references);
	assert_join_list(&s->hashtags, " | ", c->hashtags);
	assert_int_equal(s->calendar_parts.n, c->ncalendar);
	for (i = 0; i < s->calendar_parts.n; i++) {
		assert_non_null(strstr(s->calendar_parts.v[i],
		    "METHOD:REQUEST"));
		assert_non_null(strstr(s->calendar_parts.v[i],
		    c->calendar_has));
	}
	assert_int_equal(s->calendar_sections.n, 0);
}

static void
test_mail_fixture_summaries(void **state)
{
	struct mail_summary s;
	struct err err;
	char path[256], *raw, *msg;
	size_t i, len, mlen;
	int crlf;

	(void)state;
	for (i = 0; i < sizeof mail_cases / sizeof mail_cases[0]; i++) {
		snprintf(path, sizeof path, "mail/%s", mail_cases[i].file);
		raw = test_read_data(path, &len);
		for (crlf = 0; crlf <= 1; crlf++) {
			print_message("# %s (%s)\n", mail_cases[i].file,
			    crlf ? "CRLF" : "LF");
			msg = line_ends(raw, len, crlf, &mlen);
			assert_int_equal(mail_parse(msg, mlen, &s, &err), 0);
			check_case(&mail_cases[i], &s);
			mail_summary_free(&s);
			free(msg);
		}
		free(raw);
	}
}

static void
test_mail_internaldate_fallback(void **state)
{
	struct mail_summary s;
	struct err err;
	char *raw;
	size_t len;

	(void)state;
	raw = test_read_data("mail/no-id-no-date.eml", &len);
	assert_int_equal(mail_parse(raw, len, &s, &err), 0);
	mail_set_internaldate(&s, 1772787600);
	assert_false(s.date_valid);
	assert_int_equal((long long)s.date, 1772787600LL);
	assert_int_equal((long long)s.internaldate, 1772787600LL);
	mail_summary_free(&s);
	free(raw);

	raw = test_read_data("mail/reply.eml", &len);
	assert_int_equal(mail_parse(raw, len, &s, &err), 0);
	mail_set_internaldate(&s, 1);
	assert_int_equal((long long)s.date, 1773230700LL);
	mail_summary_free(&s);
	free(raw);
}

/* 2026-03-11T12:05:00Z: when the test messages arrived. */
#define ARRIVED		1773230700

/* A Date header for t ("Wed, 11 Mar 2026 12:05:00 +0000") into out. */
static void
rfc_date(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/*
 * A Date header before 1990 (time 0 in 1970 reads as "unset" elsewhere),
 * or more than a day after the message arrived (or after now, when its
 * arrival is unknown), is implausible: the arrival time (INTERNALDATE,
 * the mbox separator date) dates the message instead.  The file path
 * (mail_parse, then mail_set_internaldate with the mbox date) and the
 * IMAP path (mail_apply_header of the fetched header fields, then
 * mail_set_internaldate with INTERNALDATE) agree.
 */
static void
test_mail_implausible_dates(void **state)
{
	static const struct {
		long long	 date;		/* of the Date header */
		time_t		 arrived;	/* 0: unknown */
		long long	 want;
		bool		 valid;
	} rows[] = {
		{ 0, ARRIVED, ARRIVED, false },		/* 1970-01-01 */
		{ 0, 0, 0, false },
		{ 4102444800LL, ARRIVED, ARRIVED, false }, /* 2100-01-01 */
		{ 4102444800LL, 0, 0, false },
		{ 631151999, ARRIVED, ARRIVED, false },	/* 1989-12-31 */
		{ 631152000, ARRIVED, 631152000, true },	/* 1990-01-01 */
		{ ARRIVED + 23 * 3600, ARRIVED, ARRIVED + 23 * 3600, true },
		{ ARRIVED + 25 * 3600, ARRIVED, ARRIVED, false },
		{ ARRIVED - 30 * 86400, ARRIVED, ARRIVED - 30 * 86400, true },
		{ ARRIVED, 0, ARRIVED, true },
		/* An arrival before 1990 is no arrival. */
		{ ARRIVED, 1, ARRIVED, true },
		{ 0, 1, 0, false },
	};
	struct mail_summary s;
	struct err err;
	char date[64], *msg;
	size_t i;
	int path;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		rfc_date((time_t)rows[i].date, date, sizeof date);
		print_message("# Date: %s, arrived %lld\n", date,
		    (long long)rows[i].arrived);
		for (path = 0; path < 2; path++) {
			if (path == 0) {
				/* A file: .eml, or mbox with its From_ date. */
				msg = xasprintf("From: Jan <jan@acme.nl>\r\n"
				    "To: anna@brightline.nl\r\nSubject: x\r\n"
				    "Date: %s\r\n\r\nbody\r\n", date);
				assert_int_equal(mail_parse(msg, strlen(msg),
				    &s, &err), 0);
				free(msg);
				if (rows[i].arrived != 0)
					mail_set_internaldate(&s,
					    rows[i].arrived);
			} else {
				/* IMAP: the header fields, then INTERNALDATE. */
				msg = xasprintf("Date: %s\r\n\r\n", date);
				memset(&s, 0, sizeof s);
				mail_apply_header(&s, msg, strlen(msg));
				free(msg);
				mail_set_internaldate(&s, rows[i].arrived);
			}
			assert_int_equal((long long)s.date, rows[i].want);
			assert_int_equal(s.date_valid, rows[i].valid);
			assert_int_equal((long long)s.internaldate,
			    rows[i].arrived >= 631152000 ?
			    (long long)rows[i].arrived : 0LL);
			mail_summary_free(&s);
		}
	}
}

/* A broken encoded word must not cost the subject. */
static void
test_mail_bad_encoded_word(void **state)
{
	static const char msg[] =
	    "From: a@acme.nl\r\n"
	    "Subject: =?utf-8?B?!!!?= Offerte =?utf-8?Q?unterminated caf=C3=A9\r\n"
	    "\r\nbody\r\n";
	struct mail_summary s;
	struct err err;

	(void)state;
	assert_int_equal(mail_parse(msg, sizeof msg - 1, &s, &err), 0);
	assert_non_null(strstr(s.subject, "Offerte"));
	assert_non_null(strstr(s.subject, "caf"));
	mail_summary_free(&s);
}

static const struct {
	const char	*text;
	const char	*want;
} hashtag_cases[] = {
	{ "#verbal", "#verbal" },
	{ "akkoord #VERBAL!", "#verbal" },
	{ "#lost\n#lost", "#lost" },
	{ "#decision 2027-01-15", "#decision 2027-01-15" },
	{ "x #competitor  Globex B.V. \r\nnext line",
	    "#competitor Globex B.V." },
	{ "#need", "" },
	{ "#verbally #lostcause #lost_x", "" },
	{ "page#verbal &#123; a#lost", "" },
	{ "> #verbal\n  > #lost", "" },
	{ "(#lost) and #verbal, #problem te warm",
	    "#lost | #verbal | #problem te warm" },
	{ "#hashtag #unknown", "" },
	/* Corrections (issue 12): the tags and their values. */
	{ "#won acme.nl\n#lost beta.nl prijs te hoog\n#snooze acme.nl 14",
	    "#won acme.nl | #lost beta.nl prijs te hoog | #snooze acme.nl 14" },
	{ "#value acme.nl 12500\n#Waarde acme.nl \xe2\x82\xac 12.500\n"
	    "#bedrag acme.nl 12.500,-",
	    "#value acme.nl 12500 | #waarde acme.nl \xe2\x82\xac 12.500 | "
	    "#bedrag acme.nl 12.500,-" },
	{ "#won", "#won" },
	{ "#snooze\n#value\n#wonder acme.nl", "" },
	/* Nothing below the line that opens a quoted reply or forward. */
	{ "#won acme.nl\n\nOn Mon, 30 Nov 2026 at 09:12, Anna de Vries "
	    "<anna@brightline.nl> wrote:\n#lost acme.nl price",
	    "#won acme.nl" },
	{ "Akkoord.\nOp ma 30 nov. 2026 om 09:12 schreef Anna de Vries\n"
	    "<anna@brightline.nl>:\n\n#lost acme.nl te duur", "" },
	{ "Op 30-11-2026 09:12 schreef Jan:\r\n#won acme.nl", "" },
	{ "#snooze acme.nl 7\n-----Original Message-----\n#won acme.nl",
	    "#snooze acme.nl 7" },
	{ "________________________________\nVan: Jan\n#won acme.nl", "" },
	{ "Am 30.11.2026 um 09:12 schrieb Jan M\xc3\xbcller:\n#won a.de", "" },
	{ "Le 30/11/2026 \xc3\xa0 09:12, Jean a \xc3\xa9" "crit\xc2\xa0:\n"
	    "#won a.fr", "" },
	/* A line that merely mentions writing is no quote header. */
	{ "Jan wrote the offer: #verbal acme.nl", "#verbal acme.nl" },
};

static void
test_mail_find_hashtags(void **state)
{
	struct strlist l = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof hashtag_cases / sizeof hashtag_cases[0]; i++) {
		mail_find_hashtags(&l, hashtag_cases[i].text,
		    strlen(hashtag_cases[i].text));
		assert_join_list(&l, " | ", hashtag_cases[i].want);
		strlist_clear(&l);
	}
}

/* A long value is cut on a UTF-8 character boundary. */
/*
 * A text keeps its first 100 hashtags: a megabyte of "#need x" lines
 * would give a hundred thousand, each compared with those before it.
 */
static void
test_mail_hashtag_cap(void **state)
{
	struct strlist l = { 0 };
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 2000; i++)
		buf_printf(&b, "#need n%zu\n", i);
	mail_find_hashtags(&l, b.data, b.len);
	assert_int_equal(l.n, 100);
	assert_string_equal(l.v[99], "#need n99");
	strlist_clear(&l);
	buf_free(&b);
}

static void
test_mail_hashtag_value_cut(void **state)
{
	struct strlist l = { 0 };
	char text[1024];
	size_t i, n;

	(void)state;
	n = (size_t)snprintf(text, sizeof text, "#need ");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "\xc3\xa9");
	mail_find_hashtags(&l, text, n);
	assert_int_equal(l.n, 1);
	assert_true(strlen(l.v[0]) <= strlen("#need ") + 200);
	assert_true(strlen(l.v[0]) > 100);
	assert_int_equal((strlen(l.v[0]) - strlen("#need ")) % 2, 0);
	strlist_clear(&l);
}

static const struct {
	const char	*hdr;
	unsigned	 bulk;
	const char	*in_reply_to;
	const char	*references;
} apply_cases[] = {
	{ "List-Id: <x.example.com>\r\n", MAIL_BULK_LIST, NULL, "" },
	{ "LIST-POST: <mailto:l@x>\r\n", MAIL_BULK_LIST, NULL, "" },
	{ "Precedence: junk\r\n", MAIL_BULK_PRECEDENCE, NULL, "" },
	{ "Precedence: first-class\r\n", 0, NULL, "" },
	{ "Auto-Submitted: no\r\n", 0, NULL, "" },
	{ "Auto-Submitted: No (manual)\r\n", 0, NULL, "" },
	{ "Auto-Submitted: auto-generated\r\n", MAIL_BULK_AUTOSUBMITTED, NULL,
	    "" },
	{ "X-Autorespond: true\r\n", MAIL_BULK_AUTOREPLY, NULL, "" },
	{ "X-Auto-Response-Suppress: OOF, AutoReply\r\n", 0, NULL, "" },
	{ "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\r\n",
	  MAIL_BULK_AUTOREPLY, NULL, "" },
	{ "Content-Type: multipart/report; report-type=delivery-status;\r\n"
	  "\tboundary=\"b\"\r\n", MAIL_BULK_DSN, NULL, "" },
	{ "Content-Type: multipart/mixed; boundary=b\r\n", 0, NULL, "" },
	{ "In-Reply-To: <a@b>\r\nReferences: <r1@x> <r2@y>\r\n", 0, "a@b",
	    "r1@x r2@y" },
	{ "In-Reply-To: Your message of Monday <a@b>\r\n", 0, "a@b", "" },
	{ "References: garbage <only@one> more\r\n", 0, NULL, "only@one" },
	{ "no colon here\r\nList-Id: <x>\r\n", 0, NULL, "" },
};

/* Asserts that two summaries agree on every header field. */
static void
assert_same_header(const struct mail_summary *a, const struct mail_summary *b)
{
	size_t i;

	test_assert_str(a->message_id != NULL ? xstrdup(a->message_id) : NULL,
	    b->message_id);
	test_assert_str(a->in_reply_to != NULL ? xstrdup(a->in_reply_to) :
	    NULL, b->in_reply_to);
	assert_int_equal(a->references.n, b->references.n);
	for (i = 0; i < a->references.n; i++)
		assert_string_equal(a->references.v[i], b->references.v[i]);
	assert_int_equal(a->from.n, b->from.n);
	for (i = 0; i < a->from.n; i++)
		assert_string_equal(a->from.v[i].addr, b->from.v[i].addr);
	assert_int_equal(a->to.n, b->to.n);
	for (i = 0; i < a->to.n; i++)
		assert_string_equal(a->to.v[i].addr, b->to.v[i].addr);
	assert_string_equal(a->subject, b->subject);
	assert_int_equal(a->bulk, b->bulk);
	assert_int_equal((long long)a->date, (long long)b->date);
	assert_int_equal(a->date_valid, b->date_valid);
}

/*
 * The thread fields (Message-ID, In-Reply-To, References), which the
 * IMAP path hides from libetpan's envelope parse and reads raw, come
 * out of both paths alike in every shape: any case, folded, with
 * comments and phrases, repeated, more of them than are hidden, a space
 * before the colon, broken, and a line without a colon that ends the
 * header for libetpan, with fields before and after it.
 */
static void
test_mail_thread_fields_both_paths(void **state)
{
	static const char *const rows[] = {
		"Message-ID: <a@b c>\r\nReferences: <r1@x> <r2@x>\r\n"
		"\t<r3@x>\r\nIn-Reply-To: phrase <p@x>\r\n",
		"message-id:<lower@x>\r\nIN-REPLY-TO:<up@x>\r\n"
		"rEfErEnCeS:<m@x>\r\n",
		"Message-ID : <space@x>\r\nIn-Reply-To :<s2@x>\r\n",
		"References: (a comment\r\n more) <c@x> junk <d@x>\r\n",
		"Message-ID: <first@x>\r\nMessage-ID: <second@x>\r\n",
		"Message-ID:\r\nIn-Reply-To: <>\r\nReferences: <<x>>\r\n",
		"Message-ID: not an id\r\nReferences: @@@\r\n",
		"References <nocolon@x>\r\nMessage-ID: <after@x>\r\n",
		"Xeferences: <x@x>\r\nMessage-IDs: <y@x>\r\n",
		"In-Reply-To: <p@x>\r\n\r\nMessage-ID: <body@x>\r\n",
	};
	struct mail_summary file, imap;
	struct buf hdr = { NULL, 0, 0 };
	struct err err;
	char *msg;
	size_t i, k;

	(void)state;
	for (i = 0; i <= sizeof rows / sizeof rows[0]; i++) {
		hdr.len = 0;
		buf_puts(&hdr, "From: Jan <jan@acme.nl>\r\n"
		    "Date: Mon, 5 Oct 2026 09:30:00 +0200\r\n");
		if (i < sizeof rows / sizeof rows[0])
			buf_puts(&hdr, rows[i]);
		else
			/* More than mail.c hides at once. */
			for (k = 0; k < 70; k++)
				buf_printf(&hdr, "References: <r%zu@x>\r\n", k);
		buf_puts(&hdr, "To: anna@brightline.nl\r\nSubject: s\r\n");
		msg = xasprintf("%.*s\r\nbody\r\n", (int)hdr.len, hdr.data);
		print_message("# row %zu\n", i);
		assert_int_equal(mail_parse(msg, strlen(msg), &file, &err), 0);
		memset(&imap, 0, sizeof imap);
		buf_puts(&hdr, "\r\n");
		mail_apply_header(&imap, hdr.data, hdr.len);
		assert_same_header(&file, &imap);
		mail_summary_free(&file);
		mail_summary_free(&imap);
		free(msg);
	}
	free(hdr.data);
}

static void
test_mail_apply_header(void **state)
{
	struct mail_summary s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof apply_cases / sizeof apply_cases[0]; i++) {
		memset(&s, 0, sizeof s);
		mail_apply_header(&s, apply_cases[i].hdr,
		    strlen(apply_cases[i].hdr));
		assert_int_equal(s.bulk, apply_cases[i].bulk);
		if (apply_cases[i].in_reply_to == NULL)
			assert_null(s.in_reply_to);
		else
			assert_string_equal(s.in_reply_to,
			    apply_cases[i].in_reply_to);
		assert_join_list(&s.references, " ", apply_cases[i].references);
		mail_summary_free(&s);
	}
}

/*
 * The fields the IMAP path fetches are read as a file's header is: the
 * display name without Outlook's single quotes, the Message-ID's first
 * word, no 31 February, RFC 5322's two-digit years, the subject's
 * hashtags; and a header block that is all wrong gives an empty summary.
 */
static void
test_mail_apply_header_fields(void **state)
{
	static const char hdr[] =
	    "From: 'Jan Jansen' <Jan@ACME.nl>\r\n"
	    "To: anna@brightline.nl, team: piet@brightline.nl;\r\n"
	    "Subject: =?utf-8?Q?Akkoord_=23verbal?=\r\n"
	    "Message-ID: a@b c\r\n"
	    "Date: Sat, 31 Feb 2026 10:00:00 +0100\r\n\r\n";
	static const char old[] = "Date: Fri, 1 Jan 99 10:00:00 +0000\r\n"
	    "Message-ID: <x@y>\r\n\r\nbody\r\n";
	struct mail_summary s, f;
	struct err err;

	(void)state;
	memset(&s, 0, sizeof s);
	mail_apply_header(&s, hdr, sizeof hdr - 1);
	mail_set_internaldate(&s, ARRIVED);
	assert_join_addrs(&s.from, "Jan Jansen <jan@acme.nl>");
	assert_join_addrs(&s.to, "<anna@brightline.nl>, <piet@brightline.nl>");
	assert_string_equal(s.subject, "Akkoord #verbal");
	assert_join_list(&s.hashtags, " | ", "#verbal");
	assert_string_equal(s.message_id, "a@b");
	assert_false(s.date_valid);
	assert_int_equal((long long)s.date, ARRIVED);
	/* The same header as a file's: the same summary. */
	assert_int_equal(mail_parse(hdr, sizeof hdr - 1, &f, &err), 0);
	mail_set_internaldate(&f, ARRIVED);
	assert_join_addrs(&f.from, "Jan Jansen <jan@acme.nl>");
	assert_string_equal(f.message_id, s.message_id);
	assert_int_equal(f.date_valid, s.date_valid);
	mail_summary_free(&f);
	mail_summary_free(&s);

	memset(&s, 0, sizeof s);
	mail_apply_header(&s, old, sizeof old - 1);
	assert_true(s.date_valid);
	assert_int_equal((long long)s.date, 915184800LL);	/* 1999 */
	assert_string_equal(s.message_id, "x@y");
	mail_summary_free(&s);

	memset(&s, 0, sizeof s);
	mail_apply_header(&s, "\x01\x02 not a header\r\n", 17);
	assert_int_equal(s.from.n, 0);
	assert_null(s.message_id);
	assert_string_equal(s.subject, "");
	mail_summary_free(&s);
	memset(&s, 0, sizeof s);
	mail_apply_header(&s, NULL, 0);
	assert_string_equal(s.subject, "");
	mail_summary_free(&s);
}

/* One bad address must not lose the good ones. */
static void
test_mail_bad_address_list(void **state)
{
	static const char *const msgs[] = {
	    "From: a@acme.nl\r\nTo: good@acme.nl, bad@@x, \"Broken <y, "
	    "Other <Other@Acme.nl>\r\n\r\n",
	    "From: a@acme.nl\r\nTo: good@acme.nl,, ;; @@, <>, (x, Team: "
	    "Other <Other@Acme.nl>;\r\n\r\n",
	    "From: a@acme.nl\r\nTo: <good@acme.nl> (\r\n"
	    "Cc: \"unterminated, other@acme.nl\r\n\r\n",
	};
	struct mail_summary s;
	struct err err;
	size_t i, k;
	bool good, other;

	(void)state;
	for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		assert_int_equal(mail_parse(msgs[i], strlen(msgs[i]), &s, &err),
		    0);
		good = other = false;
		for (k = 0; k < s.to.n; k++) {
			good |= strcmp(s.to.v[k].addr, "good@acme.nl") == 0;
			other |= strcmp(s.to.v[k].addr, "other@acme.nl") == 0;
			assert_non_null(strchr(s.to.v[k].addr, '@'));
			assert_null(strpbrk(s.to.v[k].addr, " <>\""));
		}
		assert_true(good);
		if (i < 2)
			assert_true(other);
		mail_summary_free(&s);
	}
}

static void
test_mail_rejects_non_messages(void **state)
{
	static const struct {
		const char	*buf;
		size_t		 len;
	} bad[] = {
		{ "", 0 },
		{ "\r\n\r\n", 4 },
		{ "\x00\x01\x02\xff\xfe garbage\n\x00\x00\n", 18 },
		{ "just some text without any header\n", 34 },
	};
	struct mail_summary s;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_int_equal(mail_parse(bad[i].buf, bad[i].len, &s, &err),
		    -1);
		assert_int_equal(err.cls, ERR_DATA);
		assert_null(s.subject);
	}
}

/* Random bytes: any answer is fine, but no crash, no hang, no leak. */
static void
test_mail_binary_garbage(void **state)
{
	struct mail_summary s;
	struct err err;
	unsigned x = 12345;
	size_t i, len;
	char *buf;
	int rc, round;

	(void)state;
	len = 256 * 1024;
	buf = malloc(len);
	assert_non_null(buf);
	for (round = 0; round < 8; round++) {
		for (i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			buf[i] = (char)(x >> 16);
			/* Rounds 4-7 are header-shaped noise. */
			if (round >= 4 && (x >> 8) % 37 == 0)
				buf[i] = "\n:=?-\r"[(x >> 20) % 6];
		}
		if (round >= 4)
			memcpy(buf,
			    "Subject: x\nContent-Type: multipart/mixed; boundary=-\n\n", 54);
		rc = mail_parse(buf, len, &s, &err);
		assert_true(rc == 0 || rc == -1);
		if (rc == 0) {
			assert_non_null(s.subject);
			mail_summary_free(&s);
		}
	}
	free(buf);
}

/* Asserts that every text field of a summary is valid UTF-8. */
static void
assert_summary_utf8(const struct mail_summary *s)
{
	const struct mail_addr_list *lists[] = { &s->from, &s->to, &s->cc };
	size_t i, k;

	assert_true(test_utf8_valid(s->subject));
	for (k = 0; k < sizeof lists / sizeof lists[0]; k++) {
		for (i = 0; i < lists[k]->n; i++) {
			assert_true(test_utf8_valid(lists[k]->v[i].addr));
			if (lists[k]->v[i].name != NULL)
				assert_true(test_utf8_valid(
				    lists[k]->v[i].name));
		}
	}
	for (i = 0; i < s->attachments.n; i++)
		assert_true(test_utf8_valid(s->attachments.v[i]));
	for (i = 0; i < s->hashtags.n; i++)
		assert_true(test_utf8_valid(s->hashtags.v[i]));
}

/*
 * Bytes that are not UTF-8 in every text field of a message (raw and in
 * encoded words: a stray byte, an overlong form, a surrogate, a code
 * point above U+10FFFF) come out replaced, so that nothing invalid
 * reaches the store or JSON output; the valid text around them stays.
 */
static void
test_mail_invalid_utf8(void **state)
{
	static const char msg[] =
	    "From: =?utf-8?Q?Jan_=ED=A0=80_=C0=AF?= <jan@acme.nl>\r\n"
	    "To: \"Bad \xff name\" <anna@brightline.nl>, b\xe9\xff@acme.nl\r\n"
	    "Cc: =?utf-8?B?w6n/?= <c@acme.nl>\r\n"
	    "Subject: =?utf-8?Q?Offerte_=F4=90=80=80_=FF?= #need caf\xff\r\n"
	    "Date: Tue, 10 Mar 2026 10:00:00 +0100\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    "#problem te \xed\xa0\x80 warm\r\n#competitor Glob\xc0\xafx\r\n"
	    "--b\r\nContent-Type: application/pdf; "
	    "name=\"=?utf-8?Q?offerte=FF.pdf?=\"\r\n"
	    "Content-Disposition: attachment; "
	    "filename*=utf-8''offerte%FF%C0%AF.pdf\r\n\r\nJVBERi0=\r\n"
	    "--b\r\nContent-Type: application/pdf; name=\"prijs\xff.pdf\"\r\n"
	    "Content-Disposition: attachment\r\n\r\nJVBERi0=\r\n--b--\r\n";
	struct mail_summary s;
	struct err err;

	(void)state;
	assert_int_equal(mail_parse(msg, sizeof msg - 1, &s, &err), 0);
	assert_summary_utf8(&s);
	assert_int_equal(s.to.n, 2);
	assert_int_equal(s.attachments.n, 2);
	assert_true(s.hashtags.n >= 3);
	assert_non_null(strstr(s.subject, "Offerte"));
	assert_string_equal(s.from.v[0].addr, "jan@acme.nl");
	mail_summary_free(&s);
}

/*
 * The helpers the IMAP path builds its summary with (display names,
 * addresses, hashtags of a decoded text) give valid UTF-8 as well.
 */
static void
test_mail_invalid_utf8_helpers(void **state)
{
	struct mail_addr_list l = { 0 };
	struct strlist tags = { 0 };
	static const char text[] = "#need koffie \xff\xfe\r\n#lost \xc3";
	char *dec;

	(void)state;
	mail_addr_list_add(&l, "Jan \xed\xa0\x80", "J\xe9\xff@Acme.nl");
	assert_int_equal(l.n, 1);
	assert_true(test_utf8_valid(l.v[0].name));
	assert_true(test_utf8_valid(l.v[0].addr));
	mail_addr_list_clear(&l);
	mail_find_hashtags(&tags, text, sizeof text - 1);
	assert_int_equal(tags.n, 2);
	assert_true(test_utf8_valid(tags.v[0]));
	assert_true(test_utf8_valid(tags.v[1]));
	strlist_clear(&tags);
	dec = mime_decode_header("=?utf-8?B?7aCA?= =?utf-8?Q?=F8=88=80=80=80?=");
	assert_true(test_utf8_valid(dec));
	free(dec);
}

static void
test_mail_nul_bytes(void **state)
{
	static const char msg[] = "From: a@acme.nl\r\nSubject: Off\0erte\r\n"
	    "Content-Type: text/plain\r\n\r\n#verbal\0 text\r\n";
	struct mail_summary s;
	struct err err;

	(void)state;
	assert_int_equal(mail_parse(msg, sizeof msg - 1, &s, &err), 0);
	assert_string_equal(s.subject, "Off erte");
	assert_join_list(&s.hashtags, " | ", "#verbal text");
	mail_summary_free(&s);
}

static void
test_mail_headers_only(void **state)
{
	static const char *const msgs[] = {
		"From: a@acme.nl\r\nSubject: only headers",
		"From: a@acme.nl\nSubject: only headers\n",
		"From: a@acme.nl\r\nSubject: only headers\r\n\r\n",
	};
	struct mail_summary s;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		assert_int_equal(mail_parse(msgs[i], strlen(msgs[i]), &s, &err),
		    0);
		assert_string_equal(s.subject, "only headers");
		assert_join_addrs(&s.from, "<a@acme.nl>");
		mail_summary_free(&s);
	}
}

/* Every prefix of a real message parses or is refused; none crashes. */
static void
test_mail_truncated(void **state)
{
	struct mail_summary s;
	struct err err;
	size_t len, cut, hdr;
	char *raw;

	(void)state;
	raw = test_read_data("mail/outlook-offer.eml", &len);
	hdr = (size_t)(strstr(raw, "\r\n\r\n") - raw) + 4;
	for (cut = 0; cut <= len; cut++) {
		if (mail_parse(raw, cut, &s, &err) != 0) {
			assert_true(cut < hdr);
			continue;
		}
		if (cut >= hdr)
			assert_string_equal(s.message_id, OUTLOOK_ID);
		mail_summary_free(&s);
	}
	free(raw);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A 50 MB header line and a 20 MB folded To: cut, and done in time. */
static void
test_mail_huge_header_line(void **state)
{
	const size_t big = 50 * 1024 * 1024, cap = big + 24 * 1024 * 1024;
	struct mail_summary s;
	struct err err;
	size_t n = 0, i;
	double t;
	char *buf;

	(void)state;
	buf = malloc(cap);
	assert_non_null(buf);
	n += (size_t)snprintf(buf + n, cap - n, "From: a@acme.nl\r\nSubject: ");
	memset(buf + n, 'x', big);
	n += big;
	n += (size_t)snprintf(buf + n, cap - n, "\r\nTo: first@acme.nl");
	for (i = 0; i < 1000000; i++)
		n += (size_t)snprintf(buf + n, cap - n, ",\r\n b%zu@acme.nl", i);
	n += (size_t)snprintf(buf + n, cap - n,
	    "\r\nMessage-ID: <after@acme.nl>\r\n\r\nbody\r\n");
	assert_true(n < cap);
	t = now();
	assert_int_equal(mail_parse(buf, n, &s, &err), 0);
	t = now() - t;
	/* Speed is a benchmark's business; this only shows the figure. */
	print_message("# 74 MB header parsed in %.2f s\n", t);
	assert_true(strlen(s.subject) <= 64 * 1024);
	assert_true(strlen(s.subject) > 60000);
	assert_string_equal(s.to.v[0].addr, "first@acme.nl");
	assert_true(s.to.n < 10000);
	assert_string_equal(s.message_id, "after@acme.nl");
	mail_summary_free(&s);
	free(buf);
}

/*
 * Builds depth nested multiparts with a text part and a named file
 * inside, each Content-Type field written as field (its name and what
 * comes before the type: every form libetpan reads).
 */
static char *
nested_as(int depth, const char *field, size_t *len)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "From: a@acme.nl\r\nSubject: nest\r\n");
	for (i = 0; i < depth; i++)
		buf_printf(&b,
		    "%smultipart/mixed; boundary=\"b%d\"\r\n"
		    "\r\n--b%d\r\n", field, i, i);
	buf_puts(&b, "Content-Type: text/plain\r\n\r\n#verbal\r\n");
	buf_printf(&b,
	    "--b%d\r\nContent-Type: application/pdf; name=deep.pdf\r\n"
	    "\r\nx\r\n", depth - 1);
	for (i = depth - 1; i >= 0; i--)
		buf_printf(&b, "--b%d--\r\n", i);
	*len = b.len;
	return b.data;
}

static char *
nested(int depth, size_t *len)
{
	return nested_as(depth, "Content-Type: ", len);
}

static void
test_mail_deep_nesting(void **state)
{
	static const struct {
		int	depth;
		bool	found;
	} cases[] = { { 1, true }, { 20, true }, { 1000, false }, { 100000,
	    false } };
	struct mail_summary s;
	struct err err;
	size_t i, len;
	double t;
	char *buf;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf = nested(cases[i].depth, &len);
		t = now();
		assert_int_equal(mail_parse(buf, len, &s, &err), 0);
		t = now() - t;
		print_message("# depth %d: %.3f s\n", cases[i].depth, t);
		assert_string_equal(s.subject, "nest");
		assert_int_equal(strlist_contains(&s.attachments, "deep.pdf"),
		    cases[i].found);
		assert_int_equal(strlist_contains(&s.hashtags, "#verbal"),
		    cases[i].found);
		mail_summary_free(&s);
		free(buf);
	}
}

/*
 * The nesting is cut whatever the form of the field: folded before the
 * type, blanks before the colon, another case, a comment before the type
 * (folded, 60,000 levels ran libetpan out of stack after eight minutes).
 */
static void
test_mail_deep_nesting_forms(void **state)
{
	static const char *const fields[] = { "Content-Type:\r\n ",
	    "Content-Type :\t", "CONTENT-TYPE:\r\n\t\r\n  ", "content-type:",
	    "Content-Type:(c)", "Content-Type: (a (nested) comment)\r\n " };
	struct mail_summary s;
	struct err err;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		/* Found within the bound, in every form. */
		buf = nested_as(20, fields[i], &len);
		assert_int_equal(mail_parse(buf, len, &s, &err), 0);
		assert_true(strlist_contains(&s.hashtags, "#verbal"));
		mail_summary_free(&s);
		free(buf);
		/* Cut beyond it: the parts inside are not read. */
		buf = nested_as(100, fields[i], &len);
		assert_int_equal(mail_parse(buf, len, &s, &err), 0);
		assert_string_equal(s.subject, "nest");
		assert_false(strlist_contains(&s.hashtags, "#verbal"));
		mail_summary_free(&s);
		free(buf);
	}
}

/* Messages seen by the mbox callback. */
struct seen {
	int		 n;
	int		 parsed;
	long		 msgno[8];
	time_t		 date[8];
	off_t		 offset[8];
	char		*first;		/* copy of the first message */
	int		 stop_at;
};

static int
collect(const char *msg, size_t len, long msgno, off_t offset, time_t date,
    void *arg)
{
	struct seen *sn = arg;
	struct mail_summary s;
	struct err err;

	if (sn->n < 8) {
		sn->msgno[sn->n] = msgno;
		sn->date[sn->n] = date;
		sn->offset[sn->n] = offset;
	}
	if (sn->n == 0) {
		sn->first = malloc(len + 1);
		assert_non_null(sn->first);
		memcpy(sn->first, msg, len);
		sn->first[len] = '\0';
	}
	sn->n++;
	if (len < 1024 * 1024 && mail_parse(msg, len, &s, &err) == 0) {
		sn->parsed++;
		mail_summary_free(&s);
	}
	return sn->n == sn->stop_at ? 7 : 0;
}

static void
test_mbox_several(void **state)
{
	struct seen sn = { 0 };
	struct err err;

	(void)state;
	assert_int_equal(mbox_read(test_data_path("mail/several.mbox"), collect,
	    &sn, &err), 0);
	assert_int_equal(sn.n, 4);
	assert_int_equal(sn.parsed, 3);		/* message 2 is garbage */
	assert_int_equal(sn.msgno[3], 4);
	assert_int_equal((long long)sn.offset[0], 0);
	assert_int_equal((long long)sn.date[0], 1772532942LL);
	assert_int_equal((long long)sn.date[1], 1772611200LL);
	assert_int_equal((long long)sn.date[2], 1772787600LL);
	assert_int_equal((long long)sn.date[3], 1772883000LL);	/* +0100 */
	assert_non_null(strstr(sn.first, "\nFrom the desk of Anna"));
	assert_non_null(strstr(sn.first, "\n>From earlier mail"));
	assert_null(strstr(sn.first, "From anna.devries"));
	/* The separating empty line is not part of the message. */
	assert_string_equal(sn.first + strlen(sn.first) - 8, "quoted.\n");
	free(sn.first);
}

static void
test_mbox_crlf(void **state)
{
	const char *tail;
	struct seen sn = { 0 };
	struct err err;

	(void)state;
	assert_int_equal(mbox_read(test_data_path("mail/crlf.mbox"), collect,
	    &sn, &err), 0);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.parsed, 2);
	assert_int_equal((long long)sn.date[0], 1773074703LL);
	assert_int_equal((long long)sn.date[1], 1773133200LL);
	tail = "\r\n\r\nFrom now on we work together.\r\n";
	assert_true(strlen(sn.first) > strlen(tail));
	assert_string_equal(sn.first + strlen(sn.first) - strlen(tail), tail);
	free(sn.first);
}

static void
test_mbox_stop_and_errors(void **state)
{
	struct seen sn = { .stop_at = 2 };
	struct err err;
	bool is;

	(void)state;
	assert_int_equal(mbox_read(test_data_path("mail/several.mbox"), collect,
	    &sn, &err), 7);
	assert_int_equal(sn.n, 2);
	free(sn.first);
	assert_int_equal(mbox_read(test_data_path("mail/no-such.mbox"), collect,
	    &sn, &err), -1);
	assert_int_equal(err.cls, ERR_DATA);
	assert_int_equal(mbox_probe(test_data_path("mail/several.mbox"), &is,
	    &err), 0);
	assert_true(is);
	assert_int_equal(mbox_probe(test_data_path("mail/gmail.eml"), &is,
	    &err), 0);
	assert_false(is);
	assert_int_equal(mbox_probe(test_data_path("mail/no-such.mbox"), &is,
	    &err), -1);
}

static const struct {
	const char	*line;
	long long	 want;
} from_cases[] = {
	{ "From a@b Tue Mar  3 10:15:42 2026", 1772532942 },
	{ "From a@b  Tue Mar 3 10:15:42 2026\r\n", 1772532942 },
	{ "From a@b Tue Mar  3 10:15:42 +0100 2026", 1772529342 },
	{ "From a@b Tue Mar  3 10:15 2026", 1772532900 },
	{ "From a@b Mar 3 10:15:42 2026", 1772532942 },
	{ "From a@b", 0 },
	{ "From a@b Tue Foo  3 10:15:42 2026", 0 },
	{ "From a@b Tue Mar 99 10:15:42 2026", 0 },
	{ "From a@b Tue Mar  3 1015 2026", 0 },
	/* No such day, as the Date header (mime_time). */
	{ "From a@b Tue Feb 31 10:15:42 2026", 0 },
	{ "From a@b Tue Mar  3 10:15:42 -0130 2026", 1772538342 },
	{ "From a@b Tue Mar  3 10:15:42 +2400 2026", 0 },
};

static void
test_mbox_from_date(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof from_cases / sizeof from_cases[0]; i++)
		assert_int_equal((long long)mbox_from_date(from_cases[i].line,
		    strlen(from_cases[i].line)), from_cases[i].want);
}

/* A message over 64 MiB (one long line) is skipped; the next one is read. */
static void
test_mbox_oversized(void **state)
{
	static const char small[] = "From: a@acme.nl\nSubject: s\n\nx\n";
	struct seen sn = { 0 };
	struct err err;
	char path[512], *chunk;
	size_t i;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/big.mbox", test_tmpdir());
	f = fopen(path, "w");
	assert_non_null(f);
	chunk = malloc(1024 * 1024);
	assert_non_null(chunk);
	memset(chunk, 'y', 1024 * 1024);
	fprintf(f, "From x Tue Mar  3 10:15:42 2026\n%s\n", small);
	fprintf(f, "From x Tue Mar  3 10:15:43 2026\nSubject: big\n\n");
	for (i = 0; i < 65; i++)
		fwrite(chunk, 1, 1024 * 1024, f);
	fprintf(f, "\n\nFrom x Tue Mar  3 10:15:44 2026\n%s", small);
	fclose(f);
	free(chunk);
	assert_int_equal(mbox_read(path, collect, &sn, &err), 0);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.msgno[0], 1);
	assert_int_equal(sn.msgno[1], 3);
	assert_int_equal((long long)sn.date[1], 1772532944LL);
	free(sn.first);
	test_tmpdir_cleanup();
}

/*
 * An mbox that starts with a UTF-8 byte-order mark (saved by an editor)
 * is an mbox all the same, its first message from its From_ line on.
 */
static void
test_mbox_bom(void **state)
{
	static const char text[] = "\xef\xbb\xbf" "From x Tue Mar  3 10:15:42 2026\n"
	    "From: a@acme.nl\nSubject: s\n\nx\n"
	    "From x Tue Mar  3 10:15:43 2026\nFrom: b@acme.nl\n\ny\n";
	struct seen sn = { 0 };
	struct err err;
	char path[512];
	bool is;
	FILE *f;

	(void)state;
	assert_true(mbox_is_mbox(text, sizeof text - 1));
	assert_false(mbox_is_mbox("\xef\xbb\xbf" "Fro", 6));
	assert_false(mbox_is_mbox("\xef\xbb\xbf" "From: a@acme.nl\n", 19));
	snprintf(path, sizeof path, "%s/bom.mbox", test_tmpdir());
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(text, 1, sizeof text - 1, f);
	fclose(f);
	assert_int_equal(mbox_probe(path, &is, &err), 0);
	assert_true(is);
	assert_int_equal(mbox_read(path, collect, &sn, &err), 0);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.msgno[0], 1);
	assert_int_equal((long long)sn.offset[0], 3);
	assert_non_null(sn.first);
	assert_int_equal(strncmp(sn.first, "From: a@acme.nl", 15), 0);
	free(sn.first);
	test_tmpdir_cleanup();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail_fixture_summaries),
		cmocka_unit_test(test_mail_internaldate_fallback),
		cmocka_unit_test(test_mail_implausible_dates),
		cmocka_unit_test(test_mail_bad_encoded_word),
		cmocka_unit_test(test_mail_find_hashtags),
		cmocka_unit_test(test_mail_hashtag_value_cut),
		cmocka_unit_test(test_mail_hashtag_cap),
		cmocka_unit_test(test_mail_apply_header),
		cmocka_unit_test(test_mail_apply_header_fields),
		cmocka_unit_test(test_mail_thread_fields_both_paths),
		cmocka_unit_test(test_mail_bad_address_list),
		cmocka_unit_test(test_mail_rejects_non_messages),
		cmocka_unit_test(test_mail_binary_garbage),
		cmocka_unit_test(test_mail_invalid_utf8),
		cmocka_unit_test(test_mail_invalid_utf8_helpers),
		cmocka_unit_test(test_mail_nul_bytes),
		cmocka_unit_test(test_mail_headers_only),
		cmocka_unit_test(test_mail_truncated),
		cmocka_unit_test(test_mail_huge_header_line),
		cmocka_unit_test(test_mail_deep_nesting),
		cmocka_unit_test(test_mail_deep_nesting_forms),
		cmocka_unit_test(test_mbox_several),
		cmocka_unit_test(test_mbox_crlf),
		cmocka_unit_test(test_mbox_stop_and_errors),
		cmocka_unit_test(test_mbox_from_date),
		cmocka_unit_test(test_mbox_oversized),
		cmocka_unit_test(test_mbox_bom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
