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
PID=""
DIR=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; [[ -n $DIR ]] && rm -rf "$DIR"; true; }
trap cleanup EXIT
. benches/one_node.sh

round() { # $1 label, $2 binary
  DIR="$(mktemp -d -t vhod-ab.XXXXXX)"
  one_node_env "$DIR" "$PORT"
  (cd "$DIR" && exec taskset -c "$SERVER_CPU" "$2" serve) >"$DIR/serve.log" 2>&1 &
  PID=$!
  one_node_ready "$PORT" 30
  one_node_provision "$2" "$DIR"
  local out
  out="$(taskset -c "$LOAD_CPU" "$DRIVER" --scenario "$SCENARIO" --nodes "http://127.0.0.1:$PORT" \
    --duration "$DURATION" --warmup 2 --concurrency 16 --server-pids "$PID" \
    "${NODE_ARGS[@]}" |
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
