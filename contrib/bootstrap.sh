#!/bin/sh
# Sets salescycle up on a fresh Debian 12 machine and runs it:
#
#   contrib/bootstrap.sh demo    install what is missing, build, start
#                                throwaway IMAP, CalDAV and SMTP servers on
#                                loopback seeded with the sample data, run
#                                the agent once and print the reports
#   contrib/bootstrap.sh check   install what is missing, build, run all tests
#
# Packages are installed only when missing (with sudo unless run as root).
# The build goes to ./build; nothing is installed system-wide.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-}

build_deps="build-essential autoconf automake libtool pkg-config
libetpan-dev libcurl4-gnutls-dev libical-dev libexpat1-dev libsqlite3-dev
libinih-dev libpsl-dev libgnutls28-dev libjansson-dev zlib1g-dev libcmocka-dev tzdata"
demo_deps="dovecot-imapd radicale python3-tz python3-aiosmtpd curl openssl chromium"
test_deps="$demo_deps sqlite3 valgrind"

# Installs the Debian packages of $* that are not installed yet.
need() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "bootstrap: installing$missing"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

# Builds in ./build: "build hooks" with the test suite's hooks
# (configure --enable-test-hooks), "build" without, as a release.  A build
# configured the other way is configured again.
build() {
	[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] ||
		./autogen.sh
	mkdir -p build
	cd build
	have=no
	grep -q '^#define SC_TEST_HOOKS 1' autoconf.h 2>/dev/null && have=yes
	want=no
	[ "${1:-}" = hooks ] && want=yes
	if [ ! -f Makefile ] || [ "$have" != "$want" ]; then
		if [ "$want" = yes ]; then
			../configure -q --enable-test-hooks
		else
			../configure -q
		fi
	fi
	make -j"$(nproc)" V=0
	cd "$top"
}

case "$what" in
demo)
	need $build_deps $demo_deps
	build
	# Dovecot runs its own users, so the demo servers need root.
	if [ "$(id -u)" = 0 ]; then
		exec contrib/demo/run-demo.sh "$top/build"
	fi
	exec sudo contrib/demo/run-demo.sh "$top/build"
	;;
check)
	need $build_deps $test_deps
	build hooks
	cd build
	make -j"$(nproc)" check V=0
	;;
*)
	echo "usage: contrib/bootstrap.sh demo|check" >&2
	exit 2
	;;
esac
