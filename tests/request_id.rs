//! One request id per request: the same id in the `X-Request-Id` response header, in the log lines
//! of the request and in the audit entry it writes; an incoming id is kept only from a trusted proxy.

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;

/// Every log line of this test binary, captured (installed before any server starts).
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("vhod=info"))
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .init();
        buf
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_text() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).to_string()
}

/// Rotates a key through the admin API (an audited action); returns the response's request id.
async fn rotate(t: &TestServer, token: &str, incoming: Option<&str>) -> String {
    let mut req = no_redirect_client()
        .post(format!("{}/admin/api/keys/rotate", t.base))
        .bearer_auth(token)
        .json(&json!({"alg": "ES256"}));
    if let Some(id) = incoming {
        req = req.header("x-request-id", id);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.headers()["x-request-id"].to_str().unwrap().to_string()
}

async fn audit_request_id(t: &TestServer) -> String {
    let rows = t.app.store.audit_since(0).await.unwrap();
    let row = rows
        .iter()
        .rev()
        .find(|r| r.action == "key.rotate")
        .expect("the rotation is audited");
    row.request_id.clone()
}

#[tokio::test]
async fn the_same_request_id_is_in_the_response_header_the_log_and_the_audit_row() {
    logs();
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (token, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "desk", 600)
            .await
            .unwrap();
        // Not from a trusted proxy: an incoming id is ignored and vhod makes its own.
        let id = rotate(&t, &token, Some("spoofed-by-client")).await;
        assert_ne!(id, "spoofed-by-client");
        assert_eq!(id.len(), 12, "{id}");
        assert_eq!(audit_request_id(&t).await, id, "{}", backend.name());
        let log = log_text();
        let line = log
            .lines()
            .find(|l| {
                l.contains("audit entry written") && l.contains("key.rotate") && l.contains(&id)
            })
            .unwrap_or_else(|| panic!("no log line of the audited request {id}:\n{log}"));
        assert!(
            line.contains(&format!("request{{request_id={id}")),
            "{line}"
        );
        assert!(!log.contains("spoofed-by-client"), "{}", backend.name());
    }
}

#[tokio::test]
async fn a_trusted_proxys_request_id_is_kept_everywhere() {
    logs();
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.server.trusted_proxies = "127.0.0.1/32, ::1".into();
    let t = TestServer::start_with(&backend, config).await;
    let (token, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "desk", 600)
        .await
        .unwrap();
    let id = rotate(&t, &token, Some("lb-7f3a.91_x")).await;
    assert_eq!(id, "lb-7f3a.91_x");
    assert_eq!(audit_request_id(&t).await, "lb-7f3a.91_x");
    assert!(log_text().contains("request{request_id=lb-7f3a.91_x"));
    // A header that is not a plain id is not kept even from a trusted proxy.
    let res = no_redirect_client()
        .get(format!("{}/jwks", t.base))
        .header("x-request-id", "has spaces in it")
        .send()
        .await
        .unwrap();
    let odd = res.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(odd, "has spaces in it");
    assert_eq!(odd.len(), 12);
}

#[tokio::test]
async fn error_pages_and_error_bodies_carry_the_request_id_of_the_response() {
    logs();
    let t = TestServer::start(&Backend::Sqlite).await;
    let http = no_redirect_client();
    // A readable page.
    let res = http
        .get(format!("{}/authorize/continue", t.base))
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("<code>{id}</code>")), "{html}");
    // OAuth error JSON.
    let res = http
        .post(format!("{}/token", t.base))
        .form(&[("grant_type", "authorization_code")])
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str(), "{body}");
    // problem+json.
    let res = http
        .get(format!("{}/admin/api/keys", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(body["request_id"], id.as_str(), "{body}");
}
