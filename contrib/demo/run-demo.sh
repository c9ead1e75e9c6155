#!/bin/sh
# The whole product on one machine: throwaway Dovecot (IMAP), Radicale
# (CalDAV) and SMTP sink servers on loopback, seeded with the sample data
# set of Brightline B.V. (contrib/demo/sample: 3 salespeople, 12 weeks of
# mail and calendars, ~30 customers); one `salescycled --once` pass
# against them; then the reports a manager reads and the weekly digest
# (text, HTML and a phone-width PNG) written to a folder it names.
#
#   contrib/demo/run-demo.sh [BUILDDIR] [OUTDIR]
#
# Runs as root (Dovecot runs its own users).  The servers stop at exit;
# run it again and it starts afresh.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
top_builddir=${1:-$top_srcdir/build}
out=${2:-$top_builddir/demo}
case $top_builddir in /*) ;; *) top_builddir=$(pwd)/$top_builddir ;; esac
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
SC_DATA=$top_srcdir/tests/data
export top_srcdir top_builddir SC_DATA
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/tests/integration/radicale.sh"

# lib.sh's skip() means "cannot run here" for a test; for the demo it is an error.
skip() {
	echo "run-demo: $*: install it (contrib/bootstrap.sh demo does)" >&2
	exit 1
}

sample=$here/sample
people="anna bram carla"
DEMO_PASSWORD=demo-$$
export DEMO_PASSWORD
# The sample's story ends on 2026-11-20: reports are as of the next day.
SALESCYCLE_NOW=2026-11-21T12:00:00Z
export SALESCYCLE_NOW
rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)

step() {
	printf '\n== %s ==\n' "$*"
}

step "Starting Dovecot, Radicale and an SMTP sink on 127.0.0.1"
"$PY" -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd is missing"
dovecot_start
for p in $people; do
	dovecot_user "$p" "$DEMO_PASSWORD"
	radicale_user "$p" "$DEMO_PASSWORD"
done
radicale_start
SMTP_PORT=$(free_port)
mkdir -p "$T/sink"
SINK_DIR=$T/sink PYTHONPATH=$top_srcdir/tests/integration \
	"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c smtpsink.Sink \
	>"$T/sink.log" 2>&1 &
SINK_PID=$!
stop_sink() {
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
}
sc_at_exit stop_sink
wait_port "$SMTP_PORT" || { cat "$T/sink.log"; fail "SMTP sink did not start"; }
echo "IMAP 127.0.0.1:$DC_PORT, CalDAV $RADICALE_URL, SMTP 127.0.0.1:$SMTP_PORT"

step "Seeding mailboxes and calendars"
for p in $people; do
	n=0
	for f in "$sample/mail/$p/inbox"/*.eml; do
		dovecot_save "$p" INBOX "$f"
		n=$((n + 1))
	done
	for f in "$sample/mail/$p/sent"/*.eml; do
		dovecot_save "$p" Sent "$f"
		n=$((n + 1))
	done
	radicale_mkcal "$p:$DEMO_PASSWORD" "$p/calendar" "Agenda $p"
	c=0
	for f in "$sample/cal/$p"/*.ics; do
		radicale_put "$p:$DEMO_PASSWORD" "$p/calendar/$(basename "$f")" "$f"
		c=$((c + 1))
	done
	echo "$p: $n messages, $c calendar items"
done

step "Configuration"
{
	sed "s|^database *=.*|database = $out/salescycle.db|" "$sample/sample.conf"
	for p in $people; do
		cat <<CONF

[imap $p]
url = imap://127.0.0.1:$DC_PORT
tls = none
user = $p
password_env = DEMO_PASSWORD

[caldav $p]
url = $RADICALE_URL/
tls = none
user = $p
password_env = DEMO_PASSWORD
CONF
	done
	cat <<CONF

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
tls = none
from = salescycle@brightline.nl
CONF
} >"$out/salescycle.conf"
chmod 600 "$out/salescycle.conf"
echo "$out/salescycle.conf"
sc() {
	"$SALESCYCLE" -c "$out/salescycle.conf" "$@"
}

step "salescycled --once: polling $(echo $people | wc -w) mailboxes and calendars"
"$SALESCYCLED" -c "$out/salescycle.conf" --once -v 2>"$out/salescycled.log"
rc=$?
grep -v "debug" "$out/salescycled.log" | tail -n 12
[ $rc = 0 ] || fail "salescycled --once failed (exit $rc): see $out/salescycled.log"
sc targets import "$sample/targets.csv"
sc status

step "Funnel"
sc funnel
step "Appointments per day (last four weeks)"
sc appointments --since 2026-10-26 --until 2026-11-21
step "Stalled deals"
sc stalled
step "Forecast, next 60 days"
sc forecast --horizon 60

step "Weekly digest for the manager"
sc digest --period week --dry-run >"$out/digest.eml" || fail "digest --dry-run"
sc digest --period week --send >/dev/null || fail "digest --send"
"$PY" - "$out" <<'PYEOF'
import email, email.policy, sys
out = sys.argv[1]
m = email.message_from_binary_file(open(out + "/digest.eml", "rb"), policy=email.policy.default)
print("Subject:", m["Subject"])
for part, name in ((m.get_body(("plain",)), "digest.txt"), (m.get_body(("html",)), "digest.html")):
    open(out + "/" + name, "w").write(part.get_content())
PYEOF
sed -n '1,30p' "$out/digest.txt"
echo "..."
sent=$(ls "$T/sink"/*.eml 2>/dev/null | wc -l)
echo "The SMTP sink received $sent digest message(s)."
chromium=$(command -v chromium || command -v chromium-browser || :)
if [ -n "$chromium" ]; then
	"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$T/chromium" \
		--window-size=375,1600 --screenshot="$out/digest.png" \
		"file://$out/digest.html" >/dev/null 2>&1 ||
		echo "chromium could not render the digest"
else
	echo "(no chromium: digest.png not made; apt-get install chromium)"
fi

dovecot_assert_readonly
step "Done in $(($(date +%s) - started)) s"
echo "Output in $out:"
ls "$out"
echo "Query further: $SALESCYCLE -c $out/salescycle.conf deal acme.nl"
