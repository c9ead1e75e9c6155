#!/usr/bin/python3
"""Benchmark of the core (issues 2, 13 and 15): query times on a synthetic
store, rebuild time, and mbox import throughput with peak RSS.

usage: contrib/bench/store-bench.py [--build build] [--signals 1000000]
       [--accounts 100000] [--people 20] [--mbox 50000] [--compare BUILD]
       [--compare-db PATH] [--db PATH] [--no-rebuild] [--sql] [--runs 5]
       [--only REGEX]

Every figure is reported next to a baseline measured in the same run:
queries against the sqlite3 shell running the same SQL, import against
Python's mailbox module reading the headers of every message.  The SQL a
command runs is read from the build's statement trace (a build configured
with --enable-test-hooks, as the test suite's is: SALESCYCLE_TEST_TRACE_SQL),
with its values filled in; the shell runs exactly those statements, and
EXPLAIN QUERY PLAN of each distinct statement is printed after the table.

Windowed queries (a window of up to 90 days, one account, one manager's
digest) are meant to follow the window, not the history: under 200 ms at
10M signals; whole-history queries under 2 s.

With --compare, the queries of another build (the same schema: an older
commit, say) run on the same database in the same run, each query of both
builds and the shell in turn; --compare-db gives that build its own copy
of the database (a build of another schema version: main before a
migration).  --mbox 0 leaves the import out.  --db keeps
the generated database at PATH and reuses it when it exists (generating 10M
signals takes a while); --no-rebuild then leaves its deals as they are.
--sql generates in SQL (gen-store.py --sql: faster, other rows).  --runs
sets how many times each command runs for its median; --only keeps the
queries whose name matches.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Half a day after the last generated signal (gen-store.py draws 700 days
# from 2025-01-01), as in a real store, where no mail is dated after now:
# an "as of now" query then has nothing of the future to take back.  The
# generated appointments still reach up to 14 days ahead.
NOW = "2026-12-02T12:00:00Z"

# The baseline for import: Python's mailbox module reading every message's
# headers, the least a script doing the same job would do.
PARSE_HEADERS = """
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    m.get("Subject"), m.get("From"), m.get("Message-ID")
"""

# Statements of the store's own housekeeping, not of the query.
HOUSEKEEPING = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|PRAGMA)\b", re.I)

def run(cmd, env=None, out=subprocess.DEVNULL, stdin=None, cpu=None):
    """Runs cmd, returns (seconds, peak RSS of that process in MiB); its
    CPU seconds (user and system) are appended to the list cpu."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.DEVNULL,
                         stdin=stdin)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if cpu is not None:
        cpu.append(ru.ru_utime + ru.ru_stime)
    if p.returncode not in (0, 1):
        sys.exit("failed (%d): %s" % (p.returncode, " ".join(cmd)))
    return dt, ru.ru_maxrss / 1024.0

def median_times(cmds, n=5, env=None):
    """Median wall and CPU time and the peak RSS (MiB, the largest of the
    runs) of each command, the commands run in turn n times, so that a
    busy moment of the machine falls on all of them alike.  A command is
    a list, or a (list, file to read stdin from) pair."""
    times = [[] for _ in cmds]
    cpus = [[] for _ in cmds]
    rss = [0.0 for _ in cmds]
    for _ in range(n):
        for i, cmd in enumerate(cmds):
            if isinstance(cmd, tuple):
                with open(cmd[1]) as f:
                    dt, r = run(cmd[0], env, stdin=f, cpu=cpus[i])
            else:
                dt, r = run(cmd, env, cpu=cpus[i])
            times[i].append(dt)
            rss[i] = max(rss[i], r)
    return ([statistics.median(t) for t in times],
            [statistics.median(c) for c in cpus], rss)

