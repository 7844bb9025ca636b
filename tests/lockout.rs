//! Abuse protection of password login: proof-of-work after 3 failures, lockout after 10 in 30
//! minutes (owner notified, audited, held across nodes), per-IP rate limit, login history rows.

mod common;

use common::login::{attempt_body, attempt_solved_body, challenge_of, login_page};
use common::*;
use vhod::authn::challenge;

const WRONG: &str = "Wrong-Pass-1!";

async fn audit_actions(t: &TestServer) -> Vec<(String, String)> {
    t.app
        .store
        .audit_since(0)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.target))
        .collect()
}

#[tokio::test]
async fn third_failure_requires_a_solved_challenge_and_missing_wrong_or_reused_ones_are_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("+79001110001").await;
        let browser = Browser::new(&t.base);
        let mut page = login_page(&browser).await;
        assert!(challenge_of(&page).is_none(), "no challenge at first");
        for n in 1..=3 {
            let (status, html) = attempt_body(&browser, &page, "+79001110001", WRONG).await;
            assert_eq!(status, 401, "{}: failure {n}", backend.name());
            assert_eq!(challenge_of(&html).is_some(), n == 3, "failure {n}");
            page = html;
        }
        assert!(page.contains("/static/pow.js"), "the page loads the solver");
        assert!(
            audit_actions(&t)
                .await
                .contains(&("login.failure_burst".into(), format!("account:{id}"))),
            "the burst is audited"
        );

        // The right password without a solution is refused before the password counts.
        let res = browser
            .submit(
                &page,
                "/login",
                &[("login", "+79001110001"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 400);
        let page = res.text().await.unwrap();
        assert!(page.contains("Подтвердите, что вы не робот"), "{page}");

        // A wrong solution (one that misses the difficulty) is refused.
        let c = challenge_of(&page).expect("a new challenge");
        let bad = (0u64..)
            .map(|n| n.to_string())
            .find(|n| challenge::leading_zero_bits(&c, n) == 0)
            .unwrap();
        let res = browser
            .submit(
                &page,
                "/login",
                &[
                    ("login", "+79001110001"),
                    ("password", PASSWORD),
                    ("pow_solution", &bad),
                ],
            )
            .await;
        assert_eq!(res.status(), 400);
        let page = res.text().await.unwrap();
        assert!(page.contains("Проверка «не робот» не пройдена"), "{page}");

        // A solved challenge spent on a wrong password cannot be spent again.
        let (status, _) = attempt_body(&browser, &page, "+79001110001", WRONG).await;
        assert_eq!(status, 401);
        let (status, html) = attempt_body(&browser, &page, "+79001110001", PASSWORD).await;
        assert_eq!(status, 400, "reused challenge");
        assert!(html.contains("Проверка «не робот» не пройдена"));

        // Solved properly: signed in.
        let (status, _) = attempt_body(&browser, &html, "+79001110001", PASSWORD).await;
        assert_eq!(status, 303);
        match browser.follow("/account").await {
            Landing::Page(200, html) => assert!(html.contains("Иванов")),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn failures_from_one_ip_for_one_login_leave_other_logins_unchallenged() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001110003").await;
        let browser = Browser::new(&t.base);
        let mut page = login_page(&browser).await;
        for _ in 0..3 {
            let (status, html) = attempt_body(&browser, &page, "+79990000000", WRONG).await;
            assert_eq!(status, 401);
            page = html;
        }
        // Another person behind the same address (a carrier NAT) is not asked for the proof of
        // work: neither on a fresh page nor when signing in (was: every login from the IP gated).
        let other = Browser::new(&t.base);
        let page = login_page(&other).await;
        assert!(challenge_of(&page).is_none(), "{}", backend.name());
        let (status, _) = attempt_body(&other, &page, "+79001110003", PASSWORD).await;
        assert_eq!(status, 303);
        assert!(
            audit_actions(&t)
                .await
                .contains(&("login.failure_burst".into(), "ip:127.0.0.1".into()))
        );
    }
}

/// Ten wrong passwords for `login` through `browser` against `base`'s pages.
async fn fail_ten_times(browser: &Browser, login: &str) -> String {
    let mut page = login_page(browser).await;
    for n in 1..=10 {
        let (status, html) = attempt_body(browser, &page, login, WRONG).await;
        assert_eq!(status, 401, "failure {n}: {html}");
        page = html;
    }
    page
}

#[tokio::test]
async fn ten_failures_lock_password_login_for_thirty_minutes_and_tell_the_owner() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("+79001110002").await;
        let browser = Browser::new(&t.base);
        let page = fail_ten_times(&browser, "+79001110002").await;

        let msg = t.last_message("+79001110002").await;
        assert!(
            msg["subject"]
                .as_str()
                .unwrap()
                .contains("Вход по паролю временно заблокирован"),
            "{msg}"
        );
        assert!(msg["body"].as_str().unwrap().contains("неудачных попыток"));
        assert!(
            audit_actions(&t)
                .await
                .contains(&("login.lockout".into(), format!("account:{id}")))
        );

        // The 11th attempt, with the right password and a solved challenge, is refused.
        let (status, html) = attempt_body(&browser, &page, "+79001110002", PASSWORD).await;
        assert_eq!(status, 403, "{}", backend.name());
        assert!(
            html.contains("Вход по паролю временно заблокирован"),
            "{html}"
        );

        // Still locked a minute before the end; open again after 30 minutes.
        t.app.clock.advance(29 * 60);
        let (status, _) = attempt_solved_body(&browser, "+79001110002", PASSWORD).await;
        assert_eq!(status, 403);
        t.app.clock.advance(61);
        let (status, _) = attempt_solved_body(&browser, "+79001110002", PASSWORD).await;
        assert_eq!(status, 303, "lock over after 30 minutes");

        // Every attempt is in the login history.
        let events = t.app.store.login_events_of(&id, 50).await.unwrap();
        let count = |r: &str| events.iter().filter(|e| e.result == r).count();
        assert_eq!(count("failure"), 10);
        assert_eq!(count("locked"), 2);
        assert_eq!(count("success"), 1);
        assert!(
            events
                .iter()
                .all(|e| e.ip == "127.0.0.1" && e.method == "pwd")
        );
    }
}

