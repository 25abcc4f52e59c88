#!/usr/bin/env bash
# make bench-coldstart: cold start and peak memory of the function process,
# dynagen's dist/lambda.zip (unpacked into an empty temp dir) vs a Node.js 20
# custom runtime doing the same GetItem with @aws-sdk/client-dynamodb
# (bench/node-handler/), both under the same build/release/bin/lambda-local,
# against the same DynamoDB Local, with the same clean environment (env -i +
# the documented variables).
#
# One cold start = bench/coldstart_probe.c with lambda-local --on-demand: the
# probe starts lambda-local and waits (untimed) until it listens, with no
# function process yet; then it times from the request that finds no runtime
# (GET /products/{id}; lambda-local forks the function on that request) to the
# end of its response: process start, init, one GetItem, the way back - what
# Lambda calls a cold start, without lambda-local's own start-up. Peak RSS =
# VmHWM of the function process right after that response. COLDSTART_RUNS (20)
# of each, interleaved (dynagen, node, dynagen, ...) after 2 discarded warm-up
# pairs, so both see DynamoDB Local in the same state.
#
# Then the ways to start the bundled program (style.md: aws-lambda-cpp uses a
# shell bootstrap): exec-to-exit of each bootstrap alone, EXEC_RUNS (200)
# times, the program stopping at its first check (no AWS_LAMBDA_RUNTIME_API),
# and full cold starts of each (as above: lambda-local --on-demand, from the
# request that finds no runtime to the end of its response):
#   (a) launcher   the static C launcher (shipped: works from any directory)
#   (b) direct     bootstrap = the program linked with PT_INTERP and RPATH under
#                  /var/task, run at /var/task in a private mount namespace
#                  (needs root for unshare -m; skipped otherwise)
#   (c) shell      aws-lambda-cpp's bash bootstrap: exec the loader on the program
#
# The last two lines: "mem_ratio=<node/dynagen peak RSS>" and
# "ratio=<node/dynagen median cold start>". Targets (issue 4): ratio >= 20,
# mem_ratio >= 10. Reported as measured; the machine's load is printed too.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/api_stack.sh
trap stack_down EXIT
RUNS=${COLDSTART_RUNS:-20}
EXEC_RUNS=${EXEC_RUNS:-200}

stack_up
echo "coldstart: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version), @aws-sdk/client-dynamodb $SDK_VERSION; dist/lambda.zip $(stat -c %s dist/lambda.zip) bytes"
echo "coldstart: GET $PRODUCT_PATH, $RUNS cold starts each (interleaved, after 2 warm-up pairs)"

# probe NAME: one cold start; appends "ms hwm_kb init_ms anon_kb cpu_ms" to $BENCH_TMP/NAME.runs
probe() {
  local name=$1; shift
  local line
  if ! line=$("$@" 2>"$BENCH_TMP/probe.err"); then
    echo "coldstart: $name: a cold start failed: $line" >&2
    cat "$BENCH_TMP/probe.err" >&2
    exit 1
  fi
  [[ -z ${COLDSTART_VERBOSE:-} ]] || echo "  $name $line"
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["ms"], v["hwm_kb"], v["init_ms"], v["anon_kb"], v["cpu_ms"] }' <<<"$line" >>"$BENCH_TMP/$name.runs"
}
# --on-demand: lambda-local forks the function when the probe's request arrives
dyn() { probe "$1" env -i "${FENV[@]}" "$PROBE" serve "$PRODUCT_PATH" -- "$LL" --on-demand "${DYN_LL[@]}"; }
nod() { probe "$1" env -i "${FENV[@]}" "$PROBE" serve "$PRODUCT_PATH" -- "$LL" --on-demand "${NODE_LL[@]}"; }
col() { awk -v c="$2" '{ print $c }' "$BENCH_TMP/$1.runs"; }
stats() { # NAME COLUMN -> "median min max"
  local m lo hi
  m=$(col "$1" "$2" | median)
  lo=$(col "$1" "$2" | sort -g | head -1)
  hi=$(col "$1" "$2" | sort -g | tail -1)
  echo "$m $lo $hi"
}

