//! The authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2). Until the client and its exact
//! redirect URI are known, errors are pages; after that they go back to the portal with `state` and
//! `iss` (RFC 9207). The pending request (login transaction) lives in the cache so any node can
//! continue it.

use super::OidcState;
use super::authorize_request::parse_request;
use super::consent;
use super::par;
use super::request_object;
use crate::authn::authorization::has_prompt;
use crate::authn::continuation::{self, Interaction, Next, Page};
use crate::authn::login_tx::{self, AuthRequest, load_tx};
use crate::authn::org_choice;
use crate::store::sessions::SessionRow;
use crate::web::i18n::Lang;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::pages::internal_error;
use crate::web::params::Params;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn authorize_get(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref());
    handle(&app, &meta, &headers, p).await
}

/// OIDC Core §3.1.2.1: the endpoint must accept POST with a form body too.
pub async fn authorize_post(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = Params::from_form(&headers, &body);
    handle(&app, &meta, &headers, p).await
}

/// Error redirect to a trusted redirect URI, carrying state and iss.
pub fn error_redirect(
    app: &OidcState,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    match error_url(app, redirect_uri, state, error, description) {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => internal_error(Lang::Ru, &e),
    }
}

/// The redirect URI with an authorization error response (RFC 6749 §4.1.2.1, RFC 9207 `iss`).
pub fn error_url(
    app: &OidcState,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Result<String, url::ParseError> {
    let mut url = url::Url::parse(redirect_uri)?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", error);
        q.append_pair("error_description", description);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", app.issuer());
    }
    Ok(url.to_string())
}

async fn handle(
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
    let refused = |key| PageError::page(lang, StatusCode::BAD_REQUEST, key);
    for trusted in ["client_id", "redirect_uri"] {
        if p.pairs().iter().filter(|(k, _)| k == trusted).count() > 1 {
            return Err(refused("error.bad_request"));
        }
    }
    let client = match p.get("client_id") {
        // Through this node's client cache, as the token endpoint: a change made here is seen
        // at once, one made elsewhere within `clients::CACHE_SECS`.
        Some(id) => app
            .clients
            .find(&app.store, id)
            .await?
            .ok_or_else(|| refused("error.unknown_client"))?,
        None => return Err(refused("error.unknown_client")),
    };
    let pushed = p
        .get("request_uri")
        .filter(|u| u.starts_with(par::URN_PREFIX));
    let p = match pushed {
        // RFC 9126 §4: only the pushed parameters count.
        Some(uri) => par::take(app, &client.id, uri)
            .await?
            .ok_or_else(|| refused("error.tx_expired"))?,
        None if client.require_par => {
            return match p.get("redirect_uri").filter(|r| client.has_redirect_uri(r)) {
                Some(r) => Ok(error_redirect(
                    app,
                    r,
                    p.get("state"),
                    "invalid_request",
                    "this client must use pushed authorization requests",
                )),
                None => Err(refused("error.bad_request")),
            };
        }
        None => p,
    };
    if let Some(dup) = p.duplicated() {
        // Duplicates are refused before the request object is merged, so neither hides the other.
        return match p.get("redirect_uri").filter(|r| client.has_redirect_uri(r)) {
            Some(r) => Ok(error_redirect(
                app,
                r,
                p.get("state"),
                "invalid_request",
                &format!("parameter {dup} is given more than once"),
            )),
            None => Err(refused("error.bad_request")),
        };
    }
    let p = match request_object::expand(app, &client, &p).await {
        Ok(expanded) => expanded,
        Err((error, description)) => {
            return match p.get("redirect_uri").filter(|r| client.has_redirect_uri(r)) {
                Some(r) => Ok(error_redirect(app, r, p.get("state"), error, &description)),
                None => Err(refused("error.bad_request")),
            };
        }
    };
    let Some(redirect_uri) = p.get("redirect_uri") else {
        return Err(refused("error.missing_redirect"));
    };
    if !client.has_redirect_uri(redirect_uri) {
        tracing::info!(client = %client.id, "authorization request with unregistered redirect_uri");
        return Err(refused("error.bad_redirect"));
    }
    // From here on the redirect URI is trusted: errors go back to the portal.
    let state = p.get("state");
    let fail = |error: &str, description: &str| {
        error_redirect(app, redirect_uri, state, error, description)
    };
    match parse_request(app, &p, &client, redirect_uri, lang) {
        Ok(req) => decide(app, meta, headers, req, None).await,
        Err((error, description)) => Ok(fail(error, &description)),
    }
}

