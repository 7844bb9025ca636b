//! «Войти по QR-коду» end to end over HTTP: the desktop starts, the phone (signed in) approves,
//! the desktop finishes — on its own, inside an OpenID authorization (acr/amr in the ID token)
//! with a passkey or a password, and across two nodes.

mod common;
#[path = "common/passkey_device.rs"]
mod passkey_device;
#[path = "qr/support.rs"]
mod qr;

use common::login::fresh_signed_in;
use common::*;
use qr::*;
use serde_json::json;

#[tokio::test]
async fn desktop_signs_in_after_the_phone_approves_with_the_password() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230001").await;
        let phone = fresh_signed_in(&t.base, "89001230001").await;
        let desktop = Browser::new(&t.base);
        let login = desktop.get("/login").await.text().await.unwrap();
        assert!(login.contains("href=\"/login/qr?tx="), "{login}");

        let page = start(&desktop, "").await;
        assert_eq!(page.code.len(), 8);
        assert!(page.html.contains("Ждём подтверждения"), "{}", page.html);
        assert_eq!(status(&desktop).await, "pending");
        // Pressing «Продолжить» too early shows the same request again.
        let early = finish(&desktop, &page).await;
        assert_eq!(early.status(), 303);
        assert!(location(&early).unwrap().starts_with("/login/qr"));
        assert_eq!(start(&desktop, "").await.code, page.code, "same request");

        let html = phone_page(&phone, &page.code).await;
        assert!(html.contains("Личный кабинет"), "{html}");
        assert!(html.contains(&format!("value=\"{}\"", page.number)));
        let (code, done) = approve_with_password(&phone, &page.code, &page.number, None).await;
        assert_eq!(code, 200, "{done}");
        assert!(
            done.contains("Вход подтверждён. Вернитесь к компьютеру."),
            "{done}"
        );

        assert_eq!(status(&desktop).await, "approved", "{}", backend.name());
        let res = finish(&desktop, &page).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res).as_deref(), Some("/account"));
        let account = desktop.get("/account").await;
        assert_eq!(account.status(), 200);
        assert!(account.text().await.unwrap().contains("Мои данные"));

        // «Последние действия»: the desktop's sign-in is in the history as a QR sign-in.
        let security = phone.get("/account/security").await.text().await.unwrap();
        assert!(security.contains("QR-код с телефона"), "{security}");
        let audit = t.app.store.audit_since(0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "login.qr_approved"));
    }
}

#[tokio::test]
async fn inside_an_authorization_a_passkey_approval_gives_substantial_acr_and_mca_amr() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("qr-pk@example.org").await;
        let phone = fresh_signed_in(&t.base, "qr-pk@example.org").await;
        let mut passkey = Passkey::new(&t.issuer());
        passkey.enrol(&phone).await;

        let desktop = Browser::new(&t.base);
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("nonce", "n-qr"),
            ],
        );
        let res = desktop.get(&url).await;
        let login = location(&res).expect("sent to the login page");
        let tx = query_param(&format!("{}{login}", t.base), "tx").unwrap();
        let page = start(&desktop, &format!("?tx={tx}")).await;

        let html = phone_page(&phone, &page.code).await;
        assert!(html.contains("Test portal") || html.contains("id=\"qr-portal\""));
        let (status, body) = passkey.approve(&phone, &page.code, &page.number).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["redirect"].as_str().unwrap().starts_with("/qr/done"));

        let res = finish(&desktop, &page).await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            location(&res).unwrap(),
            format!("/authorize/continue?tx={tx}")
        );
        let back = match desktop.follow(&location(&res).unwrap()).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match desktop
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent: {other:?}"),
                }
            }
            other => panic!("{other:?}"),
        };
        let code = query_param(&back, "code").unwrap();
        let (status, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(
            claims["acr"],
            "urn:vhod:acr:substantial",
            "{}",
            backend.name()
        );
        assert_eq!(claims["amr"], json!(["hwk", "user", "mca"]));
    }
}

#[tokio::test]
async fn a_password_only_approval_is_low_and_says_so() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("qr-pwd@example.org").await;
        let phone = fresh_signed_in(&t.base, "qr-pwd@example.org").await;
        let desktop = Browser::new(&t.base);
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let login = location(&desktop.get(&url).await).unwrap();
        let tx = query_param(&format!("{}{login}", t.base), "tx").unwrap();
        let page = start(&desktop, &format!("?tx={tx}")).await;
        let (s, _) = approve_with_password(&phone, &page.code, &page.number, None).await;
        assert_eq!(s, 200);
        let res = finish(&desktop, &page).await;
        let back = match desktop.follow(&location(&res).unwrap()).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) => match desktop
                .submit_follow(&html, "/consent", &[("decision", "allow")])
                .await
            {
                Landing::Left(url) => url,
                other => panic!("consent: {other:?}"),
            },
            other => panic!("{other:?}"),
        };
        let code = query_param(&back, "code").unwrap();
        let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let claims = id_token_claims(&tokens);
        assert_eq!(claims["acr"], "urn:vhod:acr:low", "{}", backend.name());
        assert_eq!(claims["amr"], json!(["pwd", "mca"]));
    }
}

#[tokio::test]
async fn start_on_node_one_approve_on_node_two_finish_on_node_one() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    node1.add_person("+79001230009").await;

    let desktop = Browser::new(&node1.base);
    let page = start(&desktop, "").await;
    let phone = fresh_signed_in(&node2.base, "89001230009").await;
    let (s, html) = approve_with_password(&phone, &page.code, &page.number, None).await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(status(&desktop).await, "approved");
    let res = finish(&desktop, &page).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res).as_deref(), Some("/account"));
    assert_eq!(desktop.get("/account").await.status(), 200);
}
