#!/usr/bin/env bash
# Resilience stack overhead: a local event-bus request bare, through sagabus's stack, through Resilience4j
# CircuitBreaker + Bulkhead, and through vertx-circuit-breaker's execute.
#
# This machine is shared and has 2 cores, so one long run per variant mostly measures whoever else is busy at that
# moment. The script therefore runs every variant in several short rounds, one after another (round 1: all
# variants, round 2: all variants, ...). It reports each variant's median iteration and its best iteration.
# Interference only ever slows a run down, so "best" is the figure least distorted by neighbours.
#
# Then it runs PairedOverheadRun: the same benchmark methods in one JVM, many short rounds with every variant back
# to back in shuffled order. It reports each variant relative to the bare request in the same round, which is the
# figure most robust to neighbours.
#
# Other people's JMH runs hold JMH's machine-wide lock; this script ignores it (-Djmh.ignoreLock=true) and relies on
# the paired figures, rather than fail.
#
# Usage: perf/resilience-bench.sh [--quick] [--rounds N] [extra JMH args...]
#   --quick      1 JMH round of 1 warmup + 2 iterations of 1 s, and 10 paired rounds (a smoke run)
#   --rounds N   JMH rounds to run (default 3); each round: 2 warmup + 4 measured iterations of 1 s per variant
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
paired_rounds=30
jmh_args=(-f 1 -wi 2 -w 1s -i 4 -r 1s)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) rounds=1; paired_rounds=10; jmh_args=(-f 1 -wi 1 -w 1s -i 2 -r 1s); shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) break ;;
  esac
done

jar=perf/target/sagabus-perf.jar
if [[ ! -f "$jar" || -n "$(find verticles/src perf/src -newer "$jar" -name '*.java' -print -quit)" ]]; then
  mvn -B -q -o -pl perf -am package -DskipTests
fi

mkdir -p perf/results
stamp=$(date +%Y%m%d-%H%M%S)
files=()
for round in $(seq 1 "$rounds"); do
  out=perf/results/resilience-$stamp-round$round.json
  echo "== round $round of $rounds (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  java -Djava.net.preferIPv4Stack=true -Djmh.ignoreLock=true -jar "$jar" 'io.sagabus.perf.ResilienceBenchmark' "${jmh_args[@]}" \
    -rf json -rff "$out" "$@" | grep -E '^(Iteration|Result|# Benchmark:)' || true
  files+=("$out")
done

python3 - "${files[@]}" <<'PY'
import json, statistics, sys
samples = {}
for path in sys.argv[1:]:
    for result in json.load(open(path)):
        name = result["benchmark"].rsplit(".", 1)[1]
        for fork in result["primaryMetric"]["rawData"]:
            samples.setdefault(name, []).extend(fork)
median = {name: statistics.median(values) for name, values in samples.items()}
best = {name: max(values) for name, values in samples.items()}
bare_median, bare_best = median.get("bareRequest"), best.get("bareRequest")
print(f"\n{'variant':32} {'iters':>5} {'median ops/s':>13} {'vs bare':>8} {'best ops/s':>12} {'vs bare':>8}")
for name in sorted(samples, key=lambda n: -best[n]):
    print(f"{name:32} {len(samples[name]):5} {median[name]:13.0f} {(median[name] / bare_median - 1) * 100:+7.1f}% "
          f"{best[name]:12.0f} {(best[name] / bare_best - 1) * 100:+7.1f}%")
print("\nraw results: " + " ".join(sys.argv[1:]))
PY

echo "== paired run (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
java -Djava.net.preferIPv4Stack=true -Xms512m -Xmx512m -cp "$jar" io.sagabus.perf.PairedOverheadRun "$paired_rounds" 20
