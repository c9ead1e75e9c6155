# SPDX-License-Identifier: MIT
"""A tiny aiosmtpd handler for the digest tests: stores each message.

Started as
    SINK_DIR=DIR [SINK_FAIL_FIRST=N] python3 -m aiosmtpd -n -l 127.0.0.1:PORT \
        -c smtpsink.Sink
with this folder on PYTHONPATH.  Each accepted message is written to
DIR/N.eml, its envelope to DIR/N.env (MAIL FROM on the first line, then one
RCPT TO per line).  With SINK_FAIL_FIRST=N the first N DATA commands are
answered 451, as a server that is busy for a while.

Fault injection for the exactly-once tests: with SINK_LOCK_DB=PATH and
SINK_LOCK_SECONDS=N, each accepted message makes the sink take SQLite's
write lock on the database PATH (BEGIN IMMEDIATE in a thread) before it
answers 250, and hold it for N seconds: the sender then cannot record
that the message was sent.
"""
import os
import sqlite3
import threading
import time


def hold_write_lock(path, seconds, locked):
    """Holds the write lock of the database at path for seconds."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    db.execute("ROLLBACK")
    db.close()


class Sink:
    def __init__(self):
        self.dir = os.environ["SINK_DIR"]
        self.fail = int(os.environ.get("SINK_FAIL_FIRST", "0"))
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail > 0:
            self.fail -= 1
            with open(os.path.join(self.dir, "rejected"), "a") as f:
                f.write(" ".join(envelope.rcpt_tos) + "\n")
            return "451 4.3.0 busy, try again later"
        self.count += 1
        base = os.path.join(self.dir, "%d" % self.count)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n")
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        data = envelope.original_content or envelope.content
        with open(base + ".eml.tmp", "wb") as f:
            f.write(data)
        os.rename(base + ".eml.tmp", base + ".eml")
        lock_db = os.environ.get("SINK_LOCK_DB")
        if lock_db:
            locked = threading.Event()
            threading.Thread(target=hold_write_lock, daemon=True, args=(
                lock_db, float(os.environ.get("SINK_LOCK_SECONDS", "12")),
                locked)).start()
            locked.wait(30)
            with open(os.path.join(self.dir, "locked"), "a") as f:
                f.write("%d\n" % self.count)
        return "250 OK stored"
