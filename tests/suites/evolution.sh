#!/usr/bin/env bash
# Schema evolution: each edit of a copy of schema/products.yaml, generated
# over the output of the unedited schema, gets its expected verdict:
# safe (generated, change listed) or destructive (stopped, nothing written,
# the change named at file:line:col), and --allow-destructive goes on.
set -uo pipefail
cd "$(dirname "$0")/../.."
DYNAGEN=${DYNAGEN:-}
if [[ -z $DYNAGEN ]]; then
  if [[ -x build/asan/bin/dynagen ]]; then DYNAGEN=$PWD/build/asan/bin/dynagen; else DYNAGEN=$PWD/bin/dynagen; fi
fi
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=$tmp/schema/products.yaml

baseline() {
  rm -rf "$tmp/schema" "$tmp/out"
  mkdir -p "$tmp/schema"
  cp schema/products.yaml "$S"
  [[ -n ${1:-} ]] && sed -i "$1" "$S"
  (cd "$tmp" && "$DYNAGEN" generate schema/products.yaml --out out --tfvars out/envs -q) || echo "baseline failed"
}

# case NAME VERDICT(safe|destructive) SED_EDIT EXPECTED_MESSAGE_REGEX [BASELINE_EDIT]
case_() {
  local name=$1 verdict=$2 edit=$3 want=$4 base=${5:-}
  baseline "$base"
  sed -i "$edit" "$S"
  local before after out rc
  before=$(cd "$tmp/out" && find . -type f -exec md5sum {} + | sort)
  out=$(cd "$tmp" && "$DYNAGEN" generate schema/products.yaml --out out --tfvars out/envs 2>&1); rc=$?
  after=$(cd "$tmp/out" && find . -type f -exec md5sum {} + | sort)
  if [[ $verdict == safe ]]; then
    if [[ $rc -eq 0 && $out =~ $want ]]; then pass=$((pass + 1)); echo "ok   $name: safe"; return; fi
  else
    if [[ $rc -eq 1 && $out =~ $want && $before == "$after" ]]; then
      # the same edit goes through with --allow-destructive
      if (cd "$tmp" && "$DYNAGEN" generate schema/products.yaml --out out --tfvars out/envs --allow-destructive -q 2>/dev/null); then
        pass=$((pass + 1)); echo "ok   $name: destructive"; return
      fi
      out="$out (and --allow-destructive failed)"
    fi
  fi
  fail=$((fail + 1)); echo "FAIL $name: want $verdict matching /$want/, got exit $rc:"; echo "$out" | sed 's/^/     /'
}

F='schema/products\.yaml:[0-9]+:[0-9]+'
case_ new-attribute safe 's/^  active: .*/&\n  rating:      { name: Rating, type: int32, min: 0, max: 5 }/' "$F: note: new attribute 'rating' \(safe\)"
case_ new-gsi safe 's/^  CategoryIndex: .*/&\n  StockIndex: { partition: category, sort: stock, projection: keys_only }/' "$F: note: new index StockIndex \(safe"
case_ new-route safe 's/operations: \[create, get, update, delete,/operations: [create, get, update, delete,/' 'dynagen: 1 table' 's/operations: \[create, get, update, delete,/operations: [create, get, update,/'
case_ widen-int safe 's/^\(  stock: .*\)type: int32/\1type: int64/' 'dynagen: 1 table'
case_ raise-scale safe 's/type: decimal, scale: 2, min: 0, max: 1000000000/type: decimal, scale: 3, min: 0, max: 1000000000/' 'dynagen: 1 table'
case_ remove-attribute safe '/^  description: /d' 'note: attribute description removed \(safe'
case_ sort-key-renamed destructive 's/name: Version, type: int64/name: Rev, type: int64/' "$F: error: changing the sort key of Products from Version \(N\) to Rev \(N\) replaces the table and loses its data"
case_ partition-key-type destructive 's/product_id:  { name: ProductID, type: string, generate: uuid,/product_id:  { name: ProductID, type: int64,/' "$F: error: changing the partition key of Products from ProductID \(S\) to ProductID \(N\) replaces the table"
case_ table-renamed destructive 's/^table: Products/table: Catalogue/' "$F: error: renaming table Products to Catalogue replaces the table and loses its data"
case_ index-removed destructive '/^  CategoryIndex: /d; s/^  list_by: CategoryIndex.*//; s/delete, list, versions/delete, versions/' "error: removing index CategoryIndex of Products deletes it"
case_ index-rekeyed destructive 's/CategoryIndex: { type: global, partition: category, sort: price/CategoryIndex: { type: global, partition: category, sort: stock/' "$F: error: changing the keys of index CategoryIndex deletes and rebuilds it"
case_ index-reprojected destructive 's/sort: price, projection: all }/sort: price, projection: keys_only }/' "$F: error: changing the projection of index CategoryIndex"
case_ lsi-added destructive 's/^  CategoryIndex: .*/&\n  ByStock: { type: local, sort: stock }/' "$F: error: adding local index ByStock replaces the table Products"
case_ ttl-moved destructive 's/^  expires_at: .*/&\n  purge_at:    { name: PurgeAt, type: ttl }/; s/^ttl: expires_at/ttl: purge_at/' "$F: error: moving the TTL of Products from ExpiresAt to PurgeAt"
case_ type-changed destructive 's/^\(  stock: .*\)type: int32, min: 0, default: 0/\1type: string/' "$F: error: changing the type of 'stock' from int32 to string: existing items no longer decode"
case_ scale-lowered destructive 's/type: decimal, scale: 2, min: 0, max: 1000000000/type: decimal, scale: 1, min: 0, max: 1000000000/' "$F: error: lowering the scale of 'price' from 2 to 1"
case_ attr-renamed destructive 's/name:        { name: Name, type: string/name:        { name: Title, type: string/' "$F: error: renaming the DynamoDB attribute of 'name' from Name to Title hides the data"
case_ nested-type-changed destructive 's/width_mm:  { type: int32, min: 0 }/width_mm:  { type: string }/' "$F: error: changing the type of 'dimensions.width_mm' from int32 to string"

# a table dropped from the schema set
baseline
mkdir -p "$tmp/other"; cp tests/schemas/orders.yaml "$tmp/other/orders.yaml"
out=$(cd "$tmp" && "$DYNAGEN" generate other/orders.yaml --out out --tfvars out/envs 2>&1); rc=$?
if [[ $rc -eq 1 && $out == *"schema/products.yaml: error: table Products is no longer in the schema: Terraform would delete it and its data"* && -e $tmp/out/products.c ]]; then
  pass=$((pass + 1)); echo "ok   table-removed: destructive"
else
  fail=$((fail + 1)); echo "FAIL table-removed: exit $rc: $out"
fi

# the committed model matches the committed schema (no pending destructive edit)
out=$("$DYNAGEN" generate schema/*.yaml --out generated --tfvars terraform/envs --check 2>&1) && { pass=$((pass + 1)); echo "ok   committed generated/ matches schema/"; } || { fail=$((fail + 1)); echo "FAIL committed generated/ is stale: $out"; }

echo "evolution: $pass passed, $fail failed"
((fail == 0))
