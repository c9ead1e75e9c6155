/* SPDX-License-Identifier: MIT */
/*
 * salescycle set ACCOUNT --phase P | --outcome won|lost|open, --value
 * AMOUNT: a manager's correction, recorded as a `manual` signal (the
 * value as a `value` signal of source "manual", like a #value hashtag) so
 * that it survives rebuild like every other fact.  It says what changed:
 * a correction that changes nothing (no deal to apply to) must not look
 * as if it worked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmd.h"
#include "money.h"
#include "project.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

static const char *set_phase;
static const char *set_outcome;
static const char *set_at;
static const char *set_value;

static const struct option set_options[] = {
	{ "phase", required_argument, NULL, 'P' },
	{ "outcome", required_argument, NULL, 'O' },
	/* Not 'V': the common --version. */
	{ "value", required_argument, NULL, 'a' },
	{ "at", required_argument, NULL, 'A' },
	{ NULL, 0, NULL, 0 }
};

static int
cmd_set_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	switch (opt) {
	case 'P':
		set_phase = arg;
		return 0;
	case 'O':
		set_outcome = arg;
		return 0;
	case 'a':
		set_value = arg;
		return 0;
	case 'A':
		set_at = arg;
		return 0;
	}
	return -1;
}

static char set_key[256];
static time_t set_time;
static double set_amount;

static int
cmd_set_check(struct cmd_ctx *ctx)
{
	if (set_phase != NULL && set_outcome != NULL) {
		cmd_error("set", "give either --phase or --outcome, not both");
		return -1;
	}
	if (set_phase == NULL && set_outcome == NULL && set_value == NULL) {
		cmd_error("set", "give one ACCOUNT and --phase, --outcome or "
		    "--value");
		return -1;
	}
	if (set_value != NULL && !money_amount(set_value, &set_amount)) {
		cmd_error("--value", "'%s' is not an amount (12500, 12.500,-, "
		    "12,500.00, \xe2\x82\xac 12.500)", set_value);
		return -1;
	}
	if (cmd_account_key(&ctx->cfg, ctx->argv[0], set_key, sizeof set_key) != 0)
		return -1;
	if (set_phase != NULL && config_phase_index(&ctx->cfg, set_phase) == PHASE_NONE) {
		cmd_error("--phase", "'%s' is not a phase of the configured cycle", set_phase);
		return -1;
	}
	if (set_outcome != NULL && outcome_from_name(set_outcome) < 0) {
		cmd_error("--outcome", "'%s': use won, lost or open", set_outcome);
		return -1;
	}
	set_time = ctx->now;
	if (set_at != NULL && util_parse_time(set_at, ctx->cfg.timezone, &set_time) != 0) {
		cmd_error("--at", "'%s' is not a date", set_at);
		return -1;
	}
	return 0;
}

/* The account's latest deal as set prints it; strings owned. */
struct set_state {
	char		*phase;		/* NULL: no deal */
	char		*outcome;
	double		 value;		/* NAN: not known */
	time_t		 opened;
	int64_t		 id;		/* 0: no deal */
};

/* Keeps the latest deal (deals come in id order). */
static int
cmd_set_deal(const struct store_deal *d, void *arg)
{
	struct set_state *ss = arg;

	free(ss->phase);
	free(ss->outcome);
	ss->phase = xstrdup(d->phase);
	ss->outcome = xstrdup(d->outcome);
	ss->opened = d->opened;
	ss->id = d->id;
	return 0;
}

/* Reads the account's latest deal and its value. */
static int
cmd_set_state(struct cmd_ctx *ctx, struct set_state *ss, struct err *err)
{
	struct store_filter f = { NULL, set_key, 0, 0 };
	struct deal_facts df;

	memset(ss, 0, sizeof *ss);
	ss->value = NAN;
	if (store_deals(ctx->store, &f, cmd_set_deal, ss, err) != 0)
		return -1;
	if (ss->phase == NULL)
		return 0;
	if (analysis_deal_facts(ctx->store, set_key, ss->opened, ctx->now,
	    &df, err) != 0)
		return -1;
	ss->value = df.value;
	deal_facts_free(&df);
	return 0;
}

static void
cmd_set_state_free(struct set_state *ss)
{
	free(ss->phase);
	free(ss->outcome);
}

/* One "was -> now" line, if it changed. */
static bool
cmd_set_changed(const char *what, const char *was, const char *now)
{
	if (was != NULL && now != NULL && strcmp(was, now) == 0)
		return false;
	printf("%s: %s ", set_key, what);
	util_safe_fputs(was != NULL ? was : "none", stdout);
	fputs(" -> ", stdout);
	util_safe_fputs(now != NULL ? now : "none", stdout);
	putchar('\n');
	return true;
}

