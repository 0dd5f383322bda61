#!/usr/bin/env bash
# A real single-node KRaft Kafka broker from Maven Central artifacts (no Docker, no download outside Maven).
#   deploy/kafka.sh start|stop|status
# Env: SAGABUS_KAFKA_PORT (default 19092), SAGABUS_KAFKA_DIR (default /tmp/sagabus-kafka).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${SAGABUS_KAFKA_PORT:-19092}"
controller_port=$((port + 1))
dir="${SAGABUS_KAFKA_DIR:-/tmp/sagabus-kafka}"
pidfile="$dir/broker.pid"
classpath_file="$here/kafka-broker/target/broker-classpath.txt"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  if running; then echo "kafka: already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return 0; fi
  if [ ! -s "$classpath_file" ]; then
    echo "kafka: resolving the broker classpath from Maven Central ..."
    mvn -B -q -f "$root/pom.xml" -pl deploy/kafka-broker generate-resources
  fi
  mkdir -p "$dir"
  local cp; cp="$(cat "$classpath_file")"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  cat > "$dir/log4j.properties" <<PROPS
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=%d %p %c - %m%n
PROPS
  local jvm=(java -Xmx512m -XX:+UseSerialGC "-Dlog4j.configuration=file:$dir/log4j.properties" -cp "$cp")
  if [ ! -f "$dir/data/meta.properties" ]; then
    "${jvm[@]}" kafka.tools.StorageTool format -t "$("${jvm[@]}" kafka.tools.StorageTool random-uuid)" -c "$dir/server.properties" > "$dir/format.log" 2>&1
  fi
  nohup "${jvm[@]}" kafka.Kafka "$dir/server.properties" > "$dir/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if listening; then echo "kafka: up on 127.0.0.1:$port (pid $(cat "$pidfile"), logs in $dir)"; return 0; fi
    if ! running; then echo "kafka: broker exited; see $dir/stdout.log and $dir/broker.log" >&2; return 1; fi
    sleep 0.5
  done
  echo "kafka: not listening on $port after 60 s; see $dir/broker.log" >&2
  return 1
}

stop() {
  if ! running; then echo "kafka: not running"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "kafka: stopped"; return 0; }; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "kafka: killed after 30 s"
}

status() {
  if running && listening; then echo "kafka: up on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else echo "kafka: down"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
