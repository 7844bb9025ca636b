#!/usr/bin/env bash
# Fault 5: PostgreSQL stops answering under load without closing a connection — what a storage
# stall, a lock queue behind a migration or a network that drops packets looks like to a node.
# A throw-away cluster of our own (port 25435), two nodes, our own Redis. After a quarter of the
# run the postmaster and every PostgreSQL process are frozen (SIGSTOP): connections stay open,
# new ones are accepted by the kernel and never greeted, statements already sent get no answer.
# OUTAGE seconds later they are thawed (SIGCONT). The nodes are not touched.
#   bash benches/faults/freeze_postgres.sh      (SECONDS_LOAD=60 OUTAGE=10)
source "$(dirname "$0")/lib.sh"
faults_init freeze
pg_init 25435
redis_start 26382
node_start 18631
node_start 18632
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18631,18632
sleep $((LOAD / 4))
POSTMASTER="$(head -1 "$PGDATA_DIR/postmaster.pid")"
pg_signal() { kill "-$1" "$POSTMASTER" $(pgrep -P "$POSTMASTER") 2>/dev/null || true; }
event fault_start
pg_signal STOP
sleep "${OUTAGE:-10}"
pg_signal CONT
event fault_end
wait "$DRIVER_PID"
check 18631,18632 7
