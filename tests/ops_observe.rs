//! What an operator sees: /healthz, /readyz, /metrics (route templates, never raw paths; sign-ins,
//! tokens, histograms), the admin address, and JSON log lines that carry the request id, route,
//! status, client and account — and none of the secrets a full sign-in used.

mod common;
mod esia_rp;

use common::*;
use esia_rp::*;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, TokenResponse,
};
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};

const REDIRECT: &str = "https://portal.example/cb";

/// The process's log, as JSON lines, captured once for every test in this file.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_log() -> &'static Capture {
    static LOG: OnceLock<Capture> = OnceLock::new();
    LOG.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        vhod::server::logging::init_with(
            "json",
            move || writer.clone(),
            tracing_subscriber::EnvFilter::new("debug,hyper=info,reqwest=info,h2=info"),
        );
        capture
    })
}

async fn get(url: String) -> (u16, String) {
    let res = reqwest::get(url).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn health_readiness_and_metrics_by_route_template() {
    captured_log();
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        assert_eq!(get(format!("{}/healthz", t.base)).await, (200, "ok".into()));
        let (status, body) = get(format!("{}/readyz", t.base)).await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        let ready: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(ready["database"], "ok");
        assert_eq!(ready["cache"], "ok");
        assert_eq!(get(format!("{}/keys/gost-256.pem", t.base)).await.0, 200);
        t.add_person("metrics@example.org").await;
        let b = Browser::new(&t.base);
        assert_eq!(
            login::password_status(&b, "metrics@example.org", "wrong-password-1").await,
            401
        );
        let (status, text) = get(format!("{}/metrics", t.base)).await;
        assert_eq!(status, 200);
        assert!(
            text.contains(r#"route="/keys/{name}""#),
            "requests are labelled by route template: {text}"
        );
        assert!(!text.contains("gost-256.pem"), "never by raw path");
        assert!(text.contains("vhod_http_request_duration_seconds_bucket{"));
        assert!(text.contains(r#"status="200""#));
        assert!(
            text.lines()
                .any(|l| l.starts_with("vhod_sign_ins_total{") && l.contains(r#"method="pwd""#)),
            "sign-ins by method and result: {text}"
        );
        assert!(text.contains("vhod_signing_key_age_seconds{"));
    }
}

#[tokio::test]
async fn the_admin_address_alone_serves_metrics_and_readiness() {
    captured_log();
    let backend = backends().remove(0);
    let mut config = test_config(&backend);
    let admin_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    config.server.admin_bind = format!("127.0.0.1:{admin_port}");
    let t = TestServer::start_with(&backend, config.clone()).await;
    // The main address: health for the balancer, no metrics.
    assert_eq!(get(format!("{}/healthz", t.base)).await.0, 200);
    assert_eq!(get(format!("{}/metrics", t.base)).await.0, 404);
    // The admin router (what `vhod serve` binds to server.admin_bind).
    let (_, ops, _) = vhod::server::build_apps(config, vhod::clock::Clock::default())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", admin_port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, ops).await.unwrap() });
    let admin = format!("http://127.0.0.1:{admin_port}");
    assert_eq!(get(format!("{admin}/readyz")).await.0, 200);
    let (status, text) = get(format!("{admin}/metrics")).await;
    assert_eq!(status, 200);
    assert!(text.contains("vhod_http_requests_total"));
    assert_eq!(get(format!("{admin}/login")).await.0, 404);
}

#[tokio::test]
async fn json_logs_of_a_full_sign_in_name_the_request_and_hold_no_secret() {
    let log = captured_log();
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        let account = t.add_person("logs@example.org").await;
        let rp = t.rp(&client_id, Some(&secret), REDIRECT).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let verifier_text = verifier.secret().clone();
        let (auth_url, _, _) = rp
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .url();
        let browser = Browser::new(&t.base);
        let back = browser
            .authorize_and_login(auth_url.as_str(), "logs@example.org", PASSWORD)
            .await;
        let code = query_param(&back, "code").expect("a code");
        let tokens = rp
            .client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&rp.http)
            .await
            .unwrap();
        let access = tokens.access_token().secret().clone();
        let userinfo = reqwest::Client::new()
            .get(format!("{}/userinfo", t.base))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(userinfo.status(), 200);
        assert_eq!(browser.get("/account").await.status(), 200);
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        let mut secrets = vec![
            ("password", PASSWORD.to_string()),
            ("client secret", secret.clone()),
            ("authorization code", code.clone()),
            ("PKCE verifier", verifier_text.clone()),
            ("access token", access.clone()),
        ];
        if let Some(r) = tokens.refresh_token() {
            secrets.push(("refresh token", r.secret().clone()));
        }
        if let Some(id) = tokens.id_token() {
            let jwt = serde_json::to_value(id).unwrap();
            secrets.push(("ID token", jwt.as_str().unwrap().to_string()));
        }
        for (what, value) in &secrets {
            assert!(!text.contains(value.as_str()), "the log holds the {what}");
        }
        // This backend's token request (the log also holds the earlier backends' runs).
        let token_line = lines
            .iter()
            .find(|l| {
                l["message"] == "request served"
                    && l["span"]["route"] == "/token"
                    && l["span"]["status"] == 200
                    && l["span"]["client_id"] == client_id.as_str()
            })
            .expect("the token request is logged with its route, status and client");
        assert!(token_line["span"]["request_id"].is_string());
        assert!(token_line["latency_ms"].is_number());
        assert!(
            lines
                .iter()
                .any(|l| l["span"]["account_id"] == account.as_str()),
            "a signed-in page request names the account"
        );
    }
}

/// The line of `metric` whose labels include every one of `labels`, and its value.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")))
        .find(|l| labels.iter().all(|x| l.contains(x)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn esia_tokens_are_counted_by_grant_and_client_and_the_pool_and_queue_are_sampled() {
    captured_log();
    for (n, backend) in backends().into_iter().enumerate() {
        let t = TestServer::start(&backend).await;
        let client = format!("OPS_METRICS_{n}");
        let rp = register_rp(&t, &client, &["org_emps"]).await;
        // An organisation that allows the portal to read its data (client_credentials).
        let chief = t.add_person("+79005559771").await;
        let oid = t.add_org(ROMASHKA, &chief).await;
        vhod::orgs::allowances::allow(&t.app, &chief, oid, &client)
            .await
            .unwrap();
        let scope = format!("org_emps?org_oid={}", oid);
        let (status, body) = rp
            .te(&rp.client_credentials_form(t.app.clock.now(), &scope, PHP))
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = rp
            .te(&rp.client_credentials_form(t.app.clock.now(), "org_nonsense", PHP))
            .await;
        assert_eq!(status, 400);
        let client_label = format!(r#"client="{client}""#);
        let labels = [
            r#"protocol="esia""#,
            r#"grant="client_credentials""#,
            client_label.as_str(),
        ];
        // The worker samples the pool and the queue once a second.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let (_, text) = get(format!("{}/metrics", t.base)).await;
        assert_eq!(
            sample(&text, "vhod_tokens_issued_total", &labels),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(&text, "vhod_token_refusals_total", &labels),
            Some(1.0),
            "{text}"
        );
        assert!(
            sample(&text, "vhod_db_pool_acquire_seconds_count", &[]).is_some()
                || text.contains("vhod_db_pool_acquire_seconds_count "),
            "the pool's acquire wait is sampled: {text}"
        );
        assert!(text.contains("vhod_db_pool_connections{state=\"idle\"}"));
        assert!(text.contains("vhod_job_queue_depth "));
        assert!(text.contains("vhod_job_queue_oldest_age_seconds "));
    }
}

/// A client can send any token as an HTTP method; each would be a new series every node keeps
/// (and Prometheus stores) for good. Methods HTTP does not define are counted as `other`, and
/// every request is still counted once (the series' handles are kept after the first request).
#[tokio::test]
async fn methods_no_one_defined_are_counted_as_other_not_each_as_a_series() {
    captured_log();
    let backend = backends().remove(0);
    let t = TestServer::start(&backend).await;
    let labels = [r#"route="/token""#, r#"method="other""#, r#"status="405""#];
    let before = sample(
        &get(format!("{}/metrics", t.base)).await.1,
        "vhod_http_requests_total",
        &labels,
    );
    let http = reqwest::Client::new();
    for method in ["VHODFOO1", "VHODFOO2", "VHODFOO1", "VHODBARBAZ"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = http
            .request(method, format!("{}/token", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
    }
    let (_, text) = get(format!("{}/metrics", t.base)).await;
    assert!(!text.contains("VHODFOO"), "no series of its own: {text}");
    assert!(!text.contains("VHODBARBAZ"), "no series of its own: {text}");
    let after = sample(&text, "vhod_http_requests_total", &labels);
    assert_eq!(after, Some(before.unwrap_or(0.0) + 4.0), "{text}");
}
