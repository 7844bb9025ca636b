//! Organisations on ESIA's REST surface:
//! - `/rs/prns/{oid}/roles` (`usr_org`): the person's organisations with their role, always as
//!   objects {oid, prnOid, fullName, shortName, ogrn, type, chief, admin, active};
//! - `/rs/prns/{oid}/orgs` (`usr_org`): links to `/rs/orgs/{id}`, or with `?embed=(elements)` the
//!   cards as this token reads them;
//! - `/rs/orgs/{id}` (the card) and its collections `/ctts`, `/addrs`, `/emps` (each element also at
//!   its own URL; the card takes `?embed=(contacts.elements,addresses.elements,employees.elements)`),
//!   each part only with the scope that opens it (`org_access`).

use super::error::RestError;
use super::items::{Item, etag, zip_code};
use super::org_access::{self, OrgAccess};
use super::render::{self, Embed};
use super::token;
use crate::ctx::Ctx;
use crate::orgs::Role;
use crate::store::orgs::{MembershipRow, OrgRow};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};

pub const PREFIX: &str = "/rs/orgs/";

/// The collections of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgCollection {
    Contacts,
    Addresses,
    Employees,
}

impl OrgCollection {
    const ALL: [OrgCollection; 3] = [
        OrgCollection::Contacts,
        OrgCollection::Addresses,
        OrgCollection::Employees,
    ];

