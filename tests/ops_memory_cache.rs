//! The memory cache (one node's default) is bounded like Redis at `maxmemory` with `noeviction`:
//! a flood of authorization requests from many addresses — each keeps a login transaction — fills
//! `cache.memory_max_mb`, after which the next one is answered 503 with Retry-After in the person's
//! language instead of the process growing without end, and /metrics shows how full it is; once
//! transactions expire, sign-ins start again by themselves.

mod common;

use common::*;
use std::time::Duration;

#[tokio::test]
async fn a_full_memory_cache_answers_503_with_retry_after_and_takes_sign_ins_again_as_entries_expire()
 {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.cache.memory_max_mb = 1;
    // Long enough that the flood fills the cache before its first transactions expire, even on a
    // busy machine (≈ 1 400 requests in 8 s).
    config.session.login_tx_ttl = 8;
    // One test address stands for many: the per-address limit is not what this test is about.
    config.login.authorize_rate_per_minute = 10_000_000;
    config.login.authorize_rate_burst = 1_000_000;
    let t = TestServer::start_with(&backend, config).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    let url = authorize_url(
        &t.base,
        &client_id,
        REDIRECT,
        &[
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ],
    );
    let http = no_redirect_client();
    let authorize = |lang: &'static str| http.get(&url).header("accept-language", lang).send();

    // 1 MiB holds ≈ 1 400 login transactions (≈ 0.76 KB each as the cache counts them).
    let mut kept = 0;
    let refusal = loop {
        let res = authorize("en").await.unwrap();
        if res.status().as_u16() >= 400 {
            break res;
        }
        kept += 1;
        assert!(
            kept < 5000,
            "1 MiB of login transactions took 5000 requests"
        );
    };
    assert!(
        kept > 300,
        "the bound holds what it says: {kept} transactions"
    );
    assert_eq!(refusal.status().as_u16(), 503, "after {kept} transactions");
    assert!(
        refusal
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .is_some()
    );
    let body = refusal.text().await.unwrap();
    assert!(
        body.contains("The service is temporarily unavailable"),
        "{body}"
    );
    let ru = authorize("ru").await.unwrap();
    assert_eq!(ru.status().as_u16(), 503);
    assert!(
        ru.text()
            .await
            .unwrap()
            .contains("Сервис временно недоступен")
    );

    // The operator sees it coming: the gauges the worker samples once a second.
    let mut seen = String::new();
    for _ in 0..30 {
        seen = reqwest::get(format!("{}/metrics", t.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let bytes = seen
            .lines()
            .find_map(|l| l.strip_prefix("vhod_cache_memory_bytes "))
            .and_then(|v| v.trim().parse::<f64>().ok());
        if bytes.is_some_and(|b| b > 0.9 * 1_048_576.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let bytes = seen
        .lines()
        .find_map(|l| l.strip_prefix("vhod_cache_memory_bytes "))
        .and_then(|v| v.trim().parse::<f64>().ok());
    assert!(
        bytes.is_some_and(|b| b > 0.9 * 1_048_576.0 && b <= 1_048_576.0),
        "vhod_cache_memory_bytes near the bound: {bytes:?}"
    );
    assert!(
        seen.contains("vhod_cache_memory_max_bytes 1048576"),
        "{seen}"
    );

    // The transactions live 8 s; then the cache sweeps them out and takes new ones.
    let mut again = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if authorize("en").await.unwrap().status().as_u16() < 400 {
            again = true;
            break;
        }
    }
    assert!(again, "sign-ins start again once the transactions expire");
}