for _ in 1 2; do dyn warm; nod warm; done
for _ in $(seq "$RUNS"); do dyn dynagen; nod node; done

read -r d_ms d_lo d_hi < <(stats dynagen 1)
read -r n_ms n_lo n_hi < <(stats node 1)
d_kb=$(col dynagen 2 | median); n_kb=$(col node 2 | median)
d_init=$(col dynagen 3 | median); n_init=$(col node 3 | median)
d_anon=$(col dynagen 4 | median); n_anon=$(col node 4 | median)
d_cpu=$(col dynagen 5 | median); n_cpu=$(col node 5 | median)
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
for who in dynagen node; do
  if [[ $who == dynagen ]]; then set -- "$d_ms" "$d_lo" "$d_hi" "$d_init" "$d_cpu" "$d_kb" "$d_anon"; else set -- "$n_ms" "$n_lo" "$n_hi" "$n_init" "$n_cpu" "$n_kb" "$n_anon"; fi
  printf 'coldstart %-8s median %8.2f ms (min %.2f, max %.2f); init %.1f ms (lambda-local: spawn to first /next); CPU %.1f ms; peak RSS %s MiB (anonymous %s MiB)\n' \
    "$who:" "$1" "$2" "$3" "$4" "$5" "$(mib "$6")" "$(mib "$7")"
done

# ------------------------------------------------------------------ the bootstrap variants
echo
echo "bootstrap variants (the same program and libraries; load average now $(cut -d' ' -f1-3 /proc/loadavg)):"
# (c) aws-lambda-cpp's shell bootstrap, in a copy of the unpacked zip
SH_PKG=$BENCH_TMP/task-shell
cp -a "$PKG" "$SH_PKG"
cat >"$SH_PKG/bootstrap" <<'EOF'
#!/bin/bash
set -euo pipefail
export AWS_EXECUTION_ENV=lambda-cpp
exec $LAMBDA_TASK_ROOT/lib/ld-linux-x86-64.so.2 --library-path $LAMBDA_TASK_ROOT/lib $LAMBDA_TASK_ROOT/bin/dynagen-api ${_HANDLER}
EOF
chmod 0755 "$SH_PKG/bootstrap"
# (b) the program itself as bootstrap, linked for /var/task
direct_ok=0
if [[ $(id -u) == 0 ]] && unshare -m --propagation private true 2>/dev/null; then
  if make --no-print-directory -s VARIANT=release package-direct PACKAGE_DIRECT_ROOT=/var/task >"$BENCH_TMP/direct.log" 2>&1; then
    DIRECT_PKG=$BENCH_TMP/task-direct
    mkdir "$DIRECT_PKG"
    (cd "$DIRECT_PKG" && unzip -q "$OLDPWD/build/release/package/lambda-direct.zip")
    direct_ok=1
  else
    echo "  (b) direct: building it failed: $(tail -3 "$BENCH_TMP/direct.log")"
  fi
else
  echo "  (b) direct: skipped (needs root and unshare -m to put the zip at /var/task privately)"
