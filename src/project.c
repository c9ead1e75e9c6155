/* SPDX-License-Identifier: MIT */
/*
 * The projection of signals to deals and transitions (project.h): an
 * account's signals (its own, those of the free-mail addresses linked to
 * it, and those attributed to it by name) are read, run through the phase
 * model (phases.c), and the deals and transitions written over the stored
 * ones so that row ids stay stable:
 * a deal keeps its id per (account, seq), a transition its id where the
 * projection did not change.  That makes `rebuild` and the incremental
 * path give the same rows.
 *
 * A rebuild reads and projects the accounts on a second thread and
 * connection while the first writes the ones before (project_all).
 *
 * This file decides no phase (phases.c) and attributes nothing (names.c);
 * it writes deals, transitions and the record of accounts whose
 * projection is deferred.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_TAG "project"
#include "activity.h"
#include "log.h"
#include "phases.h"
#include "project.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

/*
 * An account's signals: its own unless it is a free-mail address linked
 * to a company (links.c), those of the addresses linked to it, and those
 * attributed to it by name.
 */
#define PROJECT_COLUMNS							\
	"SELECT id, kind, occurred_at, direction, salesperson, ref, value,"	\
	" source, ignored FROM signals"

/*
 * A deal's columns as project_deal_values orders them: its texts, then
 * its integers.  decision, entered_by and act_at to snoozed are the
 * activity of an open deal, quiet_spells and silence those of a won deal
 * (activity.h), NULL otherwise.
 */
#define PROJECT_DEAL_COLUMNS						\
	"salesperson, kind, phase, outcome, account, decision,"		\
	" quiet_spells, entered_by, opened, closed, last_activity,"	\
	" last_inbound, phase_since, act_at, latest_signal, latest_at,"	\
	" only_target, snoozed, silence"
#define PROJECT_DEAL_TEXTS	8
#define PROJECT_DEAL_INTS	11

#define PROJECT_STMTS(X)						\
	X(PROJECT_SIGNALS, PROJECT_COLUMNS " WHERE account_id = ?1"	\
	    " AND NOT EXISTS (SELECT 1 FROM account_links"		\
	    " WHERE account_id = ?1)"					\
	    " UNION ALL " PROJECT_COLUMNS " WHERE account_id IN"	\
	    " (SELECT account_id FROM account_links WHERE target_id = ?1)"	\
	    " UNION ALL " PROJECT_COLUMNS				\
	    " INDEXED BY signals_matched"				\
	    " WHERE matched_account_id = ?1 AND account_id IS NULL")	\
	X(PROJECT_IGNORED, "UPDATE signals SET ignored = ?2 WHERE id = ?1")	\
	X(PROJECT_LINK_TARGET, "SELECT target_id FROM account_links"	\
	    " WHERE account_id = ?1")					\
	X(PROJECT_ACCOUNT_KEY, "SELECT key FROM accounts WHERE id = ?1")	\
	X(PROJECT_DEALS_OF, "SELECT id, seq, " PROJECT_DEAL_COLUMNS	\
	    " FROM deals WHERE account_id = ?1 ORDER BY seq")		\
	X(PROJECT_DEAL_ADD, "INSERT INTO deals(account_id, seq, "	\
	    PROJECT_DEAL_COLUMNS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"	\
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"	\
	    " ?20, ?21)")						\
	X(PROJECT_DEAL_SET, "UPDATE deals SET (" PROJECT_DEAL_COLUMNS	\
	    ") = (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"	\
	    " ?15, ?16, ?17, ?18, ?19, ?20, ?21) WHERE id = ?22")	\
	/* The meetings held with an account, as analysis.c reads them. */ \
	X(PROJECT_MEETINGS, "SELECT start FROM appointments"		\
	    " INDEXED BY appointments_account"				\
	    " WHERE COALESCE(account_id, matched_account_id) = ?1"	\
	    " ORDER BY start")						\
	X(PROJECT_DEAL_TRIM, "DELETE FROM deals WHERE account_id = ?1"	\
	    " AND seq >= ?2")						\
	X(PROJECT_TRANS_ROWS, "SELECT t.id, t.deal_id, t.from_phase,"	\
	    " t.to_phase, t.actor, t.signal_kind, t.source, t.ref,"	\
	    " t.owner, t.account, t.at, t.signal_id, t.left_at FROM deals d"	\
	    " JOIN transitions t ON t.deal_id = d.id"			\
	    " WHERE d.account_id = ?1")					\
	X(PROJECT_TRANS_ADD, "INSERT INTO transitions(deal_id,"	\
	    " from_phase, to_phase, at, actor, signal_kind, source, ref,"	\
	    " signal_id, left_at, owner, account)"			\
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")	\
	X(PROJECT_TRANS_SET, "UPDATE transitions SET deal_id = ?1,"	\
	    " from_phase = ?2, to_phase = ?3, at = ?4, actor = ?5,"	\
	    " signal_kind = ?6, source = ?7, ref = ?8, signal_id = ?9,"	\
	    " left_at = ?10, owner = ?11, account = ?12 WHERE id = ?13")	\
	X(PROJECT_TRANS_DELETE, "DELETE FROM transitions WHERE id = ?1")	\
	X(PROJECT_ACCOUNTS, "SELECT id FROM accounts ORDER BY key")	\
	X(PROJECT_NO_DEALS, "SELECT NOT EXISTS (SELECT 1 FROM deals)")	\
	X(PROJECT_INDEX_SQL, "SELECT sql FROM sqlite_master"		\
	    " WHERE type = 'index' AND name = ?1")			\
	X(PROJECT_STALE, "SELECT DISTINCT a.key FROM deals d"		\
	    " JOIN accounts a ON a.id = d.account_id"			\
	    " WHERE d.outcome = 'open' AND d.last_activity < ?1"	\
	    " ORDER BY a.key")						\
	X(PROJECT_DIRTY_ADD, "INSERT OR IGNORE INTO dirty(account)"	\
	    " VALUES(?1)")						\
	X(PROJECT_DIRTY_LIST, "SELECT account FROM dirty ORDER BY account")	\
	X(PROJECT_DIRTY_CLEAR, "DELETE FROM dirty")

enum project_stmt {
	PROJECT_STMTS(STORE_STMT_ENUM)
	PROJECT__COUNT
};

static const char *const project_sql[] = {
	PROJECT_STMTS(STORE_STMT_SQL)
};

const struct store_part project_part = { "project", project_sql,
    PROJECT__COUNT };

/* The statement id of the projection, ready to bind. */
static sqlite3_stmt *
project_stmt(struct store *st, enum project_stmt id)
{
	return store_stmt(st, STORE_PART_PROJECT, id);
}

/*
 * A signal row loaded for projection; its strings are borrowed from
 * text, which owns them all: one allocation per signal instead of five.
 */
struct project_row {
	int64_t		 id;
	enum signal_kind kind;
	enum direction	 dir;
	time_t		 at;
	const char	*salesperson;
	const char	*ref;
	const char	*value;
	const char	*source;
	const char	*ignored;	/* as stored: why it was ignored, or NULL */
	char		*text;		/* owned */
};

/*
 * The stored columns of a deal or a transition, as bound: text (NULL as
 * NULL) and integers (NULL as 0).  The projection writes a row only where
 * it differs, so that projecting an account again (a rebuild, a poll that
 * changed nothing of it) reads instead of rewriting rows and indexes.
 */
#define PROJECT_TEXTS	8
#define PROJECT_INTS	PROJECT_DEAL_INTS
struct project_stored {
	int64_t		 id;
	int64_t		 seq;		/* deals: (account, seq) */
	char		*text[PROJECT_TEXTS];	/* owned */
	int64_t		 num[PROJECT_INTS];
};

/* One row's values to compare with a stored one, borrowed. */
struct project_values {
	const char	*text[PROJECT_TEXTS];
	int64_t		 num[PROJECT_INTS];
};

static void
project_stored_free(struct project_stored *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < PROJECT_TEXTS; j++)
			free(v[i].text[j]);
	free(v);
}

