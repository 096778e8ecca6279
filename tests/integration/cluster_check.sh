#!/usr/bin/env bash
# relmap in production shape on a 3-broker KRaft cluster of its own (deploy/kafka-local start
# --brokers 3): topics with 3 replicas and 2 in sync; one configuration file, and `relmap run` with
# ingest, two aggregators, alerts and serve as separate processes. Events come from a file (relmap
# produce) and over HTTP (retried on 503, as a client would); mid-stream one broker and one aggregator
# are SIGKILLed, then restarted. The graph serve answers must equal `relmap map --events` of the same
# events, field by field: no event answered 2xx is missing, none is counted twice.
# Usage: cluster_check.sh RELMAP SOURCE_DIR
set -euo pipefail
relmap=$1
root=$2
work=$(mktemp -d)
# The cluster is this test's own: the shared broker scripts/test exports would override the
# configuration file's brokers (the environment wins over the file).
unset RELMAP_KAFKA_BROKERS
RELMAP_KAFKA_DIR="$work/cluster"
export RELMAP_KAFKA_DIR
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  "$root/deploy/kafka-local" clean >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "cluster_check: $*" >&2
  for log in "$work"/*.log; do [[ -s $log ]] && { echo "--- $log" >&2; tail -n 15 "$log" >&2; }; done
  exit 1
}

brokers=$("$root/deploy/kafka-local" start --brokers 3)
[[ $(tr ',' '\n' <<<"$brokers" | wc -l) == 3 ]] || fail "start --brokers 3 printed $brokers"
"$relmap" --log-level warn topics create --brokers "$brokers" --partitions 4 >"$work/topics.out"
grep -qP '^relmap\.events\t4 partition\(s\), 3 replica\(s\), 2 in sync$' "$work/topics.out" || fail "topics: $(cat "$work/topics.out")"
replicas=$(kcat -b "$brokers" -L -t relmap.events | grep -cE 'replicas: [0-9]+,[0-9]+,[0-9]+, isrs' || true)
[[ $replicas == 4 ]] || fail "relmap.events has $replicas partitions on 3 replicas, not 4"

echo "cluster-ingest-token" >"$work/ingest.tokens"
echo "cluster-ops operations" >"$work/serve.tokens"
cat >"$work/relmap.toml" <<EOF
roles = ["ingest", "aggregate", "alerts", "serve"]
[log]
level = "warn"
format = "json"
[kafka]
brokers = "$brokers"
[kafka.properties]
# A killed aggregator's partitions go to the other within seconds, not librdkafka's 45.
session.timeout.ms = 6000
heartbeat.interval.ms = 500
[ingest]
listen = "127.0.0.1:0"
token_file = "$work/ingest.tokens"
[aggregate]
batch_ms = 200
[alerts]
every_seconds = 2
[serve]
listen = "127.0.0.1:0"
token_file = "$work/serve.tokens"
refresh_seconds = 0.5
EOF
# role NAME [--set ...]: one relmap run process, its stdout in NAME.out, its log in NAME.log.
start_role() {
  local name=$1 role=$2
  shift 2
  "$relmap" run --config "$work/relmap.toml" --role "$role" "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  eval "pid_$name=$!"
}
address_of() {  # the host:port a role printed
  for _ in $(seq 300); do
    grep -qo 'http://[^/]*' "$work/$1.out" 2>/dev/null && { grep -o 'http://[^/]*' "$work/$1.out" | head -1; return; }
    sleep 0.1
  done
  fail "$1 printed no address"
}

"$relmap" generate --seed 9 --cases 2000 --duplicates 0.02 --out-of-order 0.1 --invalid 0.005 -o "$work/events.jsonl" 2>/dev/null
total=$(wc -l <"$work/events.jsonl")
third=$((total / 3))
head -n "$third" "$work/events.jsonl" >"$work/first.jsonl"
sed -n "$((third + 1)),$((2 * third))p" "$work/events.jsonl" >"$work/posted.jsonl"
tail -n +$((2 * third + 1)) "$work/events.jsonl" >"$work/last.jsonl"
"$relmap" --log-level warn produce --brokers "$brokers" "$work/first.jsonl" 2>"$work/produce.log" || fail "produce of the first third"

start_role ingest ingest
start_role aggregator1 aggregate --set aggregate.instance_id=cluster-aggregator-1
start_role aggregator2 aggregate --set aggregate.instance_id=cluster-aggregator-2
start_role alerts alerts
start_role serve serve
ingest=$(address_of ingest)
serve=$(address_of serve)

# Posts NDJSON chunks of 100 events. A 503 names the records that were not stored: those alone are
# sent again, as a careful client does, so that the stream holds each event exactly as the file does.
# 200 and 400 (some records invalid, dead-lettered; the others stored) are final.
split -l 100 "$work/posted.jsonl" "$work/chunk."
chunks=("$work"/chunk.*)
resent=0
post() {
  local status pending=$1
  for _ in $(seq 20); do
    status=$(curl -s -o "$work/answer.json" -w '%{http_code}' -H 'Authorization: Bearer cluster-ingest-token' \
             -H 'Content-Type: application/x-ndjson' --data-binary @"$pending" "$ingest/v1/events" || echo 000)
    case $status in
      200|400) return ;;
      503)
        python3 - "$pending" "$work/answer.json" "$work/retry.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines(keepends=True)
failed = [r["index"] for r in json.load(open(sys.argv[2]))["results"] if r["status"] == "failed"]
open(sys.argv[3], "w").write("".join(lines[i] for i in failed))
PY
        cp "$work/retry.jsonl" "$work/pending.jsonl"
        resent=$((resent + $(wc -l <"$work/pending.jsonl")))
        pending=$work/pending.jsonl
        sleep 1 ;;
      *) fail "POST $(basename "$1") answered $status: $(cat "$work/answer.json")" ;;
    esac
  done
  fail "POST $(basename "$1") was not stored after 20 tries"
}
for index in "${!chunks[@]}"; do
  post "${chunks[$index]}"
  if ((index == ${#chunks[@]} / 3)); then
    kill -KILL "$(cat "$RELMAP_KAFKA_DIR/node-2/pid")"
    kill -KILL "$pid_aggregator1"
    wait "$pid_aggregator1" 2>/dev/null || true
  fi
  if ((index == 2 * ${#chunks[@]} / 3)); then
    start_role aggregator1 aggregate --set aggregate.instance_id=cluster-aggregator-1
    "$root/deploy/kafka-local" start --brokers 3 >/dev/null  # brings node 2 back
  fi
done
"$relmap" --log-level warn produce --brokers "$brokers" "$work/last.jsonl" 2>>"$work/produce.log" || fail "produce of the last third"

"$relmap" --log-level warn map --events "$work/events.jsonl" >"$work/from-file.json"
expected=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["events"])' "$work/from-file.json")
for _ in $(seq 240); do
  curl -s -H 'Authorization: Bearer cluster-ops' "$serve/api/v1/graph" >"$work/served.json" || true
  served=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["events"])' "$work/served.json" 2>/dev/null || echo 0)
  [[ $served == "$expected" ]] && break
  sleep 0.5
done
python3 - "$work/served.json" "$work/from-file.json" "$resent" <<'PY' || fail "the served graph is not the file's"
import json, sys
served, file = (json.load(open(path)) for path in sys.argv[1:3])
# A record a 503 named not stored may have been stored all the same (Kafka's "possibly persisted":
# the broker died before acknowledging it). Sent again, a valid one is a repeated event_id, counted
# once among the events and once more among the duplicates; an invalid one is a second dead letter.
# Nothing else may differ.
resent = int(sys.argv[3])
extra = {key: served["totals"][key] - file["totals"][key] for key in ("duplicates", "rejected")}
if min(extra.values()) < 0 or sum(extra.values()) > resent:
    print(f"cluster_check: {extra} more than the file holds, with {resent} records sent again")
    sys.exit(1)
for key in extra:
    served["totals"][key] = file["totals"][key]
if served != file:
    for key in sorted(set(file) | set(served)):
        if served.get(key) != file.get(key):
            print(f"cluster_check: {key} differs: {json.dumps(served.get(key))[:300]} against {json.dumps(file.get(key))[:300]}")
    sys.exit(1)
print(f"cluster_check: {served['totals']['events']} events, {len(served['edges'])} relationships: "
      f"served through the cluster as the file gives them; {resent} record(s) sent again after a 503, "
      f"{sum(extra.values())} of them stored twice")
PY

# Every process drains and exits 0 on SIGTERM.
for name in ingest aggregator1 aggregator2 alerts serve; do
  pid_var=pid_$name
  kill -TERM "${!pid_var}"
  wait "${!pid_var}" || fail "$name did not stop cleanly on SIGTERM"
done
pids=()
