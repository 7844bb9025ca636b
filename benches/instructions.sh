#!/usr/bin/env bash
# Instructions per request of two vhod binaries on one scenario of the load driver, counted by
# valgrind's callgrind in the server: unlike CPU time, the count does not move with what else the
# shared machine is doing, so a change of a few per cent shows in one run. Each binary serves a
# fresh SQLite database + memory cache under callgrind; the driver warms it up, the counters are
# zeroed, then SECONDS_RUN of the scenario run with CONCURRENCY workers and the server's count (all
# its threads, user space only: the kernel's work is not counted) is divided by the iterations.
# The driver's own set-up (a scenario's sign-ins for its tokens) falls inside the count, so the
# argon2id cost is made cheap (64 KiB, one pass) unless ARGON2=production.
#   bash benches/instructions.sh /tmp/vhod-before /tmp/vhod-after userinfo   (SECONDS_RUN=5 CONCURRENCY=4)
set -euo pipefail
cd "$(dirname "$0")/.."
A="$1" B="$2" SCENARIO="${3:-userinfo}"
RUN_SECONDS="${SECONDS_RUN:-5}" CONCURRENCY="${CONCURRENCY:-4}"
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
DRIVER="$CARGO_TARGET_DIR/release/examples/load"
[[ -x $DRIVER ]] || cargo build --release --locked --example load
PORT=18590
PID="" DIR=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; [[ -n $DIR ]] && rm -rf "$DIR"; true; }
trap cleanup EXIT
. benches/one_node.sh
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

count() { # $1 label, $2 binary
  DIR="$(mktemp -d -t vhod-instr.XXXXXX)"
  one_node_env "$DIR" "$PORT"
  if [[ ${ARGON2:-cheap} != production ]]; then
    export VHOD_PASSWORD__MEMORY_KIB=64 VHOD_PASSWORD__ITERATIONS=1
  fi
  (cd "$DIR" && exec valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.out" "$2" serve) \
    >"$DIR/serve.log" 2>&1 &
  PID=$!
  one_node_ready "$PORT" 120
  one_node_provision "$2" "$DIR"
  local args=(--nodes "http://127.0.0.1:$PORT" --warmup 0 --concurrency "$CONCURRENCY" "${NODE_ARGS[@]}")
  "$DRIVER" --scenario "$SCENARIO" --duration 2 "${args[@]}" >/dev/null
  callgrind_control -z "$PID" >/dev/null 2>&1
  local ok
  ok="$("$DRIVER" --scenario "$SCENARIO" --duration "$RUN_SECONDS" "${args[@]}" | grep '^RESULT ' |
    cut -d' ' -f2- | field ok)"
  callgrind_control -d "$PID" >/dev/null 2>&1
  sleep 1
  local ir
  ir="$(cat "$DIR"/cg.out.* | awk '/^totals:/ {s += $2} END {print s}')"
  echo "$1: $ok iterations, $((ir / ok)) instructions each ($(basename "$2"))"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  rm -rf "$DIR"; DIR=""
}

echo "scenario $SCENARIO, ${RUN_SECONDS}s after 2 s warm-up, $CONCURRENCY workers, argon2id ${ARGON2:-cheap}"
count A "$A"
count B "$B"
