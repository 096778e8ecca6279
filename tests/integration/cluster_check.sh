#!/usr/bin/env bash
# relmap on a 3-broker KRaft cluster of its own (deploy/kafka-local start --brokers 3): its topics get
# 3 replicas with 2 in sync; one broker is SIGKILLed while the aggregator runs and events are produced
# while it is down, then restarted; the map read back from the aggregates topic equals `relmap map
# --events` of the same file, field by field. Usage: cluster_check.sh RELMAP SOURCE_DIR
set -euo pipefail
relmap=$1
root=$2
work=$(mktemp -d)
RELMAP_KAFKA_DIR="$work/cluster"
export RELMAP_KAFKA_DIR
aggregator=
cleanup() {
  [[ -n $aggregator ]] && kill -KILL "$aggregator" 2>/dev/null
  "$root/deploy/kafka-local" clean >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "cluster_check: $*" >&2; exit 1; }

brokers=$("$root/deploy/kafka-local" start --brokers 3)
[[ $(tr ',' '\n' <<<"$brokers" | wc -l) == 3 ]] || fail "start --brokers 3 printed $brokers"
"$relmap" --log-level warn topics create --brokers "$brokers" --partitions 3 >"$work/topics.out"
grep -qP '^relmap\.events\t3 partition\(s\), 3 replica\(s\), 2 in sync$' "$work/topics.out" || fail "topics: $(cat "$work/topics.out")"
replicas=$(kcat -b "$brokers" -L -t relmap.events | grep -cE 'replicas: [0-9]+,[0-9]+,[0-9]+, isrs' || true)
[[ $replicas == 3 ]] || fail "relmap.events has $replicas partitions on 3 replicas, not 3"

"$relmap" generate --seed 9 --cases 2000 -o "$work/events.jsonl" 2>/dev/null
total=$(wc -l <"$work/events.jsonl")
head -n $((total / 2)) "$work/events.jsonl" >"$work/first.jsonl"
tail -n +$((total / 2 + 1)) "$work/events.jsonl" >"$work/second.jsonl"
"$relmap" --log-level warn produce --brokers "$brokers" "$work/first.jsonl"

"$relmap" --log-level warn aggregate --brokers "$brokers" --group cluster-check --batch-ms 200 &
aggregator=$!
sleep 3
kill -KILL "$(cat "$RELMAP_KAFKA_DIR/node-2/pid")"
# Two replicas of three are in sync: a write is still acknowledged with one broker gone.
"$relmap" --log-level warn produce --brokers "$brokers" "$work/second.jsonl"
sleep 2
"$root/deploy/kafka-local" start --brokers 3 >/dev/null  # brings node 2 back
kill -TERM "$aggregator"
wait "$aggregator" || fail "the aggregator did not stop cleanly"
aggregator=
"$relmap" --log-level warn aggregate --brokers "$brokers" --group cluster-check --stop-at-end

"$relmap" --log-level warn map --brokers "$brokers" >"$work/from-kafka.json"
"$relmap" --log-level warn map --events "$work/events.jsonl" >"$work/from-file.json"
python3 - "$work/from-kafka.json" "$work/from-file.json" <<'PY'
import json, sys
kafka, file = (json.load(open(path)) for path in sys.argv[1:])
if kafka != file:
    for key in file:
        if kafka.get(key) != file[key]:
            print(f"cluster_check: {key} differs: {json.dumps(kafka.get(key))[:300]} against {json.dumps(file[key])[:300]}")
    sys.exit(1)
print(f"cluster_check: {kafka['totals']['events']} events, {len(kafka['edges'])} relationships: the same through the cluster")
PY
