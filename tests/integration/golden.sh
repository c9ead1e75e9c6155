#!/bin/sh
# The golden files of the CLI's JSON shapes (DESIGN section 7), made from
# tests/data/cli/anna with the clock pinned: golden.sh OUTDIR writes them
# there.  cli-import.int compares them with tests/data/expected, and
# `make golden` writes them into tests/data/expected for a reviewed diff.
# Deal ids are renumbered by account and opening (golden-ids.py): the
# files pin shapes and numbers, not the order the database numbered the
# deals in.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: golden.sh OUTDIR}
mkdir -p "$out" || fail "cannot create $out"
SALESCYCLE_NOW=2026-11-21T12:00:00Z
export SALESCYCLE_NOW
write_config </dev/null
sc import --salesperson anna "$SC_DATA/cli/anna" 2>"$T/import.err" || {
	cat "$T/import.err"; fail "import failed"; }
for shape in deals transitions funnel appointments; do
	sc "$shape" --format json >"$T/$shape.json" || fail "$shape failed"
done
sc appointments --by created --format json >"$T/appointments-created.json" ||
	fail "appointments --by created failed"
sc funnel --since 2026-10-12 --until 2026-10-21 --format json \
	>"$T/funnel-oct12.json" || fail "funnel with a range failed"
for f in deals transitions funnel appointments appointments-created \
    funnel-oct12; do
	"$PY" "$(dirname "$0")/golden-ids.py" "$T/deals.json" <"$T/$f.json" \
		>"$out/cli-$f.json" || fail "renumbering $f"
done
