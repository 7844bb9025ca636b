//! «Разрешения доступа к персональным данным» (REQUIREMENTS §5, 001:327): which portal may read what,
//! revocable. Revoking withdraws the consent and the portal's grants at once
//! (identity::permissions).

use super::extract::{Language, SignedIn, SignedInForm};
use super::i18n::Tr;
use super::identity::when;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::{csrf, render};
use crate::ctx::Ctx;
use crate::identity::permissions::{self, Withdrawal};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub struct PortalView {
    pub client_id: String,
    pub name: String,
    /// What the portal may read, in words (`scope_names`).
    pub items: Vec<String>,
    pub since: String,
}

/// A permission given on behalf of an organisation.
pub struct OrgPortalView {
    pub client_id: String,
    pub name: String,
    pub org_oid: i64,
    pub org_name: String,
    pub items: Vec<String>,
    pub since: String,
}

#[derive(Template)]
#[template(path = "permissions.html")]
struct PermissionsPage {
    t: Tr,
    csrf: String,
    portals: Vec<PortalView>,
    for_orgs: Vec<OrgPortalView>,
}

pub async fn page(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang).in_zone(app.store.account_zone(&s.account_id).await?);
    let portals = permissions::of(&app, &s.account_id)
        .await?
        .into_iter()
        .map(|p| PortalView {
            client_id: p.client_id,
            name: p.client_name,
            items: super::scope_names::items(&tr, &p.scopes),
            since: when(&tr, p.since),
        })
        .collect();
    let for_orgs = permissions::of_orgs(&app, &s.account_id)
        .await?
        .into_iter()
        .map(|p| OrgPortalView {
            client_id: p.client_id,
            name: p.client_name,
            org_oid: p.org_oid,
            org_name: p.org_name,
            items: super::scope_names::items(&tr, &p.scopes),
            since: when(&tr, p.since),
        })
        .collect();
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &PermissionsPage {
                t: Tr::new(lang),
                csrf,
                portals,
                for_orgs,
            },
        ),
        cookie,
    ))
}

/// POST /account/permissions/revoke: `client_id`, and `org` (an oid) for a permission given on
/// behalf of that organisation.
pub async fn revoke(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let client_id = f.form.get("client_id").unwrap_or("");
    let account = &f.session.account_id;
    let outcome = match f.form.get("org") {
        Some(org) => {
            let oid = org.parse::<i64>().map_err(|_| {
                PageError::page(f.lang, StatusCode::BAD_REQUEST, "perm.bad_request")
            })?;
            permissions::withdraw_for_org(&app, account, client_id, oid).await?
        }
        None => permissions::withdraw(&app, account, client_id).await?,
    };
    // Withdrawn or never given: the list shows the outcome either way.
    match outcome {
        Withdrawal::Withdrawn | Withdrawal::NotGiven => {
            Ok(Redirect::to("/account/permissions").into_response())
        }
    }
}
