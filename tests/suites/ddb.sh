#!/usr/bin/env bash
# DynamoDB suite: the integration binaries (tests/integration/test_*.c, built
# by `make integration-tests` into build/release and build/asan) against one
# real DynamoDB Local for the whole suite, started in memory on a free
# loopback port (scripts/dynamodb-local.sh) and stopped on exit.
#
# The binaries get the endpoint, a region and dummy credentials from the
# environment, as a Lambda would. ASan binaries run with leak detection.
# Last line: "ddb: N passed, M failed". Without java the suite is SKIPPED
# (0 passed, 0 failed), unless DYNAGEN_CI=1 where that is a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=build/test-logs
mkdir -p "$LOG_DIR"
suite_start=$SECONDS

pass=0
fail=0
result() { echo "ddb: $pass passed, $fail failed"; }

if ! command -v java >/dev/null 2>&1; then
  if [[ ${DYNAGEN_CI:-} == 1 ]]; then
    echo "FAIL java is not installed (openjdk-17-jre-headless; bash scripts/deps.sh), and DYNAGEN_CI=1"
    fail=1
    result
    exit 1
  fi
  echo "SKIPPED: java is not installed, DynamoDB Local cannot run (bash scripts/deps.sh installs openjdk-17-jre-headless)"
  result
  exit 0
fi

bins=()
for variant in release asan; do
  for bin in build/$variant/tests/integration/test_*; do
    [[ -f $bin && -x $bin && $bin != *.o && $bin != *.d ]] && bins+=("$bin")
  done
done
if ((${#bins[@]} == 0)); then
  echo "FAIL no integration binaries in build/{release,asan}/tests/integration (make integration-tests)"
  fail=1
  result
  exit 1
fi

# Never through a proxy, whatever the environment says (the launcher probes with curl).
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

t0=$SECONDS
if ! started=$(bash scripts/dynamodb-local.sh start); then
  echo "FAIL could not start DynamoDB Local (see above)"
  fail=1
  result
  exit 1
fi
read -r ddb_port ddb_pid <<<"$started"
trap 'bash scripts/dynamodb-local.sh stop "$ddb_pid"' EXIT
echo "DynamoDB Local on 127.0.0.1:$ddb_port (pid $ddb_pid), started in $((SECONDS - t0)) s"

# What the binaries read (dynagen takes configuration only from the environment).
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port"
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=dynagentest # DynamoDB Local takes letters and digits only
export AWS_SECRET_ACCESS_KEY=dynagen-test-secret
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_REGION AWS_PROFILE
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Run one cmocka binary; count its tests like scripts/test.sh. A crash, a
# sanitizer report or a missing summary counts as a failure.
run_cmocka() { # variant binary
  local variant=$1 bin=$2 name log rc ran ok t
  name=$(basename "$bin")
  log="$LOG_DIR/ddb-$variant-$name.log"
  t=$SECONDS
  CMOCKA_MESSAGE_OUTPUT=stdout timeout 900 "$bin" >"$log" 2>&1
  rc=$?
  ran=$(grep -m1 -oP '^\[==========\] Running \K[0-9]+' "$log" || echo 0)
  ok=$(grep -c '^\[       OK \]' "$log" || true)
  local f=$((ran - ok))
  if ((rc != 0 && f == 0)); then f=1; fi
  if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log" && ((f == 0)); then f=1; fi
  if ((f > 0)); then
    echo "FAIL $variant/$name (exit $rc, $((SECONDS - t)) s) — log: $log"
    grep -E '^\[  (FAILED|ERROR)|ERROR:|runtime error|Sanitizer|LINE' "$log" | head -20
  else
    echo "ok   $variant/$name: $ok tests in $((SECONDS - t)) s"
  fi
  pass=$((pass + ok))
  fail=$((fail + f))
}

for bin in "${bins[@]}"; do
  variant=$(cut -d/ -f2 <<<"$bin")
  run_cmocka "$variant" "$bin"
done

echo "suite time $((SECONDS - suite_start)) s"
result
((fail == 0))
