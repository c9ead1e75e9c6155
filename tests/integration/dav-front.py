# SPDX-License-Identifier: MIT
"""A front to a CalDAV server that answers as Cyrus does, for the tests.

    /usr/bin/python3 dav-front.py PORTFILE LOG BACKEND_PORT [digest:USER:PASS]

listens on a free port of 127.0.0.1 (written to PORTFILE) and passes
every request on to the server on 127.0.0.1:BACKEND_PORT (Radicale),
except a PROPFIND of / without Authorization: that it answers itself as
Cyrus IMAP's CalDAV does, with 207 and a current-user-principal of
DAV:unauthenticated (RFC 5397) instead of a 401, and a REPORT whose
body names a sync token holding "unknown-to-server": that it answers
with 500, as Xandikos 0.2.8 does for a token it does not know.  While a
file LOG.404 exists it answers every request with 404, as a server in
maintenance behind a proxy may.  A REPORT whose sync token holds
"stale-echo" it answers "nothing new" with the same token, as SabreDAV
answers a token of a calendar deleted and made again at the same URL.
While a file LOG.shared names a calendar's path, its resourcetype in a
PROPFIND's answer says CS:shared: shared with the user by another, as
SabreDAV and Apple's servers say of a sharee's calendar.  Every request it gets
is logged to LOG as one line "METHOD PATH AUTH|NOAUTH STATUS", so that a
test can count what the client sent, 401s included.

With digest:USER:PASS it asks for HTTP Digest (RFC 7616, MD5, qop=auth,
realm BaikalDAV) as Baikal's SabreDAV does, and passes what it lets in
on to the backend with Basic USER:PASS; a REPORT from a stranger whose
body is empty it answers with 500, as SabreDAV does (it parses the body
before it asks who is there), else a stranger gets 401 and a challenge.

Only the standard library; run with /usr/bin/python3.
"""
import base64
import hashlib
import http.client
import http.server
import os
import re
import secrets
import socketserver
import sys
import threading

PORTFILE, LOG, BACKEND = sys.argv[1], sys.argv[2], int(sys.argv[3])
DIGEST = sys.argv[4].split(":", 2)[1:] if len(sys.argv) > 4 else None
REALM = "BaikalDAV"
NONCE = secrets.token_hex(16)
LOCK = threading.Lock()

UNAUTHENTICATED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<D:multistatus xmlns:D="DAV:"><D:response><D:href>/</D:href>'
    b'<D:propstat><D:prop><D:current-user-principal><D:unauthenticated/>'
    b'</D:current-user-principal><D:resourcetype><D:collection/>'
    b'</D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status>'
    b'</D:propstat><D:propstat><D:prop><D:displayname/></D:prop>'
    b'<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>'
    b'</D:response></D:multistatus>')


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest_ok(header, method):
    """Whether an Authorization header is DIGEST's user's, for method."""
    if not header or not header.startswith("Digest "):
        return False
    f = {k: a or b for k, a, b in
         re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header[7:])}
    user, password = DIGEST
    ha1 = md5("%s:%s:%s" % (user, REALM, password))
    ha2 = md5("%s:%s" % (method, f.get("uri", "")))
    want = md5(":".join([ha1, f.get("nonce", ""), f.get("nc", ""),
                         f.get("cnonce", ""), f.get("qop", ""), ha2]))
    return (f.get("username") == user and f.get("nonce") == NONCE and
            f.get("response") == want)


def log(line):
    with LOCK:
        with open(LOG, "a") as f:
            f.write(line + "\n")


class Front(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self, code, headers, body):
        self.send_response(code)
        for k, v in headers:
            if k.lower() not in ("content-length", "connection",
                                 "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        auth = self.headers.get("Authorization")
        if DIGEST is not None:
            if not digest_ok(auth, self.command):
                if self.command == "REPORT" and not body:
                    log("%s %s NOAUTH 500" % (self.command, self.path))
                    return self.answer(500, [("Content-Type", "text/plain")],
                                       b"ParseException: empty input\n")
                log("%s %s %s 401" % (self.command, self.path,
                                      "AUTH" if auth else "NOAUTH"))
                return self.answer(401, [
                    ("WWW-Authenticate", 'Digest realm="%s", qop="auth", '
                     'nonce="%s", algorithm=MD5' % (REALM, NONCE)),
                    ("Content-Type", "text/plain")], b"Unauthorized\n")
            self.headers.replace_header("Authorization", "Basic " +
                                        base64.b64encode(":".join(DIGEST)
                                                         .encode()).decode())
        elif self.command == "PROPFIND" and self.path == "/" and not auth:
            log("%s %s NOAUTH 207" % (self.command, self.path))
            return self.answer(207, [("Content-Type",
                                      "application/xml; charset=utf-8")],
                               UNAUTHENTICATED)
        if os.path.exists(LOG + ".404"):
            log("%s %s %s 404" % (self.command, self.path,
                                  "AUTH" if auth else "NOAUTH"))
            return self.answer(404, [("Content-Type", "text/plain")],
                               b"Not Found\n")
        if self.command == "REPORT" and body and b"stale-echo" in body:
            token = re.search(rb"sync-token>([^<]*)<", body).group(1)
            log("%s %s %s 207" % (self.command, self.path,
                                  "AUTH" if auth else "NOAUTH"))
            return self.answer(207, [("Content-Type",
                                      "application/xml; charset=utf-8")],
                               b'<?xml version="1.0" encoding="utf-8"?>\n'
                               b'<d:multistatus xmlns:d="DAV:"><d:sync-token>'
                               + token + b'</d:sync-token></d:multistatus>')
        if self.command == "REPORT" and body and b"unknown-to-server" in body:
            log("%s %s %s 500" % (self.command, self.path,
                                  "AUTH" if auth else "NOAUTH"))
            return self.answer(500, [("Content-Type", "text/plain")],
                               b"KeyError: unknown-to-server\n")
        conn = http.client.HTTPConnection("127.0.0.1", BACKEND, timeout=30)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection",
                                        "content-length")}
        if os.path.exists(LOG + ".shared"):
            # The answer is rewritten: not compressed.
            headers = {k: v for k, v in headers.items()
                       if k.lower() != "accept-encoding"}
        conn.request(self.command, self.path, body, headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if self.command == "PROPFIND" and os.path.exists(LOG + ".shared"):
            path = open(LOG + ".shared", "rb").read().strip()
            data = re.sub(rb"(<response><href>" + re.escape(path) +
                          rb"</href>.*?)<C:calendar />",
                          rb'\1<C:calendar /><CS:shared xmlns:CS='
                          rb'"http://calendarserver.org/ns/" />', data,
                          flags=re.S)
        log("%s %s %s %d" % (self.command, self.path,
                             "AUTH" if auth else "NOAUTH", resp.status))
        self.answer(resp.status, resp.getheaders(), data)

    do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Front)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
