//! The ESIA half of the demo B2B portal at /demo/b2b (issue 14): the portal, an ESIA client with
//! its own GOST key registered in dev mode, signs an employee in for an organisation over HTTP
//! (signed v2/ac request, code exchanged at v3/te, then /rs/prns/{oid}/roles and /rs/orgs/{id}
//! with /ctts, /addrs and — for a chief — /emps) and shows the card and the role; removed from
//! the organisation, the employee is refused at the next view. Dev mode only. Both backends.

mod common;
#[path = "esia_orgs/support.rs"]
mod support;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use support::{ACTUAL_ADDRESS, LEGAL_ADDRESS, org};
use tokens::*;

/// The action of the page's (last) POST form.
fn form_action(html: &str) -> String {
    let i = html.rfind("method=\"post\" action=\"").expect("a form");
    let rest = &html[i + "method=\"post\" action=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// From the signed-in browser: the ESIA sign-in, the organisation chosen, the consent allowed;
/// the portal's page it lands on.
async fn esia_sign_in(b: &Browser, oid: i64) -> String {
    let choice = page(b, "/demo/b2b/esia/start").await;
    assert!(choice.contains("action=\"/org-choice\""), "{choice}");
    let consent = match b
        .submit_follow(&choice, "/org-choice", &[("org", &oid.to_string())])
        .await
    {
        Landing::Page(200, html) if html.contains("name=\"decision\"") => html,
        other => panic!("the consent page expected: {other:?}"),
    };
    match b
        .submit_follow(&consent, &form_action(&consent), &[("decision", "allow")])
        .await
    {
        Landing::Page(200, html) => html,
        other => panic!("the portal's page expected: {other:?}"),
    }
}

#[tokio::test]
async fn an_employee_signs_in_over_esia_sees_the_card_and_role_and_is_refused_when_removed() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let chief = t.add_person("boss@example.org").await;
        let emp = t.add_person("emp@example.org").await;
        let oid = org(&t, "1027700132195", "Ромашка", &chief).await;
        t.app
            .store
            .add_org_member(oid, &emp, "employee")
            .await
            .unwrap();
        let b = signed_in(&t, "emp@example.org").await;

        let landing = page(&b, "/demo/b2b").await;
        assert!(landing.contains("id=\"b2b-esia-login\""), "{landing}");
        let card = esia_sign_in(&b, oid).await;
        assert!(
            card.contains("id=\"b2b-esia-org\""),
            "{}: {card}",
            backend.name()
        );
        for shown in [
            "Ромашка",
            "1027700132195",
            "7700132195",
            "690101001",
            "+7 4822 12-34-56",
            "office@example.org",
            LEGAL_ADDRESS,
            ACTUAL_ADDRESS,
            "Юридический адрес",
        ] {
            assert!(card.contains(shown), "{shown} on the card: {card}");
        }
        let role = card.split("id=\"b2b-esia-role\">").nth(1).unwrap();
        assert!(
            role.starts_with("Сотрудник"),
            "the role from /roles: {role}"
        );
        assert!(
            !card.contains("id=\"b2b-esia-emps\""),
            "an employee does not read /emps"
        );
        assert!(
            !card.contains("id=\"b2b-org\""),
            "the OpenID half is not signed in"
        );
        // Every view refreshes and reads again; the rotated refresh token keeps working.
        let again = page(&b, "/demo/b2b").await;
        assert!(again.contains("id=\"b2b-esia-org\""), "{again}");

        assert!(t.app.store.remove_org_member(oid, &emp).await.unwrap());
        let lost = page(&b, "/demo/b2b").await;
        assert!(lost.contains("Доступ по ЕСИА прекращён"), "{lost}");
        assert!(lost.contains("id=\"b2b-esia-detail\""), "{lost}");
        assert!(!lost.contains("id=\"b2b-esia-org\""));
        let after = page(&b, "/demo/b2b").await;
        assert!(
            after.contains("id=\"b2b-esia-login\"") && !after.contains("id=\"b2b-esia-notice\""),
            "the portal's ESIA session is gone: {after}"
        );
    }
}

#[tokio::test]
async fn the_chief_sees_the_employees_in_english() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let chief = t.add_person("boss@example.org").await;
    let emp = t.add_person("emp@example.org").await;
    let oid = org(&t, "1027700132195", "Ромашка", &chief).await;
    t.app
        .store
        .add_org_member(oid, &emp, "employee")
        .await
        .unwrap();
    let b = signed_in(&t, "boss@example.org").await;
    b.get("/lang?to=en&back=%2F").await;
    let card = esia_sign_in(&b, oid).await;
    let role = card.split("id=\"b2b-esia-role\">").nth(1).unwrap();
    assert!(role.starts_with("Head"), "{card}");
    let emps = card
        .split("id=\"b2b-esia-emps\">")
        .nth(1)
        .expect("/emps read");
    assert!(
        emps.contains("— Head") && emps.contains("— Employee"),
        "{emps}"
    );
    assert!(card.contains("Legal address"), "{card}");
}

#[tokio::test]
async fn a_person_without_an_organisation_is_told_why() {
    let t = TestServer::start(&Backend::Sqlite).await;
    t.add_person("nobody@example.org").await;
    let b = signed_in(&t, "nobody@example.org").await;
    let refused = match b.follow("/demo/b2b/esia/start").await {
        Landing::Page(403, html) => html,
        other => panic!("{other:?}"),
    };
    let i = refused.find("id=\"back-to-portal\"").unwrap();
    let back = refused[..i].rsplit("href=\"").next().unwrap();
    let back = back[..back.find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let html = page(&b, &back).await;
    assert!(html.contains("Вход по ЕСИА не выполнен"), "{back}: {html}");
    assert!(html.contains("access_denied"), "{html}");
    assert!(html.contains("id=\"b2b-esia-login\""), "{html}");
}

#[tokio::test]
async fn the_b2b_portal_is_dev_mode_only() {
    let mut config = test_config(&Backend::Sqlite);
    config.dev.enabled = false;
    let t = TestServer::start_with(&Backend::Sqlite, config).await;
    for path in [
        "/demo/b2b",
        "/demo/b2b/esia/start",
        "/demo/b2b/esia/callback",
    ] {
        let res = no_redirect_client()
            .get(format!("{}{path}", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    assert!(
        vhod::clients::esia::find(&t.app.store, "VHOD_DEMO_B2B")
            .await
            .unwrap()
            .is_none(),
        "no demo ESIA client without dev mode"
    );
}
