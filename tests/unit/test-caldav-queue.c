/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the CalDAV queue (caldav-queue.c on source-queue.c):
 * calendar items handed to the pipeline on the queue's thread, with
 * commits in between, give exactly the rows that handing them to the
 * pipeline directly gives, in the order handed over (an href twice, an
 * item removed after it came); a commit that fails half-way drops what
 * follows, and the cursor of the last commit (the sync token) is not
 * written; a sync that runs ahead of a slow store waits, by count and
 * by bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "caldav-queue.h"
#include "config.h"
#include "event.h"
#include "helpers.h"
#include "pipeline.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

#define DAY	86400
/*
 * Items of a sync: more than the queue holds (its ring wraps), several
 * batches; no more, as the test runs under valgrind too.
 */
#define NITEMS	(CALDAV_QUEUE_MAX + 107)
#define BATCH	100

/* A month ago at midnight UTC, so that no deal of the tests is stale. */
static time_t t0;

struct fixture {
	struct config	 cfg;
	struct store	*st;
	struct store	*plain;		/* the same, without the queue */
	char		 path[512];
};

static int
setup(void **state)
{
	static int n;
	struct fixture *f = xcalloc(1, sizeof *f);
	struct err err;
	char path[600];

	config_defaults(&f->cfg);
	free(f->cfg.timezone);
	f->cfg.timezone = xstrdup("UTC");
	strlist_add(&f->cfg.internal_domains, "brightline.nl");
	test_add_person(&f->cfg, "anna", "anna@brightline.nl");
	snprintf(f->path, sizeof f->path, "%s/queue-%d.db", test_tmpdir(), n++);
	if (store_open(f->path, 0, &f->st, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	snprintf(path, sizeof path, "%s.plain", f->path);
	if (store_open(path, 0, &f->plain, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	store_close(f->plain);
	config_free(&f->cfg);
	free(f);
	return 0;
}

/* Item i of the calendar as event_parse would give it; version v. */
static void
ical_make(size_t i, int v, struct ical_file *f)
{
	struct event_summary *ev;
	char buf[64];

	memset(f, 0, sizeof *f);
	f->events = xcalloc(1, sizeof *f->events);
	f->nevents = 1;
	ev = &f->events[0];
	snprintf(buf, sizeof buf, "e%zu@x", i);
	ev->uid = xstrdup(buf);
	ev->created = ev->dtstamp = t0 + (long)(i % 5) * DAY + 600;
	ev->start = t0 + (long)((i + (size_t)v) % 40) * DAY + 9 * 3600;
	ev->end = ev->start + 3600;
	snprintf(buf, sizeof buf, "Bezoek klant %zu v%d", i % 13, v);
	ev->summary = xstrdup(buf);
	ev->location = xstrdup("");
	ev->organizer = xstrdup("anna@brightline.nl");
	ev->attendees = xcalloc(1, sizeof *ev->attendees);
	snprintf(buf, sizeof buf, "inkoop@klant%zu.example", i % 13);
	ev->attendees[0].addr = xstrdup(buf);
	ev->nattendees = 1;
	ev->status = EVENT_CONFIRMED;
	f->occ = xcalloc(1, sizeof *f->occ);
	f->nocc = 1;
	f->occ[0].start = ev->start;
	f->occ[0].end = ev->end;
}

/*
 * One first sync: every item, item 3 again in a later batch (moved),
 * item 5 removed after it came, a commit every BATCH items and the
 * token with the last; through the queue q, or directly when q is NULL.
 * Returns the last commit's result.
 */
static int
sync_all(struct pipeline *p, struct source_queue *q, struct err *err)
{
	struct cursor tok = { "/anna/werk/", "sync-token", "t1" };
	struct ical_file f;
	char item[64], etag[32];
	size_t i;
	int rc = 0, v;

	for (i = 0; i < NITEMS && rc == 0; i++) {
		v = i == NITEMS - 1 ? 2 : 1;
		snprintf(item, sizeof item, "/anna/werk/e%zu.ics",
		    i == NITEMS - 1 ? (size_t)3 : i);
		snprintf(etag, sizeof etag, "\"%zu-%d\"", i, v);
		ical_make(i == NITEMS - 1 ? 3 : i, v, &f);
		if (q != NULL)
			caldav_queue_ical(q, item, etag, &f);
		else
			pipeline_ical(p, "anna", &f, item, etag);
		ical_file_free(&f);
		if (i == 2 * BATCH + 1) {
			if (q != NULL)
				caldav_queue_remove(q, "/anna/werk/e5.ics");
			else
				pipeline_remove(p, "/anna/werk/e5.ics");
		}
		if ((i + 1) % BATCH == 0)
			rc = q != NULL ? source_queue_commit(q, NULL, 0, err) :
			    pipeline_commit(p, NULL, 0, err) < 0 ? -1 : 0;
	}
	if (rc == 0)
		rc = q != NULL ? source_queue_commit(q, &tok, 1, err) :
		    pipeline_commit(p, &tok, 1, err) < 0 ? -1 : 0;
	return rc;
}

/* Every row a first sync writes, without row ids, in a fixed order. */
static char *
dump_rows(struct store *st)
{
	static const char *const sql[] = {
		"SELECT a.key, d.seq, d.salesperson, d.kind, d.phase, "
		    "d.outcome, d.opened, d.closed, d.last_activity, "
		    "d.last_inbound, d.phase_since FROM deals d JOIN accounts a "
		    "ON a.id = d.account_id ORDER BY a.key, d.seq",
		"SELECT a.key, d.seq, t.from_phase, t.to_phase, t.at, t.actor, "
		    "t.signal_kind, t.source, t.ref FROM transitions t "
		    "JOIN deals d ON d.id = t.deal_id JOIN accounts a "
		    "ON a.id = d.account_id ORDER BY a.key, d.seq, t.at, "
		    "t.to_phase",
		"SELECT p.source, p.item, p.uid, p.start, p.day, p.summary "
		    "FROM appointments p ORDER BY p.item, p.uid, p.start",
		"SELECT ref, kind, salesperson, occurred_at, source, item, "
		    "subject FROM signals ORDER BY ref, item",
		"SELECT source, item, version FROM items ORDER BY item",
		"SELECT source, scope, name, value FROM cursors "
		    "ORDER BY scope, name",
	};
	char *all = xstrdup(""), *rows, *next;
	size_t i;

	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		rows = test_dump(st, sql[i]);
		next = xasprintf("%s%s--\n", all, rows);
		free(rows);
		free(all);
		all = next;
	}
	return all;
}

/*
 * Through the queue, in batches: the rows are those of the same items
 * handed to the pipeline directly; the queue ran on its own thread.
 */
static void
test_caldav_queue_same_rows(void **state)
{
	struct fixture *f = *state;
	struct source_queue *q;
	struct pipeline *p;
	struct err err;
	char *a, *b;

	p = pipeline_new(&f->cfg, f->st, "caldav:anna");
	pipeline_fresh(p, true);
	q = caldav_queue_start(p, "anna", &err);
	assert_non_null(q);
	assert_int_equal(sync_all(p, q, &err), 0);
	assert_int_equal(source_queue_finish(q, &err), 0);
	pipeline_fresh(p, false);
	assert_int_equal(pipeline_finish(p, &err), 0);
	pipeline_free(p);

	p = pipeline_new(&f->cfg, f->plain, "caldav:anna");
	pipeline_fresh(p, true);
	assert_int_equal(sync_all(p, NULL, &err), 0);
	pipeline_fresh(p, false);
	assert_int_equal(pipeline_finish(p, &err), 0);
	pipeline_free(p);

	a = dump_rows(f->st);
	b = dump_rows(f->plain);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* The order held: item 3 as moved last, item 5 gone, the token. */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items",
	    NULL), NITEMS - 2);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items "
	    "WHERE item = ?1 AND version LIKE '%-2\"'", "/anna/werk/e3.ics"), 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM "
	    "appointments WHERE item = ?1", "/anna/werk/e5.ics"), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM cursors "
	    "WHERE name = 'sync-token' AND value = ?1", "t1"), 1);
}

