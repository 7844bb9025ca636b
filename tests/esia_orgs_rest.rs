//! Organisations on ESIA's REST surface (issue 14): `/rs/prns/{oid}/roles` and `/orgs`, the card
//! `/rs/orgs/{id}` with `/ctts`, `/addrs`, `/emps` — links followed one by one and embedded — each
//! part only with its scope; another organisation's oid refused; `/emps` for the chief and admins
//! only; a removed member's and a deleted person's tokens stop. Person tokens as vhod's token
//! endpoint issues them (minted with the server's keyring). Both backends.

mod common;
#[path = "esia_orgs/support.rs"]
mod support;

use common::esia::*;
use common::*;
use serde_json::json;
use support::*;

#[tokio::test]
async fn roles_and_orgs_list_the_persons_organisations_with_usr_org_only() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        register_portal(&t).await;
        let (chief, chief_oid) = person(&t, "+79005551001").await;
        let (emp, emp_oid) = person(&t, "+79005551002").await;
        let x = org(&t, "1027700132195", "Ромашка", &chief).await;
        let y = org(&t, "1025000000019", "Василёк", &emp).await;
        t.app
            .store
            .add_org_member(x, &emp, "employee")
            .await
            .unwrap();
        consent(&t, &emp, "usr_org fullname").await;
        consent(&t, &chief, "usr_org").await;

        let tok = token(&t, Some(emp_oid), &format!("openid usr_org?oid={emp_oid}"));
        let (status, roles) = rs_get(&t, Some(&tok), &format!("/rs/prns/{emp_oid}/roles")).await;
        assert_eq!(status, 200, "{}: {roles}", backend.name());
        assert_eq!(roles["size"], 2);
        let mut got = elements(&roles);
        got.sort_by_key(|r| r["oid"].as_i64());
        assert_eq!(got[0]["oid"], x);
        assert_eq!(got[0]["prnOid"], emp_oid);
        assert_eq!(got[0]["shortName"], "Ромашка");
        assert_eq!(
            got[0]["fullName"],
            "Общество с ограниченной ответственностью «Ромашка»"
        );
        assert_eq!(got[0]["ogrn"], "1027700132195");
        assert_eq!(got[0]["type"], "LEGAL");
        assert_eq!(
            (&got[0]["chief"], &got[0]["admin"]),
            (&json!(false), &json!(false))
        );
        assert_eq!(got[1]["oid"], y);
        assert_eq!(got[1]["chief"], true, "the chief of Василёк");
        assert_eq!(got[1]["active"], true);

        // /orgs: links to the cards, each of which this token reads (usr_org: names, OGRN, type).
        let path = format!("/rs/prns/{emp_oid}/orgs");
        let (status, links) = rs_get(&t, Some(&tok), &path).await;
        assert_eq!(status, 200, "{links}");
        let mut links: Vec<String> = elements(&links)
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        links.sort();
        assert_eq!(
            links,
            [
                format!("{}/rs/orgs/{x}", t.base),
                format!("{}/rs/orgs/{y}", t.base)
            ]
        );
        let (_, embedded) = rs_get(&t, Some(&tok), &format!("{path}?embed=(elements)")).await;
        assert_eq!(embedded["size"], 2);
        for card in elements(&embedded) {
            let url = format!("{}/rs/orgs/{}", t.base, card["oid"]);
            let (status, fetched) = rs_get(&t, Some(&tok), &url).await;
            assert_eq!(status, 200, "{url}: {fetched}");
            assert_eq!(fetched, card, "the link gives what the embedded form shows");
            assert_eq!(
                keys(&card),
                sorted(vec![
                    "eTag",
                    "fullName",
                    "ogrn",
                    "oid",
                    "shortName",
                    "stateFacts",
                    "type"
                ])
            );
        }

        // Without usr_org: refused; another person's roles: refused.
        let fullname = token(&t, Some(emp_oid), &format!("openid fullname?oid={emp_oid}"));
        for p in ["roles", "orgs"] {
            let (status, code) =
                refused(&t, Some(&fullname), &format!("/rs/prns/{emp_oid}/{p}")).await;
            assert_eq!((status, code.as_str()), (403, "ESIA-005029"), "{p}");
        }
        let (status, code) = refused(&t, Some(&tok), &format!("/rs/prns/{chief_oid}/roles")).await;
        assert_eq!((status, code.as_str()), (403, "ESIA-005029"));
        // usr_org gives no more than the names: the INN needs org_inn.
        let (_, card) = rs_get(&t, Some(&tok), &format!("/rs/orgs/{x}")).await;
        assert!(card.get("inn").is_none(), "{card}");
    }
}

