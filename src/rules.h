/* SPDX-License-Identifier: MIT */
/*
 * The default rules of DESIGN section 5, per language (nl, en, de, fr):
 * which words and file names are evidence, and which subjects are
 * automatic replies.  [rules] languages = chooses the languages whose
 * defaults apply (default: all); a list set in [rules] replaces its
 * defaults whatever the languages.  Each signal records the language of
 * the pattern that matched (rules_language).
 */
#ifndef SC_RULES_H
#define SC_RULES_H

#include <stdbool.h>

#include "config.h"

/* The lists that have defaults per language. */
enum rules_list {
	RULES_OFFER_SUBJECT,
	RULES_OFFER_ATTACHMENT,
	RULES_ORDER_SUBJECT,
	RULES_ORDER_ATTACHMENT,
	RULES_CALL_SUMMARY,
	RULES_DEMO_SUMMARY,
	RULES_AUTOREPLY_SUBJECT,
	RULES__COUNT
};

/* The languages with default rules, in their default order. */
#define RULES_LANGUAGES	"nl, en, de, fr"

/* True when code names a language with default rules ("nl"). */
bool	rules_valid_language(const char *code);

/*
 * Fills the lists of r with the defaults of the languages in r->languages
 * (every language when it is empty), except the per-language lists whose
 * bit (1 << enum rules_list) is set in r->configured: those were set in
 * [rules].  The lists without languages (reply and forward prefixes,
 * no-reply senders) are filled unless configured is non-zero for them
 * too; the phrase lists are emptied (off by default).
 */
void	rules_defaults(struct rules *);

/*
 * Records that [rules] set the list called name ("offer_subject"), so
 * that choosing languages does not replace it.
 */
void	rules_configured(struct rules *, const char *name);

/*
 * The language ("nl") of the first language of r (in r->languages
 * order, else the default order) whose defaults of list hold pattern,
 * or NULL: a pattern of the site's own.
 */
const char *rules_language(const struct rules *, enum rules_list,
	    const char *pattern);

#endif
