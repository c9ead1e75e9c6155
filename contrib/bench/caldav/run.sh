#!/bin/sh
# SPDX-License-Identifier: MIT
#
# CalDAV benchmark (issue 4): one Radicale calendar of N events (10%
# weekly series), written straight into Radicale's storage and indexed
# before anything is timed.  Reports, in one run:
#   - the floor: the same sync-collection REPORT with calendar-data that
#     salescycle's first sync sends, done raw with curl;
#   - salescycled --once, first sync from an empty store: wall time
#     (median of RUNS, alternating with the floor's REPORT; the ratio to
#     the floor), CPU time, peak RSS, requests; with BASE=DIR, DIR's
#     salescycled too, in the same alternation;
#   - salescycled --once after one changed event: wall time, requests;
#   - the first sync against replay.py serving the raw REPORT's answer:
#     the agent's own wall and CPU time (median of RUNS) and peak RSS;
#     with BASE=DIR, alternating with DIR's salescycled;
#   - vdirsyncer (first sync and after one change), when it is installed.
#   - the issue's floor: sync-collection for etags, then calendar-multiget
#     in batches of 100, raw with curl;
#   - with CALENDARS (a list, e.g. "200 1000 2000"; issue 15): that many
#     calendars of 3 events, one [caldav] source each, a first pass and
#     the idle pass (--once, median of RUNS, default 3) against one
#     sync-collection REPORT per calendar with its token sent raw 4 at a
#     time (scale/raw-floor.py), with peak descriptors and RSS; with
#     BASE=DIR (a build folder of another version, e.g. main's) its
#     salescycled's idle pass too, alternating, for a before/after in
#     one run.
# CALDAV_BENCH_CACHE=DIR keeps the indexed calendar of N events for the
# next run (Radicale indexes some hundreds of events a minute).
# Not a test: it prints a table for README's performance section.
#
#	usage: contrib/bench/caldav/run.sh BUILDDIR [EVENTS [CALENDARS]]
set -eu

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [EVENTS [CALENDARS]]" >&2; exit 2; }
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
top_builddir=$(cd "$1" && pwd)
N=${2:-5000}
CALENDARS=${3:-}
RUNS=${RUNS:-3}
export top_srcdir top_builddir
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/radicale.sh"
radicale_require
[ -x "$SALESCYCLED" ] || fail "$SALESCYCLED not built"

radicale_user anna geheim
# The many calendars are bram's, so that anna's first sync discovers one.
radicale_user bram geheim
radicale_start
radicale_mkcal anna:geheim anna/werk Werk
cal="$T/radicale/collections/collection-root/anna/werk"
MAXCAL=0
for c in $CALENDARS; do
	[ "$c" -gt "$MAXCAL" ] && MAXCAL=$c
done
# Many small calendars, straight into the storage: calNNNN, 3 events each.
"$PY" - "$T/radicale/collections/collection-root/bram" "$MAXCAL" <<'PYEOF'
import datetime, json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
today = datetime.date.today()
for i in range(1, n + 1):
    cal = os.path.join(root, "cal%04d" % i)
    os.makedirs(cal)
    with open(os.path.join(cal, ".Radicale.props"), "w") as f:
        json.dump({"tag": "VCALENDAR",
                   "C:supported-calendar-component-set": "VEVENT"}, f)
    for k in range(3):
        d = (today + datetime.timedelta(days=k * 7 - 7)).strftime("%Y%m%d")
        with open(os.path.join(cal, "ev-%d.ics" % k), "w", newline="") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"
                    "BEGIN:VEVENT\r\nUID:c%d-%d@bench\r\n"
                    "DTSTAMP:20260101T080000Z\r\nDTSTART:%sT090000Z\r\n"
                    "DTEND:%sT100000Z\r\nSUMMARY:Bezoek klant %d\r\n"
                    "ORGANIZER:mailto:anna@brightline.nl\r\n"
                    "ATTENDEE:mailto:inkoop@klant%d.example\r\n"
                    "END:VEVENT\r\nEND:VCALENDAR\r\n"
                    % (i, k, d, d, i % 300, i % 300))
PYEOF

