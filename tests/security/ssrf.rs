//! SSRF through every URL vhod fetches (RFC 9700 §4.x / OIDC threat model, ASVS V12.6): a URL a
//! client registers (jwks_uri, request_uri, sector_identifier_uri, backchannel_logout_uri) or a
//! CRL source goes through `vhod::outbound`; internal, link-local, unspecified and non-http(s)
//! targets are refused before any connection (a listener counts the connections it gets), names
//! that resolve to loopback too, and a redirect from a permitted host to an internal one is never
//! followed. Gateways the operator configures (registry, SMS, partner bank) are not client-named:
//! they accept only http(s) URLs at start-up and never follow a redirect.

use crate::common::*;
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use vhod::clients::{self, AuthMethod, NewClient};
use vhod::outbound::FetchError;

/// A TCP listener on `addr` counting the connections it accepts (answering none).
async fn tripwire(addr: &str) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((_sock, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, seen)
}

/// A server on 127.0.0.1 answering every request with a 302 to `to`.
async fn redirector(to: String) -> u16 {
    let app = axum::Router::new().fallback(move || {
        let to = to.clone();
        async move { axum::response::Redirect::temporary(&to) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

/// The production outbound policy (nothing internal allowed) with dev mode's http.
async fn strict_server(backend: &Backend) -> TestServer {
    let mut config = test_config(backend);
    config.outbound.allow = String::new();
    TestServer::start_with(backend, config).await
}

/// Internal targets an attacker would name, `port` being a tripwire on loopback: loopback in
/// every spelling, private networks, link-local (cloud metadata), unique-local, unspecified
/// (0.0.0.0 reaches loopback on Linux), and names resolving to loopback.
fn internal(path: &str, port: u16) -> Vec<String> {
    [
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("http://127.1.2.3:{port}"),
        format!("http://0.0.0.0:{port}"),
        format!("http://[::1]:{port}"),
        format!("http://[::ffff:127.0.0.1]:{port}"),
        format!("http://localhost:{port}"),
        format!("http://LocalHost:{port}"),
        "https://10.0.0.1".into(),
        "https://172.16.0.1".into(),
        "https://172.31.255.254".into(),
        "https://192.168.0.1".into(),
        "http://169.254.169.254".into(),
        "https://[fc00::1]".into(),
        "https://[fd12:3456::1]".into(),
        "https://[fe80::1]".into(),
        "https://[::]".into(),
    ]
    .into_iter()
    .map(|base| format!("{base}{path}"))
    .collect()
}

/// Schemes other than http(s).
fn non_http(port: u16) -> Vec<String> {
    vec![
        "file:///etc/passwd".into(),
        format!("gopher://127.0.0.1:{port}/_x"),
        format!("ftp://127.0.0.1:{port}/x"),
        format!("dict://127.0.0.1:{port}/x"),
        "data:application/json,{}".into(),
    ]
}

fn refused(r: &Result<Vec<u8>, FetchError>) -> bool {
    matches!(r, Err(FetchError::Refused(_)))
}

/// The guard itself, for GET and POST, on every target: refused, not merely failed.
async fn guard_refuses_all(t: &TestServer, targets: &[String]) {
    for target in targets {
        let get = t.app.outbound.get(target).await;
        assert!(refused(&get), "GET {target}: {get:?}");
        let post = t.app.outbound.post_form(target, &[("a", "b")]).await;
        assert!(refused(&post), "POST {target}: {post:?}");
    }
}

#[tokio::test]
async fn ssrf_request_uri_to_internal_and_non_http_targets_is_refused_before_connecting() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await;
        let browser = Browser::new(&t.base);
        let (mut at_registration, mut at_fetch) = (0, 0);
        for target in internal("/ro.jwt", port) {
            // Plain http is registered for loopback names only; the rest stop here already.
            let Ok((client, _)) = clients::register(
                &t.app.store,
                NewClient {
                    name: "Портал".into(),
                    redirect_uris: vec![REDIRECT.into()],
                    request_uris: vec![target.clone()],
                    ..NewClient::default()
                },
            )
            .await
            else {
                at_registration += 1;
                continue;
            };
            at_fetch += 1;
            let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
            url.query_pairs_mut()
                .append_pair("client_id", &client.id)
                .append_pair("response_type", "code")
                .append_pair("scope", "openid")
                .append_pair("redirect_uri", REDIRECT)
                .append_pair("request_uri", &target);
            match browser.follow(url.as_str()).await {
                Landing::Left(back) => assert_eq!(
                    query_param(&back, "error").as_deref(),
                    Some("invalid_request_uri"),
                    "{target}"
                ),
                other => panic!("{target}: {other:?}"),
            }
        }
        assert!(
            at_fetch >= 10 && at_registration >= 1,
            "{at_fetch} {at_registration}"
        );
        guard_refuses_all(&t, &internal("/ro.jwt", port)).await;
        for scheme in non_http(port) {
            let registered = clients::register(
                &t.app.store,
                NewClient {
                    name: "Портал".into(),
                    redirect_uris: vec![REDIRECT.into()],
                    request_uris: vec![scheme.clone()],
                    ..NewClient::default()
                },
            )
            .await;
            assert!(registered.is_err(), "{scheme} registered");
        }
        guard_refuses_all(&t, &non_http(port)).await;
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

fn assertion(kid: &str, client_id: &str, aud: &str) -> String {
    let kp = RS256.generate_key_pair(2048).unwrap();
    let signer = RS256.signer_from_jwk(&kp.to_jwk_private_key()).unwrap();
    let mut header = JwsHeader::new();
    header.set_key_id(kid);
    let mut p = JwtPayload::new();
    p.set_issuer(client_id);
    p.set_subject(client_id);
    p.set_audience(vec![aud]);
    p.set_jwt_id(vhod::crypto::random_token());
    p.set_expires_at(&(std::time::SystemTime::now() + std::time::Duration::from_secs(120)));
    jwt::encode_with_signer(&p, &header, &signer).unwrap()
}

/// A private_key_jwt client whose keys are at `jwks_uri`; the answer to its client assertion.
async fn assertion_at(t: &TestServer, jwks_uri: &str) -> Result<(u16, Value), String> {
    let (client, _) = clients::register(
        &t.app.store,
        NewClient {
            name: "RP с jwks_uri".into(),
            grant_types: vec!["client_credentials".into()],
            auth_method: Some(AuthMethod::PrivateKeyJwt),
            jwks_uri: Some(jwks_uri.to_string()),
            ..NewClient::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let aud = format!("{}/token", t.issuer());
    let res = no_redirect_client()
        .post(format!("{}/token", t.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.id.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion("k1", &client.id, &aud)),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    Ok((status, res.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn ssrf_jwks_uri_to_internal_and_non_http_targets_is_refused_before_connecting() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await;
        // One client on loopback by name and one at the metadata address go the whole way.
        for target in [
            format!("http://localhost:{port}/jwks"),
            "https://169.254.169.254/jwks".to_string(),
        ] {
            let (status, body) = assertion_at(&t, &target).await.unwrap();
            assert_eq!(
                (status, body["error"].as_str()),
                (401, Some("invalid_client"))
            );
        }
        guard_refuses_all(&t, &internal("/jwks", port)).await;
        for scheme in non_http(port) {
            assert!(
                assertion_at(&t, &scheme).await.is_err(),
                "{scheme} registered"
            );
        }
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn ssrf_sector_identifier_uri_to_internal_and_non_http_targets_is_refused() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await;
        for target in internal("/sector.json", port)
            .into_iter()
            .chain(non_http(port))
        {
            let registered = clients::register_with(
                &t.app.store,
                &t.app.outbound,
                NewClient {
                    name: "Сектор".into(),
                    redirect_uris: vec!["https://a.example.gov/cb".into()],
                    pairwise: true,
                    sector_identifier_uri: Some(target.clone()),
                    ..NewClient::default()
                },
            )
            .await;
            assert!(registered.is_err(), "{target}");
        }
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn ssrf_backchannel_logout_uri_to_internal_and_non_http_targets_is_refused() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await;
        // The delivery is a POST through the guard (oidc/logout.rs): refused for every target.
        guard_refuses_all(&t, &internal("/bc", port)).await;
        for scheme in non_http(port) {
            let registered = clients::register(
                &t.app.store,
                NewClient {
                    name: "Портал с выходом".into(),
                    redirect_uris: vec![REDIRECT.into()],
                    backchannel_logout_uri: Some(scheme.clone()),
                    ..NewClient::default()
                },
            )
            .await;
            assert!(registered.is_err(), "{scheme} registered");
        }
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn ssrf_crl_source_at_an_internal_address_is_refused_before_connecting() {
    for backend in backends() {
        let t = strict_server(&backend).await;
        let (port, seen) = tripwire("127.0.0.1:0").await;
        // CRLs are fetched with the guard's own size limit (crypto/qes/crl.rs).
        for target in internal("/list.crl", port) {
            let r = t.app.outbound.get_limited(&target, 16 << 20).await;
            assert!(refused(&r), "{target}: {r:?}");
        }
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn ssrf_a_redirect_from_a_permitted_host_to_an_internal_target_is_not_followed() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.outbound.allow = "127.0.0.1/32".into();
        let t = TestServer::start_with(&backend, config).await;
        let (port, seen) = tripwire("127.0.0.2:0").await;
        let hop = redirector(format!("http://127.0.0.2:{port}/x")).await;
        let r = t
            .app
            .outbound
            .get(&format!("http://127.0.0.1:{hop}/jwks"))
            .await;
        assert!(
            matches!(r, Err(FetchError::Status(s)) if (300..400).contains(&s)),
            "{r:?}"
        );
        let r = t
            .app
            .outbound
            .post_form(&format!("http://127.0.0.1:{hop}/bc"), &[])
            .await;
        assert!(
            matches!(r, Err(FetchError::Status(s)) if (300..400).contains(&s)),
            "{r:?}"
        );
        // And the target itself, named directly, is outside the permitted /32.
        let r = t
            .app
            .outbound
            .get(&format!("http://127.0.0.2:{port}/x"))
            .await;
        assert!(refused(&r), "{r:?}");
        assert_eq!(seen.load(Ordering::SeqCst), 0, "{}", backend.name());
    }
}

#[tokio::test]
async fn ssrf_operator_gateways_take_only_http_urls_and_never_follow_a_redirect() {
    let (port, seen) = tripwire("127.0.0.2:0").await;
    let hop = redirector(format!("http://127.0.0.2:{port}/x")).await;
    let mut identity = vhod::config::Config::defaults().identity;
    identity.verifier = "http".into();
    for scheme in non_http(port) {
        identity.registry_url = scheme.clone();
        assert!(
            vhod::identity::verifier::Verifier::from_config(&identity).is_err(),
            "{scheme}"
        );
    }
    identity.registry_url = format!("http://127.0.0.1:{hop}/check");
    let registry = vhod::identity::verifier::Verifier::from_config(&identity).unwrap();
    let req = vhod::identity::verifier::CheckRequest {
        check_id: "c1".into(),
        surname: "Иванов".into(),
        given_name: "Иван".into(),
        patronymic: None,
        birth_date: "1990-01-01".into(),
        snils: "11223344595".into(),
        document_kind: "passport_rf".into(),
        document: Value::Null,
    };
    assert!(
        registry.check(&req).await.is_err(),
        "a redirect is a failure"
    );

    let mut notify = vhod::config::Config::defaults().notify;
    for scheme in non_http(port) {
        notify.sms_url = scheme.clone();
        assert!(
            vhod::notify::sms_http::SmsGateway::new(&notify).is_err(),
            "{scheme}"
        );
    }
    notify.sms_url = format!("http://127.0.0.1:{hop}/sms");
    notify.sms_retries = 0;
    let sms = vhod::notify::sms_http::SmsGateway::new(&notify).unwrap();
    assert!(sms.send("+79001230000", "Код 123456").await.is_err());

    // The partner bank (vhod as a relying party): discovery through a redirect fails.
    let cache = vhod::cache::Cache::open("memory", "", std::time::Duration::from_secs(1))
        .await
        .unwrap();
    let issuer = format!("http://127.0.0.1:{hop}");
    let bank = vhod::relying_party::Provider {
        issuer: &issuer,
        client_id: "vhod",
        client_secret: "s",
        redirect_uri: "https://vhod.example/bank/callback".into(),
        purpose: "bank",
    };
    assert!(
        vhod::relying_party::start(&cache, &bank, &["openid"], 60, ())
            .await
            .is_err()
    );
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}
