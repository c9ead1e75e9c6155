/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for phases.c: the phase model of DESIGN sections 3 and 4 on
 * small signal sets with the default phases (selection, suspect, prospect,
 * offer, closing).  A projection is compared through a text rendering of
 * its deals and transitions, so each case reads as what a manager would
 * see.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"

#define T0	1790000000
#define DAY	86400

static struct config cfg;

static int
setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

static const char *
phase_name(int p)
{
	return p == PHASE_NONE ? "-" : cfg.phases.name[p];
}

/*
 * "deal SEQ KIND PHASE OUTCOME owner=X opened=+D closed=+D last=+D
 * inbound=+D since=+D" per deal and "SEQ FROM>TO +D KIND by ACTOR #ID" per
 * transition, times in days (or seconds when not whole days) after T0.
 */
static void
render_time(char *out, size_t len, time_t t)
{
	if (t == 0)
		snprintf(out, len, "0");
	else if ((t - T0) % DAY == 0)
		snprintf(out, len, "%+lldd", (long long)((t - T0) / DAY));
	else
		snprintf(out, len, "%+llds", (long long)(t - T0));
}

static void
render(const struct projection *p, char *out, size_t len)
{
	char o[32], c[32], l[32], in[32], s[32];
	size_t i, used;

	out[0] = '\0';
	for (i = 0; i < p->ndeals; i++) {
		const struct deal *d = &p->deals[i];

		render_time(o, sizeof o, d->opened);
		render_time(c, sizeof c, d->closed);
		render_time(l, sizeof l, d->last_activity);
		render_time(in, sizeof in, d->last_inbound);
		render_time(s, sizeof s, d->phase_since);
		used = strlen(out);
		snprintf(out + used, len - used,
		    "deal %d %s %s %s owner=%s opened=%s closed=%s last=%s "
		    "inbound=%s since=%s\n", d->seq, deal_kind_name(d->kind),
		    phase_name(d->phase), outcome_name(d->outcome),
		    d->salesperson, o, c, l, in, s);
	}
	for (i = 0; i < p->ntrans; i++) {
		const struct transition *t = &p->trans[i];

		render_time(o, sizeof o, t->at);
		used = strlen(out);
		snprintf(out + used, len - used, "%d %s>%s %s %s by %s #%lld\n",
		    t->deal_seq, phase_name(t->from), phase_name(t->to), o,
		    signal_kind_name(t->signal_kind), t->actor,
		    (long long)t->signal_id);
	}
	for (i = 0; i < p->nignored; i++) {
		used = strlen(out);
		snprintf(out + used, len - used, "ignored #%lld %s\n",
		    (long long)p->ignored[i].signal_id,
		    strcmp(p->ignored[i].reason, PHASES_NOT_A_SALE) == 0 ?
		    "not-a-sale" : strcmp(p->ignored[i].reason,
		    PHASES_NO_OPEN_OFFER) == 0 ? "no-open-offer" :
		    strcmp(p->ignored[i].reason, PHASES_NO_DEAL) == 0 ?
		    "no-deal" : p->ignored[i].reason);
	}
}

