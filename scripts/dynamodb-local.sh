#!/usr/bin/env bash
# DynamoDB Local, AWS's own emulator, from the emulator/ folder of the npm
# package amplify-dynamodb-simulator, pinned (version + integrity) in
# local/dynamodb-local/package-lock.json. Only the tarball is fetched
# (npm pack) and checked against that integrity; the package's 280 npm
# dependencies are never installed.
#
#   scripts/dynamodb-local.sh install          fetch + verify + unpack (idempotent)
#   scripts/dynamodb-local.sh start [PORT]     start in memory on 127.0.0.1 (free port if none),
#                                              wait until it answers; prints "PORT PID"
#   scripts/dynamodb-local.sh stop PID         stop what start started
#
# Needs java (openjdk-17-jre-headless) and node/npm; DYNAMODB_LOCAL_DIR overrides
# the unpack location (default .cache/dynamodb-local-<version>).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lock=$root/local/dynamodb-local/package-lock.json

read -r version integrity < <(node -e '
  const l = require(process.argv[1]);
  const p = l.packages["node_modules/amplify-dynamodb-simulator"];
  console.log(p.version + " " + p.integrity);' "$lock")
dir=${DYNAMODB_LOCAL_DIR:-$root/.cache/dynamodb-local-$version}
jar=$dir/emulator/DynamoDBLocal.jar

install() {
  [[ -f $jar && -f $dir/.verified ]] && return 0
  echo "dynamodb-local: fetching amplify-dynamodb-simulator@$version (about 55 MB, first run only)" >&2
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "amplify-dynamodb-simulator@$version" --silent >/dev/null)
  local tgz=$tmp/amplify-dynamodb-simulator-$version.tgz
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [[ $got != "$integrity" ]]; then
    echo "dynamodb-local: error: integrity mismatch for amplify-dynamodb-simulator@$version" >&2
    echo "  want $integrity" >&2
    echo "  got  $got" >&2
    rm -rf "$tmp"
    exit 1
  fi
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  tar xzf "$tgz" -C "$dir.partial" --strip-components=1 package/emulator package/LICENSE
  rm -rf "$dir" && mv "$dir.partial" "$dir"
  echo "$integrity" > "$dir/.verified"
  rm -rf "$tmp"
  echo "dynamodb-local: installed in $dir" >&2
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# launch PORT: starts DynamoDB Local on PORT and waits until it answers.
# Prints "PORT PID". Returns 0, 1 (failed) or 3 (the port was taken meanwhile).
launch() {
  local port=$1
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
    echo "dynamodb-local: error: port $port is already in use (set DYNAMODB_PORT to another port)" >&2
    return 3
  fi
  local log=${DYNAMODB_LOCAL_LOG:-$root/build/dynamodb-local-$port.log}
  mkdir -p "$(dirname "$log")"
  (cd "$dir/emulator" && exec java -Xmx512m -Djava.library.path=./DynamoDBLocal_lib \
      -jar DynamoDBLocal.jar -inMemory -sharedDb -port "$port" >"$log" 2>&1) &
  local pid=$!
  # wait until it answers HTTP (any status), at most 60 s; the answer must
  # come from this process (alive afterwards), not from whoever took the port
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      if grep -qiE 'BindException|Address already in use' "$log"; then
        echo "dynamodb-local: port $port was taken while it started" >&2
        return 3
      fi
      echo "dynamodb-local: error: it exited during start; log: $log" >&2
      tail -20 "$log" >&2
      return 1
    fi
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      if kill -0 "$pid" 2>/dev/null && grep -q "^Port:[[:space:]]*$port\$" "$log"; then
        echo "$port $pid"
        return 0
      fi
    fi
    sleep 0.2
  done
  kill "$pid" 2>/dev/null || true
  echo "dynamodb-local: error: no answer on port $port within 60 s; log: $log" >&2
  return 1
}

start() {
  install
  if ! command -v java >/dev/null; then
    echo "dynamodb-local: error: java not found; install openjdk-17-jre-headless (make deps does)" >&2
    exit 1
  fi
  if [[ -n ${1:-} ]]; then
    launch "$1" && return 0
    exit 1
  fi
  # a free port, picked again (at most 5 times) when another process takes
  # it between the pick and Java's bind
  local rc
  for _ in 1 2 3 4 5; do
    launch "$(free_port)" && return 0
    rc=$?
    ((rc == 3)) || exit 1
  done
  exit 1
}

stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

case ${1:-} in
  install) install ;;
  start) shift; start "${1:-}" ;;
  stop) shift; stop "${1:?stop needs the PID}" ;;
  *) echo "usage: $0 install | start [PORT] | stop PID" >&2; exit 2 ;;
esac
