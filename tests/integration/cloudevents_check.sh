#!/usr/bin/env bash
# The CloudEvents SDKs for Python (PyPI cloudevents) and Go (github.com/cloudevents/sdk-go/v2) as real
# clients of relmap: the same generated events sent to relmap ingest in binary, structured and batched mode, each to a topic of its own, must be stored as the
# same events (the map of each topic, read back with kcat and drawn by relmap map --events, equals
# the file's); and produced straight to the events topic with the SDK's Kafka binding (binary: ce_*
# headers; structured), they must aggregate to the same map (relmap aggregate, then map --brokers).
# Usage: cloudevents_check.sh RELMAP SOURCE_DIR   (RELMAP_KAFKA_BROKERS names the broker)
set -euo pipefail
relmap=$1
root=$2
brokers=${RELMAP_KAFKA_BROKERS:?the integration broker (scripts/test starts one)}
python="$("$root/deploy/install-python-tools" cloudevents)/python"
go="$("$root/deploy/install-go-tools")/go"
work=$(mktemp -d)
ingest=
cleanup() {
  [[ -n $ingest ]] && kill "$ingest" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "cloudevents_check: $*" >&2; exit 1; }

"$relmap" generate --seed 21 --cases 150 -o "$work/events.jsonl" 2>/dev/null
"$relmap" --log-level warn map --events "$work/events.jsonl" >"$work/file.json"
# through_ingest CLIENT MODE: a topic of the mode's own, an ingest on it, the client's requests, and
# the map of what the topic holds against the file's.
through_ingest() {
  local client=$1 mode=$2 topic url
  topic="relmap-test-cloudevents-$$-$client-$mode"
  "$relmap" --log-level warn topics create --brokers "$brokers" --topic "$topic" --dlq-topic "$topic.dlq" --partitions 2 >/dev/null
  "$relmap" --log-level warn ingest --brokers "$brokers" --topic "$topic" --dlq-topic "$topic.dlq" --listen 127.0.0.1:0 \
    --insecure-no-auth >"$work/ingest.out" 2>"$work/ingest.log" &
  ingest=$!
  for _ in $(seq 100); do grep -q 'POST http://' "$work/ingest.out" && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' "$work/ingest.out") || fail "ingest printed no address: $(cat "$work/ingest.log")"
  case $client in
    python) "$python" "$root/tests/integration/cloudevents_send.py" "$work/events.jsonl" "$url" "$mode" ;;
    go) "$work/cloudevents_go" "$work/events.jsonl" "$url" "$mode" ;;
  esac || fail "the $client SDK's $mode requests failed"
  kill -TERM "$ingest"
  wait "$ingest" || fail "ingest did not stop cleanly"
  ingest=
  kcat -b "$brokers" -t "$topic" -C -e -q >"$work/$mode.jsonl"
  [[ $(kcat -b "$brokers" -t "$topic.dlq" -C -e -q | wc -l) == 0 ]] || fail "$client $mode: some events went to the dead-letter topic"
  "$relmap" --log-level warn map --events "$work/$mode.jsonl" >"$work/$mode.json"
  cmp -s "$work/$mode.json" "$work/file.json" ||
    fail "$client $mode mode: the map differs from the file's: $(diff <(tr ',' '\n' <"$work/$mode.json") <(tr ',' '\n' <"$work/file.json") | head -5)"
}
# The Go SDK's client, built from the module proxy (go.sum pins it).
(cd "$root/tests/integration/cloudevents_go" && GOFLAGS=-mod=mod "$go" build -o "$work/cloudevents_go" .) ||
  fail "the Go client does not build"
for client in python go; do
  for mode in binary structured batched; do through_ingest "$client" "$mode"; done
done
for mode in kafka-binary kafka-structured; do
  prefix="relmap-test-cloudevents-$$-$mode"
  flags=(--brokers "$brokers" --topic "$prefix.events" --dlq-topic "$prefix.dlq" --changelog-topic "$prefix.state"
         --aggregates-topic "$prefix.aggregates" --alerts-topic "$prefix.alerts" --departments-topic "$prefix.departments")
  "$relmap" --log-level warn topics create "${flags[@]}" --partitions 2 >/dev/null
  "$python" "$root/tests/integration/cloudevents_send.py" "$work/events.jsonl" "$brokers/$prefix.events" "$mode" || fail "the SDK's $mode records failed"
  "$relmap" --log-level warn aggregate "${flags[@]}" --group "$prefix" --stop-at-end 2>"$work/aggregate.log" || fail "aggregate: $(cat "$work/aggregate.log")"
  [[ $(kcat -b "$brokers" -t "$prefix.dlq" -C -e -q | wc -l) == 0 ]] || fail "$mode: some records went to the dead-letter topic: $(kcat -b "$brokers" -t "$prefix.dlq" -C -e -q -f '%h\n' | head -2)"
  "$relmap" --log-level warn map "${flags[@]}" >"$work/$mode.json"
  cmp -s "$work/$mode.json" "$work/file.json" || fail "$mode: the map differs from the file's: $(diff <(tr ',' '\n' <"$work/$mode.json") <(tr ',' '\n' <"$work/file.json") | head -5)"
done
echo "cloudevents_check: $(wc -l <"$work/events.jsonl") events in binary, structured and batched mode over HTTP from Python and Go, and in binary and structured mode over Kafka: the same map as the file's"
