/* SPDX-License-Identifier: MIT */
/*
 * salescycle set ACCOUNT --phase P | --outcome won|lost|open: a manager's
 * correction, recorded as a `manual` signal so that it survives rebuild
 * like every other fact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "project.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

static const char *set_phase;
static const char *set_outcome;
static const char *set_at;

static const struct option set_options[] = {
	{ "phase", required_argument, NULL, 'P' },
	{ "outcome", required_argument, NULL, 'O' },
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
	case 'A':
		set_at = arg;
		return 0;
	}
	return -1;
}

static char set_key[256];
static time_t set_time;

static int
cmd_set_check(struct cmd_ctx *ctx)
{
	if ((set_phase == NULL) == (set_outcome == NULL)) {
		cmd_error("set", "give one ACCOUNT and either --phase or --outcome");
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

static int
cmd_set_exec(struct cmd_ctx *ctx)
{
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct err err = { 0 };
	const char *key = set_key;
	struct signal *s;
	char *owner;
	time_t at = set_time;
	int rc = EXIT_OK;

	owner = xstrdup(ctx->salesperson);
	if (owner == NULL &&
	    store_account_owner(ctx->store, key, &owner, &err) != 0) {
		cmd_error("set", "%s", err.msg);
		return EXIT_FAIL;
	}
	if (owner == NULL) {
		cmd_error(key, "no deal yet: say whose it is with --salesperson KEY");
		return EXIT_USAGE;
	}

	s = signal_list_add(&sigs);
	s->kind = SIG_MANUAL;
	s->account = xstrdup(key);
	s->salesperson = owner;
	s->occurred_at = at;
	s->dir = DIR_NONE;
	s->source = xstrdup("manual");
	s->item = xstrdup("manual");
	s->value = set_phase != NULL ? xasprintf("phase=%s", set_phase) :
	    xasprintf("outcome=%s", set_outcome);
	s->ref = xasprintf("manual:%s:%lld:%s", key, (long long)at, s->value);
	s->rule = xstrdup("manual");

	if (store_begin(ctx->store, &err) != 0 ||
	    store_add_signals(ctx->store, &sigs, &touched, &err) < 0 ||
	    project_accounts(ctx->store, &ctx->cfg, &touched, ctx->now, &err) != 0 ||
	    store_commit(ctx->store, &err) != 0) {
		store_rollback(ctx->store);
		cmd_error("set", "%s", err.msg);
		rc = EXIT_FAIL;
	}
	signal_list_clear(&sigs);
	strlist_clear(&touched);
	return rc;
}

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.summary = "set an account's phase or outcome by hand",
	.usage = "ACCOUNT --phase PHASE | --outcome won|lost|open [--at DATE]",
	.flags = CMD_STORE_WRITE | CMD_PERSON,
	.args = { 1, 1, "give one ACCOUNT and either --phase or --outcome" },
	.options = set_options,
	.shortopts = "",
	.option = cmd_set_option,
	.check = cmd_set_check,
	.exec = cmd_set_exec,
	.help = "  --phase PHASE   move the account's deal to PHASE\n"
	    "  --outcome O     mark it won, lost, or open again\n"
	    "  --at DATE       when it happened (default: now)\n"
	    "The correction is stored as a 'manual' signal (kept by rebuild). Without a\n"
	    "deal yet, --salesperson says whose it is.\n",
};
