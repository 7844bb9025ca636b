//! The body of `POST /admin/api/clients` and what it registers.

use super::problem::Problem;
use crate::clients::{AuthMethod, NewClient};
use crate::crypto::keyring::SigningAlg;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AddClientRequest {
    name: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    public: bool,
    /// Also `device_code` and `ciba`, the short names of the URNs.
    #[serde(default)]
    grant_types: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
    id_token_alg: Option<String>,
    /// client_secret_basic (default), client_secret_post, private_key_jwt or none.
    token_endpoint_auth_method: Option<String>,
    /// The client's JWK Set (private_key_jwt), as a JSON object.
    jwks: Option<serde_json::Value>,
    jwks_uri: Option<String>,
    /// CIBA clients: poll (default) or ping.
    backchannel_token_delivery_mode: Option<String>,
    backchannel_client_notification_endpoint: Option<String>,
    /// People sign in only on behalf of an organisation.
    #[serde(default)]
    require_org: bool,
}

fn bad(detail: &str) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Bad request", detail)
}

impl AddClientRequest {
    pub(super) fn into_new_client(self) -> Result<NewClient, Problem> {
        let id_token_alg = match self.id_token_alg.as_deref() {
            None => SigningAlg::Rs256,
            Some(a) => SigningAlg::parse(a).ok_or_else(|| {
                bad("id_token_alg must be RS256, ES256, GOST3410_2012_256 or GOST3410_2012_512")
            })?,
        };
        let auth_method = match self.token_endpoint_auth_method.as_deref() {
            None => None,
            Some(m) => Some(AuthMethod::parse(m).ok_or_else(|| {
                bad(
                    "token_endpoint_auth_method must be client_secret_basic, client_secret_post, private_key_jwt or none",
                )
            })?),
        };
        Ok(NewClient {
            name: self.name,
            redirect_uris: self.redirect_uris,
            is_public: self.public,
            grant_types: self.grant_types,
            scopes: self.scopes,
            id_token_alg,
            auth_method,
            jwks: self.jwks.map(|j| j.to_string()),
            jwks_uri: self.jwks_uri,
            require_org: self.require_org,
            ciba_mode: self.backchannel_token_delivery_mode,
            ciba_notification_endpoint: self.backchannel_client_notification_endpoint,
            ..NewClient::default()
        })
    }
}
