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
	X(LINKS_LIST, "SELECT a.key, t.key, l.how, l.linked_at"		\
	    " FROM account_links l JOIN accounts a ON a.id = l.account_id"	\
	    " JOIN accounts t ON t.id = l.target_id"			\
	    " WHERE a.key = ?1 OR t.key = ?1 ORDER BY a.key")

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

/* Learns the links of signals [i, j): one item's evidence. */
static int
links_learn_item(struct store *st, const struct signal_list *l, size_t i,
    size_t j, time_t now, struct strlist *touched, struct err *err)
{
	const char *company = NULL, *how = "mail";
	struct strlist freemail = { 0 };
	size_t k, companies = 0;
	int rc = 0;

	for (k = i; k < j; k++) {
		const struct signal *s = &l->v[k];

		if (s->kind == SIG_CALL || s->kind == SIG_APPOINTMENT ||
		    s->kind == SIG_DEMO)
			how = "meeting";
		if (s->account == NULL)
			continue;
		if (strchr(s->account, '@') != NULL) {
			if (!strlist_contains(&freemail, s->account))
				strlist_add(&freemail, s->account);
		} else if (company == NULL || strcmp(company, s->account) != 0) {
			company = s->account;
			companies++;
		}
	}
	/* With two companies it is unclear whose the address is. */
	for (k = 0; companies == 1 && k < freemail.n && rc == 0; k++)
		rc = links_add(st, freemail.v[k], company, how, now, touched,
		    err) < 0 ? -1 : 0;
	strlist_clear(&freemail);
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
		if (j - i > 1 && links_learn_item(st, l, i, j, now, touched,
		    err) != 0)
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
