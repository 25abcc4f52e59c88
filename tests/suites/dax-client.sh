#!/usr/bin/env bash
# DAX client suite: tests/integration/test_dax_client.c (release and asan
# builds) against a real local stack: DynamoDB Local (scripts/dynamodb-local.sh)
# and a 3-node dax-local (build/release/bin/dax-local --nodes 3) writing
# through to it. Sets DAX_ENDPOINT (node 1) and DAX_LOCAL_NODES for the
# binaries; the failover and all-nodes-down cases put the test's own TCP
# relays in front of the nodes and kill them mid-run. dax-local verifies
# authorizeConnection against the same AWS_* credentials the binaries get; a
# second, one-node dax-local --no-verify-auth is DAX_NOVERIFY_ENDPOINT (the
# wrong-secret case that must work there). After the run, dax-local's log
# must show the refused authorizations and never the secret.
#
# Last line: "dax-client: N passed, M failed". Without java or without the
# dax-local binary the suite is SKIPPED (0 passed, 0 failed), unless
# DYNAGEN_CI=1 where that is a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=build/test-logs
mkdir -p "$LOG_DIR"
suite_start=$SECONDS

pass=0
fail=0
result() { echo "dax-client: $pass passed, $fail failed"; }

skip_or_fail() { # message
  if [[ ${DYNAGEN_CI:-} == 1 ]]; then
    echo "FAIL $1, and DYNAGEN_CI=1"
    fail=1
    result
    exit 1
  fi
  echo "SKIPPED: $1"
  result
  exit 0
}

DAX_LOCAL=build/release/bin/dax-local
if [[ ! -x $DAX_LOCAL ]] && make -n dax-local >/dev/null 2>&1; then
  # built on demand (the local stack's server is not part of `make all`)
  timeout 600 make --no-print-directory dax-local >"$LOG_DIR/dax-client-build-dax-local.log" 2>&1 ||
    echo "note: make dax-local failed (log: $LOG_DIR/dax-client-build-dax-local.log)"
fi
[[ -x $DAX_LOCAL ]] || skip_or_fail "$DAX_LOCAL is not built (make dax-local)"
command -v java >/dev/null 2>&1 ||
  skip_or_fail "java is not installed, DynamoDB Local cannot run (bash scripts/deps.sh installs openjdk-17-jre-headless)"

bins=()
for variant in release asan; do
  bin=build/$variant/tests/integration/test_dax_client
  [[ -x $bin ]] && bins+=("$bin")
