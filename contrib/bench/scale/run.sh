#!/bin/sh
# SPDX-License-Identifier: MIT
#
# One agent for a whole company (issue 15): COUNT salespeople, each with
# an IMAP account (INBOX with a few messages, Sent) on a throwaway Dovecot
# and a CalDAV calendar (a few events) on a throwaway Radicale, both on
# loopback, for each COUNT given (default 200 1000 2000).  For each it
# reports, in one run:
#   - the first pass, salescycled --once from an empty store;
#   - the idle pass (nothing new), salescycled --once, median of RUNS
#     (default 3), against the floor: the same LOGIN, STATUS per folder,
#     LOGOUT and one sync-collection REPORT per calendar with its token,
#     sent raw, 4 at a time like the 4 workers (raw-floor.py), in the same
#     run, alternating with the agent's;
#   - the running agent (not --once, default keep_connections) making
#     the same idle pass: time until every source has been polled;
#   - for each: wall time, peak open descriptors (sampled every 10 ms),
#     peak RSS, CPU, and errors in the log.
# Fairness (issue 15, item 4), at FAIR salespeople (default 1000: 2,000
# sources; FAIR=0 leaves it out; it must be one of the COUNTs): the agent
# runs on the synced store with every source at poll_interval FAIR_INTERVAL
# (default 60 s, a fifth of the default 300) and FAIR_SLOW more IMAP
# sources (default 40) on one bad server, each with a timeout of
# FAIR_TIMEOUT (default 12 s, a fifth of the default 60): first a server
# that answers every command after FAIR_DELAY seconds (default 2, a fifth
# of 10: tests/integration/imap-hostile.py slow-answers), then one that
# takes the connection and never says a word (black-holed).  For
# FAIR_SECONDS each (default four intervals), lag.py reads how late each
# of the 2,000 sources is polled; then `salescycle status` must show no
# good source behind and the bad server's sources behind, with why.
# With SC_BENCH_PERF=DIR, one more idle pass of each COUNT runs under perf
# (not timed): DIR/idle-COUNT.txt, the agent's CPU by library and by
# function.
# Not a test: it prints a markdown table for README's performance section.
#
#	usage: contrib/bench/scale/run.sh BUILDDIR [COUNT...]
# As root (Dovecot runs as root here).  Set TMPDIR to a roomy folder.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [COUNT...]" >&2; exit 2; }
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
top_builddir=$(cd "$1" && pwd)
shift
COUNTS=${*:-200 1000 2000}
RUNS=${RUNS:-3}
PW=bench-pw
FAIR=${FAIR:-1000}
FAIR_INTERVAL=${FAIR_INTERVAL:-60}
FAIR_SLOW=${FAIR_SLOW:-40}
FAIR_TIMEOUT=${FAIR_TIMEOUT:-12}
FAIR_DELAY=${FAIR_DELAY:-2}
FAIR_SECONDS=${FAIR_SECONDS:-$((4 * FAIR_INTERVAL))}
export top_srcdir top_builddir
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/tests/integration/radicale.sh"
here="$top_srcdir/contrib/bench/scale"
imap="$top_srcdir/contrib/bench/imap"
[ -x "$SALESCYCLED" ] || fail "$SALESCYCLED not built"
dovecot_require
radicale_require
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 not installed"

MAX=0
for n in $COUNTS; do
	[ "$n" -gt "$MAX" ] && MAX=$n
done
user() {
	printf 's%04d' "$1"
}

