//! `GET /idp/ext/Logout?client_id=…&redirect_url=…` (ESIA's parameter is `redirect_url`): ends the
//! single sign-on session — every portal's grants made in it, with back-channel logout, as
//! OpenID's logout does — and returns the browser to one of the client's registered URLs only.

use super::ac::find_client;
use super::errors::EsiaError;
use crate::authn::{self, session};
use crate::ctx::Ctx;
use crate::web::cookies;
use crate::web::login::logged_out_page;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::params::Params;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn logout(
    State(ctx): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let lang = meta.lang(None);
    let p = Params::from_query(q.as_deref())
        .map_err(|_| EsiaError::BadParameter("query".into()).page(lang))?;
    if let Some(dup) = p.duplicated() {
        return Err(EsiaError::BadParameter(dup.into()).page(lang));
    }
    // The return address is checked before anything ends: an unknown client or URL is a page.
    let back = match p.get("client_id") {
        Some(id) => {
            let client = find_client(&ctx, id).await?.map_err(|e| e.page(lang))?;
            match p.get("redirect_url") {
                Some(url) if client.client.has_redirect_uri(url) => Some(url.to_string()),
                Some(_) => return Err(EsiaError::RedirectUri.page(lang)),
                None => None,
            }
        }
        None if p.has("redirect_url") => return Err(EsiaError::Missing("client_id").page(lang)),
        None => None,
    };
    let sid = cookies::get(&headers, session::COOKIE);
    if let Some(row) = session::current(&ctx, sid.as_deref()).await? {
        authn::logout::end_session(&ctx, &row).await?;
        tracing::info!(account = %row.account_id, "ESIA logout ended the session");
    }
    let mut res = match back {
        Some(url) => Redirect::to(&url).into_response(),
        None => logged_out_page(lang),
    };
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(session::COOKIE, "", Some(0), ctx.config.issuer_is_https()),
    );
    Ok(res)
}
