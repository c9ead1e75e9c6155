#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The forecast's backtest goal (issue 10): on a generated history with a
# known truth (contrib/bench/gen-history.py: 2 years and 4 months, about
# 550 deals), `salescycle forecast --backtest` at every week with what
# was known then; the 95% interval should hold the actual on at least
# 90% of the dates, the 80% interval on 70-90%, and the mean absolute
# error should be below both naive baselines.  Not a test: it prints the
# summary (and the JSON with -j) for README's forecast section.
#
#	usage: contrib/bench/forecast-backtest.sh BUILDDIR [HORIZON [SEED]]
set -eu

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [HORIZON [SEED]]" >&2; exit 2; }
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
sc=$(cd "$1" && pwd)/src/salescycle
horizon=${2:-30}
seed=${3:-7}
[ -x "$sc" ] || { echo "$sc not built" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat >"$T/sc.conf" <<CFGEOF
[general]
database = $T/sc.db
timezone = UTC
internal_domains = example.com

[salesperson anna]
email = anna@example.com

[salesperson bram]
email = bram@example.com

[salesperson carla]
email = carla@example.com
CFGEOF
chmod 600 "$T/sc.conf"
# The history ends on 2026-10-28; "now" a month later.
SALESCYCLE_NOW=2026-11-30T00:00:00Z
export SALESCYCLE_NOW
"$sc" -c "$T/sc.conf" rebuild >/dev/null
/usr/bin/python3 "$top_srcdir/contrib/bench/gen-history.py" --seed "$seed" "$T/sc.db"
"$sc" -c "$T/sc.conf" rebuild >/dev/null
"$sc" -c "$T/sc.conf" deals --format csv | awk -F, 'NR > 1 { n[$4 " " $6]++ }
	END { for (k in n) printf "%s %d\n", k, n[k] }' | sort
# The last date whose whole horizon lies inside the history.
to=$(date -u -d "2026-10-28 - $horizon days" +%F)
"$sc" -c "$T/sc.conf" forecast --backtest --horizon "$horizon" --to "$to" >"$T/bt.txt"
if [ "${VERBOSE:-}" ]; then cat "$T/bt.txt"; else tail -2 "$T/bt.txt"; fi
