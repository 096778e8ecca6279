#!/usr/bin/env python3
"""Runs a command; prints on one line its wall-clock seconds, peak resident memory (KiB), CPU seconds
(user and system, all its threads), how many of the machine's cores were busy meanwhile (every
process: on a machine shared with the broker, this says whether the step was CPU-bound), and the CPU
seconds of the process RELMAP_BENCH_BROKER_PID names meanwhile (the broker's work for the step; nan
when unknown).
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


def broker_jiffies():
    try:
        with open(f"/proc/{os.environ['RELMAP_BENCH_BROKER_PID']}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime and stime, after the state field
    except (KeyError, OSError, ValueError):
        return None


broker_before = broker_jiffies()
busy_before, _ = busy_and_total_jiffies()
start = time.monotonic()
completed = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
elapsed = time.monotonic() - start
busy_after, _ = busy_and_total_jiffies()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if completed.returncode != 0:
    sys.exit(f"measure.py: {sys.argv[1:]} exited with {completed.returncode}")
broker_after = broker_jiffies()
busy_cores = (busy_after - busy_before) / os.sysconf("SC_CLK_TCK") / elapsed
broker_seconds = (broker_after - broker_before) / os.sysconf("SC_CLK_TCK") if None not in (broker_before, broker_after) else float("nan")
print(f"{elapsed:.3f} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime:.3f} {busy_cores:.2f} {broker_seconds:.2f}")
