//! Organisations on the ESIA surface: organisations made straight in the store (their creation by
//! signature is tested in orgs_create.rs), ESIA access tokens naming organisations, and the portal.

#![allow(dead_code)] // each test file uses a part
use crate::common::esia::{PORTAL, access_header, sign};
use crate::common::*;
use serde_json::{Value, json};
use vhod::clients::esia::{NewEsiaClient, register};
use vhod::store::orgs::{NewOrg, OrgCard};

pub const LEGAL_ADDRESS: &str = "170100, г. Тверь, ул. Советская, д. 1";
pub const ACTUAL_ADDRESS: &str = "г. Тверь, ул. Трёхсвятская, д. 5";

/// A legal entity with `chief`, its card filled in; returns its oid.
pub async fn org(t: &TestServer, ogrn: &str, name: &str, chief: &str) -> i64 {
    let row = t
        .app
        .store
        .create_org(
            NewOrg {
                kind: "LEGAL",
                ogrn,
                inn: &ogrn[3..13],
                kpp: "690101001",
                short_name: name,
                full_name: &format!("Общество с ограниченной ответственностью «{name}»"),
            },
            chief,
        )
        .await
        .unwrap();
    t.app
        .store
        .update_org_card(
            row.oid,
            &OrgCard {
                short_name: name.into(),
                legal_address: LEGAL_ADDRESS.into(),
                actual_address: ACTUAL_ADDRESS.into(),
                phone: "+7 4822 12-34-56".into(),
                email: "office@example.org".into(),
                ..OrgCard::default()
            },
        )
        .await
        .unwrap();
    row.oid
}

/// A person (by phone) and their oid.
pub async fn person(t: &TestServer, phone: &str) -> (String, i64) {
    let id = t.add_person(phone).await;
    let oid = t.app.store.person_oid(&id).await.unwrap();
    (id, oid)
}

/// Registers `PORTAL` (the ESIA client the minted tokens name).
pub async fn register_portal(t: &TestServer) {
    register(
        &t.app.store,
        NewEsiaClient {
            client_id: PORTAL.into(),
            name: "Портал ЕСИА".into(),
            certificate: include_bytes!("../fixtures/gost/256-A.cert.pem").to_vec(),
            redirect_uris: vec!["https://portal.example/esia/callback".into()],
            ..NewEsiaClient::default()
        },
    )
    .await
    .unwrap();
}

/// The person's consent to `PORTAL` becomes exactly `scopes` (what the consent page stores; also
/// narrower than before, which only a test needs).
pub async fn consent(t: &TestServer, account: &str, scopes: &str) {
    let store = &t.app.store;
    let seen = store.consent(account, PORTAL).await.unwrap();
    let replaced = store.replace_consent(account, PORTAL, seen.as_ref(), scopes, "");
    assert!(replaced.await.unwrap(), "nobody else changes it meanwhile");
}

/// The person's consent to `PORTAL` for `scopes` while acting for organisation `org` (what the
/// consent page stores beside the person's own consent when an organisation was chosen).
pub async fn org_consent(t: &TestServer, account: &str, org: i64, scopes: &str) {
    t.app
        .store
        .save_org_consent(account, PORTAL, org, scopes, "")
        .await
        .unwrap();
}

/// An ESIA access token of `PORTAL` with exactly `scope`, for person `subject` (None: the
/// portal's own client_credentials token), valid for an hour.
pub fn token(t: &TestServer, subject: Option<i64>, scope: &str) -> String {
    let now = t.app.clock.now();
    let mut claims = json!({
        "nbf": now - 5, "iat": now - 5, "exp": now + 3600, "iss": t.issuer(),
        "client_id": PORTAL, "scope": scope,
    });
    if let Some(s) = subject {
        claims["urn:esia:sbj_id"] = json!(s);
        claims["urn:esia:sid"] = json!("sid-org");
    }
    sign(t, access_header(), claims)
}

/// `names` each as `name?org_oid=N`.
pub fn org_items(names: &[&str], org: i64) -> String {
    names
        .iter()
        .map(|n| format!("{n}?org_oid={org}"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub const ORG_SCOPES: [&str; 9] = [
    "org_shortname",
    "org_fullname",
    "org_type",
    "org_ogrn",
    "org_inn",
    "org_kpp",
    "org_ctts",
    "org_addrs",
    "org_emps",
];

/// The elements of a collection body.
pub fn elements(v: &Value) -> Vec<Value> {
    v["elements"].as_array().cloned().unwrap_or_default()
}
