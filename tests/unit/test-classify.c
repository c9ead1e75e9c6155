/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for classify.c, driven by tables: mail summaries and event
 * summaries built in C (no parsing involved) with the signals each must
 * give, written as "KIND ACCOUNT RULE[=VALUE]" joined by "; ".  The
 * configuration is config_defaults() plus our domain, two salespeople
 * and an ignored supplier.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "event.h"
#include "helpers.h"
#include "rules.h"
#include "util.h"

#define T0	1790000000	/* 2026-09-21T14:13:20Z */

static struct config cfg;

static int
setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	free(cfg.timezone);
	cfg.timezone = xstrdup("Europe/Amsterdam");
	assert_int_equal(util_tz_preload(cfg.timezone), 0);
	strlist_add(&cfg.internal_domains, "brightline.nl");
	strlist_add(&cfg.ignore_domains, "leverancier.nl");
	test_add_person(&cfg, "anna", "anna@brightline.nl");
	test_add_person(&cfg, "bram", "bram@brightline.nl");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

/* Splits s at sep into list (copies); NULL adds nothing. */
static void
split(struct strlist *list, const char *s, char sep)
{
	const char *p, *e;

	for (p = s; p != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, sep);
		if (e == NULL)
			e = p + strlen(p);
		strlist_take(list, xstrndup(p, (size_t)(e - p)));
	}
}

/*
 * Address lists are filled here rather than with mail.c's helpers, so that
 * these tests depend on classification alone.
 */
static void
addr_add(struct mail_addr_list *list, const char *addr)
{
	list->v = xreallocarray(list->v, list->n + 1, sizeof *list->v);
	list->v[list->n].name = NULL;
	list->v[list->n].addr = util_lower(xstrdup(addr));
	list->n++;
	list->cap = list->n;
}

static void
addr_clear(struct mail_addr_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i].addr);
	free(list->v);
	memset(list, 0, sizeof *list);
}

static void
split_addrs(struct mail_addr_list *list, const char *s)
{
	struct strlist v = { 0 };
	size_t i;

	split(&v, s, ',');
	for (i = 0; i < v.n; i++)
		addr_add(list, v.v[i]);
	strlist_clear(&v);
}

/* The signals from index first on, as "KIND ACCOUNT RULE[=VALUE]; ...". */
static void
format_signals(const struct signal_list *l, size_t first, char *out, size_t len)
{
	const struct signal *s;
	size_t i, used;

	out[0] = '\0';
	for (i = first; i < l->n; i++) {
		s = &l->v[i];
		used = strlen(out);
		snprintf(out + used, len - used, "%s%s %s %s%s%s",
		    i > first ? "; " : "", signal_kind_name(s->kind),
		    s->account != NULL ? s->account : "-",
		    s->rule != NULL ? s->rule : "?",
		    s->value != NULL ? "=" : "",
		    s->value != NULL ? s->value : "");
	}
}

struct mail_case {
	const char	*name;
	const char	*from;
	const char	*to;
	const char	*cc;
	const char	*subject;
	const char	*attachments;	/* comma-separated */
	const char	*hashtags;	/* '|'-separated */
	unsigned	 bulk;
	bool		 sent;
	const char	*mailbox;	/* salesperson whose mailbox it is */
	const char	*expect;	/* "" for no signal */
	enum direction	 dir;
	const char	*actor;
};

