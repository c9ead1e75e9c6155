/* SPDX-License-Identifier: MIT */
/*
 * Checked allocation and small string helpers.  Every function here dies
 * with a message on out-of-memory, as tmux and isync do: a daemon that
 * cannot allocate a few bytes has nothing sensible left to do.
 */
#ifndef SC_XMALLOC_H
#define SC_XMALLOC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Large blocks in huge pages where the kernel gives them: once, at start,
 * before any thread.  Returns whether it does.
 */
bool	 xmalloc_init(void);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);		/* xstrdup(NULL) returns NULL */
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);

struct hashset;

/* A growable array of owned strings. */
struct strlist {
	char		**v;	/* owned, each element owned */
	size_t		  n;
	size_t		  cap;
	struct hashset	 *index;	/* owned: v's, since strlist_add_once */
};

void	 strlist_add(struct strlist *, const char *);	/* copies */
void	 strlist_take(struct strlist *, char *);	/* takes ownership */
int	 strlist_contains(const struct strlist *, const char *); /* ASCII case-insensitive */
/*
 * Adds a copy of s unless the list holds the same string (exactly): in
 * constant time, through an index of the list built at the first call
 * and kept by strlist_add and strlist_take from then on (a list added to
 * otherwise must not use it).  Returns 1 when s was added.
 */
int	 strlist_add_once(struct strlist *, const char *);
/* Whether v[i] stands earlier in the list too (a name given twice). */
bool	 strlist_repeats(const struct strlist *, size_t i);
void	 strlist_clear(struct strlist *);
void	 strlist_copy(struct strlist *dst, const struct strlist *src);

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char	*data;	/* owned */
	size_t	 len;
	size_t	 cap;
};

void	 buf_append(struct buf *, const char *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);

#endif
