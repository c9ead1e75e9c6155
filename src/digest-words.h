/* SPDX-License-Identifier: MIT */
/*
 * The fixed words of the digest mails in Dutch and English (issue 12
 * item 9): a small table, not gettext, since two languages and one
 * module are all there is.  Each entry has a singular and a plural form
 * per language, so that counts read "1 meeting", "2 meetings", "1
 * afspraak", "2 afspraken".  A language other than "nl" is English.
 */
#ifndef SC_DIGEST_WORDS_H
#define SC_DIGEST_WORDS_H

#include <stdbool.h>

#include "xmalloc.h"

/* Id, English singular and plural, Dutch singular and plural. */
#define DIGEST_WORDS(X)							\
	X(W_DIGEST, "Sales digest", NULL, "Verkoopoverzicht", NULL)	\
	X(W_PERSONAL, "Your week", NULL, "Jouw week", NULL)		\
	X(W_SALES, "Sales", NULL, "Verkoop", NULL)			\
	X(W_WEEK, "week", "weeks", "week", "weken")			\
	X(W_DAY, "day", "days", "dag", "dagen")				\
	X(W_WORKING_DAY, "working day", "working days", "werkdag",	\
	    "werkdagen")						\
	X(W_MEETING, "meeting", "meetings", "afspraak", "afspraken")	\
	X(W_HELD, "held", NULL, "gehouden", NULL)			\
	X(W_BOOKED, "booked", NULL, "geboekt", NULL)			\
	X(W_OFFER, "offer", "offers", "offerte", "offertes")		\
	X(W_OFFERS_SENT, "offers sent", NULL, "offertes verstuurd", NULL)	\
	X(W_TARGET, "target", NULL, "doel", NULL)			\
	X(W_PER_DAY, "per working day", NULL, "per werkdag", NULL)	\
	X(W_PER_WEEK, "per week", NULL, "per week", NULL)		\
	X(W_MET, "met", NULL, "gehaald", NULL)				\
	X(W_BELOW, "below", NULL, "eronder", NULL)			\
	X(W_BELOW_TARGET, "below target", NULL, "onder het doel", NULL)	\
	X(W_MEETINGS_TITLE, "Meetings held and booked", NULL,		\
	    "Afspraken gehouden en geboekt", NULL)			\
	X(W_TREND_TITLE, "The last 12 weeks", NULL,			\
	    "De laatste 12 weken", NULL)				\
	X(W_MOVES_TITLE, "Deals that moved", NULL,			\
	    "Deals die een fase verder gingen", NULL)			\
	X(W_CLOSED_TITLE, "Won and lost", NULL, "Gewonnen en verloren",	\
	    NULL)							\
	X(W_LOST_TITLE, "Top lost reasons per phase", NULL,		\
	    "Belangrijkste redenen van verlies per fase", NULL)		\
	X(W_WON, "won", NULL, "gewonnen", NULL)				\
	X(W_LOST, "lost", NULL, "verloren", NULL)			\
	X(W_NEW_CUSTOMER, "new customer", "new customers", "nieuwe klant",	\
	    "nieuwe klanten")						\
	X(W_GROWTH_DEAL, "growth deal", "growth deals",			\
	    "uitbreidingsdeal", "uitbreidingsdeals")			\
	X(W_DEAL, "deal", "deals", "deal", "deals")			\
	X(W_QUAL_TITLE, "Qualified deals", NULL,			\
	    "Gekwalificeerde deals", NULL)				\
	X(W_QUAL_NOTE, "open deals from the second phase on that know "	\
	    "the decision date, competitor, need and problem", NULL,	\
	    "open deals vanaf de tweede fase waarvan beslisdatum, "	\
	    "concurrent, behoefte en probleem bekend zijn", NULL)	\
	X(W_FUNNEL_TITLE, "Funnel", NULL, "Trechter", NULL)		\
	X(W_OPEN_NOW, "open now", NULL, "nu open", NULL)		\
	X(W_ENTERED, "entered", NULL, "ingestroomd", NULL)		\
	X(W_COHORT_TITLE, "Conversion by cohort", NULL,			\
	    "Conversie per cohort", NULL)				\
	X(W_COHORT_OF, "deals that entered from", NULL,			\
	    "deals ingestroomd van", NULL)				\
	X(W_TO, "to", NULL, "tot en met", NULL)				\
	X(W_WITHIN, "on to the next phase within", NULL,		\
	    "door naar de volgende fase binnen", NULL)			\
	X(W_PHASE, "phase", NULL, "fase", NULL)				\
	X(W_RATE, "rate", NULL, "percentage", NULL)			\
	X(W_PREVIOUS, "previous", NULL, "vorige", NULL)			\
	X(W_SMALL, "small cohort", NULL, "klein cohort", NULL)		\
	X(W_STALLED_TITLE, "Stalled deals", NULL, "Vastgelopen deals",	\
	    NULL)							\
	X(W_QUIET_FOR, "quiet for", NULL, "stil sinds", NULL)		\
	X(W_USUAL, "usual", NULL, "gebruikelijk", NULL)			\
	X(W_LAST, "last", NULL, "laatst", NULL)				\
	X(W_NO_REPLY, "without reply", NULL, "zonder antwoord", NULL)	\
	X(W_DECISION_PASSED, "decision date passed", NULL,		\
	    "beslisdatum verstreken", NULL)				\
	X(W_FORECAST_TITLE, "Forecast, next", NULL, "Prognose, komende",	\
	    NULL)							\
	X(W_EXPECTED, "expected", NULL, "verwacht", NULL)		\
	X(W_PER_MONTH, "per month", NULL, "per maand", NULL)		\
	X(W_OF, "of", NULL, "van", NULL)				\
	X(W_SOURCES_TITLE, "Sources", NULL, "Bronnen", NULL)		\
	X(W_OK_LAST_POLL, "ok, last read", NULL, "ok, laatst gelezen",	\
	    NULL)							\
	X(W_FAILING_SINCE, "failing since", NULL, "mislukt sinds", NULL)	\
	X(W_NEVER_POLLED, "never read", NULL, "nog nooit gelezen", NULL)	\
	X(W_NONE, "none", NULL, "geen", NULL)				\
	X(W_WAITING_TITLE, "Offers waiting for an answer", NULL,	\
	    "Offertes die op antwoord wachten", NULL)			\
	X(W_SENT, "sent", NULL, "verstuurd", NULL)			\
	X(W_WAITING, "waiting", NULL, "wacht al", NULL)			\
	X(W_PLANNED_TITLE, "Meetings planned for week", NULL,		\
	    "Afspraken gepland in week", NULL)				\
	X(W_CORRECTIONS_TITLE, "What your hashtags changed", NULL,	\
	    "Wat je hashtags veranderden", NULL)			\
	X(W_FOOTER, "Correct a deal by answering this mail, or in any "	\
	    "mail you send:", NULL, "Corrigeer een deal door op deze mail "	\
	    "te antwoorden, of in elke mail die je verstuurt:", NULL)	\
	X(W_HT_WON, "won", NULL, "gewonnen", NULL)			\
	X(W_HT_LOST, "lost, with the reason", NULL, "verloren, met de "	\
	    "reden", NULL)						\
	X(W_HT_SNOOZE, "quiet for N days, not stalled", NULL,		\
	    "N dagen stil, niet vastgelopen", NULL)			\
	X(W_HT_VALUE, "the deal's value", NULL, "de waarde van de deal",	\
	    NULL)							\
	X(W_HT_VERBAL, "verbal order", NULL, "mondelinge order", NULL)	\
	X(W_GUIDE, "All words and hashtags:", NULL,			\
	    "Alle woorden en hashtags:", NULL)				\
	X(W_VALUE, "value", NULL, "waarde", NULL)

#define DIGEST_WORD_ENUM(id, es, ep, ns, np)	id,
enum digest_word {
	DIGEST_WORDS(DIGEST_WORD_ENUM)
	W__COUNT
};

/* Whether lang is Dutch ("nl"); anything else is English. */
bool	digest_words_dutch(const char *lang);

/* The word in lang: its plural when n != 1 (and it has one). */
const char *digest_word(const char *lang, enum digest_word, long n);

/* Appends "N word" with the right number: "1 meeting", "3 afspraken". */
void	digest_count(struct buf *, const char *lang, long n, enum digest_word);

/* Appends an amount in whole euros: "€ 12.500" (nl), "€12,500" (en). */
void	digest_money(struct buf *, const char *lang, const char *currency,
	    double value);

/*
 * Plain words for a signal kind ("offer_sent": "offer sent", "offerte
 * verstuurd"); a kind the table does not know is its name with spaces
 * for underscores.  Caller frees.
 */
char	*digest_kind_words(const char *lang, const char *kind);

#endif
