//! The items of the person's collections, as ESIA shows them: every item has its own integer `id`
//! (the last segment of its URL), `stateFacts` ["Identifiable"], its fields and an `eTag`.
//!
//! vhod's rows are keyed by UUIDs (documents) or by kind and value (contacts, addresses); the
//! integer id is derived from that key (31 bits of SHA-256), so it is stable across requests and
//! nodes and fits the `int` portals' DTOs read it into. A changed contact is a new contact with a
//! new id, as in ESIA.

use super::access::{Access, CONTACT_TYPES};
use crate::identity::Phone;
use crate::identity::person_view::PersonView;
use crate::identity::validation::Snils;
use crate::store::documents::DocumentRow;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// One element of a collection.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    /// The item's own fields (without stateFacts, id and eTag).
    pub fields: Map<String, Value>,
}

impl Item {
    pub fn new(key: &str, fields: Value) -> Item {
        let digest = Sha256::digest(key.as_bytes());
        let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) & 0x7fff_ffff;
        Item {
            id: i64::from(n.max(1)),
            fields: match fields {
                Value::Object(m) => m,
                _ => Map::new(),
            },
        }
    }

    /// The object a client reads: `{"stateFacts":["Identifiable"],"id":…,…,"eTag":…}`.
    pub fn object(&self) -> Value {
        let mut m = Map::new();
        m.insert("stateFacts".into(), json!(["Identifiable"]));
        m.insert("id".into(), self.id.into());
        m.extend(self.fields.clone());
        let tag = etag(&Value::Object(m.clone()));
        m.insert("eTag".into(), tag.into());
        Value::Object(m)
    }
}

/// A 40-hex-digit entity tag (ESIA's shape): the same while the content is the same.
pub fn etag(content: &Value) -> String {
    let digest = Sha256::digest(content.to_string().as_bytes());
    hex::encode_upper(&digest[..20])
}

/// `yyyy-mm-dd` (as vhod stores dates) → `dd.MM.yyyy` (as ESIA shows them).
pub fn esia_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}.{m}.{y}"),
        _ => iso.to_string(),
    }
}

fn vrf(d: &DocumentRow) -> &'static str {
    if d.status == "verified" {
        "VERIFIED"
    } else {
        "NOT_VERIFIED"
    }
}

/// `"123-456-789 01"` from the stored digits.
pub fn snils(number: &str) -> Option<String> {
    number.parse::<Snils>().ok().map(|s| s.to_string())
}

pub fn contacts(view: &PersonView, access: &Access) -> Vec<Item> {
    view.contacts
        .iter()
        .filter_map(|c| {
            let (_, esia_type) = CONTACT_TYPES.iter().find(|(k, _)| *k == c.kind)?;
            if !access.contact_type(esia_type) {
                return None;
            }
            let value = match c.kind.as_str() {
                "phone" => c
                    .value
                    .parse::<Phone>()
                    .map(|p| p.display())
                    .unwrap_or_else(|_| c.value.clone()),
                _ => c.value.clone(),
            };
            Some(Item::new(
                &format!("ctt:{}:{}", c.kind, c.value),
                json!({ "type": esia_type, "vrfStu": "VERIFIED", "value": value }),
            ))
        })
        .collect()
}

/// A six-digit postcode written in the address text, if any.
pub fn zip_code(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|part| part.len() == 6)
}

pub fn addresses(view: &PersonView) -> Vec<Item> {
    view.addresses
        .iter()
        .map(|(kind, text)| {
            let mut fields = json!({ "type": kind, "addressStr": text, "countryId": "RUS" });
            if let Some(zip) = zip_code(text) {
                fields["zipCode"] = zip.into();
            }
            Item::new(&format!("addr:{kind}"), fields)
        })
        .collect()
}

pub fn documents(view: &PersonView, access: &Access) -> Vec<Item> {
    view.documents
        .iter()
        .filter_map(|d| {
            let esia_type = access.document_type(&d.kind)?;
            Some(document(d, esia_type))
        })
        .collect()
}

/// The item id the person's verified identity document has in `/docs` (ESIA's `rIdDoc`).
pub fn identity_document_id(view: &PersonView) -> Option<i64> {
    view.verified(&["passport_rf", "foreign_id"])
        .map(|d| Item::new(&format!("doc:{}", d.id), json!({})).id)
}

