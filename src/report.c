/* SPDX-License-Identifier: MIT */
/*
 * Reports over the store (report.h).  The queries read the schema that
 * store.c creates (deals, transitions, signals, appointments); all values
 * are bound, and unbounded ranges bind NULL so one statement serves both.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "report.h"
#include "util.h"
#include "xmalloc.h"

const struct column report_deal_columns[] = {
	{ "id", NULL, COL_INT },
	{ "account", NULL, COL_STR },
	{ "salesperson", NULL, COL_STR },
	{ "kind", NULL, COL_STR },
	{ "phase", NULL, COL_STR },
	{ "outcome", NULL, COL_STR },
	{ "opened", NULL, COL_TIME },
	{ "closed", NULL, COL_TIME },
	{ "last_activity", "last activity", COL_TIME },
};
const size_t report_deal_ncolumns =
    sizeof report_deal_columns / sizeof report_deal_columns[0];

static const struct column transition_columns[] = {
	{ "deal", NULL, COL_INT },
	{ "account", NULL, COL_STR },
	{ "salesperson", NULL, COL_STR },
	{ "actor", NULL, COL_STR },
	{ "from", NULL, COL_STR },
	{ "to", NULL, COL_STR },
	{ "at", NULL, COL_TIME },
	{ "signal", NULL, COL_STR },
	{ "source", NULL, COL_STR },
	{ "ref", NULL, COL_STR },
};

static const struct column signal_columns[] = {
	{ "at", NULL, COL_TIME },
	{ "kind", NULL, COL_STR },
	{ "direction", NULL, COL_STR },
	{ "salesperson", NULL, COL_STR },
	{ "rule", NULL, COL_STR },
	{ "subject", NULL, COL_STR },
	{ "source", NULL, COL_STR },
	{ "ref", NULL, COL_STR },
};

static const struct column appointment_columns[] = {
	{ "day", NULL, COL_DAY },
	{ "salesperson", NULL, COL_STR },
	{ "count", NULL, COL_INT },
};

static int
prepare(struct store *st, const char *sql, sqlite3_stmt **stmt, struct err *err)
{
	sqlite3 *db = store_db(st);

	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
		return err_set(err, ERR_FINAL, "query failed: %s", sqlite3_errmsg(db));
	return 0;
}

static int
step_done(struct store *st, sqlite3_stmt *stmt, int rc, struct err *err)
{
	if (rc != SQLITE_DONE) {
		err_set(err, ERR_TEMP, "query failed: %s",
		    sqlite3_errmsg(store_db(st)));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/*
 * Binds the ends of a range; an unbounded end binds the smallest or the
 * largest time, so that the query plans an index range either way.
 */
static void
bind_since(sqlite3_stmt *stmt, int i, time_t t)
{
	sqlite3_bind_int64(stmt, i, t == 0 ? INT64_MIN : (sqlite3_int64)t);
}

static void
bind_until(sqlite3_stmt *stmt, int i, time_t t)
{
	sqlite3_bind_int64(stmt, i, t == 0 ? INT64_MAX : (sqlite3_int64)t);
}

static void
bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

static const char *
col_text(sqlite3_stmt *stmt, int i)
{
	return (const char *)sqlite3_column_text(stmt, i);
}

static time_t
col_time(sqlite3_stmt *stmt, int i)
{
	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return 0;
	return (time_t)sqlite3_column_int64(stmt, i);
}

int
report_deals(struct store *st, const struct report_filter *f, struct table *t,
    struct err *err)
{
	static const char sql[] =
	    "SELECT d.id, a.key, d.salesperson, d.kind, d.phase, d.outcome,"
	    " d.opened, d.closed, d.last_activity"
	    " FROM deals d JOIN accounts a ON a.id = d.account_id"
	    " WHERE (?1 IS NULL OR d.salesperson = ?1)"
	    " AND (d.closed IS NULL OR d.closed >= ?2) AND d.opened < ?3"
	    " AND (?4 IS NULL OR a.key = ?4)"
	    " ORDER BY d.id";
	sqlite3_stmt *stmt;
	int rc;

	table_init(t, report_deal_columns, report_deal_ncolumns, f->cfg->timezone);
	if (prepare(st, sql, &stmt, err) != 0)
		return -1;
	bind_text(stmt, 1, f->salesperson);
	bind_since(stmt, 2, f->since);
	bind_until(stmt, 3, f->until);
	bind_text(stmt, 4, f->account);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		table_row(t);
		table_int(t, 0, sqlite3_column_int64(stmt, 0));
		table_str(t, 1, col_text(stmt, 1));
		table_str(t, 2, col_text(stmt, 2));
		table_str(t, 3, col_text(stmt, 3));
		table_str(t, 4, col_text(stmt, 4));
		table_str(t, 5, col_text(stmt, 5));
		table_time(t, 6, col_time(stmt, 6));
		table_time(t, 7, col_time(stmt, 7));
		table_time(t, 8, col_time(stmt, 8));
	}
	return step_done(st, stmt, rc, err);
}

