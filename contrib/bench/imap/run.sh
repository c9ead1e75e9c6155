#!/bin/sh
# SPDX-License-Identifier: MIT
#
# IMAP benchmark (issue 3, "Performance").  Starts a throwaway Dovecot on
# loopback (tests/integration/dovecot.sh, as root), seeds INBOXes of
# MESSAGES, 10000 and 5000 messages straight into Maildir cur/ (realistic
# headers and MIME, 30% with attachments), warms Dovecot's cache with one
# full metadata fetch, and reports, in one run:
#   - the floor: LOGIN, EXAMINE and the UID FETCH 1:* of the items that
#     the IMAP driver asks for (fields from MAIL_HEADERS in src/mail.h),
#     sent raw over a socket, the answer read and discarded;
#   - salescycled --once from an empty store: wall time, peak RSS, CPU,
#     at each size (peak RSS flat from 5000 to MESSAGES);
#   - the commands salescycled sent for MESSAGES in one untimed run
#     (Dovecot's protocol log) replayed raw: the server's share of the
#     first sync, the parts of outbound mail included;
#   - mbsync (isync) pulling the same INBOX into a local Maildir, with its
#     default fsync and with FSync no;
#   - idle polling: ACCOUNTS accounts x 2 folders without new mail after a
#     first sync: salescycled --once (workers default 4) against the same
#     STATUS commands sent raw, 4 accounts at a time, with the commands
#     of both counted in Dovecot's protocol log, and the peak of the
#     agent's open descriptors.  ACCOUNTS may be a list ("200 1000 2000"):
#     a row for each count, to show descriptors and memory flat.
# With BASE=DIR (the build folder of another version, e.g. main's), DIR's
# salescycled runs the ingest too, alternating with BUILDDIR's run by run
# (same load, same Dovecot cache), in rows of its own.
# One more, untimed run with -vv counts the commands salescycled sent.
# Timings are the median of RUNS runs (default 3).  The ingest users have
# no protocol log (it would add 19 MB of writes to every timed fetch); the
# idle accounts have one, for the raw run and salescycled alike.
# With SC_BENCH_PERF=DIR, perf profiles (DWARF call graphs) of one ingest
# and one idle pass are written to DIR afterwards, not timed: NAME.data,
# NAME.txt (self time) and NAME-children.txt (time including callees).  Not a test: it prints a
# markdown table for README's performance section.
#
#	usage: [BASE=DIR] contrib/bench/imap/run.sh BUILDDIR [MESSAGES [ACCOUNTS]]
# e.g. contrib/bench/imap/run.sh build 20000 "200 1000 2000"
set -eu

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [MESSAGES [ACCOUNTS]]" >&2; exit 2; }
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
top_builddir=$(cd "$1" && pwd)
N=${2:-20000}
SMALL=${SMALL:-5000}
MID=${MID:-10000}
ACCOUNTS=${3:-200}
MAXACC=0
for c in $ACCOUNTS; do
	[ "$c" -gt "$MAXACC" ] && MAXACC=$c
done
RUNS=${RUNS:-3}
PW=bench-pw
export top_srcdir top_builddir
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
here="$top_srcdir/contrib/bench/imap"
[ -x "$SALESCYCLED" ] || fail "$SALESCYCLED not built"
if [ -n "${BASE:-}" ]; then
	BASE=$(cd "$BASE" && pwd)
	[ -x "$BASE/src/salescycled" ] || fail "$BASE/src/salescycled not built"
fi
dovecot_require
if ! command -v mbsync >/dev/null 2>&1; then
	echo "bench: installing isync (mbsync)" >&2
	apt-get install -y -q isync >/dev/null || fail "cannot install isync"
fi

# The header fields the IMAP driver fetches, from the one list both share.
fields=$(sed -n '/#define MAIL_HEADERS/,/^$/p' "$top_srcdir/src/mail.h" |
    grep -o '"[A-Za-z0-9-]*"' | tr -d '"' | tr '\n' ' ')
[ -n "$fields" ] || fail "no MAIL_HEADERS in src/mail.h"

