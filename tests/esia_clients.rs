//! ESIA clients are managed like any relying party: `vhod clients add --esia` and
//! `replace-certificate` on the command line, the admin API (problem+json), and a replaced
//! certificate keeps working for the overlap only.

mod common;
mod esia_rp;

use common::*;
use esia_rp::*;
use serde_json::{Value, json};
use std::process::Command;
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;

const NEW_KEY_PEM: &str = include_str!("fixtures/gost/256-B.key.pem");
const NEW_CERT_PEM: &str = include_str!("fixtures/gost/256-B.cert.pem");
const RSA_LIKE_512_CERT: &str = include_str!("fixtures/gost/512-A.cert.pem");

/// The environment of every `vhod` run of one test: its own SQLite file or PostgreSQL schema.
fn environment(dir: &std::path::Path, backend: &Backend) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "VHOD_KEYS__KEK_FILE".to_string(),
            dir.join("kek").display().to_string(),
        ),
        ("VHOD_LOG".into(), "warn".into()),
    ];
    match backend {
        Backend::Sqlite => env.push((
            "VHOD_DATABASE__URL".into(),
            format!("sqlite://{}/vhod.db", dir.display()),
        )),
        Backend::Postgres { db, .. } => {
            env.push(("VHOD_DATABASE__URL".into(), db.clone()));
            env.push((
                "VHOD_DATABASE__SCHEMA".into(),
                format!("cli_{}", uuid::Uuid::now_v7().simple()),
            ));
        }
    }
    env
}

#[test]
fn cli_registers_an_esia_client_and_replaces_its_certificate() {
    for backend in backends() {
        let dir =
            std::env::temp_dir().join(format!("vhod-esia-cli-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("client.pem");
        std::fs::write(&cert, CERT_PEM).unwrap();
        let envs = environment(&dir, &backend);
        let run = |args: &[&str]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_vhod"));
            c.current_dir(&dir).env_remove("VHOD_CONFIG");
            for (k, v) in &envs {
                c.env(k, v);
            }
            c.args(args).output().unwrap()
        };
        let out = run(&[
            "clients",
            "add",
            "--esia",
            "--client-id",
            "PORTAL_CLI",
            "--certificate",
            cert.to_str().unwrap(),
            "--name",
            "Портал",
            "--redirect-uri",
            PORTAL_REDIRECT,
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}: {}",
            backend.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["client_id"], "PORTAL_CLI");
        assert_eq!(v["token_alg"], "GOST3410_2012_256");
        let hash = v["certificate_hash"].as_str().unwrap().to_string();
        assert_eq!(hash.len(), 64);
        assert_eq!(
            hash,
            vhod::clients::esia::certificate_hash(
                &vhod::clients::esia::parse_certificate(CERT_PEM.as_bytes())
                    .unwrap()
                    .0
            )
        );

        // Bad input is a clear error, not a half-registered client.
        let out = run(&[
            "clients",
            "add",
            "--esia",
            "--client-id",
            "bad id!",
            "--certificate",
            cert.to_str().unwrap(),
            "--name",
            "x",
            "--redirect-uri",
            PORTAL_REDIRECT,
        ]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("mnemonic"));
        let out = run(&[
            "clients",
            "add",
            "--esia",
            "--client-id",
            "PORTAL_CLI",
            "--certificate",
            cert.to_str().unwrap(),
            "--name",
            "x",
            "--redirect-uri",
            PORTAL_REDIRECT,
        ]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

        let new_cert = dir.join("new.pem");
        std::fs::write(&new_cert, NEW_CERT_PEM).unwrap();
        let out = run(&[
            "clients",
            "replace-certificate",
            "PORTAL_CLI",
            "--certificate",
            new_cert.to_str().unwrap(),
            "--overlap",
            "600",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let new_hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_ne!(new_hash, hash);
        let out = run(&[
            "clients",
            "replace-certificate",
            "PORTAL_CLI",
            "--certificate",
            new_cert.to_str().unwrap(),
        ]);
        assert!(
            !out.status.success(),
            "the same certificate twice is refused"
        );
    }
}

#[test]
fn cli_changes_the_esia_flags_after_registration() {
    for backend in backends() {
        let dir =
            std::env::temp_dir().join(format!("vhod-esia-flags-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("client.pem");
        std::fs::write(&cert, CERT_PEM).unwrap();
        let envs = environment(&dir, &backend);
        let run = |args: &[&str]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_vhod"));
            c.current_dir(&dir).env_remove("VHOD_CONFIG");
            for (k, v) in &envs {
                c.env(k, v);
            }
            let out = c.args(args).output().unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).to_string(),
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        };
        let (ok, out, err) = run(&[
            "clients",
            "add",
            "--esia",
            "--client-id",
            "PORTAL_FLAGS",
            "--certificate",
            cert.to_str().unwrap(),
            "--name",
            "Портал",
            "--redirect-uri",
            PORTAL_REDIRECT,
            "--require-pkce",
            "--json",
        ]);
        assert!(ok, "{}: {err}", backend.name());
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (v["legacy"].as_bool(), v["require_pkce"].as_bool()),
            (Some(false), Some(true))
        );

        let (ok, out, err) = run(&[
            "clients",
            "update",
            "--esia",
            "PORTAL_FLAGS",
            "--legacy",
            "true",
            "--require-pkce",
            "false",
        ]);
        assert!(ok, "{err}");
        assert!(out.contains("legacy true, require_pkce false"), "{out}");
        // One flag at a time: the other keeps its value.
        let (ok, out, _) = run(&[
            "clients",
            "update",
            "--esia",
            "PORTAL_FLAGS",
            "--legacy",
            "false",
        ]);
        assert!(
            ok && out.contains("legacy false, require_pkce false"),
            "{out}"
        );
        let (ok, out, _) = run(&[
            "clients",
            "update",
            "--esia",
            "PORTAL_FLAGS",
            "--require-pkce",
            "true",
            "--min-level",
            "confirmed",
        ]);
        assert!(ok, "{out}");
        let (_, list, _) = run(&["clients", "list", "--json"]);
        let list: Value = serde_json::from_str(&list).unwrap();
        let row = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["client_id"] == "PORTAL_FLAGS")
            .unwrap();
        assert_eq!(row["require_pkce"], true);
        assert_eq!(row["min_level"], "confirmed");

        // Clear errors, nothing changed.
        let (ok, _, err) = run(&["clients", "update", "PORTAL_FLAGS", "--legacy", "true"]);
        assert!(!ok && err.contains("add --esia"), "{err}");
        let (ok, _, err) = run(&["clients", "update", "--esia", "NO_SUCH", "--legacy", "true"]);
        assert!(!ok && err.contains("no ESIA client NO_SUCH"), "{err}");
        let (ok, _, err) = run(&[
            "clients",
            "update",
            "--esia",
            "PORTAL_FLAGS",
            "--legacy",
            "maybe",
        ]);
        assert!(!ok && err.contains("--legacy"), "{err}");
    }
}

#[tokio::test]
async fn a_replaced_certificate_works_for_the_overlap_then_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let old = register_rp(&t, "PORTAL_ROT", &[]).await;
        let new_hash = vhod::clients::esia::replace_certificate(
            &t.app.store,
            "PORTAL_ROT",
            NEW_CERT_PEM.as_bytes(),
            600,
        )
        .await
        .unwrap();
        let new = EsiaRp::new(&t.base, "PORTAL_ROT", &new_hash, NEW_KEY_PEM);
        let browser = Browser::new(&t.base);
        let answer = |rp: &EsiaRp| {
            let url =
                rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP));
            let browser = &browser;
            async move {
                let res = browser.get(&url).await;
                let to = location(&res).unwrap_or_default();
                param(&to, "error_description")
                    .map(|d| d[..11].to_string())
                    .unwrap_or(to)
            }
        };
        assert!(
            answer(&old).await.starts_with("/login?tx="),
            "{}: old within overlap",
            backend.name()
        );
        assert!(answer(&new).await.starts_with("/login?tx="), "new at once");
        t.app.clock.advance(601);
        assert_eq!(answer(&old).await, "ESIA-007002", "old after the overlap");
        assert!(answer(&new).await.starts_with("/login?tx="));
        // The old key can no longer sign for the new certificate either.
        let forged = EsiaRp::new(&t.base, "PORTAL_ROT", &new_hash, KEY_PEM);
        assert_eq!(answer(&forged).await, "ESIA-007053");
    }
}

