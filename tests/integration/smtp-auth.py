# SPDX-License-Identifier: MIT
"""aiosmtpd on loopback with STARTTLS and AUTH, for doctor's SMTP check.

    SINK_DIR=DIR SINK_USER=U SINK_PASSWORD=P python3 smtp-auth.py PORT CERT KEY

Like `python3 -m aiosmtpd -c smtpsink.Sink` (messages go to DIR as there),
but STARTTLS with CERT and KEY is offered and required before AUTH, and
AUTH PLAIN/LOGIN accepts U with P only.  Each AUTH outcome is appended to
DIR/auth ("ok USER" or "refused USER"), each NOOP to DIR/noop.  Runs until
killed.
"""
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtpsink import Sink  # noqa: E402


def note(name, line):
    with open(os.path.join(os.environ["SINK_DIR"], name), "a") as f:
        f.write(line + "\n")


def authenticate(server, session, envelope, mechanism, auth_data):
    """Accepts the one user with the one password."""
    if not isinstance(auth_data, LoginPassword):
        return AuthResult(success=False, handled=False)
    user = auth_data.login.decode("utf-8", "replace")
    ok = (user == os.environ["SINK_USER"] and
          auth_data.password == os.environ["SINK_PASSWORD"].encode())
    note("auth", ("ok " if ok else "refused ") + user)
    return AuthResult(success=ok, handled=False)


class NoteSMTP(SMTP):
    async def smtp_NOOP(self, arg):
        note("noop", arg or "")
        await super().smtp_NOOP(arg)


class NoteController(Controller):
    def factory(self):
        return NoteSMTP(self.handler, **self.SMTP_kwargs)


def main():
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    c = NoteController(Sink(), hostname="127.0.0.1", port=port,
                       tls_context=ctx, require_starttls=True,
                       authenticator=authenticate, auth_require_tls=True)
    c.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    c.stop()


if __name__ == "__main__":
    main()
