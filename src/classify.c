/* SPDX-License-Identifier: MIT */
/*
 * Classification: mail and event summaries to signals by the rules of
 * DESIGN section 5.  Pure and table-driven: every pattern list lives in
 * struct rules, and each signal records the rule that matched.  Nothing
 * here touches the store or the network.
 *
 * Matching.  Subject and summary patterns match case-insensitively as
 * whole words or phrases (util_has_word), never as bare substrings: "quote"
 * must not match "quoted", and "offerte" must not match "offerteaanvraag",
 * a request for a quotation that a salesperson may well send to a supplier.
 * Plural forms are therefore listed in the defaults.  Attachment patterns
 * are globs on the whole file name (util_glob); the sender's local part is
 * matched against the no-reply globs.
 *
 * Direction (classify_direction, the one place that decides it: the IMAP
 * source asks it too, to know which parts to fetch).  A mail is outbound
 * when it lies in the \Sent folder, or its From is a salesperson or an
 * internal address.  It is inbound when From is
 * external: classify_mail() is only ever called for a mailbox of one of our
 * salespeople, so a message from outside that is not in \Sent was received
 * by us, also when it reached us through an alias, a group or Bcc that no
 * To/Cc shows.  Senders at ignored domains and invalid senders give
 * nothing.  The accounts of a mail are the distinct external accounts of
 * To/Cc (outbound) or of From (inbound); each gets its own signal.
 *
 * The actor.  The same message is often seen in two mailboxes (sender and
 * receiver both salespeople).  Its actor is taken from the message, not
 * the mailbox: the sending salesperson for outbound mail, the first
 * salesperson among To and then Cc for inbound mail, and the mailbox owner
 * only when the message names none (mail to a group address).  A ref is
 * "ACTOR/KIND:ACCOUNT:ID", so each salesperson's evidence is their own:
 * a message that names its actor is stored once whichever mailbox was
 * read first, one to a group address once per mailbox, and the same
 * meeting in two calendars once per calendar owner.  Which copy moves a
 * deal (its owner, a transition's actor) is decided by the projection
 * (phases.c: earliest, ties by configuration order), never by read order.
 *
 * No-reply senders.  Mail from noreply@, no-reply@ and the like gives
 * nothing, except an inbound order confirmation (a purchasing system's
 * purchase order, without the List-Id or List-Unsubscribe of mass mail,
 * which win): its signal carries the value "noreply", and the projection
 * counts it only for an open deal with an offer sent (phases.c).
 *
 * Hashtags.  The tags of classify_hashtags in the salesperson's own
 * outbound mail (Sent, or not received over SMTP) or the description of an
 * event that no customer organised give signals for each account of that
 * item.  An item without an external party (a note to self, a private
 * calendar entry) names the account as the first word after the tag:
 * "#lost acme.nl" or "#competitor acme.nl Exact"; the rest is the value.
 * A correction (#won, #lost, #snooze, #value, #verbal) names its account
 * that way in any mail.  #value's amount is stored as "12500.00" and
 * #snooze's days as a number: a malformed one is a warning naming the
 * item, and no signal.  An event whose hashtags name no account stays
 * unattributed and is matched by its text during projection, like the
 * event itself.
 *
 * Events.  Cancelled and private VEVENTs and METHOD:CANCEL objects give
 * nothing.  The external parties are the organizer and the attendees at
 * external accounts; a declined attendee still counts (the meeting was
 * with that customer) unless every external attendee declined.  A meeting
 * the calendar's owner declined is not theirs (issue 12); one a colleague
 * declined still is.  An event
 * without an external party gives an unattributed signal (account NULL)
 * carrying "SUMMARY LOCATION" as match_text, which the projection matches
 * against account names; one that names no account never counts.  The
 * kind is demo, else call, else appointment, by whole words of the
 * summary.  One signal per (kind, account) and UID: a series is one
 * appointment made once, dated by its master.  Appointments (not calls)
 * are one per occurrence, for the first external account.  A series
 * without an occurrence in the window the calendar was read for (one in
 * 1970 or 2100, or long over) gives nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#define LOG_TAG "classify"
#include "account.h"
#include "classify.h"
#include "log.h"
#include "money.h"
#include "rules.h"
#include "util.h"

/* Room for an account key: a full free-mail address or a domain. */
#define KEY_MAX	330

/*
 * The hashtags that give signals (DESIGN section 5), and the words they
 * are known by (mail.c finds the same names).  A correction (#won, #lost,
 * #snooze, #value and its Dutch #waarde and #bedrag, #verbal) names its
 * account as the first word after the tag in any mail, also one to
 * another customer; the other tags only where the item has no account of
 * its own or the word is one of the item's accounts.
 */
