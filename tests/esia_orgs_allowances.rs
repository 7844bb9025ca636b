//! client_credentials with organisation scopes (issue 14): a portal gets `org_*?org_oid=N` only
//! from an organisation whose chief or admin allowed it on the organisation's page; revoking the
//! allowance stops the tokens it holds at once; an employee cannot allow; every change audited.
//! Both backends.

mod common;
mod esia_rp;
#[path = "esia_orgs/support.rs"]
mod support;

use common::esia::refused;
use common::login::new_browser_at_account;
use common::*;
use esia_rp::*;
use support::*;
use vhod::orgs::OrgError;
use vhod::orgs::allowances;

const CC_PORTAL: &str = "ORG_PORTAL";
const CC_SCOPES: [&str; 4] = ["org_shortname", "org_ogrn", "org_ctts", "org_emps"];

async fn page(b: &Browser, url: &str) -> String {
    match b.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}

async fn audit_actions(t: &TestServer, oid: i64) -> Vec<String> {
    let target = format!("org:{oid}");
    t.app
        .store
        .audit_since(0)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.target == target)
        .map(|r| r.action)
        .collect()
}

#[tokio::test]
async fn client_credentials_work_only_while_the_organisation_allows_the_portal() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, CC_PORTAL, &CC_SCOPES).await;
        let (chief, _) = person(&t, "+79005552001").await;
        let (emp, _) = person(&t, "+79005552002").await;
        let x = org(&t, "1027700132195", "Ромашка", &chief).await;
        let y = org(&t, "1025000000019", "Василёк", &emp).await;
        t.app
            .store
            .add_org_member(x, &emp, "employee")
            .await
            .unwrap();
        let scope = org_items(&CC_SCOPES, x);
        let now = || t.app.clock.now();

        // Not allowed yet: ESIA-007019.
        let (status, body) = rp.te(&rp.client_credentials_form(now(), &scope, PHP)).await;
        assert_eq!(status, 400, "{}: {body}", backend.name());
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("ESIA-007019"),
            "{body}"
        );

        // An employee may not allow; the chief may; an unknown portal is refused.
        assert!(matches!(
            allowances::allow(&t.app, &emp, x, CC_PORTAL).await,
            Err(OrgError::Forbidden)
        ));
        assert!(matches!(
            allowances::allow(&t.app, &chief, x, "NO_SUCH").await,
            Err(OrgError::UnknownPortal)
        ));
        allowances::allow(&t.app, &chief, x, CC_PORTAL)
            .await
            .unwrap();
        let (status, body) = rp.te(&rp.client_credentials_form(now(), &scope, GO)).await;
        assert_eq!(status, 200, "{body}");
        let at = body["access_token"].as_str().unwrap().to_string();
        let (_, claims) = claims(&at);
        assert_eq!(claims["scope"], scope);
        assert!(
            claims.get("urn:esia:sbj_id").is_none(),
            "the portal's own token"
        );

        // The token reads the card, contacts and employees of X (org_emps: the portal's own token).
        let (status, card) = common::esia::rs_get(&t, Some(&at), &format!("/rs/orgs/{x}")).await;
        assert_eq!(status, 200, "{card}");
        assert_eq!(card["shortName"], "Ромашка");
        assert_eq!(card["ogrn"], "1027700132195");
        assert!(card.get("inn").is_none(), "org_inn was not asked");
        let (_, emps) = common::esia::rs_get(&t, Some(&at), &format!("/rs/orgs/{x}/emps")).await;
        assert_eq!(emps["size"], 2);
        let (status, code) = refused(&t, Some(&at), &format!("/rs/orgs/{x}/addrs")).await;
        assert_eq!((status, code.as_str()), (403, "ESIA-005029"));
        // Another organisation: not in the token, and not allowed either.
        let (status, code) = refused(&t, Some(&at), &format!("/rs/orgs/{y}")).await;
        assert_eq!((status, code.as_str()), (403, "ESIA-005029"));
        let (status, body) = rp
            .te(&rp.client_credentials_form(now(), &org_items(&["org_shortname"], y), PHP))
            .await;
        assert_eq!(status, 400, "Василёк did not allow: {body}");

        // Revoked: the token held stops at once, and no new one is issued.
        assert!(matches!(
            allowances::revoke(&t.app, &emp, x, CC_PORTAL).await,
            Err(OrgError::Forbidden)
        ));
        allowances::revoke(&t.app, &chief, x, CC_PORTAL)
            .await
            .unwrap();
        let (status, code) = refused(&t, Some(&at), &format!("/rs/orgs/{x}")).await;
        assert_eq!((status, code.as_str()), (401, "ESIA-005011"));
        let (status, _) = rp.te(&rp.client_credentials_form(now(), &scope, PHP)).await;
        assert_eq!(status, 400);
        assert!(matches!(
            allowances::revoke(&t.app, &chief, x, CC_PORTAL).await,
            Err(OrgError::UnknownPortal)
        ));
        assert_eq!(
            audit_actions(&t, x).await,
            ["org.client_allowed", "org.client_revoked"]
        );
        assert_eq!(t.app.store.verify_audit().await.unwrap(), None);
    }
}

