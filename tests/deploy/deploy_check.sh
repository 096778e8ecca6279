#!/usr/bin/env bash
# Each file in deploy/ checked by the tool its platform uses, and every relmap command line in it run
# with --print-config against the configuration it is given, so that a flag or a key relmap does not
# know fails here rather than at a customer's:
#   helm/relmap        helm lint --strict, helm template (defaults, and every option), kubernetes-validate
#   compose            docker-compose config
#   systemd            systemd-analyze verify (no warning either)
#   container          the runtime stage's packages hold every library the relmap binary needs
# Usage: deploy_check.sh RELMAP SOURCE_DIR PART
set -euo pipefail
relmap=$(readlink -f "$1")
root=$2
part=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "deploy_check: $*" >&2; exit 1; }

# Runs ARGS (a relmap command line without the binary) with --print-config and CONFIG as the file.
check_command_line() {
  local config=$1
  shift
  [[ $1 == run ]] || fail "not a relmap run command: $*"
  shift
  local args=()
  while (($#)); do
    case $1 in
      --config|-c) shift 2 ;;  # the platform's path: replaced by the file itself
      *) args+=("$1"); shift ;;
    esac
  done
  "$relmap" run --config "$config" "${args[@]}" --print-config >"$work/printed.toml" 2>"$work/printed.err" ||
    fail "relmap run ${args[*]} with $(basename "$config"): $(cat "$work/printed.err")"
}

case $part in
helm)
  helm="$("$root/deploy/install-go-tools")/helm"
  validate="$("$root/deploy/install-python-tools" kubernetes-validate)"
  chart="$root/deploy/helm/relmap"
  "$helm" lint --strict "$chart" >"$work/lint.out" || fail "helm lint: $(cat "$work/lint.out")"
  # Every option at once: Kafka properties and their Secret, token and actor-key Secrets.
  cat >"$work/options-values.yaml" <<'EOF'
kafka:
  brokers: "kafka.example:9093"
  properties: {security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-512, linger.ms: 5}
  propertiesSecret: relmap-kafka
tokens: {existingSecret: relmap-tokens}
actorKeySecret: relmap-actor-key
tlsSecret: relmap-tls
aggregate: {replicas: 6}
alerts: {webhookSecret: relmap-webhooks, publicUrl: "https://relmap.example.com"}
EOF
  for values in default options; do
    flags=()
    [[ $values == options ]] && flags=(--values "$work/options-values.yaml")
    "$helm" template relmap "$chart" "${flags[@]}" >"$work/$values.yaml" 2>"$work/template.err" ||
      fail "helm template ($values): $(cat "$work/template.err")"
    "$validate/kubernetes-validate" --strict --kubernetes-version 1.33 "$work/$values.yaml" >"$work/validate.out" 2>&1 ||
      fail "kubernetes-validate ($values): $(cat "$work/validate.out")"
    # The ConfigMap's relmap.toml and each Deployment's arguments, through relmap itself.
    "$validate/python" - "$work/$values.yaml" "$work/$values" <<'PY'
import sys, yaml
documents = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = sorted(d["kind"] for d in documents)
expected = ["ConfigMap", "Deployment", "Deployment", "Deployment", "Deployment", "PodDisruptionBudget",
            "PodDisruptionBudget", "PodDisruptionBudget", "Service", "Service"]
if [k for k in kinds if k != "Secret"] != expected:
    sys.exit(f"rendered kinds {kinds}, expected {expected} (and a Secret without existingSecret)")
for d in documents:
    if d["kind"] == "ConfigMap":
        open(sys.argv[2] + ".toml", "w").write(d["data"]["relmap.toml"])
    if d["kind"] == "Deployment":
        container = d["spec"]["template"]["spec"]["containers"][0]
        with open(sys.argv[2] + ".args", "a") as out:
            out.write("\t".join(container["args"]) + "\n")
        if "ports" in container and not ("livenessProbe" in container and "readinessProbe" in container):
            sys.exit(f"{d['metadata']['name']} serves HTTP without probes")
        https = sys.argv[2].endswith("options")  # the options render with a TLS Secret
        for probe in ("livenessProbe", "readinessProbe"):
            if probe in container and container[probe]["httpGet"]["scheme"] != ("HTTPS" if https else "HTTP"):
                sys.exit(f"{d['metadata']['name']}'s {probe} does not ask over {'HTTPS' if https else 'HTTP'}")
        if "requests" not in container["resources"]:
            sys.exit(f"{d['metadata']['name']} has no resource requests")
