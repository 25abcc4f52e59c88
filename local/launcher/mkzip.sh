#!/usr/bin/env bash
# Build a deterministic Lambda zip for provided.al2023 from a dynamically
# linked program: the program, its whole shared-library closure (ldd), libc
# and the dynamic loader included, and a `bootstrap` at the root.
#
#   mkzip.sh --launcher LAUNCHER PROGRAM OUT.zip
#       bootstrap = LAUNCHER (local/launcher/launcher.c, static), the program in
#       bin/dynagen-api: works wherever the zip is unpacked.       (dist/lambda.zip)
#   mkzip.sh --direct PROGRAM OUT.zip
#       bootstrap = PROGRAM itself, which must have been linked with
#       --dynamic-linker=<root>/lib/ld-linux-x86-64.so.2 and an RPATH of
#       <root>/lib (mk/package.mk: package-direct); works only when the zip is
#       unpacked at <root> (/var/task on Lambda). Benchmarked, not shipped.
#
# Layout: bootstrap, bin/dynagen-api (launcher mode), lib/ld-linux-x86-64.so.2,
# lib/<soname> for every library, licenses/<debian package> (the copyright
# files of the bundled libraries' packages, which their licences require).
# Deterministic: files sorted (LC_ALL=C), fixed mtimes (2000-01-01 UTC), fixed
# modes, no extra fields (zip -X), no directory entries (zip -D), -9.
# Checks before zipping: the loader resolves every library inside lib/ (with
# the host's ld.so.cache inhibited), nothing is "not found".
set -euo pipefail

usage() { echo "usage: $0 --launcher LAUNCHER PROGRAM OUT.zip | --direct PROGRAM OUT.zip" >&2; exit 2; }
mode=${1:-}
case $mode in
  --launcher) (($# == 4)) || usage; launcher=$2; program=$3; out=$4 ;;
  --direct) (($# == 3)) || usage; launcher=; program=$2; out=$3 ;;
  *) usage ;;
esac
for f in "$program" ${launcher:+"$launcher"}; do
  [[ -f $f && -x $f ]] || { echo "mkzip: $f is not an executable file" >&2; exit 1; }
done
command -v zip >/dev/null || { echo "mkzip: zip is not installed (apt-get install zip)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" "$stage/licenses"

if [[ -n $launcher ]]; then
  mkdir -p "$stage/bin"
  cp "$launcher" "$stage/bootstrap"
  cp "$program" "$stage/bin/dynagen-api"
  prog_in_zip=$stage/bin/dynagen-api
else
  cp "$program" "$stage/bootstrap"
  prog_in_zip=$stage/bootstrap
fi
# debug info out (the symbol table stays, for backtraces)
strip --strip-debug "$prog_in_zip"
[[ -n $launcher ]] && strip --strip-all "$stage/bootstrap"

# The closure, as the host's loader resolves it.
ldd_out=$(ldd "$program") || { echo "mkzip: ldd $program failed" >&2; exit 1; }
if grep -q 'not found' <<<"$ldd_out"; then
  echo "mkzip: libraries not found:" >&2
  grep 'not found' <<<"$ldd_out" >&2
  exit 1
fi
loader=
libs=()
while read -r a b c _; do
  if [[ $a == */ld-linux* ]]; then
    # "/lib64/ld-linux-x86-64.so.2 (0x...)", or for --direct, whose PT_INTERP
    # does not exist here yet: "/var/task/lib/ld-linux-x86-64.so.2 => /lib64/ld-linux-x86-64.so.2"
    if [[ $b == "=>" && $c == /* ]]; then loader=$c; else loader=$a; fi
  elif [[ $b == "=>" && $c == /* ]]; then
    libs+=("$a $c")
  fi
done <<<"$ldd_out"
[[ -n $loader ]] || { echo "mkzip: no dynamic loader in ldd's output" >&2; exit 1; }
cp -L "$loader" "$stage/lib/ld-linux-x86-64.so.2"
sources=("$loader")
for l in "${libs[@]}"; do
  name=${l%% *} path=${l#* }
  cp -L "$path" "$stage/lib/$name"
  sources+=("$path")
done

# Licences: the Debian copyright file of each bundled library's package, and
# of the libraries linked statically into the program (the release bootstrap
# carries libcurl, built from Debian's curl source, and OpenSSL's libcrypto/libssl).
if command -v nm >/dev/null; then
  defined=$(nm --defined-only "$program" 2>/dev/null || true)
  grep -q ' T curl_easy_init$' <<<"$defined" && sources+=(/usr/share/doc/libcurl4-openssl-dev/copyright)
  grep -q ' T OPENSSL_init_crypto$' <<<"$defined" && sources+=(/usr/share/doc/libssl-dev/copyright)
fi
if command -v dpkg >/dev/null; then
  for p in "${sources[@]}"; do
    pkg=$( { dpkg -S "$p" 2>/dev/null || dpkg -S "$(readlink -f "$p")" 2>/dev/null || true; } |
      head -1 | cut -d: -f1)
    if [[ -n $pkg && -f /usr/share/doc/$pkg/copyright ]]; then
      cp "/usr/share/doc/$pkg/copyright" "$stage/licenses/$pkg"
    else
      echo "mkzip: warning: no copyright file found for $p" >&2
    fi
  done
fi

# Every file a fixed mode and mtime.
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$stage/bootstrap" "$stage/lib/ld-linux-x86-64.so.2"
[[ -n $launcher ]] && chmod 0755 "$stage/bin/dynagen-api"
find "$stage" -exec touch -h -d '2000-01-01 00:00:00 UTC' {} +

# The bundled loader must find every library inside lib/, without the host's cache.
list=$("$stage/lib/ld-linux-x86-64.so.2" --inhibit-cache --library-path "$stage/lib" \
  --list "$prog_in_zip" 2>&1) || { echo "mkzip: the bundled loader cannot load the program:" >&2; echo "$list" >&2; exit 1; }
outside=$(awk '$2 == "=>" && index($3, "'"$stage"'/lib/") != 1 { print }' <<<"$list")
if [[ -n $outside ]]; then
  echo "mkzip: libraries resolved outside the bundle:" >&2
  echo "$outside" >&2
  exit 1
fi

out=$(realpath -m "$out")
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | TZ=UTC zip -X -D -9 -q "$out.tmp" -@)
mv -f "$out.tmp" "$out"
n=$(find "$stage/lib" -name '*.so*' | wc -l)
echo "mkzip: $out: bootstrap ($([[ -n $launcher ]] && echo launcher || echo the program itself)), $n libraries incl. loader and libc, $(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -c1-16)"
