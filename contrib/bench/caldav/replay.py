#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# Replays a saved sync-collection answer on loopback, so that the agent's
# own work on a first sync can be timed without the server's: a PROPFIND
# of the calendar answers that it is one, every REPORT gets FILE.  Not a
# CalDAV server; for contrib/bench/caldav/run.sh only.
#
#	usage: replay.py PORT FILE
import http.server
import sys

PROPS = b'''<?xml version="1.0" encoding="utf-8"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">\
<response><href>/anna/werk/</href><propstat><prop><resourcetype>\
<collection/><C:calendar/></resourcetype><displayname>Werk</displayname>\
<C:supported-calendar-component-set><C:comp name="VEVENT"/>\
</C:supported-calendar-component-set></prop>\
<status>HTTP/1.1 200 OK</status></propstat></response></multistatus>'''


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(207)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PROPFIND(self):
        self.answer(PROPS)

    def do_REPORT(self):
        self.answer(self.server.report)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
                                             Handler)
    with open(sys.argv[2], "rb") as f:
        server.report = f.read()
    server.serve_forever()


if __name__ == "__main__":
    main()
