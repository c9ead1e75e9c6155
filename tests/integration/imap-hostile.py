# SPDX-License-Identifier: MIT
"""A hostile IMAP server on loopback for the integration tests.

    /usr/bin/python3 imap-hostile.py SCENARIO PORTFILE LOGFILE

listens on a free port of 127.0.0.1, writes it to PORTFILE, and serves
every connection (each in a thread) as a small IMAP4rev1 server with an
INBOX of five messages from a customer (UIDs 1..5, UIDVALIDITY 7) and an
empty \\Sent folder, for user anna with any password.  Each command line
it receives goes to LOGFILE (with its tag), so that a test can count what
the client sent.  SCENARIO picks what only a broken or malicious server
does; every scenario stops sending when the client hangs up:

  normal        nothing hostile
  fetch-no      a UID FETCH of a set with UID 3 answers the others, then
                "NO [UNAVAILABLE]" (Exchange); fetch-bad: "BAD [SERVERBUG]"
  status-short  STATUS answered with a tagged OK and no * STATUS line
  caps-empty    CAPABILITY answered with a tagged OK and no * CAPABILITY
  alert-empty   LOGIN answered "OK [ALERT]" with no text after the code
  greeting-badcharset  the greeting carries "[BADCHARSET (UTF-8)]", and
  greeting-permanentflags  "[PERMANENTFLAGS (\\Seen $Forwarded)]": strings
                that libetpan's own greeting parser crashed on
  cont-badcharset  AUTHENTICATE PLAIN (the config says auth = plain) is
                answered "+ [BADCHARSET (UTF-8)] go on", the same in a
                continuation request
  cont-again    AUTHENTICATE PLAIN's response is answered with another
                continuation request; a "*" (cancel) gets BAD, else OK
  sasl-ir       CAPABILITY offers SASL-IR: AUTHENTICATE PLAIN is answered
                OK only with its initial response on the command line
  greeting-literal  a literal inside the greeting's response code, whose
                bytes hold an [ALERT] line without text
(AUTHENTICATE PLAIN is answered NO unless its response is anna's.)
  deep-body     UID 3's BODYSTRUCTURE nested 20,000 deep (240 KB)
  big-literal   UID 3's header fields announced as a 1.5 GB literal
  long-line     UID 3's answer is a line of 1 GB without CRLF
  ok-flood      EXAMINE answered with 147 MB of "* OK" lines
  fetch-flood   UID SEARCH answered after 600,000 unrequested FETCH responses
  search-flood  UID SEARCH answered with one line of 64 MB of UIDs
  string-flood  EXAMINE answered with unrequested FETCH responses, each
                with a quoted string of 1 MB
  list-flood    LIST answered with 1 GB of folders
  list-zeros    LIST answers a literal announced with 20 leading zeros,
                whose bytes announce a literal of 300 MB, then 300 MB of
                lines
  list-glued    LIST answers a literal glued to the first word ("*{3}"),
                then lines ending in literals of 16 MB, without end
  slow-greeting the greeting comes one byte a second, and never ends
  slow-fetch    the answer to UID FETCH comes a byte every 0.5 s, forever
  slow-answers  every answer comes after 1.5 s (HOSTILE_DELAY seconds)
  uid-max       INBOX holds UIDs 1 and 4294967295; STATUS says UIDNEXT
                4294967296 (which does not fit an IMAP number)
  unanswered-once  the first UID FETCH with UID 3 leaves it unanswered
  unanswered    every UID FETCH leaves UID 3 unanswered
  ctl-text      STATUS of INBOX is refused with a text full of terminal
                escape sequences, and the \\Sent folder's name holds some
  list-many     LIST answers 80,000 folders besides INBOX, "sent" and \\Sent
                "Sent"
  sent-case     LIST answers "sent" (no flag) before "Sent" (\\Sent)
  sent-long     the \\Sent folder's name is 610 bytes long; it holds three
                messages anna sent
  sent-name     no SPECIAL-USE (Courier): LIST flags no folder; "Sent Items"
                is there besides Drafts, Trash and "Sent Items old"
  sent-two      no SPECIAL-USE; both "Sent" and "INBOX/Verzonden items"
  sent-none     no SPECIAL-USE; no Sent folder, but "Archief/Sent 2024"
  sent-ns       no SPECIAL-USE; NAMESPACE gives the personal prefix "Mail/"
                and LIST has "Mail/&AMk-l&AOk-ments envoy&AOk-s" (French,
                in modified UTF-7) besides "Sent Items" in the namespace
                of other users ("Other/")
  sent-cyrus    Cyrus without altnamespace: SPECIAL-USE offered but no
                folder flagged; NAMESPACE gives the personal prefix "INBOX."
                and the top level to the shared folders, where "Sent" and
                "Sent Items" are; the user's own is "INBOX.Sent"
  sent-cyrus-badns  the same folders, NAMESPACE answered with a line
                that does not parse
  renumber      every session gives each folder a new UIDVALIDITY (101,
                102, ...), as Courier-IMAP does for a folder no client
                opened read-write (it keeps no courierimapuiddb)
  gmail         Gmail's capabilities and folders: "[Gmail]/Sent Mail"
                (\\Sent, two messages anna sent) and "[Gmail]/All Mail"
                (\\All, every message, also one from globex.de)
  exchange      Office 365's capabilities (no CONDSTORE, QRESYNC or
                SPECIAL-USE) and "Sent Items" (\\Sent); the first UID
                FETCH is refused as throttled, "Suggested Backoff Time"
  young         a young mailbox: FETCH 1 (INTERNALDATE) answers message 1's
                date, recent, and UID SEARCH knows ALL, SINCE, BEFORE and
                UID sets;
                UIDs 2 and 4 arrived on 1-Jan-2026, long before the others:
                UID 2's answer has a broken BODYSTRUCTURE after its
                INTERNALDATE, UID 4 is never answered, and UID 5 is left
                unanswered by the first UID FETCH that asks for it
"""
import base64
import os
import re
import socket
import sys
import threading
import time

