#!/usr/bin/env bash
# Install what dynagen needs and is missing; idempotent and quick when all is there.
#   Debian packages via apt-get (needs root), pinned Node packages via `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(
  build-essential pkg-config
  libyaml-dev libcjson-dev libcbor-dev libcmocka-dev libcurl4-openssl-dev libssl-dev
  libmicrohttpd-dev
  openjdk-17-jre-headless   # DynamoDB Local
  clang libclang-rt-14-dev  # libFuzzer targets, LeakSanitizer
  clang-format
  curl zip unzip wrk openssl nodejs npm
  dpkg-dev                  # dpkg-source: scripts/curl-lambda.sh builds the bootstrap's libcurl from Debian's source
)

missing=()
for p in "${APT_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# nodejs/npm may come from elsewhere than Debian (e.g. a NodeSource build): accept any on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi

if ((${#missing[@]})); then
  echo "deps: installing Debian packages: ${missing[*]} (first run: this downloads and can take a few minutes)"
  if [[ $(id -u) -ne 0 ]]; then
    echo "deps: error: installing packages needs root (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages: only for the local stack, interop tests and benchmark peers.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.dynagen-lock || $(cat node_modules/.dynagen-lock) != "$lock_sum" ]]; then
  echo "deps: installing pinned Node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.dynagen-lock
fi

mkdir -p build
touch build/.deps-stamp
