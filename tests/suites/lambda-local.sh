#!/usr/bin/env bash
# lambda-local end to end: the test runtime tests/lambda/echo_bootstrap.c
# (dynagen's Runtime API loop and router) under local/lambda-local, driven
# with curl over real HTTP on free ports: echo of params/query/headers/
# cookies/bodies (text and binary, base64 both ways), 404, 405 + Allow, 413,
# 415, mapped handler errors, cookies, the log/EMF line, an invocation error,
# a crash and a timeout (502/504, and the next request is served by a
# restarted runtime), queueing, init failure, a port already in use, a
# missing bootstrap, clean shutdown; --on-demand (and LAMBDA_LOCAL_ON_DEMAND=1):
# no runtime until a request, the first request starts and is served by one,
# a killed runtime is replaced only by the next request, init failure with
# backoff, SIGTERM with and without a runtime.
#
# VARIANT=asan (default) or release picks the build; the programs are built
# here with `make local`. Last line: "lambda-local: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
VARIANT=${VARIANT:-asan}
B=build/$VARIANT
LL=$B/bin/lambda-local
ECHO=$B/tests/lambda/echo_bootstrap
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
  echo "lambda-local: $pass passed, $fail failed"
  ((fail == 0))
  exit
}

command -v curl >/dev/null || { echo "SKIPPED: curl is not installed"; echo "lambda-local: 0 passed, 0 failed"; exit 0; }
tmp=$(mktemp -d)
if ! make --no-print-directory -s VARIANT="$VARIANT" local >"$tmp/build.log" 2>&1; then
  tail -30 "$tmp/build.log"
  bad "build: make VARIANT=$VARIANT local"
  rm -rf "$tmp"
  finish
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# launch WAIT NAME [lambda-local options...]: sets PORT and LLPID; logs in
# $tmp/NAME.{out,err}; waits until it listens and, with WAIT=runtime, until
# its runtime has started
launch() {
  local wait=$1 name=$2; shift 2
  "$LL" --port 0 "$@" "$ECHO" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  LLPID=$!
  pids+=("$LLPID")
  PORT=
  for _ in $(seq 200); do
    PORT=$(grep -m1 -oP 'listening on http://127\.0\.0\.1:\K[0-9]+' "$tmp/$name.err")
    [[ -n $PORT ]] && { [[ $wait != runtime ]] || grep -q 'runtime started' "$tmp/$name.err"; } && return 0
    kill -0 "$LLPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "lambda-local ($name) did not start:"; sed 's/^/    /' "$tmp/$name.err"
  return 1
}
# start NAME [options...]: lambda-local and its runtime
start() { launch runtime "$@"; }
# start_od NAME [options...]: only until it listens (with --on-demand no
# runtime starts before a request)
start_od() { launch listen "$@"; }
# spawns NAME: how many runtime processes lambda-local has started so far
spawns() { grep -cE 'runtime started: pid|runtime restarted after' "$tmp/$1.err"; }
# stop_ll NAME WHAT: SIGTERM lambda-local, expect exit 0 within 5 s
stop_ll() {
  kill -TERM "$LLPID"
  for _ in $(seq 50); do kill -0 "$LLPID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$LLPID" 2>/dev/null; then bad "$2: SIGTERM: still running after 5 s"; return; fi
  wait "$LLPID"; local rc=$?
  [[ $rc == 0 ]] && ok "$2: SIGTERM: exit 0" || bad "$2: SIGTERM: exit $rc: $(tail -5 "$tmp/$1.err")"
}

# req NAME METHOD PATH [curl args...]: sets CODE; body in $tmp/NAME.body, headers in $tmp/NAME.hdr
req() {
  local name=$1 method=$2 path=$3; shift 3
  CODE=$(curl -s --max-time 30 -X "$method" -o "$tmp/$name.body" -D "$tmp/$name.hdr" \
    -w '%{http_code}' "$@" "http://127.0.0.1:$PORT$path")
}
body() { cat "$tmp/$1.body"; }
has() { grep -qF -- "$2" "$tmp/$1.body"; }
hdr() { grep -i "^$2:" "$tmp/$1.hdr" | sed -E 's/^[^:]+: ?//; s/\r$//'; }
json_pid() { grep -oP '"pid":\K[0-9]+' "$tmp/$1.body"; }

