#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The floor of an idle pass over many sources (issue 15): what salescycled
# sends for a mailbox or a calendar with nothing new, sent raw with the
# same parallelism, the answers read and discarded.
#   - an IMAP account: connect, LOGIN, one STATUS (UIDVALIDITY UIDNEXT
#     MESSAGES HIGHESTMODSEQ) per folder, LOGOUT (raw-imap.py's Conn);
#   - a calendar: one sync-collection REPORT with its stored sync token,
#     Basic authentication, over a new connection.
# Both kinds share one pool of PARALLEL threads, as the agent's workers do.
# Prints "SECONDS IMAP-ACCOUNTS CALENDARS".
#
#	usage: raw-floor.py IMAP-PORT DAV-PORT PASSWORD PARALLEL FOLDERS JOBS
# JOBS is a file of lines "imap USER" and "dav USER PATH TOKEN".

import base64
import concurrent.futures
import http.client
import importlib.util
import os
import sys
import time


# raw-imap.py's connection and STATUS, by path (its name has a dash).
spec = importlib.util.spec_from_file_location(
    "raw_imap", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "imap", "raw-imap.py"))
raw_imap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(raw_imap)

BODY = ('<?xml version="1.0" encoding="utf-8"?>\n'
        '<d:sync-collection xmlns:d="DAV:" '
        'xmlns:c="urn:ietf:params:xml:ns:caldav">'
        '<d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level>'
        '<d:prop><d:getetag/><c:calendar-data/></d:prop>'
        '</d:sync-collection>')


def dav_one(port, user, password, path, token):
    c = http.client.HTTPConnection("127.0.0.1", port)
    auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    c.request("REPORT", path, BODY % token, {
        "Authorization": "Basic " + auth, "Depth": "0",
        "Content-Type": "application/xml; charset=utf-8"})
    r = c.getresponse()
    r.read()
    c.close()
    if r.status != 207:
        raise RuntimeError("REPORT %s: %d" % (path, r.status))


def job(imap_port, dav_port, password, folders, line):
    w = line.split()
    if w[0] == "imap":
        raw_imap.status_one(imap_port, w[1], password, folders)
    else:
        dav_one(dav_port, w[1], password, w[2], w[3] if len(w) > 3 else "")
    return w[0]


def main():
    if len(sys.argv) != 7:
        sys.exit("usage: raw-floor.py IMAP-PORT DAV-PORT PASSWORD PARALLEL "
                 "FOLDERS JOBS")
    imap_port, dav_port = int(sys.argv[1]), int(sys.argv[2])
    password, parallel = sys.argv[3], int(sys.argv[4])
    folders = sys.argv[5].split(",")
    with open(sys.argv[6]) as f:
        jobs = [line for line in f if line.strip()]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        kinds = list(pool.map(lambda j: job(imap_port, dav_port, password,
                                            folders, j), jobs))
    print("%.3f %d %d" % (time.monotonic() - t0, kinds.count("imap"),
                          kinds.count("dav")))


if __name__ == "__main__":
    main()