static const struct mail_case mail_cases[] = {
	/* offer_sent by subject, Dutch and English, whole words only. */
	{ "offer subject nl", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Offerte 2026-113 nieuwe website", NULL, NULL, 0, true, "anna",
	    "offer_sent acme.nl offer_subject:offerte", DIR_OUTBOUND, "anna" },
	{ "offer subject en", "anna@brightline.nl",
	    "j.smith@eu.northwind.co.uk", NULL, "Our quotation for the site",
	    NULL, NULL, 0, true, "anna",
	    "offer_sent northwind.co.uk offer_subject:quotation", DIR_OUTBOUND,
	    "anna" },
	{ "offer subject plural", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Two quotes as promised", NULL, NULL, 0, false, "anna",
	    "offer_sent acme.nl offer_subject:quotes", DIR_OUTBOUND, "anna" },
	{ "quoted is no quote", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "The figures you quoted", NULL, NULL, 0, true, "anna",
	    "contact acme.nl contact", DIR_OUTBOUND, "anna" },
	{ "offerteaanvraag outbound is no offer", "anna@brightline.nl",
	    "jan@acme.nl", NULL, "Offerteaanvraag drukwerk", NULL, NULL, 0,
	    true, "anna", "contact acme.nl contact", DIR_OUTBOUND, "anna" },
	/* offer_sent by attachment name. */
	{ "offer attachment", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Zoals besproken", "logo.png,ACME_offerte_2026.pdf", NULL, 0, true,
	    "anna", "offer_sent acme.nl offer_attachment:*_offerte*",
	    DIR_OUTBOUND, "anna" },
	{ "other attachment", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Zoals besproken", "notulen.docx", NULL, 0, true, "anna",
	    "contact acme.nl contact", DIR_OUTBOUND, "anna" },
	/* Replies: an offer only with an offer attachment. */
	{ "reply without attachment", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Re: Offerte 2026-113", NULL, NULL, 0, true, "anna",
	    "contact acme.nl contact", DIR_OUTBOUND, "anna" },
	{ "reply with attachment", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "RE: Offerte 2026-113", "Offerte 2026-113 v2.pdf", NULL, 0, true,
	    "anna", "offer_sent acme.nl offer_attachment:offerte*",
	    DIR_OUTBOUND, "anna" },
	{ "antw reply without attachment", "anna@brightline.nl", "jan@acme.nl",
	    NULL, "Antw: voorstel samenwerking", NULL, NULL, 0, true, "anna",
	    "contact acme.nl contact", DIR_OUTBOUND, "anna" },
	/* Forwards to an external party are judged as new messages. */
	{ "forward to external", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Fwd: Offerte 2026-113", NULL, NULL, 0, true, "anna",
	    "offer_sent acme.nl offer_subject:offerte", DIR_OUTBOUND, "anna" },
	{ "doorst to external", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Doorst: Voorstel samenwerking", NULL, NULL, 0, true, "anna",
	    "offer_sent acme.nl offer_subject:voorstel", DIR_OUTBOUND, "anna" },
	{ "reply to offerteaanvraag with offer", "anna@brightline.nl",
	    "jan@acme.nl", NULL, "Re: Offerteaanvraag nieuwe website",
	    "Offerte 2026-120.pdf", NULL, 0, true, "anna",
	    "offer_sent acme.nl offer_attachment:offerte*", DIR_OUTBOUND,
	    "anna" },
	/* order_confirmed inbound. */
	{ "order subject inbound", "inkoop@acme.nl", "anna@brightline.nl", NULL,
	    "Opdrachtbevestiging project Utrecht", NULL, NULL, 0, false, "anna",
	    "order_confirmed acme.nl order_subject:opdrachtbevestiging",
	    DIR_INBOUND, "anna" },
	{ "order subject inbound en", "buyer@northwind.co.uk",
	    "anna@brightline.nl", NULL, "Purchase order 4711", NULL, NULL, 0,
	    false, "anna",
	    "order_confirmed northwind.co.uk order_subject:purchase order",
	    DIR_INBOUND, "anna" },
	{ "signed quote as reply attachment", "jan@acme.nl",
	    "anna@brightline.nl", NULL, "Re: Offerte 2026-113",
	    "Offerte 2026-113 getekend.pdf", NULL, 0, false, "anna",
	    "order_confirmed acme.nl order_attachment:*getekend*", DIR_INBOUND,
	    "anna" },
	{ "reply to order without attachment", "jan@acme.nl",
	    "anna@brightline.nl", NULL, "Re: Orderbevestiging", NULL, NULL, 0,
	    false, "anna", "contact acme.nl contact", DIR_INBOUND, "anna" },
	{ "inbound offer is no offer_sent", "jan@acme.nl", "anna@brightline.nl",
	    NULL, "Offerteaanvraag nieuwe website", "offerteaanvraag.pdf", NULL,
	    0, false, "anna", "contact acme.nl contact", DIR_INBOUND, "anna" },
	/* Our own order confirmation after a verbal order. */
	{ "order outbound", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Orderbevestiging website", NULL, NULL, 0, true, "anna",
	    "order_confirmed acme.nl order_subject:orderbevestiging",
	    DIR_OUTBOUND, "anna" },
	/* Bulk and automatic mail gives nothing. */
	{ "list", "news@acme.nl", "anna@brightline.nl", NULL, "Offerte", NULL,
	    NULL, MAIL_BULK_LIST, false, "anna", "", DIR_NONE, NULL },
	{ "precedence", "news@acme.nl", "anna@brightline.nl", NULL, "Nieuws",
	    NULL, NULL, MAIL_BULK_PRECEDENCE, false, "anna", "", DIR_NONE,
	    NULL },
	{ "dsn", "jan@acme.nl", "anna@brightline.nl", NULL, "Offerte", NULL,
	    NULL, MAIL_BULK_DSN, false, "anna", "", DIR_NONE, NULL },
	{ "autoreply header", "jan@acme.nl", "anna@brightline.nl", NULL,
	    "Re: Offerte", NULL, NULL, MAIL_BULK_AUTOREPLY, false, "anna", "",
	    DIR_NONE, NULL },
	{ "autoreply subject nl", "jan@acme.nl", "anna@brightline.nl", NULL,
	    "Automatisch antwoord: Offerte 2026-113", NULL, NULL, 0, false,
	    "anna", "", DIR_NONE, NULL },
	{ "autoreply subject en", "jan@acme.nl", "anna@brightline.nl", NULL,
	    "Out of Office: Re: quote", NULL, NULL, 0, false, "anna", "",
	    DIR_NONE, NULL },
	{ "afwezig", "jan@acme.nl", "anna@brightline.nl", NULL,
	    "Afwezig tot 3 november", NULL, NULL, 0, false, "anna", "",
	    DIR_NONE, NULL },
	/* A purchasing system's order: the projection decides (phases.c). */
	{ "noreply order", "no-reply@acme.nl", "anna@brightline.nl", NULL,
	    "Orderbevestiging 123", NULL, NULL, 0, false, "anna",
	    "order_confirmed acme.nl order_subject:orderbevestiging=noreply",
	    DIR_INBOUND, "anna" },
	{ "noreply other mail", "no-reply@acme.nl", "anna@brightline.nl", NULL,
	    "Uw wachtwoord is gewijzigd", NULL, NULL, 0, false, "anna", "",
	    DIR_NONE, NULL },
	{ "noreply order as mass mail", "noreply@acme.nl", "anna@brightline.nl",
	    NULL, "Uw inkooporder via het portaal", NULL, NULL, MAIL_BULK_LIST,
	    false, "anna", "", DIR_NONE, NULL },
	{ "mailer-daemon", "MAILER-DAEMON@acme.nl", "anna@brightline.nl", NULL,
	    "Returned mail", NULL, NULL, 0, false, "anna", "", DIR_NONE, NULL },
	/* No external party: internal mail gives nothing. */
	{ "internal only", "anna@brightline.nl", "bram@brightline.nl",
	    "info@brightline.nl", "Offerte acme", NULL, NULL, 0, true, "anna",
	    "", DIR_NONE, NULL },
	{ "ignored supplier", "anna@brightline.nl", "inkoop@leverancier.nl",
	    NULL, "Offerte drukwerk", NULL, NULL, 0, true, "anna", "", DIR_NONE,
	    NULL },
	{ "ignored sender", "facturen@leverancier.nl", "anna@brightline.nl",
	    NULL, "Orderbevestiging", NULL, NULL, 0, false, "anna", "",
	    DIR_NONE, NULL },
	/* Several external accounts, each its own signal; free-mail keys. */
	{ "multiple accounts", "anna@brightline.nl",
	    "jan@acme.nl,piet@sales.acme.nl", "x@globex.com,klant@gmail.com",
	    "Offerte", NULL, NULL, 0, true, "anna",
	    "offer_sent acme.nl offer_subject:offerte; "
	    "offer_sent globex.com offer_subject:offerte; "
	    "offer_sent klant@gmail.com offer_subject:offerte", DIR_OUTBOUND,
	    "anna" },
	{ "freemail customer inbound", "Klant@Gmail.com", "anna@brightline.nl",
	    NULL, "Vraagje", NULL, NULL, 0, false, "anna",
	    "contact klant@gmail.com contact", DIR_INBOUND, "anna" },
	/* Inbound: only the sender's account; actor from the recipients. */
	{ "inbound cc other external", "jan@acme.nl", "bram@brightline.nl",
	    "x@globex.com", "Vraag", NULL, NULL, 0, false, "anna",
	    "contact acme.nl contact", DIR_INBOUND, "bram" },
	{ "inbound via alias", "jan@acme.nl", "info@brightline.nl", NULL,
	    "Vraag", NULL, NULL, 0, false, "anna", "contact acme.nl contact",
	    DIR_INBOUND, "anna" },
	{ "inbound bcc", "jan@acme.nl", "someone@acme.nl", NULL, "Vraag", NULL,
	    NULL, 0, false, "anna", "contact acme.nl contact", DIR_INBOUND,
	    "anna" },
	/* Outbound seen in a colleague's inbox: the sender is the actor. */
	{ "outbound in colleague inbox", "bram@brightline.nl", "jan@acme.nl",
	    "anna@brightline.nl", "Offerte", NULL, NULL, 0, false, "anna",
	    "offer_sent acme.nl offer_subject:offerte", DIR_OUTBOUND, "bram" },
	{ "sent folder without from", NULL, "jan@acme.nl", NULL, "Offerte",
	    NULL, NULL, 0, true, "anna",
	    "offer_sent acme.nl offer_subject:offerte", DIR_OUTBOUND, "anna" },
	{ "no from outside sent", NULL, "anna@brightline.nl", NULL, "Offerte",
	    NULL, NULL, 0, false, "anna", "", DIR_NONE, NULL },
	/* Hashtags in mail the salesperson sends. */
	{ "verbal hashtag to customer", "anna@brightline.nl", "jan@acme.nl",
	    NULL, "Bedankt voor het gesprek", NULL, "#verbal", 0, true, "anna",
	    "contact acme.nl contact; verbal_order acme.nl hashtag:#verbal",
	    DIR_OUTBOUND, "anna" },
	{ "lost hashtag to self", "anna@brightline.nl", "anna@brightline.nl",
	    NULL, "notitie", NULL, "#lost acme.nl te duur", 0, true, "anna",
	    "lost acme.nl hashtag:#lost=te duur", DIR_OUTBOUND, "anna" },
	{ "qualification to self", "anna@brightline.nl", "anna@brightline.nl",
	    NULL, "notitie", NULL,
	    "#decision acme.nl 2027-01-15|#competitor jan@gmail.com Exact|"
	    "#need 2027-01-15|#Problem acme.nl|#unknown acme.nl", 0, true,
	    "anna",
	    "decision acme.nl hashtag:#decision=2027-01-15; "
	    "competitor jan@gmail.com hashtag:#competitor=Exact; "
	    "problem acme.nl hashtag:#problem", DIR_OUTBOUND, "anna" },
	{ "hashtag names internal domain", "anna@brightline.nl",
	    "anna@brightline.nl", NULL, "notitie", NULL, "#lost brightline.nl",
	    0, true, "anna", "", DIR_NONE, NULL },
	{ "hashtag in inbound mail", "jan@acme.nl", "anna@brightline.nl", NULL,
	    "Helaas", NULL, "#lost", 0, false, "anna",
	    "contact acme.nl contact", DIR_INBOUND, "anna" },
	{ "repeated hashtag once", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Afspraak", NULL, "#need hosting|#need support", 0, true, "anna",
	    "contact acme.nl contact; need acme.nl hashtag:#need=hosting",
	    DIR_OUTBOUND, "anna" },
	/* Corrections by mail (issue 12 item 10). */
	{ "won to self", "anna@brightline.nl", "anna@brightline.nl", NULL,
	    "Re: Je week 48", NULL, "#won acme.nl", 0, true, "anna",
	    "won acme.nl hashtag:#won", DIR_OUTBOUND, "anna" },
	{ "won without account", "anna@brightline.nl", "anna@brightline.nl",
	    NULL, "notitie", NULL, "#won", 0, true, "anna", "", DIR_NONE,
	    NULL },
	{ "won names another customer", "anna@brightline.nl", "jan@acme.nl",
	    NULL, "Planning", NULL, "#won beta.nl", 0, true, "anna",
	    "contact acme.nl contact; won beta.nl hashtag:#won", DIR_OUTBOUND,
	    "anna" },
	{ "lost with reason to customer", "anna@brightline.nl", "jan@acme.nl",
	    NULL, "Jammer", NULL, "#lost acme.nl price", 0, true, "anna",
	    "contact acme.nl contact; lost acme.nl hashtag:#lost=price",
	    DIR_OUTBOUND, "anna" },
	{ "lost with a colon after the account", "anna@brightline.nl",
	    "anna@brightline.nl", NULL, "notitie", NULL,
	    "#lost acme.nl: prijs te hoog|#won beta.nl,", 0, true, "anna",
	    "lost acme.nl hashtag:#lost=prijs te hoog; won beta.nl hashtag:#won",
	    DIR_OUTBOUND, "anna" },
	{ "lost reason without account", "anna@brightline.nl", "jan@acme.nl",
	    NULL, "Jammer", NULL, "#lost te duur", 0, true, "anna",
	    "contact acme.nl contact; lost acme.nl hashtag:#lost=te duur",
	    DIR_OUTBOUND, "anna" },
	{ "won in inbound mail", "jan@acme.nl", "anna@brightline.nl", NULL,
	    "Re: offerte", NULL, "#won acme.nl|#value acme.nl 99000", 0,
	    false, "anna", "contact acme.nl contact", DIR_INBOUND, "anna" },
	{ "snooze", "anna@brightline.nl", "anna@brightline.nl", NULL,
	    "notitie", NULL, "#snooze acme.nl 14|#snooze beta.nl 30 dagen",
	    0, true, "anna", "snooze acme.nl hashtag:#snooze=14; "
	    "snooze beta.nl hashtag:#snooze=30", DIR_OUTBOUND, "anna" },
	{ "snooze out of bounds", "anna@brightline.nl", "anna@brightline.nl",
	    NULL, "notitie", NULL, "#snooze acme.nl 366|#snooze beta.nl 0|"
	    "#snooze gamma.nl -3|#snooze delta.nl 99999999999999999999999|"
	    "#snooze epsilon.nl twee weken|#snooze zeta.nl", 0, true, "anna",
	    "", DIR_NONE, NULL },
	{ "value formats", "anna@brightline.nl", "anna@brightline.nl", NULL,
	    "notitie", NULL, "#value acme.nl 12500|"
	    "#waarde beta.nl \xe2\x82\xac 12.500|#bedrag gamma.nl 12.500,-|"
	    "#value delta.nl EUR 12,500.50|#Waarde zeta.nl 1.250,75 euro",
	    0, true, "anna", "value acme.nl hashtag:#value=12500.00; "
	    "value beta.nl hashtag:#waarde=12500.00; "
	    "value gamma.nl hashtag:#bedrag=12500.00; "
	    "value delta.nl hashtag:#value=12500.50; "
	    "value zeta.nl hashtag:#waarde=1250.75", DIR_OUTBOUND, "anna" },
	{ "value to customer", "anna@brightline.nl", "jan@acme.nl", NULL,
	    "Afspraak", NULL, "#bedrag 8.000", 0, true, "anna",
	    "contact acme.nl contact; value acme.nl hashtag:#bedrag=8000.00",
	    DIR_OUTBOUND, "anna" },
	{ "value malformed", "anna@brightline.nl", "anna@brightline.nl", NULL,
	    "notitie", NULL, "#value acme.nl twaalfduizend|"
	    "#value beta.nl 12.500 of 15.000|#value gamma.nl 99999999999|"
	    "#value delta.nl 12,50,0|#waarde epsilon.nl \xe2\x82\xac|"
	    "#bedrag zeta.nl -500", 0, true, "anna", "", DIR_NONE, NULL },
	{ "verbal names account", "anna@brightline.nl", "anna@brightline.nl",
	    NULL, "notitie", NULL, "#verbal acme.nl", 0, true, "anna",
	    "verbal_order acme.nl hashtag:#verbal", DIR_OUTBOUND, "anna" },
	/* Inbound phrase rules are off by default. */
	{ "phrase off by default", "jan@acme.nl", "anna@brightline.nl", NULL,
	    "Akkoord, we gaan ervoor", NULL, NULL, 0, false, "anna",
	    "contact acme.nl contact", DIR_INBOUND, "anna" },
};

