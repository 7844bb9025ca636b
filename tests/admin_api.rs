//! The admin API: every endpoint refuses no token, an expired bootstrap token, the wrong role and an
//! insufficient acr; what it does is audited; the OpenAPI document matches the routes.

mod common;

use common::*;
use serde_json::{Value, json};
use vhod::admin::auth::{CONSOLE_CLIENT, issue_bootstrap_token};
use vhod::admin::{OPS, Role};
use vhod::clients::{self, NewClient};

async fn call(
    t: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let url = format!("{}{path}", t.base);
    let http = no_redirect_client();
    let mut req = match method {
        "get" => http.get(url),
        "post" => http.post(url),
        "delete" => http.delete(url),
        _ => unreachable!(),
    };
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, res.json().await.unwrap_or(Value::Null))
}

fn concrete(path: &str) -> String {
    path.replace("{kid}", "no-such-kid")
        .replace("{client_id}", "no-such-client")
}

#[tokio::test]
async fn every_admin_endpoint_refuses_missing_expired_and_wrongly_scoped_credentials() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (operator, _) = issue_bootstrap_token(&t.app, &[Role::Operator], "op", 600)
            .await
            .unwrap();
        let (auditor, _) = issue_bootstrap_token(&t.app, &[Role::Auditor], "aud", 600)
            .await
            .unwrap();
        let (short, _) =
            issue_bootstrap_token(&t.app, &[Role::SecurityAdmin, Role::Auditor], "short", 60)
                .await
                .unwrap();
        t.app.clock.advance(61);
        for op in OPS {
            let path = concrete(op.path);
            let (status, ct, body) = call(&t, op.method, &path, None, Some(json!({}))).await;
            assert_eq!(
                (status, ct.as_str()),
                (401, "application/problem+json"),
                "{} {path}",
                op.method
            );
            assert_eq!(body["status"], 401);
            assert_eq!(
                call(&t, op.method, &path, Some("vba_unknown"), Some(json!({})))
                    .await
                    .0,
                401
            );
            assert_eq!(
                call(&t, op.method, &path, Some(&short), Some(json!({})))
                    .await
                    .0,
                401,
                "expired, {}",
                backend.name()
            );
            // A token whose roles do not include the one this operation needs.
            let wrong = if op.role == Role::Operator {
                &auditor
            } else {
                &operator
            };
            let (status, _, body) = call(&t, op.method, &path, Some(wrong), Some(json!({}))).await;
            assert_eq!(status, 403, "{} {path}", op.method);
            assert!(body["detail"].as_str().unwrap().contains(op.role.name()));
        }
    }
}