# Runs a command under measure.py; sets wall, rss (KB), cpu, fds.
measure() {
	"$PY" "$imap/measure.py" "$T/measure" "$@"
	read -r wall rss utime stime fds <"$T/measure"
	cpu=$("$PY" -c "print('%.2f' % ($utime + $stime))")
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ratio() {
	"$PY" -c "print('%.2f' % ($1 / $2))"
}
mb() {
	"$PY" -c "print('%.1f' % ($1 / 1024))"
}
# Errors and warnings of a log, counted.
errors() {
	grep -c 'error:\|warning:' "$1" || :
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $MAX users on Dovecot and Radicale" >&2
dovecot_start
# All users first: Dovecot's passwd-file may miss lines added after a login.
dirs=""
i=1
while [ $i -le "$MAX" ]; do
	u=$(user $i)
	dovecot_user "$u" "$PW"
	radicale_user "$u" "$PW"
	dirs="$dirs $DC/mail/$u"
	i=$((i + 1))
done
# shellcheck disable=SC2086
"$PY" "$imap/gen-maildir.py" 5 1000 $dirs >/dev/null
# The calendars straight into Radicale's storage: a few events each.
root="$T/radicale/collections/collection-root"
"$PY" - "$root" "$MAX" <<'PYEOF'
import datetime, json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
today = datetime.date.today()
for i in range(1, n + 1):
    cal = os.path.join(root, "s%04d" % i, "cal")
    os.makedirs(cal)
    with open(os.path.join(cal, ".Radicale.props"), "w") as f:
        json.dump({"tag": "VCALENDAR", "D:displayname": "Werk",
                   "C:supported-calendar-component-set": "VEVENT"}, f)
    for k in range(3):
        d = (today + datetime.timedelta(days=k * 7 - 7)).strftime("%Y%m%d")
        with open(os.path.join(cal, "ev-%d.ics" % k), "w", newline="") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"
                    "BEGIN:VEVENT\r\nUID:ev-%d-%d@bench\r\n"
                    "DTSTAMP:20260101T080000Z\r\nDTSTART:%sT090000Z\r\n"
                    "DTEND:%sT100000Z\r\nSUMMARY:Bezoek klant %d\r\n"
                    "ORGANIZER:mailto:s%04d@brightline.nl\r\n"
                    "ATTENDEE:mailto:inkoop@klant%d.example\r\n"
                    "END:VEVENT\r\nEND:VCALENDAR\r\n"
                    % (i, k, d, d, i % 300, i, i % 300))
PYEOF
radicale_start

# The configuration of the first N salespeople: config N [EXTRA]
# (EXTRA: a line more in each source's section).
config() {
	{
		cat <<EOF
[general]
database = $T/sc.db
timezone = Europe/Amsterdam
internal_domains = brightline.nl
EOF
		i=1
		while [ $i -le "$1" ]; do
			u=$(user $i)
			printf '\n[salesperson %s]\nemail = %s@brightline.nl\nmanager = boss@brightline.nl\n' "$u" "$u"
			printf '\n[imap %s]\nurl = imap://127.0.0.1:%s\ntls = none\nuser = %s\npassword_env = SC_BENCH_PW\n%s' \
			    "$u" "$DC_PORT" "$u" "${2:+$2
}"
			printf '\n[caldav %s]\nurl = %s/%s/cal/\ntls = none\nuser = %s\npassword_env = SC_BENCH_PW\n%s' \
			    "$u" "$RADICALE_URL" "$u" "$u" "${2:+$2
}"
			i=$((i + 1))
		done
	} >"$T/sc.conf"
	chmod 600 "$T/sc.conf"
}
export SC_BENCH_PW="$PW"

