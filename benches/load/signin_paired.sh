#!/usr/bin/env bash
# Sign-in against the raw argon2id rate, paired: issue 15's "complete sign-in >= 0.95 x the raw
# argon2id rate at the production cost", measured so that the host's drift cancels. run.sh reads
# the raw rate for 16 s around a 20 s sign-in run and takes the mean; on a host whose speed moves by
# a tenth or more within a minute that mean is off by as much as the target's margin. Here the node
# stays up and the server core alternates, in rounds, between the sign-in load and the raw rate —
# argon2id in a plain allocation and in huge pages, as vhod's workers hash — in ABBA order (raw
# then sign-in, sign-in then raw, …) so that a steady drift moves both sides alike. Each round
# gives its ratios; the median, the lowest and the highest are printed, per wall second and per
# CPU-second, with argon2id's share of the server's CPU in each round (which needs no second
# measurement at all).
#
#   bash benches/load/signin_paired.sh                       # sqlite-1, 6 rounds
#   TOPOLOGY=pg-1 ROUNDS=8 bash benches/load/signin_paired.sh
#
# Knobs (defaults): TOPOLOGY (sqlite-1, or pg-1: one node on PostgreSQL + a private Redis), ROUNDS
# (6), SIGNIN_DURATION (10 s a sign-in run), RAW_SECONDS (4 s a raw-rate run), WARMUP (2 s),
# CONCURRENCY (16), SERVER_CPU (0), LOAD_CPU (1), BASE_PORT (18720), REDIS_PORT (16392),
# PGHOST/PGPORT/PGUSER, CARGO_TARGET_DIR. The node's settings are run.sh's. Exit status non-zero
# when any sign-in failed.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TOPOLOGY="${TOPOLOGY:-sqlite-1}"
ROUNDS="${ROUNDS:-6}"
SIGNIN_DURATION="${SIGNIN_DURATION:-10}"
DURATION="$SIGNIN_DURATION" # lib.sh's drive reads DURATION (only sign-in runs here)
RAW_SECONDS="${RAW_SECONDS:-4}"
WARMUP="${WARMUP:-2}"
CONCURRENCY="${CONCURRENCY:-16}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
BASE_PORT="${BASE_PORT:-18720}"
REDIS_PORT="${REDIS_PORT:-16392}"
RP_ALG=ES256
PGHOST_="${PGHOST:-127.0.0.1}"
PGPORT_="${PGPORT:-5432}"
PGUSER_="${PGUSER:-postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ $TOPOLOGY == sqlite-1 || $TOPOLOGY == pg-1 ]] || die "TOPOLOGY must be sqlite-1 or pg-1"
((ROUNDS >= 2)) || die "ROUNDS must be at least 2 (the order alternates)"
for c in taskset curl python3 timeout; do command -v "$c" >/dev/null || die "$c is required"; done

prepare vhod-signin-paired

DIR="$(mktemp -d -t "vhod-signin-paired-$TOPOLOGY.XXXXXX")"
TMPDIRS+=("$DIR")
if [[ $TOPOLOGY == sqlite-1 ]]; then
  DB_URL="sqlite://$DIR/vhod.db" CACHE_URL=memory
else
  DB="vhod_signin_paired_$$"
  new_database "$DB"
  start_redis
  DB_URL="postgres://$PGUSER_@$PGHOST_:$PGPORT_/$DB" CACHE_URL="redis://127.0.0.1:$REDIS_PORT"
fi
echo "-- $TOPOLOGY: one node on CPU $SERVER_CPU, database $DB_URL, cache $CACHE_URL" >&2
start_nodes "$TOPOLOGY" "$DIR" "$DB_URL" "$CACHE_URL" "$BASE_PORT" 1

raw() { # $1 round: both raw rates, plain and huge pages, in the round's order
  local kinds=(argon2 argon2-huge) k
  (($1 % 2 == 0)) && kinds=(argon2-huge argon2)
  for k in "${kinds[@]}"; do
    local extra=()
    [[ $k == argon2-huge ]] && extra=(--huge-pages true)
    CEILING_AS="$k" ceiling "$TOPOLOGY#$1" argon2 --hash-threads 1 --seconds "$RAW_SECONDS" "${extra[@]}"
  done
}

echo "== sign-in / raw argon2id, paired: $(date -u '+%Y-%m-%d %H:%M UTC'), vhod $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load avg at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $TOPOLOGY; $ROUNDS rounds of a ${SIGNIN_DURATION}s sign-in run (after ${WARMUP}s warm-up, $CONCURRENCY workers)" \
  "and ${RAW_SECONDS}s of each raw rate, ABBA order; node and raw rates on CPU $SERVER_CPU, driver on CPU $LOAD_CPU;" \
  "production argon2id cost; settings as run.sh's"
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2 == 1)); then
    raw "$r"
    drive "$TOPOLOGY#$r" signin "$CLUSTER_NODES" "$CLUSTER_PIDS" "${CLUSTER_ARGS[@]}"
  else
    drive "$TOPOLOGY#$r" signin "$CLUSTER_NODES" "$CLUSTER_PIDS" "${CLUSTER_ARGS[@]}"
    raw "$r"
  fi
done
echo "{\"kind\": \"load\", \"end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$RESULTS"
echo
python3 "$HERE/signin_paired.py" "$RESULTS" || FAILED=1
if ((FAILED)); then
  echo "FAILED: some sign-ins failed; the figures are not a measurement." >&2
  exit 1
fi
