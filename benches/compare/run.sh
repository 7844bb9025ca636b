#!/usr/bin/env bash
# vhod against panva's oidc-provider (npm), in one run, on this machine. See README.md beside this.
# Release build of vhod, oidc-provider on Node.js with NODE_ENV=production; each server pinned to
# CPU $SERVER_CPU, wrk pinned to CPU $LOAD_CPU; traffic to 127.0.0.1 only; every wrk run bounded.
#
#   bash benches/compare/run.sh                      # both servers
#   ONLY=oidc-provider bash benches/compare/run.sh   # one side only (ONLY=vhod for the other)
#
# Environment (defaults): DURATION (10s) and WARMUP (3s; 0 to skip) per wrk run, CONNECTIONS (16),
# THREADS (1), VHOD_PORT (18601), OP_PORT (18602), OIDC_PROVIDER_VERSION (9: npm version or range),
# SERVER_CPU (0), LOAD_CPU (1), CARGO_TARGET_DIR ($HOME/.cache/vhod-target).
# Exits non-zero if any wrk run (warm-up included) saw a non-2xx/3xx response or a socket error.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-1}"
VHOD_PORT="${VHOD_PORT:-18601}"
OP_PORT="${OP_PORT:-18602}"
FLOOR_PORT="${FLOOR_PORT:-18603}"
OIDC_PROVIDER_VERSION="${OIDC_PROVIDER_VERSION:-9}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
ONLY="${ONLY:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vhod-target}"

case "$ONLY" in
  "") RUN_VHOD=1 RUN_OP=1 ;;
  vhod) RUN_VHOD=1 RUN_OP=0 ;;
  oidc-provider) RUN_VHOD=0 RUN_OP=1 ;;
  *) echo "ONLY must be empty, vhod or oidc-provider (got '$ONLY')" >&2; exit 2 ;;
esac

