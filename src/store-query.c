/* SPDX-License-Identifier: MIT */
/*
 * The reads of reports, analyses, the digest and the commands
 * (store-query.h).  Every statement is prepared once per connection with
 * the rest of the store's (store-int.h) and always bound; an unbounded end
 * of a range binds the smallest or the largest time, so that one
 * statement plans an index range either way.  Where a filter decides
 * which index serves (one account), the filter picks the statement.
 *
 * This file writes nothing and decides nothing about phases.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radix.h"
#include "store-int.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

/* The columns of struct store_deal, then its table. */
#define QUERY_DEAL_COLUMNS						\
	"SELECT d.id, a.key, d.salesperson, d.kind, d.phase, d.outcome,"	\
	" d.opened, d.closed, d.last_activity"
#define QUERY_DEAL_FROM							\
	" FROM deals d JOIN accounts a ON a.id = d.account_id"
#define QUERY_TRANSITION_COLUMNS					\
	"SELECT t.deal_id, a.key, d.salesperson, t.actor,"		\
	" t.from_phase, t.to_phase, t.at, t.signal_kind, t.source,"	\
	" t.ref FROM transitions t JOIN deals d ON d.id = t.deal_id"	\
	" JOIN accounts a ON a.id = d.account_id"
#define QUERY_SIGNAL_COLUMNS						\
	"SELECT occurred_at, kind, direction, salesperson, rule,"	\
	" subject, source, ref, id, language, ignored, value FROM signals"

/*
 * What `deals` prints, from the deal's row alone: it carries its
 * account's key (schema 8), so that no deal costs a look-up of its
 * account.
 */
#define QUERY_DEAL_ROW_COLUMNS						\
	"SELECT d.id, d.account, d.salesperson, d.kind, d.phase,"	\
	" d.outcome, d.opened, d.closed, d.last_activity"
/*
 * The deals of a window: the open ones from a covering index of the open
 * deals (open_rows: everyone's in id order, or deals_open_rows_of by
 * salesperson), and those closed since ?2 from the covering index by
 * close, merged by id.  Every open deal was open in the window,
 * so that the open deals bound what it reads, not the history.
 */
#define QUERY_DEALS_WINDOW(open_rows, cond)				\
	QUERY_DEAL_ROW_COLUMNS " FROM deals d INDEXED BY " open_rows	\
	" WHERE d.closed IS NULL AND d.opened < ?3" cond		\
	" UNION ALL " QUERY_DEAL_ROW_COLUMNS				\
	" FROM deals d INDEXED BY deals_closed"				\
	" WHERE d.closed >= ?2 AND d.opened < ?3" cond " ORDER BY 1"
/*
 * The signals that can carry an amount (signals_valued) of the deals that
 * cond picks, from each deal's opening to the time "to": the account's
 * own and those attributed to it by name (one probe of the index, which
 * keys both by their account), then those of the addresses linked to it
 * (the sources of QUERY_SIGNALS).  No order: the caller picks each
 * deal's newest.  QUERY_OFFERS: the deals lead, so that the cost
 * follows them (the deals of a window, the open ones), not the history;
 * QUERY_OFFERS_ALL: the signals lead, for every deal there is.  (The
 * unary + makes SQLite probe the index by its expression: against a bare
 * column, SQLite 3.40 scans the whole index for each deal.)
 */
#define QUERY_OFFER_COLUMNS						\
	"SELECT d.id, d.phase, s.occurred_at, s.id, s.kind, s.subject,"	\
	" s.value"
#define QUERY_OFFER_TERMS(to)						\
	" " STORE_VALUED("s.")						\
	" AND s.occurred_at >= d.opened AND s.occurred_at <= " to
#define QUERY_OFFERS(deals, cond, to)					\
	QUERY_OFFER_COLUMNS " FROM " deals				\
	" CROSS JOIN signals s INDEXED BY signals_valued"		\
	" ON COALESCE(s.account_id, s.matched_account_id) = +d.account_id"	\
	" WHERE" QUERY_OFFER_TERMS(to) " AND " cond			\
	" UNION ALL " QUERY_OFFER_COLUMNS " FROM " deals		\
	" CROSS JOIN account_links l ON l.target_id = d.account_id"	\
	" CROSS JOIN signals s INDEXED BY signals_valued"		\
	" ON COALESCE(s.account_id, s.matched_account_id) = +l.account_id"	\
	" WHERE s.account_id IS NOT NULL AND" QUERY_OFFER_TERMS(to)	\
	" AND " cond
#define QUERY_OFFERS_ALL(cond, to)					\
	QUERY_OFFER_COLUMNS " FROM signals s INDEXED BY signals_valued"	\
	" CROSS JOIN deals d"						\
	" ON d.account_id = COALESCE(s.account_id, s.matched_account_id)"	\
	" WHERE" QUERY_OFFER_TERMS(to) " AND " cond			\
	" UNION ALL " QUERY_OFFER_COLUMNS				\
	" FROM signals s INDEXED BY signals_valued"			\
	" CROSS JOIN account_links l ON l.account_id = s.account_id"	\
	" CROSS JOIN deals d ON d.account_id = l.target_id"		\
	" WHERE s.account_id IS NOT NULL AND" QUERY_OFFER_TERMS(to)	\
	" AND " cond
#define QUERY_WON_OFFER_DEALS						\
	"d.outcome = 'won' AND d.closed <> 0 AND d.closed >= ?2"	\
	" AND d.closed < ?3 AND d.opened < ?3"				\
	" AND (?1 IS NULL OR d.salesperson = ?1)"
#define QUERY_WON_DEAL_TERMS						\
	"d.outcome = 'won' AND d.closed >= 1 AND d.closed < ?1"
/*
 * The signals of every deal that terms pick (the deals from deals), in
 * one pass: the sources of QUERY_SIGNALS, each led as in
 * QUERY_OFFERS_ALL, the deal's id last; by deal, then as QUERY_SIGNALS
 * orders one account's.  columns as query_deal_signal_row reads them.
 */
#define QUERY_DEAL_SIGNALS_AS(columns, deals, terms)			\
	columns " FROM " deals " JOIN signals s"			\
	" ON s.account_id = d.account_id WHERE" terms			\
	" UNION ALL " columns " FROM signals s"				\
	" INDEXED BY signals_unattributed CROSS JOIN deals d"		\
	" ON d.account_id = s.matched_account_id"			\
	" WHERE s.account_id IS NULL AND" terms				\
	" UNION ALL " columns						\
	" FROM account_links l CROSS JOIN deals d"			\
	" ON d.account_id = l.target_id CROSS JOIN signals s"		\
	" ON s.account_id = l.account_id WHERE" terms			\
	" ORDER BY 7, 1, 5"
/*
 * The times of the same signals alone, by deal, then time: sorting two
 * integers a row instead of every column.
 */
#define QUERY_DEAL_TIMES(deals, terms)					\
	"SELECT d.id, s.occurred_at FROM " deals " JOIN signals s"	\
	" ON s.account_id = d.account_id WHERE" terms			\
	" UNION ALL SELECT d.id, s.occurred_at FROM signals s"		\
	" INDEXED BY signals_unattributed CROSS JOIN deals d"		\
	" ON d.account_id = s.matched_account_id"			\
	" WHERE s.account_id IS NULL AND" terms				\
	" UNION ALL SELECT d.id, s.occurred_at"				\
	" FROM account_links l CROSS JOIN deals d"			\
	" ON d.account_id = l.target_id CROSS JOIN signals s"		\
	" ON s.account_id = l.account_id WHERE" terms			\
	" ORDER BY 1, 2"
/*
 * A signal is an account's by its account_id, or when it has none by the
 * account its text names: two index ranges, where COALESCE() of the two
 * would scan every signal.  Left to itself, the planner takes the second
 * from signals_account (account_id IS NULL and the time range): every
 * unattributed signal of the range.  The account's key ?1, the
 * salesperson ?2 (NULL: all), the range [?3, ?4); terms narrow every
 * source.
 */
#define QUERY_KEY_SIGNALS(terms)					\
	QUERY_SIGNAL_COLUMNS						\
	" WHERE account_id = (SELECT id FROM accounts WHERE key = ?1)"	\
	" AND (?2 IS NULL OR salesperson = ?2)"				\
	" AND occurred_at >= ?3 AND occurred_at < ?4" terms		\
	" UNION ALL " QUERY_SIGNAL_COLUMNS				\
	" INDEXED BY signals_matched WHERE matched_account_id ="	\
	" (SELECT id FROM accounts WHERE key = ?1)"			\
	" AND account_id IS NULL AND (?2 IS NULL OR salesperson = ?2)"	\
	" AND occurred_at >= ?3 AND occurred_at < ?4" terms		\
	" UNION ALL " QUERY_SIGNAL_COLUMNS				\
	" WHERE account_id IN (SELECT l.account_id"			\
	" FROM account_links l JOIN accounts t ON t.id = l.target_id"	\
	" WHERE t.key = ?1) AND (?2 IS NULL OR salesperson = ?2)"	\
	" AND occurred_at >= ?3 AND occurred_at < ?4" terms		\
	" ORDER BY 1, 9"
/* As query_deal_signal_row reads them: time, kind, id, value, deal. */
#define QUERY_FACT_COLUMNS						\
	"SELECT s.occurred_at, s.kind, NULL, NULL, s.id, s.value, d.id"
/* A lost signal at deal d's close, from signals_lost; a term follows. */
#define QUERY_LOST_FROM							\
	" FROM signals s INDEXED BY signals_lost WHERE " STORE_LOST("s.")	\
	" AND s.occurred_at = d.closed AND"
/* The deals open at ?1 (opened by then, not closed before) of ?2 (NULL: all). */
#define QUERY_OPEN_AT_TERMS						\
	" d.opened <= ?1 AND (d.closed IS NULL OR d.closed >= ?1)"	\
	" AND (?2 IS NULL OR d.salesperson = ?2)"
#define QUERY_DEAL_STATE_COLUMNS					\
	"SELECT id, salesperson, phase, outcome, closed FROM deals"

/*
 * An open deal's columns (query_open_deal_row): a deal's from its row
 * alone (no look-up of each account: a twentieth of a whole stalled
 * list), its account's row, its last inbound signal, its phase's start,
 * and what the projection kept of its activity.
 */
#define QUERY_OPEN_DEAL_COLUMNS						\
	QUERY_DEAL_ROW_COLUMNS ", d.account_id, d.last_inbound,"	\
	" d.phase_since, d.latest_at, d.latest_signal, d.act_at,"	\
	" d.only_target, d.snoozed, d.decision, d.entered_by"