#[tokio::test]
async fn the_card_and_its_collections_show_what_each_org_scope_allows() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        register_portal(&t).await;
        let (chief, chief_oid) = person(&t, "+79005551011").await;
        let (admin, admin_oid) = person(&t, "+79005551012").await;
        let (emp, emp_oid) = person(&t, "+79005551013").await;
        let (other, _) = person(&t, "+79005551014").await;
        let x = org(&t, "1027700132195", "Ромашка", &chief).await;
        let y = org(&t, "1025000000019", "Василёк", &other).await;
        t.app
            .store
            .add_org_member(x, &admin, "admin")
            .await
            .unwrap();
        t.app
            .store
            .add_org_member(x, &emp, "employee")
            .await
            .unwrap();
        let all = ORG_SCOPES.join(" ");
        for a in [&chief, &admin, &emp] {
            consent(&t, a, &all).await;
            org_consent(&t, a, x, &all).await;
        }
        let chief_all = token(&t, Some(chief_oid), &org_items(&ORG_SCOPES, x));
        let card_path = format!("/rs/orgs/{x}");

        // Every org scope: every member of the card.
        let (status, card) = rs_get(&t, Some(&chief_all), &card_path).await;
        assert_eq!(status, 200, "{}: {card}", backend.name());
        assert_eq!(card["stateFacts"], json!(["EntityRoot"]));
        assert_eq!(card["oid"], x);
        assert_eq!(card["inn"], "7700132195");
        assert_eq!(card["kpp"], "690101001");
        assert_eq!(card["eTag"].as_str().unwrap().len(), 40);
        // One scope, one member.
        for (scope, member) in [
            ("org_shortname", "shortName"),
            ("org_fullname", "fullName"),
            ("org_type", "type"),
            ("org_ogrn", "ogrn"),
            ("org_inn", "inn"),
            ("org_kpp", "kpp"),
        ] {
            let tok = token(&t, Some(chief_oid), &org_items(&[scope], x));
            let (status, body) = rs_get(&t, Some(&tok), &card_path).await;
            assert_eq!(status, 200, "{scope}: {body}");
            assert_eq!(
                keys(&body),
                sorted(vec!["eTag", "oid", "stateFacts", member]),
                "{scope}"
            );
        }

        // Collections: links followed one by one equal the embedded objects.
        let contacts = links_match_embedded(&t, &chief_all, &format!("{card_path}/ctts")).await;
        let mut types: Vec<&str> = contacts
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect();
        types.sort();
        assert_eq!(types, ["OEM", "OPH"]);
        assert!(contacts.iter().any(|c| c["value"] == "office@example.org"));
        let addresses = links_match_embedded(&t, &chief_all, &format!("{card_path}/addrs")).await;
        assert_eq!(by_type(&addresses, "OLG")[0]["addressStr"], LEGAL_ADDRESS);
        assert_eq!(by_type(&addresses, "OLG")[0]["zipCode"], "170100");
        assert_eq!(by_type(&addresses, "OPS")[0]["addressStr"], ACTUAL_ADDRESS);
        let emps = links_match_embedded(&t, &chief_all, &format!("{card_path}/emps")).await;
        assert_eq!(emps.len(), 3);
        let find = |oid: i64| {
            emps.iter()
                .find(|e| e["prnOid"] == oid)
                .expect("listed")
                .clone()
        };
        assert_eq!(
            (
                find(chief_oid)["chief"].clone(),
                find(chief_oid)["admin"].clone()
            ),
            (json!(true), json!(false))
        );
        assert_eq!(find(admin_oid)["admin"], true);
        assert_eq!(
            find(emp_oid)["id"],
            emp_oid,
            "an employee's id is the person's oid"
        );
        assert_eq!(find(emp_oid)["person"]["lastName"], "Иванов");
        // The card embeds its collections on request.
        let (_, with) = rs_get(
            &t,
            Some(&chief_all),
            &format!("{card_path}?embed=(contacts.elements,addresses,employees.elements)"),
        )
        .await;
        assert_eq!(with["contacts"]["elements"].as_array().unwrap().len(), 2);
        assert!(
            with["addresses"]["elements"][0].is_string(),
            "links: {with}"
        );
        assert_eq!(with["employees"]["size"], 3);

        // A missing scope refuses its collection; an element not there is 404.
        let names_only = token(&t, Some(chief_oid), &org_items(&["org_shortname"], x));
        for c in ["ctts", "addrs", "emps"] {
            let (status, code) = refused(&t, Some(&names_only), &format!("{card_path}/{c}")).await;
            assert_eq!((status, code.as_str()), (403, "ESIA-005029"), "{c}");
        }
        let (_, bare) = rs_get(
            &t,
            Some(&names_only),
            &format!("{card_path}?embed=(contacts.elements)"),
        )
        .await;
        assert!(bare.get("contacts").is_none(), "{bare}");
        let (status, _) = refused(&t, Some(&chief_all), &format!("{card_path}/ctts/1")).await;
        assert_eq!(status, 404);

        // Another organisation's oid: the token names X, not Y; a token naming Y, for a person who
        // is not its member, is refused too.
        let (status, code) = refused(&t, Some(&chief_all), &format!("/rs/orgs/{y}")).await;
        assert_eq!((status, code.as_str()), (403, "ESIA-005029"));
        let not_member = token(&t, Some(chief_oid), &org_items(&ORG_SCOPES, y));
        let (status, code) = refused(&t, Some(&not_member), &format!("/rs/orgs/{y}")).await;
        assert_eq!((status, code.as_str()), (403, "ESIA-005029"));
        let (status, code) = refused(&t, None, &card_path).await;
        assert_eq!((status, code.as_str()), (401, "ESIA-005011"));

        // /emps: the chief and an admin read it; an employee with the same scopes does not.
        let admin_all = token(&t, Some(admin_oid), &org_items(&ORG_SCOPES, x));
        assert_eq!(
            rs_get(&t, Some(&admin_all), &format!("{card_path}/emps"))
                .await
                .0,
            200
        );
        let emp_all = token(&t, Some(emp_oid), &org_items(&ORG_SCOPES, x));
        let (status, code) = refused(&t, Some(&emp_all), &format!("{card_path}/emps")).await;
        assert_eq!((status, code.as_str()), (403, "ESIA-005029"));
        let (status, card) = rs_get(&t, Some(&emp_all), &card_path).await;
        assert_eq!(
            (status, &card["shortName"]),
            (200, &json!("Ромашка")),
            "the card is theirs to read"
        );

        // The person's consent withdrawn: the portal's tokens stop (401, as for /rs/prns).
        consent(&t, &emp, "org_shortname").await;
        let (status, card) = rs_get(&t, Some(&emp_all), &card_path).await;
        assert_eq!(status, 200);
        assert_eq!(
            keys(&card),
            sorted(vec!["eTag", "oid", "shortName", "stateFacts"]),
            "only what the consent names"
        );
        assert!(t.app.store.withdraw_consent(&emp, PORTAL).await.unwrap());
        let (status, code) = refused(&t, Some(&emp_all), &card_path).await;
        assert_eq!((status, code.as_str()), (401, "ESIA-005011"));

        // The organisation withdraws the portal on its page: the organisation's scopes stop for
        // everyone's tokens at once, though each person's own consent still names them.
        let (status, _) = rs_get(&t, Some(&chief_all), &card_path).await;
        assert_eq!(status, 200);
        assert!(
            vhod::orgs::portals::withdraw(&t.app, x, &chief, PORTAL)
                .await
                .unwrap()
        );
        let (status, code) = refused(&t, Some(&chief_all), &card_path).await;
        assert_eq!(
            (status, code.as_str()),
            (403, "ESIA-005029"),
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn a_removed_member_and_a_deleted_person_lose_the_organisation_at_once() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        register_portal(&t).await;
        let (chief, chief_oid) = person(&t, "+79005551021").await;
        let (emp, emp_oid) = person(&t, "+79005551022").await;
        let (admin, admin_oid) = person(&t, "+79005551023").await;
        let x = org(&t, "1027700132195", "Ромашка", &chief).await;
        t.app
            .store
            .add_org_member(x, &emp, "employee")
            .await
            .unwrap();
        t.app
            .store
            .add_org_member(x, &admin, "admin")
            .await
            .unwrap();
        let scopes = format!("usr_org {}", ORG_SCOPES.join(" "));
        for a in [&chief, &emp, &admin] {
            consent(&t, a, &scopes).await;
            org_consent(&t, a, x, &scopes).await;
        }
        let emp_tok = token(
            &t,
            Some(emp_oid),
            &format!("openid usr_org?oid={emp_oid} {}", org_items(&ORG_SCOPES, x)),
        );
        assert_eq!(
            rs_get(&t, Some(&emp_tok), &format!("/rs/orgs/{x}")).await.0,
            200
        );

        // The chief removes the employee: the same token is refused, and /roles no longer lists X.
        vhod::orgs::members::remove(&t.app, &chief, x, &emp)
            .await
            .unwrap();
        let (status, code) = refused(&t, Some(&emp_tok), &format!("/rs/orgs/{x}")).await;
        assert_eq!(
            (status, code.as_str()),
            (403, "ESIA-005029"),
            "{}",
            backend.name()
        );
        let (_, roles) = rs_get(&t, Some(&emp_tok), &format!("/rs/prns/{emp_oid}/roles")).await;
        assert_eq!(roles["size"], 0, "{roles}");
        let (_, orgs) = rs_get(&t, Some(&emp_tok), &format!("/rs/prns/{emp_oid}/orgs")).await;
        assert_eq!(orgs["size"], 0, "{orgs}");

        // Deleting the admin's account removes the membership: /emps no longer lists them and
        // their token reads nothing.
        let admin_tok = token(
            &t,
            Some(admin_oid),
            &format!(
                "openid usr_org?oid={admin_oid} {}",
                org_items(&ORG_SCOPES, x)
            ),
        );
        let chief_tok = token(&t, Some(chief_oid), &org_items(&ORG_SCOPES, x));
        let (_, emps) = rs_get(&t, Some(&chief_tok), &format!("/rs/orgs/{x}/emps")).await;
        assert_eq!(emps["size"], 2);
        let admin_account = vhod::types::AccountId::new(admin.clone());
        vhod::identity::deletion::delete(&t.app, &admin_account)
            .await
            .unwrap();
        assert_eq!(t.app.store.org_role(x, &admin).await.unwrap(), None);
        let (_, emps) = rs_get(
            &t,
            Some(&chief_tok),
            &format!("/rs/orgs/{x}/emps?embed=(elements)"),
        )
        .await;
        assert_eq!(emps["size"], 1, "{emps}");
        assert_eq!(elements(&emps)[0]["prnOid"], chief_oid);
        assert_eq!(
            refused(&t, Some(&admin_tok), &format!("/rs/orgs/{x}"))
                .await
                .0,
            401
        );
        assert_eq!(
            refused(&t, Some(&admin_tok), &format!("/rs/prns/{admin_oid}/roles"))
                .await
                .0,
            404
        );
    }
}
