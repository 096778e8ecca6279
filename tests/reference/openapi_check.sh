#!/usr/bin/env bash
# The OpenAPI document against the running relmap serve (schemathesis, bounded): every answer, for
# the operations role and for a department role, matches the document, and none is a 5xx.
# Usage: openapi_check.sh RELMAP SOURCE_DIR
set -euo pipefail
relmap="$1"
source_dir="$2"
tools="$("$source_dir/deploy/install-python-tools" schemathesis)"
work="$(mktemp -d "${TMPDIR:-/tmp}/relmap-openapi.XXXXXX")"
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$relmap" generate --seed 3 --cases 400 --directory-out "$work/directory.csv" -o "$work/events.jsonl" 2>/dev/null
printf 'check-ops operations\ncheck-legal department:Legal\n' > "$work/tokens"
"$relmap" --log-level warn serve --events "$work/events.jsonl" --directory "$work/directory.csv" \
  --listen 127.0.0.1:0 --token-file "$work/tokens" > "$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 100); do
  grep -q 'relmap serve: http://' "$work/serve.out" && break
  sleep 0.1
done
port="$(sed -n 's|.*relmap serve: http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.out")"
[[ -n "$port" ]] || { cat "$work/serve.out"; echo "openapi_check: serve printed no address" >&2; exit 1; }
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done

# positive_data_acceptance is left out: the document cannot say that from must not come after to,
# or that compare=true is JSON only, which the server rightly answers with 400.
cd "$work"  # schemathesis keeps its state in the working directory
status=0
for token in check-ops check-legal; do
  echo "openapi_check: as $token"
  "$tools/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" -H "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance --max-examples 30 --seed 1 \
    --report-dir "$work/reports" --no-color || status=1
done
exit "$status"
