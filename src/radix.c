/* SPDX-License-Identifier: MIT */
/* A stable radix sort of keyed indexes (radix.h). */
#include <stdlib.h>
#include <string.h>

#include "radix.h"
#include "xmalloc.h"

uint64_t
radix_key_double(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0;		/* -0 sorts as 0, as it compares */
	memcpy(&u, &x, sizeof u);
	/* Negatives: every bit flipped; the rest: the sign bit set. */
	return ((u & 0x8000000000000000ULL) != 0 ? ~u :
	    u | 0x8000000000000000ULL);
}

uint64_t
radix_key_int(int64_t x)
{
	return ((uint64_t)x ^ 0x8000000000000000ULL);
}

void
radix_sort(struct radix_item *v, size_t n)
{
	size_t count[8][256], at[256], i, b, k, sum;
	struct radix_item *tmp, *from = v, *to, *swap;

	if (n < 2)
		return;
	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++)
		for (b = 0; b < 8; b++)
			count[b][(v[i].key >> (8 * b)) & 0xff]++;
	tmp = xreallocarray(NULL, n, sizeof *tmp);
	to = tmp;
	for (b = 0; b < 8; b++) {
		/* A byte every key shares orders nothing. */
		if (count[b][(v[0].key >> (8 * b)) & 0xff] == n)
			continue;
		for (sum = 0, k = 0; k < 256; k++) {
			at[k] = sum;
			sum += count[b][k];
		}
		for (i = 0; i < n; i++)
			to[at[(from[i].key >> (8 * b)) & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof *v);
	free(tmp);
}
