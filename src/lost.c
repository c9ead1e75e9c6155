/* SPDX-License-Identifier: MIT */
/*
 * Lost reasons (lost.h).  The store hands each lost deal with the value
 * of the lost signal that closed it (store_lost_deals); this file folds
 * and counts them: one group per deal, sorted and merged, so that many
 * lost deals cost n log n.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lost.h"
#include "model.h"
#include "store-query.h"
#include "util.h"

char *
lost_reason_fold(const char *in)
{
	char *out, *q;
	const char *p;
	size_t n;

	if (in == NULL)
		return NULL;
	out = q = xmalloc(strlen(in) + 1);
	for (p = in; *p != '\0'; p++) {
		if (isspace((unsigned char)*p)) {
			if (q > out && q[-1] != ' ')
				*q++ = ' ';
		} else
			*q++ = (char)tolower((unsigned char)*p);
	}
	*q = '\0';
	n = (size_t)(q - out);
	while (n > 0 && strchr(" .,;:!", out[n - 1]) != NULL)
		n--;
	if (n > LOST_REASON_MAX) {
		n = LOST_REASON_MAX;
		/* Not inside a UTF-8 sequence. */
		while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
			n--;
	}
	out[n] = '\0';
	if (n == 0) {
		free(out);
		return NULL;
	}
	return util_utf8_repair(out);
}

/* What lost_reasons_collect carries through the walk. */
struct lost_walk {
	const struct config	*cfg;
	const struct strlist	*people;
	struct lost_reasons	*out;
	size_t			 cap;
};

/* Adds one lost deal as a group of one; lost_merge counts them. */
static int
lost_deal(const struct store_lost *l, void *arg)
{
	struct lost_walk *w = arg;
	struct lost_reasons *out = w->out;
	struct lost_reason *g;
	int p;

	if (w->people != NULL && w->people->n > 0 &&
	    (l->deal.salesperson == NULL ||
	    !strlist_contains(w->people, l->deal.salesperson)))
		return 0;
	if (out->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		out->v = xreallocarray(out->v, w->cap, sizeof *out->v);
	}
	g = &out->v[out->n++];
	memset(g, 0, sizeof *g);
	g->reason = lost_reason_fold(l->reason);
	g->phase = xstrdup(l->deal.phase != NULL ? l->deal.phase : "");
	p = config_phase_index(w->cfg, g->phase);
	g->phase_index = p == PHASE_NONE ? MAX_PHASES : p;
	g->count = 1;
	out->deals++;
	if (g->reason != NULL)
		out->with_reason++;
	return 0;
}

/* By reason (none given last), then the phase's place in the cycle. */
static int
lost_cmp_group(const void *a, const void *b)
{
	const struct lost_reason *x = a, *y = b;
	int c;

	if ((x->reason == NULL) != (y->reason == NULL))
		return x->reason == NULL ? 1 : -1;
	if (x->reason != NULL && (c = strcmp(x->reason, y->reason)) != 0)
		return c;
	if (x->phase_index != y->phase_index)
		return x->phase_index < y->phase_index ? -1 : 1;
	return strcmp(x->phase, y->phase);
}

/* Most frequent reason first, then as lost_cmp_group. */
static int
lost_cmp(const void *a, const void *b)
{
	const struct lost_reason *x = a, *y = b;

	if (x->reason_total != y->reason_total)
		return x->reason_total > y->reason_total ? -1 : 1;
	return lost_cmp_group(a, b);
}

static bool
lost_same_reason(const struct lost_reason *a, const struct lost_reason *b)
{
	if (a->reason == NULL || b->reason == NULL)
		return a->reason == b->reason;
	return strcmp(a->reason, b->reason) == 0;
}

/*
 * Merges the groups of one into counted groups (sorted, so each run is
 * one reason and phase) and sets each reason's total.
 */
static void
lost_merge(struct lost_reasons *out)
{
	size_t i, j, n = 0;
	long total;

	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, lost_cmp_group);
	for (i = 0; i < out->n; i++) {
		if (n > 0 && lost_same_reason(&out->v[n - 1], &out->v[i]) &&
		    strcmp(out->v[n - 1].phase, out->v[i].phase) == 0) {
			out->v[n - 1].count += out->v[i].count;
			free(out->v[i].reason);
			free(out->v[i].phase);
		} else
			out->v[n++] = out->v[i];
	}
	out->n = n;
	for (i = 0; i < n; i = j) {
		total = 0;
		for (j = i; j < n && lost_same_reason(&out->v[i], &out->v[j]);
		    j++)
			total += out->v[j].count;
		for (j = i; j < n && lost_same_reason(&out->v[i], &out->v[j]);
		    j++)
			out->v[j].reason_total = total;
	}
	if (n > 1)
		qsort(out->v, n, sizeof *out->v, lost_cmp);
}

int
lost_reasons_collect(struct store *st, const struct config *cfg,
    const struct strlist *people, time_t since, time_t until,
    struct lost_reasons *out, struct err *err)
{
	struct lost_walk w = { cfg, people, out, 0 };

	memset(out, 0, sizeof *out);
	if (store_lost_deals(st, since, until, lost_deal, &w, err) != 0) {
		lost_reasons_free(out);
		return -1;
	}
	lost_merge(out);
	return 0;
}

void
lost_reasons_free(struct lost_reasons *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].reason);
		free(l->v[i].phase);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