static const struct {
	const char		*tag;
	enum signal_kind	 kind;
	bool			 correction;
} classify_hashtags[] = {
	{ "#verbal", SIG_VERBAL_ORDER, true },
	{ "#lost", SIG_LOST, true },
	{ "#won", SIG_WON, true },
	{ "#snooze", SIG_SNOOZE, true },
	{ "#value", SIG_VALUE, true },
	{ "#waarde", SIG_VALUE, true },
	{ "#bedrag", SIG_VALUE, true },
	{ "#decision", SIG_DECISION, false },
	{ "#competitor", SIG_COMPETITOR, false },
	{ "#need", SIG_NEED, false },
	{ "#problem", SIG_PROBLEM, false },
};

const char *
classify_hashtag(size_t i)
{
	return i < sizeof classify_hashtags / sizeof *classify_hashtags ?
	    classify_hashtags[i].tag : NULL;
}

/* What every signal of one item shares. */
struct classify_item {
	const struct config	*cfg;
	const char		*salesperson;	/* the actor */
	const char		*source;
	const char		*item;
	const char		*id;		/* "<message-id>" or UID */
	const char		*subject;	/* evidence, may be NULL */
	const char		*thread;	/* mail: the ids it answers, may be NULL */
	enum direction		 dir;
	struct signal_list	*out;
	size_t			 first;		/* out->n before this item */
};

void
classify_default_rules(struct rules *r)
{
	strlist_clear(&r->languages);
	r->configured = 0;
	rules_defaults(r);
	strlist_clear(&r->verbal_phrase);
	strlist_clear(&r->lost_phrase);
}

/* True when the list holds the len bytes at word, ignoring ASCII case. */
static bool
classify_prefix_listed(const struct strlist *list, const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		if (strlen(list->v[i]) == len &&
		    strncasecmp(list->v[i], word, len) == 0)
			return true;
	}
	return false;
}

static bool
classify_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const char *
classify_strip_prefixes(const struct rules *r, const char *subject,
    bool *reply, bool *forward)
{
	const char *start, *p, *q;
	bool first = true, is_reply, is_forward;
	char close;

	if (reply != NULL)
		*reply = false;
	if (forward != NULL)
		*forward = false;
	if (subject == NULL)
		return "";
	p = subject;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (classify_is_alpha(*p))
			p++;
		if (p == start)
			break;
		/* A counter as some clients write it: "Re[2]:", "AW(3):". */
		q = p;
		if (*q == '[' || *q == '(') {
			close = *q == '[' ? ']' : ')';
			q++;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q != close)
				break;
			q++;
		}
		while (*q == ' ')
			q++;
		if (*q != ':')
			break;
		is_reply = classify_prefix_listed(&r->reply_prefix, start,
		    (size_t)(p - start));
		is_forward = classify_prefix_listed(&r->forward_prefix, start,
		    (size_t)(p - start));
		if (!is_reply && !is_forward)
			break;
		if (first) {
			if (reply != NULL)
				*reply = is_reply;
			if (forward != NULL)
				*forward = is_forward && !is_reply;
			first = false;
		}
		p = q + 1;
	}
	return start;
}

/* The first pattern of list found in text as a whole word, or NULL. */
static const char *
classify_word_match(const struct strlist *list, const char *text)
{
	size_t i;

	if (text == NULL)
		return NULL;
	for (i = 0; i < list->n; i++) {
		if (util_has_word(text, list->v[i]))
			return list->v[i];
	}
	return NULL;
}

/*
 * classify_word_match on a subject in which a no-break space (U+00A0)
 * separates words like a space: French Outlook writes "Réponse
 * automatique\u00a0: ...", and a pattern must end at that space.
 */
static const char *
classify_subject_match(const struct strlist *list, const char *subject)
{
	const char *pat, *p;
	char *copy, *q;

	if (subject == NULL || strstr(subject, "\xc2\xa0") == NULL)
		return classify_word_match(list, subject);
	copy = q = xmalloc(strlen(subject) + 1);
	for (p = subject; *p != '\0'; p++) {
		if (p[0] == '\xc2' && p[1] == '\xa0') {
			*q++ = ' ';
			p++;
		} else
			*q++ = *p;
	}
	*q = '\0';
	pat = classify_word_match(list, copy);
	free(copy);
	return pat;
}

/* The first glob of list that matches one of the names, or NULL. */
static const char *
classify_glob_match(const struct strlist *list, const struct strlist *names)
{
	size_t i, j;

	for (i = 0; i < list->n; i++) {
		for (j = 0; j < names->n; j++) {
			if (util_glob(list->v[i], names->v[j]))
				return list->v[i];
		}
	}
	return NULL;
}

/*
 * Adds one signal of the item unless this item gave the same ref already
 * (two overrides of one series, a hashtag written twice).  Returns the
 * signal, or NULL for a duplicate.
 */
