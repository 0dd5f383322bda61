#!/usr/bin/env bash
# Browser memory soak of the live dashboard: a node streams what 5,000 sagas/s emit (DashboardLoad's synthetic
# engine events) while headless Chromium keeps the page open and samples its heap, DOM and long tasks each minute.
#   perf/dashboard-soak.sh [minutes=60] [sagas/s=5000]
# Needs: mvn -B -pl verticles,perf -am package -DskipTests; npm ci --prefix web-dashboard/test; /usr/bin/chromium.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
minutes="${1:-60}"
rate="${2:-5000}"
log="$(mktemp /tmp/sagabus-soak.XXXXXX.log)"
echo "command: perf/dashboard-soak.sh $minutes $rate"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$root/perf/target/sagabus-perf.jar" io.sagabus.perf.DashboardLoad dashboard "$rate" $(( minutes * 60 + 120 )) 0 >"$log" 2>&1 &
load_pid=$!
trap 'kill $load_pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1 || true)"
  [ -n "$url" ] && break
  sleep 1
done
if [ -z "${url:-}" ]; then echo "the load node did not start; its log:"; cat "$log"; exit 1; fi
echo "dashboard: $url"
node "$root/web-dashboard/test/soak.mjs" "$url" "$minutes"