fn document(d: &DocumentRow, esia_type: &str) -> Item {
    let field = |n: &str| d.field(n);
    let mut f = json!({ "type": esia_type, "vrfStu": vrf(d) });
    match d.kind.as_str() {
        "passport_rf" => {
            f["series"] = field("series").into();
            f["number"] = field("number").into();
            f["issueDate"] = esia_date(&field("issued")).into();
            // ESIA writes the issuing unit's code as six digits.
            f["issueId"] = field("issuer_code").replace('-', "").into();
        }
        "foreign_id" => {
            f["number"] = field("number").into();
            f["issueDate"] = esia_date(&field("issued")).into();
        }
        "drivers_licence" => {
            f["series"] = field("series").into();
            f["number"] = field("number").into();
            f["issueDate"] = esia_date(&field("issued")).into();
            f["expiryDate"] = esia_date(&field("expires")).into();
        }
        _ => f["number"] = field("number").into(),
    }
    Item::new(&format!("doc:{}", d.id), f)
}

pub fn vehicles(view: &PersonView) -> Vec<Item> {
    view.of_kinds(&["vehicle"])
        .map(|d| {
            // A registration certificate (СТС) is "99 99 999999": series, then number.
            let cert = d.field("number");
            let cut = cert.char_indices().nth(4).map_or(cert.len(), |(i, _)| i);
            let (series, number) = cert.split_at(cut);
            Item::new(
                &format!("vhl:{}", d.id),
                json!({
                    "name": d.field("name"),
                    "numberPlate": d.field("plate"),
                    "regCertificate": { "series": series, "number": number },
                    "vrfStu": vrf(d),
                }),
            )
        })
        .collect()
}

/// The child records of the person, as `(item, row)` so a child's documents can be built.
pub fn kids<'a>(view: &'a PersonView, access: &Access) -> Vec<(Item, &'a DocumentRow)> {
    view.of_kinds(&["child"])
        .map(|d| {
            let mut f = Map::new();
            if access.has("kid_fullname") {
                f.insert("lastName".into(), d.field("surname").into());
                f.insert("firstName".into(), d.field("given_name").into());
            }
            if access.has("kid_birthdate") {
                f.insert("birthDate".into(), esia_date(&d.field("birth_date")).into());
            }
            f.insert("vrfStu".into(), vrf(d).into());
            (Item::new(&format!("kid:{}", d.id), Value::Object(f)), d)
        })
        .collect()
}

/// A child's documents: the birth certificate of the record (`kid_birth_cert_doc`).
pub fn kid_documents(child: &DocumentRow, access: &Access) -> Vec<Item> {
    if !access.has("kid_birth_cert_doc") {
        return vec![];
    }
    // "IV-МЮ 123456": the series, then the number after the last space.
    let cert = child.field("number");
    let mut f = json!({ "type": "RF_BRTH_CERT", "vrfStu": vrf(child) });
    match cert.trim().rsplit_once(' ') {
        Some((series, number)) => {
            f["series"] = series.trim().into();
            f["number"] = number.into();
        }
        None => f["number"] = cert.trim().into(),
    }
    vec![Item::new(&format!("kidcert:{}", child.id), f)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_turn_into_esia_order_and_odd_ones_pass_unchanged() {
        assert_eq!(esia_date("1990-05-17"), "17.05.1990");
        assert_eq!(esia_date("17.05.1990"), "17.05.1990");
    }

    #[test]
    fn an_item_keeps_its_id_and_etag_while_unchanged() {
        let a = Item::new("doc:1", json!({"number": "1"}));
        let b = Item::new("doc:1", json!({"number": "1"}));
        let c = Item::new("doc:1", json!({"number": "2"}));
        assert_eq!(a.id, b.id);
        assert!(a.id > 0 && a.id <= i64::from(i32::MAX));
        assert_eq!(a.object()["eTag"], b.object()["eTag"]);
        assert_ne!(a.object()["eTag"], c.object()["eTag"]);
        assert_eq!(a.object()["eTag"].as_str().unwrap().len(), 40);
    }

    #[test]
    fn a_postcode_is_found_in_the_address_text() {
        assert_eq!(
            zip_code("170100, г. Тверь, ул. Советская, д. 1"),
            Some("170100")
        );
        assert_eq!(zip_code("г. Тверь, ул. Советская, д. 12"), None);
    }
}
