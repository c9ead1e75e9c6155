#!/usr/bin/python3
"""Benchmark of the core (issue 2): query times on a synthetic store,
rebuild time, and mbox import throughput with peak RSS.

usage: contrib/bench/store-bench.py [--build build] [--signals 1000000]
       [--accounts 100000] [--people 20] [--mbox 50000] [--compare BUILD]

Every figure is reported next to a baseline measured in the same run:
queries against the sqlite3 shell running comparable SQL, import against
Python's mailbox module reading the headers of every message.  With
--compare, the queries of another build (the same schema: an older
commit, say) run on the same database in the same run, each query of both
builds and the shell in turn.  --mbox 0 leaves the import out.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The baseline for import: Python's mailbox module reading every message's
# headers, the least a script doing the same job would do.
PARSE_HEADERS = """
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    m.get("Subject"), m.get("From"), m.get("Message-ID")
"""

def run(cmd, env=None, out=subprocess.DEVNULL):
    """Runs cmd, returns (seconds, peak RSS of that process in MiB)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        sys.exit("failed (%d): %s" % (p.returncode, " ".join(cmd)))
    return dt, ru.ru_maxrss / 1024.0

def median_times(cmds, n=5, env=None):
    """Median wall time of each command, the commands run in turn n times,
    so that a busy moment of the machine falls on all of them alike."""
    times = [[] for _ in cmds]
    for _ in range(n):
        for i, cmd in enumerate(cmds):
            times[i].append(run(cmd, env)[0])
    return [statistics.median(t) for t in times]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    ap.add_argument("--signals", type=int, default=1000000)
    ap.add_argument("--accounts", type=int, default=100000)
    ap.add_argument("--people", type=int, default=20)
    ap.add_argument("--mbox", type=int, default=50000)
    ap.add_argument("--compare", metavar="BUILD",
                    help="another build whose queries run beside these")
    a = ap.parse_args()
    sc = os.path.join(a.build, "src", "salescycle")
    tmp = tempfile.mkdtemp(prefix="sc-bench-")
    db = os.path.join(tmp, "bench.db")
    conf = os.path.join(tmp, "bench.conf")
    with open(conf, "w") as f:
        f.write("[general]\ndatabase = %s\ntimezone = Europe/Amsterdam\n"
                "internal_domains = brightline.nl\n" % db)
        f.write("[salesperson anna]\nemail = anna@brightline.nl\n")
        for i in range(a.people):
            f.write("[salesperson rep%02d]\nemail = rep%02d@brightline.nl\n" % (i, i))
    os.chmod(conf, 0o600)
    env = dict(os.environ, SALESCYCLE_NOW="2026-11-21T12:00:00Z")
    S = [sc, "-c", conf]

    print("salescycle core benchmark: %d signals, %d accounts, %d salespeople"
          % (a.signals, a.accounts, a.people))
    run(S + ["rebuild"], env)                     # creates the schema
    t0 = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(HERE, "gen-store.py"), db,
                    "--signals", str(a.signals), "--accounts", str(a.accounts),
                    "--people", str(a.people)], check=True)
    print("generated in %.1f s" % (time.perf_counter() - t0))
    dt, rss = run(S + ["rebuild"], env)
    print("\n| step | time | peak RSS |\n|---|---|---|")
    print("| rebuild (all deals and transitions) | %.2f s | %.0f MiB |" % (dt, rss))

    sqlite = shutil.which("sqlite3")
    queries = [
        ("deals", S + ["deals", "--format", "json"],
         "SELECT d.*, a.key FROM deals d JOIN accounts a ON a.id = d.account_id ORDER BY d.id"),
        ("funnel", S + ["funnel", "--format", "json"],
         "SELECT t.to_phase, count(*) FROM transitions t JOIN deals d ON d.id = t.deal_id GROUP BY 1"),
        ("transitions --since (30 days)", S + ["transitions", "--since", "2026-10-22", "--format", "json"],
         "SELECT * FROM transitions t JOIN deals d ON d.id = t.deal_id WHERE t.at >= 1792620000 ORDER BY t.at"),
        ("appointments", S + ["appointments", "--format", "json"],
         "SELECT day, salesperson, count(*) FROM appointments GROUP BY 1, 2"),
    ]
    other = os.path.join(a.compare, "src", "salescycle") if a.compare else None
    if other:
        print("\n| query | salescycle (median of 5) | sqlite3 shell, same SQL | ratio "
              "| %s | its ratio |\n|---|---|---|---|---|---|" % a.compare)
    else:
        print("\n| query | salescycle (median of 5) | sqlite3 shell, same SQL | ratio |\n|---|---|---|---|")
    for name, cmd, sql in queries:
        cmds = [cmd] + ([[other] + cmd[1:]] if other else [])
        t = median_times(cmds + ([[sqlite, db, sql]] if sqlite else []), env=env)
        base = t[-1] if sqlite else float("nan")
        line = "| %s | %.0f ms | %.0f ms | %.2f |" % (name, t[0] * 1000, base * 1000, t[0] / base)
        if other:
            line += " %.0f ms | %.2f |" % (t[1] * 1000, t[1] / base)
        print(line)

    if a.mbox > 0:
        print("\n| mbox import | messages/s | peak RSS | baseline: Python mailbox, headers only | ratio |\n|---|---|---|---|---|")
    for n in sorted({max(1000, a.mbox // 5), a.mbox}) if a.mbox > 0 else ():
        mbox = os.path.join(tmp, "m%d.mbox" % n)
        subprocess.run([sys.executable, os.path.join(HERE, "gen-mbox.py"), mbox, str(n)], check=True)
        idb = os.path.join(tmp, "imp%d.db" % n)
        iconf = os.path.join(tmp, "imp%d.conf" % n)
        with open(conf) as f, open(iconf, "w") as g:
            g.write(f.read().replace(db, idb))
        os.chmod(iconf, 0o600)
        base = run([sys.executable, "-c", PARSE_HEADERS, mbox])[0]
        dt, rss = run([sc, "-c", iconf, "import", "--salesperson", "anna", mbox], env)
        print("| %d messages (%.0f MiB) | %.0f | %.1f MiB | %.2f s | %.1f |"
              % (n, os.path.getsize(mbox) / 2**20, n / dt, rss, base, dt / base))
    shutil.rmtree(tmp)

main()
