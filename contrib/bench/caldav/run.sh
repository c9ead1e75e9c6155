#!/bin/sh
# SPDX-License-Identifier: MIT
#
# CalDAV benchmark (issue 4): one Radicale calendar of N events (10%
# weekly series), written straight into Radicale's storage and indexed
# before anything is timed.  Reports, in one run:
#   - the floor: the same sync-collection REPORT with calendar-data that
#     salescycle's first sync sends, done raw with curl;
#   - salescycled --once, first sync: wall time, peak RSS, requests;
#   - salescycled --once after one changed event: wall time, requests;
#   - vdirsyncer (first sync and after one change), when it is installed.
#   - the issue's floor: sync-collection for etags, then calendar-multiget
#     in batches of 100, raw with curl;
# Not a test: it prints a table for README's performance section.
#
#	usage: contrib/bench/caldav/run.sh BUILDDIR [EVENTS]
set -eu

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [EVENTS]" >&2; exit 2; }
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
top_builddir=$(cd "$1" && pwd)
N=${2:-5000}
export top_srcdir top_builddir
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/radicale.sh"
radicale_require
[ -x "$SALESCYCLED" ] || fail "$SALESCYCLED not built"

radicale_user anna geheim
radicale_start
radicale_mkcal anna:geheim anna/werk Werk
cal="$T/radicale/collections/collection-root/anna/werk"

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
elapsed() { "$PY" -c "print('%.2f' % ($2 - $1))"; }

echo "bench: indexing $N events in Radicale (minutes on the first request)" >&2
# Radicale indexes on the first request, which now and then ends in a 500.
raw_report || raw_report || raw_report
raw_report
t0=$(now); raw_report; t1=$(now)
raw=$(elapsed "$t0" "$t1")
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

once() {
	/usr/bin/time -f '%e %M' -o "$T/time" "$SALESCYCLED" -c "$T/sc.conf" --once -v \
	    >"$T/poll.log" 2>&1 || { cat "$T/poll.log"; fail "salescycled failed"; }
	read -r wall rss <"$T/time"
	reqs=$(sed -n 's/.*polled [0-9]* calendars with \([0-9]*\) requests.*/\1/p' "$T/poll.log")
}
once
first_wall=$wall first_rss=$rss first_reqs=$reqs

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

cat <<EOF
CalDAV, Radicale $("$RADICALE" --version), one calendar of $N events (10% weekly series)

| run                                   | wall s | requests | peak RSS |
|---------------------------------------|-------:|---------:|---------:|
| raw sync-collection with data (curl)  | $raw | 1 | - |
| raw etags + multiget by 100 (curl)    | $rawmg | $nmg | - |
| salescycled --once, first sync        | $first_wall | $first_reqs | $((first_rss / 1024)) MB |
| salescycled --once, one change        | $inc_wall | $inc_reqs | - |
| vdirsyncer sync, first                | $vd_first | - | - |
| vdirsyncer sync, one change           | $vd_inc | - | - |
EOF
