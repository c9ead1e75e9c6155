/* SPDX-License-Identifier: MIT */
/*
 * The phase model (DESIGN sections 3 and 4): one account's signals to its
 * deals and transitions.  Pure and deterministic: the input is sorted
 * here, so the order in which signals arrived never matters.
 */
#ifndef SC_PHASES_H
#define SC_PHASES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "model.h"

struct phase_signal {
	int64_t		 id;		/* store row id */
	enum signal_kind kind;
	time_t		 at;
	enum direction	 dir;
	const char	*salesperson;	/* borrowed */
	const char	*ref;		/* borrowed; ties in time are broken by ref */
	const char	*value;		/* borrowed; manual: "phase=offer", "outcome=won" */
	size_t		 rank;		/* set by phases_project: the salesperson's configuration order */
};

struct deal {
	int		 seq;		/* 0, 1, ... per account in time order */
	char		*salesperson;	/* owned: the salesperson of its first signal */
	enum deal_kind	 kind;
	int		 phase;		/* index into config phases */
	enum outcome	 outcome;
	time_t		 opened;
	time_t		 closed;	/* 0 while open */
	time_t		 last_activity;
	time_t		 last_inbound;	/* last inbound contact, 0 if none */
	time_t		 phase_since;	/* when it entered its current phase */
};

struct transition {
	int		 deal_seq;
	int		 from;		/* PHASE_NONE for the first */
	int		 to;
	time_t		 at;
	int64_t		 signal_id;
	enum signal_kind signal_kind;
	char		*actor;		/* owned */
};

struct projection {
	struct deal		*deals;		/* owned */
	size_t			 ndeals;
	struct transition	*trans;		/* owned */
	size_t			 ntrans;
	struct phase_ignored	*ignored;	/* owned: signals that changed nothing, and why */
	size_t			 nignored;
};

struct phase_ignored {
	int64_t		 signal_id;
	const char	*reason;	/* static: PHASES_NOT_A_SALE, PHASES_NO_OPEN_OFFER, PHASES_NO_DEAL */
};

/*
 * Why an inbound order confirmation was ignored: the account had no
 * evidence from our side before it (no offer, meeting, call or outgoing
 * mail), so it is most likely an order we placed with a supplier.
 */
#define PHASES_NOT_A_SALE \
	"order confirmation without earlier offer, meeting or outgoing mail: " \
	"an order we placed?"
/*
 * Why an order confirmation from a no-reply sender (value "noreply",
 * classify.c) was ignored: such mail counts only as the answer to an
 * offer of an open deal.
 */
#define PHASES_NO_OPEN_OFFER \
	"order confirmation from an automatic sender without an open deal " \
	"with an offer sent"

/*
 * Why a correction by hashtag (#won, #lost, #snooze, #value) changed
 * nothing: the account it names has no deal it could apply to (none, or
 * only one closed longer than reopen_after_days ago).
 */
#define PHASES_NO_DEAL \
	"correction for an account without a deal"

/*
 * Projects one account.  sigs is reordered in place (by time, phase moves
 * before outcomes, then kind, then the salesperson's configuration order,
 * then ref).  now decides staleness.
 */
void	phases_project(const struct config *, struct phase_signal *sigs, size_t n,
	    time_t now, struct projection *out);
void	projection_free(struct projection *);

#endif
