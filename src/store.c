/* SPDX-License-Identifier: MIT */
/*
 * The SQLite store: connection, schema and its migrations, transactions,
 * and the rows.  Signals are the facts and are written idempotently
 * (unique ref); deals and transitions are their projection (project.c);
 * a row without an account is attributed by name as it is written
 * (names.c).  The database runs in WAL mode so that readers (the CLI) work
 * while a writer holds a transaction.  Every statement of the store layer
 * is prepared once in store_open and always bound; no SQL is ever
 * formatted.
 *
 * This file does not project (project.c), match names (names.c), decide
 * phases (phases.c) nor classify anything.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define LOG_TAG "store"
#include "log.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

#define STORE_BUSY_MS		10000
#define STORE_BULK_CACHE	"2097152"	/* KiB of page cache for a bulk job */
#define STORE_BULK_MMAP		"4294967296"	/* bytes read through mmap then */
#define STORE_READ_MMAP		"4294967296"	/* bytes a read-only connection maps */
#define STORE_APPLICATION_ID	0x53614c43	/* "SaLC", our application_id */

/*
 * Schema migrations: element i takes user_version i to i + 1, so version 2
 * is one more string.  Each step sets user_version itself and runs inside
 * one transaction.  Version 1 is the schema agreed with report.c plus
 * items.first_seen, the match_words index and transitions_signal.
 */
/*
 * The statements of a trigger that set the first creation of the series
 * of row r ("old" or "new") again from its rows (schema version 11).
 */
#define STORE_SERIES_FIRST(r)						\
	"    DELETE FROM series_first WHERE salesperson = " r ".salesperson" \
	"    AND uid = " r ".uid;"						\
	"    INSERT INTO series_first SELECT salesperson, uid, created"	\
	"    FROM appointments WHERE salesperson = " r ".salesperson"	\
	"    AND uid = " r ".uid"						\
	"    AND COALESCE(account_id, matched_account_id) IS NOT NULL"	\
	"    ORDER BY created LIMIT 1;"

