/* SPDX-License-Identifier: MIT */
/*
 * Links of free-mail addresses to company accounts (links.h), in the
 * account_links table: one row per linked address (its account id) with
 * the company's account id, how it was made and when.  A free-mail
 * account key holds an '@' (jan@gmail.com), a company's does not
 * (acme.nl); only the first can be linked and only to the second, so
 * links never chain.
 *
 * This file neither projects (project.c reads the links) nor classifies.
 */
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "links"
#include "links.h"
#include "log.h"
#include "store-int.h"
#include "xmalloc.h"

/* Accounts of a message, or of its replies, read for a link at most. */
#define LINKS_ACCOUNTS	8

#define LINKS_STMTS(X)							\
	X(LINKS_GET, "SELECT t.key, l.how FROM account_links l"		\
	    " JOIN accounts t ON t.id = l.target_id"			\
	    " WHERE l.account_id = ?1")					\
	X(LINKS_SET, "INSERT INTO account_links(account_id, target_id,"	\
	    " how, linked_at) VALUES(?1, ?2, ?3, ?4)"			\
	    " ON CONFLICT(account_id) DO UPDATE SET"			\
	    " target_id = excluded.target_id, how = excluded.how,"	\
	    " linked_at = excluded.linked_at")				\
	X(LINKS_DELETE, "DELETE FROM account_links WHERE account_id = ?1")	\
	/*								\
	 * The accounts of a message, by the index signals_message;	\
	 * links_collect keeps the first LINKS_ACCOUNTS distinct.	\
	 */								\
	X(LINKS_MESSAGE, "SELECT a.key FROM signals s"			\
	    " JOIN accounts a ON a.id = s.account_id"			\
	    " WHERE substr(s.ref, instr(s.ref, ':<') + 1) = ?1"		\
	    " LIMIT 256")						\
	/*								\
	 * The accounts of the replies to a message read before it.	\
	 * "+r.child": without it the planner takes the comparison as	\
	 * the lookup of r by its whole key and reads every signal for	\
	 * it; with it the signals come from signals_message.		\
	 */								\
	X(LINKS_REPLIES, "SELECT a.key FROM message_replies r"		\
	    " JOIN signals s ON substr(s.ref, instr(s.ref, ':<') + 1)"	\
	    " = +r.child JOIN accounts a ON a.id = s.account_id"		\
	    " WHERE r.parent = ?1 LIMIT 256")				\
	X(LINKS_REPLY_ADD, "INSERT OR IGNORE INTO message_replies(parent,"	\
	    " child) VALUES(?1, ?2)")					\
	/*								\
	 * An account's link and the links to it, each side from its	\
	 * index: "a.key = ?1 OR t.key = ?1" read every account.	\
	 */								\
	X(LINKS_LIST, "SELECT a.key, t.key, l.how, l.linked_at"		\
	    " FROM accounts a JOIN account_links l ON l.account_id = a.id"	\
	    " JOIN accounts t ON t.id = l.target_id WHERE a.key = ?1"	\
	    " UNION ALL SELECT a.key, t.key, l.how, l.linked_at"		\
	    " FROM accounts t JOIN account_links l ON l.target_id = t.id"	\
	    " JOIN accounts a ON a.id = l.account_id WHERE t.key = ?1"	\
	    " AND a.key <> ?1 ORDER BY 1")

enum links_stmt {
	LINKS_STMTS(STORE_STMT_ENUM)
	LINKS__COUNT
};

static const char *const links_sql[] = {
	LINKS_STMTS(STORE_STMT_SQL)
};

const struct store_part links_part = { "links", links_sql, LINKS__COUNT };

static sqlite3_stmt *
links_stmt(struct store *st, enum links_stmt id)
{
	return store_stmt(st, STORE_PART_LINKS, id);
}

/* The current link of an address id: *target and *how owned, NULL if none. */
static int
links_get(struct store *st, int64_t id, char **target, char **how,
    struct err *err)
{
	sqlite3_stmt *s = links_stmt(st, LINKS_GET);
	int rc;

	*target = *how = NULL;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*target = xstrdup(store_column_text(s, 0));
		*how = xstrdup(store_column_text(s, 1));
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "link");
}

