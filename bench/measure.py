#!/usr/bin/env python3
"""Runs a command; prints on one line its wall-clock seconds, peak resident memory (KiB), CPU seconds
(user and system, all its threads), and how many of the machine's cores were busy meanwhile (every
process: on a machine shared with the broker, this says whether the step was CPU-bound).
Usage: measure.py COMMAND [ARGS...]   (stdout of the command goes to /dev/null)"""
import os
import resource
import subprocess
import sys
import time


def busy_and_total_jiffies():
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


busy_before, _ = busy_and_total_jiffies()
start = time.monotonic()
completed = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
elapsed = time.monotonic() - start
busy_after, _ = busy_and_total_jiffies()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if completed.returncode != 0:
    sys.exit(f"measure.py: {sys.argv[1:]} exited with {completed.returncode}")
busy_cores = (busy_after - busy_before) / os.sysconf("SC_CLK_TCK") / elapsed
print(f"{elapsed:.3f} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime:.3f} {busy_cores:.2f}")