static const char *const store_migrations[] = {
	"CREATE TABLE salespeople(key TEXT PRIMARY KEY, name TEXT, manager TEXT);"
	"CREATE TABLE accounts(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);"
	"CREATE TABLE account_names(account_id INTEGER NOT NULL"
	"    REFERENCES accounts(id) ON DELETE CASCADE,"
	"    name TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY(account_id, name));"
	"CREATE INDEX account_names_name ON account_names(name);"
	"CREATE TABLE signals(id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE,"
	"    kind TEXT NOT NULL, account_id INTEGER REFERENCES accounts(id),"
	"    matched_account_id INTEGER REFERENCES accounts(id),"
	"    salesperson TEXT NOT NULL, occurred_at INTEGER NOT NULL,"
	"    direction TEXT NOT NULL, source TEXT NOT NULL, item TEXT NOT NULL,"
	"    rule TEXT, subject TEXT, value TEXT, match_text TEXT,"
	"    seen_at INTEGER NOT NULL);"
	"CREATE INDEX signals_account ON signals(account_id, occurred_at);"
	"CREATE INDEX signals_matched ON signals(matched_account_id)"
	"    WHERE matched_account_id IS NOT NULL;"
	"CREATE INDEX signals_item ON signals(source, item);"
	"CREATE INDEX signals_unattributed ON signals(id) WHERE account_id IS NULL;"
	"CREATE TABLE deals(id INTEGER PRIMARY KEY,"
	"    account_id INTEGER NOT NULL REFERENCES accounts(id),"
	"    seq INTEGER NOT NULL, salesperson TEXT NOT NULL, kind TEXT NOT NULL,"
	"    phase TEXT NOT NULL, outcome TEXT NOT NULL, opened INTEGER NOT NULL,"
	"    closed INTEGER, last_activity INTEGER NOT NULL, last_inbound INTEGER,"
	"    phase_since INTEGER NOT NULL, UNIQUE(account_id, seq));"
	"CREATE INDEX deals_salesperson ON deals(salesperson);"
	"CREATE TABLE transitions(id INTEGER PRIMARY KEY,"
	"    deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
	"    from_phase TEXT, to_phase TEXT NOT NULL, at INTEGER NOT NULL,"
	"    actor TEXT NOT NULL, signal_kind TEXT NOT NULL, source TEXT NOT NULL,"
	"    ref TEXT,"
	"    signal_id INTEGER REFERENCES signals(id) ON DELETE SET NULL,"
	"    left_at INTEGER);"
	"CREATE INDEX transitions_at ON transitions(at);"
	"CREATE INDEX transitions_deal ON transitions(deal_id);"
	"CREATE INDEX transitions_signal ON transitions(signal_id)"
	"    WHERE signal_id IS NOT NULL;"
	"CREATE TABLE appointments(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
	"    item TEXT NOT NULL, uid TEXT NOT NULL,"
	"    recurrence_id INTEGER NOT NULL DEFAULT 0, salesperson TEXT NOT NULL,"
	"    account_id INTEGER REFERENCES accounts(id),"
	"    matched_account_id INTEGER REFERENCES accounts(id),"
	"    match_text TEXT, kind TEXT NOT NULL, start INTEGER NOT NULL,"
	"    \"end\" INTEGER NOT NULL, all_day INTEGER NOT NULL, day TEXT NOT NULL,"
	"    created INTEGER NOT NULL, series INTEGER NOT NULL, summary TEXT,"
	"    UNIQUE(source, item, uid, recurrence_id));"
	"CREATE INDEX appointments_count ON appointments(day, salesperson, uid,"
	"    recurrence_id, account_id, matched_account_id);"
	"CREATE INDEX appointments_item ON appointments(source, item);"
	"CREATE TABLE items(source TEXT NOT NULL, item TEXT NOT NULL, version TEXT,"
	"    first_seen INTEGER, PRIMARY KEY(source, item));"
	"CREATE TABLE cursors(source TEXT NOT NULL, scope TEXT NOT NULL,"
	"    name TEXT NOT NULL, value TEXT NOT NULL,"
	"    PRIMARY KEY(source, scope, name));"
	"CREATE TABLE dirty(account TEXT PRIMARY KEY);"
	"CREATE TABLE health(source TEXT PRIMARY KEY, last_attempt INTEGER,"
	"    last_success INTEGER, backoff_until INTEGER, last_error TEXT,"
	"    error_since INTEGER);"
	"CREATE TABLE match_words(word TEXT NOT NULL,"
	"    signal_id INTEGER REFERENCES signals(id) ON DELETE CASCADE,"
	"    appointment_id INTEGER REFERENCES appointments(id) ON DELETE CASCADE);"
	"CREATE INDEX match_words_word ON match_words(word);"
	"CREATE INDEX match_words_signal ON match_words(signal_id)"
	"    WHERE signal_id IS NOT NULL;"
	"CREATE INDEX match_words_appointment ON match_words(appointment_id)"
	"    WHERE appointment_id IS NOT NULL;"
	"PRAGMA user_version = 1;",
	/*
	 * Version 2: marks the file as ours, so no program mistakes it; the
	 * record of digests (digest.c), which version 1 left to digest.c to
	 * create, gets a state and the Message-ID: a digest is claimed before
	 * it is sent, so that it is sent once.
	 */
	"PRAGMA application_id = 1398885443;"	/* STORE_APPLICATION_ID */
	"CREATE TABLE IF NOT EXISTS digests(period TEXT NOT NULL,"
	"    recipient TEXT NOT NULL, sent_at INTEGER NOT NULL,"
	"    PRIMARY KEY(period, recipient));"
	"ALTER TABLE digests ADD COLUMN state TEXT NOT NULL DEFAULT 'sent';"
	"ALTER TABLE digests ADD COLUMN message_id TEXT;"
	"PRAGMA user_version = 2;",
	/*
	 * Version 3: each salesperson's evidence is their own (classify.c):
	 * refs name the actor, "ACTOR/KIND:ACCOUNT:ID", so that the same
	 * meeting in two calendars is stored for both and a message read
	 * again is still recognised.  Manual and target signals and expired
	 * refs keep their form.  language: the language of the default rule
	 * that matched (nl, en, de, fr; rules.c), NULL for others.  ignored:
	 * why the projection ignored the signal (phases.c), NULL when it
	 * did not.  account_links: free-mail addresses linked to a company
	 * account (links.c); signals_message finds the signals of a
	 * Message-ID ("<id>" after the ref's ":") and message_replies the
	 * messages that answer one, for links through threads.
	 */
	"UPDATE signals SET ref = salesperson || '/' || ref"
	"    WHERE kind NOT IN ('manual', 'target')"
	"    AND substr(ref, 1, 8) <> 'expired:';"
	"ALTER TABLE signals ADD COLUMN language TEXT;"
	"ALTER TABLE signals ADD COLUMN ignored TEXT;"
	"CREATE TABLE account_links(account_id INTEGER PRIMARY KEY"
	"    REFERENCES accounts(id), target_id INTEGER NOT NULL"
	"    REFERENCES accounts(id), how TEXT NOT NULL,"
	"    linked_at INTEGER NOT NULL);"
	"CREATE INDEX account_links_target ON account_links(target_id);"
	"CREATE INDEX signals_message ON signals("
	"    substr(ref, instr(ref, ':<') + 1));"
	"CREATE TABLE message_replies(parent TEXT NOT NULL,"
	"    child TEXT NOT NULL, PRIMARY KEY(parent, child)) WITHOUT ROWID;"
	"PRAGMA user_version = 3;",
	/*
	 * Version 4: indexes that make a query with a window follow the
	 * window, not the history (issue 15): deals by close, the open
	 * deals, appointments by creation and each series' creations; a
	 * deal's entries (the forecast's history, a deal's offer) from the
	 * index alone, in order.
	 */
	"DROP INDEX IF EXISTS transitions_deal;"
	"CREATE INDEX transitions_deal ON transitions(deal_id, at, id,"
	"    to_phase);"
	"CREATE INDEX IF NOT EXISTS deals_closed ON deals(closed);"
	"CREATE INDEX IF NOT EXISTS deals_open ON deals(id)"
	"    WHERE outcome = 'open';"
	"CREATE INDEX IF NOT EXISTS appointments_created"
	"    ON appointments(created);"
	"CREATE INDEX IF NOT EXISTS appointments_series"
	"    ON appointments(salesperson, uid, created);"
	"PRAGMA user_version = 4;",
	/*
	 * Version 5: the iTIP messages of meetings a salesperson was invited
	 * to (pipeline.c): per source, UID and part ("organizer", "reply")
	 * the newest, reduced to what classification reads (event_reduce).
	 */
	"CREATE TABLE IF NOT EXISTS invitations(source TEXT NOT NULL,"
	"    uid TEXT NOT NULL,"
	"    part TEXT NOT NULL, version TEXT NOT NULL, body TEXT NOT NULL,"
	"    seen_at INTEGER NOT NULL, PRIMARY KEY(source, uid, part));"
	"PRAGMA user_version = 5;",
	/*
	 * Version 6: an account's appointments by start, so that `deal`
	 * finds its next meeting without reading every appointment.
	 */
	"CREATE INDEX IF NOT EXISTS appointments_account ON appointments("
	"    COALESCE(account_id, matched_account_id), start);"
	"PRAGMA user_version = 6;",
	/*
	 * Version 7: the signals that carry an amount (offers, values),
	 * with what reading the amount needs, so that `funnel` values
	 * every deal it counts by one join that reads this small index
	 * instead of a statement per deal reading every signal.  The
	 * transitions of a window by time, then deal: the order
	 * `transitions` prints, read from the index without sorting.
	 */
	"CREATE INDEX IF NOT EXISTS signals_offers ON signals(account_id,"
	"    occurred_at, kind, subject, value)"
	"    WHERE kind IN ('offer_sent', 'value');"
	"DROP INDEX IF EXISTS transitions_at;"
	"CREATE INDEX transitions_at ON transitions(at, deal_id);"
	"PRAGMA user_version = 7;",
	/*
	 * Version 8: a window's rows from one covering index in the order
	 * printed, instead of three random look-ups per row (the row, its
	 * deal, its account) in a file of gigabytes (issue 15).  Deals carry
	 * their account's key, transitions their deal's owner and account
	 * key (project.c writes them with every deal and transition; a key
	 * never changes and a deal never changes account).  transitions_
	 * window holds what `transitions` prints, by time; deals_open_rows
	 * what `deals` prints of the open deals, by id, and deals_closed the
	 * same of the closed ones by their close; the appointments' indexes
	 * by creation and by series carry the accounts that decide whether
	 * an appointment counts.
	 */
	"ALTER TABLE deals ADD COLUMN account TEXT;"
	"ALTER TABLE transitions ADD COLUMN owner TEXT;"
	"ALTER TABLE transitions ADD COLUMN account TEXT;"
	"UPDATE deals SET account = (SELECT key FROM accounts"
	"    WHERE id = deals.account_id);"
	"UPDATE transitions SET (owner, account) = (SELECT salesperson,"
	"    account FROM deals WHERE id = transitions.deal_id);"
	"CREATE INDEX transitions_window ON transitions(at, deal_id, id,"
	"    owner, account, actor, from_phase, to_phase, signal_kind,"
	"    source, ref);"
	"CREATE INDEX deals_open_rows ON deals(id, account, salesperson,"
	"    kind, phase, outcome, opened, closed, last_activity)"
	"    WHERE closed IS NULL;"
	"DROP INDEX IF EXISTS deals_closed;"
	"CREATE INDEX deals_closed ON deals(closed, id, account, salesperson,"
	"    kind, phase, outcome, opened, last_activity);"
	"DROP INDEX IF EXISTS appointments_created;"
	"CREATE INDEX appointments_created ON appointments(created,"
	"    salesperson, uid, account_id, matched_account_id);"
	"DROP INDEX IF EXISTS appointments_series;"
	"CREATE INDEX appointments_series ON appointments(salesperson, uid,"
	"    created, account_id, matched_account_id);"
	"PRAGMA user_version = 8;",
	/*
	 * Version 9: appointments_item went: the unique index on (source,
	 * item, uid, recurrence_id) finds an item's appointments as well,
	 * and every appointment a first sync wrote updated both.
	 */
	"DROP INDEX IF EXISTS appointments_item;"
	"PRAGMA user_version = 9;",
	/*
	 * Version 10: the funnel from covering indexes, so that its cost
	 * follows the window (issue 15 item 5).  A window's entries with
	 * when they were left (and what the moves after now left); the open
	 * deals by phase, with what valuing them needs; the closed deals by
	 * close, outcome and salesperson.  (A column in a partial index's
	 * condition is one more column of it, so that its queries, which
	 * name the condition, read no row.)  signals_valued replaces
	 * signals_offers: only the signals that can carry an amount
	 * (STORE_VALUED: an offer whose subject has a currency mark, a
	 * value), by the account that owns them or the one their text
	 * names, so that one probe per deal finds both.
	 */
	"DROP INDEX IF EXISTS signals_offers;"
	"CREATE INDEX IF NOT EXISTS signals_valued ON signals("
	"    COALESCE(account_id, matched_account_id), occurred_at, kind,"
	"    subject, value, account_id, matched_account_id)"
	"    WHERE " STORE_VALUED("") ";"
	"CREATE INDEX IF NOT EXISTS transitions_entries ON transitions(at,"
	"    to_phase, left_at, deal_id, from_phase);"
	"CREATE INDEX IF NOT EXISTS deals_open_phase ON deals(phase,"
	"    salesperson, account_id, opened, closed, outcome)"
	"    WHERE outcome = 'open';"
	"CREATE INDEX IF NOT EXISTS deals_closed_outcome ON deals(closed,"
	"    outcome, salesperson, phase, account_id, opened)"
	"    WHERE closed IS NOT NULL;"
	"PRAGMA user_version = 10;",
	/*
	 * Version 11: each series' first creation with an account (a series
	 * counts on it: `appointments --by created`), so that a window reads
	 * the series made in it from one index range instead of probing,
	 * for each, whether one of its rows was made before (85k probes in
	 * 30 days at 10M).  Triggers keep it, not the writers: every write
	 * of an appointment (an item's rows replaced or removed, a row
	 * attributed by name or no longer) moves the first creation of the
	 * series it leaves and of the one it joins, whoever writes it.
	 * Adding a row only lowers its series' first; removing or changing
	 * one looks the series' first row with an account up again, one
	 * probe of appointments_series in creation order.  (IF NOT
	 * EXISTS and the DELETE: a store set back to an older version is
	 * migrated again.)
	 */
	"CREATE TABLE IF NOT EXISTS series_first("
	"    salesperson TEXT NOT NULL, uid TEXT NOT NULL,"
	"    created INTEGER NOT NULL, PRIMARY KEY(salesperson, uid)) WITHOUT ROWID;"
	"DELETE FROM series_first;"
	"INSERT INTO series_first SELECT salesperson, uid, MIN(created)"
	"    FROM appointments"
	"    WHERE COALESCE(account_id, matched_account_id) IS NOT NULL"
	"    GROUP BY salesperson, uid;"
	"CREATE INDEX IF NOT EXISTS series_first_created"
	"    ON series_first(created, salesperson);"
	"CREATE TRIGGER IF NOT EXISTS series_first_add"
	"    AFTER INSERT ON appointments"
	"    WHEN COALESCE(new.account_id, new.matched_account_id)"
	"    IS NOT NULL BEGIN"
	"    INSERT INTO series_first VALUES(new.salesperson, new.uid,"
	"    new.created) ON CONFLICT(salesperson, uid) DO UPDATE"
	"    SET created = excluded.created"
	"    WHERE excluded.created < series_first.created; END;"
	"CREATE TRIGGER IF NOT EXISTS series_first_remove"
	"    AFTER DELETE ON appointments"
	"    WHEN COALESCE(old.account_id, old.matched_account_id)"
	"    IS NOT NULL BEGIN"
	STORE_SERIES_FIRST("old")
	"    END;"
	"CREATE TRIGGER IF NOT EXISTS series_first_change"
	"    AFTER UPDATE OF salesperson, uid, created, account_id,"
	"    matched_account_id ON appointments BEGIN"
	STORE_SERIES_FIRST("old")
	STORE_SERIES_FIRST("new")
	"    END;"
	/*
	 * And two indexes fewer for a rebuild to create (each a pass over
	 * its table and a sort): transitions_at (at, deal_id) is the start
	 * of transitions_window, which serves whatever it served; the
	 * closed deals are one index with what `deals` prints and what the
	 * funnel counts, where deals_closed and deals_closed_outcome held
	 * them twice (and deals_closed every open deal too).
	 */
	"DROP INDEX IF EXISTS transitions_at;"
	"DROP INDEX IF EXISTS deals_closed_outcome;"
	"DROP INDEX IF EXISTS deals_closed;"
	"CREATE INDEX deals_closed ON deals(closed, outcome, salesperson,"
	"    phase, account_id, opened, id, account, kind, last_activity)"
	"    WHERE closed IS NOT NULL;"
	"PRAGMA user_version = 11;",
	/*
	 * Version 12: the signals a digest reads (STORE_DIGESTED: offers
	 * sent, hashtags) by time, with what it reads of them, so that a
	 * digest reads its period and trend from one range of a small
	 * index instead of scanning every signal (issue 15 item 5).  The
	 * id after the time gives the order the digest walks them in.
	 */
	"CREATE INDEX IF NOT EXISTS signals_digested ON signals(occurred_at,"
	"    id, kind, salesperson, rule, value, ignored, direction,"
	"    account_id, matched_account_id)"
	"    WHERE " STORE_DIGESTED("") ";"
	"PRAGMA user_version = 12;",
	/*
	 * Version 13: a new row's series is lowered by its writer
	 * (store_appointment_insert), not by a trigger.  A trigger makes
	 * the INSERT a statement of several writes that can fail halfway,
	 * so SQLite kept a statement journal of every page each insert
	 * touched: a file in /var/tmp past 64 KiB, 280,000 writes and
	 * twice the CPU time of a first sync of 5,000 events.  Removing
	 * or changing rows stays with the triggers (every writer, rare);
	 * a change only when it moves a row between series or in time,
	 * or attributes it or no longer, not for each name match that
	 * finds the account it had.
	 */
	"DROP TRIGGER IF EXISTS series_first_add;"
	"DROP TRIGGER IF EXISTS series_first_change;"
	"CREATE TRIGGER series_first_change"
	"    AFTER UPDATE OF salesperson, uid, created, account_id,"
	"    matched_account_id ON appointments"
	"    WHEN old.salesperson IS NOT new.salesperson"
	"    OR old.uid IS NOT new.uid OR old.created IS NOT new.created"
	"    OR (COALESCE(old.account_id, old.matched_account_id) IS NULL)"
	"    IS NOT (COALESCE(new.account_id, new.matched_account_id)"
	"    IS NULL) BEGIN"
	STORE_SERIES_FIRST("old")
	STORE_SERIES_FIRST("new")
	"    END;"
	"PRAGMA user_version = 13;",
	/*
	 * Version 14: each salesperson's open deals, for the stalled deals
	 * of a manager's team and a salesperson's waiting offers: one range
	 * of their open deals (a few thousand at 10M signals) instead of
	 * every deal they ever had or every open deal of the company.
	 */
	"CREATE INDEX IF NOT EXISTS deals_open_salesperson"
	"    ON deals(salesperson, id) WHERE outcome = 'open';"
	"PRAGMA user_version = 14;",
	/*
	 * Version 15: an account's signals with their kind and direction,
	 * so that the won deals' activity and the open deals' signals read
	 * the index alone (each row from the table cost a random read: 18.8
	 * and 23.2 s of the sqlite3 shell at 10M signals, 2.8 and 1.0 s
	 * now); the table is read only for the few kinds whose text counts.
	 */
	"DROP INDEX IF EXISTS signals_account;"
	"CREATE INDEX signals_account ON signals(account_id, occurred_at,"
	"    kind, direction);"
	"PRAGMA user_version = 15;",
	/*
	 * Version 16: the few signals that state a fact of a deal's
	 * qualification, by account and time: `qualification` reads them
	 * for every open deal, which in signals_account meant stepping
	 * over each deal's other signals (3.4M index entries at 10M).
	 */
	"CREATE INDEX IF NOT EXISTS signals_facts"
	"    ON signals(account_id, occurred_at)"
	"    WHERE (kind IN ('decision', 'competitor', 'need', 'problem'));"
	"PRAGMA user_version = 16;",
	/*
	 * Version 17: the lost signals with their reason, which
	 * `lost-reasons` read from the table, a random read per lost deal.
	 * (Dropped first: a build between versions 16 and 17 made it in
	 * version 16 already.)
	 */
	"DROP INDEX IF EXISTS signals_lost;"
	"CREATE INDEX signals_lost ON signals(account_id, occurred_at,"
	"    matched_account_id, value) WHERE " STORE_LOST("") ";"
	"PRAGMA user_version = 17;",
	/*
	 * Version 18: what an open deal's signals say of its activity, and
	 * a won deal's quiet spells (activity.h), kept by the projection,
	 * so that the stalled deals read the deals instead of their
	 * signals (3.4M rows of the open deals at 10M signals, and every
	 * won deal's).  The accounts with an open or a won deal are left to
	 * project again (project_dirty: the agent's start, salescycle
	 * rebuild); until then the signals of a deal without it are read.
	 */
	"ALTER TABLE deals ADD COLUMN decision TEXT;"
	"ALTER TABLE deals ADD COLUMN act_at INTEGER;"
	"ALTER TABLE deals ADD COLUMN latest_signal INTEGER;"
	"ALTER TABLE deals ADD COLUMN latest_at INTEGER;"
	"ALTER TABLE deals ADD COLUMN only_target INTEGER;"
	"ALTER TABLE deals ADD COLUMN snoozed INTEGER;"
	"ALTER TABLE deals ADD COLUMN quiet_spells TEXT;"
	"ALTER TABLE deals ADD COLUMN entered_by TEXT;"
	"ALTER TABLE deals ADD COLUMN silence INTEGER;"
	"CREATE INDEX deals_won_spells ON deals(closed, quiet_spells)"
	"    WHERE outcome = 'won';"
	"INSERT OR IGNORE INTO dirty(account) SELECT a.key FROM deals d"
	"    JOIN accounts a ON a.id = d.account_id"
	"    WHERE d.outcome IN ('open', 'won');"
	"PRAGMA user_version = 18;",
	/*
	 * Version 19: signals_facts by the same kinds, compared one by one.
	 * SQLite tested a new signal against the IN list of version 16 by
	 * building a temporary b-tree of the four kinds, for every signal
	 * written: an eighth of the work of committing a first sync's
	 * signals.
	 */
	"DROP INDEX IF EXISTS signals_facts;"
	"CREATE INDEX signals_facts ON signals(account_id, occurred_at)"
	"    WHERE " STORE_FACTS("") ";"
	"PRAGMA user_version = 19;",
	/*
	 * Version 20: the signals that occurred at or after they were
	 * stored, by time, for the accounts with a signal at or after now
	 * (store_history_late): a forecast or a digest probed every
	 * account's newest signal for them (0.56 s at 10M signals and
	 * 500,000 accounts, for the few with an appointment ahead).  Mail
	 * is stored after it was sent, so the index holds little more
	 * than the appointments.  That holds while t is no earlier than
	 * any signal was stored, which signals_seen tells (its one row:
	 * the latest seen_at written); a command that started before the
	 * agent's last commit, or a clock set back, probes the accounts
	 * as before.  (Dropped first, as for version 17.)
	 */
	"DROP INDEX IF EXISTS signals_ahead;"
	"CREATE INDEX signals_ahead ON signals(occurred_at, account_id,"
	"    matched_account_id, seen_at) WHERE " STORE_AHEAD("") ";"
	"DROP TABLE IF EXISTS signals_seen;"
	"CREATE TABLE signals_seen(id INTEGER PRIMARY KEY CHECK (id = 1),"
	"    at INTEGER NOT NULL);"
	"INSERT INTO signals_seen SELECT 1, COALESCE(max(seen_at), 0)"
	"    FROM signals;"
	"PRAGMA user_version = 20;",
	/*
	 * Version 21: the history's signals by time, for its first
	 * (store_history_first): a forecast or a digest probed every
	 * account's oldest signal for it (0.4 s at 10M signals and 500,000
	 * accounts, a tenth of a digest's CPU); now one seek.  Signals are
	 * mostly stored in time order, so the index grows at its end.
	 */
	"DROP INDEX IF EXISTS signals_first;"
	"CREATE INDEX signals_first ON signals(occurred_at)"
	"    WHERE " STORE_ATTRIBUTED("") ";"
	"PRAGMA user_version = 21;",
	/*
	 * Version 22: one salesperson's open deals with what a listing
	 * prints (deals_open_rows by salesperson): a salesperson's or a
	 * team's deals of a window read their own range, not every open
	 * deal.
	 */
	"DROP INDEX IF EXISTS deals_open_rows_of;"
	"CREATE INDEX deals_open_rows_of ON deals(salesperson, id, account,"
	"    kind, phase, outcome, opened, closed, last_activity)"
	"    WHERE closed IS NULL;"
	"PRAGMA user_version = 22;",
};
#define STORE_VERSION \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

