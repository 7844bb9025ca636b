//! Fuzzing's regression tests (issue 16): every input in fuzz/corpus/TARGET — the seeds and every
//! crash the fuzzers found, once fixed — is replayed through the same target function the fuzzers
//! run (fuzz/src/lib.rs), so `cargo test` fails if a fixed crash comes back.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz;

use std::path::Path;

#[test]
fn every_fuzz_corpus_input_is_handled_without_a_panic_or_a_5xx() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    for target in fuzz::TARGETS {
        let dir = root.join(target);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "{target} has a seed corpus");
        for input in inputs {
            let data = std::fs::read(&input).unwrap();
            let outcome = std::panic::catch_unwind(|| fuzz::run(target, &data));
            assert!(outcome.is_ok(), "{target} on {}", input.display());
            replayed += 1;
        }
    }
    assert!(replayed >= 40, "{replayed} inputs");
}
