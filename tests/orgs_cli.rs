//! `vhod clients add --require-org` and `clients update --require-org …` (issue 14): the flag is
//! stored, listed, and changed back, on the same database as serve.

use std::process::Command;

fn vhod(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vhod"));
    c.current_dir(dir)
        .env_remove("VHOD_CONFIG")
        .env(
            "VHOD_DATABASE__URL",
            format!("sqlite://{}/vhod.db", dir.display()),
        )
        .env("VHOD_KEYS__KEK_FILE", dir.join("kek"))
        .env("VHOD_PASSWORD__MEMORY_KIB", "1024")
        .env("VHOD_PASSWORD__ITERATIONS", "1")
        .env("VHOD_LOG", "warn");
    c
}

fn require_org_of(dir: &std::path::Path, id: &str) -> serde_json::Value {
    let out = vhod(dir)
        .args(["clients", "list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == id)
        .unwrap()["require_org"]
        .clone()
}

#[test]
fn clients_add_require_org_is_listed_and_can_be_turned_off() {
    let dir = std::env::temp_dir().join(format!("vhod-cli-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = vhod(&dir)
        .args([
            "clients",
            "add",
            "--name",
            "Личный кабинет ЖКХ",
            "--redirect-uri",
            "https://portal.example.gov/cb",
            "--require-org",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(require_org_of(&dir, &id), true);
    let out = vhod(&dir)
        .args(["clients", "update", &id, "--require-org", "false"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(require_org_of(&dir, &id), false);
    let out = vhod(&dir)
        .args(["clients", "update", &id, "--require-org", "perhaps"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a non-boolean is refused");
}