/*
 * A batch whose commit fails half-way through a sync: what came before
 * it stays, nothing of it nor after it is written, the token least of
 * all, and the sync learns why.
 */
static void
test_caldav_queue_failed_commit(void **state)
{
	struct fixture *f = *state;
	struct source_queue *q;
	struct pipeline *p;
	struct err err, fin;
	int rc;

	/* Item 150, in the second batch, cannot be written. */
	assert_int_equal(sqlite3_exec(store_db(f->st),
	    "CREATE TEMP TRIGGER fail_ins BEFORE INSERT ON items "
	    "WHEN NEW.item = '/anna/werk/e150.ics' BEGIN "
	    "SELECT RAISE(ABORT, 'injected'); END;", NULL, NULL, NULL),
	    SQLITE_OK);
	p = pipeline_new(&f->cfg, f->st, "caldav:anna");
	pipeline_fresh(p, true);
	q = caldav_queue_start(p, "anna", &err);
	assert_non_null(q);
	err_clear(&err);
	rc = sync_all(p, q, &err);
	/* Told at a later commit, or at the finish at the latest. */
	if (rc != 0)
		assert_non_null(strstr(err.msg, "injected"));
	err_clear(&fin);
	assert_int_equal(source_queue_finish(q, &fin), -1);
	assert_non_null(strstr(fin.msg, "injected"));
	pipeline_fresh(p, false);
	pipeline_drop(p);
	pipeline_free(p);

	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items",
	    NULL), BATCH);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items "
	    "WHERE item = ?1", "/anna/werk/e99.ics"), 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals "
	    "WHERE item = ?1", "/anna/werk/e100.ics"), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM "
	    "appointments WHERE item = ?1", "/anna/werk/e250.ics"), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM cursors",
	    NULL), 0);
}