PY
    [[ -s "$work/$values.toml" ]] || fail "no relmap.toml rendered ($values)"
    while IFS=$'\t' read -r -a args; do check_command_line "$work/$values.toml" "${args[@]}"; done <"$work/$values.args"
  done
  grep -q '"sasl.mechanism" = "SCRAM-SHA-512"' "$work/options.toml" || fail "the Kafka properties were not rendered"
  grep -q '^properties_file = "/etc/relmap/kafka/kafka.properties"' "$work/options.toml" || fail "no properties_file"
  [[ $(grep -c '^tls_certificate_file = "/etc/relmap/tls/tls.crt"' "$work/options.toml") == 2 ]] || fail "ingest and serve got no TLS"
  grep -q '^webhook_file = "/etc/relmap/webhooks/webhooks"' "$work/options.toml" || fail "no webhook_file"
  echo "deploy_check: the chart lints, renders and validates; its configuration and arguments are relmap's"
  ;;
compose)
  compose="$("$root/deploy/install-python-tools" docker-compose)/docker-compose"
  cp -r "$root/deploy/compose" "$work/compose"
  mkdir -p "$work/compose/secrets"
  echo "token" >"$work/compose/secrets/ingest.tokens"
  echo "token operations" >"$work/compose/secrets/serve.tokens"
  # The build context is the repository (../..): copied where the file expects it.
  "$compose" -f "$work/compose/docker-compose.yml" --project-directory "$work/compose" config >"$work/config.yaml" 2>"$work/config.err" ||
    fail "docker-compose config: $(cat "$work/config.err")"
  "$(dirname "$compose")/python" - "$work/config.yaml" >"$work/commands" <<'PY'
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
roles = sorted(s["command"][2] for s in services.values() if s.get("command", [""])[0] == "run")
if roles != ["aggregate", "aggregate", "alerts", "ingest", "serve"]:
    sys.exit(f"the relmap services run {roles}")
for service in services.values():
    if service.get("command", [""])[0] == "run":
        print("\t".join(service["command"]))
PY
  # The secrets' paths as the containers see them.
  sed "s|/run/secrets/|$work/compose/secrets/|" "$root/deploy/compose/relmap.toml" >"$work/relmap.toml"
  while IFS=$'\t' read -r -a args; do check_command_line "$work/relmap.toml" "${args[@]}"; done <"$work/commands"
  "$relmap" run --config "$work/relmap.toml" --role ingest --role serve --check >/dev/null || fail "the compose configuration does not check"
  echo "deploy_check: the compose file is valid; its configuration and commands are relmap's"
  ;;
systemd)
  mkdir -p "$work/units"
  # verify checks that ExecStart's binary exists: this build's stands in for /usr/local/bin/relmap.
  for unit in "$root"/deploy/systemd/*; do
    sed "s|/usr/local/bin/relmap|$relmap|" "$unit" >"$work/units/$(basename "$unit")"
  done
  (cd "$work/units" && systemd-analyze verify relmap@ingest.service relmap@aggregate.service relmap.target) >"$work/verify.out" 2>&1 ||
    fail "systemd-analyze verify: $(cat "$work/verify.out")"
  [[ ! -s "$work/verify.out" ]] || fail "systemd-analyze verify warns: $(cat "$work/verify.out")"
  exec_start=$(sed -n 's|^ExecStart=/usr/local/bin/relmap ||p' "$root/deploy/systemd/relmap@.service")
  read -r -a args <<<"${exec_start//%i/aggregate}"
  args=("${args[@]//%H/host}")
  check_command_line "$root/deploy/relmap.toml" "${args[@]}"
  echo "deploy_check: the units verify; their command line is relmap's"
  ;;
container)
  dockerfile="$root/deploy/container/Dockerfile"
  grep -q -- '--runtime' "$dockerfile" || fail "the runtime stage does not install deploy/install-deps --runtime"
  grep -qE '^USER [1-9]' "$dockerfile" || fail "the image does not run as a non-root user"
  # The runtime packages, as deploy/install-deps lists them.
  runtime=$(sed -n '/^runtime_packages=(/,/^)/p' "$root/deploy/install-deps" | sed '1d;$d' | tr -s ' \n' '\n' | sed '/^$/d')
  [[ -n $runtime ]] || fail "no runtime_packages in deploy/install-deps"
  # Debian bookworm-slim's own: the C and C++ runtimes.
  base=$'libc6\nlibgcc-s1\nlibstdc++6'
  for library in $(readelf -d "$relmap" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(ldd "$relmap" | awk -v lib="$library" '$1 == lib {print $3}')
    [[ -n $path ]] || fail "ldd does not resolve $library"
    package=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "${path/#\/usr\/lib//lib}" 2>/dev/null || dpkg -S "$path" 2>/dev/null || true)
    package=${package%%:*}
    [[ -n $package ]] || fail "no Debian package holds $path"
    grep -qxF "$package" <<<"$runtime"$'\n'"$base" || fail "$library comes from $package, which the runtime stage does not install"
  done
  echo "deploy_check: the runtime stage installs every library relmap needs"
  ;;
*) fail "no part $part (helm, compose, systemd, container)" ;;
esac