/* Every statement the store runs, prepared in store_open. */
#define STORE_STMTS(X)							\
	X(BEGIN, "BEGIN IMMEDIATE")					\
	X(COMMIT, "COMMIT")						\
	X(ROLLBACK, "ROLLBACK")						\
	X(PERSON_SET, "INSERT INTO salespeople(key, name, manager)"	\
	    " VALUES(?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET"	\
	    " name = excluded.name, manager = excluded.manager")	\
	X(ACCOUNT_GET, "SELECT id FROM accounts WHERE key = ?1")	\
	X(ACCOUNT_ADD, "INSERT INTO accounts(key) VALUES(?1)")		\
	/*								\
	 * The latest seen_at written (schema 20); by its row id, so	\
	 * that SQLite knows it writes one row and keeps no statement	\
	 * journal for it.						\
	 */								\
	X(SIGNAL_SEEN, "UPDATE signals_seen SET at = ?1"		\
	    " WHERE id = 1 AND at < ?1")				\
	X(SIGNAL_ADD, "INSERT INTO signals(ref, kind, account_id,"	\
	    " salesperson, occurred_at, direction, source, item, rule,"	\
	    " subject, value, match_text, seen_at, language) VALUES(?1, ?2,"	\
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"		\
	    " ON CONFLICT(ref) DO NOTHING")				\
	/*								\
	 * The accounts of an item's signals and appointments: the	\
	 * projection keeps a won deal's meetings (quiet_spells).	\
	 */								\
	X(SIGNAL_ITEM_ACCOUNTS, "SELECT DISTINCT a.key, m.key,"		\
	    " s.account_id IS NULL FROM signals s"			\
	    " LEFT JOIN accounts a ON a.id = s.account_id"		\
	    " LEFT JOIN accounts m ON m.id = s.matched_account_id"	\
	    " WHERE s.source = ?1 AND s.item = ?2"			\
	    " UNION SELECT a.key, m.key, 0 FROM appointments p"		\
	    " LEFT JOIN accounts a ON a.id = p.account_id"		\
	    " LEFT JOIN accounts m ON m.id = p.matched_account_id"	\
	    " WHERE p.source = ?1 AND p.item = ?2")			\
	X(SIGNAL_ITEM_REFS, "SELECT ref FROM signals"			\
	    " WHERE source = ?1 AND item = ?2")				\
	X(SIGNAL_ITEM_DELETE, "DELETE FROM signals"			\
	    " WHERE source = ?1 AND item = ?2")				\
	X(APPT_ADD, "INSERT INTO appointments(source, item, uid,"	\
	    " recurrence_id, salesperson, account_id, match_text, kind,"	\
	    " start, \"end\", all_day, day, created, series, summary)"	\
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"	\
	    " ?13, ?14, ?15) ON CONFLICT(source, item, uid, recurrence_id)" \
	    " DO NOTHING")						\
	/* Lowers the first creation of a new attributed row's series. */	\
	X(SERIES_FIRST_ADD, "INSERT INTO series_first VALUES(?1, ?2, ?3)" \
	    " ON CONFLICT(salesperson, uid) DO UPDATE"			\
	    " SET created = excluded.created"				\
	    " WHERE excluded.created < series_first.created")		\
	X(APPT_ITEM_DELETE, "DELETE FROM appointments"			\
	    " WHERE source = ?1 AND item = ?2")				\
	X(ITEM_LIST, "SELECT item, version FROM items WHERE source = ?1"	\
	    " ORDER BY item")						\
	X(ITEM_SET, "INSERT INTO items(source, item, version, first_seen)"	\
	    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(source, item)"		\
	    " DO UPDATE SET version = excluded.version")		\
	/* A new item's row; nothing when it has one (store_add_item). */ \
	X(ITEM_ADD, "INSERT INTO items(source, item, version, first_seen)"	\
	    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(source, item) DO NOTHING")	\
	X(ITEM_ROW, "SELECT version, first_seen FROM items"		\
	    " WHERE source = ?1 AND item = ?2")				\
	X(ITEM_DELETE, "DELETE FROM items WHERE source = ?1 AND item = ?2")	\
	X(INVITE_GET, "SELECT version, body FROM invitations"		\
	    " WHERE source = ?1 AND uid = ?2 AND part = ?3")		\
	X(INVITE_ANSWERS, "SELECT body FROM invitations"		\
	    " WHERE source = ?1 AND uid = ?2"				\
	    " AND substr(part, 1, 7) = 'answer:' ORDER BY part")	\
	X(INVITE_SET, "INSERT INTO invitations(source, uid, part,"	\
	    " version, body, seen_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"	\
	    " ON CONFLICT(source, uid, part) DO UPDATE SET"		\
	    " version = excluded.version, body = excluded.body,"	\
	    " seen_at = excluded.seen_at")				\
	X(CURSOR_GET, "SELECT value FROM cursors WHERE source = ?1"	\
	    " AND scope = ?2 AND name = ?3")				\
	X(CURSOR_SET, "INSERT INTO cursors(source, scope, name, value)"	\
	    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(source, scope, name)"	\
	    " DO UPDATE SET value = excluded.value")			\
	X(CURSOR_DELETE, "DELETE FROM cursors WHERE source = ?1"	\
	    " AND scope = ?2 AND name = ?3")				\
	X(CURSOR_CLEAR, "DELETE FROM cursors WHERE source = ?1"		\
	    " AND scope = ?2")						\
	X(CURSOR_LIST, "SELECT scope, name, value FROM cursors"		\
	    " WHERE source = ?1 ORDER BY scope, name")			\
	X(HEALTH_OK, "INSERT INTO health(source, last_attempt,"	\
	    " last_success) VALUES(?1, ?2, ?2) ON CONFLICT(source)"	\
	    " DO UPDATE SET last_attempt = ?2, last_success = ?2,"	\
	    " backoff_until = NULL, last_error = NULL, error_since = NULL") \
	X(HEALTH_FAIL, "INSERT INTO health(source, last_attempt,"	\
	    " backoff_until, last_error, error_since)"			\
	    " VALUES(?1, ?2, ?3, ?4, ?2) ON CONFLICT(source)"		\
	    " DO UPDATE SET last_attempt = ?2, backoff_until = ?3,"	\
	    " last_error = ?4,"						\
	    " error_since = COALESCE(health.error_since, ?2)")		\
	X(HEALTH_LIST, "SELECT source, last_attempt, last_success,"	\
	    " backoff_until, last_error, error_since FROM health"	\
	    " ORDER BY source")						\
	X(DIGEST_TAKEN, "SELECT 1 FROM digests WHERE period = ?1"	\
	    " AND recipient = ?2 AND state IN ('sent', 'claimed')")	\
	X(DIGEST_GET, "SELECT state, message_id FROM digests"		\
	    " WHERE period = ?1 AND recipient = ?2")			\
	X(DIGEST_CLAIM, "INSERT INTO digests(period, recipient, sent_at,"	\
	    " state, message_id) VALUES (?1, ?2, ?4, 'claimed', ?3)"	\
	    " ON CONFLICT(period, recipient) DO UPDATE SET sent_at = ?4,"	\
	    " state = 'claimed', message_id = ?3")			\
	/* Only our own claim: a later forced send may have taken the row. */ \
	X(DIGEST_SENT, "UPDATE digests SET state = 'sent', sent_at = ?4"	\
	    " WHERE period = ?1 AND recipient = ?2 AND message_id = ?3")	\
	X(DIGEST_FAILED, "UPDATE digests SET state = 'failed',"	\
	    " sent_at = ?4 WHERE period = ?1 AND recipient = ?2"	\
	    " AND message_id = ?3 AND state = 'claimed'")		\
	X(RETAIN_SIGNALS, "UPDATE signals SET subject = NULL,"		\
	    " ref = 'expired:' || id WHERE occurred_at < ?1"		\
	    " AND (subject IS NOT NULL OR substr(ref, 1, 8) <> 'expired:')") \
	X(RETAIN_TRANS, "UPDATE transitions SET ref = NULL"		\
	    " WHERE at < ?1 AND ref IS NOT NULL")			\
	X(RETAIN_APPTS, "UPDATE appointments SET summary = NULL"	\
	    " WHERE start < ?1 AND summary IS NOT NULL")			\
	X(RETAIN_INVITES, "DELETE FROM invitations WHERE seen_at < ?1")

#define STORE_STMT_NAME(e, sql)	STORE_STMT_ENUM(STMT_##e, sql)
enum store_stmt {
	STORE_STMTS(STORE_STMT_NAME)
	STMT__COUNT
};

static const char *const store_sql[] = {
	STORE_STMTS(STORE_STMT_SQL)
};

static const struct store_part store_own_part = { "store", store_sql,
    STMT__COUNT };

/* The statement lists of the store layer's modules, by enum store_part_id. */
static const struct store_part *const store_parts[STORE_PART__COUNT] = {
	[STORE_PART_STORE] = &store_own_part,
	[STORE_PART_NAMES] = &names_part,
	[STORE_PART_PROJECT] = &project_part,
	[STORE_PART_QUERY] = &store_query_part,
	[STORE_PART_LINKS] = &links_part,
};

void
store_ids_add(struct store_ids *ids, int64_t id)
{
	if (ids->n == ids->cap) {
		ids->cap = ids->cap == 0 ? 16 : ids->cap * 2;
		ids->v = xreallocarray(ids->v, ids->cap, sizeof *ids->v);
	}
	ids->v[ids->n++] = id;
}

void
store_ids_free(struct store_ids *ids)
{
	free(ids->v);
	memset(ids, 0, sizeof *ids);
}

/* Maps an SQLite result code to an error class: busy is worth a retry. */
static enum err_class
store_err_class(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return ERR_TEMP;
	default:
		return ERR_FINAL;
	}
}

