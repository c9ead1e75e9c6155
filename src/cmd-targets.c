/* SPDX-License-Identifier: MIT */
/*
 * salescycle targets: the [targets] of the configuration, and
 * `targets import FILE.csv`, which adds a target list: each row an account
 * entering the selection phase, with its name for matching calendar text.
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cmd.h"
#include "log.h"
#include "names.h"
#include "project.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_FIELDS 8

/*
 * Splits one CSV record (RFC 4180: quotes, doubled quotes; no newlines
 * inside fields) in place.  Returns the number of fields, -1 if malformed.
 */
static int
csv_split(char *line, char **field, int max)
{
	char *r = line, *w;
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (;;) {
		if (n == max)
			return -1;
		field[n++] = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else
					*w++ = *r++;
			}
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0')
				*w++ = *r++;
		}
		if (*r == '\0') {
			*w = '\0';
			break;
		}
		r++;
		*w = '\0';
	}
	for (int i = 0; i < n; i++)
		util_trim(field[i]);
	return n;
}

/* Adds the target signal of one row; 0, or -1 with the reason in why. */
static int
target_row(struct cmd_ctx *ctx, char **field, int n, const char *file,
    struct signal_list *sigs, struct strlist *names, char *why, size_t whylen)
{
	const char *sp = n > 2 && field[2][0] != '\0' ? field[2] : ctx->salesperson;
	char key[256], addr[512];
	struct signal *s;
	time_t at = ctx->now;

	snprintf(addr, sizeof addr, "%s%s", strchr(field[0], '@') ? "" : "x@",
	    field[0]);
	if (account_classify(&ctx->cfg, addr, key, sizeof key) != ADDR_EXTERNAL) {
		snprintf(why, whylen, "'%s' is not a customer domain or address", field[0]);
		return -1;
	}
	if (sp == NULL || config_salesperson(&ctx->cfg, sp) == NULL) {
		snprintf(why, whylen, "no salesperson '%s' (third column or --salesperson)",
		    sp != NULL ? sp : "");
		return -1;
	}
	if (n > 3 && field[3][0] != '\0' &&
	    util_parse_time(field[3], ctx->cfg.timezone, &at) != 0) {
		snprintf(why, whylen, "'%s' is not a date", field[3]);
		return -1;
	}
	s = signal_list_add(sigs);
	s->kind = SIG_TARGET;
	s->account = xstrdup(key);
	s->salesperson = xstrdup(sp);
	s->occurred_at = at;
	s->source = xstrdup("import");
	s->item = xasprintf("targets:%s", file);
	s->ref = xasprintf("target:%s:%s", key, file);
	s->rule = xstrdup("target_list");
	if (n > 1 && field[1][0] != '\0') {
		strlist_add(names, key);
		strlist_add(names, field[1]);
		if (ctx->cfg.store_subjects)
			s->subject = xstrdup(field[1]);
	}
	return 0;
}

static int
targets_import(struct cmd_ctx *ctx, const char *path)
{
	struct signal_list sigs = { 0 };
	struct strlist names = { 0 }, touched = { 0 };
	struct err err = { 0 };
	char *line = NULL, *field[MAX_FIELDS], why[512], *copy, *base;
	size_t cap = 0, i;
	long lineno = 0, skipped = 0;
	int n, rc = EXIT_OK;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		cmd_error(path, "%s", strerror(errno));
		return EXIT_FAIL;
	}
	copy = xstrdup(path);
	base = basename(copy);
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		n = csv_split(line, field, MAX_FIELDS);
		if (n == 1 && field[0][0] == '\0')
			continue;
		if (lineno == 1 && n > 0 && strcasecmp(field[0], "account") == 0)
			continue;
		if (n < 1) {
			log_warn("%s:%ld: malformed CSV row, skipped", path, lineno);
			skipped++;
			continue;
		}
		if (target_row(ctx, field, n, base, &sigs, &names, why, sizeof why) != 0) {
			log_warn("%s:%ld: %s, skipped", path, lineno, why);
			skipped++;
		}
	}
	free(line);
	fclose(f);

	if (store_begin(ctx->store, &err) != 0)
		goto fail;
	for (i = 0; i + 1 < names.n; i += 2)
		if (names_add(ctx->store, names.v[i], names.v[i + 1], &err) != 0)
			goto fail;
	if (store_add_signals(ctx->store, &sigs, &touched, &err) < 0 ||
	    project_accounts(ctx->store, &ctx->cfg, &touched, ctx->now, &err) != 0 ||
	    store_commit(ctx->store, &err) != 0)
		goto fail;
	printf("%s: %zu targets imported, %ld rows skipped\n", path, sigs.n, skipped);
	if (skipped > 0)
		rc = EXIT_FAIL;
	goto out;
