//! What ends a sign-in for an organisation (issue 14): a person removed from the organisation
//! (refresh refused with invalid_grant, userinfo and introspection no longer name it), consent per
//! portal AND organisation, and withdrawing a portal's permission from the organisation's page
//! (chief and admins only; the organisation's tokens at that portal stop). Both backends.

mod common;
#[path = "orgs/oidc.rs"]
mod oidc;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use oidc::*;
use tokens::*;

#[tokio::test]
async fn a_removed_member_loses_the_organisation_and_the_refresh() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let chief = t.add_person("boss@example.org").await;
        let emp = t.add_person("emp@example.org").await;
        let oid = t.add_org(ROMASHKA, &chief).await;
        t.app
            .store
            .add_org_member(oid, &emp, "employee")
            .await
            .unwrap();
        let (client, secret) = portal(&t, false).await;
        let c = (client.as_str(), secret.as_str());
        let b = signed_in(&t, "emp@example.org").await;
        let (html, verifier) =
            choice_page(&t, &b, &client, &[("scope", "openid organization")]).await;
        let tokens = choose_and_redeem(&t, &b, c, &html, &verifier, &oid.to_string()).await;
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&t, access).await.1["org"]["role"], "employee");

        assert!(t.app.store.remove_org_member(oid, &emp).await.unwrap());
        let (status, body) = userinfo(&t, access).await;
        assert_eq!(status, 200);
        assert!(
            body.get("org").is_none(),
            "userinfo no longer names it: {body}"
        );
        let intro = introspect(&t, c, access).await;
        assert!(intro.get("org").is_none(), "{intro}");
        let rt = tokens["refresh_token"].as_str().unwrap();
        assert_eq!(introspect(&t, c, rt).await["active"], false);
        let (status, body) = refresh(&t, c, &tokens).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_grant", "{body}");
    }
}

#[tokio::test]
async fn consent_is_per_portal_and_organisation_and_the_org_page_withdraws_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let chief = t.add_person("boss@example.org").await;
        let emp = t.add_person("emp@example.org").await;
        let romashka = t.add_org(ROMASHKA, &chief).await;
        let vasilek = t.add_org(VASILEK, &chief).await;
        t.app
            .store
            .add_org_member(romashka, &emp, "employee")
            .await
            .unwrap();
        let (client, secret) = portal(&t, false).await;
        let c = (client.as_str(), secret.as_str());
        let b = signed_in(&t, "boss@example.org").await;
        let scope = [("scope", "openid organization")];

        let (html, v) = choice_page(&t, &b, &client, &scope).await;
        let for_romashka = choose_and_redeem(&t, &b, c, &html, &v, &romashka.to_string()).await;
        // Same portal, same organisation: no consent page the second time.
        let (html, _) = choice_page(&t, &b, &client, &scope).await;
        match choose(&b, &html, &romashka.to_string()).await {
            Landing::Left(back) => assert!(query_param(&back, "code").is_some(), "{back}"),
            other => panic!("consent asked again for the same organisation: {other:?}"),
        }
        // Another organisation: consent is asked again.
        let (html, v) = choice_page(&t, &b, &client, &scope).await;
        let consent = match choose(&b, &html, &vasilek.to_string()).await {
            Landing::Page(200, c) if c.contains("name=\"decision\"") => c,
            other => panic!("no consent page for another organisation: {other:?}"),
        };
        let for_vasilek = allow_and_redeem(&t, &b, c, &consent, &v).await;

        // The employee cannot see or withdraw the organisation's portals.
        let eb = signed_in(&t, "emp@example.org").await;
        let card = page(&eb, &format!("/account/orgs/{romashka}")).await;
        assert!(
            !card.contains("id=\"org-portals\""),
            "an employee sees no portals"
        );
        let res = eb
            .submit(
                &card,
                &format!("/account/orgs/{romashka}/portal_revoke"),
                &[("client", &client)],
            )
            .await;
        assert_eq!(res.status(), 403);
        assert_eq!(still_working(&t, c, &for_romashka).await.0, 200);

        // The chief sees the portal on the organisation's page and withdraws it.
        let card = page(&b, &format!("/account/orgs/{romashka}")).await;
        assert!(
            card.contains("id=\"org-portals\"") && card.contains("Личный кабинет ЖКХ"),
            "{card}"
        );
        let done = match b
            .submit_follow(
                &card,
                &format!("/account/orgs/{romashka}/portal_revoke"),
                &[("client", &client)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(done.contains("Разрешение порталу отозвано"), "{done}");
        assert!(
            !done.contains("Личный кабинет ЖКХ"),
            "the portal is gone from the list"
        );
        let (ui, active, rt) = still_working(&t, c, &for_romashka).await;
        assert_eq!(
            (ui, active, rt),
            (401, false, 400),
            "the organisation's tokens stop"
        );
        let (ui, active, _) = still_working(&t, c, &for_vasilek).await;
        assert_eq!(
            (ui, active),
            (200, true),
            "another organisation's tokens go on"
        );
        let actions = support_audit(&t, romashka).await;
        assert!(
            actions.iter().any(|a| a == "org.consent.withdraw"),
            "{actions:?}"
        );
        // Consent is asked again for the organisation.
        let (html, _) = choice_page(&t, &b, &client, &scope).await;
        match choose(&b, &html, &romashka.to_string()).await {
            Landing::Page(200, c) => assert!(c.contains("name=\"decision\"")),
            other => panic!("{other:?}"),
        }
    }
}

async fn support_audit(t: &TestServer, oid: i64) -> Vec<String> {
    t.app
        .store
        .audit_since(0)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.target == format!("org:{oid}"))
        .map(|e| e.action)
        .collect()
}
