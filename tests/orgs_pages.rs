//! The «Организации» pages (issue 14) over HTTP: adding a sole trader from the personal account,
//! the card, inviting by e-mail and accepting from the invitee's own account, and the role and
//! CSRF checks of the pages (an employee cannot invite, a stranger sees nothing, a person not
//! confirmed is refused with the reason). Both backends.

mod common;
#[path = "common/pki.rs"]
mod pki;
#[path = "orgs/support.rs"]
mod support;

use common::login::new_browser_at_account;
use common::*;
use support::*;

async fn page(b: &Browser, url: &str) -> String {
    match b.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}

#[tokio::test]
async fn a_sole_trader_is_added_and_an_employee_joins_through_the_pages() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        confirmed(t, "chief@example.org", &snils("112233445")).await;
        let chief = new_browser_at_account(&t.base, "chief@example.org").await;
        assert!(page(&chief, "/account").await.contains("/account/orgs"));
        let new = page(&chief, "/account/orgs/new").await;
        assert!(new.contains("/account/orgs/new/legal"), "{new}");
        let res = chief
            .submit(
                &new,
                "/account/orgs/new/sole",
                &[
                    ("ogrnip", &ogrnip("30450011600012")),
                    ("inn", &inn12("5001007320")),
                ],
            )
            .await;
        let card_url = location(&res).unwrap_or_else(|| panic!("not created: {}", backend.name()));
        assert!(card_url.starts_with("/account/orgs/"), "{card_url}");
        let card = page(&chief, &card_url).await;
        assert!(card.contains("ИП Иванов Иван"), "{card}");
        assert!(card.contains("Организация добавлена"), "{card}");
        assert!(card.contains("id=\"invite\""), "the chief may invite");
        let base = card_url.split('?').next().unwrap().to_string();

        // Invite by e-mail; the invitee accepts from their own account.
        let res = chief
            .submit(
                &card,
                &format!("{base}/invite"),
                &[("invitee", "emp@example.org"), ("role", "employee")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        t.add_person("emp@example.org").await;
        let emp = new_browser_at_account(&t.base, "emp@example.org").await;
        let list = page(&emp, "/account/orgs").await;
        assert!(list.contains("ИП Иванов Иван"), "{list}");
        match emp
            .submit_follow(&list, "/account/orgs/invitations/accept", &[])
            .await
        {
            Landing::Page(200, html) => {
                assert!(html.contains("Сотрудник"), "{html}");
                assert!(
                    !html.contains("id=\"invite\""),
                    "an employee has no invite form"
                );
            }
            other => panic!("{other:?}"),
        }
        // An employee posting the invite form anyway is refused.
        let emp_card = page(&emp, &base).await;
        let res = emp
            .submit(
                &emp_card,
                &format!("{base}/invite"),
                &[("invitee", "x@example.org"), ("role", "employee")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 403);
        assert!(res.text().await.unwrap().contains("не позволяет"));
        // Without the CSRF token: refused.
        let res = chief
            .post(&format!("{base}/card"), &[("short_name", "Взлом")])
            .await;
        assert_eq!(res.status().as_u16(), 403);
        // A stranger sees nothing.
        t.add_person("stranger@example.org").await;
        let stranger = new_browser_at_account(&t.base, "stranger@example.org").await;
        assert!(matches!(
            stranger.follow(&base).await,
            Landing::Page(404, _)
        ));
        // The chief edits the card.
        match chief
            .submit_follow(&card, &format!("{base}/card"), &[("hours", "пн–пт 9–18")])
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("пн–пт 9–18"), "{html}"),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_person_not_confirmed_is_told_why_they_cannot_add_an_organisation() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        standard(t, "std@example.org", &snils("112233445")).await;
        let b = new_browser_at_account(&t.base, "std@example.org").await;
        let new = page(&b, "/account/orgs/new").await;
        assert!(new.contains("подтверждённой учётной записью"), "{new}");
        assert!(!new.contains("/account/orgs/new/sole"));
        // Posting the form anyway (with a valid CSRF token from the account page) is refused.
        let account = page(&b, "/account").await;
        let res = b
            .submit(
                &account,
                "/account/orgs/new/sole",
                &[
                    ("ogrnip", &ogrnip("30450011600012")),
                    ("inn", &inn12("5001007320")),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("подтверждённой учётной записью")
        );
        assert!(
            t.app
                .store
                .org_by_ogrn(&ogrnip("30450011600012"))
                .await
                .unwrap()
                .is_none()
        );
    }
}
