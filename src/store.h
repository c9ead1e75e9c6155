/* SPDX-License-Identifier: MIT */
/*
 * The SQLite store: salespeople, accounts, signals (the facts), deals and
 * transitions (their projection), appointments, sync cursors and source
 * health.  WAL mode with a busy timeout so that the CLI reads while the
 * agent writes; foreign keys on; schema migrated by PRAGMA user_version;
 * statements prepared once in store_open and always bound.
 *
 * One struct store per thread: SQLite connections are not shared.
 *
 * The writing functions below run inside the caller's transaction when one
 * is open (store_begin), else in one of their own.
 */
#ifndef SC_STORE_H
#define SC_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "model.h"

struct store;

#define STORE_READONLY	0x01
/*
 * For writing, but another connection of the process migrated the schema
 * already (the agent's workers): its version is checked as a reader
 * does, without the write transaction of a migration, which would wait
 * for another process' writer.
 */
#define STORE_MIGRATED	0x02

/*
 * The database, its -wal and -shm hold customers, subjects and cursors:
 * private to the user the programs run as, or readable by one group (the
 * managers who query it) when [general] group is set.  SQLite creates the
 * database with 0644 less the umask and the other two with the
 * database's mode, so the programs set their umask from these (077 or
 * 027) before anything is created, and store_set_access() corrects files
 * made before.
 */
#define STORE_MODE_PRIVATE	0600
#define STORE_MODE_GROUP	0640
#define STORE_UMASK_PRIVATE	077
#define STORE_UMASK_GROUP	027

/*
 * Opens (creating and migrating unless read-only) the database at path.
 * Another program's SQLite file is refused.  Errors start with the path.
 */
int	store_open(const char *path, int flags, struct store **out, struct err *);

/*
 * Makes the database, -wal and -shm mode 0600, or 0640 and owned by group
 * gid when group_name is not NULL; a loosened mode is tightened with a
 * warning.  Errors (ERR_FINAL) name the file: another owner, a group the
 * user does not belong to.
 */
int	store_set_access(struct store *, const char *group_name, gid_t gid,
	    struct err *);

/*
 * Whether members of the readers' group can reach the database at path:
 * its folder must let them in (group gid with g+x, or o+x).  False with
 * what to run in why otherwise (the folder is the admin's: it is not
 * changed here); true when the folder is not there yet.
 */
bool	store_group_can_enter(const char *path, const char *group_name,
	    gid_t gid, char *why, size_t len);

/*
 * Locks DATABASE.lock (0600, beside the database) for the life of the
 * process, so that a second agent on the same database is refused
 * instead of fetching everything again and mailing the digest twice.
 * *fd stays open (close-on-exec) until exit.  Fails (ERR_FINAL) naming
 * the other agent's pid when another process holds the lock.
 */
int	store_lock(const char *path, int *fd, struct err *);
void	store_close(struct store *);
/*
 * A second, read-only connection to st's database file, for a thread
 * to read beside st: false for a database in memory or one that cannot
 * be opened again.  It reads the last commit, not what an open
 * transaction of st's wrote (store_writing).
 */
bool	store_open_reader(struct store *st, struct store **out);
/* Whether st has a write transaction open (another connection does not see it). */
bool	store_writing(struct store *);
/*
 * A read made beside the caller's: fn(reader, arg, err) on a second
 * connection, on a thread of its own, in one snapshot of the last
 * commit when it starts.
 */
struct store_beside {
	struct store	*st;		/* the second connection, owned */
	pthread_t	 tid;
	int		(*fn)(struct store *, void *, struct err *);
	void		*arg;
	int		 rc;
	struct err	 err;
};
/*
 * Starts fn beside st: false, and nothing started, under util_one_thread,
 * while st has a write of its own to hide from it (store_writing) or
 * without a second connection; the caller then runs fn on st itself.
 */
bool	store_beside_start(struct store *st, struct store_beside *,
	    int (*fn)(struct store *, void *, struct err *), void *arg);
/* Waits for fn and ends it: rc, or fn's failure (its err) when rc is 0. */
int	store_beside_join(struct store_beside *, int rc, struct err *);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; a nested store_begin fails (ERR_FINAL). */
int	store_begin(struct store *, struct err *);
int	store_commit(struct store *, struct err *);
void	store_rollback(struct store *);
/*
 * A reader's one snapshot until store_close (BEGIN, deferred): every
 * statement then reads the same commit, and none takes and drops the
 * WAL's read lock on its own (a third of a command that runs a query per
 * deal: `qualification` at 10M signals).
 */
int	store_snapshot(struct store *, struct err *);

/* Records the configured salespeople (name, manager) so reports can name them. */
int	store_sync_salespeople(struct store *, const struct config *, struct err *);

/* The row id of an account; *id 0 if there is none. */
int	store_account_find(struct store *, const char *key, int64_t *id,
	    struct err *);

/*
 * Inserts signals; a signal whose ref is stored already is skipped.  The
 * keys of accounts whose signals changed are added to touched (and "" when
 * an unattributed signal was added).  Unattributed signals and
 * appointments are attributed by account name right here (names.c; and
 * claimed again when a new account's names match them); the accounts whose
 * attribution changed are in touched too.  Returns the number inserted,
 * or -1.
 */
int	store_add_signals(struct store *, const struct signal_list *,
	    struct strlist *touched, struct err *);

