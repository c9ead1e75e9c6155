/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pipeline: summaries built in C go through
 * classification into the store and come out as deals and transitions; a
 * commit is all or nothing, cursor included; the arrival order of messages
 * and events does not change the result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "config.h"
#include "event.h"
#include "helpers.h"
#include "mail.h"
#include "pipeline.h"
#include "project.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

#define DAY	86400

/* A month ago at midnight UTC, so that no deal of the tests is stale. */
static time_t t0;

struct fixture {
	struct config	 cfg;
	struct store	*st;
	char		 path[512];
};

static int
setup(void **state)
{
	static int n;
	struct fixture *f = xcalloc(1, sizeof *f);
	struct err err;

	config_defaults(&f->cfg);
	free(f->cfg.timezone);
	f->cfg.timezone = xstrdup("UTC");
	strlist_add(&f->cfg.internal_domains, "brightline.nl");
	test_add_person(&f->cfg, "anna", "anna@brightline.nl");
	test_add_person(&f->cfg, "bram", "bram@brightline.nl");
	snprintf(f->path, sizeof f->path, "%s/pipe-%d.db", test_tmpdir(), n++);
	if (store_open(f->path, 0, &f->st, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	config_free(&f->cfg);
	free(f);
	return 0;
}

static void
addr_set(struct mail_addr_list *l, const char *addr)
{
	l->v = xcalloc(1, sizeof *l->v);
	l->n = l->cap = 1;
	l->v[0].addr = xstrdup(addr);
}

static void
addr_free(struct mail_addr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
	}
	free(l->v);
}

/* A message as IMAP or the importer would summarise it. */
struct msg {
	const char	*id;
	int		 day;
	const char	*from;
	const char	*to;
	const char	*subject;
	const char	*attachment;
	bool		 sent;
	unsigned	 bulk;
};

static void
mail_make(const struct msg *m, struct mail_summary *s)
{
	memset(s, 0, sizeof *s);
	s->message_id = xstrdup(m->id);
	s->date = t0 + m->day * DAY + 3600;
	s->date_valid = true;
	s->internaldate = s->date;
	addr_set(&s->from, m->from);
	addr_set(&s->to, m->to);
	s->subject = xstrdup(m->subject);
	if (m->attachment != NULL)
		strlist_add(&s->attachments, m->attachment);
	s->bulk = m->bulk;
}

static void
mail_free(struct mail_summary *s)
{
	free(s->message_id);
	addr_free(&s->from);
	addr_free(&s->to);
	free(s->subject);
	strlist_clear(&s->attachments);
}

/* A calendar item with one single event, as event_parse would give it. */
struct ev {
	const char	*item;
	const char	*uid;
	const char	*summary;
	const char	*attendee;	/* NULL: no external party */
	int		 created_day;	/* -1: no CREATED nor DTSTAMP */
	int		 start_day;
};

static void
ical_make(const struct ev *e, struct ical_file *f)
{
	struct event_summary *ev;

	memset(f, 0, sizeof *f);
	f->events = xcalloc(1, sizeof *f->events);
	f->nevents = 1;
	ev = &f->events[0];
	ev->uid = xstrdup(e->uid);
	if (e->created_day >= 0)
		ev->created = ev->dtstamp = t0 + e->created_day * DAY + 600;
	ev->start = t0 + e->start_day * DAY + 9 * 3600;
	ev->end = ev->start + 3600;
	ev->summary = xstrdup(e->summary);
	ev->location = xstrdup("");
	ev->organizer = xstrdup("anna@brightline.nl");
	if (e->attendee != NULL) {
		ev->attendees = xcalloc(1, sizeof *ev->attendees);
		ev->attendees[0].addr = xstrdup(e->attendee);
		ev->nattendees = 1;
	}
	ev->status = EVENT_CONFIRMED;
	f->occ = xcalloc(1, sizeof *f->occ);
	f->nocc = 1;
	f->occ[0].start = ev->start;
	f->occ[0].end = ev->end;
}

static const struct msg msgs[] = {
	{ "m1@brightline.nl", 3, "anna@brightline.nl", "jan@acme.nl",
	    "Offerte 2026-001", "Offerte_2026-001.pdf", true, 0 },
	{ "m2@acme.nl", 5, "inkoop@acme.nl", "anna@brightline.nl",
	    "Opdrachtbevestiging 2026-001", NULL, false, 0 },
	{ "m3@globex.com", 1, "piet@globex.com", "bram@brightline.nl",
	    "Vraag over levering", NULL, false, 0 },
	{ "m4@brightline.nl", 4, "bram@brightline.nl", "piet@globex.com",
	    "Quotation Q-17", "Quotation_Q-17.pdf", true, 0 },
	{ "m5@acme.nl", 2, "news@acme.nl", "anna@brightline.nl",
	    "Nieuwsbrief juni", NULL, false, MAIL_BULK_LIST },
	{ "m6@initech.io", 6, "sales@initech.io", "anna@brightline.nl",
	    "Re: onze demo", NULL, false, 0 },
};
#define NMSGS	(sizeof msgs / sizeof msgs[0])

static const struct ev evs[] = {
	{ "cal/e1.ics", "e1@x", "Kennismaking", "jan@acme.nl", 0, 2 },
	{ "cal/e2.ics", "e2@x", "Demo bij Initech", NULL, 1, 3 },
};
#define NEVS	(sizeof evs / sizeof evs[0])

static void
feed_mail(struct pipeline *p, size_t i)
{
	struct mail_summary s;
	char item[32];

	mail_make(&msgs[i], &s);
	snprintf(item, sizeof item, "%s/1/%zu", msgs[i].sent ? "Sent" : "INBOX",
	    i + 1);
	pipeline_mail(p, "anna", &s, msgs[i].sent, item);
	mail_free(&s);
}

static void
feed_event(struct pipeline *p, size_t i, const char *version)
{
	struct ical_file f;

	ical_make(&evs[i], &f);
	pipeline_ical(p, "anna", &f, evs[i].item, version);
	ical_file_free(&f);
}

/* Deals, transitions and appointments without row ids, in a fixed order. */
static char *
dump_all(struct store *st)
{
	char *d, *t, *a, *all;

	d = test_dump(st, "SELECT a.key, d.seq, d.salesperson, d.kind, d.phase, "
	    "d.outcome, d.opened, d.closed, d.last_activity, d.last_inbound, "
	    "d.phase_since FROM deals d JOIN accounts a ON a.id = d.account_id "
	    "ORDER BY a.key, d.seq");
	t = test_dump(st, "SELECT a.key, d.seq, t.from_phase, t.to_phase, t.at, "
	    "t.actor, t.signal_kind, t.source, t.ref FROM transitions t "
	    "JOIN deals d ON d.id = t.deal_id JOIN accounts a "
	    "ON a.id = d.account_id ORDER BY a.key, d.seq, t.at, t.to_phase");
	a = test_dump(st, "SELECT p.uid, p.start, p.day, a.key FROM appointments p "
	    "JOIN accounts a ON a.id = COALESCE(p.account_id, "
	    "p.matched_account_id) ORDER BY p.uid, p.start");
	all = xasprintf("%s--\n%s--\n%s", d, t, a);
	free(d);
	free(t);
	free(a);
	return all;
}

static const char *
deal_of(struct store *st, const char *key, char *out, size_t len)
{
	sqlite3_stmt *s;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT "
	    "d.salesperson || ' ' || d.phase || ' ' || d.outcome FROM deals d "
	    "JOIN accounts a ON a.id = d.account_id WHERE a.key = ?1 "
	    "ORDER BY d.seq", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, len, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

static void
test_pipeline_batch_to_deals(void **state)
{
	struct fixture *f = *state;
	struct cursor cur = { "INBOX", "uidnext", "7" };
	struct pipeline_stats stats;
	struct pipeline *p;
	struct err err;
	char buf[128], *v;
	size_t i;
	int n;

	p = pipeline_new(&f->cfg, f->st, "imap:anna");
	for (i = 0; i < NMSGS; i++)
		feed_mail(p, i);
	for (i = 0; i < NEVS; i++)
		feed_event(p, i, "\"etag\"");
	assert_int_equal(pipeline_pending(p), NMSGS + NEVS);
	/* Nothing is written before the commit. */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), 0);

	n = pipeline_commit(p, &cur, 1, &err);
	if (n < 0)
		fail_msg("pipeline_commit: %s", err.msg);
	assert_int_equal(n, test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL));
	assert_int_equal(n, 7);		/* the newsletter gives nothing */
	assert_int_equal(pipeline_pending(p), 0);
	pipeline_stats(p, &stats);
	assert_int_equal(stats.items, NMSGS + NEVS);
	assert_int_equal(stats.signals_new, 7);
	assert_int_equal(stats.appointments, 2);

	assert_string_equal(deal_of(f->st, "acme.nl", buf, sizeof buf),
	    "anna closing won");
	assert_string_equal(deal_of(f->st, "globex.com", buf, sizeof buf),
	    "bram offer open");
	/* The demo named Initech before the account existed. */
	assert_string_equal(deal_of(f->st, "initech.io", buf, sizeof buf),
	    "anna prospect open");
	v = test_dump(f->st, "SELECT t.from_phase, t.to_phase, t.signal_kind, "
	    "t.source, t.ref FROM transitions t JOIN deals d ON d.id = "
	    "t.deal_id JOIN accounts a ON a.id = d.account_id "
	    "WHERE a.key = 'acme.nl' ORDER BY t.at");
	assert_string_equal(v,
	    "NULL|suspect|appointment|imap:anna|e1@x\n"
	    "suspect|offer|offer_sent|imap:anna|<m1@brightline.nl>\n"
	    "offer|closing|order_confirmed|imap:anna|<m2@acme.nl>\n");
	free(v);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments "
	    "WHERE COALESCE(account_id, matched_account_id) IS NOT NULL",
	    NULL), 2);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidnext", &v, &err), 0);
	assert_string_equal(v, "7");
	free(v);
	pipeline_free(p);
}

