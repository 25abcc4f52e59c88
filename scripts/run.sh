#!/usr/bin/env bash
# `make run`: the local stack, in the foreground, until Ctrl-C.
#   DynamoDB Local (in memory)  on DYNAMODB_PORT (default 8000)
#   lambda-local + bootstrap    on API_PORT      (default 8080)
# Configuration reaches the bootstrap only through environment variables,
# exactly as on AWS Lambda.
set -uo pipefail
cd "$(dirname "$0")/.."
API_PORT=${API_PORT:-8080}
DYNAMODB_PORT=${DYNAMODB_PORT:-8000}
DAX_PORT=${DAX_PORT:-8111}
DAX_STATS_PORT=${DAX_STATS_PORT:-8112}
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
unset AWS_SESSION_TOKEN
# paging cursors are signed with this key (set your own in production)
export DYNAGEN_CURSOR_SECRET=${DYNAGEN_CURSOR_SECRET:-make-run-local-secret}
B=build/release

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'make run: error: %s\n' "$*" >&2; exit 1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pids=()
cleanup() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    printf '\nmake run: stopping the local stack\n'
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "dependencies (the first run installs packages and downloads DynamoDB Local: a few minutes)"
bash scripts/deps.sh || die "installing dependencies failed (see above)"
command -v java >/dev/null || die "java is missing: install openjdk-17-jre-headless (scripts/deps.sh does, as root)"

for p in "$API_PORT" "$DYNAMODB_PORT" "$DAX_PORT" "$DAX_STATS_PORT"; do
  port_busy "$p" && die "port $p is already in use on 127.0.0.1; stop what uses it or choose another with API_PORT=... / DYNAMODB_PORT=... / DAX_PORT=... / DAX_STATS_PORT=..."
done

step "generate and build (first run compiles everything)"
make -s generate >/dev/null || die "make generate failed"
make -s -j"$(nproc)" VARIANT=release all lambda-local dax-local || die "the build failed"

step "DynamoDB Local on 127.0.0.1:$DYNAMODB_PORT (in memory)"
read -r _ ddb_pid < <(bash scripts/dynamodb-local.sh start "$DYNAMODB_PORT") || die "DynamoDB Local did not start"
[[ -n ${ddb_pid:-} ]] || die "DynamoDB Local did not start"
pids+=("$ddb_pid")
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DYNAMODB_PORT

step "tables from schema/"
"$B/bin/dynagen-create-tables" || die "creating the tables failed"

# The schema's cache policy (the smallest TTLs over the tables, as the DAX
# parameter group gets them): item_ttl_ms / query_ttl_ms from the generated dev tfvars.
ttl_of() { grep -ho "$1 = [0-9]*" terraform/envs/dev/*.auto.tfvars 2>/dev/null | awk '{print $3}' | sort -n | head -1; }
item_ttl=$(ttl_of item_ttl_ms); query_ttl=$(ttl_of query_ttl_ms)
step "dax-local on 127.0.0.1:$DAX_PORT (item TTL ${item_ttl:-300000} ms, query TTL ${query_ttl:-300000} ms; stats on :$DAX_STATS_PORT)"
build/release/bin/dax-local --port "$DAX_PORT" --stats-port "$DAX_STATS_PORT" \
  --item-ttl "${item_ttl:-300000}ms" --query-ttl "${query_ttl:-300000}ms" --log-interval 0 &
pids+=("$!")
for _ in $(seq 1 50); do port_busy "$DAX_PORT" && break; sleep 0.1; done
port_busy "$DAX_PORT" || die "dax-local did not start"
export DAX_ENDPOINT=dax://127.0.0.1:$DAX_PORT

step "API (lambda-local + bootstrap) on http://localhost:$API_PORT"
"$B/bin/lambda-local" --port "$API_PORT" --quiet -- "$B/bin/dynagen-api" &
pids+=("$!")
for _ in $(seq 1 100); do
  port_busy "$API_PORT" && break
  kill -0 "${pids[-1]}" 2>/dev/null || die "lambda-local exited (see above)"
  sleep 0.1
done

cat <<MSG

The API is up: http://localhost:$API_PORT   (Ctrl-C stops everything)

  # create a product (201, Location and ETag "1")
  curl -si -X POST localhost:$API_PORT/products -H 'content-type: application/json' \\
       -d '{"name":"Widget","category":"tools","price":19.99,"tags":["blue"]}'

  # read it (ID from the Location header), update it on the version you read, list
  curl -s localhost:$API_PORT/products/ID
  curl -s -X PUT localhost:$API_PORT/products/ID -H 'if-match: "1"' -H 'content-type: application/json' \\
       -d '{"name":"Widget","category":"tools","price":24.50}'
  curl -s 'localhost:$API_PORT/products/ID/versions'
  curl -s 'localhost:$API_PORT/products?category=tools&limit=10'

Reads and writes go through dax-local (DAX_ENDPOINT=$DAX_ENDPOINT), which writes through to
DynamoDB Local: http://127.0.0.1:$DYNAMODB_PORT (region $AWS_REGION, any credentials). dax-local
verifies that DAX clients sign with its own AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the ones above).
Cache hits and misses:  curl -s localhost:$DAX_STATS_PORT/stats
MSG
# DynamoDB Local is not a child of this shell (its launcher started it): poll.
while true; do
  for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null || { echo "make run: a part of the local stack exited (pid $p)" >&2; exit 1; }
  done
  # `wait` returns at once on Ctrl-C and the INT trap runs; a foreground sleep
  # would let this loop see the stack's parts gone (they got the SIGINT too).
  sleep 1 &
  wait $! || true
done
