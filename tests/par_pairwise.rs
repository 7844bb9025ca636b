//! Pushed authorization requests (RFC 9126) and pairwise subject identifiers (OIDC Core §8.1).

mod common;

use common::*;
use serde_json::Value;
use vhod::clients::{self, NewClient};

async fn push(
    t: &TestServer,
    client_id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let res = no_redirect_client()
        .post(format!("{}/par", t.base))
        .basic_auth(client_id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn pushed_request_is_used_once_and_a_par_only_client_cannot_skip_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client, secret) = clients::register(
            &t.app.store,
            NewClient {
                name: "PAR portal".into(),
                redirect_uris: vec![REDIRECT.into()],
                require_par: true,
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let secret = secret.unwrap();
        t.add_person("par@example.org").await;
        let (verifier, challenge) = pkce_pair();
        let form = [
            ("response_type", "code"),
            ("client_id", client.id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "pushed"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let (status, body) = push(&t, &client.id, &secret, &form).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["expires_in"], 60);
        let request_uri = body["request_uri"].as_str().unwrap().to_string();
        assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));

        let url = format!(
            "{}/authorize?client_id={}&request_uri={}",
            t.base,
            client.id,
            urlencode(&request_uri)
        );
        let browser = Browser::new(&t.base);
        let back = browser
            .authorize_and_login(&url, "par@example.org", PASSWORD)
            .await;
        assert_eq!(query_param(&back, "state").as_deref(), Some("pushed"));
        let (status, _) = redeem(
            &t,
            &client.id,
            &secret,
            &query_param(&back, "code").unwrap(),
            &verifier,
        )
        .await;
        assert_eq!(status, 200);

        // Single use.
        let res = browser.get(&url).await;
        assert_eq!(res.status(), 400, "{}", backend.name());
        assert!(location(&res).is_none());
        // Skipping PAR is refused for this client.
        let direct = authorize_url(
            &t.base,
            &client.id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        match browser.follow(&direct).await {
            Landing::Left(u) => {
                assert_eq!(query_param(&u, "error").as_deref(), Some("invalid_request"))
            }
            other => panic!("{other:?}"),
        }
        // Errors come back from /par at once, as JSON.
        let (status, body) = push(
            &t,
            &client.id,
            &secret,
            &[
                ("response_type", "code"),
                ("redirect_uri", "https://evil.example/"),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request"))
        );
        let (status, body) = push(
            &t,
            &client.id,
            &secret,
            &[
                ("response_type", "token"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unsupported_response_type"))
        );
        let (status, body) = push(&t, &client.id, "wrong", &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        // Another client cannot use a pushed request.
        let (status, body) = push(&t, &client.id, &secret, &form).await;
        assert_eq!(status, 201);
        let (other, _) = t.add_client(REDIRECT, false).await;
        let stolen = format!(
            "{}/authorize?client_id={other}&request_uri={}",
            t.base,
            urlencode(body["request_uri"].as_str().unwrap())
        );
        assert_eq!(browser.get(&stolen).await.status(), 400);
    }
}

#[tokio::test]
async fn pairwise_clients_of_different_sectors_see_different_stable_subjects() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let mut ids = vec![];
        for (name, redirect) in [
            ("Налоговая", "https://tax.example.gov/cb"),
            ("Налоговая, второй портал", "https://tax.example.gov/other"),
            ("Пенсионный фонд", "https://pension.example.gov/cb"),
        ] {
            let (c, s) = clients::register(
                &t.app.store,
                NewClient {
                    name: name.into(),
                    redirect_uris: vec![redirect.into()],
                    pairwise: true,
                    ..NewClient::default()
                },
            )
            .await
            .unwrap();
            ids.push((c.id, s.unwrap(), redirect));
        }
        let account = t.add_person("pairwise@example.org").await;
        let browser = Browser::new(&t.base);
        let mut subs = vec![];
        for (client_id, secret, redirect) in &ids {
            let (verifier, challenge) = pkce_pair();
            let url = authorize_url(
                &t.base,
                client_id,
                redirect,
                &[
                    ("code_challenge", &challenge),
                    ("code_challenge_method", "S256"),
                ],
            );
            let back = browser
                .authorize_and_login(&url, "pairwise@example.org", PASSWORD)
                .await;
            let code = query_param(&back, "code").unwrap();
            let (status, tokens) = token_request(
                &t,
                client_id,
                secret,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", &verifier),
                ],
            )
            .await;
            assert_eq!(status, 200, "{tokens}");
            let sub = id_token_claims(&tokens)["sub"]
                .as_str()
                .unwrap()
                .to_string();
            let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
            assert_eq!(info["sub"], sub.as_str(), "userinfo and ID token agree");
            assert_ne!(sub, account, "the account id is not revealed");
            subs.push(sub);
        }
        assert_eq!(subs[0], subs[1], "same sector (host), same subject");
        assert_ne!(subs[0], subs[2], "different sectors cannot correlate");
    }
}

#[tokio::test]
async fn pairwise_registration_checks_the_sector_identifier_uri() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let app = axum::Router::new().route(
        "/sector.json",
        axum::routing::get(|| async {
            axum::Json(vec!["https://a.example.gov/cb", "https://b.example.gov/cb"])
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let sector_uri = format!("http://localhost:{port}/sector.json");
    // Fetched through the configured outbound guard (the test configuration allows loopback).
    let ok = clients::register_with(
        &t.app.store,
        &t.app.outbound,
        NewClient {
            name: "Два хоста".into(),
            redirect_uris: vec![
                "https://a.example.gov/cb".into(),
                "https://b.example.gov/cb".into(),
            ],
            pairwise: true,
            sector_identifier_uri: Some(sector_uri.clone()),
            ..NewClient::default()
        },
    )
    .await;
    assert_eq!(ok.unwrap().0.pairwise_sector.as_deref(), Some("localhost"));
    let unlisted = clients::register_with(
        &t.app.store,
        &t.app.outbound,
        NewClient {
            name: "Лишний адрес".into(),
            redirect_uris: vec!["https://c.example.gov/cb".into()],
            pairwise: true,
            sector_identifier_uri: Some(sector_uri),
            ..NewClient::default()
        },
    )
    .await;
    assert!(
        unlisted
            .unwrap_err()
            .to_string()
            .contains("does not list the redirect URI")
    );
    let two_hosts = clients::register(
        &t.app.store,
        NewClient {
            name: "Без сектора".into(),
            redirect_uris: vec![
                "https://a.example.gov/cb".into(),
                "https://b.example.gov/cb".into(),
            ],
            pairwise: true,
            ..NewClient::default()
        },
    )
    .await;
    assert!(two_hosts.is_err());
}
