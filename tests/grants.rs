//! More grants and client authentication: client_credentials, private_key_jwt, introspection and
//! revocation (RFC 7662 / RFC 7009).

mod common;

use common::*;
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};
use vhod::clients::{self, AuthMethod, NewClient};

async fn cc_client(t: &TestServer, scopes: &[&str]) -> (String, String) {
    let (c, secret) = clients::register(
        &t.app.store,
        NewClient {
            name: "Сервис ведомства".into(),
            grant_types: vec!["client_credentials".into()],
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    (c.id.to_string(), secret.unwrap())
}

async fn post_form(
    t: &TestServer,
    path: &str,
    auth: (&str, &str),
    form: &[(&str, &str)],
) -> (u16, Value) {
    let res = no_redirect_client()
        .post(format!("{}{path}", t.base))
        .basic_auth(auth.0, Some(auth.1))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn client_credentials_issues_scoped_access_tokens_that_introspection_and_revocation_see() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, secret) = cc_client(&t, &["registry.read", "registry.write"]).await;
        let (status, body) = token_request(
            &t,
            &id,
            &secret,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "registry.read"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["scope"], "registry.read");
        assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
        let at = body["access_token"].as_str().unwrap().to_string();

        let (status, body) = token_request(
            &t,
            &id,
            &secret,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "registry.delete"),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
        let (_, all) =
            token_request(&t, &id, &secret, &[("grant_type", "client_credentials")]).await;
        assert_eq!(all["scope"], "registry.read registry.write");

        let (status, info) = post_form(&t, "/introspect", (&id, &secret), &[("token", &at)]).await;
        assert_eq!(status, 200);
        assert_eq!(info["active"], true);
        assert_eq!(info["client_id"], id.as_str());
        assert_eq!(info["sub"], id.as_str());
        assert_eq!(info["scope"], "registry.read");

        // Another client cannot see it; the token is not for userinfo (no person behind it).
        let (other, other_secret) = cc_client(&t, &["x"]).await;
        let (_, info) = post_form(
            &t,
            "/introspect",
            (&other, &other_secret),
            &[("token", &at)],
        )
        .await;
        assert_eq!(info, json!({"active": false}));
        assert_eq!(userinfo(&t, &at).await.0, 401);

        let (status, _) = post_form(&t, "/revoke", (&id, &secret), &[("token", &at)]).await;
        assert_eq!(status, 200);
        let (_, info) = post_form(&t, "/introspect", (&id, &secret), &[("token", &at)]).await;
        assert_eq!(info, json!({"active": false}), "{}", backend.name());
        // Revoking an unknown token is not an error (RFC 7009 §2.2).
        assert_eq!(
            post_form(&t, "/revoke", (&id, &secret), &[("token", "nope")])
                .await
                .0,
            200
        );
        // Unauthenticated introspection is refused.
        let (status, body) = post_form(&t, "/introspect", (&id, "wrong"), &[("token", &at)]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        // A code-flow-only client may not use client_credentials.
        let (code_client, code_secret) = t.add_client(REDIRECT, false).await;
        let (status, body) = token_request(
            &t,
            &code_client,
            code_secret.as_deref().unwrap(),
            &[("grant_type", "client_credentials")],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client"))
        );
    }
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_access_tokens_and_introspection_shows_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("revoke@example.org").await;
        let (code, verifier) =
            obtain_code(&t, &Browser::new(&t.base), &client_id, "revoke@example.org").await;
        let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let at = tokens["access_token"].as_str().unwrap();
        let rt = tokens["refresh_token"].as_str().unwrap();
        let (_, info) = post_form(&t, "/introspect", (&client_id, &secret), &[("token", rt)]).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["token_type"], "refresh_token");
        let (_, info) = post_form(&t, "/introspect", (&client_id, &secret), &[("token", at)]).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["acr"], "urn:vhod:acr:low");
        assert_eq!(
            post_form(
                &t,
                "/revoke",
                (&client_id, &secret),
                &[("token", rt), ("token_type_hint", "refresh_token")]
            )
            .await
            .0,
            200
        );
        for token in [at, rt] {
            let (_, info) = post_form(
                &t,
                "/introspect",
                (&client_id, &secret),
                &[("token", token)],
            )
            .await;
            assert_eq!(info, json!({"active": false}), "{}", backend.name());
        }
        assert_eq!(userinfo(&t, at).await.0, 401);
    }
}

fn rsa_client_key(kid: &str) -> (josekit::jws::alg::rsassa::RsassaJwsSigner, Value) {
    let kp = RS256.generate_key_pair(2048).unwrap();
    let mut public = kp.to_jwk_public_key();
    public.set_key_id(kid);
    public.set_algorithm("RS256");
    let signer = RS256.signer_from_jwk(&kp.to_jwk_private_key()).unwrap();
    (signer, Value::Object(public.as_ref().clone()))
}

