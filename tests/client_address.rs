//! The client's address behind a reverse proxy (`server.trusted_proxies` + `X-Forwarded-For`),
//! counted by its block (an IPv6 address with its /64), and the per-address limit of the
//! authorization requests that start a sign-in — each keeps a login transaction in the cache for
//! half an hour, so one address must not be able to fill it — and of the requests a public client
//! pushes.

mod common;

use common::login::submit_password;
use common::*;
use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};

/// A browser whose requests reach vhod through a proxy that says it forwards for `chain`.
fn proxied(t: &TestServer, chain: &str, lang: &str) -> Browser {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(chain).unwrap());
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(lang).unwrap());
    Browser::sending(&t.base, headers, None)
}

async fn sign_in_and_read_the_recorded_address(
    t: &TestServer,
    contact: &str,
    chain: &str,
) -> String {
    let id = t.add_person(contact).await;
    let b = proxied(t, chain, "ru");
    let res = submit_password(&b, contact, PASSWORD).await;
    assert_eq!(res.status(), 303, "{contact} signs in");
    let events = t.app.store.login_events_of(&id, 10).await.unwrap();
    assert_eq!(events.len(), 1, "one sign-in recorded");
    events[0].ip.clone()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_sign_in_history_names_the_forwarded_address_not_the_proxy() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.server.trusted_proxies = "127.0.0.1, ::1".into();
        let t = TestServer::start_with(&backend, config).await;
        // The visitor forged 192.0.2.66 at the start; the proxy appended what it saw.
        let ip = sign_in_and_read_the_recorded_address(
            &t,
            "proxied.person@example.org",
            "192.0.2.66, 203.0.113.7",
        )
        .await;
        assert_eq!(ip, "203.0.113.7", "{}", backend.name());
    }
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_address_is_ignored_and_the_peer_is_recorded() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let ip =
            sign_in_and_read_the_recorded_address(&t, "direct.person@example.org", "203.0.113.7")
                .await;
        assert_eq!(ip, "127.0.0.1", "{}", backend.name());
    }
}

/// GET /authorize from `chain` (through the trusted proxy): its status and where it leads (a
/// redirect) or its page.
async fn authorize_from(t: &TestServer, client_id: &str, chain: &str, lang: &str) -> (u16, String) {
    let b = proxied(t, chain, lang);
    let url = authorize_url(&t.base, client_id, REDIRECT, &PKCE);
    let res = b.get(&url).await;
    let status = res.status().as_u16();
    match location(&res) {
        Some(to) => (status, to),
        None => (status, res.text().await.unwrap()),
    }
}

const PKCE: [(&str, &str); 2] = [
    (
        "code_challenge",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    ),
    ("code_challenge_method", "S256"),
];

#[tokio::test]
async fn an_address_that_floods_authorization_requests_is_refused_after_its_burst_others_are_not() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.server.trusted_proxies = "127.0.0.1, ::1".into();
        config.login.authorize_rate_per_minute = 1;
        config.login.authorize_rate_burst = 3;
        let t = TestServer::start_with(&backend, config).await;
        let (client_id, _) = t.add_client(REDIRECT, true).await;
        let name = backend.name();

        for i in 0..3 {
            let (status, to) = authorize_from(&t, &client_id, "203.0.113.1", "ru").await;
            assert_eq!(status, 303, "request {i} goes to the login page ({name})");
            assert!(to.starts_with("/login?tx="), "{to}");
        }
        let (status, html) = authorize_from(&t, &client_id, "203.0.113.1", "ru").await;
        assert_eq!(status, 429, "{name}");
        assert!(html.contains("Слишком много запросов"), "{html}");
        assert!(
            !html.contains("tx="),
            "no login transaction was started: {html}"
        );
        let (status, html) = authorize_from(&t, &client_id, "203.0.113.1", "en").await;
        assert_eq!(status, 429, "{name}");
        assert!(html.contains("Too many requests"), "{html}");
        // ESIA's authorization endpoint counts against the same allowance (from here on, what
        // 203.0.113.1 asks is refused before it is read).
        let esia = proxied(&t, "203.0.113.1", "ru")
            .get("/aas/oauth2/v2/ac?client_id=ANY")
            .await;
        assert_eq!(esia.status(), 429, "{name}");
        // The continuation of a started request is not an authorization request.
        let cont = proxied(&t, "203.0.113.1", "ru")
            .get("/authorize/continue?tx=unknown")
            .await;
        assert_ne!(cont.status(), 429, "{name}");

        // Every refusal is counted (the log names at most one a second).
        let metrics = Browser::new(&t.base)
            .get("/metrics")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("vhod_rate_limited_total{limit=\"authorizations\"}"),
            "{metrics}"
        );

        // Another address has its own allowance.
        let (status, _) = authorize_from(&t, &client_id, "203.0.113.2", "ru").await;
        assert_eq!(status, 303, "{name}");

        // IPv6: the addresses of one /64 share one allowance; the next /64 has its own.
        for i in 1..=3 {
            let (status, _) =
                authorize_from(&t, &client_id, &format!("2001:db8:1:2::{i}"), "ru").await;
            assert_eq!(status, 303, "{name}");
        }
        let (status, _) = authorize_from(&t, &client_id, "2001:db8:1:2:ffff::99", "ru").await;
        assert_eq!(status, 429, "another address of the same /64 ({name})");
        let (status, _) = authorize_from(&t, &client_id, "2001:db8:1:3::1", "ru").await;
        assert_eq!(status, 303, "{name}");
    }
}

