#!/usr/bin/env bash
# bench-ddb driver: GetItem and PutItem against one DynamoDB Local, dynagen's
# client (bench/bench_ddb.c, -O2) vs @aws-sdk/client-dynamodb v3 in Node with
# keep-alive (bench/bench_ddb_node.js), same table, same items, same run.
#
#   bash bench/ddb.sh BENCH_DDB_BINARY
#
# 1. DynamoDB Local starts in memory on a free loopback port
#    (scripts/dynamodb-local.sh) and is stopped on exit.
# 2. bench_ddb --emit writes the item (a Product's DynamoDB JSON, every
#    attribute type); bench_ddb --create-table creates the Products table
#    from the model (with its GSI and TTL).
# 3. PASSES times: dynagen, then Node; each warms up (WARMUP PutItems and
#    GetItems) and measures N sequential PutItems and N GetItems.
# 4. Client CPU per request is the client process's own (getrusage /
#    process.cpuUsage), never wall time with the Java server in it; the
#    median over passes is reported with p50/p99 latency. The last line is
#    ratio=<node CPU per request / dynagen CPU per request> (both operations).
#
# Knobs (environment): N (2000), WARMUP (500), PASSES (3).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:?usage: bench/ddb.sh BENCH_DDB_BINARY}
N=${N:-2000}
WARMUP=${WARMUP:-500}
PASSES=${PASSES:-3}
OUT=$(dirname "$BIN")
ITEM=$OUT/ddb-item.json
LOG=$OUT/ddb-rounds.log

command -v node >/dev/null || { echo "bench-ddb: node is not installed (bash scripts/deps.sh)" >&2; exit 2; }
command -v java >/dev/null || { echo "bench-ddb: java is not installed (bash scripts/deps.sh)" >&2; exit 2; }

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
started=$(bash scripts/dynamodb-local.sh start)
read -r port pid <<<"$started"
trap 'bash scripts/dynamodb-local.sh stop "$pid"' EXIT
echo "bench-ddb: DynamoDB Local on 127.0.0.1:$port (pid $pid)"

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=dynagenbench
export AWS_SECRET_ACCESS_KEY=dynagen-bench-secret
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_REGION AWS_PROFILE
export NODE_NO_WARNINGS=1

TABLE=Products-bench
"$BIN" --emit "$ITEM"
"$BIN" --create-table "$TABLE"
echo "bench-ddb: item $(wc -c <"$ITEM") bytes of DynamoDB JSON (+ key), 100 keys; table $TABLE"
echo "bench-ddb: $PASSES passes x $N sequential requests per operation (after $WARMUP warm-up each)"

: >"$LOG"
for ((p = 1; p <= PASSES; p++)); do
  echo "  pass $p/$PASSES: dynagen (C, -O2, libcurl keep-alive)"
  "$BIN" "$TABLE" "$ITEM" "$N" "$WARMUP" | sed 's/^/c /' >>"$LOG"
  echo "  pass $p/$PASSES: node $(node --version) + @aws-sdk/client-dynamodb (keep-alive agent)"
  node bench/bench_ddb_node.js "$TABLE" "$ITEM" "$N" "$WARMUP" | sed 's/^/node /' >>"$LOG"
done

# median over passes of column col of "<side> result <op> <n> <cpu> <p50> <p99> <wall> <user> <sys>"
median() { # side op col
  awk -v s="$1" -v o="$2" -v c="$3" '$1 == s && $2 == "result" && $3 == o { print $c }' "$LOG" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "nan" }'; }

echo
echo "median of $PASSES passes; CPU of the client process only, us per request; latency us"
printf '  %-8s %-8s %10s %8s %8s %10s %10s\n' op client "CPU/req" user sys p50 p99
for op in GetItem PutItem; do
  for side in c node; do
    name=$([[ $side == c ]] && echo dynagen || echo node)
    printf '  %-8s %-8s %10.1f %8.1f %8.1f %10.0f %10.0f\n' "$op" "$name" "$(median $side $op 5)" \
      "$(median $side $op 9)" "$(median $side $op 10)" "$(median $side $op 6)" "$(median $side $op 7)"
  done
done
echo
for op in GetItem PutItem; do
  echo "$op: node/dynagen client CPU per request $(div "$(median node $op 5)" "$(median c $op 5)")x" \
    "(user only $(div "$(median node $op 9)" "$(median c $op 9)")x), p50 latency $(div "$(median node $op 6)" "$(median c $op 6)")x," \
    "p99 latency $(div "$(median node $op 7)" "$(median c $op 7)")x"
done
c_all=$(awk -v a="$(median c GetItem 5)" -v b="$(median c PutItem 5)" 'BEGIN { print (a + b) / 2 }')
n_all=$(awk -v a="$(median node GetItem 5)" -v b="$(median node PutItem 5)" 'BEGIN { print (a + b) / 2 }')
echo "both operations: dynagen $(awk -v v="$c_all" 'BEGIN { printf "%.1f", v }') us, node $(awk -v v="$n_all" 'BEGIN { printf "%.1f", v }') us client CPU per request"
echo "ratio=$(div "$n_all" "$c_all")"
