//! What a person sees: the demo portal end to end, languages, «Чужой компьютер», logout, cookies.

mod common;

use common::*;

#[tokio::test]
async fn demo_portal_signs_in_through_vhod_and_shows_verified_claims() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("demo@example.org").await;
        let browser = Browser::new(&t.base);
        let page = match browser.follow("/demo").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(page.contains("Войти через vhod"));
        let login = match browser.follow("/demo/start").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            login.contains("Демонстрационный портал"),
            "the login page names the portal"
        );
        let consent = match browser
            .submit_follow(
                &login,
                "/login",
                &[("login", "demo@example.org"), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let result = match browser
            .submit_follow(&consent, "/consent", &[("decision", "allow")])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{}: {other:?}", backend.name()),
        };
        assert!(result.contains("id=\"id-token-claims\""), "{result}");
        assert!(result.contains("urn:vhod:acr:low"));
        assert!(result.contains("demo@example.org"), "userinfo e-mail shown");
    }
}

#[tokio::test]
async fn pages_speak_english_when_asked_by_ui_locales_or_accept_language() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    let (_, c) = pkce_pair();
    let url = authorize_url(
        &t.base,
        &client_id,
        REDIRECT,
        &[
            ("code_challenge", &c),
            ("code_challenge_method", "S256"),
            ("ui_locales", "se en"),
        ],
    );
    match Browser::new(&t.base).follow(&url).await {
        Landing::Page(200, html) => {
            assert!(html.contains("Sign in"));
            assert!(
                html.contains("Someone else&#39;s computer")
                    || html.contains("Someone else's computer"),
                "{html}"
            );
            assert!(html.contains("lang=\"en\""));
        }
        other => panic!("{other:?}"),
    }
    let res = no_redirect_client()
        .get(format!("{}/register", t.base))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Registration"));
    // Russian by default.
    match Browser::new(&t.base).follow("/login").await {
        Landing::Page(200, html) => assert!(html.contains("Войти") && html.contains("lang=\"ru\"")),
        other => panic!("{other:?}"),
    }
}

