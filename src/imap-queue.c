/* SPDX-License-Identifier: MIT */
/*
 * The hand-over from a folder's sync to the pipeline, on a thread of its
 * own: while the sync reads and parses the next messages (libetpan's
 * parser, the summaries), this thread classifies the last ones and
 * commits their batches (SQLite), in the order they were handed over.
 * A first sync is then bounded by the slower of the two halves instead
 * of their sum.  The queue holds at most IMAP_QUEUE_MAX summaries: a
 * sync that runs ahead waits, so memory stays flat whatever the folder
 * holds.  Half a batch of them, so that the reader goes on with the
 * next batch (and the round trips of its parts FETCH) while a commit
 * runs, and this thread classifies the summaries read meanwhile instead
 * of waiting for the reader: with a quarter of a batch each thread
 * waited for the other about a second of a 20,000-message first sync
 * (SALESCYCLE_TEST_TRACE, imap-trace.c).  A whole batch waited less
 * still, but how full it got depended on how slow the commits were, so
 * peak memory grew by 1.1 MB from 5,000 to 20,000 messages.
 *
 * Only this thread touches the pipeline and the store between
 * imap_queue_start and imap_queue_finish.  A commit that fails drops
 * what follows (the pipeline dropped its batch, the cursors stay where
 * they were) and is reported to the sync at its next commit and at the
 * finish.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "imap"
#include "imap-int.h"
#include "mail.h"
#include "util.h"
#include "xmalloc.h"

/* Summaries waiting at most: half a batch (about 1.5 KB each). */
#define IMAP_QUEUE_MAX	(IMAP_BATCH / 2)
/* Summaries that wake a waiting thread; a commit wakes it at once. */
#define IMAP_QUEUE_WAKE	32
/* Cursors of one commit at most (imap_sync_commit writes six). */
#define IMAP_QUEUE_CURSORS	8

/* A message to classify, or the cursors of a batch to commit. */
struct imap_queue_entry {
	char			*item;		/* owned; NULL for a commit */
	struct mail_summary	 sum;		/* owned */
	struct cursor		 cur[IMAP_QUEUE_CURSORS];	/* strings owned */
	size_t			 ncur;
};

struct imap_queue {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;		/* an entry came, or the end */
	pthread_cond_t		 room;		/* an entry was taken */
	struct pipeline		*p;		/* borrowed */
	const char		*salesperson;	/* borrowed */
	bool			 sent;
	struct imap_queue_entry	*v;		/* owned: a ring of IMAP_QUEUE_MAX */
	size_t			 head, n;
	/*
	 * Who waits: a signal only then, and the taker's only when a few
	 * messages or a commit came (a wake-up per message cost 3%).
	 */
	bool			 taker_waits, giver_waits;
	bool			 closing;	/* nothing more will come */
	bool			 failed;	/* a commit failed: err says why */
	struct err		 err;
};

/* Frees what an entry owns. */
static void
imap_queue_entry_free(struct imap_queue_entry *e)
{
	size_t	i;

	free(e->item);
	mail_summary_free(&e->sum);
	for (i = 0; i < e->ncur; i++) {
		free((char *)e->cur[i].scope);
		free((char *)e->cur[i].name);
		free((char *)e->cur[i].value);
	}
	memset(e, 0, sizeof *e);
}

/* Runs one entry on the queue's thread: classify a message, or commit. */
static void
imap_queue_run(struct imap_queue *q, struct imap_queue_entry *e)
{
	struct err		err = { 0 };
	struct imap_trace_span	sp;

	if (q->failed)
		return;	/* written by this thread only: no lock to read */
	IMAP_TRACE_BEGIN(&sp, e->item != NULL ? IMAP_TRACE_CLASSIFY :
	    IMAP_TRACE_COMMIT);
	if (e->item != NULL) {
		pipeline_mail(q->p, q->salesperson, &e->sum, q->sent, e->item);
		IMAP_TRACE_END(&sp, IMAP_TRACE_CLASSIFY);
		return;
	}
	if (source_commit(q->p, e->cur, e->ncur, &err) < 0) {
		pthread_mutex_lock(&q->lock);
		q->failed = true;
		q->err = err;
		pthread_mutex_unlock(&q->lock);
	}
	IMAP_TRACE_END(&sp, IMAP_TRACE_COMMIT);
}

