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

/* The evidence of one account: its signals in time order. */
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
 * Makes current[] (the open deals per phase of the salespeople in people,
 * NULL or empty: all, counted from the states the store has) the deals
 * open at now in the phase they were in then, when the store knows of a
 * transition at or after now, or when later (the caller saw a deal
 * closed at or after now): those opened before now and not closed before
 * it, in the phase of their last entry before now.  Otherwise current
 * stands, and one look at the transitions' time index is all it costs.
 * The one decision of "open now" for the funnel and the digest.
 */
int	report_current_at(struct store *, const struct config *,
	    const struct strlist *people, time_t now, bool later,
	    long current[MAX_PHASES], struct err *);

/*
 * The funnel of f's range.  "current" counts the deals open at now in
 * the phase they were in then: as the store has them, unless the store
 * knows of transitions or closes at or after now (a clock pinned by
 * SALESCYCLE_NOW, or a past now), which are then taken back
 * (report_current_at).  now 0: as the store has them.
 */
int	report_funnel(struct store *, const struct report_filter *, time_t now,
	    struct funnel *, struct err *);

enum appt_by { APPT_BY_START, APPT_BY_CREATED };

/* Appointments per day and salesperson (days with count > 0), in day order. */
int	report_appointments(struct store *, const struct report_filter *, enum appt_by,
	    struct table *, struct err *);

/* Working days (per cfg->working_days) from day first to day last inclusive. */
long	report_working_days(const struct config *, const char *first, const char *last);

/* Median of n values (sorted in place); NAN for n = 0. */
double	report_median(double *v, size_t n);

#endif