/* A signal: kind, time in days after T0, direction, salesperson, value. */
#define SIG(id, k, days, dir, sp, val) \
	{ (id), SIG_##k, T0 + (time_t)((days) * DAY), (dir), (sp), #id, (val), 0 }
#define IN	DIR_INBOUND
#define OUT	DIR_OUTBOUND
#define NO	DIR_NONE

struct phases_case {
	const char		*name;
	struct phase_signal	 sigs[8];
	size_t			 n;
	double			 now_days;
	const char		*expect;
};

static const struct phases_case cases[] = {
	/* Orders we place are no sales (issue 12). */
	{ "order we placed", {
		SIG(1, ORDER_CONFIRMED, 0, IN, "anna", NULL),
		SIG(2, CONTACT, 1, IN, "anna", NULL),
		SIG(3, ORDER_CONFIRMED, 30, IN, "anna", NULL),
	  }, 3, 40,
	  "ignored #1 not-a-sale\n"
	  "ignored #3 not-a-sale\n" },
	{ "order after our mail", {
		SIG(1, CONTACT, 0, OUT, "anna", NULL),
		SIG(2, ORDER_CONFIRMED, 5, IN, "anna", NULL),
	  }, 2, 10,
	  "deal 0 new closing won owner=anna opened=+5d closed=+5d last=+5d "
	  "inbound=+5d since=+5d\n"
	  "0 ->closing +5d order_confirmed by anna #2\n" },
	{ "order after a calendar entry", {
		SIG(1, CALL, 0, NO, "bram", NULL),
		SIG(2, ORDER_CONFIRMED, 5, IN, "anna", NULL),
	  }, 2, 10,
	  "deal 0 new closing won owner=bram opened=+0d closed=+5d last=+5d "
	  "inbound=+5d since=+5d\n"
	  "0 ->selection +0d call by bram #1\n"
	  "0 selection>closing +5d order_confirmed by anna #2\n" },
	/* Purchase orders from no-reply senders: only for an open offer. */
	{ "noreply order with open offer", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, ORDER_CONFIRMED, 4, IN, "anna", "noreply"),
	  }, 2, 10,
	  "deal 0 new closing won owner=anna opened=+0d closed=+4d last=+4d "
	  "inbound=+4d since=+4d\n"
	  "0 ->offer +0d offer_sent by anna #1\n"
	  "0 offer>closing +4d order_confirmed by anna #2\n" },
	{ "noreply order without offer", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, ORDER_CONFIRMED, 4, IN, "anna", "noreply"),
	  }, 2, 10,
	  "deal 0 new suspect open owner=anna opened=+0d closed=0 last=+0d "
	  "inbound=0 since=+0d\n"
	  "0 ->suspect +0d appointment by anna #1\n"
	  "ignored #2 no-open-offer\n" },
	{ "noreply order after the deal closed", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, ORDER_CONFIRMED, 2, IN, "anna", NULL),
		SIG(3, ORDER_CONFIRMED, 20, IN, "anna", "noreply"),
	  }, 3, 30,
	  "deal 0 new closing won owner=anna opened=+0d closed=+2d last=+2d "
	  "inbound=+2d since=+2d\n"
	  "0 ->offer +0d offer_sent by anna #1\n"
	  "0 offer>closing +2d order_confirmed by anna #2\n"
	  "ignored #3 no-open-offer\n" },
	{ "phase skip", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, OFFER_SENT, 5, OUT, "anna", NULL),
	  }, 2, 10,
	  "deal 0 new offer open owner=anna opened=+0d closed=0 last=+5d "
	  "inbound=0 since=+5d\n"
	  "0 ->suspect +0d appointment by anna #1\n"
	  "0 suspect>offer +5d offer_sent by anna #2\n" },
	{ "forward only", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, APPOINTMENT, 3, NO, "bram", NULL),
		SIG(3, CALL, 4, NO, "bram", NULL),
	  }, 3, 10,
	  "deal 0 new offer open owner=anna opened=+0d closed=0 last=+4d "
	  "inbound=0 since=+0d\n"
	  "0 ->offer +0d offer_sent by anna #1\n" },
	{ "won", {
		SIG(1, CALL, 0, NO, "anna", NULL),
		SIG(2, APPOINTMENT, 1, NO, "anna", NULL),
		SIG(3, DEMO, 10, NO, "anna", NULL),
		SIG(4, OFFER_SENT, 12, OUT, "anna", NULL),
		SIG(5, VERBAL_ORDER, 20, OUT, "anna", NULL),
		SIG(6, ORDER_CONFIRMED, 22, IN, "anna", NULL),
	  }, 6, 30,
	  "deal 0 new closing won owner=anna opened=+0d closed=+22d last=+22d "
	  "inbound=+22d since=+20d\n"
	  "0 ->selection +0d call by anna #1\n"
	  "0 selection>suspect +1d appointment by anna #2\n"
	  "0 suspect>prospect +10d demo by anna #3\n"
	  "0 prospect>offer +12d offer_sent by anna #4\n"
	  "0 offer>closing +20d verbal_order by anna #5\n" },
	{ "our order confirmation opens and wins", {
		SIG(1, ORDER_CONFIRMED, 0, OUT, "anna", NULL),
	  }, 1, 30,
	  "deal 0 new closing won owner=anna opened=+0d closed=+0d last=+0d "
	  "inbound=0 since=+0d\n"
	  "0 ->closing +0d order_confirmed by anna #1\n" },
	{ "lost", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, OFFER_SENT, 2, OUT, "anna", NULL),
		SIG(3, LOST, 9, OUT, "anna", NULL),
		SIG(4, CONTACT, 30, IN, "anna", NULL),
	  }, 4, 40,
	  "deal 0 new offer lost owner=anna opened=+0d closed=+9d last=+9d "
	  "inbound=0 since=+2d\n"
	  "0 ->suspect +0d appointment by anna #1\n"
	  "0 suspect>offer +2d offer_sent by anna #2\n" },
	{ "signals before any deal do nothing", {
		SIG(1, CONTACT, 0, IN, "anna", NULL),
		SIG(2, LOST, 1, OUT, "anna", NULL),
		SIG(3, NEED, 2, NO, "anna", "hosting"),
		SIG(4, APPOINTMENT, 3, NO, "bram", NULL),
		SIG(5, CONTACT, 4, OUT, "anna", NULL),
	  }, 5, 10,
	  "deal 0 new suspect open owner=bram opened=+3d closed=0 last=+4d "
	  "inbound=0 since=+3d\n"
	  "0 ->suspect +3d appointment by bram #4\n"
	  "ignored #2 no-deal\n" },
	/* Corrections by hashtag (issue 12 item 10). */
	{ "won by hashtag wins the open deal", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, OFFER_SENT, 2, OUT, "anna", NULL),
		SIG(3, WON, 5, OUT, "anna", NULL),
	  }, 3, 10,
	  "deal 0 new offer won owner=anna opened=+0d closed=+5d last=+5d "
	  "inbound=0 since=+2d\n"
	  "0 ->suspect +0d appointment by anna #1\n"
	  "0 suspect>offer +2d offer_sent by anna #2\n" },
	{ "won corrects a deal lost days ago", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, LOST, 3, OUT, "anna", "price"),
		SIG(3, WON, 5, OUT, "anna", NULL),
	  }, 3, 10,
	  "deal 0 new offer won owner=anna opened=+0d closed=+5d last=+3d "
	  "inbound=0 since=+0d\n"
	  "0 ->offer +0d offer_sent by anna #1\n" },
	{ "won long after the close corrects nothing", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, LOST, 3, OUT, "anna", "price"),
		SIG(3, WON, 30, OUT, "anna", NULL),
	  }, 3, 40,
	  "deal 0 new offer lost owner=anna opened=+0d closed=+3d last=+3d "
	  "inbound=0 since=+0d\n"
	  "0 ->offer +0d offer_sent by anna #1\n"
	  "ignored #3 no-deal\n" },
	{ "corrections open no deal", {
		SIG(1, WON, 0, OUT, "anna", NULL),
		SIG(2, SNOOZE, 1, OUT, "anna", "14"),
		SIG(3, VALUE, 2, NO, "anna", "12500.00"),
		SIG(4, LOST, 3, NO, "anna", "budget"),
		SIG(5, LOST, 4, IN, "anna", NULL),
	  }, 5, 10, "ignored #1 no-deal\n" "ignored #2 no-deal\n"
	  "ignored #3 no-deal\n" "ignored #4 no-deal\n" },
	{ "snooze and value are no activity", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, SNOOZE, 5, OUT, "anna", "14"),
		SIG(3, VALUE, 6, NO, "anna", "12500.00"),
	  }, 3, 10,
	  "deal 0 new suspect open owner=anna opened=+0d closed=0 last=+0d "
	  "inbound=0 since=+0d\n"
	  "0 ->suspect +0d appointment by anna #1\n" },
	{ "inbound contact ends silence", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, CONTACT, 6, IN, "anna", NULL),
		SIG(3, CONTACT, 8, OUT, "anna", NULL),
	  }, 3, 10,
	  "deal 0 new offer open owner=anna opened=+0d closed=0 last=+8d "
	  "inbound=+6d since=+0d\n"
	  "0 ->offer +0d offer_sent by anna #1\n" },
	{ "reopen window keeps the closed deal", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, ORDER_CONFIRMED, 10, IN, "anna", NULL),
		SIG(3, ORDER_CONFIRMED, 17, IN, "anna", NULL),
		SIG(4, CONTACT, 16, OUT, "anna", NULL),
	  }, 4, 20,
	  "deal 0 new closing won owner=anna opened=+0d closed=+10d last=+17d "
	  "inbound=+17d since=+10d\n"
	  "0 ->offer +0d offer_sent by anna #1\n"
	  "0 offer>closing +10d order_confirmed by anna #2\n" },
	{ "growth deal after a win", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, ORDER_CONFIRMED, 10, IN, "anna", NULL),
		SIG(3, APPOINTMENT, 17.5, NO, "bram", NULL),
		SIG(4, CONTACT, 40, IN, "bram", NULL),
	  }, 4, 50,
	  "deal 0 new closing won owner=anna opened=+0d closed=+10d last=+10d "
	  "inbound=+10d since=+10d\n"
	  "deal 1 growth suspect open owner=bram opened=+1512000s closed=0 "
	  "last=+40d inbound=+40d since=+1512000s\n"
	  "0 ->offer +0d offer_sent by anna #1\n"
	  "0 offer>closing +10d order_confirmed by anna #2\n"
	  "1 ->suspect +1512000s appointment by bram #3\n" },
	{ "new deal after a loss", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, LOST, 5, OUT, "anna", NULL),
		SIG(3, DEMO, 30, NO, "anna", NULL),
	  }, 3, 40,
	  "deal 0 new suspect lost owner=anna opened=+0d closed=+5d last=+5d "
	  "inbound=0 since=+0d\n"
	  "deal 1 new prospect open owner=anna opened=+30d closed=0 last=+30d "
	  "inbound=0 since=+30d\n"
	  "0 ->suspect +0d appointment by anna #1\n"
	  "1 ->prospect +30d demo by anna #3\n" },
	{ "stale at now", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, CONTACT, 10, IN, "anna", NULL),
	  }, 2, 131,
	  "deal 0 new suspect lost owner=anna opened=+0d closed=+10d last=+10d "
	  "inbound=+10d since=+0d\n"
	  "0 ->suspect +0d appointment by anna #1\n" },
	{ "not stale yet", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, CONTACT, 10, IN, "anna", NULL),
	  }, 2, 130,
	  "deal 0 new suspect open owner=anna opened=+0d closed=0 last=+10d "
	  "inbound=+10d since=+0d\n"
	  "0 ->suspect +0d appointment by anna #1\n" },
	{ "stale before the next signal", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, CONTACT, 200, IN, "anna", NULL),
		SIG(3, OFFER_SENT, 201, OUT, "bram", NULL),
	  }, 3, 210,
	  "deal 0 new suspect lost owner=anna opened=+0d closed=+0d last=+0d "
	  "inbound=0 since=+0d\n"
	  "deal 1 new offer open owner=bram opened=+201d closed=0 last=+201d "
	  "inbound=0 since=+201d\n"
	  "0 ->suspect +0d appointment by anna #1\n"
	  "1 ->offer +201d offer_sent by bram #3\n" },
	{ "manual phase backwards and outcome", {
		SIG(1, OFFER_SENT, 0, OUT, "anna", NULL),
		SIG(2, MANUAL, 2, NO, "piet", "phase=suspect"),
		SIG(3, MANUAL, 3, NO, "piet", "outcome=won"),
	  }, 3, 10,
	  "deal 0 new suspect won owner=anna opened=+0d closed=+3d last=+2d "
	  "inbound=0 since=+2d\n"
	  "0 ->offer +0d offer_sent by anna #1\n"
	  "0 offer>suspect +2d manual by piet #2\n" },
	{ "manual phase opens a deal", {
		SIG(1, MANUAL, 0, NO, "piet", "phase=prospect"),
		SIG(2, MANUAL, 1, NO, "piet", "phase=nonsense"),
		SIG(3, MANUAL, 2, NO, "piet", "outcome=maybe"),
	  }, 3, 10,
	  "deal 0 new prospect open owner=piet opened=+0d closed=0 last=+0d "
	  "inbound=0 since=+0d\n"
	  "0 ->prospect +0d manual by piet #1\n" },
	{ "manual outcome without a deal", {
		SIG(1, MANUAL, 0, NO, "piet", "outcome=won"),
	  }, 1, 10, "" },
	{ "manual reopen of a stale deal", {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, MANUAL, 150, NO, "piet", "outcome=open, phase=offer"),
	  }, 2, 200,
	  "deal 0 new offer open owner=anna opened=+0d closed=0 last=+150d "
	  "inbound=0 since=+150d\n"
	  "0 ->suspect +0d appointment by anna #1\n"
	  "0 suspect>offer +150d manual by piet #2\n" },
	{ "same time: move before outcome", {
		SIG(1, LOST, 0, OUT, "anna", NULL),
		SIG(2, APPOINTMENT, 0, NO, "anna", NULL),
	  }, 2, 10,
	  "deal 0 new suspect lost owner=anna opened=+0d closed=+0d last=+0d "
	  "inbound=0 since=+0d\n"
	  "0 ->suspect +0d appointment by anna #2\n" },
	{ "same time: won before lost", {
		SIG(1, LOST, 5, OUT, "anna", NULL),
		SIG(2, ORDER_CONFIRMED, 5, IN, "anna", NULL),
		SIG(3, OFFER_SENT, 0, OUT, "anna", NULL),
	  }, 3, 10,
	  "deal 0 new closing won owner=anna opened=+0d closed=+5d last=+5d "
	  "inbound=+5d since=+5d\n"
	  "0 ->offer +0d offer_sent by anna #3\n"
	  "0 offer>closing +5d order_confirmed by anna #2\n" },
	{ "same time and kind: ref decides the owner", {
		SIG(9, APPOINTMENT, 0, NO, "bram", NULL),
		SIG(10, APPOINTMENT, 0, NO, "anna", NULL),
	  }, 2, 10,
	  "deal 0 new suspect open owner=anna opened=+0d closed=0 last=+0d "
	  "inbound=0 since=+0d\n"
	  "0 ->suspect +0d appointment by anna #10\n" },
};

