#!/usr/bin/env bash
# bench-codec driver: one Product, DynamoDB JSON, dynagen vs Node, same run.
#
#   bash bench/codec.sh BENCH_CODEC_BINARY
#
# 1. bench_codec --emit writes the item's DynamoDB JSON once (dynagen's own
#    marshal output); both sides read exactly that file.
# 2. PASSES times: the C side, then the Node side, each warming up and then
#    measuring ROUNDS rounds of ROUND_MS (alternating the two processes
#    spreads background load over both).
# 3. Medians over all rounds; the last line is ratio=<dynagen/node items/s>.
#
# Knobs (environment): PASSES (3), ROUNDS (3), ROUND_MS (300), WARMUP_MS (300).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:?usage: bench/codec.sh BENCH_CODEC_BINARY}
PASSES=${PASSES:-3}
ROUNDS=${ROUNDS:-3}
ROUND_MS=${ROUND_MS:-300}
WARMUP_MS=${WARMUP_MS:-300}
OUT=$(dirname "$BIN")
ITEM=$OUT/product.ddb.json
LOG=$OUT/codec-rounds.log

command -v node >/dev/null || { echo "bench-codec: node is not installed (bash scripts/deps.sh)" >&2; exit 2; }

echo "bench-codec: writing the benchmark item with dynagen"
"$BIN" --emit "$ITEM"
echo "bench-codec: item ${ITEM} ($(wc -c <"$ITEM") bytes):"
head -c 400 "$ITEM"; echo " ..."
echo "bench-codec: $PASSES passes x $ROUNDS rounds x ${ROUND_MS} ms per kind (warm-up ${WARMUP_MS} ms per process)"

: >"$LOG"
opts=(--rounds "$ROUNDS" --round-ms "$ROUND_MS" --warmup-ms "$WARMUP_MS")
for ((p = 1; p <= PASSES; p++)); do
  echo "  pass $p/$PASSES: dynagen (C, -O2)"
  "$BIN" --input "$ITEM" "${opts[@]}" | sed 's/^/c /' >>"$LOG"
  echo "  pass $p/$PASSES: node $(node --version) + @aws-sdk/util-dynamodb"
  node bench/codec_node.js "$ITEM" "${opts[@]}" | sed 's/^/node /' >>"$LOG"
done

median() { # side kind
  awk -v s="$1" -v k="$2" '$1 == s && $2 == "round" && $3 == k { print $4 }' "$LOG" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
info() { awk -v s="$1" -v k="$2" '$1 == s && $2 == "info" && $3 == k { print $4; exit }' "$LOG"; }

c_rt=$(median c roundtrip); c_un=$(median c unmarshal); c_ma=$(median c marshal); c_cj=$(median c cjson)
n_rt=$(median node roundtrip); n_un=$(median node unmarshal); n_ma=$(median node marshal)

fmt() { awk -v v="$1" 'BEGIN { printf "%12.0f", v }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

echo
echo "median items/s over $((PASSES * ROUNDS)) rounds          dynagen          node   dynagen/node"
printf '  roundtrip (unmarshal + marshal) %s  %s  %8sx\n' "$(fmt "$c_rt")" "$(fmt "$n_rt")" "$(div "$c_rt" "$n_rt")"
printf '  unmarshal only                  %s  %s  %8sx\n' "$(fmt "$c_un")" "$(fmt "$n_un")" "$(div "$c_un" "$n_un")"
printf '  marshal only                    %s  %s  %8sx\n' "$(fmt "$c_ma")" "$(fmt "$n_ma")" "$(div "$c_ma" "$n_ma")"
printf '  cJSON_ParseWithLength+Delete    %s\n' "$(fmt "$c_cj")"
echo "  dynagen: product_from_ddb (streaming decode into an arena, no tree) / product_to_ddb (direct buffer writes)"
echo "  node:    unmarshall(JSON.parse(s)) / JSON.stringify(marshall(o))"
echo "  re-encode reproduces the input bytes: dynagen $(info c dynagen_reencode_identical), node $(info node node_reencode_identical)"
echo "dynagen_items_per_s=$(printf '%.0f' "$c_rt")"
echo "node_items_per_s=$(printf '%.0f' "$n_rt")"
# typed unmarshal cost / bare parse cost = (1/c_un) / (1/c_cj)
echo "unmarshal_vs_cjson_parse=$(div "$c_cj" "$c_un")"
echo "ratio=$(div "$c_rt" "$n_rt")"
