//! Threats to sign-in found by attacking vhod (issue 10, "login" group): second-factor guessing,
//! the "not a robot" check as an account oracle and a lock-out of whole networks, weak passwords,
//! POST result pages, lock notices as an SMS cannon.

mod common;

use common::login::*;
use common::*;
use vhod::authn::totp;

// ---- 11: second-factor guesses count toward the lock -------------------------------------------

#[tokio::test]
async fn ten_wrong_app_codes_over_several_logins_lock_the_account_and_the_right_code_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79006660001";
        t.add_person(phone).await;
        let secret = enrol_app(&t, &Browser::new(&t.base), phone).await;
        t.app.clock.advance(30);
        let wrong = wrong_code(&t, &secret);

        // Five wrong codes in one login (all it allows), four in a second one.
        let first = Browser::new(&t.base);
        let page = to_second_step(&first, phone).await;
        for n in 1..=5 {
            let (status, _) = submit_code(&first, &page, &wrong).await;
            assert_eq!(status, 401, "{}: code {n}", backend.name());
        }
        let second = Browser::new(&t.base);
        let page2 = to_second_step(&second, phone).await;
        for _ in 0..4 {
            assert_eq!(submit_code(&second, &page2, &wrong).await.0, 401);
        }
        // A third login reaches its second step before the tenth wrong code…
        let third = Browser::new(&t.base);
        let page3 = to_second_step(&third, phone).await;
        // …which locks the account.
        let (status, html) = submit_code(&second, &page2, &wrong).await;
        assert_eq!(status, 403, "{}: {html}", backend.name());
        assert!(
            html.contains("Вход по паролю временно заблокирован"),
            "{html}"
        );

        // The right code no longer signs in, and neither does the password.
        let right = totp::code_at(&secret, t.app.clock.now()).unwrap();
        let (status, html) = submit_code(&third, &page3, &right).await;
        assert_eq!(status, 403, "{}: {html}", backend.name());
        assert!(html.contains("Вход по паролю временно заблокирован"));
        let (status, _) = password_login(&Browser::new(&t.base), phone, PASSWORD).await;
        assert_eq!(status, 403);
        assert_eq!(lock_notices(&t, phone).await, 1, "the owner is told");
    }
}

// ---- 13: the "not a robot" check -----------------------------------------------------------------

/// The page with whatever differs by design (the login typed, CSRF token, challenge) blanked.
fn comparable(html: &str, login: &str) -> String {
    let mut out = html.replace(login, "LOGIN");
    for attr in ["value=\"", "data-csrf=\""] {
        while let Some(start) = out.find(attr) {
            let rest = &out[start + attr.len()..];
            let end = rest.find('"').unwrap();
            out = format!("{}BLANK={}", &out[..start], &rest[end + 1..]);
        }
    }
    out
}

#[tokio::test]
async fn after_three_failures_a_registered_and_an_unregistered_login_get_the_same_page() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let registered = "+79006660002";
        let nobody = "+79006669999";
        t.add_person(registered).await;
        let attacker = Browser::new(&t.base);
        fail_passwords(&attacker, registered, 3).await;
        fail_passwords(&attacker, nobody, 3).await;

        // A visitor from another address tries both.
        let fresh = browser_from(&t, "127.0.0.2");
        let page = page_at(&fresh, "/login").await;
        assert!(
            challenge_of(&page).is_none(),
            "nothing typed, nothing to decide"
        );
        let (s1, h1) = attempt(&fresh, &page, registered, "Wrong-Pass-1!").await;
        let fresh = browser_from(&t, "127.0.0.3");
        let page = page_at(&fresh, "/login").await;
        let (s2, h2) = attempt(&fresh, &page, nobody, "Wrong-Pass-1!").await;
        assert_eq!(s1, s2, "{}: {h1}\n---\n{h2}", backend.name());
        assert_eq!(comparable(&h1, registered), comparable(&h2, nobody));
        assert_eq!(s1, 400, "both are asked for the check");
        assert!(challenge_of(&h1).is_some() && challenge_of(&h2).is_some());
    }
}

#[tokio::test]
async fn after_ten_failures_a_registered_and_an_unregistered_login_are_both_locked() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let registered = "+79006660008";
        let nobody = "+79006669998";
        t.add_person(registered).await;
        let attacker = Browser::new(&t.base);
        fail_passwords(&attacker, registered, 10).await;
        fail_passwords(&attacker, nobody, 10).await;

        let answers = |login: &'static str, ip: &'static str| {
            let b = browser_from(&t, ip);
            async move {
                let (status, html) = password_login(&b, login, "Wrong-Pass-1!").await;
                (status, comparable(&html, login))
            }
        };
        let (s1, h1) = answers(registered, "127.0.0.6").await;
        let (s2, h2) = answers(nobody, "127.0.0.7").await;
        assert_eq!((s1, s2), (403, 403), "{}: {h2}", backend.name());
        assert_eq!(h1, h2);

        // Both open again after the lock.
        t.app.clock.advance(31 * 60);
        let (s1, _) = answers(registered, "127.0.0.6").await;
        let (s2, _) = answers(nobody, "127.0.0.7").await;
        assert_eq!((s1, s2), (401, 401), "{}", backend.name());
    }
}

