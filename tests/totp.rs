//! Authenticator apps (TOTP) and recovery codes: enrolment at /account/security, the second step
//! of every password login, replay and attempt limits, step-up of a low session, acr/amr in the
//! ID token.

mod common;

use common::login::{password_to_second_factor, sign_in_to_account};
use common::*;
use vhod::authn::totp;
use vhod::config::Config;

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    html.split(start).nth(1).and_then(|r| r.split(end).next())
}

fn recovery_codes(html: &str) -> Vec<String> {
    html.split("class=\"recovery-code\">")
        .skip(1)
        .map(|r| r.split('<').next().unwrap().to_string())
        .collect()
}

/// Connects an authenticator app through the security page; returns (secret, recovery codes).
async fn enrol(t: &TestServer, browser: &Browser) -> (String, Vec<String>) {
    let page = match browser.follow("/account/security").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    assert!(page.contains("Подключить приложение"));
    let res = browser
        .submit(&page, "/account/security/totp/start", &[])
        .await;
    assert_eq!(res.status(), 303, "Post/Redirect/Get");
    assert_eq!(
        location(&res).as_deref(),
        Some("/account/security?step=totp")
    );
    let page = match browser.follow("/account/security?step=totp").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    assert!(page.contains("<svg"), "the QR code is an inline SVG");
    let secret = between(&page, "id=\"totp-secret\">", "<")
        .expect("secret shown")
        .to_string();
    let right = totp::code_at(&secret, t.app.clock.now()).unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let res = browser
        .submit(&page, "/account/security/totp/confirm", &[("code", wrong)])
        .await;
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(page.contains("Неверный код. Проверьте время"));
    let res = browser
        .submit(&page, "/account/security/totp/confirm", &[("code", &right)])
        .await;
    assert_eq!(res.status(), 303, "Post/Redirect/Get");
    let page = match browser.follow("/account/security").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let codes = recovery_codes(&page);
    assert_eq!(codes.len(), 10, "{page}");
    // Shown once: the page does not show them again.
    match browser.follow("/account/security").await {
        Landing::Page(200, html) => {
            assert!(recovery_codes(&html).is_empty());
            assert!(html.contains("Резервных кодов осталось: 10"));
        }
        other => panic!("{other:?}"),
    }
    (secret, codes)
}