# expect NAME CODE [substring...]
expect() {
  local name=$1 want=$2; shift 2
  if [[ $CODE != "$want" ]]; then bad "$name: HTTP $CODE, wanted $want: $(head -c 400 "$tmp/$name.body")"; return 1; fi
  for s in "$@"; do
    if ! has "$name" "$s"; then bad "$name: body lacks $s: $(head -c 600 "$tmp/$name.body")"; return 1; fi
  done
  ok "$name ($want)"
}

if ! start main --timeout 2 --env ECHO_EXTRA=hello --function-name echo-fn; then
  bad "start lambda-local"; finish
fi
M=main

# ---- echo: params (percent-decoded), query (decoded, repeats joined), headers, cookies
req echo GET '/echo/h%C3%A9llo%2Fx?a=1&b=x+y&a=2&c=%26' -H 'X-Custom: Value' -H 'Cookie: a=5; b=6' -A 'suite-agent'
expect echo 200 '"x":"héllo/x"' '"query":{"a":"1,2","b":"x y","c":"&"}' '"x-custom":"Value"' \
  '"cookies":["a=5","b=6"]' '"cookie_a":"5"' '"route_key":"$default"' '"raw_path":"/echo/h%C3%A9llo%2Fx"' \
  '"user-agent":"suite-agent"' '"source_ip":"127.0.0.1"' '"ECHO_EXTRA":"hello"' '"AWS_LAMBDA_FUNCTION_NAME":"echo-fn"' \
  '"AWS_LAMBDA_FUNCTION_VERSION":"$LATEST"' '"_HANDLER":"bootstrap"' '"HOME":null' \
  ':function:echo-fn"'
if [[ $(hdr echo content-type) == application/json && -n $(hdr echo apigw-requestid) ]]; then ok "echo: content-type and apigw-requestid headers"; else bad "echo: headers: $(cat "$tmp/echo.hdr")"; fi
if ! has echo '"cookie' || has echo '"cookie":'; then bad "echo: the Cookie header must move to cookies"; else ok "echo: Cookie header moved to cookies"; fi
tid=$(grep -oP '"trace_id":"\K[^"]+' "$tmp/echo.body"); etid=$(grep -oP '"env_trace_id":"\K[^"]+' "$tmp/echo.body")
rem=$(grep -oP '"remaining_ms":\K-?[0-9]+' "$tmp/echo.body")
if [[ $tid == Root=1-* && $tid == "$etid" && -n $(grep -oP '"request_id":"\K[0-9a-f-]{36}' "$tmp/echo.body") ]] && ((rem > 0 && rem <= 2000)); then
  ok "echo: request id, trace id (and _X_AMZN_TRACE_ID), deadline within the timeout"
else bad "echo: lambda fields: trace=$tid env=$etid remaining=$rem"; fi
PID1=$(json_pid echo)

# ---- literal beats {param}
req special GET /echo/special
expect special 200 '"special":true'

# ---- bodies: text JSON, binary round trip (base64 in the event and in the response)
req json POST /echo/t -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"k":"v é"}'
expect json 200 '"body_len":12' '"was_base64":false' "\"body_base64\":\"$(printf '{"k":"v é"}' | base64 -w0)\""
head -c 40000 /dev/urandom >"$tmp/bin.in"; printf '\x00\xff\x00' >>"$tmp/bin.in"
req bin PUT /echo/b/raw -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/bin.in"
if [[ $CODE == 200 ]] && cmp -s "$tmp/bin.in" "$tmp/bin.body" && [[ $(hdr bin content-type) == application/octet-stream ]]; then
  ok "binary body round trip (40003 bytes, base64 both ways)"
else bad "binary round trip: HTTP $CODE, $(wc -c <"$tmp/bin.body") bytes back"; fi
req binecho GET /echo/b -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/bin.in"
expect binecho 200 '"was_base64":true' "\"body_base64\":\"$(base64 -w0 "$tmp/bin.in")\""
printf 'caf\xe9' >"$tmp/latin1.in"
req latin GET /echo/l -H 'Content-Type: text/plain' --data-binary @"$tmp/latin1.in"
expect latin 200 '"was_base64":true' '"body_base64":"Y2Fm6Q=="'

# ---- router errors
req notfound GET /nope
expect notfound 404 '{"error":{"code":"not_found"'
req notfound2 GET /echo/a/b/c
expect notfound2 404 '"not_found"'
req method DELETE /echo/x
if expect method 405 '"method_not_allowed"'; then
  if [[ $(hdr method allow) == 'GET, POST' ]]; then ok "405 Allow: GET, POST"; else bad "405 Allow header: '$(hdr method allow)'"; fi
