use super::*;

#[tokio::test]
async fn portal_signs_in_a_newly_registered_citizen_with_openidconnect_rp() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let rp = t.rp(&client_id, secret.as_deref(), REDIRECT).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, state, nonce) = rp
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("phone".into()))
            .set_pkce_challenge(challenge)
            .url();

        // The citizen has no account yet: login page → «Зарегистрироваться» → SMS code → password.
        let browser = Browser::new(&t.base);
        let login_page = match browser.follow(auth_url.as_str()).await {
            Landing::Page(200, html) => html,
            other => panic!("{}: expected login page, got {other:?}", backend.name()),
        };
        assert!(login_page.contains("Чужой компьютер"));
        let tx = hidden_fields(&login_page)
            .into_iter()
            .find(|(k, _)| k == "tx")
            .unwrap()
            .1;
        let form = match browser.follow(&format!("/register?tx={tx}")).await {
            Landing::Page(200, html) => html,
            other => panic!("register page: {other:?}"),
        };
        assert!(form.contains("Зарегистрироваться"));
        let confirm = match browser
            .submit_follow(
                &form,
                "/register",
                &[
                    ("surname", "Петрова"),
                    ("name", "Анна"),
                    ("contact", "8 (912) 000-11-22"),
                ],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("confirm page: {other:?}"),
        };
        assert!(
            confirm.contains("+7 (912) ***-**-22"),
            "masked phone shown: {confirm}"
        );
        let sms = t.last_message("+79120001122").await;
        assert_eq!(sms["channel"], "sms");
        let body = sms["body"].as_str().unwrap();
        let code: String = body.chars().filter(char::is_ascii_digit).take(6).collect();
        let password_page = match browser
            .submit_follow(&confirm, "/register/confirm", &[("code", &code)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("password page: {other:?}"),
        };
        let consent = match browser
            .submit_follow(
                &password_page,
                "/register/password",
                &[("password", PASSWORD), ("password2", PASSWORD)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("consent page: {other:?}"),
        };
        assert!(consent.contains("Разрешение доступа к персональным данным"));
        assert!(consent.contains("Номер мобильного телефона"));
        let back = match browser
            .submit_follow(&consent, "/consent", &[("decision", "allow")])
            .await
        {
            Landing::Left(url) => url,
            other => panic!("consent must redirect to the portal: {other:?}"),
        };
        assert!(back.starts_with(REDIRECT));
        assert_eq!(
            query_param(&back, "state").as_deref(),
            Some(state.secret().as_str())
        );
        assert_eq!(query_param(&back, "iss"), Some(t.issuer()));
        let code = query_param(&back, "code").unwrap();
        assert!(code.len() >= 43, "256-bit code");

        // Token exchange; the RP verifies the ID token signature via jwks_uri, nonce, at_hash.
        let tokens = rp
            .client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&rp.http)
            .await
            .expect("token exchange");
        let id_token = tokens.id_token().expect("id_token");
        let claims = id_token
            .claims(&rp.client.id_token_verifier(), &nonce)
            .expect("valid ID token");
        assert_eq!(claims.issuer().as_str(), t.issuer());
        assert_eq!(claims.audiences()[0].as_str(), client_id);
        assert!(claims.auth_time().is_some());
        assert_eq!(
            claims.auth_context_ref().unwrap().as_str(),
            "urn:vhod:acr:low"
        );
        let amr: Vec<String> = claims
            .auth_method_refs()
            .unwrap()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect();
        assert_eq!(amr, vec!["pwd"]);
        assert_eq!(
            *id_token.signing_alg().unwrap(),
            openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256
        );

        let info: CoreUserInfoClaims = rp
            .client
            .user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            )
            .unwrap()
            .request_async(&rp.http)
            .await
            .expect("userinfo");
        assert_eq!(info.phone_number().unwrap().as_str(), "+79120001122");
        assert_eq!(info.phone_number_verified(), Some(true));
        let family = info
            .family_name()
            .unwrap()
            .get(None)
            .unwrap()
            .as_str()
            .to_string();
        assert_eq!(family, "Петрова");

        // Refresh: a new access token and a rotated refresh token.
        let rt = tokens.refresh_token().expect("refresh token").clone();
        let refreshed = rp
            .client
            .exchange_refresh_token(&rt)
            .unwrap()
            .request_async(&rp.http)
            .await
            .expect("refresh");
        assert_ne!(refreshed.refresh_token().unwrap().secret(), rt.secret());
        assert_ne!(
            refreshed.access_token().secret(),
            tokens.access_token().secret()
        );
        let (status, again) = userinfo(&t, refreshed.access_token().secret()).await;
        assert_eq!(status, 200, "{}", backend.name());
        assert_eq!(again["sub"], claims.subject().as_str());
    }
}

#[tokio::test]
async fn returning_citizen_is_not_asked_for_consent_again_and_prompt_none_is_silent() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        t.add_person("ivanov@example.org").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "ivanov@example.org").await;
        let (status, first) =
            redeem(&t, &client_id, secret.as_deref().unwrap(), &code, &verifier).await;
        assert_eq!(status, 200);

        let (v2, c2) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &c2),
                ("code_challenge_method", "S256"),
                ("prompt", "none"),
            ],
        );
        let back = match browser.follow(&url).await {
            Landing::Left(u) => u,
            other => panic!("prompt=none with a session must redirect at once: {other:?}"),
        };
        let code2 = query_param(&back, "code").expect("silent code");
        let (status, second) =
            redeem(&t, &client_id, secret.as_deref().unwrap(), &code2, &v2).await;
        assert_eq!(status, 200);
        let claims = id_token_claims;
        assert_eq!(claims(&first)["sub"], claims(&second)["sub"]);
        assert_eq!(claims(&first)["auth_time"], claims(&second)["auth_time"]);
    }
}

#[tokio::test]
async fn prompt_none_without_session_returns_login_required_to_the_portal() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, _) = t.add_client(REDIRECT, false).await;
        let (_, c) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &c),
                ("code_challenge_method", "S256"),
                ("prompt", "none"),
            ],
        );
        let back = match Browser::new(&t.base).follow(&url).await {
            Landing::Left(u) => u,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("login_required")
        );
        assert_eq!(query_param(&back, "state").as_deref(), Some("st-123"));
        assert_eq!(query_param(&back, "iss"), Some(t.issuer()));
        assert!(query_param(&back, "code").is_none());
    }
}

#[tokio::test]
async fn prompt_login_forces_a_new_password_entry_and_a_later_auth_time() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        t.add_person("+79001234567").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "+7 900 123-45-67").await;
        let (_, first) = redeem(&t, &client_id, secret.as_deref().unwrap(), &code, &verifier).await;
        assert!(first["id_token"].is_string());
        t.app.clock.advance(5);
        let (v2, c2) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &c2),
                ("code_challenge_method", "S256"),
                ("prompt", "login"),
            ],
        );
        let html = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("prompt=login must show the login form: {other:?}"),
        };
        assert!(html.contains("name=\"password\""));
        let back = match browser
            .submit_follow(
                &html,
                "/login",
                &[("login", "+79001234567"), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Left(u) => u,
            other => panic!("{other:?}"),
        };
        let code2 = query_param(&back, "code").unwrap();
        let (_, second) = redeem(&t, &client_id, secret.as_deref().unwrap(), &code2, &v2).await;
        let auth_time = |v: &serde_json::Value| id_token_claims(v)["auth_time"].as_i64().unwrap();
        assert!(auth_time(&second) > auth_time(&first), "{}", backend.name());
    }
}
