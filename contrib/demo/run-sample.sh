#!/bin/sh
# Imports the bundled sample data set (contrib/demo/sample: mail and
# calendars of Brightline B.V.) into a fresh database and prints what a
# manager would look at: the funnel, the deals and appointments per day.
#
#   contrib/demo/run-sample.sh [BUILDDIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
sc="$build/src/salescycle"
sample="$here/sample"
out=$(mktemp -d "${TMPDIR:-/tmp}/salescycle-sample-XXXXXX")

# The sample ends on 2026-11-20; pin "now" so that the output is the same
# on every run (deals without activity for stale_after_days turn lost).
SALESCYCLE_NOW=2026-11-21T12:00:00Z
export SALESCYCLE_NOW

sed "s|^database *=.*|database = $out/sample.db|" "$sample/sample.conf" > "$out/sample.conf"
chmod 600 "$out/sample.conf"
run() {
	"$sc" -c "$out/sample.conf" "$@"
}

status=0
for dir in "$sample"/mail/* "$sample"/cal/*; do
	[ -d "$dir" ] || continue
	run import --salesperson "$(basename "$dir")" "$dir" || status=1
done
[ -f "$sample/targets.csv" ] && { run targets import "$sample/targets.csv" || status=1; }

echo
echo "== Funnel =="
run funnel
echo
echo "== Deals =="
run deals
echo
echo "== Appointments per day =="
run appointments --since 2026-08-31 --until 2026-11-21
echo
echo "The database is $out/sample.db; query it further with:"
echo "  $sc -c $out/sample.conf deal ACCOUNT"
exit $status
