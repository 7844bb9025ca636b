//! OWASP ASVS V14 (configuration): clickjacking and content-type headers on every page, no-store
//! on pages with secrets, no version banners, Host-header and X-Forwarded-* injection, the
//! developer outbox off unless configured.

use crate::common::login::*;
use crate::common::*;
use crate::support::*;
use serde_json::Value;

/// Pages a person or an attacker can reach without signing in, and the error pages.
const PAGES: [&str; 8] = [
    "/",
    "/login",
    "/register",
    "/recover",
    "/account",
    "/authorize?client_id=x",
    "/no-such-page",
    "/session/end",
];

async fn each_page_has(header: &str, check: impl Fn(&str) -> bool) {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        for path in PAGES {
            let res = Browser::new(&t.base).get(path).await;
            let value = res
                .headers()
                .get(header)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            assert!(
                check(&value),
                "{path}: {header}: {value:?} on {}",
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v14_4_7_clickjacking_every_page_forbids_framing() {
    each_page_has("x-frame-options", |v| v == "DENY").await;
    each_page_has("content-security-policy", |v| {
        v.contains("frame-ancestors 'none'")
    })
    .await;
}

#[tokio::test]
async fn asvs_v14_4_3_every_page_has_a_script_restricting_csp() {
    each_page_has("content-security-policy", |v| {
        v.contains("script-src 'self'")
            && !v.contains("unsafe-inline")
            && !v.contains("unsafe-eval")
    })
    .await;
}

#[tokio::test]
async fn asvs_v14_4_4_every_page_has_nosniff_and_no_referrer() {
    each_page_has("x-content-type-options", |v| v == "nosniff").await;
    each_page_has("referrer-policy", |v| v == "no-referrer").await;
}

#[tokio::test]
async fn asvs_v14_4_pages_with_forms_and_secrets_are_no_store() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CITIZEN).await;
        let browser = fresh_signed_in(&t.base, CITIZEN).await;
        for path in [
            "/login",
            "/register",
            "/recover",
            "/account",
            "/account/security",
        ] {
            let res = browser.get(path).await;
            let cc = res.headers()["cache-control"].to_str().unwrap().to_string();
            assert!(
                cc.contains("no-store"),
                "{path}: {cc} on {}",
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v14_3_3_no_version_banners() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        for path in ["/", "/.well-known/openid-configuration", "/no-such-page"] {
            let res = Browser::new(&t.base).get(path).await;
            assert!(res.headers().get("x-powered-by").is_none(), "{path}");
            if let Some(server) = res.headers().get("server") {
                let s = server.to_str().unwrap();
                assert!(!s.chars().any(|c| c.is_ascii_digit()), "{path}: {s}");
            }
            let body = res.text().await.unwrap();
            assert!(
                !body.contains("axum") && !body.contains("hyper"),
                "{path} on {}",
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v14_3_2_dev_outbox_is_absent_unless_configured() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.dev.enabled = false;
        let t = TestServer::start_with(&backend, config).await;
        let res = Browser::new(&t.base).get("/dev/outbox?format=json").await;
        assert_eq!(res.status(), 404, "{}", backend.name());
    }
}

async fn discovery_with(t: &TestServer, header: &str, value: &str) -> Value {
    no_redirect_client()
        .get(format!("{}/.well-known/openid-configuration", t.base))
        .header(header, value)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn asvs_v14_5_host_header_injection_does_not_move_the_issuer() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        for (header, value) in [
            ("host", "evil.example"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "gopher"),
            ("forwarded", "host=evil.example;proto=https"),
        ] {
            let meta = discovery_with(&t, header, value).await;
            assert_eq!(meta["issuer"], t.issuer(), "{header}");
            assert!(
                !meta.to_string().contains("evil.example") && !meta.to_string().contains("gopher"),
                "{header} on {}",
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v14_5_host_header_injection_does_not_poison_the_recovery_message() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("poison@example.org").await;
        let b = Browser::new(&t.base);
        let form = page_at(&b, "/recover").await;
        let mut fields = hidden_fields(&form);
        fields.push(("login".into(), "poison@example.org".into()));
        let res = b
            .http
            .post(format!("{}/recover", t.base))
            .header("x-forwarded-host", "evil.example")
            .header("forwarded", "host=evil.example")
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let msg = t.last_message("poison@example.org").await;
        assert!(msg.is_object(), "a message was sent");
        assert!(
            !msg.to_string().contains("evil.example"),
            "{msg} on {}",
            backend.name()
        );
    }
}
