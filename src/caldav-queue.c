/* SPDX-License-Identifier: MIT */
/*
 * CalDAV's items on a queue's thread (source-queue.c): while the sync
 * reads the multistatus and parses the next calendar objects (expat,
 * libical), that thread classifies the last ones and commits their
 * batches.  Radicale, like most servers, builds its whole answer before
 * the first byte, so all of the agent's work on a first sync comes after
 * it: the two halves on two cores then take the time of the slower
 * instead of their sum.  An item is a parsed object or a removal; a
 * parsed object is bounded by its bytes too, as one may hold megabytes.
 */
#include <stdlib.h>
#include <string.h>

#include "caldav-queue.h"
#include "xmalloc.h"

/* An object to classify (f), or an item to remove (no f). */
struct caldav_queue_item {
	bool		 remove;
	char		*item;		/* owned */
	char		*version;	/* owned, may be NULL */
	struct ical_file f;		/* owned */
};

/* Hands an item to the pipeline, on the queue's thread. */
static void
caldav_queue_run(struct pipeline *p, const char *salesperson, void *arg,
    void *item)
{
	struct caldav_queue_item	*it = item;

	(void)arg;
	if (it->remove)
		pipeline_remove(p, it->item);
	else
		pipeline_ical(p, salesperson, &it->f, it->item, it->version);
}

/* Frees what an item owns. */
static void
caldav_queue_free(void *item)
{
	struct caldav_queue_item	*it = item;

	free(it->item);
	free(it->version);
	ical_file_free(&it->f);
}

static const struct source_queue_ops caldav_queue_ops = {
	.item_size = sizeof(struct caldav_queue_item),
	.max = CALDAV_QUEUE_MAX,
	.max_bytes = CALDAV_QUEUE_BYTES,
	.wake = CALDAV_QUEUE_WAKE,
	.run = caldav_queue_run,
	.free = caldav_queue_free,
};

struct source_queue *
caldav_queue_start(struct pipeline *p, const char *salesperson,
    struct err *err)
{
	return source_queue_start(&caldav_queue_ops, p, salesperson, NULL, err);
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
caldav_queue_ical(struct source_queue *q, const char *item,
    const char *version, struct ical_file *f)
{
	struct caldav_queue_item	it;
	size_t				cost;

	memset(&it, 0, sizeof it);
	it.item = xstrdup(item);
	it.version = version != NULL ? xstrdup(version) : NULL;
	cost = caldav_queue_str(item) + caldav_queue_str(version) +
	    caldav_queue_cost(f);
	it.f = *f;
	memset(f, 0, sizeof *f);
	source_queue_push(q, &it, cost);
}

void
caldav_queue_remove(struct source_queue *q, const char *item)
{
	struct caldav_queue_item	it;

	memset(&it, 0, sizeof it);
	it.remove = true;
	it.item = xstrdup(item);
	source_queue_push(q, &it, caldav_queue_str(item));
}
