#!/usr/bin/env bash
# Fault 10: a rolling restart behind a balancer, under load. Two nodes (own PostgreSQL 25441, own
# Redis 26389) behind HAProxy (port 18645: round robin, `option httpchk GET /readyz` every 300 ms,
# down after 2 failures, up after 2 successes); the driver knows only HAProxy's address. RETRIES
# (0): how often HAProxy tries another node when one refuses the connection — 0, as a balancer
# that does not (a Kubernetes Service sends new connections to a stopping pod until its endpoints
# are updated); RETRIES=2 adds `option redispatch`. A quarter into the run each node in turn gets SIGTERM,
# is started again once it has exited, and the next waits until HAProxy sees it up again: a
# deploy. With DRAIN (server.drain_secs, 3) the node first tells the balancer it is stopping
# (/readyz 503) while it serves on; DRAIN=0 stops it at once, for comparison.
#   bash benches/faults/rolling_restart.sh      (SECONDS_LOAD=60 DRAIN=3 RETRIES=0; needs haproxy)
source "$(dirname "$0")/lib.sh"
command -v haproxy >/dev/null || { echo "haproxy is required (apt-get install haproxy)"; exit 2; }
faults_init rolling
export VHOD_SERVER__DRAIN_SECS="${DRAIN:-3}"
pg_init 25441
redis_start 26389
declare -A NODE_PIDS
node_start 18641; NODE_PIDS[18641]=$NODE_PID
node_start 18642; NODE_PIDS[18642]=$NODE_PID
port_free 18645
cat >"$DIR/haproxy.cfg" <<CFG
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries ${RETRIES:-0}
$([ "${RETRIES:-0}" -gt 0 ] && echo "    option redispatch")
frontend vhod
    bind 127.0.0.1:18645
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 300ms fall 2 rise 2
    server node1 127.0.0.1:18641 check
    server node2 127.0.0.1:18642 check
CFG
haproxy -f "$DIR/haproxy.cfg" -db >"$DIR/haproxy.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18645/healthz >/dev/null 2>&1 && break; sleep 0.1; done
portal_and_admin
up_in_balancer() { # $1 port: ready, then the time HAProxy takes to see two good checks
  local i
  for i in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && break
    sleep 0.1
  done
  sleep 1
}
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18645
sleep $((LOAD / 4))
event rolling_start
for port in 18641 18642; do
  pid="${NODE_PIDS[$port]}"
  t0=$(date +%s.%N)
  kill -TERM "$pid"
  for _ in $(seq 1 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && { echo "node $port still runs 60 s after SIGTERM"; exit 1; }
  printf '[%s] node %s stopped %.1f s after SIGTERM\n' "$(date +%T)" "$port" "$(echo "$(date +%s.%N) - $t0" | bc)"
  node_start "$port"; NODE_PIDS[$port]=$NODE_PID
  up_in_balancer "$port"
  event "restarted_$port"
done
event rolling_end
wait "$DRIVER_PID"
check 18641,18642 7