die() { echo "run.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- cleanup
PIDS=()
TMPDIRS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((${#TMPDIRS[@]})); then rm -rf "${TMPDIRS[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

new_tmpdir() { # $1: name prefix; prints the new directory (the caller records it)
  mktemp -d -t "$1.XXXXXX"
}

stop_server() { # $1: pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local p rest=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || rest+=("$p"); done
  PIDS=("${rest[@]+"${rest[@]}"}")
}

# ---------------------------------------------------------------- preflight
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found: installing Debian's package" >&2
  SUDO=""
  if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq wrk >/dev/null
fi
command -v taskset >/dev/null || die "taskset (util-linux) is required"
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if ((RUN_OP)); then
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required for oidc-provider"
  NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
  ((NODE_MAJOR >= 20)) || die "oidc-provider 9 needs Node.js 20.19+ (found $(node --version))"
fi
NCPU="$(nproc)"
((SERVER_CPU < NCPU && LOAD_CPU < NCPU)) || die "CPUs $SERVER_CPU and $LOAD_CPU must exist (nproc=$NCPU)"
[[ $SERVER_CPU != "$LOAD_CPU" ]] || echo "warning: server and wrk share CPU $SERVER_CPU" >&2

port_free() { # $1: port; fails if something already answers there (we would measure a stale server)
  ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"
}

# ---------------------------------------------------------------- helpers
basic_auth() { # $1 id, $2 secret -> "Basic base64(urlencode(id):urlencode(secret))" (RFC 6749 §2.3.1)
  python3 -c 'import base64, sys, urllib.parse as u
pair = u.quote(sys.argv[1], safe="") + ":" + u.quote(sys.argv[2], safe="")
print("Basic " + base64.b64encode(pair.encode()).decode())' "$1" "$2"
}

json_field() { # $1 field; JSON on stdin
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# Checks a token response on stdin: token_type Bearer, access_token a JWS with header alg $1.
# Prints the access token.
check_token_response() {
  python3 -c 'import base64, json, sys
want = sys.argv[1]
r = json.load(sys.stdin)
assert str(r.get("token_type", "")).lower() == "bearer", "token_type is not Bearer: %r" % r
t = r["access_token"]
h = t.split(".")[0]
alg = json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))["alg"]
assert alg == want, "access token signed %s, expected %s" % (alg, want)
print(t)' "$1"
}

wait_ready() { # $1 pid, $2 base URL, $3 log file
  local _
  for _ in $(seq 1 120); do
    if ! kill -0 "$1" 2>/dev/null; then
      cat "$3" >&2
      die "server exited before it was ready"
    fi
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$2/.well-known/openid-configuration") == 200 ]]; then
      return 0
    fi
    sleep 0.5
  done
  cat "$3" >&2
  die "$2 not ready after 60 s"
}

expect_200() { # $1 what, then curl arguments; prints the body
  local what=$1 out code
  shift
  out="$(curl -s --max-time 5 -w '\n%{http_code}' "$@")" || die "$what: curl failed"
  code="${out##*$'\n'}"
  [[ $code == 200 ]] || die "$what: HTTP $code: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}

rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# CPU time the process has used so far (user + system, all its threads, exited ones included), in
# clock ticks: the server's CPU per request does not depend on what else the machine runs.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK_HZ="$(getconf CLK_TCK)"

# ---------------------------------------------------------------- wrk
declare -A RPS P99 ERRS CPU_US
SERVER_PID="" # the server being measured (for its CPU per request)
ROWS=()
FAILED=0
WORK="$(new_tmpdir vhod-compare)"
TMPDIRS+=("$WORK")

to_ms() { # wrk latency ("812.00us", "3.41ms", "1.02s", "1.50m") -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000
    printf "%.2f", n }'
}

# Problems in one wrk output: non-2xx/3xx responses, socket errors, or no request at all.
wrk_problems() { # $1 output file; prints a description, empty if clean
  local f=$1 p=""
  local non2xx sock total
  non2xx="$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$f")"
  sock="$(grep -o 'Socket errors:.*' "$f" || true)"
  total="$(awk '/requests in/ {print $1; exit}' "$f")"
  [[ -z $non2xx || $non2xx == 0 ]] || p+="non-2xx/3xx: $non2xx; "
  [[ -z $sock ]] || p+="$sock; "
  [[ -n $total && $total != 0 ]] || p+="no request completed; "
  printf '%s' "${p%; }"
}

# bench KEY LABEL URL [BODY AUTH]: a warm-up run, then the measured run; GET unless BODY is given
# (a GET with AUTH sends it as the Authorization header).
bench() {
  local key=$1 label=$2 url=$3 body=${4:-} auth=${5:-}
  local args=(-t"$THREADS" -c"$CONNECTIONS" --latency --timeout 5s)
  [[ -z $body ]] || args+=(-s "$HERE/post.lua")
  [[ -n $body || -z $auth ]] || args+=(-H "Authorization: $auth")
  local out="$WORK/$key.txt" problems=""
  echo "  $label: $url" >&2
  if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
    WRK_BODY="$body" WRK_AUTH="$auth" taskset -c "$LOAD_CPU" wrk "${args[@]}" -d"$WARMUP" "$url" >"$WORK/$key.warm.txt"
    problems+="$(wrk_problems "$WORK/$key.warm.txt")"
    [[ -z $problems ]] || problems="warm-up: $problems; "
  fi
  local cpu0
  cpu0="$(cpu_ticks "$SERVER_PID")"
  WRK_BODY="$body" WRK_AUTH="$auth" taskset -c "$LOAD_CPU" wrk "${args[@]}" -d"$DURATION" "$url" >"$out"
  CPU_US[$key]="$(awk -v t0="$cpu0" -v t1="$(cpu_ticks "$SERVER_PID")" -v hz="$TICK_HZ" \
    '/requests in/ {n = $1} END {if (n > 0) printf "%.1f", (t1 - t0) * 1e6 / hz / n; else print "?"}' "$out")"
  problems+="$(wrk_problems "$out")"
  RPS[$key]="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
  P99[$key]="$(to_ms "$(awk '/Latency Distribution/ {d = 1} d && $1 == "99%" {print $2; exit}' "$out")")"
  ERRS[$key]="${problems%; }"
  ROWS+=("$key|$label")
  if [[ -n $problems ]]; then
    FAILED=1
    echo "  !! $label: $problems" >&2
    cat "$out" >&2
  fi
}

# ---------------------------------------------------------------- builds and installs
echo "== vhod vs oidc-provider: $(date -u '+%Y-%m-%d %H:%M UTC'), vhod $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "   wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP) on CPU $LOAD_CPU, servers on CPU $SERVER_CPU;" \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $NCPU CPUs, load avg $(cut -d' ' -f1-3 /proc/loadavg)"

if ((RUN_VHOD)); then
  echo "-- building vhod (release)" >&2
  (cd "$ROOT" && cargo build --release --locked --bin vhod --example cc_floor)
  VHOD_BIN="$CARGO_TARGET_DIR/release/vhod"
  FLOOR_BIN="$CARGO_TARGET_DIR/release/examples/cc_floor"
  [[ -x $VHOD_BIN ]] || die "no binary at $VHOD_BIN"
fi

if ((RUN_OP)); then
  echo "-- installing oidc-provider@$OIDC_PROVIDER_VERSION from npm" >&2
  OP_DIR="$(new_tmpdir oidc-provider-bench)"
  TMPDIRS+=("$OP_DIR")
  if ! (cd "$OP_DIR" && npm init -y && npm install "oidc-provider@$OIDC_PROVIDER_VERSION" --no-audit --no-fund) \
    >"$OP_DIR/npm.log" 2>&1; then
    cat "$OP_DIR/npm.log" >&2
    die "npm install oidc-provider@$OIDC_PROVIDER_VERSION failed"
  fi
  cp "$HERE/oidc-provider-server.mjs" "$OP_DIR/server.mjs"
  OP_VERSION="$(cd "$OP_DIR" && node -p 'require("./node_modules/oidc-provider/package.json").version')"
  echo "   oidc-provider $OP_VERSION on Node.js $(node --version)"
fi

# ---------------------------------------------------------------- vhod
if ((RUN_VHOD)); then
  port_free "$VHOD_PORT" || die "something already answers on 127.0.0.1:$VHOD_PORT (set VHOD_PORT)"
  VDIR="$(new_tmpdir vhod-compare-db)"
  TMPDIRS+=("$VDIR")
  VHOD_ENV=(
    "VHOD_SERVER__BIND=127.0.0.1:$VHOD_PORT"
    "VHOD_SERVER__ISSUER=http://localhost:$VHOD_PORT"
    "VHOD_DATABASE__URL=sqlite://$VDIR/vhod.db"
    "VHOD_KEYS__KEK_FILE=$VDIR/kek"
    "VHOD_LOG=warn"
    "VHOD_DEV__ENABLED=false"
  )
  echo "-- vhod" >&2
  (cd "$VDIR" && exec env "${VHOD_ENV[@]}" taskset -c "$SERVER_CPU" "$VHOD_BIN" serve) >"$VDIR/serve.log" 2>&1 &
  VHOD_PID=$!
  PIDS+=("$VHOD_PID")
  VBASE="http://127.0.0.1:$VHOD_PORT"
  wait_ready "$VHOD_PID" "$VBASE" "$VDIR/serve.log"
  SERVER_PID="$VHOD_PID"

  vhod_cli() { (cd "$VDIR" && env "${VHOD_ENV[@]}" "$VHOD_BIN" "$@"); }
  ES="$(vhod_cli clients add --name bench-es --grant-type client_credentials --scope api.read --id-token-alg ES256 --json)"
  RS="$(vhod_cli clients add --name bench-rs --grant-type client_credentials --scope api.read --id-token-alg RS256 --json)"
  ES_AUTH="$(basic_auth "$(json_field client_id <<<"$ES")" "$(json_field client_secret <<<"$ES")")"
  RS_AUTH="$(basic_auth "$(json_field client_id <<<"$RS")" "$(json_field client_secret <<<"$RS")")"
  CC_BODY="grant_type=client_credentials&scope=api.read"

  # One request of each kind by hand first: right status, right token, before any load.
  expect_200 "vhod discovery" "$VBASE/.well-known/openid-configuration" >/dev/null
  expect_200 "vhod jwks" "$VBASE/jwks" >/dev/null
  expect_200 "vhod token RS256" -H "Authorization: $RS_AUTH" -d "$CC_BODY" "$VBASE/token" \
    | check_token_response RS256 >/dev/null
  ACCESS_TOKEN="$(expect_200 "vhod token ES256" -H "Authorization: $ES_AUTH" -d "$CC_BODY" "$VBASE/token" \
    | check_token_response ES256)"
  INTROSPECT_BODY="token=$(python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$ACCESS_TOKEN")"
  [[ $(expect_200 "vhod introspect" -H "Authorization: $ES_AUTH" -d "$INTROSPECT_BODY" "$VBASE/introspect" \
    | json_field active) == True ]] || die "vhod introspection of a fresh token is not active"
  # A person's access token for userinfo: one complete sign-in (benches/compare/signin.py).
  UI="$(vhod_cli clients add --name bench-ui --redirect-uri https://rp.example/cb --json)"
  printf '%s' 'Bench-2026!x' | vhod_cli accounts create --surname Нагрузкин --name Тест \
    --email bench@example.org --password-stdin >/dev/null
  USER_TOKEN="$(python3 "$HERE/signin.py" "$VBASE" "$(json_field client_id <<<"$UI")" \
    "$(json_field client_secret <<<"$UI")" https://rp.example/cb bench@example.org 'Bench-2026!x')" \
    || die "vhod sign-in for the userinfo target failed"
  expect_200 "vhod userinfo" -H "Authorization: Bearer $USER_TOKEN" "$VBASE/userinfo" >/dev/null
  echo "   idle RSS $(rss "$VHOD_PID")" >&2

  bench vhod.cc_es "client_credentials ES256" "$VBASE/token" "$CC_BODY" "$ES_AUTH"
  bench vhod.discovery "discovery" "$VBASE/.well-known/openid-configuration"
  bench vhod.cc_rs "client_credentials RS256" "$VBASE/token" "$CC_BODY" "$RS_AUTH"
  bench vhod.introspect "introspection" "$VBASE/introspect" "$INTROSPECT_BODY" "$ES_AUTH"
  bench vhod.userinfo "userinfo" "$VBASE/userinfo" "" "Bearer $USER_TOKEN"
  bench vhod.jwks "JWKS" "$VBASE/jwks"
  VHOD_RSS="$(rss "$VHOD_PID")"
  stop_server "$VHOD_PID"

  # The floor (examples/cc_floor.rs): what a token answer costs with nothing but HTTP parsing, the
  # client's credentials and the ES256 signature — no token endpoint on this machine beats it.
  echo "-- floor (examples/cc_floor.rs)" >&2
  SIGN_LINE="$(taskset -c "$SERVER_CPU" "$FLOOR_BIN" --mode sign)"
  SIGN_RATE="$(sed -n 's/^one-core ES256 signatures \([0-9]*\)\/s.*/\1/p' <<<"$SIGN_LINE")"
  echo "   $SIGN_LINE" >&2
  FLOOR_AUTH="Basic Zmxvb3I6Zmxvb3Itc2VjcmV0"
  for mode in raw axum; do
    port_free "$FLOOR_PORT" || die "something already answers on 127.0.0.1:$FLOOR_PORT (set FLOOR_PORT)"
    taskset -c "$SERVER_CPU" "$FLOOR_BIN" --mode "$mode" --port "$FLOOR_PORT" 2>/dev/null &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    for _ in $(seq 1 50); do
      curl -s -o /dev/null --max-time 1 -H "Authorization: $FLOOR_AUTH" -d "$CC_BODY" \
        "http://127.0.0.1:$FLOOR_PORT/token" && break
      sleep 0.1
    done
    expect_200 "floor ($mode) token" -H "Authorization: $FLOOR_AUTH" -d "$CC_BODY" \
      "http://127.0.0.1:$FLOOR_PORT/token" | check_token_response ES256 >/dev/null
    bench "floor.cc_$mode" "cc ES256, bare $mode" "http://127.0.0.1:$FLOOR_PORT/token" \
      "$CC_BODY" "$FLOOR_AUTH"
    stop_server "$SERVER_PID"
  done
