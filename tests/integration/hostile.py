# SPDX-License-Identifier: MIT
"""A hostile CalDAV / ICS server on loopback for the integration tests:
what only a broken or malicious server does, one scenario per run.

    hostile.py SCENARIO PORT LOG [OTHER_PORT]

The configured url of the source under test is http://127.0.0.1:PORT/cal/
(a calendar) or, for the ICS scenarios, any path.  Every request is logged
to LOG as one line "METHOD PATH AUTH|NOAUTH".  Scenarios:

  record          401 with a Basic challenge to anything without
                  Authorization (so that a client that would send
                  credentials does); logs what it got
  hrefs           sync-collection: one response with endless hrefs (gzip)
  errors          sync-collection: a DAV:error with endless children (gzip)
  big             sync-collection: endless white space (gzip)
  deep            sync-collection: elements nested without end (gzip)
  token           sync-collection: one endless attribute value (gzip)
  many            sync-collection: 160,000 responses without calendar-data
  case            sync-collection: /cal/A.ics and /cal/a.ics without data;
                  multiget answers both with their events
  redirect        PROPFIND /cal/ redirected to OTHER_PORT (same host)
  ctrl            a calendar named with a line feed and CSI whose
                  sync-collection answers 500 with escapes in the body
  hang-connect    never accepts (the listen queue is kept full)
  hang-headers    reads the request and never answers
  hang-body       answers 207 and then one byte every half second
  ics-404         any GET: 404 with escapes in the body
  ics-ok          any GET: a feed of one event, with an ETag
  ics-html        any GET: 200 with an HTML page
  ics-bomb        any GET: an endless gzip'd feed
  ics-big         any GET: a valid 15 MB feed of 36,000 events, with a
                  folded UID, an alarm, an event without UID and a second
                  VCALENDAR with its own time zone
  ics-redirect    any GET: redirect to http://u:p@127.0.0.1:OTHER_PORT/

Only the standard library; run with /usr/bin/python3.
"""
import http.server
import socket
import socketserver
import sys
import threading
import time
import zlib

SCENARIO, PORT, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]
OTHER = int(sys.argv[4]) if len(sys.argv) > 4 else 0
LOCK = threading.Lock()

NS = ('xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" '
      'xmlns:cs="http://calendarserver.org/ns/"')
HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


def log(line):
    with LOCK:
        with open(LOG, "a") as f:
            f.write(line + "\n")


def calendar_props(name="Cal"):
    return (HEAD + '<d:multistatus %s><d:response><d:href>/cal/</d:href>'
            '<d:propstat><d:prop><d:resourcetype><d:collection/>'
            '<c:calendar/></d:resourcetype><d:displayname>%s</d:displayname>'
            '<c:supported-calendar-component-set><c:comp name="VEVENT"/>'
            '</c:supported-calendar-component-set><cs:getctag>1</cs:getctag>'
            '</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>'
            '</d:response></d:multistatus>' % (NS, name)).encode()


def event(uid):
    return ('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n'
            'BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T080000Z\r\n'
            'DTSTART:%sT100000Z\r\nDTEND:%sT110000Z\r\nSUMMARY:Bezoek\r\n'
            'ORGANIZER:mailto:anna@brightline.nl\r\n'
            'ATTENDEE:mailto:jan@acme.nl\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
            % (uid, DAY, DAY))


DAY = time.strftime("%Y%m%d", time.gmtime(time.time() + 3 * 86400))


def big_feed():
    """36,000 plain events and a few odd ones, about 15 MB."""
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n"]
    pad = "DESCRIPTION:" + "x" * 200 + "\r\n"
    for i in range(36000):
        parts.append(event("big-%d@test" % i).split("BEGIN:VEVENT")[1]
                     .split("END:VCALENDAR")[0].replace(
                         "END:VEVENT", pad + "END:VEVENT"))
        parts[-1] = "BEGIN:VEVENT" + parts[-1]
    parts.append("BEGIN:VEVENT\r\nUID:folded-\r\n uid@test\r\n"
                 "DTSTAMP:20260101T080000Z\r\nDTSTART:%sT120000Z\r\n"
                 "SUMMARY:Lunch\r\nATTENDEE:mailto:x@globex.com\r\n"
                 "BEGIN:VALARM\r\nUID:alarm-not-event@test\r\n"
                 "ACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
                 "END:VEVENT\r\n" % DAY)
    parts.append("BEGIN:VEVENT\r\nDTSTAMP:20260101T080000Z\r\n"
                 "DTSTART:%sT130000Z\r\nSUMMARY:No UID\r\nEND:VEVENT\r\n"
                 % DAY)
    parts.append("END:VCALENDAR\r\n")
    parts.append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//other//EN\r\n"
                 "BEGIN:VTIMEZONE\r\nTZID:Elsewhere\r\nBEGIN:STANDARD\r\n"
                 "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0500\r\n"
                 "TZOFFSETTO:+0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
                 "BEGIN:VEVENT\r\nUID:zoned@test\r\n"
                 "DTSTAMP:20260101T080000Z\r\n"
                 "DTSTART;TZID=Elsewhere:%sT100000\r\n"
                 "SUMMARY:Bezoek\r\nATTENDEE:mailto:y@initech.com\r\n"
                 "END:VEVENT\r\nEND:VCALENDAR\r\n" % DAY)
    return "".join(parts).encode()


