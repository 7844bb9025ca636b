use super::*;

/// 31. The authorization request as an HTTP POST form.
#[tokio::test]
async fn oidcc_ensure_post_request_succeeds() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let browser = Browser::new(&op.t.base);
        let req = AuthRequest::new(&op.client);
        let journey = drive(&browser, post_authorization(&browser, &req).await, BUFFY).await;
        assert!(journey.login_shown, "{}", op.backend());
        finish(
            &op,
            &op.client,
            ClientAuth::SecretBasic,
            journey,
            &req.expect(),
            &[],
        )
        .await;
    }
}

/// 32. OP-ClientAuth-SecretPost: the happy flow with client_secret_post at the token endpoint.
#[tokio::test]
async fn oidcc_server_client_secret_post() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert!(op.advertises(
            "token_endpoint_auth_methods_supported",
            "client_secret_post"
        ));
        // The suite's client_auth_type=client_secret_post variant: the client is registered so.
        let post =
            register_static_client_as(&op.t, "client-post", clients::AuthMethod::ClientSecretPost)
                .await;
        let browser = Browser::new(&op.t.base);
        let req = AuthRequest::new(&post);
        let journey = authorize(&op, &browser, &req).await;
        finish(
            &op,
            &post,
            ClientAuth::SecretPost,
            journey,
            &req.expect(),
            &[],
        )
        .await;
    }
}

/// 33. OP-request_uri-Unsigned: an unsigned request object by reference. The suite skips this
/// module unless discovery lists `none` in request_object_signing_alg_values_supported; vhod does
/// not (unsigned request objects only from a client registered with `none`, issue 10 #6). Checked
/// here: the skip condition, and that the unsigned object is rejected, never processed.
#[tokio::test]
async fn oidcc_request_uri_unsigned_supported_correctly_or_rejected_as_unsupported() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert_eq!(op.discovery["request_uri_parameter_supported"], true);
        assert!(!op.advertises("request_object_signing_alg_values_supported", "none"));
        let browser = Browser::new(&op.t.base);
        let inner = AuthRequest::new(&op.client);
        let uri = serve_request_object(unsigned_request_object(&op, &op.client, &inner)).await;
        let req = request_object_query(&op.client, REDIRECT).with("request_uri", &uri);
        let journey = authorize(&op, &browser, &req).await;
        check_error_response(
            &op,
            &journey.callback,
            &req.expect(),
            &["invalid_request_uri", "invalid_request_object"],
        );
    }
}

/// 34. OP-request-Unsigned: an unsigned request object by value must be processed or rejected as
/// unsupported; the suite skips the module unless `none` is advertised. vhod does not advertise it
/// and rejects the object (invalid_request_object) from a client not registered with `none`.
#[tokio::test]
async fn oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert_eq!(op.discovery["request_parameter_supported"], true);
        assert!(!op.advertises("request_object_signing_alg_values_supported", "none"));
        let browser = Browser::new(&op.t.base);
        let inner = AuthRequest::new(&op.client);
        let object = unsigned_request_object(&op, &op.client, &inner);
        let req = request_object_query(&op.client, REDIRECT).with("request", &object);
        let journey = authorize(&op, &browser, &req).await;
        let error = check_error_response(
            &op,
            &journey.callback,
            &req.expect(),
            &["invalid_request_object", "request_not_supported"],
        );
        assert_eq!(error, "invalid_request_object", "{}", op.backend());
    }
}

/// 35. OP-claims-essential: `name` asked for as an essential userinfo claim with scope=openid only;
/// it must be released (a WARNING in the suite if absent; strict here).
#[tokio::test]
async fn oidcc_claims_essential() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert_eq!(op.discovery["claims_parameter_supported"], true);
        let browser = Browser::new(&op.t.base);
        let claims = json!({"userinfo": {"name": {"essential": true}}}).to_string();
        let req = AuthRequest::new(&op.client).with("claims", &claims);
        let flow = happy_flow(&op, &browser, &op.client, &req).await;
        assert!(
            flow.userinfo["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty()),
            "{}: name missing: {}",
            op.backend(),
            flow.userinfo
        );
    }
}

