//! Every refusal of the device grant: polling too fast, denied, expired, another client's code,
//! an unregistered grant, an unknown scope, approval without a request, guessing user codes (an
//! IPv6 address counts with its /64).

use crate::common::*;
use crate::support::*;
use vhod::clients::{self, NewClient};

#[tokio::test]
async fn polling_too_fast_is_slowed_down_and_a_denial_is_final() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let (client_id, _) = device_client(&t, true).await;
        let client = (client_id.as_str(), None);
        t.add_person("+79005550002").await;
        let (_, started) = device_authorization(&t, client, "openid").await;
        let code = started["device_code"].as_str().unwrap();
        let uri = started["verification_uri_complete"].as_str().unwrap();

        assert_eq!(
            poll_device(&t, client, code).await.1["error"],
            "authorization_pending"
        );
        let (status, body) = poll_device(&t, client, code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("slow_down")),
            "{body}"
        );
        // RFC 8628 §3.5: +5 s for this and every later request.
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("wait 6 seconds"),
            "{body}"
        );

        // Another client holding the code gets nothing.
        let (other_id, _) = device_client(&t, true).await;
        let (status, body) = poll_device(&t, (&other_id, None), code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );

        let browser = Browser::new(&t.base);
        let page = reach_approval(
            &browser,
            uri,
            "89005550002",
            Some(started["user_code"].as_str().unwrap()),
        )
        .await;
        let (status, done) = decide(&browser, &page, "/device/decide", "deny").await;
        assert_eq!(status, 200);
        assert!(done.contains("data-decision=\"deny\""), "{done}");
        // The same form again: the request is decided already.
        let (status, _) = decide(&browser, &page, "/device/decide", "allow").await;
        assert_eq!(status, 400, "a second decision on {}", backend.name());

        tokio::time::sleep(std::time::Duration::from_millis(6100)).await;
        let (status, body) = poll_device(&t, client, code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("access_denied")),
            "{body}"
        );
        wait_interval().await;
        let (status, body) = poll_device(&t, client, code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn expired_device_code_and_unregistered_grants_are_refused() {
    for backend in backends() {
        let t = start(&backend, |c| c.backchannel.device_code_ttl = 1).await;
        let (client_id, _) = device_client(&t, true).await;
        let client = (client_id.as_str(), None);
        let (_, started) = device_authorization(&t, client, "openid").await;
        let code = started["device_code"].as_str().unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let (status, body) = poll_device(&t, client, code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("expired_token")),
            "{body}"
        );

        // Unknown scope.
        let (status, body) = device_authorization(&t, client, "openid wallet").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope")),
            "{body}"
        );

        // A code-flow client did not opt in: neither endpoint serves it.
        let (plain_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        let (status, body) = device_authorization(&t, (&plain_id, Some(&secret)), "openid").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client")),
            "{body}"
        );
        let (status, body) = poll_device(&t, (&plain_id, Some(&secret)), code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client")),
            "{body}"
        );

        // The short name is stored as the URN; unknown grant names are refused.
        let c = clients::find(&t.app.store, &client_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.grant_types, vec![DEVICE.to_string()]);
        let bad = clients::register(
            &t.app.store,
            NewClient {
                name: "x".into(),
                grant_types: vec!["urn:example:grant".into()],
                ..NewClient::default()
            },
        )
        .await;
        assert!(bad.is_err());
    }
}

