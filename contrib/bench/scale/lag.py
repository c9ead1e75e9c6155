#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# How late a running agent polls its sources, read from the outside: the
# store's health table (read-only) every second for SECONDS (or until
# SIGTERM), for the sources listed in INTERVALS ("SOURCE SECONDS" a line,
# its poll_interval; sources not listed are not watched).
#
# A source is late by L at a moment when its last success is more than its
# interval ago: L = now - last success - interval (a success from before
# this script started counts as made at the start).  Its lateness is the
# highest L seen before its next success; a source that never comes round
# again stays late and keeps growing.  "On time" (issue 15) is a lateness
# of at most one interval.  A pass starts when the previous one ended (the
# first at the start) and ends when every source has succeeded since it
# began: its wall time is what the agent needs to come round to every
# source, its interval included.
#
# Writes OUT (CSV, a row per minute: elapsed s, polls seen in the minute,
# highest lateness in it, sources late by more than their interval, sources
# whose last poll failed) and prints a summary on stdout:
#   polls N
#   late MAX_S SOURCE INTERVAL_S     (the latest source; "late 0 - -" if none)
#   over K                           (sources ever late by more than their interval)
#   failing K                        (sources whose last poll failed, at the end)
#   passes D1 D2 ...                 (wall time of each complete pass, s)
#
#	usage: lag.py DB INTERVALS SECONDS OUT

import signal
import sqlite3
import sys
import time

stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True


def health(db):
    """source -> (last_success or 0, last_error); {} when unreadable."""
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
        rows = con.execute("SELECT source, last_success, last_error"
                           " FROM health").fetchall()
        con.close()
    except sqlite3.Error:
        return {}
    return {r[0]: (r[1] or 0, r[2]) for r in rows}


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: lag.py DB INTERVALS SECONDS OUT")
    db, ivpath, seconds, outpath = sys.argv[1], sys.argv[2], \
        float(sys.argv[3]), sys.argv[4]
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    iv = {}
    with open(ivpath) as f:
        for line in f:
            src, s = line.split()
            iv[src] = int(s)
    start = time.time()
    end = start + seconds
    last = {}           # source -> last success seen (at least the start)
    late = {s: 0.0 for s in iv}     # highest lateness so far
    cur = {s: 0.0 for s in iv}      # lateness since the last success
    failing = set()
    polls = 0
    passes = []
    pass_start = start
    out = open(outpath, "w")
    out.write("elapsed_s,polls,max_late_s,over_interval,failing\n")
    win_end = start + 60
    win_polls = 0
    win_late = 0.0
    while not stopping and time.time() < end:
        now = time.time()
        h = health(db)
        if h:
            for src in iv:
                ok, error = h.get(src, (0, None))
                base = max(ok, start)
                if src in last and ok > last[src]:
                    polls += 1
                    win_polls += 1
                    cur[src] = 0.0
                last[src] = base
                lag = now - base - iv[src]
                if lag > cur[src]:
                    cur[src] = lag
                    late[src] = max(late[src], lag)
                win_late = max(win_late, cur[src])
                if error is not None:
                    failing.add(src)
                else:
                    failing.discard(src)
            if all(last[s] > pass_start for s in iv):
                passes.append(now - pass_start)
                pass_start = now
        if now >= win_end:
            over = sum(1 for s in iv if cur[s] > iv[s])
            out.write("%d,%d,%.0f,%d,%d\n" % (now - start, win_polls,
                                              max(win_late, 0), over,
                                              len(failing)))
            out.flush()
            win_end += 60
            win_polls = 0
            win_late = 0.0
        time.sleep(max(0.0, 1.0 - (time.time() - now)))
    worst = max(iv, key=lambda s: late[s]) if iv else None
    print("polls %d" % polls)
    if worst is not None and late[worst] > 0:
        print("late %.0f %s %d" % (late[worst], worst, iv[worst]))
    else:
        print("late 0 - -")
    print("over %d" % sum(1 for s in iv if late[s] > iv[s]))
    print("failing %d" % len(failing))
    print("passes %s" % " ".join("%.0f" % p for p in passes))
    return 0


sys.exit(main())
