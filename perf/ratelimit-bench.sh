#!/usr/bin/env bash
# Rate-limit figures, each next to its baseline from the same run (docs/ratelimit.md, "Performance").
#   perf/ratelimit-bench.sh            # about 2 minutes; REDIS_HOST/REDIS_PORT pick the Redis (default 127.0.0.1:6379)
#   RUN_SECONDS=10 perf/ratelimit-bench.sh   # longer, steadier runs
set -euo pipefail
cd "$(dirname "$0")/.."

REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
RUN_SECONDS=${RUN_SECONDS:-4}
IN_FLIGHT=${IN_FLIGHT:-64}
KEYS=${KEYS:-1000}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
. perf/bench-common.sh

build_perf_jar
print_machine "redis: $(redis-server --version | awk '{print $3}')"

declare -a ROWS
row() { ROWS+=("$(printf '%-34s | %-28s | %-28s | %s' "$1" "$2" "$3" "$4")"); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "== 1. local decisions/s (JMH, 1 thread)"
CMD="java -jar $JAR LocalDecisionBenchmark -wi 1 -w 2 -i 2 -r 2 -f 1 -rf csv -rff $OUT/jmh.csv"
echo "\$ $CMD"
$CMD > "$OUT/jmh.log" 2>&1 || { tail -20 "$OUT/jmh.log"; exit 1; }
grep -E '^Benchmark|LocalDecisionBenchmark\.' "$OUT/jmh.log" | tail -n +1
jmh() { awk -F, -v b="\"io.sagabus.perf.LocalDecisionBenchmark.$1\"" -v k="$2" '$1 == b && $NF == k { printf "%.0f", $5 }' "$OUT/jmh.csv"; }
for keys in 1 10000; do
  ours=$(jmh sagabusLocalBuckets $keys); theirs=$(jmh bucket4jLocalBucket $keys)
  met=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { print (a >= b ? "MET" : "NOT MET") }')
  row "local, $keys key(s)" "bucket4j $theirs ops/s" "sagabus $ours ops/s ($(ratio "$ours" "$theirs")x)" "target >= 1.0x: $met"
done

echo
echo "== 2. Redis decisions/s ($IN_FLIGHT in flight, $KEYS keys, ${RUN_SECONDS}s each)"
java -cp "$JAR" io.sagabus.perf.RedisDecisionBench print-script > "$OUT/script.lua"
SHA=$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" SCRIPT LOAD "$(cat "$OUT/script.lua")")
raw() {
  local cmd="redis-benchmark -h $REDIS_HOST -p $REDIS_PORT -n $1 -c $IN_FLIGHT -P $2 -r $KEYS --csv EVALSHA $SHA 1 sagabus-bench-raw:__rand_int__ 1000 1.0 1 -1"
  echo "\$ $cmd" >&2
  $cmd 2>/dev/null | awk -F'","' 'NR == 2 { printf "%.0f", $2 }'
}
RAW_P1=$(raw 150000 1); echo "raw EVALSHA, unpipelined: $RAW_P1/s"
RAW_P16=$(raw 400000 16); echo "raw EVALSHA, pipeline 16: $RAW_P16/s"
bench() {
  local cmd="java -cp $JAR io.sagabus.perf.RedisDecisionBench $1 $REDIS_HOST $REDIS_PORT $RUN_SECONDS $IN_FLIGHT $KEYS"
  echo "\$ $cmd" >&2
  $cmd 2>/dev/null | awk '/^RESULT/ { split($3, kv, "="); print kv[2] }'
}
OURS=$(bench sagabus); echo "sagabus RedisBuckets: $OURS/s"
VERTX=$(bench vertx-evalsha); echo "bare Vert.x client EVALSHA: $VERTX/s"
B4J=$(bench bucket4j); echo "bucket4j Lettuce proxy: $B4J/s"
met=$(awk -v a="$OURS" -v b="$RAW_P1" 'BEGIN { print (a >= 0.8 * b ? "MET" : "NOT MET") }')
row "redis vs raw EVALSHA (-P 1)" "redis-benchmark $RAW_P1/s" "sagabus $OURS/s ($(ratio "$OURS" "$RAW_P1")x)" "target >= 0.8x: $met"
row "redis vs raw EVALSHA (-P 16)" "redis-benchmark $RAW_P16/s" "sagabus $OURS/s ($(ratio "$OURS" "$RAW_P16")x)" "(pipelined ceiling)"
row "redis vs bare Vert.x EVALSHA" "vertx client $VERTX/s" "sagabus $OURS/s ($(ratio "$OURS" "$VERTX")x)" "(adapter overhead)"
row "redis vs Bucket4j Lettuce" "bucket4j $B4J/s" "sagabus $OURS/s ($(ratio "$OURS" "$B4J")x)" ""

echo
echo "== 3. gateway added latency at half load (open loop, HdrHistogram)"
CMD="java -cp $JAR io.sagabus.perf.GatewayLatencyBench redis://$REDIS_HOST:$REDIS_PORT $RUN_SECONDS"
echo "\$ $CMD"
$CMD 2>/dev/null | grep -E '^(RESULT|WARN)' | tee "$OUT/gateway.txt"
for backend in local redis; do
  line=$(grep "RESULT gateway-$backend " "$OUT/gateway.txt" || true)
  base=$(echo "$line" | sed -n 's/.*baseline p50=[0-9.]* p99=\([0-9.]*\).*/\1/p')
  with=$(echo "$line" | sed -n 's/.*with limiter p50=[0-9.]* p99=\([0-9.]*\).*/\1/p')
  added=$(echo "$line" | sed -n 's/.*added p50=[0-9.-]* p99=\([0-9.-]*\) ms.*/\1/p')
  limit=$([ "$backend" = local ] && echo 1 || echo 2)
  met=$(awk -v a="$added" -v l="$limit" 'BEGIN { print (a != "" && a <= l ? "MET" : "NOT MET") }')
  row "gateway p99, $backend buckets" "no limiter p99 $base ms" "limiter p99 $with ms (+$added)" "target <= $limit ms added: $met"
done

echo
echo "== summary (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-34s | %-28s | %-28s | %s\n' "figure" "baseline" "sagabus" "target"
printf '%s\n' "${ROWS[@]}"
