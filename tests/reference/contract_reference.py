#!/usr/bin/env python3
"""An independent reference implementation of relmap's contract statistics (../../docs/contract.md):
totals, departments, edges and pairs of the graph JSON, for a window, from a JSONL file of native events.

Written from the contract text, not from the C++ code, and on purpose in another style: the whole
file is read, valid events are deduplicated, then everything is computed from scratch by sorting.
Usage: contract_reference.py EVENTS.jsonl [--from DAY] [--to DAY]  -> the JSON on stdout.
"""
import argparse
import datetime as dt
import json
import math
import sys

TYPES = {"request", "response", "handoff", "feedback", "andon"}
REQUIRED = {
    "request": ["case_id", "from", "to"],
    "response": ["case_id", "from", "to", "request_id", "outcome"],
    "handoff": ["case_id", "to"],  # without "from", the case opens at "to"
    "feedback": ["case_id", "solved"],
    "andon": ["from", "about", "severity", "reason"],
}


def parse_time(text):
    if not isinstance(text, str) or len(text) < 20 or text[10] not in "Tt":
        raise ValueError(text)
    value = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    parsed = dt.datetime.fromisoformat(value.replace("t", "T"))
    if parsed.tzinfo is None:
        raise ValueError(text)
    return parsed.astimezone(dt.timezone.utc)