def traced_sql(cmd, env):
    """The statements cmd runs, values filled in, in order."""
    p = subprocess.run(cmd, env=dict(env, SALESCYCLE_TEST_TRACE_SQL="1"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, errors="replace")
    sql = []
    for line in p.stderr.splitlines():
        m = re.match(r"^sql-trace (\d+) (.*)$", line)
        if m and not HOUSEKEEPING.match(m.group(2)):
            sql.append(m.group(2))
    return sql

def plan(sqlite, db, sql):
    """EXPLAIN QUERY PLAN of sql, as the shell prints it."""
    p = subprocess.run([sqlite, "-readonly", db, "EXPLAIN QUERY PLAN " + sql],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return p.stdout.rstrip()

def write_config(path, db, people, manager_of=0):
    """A configuration of `people` salespeople; the first manager_of of
    them report to one manager (for the digest of one manager)."""
    with open(path, "w") as f:
        f.write("[general]\ndatabase = %s\ntimezone = Europe/Amsterdam\n"
                "internal_domains = brightline.nl\n" % db)
        f.write("[salesperson anna]\nemail = anna@brightline.nl\n")
        for i in range(people):
            f.write("[salesperson rep%02d]\nemail = rep%02d@brightline.nl\n" % (i, i))
            if i < manager_of:
                f.write("manager = boss@brightline.nl\n")
    os.chmod(path, 0o600)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    ap.add_argument("--signals", type=int, default=1000000)
    ap.add_argument("--accounts", type=int, default=100000)
    ap.add_argument("--people", type=int, default=20)
    ap.add_argument("--mbox", type=int, default=50000)
    ap.add_argument("--compare", metavar="BUILD",
                    help="another build whose queries run beside these")
    ap.add_argument("--compare-db", metavar="PATH",
                    help="the --compare build's own copy of the database")
    ap.add_argument("--db", help="keep (and reuse) the generated database here")
    ap.add_argument("--sql", action="store_true",
                    help="generate with gen-store.py --sql")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", metavar="REGEX", help="the queries to run")
    ap.add_argument("--no-rebuild", action="store_true",
                    help="with an existing --db: leave its deals as they are")
    a = ap.parse_args()
    sc = os.path.join(a.build, "src", "salescycle")
    tmp = tempfile.mkdtemp(prefix="sc-bench-")
    db = os.path.abspath(a.db) if a.db else os.path.join(tmp, "bench.db")
    conf = os.path.join(tmp, "bench.conf")
    write_config(conf, db, a.people)
    boss = os.path.join(tmp, "boss.conf")
    write_config(boss, db, a.people, manager_of=min(10, a.people))
    oconf, oboss = conf, boss
    if a.compare_db:
        oconf = os.path.join(tmp, "other.conf")
        write_config(oconf, os.path.abspath(a.compare_db), a.people)
        oboss = os.path.join(tmp, "other-boss.conf")
        write_config(oboss, os.path.abspath(a.compare_db), a.people,
                     manager_of=min(10, a.people))
    env = dict(os.environ, SALESCYCLE_NOW=NOW)
    S = [sc, "-c", conf]

    print("salescycle core benchmark: %d signals, %d accounts, %d salespeople"
          % (a.signals, a.accounts, a.people))
    if not os.path.exists(db):
        run(S + ["rebuild"], env)                 # creates the schema
        t0 = time.perf_counter()
        subprocess.run([sys.executable, os.path.join(HERE, "gen-store.py"), db,
                        "--signals", str(a.signals), "--accounts", str(a.accounts),
                        "--people", str(a.people)] + (["--sql"] if a.sql else []),
                       check=True)
        print("generated in %.1f s" % (time.perf_counter() - t0))
        a.no_rebuild = False
    if not a.no_rebuild:
        cpu = []
        dt, rss = run(S + ["rebuild"], env, cpu=cpu)
        print("\n| step | time | CPU | peak RSS |\n|---|---|---|---|")
        print("| rebuild (all deals and transitions) | %.2f s | %.2f s | %.0f MiB |"
              % (dt, cpu[0], rss))

    sqlite = shutil.which("sqlite3")
    w30 = ["--since", "2026-11-02", "--until", "2026-12-02"]
    w90 = ["--since", "2026-09-03", "--until", "2026-12-02"]
    J = ["--format", "json"]
    account = "customer%06d.nl" % (a.accounts // 3)
    # (name, arguments, whole history?)
    queries = [
        ("transitions, 30 days", ["transitions"] + w30 + J, False),
        ("transitions, 90 days", ["transitions"] + w90 + J, False),
        ("transitions, 90 days, one salesperson", ["transitions", "--salesperson", "rep01"] + w90 + J, False),
        ("appointments, 30 days", ["appointments"] + w30 + J, False),
        ("appointments --by created, 30 days", ["appointments", "--by", "created"] + w30 + J, False),
        ("deals, 30 days", ["deals"] + w30 + J, False),
        ("funnel, 90 days", ["funnel"] + w90 + J, False),
        ("deal ACCOUNT", ["deal", account] + J, False),
        ("digest, one manager (10 salespeople)", ["-c", boss, "digest", "--dry-run"], False),
        ("deals", ["deals"] + J, True),
        ("funnel", ["funnel"] + J, True),
        ("transitions", ["transitions"] + J, True),
        ("appointments", ["appointments"] + J, True),
        ("stalled", ["stalled"] + J, True),
        ("forecast", ["forecast"] + J, True),
        ("qualification", ["qualification"] + J, True),
        ("lost-reasons", ["lost-reasons"] + J, True),
        ("conversion", ["conversion"] + J, True),
    ]
    other = os.path.join(a.compare, "src", "salescycle") if a.compare else None
    if other:
        print("\n| query | salescycle (median of %d; peak RSS) | sqlite3 shell, same SQL | ratio "
              "| %s | its ratio | target |\n|---|---|---|---|---|---|---|"
              % (a.runs, a.compare))
    else:
        print("\n| query | salescycle (median of %d; peak RSS) | sqlite3 shell, same SQL | ratio | target |"
              "\n|---|---|---|---|---|" % a.runs)
    plans = []
    for name, args, whole in queries:
        if a.only and not re.search(a.only, name):
            continue
        cmd = [sc] + args if args[0] == "-c" else S + args
        cmds = [cmd]
        if other:
            cmds.append([other] + (["-c", oboss] + args[2:] if args[0] == "-c"
                                   else ["-c", oconf] + args))
        script = None
        if sqlite:
            sql = traced_sql(cmd, env)
            script = os.path.join(tmp, "q.sql")
            with open(script, "w") as f:
                f.write(".output /dev/null\n")
                for q in sql:
                    f.write(q + ";\n")
            seen = []
            for q in sql:
                shape = re.sub(r"'[^']*'|-?\d+(\.\d+)?(e\+?\d+)?", "?", q)
                if shape not in seen:
                    seen.append(shape)
                    plans.append((name, q, plan(sqlite, db, q)))
            if not sql:
                plans.append((name, "(no statement traced: configure the "
                              "build with --enable-test-hooks)", ""))
            cmds.append(([sqlite, "-readonly", db], script))
        t, c, rss = median_times(cmds, n=a.runs, env=env)
        base = t[-1] if sqlite else float("nan")
        line = "| %s | %.0f ms (CPU %.0f, %.0f MiB) | %.0f ms (CPU %.0f) | %.2f |" % (
            name, t[0] * 1000, c[0] * 1000, rss[0], base * 1000,
            c[-1] * 1000, t[0] / base)
        if other:
            line += " %.0f ms (CPU %.0f, %.0f MiB) | %.2f |" % (
                t[1] * 1000, c[1] * 1000, rss[1], t[1] / base)
        print(line + (" 2 s |" if whole else " 200 ms |"))
        sys.stdout.flush()

    print("\nQuery plans (EXPLAIN QUERY PLAN of each distinct statement, "
          "values as in the first run):")
    for name, q, p in plans:
        print("\n%s:\n  %s\n%s" % (name, q, "\n".join("    " + l for l in p.splitlines())))

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
