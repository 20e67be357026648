#!/usr/bin/env bash
# A real multi-host Ferry topology on one Linux machine (needs root: network namespaces and a bridge).
#
#   deploy/local-cluster.sh start N    # N agents (1..50), each in its own network namespace with its own address
#   deploy/local-cluster.sh status     # what runs, where, and the command for `ferry status`
#   deploy/local-cluster.sh stop       # stop every process, delete namespaces, veths, bridge and state
#
# Topology (every address is created by this script, on a bridge no other interface is attached to):
#
#   root namespace: bridge ferry-lc0 10.77.0.1/24, `ferry zk` on 10.77.0.1:2181,
#                   `ferry scheduler` s1..sM on 10.77.0.1 (admin 7400+i, metrics 9400+i)
#   namespace ferry-lc-hI: eth0 10.77.0.(10+I)/24 (veth to the bridge), `ferry agent hI` on port 7500, metrics 9500
#
# The namespaces have no default route: agents reach only 10.77.0.0/24. Agents and schedulers talk mutual TLS with
# certificates made here (one per host, naming its address), exactly as across real machines.
#
# Environment: FERRY (the ferry command; default: the repository's ./ferry), FERRY_LC_STATE (state, logs, pids;
# default /tmp/ferry-local-cluster), FERRY_LC_SCHEDULERS (scheduler replicas, default 1),
# FERRY_LC_HYPERVISOR (default sim).
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
FERRY="${FERRY:-$HERE/../ferry}"
STATE="${FERRY_LC_STATE:-/tmp/ferry-local-cluster}"
SCHEDULERS="${FERRY_LC_SCHEDULERS:-1}"
HYPERVISOR="${FERRY_LC_HYPERVISOR:-sim}"
CLUSTER="ferry-lc"
BRIDGE="ferry-lc0"
NS_PREFIX="ferry-lc-h"
NET="10.77.0"
ZK="$NET.1:2181"

die() { echo "local-cluster: $*" >&2; exit 1; }
say() { echo "local-cluster: $*"; }

need_root() {
  [[ $(id -u) -eq 0 ]] || die "needs root (network namespaces and a bridge): run it with sudo"
  command -v ip >/dev/null || die "the ip command is missing: apt-get install iproute2"
}

host_addr() { echo "$NET.$((10 + $1))"; }

# Starts one long-running ferry process in the background, its own session, output to logs/NAME.log.
# Usage: launch NAME [NAMESPACE] -- ARGS...
launch() {
  local name=$1 ns=$2
  shift 3
  local prefix=()
  [[ -n "$ns" ]] && prefix=(ip netns exec "$ns")
  # Without job control the background child is no group leader, so setsid and ip netns exec exec in place:
  # $! is the JVM's pid.
  "${prefix[@]}" setsid "$FERRY" "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name.pid"
}

# Waits until NAME's log shows its start line (the one with its addresses), or fails with the log's tail.
await_started() {
  local name=$1 pattern=$2 deadline=$((SECONDS + 90))
  until grep -q "$pattern" "$STATE/logs/$name.log" 2>/dev/null; do
    if ! kill -0 "$(cat "$STATE/pids/$name.pid")" 2>/dev/null; then
      tail -n 20 "$STATE/logs/$name.log" >&2 || true
      die "$name exited during start (log: $STATE/logs/$name.log); run '$0 stop' to clean up"
    fi
    ((SECONDS < deadline)) || die "$name did not start within 90 s (log: $STATE/logs/$name.log)"
    sleep 0.5
  done
}