/// Login, consent or code: the continuation after parsing, and again after each step, answered
/// in OpenID (`prompt=none` forbids every page: an error goes back to the portal instead).
async fn decide(
    app: &OidcState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    mut req: AuthRequest,
    tx: Option<String>,
) -> Result<Response, PageError> {
    let lang = req.lang;
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(lang);
    let session = crate::web::visitor::session(app, headers)
        .await
        .map_err(|e| internal(&e))?;
    let silent = has_prompt(&req, "none");
    let interaction = if silent {
        Interaction::Forbidden
    } else {
        Interaction::Allowed
    };
    let next = continuation::next(
        app,
        &mut req,
        session,
        tx.as_deref(),
        interaction,
        async |req, session| consent::is_needed(app, &session.account_id, req).await,
    )
    .await
    .map_err(|e| internal(&e))?;
    let fail = |error: &str, description: &str| {
        error_redirect(
            app,
            &req.redirect_uri,
            req.state.as_deref(),
            error,
            description,
        )
    };
    let no_org = "the person has no organisation this portal accepts";
    match next {
        Next::LoginRequired => Ok(fail("login_required", "the person is not signed in")),
        Next::Login { tx } => Ok(Redirect::to(&format!("/login?tx={tx}")).into_response()),
        Next::StepUp { session } => super::step_up::step_up(app, meta, req, tx, &session).await,
        Next::LevelTooLow => {
            // The person is told how to reach the level; the portal gets access_denied when
            // they go back to it.
            let back = error_url(
                app,
                &req.redirect_uri,
                req.state.as_deref(),
                "access_denied",
                &format!("this portal requires a {} account", req.min_level),
            )
            .map_err(|e| internal(&e))?;
            Ok(crate::web::identity::level_required_page(
                req.lang,
                &req.client_name,
                &req.min_level,
                &back,
            ))
        }
        Next::InteractionRequired(Page::OrganisationChoice) => Ok(fail(
            "interaction_required",
            "the person must choose an organisation",
        )),
        Next::ChooseOrganisation { tx } => {
            Ok(Redirect::to(&org_choice::page_url(&tx)).into_response())
        }
        Next::NoOrganisation if silent => Ok(fail("access_denied", no_org)),
        Next::NoOrganisation => {
            let back = error_url(
                app,
                &req.redirect_uri,
                req.state.as_deref(),
                "access_denied",
                no_org,
            )
            .map_err(|e| internal(&e))?;
            Ok(crate::web::org_choice::no_organisation_page(
                req.lang,
                &req.client_name,
                &back,
            ))
        }
        Next::InteractionRequired(Page::Consent) => {
            Ok(fail("consent_required", "the person has not consented"))
        }
        Next::Consent { tx, session, .. } => {
            consent::page(app, headers, &req, &tx, &session.account_id)
                .await
                .map_err(|e| internal(&e))
        }
        Next::Code { session, .. } => issue_code(app, &req, &session).await,
    }
}

/// GET /authorize/continue?tx=…: back from the login page.
pub async fn resume(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let expired = || PageError::page(meta.lang(None), StatusCode::BAD_REQUEST, "error.tx_expired");
    let tx = p.get("tx").ok_or_else(expired)?;
    let req = load_tx(&app, tx).await?.ok_or_else(expired)?;
    if req.protocol != login_tx::Protocol::Oidc {
        // The login pages come back here; another protocol's request continues at its surface.
        return Ok(Redirect::to(&req.protocol.continue_url(tx)).into_response());
    }
    decide(&app, &meta, &headers, req, Some(tx.to_string())).await
}

/// Issues the authorization code and sends the browser back to the portal.
pub async fn issue_code(
    app: &OidcState,
    req: &AuthRequest,
    session: &SessionRow,
) -> Result<Response, PageError> {
    let internal = |e: &dyn std::fmt::Display| PageError::internal(&e).in_lang(req.lang);
    let code = login_tx::store_code(app, req, session)
        .await
        .map_err(|e| internal(&e))?;
    let mut url = url::Url::parse(&req.redirect_uri).map_err(|e| internal(&e))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = &req.state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", app.issuer());
    }
    tracing::info!(client = %req.client_id, account = %session.account_id, acr = %session.acr, "authorization code issued");
    Ok(Redirect::to(url.as_str()).into_response())
}
