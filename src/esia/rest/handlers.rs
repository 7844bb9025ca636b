//! `GET /rs/prns/{oid}[/…]`: token → path → person → the resource the scopes show.
//!
//! The order of refusals is ESIA's: the token first (401 before anything is looked up), then the
//! token's scopes for the path's person (403), then the person (404), the person's consent to the
//! token's portal (401 once withdrawn), the resource's scope (403) and the item (404).

use super::access::Access;
use super::error::RestError;
use super::render::{self, Collection, Embed};
use super::{items, token};
use crate::ctx::Ctx;
use crate::identity::person_view::{self, PersonView};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::BTreeSet;

pub const PREFIX: &str = "/rs/prns/";

/// The resources under `/rs/prns/{oid}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    Person,
    Collection(Collection),
    Item(Collection, i64),
    KidDocuments(i64),
    KidDocument(i64, i64),
    /// `/roles` and `/orgs` (`usr_org`): see `super::orgs`.
    Roles,
    Orgs,
}

/// The oid and resource of a request path (raw segments: every valid one is plain digits or a
/// collection name, so nothing needs decoding).
fn parse_path(path: &str) -> Option<(i64, Resource)> {
    let rest = path.strip_prefix(PREFIX)?;
    let segments: Vec<&str> = rest.split('/').collect();
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 18 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let oid = number(segments.first()?)?;
    let resource = match segments[1..] {
        [] => Resource::Person,
        ["roles"] => Resource::Roles,
        ["orgs"] => Resource::Orgs,
        [c] => Resource::Collection(Collection::from_segment(c)?),
        [c, id] => Resource::Item(Collection::from_segment(c)?, number(id)?),
        ["kids", kid, "docs"] => Resource::KidDocuments(number(kid)?),
        ["kids", kid, "docs", doc] => Resource::KidDocument(number(kid)?, number(doc)?),
        _ => return None,
    };
    Some((oid, resource))
}

