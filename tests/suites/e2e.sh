#!/usr/bin/env bash
# End to end: the deployable zip, as Lambda would run it.
#
#   make package -> dist/lambda.zip (checked: reproducible, bootstrap at the
#   root, the loader and libc inside, every library resolved inside lib/);
#   unpacked into an EMPTY temp directory; DynamoDB Local on a free port; the
#   tables created (build/release/bin/dynagen-create-tables); the UNPACKED
#   bootstrap run under build/release/bin/lambda-local with a clean environment
#   (env -i + AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ACCESS_KEY_ID,
#   AWS_SECRET_ACCESS_KEY, TABLE_NAME, DYNAGEN_CURSOR_SECRET). Every route is
#   driven over real HTTP with curl; every rejected request is followed by a
#   scan of the table straight from DynamoDB Local (tests/e2e/table_digest.js:
#   item count + hash), which must not have changed. Last, a handler caught in
#   a stalled DynamoDB call (tests/e2e/stall_proxy.js): timed out by its
#   deadline budget, and killed by a signal mid-invocation; each time the next
#   request is served. And an event too large for the runtime, which it
#   reports to the Runtime API as an invocation error.
#
# Last line: "e2e: N passed, M failed". Without java (DynamoDB Local) the
# suite is SKIPPED (0 passed, 0 failed), unless DYNAGEN_CI=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
B=build/release
LL=$B/bin/lambda-local
CREATE=$B/bin/dynagen-create-tables
ZIP=dist/lambda.zip
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
  echo "(e2e took $((SECONDS - ${suite_t0:-0})) s)"
  echo "e2e: $pass passed, $fail failed"
  ((fail == 0)) && exit 0 || exit 1
}
skip() {
  if [[ ${DYNAGEN_CI:-} == 1 ]]; then
    bad "$1 (DYNAGEN_CI=1: the end-to-end suite must run)"
    finish
  fi
  echo "SKIPPED: $1"
  echo "e2e: 0 passed, 0 failed"
  exit 0
}
for tool in java curl unzip zip node; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (bash scripts/deps.sh installs it)"
done

tmp=$(mktemp -d)
suite_t0=$SECONDS
pids=()
DDB_PID=
cleanup() {
  set +e
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]+"${pids[@]}"}"; do wait "$p" 2>/dev/null; done
  [[ -n $DDB_PID ]] && bash scripts/dynamodb-local.sh stop "$DDB_PID"
  if [[ ${E2E_KEEP:-} == 1 ]]; then echo "e2e: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# ------------------------------------------------------------------ build + zip
if ! make --no-print-directory -s -j"$(nproc)" VARIANT=release package bootstrap lambda-local >"$tmp/build.log" 2>&1; then
  tail -30 "$tmp/build.log"
  bad "build: make package bootstrap lambda-local"
  finish
fi
ok "make package: $ZIP ($(stat -c %s "$ZIP") bytes)"

# reproducible: the same inputs give the same bytes
bash local/launcher/mkzip.sh --launcher $B/local/launcher/bootstrap $B/bin/dynagen-api "$tmp/again.zip" >/dev/null
if cmp -s "$ZIP" "$tmp/again.zip"; then ok "zip is reproducible (sha256 $(sha256sum "$ZIP" | cut -c1-16))"; else bad "zip differs when rebuilt from the same inputs"; fi
entries=$(unzip -Z1 "$ZIP")
if [[ $entries == "$(LC_ALL=C sort <<<"$entries")" ]] && ! unzip -Zv "$ZIP" | grep -q 'file last modified on (DOS date/time): *20[^0]' \
  && ! unzip -Zv "$ZIP" | grep -qi 'extended-timestamp\|0x5455\|0x7875'; then
  ok "zip entries sorted, fixed mtimes, no extra fields"
else bad "zip not deterministic in form: $(unzip -Z1 "$ZIP" | head -5)"; fi
for e in bootstrap bin/dynagen-api lib/ld-linux-x86-64.so.2 lib/libc.so.6; do
  grep -qx "$e" <<<"$entries" || bad "zip lacks $e"
done
grep -qx bootstrap <<<"$entries" && grep -qx lib/libc.so.6 <<<"$entries" && ok "zip has bootstrap at the root, the loader and libc"
# libcurl: linked into the program (the release default, scripts/curl-lambda.sh)
# with its licence and OpenSSL's in licenses/, or bundled as lib/libcurl.so.4
# (CURL_LAMBDA=system).
syms=$(nm --defined-only $B/bin/dynagen-api 2>/dev/null || true)
if grep -q ' T curl_easy_init$' <<<"$syms"; then
  if grep -qx licenses/libcurl4-openssl-dev <<<"$entries" && grep -qx licenses/libssl-dev <<<"$entries" &&
    ! grep -q '^lib/libcurl' <<<"$entries"; then
    ok "libcurl and OpenSSL are linked into the program; their licences are in licenses/"
  else bad "static libcurl/OpenSSL: licences missing or a libcurl.so bundled too: $(grep -E '^(licenses|lib)/' <<<"$entries" | tr '\n' ' ')"; fi
