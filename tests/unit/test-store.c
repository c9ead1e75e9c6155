/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the SQLite store: schema and reopening, WAL with a reader
 * beside a writer, idempotent signals, calendar items, cursors, health,
 * attribution by account name, retention, and the projection (stable ids,
 * rebuild equal to the incremental path).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "helpers.h"
#include "links.h"
#include "model.h"
#include "names.h"
#include "project.h"
#include "report.h"
#include "store-int.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

/* Takes the deals back to before version 18 (their kept activity). */
#define BEFORE_ACTIVITY							\
	"ALTER TABLE deals DROP COLUMN decision;"			\
	"ALTER TABLE deals DROP COLUMN act_at;"				\
	"ALTER TABLE deals DROP COLUMN latest_signal;"			\
	"ALTER TABLE deals DROP COLUMN latest_at;"			\
	"ALTER TABLE deals DROP COLUMN only_target;"			\
	"ALTER TABLE deals DROP COLUMN snoozed;"				\
	"DROP INDEX deals_won_spells;"					\
	"ALTER TABLE deals DROP COLUMN quiet_spells;"			\
	"ALTER TABLE deals DROP COLUMN entered_by;"			\
	"ALTER TABLE deals DROP COLUMN silence;"

#define T0	1780000000	/* 2026-05-28 */
#define DAY	86400
#define NOW	(T0 + 30 * DAY)
/* The schema version a store is migrated to. */
#define SCHEMA	22

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
	snprintf(f->path, sizeof f->path, "%s/store-%d.db", test_tmpdir(), n++);
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

/* Appends a signal; its ref is "KIND:ACCOUNT:ID" as classify.c makes them. */
static void
add_sig(struct signal_list *l, enum signal_kind kind, const char *account,
    const char *who, time_t at, enum direction dir, const char *item,
    const char *id, const char *match_text)
{
	struct signal *s = signal_list_add(l);

	s->kind = kind;
	s->account = xstrdup(account);
	s->salesperson = xstrdup(who);
	s->occurred_at = at;
	s->dir = dir;
	s->source = xstrdup(strncmp(item, "cal/", 4) == 0 ? "caldav:anna" :
	    "imap:anna");
	s->item = xstrdup(item);
	s->ref = xasprintf("%s:%s:%s", signal_kind_name(kind),
	    account != NULL ? account : "", id);
	s->rule = xstrdup("test");
	s->subject = xasprintf("subject of %s", id);
	s->match_text = xstrdup(match_text);
}

static void
add_appt(struct appointment_list *l, const char *item, const char *uid,
    const char *account, const char *match_text, time_t start)
{
	struct appointment *a = appointment_list_add(l);

	a->source = xstrdup("caldav:anna");
	a->item = xstrdup(item);
	a->uid = xstrdup(uid);
	a->salesperson = xstrdup("anna");
	a->account = xstrdup(account);
	a->match_text = xstrdup(match_text);
	a->kind = SIG_APPOINTMENT;
	a->start = start;
	a->end = start + 3600;
	snprintf(a->day, sizeof a->day, "2026-06-%02u",
	    (unsigned)((start - T0) / DAY) % 28u + 1u);
	a->created = start - DAY;
	a->summary = xstrdup(match_text);
}

/* The first column of the first row as text; caller frees (NULL if none). */
static char *
query_text(struct store *st, const char *sql, const char *arg)
{
	sqlite3_stmt *s;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	if (arg != NULL)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

#define DUMP_DEALS "SELECT d.id, a.key, d.seq, d.salesperson, d.kind, " \
	"d.phase, d.outcome, d.opened, d.closed, d.last_activity, " \
	"d.last_inbound, d.phase_since FROM deals d " \
	"JOIN accounts a ON a.id = d.account_id ORDER BY a.key, d.seq"
#define DUMP_TRANS "SELECT t.id, t.deal_id, t.from_phase, t.to_phase, " \
	"t.at, t.actor, t.signal_kind, t.source, t.ref, t.signal_id " \
	"FROM transitions t ORDER BY t.id"
/* The same without row ids, to compare two stores. */
#define DUMP_DEALS_NOID "SELECT a.key, d.seq, d.salesperson, d.kind, " \
	"d.phase, d.outcome, d.opened, d.closed, d.last_activity, " \
	"d.last_inbound, d.phase_since FROM deals d " \
	"JOIN accounts a ON a.id = d.account_id ORDER BY a.key, d.seq"
#define DUMP_TRANS_NOID "SELECT a.key, d.seq, t.from_phase, t.to_phase, " \
	"t.at, t.actor, t.signal_kind, t.source, t.ref, s.ref " \
	"FROM transitions t JOIN deals d ON d.id = t.deal_id " \
	"JOIN accounts a ON a.id = d.account_id " \
	"LEFT JOIN signals s ON s.id = t.signal_id " \
	"ORDER BY a.key, d.seq, t.at, t.to_phase"

static char *
dump_all(struct store *st, bool ids)
{
	char *d = test_dump(st, ids ? DUMP_DEALS : DUMP_DEALS_NOID);
	char *t = test_dump(st, ids ? DUMP_TRANS : DUMP_TRANS_NOID);
	char *all = xasprintf("%s--\n%s", d, t);

	free(d);
	free(t);
	return all;
}

/*
 * The copies of schema 8 are right: every deal carries its account's key,
 * every transition its deal's owner and account key, none of them NULL.
 */
static void
assert_copies(struct store *st)
{
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM deals d"
	    " LEFT JOIN accounts a ON a.id = d.account_id"
	    " WHERE d.account IS NULL OR d.account IS NOT a.key", NULL), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM transitions t"
	    " LEFT JOIN deals d ON d.id = t.deal_id WHERE t.owner IS NULL"
	    " OR t.account IS NULL OR t.owner IS NOT d.salesperson"
	    " OR t.account IS NOT d.account", NULL), 0);
}

static void
project(struct fixture *f, struct strlist *touched)
{
	struct err err;

	if (project_accounts(f->st, &f->cfg, touched, NOW, &err) != 0)
		fail_msg("project_accounts: %s", err.msg);
	if (touched != NULL)
		strlist_clear(touched);
	assert_copies(f->st);
}

static void
test_store_open_migrate_reopen(void **state)
{
	struct fixture *f = *state;
	struct store *st, *ro;
	struct err err;
	char *mode, *missing;

	assert_int_equal(test_query_int(f->st, "PRAGMA user_version", NULL), SCHEMA);
	assert_int_equal(test_query_int(f->st, "PRAGMA application_id", NULL),
	    0x53614c43);
	mode = query_text(f->st, "PRAGMA journal_mode", NULL);
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(test_query_int(f->st, "PRAGMA foreign_keys", NULL), 1);
	assert_int_equal(store_cursor_set(f->st, "imap:anna", "INBOX",
	    "uidnext", "42", &err), 0);
	store_close(f->st);
	f->st = NULL;

	/* Reopening keeps the data and does not migrate again. */
	assert_int_equal(store_open(f->path, 0, &st, &err), 0);
	assert_int_equal(test_query_int(st, "PRAGMA user_version", NULL), SCHEMA);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM cursors", NULL), 1);
	assert_int_equal(store_open(f->path, STORE_READONLY, &ro, &err), 0);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM cursors", NULL), 1);
	/* A reader maps the file; a writer (the agent) keeps its bounded cache. */
	assert_true(test_query_int(ro, "PRAGMA mmap_size", NULL) > 0);
	assert_int_equal(test_query_int(st, "PRAGMA mmap_size", NULL), 0);
	/* Version 10: the funnel's indexes; signals_valued replaced signals_offers. */
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'index' AND name IN ('signals_valued',"
	    " 'transitions_entries', 'deals_open_phase')", NULL), 3);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'index' AND name = 'signals_offers'", NULL), 0);
	/*
	 * Version 11: the first creation of each series; one index of the
	 * closed deals; transitions by time from transitions_window alone.
	 */
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('series_first', 'series_first_created',"
	    " 'series_first_remove', 'series_first_change')", NULL), 4);
	/* Version 13: no trigger on insert, the writer lowers the first. */
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'trigger' AND sql LIKE '%AFTER INSERT%'", NULL), 0);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('transitions_at', 'deals_closed_outcome')",
	    NULL), 0);
	/* Version 14: each salesperson's open deals. */
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'index' AND name = 'deals_open_salesperson'", NULL),
	    1);
	/* Version 12: what a digest reads of the signals, by time. */
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'index' AND name = 'signals_digested'", NULL), 1);
	assert_int_equal(test_query_int(ro, "SELECT count(*)"
	    " FROM pragma_index_info('deals_closed')", NULL), 10);
	/* Version 15: an account's signals with their kind and direction. */
	assert_int_equal(test_query_int(ro, "SELECT count(*)"
	    " FROM pragma_index_info('signals_account')", NULL), 4);
	/* Version 16: the qualification's facts by account and time. */
	assert_int_equal(test_query_int(ro, "SELECT count(*)"
	    " FROM pragma_index_info('signals_facts')", NULL), 2);
	/* Version 17: the lost signals with their reason. */
	assert_int_equal(test_query_int(ro, "SELECT count(*)"
	    " FROM pragma_index_info('signals_lost')", NULL), 4);
	/*
	 * Version 20: the signals that occurred at or after they were
	 * stored, and the latest time one was.
	 */
	assert_int_equal(test_query_int(ro, "SELECT count(*)"
	    " FROM pragma_index_info('signals_ahead')", NULL), 4);
	assert_int_equal(test_query_int(ro, "SELECT count(*) = 1"
	    " AND max(at) = (SELECT COALESCE(max(seen_at), 0) FROM signals)"
	    " FROM signals_seen", NULL), 1);
	store_close(ro);

	/*
	 * A database at version 16 with or without signals_lost (a build
	 * between the two made it there) has it as version 17 wants.
	 */
	assert_int_equal(sqlite3_exec(store_db(st), "DROP INDEX signals_lost;"
	    BEFORE_ACTIVITY "PRAGMA user_version = 16", NULL, NULL, NULL),
	    SQLITE_OK);
	store_close(st);
	assert_int_equal(store_open(f->path, 0, &st, &err), 0);
	assert_int_equal(test_query_int(st, "PRAGMA user_version", NULL), SCHEMA);
	assert_int_equal(test_query_int(st, "SELECT count(*)"
	    " FROM pragma_index_info('signals_lost')", NULL), 4);
	assert_int_equal(sqlite3_exec(store_db(st), BEFORE_ACTIVITY
	    "PRAGMA user_version = 16", NULL, NULL, NULL), SQLITE_OK);
	store_close(st);
	assert_int_equal(store_open(f->path, 0, &st, &err), 0);
	assert_int_equal(test_query_int(st, "PRAGMA user_version", NULL), SCHEMA);

	/* Version 21 (a build of it had no deals_open_rows_of) gets it. */
	assert_int_equal(sqlite3_exec(store_db(st), "DROP INDEX"
	    " deals_open_rows_of; PRAGMA user_version = 21", NULL, NULL, NULL),
	    SQLITE_OK);
	store_close(st);
	assert_int_equal(store_open(f->path, 0, &st, &err), 0);
	assert_int_equal(test_query_int(st, "PRAGMA user_version", NULL), SCHEMA);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'deals_open_rows_of'", NULL), 1);

	/* A newer schema is refused, not clobbered. */
	assert_int_equal(sqlite3_exec(store_db(st), "PRAGMA user_version = 23",
	    NULL, NULL, NULL), SQLITE_OK);
	store_close(st);
	assert_int_equal(store_open(f->path, 0, &st, &err), -1);
	assert_null(st);
	assert_non_null(strstr(err.msg, "version 23"));
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &err), -1);

	/* Read-only never creates a database. */
	missing = xasprintf("%s/missing.db", test_tmpdir());
	assert_int_equal(store_open(missing, STORE_READONLY, &st, &err), -1);
	assert_int_equal(access(missing, F_OK), -1);
	free(missing);
	/* Leave a usable store for teardown. */
	snprintf(f->path, sizeof f->path, "%s/other.db", test_tmpdir());
	assert_int_equal(store_open(f->path, 0, &f->st, &err), 0);
}

/* Creates a plain SQLite file at path with sql run in it. */
static void
make_sqlite(const char *path, const char *sql)
{
	sqlite3 *db;

	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The number of rows in sqlite_schema of a plain SQLite file. */
static int
schema_objects(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_schema", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/*
 * Another program's database is refused, read-only or not, and left as it
 * was: no table of ours is added to it.
 */
static void
test_store_foreign_database(void **state)
{
	static const struct {
		const char	*what, *sql, *msg;
	} rows[] = {
		{ "user_version 0 with tables",
		    "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL);"
		    "CREATE INDEX invoices_total ON invoices(total);",
		    "not a salescycle database: it holds 2 tables, indexes or "
		    "views of another program" },
		{ "another application_id",
		    "PRAGMA application_id = 1234; PRAGMA user_version = 1;",
		    "not a salescycle database (application_id 0x000004d2)" },
		{ "a version but none of our tables",
		    "CREATE TABLE t(a); PRAGMA user_version = 1;",
		    "not a salescycle database (user_version 1, but none of its "
		    "tables)" },
	};
	struct store *st;
	struct err err;
	char path[600], want[800];
	size_t i;
	int before;
	(void)state;

	snprintf(path, sizeof path, "%s/foreign.db", test_tmpdir());
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		make_sqlite(path, rows[i].sql);
		before = schema_objects(path);
		snprintf(want, sizeof want, "%s: %s", path, rows[i].msg);
		assert_int_equal(store_open(path, 0, &st, &err), -1);
		assert_null(st);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s: got \"%s\", want \"%s...\"",
			    rows[i].what, err.msg, want);
		assert_int_equal(err.cls, ERR_FINAL);
		assert_int_equal(store_open(path, STORE_READONLY, &st, &err), -1);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s, read-only: got \"%s\"", rows[i].what,
			    err.msg);
		assert_int_equal(schema_objects(path), before);
	}

	/* A database of version 1, before application_id, is ours and updated. */
	unlink(path);
	assert_int_equal(store_open(path, 0, &st, &err), 0);
	/* As version 1 was, with a digest recorded as digest.c then did. */
	assert_int_equal(sqlite3_exec(store_db(st), "PRAGMA application_id = 0;"
	    "ALTER TABLE digests DROP COLUMN state;"
	    "ALTER TABLE digests DROP COLUMN message_id;"
	    "ALTER TABLE signals DROP COLUMN language;"
	    "DROP INDEX signals_digested;"
	    "ALTER TABLE signals DROP COLUMN ignored;"
	    "DROP TABLE account_links;"
	    "DROP INDEX signals_message;"
	    "DROP TABLE message_replies;"
	    "DROP INDEX deals_closed; DROP INDEX deals_open;"
	    "DROP INDEX appointments_created; DROP INDEX appointments_series;"
	    "DROP INDEX transitions_deal;"
	    "CREATE INDEX transitions_deal ON transitions(deal_id);"
	    "DROP INDEX transitions_window; DROP INDEX deals_open_rows;"
	    "DROP INDEX deals_open_rows_of;"
	    "ALTER TABLE deals DROP COLUMN account;"
	    "ALTER TABLE transitions DROP COLUMN owner;"
	    "ALTER TABLE transitions DROP COLUMN account;"
	    BEFORE_ACTIVITY
	    "INSERT INTO digests VALUES ('week:2026-05-25', 'piet@x.nl', 1);"
	    "INSERT INTO signals(ref, kind, salesperson, occurred_at,"
	    " direction, source, item, seen_at) VALUES"
	    " ('demo::u1', 'demo', 'bram', 1, 'none', 'caldav:bram', 'x', 1),"
	    " ('manual:acme.nl:1:phase=offer', 'manual', 'anna', 1, 'none',"
	    " 'manual', 'm', 1),"
	    " ('expired:3', 'contact', 'anna', 1, 'inbound', 'imap:anna',"
	    " 'INBOX/1', 1);"
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	store_close(st);
	if (store_open(path, 0, &st, &err) != 0)
		fail_msg("version 1 without application_id: %s", err.msg);
	assert_int_equal(test_query_int(st, "PRAGMA application_id", NULL),
	    0x53614c43);
	assert_int_equal(test_query_int(st, "PRAGMA user_version", NULL), SCHEMA);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM digests"
	    " WHERE state = 'sent' AND message_id IS NULL", NULL), 1);
	/* Version 3: refs name their salesperson; manual and expired do not. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM signals"
	    " WHERE ref IN ('bram/demo::u1', 'manual:acme.nl:1:phase=offer',"
	    " 'expired:3')", NULL), 3);
	/* Version 4: the indexes of windowed queries. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('deals_closed', 'deals_open',"
	    " 'appointments_created', 'appointments_series')"
	    " OR (name = 'transitions_deal' AND sql LIKE '%to_phase%')", NULL),
	    5);
	/* Version 6: an account's appointments by start. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'appointments_account'", NULL), 1);
	/* Version 9: an item's appointments by the unique index alone. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'appointments_item'", NULL), 0);
	store_close(st);
	unlink(path);
}

/* Open errors name the file, and for I/O errors the reason of the system. */
static void
test_store_open_errors(void **state)
{
	struct store *st;
	struct err err;
	char path[600], want[800];
	FILE *f;
	(void)state;

	snprintf(path, sizeof path, "%s/nosuchdir/x.db", test_tmpdir());
	assert_int_equal(store_open(path, 0, &st, &err), -1);
	snprintf(want, sizeof want, "%s: cannot open: unable to open database "
	    "file (No such file or directory)", path);
	assert_string_equal(err.msg, want);

	snprintf(path, sizeof path, "%s/missing.db", test_tmpdir());
	assert_int_equal(store_open(path, STORE_READONLY, &st, &err), -1);
	snprintf(want, sizeof want, "%s: cannot open: unable to open database "
	    "file (No such file or directory)", path);
	assert_string_equal(err.msg, want);

	snprintf(path, sizeof path, "%s/text.db", test_tmpdir());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, but a text file long enough to have "
	    "a header that SQLite reads and does not recognise at all.\n", f);
	fclose(f);
	assert_int_equal(store_open(path, 0, &st, &err), -1);
	snprintf(want, sizeof want, "%s: ", path);
	assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
	assert_non_null(strstr(err.msg, "file is not a database"));
	unlink(path);
}

static void
test_store_reader_beside_writer(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct store *ro;
	struct err err;

	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", T0, DIR_INBOUND,
	    "INBOX/1/1", "<a@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 1);
	signal_list_clear(&sigs);

	add_sig(&sigs, SIG_OFFER_SENT, "acme.nl", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/1", "<b@x>", NULL);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 1);

	/* The writer holds its transaction; a reader opens and reads. */
	if (store_open(f->path, STORE_READONLY, &ro, &err) != 0)
		fail_msg("read-only open beside a writer: %s", err.msg);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM signals", NULL), 1);
	/* A reader cannot write. */
	assert_int_equal(store_cursor_set(ro, "x", "y", "z", "1", &err), -1);

	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM signals", NULL), 2);
	store_close(ro);

	/*
	 * A reader's snapshot (a report of the CLI) keeps reading the commit
	 * it started on while the writer commits more; the next reader sees
	 * them.  One snapshot at a time.
	 */
	signal_list_clear(&sigs);
	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "<c@x>", NULL);
	assert_int_equal(store_open(f->path, STORE_READONLY, &ro, &err), 0);
	assert_int_equal(store_snapshot(ro, &err), 0);
	assert_int_equal(store_snapshot(ro, &err), -1);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM signals", NULL), 2);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 1);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM signals", NULL), 2);
	store_close(ro);
	assert_int_equal(store_open(f->path, STORE_READONLY, &ro, &err), 0);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM signals", NULL), 3);
	store_close(ro);
	signal_list_clear(&sigs);
	strlist_clear(&touched);
}

static void
test_store_nested_begin_fails(void **state)
{
	struct fixture *f = *state;
	struct err err;

	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(store_begin(f->st, &err), -1);
	assert_int_equal(err.cls, ERR_FINAL);
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(store_commit(f->st, &err), -1);
}

static void
test_store_signals_idempotent(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct err err;

	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", T0, DIR_INBOUND,
	    "INBOX/1/1", "<a@x>", NULL);
	add_sig(&sigs, SIG_OFFER_SENT, "acme.nl", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/7", "<b@x>", NULL);
	add_sig(&sigs, SIG_CONTACT, "globex.com", "bram", T0, DIR_INBOUND,
	    "INBOX/1/2", "<c@x>", NULL);

	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 3);
	assert_int_equal(touched.n, 2);
	assert_true(strlist_contains(&touched, "acme.nl"));
	assert_true(strlist_contains(&touched, "globex.com"));
	strlist_clear(&touched);

	/* The same signals again (another mailbox, a re-read): nothing. */
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 0);
	assert_int_equal(touched.n, 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), 3);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM accounts",
	    NULL), 2);
	/* New accounts get their default names. */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM account_names "
	    "n JOIN accounts a ON a.id = n.account_id WHERE a.key = ?1 AND "
	    "n.name IN ('globex', 'globex.com')", "globex.com"), 2);
	signal_list_clear(&sigs);
}

