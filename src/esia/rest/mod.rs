//! ESIA's REST resources about a person: `/rs/prns/{oid}` and its collections `/ctts`, `/addrs`,
//! `/docs`, `/vhls`, `/kids` (and `/kids/{id}/docs`), each element also at its own URL; the
//! person's organisations (`/roles`, `/orgs`) and each organisation's card `/rs/orgs/{id}` with
//! `/ctts`, `/addrs`, `/emps` (`orgs`, `org_access`). A portal
//! calls them with the ESIA access token vhod issued it (`Authorization: Bearer …`); every member
//! and item is shown only when one of the token's scopes for that person allows it (see `access`).
//!
//! - `token`: the bearer token checked (ESIA header and claims, any keyring algorithm).
//! - `access`: which scope opens which member, collection and document type.
//! - `items`: the collection elements with their ids and eTags; `render`: the JSON shapes,
//!   `?embed=(…)`; `handlers`: the one route; `error`: ESIA's refusals.

pub mod access;
pub mod error;
pub mod handlers;
pub mod items;
pub mod org_access;
pub mod orgs;
pub mod render;
pub mod token;

use crate::ctx::Ctx;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;

/// The routes, for any router state that holds a `Ctx`.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Ctx: FromRef<S>,
{
    Router::new()
        .route("/rs/prns/{oid}", get(handlers::resource))
        .route("/rs/prns/{oid}/{*rest}", get(handlers::resource))
        .route("/rs/orgs/{oid}", get(orgs::resource))
        .route("/rs/orgs/{oid}/{*rest}", get(orgs::resource))
}