static void
test_pipeline_commit_atomic(void **state)
{
	struct fixture *f = *state;
	struct cursor c5 = { "INBOX", "uidnext", "5" };
	struct cursor c9 = { "INBOX", "uidnext", "9" };
	struct pipeline *p;
	struct store *ro;
	struct err err;
	char *before, *after, *v;
	long long nsig;

	p = pipeline_new(&f->cfg, f->st, "imap:anna");
	feed_mail(p, 2);
	feed_event(p, 0, NULL);
	assert_true(pipeline_commit(p, &c5, 1, &err) > 0);
	before = dump_all(f->st);
	nsig = test_query_int(f->st, "SELECT count(*) FROM signals", NULL);

	/* The cursor write fails after the batch's signals went in. */
	assert_int_equal(sqlite3_exec(store_db(f->st),
	    "CREATE TEMP TRIGGER fail_ins BEFORE INSERT ON cursors BEGIN "
	    "SELECT RAISE(ABORT, 'injected'); END;"
	    "CREATE TEMP TRIGGER fail_upd BEFORE UPDATE ON cursors BEGIN "
	    "SELECT RAISE(ABORT, 'injected'); END;", NULL, NULL, NULL),
	    SQLITE_OK);
	feed_mail(p, 0);
	feed_mail(p, 1);
	feed_event(p, 1, NULL);
	assert_int_equal(pipeline_commit(p, &c9, 1, &err), -1);
	assert_non_null(strstr(err.msg, "injected"));
	assert_int_equal(pipeline_pending(p), 0);	/* dropped */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), nsig);
	after = dump_all(f->st);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidnext", &v, &err), 0);
	assert_string_equal(v, "5");
	free(v);

	/* The source fetches again from its old cursor, and it goes in. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "DROP TRIGGER fail_ins;"
	    "DROP TRIGGER fail_upd;", NULL, NULL, NULL), SQLITE_OK);
	feed_mail(p, 0);
	feed_mail(p, 1);
	feed_event(p, 1, NULL);
	assert_int_equal(pipeline_commit(p, &c9, 1, &err), 3);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidnext", &v, &err), 0);
	assert_string_equal(v, "9");
	free(v);
	pipeline_free(p);

	/* A store that cannot write fails the commit and stores nothing. */
	assert_int_equal(store_open(f->path, STORE_READONLY, &ro, &err), 0);
	p = pipeline_new(&f->cfg, ro, "imap:anna");
	feed_mail(p, 3);
	assert_int_equal(pipeline_commit(p, &c5, 1, &err), -1);
	pipeline_free(p);
	store_close(ro);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals "
	    "WHERE ref LIKE '%m4@%'", NULL), 0);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidnext", &v, &err), 0);
	assert_string_equal(v, "9");
	free(v);
	free(before);
}

