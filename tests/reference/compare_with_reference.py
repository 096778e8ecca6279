#!/usr/bin/env python3
"""Runs `relmap map --events` and the reference on the same file and window; fails on any difference.
Usage: compare_with_reference.py RELMAP EVENTS.jsonl [--from DAY] [--to DAY]
       compare_with_reference.py --ours GRAPH.json EVENTS.jsonl [...]   (a graph JSON made otherwise,
       e.g. `relmap map --brokers` after streaming the file through Kafka)"""
import json
import math
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
if sys.argv[1] == "--ours":
    ours_path, events, window = sys.argv[2], sys.argv[3], sys.argv[4:]
    with open(ours_path) as ours_file:
        ours = json.load(ours_file)
else:
    relmap, events, window = sys.argv[1], sys.argv[2], sys.argv[3:]
    ours = json.loads(subprocess.run([relmap, "--log-level", "warn", "map", "--events", events, *window],
                                     check=True, capture_output=True, text=True).stdout)
reference = json.loads(subprocess.run([sys.executable, os.path.join(here, "contract_reference.py"), events, *window],
                                      check=True, capture_output=True, text=True).stdout)
differences = []


def compare(path, a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in b:  # fields the reference does not compute (analytics) are not compared
                compare(f"{path}.{key}", a.get(key, "<missing>"), b[key])
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            differences.append(f"{path}: {len(a)} items, reference {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            compare(f"{path}[{i}]", x, y)
    elif isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            differences.append(f"{path}: {a} != reference {b}")
    elif a != b:
        differences.append(f"{path}: {a!r} != reference {b!r}")


compare("graph", ours, reference)
checked = sum(len(reference[k]) for k in ("departments", "edges", "pairs"))
if differences:
    print("\n".join(differences[:40]))
    print(f"{len(differences)} difference(s)")
    sys.exit(1)
print(f"identical: {checked} departments, edges and pairs; totals {reference['totals']}")
