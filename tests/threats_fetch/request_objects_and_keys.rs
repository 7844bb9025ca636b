use super::*;
use crate::bodies_and_jwks::rsa_key;

// ---------------------------------------------------------------------------------------- #6 --

pub(crate) fn unsigned(claims: Value) -> String {
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_unsecured(&payload, &JwsHeader::new()).unwrap()
}

#[tokio::test]
async fn unsigned_request_object_is_refused_for_a_client_with_an_rs256_key_set() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (_, public) = rsa_key("rp-1");
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал с ключами".into(),
                redirect_uris: vec![REDIRECT.into()],
                jwks: Some(json!({ "keys": [public] }).to_string()),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let object = unsigned(json!({
            "client_id": client.id, "response_type": "code", "redirect_uri": REDIRECT,
            "scope": "openid", "state": "from-object",
        }));
        let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", &client.id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid")
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("request", &object);
        let browser = Browser::new(&t.base);
        match browser.follow(url.as_str()).await {
            Landing::Left(back) => {
                assert_eq!(
                    query_param(&back, "error").as_deref(),
                    Some("invalid_request_object")
                );
                assert!(query_param(&back, "code").is_none());
            }
            other => panic!("{other:?}"),
        }
        // Discovery no longer offers unsigned request objects.
        let d: Value = reqwest::get(format!("{}/.well-known/openid-configuration", t.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let algs = d["request_object_signing_alg_values_supported"]
            .as_array()
            .unwrap();
        assert!(!algs.iter().any(|a| a == "none"), "{algs:?}");
        assert!(algs.iter().any(|a| a == "RS256"));
    }
}

#[tokio::test]
async fn request_object_alg_is_registered_none_never_for_fapi2_and_others_refused() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (_, public) = rsa_key("rp-1");
    let jwks = json!({ "keys": [public] }).to_string();
    let fapi_none = clients::register(
        &t.app.store,
        NewClient {
            name: "FAPI".into(),
            redirect_uris: vec![REDIRECT.into()],
            jwks: Some(jwks.clone()),
            fapi2: true,
            request_object_alg: Some("none".into()),
            ..NewClient::default()
        },
    )
    .await;
    assert!(fapi_none.is_err());
    let unknown = clients::register(
        &t.app.store,
        NewClient {
            name: "HS256".into(),
            redirect_uris: vec![REDIRECT.into()],
            request_object_alg: Some("HS256".into()),
            ..NewClient::default()
        },
    )
    .await;
    assert!(unknown.is_err());
    // Registered PS256 only: an RS256-signed object with a registered key is refused.
    let (signer, public) = rsa_key("rp-2");
    let (client, _) = clients::register(
        &t.app.store,
        NewClient {
            name: "PS256 only".into(),
            redirect_uris: vec![REDIRECT.into()],
            jwks: Some(json!({ "keys": [public] }).to_string()),
            request_object_alg: Some("PS256".into()),
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    let mut header = JwsHeader::new();
    header.set_key_id("rp-2");
    let claims = json!({
        "iss": client.id, "aud": t.issuer(), "client_id": client.id, "response_type": "code",
        "redirect_uri": REDIRECT, "scope": "openid", "state": "s",
    });
    let object = jwt::encode_with_signer(
        &JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap(),
        &header,
        &signer,
    )
    .unwrap();
    let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &client.id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("request", &object);
    match Browser::new(&t.base).follow(url.as_str()).await {
        Landing::Left(back) => assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("invalid_request_object")
        ),
        other => panic!("{other:?}"),
    }
}

// --------------------------------------------------------------------------------------- #20 --

