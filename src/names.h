/* SPDX-License-Identifier: MIT */
/*
 * Attribution by account name: a signal or appointment without an
 * external party (a calendar event "Demo bij Acme") belongs to the
 * account whose name its text holds as whole words.  The store attributes
 * such rows as it writes them; this is the one call from outside, for the
 * names of a target list.
 */
#ifndef SC_NAMES_H
#define SC_NAMES_H

#include "err.h"
#include "store.h"

/*
 * Adds a name to an account (and the account if new).  The name claims
 * the unattributed rows that mention it; the accounts whose attribution
 * changed are projected by the next project_accounts.  A name that cannot
 * match as words (none, or more than 8) is warned about and skipped.
 * Runs in the caller's transaction when one is open, else in its own.
 */
int	names_add(struct store *, const char *account, const char *name,
	    struct err *);

#endif
