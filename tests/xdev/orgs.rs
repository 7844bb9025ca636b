//! Signing in for an organisation on another device (issue 14): a device-grant or CIBA portal
//! asking scope `organization` gets the same organisation choice step after sign-in (or «как
//! частное лицо» where allowed); the approval page names the organisation, and the tokens of the
//! grant carry the `org` claim. A portal that requires an organisation refuses a person without
//! one: the page says why and the polling portal is told `access_denied`.

use crate::common::*;
use crate::support::*;

/// Signs in on the page `html` (the login form) and lands on the organisation choice.
async fn login_to_choice(browser: &Browser, html: &str, login: &str) -> String {
    assert!(
        html.contains("name=\"password\""),
        "login page expected: {html}"
    );
    match browser
        .submit_follow(html, "/login", &[("login", login), ("password", PASSWORD)])
        .await
    {
        Landing::Page(200, page) if page.contains("action=\"/org-choice\"") => page,
        other => panic!("the organisation choice expected: {other:?}"),
    }
}

/// Chooses `org` (an oid or "private") and lands on the approval page.
async fn choose_to_approval(browser: &Browser, choice: &str, org: &str) -> String {
    match browser
        .submit_follow(choice, "/org-choice", &[("org", org)])
        .await
    {
        Landing::Page(200, page) if page.contains("name=\"decision\"") => page,
        other => panic!("the approval page expected: {other:?}"),
    }
}

/// The device's user code typed on a fresh browser: the login page it leads to.
async fn device_login_page(browser: &Browser, user_code: &str) -> String {
    let form = match browser.follow("/device").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    match browser
        .submit_follow(&form, "/device", &[("user_code", user_code)])
        .await
    {
        Landing::Page(200, html) => html,
        other => panic!("code not accepted: {other:?}"),
    }
}

#[tokio::test]
async fn the_device_grant_asks_for_the_organisation_and_its_tokens_carry_it() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let (client_id, _) = device_client(&t, true).await;
        let client = (client_id.as_str(), None);
        let me = t.add_person("+79005557001").await;
        let oid = t.add_org(ROMASHKA, &me).await;

        let (status, started) =
            device_authorization(&t, client, "openid profile organization").await;
        assert_eq!(status, 200, "{started}");
        let code = started["user_code"].as_str().unwrap();
        let browser = Browser::new(&t.base);
        let login = device_login_page(&browser, code).await;
        let choice = login_to_choice(&browser, &login, "89005557001").await;
        assert!(
            choice.contains("value=\"private\""),
            "a private person is allowed"
        );
        let approval = choose_to_approval(&browser, &choice, &oid.to_string()).await;
        assert!(approval.contains("id=\"approve-org\""), "{approval}");
        assert!(approval.contains("Ромашка"), "{approval}");
        let (status, done) = decide(&browser, &approval, "/device/decide", "allow").await;
        assert_eq!(status, 200, "{done}");

        wait_interval().await;
        let device_code = started["device_code"].as_str().unwrap();
        let (status, tokens) = poll_device(&t, client, device_code).await;
        assert_eq!(status, 200, "{tokens} on {}", backend.name());
        let org = &id_token_claims(&tokens)["org"];
        assert_eq!(org["id"], oid, "{tokens}");
        assert_eq!(org["ogrn"], "1027700132195", "{tokens}");
        assert_eq!(org["role"], "chief");
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["org"]["ogrn"], "1027700132195", "{info}");

        // The same portal, as a private person this time: no org claim.
        let (_, started) = device_authorization(&t, client, "openid organization").await;
        let code = started["user_code"].as_str().unwrap();
        let form = match browser.follow("/device").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let choice = match browser
            .submit_follow(&form, "/device", &[("user_code", code)])
            .await
        {
            Landing::Page(200, html) if html.contains("action=\"/org-choice\"") => html,
            other => panic!("signed in: straight to the choice: {other:?}"),
        };
        let approval = choose_to_approval(&browser, &choice, "private").await;
        assert!(!approval.contains("id=\"approve-org\""), "{approval}");
        decide(&browser, &approval, "/device/decide", "allow").await;
        wait_interval().await;
        let (status, tokens) =
            poll_device(&t, client, started["device_code"].as_str().unwrap()).await;
        assert_eq!(status, 200, "{tokens}");
        assert!(id_token_claims(&tokens).get("org").is_none(), "{tokens}");
    }
}

#[tokio::test]
async fn ciba_asks_for_the_organisation_and_its_tokens_carry_it() {
    for backend in backends() {
        let t = start(&backend, |_| {}).await;
        let c = ciba_client(&t, "poll", None).await;
        let me = t.add_person("+79006667001").await;
        let oid = t.add_org(ROMASHKA, &me).await;
        let (status, started) = bc_authorize(
            &t,
            &c,
            &[
                ("scope", "openid organization"),
                ("login_hint", "+79006667001"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{started}");
        let id = started["auth_req_id"].as_str().unwrap();
        let link = approval_link(&t, "+79006667001").await;
        let browser = Browser::new(&t.base);
        let login = match browser.follow(&link).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let choice = login_to_choice(&browser, &login, "89006667001").await;
        let approval = choose_to_approval(&browser, &choice, &oid.to_string()).await;
        assert!(approval.contains("/ciba/decide"), "{approval}");
        assert!(approval.contains("id=\"approve-org\""), "{approval}");
        let (status, _) = decide(&browser, &approval, "/ciba/decide", "allow").await;
        assert_eq!(status, 200);

        wait_interval().await;
        let (status, tokens) = poll_ciba(&t, &c, id).await;
        assert_eq!(status, 200, "{tokens} on {}", backend.name());
        let org = &id_token_claims(&tokens)["org"];
        assert_eq!(org["ogrn"], "1027700132195", "{tokens}");
        assert_eq!(org["short_name"], "ООО «Ромашка»");
        assert_eq!(org["role"], "chief");
    }
}

#[tokio::test]
async fn a_portal_requiring_an_organisation_refuses_a_person_without_one() {
    let t = start(&Backend::Sqlite, |_| {}).await;
    let (c, _) = vhod::clients::register(
        &t.app.store,
        vhod::clients::NewClient {
            name: "Касса для юрлиц".into(),
            is_public: true,
            grant_types: vec!["device_code".into()],
            require_org: true,
            ..vhod::clients::NewClient::default()
        },
    )
    .await
    .unwrap();
    let client = (c.id.as_str(), None);
    t.add_person("+79005557002").await;
    let (_, started) = device_authorization(&t, client, "openid").await;
    let browser = Browser::new(&t.base);
    let login = device_login_page(&browser, started["user_code"].as_str().unwrap()).await;
    let refused = match browser
        .submit_follow(
            &login,
            "/login",
            &[("login", "89005557002"), ("password", PASSWORD)],
        )
        .await
    {
        Landing::Page(403, html) => html,
        other => panic!("the refusal expected: {other:?}"),
    };
    assert!(refused.contains("Нужна организация"), "{refused}");
    assert!(refused.contains("Касса для юрлиц"), "{refused}");
    assert!(
        !refused.contains("id=\"back-to-portal\""),
        "no way back to show"
    );
    wait_interval().await;
    let (status, body) = poll_device(&t, client, started["device_code"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied")),
        "{body}"
    );
}
