#!/usr/bin/env bash
# Fault 6: Redis stops answering under load without closing a connection (SIGSTOP): commands
# already sent get no answer, new connections are accepted by the kernel and never served. Our
# own redis-server (port 26383), our own PostgreSQL (25436), two nodes. After a quarter of the
# run Redis is frozen for OUTAGE seconds, then thawed (SIGCONT); what it held is still there.
#   bash benches/faults/freeze_redis.sh         (SECONDS_LOAD=60 OUTAGE=10)
source "$(dirname "$0")/lib.sh"
faults_init freeze-redis
pg_init 25436
redis_start 26383
node_start 18641
node_start 18642
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18641,18642
sleep $((LOAD / 4))
event fault_start
kill -STOP "$REDIS_PID"
sleep "${OUTAGE:-10}"
kill -CONT "$REDIS_PID"
event fault_end
wait "$DRIVER_PID"
check 18641,18642 7
