//! CSRF on every form (ASVS V4.2.2 / V13): every POST route of the router, read from its source,
//! is either a browser form listed here — and then refuses a request without the CSRF token and
//! with a wrong one (403, nothing done) — or a protocol/API endpoint listed with the reason it
//! needs none (client or bearer authentication, no cookie). A new POST route that is in neither
//! list fails `csrf_every_post_route_of_the_router_is_listed`.

use crate::common::login::*;
use crate::common::*;

#[derive(Clone, Copy, Debug)]
enum Body {
    Form,
    Json,
}

/// Who sends it: a browser with no session (pre-login forms) or a signed-in person.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anyone,
    SignedIn,
}

/// Browser forms: path as the router names it, with placeholders filled for the request.
#[rustfmt::skip]
const FORMS: &[(&str, &str, Body, Who)] = &[
    ("/consent", "/consent", Body::Form, Who::SignedIn),
    ("/session/end/confirm", "/session/end/confirm", Body::Form, Who::SignedIn),
    ("/account/sessions/end-all", "/account/sessions/end-all", Body::Form, Who::SignedIn),
    ("/login", "/login", Body::Form, Who::Anyone),
    ("/login/second-factor", "/login/second-factor", Body::Form, Who::Anyone),
    ("/login/second-factor/send", "/login/second-factor/send", Body::Form, Who::Anyone),
    ("/logout", "/logout", Body::Form, Who::SignedIn),
    ("/register", "/register", Body::Form, Who::Anyone),
    ("/register/confirm", "/register/confirm", Body::Form, Who::Anyone),
    ("/register/password", "/register/password", Body::Form, Who::Anyone),
    ("/recover", "/recover", Body::Form, Who::Anyone),
    ("/recover/code", "/recover/code", Body::Form, Who::Anyone),
    ("/recover/second", "/recover/second", Body::Form, Who::Anyone),
    ("/recover/second/send", "/recover/second/send", Body::Form, Who::Anyone),
    ("/recover/password", "/recover/password", Body::Form, Who::Anyone),
    ("/account/passkeys/register/start", "/account/passkeys/register/start", Body::Json, Who::SignedIn),
    ("/account/passkeys/register/finish", "/account/passkeys/register/finish", Body::Json, Who::SignedIn),
    ("/account/passkeys/rename", "/account/passkeys/rename", Body::Form, Who::SignedIn),
    ("/account/passkeys/remove", "/account/passkeys/remove", Body::Form, Who::SignedIn),
    ("/login/passkey/start", "/login/passkey/start", Body::Json, Who::Anyone),
    ("/login/passkey/finish", "/login/passkey/finish", Body::Json, Who::Anyone),
    ("/login/signature", "/login/signature", Body::Form, Who::Anyone),
    ("/account/signature/bind", "/account/signature/bind", Body::Form, Who::SignedIn),
    ("/account/signature/confirm", "/account/signature/confirm", Body::Form, Who::SignedIn),
    ("/account/signature/remove", "/account/signature/remove", Body::Form, Who::SignedIn),
    ("/account/standard", "/account/standard", Body::Form, Who::SignedIn),
    ("/account/letter", "/account/letter", Body::Form, Who::SignedIn),
    ("/account/records", "/account/records", Body::Form, Who::SignedIn),
    ("/account/bank/start", "/account/bank/start", Body::Form, Who::SignedIn),
    ("/account/contacts", "/account/contacts", Body::Form, Who::SignedIn),
    ("/account/contacts/confirm", "/account/contacts/confirm", Body::Form, Who::SignedIn),
    ("/account/addresses", "/account/addresses", Body::Form, Who::SignedIn),
    ("/account/orgs/new/legal", "/account/orgs/new/legal", Body::Form, Who::SignedIn),
    ("/account/orgs/new/sole", "/account/orgs/new/sole", Body::Form, Who::SignedIn),
    ("/account/orgs/invitations/{action}", "/account/orgs/invitations/accept", Body::Form, Who::SignedIn),
    ("/account/orgs/{oid}/{action}", "/account/orgs/1000000001/leave", Body::Form, Who::SignedIn),
    ("/account/permissions/revoke", "/account/permissions/revoke", Body::Form, Who::SignedIn),
    ("/account/delete", "/account/delete", Body::Form, Who::SignedIn),
    ("/account/letter/code", "/account/letter/code", Body::Form, Who::SignedIn),
    ("/account/security/totp/start", "/account/security/totp/start", Body::Form, Who::SignedIn),
    ("/account/security/totp/confirm", "/account/security/totp/confirm", Body::Form, Who::SignedIn),
    ("/account/security/totp/remove", "/account/security/totp/remove", Body::Form, Who::SignedIn),
    ("/account/security/sms/start", "/account/security/sms/start", Body::Form, Who::SignedIn),
    ("/account/security/sms/confirm", "/account/security/sms/confirm", Body::Form, Who::SignedIn),
    ("/account/security/sms/off", "/account/security/sms/off", Body::Form, Who::SignedIn),
    ("/account/security/sessions/end", "/account/security/sessions/end", Body::Form, Who::SignedIn),
    ("/account/security/sessions/end-others", "/account/security/sessions/end-others", Body::Form, Who::SignedIn),
    ("/account/security/alerts", "/account/security/alerts", Body::Form, Who::SignedIn),
    ("/account/security/recovery/new", "/account/security/recovery/new", Body::Form, Who::SignedIn),
    ("/account/time-zone", "/account/time-zone", Body::Form, Who::SignedIn),
    ("/admin/console/clients", "/admin/console/clients", Body::Form, Who::Anyone),
    ("/admin/console/esia", "/admin/console/esia", Body::Form, Who::Anyone),
    ("/admin/console/login", "/admin/console/login", Body::Form, Who::Anyone),
    ("/admin/console/logout", "/admin/console/logout", Body::Form, Who::Anyone),
    ("/admin/console/action", "/admin/console/action", Body::Form, Who::Anyone),
    ("flow::CONSENT_PATH", "/aas/oauth2/v2/consent", Body::Form, Who::SignedIn),
    ("/account/security/channel", "/account/security/channel", Body::Form, Who::SignedIn),
    ("/device", "/device", Body::Form, Who::Anyone),
    ("/org-choice", "/org-choice", Body::Form, Who::SignedIn),
    ("/device/decide", "/device/decide", Body::Form, Who::SignedIn),
    ("/ciba/decide", "/ciba/decide", Body::Form, Who::SignedIn),
    ("/login/qr/finish", "/login/qr/finish", Body::Form, Who::Anyone),
    ("/qr/approve", "/qr/approve", Body::Form, Who::SignedIn),
    ("/qr/approve/passkey", "/qr/approve/passkey", Body::Json, Who::SignedIn),
    ("/qr/deny", "/qr/deny", Body::Form, Who::SignedIn),
];

