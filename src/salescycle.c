/* SPDX-License-Identifier: MIT */
/*
 * salescycle: the query CLI.  Parses the common options (-c, --format,
 * --since, --until, --salesperson) wherever they stand, looks the command
 * up in cmd_table, prepares what its flags ask (config, store) and runs it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "cmd.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_status_entry,
	&cmd_doctor_entry,
	&cmd_login_entry,
	&cmd_deals_entry,
	&cmd_deal_entry,
	&cmd_transitions_entry,
	&cmd_funnel_entry,
	&cmd_appointments_entry,
	&cmd_conversion_entry,
	&cmd_qualification_entry,
	&cmd_stalled_entry,
	&cmd_forecast_entry,
	&cmd_lost_reasons_entry,
	&cmd_digest_entry,
	&cmd_import_entry,
	&cmd_targets_entry,
	&cmd_set_entry,
	&cmd_link_entry,
	&cmd_rebuild_entry,
	NULL
};

/* stdout's buffer when it is not a terminal (main). */
static char stdout_buf[65536];

static const struct option common_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "since", required_argument, NULL, 'S' },
	{ "until", required_argument, NULL, 'U' },
	{ "salesperson", required_argument, NULL, 'p' },
	{ "wide", no_argument, NULL, 'W' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
};
#define NCOMMON (sizeof common_options / sizeof common_options[0])

static void
usage(FILE *f)
{
	const struct cmd_entry *const *e;

	fprintf(f, "usage: salescycle [-c FILE] COMMAND [--format table|csv|json]\n"
	    "                  [--since DATE] [--until DATE] [--salesperson KEY]\n"
	    "                  [--wide] [ARGS]\n\n"
	    "Commands:\n");
	for (e = cmd_table; *e != NULL; e++)
		fprintf(f, "  %-13s %s\n", (*e)->name, (*e)->summary);
	fprintf(f, "\nCommon options:\n"
	    "  -c, --config FILE     configuration (default $SALESCYCLE_CONFIG or %s)\n"
	    "  -f, --format FORMAT   table (default), csv or json\n"
	    "      --since DATE      from this day or time (YYYY-MM-DD[THH:MM[Z]])\n"
	    "      --until DATE      up to this day or time, exclusive\n"
	    "  -p, --salesperson KEY only this salesperson\n"
	    "      --wide            tables with every column, nothing shortened\n"
	    "                        (default: they fit %d columns)\n"
	    "  -v, --verbose         more messages\n"
	    "  -h, --help            this text; COMMAND --help for a command\n"
	    "  -V, --version         the version\n"
	    "\nSee salescycle(1).\n", config_default_path(), PRINTER_WIDTH);
}

static void
version(void)
{
	printf("salescycle %s\n", PACKAGE_VERSION);
}

/* The common options a command takes (it refuses the others). */
static void
cmd_usage_common(const struct cmd_entry *e, FILE *f)
{
	const char *opt[8];
	size_t n = 0, i, col;

	opt[n++] = "-c FILE";
	if ((e->flags & CMD_FORMAT) != 0) {
		opt[n++] = (e->flags & CMD_NO_CSV) != 0 ?
		    "--format table|json" : "--format table|csv|json";
		opt[n++] = "--wide";
	}
	if ((e->flags & CMD_RANGE) != 0) {
		opt[n++] = "--since DATE";
		opt[n++] = "--until DATE";
	}
	if ((e->flags & CMD_PERSON) != 0)
		opt[n++] = "--salesperson KEY";
	opt[n++] = "--help";
	opt[n++] = "--version";
	col = (size_t)fprintf(f, "\nCommon options:") - 1;
	for (i = 0; i < n; i++) {
		if (col + 1 + strlen(opt[i]) + 1 > 72) {
			fputc('\n', f);
			col = 0;
		} else
			col += (size_t)fprintf(f, " ");
		col += (size_t)fprintf(f, "%s%c", opt[i],
		    i + 1 < n ? ',' : '.');
	}
	fputc('\n', f);
}

static void
cmd_usage(const struct cmd_entry *e, FILE *f)
{
	fprintf(f, "usage: salescycle %s%s%s\n", e->name,
	    e->usage[0] != '\0' ? " " : "", e->usage);
	fprintf(f, "\n%s\n", e->summary);
	if (e->help != NULL)
		fprintf(f, "\n%s", e->help);
	cmd_usage_common(e, f);
}

static const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const *e;

	for (e = cmd_table; *e != NULL; e++)
		if (strcmp((*e)->name, name) == 0)
			return *e;
	return NULL;
}

/* The command whose name is nearest to a mistyped one; NULL if none is near. */
static const struct cmd_entry *
cmd_nearest(const char *name)
{
	const struct cmd_entry *const *e, *best = NULL;
	size_t d, bestd = 3;	/* two typos at most */

	for (e = cmd_table; *e != NULL; e++) {
		d = util_edit_distance(name, (*e)->name);
		if (d < bestd && d < strlen((*e)->name)) {
			bestd = d;
			best = *e;
		}
	}
	return best;
}

