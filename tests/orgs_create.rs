//! Creating organisations (issue 14): a legal entity by its head's qualified signature (ECDSA, RSA
//! and GOST certificates made by test CAs, carrying OGRN, INN and SNILS), a sole trader by OGRNIP + INN,
//! both checked by the register simulator; the refusals; and a change of head. Both backends.

mod common;
#[path = "common/pki.rs"]
mod pki;
#[path = "orgs/support.rs"]
mod support;

use common::*;
use support::*;
use vhod::orgs::create::{self, Created};
use vhod::orgs::{OrgError, register};

const HEAD_EMAIL: &str = "head@example.org";

#[tokio::test]
async fn a_confirmed_head_creates_a_legal_entity_with_an_ecdsa_or_a_gost_certificate() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        let head_snils = snils("112233445");
        let me = confirmed(t, HEAD_EMAIL, &head_snils).await;

        // ECDSA certificate with the INN of a legal entity (1.2.643.100.4), signed by openssl.
        let ogrn1 = ogrn("102770013219");
        let inn1 = inn10("770708389");
        let person = w.ec.head(
            &Head {
                snils: &head_snils,
                ogrn: &ogrn1,
                inn: (INN_LE, inn1.clone()),
                org_name: "ООО Ромашка",
            },
            10,
        );
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign_openssl(&w.scratch, &person, &challenge);
        let created = create::legal_entity(&t.app, &me, &challenge, &sig)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        let Created::New(org) = created else {
            panic!("not new")
        };
        assert_eq!(org.kind, "LEGAL");
        assert_eq!(org.ogrn, ogrn1);
        assert_eq!(org.inn, inn1);
        assert_eq!(org.kpp, format!("{}01001", &inn1[..4]));
        assert_eq!(org.short_name, "ООО Ромашка");
        assert_eq!(
            t.app.store.org_role(org.oid, &me).await.unwrap().as_deref(),
            Some("chief")
        );
        assert!(org.oid > 1_000_000_000, "ESIA-like oid: {}", org.oid);
        assert_eq!(audit_actions(t, org.oid).await, ["org.created"]);
        assert_eq!(t.app.store.verify_audit().await.unwrap(), None);

        // GOST certificate with the older INN attribute (1.2.643.3.131.1.1, "00" + 10 digits).
        let ogrn2 = ogrn("102500000019");
        let inn2 = inn10("500100732");
        let (cert, key) = w.gost.head(
            &Head {
                snils: &head_snils,
                ogrn: &ogrn2,
                inn: (INN_OLD, format!("00{inn2}")),
                org_name: "АО Василёк",
            },
            11,
        );
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign(&challenge, &cert, &key);
        let org2 = create::legal_entity(&t.app, &me, &challenge, &sig)
            .await
            .unwrap_or_else(|e| panic!("GOST {}: {e}", backend.name()));
        assert!(matches!(org2, Created::New(_)));
        assert_eq!(org2.org().inn, inn2);
        assert_eq!(org2.org().short_name, "АО Василёк");

        // Both are the person's organisations, with the role in each.
        let mine = t.app.store.memberships(&me).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert!(mine.iter().all(|m| m.role == "chief"));
        let claim = vhod::orgs::claim_for(&t.app, &me, org.oid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claim["type"], "LEGAL");
        assert_eq!(claim["ogrn"], ogrn1.as_str());
        assert_eq!(claim["role"], "chief");
    }
}

#[tokio::test]
async fn a_head_with_an_rsa_certificate_creates_a_legal_entity() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        let head_snils = snils("556677889");
        let me = confirmed(t, "rsa-head@example.org", &head_snils).await;
        let ogrn = ogrn("102660000017");
        let inn = inn10("660000001");
        let rsa = pki::rsa_key_pem(&w.scratch);
        let person = w.ec.rsa_head(
            &Head {
                snils: &head_snils,
                ogrn: &ogrn,
                inn: (INN_LE, inn.clone()),
                org_name: "ООО Лютик",
            },
            20,
            &rsa,
        );
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign_openssl(&w.scratch, &person, &challenge);
        let Created::New(org) = create::legal_entity(&t.app, &me, &challenge, &sig)
            .await
            .unwrap_or_else(|e| panic!("RSA {}: {e}", backend.name()))
        else {
            panic!("not new")
        };
        assert_eq!(
            (org.ogrn.as_str(), org.inn.as_str()),
            (ogrn.as_str(), inn.as_str())
        );
        assert_eq!(org.short_name, "ООО Лютик");
        assert_eq!(
            t.app.store.org_role(org.oid, &me).await.unwrap().as_deref(),
            Some("chief")
        );

        // The same certificate signed by someone whose SNILS differs is refused.
        let other = confirmed(t, "not-head@example.org", &snils("998877665")).await;
        let challenge = create::challenge(&t.app, &other).await.unwrap();
        let sig = sign_openssl(&w.scratch, &person, &challenge);
        assert!(matches!(
            create::legal_entity(&t.app, &other, &challenge, &sig).await,
            Err(OrgError::NotHead)
        ));
    }
}

