/* SPDX-License-Identifier: MIT */
/*
 * salescycle status: the health of every configured source (last success,
 * last error, back-off), whether it is behind and why, and its sync
 * cursors per folder or calendar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "imap.h"
#include "util.h"
#include "xmalloc.h"

static const struct column status_columns[] = {
	{ "source", NULL, COL_STR, COL_FIT },
	{ "last_success", "last success", COL_TIME, 0 },
	{ "last_attempt", "last attempt", COL_TIME, 0 },
	{ "backoff_until", "backoff until", COL_TIME, 0 },
	{ "error_since", "error since", COL_TIME, 0 },
	{ "last_error", "last error", COL_STR, COL_WIDE },
	{ "behind", NULL, COL_STR, COL_WIDE },
};

/* A duration in words for people: "45s", "12m", "3h", "2d". */
static void
status_duration(time_t d, char *out, size_t len)
{
	if (d < 120)
		snprintf(out, len, "%llds", (long long)d);
	else if (d < 2 * 3600)
		snprintf(out, len, "%lldm", (long long)d / 60);
	else if (d < 2 * 86400)
		snprintf(out, len, "%lldh", (long long)d / 3600);
	else
		snprintf(out, len, "%lldd", (long long)d / 86400);
}

/*
 * Whether a source is behind, that is more than one poll_interval late
 * (no success for two intervals), and why: its polls fail, or they do
 * not come round (a slow server, or too few workers for the sources);
 * NULL when it is not.  The agent's log has the detail.
 */
static const char *
status_behind(const struct source *src, const struct source_health *sh,
    time_t now, char *out, size_t len)
{
	time_t	iv = src->poll_interval > 0 ? src->poll_interval : 300;
	char	ago[32], ivs[32];

	if (sh->last_success != 0 && now - sh->last_success <= 2 * iv)
		return NULL;
	if (sh->last_success == 0 && sh->last_error == NULL)
		return NULL;
	status_duration(iv, ivs, sizeof ivs);
	if (sh->last_success == 0) {
		snprintf(out, len, "never read (poll_interval %s): its polls "
		    "fail (last error)", ivs);
		return out;
	}
	status_duration(now - sh->last_success, ago, sizeof ago);
	snprintf(out, len, "last read %s ago (poll_interval %s): %s", ago,
	    ivs, sh->last_error != NULL ? "its polls fail (last error)" :
	    "its polls take long (a slow server) or wait for a worker "
	    "(raise workers); see the agent's log");
	return out;
}

static const struct source_health *
find_health(const struct source_health *h, size_t n, const char *source)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(h[i].source, source) == 0)
			return &h[i];
	return NULL;
}

/* The cursors of one source being printed, and the scope open. */
struct cursors {
	struct json	*j;		/* NULL: text */
	bool		 whole;		/* an ICS feed: its URL redacted whole */
	bool		 folders;	/* IMAP: scopes are folders, in modified UTF-7 */
	char		*scope;		/* owned; NULL before the first */
	struct strlist	 warnings;	/* text: "warning" values, shown last */
};

/* Closes the scope open, if any. */
static void
cursors_scope_end(struct cursors *c)
{
	if (c->scope == NULL)
		return;
	if (c->j != NULL) {
		json_end_object(c->j);
		json_end_object(c->j);
	} else
		putchar('\n');
}

/* Prints one cursor, opening its scope when it is a new one. */
static int
cursor_row(const char *scope, const char *name, const char *value, void *arg)
{
	struct cursors *c = arg;
	struct json *j = c->j;
	char *s = util_redacted(scope, c->whole);
	char *n = util_redacted(name, c->whole);
	char *v = util_redacted(value, c->whole);

	/* What discovery found wrong gets a line of its own in text. */
	if (j == NULL && strcmp(n, "warning") == 0) {
		strlist_take(&c->warnings, v);
		free(s);
		free(n);
		return 0;
	}
	if (c->scope == NULL || strcmp(c->scope, s) != 0) {
		cursors_scope_end(c);
		free(c->scope);
		c->scope = s;
		s = NULL;
		if (j != NULL) {
			json_begin_object(j);
			json_key(j, "scope");
			json_str(j, c->scope);
			json_key(j, "cursors");
			json_begin_object(j);
		} else {
			/* A folder as people name it; JSON keeps the key. */
			s = c->folders ? imap_url_mailbox_shown(c->scope) :
			    xstrdup(c->scope);
			fputs("    ", stdout);
			printer_text(stdout, s);
			putchar(':');
			free(s);
			s = NULL;
		}
	}
	if (j != NULL) {
		json_key(j, n);
		json_str(j, v);
	} else {
		putchar(' ');
		printer_text(stdout, n);
		putchar('=');
		printer_text(stdout, v);
	}
	free(s);
	free(n);
	free(v);
	return 0;
}

/*
 * The cursors of one source, one scope (folder, calendar) per entry: JSON
 * objects {"scope":..,"cursors":{name:value}} or text lines, where a
 * warning (a Sent folder not found) is a line of its own, last.  URLs in them
 * show no credentials; an ICS feed's URL (scope and values) shows no path
 * either: it is the feed's password.
 */
