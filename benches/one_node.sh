# Sourced by benches/ab.sh and benches/instructions.sh: one vhod node on a fresh SQLite database
# and memory cache in DIR, answering at http://localhost:PORT, with the load driver's portal, its
# client_credentials client and its citizen.

one_node_env() { # $1 DIR, $2 PORT: the node's environment (exported)
  export VHOD_SERVER__BIND="127.0.0.1:$2" VHOD_SERVER__ISSUER="http://localhost:$2" VHOD_LOG=warn \
    VHOD_DATABASE__URL="sqlite://$1/vhod.db" VHOD_KEYS__KEK_FILE="$1/kek" VHOD_DEV__ENABLED=false \
    VHOD_LOGIN__RATE_PER_MINUTE=10000000 VHOD_LOGIN__RATE_BURST=1000000 \
    VHOD_LOGIN__AUTHORIZE_RATE_PER_MINUTE=10000000 VHOD_LOGIN__AUTHORIZE_RATE_BURST=1000000
}

one_node_ready() { # $1 PORT, $2 seconds at most: until discovery answers
  local i
  for i in $(seq 1 $(($2 * 4))); do
    curl -sf "http://localhost:$1/.well-known/openid-configuration" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
}

one_node_provision() { # $1 binary, $2 DIR: sets NODE_ARGS, the driver's client and citizen flags
  local rp cc
  rp="$(cd "$2" && "$1" clients add --name ab-rp --redirect-uri https://rp.example/cb --id-token-alg ES256 --json)"
  cc="$(cd "$2" && "$1" clients add --name ab-cc --grant-type client_credentials --scope api.read --id-token-alg ES256 --json)"
  printf '%s' 'Bench-2026!x' | (cd "$2" && "$1" accounts create --surname Нагрузкин --name Тест \
    --email bench@example.org --password-stdin) >/dev/null
  local field='import json,sys; print(json.load(sys.stdin)[sys.argv[1]])'
  NODE_ARGS=(--client-id "$(python3 -c "$field" client_id <<<"$rp")"
    --client-secret "$(python3 -c "$field" client_secret <<<"$rp")"
    --redirect-uri https://rp.example/cb --login bench@example.org --password 'Bench-2026!x'
    --cc-client-id "$(python3 -c "$field" client_id <<<"$cc")"
    --cc-client-secret "$(python3 -c "$field" client_secret <<<"$cc")")
}
