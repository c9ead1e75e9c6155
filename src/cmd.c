/* SPDX-License-Identifier: MIT */
/* Helpers shared by the commands (cmd.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cmd.h"
#include "util.h"
#include "xmalloc.h"

void
cmd_error(const char *what, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	/* The message may carry a server's text: written as one safe line. */
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fputs("salescycle: ", stderr);
	util_safe_fputs(what, stderr);
	fputs(": ", stderr);
	util_safe_fputs(msg, stderr);
	fputc('\n', stderr);
	free(msg);
}

int
cmd_account_key(const struct config *cfg, const char *arg, char *key, size_t keylen)
{
	char addr[512];

	if (strchr(arg, '@') != NULL)
		snprintf(addr, sizeof addr, "%s", arg);
	else
		snprintf(addr, sizeof addr, "x@%s", arg);
	if (account_classify(cfg, addr, key, keylen) != ADDR_EXTERNAL) {
		cmd_error(arg, "not a customer account: give its domain (acme.nl) "
		    "or, for free-mail customers, the address");
		return -1;
	}
	return 0;
}

/* The currency deal values are in ([general] currency, EUR by default). */
const char *
cmd_currency(const struct cmd_ctx *ctx)
{
	return ctx->cfg.currency;
}
