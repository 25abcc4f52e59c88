#!/usr/bin/env bash
# bench-dax driver (issue 5): GetItem cache hits against one dax-local, same
# item, warm cache, same run, for
#   dynagen         dynagen's C DAX client (bench/bench_dax.c, -O2)
#   official-3.x    @amazon-dax-sdk/client-dax 3.x   (bench/bench_dax_node.js)
#   official-1.2.x  amazon-dax-client 1.2.x          (bench/bench_dax_node.js)
#   echo            a loopback TCP round trip of the same request and response
#                   sizes as a GetItem hit (bench_dax echo / echo-server): the floor
#
#   bash bench/dax.sh BENCH_DAX_BINARY DAX_LOCAL_BINARY
#
# 1. DynamoDB Local (scripts/dynamodb-local.sh) and dax-local (--port 0, its
#    own defaults for the caches) start on free loopback ports; both, and the
#    echo server, are stopped on exit by PID.
# 2. The table is created and the item put straight into DynamoDB Local; the
#    first GetItem through dax-local (dynagen's, pass 1) is the one miss that
#    fills the item cache; every later GetItem is a hit (dax-local's own
#    item-cache counters, from its /stats endpoint, are shown per run).
# 3. The wire sizes of one steady-state GetItem are measured through a
#    counting relay (bench_dax sizes), and the echo uses exactly those.
# 4. PASSES times, in order dynagen, official-3.x, official-1.2.x, echo: one
#    first call, WARMUP GetItems, then N sequential timed GetItems. Reported:
#    the median over passes of p50, p99 (us) and requests/s.
# Ratios: official-3.x p50 / dynagen p50 (target >= 5) and dax-local hit
# p50 (as seen by dynagen's client, the leanest one) / echo p50 (target <= 2).
# Last line: ratio=<official-3.x p50 / dynagen p50>.
#
# Knobs (environment): N (5000), WARMUP (500), PASSES (3).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:?usage: bench/dax.sh BENCH_DAX_BINARY DAX_LOCAL_BINARY}
DL=${2:?usage: bench/dax.sh BENCH_DAX_BINARY DAX_LOCAL_BINARY}
N=${N:-5000}
WARMUP=${WARMUP:-500}
PASSES=${PASSES:-3}
OUT=$(dirname "$BIN")/dax
mkdir -p "$OUT"
LOG=$OUT/rounds.log

for tool in node java curl; do
  command -v "$tool" >/dev/null || { echo "bench-dax: $tool is not installed (bash scripts/deps.sh)" >&2; exit 2; }
done
for m in amazon-dax-client @amazon-dax-sdk/client-dax @aws-sdk/client-dynamodb; do
  node -e "require.resolve('$m')" 2>/dev/null || { echo "bench-dax: node module $m is not installed (npm ci)" >&2; exit 2; }
done

ddb_pid='' dl_pid='' echo_pid=''
cleanup() {
  for p in $echo_pid $dl_pid; do kill "$p" 2>/dev/null || true; done
  for p in $echo_pid $dl_pid; do wait "$p" 2>/dev/null || true; done
  [[ -n $ddb_pid ]] && bash scripts/dynamodb-local.sh stop "$ddb_pid"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
started=$(bash scripts/dynamodb-local.sh start)
read -r ddb_port ddb_pid <<<"$started"
echo "bench-dax: DynamoDB Local on 127.0.0.1:$ddb_port (pid $ddb_pid)"

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port"
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=dynagenbench
export AWS_SECRET_ACCESS_KEY=dynagen-bench-secret
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_REGION AWS_PROFILE
export NODE_NO_WARNINGS=1

# dax-local: one node on a free port, stats on another
"$DL" --host 127.0.0.1 --port 0 --stats-port 0 --log-interval 0 >"$OUT/dax-local.out" 2>"$OUT/dax-local.err" &
dl_pid=$!
dax_port='' stats_port=''
for _ in $(seq 100); do
  dax_port=$(grep -m1 -oP 'node 1 listening on 127\.0\.0\.1:\K[0-9]+' "$OUT/dax-local.err" || true)
  stats_port=$(grep -m1 -oP 'stats on http://127\.0\.0\.1:\K[0-9]+' "$OUT/dax-local.err" || true)
  [[ -n $dax_port && -n $stats_port ]] && grep -q 'ready:' "$OUT/dax-local.err" && break
  kill -0 "$dl_pid" 2>/dev/null || break
  dax_port=
  sleep 0.1
done
if [[ -z $dax_port ]]; then
  echo "bench-dax: dax-local did not start:" >&2
  sed 's/^/    /' "$OUT/dax-local.err" >&2
  exit 1
fi
echo "bench-dax: dax-local ($DL) on 127.0.0.1:$dax_port, stats :$stats_port (pid $dl_pid)"
grep -m1 'ready:' "$OUT/dax-local.err" | sed 's/^/  /'

# the item: a Product-like item of every non-binary type
TABLE=ProductsDaxBench
ITEM=$OUT/item.json KEY=$OUT/key.json
cat >"$ITEM" <<'JSON'
{"ProductID":{"S":"bench-dax-1"},"Version":{"N":"1"},"Name":{"S":"Widget bench-dax-1"},"Description":{"S":"A sturdy widget for benchmarking cache hits through DAX."},"Price":{"N":"19.99"},"Category":{"S":"tools"},"Stock":{"N":"1234"},"Big":{"N":"12345678901234567890"},"Active":{"BOOL":true},"Discontinued":{"NULL":true},"Tags":{"SS":["bench","dax","widget"]},"Sizes":{"NS":["1","2.5","10"]},"Dims":{"L":[{"N":"10"},{"N":"20"},{"N":"30"}]},"Supplier":{"M":{"name":{"S":"Acme"},"country":{"S":"DE"},"rating":{"N":"4.5"}}}}
JSON
echo '{"ProductID":{"S":"bench-dax-1"},"Version":{"N":"1"}}' >"$KEY"
node bench/bench_dax_node.js setup "$AWS_ENDPOINT_URL_DYNAMODB" "$TABLE" "$ITEM"

hits() { # "<hits> <misses>" of dax-local's item cache
  curl -s "http://127.0.0.1:$stats_port/stats" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const c=j.item_cache||j.caches&&j.caches.item||{};console.log((c.hits??"?")+" "+(c.misses??"?"))})'
}

