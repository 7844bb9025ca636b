# Helpers of benches/load/run.sh (sourced): processes, databases and the driver. Everything it starts
# is recorded and stopped by `cleanup`; every wait is bounded.

PIDS=()
TMPDIRS=()
DATABASES=()
die() { echo "load: $*" >&2; exit 1; }

cleanup() {
  local pid db
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for db in "${DATABASES[@]}"; do
    dropdb -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" --if-exists "$db" 2>/dev/null || true
  done
  if ((${#TMPDIRS[@]})); then rm -rf "${TMPDIRS[@]}"; fi
}

stop_pid() { # $1 pid: stop it and forget it
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local p rest=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || rest+=("$p"); done
  PIDS=("${rest[@]+"${rest[@]}"}")
}

port_free() { # $1 port: nothing may answer there (we would measure a stale server)
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_http() { # $1 pid, $2 URL, $3 log: until the URL answers 200 (60 s at most)
  local _
  for _ in $(seq 1 120); do
    kill -0 "$1" 2>/dev/null || { tail -20 "$3" >&2; die "process $1 exited before $2 answered"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$2") == 200 ]] && return 0
    sleep 0.5
  done
  tail -20 "$3" >&2
  die "$2 not ready after 60 s"
}

rss_mib() { # $1 pid, $2 field (VmRSS or VmHWM)
  awk -v f="$2:" '$1 == f {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0
}

json_field() { # $1 field; JSON on stdin
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# prepare NAME: the run's work folder (removed at exit) with an empty results file, FAILED=0, and
# vhod and the load driver built in release mode (VHOD_BIN, DRIVER).
prepare() {
  WORK="$(mktemp -d -t "$1.XXXXXX")"
  TMPDIRS+=("$WORK")
  RESULTS="$WORK/results.jsonl"
  : >"$RESULTS"
  FAILED=0
  echo "-- building vhod and the load driver (release)" >&2
  (cd "$ROOT" && cargo build --release --locked --bin vhod --example load) >&2
  VHOD_BIN="$CARGO_TARGET_DIR/release/vhod"
  DRIVER="$CARGO_TARGET_DIR/release/examples/load"
  [[ -x $VHOD_BIN && -x $DRIVER ]] || die "no release binaries in $CARGO_TARGET_DIR/release"
}

# ---------------------------------------------------------------- dependencies of a topology
start_redis() { # once: a private redis-server on $REDIS_PORT, no persistence, on the server core
  [[ -n ${REDIS_PID:-} ]] && return 0
  command -v redis-server >/dev/null || die "redis-server is required for the PostgreSQL topologies"
  port_free "$REDIS_PORT" || die "something already listens on 127.0.0.1:$REDIS_PORT (set REDIS_PORT)"
  taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
    --appendonly no --protected-mode yes >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  local _
  for _ in $(seq 1 50); do
    [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.1
  done
  die "redis-server on port $REDIS_PORT did not start"
}

new_database() { # $1 name: a fresh database on the shared PostgreSQL, dropped at exit
  command -v createdb >/dev/null || die "createdb (postgresql-client) is required"
  createdb -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$1" || die "createdb $1 failed"
  DATABASES+=("$1")
}

drop_database() { # $1 name
  dropdb -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" --if-exists "$1" || true
  local d rest=()
  for d in "${DATABASES[@]}"; do [[ $d == "$1" ]] || rest+=("$d"); done
  DATABASES=("${rest[@]+"${rest[@]}"}")
}

# ---------------------------------------------------------------- vhod nodes
# node_env TOPOLOGY DIR DB_URL CACHE_URL PORT: the environment of one node (printed one per line).
node_env() {
  printf '%s\n' \
    "VHOD_SERVER__BIND=127.0.0.1:$5" \
    "VHOD_SERVER__ISSUER=$ISSUER" \
    "VHOD_DATABASE__URL=$3" \
    "VHOD_CACHE__URL=$4" \
    "VHOD_CACHE__PREFIX=vhod-load-$1:" \
    "VHOD_KEYS__KEK=$KEK" \
    "VHOD_KEYS__KEK_FILE=$2/kek-unused" \
    "VHOD_IDENTITY__LETTER_DIR=$2/letters" \
    "VHOD_DEV__ENABLED=false" \
    "VHOD_LOG=warn" \
    "VHOD_LOGIN__RATE_PER_MINUTE=10000000" \
    "VHOD_LOGIN__RATE_BURST=1000000" \
    "VHOD_LOGIN__AUTHORIZE_RATE_PER_MINUTE=10000000" \
    "VHOD_LOGIN__AUTHORIZE_RATE_BURST=1000000"
}

start_node() { # $1 log file, then the node's environment lines; sets NODE_PID
  local log=$1
  shift
  (cd "$(dirname "$log")" && exec env "$@" taskset -c "$SERVER_CPU" "$VHOD_BIN" serve) >"$log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
}

# start_nodes TOPOLOGY DIR DB_URL CACHE_URL FIRST_PORT N: N nodes on ports FIRST_PORT…, one after
# another (the first migrates the database and makes the keys), issuer http://localhost:FIRST_PORT,
# then the driver's portal, client_credentials client and citizen made with the CLI. Sets
# CLUSTER_NODES (URLs, comma-separated), CLUSTER_PIDS and CLUSTER_ARGS (the driver's flags).
start_nodes() {
  local topo=$1 dir=$2 db_url=$3 cache_url=$4 first=$5 n=$6 i
  ISSUER="http://localhost:$first"
  KEK="$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
  local pids=() urls=() env1=()
  for ((i = 0; i < n; i++)); do
    local port=$((first + i))
    port_free "$port" || die "something already listens on 127.0.0.1:$port (set BASE_PORT)"
    mapfile -t envs < <(node_env "$topo" "$dir" "$db_url" "$cache_url" "$port")
    mkdir -p "$dir/node$i"
    start_node "$dir/node$i/serve.log" "${envs[@]}"
    pids+=("$NODE_PID")
    urls+=("http://127.0.0.1:$port")
    wait_http "$NODE_PID" "http://127.0.0.1:$port/.well-known/openid-configuration" "$dir/node$i/serve.log"
    if ((i == 0)); then env1=("${envs[@]}"); fi
  done
  vhod_cli() { (cd "$dir/node0" && env "${env1[@]}" "$VHOD_BIN" "$@"); }
  local rp cc
  rp="$(vhod_cli clients add --name load-rp --redirect-uri https://rp.example/cb --id-token-alg "$RP_ALG" --json)"
  cc="$(vhod_cli clients add --name load-cc --grant-type client_credentials --scope api.read --id-token-alg ES256 --json)"
  printf '%s' 'Bench-2026!x' | vhod_cli accounts create --surname Нагрузкин --name Тест \
    --email bench@example.org --password-stdin >/dev/null
  CLUSTER_NODES="$(IFS=,; echo "${urls[*]}")"
  CLUSTER_PIDS="$(IFS=,; echo "${pids[*]}")"
  CLUSTER_ARGS=(--client-id "$(json_field client_id <<<"$rp")" --client-secret "$(json_field client_secret <<<"$rp")"
    --redirect-uri https://rp.example/cb --login bench@example.org --password 'Bench-2026!x'
    --cc-client-id "$(json_field client_id <<<"$cc")" --cc-client-secret "$(json_field client_secret <<<"$cc")")
}

# ---------------------------------------------------------------- the driver
# drive TOPOLOGY SCENARIO NODES PIDS [extra driver arguments]: one timed run, its RESULT line
# (with the topology added) appended to $RESULTS; a failed run is recorded as such.
drive() {
  local topo=$1 scenario=$2 nodes=$3 pids=$4
  shift 4
  local secs=$DURATION
  [[ $scenario == signin ]] && secs=$SIGNIN_DURATION
  echo "   $topo / $scenario (${secs}s + ${WARMUP}s warm-up, concurrency $CONCURRENCY)" >&2
  local out="$WORK/$topo.$scenario.out" rc=0 perf_pid=""
  if [[ -n ${PERF_STAT:-} ]]; then
    # The nodes' own counters over the timed part of the run (after the warm-up).
    (sleep "$WARMUP" && exec perf stat -x, -e task-clock,context-switches,page-faults \
      -p "$pids" -o "$WORK/$topo.$scenario.perf" -- sleep "$secs") &
    perf_pid=$!
  elif [[ -n ${PERF_RECORD:-} ]]; then
    # Where the nodes' CPU goes: samples of the timed part, for `perf report -i FILE`.
    (sleep "$WARMUP" && exec perf record -q -F 2000 -e cpu-clock -g -p "$pids" \
      -o "$PERF_RECORD.$topo.$scenario.data" -- sleep "$secs") >/dev/null 2>&1 &
    perf_pid=$!
  fi
  timeout $((${secs%.*} + ${WARMUP%.*} + 240)) taskset -c "$LOAD_CPU" "$DRIVER" \
    --scenario "$scenario" --nodes "$nodes" --server-pids "$pids" \
    --duration "$secs" --warmup "$WARMUP" --concurrency "$CONCURRENCY" "$@" \
    >"$out" 2>"$WORK/$topo.$scenario.err" || rc=$?
  local line
  line="$(sed -n 's/^RESULT //p' "$out" | tail -1)"
  [[ -n $perf_pid ]] && { wait "$perf_pid" || true; }
  if [[ -n ${PERF_STAT:-} && -n $line ]]; then
    line="$(python3 -c 'import json, sys
r = json.loads(sys.argv[1])
for row in open(sys.argv[2]):
    f = row.strip().split(",")
    if len(f) > 2 and f[0].replace(".", "").isdigit():
        r["perf_" + f[2].split(":")[0].replace("-", "_")] = float(f[0])
print(json.dumps(r))' "$line" "$WORK/$topo.$scenario.perf")"
  fi
  if [[ -z $line ]]; then
    line="{\"scenario\": \"$scenario\", \"failed\": \"no result (exit $rc)\"}"
  fi
  if ((rc != 0)); then
    FAILED=1
    echo "   !! $topo / $scenario failed (exit $rc):" >&2
    head -5 "$WORK/$topo.$scenario.err" >&2
  fi
  python3 -c 'import json, sys
r = json.loads(sys.argv[1]); r["topology"] = sys.argv[2]
print(json.dumps(r))' "$line" "$topo" >>"$RESULTS"
}

# ceiling TOPOLOGY argon2|es256 [driver arguments]: the raw rate on the server core, recorded beside
# the topology's runs (measured there because that is the core the server hashes and signs on);
# CEILING_AS names the record (default: the driver's scenario name).
ceiling() {
  local topo=$1 what=$2 line
  shift 2
  line="$(taskset -c "$SERVER_CPU" "$DRIVER" --scenario "$what" "$@" | sed -n 's/^RESULT //p')"
  [[ -n $line ]] || die "the $what rate could not be measured"
  python3 -c 'import json, sys
r = json.loads(sys.argv[1]); r["topology"] = sys.argv[2]
if sys.argv[3]: r["scenario"] = sys.argv[3]
print(json.dumps(r))' "$line" "$topo" "${CEILING_AS:-}" >>"$RESULTS"
}
