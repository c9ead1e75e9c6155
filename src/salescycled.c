/* SPDX-License-Identifier: MIT */
/*
 * salescycled: the agent's main.  Parses the options, loads the
 * configuration, installs signal handlers that only set flags, and runs
 * the scheduler (agent.c) in the foreground, as systemd's Type=simple
 * expects.  Exit status: 0 ok, 1 some source failed (--once) or the store
 * cannot be opened, 2 bad usage or configuration.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconf.h"
#define LOG_TAG NULL
#include "agent.h"
#include "config.h"
#include "log.h"
#include "util.h"

static const char salescycled_usage[] =
    "usage: salescycled [-c FILE] [--once] [-v] [--help] [--version]\n"
    "  -c, --config FILE  configuration file (default %s)\n"
    "      --once         poll every source once and exit\n"
    "  -v, --verbose      more log output (twice: debug and IMAP commands)\n"
    "  -h, --help         this text\n"
    "  -V, --version      the version\n";

/* SIGTERM and SIGINT: finish the current batch and stop. */
static void
salescycled_on_stop(int sig)
{
	(void)sig;
	agent_stop = 1;
}

/* SIGHUP: reload the configuration. */
static void
salescycled_on_hup(int sig)
{
	(void)sig;
	agent_reload = 1;
}

/* Installs the flag-setting handlers; SIGPIPE is ignored (sockets). */
static void
salescycled_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = salescycled_on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = salescycled_on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	 cfg;
	struct err	 err;
	const char	*path = NULL;
	bool		 once = false;
	int		 c, verbose = 0;

	log_init("salescycled");
	xmalloc_init();
	/* Off before the configuration (which may hold a password) is read. */
	util_core_dumps(false);
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'o':
			once = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			printf(salescycled_usage, config_default_path());
			return 0;
		case 'V':
			printf("salescycled %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fprintf(stderr, salescycled_usage, config_default_path());
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "salescycled: unexpected argument: %s\n",
		    argv[optind]);
		fprintf(stderr, salescycled_usage, config_default_path());
		return 2;
	}
	if (verbose > 0)
		log_level = verbose > 1 ? LOG_LVL_DEBUG : LOG_LVL_INFO;
	if (path == NULL)
		path = config_default_path();
	if (config_load(path, &cfg, &err) != 0) {
		/* A value quoted from the file may hold any byte. */
		fputs("salescycled: ", stderr);
		util_safe_fputs(err.msg, stderr);
		fputc('\n', stderr);
		return 2;
	}
	if (cfg.core_dumps)
		util_core_dumps(true);
	salescycled_signals();
	return agent_run(&cfg, once);
}
