//! «Войти по QR-коду» inside an ESIA authorization: the desktop continues the portal's
//! /aas/oauth2/v2/ac request after the phone approved, and the portal gets its code.

mod common;
mod esia_rp;
#[path = "common/passkey_device.rs"]
mod passkey_device;
#[path = "qr/support.rs"]
mod qr;

use common::login::fresh_signed_in;
use common::*;
use esia_rp::*;

#[tokio::test]
async fn an_esia_portal_gets_its_code_after_a_qr_sign_in() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_QR", &[]).await;
        t.add_person("+79001250001").await;
        let phone = fresh_signed_in(&t.base, "89001250001").await;
        let desktop = Browser::new(&t.base);
        let state = new_state();
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &state, PHP));
        let res = desktop.get(&url).await;
        let login = location(&res).expect("to the login page");
        let tx = param(&format!("{}{login}", t.base), "tx").expect("a pending request");

        let page = qr::start(&desktop, &format!("?tx={tx}")).await;
        let html = qr::phone_page(&phone, &page.code).await;
        assert!(html.contains("PORTAL_QR") || html.contains("id=\"qr-portal\""));
        let (s, body) = qr::approve_with_password(&phone, &page.code, &page.number, None).await;
        assert_eq!(s, 200, "{body}");
        let res = qr::finish(&desktop, &page).await;
        assert_eq!(res.status(), 303, "{}", backend.name());
        let next = location(&res).unwrap();
        assert_eq!(next, format!("/aas/oauth2/v2/ac/continue?tx={tx}"));
        let back = match desktop.follow(&next).await {
            Landing::Left(url) => url,
            Landing::Page(200, consent) => match desktop
                .submit_follow(&consent, &form_action(&consent), &[("decision", "allow")])
                .await
            {
                Landing::Left(url) => url,
                other => panic!("consent: {other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert!(back.starts_with(PORTAL_REDIRECT), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()));
        assert!(param(&back, "code").is_some(), "{back}");
    }
}
