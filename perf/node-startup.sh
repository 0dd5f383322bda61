#!/usr/bin/env bash
# Node figures for the README: cold start to healthy (median of 5), heap at idle after start, time for a third
# node to join a running cluster, and how long survivors take to notice a kill -9.
#   perf/node-startup.sh          (needs verticles/target/sagabus.jar: mvn -B package -DskipTests)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="${SAGABUS_JAR:-$root/verticles/target/sagabus.jar}"
log_dir="$(mktemp -d /tmp/sagabus-startup-XXXXXX)"
now_ms() { date +%s%3N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
healthy() { curl -fsS -m 1 "http://127.0.0.1:$1/health" >/dev/null 2>&1; }
up_count() { curl -fsS -m 1 "http://127.0.0.1:$1/api/cluster/nodes" 2>/dev/null | grep -o '"up":true' | wc -l; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "command: perf/node-startup.sh"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
echo "jar: $jar ($(du -h "$jar" | cut -f1))"

echo "== cold start to healthy, standalone, 5 runs"
starts=()
for run in 1 2 3 4 5; do
  port="$(free_port)"
  t0="$(now_ms)"
  SAGABUS_HTTP_PORT="$port" java -jar "$jar" > "$log_dir/cold-$run.log" 2>&1 &
  pid=$!; pids+=("$pid")
  until healthy "$port"; do sleep 0.02; done
  t1="$(now_ms)"
  starts+=($((t1 - t0)))
  echo "run $run: $((t1 - t0)) ms"
  if [ "$run" -eq 5 ]; then
    sleep 5
    jcmd "$pid" GC.run >/dev/null
    sleep 1
    heap="$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^jvm_memory_used_bytes\{area="heap"/{s+=$NF} END{printf "%.1f", s/1048576}')"
    echo "heap used at idle after start (after a full GC): ${heap} MiB"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
median="$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)"
echo "cold start median: ${median} ms"

echo "== third node joining a 2-node cluster (loopback)"
cluster="perf-$RANDOM"
base=$((20000 + RANDOM % 20000))
members="$(for i in 0 1 2 3 4; do printf '127.0.0.1:%d,' $((base + i)); done)"
start_clustered() {
  SAGABUS_CLUSTER_NAME="$cluster" SAGABUS_CLUSTER_PORT="$base" SAGABUS_CLUSTER_MEMBERS="${members%,}" \
    SAGABUS_HTTP_PORT="$1" java -jar "$jar" -cluster > "$log_dir/cluster-$1.log" 2>&1 &
  pids+=("$!")
}
p1="$(free_port)"; p2="$(free_port)"; p3="$(free_port)"
start_clustered "$p1"; start_clustered "$p2"
until healthy "$p1" && healthy "$p2" && [ "$(up_count "$p1")" -ge 2 ]; do sleep 0.05; done
t0="$(now_ms)"
start_clustered "$p3"; third=$!
until healthy "$p3" && [ "$(up_count "$p1")" -ge 3 ] && [ "$(up_count "$p3")" -ge 3 ]; do sleep 0.02; done
echo "third node: process start to healthy and seen by all: $(( $(now_ms) - t0 )) ms"

echo "== kill -9 of the third node, detected by the first"
t0="$(now_ms)"
kill -9 "$third"
until [ "$(up_count "$p1")" -eq 2 ]; do sleep 0.02; done
echo "kill -9 detected in: $(( $(now_ms) - t0 )) ms (bound: hazelcast.max.no.heartbeat.seconds=5 when no TCP reset arrives)"
echo "logs: $log_dir"