static void
test_store_replace_item(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct strlist touched = { 0 };
	struct err err;

	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", T0, DIR_NONE,
	    "cal/1.ics", "uid-1", NULL);
	add_sig(&sigs, SIG_DEMO, "acme.nl", "anna", T0, DIR_NONE,
	    "cal/1.ics", "uid-1", NULL);
	add_appt(&appts, "cal/1.ics", "uid-1", "acme.nl", "Visit", T0 + DAY);
	add_appt(&appts, "cal/1.ics", "uid-1", "acme.nl", "Visit", T0 + 2 * DAY);
	appts.v[1].recurrence_id = T0 + 2 * DAY;
	assert_int_equal(store_replace_item(f->st, "caldav:anna", "cal/1.ics",
	    &sigs, &appts, &touched, &err), 2);
	assert_true(strlist_contains(&touched, "acme.nl"));
	strlist_clear(&touched);
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);

	/* The event moved to another customer: acme.nl loses its signals. */
	add_sig(&sigs, SIG_APPOINTMENT, "globex.com", "anna", T0, DIR_NONE,
	    "cal/1.ics", "uid-1", NULL);
	add_appt(&appts, "cal/1.ics", "uid-1", "globex.com", "Visit", T0 + DAY);
	assert_int_equal(store_replace_item(f->st, "caldav:anna", "cal/1.ics",
	    &sigs, &appts, &touched, &err), 1);
	assert_true(strlist_contains(&touched, "acme.nl"));
	assert_true(strlist_contains(&touched, "globex.com"));
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments",
	    NULL), 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments p "
	    "JOIN accounts a ON a.id = p.account_id WHERE a.key = ?1",
	    "globex.com"), 1);
	strlist_clear(&touched);
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);
}

static void
test_store_remove_item(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct strlist touched = { 0 };
	struct err err;

	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", T0, DIR_NONE,
	    "cal/2.ics", "uid-2", NULL);
	add_appt(&appts, "cal/2.ics", "uid-2", "acme.nl", "Visit", T0);
	assert_int_equal(store_replace_item(f->st, "caldav:anna", "cal/2.ics",
	    &sigs, &appts, &touched, &err), 1);
	assert_int_equal(store_item_version_set(f->st, "caldav:anna",
	    "cal/2.ics", "\"etag-1\"", T0, &err), 0);
	project(f, &touched);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals", NULL),
	    1);

	assert_int_equal(store_remove_item(f->st, "caldav:anna", "cal/2.ics",
	    &touched, &err), 0);
	assert_true(strlist_contains(&touched, "acme.nl"));
	project(f, &touched);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals",
	    NULL), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM appointments",
	    NULL), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM items", NULL),
	    0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals", NULL),
	    0);
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);
}

static int
collect_item(const char *item, const char *version, void *arg)
{
	struct buf *b = arg;

	buf_printf(b, "%s=%s;", item, version != NULL ? version : "-");
	return 0;
}

static void
test_store_items_and_first_seen(void **state)
{
	struct fixture *f = *state;
	struct buf b = { 0 };
	struct err err;
	time_t first, again;

	assert_int_equal(store_item_first_seen(f->st, "caldav:anna", "b.ics",
	    &first, &err), 0);
	assert_int_equal(first, 0);
	assert_int_equal(store_item_version_set(f->st, "caldav:anna", "b.ics",
	    "e1", T0, &err), 0);
	assert_int_equal(store_item_version_set(f->st, "caldav:anna", "a.ics",
	    NULL, T0 + 1, &err), 0);
	assert_int_equal(store_item_version_set(f->st, "caldav:bram", "c.ics",
	    "e9", T0 + 2, &err), 0);
	assert_int_equal(store_item_first_seen(f->st, "caldav:anna", "b.ics",
	    &first, &err), 0);
	assert_int_equal(first, T0);
	/* A new version keeps the time first seen. */
	assert_int_equal(store_item_version_set(f->st, "caldav:anna", "b.ics",
	    "e2", T0 + 3, &err), 0);
	assert_int_equal(store_item_first_seen(f->st, "caldav:anna", "b.ics",
	    &again, &err), 0);
	assert_int_equal(first, again);

	buf_puts(&b, "");
	assert_int_equal(store_items(f->st, "caldav:anna", collect_item, &b,
	    &err), 0);
	assert_string_equal(b.data, "a.ics=-;b.ics=e2;");
	buf_free(&b);
}

static void
test_store_cursors(void **state)
{
	struct fixture *f = *state;
	struct err err;
	char *v;

	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidnext", &v, &err), 0);
	assert_null(v);
	assert_int_equal(store_cursor_set(f->st, "imap:anna", "INBOX",
	    "uidnext", "10", &err), 0);
	assert_int_equal(store_cursor_set(f->st, "imap:anna", "INBOX",
	    "uidnext", "20", &err), 0);
	assert_int_equal(store_cursor_set(f->st, "imap:anna", "INBOX",
	    "uidvalidity", "7", &err), 0);
	assert_int_equal(store_cursor_set(f->st, "imap:anna", "Sent",
	    "uidnext", "5", &err), 0);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidnext", &v, &err), 0);
	assert_string_equal(v, "20");
	free(v);

	/* NULL deletes one cursor; clear drops a scope. */
	assert_int_equal(store_cursor_set(f->st, "imap:anna", "INBOX",
	    "uidnext", NULL, &err), 0);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidnext", &v, &err), 0);
	assert_null(v);
	assert_int_equal(store_cursor_clear(f->st, "imap:anna", "INBOX", &err),
	    0);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "INBOX",
	    "uidvalidity", &v, &err), 0);
	assert_null(v);
	assert_int_equal(store_cursor_get(f->st, "imap:anna", "Sent",
	    "uidnext", &v, &err), 0);
	assert_string_equal(v, "5");
	free(v);
}

static void
test_store_health(void **state)
{
	struct fixture *f = *state;
	struct source_health *h;
	struct err err;
	size_t n;

	assert_int_equal(store_health_success(f->st, "imap:bram", T0, &err), 0);
	assert_int_equal(store_health_failure(f->st, "imap:anna", T0, "timeout",
	    T0 + 60, &err), 0);
	assert_int_equal(store_health_failure(f->st, "imap:anna", T0 + 60,
	    "refused", T0 + 180, &err), 0);
	assert_int_equal(store_health_list(f->st, &h, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].source, "imap:anna");
	assert_string_equal(h[0].last_error, "refused");
	assert_int_equal(h[0].error_since, T0);	/* the first failure */
	assert_int_equal(h[0].last_attempt, T0 + 60);
	assert_int_equal(h[0].backoff_until, T0 + 180);
	assert_string_equal(h[1].source, "imap:bram");
	assert_null(h[1].last_error);
	assert_int_equal(h[1].last_success, T0);
	source_health_free(h, n);

	assert_int_equal(store_health_success(f->st, "imap:anna", T0 + 200,
	    &err), 0);
	assert_int_equal(store_health_list(f->st, &h, &n, &err), 0);
	assert_null(h[0].last_error);
	assert_int_equal(h[0].error_since, 0);
	assert_int_equal(h[0].backoff_until, 0);
	assert_int_equal(h[0].last_success, T0 + 200);
	source_health_free(h, n);
}

/* The account an unattributed signal or appointment was matched to, or NULL. */
static char *
matched(struct store *st, const char *table, const char *text)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT a.key FROM %s r JOIN accounts a "
	    "ON a.id = r.matched_account_id WHERE r.match_text = ?1", table);
	return query_text(st, sql, text);
}

static void
test_store_attribution_late_name(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	char *key;

	/* An event naming a customer the store does not know yet. */
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0, DIR_NONE,
	    "cal/3.ics", "uid-3", "Bezoek Globex, Utrecht");
	add_appt(&appts, "cal/3.ics", "uid-3", NULL, "Bezoek Globex, Utrecht",
	    T0 + DAY);
	assert_int_equal(store_replace_item(f->st, "caldav:anna", "cal/3.ics",
	    &sigs, &appts, &touched, &err), 1);
	assert_true(strlist_contains(&touched, ""));
	assert_null(matched(f->st, "signals", "Bezoek Globex, Utrecht"));
	assert_null(matched(f->st, "appointments", "Bezoek Globex, Utrecht"));
	project(f, &touched);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals", NULL),
	    0);
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);

	/* A mail from globex.com creates the account; it claims the event. */
	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/9", "<g@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 1);
	assert_true(strlist_contains(&touched, "globex.com"));
	key = matched(f->st, "signals", "Bezoek Globex, Utrecht");
	assert_non_null(key);
	assert_string_equal(key, "globex.com");
	free(key);
	key = matched(f->st, "appointments", "Bezoek Globex, Utrecht");
	assert_non_null(key);
	assert_string_equal(key, "globex.com");
	free(key);
	project(f, &touched);
	key = query_text(f->st, "SELECT d.phase FROM deals d JOIN accounts a "
	    "ON a.id = d.account_id WHERE a.key = ?1", "globex.com");
	assert_non_null(key);
	assert_string_equal(key, "suspect");
	free(key);
	signal_list_clear(&sigs);

	/* A target-list name claims a row; the next projection follows. */
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0, DIR_NONE,
	    "cal/4.ics", "uid-4", "Kennismaking Initech Labs");
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 1);
	project(f, &touched);
	assert_int_equal(names_add(f->st, "initech.io",
	    "Initech Labs", &err), 0);
	key = matched(f->st, "signals", "Kennismaking Initech Labs");
	assert_non_null(key);
	assert_string_equal(key, "initech.io");
	free(key);
	project(f, NULL);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals d JOIN "
	    "accounts a ON a.id = d.account_id WHERE a.key = ?1", "initech.io"),
	    1);
	/* Matching is by whole words only. */
	assert_int_equal(names_add(f->st, "ban.nl", "Utrech",
	    &err), 0);
	key = matched(f->st, "signals", "Bezoek Globex, Utrecht");
	assert_string_equal(key, "globex.com");
	free(key);
	signal_list_clear(&sigs);
}

static void
test_store_attribution_best_match(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	char *key;

	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0, DIR_NONE,
	    "cal/5.ics", "uid-5", "Lunch met ACME Holding");
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0, DIR_NONE,
	    "cal/6.ics", "uid-6", "acme demo prep");
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 2);

	/* Two accounts share the name "acme": the smaller key wins. */
	assert_int_equal(names_add(f->st, "acme.nl", "acme", &err),
	    0);
	assert_int_equal(names_add(f->st, "acme.de", "acme", &err),
	    0);
	key = matched(f->st, "signals", "acme demo prep");
	assert_string_equal(key, "acme.de");
	free(key);
	/* A longer name wins over a shorter one, whatever arrived first. */
	assert_int_equal(names_add(f->st, "zeta.nl",
	    "Acme Holding", &err), 0);
	key = matched(f->st, "signals", "Lunch met ACME Holding");
	assert_string_equal(key, "zeta.nl");
	free(key);
	key = matched(f->st, "signals", "acme demo prep");
	assert_string_equal(key, "acme.de");
	free(key);
	/* Names that cannot match as words are skipped. */
	assert_int_equal(names_add(f->st, "x.nl", " -- ", &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM account_names "
	    "WHERE name = ?1", " -- "), 0);
	strlist_clear(&touched);
	signal_list_clear(&sigs);
}

/* A small history over three accounts, in an order given by idx. */
static void
history(struct signal_list *l, const int *idx, size_t n)
{
	struct signal_list all = { 0 };
	size_t i;

	add_sig(&all, SIG_CALL, "acme.nl", "anna", T0, DIR_NONE,
	    "cal/a1.ics", "a1", NULL);
	add_sig(&all, SIG_APPOINTMENT, "acme.nl", "anna", T0 + DAY, DIR_NONE,
	    "cal/a2.ics", "a2", NULL);
	add_sig(&all, SIG_OFFER_SENT, "acme.nl", "bram", T0 + 3 * DAY,
	    DIR_OUTBOUND, "Sent/1/1", "<o1@x>", NULL);
	add_sig(&all, SIG_ORDER_CONFIRMED, "acme.nl", "anna", T0 + 5 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "<p1@x>", NULL);
	add_sig(&all, SIG_APPOINTMENT, "acme.nl", "anna", T0 + 20 * DAY,
	    DIR_NONE, "cal/a3.ics", "a3", NULL);
	add_sig(&all, SIG_CONTACT, "globex.com", "bram", T0 + DAY,
	    DIR_INBOUND, "INBOX/1/2", "<c1@x>", NULL);
	add_sig(&all, SIG_DEMO, "globex.com", "bram", T0 + 2 * DAY, DIR_NONE,
	    "cal/g1.ics", "g1", NULL);
	add_sig(&all, SIG_CONTACT, "globex.com", "bram", T0 + 4 * DAY,
	    DIR_INBOUND, "INBOX/1/3", "<c2@x>", NULL);
	add_sig(&all, SIG_APPOINTMENT, NULL, "anna", T0 + 2 * DAY, DIR_NONE,
	    "cal/u1.ics", "u1", "Bezoek Initech");
	add_sig(&all, SIG_OFFER_SENT, "initech.io", "anna", T0 + 6 * DAY,
	    DIR_OUTBOUND, "Sent/1/2", "<o2@x>", NULL);
	add_sig(&all, SIG_LOST, "initech.io", "anna", T0 + 9 * DAY,
	    DIR_OUTBOUND, "Sent/1/3", "<l1@x>", NULL);
	assert_int_equal(all.n, n);
	for (i = 0; i < n; i++) {
		struct signal *s = signal_list_add(l);

		*s = all.v[idx[i]];
		memset(&all.v[idx[i]], 0, sizeof all.v[idx[i]]);
	}
	signal_list_clear(&all);
}

/* Feeds the signals one at a time, projecting after each, like the agent. */
static void
feed(struct fixture *f, struct signal_list *l)
{
	struct signal_list one = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	size_t i;

	for (i = 0; i < l->n; i++) {
		one.v = &l->v[i];
		one.n = 1;
		if (store_add_signals(f->st, &one, &touched, &err) < 0)
			fail_msg("store_add_signals: %s", err.msg);
		project(f, &touched);
	}
}

static const int order_fwd[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const int order_rev[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };

static void
test_store_rebuild_equals_incremental(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct fixture *g;
	struct err err;
	char *inc, *reb, *a, *b;

	history(&l, order_rev, 11);
	feed(f, &l);
	signal_list_clear(&l);
	inc = dump_all(f->st, true);
	assert_non_null(strstr(inc, "initech.io|0|anna|new|offer|lost"));
	assert_non_null(strstr(inc, "acme.nl|1|anna|growth|suspect|open"));

	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_copies(f->st);
	reb = dump_all(f->st, true);
	assert_string_equal(inc, reb);

	/* Another store: the other order, projected only by rebuild. */
	setup((void **)&g);
	history(&l, order_fwd, 11);
	assert_int_equal(store_add_signals(g->st, &l, NULL, &err), 11);
	signal_list_clear(&l);
	assert_int_equal(project_rebuild(g->st, &g->cfg, NOW, &err), 0);
	assert_copies(g->st);
	a = dump_all(f->st, false);
	b = dump_all(g->st, false);
	assert_string_equal(a, b);
	teardown((void **)&g);
	free(inc);
	free(reb);
	free(a);
	free(b);
}

/*
 * Rebuild reads every account's signals in one sorted pass: its own,
 * those of the free-mail addresses linked to it and those its name
 * claims, none of a linked address's own.  Its deals and transitions
 * equal those of projecting each account by itself, with a link made by
 * hand, a link to a company that has no signal of its own, and an
 * unattributed meeting.
 */
static void
test_store_rebuild_links(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	char *inc, *reb;

	history(&l, order_fwd, 11);
	add_sig(&l, SIG_CONTACT, "jan@gmail.com", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/9", "<j1@x>", NULL);
	add_sig(&l, SIG_OFFER_SENT, "jan@gmail.com", "anna", T0 + 7 * DAY,
	    DIR_OUTBOUND, "Sent/1/9", "<j2@x>", NULL);
	add_sig(&l, SIG_APPOINTMENT, "piet@gmail.com", "bram", T0 + 3 * DAY,
	    DIR_NONE, "cal/p1.ics", "p1", NULL);
	feed(f, &l);
	signal_list_clear(&l);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "globex.com",
	    "manual", T0, &touched, &err), 1);
	assert_int_equal(links_add(f->st, "piet@gmail.com", "hooli.com",
	    "manual", T0, &touched, &err), 1);
	project(f, &touched);
	inc = dump_all(f->st, false);
	/* jan's offer is globex's; hooli's deal is piet's meeting. */
	assert_non_null(strstr(inc, "globex.com|0|bram|new|offer|open"));
	assert_non_null(strstr(inc, "hooli.com|0|bram|new|"));
	assert_null(strstr(inc, "jan@gmail.com|"));

	assert_int_equal(sqlite3_exec(f->st->db, "DELETE FROM transitions;"
	    "DELETE FROM deals", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_copies(f->st);
	reb = dump_all(f->st, false);
	assert_string_equal(inc, reb);
	free(inc);
	free(reb);
}

#define INDEX_SCHEMA "SELECT group_concat(name || ': ' || sql, '; ') FROM" \
	" (SELECT name, sql FROM sqlite_master WHERE type = 'index'" \
	" AND sql IS NOT NULL ORDER BY name)"

/*
 * A rebuild from no deals drops the indexes of deals and transitions and
 * creates them again, inside its one transaction: a rebuild that fails
 * half-way (a trigger aborts it once two deals are written) leaves the
 * store as it was, every index there and no deal; the next rebuild
 * creates each index as the schema defines it, and its rows equal those
 * of projecting signal by signal.
 */
static void
test_store_rebuild_indexes(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct fixture *g;
	struct err err;
	char *before, *after, *a, *b;

	history(&l, order_fwd, 11);
	assert_int_equal(store_add_signals(f->st, &l, NULL, &err), 11);
	setup((void **)&g);
	feed(g, &l);
	signal_list_clear(&l);
	before = query_text(f->st, INDEX_SCHEMA, NULL);
	assert_non_null(strstr(before, "transitions_window: CREATE INDEX"));
	assert_non_null(strstr(before, "deals_open: CREATE INDEX"));
	assert_int_equal(sqlite3_exec(store_db(f->st), "CREATE TEMP TRIGGER"
	    " half_way BEFORE INSERT ON main.transitions"
	    " WHEN (SELECT count(*) FROM deals) >= 2"
	    " BEGIN SELECT RAISE(ABORT, 'half way'); END", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), -1);
	assert_non_null(strstr(err.msg, "half way"));
	after = query_text(f->st, INDEX_SCHEMA, NULL);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals",
	    NULL), 0);

	assert_int_equal(sqlite3_exec(store_db(f->st), "DROP TRIGGER half_way",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_copies(f->st);
	after = query_text(f->st, INDEX_SCHEMA, NULL);
	assert_string_equal(before, after);
	a = query_text(f->st, "PRAGMA integrity_check", NULL);
	assert_string_equal(a, "ok");
	free(a);
	a = dump_all(f->st, false);
	b = dump_all(g->st, false);
	assert_string_equal(a, b);
	teardown((void **)&g);
	free(before);
	free(after);
	free(a);
	free(b);
}

/* Every row a projection writes, with ids: deals, transitions, ignored signals. */
static char *
dump_rows(struct store *st)
{
	char *d = test_dump(st, "SELECT * FROM deals ORDER BY id");
	char *t = test_dump(st, "SELECT * FROM transitions ORDER BY id");
	char *g = test_dump(st, "SELECT id, ignored FROM signals ORDER BY id");
	char *all = xasprintf("%s--\n%s--\n%s", d, t, g);

	free(d);
	free(t);
	free(g);
	return all;
}

/*
 * n accounts, more than a rebuild's reading thread holds ahead: each
 * with a contact and an offer, every third won with a meeting held in
 * the calendar (its quiet spells read the meetings), every fifth lost,
 * every seventh with an unattributed meeting that its name claims.
 */
static void
many_accounts(struct fixture *f, int n)
{
	struct signal_list l = { 0 }, one = { 0 };
	struct appointment_list appts = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	char key[32], id[32], item[32], text[64];
	const char *who;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof key, "c%03d.nl", i);
		who = i % 2 == 0 ? "anna" : "bram";
		snprintf(id, sizeof id, "<c%d@x>", i);
		snprintf(item, sizeof item, "INBOX/1/%d", i);
		add_sig(&l, SIG_CONTACT, key, who, T0 + i * 600, DIR_INBOUND,
		    item, id, NULL);
		snprintf(id, sizeof id, "<o%d@x>", i);
		snprintf(item, sizeof item, "Sent/1/%d", i);
		add_sig(&l, SIG_OFFER_SENT, key, who, T0 + 3 * DAY + i * 600,
		    DIR_OUTBOUND, item, id, NULL);
		if (i % 3 == 0) {
			snprintf(id, sizeof id, "<p%d@x>", i);
			snprintf(item, sizeof item, "INBOX/2/%d", i);
			add_sig(&l, SIG_ORDER_CONFIRMED, key, who,
			    T0 + 9 * DAY, DIR_INBOUND, item, id, NULL);
		} else if (i % 5 == 1) {
			snprintf(id, sizeof id, "<l%d@x>", i);
			snprintf(item, sizeof item, "Sent/2/%d", i);
			add_sig(&l, SIG_LOST, key, who, T0 + 8 * DAY,
			    DIR_OUTBOUND, item, id, NULL);
		}
		if (i % 7 == 2) {
			snprintf(id, sizeof id, "u%d", i);
			snprintf(item, sizeof item, "cal/u%d.ics", i);
			snprintf(text, sizeof text, "Bezoek C%03d", i);
			add_sig(&l, SIG_APPOINTMENT, NULL, who, T0 + 2 * DAY,
			    DIR_NONE, item, id, text);
		}
	}
	if (store_add_signals(f->st, &l, &touched, &err) < 0)
		fail_msg("store_add_signals: %s", err.msg);
	signal_list_clear(&l);
	for (i = 0; i < n; i += 3) {
		snprintf(key, sizeof key, "c%03d.nl", i);
		snprintf(item, sizeof item, "cal/m%d.ics", i);
		snprintf(id, sizeof id, "m%d", i);
		add_sig(&one, SIG_APPOINTMENT, key, "anna", T0 + 5 * DAY,
		    DIR_NONE, item, id, NULL);
		add_appt(&appts, item, id, key, "meeting", T0 + 5 * DAY);
		if (store_replace_item(f->st, "caldav:anna", item, &one,
		    &appts, &touched, &err) < 0)
			fail_msg("store_replace_item: %s", err.msg);
		signal_list_clear(&one);
		appointment_list_clear(&appts);
	}
	project(f, &touched);
}

