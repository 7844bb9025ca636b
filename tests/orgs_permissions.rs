//! «Разрешения доступа к персональным данным» lists what a person allowed portals while acting
//! for an organisation (consent per portal and organisation, issue 14): the portal, the
//! organisation, the data and the date, each with its own withdraw button. Withdrawing ends that
//! consent and the person's tokens for that organisation at that portal, and only those. Both
//! backends.

mod common;
#[path = "orgs/oidc.rs"]
mod oidc;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use oidc::*;
use tokens::*;

/// The rows of the organisations' section of the permissions page.
fn org_rows(html: &str) -> Vec<String> {
    let Some(section) = html.split("id=\"org-permissions\"").nth(1) else {
        return vec![];
    };
    let section = section.split("</section>").next().unwrap();
    section
        .split("<tr class=\"org-permission\">")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_permissions_page_lists_and_withdraws_a_consent_given_for_an_organisation() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let chief = t.add_person("boss@example.org").await;
        let romashka = t.add_org(ROMASHKA, &chief).await;
        let vasilek = t.add_org(VASILEK, &chief).await;
        let (client, secret) = portal(&t, false).await;
        let c = (client.as_str(), secret.as_str());
        let b = signed_in(&t, "boss@example.org").await;
        let scope = [("scope", "openid organization")];
        let (html, v) = choice_page(&t, &b, &client, &scope).await;
        let for_romashka = choose_and_redeem(&t, &b, c, &html, &v, &romashka.to_string()).await;
        let (html, v) = choice_page(&t, &b, &client, &scope).await;
        let for_vasilek = choose_and_redeem(&t, &b, c, &html, &v, &vasilek.to_string()).await;

        let listed = page(&b, "/account/permissions").await;
        let rows = org_rows(&listed);
        assert_eq!(rows.len(), 2, "{}: {listed}", backend.name());
        let romashka_row = rows
            .iter()
            .find(|r| r.contains("Ромашка"))
            .unwrap_or_else(|| panic!("Ромашка listed: {rows:?}"));
        assert!(romashka_row.contains("Личный кабинет ЖКХ"), "the portal");
        assert!(
            romashka_row.contains("Организация, от имени которой вы входите"),
            "the data in words: {romashka_row}"
        );
        assert!(romashka_row.contains(" 202"), "the date: {romashka_row}");
        assert!(
            romashka_row.contains(&format!("name=\"org\" value=\"{romashka}\"")),
            "{romashka_row}"
        );

        let res = b
            .submit(
                &listed,
                "/account/permissions/revoke",
                &[("client_id", &client), ("org", &romashka.to_string())],
            )
            .await;
        assert_eq!(res.status(), 303);
        let after = page(&b, "/account/permissions").await;
        let rows = org_rows(&after);
        assert_eq!(rows.len(), 1, "{after}");
        assert!(
            rows[0].contains(&format!("value=\"{vasilek}\"")),
            "{rows:?}"
        );

        // The tokens for Ромашка stop; those for Василёк go on.
        let (status, body) = refresh(&t, c, &for_romashka).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid_grant");
        let (status, body) = refresh(&t, c, &for_vasilek).await;
        assert_eq!(status, 200, "{body}");
        // The next sign-in for Ромашка asks for consent again.
        let (html, _) = choice_page(&t, &b, &client, &scope).await;
        match choose(&b, &html, &romashka.to_string()).await {
            Landing::Page(200, c) => assert!(c.contains("name=\"decision\""), "{c}"),
            other => panic!("consent asked again expected: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_forged_withdrawal_without_csrf_changes_nothing_and_english_is_spoken() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let chief = t.add_person("boss@example.org").await;
    let romashka = t.add_org(ROMASHKA, &chief).await;
    let (client, secret) = portal(&t, false).await;
    let c = (client.as_str(), secret.as_str());
    let b = signed_in(&t, "boss@example.org").await;
    let (html, v) = choice_page(&t, &b, &client, &[("scope", "openid organization")]).await;
    choose_and_redeem(&t, &b, c, &html, &v, &romashka.to_string()).await;
    let res = b
        .post(
            "/account/permissions/revoke",
            &[("client_id", &client), ("org", &romashka.to_string())],
        )
        .await;
    assert_eq!(res.status(), 403, "no CSRF token");
    b.get("/lang?to=en&back=%2F").await;
    let listed = page(&b, "/account/permissions").await;
    assert_eq!(org_rows(&listed).len(), 1, "{listed}");
    assert!(listed.contains("On behalf of organisations"), "{listed}");
}
