/* SPDX-License-Identifier: MIT */
/*
 * salescycle link ADDRESS ACCOUNT | --remove ADDRESS: one customer, two
 * addresses.  The customer's free-mail address counts as the company
 * account's (links.c); the account's deals are projected again at once,
 * and rebuild applies the link to all history.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "links.h"
#include "project.h"

static bool link_remove;

static const struct option link_options[] = {
	{ "remove", no_argument, NULL, 'R' },
	{ NULL, 0, NULL, 0 }
};

static char link_address[256];
static char link_account[256];

static int
cmd_link_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	(void)ctx;
	(void)arg;
	if (opt != 'R')
		return -1;
	link_remove = true;
	return 0;
}

static int
cmd_link_check(struct cmd_ctx *ctx)
{
	/* How many of the entry's one or two depends on --remove. */
	if (ctx->argc != (link_remove ? 1 : 2)) {
		cmd_error("link", "give ADDRESS ACCOUNT, or --remove ADDRESS");
		return -1;
	}
	if (cmd_account_key(&ctx->cfg, ctx->argv[0], link_address,
	    sizeof link_address) != 0)
		return -1;
	if (strchr(link_address, '@') == NULL) {
		cmd_error(ctx->argv[0], "not a free-mail address: a company's "
		    "addresses count for its domain already");
		return -1;
	}
	if (link_remove)
		return 0;
	if (cmd_account_key(&ctx->cfg, ctx->argv[1], link_account,
	    sizeof link_account) != 0)
		return -1;
	if (strchr(link_account, '@') != NULL) {
		cmd_error(ctx->argv[1], "give the company's account, its "
		    "domain (acme.nl)");
		return -1;
	}
	return 0;
}

static int
cmd_link_exec(struct cmd_ctx *ctx)
{
	struct strlist touched = { 0 };
	struct err err = { 0 };
	int rc, r;

	if (store_begin(ctx->store, &err) != 0) {
		cmd_error("link", "%s", err.msg);
		return EXIT_FAIL;
	}
	r = link_remove ? links_remove(ctx->store, link_address, &touched,
	    &err) : links_add(ctx->store, link_address, link_account,
	    "manual", ctx->now, &touched, &err);
	if (r < 0 || project_accounts(ctx->store, &ctx->cfg, &touched,
	    ctx->now, &err) != 0 || store_commit(ctx->store, &err) != 0) {
		store_rollback(ctx->store);
		cmd_error("link", "%s", err.msg);
		rc = EXIT_FAIL;
	} else if (link_remove && r == 0) {
		cmd_error(link_address, "is not linked");
		rc = EXIT_FAIL;
	} else
		rc = EXIT_OK;
	strlist_clear(&touched);
	return rc;
}

const struct cmd_entry cmd_link_entry = {
	.name = "link",
	.summary = "count a customer's free-mail address as their company's",
	.usage = "ADDRESS ACCOUNT | --remove ADDRESS",
	.flags = CMD_STORE_WRITE,
	.args = { 1, 2, "give ADDRESS ACCOUNT, or --remove ADDRESS" },
	.options = link_options,
	.shortopts = "",
	.option = cmd_link_option,
	.check = cmd_link_check,
	.exec = cmd_link_exec,
	.help = "  --remove        undo the link of ADDRESS\n"
	    "ADDRESS is a customer's address at a free-mail provider, ACCOUNT the\n"
	    "company's domain: the address's evidence counts in the company's deals\n"
	    "from now on and in rebuild.  Links are also made when one meeting or mail\n"
	    "names the address with addresses of exactly one company, or one answers a\n"
	    "mail of the other; one made here replaces those.  `salescycle deal ACCOUNT`\n"
	    "shows the linked addresses.\n",
};
