/* SPDX-License-Identifier: MIT */
/*
 * salescycle appointments: customer appointments per day and salesperson,
 * by the day they take place or the day they were made, with the average
 * per working day in table form.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"
#include "util.h"
#include "xmalloc.h"

static enum appt_by appt_by = APPT_BY_START;
static double appt_target = NAN;

static const struct option appt_options[] = {
	{ "by", required_argument, NULL, 'b' },
	{ "target", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

static int
cmd_appointments_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case 'b':
		if (strcmp(arg, "start") == 0)
			appt_by = APPT_BY_START;
		else if (strcmp(arg, "created") == 0)
			appt_by = APPT_BY_CREATED;
		else {
			cmd_error("--by", "'%s': use start or created", arg);
			return -1;
		}
		return 0;
	case 't':
		errno = 0;
		appt_target = strtod(arg, &end);
		if (errno != 0 || *end != '\0' || end == arg || appt_target < 0) {
			cmd_error("--target", "'%s' is not a number of appointments", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* The average per working day of each salesperson over the range shown. */
static void
print_averages(const struct cmd_ctx *ctx, const struct table *t)
{
	char first[11], last[11];
	double target = appt_target;
	long wdays;
	size_t i, r;

	if (ctx->since != 0)
		util_day(ctx->since, ctx->cfg.timezone, first, sizeof first);
	else if (t->nrows > 0)
		snprintf(first, sizeof first, "%s", t->cells[0].s);
	else
		return;
	if (ctx->until != 0)
		util_day(ctx->until - 1, ctx->cfg.timezone, last, sizeof last);
	else if (t->nrows > 0)
		snprintf(last, sizeof last, "%s", t->cells[(t->nrows - 1) * t->ncols].s);
	else
		return;
	wdays = report_working_days(&ctx->cfg, first, last);
	if (isnan(target) && ctx->cfg.targets.appointments_per_day > 0)
		target = ctx->cfg.targets.appointments_per_day;
	printf("\naverage per working day, %s to %s (%ld working days)%s\n",
	    first, last, wdays, isnan(target) ? "" : ", against target");
	for (i = 0; i < ctx->cfg.npeople; i++) {
		const char *key = ctx->cfg.people[i].key;
		long total = 0;
		double avg;

		if (ctx->salesperson != NULL && strcmp(ctx->salesperson, key) != 0)
			continue;
		for (r = 0; r < t->nrows; r++)
			if (strcmp(t->cells[r * t->ncols + 1].s, key) == 0)
				total += t->cells[r * t->ncols + 2].i;
		avg = wdays > 0 ? (double)total / (double)wdays : 0.0;
		printf("  %-12s %6ld appointments  %5.2f per day", key, total, avg);
		if (!isnan(target))
			printf("  target %.2f: %s", target,
			    avg >= target ? "met" : "below");
		putchar('\n');
	}
}

static int
cmd_appointments_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct err err = { 0 };
	struct table t;

	if (report_appointments(ctx->store, &f, appt_by, &t, &err) != 0) {
		table_free(&t);
		cmd_error("appointments", "%s", err.msg);
		return EXIT_FAIL;
	}
	table_print(&t, ctx->format, stdout);
	if (ctx->format == FORMAT_TABLE)
		print_averages(ctx, &t);
	table_free(&t);
	return EXIT_OK;
}

const struct cmd_entry cmd_appointments_entry = {
	.name = "appointments",
	.summary = "customer appointments per day and salesperson",
	.usage = "[--by start|created] [--target N]",
	.flags = CMD_NEEDS_STORE,
	.options = appt_options,
	.shortopts = "",
	.option = cmd_appointments_option,
	.exec = cmd_appointments_exec,
	.help = "  --by start     count each occurrence on the day it takes place (default)\n"
	    "  --by created   count each appointment (a series once) on the day it was\n"
	    "                 made: the result of phone acquisition\n"
	    "  --target N     compare the average per working day with N (default: the\n"
	    "                 [targets] appointments_per_day of the configuration)\n"
	    "Only appointments with an external party count; calls are not appointments.\n",
};