/*
 * For an I/O error the operating system's reason is named too: "disk I/O
 * error" alone does not tell a full disk from a permission problem.
 */
int
store_fail(struct store *st, int rc, struct err *err, const char *what)
{
	int sys = sqlite3_system_errno(st->db);

	if (sys != 0 && ((rc & 0xff) == SQLITE_IOERR ||
	    (rc & 0xff) == SQLITE_CANTOPEN))
		return err_set(err, store_err_class(rc), "%s: %s (%s)", what,
		    sqlite3_errmsg(st->db), strerror(sys));
	return err_set(err, store_err_class(rc), "%s: %s", what,
	    sqlite3_errmsg(st->db));
}

sqlite3_stmt *
store_stmt(struct store *st, enum store_part_id part, int id)
{
	sqlite3_stmt *s = st->stmt[part][id];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* The statement id of the store's own part, ready to bind. */
static sqlite3_stmt *
store_own(struct store *st, enum store_stmt id)
{
	return store_stmt(st, STORE_PART_STORE, id);
}

void
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

void
store_bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

void
store_bind_time(sqlite3_stmt *s, int i, time_t v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

const char *
store_column_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

time_t
store_column_time(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return 0;
	return (time_t)sqlite3_column_int64(s, i);
}

int
store_run(struct store *st, sqlite3_stmt *s, struct err *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, err, what);
	return 0;
}

int
store_done(struct store *st, sqlite3_stmt *s, int rc, struct err *err,
    const char *what)
{
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, what);
	return 0;
}

/* Runs a whole SQL script (migrations, pragmas); no values are involved. */
static int
store_exec(struct store *st, const char *sql, struct err *err, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, what);
	return 0;
}

/* The integer a query without values returns (a pragma, a count). */
static int
store_query_int(struct store *st, const char *sql, int *out, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, "reading the schema");
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	if (rc == SQLITE_ROW)
		rc = SQLITE_OK;
	else
		store_fail(st, rc, err, "reading the schema");
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Reads PRAGMA user_version. */
static int
store_user_version(struct store *st, int *out, struct err *err)
{
	return store_query_int(st, "PRAGMA user_version", out, err);
}

