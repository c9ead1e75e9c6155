#!/usr/bin/python3
"""Fills an empty salescycle database (schema created by `salescycle rebuild`)
with a synthetic history: N accounts, M signals, P salespeople, appointments.
Deterministic (seeded). Deals are left to `salescycle rebuild`.

usage: gen-store.py DB [--accounts 100000] [--signals 1000000] [--people 20]
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