fi
req ctype POST /echo/x -H 'Content-Type: text/plain' --data-binary 'hello'
expect ctype 415 '"unsupported_media_type"'
{ printf '{"a":"'; head -c 70000 /dev/zero | tr '\0' x; printf '"}'; } >"$tmp/big.json"
req toobig POST /echo/x -H 'Content-Type: application/json' --data-binary @"$tmp/big.json"
expect toobig 413 '"payload_too_large"'
req throttled GET /throttled
if expect throttled 429 '"throttled"'; then
  [[ $(hdr throttled retry-after) == 1 ]] && ok "429 Retry-After: 1" || bad "429 without Retry-After"
fi
req conflict GET /conflict
expect conflict 409 '"code":"conflict"' 'version 3 is not the current version (4)' '"field":"version"'
req internal GET /internal
expect internal 500 '"code":"internal"'
has internal secret && bad "500 leaks the internal message" || ok "500 keeps internals out"

# ---- response cookies and multi-value headers
req cookies GET /cookies
if [[ $CODE == 200 ]] && grep -qi '^set-cookie: a=1; Path=/' "$tmp/cookies.hdr" && grep -qi '^set-cookie: b=2; HttpOnly' "$tmp/cookies.hdr" \
  && [[ $(hdr cookies x-multi) == 'one, two' ]]; then
  ok "cookies -> Set-Cookie (2), multi-value header joined"
else bad "cookies: HTTP $CODE: $(cat "$tmp/cookies.hdr")"; fi

# ---- the log line / EMF (the runtime's stdout)
req note GET /note
expect note 200 '"noted":true'
line=
for _ in $(seq 50); do # the runtime's stdout may reach the file just after the response
  line=$(grep -F '"path":"/note"' "$tmp/$M.out" | tail -1)
  [[ -n $line ]] && break
  sleep 0.1
done
if [[ $line == *'"_aws":{"Timestamp":'* && $line == *'"Namespace":"dynagen","Dimensions":[["Route"]]'* && $line == *'"route":"GET /note"'* \
  && $line == *'"cache":"hit"'* && $line == *'"retries":2'* && $line == *'"status":200'* && $line == *'"latency_ms":'* && $line == *'"CacheHits":1'* ]]; then
  ok "log line: request fields + EMF metrics"
else bad "log line: '$line'"; fi
n_lines=$(grep -c '"_aws"' "$tmp/$M.out")
((n_lines >= 15)) && ok "one log line per request ($n_lines)" || bad "log lines: $n_lines"

# ---- invocation error: 502, same runtime serves the next request
req inverr GET /invocation-error
expect inverr 502 '"function_error"' 'Echo.Failure'
req afterr GET /echo/after-error
expect afterr 200 '"x":"after-error"'
[[ $(json_pid afterr) == "$PID1" ]] && ok "invocation error: runtime kept" || bad "invocation error: runtime changed"
grep -q 'failed: Echo.Failure: failing this invocation on purpose' "$tmp/$M.err" && ok "invocation error printed" || bad "invocation error not printed"

# ---- crash: 502, the NEXT request served by a restarted runtime
req crash GET /crash
expect crash 502 '"function_crashed"' 'signal 6'
req aftercrash GET /echo/after-crash
if expect aftercrash 200 '"x":"after-crash"' '"invocations":1'; then
  [[ $(json_pid aftercrash) != "$PID1" ]] && ok "crash: new runtime process" || bad "crash: same pid"
fi
grep -q 'runtime restarted after a crash' "$tmp/$M.err" && ok "crash: restart printed" || bad "crash: restart not printed"
PID2=$(json_pid aftercrash)

# ---- timeout: 504 after --timeout 2, then the next is served
t0=$(date +%s%N)
req sleep GET /sleep
t1=$(date +%s%N)
expect sleep 504 '"code":"timeout"' 'within 2000 ms'
ms=$(((t1 - t0) / 1000000))
((ms >= 1900)) && ok "timeout: answered after the 2 s timeout (${ms} ms)" || bad "timeout: answered after ${ms} ms"
req aftersleep GET /echo/after-sleep
if expect aftersleep 200 '"x":"after-sleep"'; then
  [[ $(json_pid aftersleep) != "$PID2" ]] && ok "timeout: runtime killed and restarted" || bad "timeout: same pid"
fi
if [[ -n $PID2 ]] && ! kill -0 "$PID2" 2>/dev/null; then ok "timeout: old runtime gone"; else bad "timeout: old runtime $PID2 still alive"; fi

