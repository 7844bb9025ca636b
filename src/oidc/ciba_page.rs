//! `/ciba?id=…`: the page the notification links to (and the account's banner). The person signs
//! in at the acr the portal asked for — as the person the portal named, nobody else — then sees
//! the portal, its binding_message and the data asked for, and approves or denies.

use super::OidcState;
use super::backchannel_pages::{self, auth_request};
use crate::authn::backchannel::{self, Kind};
use crate::authn::login_tx::{Protocol, load_tx};
use crate::web::extract::SignedInForm;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::params::Params;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// GET /ciba?id=…: an approval link.
pub async fn page(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(p.get("lang"));
    let gone = || PageError::page(lang, StatusCode::BAD_REQUEST, "backchannel.gone");
    let id = p.get("id").ok_or_else(gone)?;
    let (_, grant) = backchannel::by_approval(&app, id).await?.ok_or_else(gone)?;
    let req = auth_request(
        &app,
        &grant,
        Protocol::Ciba {
            approval: id.to_string(),
        },
        lang,
        None,
    );
    backchannel_pages::proceed(&app, &meta, &headers, req, None, &grant).await
}

/// GET /ciba/continue?tx=…: back from the login pages.
pub async fn resume(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(None);
    let gone = || PageError::page(lang, StatusCode::BAD_REQUEST, "backchannel.gone");
    let tx = p.get("tx").ok_or_else(gone)?;
    let req = load_tx(&app, tx).await?.ok_or_else(gone)?;
    let Protocol::Ciba { approval } = &req.protocol else {
        return Err(gone());
    };
    let (_, grant) = backchannel::by_approval(&app, approval)
        .await?
        .ok_or_else(|| gone().in_lang(req.lang))?;
    backchannel_pages::proceed(&app, &meta, &headers, req, Some(tx.to_string()), &grant).await
}

/// POST /ciba/decide: approve or deny.
pub async fn decide(
    State(app): State<OidcState>,
    form: SignedInForm,
) -> Result<Response, PageError> {
    backchannel_pages::decide(&app, form, Kind::Ciba).await
}
