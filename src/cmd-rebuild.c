/* SPDX-License-Identifier: MIT */
/* salescycle rebuild: recompute every deal and transition from the signals. */
#include <stdio.h>

#include "cmd.h"
#include "project.h"

static int
cmd_rebuild_exec(struct cmd_ctx *ctx)
{
	struct err err = { 0 };

	if (project_rebuild(ctx->store, &ctx->cfg, ctx->now, &err) != 0) {
		cmd_error("rebuild", "%s", err.msg);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

const struct cmd_entry cmd_rebuild_entry = {
	.name = "rebuild",
	.summary = "recompute deals and transitions from the stored signals",
	.usage = "",
	.flags = CMD_STORE_WRITE,
	.shortopts = "",
	.exec = cmd_rebuild_exec,
	.help = "Run after changing [rules] or [phases]: signals are the facts, deals and\n"
	    "transitions are derived from them again.  (A rule change affects only new\n"
	    "signals; [phases] and name attribution apply to all.)\n",
};