# ---- one invocation at a time: two concurrent 600 ms requests are served one after the other
t0=$(date +%s%N)
curl -s --max-time 20 -o "$tmp/q1.body" -w '%{http_code}' "http://127.0.0.1:$PORT/slow?ms=600" >"$tmp/q1.code" &
c1=$!
curl -s --max-time 20 -o "$tmp/q2.body" -w '%{http_code}' "http://127.0.0.1:$PORT/slow?ms=600" >"$tmp/q2.code" &
c2=$!
wait $c1 $c2
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [[ $(cat "$tmp/q1.code") == 200 && $(cat "$tmp/q2.code") == 200 ]] && ((ms >= 1200)); then
  ok "queue: two concurrent requests both served, serially (${ms} ms)"
else bad "queue: $(cat "$tmp/q1.code") $(cat "$tmp/q2.code") in ${ms} ms"; fi

# ---- a port already in use: clear message, exit 3, no hang
timeout 10 "$LL" --port "$PORT" "$ECHO" >"$tmp/inuse.out" 2>"$tmp/inuse.err"
rc=$?
if [[ $rc == 3 ]] && grep -q "port $PORT on 127.0.0.1 is already in use" "$tmp/inuse.err"; then
  ok "port in use: exit 3 and '$(head -1 "$tmp/inuse.err")'"
else bad "port in use: exit $rc: $(cat "$tmp/inuse.err")"; fi

# ---- a missing bootstrap: usage error
timeout 10 "$LL" --port 0 /nonexistent/bootstrap >/dev/null 2>"$tmp/nob.err"
rc=$?
[[ $rc == 2 ]] && grep -q 'bootstrap /nonexistent/bootstrap' "$tmp/nob.err" && ok "missing bootstrap: exit 2" || bad "missing bootstrap: exit $rc $(cat "$tmp/nob.err")"

# ---- clean shutdown on SIGTERM: exit 0, runtime gone, sanitizers quiet
RPID=$(json_pid aftersleep)
kill -TERM "$LLPID"
for _ in $(seq 50); do kill -0 "$LLPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$LLPID" 2>/dev/null; then bad "SIGTERM: still running after 5 s"; else
  wait "$LLPID"; rc=$?
  [[ $rc == 0 ]] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
fi
if [[ -n $RPID ]] && ! kill -0 "$RPID" 2>/dev/null; then ok "SIGTERM: runtime stopped"; else bad "SIGTERM: runtime $RPID left running"; fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/$M.err" "$tmp/$M.out"; then
  bad "sanitizer reports:"; grep -E -A20 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/$M.err" | head -60
else ok "no sanitizer report ($VARIANT)"; fi

# ---- init failure: reported, the request gets 502, SIGINT stops it
if start initfail --timeout 2 --env ECHO_FAIL_INIT=1; then
  req init GET /echo/x
  expect init 502 '"function_init_failed"' 'ECHO_FAIL_INIT=1: refusing to start'
  grep -q 'reported an init error: Runtime.InitError: ECHO_FAIL_INIT=1' "$tmp/initfail.err" && ok "init error printed" || bad "init error not printed: $(cat "$tmp/initfail.err")"
  kill -INT "$LLPID"
  for _ in $(seq 50); do kill -0 "$LLPID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$LLPID" 2>/dev/null && bad "SIGINT: still running" || { wait "$LLPID"; rc=$?; [[ $rc == 0 ]] && ok "SIGINT: exit 0" || bad "SIGINT: exit $rc"; }
else
  bad "start lambda-local with a failing init"
fi

