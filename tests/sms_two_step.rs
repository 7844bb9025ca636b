//! «Вход с подтверждением»: opt-in with an SMS code, then an SMS code at every password login;
//! code refusals (wrong, expired, too early, too many), send limits, and the HTTP SMS gateway.

mod common;

use common::login::{password_to_second_factor, sign_in_to_account};
use common::*;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// The six digits after "vhod: " in a message body.
fn code_in(body: &str) -> String {
    body.split("vhod: ")
        .nth(1)
        .expect("code in message")
        .chars()
        .take(6)
        .collect()
}

async fn outbox_code(t: &TestServer, phone: &str) -> String {
    let msg = t.last_message(phone).await;
    code_in(msg["body"].as_str().expect("an SMS was sent"))
}

async fn security_page(browser: &Browser) -> String {
    match browser.follow("/account/security").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

/// Presses «Включить»: (status of the POST, page shown after it). A code sent answers 303 to the
/// page's code step (Post/Redirect/Get), which is followed.
async fn start_enabling(browser: &Browser) -> (u16, String) {
    let page = security_page(browser).await;
    let res = browser
        .submit(&page, "/account/security/sms/start", &[])
        .await;
    let status = res.status().as_u16();
    if let Some(next) = location(&res) {
        assert_eq!(next, "/account/security?step=sms");
        return (status, security_page_at(browser, &next).await);
    }
    (status, res.text().await.unwrap())
}

async fn security_page_at(browser: &Browser, url: &str) -> String {
    match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

/// Submits the SMS code that turns two-step login on: a right one answers 303 back to the page.
async fn confirm_enabling(browser: &Browser, page: &str, code: &str) -> String {
    let res = browser
        .submit(page, "/account/security/sms/confirm", &[("code", code)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res).as_deref(), Some("/account/security"));
    security_page_at(browser, "/account/security").await
}

/// Turns two-step login on, reading the code from the outbox.
async fn enable(t: &TestServer, browser: &Browser, phone: &str) {
    let (status, page) = start_enabling(browser).await;
    assert_eq!(status, 303, "{page}");
    let code = outbox_code(t, phone).await;
    let page = confirm_enabling(browser, &page, &code).await;
    assert!(page.contains("Вход с подтверждением включён"));
}

async fn submit_sms(browser: &Browser, page: &str, code: &str) -> reqwest::Response {
    browser
        .submit(
            page,
            "/login/second-factor",
            &[("method", "sms"), ("code", code)],
        )
        .await
}

#[tokio::test]
async fn turning_two_step_on_needs_an_sms_code_and_then_every_password_login_asks_for_one() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79003330001";
        t.add_person(phone).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let owner = Browser::new(&t.base);
        sign_in_to_account(&owner, phone).await;
        assert!(security_page(&owner).await.contains("Выключен"));

        let (_, page) = start_enabling(&owner).await;
        let code = outbox_code(&t, phone).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let res = owner
            .submit(&page, "/account/security/sms/confirm", &[("code", wrong)])
            .await;
        assert_eq!(res.status(), 400);
        let page = res.text().await.unwrap();
        assert!(page.contains("Неверный код."));
        let page = confirm_enabling(&owner, &page, &code).await;
        assert!(page.contains("Вход с подтверждением включён"));

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
        let browser = Browser::new(&t.base);
        let page = password_to_second_factor(&browser, &url, phone).await;
        assert!(page.contains("Код отправлен в SMS на номер"));
        assert!(page.contains("Код не пришёл?"));
        let code = outbox_code(&t, phone).await;
        let res = submit_sms(&browser, &page, &code).await;
        let next = location(&res).expect("signed in");
        let back = match browser.follow(&next).await {
            Landing::Page(200, html) => match browser
                .submit_follow(&html, "/consent", &[("decision", "allow")])
                .await
            {
                Landing::Left(u) => u,
                other => panic!("{other:?}"),
            },
            Landing::Left(u) => u,
            other => panic!("{other:?}"),
        };
        let code = query_param(&back, "code").expect("code");
        let (status, body) =
            redeem(&t, &client_id, secret.as_deref().unwrap(), &code, &verifier).await;
        assert_eq!(status, 200, "{body}");
        let claims = id_token_claims(&body);
        assert_eq!(
            claims["acr"],
            "urn:vhod:acr:substantial",
            "{}",
            backend.name()
        );
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "sms", "mfa"]));
    }
}