static int
print_cursors(struct cmd_ctx *ctx, const struct source *src, struct json *j)
{
	struct cursors c = { j, src->type == SOURCE_ICS,
	    src->type == SOURCE_IMAP, NULL, { NULL, 0, 0, NULL } };
	struct err err;
	size_t i;
	int rc;

	if (j != NULL)
		json_begin_array(j);
	rc = store_cursor_list(ctx->store, src->name, cursor_row, &c, &err);
	cursors_scope_end(&c);
	if (j != NULL)
		json_end_array(j);
	for (i = 0; i < c.warnings.n; i++) {
		fputs("    warning: ", stdout);
		printer_text(stdout, c.warnings.v[i]);
		putchar('\n');
	}
	strlist_clear(&c.warnings);
	free(c.scope);
	return rc;
}

/*
 * A source's last error (or that it was never polled) and how far behind
 * it is, on lines of their own.
 */
static void
status_notes(const struct table *t, size_t r, bool polled)
{
	const struct cell *error = &t->cells[r * t->ncols + 5];
	const struct cell *behind = &t->cells[r * t->ncols + 6];
	char *line;

	if (!error->null) {
		line = xasprintf("%s%s", polled ? "last error: " : "", error->s);
		printer_wrap(stdout, line, 2);
		free(line);
	}
	if (!behind->null) {
		line = xasprintf("behind: %s", behind->s);
		printer_wrap(stdout, line, 2);
		free(line);
	}
}

static int
cmd_status_exec(struct cmd_ctx *ctx)
{
	struct source_health *h = NULL;
	const struct source_health *sh;
	const struct source **srcs;
	struct err err = { 0 };
	struct table t;
	struct json j;
	size_t n = 0, i;
	char *error, behind[256];

	if (store_health_list(ctx->store, &h, &n, &err) != 0) {
		cmd_error("status", "%s", err.msg);
		return EXIT_FAIL;
	}
	table_init(&t, status_columns, sizeof status_columns / sizeof status_columns[0],
	    ctx->cfg.timezone);
	srcs = xcalloc(ctx->cfg.nsources + 1, sizeof *srcs);
	for (i = 0; i < ctx->cfg.nsources; i++) {
		const struct source *src = &ctx->cfg.sources[i];

		if (ctx->salesperson != NULL &&
		    strcmp(ctx->salesperson, src->salesperson) != 0)
			continue;
		sh = find_health(h, n, src->name);
		srcs[t.nrows] = src;
		table_row(&t);
		table_str(&t, 0, src->name);
		if (sh == NULL) {
			table_str(&t, 5, "never polled");
			continue;
		}
		table_time(&t, 1, sh->last_success);
		table_time(&t, 2, sh->last_attempt);
		table_time(&t, 3, sh->backoff_until > ctx->now ? sh->backoff_until : 0);
		table_time(&t, 4, sh->last_error != NULL ? sh->error_since : 0);
		/* Stored by an older version, it may quote a feed's URL. */
		error = util_redacted(sh->last_error, src->type == SOURCE_ICS);
		table_str(&t, 5, error);
		free(error);
		if (status_behind(src, sh, ctx->now, behind,
		    sizeof behind) != NULL)
			table_str(&t, 6, behind);
	}
	if (ctx->format == FORMAT_JSON) {
		json_init(&j, stdout);
		json_begin_array(&j);
		for (i = 0; i < t.nrows; i++) {
			/* The row's object, plus its folders. */
			json_begin_object(&j);
			for (size_t c = 0; c < t.ncols; c++) {
				const struct cell *cell = &t.cells[i * t.ncols + c];

				json_key(&j, t.cols[c].name);
				if (cell->null)
					json_null(&j);
				else if (t.cols[c].type == COL_TIME)
					json_time(&j, (time_t)cell->i);
				else
					json_str(&j, cell->s);
			}
			json_key(&j, "folders");
			print_cursors(ctx, srcs[i], &j);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end(&j);
	} else if (ctx->format == FORMAT_CSV) {
		table_print(&t, ctx->format, stdout);
	} else {
		if (t.nrows == 0)
			printf("no sources configured in %s\n", ctx->cfg.path);
		table_print(&t, ctx->format, stdout);
		for (i = 0; i < t.nrows; i++) {
			putchar('\n');
			printer_text(stdout, t.cells[i * t.ncols].s);
			putchar('\n');
			/* Sentences a column 100 wide would cut: under it. */
			if (!ctx->wide)
				status_notes(&t, i, find_health(h, n,
				    srcs[i]->name) != NULL);
			print_cursors(ctx, srcs[i], NULL);
		}
	}
	table_free(&t);
	free(srcs);
	source_health_free(h, n);
	return EXIT_OK;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.summary = "health and sync state of every source",
	.usage = "",
	.flags = CMD_NEEDS_STORE | CMD_FORMAT | CMD_PERSON,
	.shortopts = "",
	.exec = cmd_status_exec,
	.help = "Per configured source: the last successful poll, the last error and since\n"
	    "when, the back-off in force, and the sync cursors of each folder or calendar\n"
	    "(UIDVALIDITY and UIDNEXT, sync token).\n",
};
