//! The OpenID Connect threat model and JWT attacks (RFC 8725) in every place vhod parses a JWT:
//! id_token_hint at logout, request objects, client assertions, DPoP proofs; token substitution.

use crate::common::*;
use crate::support::*;
use josekit::jwk::KeyPair;
use josekit::jws::{ES256, HS256, JwsSigner};
use serde_json::{Value, json};

/// A server, a portal and a real ID token of CITIZEN for it.
async fn with_id_token(backend: &Backend) -> (TestServer, String, String, String) {
    let (t, client_id, secret) = portal(backend).await;
    let tokens = tokens_of(&t, &client_id, &secret).await;
    let id = tokens["id_token"].as_str().unwrap().to_string();
    (t, client_id, secret, id)
}

/// GET /session/end with this hint: refused with 400 and no redirect.
async fn hint_is_refused(t: &TestServer, hint: &str, what: &str) {
    let url = format!(
        "/session/end?id_token_hint={}&post_logout_redirect_uri={}",
        urlencode(hint),
        urlencode(REDIRECT)
    );
    let res = Browser::new(&t.base).get(&url).await;
    assert_eq!(res.status(), 400, "{what} on {}", t.backend.name());
    assert_eq!(location(&res), None, "{what}");
}

#[tokio::test]
async fn oidc_id_token_hint_alg_none_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let forged = resigned(&id, &json!({"alg": "none", "typ": "JWT"}), "");
        hint_is_refused(&t, &forged, "alg none").await;
    }
}

#[tokio::test]
async fn oidc_id_token_hint_hs256_keyed_with_the_public_key_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let jwks: Value = reqwest::get(format!("{}/jwks", t.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let kid = part(&id, 0)["kid"].clone();
        let header = json!({"alg": "HS256", "typ": "JWT", "kid": kid});
        for key in [jwks.to_string(), jwks["keys"][0].to_string()] {
            let signer = HS256.signer_from_bytes(key.as_bytes()).unwrap();
            let forged = signed_by(&signer, &header, &part(&id, 1));
            hint_is_refused(&t, &forged, "HS256 with the public key").await;
        }
    }
}

#[tokio::test]
async fn oidc_id_token_hint_relabelled_algorithm_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let mut header = part(&id, 0);
        let signature = id.split('.').nth(2).unwrap();
        for alg in ["PS256", "RS512", "ES256", "GOST3410_2012_256"] {
            header["alg"] = json!(alg);
            hint_is_refused(&t, &resigned(&id, &header, signature), alg).await;
        }
    }
}

#[tokio::test]
async fn oidc_id_token_hint_embedded_jwk_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let (signer, jwk) = attacker_key();
        let header = json!({"alg": "ES256", "typ": "JWT", "jwk": jwk});
        let forged = signed_by(signer.as_ref(), &header, &part(&id, 1));
        hint_is_refused(&t, &forged, "embedded jwk").await;
    }
}

#[tokio::test]
async fn oidc_id_token_hint_jku_and_x5u_pointing_elsewhere_are_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let (signer, _) = attacker_key();
        for (name, url) in [
            ("jku", "http://127.0.0.1:9/jwks"),
            ("x5u", "http://169.254.169.254/cert.pem"),
        ] {
            let header = json!({"alg": "ES256", "typ": "JWT", "kid": "attacker", name: url});
            let forged = signed_by(signer.as_ref(), &header, &part(&id, 1));
            hint_is_refused(&t, &forged, name).await;
        }
    }
}

#[tokio::test]
async fn oidc_id_token_hint_kid_injection_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let (signer, _) = attacker_key();
        for kid in [
            "../../../../dev/null",
            "' OR '1'='1",
            "x\" UNION SELECT 1 --",
            "",
        ] {
            let header = json!({"alg": "ES256", "typ": "JWT", "kid": kid});
            let forged = signed_by(signer.as_ref(), &header, &part(&id, 1));
            hint_is_refused(&t, &forged, kid).await;
        }
    }
}

#[tokio::test]
async fn oidc_id_token_hint_with_an_unknown_crit_extension_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let kid = part(&id, 0)["kid"].clone();
        // Signed by the server's own key: only the crit extension is wrong.
        let header = json!({"typ": "JWT", "kid": kid, "crit": ["exp-ext"], "exp-ext": true});
        let forged = t
            .app
            .keyring
            .sign_with_header(
                vhod::crypto::keyring::SigningAlg::Rs256,
                header.as_object().unwrap().clone(),
                part(&id, 1).as_object().unwrap().clone(),
            )
            .unwrap();
        hint_is_refused(&t, &forged, "crit").await;
    }
}

#[tokio::test]
async fn oidc_access_token_as_id_token_hint_is_refused() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        hint_is_refused(&t, tokens["access_token"].as_str().unwrap(), "access token").await;
    }
}

