/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of hashset.c: exact lookups, a canon form (IMAP's INBOX),
 * growth past many doublings with every string still found, FNV-1a
 * against its published test vectors, a strlist's index
 * (strlist_add_once), and large blocks asked for in huge pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hashset.h"
#include "xmalloc.h"

/* Any case of "x" is "x". */
static const char *
canon_x(const char *s)
{
	return strcasecmp(s, "x") == 0 ? "x" : s;
}

static void
test_hashset_exact(void **state)
{
	struct hashset	 set = { NULL, 0, 0, NULL };
	struct strlist	 keep = { NULL, 0, 0, NULL };
	char		 name[32];
	size_t		 i;

	(void)state;
	assert_null(hashset_get(&set, "a"));
	assert_true(hashset_add(&set, "a"));
	assert_false(hashset_add(&set, "a"));
	assert_true(hashset_add(&set, "A"));
	assert_string_equal(hashset_get(&set, "A"), "A");
	assert_null(hashset_get(&set, "b"));
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, "/cal/%zu.ics", i);
		strlist_add(&keep, name);
		assert_true(hashset_add(&set, keep.v[keep.n - 1]));
	}
	assert_int_equal(set.n, 100002);
	assert_true(set.cap >= 2 * set.n);
	for (i = 0; i < 100000; i += 997) {
		snprintf(name, sizeof name, "/cal/%zu.ics", i);
		assert_ptr_equal(hashset_get(&set, name), keep.v[i]);
	}
	assert_null(hashset_get(&set, "/cal/100000.ics"));
	hashset_clear(&set);
	assert_null(hashset_get(&set, "a"));
	strlist_clear(&keep);
}

static void
test_hashset_canon(void **state)
{
	struct hashset	set = { NULL, 0, 0, canon_x };

	(void)state;
	assert_true(hashset_add(&set, "X"));
	assert_false(hashset_add(&set, "x"));
	assert_string_equal(hashset_get(&set, "x"), "X");
	assert_true(hashset_add(&set, "y"));
	assert_null(hashset_get(&set, "Y"));
	hashset_clear(&set);
	assert_ptr_equal(set.canon, canon_x);
}

static void
test_hashset_fnv1a(void **state)
{
	uint64_t	h;

	(void)state;
	/* FNV-1a 64 of "" and "a" (Fowler, Noll, Vo). */
	assert_true(hashset_fnv1a(HASHSET_FNV_INIT, "", 0) ==
	    0xcbf29ce484222325ULL);
	assert_true(hashset_fnv1a(HASHSET_FNV_INIT, "a", 1) ==
	    0xaf63dc4c8601ec8cULL);
	/* In pieces, the same as at once. */
	h = hashset_fnv1a(hashset_fnv1a(HASHSET_FNV_INIT, "foo", 3), "bar", 3);
	assert_true(h == hashset_fnv1a(HASHSET_FNV_INIT, "foobar", 6));
	assert_true(h == 0x85944171f73967e8ULL);
}

/*
 * strlist_add_once: strings added before the index, through it and past
 * it (strlist_add, strlist_take) are each there once, compared exactly;
 * a cleared list starts over.
 */
static void
test_strlist_add_once(void **state)
{
	struct strlist l = { 0 };
	char key[32];
	int i;

	(void)state;
	strlist_add(&l, "acme.nl");
	strlist_add(&l, "acme.nl");
	assert_int_equal(strlist_add_once(&l, "acme.nl"), 0);
	assert_int_equal(strlist_add_once(&l, "ACME.nl"), 1);
	for (i = 0; i < 3000; i++) {
		snprintf(key, sizeof key, "customer%04d.nl", i % 1000);
		assert_int_equal(strlist_add_once(&l, key), i < 1000);
	}
	strlist_add(&l, "later.nl");
	strlist_take(&l, xstrdup("taken.nl"));
	assert_int_equal(strlist_add_once(&l, "later.nl"), 0);
	assert_int_equal(strlist_add_once(&l, "taken.nl"), 0);
	assert_int_equal(strlist_add_once(&l, ""), 1);
	assert_int_equal(strlist_add_once(&l, ""), 0);
	assert_int_equal(l.n, 2 + 1 + 1000 + 2 + 1);
	strlist_clear(&l);
	assert_null(l.index);
	assert_int_equal(strlist_add_once(&l, "acme.nl"), 1);
	assert_int_equal(l.n, 1);
	strlist_clear(&l);
}

/* strlist_repeats: a name counts as given twice from its second on, exactly. */
static void
test_strlist_repeats(void **state)
{
	struct strlist l = { 0 };

	(void)state;
	strlist_add(&l, "anna");
	strlist_add(&l, "bram");
	strlist_add(&l, "Anna");
	strlist_add(&l, "anna");
	strlist_add(&l, "bram");
	assert_false(strlist_repeats(&l, 0));
	assert_false(strlist_repeats(&l, 1));
	assert_false(strlist_repeats(&l, 2));
	assert_true(strlist_repeats(&l, 3));
	assert_true(strlist_repeats(&l, 4));
	strlist_clear(&l);
}

/* Whether the mapping that holds p is advised for huge pages (smaps' "hg"). */
static bool
huge_advised(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	uintptr_t lo, hi, a = (uintptr_t)p;
	bool in = false, hg = false;

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			hg = strstr(line, " hg") != NULL;
			break;
		}
	}
	fclose(f);
	return hg;
}

/*
 * A block of 4 MiB and more is asked for in huge pages, when allocated
 * and when grown (in its own mapping, or copied there from glibc's heap);
 * a small one is left alone.  Where the kernel gives none (or glibc's
 * malloc is not the one, as under ASan), none is asked for.
 */
static void
test_xmalloc_big_huge(void **state)
{
	const size_t mib = (size_t)1 << 20;
	char *big, *small, *grown;

	(void)state;
	if (!xmalloc_init()) {
		big = xcalloc(5, mib);
		assert_false(huge_advised(big));
		free(big);
		return;
	}
	small = xmalloc(64);
	big = xcalloc(5, mib);
	assert_true(huge_advised(big));
	assert_true(huge_advised(big + 5 * mib - 1));
	assert_false(huge_advised(small));
	big = xreallocarray(big, 9, mib);
	assert_true(huge_advised(big + 9 * mib - 1));
	big[9 * mib - 1] = 1;
	free(big);
	big = xmalloc(6 * mib);
	assert_true(huge_advised(big));
	free(big);
	grown = xmalloc(mib);
	assert_false(huge_advised(grown));
	grown = xrealloc(grown, 6 * mib);
	assert_true(huge_advised(grown));
	assert_true(huge_advised(grown + 6 * mib - 1));
	free(grown);
	free(small);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashset_exact),
		cmocka_unit_test(test_hashset_canon),
		cmocka_unit_test(test_hashset_fnv1a),
		cmocka_unit_test(test_strlist_add_once),
		cmocka_unit_test(test_strlist_repeats),
		cmocka_unit_test(test_xmalloc_big_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
