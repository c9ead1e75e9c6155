/* SPDX-License-Identifier: MIT */
/*
 * The hand-over from a collection's sync to the pipeline, on a thread of
 * its own (source-queue.c): while the sync reads and parses the next
 * items, the queue's thread classifies the last ones and commits their
 * batches, in the order they were handed over.  The queue owns the
 * thread, the ring and its bounds, the commits with their cursors and
 * what a failed commit means; a driver says what an item holds, how it
 * goes to the pipeline and how it is freed (struct source_queue_ops), as
 * IMAP (imap-queue.c) and CalDAV (caldav-queue.c) do.
 */
#ifndef SC_SOURCE_QUEUE_H
#define SC_SOURCE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "pipeline.h"
#include "source.h"

/* Where the queue's threads wait or commit, for a driver's trace. */
enum source_queue_phase {
	SOURCE_QUEUE_ROOM,	/* the sync's: handing an item over */
	SOURCE_QUEUE_IDLE,	/* the queue's: taking the next entry */
	SOURCE_QUEUE_COMMIT,	/* the queue's: a commit */
	SOURCE_QUEUE_PHASES
};

/* What a driver's queue holds and how its items are done. */
struct source_queue_ops {
	size_t	item_size;	/* bytes of an item, copied into the ring */
	size_t	max;		/* entries waiting at most (items, commits) */
	size_t	max_bytes;	/* their cost at most (SIZE_MAX: no bound) */
	size_t	wake;		/* entries that wake a waiting queue thread */
	/* Hands an item to the pipeline, on the queue's thread. */
	void	(*run)(struct pipeline *, const char *salesperson, void *arg,
		    void *item);
	/* Frees what an item holds. */
	void	(*free)(void *item);
	/* Marks the start or the end of a phase; NULL: no trace. */
	void	(*trace)(void *arg, enum source_queue_phase, bool end);
};

struct source_queue;

/*
 * Starts the thread.  ops, p, salesperson and arg (what ops' functions
 * get) are borrowed and must outlive source_queue_finish; until then
 * only the queue's thread touches the pipeline and the store.  NULL with
 * err when no thread can be started.
 */
struct source_queue *source_queue_start(const struct source_queue_ops *,
	    struct pipeline *p, const char *salesperson, void *arg,
	    struct err *);

/*
 * Queues an item: *item (ops->item_size bytes) is taken over and left
 * zeroed; cost is about the bytes it points to.  Waits while the queue
 * is full by count or by bytes; an item alone is let in whatever its
 * cost.
 */
void	source_queue_push(struct source_queue *, void *item, size_t cost);

/*
 * Queues a commit of what was queued before with the cursors (copied).
 * Returns -1 with err when an earlier commit failed: nothing queued
 * after it is written, the cursors least of all.
 */
int	source_queue_commit(struct source_queue *, const struct cursor *,
	    size_t n, struct err *);

/*
 * Waits until everything queued is done and frees the queue (NULL is
 * fine).  Returns -1 with err when a commit failed.
 */
int	source_queue_finish(struct source_queue *, struct err *);

#endif
