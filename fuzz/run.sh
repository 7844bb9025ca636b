#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET…] — runs every fuzz target (or the ones named) for SECONDS each,
# starting from the seed corpus in fuzz/corpus/TARGET, and prints per target
# "TARGET: N executions, M crashes". Exits 1 when anything crashed; crashing inputs are kept in
# fuzz/artifacts/TARGET/ (each one then becomes a regression test: fuzz/README.md).
#
# Engines (FUZZ_ENGINE):
#   driver     (default) the stable random/mutational driver, src/bin/drive.rs — needs only the
#              stable toolchain; not coverage-guided.
#   libfuzzer  cargo-fuzz + libFuzzer, coverage-guided. cargo-fuzz passes nightly-only flags
#              (-Z…), so on a stable toolchain this sets RUSTC_BOOTSTRAP=1 (it unlocks unstable
#              features on stable; acceptable for a fuzzing build, never for the server) and uses
#              `-s none` (no sanitizer). Needs `cargo install cargo-fuzz` and a C++ compiler.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
SECS="${1:-10}"
shift || true
ENGINE="${FUZZ_ENGINE:-driver}"
# The fuzz crate is its own workspace; keep its lock file on the main one's versions.
[ -f Cargo.lock ] || cp ../Cargo.lock Cargo.lock

case "$ENGINE" in
  driver)
    cargo run --quiet --bin drive -- "$SECS" "$@"
    ;;
  libfuzzer)
    targets=("$@")
    if [ ${#targets[@]} -eq 0 ]; then
      mapfile -t targets < <(ls fuzz_targets | sed 's/\.rs$//')
    fi
    status=0
    for t in "${targets[@]}"; do
      mkdir -p "corpus/$t" "artifacts/$t"
      out=$(RUSTC_BOOTSTRAP=1 cargo fuzz run --features libfuzzer -s none "$t" "corpus/$t" -- \
              -max_total_time="$SECS" -print_final_stats=1 -artifact_prefix="artifacts/$t/" 2>&1) || status=1
      execs=$(printf '%s\n' "$out" | grep -o 'stat::number_of_executed_units: [0-9]*' | grep -o '[0-9]*$' || echo "?")
      crashes=$(ls "artifacts/$t" | grep -c '^crash-' || true)
      echo "$t: ${execs} executions, ${crashes} crashes"
    done
    exit $status
    ;;
  *)
    echo "FUZZ_ENGINE must be driver or libfuzzer" >&2
    exit 2
    ;;
esac
