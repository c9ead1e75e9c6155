/* SPDX-License-Identifier: MIT */
/*
 * A source driver (isync's driver.h): the agent polls every configured
 * source through this table and never knows the protocol.  A driver keeps
 * whatever it wants between polls (an open IMAP connection) in *state.
 */
#ifndef SC_SOURCE_H
#define SC_SOURCE_H

#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* One finding of a check: ok or not, and what, as one line of text. */
typedef void (*source_say_fn)(void *arg, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct source_ops {
	enum source_type type;
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

const struct source_ops *source_ops_for(enum source_type);

#endif
