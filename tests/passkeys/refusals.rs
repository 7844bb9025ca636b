use super::*;

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