/*
 * Whether the common options given are ones the command reads: one it
 * would ignore is an error, so that no one trusts a filter that was not
 * applied.
 */
static bool
options_fit(const struct cmd_entry *e, const struct cmd_ctx *ctx)
{
	if ((e->flags & CMD_RANGE) == 0 &&
	    (ctx->since_arg != NULL || ctx->until_arg != NULL)) {
		cmd_error(ctx->since_arg != NULL ? "--since" : "--until",
		    "%s does not take a date range", e->name);
		return false;
	}
	if ((e->flags & CMD_PERSON) == 0 && ctx->salesperson != NULL) {
		cmd_error("--salesperson", "%s is not per salesperson", e->name);
		return false;
	}
	if ((e->flags & CMD_FORMAT) == 0 &&
	    (ctx->format_arg != NULL || ctx->wide)) {
		cmd_error(ctx->format_arg != NULL ? "--format" : "--wide",
		    "%s prints text only", e->name);
		return false;
	}
	return true;
}

/* Merges the common and the command's long options into one table. */
static struct option *
merge_options(const struct cmd_entry *e)
{
	size_t n = 0, i;
	struct option *o;

	while (e->options != NULL && e->options[n].name != NULL)
		n++;
	o = xcalloc(NCOMMON + n + 1, sizeof *o);
	memcpy(o, common_options, sizeof common_options);
	for (i = 0; i < n; i++)
		o[NCOMMON + i] = e->options[i];
	return o;
}

static int
parse_range(struct cmd_ctx *ctx)
{
	if (ctx->since_arg != NULL &&
	    util_parse_time(ctx->since_arg, ctx->cfg.timezone, &ctx->since) != 0) {
		cmd_error("--since", "'%s' is not a date (YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS][Z])", ctx->since_arg);
		return -1;
	}
	if (ctx->until_arg != NULL &&
	    util_parse_time(ctx->until_arg, ctx->cfg.timezone, &ctx->until) != 0) {
		cmd_error("--until", "'%s' is not a date (YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS][Z])", ctx->until_arg);
		return -1;
	}
	if (ctx->since != 0 && ctx->until != 0 && ctx->until <= ctx->since) {
		cmd_error("--until", "must be later than --since");
		return -1;
	}
	return 0;
}

enum { OPT_DONE, OPT_HELP, OPT_VERSION, OPT_BAD, OPT_OTHER };

/*
 * Handles one of the common options, wherever it stands: OPT_DONE, OPT_HELP
 * for -h, OPT_VERSION for -V, OPT_BAD after a message, OPT_OTHER when it
 * is not a common one.
 */
static int
common_option(struct cmd_ctx *ctx, int c, const char *arg, const char **cfgpath)
{
	switch (c) {
	case 'c':
		*cfgpath = arg;
		return OPT_DONE;
	case 'f':
		ctx->format_arg = arg;
		if (printer_format_from_name(arg, &ctx->format) != 0) {
			cmd_error("--format", "'%s': use table, csv or json", arg);
			return OPT_BAD;
		}
		return OPT_DONE;
	case 'S':
		ctx->since_arg = arg;
		return OPT_DONE;
	case 'U':
		ctx->until_arg = arg;
		return OPT_DONE;
	case 'p':
		ctx->salesperson = arg;
		return OPT_DONE;
	case 'W':
		ctx->wide = true;
		return OPT_DONE;
	case 'v':
		log_level++;
		return OPT_DONE;
	case 'h':
		return OPT_HELP;
	case 'V':
		return OPT_VERSION;
	default:
		return OPT_OTHER;
	}
}

/* Whether the command's positional arguments are as many as its entry says. */
static bool
args_fit(const struct cmd_entry *e, const struct cmd_ctx *ctx)
{
	const struct cmd_args *a = &e->args;

	if (ctx->argc >= a->lower && (a->upper < 0 || ctx->argc <= a->upper))
		return true;
	cmd_error(e->name, "%s", a->error != NULL ? a->error :
	    "takes no arguments");
	return false;
}

