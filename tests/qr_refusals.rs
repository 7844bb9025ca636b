//! «Войти по QR-коду»: every refusal. An expired code, a reused one, another browser holding the
//! photographed code, an approval nobody asked for, the wrong matching number, a wrong password,
//! «Это не я», a phone that is not signed in, and a portal that needs more than a password.

mod common;
#[path = "common/passkey_device.rs"]
mod passkey_device;
#[path = "qr/support.rs"]
mod qr;

use common::login::fresh_signed_in;
use common::*;
use qr::*;

#[tokio::test]
async fn an_expired_code_cannot_be_approved_or_finished() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230101").await;
        let phone = fresh_signed_in(&t.base, "89001230101").await;
        let desktop = Browser::new(&t.base);
        let page = start(&desktop, "").await;
        t.app.clock.advance(121);
        let res = phone.get(&format!("/qr?code={}", page.code)).await;
        assert_eq!(res.status(), 404, "{}", backend.name());
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Такого запроса на вход нет")
        );
        assert_eq!(status(&desktop).await, "gone");
        let res = finish(&desktop, &page).await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Время на подтверждение вышло")
        );
    }
}

#[tokio::test]
async fn a_code_signs_in_once_and_is_then_used_up() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230102").await;
        let phone = fresh_signed_in(&t.base, "89001230102").await;
        let desktop = Browser::new(&t.base);
        let page = start(&desktop, "").await;
        let (s, _) = approve_with_password(&phone, &page.code, &page.number, None).await;
        assert_eq!(s, 200);
        // A second approval of the same request is refused.
        let html = phone_page(&phone, &page.code).await;
        let res = phone
            .submit(
                &html,
                "/qr/approve",
                &[("number", &page.number), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 409, "{}", backend.name());
        assert_eq!(finish(&desktop, &page).await.status(), 303);
        // Finishing again (the form resent) and approving again find nothing.
        let again = finish(&desktop, &page).await;
        assert_eq!(again.status(), 400);
        let res = phone.get(&format!("/qr?code={}", page.code)).await;
        assert_eq!(res.status(), 404);
    }
}

#[tokio::test]
async fn a_photographed_code_is_no_use_to_another_browser() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230103").await;
        let phone = fresh_signed_in(&t.base, "89001230103").await;
        let desktop = Browser::new(&t.base);
        let page = start(&desktop, "").await;
        let (s, _) = approve_with_password(&phone, &page.code, &page.number, None).await;
        assert_eq!(s, 200);
        // Another browser with the same page (code, number, its own CSRF cookie) cannot finish.
        let thief = Browser::new(&t.base);
        let own = start(&thief, "").await;
        assert_ne!(own.code, page.code);
        let res = thief.submit(&own.html, "/login/qr/finish", &[]).await;
        assert_eq!(res.status(), 303, "its own request is merely pending");
        assert!(location(&res).unwrap().starts_with("/login/qr"));
        let stranger = Browser::new(&t.base);
        let login = stranger.get("/login").await.text().await.unwrap();
        let res = stranger.submit(&login, "/login/qr/finish", &[]).await;
        assert_eq!(res.status(), 400, "{}", backend.name());
        assert_eq!(
            stranger.get("/account").await.status(),
            303,
            "not signed in"
        );
        // The right browser still can.
        assert_eq!(finish(&desktop, &page).await.status(), 303);
        assert_eq!(desktop.get("/account").await.status(), 200);
    }
}

#[tokio::test]
async fn an_approval_nobody_asked_for_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230104").await;
        let phone = fresh_signed_in(&t.base, "89001230104").await;
        let html = phone.get("/qr").await.text().await.unwrap();
        assert!(html.contains("Код с экрана компьютера"), "{html}");
        // A form of a real request, sent with a code nobody asked with.
        let desktop = Browser::new(&t.base);
        let page = start(&desktop, "").await;
        let html = phone_page(&phone, &page.code).await;
        let res = phone
            .submit(
                &html,
                "/qr/approve",
                &[
                    ("code", "ABCDEFGH"),
                    ("number", "42"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), 404, "{}", backend.name());
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Такого запроса на вход нет")
        );
        let res = phone.get("/qr?code=ABCD-EFGH").await;
        assert_eq!(res.status(), 404);
        // Without a session on the phone there is nothing to approve with.
        let anonymous = Browser::new(&t.base);
        let res = anonymous.get(&format!("/qr?code={}", page.code)).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res).as_deref(), Some("/login"));
        assert_eq!(status(&desktop).await, "pending");
    }
}

