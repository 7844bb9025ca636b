//! Helpers of the "tokens" threat tests (tests/threats_tokens.rs, tests/consent_names_data.rs):
//! authorize with exact parameters, redeem, refresh, introspect.
#![allow(dead_code)]

use super::*;
use serde_json::Value;

/// An authorization URL with PKCE and exactly these parameters (scope included).
pub fn auth_url(base: &str, client_id: &str, params: &[(&str, &str)]) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let mut u = url::Url::parse(&format!("{base}/authorize")).unwrap();
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", client_id);
        q.append_pair("redirect_uri", REDIRECT);
        q.append_pair("state", "st-1");
        q.append_pair("nonce", "n-1");
        q.append_pair("code_challenge", &challenge);
        q.append_pair("code_challenge_method", "S256");
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    (u.to_string(), verifier)
}

/// Signs `login` in (or reuses the browser's session), consents, redeems; the token response.
pub async fn tokens_for(
    t: &TestServer,
    browser: &Browser,
    client: (&str, &str),
    login: &str,
    scope: &str,
) -> Value {
    let (url, verifier) = auth_url(&t.base, client.0, &[("scope", scope)]);
    let back = browser.authorize_and_login(&url, login, PASSWORD).await;
    let code = query_param(&back, "code").unwrap_or_else(|| panic!("no code: {back}"));
    let (status, tokens) = redeem(t, client.0, client.1, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

pub async fn refresh(t: &TestServer, client: (&str, &str), token_response: &Value) -> (u16, Value) {
    token_request(
        t,
        client.0,
        client.1,
        &[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                token_response["refresh_token"].as_str().expect("refresh_token"),
            ),
        ],
    )
    .await
}

/// POST /introspect as the client; the JSON answer.
pub async fn introspect(t: &TestServer, client: (&str, &str), token: &str) -> Value {
    let res = no_redirect_client()
        .post(format!("{}/introspect", t.base))
        .basic_auth(urlencode(client.0), Some(urlencode(client.1)))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Whether the tokens of `token_response` still work: (userinfo status, introspection active,
/// refresh status).
pub async fn still_working(
    t: &TestServer,
    client: (&str, &str),
    token_response: &Value,
) -> (u16, bool, u16) {
    let access = token_response["access_token"].as_str().unwrap();
    let (ui, _) = userinfo(t, access).await;
    let active = introspect(t, client, access).await["active"] == true;
    let (rt, _) = refresh(t, client, token_response).await;
    (ui, active, rt)
}

/// A signed-in page of the browser (panics when the session is gone).
pub async fn page(browser: &Browser, url: &str) -> String {
    match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}
