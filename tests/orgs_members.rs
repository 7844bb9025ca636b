//! Members of an organisation (issue 14): invitations by e-mail and SNILS (accept, decline, expire,
//! revoke, reuse refused), role checks on every organisation action (an employee cannot invite, an
//! admin cannot remove the chief …), the card (editable by chief and admins, audited), and deleting
//! a person (memberships go, an organisation without its chief is listed for operators). Both
//! backends.

mod common;
#[path = "common/pki.rs"]
mod pki;
#[path = "orgs/support.rs"]
mod support;

use common::*;
use support::*;
use vhod::orgs::members::{self, Invitee};
use vhod::orgs::{OrgError, Role, create};
use vhod::store::orgs::OrgCard;

/// A world with an organisation whose chief is `chief@example.org`: (world, oid, chief id).
async fn org_with_chief(backend: &Backend) -> (World, i64, String) {
    let w = world(backend).await;
    let chief_snils = snils("112233445");
    let chief = confirmed(&w.t, "chief@example.org", &chief_snils).await;
    let created = create::sole_trader(
        &w.t.app,
        &chief,
        &ogrnip("30450011600012"),
        &inn12("5001007320"),
    )
    .await
    .unwrap();
    let oid = created.org().oid;
    (w, oid, chief)
}

/// Invites `contact` as `role` by e-mail and accepts from that person's account; the member's id.
async fn join(t: &TestServer, oid: i64, by: &str, contact: &str, role: Role) -> String {
    let id = t.add_person(contact).await;
    let inv = members::invite(&t.app, by, oid, &Invitee::parse(contact).unwrap(), role)
        .await
        .unwrap();
    members::accept(&t.app, &id, &inv.id).await.unwrap();
    id
}

#[tokio::test]
async fn an_invitation_is_accepted_once_and_can_be_declined_revoked_or_expire() {
    for backend in backends() {
        let (w, oid, chief) = org_with_chief(&backend).await;
        let t = &w.t;

        // By e-mail: the invitee is told, sees it in their account and accepts.
        let emp = t.add_person("emp@example.org").await;
        let inv = members::invite(
            &t.app,
            &chief,
            oid,
            &Invitee::parse("Emp@Example.org").unwrap(),
            Role::Employee,
        )
        .await
        .unwrap();
        assert_eq!(inv.invitee_masked, "e***@example.org");
        assert!(
            !inv.invitee_hash.contains("emp"),
            "the invitee is stored hashed"
        );
        let mail = t.last_message("emp@example.org").await;
        assert!(
            mail["body"].as_str().unwrap().contains("ИП Иванов Иван"),
            "{mail}"
        );
        let open = members::invitations_for(&t.app, &emp).await.unwrap();
        assert_eq!(open.len(), 1);
        // Someone else cannot accept it.
        let stranger = t.add_person("stranger@example.org").await;
        assert!(matches!(
            members::accept(&t.app, &stranger, &inv.id).await,
            Err(OrgError::InvitationClosed)
        ));
        assert_eq!(members::accept(&t.app, &emp, &inv.id).await.unwrap(), oid);
        assert_eq!(
            t.app.store.org_role(oid, &emp).await.unwrap().as_deref(),
            Some("employee")
        );
        // Single use.
        assert!(matches!(
            members::accept(&t.app, &emp, &inv.id).await,
            Err(OrgError::InvitationClosed)
        ));
        assert!(
            members::invitations_for(&t.app, &emp)
                .await
                .unwrap()
                .is_empty()
        );

        // By SNILS: found through the person's verified SNILS; declined, then closed.
        let s = snils("123456789");
        let by_snils = standard(t, "snils-person@example.org", &s).await;
        let inv = members::invite(
            &t.app,
            &chief,
            oid,
            &Invitee::parse(&s).unwrap(),
            Role::Admin,
        )
        .await
        .unwrap();
        assert_eq!(
            members::invitations_for(&t.app, &by_snils)
                .await
                .unwrap()
                .len(),
            1
        );
        members::decline(&t.app, &by_snils, &inv.id).await.unwrap();
        assert!(matches!(
            members::accept(&t.app, &by_snils, &inv.id).await,
            Err(OrgError::InvitationClosed)
        ));

        // Revoked by the chief: cannot be accepted.
        let inv = members::invite(
            &t.app,
            &chief,
            oid,
            &Invitee::parse(&s).unwrap(),
            Role::Employee,
        )
        .await
        .unwrap();
        assert_eq!(
            t.app.store.open_org_invitations(oid).await.unwrap().len(),
            1
        );
        members::revoke_invitation(&t.app, &chief, oid, &inv.id)
            .await
            .unwrap();
        assert!(matches!(
            members::accept(&t.app, &by_snils, &inv.id).await,
            Err(OrgError::InvitationClosed)
        ));

        // Expired after 7 days.
        let inv = members::invite(
            &t.app,
            &chief,
            oid,
            &Invitee::parse(&s).unwrap(),
            Role::Employee,
        )
        .await
        .unwrap();
        t.app.clock.advance(members::INVITATION_TTL + 1);
        assert!(
            members::invitations_for(&t.app, &by_snils)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            members::accept(&t.app, &by_snils, &inv.id).await,
            Err(OrgError::InvitationClosed)
        ));
        assert!(
            t.app
                .store
                .org_role(oid, &by_snils)
                .await
                .unwrap()
                .is_none()
        );

        // Bad invitees are refused clearly.
        for bad in ["not-an-email@", "123-456-789 00", ""] {
            assert!(
                matches!(Invitee::parse(bad), Err(OrgError::BadInvitee)),
                "{bad}"
            );
        }
        let actions = audit_actions(t, oid).await;
        for a in [
            "org.invitation_created",
            "org.member_joined",
            "org.invitation_declined",
            "org.invitation_revoked",
        ] {
            assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
        }
        assert_eq!(t.app.store.verify_audit().await.unwrap(), None);
    }
}

