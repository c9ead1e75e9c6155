#!/usr/bin/python3
"""Writes a synthetic sales history with a known truth into an empty
salescycle database (schema created by `salescycle rebuild`), for the
forecast's backtest (contrib/bench/forecast-backtest.sh).  Deterministic
(seeded).  Deals are left to `salescycle rebuild`.

usage: gen-history.py DB [--seed 7] [--days 850] [--leads-per-day 0.65]

The truth, written down before the forecast was tuned against it:

- History from 2024-07-01 for --days days (default 850, about 2 years and
  4 months); three salespeople; leads arrive as a Poisson process of
  --leads-per-day (default 0.65: about 550 deals).
- A lead starts with an acquisition call (selection).  From each phase a
  deal moves on with a fixed probability after a delay drawn from a
  Gamma(2) distribution with a fixed mean, or else fails after a delay of
  the same distribution:
      selection -> suspect (appointment)   0.55, mean 12 days
      suspect   -> prospect (demo)         0.65, mean 14 days
      prospect  -> offer (offer sent)      0.75, mean 10 days
      offer     -> won                     0.55, mean 21 days; half of
                   these give a verbal order first (closing) and confirm
                   it in writing with probability 0.95 after mean 10 days
  so a new lead is won with probability 0.55 * 0.65 * 0.75 * 0.55 *
  (0.5 + 0.5 * 0.95) = 0.144.
- A failing deal is marked #lost with probability 0.6; otherwise it just
  goes quiet (the store turns it lost after stale_after_days).
- An open deal sees a contact mail every 4 to 10 days.
- A won customer orders again (a growth deal, won at once by its order
  confirmation) with probability 0.3, 60 to 240 days after the win.
- Signals are seen within 3 hours of occurring, except 3% that are seen
  5 to 20 days late (a mailbox added late).
"""
import argparse
import random
import sqlite3

DAY = 86400
START = 1719792000          # 2024-07-01 00:00 UTC
PEOPLE = ["anna", "bram", "carla"]
# phase: (next signal kind, P(move on), mean days)
STEPS = [("appointment", 0.55, 12), ("demo", 0.65, 14),
         ("offer_sent", 0.75, 10), ("won", 0.55, 21)]
P_VERBAL = 0.5
P_CONFIRM = 0.95
MEAN_CONFIRM = 10
P_MARK_LOST = 0.6
P_REORDER = 0.3


def delay(rnd, mean):
    return rnd.gammavariate(2.0, mean / 2.0) * DAY


class History:
    def __init__(self, rnd, end):
        self.rnd = rnd
        self.end = end
        self.rows = []
        self.n = 0

    def signal(self, acc, who, kind, at, direction):
        if at >= self.end:
            return False
        self.n += 1
        if self.rnd.random() < 0.03:
            seen = at + self.rnd.uniform(5, 20) * DAY
        else:
            seen = at + self.rnd.uniform(0, 3 * 3600)
        ref = "%s:lead%04d.nl:<h%d@bench>" % (kind, acc - 1, self.n)
        self.rows.append((ref, kind, acc, who, int(at), direction,
                          "imap:" + who, "INBOX/1/%d" % self.n, "bench",
                          "Subject %d" % self.n, None, None, int(seen)))
        return True

    def contacts(self, acc, who, frm, to):
        t = frm + self.rnd.uniform(4, 10) * DAY
        while t < to:
            self.signal(acc, who, "contact", t,
                        self.rnd.choice(("in", "out")))
            t += self.rnd.uniform(4, 10) * DAY


def lead(h, acc, who, t):
    """One new deal from its call; returns its win time or None."""
    rnd = h.rnd
    h.signal(acc, who, "call", t, "out")
    for kind, p, mean in STEPS:
        nxt = t + delay(rnd, mean)
        h.contacts(acc, who, t, nxt)
        if rnd.random() >= p:
            if rnd.random() < P_MARK_LOST:
                h.signal(acc, who, "lost", nxt, "out")
            return None
        if kind != "won":
            if not h.signal(acc, who, kind, nxt, "out"):
                return None
            t = nxt
            continue
        if rnd.random() < P_VERBAL:
            if not h.signal(acc, who, "verbal_order", nxt, "out"):
                return None
            t = nxt
            nxt = t + delay(rnd, MEAN_CONFIRM)
            h.contacts(acc, who, t, nxt)
            if rnd.random() >= P_CONFIRM:
                if rnd.random() < P_MARK_LOST:
                    h.signal(acc, who, "lost", nxt, "out")
                return None
        if not h.signal(acc, who, "order_confirmed", nxt, "in"):
            return None
        return nxt
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--days", type=int, default=850)
    ap.add_argument("--leads-per-day", type=float, default=0.65)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    end = START + a.days * DAY
    h = History(rnd, end)
    accounts = []
    t = START
    while True:
        t += rnd.expovariate(a.leads_per_day) * DAY
        if t >= end:
            break
        acc = len(accounts) + 1
        who = PEOPLE[acc % len(PEOPLE)]
        accounts.append((acc, "lead%04d.nl" % (acc - 1)))
        won = lead(h, acc, who, t)
        while won is not None and rnd.random() < P_REORDER:
            won += rnd.uniform(60, 240) * DAY
            if not h.signal(acc, who, "order_confirmed", won, "in"):
                break
    db = sqlite3.connect(a.db)
    db.executemany("INSERT OR IGNORE INTO salespeople(key, name) VALUES (?, ?)",
                   [(p, p.capitalize()) for p in PEOPLE])
    db.executemany("INSERT INTO accounts(id, key) VALUES (?, ?)", accounts)
    db.executemany("INSERT INTO signals(ref, kind, account_id, salesperson,"
                   " occurred_at, direction, source, item, rule, subject,"
                   " value, match_text, seen_at)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", h.rows)
    db.commit()
    print("%d accounts, %d signals" % (len(accounts), len(h.rows)))


main()
