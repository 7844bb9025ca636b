//! Relying parties: the client model and registration (CLI, admin API, demo). Authentication at
//! the token endpoint is in `client_auth`.

use crate::app::AppState;
use crate::crypto::{self, keyring::SigningAlg};
use crate::outbound::Outbound;
use crate::store::clients::ClientRow;
use crate::store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use super::client_admin::{
    LEVELS, ManageError, SettingsChange, change_settings, disable, rotate_secret, set_redirect_uris,
};
pub use super::client_auth::authenticate;

pub const DEFAULT_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];
pub const GRANT_TYPES: [&str; 3] = ["authorization_code", "refresh_token", "client_credentials"];

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
    pub id: String,
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
            min_acr: row.min_acr.clone(),
            request_object_alg: Some(row.request_object_alg.clone()).filter(|a| !a.is_empty()),
            request_uris: serde_json::from_str(&row.request_uris)
                .map_err(|_| corrupt("request_uris"))?,
            pairwise_sector: match row.subject_type.as_str() {
                "pairwise" => Some(row.sector.clone().ok_or_else(|| corrupt("sector"))?),
                _ => None,
            },
            id: row.id,
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
        map.insert(client.id.clone(), (client.clone(), Instant::now()));
    }

    pub fn forget(&self, id: &str) {
        self.0.lock().expect("client cache lock").remove(id);
    }
}

/// `find` through this node's short-lived client cache (hot paths: token, introspection, revocation).
pub async fn find_cached(app: &AppState, id: &str) -> Result<Option<Client>, StoreError> {
    if let Some(c) = app.clients.get(id) {
        return Ok(Some(c));
    }
    let found = find(&app.store, id).await?;
    if let Some(c) = &found {
        app.clients.put(c);
    }
    Ok(found)
}

pub async fn find(store: &Store, id: &str) -> Result<Option<Client>, StoreError> {
    match store.client(id).await? {
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

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(
        "redirect URI `{0}` must be an absolute https URL (http only for localhost) without a fragment"
    )]
    BadRedirectUri(String),
    #[error("the authorization_code grant needs at least one redirect URI")]
    NoRedirectUri,
    #[error("client name must not be empty")]
    NoName,
    #[error("unknown grant type `{0}` (authorization_code, refresh_token, client_credentials)")]
    BadGrantType(String),
    #[error("refresh_token needs the authorization_code grant")]
    RefreshWithoutCode,
    #[error("{0}")]
    BadAuthMethod(String),
    #[error("jwks: {0}")]
    BadJwks(String),
    #[error("scope `{0}` is not a valid scope token")]
    BadScope(String),
    #[error("sector: {0}")]
    BadSector(String),
    #[error("request objects: {0}")]
    BadRequestObject(String),
    #[error("a client with this id already exists")]
    Exists,
    #[error(transparent)]
    Store(StoreError),
}

/// What a client is registered with; `Default` gives a confidential code-flow client.
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub id: Option<String>,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub is_public: bool,
    pub id_token_alg: SigningAlg,
    /// Empty = authorization_code + refresh_token.
    pub grant_types: Vec<String>,
    /// Scopes for client_credentials.
    pub scopes: Vec<String>,
    /// None = client_secret_basic for confidential clients, none for public ones.
    pub auth_method: Option<AuthMethod>,
    pub jwks: Option<String>,
    pub jwks_uri: Option<String>,
    /// Confidential clients only: accept authorization requests without PKCE (certification suites
    /// test such clients); public clients always need PKCE.
    pub pkce_optional: bool,
    /// Where RP-initiated logout may send the browser back (exact match).
    pub post_logout_redirect_uris: Vec<String>,
    /// Where back-channel logout tokens are POSTed (OIDC Back-Channel Logout 1.0).
    pub backchannel_logout_uri: Option<String>,
    pub require_par: bool,
    /// Pairwise subject identifiers (OIDC Core §8.1).
    pub pairwise: bool,
    /// With `pairwise`: a URL listing the client's redirect URIs, whose host is the sector.
    pub sector_identifier_uri: Option<String>,
    pub require_dpop: bool,
    /// FAPI 2.0: PAR, PKCE S256, private_key_jwt, DPoP-bound tokens, ES256 signatures.
    pub fapi2: bool,
    /// request_object_signing_alg; None = the algorithms of the registered keys.
    pub request_object_alg: Option<String>,
    /// request_uris (OIDC Registration §2): the only request_uri values fetched.
    pub request_uris: Vec<String>,
}

