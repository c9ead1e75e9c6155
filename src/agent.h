/* SPDX-License-Identifier: MIT */
/*
 * The agent's scheduler (DESIGN section 2.8 of STYLE.md): one loop owns
 * every source's due time, failure count and disabled flag; a bounded pool
 * of worker threads, each with its own store connection, polls the due
 * sources through their drivers (source.h).  Failures back off by their
 * error class; health goes to the store.  The signal handlers of
 * salescycled.c only set the two flags below; the loop acts on them.
 */
#ifndef SC_AGENT_H
#define SC_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "err.h"

/* Set by SIGTERM/SIGINT: finish the current batch and return. */
extern volatile sig_atomic_t agent_stop;
/* Set by SIGHUP: load the configuration again, keep the old one if it fails. */
extern volatile sig_atomic_t agent_reload;

/*
 * Runs the agent with cfg, which it takes over and frees.  once: poll
 * every source one time and return.  Returns 0 when every source polled
 * fine (or, without once, after a clean stop), 1 when some source failed
 * or the store cannot be opened.
 */
int	agent_run(struct config *cfg, bool once);

/*
 * The wait after the n-th consecutive failure of class cls (n >= 1):
 * doubling from 30 s (ERR_TEMP, ERR_DATA) or 120 s (ERR_WAIT), capped at
 * an hour.  ERR_FINAL returns 0: the source is disabled until SIGHUP.
 */
time_t	agent_backoff(enum err_class cls, unsigned n);

#endif
