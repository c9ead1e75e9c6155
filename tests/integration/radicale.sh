# Shell functions of the CalDAV integration tests (sourced after lib.sh):
# a throwaway Radicale 3 on a free loopback port in the test's temporary
# folder, with plain htpasswd users and its own storage folder, seeded
# with MKCALENDAR and PUT through curl, stopped at exit.  Radicale logs
# every request at level info, which the tests count.

: "${RADICALE:=$(command -v radicale || echo /usr/bin/radicale)}"

# Skips the test (exit 77) when Radicale or curl is missing.
radicale_require() {
	[ -x "$RADICALE" ] || skip "radicale not found"
	command -v curl >/dev/null 2>&1 || skip "curl not found"
}

# Adds a user before the server starts: radicale_user NAME PASSWORD
radicale_user() {
	mkdir -p "$T/radicale"
	echo "$1:$2" >>"$T/radicale/users"
}

# Starts the server; sets RADICALE_PORT and RADICALE_URL (no trailing slash).
radicale_start() {
	mkdir -p "$T/radicale/collections"
	touch "$T/radicale/users"
	RADICALE_PORT=$(free_port)
	RADICALE_URL="http://127.0.0.1:$RADICALE_PORT"
	cat >"$T/radicale/config" <<EOF
[server]
hosts = 127.0.0.1:$RADICALE_PORT

[auth]
type = htpasswd
htpasswd_filename = $T/radicale/users
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = $T/radicale/collections

[web]
type = none

[logging]
level = info
mask_passwords = True
EOF
	"$RADICALE" --config "$T/radicale/config" >"$T/radicale/log" 2>&1 &
	RADICALE_PID=$!
	sc_at_exit radicale_stop
	wait_port "$RADICALE_PORT" 20 || {
		cat "$T/radicale/log"
		fail "radicale did not start"
	}
}

radicale_stop() {
	if [ -n "${RADICALE_PID:-}" ]; then
		kill "$RADICALE_PID" 2>/dev/null
		wait "$RADICALE_PID" 2>/dev/null
		RADICALE_PID=
	fi
}

# curl as a user: radicale_curl USER:PASSWORD ARGS...
radicale_curl() {
	_auth=$1
	shift
	curl -sS -f -u "$_auth" "$@"
}

# Creates a calendar: radicale_mkcal USER:PASSWORD PATH DISPLAYNAME
radicale_mkcal() {
	radicale_curl "$1" -X MKCALENDAR -H 'Content-Type: application/xml' \
	    --data-binary "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">
<D:set><D:prop><D:displayname>$3</D:displayname>
<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>" "$RADICALE_URL/$2/" >/dev/null ||
		fail "MKCALENDAR $2"
}

# Stores an iCalendar file: radicale_put USER:PASSWORD PATH FILE
radicale_put() {
	radicale_curl "$1" -X PUT -H 'Content-Type: text/calendar; charset=utf-8' \
	    --data-binary "@$3" "$RADICALE_URL/$2" >/dev/null || fail "PUT $2"
}

# Deletes an item: radicale_delete USER:PASSWORD PATH
radicale_delete() {
	radicale_curl "$1" -X DELETE "$RADICALE_URL/$2" >/dev/null ||
		fail "DELETE $2"
}

# Number of requests Radicale has logged so far.
radicale_requests() {
	grep -c 'request for' "$T/radicale/log"
}
