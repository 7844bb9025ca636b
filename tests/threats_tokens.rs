//! Threats to tokens, sessions and transport (issue 10, "tokens" group): tokens that outlive the
//! logout or recovery that should end them, consent bypassed by `claims`, id_token_hint accepting
//! any signed token, max_age=0 loops, HSTS, and dev mode on a public deployment.

mod common;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use tokens::*;

async fn portal(t: &TestServer) -> (String, String) {
    let (id, secret) = t.add_client(REDIRECT, false).await;
    (id, secret.unwrap())
}

#[tokio::test]
async fn logout_ends_the_portals_tokens_but_not_offline_ones_and_end_all_ends_those_too() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        t.add_person("out@example.org").await;
        let b = Browser::new(&t.base);
        let online = tokens_for(&t, &b, client, "out@example.org", "openid profile").await;
        let offline = tokens_for(&t, &b, client, "out@example.org", "openid offline_access").await;
        let logout = page(&b, "/logout").await;
        assert_eq!(b.submit(&logout, "/logout", &[]).await.status(), 200);
        assert_eq!(
            still_working(&t, client, &online).await,
            (401, false, 400),
            "{}: the session's grant ended with it",
            backend.name()
        );
        let (status, offline) = refresh(&t, client, &offline).await;
        assert_eq!(status, 200, "offline_access outlives a logout: {offline}");
        assert_eq!(userinfo(&t, offline["access_token"].as_str().unwrap()).await.0, 200);

        // «Завершить все сеансы» from a new session ends the offline grant too.
        let b = Browser::new(&t.base);
        let again = tokens_for(&t, &b, client, "out@example.org", "openid profile").await;
        let account = page(&b, "/account").await;
        b.submit(&account, "/account/sessions/end-all", &[]).await;
        assert_eq!(still_working(&t, client, &again).await, (401, false, 400));
        assert_eq!(
            still_working(&t, client, &offline).await,
            (401, false, 400),
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn rp_initiated_logout_ends_the_portals_tokens() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        t.add_person("rp-out@example.org").await;
        let b = Browser::new(&t.base);
        let tokens = tokens_for(&t, &b, client, "rp-out@example.org", "openid profile").await;
        let hint = tokens["id_token"].as_str().unwrap();
        let confirm = page(&b, &format!("/session/end?id_token_hint={hint}")).await;
        b.submit_follow(&confirm, "/session/end/confirm", &[]).await;
        assert_eq!(b.get("/account").await.status(), 303, "signed out");
        assert_eq!(
            still_working(&t, client, &tokens).await,
            (401, false, 400),
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn password_recovery_ends_every_grant_offline_ones_included() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        t.add_person("+79005550042").await;
        let b = Browser::new(&t.base);
        let online = tokens_for(&t, &b, client, "+79005550042", "openid profile").await;
        let offline = tokens_for(&t, &b, client, "+79005550042", "openid offline_access").await;

        let r = Browser::new(&t.base);
        let start = page(&r, "/recover").await;
        let page = match r.submit_follow(&start, "/recover", &[("login", "+79005550042")]).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let body = t.last_message("+79005550042").await["body"]
            .as_str()
            .unwrap()
            .to_string();
        let code = body
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
            .find(|w| w.len() == 6)
            .unwrap()
            .to_string();
        let page = match r.submit_follow(&page, "/recover/code", &[("code", &code)]).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let new = "Novyi-Parol-2026!";
        match r
            .submit_follow(&page, "/recover/password", &[("password", new), ("password2", new)])
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("Пароль изменён"), "{html}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(still_working(&t, client, &online).await, (401, false, 400));
        assert_eq!(
            still_working(&t, client, &offline).await,
            (401, false, 400),
            "{}: recovery ends offline grants too",
            backend.name()
        );
    }
}
