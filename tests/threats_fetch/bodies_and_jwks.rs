use super::*;

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

pub(crate) fn rsa_key(kid: &str) -> (josekit::jws::alg::rsassa::RsassaJwsSigner, Value) {
    let kp = RS256.generate_key_pair(2048).unwrap();
    let mut public = kp.to_jwk_public_key();
    public.set_key_id(kid);
    let signer = RS256.signer_from_jwk(&kp.to_jwk_private_key()).unwrap();
    (signer, Value::Object(public.as_ref().clone()))
}

pub(crate) fn assertion(
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

pub(crate) async fn assertion_request(
    t: &TestServer,
    client_id: &str,
    assertion: &str,
) -> (u16, Value) {
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

pub(crate) async fn jwks_client(t: &TestServer, port: u16) -> String {
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
