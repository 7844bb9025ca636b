//! The authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2). Until the client and its exact
//! redirect URI are known, errors are pages; after that they go back to the portal with `state` and
//! `iss` (RFC 9207). The pending request (login transaction) lives in the cache so any node can
//! continue it.

use super::OidcState;
use super::consent;
use super::pkce;
use crate::authn::login_tx::{self, AuthRequest, load_tx, save_tx};
use crate::authn::{self, session};
use crate::clients::{self, Client};
use crate::store::sessions::SessionRow;
use crate::web::cookies;
use crate::web::i18n::Lang;
use crate::web::meta::ClientMeta;
use crate::web::pages::{error_page, internal_error};
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
) -> Response {
    let p = Params::from_query(q.as_deref());
    handle(&app, &meta, &headers, p).await
}

/// OIDC Core §3.1.2.1: the endpoint must accept POST with a form body too.
pub async fn authorize_post(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
) -> Response {
    let Ok(p) = p else {
        return error_page(
            meta.lang(None),
            StatusCode::BAD_REQUEST,
            "error.bad_request",
        );
    };
    let lang = meta.lang(p.get("ui_locales"));
    for trusted in ["client_id", "redirect_uri"] {
        if p.pairs().iter().filter(|(k, _)| k == trusted).count() > 1 {
            return error_page(lang, StatusCode::BAD_REQUEST, "error.bad_request");
        }
    }
    let client = match p.get("client_id") {
        Some(id) => match clients::find(&app.store, id).await {
            Ok(Some(c)) => c,
            Ok(None) => return error_page(lang, StatusCode::BAD_REQUEST, "error.unknown_client"),
            Err(e) => return internal_error(lang, &e),
        },
        None => return error_page(lang, StatusCode::BAD_REQUEST, "error.unknown_client"),
    };
    let pushed = p
        .get("request_uri")
        .filter(|u| u.starts_with(par::URN_PREFIX));
    let p = match pushed {
        // RFC 9126 §4: only the pushed parameters count.
        Some(uri) => match par::take(app, &client.id, uri).await {
            Ok(Some(params)) => params,
            Ok(None) => return error_page(lang, StatusCode::BAD_REQUEST, "error.tx_expired"),
            Err(e) => return internal_error(lang, &e),
        },
        None if client.require_par => {
            return match p.get("redirect_uri").filter(|r| client.has_redirect_uri(r)) {
                Some(r) => error_redirect(
                    app,
                    r,
                    p.get("state"),
                    "invalid_request",
                    "this client must use pushed authorization requests",
                ),
                None => error_page(lang, StatusCode::BAD_REQUEST, "error.bad_request"),
            };
        }
        None => p,
    };
    if let Some(dup) = p.duplicated() {
        // Duplicates are refused before the request object is merged, so neither hides the other.
        return match p.get("redirect_uri").filter(|r| client.has_redirect_uri(r)) {
            Some(r) => error_redirect(
                app,
                r,
                p.get("state"),
                "invalid_request",
                &format!("parameter {dup} is given more than once"),
            ),
            None => error_page(lang, StatusCode::BAD_REQUEST, "error.bad_request"),
        };
    }
    let p = match request_object::expand(app, &client, &p).await {
        Ok(expanded) => expanded,
        Err((error, description)) => {
            return match p.get("redirect_uri").filter(|r| client.has_redirect_uri(r)) {
                Some(r) => error_redirect(app, r, p.get("state"), error, &description),
                None => error_page(lang, StatusCode::BAD_REQUEST, "error.bad_request"),
            };
        }
    };
    let Some(redirect_uri) = p.get("redirect_uri") else {
        return error_page(lang, StatusCode::BAD_REQUEST, "error.missing_redirect");
    };
    if !client.has_redirect_uri(redirect_uri) {
        tracing::info!(client = %client.id, "authorization request with unregistered redirect_uri");
        return error_page(lang, StatusCode::BAD_REQUEST, "error.bad_redirect");
    }
    // From here on the redirect URI is trusted: errors go back to the portal.
    let state = p.get("state");
    let fail = |error: &str, description: &str| {
        error_redirect(app, redirect_uri, state, error, description)
    };
    match parse_request(app, &p, &client, redirect_uri, lang) {
        Ok(req) => decide(app, meta, headers, req, None).await,
        Err((error, description)) => fail(error, &description),
    }
}

use super::par;
use super::request_object::{self, Refusal};

