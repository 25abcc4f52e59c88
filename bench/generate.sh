#!/usr/bin/env bash
# bench-generate: how bin/dynagen generate scales from 10 to 100 tables.
#
#   bash bench/generate.sh [DYNAGEN]      (default bin/dynagen)
#
# Writes 10 and 100 synthetic models (bench/gen_schemas.sh) into a temp dir,
# checks them, then times `dynagen generate ... --out DIR --tfvars DIR2`
# RUNS times each (fresh, empty output directories every run; one untimed
# warm-up), reports the medians, whether two runs wrote byte-identical trees
# (diff -r), and ends with ratio=12*t10/t100 (> 1 beats the "100 tables in
# under 12x the time of 10" target).
#
# Knobs (environment): RUNS (7).
set -euo pipefail
cd "$(dirname "$0")/.."

DYNAGEN=${1:-bin/dynagen}
RUNS=${RUNS:-7}
[[ -x $DYNAGEN ]] || { echo "bench-generate: $DYNAGEN is missing (make bin/dynagen)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dynagen-bench-gen.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }

declare -A T IDENT
for n in 10 100; do
  echo "bench-generate: writing $n synthetic schemas"
  bash bench/gen_schemas.sh "$n" "$TMP/schemas$n"
  "$DYNAGEN" check -q "$TMP/schemas$n"/*.yaml || { echo "bench-generate: the synthetic schemas do not check" >&2; exit 1; }
  schemas=("$TMP/schemas$n"/*.yaml)
  times=()
  echo -n "bench-generate: generate $n tables x $RUNS runs:"
  for ((r = 0; r <= RUNS; r++)); do
    out="$TMP/out$n-$((r % 2))"
    rm -rf "$out"
    t0=$(now_us)
    "$DYNAGEN" generate "${schemas[@]}" --out "$out/c" --tfvars "$out/envs" -q
    t1=$(now_us)
    ((r == 0)) && continue # warm-up (page cache, binary)
    us=$((t1 - t0))
    times+=("$us")
    echo -n " $(awk -v u="$us" 'BEGIN { printf "%.1fms", u / 1000 }')"
  done
  echo
  T[$n]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  # the last two runs went to out$n-0 and out$n-1
  if diff -r "$TMP/out$n-0" "$TMP/out$n-1" >/dev/null; then IDENT[$n]=yes; else IDENT[$n]=no; fi
  files=$(find "$TMP/out$n-0" -type f | wc -l)
  bytes=$(find "$TMP/out$n-0" -type f -exec cat {} + | wc -c)
  echo "bench-generate: $n tables -> $files files, $bytes bytes; two runs byte-identical: ${IDENT[$n]}"
done

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
echo
echo "t10_ms=$(ms "${T[10]}")   (median of $RUNS)"
echo "t100_ms=$(ms "${T[100]}")   (median of $RUNS)"
echo "t100/t10=$(awk -v a="${T[100]}" -v b="${T[10]}" 'BEGIN { printf "%.2f", a / b }')"
echo "deterministic=$([[ ${IDENT[10]} == yes && ${IDENT[100]} == yes ]] && echo yes || echo no)"
echo "ratio=$(awk -v a="${T[10]}" -v b="${T[100]}" 'BEGIN { printf "%.2f", 12 * a / b }')"
