#!/usr/bin/env bash
# The grants' sweep and the online index at scale, on PostgreSQL: a schema of its own holding N
# grants (default 10 000 000; a third with a refresh token) and N/5 sessions, with the columns and
# indexes the sweep reads; then
#  1. the generic plan of each sweep statement (what PostgreSQL may settle on for a prepared
#     statement after five runs): a Seq Scan of grants, sessions or refresh_tokens fails the script;
#  2. one batch of the grants' sweep (the batch's last grant, then the DELETE, rolled back) on
#     three cold ranges and once again warm, EXPLAIN ANALYZE's execution times;
#  3. `grants_made` built plainly and concurrently while one connection inserts a grant every
#     10 ms: the build's time and the inserts' median and longest wait.
# Usage: DB=postgres://postgres@127.0.0.1:5432/test bash benches/scale/grants_sweep.sh [N]
# Bounded: everything in one schema, dropped at the end; loopback only. Needs psql and python3.
set -euo pipefail
N="${1:-10000000}"
DB="${DB:-postgres://postgres@127.0.0.1:5432/test}"
S=grantsweep
q() { psql -q -X -v ON_ERROR_STOP=1 "$DB" -c "SET search_path TO $S" "$@"; }

psql -q -X -v ON_ERROR_STOP=1 "$DB" -c "DROP SCHEMA IF EXISTS $S CASCADE" -c "CREATE SCHEMA $S"
trap 'psql -q -X "$DB" -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null' EXIT
echo "-- filling $N grants" >&2
q -c "CREATE TABLE grants (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, client_id TEXT NOT NULL,
        scopes TEXT NOT NULL, acr TEXT NOT NULL, amr TEXT NOT NULL, auth_time BIGINT NOT NULL,
        created_at BIGINT NOT NULL, revoked_at BIGINT, revoked_reason TEXT, claims TEXT, sid TEXT,
        dpop_jkt TEXT, org_oid BIGINT)" \
  -c "INSERT INTO grants (id, account_id, client_id, scopes, acr, amr, auth_time, created_at, sid)
        SELECT md5(i::text), md5((i / 3)::text), 'client-1', 'openid profile', 'urn:vhod:acr:low',
        '[\"pwd\"]', 1760000000 + i, 1760000000 + i / 10, md5(i::text || 's')
        FROM generate_series(1, $N) i" \
  -c "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL,
        created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)" \
  -c "INSERT INTO sessions SELECT md5(i::text), md5((i / 3)::text), 1760000000 + i / 10,
        1760000000 + i / 10 + 28800 FROM generate_series(1, $N / 5) i" \
  -c "CREATE INDEX sessions_expiry ON sessions (expires_at)" \
  -c "CREATE INDEX sessions_account ON sessions (account_id)" \
  -c "CREATE TABLE refresh_tokens (hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL,
        created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)" \
  -c "INSERT INTO refresh_tokens SELECT md5(i::text || 'r'), md5(i::text), 1760000000 + i / 10,
        1760000000 + i / 10 + 2592000 FROM generate_series(1, $N, 3) i" \
  -c "CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id)" \
  -c "CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at)" \
  -c "CREATE INDEX grants_made ON grants (created_at, id)" \
  -c "ANALYZE"

# The statements as src/store/retention.rs and src/store/grant_retention.rs write them.
LAST="SELECT created_at, id FROM (SELECT created_at, id FROM grants WHERE created_at < \$1
  AND created_at >= \$2 AND (created_at > \$2 OR id > \$3) ORDER BY created_at, id LIMIT 1000) batch
  ORDER BY created_at DESC, id DESC LIMIT 1"
DELETE="DELETE FROM grants WHERE (created_at, id) IN (SELECT created_at, id FROM grants
  WHERE created_at < \$1 AND created_at >= \$2 AND (created_at > \$2 OR id > \$3)
  AND created_at <= \$4 AND (created_at < \$4 OR id <= \$5) ORDER BY created_at, id LIMIT 1000)
  AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.id)
  AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.account_id = grants.account_id
  AND s.created_at <= grants.created_at AND s.expires_at >= \$6)"
EXPIRED="DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions
  WHERE expires_at < \$1 ORDER BY expires_at LIMIT 1000)"

echo "-- 1. generic plans" >&2
plans="$(q -At -c "SET plan_cache_mode = force_generic_plan" \
  -c "PREPARE l AS $LAST" -c "PREPARE d AS $DELETE" -c "PREPARE e AS $EXPIRED" \
  -c "EXPLAIN EXECUTE l(NULL, NULL, NULL)" -c "EXPLAIN EXECUTE d(NULL, NULL, NULL, NULL, NULL, NULL)" \
  -c "EXPLAIN EXECUTE e(NULL)")"
echo "$plans" | grep -E "Scan|Loop|Join"
if echo "$plans" | grep -qE "Seq Scan on (grants|sessions|refresh_tokens)"; then
  echo "FAIL: a sweep statement's generic plan reads a whole table" >&2
  exit 1
fi

echo "-- 2. one batch of the grants' sweep (times of EXPLAIN ANALYZE)" >&2
mid=$((1760000000 + N / 20))
for from in $((mid - 300000)) $((mid - 200000)) $((mid - 100000)) $((mid - 100000)); do
  for stmt in "EXECUTE l($mid, $from, '')" \
    "EXECUTE d($mid, $from, '', $((from + 100)), 'zzzz', $((mid + 100000)))"; do
    t="$(q -At -c "PREPARE l AS $LAST" -c "PREPARE d AS $DELETE" -c "BEGIN" \
      -c "EXPLAIN ANALYZE $stmt" -c "ROLLBACK" | sed -n 's/^Execution Time: //p')"
    echo "from $from: ${stmt%%(*}: $t"
  done
done

echo "-- 3. the index built while grants are written" >&2
for how in "" CONCURRENTLY; do
  q -c "DROP INDEX grants_made"
  python3 - "$DB" "$S" "$how" <<'PY'
import subprocess, sys, threading, time
db, schema, how = sys.argv[1:4]
psql = ["psql", "-q", "-X", "-At", db]
p = subprocess.Popen(psql, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
p.stdin.write(f"SET search_path TO {schema};\n")
waits, stop = [], [False]
def write():
    i = 0
    while not stop[0]:
        i += 1
        t = time.time()
        p.stdin.write(
            "INSERT INTO grants (id, account_id, client_id, scopes, acr, amr, auth_time, created_at) "
            f"VALUES ('w-{how}-{i}', 'a', 'c', 'openid', 'a', '[]', 1, 1); SELECT 1;\n")
        p.stdin.flush()
        p.stdout.readline()
        waits.append(time.time() - t)
        time.sleep(0.01)
writer = threading.Thread(target=write)
writer.start()
time.sleep(1)
t = time.time()
try:
    subprocess.run(psql + ["-c", f"SET search_path TO {schema}",
                           "-c", f"CREATE INDEX {how} grants_made ON grants (created_at, id)"],
                   check=True, timeout=1800)
finally:
    build = time.time() - t
    time.sleep(1)
    stop[0] = True
    writer.join()
    p.stdin.close()
waits.sort()
print(f"{how or 'plain'}: built in {build:.1f} s; {len(waits)} inserts, "
      f"median {waits[len(waits) // 2] * 1000:.1f} ms, longest {waits[-1] * 1000:.0f} ms")
PY
done
