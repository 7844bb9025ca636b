//! Helpers of the organisation sign-in tests (tests/orgs_oidc*.rs): a portal and driving the
//! choice page (the organisations are made with `TestServer::add_org`).
#![allow(dead_code)]

use super::common::*;
use super::tokens::*;
use serde_json::Value;

/// A portal (confidential client at REDIRECT): (client_id, secret).
pub async fn portal(t: &TestServer, require_org: bool) -> (String, String) {
    let (c, secret) = vhod::clients::register(
        &t.app.store,
        vhod::clients::NewClient {
            name: "Личный кабинет ЖКХ".into(),
            redirect_uris: vec![REDIRECT.to_string()],
            require_org,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (c.id.to_string(), secret.unwrap())
}

/// Authorizes with `params` on a signed-in browser, expecting the organisation choice page;
/// (page html, verifier).
pub async fn choice_page(
    t: &TestServer,
    b: &Browser,
    client_id: &str,
    params: &[(&str, &str)],
) -> (String, String) {
    let (url, verifier) = auth_url(&t.base, client_id, params);
    match b.follow(&url).await {
        Landing::Page(200, html) if html.contains("action=\"/org-choice\"") => (html, verifier),
        other => panic!("expected the organisation choice page for {params:?}: {other:?}"),
    }
}

/// Chooses `org` (an oid or "private") on the choice page; where the browser lands.
pub async fn choose(b: &Browser, html: &str, org: &str) -> Landing {
    b.submit_follow(html, "/org-choice", &[("org", org)]).await
}

/// Chooses `org`, allows on the consent page (when asked) and redeems: the token response.
pub async fn choose_and_redeem(
    t: &TestServer,
    b: &Browser,
    client: (&str, &str),
    html: &str,
    verifier: &str,
    org: &str,
) -> Value {
    match choose(b, html, org).await {
        Landing::Page(200, consent) if consent.contains("name=\"decision\"") => {
            allow_and_redeem(t, b, client, &consent, verifier).await
        }
        Landing::Left(back) => {
            let code = query_param(&back, "code").unwrap_or_else(|| panic!("no code: {back}"));
            let (status, tokens) = redeem(t, client.0, client.1, &code, verifier).await;
            assert_eq!(status, 200, "{tokens}");
            tokens
        }
        other => panic!("after the choice: {other:?}"),
    }
}

/// The payload of a JWT (unverified; signatures are checked elsewhere).
pub fn jwt_payload(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}
