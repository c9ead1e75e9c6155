#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A stand-in OAuth 2.0 authorization server on loopback, stdlib only.

No open-source server offers all of what Microsoft's and Google's token
endpoints do, so this one follows their documented protocol:

  POST /device      RFC 8628 3.1: device_code, user_code, verification_uri
  POST /token       RFC 6749: refresh_token (rotated when "rotate"), RFC 8628
                    device_code (pending, slow_down, expired, denied),
                    client_credentials with a secret or with a client
                    assertion (RFC 7523 2.2, Microsoft's certificate
                    credentials: x5t, aud, iss = sub = client_id, a jti
                    used once), and RFC 7523 jwt-bearer; every RS256
                    signature verified by `openssl dgst` (python3's stdlib
                    has no RSA)
  POST /introspect  RFC 7662, for Dovecot's passdb oauth2: active and the
                    username of an access token

With FRONT_PORT and UPSTREAM it is also a bearer-token front of a CalDAV
server (Radicale) on FRONT_PORT: a request with a valid access token goes
on to UPSTREAM with Basic authentication as the token's user (password
from "front_passwords" in ctl.json), anything else is answered 401 with
WWW-Authenticate: Bearer (RFC 6750 section 3).

"hostile" in ctl.json makes /token answer as a broken or hostile server
would: "redirect" (307 to /steal, which logs any request it gets),
"huge" (a 1 MiB JSON body), "html500" (a 500 with an HTML page),
"badtoken" (an access token with a space in it), "duplicate" (two
access_token members).

Behaviour comes from DIR/ctl.json, read on every request, so a test can
change it while it runs (revoke the refresh tokens, shorten lifetimes).
Every request is one line of DIR/events.log ("TIME WHAT DETAIL"), every
token handed out one line of DIR/tokens.txt (for the tests that look for
leaks), the valid refresh tokens are in DIR/refresh.json.

