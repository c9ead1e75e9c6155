/* SPDX-License-Identifier: MIT */
/*
 * Lost reasons (issue 12 item 10): why deals were lost, as salespeople
 * say it in a correction ("#lost acme.nl price"), grouped by the reason
 * (case-folded, trimmed, spaces collapsed) and the phase the deal was
 * lost in.  Read by salescycle lost-reasons and the manager's digest.
 */
#ifndef SC_LOST_H
#define SC_LOST_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "store.h"
#include "xmalloc.h"

/* Longest reason kept, in bytes (mail.c cuts a hashtag's value at 200). */
#define LOST_REASON_MAX	200

/* One reason in one phase. */
struct lost_reason {
	char		*reason;	/* owned, folded; NULL: none given */
	char		*phase;		/* owned: the phase the deal was lost in */
	int		 phase_index;	/* in the configured cycle; MAX_PHASES if unknown */
	long		 count;		/* deals lost for it in that phase */
	long		 reason_total;	/* deals lost for it in any phase */
};

struct lost_reasons {
	struct lost_reason *v;		/* owned: most frequent reason first */
	size_t		 n;
	long		 deals;		/* lost deals counted */
	long		 with_reason;	/* of those, with a reason given */
};

/*
 * The reasons of the deals of people (NULL or empty: all) lost in [since,
 * until) (0: unbounded), ordered by the reason's total (most first), the
 * reason (none given last), then the phase's place in the cycle.
 */
int	lost_reasons_collect(struct store *, const struct config *,
	    const struct strlist *people, time_t since, time_t until,
	    struct lost_reasons *, struct err *);
void	lost_reasons_free(struct lost_reasons *);

/*
 * A reason as it is grouped: trimmed, ASCII letters lower-cased, runs of
 * white space one space, trailing punctuation gone, at most
 * LOST_REASON_MAX bytes, valid UTF-8.  NULL for NULL or nothing left.
 * Caller frees.
 */
char	*lost_reason_fold(const char *);

#endif
