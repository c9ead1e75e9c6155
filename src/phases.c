/* SPDX-License-Identifier: MIT */
/*
 * The phase model (DESIGN sections 3 and 4): one account's signals to its
 * deals and transitions.  Pure and deterministic: the signals are sorted
 * here by a total order (time, phase moves before outcomes, kind, the
 * salesperson's order in the configuration, ref, id), so the result
 * depends only on the set of signals, never on the order in which they
 * arrived or were stored.  The same meeting in two salespeople's
 * calendars is a signal of each: the earlier one moves the deal, and of
 * two at the same time the salesperson configured first, so a deal's
 * owner and a transition's actor never depend on which calendar or
 * mailbox was read first.
 *
 * A signal belongs to a deal by time alone.  A contact mail that occurred
 * before the appointment that opens a deal is not part of that deal, even
 * if it was stored later; one that occurred after the opening counts,
 * whenever it was read.  That is what makes the projection independent of
 * arrival order, and rebuild and the incremental path agree.
 *
 * Rules, in the order a signal meets them:
 * - An open deal whose last activity lies more than stale_after_days
 *   before the signal (or before now, at the end) was lost at that last
 *   activity.
 * - A kind that enters a phase opens a deal when there is none, or when
 *   the last one closed more than reopen_after_days before; the deal is
 *   "growth" when an earlier deal of the account was won.  In an open deal
 *   it moves the phase forward only (skips allowed).  order_confirmed also
 *   wins the deal.
 * - lost loses an open deal.
 * - won (a #won correction) wins an open deal, or turns the outcome of a
 *   deal closed within reopen_after_days (one gone stale, or lost by
 *   mistake) to won.  snooze and value change no phase (the reports read
 *   them).  A correction (won, snooze, value, and a lost that is not
 *   inbound) without a deal to apply to opens none and is ignored with
 *   its reason (PHASES_NO_DEAL).
 * - Any signal applied to a deal updates its last activity, and an inbound
 *   one its last inbound; a signal within the reopen window after the
 *   close belongs to the closed deal and only updates activity.  Other
 *   signals outside a deal change nothing.
 * - An inbound order confirmation before any evidence from our side
 *   (outbound mail, a calendar entry, a target, a manual setting: any
 *   signal that is not inbound) is ignored: it neither opens nor wins a
 *   deal.  A supplier's "Orderbevestiging" for something we bought is no
 *   sale; the ignored signal is listed with its reason (PHASES_NOT_A_SALE).
 * - An order confirmation from a no-reply sender (a purchasing system's
 *   mail, value "noreply") counts only when the account's current deal
 *   is open and an offer was sent in it; otherwise it is ignored
 *   (PHASES_NO_OPEN_OFFER).
 * - manual is the manager's override: "phase=NAME" sets any phase of the
 *   current open deal (backwards too) or opens a deal at that phase;
 *   "outcome=won|lost" sets the outcome of the current deal, open or
 *   closed; "outcome=open" reopens it.  Several settings may be given in
 *   one value, separated by spaces or commas.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"

#define DAY	86400

struct phases_state {
	const struct config	*cfg;
	struct projection	*out;
	size_t			 cap_deals, cap_trans, cap_ignored;
	bool			 ever_won;
	bool			 ours;		/* evidence from our side seen */
	bool			 offered;	/* an offer sent in the last deal */
};

