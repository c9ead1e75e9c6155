#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Soak test (issue 6, "Hardening"): the agent polls ACCOUNTS salespeople,
# each with an IMAP source (INBOX and Sent, throwaway Dovecot) and a
# CalDAV source (throwaway Radicale), every INTERVAL to twice INTERVAL
# seconds (SOAK_INTERVAL, default 10), for MINUTES while
# mail and calendar items keep arriving at a steady rate (deliver.py:
# offers, order confirmations, contacts, internal mail and newsletters;
# customer visits and internal meetings created, moved and deleted).
# The agent's RSS and open file descriptors are sampled every 10 s into
# samples.csv; how late each source is polled and the wall time of each
# pass over every source are sampled every second (../scale/lag.py) into
# lag.csv.  At the end the deliveries stop, one full poll cycle runs,
# SIGTERM must stop the agent with exit 0 within 5 s, and the store is
# compared with the seeded truth (check.py): every message gives its
# signal exactly once, every live event is one appointment on its current
# day, deleted events count nowhere.  Prints a markdown summary; exits 1
# on any failure and then keeps its folder (store, logs, samples, truth).
#
# Runs as root (Dovecot), in a TMPDIR of its own below /tmp/sc-soak-*.
# Environment: SOAK_SEED (random seed, default: the time), SOAK_MAIL_PER_S
# (default 2), SOAK_EVENT_PER_S (default 1), SOAK_PER_ACCOUNT (messages per
# account seeded before the agent starts, default 4; half as many events),
# SOAK_INTERVAL (seconds, default 10: polls every 10 to 20 s; at 2,000
# accounts, 4,000 sources, take 60 or more: one pass over them takes
# about a minute with 4 workers), SC_KEEP_TMP (keep the folder after a
# pass too).  Salespeople are sp001..sp999, or sp0001.. from 1,000 on.
#
#	usage: contrib/bench/soak/run.sh BUILDDIR [MINUTES [ACCOUNTS]]
set -eu

usage() {
	echo "usage: $0 BUILDDIR [MINUTES [ACCOUNTS]]" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 3 ] || usage
MINUTES=${2:-10}
ACCOUNTS=${3:-50}
case "$MINUTES$ACCOUNTS" in *[!0-9]*) usage ;; esac
[ "$MINUTES" -ge 1 ] && [ "$ACCOUNTS" -ge 1 ] && [ "$ACCOUNTS" -le 9999 ] || usage
INTERVAL=${SOAK_INTERVAL:-10}
case "$INTERVAL" in '' | *[!0-9]*) usage ;; esac
[ "$INTERVAL" -ge 1 ] || usage
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
top_builddir=$(cd "$1" && pwd)
here="$top_srcdir/contrib/bench/soak"
export top_srcdir top_builddir

# A TMPDIR of our own: lib.sh makes its folder T inside and removes T at
# exit; the trap below removes this one when it is empty.
SOAK_TMP=$(mktemp -d /tmp/sc-soak-XXXXXX)
chmod 755 "$SOAK_TMP"
TMPDIR=$SOAK_TMP
export TMPDIR
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/tests/integration/radicale.sh"
trap 'sc_cleanup; rmdir "$SOAK_TMP" 2>/dev/null || :' EXIT

dovecot_require
radicale_require
[ -x "$SALESCYCLED" ] || fail "$SALESCYCLED not built"
[ -x "$SALESCYCLE" ] || fail "$SALESCYCLE not built"

SEED=${SOAK_SEED:-$(date +%s)}
PER_ACCOUNT=${SOAK_PER_ACCOUNT:-4}
SOAK_PW=soak-pw
SOAK_ACCOUNTS=$ACCOUNTS
SOAK_SEED=$SEED
export SOAK_PW SOAK_ACCOUNTS SOAK_SEED
MAX_INTERVAL=$((2 * INTERVAL))
# Names as wide as the largest (deliver.py names them alike).
WIDTH=3
[ "$ACCOUNTS" -le 999 ] || WIDTH=4
failures=""

