#!/usr/bin/env bash
# Chaos run: a 3-node cluster on Postgres takes orders while payment fails 30% of the time, shipping is slow, and a
# node is killed with kill -9 and restarted. Then `sagabus audit` checks the books from outside and this script
# exits non-zero if any invariant fails: lost sagas, double charges, stock or money out of balance.
#   deploy/chaos-run.sh [ORDERS]        (default 1000; needs verticles/target/sagabus.jar and Postgres on 127.0.0.1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="${SAGABUS_JAR:-$root/verticles/target/sagabus.jar}"
orders="${1:-1000}"
parallel="${SAGABUS_CHAOS_PARALLEL:-16}"
work="$(mktemp -d /tmp/sagabus-chaos-XXXXXX)"
database="sagabus_chaos_$(date +%s)"
export SAGABUS_RUN_DIR="$work/run"
export SAGABUS_LOCAL_HTTP_BASE="${SAGABUS_LOCAL_HTTP_BASE:-18080}"
export SAGABUS_CLUSTER_NAME="sagabus-chaos-$$"
export SAGABUS_PG_URL="postgresql://postgres@127.0.0.1:5432/$database"
# The run drives far more orders than any rate-limit tier allows; limits have their own tests.
export SAGABUS_RATELIMIT_ENABLED=false
export SAGABUS_JWT_SECRET="chaos-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
gateway="http://127.0.0.1:$SAGABUS_LOCAL_HTTP_BASE"
victim=2

say() { printf '%s chaos: %s\n' "$(date +%H:%M:%S)" "$*"; }
cleanup() {
  "$here/local-cluster.sh" stop >/dev/null 2>&1 || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "work dir $work, database $database, $orders orders, $parallel at a time"
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $database"
"$here/local-cluster.sh" start 3
token="$(java -jar "$jar" token --subject chaos-run --role admin --ttl 1h 2>/dev/null)"
admin() { curl -fsS -X "$1" "$gateway$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' ${3:+-d "$3"} >/dev/null; }

java -jar "$jar" audit save --url "$gateway" --out "$work/books.json"
say "faults on: payment fails 30% of calls, shipping answers in 20-300 ms"
admin POST /api/admin/chaos '{"service":"payment","failureRate":0.3}'
admin POST /api/admin/chaos '{"service":"shipping","latencyMs":{"min":20,"max":300}}'

place_order() {
  local i="$1" customers=(c-alice c-bob c-carol) skus=(SKU-APPLE SKU-BANANA SKU-CHERRY)
  local body="{\"customerId\":\"${customers[$((i % 3))]}\",\"items\":[{\"sku\":\"${skus[$((i % 3))]}\",\"qty\":$((1 + i % 2))}],\"paymentMethod\":\"card\",\"shippingAddress\":{\"street\":\"$i Main St\",\"city\":\"Springfield\",\"country\":\"US\"}}"
  # Node 1 is never killed, but its saga requests can land on the killed node until the cluster drops it; the
  # Idempotency-Key makes every retry safe.
  local reply
  for attempt in 1 2 3 4 5 6; do
    if reply="$(curl -fsS -m 30 -X POST "$gateway/api/orders" -H 'Content-Type: application/json' -H "Idempotency-Key: chaos-$i" -d "$body")"; then
      grep -o '"sagaId":"[^"]*"' <<<"$reply" | head -1 | cut -d'"' -f4
      return 0
    fi
    sleep "$attempt"
  done
  echo "order $i was never accepted" >&2
}
export -f place_order
export gateway

say "placing orders"
seq 1 "$orders" | xargs -P "$parallel" -I{} bash -c 'place_order {}' > "$work/sagas.txt" &
driver=$!
sleep 5
say "kill -9 node $victim"
kill -9 "$(cat "$SAGABUS_RUN_DIR/node-$victim.pid")"
sleep 10
say "restarting node $victim"
"$here/local-cluster.sh" start 3 >/dev/null
wait "$driver"
say "$(wc -l < "$work/sagas.txt") of $orders orders accepted; faults off"
admin DELETE /api/admin/chaos

set +e
java -jar "$jar" audit check --url "$gateway" --baseline "$work/books.json" --expect-sagas "$work/sagas.txt" --quiesce-seconds 180
result=$?
set -e
accepted="$(wc -l < "$work/sagas.txt")"
if [ "$accepted" -ne "$orders" ]; then say "FAIL: only $accepted of $orders orders were accepted"; result=1; fi
say "$( [ $result -eq 0 ] && echo 'PASSED: every invariant holds' || echo "FAILED (exit $result)"); logs in $SAGABUS_RUN_DIR"
exit $result
