#!/usr/bin/env bash
# Order-view projection lag on Kafka and PostgreSQL: orders at a fixed rate, each with its realistic event sequence;
# lag p99 of the projection next to a bare consumer's in the same run (README, "Order read side").
#   perf/projection-lag-bench.sh                       # 2,000 orders/s for 20 s; KAFKA / PG_URL pick the backends
#   RATE=500 SECONDS_MEASURED=30 PARTITIONS=12 perf/projection-lag-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-2000}
SECONDS_MEASURED=${SECONDS_MEASURED:-20}
PARTITIONS=${PARTITIONS:-6}
. perf/bench-common.sh

build_perf_jar
print_machine "$(postgres_and_kafka)"
echo
CMD="java -cp $JAR io.sagabus.orderview.ProjectionLagBench $KAFKA $PG_URL $RATE $SECONDS_MEASURED $PARTITIONS"
echo "\$ $CMD"
$CMD 2>&1 | grep -E '^(load|baseline|projection|RESULT)|^[a-z.]*Exception|^Caused'
