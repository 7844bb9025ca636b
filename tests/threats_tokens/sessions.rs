use super::*;

#[tokio::test]
async fn logout_ends_the_portals_tokens_but_not_offline_ones_and_end_all_ends_those_too() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        t.add_person("out@example.org").await;
        let b = Browser::new(&t.base);
        let online = tokens_for(&t, &b, client, "out@example.org", "openid profile").await;
        let offline = tokens_for(&t, &b, client, "out@example.org", "openid offline_access").await;
        let logout = page(&b, "/logout").await;
        assert_eq!(b.submit(&logout, "/logout", &[]).await.status(), 200);
        assert_eq!(
            still_working(&t, client, &online).await,
            (401, false, 400),
            "{}: the session's grant ended with it",
            backend.name()
        );
        let (status, offline) = refresh(&t, client, &offline).await;
        assert_eq!(status, 200, "offline_access outlives a logout: {offline}");
        assert_eq!(
            userinfo(&t, offline["access_token"].as_str().unwrap())
                .await
                .0,
            200
        );

        // «Завершить все сеансы» from a new session ends the offline grant too.
        let b = Browser::new(&t.base);
        let again = tokens_for(&t, &b, client, "out@example.org", "openid profile").await;
        let account = page(&b, "/account").await;
        b.submit(&account, "/account/sessions/end-all", &[]).await;
        assert_eq!(still_working(&t, client, &again).await, (401, false, 400));
        assert_eq!(
            still_working(&t, client, &offline).await,
            (401, false, 400),
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn another_person_signing_in_on_the_same_browser_ends_the_previous_persons_tokens() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        t.add_person("first@example.org").await;
        t.add_person("second@example.org").await;
        let b = Browser::new(&t.base);
        let first = tokens_for(&t, &b, client, "first@example.org", "openid profile").await;
        let (url, _) = auth_url(
            &t.base,
            client.0,
            &[("scope", "openid profile"), ("prompt", "login")],
        );
        let back = b
            .authorize_and_login(&url, "second@example.org", PASSWORD)
            .await;
        assert!(query_param(&back, "code").is_some(), "second login: {back}");
        assert_eq!(
            still_working(&t, client, &first).await,
            (401, false, 400),
            "{}: the first person's session ended in full",
            backend.name()
        );
    }
}

#[tokio::test]
async fn rp_initiated_logout_ends_the_portals_tokens() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        t.add_person("rp-out@example.org").await;
        let b = Browser::new(&t.base);
        let tokens = tokens_for(&t, &b, client, "rp-out@example.org", "openid profile").await;
        let hint = tokens["id_token"].as_str().unwrap();
        let confirm = page(&b, &format!("/session/end?id_token_hint={hint}")).await;
        b.submit_follow(&confirm, "/session/end/confirm", &[]).await;
        assert_eq!(b.get("/account").await.status(), 303, "signed out");
        assert_eq!(
            still_working(&t, client, &tokens).await,
            (401, false, 400),
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn password_recovery_ends_every_grant_offline_ones_included() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        t.add_person("+79005550042").await;
        let b = Browser::new(&t.base);
        let online = tokens_for(&t, &b, client, "+79005550042", "openid profile").await;
        let offline = tokens_for(&t, &b, client, "+79005550042", "openid offline_access").await;

        let r = Browser::new(&t.base);
        let start = page(&r, "/recover").await;
        let page = match r
            .submit_follow(&start, "/recover", &[("login", "+79005550042")])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let body = t.last_message("+79005550042").await["body"]
            .as_str()
            .unwrap()
            .to_string();
        let code = body
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
            .find(|w| w.len() == 6)
            .unwrap()
            .to_string();
        let page = match r
            .submit_follow(&page, "/recover/code", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let new = "Novyi-Parol-2026!";
        match r
            .submit_follow(
                &page,
                "/recover/password",
                &[("password", new), ("password2", new)],
            )
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("Пароль изменён"), "{html}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(still_working(&t, client, &online).await, (401, false, 400));
        assert_eq!(
            still_working(&t, client, &offline).await,
            (401, false, 400),
            "{}: recovery ends offline grants too",
            backend.name()
        );
    }
}

