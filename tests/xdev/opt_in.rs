//! Clients opt in per grant: the CLI (short names and URNs, the CIBA mode and endpoint) and the
//! admin API register the same; refusals name what is wrong.

use crate::common::*;
use crate::support::*;
use serde_json::{Value, json};
use std::process::Command;
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;

fn vhod(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vhod"));
    c.current_dir(dir)
        .env_remove("VHOD_CONFIG")
        .env(
            "VHOD_DATABASE__URL",
            format!("sqlite://{}/vhod.db", dir.display()),
        )
        .env("VHOD_KEYS__KEK_FILE", dir.join("kek"))
        .env("VHOD_LOG", "warn");
    c
}

#[test]
fn cli_registers_device_and_ciba_clients_by_short_name_and_refuses_bad_ciba_options() {
    let dir = std::env::temp_dir().join(format!("vhod-xdev-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = vhod(&dir)
        .args([
            "clients",
            "add",
            "--name",
            "Киоск",
            "--public",
            "--grant-type",
            "device_code",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, public) = client_key("k1");
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, json!({ "keys": [public] }).to_string()).unwrap();
    let jwks = jwks.to_str().unwrap();
    let ciba = |extra: &[&str]| {
        let mut args = vec![
            "clients",
            "add",
            "--name",
            "Колл-центр",
            "--grant-type",
            CIBA,
        ];
        args.extend([
            "--auth-method",
            "private_key_jwt",
            "--jwks-file",
            jwks,
            "--json",
        ]);
        args.extend(extra);
        vhod(&dir).args(&args).output().unwrap()
    };
    let out = ciba(&[
        "--ciba-mode",
        "ping",
        "--ciba-notification-endpoint",
        "https://cc.example.gov/ciba",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ciba(&["--ciba-mode", "ping"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ping mode needs a notification endpoint")
    );
    let out = ciba(&["--ciba-mode", "push"]);
    assert!(!out.status.success());
    let list = vhod(&dir)
        .args(["clients", "list", "--json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    // Both were added within the same second: the list's order between them is not the point.
    let with = |grant: &str| {
        list.iter()
            .find(|c| c["grant_types"] == json!([grant]))
            .unwrap_or_else(|| panic!("a client with only {grant}: {list:?}"))
    };
    assert_eq!(with(DEVICE)["public"], true);
    assert_eq!(with(CIBA)["backchannel_token_delivery_mode"], "ping");
}

async fn add(t: &TestServer, token: &str, body: Value) -> (u16, Value) {
    let res = no_redirect_client()
        .post(format!("{}/admin/api/clients", t.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn admin_api_registers_a_ping_ciba_client_and_refuses_push() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let (token, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "desk", 600)
            .await
            .unwrap();
        let (_, public) = client_key("k1");
        let mut body = json!({
            "name": "Колл-центр",
            "grant_types": ["ciba"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": { "keys": [public] },
            "backchannel_token_delivery_mode": "ping",
            "backchannel_client_notification_endpoint": "https://cc.example.gov/ciba",
        });
        let (status, created) = add(&t, &token, body.clone()).await;
        assert_eq!(status, 201, "{created}");
        let id = created["client_id"].as_str().unwrap();
        let c = vhod::clients::find(&t.app.store, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.grant_types, vec![CIBA.to_string()]);
        assert_eq!(c.ciba_mode, Some(vhod::clients::CibaMode::Ping));
        body["backchannel_token_delivery_mode"] = json!("push");
        let (status, problem) = add(&t, &token, body).await;
        assert_eq!(status, 400, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("push"),
            "{problem}"
        );
    }
}
