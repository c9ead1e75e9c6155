/* SPDX-License-Identifier: MIT */
/*
 * salescycle import --salesperson KEY FILE|DIR...: .eml, mbox and .ics
 * files through the same extract -> classify -> store path the pollers
 * use.  A bad message or event is reported with its file (and message
 * number) and skipped; the rest is imported; the exit status is then 1.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd.h"
#include "event.h"
#include "log.h"
#include "mail.h"
#include "mbox.h"
#include "pipeline.h"
#include "project.h"
#include "util.h"
#include "xmalloc.h"

/* Messages per transaction: big enough to be fast, small enough to bound memory. */
#define IMPORT_BATCH 500

static bool import_sent;

static const struct option import_options[] = {
	{ "sent", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 }
};

struct import {
	struct cmd_ctx	*ctx;
	struct pipeline	*p;
	const char	*salesperson;
	unsigned long	 files;
	unsigned long	 messages;
	unsigned long	 events;
	unsigned long	 skipped;
	bool		 failed;	/* a store error: stop */
};

static int
cmd_import_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	if (opt == 's') {
		import_sent = true;
		return 0;
	}
	return -1;
}

/* Commits when the batch is full (or force); a store failure stops the import. */
static void
import_commit(struct import *im, bool force)
{
	struct err err = { 0 };

	if (im->failed || (!force && pipeline_pending(im->p) < IMPORT_BATCH))
		return;
	if (pipeline_commit(im->p, NULL, 0, &err) < 0) {
		cmd_error("database", "%s", err.msg);
		im->failed = true;
	}
}

static void
import_message(struct import *im, const char *buf, size_t len, const char *item,
    time_t internaldate)
{
	struct mail_summary m;
	struct err err = { 0 };

	memset(&m, 0, sizeof m);
	if (mail_parse(buf, len, &m, &err) != 0) {
		log_warn("%s: %s, skipped", item, err.msg);
		im->skipped++;
		mail_summary_free(&m);
		return;
	}
	if (internaldate != 0)
		mail_set_internaldate(&m, internaldate);
	pipeline_mail(im->p, im->salesperson, &m, import_sent, item);
	mail_summary_free(&m);
	im->messages++;
	import_commit(im, false);
}

struct mbox_arg {
	struct import	*im;
	const char	*path;
};

static int
import_mbox_message(const char *msg, size_t len, long msgno, off_t offset,
    time_t from_date, void *arg)
{
	struct mbox_arg *a = arg;
	char item[PATH_MAX + 32];

	(void)offset;
	snprintf(item, sizeof item, "%s#%ld", a->path, msgno);
	import_message(a->im, msg, len, item, from_date);
	return a->im->failed ? -1 : 0;
}