elif grep -qx lib/libcurl.so.4 <<<"$entries"; then
  ok "libcurl is bundled as lib/libcurl.so.4 (Debian's shared libcurl)"
  echo "note: the bootstrap links Debian's shared libcurl (CURL_LAMBDA=system, or the minimal libcurl could not be built: see the build log); cold starts are slower"
else bad "zip has no libcurl: neither linked into bin/dynagen-api nor lib/libcurl.so.4"; fi

# ------------------------------------------------------------------ unpack into an empty directory
PKG=$tmp/task
mkdir "$PKG"
[[ -z $(ls -A "$PKG") ]] || bad "the unpack directory is not empty"
(cd "$PKG" && unzip -q "$ROOT/$ZIP")
if [[ -x $PKG/bootstrap ]] && ! readelf -l "$PKG/bootstrap" | grep -q 'INTERP'; then
  ok "bootstrap is executable and static (no ELF interpreter)"
else bad "bootstrap: not executable or not static"; fi
# the launcher's own failures: a clear line and exit 127 (a copy of the tree, loader removed)
cp -a "$PKG" "$tmp/broken"
rm "$tmp/broken/lib/ld-linux-x86-64.so.2"
lmsg=$(env -i "$tmp/broken/bootstrap" 2>&1) && lrc=0 || lrc=$?
if [[ $lrc == 127 && $lmsg == "bootstrap: cannot exec $tmp/broken/lib/ld-linux-x86-64.so.2: No such file or directory" ]]; then
  ok "launcher without its loader: exit 127, '$lmsg'"
else bad "launcher without its loader: exit $lrc, '$lmsg'"; fi
# without /proc it finds the tree through LAMBDA_TASK_ROOT (root only: a private mount namespace)
if [[ $(id -u) == 0 ]] && unshare -m --propagation private true 2>/dev/null; then
  lmsg=$(env -i LAMBDA_TASK_ROOT="$PKG/" unshare -m --propagation private \
    sh -c 'mount -t tmpfs none /proc && exec "$0"' "$PKG/bootstrap" 2>&1) && lrc=0 || lrc=$?
  lmsg2=$(env -i unshare -m --propagation private sh -c 'mount -t tmpfs none /proc && exec "$0"' "$PKG/bootstrap" 2>&1) && lrc2=0 || lrc2=$?
  if [[ $lrc == 1 && $lmsg == *"AWS_LAMBDA_RUNTIME_API is not set"* && $lrc2 == 127 && $lmsg2 == *"LAMBDA_TASK_ROOT is not set"* ]]; then
    ok "launcher without /proc: LAMBDA_TASK_ROOT leads it to the program; without either, exit 127"
  else bad "launcher without /proc: exit $lrc '$lmsg'; without LAMBDA_TASK_ROOT: exit $lrc2 '$lmsg2'"; fi
else
  echo "note: launcher without /proc not checked (needs root and unshare -m)"
fi
glibc=$(strings "$PKG/lib/libc.so.6" | grep -m1 -oP 'GNU C Library \(.*\) (stable )?release version \K[0-9]+\.[0-9]+' || true)
if [[ -n $glibc ]] && [[ $(printf '%s\n2.34\n' "$glibc" | sort -V | head -1) == 2.34 ]]; then
  ok "bundled glibc $glibc (newer than provided.al2023's 2.34: it must travel with the program)"
else bad "bundled glibc version: '$glibc'"; fi
list=$("$PKG/lib/ld-linux-x86-64.so.2" --inhibit-cache --library-path "$PKG/lib" --list "$PKG/bin/dynagen-api" 2>&1) || true
outside=$(awk -v d="$PKG/lib/" '$2 == "=>" && index($3, d) != 1' <<<"$list")
nlibs=$(awk '$2 == "=>"' <<<"$list" | wc -l)
if [[ -z $outside ]] && ((nlibs >= 3)); then ok "every library ($nlibs) resolves inside the unpacked lib/"; else bad "libraries outside the bundle: $outside"; fi

# ------------------------------------------------------------------ DynamoDB Local + tables
if ! started=$(DYNAMODB_LOCAL_LOG=$tmp/ddb.log bash scripts/dynamodb-local.sh start); then
  bad "DynamoDB Local did not start"
  finish