/* Prints what the correction changed of the latest deal. */
static void
cmd_set_report(struct cmd_ctx *ctx, const struct set_state *was,
    const struct set_state *now)
{
	char a[64], b[64];
	bool any = false;

	if (now->id != was->id) {
		/* A new deal: there is nothing to compare it with. */
		printf("%s: new deal, phase ", set_key);
		util_safe_fputs(now->phase, stdout);
		fputs(", ", stdout);
		util_safe_fputs(now->outcome, stdout);
		putchar('\n');
		any = true;
	} else {
		any = cmd_set_changed("phase", was->phase, now->phase) || any;
		any = cmd_set_changed("outcome", was->outcome, now->outcome) ||
		    any;
	}
	if (isnan(was->value))
		snprintf(a, sizeof a, "not known");
	else
		snprintf(a, sizeof a, "%.2f %s", was->value, ctx->cfg.currency);
	if (isnan(now->value))
		snprintf(b, sizeof b, "not known");
	else
		snprintf(b, sizeof b, "%.2f %s", now->value, ctx->cfg.currency);
	any = cmd_set_changed("value", a, b) || any;
	if (!any)
		printf("%s: nothing changed%s\n", set_key, now->phase == NULL ?
		    " (no deal to apply it to)" : "");
}

/* Adds one manual correction of the account to sigs. */
static void
cmd_set_signal(struct signal_list *sigs, enum signal_kind kind,
    const char *owner, time_t at, char *value)
{
	struct signal *s;

	s = signal_list_add(sigs);
	s->kind = kind;
	s->account = xstrdup(set_key);
	s->salesperson = xstrdup(owner);
	s->occurred_at = at;
	s->dir = DIR_NONE;
	s->source = xstrdup("manual");
	s->item = xstrdup("manual");
	s->value = value;
	s->ref = kind == SIG_MANUAL ? xasprintf("manual:%s:%lld:%s", set_key,
	    (long long)at, value) : xasprintf("manual:%s:%lld:value=%s",
	    set_key, (long long)at, value);
	s->rule = xstrdup("manual");
}

static int
cmd_set_exec(struct cmd_ctx *ctx)
{
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct set_state was, now;
	struct err err = { 0 };
	char *owner;
	int rc = EXIT_OK;

	owner = xstrdup(ctx->salesperson);
	if (owner == NULL &&
	    store_account_owner(ctx->store, set_key, &owner, &err) != 0) {
		cmd_error("set", "%s", err.msg);
		return EXIT_FAIL;
	}
	if (owner == NULL) {
		cmd_error(set_key, "no deal yet: say whose it is with --salesperson KEY");
		return EXIT_USAGE;
	}
	if (set_phase != NULL)
		cmd_set_signal(&sigs, SIG_MANUAL, owner, set_time,
		    xasprintf("phase=%s", set_phase));
	else if (set_outcome != NULL)
		cmd_set_signal(&sigs, SIG_MANUAL, owner, set_time,
		    xasprintf("outcome=%s", set_outcome));
	if (set_value != NULL)
		cmd_set_signal(&sigs, SIG_VALUE, owner, set_time,
		    xasprintf("%.2f", set_amount));
	free(owner);

	memset(&now, 0, sizeof now);
	if (cmd_set_state(ctx, &was, &err) != 0 ||
	    store_begin(ctx->store, &err) != 0 ||
	    store_add_signals(ctx->store, &sigs, &touched, &err) < 0 ||
	    project_accounts(ctx->store, &ctx->cfg, &touched, ctx->now, &err) != 0 ||
	    store_commit(ctx->store, &err) != 0 ||
	    cmd_set_state(ctx, &now, &err) != 0) {
		store_rollback(ctx->store);
		cmd_error("set", "%s", err.msg);
		rc = EXIT_FAIL;
	} else
		cmd_set_report(ctx, &was, &now);
	cmd_set_state_free(&was);
	cmd_set_state_free(&now);
	signal_list_clear(&sigs);
	strlist_clear(&touched);
	return rc;
}

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.summary = "set an account's phase, outcome or value by hand",
	.usage = "ACCOUNT [--phase PHASE | --outcome won|lost|open] [--value AMOUNT] [--at DATE]",
	.flags = CMD_STORE_WRITE | CMD_PERSON,
	.args = { 1, 1, "give one ACCOUNT and --phase, --outcome or --value" },
	.options = set_options,
	.shortopts = "",
	.option = cmd_set_option,
	.check = cmd_set_check,
	.exec = cmd_set_exec,
	.help = "  --phase PHASE   move the account's deal to PHASE\n"
	    "  --outcome O     mark it won, lost, or open again\n"
	    "  --value AMOUNT  the deal's value: 12500, 12.500,-, 12,500.00, EUR 12.500\n"
	    "                  (in [general] currency); the newest amount wins\n"
	    "  --at DATE       when it happened (default: now)\n"
	    "The correction is stored as a 'manual' signal (kept by rebuild) and set\n"
	    "prints what it changed.  Without a deal yet, --salesperson says whose it\n"
	    "is.\n",
};