static struct signal *
classify_add(struct classify_item *it, enum signal_kind kind,
    const char *account, time_t at, const char *rule, const char *value,
    const char *match_text)
{
	struct signal *s;
	char *ref;
	size_t i;

	ref = xasprintf("%s/%s:%s:%s", it->salesperson, signal_kind_name(kind),
	    account != NULL ? account : "", it->id);
	for (i = it->first; i < it->out->n; i++) {
		if (strcmp(it->out->v[i].ref, ref) == 0) {
			free(ref);
			return NULL;
		}
	}
	s = signal_list_add(it->out);
	s->kind = kind;
	s->account = xstrdup(account);
	s->salesperson = xstrdup(it->salesperson);
	s->occurred_at = at;
	s->dir = it->dir;
	s->source = xstrdup(it->source);
	s->item = xstrdup(it->item);
	s->ref = ref;
	s->rule = xstrdup(rule);
	if (it->cfg->store_subjects)
		s->subject = xstrdup(it->subject);
	s->value = xstrdup(value);
	s->match_text = xstrdup(match_text);
	s->thread = xstrdup(it->thread);
	return s;
}

/*
 * Adds the signal of a rule that matched, with the language of the
 * default rule (NULL for one of the site's own or none).
 */
static void
classify_add_rule(struct classify_item *it, enum signal_kind kind,
    const char *account, time_t at, const char *rule, const char *lang,
    const char *value, const char *match_text)
{
	struct signal *s;

	s = classify_add(it, kind, account, at, rule, value, match_text);
	if (s != NULL)
		s->language = xstrdup(lang);
}

/*
 * The account named by a word after a hashtag: a domain ("acme.nl") or an
 * address ("jan@gmail.com").  False when the word names no external
 * account.
 */
static bool
classify_account_word(const struct config *cfg, const char *word, size_t len,
    char *key, size_t keylen)
{
	char addr[KEY_MAX];
	const char *dot, *p;

	if (len == 0 || len >= sizeof addr - 2 ||
	    (dot = memrchr(word, '.', len)) == NULL)
		return false;
	/* A domain's last label has a letter: "12.500" is an amount. */
	for (p = dot + 1; p < word + len && !classify_is_alpha(*p); p++)
		;
	if (p == word + len)
		return false;
	if (memchr(word, '@', len) != NULL)
		snprintf(addr, sizeof addr, "%.*s", (int)len, word);
	else {
		snprintf(addr, sizeof addr, "%.*s", (int)len, word);
		if (account_is_freemail(cfg, addr))
			return false;
		/* A placeholder local part: only the domain decides. */
		snprintf(addr, sizeof addr, "x@%.*s", (int)len, word);
	}
	return account_classify(cfg, addr, key, keylen) == ADDR_EXTERNAL;
}

/* The hashtag table's index for the tag at the start of text, or -1. */
static int
classify_hashtag_find(const char *text, size_t taglen)
{
	size_t k;

	for (k = 0; k < sizeof classify_hashtags / sizeof *classify_hashtags;
	    k++) {
		if (strlen(classify_hashtags[k].tag) == taglen &&
		    strncasecmp(classify_hashtags[k].tag, text, taglen) == 0)
			return (int)k;
	}
	return -1;
}

/*
 * The value a hashtag's signal stores, from the text after its account
 * (NULL if none), or false when a correction's value is malformed: an
 * amount (#value: "12500.00") or a whole number of days (#snooze, 1 to
 * SIGNAL_SNOOZE_MAX_DAYS).  *out is the caller's to free.
 */
static bool
classify_hashtag_value(const struct classify_item *it, int k, const char *text,
    char **out)
{
	enum signal_kind kind = classify_hashtags[k].kind;
	char *value, *end = NULL;
	double amount;
	long days;

	*out = NULL;
	value = *text != '\0' ? util_trim(xstrdup(text)) : NULL;
	if (kind == SIG_VALUE) {
		if (!money_amount(value, &amount)) {
			log_warn("%s: %s: '%s' is not an amount, ignored",
			    it->item, classify_hashtags[k].tag,
			    value != NULL ? value : "");
			free(value);
			return false;
		}
		free(value);
		*out = xasprintf("%.2f", amount);
		return true;
	}
	if (kind == SIG_SNOOZE) {
		days = value != NULL && *value >= '1' && *value <= '9' ?
		    strtol(value, &end, 10) : 0;
		if (days >= 1)
			end += strspn(end, " \t");
		/* "14", "14 dagen", "14 days", "14d". */
		if (days < 1 || days > SIGNAL_SNOOZE_MAX_DAYS ||
		    (*end != '\0' && strcasecmp(end, "d") != 0 &&
		    strcasecmp(end, "day") != 0 &&
		    strcasecmp(end, "days") != 0 &&
		    strcasecmp(end, "dag") != 0 &&
		    strcasecmp(end, "dagen") != 0)) {
			log_warn("%s: %s: '%s' is not a number of days from 1 "
			    "to %d, ignored", it->item,
			    classify_hashtags[k].tag, value != NULL ? value : "",
			    SIGNAL_SNOOZE_MAX_DAYS);
			free(value);
			return false;
		}
		free(value);
		*out = xasprintf("%ld", days);
		return true;
	}
	if (kind == SIG_WON) {
		free(value);
		return true;
	}
	*out = value;
	return true;
}

