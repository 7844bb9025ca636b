//! DPoP (RFC 9449): nonces, proof checks, bound access tokens at userinfo and introspection, bound
//! refresh tokens for public clients, clients that require DPoP, FAPI 2.0 client registration.

mod common;

use common::*;
use josekit::jws::{ES256, JwsHeader, alg::ecdsa::EcdsaJwsSigner};
use josekit::jwt::{self, JwtPayload};
use serde_json::Value;
use vhod::clients::{self, AuthMethod, NewClient};

struct Key {
    signer: EcdsaJwsSigner,
    public: josekit::jwk::Jwk,
}

fn key() -> Key {
    let kp = ES256.generate_key_pair().unwrap();
    Key {
        signer: ES256.signer_from_jwk(&kp.to_jwk_private_key()).unwrap(),
        public: kp.to_jwk_public_key(),
    }
}

fn proof(k: &Key, htm: &str, htu: &str, nonce: Option<&str>, access_token: Option<&str>) -> String {
    let mut h = JwsHeader::new();
    h.set_token_type("dpop+jwt");
    h.set_jwk(k.public.clone());
    let mut p = JwtPayload::new();
    p.set_jwt_id(vhod::crypto::random_token());
    p.set_claim("htm", Some(htm.into())).unwrap();
    p.set_claim("htu", Some(htu.into())).unwrap();
    p.set_claim(
        "iat",
        Some(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                .into(),
        ),
    )
    .unwrap();
    if let Some(n) = nonce {
        p.set_claim("nonce", Some(n.into())).unwrap();
    }
    if let Some(at) = access_token {
        p.set_claim("ath", Some(vhod::crypto::sha256_b64(at).into()))
            .unwrap();
    }
    jwt::encode_with_signer(&p, &h, &k.signer).unwrap()
}

async fn token_with_proof(
    t: &TestServer,
    form: &[(&str, &str)],
    dpop: Option<&str>,
    basic: Option<(&str, &str)>,
) -> (u16, Value, Option<String>) {
    let mut req = no_redirect_client()
        .post(format!("{}/token", t.base))
        .form(form);
    if let Some(p) = dpop {
        req = req.header("DPoP", p);
    }
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let nonce = res
        .headers()
        .get("dpop-nonce")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.json().await.unwrap_or(Value::Null), nonce)
}

async fn userinfo_dpop(
    t: &TestServer,
    scheme: &str,
    at: &str,
    dpop: Option<&str>,
) -> (u16, Option<String>) {
    let mut req = no_redirect_client()
        .get(format!("{}/userinfo", t.base))
        .header("authorization", format!("{scheme} {at}"));
    if let Some(p) = dpop {
        req = req.header("DPoP", p);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (
        status,
        res.headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string()),
    )
}

#[tokio::test]
async fn dpop_binds_tokens_of_a_public_client_to_its_key() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, _) = t.add_client(REDIRECT, true).await;
        t.add_person("dpop@example.org").await;
        let (code, verifier) =
            obtain_code(&t, &Browser::new(&t.base), &client_id, "dpop@example.org").await;
        let token_url = format!("{}/token", t.issuer());
        let k = key();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier.as_str()),
            ("client_id", client_id.as_str()),
        ];

        // No nonce yet: the server hands one out (RFC 9449 §8) and the code is not used up.
        let (status, body, nonce) = token_with_proof(
            &t,
            &form,
            Some(&proof(&k, "POST", &token_url, None, None)),
            None,
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("use_dpop_nonce"))
        );
        let nonce = nonce.expect("DPoP-Nonce header");
        // A proof for another URL is refused.
        let (status, body, _) = token_with_proof(
            &t,
            &form,
            Some(&proof(
                &k,
                "POST",
                "https://other.example/token",
                Some(&nonce),
                None,
            )),
            None,
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_dpop_proof"))
        );
        let (status, tokens, _) = token_with_proof(
            &t,
            &form,
            Some(&proof(&k, "POST", &token_url, Some(&nonce), None)),
            None,
        )
        .await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(tokens["token_type"], "DPoP");
        let at = tokens["access_token"].as_str().unwrap().to_string();
        let claims = id_token_claims(&serde_json::json!({ "id_token": at }));
        assert_eq!(
            claims["cnf"]["jkt"],
            vhod::oidc::dpop::thumbprint(&k.public).unwrap().as_str()
        );

        // Userinfo: Bearer use of a bound token fails; DPoP with a proof over this token works once.
        let ui = format!("{}/userinfo", t.issuer());
        let (status, challenge) = userinfo_dpop(&t, "Bearer", &at, None).await;
        assert_eq!(status, 401);
        assert!(challenge.unwrap().starts_with("DPoP"));
        let p = proof(&k, "GET", &ui, Some(&nonce), Some(&at));
        assert_eq!(
            userinfo_dpop(&t, "DPoP", &at, Some(&p)).await.0,
            200,
            "{}",
            backend.name()
        );
        let (status, challenge) = userinfo_dpop(&t, "DPoP", &at, Some(&p)).await;
        assert_eq!(status, 401, "replayed proof");
        assert!(challenge.unwrap().contains("invalid_dpop_proof"));
        let other = key();
        let (status, _) = userinfo_dpop(
            &t,
            "DPoP",
            &at,
            Some(&proof(&other, "GET", &ui, Some(&nonce), Some(&at))),
        )
        .await;
        assert_eq!(status, 401, "another key");
        let (status, _) = userinfo_dpop(
            &t,
            "DPoP",
            &at,
            Some(&proof(&k, "GET", &ui, Some(&nonce), Some("other-token"))),
        )
        .await;
        assert_eq!(status, 401, "ath of another token");

        // Refresh: the public client's refresh token works only with the same key, and a refused
        // attempt does not use it up.
        let rt = tokens["refresh_token"].as_str().unwrap();
        let rform = [
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", client_id.as_str()),
        ];
        let (status, body, _) = token_with_proof(&t, &rform, None, None).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_dpop_proof"))
        );
        let (status, _, _) = token_with_proof(
            &t,
            &rform,
            Some(&proof(&other, "POST", &token_url, Some(&nonce), None)),
            None,
        )
        .await;
        assert_eq!(status, 400);
        let (status, refreshed, _) = token_with_proof(
            &t,
            &rform,
            Some(&proof(&k, "POST", &token_url, Some(&nonce), None)),
            None,
        )
        .await;
        assert_eq!(status, 200, "{refreshed}");
        assert_eq!(refreshed["token_type"], "DPoP");
    }
}