int
links_add(struct store *st, const char *address, const char *account,
    const char *how, time_t now, struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	char *old = NULL, *oldhow = NULL;
	int64_t from, to;
	bool own;
	int rc;

	if (strchr(address, '@') == NULL || strchr(account, '@') != NULL)
		return err_set(err, ERR_FINAL, "only a free-mail address can be "
		    "linked, and only to a company's account (a domain)");
	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	rc = store_account(st, address, &from, touched, err);
	if (rc == 0)
		rc = store_account(st, account, &to, touched, err);
	if (rc == 0)
		rc = links_get(st, from, &old, &oldhow, err);
	if (rc == 0 && old != NULL && (strcmp(old, account) == 0 ||
	    strcmp(how, "manual") != 0)) {
		/* The same link, or a learnt one never overrides another. */
		free(old);
		free(oldhow);
		return store_auto_end(st, own, 0, err);
	}
	if (rc == 0) {
		s = links_stmt(st, LINKS_SET);
		sqlite3_bind_int64(s, 1, from);
		sqlite3_bind_int64(s, 2, to);
		store_bind_text(s, 3, how);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
		rc = store_run(st, s, err, "link");
	}
	if (rc == 0) {
		log_info("%s linked to %s (%s)", address, account, how);
		store_touch(st, touched, address);
		store_touch(st, touched, account);
		if (old != NULL)
			store_touch(st, touched, old);
	}
	free(old);
	free(oldhow);
	rc = store_auto_end(st, own, rc, err);
	return rc == 0 ? 1 : -1;
}

int
links_remove(struct store *st, const char *address, struct strlist *touched,
    struct err *err)
{
	sqlite3_stmt *s;
	char *old = NULL, *how = NULL;
	int64_t id;
	bool own;
	int rc;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	rc = store_account_find(st, address, &id, err);
	if (rc == 0 && id != 0)
		rc = links_get(st, id, &old, &how, err);
	if (rc == 0 && old != NULL) {
		s = links_stmt(st, LINKS_DELETE);
		sqlite3_bind_int64(s, 1, id);
		rc = store_run(st, s, err, "link");
		if (rc == 0) {
			store_touch(st, touched, address);
			store_touch(st, touched, old);
		}
	}
	rc = store_auto_end(st, own, rc, err);
	free(how);
	if (rc != 0) {
		free(old);
		return -1;
	}
	rc = old != NULL ? 1 : 0;
	free(old);
	return rc;
}

/* The part of a ref after its second ':' (Message-ID or UID), or "". */
static const char *
links_evidence(const char *ref)
{
	const char *p;

	if (ref == NULL || (p = strchr(ref, ':')) == NULL ||
	    (p = strchr(p + 1, ':')) == NULL)
		return "";
	return p + 1;
}

/* Adds an account key to the free-mail or the company list, once. */
static void
links_sort_account(const char *key, struct strlist *freemail,
    struct strlist *companies)
{
	struct strlist *list = strchr(key, '@') != NULL ? freemail : companies;

	if (!strlist_contains(list, key))
		strlist_add(list, key);
}

/*
 * Adds the first LINKS_ACCOUNTS distinct accounts (first column) of a
 * statement's rows to the lists.  Distinct here, not by SELECT DISTINCT:
 * SQLite made a temporary b-tree for that at each of the two queries
 * per mail, 9% of the instructions of a first sync.  The rows come in
 * the same order without it; the statements stop at 256 rows, where
 * DISTINCT read on through the rows of one account.
 */
static int
links_collect(struct store *st, sqlite3_stmt *s, struct strlist *freemail,
    struct strlist *companies, struct err *err)
{
	struct strlist seen = { 0 };
	const char *key;
	size_t i;
	int rc;

	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		key = store_column_text(s, 0);
		/* As DISTINCT compares: byte for byte. */
		for (i = 0; i < seen.n && strcmp(seen.v[i], key) != 0; i++)
			;
		if (i < seen.n)
			continue;
		strlist_add(&seen, key);
		links_sort_account(key, freemail, companies);
		if (seen.n == LINKS_ACCOUNTS) {
			rc = SQLITE_DONE;
			break;
		}
	}
	strlist_clear(&seen);
	return store_done(st, s, rc, err, "thread");
}

