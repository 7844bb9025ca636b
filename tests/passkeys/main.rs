//! WebAuthn passkeys over HTTP, with a software authenticator (webauthn-authenticator-rs SoftToken)
//! standing in for the device: enrolment from settings (fresh login only), passwordless sign-in with
//! acr/amr in the ID token, removal, foreign RP ids, replayed/expired ceremonies, cloned keys, and a
//! ceremony that hops between two nodes.

#[path = "../common/mod.rs"]
mod common;

use common::login::sign_in_303_to_account;
use common::*;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::{
    AuthenticatorBackendHashedClientData, WebauthnAuthenticator, prelude::WebauthnCError,
};
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};
use webauthn_rs_proto::{
    PublicKeyCredential, PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions,
    RegisterPublicKeyCredential,
};

/// The token behind a shared handle, so a test can copy its state (keys and counter) at any time.
struct Shared(Rc<RefCell<SoftToken>>);

impl AuthenticatorBackendHashedClientData for Shared {
    fn perform_register(
        &mut self,
        client_data_hash: Vec<u8>,
        options: PublicKeyCredentialCreationOptions,
        timeout_ms: u32,
    ) -> Result<RegisterPublicKeyCredential, WebauthnCError> {
        self.0
            .borrow_mut()
            .perform_register(client_data_hash, options, timeout_ms)
    }

    fn perform_auth(
        &mut self,
        client_data_hash: Vec<u8>,
        options: PublicKeyCredentialRequestOptions,
        timeout_ms: u32,
    ) -> Result<PublicKeyCredential, WebauthnCError> {
        self.0
            .borrow_mut()
            .perform_auth(client_data_hash, options, timeout_ms)
    }
}

/// A phone with a passkey. SoftToken does the cryptography (keys, signatures, counter, user
/// verification) but cannot keep resident keys, so this wrapper keeps what a resident key is —
/// the credential id and the user handle the site gave it — and plays the browser's part of
/// choosing that credential when the site asks without naming one.
struct Device {
    token: Rc<RefCell<SoftToken>>,
    origin: Url,
    resident: Option<(String, String)>,
}

impl Device {
    fn new(origin: &str) -> Device {
        // `true`: the token reports user verification (the fingerprint check passed).
        let (token, _) = SoftToken::new(true).unwrap();
        Device {
            token: Rc::new(RefCell::new(token)),
            origin: Url::parse(origin).unwrap(),
            resident: None,
        }
    }

    /// A copy of the device with the same keys and counter (a cloned authenticator).
    fn clone_device(&self) -> Device {
        Device {
            token: Rc::new(RefCell::new(
                SoftToken::from_cbor(&self.token.borrow().to_cbor().unwrap()).unwrap(),
            )),
            origin: self.origin.clone(),
            resident: self.resident.clone(),
        }
    }

    fn create(&mut self, options: &Value) -> Value {
        let mut o = options.clone();
        assert_eq!(
            o["publicKey"]["authenticatorSelection"]["residentKey"], "required",
            "the site asks for a discoverable credential"
        );
        assert_eq!(
            o["publicKey"]["authenticatorSelection"]["userVerification"],
            "required"
        );
        let user_handle = o["publicKey"]["user"]["id"].as_str().unwrap().to_string();
        // Resident storage is emulated by this wrapper (see above).
        o["publicKey"]["authenticatorSelection"]["requireResidentKey"] = false.into();
        o["publicKey"]["authenticatorSelection"]["residentKey"] = "discouraged".into();
        let ccr: CreationChallengeResponse = serde_json::from_value(o).unwrap();
        let cred = WebauthnAuthenticator::new(Shared(self.token.clone()))
            .do_registration(self.origin.clone(), ccr)
            .expect("the authenticator registers");
        let cred = serde_json::to_value(cred).unwrap();
        self.resident = Some((cred["rawId"].as_str().unwrap().to_string(), user_handle));
        cred
    }

    /// Answers a sign-in request for `rp_id` (normally the one the site asked for).
    fn get(&mut self, options: &Value, rp_id: Option<&str>) -> Value {
        let (cred_id, user_handle) = self.resident.clone().expect("a passkey on the device");
        let mut o = options.clone();
        assert_eq!(
            o["publicKey"]["allowCredentials"],
            json!([]),
            "discoverable: the site names no credential"
        );
        assert_eq!(o["publicKey"]["userVerification"], "required");
        o["publicKey"]["allowCredentials"] = json!([{ "type": "public-key", "id": cred_id }]);
        if let Some(rp) = rp_id {
            o["publicKey"]["rpId"] = rp.into();
        }
        let rcr: RequestChallengeResponse = serde_json::from_value(o).unwrap();
        let cred = WebauthnAuthenticator::new(Shared(self.token.clone()))
            .do_authentication(self.origin.clone(), rcr)
            .expect("the authenticator signs");
        let mut cred = serde_json::to_value(cred).unwrap();
        cred["response"]["userHandle"] = user_handle.into();
        cred
    }
}

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
