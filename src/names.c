/* SPDX-License-Identifier: MIT */
/*
 * Attribution by account name (names.h, store-int.h): calendar events
 * and mail without an external party name their customer in their text
 * only ("Demo bij Acme").  Such a row keeps that text (match_text) and is
 * attributed to the account whose name it holds as whole words, the
 * longest name winning.  An inverted index of the rows' words
 * (match_words) finds the rows a new account name claims, and the words
 * of a new row are looked up in account_names, so neither direction scans
 * every account or every row.
 *
 * The store calls this as it writes rows, inside its transaction; which
 * accounts changed goes to the caller's touched list, or to the store's
 * pending list for the next projection.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "names"
#include "account.h"
#include "log.h"
#include "names.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

#define NAMES_MAX_WORDS		256	/* words of a match_text that count */
#define NAMES_WORDS		8	/* words of an account name at most */
#define NAMES_MAX		200	/* bytes of an account name at most */

#define NAMES_STMTS(X)							\
	X(NAMES_ACCOUNT_KEY, "SELECT key FROM accounts WHERE id = ?1")	\
	X(NAMES_ADD, "INSERT OR IGNORE INTO account_names(account_id,"	\
	    " name) VALUES(?1, ?2)")					\
	X(NAMES_FIND, "SELECT a.id, a.key FROM account_names n"		\
	    " JOIN accounts a ON a.id = n.account_id WHERE n.name = ?1")	\
	X(NAMES_SIGNAL_TEXT, "SELECT match_text, matched_account_id"	\
	    " FROM signals WHERE id = ?1 AND account_id IS NULL")	\
	X(NAMES_SIGNAL_MATCH, "UPDATE signals"				\
	    " SET matched_account_id = ?2 WHERE id = ?1")		\
	X(NAMES_SIGNALS, "SELECT id FROM signals"			\
	    " WHERE account_id IS NULL ORDER BY id")			\
	X(NAMES_APPT_TEXT, "SELECT match_text, matched_account_id"	\
	    " FROM appointments WHERE id = ?1 AND account_id IS NULL")	\
	X(NAMES_APPT_MATCH, "UPDATE appointments"			\
	    " SET matched_account_id = ?2 WHERE id = ?1")		\
	X(NAMES_APPTS, "SELECT id FROM appointments"			\
	    " WHERE account_id IS NULL ORDER BY id")			\
	X(NAMES_WORD_ADD, "INSERT INTO match_words(word, signal_id,"	\
	    " appointment_id) VALUES(?1, ?2, ?3)")			\
	X(NAMES_WORD_FIND, "SELECT signal_id, appointment_id"		\
	    " FROM match_words WHERE word = ?1")			\
	X(NAMES_WORD_CLEAR, "DELETE FROM match_words")

enum names_stmt {
	NAMES_STMTS(STORE_STMT_ENUM)
	NAMES__COUNT
};

static const char *const names_sql[] = {
	NAMES_STMTS(STORE_STMT_SQL)
};

const struct store_part names_part = { "names", names_sql, NAMES__COUNT };

/* A word of a text: [start, end) in bytes. */
struct names_word {
	size_t	start;
	size_t	end;
};

/* The statement id of attribution, ready to bind. */
static sqlite3_stmt *
names_stmt(struct store *st, enum names_stmt id)
{
	return store_stmt(st, STORE_PART_NAMES, id);
}

/* Touches an account by row id (0: none). */
static int
names_touch_id(struct store *st, struct strlist *touched, int64_t id,
    struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (id == 0)
		return 0;
	s = names_stmt(st, NAMES_ACCOUNT_KEY);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_touch(st, touched, store_column_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, err, "account key");
	return 0;
}

static bool
names_is_word_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/*
 * Splits text into words the way util_has_word sees them (runs of ASCII
 * letters, digits and bytes >= 0x80); at most max words.
 */
static size_t
names_words(const char *text, struct names_word *v, size_t max)
{
	size_t i = 0, n = 0;

	while (text[i] != '\0' && n < max) {
		if (!names_is_word_char((unsigned char)text[i])) {
			i++;
			continue;
		}
		v[n].start = i;
		while (names_is_word_char((unsigned char)text[i]))
			i++;
		v[n++].end = i;
	}
	return n;
}

/*
 * The best account for an unattributed text: every run of up to
 * NAMES_WORDS consecutive words is looked up in account_names, so a
 * hit is a whole-word occurrence of that name.  The longest name wins,
 * then the smallest account key, so that the answer depends only on the
 * text and the set of names.  *best is 0 when nothing matches.
 */
