/* SPDX-License-Identifier: MIT */
/*
 * A set of strings for exact lookups in constant time: open addressing
 * with FNV-1a, at most half full, so that a listing of any length (IMAP
 * folders, CalDAV hrefs) is checked for duplicates in linear time.  The
 * strings are borrowed: they must outlive the set (keep them in a
 * strlist beside it).  A canon function, when set, gives the form two
 * strings are compared and hashed in (IMAP's INBOX in any case).
 */
#ifndef SC_HASHSET_H
#define SC_HASHSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashset {
	const char	**slot;		/* owned array of borrowed strings */
	size_t		  cap;		/* 0 or a power of two */
	size_t		  n;
	/* The form compared and hashed; NULL: the string itself. */
	const char	*(*canon)(const char *);
};

/* FNV-1a of a string, to continue from h (HASHSET_FNV_INIT to start). */
#define HASHSET_FNV_INIT	14695981039346656037ULL
uint64_t	 hashset_fnv1a(uint64_t h, const void *data, size_t len);

/* The set's string that equals s (its canon form), NULL if none. */
const char	*hashset_get(const struct hashset *, const char *s);

/* Adds s (borrowed) unless an equal one is there; false if it was. */
bool		 hashset_add(struct hashset *, const char *s);

/* Empties the set (the strings are not its to free); canon stays. */
void		 hashset_clear(struct hashset *);

#endif