fi
# at_var_task CMD...: run CMD with $DIRECT_PKG mounted at /var/task, in a private mount namespace
at_var_task() {
  unshare -m --propagation private bash -c 'mount -t tmpfs tmpfs /var && mkdir /var/task &&
    mount --bind "$1" /var/task && shift && exec "$@"' _ "$DIRECT_PKG" "$@"
}
LENV=(LAMBDA_TASK_ROOT="$PKG" _HANDLER=bootstrap)
exec_line() { # LABEL CMD...
  local label=$1 out; shift
  out=$("$@") || { echo "  $label: failed"; return; }
  local m p10 p90
  m=$(grep -oP 'median_us=\K[0-9]+' <<<"$out"); p10=$(grep -oP 'p10_us=\K[0-9]+' <<<"$out"); p90=$(grep -oP 'p90_us=\K[0-9]+' <<<"$out")
  cpu=$(grep -oP 'cpu_us=\K[0-9]+' <<<"$out")
  printf '  %-60s exec-to-exit median %6d us (p10 %d, p90 %d), CPU %6d us\n' "$label" "$m" "$p10" "$p90" "$cpu"
}
exec_line "floor: /bin/true (fork + exec of a trivial dynamic program)" env -i "$PROBE" exec "$EXEC_RUNS" -- /bin/true
exec_line "host loader, build/release/bin/dynagen-api (reference)" env -i "$PROBE" exec "$EXEC_RUNS" -- "$B/bin/dynagen-api"
exec_line "(a) static launcher -> bundled loader (shipped)" env -i "${LENV[@]}" "$PROBE" exec "$EXEC_RUNS" -- "$PKG/bootstrap"
((direct_ok)) && exec_line "(b) the program itself, PT_INTERP /var/task/lib/ld-linux..." \
  at_var_task env -i LAMBDA_TASK_ROOT=/var/task _HANDLER=bootstrap "$PROBE" exec "$EXEC_RUNS" -- /var/task/bootstrap
exec_line "(c) bash script -> bundled loader (aws-lambda-cpp)" env -i LAMBDA_TASK_ROOT="$SH_PKG" _HANDLER=bootstrap "$PROBE" exec "$EXEC_RUNS" -- "$SH_PKG/bootstrap"

# full cold starts of each variant, interleaved
VRUNS=${VARIANT_RUNS:-$RUNS}
for _ in $(seq "$VRUNS"); do
  probe va env -i "${FENV[@]}" "$PROBE" serve "$PRODUCT_PATH" -- "$LL" --port 0 --on-demand -- "$PKG/bootstrap"
  ((direct_ok)) && probe vb at_var_task env -i "${FENV[@]}" "$PROBE" serve "$PRODUCT_PATH" -- "$LL" --port 0 --on-demand -- /var/task/bootstrap
  probe vc env -i "${FENV[@]}" "$PROBE" serve "$PRODUCT_PATH" -- "$LL" --port 0 --on-demand -- "$SH_PKG/bootstrap"
done
cold_line() {
  local label=$1 name=$2 m lo hi
  read -r m lo hi < <(stats "$name" 1)
  printf '  %-60s cold start median %7.2f ms (min %.2f, max %.2f), init %.1f ms, CPU %.1f ms\n' "$label" "$m" "$lo" "$hi" \
    "$(col "$name" 3 | median)" "$(col "$name" 5 | median)"
}
cold_line "(a) static launcher (shipped)" va
((direct_ok)) && cold_line "(b) the program itself at /var/task" vb
cold_line "(c) bash script (aws-lambda-cpp)" vc

echo
mem_ratio=$(awk -v a="$n_kb" -v b="$d_kb" 'BEGIN { printf "%.1f", a / b }')
ratio=$(awk -v a="$n_ms" -v b="$d_ms" 'BEGIN { printf "%.1f", a / b }')
anon_ratio=$(awk -v a="$n_anon" -v b="$d_anon" 'BEGIN { printf "%.1f", a / b }')
cpu_ratio=$(awk -v a="$n_cpu" -v b="$d_cpu" 'BEGIN { printf "%.1f", a / b }')
echo "memory: peak RSS (VmHWM) dynagen $(mib "$d_kb") MiB, node $(mib "$n_kb") MiB; anonymous $(mib "$d_anon") vs $(mib "$n_anon") MiB (anon_ratio=$anon_ratio); target: dynagen <= 1/10 of node"
echo "mem_ratio=$mem_ratio"
echo "cold start: dynagen $d_ms ms, node $n_ms ms (medians, wall clock; CPU $d_cpu vs $n_cpu ms, cpu_ratio=$cpu_ratio); target: >= 20x faster"
echo "ratio=$ratio"