static int
names_best_match(struct store *st, const char *text, int64_t *best,
    struct err *err)
{
	struct names_word *w;
	sqlite3_stmt *s;
	char *best_key = NULL;
	size_t nw, i, j, len, best_len = 0;
	int rc = 0;

	*best = 0;
	if (text == NULL)
		return 0;
	w = xreallocarray(NULL, NAMES_MAX_WORDS, sizeof *w);
	nw = names_words(text, w, NAMES_MAX_WORDS);
	s = names_stmt(st, NAMES_FIND);
	for (i = 0; i < nw && rc == 0; i++) {
		for (j = i; j < nw && j < i + NAMES_WORDS; j++) {
			len = w[j].end - w[i].start;
			if (len > NAMES_MAX)
				break;
			sqlite3_reset(s);
			sqlite3_bind_text(s, 1, text + w[i].start, (int)len,
			    SQLITE_STATIC);
			for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
				const char *key = store_column_text(s, 1);

				if (len > best_len || (len == best_len &&
				    strcmp(key, best_key) < 0)) {
					free(best_key);
					best_key = xstrdup(key);
					best_len = len;
					*best = sqlite3_column_int64(s, 0);
				}
			}
			if (store_done(st, s, rc, err, "name lookup") != 0) {
				rc = -1;
				break;
			}
			rc = 0;
		}
	}
	sqlite3_clear_bindings(s);
	free(best_key);
	free(w);
	return rc;
}

/*
 * Attributes one unattributed signal or appointment from its text and
 * stores the result if it changed; a signal's old and new accounts are
 * touched, since both projections change.
 */
static int
names_resolve_row(struct store *st, bool appt, int64_t id, const char *text,
    int64_t old, struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	int64_t best;

	if (names_best_match(st, text, &best, err) != 0)
		return -1;
	if (best == old)
		return 0;
	s = names_stmt(st, appt ? NAMES_APPT_MATCH : NAMES_SIGNAL_MATCH);
	sqlite3_bind_int64(s, 1, id);
	store_bind_id(s, 2, best);
	if (store_run(st, s, err, "attribution") != 0)
		return -1;
	if (appt)
		return 0;
	if (names_touch_id(st, touched, old, err) != 0 ||
	    names_touch_id(st, touched, best, err) != 0)
		return -1;
	return 0;
}

/* Re-attributes a stored row by id, reading its text and current match. */
static int
names_resolve_id(struct store *st, bool appt, int64_t id, const char *name,
    struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	char *text = NULL;
	int64_t old = 0;
	int rc;

	s = names_stmt(st, appt ? NAMES_APPT_TEXT : NAMES_SIGNAL_TEXT);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		text = xstrdup(store_column_text(s, 0));
		old = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, err, "attribution text");
	rc = 0;
	if (text != NULL && (name == NULL || util_has_word(text, name)))
		rc = names_resolve_row(st, appt, id, text, old, touched, err);
	free(text);
	return rc;
}

/* Records the distinct words of an unattributed row's text in match_words. */
static int
names_index_words(struct store *st, bool appt, int64_t id, const char *text,
    struct err *err)
{
	struct names_word *w;
	struct strlist seen = { 0 };
	sqlite3_stmt *s;
	size_t nw, i;
	char *word;
	int rc = 0;

	if (text == NULL)
		return 0;
	w = xreallocarray(NULL, NAMES_MAX_WORDS, sizeof *w);
	nw = names_words(text, w, NAMES_MAX_WORDS);
	for (i = 0; i < nw && rc == 0; i++) {
		word = util_lower(xstrndup(text + w[i].start,
		    w[i].end - w[i].start));
		if (strlist_contains(&seen, word)) {
			free(word);
			continue;
		}
		strlist_take(&seen, word);
		s = names_stmt(st, NAMES_WORD_ADD);
		sqlite3_bind_text(s, 1, word, -1, SQLITE_STATIC);
		store_bind_id(s, 2, appt ? 0 : id);
		store_bind_id(s, 3, appt ? id : 0);
		rc = store_run(st, s, err, "match words");
	}
	strlist_clear(&seen);
	free(w);
	return rc;
}

/*
 * A new account name claims the unattributed rows whose text holds it: the
 * rows with its first word come from match_words, and each is attributed
 * again against all names (a longer name elsewhere may still win).
 */
static int
names_claim(struct store *st, const char *name, struct strlist *touched,
    struct err *err)
{
	struct store_ids sigs = { 0 }, appts = { 0 };
	struct names_word w;
	sqlite3_stmt *s;
	char *first;
	size_t i;
	int rc;

