#!/usr/bin/env bash
# A backlog worked off: one vhod node (release build) on a fresh PostgreSQL database finds N sessions
# that expired two days ago and N grants of ninety days ago that answer for nothing (no refresh
# token, no live session) — what a service leaves behind when it makes more of them between two
# sweeps than a sweep deletes, or what an upgrade from a release without the sweep finds. Prints,
# every few seconds from the node's start, the rows left and how long /readyz (a round trip to the
# database) took, then when the first sweep began, when each table was clear, the rows a second and
# the longest /readyz meanwhile; and the load driver's refresh scenario (rotating refresh tokens:
# writes to the tables being swept) for LOAD_SECONDS (8) before the first sweep and again while
# the backlog goes, so what the catching up costs the requests is seen side by side.
#   bash benches/scale/sweep_backlog.sh [N]        # N = 1 000 000
# Knobs: PERIOD (retention.sweep_secs, 60: the first sweep a period after the start), SWEEP_BATCHES
# (retention.sweep_batches, the default 100), LIMIT (900 s: the script gives up), LOAD_SECONDS (8;
# 0: no load), CONCURRENCY (16), SERVER_CPU (0), LOAD_CPU (1),
# BASE_PORT (18730), REDIS_PORT (16393), PGHOST/PGPORT/PGUSER, CARGO_TARGET_DIR. Loopback only;
# the database is dropped at the end.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
N="${1:-1000000}"
PERIOD="${PERIOD:-60}"
SWEEP_BATCHES="${SWEEP_BATCHES:-100}"
LIMIT="${LIMIT:-900}"
LOAD_SECONDS="${LOAD_SECONDS:-8}"
CONCURRENCY="${CONCURRENCY:-16}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
BASE_PORT="${BASE_PORT:-18730}"
REDIS_PORT="${REDIS_PORT:-16393}"
RP_ALG=ES256
PGHOST_="${PGHOST:-127.0.0.1}"
PGPORT_="${PGPORT:-5432}"
PGUSER_="${PGUSER:-postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
# shellcheck source=../load/lib.sh
source "$HERE/../load/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM
for c in taskset curl python3 psql; do command -v "$c" >/dev/null || die "$c is required"; done

prepare vhod-sweep-backlog
DIR="$(mktemp -d -t vhod-sweep-backlog.XXXXXX)"
TMPDIRS+=("$DIR")
DB="vhod_sweep_backlog_$$"
new_database "$DB"
start_redis
DB_URL="postgres://$PGUSER_@$PGHOST_:$PGPORT_/$DB"
export VHOD_RETENTION__SWEEP_SECS="$PERIOD" VHOD_RETENTION__SWEEP_BATCHES="$SWEEP_BATCHES"
start_nodes pg-1 "$DIR" "$DB_URL" "redis://127.0.0.1:$REDIS_PORT" "$BASE_PORT" 1
t0="$(date +%s.%N)"
URL="http://127.0.0.1:$BASE_PORT/readyz"
q() { psql -q -X -At -v ON_ERROR_STOP=1 "$DB_URL" "$@"; }

echo "== a sweep's backlog: $(date -u '+%Y-%m-%d %H:%M UTC'), vhod $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load avg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   one node on CPU $SERVER_CPU, PostgreSQL unpinned; sweep_secs $PERIOD, sweep_batches $SWEEP_BATCHES; $N sessions and $N grants"
account="$(q -c "SELECT id FROM accounts LIMIT 1")"
client="$(q -c "SELECT id FROM clients LIMIT 1")"
now="$(date +%s)"
q -c "INSERT INTO sessions (id_hash, account_id, auth_time, acr, amr, persistent, user_agent, ip,
        created_at, last_seen, expires_at)
      SELECT 'backlog-' || i, '$account', $now - 864000, 'urn:vhod:acr:low', '[\"pwd\"]', 0,
        'bench', '127.0.0.1', $now - 864000, $now - 864000, $now - 172800 + i % 3600
      FROM generate_series(1, $N) i" \
  -c "INSERT INTO grants (id, account_id, client_id, scopes, acr, amr, auth_time, created_at)
      SELECT 'backlog-' || i, '$account', '$client', 'openid', 'urn:vhod:acr:low', '[\"pwd\"]',
        $now - 7776000, $now - 7776000 + i / 10 FROM generate_series(1, $N) i" \
  -c "ANALYZE sessions" -c "ANALYZE grants"
