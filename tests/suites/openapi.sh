#!/usr/bin/env bash
# OpenAPI: generated/openapi.yaml and the test models' documents are valid
# OpenAPI 3.1 (checked with the official schemas), and document exactly the
# routes the generated router serves.
set -uo pipefail
cd "$(dirname "$0")/../.."
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {
  local out
  out=$(node tests/interop/openapi/validate.js "$@" 2>&1)
  echo "$out" | grep -E '^(ok|FAIL)'
  local line
  line=$(echo "$out" | grep -E '^openapi-file: ' | tail -1)
  if [[ -z $line ]]; then fail=$((fail + 1)); echo "$out" | tail -5; return; fi
  pass=$((pass + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
  fail=$((fail + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}
run generated/openapi.yaml generated/dynagen_app.c
[[ -x bin/dynagen ]] || make -s bin/dynagen
bin/dynagen generate tests/schemas/*.yaml --out "$tmp" -q && run "$tmp/openapi.yaml" "$tmp/dynagen_app.c"
echo "openapi: $pass passed, $fail failed"
((fail == 0))
