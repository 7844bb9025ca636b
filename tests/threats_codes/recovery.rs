use super::*;

/// Enrols an authenticator app directly; returns (secret, recovery codes).
pub(crate) async fn enrol_totp(t: &TestServer, account: &str) -> (String, Vec<String>) {
    let account = &vhod::types::AccountId::from(account);
    let e = totp::start_enrolment(&t.app, account, "test")
        .await
        .unwrap();
    let code = totp::code_at(&e.secret_base32, t.app.clock.now()).unwrap();
    let codes = totp::confirm_enrolment(&t.app, account, &code)
        .await
        .unwrap();
    (e.secret_base32, codes)
}

/// Recovery by phone up to the step after the SMS code: (browser, the page, the rid).
pub(crate) async fn recover_by_sms(t: &TestServer, phone: &str) -> (Browser, String) {
    let (_, loc, _, b) = start_recovery(t, phone).await;
    let code_page = page(&b, &loc.unwrap()).await;
    let code = code_in(&outbox(t, phone).await[0]).unwrap();
    let next = match b
        .submit_follow(&code_page, "/recover/code", &[("code", &code)])
        .await
    {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    (b, next)
}

pub(crate) async fn set_password(b: &Browser, html: &str) -> reqwest::Response {
    b.submit(
        html,
        "/recover/password",
        &[("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)],
    )
    .await
}

#[tokio::test]
async fn recovery_with_an_authenticator_app_needs_its_code_or_a_recovery_code() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79120000501";
        let account = t.add_person(phone).await;
        let (secret, codes) = enrol_totp(&t, &account).await;

        // The SMS code alone: the page asks for the app, the password cannot be set.
        let (b, second) = recover_by_sms(&t, phone).await;
        assert!(second.contains("Подтвердите вторым фактором"), "{second}");
        assert!(second.contains("Код из приложения-аутентификатора"));
        assert!(!second.contains("name=\"password2\""));
        let res = set_password(&b, &second).await;
        assert_ne!(res.status(), 303);
        assert_eq!(
            fresh_login_location(&t.base, phone, NEW_PASSWORD).await.0,
            401,
            "{}: the SMS code alone reset nothing",
            backend.name()
        );
        // A wrong app code is refused and counted; the right one leads to the password.
        let res = b
            .submit(
                &second,
                "/recover/second",
                &[("method", "totp"), ("code", "000000")],
            )
            .await;
        assert_eq!(res.status(), 400);
        let next = totp::code_at(&secret, t.app.clock.now() + 30).unwrap();
        let pw = match b
            .submit_follow(
                &second,
                "/recover/second",
                &[("method", "totp"), ("code", &next)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(pw.contains("name=\"password2\""), "{pw}");
        assert_eq!(set_password(&b, &pw).await.status(), 303);
        assert_eq!(
            fresh_login_location(&t.base, phone, NEW_PASSWORD)
                .await
                .1
                .as_deref(),
            Some("/login/second-factor")
        );

        // Once more, with a recovery code instead of the app.
        let (b, second) = recover_by_sms(&t, phone).await;
        let pw = match b
            .submit_follow(
                &second,
                "/recover/second",
                &[("method", "recovery"), ("code", &codes[0])],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(pw.contains("name=\"password2\""), "{pw}");
        let res = b
            .submit(
                &pw,
                "/recover/password",
                &[
                    ("password", "Drugoi-Parol-2027!"),
                    ("password2", "Drugoi-Parol-2027!"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", backend.name());
        assert_eq!(
            fresh_login_location(&t.base, phone, NEW_PASSWORD).await.0,
            401
        );
    }
}

#[tokio::test]
async fn recovery_with_sms_two_step_needs_a_second_independent_channel() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let on = SecurityChoices {
            sms_two_step: true,
            login_alerts: false,
        };
        // With a confirmed e-mail: SMS recovery asks for an e-mail code, never a second SMS.
        let phone = "+79120000601";
        let account = t.add_person(phone).await;
        t.app
            .store
            .replace_contact(&account, "email", "two@example.org")
            .await
            .unwrap();
        t.app
            .store
            .set_security_choices(&account, on)
            .await
            .unwrap();
        let (b, second) = recover_by_sms(&t, phone).await;
        assert!(
            second.contains("на вашу подтверждённую электронную почту"),
            "{second}"
        );
        assert_eq!(
            outbox(&t, phone).await.len(),
            1,
            "no second SMS to the same phone"
        );
        assert_ne!(set_password(&b, &second).await.status(), 303);
        assert_eq!(
            fresh_login_location(&t.base, phone, NEW_PASSWORD).await.0,
            401
        );
        let mail = outbox(&t, "two@example.org").await;
        let code = code_in(&mail[0]).unwrap();
        let pw = match b
            .submit_follow(
                &second,
                "/recover/second",
                &[("method", "code"), ("code", &code)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            set_password(&b, &pw).await.status(),
            303,
            "{}",
            backend.name()
        );

        // By the e-mail link: the SMS code to the two-step phone is the independent second proof.
        let b = Browser::new(&t.base);
        let form = page(&b, "/recover").await;
        b.submit(&form, "/recover", &[("login", "two@example.org")])
            .await;
        let body = outbox(&t, "two@example.org").await[0]["body"]
            .as_str()
            .unwrap()
            .to_string();
        let link = body
            .split_whitespace()
            .find(|w| w.contains("/recover/link?"))
            .unwrap();
        let second = page(&b, link).await;
        assert!(second.contains("Мы отправили код в SMS"), "{second}");
        assert_ne!(set_password(&b, &second).await.status(), 303);
        let sms = outbox(&t, phone).await;
        let code = code_in(&sms[0]).unwrap();
        let pw = match b
            .submit_follow(
                &second,
                "/recover/second",
                &[("method", "code"), ("code", &code)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(pw.contains("name=\"password2\""));

        // Phone only: nothing independent, so the service centre.
        let lone = "+79120000602";
        let account = t.add_person(lone).await;
        t.app
            .store
            .set_security_choices(&account, on)
            .await
            .unwrap();
        let (b, second) = recover_by_sms(&t, lone).await;
        assert!(second.contains("центр обслуживания"), "{second}");
        assert!(!second.contains("name=\"code\""));
        assert_ne!(set_password(&b, &second).await.status(), 303);
        assert_eq!(
            fresh_login_location(&t.base, lone, NEW_PASSWORD).await.0,
            401
        );
    }
}

#[tokio::test]
async fn recovery_second_factor_guesses_burn_the_recovery() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79120000701";
        let account = t.add_person(phone).await;
        let (secret, _) = enrol_totp(&t, &account).await;
        let (b, second) = recover_by_sms(&t, phone).await;
        for n in 1..=5 {
            let res = b
                .submit(
                    &second,
                    "/recover/second",
                    &[("method", "totp"), ("code", "000000")],
                )
                .await;
            assert_eq!(res.status(), 400, "{}", backend.name());
            let html = res.text().await.unwrap();
            let expected = if n < 5 {
                "Неверный код"
            } else {
                "Слишком много неверных попыток"
            };
            assert!(html.contains(expected), "attempt {n}: {html}");
        }
        let next = totp::code_at(&secret, t.app.clock.now() + 30).unwrap();
        let res = b
            .submit(
                &second,
                "/recover/second",
                &[("method", "totp"), ("code", &next)],
            )
            .await;
        assert!(
            location(&res).is_none(),
            "the right code after five wrong ones is refused"
        );
        // Nothing was reset.
        assert_eq!(
            fresh_login_location(&t.base, phone, NEW_PASSWORD).await.0,
            401,
            "nothing was reset"
        );
    }
}

#[tokio::test]
async fn account_page_does_not_list_snils_as_a_contact() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let phone = "+79120000801";
        let account = t.add_person(phone).await;
        t.app
            .store
            .replace_contact(&account, "snils", "11223344595")
            .await
            .unwrap();
        let b = fresh_signed_in(&t.base, phone).await;
        let html = page(&b, "/account").await;
        assert!(html.contains("+7 (912) 000-08-01"), "{html}");
        assert!(!html.contains("11223344595"), "{}: {html}", backend.name());
    }
}
