#!/usr/bin/env bash
# `make test`: every suite, then one closing line "N passed, M failed".
#
# Suites:
#   unit (release) and unit (ASan+UBSan): the cmocka binaries tests/unit/test_*.c
#   check-generated: generated/ and the tfvars are fresh
#   format-check: the hand-written C is as `make format` leaves it
#   tests/suites/*.sh: each prints, as its last line, "<name>: N passed, M failed"
#     (a suite that cannot run prints "SKIPPED: <why>" and "<name>: 0 passed, 0 failed")
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
LOG_DIR=build/test-logs
mkdir -p "$LOG_DIR"

total_pass=0
total_fail=0
summary=()

add() { # name pass fail
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  summary+=("$(printf '  %-28s %5d passed, %3d failed' "$1" "$2" "$3")")
}

stage() { printf '\n==> %s\n' "$*"; }

bash scripts/deps.sh || { echo "deps: failed"; echo "0 passed, 1 failed"; exit 1; }

# Run one cmocka binary; count its tests. A crash or a missing summary counts as a failure.
run_cmocka() { # variant binary
  local variant=$1 bin=$2 name log rc ran ok
  name="$(basename "$bin")"
  log="$LOG_DIR/$variant-$name.log"
  CMOCKA_MESSAGE_OUTPUT=stdout "$bin" >"$log" 2>&1
  rc=$?
  ran=$(grep -m1 -oP '^\[==========\] Running \K[0-9]+' "$log" || echo 0)
  ok=$(grep -c '^\[       OK \]' "$log" || true)
  local fail=$((ran - ok))
  if ((rc != 0 && fail == 0)); then fail=1; fi
  if ((fail > 0)); then
    echo "FAIL $variant/$name (exit $rc) — log: $log"
    grep -E '^\[  (FAILED|ERROR)|ERROR:|runtime error|Sanitizer' "$log" | head -20
  else
    echo "ok   $variant/$name: $ok tests"
  fi
  add "$variant/$name" "$ok" "$fail"
}

for variant in release asan; do
  stage "build ($variant)"
  if [[ $variant == release && ! -f build/curl-lambda/.tried ]]; then
    echo "(first build: this includes the bootstrap's minimal static libcurl, built from Debian's curl source: about 2 minutes; log: $LOG_DIR/build-$variant.log)"
  fi
  if ! make --no-print-directory -j"$JOBS" VARIANT=$variant all unit-tests integration-tests >"$LOG_DIR/build-$variant.log" 2>&1; then
    tail -40 "$LOG_DIR/build-$variant.log"
    add "build-$variant" 0 1
    continue
  fi
  add "build-$variant" 1 0
  stage "unit tests ($variant)"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  for bin in build/$variant/tests/test_*; do
    [[ -x $bin ]] && run_cmocka "$variant" "$bin"
  done
done

stage "generated/ is fresh"
if make --no-print-directory check-generated >"$LOG_DIR/check-generated.log" 2>&1; then
  echo "ok   generated/ matches schema/"
  add check-generated 1 0
else
  cat "$LOG_DIR/check-generated.log" | tail -20
  add check-generated 0 1
fi

stage "hand-written C is clang-formatted (make format)"
if ! command -v clang-format >/dev/null; then
  echo "SKIPPED: clang-format is not installed"
elif make --no-print-directory format-check >"$LOG_DIR/format-check.log" 2>&1; then
  echo "ok   make format-check"
  add format-check 1 0
else
  grep -m10 'error:' "$LOG_DIR/format-check.log"
  echo "FAIL make format-check: run make format"
  add format-check 0 1
fi

for suite in tests/suites/*.sh; do
  [[ -f $suite ]] || continue
  name=$(basename "$suite" .sh)
  stage "suite $name"
  log="$LOG_DIR/suite-$name.log"
  bash "$suite" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [[ -z $line ]]; then
    add "$name" 0 1
    echo "FAIL suite $name printed no result line (exit $rc)"
    continue
  fi
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  if ((rc != 0 && f == 0)); then f=1; fi
  add "$name" "$p" "$f"
done

stage "summary"
printf '%s\n' "${summary[@]}"
echo "${total_pass} passed, ${total_fail} failed"
((total_fail == 0))