/* Feeds everything in the order given, committing every `every` entries. */
static void
feed_order(struct fixture *f, const int *order, size_t n, size_t every)
{
	struct pipeline *p;
	struct err err;
	size_t i;

	p = pipeline_new(&f->cfg, f->st, "imap:anna");
	for (i = 0; i < n; i++) {
		if (order[i] < (int)NMSGS)
			feed_mail(p, (size_t)order[i]);
		else
			feed_event(p, (size_t)order[i] - NMSGS, NULL);
		if (pipeline_pending(p) >= every &&
		    pipeline_commit(p, NULL, 0, &err) < 0)
			fail_msg("pipeline_commit: %s", err.msg);
	}
	if (pipeline_commit(p, NULL, 0, &err) < 0)
		fail_msg("pipeline_commit: %s", err.msg);
	pipeline_free(p);
}

static void
test_pipeline_order_independent(void **state)
{
	static const int fwd[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const int rev[] = { 7, 6, 5, 4, 3, 2, 1, 0 };
	static const int mix[] = { 5, 1, 7, 3, 0, 6, 2, 4 };
	struct fixture *f = *state, *g, *h;
	char *a, *b, *c;

	setup((void **)&g);
	setup((void **)&h);
	feed_order(f, fwd, 8, 100);
	feed_order(g, rev, 8, 1);
	feed_order(h, mix, 8, 3);
	a = dump_all(f->st);
	b = dump_all(g->st);
	c = dump_all(h->st);
	assert_non_null(strstr(a, "initech.io|0|anna|new|prospect|open"));
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
	teardown((void **)&g);
	teardown((void **)&h);
}

static int
collect_item(const char *item, const char *version, void *arg)
{
	struct buf *b = arg;

	buf_printf(b, "%s=%s;", item, version != NULL ? version : "-");
	return 0;
}

static void
test_pipeline_replace_and_remove(void **state)
{
	struct fixture *f = *state;
	struct ev moved = evs[0];
	struct ev undated = { "cal/e3.ics", "e3@x", "Bezoek", "kees@hooli.nl",
	    -1, 8 };
	struct ical_file file;
	struct pipeline *p;
	struct buf b = { 0 };
	struct err err;
	long long seen;
	char old[32];

	p = pipeline_new(&f->cfg, f->st, "caldav:anna");
	feed_event(p, 0, "\"v1\"");
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 1);

	/* The event moves: same item, new version, the old rows go. */
	moved.start_day = 9;
	ical_make(&moved, &file);
	pipeline_ical(p, "anna", &file, moved.item, "\"v2\"");
	ical_file_free(&file);
	/* The same appointment signal again: nothing new. */
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments",
	    NULL), 1);
	snprintf(old, sizeof old, "%lld",
	    (long long)(t0 + evs[0].start_day * DAY + 9 * 3600));
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments "
	    "WHERE start = ?1", old), 0);
	snprintf(old, sizeof old, "%lld",
	    (long long)(t0 + moved.start_day * DAY + 9 * 3600));
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments "
	    "WHERE start = ?1", old), 1);
	buf_puts(&b, "");
	assert_int_equal(store_items(f->st, "caldav:anna", collect_item, &b,
	    &err), 0);
	assert_string_equal(b.data, "cal/e1.ics=\"v2\";");
	buf_free(&b);

	/* An event without CREATED or DTSTAMP is dated when first seen. */
	assert_int_equal(store_item_version_set(f->st, "caldav:anna",
	    undated.item, NULL, time(NULL) - 3600, &err), 0);
	seen = test_query_int(f->st, "SELECT first_seen FROM items WHERE item = ?1",
	    undated.item);
	ical_make(&undated, &file);
	pipeline_ical(p, "anna", &file, undated.item, "\"v1\"");
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 1);
	pipeline_ical(p, "anna", &file, undated.item, "\"v2\"");
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 0);
	ical_file_free(&file);
	assert_int_equal(test_query_int(f->st, "SELECT occurred_at FROM signals "
	    "WHERE item = ?1", undated.item), seen);

	/* Removed and re-added in one batch: the last word counts. */
	pipeline_remove(p, evs[0].item);
	feed_event(p, 0, "\"v3\"");
	pipeline_remove(p, undated.item);
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), 1);
	buf_puts(&b, "");
	assert_int_equal(store_items(f->st, "caldav:anna", collect_item, &b,
	    &err), 0);
	assert_string_equal(b.data, "cal/e1.ics=\"v3\";");
	buf_free(&b);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals d JOIN "
	    "accounts a ON a.id = d.account_id WHERE a.key = ?1", "hooli.nl"),
	    0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals d JOIN "
	    "accounts a ON a.id = d.account_id WHERE a.key = ?1", "acme.nl"),
	    1);
	pipeline_free(p);
}