fn set_cookie_for(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

#[tokio::test]
async fn foreign_computer_makes_the_session_cookie_die_with_the_browser() {
    let t = TestServer::start(&Backend::Sqlite).await;
    t.add_person("cookie@example.org").await;
    for (foreign, persistent) in [(true, false), (false, true)] {
        let browser = Browser::new(&t.base);
        let html = match browser.follow("/login").await {
            Landing::Page(200, h) => h,
            other => panic!("{other:?}"),
        };
        let mut fields = vec![("login", "cookie@example.org"), ("password", PASSWORD)];
        if foreign {
            fields.push(("foreign", "on"));
        }
        let res = browser.submit(&html, "/login", &fields).await;
        assert_eq!(res.status(), 303);
        let cookie = set_cookie_for(&res, "vhod_sid");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert_eq!(cookie.contains("Max-Age="), persistent, "{cookie}");
        assert_eq!(location(&res).as_deref(), Some("/account"));
        match browser.follow("/account").await {
            Landing::Page(200, html) => assert!(html.contains("Иванов Иван")),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_a_new_login_rotates_the_session_id() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("rotate@example.org").await;
        let browser = Browser::new(&t.base);
        let mut ids = vec![];
        for _ in 0..2 {
            let html = match browser.follow("/login").await {
                Landing::Page(200, h) => h,
                other => panic!("{other:?}"),
            };
            let res = browser
                .submit(
                    &html,
                    "/login",
                    &[("login", "rotate@example.org"), ("password", PASSWORD)],
                )
                .await;
            ids.push(set_cookie_for(&res, "vhod_sid"));
        }
        assert_ne!(ids[0], ids[1], "a new session id at every login");
        let account = match browser.follow("/account").await {
            Landing::Page(200, h) => h,
            other => panic!("{other:?}"),
        };
        let res = browser.submit(&account, "/logout", &[]).await;
        assert_eq!(res.status(), 200);
        assert!(set_cookie_for(&res, "vhod_sid").contains("Max-Age=0"));
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Вы вышли из учётной записи")
        );
        assert_eq!(
            browser.get("/account").await.status(),
            303,
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn secure_cookie_flag_is_set_when_the_issuer_is_https() {
    let mut config = test_config(&Backend::Sqlite);
    config.server.issuer = "https://id.example.gov".into();
    let t = TestServer::start_with(&Backend::Sqlite, config).await;
    let res = no_redirect_client()
        .get(format!("{}/login", t.base))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie_for(&res, "vhod_csrf");
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn registration_by_email_link_continues_the_authorization_and_reaches_the_portal() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("login_hint", "new@example.org"),
            ],
        );
        let browser = Browser::new(&t.base);
        let login = match browser.follow(&url).await {
            Landing::Page(200, h) => h,
            other => panic!("{other:?}"),
        };
        assert!(
            login.contains("value=\"new@example.org\""),
            "login_hint prefills the login"
        );
        let tx = hidden_fields(&login)
            .into_iter()
            .find(|(k, _)| k == "tx")
            .unwrap()
            .1;
        let form = match browser.follow(&format!("/register?tx={tx}")).await {
            Landing::Page(200, h) => h,
            other => panic!("{other:?}"),
        };
        match browser
            .submit_follow(
                &form,
                "/register",
                &[
                    ("surname", "Кузнецова"),
                    ("name", "Мария"),
                    ("contact", "New@Example.org"),
                ],
            )
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("n***@example.org")),
            other => panic!("{other:?}"),
        }
        let body = t.last_message("new@example.org").await["body"]
            .as_str()
            .unwrap()
            .to_string();
        let link = body
            .split_whitespace()
            .find(|w| w.starts_with("http"))
            .unwrap()
            .to_string();
        let pw = match browser.follow(&link).await {
            Landing::Page(200, h) => h,
            other => panic!("{other:?}"),
        };
        let consent = match browser
            .submit_follow(
                &pw,
                "/register/password",
                &[("password", PASSWORD), ("password2", PASSWORD)],
            )
            .await
        {
            Landing::Page(200, h) => h,
            other => panic!("{other:?}"),
        };
        let back = match browser
            .submit_follow(&consent, "/consent", &[("decision", "allow")])
            .await
        {
            Landing::Left(u) => u,
            other => panic!("{other:?}"),
        };
        let code = query_param(&back, "code").unwrap();
        let (status, tokens) =
            redeem(&t, &client_id, secret.as_deref().unwrap(), &code, &verifier).await;
        assert_eq!(status, 200);
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["family_name"], "Кузнецова");
        // The e-mail link is single use: the registration is gone.
        match browser.follow(&link).await {
            Landing::Page(400, html) => {
                assert!(html.contains("Срок действия кода или ссылки истёк"))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn consent_denied_sends_access_denied_to_the_portal() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    t.add_person("deny@example.org").await;
    let (_, c) = pkce_pair();
    let url = authorize_url(
        &t.base,
        &client_id,
        REDIRECT,
        &[("code_challenge", &c), ("code_challenge_method", "S256")],
    );
    let browser = Browser::new(&t.base);
    let login = match browser.follow(&url).await {
        Landing::Page(200, h) => h,
        other => panic!("{other:?}"),
    };
    let consent = match browser
        .submit_follow(
            &login,
            "/login",
            &[("login", "deny@example.org"), ("password", PASSWORD)],
        )
        .await
    {
        Landing::Page(200, h) => h,
        other => panic!("{other:?}"),
    };
    match browser
        .submit_follow(&consent, "/consent", &[("decision", "deny")])
        .await
    {
        Landing::Left(u) => {
            assert_eq!(query_param(&u, "error").as_deref(), Some("access_denied"));
            assert_eq!(query_param(&u, "state").as_deref(), Some("st-123"));
            assert!(query_param(&u, "code").is_none());
        }
        other => panic!("{other:?}"),
    }
}