fail:
	store_rollback(ctx->store);
	cmd_error(path, "%s", err.msg);
	rc = EXIT_FAIL;
out:
	free(copy);
	signal_list_clear(&sigs);
	strlist_clear(&names);
	strlist_clear(&touched);
	return rc;
}

/* A target for text: "-" when unset (0), else with its unit. */
static void
targets_text(const char *name, double v, const char *fmt, double scale)
{
	printf("%-26s ", name);
	if (v > 0)
		printf(fmt, v * scale);
	else
		fputs("-", stdout);
	putchar('\n');
}

/* A target as a JSON number, null when unset (0). */
static void
targets_json_value(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (v > 0)
		json_number(j, v);
	else
		json_null(j);
}

/* The [targets] of the configuration as --format asks; unset ones as "-" or null. */
static void
targets_show(const struct cmd_ctx *ctx)
{
	const struct targets *t = &ctx->cfg.targets;
	const struct phases *ph = &ctx->cfg.phases;
	struct json j;
	char name[64];
	size_t i;

	switch (ctx->format) {
	case FORMAT_JSON:
		json_init(&j, stdout);
		json_begin_object(&j);
		targets_json_value(&j, "appointments_per_day", t->appointments_per_day);
		targets_json_value(&j, "offers_per_week", t->offers_per_week);
		json_key(&j, "conversion");
		json_begin_object(&j);
		for (i = 0; i < ph->n; i++)
			targets_json_value(&j, ph->name[i], t->conversion[i]);
		json_end_object(&j);
		json_end_object(&j);
		json_end(&j);
		break;
	case FORMAT_CSV:
		printf("target,value\r\n");
		printf("appointments_per_day,");
		if (t->appointments_per_day > 0)
			printf("%g", t->appointments_per_day);
		printf("\r\noffers_per_week,");
		if (t->offers_per_week > 0)
			printf("%g", t->offers_per_week);
		printf("\r\n");
		for (i = 0; i < ph->n; i++) {
			printf("conversion_%s,", ph->name[i]);
			if (t->conversion[i] > 0)
				printf("%g", t->conversion[i]);
			printf("\r\n");
		}
		break;
	case FORMAT_TABLE:
		printf("%-26s %s\n", "target", "value");
		targets_text("appointments per day", t->appointments_per_day,
		    "%.2f", 1);
		targets_text("offers per week", t->offers_per_week, "%.2f", 1);
		for (i = 0; i < ph->n; i++) {
			snprintf(name, sizeof name, "conversion %s", ph->name[i]);
			targets_text(name, t->conversion[i], "%.0f%%", 100);
		}
		break;
	}
}

static int
cmd_targets_exec(struct cmd_ctx *ctx)
{
	int i, rc = EXIT_OK;

	if (ctx->argc == 0) {
		targets_show(ctx);
		return EXIT_OK;
	}
	if (strcmp(ctx->argv[0], "import") != 0 || ctx->argc < 2) {
		cmd_error("targets", "use 'targets' or 'targets import FILE.csv...'");
		return EXIT_USAGE;
	}
	for (i = 1; i < ctx->argc; i++)
		if (targets_import(ctx, ctx->argv[i]) != EXIT_OK)
			rc = EXIT_FAIL;
	return rc;
}

const struct cmd_entry cmd_targets_entry = {
	.name = "targets",
	.summary = "show targets; import a target list of accounts",
	.usage = "[import FILE.csv...]",
	.flags = CMD_STORE_WRITE | CMD_FORMAT | CMD_PERSON,
	.args = { 0, -1, NULL },
	.shortopts = "",
	.exec = cmd_targets_exec,
	.help = "Without arguments, shows the [targets] of the configuration ('-',\n"
	    "null in JSON: not set).\n"
	    "'targets import' reads CSV rows 'account,name,salesperson,date' (a header\n"
	    "row 'account,...' is allowed; name, salesperson and date are optional;\n"
	    "--salesperson gives the default).  Each row puts the account in the\n"
	    "selection phase and adds its name for matching calendar entries.  Bad rows\n"
	    "are reported with their line and skipped (exit status 1).\n",
};
