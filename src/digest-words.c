/* SPDX-License-Identifier: MIT */
/*
 * The digest's words in Dutch and English (digest-words.h).  Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest-words.h"
#include "xmalloc.h"

/* One word: English and Dutch, singular and plural (NULL: as singular). */
struct digest_word_forms {
	const char	*en, *en_plural, *nl, *nl_plural;
};

#define DIGEST_WORD_ROW(id, es, ep, ns, np)	[id] = { es, ep, ns, np },
static const struct digest_word_forms digest_words[W__COUNT] = {
	DIGEST_WORDS(DIGEST_WORD_ROW)
};

/*
 * The signal kinds (model.h) and those the corrections by mail add
 * (issue 12 item 10), in plain words.
 */
static const struct {
	const char	*kind, *en, *nl;
} digest_kinds[] = {
	{ "target", "on the target list", "op de doellijst" },
	{ "call", "call", "telefoongesprek" },
	{ "appointment", "appointment", "afspraak" },
	{ "demo", "demo", "demo" },
	{ "offer_sent", "offer sent", "offerte verstuurd" },
	{ "verbal_order", "verbal order", "mondelinge order" },
	{ "order_confirmed", "order confirmed", "order bevestigd" },
	{ "lost", "lost", "verloren" },
	{ "contact", "contact", "contact" },
	{ "decision", "decision date", "beslisdatum" },
	{ "competitor", "competitor", "concurrent" },
	{ "need", "need", "behoefte" },
	{ "problem", "problem", "probleem" },
	{ "manual", "moved by hand", "met de hand verzet" },
	{ "won", "won", "gewonnen" },
	{ "snooze", "snoozed", "uitgesteld" },
	{ "value", "value", "waarde" },
};

bool
digest_words_dutch(const char *lang)
{
	return lang != NULL && strcmp(lang, "nl") == 0;
}

const char *
digest_word(const char *lang, enum digest_word w, long n)
{
	const struct digest_word_forms *f;

	if ((int)w < 0 || w >= W__COUNT)
		return "";
	f = &digest_words[w];
	if (digest_words_dutch(lang))
		return n != 1 && f->nl_plural != NULL ? f->nl_plural : f->nl;
	return n != 1 && f->en_plural != NULL ? f->en_plural : f->en;
}

void
digest_count(struct buf *b, const char *lang, long n, enum digest_word w)
{
	buf_printf(b, "%ld %s", n, digest_word(lang, w, n));
}

/* The sign of a currency people write before the amount, or NULL. */
static const char *
digest_currency_sign(const char *currency)
{
	if (currency == NULL || strcmp(currency, "EUR") == 0)
		return "\xe2\x82\xac";
	if (strcmp(currency, "GBP") == 0)
		return "\xc2\xa3";
	if (strcmp(currency, "USD") == 0)
		return "$";
	return NULL;
}

void
digest_money(struct buf *b, const char *lang, const char *currency,
    double value)
{
	char digits[32];
	size_t n, i;
	bool dutch = digest_words_dutch(lang);
	const char *sign = digest_currency_sign(currency);

	if (!(value > -1e15 && value < 1e15)) {
		buf_puts(b, "-");
		return;
	}
	snprintf(digits, sizeof digits, "%.0f", value < 0 ? -value : value);
	/* "€ 12.500" in Dutch, "€12,500" in English; a code as "CHF 12,500". */
	if (sign == NULL)
		buf_printf(b, "%s ", currency);
	else
		buf_printf(b, "%s%s", sign, dutch ? " " : "");
	if (value <= -0.5)
		buf_puts(b, "-");
	n = strlen(digits);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf_puts(b, dutch ? "." : ",");
		buf_append(b, &digits[i], 1);
	}
}

char *
digest_kind_words(const char *lang, const char *kind)
{
	char *s, *p;
	size_t i;

	if (kind == NULL)
		return xstrdup("");
	for (i = 0; i < sizeof digest_kinds / sizeof *digest_kinds; i++)
		if (strcmp(digest_kinds[i].kind, kind) == 0)
			return xstrdup(digest_words_dutch(lang) ?
			    digest_kinds[i].nl : digest_kinds[i].en);
	s = xstrdup(kind);
	for (p = s; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
	return s;
}