#[tokio::test]
async fn an_administrator_signed_in_with_a_password_only_has_too_low_an_acr() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (console, secret) = clients::register(
        &t.app.store,
        NewClient {
            id: Some(CONSOLE_CLIENT.into()),
            name: "Консоль администратора".into(),
            redirect_uris: vec![REDIRECT.into()],
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    let account = t.add_person("admin@example.org").await;
    t.app
        .store
        .grant_role(&account, "security_admin")
        .await
        .unwrap();
    let (code, verifier) =
        obtain_code(&t, &Browser::new(&t.base), &console.id, "admin@example.org").await;
    let (_, tokens) = redeem(
        &t,
        &console.id,
        secret.as_deref().unwrap(),
        &code,
        &verifier,
    )
    .await;
    for op in OPS.iter().filter(|o| o.role == Role::SecurityAdmin) {
        let path = concrete(op.path);
        let (status, _, body) = call(
            &t,
            op.method,
            &path,
            tokens["access_token"].as_str(),
            Some(json!({})),
        )
        .await;
        assert_eq!(status, 403, "{} {path}", op.method);
        assert_eq!(body["title"], "Insufficient authentication");
    }
    // A token of another client is not an admin token at all.
    let (other, other_secret) = t.add_client(REDIRECT, false).await;
    let (code, verifier) =
        obtain_code(&t, &Browser::new(&t.base), &other, "admin@example.org").await;
    let (_, tokens) = redeem(
        &t,
        &other,
        other_secret.as_deref().unwrap(),
        &code,
        &verifier,
    )
    .await;
    assert_eq!(
        call(
            &t,
            "get",
            "/admin/api/keys",
            tokens["access_token"].as_str(),
            None
        )
        .await
        .0,
        401
    );
}

#[tokio::test]
async fn a_security_admin_rotates_and_revokes_keys_and_manages_clients_and_an_auditor_sees_it_all()
{
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (admin, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "ops-desk", 600)
            .await
            .unwrap();
        let (auditor, _) = issue_bootstrap_token(&t.app, &[Role::Auditor], "audit-desk", 600)
            .await
            .unwrap();
        let (status, _, keys) = call(&t, "get", "/admin/api/keys", Some(&admin), None).await;
        assert_eq!(status, 200);
        assert!(
            keys.as_array()
                .unwrap()
                .iter()
                .all(|k| k.get("private_sealed").is_none() && k.get("d").is_none())
        );
        let (status, _, rotated) = call(
            &t,
            "post",
            "/admin/api/keys/rotate",
            Some(&admin),
            Some(json!({"alg": "ES256", "now": true})),
        )
        .await;
        assert_eq!(status, 200, "{rotated}");
        let kid = rotated["kid"].as_str().unwrap().to_string();
        let (status, _, body) = call(
            &t,
            "post",
            &format!("/admin/api/keys/{kid}/revoke"),
            Some(&admin),
            Some(json!({"reason": ""})),
        )
        .await;
        assert_eq!(
            (status, body["detail"].as_str()),
            (400, Some("a reason is required"))
        );
        let (status, _, revoked) = call(
            &t,
            "post",
            &format!("/admin/api/keys/{kid}/revoke"),
            Some(&admin),
            Some(json!({"reason": "drill"})),
        )
        .await;
        assert_eq!(status, 200);
        assert!(revoked["replacement"].is_string());
        let jwks: Value = reqwest::get(format!("{}/jwks", t.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!jwks.to_string().contains(&kid));

        let (status, _, created) = call(
            &t,
            "post",
            "/admin/api/clients",
            Some(&admin),
            Some(json!({"name": "Портал", "redirect_uris": [REDIRECT]})),
        )
        .await;
        assert_eq!(status, 201);
        let client_id = created["client_id"].as_str().unwrap().to_string();
        assert_eq!(created["client_secret"].as_str().unwrap().len(), 43);
        let (status, _, bad) = call(
            &t,
            "post",
            "/admin/api/clients",
            Some(&admin),
            Some(json!({"name": "X", "redirect_uris": ["http://evil.example/"]})),
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        let (_, _, list) = call(&t, "get", "/admin/api/clients", Some(&admin), None).await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|c| c["client_id"] == client_id.as_str())
        );
        assert_eq!(
            call(
                &t,
                "delete",
                &format!("/admin/api/clients/{client_id}"),
                Some(&admin),
                None
            )
            .await
            .0,
            200
        );
        assert_eq!(
            call(
                &t,
                "delete",
                &format!("/admin/api/clients/{client_id}"),
                Some(&admin),
                None
            )
            .await
            .0,
            404
        );

        assert_eq!(
            call(&t, "get", "/admin/api/audit", Some(&admin), None)
                .await
                .0,
            403,
            "audit needs the auditor role"
        );
        let (status, _, log) = call(&t, "get", "/admin/api/audit", Some(&auditor), None).await;
        assert_eq!(status, 200);
        let actions: Vec<(&str, &str)> = log
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
            .collect();
        for expected in ["key.rotate", "key.revoke", "client.add", "client.remove"] {
            assert!(
                actions.contains(&("bootstrap:ops-desk", expected)),
                "{expected} in {actions:?}"
            );
        }
        assert_eq!(
            t.app.store.verify_audit().await.unwrap(),
            None,
            "the chain is intact"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_admin_routes() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let doc: Value = reqwest::get(format!("{}/admin/api/openapi.json", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = vec![];
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            assert!(operation["x-vhod-role"].is_string());
            documented.push((method.clone(), path.clone()));
        }
    }
    assert_eq!(documented.len(), OPS.len());
    let (token, _) = issue_bootstrap_token(
        &t.app,
        &[Role::SecurityAdmin, Role::Auditor],
        "openapi",
        600,
    )
    .await
    .unwrap();
    for (method, path) in documented {
        let (status, ct, _) = call(
            &t,
            &method,
            &concrete(&path),
            Some(&token),
            Some(json!({"reason": "x"})),
        )
        .await;
        // Routed: the handler answers (JSON or a problem), never the HTML fallback or 405.
        assert!(
            ct.starts_with("application/json") || ct == "application/problem+json",
            "{method} {path}: {status} {ct}"
        );
        assert_ne!(status, 405, "{method} {path}");
    }
}

#[tokio::test]
async fn a_rotated_client_secret_overlaps_then_expires_and_a_disabled_client_loses_its_tokens() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (admin, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "desk", 3600)
            .await
            .unwrap();
        let (client_id, old_secret) = t.add_client(REDIRECT, false).await;
        let old_secret = old_secret.unwrap();
        t.add_person("rotate-secret@example.org").await;
        let (status, _, body) = call(
            &t,
            "post",
            &format!("/admin/api/clients/{client_id}/rotate-secret"),
            Some(&admin),
            Some(json!({"overlap": 600})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let new_secret = body["client_secret"].as_str().unwrap().to_string();
        let browser = Browser::new(&t.base);
        for secret in [&old_secret, &new_secret] {
            let (code, verifier) =
                obtain_code(&t, &browser, &client_id, "rotate-secret@example.org").await;
            assert_eq!(
                redeem(&t, &client_id, secret, &code, &verifier).await.0,
                200,
                "both secrets during the overlap"
            );
        }
        t.app.clock.advance(601);
        let (code, verifier) =
            obtain_code(&t, &browser, &client_id, "rotate-secret@example.org").await;
        let (status, body) = redeem(&t, &client_id, &old_secret, &code, &verifier).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{}",
            backend.name()
        );
        let (status, tokens) = redeem(&t, &client_id, &new_secret, &code, &verifier).await;
        assert_eq!(
            status, 200,
            "a failed client authentication does not burn the code"
        );
        let at = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&t, at).await.0, 200);

        let (status, _, _) = call(
            &t,
            "post",
            &format!("/admin/api/clients/{client_id}/redirect-uris"),
            Some(&admin),
            Some(json!({"redirect_uris": ["http://evil.example/"]})),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(
            call(
                &t,
                "post",
                &format!("/admin/api/clients/{client_id}/disable"),
                Some(&admin),
                None
            )
            .await
            .0,
            200
        );
        assert_eq!(
            userinfo(&t, at).await.0,
            401,
            "a disabled client's tokens stop working"
        );
        let (status, body) = token_request(
            &t,
            &client_id,
            &new_secret,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
    }
}

#[tokio::test]
async fn a_portal_that_demands_more_than_a_person_has_is_refused_with_a_clear_reason() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (admin, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "desk", 600)
            .await
            .unwrap();
        let (client_id, _) = t.add_client(REDIRECT, false).await;
        t.add_person("level@example.org").await;
        let settings = format!("/admin/api/clients/{client_id}/settings");
        let (_, c) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[("code_challenge", &c), ("code_challenge_method", "S256")],
        );

        let (status, _, body) = call(
            &t,
            "post",
            &settings,
            Some(&admin),
            Some(json!({"min_acr": "urn:vhod:acr:substantial"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        // The person has no second factor: refused after the password step.
        let back = Browser::new(&t.base)
            .authorize_and_login(&url, "level@example.org", PASSWORD)
            .await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("unmet_authentication_requirements"),
            "{back}"
        );
        call(
            &t,
            "post",
            &settings,
            Some(&admin),
            Some(json!({"min_acr": "urn:vhod:acr:low", "min_level": "standard"})),
        )
        .await;
        // The person is told how to reach the level; going back gives the portal access_denied.
        let b = Browser::new(&t.base);
        let page = match b.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let explained = match b
            .submit_follow(
                &page,
                "/login",
                &[("login", "level@example.org"), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Page(403, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            explained
                .contains("Для входа на этот портал нужна учётная запись уровня «Стандартная»"),
            "{explained}"
        );
        assert!(explained.contains("укажите СНИЛС и паспорт"));
        let back = explained
            .split("\" id=\"back-to-portal\"")
            .next()
            .and_then(|s| s.rsplit("href=\"").next())
            .unwrap()
            .replace("&#38;", "&");
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("access_denied"),
            "{}",
            backend.name()
        );
        assert_eq!(
            query_param(&back, "error_description").as_deref(),
            Some("this portal requires a standard account")
        );
        assert!(query_param(&back, "code").is_none());
        call(
            &t,
            "post",
            &settings,
            Some(&admin),
            Some(json!({"min_level": "simplified"})),
        )
        .await;
        let back = Browser::new(&t.base)
            .authorize_and_login(&url, "level@example.org", PASSWORD)
            .await;
        assert!(query_param(&back, "code").is_some());
        let (status, _, _) = call(
            &t,
            "post",
            &settings,
            Some(&admin),
            Some(json!({"min_level": "golden"})),
        )
        .await;
        assert_eq!(status, 400);
        let (status, _, _) = call(
            &t,
            "post",
            &settings,
            Some(&admin),
            Some(json!({"colour": "red"})),
        )
        .await;
        assert_eq!(status, 400, "unknown settings are refused");
    }
}