	if (names_words(name, &w, 1) == 0)
		return 0;
	first = util_lower(xstrndup(name + w.start, w.end - w.start));
	s = names_stmt(st, NAMES_WORD_FIND);
	sqlite3_bind_text(s, 1, first, -1, SQLITE_STATIC);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			store_ids_add(&sigs, sqlite3_column_int64(s, 0));
		else
			store_ids_add(&appts, sqlite3_column_int64(s, 1));
	}
	rc = store_done(st, s, rc, err, "match words");
	free(first);
	for (i = 0; i < sigs.n && rc == 0; i++)
		rc = names_resolve_id(st, false, sigs.v[i], name, touched, err);
	for (i = 0; i < appts.n && rc == 0; i++)
		rc = names_resolve_id(st, true, appts.v[i], name, touched, err);
	store_ids_free(&sigs);
	store_ids_free(&appts);
	return rc;
}

/*
 * Normalises an account name for matching: trimmed of everything but word
 * characters at both ends ("Acme B.V." matches as "Acme B.V").  Returns
 * NULL for a name that cannot match as words.  Caller frees.
 */
static char *
names_normalise(const char *name)
{
	struct names_word w[NAMES_WORDS + 1];
	size_t n, len;

	n = names_words(name, w, NAMES_WORDS + 1);
	if (n == 0 || n > NAMES_WORDS)
		return NULL;
	len = w[n - 1].end - w[0].start;
	if (len > NAMES_MAX)
		return NULL;
	return xstrndup(name + w[0].start, len);
}

/* Adds one name to an account and lets it claim unattributed rows. */
static int
names_insert(struct store *st, int64_t account, const char *key,
    const char *name, struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	char *norm;
	int rc;

	norm = names_normalise(name);
	if (norm == NULL) {
		log_warn("account %s: name \"%s\" cannot be matched as words, "
		    "skipped", key, name);
		return 0;
	}
	s = names_stmt(st, NAMES_ADD);
	sqlite3_bind_int64(s, 1, account);
	sqlite3_bind_text(s, 2, norm, -1, SQLITE_STATIC);
	rc = store_run(st, s, err, "account name");
	if (rc == 0 && sqlite3_changes(st->db) > 0)
		rc = names_claim(st, norm, touched, err);
	free(norm);
	return rc;
}

int
names_account_new(struct store *st, int64_t account, const char *key,
    struct strlist *touched, struct err *err)
{
	struct strlist names = { 0 };
	size_t i;
	int rc = 0;

	account_names(key, &names);
	for (i = 0; i < names.n && rc == 0; i++)
		rc = names_insert(st, account, key, names.v[i], touched, err);
	strlist_clear(&names);
	return rc;
}

int
names_attribute(struct store *st, bool appt, int64_t id, const char *text,
    struct strlist *touched, struct err *err)
{
	if (names_index_words(st, appt, id, text, err) != 0)
		return -1;
	return names_resolve_row(st, appt, id, text, 0, touched, err);
}

int
names_rebuild(struct store *st, struct err *err)
{
	struct store_ids ids = { 0 };
	sqlite3_stmt *s;
	char *text;
	size_t i;
	int pass, rc;

	if (store_run(st, names_stmt(st, NAMES_WORD_CLEAR), err, "words") != 0)
		return -1;
	for (pass = 0; pass < 2; pass++) {
		bool appt = pass == 1;

		rc = store_ids_collect(st, names_stmt(st, appt ?
		    NAMES_APPTS : NAMES_SIGNALS), &ids, err);
		for (i = 0; i < ids.n && rc == 0; i++) {
			s = names_stmt(st, appt ? NAMES_APPT_TEXT :
			    NAMES_SIGNAL_TEXT);
			sqlite3_bind_int64(s, 1, ids.v[i]);
			rc = sqlite3_step(s);
			text = rc == SQLITE_ROW ?
			    xstrdup(store_column_text(s, 0)) : NULL;
			rc = store_done(st, s, rc == SQLITE_ROW ? SQLITE_DONE :
			    rc, err, "attribution text");
			if (rc == 0)
				rc = names_index_words(st, appt, ids.v[i],
				    text, err);
			free(text);
			if (rc == 0)
				rc = names_resolve_id(st, appt, ids.v[i], NULL,
				    NULL, err);
		}
		store_ids_free(&ids);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
names_add(struct store *st, const char *account, const char *name,
    struct err *err)
{
	int64_t id;
	bool own;
	int rc;

	if (account == NULL || account[0] == '\0' || name == NULL)
		return err_set(err, ERR_DATA, "account name: empty account");
	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	rc = store_account(st, account, &id, NULL, err);
	if (rc == 0)
		rc = names_insert(st, id, account, name, NULL, err);
	return store_auto_end(st, own, rc, err);
}

