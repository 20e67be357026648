#!/usr/bin/env bash
# Validates everything in deploy/ that can be validated without running it: Prometheus configuration, alert rules
# and their unit tests, every Grafana panel query, dashboard JSON, YAML of compose/Kubernetes/provisioning files,
# systemd units against their env files, and shell syntax. One line per check; exits 1 if any check fails.
#
# promtool is required (Debian: apt-get install prometheus; ./run-tests installs it). Checks whose optional tool
# is missing here (python3 with PyYAML, systemd-analyze, docker compose, shellcheck) say "skip" and do not fail.
# Under CI=true a missing promtool fails.
set -uo pipefail
DEPLOY="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failed=0

ok() { printf 'ok    %s\n' "$1"; }
skip() { printf 'skip  %s: %s\n' "$1" "$2"; }
fail() {
  printf 'FAIL  %s\n' "$1"
  if [[ -n "${2:-}" ]]; then
    while IFS= read -r line; do printf '      %s\n' "$line"; done <<<"$2" | head -n 40
  fi
  failed=1
}
have() { command -v "$1" >/dev/null 2>&1; }

# run NAME COMMAND...: ok when the command succeeds, else FAIL with its output.
run() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$out"; fi
}

# --- Prometheus -------------------------------------------------------------------------------------------------
if have promtool; then
  for cfg in prometheus.yml prometheus-ferry-up.yml; do
    run "promtool check config prometheus/$cfg" promtool check config "$DEPLOY/prometheus/$cfg"
  done
  run "promtool check rules prometheus/rules/ferry-alerts.yml" promtool check rules "$DEPLOY/prometheus/rules/ferry-alerts.yml"
  # The test file names its rule file relative to itself. (Single quotes on purpose: bash -c expands $1.)
  # shellcheck disable=SC2016
  run "promtool test rules prometheus/rules/ferry-alerts.test.yml" \
    bash -c 'cd "$1" && promtool test rules ferry-alerts.test.yml' _ "$DEPLOY/prometheus/rules"

  # Every panel and alert expression of queries.txt becomes a recording rule, so promtool parses each one.
  {
    printf 'groups:\n  - name: grafana-panel-queries\n    rules:\n'
    n=0
    while IFS=$'\t' read -r src expr; do
      [[ -z "$src" || "$src" == \#* ]] && continue
      n=$((n + 1))
      printf '      # %s\n      - record: ferry_check:query_%d\n        expr: '\''%s'\''\n' "$src" "$n" "${expr//\'/\'\'}"
    done <"$DEPLOY/grafana/queries.txt"
  } >"$TMP/queries.rules.yml"
  count=$(grep -c 'record:' "$TMP/queries.rules.yml")
  if ((count < 10)); then
    fail "PromQL of every panel and alert (grafana/queries.txt)" "only $count expressions found"
  else
    run "PromQL of every panel and alert (grafana/queries.txt, $count expressions)" \
      promtool check rules "$TMP/queries.rules.yml"
  fi
elif [[ "${CI:-}" == "true" ]]; then
  fail "promtool checks" "promtool is not installed (apt-get install prometheus; ./run-tests installs it)"
else
  skip "promtool checks" "promtool is not installed (apt-get install prometheus)"
fi

# --- JSON and YAML ----------------------------------------------------------------------------------------------
if have python3; then
  run "JSON parses (dashboards, target files)" python3 - "$DEPLOY" <<'EOF'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
files = sorted(root.glob("grafana/dashboards/*.json")) + sorted(root.glob("*/targets/*.json"))
assert len(files) >= 7, f"expected the 4 dashboards and the target files, found {files}"
for f in files:
    try:
        json.loads(f.read_text())
    except ValueError as e:
        sys.exit(f"{f}: {e}")
EOF

  run "dashboards: schemaVersion 39, datasource variable, unique panel ids" python3 - "$DEPLOY" <<'EOF'
import json, pathlib, sys
problems = []
for f in sorted(pathlib.Path(sys.argv[1]).glob("grafana/dashboards/*.json")):
    d = json.loads(f.read_text())
    if d.get("schemaVersion") != 39:
        problems.append(f"{f.name}: schemaVersion {d.get('schemaVersion')}")
    if not any(v.get("type") == "datasource" and v.get("name") == "datasource" for v in d["templating"]["list"]):
        problems.append(f"{f.name}: no `datasource` variable")
    ids = [p["id"] for p in d["panels"]]
    if len(ids) != len(set(ids)):
        problems.append(f"{f.name}: duplicate panel ids")
    for p in d["panels"]:
        if p["type"] == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"{f.name}: panel '{p['title']}' does not use ${{datasource}}")
        if not p.get("targets") or not all(t.get("expr") for t in p["targets"]):
            problems.append(f"{f.name}: panel '{p['title']}' has no query")
if problems:
    sys.exit("\n".join(problems))
EOF

  if python3 -c 'import yaml' 2>/dev/null; then
    run "dashboards and queries.txt match grafana/dashboards.py" python3 "$DEPLOY/grafana/dashboards.py" --check
    run "YAML parses (compose, k8s, Grafana provisioning, Prometheus)" python3 - "$DEPLOY" <<'EOF'
import pathlib, sys, yaml
root = pathlib.Path(sys.argv[1])
files = [p for p in sorted(root.rglob("*.y*ml")) if p.suffix in (".yml", ".yaml")]
assert len(files) >= 10, f"expected the compose, k8s, provisioning and Prometheus files, found {len(files)}"
for f in files:
    try:
        docs = [d for d in yaml.safe_load_all(f.read_text()) if d is not None]
    except yaml.YAMLError as e:
        sys.exit(f"{f}: {e}")
    if not docs:
        sys.exit(f"{f}: empty")
    if "k8s" in f.parts:
        for d in docs:
            if not {"apiVersion", "kind"} <= d.keys():
                sys.exit(f"{f}: a document without apiVersion/kind")
            if d["kind"] != "Kustomization" and not d.get("metadata", {}).get("name"):
                sys.exit(f"{f}: {d['kind']} without metadata.name")
compose = yaml.safe_load((root / "compose" / "docker-compose.yml").read_text())
services = compose["services"]
for need in ("zk1", "zk2", "zk3", "sched-1", "sched-2", "sched-3", "prometheus", "grafana"):
    if need not in services:
        sys.exit(f"docker-compose.yml: service {need} is missing")
EOF
  else
    skip "YAML parses; dashboards match dashboards.py" "python3 has no yaml module (apt-get install python3-yaml)"
  fi
else
  skip "JSON/YAML checks" "python3 is not installed"
fi

if have docker && docker compose version >/dev/null 2>&1; then
  run "docker compose config" docker compose -f "$DEPLOY/compose/docker-compose.yml" config --quiet
else
  skip "docker compose config" "the docker compose plugin is not installed"
fi

# --- systemd ----------------------------------------------------------------------------------------------------
for unit in ferry-scheduler ferry-agent; do
  envfile="$DEPLOY/systemd/env/${unit#ferry-}.env"
  # Every ${VAR} and $VAR of the unit's ExecStart must be set in its sample env file.
  missing=""
  # shellcheck disable=SC2016 # the patterns match a literal $ in the unit
  for var in $(sed -n '/^ExecStart=/,/[^\\]$/p' "$DEPLOY/systemd/$unit.service" | grep -o '\$[{]\?[A-Z_]*' | tr -d '${' | sort -u); do
    grep -q "^$var=" "$envfile" || missing+="$var "
  done
  if [[ -z "$missing" ]]; then ok "$unit.service: every ExecStart variable is set in env/${unit#ferry-}.env"
  else fail "$unit.service: variables not set in env/${unit#ferry-}.env" "$missing"; fi
done
if have systemd-analyze; then
  # The units call /usr/local/bin/ferry, which is installed on hosts and not here: that one message is expected.
  out=$(cd "$DEPLOY/systemd" && systemd-analyze verify ferry-scheduler.service ferry-agent.service 2>&1 |
    grep -v 'Command /usr/local/bin/ferry is not executable')
  if [[ -z "$out" ]]; then ok "systemd-analyze verify ferry-scheduler.service ferry-agent.service"
  else fail "systemd-analyze verify ferry-scheduler.service ferry-agent.service" "$out"; fi
else
  skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

# --- ZooKeeper --------------------------------------------------------------------------------------------------
servers=$(grep -c '^server\.[0-9]*=' "$DEPLOY/zookeeper/zoo.cfg")
if [[ "$servers" == 3 ]] && grep -q '^dataDir=' "$DEPLOY/zookeeper/zoo.cfg"; then ok "zookeeper/zoo.cfg: 3 servers and a dataDir"
else fail "zookeeper/zoo.cfg" "expected 3 server.N lines and a dataDir, found $servers servers"; fi

# --- shell ------------------------------------------------------------------------------------------------------
for script in local-cluster.sh check.sh; do
  run "bash -n $script" bash -n "$DEPLOY/$script"
done
run "sh -n bin/ferry" sh -n "$DEPLOY/bin/ferry"
if have shellcheck; then
  run "shellcheck" shellcheck "$DEPLOY/local-cluster.sh" "$DEPLOY/check.sh" "$DEPLOY/bin/ferry"
else
  skip "shellcheck" "shellcheck is not installed"
fi

exit $failed