/* Loads the config and opens the store as the command's flags ask. */
static int
prepare(const struct cmd_entry *e, struct cmd_ctx *ctx, const char *cfgpath)
{
	struct err err = { 0 };
	struct stat sb;
	const char *db;
	int rc;

	if (config_load(cfgpath, &ctx->cfg, &err) != 0) {
		/* A value quoted from the file may hold any byte. */
		fputs("salescycle: ", stderr);
		util_safe_fputs(err.msg, stderr);
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	ctx->cfg_loaded = true;
	if (ctx->cfg.core_dumps)
		util_core_dumps(true);
	if (ctx->salesperson != NULL &&
	    config_salesperson(&ctx->cfg, ctx->salesperson) == NULL) {
		cmd_error("--salesperson", "no salesperson '%s' in %s",
		    ctx->salesperson, cfgpath);
		return EXIT_USAGE;
	}
	if (parse_range(ctx) != 0 || !args_fit(e, ctx))
		return EXIT_USAGE;
	if (e->check != NULL && e->check(ctx) != 0)
		return EXIT_USAGE;
	if ((e->flags & (CMD_NEEDS_STORE | CMD_STORE_WRITE)) == 0)
		return EXIT_OK;
	db = ctx->cfg.database;
	/* A database the CLI creates is as private as the agent's. */
	umask(ctx->cfg.group.name != NULL ? STORE_UMASK_GROUP :
	    STORE_UMASK_PRIVATE);
	rc = store_open(db, (e->flags & CMD_STORE_WRITE) ? 0 : STORE_READONLY,
	    &ctx->store, &err);
	if (rc != 0) {
		cmd_error("database", "%s", err.msg);
		/* Only a missing file wants creating; other errors say why. */
		if ((e->flags & CMD_STORE_WRITE) == 0 && stat(db, &sb) != 0 &&
		    errno == ENOENT)
			fprintf(stderr, "salescycle: hint: run 'salescycle import' "
			    "or salescycled first to create it\n");
		return EXIT_FAIL;
	}
	/*
	 * A report reads one commit of the agent's, so that its figures
	 * agree with each other while the agent writes.
	 */
	if ((e->flags & CMD_STORE_WRITE) == 0 &&
	    store_snapshot(ctx->store, &err) != 0) {
		cmd_error("database", "%s", err.msg);
		return EXIT_FAIL;
	}
	if ((e->flags & CMD_STORE_WRITE) && store_set_access(ctx->store,
	    ctx->cfg.group.name, ctx->cfg.group.gid, &err) != 0)
		log_warn("%s", err.msg);
	if ((e->flags & CMD_STORE_WRITE) &&
	    store_sync_salespeople(ctx->store, &ctx->cfg, &err) != 0) {
		cmd_error("database", "%s", err.msg);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	const char *cfgpath = NULL;
	const struct cmd_entry *e;
	struct cmd_ctx ctx;
	struct option *opts;
	char shortopts[64];
	int c, rc;

	log_init("salescycle");
	xmalloc_init();
	/* Off before the configuration (which may hold a password) is read. */
	util_core_dumps(false);
	/*
	 * A listing into a pipe or file runs to tens of megabytes (every open
	 * deal at 10M signals: 92 MB of JSON): 64 KiB writes, not 4 KiB.  A
	 * terminal keeps its line buffering.
	 */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
	memset(&ctx, 0, sizeof ctx);
	ctx.format = FORMAT_TABLE;
	ctx.now = util_now();

	/* Options before the command. */
	while ((c = getopt_long(argc, argv, "+c:f:p:vhV", common_options, NULL)) != -1) {
		rc = common_option(&ctx, c, optarg, &cfgpath);
		if (rc == OPT_HELP || rc == OPT_VERSION) {
			if (rc == OPT_VERSION)
				version();
			else
				usage(stdout);
			return EXIT_OK;
		}
		if (rc != OPT_DONE) {
			if (rc == OPT_OTHER)
				usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	e = cmd_find(argv[optind]);
	if (e == NULL) {
		e = cmd_nearest(argv[optind]);
		if (e != NULL)
			cmd_error(argv[optind], "unknown command; did you mean "
			    "'%s'? (see salescycle --help)", e->name);
		else
			cmd_error(argv[optind], "unknown command (see "
			    "salescycle --help)");
		return EXIT_USAGE;
	}

	/* The command's own options and the common ones, in any order. */
	opts = merge_options(e);
	snprintf(shortopts, sizeof shortopts, "c:f:p:vhV%s", e->shortopts);
	argc -= optind;
	argv += optind;
	/* 0 makes GNU getopt start afresh, forgetting the "+" of the first scan. */
	optind = 0;
	rc = EXIT_OK;
	while (rc == EXIT_OK &&
	    (c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (common_option(&ctx, c, optarg, &cfgpath)) {
		case OPT_DONE:
			break;
		case OPT_HELP:
			cmd_usage(e, stdout);
			free(opts);
			return EXIT_OK;
		case OPT_VERSION:
			version();
			free(opts);
			return EXIT_OK;
		case OPT_BAD:
			rc = EXIT_USAGE;
			break;
		case OPT_OTHER:
			if (c == '?' || e->option == NULL ||
			    e->option(&ctx, c, optarg) != 0) {
				cmd_usage(e, stderr);
				rc = EXIT_USAGE;
			}
		}
	}
	free(opts);
	if (rc == EXIT_OK && !options_fit(e, &ctx))
		rc = EXIT_USAGE;
	if (rc != EXIT_OK)
		return rc;
	ctx.argc = argc - optind;
	ctx.argv = argv + optind;
	if (cfgpath == NULL)
		cfgpath = config_default_path();

	printer_wide(ctx.wide);
	rc = prepare(e, &ctx, cfgpath);
	if (rc == EXIT_OK)
		rc = e->exec(&ctx);
	if (ctx.store != NULL)
		store_close(ctx.store);
	if (ctx.cfg_loaded)
		config_free(&ctx.cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_error("stdout", "%s", strerror(errno));
		rc = EXIT_FAIL;
	}
	return rc;
}
