/* SPDX-License-Identifier: MIT */
/*
 * The sources (isync's driver.h): a driver table per source type, which
 * the agent polls and `doctor` checks without knowing the protocol, and
 * the layer the drivers share (source.c) so that each keeps to its
 * protocol:
 *
 * - the poll loop over a source's collections (IMAP folders, CalDAV
 *   calendars) with one outcome per collection (enum source_status):
 *   go on, skip it, discover again, or stop;
 * - the discovery cache: the list of collections kept in the store as
 *   rows, so that a new process need not discover again;
 * - cursors as numbers, and the commit of a batch with its cursors (where
 *   the crash test hook lives);
 * - the doctor reporter, which counts what failed;
 * - the configuration keys: those every source takes, and each driver's
 *   own, which config.c reads through this table;
 * - the connections kept between polls: a cache shared by every driver
 *   (struct source_pool), bounded whatever the number of sources, and
 *   the descriptor limit they live under.
 */
#ifndef SC_SOURCE_H
#define SC_SOURCE_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "pipeline.h"
#include "store.h"

/* One finding of a check: ok or not, and what, as one line of text. */
typedef void (*source_say_fn)(void *arg, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct source_ops {
	enum source_type type;
	const char	*section;	/* its config section: [imap KEY] */
	/* The url = schemes it takes, the first the one to recommend. */
	const char *const *schemes;
	/* A scheme that sends passwords in clear: only with tls = none. */
	const char	*cleartext;
	/* The url is the feed's secret: never shown, not even its path. */
	bool		 secret_url;
	/*
	 * Its own keys, besides source_keys (config.c reads both): fields
	 * of struct source that only this driver reads, strings or lists.
	 */
	const struct config_key *keys;
	/*
	 * Polls once: fetches what changed since the stored cursors and
	 * commits it through a pipeline (pipeline.h).  Checks *stop between
	 * folders and batches and returns early (0) when it is set.  On
	 * failure fills err; its class decides the back-off (err.h).
	 */
	int	(*poll)(void **state, const struct config *, const struct source *,
		    struct store *, volatile sig_atomic_t *stop, struct err *);
	/* Drops what poll kept in *state (connections); state may be NULL. */
	void	(*close)(void *state);
	/*
	 * Whether state holds an open connection now (one descriptor) that
	 * is worth keeping for the next poll; NULL when none is: HTTP
	 * servers close idle connections within a minute or so, while an
	 * IMAP server keeps a session for half an hour (RFC 3501 section
	 * 5.4).
	 */
	bool	(*connected)(void *state);
	/*
	 * Closes state's connections and keeps the rest (what was
	 * discovered, secrets), so that the next poll connects again; NULL
	 * when poll keeps none.  Called after each poll when connected is
	 * NULL or --once, else when the cache of kept connections evicts it.
	 */
	void	(*disconnect)(void *state);
	/*
	 * Checks the source for `salescycle doctor`: connects, verifies TLS,
	 * logs in and finds what poll would read, strictly read-only and
	 * without the store, each network step bounded by src->timeout.
	 * Reports every finding through say (ok, or what is wrong and how
	 * to fix it; never a secret).  Returns 0 when everything works, -1
	 * when something does not (err holds the first failure).
	 */
	int	(*check)(const struct config *, const struct source *,
		    source_say_fn say, void *arg, struct err *);
};

extern const struct source_ops imap_source_ops;
extern const struct source_ops caldav_source_ops;
extern const struct source_ops ics_source_ops;
extern const struct source_ops graph_source_ops;

/* The driver of a source type, or of a config section name; NULL if none. */
const struct source_ops *source_ops_for(enum source_type);
const struct source_ops *source_ops_by_section(const char *section);

/* The keys of every source section (salesperson, url, user, ...). */
extern const struct config_key source_keys[];

/* What syncing one collection (a folder, a calendar) ended with. */
enum source_status {
	SOURCE_OK = 0,
	SOURCE_SKIP,	/* it failed (err); the others are polled */
	SOURCE_GONE,	/* it is not there (err): discover again, once a poll */
	SOURCE_STOP,	/* the connection or the store failed (err): stop */
};

/* A driver's side of the poll loop (source_sync). */
struct source_sync_ops {
	/*
	 * Takes the collections from the discovery cache (source_cache_load)
	 * when there are none yet; returns when they were discovered, 0 if
	 * there are none.
	 */
	time_t	(*load)(void *drv);
	/* Finds the collections again and keeps them; -1 with err. */
	int	(*discover)(void *drv, struct err *);
	size_t	(*count)(void *drv);
	const char *(*name)(void *drv, size_t i);
	/* Syncs collection i, committing through p (source_commit). */
	enum source_status (*sync)(void *drv, size_t i, struct pipeline *p,
		    struct err *);
	/* Collections are discovered again after this many seconds. */
	time_t	 max_age;
	/* The form names are compared in (NULL: as they are). */
	const char *(*canon)(const char *);
};

/*
 * One poll of a source's collections: the cached ones, or discovered
 * anew when there are none or they are older than max_age; then each in
 * turn through one pipeline (projected once at the end), until *stop.  A
 * collection that is GONE makes the list be discovered again (once a
 * poll) and the loop go on with the collections not synced yet; one that
 * failed (SKIP, or GONE twice) has its uncommitted batch dropped and is
 * logged; STOP ends the poll.  Returns 0, or -1 with err: the first
 * failure (every collection but the failed ones synced, or not).
 */
int	source_sync(const struct source_sync_ops *, void *drv,
	    const struct config *, const struct source *, struct store *,
	    volatile sig_atomic_t *stop, struct err *);

/*
 * Commits the pending batch with cursors (pipeline_commit).  With the
 * test hook SALESCYCLE_TEST_EXIT_AFTER_COMMITS=n the process kills
 * itself (SIGKILL) after its n-th commit, for the crash-safety tests.
 */
int	source_commit(struct pipeline *, const struct cursor *, size_t n,
	    struct err *);

#ifdef SC_TEST_HOOKS
/*
 * A numeric test hook: the positive number in the environment variable
 * name (SALESCYCLE_TEST_*), else def.  Only a build configured with
 * --enable-test-hooks (the test suite's) has them.
 */
long	source_test_hook(const char *name, long def);
#define SOURCE_TEST_HOOK(name, def)	source_test_hook((name), (def))
#else
/* A release build has no test hook: each is its default. */
#define SOURCE_TEST_HOOK(name, def)	(def)
#endif

/* A stored cursor as a number; *out 0 when unset or malformed. */
int	source_cursor_num(struct store *, const struct source *,
	    const char *scope, const char *name, uint64_t *out, struct err *);

/*
 * Adds to out (strlist_add_once) the scopes of the source's cursors
 * called name that listed (the scopes polled now) does not hold, until
 * out holds max: the folders or calendars it synced and no longer lists.
 */
struct hashset;
int	source_scopes_unlisted(struct store *, const struct source *,
	    const char *name, const struct hashset *listed, size_t max,
	    struct strlist *out, struct err *);

/*
 * A discovery list as the store keeps it: one row per field of each
 * entry ("FIELD.N", N from 0), with "count", "time" and "key" (a hash of
 * what it was made for: the settings that change the list), in the
 * source's cursor scope "discovery".  Never text to split: a name that
 * holds a line feed stays a name.
 */
struct source_cache {
	const char *const *fields;	/* borrowed: the fields of an entry */
	size_t		 nfields;
	struct strlist	 values;	/* entry by entry, nfields each */
	time_t		 when;		/* when the list was made */
};

/* The number of entries of a cache. */
size_t	source_cache_count(const struct source_cache *);

/*
 * Saves the list made for key in one transaction, in place of the one
 * kept.  Failures are logged: the list is only a shortcut.
 */
void	source_cache_save(struct store *, const struct source *,
	    const char *key, const struct source_cache *);

/*
 * Loads the list kept for key, if it was made at most max_age seconds
 * before now (util_now()) and holds at most max entries, into c (whose
 * fields the caller set).  Returns 0, or -1 (c->values empty) when there
 * is none fit to use.
 */
int	source_cache_load(struct store *, const struct source *,
	    const char *key, time_t max_age, size_t max,
	    struct source_cache *);

/* Forgets the list kept (it led to a collection that is gone). */
void	source_cache_drop(struct store *, const struct source *);

/*
 * Keeps with the list saved what is wrong with it, for `salescycle
 * status` (its "warning" row, gone with the list).  Failures are logged.
 */
void	source_cache_warn(struct store *, const struct source *,
	    const char *warning);

/*
 * The doctor reporter of a driver: say is doctor's callback, NULL while
 * polling (nothing is said, but failures are still counted).
 */
struct source_report {
	source_say_fn	 say;
	void		*arg;
	unsigned	 nfail;		/* findings that are not ok */
};

/* Reports one finding. */
void	source_note(struct source_report *, bool ok, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Reports a failure, and what to do about it when hint is not NULL. */
void	source_fail(struct source_report *, const char *what,
	    const char *hint);

/*
 * The end of a check: 0 when nothing failed, else -1 with err set to
 * "N problems found" unless it holds a failure already.
 */
int	source_report_end(const struct source_report *, struct err *);

/*
 * The connections kept between polls (issue 15): a cache, not one per
 * source.  The driver state of each source lives in a slot; after a poll
 * the slot joins the idle list as its most recent entry if its driver
 * still holds a connection, and the least recently used ones beyond the
 * bound are disconnected (their state stays).  A slot is taken out of
 * the list for a poll, so that no connection is closed under its poll;
 * taking one whose connection is being closed waits for that.  Open
 * connections are then at most the bound plus one per poll in flight.
 */
struct source_slot {
	void			*state;		/* owned: by ops->close */
	const struct source_ops	*ops;		/* borrowed: state's driver */
	/* The pool's, under its lock: */
	struct source_slot	*older, *newer;	/* in the idle list */
	bool			 idle;		/* in the idle list */
	bool			 closing;	/* the pool disconnects it */
};

struct source_pool {
	pthread_mutex_t		 lock;
	pthread_cond_t		 closed;	/* a closing slot is done */
	struct source_slot	*oldest, *newest;
	size_t			 nidle;
	size_t			 max;		/* connections kept idle */
	unsigned long		 evicted;	/* closed for the bound */
};

/* keep_connections by default: a default install under 256 descriptors. */
#define SOURCE_KEEP_DEFAULT	32

void	source_pool_init(struct source_pool *, size_t max);
/* Disconnects every idle slot (they stay their owners') and frees the pool. */
void	source_pool_destroy(struct source_pool *);

/* A new bound; idle connections beyond it are closed at once. */
void	source_pool_set_max(struct source_pool *, size_t max);

/*
 * Before a poll: takes the slot out of the idle list (its connection is
 * the poll's now), waiting while the pool is closing it.
 */
void	source_pool_take(struct source_pool *, struct source_slot *);

/*
 * After a poll: keep, and the slot's driver holds a connection: the slot
 * becomes the most recent idle one, and the least recently used beyond
 * the bound are disconnected (by the caller's thread, outside the lock).
 * Without keep (--once) its connection is closed now.
 */
void	source_pool_put(struct source_pool *, struct source_slot *, bool keep);

/* Takes the slot out of the pool and frees its driver state. */
void	source_pool_release(struct source_pool *, struct source_slot *);

/*
 * Raises the soft descriptor limit (RLIMIT_NOFILE) to the hard one, as a
 * daemon with many connections should; returns the limit in force.
 */
unsigned long source_fd_raise(void);

/* The soft descriptor limit in force. */
unsigned long source_fd_limit(void);

/*
 * The words for a failure to get a descriptor (EMFILE or ENFILE, never
 * "out of memory"): "too many open files (limit N; ...what to change)".
 */
const char *source_fd_error(int errnum, char *out, size_t len);

/*
 * Why connecting failed (an errno of connect), in the words every driver
 * uses after "HOST:PORT: cannot connect: ": "connection refused" (the
 * host is there, nothing listens on the port), "host unreachable",
 * "network unreachable", "timed out", or the descriptor limit.
 */
const char *source_connect_error(int errnum, char *out, size_t len);

/*
 * What to fix for an error of reaching a server, told by its words:
 * a name that does not resolve ("cannot resolve HOST"), a host that
 * answers but not on that port ("connection refused"), a host that
 * cannot be reached (unreachable, or no answer to connecting).  NULL
 * when the error is none of these.
 */
const char *source_connect_hint(const char *msg);

#endif
