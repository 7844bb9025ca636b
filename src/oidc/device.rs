//! `POST /device_authorization` (RFC 8628 §3.1–3.2): a kiosk or TV-style device asks for a
//! device_code to poll with and a short user_code the person types at `/device` on their phone or
//! computer. The client authenticates as at the token endpoint; a public client may ask when it is
//! registered for the grant.

use super::OidcState;
use super::claims::SCOPES;
use super::error::OAuthError;
use crate::authn::backchannel::{self, Decision, Kind, PendingGrant};
use crate::authn::org_choice::OrgRequest;
use crate::clients::{Client, DEVICE_CODE_GRANT};
use crate::store::audit::AuditEntry;
use crate::web::meta::ClientMeta;
use crate::web::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub async fn device_authorization(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&app, &meta, &headers, &body).await {
        Ok(v) => {
            let mut res = (StatusCode::OK, Json(v)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => e.into_response(),
    }
}

/// The scopes asked for: known ones only; none asked means `openid`. `organization:ogrn=…`
/// becomes `organization`, and with the client's `require_org` what the portal asks about
/// organisations (the approval page's choice step).
pub(super) fn scopes(
    client: &Client,
    raw: Option<&str>,
) -> Result<(Vec<String>, OrgRequest), OAuthError> {
    let asked: Vec<String> = raw
        .unwrap_or("openid")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let (asked, ogrns) = super::authorize_request::org_scopes(asked);
    if let Some(bad) = asked.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            format!("scope {bad} is not supported"),
        ));
    }
    let org = super::authorize_request::backchannel_org_request(client, &asked, ogrns);
    Ok((asked, org))
}

pub(super) fn unauthorized_client() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        "this client may not use this grant type",
    )
}

async fn handle(
    app: &OidcState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, OAuthError> {
    let p =
        Params::from_form(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    if let Some(dup) = p.duplicated() {
        return Err(OAuthError::invalid_request(format!(
            "parameter {dup} is given more than once"
        )));
    }
    let client =
        super::client_auth::authenticate_at(app, headers, &p, "device_authorization").await?;
    if !client.allows_grant(DEVICE_CODE_GRANT) {
        return Err(unauthorized_client());
    }
    super::public_quota::admit(app, &client, &meta.ip, "device_authorization").await?;
    let (scopes, org) = scopes(&client, p.get("scope"))?;
    let acr_values = super::authorize_request::requested_acrs(p.get("acr_values"), None);
    let required_acr =
        super::authorize_request::required_acr(&client.min_acr, &acr_values).to_string();
    let cfg = &app.config.backchannel;
    let now = app.clock.now();
    let grant = PendingGrant {
        kind: Kind::Device,
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        scopes: scopes.clone(),
        required_acr,
        min_level: client.min_level.clone(),
        expires_at: now + cfg.device_code_ttl,
        interval: cfg.interval,
        decision: Decision::Pending,
        account_id: None,
        binding_message: None,
        ping: None,
        lang: crate::lang::Lang::Ru,
        org,
    };
    let device_code = backchannel::create(app, &grant).await?;
    let hash = backchannel::code_hash(&device_code);
    let mut user_code = None;
    for _ in 0..5 {
        let candidate = backchannel::new_user_code();
        if backchannel::bind_user_code(app, &candidate, &hash, cfg.device_code_ttl).await? {
            user_code = Some(candidate);
            break;
        }
    }
    let user_code =
        user_code.ok_or_else(|| OAuthError::server_error(&"no free user code after five tries"))?;
    app.store
        .append_audit(AuditEntry {
            actor: &client.id,
            action: "device.authorization",
            target: &client.id,
            request_id: &crate::request_id::current(),
            details: json!({ "scope": scopes.join(" ") }),
        })
        .await?;
    let shown = backchannel::display_user_code(&user_code);
    let iss = app.issuer();
    Ok(json!({
        "device_code": device_code,
        "user_code": shown,
        "verification_uri": format!("{iss}/device"),
        "verification_uri_complete": format!("{iss}/device?user_code={shown}"),
        "expires_in": cfg.device_code_ttl,
        "interval": cfg.interval,
    }))
}
