//! OWASP ASVS V4 (access control): the admin API's roles (operator doing security-admin work, an
//! auditor writing), pages and APIs without a session or token.

use crate::common::*;
use serde_json::json;
use vhod::admin::auth::issue_bootstrap_token;
use vhod::admin::{OPS, Role};

async fn call(t: &TestServer, method: &str, path: &str, token: Option<&str>) -> u16 {
    let url = format!("{}{}", t.base, concrete(path));
    let http = no_redirect_client();
    let mut req = match method {
        "get" => http.get(url),
        "post" => http.post(url),
        "delete" => http.delete(url),
        other => panic!("{other}"),
    };
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    req.json(&json!({"name": "x", "redirect_uris": ["https://evil.example/"]}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn concrete(path: &str) -> String {
    path.replace("{kid}", "no-such-kid")
        .replace("{client_id}", "no-such-client")
}

#[tokio::test]
async fn asvs_v4_1_admin_api_without_credentials_is_refused_everywhere() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        for op in OPS {
            assert_eq!(call(&t, op.method, op.path, None).await, 401, "{}", op.path);
            assert_eq!(
                call(&t, op.method, op.path, Some("vba_forged")).await,
                401,
                "{} on {}",
                op.path,
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v4_1_operator_cannot_do_security_admin_work() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (operator, _) = issue_bootstrap_token(&t.app, &[Role::Operator], "op", 600)
            .await
            .unwrap();
        let admin_ops: Vec<_> = OPS
            .iter()
            .filter(|o| o.role == Role::SecurityAdmin)
            .collect();
        assert!(!admin_ops.is_empty());
        for op in admin_ops {
            assert_eq!(
                call(&t, op.method, op.path, Some(&operator)).await,
                403,
                "{} {} on {}",
                op.method,
                op.path,
                backend.name()
            );
        }
    }
}

#[tokio::test]
async fn asvs_v4_1_auditor_cannot_write() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (auditor, _) = issue_bootstrap_token(&t.app, &[Role::Auditor], "aud", 600)
            .await
            .unwrap();
        let before = vhod::clients::list(&t.app.store).await.unwrap().len();
        for op in OPS.iter().filter(|o| o.method != "get") {
            assert_eq!(
                call(&t, op.method, op.path, Some(&auditor)).await,
                403,
                "{} {} on {}",
                op.method,
                op.path,
                backend.name()
            );
        }
        let after = vhod::clients::list(&t.app.store).await.unwrap().len();
        assert_eq!(before, after, "nothing stored");
    }
}

#[tokio::test]
async fn asvs_v4_1_an_expired_admin_token_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (token, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "short", 60)
            .await
            .unwrap();
        assert_eq!(
            call(&t, "get", "/admin/api/clients", Some(&token)).await,
            200
        );
        t.app.clock.advance(61);
        assert_eq!(
            call(&t, "get", "/admin/api/clients", Some(&token)).await,
            401,
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn asvs_v4_2_account_pages_need_a_session() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        for path in [
            "/account",
            "/account/security",
            "/account/contacts",
            "/account/documents",
            "/account/permissions",
            "/account/passkeys",
            "/account/signature",
        ] {
            let res = Browser::new(&t.base).get(path).await;
            assert_eq!(res.status(), 303, "{path} on {}", backend.name());
            let to = location(&res).unwrap();
            assert!(to.starts_with("/login"), "{path} -> {to}");
        }
    }
}

#[tokio::test]
async fn asvs_v4_2_account_forms_without_a_session_change_nothing() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let browser = Browser::new(&t.base);
        let page = match browser.follow("/login").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        for path in [
            "/account/contacts",
            "/account/addresses",
            "/account/sessions/end-all",
            "/account/passkeys/remove",
            "/account/security/sms/off",
        ] {
            let res = browser
                .submit(&page, path, &[("contact", "+79990001122")])
                .await;
            let status = res.status().as_u16();
            assert!(
                status == 303 || status == 401 || status == 403,
                "{path}: {status} on {}",
                backend.name()
            );
            if status == 303 {
                assert!(location(&res).unwrap().starts_with("/login"), "{path}");
            }
        }
        assert_eq!(
            t.app
                .store
                .outbox(Some("+79990001122"), 10)
                .await
                .unwrap()
                .len(),
            0,
            "no code sent"
        );
    }
}

#[tokio::test]
async fn asvs_v4_2_userinfo_without_or_with_a_forged_token_is_401() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let res = no_redirect_client()
            .get(format!("{}/userinfo", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert!(res.headers().get("www-authenticate").is_some());
        for forged in ["x", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "' OR 1=1 --"] {
            assert_eq!(
                userinfo(&t, forged).await.0,
                401,
                "{forged} on {}",
                backend.name()
            );
        }
    }
}
