//! The push channel for sign-in codes (notify/push.rs, authn/channels.rs): the person chooses it
//! in the security settings, and the two-step login code then goes to the messaging gateway's
//! webhook — a receiver this test starts — signed with HMAC-SHA256 and retried through the job
//! queue when the gateway is down; in development it lands in the outbox as channel "push".

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::login::{fresh_signed_in, login_page};
use common::*;
use std::sync::{Arc, Mutex};
use vhod::store::second_factors::SecurityChoice;

const SECRET: &str = "push-secret-0123456789";

/// What the gateway received: (timestamp, signature, body), and how many calls to refuse first.
#[derive(Clone, Default)]
struct Gateway {
    calls: Arc<Mutex<Vec<(String, String, String)>>>,
    refuse_first: Arc<Mutex<u32>>,
}

async fn receive(State(g): State<Gateway>, headers: HeaderMap, body: String) -> StatusCode {
    let h = |n: &str| {
        headers
            .get(n)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    g.calls
        .lock()
        .unwrap()
        .push((h("x-vhod-timestamp"), h("x-vhod-signature"), body));
    let mut refuse = g.refuse_first.lock().unwrap();
    if *refuse > 0 {
        *refuse -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::NO_CONTENT
}

async fn start_gateway(g: Gateway) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/push", axum::routing::post(receive))
        .with_state(g);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/push")
}

/// A person with SMS two-step sign-in and push chosen in the settings page.
async fn person_choosing_push(t: &TestServer, phone: &str, login: &str) -> String {
    let account = t.add_person(phone).await;
    t.app
        .store
        .set_security_choice(&account, SecurityChoice::SmsTwoStep, true)
        .await
        .unwrap();
    let browser = Browser::new(&t.base);
    let page = login_page(&browser).await;
    let res = browser
        .submit(&page, "/login", &[("login", login), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res).as_deref(), Some("/login/second-factor"));
    // Sign in with the SMS code (still SMS: nothing chosen yet), then choose push.
    let sms = t.last_message(phone).await;
    let code: String = sms["body"]
        .as_str()
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    let step = browser
        .get("/login/second-factor")
        .await
        .text()
        .await
        .unwrap();
    let res = browser
        .submit(
            &step,
            "/login/second-factor",
            &[("method", "sms"), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), 303, "signed in with the SMS code");
    let security = browser.get("/account/security").await.text().await.unwrap();
    assert!(
        security.contains("value=\"push\""),
        "push is offered: {security}"
    );
    let form = security.split("id=\"channel-form\"").nth(1).unwrap();
    let res = browser
        .submit(form, "/account/security/channel", &[("channel", "push")])
        .await;
    assert_eq!(res.status(), 303);
    let security = browser.get("/account/security").await.text().await.unwrap();
    assert!(security.contains("value=\"push\" checked"), "{security}");
    // «Последние действия» shows the change, so a change nobody made is seen.
    assert!(
        security.contains("Изменён способ получения кодов входа"),
        "{security}"
    );
    account
}

#[tokio::test]
async fn a_login_code_goes_to_the_signed_webhook_and_is_retried_while_the_gateway_is_down() {
    for backend in backends() {
        let gateway = Gateway::default();
        *gateway.refuse_first.lock().unwrap() = 1;
        let url = start_gateway(gateway.clone()).await;
        let mut config = test_config(&backend);
        config.push.mode = "http".into();
        config.push.url = url;
        config.push.secret = SECRET.into();
        let t = TestServer::start_with(&backend, config).await;
        let account = person_choosing_push(&t, "+79001240001", "89001240001").await;
        let sms_before = t.last_message("+79001240001").await;

        // The next login's code goes to the gateway, not by SMS.
        let browser = Browser::new(&t.base);
        let page = login_page(&browser).await;
        browser
            .submit(
                &page,
                "/login",
                &[("login", "89001240001"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            t.last_message("+79001240001").await,
            sms_before,
            "no new SMS"
        );
        vhod::server::worker::run_due(&t.app).await;
        assert_eq!(
            gateway.calls.lock().unwrap().len(),
            1,
            "first call refused (503)"
        );
        t.app.clock.advance(60);
        vhod::server::worker::run_due(&t.app).await;
        let calls = gateway.calls.lock().unwrap().clone();
        assert_eq!(
            calls.len(),
            2,
            "{}: retried through the job table",
            backend.name()
        );
        let (ts, sig, body) = &calls[1];
        assert_eq!(
            *sig,
            vhod::notify::push::signature(SECRET, ts.parse().unwrap(), body)
        );
        assert!(sig.starts_with("sha256="));
        let msg: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(msg["account"], account);
        assert_eq!(msg["kind"], "code");
        let code: String = msg["text"]
            .as_str()
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let step = browser
            .get("/login/second-factor")
            .await
            .text()
            .await
            .unwrap();
        assert!(step.contains("Код отправлен push-уведомлением"), "{step}");
        let res = browser
            .submit(
                &step,
                "/login/second-factor",
                &[("method", "sms"), ("code", &code)],
            )
            .await;
        assert_eq!(res.status(), 303, "the pushed code signs in");
        assert_eq!(location(&res).as_deref(), Some("/account"));
        // The delivered message carried the code: the job table keeps no copy of it.
        let jobs = t
            .app
            .store
            .jobs_of_kind(vhod::notify::push::JOB)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 1, "{}", backend.name());
        assert!(jobs[0].done_at.is_some());
        assert_eq!(jobs[0].payload, "{}", "{}: payload erased", backend.name());
        assert!(!jobs[0].payload.contains(&code));
    }
}

#[tokio::test]
async fn in_development_push_lands_in_the_outbox_and_push_is_not_offered_when_off() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.push.mode = "outbox".into();
        let t = TestServer::start_with(&backend, config).await;
        let account = person_choosing_push(&t, "+79001240002", "89001240002").await;
        let browser = Browser::new(&t.base);
        let page = login_page(&browser).await;
        browser
            .submit(
                &page,
                "/login",
                &[("login", "89001240002"), ("password", PASSWORD)],
            )
            .await;
        let pushed = t.last_message(&account).await;
        assert_eq!(pushed["channel"], "push", "{}: {pushed}", backend.name());

        // With push off it is neither offered nor accepted.
        let off = TestServer::start(&backend).await;
        off.add_person("+79001240003").await;
        let b = fresh_signed_in(&off.base, "89001240003").await;
        let security = b.get("/account/security").await.text().await.unwrap();
        assert!(!security.contains("value=\"push\""));
        let form = security.split("id=\"channel-form\"").nth(1).unwrap();
        let res = b
            .submit(form, "/account/security/channel", &[("channel", "push")])
            .await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Этот способ сейчас нельзя выбрать.")
        );
    }
}
