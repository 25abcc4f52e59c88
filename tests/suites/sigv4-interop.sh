#!/usr/bin/env bash
# SigV4 interop: dynagen's signer and the AWS SDK for JavaScript's signer
# (@smithy/signature-v4, pinned in package.json) sign the same requests
# (tests/interop/sigv4/cases.js); their Authorization headers must be equal
# byte for byte. Last line: "sigv4-interop: N passed, M failed".
# VARIANT=asan runs the helper under ASan+UBSan (default: release).
set -uo pipefail
cd "$(dirname "$0")/../.."
VARIANT=${VARIANT:-release}
B=build/$VARIANT
HELPER=$B/interop/sigv4_sign

die() { echo "FAIL $*"; echo "sigv4-interop: 0 passed, 1 failed"; exit 1; }

command -v node >/dev/null || die "node is not installed (bash scripts/deps.sh)"
[[ -f node_modules/@smithy/signature-v4/package.json ]] ||
  die "node_modules/@smithy/signature-v4 is missing (bash scripts/deps.sh)"

mkdir -p "$B/interop"
make --no-print-directory VARIANT="$VARIANT" "$B/libdynagen.a" >"$B/interop/build.log" 2>&1 ||
  { tail -20 "$B/interop/build.log"; die "building $B/libdynagen.a"; }

CFLAGS=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow
        -Wstrict-prototypes -Wmissing-prototypes -Wvla -Iruntime/include)
if [[ $VARIANT == asan ]]; then
  CFLAGS+=(-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
else
  CFLAGS+=(-O2 -g)
fi
# shellcheck disable=SC2046
${CC:-cc} "${CFLAGS[@]}" $(pkg-config --cflags libcjson openssl) -o "$HELPER" \
  tests/interop/sigv4/sigv4_sign.c "$B/libdynagen.a" $(pkg-config --libs libcjson openssl) -lm ||
  die "compiling $HELPER"

node tests/interop/sigv4/interop.js "$HELPER"
