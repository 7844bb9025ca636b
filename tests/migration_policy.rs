//! The migration rule that rolling deploys rest on (src/store/schema.rs): from migration 0138 on,
//! a migration that takes away what the previous release reads or writes — drops or renames a table
//! or a column, changes a column's type, makes a column NOT NULL, or adds a NOT NULL column without
//! a default (the previous release's inserts would not fill it) — must in the same file either
//! raise the floor to its own version (`UPDATE schema_floor SET needs_migration = <version>`), so
//! nodes of the previous build stop instead of failing request by request, or say why the previous
//! release is unaffected (`-- previous release unaffected: <reason>`, e.g. SQLite's rebuild of a
//! table under its own name).

use std::path::Path;

/// Migrations before the rule (the schema the first build with `schema_floor` found).
const FIRST_UNDER_THE_RULE: i64 = 138;

/// What in `sql` takes something away from the previous release (empty: nothing).
fn takes_away(sql: &str) -> Vec<String> {
    let code: String = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    for statement in code.split(';') {
        let words: Vec<String> = statement
            .split_whitespace()
            .map(str::to_ascii_uppercase)
            .collect();
        let text = words.join(" ");
        for what in [
            "DROP TABLE",
            "DROP COLUMN",
            "RENAME TO",
            "RENAME COLUMN",
            "SET NOT NULL",
            "SET DATA TYPE",
        ] {
            if text.contains(what) {
                found.push(what.to_string());
            }
        }
        if text.contains("ALTER COLUMN") && text.contains(" TYPE ") {
            found.push("ALTER COLUMN … TYPE".into());
        }
        if text.contains("ADD COLUMN") && text.contains("NOT NULL") && !text.contains("DEFAULT") {
            found.push("ADD COLUMN … NOT NULL without DEFAULT".into());
        }
    }
    found
}

fn raises_floor_to(sql: &str, version: i64) -> bool {
    let flat = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.contains(&format!(
        "UPDATE schema_floor SET needs_migration = {version}"
    ))
}

fn violations(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let version: i64 = name.split('_').next().unwrap().parse().unwrap();
        if version < FIRST_UNDER_THE_RULE {
            continue;
        }
        let sql = std::fs::read_to_string(&path).unwrap();
        let taken = takes_away(&sql);
        if !taken.is_empty()
            && !raises_floor_to(&sql, version)
            && !sql.contains("-- previous release unaffected:")
        {
            out.push(format!("{}: {}", path.display(), taken.join(", ")));
        }
    }
    out
}

#[test]
fn no_migration_takes_away_what_the_previous_release_uses_without_raising_the_floor() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for backend in ["sqlite", "postgres"] {
        let bad = violations(&root.join(backend));
        assert!(bad.is_empty(), "{bad:#?}");
    }
}

#[test]
fn the_rule_sees_what_takes_away_and_lets_additions_through() {
    for sql in [
        "ALTER TABLE accounts DROP COLUMN nickname;",
        "DROP TABLE sessions;",
        "ALTER TABLE grants RENAME TO grants_old;",
        "ALTER TABLE accounts RENAME COLUMN login TO username;",
        "ALTER TABLE accounts ALTER COLUMN level SET NOT NULL;",
        "ALTER TABLE accounts ALTER COLUMN level TYPE BIGINT;",
        "ALTER TABLE accounts ADD COLUMN nickname TEXT NOT NULL;",
    ] {
        assert!(!takes_away(sql).is_empty(), "{sql}");
    }
    for sql in [
        "CREATE TABLE newer (id TEXT PRIMARY KEY);",
        "ALTER TABLE accounts ADD COLUMN nickname TEXT;",
        "ALTER TABLE accounts ADD COLUMN flags BIGINT NOT NULL DEFAULT 0;",
        "CREATE INDEX accounts_by_nickname ON accounts (nickname);\nDROP INDEX IF EXISTS old_index;",
        "-- DROP TABLE in a comment is not a statement\nSELECT 1;",
    ] {
        assert!(takes_away(sql).is_empty(), "{sql}: {:?}", takes_away(sql));
    }
    let dropping = "ALTER TABLE accounts DROP COLUMN nickname;\n";
    assert!(!raises_floor_to(dropping, 140));
    let raising = format!("{dropping}UPDATE schema_floor\n   SET needs_migration = 140;\n");
    assert!(raises_floor_to(&raising, 140));
    assert!(
        !raises_floor_to(&raising, 141),
        "its own version, not another"
    );
}