fi
read -r DDB_PORT DDB_PID <<<"$started"
ENDPOINT=http://127.0.0.1:$DDB_PORT
TABLE=e2e-products
FENV=(AWS_REGION=eu-west-1 AWS_ENDPOINT_URL_DYNAMODB="$ENDPOINT" AWS_ACCESS_KEY_ID=e2e AWS_SECRET_ACCESS_KEY=e2e-secret
  "TABLE_NAME=$TABLE" DYNAGEN_CURSOR_SECRET=e2e-cursor-secret)
if env -i "${FENV[@]}" "$CREATE" >"$tmp/create.log" 2>&1; then ok "tables created: $(tr '\n' ' ' <"$tmp/create.log")"; else bad "create tables: $(cat "$tmp/create.log")"; finish; fi

digest() { node tests/e2e/table_digest.js "$ENDPOINT" "$TABLE" 2>&1 || echo "ERR"; }

# ------------------------------------------------------------------ lambda-local on the unpacked zip
# start NAME ENDPOINT [lambda-local options...]: sets PORT, LLPID, RTPID; logs $tmp/NAME.{out,err}
start() {
  local name=$1 ep=$2; shift 2
  local fenv=("${FENV[@]}")
  fenv[1]=AWS_ENDPOINT_URL_DYNAMODB=$ep
  env -i "${fenv[@]}" "$LL" --port 0 "$@" -- "$PKG/bootstrap" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  LLPID=$!
  pids+=("$LLPID")
  PORT='' RTPID=''
  for _ in $(seq 200); do
    PORT=$(grep -m1 -oP 'listening on http://127\.0\.0\.1:\K[0-9]+' "$tmp/$name.err" || true)
    RTPID=$(grep -m1 -oP 'runtime started: pid \K[0-9]+' "$tmp/$name.err" || true)
    [[ -n $PORT && -n $RTPID ]] && return 0
    kill -0 "$LLPID" 2>/dev/null || break
    sleep 0.05
  done
  echo "lambda-local ($name) did not start:"; sed 's/^/    /' "$tmp/$name.err"
  return 1
}
# req NAME METHOD PATH [curl args...]: sets CODE; body $tmp/NAME.body, headers $tmp/NAME.hdr
req() {
  local name=$1 method=$2 path=$3; shift 3
  [[ $method == GET ]] || DIRTY=1
  CODE=$(curl -s --max-time 30 -X "$method" -o "$tmp/$name.body" -D "$tmp/$name.hdr" \
    -w '%{http_code}' "$@" "http://127.0.0.1:$PORT$path") || CODE=000
}
has() { grep -qF -- "$2" "$tmp/$1.body"; }
hdr() { grep -i "^$2:" "$tmp/$1.hdr" | sed -E 's/^[^:]+: ?//; s/\r$//' || true; }
field() { grep -oP "\"$2\":\"?\K[^\",}]+" "$tmp/$1.body" | head -1 || true; }
# expect NAME CODE [substring...]
expect() {
  local name=$1 want=$2; shift 2
  if [[ $CODE != "$want" ]]; then bad "$name: HTTP $CODE, wanted $want: $(head -c 400 "$tmp/$name.body")"; return 1; fi
  for s in "$@"; do
    if ! has "$name" "$s"; then bad "$name: body lacks $s: $(head -c 400 "$tmp/$name.body")"; return 1; fi
  done
  ok "$name ($want)"
}
JSON=(-H 'content-type: application/json')
# reject NAME CODE ERROR_CODE METHOD PATH [curl args...]: the request is refused with
# {"error":{"code":ERROR_CODE,...}} and the table content is unchanged. The digest
# before is the one taken after the previous rejection unless a request that may
# write (anything but GET) went through req since.
LAST_DIGEST='' DIRTY=1
reject() {
  local name=$1 want=$2 ecode=$3 method=$4 path=$5; shift 5
  local before after
  if ((DIRTY)) || [[ -z $LAST_DIGEST ]]; then before=$(digest); else before=$LAST_DIGEST; fi
  req "$name" "$method" "$path" "$@"
  expect "$name" "$want" "{\"error\":{\"code\":\"$ecode\"" || true
  after=$(digest)
  LAST_DIGEST=$after DIRTY=0
  if [[ $before =~ ^[0-9]+\ [0-9a-f]{64}$ && $before == "$after" ]]; then ok "$name: table unchanged ($before)"; else bad "$name: table changed: $before -> $after"; fi
}

