/* SPDX-License-Identifier: MIT */
/*
 * The default rules per language (rules.h).  The words are those
 * customers and salespeople really write in the Netherlands, Flanders,
 * Germany and France, in subjects, file names and calendar entries:
 * Flemish "bestelbon" and "prijsofferte", German "Angebot" and
 * "Auftragsbestätigung", French "devis" and "bon de commande".
 *
 * Subject and summary words match as whole words (util_has_word), so
 * plurals are listed; "offerte" never matches "offerteaanvraag", nor
 * "offre" "offres d'emploi" unless listed.  Attachment patterns are globs
 * on the whole file name.  Words with letters outside ASCII are also
 * listed in their usual ASCII spelling (Auftragsbestaetigung), as file
 * names and some clients write them; case folding is ASCII only.
 *
 * Offer numbers: an offer known only by the number in its file name
 * ("OFF-2026-0133.pdf", "Q-2026-0042.pdf") is an offer; at least three
 * digits after the dash, so that "off-site.pdf" and a quarter's "Q-4
 * cijfers.pdf" are not.  "OFFERTE-2026-17.pdf" matches offerte* anyway.
 * None of these names occur in the test corpora.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "rules.h"
#include "xmalloc.h"

#define RULES_NLANG	4

static const char *const rules_codes[RULES_NLANG] = { "nl", "en", "de", "fr" };

/* Offers: outbound subjects and attachment names. */
static const char *const nl_offer_subject[] = {
	"offerte", "offertes", "voorstel", "prijsopgave", "prijsvoorstel",
	"prijsofferte", "aanbieding", NULL
};
static const char *const en_offer_subject[] = {
	"offer", "offers", "quotation", "quotations", "quote", "quotes",
	"proposal", NULL
};
static const char *const de_offer_subject[] = {
	"angebot", "angebote", "kostenvoranschlag", "preisangebot", NULL
};
static const char *const fr_offer_subject[] = {
	"offre", "offre de prix", "offres de prix", "devis",
	"proposition commerciale", NULL
};
static const char *const nl_offer_attachment[] = {
	"offerte*", "*_offerte*", "*-offerte*", "* offerte*", "voorstel*",
	"*prijsopgave*", "*prijsvoorstel*", "*prijsofferte*",
	"off-[0-9][0-9][0-9]*", NULL
};
static const char *const en_offer_attachment[] = {
	"quote*", "*_quote*", "*-quote*", "* quote*", "*quotation*",
	"*proposal*", "q-[0-9][0-9][0-9]*", NULL
};
static const char *const de_offer_attachment[] = {
	"angebot*", "*_angebot*", "*-angebot*", "* angebot*",
	"*kostenvoranschlag*", NULL
};
static const char *const fr_offer_attachment[] = {
	"devis*", "*_devis*", "*-devis*", "* devis*", "offre de prix*",
	"offre_de_prix*", "offre-de-prix*", NULL
};

/* Orders: inbound (or our own confirmation) subjects and attachments. */
static const char *const nl_order_subject[] = {
	"opdrachtbevestiging", "orderbevestiging", "inkooporder", "bestelbon",
	"getekende offerte", "ondertekende offerte", NULL
};
static const char *const en_order_subject[] = {
	"order confirmation", "order confirmed", "purchase order",
	"signed quote", "signed offer", "signed proposal", NULL
};
static const char *const de_order_subject[] = {
	"auftragsbestätigung", "auftragsbestaetigung", "bestellung",
	"bestellbestätigung", "bestellbestaetigung", "auftragserteilung",
	"unterschriebenes angebot", NULL
};
static const char *const fr_order_subject[] = {
	"bon de commande", "confirmation de commande", "devis signé",
	"offre signée", NULL
};
static const char *const nl_order_attachment[] = {
	"*opdrachtbevestiging*", "*orderbevestiging*", "*inkooporder*",
	"*bestelbon*", "*getekend*", "*ondertekend*", NULL
};
static const char *const en_order_attachment[] = {
	"*order confirmation*", "*order_confirmation*", "*order-confirmation*",
	"*purchase order*", "*purchase_order*", "signed*", "*_signed*",
	"*-signed*", "* signed*", NULL
};
static const char *const de_order_attachment[] = {
	"*auftragsbestätigung*", "*auftragsbestaetigung*", "*bestellung*",
	"*unterschrieben*", NULL
};
static const char *const fr_order_attachment[] = {
	"*bon de commande*", "*bon_de_commande*", "*bon-de-commande*",
	"*confirmation de commande*", "*confirmation_de_commande*", NULL
};

/* Calendar summaries. */
static const char *const nl_call_summary[] = {
	"bellen", "terugbellen", "nabellen", "belafspraak", NULL
};
static const char *const en_call_summary[] = { "call", "phone call", NULL };
static const char *const de_call_summary[] = {
	"anruf", "anrufen", "telefonat", "rückruf", "telefontermin", NULL
};
static const char *const fr_call_summary[] = {
	"appel", "appel téléphonique", "rappeler", NULL
};
static const char *const nl_demo_summary[] = {
	"demo", "presentatie", "demonstratie", NULL
};
static const char *const en_demo_summary[] = {
	"demo", "presentation", "demonstration", NULL
};
static const char *const de_demo_summary[] = {
	"demo", "präsentation", "vorführung", "produktvorführung", NULL
};
static const char *const fr_demo_summary[] = {
	"démo", "demo", "présentation", "démonstration", NULL
};

