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
                token_response["refresh_token"]
                    .as_str()
                    .expect("refresh_token"),
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

pub const SNILS: &str = "112-233-445 95";

/// A person with every kind of data verified: phone (login) and e-mail confirmed, both addresses,
/// SNILS and passport, INN, driving licence, medical policy, a vehicle and a child — stored the way
/// the registry check stores them (identity/levels, identity/records), the check ended verified.
pub async fn person_with_everything(t: &TestServer, phone: &str) -> String {
    use serde_json::json;
    use vhod::store::documents::CheckEnd;
    let id = t.add_person(phone).await;
    let store = &t.app.store;
    store
        .replace_contact(&id, "email", "everything@example.org")
        .await
        .unwrap();
    store
        .set_address(&id, "PRG", "г. Тверь, ул. Советская, д. 1")
        .await
        .unwrap();
    store
        .set_address(&id, "PLV", "г. Тверь, ул. Трёхсвятская, д. 2")
        .await
        .unwrap();
    let docs = [
        ("snils", json!({ "number": SNILS })),
        (
            "passport_rf",
            json!({ "series": "2815", "number": "123456", "issued": "2015-06-01",
                "issuer_code": "690-001", "surname": "Иванов", "given_name": "Иван",
                "patronymic": null, "birth_date": "1990-05-17", "birthplace": "г. Тверь",
                "gender": "M" }),
        ),
        ("inn", json!({ "number": "585204118212" })),
        (
            "drivers_licence",
            json!({ "series": "6912", "number": "345678", "issued": "2018-02-01",
                "expires": "2028-02-01" }),
        ),
        ("medical_policy", json!({ "number": "6950123456789012" })),
        (
            "vehicle",
            json!({ "name": "Лада Веста", "plate": "А123ВС69", "number": "9911223344" }),
        ),
        (
            "child",
            json!({ "surname": "Иванова", "given_name": "Мария", "birth_date": "2015-03-08",
                "number": "IV-ОН 123456" }),
        ),
    ];
    let check = store.submit_documents(&id, &docs, 5).await.unwrap();
    let ended = store
        .end_check(&check, CheckEnd::Verified, Some(SNILS), None)
        .await
        .unwrap();
    if ended.is_none() {
        // The worker's registry simulator got there first: wait for its (verified) answer.
        for _ in 0..40 {
            if store.verified_documents(&id).await.unwrap().len() == docs.len() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }
    assert_eq!(
        store.verified_documents(&id).await.unwrap().len(),
        docs.len(),
        "every document verified"
    );
    id
}

/// The consent page's list of data, tags stripped, lower-case.
pub fn consent_list(html: &str) -> String {
    let list = html
        .split("<ul class=\"scopes\">")
        .nth(1)
        .and_then(|r| r.split("</ul>").next())
        .unwrap_or_else(|| panic!("no consent list: {html}"));
    let mut text = String::new();
    let mut in_tag = false;
    for c in list.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.to_lowercase()
}

/// Authorizes with these parameters on a signed-in browser, expecting the consent page; returns
/// (page html, verifier).
pub async fn consent_page(
    t: &TestServer,
    browser: &Browser,
    client_id: &str,
    params: &[(&str, &str)],
) -> (String, String) {
    let (url, verifier) = auth_url(&t.base, client_id, params);
    match browser.follow(&url).await {
        Landing::Page(200, html) if html.contains("name=\"decision\"") => (html, verifier),
        other => panic!("expected the consent page for {params:?}: {other:?}"),
    }
}

/// Allows on the consent page and redeems: the token response.
pub async fn allow_and_redeem(
    t: &TestServer,
    browser: &Browser,
    client: (&str, &str),
    html: &str,
    verifier: &str,
) -> Value {
    let back = match browser
        .submit_follow(html, "/consent", &[("decision", "allow")])
        .await
    {
        Landing::Left(url) => url,
        other => panic!("consent did not redirect: {other:?}"),
    };
    let code = query_param(&back, "code").unwrap_or_else(|| panic!("no code: {back}"));
    let (status, tokens) = redeem(t, client.0, client.1, &code, verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// A browser signed in as `login` (through the login page).
pub async fn signed_in(t: &TestServer, login: &str) -> Browser {
    let b = Browser::new(&t.base);
    let html = page(&b, "/login").await;
    let res = b
        .submit(&html, "/login", &[("login", login), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status(), 303, "signed in");
    b
}