printf '   filled %.0f s after the start\n' "$(echo "$(date +%s.%N) - $t0" | bc)"

refresh_load() { # $1 label: the driver's refresh scenario against the node; its result line
  ((LOAD_SECONDS > 0)) || return 0
  local line
  line="$(taskset -c "$LOAD_CPU" "$DRIVER" --scenario refresh --nodes "$CLUSTER_NODES" \
    --server-pids "$CLUSTER_PIDS" --duration "$LOAD_SECONDS" --warmup 1 \
    --concurrency "$CONCURRENCY" "${CLUSTER_ARGS[@]}" | sed -n 's/^RESULT //p' | tail -1)"
  python3 -c 'import json, sys
r = json.loads(sys.argv[2])
print("   refresh %s: %.0f/s, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, errors %d" % (sys.argv[1],
      r["per_s"], r["p50_ms"], r["p99_ms"], r["p999_ms"], r["errors"]))' "$1" "$line"
}
refresh_load "before the first sweep"

FIRST="$WORK/first-sweep"
python3 - "$DB_URL" "$URL" "$t0" "$N" "$LIMIT" "$FIRST" <<'PY' &
import subprocess, sys, time, urllib.request
db, url, t0, n, limit = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
marker = sys.argv[6]
def left():
    out = subprocess.run(["psql", "-X", "-At", db, "-c",
        "SELECT (SELECT COUNT(*) FROM sessions WHERE id_hash LIKE 'backlog-%'), "
        "(SELECT COUNT(*) FROM grants WHERE id LIKE 'backlog-%')"],
        capture_output=True, text=True, check=True).stdout.strip().split("|")
    return int(out[0]), int(out[1])
def ready_ms():
    s = time.monotonic()
    with urllib.request.urlopen(url, timeout=30) as r:
        r.read()
    return (time.monotonic() - s) * 1000
first = clear = None
clear_at = {}
worst_idle = worst_busy = 0.0
last_print = -10
print(f"{'s':>6} {'sessions left':>14} {'grants left':>12} {'readyz ms':>10}")
while True:
    t = time.time() - t0
    ms = ready_ms()
    s, g = left()
    if first is None and (s < n or g < n):
        first = t
        open(marker, "w").close()
    if first is None:
        worst_idle = max(worst_idle, ms)
    else:
        worst_busy = max(worst_busy, ms)
    for name, rows in (("sessions", s), ("grants", g)):
        if rows == 0 and name not in clear_at:
            clear_at[name] = t
    if t - last_print >= 5 or len(clear_at) == 2:
        print(f"{t:6.0f} {s:14d} {g:12d} {ms:10.1f}", flush=True)
        last_print = t
    if len(clear_at) == 2:
        break
    if t > limit:
        sys.exit(f"not clear after {limit:.0f} s")
    time.sleep(0.5)
print(f"first rows gone {first:.0f} s after the start (the first sweep, a period after it)")
for name, at in clear_at.items():
    print(f"{name}: {n} rows gone within {at - first:.0f} s of it: {n / max(at - first, 1):.0f} rows/s")
print(f"longest /readyz: {worst_idle:.1f} ms before the first sweep, {worst_busy:.1f} ms while the backlog went")
PY
MONITOR=$!
for _ in $(seq 1 $((LIMIT * 10))); do
  [[ -e $FIRST ]] && break
  kill -0 "$MONITOR" 2>/dev/null || break
  sleep 0.1
done
refresh_load "while the backlog goes"
wait "$MONITOR"
