#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# Runs a command and writes "WALL-SECONDS PEAK-RSS-KB USER-SECONDS
# SYS-SECONDS" to OUTFILE, the peak RSS and CPU times from os.wait4 (the
# command itself, not this wrapper).  Exits with the command's status.
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
_, status, ru = os.wait4(child.pid, 0)
wall = time.monotonic() - t0
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as f:
    f.write("%.3f %d %.3f %.3f\n" % (wall, ru.ru_maxrss, ru.ru_utime, ru.ru_stime))
sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)
