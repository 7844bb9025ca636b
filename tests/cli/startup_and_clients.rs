use super::*;

#[test]
fn unknown_configuration_key_stops_start_up_naming_the_key() {
    let dir = tempdir();
    let out = vhod(&dir)
        .env("VHOD_SERVER__BINDD", "x")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "vhod: unknown configuration key `VHOD_SERVER__BINDD`"
    );
}

#[test]
fn unreachable_database_stops_start_up_naming_the_url() {
    let dir = tempdir();
    let out = vhod(&dir)
        .env(
            "VHOD_DATABASE__URL",
            "postgres://vhod:secret@127.0.0.1:1/vhod",
        )
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot open database postgres://vhod:***@127.0.0.1:1/vhod"),
        "{err}"
    );
    assert!(!err.contains("secret"), "password is not printed");
}

#[test]
fn clients_add_list_remove_round_trip_with_json() {
    let dir = tempdir();
    let out = vhod(&dir)
        .args([
            "clients",
            "add",
            "--name",
            "Портал",
            "--redirect-uri",
            "https://portal.example.gov/cb",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = v["client_id"].as_str().unwrap().to_string();
    assert_eq!(v["client_secret"].as_str().unwrap().len(), 43);

    let out = vhod(&dir)
        .args([
            "clients",
            "add",
            "--name",
            "SPA",
            "--redirect-uri",
            "http://localhost:3000/cb",
            "--public",
            "--id-token-alg",
            "ES256",
            "--json",
        ])
        .output()
        .unwrap();
    let spa: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(spa["client_secret"].is_null());

    let out = vhod(&dir)
        .args(["clients", "list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&id.as_str()));
    let spa_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == spa["client_id"])
        .unwrap();
    assert_eq!(spa_row["id_token_alg"], "ES256");
    assert_eq!(spa_row["public"], true);

    let out = vhod(&dir)
        .args(["clients", "remove", &id])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = vhod(&dir)
        .args(["clients", "remove", &id])
        .output()
        .unwrap();
    assert!(!out.status.success(), "removing twice fails");

    let bad = vhod(&dir)
        .args([
            "clients",
            "add",
            "--name",
            "X",
            "--redirect-uri",
            "http://portal.example.gov/cb",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("must be an absolute https URL"));
}

pub(crate) fn create_account(
    dir: &std::path::Path,
    args: &[&str],
    password: &str,
) -> std::process::Output {
    let mut child = vhod(dir)
        .args([
            "accounts",
            "create",
            "--surname",
            "Иванов",
            "--name",
            "Иван",
        ])
        .args(args)
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn accounts_create_validates_like_the_web_form() {
    let dir = tempdir();
    let ok = create_account(&dir, &["--phone", "8 912 111-22-33"], "Zvezda-2026!ok\n");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let dup = create_account(&dir, &["--phone", "+79121112233"], "Zvezda-2026!ok");
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already registered"));
    let weak = create_account(&dir, &["--email", "a@b.ru"], "password");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let bad = create_account(&dir, &["--phone", "12345"], "Zvezda-2026!ok");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("malformed phone number"));
}
