//! The organisation a person acts for, when a portal asked organisation scopes in `scope_org` at
//! v2/ac: after sign-in (before consent) the person picks one of their organisations; the
//! request's plain `org_*` scopes then become `org_*?org_oid=N` for that organisation, which the
//! consent page names and the access token carries. A person in no organisation is told so and
//! sent back to the portal with ESIA-007004.

use super::errors::EsiaError;
use super::flow;
use super::scopes;
use crate::authn::login_tx::{self, AuthRequest, Protocol, save_tx};
use crate::ctx::Ctx;
use crate::orgs::Role;
use crate::store::orgs::MembershipRow;
use crate::store::sessions::SessionRow;
use crate::web::extract::SignedInForm;
use crate::web::i18n::Tr;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::{csrf, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// Where the choice is posted.
pub const PATH: &str = "/aas/oauth2/v2/org";

/// The request asks organisation scopes not yet tied to an organisation.
pub fn needed(req: &AuthRequest) -> bool {
    req.scopes.iter().any(|s| scopes::is_org_scope(s))
}

#[derive(Template)]
#[template(path = "esia/org_choice.html")]
struct ChoicePage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: String,
    orgs: Vec<MembershipRow>,
    back: String,
    action: &'static str,
}

impl ChoicePage {
    fn role_key(&self, role: &str) -> &'static str {
        match Role::parse(role) {
            Some(Role::Chief) => "orgs.role.chief",
            Some(Role::Admin) => "orgs.role.admin",
            _ => "orgs.role.employee",
        }
    }
}

/// The choice page for the pending request `tx`.
pub async fn page(
    ctx: &Ctx,
    headers: &axum::http::HeaderMap,
    req: &AuthRequest,
    session: &SessionRow,
    tx: &str,
) -> Result<Response, PageError> {
    let orgs = ctx.store.memberships(&session.account_id).await?;
    let back = EsiaError::Refused
        .url(&req.redirect_uri, req.state.as_deref())
        .unwrap_or_default();
    let (csrf, cookie) = csrf::token(headers, ctx.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &ChoicePage {
                t: Tr::new(req.lang),
                csrf,
                tx: tx.to_string(),
                client_name: req.client_name.clone(),
                orgs,
                back,
                action: PATH,
            },
        ),
        cookie,
    ))
}

/// `POST /aas/oauth2/v2/org`: the chosen organisation (one of the person's, checked now) ties the
/// request's organisation scopes to it; then consent and the code as usual.
pub async fn choose(
    State(ctx): State<Ctx>,
    meta: ClientMeta,
    SignedInForm {
        session,
        form,
        lang,
        headers,
    }: SignedInForm,
) -> Result<Response, PageError> {
    let expired = || PageError::page(lang, StatusCode::BAD_REQUEST, "error.tx_expired");
    let mut req = login_tx::take_tx(&ctx, form.get("tx").unwrap_or(""))
        .await?
        .filter(|r| matches!(r.protocol, Protocol::Esia { .. }) && needed(r))
        .ok_or_else(expired)?;
    let chosen = form
        .get("org")
        .and_then(|o| o.parse::<i64>().ok())
        .unwrap_or_default();
    let not_member = || PageError::page(lang, StatusCode::FORBIDDEN, "orgs.err.not_member");
    let (org, _) = crate::orgs::membership(&ctx, chosen, &session.account_id)
        .await
        .map_err(|_| not_member())?;
    req.scopes = req
        .scopes
        .iter()
        .map(|s| {
            if scopes::is_org_scope(s) {
                scopes::org_item(s, org.oid)
            } else {
                s.clone()
            }
        })
        .collect();
    tracing::info!(client = %req.client_id, org = org.oid, "ESIA request: organisation chosen");
    let tx = save_tx(&ctx, &req).await?;
    flow::decide(&ctx, &meta, &headers, req, Some(tx)).await
}
