/* SPDX-License-Identifier: MIT */
/*
 * The hand-over from a calendar's sync to the pipeline, on a thread of
 * its own, as imap-queue.c does for a folder: while the sync reads the
 * multistatus and parses the next calendar objects (expat, libical),
 * this thread classifies the last ones and commits their batches
 * (SQLite), in the order they were handed over.  Radicale, like most
 * servers, builds its whole answer before the first byte, so all of the
 * agent's work on a first sync comes after it: the two halves on two
 * cores then take the time of the slower instead of their sum.  The
 * queue holds at most CALDAV_QUEUE_MAX objects and CALDAV_QUEUE_BYTES
 * of them (one may be large: that one alone), so memory stays flat
 * whatever the calendar holds.
 *
 * A commit that fails drops what follows (the pipeline dropped its
 * batch; no later cursor, the sync token least of all, is written) and
 * is reported to the sync at its next commit and at the finish.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "caldav"
#include "caldav-queue.h"
#include "log.h"
#include "source.h"
#include "xmalloc.h"

/* Entries that wake a waiting thread; a commit wakes it at once. */
#define CALDAV_QUEUE_WAKE	16

enum caldav_queue_kind {
	CALDAV_QUEUE_ICAL,
	CALDAV_QUEUE_REMOVE,
	CALDAV_QUEUE_COMMIT,
};

/* An object to classify, an item to remove, or a commit. */
struct caldav_queue_entry {
	enum caldav_queue_kind	 kind;
	char			*item;		/* owned */
	char			*version;	/* owned, may be NULL */
	struct ical_file	 f;		/* owned */
	struct cursor		 cur[CALDAV_QUEUE_CURSORS];	/* strings owned */
	size_t			 ncur;
	size_t			 cost;		/* bytes it holds, about */
};

struct caldav_queue {
	pthread_t			 thread;
	pthread_mutex_t			 lock;
	pthread_cond_t			 more;	/* an entry came, or the end */
	pthread_cond_t			 room;	/* an entry was taken */
	struct pipeline			*p;		/* borrowed */
	const char			*salesperson;	/* borrowed */
	struct caldav_queue_entry	 v[CALDAV_QUEUE_MAX];	/* a ring */
	size_t				 head, n;
	size_t				 bytes;		/* cost of the n entries */
	/* Who waits: a signal only then, as in imap-queue.c. */
	bool				 taker_waits, giver_waits;
	bool				 closing;	/* nothing more will come */
	bool				 failed;	/* a commit failed: err says why */
	struct err			 err;
};

/* Frees what an entry owns. */
static void
caldav_queue_entry_free(struct caldav_queue_entry *e)
{
	size_t	i;

	free(e->item);
	free(e->version);
	ical_file_free(&e->f);
	for (i = 0; i < e->ncur; i++) {
		free((char *)e->cur[i].scope);
		free((char *)e->cur[i].name);
		free((char *)e->cur[i].value);
	}
	memset(e, 0, sizeof *e);
}

/* Runs one entry on the queue's thread. */
static void
caldav_queue_run(struct caldav_queue *q, struct caldav_queue_entry *e)
{
	struct err	err = { 0 };

	if (q->failed)
		return;	/* written by this thread only: no lock to read */
	switch (e->kind) {
	case CALDAV_QUEUE_ICAL:
		pipeline_ical(q->p, q->salesperson, &e->f, e->item, e->version);
		break;
	case CALDAV_QUEUE_REMOVE:
		pipeline_remove(q->p, e->item);
		break;
	case CALDAV_QUEUE_COMMIT:
		if (source_commit(q->p, e->cur, e->ncur, &err) < 0) {
			pthread_mutex_lock(&q->lock);
			q->failed = true;
			q->err = err;
			pthread_mutex_unlock(&q->lock);
		}
		break;
	}
}

/* The queue's thread: entries in order until the end. */
static void *
caldav_queue_main(void *arg)
{
	struct caldav_queue		*q = arg;
	struct caldav_queue_entry	 e;

	for (;;) {
		pthread_mutex_lock(&q->lock);
		while (q->n == 0 && !q->closing) {
			q->taker_waits = true;
			pthread_cond_wait(&q->more, &q->lock);
			q->taker_waits = false;
		}
		if (q->n == 0) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		e = q->v[q->head];
		memset(&q->v[q->head], 0, sizeof q->v[q->head]);
		q->head = (q->head + 1) % CALDAV_QUEUE_MAX;
		q->n--;
		q->bytes -= e.cost;
		if (q->giver_waits)
			pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->lock);
		caldav_queue_run(q, &e);
		caldav_queue_entry_free(&e);
	}
}

struct caldav_queue *
caldav_queue_start(struct pipeline *p, const char *salesperson,
    struct err *err)
{
	struct caldav_queue	*q;
	int			 r;