#[tokio::test]
async fn approval_without_a_request_and_guessed_user_codes_are_refused() {
    for backend in backends() {
        let t = start(&backend, |c| c.backchannel.user_code_tries_per_ip_hour = 3).await;
        t.add_person("+79005550003").await;
        let browser = Browser::new(&t.base);
        crate::common::login::sign_in_to_account(&browser, "89005550003").await;
        // A decision for a transaction that does not exist.
        let Landing::Page(200, form) = browser.follow("/device").await else {
            panic!()
        };
        let res = browser
            .submit(
                &form,
                "/device/decide",
                &[("tx", "no-such-tx"), ("decision", "allow")],
            )
            .await;
        assert_eq!(res.status(), 400);
        // Guessing: wrong codes count per address; past the limit even a right one waits.
        let (client_id, _) = device_client(&t, true).await;
        let (_, started) = device_authorization(&t, (&client_id, None), "openid").await;
        for guess in ["BCDF-GHJK", "not-a-code", "ZZZZ-ZZZZ"] {
            match browser
                .submit_follow(&form, "/device", &[("user_code", guess)])
                .await
            {
                Landing::Page(400, html) => assert!(html.contains("role=\"alert\"")),
                other => panic!("{other:?}"),
            }
        }
        let right = started["user_code"].as_str().unwrap();
        match browser
            .submit_follow(&form, "/device", &[("user_code", right)])
            .await
        {
            Landing::Page(429, _) => {}
            other => panic!("the limit must hold on {}: {other:?}", backend.name()),
        }
        // From another address the right code still works (and the person is signed in).
        let other = crate::common::login::browser_from(&t, "127.0.0.2");
        crate::common::login::sign_in_to_account(&other, "89005550003").await;
        let Landing::Page(200, form) = other.follow("/device").await else {
            panic!()
        };
        match other
            .submit_follow(&form, "/device", &[("user_code", right)])
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("name=\"decision\""), "{html}"),
            other => panic!("{other:?}"),
        }
    }
}

/// A browser reaching vhod through the trusted proxy 127.0.0.1 for `address`, with `jar`'s cookies.
fn through_proxy(
    t: &TestServer,
    jar: &std::sync::Arc<reqwest::cookie::Jar>,
    address: &str,
) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", address.parse().unwrap());
    Browser::sending(&t.base, headers, Some(jar.clone()))
}

#[tokio::test]
async fn guesses_from_the_addresses_of_one_ipv6_64_count_as_one_address() {
    for backend in backends() {
        let t = start(&backend, |c| {
            c.backchannel.user_code_tries_per_ip_hour = 3;
            c.server.trusted_proxies = "127.0.0.1".into();
        })
        .await;
        t.add_person("+79005550004").await;
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let first = through_proxy(&t, &jar, "2001:db8:7:1::1");
        crate::common::login::sign_in_to_account(&first, "89005550004").await;
        let Landing::Page(200, form) = first.follow("/device").await else {
            panic!()
        };
        let (client_id, _) = device_client(&t, true).await;
        let (_, started) = device_authorization(&t, (&client_id, None), "openid").await;
        // Three wrong guesses, each from another address of 2001:db8:7:1::/64.
        for (i, guess) in ["BCDF-GHJK", "ZZZZ-ZZZZ", "BBBB-BBBB"].iter().enumerate() {
            let b = through_proxy(&t, &jar, &format!("2001:db8:7:1::{:x}", i + 2));
            match b
                .submit_follow(&form, "/device", &[("user_code", guess)])
                .await
            {
                Landing::Page(400, html) => assert!(html.contains("role=\"alert\"")),
                other => panic!("{other:?}"),
            }
        }
        // A fourth address of the same /64 is over the limit even with the right code.
        let right = started["user_code"].as_str().unwrap();
        let same_64 = through_proxy(&t, &jar, "2001:db8:7:1:abcd::9");
        match same_64
            .submit_follow(&form, "/device", &[("user_code", right)])
            .await
        {
            Landing::Page(429, _) => {}
            other => panic!("the /64 is one address on {}: {other:?}", backend.name()),
        }
        // The next /64 is another address.
        let next_64 = through_proxy(&t, &jar, "2001:db8:7:2::1");
        match next_64
            .submit_follow(&form, "/device", &[("user_code", right)])
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("name=\"decision\""), "{html}"),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_public_device_client_starts_a_bounded_number_of_grants_a_minute_from_one_address() {
    for backend in backends() {
        let t = start(&backend, |c| c.login.authorize_rate_per_minute = 2).await;
        let (public, _) = device_client(&t, true).await;
        let (confidential, secret) = device_client(&t, false).await;
        for _ in 0..2 {
            let (status, body) = device_authorization(&t, (&public, None), "openid").await;
            assert_eq!(status, 200, "{body}");
        }
        // Anyone can ask as a public client: each grant is kept for its lifetime and audited.
        let (status, body) = device_authorization(&t, (&public, None), "openid").await;
        assert_eq!(status, 429, "{}: {body}", backend.name());
        assert_eq!(body["error"], "invalid_request", "{body}");
        // A confidential client's server is not limited by its address.
        for _ in 0..3 {
            let client = (confidential.as_str(), secret.as_deref());
            let (status, body) = device_authorization(&t, client, "openid").await;
            assert_eq!(status, 200, "{body}");
        }
    }
}
