//! Helpers: servers with a 1-second poll interval, device and CIBA clients, polling, and the
//! person's side driven like a browser.

use crate::common::*;
use josekit::jws::{ES256, JwsHeader};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};
use vhod::clients::{self, AuthMethod, NewClient};
use vhod::config::Config;

pub const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub const CIBA: &str = "urn:openid:params:grant-type:ciba";

/// A node whose clients may poll every second (the default 5 s would slow every test down).
pub async fn start(backend: &Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
    let mut c = test_config(backend);
    c.backchannel.interval = 1;
    tweak(&mut c);
    TestServer::start_with(backend, c).await
}

/// A client registered for the device grant (public: no secret).
pub async fn device_client(t: &TestServer, public: bool) -> (String, Option<String>) {
    let (c, secret) = clients::register(
        &t.app.store,
        NewClient {
            name: "Телевизор в МФЦ".into(),
            is_public: public,
            grant_types: vec!["device_code".into()],
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    (c.id.to_string(), secret)
}

async fn post(
    t: &TestServer,
    path: &str,
    client: (&str, Option<&str>),
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = no_redirect_client().post(format!("{}{path}", t.base));
    let mut form: Vec<(&str, &str)> = form.to_vec();
    match client.1 {
        Some(secret) => req = req.basic_auth(urlencode(client.0), Some(urlencode(secret))),
        None => form.push(("client_id", client.0)),
    }
    let res = req.form(&form).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn device_authorization(
    t: &TestServer,
    client: (&str, Option<&str>),
    scope: &str,
) -> (u16, Value) {
    post(t, "/device_authorization", client, &[("scope", scope)]).await
}

pub async fn poll_device(
    t: &TestServer,
    client: (&str, Option<&str>),
    device_code: &str,
) -> (u16, Value) {
    post(
        t,
        "/token",
        client,
        &[("grant_type", DEVICE), ("device_code", device_code)],
    )
    .await
}

/// Waits out the poll interval (1 s in these tests).
pub async fn wait_interval() {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

/// The person opens `url` (verification_uri_complete or an approval link), signs in with the
/// password when asked and lands on the approval page: its HTML.
pub async fn reach_approval(
    browser: &Browser,
    url: &str,
    login: &str,
    form: Option<&str>,
) -> String {
    let page = match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let page = match form {
        // The device page: the code is in the form; it may be typed differently.
        Some(typed) => match browser
            .submit_follow(&page, "/device", &[("user_code", typed)])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("code not accepted: {other:?}"),
        },
        None => page,
    };
    if page.contains("name=\"decision\"") {
        return page;
    }
    assert!(
        page.contains("name=\"password\""),
        "login page expected: {page}"
    );
    match browser
        .submit_follow(&page, "/login", &[("login", login), ("password", PASSWORD)])
        .await
    {
        Landing::Page(200, html) if html.contains("name=\"decision\"") => html,
        other => panic!("approval page expected after login: {other:?}"),
    }
}

/// Submits the approval page's decision; (status, page).
pub async fn decide(browser: &Browser, page: &str, action: &str, decision: &str) -> (u16, String) {
    let res = browser
        .submit(page, action, &[("decision", decision)])
        .await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// An ES256 key pair for private_key_jwt: (signer, public JWK).
pub fn client_key(kid: &str) -> (josekit::jws::alg::ecdsa::EcdsaJwsSigner, Value) {
    let kp = ES256.generate_key_pair().unwrap();
    let mut public = kp.to_jwk_public_key();
    public.set_key_id(kid);
    public.set_algorithm("ES256");
    let signer = ES256.signer_from_jwk(&kp.to_jwk_private_key()).unwrap();
    (signer, Value::Object(public.as_ref().clone()))
}

pub struct CibaClient {
    pub id: String,
    pub signer: josekit::jws::alg::ecdsa::EcdsaJwsSigner,
}

/// A CIBA client (private_key_jwt) in `mode`, with a notification endpoint for ping.
pub async fn ciba_client(t: &TestServer, mode: &str, endpoint: Option<&str>) -> CibaClient {
    let (signer, public) = client_key("k1");
    let (c, _) = clients::register(
        &t.app.store,
        NewClient {
            name: "Колл-центр ведомства".into(),
            grant_types: vec!["ciba".into()],
            auth_method: Some(AuthMethod::PrivateKeyJwt),
            jwks: Some(json!({ "keys": [public] }).to_string()),
            ciba_mode: Some(mode.into()),
            ciba_notification_endpoint: endpoint.map(str::to_owned),
            ..NewClient::default()
        },
    )
    .await
    .unwrap();
    CibaClient {
        id: c.id.to_string(),
        signer,
    }
}

/// A signed JWT by the client: a client assertion or a signed authentication request.
pub fn signed(c: &CibaClient, aud: &str, extra: Value) -> String {
    let mut header = JwsHeader::new();
    header.set_key_id("k1");
    let mut p = JwtPayload::new();
    p.set_issuer(&c.id);
    p.set_audience(vec![aud]);
    p.set_jwt_id(uuid::Uuid::now_v7().to_string());
    let now = std::time::SystemTime::now();
    p.set_issued_at(&now);
    p.set_not_before(&now);
    p.set_expires_at(&(now + std::time::Duration::from_secs(120)));
    if let Value::Object(m) = extra {
        for (k, v) in m {
            p.set_claim(&k, Some(v)).unwrap();
        }
    }
    jwt::encode_with_signer(&p, &header, &c.signer).unwrap()
}

/// POST to `path` with private_key_jwt client authentication.
pub async fn ciba_post(
    t: &TestServer,
    c: &CibaClient,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let assertion = signed(c, &t.issuer(), json!({ "sub": c.id }));
    let mut form: Vec<(&str, &str)> = form.to_vec();
    form.push((
        "client_assertion_type",
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    ));
    form.push(("client_assertion", &assertion));
    let res = no_redirect_client()
        .post(format!("{}{path}", t.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn bc_authorize(t: &TestServer, c: &CibaClient, form: &[(&str, &str)]) -> (u16, Value) {
    ciba_post(t, c, "/bc-authorize", form).await
}

pub async fn poll_ciba(t: &TestServer, c: &CibaClient, auth_req_id: &str) -> (u16, Value) {
    ciba_post(
        t,
        c,
        "/token",
        &[("grant_type", CIBA), ("auth_req_id", auth_req_id)],
    )
    .await
}

/// The approval link in the newest message to `to`.
pub async fn approval_link(t: &TestServer, to: &str) -> String {
    let msg = t.last_message(to).await;
    let body = msg["body"].as_str().unwrap_or_default().to_string();
    let start = body
        .find("http")
        .unwrap_or_else(|| panic!("no link in {msg}"));
    let link: String = body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(link.contains("/ciba?id="), "{link}");
    link
}
