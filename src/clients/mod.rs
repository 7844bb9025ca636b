//! Relying parties (portals): the client model, this node's short-lived cache of it, registration
//! (`register`) and changes (`manage`). Domain: both protocol surfaces (OpenID Connect, ESIA), the
//! admin API and the CLI use it. Authentication at the token endpoint is `oidc::client_auth`.

pub mod esia;
pub mod manage;
pub mod register;
pub mod subject;

use crate::crypto::{self, keyring::SigningAlg};
use crate::store::change::Change;
use crate::store::clients::ClientRow;
use crate::store::{Store, StoreError};
use crate::types::ClientId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use manage::{
    ManageError, SettingsChange, change_settings, change_settings_in, change_settings_staged,
    disable_staged, rotate_secret_staged, set_redirect_uris, set_redirect_uris_in,
    set_redirect_uris_staged,
};

pub const DEFAULT_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];
pub const GRANT_TYPES: [&str; 5] = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    DEVICE_CODE_GRANT,
    CIBA_GRANT,
];
/// RFC 8628 §3.4.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// OpenID Connect CIBA Core 1.0 §10.1.
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// A grant type as given on the command line or in the admin API: the short names `device_code`
/// and `ciba` stand for the URNs.
pub fn grant_type_name(given: &str) -> String {
    match given {
        "device_code" => DEVICE_CODE_GRANT.to_string(),
        "ciba" => CIBA_GRANT.to_string(),
        other => other.to_string(),
    }
}

/// How a CIBA client learns that the person decided (CIBA Core §5): it polls the token endpoint,
/// or vhod pings its notification endpoint and it then asks the token endpoint once. Push mode
/// is not offered (FAPI-CIBA forbids it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CibaMode {
    Poll,
    Ping,
}

impl CibaMode {
    pub fn parse(s: &str) -> Option<CibaMode> {
        match s {
            "poll" => Some(CibaMode::Poll),
            "ping" => Some(CibaMode::Ping),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CibaMode::Poll => "poll",
            CibaMode::Ping => "ping",
        }
    }
}

/// How a client proves itself at the token, introspection and revocation endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    None,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 4] = [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::None,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<AuthMethod> {
        Self::ALL.into_iter().find(|m| m.name() == s)
    }

    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost
        )
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    secret_hash: Option<String>,
    previous_secret_hash: Option<String>,
    previous_secret_expires: Option<i64>,
    pub redirect_uris: Vec<String>,
    pub is_public: bool,
    pub id_token_alg: SigningAlg,
    pub require_pkce: bool,
    pub grant_types: Vec<String>,
    /// Scopes a client may ask for with client_credentials.
    pub allowed_scopes: Vec<String>,
    pub auth_method: AuthMethod,
    pub jwks: Option<String>,
    pub jwks_uri: Option<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// Authorization requests must come through PAR (RFC 9126).
    pub require_par: bool,
    /// Pairwise subject identifiers: the sector they are computed for; None = public subjects.
    pub pairwise_sector: Option<String>,
    /// Tokens must be DPoP-bound (RFC 9449 dpop_bound_access_tokens).
    pub require_dpop: bool,
    /// FAPI 2.0 security profile client.
    pub fapi2: bool,
    /// The account level a person needs to sign in here (simplified, standard, confirmed).
    pub min_level: String,
    /// The weakest authentication (acr) this portal accepts.
    pub min_acr: String,
    /// The one algorithm its request objects must use; None = any its registered keys verify
    /// (never `none` unless registered so).
    pub request_object_alg: Option<String>,
    /// The request_uri values it registered: no other is fetched.
    pub request_uris: Vec<String>,
    /// A person signs in here only on behalf of an organisation.
    pub require_org: bool,
    /// CIBA clients: poll or ping (None: the client does not use CIBA).
    pub ciba_mode: Option<CibaMode>,
    /// Ping mode: where `{auth_req_id}` is POSTed when the person decided.
    pub ciba_notification_endpoint: Option<String>,
}

