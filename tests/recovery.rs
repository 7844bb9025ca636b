//! «Восстановить пароль»: by phone code, e-mail link, SNILS or passport plus a code to a confirmed
//! contact; ends every session and notifies; the same answer whether or not the account exists.

mod common;

use common::login::fresh_login_linking_recovery;
use common::*;

const NEW_PASSWORD: &str = "Novyi-Parol-2026!";

async fn start(b: &Browser, fields: &[(&str, &str)]) -> (u16, String) {
    let page = match b.follow("/recover").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    match b.submit_follow(&page, "/recover", fields).await {
        Landing::Page(status, html) => (status, html),
        other => panic!("{other:?}"),
    }
}

fn code_in(message: &serde_json::Value) -> String {
    let body = message["body"].as_str().unwrap();
    body.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_phone_code_resets_the_password_ends_other_sessions_and_notifies() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79005550001").await;
        let (status, elsewhere) =
            fresh_login_linking_recovery(&t.base, "+79005550001", PASSWORD).await;
        assert_eq!(status, 303);
        let b = Browser::new(&t.base);
        let (status, page) = start(&b, &[("login", "8 (900) 555-00-01")]).await;
        assert_eq!(status, 200);
        assert!(page.contains("Если учётная запись найдена"), "{page}");
        let code = code_in(&t.last_message("+79005550001").await);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let res = b.submit(&page, "/recover/code", &[("code", wrong)]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Неверный код"));
        let page = match b
            .submit_follow(&page, "/recover/code", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(page.contains("name=\"password2\""), "{page}");
        let res = b
            .submit(
                &page,
                "/recover/password",
                &[("password", "short"), ("password2", "short")],
            )
            .await;
        assert_eq!(res.status(), 400, "the password policy applies");
        let done = b
            .submit_follow(
                &page,
                "/recover/password",
                &[("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)],
            )
            .await;
        match done {
            Landing::Page(200, html) => assert!(html.contains("Пароль изменён"), "{html}"),
            other => panic!("{other:?}"),
        }
        // The other browser's session has ended; the old password no longer works.
        assert!(matches!(
            elsewhere.get("/account").await.status().as_u16(),
            303
        ));
        assert_eq!(
            fresh_login_linking_recovery(&t.base, "+79005550001", PASSWORD)
                .await
                .0,
            401
        );
        assert_eq!(
            fresh_login_linking_recovery(&t.base, "+79005550001", NEW_PASSWORD)
                .await
                .0,
            303
        );
        let msg = t.last_message("+79005550001").await;
        assert!(
            msg["body"]
                .as_str()
                .unwrap()
                .contains("Пароль учётной записи восстановлен")
        );
        // The recovery cannot be replayed.
        let res = b
            .submit(
                &page,
                "/recover/password",
                &[("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 400, "{}", backend.name());
    }
}

#[tokio::test]
async fn an_email_link_resets_the_password() {
    let t = TestServer::start(&Backend::Sqlite).await;
    t.add_person("reset@example.org").await;
    let b = Browser::new(&t.base);
    let (status, _) = start(&b, &[("login", "Reset@Example.org")]).await;
    assert_eq!(status, 200);
    let body = t.last_message("reset@example.org").await["body"]
        .as_str()
        .unwrap()
        .to_string();
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/recover/link?"))
        .unwrap();
    let page = match b.follow(link).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let done = b
        .submit_follow(
            &page,
            "/recover/password",
            &[("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)],
        )
        .await;
    assert!(matches!(done, Landing::Page(200, _)));
    assert_eq!(
        fresh_login_linking_recovery(&t.base, "reset@example.org", NEW_PASSWORD)
            .await
            .0,
        303
    );
    // A tampered link is refused.
    let (_, _) = start(&b, &[("login", "reset@example.org")]).await;
    let body = t.last_message("reset@example.org").await["body"]
        .as_str()
        .unwrap()
        .to_string();
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/recover/link?"))
        .unwrap();
    match b.follow(&format!("{link}x")).await {
        Landing::Page(400, html) => assert!(html.contains("Неверный код")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_login_gets_the_same_answer_and_no_code_ever_works() {
    let t = TestServer::start(&Backend::Sqlite).await;
    t.add_person("+79005550002").await;
    let b = Browser::new(&t.base);
    let (s1, known) = start(&b, &[("login", "+79005550002")]).await;
    let (s2, unknown) = start(&b, &[("login", "+79005550999")]).await;
    assert_eq!(s1, s2);
    let strip = |html: &str| {
        html.lines()
            // The csrf token, the recovery id and the switcher's way back (which names the id)
            // differ per request.
            .filter(|l| {
                !l.contains("name=\"csrf\"")
                    && !l.contains("name=\"rid\"")
                    && !l.contains("/lang?to=")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&known), strip(&unknown), "no account enumeration");
    let outbox: serde_json::Value = reqwest::get(format!(
        "{}/dev/outbox?format=json&to=%2B79005550999",
        t.base
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        outbox.as_array().unwrap().len(),
        0,
        "nothing is sent to nobody"
    );
    for _ in 0..4 {
        let res = b
            .submit(&unknown, "/recover/code", &[("code", "123456")])
            .await;
        assert!(res.text().await.unwrap().contains("Неверный код"));
    }
    let res = b
        .submit(&unknown, "/recover/code", &[("code", "123456")])
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Слишком много неверных попыток")
    );
    let (status, page) = start(&b, &[("login", "not a login")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("Укажите телефон, почту, СНИЛС"));
}