UIDVALIDITY = 7
LONG_SENT = "Verzonden " + "x" * 600
RECENT = "05-Oct-2026 10:00:00 +0200"
# The young scenario's old messages, by UID.
YOUNG_OLD = {2: "01-Jan-2026 09:00:00 +0100", 4: "01-Jan-2026 10:00:00 +0100"}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
          "OCT", "NOV", "DEC"]


def day(date):
    """An IMAP date (1-Jan-2026, time and zone disregarded) as yyyymmdd."""
    d, m, y = date.split(" ")[0].split("-")
    return int(y) * 10000 + (MONTHS.index(m.upper()) + 1) * 100 + int(d)
ESC = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


class Gone(Exception):
    """The client hung up."""


class Session:
    def __init__(self, server, conn):
        self.srv = server
        self.conn = conn
        self.rbuf = b""
        self.selected = None
        with server.lock:
            server.sessions += 1
            n = server.sessions
        self.validity = 100 + n if server.scenario == "renumber" else UIDVALIDITY

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        try:
            self.conn.sendall(data)
        except OSError:
            raise Gone()

    def readline(self):
        while b"\n" not in self.rbuf:
            try:
                chunk = self.conn.recv(65536)
            except OSError:
                raise Gone()
            if not chunk:
                raise Gone()
            self.rbuf += chunk
        line, self.rbuf = self.rbuf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def trickle(self, text, every):
        """Sends text one byte at a time, every seconds apart."""
        for c in text:
            self.send(c)
            time.sleep(every)

    def stream(self, first, filler, total, chunk=1 << 20):
        """Sends first, then filler repeated up to total bytes."""
        self.send(first)
        block = filler * max(1, chunk // len(filler))
        sent = 0
        while sent < total:
            self.send(block)
            sent += len(block)

    def run(self):
        sc = self.srv.scenario
        if sc == "slow-greeting":
            self.trickle("* OK ready" + "." * 100000, 1)
            return
        if sc == "greeting-badcharset":
            self.send("* OK [BADCHARSET (UTF-8)] hostile IMAP ready\r\n")
        elif sc == "greeting-literal":
            self.send("* OK [BADCHARSET ({8}\r\nx {14}\r\n)] t\r\n"
                      "2 OK [ALERT]\r\n")
        elif sc == "greeting-permanentflags":
            self.send("* OK [PERMANENTFLAGS (\\Seen $Forwarded)] "
                      "hostile IMAP ready\r\n")
        else:
            self.send("* OK hostile IMAP ready\r\n")
        while True:
            line = self.readline()
            self.srv.log(line)
            parts = line.split(" ", 2)
            if len(parts) < 2:
                continue
            tag, cmd = parts[0], parts[1].upper()
            rest = parts[2] if len(parts) > 2 else ""
            if cmd == "UID" and rest:
                sub, _, rest = rest.partition(" ")
                cmd = "UID " + sub.upper()
            if sc == "slow-answers":
                time.sleep(float(os.environ.get("HOSTILE_DELAY", "1.5")))
            handler = getattr(self, "cmd_" + cmd.replace(" ", "_"), None)
            if handler is None:
                self.send("%s BAD unknown command\r\n" % tag)
                continue
            if handler(tag, rest) is False:
                return

    def cmd_CAPABILITY(self, tag, rest):
        if self.srv.scenario == "caps-empty":
            self.send("%s OK done\r\n" % tag)
            return
        caps = {
            "gmail": "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST "
                     "CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE "
                     "MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED "
                     "LIST-STATUS LITERAL- SPECIAL-USE AUTH=PLAIN",
            "exchange": "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR "
                        "UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE "
                        "LITERAL+",
            "sent-ns": "IMAP4rev1 AUTH=PLAIN NAMESPACE",
            "sent-cyrus": "IMAP4rev1 AUTH=PLAIN NAMESPACE SPECIAL-USE",
            "sent-cyrus-badns": "IMAP4rev1 AUTH=PLAIN NAMESPACE SPECIAL-USE",
            "sasl-ir": "IMAP4rev1 AUTH=PLAIN SASL-IR",
        }.get(self.srv.scenario, "IMAP4rev1 AUTH=PLAIN")
        self.send("* CAPABILITY %s\r\n%s OK done\r\n" % (caps, tag))

    def cmd_NAMESPACE(self, tag, rest):
        if self.srv.scenario == "sent-cyrus-badns":
            self.send('* NAMESPACE bogus\r\n%s OK done\r\n' % tag)
            return
        if self.srv.scenario == "sent-cyrus":
            self.send('* NAMESPACE (("INBOX." ".")) (("user." ".")) '
                      '(("" "."))\r\n%s OK done\r\n' % tag)
            return
        self.send('* NAMESPACE (("Mail/" "/")) NIL (("Other/" "/"))\r\n'
                  '%s OK done\r\n' % tag)

    def internaldate(self, uid):
        if self.srv.scenario == "young":
            return YOUNG_OLD.get(uid, RECENT)
        return RECENT

    def cmd_FETCH(self, tag, rest):
        """FETCH by sequence number: only young knows it, for message 1."""
        uids = self.uids(self.selected or "")
        if (self.srv.scenario != "young" or not uids or
                not re.match(r"1 \(?INTERNALDATE\)?$", rest, re.I)):
            self.send("%s BAD unknown command\r\n" % tag)
            return
        self.send('* 1 FETCH (INTERNALDATE "%s")\r\n%s OK done\r\n'
                  % (self.internaldate(uids[0]), tag))

    def cmd_NOOP(self, tag, rest):
        self.send("%s OK done\r\n" % tag)

    def cmd_LOGIN(self, tag, rest):
        if self.srv.scenario == "alert-empty":
            self.send("%s OK [ALERT]\r\n" % tag)
            return
        self.send("%s OK logged in\r\n" % tag)

    def cmd_AUTHENTICATE(self, tag, rest):
        sc = self.srv.scenario
        mech, _, ir = rest.partition(" ")
        if sc == "sasl-ir" and not ir:
            self.send("%s NO expected an initial response\r\n" % tag)
            return
        if not ir:
            if sc == "cont-badcharset":
                self.send("+ [BADCHARSET (UTF-8)] go on\r\n")
            else:
                self.send("+ \r\n")
            ir = self.readline()
            self.srv.log(ir)
        try:
            plain = base64.b64decode(ir, validate=True)
        except ValueError:
            plain = b""
        if mech.upper() == "PLAIN" and plain != b"\0anna\0pw-anna":
            self.send("%s NO [AUTHENTICATIONFAILED] wrong response\r\n" % tag)
            return
        if sc == "cont-again":
            self.send("+ [BADCHARSET (x)] once more\r\n")
            line = self.readline()
            self.srv.log(line)
            if line == "*":
                self.send("%s BAD authentication cancelled\r\n" % tag)
                return
        self.send("%s OK logged in\r\n" % tag)

    def cmd_LOGOUT(self, tag, rest):
        self.send("* BYE bye\r\n%s OK bye\r\n" % tag)
        return False

    def cmd_LIST(self, tag, rest):
        sc = self.srv.scenario
        out = ['* LIST () "/" INBOX\r\n']
        if sc == "ctl-text":
            name = "Sent" + ESC
            out.append('* LIST (\\Sent) "/" {%d}\r\n%s\r\n' % (len(name), name))
        elif sc == "list-many":
            out.append("".join('* LIST (\\HasNoChildren) "/" "Archief/Klanten/Projecten/Folder %05d"\r\n'
                               % i for i in range(80000)))
            out.append('* LIST () "/" sent\r\n* LIST (\\Sent) "/" Sent\r\n')
        elif sc == "list-flood":
            self.send("".join(out))
            sent, i = 0, 0
            while sent < 1 << 30:
                block = "".join('* LIST () "/" "%s %d"\r\n' % ("x" * 200, i + k)
                                for k in range(5000))
                self.send(block)
                sent += len(block)
                i += 5000
            return
        elif sc == "list-zeros":
            hidden = '* LIST () "/" {300000000}\r\n'
            self.send('* LIST () "/" {%s%d}\r\n%s'
                      % ("0" * 20, len(hidden), hidden))
            for _ in range(100):
                self.send("x\r\n" * (1 << 20))
            return
        elif sc == "list-glued":
            m = 15999999
            self.send("*{3}\r\nabc OK {%d}\r\n" % m)
            for _ in range(60):
                self.send("x\r\n" * (m // 3) + "a OK {%d}\r\n" % m)
            return
        elif sc == "sent-name":
            out.append('* LIST (\\HasNoChildren) "/" Drafts\r\n'
                       '* LIST (\\HasNoChildren) "/" "Sent Items"\r\n'
                       '* LIST (\\HasNoChildren) "/" "Sent Items old"\r\n'
                       '* LIST (\\HasNoChildren) "/" Trash\r\n')
        elif sc == "sent-two":
            out.append('* LIST () "/" Sent\r\n'
                       '* LIST () "/" "INBOX/Verzonden items"\r\n')
        elif sc == "sent-none":
            out.append('* LIST (\\Noselect) "/" Archief\r\n'
                       '* LIST () "/" "Archief/Sent 2024"\r\n'
                       '* LIST () "/" Drafts\r\n')
        elif sc == "sent-ns":
            out.append('* LIST (\\Noselect) "/" Mail\r\n'
                       '* LIST () "/" "Mail/&AMk-l&AOk-ments envoy&AOk-s"\r\n'
                       '* LIST () "/" "Other/Sent Items"\r\n')
        elif sc in ("sent-cyrus", "sent-cyrus-badns"):
            out = ['* LIST (\\HasChildren) "." INBOX\r\n',
                   '* LIST (\\HasNoChildren) "." INBOX.Drafts\r\n',
                   '* LIST (\\HasNoChildren) "." INBOX.Sent\r\n',
                   '* LIST (\\HasNoChildren) "." Sent\r\n',
                   '* LIST (\\HasNoChildren) "." "Sent Items"\r\n',
                   '* LIST (\\HasNoChildren) "." user.bob.Sent\r\n']
        elif sc == "sent-case":
            out.append('* LIST () "/" sent\r\n* LIST (\\Sent) "/" Sent\r\n')
        elif sc == "sent-long":
            out.append('* LIST (\\Sent) "/" "%s"\r\n' % LONG_SENT)
        elif sc == "gmail":
            out = ['* LIST (\\HasNoChildren) "/" "INBOX"\r\n',
                   '* LIST (\\HasChildren \\Noselect) "/" "[Gmail]"\r\n',
                   '* LIST (\\All \\HasNoChildren) "/" "[Gmail]/All Mail"\r\n',
                   '* LIST (\\Drafts \\HasNoChildren) "/" "[Gmail]/Drafts"\r\n',
                   '* LIST (\\HasNoChildren \\Important) "/" "[Gmail]/Important"\r\n',
                   '* LIST (\\HasNoChildren \\Sent) "/" "[Gmail]/Sent Mail"\r\n',
                   '* LIST (\\HasNoChildren \\Junk) "/" "[Gmail]/Spam"\r\n',
                   '* LIST (\\Flagged \\HasNoChildren) "/" "[Gmail]/Starred"\r\n',
                   '* LIST (\\HasNoChildren \\Trash) "/" "[Gmail]/Trash"\r\n']
        elif sc == "exchange":
            out = ['* LIST (\\Marked \\HasNoChildren) "/" INBOX\r\n',
                   '* LIST (\\HasNoChildren \\Drafts) "/" Drafts\r\n',
                   '* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"\r\n',
                   '* LIST (\\HasNoChildren \\Trash) "/" "Deleted Items"\r\n']
        else:
            out.append('* LIST (\\Sent) "/" Sent\r\n')
        out.append("%s OK done\r\n" % tag)
        self.send("".join(out))

    def uids(self, folder):
        name = folder.strip('"')
        if self.srv.scenario == "gmail" and name == "[Gmail]/Sent Mail":
            return [1, 2]
        if self.srv.scenario == "gmail" and name == "[Gmail]/All Mail":
            return [1, 2, 3, 4, 5, 6, 7, 8]
        if self.srv.scenario == "sent-long" and name == LONG_SENT:
            return [1, 2, 3]
        if name.upper() != "INBOX":
            return []
        if self.srv.scenario == "uid-max":
            return [1, 4294967295]
        return [1, 2, 3, 4, 5]

    def cmd_STATUS(self, tag, rest):
        sc = self.srv.scenario
        folder = rest.split(" (")[0]
        uids = self.uids(folder)
        if sc == "status-short":
            self.send("%s OK STATUS completed\r\n" % tag)
            return
        if sc == "ctl-text" and folder.strip('"').upper() == "INBOX":
            self.send("%s NO %sno access to this mailbox\r\n" % (tag, ESC))
            return
        nxt = 4294967296 if sc == "uid-max" else (uids[-1] + 1 if uids else 1)
        self.send("* STATUS %s (UIDVALIDITY %d UIDNEXT %d MESSAGES %d)\r\n"
                  "%s OK done\r\n" % (folder, self.validity, nxt, len(uids),
                                        tag))

    def cmd_EXAMINE(self, tag, rest):
        sc = self.srv.scenario
        # The name, without "(CONDSTORE)" (RFC 7162) after it.
        self.selected = re.sub(r"\s*\(CONDSTORE\)$", "", rest.strip(),
                               flags=re.I)
        uids = self.uids(self.selected)
        if sc == "ok-flood":
            self.stream("", "* OK nothing to see here, keep reading\r\n",
                        147 << 20)
        if sc == "string-flood":
            for i in range(100):
                self.send('* 1 FETCH (ENVELOPE (NIL "%s" NIL NIL NIL NIL NIL '
                          'NIL NIL NIL))\r\n' % ("s" * (1 << 20)))
        self.send("* %d EXISTS\r\n* OK [UIDVALIDITY %d] ok\r\n"
                  "%s OK [READ-ONLY] done\r\n" % (len(uids), self.validity,
                                                   tag))

    def cmd_CLOSE(self, tag, rest):
        self.selected = None
        self.send("%s OK done\r\n" % tag)

    def young_search(self, tag, rest):
        """UID SEARCH [UID set] [ALL | SINCE date | BEFORE date]."""
        uids = self.uids(self.selected or "")
        want = list(uids)
        m = re.search(r"UID ([0-9:,*]+)", rest, re.I)
        if m:
            want = [u for u in want if in_set(m.group(1), u, uids)]
        m = re.search(r"SINCE \"?([0-9]+-[A-Za-z]+-[0-9]+)", rest, re.I)
        if m:
            want = [u for u in want
                    if day(self.internaldate(u)) >= day(m.group(1))]
        m = re.search(r"BEFORE \"?([0-9]+-[A-Za-z]+-[0-9]+)", rest, re.I)
        if m:
            want = [u for u in want
                    if day(self.internaldate(u)) < day(m.group(1))]
        self.send("* SEARCH%s\r\n%s OK done\r\n"
                  % ("".join(" %d" % u for u in want), tag))

    def cmd_UID_SEARCH(self, tag, rest):
        if self.srv.scenario == "young":
            return self.young_search(tag, rest)
        uids = self.uids(self.selected or "")
        m = re.search(r"UID (\d+)(:(\d+|\*))?", rest, re.I)
        if m:
            lo = int(m.group(1))
            hi = m.group(3)
            if hi is None:
                want = [u for u in uids if u == lo]
            else:
                top = 2 ** 32 if hi == "*" else int(hi)
                want = [u for u in uids if lo <= u <= top]
                # "n:*" with n above every UID still names the last one.
                if hi == "*" and not want and uids:
                    want = [uids[-1]]
        else:
            want = uids
        if self.srv.scenario == "fetch-flood":
            self.stream("", "* 1 FETCH (FLAGS (\\Seen))\r\n", 600000 * 27)
        if self.srv.scenario == "search-flood":
            self.stream("* SEARCH", " 1", 64 << 20)
        self.send("* SEARCH%s\r\n%s OK done\r\n"
                  % ("".join(" %d" % u for u in want), tag))

    def message(self, seq, uid):
        sc = self.srv.scenario
        body = ('("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 10 1 '
                'NIL NIL NIL NIL)')
        if sc == "deep-body" and uid == 3:
            body = ('(' * 20000 + '"TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)' +
                    ' "MIXED")' * 19999)
        folder = (self.selected or "").strip('"')
        frm, to, mid = "Jan <jan@acme.nl>", "anna@brightline.nl", "m%d@acme.nl"
        if folder in ("[Gmail]/Sent Mail", LONG_SENT):
            frm, to, mid = "anna@brightline.nl", "jan@acme.nl", "s%d@brightline.nl"
        elif folder == "[Gmail]/All Mail" and uid > 5:
            frm, mid = "Els <els@globex.de>", "g%d@globex.de"
        hdr = ("Date: Mon, 5 Oct 2026 09:30:00 +0200\r\n"
               "Subject: Vraag %d\r\nFrom: %s\r\n"
               "To: %s\r\nMessage-ID: <%s>\r\n"
               "\r\n" % (uid, frm, to, mid % uid))
        if sc == "young" and uid == 2:
            body = '("TEXT")'
        return ('* %d FETCH (UID %d INTERNALDATE "%s" '
                'BODYSTRUCTURE %s BODY[HEADER.FIELDS (DATE SUBJECT FROM TO '
                'MESSAGE-ID)] {%d}\r\n%s)\r\n'
                % (seq, uid, self.internaldate(uid), body, len(hdr), hdr))

    def cmd_UID_FETCH(self, tag, rest):
        sc = self.srv.scenario
        uids = self.uids(self.selected or "")
        setspec = rest.split(" ", 1)[0]
        want = [u for u in uids if in_set(setspec, u, uids)]
        has3 = 3 in want
        if sc == "slow-fetch":
            self.trickle("* 1 FETCH (UID 1 FLAGS (" + "x" * 100000, 0.5)
            return
        if sc == "exchange":
            with self.srv.lock:
                throttle = not self.srv.throttled_once
                self.srv.throttled_once = True
            if throttle:
                self.send("%s NO Request is throttled. Suggested Backoff "
                          "Time: 178755 milliseconds\r\n" % tag)
                return
        skip3 = False
        skip5 = False
        if sc == "young" and 5 in want:
            with self.srv.lock:
                skip5 = not self.srv.skipped_once
                self.srv.skipped_once = True
        if sc == "unanswered":
            skip3 = True
        elif sc == "unanswered-once" and has3:
            with self.srv.lock:
                skip3 = not self.srv.skipped_once
                self.srv.skipped_once = True
        for u in want:
            seq = uids.index(u) + 1
            if u == 3 and (skip3 or sc in ("fetch-no", "fetch-bad")):
                continue
            if (u == 4 and sc == "young") or (u == 5 and skip5):
                continue
            if u == 3 and sc == "big-literal":
                self.stream("* 3 FETCH (UID 3 BODY[HEADER.FIELDS (LIST-ID)] "
                            "{1500000000}\r\n", "\0", 1500000000)
                return
            if u == 3 and sc == "long-line":
                self.stream('* 3 FETCH (UID 3 ENVELOPE ("', "x", 1 << 30)
                return
            self.send(self.message(seq, u))
        if has3 and sc == "fetch-no":
            self.send("%s NO [UNAVAILABLE] UID FETCH Server error while "
                      "fetching messages\r\n" % tag)
        elif has3 and sc == "fetch-bad":
            self.send("%s BAD [SERVERBUG] UID FETCH internal error\r\n" % tag)
        else:
            self.send("%s OK done\r\n" % tag)


def in_set(spec, uid, uids):
    """Whether uid is in an IMAP sequence set such as 1:3,5 or 4:*."""
    top = uids[-1] if uids else 0
    for item in spec.split(","):
        a, _, b = item.partition(":")
        lo = top if a == "*" else int(a)
        hi = lo if not b else (top if b == "*" else int(b))
        if lo > hi:
            lo, hi = hi, lo
        if lo <= uid <= hi:
            return True
    return False


class Server:
    def __init__(self, scenario, logfile):
        self.scenario = scenario
        self.logfile = logfile
        self.lock = threading.Lock()
        self.skipped_once = False
        self.throttled_once = False
        self.sessions = 0

    def log(self, line):
        with self.lock:
            with open(self.logfile, "a", encoding="latin-1") as f:
                f.write(line + "\n")

    def serve(self, conn):
        try:
            Session(self, conn).run()
        except Gone:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: imap-hostile.py SCENARIO PORTFILE LOGFILE")
    scenario, portfile, logfile = sys.argv[1:]
    srv = Server(scenario, logfile)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=srv.serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