fi

# ---------------------------------------------------------------- oidc-provider
if ((RUN_OP)); then
  port_free "$OP_PORT" || die "something already answers on 127.0.0.1:$OP_PORT (set OP_PORT)"
  OP_CLIENT_ID="bench-es"
  OP_CLIENT_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  echo "-- oidc-provider" >&2
  (cd "$OP_DIR" && exec env NODE_ENV=production PORT="$OP_PORT" CLIENT_ID="$OP_CLIENT_ID" \
    CLIENT_SECRET="$OP_CLIENT_SECRET" taskset -c "$SERVER_CPU" node server.mjs) >"$OP_DIR/serve.log" 2>&1 &
  OP_PID=$!
  PIDS+=("$OP_PID")
  OBASE="http://127.0.0.1:$OP_PORT"
  wait_ready "$OP_PID" "$OBASE" "$OP_DIR/serve.log"
  SERVER_PID="$OP_PID"
  OP_AUTH="$(basic_auth "$OP_CLIENT_ID" "$OP_CLIENT_SECRET")"
  CC_BODY="grant_type=client_credentials&scope=api.read"

  expect_200 "oidc-provider discovery" "$OBASE/.well-known/openid-configuration" >/dev/null
  expect_200 "oidc-provider token ES256" -H "Authorization: $OP_AUTH" -d "$CC_BODY" "$OBASE/token" \
    | check_token_response ES256 >/dev/null
  echo "   idle RSS $(rss "$OP_PID")" >&2

  bench op.cc_es "client_credentials ES256" "$OBASE/token" "$CC_BODY" "$OP_AUTH"
  bench op.discovery "discovery" "$OBASE/.well-known/openid-configuration"
  OP_RSS="$(rss "$OP_PID")"
  if grep -q 'server_error\|grant.error' "$OP_DIR/serve.log"; then
    FAILED=1
    echo "  !! oidc-provider logged errors:" >&2
    grep 'server_error\|grant.error' "$OP_DIR/serve.log" | head -5 >&2
  fi
  stop_server "$OP_PID"
