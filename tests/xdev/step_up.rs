//! The approval happens at the acr the portal asked for: a password session steps up with the
//! authenticator app first, and the tokens say so (acr substantial, amr with otp).

use crate::common::login::{enrol_app, submit_code};
use crate::common::*;
use crate::support::*;
use vhod::authn::totp;

#[tokio::test]
async fn ciba_with_acr_values_substantial_asks_for_the_second_factor_before_approval() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let c = ciba_client(&t, "poll", None).await;
        t.add_person("+79006660009").await;
        let browser = Browser::new(&t.base);
        let secret = enrol_app(&t, &browser, "89006660009").await;

        let (status, started) = bc_authorize(
            &t,
            &c,
            &[
                ("scope", "openid"),
                ("login_hint", "89006660009"),
                ("acr_values", vhod::authn::ACR_SUBSTANTIAL),
            ],
        )
        .await;
        assert_eq!(status, 200, "{started}");
        let id = started["auth_req_id"].as_str().unwrap();
        let link = approval_link(&t, "+79006660009").await;
        // Signed in with a password only: the second factor is asked first.
        let page = match browser.follow(&link).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            !page.contains("name=\"decision\""),
            "no approval before the second factor"
        );
        let code = totp::code_at(&secret, t.app.clock.now() + 30).unwrap();
        let (status, next) = submit_code(&browser, &page, &code).await;
        assert_eq!(status, 303, "{next}");
        let page = match browser.follow(&next).await {
            Landing::Page(200, html) if html.contains("name=\"decision\"") => html,
            other => panic!("approval page expected: {other:?}"),
        };
        let (status, _) = decide(&browser, &page, "/ciba/decide", "allow").await;
        assert_eq!(status, 200);
        let (status, tokens) = poll_ciba(&t, &c, id).await;
        assert_eq!(status, 200, "{tokens} on {}", backend.name());
        let claims = id_token_claims(&tokens);
        assert_eq!(claims["acr"], vhod::authn::ACR_SUBSTANTIAL);
        let amr: Vec<&str> = claims["amr"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(amr.contains(&"otp") && amr.contains(&"pwd"), "{amr:?}");
    }
}
