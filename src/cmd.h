/* SPDX-License-Identifier: MIT */
/*
 * The query CLI's commands (tmux's cmd_entry, notmuch's flags): each
 * cmd-X.c exports one struct cmd_entry; salescycle.c parses the common
 * options, prepares what the flags ask and calls exec.
 */
#ifndef SC_CMD_H
#define SC_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "printer.h"
#include "store.h"

#define CMD_NEEDS_STORE	0x01	/* open the database read-only */
#define CMD_STORE_WRITE	0x02	/* open it for writing (creating it) */
#define CMD_RANGE	0x04	/* reads --since and --until */
#define CMD_FORMAT	0x08	/* prints as --format asks */
#define CMD_PERSON	0x10	/* reads --salesperson */
#define CMD_NO_CSV	0x20	/* --format table or json, not csv */

/* Exit codes (DESIGN section 7), decided here for the whole CLI. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct cmd_ctx {
	struct config	 cfg;
	bool		 cfg_loaded;
	struct store	*store;		/* owned; NULL unless the flags asked */
	enum format	 format;
	bool		 wide;		/* --wide: tables with every column, whole */
	time_t		 since;		/* 0 = unbounded */
	time_t		 until;		/* 0 = unbounded; exclusive */
	const char	*format_arg;	/* as given; NULL: the default table */
	const char	*since_arg;	/* as given, for output */
	const char	*until_arg;
	const char	*salesperson;	/* NULL = all */
	time_t		 now;		/* $SALESCYCLE_NOW or time(NULL): tests pin it */
	int		 argc;		/* positional arguments after the command */
	char	       **argv;
	int		 opt;		/* set by the command's own options: see optparse */
};

/*
 * The positional arguments a command takes (tmux's args_parse bounds):
 * salescycle.c checks their number before the store is opened, so that
 * no command counts them itself.
 */
struct cmd_args {
	int		 lower;		/* at least */
	int		 upper;		/* at most; -1: no limit */
	const char	*error;		/* what to say otherwise; NULL: "takes no arguments" */
};

struct cmd_entry {
	const char	*name;
	const char	*summary;	/* one line for `salescycle --help` */
	const char	*usage;		/* options and arguments after the name */
	int		 flags;
	struct cmd_args	 args;		/* zero: no arguments */
	const struct option *options;	/* the command's own long options, or NULL */
	const char	*shortopts;	/* the command's own short options, or "" */
	/* Called for each of the command's own options. */
	int		(*option)(struct cmd_ctx *, int opt, const char *arg);
	/* Checks the arguments before the store is opened (or created); may be NULL. */
	int		(*check)(struct cmd_ctx *);
	int		(*exec)(struct cmd_ctx *);
	const char	*help;		/* text after the usage line */
};

extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_doctor_entry;
extern const struct cmd_entry cmd_login_entry;
extern const struct cmd_entry cmd_deals_entry;
extern const struct cmd_entry cmd_deal_entry;
extern const struct cmd_entry cmd_transitions_entry;
extern const struct cmd_entry cmd_funnel_entry;
extern const struct cmd_entry cmd_appointments_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_targets_entry;
extern const struct cmd_entry cmd_rebuild_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_link_entry;
extern const struct cmd_entry cmd_conversion_entry;
extern const struct cmd_entry cmd_qualification_entry;
extern const struct cmd_entry cmd_stalled_entry;
extern const struct cmd_entry cmd_forecast_entry;
extern const struct cmd_entry cmd_digest_entry;
extern const struct cmd_entry cmd_lost_reasons_entry;

/* Prints "salescycle: WHAT: WHY" to stderr. */
void	cmd_error(const char *what, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));


/* The currency code that amounts are in (issue 10: [general] currency). */
const char *cmd_currency(const struct cmd_ctx *);

/* The account key for a domain or address the user typed; -1 with a message. */
int	cmd_account_key(const struct config *, const char *arg, char *key, size_t keylen);

#endif