#[tokio::test]
async fn an_oversized_parameter_the_login_would_keep_is_refused_back_to_the_portal() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, _) = t.add_client(REDIRECT, true).await;
        let b = Browser::new(&t.base);
        let long_claims = format!(
            "{{\"userinfo\":{{\"email\":null}},\"pad\":\"{}\"}}",
            "x".repeat(4100)
        );
        let long_scope = format!("openid {}", "profile ".repeat(300));
        for (key, value, described) in [
            ("nonce", "n".repeat(2049), "nonce is too long"),
            ("claims", long_claims, "claims is too long"),
            ("login_hint", "h".repeat(2049), "login_hint is too long"),
            ("acr_values", "a ".repeat(600), "acr_values is too long"),
        ] {
            let url = authorize_url(
                &t.base,
                &client_id,
                REDIRECT,
                &[PKCE[0], PKCE[1], (key, &value)],
            );
            let res = b.get(&url).await;
            assert_eq!(res.status(), 303, "{key} ({})", backend.name());
            let to = location(&res).unwrap();
            let query: Vec<(String, String)> = url::Url::parse(&to)
                .unwrap()
                .query_pairs()
                .into_owned()
                .collect();
            let has = |k: &str, v: &str| query.iter().any(|(a, b)| a == k && b == v);
            assert!(to.starts_with(REDIRECT), "{to}");
            assert!(has("error", "invalid_request"), "{key}: {to}");
            assert!(has("error_description", described), "{key}: {to}");
            assert!(has("state", "st-123"), "{key}: {to}");
        }
        // scope is given once by authorize_url: replace it by a long one.
        let mut u = url::Url::parse(&authorize_url(&t.base, &client_id, REDIRECT, &PKCE)).unwrap();
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .into_owned()
            .map(|(k, v)| {
                if k == "scope" {
                    (k, long_scope.clone())
                } else {
                    (k, v)
                }
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        let res = b.get(u.as_str()).await;
        let to = location(&res).unwrap_or_default();
        assert!(
            to.contains("error=invalid_request") && to.contains("scope+is+too+long"),
            "{to}"
        );
        // At the limit the request goes on to the login page.
        let nonce = "n".repeat(2048);
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[PKCE[0], PKCE[1], ("nonce", &nonce)],
        );
        let res = b.get(&url).await;
        let to = location(&res).unwrap_or_default();
        assert!(to.starts_with("/login?tx="), "{} {to}", backend.name());
    }
}

/// POST /par from `address` (through the trusted proxy) for `client_id`: its status, Retry-After
/// and body.
async fn push_from(
    t: &TestServer,
    address: &str,
    client_id: &str,
    secret: Option<&str>,
) -> (u16, Option<String>, serde_json::Value) {
    let b = proxied(t, address, "ru");
    let mut form = vec![
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "st-1"),
        PKCE[0],
        PKCE[1],
    ];
    let mut req = b.http.post(format!("{}/par", t.base));
    match secret {
        Some(s) => req = req.basic_auth(client_id, Some(s)),
        None => form.push(("client_id", client_id)),
    }
    let res = req.form(&form).send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, res.json().await.unwrap())
}

#[tokio::test]
async fn a_public_client_pushes_a_bounded_number_of_requests_from_one_address_a_portal_does_not() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.server.trusted_proxies = "127.0.0.1".into();
        config.login.authorize_rate_per_minute = 3;
        let t = TestServer::start_with(&backend, config).await;
        let (public, _) = t.add_client(REDIRECT, true).await;
        let (portal, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        let name = backend.name();
        // A public client authenticates with its id alone: anyone can push as it, and each pushed
        // request is kept a minute.
        for i in 0..3 {
            let (status, _, body) = push_from(&t, "2001:db8:5:1::1", &public, None).await;
            assert_eq!(status, 201, "push {i} ({name}): {body}");
        }
        let (status, retry, body) = push_from(&t, "2001:db8:5:1::2", &public, None).await;
        assert_eq!(status, 429, "the same /64 ({name}): {body}");
        assert_eq!(retry.as_deref(), Some("60"));
        assert_eq!(body["error"], "invalid_request", "{body}");
        let (status, _, _) = push_from(&t, "2001:db8:5:2::1", &public, None).await;
        assert_eq!(status, 201, "another /64 ({name})");
        // A confidential portal's server pushes for all its users from one address.
        for i in 0..6 {
            let (status, _, body) = push_from(&t, "2001:db8:5:1::1", &portal, Some(&secret)).await;
            assert_eq!(status, 201, "portal push {i} ({name}): {body}");
        }
    }
}
