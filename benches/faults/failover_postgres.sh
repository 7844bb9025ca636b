#!/usr/bin/env bash
# Fault 9: PostgreSQL's primary dies under load and its standby is promoted. Our own primary
# (25439) with a synchronous streaming standby (25440), our own Redis, two nodes whose
# database.url names both servers (no proxy). After a quarter of the run the primary crashes
# (pg_ctl stop -m immediate) and is never restarted; PROMOTE_AFTER seconds later (a failover
# manager's detection time, 2 by default) the standby is promoted. The nodes are not touched: each
# must find the new primary by itself. SWITCHOVER=1: a planned switchover instead — the primary
# is made read-only (default_transaction_read_only, reloaded) and keeps running, answering reads,
# while the standby is promoted.
#   bash benches/faults/failover_postgres.sh     (SECONDS_LOAD=60 PROMOTE_AFTER=2 SWITCHOVER=0)
source "$(dirname "$0")/lib.sh"
faults_init pgfailover
pg_init 25439
pg_standby 25440
redis_start 26388
export VHOD_DATABASE__URL="postgres://postgres@127.0.0.1:25439,127.0.0.1:25440/vhod?target_session_attrs=read-write"
node_start 18627
node_start 18628
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18627,18628
sleep $((LOAD / 4))
event fault_start
if [ "${SWITCHOVER:-0}" = 1 ]; then
  psql -h 127.0.0.1 -p 25439 -U postgres -XAtc "ALTER SYSTEM SET default_transaction_read_only = on" >/dev/null
  psql -h 127.0.0.1 -p 25439 -U postgres -XAtc "SELECT pg_reload_conf()" >/dev/null
else
  pg_stop immediate
fi
sleep "${PROMOTE_AFTER:-2}"
pg_promote
event fault_end
echo "[$(date +%T)] the standby (25440) is the primary"
wait "$DRIVER_PID"
for port in 18627 18628; do
  echo "  node $port: vhod_database_primary_changes_total" \
    "$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^vhod_database_primary_changes_total/ {print $2}')"
done
check 18627,18628 7
