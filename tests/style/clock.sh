#!/bin/sh
# One clock: every "now" of the programs comes from util_now(), which
# honours SALESCYCLE_NOW, so that a test (or a replay) pins all of them
# at once.  time() is called in util_now() alone; intervals and seeds use
# the monotonic clock (util_monotonic_ms).
. "$(dirname "$0")/../integration/lib.sh"

call='(^|[^_[:alnum:]])time[[:space:]]*\([[:space:]]*(NULL|0|&)'
found=$(grep -nE "$call" "$top_srcdir"/src/*.c |
	grep -v '^[^:]*/src/util\.c:[0-9]*:	return time(NULL);$')
[ -z "$found" ] || fail "time() outside util_now(): $found"
check_eq "time() in util.c" "$(grep -cE "$call" "$top_srcdir/src/util.c")" 1
grep -q '^util_now(void)' "$top_srcdir/src/util.c" || fail "no util_now() in util.c"
exit 0