if ! start main "$ENDPOINT" --timeout 10; then bad "start lambda-local with the unpacked bootstrap"; finish; fi
ok "lambda-local runs the unpacked bootstrap (pid $RTPID)"
# "started" is logged at the spawn; the launcher has exec'd the loader once the runtime asked for work
for _ in $(seq 200); do grep -q "runtime pid $RTPID ready" "$tmp/main.err" && break; sleep 0.05; done
# the function really runs on the bundled loader and libc, with only the documented environment
exe=$(readlink "/proc/$RTPID/exe" || true)
if [[ $exe == "$PKG/lib/ld-linux-x86-64.so.2" ]] && grep -q " $PKG/lib/libc.so.6\$" "/proc/$RTPID/maps" \
  && ! grep -q ' /lib/x86_64-linux-gnu/\| /usr/lib/x86_64-linux-gnu/' "/proc/$RTPID/maps"; then
  ok "the function runs on the bundled loader and libc, no host library mapped"
else bad "the function's exe/maps: exe=$exe $(grep -m3 '\.so' "/proc/$RTPID/maps")"; fi
fvars=$(tr '\0' '\n' <"/proc/$RTPID/environ" | cut -d= -f1 | sort | tr '\n' ' ')
if [[ $fvars != *LD_LIBRARY_PATH* && $fvars != *HOME* && $fvars == *TABLE_NAME* && $fvars == *DYNAGEN_CURSOR_SECRET* && $fvars == *AWS_LAMBDA_RUNTIME_API* ]]; then
  ok "clean function environment: $fvars"
else bad "function environment: $fvars"; fi

# ------------------------------------------------------------------ the routes
req create POST /products "${JSON[@]}" -d '{"name":"Widget","category":"e2e-tools","price":19.99,"tags":["blue","red"],"specs":{"color":"blue"},"dimensions":{"width_mm":10}}'
if expect create 201 '"version":1' '"name":"Widget"' '"price":19.99' '"currency":"EUR"'; then
  ID=$(field create product_id)
  loc=$(hdr create location); etag=$(hdr create etag)
  [[ $loc == "/products/$ID" && $etag == '"1"' ]] && ok "create: Location $loc, ETag $etag" || bad "create: Location '$loc' ETag '$etag'"
fi
ID=${ID:-missing}
n=$(digest | cut -d' ' -f1)
[[ $n == 2 ]] && ok "create wrote the current copy and version 1 (2 items)" || bad "after create: $n items"

req get GET "/products/$ID"
expect get 200 "\"product_id\":\"$ID\"" '"version":1' '"tags":["blue","red"]' && { [[ $(hdr get etag) == '"1"' ]] && ok "get: ETag \"1\"" || bad "get: ETag $(hdr get etag)"; }
req getc GET "/products/$ID?consistent=true"
expect getc 200 '"version":1'
req upd1 PUT "/products/$ID" "${JSON[@]}" -H 'if-match: "1"' -d '{"name":"Widget 2","category":"e2e-tools","price":24.50}'
expect upd1 200 '"version":2' '"name":"Widget 2"' '"price":24.50' && { [[ $(hdr upd1 etag) == '"2"' ]] && ok "update (If-Match): ETag \"2\"" || bad "update: ETag $(hdr upd1 etag)"; }
req upd2 PUT "/products/$ID" "${JSON[@]}" -d '{"name":"Widget 3","category":"e2e-tools","price":25.00,"version":2}'
expect upd2 200 '"version":3' '"name":"Widget 3"'
reject stale 409 conflict PUT "/products/$ID" "${JSON[@]}" -H 'if-match: "1"' -d '{"name":"Stale","category":"e2e-tools","price":1}'
has stale '"current_version":3' && ok "409 carries current_version 3" || bad "409 body: $(cat "$tmp/stale.body")"
reject stale_body 409 conflict PUT "/products/$ID" "${JSON[@]}" -d '{"name":"Stale","category":"e2e-tools","price":1,"version":2}'
reject noversion 428 precondition_required PUT "/products/$ID" "${JSON[@]}" -d '{"name":"No version","category":"e2e-tools","price":1}'
reject upd_missing 404 not_found PUT "/products/00000000-0000-4000-8000-000000000000" "${JSON[@]}" -H 'if-match: "1"' -d '{"name":"Ghost","category":"e2e-tools","price":1}'

# versions: 3 more updates -> 6 versions, read 2 per page
for v in 3 4 5; do
  req "updv$v" PUT "/products/$ID" "${JSON[@]}" -H "if-match: \"$v\"" -d "{\"name\":\"Widget v$((v + 1))\",\"category\":\"e2e-tools\",\"price\":$((20 + v)).10}"
  [[ $CODE == 200 ]] || bad "update to version $((v + 1)): HTTP $CODE $(cat "$tmp/updv$v.body")"