#define QUERY_STMTS(X)							\
	/* Without a start, every deal: a scan in id order. */		\
	X(QUERY_DEALS, QUERY_DEAL_ROW_COLUMNS " FROM deals d"		\
	    " WHERE (?1 IS NULL OR d.salesperson = ?1)"			\
	    " AND d.opened < ?3 ORDER BY d.id")				\
	X(QUERY_DEALS_SINCE, QUERY_DEALS_WINDOW("deals_open_rows",	\
	    " AND (?1 IS NULL OR d.salesperson = ?1)"))			\
	/*								\
	 * One salesperson's: their range of the open deals (a		\
	 * two-hundredth at 10M signals), not every open deal.		\
	 */								\
	X(QUERY_DEALS_SINCE_OF, QUERY_DEALS_WINDOW("deals_open_rows_of",	\
	    " AND d.salesperson = ?1"))					\
	X(QUERY_ACCOUNT_DEALS, QUERY_DEAL_COLUMNS QUERY_DEAL_FROM	\
	    " WHERE a.key = ?4 AND (?1 IS NULL OR d.salesperson = ?1)"	\
	    " AND (d.closed IS NULL OR d.closed >= ?2) AND d.opened < ?3"	\
	    " ORDER BY d.id")						\
	X(QUERY_OPEN_DEALS, QUERY_OPEN_DEAL_COLUMNS " FROM deals d"	\
	    " WHERE d.outcome = 'open' ORDER BY d.id")			\
	X(QUERY_DIRTY_ACCOUNTS, "SELECT account FROM dirty"		\
	    " ORDER BY account")					\
	X(QUERY_OPEN_DEAL_COUNT, "SELECT count(*) FROM deals"		\
	    " INDEXED BY deals_open WHERE outcome = 'open'")		\
	/* One salesperson's: their range of deals_open_salesperson. */ \
	X(QUERY_OPEN_DEALS_OF, QUERY_OPEN_DEAL_COLUMNS " FROM deals d"	\
	    " INDEXED BY deals_open_salesperson"			\
	    " WHERE d.salesperson = ?1"					\
	    " AND d.outcome = 'open' ORDER BY d.id")			\
	X(QUERY_OPEN_DEAL_COUNT_OF, "SELECT count(*) FROM deals"	\
	    " INDEXED BY deals_open_salesperson WHERE salesperson = ?1"	\
	    " AND outcome = 'open'")					\
	/*								\
	 * The won deals: a scan in id order, where deals_closed would	\
	 * look up every closed deal and sort the won ones.		\
	 */								\
	X(QUERY_WON_DEALS, QUERY_OPEN_DEAL_COLUMNS			\
	    " FROM deals d NOT INDEXED"					\
	    " WHERE " QUERY_WON_DEAL_TERMS " ORDER BY d.id")		\
	/*								\
	 * The times of the won deals' activity, each from its opening	\
	 * to its close: two integers a row to sort, not every column;	\
	 * #snooze and #value are notes, as analysis_acts_signal says.	\
	 */								\
	X(QUERY_WON_ACTS, QUERY_DEAL_TIMES("deals d NOT INDEXED",	\
	    " s.occurred_at >= d.opened AND s.occurred_at <= d.closed"	\
	    " AND s.kind NOT IN ('snooze', 'value')"			\
	    " AND " QUERY_WON_DEAL_TERMS))				\
	X(QUERY_WON_TIMES, QUERY_DEAL_TIMES("deals d NOT INDEXED",	\
	    " s.occurred_at >= d.opened AND s.occurred_at <= d.closed"	\
	    " AND " QUERY_WON_DEAL_TERMS))				\
	/* The won deals' quiet spells, as the projection keeps them. */ \
	X(QUERY_WON_SPELLS, "SELECT d.quiet_spells FROM deals d"	\
	    " INDEXED BY deals_won_spells WHERE " QUERY_WON_DEAL_TERMS)	\
	/* Their entries, by deal, each deal's as QUERY_DEAL_ENTRIES. */ \
	X(QUERY_WON_ENTRIES, "SELECT d.id, t.to_phase, t.at"		\
	    " FROM deals d NOT INDEXED JOIN transitions t"		\
	    " ON t.deal_id = d.id WHERE " QUERY_WON_DEAL_TERMS		\
	    " ORDER BY d.id, t.at, t.id")				\
	X(QUERY_CLOSED_DEALS, QUERY_DEAL_COLUMNS QUERY_DEAL_FROM	\
	    " WHERE d.outcome <> 'open' AND d.closed >= ?1"		\
	    " AND d.closed < ?2 ORDER BY d.closed, d.id")		\
	X(QUERY_DEAL_STATES, QUERY_DEAL_STATE_COLUMNS " ORDER BY id")	\
	X(QUERY_OPEN_DEAL_STATES, QUERY_DEAL_STATE_COLUMNS		\
	    " WHERE outcome = 'open' ORDER BY id")			\
	/* One salesperson's: their range of deals_open_salesperson. */ \
	X(QUERY_OPEN_DEAL_STATES_OF, QUERY_DEAL_STATE_COLUMNS		\
	    " INDEXED BY deals_open_salesperson WHERE salesperson = ?1"	\
	    " AND outcome = 'open' ORDER BY id")			\
	/* The deals a window's funnel counts: open, or closed in it. */	\
	X(QUERY_WINDOW_DEAL_STATES, QUERY_DEAL_STATE_COLUMNS		\
	    " WHERE outcome = 'open' UNION ALL "			\
	    QUERY_DEAL_STATE_COLUMNS " INDEXED BY deals_closed"		\
	    " WHERE closed >= ?1 AND closed < ?2 AND outcome <> 'open'")	\
	X(QUERY_OWNER, "SELECT d.salesperson FROM deals d"		\
	    " JOIN accounts a ON a.id = d.account_id WHERE a.key = ?1"	\
	    " ORDER BY d.seq DESC LIMIT 1")				\
	/*								\
	 * A range of transitions_window, which holds what is printed	\
	 * (the deal's owner and account key included) in the order	\
	 * printed: no look-up of a row, its deal or its account.	\
	 */								\
	X(QUERY_TRANSITIONS, "SELECT deal_id, account, owner, actor,"	\
	    " from_phase, to_phase, at, signal_kind, source, ref"	\
	    " FROM transitions INDEXED BY transitions_window"		\
	    " WHERE (?1 IS NULL OR owner = ?1)"				\
	    " AND at >= ?2 AND at < ?3"					\
	    " ORDER BY at, deal_id, id")				\
	X(QUERY_ACCOUNT_TRANSITIONS, QUERY_TRANSITION_COLUMNS		\
	    " WHERE a.key = ?4 AND (?1 IS NULL OR d.salesperson = ?1)"	\
	    " AND t.at >= ?2 AND t.at < ?3"				\
	    " ORDER BY t.at, t.deal_id, t.id")				\
	/*								\
	 * Without a start a plain scan beats walking the whole at	\
	 * index (+at keeps the planner off it); with one, the range of	\
	 * the index, each entry joined to its deal.			\
	 */								\
	X(QUERY_ENTRIES, "SELECT deal_id, to_phase, at, left_at"	\
	    " FROM transitions WHERE +at < ?1")				\
	X(QUERY_ENTRIES_RANGE, "SELECT t.deal_id, t.to_phase, t.at,"	\
	    " t.left_at, d.salesperson, d.outcome, d.closed"		\
	    " FROM transitions t JOIN deals d ON d.id = t.deal_id"	\
	    " WHERE t.at >= ?1 AND t.at < ?2")				\
	/*								\
	 * A team's entries of a window (?3: a JSON array of its	\
	 * salespeople): the owner is read from transitions_window	\
	 * before the row and its deal are looked up, so that only the	\
	 * team's entries cost a look-up (a twentieth of a window at	\
	 * 10M signals for a manager of 10 of 200).			\
	 */								\
	X(QUERY_TEAM_ENTRIES_RANGE, "SELECT t.deal_id, t.to_phase,"	\
	    " t.at, t.left_at, d.salesperson, d.outcome, d.closed"	\
	    " FROM transitions t INDEXED BY transitions_window"	\
	    " JOIN deals d ON d.id = t.deal_id"				\
	    " WHERE t.at >= ?1 AND t.at < ?2"				\
	    " AND t.owner IN (SELECT value FROM json_each(?3))")	\
	/*								\
	 * The deals an entry of a window from ?1 can belong to: those	\
	 * open and those closed since, from covering indexes (a deal	\
	 * closed before one of its entries, which the projection never	\
	 * writes, is looked up alone: QUERY_DEAL_CLOSE).		\
	 */								\
	X(QUERY_WINDOW_ENTRY_DEALS, "SELECT id, outcome, closed"	\
	    " FROM deals INDEXED BY deals_open_rows WHERE closed IS NULL"	\
	    " UNION ALL SELECT id, outcome, closed FROM deals"		\
	    " INDEXED BY deals_closed WHERE closed >= ?1")		\
	X(QUERY_DEAL_CLOSE, "SELECT outcome, closed FROM deals"	\
	    " WHERE id = ?1")						\
	X(QUERY_DEAL_ENTRIES, "SELECT deal_id, to_phase, at"		\
	    " FROM transitions WHERE deal_id = ?1 ORDER BY at, id")	\
	/* The kind of signal that moved a deal into a phase at a time. */ \
	X(QUERY_ENTRY_KIND, "SELECT signal_kind FROM transitions"	\
	    " WHERE deal_id = ?1 AND at = ?2 AND to_phase = ?3"		\
	    " ORDER BY id DESC LIMIT 1")				\
	X(QUERY_MOVES_SINCE, "SELECT deal_id, from_phase, at"		\
	    " FROM transitions INDEXED BY transitions_entries"		\
	    " WHERE at >= ?1 ORDER BY at, id")				\
	/*								\
	 * The funnel (report_funnel), from covering indexes, so that a	\
	 * window reads its own entries and no row: the entries of a	\
	 * range; a salesperson's deals; the stored open deals per	\
	 * phase; the deals won and lost in a range, and the closes of	\
	 * the won since a time; the deals whose state			\
	 * at a time may differ from the stored one (moved or closed	\
	 * since), each once.						\
	 */								\
	X(QUERY_FUNNEL_ENTRIES, "SELECT deal_id, to_phase, at, left_at"	\
	    " FROM transitions INDEXED BY transitions_entries"		\
	    " WHERE at >= ?1 AND at < ?2")				\
	X(QUERY_PERSON_DEALS, "SELECT id FROM deals"			\
	    " INDEXED BY deals_salesperson WHERE salesperson = ?1"	\
	    " ORDER BY id")						\
	X(QUERY_OPEN_PHASES, "SELECT phase, count(*) FROM deals"	\
	    " INDEXED BY deals_open_phase WHERE outcome = 'open'"	\
	    " AND (?1 IS NULL OR salesperson = ?1) GROUP BY phase")	\
	X(QUERY_CLOSED_COUNTS, "SELECT coalesce(sum(outcome = 'won'), 0),"	\
	    " coalesce(sum(outcome = 'lost'), 0) FROM deals"		\
	    " INDEXED BY deals_closed WHERE closed >= ?1"	\
	    " AND closed < ?2 AND closed <> 0"				\
	    " AND (?3 IS NULL OR salesperson = ?3)")			\
	X(QUERY_WON_CLOSES, "SELECT id, closed FROM deals"		\
	    " INDEXED BY deals_closed WHERE closed >= ?1"	\
	    " AND outcome = 'won' AND (?2 IS NULL OR salesperson = ?2)")	\
	X(QUERY_CHANGED_SINCE, QUERY_DEAL_STATE_COLUMNS			\
	    " WHERE id IN (SELECT deal_id FROM transitions"		\
	    " INDEXED BY transitions_entries WHERE at >= ?1)"		\
	    " UNION " QUERY_DEAL_STATE_COLUMNS				\
	    " INDEXED BY deals_closed WHERE closed >= ?1")	\
	X(QUERY_SIGNALS, QUERY_KEY_SIGNALS(""))			\
	/* The fact signals alone, from signals_facts (schema 16). */	\
	X(QUERY_FACT_SIGNALS, QUERY_KEY_SIGNALS(" AND " STORE_FACTS("")))	\
	/*								\
	 * The same of every deal open at ?1 (of salesperson ?2), each	\
	 * from its opening to ?1, in one pass: a deal costs a probe,	\
	 * not a statement.						\
	 */								\
	X(QUERY_FACTS_AT, QUERY_DEAL_SIGNALS_AS(QUERY_FACT_COLUMNS,	\
	    "deals d", QUERY_OPEN_AT_TERMS " AND s.occurred_at >= d.opened"	\
	    " AND s.occurred_at <= ?1 AND " STORE_FACTS("s.")))	\
	/* Their entries, by deal, each deal's as QUERY_DEAL_ENTRIES. */ \
	X(QUERY_ENTRIES_AT, "SELECT d.id, t.to_phase, t.at, d.salesperson,"	\
	    " d.opened, d.closed FROM deals d"				\
	    " JOIN transitions t ON t.deal_id = d.id"			\
	    " WHERE" QUERY_OPEN_AT_TERMS " ORDER BY d.id, t.at, t.id")	\
	/* The deals open at ?2, each valued up to ?2. */		\
	X(QUERY_OPEN_OFFERS, QUERY_OFFERS(				\
	    "deals d INDEXED BY deals_open_phase",			\
	    "d.outcome = 'open' AND d.opened <= ?2"			\
	    " AND (d.closed IS NULL OR d.closed >= ?2)"			\
	    " AND (?1 IS NULL OR d.salesperson = ?1)", "?2"))		\
	/*								\
	 * Every account's signals that can carry an amount before ?1,	\
	 * the sources of QUERY_SIGNALS (its own and those its name	\
	 * attributes to it, then those of the addresses linked to it),	\
	 * in no order: one pass for all open deals.			\
	 */								\
	X(QUERY_ACCOUNT_OFFERS, "SELECT a.key, s.occurred_at, s.id,"	\
	    " s.kind, s.subject, s.value FROM signals s"		\
	    " INDEXED BY signals_valued CROSS JOIN accounts a"		\
	    " ON a.id = COALESCE(s.account_id, s.matched_account_id)"	\
	    " WHERE " STORE_VALUED("s.") " AND s.occurred_at < ?1"	\
	    " UNION ALL SELECT t.key, s.occurred_at, s.id, s.kind,"	\
	    " s.subject, s.value FROM signals s"			\
	    " INDEXED BY signals_valued"				\
	    " CROSS JOIN account_links l ON l.account_id = s.account_id"	\
	    " CROSS JOIN accounts t ON t.id = l.target_id"		\
	    " WHERE s.account_id IS NOT NULL AND " STORE_VALUED("s.")	\
	    " AND s.occurred_at < ?1")					\
	X(QUERY_OPEN_OFFERS_ALL, QUERY_OFFERS_ALL(			\
	    "d.outcome = 'open' AND d.opened <= ?2"			\
	    " AND (d.closed IS NULL OR d.closed >= ?2)"			\
	    " AND (?1 IS NULL OR d.salesperson = ?1)", "?2"))		\
	/* How many signals can carry an amount, counted up to ?1. */	\
	X(QUERY_VALUED_COUNT, "SELECT count(*) FROM (SELECT 1"		\
	    " FROM signals INDEXED BY signals_valued"			\
	    " WHERE " STORE_VALUED("") " LIMIT ?1)")			\
	/* The deals won in [?2, ?3), each valued up to its close. */	\
	X(QUERY_WON_OFFERS, QUERY_OFFERS(				\
	    "deals d INDEXED BY deals_closed",			\
	    QUERY_WON_OFFER_DEALS, "d.closed"))				\
	X(QUERY_WON_OFFERS_ALL, QUERY_OFFERS_ALL(QUERY_WON_OFFER_DEALS,	\
	    "d.closed"))						\
	/*								\
	 * QUERY_SIGNALS of every salesperson by the account's row id,	\
	 * which a caller walking deals has already: no look-up of the	\
	 * key in each of the three sources.				\
	 */								\
	X(QUERY_ACCOUNT_SIGNALS, QUERY_SIGNAL_COLUMNS			\
	    " WHERE account_id = ?1"					\
	    " AND occurred_at >= ?2 AND occurred_at < ?3"		\
	    " UNION ALL " QUERY_SIGNAL_COLUMNS				\
	    " INDEXED BY signals_matched WHERE matched_account_id = ?1"	\
	    " AND account_id IS NULL"					\
	    " AND occurred_at >= ?2 AND occurred_at < ?3"		\
	    " UNION ALL " QUERY_SIGNAL_COLUMNS				\
	    " WHERE account_id IN (SELECT account_id"			\
	    " FROM account_links WHERE target_id = ?1)"			\
	    " AND occurred_at >= ?2 AND occurred_at < ?3"		\
	    " ORDER BY 1, 9")						\
	X(QUERY_SIGNAL_BY_ID, QUERY_SIGNAL_COLUMNS " WHERE id = ?1")	\
	X(QUERY_LATEST_SIGNAL, QUERY_SIGNAL_COLUMNS			\
	    " WHERE account_id = ?1 AND occurred_at >= ?2"		\
	    " AND occurred_at <= ?3"					\
	    " UNION ALL " QUERY_SIGNAL_COLUMNS				\
	    " INDEXED BY signals_matched"				\
	    " WHERE matched_account_id = ?1 AND account_id IS NULL"	\
	    " AND occurred_at >= ?2 AND occurred_at <= ?3"		\
	    " UNION ALL " QUERY_SIGNAL_COLUMNS				\
	    " WHERE account_id IN (SELECT account_id"			\
	    " FROM account_links WHERE target_id = ?1)"			\
	    " AND occurred_at >= ?2 AND occurred_at <= ?3"		\
	    " ORDER BY 1 DESC, 9 DESC LIMIT 1")				\
	/*								\
	 * The same occurrence seen through two sources (a CalDAV href	\
	 * and an invitation in mail) has the same salesperson, UID and	\
	 * RECURRENCE-ID: rows come in that order from a covering index,	\
	 * so that a caller counts each run once in one pass.		\
	 */								\
	X(QUERY_APPOINTMENTS, "SELECT day, salesperson, uid,"		\
	    " recurrence_id FROM appointments"				\
	    " WHERE day >= ?2 AND day < ?3"				\
	    " AND COALESCE(account_id, matched_account_id) IS NOT NULL"	\
	    " AND (?1 IS NULL OR salesperson = ?1)"			\
	    " ORDER BY day, salesperson, uid, recurrence_id")		\
	/*								\
	 * A series counts on its first creation with an account, kept	\
	 * in series_first (schema 11): a window's series are one range	\
	 * of its index by creation, whatever the history; by creation	\
	 * without a window too, so that the caller finds each day once.	\
	 */								\
	X(QUERY_APPOINTMENT_SERIES, "SELECT salesperson, created"	\
	    " FROM series_first INDEXED BY series_first_created"	\
	    " WHERE created >= ?2 AND created < ?3"			\
	    " AND (?1 IS NULL OR salesperson = ?1) ORDER BY created")	\
	X(QUERY_APPOINTMENT_ALL_SERIES, "SELECT salesperson, created"	\
	    " FROM series_first INDEXED BY series_first_created"	\
	    " WHERE (?1 IS NULL OR salesperson = ?1) ORDER BY created")	\
	/* Offers sent per salesperson against [targets] offers_per_week. */ \
	X(QUERY_SIGNAL_COUNTS, "SELECT salesperson, count(*)"		\
	    " FROM signals WHERE kind = ?1"				\
	    " AND occurred_at >= ?2 AND occurred_at < ?3"		\
	    " GROUP BY salesperson ORDER BY salesperson")		\
	/* The forecast projects again at earlier dates: one pass, by account. */ \
	/*								\
	 * From the index alone, in its order (no sort, no key looked	\
	 * up: 0.5 s at 10M signals, 3.5 s by key); the table only for	\
	 * when each was booked, if asked (?1).				\
	 */								\
	X(QUERY_MEETING_TIMES, "SELECT"					\
	    " COALESCE(p.account_id, p.matched_account_id), p.start,"	\
	    " CASE WHEN ?1 THEN p.created END FROM appointments p"	\
	    " INDEXED BY appointments_account"				\
	    " WHERE COALESCE(p.account_id, p.matched_account_id)"	\
	    " IS NOT NULL ORDER BY 1, 2")				\
	/* One account's, from its range of the same index. */	\
	X(QUERY_ACCOUNT_MEETING_TIMES, "SELECT"				\
	    " COALESCE(p.account_id, p.matched_account_id), p.start,"	\
	    " NULL FROM appointments p INDEXED BY appointments_account"	\
	    " WHERE COALESCE(p.account_id, p.matched_account_id) = ?1"	\
	    " ORDER BY 2")						\
	/* One salesperson's on some days, from the index by day. */	\
	X(QUERY_MEETINGS_OF, "SELECT a.key, p.start, p.salesperson,"	\
	    " p.summary, p.created FROM appointments p"			\
	    " INDEXED BY appointments_count JOIN accounts a"		\
	    " ON a.id = COALESCE(p.account_id, p.matched_account_id)"	\
	    " WHERE p.day >= ?2 AND p.day < ?3 AND p.salesperson = ?1"	\
	    " ORDER BY a.key, p.start")					\
	X(QUERY_HISTORY, "SELECT a.key, s.id, s.kind, s.occurred_at,"	\
	    " s.direction, s.salesperson, s.ref, s.value, s.seen_at"	\
	    " FROM signals s JOIN accounts a"				\
	    " ON a.id = COALESCE(s.account_id, s.matched_account_id)"	\
	    " ORDER BY a.id, s.id")					\
	/*								\
	 * An account's first meeting after a time, by the index	\
	 * appointments_account: its id comes from QUERY_ACCOUNT_ID,	\
	 * since SQLite uses an index on an expression only against a	\
	 * value, not against a subquery.				\
	 */								\
	X(QUERY_ACCOUNT_ID, "SELECT id FROM accounts WHERE key = ?1")	\
	X(QUERY_NEXT_MEETING, "SELECT min(p.start) FROM appointments p"	\
	    " WHERE COALESCE(p.account_id, p.matched_account_id) = ?1"	\
	    " AND p.start > ?2")					\
	X(QUERY_DIRTY_ANY, "SELECT EXISTS (SELECT 1 FROM dirty)")	\
	/* The history's first signal: one end of signals_first. */	\
	X(QUERY_HISTORY_FIRST, "SELECT min(occurred_at)"		\
	    " FROM signals INDEXED BY signals_first"			\
	    " WHERE " STORE_ATTRIBUTED(""))				\
	/*								\
	 * The accounts with a signal at or after ?1: each account's	\
	 * newest from its end of signals_account, the unattributed	\
	 * ones that a text names from signals_unattributed.		\
	 */								\
	X(QUERY_HISTORY_LATE_ALL, "SELECT a.id FROM accounts a"	\
	    " WHERE (SELECT max(s.occurred_at) FROM signals s"		\
	    " WHERE s.account_id = a.id) >= ?1 UNION"			\
	    " SELECT matched_account_id"				\
	    " FROM signals INDEXED BY signals_unattributed"		\
	    " WHERE account_id IS NULL AND matched_account_id IS NOT NULL" \
	    " AND occurred_at >= ?1 ORDER BY 1")			\
	/* The latest time a signal was stored; -1 if not known. */	\
	X(QUERY_SIGNALS_SEEN, "SELECT COALESCE(max(at), -1)"		\
	    " FROM signals_seen")					\
	/*								\
	 * The same accounts, from the signals that occurred at or	\
	 * after they were stored, when ?1 is no earlier than any	\
	 * signal was stored (store_history_late).			\
	 */								\
	X(QUERY_HISTORY_LATE, "SELECT account_id"			\
	    " FROM signals INDEXED BY signals_ahead"			\
	    " WHERE " STORE_AHEAD("") " AND occurred_at >= ?1"		\
	    " AND account_id IS NOT NULL UNION"				\
	    " SELECT matched_account_id"				\
	    " FROM signals INDEXED BY signals_ahead"			\
	    " WHERE " STORE_AHEAD("") " AND occurred_at >= ?1"		\
	    " AND account_id IS NULL AND matched_account_id IS NOT NULL"	\
	    " ORDER BY 1")						\
	/* One account's QUERY_HISTORY rows, through its indexes. */	\
	X(QUERY_ACCOUNT_HISTORY, "SELECT a.key, s.id, s.kind,"		\
	    " s.occurred_at, s.direction, s.salesperson, s.ref, s.value,"	\
	    " s.seen_at FROM accounts a JOIN signals s"			\
	    " ON s.account_id = a.id WHERE a.id = ?1 UNION ALL"	\
	    " SELECT a.key, s.id, s.kind, s.occurred_at, s.direction,"	\
	    " s.salesperson, s.ref, s.value, s.seen_at FROM accounts a"	\
	    " JOIN signals s INDEXED BY signals_matched"		\
	    " ON s.matched_account_id = a.id WHERE a.id = ?1"		\
	    " AND s.account_id IS NULL ORDER BY 2")			\
	/*								\
	 * Every deal's transitions, merged by deal id with every deal	\
	 * in C (store_deal_steps): two scans in order, where a join	\
	 * looked each deal up in transitions_deal (2.1 s against 1.5 s	\
	 * in the sqlite3 shell at 10M signals).			\
	 */								\
	X(QUERY_DEAL_STEP_DEALS, "SELECT id, account_id, seq, account,"	\
	    " salesperson, kind, outcome, opened, closed,"		\
	    " last_activity, quiet_spells IS NOT NULL, silence"		\
	    " FROM deals ORDER BY id")					\
	X(QUERY_DEAL_STEP_MOVES, "SELECT deal_id, to_phase, at"	\
	    " FROM transitions INDEXED BY transitions_deal"		\
	    " ORDER BY deal_id, at, id")				\
	/* When the history began to be stored: the agent's backfill. */	\
	X(QUERY_HISTORY_SEEN, "SELECT min(s.seen_at) FROM signals s"	\
	    " JOIN accounts a"						\
	    " ON a.id = COALESCE(s.account_id, s.matched_account_id)")	\
	/*								\
	 * Deals lost in a range, with the reason of the lost signal	\
	 * that closed them (its time is the close): the account's own,	\
	 * a linked address's, or one attributed by name.		\
	 */								\
	/*								\
	 * The lost deals closed in [?1, ?2) with the reason of the	\
	 * lost signal that closed each (the first of its sources at	\
	 * its close), all from covering indexes: deals_closed and	\
	 * signals_lost (schema 17), where each deal's account row and	\
	 * signal rows cost random reads (4.3 s of the sqlite3 shell at	\
	 * 10M signals, 0.5 s now).					\
	 */								\
	X(QUERY_LOST_DEALS, QUERY_DEAL_ROW_COLUMNS ", (SELECT v FROM"	\
	    " (SELECT s.id AS i, s.value AS v" QUERY_LOST_FROM		\
	    " s.account_id = d.account_id UNION ALL"			\
	    " SELECT s.id, s.value" QUERY_LOST_FROM " s.account_id IN"	\
	    " (SELECT l.account_id FROM account_links l"		\
	    " WHERE l.target_id = d.account_id) UNION ALL"		\
	    " SELECT s.id, s.value" QUERY_LOST_FROM			\
	    " s.account_id IS NULL AND s.matched_account_id = d.account_id)"	\
	    " ORDER BY i LIMIT 1) FROM deals d"				\
	    " WHERE d.outcome = 'lost' AND d.closed >= ?1"		\
	    " AND d.closed < ?2 ORDER BY d.closed, d.id")		\
	/*								\
	 * What a digest reads of a range (offers sent, hashtags), of	\
	 * some salespeople (?1: a JSON array of their keys) or all:	\
	 * one range of signals_digested, in its order, the account	\
	 * looked up for their signals alone.				\
	 */								\
	X(QUERY_PERSON_SIGNALS, "SELECT s.occurred_at, s.kind,"		\
	    " s.salesperson, a.key, s.rule, s.value, s.ignored,"	\
	    " s.direction FROM signals s INDEXED BY signals_digested"	\
	    " LEFT JOIN accounts a"					\
	    " ON a.id = COALESCE(s.account_id, s.matched_account_id)"	\
	    " WHERE " STORE_DIGESTED("s.")				\
	    " AND s.occurred_at >= ?2 AND s.occurred_at < ?3"		\
	    " AND (?1 IS NULL OR s.salesperson IN"			\
	    " (SELECT value FROM json_each(?1)))"			\
	    " ORDER BY s.occurred_at, s.id")				\
	X(QUERY_COUNTS, "SELECT (SELECT user_version"			\
	    " FROM pragma_user_version),"				\
	    " (SELECT count(*) FROM signals),"				\
	    " (SELECT count(*) FROM deals),"				\
	    " (SELECT count(*) FROM deals WHERE outcome = 'open'),"	\
	    " (SELECT count(*) FROM accounts)")

