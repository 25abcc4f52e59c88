#!/usr/bin/env bash
# DynamoDB interop: what dynagen writes, @aws-sdk/lib-dynamodb reads back
# equal, and the reverse, against one DynamoDB Local (started in memory on a
# free loopback port by scripts/dynamodb-local.sh, stopped on exit).
#
# For each build variant (release, asan):
#   1. interop_ddb (tests/interop/ddb/interop_ddb.c, built by mk/interop.mk)
#      creates a Products table from the model and writes the products of
#      tests/interop/ddb/cases.json with product_create / product_update,
#      printing the API JSON it believes it wrote;
#   2. tests/interop/ddb/interop.js reads every current and history item
#      with lib-dynamodb's GetCommand and compares it field by field;
#   3. interop.js writes products in dynagen's layout with PutCommand;
#   4. interop_ddb reads them (product_get, product_get_version,
#      product_list_versions) and prints the API JSON; interop.js compares.
# Every compared item counts as one pass or fail. Last line:
# "ddb-interop: N passed, M failed". Without java the suite is SKIPPED
# (0 passed, 0 failed), unless DYNAGEN_CI=1 where that is a failure.
# VARIANTS="release" runs one variant only.
set -uo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=build/test-logs
mkdir -p "$LOG_DIR"
suite_start=$SECONDS

pass=0
fail=0
result() { echo "ddb-interop: $pass passed, $fail failed"; }
die() { echo "FAIL $*"; fail=$((fail + 1)); result; exit 1; }

if ! command -v java >/dev/null 2>&1; then
  if [[ ${DYNAGEN_CI:-} == 1 ]]; then
    die "java is not installed (openjdk-17-jre-headless; bash scripts/deps.sh), and DYNAGEN_CI=1"
  fi
  echo "SKIPPED: java is not installed, DynamoDB Local cannot run (bash scripts/deps.sh installs openjdk-17-jre-headless)"
  result
  exit 0
fi
command -v node >/dev/null || die "node is not installed (bash scripts/deps.sh)"
[[ -f node_modules/@aws-sdk/lib-dynamodb/package.json && -f node_modules/@aws-sdk/client-dynamodb/package.json ]] ||
  die "node_modules/@aws-sdk/{lib,client}-dynamodb missing (bash scripts/deps.sh)"

# The helper, per variant (the library and generated objects come from the main build).
variants=()
for variant in ${VARIANTS:-release asan}; do
  log="$LOG_DIR/ddb-interop-build-$variant.log"
  if make --no-print-directory VARIANT="$variant" interop-ddb >"$log" 2>&1; then
    variants+=("$variant")
  else
    tail -20 "$log"
    echo "FAIL building build/$variant/tests/interop/ddb/interop_ddb (log: $log)"
    fail=$((fail + 1))
  fi
done
((${#variants[@]} > 0)) || { result; exit 1; }

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

t0=$SECONDS
if ! started=$(bash scripts/dynamodb-local.sh start); then
  die "could not start DynamoDB Local (see above)"
fi
read -r ddb_port ddb_pid <<<"$started"
work=$(mktemp -d)
trap 'bash scripts/dynamodb-local.sh stop "$ddb_pid"; rm -rf "$work"' EXIT
echo "DynamoDB Local on 127.0.0.1:$ddb_port (pid $ddb_pid), started in $((SECONDS - t0)) s"

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port"
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=dynageninterop # DynamoDB Local takes letters and digits only
export AWS_SECRET_ACCESS_KEY=dynagen-interop-secret
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_REGION AWS_PROFILE
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export NODE_NO_WARNINGS=1 # the SDK's Node-version notice

# Run the C helper; a non-zero exit or a sanitizer report is one failure.
helper() { # variant label args...
  local variant=$1 label=$2
  shift 2
  local err="$work/$variant-$label.stderr"
  "build/$variant/tests/interop/ddb/interop_ddb" "$@" 2>"$err"
  local rc=$?
  if ((rc != 0)) || grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$err"; then
    echo "FAIL $variant interop_ddb $label (exit $rc):"
    head -20 "$err" | sed 's/^/       /'
    fail=$((fail + 1))
    return 1
  fi
  [[ -s $err ]] && sed 's/^/       /' "$err"
  return 0
}

# Run interop.js; count its ok/FAIL items from the RESULT line.
checker() { # label args...
  local label=$1
  shift
  local out="$work/$label.out"
  node tests/interop/ddb/interop.js "$@" >"$out" 2>&1
  local rc=$?
  cat "$out"
  local line
  line=$(grep -E '^RESULT [0-9]+ [0-9]+$' "$out" | tail -1)
  if [[ -z $line ]]; then
    echo "FAIL interop.js $label printed no RESULT line (exit $rc)"
    fail=$((fail + 1))
    return
  fi
  local p f
  read -r _ p f <<<"$line"
  if ((rc != 0 && f == 0)); then f=1; fi
  pass=$((pass + p))
  fail=$((fail + f))
}

for variant in "${variants[@]}"; do
  echo "--- $variant"
  table="Products-interop-$variant-$$"
  helper "$variant" create-table create-table "$table" || continue
  # dynagen writes, the SDK reads
  if helper "$variant" write write "$table" tests/interop/ddb/cases.json >"$work/$variant-writes.jsonl"; then
    echo "dynagen wrote $(wc -l <"$work/$variant-writes.jsonl") versions"
    checker "$variant-check-writes" check-writes "$table" "$work/$variant-writes.jsonl"
  fi
  # the SDK writes, dynagen reads
  out=$(node tests/interop/ddb/interop.js write "$table" "$work/$variant-requests.jsonl" "$work/$variant-expect.json" 2>&1)
  rc=$?
  echo "$out"
  if ((rc != 0)); then
    echo "FAIL interop.js write (exit $rc)"
    fail=$((fail + 1))
    continue
  fi
  if helper "$variant" read read "$table" "$work/$variant-requests.jsonl" >"$work/$variant-reads.jsonl"; then
    checker "$variant-check-reads" check-reads "$table" "$work/$variant-expect.json" "$work/$variant-reads.jsonl"
  fi
done

echo "suite time $((SECONDS - suite_start)) s"
result
((fail == 0))