done
seen=() cursor='' pages=0
while :; do
  pages=$((pages + 1))
  if [[ -n $cursor ]]; then req "vpage$pages" GET "/products/$ID/versions?limit=2&cursor=$cursor"; else req "vpage$pages" GET "/products/$ID/versions?limit=2"; fi
  [[ $CODE == 200 ]] || { bad "versions page $pages: HTTP $CODE $(cat "$tmp/vpage$pages.body")"; break; }
  mapfile -t vs < <(grep -oP '"version":\K[0-9]+' "$tmp/vpage$pages.body")
  seen+=("${vs[@]+"${vs[@]}"}")
  cursor=$(grep -oP '"next_cursor":"\K[^"]+' "$tmp/vpage$pages.body" || true)
  [[ -z $cursor || $pages -ge 10 ]] && break
done
if [[ "${seen[*]}" == "6 5 4 3 2 1" ]] && ((pages >= 3)); then ok "versions: 6 5 4 3 2 1 over $pages pages of 2 (cursor)"; else bad "versions paging: got '${seen[*]}' over $pages pages"; fi
req vbadcur GET "/products/$ID/versions?limit=2&cursor=AAAA.BBBB"
expect vbadcur 400 '"bad_request"'
req getv GET "/products/$ID/versions/2"
expect getv 200 '"version":2' '"name":"Widget 2"' && { [[ $(hdr getv etag) == '"2"' ]] && ok "get_version: ETag \"2\"" || bad "get_version: ETag $(hdr getv etag)"; }
req getv404 GET "/products/$ID/versions/99"
expect getv404 404 '"not_found"'
req getvbad GET "/products/$ID/versions/two"
expect getvbad 400 '"bad_request"'

# list by category: 5 products, 2 per page, ascending price
ids=()
for p in 5.00 1.00 4.00 2.00 3.00; do
  req "lc$p" POST /products "${JSON[@]}" -d "{\"name\":\"Item $p\",\"category\":\"e2e-list\",\"price\":$p}"
  [[ $CODE == 201 ]] && ids+=("$(field "lc$p" product_id)") || bad "create for the list: HTTP $CODE"
done
prices=() cursor='' pages=0
while :; do
  pages=$((pages + 1))
  if [[ -n $cursor ]]; then req "lpage$pages" GET "/products?category=e2e-list&limit=2&cursor=$cursor"; else req "lpage$pages" GET "/products?category=e2e-list&limit=2"; fi
  [[ $CODE == 200 ]] || { bad "list page $pages: HTTP $CODE $(cat "$tmp/lpage$pages.body")"; break; }
  mapfile -t ps < <(grep -oP '"price":\K[0-9.]+' "$tmp/lpage$pages.body")
  prices+=("${ps[@]+"${ps[@]}"}")
  cursor=$(grep -oP '"next_cursor":"\K[^"]+' "$tmp/lpage$pages.body" || true)
  [[ -z $cursor || $pages -ge 10 ]] && break
done
if [[ "${prices[*]}" == "1.00 2.00 3.00 4.00 5.00" ]] && ((pages >= 3)); then ok "list by category: 5 items by price over $pages pages of 2"; else bad "list paging: '${prices[*]}' over $pages pages"; fi
req lnone GET "/products?category=e2e-nothing"
expect lnone 200 '"items":[]'
req lnocat GET "/products"
expect lnocat 400 '"bad_request"'
req lbadlimit GET "/products?category=e2e-list&limit=1000"
[[ $CODE == 400 ]] && ok "list: limit 1000 > max 100 refused (400)" || bad "list limit 1000: HTTP $CODE $(cat "$tmp/lbadlimit.body")"

# 404s, unknown routes and methods
req get404 GET /products/00000000-0000-4000-8000-000000000000
expect get404 404 '{"error":{"code":"not_found"'
req noroute GET /nothing/here
expect noroute 404 '"not_found"'
req noroute2 GET "/products/$ID/versions/1/extra"
expect noroute2 404 '"not_found"'
reject patch 405 method_not_allowed PATCH "/products/$ID" "${JSON[@]}" -d '{"name":"x"}'
allow() { hdr "$1" allow | tr -d ' ' | tr ',' '\n' | sort | tr '\n' ' '; }
[[ $(allow patch) == 'DELETE GET PUT ' ]] && ok "405 Allow: $(hdr patch allow)" || bad "405 Allow: '$(hdr patch allow)'"
reject put_coll 405 method_not_allowed PUT /products "${JSON[@]}" -d '{"name":"x"}'
[[ $(allow put_coll) == 'GET POST ' ]] && ok "405 Allow: $(hdr put_coll allow)" || bad "405 Allow: '$(hdr put_coll allow)'"

