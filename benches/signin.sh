#!/usr/bin/env bash
# Sign-in throughput benchmark (issue: the spine). Release build, production argon2id cost (config
# defaults), server pinned to CPU 0 and the load driver to CPU 1. Prints idle RSS, flows/s, p50/p99,
# the raw argon2id rate on one core and their ratio (on the driver's core, then on the server's core
# in a plain block and in huge pages), and argon2id's share of the server's CPU.
#   bash benches/signin.sh [CONCURRENCY] [FLOWS]
# RP_ALG (ES256): the portal's ID token and access token algorithm. ES256 by default, as FAPI 2.0
# portals sign; RP_ALG=RS256 adds two RSA-2048 signatures (≈ 0.5 ms of CPU) to every sign-in.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
CONCURRENCY="${1:-8}"
RP_ALG="${RP_ALG:-ES256}"
FLOWS="${2:-300}"
cargo build --release --locked --bin vhod --example load
BIN="$CARGO_TARGET_DIR/release/vhod"
DRIVER="$CARGO_TARGET_DIR/release/examples/load"
DIR="$(mktemp -d -t vhod-bench.XXXXXX)"
PORT=18555
ISSUER="http://localhost:$PORT"
export VHOD_SERVER__BIND="127.0.0.1:$PORT" VHOD_SERVER__ISSUER="$ISSUER" \
  VHOD_DATABASE__URL="sqlite://$DIR/vhod.db" VHOD_KEYS__KEK_FILE="$DIR/kek" VHOD_LOG=warn \
  VHOD_PASSWORD__MAX_CONCURRENT=1 \
  VHOD_LOGIN__RATE_PER_MINUTE=10000000 VHOD_LOGIN__RATE_BURST=1000000 \
  VHOD_LOGIN__AUTHORIZE_RATE_PER_MINUTE=10000000 VHOD_LOGIN__AUTHORIZE_RATE_BURST=1000000
# (The per-IP flood brake is lifted: every flow comes from 127.0.0.1 and this measures hashing.)
(cd "$DIR" && exec taskset -c 0 "$BIN" serve) &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 60); do
  curl -sf "$ISSUER/.well-known/openid-configuration" >/dev/null && break
  sleep 0.5
done
sleep 2
echo "idle RSS after start: $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status)"
CLIENT=$(cd "$DIR" && "$BIN" clients add --name bench --redirect-uri https://rp.example/cb --id-token-alg "$RP_ALG" --json)
CID=$(printf '%s' "$CLIENT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
SECRET=$(printf '%s' "$CLIENT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
printf '%s' 'Bench-2026!x' | (cd "$DIR" && "$BIN" accounts create --surname Нагрузкин --name Тест --email bench@example.org --password-stdin) >/dev/null
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
CPU0=$(cpu_ticks)
OUT="$(taskset -c 1 "$DRIVER" --issuer "$ISSUER" --client-id "$CID" --client-secret "$SECRET" \
  --redirect-uri https://rp.example/cb --login bench@example.org --password 'Bench-2026!x' \
  --concurrency "$CONCURRENCY" --flows "$FLOWS" --hash-threads 1)"
printf '%s\n' "$OUT"
# The driver's raw rate is on its own core; the server hashes on CPU 0: read it there too, in a
# plain block and in huge pages (as the server's workers hash), right after the sign-ins.
FLOWS_PER_S="$(sed -n 's/.* \([0-9.]*\) flows\/s.*/\1/p' <<<"$OUT")"
for huge in false true; do
  RAW="$(taskset -c 0 "$DRIVER" --scenario argon2 --hash-threads 1 --seconds 5 --huge-pages "$huge" |
    sed -n 's/^RESULT //p' | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["per_s"], 1))')"
  awk -v f="$FLOWS_PER_S" -v r="$RAW" -v h="$huge" 'BEGIN {
    printf "raw argon2id on the server core (CPU 0)%s: %.1f hashes/s; flows/s ÷ that: %.2f\n",
      (h == "true" ? ", huge pages" : ""), r, f / r }'
done
echo "RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status)"
# CPU the server spent per sign-in (the warm-up flow included), and how much of it the argon2
# workers took: their share is the ratio the machine's other load does not move.
ARGON=0
for t in /proc/$PID/task/*; do
  if [[ $(cat "$t/comm" 2>/dev/null) == vhod-argon2-* ]]; then
    ARGON=$((ARGON + $(awk '{print $14 + $15}' "$t/stat")))
  fi
done
awk -v t="$(( $(cpu_ticks) - CPU0 ))" -v a="$ARGON" -v n="$((FLOWS + 1))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
  printf "server CPU per sign-in: %.2f ms", t * 1000 / hz / n
  if (a > 0) printf "; argon2 workers %.2f ms of it: share %.3f", a * 1000 / hz / n, a / t
  printf "\n" }'