static void
build_mail(const struct mail_case *c, struct mail_summary *m)
{
	memset(m, 0, sizeof *m);
	m->message_id = xstrdup("20260921.abc@mail.example");
	m->date = T0;
	m->date_valid = true;
	m->internaldate = T0 + 60;
	if (c->from != NULL)
		addr_add(&m->from, c->from);
	split_addrs(&m->to, c->to);
	split_addrs(&m->cc, c->cc);
	m->subject = xstrdup(c->subject);
	split(&m->attachments, c->attachments, ',');
	split(&m->hashtags, c->hashtags, '|');
	m->bulk = c->bulk;
}

static void
free_mail(struct mail_summary *m)
{
	free(m->message_id);
	addr_clear(&m->from);
	addr_clear(&m->to);
	addr_clear(&m->cc);
	free(m->subject);
	strlist_clear(&m->attachments);
	strlist_clear(&m->hashtags);
}

static void
test_classify_mail_rules(void **state)
{
	struct signal_list out = { 0 };
	struct mail_summary m;
	char got[1024], ref[256];
	const struct signal *s;
	size_t i, j;
	int n;

	(void)state;
	for (i = 0; i < sizeof mail_cases / sizeof *mail_cases; i++) {
		const struct mail_case *c = &mail_cases[i];

		build_mail(c, &m);
		n = classify_mail(&cfg, c->mailbox, &m, c->sent, "imap:anna",
		    "INBOX/7", &out);
		format_signals(&out, 0, got, sizeof got);
		if (strcmp(got, c->expect) != 0)
			fail_msg("%s: got '%s', want '%s'", c->name, got,
			    c->expect);
		assert_int_equal(n, (int)out.n);
		for (j = 0; j < out.n; j++) {
			s = &out.v[j];
			assert_int_equal(s->dir, c->dir);
			assert_string_equal(s->salesperson, c->actor);
			assert_int_equal(s->occurred_at, T0);
			assert_string_equal(s->source, "imap:anna");
			assert_string_equal(s->item, "INBOX/7");
			assert_string_equal(s->subject, c->subject);
			assert_null(s->match_text);
			snprintf(ref, sizeof ref,
			    "%s/%s:%s:<20260921.abc@mail.example>", c->actor,
			    signal_kind_name(s->kind), s->account);
			assert_string_equal(s->ref, ref);
		}
		signal_list_clear(&out);
		free_mail(&m);
	}
}

/*
 * Hashtags count only in the salesperson's own mail: a message in an
 * inbox that came in over SMTP with a salesperson's From (forged, or a
 * colleague's copy) gives its contact, not its corrections.
 */
static void
test_classify_mail_received_hashtags(void **state)
{
	static const struct mail_case c = { "received", "anna@brightline.nl",
	    "jan@acme.nl", NULL, "Planning", NULL,
	    "#won acme.nl|#lost beta.nl price", 0, false, "anna", NULL,
	    DIR_OUTBOUND, "anna" };
	struct signal_list out = { 0 };
	struct mail_summary m;
	char got[256];

	(void)state;
	build_mail(&c, &m);
	m.received = true;
	classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/9", &out);
	format_signals(&out, 0, got, sizeof got);
	assert_string_equal(got, "contact acme.nl contact");
	signal_list_clear(&out);

	/* The same in her Sent folder, or a copy that crossed no SMTP hop. */
	classify_mail(&cfg, "anna", &m, true, "imap:anna", "Sent/9", &out);
	format_signals(&out, 0, got, sizeof got);
	assert_string_equal(got, "contact acme.nl contact; won acme.nl "
	    "hashtag:#won; lost beta.nl hashtag:#lost=price");
	signal_list_clear(&out);
	m.received = false;
	classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/9", &out);
	format_signals(&out, 0, got, sizeof got);
	assert_string_equal(got, "contact acme.nl contact; won acme.nl "
	    "hashtag:#won; lost beta.nl hashtag:#lost=price");
	signal_list_clear(&out);
	free_mail(&m);
}

static void
test_classify_mail_phrases(void **state)
{
	static const struct mail_case c = { "phrase", "jan@acme.nl",
	    "anna@brightline.nl", NULL, "Re: Akkoord met de offerte", NULL,
	    NULL, 0, false, "anna", NULL, DIR_INBOUND, "anna" };
	struct signal_list out = { 0 };
	struct mail_summary m;
	char got[256];

	(void)state;
	strlist_add(&cfg.rules.verbal_phrase, "akkoord");
	strlist_add(&cfg.rules.lost_phrase, "helaas");
	build_mail(&c, &m);
	classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/8", &out);
	format_signals(&out, 0, got, sizeof got);
	assert_string_equal(got, "verbal_order acme.nl verbal_phrase:akkoord");

	free(m.subject);
	m.subject = xstrdup("Helaas gaan we niet verder");
	classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/8", &out);
	format_signals(&out, 1, got, sizeof got);
	assert_string_equal(got, "lost acme.nl lost_phrase:helaas");

	/* Outbound mail is not judged by inbound phrases. */
	addr_clear(&m.from);
	addr_clear(&m.to);
	addr_add(&m.from, "anna@brightline.nl");
	addr_add(&m.to, "jan@acme.nl");
	classify_mail(&cfg, "anna", &m, true, "imap:anna", "Sent/9", &out);
	format_signals(&out, 2, got, sizeof got);
	assert_string_equal(got, "contact acme.nl contact");

	strlist_clear(&cfg.rules.verbal_phrase);
	strlist_clear(&cfg.rules.lost_phrase);
	signal_list_clear(&out);
	free_mail(&m);
}

static void
test_classify_mail_store_subjects_off(void **state)
{
	struct signal_list out = { 0 };
	struct mail_summary m;

	(void)state;
	build_mail(&mail_cases[0], &m);
	cfg.store_subjects = false;
	assert_int_equal(classify_mail(&cfg, "anna", &m, true, "imap:anna",
	    "Sent/1", &out), 1);
	cfg.store_subjects = true;
	assert_null(out.v[0].subject);
	assert_string_equal(out.v[0].rule, "offer_subject:offerte");
	signal_list_clear(&out);
	free_mail(&m);
}

static void
test_classify_mail_without_message_id(void **state)
{
	struct signal_list out = { 0 };
	struct mail_summary m;

	(void)state;
	build_mail(&mail_cases[0], &m);
	free(m.message_id);
	m.message_id = NULL;
	free(m.subject);
	m.subject = xstrdup("Offerte");
	/* No valid Date: INTERNALDATE dates the signal and the stand-in id. */
	m.date_valid = false;
	m.date = 0;
	m.internaldate = 1700000000;
	classify_mail(&cfg, "anna", &m, true, "imap:anna", "Sent/1", &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].occurred_at, 1700000000);
	/* sha1("1700000000|anna@brightline.nl|Offerte") */
	assert_string_equal(out.v[0].ref, "anna/offer_sent:acme.nl:"
	    "<7e377bb93bc305d230d2365cc95959e390df311a@salescycle>");

	/* Another subject is another message. */
	free(m.subject);
	m.subject = xstrdup("Offerte v2");
	classify_mail(&cfg, "anna", &m, true, "imap:anna", "Sent/2", &out);
	assert_int_equal(out.n, 2);
	assert_string_not_equal(out.v[0].ref, out.v[1].ref);
	signal_list_clear(&out);

	/*
	 * Neither a plausible Date nor an arrival time (an .eml dated 1970
	 * or 2100): no signal at time 0, which reads as "unset".
	 */
	m.internaldate = 0;
	classify_mail(&cfg, "anna", &m, true, "file", "x.eml", &out);
	assert_int_equal(out.n, 0);
	free_mail(&m);
}

