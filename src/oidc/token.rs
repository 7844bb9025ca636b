//! The token endpoint: authorization_code (with PKCE) and refresh_token grants.
//! RFC 6749 §5.2 errors; RFC 9700: code reuse revokes what the first redemption produced, refresh
//! token reuse (after a short grace for racing tabs) revokes the whole grant.

use super::OidcState;
use super::dpop;
use super::error::OAuthError;
use super::pkce;
use super::tokens::{self, IssueRequest, TokenResponse};
use crate::authn::login_tx::{CodeData, code_key, code_used_key};
use crate::clients::Client;
use crate::crypto;
use crate::store::grants::NewGrant;
use crate::web::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn token(State(app): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    match handle(&app, &headers, &body).await {
        Ok(issued) => {
            let bound = issued.token_type == "DPoP";
            let mut res = (StatusCode::OK, Json(issued)).into_response();
            let h = res.headers_mut();
            if bound && let Ok(n) = HeaderValue::from_str(&dpop::current_nonce(&app)) {
                h.insert("dpop-nonce", n);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn handle(
    app: &OidcState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenResponse, OAuthError> {
    let p =
        Params::from_form(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    if let Some(dup) = p.duplicated() {
        return Err(OAuthError::invalid_request(format!(
            "parameter {dup} is given more than once"
        )));
    }
    let client = super::client_auth::authenticate(app, headers, &p).await?;
    crate::metrics::note_client(client.id.as_str());
    let jkt = proof_key(app, headers, "token").await?;
    if client.require_dpop && jkt.is_none() {
        return Err(OAuthError::invalid_request(
            "this client must send a DPoP proof",
        ));
    }
    let jkt = jkt.as_deref();
    let grant_type = p
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    if !matches!(
        grant_type,
        "authorization_code"
            | "refresh_token"
            | "client_credentials"
            | crate::clients::DEVICE_CODE_GRANT
            | crate::clients::CIBA_GRANT
    ) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type is not supported",
        ));
    }
    if !client.allows_grant(grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "this client may not use this grant type",
        ));
    }
    let issued = match grant_type {
        "authorization_code" => redeem_code(app, &client, &p, jkt).await,
        "client_credentials" => client_credentials(app, &client, &p, jkt),
        crate::clients::DEVICE_CODE_GRANT => {
            super::backchannel_token::redeem_device_code(app, &client, &p, jkt).await
        }
        crate::clients::CIBA_GRANT => {
            super::backchannel_token::redeem_auth_req_id(app, &client, &p, jkt).await
        }
        _ => refresh(app, &client, &p, jkt).await,
    };
    crate::metrics::tokens_issued("oidc", grant_type, client.id.as_str(), issued.is_ok());
    issued
}

/// The DPoP proof of a request to `{issuer}/{endpoint}`, if any, as its key thumbprint.
pub async fn proof_key(
    app: &OidcState,
    headers: &HeaderMap,
    endpoint: &str,
) -> Result<Option<String>, OAuthError> {
    let mut proofs = headers.get_all("dpop").iter();
    let (Some(proof), None) = (proofs.next(), proofs.next()) else {
        return if headers.contains_key("dpop") {
            Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_dpop_proof",
                "exactly one DPoP proof is allowed",
            ))
        } else {
            Ok(None)
        };
    };
    let proof = proof.to_str().map_err(|_| {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_dpop_proof",
            "malformed DPoP header",
        )
    })?;
    let url = format!("{}/{endpoint}", app.issuer());
    match dpop::verify(app, proof, "POST", &url, None).await {
        Ok(p) => Ok(Some(p.jkt)),
        Err(dpop::DpopError::UseNonce) => {
            let mut e = OAuthError::new(
                StatusCode::BAD_REQUEST,
                "use_dpop_nonce",
                "use the DPoP nonce in DPoP-Nonce",
            );
            e.dpop_nonce = Some(dpop::current_nonce(app));
            Err(e)
        }
        Err(e) => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_dpop_proof",
            e.to_string(),
        )),
    }
}

