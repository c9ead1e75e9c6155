#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# Runs a command and writes "WALL-SECONDS PEAK-RSS-KB USER-SECONDS
# SYS-SECONDS PEAK-FDS" to OUTFILE, the peak RSS and CPU times from
# os.wait4 (the command itself, not this wrapper), the peak of its open
# descriptors sampled from /proc every 10 ms.  Exits with the command's
# status.
#
#	usage: measure.py OUTFILE COMMAND [ARG...]

import os
import subprocess
import sys
import time

if len(sys.argv) < 3:
    sys.exit("usage: measure.py OUTFILE COMMAND [ARG...]")
t0 = time.monotonic()
child = subprocess.Popen(sys.argv[2:])
fds = 0
while True:
    pid, status, ru = os.wait4(child.pid, os.WNOHANG)
    if pid != 0:
        break
    try:
        fds = max(fds, len(os.listdir("/proc/%d/fd" % child.pid)))
    except OSError:
        pass
    time.sleep(0.01)
wall = time.monotonic() - t0
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as f:
    f.write("%.3f %d %.3f %.3f %d\n" % (wall, ru.ru_maxrss, ru.ru_utime,
                                        ru.ru_stime, fds))
sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)
