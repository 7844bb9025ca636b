//! Threats to tokens, sessions and transport (issue 10, "tokens" group): tokens that outlive the
//! logout or recovery that should end them, consent bypassed by `claims`, id_token_hint accepting
//! any signed token, max_age=0 loops, HSTS, and dev mode on a public deployment.

mod common;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use tokens::*;

async fn portal(t: &TestServer) -> (String, String) {
    let (id, secret) = t.add_client(REDIRECT, false).await;
    (id, secret.unwrap())
}

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

fn vhod_serve(dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_vhod"));
    c.current_dir(dir)
        .env_remove("VHOD_CONFIG")
        .env_remove("VHOD_DEV__ENABLED")
        .env(
            "VHOD_DATABASE__URL",
            format!("sqlite://{}/vhod.db", dir.display()),
        )
        .env("VHOD_KEYS__KEK_FILE", dir.join("kek"))
        .env("VHOD_PASSWORD__MEMORY_KIB", "1024")
        .env("VHOD_PASSWORD__ITERATIONS", "1")
        .env("VHOD_LOG", "warn")
        .envs(env.iter().copied())
        .arg("serve");
    c
}

/// Runs the command for at most 20 s: (exit status if it ended, stderr).
fn run_briefly(mut cmd: std::process::Command) -> (Option<std::process::ExitStatus>, String) {
    use std::io::Read;
    let mut child = cmd.stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if status.is_none() {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status, err)
}

#[test]
fn dev_mode_refuses_to_start_with_a_public_issuer_or_listener() {
    let dir = std::env::temp_dir().join(format!("vhod-dev-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for (env, names) in [
        (
            vec![("VHOD_SERVER__ISSUER", "https://id.example.gov")],
            "https",
        ),
        (
            vec![("VHOD_SERVER__ISSUER", "http://id.example.gov")],
            "id.example.gov",
        ),
        (vec![("VHOD_SERVER__BIND", "0.0.0.0:0")], "0.0.0.0:0"),
    ] {
        let (status, err) = run_briefly(vhod_serve(&dir, &env));
        assert!(
            status.is_some_and(|s| !s.success()),
            "{env:?}: still serving"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains("development mode") && err.contains(names),
            "{err}"
        );
        assert!(err.contains("VHOD_DEV__ENABLED=false"), "{err}");
    }
    // The same deployment with dev mode off gets past the configuration (it then stops only
    // because the port it is given is taken).
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let (_, err) = run_briefly(vhod_serve(
        &dir,
        &[
            ("VHOD_SERVER__ISSUER", "https://id.example.gov"),
            ("VHOD_SERVER__BIND", &bind),
            ("VHOD_DEV__ENABLED", "false"),
        ],
    ));
    assert!(!err.contains("development mode"), "{err}");
    drop(taken);
}

#[test]
fn dev_mode_on_defaults_still_starts_on_localhost() {
    let dir = std::env::temp_dir().join(format!("vhod-dev-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let issuer = format!("http://localhost:{port}");
    let mut child = vhod_serve(
        &dir,
        &[
            ("VHOD_SERVER__BIND", &bind),
            ("VHOD_SERVER__ISSUER", &issuer),
        ],
    )
    .spawn()
    .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(&bind).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(up, "vhod serve with dev mode on loopback did not start");
}

#[tokio::test]
async fn the_outbox_says_loudly_what_it_is() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let html = reqwest::get(format!("{}/dev/outbox", t.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("РЕЖИМ РАЗРАБОТКИ: сообщения никуда не отправляются"),
        "{html}"
    );
    assert!(html.contains("Никогда не включайте режим разработки на рабочем сервере"));
}

#[tokio::test]
async fn the_claims_parameter_does_not_bypass_consent() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        let client = (id.as_str(), secret.as_str());
        person_with_everything(&t, "+79005550079").await;
        let b = signed_in(&t, "+79005550079").await;
        let request = serde_json::json!({
            "userinfo": { "addresses": null, "email": null, "phone_number": null }
        })
        .to_string();
        let silent = |request: String| {
            let (b, base, id) = (&b, t.base.clone(), id.clone());
            async move {
                let (url, _) = auth_url(
                    &base,
                    &id,
                    &[
                        ("scope", "openid"),
                        ("prompt", "none"),
                        ("claims", &request),
                    ],
                );
                match b.follow(&url).await {
                    Landing::Left(back) => back,
                    other => panic!("{other:?}"),
                }
            }
        };
        // Never consented: prompt=none with claims by name is consent_required, not data.
        let back = silent(request.clone()).await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("consent_required"),
            "{}: {back}",
            backend.name()
        );
        // With consent the page names them, and the portal gets exactly what was allowed.
        let (html, verifier) =
            consent_page(&t, &b, &id, &[("scope", "openid"), ("claims", &request)]).await;
        let page = consent_list(&html);
        for w in [
            "адреса регистрации и проживания",
            "адрес электронной почты",
            "номер мобильного телефона",
        ] {
            assert!(page.contains(w), "{w}: {page}");
        }
        let tokens = allow_and_redeem(&t, &b, client, &html, &verifier).await;
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert!(
            info["addresses"].is_array() && info["email"].is_string(),
            "{info}"
        );
        // The same request is now covered…
        let back = silent(request.clone()).await;
        assert!(
            query_param(&back, "code").is_some(),
            "{}: {back}",
            backend.name()
        );
        // …but a claim the consent did not cover needs consent again.
        let more = serde_json::json!({ "id_token": { "snils": null } }).to_string();
        let back = silent(more).await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("consent_required"),
            "{}: {back}",
            backend.name()
        );
        // And so does data asked for unverified when only verified data was allowed.
        let unverified =
            serde_json::json!({ "userinfo": { "addresses": null, "vehicles": null } }).to_string();
        let (html, verifier) =
            consent_page(&t, &b, &id, &[("scope", "openid"), ("claims", &unverified)]).await;
        allow_and_redeem(&t, &b, client, &html, &verifier).await;
        let pending =
            serde_json::json!({ "userinfo": { "vehicles": { "unverified": true } } }).to_string();
        let back = silent(pending).await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("consent_required"),
            "{back}"
        );
    }
}

#[tokio::test]
async fn a_code_issued_before_logout_makes_no_tokens_after_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = portal(&t).await;
        t.add_person("late@example.org").await;
        let b = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &b, &id, "late@example.org").await;
        let logout = page(&b, "/logout").await;
        b.submit(&logout, "/logout", &[]).await;
        let (status, body) = redeem(&t, &id, &secret, &code, &verifier).await;
        assert_eq!(status, 400, "{}: {body}", backend.name());
        assert_eq!(body["error"], "invalid_grant");
    }
}