# ------------------------------------------------------------------ bad inputs: nothing written
VALID='"category":"e2e-tools","price":1.00'
reject malformed 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x",'
reject notobject 400 bad_request POST /products "${JSON[@]}" -d '["name"]'
reject trailing 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","category":"e2e-tools","price":1} {}'
reject dupkey 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","name":"y",'"$VALID"'}'
reject type_price 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","category":"e2e-tools","price":"cheap"}'
reject type_name 400 bad_request POST /products "${JSON[@]}" -d '{"name":5,'"$VALID"'}'
reject type_tags 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","tags":"blue",'"$VALID"'}'
reject type_stock 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","stock":1.5,'"$VALID"'}'
reject missing_name 422 unprocessable POST /products "${JSON[@]}" -d '{'"$VALID"'}'
has missing_name '"field":"name"' && ok "missing name: field named" || bad "missing name: $(cat "$tmp/missing_name.body")"
reject missing_price 422 unprocessable POST /products "${JSON[@]}" -d '{"name":"x","category":"e2e-tools"}'
reject negative_price 422 unprocessable POST /products "${JSON[@]}" -d '{"name":"x","category":"e2e-tools","price":-1}'
has negative_price '"field":"price"' && ok "negative price: field named" || bad "negative price: $(cat "$tmp/negative_price.body")"
reject price_scale 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","category":"e2e-tools","price":1.001}'
reject bad_pattern 422 unprocessable POST /products "${JSON[@]}" -d '{"name":"x","category":"Tools!","price":1}'
reject bad_enum 422 unprocessable POST /products "${JSON[@]}" -d '{"name":"x","currency":"XYZ",'"$VALID"'}'
reject empty_name 422 unprocessable POST /products "${JSON[@]}" -d '{"name":"",'"$VALID"'}'
long=$(head -c 201 /dev/zero | tr '\0' n)
reject long_name 422 unprocessable POST /products "${JSON[@]}" -d '{"name":"'"$long"'",'"$VALID"'}'
has long_name '"field":"name"' && ok "name of 201 characters: field named" || bad "long name: $(cat "$tmp/long_name.body")"
reject long_name_upd 422 unprocessable PUT "/products/$ID" "${JSON[@]}" -H 'if-match: "6"' -d '{"name":"'"$long"'",'"$VALID"'}'
{ printf '{"name":"big","description":"'; head -c $((256 * 1024 + 1)) /dev/zero | tr '\0' d; printf '",%s}' "$VALID"; } >"$tmp/big.json"
reject big_body 413 payload_too_large POST /products "${JSON[@]}" --data-binary @"$tmp/big.json"
reject big_body_upd 413 payload_too_large PUT "/products/$ID" "${JSON[@]}" -H 'if-match: "6"' --data-binary @"$tmp/big.json"
printf '{"name":"caf\xe9 \xff\xfe","category":"e2e-tools","price":1}' >"$tmp/latin1.json"
reject bad_utf8 400 bad_request POST /products "${JSON[@]}" --data-binary @"$tmp/latin1.json"
printf '{"name":"over\xc0\xaflong","category":"e2e-tools","price":1}' >"$tmp/overlong.json"
reject overlong_utf8 400 bad_request POST /products "${JSON[@]}" --data-binary @"$tmp/overlong.json"
reject unknown_field 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","colour":"red",'"$VALID"'}'
has unknown_field '"field":"colour"' && ok "unknown field: field named" || bad "unknown field: $(cat "$tmp/unknown_field.body")"
reject unknown_nested 400 bad_request POST /products "${JSON[@]}" -d '{"name":"x","dimensions":{"depth_km":1},'"$VALID"'}'
reject ctype_text 415 unsupported_media_type POST /products -H 'content-type: text/plain' -d '{"name":"x",'"$VALID"'}'
reject ctype_form 415 unsupported_media_type POST /products -d 'name=x&price=1'
reject ctype_upd 415 unsupported_media_type PUT "/products/$ID" -H 'content-type: text/csv' -H 'if-match: "6"' -d 'x'
reject ro_id 400 bad_request POST /products "${JSON[@]}" -d '{"product_id":"11111111-1111-4111-8111-111111111111","name":"x",'"$VALID"'}'
has ro_id '"field":"product_id"' && ok "read-only product_id: field named" || bad "read-only product_id: $(cat "$tmp/ro_id.body")"
reject ro_created 400 bad_request POST /products "${JSON[@]}" -d '{"created_at":"2020-01-01T00:00:00Z","name":"x",'"$VALID"'}'
reject ro_id_upd 400 bad_request PUT "/products/$ID" "${JSON[@]}" -H 'if-match: "6"' -d '{"product_id":"11111111-1111-4111-8111-111111111111","name":"x",'"$VALID"'}'
reject bad_ifmatch 400 bad_request PUT "/products/$ID" "${JSON[@]}" -H 'if-match: "six"' -d '{"name":"x",'"$VALID"'}'

