/* SPDX-License-Identifier: MIT */
/*
 * Secrets for the sources and SMTP: config_secret() (declared in
 * config.h) and the command runner behind password_command and
 * token_command.  Nothing here logs a secret; buffers that held one are
 * wiped before they are freed.
 */
#ifndef SC_SECRET_H
#define SC_SECRET_H

#include <signal.h>

#include "err.h"

/* How long a password_command may run before it is killed. */
#define SECRET_TIMEOUT_MS 30000

/*
 * Runs cmd with /bin/sh -c (stdin from /dev/null, stderr inherited) and
 * stores the first line of its standard output, without the newline, in
 * *out.  Empty output, a non-zero exit, a signal or running longer than
 * timeout_ms (the command's process group is then killed) is an error
 * (ERR_WAIT) whose message starts with owner.  Caller frees *out with free().
 */
int	secret_command(const char *cmd, const char *owner, int timeout_ms,
	    char **out, struct err *);

/*
 * A flag that, once set, makes a running command give up within 100 ms
 * (its process group killed, an ERR_TEMP error): the agent passes its
 * stop flag, so that SIGTERM is not held up by a hanging
 * password_command.  NULL (the default): commands run to their timeout.
 */
void	secret_set_stop(const volatile sig_atomic_t *stop);

#endif
