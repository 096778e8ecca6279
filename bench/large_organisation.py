#!/usr/bin/env python3
"""Writes the events (JSONL) of a large organisation for bench/serve: DEPARTMENTS departments in
teams of 20, CASES cases of a request, its answer and three handoffs each, mostly within a team.
Deterministic (seeded). Usage: large_organisation.py DEPARTMENTS CASES > events.jsonl"""
import json
import random
import sys

departments, cases = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(5)
names = [f"D{i:05d}" for i in range(departments)]
outcomes = ["resolved", "resolved", "resolved", "declined", "redirected"]
out = sys.stdout
for case in range(cases):
    owner = rng.randrange(departments)
    day = 1 + case % 28
    hour = 8
    def at(minute):
        return f"2026-02-{day:02d}T{hour + minute // 60:02d}:{minute % 60:02d}:00Z"
    minute = 0
    case_id = f"L{case}"
    for step in range(3):
        if rng.random() < 0.8:
            target = (owner // 20) * 20 + rng.randrange(20)
        else:
            target = rng.randrange(departments)
        if target == owner or target >= departments:
            continue
        if step == 0:
            out.write(json.dumps({"event_id": f"{case_id}q", "type": "request", "v": 1, "occurred_at": at(minute),
                                  "case_id": case_id, "source": "bench", "from": names[owner], "to": names[target]}) + "\n")
            minute += 30
            out.write(json.dumps({"event_id": f"{case_id}a", "type": "response", "v": 1, "occurred_at": at(minute),
                                  "case_id": case_id, "source": "bench", "from": names[target], "to": names[owner],
                                  "request_id": f"{case_id}q", "outcome": rng.choice(outcomes)}) + "\n")
            minute += 30
        out.write(json.dumps({"event_id": f"{case_id}h{step}", "type": "handoff", "v": 1, "occurred_at": at(minute),
                              "case_id": case_id, "source": "bench", "from": names[owner], "to": names[target]}) + "\n")
        minute += 45
        owner = target
