//! The device grant (RFC 8628) end to end: a kiosk asks, the person types the code on their own
//! device, signs in and allows; the kiosk's poll gets tokens that say how the person signed in.

use crate::common::*;
use crate::support::*;

#[tokio::test]
async fn device_grant_end_to_end_with_a_loosely_typed_code_and_single_use() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let (client_id, _) = device_client(&t, true).await;
        let client = (client_id.as_str(), None);
        t.add_person("+79005550001").await;

        let (status, started) = device_authorization(&t, client, "openid profile").await;
        assert_eq!(status, 200, "{started}");
        let user_code = started["user_code"].as_str().unwrap();
        assert_eq!(user_code.len(), 9, "XXXX-XXXX: {user_code}");
        assert_eq!(&user_code[4..5], "-");
        assert_eq!(
            started["verification_uri"],
            format!("{}/device", t.issuer())
        );
        assert_eq!(
            started["verification_uri_complete"],
            format!("{}/device?user_code={user_code}", t.issuer())
        );
        assert_eq!(started["interval"], 1);
        assert!(started["expires_in"].as_i64().unwrap() > 0);
        let device_code = started["device_code"].as_str().unwrap();

        let (status, body) = poll_device(&t, client, device_code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("authorization_pending")),
            "{body}"
        );

        // Typed in lower case without the dash on the person's phone.
        let browser = Browser::new(&t.base);
        let typed = user_code.replace('-', "").to_lowercase();
        let page = reach_approval(&browser, "/device", "89005550001", Some(&typed)).await;
        assert!(page.contains("Телевизор в МФЦ"), "{page}");
        assert!(page.contains("/device/decide"), "{page}");
        assert!(
            page.contains(&format!(
                "<b id=\"user-code\">{}</b>",
                user_code.to_uppercase()
            )),
            "the approval page shows the code to compare: {page}"
        );
        let (status, done) = decide(&browser, &page, "/device/decide", "allow").await;
        assert_eq!(status, 200, "{done}");
        assert!(done.contains("data-decision=\"allow\""), "{done}");

        wait_interval().await;
        let (status, tokens) = poll_device(&t, client, device_code).await;
        assert_eq!(status, 200, "{tokens} on {}", backend.name());
        let id = id_token_claims(&tokens);
        assert_eq!(id["aud"], client_id.as_str());
        assert_eq!(id["acr"], vhod::authn::ACR_LOW);
        assert_eq!(id["amr"], serde_json::json!(["pwd"]));
        assert_eq!(tokens["scope"], "openid profile");
        let at = tokens["access_token"].as_str().unwrap();
        let (status, info) = userinfo(&t, at).await;
        assert_eq!(status, 200);
        assert_eq!(info["family_name"], "Иванов");

        // Single use: the code is spent; the user code no longer leads anywhere.
        wait_interval().await;
        let (status, body) = poll_device(&t, client, device_code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
        let res = browser
            .follow(&format!("/device?user_code={user_code}"))
            .await;
        let Landing::Page(200, form) = res else {
            panic!("{res:?}")
        };
        match browser.submit_follow(&form, "/device", &[]).await {
            Landing::Page(400, html) => assert!(html.contains("role=\"alert\""), "{html}"),
            other => panic!("a used user code must be refused: {other:?}"),
        }
        // Audited: the request and the approval.
        let audit = t.app.store.audit_since(0).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "device.authorization" && e.actor == client_id)
        );
        assert!(
            audit
                .iter()
                .any(|e| e.action == "device.approve" && e.target == client_id)
        );
    }
}

#[tokio::test]
async fn device_page_is_in_english_and_a_confidential_client_authenticates() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let (client_id, secret) = device_client(&t, false).await;
        let secret = secret.unwrap();
        let (status, started) =
            device_authorization(&t, (&client_id, Some(&secret)), "openid").await;
        assert_eq!(status, 200, "{started}");
        // Without its secret the confidential client is refused.
        let (status, body) = device_authorization(&t, (&client_id, None), "openid").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        let browser = Browser::new(&t.base);
        let Landing::Page(200, html) = browser.follow("/device?lang=en").await else {
            panic!()
        };
        assert!(html.contains("Code from the device"), "{html}");
        let Landing::Page(200, html) = browser.follow("/device").await else {
            panic!()
        };
        assert!(html.contains("Код с экрана устройства"), "{html}");
    }
}