# Notes a failed check; the run goes on to report everything.
soak_fail() {
	echo "soak: FAIL: $*" >&2
	failures="$failures
- $*"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "soak: $ACCOUNTS accounts, $MINUTES minutes, seed $SEED, folder $T" >&2
names=""
i=1
while [ $i -le "$ACCOUNTS" ]; do
	names="$names $(printf 'sp%0*d' "$WIDTH" $i)"
	i=$((i + 1))
done

dovecot_start
for u in $names; do
	dovecot_user "$u" "$SOAK_PW"
	radicale_user "$u" "$SOAK_PW"
done
radicale_start
for u in $names; do
	radicale_mkcal "$u:$SOAK_PW" "$u/werk" Werk
done

# The configuration, and each source's interval for lag.py.
: >"$T/intervals"
i=0
for u in $names; do
	iv_imap=$((INTERVAL + i % (INTERVAL + 1)))
	iv_dav=$((INTERVAL + (i + INTERVAL / 2) % (INTERVAL + 1)))
	printf 'imap:%s %s\ncaldav:%s %s\n' "$u" "$iv_imap" "$u" "$iv_dav" \
	    >>"$T/intervals"
	cat <<EOF

[salesperson $u]
name = Verkoper $u
email = $u@brightline.nl
manager = piet@brightline.nl

[imap $u]
url = imap://127.0.0.1:$DC_PORT
tls = none
user = $u
password_env = SOAK_PW
poll_interval = ${iv_imap}s

[caldav $u]
url = $RADICALE_URL/
tls = none
user = $u
password_env = SOAK_PW
poll_interval = ${iv_dav}s
EOF
	i=$((i + 1))
done | write_config

SOAK_DOVEADM_CONF="$DC/dovecot.conf"
SOAK_DAV_URL=$RADICALE_URL
export SOAK_DOVEADM_CONF SOAK_DAV_URL
echo "soak: seeding $PER_ACCOUNT messages per account" >&2
"$PY" "$here/deliver.py" seed "$T/truth.jsonl" "$PER_ACCOUNT" ||
    fail "seeding failed"

"$SALESCYCLED" -c "$T/sc.conf" -v 2>"$T/agent.log" &
pid=$!
stop_agent() {
	kill "$pid" 2>/dev/null || :
}
sc_at_exit stop_agent
t_start=$(date +%s)

# Appends one sample of the agent to samples.csv: sample LABEL
echo "time,elapsed_s,label,rss_kb,fds,threads" >"$T/samples.csv"
sample() {
	_st=$(cat "/proc/$pid/status" 2>/dev/null) || return 0
	_fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
	_now=$(date +%s)
	printf '%s,%s,%s,%s,%s,%s\n' "$_now" $((_now - t_start)) "$1" \
	    "$(echo "$_st" | awk '/^VmRSS:/ { print $2 }')" "$_fds" \
	    "$(echo "$_st" | awk '/^Threads:/ { print $2 }')" >>"$T/samples.csv"
}
# The RSS and fds of the sample labelled $1: "RSS FDS".
sampled() {
	awk -F, -v l="$1" '$3 == l { print $4, $5 }' "$T/samples.csv"
}
alive() {
	kill -0 "$pid" 2>/dev/null
}

echo "soak: waiting for the first sync of $((2 * ACCOUNTS)) sources" >&2
"$PY" "$here/check.py" synced "$T/sc.db" $((2 * ACCOUNTS)) $((600 + ACCOUNTS / 2)) ||
    { tail -20 "$T/agent.log" >&2; fail "first sync did not finish"; }
alive || { tail -20 "$T/agent.log" >&2; fail "the agent died during the first sync"; }
t_synced=$(date +%s)
sample start
(
	while alive; do
		sleep 10
		sample tick
	done
) &
sampler_pid=$!
stop_sampler() {
	kill "$sampler_pid" 2>/dev/null || :
}
sc_at_exit stop_sampler

echo "soak: delivering for $MINUTES minutes" >&2
"$PY" "$here/deliver.py" run "$T/truth.jsonl" $((MINUTES * 60)) 2>"$T/deliver.log" &
deliver_pid=$!
stop_deliver() {
	kill "$deliver_pid" 2>/dev/null || :
}
sc_at_exit stop_deliver
# How late the sources are polled, and each pass's wall time, meanwhile.
"$PY" "$top_srcdir/contrib/bench/scale/lag.py" "$T/sc.db" "$T/intervals" \
    $((MINUTES * 60)) "$T/lag.csv" >"$T/lag.out" 2>"$T/lag.err" &
lag_pid=$!
stop_lag() {
	kill "$lag_pid" 2>/dev/null || :
}
sc_at_exit stop_lag
half=$((t_synced + MINUTES * 30))
mid_done=
while kill -0 "$deliver_pid" 2>/dev/null; do
	if ! alive; then
		soak_fail "the agent died while mail and events arrived"
		stop_deliver
		break
	fi
	if [ -z "$mid_done" ] && [ "$(date +%s)" -ge "$half" ]; then
		sample middle
		mid_done=1
	fi
	sleep 1
done
deliver_rc=0
wait "$deliver_pid" || deliver_rc=$?
cat "$T/deliver.log" >&2
[ "$deliver_rc" = 0 ] || soak_fail "delivery failed (exit $deliver_rc)"
stop_lag
wait "$lag_pid" || soak_fail "lag.py failed: $(cat "$T/lag.err")"

echo "soak: deliveries stopped; waiting for one full poll cycle" >&2
if alive; then
	"$PY" "$here/check.py" cycle "$T/sc.db" $((6 * MAX_INTERVAL + 60)) ||
	    soak_fail "no full poll cycle after the deliveries stopped"
fi
sample end
stop_sampler

# SIGTERM: exit 0 within 5 s.
term_s=-
agent_rc=-
if alive; then
	t0=$(date +%s%N)
	kill -TERM "$pid"
	i=0
	while alive && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if alive; then
		soak_fail "the agent did not stop within 5 s of SIGTERM"
		kill -KILL "$pid" 2>/dev/null || :
	fi
	term_s=$(( ($(date +%s%N) - t0) / 1000000 ))
	term_s=$(printf '%d.%02d' $((term_s / 1000)) $((term_s % 1000 / 10)))
	agent_rc=0
	wait "$pid" || agent_rc=$?
	[ "$agent_rc" = 0 ] || soak_fail "the agent exited with status $agent_rc after SIGTERM"
else
	agent_rc=0
	wait "$pid" || agent_rc=$?
	soak_fail "the agent was not running at the end (exit status $agent_rc)"
fi

echo "soak: comparing the store with the seeded truth" >&2
compare_rc=0
if "$SALESCYCLE" -c "$T/sc.conf" appointments --format json >"$T/appointments.json" \
    2>"$T/cli.err"; then
	"$PY" "$here/check.py" compare "$T/sc.db" "$T/truth.jsonl" \
	    "$T/appointments.json" >"$T/compare.out" 2>"$T/compare.err" || compare_rc=$?
	cat "$T/compare.err" >&2
else
	cat "$T/cli.err" >&2
	soak_fail "salescycle appointments failed"
	compare_rc=1
fi
[ "$compare_rc" = 0 ] || soak_fail "the store differs from the seeded truth (see compare.err)"
if ! (dovecot_assert_readonly) 2>"$T/readonly.err"; then
	soak_fail "$(cat "$T/readonly.err")"
fi
# Dovecot tags what RFC 3501 says a client should not do (STATUS on the
# selected mailbox, whose answer may be stale) with [CLIENTBUG].
clientbug=$(cat "$DC"/rawlog/*/*.out 2>/dev/null | grep -c 'CLIENTBUG' || :)
[ "$clientbug" = 0 ] ||
    soak_fail "Dovecot answered $clientbug commands with [CLIENTBUG] ($(cat "$DC"/rawlog/*/*.out |
    grep -m1 -o '\[CLIENTBUG.*' | tr -d '\r'))"