/*
 * A meeting message is named after the meeting: "Geaccepteerd:
 * Bespreking offerte" is no offer, nor is an invitation to discuss one.
 * A calendar part read from a file or only seen in BODYSTRUCTURE says so.
 */
static void
test_classify_mail_meeting(void **state)
{
	struct signal_list out = { 0 };
	struct mail_summary m;

	(void)state;
	build_mail(&mail_cases[0], &m);
	free(m.subject);
	m.subject = xstrdup("Geaccepteerd: Bespreking offerte");
	classify_mail(&cfg, "anna", &m, true, "imap:anna", "Sent/1", &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].kind, SIG_OFFER_SENT);
	signal_list_clear(&out);
	strlist_add(&m.calendar_sections, "2");
	classify_mail(&cfg, "anna", &m, true, "imap:anna", "Sent/1", &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].kind, SIG_CONTACT);
	signal_list_clear(&out);
	strlist_clear(&m.calendar_sections);
	strlist_add(&m.calendar_parts, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
	free(m.subject);
	m.subject = xstrdup("Uitnodiging: orderbevestiging doornemen");
	classify_mail(&cfg, "anna", &m, true, "file", "x.eml", &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].kind, SIG_CONTACT);
	signal_list_clear(&out);
	strlist_clear(&m.calendar_parts);
	free_mail(&m);
}

static void
test_classify_strip_prefixes(void **state)
{
	static const struct {
		const char *in, *want;
		bool reply, forward;
	} rows[] = {
		{ "Offerte", "Offerte", false, false },
		{ "Re: Offerte", "Offerte", true, false },
		{ "RE : Offerte", "Offerte", true, false },
		{ "Re[2]: Offerte", "Offerte", true, false },
		{ "AW(3): Angebot", "Angebot", true, false },
		{ "Re:Re:Re: x", "x", true, false },
		{ "Re: Fwd: x", "x", true, false },
		{ "Fwd: Re: x", "x", false, true },
		{ "FW: x", "x", false, true },
		{ "Doorst: Antw: x", "x", false, true },
		{ "WG: AW: x", "x", false, true },
		{ "SV: VS: x", "x", true, false },
		{ "  Antw:  x", "x", true, false },
		{ "Reorganisatie: plan", "Reorganisatie: plan", false, false },
		{ "Offer: a new deal", "Offer: a new deal", false, false },
		{ "Re[x]: y", "Re[x]: y", false, false },
		{ "Re:", "", true, false },
		{ "", "", false, false },
	};
	bool reply, forward;
	const char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++) {
		reply = forward = true;
		got = classify_strip_prefixes(&cfg.rules, rows[i].in, &reply,
		    &forward);
		if (strcmp(got, rows[i].want) != 0 || reply != rows[i].reply ||
		    forward != rows[i].forward)
			fail_msg("'%s': got '%s' reply %d forward %d",
			    rows[i].in, got, reply, forward);
	}
	assert_string_equal(classify_strip_prefixes(&cfg.rules, NULL, NULL,
	    NULL), "");
}

static void
test_classify_default_rules(void **state)
{
	struct rules r = { 0 };

	(void)state;
	strlist_add(&r.offer_subject, "stale");
	classify_default_rules(&r);
	assert_false(strlist_contains(&r.offer_subject, "stale"));
	assert_true(strlist_contains(&r.offer_subject, "offerte"));
	assert_true(strlist_contains(&r.offer_subject, "quotation"));
	assert_true(strlist_contains(&r.order_subject, "opdrachtbevestiging"));
	assert_true(strlist_contains(&r.order_subject, "purchase order"));
	assert_true(strlist_contains(&r.demo_summary, "presentatie"));
	assert_true(strlist_contains(&r.call_summary, "bellen"));
	assert_int_equal(r.verbal_phrase.n, 0);
	assert_int_equal(r.lost_phrase.n, 0);
	strlist_clear(&r.offer_subject);
	strlist_clear(&r.offer_attachment);
	strlist_clear(&r.order_subject);
	strlist_clear(&r.order_attachment);
	strlist_clear(&r.call_summary);
	strlist_clear(&r.demo_summary);
	strlist_clear(&r.reply_prefix);
	strlist_clear(&r.forward_prefix);
	strlist_clear(&r.noreply_sender);
	strlist_clear(&r.autoreply_subject);
}

/*
 * Rules per language (issue 12): a positive and a negative case per new
 * rule and language, with the language each signal records; out-of-office
 * replies by subject alone in every default language.
 */
struct lang_case {
	const char	*name;
	const char	*from;
	const char	*to;
	const char	*subject;
	const char	*attachments;
	const char	*expect;	/* as format_signals; "" for none */
	const char	*language;	/* of the first signal */
};

static const struct lang_case lang_cases[] = {
	/* German */
	{ "angebot", "anna@brightline.nl", "k.schmidt@globex.de",
	    "Angebot Nr. 2026-044 Wärmepumpe Düsseldorf", NULL,
	    "offer_sent globex.de offer_subject:angebot", "de" },
	{ "angebotsanfrage is no offer", "anna@brightline.nl",
	    "k.schmidt@globex.de", "Angebotsanfrage Solarmodule", NULL,
	    "contact globex.de contact", NULL },
	{ "angebot attachment", "anna@brightline.nl", "k.schmidt@globex.de",
	    "Unterlagen wie besprochen", "Angebot_2026-044_Globex.pdf",
	    "offer_sent globex.de offer_attachment:angebot*", "de" },
	{ "auftragsbestaetigung", "k.schmidt@globex.de", "anna@brightline.nl",
	    "Auftragsbestätigung 4500012345", NULL,
	    "order_confirmed globex.de order_subject:auftragsbestätigung",
	    "de" },
	{ "bestellung", "einkauf@globex.de", "anna@brightline.nl",
	    "Bestellung 4711 – Wärmepumpe WP-12", NULL,
	    "order_confirmed globex.de order_subject:bestellung", "de" },
	{ "bestellungen is no order", "einkauf@globex.de",
	    "anna@brightline.nl", "Rückfrage zu offenen Bestellungen", NULL,
	    "contact globex.de contact", NULL },
	{ "auftragsbestaetigung attachment", "einkauf@globex.de",
	    "anna@brightline.nl", "Re: Angebot 2026-044",
	    "Auftragsbestaetigung_4500012345.pdf",
	    "order_confirmed globex.de "
	    "order_attachment:*auftragsbestaetigung*", "de" },
	/* French */
	{ "devis", "anna@brightline.nl", "m.dubois@initech.fr",
	    "Devis n° 2026-118 – panneaux solaires", NULL,
	    "offer_sent initech.fr offer_subject:devis", "fr" },
	{ "offre de prix", "anna@brightline.nl", "m.dubois@initech.fr",
	    "Offre de prix installation pompe à chaleur", NULL,
	    "offer_sent initech.fr offer_subject:offre", "fr" },
	{ "proposition de rendez-vous is no offer", "anna@brightline.nl",
	    "m.dubois@initech.fr", "Proposition de rendez-vous", NULL,
	    "contact initech.fr contact", NULL },
	{ "bon de commande", "achats@initech.fr", "anna@brightline.nl",
	    "Bon de commande n° BC-2026-0412", NULL,
	    "order_confirmed initech.fr order_subject:bon de commande", "fr" },
	{ "confirmation de commande", "achats@initech.fr", "anna@brightline.nl",
	    "Confirmation de commande 88123", NULL,
	    "order_confirmed initech.fr order_subject:confirmation de commande",
	    "fr" },
	{ "commande question is no order", "achats@initech.fr",
	    "anna@brightline.nl", "Question sur la commande de matériel", NULL,
	    "contact initech.fr contact", NULL },
	{ "bon de commande attachment", "achats@initech.fr",
	    "anna@brightline.nl", "TR: Devis 2026-118",
	    "Bon_de_commande_BC-0412.pdf",
	    "order_confirmed initech.fr order_attachment:*bon_de_commande*",
	    "fr" },
	/* Flemish */
	{ "bestelbon", "aankoop@hooli.be", "anna@brightline.nl",
	    "Bestelbon 2026/118 zonnepanelen", NULL,
	    "order_confirmed hooli.be order_subject:bestelbon", "nl" },
	{ "prijsofferte", "anna@brightline.nl", "sofie@hooli.be",
	    "Prijsofferte renovatie dak magazijn", NULL,
	    "offer_sent hooli.be offer_subject:prijsofferte", "nl" },
	{ "prijsofferte attachment", "anna@brightline.nl", "sofie@hooli.be",
	    "Zoals afgesproken", "Prijsofferte_Hooli_2026-118.pdf",
	    "offer_sent hooli.be offer_attachment:*prijsofferte*", "nl" },
	{ "levering is no order", "aankoop@hooli.be", "anna@brightline.nl",
	    "Vraag over de levering", NULL, "contact hooli.be contact", NULL },
	/* Offer numbers in file names (OFF-, Q-), not other dashes. */
	{ "off- number", "anna@brightline.nl", "jan@acme.nl",
	    "Zoals besproken", "OFF-2026-0133.pdf",
	    "offer_sent acme.nl offer_attachment:off-[0-9][0-9][0-9]*", "nl" },
	{ "q- number", "anna@brightline.nl", "j.smith@northwind.co.uk",
	    "As discussed", "Q-2026-0042.pdf",
	    "offer_sent northwind.co.uk offer_attachment:q-[0-9][0-9][0-9]*",
	    "en" },
	{ "off-site is no offer", "anna@brightline.nl", "jan@acme.nl",
	    "Agenda", "off-site-planning-2026.pdf",
	    "contact acme.nl contact", NULL },
	{ "quarter is no offer", "anna@brightline.nl", "jan@acme.nl",
	    "Cijfers", "Q-4 cijfers.xlsx,Q4-2026.pdf",
	    "contact acme.nl contact", NULL },
	/* English and Dutch keep their rules and say so. */
	{ "quotation en", "anna@brightline.nl", "j.smith@northwind.co.uk",
	    "Quotation Q-2026-0042", NULL,
	    "offer_sent northwind.co.uk offer_subject:quotation", "en" },
	{ "offerte nl", "anna@brightline.nl", "jan@acme.nl",
	    "Offerte 2026-113", NULL, "offer_sent acme.nl offer_subject:offerte",
	    "nl" },
	/* Out-of-office replies without headers, every language. */
	{ "afwezigheidsmelding", "jan@acme.nl", "anna@brightline.nl",
	    "Afwezigheidsmelding: Offerte 2026-113", NULL, "", NULL },
	{ "automatisch antwoord", "jan@acme.nl", "anna@brightline.nl",
	    "Automatisch antwoord: RE: Offerte 2026-113", NULL, "", NULL },
	{ "out of office", "j.smith@northwind.co.uk", "anna@brightline.nl",
	    "Out of Office: Quotation Q-2026-0042", NULL, "", NULL },
	{ "automatic reply", "j.smith@northwind.co.uk", "anna@brightline.nl",
	    "Automatic reply: Purchase order 4711", NULL, "", NULL },
	{ "abwesenheitsnotiz", "k.schmidt@globex.de", "anna@brightline.nl",
	    "Abwesenheitsnotiz: Angebot Nr. 2026-044", NULL, "", NULL },
	{ "automatische antwort", "k.schmidt@globex.de", "anna@brightline.nl",
	    "Automatische Antwort: Auftragsbestätigung 4500012345", NULL, "",
	    NULL },
	{ "reponse automatique", "m.dubois@initech.fr", "anna@brightline.nl",
	    "Réponse automatique : Devis n° 2026-118", NULL, "", NULL },
	{ "reponse automatique no-break space", "m.dubois@initech.fr",
	    "anna@brightline.nl",
	    "R\xc3\xa9ponse automatique\xc2\xa0: Devis 2026-118", NULL, "",
	    NULL },
	{ "no-break space inside the words", "m.dubois@initech.fr",
	    "anna@brightline.nl",
	    "R\xc3\xa9ponse\xc2\xa0" "automatique : Devis 2026-118", NULL, "",
	    NULL },
	{ "absence du bureau", "m.dubois@initech.fr", "anna@brightline.nl",
	    "Absence du bureau", NULL, "", NULL },
	/* A customer writing about absence is a customer writing. */
	{ "afwezigheid is contact", "jan@acme.nl", "anna@brightline.nl",
	    "Afwezigheid monteur volgende week", NULL,
	    "contact acme.nl contact", NULL },
	{ "reponse a votre devis is contact", "m.dubois@initech.fr",
	    "anna@brightline.nl", "Réponse à votre devis", NULL,
	    "contact initech.fr contact", NULL },
};