enum query_stmt {
	QUERY_STMTS(STORE_STMT_ENUM)
	QUERY__COUNT
};

static const char *const query_sql[] = {
	QUERY_STMTS(STORE_STMT_SQL)
};

const struct store_part store_query_part = { "query", query_sql, QUERY__COUNT };

/*
 * The statement of a query, ready to bind; NULL (err set) when it is
 * walking already, since resetting it would cut that walk short.
 */
static sqlite3_stmt *
query_stmt(struct store *st, enum query_stmt id, struct err *err)
{
	if (sqlite3_stmt_busy(st->stmt[STORE_PART_QUERY][id])) {
		err_set(err, ERR_FINAL, "query %d run again from its own "
		    "callback", (int)id);
		return NULL;
	}
	return store_stmt(st, STORE_PART_QUERY, id);
}

/*
 * Steps s to its end, handing each row to row() until it returns non-zero:
 * then that value is returned, else 0 or the step's error.
 */
static int
query_walk(struct store *st, sqlite3_stmt *s,
    int (*row)(sqlite3_stmt *, void *), void *ctx, struct err *err,
    const char *what)
{
	int rc, stop = 0;

	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		stop = row(s, ctx);
		if (stop != 0) {
			sqlite3_reset(s);
			return stop;
		}
	}
	return store_done(st, s, rc, err, what);
}

