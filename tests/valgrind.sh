#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs every unit test program of a configured build under valgrind's
# memcheck, then the integration test cli-import.int with the CLI run
# under valgrind too (through SC_SALESCYCLE, which tests/integration/lib.sh
# honours).  Definite and indirect leaks, invalid reads and writes and
# uses of uninitialised values all fail.  Builds what it runs first.  Logs
# go to BUILDDIR/valgrind/; the last line reads "valgrind: N passed, N
# failed" and the exit status is 1 when anything failed.
#
#	usage: tests/valgrind.sh BUILDDIR
set -u

[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$1" && pwd) || exit 2
command -v valgrind >/dev/null 2>&1 ||
	{ echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 2; }

VALGRIND="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect"
VALGRIND="$VALGRIND --track-origins=yes --num-callers=30"
# test-event parses hostile calendars in child processes under rlimits; a
# child exits with the parent's buffers still allocated, which memcheck
# would count as the child's leaks.  The same parses run in-process in
# the other cases and under ASan in the sanitizer build.
VALGRIND="$VALGRIND --child-silent-after-fork=yes"
# Those children limit their time, not their memory, under valgrind.
SC_VALGRIND=1
export SC_VALGRIND

cd "$builddir" || exit 2
# (A Makefile regenerated on the way prints config.status lines too.)
tests=$(make -s print-unit-tests | tr ' ' '\n' | grep '^tests/unit/test-')
[ -n "$tests" ] || { echo "valgrind: no unit tests in $builddir" >&2; exit 2; }
logs=$builddir/valgrind
rm -rf "$logs"
mkdir -p "$logs"
make -s -j"$(nproc)" $tests src/salescycle >"$logs/build.log" 2>&1 ||
	{ cat "$logs/build.log" >&2; exit 2; }
passed=0
failed=0

# The unit tests, as make check runs them but without the TAP driver.
top_srcdir=$srcdir top_builddir=$builddir SC_DATA=$srcdir/tests/data
export top_srcdir top_builddir SC_DATA
for t in $tests; do
	name=${t##*/}
	if $VALGRIND --error-exitcode=1 "./$t" >"$logs/$name.log" 2>&1; then
		echo "PASS: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name (see $logs/$name.log)"
		grep -E '^==[0-9]+== (Invalid|Conditional|Use of|[0-9,]+ .*(definitely|indirectly) lost|Syscall|Mismatched)' \
		    "$logs/$name.log" | head -5
		failed=$((failed + 1))
	fi
done

# One integration run with every CLI call under valgrind.  A valgrind
# error exits 99, which the test sees as a failed command; the per-process
# logs catch it also where the test expects the command to fail.
wrapper=$logs/salescycle-vg
cat >"$wrapper" <<EOF
#!/bin/sh
exec $VALGRIND --error-exitcode=99 --log-file="$logs/salescycle.%p.log" \\
    "$builddir/src/salescycle" "\$@"
EOF
chmod +x "$wrapper"
mkdir -p "$logs/tmp"
TMPDIR=$logs/tmp SC_SALESCYCLE=$wrapper sh "$srcdir/tests/integration/cli-import.int" \
    >"$logs/cli-import.log" 2>&1
rc=$?
bad=$(grep -l 'ERROR SUMMARY: [1-9]' "$logs"/salescycle.*.log 2>/dev/null)
runs=$(ls "$logs"/salescycle.*.log 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ -z "$bad" ] && [ "$runs" -gt 0 ]; then
	echo "PASS: cli-import.int ($runs runs of salescycle)"
	passed=$((passed + 1))
else
	echo "FAIL: cli-import.int (exit $rc, see $logs/cli-import.log)"
	for f in $bad; do
		echo "  valgrind errors in $f"
		grep -E '^==[0-9]+== (Invalid|Conditional|Use of|[0-9,]+ .*(definitely|indirectly) lost)' \
		    "$f" | head -3
	done
	failed=$((failed + 1))
fi

echo "valgrind: $passed passed, $failed failed"
[ $failed -eq 0 ]