async fn redeem_code(
    app: &OidcState,
    client: &Client,
    p: &Params,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let code = p
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let redirect_uri = p
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is required"))?;
    if code.len() > 128 {
        return Err(OAuthError::invalid_grant(
            "authorization code is invalid, expired or already used",
        ));
    }
    let Some(data) = app.cache.take_json::<CodeData>(&code_key(code)).await? else {
        // RFC 6749 §4.1.2: a second redemption should revoke what the first one produced.
        if let Some(grant_id) = app.cache.get(&code_used_key(code)).await? {
            app.store
                .revoke_grant(&grant_id, "authorization code reused")
                .await?;
            tracing::warn!(client = %client.id, "authorization code reused; grant revoked");
        }
        return Err(OAuthError::invalid_grant(
            "authorization code is invalid, expired or already used",
        ));
    };
    if data.client_id != client.id {
        return Err(OAuthError::invalid_grant(
            "authorization code was issued to another client",
        ));
    }
    if data.expires_at <= app.clock.now() {
        return Err(OAuthError::invalid_grant(
            "authorization code is invalid, expired or already used",
        ));
    }
    if data.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    match (&data.code_challenge, p.get("code_verifier")) {
        (Some(challenge), Some(verifier)) => {
            if !pkce::verify_s256(verifier, challenge) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ));
            }
        }
        (Some(_), None) => return Err(OAuthError::invalid_grant("code_verifier is required")),
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "code_verifier given but no code_challenge was sent",
            ));
        }
        (None, None) => {}
    }
    // Prepared, stored with its first refresh token by tokens::issue (one transaction).
    let grant = app.store.prepare_grant(
        NewGrant {
            account_id: &data.account_id,
            client_id: &client.id,
            scopes: &data.scopes.join(" "),
            acr: &data.acr,
            amr: &serde_json::to_string(&data.amr).expect("strings serialise"),
            auth_time: data.auth_time,
            claims: data.claims.as_ref().map(|c| c.to_string()),
            sid: data.sid.as_deref(),
            dpop_jkt: jkt,
        },
        data.org_oid,
    );
    app.cache.put(&code_used_key(code), &grant.id, 600).await?;
    // Checked after the grant exists, so a logout racing this exchange revokes it or is seen here.
    if let Some(sid) = &data.sid
        && app
            .cache
            .get(&crate::authn::logout::ended_sid_key(sid))
            .await?
            .is_some()
    {
        // The prepared grant is never stored.
        return Err(OAuthError::invalid_grant(
            "the session this code was issued in has ended",
        ));
    }
    tokens::issue(
        app,
        IssueRequest {
            client,
            grant: &grant,
            nonce: data.nonce.as_deref(),
            parent_refresh: None,
            dpop_jkt: jkt,
            new_grant: true,
        },
    )
    .await
}

/// RFC 6749 §4.4: scopes from the client's allowance; none requested means all of them.
fn client_credentials(
    app: &OidcState,
    client: &Client,
    p: &Params,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let scopes: Vec<String> = match p.get("scope") {
        None => client.allowed_scopes.clone(),
        Some(raw) => {
            let asked: Vec<String> = raw
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(bad) = asked.iter().find(|s| !client.allowed_scopes.contains(s)) {
                return Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    format!("scope {bad} is not allowed for this client"),
                ));
            }
            asked
        }
    };
    tokens::issue_for_client(app, client, &scopes, jkt)
}

async fn refresh(
    app: &OidcState,
    client: &Client,
    p: &Params,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let presented = p
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let invalid = || OAuthError::invalid_grant("refresh token is invalid, expired or revoked");
    let hash = crypto::hash_secret("refresh", presented);
    // RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key. Checked before the
    // token is used up, so a thief without the key cannot burn it.
    if client.is_public
        && let Some(row) = app.store.refresh_token(&hash).await?
        && let Some(grant) = app.store.grant(&row.grant_id).await?
        && let Some(bound) = grant.dpop_jkt.as_deref()
        && jkt != Some(bound)
    {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_dpop_proof",
            "the refresh token is bound to another DPoP key",
        ));
    }
    let row = match app.store.take_refresh_token(&hash).await? {
        Ok(row) => row,
        Err(Some(used)) => {
            let grace = app.config.tokens.refresh_reuse_grace;
            let used_at = used.used_at.unwrap_or(0);
            if app.clock.now() - used_at > grace {
                app.store
                    .revoke_grant(&used.grant_id, "refresh token reused")
                    .await?;
                tracing::warn!(client = %client.id, "rotated refresh token reused; grant revoked");
            }
            return Err(invalid());
        }
        Err(None) => return Err(invalid()),
    };
    let grant = app.store.grant(&row.grant_id).await?.ok_or_else(invalid)?;
    if grant.client_id != client.id {
        // A token presented by the wrong client is a leak: the grant cannot be trusted any more.
        app.store
            .revoke_grant(&grant.id, "refresh token presented by another client")
            .await?;
        return Err(invalid());
    }
    if grant.revoked_at.is_some() || row.expires_at <= app.clock.now() {
        return Err(invalid());
    }
    if let Some(scope) = p.get("scope") {
        let granted: Vec<&str> = grant.scopes.split(' ').collect();
        if !scope.split(' ').all(|s| granted.contains(&s)) {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "scope exceeds the original grant",
            ));
        }
    }
    tokens::issue(
        app,
        IssueRequest {
            client,
            grant: &grant,
            nonce: None,
            parent_refresh: Some(&hash),
            dpop_jkt: jkt,
            new_grant: false,
        },
    )
    .await
}
