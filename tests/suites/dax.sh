#!/usr/bin/env bash
# dax-local against AWS's official Node DAX clients, on free loopback ports:
#   (a) interop: amazon-dax-client 1.2.x (aws-sdk v2) and
#       @amazon-dax-sdk/client-dax 3.x, each GetItem / PutItem / UpdateItem /
#       DeleteItem / Query with paging / Scan / BatchGet / BatchWrite /
#       TransactWrite through dax-local -> DynamoDB Local, compared with the
#       AWS SDK (v3) straight to DynamoDB Local (tests/interop/dax/interop.js);
#       prints the interop matrix;
#   (b) cache behaviour with --item-ttl 2s --query-ttl 2s through the official
#       client and GET /stats (tests/interop/dax/cache.js);
#   (c) faults: malformed / truncated / oversize / random frames
#       (tests/interop/dax/fault.js);
#   (d) the official clients' request bytes, captured in this run by
#       dax-local --trace, compared byte for byte with dynagen's DAX encoder
#       (tests/interop/dax/encode_check.c);
#   (e) --nodes 3: every node answers endpoints with all nodes; dax-local on
#       a taken port; eight 16-node clusters at once;
#   (f) authorizeConnection verification: both official clients with a wrong
#       secret / unknown key id get the auth error, nothing is written, the
#       refusals are counted in /stats and logged (never the secret); raw
#       frames for the never-authorised / refused / re-authorised / stale /
#       other-region cases; --no-verify-auth accepts the wrong secret
#       (tests/interop/dax/auth.js);
#   and LRU eviction with --max-items 3 (tests/interop/dax/evict.js).
# dax-local's stderr is checked for sanitizer reports (VARIANT=asan default).
# Without java or node: SKIPPED (0/0), unless DYNAGEN_CI=1 (then a failure).
# Last line: "dax: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
VARIANT=${VARIANT:-asan}
B=build/$VARIANT
DL=$B/bin/dax-local
CHECK=$B/tests/interop/dax/encode_check
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
  echo "dax: $pass passed, $fail failed"
  ((fail == 0))
  exit
}

for tool in java node; do
  if ! command -v "$tool" >/dev/null; then
    if [[ ${DYNAGEN_CI:-} == 1 ]]; then
      bad "$tool is not installed (DYNAGEN_CI=1)"
      finish
    fi
    echo "SKIPPED: $tool is not installed"
    echo "dax: 0 passed, 0 failed"
    exit 0
  fi
done

tmp=$(mktemp -d)
if ! make --no-print-directory -s VARIANT="$VARIANT" dax-local >"$tmp/build.log" 2>&1; then
  tail -30 "$tmp/build.log"
  bad "build: make VARIANT=$VARIANT dax-local"
  rm -rf "$tmp"
  finish
fi
for m in amazon-dax-client @amazon-dax-sdk/client-dax aws-sdk @aws-sdk/client-dynamodb; do
  if ! node -e "require.resolve('$m')" 2>/dev/null; then
    bad "node module $m is not installed (npm ci)"
    rm -rf "$tmp"
    finish
  fi
done

pids=()
ddb_pid=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [[ -n $ddb_pid ]] && scripts/dynamodb-local.sh stop "$ddb_pid" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export NODE_NO_WARNINGS=1

if ! read -r ddb_port ddb_pid < <(scripts/dynamodb-local.sh start 2>"$tmp/ddb.err"); then
  sed 's/^/    /' "$tmp/ddb.err"
  bad "DynamoDB Local did not start"
  finish
fi
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$ddb_port
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDLOCAL AWS_SECRET_ACCESS_KEY=local-secret
unset AWS_SESSION_TOKEN AWS_PROFILE
DDB=$AWS_ENDPOINT_URL_DYNAMODB

# start NAME [dax-local options...]: sets PORT, STATS, DLPID
start() {
  local name=$1; shift
  "$DL" --port 0 --stats-port 0 --log-interval 1 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  DLPID=$!
  pids+=("$DLPID")
  PORT= STATS=
  for _ in $(seq 100); do
    PORT=$(grep -m1 -oP 'node 1 listening on 127\.0\.0\.1:\K[0-9]+' "$tmp/$name.err")
    STATS=$(grep -m1 -oP 'stats on http://127\.0\.0\.1:\K[0-9]+' "$tmp/$name.err")
    [[ -n $PORT && -n $STATS ]] && grep -q 'ready:' "$tmp/$name.err" && return 0
    kill -0 "$DLPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "dax-local ($name) did not start:"; sed 's/^/    /' "$tmp/$name.err"
  return 1
}

