"""Sends relmap events through the CloudEvents Python SDK, in one content mode.

Usage: cloudevents_send.py EVENTS.jsonl URL binary|structured|batched
       cloudevents_send.py EVENTS.jsonl BROKERS/TOPIC kafka-binary|kafka-structured
Each native event becomes the CloudEvent docs/events.md describes (id, source, type
org.relmap.<type>.v1, time; the rest in data), written by the SDK. Over HTTP it is POSTed to
relmap ingest (binary and structured one event a request, batched 50 a request; fails unless every
answer is 200); over Kafka it is produced to the events topic with the SDK's Kafka binding
(confluent-kafka, keyed by the case as relmap keys it; fails unless every record is acknowledged).
"""
import json
import sys
import urllib.request
from datetime import datetime

from cloudevents.core.bindings import http, kafka
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
    elif mode in ("kafka-binary", "kafka-structured"):
        from confluent_kafka import Producer

        brokers, topic = url.split("/", 1)
        producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True})
        failures = []
        by_case = lambda event: event.get_data()["case_id"]
        convert = kafka.to_binary_event if mode == "kafka-binary" else kafka.to_structured_event
        for event in events:
            message = convert(event, key_mapper=by_case)
            producer.produce(topic, value=message.value, key=message.key, headers=list(message.headers.items()),
                             on_delivery=lambda error, _: failures.append(error) if error else None)
            producer.poll(0)
        producer.flush(60)
        if failures:
            sys.exit(f"{len(failures)} records not acknowledged: {failures[0]}")
    else:
        sys.exit(f"no mode {mode}")
    print(f"cloudevents_send: {len(events)} events sent in {mode} mode")


if __name__ == "__main__":
    main(*sys.argv[1:])
