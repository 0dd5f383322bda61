#!/usr/bin/env bash
# Order-saga throughput and latency on one node, embedded and Postgres stores, next to a plain Vert.x HTTP endpoint
# measured in the same run; then the heap cost of each in-flight saga at 10,000 in flight.
#   perf/saga-bench.sh                      # about 2 minutes
#   RUN_SECONDS=20 CONNECTIONS=64 perf/saga-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_SECONDS=${RUN_SECONDS:-8}
CONNECTIONS=${CONNECTIONS:-32}
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
JAR=perf/target/sagabus-perf.jar
if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -q -pl verticles,perf -am package -DskipTests
fi
echo "== machine"
echo "cpus: $(nproc)  model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)  memory: $(free -m | awk '/Mem:/ {print $2 " MiB"}')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  java: $(java -version 2>&1 | head -1)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)"
CMD="java -Xmx2g -XX:+UseG1GC -cp $JAR io.sagabus.perf.SagaThroughputBench $PG_URL $RUN_SECONDS $CONNECTIONS"
echo "== run"
echo "\$ $CMD"
$CMD 2>&1 | grep -E '^RESULT|WARN|ERROR'
echo "targets: Postgres >= 3000 completed/s, embedded >= 15000/s, p99 <= 50 ms at half load, heap <= 2048 bytes per in-flight saga"