/* Binds the start of a range: unbounded is the smallest time. */
static void
query_bind_since(sqlite3_stmt *s, int i, time_t t)
{
	sqlite3_bind_int64(s, i, t == 0 ? INT64_MIN : (sqlite3_int64)t);
}

/*
 * Binds keys as a JSON array of strings, for json_each: a quote, a
 * backslash and a control character escaped, other bytes as they are
 * (SQLite's JSON reader takes them so).
 */
static void
query_bind_keys(sqlite3_stmt *s, int i, const struct strlist *keys)
{
	size_t k, len = 3;
	const char *p;
	char *json, *o;

	for (k = 0; k < keys->n; k++)
		len += 3 + 6 * strlen(keys->v[k]);
	o = json = xmalloc(len);
	*o++ = '[';
	for (k = 0; k < keys->n; k++) {
		if (k > 0)
			*o++ = ',';
		*o++ = '"';
		for (p = keys->v[k]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\') {
				*o++ = '\\';
				*o++ = *p;
			} else if ((unsigned char)*p < 0x20) {
				snprintf(o, 7, "\\u%04x", (unsigned char)*p);
				o += 6;
			} else
				*o++ = *p;
		}
		*o++ = '"';
	}
	*o++ = ']';
	sqlite3_bind_text(s, i, json, (int)(o - json), free);
}

/* Binds the end of a range: unbounded is the largest time. */
static void
query_bind_until(sqlite3_stmt *s, int i, time_t t)
{
	sqlite3_bind_int64(s, i, t == 0 ? INT64_MAX : (sqlite3_int64)t);
}

/* The caller's callback of a walk, by the type of its rows, and its argument. */
struct query_cb {
	union {
		int	(*deal)(const struct store_deal *, void *);
		int	(*open_deal)(const struct store_open_deal *, void *);
		int	(*state)(const struct store_deal_state *, void *);
		int	(*transition)(const struct store_transition *, void *);
		int	(*entry)(const struct store_entry *, void *);
		int	(*signal)(const struct store_signal *, void *);
		int	(*spells)(const char *, void *);
		int	(*deal_signal)(int64_t, const struct store_signal *,
			    void *);
		int	(*offer)(const struct store_offer *, void *);
		int	(*appointment)(const struct store_appointment *, void *);
		int	(*series)(const char *, time_t, void *);
		int	(*history)(const struct store_history_signal *, void *);
		int	(*step)(const struct store_deal_step *, void *);
		int	(*meeting)(const struct store_meeting *, void *);
		int	(*meeting_time)(const struct store_meeting_time *,
			    void *);
		int	(*lost)(const struct store_lost *, void *);
		int	(*id)(int64_t, void *);
		int	(*close)(int64_t, time_t, void *);
		int	(*count)(const char *, long, void *);
		int	(*person)(const struct store_person_signal *, void *);
	} fn;
	void	*arg;
};