pub fn parse_request(
    app: &OidcState,
    p: &Params,
    client: &Client,
    redirect_uri: &str,
    lang: Lang,
) -> Result<AuthRequest, Refusal> {
    let invalid = |d: &str| ("invalid_request", d.to_string());
    if let Some(dup) = p.duplicated() {
        return Err(invalid(&format!("parameter {dup} is given more than once")));
    }
    match p.get("response_type") {
        None => return Err(invalid("response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err((
                "unsupported_response_type",
                "only response_type=code is supported".into(),
            ));
        }
    }
    if let Some(mode) = p.get("response_mode")
        && mode != "query"
    {
        return Err(invalid("only response_mode=query is supported"));
    }
    let scopes = super::claims::parse_scopes(p.get("scope").unwrap_or(""))
        .map_err(|s| ("invalid_scope", format!("unknown scope {s}")))?;
    if !scopes.iter().any(|s| s == "openid") {
        return Err(("invalid_scope", "scope must include openid".into()));
    }
    let code_challenge = match (p.get("code_challenge"), p.get("code_challenge_method")) {
        (None, None) if client.require_pkce => {
            return Err(invalid("code_challenge (PKCE, S256) is required"));
        }
        (None, None) => None,
        (None, Some(_)) => return Err(invalid("code_challenge_method without code_challenge")),
        (Some(_), None | Some("plain")) => {
            return Err(invalid(
                "code_challenge_method must be S256; plain is not allowed",
            ));
        }
        (Some(c), Some("S256")) if pkce::is_valid_challenge(c) => Some(c.to_string()),
        (Some(_), Some("S256")) => return Err(invalid("code_challenge is malformed")),
        (Some(_), Some(_)) => return Err(invalid("code_challenge_method must be S256")),
    };
    let prompt: Vec<String> = p
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if prompt
        .iter()
        .any(|v| !matches!(v.as_str(), "none" | "login" | "consent" | "select_account"))
    {
        return Err(invalid("unsupported prompt value"));
    }
    if prompt.iter().any(|v| v == "none") && prompt.len() > 1 {
        return Err(invalid("prompt=none cannot be combined with other values"));
    }
    let max_age = match p.get("max_age") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| invalid("max_age must be a non-negative integer"))?,
        ),
    };
    if let Some(d) = p.get("display")
        && !matches!(d, "page" | "popup" | "touch" | "wap")
    {
        return Err(invalid("display must be page, popup, touch or wap"));
    }
    let claims_request = match p.get("claims") {
        None => None,
        Some(raw) => match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(v @ serde_json::Value::Object(_)) => Some(v),
            _ => return Err(invalid("claims must be a JSON object")),
        },
    };
    // What the portal demands (its minimum, or the weakest acr value it accepts): a second factor
    // (substantial) or a qualified signature (high) is asked for during the login; decide()
    // refuses when the person has no way to reach it.
    let acr_values = requested_acrs(p.get("acr_values"), claims_request.as_ref());
    let required_acr = required_acr(&client.min_acr, &acr_values).to_string();
    let hint_sub = match p.get("id_token_hint") {
        None => None,
        Some(hint) => Some(
            super::id_token_hint::verify(app, hint, Some(&client.id))
                .and_then(|c| {
                    c.get("sub")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                })
                .ok_or_else(|| invalid("id_token_hint is not an ID token issued here"))?,
        ),
    };
    let too_long = ["state", "nonce", "login_hint"]
        .into_iter()
        .find(|k| p.get(k).is_some_and(|v| v.len() > 2048));
    if let Some(k) = too_long {
        return Err(invalid(&format!("{k} is too long")));
    }
    Ok(AuthRequest {
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        redirect_uri: redirect_uri.to_string(),
        scopes,
        state: p.get("state").map(str::to_owned),
        nonce: p.get("nonce").map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
        login_hint: p.get("login_hint").map(str::to_owned),
        lang,
        created_at: app.clock.now(),
        needs_fresh_login: false,
        claims: claims_request,
        acr_values,
        hint_sub,
        sector: client.pairwise_sector.clone(),
        min_level: client.min_level.clone(),
        required_acr,
    })
}

/// The weaker of the known acr values the request accepts, raised to the client's minimum;
/// values we do not know are ignored (OIDC Core §3.1.2.1: acr_values are voluntary).
fn required_acr<'a>(client_min: &'a str, acr_values: &'a [String]) -> &'a str {
    let accepted = acr_values
        .iter()
        .filter_map(|a| authn::acr_rank(a).map(|r| (r, a.as_str())))
        .min();
    let floor = authn::acr_rank(client_min).map(|r| (r, client_min));
    match (accepted, floor) {
        (Some(a), Some(f)) => a.max(f).1,
        (Some(a), None) => a.1,
        (None, Some(f)) => f.1,
        (None, None) => authn::ACR_LOW,
    }
}

/// acr values asked for by `acr_values` or by `claims.id_token.acr` (value or values).
fn requested_acrs(acr_values: Option<&str>, claims: Option<&serde_json::Value>) -> Vec<String> {
    let mut out: Vec<String> = acr_values
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(acr) = claims.and_then(|c| c.pointer("/id_token/acr")) {
        if let Some(v) = acr.get("value").and_then(serde_json::Value::as_str) {
            out.push(v.to_string());
        }
        if let Some(list) = acr.get("values").and_then(serde_json::Value::as_array) {
            out.extend(
                list.iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(str::to_owned),
            );
        }
    }
    out
}

