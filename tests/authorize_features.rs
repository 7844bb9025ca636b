//! Authorization request features: request objects, the claims parameter, id_token_hint, display,
//! acr_values, clients without PKCE.

mod common;

use common::*;
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};
use vhod::clients::{self, NewClient};

fn unsigned(claims: Value) -> String {
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_unsecured(&payload, &JwsHeader::new()).unwrap()
}

/// Follows an authorization URL with a logged-in browser and returns where it lands.
async fn land(browser: &Browser, url: &str) -> Landing {
    browser.follow(url).await
}

async fn logged_in(t: &TestServer, client_id: &str, login: &str) -> Browser {
    let browser = Browser::new(&t.base);
    obtain_code(t, &browser, client_id, login).await;
    browser
}

#[tokio::test]
async fn unsigned_request_object_by_value_is_processed_not_ignored() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        // Unsigned request objects only from a client registered with request_object_signing_alg
        // none (issue 10 #6).
        let (client, secret) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал с неподписанными запросами".into(),
                redirect_uris: vec![REDIRECT.into()],
                request_object_alg: Some("none".into()),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let client_id = client.id;
        t.add_person("ro@example.org").await;
        let browser = logged_in(&t, &client_id, "ro@example.org").await;
        let (verifier, challenge) = pkce_pair();
        let object = unsigned(json!({
            "client_id": client_id, "response_type": "code", "redirect_uri": REDIRECT, "scope": "openid profile",
            "state": "from-object", "nonce": "nonce-from-object", "code_challenge": challenge, "code_challenge_method": "S256",
        }));
        let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", &client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid")
            .append_pair("request", &object);
        let back = match land(&browser, url.as_str()).await {
            Landing::Left(u) => u,
            other => panic!("{other:?}"),
        };
        assert_eq!(query_param(&back, "state").as_deref(), Some("from-object"));
        let (status, tokens) = redeem(
            &t,
            &client_id,
            secret.as_deref().unwrap(),
            &query_param(&back, "code").unwrap(),
            &verifier,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(id_token_claims(&tokens)["nonce"], "nonce-from-object");
    }
}

