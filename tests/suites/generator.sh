#!/usr/bin/env bash
# Generator suite: golden error messages for bad schemas, golden generated
# files for a small schema, CLI behaviour, atomic writes, determinism, and
# `make generate` picking up a schema edit. Uses the ASan build of dynagen
# when it exists, so the error paths are checked for leaks and UB too.
set -uo pipefail
cd "$(dirname "$0")/../.."
DYNAGEN=${DYNAGEN:-}
if [[ -z $DYNAGEN ]]; then
  if [[ -x build/asan/bin/dynagen ]]; then DYNAGEN=build/asan/bin/dynagen; else DYNAGEN=bin/dynagen; fi
fi
[[ -x $DYNAGEN ]] || make -s bin/dynagen
export ASAN_OPTIONS=detect_leaks=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. every bad schema: exit 1, exact diagnostics, nothing written
for y in tests/golden/errors/*.yaml; do
  name=$(basename "$y" .yaml)
  exp=${y%.yaml}.stderr
  out=$("$DYNAGEN" check "$y" 2>&1 >/dev/null); rc=$?
  if [[ $rc -ne 1 ]]; then bad "errors/$name: exit $rc, want 1"; continue; fi
  if ! diff -u "$exp" <(printf '%s\n' "$out") >"$tmp/diff"; then bad "errors/$name: diagnostics differ"; cat "$tmp/diff"; continue; fi
  mkdir -p "$tmp/out-$name"
  "$DYNAGEN" generate "$y" schema/products.yaml --out "$tmp/out-$name" --tfvars "$tmp/out-$name/envs" >/dev/null 2>&1; rc=$?
  if [[ $rc -ne 1 || -n $(ls -A "$tmp/out-$name") ]]; then bad "errors/$name: generate wrote files or exit $rc"; continue; fi
  ok "errors/$name"
done

# 2. golden generated files (run from the case dir so paths in banners are relative)
for d in tests/golden/gen/*/; do
  name=$(basename "$d")
  rm -rf "$tmp/gen"; mkdir -p "$tmp/gen"
  if (cd "$d" && "$OLDPWD/$DYNAGEN" generate schema.yaml --out "$tmp/gen" --tfvars "$tmp/gen/envs" -q) &&
     diff -ru "$d/expected" "$tmp/gen" >"$tmp/diff"; then
    ok "golden/$name"
  else
    bad "golden/$name: generated files differ from expected/"; head -40 "$tmp/diff"
  fi
done

# 3. CLI
"$DYNAGEN" --help | grep -q '^usage:' && ok "cli: --help" || bad "cli: --help"
"$DYNAGEN" >/dev/null 2>&1; [[ $? -eq 2 ]] && ok "cli: no command exits 2" || bad "cli: no command"
out=$("$DYNAGEN" generate schema/products.yaml --outt x 2>&1); [[ $? -eq 2 && $out == *"did you mean '--out'"* ]] && ok "cli: unknown option suggests" || bad "cli: unknown option: $out"
out=$("$DYNAGEN" check does/not/exist.yaml 2>&1); [[ $? -eq 1 && $out == *"does/not/exist.yaml: error: cannot open"* ]] && ok "cli: missing file" || bad "cli: missing file: $out"
out=$("$DYNAGEN" generate schema/products.yaml 2>&1); [[ $? -eq 2 && $out == *"needs --out"* ]] && ok "cli: generate without --out" || bad "cli: generate without --out"
out=$("$DYNAGEN" check schema/products.yaml tests/schemas/*.yaml); [[ $? -eq 0 ]] && ok "cli: check valid schemas" || bad "cli: check valid schemas: $out"
cp schema/products.yaml "$tmp/dup.yaml"
out=$("$DYNAGEN" check schema/products.yaml "$tmp/dup.yaml" 2>&1); [[ $? -eq 1 && $out == *"table 'Products' is also defined in schema/products.yaml"* ]] && ok "cli: duplicate table across files" || bad "cli: duplicate table: $out"

# 4. determinism and --check
"$DYNAGEN" generate schema/products.yaml tests/schemas/*.yaml --out "$tmp/a" --tfvars "$tmp/a/envs" -q
"$DYNAGEN" generate schema/products.yaml tests/schemas/*.yaml --out "$tmp/b" --tfvars "$tmp/b/envs" -q
diff -r "$tmp/a" "$tmp/b" >/dev/null && ok "two runs are byte-identical" || bad "two runs differ"
"$DYNAGEN" generate schema/products.yaml tests/schemas/*.yaml --out "$tmp/a" --tfvars "$tmp/a/envs" --check -q && ok "--check passes when fresh" || bad "--check on fresh output"
echo "/* hand edit */" >> "$tmp/a/products.c"
out=$("$DYNAGEN" generate schema/products.yaml tests/schemas/*.yaml --out "$tmp/a" --tfvars "$tmp/a/envs" --check 2>&1); [[ $? -eq 1 && $out == *"products.c: stale"* ]] && ok "--check catches a hand edit" || bad "--check missed a hand edit: $out"
# a table removed from the schema set: its files are orphans
out=$("$DYNAGEN" generate schema/products.yaml --out "$tmp/a" --tfvars "$tmp/a/envs" --check 2>&1); [[ $? -eq 1 && $out == *"orders.c: generated for a table that no longer exists"* ]] && ok "--check reports orphans" || bad "--check orphans: $out"
"$DYNAGEN" generate schema/products.yaml --out "$tmp/a" --tfvars "$tmp/a/envs" -q --allow-destructive 2>/dev/null && [[ ! -e $tmp/a/orders.c && -e $tmp/a/products.c ]] && ok "generate removes orphans" || bad "generate did not remove orphans"

# 5. a schema edit changes the generated code accordingly
sed 's/^  active:  .*/&\n  rating:      { name: Rating, type: decimal, scale: 1, min: 0, max: 5 }/' schema/products.yaml > "$tmp/products.yaml"
grep -q 'rating:' "$tmp/products.yaml" || sed -i 's/^attributes:/attributes:\n  rating:      { name: Rating, type: decimal, scale: 1, min: 0, max: 5 }/' "$tmp/products.yaml"
"$DYNAGEN" generate "$tmp/products.yaml" --out "$tmp/edit" -q
if grep -q 'int64_t rating; /\* Rating: decimal(scale 1, unscaled) \*/' "$tmp/edit/products.h" && grep -q '"Rating"' "$tmp/edit/products.c"; then
  ok "schema edit: new attribute appears in generated code"
else
  bad "schema edit not reflected"
fi

# 6. nothing half-written: a valid and an invalid schema together write nothing
mkdir -p "$tmp/half"
"$DYNAGEN" generate schema/products.yaml tests/golden/errors/unknown_key.yaml --out "$tmp/half" >/dev/null 2>&1
[[ -z $(ls -A "$tmp/half") ]] && ok "one bad schema: nothing written" || bad "partial output written"

echo "generator: $pass passed, $fail failed"
((fail == 0))