static void
test_phases_cases(void **state)
{
	struct phase_signal sigs[8];
	struct projection p;
	char got[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		memcpy(sigs, cases[i].sigs, sizeof sigs);
		phases_project(&cfg, sigs, cases[i].n,
		    T0 + (time_t)(cases[i].now_days * DAY), &p);
		render(&p, got, sizeof got);
		if (strcmp(got, cases[i].expect) != 0)
			fail_msg("%s:\ngot:\n%swant:\n%s", cases[i].name, got,
			    cases[i].expect);
		projection_free(&p);
	}
}

/* Heap's algorithm: calls fn on every permutation of v[0..n). */
static void
permute(struct phase_signal *v, size_t n, size_t k,
    void (*fn)(const struct phase_signal *, size_t, void *), void *arg)
{
	struct phase_signal tmp;
	size_t i;

	if (k == 1) {
		fn(v, n, arg);
		return;
	}
	for (i = 0; i < k; i++) {
		permute(v, n, k - 1, fn, arg);
		tmp = v[k - 1];
		if (k % 2 == 0) {
			v[k - 1] = v[i];
			v[i] = tmp;
		} else {
			v[k - 1] = v[0];
			v[0] = tmp;
		}
	}
}

struct perm_check {
	const struct config *cfg;	/* NULL: the default one */
	const char	*want;
	time_t		 now;
	size_t		 count;
};

