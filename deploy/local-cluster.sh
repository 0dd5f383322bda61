#!/usr/bin/env bash
# N sagabus nodes on loopback, clustered over Hazelcast, each with its own HTTP port.
#   deploy/local-cluster.sh start [N]   start N nodes (default 3); waits until each is healthy and sees all N
#   deploy/local-cluster.sh stop        stop them cleanly (SIGTERM, then kill -9 after 30 s)
#   deploy/local-cluster.sh status      pid, health and cluster view of each node
# Env: SAGABUS_LOCAL_HTTP_BASE (first HTTP port, default 8080), SAGABUS_RUN_DIR (logs and pids, default
# deploy/.run), SAGABUS_JAR (default verticles/target/sagabus.jar), SAGABUS_ROLES_<i> (roles of node i, default all),
# and any SAGABUS_* config variable (SAGABUS_PG_URL, SAGABUS_REDIS_URL, ...), which every node inherits.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="${SAGABUS_JAR:-$root/verticles/target/sagabus.jar}"
run_dir="${SAGABUS_RUN_DIR:-$here/.run}"
http_base="${SAGABUS_LOCAL_HTTP_BASE:-8080}"
wait_seconds="${SAGABUS_WAIT_SECONDS:-120}"

pid_of() { cat "$run_dir/node-$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
nodes_started() { ls "$run_dir"/node-*.pid 2>/dev/null | sed -E 's/.*node-([0-9]+)\.pid/\1/' | sort -n; }
healthy() { curl -fsS -m 2 "http://127.0.0.1:$1/health" >/dev/null 2>&1; }
members_seen() { curl -fsS -m 2 "http://127.0.0.1:$1/api/cluster/nodes" 2>/dev/null | grep -o '"up":true' | wc -l; }

start() {
  local count="${1:-3}"
  [ -f "$jar" ] || { echo "no jar at $jar; build it with: mvn -B package -DskipTests" >&2; exit 1; }
  mkdir -p "$run_dir"
  for i in $(seq 1 "$count"); do
    if alive "$i"; then echo "node $i already running (pid $(pid_of "$i"))"; continue; fi
    local port=$((http_base + i - 1))
    local roles_var="SAGABUS_ROLES_$i"
    local roles="${!roles_var:-}"
    local args=(-cluster --profile local-cluster --http-port "$port" --node-name "node-$i")
    [ -n "$roles" ] && args+=(--roles "$roles")
    nohup java -Xmx512m -XX:MaxTenuringThreshold=1 -jar "$jar" "${args[@]}" > "$run_dir/node-$i.log" 2>&1 &
    echo $! > "$run_dir/node-$i.pid"
    echo "node $i: pid $!, http://127.0.0.1:$port, log $run_dir/node-$i.log"
  done
  local deadline=$((SECONDS + wait_seconds))
  for i in $(seq 1 "$count"); do
    local port=$((http_base + i - 1))
    until healthy "$port" && [ "$(members_seen "$port")" -ge "$count" ]; do
      if ! alive "$i"; then echo "node $i exited; last lines of $run_dir/node-$i.log:" >&2; tail -5 "$run_dir/node-$i.log" >&2; exit 1; fi
      if [ $SECONDS -ge $deadline ]; then echo "node $i not healthy with $count members after ${wait_seconds}s; see $run_dir/node-$i.log" >&2; exit 1; fi
      sleep 0.5
    done
  done
  echo "cluster up: $count nodes, each healthy and seeing all $count"
}

stop() {
  local any=0
  for i in $(nodes_started); do
    any=1
    if alive "$i"; then kill "$(pid_of "$i")"; fi
  done
  [ $any -eq 1 ] || { echo "no nodes recorded in $run_dir"; return 0; }
  local deadline=$((SECONDS + 30))
  for i in $(nodes_started); do
    while alive "$i" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if alive "$i"; then kill -9 "$(pid_of "$i")"; echo "node $i: killed after 30 s"; else echo "node $i: stopped"; fi
    rm -f "$run_dir/node-$i.pid"
  done
}

status() {
  local failing=0
  local found=0
  for i in $(nodes_started); do
    found=1
    local port=$((http_base + i - 1))
    if alive "$i" && healthy "$port"; then
      echo "node $i: up, pid $(pid_of "$i"), http://127.0.0.1:$port, sees $(members_seen "$port") nodes up"
    elif alive "$i"; then
      echo "node $i: running but not healthy, pid $(pid_of "$i"), log $run_dir/node-$i.log"; failing=1
    else
      echo "node $i: down, log $run_dir/node-$i.log"; failing=1
    fi
  done
  [ $found -eq 1 ] || { echo "no nodes recorded in $run_dir"; return 1; }
  return $failing
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] | stop | status" >&2; exit 2 ;;
esac
