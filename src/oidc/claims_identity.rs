//! Claims made from verified identity data: the ESIA-named scopes (snils, id_doc, birthplace, contacts,
//! mobile) plus birthdate and gender, and OpenID Connect for Identity Assurance `verified_claims`.
//! Only verified documents are ever passed in here (store::verified_documents), so a pending change
//! never reaches a portal.

use super::claims::Person;
use crate::identity::Phone;
use crate::identity::validation::Snils;
use crate::store::documents::DocumentRow;
use serde_json::{Map, Value, json};

/// The trust framework named in `verified_claims` (a local one: vhod's own registry checks).
pub const TRUST_FRAMEWORK: &str = "ru_vhod";
/// Discovery metadata of Identity Assurance 1.0 §7.
pub const TRUST_FRAMEWORKS: [&str; 1] = [TRUST_FRAMEWORK];
pub const VERIFIED_CLAIMS: [&str; 6] = [
    "family_name",
    "given_name",
    "middle_name",
    "birthdate",
    "place_of_birth",
    "gender",
];

/// Whether the scopes or individually requested claims need the documents or the addresses, so
/// userinfo reads them only then.
fn needs(scopes: &[String], requested: &[String]) -> (bool, bool) {
    const DOC_SCOPES: [&str; 13] = [
        "inn",
        "snils",
        "id_doc",
        "birthplace",
        "birthdate",
        "gender",
        "profile",
        "drivers_licence_doc",
        "medical_doc",
        "vehicles",
        "kid_fullname",
        "kid_birthdate",
        "kids",
    ];
    let asked = |names: &[&str]| {
        scopes
            .iter()
            .chain(requested)
            .any(|s| names.contains(&s.as_str()))
    };
    (
        asked(&DOC_SCOPES) || asked(&["verified_claims"]),
        asked(&["addresses"]),
    )
}

/// The verified documents and the addresses of the account, each read only when [`needs`] says
/// the scopes or the individually requested claims use it.
pub async fn load(
    store: &crate::store::Store,
    account_id: &str,
    scopes: &[String],
    requested: &[String],
) -> Result<(Vec<DocumentRow>, Vec<(String, String)>), crate::store::StoreError> {
    let (need_docs, need_addresses) = needs(scopes, requested);
    let docs = if need_docs {
        store.verified_documents(account_id).await?
    } else {
        vec![]
    };
    let addresses = if need_addresses {
        store.addresses(account_id).await?
    } else {
        vec![]
    };
    Ok((docs, addresses))
}

fn doc<'a>(person: &'a Person<'_>, kinds: &[&str]) -> Option<&'a DocumentRow> {
    person
        .docs
        .iter()
        .find(|d| d.status == "verified" && kinds.contains(&d.kind.as_str()))
}

fn id_doc<'a>(person: &'a Person<'_>) -> Option<&'a DocumentRow> {
    doc(person, &["passport_rf", "foreign_id"])
}

/// The document behind a document claim: the verified one, else — only when the portal asked for
/// this claim with `"unverified": true` in the `claims` request — one still under check.
fn doc_for<'a>(person: &'a Person<'_>, claim: &str, kinds: &[&str]) -> Option<&'a DocumentRow> {
    doc(person, kinds).or_else(|| {
        person
            .unverified
            .iter()
            .any(|c| c == claim)
            .then(|| {
                person
                    .pending
                    .iter()
                    .find(|d| kinds.contains(&d.kind.as_str()))
            })
            .flatten()
    })
}

/// ESIA's verification flag of a document claim.
fn vrf(d: &DocumentRow) -> &'static str {
    if d.status == "verified" {
        "VERIFIED"
    } else {
        "NOT_VERIFIED"
    }
}

fn gender(d: &DocumentRow) -> Option<&'static str> {
    match d.field("gender").as_str() {
        "M" => Some("male"),
        "F" => Some("female"),
        _ => None,
    }
}

