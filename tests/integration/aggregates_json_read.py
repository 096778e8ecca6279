"""A reader of relmap's JSON aggregates written from docs/aggregates.md and the schemas alone, as
someone else's tool would be: reads the topic to its end (read_committed), keeps the latest record of
each key, checks every record against its JSON Schema, and recomputes the map's totals and each
relationship's requests and handoffs. Prints them as JSON; exits 1 on a record that breaks its schema.

Usage: aggregates_json_read.py BROKERS AGGREGATES_JSON_TOPIC DEAD_LETTER_TOPIC SCHEMA_DIR
"""
import collections
import json
import sys
import uuid

import jsonschema
from confluent_kafka import Consumer, KafkaError, TopicPartition


def read_to_end(brokers, topic):
    """Every committed record of the topic, in each partition's order: (key, value or None)."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"reader-{uuid.uuid4()}",
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "enable.partition.eof": True})
    partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, -2) for p in partitions])  # -2: the beginning
    at_end, records = set(), []
    while len(at_end) < len(partitions):
        message = consumer.poll(10)
        if message is None:
            sys.exit(f"{topic}: nothing for 10 s before its end")
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(message.partition())
                continue
            sys.exit(f"{topic}: {message.error()}")
        records.append((message.key().decode(), message.value()))
    consumer.close()
    return records


def main():
    brokers, topic, dead_letter_topic, schema_dir = sys.argv[1:5]
    schemas = {name: jsonschema.Draft4Validator(json.load(open(f"{schema_dir}/aggregates.v1.{name}.schema.json")))
               for name in ("partition-totals", "case")}
    latest = {}
    for key, value in read_to_end(brokers, topic):
        latest[key] = value  # compacted: the latest record of a key holds; None deletes it
    totals = collections.Counter()
    lives_of_case = collections.defaultdict(dict)  # case id -> life -> record
    for key, value in latest.items():
        if value is None:
            continue
        record = json.loads(value)
        schema = schemas["partition-totals" if key.startswith("totals:") else "case"]
        errors = sorted(schema.iter_errors(record), key=str)
        if errors:
            sys.exit(f"{key}: {errors[0].message}")
        if record["record"] == "partition_totals":
            totals["events"] += record["events"]
            totals["duplicates"] += record["duplicates"]
        else:
            lives_of_case[record["case_id"]][record["life"]] = record  # the same life read twice counts once
    edges = collections.defaultdict(lambda: {"requests": 0, "handoffs": 0})
    without_handoff = 0
    for lives in lives_of_case.values():
        moves = 0
        for life in lives.values():
            for request in life["requests"]:
                edges[f"{request['from']} -> {request['to']}"]["requests"] += 1
            for handoff in life["handoffs"]:
                if handoff["from"] is not None:
                    edges[f"{handoff['from']} -> {handoff['to']}"]["handoffs"] += 1
                    moves += 1
        without_handoff += moves == 0
    print(json.dumps({
        "totals": {"events": totals["events"], "duplicates": totals["duplicates"],
                   "rejected": len(read_to_end(brokers, dead_letter_topic)),
                   "cases": len(lives_of_case), "cases_without_handoff": without_handoff},
        "edges": dict(sorted(edges.items())),
    }, sort_keys=True))


main()
