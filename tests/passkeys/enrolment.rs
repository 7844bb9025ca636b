use super::*;

#[tokio::test]
async fn enrolling_a_passkey_needs_a_login_less_than_five_minutes_old() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("old@example.org").await;
        let browser = Browser::new(&t.base);
        sign_in_303_to_account(&browser, "old@example.org").await;
        let html = page(&browser, "/account").await;
        assert!(
            html.contains("href=\"/account/passkeys\""),
            "account page links to passkeys"
        );
        let html = page(&browser, "/account/passkeys").await;
        let csrf = data_csrf(&html);
        assert!(
            html.contains("id=\"passkey-enrol\""),
            "fresh login: the add form is shown"
        );

        t.app.clock.advance(301);
        let html = page(&browser, "/account/passkeys").await;
        assert!(!html.contains("id=\"passkey-enrol\""), "{}", backend.name());
        assert!(
            html.contains("войдите заново: с момента входа прошло больше 5 минут"),
            "{html}"
        );
        let (status, body) = post_json(
            &browser,
            "/account/passkeys/register/start",
            &json!({ "csrf": csrf }),
        )
        .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"], "login_too_old");
        assert!(body["message"].as_str().unwrap().contains("войдите заново"));

        // Signing in again makes it possible.
        sign_in_303_to_account(&browser, "old@example.org").await;
        let mut device = Device::new(&t.issuer());
        let (status, body) = enrol(&browser, &mut device, "Телефон").await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn enrolment_without_csrf_token_or_session_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let browser = Browser::new(&t.base);
        let html = page(&browser, "/login").await;
        let csrf = hidden_fields(&html)
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .unwrap()
            .1;
        let (status, body) = post_json(
            &browser,
            "/account/passkeys/register/start",
            &json!({ "csrf": csrf }),
        )
        .await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "login_required");
        let (status, body) =
            post_json(&browser, "/login/passkey/start", &json!({ "csrf": "x" })).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"], "csrf");
    }
}

#[tokio::test]
async fn passkey_sign_in_inside_an_authorization_gives_substantial_acr_and_hwk_user_amr() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("pk@example.org").await;
        let browser = Browser::new(&t.base);
        let mut device = Device::new(&t.issuer());

        sign_in_303_to_account(&browser, "pk@example.org").await;
        let (status, body) = enrol(&browser, &mut device, "Мой телефон").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["redirect"], "/account/passkeys?done=added");
        let html = page(&browser, "/account/passkeys?done=added").await;
        assert!(html.contains("Ключ доступа добавлен."));
        assert!(html.contains("Мой телефон"));
        sign_out(&browser).await;

        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("nonce", "n-pk"),
            ],
        );
        let res = browser.get(&url).await;
        let login = location(&res).expect("sent to the login page");
        let tx = query_param(&format!("{}{login}", t.base), "tx").expect("tx");
        let body = sign_in_request(&browser, &mut device, &tx, None).await;
        let (status, done) = post_json(&browser, "/login/passkey/finish", &body).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["redirect"], format!("/authorize/continue?tx={tx}"));
        let back = match browser.follow(done["redirect"].as_str().unwrap()).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match browser
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent: {other:?}"),
                }
            }
            other => panic!("{other:?}"),
        };
        assert!(back.starts_with(REDIRECT), "{back}");
        let code = query_param(&back, "code").unwrap();
        let (status, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(
            claims["acr"],
            "urn:vhod:acr:substantial",
            "{}",
            backend.name()
        );
        assert_eq!(claims["amr"], json!(["hwk", "user"]));

        // The settings page shows when it was last used.
        let html = page(&browser, "/account/passkeys").await;
        assert!(html.contains("последний вход"), "{html}");
    }
}

#[tokio::test]
async fn passkeys_can_be_renamed_and_a_removed_passkey_no_longer_signs_in() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("rm@example.org").await;
        let browser = Browser::new(&t.base);
        let mut device = Device::new(&t.issuer());
        sign_in_303_to_account(&browser, "rm@example.org").await;
        assert_eq!(enrol(&browser, &mut device, "Старый").await.0, 200);
        let told = t.last_message("rm@example.org").await;
        assert!(
            told["body"]
                .as_str()
                .unwrap()
                .contains("Добавлен ключ доступа «Старый»"),
            "the owner is told: {told}"
        );

        let html = page(&browser, "/account/passkeys").await;
        let rename_form = html
            .split("action=\"/account/passkeys/rename\"")
            .nth(1)
            .unwrap()
            .split("</form>")
            .next()
            .unwrap();
        let res = browser
            .submit(
                rename_form,
                "/account/passkeys/rename",
                &[("name", "Новое имя")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let html = page(&browser, &location(&res).unwrap()).await;
        assert!(html.contains("Ключ доступа переименован."));
        assert!(html.contains("Новое имя") && !html.contains("Старый"));

        // Works before removal…
        sign_out(&browser).await;
        assert_eq!(sign_in(&browser, &mut device).await.0, 200);
        assert!(signed_in(&browser).await);

        let html = page(&browser, "/account/passkeys").await;
        let remove_form = html
            .split("action=\"/account/passkeys/remove\"")
            .nth(1)
            .unwrap()
            .split("</form>")
            .next()
            .unwrap();
        let res = browser
            .submit(remove_form, "/account/passkeys/remove", &[])
            .await;
        assert_eq!(res.status(), 303);
        let html = page(&browser, &location(&res).unwrap()).await;
        assert!(html.contains("Ключ доступа удалён."));
        assert!(html.contains("Ключей доступа пока нет."));
        let told = t.last_message("rm@example.org").await;
        assert!(
            told["body"]
                .as_str()
                .unwrap()
                .contains("«Новое имя» удалён"),
            "{told}"
        );

        sign_out(&browser).await;
        let (status, body) = sign_in(&browser, &mut device).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "unknown_passkey", "{}", backend.name());
        assert!(!signed_in(&browser).await);
    }
}