/* Deletes every deal and transition: the next rebuild is from no deals. */
static void
no_deals(struct fixture *f)
{
	assert_int_equal(sqlite3_exec(store_db(f->st), "DELETE FROM transitions;"
	    "DELETE FROM deals", NULL, NULL, NULL), SQLITE_OK);
}

/* Unclaims every unattributed signal: a rebuild's names claim them again. */
static void
no_claims(struct fixture *f)
{
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE signals"
	    " SET matched_account_id = NULL WHERE account_id IS NULL", NULL,
	    NULL, NULL), SQLITE_OK);
}

/*
 * A rebuild reads and projects the accounts on a thread of its own, on
 * a second connection, while the last ones are written: every account
 * is read there, the meetings its names claim first included, and every
 * row it writes (ids included, over stored deals and from no deals)
 * equals that of the rebuild on one thread.
 */
static void
test_store_rebuild_read_ahead(void **state)
{
	struct fixture *f = *state;
	struct err err;
	long long accounts;
	char *one, *two;

	many_accounts(f, 150);
	accounts = test_query_int(f->st, "SELECT count(*) FROM accounts",
	    NULL);
	assert_true(accounts >= 150);
	assert_true(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE quiet_spells IS NOT NULL", NULL) >= 40);

	util_one_thread = true;
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_int_equal(project_read_ahead, 0);
	one = dump_rows(f->st);
	util_one_thread = false;
	no_claims(f);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_int_equal(project_read_ahead, accounts);
	two = dump_rows(f->st);
	assert_string_equal(one, two);
	free(one);
	free(two);

	no_deals(f);
	util_one_thread = true;
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	one = dump_rows(f->st);
	no_deals(f);
	no_claims(f);
	util_one_thread = false;
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_int_equal(project_read_ahead, accounts);
	assert_copies(f->st);
	two = dump_rows(f->st);
	assert_string_equal(one, two);
	free(one);
	free(two);
}

/*
 * A read that fails on the rebuild's reading thread (a corrupt page of
 * the meetings' index, which only the reader reads: thirty meetings an
 * account, so that the last accounts' are on a leaf of their own) fails
 * the rebuild with its error once the reader has read the accounts
 * before it, and writes nothing; with the page repaired, the next
 * rebuild gives every row.
 */
static void
test_store_rebuild_read_fails(void **state)
{
	struct fixture *f = *state;
	struct test_byte page;
	struct err err;
	long long accounts;
	char sql[640], *want, *got;

	many_accounts(f, 150);
	snprintf(sql, sizeof sql, "WITH RECURSIVE k(n) AS (SELECT 1"
	    " UNION ALL SELECT n + 1 FROM k WHERE n < 30)"
	    " INSERT INTO appointments(source, item, uid, salesperson,"
	    " account_id, kind, start, \"end\", all_day, day, created,"
	    " series) SELECT 'caldav:anna', 'bulk-' || a.id || '-' || k.n,"
	    " 'bulk-' || a.id || '-' || k.n, 'anna', a.id, 'appointment',"
	    " %lld - k.n * 86400, %lld - k.n * 86400 + 3600, 0, '2026-06-01',"
	    " %lld, 0 FROM accounts a, k", (long long)NOW, (long long)NOW,
	    (long long)T0);
	assert_int_equal(sqlite3_exec(store_db(f->st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
	accounts = test_query_int(f->st, "SELECT count(*) FROM accounts",
	    NULL);
	no_deals(f);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	want = dump_rows(f->st);
	no_deals(f);
	page = test_corrupt_page(f->st, "appointments_account", 1);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), -1);
	assert_non_null(strstr(err.msg, "malformed"));
	assert_true(project_read_ahead > 0);
	assert_true((long long)project_read_ahead < accounts);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals",
	    NULL), 0);
	test_repair_page(f->st, page);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_int_equal(project_read_ahead, accounts);
	got = dump_rows(f->st);
	assert_string_equal(want, got);
	free(got);
	free(want);
}

/* Makes the rebuild's write of the deals of the k-th account fail. */
static void
fail_write_at(struct fixture *f, int k)
{
	char sql[512];

	snprintf(sql, sizeof sql, "CREATE TEMP TRIGGER write_fails"
	    " BEFORE INSERT ON main.deals WHEN NEW.account_id ="
	    " (SELECT id FROM accounts ORDER BY key LIMIT 1 OFFSET %d)"
	    " BEGIN SELECT RAISE(ABORT, 'write fails'); END", k);
	assert_int_equal(sqlite3_exec(store_db(f->st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
}

/*
 * A write that fails stops the reading thread wherever the ring stands
 * (its first account, at a wake-up, full, past a turn, the last): the
 * rebuild fails with the write's error and writes nothing, and the next
 * one gives every row.  Inside a caller's transaction, whose writes the
 * reading connection would not see, it reads on the caller's thread.
 */
static void
test_store_rebuild_write_fails(void **state)
{
	static const int at[] = { 0, 1, 15, 16, 40, 63, 64, 65, 100, 149 };
	struct fixture *f = *state;
	struct err err;
	char *want, *got;
	size_t i;

	many_accounts(f, 150);
	no_deals(f);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	want = dump_rows(f->st);
	for (i = 0; i < sizeof at / sizeof at[0]; i++) {
		no_deals(f);
		fail_write_at(f, at[i]);
		assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err),
		    -1);
		assert_non_null(strstr(err.msg, "write fails"));
		assert_int_equal(test_query_int(f->st,
		    "SELECT count(*) FROM deals", NULL), 0);
		assert_int_equal(sqlite3_exec(store_db(f->st),
		    "DROP TRIGGER write_fails", NULL, NULL, NULL), SQLITE_OK);
	}
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	got = dump_rows(f->st);
	assert_string_equal(want, got);
	free(got);

	/* A caller's transaction: the names' claims undone inside it. */
	no_deals(f);
	assert_int_equal(store_begin(f->st, &err), 0);
	no_claims(f);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_int_equal(project_read_ahead, 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	got = dump_rows(f->st);
	assert_string_equal(want, got);
	free(got);
	free(want);
}

/*
 * A rebuild commits what the names attribute before it projects, so that
 * its reading connection sees it.  When the projection fails (a trigger
 * aborts it at its end), the attribution stays and the account it moved
 * is left dirty: the agent's next project_dirty gives it the deals a
 * whole rebuild gives.
 */
static void
test_store_rebuild_names_first(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	char *want, *got, *key;

	history(&l, order_fwd, 11);
	feed(f, &l);
	signal_list_clear(&l);
	want = dump_all(f->st, true);
	key = matched(f->st, "signals", "Bezoek Initech");
	assert_non_null(key);
	assert_string_equal(key, "initech.io");
	free(key);

	/* The meeting unclaimed, initech's deal made without it. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE signals"
	    " SET matched_account_id = NULL WHERE match_text = 'Bezoek Initech'",
	    NULL, NULL, NULL), SQLITE_OK);
	strlist_add(&touched, "initech.io");
	project(f, &touched);
	got = dump_all(f->st, true);
	assert_string_not_equal(want, got);
	free(got);

	assert_int_equal(sqlite3_exec(store_db(f->st), "CREATE TEMP TRIGGER"
	    " at_end BEFORE DELETE ON main.dirty"
	    " BEGIN SELECT RAISE(ABORT, 'at the end'); END", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), -1);
	assert_non_null(strstr(err.msg, "at the end"));
	key = matched(f->st, "signals", "Bezoek Initech");
	assert_non_null(key);
	assert_string_equal(key, "initech.io");
	free(key);
	got = test_dump(f->st, "SELECT account FROM dirty");
	assert_string_equal(got, "initech.io\n");
	free(got);

	assert_int_equal(sqlite3_exec(store_db(f->st), "DROP TRIGGER at_end",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(project_dirty(f->st, &f->cfg, NOW, &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM dirty",
	    NULL), 0);
	got = dump_all(f->st, true);
	assert_string_equal(want, got);
	free(got);
	free(want);
}

/*
 * The store turns SQLite's allocation statistics off before SQLite starts
 * (their one mutex made the threads' connections wait on each other):
 * with a store open and written, none is counted.
 */
static void
test_store_no_memory_statistics(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };

	history(&l, order_fwd, 11);
	feed(f, &l);
	signal_list_clear(&l);
	assert_true(test_query_int(f->st, "SELECT count(*) FROM deals",
	    NULL) > 0);
	assert_int_equal(sqlite3_memory_used(), 0);
	assert_int_equal(sqlite3_memory_highwater(0), 0);
}

static void
test_store_deal_ids_stable(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	long long deal0, trans0, deal1;
	char *before, *after;

	add_sig(&l, SIG_APPOINTMENT, "acme.nl", "anna", T0, DIR_NONE,
	    "cal/1.ics", "a", NULL);
	add_sig(&l, SIG_OFFER_SENT, "acme.nl", "anna", T0 + DAY, DIR_OUTBOUND,
	    "Sent/1/1", "<o@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), 2);
	project(f, &touched);
	signal_list_clear(&l);
	deal0 = test_query_int(f->st, "SELECT id FROM deals WHERE seq = 0", NULL);
	trans0 = test_query_int(f->st, "SELECT min(id) FROM transitions", NULL);
	assert_true(deal0 > 0);

	/* Projecting an unchanged account rewrites nothing. */
	before = dump_all(f->st, true);
	strlist_add(&touched, "acme.nl");
	project(f, &touched);
	after = dump_all(f->st, true);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* An older signal arriving late changes the deal, not its id. */
	add_sig(&l, SIG_CALL, "acme.nl", "bram", T0 - DAY, DIR_NONE,
	    "cal/0.ics", "c", NULL);
	add_sig(&l, SIG_ORDER_CONFIRMED, "acme.nl", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "<w@x>", NULL);
	add_sig(&l, SIG_APPOINTMENT, "acme.nl", "anna", T0 + 20 * DAY,
	    DIR_NONE, "cal/2.ics", "b", NULL);
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), 3);
	project(f, &touched);
	signal_list_clear(&l);
	assert_int_equal(test_query_int(f->st, "SELECT id FROM deals WHERE seq = 0",
	    NULL), deal0);
	assert_int_equal(test_query_int(f->st, "SELECT min(id) FROM transitions",
	    NULL), trans0);
	before = query_text(f->st, "SELECT salesperson || ' ' || outcome "
	    "FROM deals WHERE seq = 0", NULL);
	assert_string_equal(before, "bram won");
	free(before);
	deal1 = test_query_int(f->st, "SELECT id FROM deals WHERE seq = 1", NULL);
	assert_true(deal1 > deal0);

	/* The growth deal goes away with its signal; the first stays. */
	assert_int_equal(store_remove_item(f->st, "caldav:anna", "cal/2.ics",
	    &touched, &err), 0);
	project(f, &touched);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals", NULL),
	    1);
	assert_int_equal(test_query_int(f->st, "SELECT id FROM deals WHERE seq = 0",
	    NULL), deal0);
}

static void
test_store_retention(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	char *v;

	add_sig(&l, SIG_APPOINTMENT, "acme.nl", "anna", T0, DIR_NONE,
	    "cal/1.ics", "old", NULL);
	add_sig(&l, SIG_OFFER_SENT, "acme.nl", "anna", T0 + 10 * DAY,
	    DIR_OUTBOUND, "Sent/1/1", "<new@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), 2);
	project(f, &touched);
	signal_list_clear(&l);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM transitions",
	    NULL), 2);

	assert_int_equal(store_retention(f->st, T0 + 5 * DAY, &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM transitions",
	    NULL), 2);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals WHERE "
	    "subject IS NULL AND ref = 'expired:' || id AND occurred_at < ?1",
	    "1780432000"), 1);
	v = query_text(f->st, "SELECT subject FROM signals WHERE ref = ?1",
	    "offer_sent:acme.nl:<new@x>");
	assert_string_equal(v, "subject of <new@x>");
	free(v);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM transitions "
	    "WHERE ref IS NULL", NULL), 1);
	v = query_text(f->st, "SELECT ref FROM transitions WHERE ref IS NOT "
	    "NULL", NULL);
	assert_string_equal(v, "<new@x>");
	free(v);
	/* Twice is the same as once. */
	assert_int_equal(store_retention(f->st, T0 + 5 * DAY, &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals WHERE "
	    "ref LIKE 'expired:%'", NULL), 1);
}

static void
test_store_salespeople(void **state)
{
	struct fixture *f = *state;
	struct salesperson p[2] = {
		{ .key = "anna", .name = "Anna de Vries",
		    .manager = "piet@brightline.nl" },
		{ .key = "bram", .name = "Bram Jansen" },
	};
	struct config cfg = f->cfg;
	struct err err;
	char *v;

	cfg.people = p;
	cfg.npeople = 2;
	assert_int_equal(store_sync_salespeople(f->st, &cfg, &err), 0);
	p[1].name = "Bram J.";
	assert_int_equal(store_sync_salespeople(f->st, &cfg, &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM salespeople",
	    NULL), 2);
	v = query_text(f->st, "SELECT name FROM salespeople WHERE key = ?1",
	    "bram");
	assert_string_equal(v, "Bram J.");
	free(v);
}

/* What the query tests collect from the store's walks. */
struct walked {
	struct buf	 out;
	int		 deals;
	int		 stop_after;	/* >0: stop the walk there, returning 7 */
	struct store	*st;
	struct err	 inner;
	int		 inner_rc;
};

static int
walk_deal_state(const struct store_deal_state *d, void *arg)
{
	struct walked *w = arg;

	w->deals++;
	buf_printf(&w->out, "deal %s %s %s;", d->salesperson, d->phase,
	    outcome_name(d->outcome));
	return 0;
}

static int
walk_entry(const struct store_entry *e, void *arg)
{
	struct walked *w = arg;

	buf_printf(&w->out, "%lld>%s@%lld,%lld,%s,%lld;", (long long)e->deal,
	    e->phase, (long long)(e->at - T0) / DAY,
	    e->left != 0 ? (long long)(e->left - T0) / DAY : -1,
	    outcome_name(e->outcome),
	    e->closed != 0 ? (long long)(e->closed - T0) / DAY : -1);
	return 0;
}

/* The same walk from SQL, in the order store_entries gives no promise of. */
#define DUMP_ENTRIES "SELECT t.deal_id || '>' || t.to_phase || '@' || " \
	"((t.at - 1780000000) / 86400) || ',' || COALESCE((t.left_at - " \
	"1780000000) / 86400, -1) || ',' || d.outcome || ',' || " \
	"COALESCE((d.closed - 1780000000) / 86400, -1) || ';' " \
	"FROM transitions t JOIN deals d ON d.id = t.deal_id " \
	"WHERE d.salesperson = 'anna' ORDER BY t.id"

/* Sorts the ';'-ended items of s (lines or not), so that walks compare as sets. */
static char *
sorted_items(const char *s)
{
	struct strlist l = { 0 };
	struct buf b = { 0 };
	const char *p = s, *e;
	size_t i, j;
	char *t;

	while ((e = strchr(p, ';')) != NULL) {
		p += strspn(p, "\n");		/* test_dump's line ends */
		strlist_take(&l, xstrndup(p, (size_t)(e - p)));
		p = e + 1;
	}
	for (i = 1; i < l.n; i++)
		for (j = i; j > 0 && strcmp(l.v[j - 1], l.v[j]) > 0; j--) {
			t = l.v[j];
			l.v[j] = l.v[j - 1];
			l.v[j - 1] = t;
		}
	buf_puts(&b, "");
	for (i = 0; i < l.n; i++)
		buf_printf(&b, "%s;", l.v[i]);
	strlist_clear(&l);
	return b.data;
}

/*
 * store_entries joins every entry to its deal in memory: each entry of
 * the salesperson's deals comes with its deal's outcome and close, also
 * when transitions are not in the order of their deals (a deal that moved
 * on after another deal began), and no other salesperson's.
 */
static void
test_store_query_entries(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 }, anna = { 0 };
	struct walked w = { 0 };
	struct err err;
	char *got, *want, *sql;

	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", T0, DIR_NONE,
	    "INBOX/1/1", "<1@x>", NULL);
	add_sig(&sigs, SIG_OFFER_SENT, "acme.nl", "anna", T0 + DAY,
	    DIR_OUTBOUND, "INBOX/1/2", "<2@x>", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "globex.com", "bram", T0 + DAY,
	    DIR_NONE, "INBOX/1/3", "<3@x>", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "initech.io", "anna", T0 + 2 * DAY,
	    DIR_NONE, "INBOX/1/4", "<4@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 4);
	project(f, &touched);
	signal_list_clear(&sigs);
	/* acme.nl moves on and is won after the others' deals exist. */
	add_sig(&sigs, SIG_ORDER_CONFIRMED, "acme.nl", "anna", T0 + 5 * DAY,
	    DIR_INBOUND, "INBOX/1/5", "<5@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 1);
	project(f, &touched);
	signal_list_clear(&sigs);
	assert_true(test_query_int(f->st, "SELECT count(*) FROM transitions t "
	    "WHERE EXISTS (SELECT 1 FROM transitions u WHERE u.id < t.id "
	    "AND u.deal_id > t.deal_id)", NULL) > 0);

	strlist_add(&anna, "anna");
	assert_int_equal(store_entries(f->st, &anna, 0, 0, walk_deal_state,
	    walk_entry, &w, &err), 0);
	assert_int_equal(w.deals, 2);
	assert_non_null(strstr(w.out.data, "deal anna "));
	assert_null(strstr(w.out.data, "bram"));
	sql = test_dump(f->st, DUMP_ENTRIES);
	want = sorted_items(sql);
	free(sql);
	buf_reset(&w.out);
	assert_int_equal(store_entries(f->st, &anna, 0, 0, NULL, walk_entry,
	    &w, &err), 0);
	got = sorted_items(w.out.data);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, ",won,5;"));
	free(got);
	free(want);

	/* A range keeps the entries at a time in it. */
	buf_reset(&w.out);
	assert_int_equal(store_entries(f->st, &anna, T0 + 3 * DAY, 0, NULL,
	    walk_entry, &w, &err), 0);
	got = sorted_items(w.out.data);
	assert_int_equal(strchr(got, ';') - got + 1, (long)strlen(got));
	assert_non_null(strstr(got, "@5,"));
	free(got);

	/*
	 * The company's entries of a window, their deals read from the
	 * indexes: as the join gives them, also for a deal closed before
	 * one of its entries (which the projection never writes).
	 */
	assert_int_equal(sqlite3_exec(f->st->db, "UPDATE deals SET outcome ="
	    " 'lost', closed = 1780000000 WHERE account = 'globex.com'", NULL,
	    NULL, NULL), SQLITE_OK);
	buf_reset(&w.out);
	assert_int_equal(store_entries(f->st, NULL, T0 + DAY, T0 + 6 * DAY,
	    NULL, walk_entry, &w, &err), 0);
	got = sorted_items(w.out.data);
	sql = test_dump(f->st, "SELECT t.deal_id || '>' || t.to_phase || '@'"
	    " || ((t.at - 1780000000) / 86400) || ',' || COALESCE((t.left_at"
	    " - 1780000000) / 86400, -1) || ',' || d.outcome || ',' ||"
	    " COALESCE((d.closed - 1780000000) / 86400, -1) || ';' FROM"
	    " transitions t JOIN deals d ON d.id = t.deal_id WHERE t.at >="
	    " 1780086400 AND t.at < 1780518400");
	want = sorted_items(sql);
	free(sql);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, ",lost,0;"));
	assert_non_null(strstr(got, ",won,5;"));
	free(got);
	free(want);
	buf_free(&w.out);
	strlist_clear(&anna);
}

