//! The dependency rule of ARCHITECTURE.md, enforced: reads every file under src/ and fails on an
//! import against the rule, naming the file and the import.
//!
//! Layers, lowest first: infrastructure (incl. the shared value types and `ctx`) → domain
//! (`identity`, `authn`, `clients`) → surfaces (`web` is the page kit; `oidc`, `admin`, `demo`,
//! `esia` may use it) → the composition root (`server`, `cli`, `main`, `lib`: unchecked).
//! Test-only code (`#[cfg(test)]` modules and `tests.rs` files) is not checked: a unit test may
//! start an HTTP server to serve a fixture.

use std::collections::BTreeSet;
#[path = "common/source_files.rs"]
mod source_files;

use source_files::rust_files;
use std::path::Path;

const INFRASTRUCTURE: [&str; 14] = [
    "types",
    "lang",
    "config",
    "clock",
    "dev_mode",
    "store",
    "cache",
    "crypto",
    "notify",
    "outbound",
    "relying_party",
    "request_id",
    "metrics",
    "ctx",
];
const DOMAIN: [&str; 4] = ["identity", "authn", "clients", "orgs"];
const SURFACES: [&str; 5] = ["web", "oidc", "admin", "demo", "esia"];

/// What a file of the layer `top` (its first path component under src/) may import from the crate,
/// or None for the composition root, which may import anything.
fn allowed(top: &str) -> Option<Vec<&'static str>> {
    let mut ok: Vec<&'static str> = INFRASTRUCTURE.to_vec();
    if INFRASTRUCTURE.contains(&top) {
        return Some(ok);
    }
    ok.extend(DOMAIN);
    if DOMAIN.contains(&top) {
        return Some(ok);
    }
    match top {
        "web" => ok.push("web"),
        // The admin console is the OpenID provider's own: it validates vhod access tokens and
        // drops changed clients from the OIDC surface's node cache.
        "admin" => ok.extend(["web", "admin", "oidc"]),
        "oidc" | "demo" | "esia" => {
            ok.push("web");
            ok.push(SURFACES.iter().find(|s| **s == top).copied()?);
        }
        _ => return None,
    }
    Some(ok)
}

/// May this layer use axum (HTTP)? Only surfaces and the root.
fn may_use_http(top: &str) -> bool {
    !INFRASTRUCTURE.contains(&top) && !DOMAIN.contains(&top)
}

/// The code of a file without comments and without its `#[cfg(test)]` part.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level modules named after `crate::`, including `crate::{a, b::c}` groups.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = ident(item.trim());
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn uses_axum(code: &str) -> bool {
    code.contains("axum::") || code.contains("use axum")
}

/// Every violation as "file: import".
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut bad = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if rel.ends_with("/tests.rs") {
            continue;
        }
        let top = rel.split('/').next().unwrap().trim_end_matches(".rs");
        let Some(ok) = allowed(top) else { continue };
        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        for import in crate_imports(&code) {
            if import != top && !ok.contains(&import.as_str()) {
                bad.push(format!("src/{rel}: crate::{import}"));
            }
        }
        if !may_use_http(top) && uses_axum(&code) {
            bad.push(format!("src/{rel}: axum"));
        }
    }
    bad
}

#[test]
fn every_import_follows_the_dependency_rule() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(
        bad.is_empty(),
        "imports against the rule of ARCHITECTURE.md (layer: what it imports):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_rule_names_every_top_level_module() {
    // A new module must be placed in a layer here (or it would escape the rule unnoticed).
    let root = ["server", "cli", "main", "lib"];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let name = name.trim_end_matches(".rs");
        assert!(
            root.contains(&name) || allowed(name).is_some(),
            "src/{name} is in no layer of tests/architecture.rs"
        );
    }
}

#[test]
fn the_checker_catches_each_kind_of_forbidden_import() {
    let dir = std::env::temp_dir().join(format!("vhod-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (file, text) in [
        ("identity/a.rs", "use crate::web::pages;\n"),
        ("authn/b.rs", "use axum::http::HeaderMap;\n"),
        ("store/c.rs", "use crate::{cache, identity::validation};\n"),
        ("web/d.rs", "fn f() { crate::oidc::token::x(); }\n"),
        ("oidc/e.rs", "use crate::server::AppState;\n"),
        ("ctx.rs", "use crate::authn::session;\n"),
        // Allowed: comments, test modules, the page kit, the domain from a surface.
        ("oidc/f.rs", "use crate::web::meta; // crate::server\n"),
        (
            "identity/g.rs",
            "use crate::store;\n#[cfg(test)]\nmod t { use crate::web; }\n",
        ),
    ] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut bad = violations(&dir);
    bad.sort();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        bad,
        [
            "src/authn/b.rs: axum",
            "src/ctx.rs: crate::authn",
            "src/identity/a.rs: crate::web",
            "src/oidc/e.rs: crate::server",
            "src/store/c.rs: crate::identity",
            "src/web/d.rs: crate::oidc",
        ]
    );
}