fn check_auth_method(
    new: &NewClient,
    method: AuthMethod,
    grants: &[String],
) -> Result<(), RegisterError> {
    let bad = |m: &str| Err(RegisterError::BadAuthMethod(m.to_string()));
    match (new.is_public, method) {
        (true, AuthMethod::None) => {}
        (false, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost) => {}
        (false, AuthMethod::PrivateKeyJwt) if new.jwks.is_some() || new.jwks_uri.is_some() => {}
        (false, AuthMethod::PrivateKeyJwt) => {
            return bad("private_key_jwt needs --jwks-uri or a JWK Set");
        }
        (true, _) => return bad("a public client authenticates with none"),
        (false, AuthMethod::None) => {
            return bad("a confidential client cannot use none; register it --public");
        }
    }
    if new.is_public && grants.iter().any(|g| g == "client_credentials") {
        return bad("a public client cannot use client_credentials");
    }
    if let Some(j) = &new.jwks {
        josekit::jwk::JwkSet::from_bytes(j.as_bytes())
            .map_err(|e| RegisterError::BadJwks(e.to_string()))?;
    }
    if let Some(u) = new
        .jwks_uri
        .as_deref()
        .filter(|u| !is_acceptable_redirect_uri(u))
    {
        return Err(RegisterError::BadJwks(format!(
            "jwks_uri `{u}` must be https (http only for localhost)"
        )));
    }
    Ok(())
}

/// Validates and stores a client; returns it and, for secret-based clients, the secret (shown once).
/// A sector_identifier_uri is fetched under the strict outbound policy (public https only); callers
/// with a configuration use [`register_with`].
pub async fn register(
    store: &Store,
    new: NewClient,
) -> Result<(Client, Option<String>), RegisterError> {
    let strict =
        Outbound::new(crate::outbound::Policy::strict()).map_err(RegisterError::BadSector)?;
    register_with(store, &strict, new).await
}

/// [`register`], fetching a sector_identifier_uri through `outbound` (the configured guard).
pub async fn register_with(
    store: &Store,
    outbound: &Outbound,
    mut new: NewClient,
) -> Result<(Client, Option<String>), RegisterError> {
    if new.fapi2 {
        // FAPI 2.0 Security Profile §5.3: the profile decides; a contrary explicit choice is an error.
        if new.is_public
            || new.pkce_optional
            || new
                .auth_method
                .is_some_and(|m| m != AuthMethod::PrivateKeyJwt)
        {
            return Err(RegisterError::BadAuthMethod(
                "a FAPI 2.0 client is confidential, uses private_key_jwt and PKCE".into(),
            ));
        }
        new.auth_method = Some(AuthMethod::PrivateKeyJwt);
        new.id_token_alg = SigningAlg::Es256;
        new.require_par = true;
        new.require_dpop = true;
    }
    if new.name.trim().is_empty() {
        return Err(RegisterError::NoName);
    }
    let grant_types: Vec<String> = if new.grant_types.is_empty() {
        DEFAULT_GRANT_TYPES.iter().map(|g| g.to_string()).collect()
    } else {
        new.grant_types.clone()
    };
    if let Some(bad) = grant_types
        .iter()
        .find(|g| !GRANT_TYPES.contains(&g.as_str()))
    {
        return Err(RegisterError::BadGrantType(bad.clone()));
    }
    let has = |g: &str| grant_types.iter().any(|x| x == g);
    if has("refresh_token") && !has("authorization_code") {
        return Err(RegisterError::RefreshWithoutCode);
    }
    if has("authorization_code") && new.redirect_uris.is_empty() {
        return Err(RegisterError::NoRedirectUri);
    }
    if let Some(uri) = new
        .redirect_uris
        .iter()
        .chain(&new.post_logout_redirect_uris)
        .chain(&new.backchannel_logout_uri)
        .find(|u| !is_acceptable_redirect_uri(u))
    {
        return Err(RegisterError::BadRedirectUri(uri.clone()));
    }
    if let Some(bad) = new.scopes.iter().find(|s| {
        s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    }) {
        return Err(RegisterError::BadScope(bad.clone()));
    }
    let auth_method = new.auth_method.unwrap_or(if new.is_public {
        AuthMethod::None
    } else {
        AuthMethod::ClientSecretBasic
    });
    check_auth_method(&new, auth_method, &grant_types)?;
    super::request_object::check_registration(
        new.fapi2,
        new.request_object_alg.as_deref(),
        &new.request_uris,
    )
    .map_err(RegisterError::BadRequestObject)?;
    let sector = if new.pairwise {
        Some(pairwise_sector(outbound, &new).await?)
    } else {
        None
    };
    let secret = auth_method.uses_secret().then(crypto::random_token);
    let row = ClientRow {
        id: new
            .id
            .clone()
            .unwrap_or_else(|| format!("c-{}", &crypto::random_token()[..22])),
        name: new.name.trim().to_string(),
        secret_hash: secret.as_deref().map(|s| crypto::hash_secret("client", s)),
        redirect_uris: serde_json::to_string(&new.redirect_uris).expect("strings serialise"),
        is_public: i64::from(new.is_public),
        id_token_alg: new.id_token_alg.name().to_string(),
        require_pkce: i64::from(new.is_public || !new.pkce_optional),
        grant_types: serde_json::to_string(&grant_types).expect("strings serialise"),
        created_at: store.now(),
        disabled_at: None,
        allowed_scopes: serde_json::to_string(&new.scopes).expect("strings serialise"),
        auth_method: auth_method.name().to_string(),
        jwks: new.jwks.clone(),
        jwks_uri: new.jwks_uri.clone(),
        post_logout_redirect_uris: serde_json::to_string(&new.post_logout_redirect_uris)
            .expect("strings serialise"),
        backchannel_logout_uri: new.backchannel_logout_uri.clone(),
        require_par: i64::from(new.require_par),
        subject_type: if sector.is_some() {
            "pairwise"
        } else {
            "public"
        }
        .to_string(),
        sector,
        require_dpop: i64::from(new.require_dpop),
        fapi2: i64::from(new.fapi2),
        previous_secret_hash: None,
        previous_secret_expires: None,
        min_level: "simplified".into(),
        min_acr: crate::authn::ACR_LOW.into(),
        request_object_alg: new.request_object_alg.clone().unwrap_or_default(),
        request_uris: serde_json::to_string(&new.request_uris).expect("strings serialise"),
    };
    store.insert_client(&row).await.map_err(|e| match e {
        StoreError::Conflict => RegisterError::Exists,
        e => RegisterError::Store(e),
    })?;
    let client = Client::from_row(row).map_err(RegisterError::Store)?;
    Ok((client, secret))
}

