use super::*;

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
