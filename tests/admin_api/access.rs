use super::*;

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