static int
walk_signal(const struct store_signal *g, void *arg)
{
	struct walked *w = arg;

	buf_printf(&w->out, "%s %lld;", g->subject,
	    (long long)(g->at - T0) / DAY);
	return 0;
}

/*
 * An account's signals are its own and those its name claims, in time
 * order; the latest of them is the last one up to a time.
 */
/* The links of key as "ADDRESS>ACCOUNT:HOW;" */
static int
walk_link(const char *address, const char *account, const char *how,
    time_t at, void *arg)
{
	(void)at;
	buf_printf(arg, "%s>%s:%s;", address, account, how);
	return 0;
}

/*
 * Links learnt from one item: a free-mail address with exactly one
 * company; with two companies nothing is learnt; a learnt link never
 * replaces another, one made by hand does.
 */
static void
test_store_links(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct buf b = { 0 };
	struct err err;

	/* One meeting with jan (gmail) and acme; one mail to piet and two companies. */
	add_sig(&sigs, SIG_APPOINTMENT, "jan@gmail.com", "anna", T0, DIR_NONE,
	    "cal/1.ics", "u1", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", T0, DIR_NONE,
	    "cal/1.ics", "u1", NULL);
	add_sig(&sigs, SIG_CONTACT, "piet@gmail.com", "anna", T0, DIR_OUTBOUND,
	    "Sent/1/1", "<m1>", NULL);
	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", T0, DIR_OUTBOUND,
	    "Sent/1/1", "<m1>", NULL);
	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0, DIR_OUTBOUND,
	    "Sent/1/1", "<m1>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 5);
	assert_int_equal(links_learn(f->st, &sigs, T0, &touched, &err), 0);
	assert_true(strlist_contains(&touched, "jan@gmail.com"));
	assert_int_equal(links_list(f->st, "acme.nl", walk_link, &b, &err), 0);
	assert_string_equal(b.data, "jan@gmail.com>acme.nl:meeting;");
	buf_reset(&b);
	assert_int_equal(links_list(f->st, "piet@gmail.com", walk_link, &b,
	    &err), 0);
	assert_null(b.data != NULL && b.len > 0 ? b.data : NULL);
	signal_list_clear(&sigs);

	/* A later mail of jan with globex: the learnt link stays. */
	add_sig(&sigs, SIG_CONTACT, "jan@gmail.com", "anna", T0, DIR_OUTBOUND,
	    "Sent/1/2", "<m2>", NULL);
	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0, DIR_OUTBOUND,
	    "Sent/1/2", "<m2>", NULL);
	assert_int_equal(links_learn(f->st, &sigs, T0, &touched, &err), 0);
	assert_int_equal(links_list(f->st, "jan@gmail.com", walk_link, &b,
	    &err), 0);
	assert_string_equal(b.data, "jan@gmail.com>acme.nl:meeting;");
	buf_reset(&b);
	signal_list_clear(&sigs);

	/* By hand it moves; only free-mail addresses, only to companies. */
	assert_int_equal(links_add(f->st, "jan@gmail.com", "globex.com",
	    "manual", T0, &touched, &err), 1);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "globex.com",
	    "manual", T0, &touched, &err), 0);
	assert_int_equal(links_add(f->st, "acme.nl", "globex.com", "manual",
	    T0, &touched, &err), -1);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "piet@gmail.com",
	    "manual", T0, &touched, &err), -1);
	assert_int_equal(links_list(f->st, "jan@gmail.com", walk_link, &b,
	    &err), 0);
	assert_string_equal(b.data, "jan@gmail.com>globex.com:manual;");
	buf_reset(&b);
	assert_int_equal(links_remove(f->st, "jan@gmail.com", &touched, &err),
	    1);
	assert_int_equal(links_remove(f->st, "jan@gmail.com", &touched, &err),
	    0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM "
	    "account_links", NULL), 0);
	buf_free(&b);
	strlist_clear(&touched);
}

static void
test_store_query_signals(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct store_filter sf = { NULL, "globex.com", 0, 0 };
	struct walked w = { 0 };
	struct err err;

	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0 + 3 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0 + DAY, DIR_NONE,
	    "cal/1.ics", "e1", "Bezoek Globex");
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0 + 5 * DAY, DIR_NONE,
	    "cal/2.ics", "e2", "Demo Globex");
	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "m2", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 4);
	signal_list_clear(&sigs);
	strlist_clear(&touched);

	assert_int_equal(store_signals(f->st, &sf, walk_signal, &w, &err), 0);
	assert_string_equal(w.out.data, "subject of e1 1;subject of m1 3;"
	    "subject of e2 5;");
	buf_reset(&w.out);
	sf.since = T0 + 2 * DAY;
	sf.until = T0 + 5 * DAY;
	assert_int_equal(store_signals(f->st, &sf, walk_signal, &w, &err), 0);
	assert_string_equal(w.out.data, "subject of m1 3;");
	buf_reset(&w.out);
	assert_int_equal(store_latest_signal(f->st, test_query_int(f->st,
	    "SELECT id FROM accounts WHERE key = ?1", "globex.com"), T0,
	    T0 + 4 * DAY, walk_signal, &w, &err), 0);
	assert_string_equal(w.out.data, "subject of m1 3;");
	buf_free(&w.out);
}

/* Records the kind of signal that moved each open deal into its phase. */
static int
walk_entry_kind(const struct store_open_deal *d, void *arg)
{
	struct walked *w = arg;
	char kind[32];

	if (store_entry_kind(w->st, d->deal.id, d->phase_since, d->deal.phase,
	    kind, sizeof kind, &w->inner) != 0)
		return -1;
	buf_printf(&w->out, "%s:%s;", d->deal.account, kind);
	/* Another time, or another phase, was not an entry. */
	if (store_entry_kind(w->st, d->deal.id, d->phase_since + 1,
	    d->deal.phase, kind, sizeof kind, &w->inner) != 0 ||
	    kind[0] != '\0' || store_entry_kind(w->st, d->deal.id,
	    d->phase_since, "nonesuch", kind, sizeof kind, &w->inner) != 0 ||
	    kind[0] != '\0')
		return -1;
	return 0;
}

/*
 * By the account's row id, an account's signals are the same as by its
 * key: its own, those its name claims, those of an address linked to
 * it, in time order (then row id), in a half-open range; and the kind
 * of an entry is that of the signal that made it.
 */
static void
test_store_account_signals(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct store_filter sf = { NULL, "globex.com", 0, 0 };
	struct walked w = { 0 }, k = { 0 };
	struct err err;
	long long id;

	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0 + 3 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "bram", T0 + DAY, DIR_NONE,
	    "cal/1.ics", "e1", "Bezoek Globex");
	add_sig(&sigs, SIG_CONTACT, "jan@gmail.com", "anna", T0 + 3 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "m2", NULL);
	add_sig(&sigs, SIG_CONTACT, "jan@gmail.com", "anna", T0 + 4 * DAY,
	    DIR_OUTBOUND, "Sent/1/1", "m3", NULL);
	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/3", "m4", NULL);
	add_sig(&sigs, SIG_VERBAL_ORDER, "acme.nl", "anna", T0 + 5 * DAY,
	    DIR_INBOUND, "INBOX/1/4", "m5", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 6);
	signal_list_clear(&sigs);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "globex.com",
	    "manual", T0, &touched, &err), 1);
	project(f, &touched);
	id = test_query_int(f->st, "SELECT id FROM accounts WHERE key = ?1",
	    "globex.com");

	assert_int_equal(store_signals(f->st, &sf, walk_signal, &w, &err), 0);
	assert_string_equal(w.out.data, "subject of e1 1;subject of m1 3;"
	    "subject of m2 3;subject of m3 4;");
	buf_reset(&w.out);
	assert_int_equal(store_account_signals(f->st, id, 0, 0, walk_signal,
	    &w, &err), 0);
	assert_string_equal(w.out.data, "subject of e1 1;subject of m1 3;"
	    "subject of m2 3;subject of m3 4;");
	buf_reset(&w.out);
	assert_int_equal(store_account_signals(f->st, id, T0 + 2 * DAY,
	    T0 + 4 * DAY, walk_signal, &w, &err), 0);
	assert_string_equal(w.out.data, "subject of m1 3;subject of m2 3;");
	buf_free(&w.out);

	k.st = f->st;
	assert_int_equal(store_open_deals(f->st, walk_entry_kind, &k, &err), 0);
	assert_string_equal(k.out.data, "globex.com:appointment;"
	    "acme.nl:verbal_order;");
	buf_free(&k.out);
}

/* Writes a won deal's signal as "DEAL:SUBJECT DAY;". */
static int
walk_deal_signal(int64_t deal, const struct store_signal *g, void *arg)
{
	struct walked *w = arg;

	buf_printf(&w->out, "%lld:%s/%s %lld;", (long long)deal, g->kind,
	    g->value != NULL ? g->value : "-", (long long)(g->at - T0) / DAY);
	return 0;
}

/*
 * Writes an open deal's kept activity as "DEAL:LATEST/ACT/TARGET/
 * SNOOZED/DECISION/ENTERED;" (days since T0; "-" when none is kept).
 */
static int
walk_activity(const struct store_open_deal *od, void *arg)
{
	const struct activity *a = &od->act;
	struct walked *w = arg;

	if (!od->kept) {
		buf_printf(&w->out, "%lld:-;", (long long)od->deal.id);
		return 0;
	}
	buf_printf(&w->out, "%lld:%lld/%lld/%d/%lld/%s/%s;",
	    (long long)od->deal.id, (long long)(a->latest_at - T0) / DAY,
	    (long long)(a->last_act - T0) / DAY, a->only_target,
	    a->snoozed == 0 ? -1LL : (long long)(a->snoozed - T0) / DAY,
	    a->decision[0] != '\0' ? a->decision : "-",
	    a->entered_by >= 0 ? signal_kind_name(a->entered_by) : "-");
	return 0;
}

/* The open deals of person (NULL: all) through walk_activity. */
static int
open_activity(struct fixture *f, const char *person, struct walked *w,
    struct err *err)
{
	return person != NULL ?
	    store_open_deals_of(f->st, person, walk_activity, w, err) :
	    store_open_deals(f->st, walk_activity, w, err);
}

/* Writes a deal's time as "DEAL:DAY;". */
static int
walk_deal_time(int64_t deal, time_t at, void *arg)
{
	struct walked *w = arg;

	buf_printf(&w->out, "%lld:%lld;", (long long)deal,
	    (long long)(at - T0) / DAY);
	return 0;
}

/* Writes an entry as "DEAL:PHASE DAY;". */
static int
walk_deal_entry(const struct store_entry *e, void *arg)
{
	struct walked *w = arg;

	buf_printf(&w->out, "%lld:%s %lld;", (long long)e->deal, e->phase,
	    (long long)(e->at - T0) / DAY);
	return 0;
}

/* Writes a deal with its account's row id as "DEAL:ACCOUNT#ID;". */
static int
walk_won_deal(const struct store_open_deal *d, void *arg)
{
	struct walked *w = arg;

	buf_printf(&w->out, "%lld:%s#%lld;", (long long)d->deal.id,
	    d->deal.account, (long long)d->account_id);
	return 0;
}

/*
 * The won deals' signals in one pass are each deal's by store_signals
 * up to its close (its own, by name, of a linked address), by deal then
 * in time order (store_won_times); their activity (store_won_acts) the
 * same but for a #value note; their entries are store_deal_entries';
 * deals still open or won at or after the bound are not read.  The open
 * deals' signals likewise, up to a time, of a salesperson.
 */
static void
test_store_won_signals(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct store_filter sf = { NULL, "globex.com", 0, 0 };
	struct walked w = { 0 }, one = { 0 };
	struct err err;
	long long deal;
	char want[512];

	add_sig(&sigs, SIG_APPOINTMENT, NULL, "bram", T0 + DAY, DIR_NONE,
	    "cal/1.ics", "e1", "Bezoek Globex");
	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0 + 3 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_CONTACT, "jan@gmail.com", "anna", T0 + 3 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "m2", NULL);
	add_sig(&sigs, SIG_ORDER_CONFIRMED, "globex.com", "anna", T0 + 4 * DAY,
	    DIR_INBOUND, "INBOX/1/3", "m3", NULL);
	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0 + 6 * DAY,
	    DIR_INBOUND, "INBOX/1/4", "m4", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", T0 + 2 * DAY,
	    DIR_NONE, "cal/2.ics", "m5", NULL);
	add_sig(&sigs, SIG_VALUE, "globex.com", "anna", T0 + 2 * DAY,
	    DIR_NONE, "INBOX/1/5", "m6", NULL);
	sigs.v[sigs.n - 1].value = xstrdup("5000");
	/* An open deal's offer and #decision: of their text, the note's value. */
	add_sig(&sigs, SIG_OFFER_SENT, "acme.nl", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/1", "m7", NULL);
	add_sig(&sigs, SIG_DECISION, "acme.nl", "anna", T0 + 2 * DAY,
	    DIR_NONE, "INBOX/1/6", "m8", NULL);
	sigs.v[sigs.n - 1].value = xstrdup("2026-06-20");
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 9);
	signal_list_clear(&sigs);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "globex.com",
	    "manual", T0, &touched, &err), 1);
	project(f, &touched);
	deal = test_query_int(f->st, "SELECT d.id FROM deals d JOIN accounts a"
	    " ON a.id = d.account_id WHERE a.key = ?1 AND d.outcome = 'won'",
	    "globex.com");
	assert_true(deal > 0);

	assert_int_equal(store_won_deals(f->st, NOW, walk_won_deal, &w, &err),
	    0);
	snprintf(want, sizeof want, "%lld:globex.com#%lld;", deal,
	    test_query_int(f->st, "SELECT id FROM accounts WHERE key = ?1",
	    "globex.com"));
	assert_string_equal(w.out.data, want);
	buf_reset(&w.out);

	sf.until = T0 + 4 * DAY + 1;
	assert_int_equal(store_signals(f->st, &sf, walk_signal, &one, &err),
	    0);
	assert_string_equal(one.out.data, "subject of e1 1;subject of m6 2;"
	    "subject of m1 3;subject of m2 3;subject of m3 4;");
	assert_int_equal(store_won_times(f->st, NOW, walk_deal_time, &w,
	    &err), 0);
	snprintf(want, sizeof want, "%lld:1;%lld:2;%lld:3;%lld:3;%lld:4;",
	    deal, deal, deal, deal, deal);
	assert_string_equal(w.out.data, want);
	buf_reset(&w.out);
	assert_int_equal(store_won_acts(f->st, NOW, walk_deal_time, &w,
	    &err), 0);
	snprintf(want, sizeof want, "%lld:1;%lld:3;%lld:3;%lld:4;", deal, deal,
	    deal, deal);
	assert_string_equal(w.out.data, want);
	buf_reset(&w.out);

	buf_reset(&one.out);
	assert_int_equal(store_deal_entries(f->st, deal, walk_deal_entry, &one,
	    &err), 0);
	assert_int_equal(store_won_entries(f->st, NOW, walk_deal_entry, &w, &err),
	    0);
	assert_non_null(w.out.data);
	assert_string_equal(w.out.data, one.out.data);
	buf_reset(&w.out);

	/*
	 * Open deals: acme's, anna's only, as the projection kept it: its
	 * latest signal the #decision of day 2 (the appointment's day too).
	 */
	deal = test_query_int(f->st, "SELECT d.id FROM deals d JOIN accounts a"
	    " ON a.id = d.account_id WHERE a.key = ?1", "acme.nl");
	snprintf(want, sizeof want, "%lld:2/2/0/-1/2026-06-20/offer_sent;", deal);
	assert_int_equal(open_activity(f, "anna", &w, &err), 0);
	assert_string_equal(w.out.data, want);
	buf_reset(&w.out);
	assert_int_equal(open_activity(f, NULL, &w, &err), 0);
	assert_string_equal(w.out.data, want);
	buf_reset(&w.out);
	assert_int_equal(test_query_int(f->st, "SELECT latest_signal FROM deals"
	    " WHERE account = ?1", "acme.nl"), test_query_int(f->st,
	    "SELECT id FROM signals WHERE subject = 'subject of m8'", NULL));
	assert_int_equal(open_activity(f, "bram", &w, &err), 0);
	assert_true(w.out.data == NULL || w.out.len == 0);
	/* A closed deal keeps none. */
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE outcome <> 'open' AND (latest_at IS NOT NULL"
	    " OR act_at IS NOT NULL OR decision IS NOT NULL)", NULL), 0);

	/* A signal by its row id: the whole row; an unknown id, nothing. */
	assert_int_equal(store_signal_by_id(f->st, test_query_int(f->st,
	    "SELECT id FROM signals WHERE subject = 'subject of m1'", NULL),
	    walk_signal, &w, &err), 0);
	assert_string_equal(w.out.data, "subject of m1 3;");
	buf_reset(&w.out);
	assert_int_equal(store_signal_by_id(f->st, 999999, walk_signal, &w,
	    &err), 0);
	assert_true(w.out.data == NULL || w.out.len == 0);

	/* Won at day 4: a bound at its close leaves it out. */
	assert_int_equal(store_won_acts(f->st, T0 + 4 * DAY,
	    walk_deal_time, &w, &err), 0);
	assert_int_equal(store_won_entries(f->st, T0 + 4 * DAY, walk_deal_entry,
	    &w, &err), 0);
	assert_int_equal(store_won_deals(f->st, T0 + 4 * DAY, walk_won_deal,
	    &w, &err), 0);
	assert_true(w.out.data == NULL || w.out.len == 0);
	buf_free(&w.out);
	buf_free(&one.out);
}

/*
 * An open deal's activity comes from the account's own signals, the
 * unattributed ones its name claims and its linked addresses': the
 * projection keeps it from all three.  Its latest signal counts the
 * linked addresses too.
 */
static void
test_store_open_signals_sources(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct walked w = { 0 }, one = { 0 };
	struct err err;
	long long deal, account;
	char want[256];

	add_sig(&sigs, SIG_OFFER_SENT, "initech.io", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/1", "o1", NULL);
	add_sig(&sigs, SIG_CONTACT, "jan@gmail.com", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "c1", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0 + 3 * DAY, DIR_NONE,
	    "cal/1.ics", "a1", "Bezoek Initech");
	add_sig(&sigs, SIG_CONTACT, "other.nl", "bram", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "c2", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 4);
	signal_list_clear(&sigs);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "initech.io",
	    "manual", T0, &touched, &err), 1);
	project(f, &touched);
	deal = test_query_int(f->st, "SELECT d.id FROM deals d JOIN accounts a"
	    " ON a.id = d.account_id WHERE a.key = ?1", "initech.io");
	account = test_query_int(f->st, "SELECT id FROM accounts"
	    " WHERE key = ?1", "initech.io");
	assert_true(deal > 0);

	/* The name-claimed appointment of day 3 is its latest. */
	snprintf(want, sizeof want, "%lld:3/3/0/-1/-/offer_sent;", deal);
	assert_int_equal(open_activity(f, "anna", &w, &err), 0);
	assert_string_equal(w.out.data, want);
	buf_reset(&w.out);
	assert_int_equal(open_activity(f, NULL, &w, &err), 0);
	assert_non_null(strstr(w.out.data, want));
	buf_reset(&w.out);
	/* Without it, the linked address's reply of day 2. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "DELETE FROM signals"
	    " WHERE account_id IS NULL", NULL, NULL, NULL), SQLITE_OK);
	strlist_add(&touched, "initech.io");
	project(f, &touched);
	snprintf(want, sizeof want, "%lld:2/2/0/-1/-/offer_sent;", deal);
	assert_int_equal(open_activity(f, "anna", &w, &err), 0);
	assert_string_equal(w.out.data, want);
	buf_reset(&w.out);

	/* The latest up to day 2 is the linked address's reply. */
	assert_int_equal(store_latest_signal(f->st, account, T0, T0 + 2 * DAY,
	    walk_signal, &one, &err), 0);
	assert_string_equal(one.out.data, "subject of c1 2;");
	buf_free(&w.out);
	buf_free(&one.out);
}

/* Runs the walk that called it again, or stops it after some rows. */
static int
walk_again(const struct store_deal *d, void *arg)
{
	struct walked *w = arg;
	struct store_filter all = { 0 };

	(void)d;
	if (w->stop_after > 0)
		return ++w->deals == w->stop_after ? 7 : 0;
	w->inner_rc = store_deals(w->st, &all, walk_again, w, &w->inner);
	return w->inner_rc;
}

/*
 * A callback that stops a walk has its value returned; one that runs the
 * walking query again gets an error instead of cutting the walk short.
 */
static void
test_store_query_reentry(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct store_filter all = { 0 };
	struct walked w = { 0 };
	struct err err;

	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", T0, DIR_NONE,
	    "INBOX/1/1", "<1@x>", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "globex.com", "anna", T0, DIR_NONE,
	    "INBOX/1/2", "<2@x>", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "initech.io", "anna", T0, DIR_NONE,
	    "INBOX/1/3", "<3@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 3);
	project(f, &touched);
	signal_list_clear(&sigs);

	w.st = f->st;
	w.stop_after = 2;
	assert_int_equal(store_deals(f->st, &all, walk_again, &w, &err), 7);
	assert_int_equal(w.deals, 2);
	/* The walk was reset: a new one sees every deal again. */
	w.deals = 0;
	w.stop_after = 4;
	assert_int_equal(store_deals(f->st, &all, walk_again, &w, &err), 0);
	assert_int_equal(w.deals, 3);

	w.stop_after = 0;
	assert_int_equal(store_deals(f->st, &all, walk_again, &w, &err), -1);
	assert_int_equal(w.inner_rc, -1);
	assert_non_null(strstr(w.inner.msg, "again"));
}