static void
check_permutation(const struct phase_signal *v, size_t n, void *arg)
{
	struct perm_check *pc = arg;
	struct phase_signal copy[8];
	struct projection p;
	char got[4096];

	memcpy(copy, v, n * sizeof *v);
	phases_project(pc->cfg != NULL ? pc->cfg : &cfg, copy, n, pc->now, &p);
	render(&p, got, sizeof got);
	if (strcmp(got, pc->want) != 0)
		fail_msg("permutation %zu differs:\n%s", pc->count, got);
	projection_free(&p);
	pc->count++;
}

/*
 * Every arrival order of six signals (two deals, a win, a growth deal,
 * same-time signals) gives the same projection.
 */
static void
test_phases_order_independence(void **state)
{
	static const struct phase_signal base[6] = {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, CONTACT, 0, IN, "anna", NULL),
		SIG(3, OFFER_SENT, 4, OUT, "anna", NULL),
		SIG(4, ORDER_CONFIRMED, 9, IN, "anna", NULL),
		SIG(5, LOST, 9, OUT, "anna", NULL),
		SIG(6, DEMO, 30, NO, "bram", NULL),
	};
	struct phase_signal v[6];
	struct perm_check pc = { 0 };
	struct projection p;
	char want[4096];

	(void)state;
	memcpy(v, base, sizeof v);
	pc.now = T0 + 40 * DAY;
	phases_project(&cfg, v, 6, pc.now, &p);
	render(&p, want, sizeof want);
	assert_int_equal(p.ndeals, 2);
	assert_int_equal(p.deals[0].outcome, OUTCOME_WON);
	assert_int_equal(p.deals[1].kind, DEAL_GROWTH);
	projection_free(&p);

	pc.want = want;
	memcpy(v, base, sizeof v);
	permute(v, 6, 6, check_permutation, &pc);
	assert_int_equal(pc.count, 720);
}

