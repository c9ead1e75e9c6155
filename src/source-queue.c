/* SPDX-License-Identifier: MIT */
/*
 * The hand-over from a collection's sync to the pipeline, on a thread of
 * its own: while the sync reads and parses the next items (libetpan's
 * parser and the summaries for IMAP, expat and libical for CalDAV),
 * this thread classifies the last ones and commits their batches
 * (SQLite), in the order they were handed over.  A first sync is then
 * bounded by the slower of the two halves instead of their sum.  The
 * queue holds at most ops->max entries and ops->max_bytes of them (one
 * item may be large: that one alone): a sync that runs ahead waits, so
 * memory stays flat whatever the collection holds.  Each driver sets
 * the bounds and says what an item is (struct source_queue_ops).
 *
 * Only this thread touches the pipeline and the store between
 * source_queue_start and source_queue_finish.  A commit that fails
 * drops what follows (the pipeline dropped its batch, the cursors stay
 * where they were: a sync token is not written) and is reported to the
 * sync at its next commit and at the finish.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "source-queue.h"
#include "xmalloc.h"

/* An entry of the ring: an item (its bytes apart) or a commit. */
struct source_queue_slot {
	bool		 commit;
	struct cursor	*cur;		/* a commit's, owned with its strings */
	size_t		 ncur;
	size_t		 cost;		/* bytes it holds, about */
};

struct source_queue {
	const struct source_queue_ops *ops;	/* borrowed */
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;		/* an entry came, or the end */
	pthread_cond_t		 room;		/* an entry was taken */
	struct pipeline		*p;		/* borrowed */
	const char		*salesperson;	/* borrowed */
	void			*arg;		/* borrowed: the ops' */
	struct source_queue_slot *slot;		/* owned: a ring of ops->max */
	unsigned char		*items;		/* owned: each slot's item */
	unsigned char		*taken;		/* owned: the item being run */
	size_t			 head, n;
	size_t			 bytes;		/* cost of the n entries */
	/*
	 * Who waits: a signal only then, and the taker's only when a few
	 * entries (ops->wake) or a commit came (a wake-up per message cost
	 * IMAP's first sync 3%).
	 */
	bool			 taker_waits, giver_waits;
	bool			 closing;	/* nothing more will come */
	bool			 failed;	/* a commit failed: err says why */
	struct err		 err;
};

/* Marks a phase for the driver's trace, if it keeps one. */
static void
source_queue_trace(struct source_queue *q, enum source_queue_phase what,
    bool end)
{
	if (q->ops->trace != NULL)
		q->ops->trace(q->arg, what, end);
}

/* Frees a commit's cursors. */
static void
source_queue_cursors_free(struct cursor *cur, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free((char *)cur[i].scope);
		free((char *)cur[i].name);
		free((char *)cur[i].value);
	}
	free(cur);
}

/* Runs one entry on the queue's thread, and frees it: an item, or a commit. */
static void
source_queue_run(struct source_queue *q, struct source_queue_slot *s)
{
	struct err	err = { 0 };

	/* q->failed is written by this thread only: no lock to read it. */
	if (!s->commit) {
		if (!q->failed)
			q->ops->run(q->p, q->salesperson, q->arg, q->taken);
		q->ops->free(q->taken);
		return;
	}
	if (!q->failed) {
		source_queue_trace(q, SOURCE_QUEUE_COMMIT, false);
		if (source_commit(q->p, s->cur, s->ncur, &err) < 0) {
			pthread_mutex_lock(&q->lock);
			q->failed = true;
			q->err = err;
			pthread_mutex_unlock(&q->lock);
		}
		source_queue_trace(q, SOURCE_QUEUE_COMMIT, true);
	}
	source_queue_cursors_free(s->cur, s->ncur);
}

/* The queue's thread: entries in order until the end. */
static void *
source_queue_main(void *arg)
{
	struct source_queue		*q = arg;
	struct source_queue_slot	 s;

	for (;;) {
		pthread_mutex_lock(&q->lock);
		source_queue_trace(q, SOURCE_QUEUE_IDLE, false);
		while (q->n == 0 && !q->closing) {
			q->taker_waits = true;
			pthread_cond_wait(&q->more, &q->lock);
			q->taker_waits = false;
		}
		source_queue_trace(q, SOURCE_QUEUE_IDLE, true);
		if (q->n == 0) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		s = q->slot[q->head];
		if (!s.commit)
			memcpy(q->taken, q->items + q->head * q->ops->item_size,
			    q->ops->item_size);
		q->head = (q->head + 1) % q->ops->max;
		q->n--;
		q->bytes -= s.cost;
		if (q->giver_waits)
			pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->lock);
		source_queue_run(q, &s);
	}
}

