//! An issuer whose host is an IP address cannot be a WebAuthn relying party: vhod still starts and
//! works, without passkeys (no «Войти с ключом доступа», no passkeys link, the passkey endpoints say so).

mod common;

use common::login::password_login;
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn an_ip_address_issuer_starts_without_passkeys_and_password_login_works() {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.server.issuer = "http://127.0.0.1:8080".into();
    let t = TestServer::start_with(&backend, config).await;
    assert!(t.app.webauthn.is_none());
    let browser = Browser::new(&t.base);

    let html = match browser.follow("/login").await {
        Landing::Page(200, html) => html,
        other => panic!("/login: {other:?}"),
    };
    assert!(!html.contains("Войти с ключом доступа"), "{html}");
    assert!(!html.contains("passkeys.js"), "{html}");
    assert!(html.contains("Войти"), "{html}");

    let csrf = hidden_fields(&html)
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
        .expect("the login form has a CSRF field");
    let res = browser
        .http
        .post(format!("{}/login/passkey/start", t.base))
        .json(&json!({ "csrf": csrf }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "passkeys_unavailable", "{body}");
    assert_eq!(
        body["message"],
        "Вход по ключу доступа на этом адресе сервиса недоступен."
    );

    // Everything else works: a password login reaches the personal account, without its passkeys link.
    t.add_person("ip-issuer@example.org").await;
    let (status, to) = password_login(&browser, "ip-issuer@example.org", PASSWORD).await;
    assert!(matches!(status, 302 | 303), "{status} {to}");
    let account = match browser.follow("/account").await {
        Landing::Page(200, html) => html,
        other => panic!("/account: {other:?}"),
    };
    assert!(!account.contains("/account/passkeys"), "{account}");
}
