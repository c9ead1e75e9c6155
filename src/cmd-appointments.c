/* SPDX-License-Identifier: MIT */
/*
 * salescycle appointments: customer appointments per day and salesperson,
 * by the day they take place or the day they were made, with meetings
 * held and booked per working day against the target in table form.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

#define DAY	86400

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

/* The first and last day of a table's rows ("" when none). */
static void
appt_days(const struct table *t, char *first, char *last)
{
	size_t r;

	for (r = 0; r < t->nrows; r++) {
		const char *d = t->cells[r * t->ncols].s;

		if (first[0] == '\0' || strcmp(d, first) < 0)
			snprintf(first, 11, "%s", d);
		if (last[0] == '\0' || strcmp(d, last) > 0)
			snprintf(last, 11, "%s", d);
	}
}

/* A salesperson's count in a table, on days up to last (NULL: all). */
static long
appt_total(const struct table *t, const char *key, const char *last)
{
	long total = 0;
	size_t r;

	for (r = 0; r < t->nrows; r++)
		if (strcmp(t->cells[r * t->ncols + 1].s, key) == 0 &&
		    (last == NULL || strcmp(t->cells[r * t->ncols].s, last) <= 0))
			total += t->cells[r * t->ncols + 2].i;
	return total;
}

/* Prints "N  A.AA per day[  met|below]". */
static void
appt_rate(long total, long wdays, double target)
{
	double avg = wdays > 0 ? (double)total / (double)wdays : 0.0;

	printf("  %4ld  %5.2f/day", total, avg);
	if (!isnan(target))
		printf(" %-5s", avg >= target ? "met" : "below");
}

/*
 * Meetings held (started in the range, up to today) and booked (made in
 * the range) per salesperson and working day, against the target.
 */
static void
print_averages(const struct cmd_ctx *ctx, const struct table *held,
    const struct table *booked)
{
	char first[11] = "", last[11] = "", today[11];
	double target = appt_target;
	long wdays;
	size_t i;

	appt_days(held, first, last);
	appt_days(booked, first, last);
	if (ctx->since != 0)
		util_day(ctx->since, ctx->cfg.timezone, first, sizeof first);
	if (ctx->until != 0)
		util_day(ctx->until - 1, ctx->cfg.timezone, last, sizeof last);
	if (first[0] == '\0' || last[0] == '\0')
		return;
	util_day(ctx->now, ctx->cfg.timezone, today, sizeof today);
	wdays = report_working_days(&ctx->cfg, first, last);
	if (isnan(target) && ctx->cfg.targets.appointments_per_day > 0)
		target = ctx->cfg.targets.appointments_per_day;
	printf("\naverage per working day, %s to %s (%ld working days)",
	    first, last, wdays);
	if (!isnan(target))
		printf(", against target %.2f", target);
	printf(":\n  held: took place by today; booked: made in the range\n");
	for (i = 0; i < ctx->cfg.npeople; i++) {
		const char *key = ctx->cfg.people[i].key;

		if (ctx->salesperson != NULL && strcmp(ctx->salesperson, key) != 0)
			continue;
		printf("  %-12s held", key);
		appt_rate(appt_total(held, key, today), wdays, target);
		printf("  booked");
		appt_rate(appt_total(booked, key, NULL), wdays, target);
		putchar('\n');
	}
}

/* Keeps a salesperson's count of offers sent. */
static int
appt_offer_count(const char *salesperson, long count, void *arg)
{
	struct strlist *l = arg;

	strlist_add(l, salesperson);
	strlist_take(l, xasprintf("%ld", count));
	return 0;
}

/*
 * Offers sent per salesperson in the range (up to now), per week against
 * [targets] offers_per_week: what the phone calls and meetings are for.
 */