#[tokio::test]
async fn creation_is_refused_with_a_clear_reason() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        let head_snils = snils("112233445");
        let other_snils = snils("123456789");
        let ogrn1 = ogrn("102770013219");
        let inn1 = inn10("770708389");
        let cert_for = |snils: &str, ogrn: &str, serial: u8| {
            w.ec.head(
                &Head {
                    snils,
                    ogrn,
                    inn: (INN_LE, inn1.clone()),
                    org_name: "ООО Ромашка",
                },
                serial,
            )
        };

        // Not confirmed (standard level): refused before anything is checked.
        let std = standard(t, "standard@example.org", &snils("111111111")).await;
        let challenge = create::challenge(&t.app, &std).await.unwrap();
        let sig = sign_openssl(&w.scratch, &cert_for(&head_snils, &ogrn1, 20), &challenge);
        let err = create::legal_entity(&t.app, &std, &challenge, &sig)
            .await
            .unwrap_err();
        assert!(matches!(err, OrgError::NotConfirmed), "{err:?}");
        assert_eq!(err.message_key(), Some("orgs.err.not_confirmed"));

        // The certificate names another person as head.
        let me = confirmed(t, HEAD_EMAIL, &head_snils).await;
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign_openssl(&w.scratch, &cert_for(&other_snils, &ogrn1, 21), &challenge);
        let err = create::legal_entity(&t.app, &me, &challenge, &sig)
            .await
            .unwrap_err();
        assert!(matches!(err, OrgError::NotHead), "{err:?}");

        // The register says no (simulator: "00" before the check digit) — nothing is created.
        let unknown = ogrn("102770013200");
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign_openssl(&w.scratch, &cert_for(&head_snils, &unknown, 22), &challenge);
        match create::legal_entity(&t.app, &me, &challenge, &sig).await {
            Err(OrgError::RegistryRejected(reason)) => {
                assert_eq!(reason, register::NOT_FOUND_EGRUL)
            }
            other => panic!("{other:?}"),
        }
        assert!(t.app.store.org_by_ogrn(&unknown).await.unwrap().is_none());
        // The register does not answer: refused, nothing created.
        let silent = ogrn("102770013299");
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign_openssl(&w.scratch, &cert_for(&head_snils, &silent, 23), &challenge);
        let err = create::legal_entity(&t.app, &me, &challenge, &sig)
            .await
            .unwrap_err();
        assert!(matches!(err, OrgError::RegistryPending), "{err:?}");

        // Created once; the same challenge cannot be used again.
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign_openssl(&w.scratch, &cert_for(&head_snils, &ogrn1, 24), &challenge);
        create::legal_entity(&t.app, &me, &challenge, &sig)
            .await
            .unwrap();
        let err = create::legal_entity(&t.app, &me, &challenge, &sig)
            .await
            .unwrap_err();
        assert!(matches!(err, OrgError::Challenge), "{err:?}");

        // A second head (another confirmed person named as head of the same OGRN) is told whom to
        // contact: the chief, by surname and initials.
        let second = confirmed(t, "second@example.org", &other_snils).await;
        let challenge = create::challenge(&t.app, &second).await.unwrap();
        let sig = sign_openssl(&w.scratch, &cert_for(&other_snils, &ogrn1, 25), &challenge);
        match create::legal_entity(&t.app, &second, &challenge, &sig).await {
            Err(OrgError::AlreadyRegistered { contact }) => assert_eq!(contact, "Иванов И."),
            other => panic!("{other:?}"),
        }
        // A challenge issued to one account does not serve another.
        let challenge = create::challenge(&t.app, &me).await.unwrap();
        let sig = sign_openssl(&w.scratch, &cert_for(&other_snils, &ogrn1, 26), &challenge);
        let err = create::legal_entity(&t.app, &second, &challenge, &sig)
            .await
            .unwrap_err();
        assert!(matches!(err, OrgError::Challenge), "{err:?}");

        let orgs = t.app.store.memberships(&second).await.unwrap();
        assert!(orgs.is_empty());
    }
}

