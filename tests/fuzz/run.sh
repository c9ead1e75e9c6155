#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs each fuzzer that tests/fuzz/build.sh made for a bounded time under
# ASan and UBSan.  Each starts from its seed corpus tests/data/corpus/NAME/
# (which holds the crash reproducers too) and its dictionary
# tests/fuzz/NAME.dict when there is one.  New inputs go to a working
# corpus under the fuzzer folder, never into the source tree.  A crash,
# leak, sanitizer report or hang saves the input as
# FUZZDIR/artifacts/NAME/crash-* (or leak-, timeout-, oom-); the script
# goes on with the other fuzzers and exits 1 at the end.  A fuzzer with a
# file tests/fuzz/NAME.noleaks (which says why) runs without leak
# detection: for a library's own leaks we cannot fix.
#
#	usage: tests/fuzz/run.sh [-t SECONDS] FUZZDIR [NAME...]
#	NAME is mail, event, davxml, config or oauth; default: every fuzz-* in FUZZDIR.
set -u

usage() {
	echo "usage: $0 [-t SECONDS] FUZZDIR [NAME...]" >&2
	exit 2
}

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
while getopts t: opt; do
	case $opt in
	t) seconds=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $seconds in
'' | *[!0-9]*) echo "run.sh: -t wants whole seconds" >&2; exit 2 ;;
esac
fuzzdir=$(cd "$1" && pwd) || exit 2
shift
names=$*
if [ -z "$names" ]; then
	for f in "$fuzzdir"/fuzz-*; do
		[ -f "$f" ] && [ -x "$f" ] && names="$names ${f##*/fuzz-}"
	done
fi
[ -n "$names" ] || { echo "run.sh: no fuzzer in $fuzzdir (run build.sh)" >&2; exit 2; }

# Leaks count as findings; UBSan aborts, so it leaves an artifact too.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

status=0
for name in $names; do
	bin=$fuzzdir/fuzz-$name
	seeds=$srcdir/tests/data/corpus/$name
	work=$fuzzdir/corpus/$name
	art=$fuzzdir/artifacts/$name
	log=$fuzzdir/fuzz-$name.log
	if [ ! -x "$bin" ]; then
		echo "FAIL: fuzz-$name: $bin not built" >&2
		status=1
		continue
	fi
	[ -d "$seeds" ] || { echo "FAIL: fuzz-$name: no seed corpus $seeds" >&2; status=1; continue; }
	mkdir -p "$work" "$art"
	set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 -artifact_prefix="$art/"
	asan=$ASAN_OPTIONS
	if [ -f "$srcdir/tests/fuzz/$name.noleaks" ]; then
		set -- "$@" -detect_leaks=0
		asan=$asan:detect_leaks=0
	fi
	[ -f "$srcdir/tests/fuzz/$name.dict" ] &&
		set -- "$@" -dict="$srcdir/tests/fuzz/$name.dict"
	echo "fuzz-$name: ${seconds}s, seeds $seeds, log $log"
	if ASAN_OPTIONS=$asan "$bin" "$@" "$work" "$seeds" >"$log" 2>&1; then
		sed -n 's/^stat::number_of_executed_units: */  runs: /p' "$log"
	else
		status=1
		echo "FAIL: fuzz-$name: see $log" >&2
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 >&2
		for f in "$art"/*; do
			[ -f "$f" ] && echo "  input saved: $f" >&2
		done
	fi
done
exit $status