static int
print_offers(const struct cmd_ctx *ctx, const struct table *held,
    const struct table *booked, struct err *err)
{
	char first[11] = "", last[11] = "";
	double target = ctx->cfg.targets.offers_per_week, weeks, avg;
	struct strlist counts = { 0 };
	time_t from, to;
	long n;
	size_t i, j;

	appt_days(held, first, last);
	appt_days(booked, first, last);
	if (ctx->since != 0)
		util_day(ctx->since, ctx->cfg.timezone, first, sizeof first);
	if (ctx->until != 0)
		util_day(ctx->until - 1, ctx->cfg.timezone, last, sizeof last);
	if (first[0] == '\0' || last[0] == '\0' ||
	    util_day_start(first, ctx->cfg.timezone, &from) != 0 ||
	    util_day_start(last, ctx->cfg.timezone, &to) != 0)
		return 0;
	to += DAY;
	if (store_signal_counts(ctx->store, "offer_sent", from, to,
	    appt_offer_count, &counts, err) != 0) {
		strlist_clear(&counts);
		return -1;
	}
	weeks = (double)(to - from) / (7.0 * DAY);
	printf("\noffers sent per week, %s to %s (%.1f weeks)", first, last,
	    weeks);
	if (target > 0)
		printf(", against target %.2f", target);
	printf(":\n");
	for (i = 0; i < ctx->cfg.npeople; i++) {
		const char *key = ctx->cfg.people[i].key;

		if (ctx->salesperson != NULL && strcmp(ctx->salesperson, key) != 0)
			continue;
		n = 0;
		for (j = 0; j + 1 < counts.n; j += 2)
			if (strcmp(counts.v[j], key) == 0)
				n = strtol(counts.v[j + 1], NULL, 10);
		avg = weeks > 0 ? (double)n / weeks : 0.0;
		printf("  %-12s sent  %4ld  %5.2f/week", key, n, avg);
		if (target > 0)
			printf(" %s", avg >= target ? "met" : "below");
		putchar('\n');
	}
	strlist_clear(&counts);
	return 0;
}

static int
cmd_appointments_exec(struct cmd_ctx *ctx)
{
	struct report_filter f = { &ctx->cfg, ctx->since, ctx->until,
	    ctx->salesperson, NULL };
	struct err err = { 0 };
	struct table t, other;
	enum appt_by by2 = appt_by == APPT_BY_START ? APPT_BY_CREATED :
	    APPT_BY_START;

	if (report_appointments(ctx->store, &f, appt_by, &t, &err) != 0) {
		table_free(&t);
		cmd_error("appointments", "%s", err.msg);
		return EXIT_FAIL;
	}
	table_print(&t, ctx->format, stdout);
	if (ctx->format == FORMAT_TABLE) {
		if (report_appointments(ctx->store, &f, by2, &other, &err) != 0) {
			table_free(&other);
			table_free(&t);
			cmd_error("appointments", "%s", err.msg);
			return EXIT_FAIL;
		}
		if (appt_by == APPT_BY_START)
			print_averages(ctx, &t, &other);
		else
			print_averages(ctx, &other, &t);
		if (print_offers(ctx, &t, &other, &err) != 0) {
			table_free(&other);
			table_free(&t);
			cmd_error("appointments", "%s", err.msg);
			return EXIT_FAIL;
		}
		table_free(&other);
	}
	table_free(&t);
	return EXIT_OK;
}

const struct cmd_entry cmd_appointments_entry = {
	.name = "appointments",
	.summary = "customer appointments per day and salesperson",
	.usage = "[--by start|created] [--target N]",
	.flags = CMD_NEEDS_STORE | CMD_RANGE | CMD_FORMAT | CMD_PERSON,
	.options = appt_options,
	.shortopts = "",
	.option = cmd_appointments_option,
	.exec = cmd_appointments_exec,
	.help = "  --by start     count each occurrence on the day it takes place (default)\n"
	    "  --by created   count each appointment (a series once) on the day it was\n"
	    "                 made: the result of phone acquisition\n"
	    "  --target N     compare the average per working day with N (default: the\n"
	    "                 [targets] appointments_per_day of the configuration)\n"
	    "Only appointments with an external party count; calls are not appointments.\n"
	    "Under the table, per salesperson: meetings held (took place in the range,\n"
	    "up to today) and booked (made in the range), each per working day; and\n"
	    "offers sent per week against [targets] offers_per_week.\n",
};
