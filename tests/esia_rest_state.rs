//! ESIA's REST resources as the person's data moves: while the registry still checks the identity
//! documents they show as NOT_VERIFIED and nothing is taken from them; any node answers with the
//! same items, ids and eTags.

mod common;

use common::esia::*;
use common::*;
use serde_json::json;
use vhod::identity::levels::{self, IdDocument, StandardRequest};
use vhod::identity::validation::Passport;
use vhod::types::AccountId;

#[tokio::test]
async fn documents_under_check_show_as_not_verified_and_give_the_person_nothing_yet() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let account = t.add_person("+79001234570").await;
        let request = StandardRequest {
            snils: identity::SNILS.parse().unwrap(),
            // …99: the simulated registry never answers, so the check stays open.
            document: IdDocument::Passport(
                Passport::parse("2815", "123499", "2015-06-01", "690-001").unwrap(),
            ),
            surname: "Петров".into(),
            given_name: "Пётр".into(),
            patronymic: None,
            birth_date: "1985-02-03".into(),
            birthplace: "г. Тверь".into(),
            gender: "M".into(),
        };
        let id = AccountId::new(account.clone());
        let check = levels::request_standard(&t.app, &id, &request)
            .await
            .unwrap();
        levels::run_check(&t.app, &check).await.unwrap();
        register_portal_with_consent(&t, &account).await;
        let oid = t.app.store.person_oid(&account).await.unwrap();
        let token = access_token(&t, oid, &ALL_SCOPES);
        let root = format!("/rs/prns/{oid}");

        let (status, person) = rs_get(&t, Some(&token), &root).await;
        assert_eq!(status, 200, "{}: {person}", backend.name());
        assert_eq!(person["verifying"], true, "the identity check runs");
        assert_eq!(person["trusted"], false);
        assert_eq!(
            person["lastName"], "Иванов",
            "the account's names until verified"
        );
        for unverified in ["birthDate", "birthPlace", "gender", "snils", "citizenship"] {
            assert!(person.get(unverified).is_none(), "{unverified}: {person}");
        }
        let (_, docs) = rs_get(&t, Some(&token), &format!("{root}/docs?embed=(elements)")).await;
        assert_eq!(docs["size"], 1, "{docs}");
        assert_eq!(docs["elements"][0]["type"], "RF_PASSPORT");
        assert_eq!(docs["elements"][0]["number"], "123499");
        assert_eq!(docs["elements"][0]["vrfStu"], "NOT_VERIFIED");
    }
}

#[tokio::test]
async fn two_nodes_answer_with_the_same_items_ids_and_etags() {
    let backend = postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    );
    let node1 = TestServer::start(&backend).await;
    let mut cfg2 = node1.config.clone();
    cfg2.server.issuer = node1.issuer();
    let node2 = TestServer::start_with(&backend, cfg2).await;
    let p = person_with_everything(&node1).await;
    let token = access_token(&node1, p.oid, &ALL_SCOPES);
    let root = format!("/rs/prns/{}", p.oid);
    for path in [
        format!("{root}?embed=(contacts.elements,documents.elements,kids.elements)"),
        format!("{root}/vhls"),
        format!("{root}/addrs?embed=(elements)"),
    ] {
        let one = rs_get(&node1, Some(&token), &path).await;
        let two = rs_get(&node2, Some(&token), &path).await;
        assert_eq!(one.0, 200, "{path}: {}", one.1);
        assert_eq!(one, two, "{path}");
    }
    // Links name the shared issuer (the public address in front of the nodes).
    let (_, vhls) = rs_get(&node2, Some(&token), &format!("{root}/vhls")).await;
    let link = vhls["elements"][0].as_str().unwrap();
    assert!(link.starts_with(&node1.issuer()), "{link}");
    let (status, vehicle) = rs_get(&node2, Some(&token), link).await;
    assert_eq!(status, 200);
    assert_eq!(vehicle["stateFacts"], json!(["Identifiable"]));
}

#[tokio::test]
async fn a_child_embeds_its_documents_when_the_scopes_show_them() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let root = format!("/rs/prns/{}", p.oid);
        let token = access_token(&t, p.oid, &ALL_SCOPES);
        let (_, kids) = rs_get(&t, Some(&token), &format!("{root}/kids")).await;
        let child = kids["elements"][0].as_str().unwrap().to_string();
        let embed = format!("{child}?embed=(documents.elements)");
        let (status, with_docs) = rs_get(&t, Some(&token), &embed).await;
        assert_eq!(status, 200, "{}: {with_docs}", backend.name());
        assert_eq!(with_docs["firstName"], "Мария");
        assert_eq!(with_docs["documents"]["size"], 1);
        assert_eq!(
            with_docs["documents"]["elements"][0]["type"],
            "RF_BRTH_CERT"
        );
        let (_, alone) = rs_get(&t, Some(&token), &child).await;
        assert!(alone.get("documents").is_none(), "nothing embedded unasked");
        assert_eq!(alone["eTag"], with_docs["eTag"]);
        let names_only = access_token(&t, p.oid, &["kid_fullname"]);
        let (status, child) = rs_get(&t, Some(&names_only), &embed).await;
        assert_eq!(status, 200);
        assert!(
            child.get("documents").is_none(),
            "no kid_birth_cert_doc: {child}"
        );
    }
}
