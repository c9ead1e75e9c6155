/* SPDX-License-Identifier: MIT */
/*
 * One customer, two addresses: a free-mail address (an account keyed by
 * the full address, jan.bakker@gmail.com) linked to the company account
 * of the same customer (acme.nl).  The projection reads a linked
 * address's signals as the company's (project.c), so its evidence moves
 * into the company's deals, and rebuild applies every link to history.
 *
 * Links are made by hand (salescycle link) or learnt from one item that
 * names the free-mail address together with the addresses of exactly one
 * company account: a meeting with both, a mail to both, a mail from one
 * that answers (In-Reply-To, References) a mail of the other.  A learnt
 * link never replaces another; a link made by hand replaces any.
 */
#ifndef SC_LINKS_H
#define SC_LINKS_H

#include <time.h>

#include "err.h"
#include "model.h"
#include "store.h"

/*
 * Links address (a free-mail account key) to account (a company account
 * key); how is "manual", "meeting" or "mail".  Both keys are added to
 * touched when the link is new or changed.  Returns 1 when it is, 0 when
 * it was there already (or a learnt link met an existing one), -1 on
 * error (ERR_FINAL for keys that cannot be linked).
 */
int	links_add(struct store *, const char *address, const char *account,
	    const char *how, time_t now, struct strlist *touched, struct err *);

/* Removes address's link; touched as above.  Returns 1, 0 when none, or -1. */
int	links_remove(struct store *, const char *address,
	    struct strlist *touched, struct err *);

/*
 * Learns links from newly classified signals: consecutive signals with
 * the same evidence (Message-ID or event UID) are one item; the stored
 * signals of the messages a mail answers (signal.thread) count with it.
 */
int	links_learn(struct store *, const struct signal_list *, time_t now,
	    struct strlist *touched, struct err *);

/*
 * The links of key: the addresses linked to it (a company account), or
 * the account it is linked to (a free-mail address), in address order.
 * The strings are borrowed for the call; a non-zero return stops the
 * walk and is returned.
 */
int	links_list(struct store *, const char *key,
	    int (*cb)(const char *address, const char *account, const char *how,
	    time_t at, void *), void *arg, struct err *);

#endif
