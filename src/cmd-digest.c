/* SPDX-License-Identifier: MIT */
/*
 * salescycle digest: composes the manager's digest of the past week or
 * day (and with [digest] salespeople each salesperson's own mail) and
 * writes it to stdout (--dry-run, the default; --format json: its data)
 * or sends it over [smtp] to every recipient (--send), recording the
 * period as sent so that the agent does not send it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "digest.h"
#include "printer.h"
#include "util.h"

/*
 * A send the server put off (a 4xx reply) is tried this many times in
 * all, waiting 1 s, 2 s ...; a server that cannot be reached is not: it
 * would only cost the timeout again.
 */
#define SEND_ATTEMPTS	3

static const char *digest_period_arg;
static const char *digest_as_of;
static bool digest_do_send;
static bool digest_dry;		/* --dry-run given: with --send, a contradiction */

static const struct option digest_options[] = {
	{ "period", required_argument, NULL, 'P' },
	{ "as-of", required_argument, NULL, 'A' },
	{ "dry-run", no_argument, NULL, 'D' },
	{ "send", no_argument, NULL, 'X' },
	{ NULL, 0, NULL, 0 }
};

static int
cmd_digest_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	(void)ctx;
	switch (opt) {
	case 'P':
		if (strcmp(arg, "week") != 0 && strcmp(arg, "day") != 0) {
			cmd_error("--period", "'%s': use week or day", arg);
			return -1;
		}
		digest_period_arg = arg;
		return 0;
	case 'A':
		digest_as_of = arg;
		return 0;
	case 'D':
		digest_dry = true;
		return 0;
	case 'X':
		digest_do_send = true;
		return 0;
	}
	return -1;
}

/*
 * Refuses --wide (there is no table to widen) and --send with --dry-run:
 * which of the two was meant is not ours to guess.
 */
static int
cmd_digest_check(struct cmd_ctx *ctx)
{
	if (ctx->wide) {
		cmd_error("--wide", "digest writes a mail, not a table");
		return -1;
	}
	if (digest_do_send && digest_dry) {
		cmd_error("--send", "and --dry-run contradict each other: give one");
		return -1;
	}
	return 0;
}

/* Writes one message (or its data, with --format json). */
static void
digest_dry_one(struct cmd_ctx *ctx, struct json *j, const struct digest_data *d,
    const char *to)
{
	char *msg;

	if (j != NULL) {
		digest_json(j, d, to);
		return;
	}
	msg = digest_message(&ctx->cfg, d, to, NULL, ctx->now);
	fputs(msg, stdout);
	free(msg);
}

/*
 * Writes each recipient's message (or one for all salespeople), then
 * each salesperson's own; with --format json their data instead.
 */
static int
digest_dry_run(struct cmd_ctx *ctx, const struct digest_period *p, time_t at)
{
	struct digest_recipients r;
	struct digest_data d;
	struct stalled_list all = { 0 };
	struct analysis_shared *shared;
	struct err err = { 0 };
	struct json j, *jp = NULL;
	size_t i;
	bool have_all = false;

	if (ctx->format == FORMAT_JSON) {
		jp = &j;
		json_init(jp, stdout);
		json_begin_object(jp);
		json_key(jp, "period");
		json_str(jp, p->key);
		json_key(jp, "digests");
		json_begin_array(jp);
	}
	digest_recipients(&ctx->cfg, &r);
	/* What every digest reads of the whole history, read once. */
	shared = analysis_shared_new();
	digest_shared_cover(shared, &ctx->cfg, &r);
	for (i = 0; i < r.n || (r.n == 0 && i == 0); i++) {
		if (digest_collect(ctx->store, &ctx->cfg, p,
		    r.n > 0 ? &r.v[i].people : NULL, at, shared, &d, &err) != 0)
			goto fail;
		digest_dry_one(ctx, jp, &d, r.n > 0 ? r.v[i].address : NULL);
		digest_data_free(&d);
	}
	for (i = 0; i < ctx->cfg.npeople; i++) {
		const struct salesperson *sp = &ctx->cfg.people[i];

		if (!config_personal_digest(&ctx->cfg, sp))
			continue;
		/* Everyone's stalled deals once, for all the personal mails. */
		if (!have_all && digest_stalled_all(ctx->store, &ctx->cfg, at,
		    shared, &all, &err) != 0)
			goto fail;
		have_all = true;
		if (digest_collect_personal(ctx->store, &ctx->cfg, p, sp, &all,
		    at, &d, &err) != 0)
			goto fail;
		digest_dry_one(ctx, jp, &d, sp->email.v[0]);
		digest_data_free(&d);
	}
	digest_recipients_free(&r);
	stalled_list_free(&all);
	analysis_shared_free(shared);
	if (jp != NULL) {
		json_end_array(jp);
		json_end_object(jp);
		json_end(jp);
	}
	return EXIT_OK;
fail:
	cmd_error("digest", "%s", err.msg);
	digest_recipients_free(&r);
	stalled_list_free(&all);
	analysis_shared_free(shared);
	return EXIT_FAIL;
}

