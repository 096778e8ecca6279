#!/usr/bin/env python3
"""Runs a command; prints its wall-clock seconds and peak resident memory (KiB) on one line.
Usage: measure.py COMMAND [ARGS...]   (stdout of the command goes to /dev/null)"""
import resource
import subprocess
import sys
import time

start = time.monotonic()
completed = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
elapsed = time.monotonic() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if completed.returncode != 0:
    sys.exit(f"measure.py: {sys.argv[1:]} exited with {completed.returncode}")
print(f"{elapsed:.3f} {peak_kib}")