#[tokio::test]
async fn each_role_may_do_only_what_it_allows() {
    for backend in backends() {
        let (w, oid, chief) = org_with_chief(&backend).await;
        let t = &w.t;
        let admin = join(t, oid, &chief, "admin@example.org", Role::Admin).await;
        let emp = join(t, oid, &admin, "emp@example.org", Role::Employee).await;
        let emp2 = join(t, oid, &chief, "emp2@example.org", Role::Employee).await;
        let stranger = t.add_person("stranger@example.org").await;
        let someone = Invitee::parse("someone@example.org").unwrap();

        // An employee cannot invite, edit the card, remove or change roles.
        assert!(matches!(
            members::invite(&t.app, &emp, oid, &someone, Role::Employee).await,
            Err(OrgError::Forbidden)
        ));
        assert!(matches!(
            members::edit_card(&t.app, &emp, oid, OrgCard::default()).await,
            Err(OrgError::Forbidden)
        ));
        assert!(matches!(
            members::remove(&t.app, &emp, oid, &emp2).await,
            Err(OrgError::Forbidden)
        ));
        assert!(matches!(
            members::set_role(&t.app, &emp, oid, &emp2, Role::Admin).await,
            Err(OrgError::Forbidden)
        ));
        // An admin cannot remove the chief, another admin's peers, invite admins or change roles.
        assert!(matches!(
            members::remove(&t.app, &admin, oid, &chief).await,
            Err(OrgError::ChiefStays)
        ));
        assert!(matches!(
            members::invite(&t.app, &admin, oid, &someone, Role::Admin).await,
            Err(OrgError::Forbidden)
        ));
        assert!(matches!(
            members::invite(&t.app, &chief, oid, &someone, Role::Chief).await,
            Err(OrgError::Forbidden)
        ));
        assert!(matches!(
            members::set_role(&t.app, &admin, oid, &emp, Role::Admin).await,
            Err(OrgError::Forbidden)
        ));
        // A stranger learns nothing.
        for r in [
            members::edit_card(&t.app, &stranger, oid, OrgCard::default()).await,
            members::leave(&t.app, &stranger, oid).await,
            members::remove(&t.app, &stranger, oid, &emp).await,
        ] {
            assert!(matches!(r, Err(OrgError::NotMember)), "{r:?}");
        }
        assert!(matches!(
            vhod::orgs::membership(&t.app, oid + 1, &chief).await,
            Err(OrgError::NotMember)
        ));
        // The chief cannot leave.
        assert!(matches!(
            members::leave(&t.app, &chief, oid).await,
            Err(OrgError::ChiefStays)
        ));

        // What is allowed happens: admin removes an employee, chief promotes, employee leaves.
        members::remove(&t.app, &admin, oid, &emp2).await.unwrap();
        assert!(t.app.store.org_role(oid, &emp2).await.unwrap().is_none());
        members::set_role(&t.app, &chief, oid, &emp, Role::Admin)
            .await
            .unwrap();
        assert_eq!(
            t.app.store.org_role(oid, &emp).await.unwrap().as_deref(),
            Some("admin")
        );
        assert!(matches!(
            members::remove(&t.app, &admin, oid, &emp).await,
            Err(OrgError::Forbidden)
        ));
        members::remove(&t.app, &chief, oid, &emp).await.unwrap();
        members::leave(&t.app, &admin, oid).await.unwrap();
        let left: Vec<String> = t
            .app
            .store
            .org_members(oid)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.role)
            .collect();
        assert_eq!(left, ["chief"]);
        // An employee removed loses the org claim a portal would get.
        assert!(
            vhod::orgs::claim_for(&t.app, &emp, oid)
                .await
                .unwrap()
                .is_none()
        );
        let actions = audit_actions(t, oid).await;
        for a in ["org.member_removed", "org.role_changed", "org.member_left"] {
            assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
        }
    }
}

