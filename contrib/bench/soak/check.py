#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The soak test's probes of the store (read-only) and its final verdict.
#
#   check.py synced DB SOURCES TIMEOUT
#       waits until SOURCES sources have polled successfully at least once;
#   check.py cycle DB TIMEOUT
#       waits until every source has finished two polls after this call
#       started, so that the second one began after it: one full poll
#       cycle that saw everything delivered before;
#   check.py compare DB TRUTH APPOINTMENTS-JSON
#       compares the store with the seeded truth (deliver.py): every
#       message gives its expected signal exactly once (the ref is
#       SALESPERSON/KIND:ACCOUNT:<message-id>, evidence being each
#       salesperson's own) and no other; every live event gives
#       one appointment signal (an internal meeting one without account)
#       and, with a customer, one appointment on its current day; deleted
#       events, internal mail and newsletters give nothing; the CLI's
#       appointments per day (APPOINTMENTS-JSON) agree.  Prints one
#       "name expected got ok" line per comparison and the first few
#       differences; exits 1 on any difference.

import collections
import json
import sqlite3
import sys
import time


def connect(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    return con


def health(db):
    """source -> (last_success, last_attempt, last_error); {} before the schema."""
    try:
        con = connect(db)
        rows = con.execute("SELECT source, last_success, last_attempt,"
                           " last_error FROM health").fetchall()
        con.close()
    except sqlite3.Error:
        return {}
    return {r[0]: (r[1] or 0, r[2] or 0, r[3]) for r in rows}


def synced(db, sources, timeout):
    end = time.time() + timeout
    while time.time() < end:
        h = health(db)
        ok = sum(1 for v in h.values() if v[0] > 0)
        if ok >= sources:
            return 0
        time.sleep(0.5)
    print("check: %d of %d sources polled after %d s" % (ok, sources, timeout),
          file=sys.stderr)
    return 1


def cycle(db, timeout):
    start = health(db)
    first = {}
    end = time.time() + timeout
    while time.time() < end:
        h = health(db)
        waiting = []
        for src, (last, _, _) in h.items():
            if last <= start.get(src, (0,))[0]:
                waiting.append(src)
            elif src not in first:
                first[src] = last
                waiting.append(src)
            elif last <= first[src]:
                waiting.append(src)
        if not waiting:
            return 0
        time.sleep(0.5)
    print("check: no full poll cycle after %d s: %s" %
          (timeout, " ".join(sorted(waiting)[:10])), file=sys.stderr)
    return 1


def compare(db, truth_path, appts_path):
    mails = []
    live = {}
    deleted = set()
    with open(truth_path) as f:
        for line in f:
            r = json.loads(line)
            if r["t"] == "mail":
                mails.append(r)
            elif r["t"] == "put":
                live[r["uid"]] = r
                deleted.discard(r["uid"])
            else:
                del live[r["uid"]]
                deleted.add(r["uid"])

    # ref -> (kind, salesperson) that must be in signals, and nothing else.
    want = {}
    where = {}
    for m in mails:
        if m["kind"] is not None:
            ref = "%s/%s:%s:%s" % (m["sp"], m["kind"], m["account"], m["mid"])
            want[ref] = (m["kind"], m["sp"])
            where[ref] = "%s %s, saved %s" % (m["sp"], m["folder"], time.strftime(
                "%H:%M:%S", time.localtime(m["at"])))
    # An internal meeting is an appointment signal without an account,
    # left for attribution by name at projection (none of its words
    # names an account, so it never counts).
    for e in live.values():
        want["%s/appointment:%s:%s" % (e["sp"], e["account"] or "",
                                       e["uid"])] = \
            ("appointment", e["sp"])

    con = connect(db)
    got = {r[0]: (r[1], r[2]) for r in
           con.execute("SELECT ref, kind, salesperson FROM signals")}
    appts = con.execute(
        "SELECT uid, recurrence_id, day, salesperson,"
        " COALESCE(account_id, matched_account_id) IS NOT NULL"
        " FROM appointments").fetchall()
    con.close()

    lines = []
    diffs = []

    def row(name, expected, actual):
        lines.append((name, expected, actual, expected == actual))

    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    wrong = sorted(r for r in set(want) & set(got) if want[r] != got[r])
    diffs += ["missing signal %s (%s)" % (r, where.get(r, "event"))
              for r in missing]
    diffs += ["unexpected signal %s %s" % (r, got[r]) for r in extra]
    diffs += ["signal %s: want %s, got %s" % (r, want[r], got[r])
              for r in wrong]

    # Each message id and event uid gives at most one signal (no duplicate
    # under another kind or account).
    per_item = collections.Counter(r.split(":", 2)[2] for r in got)
    dups = sorted(k for k, c in per_item.items() if c > 1)
    diffs += ["duplicate: %d signals for %s" % (per_item[k], k) for k in dups]

    kinds_want = collections.Counter(k for k, _ in want.values())
    kinds_got = collections.Counter(k for k, _ in got.values())
    for k in sorted(set(kinds_want) | set(kinds_got)):
        row("signals %s" % k, kinds_want[k], kinds_got[k])
    row("signals missing", 0, len(missing))
    row("signals unexpected", 0, len(extra))
    row("signals with wrong salesperson", 0, len(wrong))
    row("items with more than one signal", 0, len(dups))

    # Appointments: one counted row per live customer event, on its day.
    counted = collections.defaultdict(list)
    for uid, rid, day, sp, attributed in appts:
        if attributed:
            counted[uid].append((day, sp, rid))
    live_appt = {u: e for u, e in live.items() if e["kind"] is not None}
    bad_day = []
    for uid, e in sorted(live_appt.items()):
        rows = counted.get(uid, [])
        if rows != [(e["day"], e["sp"], 0)]:
            bad_day.append(uid)
            diffs.append("appointment %s: want [%s %s], got %s" %
                         (uid, e["day"], e["sp"], rows))
    ghosts = sorted(u for u in counted if u not in live_appt)
    diffs += ["appointment %s counted but %s: %s" %
              (u, "deleted" if u in deleted else "not a customer event",
               counted[u]) for u in ghosts]
    row("live customer events", len(live_appt),
        sum(1 for u in live_appt if u in counted))
    row("appointments on the wrong day or doubled", 0, len(bad_day))
    row("deleted or internal events counted", 0, len(ghosts))

    # The CLI's appointments per day and salesperson.
    per_day = collections.Counter((e["day"], e["sp"])
                                  for e in live_appt.values())
    with open(appts_path) as f:
        cli = {(r["day"], r["salesperson"]): r["count"] for r in json.load(f)}
    cli_diff = sorted(k for k in set(per_day) | set(cli)
                      if per_day.get(k, 0) != cli.get(k, 0))
    diffs += ["appointments %s %s: want %d, CLI says %d" %
              (d, s, per_day.get((d, s), 0), cli.get((d, s), 0))
              for d, s in cli_diff]
    row("appointments (CLI, sum over days)", sum(per_day.values()),
        sum(cli.values()))
    row("CLI day/salesperson cells differing", 0, len(cli_diff))

    print("seeded: %d messages (%d to give nothing), %d events created,"
          " %d deleted, %d live" %
          (len(mails), sum(1 for m in mails if m["kind"] is None),
           len(live) + len(deleted), len(deleted), len(live)))
    for name, e, a, ok in lines:
        print("%s\t%s\t%s\t%s" % (name, e, a, "ok" if ok else "FAIL"))
    # At most 10 of each kind of difference (the text up to its first blank).
    shown = collections.Counter()
    for d in diffs:
        what = d.split(" ", 1)[0]
        shown[what] += 1
        if shown[what] <= 10:
            print("diff: " + d, file=sys.stderr)
    for what, n in sorted(shown.items()):
        if n > 10:
            print("diff: ... %d more of '%s'" % (n - 10, what), file=sys.stderr)
    return 0 if not diffs and all(ok for *_, ok in lines) else 1


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "synced":
        return synced(a[1], int(a[2]), float(a[3]))
    if len(a) == 3 and a[0] == "cycle":
        return cycle(a[1], float(a[2]))
    if len(a) == 4 and a[0] == "compare":
        return compare(a[1], a[2], a[3])
    print("usage: check.py synced DB SOURCES TIMEOUT | cycle DB TIMEOUT |"
          " compare DB TRUTH APPOINTMENTS-JSON", file=sys.stderr)
    return 2


sys.exit(main())