/*
 * Reads the rows of a statement bound by the caller: column 0 the id, 1
 * the seq when seq is set, then ntext text and nnum integer columns.
 */
static int
project_stored_read(struct store *st, sqlite3_stmt *s, bool seq, int ntext,
    int nnum, struct project_stored **out, size_t *np, struct err *err)
{
	struct project_stored *v = NULL, *r;
	size_t n = 0, cap = 0;
	int rc, c, j;

	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		if (n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		r = &v[n++];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(s, 0);
		c = 1;
		if (seq)
			r->seq = sqlite3_column_int64(s, c++);
		for (j = 0; j < ntext; j++)
			r->text[j] = xstrdup(store_column_text(s, c++));
		for (j = 0; j < nnum; j++)
			r->num[j] = sqlite3_column_int64(s, c++);
	}
	if (store_done(st, s, rc, err, "stored projection") != 0) {
		project_stored_free(v, n);
		return -1;
	}
	*out = v;
	*np = n;
	return 0;
}

static bool
project_text_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Whether a stored row holds the values already. */
static bool
project_same(const struct project_stored *r, const struct project_values *v)
{
	size_t j;

	for (j = 0; j < PROJECT_TEXTS; j++)
		if (!project_text_equal(r->text[j], v->text[j]))
			return false;
	for (j = 0; j < PROJECT_INTS; j++)
		if (r->num[j] != v->num[j])
			return false;
	return true;
}

/* Binds texts and integers (0 as NULL) from column first on. */
static void
project_bind_values(sqlite3_stmt *s, int first, const struct project_values *v,
    int ntext, int nnum)
{
	int j;

	for (j = 0; j < ntext; j++)
		store_bind_text(s, first + j, v->text[j]);
	for (j = 0; j < nnum; j++)
		store_bind_time(s, first + ntext + j, (time_t)v->num[j]);
}

static void
project_rows_free(struct project_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].text);
	free(rows);
}

static int
project_row_cmp(const void *a, const void *b)
{
	const struct project_row *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Copies the text columns from c on (salesperson, ref, value, source,
 * ignored; NULL stays NULL) into one block that the row owns.
 */
static void
project_row_text(sqlite3_stmt *s, int c, struct project_row *r)
{
	const char **field[] = { &r->salesperson, &r->ref, &r->value,
	    &r->source, &r->ignored };
	const char *v[5];
	size_t len[5], total = 0, i;
	char *p;

	for (i = 0; i < 5; i++) {
		v[i] = store_column_text(s, c + (int)i);
		len[i] = v[i] != NULL ? strlen(v[i]) + 1 : 0;
		total += len[i];
	}
	r->text = p = xmalloc(total > 0 ? total : 1);
	for (i = 0; i < 5; i++) {
		*field[i] = v[i] != NULL ? p : NULL;
		if (v[i] != NULL)
			memcpy(p, v[i], len[i]);
		p += len[i];
	}
}

/*
 * Loads an account's signals (its own and those attributed to it by name)
 * in id order: sorted here, since an ORDER BY opened SQLite's sorter for
 * every account of a rebuild.  Caller frees with project_rows_free().
 */
static int
project_load_signals(struct store *st, int64_t account, struct project_row **out,
    size_t *np, bool *skipped, struct err *err)
{
	struct project_row *rows = NULL, *r;
	sqlite3_stmt *s = project_stmt(st, PROJECT_SIGNALS);
	size_t n = 0, cap = 0;
	int rc, kind, dir;

	sqlite3_bind_int64(s, 1, account);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		kind = signal_kind_from_name(store_column_text(s, 1));
		dir = direction_from_name(store_column_text(s, 3));
		if (kind < 0 || dir < 0) {
			log_warn("signal %lld: unknown kind or direction, "
			    "skipped", (long long)sqlite3_column_int64(s, 0));
			*skipped = true;
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			rows = xreallocarray(rows, cap, sizeof *rows);
		}
		r = &rows[n++];
		r->id = sqlite3_column_int64(s, 0);
		r->kind = (enum signal_kind)kind;
		r->at = (time_t)sqlite3_column_int64(s, 2);
		r->dir = (enum direction)dir;
		project_row_text(s, 4, r);
	}
	if (store_done(st, s, rc, err, "load signals") != 0) {
		project_rows_free(rows, n);
		return -1;
	}
	if (n > 1)
		qsort(rows, n, sizeof *rows, project_row_cmp);
	*out = rows;
	*np = n;
	return 0;
}

