#!/usr/bin/env bash
# make bench-api: throughput and latency of GET /products/{id} (the current
# copy, one GetItem) through lambda-local, dynagen's dist/lambda.zip
# (unpacked) vs the Node.js 20 peer (bench/node-handler/, the same GetItem
# with @aws-sdk/client-dynamodb), in the same run, against the same DynamoDB
# Local, each warmed up first. Load generator: wrk (Debian).
#
# lambda-local runs one invocation at a time per runtime, as Lambda does per
# execution environment: API_BENCH_CONNS (default 1) keeps one request in
# flight, so p50/p99 are per-request latencies; more connections only queue.
# API_BENCH_SECONDS (10) per run, API_BENCH_WARMUP (3) seconds of warm-up.
# Output per function: requests/s, p50, p99 (ms); the function's RSS
# after the run. Last line: ratio=<dynagen rps / node rps>.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/api_stack.sh
trap stack_down EXIT
SECS=${API_BENCH_SECONDS:-10}
WARM=${API_BENCH_WARMUP:-3}
CONNS=${API_BENCH_CONNS:-1}
command -v wrk >/dev/null || { echo "bench-api: wrk is not installed (apt-get install wrk; scripts/deps.sh)" >&2; exit 1; }

stack_up
echo "api: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version), @aws-sdk/client-dynamodb $SDK_VERSION"
echo "api: GET $PRODUCT_PATH through lambda-local, wrk -t1 -c$CONNS -d${SECS}s after ${WARM}s of warm-up"

# ms VALUE_WITH_UNIT -> milliseconds ("812.00us", "1.23ms", "2.01s")
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

# run NAME ARGS...: sets RPS
run() {
  local name=$1; shift
  start_ll "$name" --quiet "$@"
  local url="http://127.0.0.1:$LL_PORT$PRODUCT_PATH" code
  code=$(curl -s -o "$BENCH_TMP/$name.first" -w '%{http_code}' "$url")
  [[ $code == 200 ]] || { echo "bench-api: $name: first GET answered $code: $(cat "$BENCH_TMP/$name.first")" >&2; exit 1; }
  wrk -t1 -c"$CONNS" -d"${WARM}s" "$url" >/dev/null
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$url" >"$BENCH_TMP/$name.wrk"
  local rt rss
  rt=$(grep -m1 -oP 'runtime started: pid \K[0-9]+' "$BENCH_TMP/$name.err")
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$rt/status" 2>/dev/null || echo '?')
  stop_ll
  if grep -q 'Non-2xx or 3xx responses\|Socket errors' "$BENCH_TMP/$name.wrk"; then
    echo "bench-api: $name: errors during the run:" >&2
    grep 'Non-2xx\|Socket errors' "$BENCH_TMP/$name.wrk" >&2
    exit 1
  fi
  RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$BENCH_TMP/$name.wrk")
  local p50 p99 n
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$BENCH_TMP/$name.wrk")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$BENCH_TMP/$name.wrk")")
  n=$(awk '/requests in/ { print $1 }' "$BENCH_TMP/$name.wrk")
  printf 'api %-8s %9.1f requests/s  p50 %7.3f ms  p99 %7.3f ms  (%s requests, 0 errors; function RSS after the run %s MiB)\n' \
    "$name:" "$RPS" "$p50" "$p99" "$n" "$rss"
}

run dynagen "${DYN_LL[@]}"
d_rps=$RPS
run node "${NODE_LL[@]}"
n_rps=$RPS
echo "api: load average after the runs $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio=$(awk -v a="$d_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')"
