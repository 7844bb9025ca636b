//! WebAuthn passkeys over HTTP, with a software authenticator (webauthn-authenticator-rs SoftToken)
//! standing in for the device: enrolment from settings (fresh login only), passwordless sign-in with
//! acr/amr in the ID token, removal, foreign RP ids, replayed/expired ceremonies, cloned keys, and a
//! ceremony that hops between two nodes.

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

#[tokio::test]
async fn enrolling_a_passkey_needs_a_login_less_than_five_minutes_old() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("old@example.org").await;
        let browser = Browser::new(&t.base);
        sign_in_303_to_account(&browser, "old@example.org").await;
        let html = page(&browser, "/account").await;
        assert!(
            html.contains("href=\"/account/passkeys\""),
            "account page links to passkeys"
        );
        let html = page(&browser, "/account/passkeys").await;
        let csrf = data_csrf(&html);
        assert!(
            html.contains("id=\"passkey-enrol\""),
            "fresh login: the add form is shown"
        );

        t.app.clock.advance(301);
        let html = page(&browser, "/account/passkeys").await;
        assert!(!html.contains("id=\"passkey-enrol\""), "{}", backend.name());
        assert!(
            html.contains("войдите заново: с момента входа прошло больше 5 минут"),
            "{html}"
        );
        let (status, body) = post_json(
            &browser,
            "/account/passkeys/register/start",
            &json!({ "csrf": csrf }),
        )
        .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"], "login_too_old");
        assert!(body["message"].as_str().unwrap().contains("войдите заново"));

        // Signing in again makes it possible.
        sign_in_303_to_account(&browser, "old@example.org").await;
        let mut device = Device::new(&t.issuer());
        let (status, body) = enrol(&browser, &mut device, "Телефон").await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn enrolment_without_csrf_token_or_session_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let browser = Browser::new(&t.base);
        let html = page(&browser, "/login").await;
        let csrf = hidden_fields(&html)
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .unwrap()
            .1;
        let (status, body) = post_json(
            &browser,
            "/account/passkeys/register/start",
            &json!({ "csrf": csrf }),
        )
        .await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "login_required");
        let (status, body) =
            post_json(&browser, "/login/passkey/start", &json!({ "csrf": "x" })).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"], "csrf");
    }
}

#[tokio::test]
async fn passkey_sign_in_inside_an_authorization_gives_substantial_acr_and_hwk_user_amr() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("pk@example.org").await;
        let browser = Browser::new(&t.base);
        let mut device = Device::new(&t.issuer());

        sign_in_303_to_account(&browser, "pk@example.org").await;
        let (status, body) = enrol(&browser, &mut device, "Мой телефон").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["redirect"], "/account/passkeys?done=added");
        let html = page(&browser, "/account/passkeys?done=added").await;
        assert!(html.contains("Ключ доступа добавлен."));
        assert!(html.contains("Мой телефон"));
        sign_out(&browser).await;

        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("nonce", "n-pk"),
            ],
        );
        let res = browser.get(&url).await;
        let login = location(&res).expect("sent to the login page");
        let tx = query_param(&format!("{}{login}", t.base), "tx").expect("tx");
        let body = sign_in_request(&browser, &mut device, &tx, None).await;
        let (status, done) = post_json(&browser, "/login/passkey/finish", &body).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["redirect"], format!("/authorize/continue?tx={tx}"));
        let back = match browser.follow(done["redirect"].as_str().unwrap()).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match browser
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent: {other:?}"),
                }
            }
            other => panic!("{other:?}"),
        };
        assert!(back.starts_with(REDIRECT), "{back}");
        let code = query_param(&back, "code").unwrap();
        let (status, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(
            claims["acr"],
            "urn:vhod:acr:substantial",
            "{}",
            backend.name()
        );
        assert_eq!(claims["amr"], json!(["hwk", "user"]));

        // The settings page shows when it was last used.
        let html = page(&browser, "/account/passkeys").await;
        assert!(html.contains("последний вход"), "{html}");
    }
}