/* Every appointment's item and start, then every item's version. */
static char *
item_rows(struct store *st)
{
	char *a, *v, *all;

	a = test_dump(st, "SELECT item, start FROM appointments "
	    "ORDER BY item, start");
	v = test_dump(st, "SELECT item, version FROM items ORDER BY item");
	all = xasprintf("%s--\n%s", a, v);
	free(a);
	free(v);
	return all;
}

/*
 * pipeline_fresh (a calendar's first sync) writes new items without
 * looking for their old rows; an item that has rows all the same (a first
 * sync that failed half-way and is read again, the same href twice in one
 * answer) is replaced as without it, never added to.
 */
static void
test_pipeline_fresh(void **state)
{
	struct fixture *f = *state;
	struct ev moved = evs[0], twice = evs[1];
	struct ev undated = { "cal/e3.ics", "e3@x", "Bezoek", "kees@hooli.nl",
	    -1, 8 };
	struct ical_file file;
	struct pipeline *p;
	struct err err;
	char *got, *want, seen[32];

	p = pipeline_new(&f->cfg, f->st, "caldav:anna");
	/* What a first sync committed before it failed. */
	feed_event(p, 0, "\"v1\"");
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 1);

	/* Read again with the item changed, the flag wrongly on. */
	pipeline_fresh(p, true);
	moved.start_day = 9;
	ical_make(&moved, &file);
	pipeline_ical(p, "anna", &file, moved.item, "\"v2\"");
	ical_file_free(&file);
	/* The same href twice in one batch, the second moved. */
	feed_event(p, 1, "\"w1\"");
	twice.start_day = 11;
	ical_make(&twice, &file);
	pipeline_ical(p, "anna", &file, twice.item, "\"w2\"");
	ical_file_free(&file);
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 1);
	pipeline_fresh(p, false);

	got = item_rows(f->st);
	want = xasprintf("%s|%lld\n%s|%lld\n--\n%s|\"v2\"\n%s|\"w2\"\n",
	    moved.item, (long long)(t0 + moved.start_day * DAY + 9 * 3600),
	    twice.item, (long long)(t0 + twice.start_day * DAY + 9 * 3600),
	    moved.item, twice.item);
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* One signal per event, none left over from an old version. */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), 2);

	/*
	 * An undated event read twice in one first sync, committed in
	 * between: the second time it is looked up, and dated by when the
	 * store first saw it (set back an hour here), not by now.
	 */
	pipeline_fresh(p, true);
	ical_make(&undated, &file);
	pipeline_ical(p, "anna", &file, undated.item, "\"u1\"");
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 1);
	snprintf(seen, sizeof seen, "%lld", (long long)time(NULL) - 3600);
	assert_int_equal(test_query_int(f->st, "UPDATE items SET first_seen = ?1"
	    " WHERE item = 'cal/e3.ics' RETURNING 0", seen), 0);
	pipeline_ical(p, "anna", &file, undated.item, "\"u2\"");
	ical_file_free(&file);
	assert_int_equal(pipeline_commit(p, NULL, 0, &err), 0);
	pipeline_fresh(p, false);
	assert_int_equal(test_query_int(f->st, "SELECT occurred_at FROM signals "
	    "WHERE item = ?1", undated.item), atoll(seen));
	pipeline_free(p);
}