/// POST routes that are not browser forms, and why they need no CSRF token.
const NOT_FORMS: &[(&str, &str)] = &[
    (
        "/authorize",
        "an authorization request (OIDC Core §3.1.2.1): answers only to the registered redirect URI",
    ),
    (
        "/session/end",
        "RP-initiated logout: only shows the confirmation form, which is CSRF-checked",
    ),
    ("/token", "client authentication, no cookie"),
    ("/par", "client authentication, no cookie"),
    ("/introspect", "client authentication, no cookie"),
    ("/revoke", "client authentication, no cookie"),
    ("/userinfo", "bearer access token, no cookie"),
    ("/aas/oauth2/v3/te", "ESIA client signature, no cookie"),
    ("/aas/oauth2/te", "ESIA client signature, no cookie"),
    (
        "/admin/api/keys/rotate",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/keys/{kid}/revoke",
        "admin API: bearer token, no cookie",
    ),
    ("/admin/api/clients", "admin API: bearer token, no cookie"),
    (
        "/admin/api/clients/{client_id}/redirect-uris",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/clients/{client_id}/settings",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/clients/{client_id}/rotate-secret",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/clients/{client_id}/disable",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/esia/clients",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/esia/clients/{client_id}/certificate",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/operator/confirm",
        "admin API: bearer token, no cookie",
    ),
    (
        "/admin/api/esia/clients/{client_id}/flags",
        "admin API: bearer token, no cookie",
    ),
    (
        "/bc-authorize",
        "CIBA: client authentication (private_key_jwt), no cookie",
    ),
    (
        "/device_authorization",
        "RFC 8628: client authentication or a public client's id, no cookie",
    ),
];