usage: oauth-server.py DIR PORT [FRONT_PORT UPSTREAM_PORT]
"""
import base64
import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
PORT = int(sys.argv[2])
LOCK = threading.Lock()
# Access tokens: token -> (user, valid until, epoch); refresh tokens:
# token -> user.  Raising "epoch" in ctl.json revokes every access token
# handed out before (as a password change does).
ACCESS = {}
REFRESH = {}
# Device codes: code -> {"polls": n, "last": time, "interval": s}.
DEVICE = {}


def ctl():
    with open(os.path.join(DIR, "ctl.json")) as f:
        return json.load(f)


def event(what, detail=""):
    with open(os.path.join(DIR, "events.log"), "a") as f:
        f.write("%.3f %s %s\n" % (time.time(), what, detail))


def new_token(prefix):
    t = prefix + secrets.token_urlsafe(24)
    with open(os.path.join(DIR, "tokens.txt"), "a") as f:
        f.write(t + "\n")
    return t


def save_refresh():
    path = os.path.join(DIR, "refresh.json")
    with open(path + ".tmp", "w") as f:
        json.dump(REFRESH, f)
    os.replace(path + ".tmp", path)


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def issue(c, user, refresh=None):
    """A token answer for user, with a refresh token when refresh says so."""
    at = new_token("AT-")
    ACCESS[at] = (user, time.time() + c.get("access_lifetime", 3600),
                  c.get("epoch", 0))
    body = {"access_token": at, "token_type": "Bearer",
            "expires_in": c.get("access_lifetime", 3600)}
    if refresh is not None:
        body["refresh_token"] = refresh
    return 200, body


# The jti of every client assertion taken: each is good once.
JTI = set()


def rs256_ok(h64, c64, sig, public_key):
    """Whether sig is an RS256 signature of h64.c64 by public_key."""
    with tempfile.TemporaryDirectory(dir=DIR) as tmp:
        data = os.path.join(tmp, "data")
        sigfile = os.path.join(tmp, "sig")
        with open(data, "w") as f:
            f.write(h64 + "." + c64)
        with open(sigfile, "wb") as f:
            f.write(sig)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                            public_key, "-signature", sigfile, data],
                           capture_output=True)
    return r.returncode == 0


def jwt_parts(assertion):
    """Header, claims, signature and the encoded parts, or None."""
    try:
        h64, c64, s64 = assertion.split(".")
        return (json.loads(b64url(h64)), json.loads(b64url(c64)),
                b64url(s64), h64, c64)
    except (ValueError, UnicodeDecodeError):
        return None


def verify_client_assertion(c, form):
    """None if the client assertion of form is good, else why not."""
    if form.get("client_assertion_type") != \
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
        return "bad client_assertion_type"
    parts = jwt_parts(form.get("client_assertion", ""))
    if parts is None:
        return "malformed assertion"
    header, claims, sig, h64, c64 = parts
    cert = c["app_cert"]
    if header.get("alg") != "RS256" or header.get("x5t") != cert["x5t"]:
        return "unknown certificate"
    if claims.get("iss") != c["client_id"] or \
            claims.get("sub") != c["client_id"] or \
            claims.get("aud") != cert["aud"]:
        return "wrong iss, sub or aud"
    now = time.time()
    if not (claims.get("nbf", 0) <= now + 60 and now < claims.get("exp", 0)):
        return "expired"
    if not claims.get("jti") or claims["jti"] in JTI:
        return "jti used before"
    if not rs256_ok(h64, c64, sig, cert["public_key"]):
        return "bad signature"
    JTI.add(claims["jti"])
    return None


def verify_jwt(c, assertion):
    """The user (sub) of a valid RFC 7523 assertion, or an error text."""
    parts = jwt_parts(assertion)
    if parts is None:
        return None, "malformed assertion"
    header, claims, sig, h64, c64 = parts
    if header.get("alg") != "RS256" or header.get("typ") != "JWT":
        return None, "alg must be RS256"
    sa = c["service_account"]
    if claims.get("iss") != sa["email"]:
        return None, "wrong iss"
    if claims.get("aud") != sa["aud"]:
        return None, "wrong aud"
    now = time.time()
    if not (claims.get("iat", 0) <= now + 60 and
            now < claims.get("exp", 0) <= claims.get("iat", 0) + 3600):
        return None, "bad iat or exp"
    if claims.get("scope") != sa["scope"]:
        return None, "wrong scope"
    if not rs256_ok(h64, c64, sig, sa["public_key"]):
        return None, "bad signature"
    return claims.get("sub"), None


def token(c, form):
    grant = form.get("grant_type", "")
    if grant == "refresh_token":
        rt = form.get("refresh_token", "")
        if form.get("client_id") != c["client_id"]:
            return 400, {"error": "invalid_client"}
        if rt not in REFRESH or c.get("revoked"):
            event("token", "refresh_token invalid_grant")
            return 400, {"error": "invalid_grant",
                         "error_description": "AADSTS70000: the refresh "
                         "token was revoked"}
        user = REFRESH[rt]
        if c.get("rotate"):
            del REFRESH[rt]
            rt = new_token("RT-")
            REFRESH[rt] = user
            save_refresh()
            event("token", "refresh_token ok rotated")
            return issue(c, user, rt)
        event("token", "refresh_token ok")
        return issue(c, user)
    if grant == "urn:ietf:params:oauth:grant-type:device_code":
        code = form.get("device_code", "")
        d = DEVICE.get(code)
        if d is None:
            return 400, {"error": "invalid_grant"}
        dev = c["device"]
        now = time.time()
        if d["last"] and now - d["last"] < d["interval"] - 0.5:
            event("token", "device_code too_fast %.2f" % (now - d["last"]))
            d["interval"] += 5
            d["last"] = now
            return 400, {"error": "slow_down"}
        event("token", "device_code poll %.2f" %
              (now - d["last"] if d["last"] else 0))
        d["last"] = now
        d["polls"] += 1
        if d["polls"] <= dev.get("slow_down", 0):
            d["interval"] += 5
            event("token", "device_code slow_down")
            return 400, {"error": "slow_down"}
        if d["polls"] <= dev.get("slow_down", 0) + dev.get("pending", 0):
            event("token", "device_code authorization_pending")
            return 400, {"error": "authorization_pending"}
        result = dev.get("result", "approve")
        if result == "deny":
            event("token", "device_code access_denied")
            return 400, {"error": "access_denied"}
        if result == "expire":
            event("token", "device_code expired_token")
            return 400, {"error": "expired_token"}
        del DEVICE[code]
        rt = new_token("RT-")
        REFRESH[rt] = dev["user"]
        save_refresh()
        event("token", "device_code ok")
        return issue(c, dev["user"], rt)
    if grant == "client_credentials":
        if "client_assertion" in form:
            why = verify_client_assertion(c, form)
            if form.get("client_id") != c["client_id"] or why is not None:
                event("token", "client_credentials invalid_client %s" % why)
                return 401, {"error": "invalid_client",
                             "error_description": why}
            event("token", "client_credentials assertion")
        elif (form.get("client_id") != c["client_id"] or
                form.get("client_secret") != c.get("client_secret")):
            event("token", "client_credentials invalid_client")
            return 401, {"error": "invalid_client",
                         "error_description": "bad client secret"}
        if form.get("scope") != c.get("app_scope"):
            return 400, {"error": "invalid_scope"}
        event("token", "client_credentials ok")
        return issue(c, c["app_user"])
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        user, why = verify_jwt(c, form.get("assertion", ""))
        if user is None:
            event("token", "jwt-bearer invalid_grant " + why)
            return 400, {"error": "invalid_grant", "error_description": why}
        event("token", "jwt-bearer ok " + user)
        return issue(c, user)
    return 400, {"error": "unsupported_grant_type"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def raw(self, status, ctype, data, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def hostile(self, how):
        event("hostile", how)
        if how == "redirect":
            self.raw(307, "text/plain", b"moved",
                     [("Location", "http://127.0.0.1:%d/steal" % PORT)])
        elif how == "huge":
            self.raw(200, "application/json",
                     b'{"access_token":"a","pad":"' + b"x" * (1 << 20) +
                     b'"}')
        elif how == "html500":
            self.raw(500, "text/html",
                     b"<html><body>\x1b[31mInternal error</body></html>")
        elif how == "badtoken":
            self.answer(200, {"access_token": "a b", "token_type": "Bearer"})
        elif how == "duplicate":
            self.raw(200, "application/json",
                     b'{"access_token":"AT-1","access_token":"AT-2"}')

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode()
        if self.headers.get("Content-Type") != \
                "application/x-www-form-urlencoded":
            self.answer(400, {"error": "invalid_request",
                              "error_description": "not a form"})
            return
        form = dict(urllib.parse.parse_qsl(raw))
        with LOCK:
            c = ctl()
            if self.path == "/device":
                if form.get("client_id") != c["client_id"]:
                    self.answer(400, {"error": "invalid_client"})
                    return
                code = new_token("DC-")
                DEVICE[code] = {"polls": 0, "last": 0,
                                "interval": c["device"].get("interval", 1)}
                event("device", form.get("scope", ""))
                self.answer(200, {
                    "device_code": code, "user_code": "WDJB-MJHT",
                    "verification_uri": "https://login.example/device",
                    "expires_in": c["device"].get("expires_in", 900),
                    "interval": c["device"].get("interval", 1)})
            elif self.path == "/token" and c.get("hostile"):
                self.hostile(c["hostile"])
            elif self.path == "/token":
                status, body = token(c, form)
                self.answer(status, body)
            elif self.path == "/steal":
                event("steal", raw)
                self.answer(400, {"error": "invalid_request"})
            elif self.path == "/introspect":
                t = ACCESS.get(form.get("token", ""))
                if t is None or t[1] < time.time() or \
                        t[2] != c.get("epoch", 0):
                    event("introspect", "inactive")
                    self.answer(200, {"active": False})
                else:
                    event("introspect", "active " + t[0])
                    self.answer(200, {"active": True, "username": t[0]})
            else:
                self.answer(404, {"error": "not found"})


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def __getattr__(self, name):
        # Every method (GET, PROPFIND, REPORT, ...) is passed on alike.
        if name.startswith("do_"):
            return self.proxy
        raise AttributeError(name)

    def proxy(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n) if n else None
        auth = self.headers.get("Authorization", "")
        user = None
        with LOCK:
            c = ctl()
            if auth.startswith("Bearer "):
                t = ACCESS.get(auth[7:])
                if t is not None and t[1] >= time.time() and \
                        t[2] == c.get("epoch", 0):
                    user = t[0]
        if user is None:
            event("front", "401 %s %s" % (self.command,
                                          "bearer" if auth else "none"))
            self.send_response(401)
            self.send_header("WWW-Authenticate",
                             'Bearer error="invalid_token"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        event("front", "ok %s %s" % (self.command, user))
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("authorization", "host",
                                        "connection", "content-length")}
        basic = "%s:%s" % (user, c["front_passwords"][user])
        headers["Authorization"] = "Basic " + \
            base64.b64encode(basic.encode()).decode()
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
        conn.request(self.command, self.path, body, headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection",
                                 "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


UPSTREAM = int(sys.argv[4]) if len(sys.argv) > 4 else 0


def main():
    if os.path.exists(os.path.join(DIR, "refresh.json")):
        with open(os.path.join(DIR, "refresh.json")) as f:
            REFRESH.update(json.load(f))
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    if len(sys.argv) > 4:
        front = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[3])), Front)
        threading.Thread(target=front.serve_forever, daemon=True).start()
    srv.serve_forever()


main()
