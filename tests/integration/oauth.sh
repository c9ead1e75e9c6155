# The stand-in OAuth 2.0 server of the tests (sourced after lib.sh).
#
# oauth_start       starts tests/integration/oauth-server.py on a free
#                   loopback port in $T/oauth with $T/oauth/ctl.json as
#                   written by oauth_ctl; exports OA_URL (http://127.0.0.1:PORT)
# oauth_start_front UPSTREAM_PORT  the same, and a bearer-token front of
#                   the CalDAV server on UPSTREAM_PORT; exports OA_FRONT_URL
# oauth_ctl JSON    replaces ctl.json (read by the server on every request)
# oauth_events RE   counts the server's events matching RE
# oauth_dovecot_conf  Dovecot settings for passdb oauth2 against the
#                   server's introspection endpoint, for DC_EXTRA_CONF
# oauth_assert_no_leak FILE...  fails when any token the server handed out
#                   appears in one of the files
# oauth_refresh_token USER  the one refresh token the server holds for USER

oauth_start() {
	OA="$T/oauth"
	mkdir -p "$OA"
	[ -f "$OA/ctl.json" ] || fail "oauth_ctl before oauth_start"
	OA_PORT=$(free_port)
	OA_URL="http://127.0.0.1:$OA_PORT"
	"$PY" "$top_srcdir/tests/integration/oauth-server.py" "$OA" "$OA_PORT" \
		${OA_FRONT_PORT:+"$OA_FRONT_PORT" "$1"} 2>"$OA/server.err" &
	OA_PID=$!
	sc_at_exit oauth_stop
	wait_port "$OA_PORT" || { cat "$OA/server.err"; fail "oauth server not listening"; }
	[ -z "${OA_FRONT_PORT:-}" ] || wait_port "$OA_FRONT_PORT" ||
		{ cat "$OA/server.err"; fail "bearer front not listening"; }
}

oauth_start_front() {
	OA_FRONT_PORT=$(free_port)
	OA_FRONT_URL="http://127.0.0.1:$OA_FRONT_PORT"
	oauth_start "$1"
}

oauth_stop() {
	[ -n "${OA_PID:-}" ] && kill "$OA_PID" 2>/dev/null
	return 0
}

oauth_ctl() {
	OA="$T/oauth"
	mkdir -p "$OA"
	printf '%s\n' "$1" > "$OA/ctl.json.tmp" && mv "$OA/ctl.json.tmp" "$OA/ctl.json"
}

oauth_events() {
	grep -cE "$1" "$T/oauth/events.log" 2>/dev/null || :
}

oauth_dovecot_conf() {
	cat > "$T/dovecot-oauth2.conf.ext" <<OAEOF
introspection_mode = post
introspection_url = $OA_URL/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
OAEOF
	cat <<OAEOF
auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $T/dovecot-oauth2.conf.ext
}
OAEOF
}

oauth_assert_no_leak() {
	[ -s "$T/oauth/tokens.txt" ] || fail "the server handed out no token"
	for f in "$@"; do
		[ -e "$f" ] || continue
		if grep -aqFf "$T/oauth/tokens.txt" "$f"; then
			fail "a token is in $f"
		fi
	done
}

oauth_refresh_token() {
	jq_py "[k for k, v in j.items() if v == '$1'][0]" < "$T/oauth/refresh.json"
}
