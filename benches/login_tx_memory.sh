#!/usr/bin/env bash
# What pending sign-ins cost in memory: a release node on SQLite with the memory cache (the one-node
# default) answers N `GET /authorize` from one address — each keeps a login transaction for
# session.login_tx_ttl — and the script prints the node's RSS before and after, and the statuses.
#   bash benches/login_tx_memory.sh [N]
# LIMITS=lifted (default) measures the transactions themselves; LIMITS=default keeps the
# per-address limit of authorization requests (login.authorize_rate_per_minute) and shows what
# it leaves of the same requests. VHOD_CACHE__MEMORY_MAX_MB=4 shows the memory cache's bound: the
# transactions that fit, then 503. Loopback only; the loop is bounded by N.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
N="${1:-18000}"
cargo build --release --locked --bin vhod
BIN="$CARGO_TARGET_DIR/release/vhod"
DIR="$(mktemp -d -t vhod-txmem.XXXXXX)"
PORT=18556
export VHOD_SERVER__BIND="127.0.0.1:$PORT" VHOD_SERVER__ISSUER="http://localhost:$PORT" \
  VHOD_DATABASE__URL="sqlite://$DIR/vhod.db" VHOD_KEYS__KEK_FILE="$DIR/kek" VHOD_LOG=error
if [[ ${LIMITS:-lifted} == lifted ]]; then
  export VHOD_LOGIN__AUTHORIZE_RATE_PER_MINUTE=10000000 VHOD_LOGIN__AUTHORIZE_RATE_BURST=1000000
fi
CLIENT_ID="$(cd "$DIR" && "$BIN" clients add --name "Портал" --redirect-uri https://portal.example.gov/callback \
  --public --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["client_id"])')"
(cd "$DIR" && exec taskset -c 0 "$BIN" serve) &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.5
done
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
BEFORE="$(rss_kib)"
taskset -c 1 python3 - "$PORT" "$CLIENT_ID" "$N" <<'PY'
import http.client, sys, urllib.parse
port, client_id, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
statuses = {}
for i in range(n):
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "scope": "openid profile",
        "redirect_uri": "https://portal.example.gov/callback", "state": f"state-{i}",
        "nonce": "n-0S6_WzA2Mj", "code_challenge_method": "S256",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"})
    conn.request("GET", "/authorize?" + query)
    response = conn.getresponse()
    response.read()
    statuses[response.status] = statuses.get(response.status, 0) + 1
print(f"{n} GET /authorize from one address: statuses {statuses}")
PY
sleep 2
AFTER="$(rss_kib)"
echo "RSS before $((BEFORE / 1024)) MiB, after $((AFTER / 1024)) MiB:" \
  "$(((AFTER - BEFORE) * 1024 / N)) bytes a request (limits: ${LIMITS:-lifted})"
