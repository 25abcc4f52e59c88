#!/usr/bin/env bash
# A minimal static libcurl for the Lambda bootstrap, built from Debian's own
# source package of the libcurl that is installed (same upstream version, same
# Debian patches), configured for what dynagen uses: HTTP/1.1 and HTTPS with
# OpenSSL, the threaded resolver, proxies. No LDAP, SSH, RTMP, IDN, PSL,
# HTTP/2, compression or other protocols.
#
# Why: Debian's libcurl.so.4 pulls in 33 shared libraries (LDAP, Kerberos,
# GnuTLS via LDAP, nghttp2, libssh2, ...). Loading and relocating them is most
# of a dynagen cold start (~500 page faults, 15-17 ms on the 2-core VM, before
# main()). With this libcurl and OpenSSL linked statically into a non-PIE
# bootstrap, the process reaches main() in ~80 page faults (see
# `make bench-coldstart`). Everything else (tests, lambda-local, the tools)
# keeps using Debian's shared libcurl.
#
#   scripts/curl-lambda.sh          build when missing or out of date (quiet when done)
#   scripts/curl-lambda.sh --force  rebuild
#
# Output: build/curl-lambda/lib/libcurl.a and build/curl-lambda/VERSION.
# The apt state used to fetch the source (deb-src entries derived from this
# machine's deb entries) lives under build/curl-lambda/apt/: the system's apt
# configuration is not touched. When the source cannot be fetched or built the
# script says why and exits 1; make (build/curl-lambda/.tried) then carries on
# and the bootstrap links Debian's shared libcurl (it works; it starts slower).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/curl-lambda
CONFIGURE_FLAGS=(
  --disable-shared --enable-static --disable-dependency-tracking
  --with-openssl --with-ca-bundle=/etc/pki/tls/certs/ca-bundle.crt
  --without-zlib --without-brotli --without-zstd --without-libpsl --without-nghttp2
  --without-libidn2 --without-librtmp --without-libssh2 --without-libgsasl --without-hyper
  --disable-ldap --disable-ldaps --disable-ftp --disable-file --disable-rtsp --disable-dict
  --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp
  --disable-gopher --disable-mqtt --disable-manual --disable-ntlm --disable-alt-svc
  --disable-hsts --disable-netrc --disable-docs --disable-cookies
)

say() { echo "curl-lambda: $*"; }
fail() {
  echo "curl-lambda: $*" >&2
  exit 1
}

command -v dpkg-query >/dev/null || fail "not a Debian system (no dpkg-query)"
version=$(dpkg-query -W -f='${source:Version}' libcurl4-openssl-dev 2>/dev/null) ||
  fail "libcurl4-openssl-dev is not installed (make deps)"
want="$version $(printf '%s ' "${CONFIGURE_FLAGS[@]}" | sha256sum | cut -c1-12)"
if [[ ${1:-} != --force && -f $OUT/lib/libcurl.a && -f $OUT/VERSION && $(cat "$OUT/VERSION") == "$want" ]]; then
  touch "$OUT/lib/libcurl.a" # up to date: newer than this script for make
  exit 0
fi
for t in apt-get dpkg-source make gcc; do
  command -v "$t" >/dev/null || fail "$t is missing (apt-get install build-essential dpkg-dev)"
done

say "building a minimal static libcurl for the Lambda bootstrap from Debian's curl $version source package (once; about 2 minutes)"
work=$OUT/work
rm -rf "$work" "$OUT/lib" "$OUT/VERSION"
mkdir -p "$work" "$OUT/apt/sources" "$OUT/apt/lists/partial"

# deb-src twins of this machine's deb entries (deb822 .sources and one-line .list).
src=$OUT/apt/sources
rm -f "$src"/*
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f $f ]] || continue
  sed -E 's/^Types:[[:space:]]*deb([[:space:]].*)?$/Types: deb-src/' "$f" >"$src/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [[ -f $f ]] || continue
  sed -n -E 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "$f" >"$src/$(basename "$f" .list).list"
done
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$PWD/$src"
  -o "Dir::State::Lists=$PWD/$OUT/apt/lists" -o "APT::Sandbox::User=root" -q)
say "fetching the source index (apt-get update, private lists under $OUT/apt)"
apt-get "${apt_opts[@]}" update >"$work/apt-update.log" 2>&1 ||
  { tail -5 "$work/apt-update.log" >&2; fail "apt-get update (deb-src) failed; log: $work/apt-update.log"; }
say "downloading curl $version (source; checked against the signed index by apt)"
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only "curl=$version") >"$work/apt-source.log" 2>&1 ||
  { tail -5 "$work/apt-source.log" >&2; fail "apt-get source curl=$version failed; log: $work/apt-source.log"; }
dsc=$(find "$work" -maxdepth 1 -name 'curl_*.dsc' | head -1)
[[ -n $dsc ]] || fail "no .dsc downloaded"
(cd "$work" && dpkg-source --no-check -x "$(basename "$dsc")" src) >"$work/dpkg-source.log" 2>&1 ||
  { tail -5 "$work/dpkg-source.log" >&2; fail "dpkg-source -x failed; log: $work/dpkg-source.log"; }

say "configure (HTTP and HTTPS with OpenSSL only)"
(cd "$work/src" && ./configure "${CONFIGURE_FLAGS[@]}" CFLAGS="-O2 -g0") >"$work/configure.log" 2>&1 ||
  { tail -20 "$work/configure.log" >&2; fail "configure failed; log: $work/configure.log"; }
protocols=$(sed -n -E 's/^ *Protocols: *//p' "$work/configure.log" | tr -s ' ')
[[ $protocols == "HTTP HTTPS" ]] || fail "configure enabled protocols '$protocols', expected 'HTTP HTTPS'; log: $work/configure.log"
say "make -C lib"
make -C "$work/src/lib" -j"$(nproc 2>/dev/null || echo 2)" >"$work/make.log" 2>&1 ||
  { tail -20 "$work/make.log" >&2; fail "make failed; log: $work/make.log"; }

mkdir -p "$OUT/lib"
cp "$work/src/lib/.libs/libcurl.a" "$OUT/lib/libcurl.a.tmp"
mv -f "$OUT/lib/libcurl.a.tmp" "$OUT/lib/libcurl.a"
echo "$want" >"$OUT/VERSION"
rm -rf "$work"
say "done: $OUT/lib/libcurl.a ($(stat -c %s "$OUT/lib/libcurl.a") bytes; protocols: $protocols)"