static void
import_ics(struct import *im, const char *path, const char *buf, size_t len)
{
	const struct config *cfg = &im->ctx->cfg;
	struct ical_file f;
	struct err err = { 0 };
	time_t from, to;
	char *item;

	memset(&f, 0, sizeof f);
	event_window(im->ctx->now, cfg->backfill_days, cfg->timezone, &from,
	    &to);
	if (event_parse(buf, len, from, to, cfg->timezone, path, &f, &err) != 0) {
		/* The message names the file. */
		log_warn("%s, skipped", err.msg);
		im->skipped++;
		ical_file_free(&f);
		return;
	}
	im->skipped += f.skipped;
	item = xasprintf("file:%s", path);
	pipeline_ical(im->p, im->salesperson, &f, item, NULL);
	im->events += f.nevents;
	free(item);
	ical_file_free(&f);
	import_commit(im, false);
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/*
 * Whether a file's text is iCalendar whatever its name: a VCALENDAR, or a
 * bare VEVENT, after a UTF-8 byte-order mark if any.
 */
static bool
is_calendar(const char *buf, size_t len)
{
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	return (len >= 15 && strncasecmp(buf, "BEGIN:VCALENDAR", 15) == 0) ||
	    (len >= 12 && strncasecmp(buf, "BEGIN:VEVENT", 12) == 0);
}

static void
import_file(struct import *im, const char *path)
{
	struct mbox_arg a = { im, path };
	struct err err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	bool is_mbox;

	im->files++;
	if (mbox_probe(path, &is_mbox, &err) != 0) {
		log_warn("%s: %s, skipped", path, err.msg);
		im->skipped++;
		return;
	}
	if (is_mbox) {
		if (mbox_read(path, import_mbox_message, &a, &err) != 0 && !im->failed) {
			log_warn("%s: %s", path, err.msg);
			im->skipped++;
		}
		return;
	}
	if (util_read_file(path, &buf, &len) != 0) {
		log_warn("%s: %s, skipped", path, strerror(errno));
		im->skipped++;
		return;
	}
	if (has_suffix(path, ".ics") || has_suffix(path, ".ical") ||
	    is_calendar(buf, len))
		import_ics(im, path, buf, len);
	else
		import_message(im, buf, len, path, 0);
	free(buf);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Imports a file, or a folder's files in name order (recursively). */
static void
import_path(struct import *im, const char *path, int depth)
{
	struct strlist names = { 0 };
	struct dirent *de;
	struct stat st;
	size_t i;
	DIR *d;

	if (im->failed)
		return;
	if (stat(path, &st) != 0) {
		log_warn("%s: %s, skipped", path, strerror(errno));
		im->skipped++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		import_file(im, path);
		return;
	}
	if (depth > 16 || (d = opendir(path)) == NULL) {
		log_warn("%s: cannot read this folder, skipped", path);
		im->skipped++;
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			strlist_take(&names, xasprintf("%s/%s", path, de->d_name));
	closedir(d);
	if (names.n > 0)
		qsort(names.v, names.n, sizeof *names.v, cmp_names);
	for (i = 0; i < names.n; i++)
		import_path(im, names.v[i], depth + 1);
	strlist_clear(&names);
}

static int
cmd_import_check(struct cmd_ctx *ctx)
{
	if (ctx->salesperson == NULL) {
		cmd_error("import", "say whose mail or calendar this is with "
		    "--salesperson KEY");
		return -1;
	}
	return 0;
}

static int
cmd_import_exec(struct cmd_ctx *ctx)
{
	struct pipeline_stats stats;
	struct err err = { 0 };
	struct import im;
	int i;

	memset(&im, 0, sizeof im);
	im.ctx = ctx;
	im.salesperson = ctx->salesperson;
	im.p = pipeline_new(&ctx->cfg, ctx->store, "import");
	pipeline_defer_projection(im.p);
	for (i = 0; i < ctx->argc && !im.failed; i++)
		import_path(&im, ctx->argv[i], 0);
	import_commit(&im, true);
	if (!im.failed && (pipeline_finish(im.p, &err) != 0 ||
	    project_stale(ctx->store, &ctx->cfg, ctx->now, &err) < 0)) {
		cmd_error("database", "%s", err.msg);
		im.failed = true;
	}
	pipeline_stats(im.p, &stats);
	pipeline_free(im.p);
	fprintf(stderr, "salescycle: import: %lu files, %lu messages, %lu events, "
	    "%lu new signals, %lu skipped\n", im.files, im.messages, im.events,
	    stats.signals_new, im.skipped);
	if (im.failed)
		return EXIT_FAIL;
	return im.skipped > 0 ? EXIT_FAIL : EXIT_OK;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.summary = "import .eml, mbox and .ics files",
	.usage = "--salesperson KEY [--sent] FILE|FOLDER...",
	.flags = CMD_STORE_WRITE | CMD_PERSON,
	.args = { 1, -1, "give the .eml, mbox or .ics files or folders to import" },
	.options = import_options,
	.shortopts = "",
	.option = cmd_import_option,
	.check = cmd_import_check,
	.exec = cmd_import_exec,
	.help = "Reads messages (.eml, or mbox files starting with 'From ') and calendars\n"
	    "(.ics) of the salesperson KEY, folders recursively in name order, and\n"
	    "classifies them exactly as the agent does.  --sent marks the files as the\n"
	    "salesperson's Sent folder.  Importing the same files again changes nothing.\n"
	    "Bad items are reported and skipped; the exit status is then 1.\n",
};