/* The loaded row of a signal id (rows are in id order). */
static const struct project_row *
project_row_find(const struct project_row *rows, size_t n, int64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rows[mid].id == id)
			return &rows[mid];
		if (rows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *
project_phase_name(const struct config *cfg, int phase)
{
	if (phase < 0 || (size_t)phase >= cfg->phases.n)
		return NULL;
	return cfg->phases.name[phase];
}

/* The part of a ref after its second ':' (Message-ID or UID), or NULL. */
static const char *
project_ref_tail(const char *ref)
{
	const char *p;

	if (ref == NULL)
		return NULL;
	p = strchr(ref, ':');
	if (p == NULL)
		return NULL;
	p = strchr(p + 1, ':');
	if (p == NULL || p[1] == '\0')
		return NULL;
	return p + 1;
}

/*
 * A transition's values in the order of PROJECT_TRANS_ROWS: from, to,
 * actor, signal kind, source, ref, its deal's owner and account key; at,
 * signal id, left.
 */
static void
project_transition_values(const struct config *cfg, const struct transition *t,
    const struct project_row *row, time_t left, const char *owner,
    const char *account, struct project_values *v)
{
	memset(v, 0, sizeof *v);
	v->text[0] = project_phase_name(cfg, t->from);
	v->text[1] = project_phase_name(cfg, t->to);
	v->text[2] = t->actor != NULL ? t->actor : "";
	v->text[3] = signal_kind_name(t->signal_kind);
	v->text[4] = row != NULL ? row->source : "";
	v->text[5] = row != NULL ? project_ref_tail(row->ref) : NULL;
	v->text[6] = owner;
	v->text[7] = account;
	v->num[0] = (int64_t)t->at;
	v->num[1] = row != NULL ? t->signal_id : 0;
	v->num[2] = (int64_t)left;
}

/* Binds a transition's columns 1-12 (deal id first) of ADD and SET. */
static void
project_bind_transition(sqlite3_stmt *s, int64_t deal,
    const struct project_values *v)
{
	sqlite3_bind_int64(s, 1, deal);
	store_bind_text(s, 2, v->text[0]);
	store_bind_text(s, 3, v->text[1]);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)v->num[0]);
	store_bind_text(s, 5, v->text[2]);
	store_bind_text(s, 6, v->text[3]);
	store_bind_text(s, 7, v->text[4]);
	store_bind_text(s, 8, v->text[5]);
	store_bind_id(s, 9, v->num[1]);
	store_bind_time(s, 10, (time_t)v->num[2]);
	store_bind_text(s, 11, v->text[6]);
	store_bind_text(s, 12, v->text[7]);
}

/* Orders stored transitions by deal (in seq) and id. */
static int
project_stored_cmp(const void *a, const void *b)
{
	const struct project_stored *x = a, *y = b;

	if (x->seq != y->seq)
		return (x->seq > y->seq) - (x->seq < y->seq);
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Reads the stored transitions of an account's deals at once, ordered by
 * deal and id (seq holds the deal id): one statement per account, not
 * one and a sort per deal.  An account without stored deals has none.
 */
static int
project_stored_transitions(struct store *st, int64_t account, size_t ndeals,
    struct project_stored **out, size_t *np, struct err *err)
{
	sqlite3_stmt *s;

	*out = NULL;
	*np = 0;
	if (ndeals == 0)
		return 0;
	s = project_stmt(st, PROJECT_TRANS_ROWS);
	sqlite3_bind_int64(s, 1, account);
	if (project_stored_read(st, s, true, 8, 3, out, np, err) != 0)
		return -1;
	if (*np > 1)
		qsort(*out, *np, sizeof **out, project_stored_cmp);
	return 0;
}

/*
 * Writes one deal's transitions over its stored ones (old, in id order;
 * none for a new deal): existing rows are updated in id order where they
 * differ, extra ones inserted, surplus ones deleted, so that an unchanged
 * projection keeps every transition id and writes nothing.  Each carries
 * the deal's owner and account key (what `transitions` prints), so that
 * a deal that changes owner rewrites its transitions with it.
 */
static int
project_write_transitions(struct store *st, const struct config *cfg,
    int64_t deal, const struct deal *d, const char *account,
    const struct project_stored *old, size_t nold,
    const struct projection *proj, const struct project_row *rows,
    size_t nrows, struct err *err)
{
	const char *owner = d->salesperson != NULL ? d->salesperson : "";
	int seq = d->seq;
	struct project_values v;
	const struct transition *t;
	sqlite3_stmt *s;
	size_t i, j, used = 0;
	time_t left;
	int rc = 0;

	for (i = 0; i < proj->ntrans && rc == 0; i++) {
		t = &proj->trans[i];
		if (t->deal_seq != seq)
			continue;
		if (project_phase_name(cfg, t->to) == NULL) {
			log_warn("deal %lld: transition to unknown phase %d "
			    "skipped", (long long)deal, t->to);
			continue;
		}
		/* The deal left this phase with its next transition. */
		for (j = i + 1; j < proj->ntrans &&
		    proj->trans[j].deal_seq != seq; j++)
			;
		left = j < proj->ntrans ? proj->trans[j].at : 0;
		project_transition_values(cfg, t, project_row_find(rows, nrows,
		    t->signal_id), left, owner, account, &v);
		if (used < nold && project_same(&old[used], &v)) {
			used++;
			continue;
		}
		s = project_stmt(st, used < nold ? PROJECT_TRANS_SET :
		    PROJECT_TRANS_ADD);
		project_bind_transition(s, deal, &v);
		if (used < nold)
			sqlite3_bind_int64(s, 13, old[used].id);
		used++;
		rc = store_run(st, s, err, "transition");
	}
	for (i = used; i < nold && rc == 0; i++) {
		s = project_stmt(st, PROJECT_TRANS_DELETE);
		sqlite3_bind_int64(s, 1, old[i].id);
		rc = store_run(st, s, err, "transition");
	}
	return rc;
}

/*
 * What the signals of an open deal (every signal of the account from its
 * opening) say of its activity, and the kind of the signal that entered
 * its phase (the last transition into it then); nothing for a closed deal.
 */
static void
project_deal_activity(const struct projection *proj, const struct deal *d,
    const struct project_row *rows, size_t n, struct activity *a)
{
	size_t i;

	activity_init(a);
	if (d->outcome != OUTCOME_OPEN)
		return;
	for (i = 0; i < n; i++)
		if (rows[i].at >= d->opened)
			activity_add(a, (int)rows[i].kind, (int)rows[i].dir,
			    rows[i].at, rows[i].id, rows[i].value);
	for (i = 0; i < proj->ntrans; i++)
		if (proj->trans[i].deal_seq == d->seq &&
		    proj->trans[i].to == d->phase &&
		    proj->trans[i].at == d->phase_since)
			a->entered_by = (int)proj->trans[i].signal_kind;
}

/* Times read for the projection of one account. */
struct project_times {
	time_t		*v;		/* owned */
	size_t		 n, cap;
	bool		 read;
};

static void
project_times_add(struct project_times *t, time_t at)
{
	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = at;
}

static int
project_time_cmp(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return (x > y) - (x < y);
}

/* The meetings held with the account (read once, for its won deals). */
static int
project_meetings(struct store *st, int64_t account, struct project_times *m,
    struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (m->read)
		return 0;
	m->read = true;
	s = project_stmt(st, PROJECT_MEETINGS);
	sqlite3_bind_int64(s, 1, account);
	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s))
		project_times_add(m, (time_t)sqlite3_column_int64(s, 0));
	return store_done(st, s, rc, err, "meetings");
}

