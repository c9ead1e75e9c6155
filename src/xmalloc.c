/* SPDX-License-Identifier: MIT */
/*
 * Checked allocation: every function dies on out-of-memory, so callers
 * never test for NULL.  Also the strlist and buf helpers of xmalloc.h.
 */
#include <sys/mman.h>

#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hashset.h"
#include "log.h"
#include "xmalloc.h"

/*
 * Blocks of this size and more are asked for in huge pages.  At 10M
 * signals a query fills arrays of a gigabyte and more, each page of
 * which costs a fault on first touch: 363k faults were a third of
 * `forecast`'s time on a virtual machine, where a fault is dear.  glibc's
 * own huge-page tunable cannot be set by a program for itself, and its
 * mmap threshold rises after a large block is freed (to that block's
 * size, at most 32 MiB), after which such blocks come from its heap,
 * unadvised: hence the fixed threshold, which maps each such block on
 * its own unless the heap has room.  A mapped block starts with glibc's
 * header, not on a huge page's boundary: below 4 MiB no huge page fits.
 */
#define XMALLOC_BIG	((size_t)4 << 20)

/* The page size when huge pages are asked for; 0: not. */
static size_t xmalloc_page;

/*
 * Only where the kernel gives huge pages when asked ("madvise" or
 * "always"): without them the fixed threshold would map and unmap every
 * large block again, where glibc reuses its heap.
 */
bool
xmalloc_init(void)
{
	char mode[128];
	long page = sysconf(_SC_PAGESIZE);
	FILE *f;
	void *probe;
	bool huge = false;

	if (page <= 0)
		return false;
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	if (f == NULL)
		return false;
	if (fgets(mode, sizeof mode, f) != NULL &&
	    strstr(mode, "[never]") == NULL) {
		probe = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		huge = probe != MAP_FAILED &&
		    madvise(probe, (size_t)page, MADV_HUGEPAGE) == 0;
		if (probe != MAP_FAILED)
			munmap(probe, (size_t)page);
	}
	fclose(f);
	if (huge && mallopt(M_MMAP_THRESHOLD, (int)XMALLOC_BIG) == 1)
		xmalloc_page = (size_t)page;
	return xmalloc_page != 0;
}

/*
 * Asks for huge pages under a block of XMALLOC_BIG and more, before its
 * first touch: the pages it lies on, in its own mapping or glibc's heap.
 */
static void *
xmalloc_advise(void *p, size_t size)
{
	uintptr_t a, m;

	if (xmalloc_page == 0 || size < XMALLOC_BIG)
		return p;
	m = (uintptr_t)xmalloc_page - 1;
	a = (uintptr_t)p & ~m;
	(void)madvise((void *)a, ((uintptr_t)p + size - a + m) & ~m,
	    MADV_HUGEPAGE);
	return p;
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size == 0 ? 1 : size);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", size);
	return xmalloc_advise(p, size);
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return xmalloc_advise(p, n * size);
}

void *
xrealloc(void *p, size_t size)
{
	size_t had = p != NULL ? malloc_usable_size(p) : 0;
	void *q = realloc(p, size == 0 ? 1 : size);

	if (q == NULL)
		fatal("out of memory (%zu bytes)", size);
	/*
	 * A large block grown where it lies keeps its advice (its mapping
	 * only grows): no system call for each row appended to a list.
	 */
	if (q == p && had >= XMALLOC_BIG)
		return q;
	return xmalloc_advise(q, size);
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal("allocation overflow (%zu x %zu)", n, size);
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		fatal("out of memory");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

bool
strlist_repeats(const struct strlist *l, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(l->v[j], l->v[i]) == 0)
			return true;
	return false;
}

void
strlist_take(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = s;
	if (l->index != NULL)
		hashset_add(l->index, s);
}

int
strlist_add_once(struct strlist *l, const char *s)
{
	size_t i;

	if (l->index == NULL) {
		l->index = xcalloc(1, sizeof *l->index);
		for (i = 0; i < l->n; i++)
			hashset_add(l->index, l->v[i]);
	}
	if (hashset_get(l->index, s) != NULL)
		return 0;
	strlist_add(l, s);
	return 1;
}

void
strlist_add(struct strlist *l, const char *s)
{
	strlist_take(l, xstrdup(s));
}

int
strlist_contains(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
strlist_clear(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	if (l->index != NULL) {
		hashset_clear(l->index);
		free(l->index);
		l->index = NULL;
	}
}

void
strlist_copy(struct strlist *dst, const struct strlist *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		strlist_add(dst, src->v[i]);
}

/* Makes room for n more bytes plus the terminating NUL. */
static void
buf_grow(struct buf *b, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		fatal("buffer overflow");
	if (b->len + n + 1 <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < b->len + n + 1)
		b->cap = b->cap > SIZE_MAX / 2 ? SIZE_MAX : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_append(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
