use super::*;
use crate::bodies_and_jwks::{assertion, assertion_request, rsa_key};

// ---------------------------------------------------------------------------------------- #3 --

#[tokio::test]
async fn request_uri_to_loopback_is_refused_before_connecting() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (v4_port, v4_seen) = tripwire("127.0.0.1:0").await.unwrap();
        let v6 = tripwire("[::1]:0").await;
        let v6_port = v6.as_ref().map_or(v4_port, |(p, _)| *p);
        let targets = vec![
            format!("https://127.0.0.1:{v4_port}/ro"),
            format!("http://127.0.0.1:{v4_port}/ro"),
            "https://169.254.169.254/latest/meta-data/".to_string(),
            "https://10.0.0.1/ro".to_string(),
            format!("https://[::1]:{v6_port}/ro"),
            format!("https://[::ffff:127.0.0.1]:{v4_port}/ro"),
            // Names are checked after resolving: localhost resolves to loopback.
            format!("https://localhost:{v4_port}/ro"),
            format!("http://localhost:{v4_port}/ro"),
        ];
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал".into(),
                redirect_uris: vec![REDIRECT.into()],
                request_uris: targets.clone(),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let browser = Browser::new(&t.base);
        for target in &targets {
            let url = authorize_with_request_uri(&t, &client.id, target);
            match browser.follow(&url).await {
                Landing::Left(back) => {
                    assert!(back.starts_with(REDIRECT), "{target}: {back}");
                    assert_eq!(
                        query_param(&back, "error").as_deref(),
                        Some("invalid_request_uri"),
                        "{target}"
                    );
                    assert!(query_param(&back, "code").is_none());
                }
                other => panic!("{target}: {other:?}"),
            }
        }
        assert_eq!(v4_seen.load(Ordering::SeqCst), 0, "{}", backend.name());
        if let Some((_, seen)) = v6 {
            assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
        }
    }
}

#[tokio::test]
async fn unregistered_request_uri_and_unregistered_redirect_uri_are_refused_before_any_fetch() {
    for backend in backends() {
        // Loopback allowed (the test default): only registration and redirect checks stop these.
        let t = TestServer::start(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await.unwrap();
        let registered = format!("http://localhost:{port}/registered");
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал".into(),
                redirect_uris: vec![REDIRECT.into()],
                request_uris: vec![registered.clone()],
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let browser = Browser::new(&t.base);
        // Not registered by the client: refused at its redirect URI, nothing fetched.
        let url = authorize_with_request_uri(&t, &client.id, &format!("http://localhost:{port}/x"));
        match browser.follow(&url).await {
            Landing::Left(back) => assert_eq!(
                query_param(&back, "error").as_deref(),
                Some("invalid_request_uri")
            ),
            other => panic!("{other:?}"),
        }
        // Registered, but the query's redirect_uri is not the client's: a page, nothing fetched.
        let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", &client.id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid")
            .append_pair("redirect_uri", "https://attacker.example/cb")
            .append_pair("request_uri", &registered);
        match browser.follow(url.as_str()).await {
            Landing::Page(400, _) => {}
            other => panic!("{other:?}"),
        }
        // No such client: a page, nothing fetched.
        let url = authorize_with_request_uri(&t, "no-such-client", &registered);
        match browser.follow(&url).await {
            Landing::Page(400, _) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn jwks_uri_backchannel_and_sector_identifier_to_internal_targets_are_refused() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await.unwrap();

        // jwks_uri on loopback: the assertion cannot be checked, the client is refused.
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "RP с внутренним jwks_uri".into(),
                grant_types: vec!["client_credentials".into()],
                auth_method: Some(AuthMethod::PrivateKeyJwt),
                jwks_uri: Some(format!("http://localhost:{port}/jwks")),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let (signer, _) = rsa_key("k1");
        let aud = format!("{}/token", t.issuer());
        let (status, body) =
            assertion_request(&t, &client.id, &assertion(&signer, "k1", &client.id, &aud)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );

        // sector_identifier_uri on loopback and at a literal internal address.
        for sector in [
            format!("http://localhost:{port}/sector.json"),
            format!("https://127.0.0.1:{port}/sector.json"),
        ] {
            let refused = clients::register_with(
                &t.app.store,
                &t.app.outbound,
                NewClient {
                    name: "Сектор".into(),
                    redirect_uris: vec!["https://a.example.gov/cb".into()],
                    pairwise: true,
                    sector_identifier_uri: Some(sector.clone()),
                    ..NewClient::default()
                },
            )
            .await;
            assert!(refused.is_err(), "{sector}");
        }

        // Back-channel logout to loopback: the person's logout happens, no delivery is attempted.
        let (client, secret) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал с выходом".into(),
                redirect_uris: vec![REDIRECT.into()],
                post_logout_redirect_uris: vec!["https://portal.example.gov/bye".into()],
                backchannel_logout_uri: Some(format!("http://localhost:{port}/bc")),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        t.add_person("bc@example.org").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client.id, "bc@example.org").await;
        let (_, tokens) =
            redeem(&t, &client.id, secret.as_deref().unwrap(), &code, &verifier).await;
        let url = format!(
            "/session/end?id_token_hint={}&post_logout_redirect_uri={}",
            tokens["id_token"].as_str().unwrap(),
            urlencode("https://portal.example.gov/bye")
        );
        let page = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        match browser
            .submit_follow(&page, "/session/end/confirm", &[])
            .await
        {
            Landing::Left(u) => assert!(u.starts_with("https://portal.example.gov/bye")),
            other => panic!("{other:?}"),
        }
        // Give the job worker its first attempt and a retry.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        t.app.clock.advance(60);
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

        // The guard itself, directly: loopback refused without a connection.
        let direct = t
            .app
            .outbound
            .post_form(&format!("http://localhost:{port}/bc"), &[("a", "b")])
            .await;
        assert!(
            matches!(direct, Err(vhod::outbound::FetchError::Refused(_))),
            "{direct:?}"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn outbound_guard_limits_response_size_and_does_not_follow_redirects() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let app = axum::Router::new()
        .route(
            "/big",
            axum::routing::get(|| async { "x".repeat(65 * 1024) }),
        )
        .route(
            "/moved",
            axum::routing::get(|| async { axum::response::Redirect::temporary("/big") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let big = t
        .app
        .outbound
        .get(&format!("http://localhost:{port}/big"))
        .await;
    assert_eq!(big, Err(vhod::outbound::FetchError::TooLarge(64 * 1024)));
    let moved = t
        .app
        .outbound
        .get(&format!("http://localhost:{port}/moved"))
        .await;
    assert_eq!(moved, Err(vhod::outbound::FetchError::Status(307)));
}
