# The hostile IMAP server of imap-hostile.py for the integration tests
# (sourced after lib.sh).
#
# hostile_start SCENARIO  starts it on a free loopback port ($HS_PORT), its
#                         command log in $HS_LOG; stopped at exit.
# hostile_config [LINES]  writes the test's config with [imap anna] on it
#                         (tls = none, timeout = $HS_TIMEOUT or 2s) plus
#                         LINES for that section.
# hostile_run [ARGS]      runs salescycled --once ARGS under /usr/bin/time
#                         -v (and a 300 s safety net): $HR_STATUS is its
#                         exit status, $HR_RSS its peak RSS in KiB,
#                         $HR_SECS its wall time in whole seconds (rounded
#                         up); its stderr is in $T/agent.log.  Fails when
#                         it crashed or its peak RSS was 64 MB or more.
# hostile_limits SECS     fails unless the run returned within SECS seconds.
# hostile_count REGEX     counts the commands in the log matching REGEX
#                         (extended, case-insensitive).

[ -x /usr/bin/time ] || skip "/usr/bin/time not installed"

hostile_start() {
	HS_LOG="$T/hostile.log"
	: > "$HS_LOG"
	"$PY" "$top_srcdir/tests/integration/imap-hostile.py" "$1" \
		"$T/hostile.port" "$HS_LOG" 2>"$T/hostile.err" &
	hs_pid=$!
	sc_at_exit hostile_stop
	i=0
	while [ ! -s "$T/hostile.port" ]; do
		[ $i -lt 100 ] || { cat "$T/hostile.err"; fail "hostile server did not start"; }
		sleep 0.1
		i=$((i + 1))
	done
	HS_PORT=$(cat "$T/hostile.port")
}

hostile_stop() {
	[ -n "${hs_pid:-}" ] && kill "$hs_pid" 2>/dev/null
	return 0
}

hostile_config() {
	write_config <<CFG

[imap anna]
url = imap://127.0.0.1:$HS_PORT
tls = none
user = anna
password_env = SC_TEST_PW_ANNA
timeout = ${HS_TIMEOUT:-2s}
${1:-}
CFG
	export SC_TEST_PW_ANNA=pw-anna
}

hostile_run() {
	HR_STATUS=0
	/usr/bin/time -v -o "$T/time.out" timeout -s KILL 300 \
		"$SALESCYCLED" -c "$T/sc.conf" --once "$@" 2>"$T/agent.log" ||
		HR_STATUS=$?
	HR_RSS=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$T/time.out")
	HR_SECS=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/time.out" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print int(s + 0.999) }')
	grep -q "Command terminated by signal" "$T/time.out" && HR_STATUS=crash
	echo "salescycled --once $*: status $HR_STATUS, ${HR_SECS}s, peak RSS ${HR_RSS} KiB"
	case $HR_STATUS in
	0 | 1) ;;
	*) cat "$T/agent.log"; fail "salescycled crashed or was killed (status $HR_STATUS)" ;;
	esac
	[ "$HR_RSS" -lt 65536 ] || { cat "$T/agent.log"; fail "peak RSS ${HR_RSS} KiB, not under 64 MB"; }
}

hostile_limits() {
	[ "$HR_SECS" -le "$1" ] || { cat "$T/agent.log"; fail "took ${HR_SECS}s, more than $1 s"; }
}

hostile_count() {
	grep -Eci "$1" "$HS_LOG" || :
}