/*
 * Adds the signals of an item's hashtags: for the account named by the
 * word after the tag (see classify_hashtags), else for each of the item's
 * accounts, else (events only: match_text set) unattributed.
 */
static void
classify_hashtag_signals(struct classify_item *it, const struct strlist *tags,
    const struct strlist *accounts, time_t at, const char *match_text)
{
	char key[KEY_MAX], rule[64], *value;
	const char *tag, *rest, *end, *after;
	enum signal_kind kind;
	size_t i, j, taglen;
	bool named;
	int k;

	for (i = 0; i < tags->n; i++) {
		tag = tags->v[i];
		taglen = strcspn(tag, " \t");
		k = classify_hashtag_find(tag, taglen);
		if (k < 0)
			continue;
		kind = classify_hashtags[k].kind;
		snprintf(rule, sizeof rule, "hashtag:%s",
		    classify_hashtags[k].tag);
		rest = tag + taglen;
		rest += strspn(rest, " \t");
		after = rest + strcspn(rest, " \t");
		/* "#lost acme.nl: price": the colon is no part of the name. */
		for (end = after; end > rest && strchr(":,;", end[-1]) != NULL;
		    end--)
			;
		after += strspn(after, " \t");
		named = classify_account_word(it->cfg, rest,
		    (size_t)(end - rest), key, sizeof key) &&
		    (accounts->n == 0 || classify_hashtags[k].correction ||
		    strlist_contains(accounts, key));

		if (named) {
			if (classify_hashtag_value(it, k, after, &value))
				classify_add(it, kind, key, at, rule, value,
				    NULL);
			free(value);
		} else if (accounts->n > 0) {
			if (!classify_hashtag_value(it, k, rest, &value))
				continue;
			for (j = 0; j < accounts->n; j++)
				classify_add(it, kind, accounts->v[j], at, rule,
				    value, NULL);
			free(value);
		} else if (match_text != NULL) {
			if (classify_hashtag_value(it, k, rest, &value))
				classify_add(it, kind, NULL, at, rule, value,
				    match_text);
			free(value);
		} else if (classify_hashtags[k].correction)
			log_warn("%s: %s names no customer account, ignored",
			    it->item, classify_hashtags[k].tag);
		else
			log_debug("%s: %s names no account, ignored", it->item,
			    classify_hashtags[k].tag);
	}
}

/* Adds an address's account to list when it is external and new. */
static void
classify_add_account(const struct config *cfg, const char *addr,
    struct strlist *list)
{
	char key[KEY_MAX];

	if (account_classify(cfg, addr, key, sizeof key) == ADDR_EXTERNAL &&
	    !strlist_contains(list, key))
		strlist_add(list, key);
}

/* The first salesperson among the addresses, or NULL. */
static const char *
classify_salesperson_in(const struct config *cfg,
    const struct mail_addr_list *list)
{
	const struct salesperson *sp;
	size_t i;

	for (i = 0; i < list->n; i++) {
		sp = config_salesperson_by_email(cfg, list->v[i].addr);
		if (sp != NULL)
			return sp->key;
	}
	return NULL;
}

/*
 * The message's id in angle brackets, or for a message without one a
 * stable stand-in: the SHA-1 of date, sender and subject.  Caller frees.
 */
