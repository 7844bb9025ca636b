//! `GET /aas/oauth2/v2/ac`: ESIA's authorization endpoint. The request is checked as ESIA checks
//! it (client_secret = GOST signature over client_id + scope + scope_org + timestamp + state +
//! redirect_uri, the certificate named by client_certificate_hash, the timestamp within the
//! tolerance), then becomes a pending request of the one domain ([`AuthRequest`] with
//! [`Protocol::Esia`]): the same login pages, second factor, level and step-up decision and
//! consent page as OpenID Connect; only the answer (code and redirect) is ESIA's (see `flow`).

use super::errors::EsiaError;
use super::secret::{self, Version};
use super::{flow, scopes, timestamp};
use crate::authn::login_tx::{AuthRequest, Protocol};
use crate::clients::esia::{self as esia_clients, EsiaClient};
use crate::ctx::Ctx;
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::params::Params;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// What a valid v2/ac request asks for.
struct Checked {
    scopes: Vec<String>,
    state: String,
    offline: bool,
    code_challenge: Option<String>,
}

pub async fn authorize(
    State(ctx): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    handle(&ctx, &meta, &headers, q.as_deref(), Version::V2).await
}

/// `GET /aas/oauth2/ac`: the old protocol, for clients registered as legacy (client_secret =
/// detached CMS over scope + timestamp + client_id + state).
pub async fn authorize_legacy(
    State(ctx): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    handle(&ctx, &meta, &headers, q.as_deref(), Version::Legacy).await
}

async fn handle(
    ctx: &Ctx,
    meta: &ClientMeta,
    headers: &HeaderMap,
    q: Option<&str>,
    version: Version,
) -> Result<Response, PageError> {
    let lang = meta.lang(None);
    let p =
        Params::from_query(q).map_err(|_| EsiaError::BadParameter("query".into()).page(lang))?;
    let lang = meta.lang(p.get("lang"));
    // Until the client and its redirect_uri are known, errors are pages.
    for trusted in ["client_id", "redirect_uri"] {
        if p.pairs().iter().filter(|(k, _)| k == trusted).count() > 1 {
            return Err(EsiaError::BadParameter(trusted.into()).page(lang));
        }
    }
    let client_id = p
        .get("client_id")
        .ok_or_else(|| EsiaError::Missing("client_id").page(lang))?;
    let client = find_client(ctx, client_id)
        .await?
        .map_err(|e| e.page(lang))?;
    let redirect_uri = p
        .get("redirect_uri")
        .ok_or_else(|| EsiaError::Missing("redirect_uri").page(lang))?;
    if !client.client.has_redirect_uri(redirect_uri) {
        tracing::info!(client = %client.client.id, "ESIA request with an unregistered redirect_uri");
        return Err(EsiaError::RedirectUri.page(lang));
    }
    // From here on errors go back to the portal.
    let state = p.get("state");
    let checked = match check(ctx, &client, &p, redirect_uri, version) {
        Ok(c) => c,
        Err(e) => {
            tracing::info!(client = %client.client.id, code = e.code(), "ESIA authorization request refused");
            return Ok(e.redirect(redirect_uri, state));
        }
    };
    let req = AuthRequest {
        client_id: client.client.id.clone(),
        client_name: client.client.name.clone(),
        redirect_uri: redirect_uri.to_string(),
        scopes: checked.scopes,
        state: Some(checked.state),
        nonce: None,
        code_challenge: checked.code_challenge,
        prompt: vec![],
        max_age: None,
        login_hint: None,
        lang,
        created_at: ctx.clock.now(),
        needs_fresh_login: false,
        claims: None,
        acr_values: vec![],
        hint_sub: None,
        sector: None,
        min_level: client.client.min_level.clone(),
        required_acr: client.client.min_acr.clone(),
        protocol: Protocol::Esia {
            offline: checked.offline,
        },
        org: Default::default(),
    };
    flow::decide(ctx, meta, headers, req, None).await
}

/// The ESIA client `id`; an OpenID client is told it may not use this method.
pub(super) async fn find_client(
    ctx: &Ctx,
    id: &str,
) -> Result<Result<EsiaClient, EsiaError>, crate::store::StoreError> {
    if let Some(c) = esia_clients::find(&ctx.store, id).await? {
        return Ok(Ok(c));
    }
    Ok(Err(match crate::clients::find(&ctx.store, id).await? {
        Some(_) => EsiaError::MethodNotAllowed,
        None => EsiaError::BadParameter("client_id".into()),
    }))
}

