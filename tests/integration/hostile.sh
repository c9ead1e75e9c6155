# Shell functions of the tests against the hostile server hostile.py
# (sourced after lib.sh): start a scenario on a free loopback port, run
# the agent once under /usr/bin/time -v with a deadline, and check its
# peak RSS, its run time and how it ended.

HOSTILE_PY="$top_srcdir/tests/integration/hostile.py"
# The limits every hostile scenario is held to.
RSS_LIMIT_KB=65536

# Skips the test (exit 77) when what it needs is missing.
hostile_require() {
	[ -x "$PY" ] || skip "$PY not found"
	[ -x /usr/bin/time ] || skip "/usr/bin/time not found"
	[ -x "$SALESCYCLED" ] || skip "salescycled not built"
}

# Starts a scenario: hostile_start NAME SCENARIO [OTHER_PORT]; sets
# NAME_PORT and NAME_LOG (requests, one line each).
hostile_start() {
	_port=$(free_port)
	: >"$T/$1.log"
	"$PY" "$HOSTILE_PY" "$2" "$_port" "$T/$1.log" ${3:+"$3"} \
	    >"$T/$1.out" 2>&1 &
	eval "$1_PID=$!"
	eval "$1_PORT=$_port"
	eval "$1_LOG=\$T/$1.log"
	sc_cleanup_hooks="hostile_stop_$1 $sc_cleanup_hooks"
	eval "hostile_stop_$1() { kill \$$1_PID 2>/dev/null; wait \$$1_PID 2>/dev/null; }"
	if [ "$2" = hang-connect ]; then
		# A connect would sit in the full queue: wait for its word.
		for _i in $(seq 50); do
			grep -q listening "$T/$1.log" && return 0
			sleep 0.1
		done
		fail "hostile $2 did not start"
	fi
	wait_port "$_port" 10 || { cat "$T/$1.out"; fail "hostile $2 did not start"; }
}

# Stops a scenario started as NAME: hostile_stop NAME
hostile_stop() {
	"hostile_stop_$1"
}

# Runs salescycled --once under /usr/bin/time -v, killed after DEADLINE
# seconds and kept to 2 GB of address space (so that a runaway cannot take
# the machine down): measured DEADLINE ARGS...  Sets RC (its exit
# status), MSECS (wall clock, ms) and RSS_KB (peak RSS); the log is in
# $T/agent.log.
measured() {
	_deadline=$1
	shift
	_t0=$(date +%s%N)
	(
		ulimit -v 2097152
		exec /usr/bin/time -v -o "$T/time.out" timeout -s KILL "$_deadline" \
		    "$SALESCYCLED" "$@"
	) >"$T/agent.log" 2>&1
	RC=$?
	MSECS=$((($(date +%s%N) - _t0) / 1000000))
	RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$T/time.out")
	[ -n "$RSS_KB" ] || RSS_KB=0
}

# Fails unless the last run kept within the limits: within WHAT
within() {
	# timeout(1) says 124 or 137 when the deadline passed, 128 + N when
	# the agent died of signal N.
	if [ "$RC" -ge 124 ]; then
		tail -20 "$T/agent.log"
		fail "$1: exit status $RC (deadline passed or killed by a signal)"
	fi
	[ "$RSS_KB" -lt "$RSS_LIMIT_KB" ] ||
		{ tail -20 "$T/agent.log"; fail "$1: peak RSS $RSS_KB kB, limit $RSS_LIMIT_KB kB"; }
	echo "$1: exit $RC, $MSECS ms, peak RSS $RSS_KB kB"
}

# Fails when FILE holds a byte of an escape or control sequence (ESC,
# BEL, the C1 CSI U+009B): no_controls WHAT FILE
no_controls() {
	if LC_ALL=C grep -q "$(printf '[\033\007]')" "$2" ||
	    LC_ALL=C grep -q "$(printf '\302\233')" "$2"; then
		LC_ALL=C cat -v "$2" | grep -n '\^\[\|\^G\|M-BM-\^\[' | head -5
		fail "$1: control characters reach $2"
	fi
}

# Fails when a line of the agent's log FILE is not its own (a line feed
# from a server started a new one): own_lines WHAT FILE
own_lines() {
	if grep -v '^salescycled: ' "$2" | grep -q .; then
		grep -v '^salescycled: ' "$2" | head -3
		fail "$1: a server's text starts a line of its own in $2"
	fi
}
