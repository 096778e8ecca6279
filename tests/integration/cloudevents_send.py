"""Sends relmap events to `relmap ingest` through the CloudEvents Python SDK, in one content mode.

Usage: cloudevents_send.py EVENTS.jsonl URL binary|structured|batched
Each native event becomes the CloudEvent docs/events.md describes (id, source, type
org.relmap.<type>.v1, time; the rest in data), written by the SDK, and is POSTed: binary and
structured one event a request, batched 50 a request. Fails unless every answer is 200.
"""
import json
import sys
import urllib.request
from datetime import datetime

from cloudevents.core.bindings import http
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

ENVELOPE = {"event_id", "type", "v", "occurred_at", "source"}


def cloud_event(native):
    attributes = {
        "id": native["event_id"],
        "source": native["source"],
        "type": f"org.relmap.{native['type']}.v1",
        "time": datetime.fromisoformat(native["occurred_at"].replace("Z", "+00:00")),
        "datacontenttype": "application/json",
    }
    return CloudEvent(attributes, {k: v for k, v in native.items() if k not in ENVELOPE})


def post(url, headers, body):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 200:
            sys.exit(f"{answer.status}: {answer.read()[:300]}")


def main(path, url, mode):
    events = [cloud_event(json.loads(line)) for line in open(path) if line.strip()]
    if mode == "binary":
        for event in events:
            message = http.to_binary_event(event)
            post(url, message.headers, message.body)
    elif mode == "structured":
        for event in events:
            message = http.to_structured_event(event)
            post(url, message.headers, message.body)
    elif mode == "batched":
        form = JSONFormat()
        for start in range(0, len(events), 50):
            batch = b"[" + b",".join(form.write(event) for event in events[start:start + 50]) + b"]"
            post(url, {"Content-Type": "application/cloudevents-batch+json"}, batch)
    else:
        sys.exit(f"no mode {mode}")
    print(f"cloudevents_send: {len(events)} events sent in {mode} mode")


if __name__ == "__main__":
    main(*sys.argv[1:])
