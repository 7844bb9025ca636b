//! A dependency that goes away: a node on a Redis started by this test answers 503 with
//! Retry-After (within database.acquire_timeout_secs, no hang) while Redis is down, /readyz names
//! the cache, and the node recovers by itself when Redis is back — no restart.

mod common;

use common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const REDIRECT: &str = "https://portal.example/cb";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `redis-server` on `port`, without persistence; killed when dropped.
struct Redis(std::process::Child);

impl Redis {
    async fn start(port: u16) -> Redis {
        let redis = Redis(
            std::process::Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("redis-server is installed (apt-get install redis-server)"),
        );
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not listen on {port}");
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An authorization request, which needs the cache (the login transaction lives there).
async fn authorize(base: &str, client_id: &str) -> (u16, Option<String>, Duration) {
    let started = Instant::now();
    let url = format!(
        "{base}/authorize?response_type=code&scope=openid&client_id={client_id}&redirect_uri={}\
         &state=s1&nonce=n1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
         &code_challenge_method=S256",
        urlencode(REDIRECT)
    );
    let res = no_redirect_client().get(url).send().await.unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), retry, started.elapsed())
}

async fn readiness(base: &str) -> (u16, Value) {
    let res = reqwest::get(format!("{base}/readyz")).await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn redis_away_answers_503_with_retry_after_and_the_node_recovers_by_itself() {
    let port = free_port();
    let redis = Redis::start(port).await;
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.cache.url = format!("redis://127.0.0.1:{port}");
    config.database.acquire_timeout_secs = 2;
    let t = TestServer::start_with(&backend, config).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    let (status, _, _) = authorize(&t.base, &client_id).await;
    assert!(
        matches!(status, 200 | 302 | 303),
        "authorize answers {status}"
    );
    assert_eq!(readiness(&t.base).await.0, 200);

    drop(redis);
    let (status, retry, took) = authorize(&t.base, &client_id).await;
    assert_eq!(
        status, 503,
        "a request needing the cache while Redis is down"
    );
    assert!(
        retry
            .as_deref()
            .and_then(|r| r.parse::<u64>().ok())
            .is_some(),
        "Retry-After in seconds: {retry:?}"
    );
    assert!(
        took < Duration::from_secs(4),
        "answered in {took:?}, not hung"
    );
    let (status, body) = readiness(&t.base).await;
    assert_eq!(status, 503);
    assert_eq!(body["cache"], "unreachable", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    let metrics = reqwest::get(format!("{}/metrics", t.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("vhod_cache_errors_total"));
    assert!(metrics.contains(r#"vhod_dependency_unreachable_total{dependency="cache"}"#));

    let _redis = Redis::start(port).await;
    let mut recovered = false;
    for _ in 0..50 {
        if matches!(authorize(&t.base, &client_id).await.0, 200 | 302 | 303)
            && readiness(&t.base).await.0 == 200
        {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the node serves again within 10 s of Redis returning"
    );
    let b = Browser::new(&t.base);
    t.add_person("back@example.org").await;
    assert_eq!(
        login::password_status(&b, "back@example.org", PASSWORD).await,
        303,
        "a full sign-in works again"
    );
}