# Radicale takes minutes per thousand events to index a calendar on its
# first request; with CALDAV_BENCH_CACHE=DIR the seeded and indexed
# calendar is kept in DIR/events-N and copied from there next time.
cache=${CALDAV_BENCH_CACHE:+$CALDAV_BENCH_CACHE/events-$N}
if [ -n "$cache" ] && [ -d "$cache" ]; then
	rm -rf "$cal"
	cp -a "$cache" "$cal"
else
"$PY" - "$cal" "$N" <<'PYEOF'
import datetime, sys
folder, n = sys.argv[1], int(sys.argv[2])
today = datetime.date.today()
for i in range(n):
    d = today + datetime.timedelta(days=i % 600 - 300)
    rrule = "RRULE:FREQ=WEEKLY;COUNT=20\r\n" if i % 10 == 0 else ""
    with open("%s/ev-%05d.ics" % (folder, i), "w", newline="") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"
                "BEGIN:VEVENT\r\nUID:ev-%05d@bench\r\nDTSTAMP:20260101T080000Z\r\n"
                "DTSTART;TZID=Europe/Amsterdam:%sT%02d0000\r\n"
                "DTEND;TZID=Europe/Amsterdam:%sT%02d3000\r\n%s"
                "SUMMARY:Bezoek klant %d\r\nORGANIZER:mailto:anna@brightline.nl\r\n"
                "ATTENDEE:mailto:inkoop@klant%d.example\r\nEND:VEVENT\r\n"
                "END:VCALENDAR\r\n" % (i, d.strftime("%Y%m%d"), 8 + i % 9,
                                       d.strftime("%Y%m%d"), 8 + i % 9, rrule,
                                       i % 300, i % 300))
PYEOF
fi

body='<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token></d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>'
raw_report() {
	curl -sS -f -u anna:geheim -X REPORT -H 'Depth: 0' \
	    -H 'Content-Type: application/xml; charset=utf-8' \
	    --data-binary "$body" -o "$T/raw.xml" "$RADICALE_URL/anna/werk/"
}
etags='<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token></d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>'
# The etag listing, then every item by calendar-multiget, 100 at a time.
raw_multiget() {
	curl -sS -f -u anna:geheim -X REPORT -H 'Depth: 0' \
	    -H 'Content-Type: application/xml; charset=utf-8' \
	    --data-binary "$etags" -o "$T/list.xml" "$RADICALE_URL/anna/werk/"
	grep -o '<[A-Za-z:]*href>[^<]*<' "$T/list.xml" | sed 's/.*>//; s/<$//' |
	    grep -v '/$' >"$T/hrefs"
	rm -f "$T"/batch.*
	split -l 100 "$T/hrefs" "$T/batch."
	for b in "$T"/batch.*; do
		{
			printf '<?xml version="1.0" encoding="utf-8"?>\n'
			printf '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
			printf '<d:prop><d:getetag/><c:calendar-data/></d:prop>'
			sed 's|.*|<d:href>&</d:href>|' "$b"
			printf '</c:calendar-multiget>'
		} >"$b.xml"
		curl -sS -f -u anna:geheim -X REPORT -H 'Depth: 1' \
		    -H 'Content-Type: application/xml; charset=utf-8' \
		    --data-binary "@$b.xml" -o /dev/null "$RADICALE_URL/anna/werk/"
	done
}
now() { date +%s.%N; }
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ratio() {
	"$PY" -c "print('%.2f' % ($1 / $2))"
}
elapsed() { "$PY" -c "print('%.2f' % ($2 - $1))"; }

echo "bench: indexing $N events in Radicale (minutes on the first request)" >&2
# Radicale indexes on the first request, which now and then ends in a 500.
raw_report || raw_report || raw_report
raw_report
if [ -n "$cache" ] && [ ! -d "$cache" ]; then
	mkdir -p "$CALDAV_BENCH_CACHE"
	cp -a "$cal" "$cache"
fi
raw_multiget
t0=$(now); raw_multiget; t1=$(now)
rawmg=$(elapsed "$t0" "$t1")
nmg=$(( $(ls "$T"/batch.*.xml | wc -l) + 1 ))

write_config <<EOF