/* Sends to every recipient, retrying the ones the server put off. */
static int
digest_send_all(struct cmd_ctx *ctx, const struct digest_period *p, time_t at)
{
	struct digest_state state = { 0 };
	struct store *st;
	struct err err = { 0 };
	const char *db;
	int attempt, n = -1;

	if (ctx->cfg.smtp.url == NULL) {
		cmd_error("digest", "--send needs an [smtp] section in %s",
		    ctx->cfg.path != NULL ? ctx->cfg.path : "the configuration");
		return EXIT_USAGE;
	}
	/* The command's own connection is read-only; recording needs a writer. */
	db = ctx->cfg.database;
	if (store_open(db, 0, &st, &err) != 0) {
		cmd_error(db, "%s", err.msg);
		return EXIT_FAIL;
	}
	for (attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
		err_clear(&err);
		/* The first attempt sends again what was sent before; retries only the rest. */
		n = digest_deliver(st, &ctx->cfg, p, at, attempt == 1, &state,
		    &err);
		if (n >= 0 || err.cls != ERR_TEMP || state.reply < 400 ||
		    state.reply > 499 || attempt == SEND_ATTEMPTS)
			break;
		fprintf(stderr, "salescycle: digest: %s; trying again in %d s\n",
		    err.msg, attempt);
		sleep((unsigned)attempt);
	}
	/* Sent, not recorded: warned about, never sent again by the agent. */
	digest_flush(st, &state, at);
	digest_state_free(&state);
	store_close(st);
	if (n < 0) {
		cmd_error("digest", "%s", err.msg);
		return err.cls == ERR_FINAL ? EXIT_USAGE : EXIT_FAIL;
	}
	fprintf(stderr, "salescycle: digest %s sent to %d recipient%s\n", p->key, n,
	    n == 1 ? "" : "s");
	return EXIT_OK;
}

static int
cmd_digest_exec(struct cmd_ctx *ctx)
{
	struct digest_period p;
	struct err err = { 0 };
	const char *name = digest_period_arg;
	time_t at = ctx->now;

	if (digest_as_of != NULL &&
	    util_parse_time(digest_as_of, ctx->cfg.timezone, &at) != 0) {
		cmd_error("--as-of", "'%s' is not a date (YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS][Z])", digest_as_of);
		return EXIT_USAGE;
	}
	if (ctx->format == FORMAT_CSV) {
		cmd_error("--format", "digest writes a mail (table) or its "
		    "data (json), not csv");
		return EXIT_USAGE;
	}
	if (digest_do_send && ctx->format == FORMAT_JSON) {
		cmd_error("--format", "json writes the digest's data; it is "
		    "not sent with --send");
		return EXIT_USAGE;
	}
	if (name == NULL)
		name = ctx->cfg.digest.period != NULL ? ctx->cfg.digest.period : "week";
	if (digest_period_at(&ctx->cfg, name, at, &p, &err) != 0) {
		cmd_error("--period", "%s", err.msg);
		return EXIT_USAGE;
	}
	p.current = at >= ctx->now;
	if (digest_do_send)
		return digest_send_all(ctx, &p, at);
	return digest_dry_run(ctx, &p, at);
}

const struct cmd_entry cmd_digest_entry = {
	.name = "digest",
	.summary = "the digest mails: write them out or send them",
	.usage = "[--period week|day] [--as-of DATE] [--dry-run | --send] [--format json]",
	.flags = CMD_NEEDS_STORE | CMD_FORMAT | CMD_NO_CSV,
	.options = digest_options,
	.shortopts = "",
	.option = cmd_digest_option,
	.check = cmd_digest_check,
	.exec = cmd_digest_exec,
	.help = "  --period week|day  the last whole week (Monday to Sunday) or the day\n"
	    "                     before the day of --as-of\n"
	    "                     (default: the period of [digest] schedule, else week)\n"
	    "  --as-of DATE       the digest as it would be made then (default now)\n"
	    "  --dry-run          write the message(s) to stdout (default)\n"
	    "  --send             send them over [smtp] and record the period as sent\n"
	    "  --format json      write each message's data instead\n"
	    "One message per manager for their salespeople, or to each\n"
	    "[digest] to address for all of them; with [digest] salespeople\n"
	    "= yes also one to each salesperson of their own (their offers\n"
	    "waiting, stalled deals, meetings held, booked and planned, and\n"
	    "what their hashtags changed).  Every number is as of --as-of:\n"
	    "what happened after it is left out.\n",
};
