//! CIBA (OpenID Connect CIBA Core 1.0) end to end: a call centre names the person by phone, the
//! person gets a link by SMS and a banner on their account, approves after signing in, and the
//! client polls (poll mode) or is pinged (ping mode).

use crate::common::*;
use crate::support::*;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn ciba_poll_mode_by_phone_with_banner_binding_message_and_single_use() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let c = ciba_client(&t, "poll", None).await;
        t.add_person("+79006660001").await;
        // The person is signed in elsewhere: their account page will show the banner.
        let browser = crate::common::login::new_browser_at_account(&t.base, "89006660001").await;

        let (status, started) = bc_authorize(
            &t,
            &c,
            &[
                ("scope", "openid profile"),
                ("login_hint", "+7 900 666-00-01"),
                ("binding_message", "Окно 7, код 4821"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{started} on {}", backend.name());
        let id = started["auth_req_id"].as_str().unwrap();
        assert!(started["expires_in"].as_i64().unwrap() > 0);
        assert_eq!(started["interval"], 1);

        let (status, body) = poll_ciba(&t, &c, id).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("authorization_pending")),
            "{body}"
        );

        let Landing::Page(200, account) = browser.follow("/account").await else {
            panic!()
        };
        assert!(account.contains("id=\"ciba-banner\""), "{account}");
        assert!(account.contains("Окно 7, код 4821"), "{account}");

        // The SMS carries the link; the page names the portal and the binding message.
        let link = approval_link(&t, "+79006660001").await;
        let page = reach_approval(&browser, &link, "89006660001", None).await;
        assert!(page.contains("Колл-центр ведомства"), "{page}");
        assert!(page.contains("Окно 7, код 4821"), "{page}");
        let (status, done) = decide(&browser, &page, "/ciba/decide", "allow").await;
        assert_eq!(status, 200);
        assert!(done.contains("data-decision=\"allow\""), "{done}");

        wait_interval().await;
        let (status, tokens) = poll_ciba(&t, &c, id).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(claims["aud"], c.id.as_str());
        assert_eq!(claims["acr"], vhod::authn::ACR_LOW);
        assert_eq!(claims["amr"], json!(["pwd"]));
        assert_eq!(
            userinfo(&t, tokens["access_token"].as_str().unwrap())
                .await
                .0,
            200
        );

        wait_interval().await;
        let (status, body) = poll_ciba(&t, &c, id).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
        let Landing::Page(200, account) = browser.follow("/account").await else {
            panic!()
        };
        assert!(
            !account.contains("id=\"ciba-banner\""),
            "decided: no banner"
        );
        let audit = t.app.store.audit_since(0).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "ciba.request" && e.actor == c.id)
        );
        assert!(audit.iter().any(|e| e.action == "ciba.approve"));
    }
}

/// A client's notification endpoint: what it received (Authorization header, body).
async fn notification_endpoint() -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    let got: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default();
                seen.lock()
                    .unwrap()
                    .push((auth, serde_json::from_str(&body).unwrap_or(Value::Null)));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://127.0.0.1:{port}/cb"), got)
}

#[tokio::test]
async fn ciba_ping_mode_pings_the_client_with_its_token_and_a_signed_request_works() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let (endpoint, got) = notification_endpoint().await;
        let c = ciba_client(&t, "ping", Some(&endpoint)).await;
        t.add_person("person.ping@example.org").await;

        // Ping without client_notification_token is refused.
        let (status, body) = bc_authorize(
            &t,
            &c,
            &[
                ("scope", "openid"),
                ("login_hint", "person.ping@example.org"),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{body}"
        );

        // A signed authentication request (CIBA Core §7.1.1).
        let request = signed(
            &c,
            &t.issuer(),
            json!({
                "scope": "openid email",
                "login_hint": "person.ping@example.org",
                "binding_message": "Заявка 77",
                "client_notification_token": "ping-token-123",
            }),
        );
        let (status, started) = bc_authorize(&t, &c, &[("request", &request)]).await;
        assert_eq!(status, 200, "{started}");
        let id = started["auth_req_id"].as_str().unwrap();
        // The same signed request again: its jti is spent.
        let (status, body) = bc_authorize(&t, &c, &[("request", &request)]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{body}"
        );

        let link = approval_link(&t, "person.ping@example.org").await;
        let browser = Browser::new(&t.base);
        let page = reach_approval(&browser, &link, "person.ping@example.org", None).await;
        assert!(page.contains("Заявка 77"), "{page}");
        assert!(
            got.lock().unwrap().is_empty(),
            "no ping before the decision"
        );
        let (status, _) = decide(&browser, &page, "/ciba/decide", "allow").await;
        assert_eq!(status, 200);
        let pings = got.lock().unwrap().clone();
        assert_eq!(pings.len(), 1, "{pings:?}");
        assert_eq!(pings[0].0, "Bearer ping-token-123");
        assert_eq!(pings[0].1, json!({ "auth_req_id": id }));

        let (status, tokens) = poll_ciba(&t, &c, id).await;
        assert_eq!(status, 200, "{tokens} on {}", backend.name());
        assert_eq!(tokens["scope"], "openid email");
    }
}
