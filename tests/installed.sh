#!/bin/sh
# The installed tree agrees on its paths: the systemd units' ExecStart,
# the FILES sections of the three man pages and the programs' compiled-in
# defaults (--help for the configuration, doctor for the database) all
# name SYSCONFDIR/salescycle.conf, and the database's default folder is
# the unit's StateDirectory= (/var/lib/salescycle).  An admin who follows
# any one of them finds the file the service reads.
#
# Run by `make installcheck` (so by distcheck) and by .ci/run after
# `make install DESTDIR=...` for the default prefix and for
# --prefix=/usr --sysconfdir=/etc:
#   installed.sh DESTDIR BINDIR SBINDIR SYSCONFDIR MANDIR SYSTEMDUNITDIR
set -u
[ $# -eq 6 ] || { echo "usage: $0 DESTDIR BINDIR SBINDIR SYSCONFDIR MANDIR UNITDIR" >&2; exit 2; }
D=$1 bindir=$2 sbindir=$3 sysconfdir=$4 mandir=$5 unitdir=$6
conf=$sysconfdir/salescycle.conf
db=/var/lib/salescycle/salescycle.db
failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/sc-installed-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

bad() {
	echo "FAIL: $*" >&2
	failed=1
}

# The line KEY=... of a unit, without the key.
unit_value() {
	sed -n "s/^$2=//p" "$1"
}

# The FILES section of an installed man page.
man_files() {
	sed -n '/^\.SH FILES/,/^\.SH /p' "$1"
}

echo "installed tree: ${D:-/} (configuration $conf)"
unit=$D$unitdir/salescycled.service
inst=$D$unitdir/salescycled@.service
[ -f "$unit" ] || bad "no unit $unit"
[ -f "$inst" ] || bad "no unit $inst"
[ -x "$D$sbindir/salescycled" ] || bad "no $D$sbindir/salescycled"
[ -x "$D$bindir/salescycle" ] || bad "no $D$bindir/salescycle"
[ $failed = 0 ] || exit 1

v=$(unit_value "$unit" ExecStart)
[ "$v" = "$sbindir/salescycled -c $conf" ] ||
	bad "salescycled.service runs '$v', not '$sbindir/salescycled -c $conf'"
v=$(unit_value "$inst" ExecStart)
[ "$v" = "$sbindir/salescycled -c $sysconfdir/salescycle/%i.conf" ] ||
	bad "salescycled@.service runs '$v'"
v=$(unit_value "$unit" StateDirectory)
[ "/var/lib/$v" = "${db%/*}" ] ||
	bad "salescycled.service keeps its state in /var/lib/$v, the database's default is $db"
grep -qx "#LoadCredential=anna-imap:$sysconfdir/salescycle/credentials/anna-imap" "$unit" ||
	bad "salescycled.service shows no LoadCredential= under $sysconfdir"
grep -qx "#EnvironmentFile=$sysconfdir/salescycle/environment" "$unit" ||
	bad "salescycled.service shows no EnvironmentFile= under $sysconfdir"

for page in man1/salescycle.1 man5/salescycle.conf.5 man8/salescycled.8; do
	f=$D$mandir/$page
	if [ ! -f "$f" ]; then
		bad "no man page $f"
		continue
	fi
	man_files "$f" | grep -qxF ".I $conf" ||
		bad "$page: FILES does not name $conf"
	man_files "$f" | grep -qxF ".I $db" ||
		bad "$page: FILES does not name $db"
	grep -F "/salescycle.conf" "$f" | grep -v "$sysconfdir/salescycle" |
		grep -q "etc/salescycle.conf" &&
		bad "$page names another configuration: $(grep -F /salescycle.conf "$f" |
			grep -v "$sysconfdir/salescycle" | head -1)"
done

"$D$sbindir/salescycled" --help >"$T/help" 2>&1
grep -qF "(default $conf)" "$T/help" ||
	bad "salescycled --help: $(grep -e --config "$T/help")"
env -u SALESCYCLE_CONFIG "$D$bindir/salescycle" --help >"$T/help" 2>&1
grep -qF "or $conf)" "$T/help" ||
	bad "salescycle --help: $(grep -e --config "$T/help")"

# The database a configuration without 'database =' gets.
printf '[salesperson anna]\nemail = anna@example.nl\n' >"$T/min.conf"
chmod 600 "$T/min.conf"
"$D$bindir/salescycle" -c "$T/min.conf" doctor >"$T/doctor" 2>&1
v=$(sed -n 's/^database: //p' "$T/doctor")
[ "$v" = "$db" ] || bad "the compiled-in database is '$v', not $db"

[ $failed = 0 ] && echo "PASS: unit, man pages and programs name $conf and $db"
exit $failed
