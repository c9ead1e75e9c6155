#!/bin/sh
# Test hooks exist only in the test suite's build: without
# --enable-test-hooks (a release, `make install`, the demo, distcheck)
# no SALESCYCLE_TEST_* name is in the programs, so that no environment
# variable can kill, pause or shrink an installed agent; with it, every
# hook the tests use is there (which keeps this check honest).
. "$(dirname "$0")/../integration/lib.sh"

hooks="SALESCYCLE_TEST_EXIT_AFTER_COMMITS SALESCYCLE_TEST_PAUSE_FETCH
SALESCYCLE_TEST_PAUSE_FILE SALESCYCLE_TEST_BATCH_SIZE
SALESCYCLE_TEST_SESSION_SECS SALESCYCLE_TEST_NO_SYNC_COLLECTION"
for prog in "$top_builddir/src/salescycled" "$top_builddir/src/salescycle"; do
	[ -f "$prog" ] || fail "$prog not built"
done
if grep -q '^#define SC_TEST_HOOKS 1' "$top_builddir/autoconf.h"; then
	for h in $hooks; do
		grep -aq "$h" "$top_builddir/src/salescycled" ||
			fail "a build with test hooks lacks $h"
	done
else
	for prog in "$top_builddir/src/salescycled" "$top_builddir/src/salescycle"; do
		found=$(grep -ao 'SALESCYCLE_TEST_[A-Z_]*' "$prog" | sort -u | tr '\n' ' ')
		[ -z "$found" ] || fail "a release build has test hooks in $prog: $found"
	done
fi
exit 0