/*
 * A first sync with pipeline_fresh stores exactly what one without it
 * does: the same deals, transitions, appointments, signals and items.
 */
static void
test_pipeline_fresh_same_rows(void **state)
{
	struct fixture *f = *state;
	struct pipeline *p;
	struct store *plain;
	struct err err;
	char path[600], *a, *b;
	size_t i;
	int pass;

	snprintf(path, sizeof path, "%s.plain", f->path);
	if (store_open(path, 0, &plain, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	for (pass = 0; pass < 2; pass++) {
		p = pipeline_new(&f->cfg, pass == 0 ? f->st : plain,
		    "caldav:anna");
		pipeline_fresh(p, pass == 0);
		for (i = 0; i < NEVS; i++)
			feed_event(p, i, "\"v1\"");
		/* Nothing given before: each event's signal is new. */
		assert_int_equal(pipeline_commit(p, NULL, 0, &err),
		    (int)NEVS);
		pipeline_free(p);
	}
	a = dump_all(f->st);
	b = dump_all(plain);
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = test_dump(f->st, "SELECT ref, kind, salesperson, occurred_at, "
	    "source, item, subject FROM signals ORDER BY ref");
	b = test_dump(plain, "SELECT ref, kind, salesperson, occurred_at, "
	    "source, item, subject FROM signals ORDER BY ref");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = test_dump(f->st, "SELECT source, item, version FROM items "
	    "ORDER BY item");
	b = test_dump(plain, "SELECT source, item, version FROM items "
	    "ORDER BY item");
	assert_string_equal(a, b);
	free(a);
	free(b);
	store_close(plain);
}

static void
test_pipeline_free_drops_pending(void **state)
{
	struct fixture *f = *state;
	struct pipeline *p;

	p = pipeline_new(&f->cfg, f->st, "imap:anna");
	feed_mail(p, 0);
	feed_event(p, 0, NULL);
	pipeline_remove(p, "cal/none.ics");
	assert_int_equal(pipeline_pending(p), 3);
	pipeline_free(p);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items", NULL),
	    0);
}

/* An invitation sent by a salesperson: METHOD, SEQUENCE, DTSTAMP offset in days. */
static char *
invitation(const char *method, int seq, int stamp_day)
{
	char start[32], stamp[32];
	time_t ts = t0 + 5 * DAY + 10 * 3600, tt = t0 + stamp_day * DAY;
	struct tm tm;

	strftime(start, sizeof start, "%Y%m%dT%H%M%SZ", gmtime_r(&ts, &tm));
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&tt, &tm));
	return xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:%s\r\n"
	    "BEGIN:VEVENT\r\nUID:inv-1@brightline.nl\r\nSEQUENCE:%d\r\n"
	    "DTSTAMP:%s\r\nDTSTART:%s\r\nDURATION:PT1H\r\n"
	    "SUMMARY:Kennismaking\r\nORGANIZER:mailto:anna@brightline.nl\r\n"
	    "ATTENDEE:mailto:jan@acme.nl\r\n%sEND:VEVENT\r\nEND:VCALENDAR\r\n",
	    method, seq, stamp, start,
	    strcmp(method, "CANCEL") == 0 ? "STATUS:CANCELLED\r\n" : "");
}