# ------------------------------------------------------------------ delete
reject del_stale 409 conflict DELETE "/products/$ID" -H 'if-match: "3"'
req del DELETE "/products/$ID" -H 'if-match: "6"'
if [[ $CODE == 204 && ! -s $tmp/del.body ]]; then ok "delete (If-Match \"6\"): 204, no body"; else bad "delete: HTTP $CODE $(cat "$tmp/del.body")"; fi
req del_get GET "/products/$ID?consistent=true"
expect del_get 404 '"not_found"'
reject del_again 404 not_found DELETE "/products/$ID"
req del_plain DELETE "/products/${ids[0]:-none}"
[[ $CODE == 204 ]] && ok "delete without If-Match: 204" || bad "delete without If-Match: HTTP $CODE"

# one JSON log line per request from the function
sleep 0.2
nlog=$(grep -c '"requestId"' "$tmp/main.out" || true)
((nlog >= 60)) && ok "one JSON log line per request on the function's stdout ($nlog)" || bad "function log lines: $nlog"
grep -q '"route":"PUT /products/{id}"' "$tmp/main.out" && grep -q '"status":409' "$tmp/main.out" && ok "log lines carry route and status" || bad "log line content: $(tail -1 "$tmp/main.out")"

# ------------------------------------------------------------------ a body past Lambda's 6 MB event limit
# (lambda-local refuses it as Lambda does; the runtime is not bothered and serves on)
head -c 6290000 /dev/urandom >"$tmp/huge.bin"
reject huge 413 payload_too_large POST /products -H 'content-type: application/octet-stream' --data-binary @"$tmp/huge.bin"
req after_huge GET "/products/${ids[1]:-none}"
expect after_huge 200 '"name":"Item 1.00"'
if kill -0 "$RTPID" 2>/dev/null && ! grep -q 'runtime restarted' "$tmp/main.err"; then ok "one runtime process served every request of the main run (pid $RTPID)"; else bad "the main runtime was restarted: $(grep restarted "$tmp/main.err")"; fi
kill "$LLPID" 2>/dev/null || true
wait "$LLPID" 2>/dev/null || true

# ------------------------------------------------------------------ a handler stuck in DynamoDB: timeout and crash
# proxy_port LOG: the "port N" a test proxy prints once it listens (5 s at most)
proxy_port() {
  local p=
  for _ in $(seq 100); do
    p=$(grep -m1 -oP '^port \K[0-9]+' "$1" || true)
    [[ -n $p ]] && break
    sleep 0.05
  done
  echo "$p"
}
node tests/e2e/stall_proxy.js "$DDB_PORT" >"$tmp/proxy.log" 2>&1 &
PROXY_PID=$!
pids+=("$PROXY_PID")
PROXY_PORT=$(proxy_port "$tmp/proxy.log")
if [[ -z $PROXY_PORT ]] || ! start stall "http://127.0.0.1:$PROXY_PORT" --timeout 2; then
  bad "start the stall proxy and lambda-local"
  finish
fi
GID=${ids[1]:-none}
req s_ok GET "/products/$GID"
expect s_ok 200 '"name":"Item 1.00"'
pid_a=$RTPID

# timeout: DynamoDB never answers; the handler's deadline budget (the invocation's
# deadline less 100 ms) runs out, it answers an error itself, or lambda-local kills it at 2 s.
kill -USR1 "$PROXY_PID"
t0=$(date +%s%N)
req s_timeout GET "/products/$GID"
ms=$((($(date +%s%N) - t0) / 1000000))
kill -USR2 "$PROXY_PID"
if grep -q 'timed out after' "$tmp/stall.err"; then who="lambda-local killed the runtime at the timeout"; else who="the runtime answered within its deadline budget"; fi
if [[ $CODE == 503 || $CODE == 504 ]] && grep -q '"error"' "$tmp/s_timeout.body" && ((ms < 3500)); then
  ok "handler timed out in a stalled DynamoDB call: HTTP $CODE after $ms ms, $who ($(head -c 100 "$tmp/s_timeout.body"))"
else bad "stalled call: HTTP $CODE after $ms ms: $(head -c 300 "$tmp/s_timeout.body")"; fi
req s_after_timeout GET "/products/$GID"
expect s_after_timeout 200 '"name":"Item 1.00"'

# crash: the runtime is killed by SIGSEGV while its handler waits on DynamoDB
pid_b=$(grep -oP 'runtime (started|restarted after [a-z ]+): pid \K[0-9]+' "$tmp/stall.err" | tail -1)
kill -USR1 "$PROXY_PID"
held0=$(grep -c '^held' "$tmp/proxy.log" || true)
curl -s --max-time 30 -o "$tmp/s_crash.body" -w '%{http_code}' "http://127.0.0.1:$PORT/products/$GID" >"$tmp/s_crash.code" &
cpid=$!
for _ in $(seq 100); do
  (($(grep -c '^held' "$tmp/proxy.log" || true) > held0)) && break
  sleep 0.02