/* Whether a deal keeps its quiet spells: won and closed, every signal read. */
static bool
project_deal_spelled(const struct deal *d, bool skipped)
{
	return d->outcome == OUTCOME_WON && d->closed != 0 && !skipped;
}

/*
 * The quiet spells of won deal i (activity_spells) as stored: "PHASE
 * SECONDS" of each phase it did not pass through at once, joined by ",";
 * its activity is its signals but notes and the meetings held, from its
 * opening to its close, and its arrivals its transitions'.
 */
static void
project_deal_spells(const struct config *cfg, const struct projection *proj,
    size_t i, const struct project_row *rows, size_t n,
    const struct project_times *meetings, struct buf *out)
{
	const struct deal *d = &proj->deals[i];
	struct project_times acts = { 0 };
	time_t at[MAX_PHASES], spell[MAX_PHASES];
	int reached = PHASE_NONE, p, q;
	size_t j;

	for (j = 0; j < proj->ntrans; j++) {
		p = proj->trans[j].to;
		if (proj->trans[j].deal_seq != d->seq || p == PHASE_NONE ||
		    p <= reached || p >= MAX_PHASES)
			continue;
		for (q = reached + 1; q <= p; q++)
			at[q] = proj->trans[j].at;
		reached = p;
	}
	for (j = 0; j < n; j++)
		if (rows[j].at >= d->opened && rows[j].at <= d->closed &&
		    !activity_is_note((int)rows[j].kind))
			project_times_add(&acts, rows[j].at);
	for (j = 0; j < meetings->n; j++)
		if (meetings->v[j] >= d->opened && meetings->v[j] <= d->closed)
			project_times_add(&acts, meetings->v[j]);
	if (acts.n > 1)
		qsort(acts.v, acts.n, sizeof *acts.v, project_time_cmp);
	activity_spells(acts.v, acts.n, at, reached, d->closed, spell);
	buf_puts(out, "");
	for (p = 0; p <= reached; p++)
		if (spell[p] >= 0)
			buf_printf(out, "%s%s %lld", out->len > 0 ? "," : "",
			    cfg->phases.name[p], (long long)spell[p]);
	free(acts.v);
}

/*
 * The longest silence of won deal d (activity_silence): its signals of
 * any kind from its opening to its close.
 */
static time_t
project_deal_silence(const struct deal *d, const struct project_row *rows,
    size_t n)
{
	struct project_times times = { 0 };
	time_t gap;
	size_t j;

	for (j = 0; j < n; j++)
		if (rows[j].at >= d->opened && rows[j].at <= d->closed)
			project_times_add(&times, rows[j].at);
	if (times.n > 1)
		qsort(times.v, times.n, sizeof *times.v, project_time_cmp);
	gap = activity_silence(times.v, times.n, d->opened);
	free(times.v);
	return gap;
}

/* What the projection keeps of a deal beyond its phase (activity.h). */
struct project_kept {
	struct activity	 act;		/* an open deal's */
	const char	*spells;	/* a won deal's; NULL otherwise */
	time_t		 silence;	/* a won deal's */
};

/* A deal's values in the order of PROJECT_DEAL_COLUMNS. */
static void
project_deal_values(const struct config *cfg, const struct deal *d,
    const char *account, const struct project_kept *k,
    struct project_values *v)
{
	const struct activity *a = &k->act;
	const char *phase = project_phase_name(cfg, d->phase);

	memset(v, 0, sizeof *v);
	v->text[0] = d->salesperson != NULL ? d->salesperson : "";
	v->text[1] = deal_kind_name(d->kind);
	v->text[2] = phase != NULL ? phase : "";
	v->text[3] = outcome_name(d->outcome);
	v->text[4] = account;
	v->text[5] = a->decision[0] != '\0' ? a->decision : NULL;
	v->text[6] = k->spells;
	v->text[7] = a->entered_by >= 0 ?
	    signal_kind_name((enum signal_kind)a->entered_by) : NULL;
	v->num[0] = (int64_t)d->opened;
	v->num[1] = (int64_t)d->closed;
	v->num[2] = (int64_t)d->last_activity;
	v->num[3] = (int64_t)d->last_inbound;
	v->num[4] = (int64_t)d->phase_since;
	v->num[5] = (int64_t)a->last_act;
	v->num[6] = a->latest;
	v->num[7] = (int64_t)a->latest_at;
	v->num[8] = a->latest_at != 0 && a->only_target;
	v->num[9] = (int64_t)a->snoozed;
	v->num[10] = (int64_t)k->silence;
}