/*
 * Replaces everything a calendar item gave before (signals and
 * appointments of source+item) with the new ones.  Touched as above,
 * including accounts that lost signals.  Returns how many of its signals
 * the item did not give before (0 when it gives the same again), or -1.
 */
int	store_replace_item(struct store *, const char *source, const char *item,
	    const struct signal_list *, const struct appointment_list *,
	    struct strlist *touched, struct err *);

/*
 * Items of a source ("item" column) with their stored version (etag, may be
 * NULL), in item order, for diffing.  The callback may write to the store;
 * a non-zero return stops the walk.
 */
int	store_items(struct store *, const char *source,
	    int (*cb)(const char *item, const char *version, void *), void *arg,
	    struct err *);
/*
 * Writes a new item: its row with version and first_seen, its signals and
 * its appointments, without looking for what it gave before, since an
 * item without a row gave nothing (a first sync of a calendar with
 * nothing stored).  When the item has a row already, writes nothing and
 * leaves *added false: the caller replaces it (store_replace_item,
 * store_item_version_set).  Touched as above.  Returns the number of its
 * signals, as store_replace_item counts them, or -1.
 */
int	store_add_item(struct store *, const char *source, const char *item,
	    const char *version, time_t first_seen,
	    const struct signal_list *, const struct appointment_list *,
	    struct strlist *touched, bool *added, struct err *);
/*
 * Records an item's version; the first call also records when it was
 * first seen: first_seen, the time its undated events were given.
 */
int	store_item_version_set(struct store *, const char *source, const char *item,
	    const char *version, time_t first_seen, struct err *);
/* When store_item_version_set first saw the item; *out 0 if never. */
/* The stored version of an item; *version NULL if none or unknown.  Caller frees. */
int	store_item_version(struct store *, const char *source, const char *item,
	    char **version, struct err *);
int	store_item_first_seen(struct store *, const char *source, const char *item,
	    time_t *out, struct err *);
/* Removes an item's signals, appointments and version. */
int	store_remove_item(struct store *, const char *source, const char *item,
	    struct strlist *touched, struct err *);

/*
 * The iTIP messages of a meeting a salesperson was invited to, per
 * source, UID and part ("organizer": the organizer's newest REQUEST or
 * CANCEL; "reply": the salesperson's newest REPLY; "own": the
 * salesperson's own newest REQUEST or CANCEL; "answer:ADDR": a customer's
 * newest REPLY to it), each the newest by
 * its version (pipeline.c).  *version and *body are NULL when none is
 * stored; body may be NULL when only the version is wanted.  Caller
 * frees.  Retention removes those last written before its cutoff.
 */
int	store_invitation_get(struct store *, const char *source, const char *uid,
	    const char *part, char **version, char **body, struct err *);
int	store_invitation_set(struct store *, const char *source, const char *uid,
	    const char *part, const char *version, const char *body,
	    struct err *);
/* Adds the bodies of every "answer:" part of the UID to bodies. */
int	store_invitation_answers(struct store *, const char *source,
	    const char *uid, struct strlist *bodies, struct err *);

/* Sync cursors: free-form values per (source, scope, name). *value NULL if unset; caller frees. */
int	store_cursor_get(struct store *, const char *source, const char *scope,
	    const char *name, char **value, struct err *);
int	store_cursor_set(struct store *, const char *source, const char *scope,
	    const char *name, const char *value, struct err *);
int	store_cursor_clear(struct store *, const char *source, const char *scope,
	    struct err *);
/*
 * The cursors of a source in order of scope and name; the strings are
 * borrowed for the call.  A non-zero return stops the walk and is
 * returned.
 */
int	store_cursor_list(struct store *, const char *source,
	    int (*cb)(const char *scope, const char *name, const char *value,
	    void *), void *arg, struct err *);

/* Source health for `salescycle status` and the digest. */
struct source_health {
	char	*source;	/* owned */
	time_t	 last_attempt;
	time_t	 last_success;
	time_t	 backoff_until;
	char	*last_error;	/* owned, NULL if the last poll was fine */
	time_t	 error_since;
};
int	store_health_success(struct store *, const char *source, time_t now, struct err *);
int	store_health_failure(struct store *, const char *source, time_t now,
	    const char *error, time_t backoff_until, struct err *);
int	store_health_list(struct store *, struct source_health **out, size_t *n, struct err *);
void	source_health_free(struct source_health *, size_t n);

/*
 * The record of digests (digest.c), per period and recipient: a state
 * (claimed before sending, then sent or failed) and the Message-ID.
 */
/* Whether the period's digest went to recipient, or is being sent. */
bool	store_digest_taken(struct store *, const char *period,
	    const char *recipient);
/* The record's state and Message-ID; both NULL when there is none.  Caller frees. */
int	store_digest_get(struct store *, const char *period,
	    const char *recipient, char **state, char **msgid, struct err *);
/* Claims the period's digest to recipient for Message-ID msgid. */
int	store_digest_claim(struct store *, const char *period,
	    const char *recipient, const char *msgid, time_t now, struct err *);
/* Records the outcome of claim msgid: sent, or failed unless taken since. */
int	store_digest_done(struct store *, const char *period,
	    const char *recipient, const char *msgid, bool sent, time_t now,
	    struct err *);

/*
 * Removes evidence older than cutoff, keeping transitions: signal subjects
 * (refs become "expired:ID", so a re-read message is stored again),
 * transition refs and appointment summaries.
 */
int	store_retention(struct store *, time_t cutoff, struct err *);

#endif