/*
 * The thread of message id: records that it answers the messages of
 * thread ("<a> <b>", may be NULL) and, with lookup, adds the accounts of
 * those messages and of the replies to id read before it to the lists.
 * Both directions, so that the reply and the message it answers may be
 * read in either order (INBOX before Sent).
 */
static int
links_thread(struct store *st, const char *id, const char *thread,
    bool lookup, struct strlist *freemail, struct strlist *companies,
    struct err *err)
{
	sqlite3_stmt *s;
	const char *p, *e;
	char *parent;
	int rc = 0;

	for (p = thread; rc == 0 && p != NULL && *p != '\0';
	    p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		parent = xstrndup(p, (size_t)(e - p));
		s = links_stmt(st, LINKS_REPLY_ADD);
		store_bind_text(s, 1, parent);
		store_bind_text(s, 2, id);
		rc = store_run(st, s, err, "thread");
		if (rc == 0 && lookup) {
			s = links_stmt(st, LINKS_MESSAGE);
			store_bind_text(s, 1, parent);
			rc = links_collect(st, s, freemail, companies, err);
		}
		free(parent);
	}
	if (rc == 0 && lookup) {
		s = links_stmt(st, LINKS_REPLIES);
		store_bind_text(s, 1, id);
		rc = links_collect(st, s, freemail, companies, err);
	}
	return rc;
}

/*
 * Learns the links of signals [i, j): one item's evidence, and for mail
 * the messages it answers.  A free-mail address is linked when exactly
 * one company is named with it: with two it is unclear whose it is.
 */
static int
links_learn_item(struct store *st, const struct signal_list *l, size_t i,
    size_t j, time_t now, struct strlist *touched, struct err *err)
{
	struct strlist freemail = { 0 }, companies = { 0 };
	const char *how = "mail", *thread = NULL, *id;
	size_t k;
	bool lookup;
	int rc = 0;

	for (k = i; k < j; k++) {
		const struct signal *s = &l->v[k];

		if (s->kind == SIG_CALL || s->kind == SIG_APPOINTMENT ||
		    s->kind == SIG_DEMO)
			how = "meeting";
		if (s->thread != NULL)
			thread = s->thread;
		if (s->account != NULL)
			links_sort_account(s->account, &freemail, &companies);
	}
	/* A mail that names one side only: its thread may name the other. */
	id = links_evidence(l->v[i].ref);
	lookup = (freemail.n > 0 && companies.n == 0) ||
	    (freemail.n == 0 && companies.n == 1);
	if (*id == '<' && strcmp(how, "mail") == 0 && (thread != NULL ||
	    lookup)) {
		rc = links_thread(st, id, thread, lookup, &freemail,
		    &companies, err);
		if (lookup)
			how = "thread";
	}
	for (k = 0; rc == 0 && companies.n == 1 && k < freemail.n; k++)
		rc = links_add(st, freemail.v[k], companies.v[0], how, now,
		    touched, err) < 0 ? -1 : 0;
	strlist_clear(&freemail);
	strlist_clear(&companies);
	return rc;
}

int
links_learn(struct store *st, const struct signal_list *l, time_t now,
    struct strlist *touched, struct err *err)
{
	size_t i, j;

	for (i = 0; i < l->n; i = j) {
		for (j = i + 1; j < l->n && strcmp(links_evidence(l->v[i].ref),
		    links_evidence(l->v[j].ref)) == 0; j++)
			;
		if (links_learn_item(st, l, i, j, now, touched, err) != 0)
			return -1;
	}
	return 0;
}

int
links_list(struct store *st, const char *key,
    int (*cb)(const char *, const char *, const char *, time_t, void *),
    void *arg, struct err *err)
{
	sqlite3_stmt *s = links_stmt(st, LINKS_LIST);
	int rc, stop = 0;

	store_bind_text(s, 1, key);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW && stop == 0;
	    rc = sqlite3_step(s))
		stop = cb(store_column_text(s, 0), store_column_text(s, 1),
		    store_column_text(s, 2), store_column_time(s, 3), arg);
	if (stop != 0) {
		sqlite3_reset(s);
		return stop;
	}
	return store_done(st, s, rc, err, "links");
}