def gzip_endless(head, unit, limit=4 << 30):
    """A gzip stream of head and then unit repeated up to limit bytes:
    one full-flush block compressed once and sent again and again, so a
    few KB on the wire stand for a MB of text."""
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    yield co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    plain = unit * max(1, (1 << 20) // len(unit))
    block = co.compress(plain) + co.flush(zlib.Z_FULL_FLUSH)
    sent = 0
    while sent < limit:
        yield block
        sent += len(plain)


BOMBS = {
    "hrefs": (HEAD + '<d:multistatus %s><d:response>' % NS,
              '<d:href>/cal/x.ics</d:href>'),
    "errors": (HEAD + '<d:multistatus %s><d:error>' % NS,
               '<d:no-such-thing/>'),
    "big": (HEAD + '<d:multistatus %s>' % NS, ' ' * 64),
    "deep": (HEAD + '<d:multistatus %s>' % NS, '<d:prop>'),
    "token": (HEAD + '<d:multistatus %s><d:response x="' % NS, 'a' * 64),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this each answer
    # waits for the client's delayed ACK (40 ms).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode("utf-8", "replace") if n else ""

    def send(self, code, body=b"", ctype="application/xml; charset=utf-8",
             headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def stream(self, chunks, code=207, ctype="application/xml", gz=True):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for c in chunks:
                self.wfile.write(c)
        except OSError:
            pass

    def handle_any(self):
        auth = self.headers.get("Authorization")
        log("%s %s %s" % (self.command, self.path, "AUTH" if auth else "NOAUTH"))
        body = self.body()
        s = SCENARIO
        if s == "record":
            if not auth:
                return self.send(401, b"who?", "text/plain",
                                 [("WWW-Authenticate", 'Basic realm="x"')])
            return self.send(404, b"nothing here", "text/plain")
        if s == "hang-headers":
            time.sleep(3600)
            return
        if s.startswith("ics-"):
            return self.ics(s)
        if s == "redirect":
            return self.send(301, b"", "text/plain",
                             [("Location", "http://127.0.0.1:%d/cal/" % OTHER)])
        if self.command == "PROPFIND":
            if s == "ctrl":
                # XML cannot carry ESC or BEL; a line feed and the C1
                # control CSI (U+009B) it can.
                return self.send(207, calendar_props(
                    "Werk\ninjected line \u009b31m"))
            return self.send(207, calendar_props())
        if self.command != "REPORT":
            return self.send(405, b"", "text/plain")
        if s == "hang-body":
            self.send_response(207)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", "100000000")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                return
        if s in BOMBS:
            head, unit = BOMBS[s]
            return self.stream(gzip_endless(head.encode(), unit.encode()))
        if s == "ctrl":
            return self.send(500, "Kapot \x1b[2J\x1b]0;pwned\x07 \u009b31m rood"
                             .encode(), "text/plain")
        if "calendar-multiget" in body:
            return self.multiget(body)
        if s == "many":
            parts = [HEAD, '<d:multistatus %s>' % NS]
            for i in range(160000):
                parts.append('<d:response><d:href>/cal/e%d.ics</d:href>'
                             '<d:propstat><d:prop><d:getetag>"%d"</d:getetag>'
                             '</d:prop><d:status>HTTP/1.1 200 OK</d:status>'
                             '</d:propstat></d:response>' % (i, i))
            parts.append('<d:sync-token>tok-1</d:sync-token></d:multistatus>')
            return self.send(207, "".join(parts).encode())
        if s == "case":
            parts = [HEAD, '<d:multistatus %s>' % NS]
            for h in ("A", "a"):
                parts.append('<d:response><d:href>/cal/%s.ics</d:href>'
                             '<d:propstat><d:prop><d:getetag>"%s"</d:getetag>'
                             '</d:prop><d:status>HTTP/1.1 200 OK</d:status>'
                             '</d:propstat></d:response>' % (h, h))
            parts.append('<d:sync-token>tok-1</d:sync-token></d:multistatus>')
            return self.send(207, "".join(parts).encode())
        return self.send(400, b"", "text/plain")

    def multiget(self, body):
        parts = [HEAD, '<d:multistatus %s>' % NS]
        if SCENARIO == "case":
            for h in ("A", "a"):
                if "<d:href>/cal/%s.ics</d:href>" % h in body:
                    parts.append(
                        '<d:response><d:href>/cal/%s.ics</d:href><d:propstat>'
                        '<d:prop><d:getetag>"%s"</d:getetag>'
                        '<c:calendar-data>%s</c:calendar-data></d:prop>'
                        '<d:status>HTTP/1.1 200 OK</d:status></d:propstat>'
                        '</d:response>' % (h, h, event("case-%s@test" % h)))
        parts.append('</d:multistatus>')
        return self.send(207, "".join(parts).encode())

    def ics(self, s):
        if s == "ics-404":
            return self.send(404, "Gone \x1b[2J\x1b]0;pwned\x07 \u009b31m"
                             .encode(), "text/plain")
        if s == "ics-ok":
            return self.send(200, event("feed-1@test").encode(), "text/calendar",
                             [("ETag", '"v1"')])
        if s == "ics-big":
            return self.send(200, big_feed(), "text/calendar")
        if s == "ics-html":
            return self.send(200, b"<html>Please log in</html>", "text/html")
        if s == "ics-redirect":
            return self.send(302, b"", "text/plain", [
                ("Location", "http://u:p@127.0.0.1:%d/elsewhere.ics" % OTHER)])
        head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n"
        return self.stream(gzip_endless(head.encode(), event("x").encode()
                           .split(b"BEGIN:VEVENT")[0] + b"X-PAD:" +
                           b"y" * 200 + b"\r\n"), 200, "text/calendar")

    do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def hang_connect():
    """A listener whose queue is full: further connects wait for ever."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", PORT))
    srv.listen(0)
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", PORT))
        except BlockingIOError:
            pass
        fillers.append(c)
    log("listening")
    while True:
        time.sleep(3600)


if SCENARIO == "hang-connect":
    hang_connect()
else:
    Server(("127.0.0.1", PORT), Handler).serve_forever()