fn assertion(
    signer: &josekit::jws::alg::rsassa::RsassaJwsSigner,
    kid: &str,
    client_id: &str,
    aud: &str,
    jti: &str,
) -> String {
    let mut header = JwsHeader::new();
    header.set_key_id(kid);
    let mut p = JwtPayload::new();
    p.set_issuer(client_id);
    p.set_subject(client_id);
    p.set_audience(vec![aud]);
    p.set_jwt_id(jti);
    p.set_expires_at(&(std::time::SystemTime::now() + std::time::Duration::from_secs(120)));
    jwt::encode_with_signer(&p, &header, signer).unwrap()
}

async fn assertion_request(t: &TestServer, client_id: &str, assertion: &str) -> (u16, Value) {
    let res = no_redirect_client()
        .post(format!("{}/token", t.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn private_key_jwt_authenticates_once_per_jti_and_refuses_wrong_audience_or_key() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (signer, public) = rsa_client_key("k1");
        let (client, secret) = clients::register(
            &t.app.store,
            NewClient {
                name: "Ведомство с ключом".into(),
                grant_types: vec!["client_credentials".into()],
                scopes: vec!["api".into()],
                auth_method: Some(AuthMethod::PrivateKeyJwt),
                jwks: Some(json!({ "keys": [public] }).to_string()),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        assert!(secret.is_none(), "no secret for private_key_jwt");
        let token_endpoint = format!("{}/token", t.issuer());
        let a = assertion(&signer, "k1", &client.id, &token_endpoint, "jti-1");
        let (status, body) = assertion_request(&t, &client.id, &a).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = assertion_request(&t, &client.id, &a).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "replayed jti on {}",
            backend.name()
        );
        // aud = issuer is accepted too.
        let a = assertion(&signer, "k1", &client.id, &t.issuer(), "jti-2");
        assert_eq!(assertion_request(&t, &client.id, &a).await.0, 200);
        let a = assertion(
            &signer,
            "k1",
            &client.id,
            "https://other.example/token",
            "jti-3",
        );
        assert_eq!(assertion_request(&t, &client.id, &a).await.0, 401);
        let (other_signer, _) = rsa_client_key("k1");
        let a = assertion(&other_signer, "k1", &client.id, &token_endpoint, "jti-4");
        assert_eq!(assertion_request(&t, &client.id, &a).await.0, 401);
        // client_secret_jwt (an HMAC assertion) is not enabled.
        let hs = josekit::jws::HS256
            .signer_from_bytes(b"0123456789abcdef0123456789abcdef")
            .unwrap();
        let mut p = JwtPayload::new();
        p.set_issuer(&client.id);
        p.set_subject(&client.id);
        p.set_audience(vec![token_endpoint.as_str()]);
        p.set_jwt_id("jti-5");
        p.set_expires_at(&(std::time::SystemTime::now() + std::time::Duration::from_secs(60)));
        let a = jwt::encode_with_signer(&p, &JwsHeader::new(), &hs).unwrap();
        assert_eq!(assertion_request(&t, &client.id, &a).await.0, 401);
    }
}

#[tokio::test]
async fn private_key_jwt_keys_are_fetched_from_jwks_uri_and_refetched_for_a_new_kid() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (signer1, public1) = rsa_client_key("old");
    let (signer2, public2) = rsa_client_key("new");
    let published = std::sync::Arc::new(std::sync::Mutex::new(json!({ "keys": [public1] })));
    let serve = published.clone();
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let v = serve.lock().unwrap().clone();
            async move { axum::Json(v) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (client, _) = clients::register(
        &t.app.store,
        NewClient {
            name: "RP с jwks_uri".into(),
            grant_types: vec!["client_credentials".into()],
            auth_method: Some(AuthMethod::PrivateKeyJwt),
            jwks_uri: Some(format!("http://localhost:{port}/jwks")),
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    let aud = format!("{}/token", t.issuer());
    assert_eq!(
        assertion_request(
            &t,
            &client.id,
            &assertion(&signer1, "old", &client.id, &aud, "a")
        )
        .await
        .0,
        200
    );
    // The RP rotates its key: the new kid is unknown to the cached set, so vhod fetches again.
    *published.lock().unwrap() = json!({ "keys": [public2] });
    assert_eq!(
        assertion_request(
            &t,
            &client.id,
            &assertion(&signer2, "new", &client.id, &aud, "b")
        )
        .await
        .0,
        200
    );
}