/* "imap:anna" -> "imap": the JSON shows the kind of source only. */
static void
source_type(const char *source, char *out, size_t outlen)
{
	size_t n = strcspn(source, ":");

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, source, n);
	out[n] = '\0';
}

int
report_transitions(struct store *st, const struct report_filter *f,
    struct table *t, struct err *err)
{
	static const char sql[] =
	    "SELECT t.deal_id, a.key, d.salesperson, t.actor, t.from_phase,"
	    " t.to_phase, t.at, t.signal_kind, t.source, t.ref"
	    " FROM transitions t JOIN deals d ON d.id = t.deal_id"
	    " JOIN accounts a ON a.id = d.account_id"
	    " WHERE (?1 IS NULL OR d.salesperson = ?1)"
	    " AND t.at >= ?2 AND t.at < ?3"
	    " AND (?4 IS NULL OR a.key = ?4)"
	    " ORDER BY t.at, t.deal_id, t.id";
	sqlite3_stmt *stmt;
	char src[32];
	int rc;

	table_init(t, transition_columns,
	    sizeof transition_columns / sizeof transition_columns[0],
	    f->cfg->timezone);
	if (prepare(st, sql, &stmt, err) != 0)
		return -1;
	bind_text(stmt, 1, f->salesperson);
	bind_since(stmt, 2, f->since);
	bind_until(stmt, 3, f->until);
	bind_text(stmt, 4, f->account);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		table_row(t);
		table_int(t, 0, sqlite3_column_int64(stmt, 0));
		table_str(t, 1, col_text(stmt, 1));
		table_str(t, 2, col_text(stmt, 2));
		table_str(t, 3, col_text(stmt, 3));
		table_str(t, 4, col_text(stmt, 4));
		table_str(t, 5, col_text(stmt, 5));
		table_time(t, 6, col_time(stmt, 6));
		table_str(t, 7, col_text(stmt, 7));
		source_type(col_text(stmt, 8), src, sizeof src);
		table_str(t, 8, src);
		table_str(t, 9, col_text(stmt, 9));
	}
	return step_done(st, stmt, rc, err);
}

/* The part of a signal ref after "KIND:ACCOUNT:" (Message-ID or UID). */
static const char *
ref_evidence(const char *ref)
{
	const char *p;

	if (ref == NULL || (p = strchr(ref, ':')) == NULL ||
	    (p = strchr(p + 1, ':')) == NULL)
		return ref;
	return p + 1;
}

int
report_signals(struct store *st, const struct report_filter *f, struct table *t,
    struct err *err)
{
	static const char sql[] =
	    "SELECT s.occurred_at, s.kind, s.direction, s.salesperson, s.rule,"
	    " s.subject, s.source, s.ref FROM signals s"
	    " JOIN accounts a ON a.id = COALESCE(s.account_id, s.matched_account_id)"
	    " WHERE a.key = ?1 AND (?2 IS NULL OR s.salesperson = ?2)"
	    " AND s.occurred_at >= ?3 AND s.occurred_at < ?4"
	    " ORDER BY s.occurred_at, s.id";
	sqlite3_stmt *stmt;
	char src[32];
	int rc;

	table_init(t, signal_columns, sizeof signal_columns / sizeof signal_columns[0],
	    f->cfg->timezone);
	if (prepare(st, sql, &stmt, err) != 0)
		return -1;
	bind_text(stmt, 1, f->account);
	bind_text(stmt, 2, f->salesperson);
	bind_since(stmt, 3, f->since);
	bind_until(stmt, 4, f->until);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		table_row(t);
		table_time(t, 0, col_time(stmt, 0));
		table_str(t, 1, col_text(stmt, 1));
		table_str(t, 2, col_text(stmt, 2));
		table_str(t, 3, col_text(stmt, 3));
		table_str(t, 4, col_text(stmt, 4));
		table_str(t, 5, col_text(stmt, 5));
		source_type(col_text(stmt, 6), src, sizeof src);
		table_str(t, 6, src);
		table_str(t, 7, ref_evidence(col_text(stmt, 7)));
	}
	return step_done(st, stmt, rc, err);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
report_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

