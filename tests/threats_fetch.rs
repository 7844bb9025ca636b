//! Issue 10, the "fetch" group: what an attacker could make vhod fetch or compute without
//! credentials (SSRF through client-named URLs, quadratic parameter parsing, jwks_uri refetch
//! amplification), unsigned request objects, client authentication methods, and one secret used for
//! several purposes.

mod common;

use common::*;
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use vhod::clients::{self, AuthMethod, NewClient};

/// A TCP listener on `addr` that counts the connections it accepts (and answers none).
async fn tripwire(addr: &str) -> Option<(u16, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind(addr).await.ok()?;
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((_sock, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    Some((port, seen))
}

/// A test server whose outbound guard has the production default: nothing internal allowed.
async fn strict_server(backend: &Backend) -> TestServer {
    let mut config = test_config(backend);
    config.outbound.allow = String::new();
    TestServer::start_with(backend, config).await
}

/// A small JSON server on loopback counting its requests; `body` is what it serves (status 200),
/// or None for 500.
async fn counting_server(path: &'static str, body: Option<Value>) -> (u16, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let app = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            count.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            async move {
                match body {
                    Some(v) => (axum::http::StatusCode::OK, axum::Json(v)),
                    None => (
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        axum::Json(json!({})),
                    ),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, hits)
}

fn authorize_with_request_uri(t: &TestServer, client_id: &str, request_uri: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("request_uri", request_uri);
    url.to_string()
}

// ---------------------------------------------------------------------------------------- #3 --

#[tokio::test]
async fn request_uri_to_loopback_is_refused_before_connecting() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (v4_port, v4_seen) = tripwire("127.0.0.1:0").await.unwrap();
        let v6 = tripwire("[::1]:0").await;
        let v6_port = v6.as_ref().map_or(v4_port, |(p, _)| *p);
        let targets = vec![
            format!("https://127.0.0.1:{v4_port}/ro"),
            format!("http://127.0.0.1:{v4_port}/ro"),
            "https://169.254.169.254/latest/meta-data/".to_string(),
            "https://10.0.0.1/ro".to_string(),
            format!("https://[::1]:{v6_port}/ro"),
            format!("https://[::ffff:127.0.0.1]:{v4_port}/ro"),
            // Names are checked after resolving: localhost resolves to loopback.
            format!("https://localhost:{v4_port}/ro"),
            format!("http://localhost:{v4_port}/ro"),
        ];
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал".into(),
                redirect_uris: vec![REDIRECT.into()],
                request_uris: targets.clone(),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let browser = Browser::new(&t.base);
        for target in &targets {
            let url = authorize_with_request_uri(&t, &client.id, target);
            match browser.follow(&url).await {
                Landing::Left(back) => {
                    assert!(back.starts_with(REDIRECT), "{target}: {back}");
                    assert_eq!(
                        query_param(&back, "error").as_deref(),
                        Some("invalid_request_uri"),
                        "{target}"
                    );
                    assert!(query_param(&back, "code").is_none());
                }
                other => panic!("{target}: {other:?}"),
            }
        }
        assert_eq!(v4_seen.load(Ordering::SeqCst), 0, "{}", backend.name());
        if let Some((_, seen)) = v6 {
            assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
        }
    }
}

