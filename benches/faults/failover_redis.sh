#!/usr/bin/env bash
# Fault 8: Redis behind Sentinel loses its master under load. Our own master (26385), its replica
# (26386) and one sentinel (26387, down after 1 s), our own PostgreSQL, two nodes that know only
# the sentinel (cache.sentinels). After a quarter of the run the master is killed (SIGKILL) and
# never restarted; the outage lasts until the sentinel has promoted the replica. The nodes are not
# touched: each must find the new master by itself.
#   bash benches/faults/failover_redis.sh       (SECONDS_LOAD=60)
source "$(dirname "$0")/lib.sh"
faults_init failover
pg_init 25438
redis_start 26385
MASTER_PID=$REDIS_PID
port_free 26386
redis-server --port 26386 --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" \
  --replicaof 127.0.0.1 26385 --logfile "$DIR/replica.log" &
PIDS+=($!)
for _ in $(seq 1 100); do
  redis-cli -p 26385 info replication | grep -q connected_slaves:1 && break
  sleep 0.1
done
port_free 26387
printf '%s\n' "port 26387" "bind 127.0.0.1" "dir $DIR" "logfile $DIR/sentinel.log" \
  "sentinel monitor vhod 127.0.0.1 26385 1" "sentinel down-after-milliseconds vhod 1000" \
  "sentinel failover-timeout vhod 10000" >"$DIR/sentinel.conf"
redis-server "$DIR/sentinel.conf" --sentinel &
PIDS+=($!)
for _ in $(seq 1 300); do
  redis-cli -p 26387 sentinel replicas vhod 2>/dev/null | grep -q '^master-link-status$' &&
    redis-cli -p 26387 sentinel replicas vhod | grep -A1 '^master-link-status$' | grep -q '^ok$' && break
  sleep 0.1
done
redis-cli -p 26387 sentinel replicas vhod | grep -A1 '^master-link-status$' | grep -q '^ok$' ||
  { echo "the sentinel does not see the replica"; exit 1; }
# The host and port of the URL are not used: the sentinel names the master.
export VHOD_CACHE__URL="redis://sentinel-names-it" VHOD_CACHE__SENTINELS="127.0.0.1:26387" \
  VHOD_CACHE__SENTINEL_MASTER=vhod
node_start 18625
node_start 18626
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18625,18626
sleep $((LOAD / 4))
event fault_start
kill -9 "$MASTER_PID"; wait "$MASTER_PID" 2>/dev/null || true
for _ in $(seq 1 300); do
  redis-cli -p 26386 role 2>/dev/null | head -1 | grep -q '^master$' && break
  sleep 0.1
done
redis-cli -p 26386 role | head -1 | grep -q '^master$' || { echo "no failover in 30 s"; exit 1; }
event fault_end
echo "[$(date +%T)] the sentinel promoted the replica (26386)"
wait "$DRIVER_PID"
for port in 18625 18626; do
  echo "  node $port: vhod_cache_master_changes_total" \
    "$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^vhod_cache_master_changes_total/ {print $2}')"
done
check 18625,18626 7