#[tokio::test]
async fn the_organisation_page_lists_allowed_portals_and_lets_the_chief_allow_and_revoke() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        register_rp(&t, CC_PORTAL, &CC_SCOPES).await;
        let (chief, _) = person(&t, "chief-p@example.org").await;
        let (emp, _) = person(&t, "emp-p@example.org").await;
        let x = org(&t, "1027700132195", "Ромашка", &chief).await;
        t.app
            .store
            .add_org_member(x, &emp, "employee")
            .await
            .unwrap();
        let card_url = format!("/account/orgs/{x}");

        let b = new_browser_at_account(&t.base, "chief-p@example.org").await;
        let card = page(&b, &card_url).await;
        assert!(
            card.contains("id=\"allowance-grant\""),
            "{}: {card}",
            backend.name()
        );
        assert!(card.contains("Доступ порталов к данным организации без входа сотрудника"));
        let res = b
            .submit(
                &card,
                &format!("{card_url}/allowance_grant"),
                &[("client_id", CC_PORTAL)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let card = page(&b, &format!("{card_url}?done=allowed")).await;
        assert!(card.contains("Порталу разрешён доступ"), "{card}");
        assert!(card.contains("Портал ЕСИА (ORG_PORTAL)"), "{card}");
        assert!(t.app.store.org_allows_client(x, CC_PORTAL).await.unwrap());

        // Without the CSRF token: refused, nothing changes.
        let res = b
            .post(
                &format!("{card_url}/allowance_revoke"),
                &[("client_id", CC_PORTAL)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 403);
        assert!(t.app.store.org_allows_client(x, CC_PORTAL).await.unwrap());
        // An unknown portal: a readable refusal.
        let res = b
            .submit(
                &card,
                &format!("{card_url}/allowance_grant"),
                &[("client_id", "NOPE")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 400);
        assert!(res.text().await.unwrap().contains("не зарегистрирован"));

        // The employee sees no portal section and cannot revoke.
        let e = new_browser_at_account(&t.base, "emp-p@example.org").await;
        let emp_card = page(&e, &card_url).await;
        assert!(!emp_card.contains("id=\"allowances\""), "{emp_card}");
        let res = e
            .submit(
                &emp_card,
                &format!("{card_url}/allowance_revoke"),
                &[("client_id", CC_PORTAL)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 403);
        assert!(t.app.store.org_allows_client(x, CC_PORTAL).await.unwrap());

        // The chief revokes from the page.
        let res = b
            .submit(
                &card,
                &format!("{card_url}/allowance_revoke"),
                &[("client_id", CC_PORTAL)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        assert!(!t.app.store.org_allows_client(x, CC_PORTAL).await.unwrap());
        assert!(!page(&b, &card_url).await.contains("(ORG_PORTAL)"));
    }
}