#[tokio::test]
async fn without_javascript_waiting_out_the_signed_period_then_pressing_sign_in_works() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79006660003";
        t.add_person(phone).await;
        fail_passwords(&Browser::new(&t.base), phone, 3).await;

        // A browser that runs no script: it sends the form back as it is.
        let b = browser_from(&t, "127.0.0.4");
        let page = page_at(&b, "/login").await;
        let res = b
            .submit(&page, "/login", &[("login", phone), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status(), 400);
        let page = res.text().await.unwrap();
        let wait = t.config.login.pow_wait_secs;
        assert!(
            page.contains(&format!("подождите {wait} секунд и нажмите «Войти»")),
            "{page}"
        );
        assert!(!page.contains("<script>"), "no inline script (CSP)");
        let challenge = challenge_of(&page).unwrap();

        // Too early: refused, the same challenge kept with the seconds left.
        let res = b
            .submit(&page, "/login", &[("login", phone), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status(), 400, "{}", backend.name());
        let page = res.text().await.unwrap();
        assert_eq!(challenge_of(&page).as_deref(), Some(challenge.as_str()));

        // After the wait: signed in.
        t.app.clock.advance(wait);
        let res = b
            .submit(&page, "/login", &[("login", phone), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status(), 303, "{}", backend.name());
        assert_eq!(location(&res).as_deref(), Some("/account"));

        // The challenge is spent: once the check is due again, the same challenge is refused.
        fail_passwords(&browser_from(&t, "127.0.0.5"), phone, 3).await;
        t.app.clock.advance(wait);
        let other = browser_from(&t, "127.0.0.4");
        let fresh = page_at(&other, "/login").await;
        let replay = other
            .submit(
                &fresh,
                "/login",
                &[
                    ("login", phone),
                    ("password", PASSWORD),
                    ("pow_challenge", &challenge),
                ],
            )
            .await;
        assert_eq!(replay.status(), 400, "a spent challenge is refused");
    }
}

#[tokio::test]
async fn failures_for_one_login_put_no_challenge_on_another_login_from_the_same_ip() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79006660004").await;
        t.add_person("+79006660005").await;
        fail_passwords(&Browser::new(&t.base), "+79006660004", 5).await;

        let neighbour = Browser::new(&t.base);
        let page = page_at(&neighbour, "/login").await;
        assert!(challenge_of(&page).is_none(), "{}", backend.name());
        assert!(!page.contains("Проверка пройдена"));
        let (status, to) = attempt(&neighbour, &page, "+79006660005", PASSWORD).await;
        assert_eq!(
            (status, to.as_str()),
            (303, "/account"),
            "{}",
            backend.name()
        );
    }
}

// ---- 16: Post/Redirect/Get and readable error pages ---------------------------------------------

