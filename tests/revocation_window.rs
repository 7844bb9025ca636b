//! A node answers introspection and userinfo for a token it validated a moment ago from its own
//! memory (oidc::token_cache): a revocation must still be seen at once on the node that made it and
//! within a second on every other node (issue 15, "Prove under load").

mod common;

use common::*;
use serde_json::Value;
use std::time::Instant;

async fn introspect(t: &TestServer, client_id: &str, secret: &str, token: &str) -> bool {
    let res = no_redirect_client()
        .post(format!("{}/introspect", t.base))
        .basic_auth(client_id, Some(secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["active"] == true
}

async fn revoke(t: &TestServer, client_id: &str, secret: &str, token: &str) {
    let res = no_redirect_client()
        .post(format!("{}/revoke", t.base))
        .basic_auth(client_id, Some(secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// Two nodes, both having answered for the tokens just before (so both remember them).
async fn two_warm_nodes(backend: &Backend) -> (TestServer, TestServer, String, String, Value) {
    let a = TestServer::start(backend).await;
    let mut cfg = a.config.clone();
    cfg.server.issuer = a.issuer(); // one issuer behind a load balancer
    let b = TestServer::start_with(backend, cfg).await;
    let (client_id, secret) = a.add_client(REDIRECT, false).await;
    let secret = secret.unwrap();
    a.add_person("window@example.org").await;
    let (code, verifier) =
        obtain_code(&a, &Browser::new(&a.base), &client_id, "window@example.org").await;
    let (status, tokens) = redeem(&a, &client_id, &secret, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let at = tokens["access_token"].as_str().unwrap();
    for node in [&a, &b] {
        for _ in 0..3 {
            assert!(introspect(node, &client_id, &secret, at).await);
            assert_eq!(userinfo(node, at).await.0, 200);
        }
    }
    (a, b, client_id, secret, tokens)
}

#[tokio::test]
async fn a_revoked_access_token_is_inactive_at_once_on_the_acting_node_and_within_a_second_on_the_other()
 {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let (a, b, client_id, secret, tokens) = two_warm_nodes(&backend).await;
    let at = tokens["access_token"].as_str().unwrap();

    revoke(&a, &client_id, &secret, at).await;
    let revoked = Instant::now();
    assert!(
        !introspect(&a, &client_id, &secret, at).await,
        "at once on A"
    );
    assert_eq!(userinfo(&a, at).await.0, 401, "at once on A");
    within(SEEN_EVERYWHERE_WITHIN, "introspection on B", || async {
        !introspect(&b, &client_id, &secret, at).await
    })
    .await;
    assert_eq!(userinfo(&b, at).await.0, 401);
    assert!(
        revoked.elapsed() < SEEN_EVERYWHERE_WITHIN,
        "B saw it {:?} after the revocation",
        revoked.elapsed()
    );
}

#[tokio::test]
async fn a_revoked_grant_ends_its_access_tokens_at_once_here_and_within_a_second_there() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let (a, b, client_id, secret, tokens) = two_warm_nodes(&backend).await;
    let at = tokens["access_token"].as_str().unwrap();
    let rt = tokens["refresh_token"].as_str().unwrap();

    // Revoking the refresh token on B revokes the grant (RFC 7009 §2.2): now B is the acting node.
    revoke(&b, &client_id, &secret, rt).await;
    let revoked = Instant::now();
    assert!(
        !introspect(&b, &client_id, &secret, at).await,
        "at once on B"
    );
    assert_eq!(userinfo(&b, at).await.0, 401, "at once on B");
    within(SEEN_EVERYWHERE_WITHIN, "userinfo on A", || async {
        userinfo(&a, at).await.0 == 401
    })
    .await;
    assert!(!introspect(&a, &client_id, &secret, at).await);
    assert!(revoked.elapsed() < SEEN_EVERYWHERE_WITHIN);
}

#[tokio::test]
async fn a_token_still_valid_keeps_its_answer_and_its_expiry_is_checked_at_every_use() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("window@example.org").await;
        let (code, verifier) =
            obtain_code(&t, &Browser::new(&t.base), &client_id, "window@example.org").await;
        let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let at = tokens["access_token"].as_str().unwrap();
        let (status, first) = userinfo(&t, at).await;
        assert_eq!(status, 200);
        let (status, again) = userinfo(&t, at).await;
        assert_eq!((status, &again), (200, &first), "{}", backend.name());
        assert!(introspect(&t, &client_id, &secret, at).await);
        // Past its expiry the remembered answer does not count.
        t.app.clock.advance(t.app.config.tokens.access_ttl + 1);
        assert_eq!(userinfo(&t, at).await.0, 401, "{}", backend.name());
        assert!(!introspect(&t, &client_id, &secret, at).await);
    }
}
