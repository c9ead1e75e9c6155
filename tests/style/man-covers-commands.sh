#!/bin/sh
# Every command and every long option that `salescycle --help` and
# `salescycle COMMAND --help` list must be documented in man/salescycle.1.
. "$(dirname "$0")/../integration/lib.sh"

man="$top_srcdir/man/salescycle.1.in"
[ -x "$SALESCYCLE" ] || fail "$SALESCYCLE not built"
commands=$("$SALESCYCLE" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
[ -n "$commands" ] || fail "no commands in salescycle --help"
missing=0
for c in $commands; do
	# A command with a dash is written with groff's \- (lost\-reasons).
	cesc=$(printf '%s' "$c" | sed 's/-/\\\\-/g')
	if ! grep -q "^\.SS \($c\|$cesc\)\( \|$\)" "$man"; then
		echo "man page lacks command: $c"
		missing=1
	fi
	for o in $("$SALESCYCLE" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		if ! grep -q -- "$esc" "$man"; then
			echo "man page lacks option $o of $c"
			missing=1
		fi
	done
done
for o in $("$SALESCYCLE" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	grep -q -- "$esc" "$man" || { echo "man page lacks common option $o"; missing=1; }
done
# The agent's options are in salescycled(8).
for o in $("$SALESCYCLED" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	grep -q -- "$esc" "$top_srcdir/man/salescycled.8.in" ||
		{ echo "salescycled.8 lacks option $o"; missing=1; }
done
[ "$missing" = 0 ] || fail "the man pages do not match --help"
echo "ok: $(echo $commands | wc -w) commands documented"
