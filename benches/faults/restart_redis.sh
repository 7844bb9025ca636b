#!/usr/bin/env bash
# Fault 3: restart Redis under load. Our own redis-server (port 26381, no persistence, so what it
# held — codes, login transactions, pending registrations — is gone after the restart, the worst
# case), our own PostgreSQL, two nodes. After a quarter of the run Redis is killed (SIGKILL), stays
# down OUTAGE seconds and starts again on the same port. The nodes are not touched.
#   bash benches/faults/restart_redis.sh        (SECONDS_LOAD=60 OUTAGE=10)
source "$(dirname "$0")/lib.sh"
faults_init redis
pg_init 25434
redis_start 26381
node_start 18621
node_start 18622
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18621,18622
sleep $((LOAD / 4))
event fault_start
kill -9 "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
sleep "${OUTAGE:-10}"
redis_start 26381
event fault_end
wait "$DRIVER_PID"
check 18621,18622 7
