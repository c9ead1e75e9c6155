/* SPDX-License-Identifier: MIT */
/*
 * Projection: the deals and transitions of accounts recomputed from their
 * signals through the phase model (phases.h) and written to the store,
 * keeping deal ids stable per (account, seq) and transition ids where the
 * projection did not change.  Each function runs inside the caller's
 * transaction when one is open (store_begin), else in one of its own.
 */
#ifndef SC_PROJECT_H
#define SC_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"
#include "xmalloc.h"

/*
 * Projects the given accounts.  "" is skipped: the accounts that
 * unattributed signals name are in the list themselves.  Accounts
 * re-attributed by names_add (which has no touched list) are projected
 * too.  now decides staleness.
 */
int	project_accounts(struct store *, const struct config *,
	    const struct strlist *accounts, time_t now, struct err *);

/*
 * Deferred projection, for large syncs: project_mark_dirty records the
 * accounts (and those re-attributed since) in the same transaction as the
 * batch that touched them; project_dirty projects every recorded account
 * once and clears the record.  A crash in between leaves the record, so
 * the next project_dirty catches up.
 */
int	project_mark_dirty(struct store *, const struct strlist *accounts,
	    struct err *);
int	project_dirty(struct store *, const struct config *, time_t now,
	    struct err *);

/*
 * Projects again the accounts whose open deals have had no activity for
 * stale_after_days, so that they turn lost without a new signal (the agent
 * calls it daily).  Returns the number of accounts, or -1.
 */
int	project_stale(struct store *, const struct config *, time_t now,
	    struct err *);

/*
 * Attributes every unattributed row again, commits that (the accounts it
 * moved recorded as project_mark_dirty does), then projects every account
 * in one transaction (salescycle rebuild): a thread reads and projects
 * the next accounts on a connection of its own while the last are
 * written.
 */
int	project_rebuild(struct store *, const struct config *, time_t now,
	    struct err *);

/* The accounts the last rebuild read on its reading thread. */
extern size_t project_read_ahead;

#endif
