//! The old ESIA protocol (/aas/oauth2/ac, /aas/oauth2/te) for clients registered as legacy: the
//! client_secret is a detached CMS over scope + timestamp + client_id + state, by a certificate
//! registered for the client. Same login, consent and tokens as v2.

mod common;
mod esia_rp;

use common::*;
use esia_rp::*;

const OTHER_KEY: &str = include_str!("fixtures/gost/256-B.key.pem");
const OTHER_CERT: &str = include_str!("fixtures/gost/256-B.cert.pem");

#[tokio::test]
async fn a_legacy_portal_signs_in_and_refreshes_with_detached_cms() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_legacy_rp(&t, "PORTAL_OLD").await;
        t.add_person("+79005550301").await;
        let browser = Browser::new(&t.base);
        let scope = "openid fullname";
        let state = new_state();
        let url = rp.legacy_ac_url(&rp.legacy_ac_params(t.app.clock.now(), scope, &state));
        let back = sign_in_and_allow(&browser, &url, "+79005550301").await;
        assert_eq!(
            param(&back, "state"),
            Some(state),
            "{}: {back}",
            backend.name()
        );
        let code = param(&back, "code").expect("code");

        let (status, body) = rp
            .legacy_te(&rp.legacy_te_form(t.app.clock.now(), "authorization_code", &code, scope))
            .await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        let (header, at) = claims(body["access_token"].as_str().unwrap());
        assert_eq!(header["sbt"], "access");
        assert!(
            at["scope"]
                .as_str()
                .unwrap()
                .starts_with("openid fullname?oid=")
        );
        let rt = body["refresh_token"].as_str().unwrap();
        let (status, body) = rp
            .legacy_te(&rp.legacy_te_form(t.app.clock.now(), "refresh_token", rt, scope))
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn legacy_requests_are_refused_with_their_esia_codes() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_legacy_rp(&t, "PORTAL_OLD2").await;
        let v2_only = register_rp(&t, "PORTAL_NEW", &[]).await;
        let browser = Browser::new(&t.base);
        let now = t.app.clock.now();
        let error_of = |res: reqwest::Response| {
            let to = location(&res).unwrap_or_default();
            param(&to, "error_description").map(|d| d[..11].to_string())
        };

        // A v2-only client may not use the old method.
        let p = v2_only.legacy_ac_params(now, "openid", &new_state());
        let res = browser.get(&v2_only.legacy_ac_url(&p)).await;
        assert_eq!(
            error_of(res).as_deref(),
            Some("ESIA-007005"),
            "{}",
            backend.name()
        );

        // Signed by a certificate that is not registered for the client.
        let mut p = rp.legacy_ac_params(now, "openid", &new_state());
        let ts = p.iter().find(|(k, _)| k == "timestamp").unwrap().1.clone();
        let st = p.iter().find(|(k, _)| k == "state").unwrap().1.clone();
        let forged = legacy_secret(&format!("openid{ts}PORTAL_OLD2{st}"), OTHER_CERT, OTHER_KEY);
        set(&mut p, "client_secret", Some(&forged));
        let res = browser.get(&rp.legacy_ac_url(&p)).await;
        assert_eq!(error_of(res).as_deref(), Some("ESIA-007002"));

        // The registered certificate, but over other parameters than those sent.
        let mut p = rp.legacy_ac_params(now, "openid", &new_state());
        set(&mut p, "scope", Some("openid fullname"));
        let res = browser.get(&rp.legacy_ac_url(&p)).await;
        assert_eq!(error_of(res).as_deref(), Some("ESIA-007053"));

        // The token endpoint of the old protocol refuses a v2-only client too.
        let (status, body) = v2_only
            .legacy_te(&v2_only.legacy_te_form(now, "authorization_code", "x", "openid"))
            .await;
        assert_eq!(status, 400);
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("ESIA-007005")
        );
    }
}