#[tokio::test]
async fn the_wrong_number_cancels_the_request() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230105").await;
        let phone = fresh_signed_in(&t.base, "89001230105").await;
        let desktop = Browser::new(&t.base);
        let page = start(&desktop, "").await;
        let html = phone_page(&phone, &page.code).await;
        let wrong = wrong_number(&html, &page.number);
        let (s, body) = approve_with_password(&phone, &page.code, &wrong, None).await;
        assert_eq!(s, 400, "{}", backend.name());
        assert!(body.contains("Выбрано не то число"), "{body}");
        assert_eq!(status(&desktop).await, "gone");
        // The right number afterwards is too late: the request is gone.
        let res = phone.get(&format!("/qr?code={}", page.code)).await;
        assert_eq!(res.status(), 404);
        assert_eq!(finish(&desktop, &page).await.status(), 400);
    }
}

#[tokio::test]
async fn a_wrong_password_on_the_phone_approves_nothing_and_counts_as_a_failure() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230106").await;
        let phone = fresh_signed_in(&t.base, "89001230106").await;
        let desktop = Browser::new(&t.base);
        let page = start(&desktop, "").await;
        let html = phone_page(&phone, &page.code).await;
        let res = phone
            .submit(
                &html,
                "/qr/approve",
                &[("number", &page.number), ("password", "wrong-password")],
            )
            .await;
        assert_eq!(res.status(), 401, "{}", backend.name());
        assert!(res.text().await.unwrap().contains("Неверный пароль."));
        assert_eq!(status(&desktop).await, "pending");
        let security = phone.get("/account/security").await.text().await.unwrap();
        // «Последние действия»: the wrong password is there like a failed login.
        let failed = security
            .split("<tr class=\"event\">")
            .skip(1)
            .any(|row| row.contains("Ошибка"));
        assert!(failed, "{security}");
    }
}

#[tokio::test]
async fn not_me_ends_the_request() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79001230107").await;
        let phone = fresh_signed_in(&t.base, "89001230107").await;
        let desktop = Browser::new(&t.base);
        let page = start(&desktop, "").await;
        let html = phone_page(&phone, &page.code).await;
        let deny_form = html.split("action=\"/qr/deny\"").nth(1).unwrap();
        let res = phone.submit(deny_form, "/qr/deny", &[]).await;
        assert_eq!(res.status(), 200, "{}", backend.name());
        assert!(res.text().await.unwrap().contains("Вход отклонён"));
        assert_eq!(status(&desktop).await, "gone");
        let audit = t.app.store.audit_since(0).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "login.qr_denied"));
    }
}

#[tokio::test]
async fn a_portal_needing_substantial_assurance_refuses_a_password_only_approval() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, _) = t.add_client(REDIRECT, false).await;
        t.add_person("qr-acr@example.org").await;
        let phone = fresh_signed_in(&t.base, "qr-acr@example.org").await;
        let desktop = Browser::new(&t.base);
        let (_, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("acr_values", "urn:vhod:acr:substantial"),
            ],
        );
        let login = location(&desktop.get(&url).await).unwrap();
        let tx = query_param(&format!("{}{login}", t.base), "tx").unwrap();
        let page = start(&desktop, &format!("?tx={tx}")).await;
        let (s, body) = approve_with_password(&phone, &page.code, &page.number, None).await;
        assert_eq!(s, 403, "{} {body}", backend.name());
        assert!(body.contains("используйте ключ доступа"), "{body}");
        assert_eq!(status(&desktop).await, "pending");
        // A passkey does.
        let mut passkey = Passkey::new(&t.issuer());
        passkey.enrol(&phone).await;
        let (s, body) = passkey.approve(&phone, &page.code, &page.number).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(status(&desktop).await, "approved");
    }
}
