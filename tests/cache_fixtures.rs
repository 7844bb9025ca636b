//! Every value read back from the cache has a frozen fixture (ARCHITECTURE.md, the cache): during
//! a rolling deploy a value one build wrote is read by the other, and `cache::compat`'s
//! `reads_across_releases` is what keeps that true. Reads every file under src/: one that reads
//! JSON from the cache (`get_json`, `take_json`) must hold such a fixture itself or in its
//! `compat_tests.rs`, or be listed below with the file that holds the fixture of what it reads.

#[path = "common/source_files.rs"]
mod source_files;

use source_files::rust_files;
use std::path::Path;

/// Files that read a value whose fixture lives with the module that writes it.
const FIXTURE_ELSEWHERE: &[(&str, &str)] = &[
    // The authorization code (`CodeData`) is written by the sign-in's last step.
    ("src/oidc/token.rs", "src/authn/login_tx/compat_tests.rs"),
];

/// Does `text` call `reads_across_releases` (not merely name a test after it)?
fn calls_the_check(text: &str) -> bool {
    const CHECK: &str = "reads_across_releases";
    text.match_indices(CHECK).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = &text[at + CHECK.len()..];
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && (after.starts_with('(') || after.starts_with("::<"))
    })
}

fn has_fixture(path: &Path) -> bool {
    let holds = |p: &Path| std::fs::read_to_string(p).is_ok_and(|text| calls_the_check(&text));
    holds(path) || holds(&path.with_extension("").join("compat_tests.rs"))
}

/// The files of `root`/src that read JSON from the cache and have no fixture.
fn without_fixture(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut missing = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if name.starts_with("src/cache/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if !(text.contains("get_json") || text.contains("take_json")) || has_fixture(&path) {
            continue;
        }
        match FIXTURE_ELSEWHERE.iter().find(|(file, _)| *file == name) {
            Some((_, fixture)) if has_fixture(&root.join(fixture)) => {}
            _ => missing.push(name),
        }
    }
    missing.sort();
    missing
}

#[test]
fn every_value_read_from_the_cache_has_a_frozen_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing = without_fixture(root);
    assert!(
        missing.is_empty(),
        "these files read JSON from the cache without a `cache::compat::reads_across_releases` \
         fixture of what they read (in the file or its compat_tests.rs): {missing:?}"
    );
    for (file, fixture) in FIXTURE_ELSEWHERE {
        let text = std::fs::read_to_string(root.join(file)).expect(file);
        assert!(
            text.contains("get_json") || text.contains("take_json"),
            "{file} no longer reads the cache: take it off FIXTURE_ELSEWHERE"
        );
        assert!(
            has_fixture(&root.join(fixture)),
            "{fixture} holds no fixture"
        );
    }
}

#[test]
fn a_file_that_reads_the_cache_without_a_fixture_is_named() {
    let root = std::env::temp_dir().join(format!("vhod-fixtures-{}", std::process::id()));
    let module = root.join("src/feature");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        root.join("src/feature.rs"),
        "let p: Option<P> = cache.get_json(&key).await?;",
    )
    .unwrap();
    // A test named after the check is not the check.
    std::fs::write(
        root.join("src/other.rs"),
        "cache.take_json(&k)\nfn q_reads_across_releases() {}",
    )
    .unwrap();
    std::fs::write(
        module.join("compat_tests.rs"),
        "let _: P = reads_across_releases(P_JSON);",
    )
    .unwrap();
    std::fs::write(root.join("src/plain.rs"), "cache.get(&k)").unwrap();
    assert_eq!(without_fixture(&root), ["src/other.rs"]);
    let _ = std::fs::remove_dir_all(&root);
}
