# Shared by the fault benches (sourced). Everything runs on loopback in a temporary directory that
# the EXIT trap removes (KEEP=1 keeps it); every wait is a bounded loop. Nothing here touches the
# machine's own PostgreSQL (5432) or Redis (6379): each bench starts its own on other ports.
#
# Environment:
#   VHOD_BIN        a built vhod binary to use (else it is built: cargo build --locked --bin vhod)
#   FAULTS_PROFILE  release (default) or debug, when building
#   SECONDS_LOAD    length of the load run (default per bench), WORKERS driver threads (default 6)
#   KEEP=1          keep the temporary directory (logs, acks, request log, database)

set -euo pipefail
FAULTS_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$FAULTS_HERE/../.." && pwd)"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
WORKERS="${WORKERS:-6}"
PIDS=()
DIR=""
PGDATA_DIR=""
STANDBY_DIR=""
MOUNTED=""

faults_init() {
  local name="$1"
  DIR="$(mktemp -d -t "vhod-faults-$name.XXXXXX")"
  chmod 755 "$DIR"
  trap faults_cleanup EXIT
  if [ -z "${VHOD_BIN:-}" ]; then
    local profile="${FAULTS_PROFILE:-release}" flag=""
    [ "$profile" = release ] && flag="--release"
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"
    (cd "$REPO" && cargo build --locked $flag --bin vhod)
    VHOD_BIN="$CARGO_TARGET_DIR/$profile/vhod"
  fi
  local built=release
  file -b "$VHOD_BIN" | grep -q 'with debug_info' && built=debug
  echo "vhod binary: $VHOD_BIN ($built build); work dir $DIR"
  # One issuer for every node (they stand behind one address); dev mode for /dev/outbox codes.
  # Send limits and the per-IP brake are lifted: every request comes from 127.0.0.1. argon2id at
  # a low cost: these benches measure faults, not hashing (benches/signin.sh does that).
  export VHOD_SERVER__ISSUER="http://127.0.0.1:18600" VHOD_KEYS__KEK_FILE="$DIR/kek" VHOD_LOG=warn \
    VHOD_CODES__PER_IP_HOUR=1000000 VHOD_CODES__GLOBAL_PER_HOUR=1000000 \
    VHOD_LOGIN__RATE_PER_MINUTE=10000000 VHOD_LOGIN__RATE_BURST=1000000 \
    VHOD_LOGIN__AUTHORIZE_RATE_PER_MINUTE=10000000 VHOD_LOGIN__AUTHORIZE_RATE_BURST=1000000 \
    VHOD_PASSWORD__MEMORY_KIB=4096 VHOD_PASSWORD__ITERATIONS=1 VHOD_DEV__ENABLED=true
  : >"$DIR/events"
}

faults_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  local data
  for data in "$PGDATA_DIR" "$STANDBY_DIR"; do
    if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
      runuser -u postgres -- "$PGBIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  if [ -n "$MOUNTED" ]; then umount "$MOUNTED" 2>/dev/null || umount -l "$MOUNTED" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}

# Refuses a port something already listens on (another bench, another helper's server).
port_free() {
  if ss -ltn "sport = :$1" | grep -q LISTEN; then echo "port $1 is in use: not run"; exit 2; fi
}

event() { echo "$* $(date +%s.%N)" >>"$DIR/events"; echo "[$(date +%T)] $*"; }

# A throw-away PostgreSQL cluster of our own (initdb as the postgres user) on port $1.
pg_init() {
  local port="$1"
  port_free "$port"
  PGDATA_DIR="$DIR/pg"
  mkdir -p "$PGDATA_DIR" && chown postgres "$PGDATA_DIR" && chmod 700 "$PGDATA_DIR"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres --no-sync >"$DIR/initdb.log" 2>&1
  PG_PORT="$port"
  pg_start
  runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$port" vhod
  export VHOD_DATABASE__URL="postgres://postgres@127.0.0.1:$port/vhod"
}
pg_start() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
}
pg_stop() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m "$1" -w -t 60 stop >/dev/null; }

# A streaming standby of pg_init's cluster on port $1 (pg_basebackup -R), and synchronous commit
# on the primary: a commit is acknowledged once the standby has it. STANDBY_DIR.
pg_standby() {
  local port="$1" i
  port_free "$port"
  STANDBY_DIR="$DIR/pg-standby"
  mkdir -p "$STANDBY_DIR" && chown postgres "$STANDBY_DIR" && chmod 700 "$STANDBY_DIR"
  runuser -u postgres -- "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
    -D "$STANDBY_DIR" -R -X stream -c fast --no-sync >"$DIR/basebackup.log" 2>&1
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$STANDBY_DIR" -l "$STANDBY_DIR/server.log" -w -t 60 \
    -o "-p $port -k $STANDBY_DIR -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
  for i in $(seq 1 100); do
    [ "$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -XAtc \
      "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ] && break
    sleep 0.1
  done
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -XAtc "ALTER SYSTEM SET synchronous_standby_names = '*'" >/dev/null
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -XAtc "SELECT pg_reload_conf()" >/dev/null
  for i in $(seq 1 100); do
    [ "$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -XAtc \
      "SELECT sync_state FROM pg_stat_replication")" = sync ] && return 0
    sleep 0.1
  done
  echo "the standby on $port did not become synchronous"; return 1
}
pg_promote() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$STANDBY_DIR" -w -t 60 promote >/dev/null; }

# Our own Redis on port $1 (no persistence: what it holds is short-lived by design).
redis_start() {
  REDIS_PORT="$1"
  port_free "$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" \
    --logfile "$DIR/redis.log" &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  local i
  for i in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export VHOD_CACHE__URL="redis://127.0.0.1:$REDIS_PORT"
}

# A vhod node on port $1; its pid is NODE_PID (and in PIDS).
node_start() {
  local port="$1" i
  port_free "$port"
  (cd "$DIR" && VHOD_SERVER__BIND="127.0.0.1:$port" exec "$VHOD_BIN" serve >>"$DIR/node-$port.log" 2>&1) &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  for i in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$NODE_PID" 2>/dev/null || { tail -5 "$DIR/node-$port.log"; return 1; }
    sleep 0.25
  done
  echo "node $port did not start in 60 s"; return 1
}

vhod_cli() { (cd "$DIR" && "$VHOD_BIN" "$@"); }

# The portal the driver signs in to (client.json) and an administrator's token (ADMIN_TOKEN).
portal_and_admin() {
  vhod_cli clients add --name faults-portal --redirect-uri https://rp.example/cb --json |
    python3 -c 'import json,sys; c=json.load(sys.stdin); c["redirect_uri"]="https://rp.example/cb"; print(json.dumps(c))' \
      >"$DIR/client.json"
  ADMIN_TOKEN="$(vhod_cli admin bootstrap-token --role security_admin --ttl 3600 | tail -1)"
}

# Load in the background for $1 seconds against ports $2 (comma-separated); DRIVER_PID.
driver_start() {
  python3 "$FAULTS_HERE/driver.py" --seconds "$1" --nodes "$2" --workers "$WORKERS" \
    --client "$DIR/client.json" --admin-token "$ADMIN_TOKEN" --out "$DIR/out" &
  DRIVER_PID=$!
}

# Compare the store with the acks and read the request log; $1 surviving ports, $2 latency bound.
check() {
  python3 "$FAULTS_HERE/check.py" --out "$DIR/out" --events "$DIR/events" --db "$VHOD_DATABASE__URL" \
    --nodes "$1" --client "$DIR/client.json" --bound "$2" \
    --audit-cmd "cd '$DIR' && '$VHOD_BIN' audit verify"
}
