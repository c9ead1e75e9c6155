/* SPDX-License-Identifier: MIT */
/*
 * The inside of the store layer, shared by its modules and by no other
 * (unit tests that inspect tables excepted): store.c (connection, schema,
 * transactions, rows), store-query.c (the reads of reports and analyses),
 * names.c (attribution by account name), links.c (free-mail addresses
 * linked to companies) and project.c (deals and transitions).
 *
 * Each module lists its SQL in a part (an X-macro list of name and
 * statement); store_open prepares the statements of every part once and
 * store_close finalizes them, so that a statement is compiled once per
 * connection however often it runs.  Values are always bound; no SQL is
 * ever formatted.
 */
#ifndef SC_STORE_INT_H
#define SC_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"

/* For a module's statement list X(NAME, "SQL"): its enum and its SQL. */
#define STORE_STMT_ENUM(e, sql)	e,
#define STORE_STMT_SQL(e, sql)	sql,

/*
 * The signals that can carry an amount (money_signal_value), columns
 * named with prefix p ("" or "s."): an offer whose subject has a
 * currency mark (money_find needs one: "\u20ac", or "eur" in any case),
 * a value signal with a value.  The index signals_valued holds these
 * rows; a query that names the same terms may read it.
 */
#define STORE_VALUED(p)							\
	"((" p "kind = 'offer_sent' AND (instr(" p "subject, '\xe2\x82\xac')"	\
	" > 0 OR instr(lower(" p "subject), 'eur') > 0))"		\
	" OR (" p "kind = 'value' AND " p "value IS NOT NULL))"

/*
 * The signals that state a fact of a deal's qualification (analysis_fact:
 * #decision, #competitor, #need, #problem), columns named with prefix p.
 * The index signals_facts holds these rows by account and time; a query
 * that names the same terms may read it.
 */
#define STORE_FACTS(p)							\
	"(" p "kind = 'decision' OR " p "kind = 'competitor' OR "	\
	p "kind = 'need' OR " p "kind = 'problem')"

/*
 * The signals that occurred at or after the moment they were stored
 * (appointments booked ahead, mail dated ahead), columns named with
 * prefix p: the index signals_ahead holds them.  A signal that occurred
 * at or after a time t no earlier than any signal was stored is one of
 * them, so the accounts with a signal at or after now come from it.
 */
#define STORE_AHEAD(p)							\
	"(" p "occurred_at >= " p "seen_at)"

/*
 * The signals that belong to the history: attributed to an account, or
 * unattributed and matched to one by name (names.c); signals_first holds
 * them by time (schema 21).  Columns named with prefix p.
 */
#define STORE_ATTRIBUTED(p)						\
	"(" p "account_id IS NOT NULL OR " p "matched_account_id IS NOT NULL)"

/*
 * The lost signals that give a reason (lost.c), columns named with prefix
 * p: the index signals_lost holds them.
 */
#define STORE_LOST(p)							\
	"(" p "kind = 'lost' AND " p "value IS NOT NULL)"

/*
 * The signals a digest reads of its period and trend (digest.c), columns
 * named with prefix p ("" or "s."): the offers sent it counts and the
 * salesperson's hashtags it lists.  The index signals_digested holds
 * these rows by time; a query that names the same terms may read it.
 */
#define STORE_DIGESTED(p)						\
	"(" p "kind = 'offer_sent' OR " p "rule GLOB 'hashtag:*')"

/* The statements of one module. */
struct store_part {
	const char		*name;	/* for errors */
	const char *const	*sql;
	size_t			 n;
};

enum store_part_id {
	STORE_PART_STORE,
	STORE_PART_NAMES,
	STORE_PART_PROJECT,
	STORE_PART_QUERY,
	STORE_PART_LINKS,
	STORE_PART__COUNT
};

extern const struct store_part links_part;
extern const struct store_part names_part;
extern const struct store_part project_part;
extern const struct store_part store_query_part;

struct store {
	sqlite3		*db;
	bool		 readonly;
	bool		 in_txn;
	sqlite3_stmt	**stmt[STORE_PART__COUNT];	/* owned, per part */
	struct strlist	 pending;	/* accounts re-attributed without a touched list */
};

/* A growable array of row ids. */
struct store_ids {
	int64_t	*v;	/* owned */
	size_t	 n;
	size_t	 cap;
};

void	store_ids_add(struct store_ids *, int64_t);
void	store_ids_free(struct store_ids *);
/* Adds the ids (first column) of a statement's rows to ids. */
int	store_ids_collect(struct store *, sqlite3_stmt *, struct store_ids *,
	    struct err *);

/* The connection, for tests that look at tables directly. */
sqlite3	*store_db(struct store *);

/* Sets a connection up for a bulk job (on) or back (off). */
int	store_bulk(struct store *, bool on, struct err *);

/* Statement id of a part, reset and with its bindings cleared, ready to bind. */
sqlite3_stmt *store_stmt(struct store *, enum store_part_id, int id);

/* Fills err from the connection's last error (rc graded); returns -1. */
int	store_fail(struct store *, int rc, struct err *, const char *what);

/* Binds text, NULL as NULL; the value must outlive the step. */
void	store_bind_text(sqlite3_stmt *, int, const char *);
/* Binds an id, 0 (no row) as NULL. */
void	store_bind_id(sqlite3_stmt *, int, int64_t);
/* Binds a time, 0 (unset) as NULL. */
void	store_bind_time(sqlite3_stmt *, int, time_t);
const char *store_column_text(sqlite3_stmt *, int);
/* A time column, NULL as 0. */
time_t	store_column_time(sqlite3_stmt *, int);

/* Runs a statement that returns no rows (or whose row is not needed). */
int	store_run(struct store *, sqlite3_stmt *, struct err *, const char *what);
/* Finishes a row loop: the last step must have been SQLITE_DONE. */
int	store_done(struct store *, sqlite3_stmt *, int rc, struct err *,
	    const char *what);

/*
 * Opens a transaction for a function that writes several rows unless the
 * caller has one open; store_auto_end commits (rc 0) or rolls back what it
 * opened and returns rc.
 */
int	store_auto_begin(struct store *, bool *own, struct err *);
int	store_auto_end(struct store *, bool own, int rc, struct err *);

/*
 * The row id of an account, created with its default names when new (the
 * new names then claim the unattributed rows that mention them).
 */
int	store_account(struct store *, const char *key, int64_t *id,
	    struct strlist *touched, struct err *);

/* names.c: attribution by name as the store writes rows. */
/* Gives a new account its default names (account_names()), which claim rows. */
int	names_account_new(struct store *, int64_t account, const char *key,
	    struct strlist *touched, struct err *);
/* Indexes the words of a new unattributed row and attributes it by them. */
int	names_attribute(struct store *, bool appt, int64_t id,
	    const char *text, struct strlist *touched, struct err *);
/*
 * Indexes the words of every unattributed row again and attributes each
 * against all names: what the incremental path keeps up, from scratch.
 */
int	names_rebuild(struct store *, struct err *);

/* Adds key to touched (or the pending list when touched is NULL), once. */
void	store_touch(struct store *, struct strlist *touched, const char *key);

#endif