/* Objects of a megabyte each, handed over by a thread of their own. */
#define BIG		40
#define BIG_BYTES	(1024 * 1024)

struct pusher {
	struct source_queue	*q;
	int			 n;		/* objects to hand over */
	size_t			 first;		/* bytes of the first; 0: BIG_BYTES */
	atomic_int		 pushed;
};

static void *
push_big(void *arg)
{
	struct pusher *pu = arg;
	struct ical_file f;
	char item[64];
	int i;

	size_t size;

	for (i = 0; i < pu->n; i++) {
		size = i == 0 && pu->first > 0 ? pu->first : BIG_BYTES;
		ical_make((size_t)i, 1, &f);
		free(f.events[0].summary);
		f.events[0].summary = xmalloc(size);
		memset(f.events[0].summary, 'x', size - 1);
		f.events[0].summary[size - 1] = '\0';
		snprintf(item, sizeof item, "/anna/werk/big%d.ics", i);
		caldav_queue_ical(pu->q, item, "\"1\"", &f);
		ical_file_free(&f);
		atomic_fetch_add(&pu->pushed, 1);
	}
	return NULL;
}

/*
 * The store is slow (another connection holds the write lock, so the
 * queue's thread waits in a commit): a sync handing over objects of a
 * megabyte waits once the queue holds CALDAV_QUEUE_BYTES of them, far
 * below CALDAV_QUEUE_MAX objects; when the store goes on, all go in.
 */
