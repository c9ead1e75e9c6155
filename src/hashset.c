/* SPDX-License-Identifier: MIT */
/*
 * The string set of hashset.h: linear probing in a power-of-two table
 * that doubles before it is half full.  No deletion: the sets live for
 * one listing and are cleared whole.
 */
#include <stdlib.h>
#include <string.h>

#include "hashset.h"
#include "xmalloc.h"

uint64_t
hashset_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The canon form of s in the set. */
static const char *
hashset_canon(const struct hashset *set, const char *s)
{
	return set->canon != NULL ? set->canon(s) : s;
}

/* The slot of s: where an equal string is, or the empty one where it goes. */
static size_t
hashset_slot(const struct hashset *set, const char *s)
{
	const char	*c = hashset_canon(set, s);
	size_t		 i;

	i = (size_t)hashset_fnv1a(HASHSET_FNV_INIT, c, strlen(c)) &
	    (set->cap - 1);
	while (set->slot[i] != NULL &&
	    strcmp(hashset_canon(set, set->slot[i]), c) != 0)
		i = (i + 1) & (set->cap - 1);
	return i;
}

const char *
hashset_get(const struct hashset *set, const char *s)
{
	if (set->n == 0)
		return NULL;
	return set->slot[hashset_slot(set, s)];
}

bool
hashset_add(struct hashset *set, const char *s)
{
	struct hashset	big;
	size_t		i;

	if (hashset_get(set, s) != NULL)
		return false;
	if (2 * (set->n + 1) > set->cap) {
		big = *set;
		big.cap = set->cap == 0 ? 64 : set->cap * 2;
		big.n = set->n;
		big.slot = xcalloc(big.cap, sizeof *big.slot);
		for (i = 0; i < set->cap; i++)
			if (set->slot[i] != NULL)
				big.slot[hashset_slot(&big, set->slot[i])] =
				    set->slot[i];
		free(set->slot);
		*set = big;
	}
	set->slot[hashset_slot(set, s)] = s;
	set->n++;
	return true;
}

void
hashset_clear(struct hashset *set)
{
	free(set->slot);
	set->slot = NULL;
	set->cap = set->n = 0;
}