# Runs a command under measure.py; sets wall, rss (KB), cpu (user+sys), fds.
measure() {
	"$PY" "$here/measure.py" "$T/measure" "$@"
	read -r wall rss utime stime fds <"$T/measure"
	cpu=$("$PY" -c "print('%.2f' % ($utime + $stime))")
}
# The median of the numbers on stdin, one a line.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# Division to two decimals: ratio A B
ratio() {
	"$PY" -c "print('%.2f' % ($1 / $2))"
}
# Kilobytes as megabytes to one decimal.
mb() {
	"$PY" -c "print('%.1f' % ($1 / 1024))"
}
# "yes" or "NO" for a Python condition.
verdict() {
	"$PY" -c "print('yes' if $1 else 'NO')"
}
raw_fetch() {
	# shellcheck disable=SC2086
	"$PY" "$here/raw-imap.py" fetch "$DC_PORT" "$1" "$PW" INBOX $fields
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
dovecot_start
export SC_BENCH_PW="$PW"
# All users first: Dovecot's passwd-file may miss lines added after a login.
for size in "$N" "$MID" "$SMALL"; do
	dovecot_user "m$size" "$PW"
	rmdir "$DC/rawlog/m$size"
done
users=""
dirs=""
i=1
while [ $i -le "$MAXACC" ]; do
	u=$(printf 'idle%04d' $i)
	dovecot_user "$u" "$PW"
	users="$users $u"
	dirs="$dirs $DC/mail/$u"
	i=$((i + 1))
done

# ---- ingest ---------------------------------------------------------------

for size in "$N" "$MID" "$SMALL"; do
	echo "bench: seeding m$size" >&2
	"$PY" "$here/gen-maildir.py" "$size" "$size" "$DC/mail/m$size" >"$T/seed-$size"
	write_config <<EOF

[imap m$size]
salesperson = anna
url = imap://127.0.0.1:$DC_PORT
tls = none
user = m$size
password_env = SC_BENCH_PW
EOF
	mv "$T/sc.conf" "$T/ingest-$size.conf"
	echo "bench: warming Dovecot's cache for m$size" >&2
	raw_fetch "m$size" >"$T/warm-$size"
	read -r _ _ msgs <"$T/warm-$size"
	[ "$msgs" = "$size" ] || fail "warm fetch of m$size saw $msgs messages"
	raw_fetch "m$size" >/dev/null
done

# salescycled --once from an empty store; checks that all came in.
# ingest SIZE [BINARY]
ingest() {
	rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
	measure "${2:-$SALESCYCLED}" -c "$T/ingest-$1.conf" --once -v 2>"$T/agent.log" ||
	    { cat "$T/agent.log"; fail "salescycled --once failed"; }
	got=$(sed -n 's/.*INBOX: \([0-9]*\) new messages.*/\1/p' "$T/agent.log")
	[ "$got" = "$1" ] || { cat "$T/agent.log"; fail "ingested '$got' of $1"; }
}

# What salescycled sends for m$N, from Dovecot's protocol log of one
# untimed run: replayed raw (raw-imap.py replay), it is everything the
# server does for the agent, the Received probe and the parts of
# outbound mail included, which the floor's one fetch leaves out.
mkdir -p "$DC/rawlog/m$N"
chown mail:mail "$DC/rawlog/m$N"
ingest "$N"
# Dovecot writes the log out as its session ends, after the agent's.
i=0
until grep -q '^[^ ]* [^ ]* LOGOUT' "$DC/rawlog/m$N"/*.in 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "no LOGOUT in the protocol log of m$N"
	sleep 0.1
done
cat "$DC/rawlog/m$N"/*.in >"$T/replay-$N.in"
rm -rf "$DC/rawlog/m$N"
: >"$T/replay-$N"

for size in "$N" "$MID" "$SMALL"; do
	echo "bench: timing the raw fetch and salescycled for m$size" >&2
	i=0
	: >"$T/raw-$size"
	: >"$T/sc-$size"
	: >"$T/base-$size"
	while [ $i -lt "$RUNS" ]; do
		raw_fetch "m$size" >>"$T/raw-$size"
		[ "$size" != "$N" ] || "$PY" "$here/raw-imap.py" replay \
		    "$DC_PORT" "m$size" "$PW" "$T/replay-$N.in" >>"$T/replay-$N"
		ingest "$size"
		echo "$wall $rss $cpu" >>"$T/sc-$size"
		if [ -n "${BASE:-}" ]; then
			ingest "$size" "$BASE/src/salescycled"
			echo "$wall $rss $cpu" >>"$T/base-$size"
		fi
		i=$((i + 1))
	done
done
# The BASE row of the ingest table at a size, when there is a BASE,
# to follow the row of BUILDDIR on its line: base_row SIZE FLOOR
base_row() {
	[ -n "${BASE:-}" ] || return 0
	bw=$(cut -d' ' -f1 "$T/base-$1" | median)
	# A line of its own after the row it follows (no empty line without).
	printf '\n| BASE salescycled --once, empty store | %s | %s | %s | %s | %s |' \
	    "$1" "$bw" "$(ratio "$bw" "$2")" \
	    "$(mb "$(cut -d' ' -f2 "$T/base-$1" | sort -n | tail -1)")" \
	    "$(cut -d' ' -f3 "$T/base-$1" | median)"
}

# One more run, untimed, with the protocol trace: what salescycled sent.
rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
"$SALESCYCLED" -c "$T/ingest-$N.conf" --once -vv 2>"$T/trace.log" ||
    { tail "$T/trace.log"; fail "salescycled --once -vv failed"; }
meta_fetches=$(grep -c 'C: [0-9]* UID FETCH .*HEADER\.FIELDS' "$T/trace.log" || :)
text_fetches=$(grep 'C: [0-9]* UID FETCH ' "$T/trace.log" | grep -vc 'HEADER\.FIELDS' || :)
all_cmds=$(grep -c 'C: [0-9]* ' "$T/trace.log" || :)

raw20=$(cut -d' ' -f1 "$T/raw-$N" | median)
replay20=$(cut -d' ' -f1 "$T/replay-$N" | median)
read -r _ _ replay_cmds <"$T/replay-$N"
raw5=$(cut -d' ' -f1 "$T/raw-$SMALL" | median)
raw10=$(cut -d' ' -f1 "$T/raw-$MID" | median)
read -r _ bytes20 _ <"$T/warm-$N"
sc20=$(cut -d' ' -f1 "$T/sc-$N" | median)
sc5=$(cut -d' ' -f1 "$T/sc-$SMALL" | median)
sc10=$(cut -d' ' -f1 "$T/sc-$MID" | median)
cpu20=$(cut -d' ' -f3 "$T/sc-$N" | median)
cpu5=$(cut -d' ' -f3 "$T/sc-$SMALL" | median)
cpu10=$(cut -d' ' -f3 "$T/sc-$MID" | median)
rss20=$(cut -d' ' -f2 "$T/sc-$N" | sort -n | tail -1)
rss5=$(cut -d' ' -f2 "$T/sc-$SMALL" | sort -n | tail -1)
rss10=$(cut -d' ' -f2 "$T/sc-$MID" | sort -n | tail -1)

# mbsync pulls the same INBOX into a Maildir: $1 is "yes" or "no" (FSync).
mbsync_run() {
	rm -rf "$T/mbsync"
	mkdir -p "$T/mbsync"
	cat >"$T/mbsyncrc" <<EOF
FSync $1

IMAPAccount far
Host 127.0.0.1
Port $DC_PORT
User m$N
Pass $PW
SSLType None
AuthMechs LOGIN

IMAPStore far
Account far

MaildirStore near
Path $T/mbsync/
Inbox $T/mbsync/INBOX

Channel bench
Far :far:
Near :near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
EOF
	measure mbsync -q -c "$T/mbsyncrc" bench 2>"$T/mbsync.log" ||
	    { cat "$T/mbsync.log"; fail "mbsync failed"; }
	got=$(find "$T/mbsync/INBOX" -type f -name '*,U=*' | wc -l)
	[ "$got" = "$N" ] || fail "mbsync copied $got of $N messages"
}
echo "bench: mbsync" >&2
mbsync_run yes
mb_wall=$wall mb_rss=$rss
mbsync_run no
mbn_wall=$wall mbn_rss=$rss
rm -rf "$T/mbsync"

# ---- idle polling -----------------------------------------------------------

# shellcheck disable=SC2086
"$PY" "$here/gen-maildir.py" 20 1000 $dirs >/dev/null

# The commands sessions sent after login, counted by verb: "STATUS 400, ...".
commands() {
	dovecot_commands | awk '{ v = toupper($1); if (v == "UID") v = v " " toupper($2);
	    print v }' | sort | uniq -c | sort -rn |
	    awk '{ c = $1; $1 = ""; printf "%s%s %d", n++ ? ", " : "", substr($0, 2), c }'
}
clear_rawlog() {
	find "$DC/rawlog" -type f -delete
}
idle_rows=""
for count in $ACCOUNTS; do
	echo "bench: first sync of $count accounts" >&2
	cusers=$(echo $users | tr ' ' '\n' | head -n "$count" | tr '\n' ' ')
	for u in $cusers; do
		printf '\n[imap %s]\nsalesperson = anna\nurl = imap://127.0.0.1:%s\n' "$u" "$DC_PORT"
		printf 'tls = none\nuser = %s\npassword_env = SC_BENCH_PW\n' "$u"
	done >"$T/idle-sections"
	write_config <"$T/idle-sections"
	mv "$T/sc.conf" "$T/idle.conf"
	rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
	"$SALESCYCLED" -c "$T/idle.conf" --once 2>"$T/agent.log" ||
	    { cat "$T/agent.log"; fail "first sync of the idle accounts failed"; }
	: >"$T/idle-sc"
	: >"$T/idle-raw"
	i=0
	echo "bench: timing the idle pass of $count accounts" >&2
	while [ $i -lt "$RUNS" ]; do
		clear_rawlog
		measure "$SALESCYCLED" -c "$T/idle.conf" --once 2>"$T/agent.log" ||
		    { cat "$T/agent.log"; fail "idle pass failed"; }
		echo "$wall $rss $cpu $fds" >>"$T/idle-sc"
		sc_cmds=$(commands)
		sc_status=$(dovecot_count '^STATUS ')
		clear_rawlog
		# shellcheck disable=SC2086
		"$PY" "$here/raw-imap.py" status "$DC_PORT" "$PW" 4 INBOX,Sent \
		    $cusers >>"$T/idle-raw"
		raw_cmds=$(commands)
		raw_status=$(dovecot_count '^STATUS ')
		i=$((i + 1))
	done
	idle_sc=$(cut -d' ' -f1 "$T/idle-sc" | median)
	idle_rss=$(cut -d' ' -f2 "$T/idle-sc" | sort -n | tail -1)
	idle_cpu=$(cut -d' ' -f3 "$T/idle-sc" | median)
	idle_fds=$(cut -d' ' -f4 "$T/idle-sc" | sort -n | tail -1)
	idle_raw=$(cut -d' ' -f1 "$T/idle-raw" | median)
	folders=$((count * 2))
	idle_rows="$idle_rows| $count | raw STATUS over sockets, 4 parallel (floor) | $raw_status | $raw_cmds | $idle_raw | 1.00 | - | - | - |
| $count | salescycled --once, workers 4 | $sc_status | $sc_cmds | $idle_sc | $(ratio "$idle_sc" "$idle_raw") | $idle_fds | $(mb "$idle_rss") | $idle_cpu |
"
done

# ---- profiles (optional, not timed) -----------------------------------------

# Records one run under perf with DWARF call graphs: profile NAME ARGS...
profile() {
	name=$1
	shift
	perf record -q --call-graph dwarf,16384 -F 999 \
	    -o "$SC_BENCH_PERF/$name.data" "$@" 2>/dev/null
	perf report -i "$SC_BENCH_PERF/$name.data" --no-children --stdio \
	    -g none >"$SC_BENCH_PERF/$name.txt" 2>/dev/null
	perf report -i "$SC_BENCH_PERF/$name.data" --children --stdio \
	    -g none --sort symbol >"$SC_BENCH_PERF/$name-children.txt" 2>/dev/null
}
if [ -n "${SC_BENCH_PERF:-}" ]; then
	echo "bench: perf profiles into $SC_BENCH_PERF" >&2
	mkdir -p "$SC_BENCH_PERF"
	rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
	profile ingest "$SALESCYCLED" -c "$T/ingest-$N.conf" --once
	rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
	"$SALESCYCLED" -c "$T/idle.conf" --once 2>/dev/null
	profile idle "$SALESCYCLED" -c "$T/idle.conf" --once
fi

# ---- the table ----------------------------------------------------------------

cat <<EOF
IMAP, Dovecot $("$DOVECOT" --version | cut -d' ' -f1) on loopback, $(nproc) cores (load average at start $load); INBOX of $N messages ($(cut -d, -f2 "$T/seed-$N" | sed 's/^ //'), 30% with attachments); metadata answer $(mb "$((bytes20 / 1024))") MB; Dovecot's cache warm; median of $RUNS runs.

| run | messages | wall s | vs floor | peak RSS MB | CPU s |
|-----|---------:|-------:|---------:|------------:|------:|
| raw LOGIN, EXAMINE, UID FETCH 1:* (floor) | $N | $raw20 | 1.00 | - | - |
| salescycled --once, empty store | $N | $sc20 | $(ratio "$sc20" "$raw20") | $(mb "$rss20") | $cpu20 |$(base_row "$N" "$raw20")
| raw replay of salescycled's $replay_cmds commands | $N | $replay20 | $(ratio "$replay20" "$raw20") | - | - |
| raw LOGIN, EXAMINE, UID FETCH 1:* (floor) | $MID | $raw10 | 1.00 | - | - |
| salescycled --once, empty store | $MID | $sc10 | $(ratio "$sc10" "$raw10") | $(mb "$rss10") | $cpu10 |$(base_row "$MID" "$raw10")
| raw LOGIN, EXAMINE, UID FETCH 1:* (floor) | $SMALL | $raw5 | 1.00 | - | - |
| salescycled --once, empty store | $SMALL | $sc5 | $(ratio "$sc5" "$raw5") | $(mb "$rss5") | $cpu5 |$(base_row "$SMALL" "$raw5")
| mbsync $(mbsync -v 2>/dev/null | head -1 | sed 's/^isync //') pull to Maildir (default fsync), once | $N | $mb_wall | $(ratio "$mb_wall" "$raw20") | $(mb "$mb_rss") | - |
| mbsync pull to Maildir, FSync no, once | $N | $mbn_wall | $(ratio "$mbn_wall" "$raw20") | $(mb "$mbn_rss") | - |

salescycled's first sync of $N messages sent $all_cmds commands besides LOGIN: $meta_fetches metadata UID FETCH batches and $text_fetches UID FETCH of text parts (for hashtags in outbound mail), which the floor does not include; the raw replay sends the commands of one such run (from Dovecot's protocol log) one after the other, the answers read and discarded.

Idle polling: ACCOUNTS accounts x 2 folders, no new mail, 4 at a time; commands each session sent after login, from Dovecot's protocol log; peak descriptors sampled every 10 ms.

| accounts | run | STATUS | commands after login | wall s | vs floor | peak fds | peak RSS MB | CPU s |
|---------:|-----|-------:|----------------------|-------:|---------:|---------:|------------:|------:|
$(printf '%s' "$idle_rows")

| target | figure | met |
|--------|--------|-----|
| first sync at most 2.0x the raw fetch | $(ratio "$sc20" "$raw20")x | $(verdict "$sc20 <= 2.0 * $raw20") |
| (first sync against the raw replay of its own commands) | $(ratio "$sc20" "$replay20")x | - |
| peak RSS under 32 MB | $(mb "$rss20") MB | $(verdict "$rss20 < 32 * 1024") |
| peak RSS at $SMALL, $MID, $N within 1 MB (flat) | $(mb "$rss5"), $(mb "$rss10"), $(mb "$rss20") MB | $(verdict "max($rss5, $rss10, $rss20) <= min($rss5, $rss10, $rss20) + 1024") |
| one STATUS per folder | $sc_status for $folders folders | $(verdict "$sc_status == $folders") |
| idle pass of $count accounts within 1.2x the raw STATUS | $(ratio "$idle_sc" "$idle_raw")x | $(verdict "$idle_sc <= 1.2 * $idle_raw") |
| peak descriptors of $count accounts under 256 | $idle_fds | $(verdict "$idle_fds < 256") |

Reproduce (as root, after make): \`${BASE:+BASE=DIR }contrib/bench/imap/run.sh BUILDDIR $N "$ACCOUNTS"\`
EOF
