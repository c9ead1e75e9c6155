#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The floor of the IMAP benchmark: the commands salescycled needs, sent
# raw over plain sockets with nothing done with the answer but reading
# it to its tagged completion (literals are skipped by their length, so
# a header that happens to look like a tagged reply cannot end it early).
#
#	raw-imap.py fetch PORT USER PASSWORD MAILBOX FIELD...
#		LOGIN, EXAMINE, UID FETCH 1:* (UID INTERNALDATE BODYSTRUCTURE
#		BODY.PEEK[HEADER.FIELDS (FIELD...)]), LOGOUT;
#		prints "SECONDS BYTES MESSAGES".
#	raw-imap.py replay PORT USER PASSWORD RAWLOG
#		LOGIN, then every command of RAWLOG (the commands a client
#		sent, as Dovecot's rawlog writes them: "TIME TAG COMMAND",
#		one per line) but LOGIN and LOGOUT, one at a time, LOGOUT;
#		prints "SECONDS BYTES COMMANDS".
#	raw-imap.py status PORT PASSWORD PARALLEL FOLDERS USER...
#		per user, PARALLEL at a time: LOGIN, one STATUS (UIDVALIDITY
#		UIDNEXT MESSAGES HIGHESTMODSEQ) per comma-separated folder,
#		LOGOUT; prints "SECONDS STATUS-COMMANDS".
# SECONDS run from the first connect to the last LOGOUT answer.

import concurrent.futures
import socket
import sys
import time


class Conn:
    """One IMAP connection that reads whole responses and discards them."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.received = 0
        self.untagged = 0
        self.seq = 0
        self.wait(b"*")

    def fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise EOFError("server closed the connection")
        self.received += len(chunk)
        self.buf += chunk

    def wait(self, tag):
        """Reads responses up to the one starting with tag; returns it."""
        start = pos = 0
        while True:
            nl = self.buf.find(b"\r\n", pos)
            if nl < 0:
                del self.buf[:start]
                pos -= start
                start = 0
                self.fill()
                continue
            if nl > pos and self.buf[nl - 1] == ord("}"):
                ob = self.buf.rfind(b"{", pos, nl)
                pos = nl + 2 + int(self.buf[ob + 1:nl - 1].rstrip(b"+"))
                while len(self.buf) < pos:
                    self.fill()
                continue
            line = bytes(self.buf[start:nl])
            start = pos = nl + 2
            if line.startswith(tag + b" "):
                del self.buf[:start]
                return line
            self.untagged += 1

    def cmd(self, text):
        """Sends one command and checks its tagged OK."""
        self.seq += 1
        tag = b"a%d" % self.seq
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        self.untagged = 0
        line = self.wait(tag)
        if not line.startswith(tag + b" OK"):
            raise RuntimeError("%s: %s" % (text.split()[0], line.decode()))
        return line

    def close(self):
        self.cmd("LOGOUT")
        self.sock.close()


def quote(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def fetch(port, user, password, mailbox, fields):
    t0 = time.monotonic()
    c = Conn(port)
    c.cmd("LOGIN %s %s" % (quote(user), quote(password)))
    c.cmd("EXAMINE %s" % quote(mailbox))
    c.cmd("UID FETCH 1:* (UID INTERNALDATE BODYSTRUCTURE "
          "BODY.PEEK[HEADER.FIELDS (%s)])" % " ".join(fields))
    messages = c.untagged
    c.close()
    print("%.3f %d %d" % (time.monotonic() - t0, c.received, messages))


def replay(port, user, password, rawlog):
    commands = []
    with open(rawlog, "rb") as f:
        for raw in f:
            parts = raw.rstrip(b"\r\n").split(b" ", 2)
            if len(parts) < 3 or parts[2].split(b" ")[0].upper() in (
                    b"LOGIN", b"LOGOUT", b"AUTHENTICATE"):
                continue
            commands.append(parts[2].decode())
    t0 = time.monotonic()
    c = Conn(port)
    c.cmd("LOGIN %s %s" % (quote(user), quote(password)))
    for text in commands:
        c.cmd(text)
    c.close()
    print("%.3f %d %d" % (time.monotonic() - t0, c.received, len(commands)))


def status_one(port, user, password, folders):
    c = Conn(port)
    c.cmd("LOGIN %s %s" % (quote(user), quote(password)))
    for f in folders:
        c.cmd("STATUS %s (UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ)" % quote(f))
    c.close()
    return len(folders)


def status(port, password, parallel, folders, users):
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        n = sum(pool.map(lambda u: status_one(port, u, password, folders), users))
    print("%.3f %d" % (time.monotonic() - t0, n))


def main():
    a = sys.argv[1:]
    if len(a) >= 6 and a[0] == "fetch":
        fetch(int(a[1]), a[2], a[3], a[4], a[5:])
    elif len(a) == 5 and a[0] == "replay":
        replay(int(a[1]), a[2], a[3], a[4])
    elif len(a) >= 6 and a[0] == "status":
        status(int(a[1]), a[2], int(a[3]), a[4].split(","), a[5:])
    else:
        sys.exit("usage: raw-imap.py fetch PORT USER PASSWORD MAILBOX FIELD...\n"
                 "       raw-imap.py replay PORT USER PASSWORD RAWLOG\n"
                 "       raw-imap.py status PORT PASSWORD PARALLEL FOLDERS USER...")


if __name__ == "__main__":
    main()
