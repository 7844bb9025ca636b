//! The ESIA REST requests whose queries the plan test explains: a person with every kind of
//! data and an organisation they head, read by a portal through `/rs/prns/{oid}` (the person,
//! `/ctts`, `/docs`, `/addrs` — listed, embedded, item by item — `/roles`, `/orgs`) and
//! `/rs/orgs/{id}` (the card, `/ctts`, `/addrs`, `/emps`).

use crate::common::esia::*;
use crate::common::*;
use crate::support::{ORG_SCOPES, consent, org, org_consent, org_items, token};

pub async fn exercise(t: &TestServer) {
    let p = person_with_everything(t).await;
    let x = org(t, "1027700132195", "Ромашка", &p.account).await;
    let mut scopes: Vec<&str> = ALL_SCOPES.to_vec();
    scopes.push("usr_org");
    scopes.extend(ORG_SCOPES);
    consent(t, &p.account, &scopes.join(" ")).await;
    org_consent(t, &p.account, x, &ORG_SCOPES.join(" ")).await;

    let person = access_token(t, p.oid, &ALL_SCOPES);
    let root = format!("/rs/prns/{}", p.oid);
    let (status, body) = rs_get(t, Some(&person), &root).await;
    assert_eq!(status, 200, "{root}: {body}");
    for collection in ["ctts", "docs", "addrs"] {
        let items = links_match_embedded(t, &person, &format!("{root}/{collection}")).await;
        assert!(!items.is_empty(), "{collection}");
    }
    let roles = token(t, Some(p.oid), &format!("openid usr_org?oid={}", p.oid));
    for path in [format!("{root}/roles"), format!("{root}/orgs")] {
        let (status, body) = rs_get(t, Some(&roles), &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["size"], 1, "{path}: {body}");
    }
    let card = token(t, Some(p.oid), &org_items(&ORG_SCOPES, x));
    let card_path = format!("/rs/orgs/{x}");
    let (status, body) = rs_get(t, Some(&card), &card_path).await;
    assert_eq!(status, 200, "{card_path}: {body}");
    for collection in ["ctts", "addrs", "emps"] {
        let path = format!("{card_path}/{collection}?embed=(elements)");
        let (status, body) = rs_get(t, Some(&card), &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body["size"].as_i64().unwrap() > 0, "{path}: {body}");
    }
}