/// OIDC Core §8.1: the sector is the host of sector_identifier_uri, whose JSON array must list every
/// redirect URI; without it all redirect URIs must share one host.
async fn pairwise_sector(outbound: &Outbound, new: &NewClient) -> Result<String, RegisterError> {
    let bad = |m: String| RegisterError::BadSector(m);
    let Some(uri) = &new.sector_identifier_uri else {
        let hosts: std::collections::BTreeSet<String> = new
            .redirect_uris
            .iter()
            .filter_map(|u| url::Url::parse(u).ok()?.host_str().map(str::to_owned))
            .collect();
        return match hosts.len() {
            1 => Ok(hosts.into_iter().next().expect("one host")),
            _ => Err(bad(
                "redirect URIs on several hosts need a sector_identifier_uri".into(),
            )),
        };
    };
    if !is_acceptable_redirect_uri(uri) {
        return Err(bad(format!("sector_identifier_uri `{uri}` must be https")));
    }
    let body = outbound
        .get(uri)
        .await
        .map_err(|e| bad(format!("{uri}: {e}")))?;
    let listed: Vec<String> = serde_json::from_slice(&body)
        .map_err(|e| bad(format!("{uri} is not a JSON array of URIs: {e}")))?;
    if let Some(missing) = new.redirect_uris.iter().find(|r| !listed.contains(r)) {
        return Err(bad(format!(
            "{uri} does not list the redirect URI {missing}"
        )));
    }
    url::Url::parse(uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .ok_or_else(|| bad(format!("{uri} has no host")))
}

pub fn is_acceptable_redirect_uri(uri: &str) -> bool {
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    if u.fragment().is_some() || uri.contains('#') {
        return false;
    }
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_https_or_loopback_http_without_fragment() {
        assert!(is_acceptable_redirect_uri("https://portal.gov.example/cb"));
        assert!(is_acceptable_redirect_uri(
            "https://portal.gov.example/cb?x=1"
        ));
        assert!(is_acceptable_redirect_uri("http://localhost:3000/cb"));
        assert!(!is_acceptable_redirect_uri("http://portal.gov.example/cb"));
        assert!(!is_acceptable_redirect_uri(
            "https://portal.gov.example/cb#frag"
        ));
        assert!(!is_acceptable_redirect_uri("javascript:alert(1)"));
        assert!(!is_acceptable_redirect_uri("/relative"));
    }
}
