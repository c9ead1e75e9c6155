/* SPDX-License-Identifier: MIT */
/*
 * A stable sort of keyed indexes in linear time: the analyses sort a
 * million deals or more by a time of each, several times per forecast,
 * where qsort's comparisons through a function pointer cost a second.
 * A radix sort of 64-bit keys, a byte a pass, skipping the bytes every
 * key shares (most of a double's exponent).  Doubles are sorted through
 * radix_key_double, whose order is theirs.
 */
#ifndef SC_RADIX_H
#define SC_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* What is sorted: a key, and the index of what it stands for. */
struct radix_item {
	uint64_t	 key;
	size_t		 i;
};

/* The key of a double in its order (-0 is 0; no NaN). */
uint64_t	 radix_key_double(double);
/* The key of an integer in its order. */
uint64_t	 radix_key_int(int64_t);

/* Sorts v by key, ascending, equal keys in their order (stable). */
void		 radix_sort(struct radix_item *v, size_t n);

#endif
