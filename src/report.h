/* SPDX-License-Identifier: MIT */
/*
 * Reports: the store's rows (store-query.h) into printer tables and report
 * structs.  Read-only.  The JSON shapes are DESIGN section 7's and stable.
 */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "printer.h"
#include "store.h"

struct report_filter {
	const struct config *cfg;	/* borrowed: phases, time zone, working days */
	time_t		 since;		/* 0 = unbounded */
	time_t		 until;		/* 0 = unbounded, exclusive */
	const char	*salesperson;	/* NULL = all */
	const char	*account;	/* NULL = all */
};

/* deals: one row per deal active in the range (opened before until, not closed before since). */
int	report_deals(struct store *, const struct report_filter *, struct table *, struct err *);
/* The same rows, added to a table initialised with report_deal_columns (which may stream). */
int	report_deal_rows(struct store *, const struct report_filter *, struct table *,
	    struct err *);
extern const struct column report_deal_columns[];
extern const size_t report_deal_ncolumns;

/* transitions in the range, in time order. */
int	report_transitions(struct store *, const struct report_filter *, struct table *, struct err *);
/* The same rows, added to a table initialised with report_transition_columns (which may stream). */
int	report_transition_rows(struct store *, const struct report_filter *, struct table *,
	    struct err *);
extern const struct column report_transition_columns[];
extern const size_t report_transition_ncolumns;

/* The evidence of one account: its signals in time order. */
enum {
	REPORT_SIGNAL_AT = 0,		/* COL_TIME */
	REPORT_SIGNAL_KIND = 1,
	REPORT_SIGNAL_IGNORED = 9	/* why the projection ignored it, or null */
};
int	report_signals(struct store *, const struct report_filter *, struct table *, struct err *);

struct funnel_phase {
	const char	*phase;		/* borrowed from the config */
	long		 entered;	/* deals that entered the phase in the range */
	long		 current;	/* open deals in the phase at now */
	long		 advanced;	/* of those entered: moved on (last phase: won) */
	double		 median_days;	/* days in the phase of those advanced; NAN if none */
};

struct funnel {
	struct funnel_phase phases[MAX_PHASES];
	size_t		 nphases;
	long		 won;		/* deals won in the range */
	long		 lost;		/* deals lost in the range */
};

/*
 * The one decision of "open now", for the funnel's current and the
 * digest: a deal counts in the phase it was in at now when it was open
 * then.  The store holds each deal's phase and outcome as they are after
 * its last signal; report_moves_load reads the transitions at or after
 * now (none at the real time, an index look) so that those can be taken
 * back, as under a pinned clock (SALESCYCLE_NOW) or a digest --as-of.
 */
struct report_move;
struct store_deal_state;

struct report_moves {
	time_t		 now;		/* 0: the stored states as they are */
	struct report_move *v;		/* owned, one per deal, by deal */
	size_t		 n;
};

/* The first transition at or after now of each deal.  now 0: none.  -1 with err. */
int	report_moves_load(struct store *, const struct config *, time_t now,
	    struct report_moves *, struct err *);
void	report_moves_free(struct report_moves *);

/*
 * Counts d into current[] when it was open at m->now (opened before it,
 * not closed before it), in the phase it was in then.
 */
void	report_count_open(const struct config *, const struct report_moves *,
	    const struct store_deal_state *, long current[MAX_PHASES]);

/*
 * The funnel of f's range.  "current" counts the deals open at now in
 * the phase they were in then (report_count_open); now 0: as the store
 * has them.
 */
int	report_funnel(struct store *, const struct report_filter *, time_t now,
	    struct funnel *, struct err *);

enum appt_by { APPT_BY_START, APPT_BY_CREATED };

/* Appointments per day and salesperson (days with count > 0), in day order. */
int	report_appointments(struct store *, const struct report_filter *, enum appt_by,
	    struct table *, struct err *);

/* Working days (per cfg->working_days) from day first to day last inclusive. */
long	report_working_days(const struct config *, const char *first, const char *last);

/* Median of n values (reordered in place, not sorted); NAN for n = 0. */
double	report_median(double *v, size_t n);

#endif
