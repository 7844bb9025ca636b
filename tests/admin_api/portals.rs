use super::*;

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
