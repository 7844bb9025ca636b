//! The demo B2B portal at /demo/b2b (issue 14): an employee signs in for their organisation and
//! sees its card and their role from the tokens; removed from the organisation, they lose access
//! at the portal's next page view; a person with no organisation is refused with a readable page
//! and the portal says why. Both backends.

mod common;
#[path = "orgs/oidc.rs"]
mod oidc;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use oidc::*;
use tokens::*;

fn back_link(html: &str) -> String {
    html.split("id=\"back-to-portal\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

#[tokio::test]
async fn an_employee_signs_in_for_the_organisation_and_loses_access_when_removed() {
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
        let b = signed_in(&t, "emp@example.org").await;

        let landing = page(&b, "/demo/b2b").await;
        assert!(
            landing.contains("Войти через vhod как представитель организации"),
            "{landing}"
        );
        assert!(
            landing.contains("id=\"b2b-esia\""),
            "the ESIA variant is described"
        );
        let choice = page(&b, "/demo/b2b/start").await;
        assert!(choice.contains("action=\"/org-choice\""), "{choice}");
        assert!(
            !choice.contains("value=\"private\""),
            "the B2B portal requires an organisation"
        );
        let consent = match choose(&b, &choice, &oid.to_string()).await {
            Landing::Page(200, c) if c.contains("name=\"decision\"") => c,
            other => panic!("{other:?}"),
        };
        let card = match b
            .submit_follow(&consent, "/consent", &[("decision", "allow")])
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("{}: {other:?}", backend.name()),
        };
        assert!(card.contains("id=\"b2b-org\""), "{card}");
        assert!(
            card.contains("ООО «Ромашка»")
                && card.contains(ROMASHKA.0)
                && card.contains(ROMASHKA.1)
        );
        assert!(card.contains("Сотрудник"), "the role from the tokens");
        // Every view asks vhod again (refresh + userinfo); the rotated tokens keep working.
        let again = page(&b, "/demo/b2b").await;
        assert!(again.contains("id=\"b2b-org\""), "{again}");

        assert!(t.app.store.remove_org_member(oid, &emp).await.unwrap());
        let lost = page(&b, "/demo/b2b").await;
        assert!(lost.contains("Доступ прекращён"), "{lost}");
        assert!(!lost.contains("id=\"b2b-org\""));
        let after = page(&b, "/demo/b2b").await;
        assert!(
            after.contains("id=\"b2b-login\""),
            "the portal's session is gone: {after}"
        );
    }
}

#[tokio::test]
async fn a_person_without_an_organisation_is_refused_and_the_portal_says_why() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("nobody@example.org").await;
        let b = signed_in(&t, "nobody@example.org").await;
        let refused = match b.follow("/demo/b2b/start").await {
            Landing::Page(403, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(refused.contains("Нужна организация"), "{refused}");
        let back = back_link(&refused);
        assert!(back.contains("/demo/b2b/callback"), "{back}");
        match b.follow(&back).await {
            Landing::Page(200, html) => {
                assert!(
                    html.contains("портал принимает только представителей организации"),
                    "{html}"
                );
                assert!(html.contains("access_denied"), "{html}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn the_b2b_portal_speaks_english() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let res = no_redirect_client()
        .get(format!("{}/demo/b2b", t.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Sign in through vhod as a representative of an organisation"),
        "{html}"
    );
}
