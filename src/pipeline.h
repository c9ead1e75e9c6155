/* SPDX-License-Identifier: MIT */
/*
 * The one path from a source to the store: extract -> classify -> store ->
 * project.  Sources (the IMAP, CalDAV and ICS drivers, the importer) hand
 * summaries to a pipeline, which batches their signals and writes each
 * batch with the source's cursor in one transaction, then re-projects the
 * accounts the batch touched in the same transaction.  A crash at any
 * moment loses nothing and duplicates nothing.
 */
#ifndef SC_PIPELINE_H
#define SC_PIPELINE_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "event.h"
#include "mail.h"
#include "model.h"
#include "store.h"

struct pipeline;

/* A cursor to write with the batch. */
struct cursor {
	const char	*scope;		/* "INBOX", a calendar href */
	const char	*name;		/* "uidvalidity", "uidnext", "sync-token" */
	const char	*value;		/* NULL deletes */
};

/* cfg and store are borrowed and must outlive the pipeline. */
struct pipeline	*pipeline_new(const struct config *, struct store *, const char *source);
void		 pipeline_free(struct pipeline *);	/* rolls back what was not committed */

/* Classifies a message into the pending batch. */
void	pipeline_mail(struct pipeline *, const char *salesperson,
	    const struct mail_summary *, bool sent_folder, const char *item);

/*
 * Classifies a calendar item; on commit it replaces what the item gave
 * before.  version (an etag) is stored with it.  With version NULL (an
 * imported file) a hash of what it gave is, and when that is the one
 * stored the commit writes nothing for the item.
 */
void	pipeline_ical(struct pipeline *, const char *salesperson,
	    const struct ical_file *, const char *item, const char *version);

/*
 * With on, the calendar items handed in next come from a collection that
 * had nothing stored when its sync began (a calendar's first sync): an
 * item the store has no row for is written without looking for, or
 * deleting, what it gave before (nothing), which is most of a first
 * sync's work in the store; nor is it asked whether it has a row unless
 * it was handed in before since.  An item whose row is there after all
 * (the same href twice in one answer) is replaced as always.  Off again
 * when the collection is done.
 */
void	pipeline_fresh(struct pipeline *, bool on);

/* The item is gone: on commit its signals and appointments are removed. */
void	pipeline_remove(struct pipeline *, const char *item);

/*
 * Drops the pending batch (a collection failed half-way): what its
 * source fetches again from its old cursors is not committed twice.
 */
void	pipeline_drop(struct pipeline *);

/* Pending entries since the last commit. */
size_t	pipeline_pending(const struct pipeline *);

/*
 * Writes the pending batch and the cursors in one transaction and
 * re-projects the touched accounts.  Returns the number of new signals,
 * or -1 (the transaction is rolled back).
 */
int	pipeline_commit(struct pipeline *, const struct cursor *, size_t ncursors,
	    struct err *);

/*
 * Large syncs: commits record the touched accounts instead of projecting
 * them, and pipeline_finish projects them all once (in its own
 * transaction).  Projecting per batch costs more than the sync itself on
 * a first sync of a big mailbox; deals then lag until pipeline_finish.
 * pipeline_finish also projects what an interrupted earlier run left.
 */
void	pipeline_defer_projection(struct pipeline *);
int	pipeline_finish(struct pipeline *, struct err *);

/* Totals since pipeline_new, for summaries. */
struct pipeline_stats {
	unsigned long	items;
	unsigned long	signals_new;
	unsigned long	appointments;
};
void	pipeline_stats(const struct pipeline *, struct pipeline_stats *);

#endif