pub fn add_for_scopes(scopes: &[String], person: &Person<'_>, c: &mut Map<String, Value>) {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    if has("snils")
        && let Some(d) = doc(person, &["snils"])
        && let Ok(s) = d.field("number").parse::<Snils>()
    {
        c.insert("snils".into(), s.to_string().into());
    }
    let id = id_doc(person);
    if has("id_doc")
        && let Some(d) = doc_for(person, "id_doc", &["passport_rf", "foreign_id"])
    {
        let mut v = json!({
            "type": if d.kind == "passport_rf" { "RF_PASSPORT" } else { "FID_DOC" },
            "number": d.field("number"),
            "issueDate": d.field("issued"),
            "vrfStu": vrf(d),
        });
        if d.kind == "passport_rf" {
            v["series"] = d.field("series").into();
            v["issueId"] = d.field("issuer_code").into();
        } else {
            v["country"] = d.field("country").into();
        }
        c.insert("id_doc".into(), v);
    }
    if let Some(d) = id {
        if has("birthplace") {
            c.insert("birthplace".into(), d.field("birthplace").into());
        }
        if has("birthdate") || has("profile") {
            c.insert("birthdate".into(), d.field("birth_date").into());
        }
        if (has("gender") || has("profile"))
            && let Some(g) = gender(d)
        {
            c.insert("gender".into(), g.into());
        }
    }
    if has("drivers_licence_doc")
        && let Some(d) = doc_for(person, "drivers_licence_doc", &["drivers_licence"])
    {
        c.insert(
            "drivers_licence_doc".into(),
            json!({
                "type": "RF_DRIVING_LICENSE", "series": d.field("series"), "number": d.field("number"),
                "issueDate": d.field("issued"), "expiryDate": d.field("expires"), "vrfStu": vrf(d),
            }),
        );
    }
    if has("inn")
        && let Some(d) = doc(person, &["inn"])
    {
        c.insert("inn".into(), d.field("number").into());
    }
    if has("medical_doc")
        && let Some(d) = doc_for(person, "medical_doc", &["medical_policy"])
    {
        c.insert(
            "medical_doc".into(),
            json!({ "type": "MDCL_PLCY", "number": d.field("number"), "vrfStu": vrf(d) }),
        );
    }
    // Lists: the verified entries, plus those under check when the portal asked this claim unverified.
    let all = |kind: &'static str, claim: &'static str| {
        let pending_too = person.unverified.iter().any(|c| c == claim);
        person
            .docs
            .iter()
            .filter(|d| d.status == "verified")
            .chain(person.pending.iter().filter(move |_| pending_too))
            .filter(move |d| d.kind == kind)
    };
    if has("vehicles") {
        let list: Vec<Value> = all("vehicle", "vehicles")
            .map(|d| json!({ "name": d.field("name"), "numberPlate": d.field("plate"), "regCertificate": { "number": d.field("number") }, "vrfStu": vrf(d) }))
            .collect();
        c.insert("vehicles".into(), list.into());
    }
    if has("kid_fullname") || has("kid_birthdate") {
        let list: Vec<Value> = all("child", "kids")
            .map(|d| {
                let mut k = json!({ "vrfStu": vrf(d) });
                if has("kid_fullname") {
                    k["lastName"] = d.field("surname").into();
                    k["firstName"] = d.field("given_name").into();
                }
                if has("kid_birthdate") {
                    k["birthDate"] = d.field("birth_date").into();
                }
                k
            })
            .collect();
        c.insert("kids".into(), list.into());
    }
    if has("addresses") {
        let list: Vec<Value> = person
            .addresses
            .iter()
            .map(|(kind, text)| json!({ "type": kind, "addressStr": text }))
            .collect();
        c.insert("addresses".into(), list.into());
    }
    if has("contacts") {
        let list: Vec<Value> = person
            .ids
            .iter()
            .filter(|i| i.verified_at.is_some())
            .filter_map(|i| match i.kind.as_str() {
                "phone" => Some(json!({
                    "type": "MBT",
                    "value": i.value.parse::<Phone>().map(|p| p.as_str().to_string()).unwrap_or_else(|_| i.value.clone()),
                    "vrfStu": "VERIFIED",
                })),
                "email" => Some(json!({ "type": "EML", "value": i.value, "vrfStu": "VERIFIED" })),
                _ => None,
            })
            .collect();
        c.insert("contacts".into(), list.into());
    }
}

/// `verified_claims` (OpenID Connect for Identity Assurance 1.0): what the registries confirmed,
/// with the account level as assurance level. None before the identity document is verified.
pub fn verified_claims(person: &Person<'_>) -> Option<Value> {
    let d = id_doc(person)?;
    let mut claims = json!({
        "family_name": d.field("surname"),
        "given_name": d.field("given_name"),
        "birthdate": d.field("birth_date"),
        "place_of_birth": { "locality": d.field("birthplace") },
    });
    let patronymic = d.field("patronymic");
    if !patronymic.is_empty() {
        claims["middle_name"] = patronymic.into();
    }
    if let Some(g) = gender(d) {
        claims["gender"] = g.into();
    }
    let document = if d.kind == "passport_rf" {
        json!({
            "type": "idcard",
            "document_details": {
                "type": "idcard",
                "document_number": format!("{} {}", d.field("series"), d.field("number")),
                "date_of_issuance": d.field("issued"),
                "issuer": { "name": d.field("issuer_code"), "country": "RU" },
            }
        })
    } else {
        json!({
            "type": "document",
            "document_details": {
                "type": "idcard",
                "document_number": d.field("number"),
                "date_of_issuance": d.field("issued"),
                "issuer": { "country": d.field("country") },
            }
        })
    };
    let time = d.verified_at.map(crate::clock::rfc3339);
    Some(json!({
        "verification": {
            "trust_framework": TRUST_FRAMEWORK,
            "assurance_level": person.account.level,
            "assurance_process": { "policy": person.account.level_method },
            "time": time,
            "evidence": [document],
        },
        "claims": claims,
    }))
}
