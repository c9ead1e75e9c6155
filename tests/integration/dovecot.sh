# Throwaway Dovecot for the integration tests (sourced after lib.sh).
#
# dovecot_start [tls]   starts Dovecot on free loopback ports in $T/dovecot,
#                       running as root with mail owned by the `mail` user,
#                       users from a passwd-file (dovecot_user), \Sent by
#                       SPECIAL-USE, and a raw protocol log of every IMAP
#                       session in $T/dovecot/rawlog (the read-only proof).
#                       With "tls": a self-signed certificate for localhost
#                       and 127.0.0.1 ($DC_CA), STARTTLS on $DC_PORT and
#                       implicit TLS on $DC_TLS_PORT.
# Set DC_SEP (default /) and DC_PREFIX (default empty) before starting for
# another hierarchy delimiter and namespace prefix; DC_CERT_NAME for a
# certificate made out to another host name; DC_EXTRA_CONF for more
# settings (e.g. "mail_never_cache_fields = *"); DC_MAILBOXES for other
# mailbox blocks in the inbox namespace than Sent (\Sent), "Verzonden
# items" and Drafts (\Drafts), e.g. folders without special use.
# Messages are seeded with `doveadm save` (no IMAP session, so the rawlog
# only holds what salescycled sent).  The server is stopped at exit.

DOVECOT=${DOVECOT:-$(command -v dovecot || echo /usr/sbin/dovecot)}
DOVEADM=${DOVEADM:-$(command -v doveadm || echo /usr/bin/doveadm)}

# Skips the test when Dovecot cannot run here.
dovecot_require() {
	[ -x "$DOVECOT" ] || skip "dovecot not installed"
	[ -x "$DOVEADM" ] || skip "doveadm not installed"
	[ "$(id -u)" = 0 ] || skip "the Dovecot tests run as root"
	id mail >/dev/null 2>&1 || skip "no 'mail' user"
	id dovenull >/dev/null 2>&1 || skip "no 'dovenull' user"
	if [ "${1:-}" = tls ]; then
		command -v openssl >/dev/null 2>&1 || skip "openssl not installed"
	fi
}

# Adds a user with a password: dovecot_user NAME PASSWORD
dovecot_user() {
	printf '%s:{PLAIN}%s::::\n' "$1" "$2" >> "$DC/passwd"
	mkdir -p "$DC/mail/$1" "$DC/rawlog/$1"
	chown -R mail:mail "$DC/mail/$1" "$DC/rawlog/$1"
}

# Makes a self-signed certificate for $1 (and 127.0.0.1 when $1 is localhost).
dovecot_make_cert() {
	san="DNS:$1"
	[ "$1" = localhost ] && san="$san,IP:127.0.0.1"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
		-addext "subjectAltName=$san" -keyout "$DC/key.pem" \
		-out "$DC/cert.pem" >/dev/null 2>&1 || fail "openssl req"
	DC_CA="$DC/cert.pem"
}

dovecot_start() {
	dovecot_require "${1:-}"
	DC="$T/dovecot"
	mkdir -p "$DC/run" "$DC/state" "$DC/mail" "$DC/rawlog"
	# The mail user must reach its files below the test's folder.
	chmod 755 "$T" "$DC"
	chown mail:mail "$DC/mail" "$DC/rawlog"
	: > "$DC/passwd"
	chmod 644 "$DC/passwd"
	DC_PORT=$(free_port)
	DC_TLS_PORT=$(free_port)
	ssl=no
	if [ "${1:-}" = tls ]; then
		dovecot_make_cert "${DC_CERT_NAME:-localhost}"
		ssl=yes
	fi
	sep=${DC_SEP:-/}
	prefix=${DC_PREFIX:-}
	dc_mailboxes='  mailbox Sent {
    special_use = \Sent
    auto = create
  }
  mailbox "Verzonden items" {
    auto = create
  }
  mailbox Drafts {
    special_use = \Drafts
    auto = create
  }'
	cat > "$DC/dovecot.conf" <<DCEOF