/* Feeds one invitation mail from anna to jan@acme.nl and commits it. */
static void
feed_invitation(struct pipeline *p, const char *method, int seq, int stamp_day,
    const char *id)
{
	struct mail_summary m;
	struct err err;

	memset(&m, 0, sizeof m);
	mail_addr_list_add(&m.from, "Anna", "anna@brightline.nl");
	mail_addr_list_add(&m.to, "Jan", "jan@acme.nl");
	m.subject = xstrdup("Uitnodiging: Kennismaking");
	m.message_id = xstrdup(id);
	m.date = t0 + stamp_day * DAY;
	m.date_valid = true;
	strlist_take(&m.calendar_parts, invitation(method, seq, stamp_day));
	pipeline_mail(p, "anna", &m, true, id);
	mail_summary_free(&m);
	if (pipeline_commit(p, NULL, 0, &err) < 0)
		fail_msg("commit: %s", err.msg);
}

static void
test_pipeline_invitations(void **state)
{
	static const char distinct[] = "SELECT count(*) FROM (SELECT DISTINCT"
	    " salesperson, uid, recurrence_id FROM appointments WHERE uid = ?1)";
	struct fixture *f = *state;
	struct pipeline *p = pipeline_new(&f->cfg, f->st, "imap:anna");
	struct pipeline *dav = pipeline_new(&f->cfg, f->st, "caldav:anna");
	struct ical_file file;
	struct err err;
	char *text;

	/* The invitation is an appointment with acme.nl. */
	feed_invitation(p, "REQUEST", 0, 0, "req-0@brightline.nl");
	assert_int_equal(test_query_int(f->st, distinct, "inv-1@brightline.nl"), 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals"
	    " WHERE kind = 'appointment' AND ref = ?1",
	    "anna/appointment:acme.nl:inv-1@brightline.nl"), 1);

	/* The same event in the CalDAV calendar is counted once. */
	text = invitation("PUBLISH", 0, 0);
	memset(&file, 0, sizeof file);
	assert_int_equal(event_parse(text, strlen(text), t0 - 60 * DAY,
	    t0 + 400 * DAY, "UTC", "cal.ics", &file, &err), 0);
	pipeline_ical(dav, "anna", &file, "/cal/inv-1.ics", "\"e1\"");
	ical_file_free(&file);
	free(text);
	assert_true(pipeline_commit(dav, NULL, 0, &err) >= 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments"
	    " WHERE uid = ?1", "inv-1@brightline.nl"), 2);
	assert_int_equal(test_query_int(f->st, distinct, "inv-1@brightline.nl"), 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals"
	    " WHERE kind = 'appointment' AND ref LIKE ?1",
	    "%inv-1@brightline.nl"), 1);

	/* A cancellation removes the invitation's appointment ... */
	feed_invitation(p, "CANCEL", 1, 2, "cancel-1@brightline.nl");
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments"
	    " WHERE uid = ?1 AND source = 'imap:anna'", "inv-1@brightline.nl"), 0);
	/* ... and an older request read after it does not bring it back. */
	feed_invitation(p, "REQUEST", 0, 0, "req-0@brightline.nl");
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments"
	    " WHERE uid = ?1 AND source = 'imap:anna'", "inv-1@brightline.nl"), 0);
	/* A newer request (rescheduled) does. */
	feed_invitation(p, "REQUEST", 2, 3, "req-2@brightline.nl");
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments"
	    " WHERE uid = ?1 AND source = 'imap:anna'", "inv-1@brightline.nl"), 1);
	pipeline_free(p);
	pipeline_free(dav);
}

/*
 * Only the mailbox owner's own invitations count: from the owner's \Sent
 * folder, or from the owner's address with no Received header.  A
 * message anybody can send, whose From names the owner or a colleague,
 * is not read (the calendar parts are not even parsed).
 */