/* The enum outcome of a stored name; -1 if unknown. */
static int
query_outcome(const char *name)
{
	return outcome_from_name(name != NULL ? name : "");
}

/* Reads the QUERY_DEAL_COLUMNS of a row into d. */
static void
query_deal_read(sqlite3_stmt *s, struct store_deal *d)
{
	d->id = sqlite3_column_int64(s, 0);
	d->account = store_column_text(s, 1);
	d->salesperson = store_column_text(s, 2);
	d->kind = store_column_text(s, 3);
	d->phase = store_column_text(s, 4);
	d->outcome = store_column_text(s, 5);
	d->opened = store_column_time(s, 6);
	d->closed = store_column_time(s, 7);
	d->last_activity = store_column_time(s, 8);
}

/* Hands a row of a deal statement to the callback. */
static int
query_deal_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_deal d;

	query_deal_read(s, &d);
	return c->fn.deal(&d, c->arg);
}

/* Hands a row of QUERY_OPEN_DEALS to the callback. */
static int
query_open_deal_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_open_deal d;

	query_deal_read(s, &d.deal);
	d.account_id = sqlite3_column_int64(s, 9);
	d.last_inbound = store_column_time(s, 10);
	d.phase_since = store_column_time(s, 11);
	activity_init(&d.act);
	/* An open deal has a signal, its opening: none, none was kept. */
	d.kept = sqlite3_column_type(s, 12) != SQLITE_NULL;
	if (d.kept) {
		d.act.latest_at = store_column_time(s, 12);
		d.act.latest = sqlite3_column_int64(s, 13);
		d.act.last_act = store_column_time(s, 14);
		d.act.only_target = sqlite3_column_int(s, 15) != 0;
		d.act.snoozed = store_column_time(s, 16);
		snprintf(d.act.decision, sizeof d.act.decision, "%s",
		    store_column_text(s, 17) != NULL ?
		    store_column_text(s, 17) : "");
		d.act.entered_by = store_column_text(s, 18) != NULL ?
		    signal_kind_from_name(store_column_text(s, 18)) : -1;
	}
	return c->fn.open_deal(&d, c->arg);
}

int
store_dirty_accounts(struct store *st, struct strlist *keys, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_DIRTY_ACCOUNTS, err);
	int rc;

	if (s == NULL)
		return -1;
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s))
		strlist_add(keys, store_column_text(s, 0));
	return store_done(st, s, rc, err, "dirty accounts");
}

int
store_open_deal_count(struct store *st, const char *salesperson, long *n,
    struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, salesperson != NULL ?
	    QUERY_OPEN_DEAL_COUNT_OF : QUERY_OPEN_DEAL_COUNT, err);
	int rc;

	*n = 0;
	if (s == NULL)
		return -1;
	if (salesperson != NULL)
		store_bind_text(s, 1, salesperson);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "deals");
}

int
store_deals(struct store *st, const struct store_filter *f,
    int (*cb)(const struct store_deal *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.deal = cb, .arg = arg };
	sqlite3_stmt *s;

	s = query_stmt(st, f->account != NULL ? QUERY_ACCOUNT_DEALS :
	    f->since != 0 && f->salesperson != NULL ? QUERY_DEALS_SINCE_OF :
	    f->since != 0 ? QUERY_DEALS_SINCE : QUERY_DEALS, err);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, f->salesperson);
	query_bind_since(s, 2, f->since);
	query_bind_until(s, 3, f->until);
	if (f->account != NULL)
		store_bind_text(s, 4, f->account);
	return query_walk(st, s, query_deal_row, &c, err, "deals");
}

int
store_open_deals(struct store *st,
    int (*cb)(const struct store_open_deal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.open_deal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_OPEN_DEALS, err);

	if (s == NULL)
		return -1;
	return query_walk(st, s, query_open_deal_row, &c, err, "deals");
}

int
store_open_deals_of(struct store *st, const char *salesperson,
    int (*cb)(const struct store_open_deal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.open_deal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_OPEN_DEALS_OF, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, salesperson);
	return query_walk(st, s, query_open_deal_row, &c, err, "deals");
}

int
store_won_deals(struct store *st, time_t until,
    int (*cb)(const struct store_open_deal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.open_deal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_WON_DEALS, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)until);
	return query_walk(st, s, query_open_deal_row, &c, err, "deals");
}

int
store_closed_deals(struct store *st, time_t since, time_t until,
    int (*cb)(const struct store_deal *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.deal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_CLOSED_DEALS, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)until);
	return query_walk(st, s, query_deal_row, &c, err, "deals");
}

/* Hands a row of QUERY_LOST_DEALS to the callback. */
static int
query_lost_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_lost l;

	query_deal_read(s, &l.deal);
	l.reason = store_column_text(s, 9);
	return c->fn.lost(&l, c->arg);
}

int
store_lost_deals(struct store *st, time_t since, time_t until,
    int (*cb)(const struct store_lost *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.lost = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_LOST_DEALS, err);

	if (s == NULL)
		return -1;
	query_bind_since(s, 1, since);
	query_bind_until(s, 2, until);
	return query_walk(st, s, query_lost_row, &c, err, "lost deals");
}

int
store_account_owner(struct store *st, const char *account, char **owner,
    struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_OWNER, err);
	int rc;

	*owner = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, account);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*owner = xstrdup(store_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "deal owner");
}

/* Hands a row of a transition statement to the callback. */
static int
query_transition_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_transition t;

	t.deal = sqlite3_column_int64(s, 0);
	t.account = store_column_text(s, 1);
	t.salesperson = store_column_text(s, 2);
	t.actor = store_column_text(s, 3);
	t.from = store_column_text(s, 4);
	t.to = store_column_text(s, 5);
	t.at = store_column_time(s, 6);
	t.signal_kind = store_column_text(s, 7);
	t.source = store_column_text(s, 8);
	t.ref = store_column_text(s, 9);
	return c->fn.transition(&t, c->arg);
}

int
store_transitions(struct store *st, const struct store_filter *f,
    int (*cb)(const struct store_transition *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.transition = cb, .arg = arg };
	sqlite3_stmt *s;

	s = query_stmt(st, f->account != NULL ? QUERY_ACCOUNT_TRANSITIONS :
	    QUERY_TRANSITIONS, err);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, f->salesperson);
	query_bind_since(s, 2, f->since);
	query_bind_until(s, 3, f->until);
	if (f->account != NULL)
		store_bind_text(s, 4, f->account);
	return query_walk(st, s, query_transition_row, &c, err, "transitions");
}

/* Whether salespeople (NULL or empty: all) has key, case and all. */
static bool
query_admits(const struct strlist *salespeople, const char *key)
{
	size_t i;

	if (salespeople == NULL || salespeople->n == 0)
		return true;
	for (i = 0; key != NULL && i < salespeople->n; i++)
		if (strcmp(salespeople->v[i], key) == 0)
			return true;
	return false;
}

/* store_deal_states' walk: whose deals, and the callback. */
struct query_states {
	const struct strlist *salespeople;	/* borrowed */
	struct query_cb	 c;
};

/* Hands a row of QUERY_DEAL_STATES of an admitted salesperson to the callback. */
static int
query_state_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_states *w = ctx;
	struct store_deal_state d;

	d.salesperson = store_column_text(s, 1);
	if (!query_admits(w->salespeople, d.salesperson))
		return 0;
	d.id = sqlite3_column_int64(s, 0);
	d.phase = store_column_text(s, 2);
	d.outcome = query_outcome(store_column_text(s, 3));
	d.closed = store_column_time(s, 4);
	return w->c.fn.state(&d, w->c.arg);
}

int
store_deal_states(struct store *st, const struct strlist *salespeople,
    int (*cb)(const struct store_deal_state *, void *), void *arg,
    struct err *err)
{
	struct query_states w = { salespeople, { .fn.state = cb, .arg = arg } };
	sqlite3_stmt *s = query_stmt(st, QUERY_DEAL_STATES, err);

	if (s == NULL)
		return -1;
	return query_walk(st, s, query_state_row, &w, err, "deals");
}

/*
 * The open deals of a team (a manager's digest: a few of hundreds of
 * salespeople) from each one's range of their index, not a scan of every
 * open deal (427k at 10M signals) to keep a twentieth.
 */
int
store_open_deal_states(struct store *st, const struct strlist *salespeople,
    int (*cb)(const struct store_deal_state *, void *), void *arg,
    struct err *err)
{
	struct query_states w = { NULL, { .fn.state = cb, .arg = arg } };
	sqlite3_stmt *s;
	size_t i;
	int rc = 0;

	if (salespeople == NULL || salespeople->n == 0) {
		s = query_stmt(st, QUERY_OPEN_DEAL_STATES, err);
		return s == NULL ? -1 :
		    query_walk(st, s, query_state_row, &w, err, "deals");
	}
	for (i = 0; i < salespeople->n && rc == 0; i++) {
		/* Named twice, read once. */
		if (strlist_repeats(salespeople, i))
			continue;
		if ((s = query_stmt(st, QUERY_OPEN_DEAL_STATES_OF, err)) == NULL)
			return -1;
		store_bind_text(s, 1, salespeople->v[i]);
		rc = query_walk(st, s, query_state_row, &w, err, "deals");
	}
	return rc;
}

/* A deal as store_entries keeps it. */
struct query_deal {
	int64_t		 id;
	time_t		 closed;
	int		 outcome;
};

/* store_entries' walk: the deals read, and the callbacks. */
struct query_entries {
	struct store	*st;
	struct err	*err;
	bool		 look_up;	/* a deal not read is looked up alone */
	const struct strlist *salespeople;	/* borrowed */
	struct query_deal *deals;	/* owned, in id order */
	size_t		 n;
	size_t		 cap;
	size_t		 hint;
	/* Dense ids: slot[id - base] is 1 + the deal's place, 0 if none. */
	uint32_t	*slot;		/* owned; NULL: search */
	int64_t		 base;
	size_t		 nslot;
	int		(*deal)(const struct store_deal_state *, void *);
	int		(*entry)(const struct store_entry *, void *);
	void		*arg;
};

/* Keeps a deal for its entries. */
static void
query_keep_deal(struct query_entries *w, int64_t id, int outcome,
    time_t closed)
{
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 1024 : w->cap * 2;
		w->deals = xreallocarray(w->deals, w->cap, sizeof *w->deals);
	}
	w->deals[w->n].id = id;
	w->deals[w->n].closed = closed;
	w->deals[w->n].outcome = outcome;
	w->n++;
}

