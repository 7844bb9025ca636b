//! The whole sign-in as a portal sees it, with the `openidconnect` crate as the relying party.

mod common;

use common::*;
use openidconnect::core::{CoreAuthenticationFlow, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope,
    TokenResponse,
};

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

#[tokio::test]
async fn discovery_and_jwks_describe_the_provider() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let d: serde_json::Value = reqwest::get(format!("{}/.well-known/openid-configuration", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["issuer"], t.issuer());
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(d["authorization_response_iss_parameter_supported"], true);
    assert!(
        d["id_token_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .contains(&"RS256".into())
    );
    let jwks: serde_json::Value = reqwest::get(d["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let kids: std::collections::HashSet<_> =
        keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids.len(), 2, "distinct kids");
    for k in keys {
        assert!(
            k.get("d").is_none() && k.get("p").is_none(),
            "no private parts in JWKS"
        );
    }
}

#[tokio::test]
async fn es256_client_gets_es256_id_tokens_that_an_rp_verifies() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (c, secret) = vhod::clients::register(
            &t.app.store,
            vhod::clients::NewClient {
                name: "ES256 portal".into(),
                redirect_uris: vec![REDIRECT.to_string()],
                id_token_alg: vhod::crypto::keyring::SigningAlg::Es256,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        t.add_person("es@example.org").await;
        let rp = t.rp(&c.id, secret.as_deref(), REDIRECT).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce) = rp
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .url();
        let back = Browser::new(&t.base)
            .authorize_and_login(auth_url.as_str(), "es@example.org", PASSWORD)
            .await;
        let tokens = rp
            .client
            .exchange_code(AuthorizationCode::new(query_param(&back, "code").unwrap()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&rp.http)
            .await
            .unwrap();
        let id_token = tokens.id_token().unwrap();
        assert_eq!(
            *id_token.signing_alg().unwrap(),
            openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256
        );
        let verifier = rp.client.id_token_verifier().set_allowed_algs(vec![
            openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        ]);
        id_token
            .claims(&verifier, &nonce)
            .expect("ES256 ID token verifies against the JWKS");
    }
}

#[tokio::test]
async fn prompt_consent_asks_again_and_max_age_forces_a_fresh_login() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, _) = t.add_client(REDIRECT, false).await;
        t.add_person("again@example.org").await;
        let browser = Browser::new(&t.base);
        obtain_code(&t, &browser, &client_id, "again@example.org").await;
        let (_, c) = pkce_pair();
        let pkce = [
            ("code_challenge", c.as_str()),
            ("code_challenge_method", "S256"),
        ];
        // Remembered consent: straight back to the portal.
        match browser
            .follow(&authorize_url(&t.base, &client_id, REDIRECT, &pkce))
            .await
        {
            Landing::Left(u) => assert!(query_param(&u, "code").is_some()),
            other => panic!("{other:?}"),
        }
        // prompt=consent: the consent page again.
        let with_consent = [pkce[0], pkce[1], ("prompt", "consent")];
        match browser
            .follow(&authorize_url(&t.base, &client_id, REDIRECT, &with_consent))
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("name=\"decision\"")),
            other => panic!("{other:?}"),
        }
        // max_age shorter than the session's age: the login form, not a silent code.
        t.app.clock.advance(120);
        let with_max_age = [pkce[0], pkce[1], ("max_age", "60")];
        match browser
            .follow(&authorize_url(&t.base, &client_id, REDIRECT, &with_max_age))
            .await
        {
            Landing::Page(200, html) => {
                assert!(html.contains("name=\"password\""), "{}", backend.name())
            }
            other => panic!("{other:?}"),
        }
        let with_max_age_none = [pkce[0], pkce[1], ("max_age", "60"), ("prompt", "none")];
        match browser
            .follow(&authorize_url(
                &t.base,
                &client_id,
                REDIRECT,
                &with_max_age_none,
            ))
            .await
        {
            Landing::Left(u) => {
                assert_eq!(query_param(&u, "error").as_deref(), Some("login_required"))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn userinfo_accepts_get_and_post_with_header_or_form_token() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client_id, secret) = t.add_client(REDIRECT, false).await;
    t.add_person("+79001112233").await;
    let browser = Browser::new(&t.base);
    let (code, verifier) = obtain_code(&t, &browser, &client_id, "+79001112233").await;
    let (_, tokens) = redeem(&t, &client_id, secret.as_deref().unwrap(), &code, &verifier).await;
    let at = tokens["access_token"].as_str().unwrap();
    let http = no_redirect_client();
    let url = format!("{}/userinfo", t.base);
    let get: serde_json::Value = http
        .get(&url)
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post_header: serde_json::Value = http
        .post(&url)
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post_body: serde_json::Value = http
        .post(&url)
        .form(&[("access_token", at)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(get, post_header);
    assert_eq!(get, post_body);
    assert_eq!(get["given_name"], "Иван");
    assert!(
        get.get("phone_number").is_none(),
        "phone scope was not requested"
    );
    let both = http
        .post(&url)
        .bearer_auth(at)
        .form(&[("access_token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), 400);
    // The access token is an RFC 9068 JWT.
    let header = at.split('.').next().unwrap();
    use base64::Engine;
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["typ"], "at+jwt");
}