/*
 * Refuses a database of another program: one with another application_id,
 * or one without ours whose schema is not salescycle's (user_version 0
 * with tables, or a version without our tables).  Adding our tables and
 * thousands of signals to someone else's file would be hard to undo.
 */
static int
store_check_ours(struct store *st, int version, struct err *err)
{
	int app, n;

	if (store_query_int(st, "PRAGMA application_id", &app, err) != 0)
		return -1;
	if (app == STORE_APPLICATION_ID)
		return 0;
	if (app != 0)
		return err_set(err, ERR_FINAL, "not a salescycle database "
		    "(application_id 0x%08x); refusing to touch it",
		    (unsigned)app);
	if (version == 0) {
		if (store_query_int(st, "SELECT count(*) FROM sqlite_schema",
		    &n, err) != 0)
			return -1;
		if (n == 0)
			return 0;	/* new and empty */
		return err_set(err, ERR_FINAL, "not a salescycle database: it "
		    "holds %d tables, indexes or views of another program; "
		    "refusing to add ours (configure another database)", n);
	}
	/* Version 1 had no application_id yet: its tables tell. */
	if (store_query_int(st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'table' AND name IN ('signals', 'deals',"
	    " 'accounts', 'cursors')", &n, err) != 0)
		return -1;
	if (n != 4)
		return err_set(err, ERR_FINAL, "not a salescycle database "
		    "(user_version %d, but none of its tables); refusing to "
		    "touch it", version);
	return 0;
}

/*
 * Brings the schema to STORE_VERSION, one step per transaction; a new
 * database takes every step in one, and is said to be created, not
 * migrated.  The version is read again inside the transaction so that
 * two processes opening a new database at once do not both migrate it.
 */
static int
store_migrate(struct store *st, struct err *err)
{
	int v;

	for (;;) {
		if (store_exec(st, "BEGIN IMMEDIATE", err, "migrate") != 0)
			return -1;
		if (store_user_version(st, &v, err) != 0)
			goto fail;
		if (store_check_ours(st, v, err) != 0)
			goto fail;
		if (v > STORE_VERSION) {
			err_set(err, ERR_FINAL, "database schema version %d is "
			    "newer than this program's (%d)", v, STORE_VERSION);
			goto fail;
		}
		if (v == STORE_VERSION)
			return store_exec(st, "COMMIT", err, "migrate");
		if (v == 0) {
			log_info("creating the database (schema version %d)",
			    STORE_VERSION);
			for (; v < STORE_VERSION; v++)
				if (store_exec(st, store_migrations[v], err,
				    "create") != 0)
					goto fail;
			return store_exec(st, "COMMIT", err, "create");
		}
		log_info("migrating the database from version %d to %d",
		    v, v + 1);
		if (store_exec(st, store_migrations[v], err, "migrate") != 0 ||
		    store_exec(st, "COMMIT", err, "migrate") != 0)
			goto fail;
	}
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Sets the connection up: busy timeout, foreign keys, WAL for writers.
 * The -wal and -shm files persist when the last connection closes: a
 * reader who may not write to the database's folder (a manager in the
 * readers' group) can open a WAL database read-only only when they exist.
 * journal_size_limit keeps the persisting -wal small.
 */
static int
store_configure(struct store *st, struct err *err)
{
	sqlite3_stmt *s;
	const char *mode;
	int rc, persist = 1;

	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL,
	    &persist);
	if (store_exec(st, "PRAGMA foreign_keys = ON", err, "foreign_keys") != 0)
		return -1;
	/*
	 * A query or a digest reads much of the file once: through pread()
	 * with the default 2 MB cache the kernel copied every page, 10-25 %
	 * of a whole-history query.  Mapped, SQLite reads the page cache in
	 * place; the mapping is the kernel's shared cache, not this process'
	 * memory.  The agent (a writer) keeps the default: its peak RSS is
	 * bounded (issue 15) and it reads little per poll.
	 */
	if (st->readonly)
		return store_exec(st, "PRAGMA mmap_size = " STORE_READ_MMAP,
		    err, "mmap_size");
	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, "journal_mode");
	rc = sqlite3_step(s);
	mode = rc == SQLITE_ROW ? store_column_text(s, 0) : NULL;
	if (mode == NULL || strcmp(mode, "wal") != 0)
		log_warn("%s: cannot switch to WAL mode, readers may wait",
		    sqlite3_db_filename(st->db, "main"));
	sqlite3_finalize(s);
	if (store_exec(st, "PRAGMA journal_size_limit = 16777216", err,
	    "journal_size_limit") != 0)
		return -1;
	return store_exec(st, "PRAGMA synchronous = NORMAL", err, "synchronous");
}

/* Whether the -shm file beside the database is missing. */
static bool
store_missing_shm(const char *path)
{
	struct stat sb;
	char *shm = xasprintf("%s-shm", path);
	bool missing = stat(shm, &sb) != 0 && errno == ENOENT;

	free(shm);
	return missing;
}

/* Prepares the statements of every part of the store layer. */
static int
store_prepare(struct store *st, struct err *err)
{
	const struct store_part *p;
	size_t part, i;
	int rc;

	for (part = 0; part < STORE_PART__COUNT; part++) {
		p = store_parts[part];
		st->stmt[part] = xcalloc(p->n, sizeof *st->stmt[part]);
		for (i = 0; i < p->n; i++) {
			rc = sqlite3_prepare_v3(st->db, p->sql[i], -1,
			    SQLITE_PREPARE_PERSISTENT, &st->stmt[part][i],
			    NULL);
			if (rc != SQLITE_OK)
				return err_set(err, ERR_FINAL, "preparing %s "
				    "statement %zu: %s", p->name, i,
				    sqlite3_errmsg(st->db));
		}
	}
	return 0;
}

#ifdef SC_TEST_HOOKS
/*
 * SALESCYCLE_TEST_TRACE_SQL: every statement run after the open, with its
 * values filled in and its time, on stderr ("sql-trace USEC SQL"), so that
 * contrib/bench/store-bench.py shows the plan of what a command runs and
 * times the same SQL in the sqlite3 shell.
 */
static int
store_trace(unsigned type, void *ctx, void *p, void *x)
{
	char *sql;

	(void)ctx;
	if (type != SQLITE_TRACE_PROFILE)
		return 0;
	sql = sqlite3_expanded_sql(p);
	if (sql != NULL)
		fprintf(stderr, "sql-trace %lld %s\n",
		    (long long)(*(sqlite3_int64 *)x / 1000), sql);
	sqlite3_free(sql);
	return 0;
}
#endif

/*
 * SQLite's allocation statistics take one mutex of the process on every
 * malloc and free: the connections of different threads (the agent's
 * workers and queues, a rebuild's reader and writer) waited on each
 * other for figures nothing here reads.  It must come before SQLite is
 * initialized; should another part of the process have come first, it
 * stays as it was.
 */
static void
store_library_init(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		log_debug("SQLite was started before the store: it counts "
		    "its allocations");
}

int
store_open(const char *path, int flags, struct store **out, struct err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store *st;
	char why[sizeof err->msg];
	int oflags, rc, v;

	*out = NULL;
	err_clear(err);
	pthread_once(&once, store_library_init);
	st = xcalloc(1, sizeof *st);
	st->readonly = (flags & STORE_READONLY) != 0;
	oflags = st->readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (st->db == NULL)
			err_set(err, ERR_FINAL, "cannot open: out of memory");
		else
			store_fail(st, rc, err, "cannot open");
		goto fail;
	}
	/* SQLite quietly opens a file it may not write read-only. */
	if (!st->readonly && sqlite3_db_readonly(st->db, "main") == 1) {
		err_set(err, ERR_FINAL, "cannot write to it: this user may "
		    "only read it");
		goto fail;
	}
	if (store_configure(st, err) != 0)
		goto fail;
	if (!st->readonly && (flags & STORE_MIGRATED) == 0) {
		if (store_migrate(st, err) != 0)
			goto fail;
	} else {
		if (store_user_version(st, &v, err) != 0 ||
		    store_check_ours(st, v, err) != 0)
			goto fail;
		if (v != STORE_VERSION) {
			err_set(err, ERR_FINAL, "schema version %d, this "
			    "program reads version %d%s", v, STORE_VERSION,
			    v == 0 ? " (never written: start salescycled or "
			    "run salescycle import first)" : v < STORE_VERSION ?
			    " (salescycled updates it when it starts)" : "");
			goto fail;
		}
	}
	if (store_prepare(st, err) != 0)
		goto fail;
#ifdef SC_TEST_HOOKS
	if (getenv("SALESCYCLE_TEST_TRACE_SQL") != NULL)
		sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, store_trace, NULL);
#endif
	*out = st;
	return 0;
fail:
	/*
	 * A reader who may not create files in the folder cannot open a
	 * WAL database whose -shm is missing (a version before 2 removed it
	 * when the last writer closed): say so rather than "readonly".
	 */
	if (st->readonly && st->db != NULL &&
	    (sqlite3_errcode(st->db) & 0xff) == SQLITE_READONLY &&
	    store_missing_shm(path))
		err_set(err, ERR_FINAL, "cannot read it: its -shm file is "
		    "missing and this user may not create it; it stays once "
		    "salescycled has run");
	/* Every error of the open names the file. */
	snprintf(why, sizeof why, "%s", err->msg);
	err_set(err, err->cls != ERR_NONE ? err->cls : ERR_FINAL, "%s: %s",
	    path, why);
	store_close(st);
	return -1;
}

/*
 * Gives one file its mode (and group), by path: SQLite holds POSIX locks
 * on these files, and closing any descriptor of them in this process
 * would drop those locks.  Changed only when it differs, and only by its
 * owner (or root); a link is refused, a missing file is fine.
 */