/* Keeps a deal for its entries and hands it to the deal callback. */
static int
query_entries_deal(const struct store_deal_state *d, void *ctx)
{
	struct query_entries *w = ctx;

	query_keep_deal(w, d->id, d->outcome, d->closed);
	return w->deal != NULL ? w->deal(d, w->arg) : 0;
}

/*
 * The deal of id among those read (id order), or NULL.  Transitions come
 * mostly in the order of their deals, so the one after the last found is
 * tried before searching.
 */
static const struct query_deal *
query_find_deal(struct query_entries *w, int64_t id)
{
	const struct query_deal *v = w->deals;
	size_t lo = 0, hi = w->n, mid;
	uint64_t off;

	if (w->slot != NULL) {
		/* Unsigned: ids far apart do not overflow. */
		off = (uint64_t)id - (uint64_t)w->base;
		if (id < w->base || off >= w->nslot || w->slot[off] == 0)
			return NULL;
		return &v[w->slot[off] - 1];
	}
	if (w->hint < w->n && v[w->hint].id == id)
		return &v[w->hint];
	if (w->hint + 1 < w->n && v[w->hint + 1].id == id)
		return &v[++w->hint];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].id == id) {
			w->hint = mid;
			return &v[mid];
		}
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The deal of id from its row, into *d: 1 when there is none, -1 on an
 * error (the walk stops with it).
 */
static int
query_deal_close(struct query_entries *w, int64_t id, struct query_deal *d)
{
	sqlite3_stmt *s = query_stmt(w->st, QUERY_DEAL_CLOSE, w->err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return store_done(w->st, s, rc, w->err, "deals") == 0 ? 1 : -1;
	d->id = id;
	d->outcome = query_outcome(store_column_text(s, 0));
	d->closed = store_column_time(s, 1);
	return store_done(w->st, s, SQLITE_DONE, w->err, "deals");
}

/*
 * Hands an entry of a deal that store_entries read to the callback; a
 * deal not among them is looked up alone when w->look_up is set, and an
 * entry without one passed over.
 */
static int
query_entries_row(sqlite3_stmt *s, void *ctx)
{
	struct query_entries *w = ctx;
	const struct query_deal *d;
	struct query_deal alone;
	struct store_entry e;
	int rc;

	d = query_find_deal(w, sqlite3_column_int64(s, 0));
	if (d == NULL) {
		if (!w->look_up)
			return 0;
		rc = query_deal_close(w, sqlite3_column_int64(s, 0), &alone);
		if (rc != 0)
			return rc > 0 ? 0 : -1;
		d = &alone;
	}
	e.deal = d->id;
	e.phase = store_column_text(s, 1);
	e.at = store_column_time(s, 2);
	e.left = store_column_time(s, 3);
	e.outcome = d->outcome;
	e.closed = d->closed;
	return w->entry(&e, w->arg);
}

/* Hands an entry of QUERY_ENTRIES_RANGE (joined to its deal) to the callback. */
static int
query_entries_joined_row(sqlite3_stmt *s, void *ctx)
{
	struct query_entries *w = ctx;
	struct store_entry e;

	if (!query_admits(w->salespeople, store_column_text(s, 4)))
		return 0;
	e.deal = sqlite3_column_int64(s, 0);
	e.phase = store_column_text(s, 1);
	e.at = store_column_time(s, 2);
	e.left = store_column_time(s, 3);
	e.outcome = query_outcome(store_column_text(s, 5));
	e.closed = store_column_time(s, 6);
	return w->entry(&e, w->arg);
}

/* Keeps a row of QUERY_WINDOW_ENTRY_DEALS. */
static int
query_window_deal_row(sqlite3_stmt *s, void *ctx)
{
	query_keep_deal(ctx, sqlite3_column_int64(s, 0),
	    query_outcome(store_column_text(s, 1)), store_column_time(s, 2));
	return 0;
}

/*
 * Sorts the deals read by id, for query_find_deal, with a table of
 * their places by id when the ids are dense (row ids mostly are): a
 * window's entries come in time order, whose deals a search would find
 * in random places of a few megabytes.
 */
static void
query_sort_deals(struct query_entries *w)
{
	struct radix_item *key;
	struct query_deal *v;
	size_t i;

	key = xcalloc(w->n > 0 ? w->n : 1, sizeof *key);
	for (i = 0; i < w->n; i++) {
		key[i].key = radix_key_int(w->deals[i].id);
		key[i].i = i;
	}
	radix_sort(key, w->n);
	v = xcalloc(w->n > 0 ? w->n : 1, sizeof *v);
	for (i = 0; i < w->n; i++)
		v[i] = w->deals[key[i].i];
	free(w->deals);
	w->deals = v;
	w->cap = w->n;
	free(key);
	if (w->n == 0 || w->n >= UINT32_MAX ||
	    (uint64_t)v[w->n - 1].id - (uint64_t)v[0].id >=
	    4 * (uint64_t)w->n + 1024)
		return;
	w->base = v[0].id;
	w->nslot = (size_t)((uint64_t)v[w->n - 1].id - (uint64_t)w->base) + 1;
	w->slot = xcalloc(w->nslot, sizeof *w->slot);
	for (i = 0; i < w->n; i++)
		w->slot[(uint64_t)v[i].id - (uint64_t)w->base] =
		    (uint32_t)(i + 1);
}

/*
 * The company's entries of a window from covering indexes alone: the
 * deals an entry may belong to (open, or closed since the window's
 * start) read once and found in memory, where joining each entry to its
 * deal read a random page of the deals per entry (210k in 90 days at
 * 10M signals).
 */
static int
query_entries_company(struct store *st, struct query_entries *w,
    time_t since, time_t until, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	s = query_stmt(st, QUERY_WINDOW_ENTRY_DEALS, err);
	if (s == NULL)
		return -1;
	query_bind_since(s, 1, since);
	rc = query_walk(st, s, query_window_deal_row, w, err, "deals");
	if (rc == 0) {
		query_sort_deals(w);
		w->look_up = true;
		s = query_stmt(st, QUERY_FUNNEL_ENTRIES, err);
		rc = s == NULL ? -1 : 0;
	}
	if (rc == 0) {
		query_bind_since(s, 1, since);
		query_bind_until(s, 2, until);
		rc = query_walk(st, s, query_entries_row, w, err,
		    "transitions");
	}
	free(w->deals);
	free(w->slot);
	w->deals = NULL;
	w->slot = NULL;
	w->n = w->cap = w->nslot = 0;
	return rc;
}

/*
 * The entries of a window: the company's from covering indexes
 * (query_entries_company: the window's entries and every open deal); a
 * team's, or with the deal callback, each joined to its deal in SQL, a
 * lookup per entry (of the team's alone for a team), so that the cost
 * follows the window.  The deal callback sees the deals a window's
 * counts need: the open ones and those closed in it.
 */
static int
query_entries_window(struct store *st, struct query_entries *w, time_t since,
    time_t until, struct err *err)
{
	struct query_states ws = { w->salespeople,
	    { .fn.state = w->deal, .arg = w->arg } };
	sqlite3_stmt *s;
	bool team;
	int rc;

	team = w->salespeople != NULL && w->salespeople->n > 0;
	if (w->deal == NULL && !team)
		return query_entries_company(st, w, since, until, err);
	if (w->deal != NULL) {
		s = query_stmt(st, QUERY_WINDOW_DEAL_STATES, err);
		if (s == NULL)
			return -1;
		query_bind_since(s, 1, since);
		query_bind_until(s, 2, until);
		rc = query_walk(st, s, query_state_row, &ws, err, "deals");
		if (rc != 0)
			return rc;
	}
	s = query_stmt(st, team ? QUERY_TEAM_ENTRIES_RANGE :
	    QUERY_ENTRIES_RANGE, err);
	if (s == NULL)
		return -1;
	query_bind_since(s, 1, since);
	query_bind_until(s, 2, until);
	if (team)
		query_bind_keys(s, 3, w->salespeople);
	return query_walk(st, s, query_entries_joined_row, w, err,
	    "transitions");
}

/*
 * Over the whole history, joining transitions to deals in SQL would look
 * every transition's deal up in the deals B-tree, a third of the time of
 * walking every entry; the deals are read once in id order instead (which
 * also serves the deal callback) and found in memory.
 */
int
store_entries(struct store *st, const struct strlist *salespeople,
    time_t since, time_t until,
    int (*deal)(const struct store_deal_state *, void *),
    int (*entry)(const struct store_entry *, void *), void *arg,
    struct err *err)
{
	struct query_entries w = { st, err, false, salespeople, NULL, 0, 0,
	    0, NULL, 0, 0, deal, entry, arg };
	sqlite3_stmt *s = NULL;
	int rc;

	if (since != 0)
		return query_entries_window(st, &w, since, until, err);
	rc = store_deal_states(st, salespeople, query_entries_deal, &w, err);
	if (rc == 0)
		s = query_stmt(st, QUERY_ENTRIES, err);
	if (s != NULL) {
		query_bind_until(s, 1, until);
		rc = query_walk(st, s, query_entries_row, &w, err,
		    "transitions");
	} else if (rc == 0)
		rc = -1;
	free(w.deals);
	return rc;
}

/* Hands a row of QUERY_FUNNEL_ENTRIES to the callback. */
static int
query_window_entry_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_entry e = { 0 };

	e.deal = sqlite3_column_int64(s, 0);
	e.phase = store_column_text(s, 1);
	e.at = store_column_time(s, 2);
	e.left = store_column_time(s, 3);
	e.outcome = -1;
	return c->fn.entry(&e, c->arg);
}

/* Hands a row of (deal_id, to_phase, at) to the callback. */
static int
query_entry_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_entry e = { 0 };

	e.deal = sqlite3_column_int64(s, 0);
	e.phase = store_column_text(s, 1);
	e.at = store_column_time(s, 2);
	e.outcome = -1;
	return c->fn.entry(&e, c->arg);
}

int
store_deal_entries(struct store *st, int64_t deal,
    int (*cb)(const struct store_entry *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.entry = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_DEAL_ENTRIES, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, deal);
	return query_walk(st, s, query_entry_row, &c, err, "transitions");
}

int
store_entry_kind(struct store *st, int64_t deal, time_t at, const char *phase,
    char *kind, size_t size, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_ENTRY_KIND, err);
	int rc;

	kind[0] = '\0';
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, deal);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)at);
	store_bind_text(s, 3, phase);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(kind, size, "%s", store_column_text(s, 0) != NULL ?
		    store_column_text(s, 0) : "");
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "transitions");
}

int
store_won_entries(struct store *st, time_t until,
    int (*cb)(const struct store_entry *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.entry = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_WON_ENTRIES, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)until);
	return query_walk(st, s, query_entry_row, &c, err, "transitions");
}