    fn segment(self) -> &'static str {
        match self {
            OrgCollection::Contacts => "ctts",
            OrgCollection::Addresses => "addrs",
            OrgCollection::Employees => "emps",
        }
    }

    fn member(self) -> &'static str {
        match self {
            OrgCollection::Contacts => "contacts",
            OrgCollection::Addresses => "addresses",
            OrgCollection::Employees => "employees",
        }
    }

    fn allowed(self, a: &OrgAccess) -> bool {
        match self {
            OrgCollection::Contacts => a.contacts(),
            OrgCollection::Addresses => a.addresses(),
            OrgCollection::Employees => a.employees(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgResource {
    Card,
    Collection(OrgCollection),
    Item(OrgCollection, i64),
}

fn number(s: &str) -> Option<i64> {
    (!s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_path(path: &str) -> Option<(i64, OrgResource)> {
    let segments: Vec<&str> = path.strip_prefix(PREFIX)?.split('/').collect();
    let oid = number(segments.first()?)?;
    let collection = |s: &str| OrgCollection::ALL.into_iter().find(|c| c.segment() == s);
    let resource = match segments[1..] {
        [] => OrgResource::Card,
        [c] => OrgResource::Collection(collection(c)?),
        [c, id] => OrgResource::Item(collection(c)?, number(id)?),
        _ => return None,
    };
    Some((oid, resource))
}

/// `GET /rs/orgs/{id}[/…]`: token (401) → path (404) → the token's access to this organisation
/// (403, or 401 when the consent or allowance behind it is gone) → the part asked (403, 404).
pub async fn resource(
    State(ctx): State<Ctx>,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, RestError> {
    let token = token::bearer(&headers).ok_or(RestError::InvalidToken)?;
    let grant = token::verify(&ctx.keyring, ctx.issuer(), ctx.clock.now(), token)?;
    let (oid, resource) = parse_path(uri.path()).ok_or(RestError::NotFound)?;
    let access = org_access::resolve(&ctx, &grant, oid).await?;
    let org = ctx.store.org(oid).await?.ok_or(RestError::NotFound)?;
    let embed = Embed::parse(query.as_deref());
    let url = format!("{}{PREFIX}{oid}", ctx.issuer());
    let body = match resource {
        OrgResource::Card => card(&ctx, &url, &org, &access, &embed).await?,
        OrgResource::Collection(c) | OrgResource::Item(c, _) => {
            if !c.allowed(&access) {
                return Err(RestError::ScopeNotAllowed);
            }
            let items = items(&ctx, &org, c).await?;
            match resource {
                OrgResource::Item(_, id) => items
                    .iter()
                    .find(|i| i.id == id)
                    .map(Item::object)
                    .ok_or(RestError::NotFound)?,
                _ => render::collection(
                    &format!("{url}/{}", c.segment()),
                    &items,
                    embed.has("elements"),
                ),
            }
        }
    };
    Ok(super::handlers::no_store(body))
}

/// The card as `access` reads it, with the collections `embed` asks for and the access opens.
async fn card(
    ctx: &Ctx,
    url: &str,
    org: &OrgRow,
    access: &OrgAccess,
    embed: &Embed,
) -> Result<Value, RestError> {
    let mut m = Map::new();
    m.insert("stateFacts".into(), json!(["EntityRoot"]));
    m.insert("oid".into(), org.oid.into());
    let fields: [(bool, &str, &str); 6] = [
        (access.short_name(), "shortName", &org.short_name),
        (access.full_name(), "fullName", &org.full_name),
        (access.kind(), "type", &org.kind),
        (access.ogrn(), "ogrn", &org.ogrn),
        (access.inn(), "inn", &org.inn),
        (access.kpp() && !org.kpp.is_empty(), "kpp", &org.kpp),
    ];
    for (shown, name, value) in fields {
        if shown {
            m.insert(name.into(), value.into());
        }
    }
    let tag = etag(&Value::Object(m.clone()));
    m.insert("eTag".into(), tag.into());
    for c in OrgCollection::ALL {
        let member = c.member();
        let with_objects = embed.has(&format!("{member}.elements"));
        if (with_objects || embed.has(member)) && c.allowed(access) {
            let list = items(ctx, org, c).await?;
            let base = format!("{url}/{}", c.segment());
            m.insert(
                member.into(),
                render::collection(&base, &list, with_objects),
            );
        }
    }
    Ok(Value::Object(m))
}

/// `(kind, value)` when the value is filled in.
fn filled<'a>(kind: &'static str, value: &'a str) -> Option<(&'static str, &'a str)> {
    let value = value.trim();
    (!value.is_empty()).then_some((kind, value))
}

async fn items(ctx: &Ctx, org: &OrgRow, c: OrgCollection) -> Result<Vec<Item>, RestError> {
    let text = filled;
    Ok(match c {
        OrgCollection::Contacts => [text("OPH", &org.phone), text("OEM", &org.email)]
            .into_iter()
            .flatten()
            .map(|(kind, value)| {
                Item::new(
                    &format!("org{}:ctt:{kind}:{value}", org.oid),
                    json!({ "type": kind, "vrfStu": "NOT_VERIFIED", "value": value }),
                )
            })
            .collect(),
        OrgCollection::Addresses => [
            text("OLG", &org.legal_address),
            text("OPS", &org.actual_address),
        ]
        .into_iter()
        .flatten()
        .map(|(kind, value)| {
            let mut f = json!({ "type": kind, "addressStr": value, "countryId": "RUS" });
            if let Some(zip) = zip_code(value) {
                f["zipCode"] = zip.into();
            }
            Item::new(&format!("org{}:addr:{kind}", org.oid), f)
        })
        .collect(),
        OrgCollection::Employees => {
            let mut out = Vec::new();
            for m in ctx.store.org_members(org.oid).await? {
                // The person's oid is the employee's id, as in ESIA (read with the members; given
                // now to a member who has none yet).
                let prn = match m.person_oid {
                    Some(oid) => oid,
                    None => ctx.store.person_oid(&m.account_id).await?,
                };
                let role = Role::parse(&m.role);
                let mut person = json!({ "lastName": m.surname, "firstName": m.given_name });
                if let Some(p) = m.patronymic.filter(|p| !p.is_empty()) {
                    person["middleName"] = p.into();
                }
                let mut fields = Map::new();
                fields.insert("prnOid".into(), prn.into());
                fields.insert("chief".into(), (role == Some(Role::Chief)).into());
                fields.insert("admin".into(), (role == Some(Role::Admin)).into());
                fields.insert("active".into(), true.into());
                fields.insert("person".into(), person);
                out.push(Item { id: prn, fields });
            }
            out
        }
    })
}

/// One role of the person: {oid, prnOid, fullName, shortName, ogrn, type, chief, admin, active}.
fn role_item(m: &MembershipRow, prn_oid: i64) -> Item {
    let mut f = Map::new();
    f.insert("oid".into(), m.oid.into());
    f.insert("prnOid".into(), prn_oid.into());
    f.insert("fullName".into(), m.full_name.clone().into());
    f.insert("shortName".into(), m.short_name.clone().into());
    f.insert("ogrn".into(), m.ogrn.clone().into());
    f.insert("type".into(), m.kind.clone().into());
    f.insert("chief".into(), (m.role == Role::Chief.as_str()).into());
    f.insert("admin".into(), (m.role == Role::Admin.as_str()).into());
    f.insert("active".into(), true.into());
    Item {
        id: m.oid,
        fields: f,
    }
}

/// `/rs/prns/{oid}/roles` (the caller checked `usr_org`): always the objects, as ESIA gives them.
pub async fn roles(
    ctx: &Ctx,
    person_url: &str,
    account_id: &str,
    prn_oid: i64,
) -> Result<Value, RestError> {
    let items: Vec<Item> = ctx
        .store
        .memberships(account_id)
        .await?
        .iter()
        .map(|m| role_item(m, prn_oid))
        .collect();
    Ok(render::collection(
        &format!("{person_url}/roles"),
        &items,
        true,
    ))
}

/// `/rs/prns/{oid}/orgs` (the caller checked `usr_org`): links to the organisations' cards, or the
/// cards themselves as this token reads them.
pub async fn person_orgs(
    ctx: &Ctx,
    grant: &token::Grant,
    account_id: &str,
    embed: &Embed,
) -> Result<Value, RestError> {
    let base = format!("{}{}", ctx.issuer(), PREFIX.trim_end_matches('/'));
    let mut list = Vec::new();
    for m in ctx.store.memberships(account_id).await? {
        let Some(org) = ctx.store.org(m.oid).await? else {
            continue;
        };
        let access = org_access::resolve(ctx, grant, m.oid).await?;
        let url = format!("{base}/{}", m.oid);
        let card = card(ctx, &url, &org, &access, &Embed::default()).await?;
        let fields = card.as_object().cloned().unwrap_or_default();
        list.push((m.oid, fields));
    }
    let embedded = embed.has("elements");
    let elements: Vec<Value> = list
        .iter()
        .map(|(oid, card)| {
            if embedded {
                Value::Object(card.clone())
            } else {
                Value::String(format!("{base}/{oid}"))
            }
        })
        .collect();
    let tags: Vec<&Value> = list.iter().map(|(_, c)| &c["eTag"]).collect();
    Ok(json!({
        "stateFacts": ["hasSize"],
        "size": list.len(),
        "eTag": etag(&json!(tags)),
        "elements": elements,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_paths_name_the_card_a_collection_or_an_element() {
        assert_eq!(
            parse_path("/rs/orgs/1000000001"),
            Some((1_000_000_001, OrgResource::Card))
        );
        assert_eq!(
            parse_path("/rs/orgs/5/emps/7"),
            Some((5, OrgResource::Item(OrgCollection::Employees, 7)))
        );
        for bad in [
            "/rs/orgs/x",
            "/rs/orgs/1/docs",
            "/rs/orgs/1/ctts/1/2",
            "/rs/orgs/1/",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_collection_needs_its_own_scope_and_emps_the_managing_role() {
        let a = OrgAccess::for_tests(&["org_ctts", "org_emps"], false, false);
        assert!(OrgCollection::Contacts.allowed(&a));
        assert!(!OrgCollection::Addresses.allowed(&a));
        assert!(
            !OrgCollection::Employees.allowed(&a),
            "org_emps alone is not enough for an employee"
        );
        let chief = OrgAccess::for_tests(&["org_emps"], false, true);
        assert!(OrgCollection::Employees.allowed(&chief));
        let member = OrgAccess::for_tests(&[], true, false);
        assert!(member.short_name() && member.ogrn() && !member.inn() && !member.kpp());
    }
}