# The running agent's idle pass: until every source has succeeded since
# it started, looked for every 0.2 s (the store read by sqlite3, the
# descriptors counted); sets dwall, dfds, drss (KB, VmHWM), derr.
daemon_pass() {
	start=$(date +%s)
	sleep 1
	t0=$("$PY" -c 'import time; print(time.monotonic())')
	"$SALESCYCLED" -c "$T/sc.conf" 2>"$T/daemon.log" &
	dpid=$!
	dfds=0
	want=$(($1 * 2))
	while :; do
		nfd=$(ls "/proc/$dpid/fd" 2>/dev/null | wc -l)
		[ "$nfd" -gt "$dfds" ] && dfds=$nfd
		kill -0 "$dpid" 2>/dev/null || { cat "$T/daemon.log"; fail "the agent died"; }
		got=$(sqlite3 "$T/sc.db" "SELECT count(*) FROM health
		    WHERE last_success > $start" 2>/dev/null || echo 0)
		[ "$got" -ge "$want" ] && break
		sleep 0.2
	done
	dwall=$("$PY" -c "import time; print('%.2f' % (time.monotonic() - $t0))")
	drss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$dpid/status")
	kill -TERM "$dpid"
	wait "$dpid" || fail "the agent exited $?"
	derr=$(errors "$T/daemon.log")
}

# One fairness run: fair_run N NAME PORT (NAME: slow or hole, the bad
# server's sources imap:NAME01...; PORT its port); appends a row to
# fair_rows.
fair_run() {
	config "$1" "poll_interval = ${FAIR_INTERVAL}s"
	k=1
	while [ $k -le "$FAIR_SLOW" ]; do
		printf '\n[imap %s%02d]\nsalesperson = s0001\nurl = imap://127.0.0.1:%s\ntls = none\nuser = anna\npassword_env = SC_BENCH_PW\npoll_interval = %ss\ntimeout = %ss\n' \
		    "$2" $k "$3" "$FAIR_INTERVAL" "$FAIR_TIMEOUT"
		k=$((k + 1))
	done >>"$T/sc.conf"
	i=1
	while [ $i -le "$1" ]; do
		printf 'imap:%s %s\ncaldav:%s %s\n' "$(user $i)" "$FAIR_INTERVAL" \
		    "$(user $i)" "$FAIR_INTERVAL"
		i=$((i + 1))
	done >"$T/intervals"
	echo "bench: fairness, $1 salespeople and $FAIR_SLOW sources on a $2 server, $FAIR_SECONDS s" >&2
	fload=$(cut -d' ' -f1-3 /proc/loadavg)
	"$SALESCYCLED" -c "$T/sc.conf" -v 2>"$T/fair-$2.log" &
	fpid=$!
	"$PY" "$here/lag.py" "$T/sc.db" "$T/intervals" "$FAIR_SECONDS" \
	    "$T/fair-$2.csv" >"$T/fair-$2.out" ||
	    { kill "$fpid"; fail "lag.py failed"; }
	kill -0 "$fpid" 2>/dev/null || { tail "$T/fair-$2.log"; fail "the agent died"; }
	"$SALESCYCLE" -c "$T/sc.conf" status --format json >"$T/fair-$2.json" ||
	    fail "salescycle status failed"
	"$SALESCYCLE" -c "$T/sc.conf" status >"$T/fair-$2.txt" 2>&1 || :
	kill -TERM "$fpid"
	wait "$fpid" || fail "the agent exited $?"
	# Good sources behind; bad ones behind, and the first one's why.
	"$PY" - "$T/fair-$2.json" "imap:$2" >"$T/fair-$2.status" <<'PYEOF'
import json, sys
rows = json.load(open(sys.argv[1]))
good = [r for r in rows if not r["source"].startswith(sys.argv[2])]
bad = [r for r in rows if r["source"].startswith(sys.argv[2])]
why = next((r["behind"] for r in bad if r["behind"]), "-")
print(sum(1 for r in good if r["behind"]), sum(1 for r in bad if r["behind"]),
      len(bad), why.replace("|", "/"))
PYEOF
	read -r good_behind bad_behind nbad why <"$T/fair-$2.status"
	polls=$(sed -n 's/^polls //p' "$T/fair-$2.out")
	read -r _ late late_src _ <<EOF
$(grep '^late ' "$T/fair-$2.out")
EOF
	over=$(sed -n 's/^over //p' "$T/fair-$2.out")
	ferr=$(grep 'error:\|warning:' "$T/fair-$2.log" | grep -vc "imap:$2" || :)
	berr=$(grep 'error:\|warning:' "$T/fair-$2.log" | grep -c "imap:$2" || :)
	text=$(grep "imap:$2" "$T/fair-$2.txt" | grep -c 'poll_interval' || :)
	met=NO
	[ "$over" = 0 ] && [ "$good_behind" = 0 ] && met=yes
	fair_rows="$fair_rows| $2 | $(($1 * 2)) + $nbad | $fload | $polls | $late ($late_src) | $over | $good_behind | $bad_behind of $nbad | $text | $ferr / $berr | $met |
"
	fair_why="$fair_why
- $2: \"$why\""
}
fair_rows=""
fair_why=""

rows=""
for n in $COUNTS; do
	echo "bench: $n salespeople: first pass" >&2
	config "$n"
	rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
	measure "$SALESCYCLED" -c "$T/sc.conf" --once -v 2>"$T/first.log" ||
	    { grep 'error:' "$T/first.log" | head; fail "first pass failed at $n"; }
	first="$wall $fds $rss $cpu $(errors "$T/first.log")"
	polled=$(grep -c 'caldav:s[0-9]*: polled 1 calendars' "$T/first.log" || :)
	[ "$polled" = "$n" ] || fail "$polled of $n calendars polled"
	# The floor's jobs: each account, then each calendar with its token.
	sqlite3 -separator ' ' "$T/sc.db" "SELECT 'dav', substr(source, 8), scope,
	    value FROM cursors WHERE source LIKE 'caldav:%' AND name = 'sync-token'" \
	    >"$T/dav-jobs"
	[ "$(wc -l <"$T/dav-jobs")" = "$n" ] || fail "sync tokens missing"
	i=1
	while [ $i -le "$n" ]; do
		echo "imap $(user $i)"
		i=$((i + 1))
	done >"$T/jobs"
	cat "$T/dav-jobs" >>"$T/jobs"
	: >"$T/idle"
	: >"$T/raw"
	r=0
	while [ $r -lt "$RUNS" ]; do
		echo "bench: $n salespeople: idle pass $((r + 1)) of $RUNS" >&2
		"$PY" "$here/raw-floor.py" "$DC_PORT" "$RADICALE_PORT" "$PW" 4 \
		    INBOX,Sent "$T/jobs" >>"$T/raw"
		measure "$SALESCYCLED" -c "$T/sc.conf" --once 2>"$T/idle.log" ||
		    { grep 'error:' "$T/idle.log" | head; fail "idle pass failed at $n"; }
		echo "$wall $fds $rss $cpu $(errors "$T/idle.log")" >>"$T/idle"
		r=$((r + 1))
	done
	raw=$(cut -d' ' -f1 "$T/raw" | median)
	idle=$(cut -d' ' -f1 "$T/idle" | median)
	ifds=$(cut -d' ' -f2 "$T/idle" | sort -n | tail -1)
	irss=$(cut -d' ' -f3 "$T/idle" | sort -n | tail -1)
	icpu=$(cut -d' ' -f4 "$T/idle" | median)
	ierr=$(cut -d' ' -f5 "$T/idle" | sort -n | tail -1)
	if [ -n "${SC_BENCH_PERF:-}" ]; then
		mkdir -p "$SC_BENCH_PERF"
		perf record -q -g -F 999 -o "$SC_BENCH_PERF/idle-$n.data" \
		    "$SALESCYCLED" -c "$T/sc.conf" --once 2>/dev/null
		{
			perf report -i "$SC_BENCH_PERF/idle-$n.data" --no-children \
			    --stdio -g none --sort dso
			perf report -i "$SC_BENCH_PERF/idle-$n.data" --no-children \
			    --stdio -g none --sort symbol | head -60
		} >"$SC_BENCH_PERF/idle-$n.txt" 2>/dev/null
	fi
	echo "bench: $n salespeople: the running agent's idle pass" >&2
	daemon_pass "$n"
	if [ "$n" = "$FAIR" ]; then
		HOSTILE_DELAY=$FAIR_DELAY "$PY" "$top_srcdir/tests/integration/imap-hostile.py" \
		    slow-answers "$T/slow.port" "$T/slow.cmds" 2>"$T/slow.err" &
		slow_pid=$!
		# The black hole: takes connections, never answers.
		"$PY" -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(128)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    held.append(s.accept()[0])' "$T/hole.port" &
		hole_pid=$!
		stop_bad() {
			kill "$slow_pid" "$hole_pid" 2>/dev/null || :
		}
		sc_at_exit stop_bad
		sleep 1
		[ -s "$T/slow.port" ] && [ -s "$T/hole.port" ] ||
		    fail "the bad servers did not start"
		fair_run "$n" slow "$(cat "$T/slow.port")"
		fair_run "$n" hole "$(cat "$T/hole.port")"
		stop_bad
	fi
	set -- $first
	rows="$rows| $n | first pass, --once | $1 | - | $2 | $(mb "$3") | $4 | $5 |
| $n | raw LOGIN, 2 STATUS, LOGOUT + REPORT, 4 parallel (floor) | $raw | 1.00 | - | - | - | - |
| $n | idle pass, --once | $idle | $(ratio "$idle" "$raw") | $ifds | $(mb "$irss") | $icpu | $ierr |
| $n | idle pass, agent running (keep_connections 32) | $dwall | $(ratio "$dwall" "$raw") | $dfds | $(mb "$drss") | - | $derr |
"
done

cat <<EOF
One agent, N salespeople each with an IMAP account (INBOX of 5 messages, Sent) on Dovecot $("$DOVECOT" --version | cut -d' ' -f1) and a calendar (3 events) on Radicale $("$RADICALE" --version 2>/dev/null || echo 3), both on loopback; workers 4; $(nproc) cores (load average at start $load); idle passes the median of $RUNS, peaks the highest.

| salespeople | run | wall s | vs floor | peak fds | peak RSS MB | CPU s | errors |
|---:|---|---:|---:|---:|---:|---:|---:|
$(printf '%s' "$rows")

Reproduce (as root, after make): \`contrib/bench/scale/run.sh BUILDDIR $COUNTS\`
EOF
[ -n "$fair_rows" ] || exit 0
cat <<EOF

Fairness: $FAIR salespeople ($((FAIR * 2)) sources) at poll_interval ${FAIR_INTERVAL} s, and $FAIR_SLOW IMAP sources (timeout $FAIR_TIMEOUT s) on one bad server: slow (every answer after $FAIR_DELAY s: imap:slow01...) or black-holed (takes the connection, never answers: imap:hole01...); workers 4; ${FAIR_SECONDS} s each from the agent's start on the synced store.  Lateness: how long after its interval a good source was polled (lag.py, every second); on time means at most one interval (${FAIR_INTERVAL} s).

| bad server (its sources) | sources | load average | polls of good sources | latest good source, s after its interval | good sources more than one interval late | good sources behind (status) | bad sources behind (status) | bad sources behind (text status) | warnings+errors: good / bad sources | good sources on time |
|---|---|---|---:|---:|---:|---:|---:|---:|---|---|
$(printf '%s' "$fair_rows")

What \`salescycle status\` says of a bad source:$fair_why
EOF