impl Client {
    fn from_row(row: ClientRow) -> Result<Client, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("client {}: {what}", row.id));
        Ok(Client {
            redirect_uris: serde_json::from_str(&row.redirect_uris)
                .map_err(|_| corrupt("redirect_uris"))?,
            grant_types: serde_json::from_str(&row.grant_types)
                .map_err(|_| corrupt("grant_types"))?,
            id_token_alg: SigningAlg::parse(&row.id_token_alg)
                .ok_or_else(|| corrupt("id_token_alg"))?,
            allowed_scopes: serde_json::from_str(&row.allowed_scopes)
                .map_err(|_| corrupt("allowed_scopes"))?,
            auth_method: AuthMethod::parse(&row.auth_method)
                .ok_or_else(|| corrupt("auth_method"))?,
            jwks: row.jwks,
            jwks_uri: row.jwks_uri,
            post_logout_redirect_uris: serde_json::from_str(&row.post_logout_redirect_uris)
                .map_err(|_| corrupt("post_logout_redirect_uris"))?,
            backchannel_logout_uri: row.backchannel_logout_uri,
            require_par: row.require_par != 0,
            require_dpop: row.require_dpop != 0,
            fapi2: row.fapi2 != 0,
            min_level: row.min_level.clone(),
            require_org: row.require_org != 0,
            min_acr: row.min_acr.clone(),
            request_object_alg: Some(row.request_object_alg.clone()).filter(|a| !a.is_empty()),
            request_uris: serde_json::from_str(&row.request_uris)
                .map_err(|_| corrupt("request_uris"))?,
            ciba_mode: CibaMode::parse(&row.ciba_mode),
            ciba_notification_endpoint: row.ciba_notification_endpoint.clone(),
            pairwise_sector: match row.subject_type.as_str() {
                "pairwise" => Some(row.sector.clone().ok_or_else(|| corrupt("sector"))?),
                _ => None,
            },
            id: ClientId::new(row.id),
            name: row.name,
            secret_hash: row.secret_hash,
            previous_secret_hash: row.previous_secret_hash,
            previous_secret_expires: row.previous_secret_expires,
            is_public: row.is_public != 0,
            require_pkce: row.require_pkce != 0,
        })
    }

    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }

    /// Exact string match, as RFC 9700 §4.1.3 requires: no prefix, no wildcard, no normalisation.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    /// The current secret, or the previous one while its overlap window lasts.
    pub(super) fn secret_matches(&self, secret: &str, now: i64) -> bool {
        let presented = crypto::hash_secret("client", secret);
        let current = self
            .secret_hash
            .as_deref()
            .is_some_and(|h| crypto::ct_eq(&presented, h));
        let previous = match (&self.previous_secret_hash, self.previous_secret_expires) {
            (Some(h), Some(until)) if now < until => crypto::ct_eq(&presented, h),
            _ => false,
        };
        current | previous
    }
}

/// Clients change rarely and are read on every token request, so each node keeps them briefly.
/// A change made on another node (or by the CLI) is seen within this many seconds.
pub const CACHE_SECS: u64 = 5;

#[derive(Clone, Default)]
pub struct ClientCache(Arc<Mutex<HashMap<String, (Client, Instant)>>>);

impl std::fmt::Debug for ClientCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientCache(..)")
    }
}

impl ClientCache {
    fn get(&self, id: &str) -> Option<Client> {
        let map = self.0.lock().expect("client cache lock");
        map.get(id)
            .filter(|(_, at)| at.elapsed() < Duration::from_secs(CACHE_SECS))
            .map(|(c, _)| c.clone())
    }

    fn put(&self, client: &Client) {
        let mut map = self.0.lock().expect("client cache lock");
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(client.id.to_string(), (client.clone(), Instant::now()));
    }

    pub fn forget(&self, id: &str) {
        self.0.lock().expect("client cache lock").remove(id);
    }
}

impl ClientCache {
    /// `find` through this node's short-lived client cache (hot paths: token, introspection,
    /// revocation).
    pub async fn find(&self, store: &Store, id: &str) -> Result<Option<Client>, StoreError> {
        if let Some(c) = self.get(id) {
            return Ok(Some(c));
        }
        let found = find(store, id).await?;
        if let Some(c) = &found {
            self.put(c);
        }
        Ok(found)
    }
}

pub async fn find(store: &Store, id: &str) -> Result<Option<Client>, StoreError> {
    match store.client(id).await? {
        Some(row) => Client::from_row(row).map(Some),
        None => Ok(None),
    }
}

/// [`find`] inside an operator's change (the client it is about to write).
pub async fn find_in(change: &mut Change<'_>, id: &str) -> Result<Option<Client>, StoreError> {
    match change.client(id).await? {
        Some(row) => Client::from_row(row).map(Some),
        None => Ok(None),
    }
}

pub async fn list(store: &Store) -> Result<Vec<Client>, StoreError> {
    store
        .clients()
        .await?
        .into_iter()
        .map(Client::from_row)
        .collect()
}

pub use register::{
    NewClient, RegisterError, is_acceptable_redirect_uri, register, register_staged, register_with,
    strict_outbound,
};