	q = xcalloc(1, sizeof *q);
	q->p = p;
	q->salesperson = salesperson;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	r = pthread_create(&q->thread, NULL, caldav_queue_main, q);
	if (r != 0) {
		pthread_cond_destroy(&q->room);
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->lock);
		free(q);
		err_set(err, ERR_TEMP, "cannot start a thread: %s",
		    strerror(r));
		return NULL;
	}
	return q;
}

/* Appends an entry (taken over), waiting for room. */
static void
caldav_queue_push(struct caldav_queue *q, struct caldav_queue_entry *e)
{
	pthread_mutex_lock(&q->lock);
	while (q->n == CALDAV_QUEUE_MAX ||
	    (q->n > 0 && e->cost > CALDAV_QUEUE_BYTES - q->bytes)) {
		/* Full by bytes with fewer than a wake's entries: wake it. */
		if (q->taker_waits)
			pthread_cond_signal(&q->more);
		q->giver_waits = true;
		pthread_cond_wait(&q->room, &q->lock);
		q->giver_waits = false;
	}
	q->v[(q->head + q->n) % CALDAV_QUEUE_MAX] = *e;
	q->n++;
	q->bytes += e->cost;
	if (q->taker_waits && (q->n >= CALDAV_QUEUE_WAKE ||
	    e->kind == CALDAV_QUEUE_COMMIT))
		pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	memset(e, 0, sizeof *e);
}

/* Bytes a string holds, with malloc's overhead about. */
static size_t
caldav_queue_str(const char *s)
{
	return s != NULL ? strlen(s) + 1 + 16 : 0;
}

/* Bytes a parsed object holds, about: what bounds the queue. */
static size_t
caldav_queue_cost(const struct ical_file *f)
{
	const struct event_summary	*ev;
	size_t				 i, j, n;

	n = caldav_queue_str(f->method) + f->nevents * sizeof *f->events +
	    f->nocc * sizeof *f->occ;
	for (i = 0; i < f->nevents; i++) {
		ev = &f->events[i];
		n += caldav_queue_str(ev->uid) + caldav_queue_str(ev->summary) +
		    caldav_queue_str(ev->location) +
		    caldav_queue_str(ev->organizer) +
		    ev->nattendees * sizeof *ev->attendees;
		for (j = 0; j < ev->nattendees; j++)
			n += caldav_queue_str(ev->attendees[j].addr) +
			    caldav_queue_str(ev->attendees[j].name);
		for (j = 0; j < ev->hashtags.n; j++)
			n += sizeof *ev->hashtags.v +
			    caldav_queue_str(ev->hashtags.v[j]);
	}
	return n;
}

void
caldav_queue_ical(struct caldav_queue *q, const char *item,
    const char *version, struct ical_file *f)
{
	struct caldav_queue_entry	e;

	memset(&e, 0, sizeof e);
	e.kind = CALDAV_QUEUE_ICAL;
	e.item = xstrdup(item);
	e.version = version != NULL ? xstrdup(version) : NULL;
	e.cost = sizeof e + caldav_queue_str(item) +
	    caldav_queue_str(version) + caldav_queue_cost(f);
	e.f = *f;
	memset(f, 0, sizeof *f);
	caldav_queue_push(q, &e);
}

void
caldav_queue_remove(struct caldav_queue *q, const char *item)
{
	struct caldav_queue_entry	e;

	memset(&e, 0, sizeof e);
	e.kind = CALDAV_QUEUE_REMOVE;
	e.item = xstrdup(item);
	e.cost = sizeof e + caldav_queue_str(item);
	caldav_queue_push(q, &e);
}

int
caldav_queue_commit(struct caldav_queue *q, const struct cursor *cur,
    size_t n, struct err *err)
{
	struct caldav_queue_entry	e;
	size_t				i;
	bool				failed;

	if (n > CALDAV_QUEUE_CURSORS)
		fatal("caldav_queue_commit: %zu cursors", n);
	pthread_mutex_lock(&q->lock);
	failed = q->failed;
	if (failed)
		*err = q->err;
	pthread_mutex_unlock(&q->lock);
	if (failed)
		return -1;
	memset(&e, 0, sizeof e);
	e.kind = CALDAV_QUEUE_COMMIT;
	for (i = 0; i < n; i++) {
		e.cur[i].scope = xstrdup(cur[i].scope);
		e.cur[i].name = xstrdup(cur[i].name);
		e.cur[i].value = cur[i].value != NULL ?
		    xstrdup(cur[i].value) : NULL;
	}
	e.ncur = n;
	caldav_queue_push(q, &e);
	return 0;
}

int
caldav_queue_finish(struct caldav_queue *q, struct err *err)
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
	free(q);
	return rc;
}