done
kill -SEGV "$pid_b" 2>/dev/null || true
wait "$cpid" || true
kill -USR2 "$PROXY_PID"
ccode=$(cat "$tmp/s_crash.code")
if [[ $ccode == 502 ]] && grep -q "runtime pid $pid_b crashed during invocation" "$tmp/stall.err"; then
  ok "handler crash (SIGSEGV mid-invocation): 502 ($(head -c 120 "$tmp/s_crash.body"))"
else bad "crash: HTTP $ccode: $(head -c 300 "$tmp/s_crash.body")"; fi
req s_after_crash GET "/products/$GID"
expect s_after_crash 200 '"name":"Item 1.00"'
pid_c=$(grep -oP 'runtime (started|restarted after [a-z ]+): pid \K[0-9]+' "$tmp/stall.err" | tail -1)
if grep -q 'runtime restarted after a crash' "$tmp/stall.err" && [[ $pid_c != "$pid_b" ]]; then ok "after the crash: a restarted runtime (pid $pid_c) served the next request"; else bad "after the crash: no restart (pids $pid_a $pid_b $pid_c)"; fi
kill "$LLPID" 2>/dev/null || true
wait "$LLPID" 2>/dev/null || true

# ------------------------------------------------------------------ DynamoDB over HTTPS
# On AWS every DynamoDB call is HTTPS: the same unpacked bootstrap, through a TLS
# front (tests/e2e/tls_proxy.js, a certificate made here for IP 127.0.0.1) with
# SSL_CERT_FILE naming that certificate: served. Then trusting another
# certificate: the handshake is refused and the request gets a JSON 5xx.
mkdir -p "$tmp/tls"
mkcert() { # NAME
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$tmp/tls/$1.key" -out "$tmp/tls/$1.pem" >/dev/null 2>&1
}
if mkcert front && mkcert other; then
  node tests/e2e/tls_proxy.js "$DDB_PORT" "$tmp/tls/front.pem" "$tmp/tls/front.key" >"$tmp/tls.log" 2>&1 &
  pids+=("$!")
  TLS_PORT=$(proxy_port "$tmp/tls.log")
  if [[ -n $TLS_PORT ]] && start tls "https://127.0.0.1:$TLS_PORT" --env "SSL_CERT_FILE=$tmp/tls/front.pem"; then
    req tls_get GET "/products/$GID"
    if expect tls_get 200 '"name":"Item 1.00"' && grep -q '^tls TLSv1\.[23] ' "$tmp/tls.log"; then
      ok "GetItem over HTTPS: $(grep -m1 '^tls ' "$tmp/tls.log")"
    else bad "HTTPS: no TLS handshake logged by the front: $(head -5 "$tmp/tls.log")"; fi
    kill "$LLPID" 2>/dev/null || true
    wait "$LLPID" 2>/dev/null || true
  else bad "start the TLS front and lambda-local"; fi
  if [[ -n $TLS_PORT ]] && start tls_untrusted "https://127.0.0.1:$TLS_PORT" --env "SSL_CERT_FILE=$tmp/tls/other.pem"; then
    req tls_bad GET "/products/$GID"
    # a configuration fault, not a transient one: 502 at once, one handshake, no retries
    handshakes=$(grep -c '^tls-error' "$tmp/tls.log")
    if [[ $CODE == 502 ]] && grep -q '"error":{"code":"bad_gateway"' "$tmp/tls_bad.body" && ((handshakes == 1)) &&
      kill -0 "$RTPID" 2>/dev/null; then
      ok "an untrusted DynamoDB certificate: HTTP $CODE $(head -c 120 "$tmp/tls_bad.body"), one refused handshake (not retried), the runtime lives on"
    else bad "untrusted certificate: HTTP $CODE $(head -c 300 "$tmp/tls_bad.body"); $handshakes refused handshakes; front: $(tail -3 "$tmp/tls.log")"; fi
    if grep -q '"status":502' "$tmp/tls_untrusted.out" && grep '"status":502' "$tmp/tls_untrusted.out" | grep -q '"retries":0'; then
      ok "its request log line: status 502, retries 0"
    else bad "request log for the untrusted certificate: $(grep -m1 '"status"' "$tmp/tls_untrusted.out" | head -c 300)"; fi
  else bad "start lambda-local (untrusted certificate)"; fi
else bad "openssl could not make the test certificates"; fi

finish
