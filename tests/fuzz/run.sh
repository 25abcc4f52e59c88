#!/usr/bin/env bash
# Run libFuzzer targets one after the other (make fuzz / make fuzz-smoke).
#
#   FUZZ_SECONDS=60 bash tests/fuzz/run.sh fuzz_schema fuzz_ddb_json
#
# Each target: first replays tests/fuzz/regressions/<target minus "fuzz_">-*
# (saved reproducers of fixed bugs), then fuzzes: build/fuzz/<target>, seeds tests/fuzz/corpus/<target>/ (read
# only), scratch corpus build/fuzz/corpus/<target>/ (new inputs go there),
# dictionary tests/fuzz/<target>.dict when present, crash/leak/timeout
# reproducers in build/fuzz/artifacts/<target>/, log build/fuzz/<target>.log.
# Exit status: 0 when no target found anything, 1 otherwise.
# Extra libFuzzer flags: FUZZ_FLAGS (e.g. FUZZ_FLAGS=-jobs=2).
set -uo pipefail
cd "$(dirname "$0")/../.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
B=build/fuzz
failed=()

for t in "$@"; do
  bin=$B/$t
  [[ -x $bin ]] || { echo "fuzz: $bin is not built (make fuzz-build)" >&2; failed+=("$t (not built)"); continue; }
  corpus=$B/corpus/$t
  art=$B/artifacts/$t
  log=$B/$t.log
  mkdir -p "$corpus" "$art"
  seeds=()
  [[ -d tests/fuzz/corpus/$t ]] && seeds=("tests/fuzz/corpus/$t")
  dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=("-dict=tests/fuzz/$t.dict")
  # Known reproducers first (tests/fuzz/regressions/<target without fuzz_>-*): must pass.
  regs=(tests/fuzz/regressions/"${t#fuzz_}"-*)
  if [[ -e ${regs[0]} ]]; then
    if "$bin" "${regs[@]}" >"$B/$t.regressions.log" 2>&1; then
      echo "fuzz: $t: ${#regs[@]} regression input(s) ok"
    else
      echo "fuzz: $t: a regression input fails again (log $B/$t.regressions.log):"
      grep -E 'SUMMARY|runtime error|property failed|Running:' "$B/$t.regressions.log" | tail -6 | sed 's/^/    /'
      failed+=("$t (regression)")
    fi
  fi
  before=$(find "$art" -type f | sort)
  echo "fuzz: $t for ${SECONDS_EACH}s (log $log)"
  # shellcheck disable=SC2086
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" ${FUZZ_FLAGS:-} \
    "$corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  new=$(comm -13 <(echo "$before") <(find "$art" -type f | sort) | sed '/^$/d')
  execs=$(grep -oP '^stat::number_of_executed_units:\s*\K[0-9]+' "$log" | tail -1)
  speed=$(grep -oP '^stat::average_exec_per_sec:\s*\K[0-9]+' "$log" | tail -1)
  cov=$(grep -oP '#[0-9]+\s+(DONE|INITED|NEW|REDUCE|pulse).*cov: \K[0-9]+' "$log" | tail -1)
  ft=$(grep -oP '#[0-9]+\s+(DONE|INITED|NEW|REDUCE|pulse).*ft: \K[0-9]+' "$log" | tail -1)
  units=$(find "$corpus" -type f | wc -l)
  echo "fuzz: $t: exit $rc, ${execs:-?} execs (${speed:-?}/s), cov ${cov:-?}, ft ${ft:-?}, scratch corpus $units files"
  if ((rc != 0)) || [[ -n $new ]]; then
    failed+=("$t")
    echo "fuzz: $t FOUND A PROBLEM:"
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY|property failed|deadly signal|Test unit written' "$log" | head -20 | sed 's/^/    /'
    for f in $new; do
      echo "    reproducer: $f   (replay: $bin $f)"
    done
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: ok ($# target$( (($# == 1)) || echo s), ${SECONDS_EACH}s each, no crashes)"