/* The total order of DESIGN section 3. */
static int
phases_cmp(const void *a, const void *b)
{
	const struct phase_signal *x = a, *y = b;
	bool mx, my;
	int c;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	mx = signal_kind_moves_phase(x->kind);
	my = signal_kind_moves_phase(y->kind);
	if (mx != my)
		return mx ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	c = strcmp(x->ref != NULL ? x->ref : "", y->ref != NULL ? y->ref : "");
	if (c != 0)
		return c;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/*
 * A salesperson's place in the configuration; one no longer configured
 * (or none) after all of them.
 */
static size_t
phases_rank(const struct config *cfg, const char *salesperson)
{
	const struct salesperson *sp = config_salesperson(cfg, salesperson);

	return sp != NULL ? (size_t)(sp - cfg->people) : cfg->npeople;
}

/* Whether two signals name the same salesperson (or both none). */
static bool
phases_same_person(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The phase a kind enters, or PHASE_NONE. */
static int
phases_enters(const struct config *cfg, enum signal_kind kind)
{
	int p = cfg->phases.enters[kind];

	return p >= 0 && (size_t)p < cfg->phases.n ? p : PHASE_NONE;
}

/* Moves deal d to phase to because of signal s, recording the transition. */
static void
phases_transition(struct phases_state *st, struct deal *d, int to,
    const struct phase_signal *s)
{
	struct projection *out = st->out;
	struct transition *t;

	if (out->ntrans == st->cap_trans) {
		st->cap_trans = st->cap_trans == 0 ? 8 : st->cap_trans * 2;
		out->trans = xreallocarray(out->trans, st->cap_trans,
		    sizeof *out->trans);
	}
	t = &out->trans[out->ntrans++];
	t->deal_seq = d->seq;
	t->from = d->phase;
	t->to = to;
	t->at = s->at;
	t->signal_id = s->id;
	t->signal_kind = s->kind;
	t->actor = xstrdup(s->salesperson != NULL ? s->salesperson : "");
	d->phase = to;
	d->phase_since = s->at;
}

/* Opens a new deal at phase with signal s and records its first transition. */
static struct deal *
phases_open(struct phases_state *st, int phase, const struct phase_signal *s)
{
	struct projection *out = st->out;
	struct deal *d;

	if (out->ndeals == st->cap_deals) {
		st->cap_deals = st->cap_deals == 0 ? 4 : st->cap_deals * 2;
		out->deals = xreallocarray(out->deals, st->cap_deals,
		    sizeof *out->deals);
	}
	d = &out->deals[out->ndeals];
	memset(d, 0, sizeof *d);
	d->seq = (int)out->ndeals++;
	d->salesperson = xstrdup(s->salesperson != NULL ? s->salesperson : "");
	d->kind = st->ever_won ? DEAL_GROWTH : DEAL_NEW;
	d->phase = PHASE_NONE;
	d->outcome = OUTCOME_OPEN;
	d->opened = s->at;
	st->offered = false;
	phases_transition(st, d, phase, s);
	return d;
}

/* Closes a deal; a win makes later deals of the account growth deals. */
static void
phases_close(struct phases_state *st, struct deal *d, enum outcome outcome,
    time_t at)
{
	d->outcome = outcome;
	d->closed = at;
	if (outcome == OUTCOME_WON)
		st->ever_won = true;
}

/* Marks an open deal lost at its last activity when it went stale by then. */
static void
phases_check_stale(struct phases_state *st, struct deal *d, time_t t)
{
	int days = st->cfg->stale_after_days;

	if (d == NULL || d->outcome != OUTCOME_OPEN || days <= 0)
		return;
	if (t - d->last_activity > (time_t)days * DAY)
		phases_close(st, d, OUTCOME_LOST, d->last_activity);
}

/* True when a signal at t still belongs to the closed deal d. */
static bool
phases_in_window(const struct phases_state *st, const struct deal *d, time_t t)
{
	int days = st->cfg->reopen_after_days;

	return t - d->closed <= (time_t)(days > 0 ? days : 0) * DAY;
}

/* Records signal s as activity of deal d (and inbound activity). */
static void
phases_touch(struct deal *d, const struct phase_signal *s)
{
	if (s->at > d->last_activity)
		d->last_activity = s->at;
	if (s->dir == DIR_INBOUND && s->at > d->last_inbound)
		d->last_inbound = s->at;
}

/* Applies a manual signal's settings ("phase=offer", "outcome=won"). */
static void
phases_manual(struct phases_state *st, struct deal *d,
    const struct phase_signal *s)
{
	char *copy, *tok, *save = NULL;
	const char *setting;
	int phase, outcome;

	if (s->value == NULL)
		return;
	copy = xstrdup(s->value);
	for (tok = strtok_r(copy, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		if (strncmp(tok, "phase=", 6) == 0) {
			setting = tok + 6;
			phase = config_phase_index(st->cfg, setting);
			if (phase == PHASE_NONE)
				continue;
			if (d == NULL || d->outcome != OUTCOME_OPEN)
				d = phases_open(st, phase, s);
			else if (d->phase != phase)
				phases_transition(st, d, phase, s);
			phases_touch(d, s);
		} else if (strncmp(tok, "outcome=", 8) == 0 && d != NULL) {
			outcome = outcome_from_name(tok + 8);
			if (outcome == OUTCOME_OPEN) {
				d->outcome = OUTCOME_OPEN;
				d->closed = 0;
				phases_touch(d, s);
			} else if (outcome == OUTCOME_WON ||
			    outcome == OUTCOME_LOST)
				phases_close(st, d, (enum outcome)outcome,
				    s->at);
		}
	}
	free(copy);
}

/* Records that signal s changed nothing, and why. */
static void
phases_ignore(struct phases_state *st, const struct phase_signal *s,
    const char *reason)
{
	struct projection *out = st->out;

	if (out->nignored == st->cap_ignored) {
		st->cap_ignored = st->cap_ignored == 0 ? 4 :
		    st->cap_ignored * 2;
		out->ignored = xreallocarray(out->ignored, st->cap_ignored,
		    sizeof *out->ignored);
	}
	out->ignored[out->nignored].signal_id = s->id;
	out->ignored[out->nignored].reason = reason;
	out->nignored++;
}

/*
 * True when an inbound order confirmation is no sale (and is recorded as
 * ignored): none of our evidence came before it, or it came from a
 * no-reply sender without an open deal with an offer sent.
 */
static bool
phases_not_a_sale(struct phases_state *st, const struct deal *d,
    const struct phase_signal *s)
{
	if (!st->ours) {
		phases_ignore(st, s, PHASES_NOT_A_SALE);
		return true;
	}
	if (s->value != NULL && strcmp(s->value, "noreply") == 0 &&
	    (d == NULL || d->outcome != OUTCOME_OPEN || !st->offered)) {
		phases_ignore(st, s, PHASES_NO_OPEN_OFFER);
		return true;
	}
	return false;
}

/*
 * True for a correction by hashtag, which never opens a deal: won,
 * snooze, value, and lost from our side (a customer's "we chose another
 * supplier" may arrive before anything else, and is only not counted).
 */
static bool
phases_correction(const struct phase_signal *s)
{
	return s->kind == SIG_WON || s->kind == SIG_SNOOZE ||
	    s->kind == SIG_VALUE || (s->kind == SIG_LOST &&
	    s->dir != DIR_INBOUND);
}

/* Applies one signal (in sorted order) to the account's deals. */
static void
phases_apply(struct phases_state *st, const struct phase_signal *s)
{
	struct projection *out = st->out;
	struct deal *d = out->ndeals > 0 ? &out->deals[out->ndeals - 1] : NULL;
	int phase = phases_enters(st->cfg, s->kind);

	phases_check_stale(st, d, s->at);
	if (s->dir != DIR_INBOUND)
		st->ours = true;
	else if (s->kind == SIG_ORDER_CONFIRMED && phases_not_a_sale(st, d, s))
		return;
	if (s->kind == SIG_MANUAL) {
		phases_manual(st, d, s);
		return;
	}
	if (d != NULL && d->outcome != OUTCOME_OPEN) {
		if (phases_in_window(st, d, s->at)) {
			if (s->kind == SIG_WON && d->outcome != OUTCOME_WON)
				phases_close(st, d, OUTCOME_WON, s->at);
			else if (s->kind != SIG_WON && s->kind != SIG_SNOOZE &&
			    s->kind != SIG_VALUE)
				phases_touch(d, s);
			return;
		}
		d = NULL;
	}
	if (d == NULL) {
		if (phases_correction(s))
			phases_ignore(st, s, PHASES_NO_DEAL);
		if (phase == PHASE_NONE)
			return;
		d = phases_open(st, phase, s);
	} else if (phase != PHASE_NONE && phase > d->phase)
		phases_transition(st, d, phase, s);
	if (s->kind == SIG_OFFER_SENT)
		st->offered = true;
	if (s->kind == SIG_SNOOZE || s->kind == SIG_VALUE)
		return;
	phases_touch(d, s);
	if (s->kind == SIG_ORDER_CONFIRMED || s->kind == SIG_WON)
		phases_close(st, d, OUTCOME_WON, s->at);
	else if (s->kind == SIG_LOST)
		phases_close(st, d, OUTCOME_LOST, s->at);
}

void
phases_project(const struct config *cfg, struct phase_signal *sigs, size_t n,
    time_t now, struct projection *out)
{
	struct phases_state st = { .cfg = cfg, .out = out };
	size_t i;

	memset(out, 0, sizeof *out);
	/*
	 * An account's signals are mostly one salesperson's: the rank of the
	 * previous signal's is reused rather than looked up among all
	 * salespeople (6% of a rebuild's time with 200 of them).
	 */
	for (i = 0; i < n; i++)
		sigs[i].rank = i > 0 && phases_same_person(sigs[i].salesperson,
		    sigs[i - 1].salesperson) ? sigs[i - 1].rank :
		    phases_rank(cfg, sigs[i].salesperson);
	if (n > 1)
		qsort(sigs, n, sizeof *sigs, phases_cmp);
	for (i = 0; i < n; i++)
		phases_apply(&st, &sigs[i]);
	if (out->ndeals > 0)
		phases_check_stale(&st, &out->deals[out->ndeals - 1], now);
}

void
projection_free(struct projection *p)
{
	size_t i;

	for (i = 0; i < p->ndeals; i++)
		free(p->deals[i].salesperson);
	for (i = 0; i < p->ntrans; i++)
		free(p->trans[i].actor);
	free(p->deals);
	free(p->trans);
	free(p->ignored);
	memset(p, 0, sizeof *p);
}