[caldav anna]
url = $RADICALE_URL/
tls = none
user = anna
password_env = SC_BENCH_PASSWORD
EOF
SC_BENCH_PASSWORD=geheim
export SC_BENCH_PASSWORD

# once [AGENT]: one run of salescycled (AGENT, default this build's).
once() {
	/usr/bin/time -f '%e %M %U %S' -o "$T/time" "${1:-$SALESCYCLED}" \
	    -c "$T/sc.conf" --once -v >"$T/poll.log" 2>&1 ||
	    { cat "$T/poll.log"; fail "salescycled failed"; }
	read -r wall rss usr sys <"$T/time"
	cpu=$("$PY" -c "print('%.2f' % ($usr + $sys))")
	reqs=$(sed -n 's/.*polled [0-9]* calendars with \([0-9]*\) requests.*/\1/p' "$T/poll.log")
}
# The first sync from an empty store, alternating with the raw REPORT.
: >"$T/first-raw"
: >"$T/first"
: >"$T/first-base"
r=0
while [ $r -lt "$RUNS" ]; do
	echo "bench: first sync of $N events, $((r + 1)) of $RUNS" >&2
	t0=$(now); raw_report; t1=$(now)
	elapsed "$t0" "$t1" >>"$T/first-raw"
	if [ -n "${BASE:-}" ]; then
		rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
		once "$BASE/src/salescycled"
		echo "$wall $rss $cpu" >>"$T/first-base"
	fi
	# This build's last: the change below is synced on its store.
	rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
	once
	echo "$wall $rss $cpu" >>"$T/first"
	r=$((r + 1))
done
raw=$(median <"$T/first-raw")
first_wall=$(cut -d' ' -f1 "$T/first" | median)
first_rss=$(cut -d' ' -f2 "$T/first" | sort -n | tail -1)
first_cpu=$(cut -d' ' -f3 "$T/first" | median)
first_reqs=$reqs
first_base_row=
if [ -s "$T/first-base" ]; then
	bwall=$(cut -d' ' -f1 "$T/first-base" | median)
	first_base_row="
| BASE --once, first sync               | $bwall ($(ratio "$bwall" "$raw")x raw, $(cut -d' ' -f3 "$T/first-base" | median) CPU) | - | $(($(cut -d' ' -f2 "$T/first-base" | sort -n | tail -1) / 1024)) MB |"
fi

# The agent's own work: the same first sync against a replay of the raw
# answer (replay.py), so that Radicale's time is out; CPU and peak RSS.
REPLAY_PORT=$(free_port)
"$PY" "$top_srcdir/contrib/bench/caldav/replay.py" "$REPLAY_PORT" "$T/raw.xml" &
REPLAY_PID=$!
replay_stop() { kill "$REPLAY_PID" 2>/dev/null; wait "$REPLAY_PID" 2>/dev/null || :; }
sc_at_exit replay_stop
wait_port "$REPLAY_PORT" 20 || fail "replay.py did not start"
sed "s|^url = $RADICALE_URL/\$|url = http://127.0.0.1:$REPLAY_PORT/anna/werk/|; s|$T/sc.db|$T/replay.db|" \
    "$T/sc.conf" >"$T/replay.conf"
: >"$T/replay"
: >"$T/replay-base"
r=0
while [ $r -lt "$RUNS" ]; do
	rm -f "$T/replay.db" "$T/replay.db-wal" "$T/replay.db-shm"
	/usr/bin/time -f '%e %U %S %M' -o "$T/time" "$SALESCYCLED" \
	    -c "$T/replay.conf" --once -v >"$T/replay.log" 2>&1 ||
	    { cat "$T/replay.log"; fail "salescycled against the replay failed"; }
	cat "$T/time" >>"$T/replay"
	if [ -n "${BASE:-}" ]; then
		rm -f "$T/replay.db" "$T/replay.db-wal" "$T/replay.db-shm"
		/usr/bin/time -f '%e %U %S %M' -o "$T/time" \
		    "$BASE/src/salescycled" -c "$T/replay.conf" --once \
		    >"$T/replay-base.log" 2>&1 || { cat "$T/replay-base.log"
		    fail "BASE against the replay failed"; }
		cat "$T/time" >>"$T/replay-base"
	fi
	r=$((r + 1))
