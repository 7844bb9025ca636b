//! The person resource and the collections in ESIA's JSON shapes.

use super::access::Access;
use super::items::{self, Item, esia_date, etag};
use crate::identity::person_view::PersonView;
use serde_json::{Map, Value, json};

/// The collections of a person, by URL segment and by embed name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Contacts,
    Addresses,
    Documents,
    Vehicles,
    Kids,
}

impl Collection {
    pub const ALL: [Collection; 5] = [
        Collection::Contacts,
        Collection::Addresses,
        Collection::Documents,
        Collection::Vehicles,
        Collection::Kids,
    ];

    pub fn segment(self) -> &'static str {
        match self {
            Collection::Contacts => "ctts",
            Collection::Addresses => "addrs",
            Collection::Documents => "docs",
            Collection::Vehicles => "vhls",
            Collection::Kids => "kids",
        }
    }

    /// The member name in the person resource (and in its `embed`).
    fn member(self) -> &'static str {
        match self {
            Collection::Contacts => "contacts",
            Collection::Addresses => "addresses",
            Collection::Documents => "documents",
            Collection::Vehicles => "vehicles",
            Collection::Kids => "kids",
        }
    }

    pub fn from_segment(s: &str) -> Option<Collection> {
        Self::ALL.into_iter().find(|c| c.segment() == s)
    }

    /// Whether the token's scopes open this collection.
    pub fn allowed(self, access: &Access) -> bool {
        match self {
            Collection::Contacts => access.contacts(),
            Collection::Addresses => access.addresses(),
            Collection::Documents => access.documents(),
            Collection::Vehicles => access.vehicles(),
            Collection::Kids => access.kids(),
        }
    }

    /// The collection's items for this person as the scopes show them.
    pub fn items(self, view: &PersonView, access: &Access) -> Vec<Item> {
        match self {
            Collection::Contacts => items::contacts(view, access),
            Collection::Addresses => items::addresses(view),
            Collection::Documents => items::documents(view, access),
            Collection::Vehicles => items::vehicles(view),
            Collection::Kids => items::kids(view, access)
                .into_iter()
                .map(|(item, _)| item)
                .collect(),
        }
    }
}

/// What `?embed=(…)` asks for: `elements` on a collection, `contacts.elements`, `documents` …
/// on the person (a bare member gives the collection with links, `.elements` with the objects).
/// A depth suffix some clients add (`contacts.elements-1`) is ignored.
#[derive(Debug, Default, Clone)]
pub struct Embed(Vec<String>);

impl Embed {
    pub fn parse(raw_query: Option<&str>) -> Embed {
        let value = url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "embed")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let inner = value.trim().trim_start_matches('(').trim_end_matches(')');
        Embed(
            inner
                .split(',')
                .map(|s| {
                    let s = s.trim();
                    match s.rsplit_once('-') {
                        Some((name, depth)) if depth.chars().all(|c| c.is_ascii_digit()) => name,
                        _ => s,
                    }
                    .to_string()
                })
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|e| e == name)
    }
}

/// `{"stateFacts":["hasSize"],"size":N,"eTag":…,"elements":[…]}`: the elements are the items'
/// absolute URLs (under `base`), or the objects themselves when `embedded`.
pub fn collection(base: &str, items: &[Item], embedded: bool) -> Value {
    let objects: Vec<Value> = items.iter().map(Item::object).collect();
    let tags: Vec<&Value> = objects.iter().map(|o| &o["eTag"]).collect();
    let elements: Vec<Value> = if embedded {
        objects.clone()
    } else {
        items
            .iter()
            .map(|i| Value::String(format!("{base}/{}", i.id)))
            .collect()
    };
    json!({
        "stateFacts": ["hasSize"],
        "size": items.len(),
        "eTag": etag(&json!(tags)),
        "elements": elements,
    })
}