static void
bytes_bound(struct fixture *f, size_t first, int held_max)
{
	struct source_queue *q;
	struct pipeline *p;
	struct store *other;
	struct pusher pu;
	struct ical_file small;
	struct timespec ts = { 0, 500 * 1000 * 1000 };
	pthread_t t;
	struct err err;
	int held;

	assert_true(CALDAV_QUEUE_MAX > BIG);
	if (store_open(f->path, 0, &other, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	assert_int_equal(sqlite3_exec(store_db(other), "BEGIN IMMEDIATE",
	    NULL, NULL, NULL), SQLITE_OK);
	p = pipeline_new(&f->cfg, f->st, "caldav:anna");
	q = caldav_queue_start(p, "anna", &err);
	assert_non_null(q);
	/* A commit with an item to write: it waits for the lock. */
	ical_make(0, 0, &small);
	caldav_queue_ical(q, "/anna/werk/small.ics", "\"0\"", &small);
	ical_file_free(&small);
	assert_int_equal(source_queue_commit(q, NULL, 0, &err), 0);
	memset(&pu, 0, sizeof pu);
	pu.q = q;
	pu.n = BIG;
	pu.first = first;
	assert_int_equal(pthread_create(&t, NULL, push_big, &pu), 0);
	nanosleep(&ts, NULL);
	held = atomic_load(&pu.pushed);
	/* The store goes on before anything is asserted. */
	assert_int_equal(sqlite3_exec(store_db(other), "COMMIT", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(held <= held_max);
	assert_int_equal(atomic_load(&pu.pushed), BIG);
	assert_int_equal(source_queue_commit(q, NULL, 0, &err), 0);
	assert_int_equal(source_queue_finish(q, &err), 0);
	pipeline_free(p);
	store_close(other);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items",
	    NULL), BIG + 1);
}

static void
test_caldav_queue_bytes_bound(void **state)
{
	bytes_bound(*state, 0, (int)(CALDAV_QUEUE_BYTES / BIG_BYTES));
}

/*
 * The first object alone is larger than the bound: it is let in, and
 * then nothing more until it is gone (the room left must not wrap
 * around to "plenty").
 */
static void
test_caldav_queue_bytes_oversize(void **state)
{
	bytes_bound(*state, CALDAV_QUEUE_BYTES + BIG_BYTES, 1);
}

/*
 * The queue's thread is idle, waiting for a wake's entries, when objects
 * of a megabyte come: fewer of them than wake it fill the queue by
 * bytes, so the sync, about to wait for room, must wake it, or each
 * waits for the other for ever.  All go in; the minute allowed (they
 * take well under a second) only tells a hang from a slow machine.
 */
static void
test_caldav_queue_bytes_idle(void **state)
{
	struct fixture *f = *state;
	struct source_queue *q;
	struct pipeline *p;
	struct pusher pu;
	struct timespec idle = { 0, 200 * 1000 * 1000 };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pthread_t t;
	struct err err;
	int i;

	assert_true(CALDAV_QUEUE_BYTES / BIG_BYTES <= CALDAV_QUEUE_WAKE);
	p = pipeline_new(&f->cfg, f->st, "caldav:anna");
	q = caldav_queue_start(p, "anna", &err);
	assert_non_null(q);
	/* Time for the queue's thread to wait for its first entries. */
	nanosleep(&idle, NULL);
	memset(&pu, 0, sizeof pu);
	pu.q = q;
	pu.n = CALDAV_QUEUE_WAKE + 4;
	assert_int_equal(pthread_create(&t, NULL, push_big, &pu), 0);
	for (i = 0; i < 6000 && atomic_load(&pu.pushed) < pu.n; i++)
		nanosleep(&tick, NULL);
	if (atomic_load(&pu.pushed) < pu.n)
		fail_msg("the sync still waits for room after %d of %d "
		    "objects: the queue's thread was not woken",
		    atomic_load(&pu.pushed), pu.n);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(source_queue_commit(q, NULL, 0, &err), 0);
	assert_int_equal(source_queue_finish(q, &err), 0);
	pipeline_free(p);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items",
	    NULL), pu.n);
}

/* Nothing queued: the finish is clean, and so is finishing no queue. */
static void
test_caldav_queue_empty(void **state)
{
	struct fixture *f = *state;
	struct source_queue *q;
	struct pipeline *p;
	struct err err;

	p = pipeline_new(&f->cfg, f->st, "caldav:anna");
	q = caldav_queue_start(p, "anna", &err);
	assert_non_null(q);
	assert_int_equal(source_queue_finish(q, &err), 0);
	assert_int_equal(source_queue_finish(NULL, &err), 0);
	assert_int_equal(pipeline_pending(p), 0);
	pipeline_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_caldav_queue_same_rows),
		T(test_caldav_queue_failed_commit),
		T(test_caldav_queue_empty),
		T(test_caldav_queue_bytes_oversize),
		T(test_caldav_queue_bytes_bound),
		T(test_caldav_queue_bytes_idle),
#undef T
	};
	int rc;

	t0 = (time(NULL) / DAY - 30) * DAY;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmpdir_cleanup();
	return rc;
}