#[tokio::test]
async fn oidc_id_token_of_another_client_with_this_client_id_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        let (other, _) = t.add_client(REDIRECT, false).await;
        let url = format!(
            "/session/end?id_token_hint={}&client_id={other}",
            urlencode(&id)
        );
        let res = Browser::new(&t.base).get(&url).await;
        assert_eq!(res.status(), 400, "{}", backend.name());
    }
}

#[tokio::test]
async fn oidc_post_logout_redirect_uri_unregistered_is_refused() {
    for backend in backends() {
        let (t, client_id, _, id) = with_id_token(&backend).await;
        for evil in [
            "https://evil.example/",
            "https://portal.example.gov/callback/../../evil",
            REDIRECT,
        ] {
            let url = format!(
                "/session/end?id_token_hint={}&client_id={client_id}&post_logout_redirect_uri={}",
                urlencode(&id),
                urlencode(evil)
            );
            let res = Browser::new(&t.base).get(&url).await;
            assert_eq!(res.status(), 400, "{evil} on {}", backend.name());
            assert_eq!(location(&res), None);
        }
    }
}

#[tokio::test]
async fn oidc_post_logout_redirect_uri_without_a_client_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let url = format!(
            "/session/end?post_logout_redirect_uri={}",
            urlencode("https://evil.example/")
        );
        let res = Browser::new(&t.base).get(&url).await;
        assert_eq!(res.status(), 400, "{}", backend.name());
        assert_eq!(location(&res), None);
    }
}

#[tokio::test]
async fn oidc_id_token_as_bearer_at_userinfo_is_refused() {
    for backend in backends() {
        let (t, _, _, id) = with_id_token(&backend).await;
        assert_eq!(userinfo(&t, &id).await.0, 401, "{}", backend.name());
    }
}

#[tokio::test]
async fn oidc_token_substitution_another_clients_access_token_is_inactive() {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let (other, other_secret) = t.add_client(REDIRECT, false).await;
        let tokens = tokens_of(&t, &client_id, &secret).await;
        let res = no_redirect_client()
            .post(format!("{}/introspect", t.base))
            .basic_auth(&other, other_secret.as_deref())
            .form(&[("token", tokens["access_token"].as_str().unwrap())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, json!({"active": false}), "{}", backend.name());
    }
}

#[tokio::test]
async fn oidc_unsigned_request_object_is_refused() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let (_, challenge) = pkce_pair();
        let request = forged_jwt(
            &json!({"alg": "none"}),
            &json!({"client_id": client_id, "redirect_uri": REDIRECT,
                "response_type": "code", "scope": "openid", "code_challenge": challenge,
                "code_challenge_method": "S256"}),
            "",
        );
        let url = authorize_url(&t.base, &client_id, REDIRECT, &[("request", &request)]);
        let res = Browser::new(&t.base).get(&url).await;
        match location(&res) {
            Some(back) => {
                assert!(back.starts_with(REDIRECT), "{back}");
                assert_eq!(
                    query_param(&back, "error").as_deref(),
                    Some("invalid_request_object"),
                    "{back} on {}",
                    backend.name()
                );
                assert_eq!(query_param(&back, "code"), None);
            }
            None => assert_eq!(res.status(), 400, "{}", backend.name()),
        }
    }
}

/// A private_key_jwt client whose registered key is an ES256 key with kid "k1":
/// (server, client_id, the client's genuine signer, its public JWK).
async fn key_client(backend: &Backend) -> (TestServer, String, Box<dyn JwsSigner>, Value) {
    let t = TestServer::start(backend).await;
    let (signer, mut public) = attacker_key();
    public["kid"] = json!("k1");
    let (client, _) = vhod::clients::register(
        &t.app.store,
        vhod::clients::NewClient {
            name: "Ведомство с ключом".into(),
            grant_types: vec!["client_credentials".into()],
            scopes: vec!["api".into()],
            auth_method: Some(vhod::clients::AuthMethod::PrivateKeyJwt),
            jwks: Some(json!({ "keys": [public] }).to_string()),
            ..vhod::clients::NewClient::default()
        },
    )
    .await
    .unwrap();
    (t, client.id.to_string(), signer, public)
}