static void
test_pipeline_invitations_owner(void **state)
{
	static const struct {
		const char	*from;
		bool		 sent;		/* read from the \Sent folder */
		bool		 received;	/* came in by SMTP */
		bool		 counted;
	} rows[] = {
		{ "bram@brightline.nl", false, true, false },
		{ "bram@brightline.nl", false, false, false },
		{ "anna@brightline.nl", false, true, false },
		{ "jan@acme.nl", false, false, false },
		{ "anna@brightline.nl", false, false, true },
		{ "bram@brightline.nl", false, true, false },
		{ "anna@brightline.nl", true, true, true },
		{ "bram@brightline.nl", true, false, true },
	};
	struct fixture *f = *state;
	struct pipeline *p;
	struct mail_summary m;
	struct err err;
	long long want = -1;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		p = pipeline_new(&f->cfg, f->st, "imap:anna");
		memset(&m, 0, sizeof m);
		mail_addr_list_add(&m.from, NULL, rows[i].from);
		mail_addr_list_add(&m.to, "Jan", "jan@acme.nl");
		m.subject = xstrdup("Uitnodiging: Kennismaking");
		m.message_id = xstrdup("req@brightline.nl");
		m.date = t0;
		m.date_valid = true;
		m.received = rows[i].received;
		strlist_take(&m.calendar_parts, invitation("REQUEST", (int)i,
		    0));
		pipeline_mail(p, "anna", &m, rows[i].sent, "INBOX/1/1");
		mail_summary_free(&m);
		if (pipeline_commit(p, NULL, 0, &err) < 0)
			fail_msg("commit: %s", err.msg);
		pipeline_free(p);
		/* Each row's SEQUENCE is its index: the version tells. */
		if (rows[i].counted)
			want = (long long)i;
		if (test_query_int(f->st, "SELECT CAST(substr(version, 1, 10) "
		    "AS INTEGER) FROM items WHERE item = ?1",
		    "invite:inv-1@brightline.nl") != want)
			fail_msg("row %zu: %s", i, rows[i].counted ?
			    "not counted" : "counted");
		assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM "
		    "appointments WHERE uid = ?1", "inv-1@brightline.nl"),
		    want >= 0 ? 1 : 0);
		assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM "
		    "appointments WHERE salesperson <> 'anna'", NULL), 0);
	}
}

/* One message of a meeting jan@acme.nl organises for anna, Outlook-shaped. */
struct invited_msg {
	const char	*file;		/* tests/data/itip fixture */
	bool		 sent;		/* anna's (Sent), else jan's (INBOX) */
	int		 day, stamp, seq;	/* stamp: hours after t0 */
	const char	*partstat;
};

/* Feeds one such message into the pipeline and commits it. */
static void
feed_invited(struct pipeline *p, const struct invited_msg *msg)
{
	time_t now = util_now() / DAY * DAY;
	struct mail_summary m;
	struct err err;

	memset(&m, 0, sizeof m);
	if (msg->sent) {
		mail_addr_list_add(&m.from, "Anna", "anna@brightline.nl");
		mail_addr_list_add(&m.to, "Jan", "jan@acme.nl");
	} else {
		mail_addr_list_add(&m.from, "Jan", "jan@acme.nl");
		mail_addr_list_add(&m.to, "Anna", "anna@brightline.nl");
		m.received = true;
	}
	m.subject = xstrdup("Bespreking offerte Brightline");
	m.message_id = xasprintf("%s-%d-%d@x", msg->file, msg->seq,
	    msg->stamp);
	m.date = t0 + msg->stamp * 3600;
	m.date_valid = true;
	strlist_take(&m.calendar_parts, test_itip(msg->file,
	    now + msg->day * DAY, t0 + msg->stamp * 3600, msg->seq,
	    msg->partstat, NULL));
	pipeline_mail(p, "anna", &m, msg->sent, m.message_id);
	mail_summary_free(&m);
	if (pipeline_commit(p, NULL, 0, &err) < 0)
		fail_msg("commit: %s", err.msg);
}

/*
 * A meeting a customer organised, from its messages in every order: the
 * REQUEST in INBOX, anna's REPLY in Sent, the organizer's update and
 * cancellation, her later decline.  The result depends only on which
 * messages there are: the newest update's day, nothing once cancelled
 * or declined, and a CalDAV copy of the same UID counted once.
 */