static void
test_classify_languages(void **state)
{
	struct signal_list out = { 0 };
	struct mail_summary m;
	struct mail_case c;
	char got[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof lang_cases / sizeof *lang_cases; i++) {
		const struct lang_case *l = &lang_cases[i];

		memset(&c, 0, sizeof c);
		c.from = l->from;
		c.to = l->to;
		c.subject = l->subject;
		c.attachments = l->attachments;
		build_mail(&c, &m);
		classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/7",
		    &out);
		format_signals(&out, 0, got, sizeof got);
		if (strcmp(got, l->expect) != 0)
			fail_msg("%s: got '%s', want '%s'", l->name, got,
			    l->expect);
		if (out.n > 0 && (l->language == NULL ?
		    out.v[0].language != NULL : out.v[0].language == NULL ||
		    strcmp(out.v[0].language, l->language) != 0))
			fail_msg("%s: language %s, want %s", l->name,
			    out.v[0].language != NULL ? out.v[0].language :
			    "(none)", l->language != NULL ? l->language :
			    "(none)");
		signal_list_clear(&out);
		free_mail(&m);
	}
}

static void
rules_free(struct rules *r)
{
	strlist_clear(&r->offer_subject);
	strlist_clear(&r->offer_attachment);
	strlist_clear(&r->order_subject);
	strlist_clear(&r->order_attachment);
	strlist_clear(&r->call_summary);
	strlist_clear(&r->demo_summary);
	strlist_clear(&r->reply_prefix);
	strlist_clear(&r->forward_prefix);
	strlist_clear(&r->noreply_sender);
	strlist_clear(&r->autoreply_subject);
	strlist_clear(&r->verbal_phrase);
	strlist_clear(&r->lost_phrase);
	strlist_clear(&r->languages);
}

/*
 * A mail's thread for links.c: In-Reply-To, then the last three
 * References, once each.
 */
static void
test_classify_thread(void **state)
{
	struct signal_list out = { 0 };
	struct mail_summary m;
	struct mail_case c = { 0 };
	static const char *const refs[] = { "r1@x", "r2@x", "r3@x", "r4@x",
	    "r5@x" };
	size_t i;

	(void)state;
	c.from = "m.jansen.1975@gmail.com";
	c.to = "anna@brightline.nl";
	c.subject = "Re: Offerte 2026-160";
	build_mail(&c, &m);
	classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/7", &out);
	assert_int_equal(out.n, 1);
	assert_null(out.v[0].thread);
	signal_list_clear(&out);

	m.in_reply_to = xstrdup("r5@x");
	for (i = 0; i < sizeof refs / sizeof *refs; i++)
		strlist_add(&m.references, refs[i]);
	classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/7", &out);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].thread, "<r5@x> <r3@x> <r4@x>");
	signal_list_clear(&out);
	free(m.in_reply_to);
	strlist_clear(&m.references);
	free_mail(&m);
}

/*
 * [rules] languages = nl, en: German and French words are no evidence,
 * their automatic replies no longer known; a list set in [rules] stays.
 */
static void
test_classify_languages_chosen(void **state)
{
	struct signal_list out = { 0 };
	struct mail_summary m;
	struct mail_case c = { 0 };
	struct rules saved = cfg.rules;
	char got[1024];

	(void)state;
	memset(&cfg.rules, 0, sizeof cfg.rules);
	classify_default_rules(&cfg.rules);
	strlist_add(&cfg.rules.languages, "nl");
	strlist_add(&cfg.rules.languages, "en");
	strlist_clear(&cfg.rules.call_summary);
	strlist_add(&cfg.rules.call_summary, "telefonat");
	rules_configured(&cfg.rules, "call_summary");
	rules_defaults(&cfg.rules);

	assert_false(strlist_contains(&cfg.rules.offer_subject, "angebot"));
	assert_false(strlist_contains(&cfg.rules.autoreply_subject,
	    "réponse automatique"));
	assert_true(strlist_contains(&cfg.rules.offer_subject, "offerte"));
	assert_true(strlist_contains(&cfg.rules.offer_subject, "quotation"));
	assert_true(strlist_contains(&cfg.rules.reply_prefix, "aw"));
	assert_int_equal(cfg.rules.call_summary.n, 1);
	/* Only the chosen languages name a rule's language. */
	assert_null(rules_language(&cfg.rules, RULES_CALL_SUMMARY,
	    "telefonat"));
	assert_string_equal(rules_language(&cfg.rules, RULES_DEMO_SUMMARY,
	    "demo"), "nl");

	c.from = "anna@brightline.nl";
	c.to = "k.schmidt@globex.de";
	c.subject = "Angebot Nr. 2026-044";
	build_mail(&c, &m);
	classify_mail(&cfg, "anna", &m, false, "imap:anna", "INBOX/7", &out);
	format_signals(&out, 0, got, sizeof got);
	assert_string_equal(got, "contact globex.de contact");
	signal_list_clear(&out);
	free_mail(&m);

	rules_free(&cfg.rules);
	cfg.rules = saved;
}

/* Events. */

struct event_case {
	const char	*name;
	const char	*method;
	const char	*summary;
	const char	*location;
	const char	*organizer;
	const char	*attendees;	/* comma-separated, "!" = declined */
	enum event_status status;
	bool		 private;
	const char	*hashtags;	/* '|'-separated */
	const char	*expect;
	size_t		 nappts;
	const char	*appt_account;	/* NULL: unattributed */
};