/*
 * Writes one deal over the stored deal of its (account, seq), if any and
 * different, or as a new row; *id is its stable row id, *added whether it
 * is new.
 */
static int
project_write_deal(struct store *st, const struct config *cfg, int64_t account,
    const char *key, const struct deal *d, const struct project_kept *k,
    const struct project_stored *stored, int64_t *id, bool *added,
    struct err *err)
{
	struct project_values v;
	sqlite3_stmt *s;

	project_deal_values(cfg, d, key, k, &v);
	*added = stored == NULL;
	if (stored != NULL) {
		*id = stored->id;
		if (project_same(stored, &v))
			return 0;
		s = project_stmt(st, PROJECT_DEAL_SET);
		sqlite3_bind_int64(s, 22, stored->id);
	} else
		s = project_stmt(st, PROJECT_DEAL_ADD);
	sqlite3_bind_int64(s, 1, account);
	sqlite3_bind_int(s, 2, d->seq);
	project_bind_values(s, 3, &v, PROJECT_DEAL_TEXTS, PROJECT_DEAL_INTS);
	/* opened, last activity and phase since are never NULL. */
	sqlite3_bind_int64(s, 11, (sqlite3_int64)d->opened);
	sqlite3_bind_int64(s, 13, (sqlite3_int64)d->last_activity);
	sqlite3_bind_int64(s, 15, (sqlite3_int64)d->phase_since);
	if (store_run(st, s, err, "deal") != 0)
		return -1;
	if (stored == NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* The stored deal of a seq (stored in seq order), or NULL. */
static const struct project_stored *
project_stored_seq(const struct project_stored *v, size_t n, int seq)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].seq == seq)
			return &v[i];
	return NULL;
}

/*
 * Records on the signals which of them the projection ignored and why
 * (salescycle deal shows it); only rows whose state changed are written.
 */
static int
project_write_ignored(struct store *st, const struct projection *proj,
    const struct project_row *rows, size_t n, struct err *err)
{
	const struct project_row *row;
	const char **want;
	sqlite3_stmt *s;
	size_t i;
	int rc = 0;

	want = xcalloc(n > 0 ? n : 1, sizeof *want);
	for (i = 0; i < proj->nignored; i++) {
		row = project_row_find(rows, n, proj->ignored[i].signal_id);
		if (row != NULL)
			want[row - rows] = proj->ignored[i].reason;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (want[i] == NULL ? rows[i].ignored == NULL :
		    rows[i].ignored != NULL &&
		    strcmp(want[i], rows[i].ignored) == 0)
			continue;
		/* Said once, when it becomes so: rebuilds stay quiet. */
		if (want[i] != NULL && strcmp(want[i], PHASES_NO_DEAL) == 0)
			log_warn("%s (%s): %s, ignored", rows[i].ref,
			    rows[i].source, want[i]);
		s = project_stmt(st, PROJECT_IGNORED);
		sqlite3_bind_int64(s, 1, rows[i].id);
		store_bind_text(s, 2, want[i]);
		rc = store_run(st, s, err, "ignored signal");
	}
	free(want);
	return rc;
}

/* The stored transitions of a deal, in trans (ordered by deal); *n of them. */
static const struct project_stored *
project_stored_deal(const struct project_stored *trans, size_t ntrans,
    int64_t deal, size_t *n)
{
	size_t i = 0, j;

	while (i < ntrans && trans[i].seq != deal)
		i++;
	for (j = i; j < ntrans && trans[j].seq == deal; j++)
		;
	*n = j - i;
	return *n > 0 ? &trans[i] : NULL;
}

/*
 * The key of an account row (caller frees), which its deals and their
 * transitions carry; an account without a row has none (*key NULL).
 */
static int
project_account_key(struct store *st, int64_t account, char **key,
    struct err *err)
{
	sqlite3_stmt *s = project_stmt(st, PROJECT_ACCOUNT_KEY);
	int rc;

	*key = NULL;
	sqlite3_bind_int64(s, 1, account);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*key = xstrdup(store_column_text(s, 0));
		rc = SQLITE_DONE;
	}
	return store_done(st, s, rc, err, "account key");
}

/*
 * Writes the projected deals of an account over the stored ones, each
 * with its transitions, what it keeps of its activity if open and its
 * quiet spells if won (from meetings, read for them by project_read).
 */
static int
project_write_deals(struct store *st, const struct config *cfg,
    int64_t account, const char *key, const struct projection *proj,
    const struct project_row *rows, size_t n, bool skipped,
    const struct project_stored *stored, size_t nstored,
    const struct project_stored *trans, size_t ntrans,
    const struct project_times *meetings, struct err *err)
{
	const struct project_stored *old, *told;
	const struct deal *d;
	struct project_kept k;
	struct buf spells = { 0 };
	int64_t deal = 0;
	size_t i, nold;
	bool added, won;
	int rc = 0;

	for (i = 0; i < proj->ndeals && rc == 0; i++) {
		d = &proj->deals[i];
		project_deal_activity(proj, d, rows, n, &k.act);
		/*
		 * A signal this build cannot read (a newer one wrote it) is
		 * activity the analyses count: keep nothing, they read them.
		 */
		if (skipped)
			activity_init(&k.act);
		won = project_deal_spelled(d, skipped);
		buf_reset(&spells);
		if (won)
			project_deal_spells(cfg, proj, i, rows, n, meetings,
			    &spells);
		k.spells = won ? spells.data : NULL;
		k.silence = won ? project_deal_silence(d, rows, n) : 0;
		old = project_stored_seq(stored, nstored, d->seq);
		rc = project_write_deal(st, cfg, account, key, d, &k, old,
		    &deal, &added, err);
		told = NULL;
		nold = 0;
		if (!added)
			told = project_stored_deal(trans, ntrans, deal, &nold);
		if (rc == 0)
			rc = project_write_transitions(st, cfg, deal, d, key,
			    told, nold, proj, rows, n, err);
	}
	buf_free(&spells);
	return rc;
}

/*
 * One account as read and projected (project_read), to be written
 * (project_write): a rebuild reads the next accounts on a thread of its
 * own while this one is written.
 */
