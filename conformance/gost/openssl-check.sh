#!/usr/bin/env bash
# Live cross-check of vhod's GOST R 34.10-2012 (src/crypto/gost) against OpenSSL's GOST engine
# (Debian package libengine-gost-openssl), for every parameter set the engine offers:
#   1. openssl makes a key and signs          -> vhod verifies (examples/gost_oracle.rs);
#   2. vhod signs with openssl's key          -> `openssl dgst -verify` accepts;
#   3. vhod makes a key and signs             -> openssl reads the key, derives the same public
#      key, accepts the signature, signs with vhod's key, and vhod verifies that;
#   4. openssl issues a self-signed certificate for vhod's key -> vhod checks its signature;
#   and a changed message is refused by both sides; then, with the vhod binary:
#   5. the self-signed certificates of vhod's own GOST token keys (`vhod keys certificate`, what
#      GET /keys/gost-256.pem serves) -> `openssl x509 -text` reads them, `openssl verify` accepts;
#   6. `vhod sign-challenge` with GOST keys and certificates made by openssl (a CA and a person
#      with a SNILS) -> `openssl cms -verify` accepts the CMS, and refuses it for another challenge.
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

# VHOD_BIN=/path/to/vhod skips the build.
if [ -z "${VHOD_BIN:-}" ]; then
  echo "building the vhod binary"
  (cd "$REPO_ROOT" && cargo build --quiet --locked --bin vhod) || fail "cargo build --bin vhod failed"
fi
VHOD_BIN="${VHOD_BIN:-${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/vhod}"
[ -x "$VHOD_BIN" ] || fail "$VHOD_BIN was not built"
mkdir -p "$WORK/vhod"
vhod() {
  (cd "$WORK/vhod" && env -u VHOD_CONFIG VHOD_DATABASE__URL="sqlite://$WORK/vhod/vhod.db" \
    VHOD_KEYS__KEK_FILE="$WORK/vhod/kek" VHOD_LOG=warn "$VHOD_BIN" "$@")
}

# 5. vhod's own GOST token keys: their self-signed certificates.
for bits in 256 512; do
  echo "== vhod's GOST3410_2012_$bits token key certificate"
  vhod keys certificate --alg "GOST3410_2012_$bits" >"vhod-$bits.crt" ||
    fail "vhod keys certificate --alg GOST3410_2012_$bits"
  ossl x509 -noout -text -in "vhod-$bits.crt" >"vhod-$bits.txt" ||
    fail "openssl cannot read vhod's GOST-$bits certificate"
  grep -q "GOST R 34.10-2012 with GOST R 34.11-2012 ($bits bit)" "vhod-$bits.txt" ||
    fail "vhod's GOST-$bits certificate is not signed with GOST R 34.10-2012/$bits"
  grep -q "Subject: CN *= *localhost" "vhod-$bits.txt" ||
    fail "vhod's GOST-$bits certificate does not name the issuer host"
  ossl verify -CAfile "vhod-$bits.crt" "vhod-$bits.crt" ||
    fail "openssl does not verify vhod's self-signed GOST-$bits certificate"
done

# 6. vhod sign-challenge with GOST keys: openssl cms -verify accepts the CMS.
printf 'vhod GOST sign-challenge %s' "$(date -u +%s)" >challenge
ossl genpkey -algorithm gost2012_512 -pkeyopt paramset:A -out ca.key || fail "CA key"
ossl req -x509 -new -key ca.key -md_gost12_512 -days 2 -subj "/CN=vhod GOST check CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt ||
  fail "CA certificate"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >person.ext
for spec in "gost2012_256 A 256" "gost2012_512 B 512"; do
  read -r alg set bits <<<"$spec"
  echo "== vhod sign-challenge with a $alg paramset:$set key"
  ossl genpkey -algorithm "$alg" -pkeyopt "paramset:$set" -out "person-$bits.key" || fail "person key $bits"
  ossl req -new -utf8 -key "person-$bits.key" "-md_gost12_$bits" \
    -subj "/CN=Иванов Иван/SNILS=11223344595" -out "person-$bits.csr" || fail "person CSR $bits"
  ossl x509 -req -in "person-$bits.csr" -CA ca.crt -CAkey ca.key -md_gost12_512 -days 1 \
    -set_serial "$((4700 + bits))" -extfile person.ext -out "person-$bits.crt" || fail "person certificate $bits"
  vhod sign-challenge --cert "$WORK/person-$bits.crt" --key "$WORK/person-$bits.key" "$(cat challenge)" >"cms-$bits.b64" ||
    fail "vhod sign-challenge with a GOST-$bits key"
  base64 -d "cms-$bits.b64" >"cms-$bits.der" || fail "sign-challenge output is not base64"
  ossl cms -verify -binary -inform DER -in "cms-$bits.der" -content challenge -CAfile ca.crt -out /dev/null ||
    fail "openssl cms -verify refuses vhod's GOST-$bits CMS"
  if ossl cms -verify -binary -inform DER -in "cms-$bits.der" -content msg -CAfile ca.crt -out /dev/null 2>/dev/null; then
    fail "openssl accepted vhod's GOST-$bits CMS for another challenge"
  fi
done
printf '\nGOST OPENSSL CHECK OK: %s parameter sets, both directions; vhod'"'"'s certificates and sign-challenge CMS\n' "$checked"
