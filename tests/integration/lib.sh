# Common helpers of the integration tests (sourced, POSIX sh + bash-isms avoided).
# The harness exports top_srcdir, top_builddir and SC_DATA (Makefile.am).
# Each test gets a fresh temporary folder, removed at exit unless
# SC_KEEP_TMP is set; SKIP (exit 77) when a needed program is missing.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${SC_DATA:=$top_srcdir/tests/data}"
# SC_SALESCYCLE / SC_SALESCYCLED may name a wrapper (valgrind) to run instead.
SALESCYCLE="${SC_SALESCYCLE:-$top_builddir/src/salescycle}"
SALESCYCLED="${SC_SALESCYCLED:-$top_builddir/src/salescycled}"
PY=/usr/bin/python3

T=$(mktemp -d "${TMPDIR:-/tmp}/sc-int-XXXXXX") || exit 99
sc_cleanup_hooks=""

sc_cleanup() {
	for hook in $sc_cleanup_hooks; do
		"$hook" || :
	done
	[ -n "${SC_KEEP_TMP:-}" ] || rm -rf "$T"
}
trap sc_cleanup EXIT
trap 'exit 1' INT TERM

# Registers a function to run at exit (servers to stop).
sc_at_exit() {
	sc_cleanup_hooks="$1 $sc_cleanup_hooks"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# Skips the test when the build has no test hooks (SALESCYCLE_TEST_*):
# they exist only when configured with --enable-test-hooks, as the test
# suite's build is (contrib/bootstrap.sh check).  need_test_hooks HOOK...
need_test_hooks() {
	grep -q '^#define SC_TEST_HOOKS 1' "$top_builddir/autoconf.h" 2>/dev/null ||
		skip "this build has no test hooks ($*): configure --enable-test-hooks"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# A free TCP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until something listens on 127.0.0.1:$1 (up to ${2:-10} seconds).
wait_port() {
	"$PY" - "$1" "${2:-10}" <<'PYEOF'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PYEOF
}

# Runs the CLI with the test's config: sc ARGS...
sc() {
	"$SALESCYCLE" -c "$T/sc.conf" "$@"
}

# Asserts that two values are equal: check_eq WHAT GOT WANT
check_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', want '$3'"
	fi
}

# A JSON value by Python expression over the document j: jq_py 'len(j)' < file
jq_py() {
	"$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# Writes a minimal config for the test: write_config [extra sections on stdin]
write_config() {
	{
		cat <<CFGEOF
[general]
database = $T/sc.db
timezone = Europe/Amsterdam
internal_domains = brightline.nl, brightline.be
ignore_domains = bank.nl

[salesperson anna]
name = Anna de Vries
email = anna@brightline.nl
manager = piet@brightline.nl

[salesperson bram]
name = Bram Jansen
email = bram@brightline.nl
manager = piet@brightline.nl
CFGEOF
		cat
	} > "$T/sc.conf"
	chmod 600 "$T/sc.conf"
}
