#!/usr/bin/python3
"""Fills an empty salescycle database (schema created by `salescycle rebuild`)
with a synthetic history: N accounts, M signals, P salespeople, appointments.
Deterministic (seeded). Deals are left to `salescycle rebuild`.

usage: gen-store.py DB [--accounts 100000] [--signals 1000000] [--people 20]
       [--sql]

--sql draws the same distributions inside SQLite (a hash of the row number
instead of Python's random, so other rows than without it): 10M signals in
under 4 minutes of CPU, where Python had not finished after 17 minutes on
the same loaded machine.
"""
import argparse
import random
import sqlite3

KINDS = [("contact", 48), ("call", 8), ("appointment", 14), ("demo", 6),
         ("offer_sent", 12), ("verbal_order", 2), ("order_confirmed", 5),
         ("lost", 3), ("decision", 1), ("competitor", 1)]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--accounts", type=int, default=100000)
    ap.add_argument("--signals", type=int, default=1000000)
    ap.add_argument("--people", type=int, default=20)
    ap.add_argument("--sql", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(42)
    db = sqlite3.connect(a.db)
    # A bulk load into a file nobody reads yet: no journal, and a page
    # cache that holds the indexes, which rows reach in random order
    # (with SQLite's default 2 MB, 10M signals took most of an hour).
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-%d" % max(65536, a.signals // 5))
    people = ["rep%02d" % i for i in range(a.people)]
    db.executemany("INSERT OR IGNORE INTO salespeople(key, name) VALUES (?, ?)",
                   [(p, p.upper()) for p in people])
    db.executemany("INSERT INTO accounts(id, key) VALUES (?, ?)",
                   [(i + 1, "customer%06d.nl" % i) for i in range(a.accounts)])
    db.executemany("INSERT INTO account_names(account_id, name) VALUES (?, ?)",
                   [(i + 1, "customer%06d" % i) for i in range(a.accounts)])
    if a.sql:
        generate_sql(db, a)
        db.commit()
        db.execute("PRAGMA journal_mode=WAL")
        return
    kinds = [k for k, w in KINDS for _ in range(w)]
    start = 1735689600          # 2025-01-01
    span = 700 * 86400
    rows, appts = [], []
    for i in range(a.signals):
        acc = rnd.randrange(a.accounts) + 1
        kind = rnd.choice(kinds)
        at = start + rnd.randrange(span)
        sp = people[acc % a.people]
        d = "out" if kind in ("offer_sent", "call", "appointment", "demo") else rnd.choice(("in", "out"))
        ref = "%s:customer%06d.nl:<s%d@bench>" % (kind, acc - 1, i)
        rows.append((ref, kind, acc, sp, at, d, "imap:" + sp, "INBOX/1/%d" % i,
                     "bench", "Subject %d" % i, None, None, at))
        if kind in ("appointment", "demo"):
            occ = at + rnd.randrange(14 * 86400)
            day = __import__("time").strftime("%Y-%m-%d", __import__("time").gmtime(occ))
            appts.append(("caldav:" + sp, "/cal/%d.ics" % i, "uid%d" % i, 0, sp, acc,
                          kind, occ, occ + 3600, 0, day, at, 0))
        if len(rows) >= 50000:
            flush(db, rows, appts)
    flush(db, rows, appts)
    db.commit()
    db.execute("PRAGMA journal_mode=WAL")

def generate_sql(db, a):
    """The signals and appointments of main()'s loop, drawn in SQL: each
    draw a different multiplicative hash of the row number."""
    cases, lo = [], 0
    for k, w in KINDS:
        cases.append("WHEN r < %d THEN '%s'" % (lo + w, k))
        lo += w
    db.execute("""
        INSERT INTO signals(ref, kind, account_id, salesperson, occurred_at,
            direction, source, item, rule, subject, value, match_text, seen_at)
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
                                WHERE i + 1 < :signals),
        d AS (SELECT i, (i * 2654435761 + 12345) % 4294967291 % :accounts + 1
                  AS acc, (i * 40503 + 7) % 1000033 % 100 AS r,
                  :start + (i * 1103515245 + 12345) % 2147483647 % :span
                  AS at, (i * 69069 + 1) % 65537 % 2 AS inb FROM n),
        e AS (SELECT i, acc, at, inb, CASE """ + " ".join(cases) + """ END
                  AS kind, printf('rep%02d', acc % :people) AS sp FROM d)
        SELECT printf('%s:customer%06d.nl:<s%d@bench>', kind, acc - 1, i),
            kind, acc, sp, at,
            CASE WHEN kind IN ('offer_sent', 'call', 'appointment', 'demo')
                THEN 'out' WHEN inb THEN 'in' ELSE 'out' END,
            'imap:' || sp, 'INBOX/1/' || i, 'bench', 'Subject ' || i, NULL,
            NULL, at FROM e""",
        {"signals": a.signals, "accounts": a.accounts, "start": 1735689600,
         "span": 700 * 86400, "people": a.people})
    db.execute("""
        INSERT INTO appointments(source, item, uid, recurrence_id, salesperson,
            account_id, kind, start, "end", all_day, day, created, series)
        SELECT 'caldav:' || salesperson, '/cal/' || id || '.ics', 'uid' || id,
            0, salesperson, account_id, kind, occ, occ + 3600, 0,
            strftime('%Y-%m-%d', occ, 'unixepoch'), occurred_at, 0
        FROM (SELECT s.*, occurred_at + (id * 22695477 + 1) % 1000000007
                  % (14 * 86400) AS occ
              FROM signals s WHERE kind IN ('appointment', 'demo'))""")

def flush(db, rows, appts):
    db.executemany("INSERT INTO signals(ref, kind, account_id, salesperson, occurred_at,"
                   " direction, source, item, rule, subject, value, match_text, seen_at)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO appointments(source, item, uid, recurrence_id, salesperson,"
                   " account_id, kind, start, \"end\", all_day, day, created, series)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", appts)
    rows.clear()
    appts.clear()

main()