pub(crate) async fn credentials_request(
    t: &TestServer,
    id: &str,
    secret: &str,
    basic: bool,
) -> u16 {
    let mut req = no_redirect_client().post(format!("{}/token", t.base));
    let mut form = vec![("grant_type", "client_credentials")];
    if basic {
        req = req.basic_auth(id, Some(secret));
    } else {
        form.push(("client_id", id));
        form.push(("client_secret", secret));
    }
    req.form(&form).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn client_secret_basic_and_client_secret_post_are_not_interchangeable() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        for (method, basic_ok) in [
            (AuthMethod::ClientSecretBasic, true),
            (AuthMethod::ClientSecretPost, false),
        ] {
            let (client, secret) = clients::register(
                &t.app.store,
                NewClient {
                    name: method.name().into(),
                    grant_types: vec!["client_credentials".into()],
                    auth_method: Some(method),
                    ..NewClient::default()
                },
            )
            .await
            .unwrap();
            let secret = secret.unwrap();
            let basic = credentials_request(&t, &client.id, &secret, true).await;
            let post = credentials_request(&t, &client.id, &secret, false).await;
            let expected = if basic_ok { (200, 401) } else { (401, 200) };
            assert_eq!(
                (basic, post),
                expected,
                "{} {}",
                method.name(),
                backend.name()
            );
        }
    }
}

// --------------------------------------------------------------------------------------- #21 --

pub(crate) fn hmac_b64(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn proof_of_work_and_dpop_nonce_keys_are_separate_and_not_the_pairwise_salt() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let keys = &t.app.purpose_keys;
        let salt = t.app.pairwise_salt.as_bytes();
        assert_ne!(keys.pow(), keys.dpop_nonce());
        assert_ne!(keys.pow(), salt);
        assert_ne!(keys.dpop_nonce(), salt);
        // The DPoP nonce cannot be computed from the pairwise salt (as it could before).
        let nonce = vhod::oidc::dpop::current_nonce(&t.app);
        let window = t.app.clock.now() / 300;
        let from_salt = hmac_b64(salt, &[b"dpop-nonce\0", &window.to_be_bytes()]);
        assert_ne!(nonce, vhod::crypto::b64url(&from_salt[..16]));
        // Nor a proof-of-work challenge's tag.
        let challenge = vhod::authn::challenge::issue(&t.app);
        let (body, tag) = challenge.rsplit_once('.').unwrap();
        let from_salt = hmac_b64(salt, &[b"vhod proof-of-work\0", body.as_bytes()]);
        assert_ne!(tag, vhod::crypto::b64url(&from_salt));
        // The keys are shared by the nodes: a second node on the same database derives the same.
        let again = TestServer::start_with(&backend, t.config.clone()).await;
        assert_eq!(again.app.purpose_keys.pow(), keys.pow());
        assert_eq!(again.app.pairwise_salt, t.app.pairwise_salt);
    }
}

#[tokio::test]
async fn a_proof_of_work_challenge_is_not_accepted_as_a_dpop_nonce() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let kp = josekit::jws::ES256.generate_key_pair().unwrap();
    let signer = josekit::jws::ES256
        .signer_from_jwk(&kp.to_jwk_private_key())
        .unwrap();
    let url = format!("{}/token", t.issuer());
    let challenge = vhod::authn::challenge::issue(&t.app);
    let (_, tag) = challenge.rsplit_once('.').unwrap();
    for nonce in [challenge.as_str(), tag, &tag[..22]] {
        let mut h = JwsHeader::new();
        h.set_token_type("dpop+jwt");
        h.set_jwk(kp.to_jwk_public_key());
        let mut p = JwtPayload::new();
        p.set_jwt_id(vhod::crypto::random_token());
        p.set_claim("htm", Some("POST".into())).unwrap();
        p.set_claim("htu", Some(url.clone().into())).unwrap();
        p.set_claim("iat", Some(t.app.clock.now().into())).unwrap();
        p.set_claim("nonce", Some(nonce.into())).unwrap();
        let proof = jwt::encode_with_signer(&p, &h, &signer).unwrap();
        let verdict = vhod::oidc::dpop::verify(&t.app, &proof, "POST", &url, None).await;
        assert!(
            matches!(verdict, Err(vhod::oidc::dpop::DpopError::UseNonce)),
            "{nonce}"
        );
    }
}