static const struct event_case event_cases[] = {
	{ "external attendee", NULL, "Kennismaking", "Utrecht",
	    "anna@brightline.nl", "anna@brightline.nl,jan@acme.nl",
	    EVENT_CONFIRMED, false, NULL,
	    "appointment acme.nl external_party", 1, "acme.nl" },
	{ "external organizer", "REQUEST", "Overleg", "",
	    "jan@eu.northwind.co.uk", "anna@brightline.nl", EVENT_TENTATIVE,
	    false, NULL, "appointment northwind.co.uk external_party", 1,
	    "northwind.co.uk" },
	/* Corrections count in events we organise, not a customer's. */
	{ "corrections in our event", NULL, "Evaluatie", "",
	    "anna@brightline.nl", "anna@brightline.nl,jan@acme.nl",
	    EVENT_CONFIRMED, false, "#won acme.nl|#value acme.nl 12.500",
	    "appointment acme.nl external_party; won acme.nl hashtag:#won; "
	    "value acme.nl hashtag:#value=12500.00", 1, "acme.nl" },
	{ "corrections in a customer's event", "REQUEST", "Evaluatie", "",
	    "jan@acme.nl", "anna@brightline.nl,jan@acme.nl", EVENT_CONFIRMED,
	    false, "#won acme.nl|#lost beta.nl price|#snooze acme.nl 30",
	    "appointment acme.nl external_party", 1, "acme.nl" },
	{ "name in summary", NULL, "Bezoek ACME", "Utrecht", NULL, NULL,
	    EVENT_CONFIRMED, false, NULL, "appointment - account_name", 1,
	    NULL },
	{ "internal only", NULL, "Teamoverleg", "", "anna@brightline.nl",
	    "bram@brightline.nl", EVENT_CONFIRMED, false, NULL,
	    "appointment - account_name", 1, NULL },
	{ "no text no party", NULL, "", "", NULL, NULL, EVENT_CONFIRMED, false,
	    NULL, "", 0, NULL },
	{ "private", NULL, "Bezoek ACME", "", NULL, "jan@acme.nl",
	    EVENT_CONFIRMED, true, NULL, "", 0, NULL },
	{ "cancelled", NULL, "Bezoek ACME", "", NULL, "jan@acme.nl",
	    EVENT_CANCELLED, false, NULL, "", 0, NULL },
	{ "method cancel", "CANCEL", "Bezoek ACME", "", NULL, "jan@acme.nl",
	    EVENT_CONFIRMED, false, NULL, "", 0, NULL },
	{ "demo", NULL, "Demo salescycle", "", NULL, "jan@acme.nl",
	    EVENT_CONFIRMED, false, NULL, "demo acme.nl demo_summary:demo", 1,
	    "acme.nl" },
	{ "presentatie", NULL, "Presentatie voorstel", "", NULL, "jan@acme.nl",
	    EVENT_CONFIRMED, false, NULL,
	    "demo acme.nl demo_summary:presentatie", 1, "acme.nl" },
	{ "demo as whole word only", NULL, "Demolition planning", "", NULL,
	    "jan@acme.nl", EVENT_CONFIRMED, false, NULL,
	    "appointment acme.nl external_party", 1, "acme.nl" },
	{ "call", NULL, "Jan bellen over offerte", "", NULL, "jan@acme.nl",
	    EVENT_CONFIRMED, false, NULL, "call acme.nl call_summary:bellen", 0,
	    NULL },
	{ "call unattributed", NULL, "Call ACME", "", NULL, NULL,
	    EVENT_CONFIRMED, false, NULL, "call - call_summary:call", 0, NULL },
	{ "all externals declined", NULL, "Overleg", "", "anna@brightline.nl",
	    "!jan@acme.nl,!x@globex.com", EVENT_CONFIRMED, false, NULL, "", 0,
	    NULL },
	{ "one external declined", NULL, "Overleg", "", "anna@brightline.nl",
	    "!jan@acme.nl,x@globex.com", EVENT_CONFIRMED, false, NULL,
	    "appointment acme.nl external_party; "
	    "appointment globex.com external_party", 1, "acme.nl" },
	/*
	 * Issue 12: a meeting the calendar's owner declined is not theirs;
	 * one only a colleague (another salesperson) declined still is.
	 */
	{ "owner declined", NULL, "Overleg", "", "jan@acme.nl",
	    "!anna@brightline.nl,jan@acme.nl", EVENT_CONFIRMED, false, NULL,
	    "", 0, NULL },
	{ "colleague declined", NULL, "Overleg", "", "jan@acme.nl",
	    "anna@brightline.nl,!bram@brightline.nl,jan@acme.nl",
	    EVENT_CONFIRMED, false, NULL,
	    "appointment acme.nl external_party", 1, "acme.nl" },
	{ "customer organizer, other customer declined", NULL, "Overleg", "",
	    "jan@acme.nl", "anna@brightline.nl,!piet@acme.nl",
	    EVENT_CONFIRMED, false, NULL,
	    "appointment acme.nl external_party", 1, "acme.nl" },
	/* Every customer declined, the organizer among the attendees too. */
	{ "customer organizer and attendees declined", NULL, "Overleg", "",
	    "jan@acme.nl", "!jan@acme.nl,anna@brightline.nl,!piet@acme.nl",
	    EVENT_CONFIRMED, false, NULL, "", 0, NULL },
	{ "customer organizer attends, another declined", NULL, "Overleg", "",
	    "jan@acme.nl", "jan@acme.nl,anna@brightline.nl,!piet@acme.nl",
	    EVENT_CONFIRMED, false, NULL,
	    "appointment acme.nl external_party", 1, "acme.nl" },
	{ "hashtags", NULL, "Overleg", "", NULL, "jan@acme.nl",
	    EVENT_CONFIRMED, false, "#competitor Exact|#verbal",
	    "appointment acme.nl external_party; "
	    "competitor acme.nl hashtag:#competitor=Exact; "
	    "verbal_order acme.nl hashtag:#verbal", 1, "acme.nl" },
	{ "hashtag names account", NULL, "Notitie", "", NULL, NULL,
	    EVENT_CONFIRMED, false, "#lost acme.nl budget|#need nieuwe site",
	    "appointment - account_name; lost acme.nl hashtag:#lost=budget; "
	    "need - hashtag:#need=nieuwe site", 1, NULL },
};

static void
build_event(const struct event_case *c, struct ical_file *f,
    struct event_summary *ev)
{
	struct strlist att = { 0 };
	size_t i;

	memset(f, 0, sizeof *f);
	memset(ev, 0, sizeof *ev);
	f->method = xstrdup(c->method);
	f->events = ev;
	f->nevents = 1;
	ev->uid = xstrdup("uid-1@example");
	ev->created = T0;
	ev->dtstamp = T0 + 100;
	ev->last_modified = T0 + 200;
	ev->start = T0 + 86400;
	ev->end = ev->start + 3600;
	ev->summary = xstrdup(c->summary);
	ev->location = xstrdup(c->location);
	ev->organizer = xstrdup(c->organizer);
	split(&att, c->attendees, ',');
	ev->attendees = xcalloc(att.n + 1, sizeof *ev->attendees);
	for (i = 0; i < att.n; i++) {
		ev->attendees[i].declined = att.v[i][0] == '!';
		ev->attendees[i].addr = xstrdup(att.v[i] +
		    (ev->attendees[i].declined ? 1 : 0));
	}
	ev->nattendees = att.n;
	strlist_clear(&att);
	ev->status = c->status;
	ev->private = c->private;
	split(&ev->hashtags, c->hashtags, '|');
	f->occ = xcalloc(1, sizeof *f->occ);
	f->occ[0].event = 0;
	f->occ[0].start = ev->start;
	f->occ[0].end = ev->end;
	f->nocc = 1;
}

/* Frees what build_event allocated (the events array is the caller's). */
static void
free_event(struct ical_file *f)
{
	struct event_summary *ev;
	size_t i, j;

	for (i = 0; i < f->nevents; i++) {
		ev = &f->events[i];
		free(ev->uid);
		free(ev->summary);
		free(ev->location);
		free(ev->organizer);
		for (j = 0; j < ev->nattendees; j++)
			free(ev->attendees[j].addr);
		free(ev->attendees);
		strlist_clear(&ev->hashtags);
	}
	free(f->method);
	free(f->occ);
}

/*
 * Calendar words per language: a positive and a negative case each, and
 * the language the signal records.
 */
static void
test_classify_ical_languages(void **state)
{
	static const struct {
		const char	*summary;
		const char	*expect;
		const char	*language;
	} rows[] = {
		{ "Präsentation Wärmepumpe bei Globex",
		    "demo acme.nl demo_summary:präsentation", "de" },
		{ "Produktvorführung WP-12", "demo acme.nl "
		    "demo_summary:produktvorführung", "de" },
		{ "Präsentationsraum reservieren",
		    "appointment acme.nl external_party", NULL },
		{ "Telefonat mit Herrn Schmidt",
		    "call acme.nl call_summary:telefonat", "de" },
		{ "Démonstration pompe à chaleur",
		    "demo acme.nl demo_summary:démonstration", "fr" },
		{ "Appel Mme Dubois", "call acme.nl call_summary:appel", "fr" },
		{ "Appellation du projet", "appointment acme.nl external_party",
		    NULL },
		{ "Demo planningsmodule", "demo acme.nl demo_summary:demo",
		    "nl" },
	};
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct event_case c = { 0 };
	struct ical_file f;
	struct event_summary ev;
	char got[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++) {
		c.name = rows[i].summary;
		c.summary = rows[i].summary;
		c.location = "";
		c.attendees = "jan@acme.nl";
		c.status = EVENT_CONFIRMED;
		build_event(&c, &f, &ev);
		classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/x.ics",
		    T0 + 500, &sigs, &appts);
		format_signals(&sigs, 0, got, sizeof got);
		if (strcmp(got, rows[i].expect) != 0)
			fail_msg("%s: got '%s', want '%s'", rows[i].summary,
			    got, rows[i].expect);
		if (rows[i].language == NULL)
			assert_null(sigs.v[0].language);
		else
			assert_string_equal(sigs.v[0].language,
			    rows[i].language);
		signal_list_clear(&sigs);
		appointment_list_clear(&appts);
		free_event(&f);
	}
}