int
report_funnel(struct store *st, const struct report_filter *f, struct funnel *out,
    struct err *err)
{
	/*
	 * Each row is one deal entering one phase in the range, with when
	 * it left that phase (its next transition from it), its outcome and
	 * close.  The last phase is left by winning.
	 */
	static const char entries[] =
	    "SELECT t.to_phase, t.at, t.left_at, d.outcome, d.closed"
	    " FROM transitions t JOIN deals d ON d.id = t.deal_id"
	    " WHERE (?1 IS NULL OR d.salesperson = ?1)"
	    " AND t.at >= ?2 AND t.at < ?3";
	/* Without a range a plain scan beats walking the whole at index. */
	static const char all_entries[] =
	    "SELECT t.to_phase, t.at, t.left_at, d.outcome, d.closed"
	    " FROM transitions t JOIN deals d ON d.id = t.deal_id"
	    " WHERE (?1 IS NULL OR d.salesperson = ?1)";
	static const char current[] =
	    "SELECT phase, COUNT(*) FROM deals WHERE outcome = 'open'"
	    " AND (?1 IS NULL OR salesperson = ?1) GROUP BY phase";
	static const char closed[] =
	    "SELECT outcome, COUNT(*) FROM deals WHERE outcome <> 'open'"
	    " AND (?1 IS NULL OR salesperson = ?1)"
	    " AND closed >= ?2 AND closed < ?3"
	    " GROUP BY outcome";
	const struct phases *ph = &f->cfg->phases;
	double *days[MAX_PHASES] = { 0 };
	size_t ndays[MAX_PHASES] = { 0 }, i;
	sqlite3_stmt *stmt;
	int rc, p;

	memset(out, 0, sizeof *out);
	out->nphases = ph->n;
	for (i = 0; i < ph->n; i++)
		out->phases[i].phase = ph->name[i];

	if (prepare(st, f->since == 0 && f->until == 0 ? all_entries : entries,
	    &stmt, err) != 0)
		return -1;
	bind_text(stmt, 1, f->salesperson);
	if (f->since != 0 || f->until != 0) {
		bind_since(stmt, 2, f->since);
		bind_until(stmt, 3, f->until);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		time_t at = col_time(stmt, 1), left = col_time(stmt, 2);
		const char *outcome = col_text(stmt, 3);

		p = config_phase_index(f->cfg, col_text(stmt, 0));
		if (p == PHASE_NONE)
			continue;
		out->phases[p].entered++;
		if (left == 0 && (size_t)p + 1 == ph->n &&
		    strcmp(outcome, "won") == 0)
			left = col_time(stmt, 4);
		if (left == 0)
			continue;
		out->phases[p].advanced++;
		days[p] = xreallocarray(days[p], ndays[p] + 1, sizeof *days[p]);
		days[p][ndays[p]++] = (double)(left - at) / 86400.0;
	}
	if (step_done(st, stmt, rc, err) != 0)
		goto fail;
	for (i = 0; i < ph->n; i++)
		out->phases[i].median_days = report_median(days[i], ndays[i]);

	if (prepare(st, current, &stmt, err) != 0)
		goto fail;
	bind_text(stmt, 1, f->salesperson);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		p = config_phase_index(f->cfg, col_text(stmt, 0));
		if (p != PHASE_NONE)
			out->phases[p].current = sqlite3_column_int64(stmt, 1);
	}
	if (step_done(st, stmt, rc, err) != 0)
		goto fail;

	if (prepare(st, closed, &stmt, err) != 0)
		goto fail;
	bind_text(stmt, 1, f->salesperson);
	bind_since(stmt, 2, f->since);
	bind_until(stmt, 3, f->until);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (strcmp(col_text(stmt, 0), "won") == 0)
			out->won = sqlite3_column_int64(stmt, 1);
		else if (strcmp(col_text(stmt, 0), "lost") == 0)
			out->lost = sqlite3_column_int64(stmt, 1);
	}
	if (step_done(st, stmt, rc, err) != 0)
		goto fail;
	for (i = 0; i < MAX_PHASES; i++)
		free(days[i]);
	return 0;
fail:
	for (i = 0; i < MAX_PHASES; i++)
		free(days[i]);
	return -1;
}

/* Adds a row (day, salesperson, count) to the appointments table. */
static void
appointments_row(struct table *t, const char *day, const char *sp, long count)
{
	table_row(t);
	table_str(t, 0, day);
	table_str(t, 1, sp);
	table_int(t, 2, count);
}

struct day_count {
	char	 day[11];
	char	*salesperson;	/* owned */
	long	 count;
};

static int
cmp_day_count(const void *a, const void *b)
{
	const struct day_count *x = a, *y = b;
	int c = strcmp(x->day, y->day);

	return c != 0 ? c : strcmp(x->salesperson, y->salesperson);
}

/*
 * Counts appointments by the day they were made: a recurring series once
 * (its UID), on the day in the configured zone of its earliest CREATED.
 */
