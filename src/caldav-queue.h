/* SPDX-License-Identifier: MIT */
/*
 * The hand-over from a calendar's sync to the pipeline, on a thread of
 * its own (caldav-queue.c): the sync reads the multistatus and parses
 * each calendar object (expat, libical) while this thread classifies
 * the objects parsed before and commits their batches (SQLite).
 */
#ifndef SC_CALDAV_QUEUE_H
#define SC_CALDAV_QUEUE_H

#include "err.h"
#include "event.h"
#include "pipeline.h"

/*
 * Entries waiting at most, and their bytes (what a parsed object holds:
 * one object may hold megabytes): a sync that runs ahead waits for
 * room.  A batch's worth, so that the sync parses the next batch while
 * the last commits.
 */
#define CALDAV_QUEUE_MAX	1000
#define CALDAV_QUEUE_BYTES	(16u * 1024 * 1024)
/* Cursors of one commit at most (a calendar's sync writes two). */
#define CALDAV_QUEUE_CURSORS	2

struct caldav_queue;

/*
 * Starts the thread.  p and salesperson are borrowed and must outlive
 * caldav_queue_finish; until then only the queue's thread touches the
 * pipeline and the store.  NULL with err when no thread can be started.
 */
struct caldav_queue *caldav_queue_start(struct pipeline *p,
	    const char *salesperson, struct err *err);

/* Queues a parsed object for pipeline_ical; f is taken over (emptied). */
void	caldav_queue_ical(struct caldav_queue *, const char *item,
	    const char *version, struct ical_file *f);

/* Queues pipeline_remove of an item. */
void	caldav_queue_remove(struct caldav_queue *, const char *item);

/*
 * Queues a commit of what was queued before with the cursors (copied;
 * at most CALDAV_QUEUE_CURSORS).  Returns -1 with err when an earlier
 * commit failed: nothing queued after it is written, the cursors least
 * of all.
 */
int	caldav_queue_commit(struct caldav_queue *, const struct cursor *,
	    size_t n, struct err *);

/*
 * Waits until everything queued is done and frees the queue (NULL is
 * fine).  Returns -1 with err when a commit failed.
 */
int	caldav_queue_finish(struct caldav_queue *, struct err *);

#endif