#[tokio::test]
async fn security_and_admin_posts_answer_303_and_a_reload_repeats_nothing() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79006660006";
        t.add_person(phone).await;
        let b = Browser::new(&t.base);
        let (status, _) = password_login(&b, phone, PASSWORD).await;
        assert_eq!(status, 303);

        let page = page_at(&b, "/account/security").await;
        let res = b.submit(&page, "/account/security/totp/start", &[]).await;
        assert_eq!(res.status(), 303, "{}", backend.name());
        let page = page_at(&b, &location(&res).unwrap()).await;
        let secret = page
            .split("id=\"totp-secret\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
        let res = b
            .submit(&page, "/account/security/totp/confirm", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res).as_deref(), Some("/account/security"));
        let shown = page_at(&b, "/account/security").await;
        let done = "<p class=\"success\" role=\"status\">Приложение подключено.</p>";
        assert!(shown.contains(done), "{shown}");
        assert_eq!(shown.matches("class=\"recovery-code\"").count(), 10);
        // A reload: the codes are not shown again, nothing is confirmed twice.
        let reloaded = page_at(&b, "/account/security").await;
        assert_eq!(reloaded.matches("class=\"recovery-code\"").count(), 0);
        assert!(!reloaded.contains(done), "said once");

        let res = b
            .submit(&reloaded, "/account/security/sms/start", &[])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            location(&res).as_deref(),
            Some("/account/security?step=sms")
        );
        let page = page_at(&b, "/account/security?step=sms").await;
        let sms = t.last_message(phone).await;
        let code: String = sms["body"]
            .as_str()
            .unwrap()
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap()
            .to_string();
        let res = b
            .submit(&page, "/account/security/sms/confirm", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 303);
        assert!(
            page_at(&b, "/account/security")
                .await
                .contains("Вход с подтверждением включён")
        );

        // With both factors proven, turning them off answers 303 too.
        t.app.clock.advance(30);
        let strong = Browser::new(&t.base);
        let page = to_second_step(&strong, phone).await;
        let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
        assert_eq!(
            submit_code(&strong, &page, &code).await,
            (303, "/account".to_string())
        );
        for (path, said) in [
            (
                "/account/security/sms/off",
                "Вход с подтверждением выключен",
            ),
            ("/account/security/totp/remove", "Приложение отключено"),
        ] {
            let page = page_at(&strong, "/account/security").await;
            let res = strong.submit(&page, path, &[]).await;
            assert_eq!(res.status(), 303, "{path}");
            assert_eq!(location(&res).as_deref(), Some("/account/security"));
            let after = page_at(&strong, "/account/security").await;
            let said = format!("<p class=\"success\" role=\"status\">{said}");
            assert!(after.contains(&said), "{path}: {after}");
        }

        // The admin console: a key rotation answers 303; reloading the result rotates nothing.
        let admin = Browser::new(&t.base);
        let (token, _) = vhod::admin::auth::issue_bootstrap_token(
            &t.app,
            &[vhod::admin::Role::SecurityAdmin],
            "console",
            600,
        )
        .await
        .unwrap();
        let login = page_at(&admin, "/admin/console").await;
        admin
            .submit(&login, "/admin/console/login", &[("token", &token)])
            .await;
        let console = page_at(&admin, "/admin/console").await;
        let keys = t.app.store.all_signing_keys().await.unwrap().len();
        let res = admin
            .submit(
                &console,
                "/admin/console/action",
                &[("action", "rotate"), ("alg", "ES256")],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", backend.name());
        assert_eq!(location(&res).as_deref(), Some("/admin/console"));
        assert!(
            page_at(&admin, "/admin/console")
                .await
                .contains("key.rotate:")
        );
        let again = page_at(&admin, "/admin/console").await;
        assert!(!again.contains("key.rotate:"), "shown once");
        assert_eq!(
            t.app.store.all_signing_keys().await.unwrap().len(),
            keys + 1
        );
    }
}

#[tokio::test]
async fn a_get_of_a_post_only_address_gets_a_readable_405_page_with_the_request_id() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let b = Browser::new(&t.base);
    for path in [
        "/account/security/totp/start",
        "/account/security/totp/confirm",
        "/admin/console/action",
        "/login/second-factor/send",
    ] {
        let res = b.get(path).await;
        assert_eq!(res.status(), 405, "{path}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Эта страница открывается только из формы"),
            "{path}: {html}"
        );
        let id = html
            .split("Код запроса: <code>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap_or_default();
        assert_eq!(id.len(), 12, "{html}");
    }
    let res = b
        .http
        .get(format!("{}/account/security/sms/start", t.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("Request id:"));
    // A protocol endpoint keeps answering programs in OAuth JSON.
    let res = b.get("/token").await;
    assert_eq!(res.status(), 405);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn an_unknown_address_gets_a_readable_404_page_with_the_request_id() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let res = Browser::new(&t.base).get("/account/nothing-here").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Страница не найдена."), "{html}");
    assert!(html.contains("Код запроса: <code>"), "{html}");
}

// ---- 23: lock notices -----------------------------------------------------------------------------

#[tokio::test]
async fn locking_again_and_again_messages_the_owner_at_most_once_an_hour() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79006660007";
        t.add_person(phone).await;
        let stranger = Browser::new(&t.base);
        fail_passwords(&stranger, phone, 10).await;
        assert_eq!(lock_notices(&t, phone).await, 1, "{}", backend.name());

        // The lock runs out after 30 minutes; the stranger locks it again at once.
        t.app.clock.advance(31 * 60);
        fail_passwords(&stranger, phone, 10).await;
        let (status, _) = password_login(&stranger, phone, PASSWORD).await;
        assert_eq!(status, 403, "locked again");
        assert_eq!(
            lock_notices(&t, phone).await,
            1,
            "{}: no second SMS within the hour",
            backend.name()
        );

        // An hour after the first message, a new lock is told again.
        t.app.clock.advance(31 * 60);
        fail_passwords(&stranger, phone, 10).await;
        assert_eq!(lock_notices(&t, phone).await, 2, "{}", backend.name());
    }
}