static int
store_file_access(const char *path, mode_t mode, gid_t gid, bool group,
    const char *group_name, struct err *err)
{
	struct stat sb;

	if (lstat(path, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, ERR_FINAL, "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return err_set(err, ERR_FINAL, "%s: not a regular file", path);
	if (group && sb.st_gid != gid &&
	    fchownat(AT_FDCWD, path, (uid_t)-1, gid, AT_SYMLINK_NOFOLLOW) != 0)
		return err_set(err, ERR_FINAL, "%s: cannot give it to group "
		    "%s: %s (the user must be its owner and a member of the "
		    "group)", path, group_name, strerror(errno));
	if ((sb.st_mode & 07777) == mode)
		return 0;
	if (fchmodat(AT_FDCWD, path, mode, 0) != 0)
		return err_set(err, ERR_FINAL, "%s: mode %04o, cannot make it "
		    "%04o: %s", path, (unsigned)(sb.st_mode & 07777),
		    (unsigned)mode, strerror(errno));
	if ((sb.st_mode & 0077 & ~mode) != 0)
		log_warn("%s: was mode %04o, now %04o%s", path,
		    (unsigned)(sb.st_mode & 07777), (unsigned)mode, group ? "" :
		    " (set [general] group to share it with a readers' group)");
	return 0;
}

int
store_set_access(struct store *st, const char *group_name, gid_t gid,
    struct err *err)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	const char *path = sqlite3_db_filename(st->db, "main");
	mode_t mode = group_name != NULL ? STORE_MODE_GROUP :
	    STORE_MODE_PRIVATE;
	char *p;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof suffix / sizeof suffix[0] && rc == 0; i++) {
		p = xasprintf("%s%s", path, suffix[i]);
		rc = store_file_access(p, mode, gid, group_name != NULL,
		    group_name, err);
		free(p);
	}
	return rc;
}

bool
store_group_can_enter(const char *path, const char *group_name, gid_t gid,
    char *why, size_t len)
{
	struct stat	 sb;
	char		*copy, *slash;
	bool		 ok;

	copy = xstrdup(path);
	slash = strrchr(copy, '/');
	if (slash == NULL)
		snprintf(copy, strlen(copy) + 1, ".");
	else if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(copy, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		free(copy);
		return true;
	}
	ok = (sb.st_mode & S_IXOTH) != 0 ||
	    (sb.st_gid == gid && (sb.st_mode & S_IXGRP) != 0);
	if (!ok)
		snprintf(why, len, "%s: the readers' group %s cannot enter it "
		    "(mode %04o%s), so its members cannot read the database: "
		    "chgrp %s %s && chmod g+x %s (StateDirectoryMode=0750 "
		    "with Group=%s in the unit)", copy, group_name,
		    (unsigned)(sb.st_mode & 07777), sb.st_gid == gid ? "" :
		    ", another group", group_name, copy, copy, group_name);
	free(copy);
	return ok;
}

int
store_lock(const char *path, int *fd, struct err *err)
{
	char *lock, pid[32], held[32];
	ssize_t n;
	int f;

	*fd = -1;
	lock = xasprintf("%s.lock", path);
	f = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f < 0) {
		err_set(err, ERR_FINAL, "%s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			n = pread(f, held, sizeof held - 1, 0);
			held[n > 0 ? n : 0] = '\0';
			held[strcspn(held, "\n")] = '\0';
			err_set(err, ERR_FINAL, "%s: another salescycled%s%s%s "
			    "works on this database; one agent per database",
			    lock, held[0] != '\0' ? " (pid " : "", held,
			    held[0] != '\0' ? ")" : "");
		} else
			err_set(err, ERR_FINAL, "%s: cannot lock: %s", lock,
			    strerror(errno));
		close(f);
		free(lock);
		return -1;
	}
	/* For the message of the next one; the lock itself is what counts. */
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (fchmod(f, STORE_MODE_PRIVATE) != 0 || ftruncate(f, 0) != 0 ||
	    pwrite(f, pid, strlen(pid), 0) < 0)
		log_warn("%s: %s", lock, strerror(errno));
	free(lock);
	*fd = f;
	return 0;
}

bool
store_open_reader(struct store *st, struct store **out)
{
	const char *path = sqlite3_db_filename(st->db, "main");
	struct err ignored;

	*out = NULL;
	return path != NULL && path[0] != '\0' &&
	    store_open(path, STORE_READONLY, out, &ignored) == 0;
}

bool
store_writing(struct store *st)
{
	return sqlite3_txn_state(st->db, "main") == SQLITE_TXN_WRITE;
}

static void *
store_beside_main(void *arg)
{
	struct store_beside *b = arg;

	b->rc = store_snapshot(b->st, &b->err);
	if (b->rc == 0)
		b->rc = b->fn(b->st, b->arg, &b->err);
	return NULL;
}

bool
store_beside_start(struct store *st, struct store_beside *b,
    int (*fn)(struct store *, void *, struct err *), void *arg)
{
	memset(b, 0, sizeof *b);
	b->fn = fn;
	b->arg = arg;
	if (util_one_thread || store_writing(st) ||
	    !store_open_reader(st, &b->st))
		return false;
	if (util_thread_start(&b->tid, store_beside_main, b))
		return true;
	store_close(b->st);
	return false;
}

int
store_beside_join(struct store_beside *b, int rc, struct err *err)
{
	pthread_join(b->tid, NULL);
	store_close(b->st);
	if (rc == 0 && b->rc != 0) {
		*err = b->err;
		rc = -1;
	}
	return rc;
}

void
store_close(struct store *st)
{
	size_t part, i;

	if (st == NULL)
		return;
	if (st->in_txn)
		store_rollback(st);
	for (part = 0; part < STORE_PART__COUNT; part++) {
		for (i = 0; st->stmt[part] != NULL &&
		    i < store_parts[part]->n; i++)
			sqlite3_finalize(st->stmt[part][i]);
		free(st->stmt[part]);
	}
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warn("closing the database: %s", sqlite3_errmsg(st->db));
	strlist_clear(&st->pending);
	free(st);
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

/*
 * A bulk job reads every signal in the order of accounts, which is not
 * the order of the file, and writes every deal and transition with their
 * indexes: with SQLite's default 2 MB cache nearly every page came from a
 * pread() again and dirty pages went to the WAL many times over (half of
 * rebuild's time at 500k signals was in the kernel).  A cache that holds
 * the indexes and reads through mmap do each once.  Only a bound: the
 * cache grows with what the job touches.  2 GiB, since SQLite maps no
 * more than 2 GB: at 10M signals (a 4.6 GB file) the signals past the
 * mapping were read again and again through a cache of 512 MiB: some
 * 14 s of its 80 s of CPU (peak RSS 2.9 GB then, 3.9 GB now).  The
 * cache alone, without the map, took 10% more CPU at 10M on a quiet
 * machine (the kernel copying each page read), though less on a
 * loaded one.
 */
int
store_bulk(struct store *st, bool on, struct err *err)
{
	return store_exec(st, on ? "PRAGMA cache_size = -" STORE_BULK_CACHE ";"
	    "PRAGMA mmap_size = " STORE_BULK_MMAP : "PRAGMA cache_size = -2000;"
	    "PRAGMA mmap_size = 0", err, "bulk");
}

int
store_begin(struct store *st, struct err *err)
{
	if (st->in_txn)
		return err_set(err, ERR_FINAL, "transaction already open");
	if (store_run(st, store_own(st, STMT_BEGIN), err, "begin") != 0)
		return -1;
	st->in_txn = true;
	return 0;
}

int
store_snapshot(struct store *st, struct err *err)
{
	if (st->in_txn)
		return err_set(err, ERR_FINAL, "transaction already open");
	if (store_exec(st, "BEGIN", err, "snapshot") != 0)
		return -1;
	st->in_txn = true;
	return 0;
}

int
store_commit(struct store *st, struct err *err)
{
	if (!st->in_txn)
		return err_set(err, ERR_FINAL, "commit without a transaction");
	if (store_run(st, store_own(st, STMT_COMMIT), err, "commit") != 0) {
		store_rollback(st);
		return -1;
	}
	st->in_txn = false;
	return 0;
}

void
store_rollback(struct store *st)
{
	sqlite3_stmt *s;

	if (!st->in_txn)
		return;
	st->in_txn = false;
	/* What was re-attributed in this transaction is undone with it. */
	strlist_clear(&st->pending);
	if (sqlite3_get_autocommit(st->db))
		return;		/* SQLite rolled back already */
	s = store_own(st, STMT_ROLLBACK);
	if (sqlite3_step(s) != SQLITE_DONE)
		log_warn("rollback: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
}

int
store_auto_begin(struct store *st, bool *own, struct err *err)
{
	*own = !st->in_txn;
	if (*own)
		return store_begin(st, err);
	return 0;
}

int
store_auto_end(struct store *st, bool own, int rc, struct err *err)
{
	if (!own)
		return rc;
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

void
store_touch(struct store *st, struct strlist *touched, const char *key)
{
	strlist_add_once(touched != NULL ? touched : &st->pending, key);
}

int
store_account_find(struct store *st, const char *key, int64_t *id,
    struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_ACCOUNT_GET);
	int rc;

	*id = 0;
	store_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "account");
}

int
store_account(struct store *st, const char *key, int64_t *id,
    struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;

	if (store_account_find(st, key, id, err) != 0)
		return -1;
	if (*id != 0)
		return 0;
	s = store_own(st, STMT_ACCOUNT_ADD);
	store_bind_text(s, 1, key);
	if (store_run(st, s, err, "new account") != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return names_account_new(st, *id, key, touched, err);
}

int
store_sync_salespeople(struct store *st, const struct config *cfg,
    struct err *err)
{
	sqlite3_stmt *s;
	size_t i;
	bool own;
	int rc = 0;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	for (i = 0; i < cfg->npeople && rc == 0; i++) {
		s = store_own(st, STMT_PERSON_SET);
		store_bind_text(s, 1, cfg->people[i].key);
		store_bind_text(s, 2, cfg->people[i].name);
		store_bind_text(s, 3, cfg->people[i].manager);
		rc = store_run(st, s, err, "salespeople");
	}
	return store_auto_end(st, own, rc, err);
}

/* Inserts one signal; *added tells whether it was new. */
static int
store_signal_insert(struct store *st, const struct signal *sig, time_t now,
    struct strlist *touched, bool *added, struct err *err)
{
	sqlite3_stmt *s;
	int64_t account = 0, id;

	*added = false;
	if (sig->ref == NULL || sig->salesperson == NULL ||
	    sig->source == NULL || sig->item == NULL ||
	    (unsigned)sig->kind >= SIG__COUNT) {
		log_warn("%s: %s: incomplete signal skipped",
		    sig->source != NULL ? sig->source : "?",
		    sig->ref != NULL ? sig->ref : "?");
		return 0;
	}
	if (sig->account != NULL &&
	    store_account(st, sig->account, &account, touched, err) != 0)
		return -1;

	s = store_own(st, STMT_SIGNAL_ADD);
	store_bind_text(s, 1, sig->ref);
	store_bind_text(s, 2, signal_kind_name(sig->kind));
	store_bind_id(s, 3, account);
	store_bind_text(s, 4, sig->salesperson);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)sig->occurred_at);
	store_bind_text(s, 6, direction_name(sig->dir));
	store_bind_text(s, 7, sig->source);
	store_bind_text(s, 8, sig->item);
	store_bind_text(s, 9, sig->rule);
	store_bind_text(s, 10, sig->subject);
	store_bind_text(s, 11, sig->value);
	store_bind_text(s, 12, account == 0 ? sig->match_text : NULL);
	sqlite3_bind_int64(s, 13, (sqlite3_int64)now);
	store_bind_text(s, 14, sig->language);
	if (store_run(st, s, err, "signal") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 0;
	*added = true;
	if (account != 0) {
		store_touch(st, touched, sig->account);
		return 0;
	}
	id = sqlite3_last_insert_rowid(st->db);
	store_touch(st, touched, "");
	return names_attribute(st, false, id, sig->match_text, touched, err);
}

/* store_add_signals inside the caller's transaction. */
static int
store_add_signals_txn(struct store *st, const struct signal_list *sigs,
    struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	time_t now = util_now();
	size_t i;
	bool added;
	int n = 0;

	for (i = 0; i < sigs->n; i++) {
		if (store_signal_insert(st, &sigs->v[i], now, touched, &added,
		    err) != 0)
			return -1;
		if (added)
			n++;
	}
	if (n > 0) {
		s = store_own(st, STMT_SIGNAL_SEEN);
		sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
		if (store_run(st, s, err, "signals seen") != 0)
			return -1;
	}
	return n;
}

int
store_add_signals(struct store *st, const struct signal_list *sigs,
    struct strlist *touched, struct err *err)
{
	bool own;
	int n;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	n = store_add_signals_txn(st, sigs, touched, err);
	if (store_auto_end(st, own, n < 0 ? -1 : 0, err) != 0)
		return -1;
	return n;
}

/*
 * The account of the appointment written last, in one transaction, and
 * the series whose first creation it lowered last.
 */
struct store_last_account {
	const char	*key;	/* borrowed from the appointment */
	int64_t		 id;
	const char	*sp;	/* borrowed: the series' salesperson */
	const char	*uid;	/* borrowed: the series' UID */
	time_t		 created; /* what series_first holds for it, at most */
};

/*
 * Inserts one appointment, attributing it by text when it has no account.
 * The occurrences of an event share their account: last (NULL: none) saves
 * looking it up for each one.
 */
/*
 * A new row with an account: its series starts no later than it does.
 * A row attributed later by name moves its series through the
 * series_first_change trigger.
 */
static int
store_series_first_add(struct store *st, const struct appointment *a,
    struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_SERIES_FIRST_ADD);

	store_bind_text(s, 1, a->salesperson);
	store_bind_text(s, 2, a->uid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)a->created);
	return store_run(st, s, err, "series");
}