# ---- --on-demand: no runtime until a request; the request starts one and is served
if start_od od --on-demand --timeout 2; then
  sleep 0.3
  if grep -qE 'runtime (started|restarted)' "$tmp/od.err" || [[ -n $(pgrep -P "$LLPID") ]]; then
    bad "on-demand: a runtime was started before any request: $(grep -E 'runtime' "$tmp/od.err" | tr '\n' ' ')"
  else ok "on-demand: no runtime 300 ms after listening"; fi
  req od1 GET /echo/first
  if expect od1 200 '"x":"first"' '"invocations":1'; then
    ODPID=$(grep -m1 -oP 'runtime started: pid \K[0-9]+' "$tmp/od.err")
    if [[ -n $ODPID && $ODPID == "$(json_pid od1)" ]]; then
      ok "on-demand: the first request started runtime pid $ODPID and was served by it"
    else bad "on-demand: log pid '$ODPID', served by pid '$(json_pid od1)': $(cat "$tmp/od.err")"; fi
  fi
  req od2 GET /echo/second
  if expect od2 200 '"x":"second"' '"invocations":2'; then
    [[ $(spawns od) == 1 && $(json_pid od2) == "$ODPID" ]] && ok "on-demand: a warm runtime serves the next request" \
      || bad "on-demand: warm request: $(spawns od) spawns, pid $(json_pid od2) (wanted $ODPID)"
  fi
  # the runtime dies while idle: not replaced until a request needs it
  if [[ -n $ODPID ]]; then
    kill -KILL "$ODPID"
    for _ in $(seq 50); do grep -q "runtime pid $ODPID ended" "$tmp/od.err" && break; sleep 0.05; done
    sleep 0.3
    if grep -q "runtime pid $ODPID ended" "$tmp/od.err" && [[ $(spawns od) == 1 ]]; then
      ok "on-demand: killed runtime not restarted without a request"
    else bad "on-demand: after kill: $(spawns od) spawns: $(grep runtime "$tmp/od.err" | tr '\n' ' ')"; fi
    req od3 GET /echo/third
    if expect od3 200 '"x":"third"' '"invocations":1'; then
      NEWPID=$(grep -oP 'runtime restarted after a crash: pid \K[0-9]+' "$tmp/od.err" | tail -1)
      if [[ $(spawns od) == 2 && -n $NEWPID && $NEWPID != "$ODPID" && $NEWPID == "$(json_pid od3)" ]]; then
        ok "on-demand: the next request started a new runtime (pid $NEWPID) and was served by it"
      else bad "on-demand: after kill: $(spawns od) spawns, new pid '$NEWPID', served by '$(json_pid od3)'"; fi
    fi
  fi
  stop_ll od on-demand
  [[ -n ${NEWPID:-} ]] && kill -0 "$NEWPID" 2>/dev/null && bad "on-demand: SIGTERM left runtime $NEWPID running"
  grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/od.err" "$tmp/od.out" \
    && bad "on-demand: sanitizer report: $(grep -E -A10 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/od.err" | head -30)" \
    || ok "on-demand: no sanitizer report ($VARIANT)"
else
  bad "start lambda-local --on-demand"
fi

# ---- LAMBDA_LOCAL_ON_DEMAND=1 does the same; SIGTERM with no runtime ever started
if LAMBDA_LOCAL_ON_DEMAND=1 start_od odenv; then
  sleep 0.3
  [[ $(spawns odenv) == 0 ]] && ok "LAMBDA_LOCAL_ON_DEMAND=1: no runtime before a request" \
    || bad "LAMBDA_LOCAL_ON_DEMAND=1: runtime started at launch"
  stop_ll odenv "on-demand, no runtime"
  [[ $(spawns odenv) == 0 ]] && ok "on-demand: still no runtime at shutdown" || bad "on-demand: a runtime started without a request"
else
  bad "start lambda-local with LAMBDA_LOCAL_ON_DEMAND=1"
fi
LAMBDA_LOCAL_ON_DEMAND=yes timeout 10 "$LL" --port 0 "$ECHO" >/dev/null 2>"$tmp/odbad.err"
rc=$?
[[ $rc == 2 ]] && grep -q 'LAMBDA_LOCAL_ON_DEMAND=yes' "$tmp/odbad.err" && ok "LAMBDA_LOCAL_ON_DEMAND=yes: usage error" \
  || bad "LAMBDA_LOCAL_ON_DEMAND=yes: exit $rc: $(cat "$tmp/odbad.err")"

# ---- --on-demand and a failing init: one start per request, the crash-loop backoff still applies
if start_od odinit --on-demand --env ECHO_FAIL_INIT=1; then
  req odi1 GET /echo/x
  expect odi1 502 '"function_init_failed"' 'ECHO_FAIL_INIT=1'
  sleep 0.4
  [[ $(spawns odinit) == 1 ]] && ok "on-demand init failure: no restart without a request" \
    || bad "on-demand init failure: $(spawns odinit) starts after one request"
  # two failures in a row: the third start waits out a backoff of 200 ms after the second failure
  req odi2 GET /echo/x
  t0=$(date +%s%N)
  req odi3 GET /echo/x
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  if [[ $CODE == 502 && $(spawns odinit) == 3 ]] && ((ms >= 180)); then
    ok "on-demand init failure: each request starts a runtime, after the backoff (${ms} ms)"
  else bad "on-demand init failure: HTTP $CODE, $(spawns odinit) starts, third request took ${ms} ms"; fi
  stop_ll odinit "on-demand init failure"
else
  bad "start lambda-local --on-demand with a failing init"
fi

finish
