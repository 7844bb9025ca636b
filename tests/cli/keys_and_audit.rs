use super::*;

#[test]
fn keys_list_rotate_revoke_from_the_command_line() {
    let dir = tempdir();
    let list = |dir: &std::path::Path| -> Vec<serde_json::Value> {
        let out = vhod(dir).args(["keys", "list", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let keys = list(&dir);
    let mut algs: Vec<&str> = keys.iter().map(|k| k["alg"].as_str().unwrap()).collect();
    algs.sort();
    assert_eq!(
        algs,
        ["ES256", "GOST3410_2012_256", "GOST3410_2012_512", "RS256"],
        "one key per algorithm generated on first start"
    );
    assert!(
        keys.iter()
            .all(|k| k["state"] == "active" && k.get("private_sealed").is_none())
    );
    let out = vhod(&dir)
        .args(["keys", "rotate", "--alg", "ES256"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let next = String::from_utf8_lossy(&out.stdout)
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    assert!(
        list(&dir)
            .iter()
            .any(|k| k["kid"] == next.as_str() && k["state"] == "next")
    );
    let out = vhod(&dir)
        .args(["keys", "rotate", "--alg", "ES256"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already published"));
    let out = vhod(&dir)
        .args(["keys", "rotate", "--alg", "ES256", "--now"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let active: Vec<_> = list(&dir)
        .into_iter()
        .filter(|k| k["alg"] == "ES256" && k["state"] == "active")
        .collect();
    assert_eq!(active.len(), 1, "exactly one active key per algorithm");
    let kid = active[0]["kid"].as_str().unwrap().to_string();
    let out = vhod(&dir)
        .args(["keys", "revoke", &kid, "--reason", "key compromise drill"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("now signs in its place"));
    assert!(
        list(&dir)
            .iter()
            .any(|k| k["kid"] == kid.as_str() && k["state"] == "revoked")
    );
    let out = vhod(&dir)
        .args(["keys", "revoke", &kid, "--reason", "again"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn audit_verify_names_the_first_tampered_entry() {
    let dir = tempdir();
    for name in ["A", "B", "C"] {
        let out = vhod(&dir)
            .args([
                "clients",
                "add",
                "--name",
                name,
                "--redirect-uri",
                "https://portal.example.gov/cb",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let out = vhod(&dir)
        .args(["keys", "rotate", "--alg", "RS256"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = vhod(&dir).args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "audit log intact: 4 entries"
    );
    let out = vhod(&dir)
        .args(["audit", "export", "--since", "2020-01-01"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["action"], "key.rotate");
    assert!(lines[0]["actor"].as_str().unwrap().starts_with("cli:"));

    // Tamper with entry 2 directly in the database.
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}/vhod.db", dir.display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE audit_log SET target = 'someone-else' WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    let out = vhod(&dir).args(["audit", "verify"]).output().unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "vhod: audit log broken at entry 2: content does not match its hash"
    );
    // Deleting an entry is found too.
    sqlx::query(
        "UPDATE audit_log SET target = (SELECT target FROM audit_log WHERE seq = 1) WHERE seq = 2",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    let out = vhod(&dir).args(["audit", "verify"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken at entry 2")
            || String::from_utf8_lossy(&out.stderr).contains("broken at entry 3")
    );
}

#[test]
fn keys_rewrap_moves_every_key_under_a_new_kek() {
    let dir = tempdir();
    let out = vhod(&dir).args(["keys", "list"]).output().unwrap();
    assert!(out.status.success());
    let new_kek = dir.join("kek-2026");
    let out = vhod(&dir)
        .args(["keys", "rewrap", "--new-kek-file"])
        .arg(&new_kek)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("rewrapped 4 keys under {}", new_kek.display()),
        "RS256, ES256 and the two GOST keys"
    );
    // Only the new KEK now opens the keys (activating a key reloads and decrypts every signer).
    let out = vhod(&dir)
        .env("VHOD_KEYS__KEK_FILE", &new_kek)
        .args(["keys", "rotate", "--alg", "ES256", "--now"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vhod(&dir)
        .args(["keys", "rotate", "--alg", "RS256", "--now"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the old KEK alone no longer opens the keys"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be decrypted"));
    // With the new KEK listed as an extra one, a node still on the old KEK keeps working.
    let out = vhod(&dir)
        .env("VHOD_KEYS__EXTRA_KEK_FILES", &new_kek)
        .args(["keys", "rotate", "--alg", "RS256", "--now"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn keys_import_takes_a_pem_key_and_publishes_it() {
    let dir = tempdir();
    let kp = josekit::jws::ES256.generate_key_pair().unwrap();
    use josekit::jwk::KeyPair;
    let pem_path = dir.join("imported.pem");
    std::fs::write(&pem_path, kp.to_pem_private_key()).unwrap();
    let out = vhod(&dir)
        .args(["keys", "import", "--alg", "ES256", "--pem-file"])
        .arg(&pem_path)
        .arg("--now")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kid = String::from_utf8_lossy(&out.stdout)
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let list = vhod(&dir)
        .args(["keys", "list", "--json"])
        .output()
        .unwrap();
    let keys: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let active_es: Vec<_> = keys
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["alg"] == "ES256" && k["state"] == "active")
        .collect();
    assert_eq!(active_es.len(), 1);
    assert_eq!(active_es[0]["kid"], kid.as_str());
    let bad = dir.join("bad.pem");
    std::fs::write(
        &bad,
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let out = vhod(&dir)
        .args(["keys", "import", "--alg", "ES256", "--pem-file"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn clients_update_changes_settings_and_refuses_nonsense() {
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
    let id = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = vhod(&dir)
        .args([
            "clients",
            "update",
            &id,
            "--min-level",
            "standard",
            "--require-par",
            "true",
            "--id-token-alg",
            "ES256",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vhod(&dir)
        .args(["clients", "list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            c["min_level"].as_str(),
            c["require_par"].as_bool(),
            c["id_token_alg"].as_str()
        ),
        (Some("standard"), Some(true), Some("ES256"))
    );
    for bad in [
        vec!["--min-level", "golden"],
        vec!["--min-acr", "strong"],
        vec![],
    ] {
        let out = vhod(&dir)
            .args(["clients", "update", &id])
            .args(&bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad:?}");
    }
}