/* Frees a queue whose thread is gone (or never was). */
static void
source_queue_free(struct source_queue *q)
{
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q->taken);
	free(q->items);
	free(q->slot);
	free(q);
}

struct source_queue *
source_queue_start(const struct source_queue_ops *ops, struct pipeline *p,
    const char *salesperson, void *arg, struct err *err)
{
	struct source_queue	*q;
	int			 r;

	q = xcalloc(1, sizeof *q);
	q->ops = ops;
	q->slot = xcalloc(ops->max, sizeof *q->slot);
	q->items = xcalloc(ops->max, ops->item_size);
	q->taken = xcalloc(1, ops->item_size);
	q->p = p;
	q->salesperson = salesperson;
	q->arg = arg;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	r = pthread_create(&q->thread, NULL, source_queue_main, q);
	if (r != 0) {
		source_queue_free(q);
		err_set(err, ERR_TEMP, "cannot start a thread: %s",
		    strerror(r));
		return NULL;
	}
	return q;
}

/*
 * Appends an entry (taken over) and its item (ops->item_size bytes
 * copied; NULL for a commit), waiting for room.
 */
static void
source_queue_put(struct source_queue *q, const struct source_queue_slot *s,
    const void *item)
{
	const struct source_queue_ops	*ops = q->ops;
	size_t				 tail;

	pthread_mutex_lock(&q->lock);
	source_queue_trace(q, SOURCE_QUEUE_ROOM, false);
	while (q->n == ops->max || (q->n > 0 &&
	    (q->bytes >= ops->max_bytes ||
	    s->cost > ops->max_bytes - q->bytes))) {
		/*
		 * (Full by bytes also when an item let in alone holds more
		 * than the bound: the difference must not wrap around.)
		 * Full by bytes (or a ring smaller than a wake) while the
		 * taker waits for a wake's entries: wake it, or each would
		 * wait for the other.
		 */
		if (q->taker_waits)
			pthread_cond_signal(&q->more);
		q->giver_waits = true;
		pthread_cond_wait(&q->room, &q->lock);
		q->giver_waits = false;
	}
	source_queue_trace(q, SOURCE_QUEUE_ROOM, true);
	tail = (q->head + q->n) % ops->max;
	q->slot[tail] = *s;
	if (item != NULL)
		memcpy(q->items + tail * ops->item_size, item, ops->item_size);
	q->n++;
	q->bytes += s->cost;
	if (q->taker_waits && (q->n >= ops->wake || s->commit))
		pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

void
source_queue_push(struct source_queue *q, void *item, size_t cost)
{
	struct source_queue_slot	s;

	memset(&s, 0, sizeof s);
	s.cost = sizeof s + q->ops->item_size + cost;
	source_queue_put(q, &s, item);
	memset(item, 0, q->ops->item_size);
}

int
source_queue_commit(struct source_queue *q, const struct cursor *cur,
    size_t n, struct err *err)
{
	struct source_queue_slot	s;
	size_t				i;
	bool				failed;

	pthread_mutex_lock(&q->lock);
	failed = q->failed;
	if (failed)
		*err = q->err;
	pthread_mutex_unlock(&q->lock);
	if (failed)
		return -1;
	memset(&s, 0, sizeof s);
	s.commit = true;
	s.cur = n > 0 ? xcalloc(n, sizeof *s.cur) : NULL;
	for (i = 0; i < n; i++) {
		s.cur[i].scope = xstrdup(cur[i].scope);
		s.cur[i].name = xstrdup(cur[i].name);
		s.cur[i].value = cur[i].value != NULL ?
		    xstrdup(cur[i].value) : NULL;
	}
	s.ncur = n;
	source_queue_put(q, &s, NULL);
	return 0;
}

int
source_queue_finish(struct source_queue *q, struct err *err)
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
	source_queue_free(q);
	return rc;
}