pub async fn resource(
    State(ctx): State<Ctx>,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, RestError> {
    let token = token::bearer(&headers).ok_or(RestError::InvalidToken)?;
    let grant = token::verify(&ctx.keyring, ctx.issuer(), ctx.clock.now(), token)?;
    let (oid, resource) = parse_path(uri.path()).ok_or(RestError::NotFound)?;
    let scopes = grant.scopes_for(oid);
    if scopes.is_empty() {
        return Err(RestError::ScopeNotAllowed);
    }
    let view = person_view::of_oid(&ctx, oid)
        .await?
        .ok_or(RestError::NotFound)?;
    let access = within_consent(&ctx, &view, grant.client_id(), scopes).await?;
    let embed = Embed::parse(query.as_deref());
    let person_url = format!("{}{PREFIX}{oid}", ctx.issuer());
    let account = view.account.id.as_str();
    let body = match resource {
        Resource::Roles | Resource::Orgs if !access.has("usr_org") => {
            return Err(RestError::ScopeNotAllowed);
        }
        Resource::Roles => super::orgs::roles(&ctx, &person_url, account, oid).await?,
        Resource::Orgs => super::orgs::person_orgs(&ctx, &grant, account, &embed).await?,
        _ => answer(&person_url, &view, &access, &embed, resource)?,
    };
    Ok(no_store(body))
}

/// The JSON answer; personal and organisation data: no shared cache keeps it.
pub(super) fn no_store(body: Value) -> Response {
    let mut res = Json(body).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A permission the person withdrew stops the portal's tokens at once (their `exp` may be far
/// off): a token asking for more than `openid` without the person's consent is refused as
/// revoked; otherwise it shows what both the token and the consent allow.
async fn within_consent(
    ctx: &Ctx,
    view: &PersonView,
    client_id: &str,
    scopes: BTreeSet<String>,
) -> Result<Access, RestError> {
    let consent = person_view::consented_scopes(ctx, &view.account.id, client_id).await?;
    match consent {
        None if scopes.iter().any(|s| s != "openid") => Err(RestError::InvalidToken),
        None => Ok(Access::new(scopes)),
        Some(given) => Ok(Access::new(
            scopes
                .into_iter()
                .filter(|s| s == "openid" || given.contains(s))
                .collect(),
        )),
    }
}

fn answer(
    person_url: &str,
    view: &PersonView,
    access: &Access,
    embed: &Embed,
    resource: Resource,
) -> Result<Value, RestError> {
    let opened = |c: Collection| {
        if c.allowed(access) {
            Ok(c)
        } else {
            Err(RestError::ScopeNotAllowed)
        }
    };
    let find = |list: Vec<items::Item>, id: i64| {
        list.into_iter()
            .find(|i| i.id == id)
            .map(|i| i.object())
            .ok_or(RestError::NotFound)
    };
    let kid = |id: i64| {
        items::kids(view, access)
            .into_iter()
            .find(|(item, _)| item.id == id)
            .map(|(_, row)| row)
            .ok_or(RestError::NotFound)
    };
    match resource {
        Resource::Person => Ok(render::person(person_url, view, access, embed)),
        Resource::Collection(c) => {
            let c = opened(c)?;
            let base = format!("{person_url}/{}", c.segment());
            Ok(render::collection(
                &base,
                &c.items(view, access),
                embed.has("elements"),
            ))
        }
        Resource::Item(Collection::Kids, id) if embed_kid_documents(embed, access) => {
            // A child with its documents: `/kids/{id}?embed=(documents.elements)`.
            let mut child = find(opened(Collection::Kids)?.items(view, access), id)?;
            let docs = items::kid_documents(kid(id)?, access);
            let base = format!("{person_url}/kids/{id}/docs");
            let with_objects = embed.has("documents.elements");
            child["documents"] = render::collection(&base, &docs, with_objects);
            Ok(child)
        }
        Resource::Item(c, id) => find(opened(c)?.items(view, access), id),
        // Answered before (`super::orgs`).
        Resource::Roles | Resource::Orgs => Err(RestError::NotFound),
        Resource::KidDocuments(kid_id) | Resource::KidDocument(kid_id, _) => {
            if !access.kid_documents() {
                return Err(RestError::ScopeNotAllowed);
            }
            let child = kid(kid_id)?;
            let docs = items::kid_documents(child, access);
            match resource {
                Resource::KidDocument(_, doc_id) => find(docs, doc_id),
                _ => {
                    let base = format!("{person_url}/kids/{kid_id}/docs");
                    Ok(render::collection(&base, &docs, embed.has("elements")))
                }
            }
        }
    }
}

fn embed_kid_documents(embed: &Embed, access: &Access) -> bool {
    (embed.has("documents") || embed.has("documents.elements")) && access.kid_documents()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_person_a_collection_an_item_or_a_childs_documents() {
        assert_eq!(
            parse_path("/rs/prns/1000000001"),
            Some((1_000_000_001, Resource::Person))
        );
        assert_eq!(
            parse_path("/rs/prns/1/ctts"),
            Some((1, Resource::Collection(Collection::Contacts)))
        );
        assert_eq!(
            parse_path("/rs/prns/1/docs/42"),
            Some((1, Resource::Item(Collection::Documents, 42)))
        );
        assert_eq!(
            parse_path("/rs/prns/1/kids/5/docs/6"),
            Some((1, Resource::KidDocument(5, 6)))
        );
        assert_eq!(parse_path("/rs/prns/1/orgs"), Some((1, Resource::Orgs)));
        assert_eq!(parse_path("/rs/prns/1/roles"), Some((1, Resource::Roles)));
        for bad in [
            "/rs/prns/abc",
            "/rs/prns/1/orgs/5",
            "/rs/prns/1/docs/x",
            "/rs/prns/1/ctts/1/2",
            "/rs/prns/-1",
            "/rs/prns/99999999999999999999999",
            "/rs/prns/1/",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }
}