int
store_moves_since(struct store *st, time_t since,
    int (*cb)(const struct store_entry *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.entry = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_MOVES_SINCE, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	return query_walk(st, s, query_entry_row, &c, err, "transitions");
}

int
store_window_entries(struct store *st, time_t since, time_t until,
    int (*cb)(const struct store_entry *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.entry = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_FUNNEL_ENTRIES, err);

	if (s == NULL)
		return -1;
	query_bind_since(s, 1, since);
	query_bind_until(s, 2, until);
	return query_walk(st, s, query_window_entry_row, &c, err,
	    "transitions");
}

/* Hands a row of (id) to the callback. */
static int
query_id_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;

	return c->fn.id(sqlite3_column_int64(s, 0), c->arg);
}

int
store_person_deals(struct store *st, const char *salesperson,
    int (*cb)(int64_t, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.id = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_PERSON_DEALS, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, salesperson);
	return query_walk(st, s, query_id_row, &c, err, "deals");
}

/* Hands a row of (phase, count) to the callback. */
static int
query_count_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;

	return c->fn.count(store_column_text(s, 0),
	    (long)sqlite3_column_int64(s, 1), c->arg);
}

int
store_open_phases(struct store *st, const char *salesperson,
    int (*cb)(const char *, long, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.count = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_OPEN_PHASES, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, salesperson);
	return query_walk(st, s, query_count_row, &c, err, "deals");
}

int
store_closed_counts(struct store *st, const char *salesperson, time_t since,
    time_t until, long *won, long *lost, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_CLOSED_COUNTS, err);
	int rc;

	*won = *lost = 0;
	if (s == NULL)
		return -1;
	query_bind_since(s, 1, since);
	query_bind_until(s, 2, until);
	store_bind_text(s, 3, salesperson);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*won = (long)sqlite3_column_int64(s, 0);
		*lost = (long)sqlite3_column_int64(s, 1);
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "deals");
}

/* Hands a row of (id, closed) to the callback. */
static int
query_close_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;

	return c->fn.close(sqlite3_column_int64(s, 0),
	    store_column_time(s, 1), c->arg);
}

int
store_won_closes(struct store *st, const char *salesperson, time_t since,
    int (*cb)(int64_t, time_t, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.close = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_WON_CLOSES, err);

	if (s == NULL)
		return -1;
	query_bind_since(s, 1, since);
	store_bind_text(s, 2, salesperson);
	return query_walk(st, s, query_close_row, &c, err, "deals");
}

int
store_changed_since(struct store *st, time_t since,
    int (*cb)(const struct store_deal_state *, void *), void *arg,
    struct err *err)
{
	struct query_states w = { NULL, { .fn.state = cb, .arg = arg } };
	sqlite3_stmt *s = query_stmt(st, QUERY_CHANGED_SINCE, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	return query_walk(st, s, query_state_row, &w, err, "deals");
}

/* Hands a row of a signal statement (QUERY_SIGNAL_COLUMNS) to the callback. */
static int
query_signal_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_signal g;

	g.id = sqlite3_column_int64(s, 8);
	g.at = store_column_time(s, 0);
	g.kind = store_column_text(s, 1);
	g.direction = store_column_text(s, 2);
	g.salesperson = store_column_text(s, 3);
	g.rule = store_column_text(s, 4);
	g.subject = store_column_text(s, 5);
	g.source = store_column_text(s, 6);
	g.ref = store_column_text(s, 7);
	g.language = store_column_text(s, 9);
	g.ignored = store_column_text(s, 10);
	g.value = store_column_text(s, 11);
	return c->fn.signal(&g, c->arg);
}

/* Hands a row of QUERY_FACTS_AT to the callback, with its deal. */
static int
query_deal_signal_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_signal g;

	memset(&g, 0, sizeof g);
	g.id = sqlite3_column_int64(s, 4);
	g.at = store_column_time(s, 0);
	g.kind = store_column_text(s, 1);
	g.direction = store_column_text(s, 2);
	g.subject = store_column_text(s, 3);
	g.value = store_column_text(s, 5);
	return c->fn.deal_signal(sqlite3_column_int64(s, 6), &g, c->arg);
}

int
store_won_acts(struct store *st, time_t until,
    int (*cb)(int64_t, time_t, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.close = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_WON_ACTS, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)until);
	return query_walk(st, s, query_close_row, &c, err, "signals");
}

int
store_won_times(struct store *st, time_t until,
    int (*cb)(int64_t, time_t, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.close = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_WON_TIMES, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)until);
	return query_walk(st, s, query_close_row, &c, err, "signals");
}

/* Hands a row of QUERY_WON_SPELLS to the callback. */
static int
query_spells_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;

	return c->fn.spells(store_column_text(s, 0), c->arg);
}

int
store_won_spells(struct store *st, time_t until,
    int (*cb)(const char *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.spells = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_WON_SPELLS, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)until);
	return query_walk(st, s, query_spells_row, &c, err, "deals");
}

/* Hands a row of QUERY_ENTRIES_AT to the callback, with its deal's columns. */
static int
query_entry_at_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_entry e = { 0 };

	e.deal = sqlite3_column_int64(s, 0);
	e.phase = store_column_text(s, 1);
	e.at = store_column_time(s, 2);
	e.outcome = -1;
	e.salesperson = store_column_text(s, 3);
	e.opened = store_column_time(s, 4);
	e.closed = store_column_time(s, 5);
	return c->fn.entry(&e, c->arg);
}

int
store_entries_at(struct store *st, const char *salesperson, time_t at,
    int (*cb)(const struct store_entry *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.entry = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_ENTRIES_AT, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)at);
	store_bind_text(s, 2, salesperson);
	return query_walk(st, s, query_entry_at_row, &c, err, "transitions");
}

int
store_facts_at(struct store *st, const char *salesperson, time_t at,
    int (*cb)(int64_t, const struct store_signal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.deal_signal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_FACTS_AT, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)at);
	store_bind_text(s, 2, salesperson);
	return query_walk(st, s, query_deal_signal_row, &c, err, "signals");
}

/* Walks statement id, a QUERY_KEY_SIGNALS, over f. */
static int
query_key_signals(struct store *st, int id, const struct store_filter *f,
    int (*cb)(const struct store_signal *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.signal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, id, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, f->account);
	store_bind_text(s, 2, f->salesperson);
	query_bind_since(s, 3, f->since);
	query_bind_until(s, 4, f->until);
	return query_walk(st, s, query_signal_row, &c, err, "signals");
}

int
store_signals(struct store *st, const struct store_filter *f,
    int (*cb)(const struct store_signal *, void *), void *arg, struct err *err)
{
	return query_key_signals(st, QUERY_SIGNALS, f, cb, arg, err);
}

int
store_fact_signals(struct store *st, const struct store_filter *f,
    int (*cb)(const struct store_signal *, void *), void *arg, struct err *err)
{
	return query_key_signals(st, QUERY_FACT_SIGNALS, f, cb, arg, err);
}

int
store_account_signals(struct store *st, int64_t account, time_t from,
    time_t until, int (*cb)(const struct store_signal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.signal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_ACCOUNT_SIGNALS, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, account);
	query_bind_since(s, 2, from);
	query_bind_until(s, 3, until);
	return query_walk(st, s, query_signal_row, &c, err, "signals");
}

/* Hands a row of QUERY_OFFERS to the callback. */
static int
query_offer_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_offer o;

	o.deal = sqlite3_column_int64(s, 0);
	o.account = NULL;
	o.phase = store_column_text(s, 1);
	o.at = store_column_time(s, 2);
	o.signal = sqlite3_column_int64(s, 3);
	o.kind = store_column_text(s, 4);
	o.subject = store_column_text(s, 5);
	o.value = store_column_text(s, 6);
	return c->fn.offer(&o, c->arg);
}

/* Hands a row of QUERY_ACCOUNT_OFFERS to the callback. */
static int
query_account_offer_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_offer o;

	memset(&o, 0, sizeof o);
	o.account = store_column_text(s, 0);
	o.at = store_column_time(s, 1);
	o.signal = sqlite3_column_int64(s, 2);
	o.kind = store_column_text(s, 3);
	o.subject = store_column_text(s, 4);
	o.value = store_column_text(s, 5);
	return c->fn.offer(&o, c->arg);
}

int
store_account_offers(struct store *st, time_t until,
    int (*cb)(const struct store_offer *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.offer = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_ACCOUNT_OFFERS, err);

	if (s == NULL)
		return -1;
	query_bind_until(s, 1, until);
	return query_walk(st, s, query_account_offer_row, &c, err, "offers");
}

/*
 * Whether fewer than limit signals can carry an amount: then reading them
 * all costs less than probing the index once per deal.
 */
static int
query_few_valued(struct store *st, long limit, bool *few, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_VALUED_COUNT, err);
	int rc;

	*few = false;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, limit);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*few = sqlite3_column_int64(s, 0) < limit;
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "signals");
}

int
store_deal_offers(struct store *st, const char *salesperson, bool won,
    time_t since, time_t until, long deals,
    int (*cb)(const struct store_offer *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.offer = cb, .arg = arg };
	enum query_stmt id = won ? (since == 0 ? QUERY_WON_OFFERS_ALL :
	    QUERY_WON_OFFERS) : QUERY_OPEN_OFFERS;
	sqlite3_stmt *s;
	bool few = false;

	/*
	 * A signal read first costs a look-up of its account's deals, some
	 * four times a probe of the index per deal.
	 */
	if (!won && deals / 4 > 0 &&
	    query_few_valued(st, deals / 4, &few, err) != 0)
		return -1;
	if (few)
		id = QUERY_OPEN_OFFERS_ALL;
	if ((s = query_stmt(st, id, err)) == NULL)
		return -1;
	store_bind_text(s, 1, salesperson);
	if (won) {
		query_bind_since(s, 2, since);
		query_bind_until(s, 3, until);
	} else
		sqlite3_bind_int64(s, 2, (sqlite3_int64)since);
	return query_walk(st, s, query_offer_row, &c, err, "offers");
}

int
store_signal_by_id(struct store *st, int64_t id,
    int (*cb)(const struct store_signal *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.signal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_SIGNAL_BY_ID, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return query_walk(st, s, query_signal_row, &c, err, "signals");
}

int
store_latest_signal(struct store *st, int64_t account, time_t from, time_t to,
    int (*cb)(const struct store_signal *, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.signal = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_LATEST_SIGNAL, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, account);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)from);
	query_bind_until(s, 3, to);
	return query_walk(st, s, query_signal_row, &c, err, "signals");
}

/* Hands a row of QUERY_APPOINTMENTS to the callback. */
static int
query_appointment_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_appointment a;

	a.day = store_column_text(s, 0);
	a.salesperson = store_column_text(s, 1);
	a.uid = store_column_text(s, 2);
	a.recurrence_id = sqlite3_column_int64(s, 3);
	return c->fn.appointment(&a, c->arg);
}