/*
 * The same meeting in two salespeople's calendars is a signal of each: the
 * earlier one opens the deal; at the same time the salesperson configured
 * first (carla before anna here, against the order of their names and
 * refs), whatever the order of arrival.
 */
static void
test_phases_configuration_order(void **state)
{
	static const struct phase_signal base[3] = {
		{ 1, SIG_DEMO, T0, NO, "anna", "anna/demo:globex.de:u1", NULL, 0 },
		{ 2, SIG_DEMO, T0, NO, "carla", "carla/demo:globex.de:u1",
		    NULL, 0 },
		{ 3, SIG_OFFER_SENT, T0 + DAY, OUT, "anna",
		    "anna/offer_sent:globex.de:<m1>", NULL, 0 },
	};
	struct phase_signal v[3];
	struct perm_check pc = { 0 };
	struct config c;

	(void)state;
	config_defaults(&c);
	c.npeople = 2;
	c.people = xcalloc(c.npeople, sizeof *c.people);
	c.people[0].key = xstrdup("carla");
	c.people[1].key = xstrdup("anna");
	memcpy(v, base, sizeof v);
	pc.now = T0 + 10 * DAY;
	pc.cfg = &c;
	pc.want = "deal 0 new offer open owner=carla opened=+0d closed=0 "
	    "last=+1d inbound=0 since=+1d\n"
	    "0 ->prospect +0d demo by carla #2\n"
	    "0 prospect>offer +1d offer_sent by anna #3\n";
	permute(v, 3, 3, check_permutation, &pc);
	assert_int_equal(pc.count, 6);

	/* Earlier evidence wins over configuration order. */
	memcpy(v, base, sizeof v);
	v[0].at = T0 - 3600;
	pc.count = 0;
	pc.want = "deal 0 new offer open owner=anna opened=-3600s closed=0 "
	    "last=+1d inbound=0 since=+1d\n"
	    "0 ->prospect -3600s demo by anna #1\n"
	    "0 prospect>offer +1d offer_sent by anna #3\n";
	permute(v, 3, 3, check_permutation, &pc);
	assert_int_equal(pc.count, 6);
	config_free(&c);
}

