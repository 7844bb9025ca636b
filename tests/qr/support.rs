//! Helpers of the QR sign-in tests (tests/qr_*.rs): a desktop browser that starts a request and
//! reads its code and number off the page, a phone browser that approves it, and a software
//! passkey (webauthn-authenticator-rs SoftToken) for approvals with a passkey.
#![allow(dead_code)]

use super::common::*;
use super::passkey_device::Device;
use serde_json::{Value, json};

/// What the desktop page shows.
pub struct Desktop {
    pub html: String,
    /// The code as the QR link carries it (no dash).
    pub code: String,
    pub number: String,
}

/// GET /login/qr (with `query`, e.g. "?tx=…") in `desktop`; the page must answer 200.
pub async fn start(desktop: &Browser, query: &str) -> Desktop {
    let res = desktop.get(&format!("/login/qr{query}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<svg"), "an inline QR code: {html}");
    let code = between(&html, "/qr?code=", "\"");
    let number = between(&html, "id=\"qr-number\">", "<");
    Desktop { html, code, number }
}

pub fn between(html: &str, start: &str, end: &str) -> String {
    html.split(start)
        .nth(1)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        .split(end)
        .next()
        .unwrap()
        .to_string()
}

/// GET /login/qr/status in `desktop`: the status string.
pub async fn status(desktop: &Browser) -> String {
    let res = desktop.get("/login/qr/status").await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["status"].as_str().unwrap().to_string()
}

/// The phone's approval page for `code` (must answer 200).
pub async fn phone_page(phone: &Browser, code: &str) -> String {
    let res = phone.get(&format!("/qr?code={code}")).await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// Approves `code` with `number` and the password (and `otp` when given); (status, page).
pub async fn approve_with_password(
    phone: &Browser,
    code: &str,
    number: &str,
    otp: Option<&str>,
) -> (u16, String) {
    let html = phone_page(phone, code).await;
    let mut fields = vec![("number", number), ("password", PASSWORD)];
    if let Some(otp) = otp {
        fields.push(("otp", otp));
    }
    let res = phone.submit(&html, "/qr/approve", &fields).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// «Продолжить» on the desktop page: the answer, not followed.
pub async fn finish(desktop: &Browser, page: &Desktop) -> reqwest::Response {
    desktop.submit(&page.html, "/login/qr/finish", &[]).await
}

/// A number of the three the phone offers that is not the desktop's.
pub fn wrong_number(phone_html: &str, right: &str) -> String {
    phone_html
        .split("name=\"number\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .find(|n| n != right)
        .expect("three numbers offered")
}

pub async fn post_json(browser: &Browser, url: &str, body: &Value) -> (u16, Value) {
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

/// `data-csrf="…"` of the page (the script's holder element).
pub fn data_csrf(html: &str) -> String {
    between(html, "data-csrf=\"", "\"")
}

/// A phone's passkey (the shared software device) enrolled through the settings page.
pub struct Passkey {
    device: Device,
}

impl Passkey {
    pub fn new(origin: &str) -> Passkey {
        Passkey {
            device: Device::new(origin),
        }
    }

    /// Enrols on /account/passkeys in `browser` (signed in moments ago).
    pub async fn enrol(&mut self, browser: &Browser) {
        let html = browser.get("/account/passkeys").await.text().await.unwrap();
        let csrf = data_csrf(&html);
        let (status, start) = post_json(
            browser,
            "/account/passkeys/register/start",
            &json!({ "csrf": csrf }),
        )
        .await;
        assert_eq!(status, 200, "{start}");
        let cred = self.device.create(&start["options"]);
        let (status, body) = post_json(
            browser,
            "/account/passkeys/register/finish",
            &json!({ "csrf": csrf, "ceremony": start["ceremony"], "name": "Телефон", "credential": cred }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Approves `code` with `number` on the phone's page, as static/passkeys.js does.
    pub async fn approve(&mut self, phone: &Browser, code: &str, number: &str) -> (u16, Value) {
        let html = phone_page(phone, code).await;
        assert!(
            html.contains("data-finish=\"/qr/approve/passkey\""),
            "{html}"
        );
        let csrf = data_csrf(&html);
        let (status, start) =
            post_json(phone, "/login/passkey/start", &json!({ "csrf": csrf })).await;
        assert_eq!(status, 200, "{start}");
        let credential = self.device.get(&start["options"], None);
        post_json(
            phone,
            "/qr/approve/passkey",
            &json!({ "csrf": csrf, "ceremony": start["ceremony"], "code": code,
                     "number": number, "credential": credential }),
        )
        .await
    }
}
