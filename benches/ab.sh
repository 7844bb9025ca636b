#!/usr/bin/env bash
# A/B of two vhod binaries on one scenario of the load driver: each binary is started ROUNDS times
# in turn (A, B, A, B, …) on a fresh SQLite database + memory cache, pinned to SERVER_CPU, the
# driver to LOAD_CPU; every round prints req/s and the server's CPU µs per request (from /proc),
# which a busy shared machine moves less than req/s. Release binaries built beforehand, e.g. the
# commit before a change in a git worktree sharing CARGO_TARGET_DIR (copy each binary away after
# its build: both builds write target/release/vhod).
#   bash benches/ab.sh /tmp/vhod-before /tmp/vhod-after refresh      (ROUNDS=3 DURATION=8)
set -euo pipefail
cd "$(dirname "$0")/.."
A="$1" B="$2" SCENARIO="${3:-refresh}"
ROUNDS="${ROUNDS:-3}" DURATION="${DURATION:-8}" SERVER_CPU="${SERVER_CPU:-0}" LOAD_CPU="${LOAD_CPU:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
DRIVER="$CARGO_TARGET_DIR/release/examples/load"
[[ -x $DRIVER ]] || cargo build --release --locked --example load
PORT=18580
ISSUER="http://localhost:$PORT"
PID=""
DIR=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; [[ -n $DIR ]] && rm -rf "$DIR"; true; }
trap cleanup EXIT
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

round() { # $1 label, $2 binary
  DIR="$(mktemp -d -t vhod-ab.XXXXXX)"
  export VHOD_SERVER__BIND="127.0.0.1:$PORT" VHOD_SERVER__ISSUER="$ISSUER" VHOD_LOG=warn \
    VHOD_DATABASE__URL="sqlite://$DIR/vhod.db" VHOD_KEYS__KEK_FILE="$DIR/kek" VHOD_DEV__ENABLED=false \
    VHOD_LOGIN__RATE_PER_MINUTE=10000000 VHOD_LOGIN__RATE_BURST=1000000 \
    VHOD_LOGIN__AUTHORIZE_RATE_PER_MINUTE=10000000 VHOD_LOGIN__AUTHORIZE_RATE_BURST=1000000
  (cd "$DIR" && exec taskset -c "$SERVER_CPU" "$2" serve) >"$DIR/serve.log" 2>&1 &
  PID=$!
  local i
  for i in $(seq 1 120); do
    curl -sf "$ISSUER/.well-known/openid-configuration" >/dev/null 2>&1 && break
    sleep 0.25
  done
  local rp cc
  rp="$(cd "$DIR" && "$2" clients add --name ab-rp --redirect-uri https://rp.example/cb --id-token-alg ES256 --json)"
  cc="$(cd "$DIR" && "$2" clients add --name ab-cc --grant-type client_credentials --scope api.read --id-token-alg ES256 --json)"
  printf '%s' 'Bench-2026!x' | (cd "$DIR" && "$2" accounts create --surname Нагрузкин --name Тест \
    --email bench@example.org --password-stdin) >/dev/null
  local out
  out="$(taskset -c "$LOAD_CPU" "$DRIVER" --scenario "$SCENARIO" --nodes "http://127.0.0.1:$PORT" \
    --duration "$DURATION" --warmup 2 --concurrency 16 --server-pids "$PID" \
    --client-id "$(field client_id <<<"$rp")" --client-secret "$(field client_secret <<<"$rp")" \
    --redirect-uri https://rp.example/cb --login bench@example.org --password 'Bench-2026!x' \
    --cc-client-id "$(field client_id <<<"$cc")" --cc-client-secret "$(field client_secret <<<"$cc")" |
    grep '^RESULT ' | cut -d' ' -f2-)"
  python3 - "$1" "$out" <<'EOF'
import json, sys
r = json.loads(sys.argv[2])
rate, cpu = r.get("per_s"), r.get("server_cpu")
per = f"{cpu / rate * 1e6:.1f} µs CPU/req" if rate and cpu else "?"
print(f"{sys.argv[1]}: {rate:.0f} req/s, server {cpu * 100:.0f}% → {per}, errors {r.get('errors')}")
EOF
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  rm -rf "$DIR"; DIR=""
}

echo "A = $A; B = $B; scenario $SCENARIO, ${DURATION}s after 2 s warm-up, $ROUNDS rounds, load avg $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  round "A$r" "$A"
  round "B$r" "$B"
done