/*
 * Lowers the new row's series, unless the row written before it in this
 * transaction lowered the same series to no later: the occurrences of
 * an event share their UID and creation, and an upsert that changes
 * nothing cost a first sync of 5,000 events (500 weekly series of 20)
 * some 9,500 statements.
 */
static int
store_series_first_lower(struct store *st, const struct appointment *a,
    struct store_last_account *last, struct err *err)
{
	if (last != NULL && last->uid != NULL &&
	    strcmp(last->uid, a->uid) == 0 &&
	    strcmp(last->sp, a->salesperson) == 0 &&
	    last->created <= a->created)
		return 0;
	if (store_series_first_add(st, a, err) != 0)
		return -1;
	if (last != NULL) {
		last->sp = a->salesperson;
		last->uid = a->uid;
		last->created = a->created;
	}
	return 0;
}

static int
store_appointment_insert(struct store *st, const struct appointment *a,
    struct store_last_account *last, struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	int64_t account = 0, id;

	if (a->source == NULL || a->item == NULL || a->uid == NULL ||
	    a->salesperson == NULL || (unsigned)a->kind >= SIG__COUNT) {
		log_warn("%s: %s: incomplete appointment skipped",
		    a->source != NULL ? a->source : "?",
		    a->item != NULL ? a->item : "?");
		return 0;
	}
	if (a->account != NULL && last != NULL && last->key != NULL &&
	    strcmp(a->account, last->key) == 0)
		account = last->id;
	else if (a->account != NULL) {
		if (store_account(st, a->account, &account, touched, err) != 0)
			return -1;
		if (last != NULL) {
			last->key = a->account;
			last->id = account;
		}
	}
	s = store_own(st, STMT_APPT_ADD);
	store_bind_text(s, 1, a->source);
	store_bind_text(s, 2, a->item);
	store_bind_text(s, 3, a->uid);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)a->recurrence_id);
	store_bind_text(s, 5, a->salesperson);
	store_bind_id(s, 6, account);
	store_bind_text(s, 7, account == 0 ? a->match_text : NULL);
	store_bind_text(s, 8, signal_kind_name(a->kind));
	sqlite3_bind_int64(s, 9, (sqlite3_int64)a->start);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)a->end);
	sqlite3_bind_int(s, 11, a->all_day);
	store_bind_text(s, 12, a->day);
	sqlite3_bind_int64(s, 13, (sqlite3_int64)a->created);
	sqlite3_bind_int(s, 14, a->series);
	store_bind_text(s, 15, a->summary);
	if (store_run(st, s, err, "appointment") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 0;
	if (account != 0) {
		/* A meeting held counts in a won deal's quiet spells. */
		store_touch(st, touched, a->account);
		return store_series_first_lower(st, a, last, err);
	}
	id = sqlite3_last_insert_rowid(st->db);
	return names_attribute(st, true, id, a->match_text, touched, err);
}

/* Deletes an item's signals and appointments, touching their accounts. */
static int
store_delete_item(struct store *st, const char *source, const char *item,
    struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	const char *key;
	int rc;

	s = store_own(st, STMT_SIGNAL_ITEM_ACCOUNTS);
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_STATIC);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		key = store_column_text(s, 0);
		if (key == NULL)
			key = store_column_text(s, 1);
		if (key != NULL)
			store_touch(st, touched, key);
		if (sqlite3_column_int(s, 2))
			store_touch(st, touched, "");
	}
	if (store_done(st, s, rc, err, "item accounts") != 0)
		return -1;

	s = store_own(st, STMT_SIGNAL_ITEM_DELETE);
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_STATIC);
	if (store_run(st, s, err, "delete signals") != 0)
		return -1;
	s = store_own(st, STMT_APPT_ITEM_DELETE);
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_STATIC);
	return store_run(st, s, err, "delete appointments");
}

/* The refs of the signals an item gave, into refs. */
static int
store_item_refs(struct store *st, const char *source, const char *item,
    struct strlist *refs, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_SIGNAL_ITEM_REFS);
	int rc;

	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_STATIC);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s))
		strlist_add(refs, store_column_text(s, 0));
	return store_done(st, s, rc, err, "item refs");
}

static bool
refs_contain(const struct strlist *refs, const char *ref)
{
	size_t i;

	for (i = 0; i < refs->n; i++)
		if (strcmp(refs->v[i], ref) == 0)
			return true;
	return false;
}

int
store_replace_item(struct store *st, const char *source, const char *item,
    const struct signal_list *sigs, const struct appointment_list *appts,
    struct strlist *touched, struct err *err)
{
	struct store_last_account last = { 0 };
	struct strlist old = { 0 };
	size_t i;
	bool own;
	int rc, n = 0;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	rc = store_item_refs(st, source, item, &old, err);
	if (rc == 0)
		rc = store_delete_item(st, source, item, touched, err);
	if (rc == 0 && sigs != NULL) {
		rc = store_add_signals_txn(st, sigs, touched, err) < 0 ? -1 : 0;
		/* What the item gave before and gives again is not new. */
		for (i = 0; i < sigs->n; i++)
			if (!refs_contain(&old, sigs->v[i].ref))
				n++;
	}
	strlist_clear(&old);
	for (i = 0; appts != NULL && i < appts->n && rc == 0; i++)
		rc = store_appointment_insert(st, &appts->v[i], &last,
		    touched, err);
	if (store_auto_end(st, own, rc, err) != 0)
		return -1;
	return n;
}