# stop NAME PID: SIGTERM, wait, check the log for sanitizer reports
stop() {
  local name=$1 pid=$2
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/$name.err"; then
    bad "dax-local ($name): sanitizer report"
    grep -A20 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/$name.err" | head -40 | sed 's/^/    /'
  else
    ok "dax-local ($name): clean shutdown, no sanitizer report"
  fi
}

# run_js NAME SCRIPT ARGS...: counts the script's ok/FAIL lines
run_js() {
  local name=$1; shift
  timeout 300 node "$@" >"$tmp/$name.log" 2>&1
  local rc=$?
  cat "$tmp/$name.log" | grep -vE '^(ok|FAIL) ' | grep -vE '^\s*$' | grep -E 'matrix|^  |stale-reads|stats:|passed' || true
  local p f
  p=$(grep -c '^ok ' "$tmp/$name.log")
  f=$(grep -c '^FAIL' "$tmp/$name.log")
  grep -E '^(ok|FAIL)' "$tmp/$name.log"
  pass=$((pass + p)) fail=$((fail + f))
  if ((rc != 0 && f == 0)); then
    bad "$name: node exited with $rc"
    tail -20 "$tmp/$name.log" | sed 's/^/    /'
  fi
  if ((p == 0 && f == 0)); then bad "$name: no results"; fi
}

# (a) interop, default TTLs
if start interop; then
  run_js interop tests/interop/dax/interop.js "$DDB" "127.0.0.1:$PORT"
  stop interop "$DLPID"
else
  bad "dax-local (interop) did not start"
fi

# (b) cache behaviour and (c) faults, 2 s TTLs
if start cache --item-ttl 2s --query-ttl 2s; then
  run_js cache tests/interop/dax/cache.js "$DDB" "127.0.0.1:$PORT" "http://127.0.0.1:$STATS/stats"
  run_js fault tests/interop/dax/fault.js "$DDB" "127.0.0.1:$PORT" "http://127.0.0.1:$STATS/stats"
  if grep -q 'dropped: ' "$tmp/cache.err" && grep -q '"item_cache"' "$tmp/cache.err"; then
    ok "dax-local logs dropped connections and the cache counters"
  else
    bad "dax-local log lacks dropped-connection or counter lines"
  fi
  curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$STATS/nope" 2>/dev/null | grep -q 404 \
    && ok "stats endpoint: unknown path -> 404" || bad "stats endpoint: unknown path"
  stop cache "$DLPID"
else
  bad "dax-local (cache) did not start"
fi

# LRU eviction with a tiny item cache
if start evict --max-items 3; then
  run_js evict tests/interop/dax/evict.js "$DDB" "127.0.0.1:$PORT" "http://127.0.0.1:$STATS/stats"
  stop evict "$DLPID"
else
  bad "dax-local (evict) did not start"
fi

# (d) capture of the official clients' requests in this run vs dynagen's encoder
for v in v1 v3; do
  if start "capture-$v" --trace "$tmp/trace-$v"; then
    timeout 120 node tests/interop/dax/capture.js "$DDB" "127.0.0.1:$PORT" "$v" >"$tmp/capture-$v.log" 2>&1 \
      || { bad "capture $v: client calls failed"; sed 's/^/    /' "$tmp/capture-$v.log" | tail -10; }
    stop "capture-$v" "$DLPID"
    "$CHECK" "$tmp/trace-$v" "$v" >"$tmp/check-$v.log" 2>&1
    grep -E '^(ok|FAIL|    )' "$tmp/check-$v.log"
    pass=$((pass + $(grep -c '^ok ' "$tmp/check-$v.log")))
    fail=$((fail + $(grep -c '^FAIL' "$tmp/check-$v.log")))
  else
    bad "dax-local (capture-$v) did not start"
  fi
done