#[tokio::test]
async fn a_client_that_requires_dpop_gets_no_bearer_tokens_and_introspection_shows_the_binding() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client, secret) = clients::register(
        &t.app.store,
        NewClient {
            name: "DPoP-only service".into(),
            grant_types: vec!["client_credentials".into()],
            scopes: vec!["api".into()],
            require_dpop: true,
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    let secret = secret.unwrap();
    let form = [("grant_type", "client_credentials")];
    let (status, body, _) = token_with_proof(&t, &form, None, Some((&client.id, &secret))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let k = key();
    let url = format!("{}/token", t.issuer());
    let (_, _, nonce) = token_with_proof(
        &t,
        &form,
        Some(&proof(&k, "POST", &url, None, None)),
        Some((&client.id, &secret)),
    )
    .await;
    let (status, tokens, _) = token_with_proof(
        &t,
        &form,
        Some(&proof(&k, "POST", &url, nonce.as_deref(), None)),
        Some((&client.id, &secret)),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let res = no_redirect_client()
        .post(format!("{}/introspect", t.base))
        .basic_auth(&client.id, Some(&secret))
        .form(&[("token", tokens["access_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    let info: Value = res.json().await.unwrap();
    assert_eq!(info["active"], true);
    assert_eq!(info["token_type"], "DPoP");
    assert_eq!(
        info["cnf"]["jkt"],
        vhod::oidc::dpop::thumbprint(&k.public).unwrap().as_str()
    );
}

#[tokio::test]
async fn a_fapi2_client_gets_par_dpop_private_key_jwt_and_es256() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let kp = ES256.generate_key_pair().unwrap();
    let jwks =
        serde_json::json!({ "keys": [Value::Object(kp.to_jwk_public_key().as_ref().clone())] })
            .to_string();
    let (c, secret) = clients::register(
        &t.app.store,
        NewClient {
            name: "Банк".into(),
            redirect_uris: vec![REDIRECT.into()],
            jwks: Some(jwks.clone()),
            fapi2: true,
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    assert!(secret.is_none());
    assert!(c.fapi2 && c.require_par && c.require_dpop && c.require_pkce);
    assert_eq!(c.auth_method, AuthMethod::PrivateKeyJwt);
    assert_eq!(c.id_token_alg, vhod::crypto::keyring::SigningAlg::Es256);
    let refused = clients::register(
        &t.app.store,
        NewClient {
            name: "Не FAPI".into(),
            redirect_uris: vec![REDIRECT.into()],
            jwks: Some(jwks),
            fapi2: true,
            pkce_optional: true,
            ..NewClient::default()
        },
    )
    .await;
    assert!(refused.is_err());
    // Without PAR the authorization request is refused.
    let (_, ch) = pkce_pair();
    match Browser::new(&t.base)
        .follow(&authorize_url(
            &t.base,
            &c.id,
            REDIRECT,
            &[("code_challenge", &ch), ("code_challenge_method", "S256")],
        ))
        .await
    {
        Landing::Left(u) => {
            assert_eq!(query_param(&u, "error").as_deref(), Some("invalid_request"))
        }
        other => panic!("{other:?}"),
    }
}