static void
test_classify_ical_rules(void **state)
{
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct ical_file f;
	struct event_summary ev;
	const struct signal *s;
	char got[1024];
	time_t want;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof event_cases / sizeof *event_cases; i++) {
		const struct event_case *c = &event_cases[i];

		build_event(c, &f, &ev);
		classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/x.ics",
		    T0 + 500, &sigs, &appts);
		format_signals(&sigs, 0, got, sizeof got);
		if (strcmp(got, c->expect) != 0)
			fail_msg("%s: got '%s', want '%s'", c->name, got,
			    c->expect);
		for (j = 0; j < sigs.n; j++) {
			s = &sigs.v[j];
			assert_string_equal(s->salesperson, "anna");
			assert_string_equal(s->source, "caldav:anna");
			assert_string_equal(s->item, "/cal/x.ics");
			assert_int_equal(s->dir, DIR_NONE);
			assert_string_equal(s->subject, c->summary);
			/* Dated by CREATED; hashtags by LAST-MODIFIED. */
			want = strncmp(s->rule, "hashtag:", 8) != 0 ? T0 :
			    T0 + 200;
			assert_int_equal(s->occurred_at, want);
			if (s->account == NULL)
				assert_non_null(s->match_text);
			else
				assert_null(s->match_text);
		}
		if (appts.n != c->nappts)
			fail_msg("%s: %zu appointments, want %zu", c->name,
			    appts.n, c->nappts);
		for (j = 0; j < appts.n; j++) {
			if (c->appt_account == NULL) {
				assert_null(appts.v[j].account);
				assert_non_null(appts.v[j].match_text);
			} else
				assert_string_equal(appts.v[j].account,
				    c->appt_account);
			assert_int_equal(appts.v[j].kind, sigs.v[0].kind);
			assert_int_equal(appts.v[j].created, T0);
			assert_false(appts.v[j].series);
			assert_string_equal(appts.v[j].summary, c->summary);
		}
		signal_list_clear(&sigs);
		appointment_list_clear(&appts);
		free_event(&f);
	}
}

static void
test_classify_ical_refs_and_text(void **state)
{
	static const struct event_case c = { "ref", NULL, "Bezoek ACME",
	    "Kantoor Utrecht", NULL, NULL, EVENT_CONFIRMED, false, NULL, NULL,
	    1, NULL };
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct ical_file f;
	struct event_summary ev;

	(void)state;
	build_event(&c, &f, &ev);
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/x.ics", T0 + 500,
	    &sigs, &appts);
	assert_int_equal(sigs.n, 1);
	assert_string_equal(sigs.v[0].ref, "anna/appointment::uid-1@example");
	assert_string_equal(sigs.v[0].match_text,
	    "Bezoek ACME Kantoor Utrecht");
	assert_int_equal(appts.n, 1);
	assert_string_equal(appts.v[0].match_text,
	    "Bezoek ACME Kantoor Utrecht");
	assert_string_equal(appts.v[0].uid, "uid-1@example");
	assert_string_equal(appts.v[0].source, "caldav:anna");
	assert_string_equal(appts.v[0].item, "/cal/x.ics");
	assert_string_equal(appts.v[0].salesperson, "anna");
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);

	/* With an external attendee the ref names the account. */
	ev.attendees = xreallocarray(ev.attendees, 1, sizeof *ev.attendees);
	ev.attendees[0].addr = xstrdup("jan@acme.nl");
	ev.attendees[0].declined = false;
	ev.nattendees = 1;
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/x.ics", T0 + 500,
	    &sigs, &appts);
	assert_string_equal(sigs.v[0].ref, "anna/appointment:acme.nl:uid-1@example");
	assert_null(appts.v[0].match_text);
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);
	free_event(&f);
}

static void
test_classify_ical_dates(void **state)
{
	static const struct event_case c = { "dates", NULL, "Overleg", "", NULL,
	    "jan@acme.nl", EVENT_CONFIRMED, false, "#lost", NULL, 1, NULL };
	static const struct {
		time_t created, dtstamp, last_modified;
		time_t want_signal, want_tag;
	} rows[] = {
		{ T0, T0 + 100, T0 + 200, T0, T0 + 200 },
		{ 0, T0 + 100, T0 + 200, T0 + 100, T0 + 200 },
		{ 0, 0, T0 + 200, T0 + 500, T0 + 200 },
		{ 0, T0 + 100, 0, T0 + 100, T0 + 100 },
		{ 0, 0, 0, T0 + 500, T0 + 86400 },
	};
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct ical_file f;
	struct event_summary ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++) {
		build_event(&c, &f, &ev);
		ev.created = rows[i].created;
		ev.dtstamp = rows[i].dtstamp;
		ev.last_modified = rows[i].last_modified;
		classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/x.ics",
		    T0 + 500, &sigs, &appts);
		assert_int_equal(sigs.n, 2);
		assert_int_equal(sigs.v[0].kind, SIG_APPOINTMENT);
		assert_int_equal(sigs.v[0].occurred_at, rows[i].want_signal);
		assert_int_equal(sigs.v[1].kind, SIG_LOST);
		assert_int_equal(sigs.v[1].occurred_at, rows[i].want_tag);
		assert_int_equal(appts.v[0].created, rows[i].want_signal);
		signal_list_clear(&sigs);
		appointment_list_clear(&appts);
		free_event(&f);
	}
}

/*
 * A weekly series with a moved occurrence: one signal for the UID (dated
 * by the master even when the override comes first in the file) and one
 * appointment per occurrence, the override's on its own day.
 */
static void
test_classify_ical_series(void **state)
{
	static const struct event_case c = { "series", NULL, "Weekoverleg",
	    "", NULL, "jan@acme.nl", EVENT_CONFIRMED, false, NULL, NULL, 1,
	    NULL };
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct event_summary ev[2];
	struct ical_file f, tmp;
	size_t i;

	(void)state;
	/* ev[0]: the override (first in the file); ev[1]: the master. */
	build_event(&c, &f, &ev[1]);
	build_event(&c, &tmp, &ev[0]);
	free(tmp.occ);
	free(tmp.method);
	ev[1].recurring = true;
	ev[0].recurrence_id = T0 + 3 * 7 * 86400;
	ev[0].created = T0 + 1000;
	ev[0].start = ev[0].recurrence_id + 86400;
	f.events = ev;
	f.nevents = 2;
	free(f.occ);
	f.nocc = 5;
	f.occ = xcalloc(f.nocc, sizeof *f.occ);
	for (i = 0; i < f.nocc; i++) {
		f.occ[i].event = i == 3 ? 0 : 1;
		f.occ[i].recurrence_id = T0 + (time_t)i * 7 * 86400;
		f.occ[i].start = i == 3 ? ev[0].start : f.occ[i].recurrence_id;
		f.occ[i].end = f.occ[i].start + 3600;
	}
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/s.ics", T0 + 500,
	    &sigs, &appts);
	assert_int_equal(sigs.n, 1);
	assert_int_equal(sigs.v[0].occurred_at, T0);
	assert_int_equal(appts.n, 5);
	for (i = 0; i < appts.n; i++) {
		assert_true(appts.v[i].series);
		assert_string_equal(appts.v[i].uid, "uid-1@example");
	}
	/* Master occurrences first, then the override's. */
	assert_int_equal(appts.v[4].recurrence_id, T0 + 3 * 7 * 86400);
	assert_int_equal(appts.v[4].start, T0 + 3 * 7 * 86400 + 86400);
	assert_int_equal(appts.v[4].created, T0 + 1000);
	assert_string_equal(appts.v[4].day, "2026-10-13");
	assert_string_equal(appts.v[0].day, "2026-09-21");
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);
	free_event(&f);
}

/* Days: all-day events on their date; timed ones in the configured zone. */
static void
test_classify_ical_days(void **state)
{
	static const struct event_case c = { "days", NULL, "Beurs", "", NULL,
	    "jan@acme.nl", EVENT_CONFIRMED, false, NULL, NULL, 1, NULL };
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct ical_file f;
	struct event_summary ev;

	(void)state;
	build_event(&c, &f, &ev);
	ev.all_day = true;
	snprintf(ev.start_day, sizeof ev.start_day, "2026-10-05");
	snprintf(f.occ[0].day, sizeof f.occ[0].day, "2026-10-05");
	f.occ[0].start = 1791151200;	/* 2026-10-04T22:00:00Z */
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/d.ics", T0, &sigs,
	    &appts);
	assert_int_equal(appts.n, 1);
	assert_true(appts.v[0].all_day);
	assert_string_equal(appts.v[0].day, "2026-10-05");
	appointment_list_clear(&appts);
	signal_list_clear(&sigs);

	/* 23:30 UTC is the next day in Amsterdam (CEST, +02:00). */
	ev.all_day = false;
	f.occ[0].day[0] = '\0';
	f.occ[0].start = 1791243000;	/* 2026-10-05T23:30:00Z */
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/d.ics", T0, &sigs,
	    &appts);
	assert_string_equal(appts.v[0].day, "2026-10-06");
	assert_false(appts.v[0].all_day);
	appointment_list_clear(&appts);
	signal_list_clear(&sigs);

	/* store_subjects = no keeps no summary. */
	cfg.store_subjects = false;
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/d.ics", T0, &sigs,
	    &appts);
	cfg.store_subjects = true;
	assert_null(appts.v[0].summary);
	assert_null(sigs.v[0].subject);
	appointment_list_clear(&appts);
	signal_list_clear(&sigs);
	free_event(&f);
}

/*
 * Only a series with an occurrence in the window the calendar was read
 * for is evidence: events in 1970 or 2100 (parsed, with a DTSTAMP of
 * today) give no signal and no appointment; a series long begun gives
 * its signal when it still meets in the window; a master whose only
 * occurrence in the window moved there as an override gives one; one
 * whose only occurrence there is cancelled gives none.
 */