struct project_work {
	int64_t		 account;
	char		*key;		/* owned; NULL: the account has no row */
	struct project_row *rows;	/* owned, n of them */
	size_t		 n;
	bool		 skipped;	/* a signal this build cannot read */
	struct project_stored *stored;	/* owned: its deals, by seq */
	size_t		 nstored;
	struct project_stored *trans;	/* owned: their transitions, by deal */
	size_t		 ntrans;
	struct project_times meetings;	/* read when a deal is won */
	struct phase_signal *sigs;	/* owned: what proj was made from */
	struct projection proj;
};

static void
project_work_free(struct project_work *w)
{
	project_stored_free(w->stored, w->nstored);
	project_stored_free(w->trans, w->ntrans);
	projection_free(&w->proj);
	free(w->sigs);
	free(w->meetings.v);
	project_rows_free(w->rows, w->n);
	free(w->key);
	memset(w, 0, sizeof *w);
}

/*
 * Reads an account's signals, stored deals and transitions (and the
 * meetings held with it when a deal is won) and projects them, writing
 * nothing: st may be another connection than the one project_write()
 * writes with, on a snapshot that the writes before do not touch (they
 * are other accounts').
 */
static int
project_read(struct store *st, const struct config *cfg, int64_t account,
    time_t now, struct project_work *w, struct err *err)
{
	sqlite3_stmt *s;
	size_t i;
	int rc;

	memset(w, 0, sizeof *w);
	w->account = account;
	if (project_account_key(st, account, &w->key, err) != 0 ||
	    project_load_signals(st, account, &w->rows, &w->n, &w->skipped,
	    err) != 0)
		return -1;
	s = project_stmt(st, PROJECT_DEALS_OF);
	sqlite3_bind_int64(s, 1, account);
	if (project_stored_read(st, s, true, PROJECT_DEAL_TEXTS,
	    PROJECT_DEAL_INTS, &w->stored, &w->nstored, err) != 0 ||
	    project_stored_transitions(st, account, w->nstored, &w->trans,
	    &w->ntrans, err) != 0)
		return -1;
	w->sigs = xcalloc(w->n > 0 ? w->n : 1, sizeof *w->sigs);
	for (i = 0; i < w->n; i++) {
		w->sigs[i].id = w->rows[i].id;
		w->sigs[i].kind = w->rows[i].kind;
		w->sigs[i].at = w->rows[i].at;
		w->sigs[i].dir = w->rows[i].dir;
		w->sigs[i].salesperson = w->rows[i].salesperson;
		w->sigs[i].ref = w->rows[i].ref;
		w->sigs[i].value = w->rows[i].value;
	}
	phases_project(cfg, w->sigs, w->n, now, &w->proj);
	rc = 0;
	for (i = 0; i < w->proj.ndeals && rc == 0; i++)
		if (project_deal_spelled(&w->proj.deals[i], w->skipped))
			rc = project_meetings(st, account, &w->meetings, err);
	return rc;
}

/* Writes what project_read() made of an account over what is stored. */
static int
project_write(struct store *st, const struct config *cfg,
    const struct project_work *w, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	rc = project_write_ignored(st, &w->proj, w->rows, w->n, err);
	if (rc == 0)
		rc = project_write_deals(st, cfg, w->account, w->key, &w->proj,
		    w->rows, w->n, w->skipped, w->stored, w->nstored, w->trans,
		    w->ntrans, &w->meetings, err);
	/* Deals the projection no longer has, with their transitions. */
	if (rc == 0 && w->nstored > 0 &&
	    w->stored[w->nstored - 1].seq >= (int64_t)w->proj.ndeals) {
		s = project_stmt(st, PROJECT_DEAL_TRIM);
		sqlite3_bind_int64(s, 1, w->account);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)w->proj.ndeals);
		rc = store_run(st, s, err, "deals");
	}
	return rc;
}

/* Projects one account and writes its deals and transitions. */
static int
project_account(struct store *st, const struct config *cfg,
    int64_t account, time_t now, struct err *err)
{
	struct project_work w;
	int rc;

	rc = project_read(st, cfg, account, now, &w, err);
	if (rc == 0)
		rc = project_write(st, cfg, &w, err);
	project_work_free(&w);
	return rc;
}

/*
 * Projects one account by key; an unknown key has nothing to project.  A
 * free-mail address linked to a company (links.c) has no deals of its
 * own: its signals are the company's, which is projected instead.
 */
static int
project_key(struct store *st, const struct config *cfg, const char *key,
    time_t now, struct err *err)
{
	sqlite3_stmt *s;
	int64_t id, target = 0;
	int rc;

	if (key[0] == '\0')
		return 0;
	if (store_account_find(st, key, &id, err) != 0)
		return -1;
	if (id == 0)
		return 0;
	if (project_account(st, cfg, id, now, err) != 0)
		return -1;
	s = project_stmt(st, PROJECT_LINK_TARGET);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		target = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	if (store_done(st, s, rc, err, "link") != 0)
		return -1;
	return target != 0 ? project_account(st, cfg, target, now, err) : 0;
}

int
project_accounts(struct store *st, const struct config *cfg,
    const struct strlist *accounts, time_t now, struct err *err)
{
	struct strlist pending = { 0 };
	size_t i;
	bool own;
	int rc = 0;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	for (i = 0; accounts != NULL && i < accounts->n && rc == 0; i++)
		rc = project_key(st, cfg, accounts->v[i], now, err);
	/* Accounts re-attributed by calls that had no touched list. */
	pending = st->pending;
	memset(&st->pending, 0, sizeof st->pending);
	for (i = 0; i < pending.n && rc == 0; i++) {
		if (accounts == NULL || !strlist_contains(accounts,
		    pending.v[i]))
			rc = project_key(st, cfg, pending.v[i], now, err);
	}
	strlist_clear(&pending);
	return store_auto_end(st, own, rc, err);
}

/* Adds the account keys (first column) of a statement's rows to keys. */
static int
project_keys(struct store *st, sqlite3_stmt *s, struct strlist *keys,
    struct err *err)
{
	int rc;

