/* SPDX-License-Identifier: MIT */
/* Name tables of the domain model (model.h) and the signal containers. */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "xmalloc.h"

static const struct {
	const char	*name;
	bool		 moves;
} kinds[] = {
#define X(e, s, m) { s, m },
	SIGNAL_KINDS(X)
#undef X
};

const char *
signal_kind_name(enum signal_kind k)
{
	if ((unsigned)k >= SIG__COUNT)
		return "?";
	return kinds[k].name;
}

int
signal_kind_from_name(const char *name)
{
	int i;

	for (i = 0; i < SIG__COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return i;
	return -1;
}

bool
signal_kind_moves_phase(enum signal_kind k)
{
	return (unsigned)k < SIG__COUNT && kinds[k].moves;
}

static const char *const outcomes[] = { "open", "won", "lost" };

const char *
outcome_name(enum outcome o)
{
	return (unsigned)o < 3 ? outcomes[o] : "?";
}

int
outcome_from_name(const char *name)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(outcomes[i], name) == 0)
			return i;
	return -1;
}

const char *
direction_name(enum direction d)
{
	switch (d) {
	case DIR_INBOUND:
		return "in";
	case DIR_OUTBOUND:
		return "out";
	default:
		return "none";
	}
}

int
direction_from_name(const char *name)
{
	int d;

	for (d = DIR_NONE; d <= DIR_OUTBOUND; d++)
		if (name != NULL && strcmp(direction_name(d), name) == 0)
			return d;
	return -1;
}

const char *
deal_kind_name(enum deal_kind k)
{
	return k == DEAL_GROWTH ? "growth" : "new";
}

struct signal *
signal_list_add(struct signal_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	return &l->v[l->n++];
}

void
signal_free(struct signal *s)
{
	free(s->account);
	free(s->salesperson);
	free(s->source);
	free(s->item);
	free(s->ref);
	free(s->rule);
	free(s->subject);
	free(s->value);
	free(s->match_text);
	free(s->language);
	free(s->thread);
	memset(s, 0, sizeof *s);
}

void
signal_list_clear(struct signal_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		signal_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

struct appointment *
appointment_list_add(struct appointment_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	return &l->v[l->n++];
}

void
appointment_list_clear(struct appointment_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].source);
		free(l->v[i].item);
		free(l->v[i].uid);
		free(l->v[i].salesperson);
		free(l->v[i].account);
		free(l->v[i].match_text);
		free(l->v[i].summary);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