DAX_EP="127.0.0.1:$dax_port"
# the one miss: the first GetItem through dax-local (then one hit)
read -r h0 m0 <<<"$(hits)"
"$BIN" get "dax://$DAX_EP" "$TABLE" "$(cat "$KEY")" 1 0 >/dev/null
read -r h1 m1 <<<"$(hits)"
echo "bench-dax: warm-up GetItem + 1 more (dynagen): item cache misses +$((m1 - m0)), hits +$((h1 - h0)) (the one miss fills the cache)"

read -r _ req_bytes resp_bytes < <("$BIN" sizes "dax://$DAX_EP" "$TABLE" "$(cat "$KEY")" | grep '^sizes')
echo "bench-dax: one GetItem hit on the wire: request $req_bytes bytes, response $resp_bytes bytes (item $(wc -c <"$ITEM") bytes of DynamoDB JSON)"

"$BIN" echo-server "$req_bytes" "$resp_bytes" >"$OUT/echo.out" 2>&1 &
echo_pid=$!
echo_port=
for _ in $(seq 50); do
  echo_port=$(grep -m1 -oP '^port \K[0-9]+' "$OUT/echo.out" || true)
  [[ -n $echo_port ]] && break
  sleep 0.1
done
[[ -n $echo_port ]] || { echo "bench-dax: echo server did not start" >&2; exit 1; }
echo "bench-dax: echo server on 127.0.0.1:$echo_port (pid $echo_pid)"
echo "bench-dax: $PASSES passes x $N sequential GetItems per client (after 1 first call + $WARMUP warm-up), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

: >"$LOG"
run() { # name command...
  local name=$1 out h m h2 m2
  shift
  read -r h m <<<"$(hits)"
  out=$("$@")
  read -r h2 m2 <<<"$(hits)"
  local first res
  first=$(grep -m1 -oP '^first \K\S+' <<<"$out" || echo -)
  res=$(grep -m1 '^result ' <<<"$out")
  echo "$res" >>"$LOG"
  read -r _ _ _ p50 p99 rps mean <<<"$res"
  printf '    %-15s p50 %8.1f us  p99 %8.1f us  %7.0f req/s  mean %8.1f us  first %8s us  cache hits +%s misses +%s\n' \
    "$name" "$p50" "$p99" "$rps" "$mean" "$first" "$((h2 - h))" "$((m2 - m))"
}
for ((p = 1; p <= PASSES; p++)); do
  echo "  pass $p/$PASSES"
  run dynagen "$BIN" get "dax://$DAX_EP" "$TABLE" "$(cat "$KEY")" "$N" "$WARMUP"
  run official-3.x node bench/bench_dax_node.js v3 "$DAX_EP" "$TABLE" "$KEY" "$N" "$WARMUP"
  run official-1.2.x node bench/bench_dax_node.js v1 "$DAX_EP" "$TABLE" "$KEY" "$N" "$WARMUP"
  read -r h m <<<"$(hits)"
  out=$("$BIN" echo "$echo_port" "$req_bytes" "$resp_bytes" "$N" "$WARMUP")
  res=$(grep -m1 '^result ' <<<"$out")
  echo "$res" >>"$LOG"
  read -r _ _ _ p50 p99 rps mean <<<"$res"
  printf '    %-15s p50 %8.1f us  p99 %8.1f us  %7.0f req/s  mean %8.1f us\n' echo "$p50" "$p99" "$rps" "$mean"
done

# median over passes of column col of "result <name> <n> <p50> <p99> <rps> <mean>"
median() { # name col
  awk -v s="$1" -v c="$2" '$1 == "result" && $2 == s { print $c }' "$LOG" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

echo
echo "median of $PASSES passes (GetItem cache hits, latency in us):"
printf '  %-15s %10s %10s %10s %10s\n' client p50 p99 "req/s" "p50/echo"
for name in dynagen official-3.x official-1.2.x echo; do
  printf '  %-15s %10.1f %10.1f %10.0f %10s\n' "$name" "$(median "$name" 4)" "$(median "$name" 5)" \
    "$(median "$name" 6)" "$(div "$(median "$name" 4)" "$(median echo 4)")x"
done
d50=$(median dynagen 4) v3=$(median official-3.x 4) v1=$(median official-1.2.x 4) e50=$(median echo 4)
echo
r3=$(div "$v3" "$d50")
echo "official-3.x p50 / dynagen p50   = ${r3}x  (target >= 5)"
echo "official-1.2.x p50 / dynagen p50 = $(div "$v1" "$d50")x"
echo "official-3.x p99 / dynagen p99   = $(div "$(median official-3.x 5)" "$(median dynagen 5)")x"
echo "dynagen req/s / official-3.x req/s = $(div "$(median dynagen 6)" "$(median official-3.x 6)")x"
echo "dax-local hit p50 (dynagen client) / echo p50 = $(div "$d50" "$e50")x  (target <= 2)"
read -r h m <<<"$(hits)"
echo "dax-local item cache at the end: hits $h, misses $m"
echo "ratio=$r3"