done
replay_stop
base_row=
if [ -s "$T/replay-base" ]; then
	base_row="
| BASE --once, first sync, replayed answer | $(cut -d' ' -f1 \
	    "$T/replay-base" | median) ($(awk '{ print $2 + $3 }' \
	    "$T/replay-base" | median) CPU) | - | $(($(cut -d' ' -f4 \
	    "$T/replay-base" | sort -n | tail -1) / 1024)) MB |"
fi
rp_wall=$(cut -d' ' -f1 "$T/replay" | median)
rp_cpu=$(awk '{ print $2 + $3 }' "$T/replay" | median)
rp_rss=$(cut -d' ' -f4 "$T/replay" | sort -n | tail -1)
rp_reqs=$(sed -n 's/.*polled [0-9]* calendars with \([0-9]*\) requests.*/\1/p' "$T/replay.log")

# One event moves a day.
sed -i 's/^SUMMARY:Bezoek klant 7\r$/SUMMARY:Bezoek klant 7 (verzet)\r/' "$cal/ev-00007.ics"
radicale_put anna:geheim anna/werk/ev-00007.ics "$cal/ev-00007.ics"
once
inc_wall=$wall inc_reqs=$reqs

vd_first=- vd_inc=-
if command -v vdirsyncer >/dev/null 2>&1; then
	mkdir -p "$T/vd/status" "$T/vd/local"
	cat >"$T/vd/config" <<EOF
[general]
status_path = "$T/vd/status/"
[pair cal]
a = "remote"
b = "local"
collections = ["werk"]
[storage remote]
type = "caldav"
url = "$RADICALE_URL/"
tls = none
username = "anna"
password = "geheim"
[storage local]
type = "filesystem"
path = "$T/vd/local/"
fileext = ".ics"
EOF
	export VDIRSYNCER_CONFIG="$T/vd/config"
	yes | vdirsyncer discover >/dev/null 2>&1
	t0=$(now); vdirsyncer sync >/dev/null 2>&1; t1=$(now)
	vd_first=$(elapsed "$t0" "$t1")
	sed -i 's/(verzet)/(weer verzet)/' "$cal/ev-00007.ics"
	radicale_put anna:geheim anna/werk/ev-00007.ics "$cal/ev-00007.ics"
	t0=$(now); vdirsyncer sync >/dev/null 2>&1; t1=$(now)
	vd_inc=$(elapsed "$t0" "$t1")
fi