#define HISTORY	2000	/* Counts the closes of won deals. */
static int
count_close(int64_t deal, time_t closed, void *arg)
{
	(void)deal;
	(void)closed;
	(*(int *)arg)++;
	return 0;
}

/* deals and appointments long before the window */

static int
count_progress(void *arg)
{
	(*(long *)arg)++;
	return 0;
}

/*
 * The pages the store's connection fetched (from its cache or the file)
 * since the last call: a look-up of a row costs the pages of its B-tree
 * path, a step along an index a page now and then.
 */
static long
pages_read(struct store *st)
{
	int hit = 0, miss = 0, high;

	assert_int_equal(sqlite3_db_status(store_db(st),
	    SQLITE_DBSTATUS_CACHE_HIT, &hit, &high, 1), SQLITE_OK);
	assert_int_equal(sqlite3_db_status(store_db(st),
	    SQLITE_DBSTATUS_CACHE_MISS, &miss, &high, 1), SQLITE_OK);
	return (long)hit + miss;
}

static int
count_deal(const struct store_deal *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

static int
count_state(const struct store_deal_state *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

static int
count_entry(const struct store_entry *e, void *arg)
{
	(void)e;
	(*(int *)arg) += 100;
	return 0;
}

static int
count_transition(const struct store_transition *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static int
count_open_deal(const struct store_open_deal *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

static int
count_meeting(const struct store_meeting *m, void *arg)
{
	(void)m;
	(*(int *)arg)++;
	return 0;
}

/* Counts meeting times, checking their order: by account, then start. */
struct meeting_walk {
	int		 n;
	bool		 booked;	/* asked when each was booked */
	int64_t		 account;
	time_t		 start;
};

static int
count_meeting_time(const struct store_meeting_time *m, void *arg)
{
	struct meeting_walk *w = arg;

	assert_true(m->account_id > w->account ||
	    (m->account_id == w->account && m->start >= w->start));
	assert_true(w->booked ? m->created != 0 : m->created == 0);
	w->account = m->account_id;
	w->start = m->start;
	w->n++;
	return 0;
}

static int
count_series(const char *salesperson, time_t created, void *arg)
{
	(void)salesperson;
	(void)created;
	(*(int *)arg)++;
	return 0;
}

/* Fills the store with HISTORY closed deals and appointments long ago and 3 of each in the last days. */
static void
fill_history(struct fixture *f)
{
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	char account[32], id[32];
	int i;

	for (i = 0; i < HISTORY + 3; i++) {
		bool old = i < HISTORY;

		snprintf(account, sizeof account, "%s%d.nl", old ? "old" : "new",
		    i);
		snprintf(id, sizeof id, "<%d@x>", i);
		add_sig(&sigs, SIG_APPOINTMENT, account, "anna", old ?
		    T0 - 400 * DAY + i * 60 : NOW - 5 * DAY + i, DIR_NONE,
		    "INBOX/1/1", id, NULL);
		snprintf(id, sizeof id, "uid-%d", i);
		add_appt(&appts, "cal/1.ics", id, account, NULL, old ?
		    T0 - 300 * DAY + i * 60 : NOW - 3 * DAY);
	}
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY + 3);
	project(f, &touched);
	assert_true(store_replace_item(f->st, "caldav:anna", "cal/1.ics", NULL,
	    &appts, NULL, &err) >= 0);
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);
}

/*
 * The facts of the deals open at a time come in one pass from all three
 * sources (the account's own, one its name claims, a linked address's),
 * without the deal's other signals or those after the time; one
 * salesperson's alone when asked; and from the index of the facts, not
 * by stepping over the deal's other signals (SQLite steps bounded with
 * 600 contacts in the deal).  Their entries come by deal too.
 */
static void
test_store_facts_at(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct walked w = { 0 };
	struct err err;
	long long deal, other;
	char want[256], item[32], id[32];
	long steps, whole;
	int i;

	add_sig(&sigs, SIG_OFFER_SENT, "initech.io", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/1", "o1", NULL);
	add_sig(&sigs, SIG_DECISION, "initech.io", "anna", T0 + 2 * DAY,
	    DIR_OUTBOUND, "Sent/1/2", "f1", NULL);
	add_sig(&sigs, SIG_NEED, "jan@gmail.com", "anna", T0 + 3 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "f2", NULL);
	add_sig(&sigs, SIG_PROBLEM, NULL, "anna", T0 + 4 * DAY, DIR_NONE,
	    "cal/1.ics", "f3", "Bezoek Initech");
	add_sig(&sigs, SIG_COMPETITOR, "initech.io", "anna", T0 + 9 * DAY,
	    DIR_OUTBOUND, "Sent/1/3", "f4", NULL);
	add_sig(&sigs, SIG_OFFER_SENT, "other.nl", "bram", T0 + DAY,
	    DIR_OUTBOUND, "Sent/2/1", "o2", NULL);
	add_sig(&sigs, SIG_NEED, "other.nl", "bram", T0 + 2 * DAY,
	    DIR_OUTBOUND, "Sent/2/2", "f5", NULL);
	for (i = 0; i < 600; i++) {
		snprintf(item, sizeof item, "INBOX/3/%d", i);
		snprintf(id, sizeof id, "c%d", i);
		add_sig(&sigs, SIG_CONTACT, "initech.io", "anna",
		    T0 + 2 * DAY + i, DIR_INBOUND, item, id, NULL);
	}
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 607);
	signal_list_clear(&sigs);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "initech.io",
	    "manual", T0, &touched, &err), 1);
	project(f, &touched);
	deal = test_query_int(f->st, "SELECT d.id FROM deals d JOIN accounts a"
	    " ON a.id = d.account_id WHERE a.key = ?1", "initech.io");
	other = test_query_int(f->st, "SELECT d.id FROM deals d JOIN accounts a"
	    " ON a.id = d.account_id WHERE a.key = ?1", "other.nl");
	assert_true(deal > 0 && other > 0);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress, &steps);
	steps = 0;
	snprintf(want, sizeof want, "%lld:decision/- 2;%lld:need/- 3;"
	    "%lld:problem/- 4;", deal, deal, deal);
	assert_int_equal(store_facts_at(f->st, "anna", T0 + 5 * DAY,
	    walk_deal_signal, &w, &err), 0);
	assert_string_equal(w.out.data, want);
	assert_true(steps < 2);
	buf_reset(&w.out);
	/* Reading each signal of the deal costs more than that. */
	whole = 0;
	sqlite3_progress_handler(store_db(f->st), 1000, count_progress, &whole);
	assert_int_equal(store_account_signals(f->st, test_query_int(f->st,
	    "SELECT id FROM accounts WHERE key = ?1", "initech.io"), 0, 0,
	    walk_signal, &w, &err), 0);
	assert_true(whole > 2);
	sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	buf_reset(&w.out);

	snprintf(want, sizeof want, "%lld:decision/- 2;%lld:need/- 3;"
	    "%lld:problem/- 4;%lld:competitor/- 9;", deal, deal, deal, deal);
	assert_int_equal(store_facts_at(f->st, NULL, T0 + 10 * DAY,
	    walk_deal_signal, &w, &err), 0);
	assert_non_null(strstr(w.out.data, want));
	snprintf(want, sizeof want, "%lld:need/- 2;", other);
	assert_non_null(strstr(w.out.data, want));
	buf_reset(&w.out);
	/* Before the deals opened, none was open. */
	assert_int_equal(store_facts_at(f->st, NULL, T0, walk_deal_signal, &w,
	    &err), 0);
	assert_true(w.out.len == 0);

	snprintf(want, sizeof want, "%lld>offer@1,", deal);
	assert_int_equal(store_entries_at(f->st, "anna", T0 + 5 * DAY,
	    walk_entry, &w, &err), 0);
	assert_true(strncmp(w.out.data, want, strlen(want)) == 0);
	/* bram's deal is not anna's. */
	snprintf(want, sizeof want, ";%lld>", other);
	assert_null(strstr(w.out.data, want));
	assert_true(strncmp(w.out.data, want + 1, strlen(want + 1)) != 0);
	buf_free(&w.out);
}

/* Writes a lost deal as "ACCOUNT:REASON;". */
static int
walk_lost(const struct store_lost *l, void *arg)
{
	struct walked *w = arg;

	buf_printf(&w->out, "%s:%s;", l->deal.account,
	    l->reason != NULL ? l->reason : "-");
	return 0;
}

/*
 * A lost deal's reason comes from the lost signal that closed it,
 * whichever source it came from (the account's own, a linked address's,
 * one its name claims), read from signals_lost; a lost signal without a
 * reason gives none.
 */
