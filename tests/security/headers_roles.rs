//! What the other sections leave out: privilege escalation in the admin console (an operator
//! granting itself a role, an auditor acting), X-Forwarded-For from a peer that is no trusted
//! proxy, the Host header in redirects, CORS on every protocol and admin endpoint, and
//! Cache-Control: no-store on every response that carries a secret.

use crate::common::login::*;
use crate::common::*;
use crate::support::*;
use serde_json::{Value, json};
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;

const EVIL: &str = "https://evil.example";

/// A console session for a bootstrap token with `roles`: (browser, the console page).
async fn console_as(t: &TestServer, roles: &[Role]) -> (Browser, String) {
    let (token, _) = issue_bootstrap_token(&t.app, roles, "sec", 600)
        .await
        .unwrap();
    let b = Browser::new(&t.base);
    let login = match b.follow("/admin/console").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let res = b
        .submit(&login, "/admin/console/login", &[("token", &token)])
        .await;
    assert_eq!(res.status(), 303);
    let page = match b.follow("/admin/console").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    (b, page)
}

#[tokio::test]
async fn asvs_v4_1_operator_cannot_grant_itself_or_anyone_a_role_in_the_console() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = t.add_person("operator.person@example.org").await;
        let roles_before = t.app.store.all_roles().await.unwrap().len();
        let keys_before = t.app.store.all_signing_keys().await.unwrap().len();
        let (b, page) = console_as(&t, &[Role::Operator]).await;
        for role in ["security_admin", "auditor", "operator"] {
            let res = b
                .submit(
                    &page,
                    "/admin/console/action",
                    &[("action", "grant"), ("target", &me), ("role", role)],
                )
                .await;
            assert_eq!(res.status(), 403, "{role} on {}", backend.name());
        }
        let res = b
            .submit(&page, "/admin/console/action", &[("action", "rotate")])
            .await;
        assert_eq!(res.status(), 403, "key rotation");
        assert_eq!(t.app.store.all_roles().await.unwrap().len(), roles_before);
        assert_eq!(
            t.app.store.all_signing_keys().await.unwrap().len(),
            keys_before
        );
    }
}

#[tokio::test]
async fn asvs_v4_1_auditor_cannot_act_in_the_console() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let me = t.add_person("auditor.person@example.org").await;
        let roles_before = t.app.store.all_roles().await.unwrap().len();
        let (b, page) = console_as(&t, &[Role::Auditor]).await;
        for fields in [
            vec![
                ("action", "grant"),
                ("target", me.as_str()),
                ("role", "security_admin"),
            ],
            vec![("action", "rotate")],
            vec![
                ("action", "disable"),
                ("target", client_id.as_str()),
                ("confirm", "yes"),
            ],
            vec![("action", "confirm"), ("snils", "11223344595")],
        ] {
            let res = b.submit(&page, "/admin/console/action", &fields).await;
            assert_eq!(res.status(), 403, "{fields:?} on {}", backend.name());
        }
        assert_eq!(t.app.store.all_roles().await.unwrap().len(), roles_before);
        let client = vhod::clients::find(&t.app.store, &client_id).await.unwrap();
        assert!(client.is_some(), "the portal is not disabled");
    }
}