/// Every `.route(PATH, …post(…)…)` in the crate's source (router, surfaces' own routers).
fn post_routes_in_source() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy();
            if !name.ends_with(".rs") || name == "tests.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split(".route(").skip(1) {
                let call = piece.split(".route(").next().unwrap();
                let call = &call[..call.len().min(400)];
                let first = call.trim_start();
                let path = if let Some(rest) = first.strip_prefix('"') {
                    rest.split('"').next().unwrap().to_string()
                } else {
                    first.split([',', ')']).next().unwrap().trim().to_string()
                };
                // The route's method router ends at the first `)` that closes `.route(`.
                if call.contains("post(") {
                    out.push(path);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn csrf_every_post_route_of_the_router_is_listed() {
    let routes = post_routes_in_source();
    assert!(routes.len() >= 60, "the router was read: {routes:?}");
    for r in &routes {
        let listed = FORMS.iter().any(|f| f.0 == r) || NOT_FORMS.iter().any(|n| n.0 == r);
        assert!(
            listed,
            "POST {r} is neither a listed form nor a listed exemption"
        );
    }
    for name in FORMS
        .iter()
        .map(|f| f.0)
        .chain(NOT_FORMS.iter().map(|n| n.0))
    {
        assert!(
            routes.iter().any(|r| r == name),
            "{name} is listed but not routed"
        );
    }
}

async fn post(b: &Browser, path: &str, body: Body, csrf: Option<&str>) -> (u16, String) {
    let req = b.http.post(format!("{}{path}", b.base));
    let req = match body {
        Body::Form => {
            let mut form = vec![("name", "x"), ("login", CSRF_LOGIN), ("password", PASSWORD)];
            if let Some(c) = csrf {
                form.push(("csrf", c));
            }
            req.form(&form)
        }
        Body::Json => {
            let mut v = serde_json::json!({"ceremony": "x", "credential": {}, "name": "x", "number": "1", "code": "x"});
            if let Some(c) = csrf {
                v["csrf"] = c.into();
            }
            req.json(&v)
        }
    };
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

const CSRF_LOGIN: &str = "csrf.victim@example.org";

#[tokio::test]
async fn csrf_every_browser_form_refuses_a_missing_or_wrong_token() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person(CSRF_LOGIN).await;
        let signed_in = fresh_signed_in(&t.base, CSRF_LOGIN).await;
        let anyone = Browser::new(&t.base);
        // Both browsers hold a CSRF cookie (a page with a form sets it).
        signed_in.get("/account/security").await;
        anyone.get("/login").await;
        let wrong = vhod::crypto::random_token();
        for (name, path, body, who) in FORMS {
            let b = if *who == Who::SignedIn {
                &signed_in
            } else {
                &anyone
            };
            for csrf in [None, Some(wrong.as_str())] {
                let (status, text) = post(b, path, *body, csrf).await;
                assert_eq!(
                    status,
                    403,
                    "{name} with {csrf:?} on {}: {text}",
                    backend.name()
                );
            }
        }
        // Nothing was done: the person is still signed in and may still sign in.
        let page = signed_in.get("/account").await;
        assert_eq!(page.status(), 200, "the session survived every forged POST");
        assert_eq!(
            password_status(&Browser::new(&t.base), CSRF_LOGIN, PASSWORD).await,
            303
        );
    }
}
