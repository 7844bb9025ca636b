//! «Просмотр последних действий» lists security changes beside the sign-ins — password, second
//! factors, the authenticator app, passkeys, recovery codes, a new device, a contact — in Russian
//! and English; with nothing to list it says so in a sentence instead of an empty table.

mod common;

use common::login::password_login;
use common::*;
use vhod::authn::session::{self, Authenticated};
use vhod::authn::{ACR_SUBSTANTIAL, factor_settings, totp, webauthn};
use vhod::store::passkeys::NewPasskey;
use vhod::types::AccountId;

/// The security page of the session `sid` in `lang`.
async fn security_page(t: &TestServer, sid: &str, lang: &str) -> String {
    let res = no_redirect_client()
        .get(format!("{}/account/security?lang={lang}", t.base))
        .header("cookie", format!("{}={sid}", session::COOKIE))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// The history part of the page (from its heading on).
fn history(page: &str) -> &str {
    let at = page
        .find("<h2>Просмотр последних действий")
        .or_else(|| page.find("<h2>Recent activity"))
        .expect("the history heading");
    &page[at..]
}

#[tokio::test]
async fn recent_actions_list_every_kind_of_security_change_in_both_languages() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let login = "+79005550301";
        let account = AccountId::from(t.add_person(login).await.as_str());
        let (sid, row) = session::start(
            &t.app,
            Authenticated {
                account_id: &account,
                acr: ACR_SUBSTANTIAL,
                amr: &["pwd", "otp"],
                persistent: true,
                user_agent: "test",
                ip: "127.0.0.1",
            },
        )
        .await
        .unwrap();

        // Nothing yet: a sentence, not a table with only its header.
        for (lang, sentence) in [("ru", "Пока здесь ничего нет"), ("en", "Nothing here yet")]
        {
            let page = security_page(&t, &sid, lang).await;
            let h = history(&page);
            assert!(
                h.contains("id=\"history-none\"") && h.contains(sentence),
                "{h}"
            );
            assert!(
                !h.contains("<table class=\"history\""),
                "{}",
                backend.name()
            );
        }

        // The authenticator app, recovery codes renewed and one spent, the app removed.
        totp::start_enrolment(&t.app, &account, "label")
            .await
            .unwrap();
        let secret = totp::pending_enrolment(&t.app, &account)
            .await
            .unwrap()
            .unwrap();
        let base32 = totp_rs::Secret::new(secret.into_boxed_slice()).to_base32();
        let code = totp::code_at(&base32, t.app.clock.now()).unwrap();
        totp::confirm_enrolment(&t.app, &account, &code)
            .await
            .unwrap();
        let codes = totp::new_recovery_codes(&t.app, &account).await.unwrap();
        totp::use_recovery_code(&t.app, &account, &codes[0])
            .await
            .unwrap();
        factor_settings::remove_totp(&t.app, &row).await.unwrap();
        // SMS two-step sign-in on and off.
        factor_settings::set_sms_two_step(&t.app, &row, true)
            .await
            .unwrap();
        factor_settings::set_sms_two_step(&t.app, &row, false)
            .await
            .unwrap();
        // A passkey added (as enrolment stores it), renamed, removed.
        let pk = t
            .app
            .store
            .add_passkey(NewPasskey {
                account_id: &account,
                cred_id: "cred-1",
                user_handle: "handle-1",
                name: "Ноутбук",
                passkey: "{}",
                counter: 0,
            })
            .await
            .unwrap();
        vhod::authn::security_events::record(
            &t.app,
            &account,
            vhod::authn::security_events::Kind::PasskeyAdded,
            &pk.name,
        )
        .await
        .unwrap();
        assert!(
            webauthn::rename(&t.app, &account, &pk.id, "Рабочий ноутбук")
                .await
                .unwrap()
        );
        assert!(webauthn::remove(&t.app, &account, &pk.id).await.unwrap());
        // A contact changed (code to the new address).
        vhod::identity::contacts::start(&t.app, &account, "new-owner@example.org", "127.0.0.1")
            .await
            .unwrap();
        let body = t.last_message("new-owner@example.org").await["body"]
            .as_str()
            .unwrap()
            .to_string();
        let code = body
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap()
            .to_string();
        vhod::identity::contacts::confirm(&t.app, &account, &code)
            .await
            .unwrap();
        // A sign-in from a device never seen: the sign-in and the new device.
        let b = Browser::new(&t.base);
        let (status, _) = password_login(&b, login, PASSWORD).await;
        assert_eq!(status, 303);

        let ru = security_page(&t, &sid, "ru").await;
        let ru = history(&ru);
        for text in [
            "Приложение-аутентификатор подключено",
            "Выпущены новые резервные коды",
            "Использован резервный код",
            "Приложение-аутентификатор отключено",
            "Вход с подтверждением по SMS включён",
            "Вход с подтверждением по SMS выключен",
            "Ключ доступа добавлен: Ноутбук",
            "Ключ доступа переименован: Рабочий ноутбук",
            "Ключ доступа удалён: Рабочий ноутбук",
            "Контакт изменён: n***@example.org",
            "Вход с нового устройства",
            "Вход: Пароль",
        ] {
            assert!(ru.contains(text), "{}: «{text}» in {ru}", backend.name());
        }
        assert!(!ru.contains("id=\"history-none\""));
        let en = security_page(&t, &sid, "en").await;
        let en = history(&en);
        for text in [
            "Authenticator app connected",
            "New recovery codes issued",
            "Recovery code used",
            "Authenticator app removed",
            "Two-step sign-in by SMS turned on",
            "Two-step sign-in by SMS turned off",
            "Passkey renamed: Рабочий ноутбук",
            "Passkey removed",
            "Contact changed",
            "Sign-in from a new device",
            "Sign-in: ",
        ] {
            assert!(en.contains(text), "{}: «{text}» in {en}", backend.name());
        }
    }
}

#[tokio::test]
async fn a_password_reset_appears_in_recent_actions() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let login = "+79005550302";
        t.add_person(login).await;
        let b = Browser::new(&t.base);
        let page = match b.follow("/recover").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let page = match b
            .submit_follow(&page, "/recover", &[("login", login)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let body = t.last_message(login).await["body"]
            .as_str()
            .unwrap()
            .to_string();
        let code = body
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap()
            .to_string();
        let page = match b
            .submit_follow(&page, "/recover/code", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let new_password = "Novyi-Parol-2026!";
        let done = b
            .submit_follow(
                &page,
                "/recover/password",
                &[("password", new_password), ("password2", new_password)],
            )
            .await;
        assert!(matches!(done, Landing::Page(200, _)), "{done:?}");
        let (status, _) = password_login(&b, login, new_password).await;
        assert_eq!(status, 303, "{}", backend.name());
        let page = match b.follow("/account/security").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(history(&page).contains("Пароль изменён"), "{page}");
    }
}