done
if ((${#bins[@]} == 0)); then
  echo "FAIL no test_dax_client binary in build/{release,asan}/tests/integration (make integration-tests)"
  fail=1
  result
  exit 1
fi

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

t0=$SECONDS
if ! started=$(bash scripts/dynamodb-local.sh start); then
  echo "FAIL could not start DynamoDB Local (see above)"
  fail=1
  result
  exit 1
fi
read -r ddb_port ddb_pid <<<"$started"
dax_pid= nv_pid=
cleanup() {
  [[ -n $dax_pid ]] && kill "$dax_pid" 2>/dev/null && wait "$dax_pid" 2>/dev/null
  [[ -n $nv_pid ]] && kill "$nv_pid" 2>/dev/null && wait "$nv_pid" 2>/dev/null
  bash scripts/dynamodb-local.sh stop "$ddb_pid"
}
trap cleanup EXIT
echo "DynamoDB Local on 127.0.0.1:$ddb_port (pid $ddb_pid), started in $((SECONDS - t0)) s"

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port"
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=dynagentest
export AWS_SECRET_ACCESS_KEY=dynagen-test-secret
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_REGION AWS_PROFILE

# dax-local: 3 nodes on P..P+2; P is found in its log ("node 1 listening on host:P").
NODES=3
dax_log=$LOG_DIR/dax-client-dax-local.log
dax_port=
for try in 1 2 3 4 5; do
  base=$((20000 + RANDOM % 40000))
  "$DAX_LOCAL" --host 127.0.0.1 --port "$base" --nodes "$NODES" --log-interval 0 >"$dax_log" 2>&1 &
  dax_pid=$!
  for _ in $(seq 1 100); do
    if grep -q "node $NODES listening" "$dax_log" 2>/dev/null; then
      dax_port=$base
      break
    fi
    kill -0 "$dax_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $dax_port ]] && break
  kill "$dax_pid" 2>/dev/null
  wait "$dax_pid" 2>/dev/null
  dax_pid=
done
if [[ -z $dax_port ]]; then
  echo "FAIL dax-local did not start (log: $dax_log)"
  tail -5 "$dax_log"
  fail=1
  result
  exit 1
fi
echo "dax-local: $NODES nodes on 127.0.0.1:$dax_port.. (pid $dax_pid)"
export DAX_ENDPOINT="dax://127.0.0.1:$dax_port"
# the same without authentication checks, one node on a free port
nv_log=$LOG_DIR/dax-client-dax-local-noverify.log
"$DAX_LOCAL" --host 127.0.0.1 --port 0 --no-verify-auth --log-interval 0 >"$nv_log" 2>&1 &
nv_pid=$!
nv_port=
for _ in $(seq 1 100); do
  nv_port=$(grep -m1 -oP 'node 1 listening on 127\.0\.0\.1:\K[0-9]+' "$nv_log" 2>/dev/null || true)
  [[ -n $nv_port ]] && break
  kill -0 "$nv_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -n $nv_port ]]; then
  export DAX_NOVERIFY_ENDPOINT="dax://127.0.0.1:$nv_port"
  echo "dax-local --no-verify-auth: 127.0.0.1:$nv_port (pid $nv_pid)"
else
  echo "FAIL dax-local --no-verify-auth did not start (log: $nv_log)"
  fail=$((fail + 1))
fi
# daxs://: a self-signed certificate for "localhost"; the test terminates TLS
# in front of node 1 with it and gives it to the client as its trust store.
tls_dir=$LOG_DIR/dax-client-tls
mkdir -p "$tls_dir"
if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" \
  >"$tls_dir/openssl.log" 2>&1; then
  export DAX_TEST_TLS_CERT=$tls_dir/cert.pem DAX_TEST_TLS_KEY=$tls_dir/key.pem
else
  echo "note: openssl could not make a test certificate; daxs:// not checked ($tls_dir/openssl.log)"
fi
export DAX_LOCAL_NODES=$NODES
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_cmocka() { # variant binary
  local variant=$1 bin=$2 name log rc ran ok t
  name=$(basename "$bin")
  log="$LOG_DIR/dax-client-$variant-$name.log"
  t=$SECONDS
  CMOCKA_MESSAGE_OUTPUT=stdout timeout 600 "$bin" >"$log" 2>&1
  rc=$?
  ran=$(grep -m1 -oP '^\[==========\] Running \K[0-9]+' "$log" || echo 0)
  ok=$(grep -c '^\[       OK \]' "$log" || true)
  local f=$((ran - ok))
  if ((rc != 0 && f == 0)); then f=1; fi
  if ((ran == 0)); then f=1; fi
  if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log" && ((f == 0)); then f=1; fi
  if ((f > 0)); then
    echo "FAIL $variant/$name (exit $rc, $((SECONDS - t)) s) — log: $log"
    grep -E '^\[  (FAILED|ERROR)|ERROR:|runtime error|Sanitizer|LINE' "$log" | head -20
  else
    echo "ok   $variant/$name: $ok tests in $((SECONDS - t)) s"
  fi
  grep -E '^(read-your-writes|after a direct|failover:|dax stats:|tls:|auth:)' "$log" | sed 's/^/     /'
  pass=$((pass + ok))
  fail=$((fail + f))
}

for bin in "${bins[@]}"; do
  variant=$(cut -d/ -f2 <<<"$bin")
  run_cmocka "$variant" "$bin"
done

if ! kill -0 "$dax_pid" 2>/dev/null; then
  echo "FAIL dax-local died during the run (log: $dax_log)"
  fail=$((fail + 1))
fi
# authentication: every refused authorizeConnection logged with the key id
# and the reason (test_auth_refused's cases), never a secret
refused=$(grep -c 'authorization refused for access key id' "$dax_log")
if grep -q "access key id '$AWS_ACCESS_KEY_ID': InvalidSignatureException: signature does not match" "$dax_log" &&
  grep -q "access key id 'AKIDNOTDAXLOCAL': UnrecognizedClientException: unknown access key id" "$dax_log" &&
  grep -q "InvalidSignatureException: Signature expired: " "$dax_log" &&
  grep -q "InvalidSignatureException: Signature not yet current: " "$dax_log"; then
  echo "ok   dax-local logged the refused authorizations ($refused lines)"
  pass=$((pass + 1))
else
  echo "FAIL dax-local's log lacks refused-authorization lines ($refused; log: $dax_log)"
  fail=$((fail + 1))
fi
if grep -qF -e "$AWS_SECRET_ACCESS_KEY" "$dax_log" "$nv_log"; then
  echo "FAIL dax-local logged the secret access key"
  fail=$((fail + 1))
else
  echo "ok   dax-local never logged the secret"
  pass=$((pass + 1))
fi
echo "suite time $((SECONDS - suite_start)) s"
result
((fail == 0))