#[tokio::test]
async fn passkeys_can_be_renamed_and_a_removed_passkey_no_longer_signs_in() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("rm@example.org").await;
        let browser = Browser::new(&t.base);
        let mut device = Device::new(&t.issuer());
        sign_in_303_to_account(&browser, "rm@example.org").await;
        assert_eq!(enrol(&browser, &mut device, "Старый").await.0, 200);
        let told = t.last_message("rm@example.org").await;
        assert!(
            told["body"]
                .as_str()
                .unwrap()
                .contains("Добавлен ключ доступа «Старый»"),
            "the owner is told: {told}"
        );

        let html = page(&browser, "/account/passkeys").await;
        let rename_form = html
            .split("action=\"/account/passkeys/rename\"")
            .nth(1)
            .unwrap()
            .split("</form>")
            .next()
            .unwrap();
        let res = browser
            .submit(
                rename_form,
                "/account/passkeys/rename",
                &[("name", "Новое имя")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let html = page(&browser, &location(&res).unwrap()).await;
        assert!(html.contains("Ключ доступа переименован."));
        assert!(html.contains("Новое имя") && !html.contains("Старый"));

        // Works before removal…
        sign_out(&browser).await;
        assert_eq!(sign_in(&browser, &mut device).await.0, 200);
        assert!(signed_in(&browser).await);

        let html = page(&browser, "/account/passkeys").await;
        let remove_form = html
            .split("action=\"/account/passkeys/remove\"")
            .nth(1)
            .unwrap()
            .split("</form>")
            .next()
            .unwrap();
        let res = browser
            .submit(remove_form, "/account/passkeys/remove", &[])
            .await;
        assert_eq!(res.status(), 303);
        let html = page(&browser, &location(&res).unwrap()).await;
        assert!(html.contains("Ключ доступа удалён."));
        assert!(html.contains("Ключей доступа пока нет."));
        let told = t.last_message("rm@example.org").await;
        assert!(
            told["body"]
                .as_str()
                .unwrap()
                .contains("«Новое имя» удалён"),
            "{told}"
        );

        sign_out(&browser).await;
        let (status, body) = sign_in(&browser, &mut device).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "unknown_passkey", "{}", backend.name());
        assert!(!signed_in(&browser).await);
    }
}

#[tokio::test]
async fn a_passkey_made_for_another_rp_id_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("rp@example.org").await;
        let browser = Browser::new(&t.base);
        sign_in_303_to_account(&browser, "rp@example.org").await;

        // Enrolment performed on another site's origin: the site's rp id does not match it.
        let mut phishing = Device::new("https://evil.example");
        let html = page(&browser, "/account/passkeys").await;
        let csrf = data_csrf(&html);
        let (_, start) = post_json(
            &browser,
            "/account/passkeys/register/start",
            &json!({ "csrf": csrf }),
        )
        .await;
        let mut options = start["options"].clone();
        options["publicKey"]["rp"]["id"] = "evil.example".into();
        let credential = phishing.create(&options);
        let (status, body) = post_json(
            &browser,
            "/account/passkeys/register/finish",
            &json!({ "csrf": csrf, "ceremony": start["ceremony"], "name": "x", "credential": credential }),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "rejected");
        assert!(
            page(&browser, "/account/passkeys")
                .await
                .contains("Ключей доступа пока нет.")
        );

        // A real passkey, but the assertion is signed for another rp id on another origin.
        let mut device = Device::new(&t.issuer());
        assert_eq!(enrol(&browser, &mut device, "Телефон").await.0, 200);
        sign_out(&browser).await;
        device.origin = Url::parse("https://evil.example").unwrap();
        let body = sign_in_request(&browser, &mut device, "", Some("evil.example")).await;
        let (status, res) = post_json(&browser, "/login/passkey/finish", &body).await;
        assert_eq!(status, 400, "{res}");
        assert_eq!(res["error"], "rejected", "{}", backend.name());
        assert!(!signed_in(&browser).await);
    }
}

#[tokio::test]
async fn a_replayed_or_expired_ceremony_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("replay@example.org").await;
        let browser = Browser::new(&t.base);
        let mut device = Device::new(&t.issuer());
        sign_in_303_to_account(&browser, "replay@example.org").await;
        assert_eq!(enrol(&browser, &mut device, "Телефон").await.0, 200);
        sign_out(&browser).await;

        let body = sign_in_request(&browser, &mut device, "", None).await;
        let (status, _) = post_json(&browser, "/login/passkey/finish", &body).await;
        assert_eq!(status, 200);
        sign_out(&browser).await;
        let (status, res) = post_json(&browser, "/login/passkey/finish", &body).await;
        assert_eq!(status, 400, "{res}");
        assert_eq!(res["error"], "ceremony_expired");
        assert!(!signed_in(&browser).await);

        let body = sign_in_request(&browser, &mut device, "", None).await;
        t.app.clock.advance(301);
        let (status, res) = post_json(&browser, "/login/passkey/finish", &body).await;
        assert_eq!(status, 400, "{res}");
        assert_eq!(res["error"], "ceremony_expired", "{}", backend.name());
        assert!(!signed_in(&browser).await);
    }
}

