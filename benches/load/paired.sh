#!/usr/bin/env bash
# Three nodes against one, paired: issue 15's "3 nodes within 15 % of one node", measured so that
# the host's drift cancels. run.sh measures pg-1's six scenarios, then pg-3's, a minute or more
# apart; on a host whose speed moves by half within a minute that ratio measures the host as much
# as vhod. Here both clusters run at once — one node on its own database, three nodes on another,
# one private Redis with a prefix per cluster, every node pinned to the server core, an idle
# cluster costing nothing — and the driver alternates between them in rounds of short runs
# (ABBA order, so a steady drift moves both sides alike). Each round gives one ratio; the median,
# the lowest and the highest are printed per scenario, per wall second and per CPU-second.
#
#   bash benches/load/paired.sh
#   ROUNDS=5 DURATION=4 ONLY=userinfo,discovery bash benches/load/paired.sh
#
# Knobs (defaults): ROUNDS (4), DURATION (6 s a run), SIGNIN_DURATION (2 × DURATION), WARMUP (1 s),
# CONCURRENCY (16), ONLY (scenarios: signin refresh cc userinfo introspect discovery), SERVER_CPU (0),
# LOAD_CPU (1), BASE_PORT (18710: the nodes take 18710–18713), REDIS_PORT (16391),
# PGHOST/PGPORT/PGUSER, CARGO_TARGET_DIR. PERF_STAT=1 adds the nodes' CPU time, context switches
# and page faults per request (perf stat's software counters over each timed run);
# PERF_RECORD=PREFIX samples where the nodes' CPU goes instead (PREFIX.TOPOLOGY.SCENARIO.data, for
# `perf report -i`). Exit status non-zero when any request failed.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROUNDS="${ROUNDS:-4}"
DURATION="${DURATION:-6}"
SIGNIN_DURATION="${SIGNIN_DURATION:-$((DURATION * 2))}"
WARMUP="${WARMUP:-1}"
CONCURRENCY="${CONCURRENCY:-16}"
ONLY="${ONLY:-}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
BASE_PORT="${BASE_PORT:-18710}"
REDIS_PORT="${REDIS_PORT:-16391}"
RP_ALG=ES256
PGHOST_="${PGHOST:-127.0.0.1}"
PGPORT_="${PGPORT:-5432}"
PGUSER_="${PGUSER:-postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
SCENARIOS=(signin refresh cc userinfo introspect discovery)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

WANT=()
for w in ${ONLY//,/ }; do
  [[ " ${SCENARIOS[*]} " == *" $w "* ]] || die "ONLY: '$w' is not a scenario (${SCENARIOS[*]})"
  WANT+=("$w")
done
((${#WANT[@]})) || WANT=("${SCENARIOS[@]}")
((ROUNDS >= 1)) || die "ROUNDS must be at least 1"
for c in taskset curl python3 timeout createdb redis-server; do
  command -v "$c" >/dev/null || die "$c is required"
done

prepare vhod-paired
start_redis

# start_cluster NAME FIRST_PORT NODES: a fresh database and NODES nodes (lib.sh's start_nodes)
start_cluster() {
  local name=$1 dir db
  dir="$(mktemp -d -t "vhod-paired-$name.XXXXXX")"
  TMPDIRS+=("$dir")
  db="vhod_paired_$$_${name//-/_}"
  new_database "$db"
  start_nodes "$name" "$dir" "postgres://$PGUSER_@$PGHOST_:$PGPORT_/$db" "redis://127.0.0.1:$REDIS_PORT" "$2" "$3"
}

echo "-- pg-1 (1 node) and pg-3 (3 nodes), each on its own database, one Redis, all on CPU $SERVER_CPU" >&2
start_cluster pg-1 "$BASE_PORT" 1
ONE_NODES=$CLUSTER_NODES ONE_PIDS=$CLUSTER_PIDS ONE_ARGS=("${CLUSTER_ARGS[@]}")
start_cluster pg-3 $((BASE_PORT + 1)) 3
THREE_NODES=$CLUSTER_NODES THREE_PIDS=$CLUSTER_PIDS THREE_ARGS=("${CLUSTER_ARGS[@]}")

echo "== 3 nodes / 1 node, paired: $(date -u '+%Y-%m-%d %H:%M UTC'), vhod $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load avg at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $ROUNDS rounds of ${DURATION}s runs (sign-in ${SIGNIN_DURATION}s) after ${WARMUP}s warm-up, ABBA order;" \
  "$CONCURRENCY workers; servers on CPU $SERVER_CPU, driver on CPU $LOAD_CPU; settings as run.sh's"
for s in "${WANT[@]}"; do
  for ((r = 1; r <= ROUNDS; r++)); do
    order=(one three)
    ((r % 2 == 0)) && order=(three one)
    for side in "${order[@]}"; do
      if [[ $side == one ]]; then
        drive "pg-1#$r" "$s" "$ONE_NODES" "$ONE_PIDS" "${ONE_ARGS[@]}"
      else
        drive "pg-3#$r" "$s" "$THREE_NODES" "$THREE_PIDS" "${THREE_ARGS[@]}"
      fi
    done
  done
done
echo "{\"kind\": \"load\", \"end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$RESULTS"
echo
python3 "$HERE/paired.py" "$RESULTS" || FAILED=1
if ((FAILED)); then
  echo "FAILED: some runs had errors; their figures are not a measurement." >&2
  exit 1
fi
