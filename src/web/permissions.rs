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
    pub scopes: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "permissions.html")]
struct PermissionsPage {
    t: Tr,
    csrf: String,
    portals: Vec<PortalView>,
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
            scopes: p.scopes,
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
            },
        ),
        cookie,
    ))
}

pub async fn revoke(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let client_id = f.form.get("client_id").unwrap_or("");
    // Withdrawn or never given: the list shows the outcome either way.
    match permissions::withdraw(&app, &f.session.account_id, client_id).await? {
        Withdrawal::Withdrawn | Withdrawal::NotGiven => {
            Ok(Redirect::to("/account/permissions").into_response())
        }
    }
}
