//! The admin console lists organisations left without a chief for operators (issue 14): the
//! chief's account is deleted, the organisation appears; a caller without the operator role does
//! not see the list. The list is read from flags set with the deletion, not by looking for a chief
//! in every organisation: one orphaned without a flag (as a node of the previous release leaves
//! it) is listed once a start has flagged it, and a flagged one that has a chief again is not.
//! Both backends.

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

/// The organisation numbers the operators' list shows.
fn listed(page: &str) -> String {
    page.split("id=\"orgs-without-chief\"")
        .nth(1)
        .map(|t| t.split("</table>").next().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_list_reads_flags_and_a_start_flags_what_a_previous_release_left() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let chief = t.add_person("boss@example.org").await;
        let other = t.add_person("other@example.org").await;
        let unflagged = t.add_org(ROMASHKA, &chief).await;
        let flagged = t.add_org(VASILEK, &other).await;

        // The previous release deleted a chief's account without flagging its organisation.
        t.app.store.delete_account(&chief).await.unwrap();
        let page = console_as(&t, &[Role::Operator]).await;
        assert!(
            !listed(&page).contains(&unflagged.to_string()),
            "not flagged: not read"
        );
        assert_eq!(t.app.store.flag_chiefless_orgs().await.unwrap(), 1);
        assert_eq!(
            t.app.store.flag_chiefless_orgs().await.unwrap(),
            0,
            "flagged once"
        );
        let page = console_as(&t, &[Role::Operator]).await;
        assert!(listed(&page).contains(ROMASHKA.0), "{page}");

        // A flagged organisation that has a chief again (a head's signature took it over) is not
        // listed.
        vhod::identity::deletion::delete(&t.app, &vhod::types::AccountId::new(other.clone()))
            .await
            .unwrap();
        assert!(listed(&console_as(&t, &[Role::Operator]).await).contains(VASILEK.0));
        let head = t.add_person("head@example.org").await;
        let mut db = t.raw_db().await;
        sqlx::query(
            "INSERT INTO org_members (org_oid, account_id, role, joined_at) VALUES ($1, $2, 'chief', 0)",
        )
        .bind(flagged)
        .bind(&head)
        .execute(&mut db)
        .await
        .unwrap();
        let table = listed(&console_as(&t, &[Role::Operator]).await);
        assert!(
            table.contains(ROMASHKA.0) && !table.contains(VASILEK.0),
            "{table}"
        );
    }
}