/// The timestamp in ESIA's form, within the configured tolerance of now.
pub(super) fn check_timestamp(ctx: &Ctx, ts: &str) -> Result<(), EsiaError> {
    let at = timestamp::parse(ts).ok_or_else(|| EsiaError::BadParameter("timestamp".into()))?;
    if (ctx.clock.now() - at).abs() > ctx.config.esia.timestamp_tolerance {
        return Err(EsiaError::Timestamp);
    }
    Ok(())
}

/// A state as ESIA wants it: a UUID (any case, with hyphens).
pub(super) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Person scopes of an authorization request: known (007006) and allowed to the client (007019).
pub(super) fn check_person_scopes(
    client: &EsiaClient,
    scope: &str,
) -> Result<Vec<String>, EsiaError> {
    let names = scopes::parse(scope);
    if names.is_empty() {
        return Err(EsiaError::NoScope);
    }
    if let Some(unknown) = names.iter().find(|s| !scopes::is_person_scope(s)) {
        return Err(EsiaError::UnknownScope(unknown.clone()));
    }
    let allowed = &client.client.allowed_scopes;
    if !allowed.is_empty()
        && let Some(denied) = names
            .iter()
            .find(|s| *s != "openid" && !allowed.contains(s))
    {
        return Err(EsiaError::NoPermission(denied.clone()));
    }
    Ok(names)
}

fn check(
    ctx: &Ctx,
    client: &EsiaClient,
    p: &Params,
    redirect_uri: &str,
    version: Version,
) -> Result<Checked, EsiaError> {
    if version == Version::Legacy && !client.legacy {
        return Err(EsiaError::MethodNotAllowed);
    }
    if let Some(dup) = p.duplicated() {
        return Err(EsiaError::BadParameter(dup.to_string()));
    }
    for name in ["client_secret", "response_type", "state", "timestamp"] {
        if p.get(name).is_none_or(str::is_empty) {
            return Err(EsiaError::Missing(name));
        }
    }
    // Present but empty is "no scope" (007013); absent is a missing parameter (007014).
    if !p.has("scope") {
        return Err(EsiaError::Missing("scope"));
    }
    let scope = p.get("scope").unwrap_or_default();
    let get = |n: &str| p.get(n).unwrap_or_default();
    if get("response_type") != "code" {
        return Err(EsiaError::BadParameter("response_type".into()));
    }
    let state = get("state");
    if !is_uuid(state) {
        return Err(EsiaError::BadParameter("state".into()));
    }
    let offline = match p.get("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(_) => return Err(EsiaError::BadParameter("access_type".into())),
    };
    let code_challenge = match (p.get("code_challenge"), p.get("code_challenge_method")) {
        (None, _) if client.client.require_pkce => return Err(EsiaError::PkceMissing),
        (None, _) => None,
        (Some(c), None | Some("S256"))
            if (43..=128).contains(&c.len())
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) =>
        {
            Some(c.to_string())
        }
        (Some(_), Some("S256") | None) => {
            return Err(EsiaError::BadParameter("code_challenge".into()));
        }
        (Some(_), Some(_)) => {
            return Err(EsiaError::BadParameter("code_challenge_method".into()));
        }
    };
    let scopes = check_person_scopes(client, scope)?;
    check_timestamp(ctx, get("timestamp"))?;
    let ts = get("timestamp");
    match version {
        Version::V2 => {
            let certs = secret::candidates(client, p.get("client_certificate_hash"))?;
            let scope_org = get("scope_org");
            let signed = format!(
                "{}{scope}{scope_org}{ts}{state}{redirect_uri}",
                client.client.id
            );
            secret::check(&certs, &[signed], get("client_secret"))?;
        }
        Version::Legacy => {
            let signed = format!("{scope}{ts}{}{state}", client.client.id);
            secret::check_legacy(client, &signed, get("client_secret"))?;
        }
    }
    Ok(Checked {
        scopes,
        state: state.to_string(),
        offline,
        code_challenge,
    })
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn state_must_be_a_uuid() {
        assert!(is_uuid("8f7a4c2e-1b3d-4e5f-9a0b-1c2d3e4f5a6b"));
        assert!(is_uuid("8F7A4C2E-1B3D-4E5F-9A0B-1C2D3E4F5A6B"));
        assert!(!is_uuid("8f7a4c2e1b3d4e5f9a0b1c2d3e4f5a6b"));
        assert!(!is_uuid("8f7a4c2e-1b3d-4e5f-9a0b-1c2d3e4f5a6g"));
    }
}