/* The queue's thread: entries in order until the end. */
static void *
imap_queue_main(void *arg)
{
	struct imap_queue	*q = arg;
	struct imap_queue_entry	 e;
	struct imap_trace_span	 sp;

	for (;;) {
		pthread_mutex_lock(&q->lock);
		IMAP_TRACE_BEGIN(&sp, IMAP_TRACE_IDLE);
		while (q->n == 0 && !q->closing) {
			q->taker_waits = true;
			pthread_cond_wait(&q->more, &q->lock);
			q->taker_waits = false;
		}
		IMAP_TRACE_END(&sp, IMAP_TRACE_IDLE);
		if (q->n == 0) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		e = q->v[q->head];
		memset(&q->v[q->head], 0, sizeof q->v[q->head]);
		q->head = (q->head + 1) % IMAP_QUEUE_MAX;
		q->n--;
		if (q->giver_waits)
			pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->lock);
		imap_queue_run(q, &e);
		imap_queue_entry_free(&e);
	}
}

struct imap_queue *
imap_queue_start(struct pipeline *p, const char *salesperson, bool sent,
    struct err *err)
{
	struct imap_queue	*q;
	int			 r;

	q = xcalloc(1, sizeof *q);
	q->v = xcalloc(IMAP_QUEUE_MAX, sizeof *q->v);
	q->p = p;
	q->salesperson = salesperson;
	q->sent = sent;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	r = pthread_create(&q->thread, NULL, imap_queue_main, q);
	if (r != 0) {
		pthread_cond_destroy(&q->room);
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->lock);
		free(q->v);
		free(q);
		err_set(err, ERR_TEMP, "cannot start a thread: %s",
		    strerror(r));
		return NULL;
	}
	return q;
}

/* Appends an entry (taken over), waiting for room. */
static void
imap_queue_push(struct imap_queue *q, struct imap_queue_entry *e)
{
	struct imap_trace_span	sp;

	pthread_mutex_lock(&q->lock);
	IMAP_TRACE_BEGIN(&sp, IMAP_TRACE_ROOM);
	while (q->n == IMAP_QUEUE_MAX) {
		q->giver_waits = true;
		pthread_cond_wait(&q->room, &q->lock);
		q->giver_waits = false;
	}
	IMAP_TRACE_END(&sp, IMAP_TRACE_ROOM);
	q->v[(q->head + q->n) % IMAP_QUEUE_MAX] = *e;
	q->n++;
	if (q->taker_waits && (q->n >= IMAP_QUEUE_WAKE || e->item == NULL))
		pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	memset(e, 0, sizeof *e);
}

void
imap_queue_mail(struct imap_queue *q, const char *item,
    struct mail_summary *sum)
{
	struct imap_queue_entry	e;

	memset(&e, 0, sizeof e);
	e.item = xstrdup(item);
	e.sum = *sum;
	memset(sum, 0, sizeof *sum);
	imap_queue_push(q, &e);
}

int
imap_queue_commit(struct imap_queue *q, const struct cursor *cur, size_t n,
    struct err *err)
{
	struct imap_queue_entry	e;
	size_t			i;
	bool			failed;

	if (n > IMAP_QUEUE_CURSORS)
		fatal("imap_queue_commit: %zu cursors", n);
	pthread_mutex_lock(&q->lock);
	failed = q->failed;
	if (failed)
		*err = q->err;
	pthread_mutex_unlock(&q->lock);
	if (failed)
		return -1;
	memset(&e, 0, sizeof e);
	for (i = 0; i < n; i++) {
		e.cur[i].scope = xstrdup(cur[i].scope);
		e.cur[i].name = xstrdup(cur[i].name);
		e.cur[i].value = cur[i].value != NULL ?
		    xstrdup(cur[i].value) : NULL;
	}
	e.ncur = n;
	imap_queue_push(q, &e);
	return 0;
}

int
imap_queue_finish(struct imap_queue *q, struct err *err)
{
	int	rc = 0;

	if (q == NULL)
		return 0;
	pthread_mutex_lock(&q->lock);
	q->closing = true;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	if (q->failed) {
		*err = q->err;
		rc = -1;
	}
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q->v);
	free(q);
	return rc;
}
