//! The Rust files of a source tree, for the tests that read the project's own code
//! (architecture.rs, cache_fixtures.rs).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, depth first, appended to `out`.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
