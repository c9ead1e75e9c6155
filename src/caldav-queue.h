/* SPDX-License-Identifier: MIT */
/*
 * What a calendar's sync hands to a queue's thread (source-queue.h):
 * parsed calendar objects for pipeline_ical and removed items for
 * pipeline_remove, with CalDAV's bounds (caldav-queue.c).
 */
#ifndef SC_CALDAV_QUEUE_H
#define SC_CALDAV_QUEUE_H

#include "err.h"
#include "event.h"
#include "pipeline.h"
#include "source-queue.h"

/*
 * Entries waiting at most, and their bytes (what a parsed object holds:
 * one object may hold megabytes): a sync that runs ahead waits for
 * room.  A batch's worth, so that the sync parses the next batch while
 * the last commits.
 */
#define CALDAV_QUEUE_MAX	1000
#define CALDAV_QUEUE_BYTES	(16u * 1024 * 1024)
/* Entries that wake a waiting queue thread; a commit wakes it at once. */
#define CALDAV_QUEUE_WAKE	16

/*
 * Starts a queue with CalDAV's bounds (source_queue_start): commit and
 * finish it with source_queue_commit and source_queue_finish.
 */
struct source_queue *caldav_queue_start(struct pipeline *p,
	    const char *salesperson, struct err *err);

/* Queues a parsed object for pipeline_ical; f is taken over (emptied). */
void	caldav_queue_ical(struct source_queue *, const char *item,
	    const char *version, struct ical_file *f);

/* Queues pipeline_remove of an item. */
void	caldav_queue_remove(struct source_queue *, const char *item);

#endif
