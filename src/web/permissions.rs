//! «Разрешения доступа к персональным данным» (REQUIREMENTS §5, 001:327): which portal may read what,
//! revocable. Revoking withdraws the consent and the portal's grants at once.

use super::i18n::Tr;
use super::identity::{signed_in, signed_in_form, when};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{csrf, render};
use crate::ctx::Ctx;
use crate::store::audit::AuditEntry;
use askama::Template;
use axum::body::Bytes;
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

pub async fn page(State(app): State<Ctx>, meta: ClientMeta, headers: HeaderMap) -> Response {
    let lang = meta.lang(None);
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let portals = match app.store.consents_of(&s.account_id).await {
        Ok(list) => list
            .into_iter()
            .map(|(client_id, name, scopes, at)| PortalView {
                client_id,
                name,
                scopes,
                since: when(at),
            })
            .collect(),
        Err(e) => return internal_error(lang, &e),
    };
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    with_cookie(
        render(
            StatusCode::OK,
            &PermissionsPage {
                t: Tr::new(lang),
                csrf,
                portals,
            },
        ),
        cookie,
    )
}

pub async fn revoke(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let client_id = p.get("client_id").unwrap_or("");
    match app.store.withdraw_consent(&s.account_id, client_id).await {
        Ok(true) => {
            let entry = AuditEntry {
                actor: &s.account_id,
                action: "consent.withdraw",
                target: client_id,
                request_id: &crate::request_id::current(),
                details: serde_json::json!({ "account": s.account_id }),
            };
            if let Err(e) = app.store.append_audit(entry).await {
                return internal_error(lang, &e);
            }
            Redirect::to("/account/permissions").into_response()
        }
        Ok(false) => Redirect::to("/account/permissions").into_response(),
        Err(e) => internal_error(lang, &e),
    }
}
