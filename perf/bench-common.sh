# Sourced by the perf/*-bench.sh scripts: builds the benchmark jar when missing and prints the machine a run is on.
JAR=perf/target/sagabus-perf.jar
KAFKA=${KAFKA:-127.0.0.1:19092}
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432/test}

build_perf_jar() {
  if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
    mvn -B -q -o -pl verticles,perf -am package -DskipTests
  fi
}

# $1: the backend versions line, e.g. "redis: 7.0.15"
print_machine() {
  echo "== machine"
  echo "cpus: $(nproc)  model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory: $(free -m | awk '/Mem:/ {print $2 " MiB"}')  load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1)  $1"
  echo "date: $(date -u +%FT%TZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)"
}

# The versions line of the benchmarks that use PostgreSQL and Kafka.
postgres_and_kafka() {
  echo "postgres: $(psql -h 127.0.0.1 -U postgres -d test -tAc 'SHOW server_version' 2>/dev/null || echo '?')  kafka: $KAFKA"
}