/// Submits a second-step code; follows through consent to the portal; returns the redirect.
async fn second_step_to_portal(browser: &Browser, page: &str, method: &str, code: &str) -> String {
    match browser
        .submit_follow(
            page,
            "/login/second-factor",
            &[("method", method), ("code", code)],
        )
        .await
    {
        Landing::Left(url) => url,
        Landing::Page(200, html) if html.contains("name=\"decision\"") => match browser
            .submit_follow(&html, "/consent", &[("decision", "allow")])
            .await
        {
            Landing::Left(url) => url,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

struct Portal {
    client_id: String,
    secret: String,
}

impl Portal {
    async fn new(t: &TestServer) -> Portal {
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        Portal {
            client_id,
            secret: secret.unwrap(),
        }
    }

    fn url(&self, t: &TestServer, extra: &[(&str, &str)]) -> (String, String) {
        let (verifier, challenge) = pkce_pair();
        let mut params = vec![
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("nonce", "n-1"),
        ];
        params.extend_from_slice(extra);
        (
            authorize_url(&t.base, &self.client_id, REDIRECT, &params),
            verifier,
        )
    }

    /// Redeems the code in `back`; returns the ID token claims.
    async fn claims(&self, t: &TestServer, back: &str, verifier: &str) -> serde_json::Value {
        assert!(back.starts_with(REDIRECT), "{back}");
        let code = query_param(back, "code").expect("code");
        let (status, body) = redeem(t, &self.client_id, &self.secret, &code, verifier).await;
        assert_eq!(status, 200, "{body}");
        id_token_claims(&body)
    }
}

#[tokio::test]
async fn authenticator_app_enrols_with_a_qr_code_and_every_password_login_then_asks_for_its_code() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79002220001").await;
        let portal = Portal::new(&t).await;
        let owner = Browser::new(&t.base);
        sign_in_to_account(&owner, "+79002220001").await;
        let (secret, _) = enrol(&t, &owner).await;

        t.app.clock.advance(30);
        let browser = Browser::new(&t.base);
        let (url, verifier) = portal.url(&t, &[]);
        let page = password_to_second_factor(&browser, &url, "+79002220001").await;
        assert!(page.contains("Код из приложения-аутентификатора"));
        let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
        let back = second_step_to_portal(&browser, &page, "totp", &code).await;
        let claims = portal.claims(&t, &back, &verifier).await;
        assert_eq!(
            claims["acr"],
            "urn:vhod:acr:substantial",
            "{}",
            backend.name()
        );
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    }
}

#[tokio::test]
async fn reused_and_wrong_app_codes_are_refused_and_the_fifth_wrong_code_ends_the_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79002220002").await;
        let owner = Browser::new(&t.base);
        sign_in_to_account(&owner, "+79002220002").await;
        let (secret, _) = enrol(&t, &owner).await;
        t.app.clock.advance(30);
        let code = totp::code_at(&secret, t.app.clock.now()).unwrap();

        let first = Browser::new(&t.base);
        let page = password_to_second_factor(&first, "/login", "+79002220002").await;
        let res = first
            .submit(
                &page,
                "/login/second-factor",
                &[("method", "totp"), ("code", &code)],
            )
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account"));

        // The same code again (same time step) is a replay.
        let second = Browser::new(&t.base);
        let page = password_to_second_factor(&second, "/login", "+79002220002").await;
        let res = second
            .submit(
                &page,
                "/login/second-factor",
                &[("method", "totp"), ("code", &code)],
            )
            .await;
        assert_eq!(res.status(), 401, "{}", backend.name());
        let page = res.text().await.unwrap();
        assert!(page.contains("Этот код уже использован"), "{page}");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            let res = second
                .submit(
                    &page,
                    "/login/second-factor",
                    &[("method", "totp"), ("code", wrong)],
                )
                .await;
            assert_eq!(res.status(), 401);
            assert!(res.text().await.unwrap().contains("Неверный код."));
        }
        let res = second
            .submit(
                &page,
                "/login/second-factor",
                &[("method", "totp"), ("code", wrong)],
            )
            .await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Слишком много неверных кодов")
        );
        // The pending login is gone: even the right next code does not sign in.
        t.app.clock.advance(30);
        let next = totp::code_at(&secret, t.app.clock.now()).unwrap();
        let res = second
            .submit(
                &page,
                "/login/second-factor",
                &[("method", "totp"), ("code", &next)],
            )
            .await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Войдите заново"));
    }
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_with_substantial_acr() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("recover@example.org").await;
        let portal = Portal::new(&t).await;
        let owner = Browser::new(&t.base);
        sign_in_to_account(&owner, "recover@example.org").await;
        let (_, codes) = enrol(&t, &owner).await;

        let browser = Browser::new(&t.base);
        let (url, verifier) = portal.url(&t, &[]);
        let page = password_to_second_factor(&browser, &url, "recover@example.org").await;
        assert!(page.contains("Войти с резервным кодом"));
        let back = second_step_to_portal(&browser, &page, "recovery", &codes[3]).await;
        let claims = portal.claims(&t, &back, &verifier).await;
        assert_eq!(
            claims["acr"],
            "urn:vhod:acr:substantial",
            "{}",
            backend.name()
        );
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));

        let again = Browser::new(&t.base);
        let page = password_to_second_factor(&again, "/login", "recover@example.org").await;
        let res = again
            .submit(
                &page,
                "/login/second-factor",
                &[("method", "recovery"), ("code", &codes[3])],
            )
            .await;
        assert_eq!(res.status(), 401);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Неверный или уже использованный резервный код")
        );
        match owner.follow("/account/security").await {
            Landing::Page(200, html) => assert!(html.contains("Резервных кодов осталось: 9")),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_password_session_steps_up_with_the_app_when_a_portal_requires_substantial() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79002220003").await;
        let portal = Portal::new(&t).await;
        let browser = Browser::new(&t.base);

        // Password only: low, amr [pwd].
        let (url, verifier) = portal.url(&t, &[]);
        let back = browser
            .authorize_and_login(&url, "+79002220003", PASSWORD)
            .await;
        let claims = portal.claims(&t, &back, &verifier).await;
        assert_eq!(claims["acr"], "urn:vhod:acr:low");
        assert_eq!(claims["amr"], serde_json::json!(["pwd"]));

        // The same (low) session connects an app, then a portal asks for substantial: the
        // transaction asks for the app's code instead of the password or a refusal.
        let (secret, _) = enrol(&t, &browser).await;
        t.app.clock.advance(30);
        let (url, verifier) = portal.url(&t, &[("acr_values", "urn:vhod:acr:substantial")]);
        let page = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(page.contains("Код из приложения-аутентификатора"), "{page}");
        assert!(!page.contains("name=\"password\""));
        let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
        let back = second_step_to_portal(&browser, &page, "totp", &code).await;
        let claims = portal.claims(&t, &back, &verifier).await;
        assert_eq!(
            claims["acr"],
            "urn:vhod:acr:substantial",
            "{}",
            backend.name()
        );
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    }
}

