//! The registry check through the HTTP gateway: retries with backoff, failing every try, a check
//! pending at restart, two nodes running each check exactly once.

mod common;

use axum::Json;
use axum::http::StatusCode;
use common::identity::*;
use common::login::new_browser_at_account;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A registry gateway on a local port: answers by the scripted list (last answer repeats) and
/// counts the calls it got.
struct Gateway {
    url: String,
    calls: Arc<AtomicUsize>,
    script: Arc<std::sync::Mutex<Vec<(u16, serde_json::Value)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn gateway(script: Vec<(u16, serde_json::Value)>) -> Gateway {
    let calls = Arc::new(AtomicUsize::new(0));
    let script = Arc::new(std::sync::Mutex::new(script));
    let (c, s) = (calls.clone(), script.clone());
    let app = axum::Router::new().route(
        "/check",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, Json(body): Json<serde_json::Value>| {
                let (c, s) = (c.clone(), s.clone());
                async move {
                    assert_eq!(
                        headers.get("authorization").unwrap(),
                        "Bearer gw-secret",
                        "the configured Authorization header is sent"
                    );
                    assert_eq!(body["snils"].as_str().unwrap().len(), 11);
                    assert_eq!(body["document"]["series"], "2815");
                    let n = c.fetch_add(1, Ordering::SeqCst);
                    let list = s.lock().unwrap();
                    let (status, answer) = list[n.min(list.len() - 1)].clone();
                    (StatusCode::from_u16(status).unwrap(), Json(answer))
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/check", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Gateway {
        url,
        calls,
        script,
        task,
    }
}

fn http_config(backend: &Backend, gw: &Gateway) -> vhod::config::Config {
    let mut c = test_config(backend);
    c.identity.verifier = "http".into();
    c.identity.registry_url = gw.url.clone();
    c.identity.registry_auth = "Bearer gw-secret".into();
    c.identity.registry_timeout_secs = 2;
    c.identity.registry_max_attempts = 3;
    c.identity.poll_secs = 1;
    c
}

#[tokio::test]
async fn the_http_gateway_is_retried_with_backoff_then_its_answer_is_used() {
    for backend in backends() {
        let gw = gateway(vec![
            (503, serde_json::json!({})),
            (200, serde_json::json!({ "result": "verified" })),
        ])
        .await;
        let t = TestServer::start_with(&backend, http_config(&backend, &gw)).await;
        let b = signed_in(&t, "+79001112237").await;
        submit_standard(&b, "123456", SNILS).await;
        // The first call fails; the retry waits for the backoff (the clock is moved past it).
        for _ in 0..40 {
            if gw.calls.load(Ordering::SeqCst) >= 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        t.app.clock.advance(60);
        let html = wait_for(&b, "проверено").await;
        assert!(html.contains("Стандартная"));
        assert_eq!(gw.calls.load(Ordering::SeqCst), 2);
    }
}

#[tokio::test]
async fn a_gateway_failing_every_try_marks_the_check_failed() {
    let backend = Backend::Sqlite;
    let gw = gateway(vec![(500, serde_json::json!({}))]).await;
    let t = TestServer::start_with(&backend, http_config(&backend, &gw)).await;
    let b = signed_in(&t, "fail@example.org").await;
    submit_standard(&b, "123456", SNILS).await;
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        t.app.clock.advance(120);
    }
    let html = wait_for(&b, "проверка не завершена").await;
    assert!(html.contains("Упрощённая"));
    assert_eq!(
        gw.calls.load(Ordering::SeqCst),
        3,
        "registry_max_attempts tries"
    );
    let msg = t.last_message("fail@example.org").await;
    assert!(
        msg["body"]
            .as_str()
            .unwrap()
            .contains("Проверка данных не завершена")
    );
}

#[tokio::test]
async fn a_check_pending_at_restart_completes_after_the_restart() {
    for backend in backends() {
        let gw = gateway(vec![(202, serde_json::json!({}))]).await;
        let config = http_config(&backend, &gw);
        let t = TestServer::start_with(&backend, config.clone()).await;
        let b = signed_in(&t, "+79001112238").await;
        submit_standard(&b, "123456", SNILS).await;
        for _ in 0..40 {
            if gw.calls.load(Ordering::SeqCst) >= 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            gw.calls.load(Ordering::SeqCst) >= 1,
            "the check was asked once"
        );
        drop(t); // the node stops with the check still pending
        *gw.script.lock().unwrap() = vec![(200, serde_json::json!({ "result": "verified" }))];
        gw.calls.store(0, Ordering::SeqCst);
        let mut config2 = config.clone();
        config2.server.issuer = vhod::config::Config::defaults().server.issuer;
        let t2 = TestServer::start_with(&backend, config2).await;
        let b2 = new_browser_at_account(&t2.base, "+79001112238").await;
        let html = wait_for(&b2, "проверено").await;
        assert!(html.contains("Стандартная"), "{}: {html}", backend.name());
    }
}

#[tokio::test]
async fn two_nodes_run_a_registry_check_exactly_once() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let gw = gateway(vec![(200, serde_json::json!({ "result": "verified" }))]).await;
    let node1 = TestServer::start_with(&backend, http_config(&backend, &gw)).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    let mut browsers = vec![];
    for i in 0..6 {
        let contact = format!("+7900111300{i}");
        let node = if i % 2 == 0 { &node1 } else { &node2 };
        browsers.push(signed_in(node, &contact).await);
    }
    for (i, b) in browsers.iter().enumerate() {
        submit_standard(
            b,
            &format!("12345{i}"),
            &snils_with_checksum(&format!("14725836{i}")),
        )
        .await;
    }
    for b in &browsers {
        let mut done = false;
        for _ in 0..60 {
            if let Landing::Page(200, html) = b.follow("/account/documents").await
                && html.contains("проверено")
            {
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert!(done, "every check ends verified");
    }
    assert_eq!(
        gw.calls.load(Ordering::SeqCst),
        6,
        "one registry call per check"
    );
    let audit = node1.app.store.audit_since(0).await.unwrap();
    let raised = audit.iter().filter(|a| a.action == "account.level").count();
    assert_eq!(raised, 6, "six people reached standard, once each");
}

/// A valid SNILS from its first nine digits (REQUIREMENTS §8).
fn snils_with_checksum(nine: &str) -> String {
    let sum: u32 = nine
        .chars()
        .zip((1..=9).rev())
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = match sum {
        s if s < 100 => s,
        100 | 101 => 0,
        s => (s % 101) % 100,
    };
    format!("{nine}{check:02}")
}