static void
test_classify_ical_window(void **state)
{
	static const struct {
		const char	*dtstart, *rrule;
		size_t		 nsigs;
	} rows[] = {
		{ "19700101T090000Z", "", 0 },
		{ "21000101T090000Z", "", 0 },
		{ "19700105T090000Z", "RRULE:FREQ=WEEKLY;COUNT=3\r\n", 0 },
		{ "20200106T090000Z", "RRULE:FREQ=WEEKLY\r\n", 1 },
		{ "20260922T090000Z", "", 1 },
	};
	static const struct event_case c = { "window", NULL, "Overleg", "",
	    NULL, "jan@acme.nl", EVENT_CONFIRMED, false, "#lost", NULL, 1,
	    NULL };
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct event_summary ev[2];
	struct ical_file f, tmp;
	struct err err;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		print_message("# %s %s\n", rows[i].dtstart, rows[i].rrule);
		text = xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "BEGIN:VEVENT\r\nUID:w@test\r\nDTSTAMP:20260920T100000Z\r\n"
		    "DTSTART:%s\r\n%sSUMMARY:Overleg\r\n"
		    "ATTENDEE:mailto:jan@acme.nl\r\nDESCRIPTION:#lost\r\n"
		    "END:VEVENT\r\nEND:VCALENDAR\r\n", rows[i].dtstart,
		    rows[i].rrule);
		assert_int_equal(event_parse(text, strlen(text),
		    T0 - 365 * 86400, T0 + 365 * 86400, "UTC", "w", &f, &err),
		    0);
		free(text);
		classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/w.ics",
		    T0, &sigs, &appts);
		/* The appointment and the #lost hashtag, or nothing. */
		assert_int_equal(sigs.n, 2 * rows[i].nsigs);
		if (rows[i].nsigs == 0)
			assert_int_equal(appts.n, 0);
		signal_list_clear(&sigs);
		appointment_list_clear(&appts);
		ical_file_free(&f);
	}

	/* A master outside, its moved occurrence inside: one signal. */
	build_event(&c, &f, &ev[0]);
	build_event(&c, &tmp, &ev[1]);
	free(tmp.occ);
	free(tmp.method);
	ev[0].recurring = ev[1].recurring = true;
	ev[1].recurrence_id = T0;
	f.events = ev;
	f.nevents = 2;
	f.occ[0].event = 1;
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/s.ics", T0,
	    &sigs, &appts);
	assert_int_equal(sigs.n, 2);
	assert_int_equal(sigs.v[0].occurred_at, T0);
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);

	/* ... and none when that occurrence is cancelled. */
	ev[1].status = EVENT_CANCELLED;
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/s.ics", T0,
	    &sigs, &appts);
	assert_int_equal(sigs.n, 0);
	assert_int_equal(appts.n, 0);

	/* No occurrence at all: nothing. */
	ev[1].status = EVENT_CONFIRMED;
	f.nocc = 0;
	classify_ical(&cfg, "anna", &f, "caldav:anna", "/cal/s.ics", T0,
	    &sigs, &appts);
	assert_int_equal(sigs.n, 0);
	assert_int_equal(appts.n, 0);
	free_event(&f);
}

/*
 * The one direction rule: \Sent, a salesperson or an internal sender is
 * outbound, an external sender inbound, anything else none; and which
 * outbound mail is the mailbox owner's own (its invitations count).
 */
static void
test_classify_direction(void **state)
{
	static const struct {
		const char	*from;		/* NULL: no From */
		bool		 sent, received;
		enum direction	 dir;
		bool		 own;		/* anna's own */
	} rows[] = {
		{ "jan@acme.nl", false, true, DIR_INBOUND, false },
		{ "jan@acme.nl", true, true, DIR_OUTBOUND, true },
		{ "anna@brightline.nl", false, false, DIR_OUTBOUND, true },
		{ "anna@brightline.nl", false, true, DIR_OUTBOUND, false },
		{ "bram@brightline.nl", false, false, DIR_OUTBOUND, false },
		{ "bram@brightline.nl", true, true, DIR_OUTBOUND, true },
		{ "receptie@brightline.nl", false, false, DIR_OUTBOUND, false },
		{ "piet@leverancier.nl", false, true, DIR_NONE, false },
		{ "not an address", false, false, DIR_NONE, false },
		{ NULL, false, false, DIR_NONE, false },
		{ NULL, true, false, DIR_OUTBOUND, true },
	};
	struct mail_summary m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&m, 0, sizeof m);
		if (rows[i].from != NULL)
			addr_add(&m.from, rows[i].from);
		m.received = rows[i].received;
		if (classify_direction(&cfg, &m, rows[i].sent) != rows[i].dir)
			fail_msg("row %zu: direction %s", i, direction_name(
			    classify_direction(&cfg, &m, rows[i].sent)));
		if (classify_owners_own(&cfg, "anna", &m, rows[i].sent) !=
		    rows[i].own)
			fail_msg("row %zu: own %d", i, !rows[i].own);
		/* A salesperson who does not exist owns nothing. */
		assert_false(classify_owners_own(&cfg, "nobody", &m,
		    rows[i].sent));
		addr_clear(&m.from);
	}
}

/* A file of the source tree, read whole; groff's escapes undone for .in pages. */
static char *
read_guide(const char *rel)
{
	char path[1024], *text, *out, *q;
	const char *p;
	size_t len;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", SC_SRCDIR, rel);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	text = xmalloc(256 * 1024);
	len = fread(text, 1, 256 * 1024 - 1, f);
	fclose(f);
	text[len] = '\0';
	out = q = xmalloc(len + 1);
	for (p = text; *p != '\0'; p++) {
		if (strncmp(p, "\\-", 2) == 0) {
			*q++ = '-';
			p++;
		} else if (strncmp(p, "\\(aq", 4) == 0) {
			*q++ = '\'';
			p += 3;
		} else if (strncmp(p, "\\e", 2) == 0) {
			*q++ = '\\';
			p++;
		} else
			*q++ = *p;
	}
	*q = '\0';
	free(text);
	return out;
}

/*
 * The guide of the words and hashtags the product recognises (issue 12
 * item 11), its man pages in English and Dutch and their plain-text
 * copies, lists every hashtag of classify.c's table and every default
 * word of every language (rules.c): guide and code cannot drift apart.
 */
static void
test_classify_guide(void **state)
{
	static const char *const guides[] = {
		"man/salescycle-evidence.7.in", "man/nl/salescycle-evidence.7.in",
		"docs/evidence-en.txt", "docs/evidence-nl.txt",
	};
	static const char *const langs[] = { "nl", "en", "de", "fr" };
	struct rules r;
	const struct strlist *lists[10];
	const char *tag;
	char *text;
	size_t g, i, l, k, j, words;

	(void)state;
	for (g = 0; g < sizeof guides / sizeof guides[0]; g++) {
		text = read_guide(guides[g]);
		for (i = 0; (tag = classify_hashtag(i)) != NULL; i++)
			if (strstr(text, tag) == NULL)
				fail_msg("%s lacks the hashtag %s", guides[g], tag);
		assert_true(i >= 11);
		words = 0;
		for (l = 0; l < sizeof langs / sizeof langs[0]; l++) {
			memset(&r, 0, sizeof r);
			strlist_add(&r.languages, langs[l]);
			rules_defaults(&r);
			lists[0] = &r.offer_subject;
			lists[1] = &r.offer_attachment;
			lists[2] = &r.order_subject;
			lists[3] = &r.order_attachment;
			lists[4] = &r.call_summary;
			lists[5] = &r.demo_summary;
			lists[6] = &r.autoreply_subject;
			lists[7] = &r.reply_prefix;
			lists[8] = &r.forward_prefix;
			lists[9] = &r.noreply_sender;
			for (k = 0; k < 10; k++) {
				for (j = 0; j < lists[k]->n; j++, words++)
					if (strstr(text, lists[k]->v[j]) == NULL)
						fail_msg("%s lacks the %s word "
						    "'%s'", guides[g], langs[l],
						    lists[k]->v[j]);
			}
			for (k = 0; k < 10; k++)
				strlist_clear((struct strlist *)lists[k]);
			strlist_clear(&r.languages);
			strlist_clear(&r.verbal_phrase);
			strlist_clear(&r.lost_phrase);
		}
		assert_true(words > 100);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_default_rules),
		cmocka_unit_test(test_classify_strip_prefixes),
		cmocka_unit_test(test_classify_direction),
		cmocka_unit_test(test_classify_mail_rules),
		cmocka_unit_test(test_classify_languages),
		cmocka_unit_test(test_classify_languages_chosen),
		cmocka_unit_test(test_classify_thread),
		cmocka_unit_test(test_classify_mail_received_hashtags),
		cmocka_unit_test(test_classify_guide),
		cmocka_unit_test(test_classify_mail_phrases),
		cmocka_unit_test(test_classify_mail_store_subjects_off),
		cmocka_unit_test(test_classify_mail_without_message_id),
		cmocka_unit_test(test_classify_mail_meeting),
		cmocka_unit_test(test_classify_ical_rules),
		cmocka_unit_test(test_classify_ical_languages),
		cmocka_unit_test(test_classify_ical_refs_and_text),
		cmocka_unit_test(test_classify_ical_dates),
		cmocka_unit_test(test_classify_ical_series),
		cmocka_unit_test(test_classify_ical_days),
		cmocka_unit_test(test_classify_ical_window),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