	for (rc = sqlite3_step(s); rc == SQLITE_ROW; rc = sqlite3_step(s))
		strlist_add(keys, store_column_text(s, 0));
	return store_done(st, s, rc, err, "accounts");
}

int
project_stale(struct store *st, const struct config *cfg, time_t now,
    struct err *err)
{
	struct strlist keys = { 0 };
	sqlite3_stmt *s = project_stmt(st, PROJECT_STALE);
	int rc;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)(now -
	    (time_t)cfg->stale_after_days * 86400));
	rc = project_keys(st, s, &keys, err);
	if (rc == 0 && keys.n > 0)
		rc = project_accounts(st, cfg, &keys, now, err);
	rc = rc == 0 ? (int)keys.n : -1;
	strlist_clear(&keys);
	return rc;
}

/* Adds one account key to the dirty table. */
static int
project_dirty_add(struct store *st, const char *key, struct err *err)
{
	sqlite3_stmt *s = project_stmt(st, PROJECT_DIRTY_ADD);

	store_bind_text(s, 1, key);
	return store_run(st, s, err, "dirty account");
}

int
project_mark_dirty(struct store *st, const struct strlist *accounts,
    struct err *err)
{
	size_t i;
	bool own;
	int rc = 0;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	for (i = 0; accounts != NULL && i < accounts->n && rc == 0; i++)
		if (accounts->v[i][0] != '\0')
			rc = project_dirty_add(st, accounts->v[i], err);
	for (i = 0; i < st->pending.n && rc == 0; i++)
		rc = project_dirty_add(st, st->pending.v[i], err);
	if (rc == 0)
		strlist_clear(&st->pending);
	return store_auto_end(st, own, rc, err);
}

int
project_dirty(struct store *st, const struct config *cfg, time_t now,
    struct err *err)
{
	struct strlist keys = { 0 };
	bool own;
	int rc;

	if (store_auto_begin(st, &own, err) != 0)
		return -1;
	rc = project_keys(st, project_stmt(st, PROJECT_DIRTY_LIST), &keys, err);
	if (rc == 0)
		rc = project_accounts(st, cfg, &keys, now, err);
	if (rc == 0)
		rc = store_run(st, project_stmt(st, PROJECT_DIRTY_CLEAR), err,
		    "dirty accounts");
	strlist_clear(&keys);
	return store_auto_end(st, own, rc, err);
}

/*
 * The indexes of deals and transitions that a rebuild from no deals does
 * not read (a new deal has no stored transitions to look up): built once
 * from the finished tables, a sort, instead of a random insert into each
 * per row (a quarter of such a rebuild's time).  Dropped and created
 * again inside the rebuild's transaction, so that no crash leaves the
 * store without them.
 */
static const struct {
	const char	*name;
	const char	*drop;
} project_bulk_indexes[] = {
	{ "deals_salesperson", "DROP INDEX deals_salesperson" },
	{ "deals_closed", "DROP INDEX deals_closed" },
	{ "deals_won_spells", "DROP INDEX deals_won_spells" },
	{ "deals_open", "DROP INDEX deals_open" },
	{ "deals_open_phase", "DROP INDEX deals_open_phase" },
	{ "transitions_entries", "DROP INDEX transitions_entries" },
	{ "transitions_deal", "DROP INDEX transitions_deal" },
	{ "transitions_signal", "DROP INDEX transitions_signal" },
	{ "transitions_window", "DROP INDEX transitions_window" },
	{ "deals_open_rows", "DROP INDEX deals_open_rows" },
	{ "deals_open_rows_of", "DROP INDEX deals_open_rows_of" },
};
#define PROJECT_BULK_INDEXES \
	(sizeof project_bulk_indexes / sizeof project_bulk_indexes[0])

/*
 * Drops the indexes above when there is no deal yet, keeping in sql[i]
 * each one's definition as the schema has it (NULL where it is absent or
 * was not dropped).  The caller creates them again with
 * project_indexes_create() and frees sql[].
 */
static int
project_indexes_drop(struct store *st, char **sql, struct err *err)
{
	sqlite3_stmt *s;
	size_t i;
	int rc, empty = 0;

	s = project_stmt(st, PROJECT_NO_DEALS);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		empty = sqlite3_column_int(s, 0);
		rc = SQLITE_DONE;
	}
	if (store_done(st, s, rc, err, "deals") != 0)
		return -1;
	for (i = 0; i < PROJECT_BULK_INDEXES && empty; i++) {
		s = project_stmt(st, PROJECT_INDEX_SQL);
		store_bind_text(s, 1, project_bulk_indexes[i].name);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			sql[i] = xstrdup(store_column_text(s, 0));
			rc = SQLITE_DONE;
		}
		if (store_done(st, s, rc, err, "indexes") != 0)
			return -1;
		if (sql[i] == NULL)
			continue;
		rc = sqlite3_exec(st->db, project_bulk_indexes[i].drop, NULL,
		    NULL, NULL);
		if (rc != SQLITE_OK)
			return store_fail(st, rc, err, "dropping an index");
	}
	return 0;
}

/* Creates the indexes project_indexes_drop() dropped again; frees sql[]. */
static int
project_indexes_create(struct store *st, char **sql, int rc, struct err *err)
{
	size_t i;
	int src;

	for (i = 0; i < PROJECT_BULK_INDEXES; i++) {
		if (rc == 0 && sql[i] != NULL) {
			src = sqlite3_exec(st->db, sql[i], NULL, NULL, NULL);
			if (src != SQLITE_OK)
				rc = store_fail(st, src, err,
				    "creating an index");
		}
		free(sql[i]);
		sql[i] = NULL;
	}
	return rc;
}

size_t project_read_ahead;

/* Accounts read ahead of the one being written, at most. */
#define PROJECT_AHEAD	64
/* Accounts waiting that wake the writer: not one wake-up per account. */
#define PROJECT_WAKE	16

/*
 * A rebuild's hand-over: a thread reads and projects the accounts on a
 * connection of its own (reading a signal row at a time is half of a
 * rebuild) while the rebuild's thread writes the ones before.
 */
