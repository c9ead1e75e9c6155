/* SPDX-License-Identifier: MIT */
/*
 * What an open deal's signals say of its activity, as the stalled deals
 * judge it: its newest activity, its newest signal (the evidence), a
 * #snooze, a #decision date, whether it is a target-list row alone.  The
 * projection keeps it on each open deal (project.c) and the analyses
 * compute it from the signals where none is kept (analysis.c), both
 * through activity_add: one definition of what counts.
 */
#ifndef SC_ACTIVITY_H
#define SC_ACTIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "model.h"

/* The longest #decision value kept: a day, "YYYY-MM-DD". */
#define ACTIVITY_DECISION_MAX	10

struct activity {
	time_t		 last_act;	/* the newest signal that is not a note; 0: none */
	time_t		 latest_at;	/* the newest signal, by time then id; 0: none */
	int64_t		 latest;	/* its id */
	bool		 only_target;	/* none, or target-list rows alone */
	time_t		 snoozed;	/* a #snooze asks for quiet until then; 0: none */
	time_t		 last_inbound;	/* the newest inbound signal; 0: none */
	char		 decision[ACTIVITY_DECISION_MAX + 1];	/* the newest #decision; "" */
	time_t		 decision_at;	/* its signal's time and id, to tell the newest */
	int64_t		 decision_id;
	int		 entered_by;	/* the kind of signal that entered its phase; -1 */
};

/* Nothing seen yet (entered_by the projection sets, not activity_add). */
void	activity_init(struct activity *);

/*
 * A #snooze or #value is a note about a deal, not activity in it (so is
 * it in SQL for the won deals: QUERY_WON_ACTS).
 */
bool	activity_is_note(int kind);

/*
 * Adds one signal of the deal, in any order: kind is an enum signal_kind
 * or -1 (a kind this build does not know: activity), direction an enum
 * direction or -1, value the hashtag's (NULL if none).
 */
void	activity_add(struct activity *, int kind, int direction, time_t at,
	    int64_t id, const char *value);

/*
 * The longest quiet spell (seconds) in [from, to] between the sorted
 * times of n activities: from from to the first in it, between two,
 * from the last to to.
 */
time_t	activity_longest_quiet(const time_t *acts, size_t n, time_t from,
	    time_t to);

/*
 * The longest quiet spell (seconds) a won deal had in each phase it
 * passed through, from its first arrival there (at[p], or in a later
 * phase) to the next phase's (at[p + 1]) or, in the last it reached,
 * to its close; -1 where it passed through at once.  acts: the sorted
 * times of its activity (signals but notes, and meetings held) from its
 * opening to its close.  What the usual quiet spell of a phase is made
 * of (analysis.c); the projection keeps it on each won deal.
 */
void	activity_spells(const time_t *acts, size_t n, const time_t *at,
	    int reached, time_t closed, time_t *spell);

/*
 * The longest silence (seconds) of a won deal: from its opening to its
 * first signal and between two, over the sorted times of its n signals
 * of any kind from its opening to its close (the forecast's measure of
 * how quiet a deal may go and still be won).
 */
time_t	activity_silence(const time_t *times, size_t n, time_t opened);

#endif