/* A custom cycle from [phases] is followed: kinds enter configured phases. */
static void
test_phases_custom_cycle(void **state)
{
	struct config c;
	struct phase_signal sigs[2] = {
		SIG(1, APPOINTMENT, 0, NO, "anna", NULL),
		SIG(2, OFFER_SENT, 3, OUT, "anna", NULL),
	};
	struct projection p;
	size_t i;

	(void)state;
	config_defaults(&c);
	for (i = 0; i < c.phases.n; i++)
		free(c.phases.name[i]);
	c.phases.n = 2;
	c.phases.name[0] = xstrdup("lead");
	c.phases.name[1] = xstrdup("quote");
	for (i = 0; i < SIG__COUNT; i++)
		c.phases.enters[i] = PHASE_NONE;
	c.phases.enters[SIG_OFFER_SENT] = 1;
	/* Appointments enter no phase here: only the offer opens the deal. */
	phases_project(&c, sigs, 2, T0 + 10 * DAY, &p);
	assert_int_equal(p.ndeals, 1);
	assert_int_equal(p.deals[0].phase, 1);
	assert_int_equal(p.deals[0].opened, T0 + 3 * DAY);
	assert_int_equal(p.ntrans, 1);
	projection_free(&p);
	config_free(&c);
}

static void
test_phases_empty(void **state)
{
	struct projection p;

	(void)state;
	phases_project(&cfg, NULL, 0, T0, &p);
	assert_int_equal(p.ndeals, 0);
	assert_int_equal(p.ntrans, 0);
	projection_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phases_cases),
		cmocka_unit_test(test_phases_order_independence),
		cmocka_unit_test(test_phases_configuration_order),
		cmocka_unit_test(test_phases_custom_cycle),
		cmocka_unit_test(test_phases_empty),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
