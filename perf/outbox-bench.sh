#!/usr/bin/env bash
# Outbox relay throughput: events/s drained from a pre-filled PostgreSQL outbox to Kafka, next to the raw Kafka
# producer with the same settings in the same run (README, "Domain events").
#   perf/outbox-bench.sh                     # 200,000 events; KAFKA / PG_URL pick the backends
#   EVENTS=500000 PARTITIONS=8 perf/outbox-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-200000}
KEYS=${KEYS:-1000}
PARTITIONS=${PARTITIONS:-4}
BATCH=${BATCH:-1000}
. perf/bench-common.sh

build_perf_jar
print_machine "$(postgres_and_kafka)"
echo
CMD="java -cp $JAR io.sagabus.perf.OutboxRelayBench $KAFKA $PG_URL $EVENTS $KEYS $PARTITIONS $BATCH"
echo "\$ $CMD"
OUTPUT=$($CMD 2>&1 | grep -E '^(RESULT|CHECK)')
echo "$OUTPUT"
raw=$(echo "$OUTPUT" | awk '/raw-producer/ { split($3, a, "="); print a[2] }')
relay=$(echo "$OUTPUT" | awk '/RESULT relay/ { split($3, a, "="); print a[2] }')
echo
printf '%-34s | %s\n' "raw Kafka producer (baseline)" "$raw events/s"
printf '%-34s | %s\n' "relay from Postgres outbox" "$relay events/s ($(awk -v a="$relay" -v b="$raw" 'BEGIN { printf "%.0f%%", 100 * a / b }') of baseline)"
echo "target >= 20,000 events/s: $(awk -v a="$relay" 'BEGIN { print (a >= 20000 ? "MET" : "NOT MET") }')"