#[tokio::test]
async fn sms_codes_refuse_early_resend_replaced_expired_and_too_many_wrong_codes() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79003330002";
        t.add_person(phone).await;
        let owner = Browser::new(&t.base);
        sign_in_to_account(&owner, phone).await;
        enable(&t, &owner, phone).await;

        let browser = Browser::new(&t.base);
        let page = password_to_second_factor(&browser, "/login", phone).await;
        let first = outbox_code(&t, phone).await;
        // Resend too early.
        let res = browser
            .submit(&page, "/login/second-factor/send", &[])
            .await;
        assert_eq!(res.status(), 429, "{}", backend.name());
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Повторно отправить код можно через")
        );
        // After a minute: a new code replaces the first one.
        t.app.clock.advance(61);
        let res = browser
            .submit(&page, "/login/second-factor/send", &[])
            .await;
        assert_eq!(res.status(), 303, "Post/Redirect/Get");
        assert_eq!(location(&res).as_deref(), Some("/login/second-factor"));
        match browser.follow("/login/second-factor").await {
            Landing::Page(200, html) => assert!(html.contains("Новый код отправлен")),
            other => panic!("{other:?}"),
        }
        let second = outbox_code(&t, phone).await;
        if first != second {
            let res = submit_sms(&browser, &page, &first).await;
            assert_eq!(res.status(), 401);
            assert!(res.text().await.unwrap().contains("Неверный код."));
        }
        // Five minutes later the code has expired.
        t.app.clock.advance(301);
        let res = submit_sms(&browser, &page, &second).await;
        assert_eq!(res.status(), 401);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Срок действия кода истёк")
        );

        // A fresh login: the fifth wrong code ends it, and the right code no longer helps.
        let browser = Browser::new(&t.base);
        let page = password_to_second_factor(&browser, "/login", phone).await;
        let code = outbox_code(&t, phone).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            let res = submit_sms(&browser, &page, wrong).await;
            assert_eq!(res.status(), 401);
        }
        let res = submit_sms(&browser, &page, wrong).await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Слишком много неверных кодов")
        );
        let res = submit_sms(&browser, &page, &code).await;
        assert_eq!(res.status(), 400);
        assert!(location(&res).is_none());
    }
}

#[tokio::test]
async fn sms_sends_are_limited_per_number_and_per_ip() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.codes.per_destination_hour = 2;
        config.codes.per_ip_hour = 3;
        config.codes.resend_after = 0;
        let t = TestServer::start_with(&backend, config).await;
        t.add_person("+79003330003").await;
        t.add_person("+79003330004").await;
        let a = Browser::new(&t.base);
        sign_in_to_account(&a, "+79003330003").await;
        for _ in 0..2 {
            assert_eq!(start_enabling(&a).await.0, 303);
        }
        let (status, page) = start_enabling(&a).await;
        assert_eq!(status, 400, "{}", backend.name());
        assert!(page.contains("Слишком много SMS"), "per number");

        // Another number from the same address: the address has used its sends.
        let b = Browser::new(&t.base);
        sign_in_to_account(&b, "+79003330004").await;
        let (status, page) = start_enabling(&b).await;
        assert_eq!(status, 400);
        assert!(page.contains("Слишком много SMS"), "per IP");
    }
}

/// A local SMS gateway: records (Authorization, JSON body); answers `script` statuses in turn,
/// then 200.
type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

#[derive(Clone, Default)]
struct Gateway {
    seen: Seen,
    script: Arc<Mutex<Vec<u16>>>,
}

async fn gateway_handler(
    axum::extract::State(g): axum::extract::State<Gateway>,
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> axum::http::StatusCode {
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string());
    g.seen.lock().unwrap().push((auth, body));
    let mut script = g.script.lock().unwrap();
    let status = if script.is_empty() {
        200
    } else {
        script.remove(0)
    };
    axum::http::StatusCode::from_u16(status).unwrap()
}

async fn start_gateway() -> (Gateway, String) {
    let g = Gateway::default();
    let app = axum::Router::new()
        .route("/sms", axum::routing::post(gateway_handler))
        .with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (g, url)
}

#[tokio::test]
async fn the_http_gateway_gets_json_with_the_auth_header_and_is_retried_after_a_5xx() {
    for backend in backends() {
        let (gw, url) = start_gateway().await;
        let mut config = test_config(&backend);
        config.notify.sms = "http".into();
        config.notify.sms_url = url;
        config.notify.sms_auth_header = "Bearer gw-secret".into();
        config.notify.sms_retries = 2;
        let t = TestServer::start_with(&backend, config).await;
        let phone = "+79003330009";
        t.add_person(phone).await;
        let owner = Browser::new(&t.base);
        sign_in_to_account(&owner, phone).await;

        // First answer 503, then 200: delivered on the retry.
        gw.script.lock().unwrap().push(503);
        let (status, page) = start_enabling(&owner).await;
        assert_eq!(status, 303, "{}: {page}", backend.name());
        let seen = gw.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "one retry after the 503");
        for (auth, body) in &seen {
            assert_eq!(auth.as_deref(), Some("Bearer gw-secret"));
            assert_eq!(body["to"], phone);
            assert_eq!(body["sender"], "vhod");
        }
        assert!(
            t.last_message(phone).await.is_null(),
            "SMS went to the gateway, not the outbox"
        );
        let code = code_in(seen[1].1["text"].as_str().unwrap());
        let page = confirm_enabling(&owner, &page, &code).await;
        assert!(page.contains("Вход с подтверждением включён"));

        // A 4xx is final: no retry, and the person sees an error rather than a silent success.
        t.app.clock.advance(61);
        gw.script.lock().unwrap().push(400);
        let before = gw.seen.lock().unwrap().len();
        let (status, _) = start_enabling(&owner).await;
        assert_eq!(status, 500);
        assert_eq!(gw.seen.lock().unwrap().len(), before + 1);
    }
}