/*
 * Automatic replies by subject, for the servers and clients that send
 * them without Auto-Submitted or X-Autoreply (Outlook's rules, Exchange
 * in some set-ups, Lotus), and delivery reports.
 */
static const char *const nl_autoreply_subject[] = {
	"automatisch antwoord", "afwezigheidsmelding", "afwezigheidsbericht",
	"afwezig", "onbestelbaar", NULL
};
static const char *const en_autoreply_subject[] = {
	"out of office", "out of the office", "automatic reply", "auto reply",
	"auto-reply", "autoreply", "autosvar", "undeliverable",
	"delivery status notification", NULL
};
static const char *const de_autoreply_subject[] = {
	"abwesenheitsnotiz", "automatische antwort", "nicht im büro",
	"unzustellbar", NULL
};
static const char *const fr_autoreply_subject[] = {
	"réponse automatique", "absence du bureau", "absent du bureau",
	"message d'absence", "non remis", NULL
};

/* Lists without languages. */
static const char *const rules_reply_prefix[] = {
	"re", "antw", "aw", "sv", "vs", NULL
};
static const char *const rules_forward_prefix[] = {
	"fwd", "fw", "doorst", "wg", "tr", NULL
};
static const char *const rules_noreply_sender[] = {
	"noreply*", "no-reply*", "no_reply*", "donotreply*", "do-not-reply*",
	"do_not_reply*", "mailer-daemon", "postmaster", "bounce*", NULL
};

/* A list of struct rules, its [rules] key and its defaults. */
struct rules_table {
	const char		*name;
	size_t			 off;
	const char *const	*lang[RULES_NLANG];	/* NULL: none */
	const char *const	*common;		/* for every language */
};

#define RULES_LANG(key, lname)						\
	{ #key, offsetof(struct rules, key), { nl_##lname, en_##lname,	\
	    de_##lname, fr_##lname }, NULL }
#define RULES_COMMON(key, v)						\
	{ #key, offsetof(struct rules, key), { NULL }, v }

/* In enum rules_list order first. */
static const struct rules_table rules_tables[] = {
	RULES_LANG(offer_subject, offer_subject),
	RULES_LANG(offer_attachment, offer_attachment),
	RULES_LANG(order_subject, order_subject),
	RULES_LANG(order_attachment, order_attachment),
	RULES_LANG(call_summary, call_summary),
	RULES_LANG(demo_summary, demo_summary),
	RULES_LANG(autoreply_subject, autoreply_subject),
	RULES_COMMON(reply_prefix, rules_reply_prefix),
	RULES_COMMON(forward_prefix, rules_forward_prefix),
	RULES_COMMON(noreply_sender, rules_noreply_sender),
};
#define RULES_NTABLES	(sizeof rules_tables / sizeof rules_tables[0])

/* The language index of code, or -1. */
static int
rules_lang_index(const char *code)
{
	int i;

	for (i = 0; i < RULES_NLANG; i++)
		if (code != NULL && strcasecmp(rules_codes[i], code) == 0)
			return i;
	return -1;
}

bool
rules_valid_language(const char *code)
{
	return rules_lang_index(code) >= 0;
}

/* Adds the words of v to list unless there already (case-insensitive). */
static void
rules_add_words(struct strlist *list, const char *const *v)
{
	size_t i;
	bool dup;

	for (; v != NULL && *v != NULL; v++) {
		dup = false;
		for (i = 0; i < list->n && !dup; i++)
			dup = strcasecmp(list->v[i], *v) == 0;
		if (!dup)
			strlist_add(list, *v);
	}
}

/*
 * The language indexes to use, in order, into idx[RULES_NLANG]; returns
 * how many.  Every language when r->languages is empty.
 */
static size_t
rules_chosen(const struct rules *r, int *idx)
{
	size_t i, n = 0;
	int k;

	if (r->languages.n == 0) {
		for (k = 0; k < RULES_NLANG; k++)
			idx[n++] = k;
		return n;
	}
	for (i = 0; i < r->languages.n && n < RULES_NLANG; i++) {
		k = rules_lang_index(r->languages.v[i]);
		if (k >= 0)
			idx[n++] = k;
	}
	return n;
}

void
rules_defaults(struct rules *r)
{
	const struct rules_table *t;
	struct strlist *list;
	int idx[RULES_NLANG];
	size_t i, j, n;

	n = rules_chosen(r, idx);
	for (i = 0; i < RULES_NTABLES; i++) {
		t = &rules_tables[i];
		if (r->configured & (1u << i))
			continue;
		list = (struct strlist *)((char *)r + t->off);
		strlist_clear(list);
		rules_add_words(list, t->common);
		for (j = 0; j < n; j++)
			rules_add_words(list, t->lang[idx[j]]);
	}
}

void
rules_configured(struct rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < RULES_NTABLES; i++)
		if (strcmp(rules_tables[i].name, name) == 0)
			r->configured |= 1u << i;
}

const char *
rules_language(const struct rules *r, enum rules_list which,
    const char *pattern)
{
	const char *const *v;
	int idx[RULES_NLANG];
	size_t i, n;

	if (pattern == NULL || (size_t)which >= RULES__COUNT)
		return NULL;
	n = rules_chosen(r, idx);
	for (i = 0; i < n; i++) {
		for (v = rules_tables[which].lang[idx[i]]; *v != NULL; v++)
			if (strcasecmp(*v, pattern) == 0)
				return rules_codes[idx[i]];
	}
	return NULL;
}
