#!/usr/bin/env bash
# Fault 7: one of three nodes freezes (SIGSTOP) under sign-in load, in the middle of a database
# transaction, and thaws OUTAGE s later — a stopped process, a VM its host stalls, a node starved
# of CPU. Unlike a killed node it keeps its connections open: PostgreSQL sees a session idle inside
# a transaction, holding that transaction's row locks (and, in a commit of an audited change, the
# audit chain's lock that every node's audited change takes), until it ends the session after
# three statement deadlines (idle_in_transaction_session_timeout, 15 s at the default 5 s). To the
# balancer (the driver) the node stops answering, and after a request timeout
# (FAULTS_REQUEST_TIMEOUT, 8 s here) it is passed over for FAULTS_DOWN_SECS (10), as nginx's
# max_fails/fail_timeout does.
# FREEZE_IN=chain waits for a moment the node holds the audit chain's lock (the commit of an
# audited change: a registration, a portal added) — the worst case, every node's audited changes
# wait on it.
#   bash benches/faults/freeze_node.sh          (SECONDS_LOAD=60 OUTAGE=20 FREEZE_IN=chain)
source "$(dirname "$0")/lib.sh"
export FAULTS_REQUEST_TIMEOUT="${FAULTS_REQUEST_TIMEOUT:-8}" FAULTS_DOWN_SECS="${FAULTS_DOWN_SECS:-10}"
faults_init freeze-node
pg_init 25437
redis_start 26384
node_start 18651
# The node to freeze names its connections, so its sessions can be told apart.
VHOD_DATABASE__URL="$VHOD_DATABASE__URL?application_name=vhod-18652" node_start 18652
VICTIM=$NODE_PID
node_start 18653
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
OUTAGE="${OUTAGE:-20}"
driver_start "$LOAD" 18651,18652,18653
sleep $((LOAD / 4))

sql() { "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d vhod -Atc "$1"; }
HOLDING=""
[ "${FREEZE_IN:-}" = chain ] &&
  HOLDING="AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory')"
open_tx() {
  sql "SELECT count(*) FROM pg_stat_activity a WHERE a.application_name = 'vhod-18652'
         AND a.state = 'idle in transaction' $HOLDING"
}
# Stop the node; if none of its sessions is inside a transaction (holding the chain's lock, with
# FREEZE_IN=chain) once its last statements have finished (50 ms), let it run a few milliseconds
# and try again (bounded: 600 tries, about a minute).
TRIES=0 CAUGHT=0
while [ "$TRIES" -lt 600 ]; do
  TRIES=$((TRIES + 1))
  STOPPED_AT="$(date +%s.%N)"
  kill -STOP "$VICTIM"
  sleep 0.05
  CAUGHT="$(open_tx)"
  [ "$CAUGHT" != 0 ] && break
  kill -CONT "$VICTIM"
  sleep "0.0$((RANDOM % 9 + 1))"
done
echo "freeze_start 18652 $STOPPED_AT" >>"$DIR/events"
echo "[$(date +%T)] frozen after $TRIES tries; its sessions inside a transaction: $CAUGHT"
for _ in $(seq 1 $((OUTAGE * 4))); do
  sleep 0.25
  if [ "$CAUGHT" != 0 ] && [ "$(open_tx)" = 0 ]; then
    event "transaction_ended +$(python3 -c "import time; print(f'{time.time() - $STOPPED_AT:.1f}')") s"
    CAUGHT=0
  fi
done
kill -CONT "$VICTIM"
event freeze_end 18652
wait "$DRIVER_PID"
check 18651,18652,18653 7