# (f) authentication: verified (the default), then --no-verify-auth
if start auth; then
  run_js auth tests/interop/dax/auth.js "$DDB" "127.0.0.1:$PORT" "http://127.0.0.1:$STATS/stats" verify
  refused=$(grep -c 'authorization refused for access key id' "$tmp/auth.err")
  if ((refused >= 4)) && grep -q "access key id 'AKIDNOTDAXLOCAL': UnrecognizedClientException" "$tmp/auth.err" &&
    grep -q "access key id '$AWS_ACCESS_KEY_ID': InvalidSignatureException: signature does not match" "$tmp/auth.err"; then
    ok "dax-local logs each refused authorization with the key id and the reason ($refused lines)"
  else
    bad "dax-local log lacks the refused-authorization lines ($refused)"
  fi
  if grep -qF -e "$AWS_SECRET_ACCESS_KEY" "$tmp/auth.err" "$tmp/auth.out"; then
    bad "dax-local logged a secret"
  else
    ok "dax-local never logs the secret"
  fi
  stop auth "$DLPID"
else
  bad "dax-local (auth) did not start"
fi
if start noverify --no-verify-auth; then
  grep -q 'auth NOT verified (--no-verify-auth)' "$tmp/noverify.err" \
    && ok "--no-verify-auth is announced in the ready line" || bad "--no-verify-auth not in the ready line"
  run_js noverify tests/interop/dax/auth.js "$DDB" "127.0.0.1:$PORT" "http://127.0.0.1:$STATS/stats" noverify
  stop noverify "$DLPID"
else
  bad "dax-local (noverify) did not start"
fi

# (e) a 3-node cluster (--port 0: three free ports)
# A fixed --port whose next port is taken: a clear error and exit 1, not a hang.
busy_port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node -e 'require("net").createServer().listen(Number(process.argv[1]),"127.0.0.1")' "$((busy_port + 1))" &
holder=$!
pids+=("$holder")
sleep 0.3
timeout 10 "$DL" --port "$busy_port" --nodes 2 >"$tmp/busy.out" 2>"$tmp/busy.err"
rc=$?
if ((rc == 1)) && grep -q "cannot listen on 127.0.0.1:$((busy_port + 1)): Address already in use" "$tmp/busy.err"; then
  ok "--port $busy_port --nodes 2 with port $((busy_port + 1)) taken: exit 1, 'cannot listen on …: Address already in use'"
else
  bad "--nodes 2 on a taken port: rc=$rc, $(head -c 300 "$tmp/busy.err")"
fi
kill "$holder" 2>/dev/null
# --port 0 --nodes N: every node on a free port of the kernel's choosing.
# Eight 16-node clusters started at once all come up, on 128 distinct ports.
many=()
for i in 1 2 3 4 5 6 7 8; do
  "$DL" --port 0 --nodes 16 >/dev/null 2>"$tmp/many$i.err" &
  many+=($!)
  pids+=($!)
done
up=0
for _ in $(seq 300); do
  up=$(grep -l 'ready:' "$tmp"/many*.err 2>/dev/null | wc -l)
  ((up == 8)) && break
  sleep 0.1
done
all_ports=$(grep -ohP 'node [0-9]+ listening on 127\.0\.0\.1:\K[0-9]+' "$tmp"/many*.err | sort -n)
if ((up == 8)) && [[ $(wc -l <<<"$all_ports") == 128 && -z $(uniq -d <<<"$all_ports") ]]; then
  ok "eight 16-node clusters on --port 0 started at once: all ready, 128 distinct ports"
else
  bad "eight 16-node clusters: $up ready; $(cat "$tmp"/many*.err | grep -v listening | head -5)"
fi
for p in "${many[@]}"; do kill "$p" 2>/dev/null; done
for p in "${many[@]}"; do wait "$p" 2>/dev/null; done

if start cluster --nodes 3; then
  cluster_ports=$(grep -oP 'node [0-9]+ listening on 127\.0\.0\.1:\K[0-9]+' "$tmp/cluster.err" | paste -sd,)
  run_js cluster tests/interop/dax/cluster.js "$DDB" 127.0.0.1 "$cluster_ports"
  stop cluster "$DLPID"
else
  bad "dax-local (cluster) did not start"
fi

finish