#[tokio::test]
async fn lifting_the_lock_after_recovery_reopens_password_login_at_once() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("+79001110004").await;
        let browser = Browser::new(&t.base);
        let page = fail_ten_times(&browser, "+79001110004").await;
        let (status, html) = attempt_body(&browser, &page, "+79001110004", PASSWORD).await;
        assert_eq!(status, 403);
        t.app.store.lift_lock(&id).await.unwrap();
        let (status, _) = attempt_body(&browser, &html, "+79001110004", PASSWORD).await;
        assert_eq!(status, 303, "{}", backend.name());
    }
}

#[tokio::test]
async fn lockout_holds_across_two_nodes_sharing_postgres() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    node1.add_person("+79001110005").await;
    fail_ten_times(&Browser::new(&node1.base), "+79001110005").await;

    let browser = Browser::new(&node2.base);
    let page = login_page(&browser).await;
    let (status, html) = attempt_body(&browser, &page, "+79001110005", PASSWORD).await;
    assert_eq!(status, 400, "node 2 knows about the failures");
    assert!(challenge_of(&html).is_some());
    let (status, html) = attempt_body(&browser, &html, "+79001110005", PASSWORD).await;
    assert_eq!(status, 403, "node 2 honours the lock set on node 1");
    assert!(html.contains("Вход по паролю временно заблокирован"));
}

#[tokio::test]
async fn too_many_authentication_requests_from_one_ip_get_429() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.login.rate_per_minute = 1;
        config.login.rate_burst = 2;
        let t = TestServer::start_with(&backend, config).await;
        let browser = Browser::new(&t.base);
        let page = login_page(&browser).await;
        for _ in 0..2 {
            let (status, _) = attempt_body(&browser, &page, "+79990000001", WRONG).await;
            assert_eq!(status, 401);
        }
        let (status, html) = attempt_body(&browser, &page, "+79990000001", WRONG).await;
        assert_eq!(status, 429, "{}", backend.name());
        assert!(html.contains("Слишком много запросов"));
        // Pages themselves are not limited.
        login_page(&browser).await;
    }
}

#[tokio::test]
async fn the_page_script_finds_a_solution_the_server_accepts() {
    // The solver the browser runs (static/pow.js, fetched as served) under node, as CI has it.
    let t = TestServer::start(&Backend::Sqlite).await;
    t.add_person("+79001110006").await;
    let browser = Browser::new(&t.base);
    let mut page = login_page(&browser).await;
    for _ in 0..3 {
        page = attempt_body(&browser, &page, "+79001110006", WRONG).await.1;
    }
    let challenge = challenge_of(&page).expect("challenge after 3 failures");
    let res = browser.get("/static/pow.js").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    let script = std::env::temp_dir().join(format!("vhod-pow-{}.js", uuid::Uuid::now_v7()));
    std::fs::write(&script, res.text().await.unwrap()).unwrap();
    let out = std::process::Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/js/pow_harness.js"
        ))
        .arg(&script)
        .arg(&challenge)
        .output()
        .expect("node runs (CI needs it anyway)");
    let _ = std::fs::remove_file(&script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let solution = String::from_utf8(out.stdout).unwrap();
    assert!(challenge::leading_zero_bits(&challenge, &solution) >= 16);
    let res = browser
        .submit(
            &page,
            "/login",
            &[
                ("login", "+79001110006"),
                ("password", PASSWORD),
                ("pow_solution", &solution),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        303,
        "the script's solution signs the person in"
    );
}

#[tokio::test]
async fn a_completed_password_recovery_lifts_the_lock() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001110007").await;
        let browser = Browser::new(&t.base);
        let page = fail_ten_times(&browser, "+79001110007").await;
        let (status, _) = attempt_body(&browser, &page, "+79001110007", PASSWORD).await;
        assert_eq!(status, 403);

        // «Восстановить пароль» by a code to the phone.
        let page = match browser.follow("/recover").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let page = match browser
            .submit_follow(&page, "/recover", &[("login", "+79001110007")])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let msg = t.last_message("+79001110007").await;
        let code: String = msg["body"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
            .find(|w| w.len() == 6)
            .expect("a recovery code")
            .to_string();
        let page = match browser
            .submit_follow(&page, "/recover/code", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let new_password = "Novyi-Parol-2026!";
        match browser
            .submit_follow(
                &page,
                "/recover/password",
                &[("password", new_password), ("password2", new_password)],
            )
            .await
        {
            Landing::Page(200, _) => {}
            other => panic!("{other:?}"),
        }
        // No 30-minute wait: the new password signs in at once.
        let (status, html) = attempt_solved_body(&browser, "+79001110007", new_password).await;
        assert_eq!(status, 303, "{}: {html}", backend.name());
    }
}
