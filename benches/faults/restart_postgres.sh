#!/usr/bin/env bash
# Fault 2: restart PostgreSQL under load. A throw-away cluster of our own (initdb in the work dir,
# port 25433; the machine's PostgreSQL on 5432 is never touched), two nodes, our own Redis. After
# a quarter of the run PostgreSQL is stopped (-m immediate: a crash, recovered from the WAL at the
# next start; PG_STOP_MODE=fast for a clean stop), stays down OUTAGE seconds, then starts again.
# The nodes are not touched.
#   bash benches/faults/restart_postgres.sh     (SECONDS_LOAD=60 OUTAGE=10 PG_STOP_MODE=immediate)
source "$(dirname "$0")/lib.sh"
faults_init pg
pg_init 25433
redis_start 26380
node_start 18611
node_start 18612
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18611,18612
sleep $((LOAD / 4))
event fault_start
pg_stop "${PG_STOP_MODE:-immediate}"
sleep "${OUTAGE:-10}"
pg_start
event fault_end
wait "$DRIVER_PID"
check 18611,18612 7
