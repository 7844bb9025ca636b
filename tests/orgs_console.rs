//! The admin console lists organisations left without a chief for operators (issue 14): the
//! chief's account is deleted, the organisation appears; a caller without the operator role does
//! not see the list. Both backends.

mod common;

use common::*;
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;

async fn console_as(t: &TestServer, roles: &[Role]) -> String {
    let (token, _) = issue_bootstrap_token(&t.app, roles, "console", 600)
        .await
        .unwrap();
    let b = Browser::new(&t.base);
    let login = match b.follow("/admin/console").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    b.submit(&login, "/admin/console/login", &[("token", &token)])
        .await;
    match b.follow("/admin/console").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn operators_see_the_organisations_left_without_a_chief() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let chief = t.add_person("boss@example.org").await;
        let other = t.add_person("other@example.org").await;
        let orphan = t.add_org(ROMASHKA, &chief).await;
        t.add_org(VASILEK, &other).await;

        let page = console_as(&t, &[Role::Operator]).await;
        assert!(page.contains("Организации без руководителя"), "{page}");
        assert!(!page.contains("id=\"orgs-without-chief\""), "none yet");

        vhod::identity::deletion::delete(&t.app, &vhod::types::AccountId::new(chief.clone()))
            .await
            .unwrap();
        let page = console_as(&t, &[Role::Operator]).await;
        let table = page
            .split("id=\"orgs-without-chief\"")
            .nth(1)
            .unwrap_or_else(|| panic!("{page}"));
        let table = table.split("</table>").next().unwrap();
        assert!(
            table.contains(&orphan.to_string()) && table.contains(ROMASHKA.0),
            "{table}"
        );
        assert!(
            !table.contains(VASILEK.0),
            "an organisation with a chief is not listed"
        );

        let auditor = console_as(&t, &[Role::Auditor]).await;
        assert!(
            !auditor.contains("Организации без руководителя"),
            "not an operator"
        );
    }
}