#[tokio::test]
async fn signed_request_object_by_reference_is_verified_with_the_client_keys() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let kp = RS256.generate_key_pair(2048).unwrap();
    let mut public = kp.to_jwk_public_key();
    public.set_key_id("rp-1");
    // The request object is served by reference from here; the client registers that request_uri.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (client, secret) = clients::register(
        &t.app.store,
        NewClient {
            name: "Портал с подписанными запросами".into(),
            redirect_uris: vec![REDIRECT.into(), "https://portal.example.gov/other".into()],
            jwks: Some(json!({ "keys": [Value::Object(public.as_ref().clone())] }).to_string()),
            request_uris: vec![format!("http://localhost:{port}/ro")],
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    t.add_person("signed@example.org").await;
    let browser = logged_in(&t, &client.id, "signed@example.org").await;
    let (verifier, challenge) = pkce_pair();
    let signer = RS256.signer_from_jwk(&kp.to_jwk_private_key()).unwrap();
    let mut header = JwsHeader::new();
    header.set_key_id("rp-1");
    let claims = json!({
        "iss": client.id, "aud": t.issuer(), "client_id": client.id, "response_type": "code",
        "redirect_uri": REDIRECT, "scope": "openid", "state": "signed", "code_challenge": challenge,
        "code_challenge_method": "S256",
    });
    let object = jwt::encode_with_signer(
        &JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap(),
        &header,
        &signer,
    )
    .unwrap();
    // Serve it by reference.
    let served = object.clone();
    let app = axum::Router::new().route("/ro", axum::routing::get(move || async move { served }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    // The query's redirect_uri differs: the request object's value is the one used.
    let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &client.id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", "https://portal.example.gov/other")
        .append_pair("request_uri", &format!("http://localhost:{port}/ro"));
    let back = match land(&browser, url.as_str()).await {
        Landing::Left(u) => u,
        other => panic!("{other:?}"),
    };
    assert!(back.starts_with(REDIRECT), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some("signed"));
    let (status, _) = redeem(
        &t,
        &client.id,
        secret.as_deref().unwrap(),
        &query_param(&back, "code").unwrap(),
        &verifier,
    )
    .await;
    assert_eq!(status, 200);

    // Tampered: signed by another key.
    let other = RS256.generate_key_pair(2048).unwrap();
    let bad_signer = RS256.signer_from_jwk(&other.to_jwk_private_key()).unwrap();
    let forged = jwt::encode_with_signer(
        &JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap(),
        &header,
        &bad_signer,
    )
    .unwrap();
    let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &client.id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("request", &forged);
    match land(&browser, url.as_str()).await {
        Landing::Left(u) => {
            assert_eq!(
                query_param(&u, "error").as_deref(),
                Some("invalid_request_object")
            );
            assert!(query_param(&u, "code").is_none());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn claims_parameter_releases_individual_claims_to_userinfo_and_id_token() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        t.add_person("claims@example.org").await;
        let browser = Browser::new(&t.base);
        let (verifier, challenge) = pkce_pair();
        let claims = json!({"userinfo": {"email": {"essential": true}, "name": null}, "id_token": {"family_name": null}});
        let mut url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        url = url.replace("scope=openid+profile", "scope=openid");
        url.push_str(&format!("&claims={}", urlencode(&claims.to_string())));
        let back = browser
            .authorize_and_login(&url, "claims@example.org", PASSWORD)
            .await;
        let (status, tokens) = redeem(
            &t,
            &client_id,
            secret.as_deref().unwrap(),
            &query_param(&back, "code").unwrap(),
            &verifier,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(id_token_claims(&tokens)["family_name"], "Иванов");
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["email"], "claims@example.org");
        assert_eq!(info["name"], "Иван Иванов");
        assert!(
            info.get("family_name").is_none(),
            "profile scope was not asked"
        );
        // Not JSON: refused.
        let bad = format!("{url}x").replace(&urlencode(&claims.to_string()), "not-json");
        match browser.follow(&bad).await {
            Landing::Left(u) => {
                assert_eq!(query_param(&u, "error").as_deref(), Some("invalid_request"))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn acr_values_beyond_what_the_person_can_reach_are_refused_not_ignored() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    t.add_person("acr@example.org").await;
    let (_, c) = pkce_pair();
    let pk = [
        ("code_challenge", c.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let browser = Browser::new(&t.base);
    // Substantial can be reached with a second factor: the login runs, and a person without one
    // is refused after the password.
    let url = authorize_url(
        &t.base,
        &client_id,
        REDIRECT,
        &[pk[0], pk[1], ("acr_values", "urn:vhod:acr:substantial")],
    );
    let back = Browser::new(&t.base)
        .authorize_and_login(&url, "acr@example.org", PASSWORD)
        .await;
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("unmet_authentication_requirements"),
        "{back}"
    );
    // High needs a qualified signature: a person without a bound certificate is refused after
    // the password, whether high comes as acr_values or as an essential acr claim.
    let essential =
        json!({"id_token": {"acr": {"essential": true, "values": ["urn:vhod:acr:high"]}}})
            .to_string();
    for extra in [
        ("acr_values", "urn:vhod:acr:high"),
        ("claims", essential.as_str()),
    ] {
        let url = authorize_url(&t.base, &client_id, REDIRECT, &[pk[0], pk[1], extra]);
        let back = Browser::new(&t.base)
            .authorize_and_login(&url, "acr@example.org", PASSWORD)
            .await;
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("unmet_authentication_requirements"),
            "{back}"
        );
    }
    // Low among the accepted values, or values we do not know: the login page as usual.
    for acr in ["urn:vhod:acr:low urn:vhod:acr:substantial", "1 2"] {
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[pk[0], pk[1], ("acr_values", acr)],
        );
        assert!(
            matches!(browser.follow(&url).await, Landing::Page(200, _)),
            "{acr}"
        );
    }
    for (display, ok) in [("popup", true), ("page", true), ("bogus", false)] {
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[pk[0], pk[1], ("display", display)],
        );
        match browser.follow(&url).await {
            Landing::Page(200, _) => assert!(ok, "{display}"),
            Landing::Left(u) => {
                assert!(!ok, "{display}");
                assert_eq!(query_param(&u, "error").as_deref(), Some("invalid_request"));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn id_token_hint_with_prompt_none_is_silent_for_the_same_person_only() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        t.add_person("first@example.org").await;
        t.add_person("second@example.org").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "first@example.org").await;
        let (_, first) = redeem(&t, &client_id, secret.as_deref().unwrap(), &code, &verifier).await;
        let other_browser = Browser::new(&t.base);
        let (code, verifier) =
            obtain_code(&t, &other_browser, &client_id, "second@example.org").await;
        let (_, second) =
            redeem(&t, &client_id, secret.as_deref().unwrap(), &code, &verifier).await;

        let (_, c) = pkce_pair();
        let pk = [
            ("code_challenge", c.as_str()),
            ("code_challenge_method", "S256"),
            ("prompt", "none"),
        ];
        let own = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                pk[0],
                pk[1],
                pk[2],
                ("id_token_hint", first["id_token"].as_str().unwrap()),
            ],
        );
        match browser.follow(&own).await {
            Landing::Left(u) => assert!(query_param(&u, "code").is_some(), "{u}"),
            other => panic!("{other:?}"),
        }
        let foreign = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                pk[0],
                pk[1],
                pk[2],
                ("id_token_hint", second["id_token"].as_str().unwrap()),
            ],
        );
        match browser.follow(&foreign).await {
            Landing::Left(u) => assert_eq!(
                query_param(&u, "error").as_deref(),
                Some("login_required"),
                "{}",
                backend.name()
            ),
            other => panic!("{other:?}"),
        }
        let garbage = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[pk[0], pk[1], pk[2], ("id_token_hint", "a.b.c")],
        );
        match browser.follow(&garbage).await {
            Landing::Left(u) => {
                assert_eq!(query_param(&u, "error").as_deref(), Some("invalid_request"))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_pkce_optional_confidential_client_signs_in_without_pkce_but_never_with_plain() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client, secret) = clients::register(
        &t.app.store,
        NewClient {
            name: "Certification client".into(),
            redirect_uris: vec![REDIRECT.into()],
            pkce_optional: true,
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    t.add_person("nopkce@example.org").await;
    let url = authorize_url(&t.base, &client.id, REDIRECT, &[("nonce", "n")]);
    let back = Browser::new(&t.base)
        .authorize_and_login(&url, "nopkce@example.org", PASSWORD)
        .await;
    let code = query_param(&back, "code").unwrap();
    let (status, _) = token_request(
        &t,
        &client.id,
        secret.as_deref().unwrap(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (v, _) = pkce_pair();
    let url = authorize_url(
        &t.base,
        &client.id,
        REDIRECT,
        &[("code_challenge", &v), ("code_challenge_method", "plain")],
    );
    match Browser::new(&t.base).follow(&url).await {
        Landing::Left(u) => {
            assert_eq!(query_param(&u, "error").as_deref(), Some("invalid_request"))
        }
        other => panic!("{other:?}"),
    }
    // A public client can never opt out.
    let (public, _) = clients::register(
        &t.app.store,
        NewClient {
            name: "SPA".into(),
            redirect_uris: vec![REDIRECT.into()],
            is_public: true,
            pkce_optional: true,
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    assert!(public.require_pkce);
}