#[tokio::test]
async fn app_secrets_follow_a_kek_rewrap() {
    let backend = Backend::Sqlite;
    let t = TestServer::start(&backend).await;
    t.add_person("+79002220004").await;
    let owner = Browser::new(&t.base);
    sign_in_to_account(&owner, "+79002220004").await;
    let (secret, _) = enrol(&t, &owner).await;
    let stored = t.app.store.all_totp_secrets().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].1.contains(&secret),
        "the secret is not stored in the clear"
    );

    // Rewrap everything under a new KEK; a node that has only the new KEK still checks app codes.
    let new_kek_file = std::env::temp_dir().join(format!("vhod-kek-{}", uuid::Uuid::now_v7()));
    let new = vhod::crypto::kek::Kek::load_or_create(&new_kek_file).unwrap();
    t.app.keyring.rewrap(&t.app.store, &new).await.unwrap();
    assert_eq!(
        t.app.keyring.rewrap_totp(&t.app.store, &new).await.unwrap(),
        1
    );
    let mut config = t.config.clone();
    config.keys.kek_file = new_kek_file.display().to_string();
    config.server.issuer = Config::defaults().server.issuer;
    let node2 = TestServer::start_with(&backend, config).await;
    node2.app.clock.advance(30);
    let browser = Browser::new(&node2.base);
    let page = password_to_second_factor(&browser, "/login", "+79002220004").await;
    let code = totp::code_at(&secret, node2.app.clock.now()).unwrap();
    let res = browser
        .submit(
            &page,
            "/login/second-factor",
            &[("method", "totp"), ("code", &code)],
        )
        .await;
    assert_eq!(location(&res).as_deref(), Some("/account"));
}

#[tokio::test]
async fn the_second_step_can_finish_on_another_node() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    node1.add_person("+79002220005").await;
    let owner = Browser::new(&node1.base);
    sign_in_to_account(&owner, "+79002220005").await;
    let (secret, _) = enrol(&node1, &owner).await;
    node1.app.clock.advance(30);
    node2.app.clock.advance(30);

    // Password on node 1, the app's code on node 2 (cookies are per host name, not per port).
    let browser = Browser::new(&node1.base);
    let page = password_to_second_factor(&browser, "/login", "+79002220005").await;
    let code = totp::code_at(&secret, node2.app.clock.now()).unwrap();
    let res = browser
        .submit(
            &page,
            &format!("{}/login/second-factor", node2.base),
            &[("method", "totp"), ("code", &code)],
        )
        .await;
    assert_eq!(location(&res).as_deref(), Some("/account"));
    // The same code on node 1 now is a replay.
    let again = Browser::new(&node1.base);
    let page = password_to_second_factor(&again, "/login", "+79002220005").await;
    let res = again
        .submit(
            &page,
            "/login/second-factor",
            &[("method", "totp"), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Этот код уже использован")
    );
}

#[tokio::test]
async fn a_kek_rewrap_reseals_app_secrets_a_batch_a_change() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let store = &t.app.store;
        let mut people = Vec::new();
        for i in 0..5 {
            let id = t.add_person(&format!("+7900222010{i}")).await;
            let secret = format!("secret-of-{i}");
            store
                .set_totp(&id, &t.app.keyring.seal_secret(secret.as_bytes()), 1)
                .await
                .unwrap();
            people.push((id, secret));
        }
        people.sort();
        let new_kek_file = std::env::temp_dir().join(format!("vhod-kek-{}", uuid::Uuid::now_v7()));
        let new = vhod::crypto::kek::Kek::load_or_create(&new_kek_file).unwrap();

        // Batches of two, each committed on its own: between two of them a sign-in's code is
        // spent at once (no change holds the rows or the write lock), and the secrets resealed so
        // far open under the new KEK alone while the rest still open under the old one.
        let mut after = String::new();
        let mut sizes = Vec::new();
        loop {
            let mut change = store.change().await.unwrap();
            let (n, last) = t
                .app
                .keyring
                .rewrap_totp_batch_in(&mut change, &new, &after, 2)
                .await
                .unwrap();
            change.commit_unaudited().await.unwrap();
            let Some(last) = last else { break };
            sizes.push(n);
            assert_eq!(last, people[sizes.iter().sum::<usize>() - 1].0);
            let step = 10 + sizes.len() as i64;
            assert!(store.spend_totp_step(&people[0].0, step).await.unwrap());
            for (i, (id, secret)) in people.iter().enumerate() {
                let sealed = store.totp_secret(id).await.unwrap().unwrap();
                let moved = i < sizes.iter().sum::<usize>();
                assert_eq!(
                    new.open(&sealed).ok().as_deref(),
                    moved.then_some(secret.as_bytes()),
                    "{}: person {i} after {sizes:?}",
                    backend.name()
                );
                assert_eq!(
                    t.app.keyring.open_secret(&sealed).is_some(),
                    !moved,
                    "{}: person {i} after {sizes:?}",
                    backend.name()
                );
            }
            after = last;
        }
        assert_eq!(sizes, vec![2, 2, 1], "{}", backend.name());
        let _ = std::fs::remove_file(&new_kek_file);
    }
}
