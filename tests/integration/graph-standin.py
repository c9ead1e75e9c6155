# SPDX-License-Identifier: MIT
"""A stand-in for Microsoft Graph's calendarView delta on loopback.

    /usr/bin/python3 graph-standin.py DIR TOKEN

No open-source Graph server exists.  This one follows Microsoft's
documented delta protocol for events in a calendar view ("event: delta",
"Get incremental changes to events in a calendar view", Microsoft Graph
v1.0): the first GET of /v1.0/me/calendarView/delta names the window
(startDateTime, endDateTime); each page holds at most PAGE events in
"value" and links to the next as "@odata.nextLink" (a $skiptoken), the
last page to the changes since as "@odata.deltaLink" (a $deltatoken).  A
delta read returns the events changed since its token, and those deleted
as {"id": ..., "@removed": {"reason": "deleted"}}.  A $deltatoken the
server no longer knows is answered 410 Gone (SyncStateNotFound); too many
requests 429 with Retry-After.  Only GET, with "Authorization: Bearer
TOKEN"; anything else is 401 or 405.

The test drives it through files in DIR:
  events.json   {"events": [graph events, each with "_v", the change
                counter it was last changed at], "removed": [{"id": ...,
                "_v": ...}]}: read at every request
  expire        the next delta read is answered 410 (the file is removed)
  throttle      the next request is answered 429, Retry-After: 1 (removed)
  foreign       the next page links to another origin (removed)
  port          written at start: the port it listens on
  requests.log  one line per request: METHOD PATH?QUERY AUTH-OK
"""
import http.server
import json
import os
import sys
import urllib.parse

PAGE = 2


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def note(self, auth_ok):
        with open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path,
                                    "auth" if auth_ok else "noauth"))

    def take(self, name):
        path = os.path.join(DIR, name)
        if os.path.exists(path):
            os.unlink(path)
            return True
        return False

    def refuse(self):
        self.note(False)
        self.reply(405, {"error": {"code": "MethodNotAllowed"}})

    do_POST = do_PUT = do_PATCH = do_DELETE = refuse

    def do_GET(self):
        auth_ok = self.headers.get("Authorization") == "Bearer " + TOKEN
        self.note(auth_ok)
        if not auth_ok:
            self.reply(401, {"error": {"code": "InvalidAuthenticationToken"}})
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/v1.0/me/calendarView/delta":
            self.reply(404, {"error": {"code": "ResourceNotFound"}})
            return
        if self.take("throttle"):
            self.reply(429, {"error": {"code": "TooManyRequests"}},
                       [("Retry-After", "1")])
            return
        q = dict(urllib.parse.parse_qsl(url.query))
        with open(os.path.join(DIR, "events.json")) as f:
            state = json.load(f)
        now = max([e["_v"] for e in state["events"] + state["removed"]] + [0])
        base = "http://%s:%d/v1.0/me/calendarView/delta" % (
            "localhost" if self.take("foreign") else "127.0.0.1", PORT)
        if "$skiptoken" in q:
            since, skip = (int(x) for x in q["$skiptoken"].split("."))
        elif "$deltatoken" in q:
            if self.take("expire"):
                self.reply(410, {"error": {"code": "SyncStateNotFound",
                                           "message": "sync state expired"}})
                return
            since, skip = int(q["$deltatoken"]), 0
        elif "startDateTime" in q and "endDateTime" in q:
            since, skip = -1, 0
        else:
            self.reply(400, {"error": {"code": "BadRequest"}})
            return
        entries = [dict((k, v) for k, v in e.items() if k != "_v")
                   for e in state["events"] if e["_v"] > since]
        if since >= 0:
            entries += [{"@odata.type": "#microsoft.graph.event",
                         "id": r["id"], "@removed": {"reason": "deleted"}}
                        for r in state["removed"] if r["_v"] > since]
        page = entries[skip:skip + PAGE]
        body = {"@odata.context": "https://graph.microsoft.com/v1.0/"
                "$metadata#Collection(event)", "value": page}
        if skip + PAGE < len(entries):
            body["@odata.nextLink"] = base + "?$skiptoken=%d.%d" % (
                since, skip + PAGE)
        else:
            body["@odata.deltaLink"] = base + "?$deltatoken=%d" % now
        self.reply(200, body)


DIR, TOKEN = sys.argv[1], sys.argv[2]
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
PORT = server.server_address[1]
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % PORT)
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