#[tokio::test]
async fn asvs_v14_5_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_rate_limit() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.login.rate_per_minute = 3;
        config.login.rate_burst = 3;
        let t = TestServer::start_with(&backend, config).await;
        let b = Browser::new(&t.base);
        let page = page_at(&b, "/login").await;
        let mut last = 0;
        for i in 0..6 {
            let mut form = hidden_fields(&page);
            form.push(("login".into(), "xff@example.org".into()));
            form.push(("password".into(), "Wrong-Pass-1!".into()));
            let res = b
                .http
                .post(format!("{}/login", t.base))
                .header("x-forwarded-for", format!("203.0.113.{i}"))
                .header("forwarded", format!("for=198.51.100.{i}"))
                .header("x-real-ip", format!("192.0.2.{i}"))
                .form(&form)
                .send()
                .await
                .unwrap();
            last = res.status().as_u16();
        }
        assert_eq!(
            last,
            429,
            "a forged address is not another client: {}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn asvs_v14_5_host_header_never_reaches_a_redirect_or_a_form_action() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let url = authorize_url(&t.base, &client_id, REDIRECT, &pkce_params());
        for (header, value) in [
            ("host", "evil.example"),
            ("x-forwarded-host", "evil.example"),
            ("forwarded", "host=evil.example;proto=https"),
        ] {
            let res = no_redirect_client()
                .get(&url)
                .header(header, value)
                .send()
                .await
                .unwrap();
            let to = location(&res).unwrap_or_default();
            let body = res.text().await.unwrap();
            assert!(
                !to.contains("evil.example") && !body.contains("evil.example"),
                "{header}: {to} on {}",
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v13_1_cors_no_protocol_or_admin_endpoint_grants_a_foreign_origin() {
    for backend in backends() {
        let (t, _, _) = portal(&backend).await;
        let http = no_redirect_client();
        for path in [
            "/token",
            "/par",
            "/introspect",
            "/revoke",
            "/userinfo",
            "/aas/oauth2/v3/te",
            "/aas/oauth2/te",
            "/admin/api/clients",
            "/admin/api/keys/rotate",
            "/login",
            "/consent",
        ] {
            let url = format!("{}{path}", t.base);
            let preflight = http
                .request(reqwest::Method::OPTIONS, &url)
                .header("origin", EVIL)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization, dpop")
                .send()
                .await
                .unwrap();
            let post = http
                .post(&url)
                .header("origin", EVIL)
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap();
            for res in [preflight, post] {
                let allow = res
                    .headers()
                    .get("access-control-allow-origin")
                    .map(|v| v.to_str().unwrap().to_string());
                assert!(
                    allow.as_deref().is_none_or(|a| a != EVIL && a != "null"),
                    "{path}: {allow:?} on {}",
                    backend.name()
                );
                assert!(
                    res.headers()
                        .get("access-control-allow-credentials")
                        .is_none(),
                    "{path}"
                );
            }
        }
    }
}

fn no_store(res: &reqwest::Response) -> bool {
    res.headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"))
}

#[tokio::test]
async fn asvs_v13_2_every_response_carrying_a_secret_is_no_store() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let http = no_redirect_client();
        // The admin API hands out client secrets on registration and on rotation.
        let (admin, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "sec", 600)
            .await
            .unwrap();
        let res = http
            .post(format!("{}/admin/api/clients", t.base))
            .bearer_auth(&admin)
            .json(&json!({"name": "Портал", "redirect_uris": ["https://p.example.gov/cb"]}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        assert!(no_store(&res), "client registration: {:?}", res.headers());
        let made: Value = res.json().await.unwrap();
        assert!(made.to_string().contains("secret"), "{made}");
        let res = http
            .post(format!(
                "{}/admin/api/clients/{client_id}/rotate-secret",
                t.base
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        assert!(no_store(&res), "secret rotation: {:?}", res.headers());
        let rotated: Value = res.json().await.unwrap();
        let secret_now = rotated["client_secret"]
            .as_str()
            .unwrap_or(&secret)
            .to_string();
        // PAR answers a request_uri that stands for the whole request.
        let mut form = vec![
            ("response_type", "code"),
            ("client_id", client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ];
        form.extend(pkce_params());
        let res = http
            .post(format!("{}/par", t.base))
            .basic_auth(&client_id, Some(&secret_now))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert!(no_store(&res), "PAR: {:?}", res.headers());
        // The authenticator app's secret and the recovery codes are shown on pages.
        let b = Browser::new(&t.base);
        let (status, _) = password_login(&b, CITIZEN, PASSWORD).await;
        assert_eq!(status, 303);
        let page = page_at(&b, "/account/security").await;
        let res = b.submit(&page, "/account/security/totp/start", &[]).await;
        let next = location(&res).unwrap();
        let res = b.get(&next).await;
        assert!(no_store(&res), "the TOTP secret page {next}");
        // Errors of the token endpoint too (they answer to secrets).
        let res = http
            .post(format!("{}/token", t.base))
            .basic_auth(&client_id, Some("wrong"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert!(no_store(&res), "token error: {:?}", res.headers());
    }
}
