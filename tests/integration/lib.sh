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
	release_ports
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

# A free TCP port on 127.0.0.1, reserved for this test until it exits.
# Taken below the kernel's ephemeral range, so that no outgoing connection
# (of this test or of one running beside it) gets the port between this
# check and the server's bind; and reserved by a directory in a folder
# that all tests share, so that two tests running at once never pick the
# same one (a server that cannot bind would leave the test talking to the
# other test's server, or to nothing).
free_port() {
	"$PY" - "$T/ports" <<'PYEOF'
import os, random, socket, sys, time
record = sys.argv[1]
lo = 10000
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        hi = int(f.read().split()[0]) - 1
except (OSError, ValueError, IndexError):
    hi = 32767
if hi < lo + 1000:
    lo, hi = 1024, 65535
reserved = os.path.join(os.environ.get("TMPDIR", "/tmp"), "salescycle-test-ports")
os.makedirs(reserved, exist_ok=True)
for _ in range(1000):
    port = random.randint(lo, hi)
    mark = os.path.join(reserved, str(port))
    try:
        os.mkdir(mark)
    except FileExistsError:
        try:	# a reservation left by a killed test
            if time.time() - os.stat(mark).st_mtime > 3600:
                os.rmdir(mark)
        except OSError:
            pass
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        os.rmdir(mark)
        continue
    finally:
        s.close()
    with open(record, "a") as f:
        f.write(mark + "\n")
    print(port)
    sys.exit(0)
sys.exit("free_port: no free port on 127.0.0.1")
PYEOF
}

# Gives back the ports free_port reserved (at exit, after the servers).
release_ports() {
	[ -f "$T/ports" ] || return 0
	while IFS= read -r mark; do
		rmdir "$mark" 2>/dev/null
	done < "$T/ports"
	return 0
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