cmd_start() {
  local n=${1:-}
  if [[ ! "$n" =~ ^[0-9]+$ ]] || ((n < 1 || n > 50)); then die "usage: $0 start N (N agents, 1..50)"; fi
  [[ "$SCHEDULERS" =~ ^[1-5]$ ]] || die "FERRY_LC_SCHEDULERS=$SCHEDULERS is outside 1..5"
  need_root
  if ip link show "$BRIDGE" >/dev/null 2>&1 || [[ -d "$STATE" ]]; then
    die "a local cluster already exists (bridge $BRIDGE or $STATE): run '$0 stop' first"
  fi
  mkdir -p "$STATE"/{logs,pids,certs}
  # Build once, up front, rather than in every process at the same time.
  "$FERRY" --version >/dev/null || die "$FERRY does not run"

  say "network: bridge $BRIDGE $NET.1/24, $n namespaces"
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local i ns
  for ((i = 1; i <= n; i++)); do
    ns="$NS_PREFIX$i"
    ip netns add "$ns"
    ip link add "lc-h$i" type veth peer name eth0 netns "$ns"
    ip link set "lc-h$i" master "$BRIDGE" up
    ip -n "$ns" addr add "$(host_addr "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done

  say "certificates in $STATE/certs"
  local sans=()
  for ((i = 1; i <= SCHEDULERS; i++)); do sans+=(--san "s$i"); done
  "$FERRY" certs init --out "$STATE/certs/ca" --cluster "$CLUSTER" --san "$NET.1" "${sans[@]}" >/dev/null
  for ((i = 1; i <= n; i++)); do
    "$FERRY" certs issue --ca "$STATE/certs/ca" --name "h$i" --san "$(host_addr "$i")" \
      --out "$STATE/certs/h$i" >/dev/null
  done

  launch zk "" -- zk --host "$NET.1" --port 2181 --data "$STATE/zk"
  await_started zk "^zk="
  for ((i = 1; i <= SCHEDULERS; i++)); do
    launch "s$i" "" -- scheduler --zk "$ZK" --cluster "$CLUSTER" --name "s$i" --bind "$NET.1" \
      --admin-port $((7399 + i)) --metrics-port $((9399 + i)) --certs "$STATE/certs/ca"
  done
  # Agents join the Helix cluster that the first scheduler creates.
  for ((i = 1; i <= SCHEDULERS; i++)); do await_started "s$i" "^scheduler s$i "; done
  for ((i = 1; i <= n; i++)); do
    launch "h$i" "$NS_PREFIX$i" -- agent --zk "$ZK" --cluster "$CLUSTER" --name "h$i" --hypervisor "$HYPERVISOR" \
      --bind "$(host_addr "$i")" --port 7500 --metrics-port 9500 --certs "$STATE/certs/h$i"
  done
  for ((i = 1; i <= n; i++)); do await_started "h$i" "^agent h$i "; done
  cmd_status
}

cmd_status() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1 && [[ ! -d "$STATE" ]]; then
    say "not running"
    return 0
  fi
  local f name pid
  for f in "$STATE"/pids/*.pid; do
    [[ -e "$f" ]] || continue
    name=$(basename "$f" .pid)
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      printf '%-4s pid %-7s %s\n' "$name" "$pid" "$(grep -m1 -E '^(zk=|scheduler |agent )' "$STATE/logs/$name.log" || true)"
    else
      printf '%-4s exited (log: %s)\n' "$name" "$STATE/logs/$name.log"
    fi
  done
  echo "namespaces: $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" | sort -V | tr '\n' ' ')"
  echo "ferry status --zk $ZK --cluster $CLUSTER --certs $STATE/certs/ca"
}

# Stops one process we started: TERM, up to 20 s, then KILL. Checks that the pid is still a ferry JVM first
# (a stale pid file must never kill an unrelated process that reused the number).
stop_pid() {
  local name=$1 pid=$2 t
  [[ -r /proc/$pid/cmdline ]] || return 0
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q 'ferry' || { say "pid $pid ($name) is no longer ferry: left alone"; return 0; }
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((t = 0; t < 40; t++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  say "$name (pid $pid) ignored SIGTERM for 20 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  need_root
  local f ns pid
  # Agents first, then schedulers, then ZooKeeper: each leaves cleanly while the others are still there.
  for f in "$STATE"/pids/h*.pid "$STATE"/pids/s*.pid "$STATE"/pids/zk.pid; do
    [[ -e "$f" ]] || continue
    stop_pid "$(basename "$f" .pid)" "$(cat "$f")"
    rm -f "$f"
  done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true); do
    # Anything still inside a namespace this script made was started there by it.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      say "killing pid $pid left in $ns"
      kill -KILL "$pid" 2>/dev/null || true
    done
    ip netns del "$ns"   # deletes its veth, and with it the bridge-side end
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE"
  fi
  if [[ -d "$STATE" ]]; then
    rm -rf "$STATE"
  fi
  say "stopped: no process, namespace, veth or bridge of the local cluster is left"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: $0 start N | status | stop" ;;
esac