fi

# ---------------------------------------------------------------- report
echo
printf '%-15s %-26s %10s %10s %12s  %s\n' "server" "target" "req/s" "p99 ms" "CPU µs/req" "errors"
for row in "${ROWS[@]}"; do
  key=${row%%|*}
  label=${row#*|}
  server=vhod
  [[ $key == op.* ]] && server=oidc-provider
  [[ $key == floor.* ]] && server=floor
  printf '%-15s %-26s %10s %10s %12s  %s\n' "$server" "$label" "${RPS[$key]:-?}" "${P99[$key]:-?}" \
    "${CPU_US[$key]:-?}" "${ERRS[$key]:-none}"
done
[[ -z ${VHOD_RSS:-} ]] || echo "RSS after load: vhod $VHOD_RSS"
[[ -z ${OP_RSS:-} ]] || echo "RSS after load: oidc-provider $OP_RSS"

ratio() { # $1 vhod key, $2 oidc-provider key, $3 label, $4 note, $5 name of $1's server (vhod)
  python3 -c 'import sys
vr, orr, vp, op = (float(x) for x in sys.argv[1:5])
print("%-26s req/s %s/oidc-provider = %.1fx%s; p99 oidc-provider/%s = %.1fx"
      % (sys.argv[5], sys.argv[7], vr / orr, sys.argv[6], sys.argv[7], op / vp if vp else float("inf")))' \
    "${RPS[$1]:-0}" "${RPS[$2]:-0}" "${P99[$1]:-0}" "${P99[$2]:-0}" "$3" "$4" "${5:-vhod}" 2>/dev/null \
    || echo "$3: no ratio (a figure is missing)"
}
if ((RUN_VHOD && RUN_OP)); then
  echo
  ratio vhod.cc_es op.cc_es "client_credentials ES256" " (target >= 10x)"
  ratio vhod.discovery op.discovery "discovery" ""
  python3 -c 'import sys
v, o = sys.argv[1:3]
print("client_credentials ES256   CPU per request oidc-provider/vhod = %.1fx (does not move with the machine'"'"'s load)"
      % (float(o) / float(v)))' "${CPU_US[vhod.cc_es]:-0}" "${CPU_US[op.cc_es]:-0}" 2>/dev/null || true
  ratio floor.cc_raw op.cc_es "client_credentials ES256" " (no token endpoint here can beat it)" "bare-raw"
  ratio floor.cc_axum op.cc_es "client_credentials ES256" "" "bare-axum"
fi
if ((RUN_VHOD)) && [[ -n ${SIGN_RATE:-} ]]; then
  python3 -c 'import sys
s = float(sys.argv[1])
for label, r in zip(("vhod", "bare raw", "bare axum"), sys.argv[2:5]):
    print("client_credentials ES256 ÷ one-core ES256 signing (%.0f/s): %-13s %.2f%s"
          % (s, label, float(r) / s, " (target >= 0.7)" if label == "vhod" else ""))' \
    "$SIGN_RATE" "${RPS[vhod.cc_es]:-0}" "${RPS[floor.cc_raw]:-0}" "${RPS[floor.cc_axum]:-0}" 2>/dev/null || true
fi

if ((FAILED)); then
  echo
  echo "FAILED: some runs had errors (see above); their figures are not a measurement." >&2
  exit 1
fi
