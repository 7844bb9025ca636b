//! WebAuthn passkeys over HTTP, with a software authenticator (webauthn-authenticator-rs SoftToken)
//! standing in for the device: enrolment from settings (fresh login only), passwordless sign-in with
//! acr/amr in the ID token, removal, foreign RP ids, replayed/expired ceremonies, cloned keys, and a
//! ceremony that hops between two nodes.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/passkey_device.rs"]
mod passkey_device;

use common::login::sign_in_303_to_account;
use common::*;
use passkey_device::Device;
use serde_json::{Value, json};
use webauthn_rs::prelude::Url;

/// `data-csrf="…"` of the page (the script's holder element).
fn data_csrf(html: &str) -> String {
    html.split("data-csrf=\"")
        .nth(1)
        .expect("data-csrf on the page")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

async fn post_json(browser: &Browser, url: &str, body: &Value) -> (u16, Value) {
    let res = browser
        .http
        .post(format!("{}{url}", browser.base))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn page(browser: &Browser, url: &str) -> String {
    match browser.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}

async fn sign_out(browser: &Browser) {
    let html = page(browser, "/account").await;
    let res = browser.submit(&html, "/logout", &[]).await;
    assert_eq!(res.status(), 200);
    assert!(
        matches!(browser.follow("/account").await, Landing::Page(200, ref h) if h.contains("name=\"password\""))
    );
}

/// Settings page → start → authenticator → finish; returns the finish answer.
async fn enrol(browser: &Browser, device: &mut Device, name: &str) -> (u16, Value) {
    let html = page(browser, "/account/passkeys").await;
    let csrf = data_csrf(&html);
    let (status, start) = post_json(
        browser,
        "/account/passkeys/register/start",
        &json!({ "csrf": csrf }),
    )
    .await;
    assert_eq!(status, 200, "{start}");
    let credential = device.create(&start["options"]);
    post_json(
        browser,
        "/account/passkeys/register/finish",
        &json!({ "csrf": csrf, "ceremony": start["ceremony"], "name": name, "credential": credential }),
    )
    .await
}

/// Login page (of a pending authorization when `tx` is set) → start → authenticator; returns the
/// finish request body, not yet sent.
async fn sign_in_request(
    browser: &Browser,
    device: &mut Device,
    tx: &str,
    rp_id: Option<&str>,
) -> Value {
    let url = if tx.is_empty() {
        "/login".to_string()
    } else {
        format!("/login?tx={tx}")
    };
    let html = page(browser, &url).await;
    assert!(html.contains("Войти с ключом доступа"), "{html}");
    let csrf = data_csrf(&html);
    let (status, start) =
        post_json(browser, "/login/passkey/start", &json!({ "csrf": csrf })).await;
    assert_eq!(status, 200, "{start}");
    let credential = device.get(&start["options"], rp_id);
    json!({ "csrf": csrf, "ceremony": start["ceremony"], "tx": tx, "credential": credential })
}

async fn sign_in(browser: &Browser, device: &mut Device) -> (u16, Value) {
    let body = sign_in_request(browser, device, "", None).await;
    post_json(browser, "/login/passkey/finish", &body).await
}

/// Whether the browser holds a live session (the account page, not the login page, answers).
async fn signed_in(browser: &Browser) -> bool {
    matches!(browser.follow("/account").await, Landing::Page(200, ref h) if h.contains("href=\"/account/passkeys\""))
}

mod enrolment;
mod refusals;