#[tokio::test]
async fn unregistered_request_uri_and_unregistered_redirect_uri_are_refused_before_any_fetch() {
    for backend in backends() {
        // Loopback allowed (the test default): only registration and redirect checks stop these.
        let t = TestServer::start(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await.unwrap();
        let registered = format!("http://localhost:{port}/registered");
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал".into(),
                redirect_uris: vec![REDIRECT.into()],
                request_uris: vec![registered.clone()],
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let browser = Browser::new(&t.base);
        // Not registered by the client: refused at its redirect URI, nothing fetched.
        let url = authorize_with_request_uri(&t, &client.id, &format!("http://localhost:{port}/x"));
        match browser.follow(&url).await {
            Landing::Left(back) => assert_eq!(
                query_param(&back, "error").as_deref(),
                Some("invalid_request_uri")
            ),
            other => panic!("{other:?}"),
        }
        // Registered, but the query's redirect_uri is not the client's: a page, nothing fetched.
        let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", &client.id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid")
            .append_pair("redirect_uri", "https://attacker.example/cb")
            .append_pair("request_uri", &registered);
        match browser.follow(url.as_str()).await {
            Landing::Page(400, _) => {}
            other => panic!("{other:?}"),
        }
        // No such client: a page, nothing fetched.
        let url = authorize_with_request_uri(&t, "no-such-client", &registered);
        match browser.follow(&url).await {
            Landing::Page(400, _) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn jwks_uri_backchannel_and_sector_identifier_to_internal_targets_are_refused() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await.unwrap();

        // jwks_uri on loopback: the assertion cannot be checked, the client is refused.
        let (client, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "RP с внутренним jwks_uri".into(),
                grant_types: vec!["client_credentials".into()],
                auth_method: Some(AuthMethod::PrivateKeyJwt),
                jwks_uri: Some(format!("http://localhost:{port}/jwks")),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let (signer, _) = rsa_key("k1");
        let aud = format!("{}/token", t.issuer());
        let (status, body) =
            assertion_request(&t, &client.id, &assertion(&signer, "k1", &client.id, &aud)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );

        // sector_identifier_uri on loopback and at a literal internal address.
        for sector in [
            format!("http://localhost:{port}/sector.json"),
            format!("https://127.0.0.1:{port}/sector.json"),
        ] {
            let refused = clients::register_with(
                &t.app.store,
                &t.app.outbound,
                NewClient {
                    name: "Сектор".into(),
                    redirect_uris: vec!["https://a.example.gov/cb".into()],
                    pairwise: true,
                    sector_identifier_uri: Some(sector.clone()),
                    ..NewClient::default()
                },
            )
            .await;
            assert!(refused.is_err(), "{sector}");
        }

        // Back-channel logout to loopback: the person's logout happens, no delivery is attempted.
        let (client, secret) = clients::register(
            &t.app.store,
            NewClient {
                name: "Портал с выходом".into(),
                redirect_uris: vec![REDIRECT.into()],
                post_logout_redirect_uris: vec!["https://portal.example.gov/bye".into()],
                backchannel_logout_uri: Some(format!("http://localhost:{port}/bc")),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        t.add_person("bc@example.org").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client.id, "bc@example.org").await;
        let (_, tokens) =
            redeem(&t, &client.id, secret.as_deref().unwrap(), &code, &verifier).await;
        let url = format!(
            "/session/end?id_token_hint={}&post_logout_redirect_uri={}",
            tokens["id_token"].as_str().unwrap(),
            urlencode("https://portal.example.gov/bye")
        );
        let page = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        match browser
            .submit_follow(&page, "/session/end/confirm", &[])
            .await
        {
            Landing::Left(u) => assert!(u.starts_with("https://portal.example.gov/bye")),
            other => panic!("{other:?}"),
        }
        // Give the job worker its first attempt and a retry.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        t.app.clock.advance(60);
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

        // The guard itself, directly: loopback refused without a connection.
        let direct = t
            .app
            .outbound
            .post_form(&format!("http://localhost:{port}/bc"), &[("a", "b")])
            .await;
        assert!(
            matches!(direct, Err(vhod::outbound::FetchError::Refused(_))),
            "{direct:?}"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn outbound_guard_limits_response_size_and_does_not_follow_redirects() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let app = axum::Router::new()
        .route(
            "/big",
            axum::routing::get(|| async { "x".repeat(65 * 1024) }),
        )
        .route(
            "/moved",
            axum::routing::get(|| async { axum::response::Redirect::temporary("/big") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let big = t
        .app
        .outbound
        .get(&format!("http://localhost:{port}/big"))
        .await;
    assert_eq!(big, Err(vhod::outbound::FetchError::TooLarge(64 * 1024)));
    let moved = t
        .app
        .outbound
        .get(&format!("http://localhost:{port}/moved"))
        .await;
    assert_eq!(moved, Err(vhod::outbound::FetchError::Status(307)));
}

// ---------------------------------------------------------------------------------------- #4 --

#[tokio::test]
async fn oversized_token_request_body_is_refused_with_413_before_any_work() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let body = format!(
        "grant_type=client_credentials&pad={}",
        "a".repeat(2 * 1024 * 1024)
    );
    let res = no_redirect_client()
        .post(format!("{}/token", t.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let json: Value = res.json().await.unwrap();
    assert_eq!(json["error"], "invalid_request");
    // 40 000 distinct empty parameters (about 230 KiB) are over the limit as well.
    let flood: String = (0..40_000).map(|i| format!("p{i}&")).collect();
    let res = no_redirect_client()
        .post(format!("{}/token", t.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(flood)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn too_many_parameters_are_refused_as_invalid_request() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (client_id, secret) = t.add_client(REDIRECT, false).await;
    let mut form: Vec<(String, String)> =
        (0..150).map(|i| (format!("p{i}"), String::new())).collect();
    form.push(("grant_type".into(), "client_credentials".into()));
    let res = no_redirect_client()
        .post(format!("{}/token", t.base))
        .basic_auth(&client_id, secret.as_deref())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let json: Value = res.json().await.unwrap();
    assert_eq!(json["error"], "invalid_request");
    // The same at /par and /introspect.
    for endpoint in ["/par", "/introspect"] {
        let res = no_redirect_client()
            .post(format!("{}{endpoint}", t.base))
            .basic_auth(&client_id, secret.as_deref())
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{endpoint}");
    }
}

// ---------------------------------------------------------------------------------------- #5 --

fn rsa_key(kid: &str) -> (josekit::jws::alg::rsassa::RsassaJwsSigner, Value) {
    let kp = RS256.generate_key_pair(2048).unwrap();
    let mut public = kp.to_jwk_public_key();
    public.set_key_id(kid);
    let signer = RS256.signer_from_jwk(&kp.to_jwk_private_key()).unwrap();
    (signer, Value::Object(public.as_ref().clone()))
}

fn assertion(
    signer: &josekit::jws::alg::rsassa::RsassaJwsSigner,
    kid: &str,
    client_id: &str,
    aud: &str,
) -> String {
    let mut header = JwsHeader::new();
    header.set_key_id(kid);
    let mut p = JwtPayload::new();
    p.set_issuer(client_id);
    p.set_subject(client_id);
    p.set_audience(vec![aud]);
    p.set_jwt_id(vhod::crypto::random_token());
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

async fn jwks_client(t: &TestServer, port: u16) -> String {
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
    client.id.to_string()
}

#[tokio::test]
async fn random_kids_refetch_the_jwks_uri_at_most_once_per_interval() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (signer, public) = rsa_key("real");
        let (port, fetches) = counting_server("/jwks", Some(json!({ "keys": [public] }))).await;
        let client_id = jwks_client(&t, port).await;
        let aud = format!("{}/token", t.issuer());
        for _ in 0..6 {
            let kid = vhod::crypto::random_token();
            let (status, _) =
                assertion_request(&t, &client_id, &assertion(&signer, &kid, &client_id, &aud))
                    .await;
            assert_eq!(status, 401);
        }
        // The first fetch, and at most one refetch for all the unknown kids.
        let n = fetches.load(Ordering::SeqCst);
        assert!((1..=2).contains(&n), "{}: {n} fetches", backend.name());
        // The real key still works, from the cached set.
        let (status, body) = assertion_request(
            &t,
            &client_id,
            &assertion(&signer, "real", &client_id, &aud),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(fetches.load(Ordering::SeqCst), n);
    }
}

#[tokio::test]
async fn a_failing_jwks_uri_is_not_fetched_on_every_request() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (signer, _) = rsa_key("k");
        let (port, fetches) = counting_server("/jwks", None).await;
        let client_id = jwks_client(&t, port).await;
        let aud = format!("{}/token", t.issuer());
        for _ in 0..6 {
            let kid = vhod::crypto::random_token();
            let (status, _) =
                assertion_request(&t, &client_id, &assertion(&signer, &kid, &client_id, &aud))
                    .await;
            assert_eq!(status, 401);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "{}", backend.name());
    }
}

// ---------------------------------------------------------------------------------------- #6 --

fn unsigned(claims: Value) -> String {
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

async fn credentials_request(t: &TestServer, id: &str, secret: &str, basic: bool) -> u16 {
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

fn hmac_b64(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
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
