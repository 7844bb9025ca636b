//! The token endpoint's side of the device grant (RFC 8628 §3.4–3.5) and CIBA (Core §10.1, §11):
//! one poll, answered with tokens, or exactly the errors the specifications name.

use super::OidcState;
use super::error::OAuthError;
use super::tokens::{self, IssueRequest, TokenResponse};
use crate::authn::backchannel::{self, Kind, PollOutcome};
use crate::clients::Client;
use crate::store::grants::NewGrant;
use crate::web::params::Params;
use axum::http::StatusCode;

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code` with `device_code`.
pub async fn redeem_device_code(
    app: &OidcState,
    client: &Client,
    p: &Params,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let code = p
        .get("device_code")
        .ok_or_else(|| OAuthError::invalid_request("device_code is required"))?;
    redeem(app, Kind::Device, client, code, jkt).await
}

/// `grant_type=urn:openid:params:grant-type:ciba` with `auth_req_id`.
pub async fn redeem_auth_req_id(
    app: &OidcState,
    client: &Client,
    p: &Params,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let id = p
        .get("auth_req_id")
        .ok_or_else(|| OAuthError::invalid_request("auth_req_id is required"))?;
    redeem(app, Kind::Ciba, client, id, jkt).await
}

fn pending_error(error: &'static str, description: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, error, description)
}

async fn redeem(
    app: &OidcState,
    kind: Kind,
    client: &Client,
    code: &str,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let what = match kind {
        Kind::Device => "device_code",
        Kind::Ciba => "auth_req_id",
    };
    let (grant, approval) = match backchannel::poll(app, kind, client.id.as_str(), code).await? {
        PollOutcome::Approved(grant, approval) => (grant, approval),
        PollOutcome::Pending => {
            return Err(pending_error(
                "authorization_pending",
                "the person has not decided yet",
            ));
        }
        PollOutcome::SlowDown(interval) => {
            return Err(pending_error(
                "slow_down",
                format!("polled too often; wait {interval} seconds between requests"),
            ));
        }
        PollOutcome::Expired => {
            return Err(pending_error(
                "expired_token",
                format!("the {what} has expired"),
            ));
        }
        PollOutcome::Denied => {
            return Err(pending_error(
                "access_denied",
                "the person denied the request",
            ));
        }
        PollOutcome::Invalid => {
            return Err(OAuthError::invalid_grant(format!(
                "the {what} is invalid, already used or was issued to another client"
            )));
        }
    };
    // Approved for an organisation: the grant is that organisation's, its tokens carry `org`.
    // Prepared, stored with its first refresh token by tokens::issue (one transaction).
    let row = app.store.prepare_grant(
        NewGrant {
            account_id: &approval.account_id,
            client_id: &client.id,
            scopes: &grant.scopes.join(" "),
            acr: &approval.acr,
            amr: &serde_json::to_string(&approval.amr).expect("strings serialise"),
            auth_time: approval.auth_time,
            claims: None,
            sid: None,
            dpop_jkt: jkt,
        },
        approval.org_oid,
    );
    tracing::info!(client = %client.id, account = %approval.account_id, acr = %approval.acr, grant = what, "tokens issued after an approval on another device");
    tokens::issue(
        app,
        IssueRequest {
            client,
            grant: &row,
            nonce: None,
            parent_refresh: None,
            dpop_jkt: jkt,
            new_grant: true,
        },
    )
    .await
}
