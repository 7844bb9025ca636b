#!/usr/bin/env bash
# Fault 1: kill -9 one of three nodes (PostgreSQL + Redis of our own) under sign-in load.
# Three nodes behind one issuer; the driver spreads every request over them round-robin and, like
# a balancer, skips a node that refuses connections. A third of the way into the run node 2 is
# killed with SIGKILL and never restarted.
#   bash benches/faults/kill_node.sh            (SECONDS_LOAD=60 WORKERS=6 VHOD_BIN=… KEEP=1)
source "$(dirname "$0")/lib.sh"
faults_init kill
pg_init 25432
redis_start 26379
node_start 18601
node_start 18602; VICTIM=$NODE_PID
node_start 18603
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18601,18602,18603
sleep $((LOAD / 3))
event kill 18602
kill -9 "$VICTIM"; wait "$VICTIM" 2>/dev/null || true
wait "$DRIVER_PID"
check 18601,18603 7