struct project_ahead {
	pthread_mutex_t	 lock;
	pthread_cond_t	 more, room;
	struct project_work v[PROJECT_AHEAD];	/* a ring */
	size_t		 head, n;
	bool		 done;		/* the reader is through (rc says how) */
	bool		 stop;		/* the writer failed: read no more */
	/* the reader's, until done */
	struct store	*st;
	const struct config *cfg;
	const struct store_ids *ids;
	time_t		 now;
	size_t		 read;		/* accounts read and handed over */
	int		 rc;
	struct err	 err;
};

static void *
project_ahead_main(void *arg)
{
	struct project_ahead *a = arg;
	struct project_work w;
	size_t i;
	int rc = store_snapshot(a->st, &a->err);

	for (i = 0; i < a->ids->n && rc == 0; i++) {
		rc = project_read(a->st, a->cfg, a->ids->v[i], a->now, &w,
		    &a->err);
		pthread_mutex_lock(&a->lock);
		while (rc == 0 && a->n == PROJECT_AHEAD && !a->stop)
			pthread_cond_wait(&a->room, &a->lock);
		if (rc == 0 && !a->stop) {
			a->v[(a->head + a->n++) % PROJECT_AHEAD] = w;
			a->read++;
			memset(&w, 0, sizeof w);
			if (a->n >= PROJECT_WAKE)
				pthread_cond_signal(&a->more);
		} else if (rc == 0)
			rc = 1;		/* stopped: not an error of its own */
		pthread_mutex_unlock(&a->lock);
		project_work_free(&w);
	}
	store_rollback(a->st);
	pthread_mutex_lock(&a->lock);
	a->rc = rc;
	a->done = true;
	pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/*
 * Writes what the reading thread hands over until it is through, each
 * account in the order of ids; on an error the rest is freed unwritten.
 */
static int
project_ahead_write(struct store *st, struct project_ahead *a,
    struct err *err)
{
	struct project_work w;
	int rc = 0;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (a->n == 0 && !a->done)
			pthread_cond_wait(&a->more, &a->lock);
		if (a->n == 0) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		w = a->v[a->head];
		a->head = (a->head + 1) % PROJECT_AHEAD;
		a->n--;
		pthread_cond_signal(&a->room);
		pthread_mutex_unlock(&a->lock);
		if (rc == 0 && (rc = project_write(st, a->cfg, &w, err)) != 0) {
			pthread_mutex_lock(&a->lock);
			a->stop = true;
			pthread_cond_signal(&a->room);
			pthread_mutex_unlock(&a->lock);
		}
		project_work_free(&w);
	}
	if (rc == 0 && a->rc != 0) {
		*err = a->err;
		rc = -1;
	}
	return rc;
}

/* Projects every account of ids, one after the other. */
static int
project_each(struct store *st, const struct config *cfg,
    const struct store_ids *ids, time_t now, struct err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < ids->n && rc == 0; i++)
		rc = project_account(st, cfg, ids->v[i], now, err);
	return rc;
}

/*
 * Projects every account of ids: read ahead on a second connection to
 * the database's file when there is one (not a memory database), a
 * thread can be had and the writer's transaction is its own (own): the
 * reader's snapshot, from its first read on, is then the last commit,
 * which no other writer can follow while the writer holds its
 * BEGIN IMMEDIATE, less only what the writer writes.  Inside a caller's
 * transaction the reader would not see what the caller wrote before:
 * one account after the other then.
 */
static int
project_all(struct store *st, const struct config *cfg,
    const struct store_ids *ids, time_t now, bool own, struct err *err)
{
	struct project_ahead a;
	struct err ignored;
	pthread_t tid;
	int rc;

	memset(&a, 0, sizeof a);
	project_read_ahead = 0;
	if (util_one_thread || !own || ids->n < 2 ||
	    !store_open_reader(st, &a.st))
		return project_each(st, cfg, ids, now, err);
	store_bulk(a.st, true, &ignored);
	a.cfg = cfg;
	a.ids = ids;
	a.now = now;
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.more, NULL);
	pthread_cond_init(&a.room, NULL);
	if (!util_thread_start(&tid, project_ahead_main, &a))
		rc = project_each(st, cfg, ids, now, err);
	else {
		rc = project_ahead_write(st, &a, err);
		pthread_join(tid, NULL);
		project_read_ahead = a.read;
	}
	pthread_cond_destroy(&a.room);
	pthread_cond_destroy(&a.more);
	pthread_mutex_destroy(&a.lock);
	store_close(a.st);
	return rc;
}

int
project_rebuild(struct store *st, const struct config *cfg, time_t now,
    struct err *err)
{
	struct store_ids ids = { 0 };
	struct err ignored;
	char *indexes[PROJECT_BULK_INDEXES] = { 0 };
	bool own, names_own = false;
	int rc;

	if (store_bulk(st, true, err) != 0)
		return -1;
	/*
	 * Names first, committed, so that a second connection reads the
	 * signals they attribute; the accounts they moved are marked dirty
	 * with them, for the agent to project should the rest fail.
	 */
	rc = store_auto_begin(st, &names_own, err);
	if (rc == 0) {
		rc = names_rebuild(st, err);
		if (rc == 0)
			rc = project_mark_dirty(st, NULL, err);
		rc = store_auto_end(st, names_own, rc, err);
	}
	if (rc == 0)
		rc = store_auto_begin(st, &own, err);
	if (rc != 0) {
		store_bulk(st, false, &ignored);
		return -1;
	}
	rc = project_indexes_drop(st, indexes, err);
	if (rc == 0)
		rc = store_ids_collect(st, project_stmt(st, PROJECT_ACCOUNTS),
		    &ids, err);
	if (rc == 0)
		rc = project_all(st, cfg, &ids, now, own && names_own, err);
	store_ids_free(&ids);
	/* Every account is projected: none is left for project_dirty. */
	if (rc == 0)
		rc = store_run(st, project_stmt(st, PROJECT_DIRTY_CLEAR), err,
		    "dirty accounts");
	rc = project_indexes_create(st, indexes, rc, err);
	rc = store_auto_end(st, own, rc, err);
	if (store_bulk(st, false, rc == 0 ? err : &ignored) != 0)
		rc = -1;
	return rc;
}
