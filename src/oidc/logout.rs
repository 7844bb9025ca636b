//! RP-initiated logout (OIDC RP-Initiated Logout 1.0) and delivery of back-channel logout tokens
//! (OIDC Back-Channel Logout 1.0). The person confirms with a CSRF-protected form, so a link on a
//! foreign page cannot sign them out.

use super::OidcState;
use crate::authn::logout::{self, BackchannelLogout};
use crate::authn::session;
use crate::clients::{self, Client};
use crate::crypto;
use crate::web::extract::CsrfForm;
use crate::web::i18n::Tr;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{cookies, csrf, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

/// A validated logout request waiting for the person's confirmation.
#[derive(Serialize, Deserialize)]
struct PendingLogout {
    redirect: Option<String>,
}

#[derive(Template)]
#[template(path = "end_session.html")]
struct EndSessionPage {
    t: Tr,
    csrf: String,
    lr: String,
    client_name: Option<String>,
}

pub async fn end_session_get(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref());
    start(&app, &meta, &headers, p).await
}

pub async fn end_session_post(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = Params::from_form(&headers, &body);
    start(&app, &meta, &headers, p).await
}

async fn start(
    app: &OidcState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    p: Result<Params, crate::web::params::ParamsError>,
) -> Result<Response, PageError> {
    let Ok(p) = p else {
        return Err(PageError::page(
            meta.lang(None),
            StatusCode::BAD_REQUEST,
            "error.bad_request",
        ));
    };
    let lang = meta.lang(p.get("ui_locales"));
    let bad = || PageError::page(lang, StatusCode::BAD_REQUEST, "error.logout_request");
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(lang);
    if p.duplicated().is_some() {
        return Err(bad());
    }
    // The client: from id_token_hint's aud, or client_id; both must agree.
    let hinted = match p.get("id_token_hint") {
        // Only an ID token issued here (to client_id when given); its first audience is the client.
        Some(hint) => match super::id_token_hint::verify(app, hint, p.get("client_id")) {
            Some(c) => super::id_token_hint::audience(&c)
                .first()
                .map(|a| a.to_string()),
            None => return Err(bad()),
        },
        None => None,
    };
    let client_id = match (hinted, p.get("client_id")) {
        (Some(a), Some(b)) if a != b => return Err(bad()),
        (Some(a), _) => Some(a),
        (None, b) => b.map(str::to_owned),
    };
    let client: Option<Client> = match &client_id {
        Some(id) => Some(
            clients::find(&app.store, id)
                .await
                .map_err(|e| internal(&e))?
                .ok_or_else(bad)?,
        ),
        None => None,
    };
    let redirect = match p.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            // Exact match against the client's registration; without a known client, no redirect.
            let Some(c) = client
                .as_ref()
                .filter(|c| c.post_logout_redirect_uris.iter().any(|r| r == uri))
            else {
                return Err(PageError::page(
                    lang,
                    StatusCode::BAD_REQUEST,
                    "error.bad_redirect",
                ));
            };
            let mut url = url::Url::parse(uri).map_err(|e| internal(&e))?;
            if let Some(state) = p.get("state") {
                url.query_pairs_mut().append_pair("state", state);
            }
            let _ = c;
            Some(url.to_string())
        }
    };
    let lr = crypto::random_token();
    app.cache
        .put_json(&format!("logout:{lr}"), &PendingLogout { redirect }, 900)
        .await
        .map_err(|e| internal(&e))?;
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &EndSessionPage {
                t: Tr::new(lang),
                csrf,
                lr,
                client_name: client.map(|c| c.name),
            },
        ),
        cookie,
    ))
}

/// POST /session/end/confirm: end this browser's session, notify portals, go back or say goodbye.
pub async fn confirm(
    State(app): State<OidcState>,
    meta: ClientMeta,
    CsrfForm {
        form: p, headers, ..
    }: CsrfForm,
) -> Result<Response, PageError> {
    // The goodbye page speaks the browser's language (the form carries none).
    let lang = meta.lang(None);
    let pending: PendingLogout = app
        .cache
        .take_json(&format!("logout:{}", p.get("lr").unwrap_or("")))
        .await?
        .ok_or_else(|| PageError::page(lang, StatusCode::BAD_REQUEST, "error.tx_expired"))?;
    let sid = cookies::get(&headers, session::COOKIE);
    if let Some(row) = session::current(&app, sid.as_deref()).await? {
        logout::end_session(&app, &row).await?;
    }
    let mut res = match pending.redirect {
        Some(uri) => Redirect::to(&uri).into_response(),
        None => crate::web::login::logged_out_page(lang),
    };
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(session::COOKIE, "", Some(0), app.config.issuer_is_https()),
    );
    Ok(res)
}

/// Signs a logout token and POSTs it to the client's back-channel logout URI.
pub async fn deliver_backchannel(
    app: &crate::ctx::Ctx,
    job: &BackchannelLogout,
) -> Result<(), String> {
    let Some(client) = clients::find(&app.store, &job.client_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(()); // the client is gone: nobody to tell
    };
    let Some(uri) = &client.backchannel_logout_uri else {
        return Ok(());
    };
    let now = app.clock.now();
    let mut c = Map::new();
    c.insert("iss".into(), app.issuer().into());
    c.insert("aud".into(), client.id.clone().into());
    c.insert("iat".into(), now.into());
    c.insert("exp".into(), (now + 120).into());
    c.insert("jti".into(), crypto::random_token().into());
    c.insert(
        "sub".into(),
        crate::clients::subject::for_client(app, &client, &job.sub).into(),
    );
    c.insert("sid".into(), job.sid.clone().into());
    c.insert(
        "events".into(),
        json!({ "http://schemas.openid.net/event/backchannel-logout": {} }),
    );
    let token = app
        .keyring
        .sign(client.id_token_alg, "logout+jwt", c)
        .map_err(|e| e.to_string())?;
    // Through the outbound guard: the URI is the client's, so it may not reach internal addresses.
    app.outbound
        .post_form(uri, &[("logout_token", &token)])
        .await
        .map(drop)
        .map_err(|e| format!("POST {uri}: {e}"))
}

#[cfg(test)]
mod compat_tests {
    //! A logout waiting for the person's confirmation as this release writes it
    //! (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    /// Back to the portal's registered post-logout URI, with the portal's state.
    const BACK_TO_PORTAL: &str =
        r#"{"redirect":"https://lk.portal-mos.example.ru/vyhod?state=Zk4m9QeT1xWa"}"#;
    /// No portal named: the goodbye page.
    const GOODBYE: &str = r#"{"redirect":null}"#;

    #[test]
    fn a_pending_logout_reads_across_releases() {
        let p: PendingLogout = reads_across_releases(BACK_TO_PORTAL);
        assert_eq!(
            p.redirect.as_deref(),
            Some("https://lk.portal-mos.example.ru/vyhod?state=Zk4m9QeT1xWa")
        );
        let p: PendingLogout = reads_across_releases(GOODBYE);
        assert_eq!(p.redirect, None);
    }
}
