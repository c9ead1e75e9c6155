#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs every file under the given folders through `salescycle import`,
# one import per file into a scratch database, under a time limit
# (timeout) and an address-space limit (ulimit -v), measures each with
# /usr/bin/time, and prints the files that broke a limit and a summary:
# imported, refused (import named the reason and exited 1), over time,
# out of memory, crashed (a signal), over the RSS budget; the peak RSS and
# the slowest file.  With -b it imports all of them in one more run, as
# one batch, and reports that too.  It fetches nothing: point it at
# corpora you have, such as libical's test-data, python icalendar's test
# calendars or the fixtures of MIME parsers.
#
# Files named *.ics, *.ical, *.ifb or *.vcs are calendars, *.eml, *.mbox,
# *.msg or *.txt mail; the rest are calendars when "BEGIN:" starts them,
# else mail (-T ics or -T mail decides for all).  Exit status 1 when a
# file went over time, out of memory, crashed or over the RSS budget.
#
#	usage: contrib/corpus-check.sh [-b] [-s SALESCYCLE] [-t SECONDS]
#	           [-m VMEM_MB] [-r RSS_MB] [-T ics|mail] [-v] DIR|FILE...
set -u

usage() {
	echo "usage: $0 [-b] [-s SALESCYCLE] [-t SECONDS] [-m VMEM_MB] [-r RSS_MB] [-T ics|mail] [-v] DIR|FILE..." >&2
	exit 2
}

sc=salescycle
secs=10
vmem=1024
rss=64
type=
batch=
verbose=
while getopts bs:t:m:r:T:v opt; do
	case $opt in
	b) batch=1 ;;
	s) sc=$OPTARG ;;
	t) secs=$OPTARG ;;
	m) vmem=$OPTARG ;;
	r) rss=$OPTARG ;;
	T) type=$OPTARG ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $type in
'' | ics | mail) ;;
*) usage ;;
esac
for n in "$secs" "$vmem" "$rss"; do
	case $n in
	'' | *[!0-9]*) echo "corpus-check: -t, -m and -r want whole numbers" >&2; exit 2 ;;
	esac
done
[ -x /usr/bin/time ] || { echo "corpus-check: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
command -v "$sc" >/dev/null 2>&1 || { echo "corpus-check: $sc not found (-s)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corpus-check-XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/in"
cat >"$tmp/sc.conf" <<EOF
[general]
database = $tmp/sc.db
timezone = Europe/Amsterdam
internal_domains = corpus.invalid

[salesperson corpus]
name = Corpus
email = corpus@corpus.invalid
EOF
chmod 600 "$tmp/sc.conf"

# The suffix under which import reads the file as what it is.
kind() {
	if [ -n "$type" ]; then
		[ "$type" = ics ] && echo ics || echo eml
		return
	fi
	case $1 in
	*.[iI][cC][sS] | *.[iI][cC][aA][lL] | *.[iI][fF][bB] | *.[vV][cC][sS]) echo ics ;;
	*.[eE][mM][lL] | *.[mM][bB][oO][xX] | *.[mM][sS][gG] | *.[tT][xX][tT]) echo eml ;;
	*)
		if head -c 4096 "$1" 2>/dev/null | grep -aq '^BEGIN:'; then
			echo ics
		else
			echo eml
		fi ;;
	esac
}

# Runs one import of the arguments under the limits; sets st, secs_used, kb.
run_import() {
	rm -f "$tmp/time"
	(
		ulimit -v $((vmem * 1024)) 2>/dev/null
		exec /usr/bin/time -f '%x %e %M' -o "$tmp/time" \
		    timeout -s KILL "$secs" "$sc" -c "$tmp/sc.conf" import \
		    --salesperson corpus "$@"
	) >/dev/null 2>"$tmp/err"
	set -- $(tail -n 1 "$tmp/time" 2>/dev/null) x x x
	st=$1 secs_used=$2 kb=$3
	case $st in
	'' | *[!0-9]*) st=255 ;;
	esac
	case $kb in
	'' | *[!0-9]*) kb=0 ;;
	esac
}

files=0 ok=0 refused=0 slow=0 oom=0 crashed=0 fat=0
peak=0 peakf= slowest=0.00 slowestf=
find "$@" -type f | LC_ALL=C sort >"$tmp/list"
while IFS= read -r f; do
	files=$((files + 1))
	link="$tmp/in/$files.$(kind "$f")"
	ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$link"
	run_import "$link"
	what=
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		slow=$((slow + 1)) what="over ${secs} s"
	elif grep -q 'fatal: .*memory\|annot allocate' "$tmp/err"; then
		oom=$((oom + 1)) what="out of memory"
	elif [ "$st" -ge 128 ]; then
		crashed=$((crashed + 1)) what="crashed (signal $((st - 128)))"
	elif [ "$st" -eq 0 ]; then
		ok=$((ok + 1))
	else
		refused=$((refused + 1))
	fi
	if [ -z "$what" ] && [ "$kb" -gt $((rss * 1024)) ]; then
		fat=$((fat + 1)) what="peak RSS $((kb / 1024)) MB"
	fi
	if [ "$kb" -gt "$peak" ]; then
		peak=$kb peakf=$f
	fi
	if awk "BEGIN { exit !($secs_used > $slowest) }" 2>/dev/null; then
		slowest=$secs_used slowestf=$f
	fi
	if [ -n "$what" ]; then
		printf '%s: %s\n' "$f" "$what"
	elif [ -n "$verbose" ]; then
		printf '%s: exit %s, %s s, %s MB\n' "$f" "$st" "$secs_used" $((kb / 1024))
	fi
done <"$tmp/list"

printf '%d files: %d imported, %d refused, %d over %d s, %d out of memory, %d crashed, %d over %d MB RSS\n' \
    "$files" "$ok" "$refused" "$slow" "$secs" "$oom" "$crashed" "$fat" "$rss"
printf 'peak RSS %d MB (%s); slowest %s s (%s)\n' $((peak / 1024)) "${peakf:-none}" \
    "$slowest" "${slowestf:-none}"

bad=$((slow + oom + crashed + fat))
if [ -n "$batch" ] && [ "$files" -gt 0 ]; then
	rm -f "$tmp"/sc.db*
	secs=$((secs * files))
	run_import "$tmp/in"
	printf 'batch of %d files: exit %s, %s s, peak RSS %d MB\n' "$files" "$st" \
	    "$secs_used" $((kb / 1024))
	[ "$st" -le 1 ] && [ "$kb" -le $((rss * 1024)) ] || bad=$((bad + 1))
fi
[ "$bad" -eq 0 ]
