/* SPDX-License-Identifier: MIT */
/*
 * A folder's summaries on a queue's thread (source-queue.c): while the
 * sync reads and parses the next messages (libetpan's parser, the
 * summaries), that thread classifies the last ones and commits their
 * batches.  The queue holds at most IMAP_QUEUE_MAX summaries.  Half a
 * batch of them, so that the reader goes on with the next batch (and
 * the round trips of its parts FETCH) while a commit runs, and that
 * thread classifies the summaries read meanwhile instead of waiting for
 * the reader: with a quarter of a batch each thread waited for the
 * other about a second of a 20,000-message first sync
 * (SALESCYCLE_TEST_TRACE, imap-trace.c).  A whole batch waited less
 * still, but how full it got depended on how slow the commits were, so
 * peak memory grew by 1.1 MB from 5,000 to 20,000 messages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "imap"
#include "imap-int.h"
#include "mail.h"
#include "xmalloc.h"

/* Summaries waiting at most: half a batch (about 1.5 KB each). */
#define IMAP_QUEUE_MAX	(IMAP_BATCH / 2)
/* Summaries that wake a waiting thread; a commit wakes it at once. */
#define IMAP_QUEUE_WAKE	32

/* A message to classify. */
struct imap_queue_item {
	char			*item;		/* owned */
	struct mail_summary	 sum;		/* owned */
};

/* Classifies a message, on the queue's thread. */
static void
imap_queue_run(struct pipeline *p, const char *salesperson, void *arg,
    void *item)
{
	struct imap_queue_arg	*a = arg;
	struct imap_queue_item	*it = item;
	struct imap_trace_span	 sp;

	IMAP_TRACE_BEGIN(&sp, IMAP_TRACE_CLASSIFY);
	pipeline_mail(p, salesperson, &it->sum, a->sent, it->item);
	IMAP_TRACE_END(&sp, IMAP_TRACE_CLASSIFY);
}

/* Frees what an item owns. */
static void
imap_queue_free(void *item)
{
	struct imap_queue_item	*it = item;

	free(it->item);
	mail_summary_free(&it->sum);
}

#ifdef SC_TEST_HOOKS
/* The queue's phases in the folder's trace (imap-trace.c). */
static void
imap_queue_trace(void *arg, enum source_queue_phase what, bool end)
{
	static const enum imap_trace_what phase[SOURCE_QUEUE_PHASES] = {
		[SOURCE_QUEUE_ROOM] = IMAP_TRACE_ROOM,
		[SOURCE_QUEUE_IDLE] = IMAP_TRACE_IDLE,
		[SOURCE_QUEUE_COMMIT] = IMAP_TRACE_COMMIT,
	};
	struct imap_queue_arg	*a = arg;

	if (end)
		imap_trace_end(&a->span[what], phase[what]);
	else
		imap_trace_begin(&a->span[what], phase[what]);
}
#endif

static const struct source_queue_ops imap_queue_ops = {
	.item_size = sizeof(struct imap_queue_item),
	.max = IMAP_QUEUE_MAX,
	.max_bytes = SIZE_MAX,
	.wake = IMAP_QUEUE_WAKE,
	.run = imap_queue_run,
	.free = imap_queue_free,
#ifdef SC_TEST_HOOKS
	.trace = imap_queue_trace,
#endif
};

struct source_queue *
imap_queue_start(struct pipeline *p, const char *salesperson, bool sent,
    struct imap_queue_arg *arg, struct err *err)
{
	memset(arg, 0, sizeof *arg);
	arg->sent = sent;
	return source_queue_start(&imap_queue_ops, p, salesperson, arg, err);
}

void
imap_queue_mail(struct source_queue *q, const char *item,
    struct mail_summary *sum)
{
	struct imap_queue_item	it;

	it.item = xstrdup(item);
	it.sum = *sum;
	memset(sum, 0, sizeof *sum);
	source_queue_push(q, &it, 0);
}