/// POST /token with a client assertion (and nothing else authenticating the client):
/// (status, JSON).
async fn with_assertion(t: &TestServer, client_id: &str, assertion: &str) -> (u16, Value) {
    let res = no_redirect_client()
        .post(format!("{}/token", t.base))
        .form(&[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("client_id", client_id),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The genuine assertion is accepted; `forge` (given the genuine signer, the registered JWK and
/// fresh claims) is refused with 401 invalid_client and no token.
async fn forged_assertion_is_refused(forge: impl Fn(&dyn JwsSigner, &Value, &Value) -> String) {
    for backend in backends() {
        let (t, client_id, signer, public) = key_client(&backend).await;
        let genuine = signed_by(
            signer.as_ref(),
            &json!({"alg": "ES256", "kid": "k1"}),
            &assertion_claims(&t, &client_id),
        );
        let (status, body) = with_assertion(&t, &client_id, &genuine).await;
        assert_eq!(status, 200, "the genuine assertion works: {body}");
        let forged = forge(signer.as_ref(), &public, &assertion_claims(&t, &client_id));
        let (status, body) = with_assertion(&t, &client_id, &forged).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{} {body}",
            backend.name()
        );
        assert!(body.get("access_token").is_none());
    }
}

fn assertion_claims(t: &TestServer, client_id: &str) -> Value {
    let now = t.app.clock.now();
    json!({"iss": client_id, "sub": client_id, "aud": format!("{}/token", t.issuer()),
        "jti": uuid::Uuid::now_v7().to_string(), "iat": now, "exp": now + 60})
}

#[tokio::test]
async fn oidc_client_assertion_alg_none_is_refused() {
    forged_assertion_is_refused(|_, _, claims| {
        forged_jwt(&json!({"alg": "none", "kid": "k1"}), claims, "")
    })
    .await;
}

#[tokio::test]
async fn oidc_client_assertion_signed_by_an_embedded_jwk_is_refused() {
    forged_assertion_is_refused(|_, _, claims| {
        let (attacker, mut jwk) = attacker_key();
        jwk["kid"] = json!("k1");
        signed_by(
            attacker.as_ref(),
            &json!({"alg": "ES256", "kid": "k1", "jwk": jwk}),
            claims,
        )
    })
    .await;
}

#[tokio::test]
async fn oidc_client_assertion_hs256_keyed_with_the_registered_public_key_is_refused() {
    forged_assertion_is_refused(|_, public, claims| {
        let signer = HS256
            .signer_from_bytes(public.to_string().as_bytes())
            .unwrap();
        signed_by(&signer, &json!({"alg": "HS256", "kid": "k1"}), claims)
    })
    .await;
}

#[tokio::test]
async fn oidc_client_assertion_with_an_unknown_crit_extension_is_refused() {
    forged_assertion_is_refused(|genuine, _, claims| {
        signed_by(
            genuine,
            &json!({"alg": "ES256", "kid": "k1", "crit": ["urn:x"], "urn:x": 1}),
            claims,
        )
    })
    .await;
}

#[tokio::test]
async fn oidc_client_assertion_jku_pointing_elsewhere_is_refused() {
    forged_assertion_is_refused(|_, _, claims| {
        let (attacker, _) = attacker_key();
        signed_by(
            attacker.as_ref(),
            &json!({"alg": "ES256", "kid": "evil", "jku": "http://127.0.0.1:9/jwks"}),
            claims,
        )
    })
    .await;
}

/// A DPoP proof at the token endpoint of a real code redemption: refused with invalid_dpop_proof.
async fn dpop_proof_is_refused(proof: impl Fn(&TestServer) -> String) {
    for backend in backends() {
        let (t, client_id, secret) = portal(&backend).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, CITIZEN).await;
        let res = no_redirect_client()
            .post(format!("{}/token", t.base))
            .basic_auth(&client_id, Some(&secret))
            .header("DPoP", proof(&t))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{}", backend.name());
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_dpop_proof", "{body}");
    }
}

fn dpop_claims(t: &TestServer) -> Value {
    json!({"htm": "POST", "htu": format!("{}/token", t.issuer()),
        "iat": t.app.clock.now(), "jti": uuid::Uuid::now_v7().to_string()})
}

#[tokio::test]
async fn oidc_dpop_proof_alg_none_is_refused() {
    dpop_proof_is_refused(|t| {
        let (_, jwk) = attacker_key();
        forged_jwt(
            &json!({"alg": "none", "typ": "dpop+jwt", "jwk": jwk}),
            &dpop_claims(t),
            "",
        )
    })
    .await;
}

#[tokio::test]
async fn oidc_dpop_proof_hs256_is_refused() {
    dpop_proof_is_refused(|t| {
        let signer = HS256
            .signer_from_bytes(b"0123456789abcdef0123456789abcdef")
            .unwrap();
        signed_by(
            &signer,
            &json!({"alg": "HS256", "typ": "dpop+jwt", "jwk": {"kty": "oct", "k": "AAAA"}}),
            &dpop_claims(t),
        )
    })
    .await;
}

#[tokio::test]
async fn oidc_dpop_proof_with_a_private_key_in_the_header_is_refused() {
    dpop_proof_is_refused(|t| {
        let pair = ES256.generate_key_pair().unwrap();
        let private = pair.to_jwk_private_key();
        let signer = ES256.signer_from_jwk(&private).unwrap();
        let jwk = Value::Object(private.into());
        signed_by(
            &signer,
            &json!({"alg": "ES256", "typ": "dpop+jwt", "jwk": jwk}),
            &dpop_claims(t),
        )
    })
    .await;
}

#[tokio::test]
async fn oidc_oversized_request_object_is_refused_before_parsing() {
    for backend in backends() {
        let (t, client_id, _) = portal(&backend).await;
        let huge = "A".repeat(200 * 1024);
        let res = no_redirect_client()
            .post(format!("{}/par", t.base))
            .form(&[("client_id", client_id.as_str()), ("request", &huge)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413, "{}", backend.name());
    }
}