static int
appointments_by_created(struct store *st, const struct report_filter *f,
    struct table *t, struct err *err)
{
	static const char sql[] =
	    "SELECT salesperson, MIN(created) FROM appointments"
	    " WHERE COALESCE(account_id, matched_account_id) IS NOT NULL"
	    " AND (?1 IS NULL OR salesperson = ?1)"
	    " GROUP BY salesperson, uid";
	struct day_count *v = NULL;
	size_t n = 0, i, j;
	sqlite3_stmt *stmt;
	int rc;

	if (prepare(st, sql, &stmt, err) != 0)
		return -1;
	bind_text(stmt, 1, f->salesperson);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		time_t created = col_time(stmt, 1);

		if ((f->since != 0 && created < f->since) ||
		    (f->until != 0 && created >= f->until))
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		util_day(created, f->cfg->timezone, v[n].day, sizeof v[n].day);
		v[n].salesperson = xstrdup(col_text(stmt, 0));
		v[n].count = 1;
		n++;
	}
	if (step_done(st, stmt, rc, err) != 0) {
		for (i = 0; i < n; i++)
			free(v[i].salesperson);
		free(v);
		return -1;
	}
	/* v is NULL without rows, and qsort's pointer must not be. */
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_day_count);
	for (i = 0; i < n; i = j) {
		long count = 0;

		for (j = i; j < n && cmp_day_count(&v[i], &v[j]) == 0; j++)
			count++;
		appointments_row(t, v[i].day, v[i].salesperson, count);
	}
	for (i = 0; i < n; i++)
		free(v[i].salesperson);
	free(v);
	return 0;
}

int
report_appointments(struct store *st, const struct report_filter *f,
    enum appt_by by, struct table *t, struct err *err)
{
	/*
	 * The same occurrence seen through two sources (a CalDAV href and
	 * an invitation in mail) has the same salesperson, UID and
	 * RECURRENCE-ID: rows come in that order from a covering index, so
	 * counting each run once counts distinct occurrences in one pass.
	 */
	static const char sql[] =
	    "SELECT day, salesperson, uid, recurrence_id FROM appointments"
	    " WHERE day >= ?2 AND day < ?3"
	    " AND COALESCE(account_id, matched_account_id) IS NOT NULL"
	    " AND (?1 IS NULL OR salesperson = ?1)"
	    " ORDER BY day, salesperson, uid, recurrence_id";
	char since[11] = "0000-00-00", until[11] = "9999-99-99";
	struct buf day = { 0 }, sp = { 0 }, uid = { 0 };
	sqlite3_int64 recur = 0;
	sqlite3_stmt *stmt;
	long count = 0;
	int rc;

	table_init(t, appointment_columns,
	    sizeof appointment_columns / sizeof appointment_columns[0],
	    f->cfg->timezone);
	if (by == APPT_BY_CREATED)
		return appointments_by_created(st, f, t, err);
	if (prepare(st, sql, &stmt, err) != 0)
		return -1;
	bind_text(stmt, 1, f->salesperson);
	if (f->since != 0)
		util_day(f->since, f->cfg->timezone, since, sizeof since);
	if (f->until != 0) {
		/* until is exclusive: a day counts when it starts before until. */
		util_day(f->until - 1, f->cfg->timezone, until, sizeof until);
		util_day_add(until, 1, until, sizeof until);
	}
	bind_text(stmt, 2, since);
	bind_text(stmt, 3, until);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *d = col_text(stmt, 0), *s = col_text(stmt, 1);
		const char *u = col_text(stmt, 2);
		sqlite3_int64 r = sqlite3_column_int64(stmt, 3);
		bool same_group = count > 0 && strcmp(day.data, d) == 0 &&
		    strcmp(sp.data, s) == 0;

		if (same_group && strcmp(uid.data, u) == 0 && recur == r)
			continue;
		if (!same_group) {
			if (count > 0)
				appointments_row(t, day.data, sp.data, count);
			count = 0;
			buf_reset(&day);
			buf_puts(&day, d);
			buf_reset(&sp);
			buf_puts(&sp, s);
		}
		buf_reset(&uid);
		buf_puts(&uid, u);
		recur = r;
		count++;
	}
	if (rc == SQLITE_DONE && count > 0)
		appointments_row(t, day.data, sp.data, count);
	buf_free(&day);
	buf_free(&sp);
	buf_free(&uid);
	return step_done(st, stmt, rc, err);
}

long
report_working_days(const struct config *cfg, const char *first, const char *last)
{
	char day[11];
	long n = 0, guard = 0;
	int wd;

	snprintf(day, sizeof day, "%s", first);
	while (strcmp(day, last) <= 0 && guard++ < 100000) {
		wd = util_weekday(day);
		if (wd >= 0 && (cfg->working_days & (1u << wd)))
			n++;
		util_day_add(day, 1, day, sizeof day);
	}
	return n;
}
