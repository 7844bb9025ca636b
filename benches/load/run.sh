#!/usr/bin/env bash
# vhod under load: scenarios × topologies in one run, one table (see README.md beside this).
# Release build; production argon2id cost (config defaults); VHOD_DEV__ENABLED=false; the per-IP
# login rate limit lifted (every request comes from 127.0.0.1). Servers (vhod nodes, oidc-provider,
# the private redis-server) pinned to CPU $SERVER_CPU, the load driver to CPU $LOAD_CPU; loopback
# only; every run bounded in time.
#
#   bash benches/load/run.sh
#   DURATION=5 CONCURRENCY=8 ONLY=signin,cc bash benches/load/run.sh
#   ONLY=sqlite-1 bash benches/load/run.sh          # one topology, every scenario
#
# Knobs (defaults): DURATION (10 s per scenario), SIGNIN_DURATION (2 × DURATION), WARMUP (2 s),
# CONCURRENCY (16 workers), ONLY (comma-separated scenarios and/or topologies; empty = all),
# SERVER_CPU (0), LOAD_CPU (1), BASE_PORT (18700), REDIS_PORT (16390), OP_PORT (18790),
# OIDC_PROVIDER_VERSION (9), RP_ALG (ES256: the sign-in portal's token algorithm; RS256 adds two
# RSA-2048 signatures to every sign-in), PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres), CARGO_TARGET_DIR.
# Exit status non-zero when any request of any run failed.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-10}"
DURATION="${DURATION%s}"
SIGNIN_DURATION="${SIGNIN_DURATION:-$((${DURATION%.*} * 2))}"
WARMUP="${WARMUP:-2}"
WARMUP="${WARMUP%s}"
CONCURRENCY="${CONCURRENCY:-16}"
RP_ALG="${RP_ALG:-ES256}"
ONLY="${ONLY:-}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
BASE_PORT="${BASE_PORT:-18700}"
REDIS_PORT="${REDIS_PORT:-16390}"
OP_PORT="${OP_PORT:-18790}"
OIDC_PROVIDER_VERSION="${OIDC_PROVIDER_VERSION:-9}"
PGHOST_="${PGHOST:-127.0.0.1}"
PGPORT_="${PGPORT:-5432}"
PGUSER_="${PGUSER:-postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"