# ---- many calendars (issue 15) ---------------------------------------------
measure() {
	"$PY" "$top_srcdir/contrib/bench/imap/measure.py" "$T/measure" "$@"
	read -r mwall mrss mu ms mfds <"$T/measure"
	mcpu=$("$PY" -c "print('%.2f' % ($mu + $ms))")
}
# The requests of all sources of the last pass (its -v log).
requests() {
	sed -n 's/.*polled [0-9]* calendars with \([0-9]*\) requests.*/\1/p' \
	    "$T/many.log" | awk '{ n += $1 } END { print n + 0 }'
}
cal_rows=""
for count in $CALENDARS; do
	rm -f "$T/sc.db" "$T/sc.db-wal" "$T/sc.db-shm"
	{
		i=1
		while [ $i -le "$count" ]; do
			printf '\n[caldav c%04d]\nsalesperson = bram\nurl = %s/bram/cal%04d/\n' \
			    $i "$RADICALE_URL" $i
			printf 'tls = none\nuser = bram\npassword_env = SC_BENCH_PASSWORD\n'
			i=$((i + 1))
		done
	} | write_config
	echo "bench: first sync of $count calendars" >&2
	measure "$SALESCYCLED" -c "$T/sc.conf" --once 2>"$T/many.log" ||
	    { grep error "$T/many.log" | head; fail "first sync of $count calendars"; }
	cal_first="$mwall $mfds $mrss"
	sqlite3 -separator ' ' "$T/sc.db" "SELECT 'dav', 'bram', scope, value
	    FROM cursors WHERE name = 'sync-token'" >"$T/jobs"
	[ "$(wc -l <"$T/jobs")" = "$count" ] || fail "sync tokens missing"
	: >"$T/cal-idle"
	: >"$T/cal-raw"
	: >"$T/cal-base"
	r=0
	while [ $r -lt "$RUNS" ]; do
		echo "bench: idle pass of $count calendars, $((r + 1)) of $RUNS" >&2
		"$PY" "$top_srcdir/contrib/bench/scale/raw-floor.py" 0 \
		    "$RADICALE_PORT" geheim 4 - "$T/jobs" >>"$T/cal-raw"
		measure "$SALESCYCLED" -c "$T/sc.conf" --once -v 2>"$T/many.log" ||
		    { grep error "$T/many.log" | head; fail "idle pass of $count calendars"; }
		echo "$mwall $mfds $mrss $(requests) $mcpu" >>"$T/cal-idle"
		if [ -n "${BASE:-}" ]; then
			measure "$BASE/src/salescycled" -c "$T/sc.conf" --once -v \
			    2>"$T/many.log" || { grep error "$T/many.log" | head
			    fail "BASE: idle pass of $count calendars"; }
			echo "$mwall $mfds $mrss $(requests) $mcpu" >>"$T/cal-base"
		fi
		r=$((r + 1))
	done
	craw=$(cut -d' ' -f1 "$T/cal-raw" | median)
	cidle=$(cut -d' ' -f1 "$T/cal-idle" | median)
	cfds=$(cut -d' ' -f2 "$T/cal-idle" | sort -n | tail -1)
	crss=$(cut -d' ' -f3 "$T/cal-idle" | sort -n | tail -1)
	# shellcheck disable=SC2086
	set -- $cal_first
	cal_rows="$cal_rows| $count | first sync, --once | $1 | - | - | - | $2 | $(($3 / 1024)) MB |
| $count | raw REPORT with token, 4 parallel (floor) | $craw | 1.00 | - | $count | - | - |
| $count | idle pass, --once | $cidle | $(ratio "$cidle" "$craw") | $(cut -d' ' -f5 "$T/cal-idle" | median) | $(cut -d' ' -f4 "$T/cal-idle" | sort -n | tail -1) | $cfds | $((crss / 1024)) MB |
"
	if [ -s "$T/cal-base" ]; then
		bidle=$(cut -d' ' -f1 "$T/cal-base" | median)
		cal_rows="$cal_rows| $count | idle pass, --once, BASE | $bidle | $(ratio "$bidle" "$craw") | $(cut -d' ' -f5 "$T/cal-base" | median) | $(cut -d' ' -f4 "$T/cal-base" | sort -n | tail -1) | $(cut -d' ' -f2 "$T/cal-base" | sort -n | tail -1) | $(($(cut -d' ' -f3 "$T/cal-base" | sort -n | tail -1) / 1024)) MB |
"
	fi
done

cat <<EOF
CalDAV, Radicale $("$RADICALE" --version), one calendar of $N events (10% weekly series);
raw sync-collection and first sync: median of $RUNS, alternating; peak RSS the largest

| run                                   | wall s | requests | peak RSS |
|---------------------------------------|-------:|---------:|---------:|
| raw sync-collection with data (curl)  | $raw | 1 | - |
| raw etags + multiget by 100 (curl)    | $rawmg | $nmg | - |
| salescycled --once, first sync        | $first_wall ($(ratio "$first_wall" "$raw")x raw, $first_cpu CPU) | $first_reqs | $((first_rss / 1024)) MB |$first_base_row
| salescycled --once, one change        | $inc_wall | $inc_reqs | - |
| salescycled --once, first sync, replayed answer | $rp_wall ($rp_cpu CPU) | $rp_reqs | $((rp_rss / 1024)) MB |$base_row
| vdirsyncer sync, first                | $vd_first | - | - |
| vdirsyncer sync, one change           | $vd_inc | - | - |
EOF
[ -z "$CALENDARS" ] || cat <<EOF

Many calendars of 3 events, one source each; workers 4; idle passes the median of $RUNS.

| calendars | run | wall s | vs floor | CPU s | requests | peak fds | peak RSS |
|---:|---|---:|---:|---:|---:|---:|---:|
$(printf '%s' "$cal_rows")
EOF