int
store_appointments(struct store *st, const char *salesperson,
    const char *since, const char *until,
    int (*cb)(const struct store_appointment *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.appointment = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_APPOINTMENTS, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, salesperson);
	store_bind_text(s, 2, since);
	store_bind_text(s, 3, until);
	return query_walk(st, s, query_appointment_row, &c, err,
	    "appointments");
}

/* Hands a row of QUERY_APPOINTMENT_SERIES to the callback. */
static int
query_series_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;

	return c->fn.series(store_column_text(s, 0), store_column_time(s, 1),
	    c->arg);
}

int
store_appointment_series(struct store *st, const char *salesperson,
    time_t since, time_t until, int (*cb)(const char *, time_t, void *),
    void *arg, struct err *err)
{
	struct query_cb c = { .fn.series = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, since != 0 ? QUERY_APPOINTMENT_SERIES :
	    QUERY_APPOINTMENT_ALL_SERIES, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, salesperson);
	if (since != 0) {
		query_bind_since(s, 2, since);
		query_bind_until(s, 3, until);
	}
	return query_walk(st, s, query_series_row, &c, err, "appointments");
}

int
store_signal_counts(struct store *st, const char *kind, time_t since,
    time_t until, int (*cb)(const char *, long, void *), void *arg,
    struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_SIGNAL_COUNTS, err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, kind);
	query_bind_since(s, 2, since);
	query_bind_until(s, 3, until);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(store_column_text(s, 0),
		    (long)sqlite3_column_int64(s, 1), arg) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	return store_done(st, s, rc, err, "signal counts");
}

/* Hands a row of QUERY_HISTORY to the callback. */
static int
query_history_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_history_signal g;

	g.account = store_column_text(s, 0);
	g.id = sqlite3_column_int64(s, 1);
	g.kind = store_column_text(s, 2);
	g.at = store_column_time(s, 3);
	g.direction = store_column_text(s, 4);
	g.salesperson = store_column_text(s, 5);
	g.ref = store_column_text(s, 6);
	g.value = store_column_text(s, 7);
	g.seen = store_column_time(s, 8);
	return c->fn.history(&g, c->arg);
}

/* Hands a row of QUERY_MEETINGS_OF to the callback. */
static int
query_meeting_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_meeting m;

	m.account = store_column_text(s, 0);
	m.start = store_column_time(s, 1);
	m.salesperson = store_column_text(s, 2);
	m.summary = store_column_text(s, 3);
	m.created = store_column_time(s, 4);
	return c->fn.meeting(&m, c->arg);
}

/* Hands a row of QUERY_MEETING_TIMES to the callback. */
static int
query_meeting_time_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_meeting_time m;

	m.account_id = sqlite3_column_int64(s, 0);
	m.start = store_column_time(s, 1);
	m.created = store_column_time(s, 2);
	return c->fn.meeting_time(&m, c->arg);
}

int
store_meeting_times(struct store *st, bool booked,
    int (*cb)(const struct store_meeting_time *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.meeting_time = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_MEETING_TIMES, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, booked);
	return query_walk(st, s, query_meeting_time_row, &c, err,
	    "appointments");
}

int
store_account_meeting_times(struct store *st, int64_t account,
    int (*cb)(const struct store_meeting_time *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.meeting_time = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_ACCOUNT_MEETING_TIMES, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, account);
	return query_walk(st, s, query_meeting_time_row, &c, err,
	    "appointments");
}

int
store_meetings_of(struct store *st, const char *salesperson, const char *since,
    const char *until, int (*cb)(const struct store_meeting *, void *),
    void *arg, struct err *err)
{
	struct query_cb c = { .fn.meeting = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_MEETINGS_OF, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, salesperson);
	store_bind_text(s, 2, since);
	store_bind_text(s, 3, until);
	return query_walk(st, s, query_meeting_row, &c, err, "appointments");
}

/* Hands a row of QUERY_PERSON_SIGNALS to the callback. */
static int
query_person_row(sqlite3_stmt *s, void *ctx)
{
	const struct query_cb *c = ctx;
	struct store_person_signal g;

	g.at = store_column_time(s, 0);
	g.kind = store_column_text(s, 1);
	g.salesperson = store_column_text(s, 2);
	g.account = store_column_text(s, 3);
	g.rule = store_column_text(s, 4);
	g.value = store_column_text(s, 5);
	g.ignored = store_column_text(s, 6);
	g.direction = store_column_text(s, 7);
	return c->fn.person(&g, c->arg);
}

int
store_person_signals(struct store *st, const struct strlist *salespeople,
    time_t since, time_t until,
    int (*cb)(const struct store_person_signal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.person = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_PERSON_SIGNALS, err);

	if (s == NULL)
		return -1;
	if (salespeople != NULL && salespeople->n > 0)
		query_bind_keys(s, 1, salespeople);
	else
		sqlite3_bind_null(s, 1);
	query_bind_since(s, 2, since);
	query_bind_until(s, 3, until);
	return query_walk(st, s, query_person_row, &c, err, "signals");
}

int
store_history(struct store *st,
    int (*cb)(const struct store_history_signal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.history = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_HISTORY, err);

	if (s == NULL)
		return -1;
	return query_walk(st, s, query_history_row, &c, err, "signals");
}

/* The time in the first column of statement id's row; 0 if none. */
static int
query_time(struct store *st, enum query_stmt id, time_t *out, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, id, err);
	int rc;

	*out = 0;
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = store_column_time(s, 0);
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "signals");
}

int
store_history_seen(struct store *st, time_t *out, struct err *err)
{
	return query_time(st, QUERY_HISTORY_SEEN, out, err);
}

int
store_dirty_any(struct store *st, bool *dirty, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_DIRTY_ANY, err);
	int rc;

	*dirty = false;
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*dirty = sqlite3_column_int(s, 0) != 0;
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "dirty accounts");
}

int
store_history_first(struct store *st, time_t *first, struct err *err)
{
	return query_time(st, QUERY_HISTORY_FIRST, first, err);
}

int
store_history_late(struct store *st, time_t t,
    int (*cb)(int64_t, void *), void *arg, struct err *err)
{
	struct query_cb c = { .fn.id = cb, .arg = arg };
	sqlite3_stmt *s;
	time_t seen;

	if (query_time(st, QUERY_SIGNALS_SEEN, &seen, err) != 0)
		return -1;
	s = query_stmt(st, seen >= 0 && seen <= t ? QUERY_HISTORY_LATE :
	    QUERY_HISTORY_LATE_ALL, err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)t);
	return query_walk(st, s, query_id_row, &c, err, "signals");
}

int
store_account_history(struct store *st, int64_t account,
    int (*cb)(const struct store_history_signal *, void *), void *arg,
    struct err *err)
{
	struct query_cb c = { .fn.history = cb, .arg = arg };
	sqlite3_stmt *s = query_stmt(st, QUERY_ACCOUNT_HISTORY, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, account);
	return query_walk(st, s, query_history_row, &c, err, "signals");
}

/* The deal columns of a step from a row of QUERY_DEAL_STEP_DEALS. */
static void
query_deal_step_deal(sqlite3_stmt *s, struct store_deal_step *g)
{
	g->deal = sqlite3_column_int64(s, 0);
	g->account_id = sqlite3_column_int64(s, 1);
	g->seq = sqlite3_column_int64(s, 2);
	g->account = store_column_text(s, 3);
	g->salesperson = store_column_text(s, 4);
	g->kind = store_column_text(s, 5);
	g->outcome = store_column_text(s, 6);
	g->opened = store_column_time(s, 7);
	g->closed = store_column_time(s, 8);
	g->last_activity = store_column_time(s, 9);
	g->kept = sqlite3_column_int(s, 10) != 0;
	g->silence = store_column_time(s, 11);
}

/*
 * Each transition with its deal's columns: the deals (by id) are stepped
 * up to the deal of each transition (by deal id); a deal without one is
 * passed over, as a transition without its deal (the foreign key's
 * cascade leaves none).  Both statements read one snapshot: the
 * transitions' first step opens the read transaction, and the deals'
 * starts inside it.
 */
int
store_deal_steps(struct store *st,
    int (*cb)(const struct store_deal_step *, void *), void *arg,
    struct err *err)
{
	struct store_deal_step g;
	sqlite3_stmt *d, *t;
	int64_t deal;
	int rd = SQLITE_ROW, rt, stop = 0;
	bool have = false;		/* g holds a deal's columns */

	d = query_stmt(st, QUERY_DEAL_STEP_DEALS, err);
	if (d == NULL)
		return -1;
	t = query_stmt(st, QUERY_DEAL_STEP_MOVES, err);
	if (t == NULL)
		return -1;
	memset(&g, 0, sizeof g);
	for (rt = sqlite3_step(t); rt == SQLITE_ROW; rt = sqlite3_step(t)) {
		deal = sqlite3_column_int64(t, 0);
		while (rd == SQLITE_ROW && (!have || g.deal < deal)) {
			rd = sqlite3_step(d);
			if ((have = rd == SQLITE_ROW))
				query_deal_step_deal(d, &g);
		}
		if (rd != SQLITE_ROW)
			break;
		if (g.deal != deal)
			continue;
		g.phase = store_column_text(t, 1);
		g.at = store_column_time(t, 2);
		if ((stop = cb(&g, arg)) != 0)
			break;
	}
	if (stop != 0) {
		sqlite3_reset(t);
		sqlite3_reset(d);
		return stop;
	}
	if (rt == SQLITE_ROW || rt == SQLITE_DONE)
		rt = SQLITE_DONE;
	if (rd != SQLITE_ROW && rd != SQLITE_DONE) {
		sqlite3_reset(t);
		return store_done(st, d, rd, err, "deals");
	}
	sqlite3_reset(d);
	return store_done(st, t, rt, err, "transitions");
}

int
store_next_meeting(struct store *st, const char *account, time_t after,
    time_t *out, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_ACCOUNT_ID, err);
	sqlite3_int64 id;
	int rc;

	*out = 0;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, account);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return store_done(st, s, rc, err, "accounts");
	id = sqlite3_column_int64(s, 0);
	if (store_done(st, s, SQLITE_DONE, err, "accounts") != 0 ||
	    (s = query_stmt(st, QUERY_NEXT_MEETING, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)after);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = store_column_time(s, 0);
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "appointments");
}

int
store_counts(struct store *st, struct store_counts *c, struct err *err)
{
	sqlite3_stmt *s = query_stmt(st, QUERY_COUNTS, err);
	int rc;

	memset(c, 0, sizeof *c);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->version = sqlite3_column_int64(s, 0);
		c->signals = sqlite3_column_int64(s, 1);
		c->deals = sqlite3_column_int64(s, 2);
		c->open_deals = sqlite3_column_int64(s, 3);
		c->accounts = sqlite3_column_int64(s, 4);
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "counts");
}