#[tokio::test]
async fn the_card_is_edited_by_chief_and_admins_and_audited() {
    for backend in backends() {
        let (w, oid, chief) = org_with_chief(&backend).await;
        let t = &w.t;
        let admin = join(t, oid, &chief, "admin@example.org", Role::Admin).await;
        let card = OrgCard {
            short_name: "ИП Иванов".into(),
            legal_address: "г. Тверь, ул. Советская, 1".into(),
            phone: "+7 4822 00-00-00".into(),
            hours: "пн–пт 9:00–18:00".into(),
            okved: "62.01".into(),
            ..OrgCard::default()
        };
        members::edit_card(&t.app, &admin, oid, card).await.unwrap();
        let org = t.app.store.org(oid).await.unwrap().unwrap();
        assert_eq!(org.short_name, "ИП Иванов");
        assert_eq!(org.legal_address, "г. Тверь, ул. Советская, 1");
        assert_eq!(org.okved, "62.01");
        // Registry-checked fields are untouched.
        assert_eq!(org.ogrn, ogrnip("30450011600012"));
        // Too long or control characters: refused, nothing written.
        let long = OrgCard {
            site: "x".repeat(members::MAX_FIELD + 1),
            ..OrgCard::default()
        };
        assert!(matches!(
            members::edit_card(&t.app, &chief, oid, long).await,
            Err(OrgError::FieldTooLong)
        ));
        assert_eq!(
            t.app.store.org(oid).await.unwrap().unwrap().short_name,
            "ИП Иванов"
        );
        assert!(
            audit_actions(t, oid)
                .await
                .contains(&"org.card_changed".to_string())
        );
    }
}

#[tokio::test]
async fn deleting_a_person_removes_memberships_and_flags_an_organisation_without_chief() {
    for backend in backends() {
        let (w, oid, chief) = org_with_chief(&backend).await;
        let t = &w.t;
        let emp = join(t, oid, &chief, "emp@example.org", Role::Employee).await;
        assert!(t.app.store.orgs_without_chief().await.unwrap().is_empty());
        vhod::identity::deletion::delete(&t.app, &vhod::types::AccountId::new(emp.clone()))
            .await
            .unwrap();
        assert_eq!(t.app.store.org_members(oid).await.unwrap().len(), 1);
        assert!(t.app.store.orgs_without_chief().await.unwrap().is_empty());
        vhod::identity::deletion::delete(&t.app, &vhod::types::AccountId::new(chief.clone()))
            .await
            .unwrap();
        assert!(t.app.store.org_members(oid).await.unwrap().is_empty());
        let flagged = t.app.store.orgs_without_chief().await.unwrap();
        assert_eq!(flagged.iter().map(|o| o.oid).collect::<Vec<_>>(), [oid]);
        let actions = audit_actions(t, oid).await;
        assert!(
            actions.contains(&"org.without_chief".to_string()),
            "{actions:?}"
        );
        assert_eq!(t.app.store.verify_audit().await.unwrap(), None);
    }
}