static void
test_store_lost_sources(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct walked w = { 0 };
	struct err err;

	add_sig(&sigs, SIG_OFFER_SENT, "acme.nl", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/1", "o1", NULL);
	add_sig(&sigs, SIG_LOST, "acme.nl", "anna", T0 + 2 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "l1", NULL);
	sigs.v[sigs.n - 1].value = xstrdup("price");
	add_sig(&sigs, SIG_OFFER_SENT, "initech.io", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/2", "o2", NULL);
	add_sig(&sigs, SIG_LOST, "jan@gmail.com", "anna", T0 + 3 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "l2", NULL);
	sigs.v[sigs.n - 1].value = xstrdup("timing");
	add_sig(&sigs, SIG_OFFER_SENT, "globex.com", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/3", "o3", NULL);
	add_sig(&sigs, SIG_LOST, NULL, "anna", T0 + 4 * DAY, DIR_NONE,
	    "cal/1.ics", "l3", "Afscheid Globex");
	sigs.v[sigs.n - 1].value = xstrdup("budget");
	add_sig(&sigs, SIG_OFFER_SENT, "hooli.com", "anna", T0 + DAY,
	    DIR_OUTBOUND, "Sent/1/4", "o4", NULL);
	add_sig(&sigs, SIG_LOST, "hooli.com", "anna", T0 + 5 * DAY,
	    DIR_INBOUND, "INBOX/1/4", "l4", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 8);
	signal_list_clear(&sigs);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "initech.io",
	    "manual", T0, &touched, &err), 1);
	project(f, &touched);

	assert_int_equal(store_lost_deals(f->st, 0, 0, walk_lost, &w, &err), 0);
	assert_string_equal(w.out.data, "acme.nl:price;initech.io:timing;"
	    "globex.com:budget;hooli.com:-;");
	buf_reset(&w.out);
	assert_int_equal(store_lost_deals(f->st, T0 + 3 * DAY, T0 + 5 * DAY,
	    walk_lost, &w, &err), 0);
	assert_string_equal(w.out.data, "initech.io:timing;globex.com:budget;");
	buf_free(&w.out);
}

/*
 * A query with a window follows the window, not the history: its SQLite
 * steps (in thousands of VM instructions) stay small however many deals,
 * transitions and appointments lie before it, where each of these read
 * every deal or appointment once (the whole history is read below, for
 * scale); so do a salesperson's open deals and their meetings of some
 * days.  No time is measured.
 */
static void
test_store_query_window_bounded(void **state)
{
	struct fixture *f = *state;
	struct store_filter win = { NULL, NULL, NOW - 10 * DAY, NOW };
	struct store_filter all = { 0 };
	struct store_filter anna = { "anna", NULL, 0, 0 };
	sqlite3 *db;
	struct err err;
	char key[32];
	time_t next;
	long steps, whole;
	struct meeting_walk mw = { 0 };
	int n;

	fill_history(f);
	db = store_db(f->st);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE outcome = 'open'", NULL), 3);
	sqlite3_progress_handler(db, 1000, count_progress, &steps);

	steps = n = 0;
	assert_int_equal(store_deals(f->st, &win, count_deal, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(steps < 5);
	whole = n = 0;
	sqlite3_progress_handler(db, 1000, count_progress, &whole);
	assert_int_equal(store_deals(f->st, &all, count_deal, &n, &err), 0);
	assert_int_equal(n, HISTORY + 3);
	assert_true(whole > 20);
	sqlite3_progress_handler(db, 1000, count_progress, &steps);

	steps = n = 0;
	assert_int_equal(store_closed_deals(f->st, win.since, win.until,
	    count_deal, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_true(steps < 5);

	steps = n = 0;
	assert_int_equal(store_open_deal_states(f->st, NULL, count_state, &n,
	    &err), 0);
	assert_int_equal(n, 3);
	assert_true(steps < 5);

	/* A salesperson's open deals: not every deal they had. */
	steps = n = 0;
	assert_int_equal(store_open_deals_of(f->st, "anna", count_open_deal,
	    &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(steps < 5);
	whole = n = 0;
	sqlite3_progress_handler(db, 1000, count_progress, &whole);
	assert_int_equal(store_deals(f->st, &anna, count_deal, &n, &err), 0);
	assert_int_equal(n, HISTORY + 3);
	assert_true(whole > 20);
	sqlite3_progress_handler(db, 1000, count_progress, &steps);

	/* Their meetings of some days (add_appt's): those days' alone. */
	steps = n = 0;
	assert_int_equal(store_meetings_of(f->st, "anna", "2026-06-20",
	    "2026-06-29", count_meeting, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(steps < 5);
	whole = 0;
	sqlite3_progress_handler(db, 1000, count_progress, &whole);
	assert_int_equal(store_meeting_times(f->st, false, count_meeting_time,
	    &mw, &err), 0);
	assert_int_equal(mw.n, HISTORY + 3);
	assert_true(whole > 10);
	memset(&mw, 0, sizeof mw);
	mw.booked = true;
	assert_int_equal(store_meeting_times(f->st, true, count_meeting_time,
	    &mw, &err), 0);
	assert_int_equal(mw.n, HISTORY + 3);
	sqlite3_progress_handler(db, 1000, count_progress, &steps);

	/* The funnel of a window: its deals and its entries. */
	steps = n = 0;
	assert_int_equal(store_entries(f->st, NULL, win.since, win.until,
	    count_state, count_entry, &n, &err), 0);
	assert_int_equal(n, 3 * 100 + 3);
	assert_true(steps < 5);

	steps = n = 0;
	assert_int_equal(store_transitions(f->st, &win, count_transition, &n,
	    &err), 0);
	assert_int_equal(n, 3);
	assert_true(steps < 5);

	/* Appointments made in the window: created a day before NOW - 3. */
	steps = n = 0;
	assert_int_equal(store_appointment_series(f->st, NULL, win.since,
	    win.until, count_series, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(steps < 5);
	whole = n = 0;
	sqlite3_progress_handler(db, 1000, count_progress, &whole);
	assert_int_equal(store_appointment_series(f->st, NULL, 0, 0,
	    count_series, &n, &err), 0);
	assert_int_equal(n, HISTORY + 3);
	assert_true(whole >= 8);	/* one row of series_first per series */

	/* An account's next meeting: from its own appointments alone. */
	sqlite3_progress_handler(db, 1000, count_progress, &steps);
	steps = 0;
	snprintf(key, sizeof key, "new%d.nl", HISTORY + 1);
	assert_int_equal(store_next_meeting(f->st, key, NOW - 4 * DAY, &next,
	    &err), 0);
	assert_int_equal(next, NOW - 3 * DAY);
	assert_int_equal(store_next_meeting(f->st, key, NOW, &next, &err), 0);
	assert_int_equal(next, 0);
	assert_int_equal(store_next_meeting(f->st, "old5.nl", T0 - 400 * DAY,
	    &next, &err), 0);
	assert_int_equal(next, T0 - 300 * DAY + 5 * 60);
	assert_int_equal(store_next_meeting(f->st, "nosuch.nl", 0, &next,
	    &err), 0);
	assert_int_equal(next, 0);
	assert_true(steps < 5);
	sqlite3_progress_handler(db, 0, NULL, NULL);
}

/* Orders doubles, for the median's reference. */
static int
cmp_days(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The funnel's median by selection equals the middle of the sorted
 * values, with runs of equal values, sorted and reversed input, odd and
 * even counts.
 */
static void
test_report_median_select(void **state)
{
	double v[257], sorted[257], want;
	size_t n, i;
	unsigned seed = 7;
	int shape;

	(void)state;
	assert_true(isnan(report_median(v, 0)));
	for (shape = 0; shape < 4; shape++) {
		for (n = 1; n <= 257; n += (n < 20 ? 1 : 17)) {
			for (i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				v[i] = shape == 0 ? (double)(seed % 1000) :
				    shape == 1 ? (double)(seed % 3) :
				    shape == 2 ? (double)i : (double)(n - i);
			}
			memcpy(sorted, v, n * sizeof *v);
			qsort(sorted, n, sizeof *sorted, cmp_days);
			want = n % 2 == 1 ? sorted[n / 2] :
			    (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
			assert_true(report_median(v, n) == want);
		}
	}
}

/* Counts a signal that may carry an amount. */
static int
count_offer(const struct store_offer *o, void *arg)
{
	(void)o;
	(*(int *)arg)++;
	return 0;
}

/*
 * The funnel of a window (report_funnel and the two reads of its money
 * that cmd-funnel.c makes) follows the window: its SQLite steps (in
 * thousands of VM instructions) stay small however many deals, entries
 * and unattributed signals lie before it.  main read every unattributed
 * signal to value the open deals.  The whole history is read below, for
 * scale.  No time is measured.
 */
static void
test_store_funnel_window_bounded(void **state)
{
	struct fixture *f = *state;
	struct report_filter win = { &f->cfg, NOW - 10 * DAY, NOW, NULL,
	    NULL };
	struct report_filter all = { &f->cfg, 0, 0, NULL, NULL };
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct funnel fu;
	struct err err;
	char item[32], id[32], *phase;
	long steps = 0, whole = 0;
	size_t p;
	int i, n;

	fill_history(f);
	/* Evidence attributed to nobody, long ago; an offer in the window. */
	for (i = 0; i < HISTORY; i++) {
		snprintf(item, sizeof item, "cal/n%d.ics", i);
		snprintf(id, sizeof id, "n%d", i);
		add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0 - 200 * DAY +
		    i, DIR_NONE, item, id, "Lunch");
	}
	snprintf(item, sizeof item, "new%d.nl", HISTORY + 1);
	add_sig(&sigs, SIG_OFFER_SENT, item, "anna", NOW - 2 * DAY,
	    DIR_OUTBOUND, "Sent/1/1", "o1 \xe2\x82\xac 1.500", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY + 1);
	signal_list_clear(&sigs);
	strlist_clear(&touched);
	/* The phase the appointments opened their deals in. */
	phase = query_text(f->st, "SELECT to_phase FROM transitions"
	    " ORDER BY at DESC LIMIT 1", NULL);
	p = (size_t)config_phase_index(&f->cfg, phase);
	free(phase);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress,
	    &steps);
	assert_int_equal(report_funnel(f->st, &win, NOW, &fu, &err), 0);
	n = 0;
	assert_int_equal(store_deal_offers(f->st, NULL, false, NOW, 0, 3,
	    count_offer, &n, &err), 0);
	assert_int_equal(store_deal_offers(f->st, NULL, true, win.since,
	    win.until, 0, count_offer, &n, &err), 0);
	assert_int_equal(n, 1);
	/* With many deals to value, the one signal leads: the same row. */
	n = 0;
	assert_int_equal(store_deal_offers(f->st, NULL, false, NOW, 0, 1000,
	    count_offer, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(fu.phases[p].entered, 3);
	assert_int_equal(fu.phases[p].current, 3);
	assert_int_equal(fu.lost, 0);
	assert_true(steps < 5);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress,
	    &whole);
	assert_int_equal(report_funnel(f->st, &all, NOW, &fu, &err), 0);
	sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	assert_int_equal(fu.phases[p].entered, HISTORY + 3);
	assert_int_equal(fu.lost, HISTORY);
	assert_true(whole > 20);
}

/*
 * An account's evidence (deal ACCOUNT, a stalled deal's latest signal)
 * comes from its own rows and those its name claims, however many
 * signals in the range are attributed to nobody: the planner took the
 * claimed ones from every unattributed signal of the range.
 */
static void
test_store_query_signals_unattributed_bounded(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct store_filter sf = { NULL, "globex.com", T0, NOW };
	struct walked w = { 0 };
	struct err err;
	char item[32], id[32];
	long steps = 0;
	int i;

	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0 + DAY,
	    DIR_INBOUND, "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0 + 2 * DAY, DIR_NONE,
	    "cal/1.ics", "e1", "Bezoek Globex");
	for (i = 0; i < HISTORY; i++) {
		snprintf(item, sizeof item, "cal/n%d.ics", i);
		snprintf(id, sizeof id, "n%d", i);
		add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", T0 + 3 * DAY + i,
		    DIR_NONE, item, id, "Lunch");
	}
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY + 2);
	signal_list_clear(&sigs);
	strlist_clear(&touched);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress, &steps);
	assert_int_equal(store_signals(f->st, &sf, walk_signal, &w, &err), 0);
	assert_int_equal(store_latest_signal(f->st, test_query_int(f->st,
	    "SELECT id FROM accounts WHERE key = ?1", "globex.com"), T0, NOW,
	    walk_signal, &w, &err), 0);
	sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	assert_string_equal(w.out.data, "subject of m1 1;subject of e1 2;"
	    "subject of e1 2;");
	assert_true(steps < 5);
	buf_free(&w.out);
}

/*
 * Links through the replies to a message read before it look those
 * replies' signals up by the Message-ID index, however many signals the
 * store holds: the planner read every signal for each message learnt,
 * which made a first sync of 20,000 messages quadratic.
 */
static void
test_store_links_replies_bounded(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct buf b = { 0 };
	struct err err;
	char account[32], item[32], id[32];
	long steps = 0;
	int i;

	for (i = 0; i < HISTORY; i++) {
		snprintf(account, sizeof account, "klant%d.nl", i);
		snprintf(item, sizeof item, "INBOX/1/%d", i);
		snprintf(id, sizeof id, "<h%d@x>", i);
		add_sig(&sigs, SIG_CONTACT, account, "anna", T0 + i,
		    DIR_INBOUND, item, id, NULL);
	}
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY);
	signal_list_clear(&sigs);
	/* <h5@x>, read before, answers <new@x>. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "INSERT INTO "
	    "message_replies(parent, child) VALUES('<new@x>', '<h5@x>')",
	    NULL, NULL, NULL), SQLITE_OK);
	add_sig(&sigs, SIG_CONTACT, "jan@gmail.com", "anna", NOW, DIR_INBOUND,
	    "INBOX/1/9999", "<new@x>", NULL);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress, &steps);
	assert_int_equal(links_learn(f->st, &sigs, NOW, &touched, &err), 0);
	sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	assert_int_equal(links_list(f->st, "jan@gmail.com", walk_link, &b,
	    &err), 0);
	assert_string_equal(b.data, "jan@gmail.com>klant5.nl:thread;");
	assert_true(steps < 5);
	signal_list_clear(&sigs);
	strlist_clear(&touched);
	buf_free(&b);
}

/*
 * A window's entries do not look each one's deal up: another
 * salesperson's HISTORY deals entering in the window, in another order
 * than their ids, cost a team's walk a step of an index each (its own
 * entries alone are looked up), and the company's walk reads the deals
 * an entry may belong to from an index once (the pages fetched: 48 and
 * 49 here, where a look-up per entry fetched 2,017).  Salespeople's
 * keys that JSON must escape are kept apart all the same.
 */
static void
test_store_window_entries_bounded(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 }, team = { 0 };
	struct walked w = { 0 };
	struct err err;
	char account[32];
	long team_pages, company_pages;
	int i, n = 0;

	for (i = 0; i < HISTORY; i++) {
		snprintf(account, sizeof account, "klant%d.nl", i);
		/* Entries in another order than their deals', as in a store. */
		add_sig(&sigs, SIG_APPOINTMENT, account, "bram", NOW - 5 * DAY +
		    i * 7919 % HISTORY, DIR_NONE, "INBOX/1/1", NULL, NULL);
	}
	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", NOW - 4 * DAY,
	    DIR_NONE, "INBOX/1/2", NULL, NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "globex.com", "o\"k\\", NOW - 3 * DAY,
	    DIR_NONE, "INBOX/1/3", NULL, NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "initech.io", "o\"k", NOW - 3 * DAY,
	    DIR_NONE, "INBOX/1/4", NULL, NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY + 3);
	project(f, &touched);
	signal_list_clear(&sigs);

	strlist_add(&team, "anna");
	strlist_add(&team, "o\"k\\");
	pages_read(f->st);
	assert_int_equal(store_entries(f->st, &team, NOW - 10 * DAY, NOW,
	    NULL, walk_entry, &w, &err), 0);
	team_pages = pages_read(f->st);
	assert_int_equal(store_entries(f->st, NULL, NOW - 10 * DAY, NOW,
	    NULL, count_entry, &n, &err), 0);
	company_pages = pages_read(f->st);
	assert_int_equal(n, (HISTORY + 3) * 100);
	/* acme.nl's and globex.com's entries, not initech.io's. */
	for (i = 0; i < 3; i++) {
		static const char *const acc[] = { "acme.nl", "globex.com",
		    "initech.io" };
		char sql[128], id[32];

		snprintf(sql, sizeof sql, "SELECT id FROM deals WHERE"
		    " account = '%s'", acc[i]);
		snprintf(id, sizeof id, "%lld>", test_query_int(f->st, sql,
		    NULL));
		if (i < 2)
			assert_non_null(strstr(w.out.data, id));
		else
			assert_null(strstr(w.out.data, id));
	}
	for (i = 0, n = 0; w.out.data[i] != '\0'; i++)
		n += w.out.data[i] == ';';
	assert_int_equal(n, 2);
	/* A look-up of each entry's deal would fetch HISTORY pages or more. */
	assert_true(team_pages < HISTORY / 20);
	assert_true(company_pages < HISTORY / 20);
	strlist_clear(&team);
	strlist_clear(&touched);
	buf_free(&w.out);
}

/*
 * An account's links are listed from the indexes, both ways, however
 * many accounts the store holds: the list read every account.
 */
static void
test_store_links_list_bounded(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct buf b = { 0 };
	struct err err;
	char account[32];
	long steps = 0;
	int i;

	for (i = 0; i < HISTORY; i++) {
		snprintf(account, sizeof account, "klant%d.nl", i);
		add_sig(&sigs, SIG_CONTACT, account, "anna", T0 + i,
		    DIR_INBOUND, "INBOX/1/1", NULL, NULL);
	}
	add_sig(&sigs, SIG_CONTACT, "jan@gmail.com", "anna", T0, DIR_INBOUND,
	    "INBOX/1/2", NULL, NULL);
	add_sig(&sigs, SIG_CONTACT, "piet@gmail.com", "anna", T0, DIR_INBOUND,
	    "INBOX/1/3", NULL, NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY + 2);
	assert_int_equal(links_add(f->st, "jan@gmail.com", "klant7.nl",
	    "manual", T0, &touched, &err), 1);
	assert_int_equal(links_add(f->st, "piet@gmail.com", "klant7.nl",
	    "manual", T0, &touched, &err), 1);

	sqlite3_progress_handler(store_db(f->st), 1000, count_progress, &steps);
	assert_int_equal(links_list(f->st, "klant7.nl", walk_link, &b, &err),
	    0);
	assert_string_equal(b.data, "jan@gmail.com>klant7.nl:manual;"
	    "piet@gmail.com>klant7.nl:manual;");
	buf_reset(&b);
	assert_int_equal(links_list(f->st, "piet@gmail.com", walk_link, &b,
	    &err), 0);
	assert_string_equal(b.data, "piet@gmail.com>klant7.nl:manual;");
	buf_reset(&b);
	assert_int_equal(links_list(f->st, "klant8.nl", walk_link, &b, &err),
	    0);
	sqlite3_progress_handler(store_db(f->st), 0, NULL, NULL);
	assert_true(b.len == 0);
	assert_true(steps < 3);
	/* A link to itself (the store makes none) is listed once. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "INSERT INTO"
	    " account_links(account_id, target_id, how, linked_at) SELECT id,"
	    " id, 'manual', 0 FROM accounts WHERE key = 'klant9.nl'", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(links_list(f->st, "klant9.nl", walk_link, &b, &err),
	    0);
	assert_string_equal(b.data, "klant9.nl>klant9.nl:manual;");
	signal_list_clear(&sigs);
	strlist_clear(&touched);
	buf_free(&b);
}

/* Appends "account|salesperson|to;" of a transition to a buf. */
static int
walk_transition(const struct store_transition *t, void *arg)
{
	buf_printf(arg, "%s|%s|%s;", t->account, t->salesperson, t->to);
	return 0;
}

/* Appends "account|salesperson;" of a deal to a buf. */
static int
walk_deal(const struct store_deal *d, void *arg)
{
	buf_printf(arg, "%s|%s;", d->account, d->salesperson);
	return 0;
}

/*
 * The copies of schema 8 (a deal's account key, a transition's owner and
 * account key) stay right after every writer: a new deal, a deal that
 * changes owner (an earlier meeting of bram's arrives: anna's offer,
 * unchanged otherwise, is now bram's deal's), a free-mail address linked
 * to a company (its deal moves to the company), a rebuild from no deals
 * and one over the stored ones, and reopening.  The queries print them.
 */
static void
test_store_copies_writers(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct strlist touched = { 0 };
	struct store_filter all = { 0 };
	struct buf b = { 0 };
	struct err err;

	add_sig(&l, SIG_APPOINTMENT, "acme.nl", "anna", T0 + DAY, DIR_NONE,
	    "cal/a1.ics", "a1", NULL);
	add_sig(&l, SIG_OFFER_SENT, "acme.nl", "anna", T0 + 5 * DAY,
	    DIR_OUTBOUND, "Sent/1/1", "<o1@x>", NULL);
	add_sig(&l, SIG_APPOINTMENT, "jan@gmail.com", "anna", T0 + 2 * DAY,
	    DIR_NONE, "cal/j1.ics", "j1", NULL);
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), 3);
	signal_list_clear(&l);
	project(f, &touched);
	assert_int_equal(store_transitions(f->st, &all, walk_transition, &b,
	    &err), 0);
	assert_string_equal(b.data, "acme.nl|anna|suspect;"
	    "jan@gmail.com|anna|suspect;acme.nl|anna|offer;");
	buf_reset(&b);

	/* An earlier meeting of bram's: the deal and both moves are his. */
	add_sig(&l, SIG_APPOINTMENT, "acme.nl", "bram", T0, DIR_NONE,
	    "cal/b1.ics", "b1", NULL);
	assert_int_equal(store_add_signals(f->st, &l, &touched, &err), 1);
	signal_list_clear(&l);
	project(f, &touched);
	assert_int_equal(store_transitions(f->st, &all, walk_transition, &b,
	    &err), 0);
	assert_string_equal(b.data, "acme.nl|bram|suspect;"
	    "jan@gmail.com|anna|suspect;acme.nl|bram|offer;");
	buf_reset(&b);

	/* jan's deal becomes globex's. */
	assert_int_equal(links_add(f->st, "jan@gmail.com", "globex.com",
	    "manual", T0, &touched, &err), 1);
	project(f, &touched);
	assert_int_equal(store_transitions(f->st, &all, walk_transition, &b,
	    &err), 0);
	assert_string_equal(b.data, "acme.nl|bram|suspect;"
	    "globex.com|anna|suspect;acme.nl|bram|offer;");
	buf_reset(&b);
	assert_int_equal(store_deals(f->st, &all, walk_deal, &b, &err), 0);
	assert_non_null(strstr(b.data, "globex.com|anna;"));
	assert_null(strstr(b.data, "jan@gmail.com"));
	buf_reset(&b);

	assert_int_equal(sqlite3_exec(store_db(f->st), "DELETE FROM transitions;"
	    "DELETE FROM deals", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_copies(f->st);
	/* Copies spoilt by hand are put right by the next projection. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE transitions"
	    " SET owner = 'x', account = 'x'; UPDATE deals SET account = 'x'",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(project_rebuild(f->st, &f->cfg, NOW, &err), 0);
	assert_copies(f->st);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM"
	    " transitions", NULL), 3);

	store_close(f->st);
	assert_int_equal(store_open(f->path, STORE_READONLY, &f->st, &err), 0);
	assert_copies(f->st);
	assert_int_equal(store_transitions(f->st, &all, walk_transition, &b,
	    &err), 0);
	assert_string_equal(b.data, "acme.nl|bram|suspect;"
	    "globex.com|anna|suspect;acme.nl|bram|offer;");
	buf_free(&b);
}

/*
 * Version 8 fills the copies of the deals and transitions a store of
 * version 7 holds, and creates the covering indexes of the windows.
 */
static void
test_store_migrate_copies(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct err err;

	history(&l, order_fwd, 11);
	feed(f, &l);
	signal_list_clear(&l);
	assert_int_equal(sqlite3_exec(store_db(f->st),
	    "DROP INDEX transitions_window; DROP INDEX deals_open_rows;"
	    "DROP INDEX deals_open_rows_of;"
	    "DROP INDEX deals_closed;"
	    "CREATE INDEX deals_closed ON deals(closed);"
	    "ALTER TABLE deals DROP COLUMN account;"
	    "ALTER TABLE transitions DROP COLUMN owner;"
	    "ALTER TABLE transitions DROP COLUMN account;"
	    BEFORE_ACTIVITY
	    "DROP INDEX appointments_created; DROP INDEX appointments_series;"
	    "CREATE INDEX appointments_created ON appointments(created);"
	    "CREATE INDEX appointments_series"
	    " ON appointments(salesperson, uid, created);"
	    "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	store_close(f->st);
	assert_int_equal(store_open(f->path, 0, &f->st, &err), 0);
	/* Versions 8 to 10 (the funnel's indexes, IF NOT EXISTS) all ran. */
	assert_int_equal(test_query_int(f->st, "PRAGMA user_version", NULL), SCHEMA);
	assert_true(test_query_int(f->st, "SELECT count(*) FROM transitions",
	    NULL) > 5);
	assert_copies(f->st);
	assert_int_equal(test_query_int(f->st, "SELECT count(*)"
	    " FROM pragma_index_info('transitions_window')", NULL), 11);
	assert_int_equal(test_query_int(f->st, "SELECT count(*)"
	    " FROM pragma_index_info('deals_open_rows')", NULL), 9);
	assert_int_equal(test_query_int(f->st, "SELECT count(*)"
	    " FROM pragma_index_info('deals_closed')", NULL), 10);
	assert_int_equal(test_query_int(f->st, "SELECT count(*)"
	    " FROM pragma_index_info('appointments_created')", NULL), 5);
	assert_int_equal(test_query_int(f->st, "SELECT count(*)"
	    " FROM pragma_index_info('appointments_series')", NULL), 5);
	assert_int_equal(test_query_int(f->st, "SELECT count(*)"
	    " FROM pragma_index_info('signals_account')", NULL), 4);
}

/* How many temporary b-trees writing a signal opens (EXPLAIN's opcodes). */
static int
signal_insert_ephemerals(struct store *st)
{
	sqlite3_stmt *s;
	int n = 0;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "EXPLAIN INSERT"
	    " INTO signals(ref, kind, account_id, salesperson, occurred_at,"
	    " direction, source, item, rule, seen_at) VALUES('r', 'need', 1,"
	    " 'anna', 1, 'none', 'imap:anna', 'INBOX/9', 'test', 1)", -1, &s,
	    NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(s, 1),
		    "OpenEphemeral") == 0)
			n++;
	sqlite3_finalize(s);
	return n;
}

/*
 * Version 19 names signals_facts's kinds one by one: against version
 * 16's IN list, SQLite built a temporary b-tree of the four kinds for
 * every signal written.  The index keeps its rows, read by the same
 * terms as before.
 */
static void
test_store_migrate_facts(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	const char *facts = "SELECT count(*) FROM signals"
	    " INDEXED BY signals_facts WHERE account_id > 0 AND"
	    " (kind = 'decision' OR kind = 'competitor' OR kind = 'need'"
	    " OR kind = 'problem')";

	add_sig(&sigs, SIG_DECISION, "acme.nl", "anna", T0 + DAY, DIR_NONE,
	    "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_NEED, "acme.nl", "anna", T0 + 2 * DAY, DIR_NONE,
	    "INBOX/1/2", "m2", NULL);
	add_sig(&sigs, SIG_OFFER_SENT, "acme.nl", "anna", T0 + 3 * DAY,
	    DIR_OUTBOUND, "Sent/1/1", "m3", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 3);
	signal_list_clear(&sigs);
	strlist_clear(&touched);
	assert_int_equal(signal_insert_ephemerals(f->st), 0);
	assert_int_equal(test_query_int(f->st, facts, NULL), 2);
	assert_int_equal(sqlite3_exec(store_db(f->st),
	    "DROP INDEX signals_facts;"
	    "CREATE INDEX signals_facts ON signals(account_id, occurred_at)"
	    " WHERE (kind IN ('decision', 'competitor', 'need', 'problem'));"
	    "PRAGMA user_version = 18", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(signal_insert_ephemerals(f->st), 1);
	store_close(f->st);
	assert_int_equal(store_open(f->path, 0, &f->st, &err), 0);
	assert_int_equal(test_query_int(f->st, "PRAGMA user_version", NULL), SCHEMA);
	assert_int_equal(signal_insert_ephemerals(f->st), 0);
	assert_int_equal(test_query_int(f->st, facts, NULL), 2);
}

/*
 * Version 18 adds what the projection keeps of an open deal's activity:
 * none is kept for the deals a store of version 17 holds, whose accounts
 * are left to project (the agent's start); projected, they have it as
 * the projection keeps it for new deals.
 */
static void
test_store_migrate_activity(void **state)
{
	struct fixture *f = *state;
	struct signal_list l = { 0 };
	struct walked kept = { 0 }, none = { 0 }, again = { 0 };
	struct err err;

	history(&l, order_fwd, 11);
	feed(f, &l);
	signal_list_clear(&l);
	assert_int_equal(open_activity(f, NULL, &kept, &err), 0);
	assert_non_null(kept.out.data);
	assert_null(strstr(kept.out.data, ":-;"));
	assert_int_equal(sqlite3_exec(store_db(f->st), BEFORE_ACTIVITY
	    "PRAGMA user_version = 17", NULL, NULL, NULL), SQLITE_OK);
	store_close(f->st);
	assert_int_equal(store_open(f->path, 0, &f->st, &err), 0);
	assert_int_equal(test_query_int(f->st, "PRAGMA user_version", NULL), SCHEMA);
	assert_int_equal(open_activity(f, NULL, &none, &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE outcome = 'open' AND latest_at IS NULL", NULL),
	    test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE outcome = 'open'", NULL));
	assert_non_null(strstr(none.out.data, ":-;"));
	/* Each account with an open or a won deal is left to project, once. */
	assert_true(test_query_int(f->st, "SELECT count(*) FROM deals"
	    " WHERE outcome = 'won'", NULL) > 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM dirty",
	    NULL), test_query_int(f->st, "SELECT count(DISTINCT account_id)"
	    " FROM deals WHERE outcome IN ('open', 'won')", NULL));
	assert_int_equal(project_dirty(f->st, &f->cfg, NOW, &err), 0);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM dirty",
	    NULL), 0);
	assert_int_equal(open_activity(f, NULL, &again, &err), 0);
	assert_string_equal(again.out.data, kept.out.data);
	buf_free(&kept.out);
	buf_free(&none.out);
	buf_free(&again.out);
}

/*
 * A meeting counts in a won deal's quiet spells, which the projection
 * keeps: an item that adds, moves or removes an appointment alone (its
 * signal stored from another item) touches the appointment's account,
 * so that it is projected again.
 */
static void
test_store_appointment_touches(void **state)
{
	struct fixture *f = *state;
	struct signal_list none = { 0 };
	struct appointment_list al = { 0 };
	struct strlist touched = { 0 };
	struct err err;

	add_appt(&al, "cal/9.ics", "m9", "acme.nl", NULL, T0 + 2 * DAY);
	assert_int_equal(store_replace_item(f->st, "caldav:anna", "cal/9.ics",
	    &none, &al, &touched, &err), 0);
	assert_true(strlist_contains(&touched, "acme.nl"));
	strlist_clear(&touched);
	appointment_list_clear(&al);
	/* Moved: a new version of the item. */
	add_appt(&al, "cal/9.ics", "m9", "acme.nl", NULL, T0 + 3 * DAY);
	assert_int_equal(store_replace_item(f->st, "caldav:anna", "cal/9.ics",
	    &none, &al, &touched, &err), 0);
	assert_true(strlist_contains(&touched, "acme.nl"));
	strlist_clear(&touched);
	appointment_list_clear(&al);
	/* Removed. */
	assert_int_equal(store_replace_item(f->st, "caldav:anna", "cal/9.ics",
	    &none, &al, &touched, &err), 0);
	assert_true(strlist_contains(&touched, "acme.nl"));
	assert_int_equal(test_query_int(f->st, "SELECT count(*)"
	    " FROM appointments", NULL), 0);
	strlist_clear(&touched);
}

/* Whether a plan's line scans a partial covering index (a range). */
static bool
scans_partial_index(struct store *st, const char *detail)
{
	const char *p = strstr(detail, "USING COVERING INDEX ");
	char name[64];
	char *sql;
	bool partial;

	if (p == NULL || sscanf(p + 21, "%63s", name) != 1)
		return false;
	sql = query_text(st, "SELECT sql FROM sqlite_master"
	    " WHERE type = 'index' AND name = ?1", name);
	partial = sql != NULL && strstr(sql, " WHERE ") != NULL;
	free(sql);
	return partial;
}

/*
 * Fails unless the plan of sql reads only ranges of indexes (no SCAN of
 * a table or of a whole index; a partial index is a range; a list bound
 * to it, json_each's, is not the store's) and each from a covering
 * index, no row looked up, but for the index lookup_ok (NULL: none).
 * Returns how many ranges it reads.
 */
static int
assert_window_plan(struct store *st, const char *sql, const char *lookup_ok)
{
	char *eqp = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	const char *detail;
	sqlite3_stmt *s;
	int n = 0;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), eqp, -1, &s, NULL),
	    SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		detail = (const char *)sqlite3_column_text(s, 3);
		if (strncmp(detail, "SCAN json_each VIRTUAL TABLE", 28) == 0)
			continue;
		if ((strncmp(detail, "SCAN ", 5) == 0 &&
		    !scans_partial_index(st, detail)) ||
		    (strncmp(detail, "SEARCH ", 7) == 0 &&
		    strstr(detail, "COVERING INDEX") == NULL &&
		    (lookup_ok == NULL || strstr(detail, lookup_ok) == NULL)))
			fail_msg("not a covering index range: %s\nin %s",
			    detail, sql);
		if (strncmp(detail, "SEARCH ", 7) == 0 ||
		    strncmp(detail, "SCAN ", 5) == 0)
			n++;
	}
	sqlite3_finalize(s);
	free(eqp);
	assert_true(n > 0);
	return n;
}

/*
 * Runs the plans of the statements traced into l through
 * assert_window_plan, its own statements untraced, and empties l.  With
 * one_range, each statement reads one range: no probe per row either.
 */
static void
assert_window_plans(struct store *st, struct strlist *l, const char *lookup_ok,
    bool one_range)
{
	struct strlist sql = *l;
	size_t i;

	memset(l, 0, sizeof *l);
	sqlite3_trace_v2(store_db(st), 0, NULL, NULL);
	assert_true(sql.n > 0);
	for (i = 0; i < sql.n; i++)
		if (assert_window_plan(st, sql.v[i], lookup_ok) != 1 &&
		    one_range)
			fail_msg("more than one index read: %s", sql.v[i]);
	strlist_clear(&sql);
	sqlite3_trace_v2(store_db(st), SQLITE_TRACE_STMT, test_trace_sql, l);
}

/* Counts a fact signal (store_fact_signals). */
static int
count_fact(const struct store_signal *sig, void *arg)
{
	(void)sig;
	(*(int *)arg)++;
	return 0;
}

/* Counts a fact signal of a deal (store_facts_at). */
static int
count_deal_fact(int64_t deal, const struct store_signal *sig, void *arg)
{
	(void)deal;
	(void)sig;
	(*(int *)arg)++;
	return 0;
}

/* Whether the plan of sql reads index name. */
static bool
plan_reads(struct store *st, const char *sql, const char *name)
{
	char *eqp = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	const char *detail, *p;
	sqlite3_stmt *s;
	bool found = false;
	size_t len = strlen(name);

	assert_int_equal(sqlite3_prepare_v2(store_db(st), eqp, -1, &s, NULL),
	    SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		detail = (const char *)sqlite3_column_text(s, 3);
		if ((p = strstr(detail, "INDEX ")) != NULL &&
		    strncmp(p + 6, name, len) == 0 &&
		    (p[6 + len] == ' ' || p[6 + len] == '\0'))
			found = true;
	}
	sqlite3_finalize(s);
	free(eqp);
	return found;
}

/*
 * The statements that name the fact kinds (STORE_FACTS) read them from
 * signals_facts, whose WHERE must be the same terms for SQLite to take
 * it: a deal's facts and those of every open deal.
 */
static void
test_store_facts_plans(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 }, sql = { 0 };
	struct store_filter one = { NULL, "acme.nl", 0, NOW };
	struct err err;
	size_t i;
	int n = 0;

	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", NOW - 5 * DAY,
	    DIR_OUTBOUND, "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_DECISION, "acme.nl", "anna", NOW - 4 * DAY,
	    DIR_NONE, "INBOX/1/2", "m2", NULL);
	add_sig(&sigs, SIG_NEED, "acme.nl", "anna", NOW - 3 * DAY, DIR_NONE,
	    "INBOX/1/3", "m3", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 3);
	signal_list_clear(&sigs);
	project(f, &touched);
	sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT, test_trace_sql, &sql);
	assert_int_equal(store_fact_signals(f->st, &one, count_fact, &n,
	    &err), 0);
	assert_int_equal(store_facts_at(f->st, NULL, NOW, count_deal_fact, &n,
	    &err), 0);
	sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
	assert_int_equal(n, 4);
	assert_int_equal(sql.n, 2);
	for (i = 0; i < sql.n; i++)
		if (!plan_reads(f->st, sql.v[i], "signals_facts"))
			fail_msg("signals_facts not read: %s", sql.v[i]);
	strlist_clear(&sql);
}

/* The accounts store_history_late gives, in their order. */
struct late_ids {
	int64_t		 v[8];
	size_t		 n;
};

/* Adds an account's row id to the late_ids at arg, as they come. */
static int
collect_id(int64_t id, void *arg)
{
	struct late_ids *ids = arg;

	assert_true(ids->n < 8);
	ids->v[ids->n++] = id;
	return 0;
}

/* The row id of account key. */
static int64_t
account_id(struct store *st, const char *key)
{
	return test_query_int(st, "SELECT id FROM accounts WHERE key = ?1",
	    key);
}

/*
 * Whether store_history_late(t) gives the accounts of the definition
 * (each account's newest signal, and the accounts matched to an
 * unattributed signal) at each of the n times at[]; def is prepared.
 */
static void
assert_late_as_defined(struct store *st, sqlite3_stmt *def,
    const time_t *at, size_t n)
{
	struct late_ids ids;
	struct err err;
	size_t i, k;

	for (i = 0; i < n; i++) {
		memset(&ids, 0, sizeof ids);
		assert_int_equal(store_history_late(st, at[i], collect_id,
		    &ids, &err), 0);
		sqlite3_bind_int64(def, 1, (sqlite3_int64)at[i]);
		for (k = 0; sqlite3_step(def) == SQLITE_ROW; k++) {
			assert_true(k < ids.n);
			assert_int_equal(ids.v[k], sqlite3_column_int64(def, 0));
		}
		assert_int_equal(k, ids.n);
		sqlite3_reset(def);
	}
}

/* Whether store_history_late(t) read signals_ahead. */
static bool
late_reads_ahead(struct store *st, time_t t)
{
	struct strlist sql = { 0 };
	struct late_ids ids = { { 0 }, 0 };
	struct err err;
	bool ahead = false;
	size_t i;

	sqlite3_trace_v2(store_db(st), SQLITE_TRACE_STMT, test_trace_sql, &sql);
	assert_int_equal(store_history_late(st, t, collect_id, &ids, &err), 0);
	sqlite3_trace_v2(store_db(st), 0, NULL, NULL);
	assert_int_equal(sql.n, 2);	/* signals_seen, then the accounts */
	for (i = 0; i < sql.n; i++)
		if (plan_reads(st, sql.v[i], "signals_ahead"))
			ahead = true;
	strlist_clear(&sql);
	return ahead;
}

/* Stores sigs with the agent's clock at now. */
static void
store_at(struct fixture *f, struct signal_list *sigs, time_t now, int added)
{
	struct strlist touched = { 0 };
	struct err err;
	char at[32];

	util_format_utc(now, at, sizeof at);
	setenv("SALESCYCLE_NOW", at, 1);
	assert_int_equal(store_add_signals(f->st, sigs, &touched, &err),
	    added);
	unsetenv("SALESCYCLE_NOW");
	signal_list_clear(sigs);
	strlist_clear(&touched);
}

/*
 * The accounts with a signal at or after a time no earlier than any
 * signal was stored (the current forecast's late accounts) come from a
 * range of signals_ahead: what lies ahead, not a probe of every account.
 * A signal stored after that time (the agent committed after the
 * command began, or a clock set back) makes them come from the probe.
 * Either way they are the accounts of the definition, at the times of
 * the signals themselves too.
 */
static void
test_store_history_late(void **state)
{
	static const char *const def = "SELECT a.id FROM accounts a"
	    " WHERE (SELECT max(s.occurred_at) FROM signals s"
	    " WHERE s.account_id = a.id) >= ?1 UNION"
	    " SELECT matched_account_id FROM signals WHERE account_id IS NULL"
	    " AND matched_account_id IS NOT NULL AND occurred_at >= ?1"
	    " ORDER BY 1";
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct late_ids ids;
	const time_t at[] = { NOW, NOW + 2 * DAY, NOW + 3 * DAY,
	    NOW + 4 * DAY, NOW + 10 * DAY, NOW + 11 * DAY };
	sqlite3_stmt *s;
	struct err err;

	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", NOW - 5 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "globex.nl", "anna", NOW + 3 * DAY,
	    DIR_NONE, "cal/1.ics", "e1", NULL);
	add_sig(&sigs, SIG_CONTACT, "initech.nl", "anna", NOW - 2 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "m2", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "initech.nl", "anna", NOW + 10 * DAY,
	    DIR_NONE, "cal/2.ics", "e2", NULL);
	/* An event ahead that names a customer, matched once it is known. */
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", NOW + 2 * DAY,
	    DIR_NONE, "cal/3.ics", "e3", "Bezoek Hooli, Delft");
	add_sig(&sigs, SIG_CONTACT, "hooli.com", "anna", NOW - 1 * DAY,
	    DIR_INBOUND, "INBOX/1/3", "m3", NULL);
	/* One that occurred the moment it was stored. */
	add_sig(&sigs, SIG_CONTACT, "umbrella.nl", "anna", NOW, DIR_INBOUND,
	    "INBOX/1/4", "m4", NULL);
	store_at(f, &sigs, NOW, 7);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals"
	    " WHERE account_id IS NULL AND matched_account_id = (SELECT id"
	    " FROM accounts WHERE key = ?1)", "hooli.com"), 1);
	assert_int_equal(test_query_int(f->st, "SELECT at FROM signals_seen",
	    NULL), NOW);

	assert_true(late_reads_ahead(f->st, NOW));
	memset(&ids, 0, sizeof ids);
	assert_int_equal(store_history_late(f->st, NOW, collect_id, &ids,
	    &err), 0);
	assert_int_equal(ids.n, 4);
	assert_int_equal(ids.v[0], account_id(f->st, "globex.nl"));
	assert_int_equal(ids.v[1], account_id(f->st, "initech.nl"));
	assert_int_equal(ids.v[2], account_id(f->st, "hooli.com"));
	assert_int_equal(ids.v[3], account_id(f->st, "umbrella.nl"));
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), def, -1, &s,
	    NULL), SQLITE_OK);
	assert_late_as_defined(f->st, s, at, sizeof at / sizeof at[0]);

	/*
	 * Mail that acme.nl sent half a day after NOW, stored a day after
	 * it: at NOW it is ahead, though not of the moment it was stored.
	 */
	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", NOW + DAY / 2,
	    DIR_INBOUND, "INBOX/1/5", "m5", NULL);
	store_at(f, &sigs, NOW + DAY, 1);
	assert_int_equal(test_query_int(f->st, "SELECT at FROM signals_seen",
	    NULL), NOW + DAY);
	assert_false(late_reads_ahead(f->st, NOW));
	assert_true(late_reads_ahead(f->st, NOW + DAY));
	memset(&ids, 0, sizeof ids);
	assert_int_equal(store_history_late(f->st, NOW, collect_id, &ids,
	    &err), 0);
	assert_int_equal(ids.n, 5);
	assert_int_equal(ids.v[0], account_id(f->st, "acme.nl"));
	assert_late_as_defined(f->st, s, at, sizeof at / sizeof at[0]);
	/* Without the latest time a signal was stored, the probe. */
	assert_int_equal(sqlite3_exec(store_db(f->st),
	    "DELETE FROM signals_seen", NULL, NULL, NULL), SQLITE_OK);
	assert_false(late_reads_ahead(f->st, NOW + 20 * DAY));
	assert_late_as_defined(f->st, s, at, sizeof at / sizeof at[0]);
	sqlite3_finalize(s);
}