SCENARIOS=(signin refresh cc userinfo introspect discovery)
TOPOLOGIES=(sqlite-1 pg-1 pg-3 oidc-provider)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- ONLY
WANT_S=()
WANT_T=()
for w in ${ONLY//,/ }; do
  if [[ " ${SCENARIOS[*]} " == *" $w "* ]]; then WANT_S+=("$w")
  elif [[ " ${TOPOLOGIES[*]} " == *" $w "* ]]; then WANT_T+=("$w")
  else die "ONLY: '$w' is neither a scenario (${SCENARIOS[*]}) nor a topology (${TOPOLOGIES[*]})"; fi
done
((${#WANT_S[@]})) || WANT_S=("${SCENARIOS[@]}")
((${#WANT_T[@]})) || WANT_T=("${TOPOLOGIES[@]}")
want_s() { [[ " ${WANT_S[*]} " == *" $1 "* ]]; }
want_t() { [[ " ${WANT_T[*]} " == *" $1 "* ]]; }

# ---------------------------------------------------------------- preflight and build
for c in taskset curl python3 timeout; do command -v "$c" >/dev/null || die "$c is required"; done
NCPU="$(nproc)"
((SERVER_CPU < NCPU && LOAD_CPU < NCPU)) || die "CPUs $SERVER_CPU and $LOAD_CPU must exist (nproc=$NCPU)"
prepare vhod-load

LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== vhod under load: $(date -u '+%Y-%m-%d %H:%M UTC'), vhod $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $NCPU CPUs, load avg at start $LOAD_AT_START"
echo "   servers on CPU $SERVER_CPU, driver on CPU $LOAD_CPU; ${DURATION}s per scenario (sign-in ${SIGNIN_DURATION}s)" \
  "after ${WARMUP}s warm-up; $CONCURRENCY concurrent workers; requests round-robin over the nodes"
echo "   production argon2id cost (config defaults), VHOD_DEV__ENABLED=false, per-address login and" \
  "authorization rate limits lifted (VHOD_LOGIN__RATE_PER_MINUTE and AUTHORIZE_RATE_PER_MINUTE=10000000," \
  "RATE_BURST and AUTHORIZE_RATE_BURST=1000000: all load comes from 127.0.0.1)"

# ---------------------------------------------------------------- one vhod topology
ISSUER=""
KEK=""
run_topology() { # $1 topology: sqlite-1 | pg-1 | pg-3
  local topo=$1 n=1 db_url cache_url dir
  [[ $topo == pg-3 ]] && n=3
  dir="$(mktemp -d -t "vhod-load-$topo.XXXXXX")"
  TMPDIRS+=("$dir")
  local dbname="vhod_load_$$_${topo//-/_}"
  if [[ $topo == sqlite-1 ]]; then
    db_url="sqlite://$dir/vhod.db"
    cache_url="memory"
  else
    new_database "$dbname"
    start_redis
    db_url="postgres://$PGUSER_@$PGHOST_:$PGPORT_/$dbname"
    cache_url="redis://127.0.0.1:$REDIS_PORT"
  fi
  echo "-- $topo: $n node(s), database $db_url, cache $cache_url" >&2
  start_nodes "$topo" "$dir" "$db_url" "$cache_url" "$BASE_PORT" "$n"
  local nodes=$CLUSTER_NODES pid_list=$CLUSTER_PIDS args=("${CLUSTER_ARGS[@]}") pids s i
  IFS=, read -r -a pids <<<"$CLUSTER_PIDS"
  for s in "${SCENARIOS[@]}"; do
    want_s "$s" || continue
    # What bounds the scenario, on the server core right before it (the nodes idle meanwhile);
    # the raw argon2id rate also right after it (the host's speed drifts within a minute: the
    # ratio is read against the mean of the two), each also in huge pages, as vhod's workers hash.
    if [[ $s == signin ]]; then
      ceiling "$topo" argon2 --hash-threads 1 --seconds 4
      CEILING_AS=argon2-huge ceiling "$topo" argon2 --hash-threads 1 --seconds 4 --huge-pages true
    fi
    if [[ $s == cc ]]; then ceiling "$topo" es256 --seconds 3; fi
    drive "$topo" "$s" "$nodes" "$pid_list" "${args[@]}"
    if [[ $s == signin ]]; then
      CEILING_AS=argon2-after ceiling "$topo" argon2 --hash-threads 1 --seconds 4
      CEILING_AS=argon2-huge-after ceiling "$topo" argon2 --hash-threads 1 --seconds 4 --huge-pages true
      for ((i = 0; i < n; i++)); do
        echo "{\"kind\": \"rss\", \"topology\": \"$topo\", \"node\": $((i + 1)), \"rss_mib\": $(rss_mib "${pids[$i]}" VmRSS), \"hwm_mib\": $(rss_mib "${pids[$i]}" VmHWM)}" >>"$RESULTS"
      done
    fi
  done
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  [[ $topo == sqlite-1 ]] || drop_database "$dbname"
}

for t in sqlite-1 pg-1 pg-3; do
  want_t "$t" && run_topology "$t"
done

# ---------------------------------------------------------------- oidc-provider (comparable: cc, discovery)
if want_t oidc-provider && { want_s cc || want_s discovery; }; then
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required for oidc-provider"
  OP_DIR="$(mktemp -d -t oidc-provider-load.XXXXXX)"
  TMPDIRS+=("$OP_DIR")
  echo "-- oidc-provider@$OIDC_PROVIDER_VERSION from npm (benches/compare/oidc-provider-server.mjs)" >&2
  (cd "$OP_DIR" && timeout 300 npm init -y && timeout 300 npm install "oidc-provider@$OIDC_PROVIDER_VERSION" --no-audit --no-fund) \
    >"$OP_DIR/npm.log" 2>&1 || { tail -20 "$OP_DIR/npm.log" >&2; die "npm install oidc-provider failed"; }
  cp "$ROOT/benches/compare/oidc-provider-server.mjs" "$OP_DIR/server.mjs"
  OP_VERSION="$(cd "$OP_DIR" && node -p 'require("./node_modules/oidc-provider/package.json").version')"
  port_free "$OP_PORT" || die "something already listens on 127.0.0.1:$OP_PORT (set OP_PORT)"
  OP_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  (cd "$OP_DIR" && exec env NODE_ENV=production PORT="$OP_PORT" CLIENT_ID=bench-es CLIENT_SECRET="$OP_SECRET" \
    taskset -c "$SERVER_CPU" node server.mjs) >"$OP_DIR/serve.log" 2>&1 &
  OP_PID=$!
  PIDS+=("$OP_PID")
  wait_http "$OP_PID" "http://127.0.0.1:$OP_PORT/.well-known/openid-configuration" "$OP_DIR/serve.log"
  echo "   oidc-provider $OP_VERSION on Node.js $(node --version)" >&2
  for s in cc discovery; do
    want_s "$s" || continue
    drive oidc-provider "$s" "http://127.0.0.1:$OP_PORT" "$OP_PID" \
      --cc-client-id bench-es --cc-client-secret "$OP_SECRET"
  done
  if grep -q 'server_error\|grant.error' "$OP_DIR/serve.log"; then
    FAILED=1
    echo "   !! oidc-provider logged errors:" >&2
    grep 'server_error\|grant.error' "$OP_DIR/serve.log" | head -5 >&2
  fi
  stop_pid "$OP_PID"
  echo "{\"kind\": \"note\", \"text\": \"oidc-provider $OP_VERSION on Node.js $(node --version)\"}" >>"$RESULTS"
fi

echo "{\"kind\": \"load\", \"start\": \"$LOAD_AT_START\", \"end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$RESULTS"
echo
python3 "$HERE/report.py" "$RESULTS" || FAILED=1
if ((FAILED)); then
  echo
  echo "FAILED: some runs had errors (see above); their figures are not a measurement." >&2
  exit 1
fi
