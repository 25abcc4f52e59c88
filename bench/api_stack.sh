# Shared by bench/coldstart.sh and bench/api.sh (sourced, not run): the stack
# both benchmarks measure against, built and started the same way for dynagen
# and for the Node.js peer.
#
#   stack_up      build (release; BENCH_NO_BUILD=1 skips it) dist/lambda.zip, lambda-local, create-tables and
#                 the probe; unpack the zip into an empty temp dir ($PKG); start
#                 DynamoDB Local on a free port; create the table; seed one
#                 product through dynagen itself. Sets: PKG, DDB_PORT, FENV (the
#                 function's environment, for env -i), PRODUCT_ID, PRODUCT_PATH.
#   stack_down    stop everything stack_up and the benchmark started (trap'd).
#   DYN_LL / NODE_LL: lambda-local's argument list for each function (after
#                 FENV). As they are, lambda-local starts the function at launch
#                 (start_ll, bench/api.sh, waits for its 'ready (init'); the
#                 cold-start probes (bench/coldstart.sh) put --on-demand in
#                 front, so lambda-local forks the function only when the
#                 probe's request finds none running, and the probe times from
#                 that request to the end of its response (process start, init,
#                 one GetItem, the way back), not lambda-local's own start-up.
#
# The Node.js peer (bench/node-handler/) is a custom runtime run by the same
# lambda-local: node bench/node-handler/bootstrap.js (the Runtime API loop)
# loading index.js (GetItem with @aws-sdk/client-dynamodb, the version pinned
# in package.json). It is started as `node FILE`, no shell in between.

# shellcheck disable=SC2034  # the variables are for the scripts that source this file
B=build/release
LL=$B/bin/lambda-local
CREATE=$B/bin/dynagen-create-tables
PROBE=$B/bench/coldstart_probe
BENCH_TMP=
BENCH_PIDS=()
DDB_PID=

stack_down() {
  set +e
  for p in "${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
  for p in "${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}"; do wait "$p" 2>/dev/null; done
  [[ -n $DDB_PID ]] && bash scripts/dynamodb-local.sh stop "$DDB_PID"
  [[ -n $BENCH_TMP ]] && rm -rf "$BENCH_TMP"
}

stack_up() {
  export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
  local t
  for t in java node curl unzip; do
    command -v "$t" >/dev/null || { echo "bench: $t is not installed (bash scripts/deps.sh)" >&2; exit 1; }
  done
  NODE=$(command -v node)
  node -e 'if (!process.version.startsWith("v20.")) { console.error("bench: note: node " + process.version + " (the issue asks for Node.js 20)"); }'
  SDK_VERSION=$(node -p 'require("@aws-sdk/client-dynamodb/package.json").version')
  BENCH_TMP=$(mktemp -d)
  if [[ ${BENCH_NO_BUILD:-} == 1 ]]; then
    echo "bench: BENCH_NO_BUILD=1: using the existing dist/lambda.zip and build/release programs" >&2
  else
    echo "bench: building (release): dist/lambda.zip, lambda-local, create-tables, the probe" >&2
    make --no-print-directory -s -j"$(nproc)" VARIANT=release package lambda-local bootstrap bench-coldstart-build >"$BENCH_TMP/build.log" 2>&1 ||
      { tail -30 "$BENCH_TMP/build.log" >&2; exit 1; }
  fi
  PKG=$BENCH_TMP/task
  mkdir "$PKG"
  (cd "$PKG" && unzip -q "$OLDPWD/dist/lambda.zip")
  local started
  started=$(DYNAMODB_LOCAL_LOG=$BENCH_TMP/ddb.log bash scripts/dynamodb-local.sh start) || exit 1
  read -r DDB_PORT DDB_PID <<<"$started"
  FENV=(AWS_REGION=us-east-1 "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DDB_PORT" AWS_ACCESS_KEY_ID=bench
    AWS_SECRET_ACCESS_KEY=bench-secret TABLE_NAME=bench-products DYNAGEN_CURSOR_SECRET=bench-secret)
  env -i "${FENV[@]}" "$CREATE" >/dev/null
  DYN_LL=(--port 0 -- "$PKG/bootstrap")
  NODE_LL=(--port 0 --task-root "$PWD/bench/node-handler" -- "$NODE" "$PWD/bench/node-handler/bootstrap.js")

  # one product, created through dynagen
  env -i "${FENV[@]}" "$LL" --port 0 -- "$PKG/bootstrap" >/dev/null 2>"$BENCH_TMP/seed.err" &
  local llpid=$! port=
  BENCH_PIDS+=("$llpid")
  for _ in $(seq 200); do
    port=$(grep -m1 -oP 'listening on http://127\.0\.0\.1:\K[0-9]+' "$BENCH_TMP/seed.err" || true)
    [[ -n $port ]] && break
    sleep 0.05
  done
  PRODUCT_ID=$(curl -s --max-time 30 -X POST "http://127.0.0.1:$port/products" -H 'content-type: application/json' \
    -d '{"name":"Bench widget","description":"A product for the benchmarks","category":"bench","price":19.99,"tags":["blue","red"],"specs":{"color":"blue"},"dimensions":{"width_mm":10,"height_mm":20}}' |
    grep -oP '"product_id":"\K[^"]+' || true)
  kill "$llpid" 2>/dev/null || true
  wait "$llpid" 2>/dev/null || true
  [[ -n $PRODUCT_ID ]] || { echo "bench: could not seed a product:" >&2; cat "$BENCH_TMP/seed.err" >&2; exit 1; }
  PRODUCT_PATH=/products/$PRODUCT_ID
}

# start_ll NAME ARGS...: lambda-local in the background with the function
# environment; sets LL_PORT and LL_PID once it listens and the runtime is ready.
start_ll() {
  local name=$1; shift
  env -i "${FENV[@]}" "$LL" "$@" >"$BENCH_TMP/$name.out" 2>"$BENCH_TMP/$name.err" &
  LL_PID=$!
  BENCH_PIDS+=("$LL_PID")
  LL_PORT=
  for _ in $(seq 400); do
    LL_PORT=$(grep -m1 -oP 'listening on http://127\.0\.0\.1:\K[0-9]+' "$BENCH_TMP/$name.err" || true)
    [[ -n $LL_PORT ]] && grep -q 'ready (init' "$BENCH_TMP/$name.err" && return 0
    kill -0 "$LL_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: lambda-local ($name) did not start:" >&2
  cat "$BENCH_TMP/$name.err" >&2
  exit 1
}
stop_ll() {
  kill "$LL_PID" 2>/dev/null || true
  wait "$LL_PID" 2>/dev/null || true
}

# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