/// 36. The request object's redirect_uri differs from the query's (registered one + "_invalid"):
/// the request object's value must be used (OIDC Core §6.3.3). The suite would also accept an
/// error page; vhod implements the precedence, so we hold it to that.
#[tokio::test]
async fn oidcc_ensure_request_object_with_redirect_uri() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        // Unsigned request objects only from a client registered with request_object_signing_alg
        // none (issue 10 #6): such a client, so the precedence itself is what is tested.
        let (c, secret) = clients::register(
            &op.t.app.store,
            NewClient {
                name: "client-unsigned-requests".into(),
                redirect_uris: vec![REDIRECT.into()],
                pkce_optional: true,
                request_object_alg: Some("none".into()),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let unsigned_client = StaticClient {
            id: c.id.to_string(),
            secret: secret.unwrap(),
        };
        let browser = Browser::new(&op.t.base);
        let inner = AuthRequest::new(&unsigned_client);
        let object = unsigned_request_object(&op, &unsigned_client, &inner);
        let invalid = format!("{REDIRECT}_invalid");
        let req = request_object_query(&unsigned_client, &invalid).with("request", &object);
        let journey = authorize(&op, &browser, &req).await;
        assert!(
            !journey.callback.starts_with(&invalid),
            "{}: sent to the query's redirect_uri",
            op.backend()
        );
        finish(
            &op,
            &unsigned_client,
            ClientAuth::SecretBasic,
            journey,
            &inner.expect(),
            &[],
        )
        .await;
    }
}

/// 37. Refresh tokens: `offline_access` with prompt=consent (it is advertised), for both clients;
/// the refresh works, the new ID token is consistent, and client2's refresh token is refused when
/// client presents it.
#[tokio::test]
async fn oidcc_refresh_token() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let ctx = op.backend();
        assert!(op.advertises("grant_types_supported", "refresh_token"));
        assert!(op.advertises("scopes_supported", "offline_access"));
        let scope = "openid offline_access";
        let browser = Browser::new(&op.t.base);
        let mut latest = vec![];
        for (n, client) in [&op.client, &op.client2].into_iter().enumerate() {
            let req = AuthRequest::new(client)
                .with("scope", scope)
                .with("prompt", "consent");
            let journey = authorize(&op, &browser, &req).await;
            assert!(journey.consent_shown, "{ctx}: prompt=consent");
            let first = finish(
                &op,
                client,
                ClientAuth::SecretBasic,
                journey,
                &req.expect(),
                &[],
            )
            .await;
            let rt = first.tokens["refresh_token"]
                .as_str()
                .expect("a refresh token for offline_access");
            assert!(
                rt.len() >= MIN_CODE_LENGTH,
                "EnsureMinimumRefreshTokenLength"
            );
            assert!(
                entropy_bits(rt) >= MIN_ENTROPY_BITS,
                "EnsureMinimumRefreshTokenEntropy"
            );
            // The suite waits a second so the new iat differs.
            op.t.app.clock.advance(1);
            let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", rt)];
            if n == 0 {
                form.push(("scope", scope)); // AddScopeToTokenEndpointRequest (first client only)
            }
            let refreshed = token_call(&op, client, ClientAuth::SecretBasic, &form).await;
            check_token_success(&op, &refreshed);
            let at = refreshed.body["access_token"].as_str().unwrap();
            assert_ne!(
                at,
                first.access_token(),
                "EnsureAccessTokenValuesAreDifferent"
            );
            if let Some(id_token) = refreshed.body["id_token"].as_str() {
                // CompareIdTokenClaims (OIDC Core §12.2).
                let second = check_id_token(&op, client, id_token, None, Some(at));
                for claim in ["iss", "sub", "aud", "auth_time"] {
                    assert_eq!(second[claim], first.id[claim], "{ctx}: {claim} changed");
                }
                assert!(second["iat"].as_i64() > first.id["iat"].as_i64(), "new iat");
            }
            check_userinfo(&op, at, UserinfoCall::Get, first.sub()).await;
            let newest = refreshed.body["refresh_token"].as_str().unwrap_or(rt);
            latest.push(newest.to_string());
        }
        // Client 2's refresh token presented by client 1.
        let stolen = token_call(
            &op,
            &op.client,
            ClientAuth::SecretBasic,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &latest[1]),
            ],
        )
        .await;
        check_token_error(&stolen, "invalid_grant");
    }
}

/// 38. A valid PKCE S256 request succeeds.
#[tokio::test]
async fn oidcc_ensure_request_with_valid_pkce_succeeds() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let (verifier, challenge) = pkce_pair();
        let browser = Browser::new(&op.t.base);
        let req = AuthRequest::new(&op.client)
            .with("code_challenge", &challenge)
            .with("code_challenge_method", "S256");
        let journey = authorize(&op, &browser, &req).await;
        finish(
            &op,
            &op.client,
            ClientAuth::SecretBasic,
            journey,
            &req.expect(),
            &[("code_verifier", &verifier)],
        )
        .await;
    }
}