#[tokio::test]
async fn admin_api_registers_lists_and_rotates_esia_clients() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (token, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "esia", 600)
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let post = |path: &str, body: Value| {
            http.post(format!("{}{path}", t.base))
                .bearer_auth(&token)
                .json(&body)
                .send()
        };
        let res = post(
            "/admin/api/esia/clients",
            json!({ "client_id": "PORTAL_ADM", "name": "Портал", "certificate": CERT_PEM,
                    "redirect_uris": [PORTAL_REDIRECT], "scopes": ["fullname"], "token_alg": "RS256" }),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 201, "{}", backend.name());
        let created: Value = res.json().await.unwrap();
        assert_eq!(created["token_alg"], "RS256");
        assert_eq!(created["certificates"].as_array().unwrap().len(), 1);

        // A 512-bit certificate cannot sign ESIA's GOST-256 client_secret.
        let res = post(
            "/admin/api/esia/clients",
            json!({ "client_id": "PORTAL_512", "name": "x", "certificate": RSA_LIKE_512_CERT,
                    "redirect_uris": [PORTAL_REDIRECT] }),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let res = post(
            "/admin/api/esia/clients/PORTAL_ADM/certificate",
            json!({ "certificate": NEW_CERT_PEM, "overlap": 60 }),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 200);
        let res = post(
            "/admin/api/esia/clients/NO_SUCH/certificate",
            json!({ "certificate": NEW_CERT_PEM }),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 404);

        let list: Value = http
            .get(format!("{}/admin/api/esia/clients", t.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list[0]["client_id"], "PORTAL_ADM");
        assert_eq!(
            list[0]["certificates"].as_array().unwrap().len(),
            2,
            "both during the overlap"
        );
        let audit = t.app.store.audit_since(0).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "client.replace_certificate")
        );
    }
}

#[tokio::test]
async fn an_esia_client_cannot_get_tokens_at_the_openid_token_endpoint() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        register_rp(&t, "PORTAL_ONLY_ESIA", &[]).await;
        let http = reqwest::Client::new();
        for form in [
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "PORTAL_ONLY_ESIA"),
            ],
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", "PORTAL_ONLY_ESIA"),
                ("code", "x"),
                ("redirect_uri", PORTAL_REDIRECT),
            ],
        ] {
            let res = http
                .post(format!("{}/token", t.base))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert!(
                res.status().is_client_error(),
                "{}: {}",
                backend.name(),
                res.status()
            );
            let body: Value = res.json().await.unwrap();
            assert!(body.get("access_token").is_none());
        }
    }
}
