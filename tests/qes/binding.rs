use super::*;

#[tokio::test]
async fn binding_needs_fresh_login_and_code_then_signature_login_works() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 10);
        // Not enabled yet: the SNILS matches but no certificate is bound.
        let res = f
            .signature_login(&Browser::new(&f.t.base), None, &person, str::to_string)
            .await;
        refused(res, 401, "Вход с электронной подписью не включён").await;

        let b = f.password_login().await;
        // A wrong code costs an attempt and says so.
        let (status, page) = f.start_binding(&b, &person).await;
        assert_eq!(status, 303, "{page}");
        assert!(page.contains("Код отправлен на"), "{page}");
        let code = code_in(&f.t.last_message(EMAIL).await);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let res = b
            .submit(&page, "/account/signature/confirm", &[("code", wrong)])
            .await;
        refused(res, 401, "Неверный код").await;
        match b
            .submit_follow(&page, "/account/signature/confirm", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => {
                assert!(html.contains("Сертификат привязан"), "{html}");
                assert!(html.contains("Test Issuing CA"), "{html}");
            }
            other => panic!("binding not confirmed: {other:?}"),
        }
        let notice = f.t.last_message(EMAIL).await;
        assert!(
            notice["body"]
                .as_str()
                .unwrap()
                .contains("привязан сертификат электронной подписи"),
            "{notice}"
        );
        let bound = f.t.app.store.qes_certificates(&f.account).await.unwrap();
        assert_eq!(bound.len(), 1);
        assert_eq!(bound[0].snils, "11223344595");
        assert_eq!(bound[0].serial, "0a");
        let audit = f.t.app.store.audit_since(0).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "qes.certificate_bound" && e.target == f.account),
            "binding is audited"
        );
        // The settings page is for signed-in people only.
        let res = Browser::new(&f.t.base).get("/account/signature").await;
        assert_eq!(location(&res).as_deref(), Some("/login"));

        // Signature login now starts a session and lands on the account page.
        let fresh = Browser::new(&f.t.base);
        let res = f
            .signature_login(&fresh, None, &person, str::to_string)
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
        let Landing::Page(200, html) = fresh.follow("/account").await else {
            panic!("no account page after signature login");
        };
        assert!(html.contains("Иванов Иван"), "{html}");
        // A signature session lasts qes.session_ttl (an hour), far less than a password session.
        f.t.app.clock.advance(f.t.app.config.qes.session_ttl + 1);
        let res = fresh.get("/account").await;
        assert_eq!(location(&res).as_deref(), Some("/login"));
        let Landing::Page(200, _) = b.follow("/account").await else {
            panic!("the password session (8 hours) is still alive");
        };

        // More than five minutes after the password login, binding asks for a new login.
        let Landing::Page(200, page) = b.follow("/account/signature").await else {
            panic!("no settings page");
        };
        assert!(page.contains("войдите заново"), "{page}");
        let res = b
            .post(
                "/account/signature/bind",
                &[
                    ("csrf", &field(&page, "csrf")),
                    ("challenge", "x"),
                    ("signature", "x"),
                ],
            )
            .await;
        refused(res, 403, "не более 5 минут назад").await;
    }
}

#[tokio::test]
async fn five_wrong_codes_end_the_binding() {
    for backend in backends() {
        let f = setup(&backend).await;
        let b = f.password_login().await;
        let (_, page) = f.start_binding(&b, &f.person(SNILS, 11)).await;
        let code = code_in(&f.t.last_message(EMAIL).await);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            let res = b
                .submit(&page, "/account/signature/confirm", &[("code", wrong)])
                .await;
            refused(res, 401, "Неверный код").await;
        }
        let res = b
            .submit(&page, "/account/signature/confirm", &[("code", wrong)])
            .await;
        refused(res, 429, "Слишком много неверных кодов").await;
        // Even the right code is too late now.
        let res = b
            .submit(&page, "/account/signature/confirm", &[("code", &code)])
            .await;
        refused(res, 400, "Начните привязку заново").await;
        assert!(
            f.t.app
                .store
                .qes_certificates(&f.account)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn binding_refuses_a_certificate_with_another_snils() {
    for backend in backends() {
        let f = setup(&backend).await;
        let b = f.password_login().await;
        let (status, html) = f.start_binding(&b, &f.person(OTHER_SNILS, 12)).await;
        assert_eq!(status, 400);
        assert!(
            html.contains("не совпадает со СНИЛС учётной записи"),
            "{html}"
        );
        // Revoked certificates cannot be bound either.
        let (status, html) = f.start_binding(&b, &f.person(SNILS, 66)).await;
        assert_eq!(status, 401);
        assert!(html.contains("Сертификат отозван"), "{html}");
        assert!(
            f.t.app
                .store
                .qes_certificates(&f.account)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn portal_sees_acr_high_and_signature_amr_in_the_id_token() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 13);
        f.bind(&person).await;
        f.t.app
            .store
            .set_level(&f.account, "standard")
            .await
            .unwrap();
        let (client_id, secret) = f.t.add_client(REDIRECT, false).await;
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &f.t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("nonce", "n-qes"),
            ],
        );
        let b = Browser::new(&f.t.base);
        let Landing::Page(200, login) = b.follow(&url).await else {
            panic!("no login page");
        };
        assert!(login.contains("Войти с электронной подписью"), "{login}");
        let tx = field(&login, "tx");
        let res = f
            .signature_login(&b, Some(&tx), &person, str::to_string)
            .await;
        let next = location(&res).expect("redirect after signature login");
        let back = match b.follow(&next).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match b
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent did not redirect: {other:?}"),
                }
            }
            other => panic!("no redirect to the portal: {other:?}"),
        };
        let code = query_param(&back, "code").expect("code");
        let (status, tokens) = redeem(&f.t, &client_id, &secret.unwrap(), &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(claims["acr"], vhod::authn::ACR_HIGH);
        let amr: Vec<&str> = claims["amr"]
            .as_array()
            .expect("amr")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(amr, ["sc", "pin"]);
        // The signature also confirmed the standard account, and the portal is told how.
        assert_eq!(claims["account_level"], "confirmed");
        assert_eq!(claims["account_level_method"], "qes");
    }
}

#[tokio::test]
async fn signature_login_raises_a_standard_account_to_confirmed() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 14);
        f.bind(&person).await;
        f.t.app
            .store
            .set_level(&f.account, "standard")
            .await
            .unwrap();
        let b = Browser::new(&f.t.base);
        let res = f.signature_login(&b, None, &person, str::to_string).await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
        let account = f.t.app.store.account(&f.account).await.unwrap().unwrap();
        assert_eq!(account.level, "confirmed");
        let events = f.t.app.store.level_events(&f.account).await.unwrap();
        let raise = events
            .iter()
            .find(|e| e.level == "confirmed")
            .expect("level history records the raise");
        assert_eq!(raise.method, "qes");
        assert!(
            raise.evidence.contains("qes certificate"),
            "{}",
            raise.evidence
        );
        let Landing::Page(200, html) = b.follow("/account").await else {
            panic!("no account page");
        };
        assert!(html.contains("Подтверждённая"), "{html}");
        // A simplified account is not raised by a signature alone.
        f.t.app
            .store
            .set_level(&f.account, "simplified")
            .await
            .unwrap();
        let res = f
            .signature_login(&Browser::new(&f.t.base), None, &person, str::to_string)
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
        let account = f.t.app.store.account(&f.account).await.unwrap().unwrap();
        assert_eq!(account.level, "simplified");
    }
}