#[tokio::test]
async fn id_token_hint_accepts_only_an_id_token_for_the_requesting_client() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (id, secret) = portal(&t).await;
    let (other, _) = t.add_client(REDIRECT, false).await;
    let client = (id.as_str(), secret.as_str());
    t.add_person("hint@example.org").await;
    let b = Browser::new(&t.base);
    let tokens = tokens_for(&t, &b, client, "hint@example.org", "openid profile").await;
    let id_claims = id_token_claims(&tokens);
    let mut logout = serde_json::Map::new();
    for k in ["iss", "sub", "aud", "iat", "exp", "sid"] {
        logout.insert(k.into(), id_claims[k].clone());
    }
    logout.insert("jti".into(), "j-1".into());
    logout.insert(
        "events".into(),
        serde_json::json!({"http://schemas.openid.net/event/backchannel-logout": {}}),
    );
    let logout_token = t
        .app
        .keyring
        .sign(
            vhod::crypto::keyring::SigningAlg::Rs256,
            "logout+jwt",
            logout,
        )
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let try_hint = |hint: String, client_id: String| {
        let b = &b;
        let base = t.base.clone();
        async move {
            let (url, _) = auth_url(
                &base,
                &client_id,
                &[
                    ("scope", "openid profile"),
                    ("prompt", "none"),
                    ("id_token_hint", &hint),
                ],
            );
            match b.follow(&url).await {
                Landing::Left(back) => back,
                other => panic!("{other:?}"),
            }
        }
    };
    let ok = try_hint(tokens["id_token"].as_str().unwrap().into(), id.clone()).await;
    assert!(
        query_param(&ok, "code").is_some(),
        "the real ID token is a hint: {ok}"
    );
    for (what, hint) in [
        ("access token", access.to_string()),
        ("logout token", logout_token.clone()),
    ] {
        let back = try_hint(hint, id.clone()).await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("invalid_request"),
            "{what}: {back}"
        );
    }
    // Another portal's request with this portal's ID token as hint.
    let (url, _) = auth_url(
        &t.base,
        &other,
        &[
            ("scope", "openid"),
            ("prompt", "none"),
            ("id_token_hint", tokens["id_token"].as_str().unwrap()),
        ],
    );
    let back = match b.follow(&url).await {
        Landing::Left(back) => back,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("invalid_request"),
        "{back}"
    );

    // RP-initiated logout: a logout token is not an ID token hint either.
    let res = b
        .get(&format!("/session/end?id_token_hint={logout_token}"))
        .await;
    assert_eq!(res.status(), 400);
    let res = b
        .get(&format!(
            "/session/end?id_token_hint={}&client_id={other}",
            tokens["id_token"].as_str().unwrap()
        ))
        .await;
    assert_eq!(res.status(), 400, "the hint was issued to another client");
    let res = b
        .get(&format!(
            "/session/end?id_token_hint={}",
            tokens["id_token"].as_str().unwrap()
        ))
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn max_age_zero_is_satisfied_by_the_login_of_this_transaction_however_slow_the_redirect() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, _) = portal(&t).await;
        t.add_person("slow@example.org").await;
        let b = Browser::new(&t.base);
        let (url, _) = auth_url(&t.base, &id, &[("scope", "openid"), ("max_age", "0")]);
        let login = page(&b, &url).await;
        assert!(login.contains("name=\"password\""));
        let res = b
            .submit(
                &login,
                "/login",
                &[("login", "slow@example.org"), ("password", PASSWORD)],
            )
            .await;
        let next = location(&res).expect("redirect after login");
        assert!(next.contains("/authorize/continue"), "{next}");
        t.app.clock.advance(2);
        match b.follow(&next).await {
            Landing::Left(back) => {
                assert!(
                    query_param(&back, "code").is_some(),
                    "{}: {back}",
                    backend.name()
                )
            }
            Landing::Page(_, html) => panic!("{}: sent back to a page: {html}", backend.name()),
        }
        // A session older than max_age still needs a new login on a new request.
        let (url, _) = auth_url(&t.base, &id, &[("scope", "openid"), ("max_age", "0")]);
        let again = page(&b, &url).await;
        assert!(again.contains("name=\"password\""), "{}", backend.name());
    }
}

#[tokio::test]
async fn hsts_is_sent_whenever_the_issuer_is_https() {
    let backend = Backend::Sqlite;
    let mut config = test_config(&backend);
    config.server.issuer = "https://id.example.gov".into();
    let t = TestServer::start_with(&backend, config.clone()).await;
    for path in [
        "/",
        "/login",
        "/.well-known/openid-configuration",
        "/no-such-page",
    ] {
        let res = reqwest::get(format!("{}{path}", t.base)).await.unwrap();
        assert_eq!(
            res.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
    config.server.hsts_include_subdomains = true;
    let t = TestServer::start_with(&backend, config).await;
    let res = reqwest::get(format!("{}/", t.base)).await.unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    // Plain http on localhost (development): HSTS would pin localhost for a year; none is sent.
    let t = TestServer::start(&backend).await;
    let res = reqwest::get(format!("{}/", t.base)).await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
}