#[tokio::test]
async fn a_cloned_passkey_whose_counter_goes_backwards_is_refused_and_flagged() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("clone@example.org").await;
        let browser = Browser::new(&t.base);
        let mut device = Device::new(&t.issuer());
        sign_in_303_to_account(&browser, "clone@example.org").await;
        assert_eq!(enrol(&browser, &mut device, "Телефон").await.0, 200);
        let mut copy = device.clone_device();
        sign_out(&browser).await;

        // The original signs twice (counter 1, 2); the copy then signs with counter 1.
        for _ in 0..2 {
            assert_eq!(sign_in(&browser, &mut device).await.0, 200);
            sign_out(&browser).await;
        }
        let (status, res) = sign_in(&browser, &mut copy).await;
        assert_eq!(status, 401, "{res}");
        assert_eq!(res["error"], "passkey_flagged");
        assert!(!signed_in(&browser).await);
        // Flagged: even the original is refused until the person removes it.
        let (status, res) = sign_in(&browser, &mut device).await;
        assert_eq!(status, 401, "{res}");
        assert_eq!(res["error"], "passkey_flagged", "{}", backend.name());

        sign_in_303_to_account(&browser, "clone@example.org").await;
        let html = page(&browser, "/account/passkeys").await;
        assert!(html.contains("возможно, ключ скопирован"), "{html}");
        let told = t.last_message("clone@example.org").await;
        assert!(
            told["body"]
                .as_str()
                .unwrap()
                .contains("«Телефон» заблокирован"),
            "the owner is told: {told}"
        );
    }
}

#[tokio::test]
async fn a_passkey_ceremony_started_on_one_node_finishes_on_another() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer(); // one issuer (and WebAuthn origin) behind a load balancer
    let node2 = TestServer::start_with(&backend, cfg2).await;
    node1.add_person("nodes@example.org").await;
    let mut device = Device::new(&node1.issuer());

    // Enrolment: start on node 1, finish on node 2 (same cookies: one browser).
    let b1 = Browser::new(&node1.base);
    sign_in_303_to_account(&b1, "nodes@example.org").await;
    let html = page(&b1, "/account/passkeys").await;
    let csrf = data_csrf(&html);
    let (_, start) = post_json(
        &b1,
        "/account/passkeys/register/start",
        &json!({ "csrf": csrf }),
    )
    .await;
    let credential = device.create(&start["options"]);
    let b2 = Browser {
        http: b1.http.clone(),
        base: node2.base.clone(),
    };
    let (status, body) = post_json(
        &b2,
        "/account/passkeys/register/finish",
        &json!({ "csrf": csrf, "ceremony": start["ceremony"], "name": "n", "credential": credential }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Sign-in: start on node 2, finish on node 1.
    let fresh = Browser::new(&node2.base);
    let body = sign_in_request(&fresh, &mut device, "", None).await;
    let on_node1 = Browser {
        http: fresh.http.clone(),
        base: node1.base.clone(),
    };
    let (status, res) = post_json(&on_node1, "/login/passkey/finish", &body).await;
    assert_eq!(status, 200, "{res}");
    assert!(signed_in(&on_node1).await);
}

#[test]
fn clean_passkey_names() {
    assert_eq!(
        vhod::authn::webauthn::clean_name("  Мой\u{0007} ключ "),
        "Мой ключ"
    );
    assert_eq!(vhod::authn::webauthn::clean_name("   "), "Passkey");
    assert_eq!(
        vhod::authn::webauthn::clean_name(&"я".repeat(100))
            .chars()
            .count(),
        60
    );
}

#[tokio::test]
async fn a_passkey_still_signs_in_while_password_login_is_locked() {
    // Issue 10 (23): a stranger who knows the login can lock its password login, not the account.
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let id = t.add_person("locked@example.org").await;
        let browser = Browser::new(&t.base);
        let mut device = Device::new(&t.issuer());
        sign_in_303_to_account(&browser, "locked@example.org").await;
        assert_eq!(enrol(&browser, &mut device, "Телефон").await.0, 200);
        sign_out(&browser).await;

        // Ten wrong passwords from elsewhere lock password login.
        let stranger = Browser::new(&t.base);
        let mut html = page(&stranger, "/login").await;
        for _ in 0..10 {
            let solution = hidden_fields(&html)
                .into_iter()
                .find(|(n, _)| n == "pow_challenge")
                .map(|(_, c)| vhod::authn::challenge::solve(&c))
                .unwrap_or_default();
            let res = stranger
                .submit(
                    &html,
                    "/login",
                    &[
                        ("login", "locked@example.org"),
                        ("password", "Wrong-Pass-1!"),
                        ("pow_solution", &solution),
                    ],
                )
                .await;
            assert_eq!(res.status(), 401);
            html = res.text().await.unwrap();
        }
        assert!(
            vhod::authn::lockout::locked_until(&t.app, &id.as_str().into())
                .await
                .unwrap()
                .is_some(),
            "{}: locked",
            backend.name()
        );

        // The owner's passkey signs in all the same.
        let (status, body) = sign_in(&browser, &mut device).await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        assert!(signed_in(&browser).await);
    }
}