static void
test_pipeline_invited_any_order(void **state)
{
	static const struct invited_msg req = { "outlook-request.ics", false,
	    5, 0, 0, NULL };
	static const struct invited_msg acc = { "outlook-reply.ics", true, 5,
	    1, 0, "ACCEPTED" };
	static const struct invited_msg moved = { "outlook-request.ics", false,
	    8, 2, 1, NULL };
	static const struct invited_msg cancel = { "outlook-cancel.ics", false,
	    8, 3, 2, NULL };
	static const struct invited_msg decline = { "outlook-reply.ics", true,
	    8, 4, 1, "DECLINED" };
	static const struct {
		const char			*what;
		const struct invited_msg	*msgs[3];
		int				 want_day;	/* -1: none */
	} sets[] = {
		{ "request, accept", { &req, &acc, NULL }, 5 },
		{ "request, accept, update", { &req, &acc, &moved }, 8 },
		{ "accept, cancel", { &acc, &cancel, NULL }, -1 },
		{ "request, accept, cancel", { &req, &acc, &cancel }, -1 },
		{ "accept, update, decline", { &acc, &moved, &decline }, -1 },
		{ "request alone", { &req, NULL, NULL }, -1 },
	};
	static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
	    { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	static const char uid[] = "040000008200E00074C5B7101A82E00800000000"
	    "B0F6C2D1A3E9DA01000000000000000010000000C4A8F1E2B3D5C6A79E8F7A6B"
	    "5C4D3E2F";
	struct fixture *f = *state;
	struct pipeline *p;
	time_t now = util_now() / DAY * DAY;
	char source[32];
	size_t i, k, n;
	int j, nsrc = 0;
	long long got;

	for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		for (n = 0; n < 3 && sets[i].msgs[n] != NULL; n++)
			;
		for (k = 0; k < 6; k++) {
			snprintf(source, sizeof source, "imap:p%d", nsrc++);
			p = pipeline_new(&f->cfg, f->st, source);
			for (j = 0; j < 3; j++)
				if ((size_t)perms[k][j] < n)
					feed_invited(p,
					    sets[i].msgs[perms[k][j]]);
			pipeline_free(p);
			got = test_query_int(f->st, "SELECT count(*) FROM "
			    "appointments WHERE source = ?1", source);
			if (got != (sets[i].want_day >= 0 ? 1 : 0))
				fail_msg("%s, order %zu: %lld appointments",
				    sets[i].what, k, got);
			if (sets[i].want_day < 0)
				continue;
			got = test_query_int(f->st, "SELECT start FROM "
			    "appointments WHERE source = ?1", source);
			if ((got - now) / DAY != sets[i].want_day)
				fail_msg("%s, order %zu: on day %lld",
				    sets[i].what, k, (got - now) / DAY);
		}
	}
	/* anna's, with acme.nl, made when she accepted (her REPLY's DTSTAMP). */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM"
	    " appointments WHERE salesperson <> 'anna' OR account_id IS NOT"
	    " (SELECT id FROM accounts WHERE key = 'acme.nl') OR uid <> ?1",
	    uid), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM"
	    " appointments", NULL), 12);
	assert_int_equal(test_query_int(f->st, "SELECT min(occurred_at) ="
	    " max(occurred_at) FROM signals WHERE kind = 'appointment'", NULL),
	    1);
	assert_int_equal(test_query_int(f->st, "SELECT occurred_at FROM signals"
	    " WHERE kind = 'appointment'", NULL), (long long)t0 + 3600);
}

/*
 * Deferred projection: commits only record the touched accounts; finish
 * projects them once.  What a run that died before finishing recorded is
 * projected by the next finish, and the result equals projecting per batch.
 */
static void
test_pipeline_deferred_projection(void **state)
{
	struct fixture *f = *state;
	struct pipeline *p;
	struct err err;
	char *direct, *deferred;
	size_t i;

	p = pipeline_new(&f->cfg, f->st, "imap:anna");
	for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		feed_mail(p, i);
	assert_true(pipeline_commit(p, NULL, 0, &err) > 0);
	pipeline_free(p);
	direct = dump_all(f->st);

	assert_int_equal(project_rebuild(f->st, &f->cfg, time(NULL), &err), 0);
	assert_int_equal(sqlite3_exec(store_db(f->st), "DELETE FROM transitions;"
	    "DELETE FROM deals; DELETE FROM signals; DELETE FROM dirty",
	    NULL, NULL, NULL), SQLITE_OK);

	p = pipeline_new(&f->cfg, f->st, "imap:anna");
	pipeline_defer_projection(p);
	for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		feed_mail(p, i);
	assert_true(pipeline_commit(p, NULL, 0, &err) > 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals", NULL), 0);
	assert_true(test_query_int(f->st, "SELECT count(*) FROM dirty", NULL) > 0);
	/* This run dies here; the next one finishes what it left. */
	pipeline_free(p);
	p = pipeline_new(&f->cfg, f->st, "imap:anna");
	pipeline_defer_projection(p);
	assert_int_equal(pipeline_finish(p, &err), 0);
	pipeline_free(p);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM dirty", NULL), 0);
	assert_true(test_query_int(f->st, "SELECT count(*) FROM deals", NULL) > 0);
	deferred = dump_all(f->st);
	assert_string_equal(deferred, direct);
	free(direct);
	free(deferred);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_pipeline_batch_to_deals),
		T(test_pipeline_commit_atomic),
		T(test_pipeline_order_independent),
		T(test_pipeline_replace_and_remove),
	T(test_pipeline_fresh),
	T(test_pipeline_fresh_same_rows),
		T(test_pipeline_free_drops_pending),
		T(test_pipeline_invitations),
		T(test_pipeline_invitations_owner),
		T(test_pipeline_invited_any_order),
		T(test_pipeline_deferred_projection),
#undef T
	};
	int rc;

	t0 = (time(NULL) / DAY - 30) * DAY;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmpdir_cleanup();
	return rc;
}