static char *
classify_message_id(const struct mail_summary *m, time_t date, const char *from)
{
	unsigned char digest[20];
	char hex[41], *text;
	size_t i;

	if (m->message_id != NULL && *m->message_id != '\0')
		return xasprintf("<%s>", m->message_id);
	text = xasprintf("%lld|%s|%s", (long long)date,
	    from != NULL ? from : "", m->subject != NULL ? m->subject : "");
	if (gnutls_hash_fast(GNUTLS_DIG_SHA1, text, strlen(text), digest) != 0)
		fatal("classify: SHA-1 unavailable");
	free(text);
	for (i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return xasprintf("<%s@salescycle>", hex);
}

/*
 * The Message-IDs a mail answers, "<id> <id>": In-Reply-To and the last
 * CLASSIFY_THREAD_IDS References (the closest ones; a long thread's start
 * says little), or NULL.  Caller frees.
 */
#define CLASSIFY_THREAD_IDS	3
static char *
classify_thread(const struct mail_summary *m)
{
	struct buf b = { 0 };
	size_t i, from;

	if (m->in_reply_to != NULL)
		buf_printf(&b, "<%s>", m->in_reply_to);
	from = m->references.n > CLASSIFY_THREAD_IDS ?
	    m->references.n - CLASSIFY_THREAD_IDS : 0;
	for (i = from; i < m->references.n; i++) {
		if (m->in_reply_to != NULL &&
		    strcmp(m->references.v[i], m->in_reply_to) == 0)
			continue;
		buf_printf(&b, "%s<%s>", b.len > 0 ? " " : "",
		    m->references.v[i]);
	}
	return b.data;
}

/*
 * The kind of a mail with external accounts, its rule written to rule.
 * A reply counts as an order or offer only through an attachment.
 */
static enum signal_kind
classify_mail_kind(const struct rules *r, const struct mail_summary *m,
    const char *subject, bool reply, enum direction dir, char *rule,
    size_t rulelen, const char **lang)
{
	const char *pat;

	*lang = NULL;
	pat = reply ? NULL : classify_subject_match(&r->order_subject, subject);
	if (pat != NULL) {
		snprintf(rule, rulelen, "order_subject:%s", pat);
		*lang = rules_language(r, RULES_ORDER_SUBJECT, pat);
		return SIG_ORDER_CONFIRMED;
	}
	pat = classify_glob_match(&r->order_attachment, &m->attachments);
	if (pat != NULL) {
		snprintf(rule, rulelen, "order_attachment:%s", pat);
		*lang = rules_language(r, RULES_ORDER_ATTACHMENT, pat);
		return SIG_ORDER_CONFIRMED;
	}
	if (dir == DIR_OUTBOUND) {
		pat = reply ? NULL :
		    classify_subject_match(&r->offer_subject, subject);
		if (pat != NULL) {
			snprintf(rule, rulelen, "offer_subject:%s", pat);
			*lang = rules_language(r, RULES_OFFER_SUBJECT, pat);
			return SIG_OFFER_SENT;
		}
		pat = classify_glob_match(&r->offer_attachment,
		    &m->attachments);
		if (pat != NULL) {
			snprintf(rule, rulelen, "offer_attachment:%s", pat);
			*lang = rules_language(r, RULES_OFFER_ATTACHMENT, pat);
			return SIG_OFFER_SENT;
		}
	} else {
		pat = classify_subject_match(&r->verbal_phrase, subject);
		if (pat != NULL) {
			snprintf(rule, rulelen, "verbal_phrase:%s", pat);
			return SIG_VERBAL_ORDER;
		}
		pat = classify_subject_match(&r->lost_phrase, subject);
		if (pat != NULL) {
			snprintf(rule, rulelen, "lost_phrase:%s", pat);
			return SIG_LOST;
		}
	}
	snprintf(rule, rulelen, "contact");
	return SIG_CONTACT;
}

/* True when the sender's local part matches a no-reply glob. */
static bool
classify_noreply(const struct rules *r, const char *from)
{
	const char *at;
	char local[KEY_MAX];
	size_t i;

	at = strrchr(from, '@');
	if (at == NULL || (size_t)(at - from) >= sizeof local)
		return false;
	snprintf(local, sizeof local, "%.*s", (int)(at - from), from);
	for (i = 0; i < r->noreply_sender.n; i++) {
		if (util_glob(r->noreply_sender.v[i], local))
			return true;
	}
	return false;
}

/*
 * The direction of a message (DESIGN section 5) and, for the caller that
 * needs them, the sending salesperson and the sender's account key.
 */
static enum direction
classify_sender(const struct config *cfg, const struct mail_summary *m,
    bool sent_folder, const struct salesperson **sp, char *fromkey,
    size_t keylen)
{
	const char *from = m->from.n > 0 ? m->from.v[0].addr : NULL;
	enum addr_class fclass;

	fclass = account_classify(cfg, from, fromkey, keylen);
	*sp = from != NULL ? config_salesperson_by_email(cfg, from) : NULL;
	if (sent_folder || *sp != NULL || fclass == ADDR_INTERNAL)
		return DIR_OUTBOUND;
	return fclass == ADDR_EXTERNAL ? DIR_INBOUND : DIR_NONE;
}

enum direction
classify_direction(const struct config *cfg, const struct mail_summary *m,
    bool sent_folder)
{
	const struct salesperson *sp;
	char fromkey[KEY_MAX];

	return classify_sender(cfg, m, sent_folder, &sp, fromkey,
	    sizeof fromkey);
}

bool
classify_owners_own(const struct config *cfg, const char *owner,
    const struct mail_summary *m, bool sent_folder)
{
	const struct salesperson *sp = config_salesperson(cfg, owner);

	if (sp == NULL || classify_direction(cfg, m, sent_folder) !=
	    DIR_OUTBOUND)
		return false;
	return sent_folder || (!m->received && m->from.n > 0 &&
	    config_salesperson_by_email(cfg, m->from.v[0].addr) == sp);
}

int
classify_mail(const struct config *cfg, const char *salesperson,
    const struct mail_summary *m, bool sent_folder, const char *source,
    const char *item, struct signal_list *out)
{
	const struct rules *r = &cfg->rules;
	const struct salesperson *sp;
	struct classify_item it;
	struct strlist accounts = { 0 };
	enum signal_kind kind;
	const char *from, *subject, *stripped, *actor, *lang;
	char fromkey[KEY_MAX], rule[128], *id, *thread;
	enum direction dir;
	time_t at;
	bool reply, noreply;
	size_t i;

	from = m->from.n > 0 ? m->from.v[0].addr : NULL;
	subject = m->subject != NULL ? m->subject : "";
	if (m->bulk != 0) {
		log_debug("%s: bulk or automatic mail (0x%x)", item, m->bulk);
		return 0;
	}
	noreply = from != NULL && classify_noreply(r, from);
	if (classify_subject_match(&r->autoreply_subject, subject) != NULL) {
		log_debug("%s: automatic reply", item);
		return 0;
	}

	dir = classify_sender(cfg, m, sent_folder, &sp, fromkey,
	    sizeof fromkey);
	if (noreply && dir != DIR_INBOUND) {
		log_debug("%s: no-reply sender", item);
		return 0;
	}
	if (dir == DIR_OUTBOUND) {
		actor = sp != NULL ? sp->key : salesperson;
		for (i = 0; i < m->to.n; i++)
			classify_add_account(cfg, m->to.v[i].addr, &accounts);
		for (i = 0; i < m->cc.n; i++)
			classify_add_account(cfg, m->cc.v[i].addr, &accounts);
	} else if (dir == DIR_INBOUND) {
		actor = classify_salesperson_in(cfg, &m->to);
		if (actor == NULL)
			actor = classify_salesperson_in(cfg, &m->cc);
		if (actor == NULL)
			actor = salesperson;
		strlist_add(&accounts, fromkey);
	} else {
		log_debug("%s: sender %s is not an account", item,
		    from != NULL ? from : "(none)");
		return 0;
	}
	if (accounts.n == 0 && (dir == DIR_INBOUND || m->hashtags.n == 0))
		return 0;

	at = m->date_valid || m->internaldate == 0 ? m->date : m->internaldate;
	if (at == 0) {
		/* Time 0 reads as "unset" downstream: a won deal would show open. */
		log_warn("%s: no plausible Date header and no arrival time, "
		    "skipped", item);
		strlist_clear(&accounts);
		return 0;
	}
	id = classify_message_id(m, at, from);
	thread = classify_thread(m);
	it = (struct classify_item){ .cfg = cfg, .salesperson = actor,
	    .source = source, .item = item, .id = id, .subject = subject,
	    .thread = thread, .dir = dir, .out = out, .first = out->n };

	stripped = classify_strip_prefixes(r, subject, &reply, NULL);
	if (accounts.n > 0) {
		/*
		 * A meeting's invitation, answer or cancellation is named
		 * after the meeting ("Accepted: Bespreking offerte"): like a
		 * reply, only its attachments can make it an offer or order.
		 */
		kind = classify_mail_kind(r, m, stripped, reply ||
		    m->calendar_sections.n > 0 || m->calendar_parts.n > 0,
		    dir, rule, sizeof rule, &lang);
		if (noreply && kind != SIG_ORDER_CONFIRMED)
			log_debug("%s: no-reply sender", item);
		for (i = 0; i < accounts.n && (!noreply ||
		    kind == SIG_ORDER_CONFIRMED); i++)
			classify_add_rule(&it, kind, accounts.v[i], at, rule,
			    lang, noreply ? "noreply" : NULL, NULL);
	}
	/*
	 * Only the salesperson's own mail carries their hashtags: their Sent
	 * folder, or a message that crossed no SMTP hop (a draft, an
	 * import of their own).  A message that came in with a colleague's
	 * or a forged From gives its hashtags through the sender's Sent
	 * copy, if at all.
	 */
	if (dir == DIR_OUTBOUND && (sent_folder || !m->received))
		classify_hashtag_signals(&it, &m->hashtags, &accounts, at,
		    NULL);
	else if (m->hashtags.n > 0)
		log_debug("%s: hashtags of a message not sent by us ignored",
		    item);

	free(id);
	free(thread);
	strlist_clear(&accounts);
	return (int)(out->n - it.first);
}

/* True when addr is among the attendees of ev. */
static bool
classify_is_attendee(const struct event_summary *ev, const char *addr)
{
	size_t i;

	for (i = 0; i < ev->nattendees; i++)
		if (strcasecmp(ev->attendees[i].addr, addr) == 0)
			return true;
	return false;
}

/*
 * The external accounts of an event: organizer and attendees.  Returns
 * false when it has external attendees and all of them declined: the
 * meeting is not with them after all.  An external organizer attends
 * unless they are listed as an attendee too (Google lists them), where
 * their answer counts like the others'.
 */
static bool
classify_event_accounts(const struct config *cfg,
    const struct event_summary *ev, struct strlist *accounts)
{
	char key[KEY_MAX];
	bool attending = false;
	size_t i;

	if (ev->organizer != NULL && account_classify(cfg, ev->organizer, key,
	    sizeof key) == ADDR_EXTERNAL) {
		strlist_add(accounts, key);
		attending = !classify_is_attendee(ev, ev->organizer);
	}
	for (i = 0; i < ev->nattendees; i++) {
		if (account_classify(cfg, ev->attendees[i].addr, key,
		    sizeof key) != ADDR_EXTERNAL)
			continue;
		if (!ev->attendees[i].declined)
			attending = true;
		if (!strlist_contains(accounts, key))
			strlist_add(accounts, key);
	}
	return accounts->n == 0 || attending;
}

/* True when the salesperson owner is an attendee of ev who declined. */
static bool
classify_owner_declined(const struct config *cfg, const char *owner,
    const struct event_summary *ev)
{
	const struct salesperson *sp = config_salesperson(cfg, owner);
	const struct event_attendee *a;
	size_t i;

	for (i = 0; sp != NULL && i < ev->nattendees; i++) {
		a = &ev->attendees[i];
		if (a->declined &&
		    config_salesperson_by_email(cfg, a->addr) == sp)
			return true;
	}
	return false;
}

/* Adds the appointments of every occurrence of event idx. */
static void
classify_appointments(const struct config *cfg, const struct classify_item *it,
    const struct ical_file *f, size_t idx, enum signal_kind kind,
    const char *account, const char *match_text, time_t created,
    struct appointment_list *appts)
{
	const struct event_summary *ev = &f->events[idx];
	const char *tz = cfg->timezone != NULL ? cfg->timezone :
	    util_system_tz();
	struct appointment *a;
	size_t i;

	for (i = 0; i < f->nocc; i++) {
		if (f->occ[i].event != idx)
			continue;
		a = appointment_list_add(appts);
		a->source = xstrdup(it->source);
		a->item = xstrdup(it->item);
		a->uid = xstrdup(ev->uid);
		a->recurrence_id = f->occ[i].recurrence_id;
		a->salesperson = xstrdup(it->salesperson);
		a->account = xstrdup(account);
		a->match_text = account == NULL ? xstrdup(match_text) : NULL;
		a->kind = kind;
		a->start = f->occ[i].start;
		a->end = f->occ[i].end;
		a->all_day = ev->all_day;
		if (f->occ[i].day[0] != '\0')
			snprintf(a->day, sizeof a->day, "%s", f->occ[i].day);
		else
			util_day(a->start, tz, a->day, sizeof a->day);
		a->created = created;
		a->series = ev->recurring || ev->recurrence_id != 0;
		if (cfg->store_subjects)
			a->summary = xstrdup(ev->summary);
	}
}

/* Classifies one VEVENT (a master or an override) of a calendar item. */
static void
classify_event(struct classify_item *it, const struct ical_file *f, size_t idx,
    time_t first_seen, struct appointment_list *appts)
{
	const struct config *cfg = it->cfg;
	const struct event_summary *ev = &f->events[idx];
	struct strlist accounts = { 0 };
	enum signal_kind kind;
	const char *pat, *summary, *location, *lang;
	char rule[128], okey[KEY_MAX], *text = NULL;
	time_t created, tagged;
	size_t i;

	if (ev->status == EVENT_CANCELLED || ev->private)
		return;
	if (ev->uid == NULL || *ev->uid == '\0') {
		log_warn("%s: event without UID skipped", it->item);
		return;
	}
	if (classify_owner_declined(cfg, it->salesperson, ev)) {
		log_debug("%s: %s: declined by the salesperson", it->item,
		    ev->uid);
		return;
	}
	if (!classify_event_accounts(cfg, ev, &accounts)) {
		log_debug("%s: %s: every external attendee declined", it->item,
		    ev->uid);
		goto out;
	}
	summary = ev->summary != NULL ? ev->summary : "";
	location = ev->location != NULL ? ev->location : "";
	if (accounts.n == 0) {
		text = util_trim(xasprintf("%s %s", summary, location));
		if (*text == '\0')
			goto out;
	}

	lang = NULL;
	pat = classify_word_match(&cfg->rules.demo_summary, summary);
	if (pat != NULL) {
		kind = SIG_DEMO;
		snprintf(rule, sizeof rule, "demo_summary:%s", pat);
		lang = rules_language(&cfg->rules, RULES_DEMO_SUMMARY, pat);
	} else {
		pat = classify_word_match(&cfg->rules.call_summary, summary);
		if (pat != NULL) {
			kind = SIG_CALL;
			snprintf(rule, sizeof rule, "call_summary:%s", pat);
			lang = rules_language(&cfg->rules, RULES_CALL_SUMMARY,
			    pat);
		} else {
			kind = SIG_APPOINTMENT;
			snprintf(rule, sizeof rule, "%s", accounts.n > 0 ?
			    "external_party" : "account_name");
		}
	}

	created = ev->created != 0 ? ev->created :
	    ev->dtstamp != 0 ? ev->dtstamp : first_seen;
	it->id = ev->uid;
	it->subject = summary;
	for (i = 0; i < accounts.n; i++)
		classify_add_rule(it, kind, accounts.v[i], created, rule, lang,
		    NULL, NULL);
	if (accounts.n == 0)
		classify_add_rule(it, kind, NULL, created, rule, lang, NULL,
		    text);

	/*
	 * Hashtags are ours only in an event we organise (or one without an
	 * organizer, a private entry): a customer's invitation that says
	 * "#won" wins nothing.
	 */
	tagged = ev->last_modified != 0 ? ev->last_modified :
	    ev->dtstamp != 0 ? ev->dtstamp : ev->start;
	if (ev->organizer == NULL || account_classify(cfg, ev->organizer,
	    okey, sizeof okey) != ADDR_EXTERNAL)
		classify_hashtag_signals(it, &ev->hashtags, &accounts, tagged,
		    text);

	if (kind != SIG_CALL)
		classify_appointments(cfg, it, f, idx, kind, accounts.n > 0 ?
		    accounts.v[0] : NULL, text, created, appts);
out:
	free(text);
	strlist_clear(&accounts);
}

/* An event's index with its UID, to group a series (classify_in_window). */
struct classify_uid {
	const char	*uid;	/* borrowed */
	size_t		 idx;
};

static int
classify_uid_cmp(const void *a, const void *b)
{
	const struct classify_uid *x = a, *y = b;

	return strcmp(x->uid, y->uid);
}

/*
 * Marks in in[] the events whose series (their UID: the master and its
 * overrides) has an occurrence in the window the calendar was read for
 * that is not cancelled.  Only those are evidence of a sales phase: an
 * event in 1970 or 2100, or a series long over, gives no signal.
 */
static void
classify_in_window(const struct ical_file *f, bool *in)
{
	struct classify_uid *u;
	size_t i, j, k;
	bool any;

	for (i = 0; i < f->nocc; i++) {
		if (f->occ[i].event < f->nevents &&
		    f->events[f->occ[i].event].status != EVENT_CANCELLED)
			in[f->occ[i].event] = true;
	}
	u = xreallocarray(NULL, f->nevents, sizeof *u);
	for (i = 0; i < f->nevents; i++) {
		u[i].uid = f->events[i].uid != NULL ? f->events[i].uid : "";
		u[i].idx = i;
	}
	qsort(u, f->nevents, sizeof *u, classify_uid_cmp);
	for (i = 0; i < f->nevents; i = j) {
		any = false;
		for (j = i; j < f->nevents && strcmp(u[i].uid, u[j].uid) == 0;
		    j++)
			any = any || in[u[j].idx];
		for (k = i; k < j; k++)
			in[u[k].idx] = any;
	}
	free(u);
}

void
classify_ical(const struct config *cfg, const char *salesperson,
    const struct ical_file *f, const char *source, const char *item,
    time_t first_seen, struct signal_list *sigs,
    struct appointment_list *appts)
{
	struct classify_item it = { .cfg = cfg, .salesperson = salesperson,
	    .source = source, .item = item, .dir = DIR_NONE, .out = sigs,
	    .first = sigs->n };
	bool *in;
	size_t i;
	int pass;

	if (f->method != NULL && strcasecmp(f->method, "CANCEL") == 0)
		return;
	if (f->nevents == 0)
		return;
	in = xcalloc(f->nevents, sizeof *in);
	classify_in_window(f, in);
	/*
	 * Masters before overrides, so that a series' signal (one per UID)
	 * is dated by its master whatever the order in the file.
	 */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < f->nevents; i++) {
			if ((f->events[i].recurrence_id != 0) == (pass == 0))
				continue;
			if (!in[i]) {
				log_debug("%s: %s: no occurrence in the "
				    "window", item, f->events[i].uid);
				continue;
			}
			classify_event(&it, f, i, first_seen, appts);
		}
	}
	free(in);
}