/*
 * Whether store_history_first gives the definition's first signal (each
 * account's oldest, and the oldest unattributed one matched to an
 * account; 0 if none) in one statement that reads signals_first.
 */
static void
assert_first_as_defined(struct store *st, time_t want)
{
	static const char *const def = "SELECT COALESCE(min(lo), 0)"
	    " FROM (SELECT (SELECT min(s.occurred_at) FROM signals s"
	    " WHERE s.account_id = a.id) lo FROM accounts a UNION ALL"
	    " SELECT min(occurred_at) FROM signals WHERE account_id IS NULL"
	    " AND matched_account_id IS NOT NULL)";
	struct strlist sql = { 0 };
	struct err err;
	time_t first = -1;

	sqlite3_trace_v2(store_db(st), SQLITE_TRACE_STMT, test_trace_sql, &sql);
	assert_int_equal(store_history_first(st, &first, &err), 0);
	sqlite3_trace_v2(store_db(st), 0, NULL, NULL);
	assert_int_equal(sql.n, 1);
	assert_true(plan_reads(st, sql.v[0], "signals_first"));
	strlist_clear(&sql);
	assert_int_equal(first, test_query_int(st, def, NULL));
	assert_int_equal(first, want);
}

/*
 * The history's first signal is one end of signals_first, not a probe of
 * every account, and the definition's as signals come, are matched to a
 * customer named in their text, and go with their item: an older event
 * that names no known customer does not count until the customer is
 * known, and deleting it moves the first on.
 */
static void
test_store_history_first(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct err err;

	assert_first_as_defined(f->st, 0);
	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", NOW - 5 * DAY,
	    DIR_INBOUND, "INBOX/1/1", "m1", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, NULL, "anna", NOW - 20 * DAY,
	    DIR_NONE, "cal/1.ics", "e1", "Bezoek Hooli, Delft");
	store_at(f, &sigs, NOW, 2);
	assert_first_as_defined(f->st, NOW - 5 * DAY);
	add_sig(&sigs, SIG_CONTACT, "hooli.com", "anna", NOW - 1 * DAY,
	    DIR_INBOUND, "INBOX/1/2", "m2", NULL);
	store_at(f, &sigs, NOW, 1);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM signals"
	    " WHERE account_id IS NULL AND matched_account_id IS NOT NULL",
	    NULL), 1);
	assert_first_as_defined(f->st, NOW - 20 * DAY);
	/* Mail older than both, from a customer seen before. */
	add_sig(&sigs, SIG_CONTACT, "acme.nl", "anna", NOW - 30 * DAY,
	    DIR_INBOUND, "INBOX/1/3", "m3", NULL);
	store_at(f, &sigs, NOW, 1);
	assert_first_as_defined(f->st, NOW - 30 * DAY);
	assert_true(store_replace_item(f->st, "imap:anna", "INBOX/1/3", NULL,
	    NULL, &touched, &err) >= 0);
	assert_first_as_defined(f->st, NOW - 20 * DAY);
	assert_true(store_replace_item(f->st, "caldav:anna", "cal/1.ics", NULL,
	    NULL, &touched, &err) >= 0);
	assert_first_as_defined(f->st, NOW - 5 * DAY);
	strlist_clear(&touched);
}

/* Deal ids as they come, with their salesperson, for comparing walks. */
struct team_rows {
	struct strlist	 rows;		/* "id salesperson" */
	const char	*only;		/* keep this salesperson's alone */
};

static int
team_add(struct team_rows *t, int64_t id, const char *salesperson)
{
	char row[64];

	if (t->only != NULL && strcmp(t->only, salesperson) != 0)
		return 0;
	snprintf(row, sizeof row, "%lld %s", (long long)id, salesperson);
	strlist_add(&t->rows, row);
	return 0;
}

static int
team_deal(const struct store_deal *d, void *arg)
{
	return team_add(arg, d->id, d->salesperson);
}

static int
team_state(const struct store_deal_state *d, void *arg)
{
	return team_add(arg, d->id, d->salesperson);
}

static void
assert_same_rows(struct strlist *a, struct strlist *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
	strlist_clear(a);
	strlist_clear(b);
}

/*
 * One salesperson's deals of a window, and a team's open deals, come from
 * each salesperson's range of an index (deals_open_rows_of,
 * deals_open_salesperson): the rows of everyone's walk that are theirs,
 * in the same order, for windows that start before, among and after the
 * closes; a salesperson named twice read once.
 */
static void
test_store_team_deals(void **state)
{
	struct fixture *f = *state;
	const time_t since[] = { T0 - DAY, T0 + 8 * DAY, T0 + 9 * DAY,
	    T0 + 30 * DAY };
	const char *const who[] = { "anna", "bram" };
	struct strlist team = { 0 }, sql = { 0 };
	struct team_rows all, one;
	struct err err;
	size_t i, k;

	many_accounts(f, 60);
	for (i = 0; i < sizeof since / sizeof since[0]; i++)
		for (k = 0; k < 2; k++) {
			struct store_filter e = { NULL, NULL, since[i], NOW };
			struct store_filter o = { who[k], NULL, since[i], NOW };

			memset(&all, 0, sizeof all);
			memset(&one, 0, sizeof one);
			all.only = who[k];
			assert_int_equal(store_deals(f->st, &e, team_deal, &all,
			    &err), 0);
			sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT,
			    test_trace_sql, &sql);
			assert_int_equal(store_deals(f->st, &o, team_deal, &one,
			    &err), 0);
			sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
			assert_int_equal(sql.n, 1);
			assert_true(plan_reads(f->st, sql.v[0],
			    "deals_open_rows_of"));
			strlist_clear(&sql);
			if (i == 0)
				assert_true(all.rows.n > 10);
			assert_same_rows(&all.rows, &one.rows);
		}
	/* A team: each one's open deals, bram's after anna's. */
	strlist_add(&team, "anna");
	strlist_add(&team, "bram");
	strlist_add(&team, "anna");
	memset(&one, 0, sizeof one);
	sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT, test_trace_sql, &sql);
	assert_int_equal(store_open_deal_states(f->st, &team, team_state, &one,
	    &err), 0);
	sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
	assert_int_equal(sql.n, 2);
	for (i = 0; i < sql.n; i++)
		assert_true(plan_reads(f->st, sql.v[i],
		    "deals_open_salesperson"));
	strlist_clear(&sql);
	memset(&all, 0, sizeof all);
	for (k = 0; k < 2; k++) {
		all.only = who[k];
		assert_int_equal(store_open_deal_states(f->st, NULL, team_state,
		    &all, &err), 0);
	}
	assert_true(all.rows.n > 10);
	assert_same_rows(&all.rows, &one.rows);
	strlist_clear(&team);
}

/* Meeting times as "account start" lines (store_meeting_times). */
static int
meeting_line(const struct store_meeting_time *m, void *arg)
{
	char line[64];

	snprintf(line, sizeof line, "%lld %lld", (long long)m->account_id,
	    (long long)m->start);
	strlist_add(arg, line);
	return 0;
}

/*
 * One account's meetings are its range of appointments_account (a search,
 * not a scan of every meeting): every meeting, held and named, of
 * everyone's walk that is the account's, in the same order.
 */
static void
test_store_account_meetings(void **state)
{
	struct fixture *f = *state;
	struct strlist all = { 0 }, one = { 0 }, sql = { 0 };
	struct err err;
	sqlite3_stmt *ids;
	char *eqp;
	size_t i, k = 0;

	many_accounts(f, 40);
	assert_int_equal(store_meeting_times(f->st, false, meeting_line, &all,
	    &err), 0);
	assert_true(all.n > 10);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
	    "SELECT id FROM accounts ORDER BY id", -1, &ids, NULL), SQLITE_OK);
	while (sqlite3_step(ids) == SQLITE_ROW) {
		sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT, test_trace_sql,
		    &sql);
		assert_int_equal(store_account_meeting_times(f->st,
		    sqlite3_column_int64(ids, 0), meeting_line, &one, &err), 0);
		sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
	}
	sqlite3_finalize(ids);
	/* Accounts in id order: everyone's walk, account by account. */
	assert_int_equal(one.n, all.n);
	for (i = 0; i < all.n; i++)
		assert_string_equal(one.v[i], all.v[i]);
	assert_true(sql.n > 0);
	eqp = xasprintf("EXPLAIN QUERY PLAN %s", sql.v[0]);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), eqp, -1, &ids,
	    NULL), SQLITE_OK);
	while (sqlite3_step(ids) == SQLITE_ROW) {
		assert_non_null(strstr((const char *)sqlite3_column_text(ids, 3),
		    "SEARCH p USING INDEX appointments_account"));
		k++;
	}
	assert_int_equal(k, 1);
	sqlite3_finalize(ids);
	free(eqp);
	strlist_clear(&all);
	strlist_clear(&one);
	strlist_clear(&sql);
}

/*
 * The rows of a window come from a range of a covering index, so that a
 * window costs what it holds and no look-up per row: transitions (of
 * everyone and of one salesperson), the series made in a window (one
 * range, without a probe per series), and the deals of a window (the
 * open ones and those closed in it).
 */
