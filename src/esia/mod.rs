//! The ESIA wire protocol: a second protocol over the one domain (the same people, sessions,
//! login pages, second factors, levels, step-up and consent as OpenID Connect), spoken the way
//! portals written against the real ESIA expect it. Surface layer: infrastructure, domain and
//! `web` only, never `oidc` (ARCHITECTURE.md §1).

pub mod ac;
pub mod errors;
pub mod flow;
pub mod logout;
pub mod rest;
pub mod scopes;
pub mod secret;
pub mod te;
pub mod timestamp;
pub mod tokens;

use crate::ctx::Ctx;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};

/// Every ESIA route (the REST resources add theirs in `rest`).
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Ctx: FromRef<S>,
{
    Router::new()
        .route("/aas/oauth2/v2/ac", get(ac::authorize))
        .route("/aas/oauth2/v2/ac/continue", get(flow::resume))
        .route(flow::CONSENT_PATH, post(flow::consent))
        .route("/aas/oauth2/v3/te", post(te::token))
        .route("/idp/ext/Logout", get(logout::logout))
        .route("/aas/oauth2/ac", get(ac::authorize_legacy))
        .route("/aas/oauth2/te", post(te::token_legacy))
        .merge(rest::routes())
}