def valid_event(line):
    """The event as a dict with parsed times, or None when the contract rejects it."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("type") not in TYPES or event.get("v") != 1:
        return None
    for field in ["event_id", "occurred_at", "source"] + REQUIRED[event["type"]]:
        if field not in event:
            return None
    try:
        event["_at"] = parse_time(event["occurred_at"])
        if "due_at" in event:
            event["_due"] = parse_time(event["due_at"])
    except ValueError:
        return None
    if event["type"] in ("request", "response", "handoff") and event.get("from") == event["to"]:
        return None
    if event["type"] == "response" and event["outcome"] == "redirected" and "redirect_to" not in event:
        return None
    return event


def day(moment):
    return moment.strftime("%Y-%m-%d")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("events")
    parser.add_argument("--from", dest="first")
    parser.add_argument("--to", dest="last")
    args = parser.parse_args()
    in_window = lambda d: (args.first is None or d >= args.first) and (args.last is None or d <= args.last)

    events, seen, duplicates, rejected = [], set(), 0, 0
    with open(args.events, encoding="utf-8", errors="surrogateescape") as lines:
        for line in lines:
            if not line.strip():
                continue
            event = valid_event(line)
            if event is None:
                rejected += 1
            # A repeat within its case (the partition key): the same id in another case is another event.
            elif (event.get("case_id"), event["event_id"]) in seen:
                duplicates += 1
            else:
                seen.add((event.get("case_id"), event["event_id"]))
                events.append(event)

    # The watermark covers every event that passed decoding, also those later found not to mirror their
    # request: a stream cannot take back an event time it has seen.
    watermark = max((e["_at"] for e in events), default=None)
    requests = {}
    for e in events:
        if e["type"] == "request":
            requests.setdefault(e.get("request_id", e["event_id"]), e)  # the first one stands
    # Responses that do not mirror their request are rejected; those of unknown requests count but do nothing.
    responses = {}
    valid = []
    for e in events:
        if e["type"] == "response" and e["request_id"] in requests:
            r = requests[e["request_id"]]
            if e["from"] != r["to"] or e["to"] != r["from"]:
                rejected += 1
                continue
            responses.setdefault(e["request_id"], []).append(e)
        valid.append(e)
    events = valid

    departments = set()
    for e in events:
        for field in ("from", "to", "about", "redirect_to"):
            if field in e and e["type"] != "feedback" or (e["type"] == "feedback" and field in ("about", "from") and field in e):
                departments.add(e[field])

    edges = {}
    edge = lambda a, b: edges.setdefault((a, b), dict(requests=0, resolved=0, declined=0, redirected=0, open=0,
                                                      expired=0, handoffs=0, ping_pong=0, andon=0, times=[]))
    for request_id, r in requests.items():
        if not in_window(day(r["_at"])):
            continue
        s = edge(r["from"], r["to"])
        s["requests"] += 1
        answers = responses.get(request_id, [])
        if answers:
            latest = max(answers, key=lambda a: (a["_at"], a["event_id"]))
            s[latest["outcome"]] += 1
            s["times"].append((latest["_at"] - r["_at"]).total_seconds())
        else:
            due = r.get("_due", r["_at"] + dt.timedelta(hours=72))
            s["expired" if due < watermark else "open"] += 1

    by_case = {}
    for e in events:
        if "case_id" in e:
            by_case.setdefault(e["case_id"], []).append(e)
    feedback = {}
    cases_with_handoff = 0
    for case_id, case_events in by_case.items():
        # Stable: equal times keep the file's order (the contract), whatever their ids.
        handoffs = sorted((e for e in case_events if e["type"] == "handoff"), key=lambda e: e["_at"])
        if any("from" in h for h in handoffs):
            cases_with_handoff += 1
        for i, h in enumerate(handoffs):
            if "from" not in h or not in_window(day(h["_at"])):
                continue
            s = edge(h["from"], h["to"])
            s["handoffs"] += 1
            if i > 0 and handoffs[i - 1].get("from") == h["to"] and handoffs[i - 1]["to"] == h["from"]:
                s["ping_pong"] += 1
        case_requests = sorted((e for e in case_events if e["type"] == "request"), key=lambda e: e["_at"])
        for f in (e for e in case_events if e["type"] == "feedback"):
            if not in_window(day(f["_at"])):
                continue
            about = f.get("about")
            if about is None:
                before = [h for h in handoffs if h["_at"] <= f["_at"]]
                about = before[-1]["to"] if before else (case_requests[0]["to"] if case_requests else None)
            if about is not None:
                counts = feedback.setdefault(about, [0, 0])
                counts[0 if f["solved"] else 1] += 1
    for e in events:
        if e["type"] == "andon" and in_window(day(e["_at"])):
            edge(e["from"], e["about"])["andon"] += 1

    def percentile(values, q):
        if not values:
            return None
        ordered = sorted(values)
        return ordered[max(1, math.ceil(q * len(ordered))) - 1]

    out_edges = []
    for (a, b), s in sorted(edges.items(), key=lambda kv: (kv[0][0].encode(), kv[0][1].encode())):
        out_edges.append(dict(from_=a, to=b, **{k: v for k, v in s.items() if k != "times"},
                              dead_ends=s["declined"] + s["expired"],
                              response_time_p50_s=percentile(s["times"], 0.5),
                              response_time_p90_s=percentile(s["times"], 0.9)))
    ratio = lambda part, whole: None if whole == 0 else part / whole
    out_departments = []
    for d in sorted(departments, key=lambda x: x.encode()):
        made = sum(s["requests"] for (a, b), s in edges.items() if a == d)
        received = sum(s["requests"] for (a, b), s in edges.items() if b == d)
        gives = sum(s["resolved"] for (a, b), s in edges.items() if b == d)
        gets = sum(s["resolved"] for (a, b), s in edges.items() if a == d)
        declined = sum(s["declined"] for (a, b), s in edges.items() if b == d)
        expired = sum(s["expired"] for (a, b), s in edges.items() if b == d)
        out_departments.append(dict(
            id=d, requests_made=made, requests_received=received, gives=gives, gets=gets,
            give_ratio=ratio(gives, gives + gets), not_my_role_rate=ratio(declined, received),
            dead_end_rate=ratio(declined + expired, received),
            handoffs_in=sum(s["handoffs"] for (a, b), s in edges.items() if b == d),
            handoffs_out=sum(s["handoffs"] for (a, b), s in edges.items() if a == d),
            solved=feedback.get(d, [0, 0])[0], unsolved=feedback.get(d, [0, 0])[1],
            andon=sum(s["andon"] for (a, b), s in edges.items() if b == d)))
    out_pairs = []
    names = sorted({n for pair in edges for n in pair}, key=lambda x: x.encode())
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            gives = edges.get((b, a), {}).get("resolved", 0)
            gets = edges.get((a, b), {}).get("resolved", 0)
            if gives + gets == 0:
                continue
            imbalance = (gives - gets) / (gives + gets)
            out_pairs.append(dict(a=a, b=b, gives=gives, gets=gets, imbalance=imbalance,
                                  flagged=abs(imbalance) >= 0.5 and gives + gets >= 10))
    result = dict(
        watermark=watermark.strftime("%Y-%m-%dT%H:%M:%S") + ("." + f"{watermark.microsecond:06d}".rstrip("0") if watermark.microsecond else "") + "Z" if watermark else None,
        window={"from": args.first, "to": args.last},
        totals=dict(events=len(events), duplicates=duplicates, rejected=rejected, cases=len(by_case),
                    cases_without_handoff=len(by_case) - cases_with_handoff),
        departments=out_departments,
        edges=[{("from" if k == "from_" else k): v for k, v in e.items()} for e in out_edges],
        pairs=out_pairs)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