# Flat: the end within 10% (at least 2 MB) of the RSS after the first
# sync, and the descriptors between polls at most 2 more: the lowest of
# the last six samples (a minute) against the lowest of the first six.
# Polls in flight add a few to any one sample (a CalDAV poll's curl
# handle holds three descriptors while it runs); a leak raises the lowest.
read -r rss0 fd0 <<EOF
$(sampled start)
EOF
read -r rss1 fd1 <<EOF
$(sampled middle)
EOF
read -r rss2 fd2 <<EOF
$(sampled end)
EOF
rss_max=$(awk -F, 'NR > 1 && $4 > m { m = $4 } END { print m }' "$T/samples.csv")
fd_max=$(awk -F, 'NR > 1 && $5 > m { m = $5 } END { print m }' "$T/samples.csv")
nsamples=$(($(wc -l <"$T/samples.csv") - 1))
rss_flat=yes
fd_flat=yes
if [ -z "${rss0:-}" ] || [ -z "${rss2:-}" ]; then
	soak_fail "no sample of the agent after the first sync and at the end"
	rss0=${rss0:-0} fd0=${fd0:-0} rss2=${rss2:-0} fd2=${fd2:-0}
	rss_flat=- fd_flat=-
fi
rss1=${rss1:-0} fd1=${fd1:-0}
margin=$((rss0 / 10 > 2048 ? rss0 / 10 : 2048))
[ "$rss2" -le $((rss0 + margin)) ] || { rss_flat=NO; soak_fail "RSS grew from $rss0 to $rss2 KB"; }
fd_lo0=$(awk -F, 'NR > 1 && NR <= 7 { if (m == "" || $5 < m) m = $5 } END { print m + 0 }' "$T/samples.csv")
fd_lo2=$(tail -n 6 "$T/samples.csv" | awk -F, '{ if (m == "" || $5 < m) m = $5 } END { print m + 0 }')
[ "$fd_lo2" -le $((fd_lo0 + 2)) ] ||
    { fd_flat=NO; soak_fail "open descriptors between polls grew from $fd_lo0 to $fd_lo2"; }