int
store_add_item(struct store *st, const char *source, const char *item,
    const char *version, time_t first_seen, const struct signal_list *sigs,
    const struct appointment_list *appts, struct strlist *touched,
    bool *added, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_ITEM_ADD);
	struct store_last_account last = { 0 };
	size_t i;
	bool own;
	int rc;

	*added = false;
	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, item);
	store_bind_text(s, 3, version);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)first_seen);
	rc = store_run(st, s, err, "new item");
	/*
	 * Its row was there already (the same href twice in one answer):
	 * what it gave must be replaced, which is the caller's to do.
	 */
	if (rc == 0 && sqlite3_changes(st->db) == 0)
		return store_auto_end(st, own, 0, err);
	if (rc == 0 && sigs != NULL)
		rc = store_add_signals_txn(st, sigs, touched, err) < 0 ? -1 : 0;
	for (i = 0; appts != NULL && i < appts->n && rc == 0; i++)
		rc = store_appointment_insert(st, &appts->v[i], &last,
		    touched, err);
	if (store_auto_end(st, own, rc, err) != 0)
		return -1;
	*added = true;
	/* As store_replace_item counts: none of them was given before. */
	return sigs != NULL ? (int)sigs->n : 0;
}

int
store_items(struct store *st, const char *source,
    int (*cb)(const char *, const char *, void *), void *arg, struct err *err)
{
	struct strlist items = { 0 }, versions = { 0 };
	sqlite3_stmt *s;
	size_t i;
	int rc;

	/* Copied first, so that the callback may write to the store. */
	s = store_own(st, STMT_ITEM_LIST);
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		const char *v = store_column_text(s, 1);

		strlist_add(&items, store_column_text(s, 0));
		strlist_take(&versions, v != NULL ? xstrdup(v) : NULL);
	}
	rc = store_done(st, s, rc, err, "items");
	for (i = 0; i < items.n && rc == 0; i++) {
		if (cb(items.v[i], versions.v[i], arg) != 0)
			break;
	}
	strlist_clear(&items);
	strlist_clear(&versions);
	return rc;
}

int
store_item_version_set(struct store *st, const char *source, const char *item,
    const char *version, time_t first_seen, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_ITEM_SET);

	store_bind_text(s, 1, source);
	store_bind_text(s, 2, item);
	store_bind_text(s, 3, version);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)first_seen);
	return store_run(st, s, err, "item version");
}

/* Reads an item's row: its version (caller frees) and when it was first seen. */
static int
store_item_row(struct store *st, const char *source, const char *item,
    char **version, time_t *first_seen, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_ITEM_ROW);
	int rc;

	if (version != NULL)
		*version = NULL;
	if (first_seen != NULL)
		*first_seen = 0;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, item);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (version != NULL)
			*version = xstrdup(store_column_text(s, 0));
		if (first_seen != NULL)
			*first_seen = (time_t)sqlite3_column_int64(s, 1);
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "item");
}

int
store_item_version(struct store *st, const char *source, const char *item,
    char **version, struct err *err)
{
	return store_item_row(st, source, item, version, NULL, err);
}

int
store_item_first_seen(struct store *st, const char *source, const char *item,
    time_t *out, struct err *err)
{
	return store_item_row(st, source, item, NULL, out, err);
}

int
store_remove_item(struct store *st, const char *source, const char *item,
    struct strlist *touched, struct err *err)
{
	sqlite3_stmt *s;
	bool own;
	int rc;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	rc = store_delete_item(st, source, item, touched, err);
	if (rc == 0) {
		s = store_own(st, STMT_ITEM_DELETE);
		store_bind_text(s, 1, source);
		store_bind_text(s, 2, item);
		rc = store_run(st, s, err, "delete item");
	}
	return store_auto_end(st, own, rc, err);
}

int
store_invitation_get(struct store *st, const char *source, const char *uid,
    const char *part, char **version, char **body, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_INVITE_GET);
	int rc;

	*version = NULL;
	if (body != NULL)
		*body = NULL;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, uid);
	store_bind_text(s, 3, part);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*version = xstrdup(store_column_text(s, 0));
		if (body != NULL)
			*body = xstrdup(store_column_text(s, 1));
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "invitation");
}

int
store_invitation_answers(struct store *st, const char *source,
    const char *uid, struct strlist *bodies, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_INVITE_ANSWERS);
	int rc;

	store_bind_text(s, 1, source);
	store_bind_text(s, 2, uid);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s))
		strlist_add(bodies, store_column_text(s, 0));
	return store_done(st, s, rc, err, "invitation answers");
}

int
store_invitation_set(struct store *st, const char *source, const char *uid,
    const char *part, const char *version, const char *body, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_INVITE_SET);

	store_bind_text(s, 1, source);
	store_bind_text(s, 2, uid);
	store_bind_text(s, 3, part);
	store_bind_text(s, 4, version);
	store_bind_text(s, 5, body);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)util_now());
	return store_run(st, s, err, "invitation");
}

int
store_cursor_get(struct store *st, const char *source, const char *scope,
    const char *name, char **value, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_CURSOR_GET);
	int rc;

	*value = NULL;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, scope);
	store_bind_text(s, 3, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*value = xstrdup(store_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "cursor");
}

int
store_cursor_set(struct store *st, const char *source, const char *scope,
    const char *name, const char *value, struct err *err)
{
	sqlite3_stmt *s;

	s = store_own(st, value != NULL ? STMT_CURSOR_SET : STMT_CURSOR_DELETE);
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, scope);
	store_bind_text(s, 3, name);
	if (value != NULL)
		store_bind_text(s, 4, value);
	return store_run(st, s, err, "cursor");
}

int
store_cursor_clear(struct store *st, const char *source, const char *scope,
    struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_CURSOR_CLEAR);

	store_bind_text(s, 1, source);
	store_bind_text(s, 2, scope);
	return store_run(st, s, err, "cursor");
}

int
store_cursor_list(struct store *st, const char *source,
    int (*cb)(const char *, const char *, const char *, void *), void *arg,
    struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_CURSOR_LIST);
	int rc, stop = 0;

	store_bind_text(s, 1, source);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		stop = cb(store_column_text(s, 0), store_column_text(s, 1),
		    store_column_text(s, 2), arg);
		if (stop != 0) {
			sqlite3_reset(s);
			return stop;
		}
	}
	return store_done(st, s, rc, err, "cursors");
}

int
store_health_success(struct store *st, const char *source, time_t now,
    struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_HEALTH_OK);

	store_bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	return store_run(st, s, err, "health");
}

int
store_health_failure(struct store *st, const char *source, time_t now,
    const char *error, time_t backoff_until, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_HEALTH_FAIL);

	store_bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	store_bind_time(s, 3, backoff_until);
	store_bind_text(s, 4, error != NULL ? error : "failed");
	return store_run(st, s, err, "health");
}

int
store_health_list(struct store *st, struct source_health **out, size_t *n,
    struct err *err)
{
	struct source_health *v = NULL, *h;
	sqlite3_stmt *s = store_own(st, STMT_HEALTH_LIST);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		h = &v[(*n)++];
		h->source = xstrdup(store_column_text(s, 0));
		h->last_attempt = (time_t)sqlite3_column_int64(s, 1);
		h->last_success = (time_t)sqlite3_column_int64(s, 2);
		h->backoff_until = (time_t)sqlite3_column_int64(s, 3);
		h->last_error = xstrdup(store_column_text(s, 4));
		h->error_since = (time_t)sqlite3_column_int64(s, 5);
	}
	if (store_done(st, s, rc, err, "health") != 0) {
		source_health_free(v, *n);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

void
source_health_free(struct source_health *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].source);
		free(v[i].last_error);
	}
	free(v);
}

bool
store_digest_taken(struct store *st, const char *period, const char *recipient)
{
	sqlite3_stmt *s = store_own(st, STMT_DIGEST_TAKEN);
	bool taken;

	store_bind_text(s, 1, period);
	store_bind_text(s, 2, recipient);
	taken = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return taken;
}

int
store_digest_get(struct store *st, const char *period, const char *recipient,
    char **state, char **msgid, struct err *err)
{
	sqlite3_stmt *s = store_own(st, STMT_DIGEST_GET);
	int rc;

	*state = *msgid = NULL;
	store_bind_text(s, 1, period);
	store_bind_text(s, 2, recipient);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*state = xstrdup(store_column_text(s, 0));
		*msgid = xstrdup(store_column_text(s, 1));
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "the digest record");
}

/* Runs one statement of the digest record: period, recipient, msgid, now. */
static int
store_digest_run(struct store *st, enum store_stmt id, const char *period,
    const char *recipient, const char *msgid, time_t now, struct err *err)
{
	sqlite3_stmt *s = store_own(st, id);

	store_bind_text(s, 1, period);
	store_bind_text(s, 2, recipient);
	store_bind_text(s, 3, msgid);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
	return store_run(st, s, err, "the digest record");
}

int
store_digest_claim(struct store *st, const char *period, const char *recipient,
    const char *msgid, time_t now, struct err *err)
{
	return store_digest_run(st, STMT_DIGEST_CLAIM, period, recipient, msgid,
	    now, err);
}

int
store_digest_done(struct store *st, const char *period, const char *recipient,
    const char *msgid, bool sent, time_t now, struct err *err)
{
	return store_digest_run(st, sent ? STMT_DIGEST_SENT :
	    STMT_DIGEST_FAILED, period, recipient, msgid, now, err);
}

int
store_ids_collect(struct store *st, sqlite3_stmt *s, struct store_ids *ids,
    struct err *err)
{
	int rc;

	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s))
		store_ids_add(ids, sqlite3_column_int64(s, 0));
	return store_done(st, s, rc, err, "collect");
}

int
store_retention(struct store *st, time_t cutoff, struct err *err)
{
	static const enum store_stmt steps[] = {
		STMT_RETAIN_SIGNALS, STMT_RETAIN_TRANS, STMT_RETAIN_APPTS,
		STMT_RETAIN_INVITES
	};
	sqlite3_stmt *s;
	size_t i;
	bool own;
	int rc = 0;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	for (i = 0; i < sizeof steps / sizeof steps[0] && rc == 0; i++) {
		s = store_own(st, steps[i]);
		sqlite3_bind_int64(s, 1, (sqlite3_int64)cutoff);
		rc = store_run(st, s, err, "retention");
	}
	return store_auto_end(st, own, rc, err);
}