/// `/rs/prns/{oid}`: each member only when a scope allows it, plus the embedded collections the
/// scopes open (asked-for collections they do not open are left out, as a portal computing its
/// embeds from its scopes expects).
pub fn person(person_url: &str, view: &PersonView, access: &Access, embed: &Embed) -> Value {
    let mut m = Map::new();
    m.insert("stateFacts".into(), json!(["EntityRoot"]));
    let id_doc = view.verified(&["passport_rf", "foreign_id"]);
    let id_field = |name: &str| id_doc.map(|d| d.field(name)).filter(|v| !v.is_empty());
    if access.has("fullname") {
        // Once the registry confirmed the identity document, its names are the person's.
        let (last, first, middle) = match id_doc {
            Some(d) => (
                d.field("surname"),
                d.field("given_name"),
                Some(d.field("patronymic")),
            ),
            None => (
                view.account.surname.clone(),
                view.account.given_name.clone(),
                view.account.patronymic.clone(),
            ),
        };
        m.insert("firstName".into(), first.into());
        m.insert("lastName".into(), last.into());
        if let Some(middle) = middle.filter(|p| !p.is_empty()) {
            m.insert("middleName".into(), middle.into());
        }
    }
    if access.has("birthdate")
        && let Some(date) = id_field("birth_date")
    {
        m.insert("birthDate".into(), esia_date(&date).into());
    }
    if access.has("birthplace")
        && let Some(place) = id_field("birthplace")
    {
        m.insert("birthPlace".into(), place.into());
    }
    if access.has("gender")
        && let Some(g) = id_field("gender").filter(|g| g == "M" || g == "F")
    {
        m.insert("gender".into(), g.into());
    }
    m.insert("trusted".into(), view.is_trusted().into());
    m.insert("verifying".into(), view.verifying.into());
    if (access.has("id_doc") || access.has("citizenship"))
        && let Some(d) = id_doc
    {
        let citizenship = match d.kind.as_str() {
            "passport_rf" => "RUS".to_string(),
            _ => d.field("country"),
        };
        m.insert("citizenship".into(), citizenship.into());
        if let Some(id) = items::identity_document_id(view) {
            m.insert("rIdDoc".into(), id.into());
        }
    }
    if access.has("snils")
        && let Some(s) = view
            .verified(&["snils"])
            .and_then(|d| items::snils(&d.field("number")))
    {
        m.insert("snils".into(), s.into());
    }
    if access.has("inn")
        && let Some(d) = view.verified(&["inn"])
    {
        m.insert("inn".into(), d.field("number").into());
    }
    m.insert("status".into(), "REGISTERED".into());
    m.insert("updatedOn".into(), view.updated_on().into());
    let tag = etag(&Value::Object(m.clone()));
    m.insert("eTag".into(), tag.into());
    for c in Collection::ALL {
        let member = c.member();
        let with_objects = embed.has(&format!("{member}.elements"));
        if (with_objects || embed.has(member)) && c.allowed(access) {
            let base = format!("{person_url}/{}", c.segment());
            let list = collection(&base, &c.items(view, access), with_objects);
            m.insert(member.into(), list);
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_reads_the_bracketed_list_with_or_without_depth_suffixes() {
        let e = Embed::parse(Some(
            "embed=(contacts.elements-1,%20documents.elements,addresses)",
        ));
        assert!(e.has("contacts.elements") && e.has("documents.elements") && e.has("addresses"));
        assert!(!e.has("vehicles.elements"));
        assert!(Embed::parse(Some("embed=(elements)")).has("elements"));
        assert!(!Embed::parse(None).has("elements"));
    }

    #[test]
    fn a_collection_lists_links_or_objects_with_one_etag_for_both() {
        let items = vec![Item {
            id: 7,
            fields: json!({"type": "EML"}).as_object().unwrap().clone(),
        }];
        let links = collection("http://x/rs/prns/1/ctts", &items, false);
        let objects = collection("http://x/rs/prns/1/ctts", &items, true);
        assert_eq!(links["elements"], json!(["http://x/rs/prns/1/ctts/7"]));
        assert_eq!(objects["elements"][0]["type"], "EML");
        assert_eq!(links["size"], 1);
        assert_eq!(links["eTag"], objects["eTag"]);
    }
}