static void
test_store_window_plans(void **state)
{
	struct fixture *f = *state;
	struct store_filter win = { NULL, NULL, NOW - 10 * DAY, NOW };
	struct store_filter one = { "anna", NULL, NOW - 10 * DAY, NOW };
	struct store_filter all = { 0 };
	struct strlist sql = { 0 };
	struct err err;
	long won, lost;
	int n;

	fill_history(f);
	sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT, test_trace_sql, &sql);
	n = 0;
	assert_int_equal(store_transitions(f->st, &win, count_transition, &n,
	    &err), 0);
	assert_int_equal(store_transitions(f->st, &one, count_transition, &n,
	    &err), 0);
	assert_int_equal(store_transitions(f->st, &all, count_transition, &n,
	    &err), 0);
	assert_int_equal(n, 3 + 3 + HISTORY + 3);
	assert_window_plans(f->st, &sql, NULL, false);
	n = 0;
	assert_int_equal(store_appointment_series(f->st, NULL, win.since,
	    win.until, count_series, &n, &err), 0);
	assert_int_equal(store_appointment_series(f->st, "anna", win.since,
	    win.until, count_series, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_window_plans(f->st, &sql, NULL, true);
	n = 0;
	assert_int_equal(store_deals(f->st, &win, count_deal, &n, &err), 0);
	assert_int_equal(store_deals(f->st, &one, count_deal, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_window_plans(f->st, &sql, NULL, false);
	/* The funnel's closed deals: one range of the one closed index. */
	assert_int_equal(store_closed_counts(f->st, NULL, win.since, win.until,
	    &won, &lost, &err), 0);
	assert_int_equal(store_closed_counts(f->st, "anna", win.since,
	    win.until, &won, &lost, &err), 0);
	n = 0;
	assert_int_equal(store_won_closes(f->st, NULL, win.since, count_close,
	    &n, &err), 0);
	assert_int_equal(store_won_closes(f->st, "anna", win.since,
	    count_close, &n, &err), 0);
	assert_window_plans(f->st, &sql, NULL, true);
	sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
}

/* Collects "salesperson:kind:account@day;" of each signal a digest reads. */
static int
walk_person_signal(const struct store_person_signal *g, void *arg)
{
	buf_printf(arg, "%s:%s:%s@%lld;", g->salesperson, g->kind,
	    g->account != NULL ? g->account : "-",
	    (long long)((g->at - T0) / DAY));
	return 0;
}

/*
 * A digest reads the offers sent and the hashtags of its range, of one
 * salesperson or of all, in time order, from one range of an index and
 * no row of signals: not the meetings, not the history before it.
 */
static void
test_store_digest_signals(void **state)
{
	struct fixture *f = *state;
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 }, sql = { 0 }, anna = { 0 }, two = { 0 };
	struct buf all = { 0 }, one = { 0 }, both = { 0 }, cees = { 0 };
	struct err err;
	char id[32], account[32];
	long team_pages, all_pages;
	int i;

	for (i = 0; i < HISTORY; i++) {
		snprintf(id, sizeof id, "<old%d@x>", i);
		add_sig(&sigs, SIG_OFFER_SENT, "old.nl", "anna",
		    T0 - 400 * DAY + i * 60, DIR_OUTBOUND, "INBOX/1/1", id, NULL);
	}
	add_sig(&sigs, SIG_OFFER_SENT, "acme.nl", "anna", NOW - 3 * DAY,
	    DIR_OUTBOUND, "INBOX/1/2", "<a@x>", NULL);
	add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna", NOW - 4 * DAY,
	    DIR_NONE, "INBOX/1/3", "<b@x>", NULL);
	add_sig(&sigs, SIG_WON, "acme.nl", "anna", NOW - 2 * DAY,
	    DIR_OUTBOUND, "INBOX/1/4", "<c@x>", NULL);
	free(sigs.v[sigs.n - 1].rule);
	sigs.v[sigs.n - 1].rule = xstrdup("hashtag:won");
	add_sig(&sigs, SIG_OFFER_SENT, "beta.nl", "bram", NOW - 5 * DAY,
	    DIR_OUTBOUND, "INBOX/1/5", "<d@x>", NULL);
	add_sig(&sigs, SIG_OFFER_SENT, "beta.nl", "bram", NOW + DAY,
	    DIR_OUTBOUND, "INBOX/1/6", "<e@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY + 5);
	signal_list_clear(&sigs);
	strlist_clear(&touched);

	strlist_add(&anna, "anna");
	strlist_add(&two, "o\"k\\");
	strlist_add(&two, "bram");
	sqlite3_trace_v2(store_db(f->st), SQLITE_TRACE_STMT, test_trace_sql, &sql);
	assert_int_equal(store_person_signals(f->st, NULL, NOW - 10 * DAY,
	    NOW, walk_person_signal, &all, &err), 0);
	assert_int_equal(store_person_signals(f->st, &anna, NOW - 10 * DAY,
	    NOW, walk_person_signal, &one, &err), 0);
	assert_int_equal(store_person_signals(f->st, &two, NOW - 10 * DAY,
	    NOW, walk_person_signal, &both, &err), 0);
	/* The account's key is the one look-up per row read. */
	assert_window_plans(f->st, &sql, "INTEGER PRIMARY KEY", false);
	sqlite3_trace_v2(store_db(f->st), 0, NULL, NULL);
	assert_non_null(all.data);
	assert_string_equal(all.data, "bram:offer_sent:beta.nl@25;"
	    "anna:offer_sent:acme.nl@27;anna:won:acme.nl@28;");
	assert_non_null(one.data);
	assert_string_equal(one.data, "anna:offer_sent:acme.nl@27;"
	    "anna:won:acme.nl@28;");
	assert_non_null(both.data);
	assert_string_equal(both.data, "bram:offer_sent:beta.nl@25;");

	/*
	 * Another salesperson's offers of the range cost a team's walk a
	 * step of the index each, not a look-up of their accounts (the
	 * pages fetched, against the company's walk).
	 */
	for (i = 0; i < HISTORY; i++) {
		snprintf(account, sizeof account, "klant%d.nl", i);
		snprintf(id, sizeof id, "<k%d@x>", i);
		add_sig(&sigs, SIG_OFFER_SENT, account, "cees", NOW - 6 * DAY +
		    i * 7919 % HISTORY, DIR_OUTBOUND, "INBOX/1/7", id, NULL);
	}
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err),
	    HISTORY);
	signal_list_clear(&sigs);
	strlist_clear(&touched);
	pages_read(f->st);
	buf_reset(&one);
	assert_int_equal(store_person_signals(f->st, &anna, NOW - 10 * DAY,
	    NOW, walk_person_signal, &one, &err), 0);
	team_pages = pages_read(f->st);
	assert_int_equal(store_person_signals(f->st, NULL, NOW - 10 * DAY,
	    NOW, walk_person_signal, &cees, &err), 0);
	all_pages = pages_read(f->st);
	assert_string_equal(one.data, "anna:offer_sent:acme.nl@27;"
	    "anna:won:acme.nl@28;");
	assert_true(team_pages < HISTORY / 20);
	assert_true(all_pages > HISTORY);
	strlist_clear(&anna);
	strlist_clear(&two);
	buf_free(&all);
	buf_free(&one);
	buf_free(&both);
	buf_free(&cees);
}

/* Collects "salesperson@created;" of each series a window counts. */
static int
walk_series(const char *salesperson, time_t created, void *arg)
{
	buf_printf(arg, "%s@%lld;", salesperson, (long long)(created - T0));
	return 0;
}

/*
 * A series counts once, on the first creation of its rows with an
 * account: s1 was made before the window (a later row in it does not
 * count it again); s2's first row names no account, so it counts on its
 * second, in the window; s3 has two rows in the window and counts on the
 * first; s4's second row lies after the window.
 */
static void
test_store_series_first_creation(void **state)
{
	struct fixture *f = *state;
	struct appointment_list appts = { 0 };
	struct buf b = { 0 };
	struct err err;

	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 2 * DAY);
	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 12 * DAY);
	appts.v[1].recurrence_id = 1;
	add_appt(&appts, "cal/1.ics", "s2", NULL, "nothing known", T0 + 3 * DAY);
	add_appt(&appts, "cal/1.ics", "s2", "acme.nl", NULL, T0 + 13 * DAY);
	appts.v[3].recurrence_id = 1;
	add_appt(&appts, "cal/1.ics", "s3", "acme.nl", NULL, T0 + 15 * DAY);
	add_appt(&appts, "cal/1.ics", "s3", "acme.nl", NULL, T0 + 14 * DAY);
	appts.v[5].recurrence_id = 1;
	add_appt(&appts, "cal/1.ics", "s4", "acme.nl", NULL, T0 + 16 * DAY);
	add_appt(&appts, "cal/1.ics", "s4", "acme.nl", NULL, T0 + 40 * DAY);
	appts.v[7].recurrence_id = 1;
	assert_true(store_replace_item(f->st, "caldav:anna", "cal/1.ics", NULL,
	    &appts, NULL, &err) >= 0);
	appointment_list_clear(&appts);
	/* Window: created from T0 + 10 days to T0 + 20 days. */
	assert_int_equal(store_appointment_series(f->st, NULL, T0 + 10 * DAY,
	    T0 + 20 * DAY, walk_series, &b, &err), 0);
	assert_non_null(b.data);
	assert_null(strstr(b.data, "@"  "86400;"));
	assert_int_equal(strlen(b.data), strlen("anna@1036800;anna@1123200;"
	    "anna@1296000;"));
	assert_non_null(strstr(b.data, "anna@1036800;"));	/* s2: day 12 */
	assert_non_null(strstr(b.data, "anna@1123200;"));	/* s3: day 13 */
	assert_non_null(strstr(b.data, "anna@1296000;"));	/* s4: day 15 */
	buf_reset(&b);
	assert_int_equal(store_appointment_series(f->st, "bram", T0 + 10 * DAY,
	    T0 + 20 * DAY, walk_series, &b, &err), 0);
	assert_true(b.data == NULL || b.data[0] == '\0');
	buf_free(&b);
}

/* Fails unless series_first holds each series' first creation with an account. */
static void
assert_series_first(struct store *st)
{
#define FIRSTS "SELECT salesperson, uid, MIN(created) FROM appointments" \
	" WHERE COALESCE(account_id, matched_account_id) IS NOT NULL" \
	" GROUP BY salesperson, uid"
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM (" FIRSTS
	    " EXCEPT SELECT salesperson, uid, created FROM series_first)",
	    NULL), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM ("
	    "SELECT salesperson, uid, created FROM series_first EXCEPT "
	    FIRSTS ")", NULL), 0);
#undef FIRSTS
}

/* The series of every window, as walk_series writes them; caller frees. */
static char *
all_series(struct store *st)
{
	struct buf b = { 0 };
	struct err err;

	assert_int_equal(store_appointment_series(st, NULL, 0, 0, walk_series,
	    &b, &err), 0);
	buf_append(&b, "", 0);
	assert_series_first(st);
	return b.data;
}

/*
 * Each series' first creation (schema 11) follows every writer of
 * appointments: a new item, an item replaced without its first row, the
 * same series in a second item and that item removed, a row attributed
 * by name later, and the last item of a series removed.
 */
static void
test_store_series_first_writers(void **state)
{
	struct fixture *f = *state;
	struct appointment_list appts = { 0 };
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	bool added;
	char *got;

	/* s1 from day 1 (and day 5); s2 names no account known yet. */
	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 2 * DAY);
	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 6 * DAY);
	appts.v[1].recurrence_id = 1;
	add_appt(&appts, "cal/1.ics", "s2", NULL, "Bezoek Globex, Utrecht",
	    T0 + 4 * DAY);
	assert_true(store_add_item(f->st, "caldav:anna", "cal/1.ics", "v1", T0,
	    NULL, &appts, &touched, &added, &err) >= 0);
	assert_true(added);
	appointment_list_clear(&appts);
	got = all_series(f->st);
	assert_string_equal(got, "anna@86400;");
	free(got);

	/* The item again without s1's first row: s1 counts from day 5. */
	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 6 * DAY);
	appts.v[0].recurrence_id = 1;
	add_appt(&appts, "cal/1.ics", "s2", NULL, "Bezoek Globex, Utrecht",
	    T0 + 4 * DAY);
	assert_true(store_replace_item(f->st, "caldav:anna", "cal/1.ics", NULL,
	    &appts, &touched, &err) >= 0);
	appointment_list_clear(&appts);
	got = all_series(f->st);
	assert_string_equal(got, "anna@432000;");
	free(got);

	/* s1 in another item, made earlier; then that item goes. */
	add_appt(&appts, "cal/2.ics", "s1", "acme.nl", NULL, T0 + DAY);
	assert_true(store_replace_item(f->st, "caldav:anna", "cal/2.ics", NULL,
	    &appts, &touched, &err) >= 0);
	appointment_list_clear(&appts);
	got = all_series(f->st);
	assert_string_equal(got, "anna@0;");
	free(got);
	assert_int_equal(store_remove_item(f->st, "caldav:anna", "cal/2.ics",
	    &touched, &err), 0);
	got = all_series(f->st);
	assert_string_equal(got, "anna@432000;");
	free(got);

	/* A mail from globex.com: s2 is attributed by name, from day 3. */
	add_sig(&sigs, SIG_CONTACT, "globex.com", "anna", T0 + 7 * DAY,
	    DIR_INBOUND, "INBOX/1/9", "<g@x>", NULL);
	assert_int_equal(store_add_signals(f->st, &sigs, &touched, &err), 1);
	signal_list_clear(&sigs);
	got = all_series(f->st);
	assert_int_equal(strlen(got), strlen("anna@432000;anna@259200;"));
	assert_non_null(strstr(got, "anna@432000;"));
	assert_non_null(strstr(got, "anna@259200;"));
	free(got);

	/* Spoilt by hand, the rows are put right by the next write of one. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE series_first"
	    " SET created = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_remove_item(f->st, "caldav:anna", "cal/1.ics",
	    &touched, &err), 0);
	got = all_series(f->st);
	assert_string_equal(got, "");
	free(got);
	strlist_clear(&touched);
}

/*
 * The occurrences of one event lower their series once (the rows after
 * the first change nothing), but a row of the same series made earlier
 * lowers it still, after the same series, after another between them,
 * and after a row that named no account.
 */
static void
test_store_series_first_occurrences(void **state)
{
	struct fixture *f = *state;
	struct appointment_list appts = { 0 };
	struct strlist touched = { 0 };
	struct err err;
	bool added;
	char *got;
	size_t i;

	for (i = 0; i < 3; i++)
		add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL,
		    T0 + 5 * DAY);
	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 4 * DAY);
	add_appt(&appts, "cal/1.ics", "s2", "acme.nl", NULL, T0 + 6 * DAY);
	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 3 * DAY);
	add_appt(&appts, "cal/1.ics", "s1", NULL, "nothing known",
	    T0 + DAY);
	add_appt(&appts, "cal/1.ics", "s1", "acme.nl", NULL, T0 + 2 * DAY);
	for (i = 0; i < appts.n; i++)
		appts.v[i].recurrence_id = (int64_t)i;
	assert_true(store_add_item(f->st, "caldav:anna", "cal/1.ics", "v1", T0,
	    NULL, &appts, &touched, &added, &err) >= 0);
	assert_true(added);
	appointment_list_clear(&appts);
	assert_int_equal(test_query_int(f->st, "SELECT created FROM"
	    " series_first WHERE uid = 's1'", NULL), T0 + DAY);
	got = all_series(f->st);
	free(got);
	strlist_clear(&touched);
}

/*
 * A VFS in front of the default one that counts the statement journals
 * opened: with SQLITE_CONFIG_STMTJRNL_SPILL at 0 each is a file from its
 * first page on, so each one kept is an xOpen here.
 */
static sqlite3_vfs *journal_vfs_real;
static int journal_vfs_opened;

static int
journal_vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
    int flags, int *out)
{
	(void)vfs;
	if (flags & SQLITE_OPEN_SUBJOURNAL)
		journal_vfs_opened++;
	return journal_vfs_real->xOpen(journal_vfs_real, name, f, flags, out);
}

/*
 * The writes of a first sync of attributed items keep no statement
 * journal (a row attributed by name later still goes through the
 * series_first_change trigger, and its UPDATE keeps one).  A statement
 * that may write several rows or tables and fail half-way (a trigger on
 * the table, say) makes SQLite journal every page it touches inside the
 * batch's transaction, to undo that statement alone; schema 11's trigger
 * on INSERT into appointments did, and a first CalDAV sync of 5,000
 * events took twice the CPU, most of it writing that journal to a file.
 */
static void
test_store_first_sync_no_statement_journal(void **state)
{
	static sqlite3_vfs vfs;
	struct appointment_list appts = { 0 };
	struct signal_list sigs = { 0 };
	struct strlist touched = { 0 };
	struct store *st;
	struct err err;
	char path[512], item[32], id[32];
	bool added;
	int i;

	(void)state;
	assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 0),
	    SQLITE_OK);
	assert_int_equal(sqlite3_initialize(), SQLITE_OK);
	journal_vfs_real = sqlite3_vfs_find(NULL);
	vfs = *journal_vfs_real;
	vfs.zName = "journal-count";
	vfs.xOpen = journal_vfs_open;
	assert_int_equal(sqlite3_vfs_register(&vfs, 1), SQLITE_OK);

	snprintf(path, sizeof path, "%s/journal.db", test_tmpdir());
	assert_int_equal(store_open(path, 0, &st, &err), 0);
	journal_vfs_opened = 0;		/* creating the schema may keep some */
	assert_int_equal(store_begin(st, &err), 0);
	for (i = 0; i < 200; i++) {
		snprintf(item, sizeof item, "cal/%d.ics", i);
		snprintf(id, sizeof id, "s%d", i);
		add_appt(&appts, item, id, i % 2 ? "acme.nl" : "globex.com",
		    NULL, T0 + i * 3600);
		add_appt(&appts, item, id, i % 2 ? "acme.nl" : "globex.com",
		    NULL, T0 + i * 3600 + 7 * DAY);
		appts.v[1].recurrence_id = 1;
		add_sig(&sigs, SIG_APPOINTMENT, "acme.nl", "anna",
		    T0 + i * 3600, DIR_OUTBOUND, item, id, NULL);
		assert_true(store_add_item(st, "caldav:anna", item, "v1", T0,
		    &sigs, &appts, &touched, &added, &err) >= 0);
		assert_true(added);
		appointment_list_clear(&appts);
		signal_list_clear(&sigs);
	}
	assert_int_equal(store_commit(st, &err), 0);
	assert_series_first(st);
	assert_int_equal(journal_vfs_opened, 0);
	/* The count can fail: an UPDATE under a trigger keeps a journal. */
	assert_int_equal(sqlite3_exec(store_db(st), "BEGIN;"
	    "UPDATE appointments SET created = created - 1 WHERE id = 1;"
	    "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_series_first(st);
	store_close(st);
	strlist_clear(&touched);

	assert_int_equal(sqlite3_vfs_unregister(&vfs), SQLITE_OK);
	assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL,
	    64 * 1024), SQLITE_OK);
	assert_int_equal(sqlite3_initialize(), SQLITE_OK);
	assert_int_equal(journal_vfs_opened, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_store_open_migrate_reopen),
		cmocka_unit_test(test_store_foreign_database),
		cmocka_unit_test(test_store_open_errors),
		T(test_store_reader_beside_writer),
		T(test_store_nested_begin_fails),
		T(test_store_signals_idempotent),
		T(test_store_replace_item),
		T(test_store_remove_item),
		T(test_store_items_and_first_seen),
		T(test_store_cursors),
		T(test_store_health),
		T(test_store_attribution_late_name),
		T(test_store_attribution_best_match),
		T(test_store_rebuild_equals_incremental),
		T(test_store_rebuild_links),
		T(test_store_rebuild_indexes),
		T(test_store_rebuild_read_ahead),
		T(test_store_rebuild_names_first),
		T(test_store_rebuild_write_fails),
		T(test_store_rebuild_read_fails),
		T(test_store_no_memory_statistics),
		T(test_store_deal_ids_stable),
		T(test_store_retention),
		T(test_store_salespeople),
		T(test_store_query_entries),
		T(test_store_links),
		T(test_store_query_signals),
		T(test_store_account_signals),
		T(test_store_won_signals),
		T(test_store_open_signals_sources),
		T(test_store_facts_at),
		T(test_store_lost_sources),
		T(test_store_query_reentry),
		T(test_store_query_window_bounded),
		T(test_store_funnel_window_bounded),
		cmocka_unit_test(test_report_median_select),
		T(test_store_query_signals_unattributed_bounded),
		T(test_store_links_replies_bounded),
		T(test_store_links_list_bounded),
		T(test_store_window_entries_bounded),
		T(test_store_copies_writers),
		T(test_store_migrate_activity),
		T(test_store_migrate_facts),
		T(test_store_facts_plans),
		T(test_store_history_late),
		T(test_store_history_first),
		T(test_store_team_deals),
		T(test_store_account_meetings),
		T(test_store_appointment_touches),
		T(test_store_migrate_copies),
		T(test_store_window_plans),
		T(test_store_digest_signals),
		T(test_store_series_first_creation),
		T(test_store_series_first_writers),
		T(test_store_series_first_occurrences),
		cmocka_unit_test(test_store_first_sync_no_statement_journal),
#undef T
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmpdir_cleanup();
	return rc;
}
