//! A value in the cache that this build cannot read — written by another build during a rolling
//! deploy, in a shape this one does not know — counts as expired for the person (the page says to
//! start again), and the operator sees it counted in `vhod_cache_unreadable_total{kind}`.

mod common;

use common::*;

const UNREADABLE_TX: &str = r#"vhod_cache_unreadable_total{kind="tx"}"#;

/// A login transaction as a newer build might write it: a `protocol` kind this build does not know.
const FROM_A_NEWER_BUILD: &str = r#"{"client_id":"portal","client_name":"Портал","redirect_uri":"https://rp.example/cb","scopes":["openid"],"state":null,"nonce":null,"code_challenge":"ch","prompt":[],"max_age":null,"login_hint":null,"lang":"En","created_at":1780000000,"needs_fresh_login":false,"protocol":{"kind":"passport_kiosk","kiosk":"k-1"}}"#;

#[tokio::test]
async fn a_login_transaction_this_build_cannot_read_is_expired_for_the_person_and_counted() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        // The metrics are the process's: the same counter for every server of this test.
        let before = metric(&t.base, UNREADABLE_TX).await;
        t.app
            .cache
            .put("tx:from-a-newer-build", FROM_A_NEWER_BUILD, 600)
            .await
            .unwrap();
        let res = reqwest::Client::new()
            .get(format!(
                "{}/authorize/continue?tx=from-a-newer-build",
                t.base
            ))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{backend:?}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("The sign-in has expired"),
            "{backend:?}: {page}"
        );
        let after = metric(&t.base, UNREADABLE_TX).await;
        assert_eq!(after, before + 1.0, "{backend:?}");
    }
}
