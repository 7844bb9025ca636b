#!/usr/bin/env bash
# Live cross-check of vhod's GOST R 34.10-2012 (src/crypto/gost) against OpenSSL's GOST engine
# (Debian package libengine-gost-openssl), for every parameter set the engine offers:
#   1. openssl makes a key and signs          -> vhod verifies (examples/gost_oracle.rs);
#   2. vhod signs with openssl's key          -> `openssl dgst -verify` accepts;
#   3. vhod makes a key and signs             -> openssl reads the key, derives the same public
#      key, accepts the signature, signs with vhod's key, and vhod verifies that;
#   4. openssl issues a self-signed certificate for vhod's key -> vhod checks its signature;
#   and a changed message is refused by both sides.
# Run from anywhere: bash conformance/gost/openssl-check.sh
# Exits non-zero, loudly, on any failure and when the engine is missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
CNF="$HERE/openssl-gost.cnf"

fail() {
  printf '\nGOST OPENSSL CHECK FAILED: %s\n' "$*" >&2
  exit 1
}

command -v openssl >/dev/null 2>&1 || fail "openssl is not installed"
# The engine config goes into the environment of the openssl processes only.
ossl() { OPENSSL_CONF="$CNF" openssl "$@"; }
ossl engine -t gost 2>/dev/null | grep -q available ||
  fail "OpenSSL's GOST engine is not available (apt-get install libengine-gost-openssl)"

# GOST_ORACLE=/path/to/gost_oracle skips the build (for a binary built elsewhere).
if [ -z "${GOST_ORACLE:-}" ]; then
  echo "building examples/gost_oracle"
  (cd "$REPO_ROOT" && cargo build --quiet --locked --example gost_oracle) ||
    fail "cargo build --example gost_oracle failed"
fi
ORACLE="${GOST_ORACLE:-${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/examples/gost_oracle}"
[ -x "$ORACLE" ] || fail "$ORACLE was not built"

WORK="$(mktemp -d -t vhod-gost.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf 'vhod GOST conformance %s\n' "$(date -u +%s)" >msg
cp msg msg-changed
printf 'x' >>msg-changed

checked=0
while read -r alg set md; do
  [ -n "$alg" ] || continue
  name="${alg#gost2012_}-$set"
  echo "== $name ($alg paramset:$set, $md)"

  # 1. openssl signs, vhod verifies.
  ossl genpkey -algorithm "$alg" -pkeyopt "paramset:$set" -out "o-$name.key" || fail "$name: openssl genpkey"
  ossl pkey -in "o-$name.key" -pubout -out "o-$name.pub" || fail "$name: openssl pkey -pubout"
  ossl dgst "-$md" -sign "o-$name.key" -out "o-$name.sig" msg || fail "$name: openssl dgst -sign"
  "$ORACLE" verify --pub "o-$name.pub" --in msg --sig "o-$name.sig" ||
    fail "$name: vhod does not verify openssl's signature"
  if "$ORACLE" verify --pub "o-$name.pub" --in msg-changed --sig "o-$name.sig" 2>/dev/null; then
    fail "$name: vhod accepted openssl's signature over a changed message"
  fi

  # 2. vhod signs with openssl's key, openssl verifies.
  "$ORACLE" sign --key "o-$name.key" --paramset "$name" --in msg --out "v-o-$name.sig" ||
    fail "$name: vhod cannot sign with openssl's key"
  ossl dgst "-$md" -verify "o-$name.pub" -signature "v-o-$name.sig" msg ||
    fail "$name: openssl does not verify vhod's signature (openssl's key)"

  # 3. vhod makes the key and signs; openssl reads it and verifies; and back.
  "$ORACLE" genkey --paramset "$name" --out "v-$name.key" --pub "v-$name.pub" || fail "$name: vhod genkey"
  ossl pkey -in "v-$name.key" -pubout -out "v-$name.pub.openssl" || fail "$name: openssl cannot read vhod's PKCS#8 key"
  cmp -s "v-$name.pub" "v-$name.pub.openssl" ||
    fail "$name: openssl derives another public key (or SPKI encoding) from vhod's private key"
  "$ORACLE" sign --key "v-$name.key" --in msg --out "v-$name.sig" || fail "$name: vhod sign"
  ossl dgst "-$md" -verify "v-$name.pub" -signature "v-$name.sig" msg ||
    fail "$name: openssl does not verify vhod's signature (vhod's key)"
  if ossl dgst "-$md" -verify "v-$name.pub" -signature "v-$name.sig" msg-changed >/dev/null 2>&1; then
    fail "$name: openssl accepted vhod's signature over a changed message"
  fi
  ossl dgst "-$md" -sign "v-$name.key" -out "o-v-$name.sig" msg || fail "$name: openssl cannot sign with vhod's key"
  "$ORACLE" verify --pub "v-$name.pub" --in msg --sig "o-v-$name.sig" ||
    fail "$name: vhod does not verify openssl's signature made with vhod's key"

  # 4. a certificate for vhod's key, made by openssl, checked by vhod.
  ossl req -x509 -new -key "v-$name.key" "-$md" -days 1 -subj "/CN=vhod GOST check $name" \
    -out "v-$name.crt" || fail "$name: openssl req -x509 with vhod's key"
  "$ORACLE" verify-cert --cert "v-$name.crt" || fail "$name: vhod does not verify openssl's certificate"
  checked=$((checked + 1))
done <<'EOF'
gost2012_256 TCA md_gost12_256
gost2012_256 TCB md_gost12_256
gost2012_256 TCC md_gost12_256
gost2012_256 TCD md_gost12_256
gost2012_256 A md_gost12_256
gost2012_256 B md_gost12_256
gost2012_256 C md_gost12_256
gost2012_256 XA md_gost12_256
gost2012_256 XB md_gost12_256
gost2012_256 0 md_gost12_256
gost2012_512 A md_gost12_512
gost2012_512 B md_gost12_512
gost2012_512 C md_gost12_512
EOF

[ "$checked" -eq 13 ] || fail "only $checked of 13 parameter sets were checked"
printf '\nGOST OPENSSL CHECK OK: %s parameter sets, both directions\n' "$checked"
