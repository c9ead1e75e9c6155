#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Builds every libFuzzer harness tests/fuzz/fuzz-*.c with clang 14 under
# ASan and UBSan against the project's library sources (src/*.c except the
# two mains and the cmd-*.c commands), with the flags of the ordinary build:
# -include autoconf.h and the pkg-config flags of configure.ac.  autoconf.h
# comes from a configured build folder (-b); without one, configure runs
# into OUTDIR/configured first.  clang and libclang-rt-14-dev are installed
# with apt-get only when missing.
#
#	usage: tests/fuzz/build.sh [-b BUILDDIR] OUTDIR
set -eu

usage() {
	echo "usage: $0 [-b BUILDDIR] OUTDIR" >&2
	exit 2
}

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=
while getopts b: opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
mkdir -p "$1"
out=$(cd "$1" && pwd)

# The libraries of configure.ac's SC_NEED lines, in the same order.
PKGS="libetpan libcurl libical expat sqlite3 inih libpsl gnutls jansson zlib"

CC=${FUZZ_CC:-clang-14}
if ! command -v "$CC" >/dev/null 2>&1 ||
    ! [ -d /usr/lib/llvm-14/lib/clang ] ||
    ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
    >/dev/null 2>&1; then
	echo "fuzz: installing clang-14 and libclang-rt-14-dev" >&2
	apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-14 libclang-rt-14-dev >&2
fi

if [ -z "$builddir" ]; then
	builddir=$out/configured
	if [ ! -f "$builddir/autoconf.h" ]; then
		[ -x "$srcdir/configure" ] || (cd "$srcdir" && ./autogen.sh)
		mkdir -p "$builddir"
		(cd "$builddir" && "$srcdir/configure" -q --disable-integration)
	fi
fi
builddir=$(cd "$builddir" && pwd)
[ -f "$builddir/autoconf.h" ] ||
	{ echo "fuzz: $builddir/autoconf.h missing: not a configured build" >&2; exit 2; }

# libFuzzer wants the harness linked with -fsanitize=fuzzer and the code
# under test built with fuzzer-no-link (coverage without a second main).
# UBSan findings abort, so that they count as crashes.
SAN="address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter"
CPPFLAGS="-include $builddir/autoconf.h -I$srcdir/src $(pkg-config --cflags $PKGS)"
# libetpan's .pc carries gcc's -specs= from the Debian build; clang only
# warns about it, so it is dropped.
LIBS="$(pkg-config --libs $PKGS | sed 's/-specs=[^ ]*//g') -lpthread -lm"

obj=$out/obj
mkdir -p "$obj"
rm -f "$obj"/*.o "$out/libsalescycle-fuzz.a"
for src in "$srcdir"/src/*.c; do
	name=$(basename "$src" .c)
	case $name in
	salescycle|salescycled|cmd|cmd-*) continue ;;
	esac
	echo "  CC       $name.c"
	$CC $CFLAGS -fsanitize=fuzzer-no-link,$SAN $CPPFLAGS \
	    -c "$src" -o "$obj/$name.o"
done
ar rcs "$out/libsalescycle-fuzz.a" "$obj"/*.o

built=0
for harness in "$srcdir"/tests/fuzz/fuzz-*.c; do
	[ -f "$harness" ] || continue
	name=$(basename "$harness" .c)
	echo "  CCLD     $name"
	$CC $CFLAGS -fsanitize=fuzzer,$SAN $CPPFLAGS "$harness" \
	    "$out/libsalescycle-fuzz.a" $LIBS -o "$out/$name"
	built=$((built + 1))
done
[ "$built" -gt 0 ] || { echo "fuzz: no harness in tests/fuzz" >&2; exit 1; }
echo "fuzz: $built fuzzers in $out"