pub(super) fn has_prompt(req: &AuthRequest, v: &str) -> bool {
    req.prompt.iter().any(|p| p == v)
}

/// Login, consent or code: the decision after parsing, and again after each step.
async fn decide(
    app: &OidcState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    mut req: AuthRequest,
    tx: Option<String>,
) -> Response {
    let lang = req.lang;
    let sid = cookies::get(headers, session::COOKIE);
    let session = match session::current(app, sid.as_deref()).await {
        Ok(s) => s,
        Err(e) => return internal_error(lang, &e),
    };
    let now = app.clock.now();
    let forced_login = tx.is_none() && has_prompt(&req, "login");
    if forced_login {
        req.needs_fresh_login = true;
    }
    let usable = session.filter(|s| {
        let fresh = super::freshness::satisfied(&req, s.auth_time, now, tx.is_some());
        // id_token_hint names someone else: this session will not do (until they log in here).
        let hint_ok = tx.is_some()
            || req.hint_sub.as_deref().is_none_or(|h| {
                h == super::subject::for_sector(app, req.sector.as_deref(), &s.account_id)
            });
        fresh && hint_ok && !forced_login
    });
    let Some(session) = usable else {
        if has_prompt(&req, "none") {
            return error_redirect(
                app,
                &req.redirect_uri,
                req.state.as_deref(),
                "login_required",
                "the person is not signed in",
            );
        }
        if req.max_age.is_some() {
            req.needs_fresh_login = true;
        }
        let tx = match tx {
            Some(t) => t,
            None => match save_tx(app, &req).await {
                Ok(t) => t,
                Err(e) => return internal_error(lang, &e),
            },
        };
        return Redirect::to(&format!("/login?tx={tx}")).into_response();
    };
    let _ = meta;
    if authn::acr_rank(&session.acr) < authn::acr_rank(&req.required_acr) {
        return super::step_up::step_up(app, meta, req, tx, &session).await;
    }
    if let Some(min) = clients::LEVELS
        .iter()
        .position(|l| *l == req.min_level)
        .filter(|m| *m > 0)
    {
        let level = match app.store.account(&session.account_id).await {
            Ok(Some(a)) => a.level,
            Ok(None) => String::new(),
            Err(e) => return internal_error(lang, &e),
        };
        if clients::LEVELS
            .iter()
            .position(|l| *l == level)
            .is_none_or(|have| have < min)
        {
            // The person is told how to reach the level; the portal gets access_denied when
            // they go back to it.
            return match error_url(
                app,
                &req.redirect_uri,
                req.state.as_deref(),
                "access_denied",
                &format!("this portal requires a {} account", req.min_level),
            ) {
                Ok(back) => crate::web::identity::level_required_page(
                    req.lang,
                    &req.client_name,
                    &req.min_level,
                    &back,
                ),
                Err(e) => internal_error(lang, &e),
            };
        }
    }
    let needs_consent = match consent::is_needed(app, &session.account_id, &req).await {
        Ok(n) => n,
        Err(e) => return internal_error(lang, &e),
    };
    if needs_consent {
        if has_prompt(&req, "none") {
            return error_redirect(
                app,
                &req.redirect_uri,
                req.state.as_deref(),
                "consent_required",
                "the person has not consented",
            );
        }
        let tx = match tx {
            Some(t) => t,
            None => match save_tx(app, &req).await {
                Ok(t) => t,
                Err(e) => return internal_error(lang, &e),
            },
        };
        return consent::page(app, headers, &req, &tx);
    }
    if let Some(t) = tx
        && let Err(e) = login_tx::delete_tx(app, &t).await
    {
        return internal_error(lang, &e);
    }
    issue_code(app, &req, &session).await
}

/// GET /authorize/continue?tx=…: back from the login page.
pub async fn resume(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(None);
    let Some(tx) = p.get("tx") else {
        return error_page(lang, StatusCode::BAD_REQUEST, "error.tx_expired");
    };
    match load_tx(&app, tx).await {
        Ok(Some(req)) => decide(&app, &meta, &headers, req, Some(tx.to_string())).await,
        Ok(None) => error_page(lang, StatusCode::BAD_REQUEST, "error.tx_expired"),
        Err(e) => internal_error(lang, &e),
    }
}

/// Issues the authorization code and sends the browser back to the portal.
pub async fn issue_code(app: &OidcState, req: &AuthRequest, session: &SessionRow) -> Response {
    let code = match login_tx::store_code(app, req, session).await {
        Ok(code) => code,
        Err(e) => return internal_error(req.lang, &e),
    };
    let mut url = match url::Url::parse(&req.redirect_uri) {
        Ok(u) => u,
        Err(e) => return internal_error(req.lang, &e),
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = &req.state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", app.issuer());
    }
    tracing::info!(client = %req.client_id, account = %session.account_id, acr = %session.acr, "authorization code issued");
    Redirect::to(url.as_str()).into_response()
}