base_dir = $DC/run
state_dir = $DC/state
instance_name = sc-test-$$
log_path = $DC/dovecot.log
info_log_path = $DC/dovecot.log
protocols = imap
listen = 127.0.0.1, 127.0.0.2
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_uid = mail
mail_gid = mail
mail_location = maildir:$DC/mail/%u
rawlog_dir = $DC/rawlog/%u
auth_mechanisms = plain login
disable_plaintext_auth = no
ssl = $ssl
${DC_EXTRA_CONF:-}
$( [ "$ssl" = yes ] && printf 'ssl_cert = <%s\nssl_key = <%s\n' "$DC/cert.pem" "$DC/key.pem")
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DC/passwd
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$DC/mail/%u
}
namespace inbox {
  inbox = yes
  separator = $sep
  prefix = $prefix
${DC_MAILBOXES:-$dc_mailboxes}
}
service imap-login {
  inet_listener imap {
    port = $DC_PORT
  }
  inet_listener imaps {
    port = $DC_TLS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
DCEOF
	[ "$ssl" = yes ] || sed -i '/inet_listener imaps/,/}/d' "$DC/dovecot.conf"
	"$DOVECOT" -c "$DC/dovecot.conf" 2>"$DC/start.err" ||
		{ cat "$DC/start.err" "$DC/dovecot.log" 2>/dev/null; fail "dovecot did not start"; }
	sc_at_exit dovecot_stop
	wait_port "$DC_PORT" || { cat "$DC/dovecot.log"; fail "dovecot not listening"; }
}

dovecot_stop() {
	[ -n "${DC:-}" ] && [ -f "$DC/run/master.pid" ] || return 0
	pid=$(cat "$DC/run/master.pid")
	kill "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# Kills the server as a crash would: the master and every process it
# started (the IMAP sessions too), with SIGKILL.  dovecot_restart starts
# it again with the same configuration and ports.
dovecot_kill() {
	pid=$(cat "$DC/run/master.pid") || fail "no dovecot master pid"
	kids=$(pgrep -P "$pid" || :)
	kill -KILL "$pid" $kids 2>/dev/null || :
	i=0
	while kill -0 "$pid" $kids 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f "$DC/run/master.pid"
}

dovecot_restart() {
	"$DOVECOT" -c "$DC/dovecot.conf" 2>"$DC/start.err" ||
		{ cat "$DC/start.err"; fail "dovecot did not start again"; }
	wait_port "$DC_PORT" || fail "dovecot not listening again"
}

# doveadm against the test server: dc_adm ARGS...
dc_adm() {
	"$DOVEADM" -c "$DC/dovecot.conf" "$@"
}

# Saves a message file into a folder without an IMAP session:
# dovecot_save USER FOLDER FILE
dovecot_save() {
	dc_adm save -u "$1" -m "$2" < "$3" || fail "doveadm save $1 $2 $3"
}

# Flags and modseqs of a folder, one line per message: dovecot_state USER FOLDER
dovecot_state() {
	dc_adm -f flow fetch -u "$1" "uid flags modseq" mailbox "$2"
	dc_adm -f flow mailbox status -u "$1" "highestmodseq uidvalidity uidnext messages" "$2"
}

# All client commands of all sessions (what salescycled sent), without
# the rawlog time stamps and the tags.
dovecot_commands() {
	cat "$DC"/rawlog/*/*.in 2>/dev/null | tr -d '\r' | sed -n 's/^[^ ]* [^ ]* //p'
}

# Fails if any session wrote: SELECT, STORE, EXPUNGE, APPEND, COPY, MOVE,
# or fetched a body without PEEK.
dovecot_assert_readonly() {
	bad=$(dovecot_commands | grep -Ei \
		'^(UID )?(SELECT|STORE|EXPUNGE|APPEND|COPY|MOVE|DELETE|RENAME|CREATE|SETMETADATA)( |$)|BODY\[|RFC822( |\)|$)|RFC822\.TEXT' || :)
	[ -z "$bad" ] || fail "write or non-PEEK command in the protocol log: $bad"
}

# Counts client commands matching a regular expression (extended, case-insensitive).
dovecot_count() {
	dovecot_commands | grep -Eci "$1" || :
}
