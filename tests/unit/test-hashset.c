/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of hashset.c: exact lookups, a canon form (IMAP's INBOX),
 * growth past many doublings with every string still found, and FNV-1a
 * against its published test vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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
	struct strlist	 keep = { NULL, 0, 0 };
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashset_exact),
		cmocka_unit_test(test_hashset_canon),
		cmocka_unit_test(test_hashset_fnv1a),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