# Passes: the wall time of the agent's round over every source, flat
# when the last is within 25% (at least 10 s) of the first.
passes=$(sed -n 's/^passes //p' "$T/lag.out")
# shellcheck disable=SC2086
set -- $passes
pass_flat=-
pass0=- pass1=- pass2=- pass_max=-
if [ $# -ge 2 ]; then
	pass0=$1
	eval "pass1=\${$((($# + 1) / 2))}"
	eval "pass2=\${$#}"
	pass_max=$(printf '%s\n' "$@" | sort -n | tail -1)
	pass_flat=yes
	[ "$pass2" -le $((pass0 + (pass0 / 4 > 10 ? pass0 / 4 : 10))) ] ||
	    { pass_flat=NO; soak_fail "a pass took ${pass0} s at first and ${pass2} s at the end"; }
else
	soak_fail "fewer than two complete passes over the sources: $passes"
fi
read -r _ late_s late_src late_iv <<EOF
$(grep '^late ' "$T/lag.out")
EOF
late_over=$(sed -n 's/^over //p' "$T/lag.out")
[ "${late_over:-1}" = 0 ] ||
    soak_fail "$late_over sources were polled more than one interval late (worst $late_src: $late_s s, interval $late_iv s)"
warnings=$(grep -c '^salescycled: warning: ' "$T/agent.log" || :)
errors=$(grep -c '^salescycled: error: ' "$T/agent.log" || :)
! grep '^salescycled: fatal: ' "$T/agent.log" >&2 || soak_fail "the agent logged a fatal error"

mb() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}
result=PASS
[ -z "$failures" ] || result=FAIL
cat <<EOF
## Soak test: $result

$ACCOUNTS accounts (IMAP INBOX + Sent, CalDAV), poll every $INTERVAL-$MAX_INTERVAL s, $MINUTES min of deliveries
($(sed -n 's/^deliver: //p' "$T/deliver.log")); Dovecot $("$DOVECOT" --version | cut -d' ' -f1),
Radicale $("$RADICALE" --version), $(nproc) cores (load average at start $load, at the end $(cut -d' ' -f1-3 /proc/loadavg)); seed $SEED.

| agent | after first sync | middle | end | max | flat |
|-------|-----------------:|-------:|----:|----:|------|
| RSS MB | $(mb "$rss0") | $(mb "$rss1") | $(mb "$rss2") | $(mb "$rss_max") | $rss_flat (margin $(mb "$margin") MB) |
| open fds | $fd0 | $fd1 | $fd2 | $fd_max | - |
| open fds between polls (lowest in a minute) | $fd_lo0 | - | $fd_lo2 | - | $fd_flat |
| pass over every source, wall s | $pass0 | $pass1 | $pass2 | $pass_max | $pass_flat |

$(printf '%s\n' $passes | grep -c .) complete passes during the deliveries (lag.csv; a pass
includes the wait of up to $MAX_INTERVAL s for a source's interval); latest poll
$late_s s behind its interval ($late_src, interval $late_iv s); $late_over sources more than one interval late.

$nsamples samples, every 10 s (samples.csv). SIGTERM: exit status $agent_rc after $term_s s.
Agent log: $warnings warnings, $errors errors.
Dovecot protocol log: $clientbug answers tagged [CLIENTBUG]; read-only commands only: $([ -s "$T/readonly.err" ] && echo NO || echo yes).

| store vs seeded truth | expected | got | |
|-----------------------|---------:|----:|-|
$(sed -n 's/^seeded: .*//; /\t/{s/\t/ | /g; s/^/| /; s/$/ |/; p}' "$T/compare.out")

$(sed -n 's/^seeded: /Seeded: /p' "$T/compare.out")
EOF
if [ -n "$failures" ]; then
	printf '\nFailures:%s\n\nEvidence kept in %s (sc.db, agent.log, samples.csv, truth.jsonl, compare.err, dovecot/, radicale/log).\n' \
	    "$failures" "$T"
fi
printf '\nReproduce (as root, after make): `SOAK_SEED=%s SOAK_INTERVAL=%s contrib/bench/soak/run.sh BUILDDIR %s %s`\n' \
    "$SEED" "$INTERVAL" "$MINUTES" "$ACCOUNTS"
if [ -n "$failures" ]; then
	# shellcheck disable=SC2034 # read by sc_cleanup (lib.sh)
	SC_KEEP_TMP=1
	exit 1
fi
exit 0
