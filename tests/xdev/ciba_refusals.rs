//! Every refusal of CIBA: unknown person, a client that did not opt in, a client without
//! private_key_jwt, another client's auth_req_id, denial, expiry, and an approval by someone else.

use crate::common::*;
use crate::support::*;
use vhod::clients::{self, AuthMethod, NewClient};

#[tokio::test]
async fn ciba_requests_are_refused_for_unknown_people_and_clients_that_did_not_opt_in() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let c = ciba_client(&t, "poll", None).await;
        t.add_person("+79006660002").await;
        let (status, body) = bc_authorize(
            &t,
            &c,
            &[("scope", "openid"), ("login_hint", "+79990000000")],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unknown_user_id")),
            "{body}"
        );
        let (status, body) = bc_authorize(&t, &c, &[("scope", "openid")]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{body}"
        );
        let (status, body) = bc_authorize(
            &t,
            &c,
            &[("scope", "profile"), ("login_hint", "+79006660002")],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope")),
            "{body}"
        );
        let long = "я".repeat(65);
        let (status, body) = bc_authorize(
            &t,
            &c,
            &[
                ("scope", "openid"),
                ("login_hint", "+79006660002"),
                ("binding_message", &long),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_binding_message")),
            "{body}"
        );

        // A private_key_jwt client that did not register for CIBA.
        let (signer, public) = client_key("k1");
        let (plain, _) = clients::register(
            &t.app.store,
            NewClient {
                name: "Без CIBA".into(),
                grant_types: vec!["client_credentials".into()],
                auth_method: Some(AuthMethod::PrivateKeyJwt),
                jwks: Some(serde_json::json!({ "keys": [public] }).to_string()),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let plain = CibaClient {
            id: plain.id.to_string(),
            signer,
        };
        let (status, body) = bc_authorize(
            &t,
            &plain,
            &[("scope", "openid"), ("login_hint", "+79006660002")],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client")),
            "{body}"
        );
        let (status, body) = poll_ciba(&t, &plain, "whatever").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client")),
            "{body}"
        );

        // CIBA needs private_key_jwt (FAPI-CIBA), and push mode is not offered.
        for (method, mode) in [
            (None, None),
            (Some(AuthMethod::PrivateKeyJwt), Some("push")),
        ] {
            let refused = clients::register(
                &t.app.store,
                NewClient {
                    name: "Колл-центр".into(),
                    grant_types: vec!["ciba".into()],
                    auth_method: method,
                    jwks: Some(r#"{"keys":[]}"#.into()),
                    ciba_mode: mode.map(str::to_owned),
                    ..NewClient::default()
                },
            )
            .await;
            assert!(
                matches!(refused, Err(clients::RegisterError::BadCiba(_))),
                "{refused:?}"
            );
        }
    }
}

#[tokio::test]
async fn ciba_denial_expiry_wrong_client_and_someone_else_approving_are_refused() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let c = ciba_client(&t, "poll", None).await;
        let other = ciba_client(&t, "poll", None).await;
        t.add_person("+79006660003").await;
        t.add_person("+79006660004").await;
        let ask = |expiry: &'static str| {
            let c = &c;
            let t = &t;
            async move {
                let (status, b) = bc_authorize(
                    t,
                    c,
                    &[
                        ("scope", "openid"),
                        ("login_hint", "89006660003"),
                        ("requested_expiry", expiry),
                    ],
                )
                .await;
                assert_eq!(status, 200, "{b}");
                b["auth_req_id"].as_str().unwrap().to_string()
            }
        };
        let id = ask("300").await;
        let (status, body) = poll_ciba(&t, &other, &id).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );

        // Someone else opening the link cannot approve it.
        let link = approval_link(&t, "+79006660003").await;
        let stranger = crate::common::login::new_browser_at_account(&t.base, "89006660004").await;
        match stranger.follow(&link).await {
            Landing::Page(403, html) => assert!(html.contains("другому человеку"), "{html}"),
            other => panic!("{other:?}"),
        }
        // The person denies.
        let browser = Browser::new(&t.base);
        let page = reach_approval(&browser, &link, "89006660003", None).await;
        let (status, done) = decide(&browser, &page, "/ciba/decide", "deny").await;
        assert_eq!(status, 200);
        assert!(done.contains("data-decision=\"deny\""));
        let (status, body) = poll_ciba(&t, &c, &id).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("access_denied")),
            "{body}"
        );

        // Expiry: requested_expiry=1.
        let id = ask("1").await;
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let (status, body) = poll_ciba(&t, &c, &id).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("expired_token")),
            "{body} on {}",
            backend.name()
        );
        let link = approval_link(&t, "+79006660003").await;
        match browser.follow(&link).await {
            Landing::Page(400, _) => {}
            other => panic!("an expired request cannot be approved: {other:?}"),
        }
    }
}