#[tokio::test]
async fn a_sole_trader_is_created_by_ogrnip_and_own_inn() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        let me = confirmed(t, HEAD_EMAIL, &snils("112233445")).await;
        let ogrnip1 = ogrnip("30450011600012");
        let inn = inn12("5001007320");
        let created = create::sole_trader(&t.app, &me, &ogrnip1, &inn)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        let org = created.org();
        assert_eq!(org.kind, "BUSINESS");
        assert_eq!(org.ogrn, ogrnip1);
        assert_eq!(org.short_name, "ИП Иванов Иван");
        assert_eq!(
            t.app.store.org_role(org.oid, &me).await.unwrap().as_deref(),
            Some("chief")
        );
        // Twice: refused, naming the chief.
        assert!(matches!(
            create::sole_trader(&t.app, &me, &ogrnip1, &inn).await,
            Err(OrgError::AlreadyRegistered { .. })
        ));
        // Bad OGRNIP, a legal entity's INN, a checksum error.
        for (o, i) in [
            ("304500116000125", inn.as_str()),
            (ogrnip1.as_str(), "7707083893"),
            (ogrnip1.as_str(), "500100732011"),
        ] {
            let err = create::sole_trader(&t.app, &me, o, i).await.unwrap_err();
            assert!(matches!(err, OrgError::BadRequisites), "{o} {i}: {err:?}");
        }
        // The register does not know it.
        let unknown = ogrnip("30450011600000");
        match create::sole_trader(&t.app, &me, &unknown, &inn).await {
            Err(OrgError::RegistryRejected(r)) => assert_eq!(r, register::NOT_FOUND_EGRIP),
            other => panic!("{other:?}"),
        }
        // Not confirmed.
        let std = standard(t, "std@example.org", &snils("123456789")).await;
        assert!(matches!(
            create::sole_trader(&t.app, &std, &ogrnip("30450011600002"), &inn).await,
            Err(OrgError::NotConfirmed)
        ));
    }
}

#[tokio::test]
async fn a_new_head_who_is_a_member_takes_over_the_chief_role_by_signing() {
    for backend in backends() {
        let w = world(&backend).await;
        let t = &w.t;
        let old_snils = snils("112233445");
        let new_snils = snils("123456789");
        let old = confirmed(t, HEAD_EMAIL, &old_snils).await;
        let ogrn1 = ogrn("102770013219");
        let inn1 = inn10("770708389");
        let head = |s: &str, serial| {
            w.ec.head(
                &Head {
                    snils: s,
                    ogrn: &ogrn1,
                    inn: (INN_LE, inn1.clone()),
                    org_name: "ООО Ромашка",
                },
                serial,
            )
        };
        let challenge = create::challenge(&t.app, &old).await.unwrap();
        let sig = sign_openssl(&w.scratch, &head(&old_snils, 30), &challenge);
        let oid = create::legal_entity(&t.app, &old, &challenge, &sig)
            .await
            .unwrap()
            .org()
            .oid;
        // The new head joins as an admin (invited by SNILS), then signs as head.
        let new = confirmed(t, "new-head@example.org", &new_snils).await;
        let invitee = vhod::orgs::members::Invitee::parse(&new_snils).unwrap();
        let inv = vhod::orgs::members::invite(&t.app, &old, oid, &invitee, vhod::orgs::Role::Admin)
            .await
            .unwrap();
        vhod::orgs::members::accept(&t.app, &new, &inv.id)
            .await
            .unwrap();
        let challenge = create::challenge(&t.app, &new).await.unwrap();
        let sig = sign_openssl(&w.scratch, &head(&new_snils, 31), &challenge);
        let done = create::legal_entity(&t.app, &new, &challenge, &sig)
            .await
            .unwrap();
        assert!(matches!(done, Created::BecameChief(_)));
        assert_eq!(
            t.app.store.org_role(oid, &new).await.unwrap().as_deref(),
            Some("chief")
        );
        assert_eq!(
            t.app.store.org_role(oid, &old).await.unwrap().as_deref(),
            Some("admin")
        );
        assert!(
            audit_actions(t, oid)
                .await
                .contains(&"org.chief_changed".to_string())
        );
    }
}
