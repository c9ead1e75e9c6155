/* SPDX-License-Identifier: MIT */
/*
 * salescycle login SOURCE: a salesperson signs a source in once with the
 * OAuth 2.0 device authorization grant (RFC 8628; oauth.c does the
 * protocol): it prints where to sign in and the code to enter, waits
 * for the sign-in, and keeps the refresh token in the source's token
 * file beside the database, from which salescycled gets access tokens.
 * Run it as the user salescycled runs as, so that the agent can read
 * the file (mode 600).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "oauth.h"

/* Set by SIGINT and SIGTERM: the wait ends and nothing is kept. */
static volatile sig_atomic_t cmd_login_stop;

static void
cmd_login_signal(int sig)
{
	(void)sig;
	cmd_login_stop = 1;
}

static int
cmd_login_exec(struct cmd_ctx *ctx)
{
	struct sigaction	 sa;
	const struct source	*src = NULL;
	struct err		 err = { 0 };
	size_t			 i;

	for (i = 0; i < ctx->cfg.nsources; i++)
		if (strcmp(ctx->cfg.sources[i].name, ctx->argv[0]) == 0)
			src = &ctx->cfg.sources[i];
	if (src == NULL) {
		cmd_error("login", "no source '%s' in %s (sources are named "
		    "TYPE:KEY, e.g. imap:anna)", ctx->argv[0], ctx->cfg.path);
		return EXIT_USAGE;
	}
	if (!oauth_enabled(src) || src->oauth.flow != OAUTH_DEVICE) {
		cmd_error(src->name, "%s", !oauth_enabled(src) ? "has no OAuth "
		    "2.0 settings (provider = or oauth_*): nothing to sign in" :
		    "needs no sign-in: its oauth_flow is not device");
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cmd_login_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (oauth_login(src, stdout, &cmd_login_stop, &err) != 0) {
		cmd_error("login", "%s", err.msg);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

const struct cmd_entry cmd_login_entry = {
	.name = "login",
	.summary = "sign a source in with OAuth 2.0 (device code)",
	.usage = "SOURCE",
	.flags = 0,
	.args = { 1, 1, "needs one SOURCE, as status names it (e.g. "
	    "imap:anna)" },
	.shortopts = "",
	.exec = cmd_login_exec,
	.help = "Signs SOURCE (as status names it: imap:anna, caldav:anna, "
	    "graph:anna) in\n"
	    "with the OAuth 2.0 device authorization grant (RFC 8628): "
	    "prints a URL and a\n"
	    "code to enter there, waits until the salesperson signed in, "
	    "and keeps the\n"
	    "refresh token beside the database (DIR/oauth-TYPE-KEY.json, "
	    "mode 600), from\n"
	    "which salescycled gets its access tokens.  Run it as the user "
	    "salescycled\n"
	    "runs as.  The source needs provider = or oauth_* settings with "
	    "oauth_flow\n"
	    "= device (man salescycle.conf).\n"
	    "\n"
	    "Exit status 0 when signed in; 1 when the sign-in was declined, "
	    "the code\n"
	    "expired or the server failed; 2 for a bad SOURCE.\n",
};
