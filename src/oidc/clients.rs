//! Relying parties: the client model, registration (CLI, demo) and authentication at the token
//! endpoint (client_secret_basic, client_secret_post, none for public clients with PKCE).

use super::error::OAuthError;
use crate::app::AppState;
use crate::crypto::{self, keyring::SigningAlg};
use crate::params::Params;
use crate::store::clients::ClientRow;
use crate::store::{Store, StoreError};
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub const DEFAULT_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];

#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub name: String,
    secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub is_public: bool,
    pub id_token_alg: SigningAlg,
    pub require_pkce: bool,
    pub grant_types: Vec<String>,
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
            id: row.id,
            name: row.name,
            secret_hash: row.secret_hash,
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

    fn secret_matches(&self, secret: &str) -> bool {
        match &self.secret_hash {
            Some(h) => crypto::ct_eq(&crypto::hash_secret("client", secret), h),
            None => false,
        }
    }
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
    #[error("at least one redirect URI is required")]
    NoRedirectUri,
    #[error("client name must not be empty")]
    NoName,
    #[error("a client with this id already exists")]
    Exists,
    #[error(transparent)]
    Store(StoreError),
}

pub struct NewClient<'a> {
    pub id: Option<&'a str>,
    pub name: &'a str,
    pub redirect_uris: &'a [String],
    pub is_public: bool,
    pub id_token_alg: SigningAlg,
}

/// Validates and stores a client; returns it and, for confidential clients, the secret (shown once).
pub async fn register(
    store: &Store,
    new: NewClient<'_>,
) -> Result<(Client, Option<String>), RegisterError> {
    if new.name.trim().is_empty() {
        return Err(RegisterError::NoName);
    }
    if new.redirect_uris.is_empty() {
        return Err(RegisterError::NoRedirectUri);
    }
    for uri in new.redirect_uris {
        if !is_acceptable_redirect_uri(uri) {
            return Err(RegisterError::BadRedirectUri(uri.clone()));
        }
    }
    let secret = (!new.is_public).then(crypto::random_token);
    let row = ClientRow {
        id: new
            .id
            .map(str::to_owned)
            .unwrap_or_else(|| format!("c-{}", &crypto::random_token()[..22])),
        name: new.name.trim().to_string(),
        secret_hash: secret.as_deref().map(|s| crypto::hash_secret("client", s)),
        redirect_uris: serde_json::to_string(new.redirect_uris).expect("strings serialise"),
        is_public: i64::from(new.is_public),
        id_token_alg: new.id_token_alg.name().to_string(),
        require_pkce: 1,
        grant_types: serde_json::to_string(&DEFAULT_GRANT_TYPES).expect("strings serialise"),
        created_at: store.now(),
        disabled_at: None,
    };
    store.insert_client(&row).await.map_err(|e| match e {
        StoreError::Conflict => RegisterError::Exists,
        e => RegisterError::Store(e),
    })?;
    let client = Client::from_row(row).map_err(RegisterError::Store)?;
    Ok((client, secret))
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

/// Authenticates the client calling the token endpoint. Exactly one method may be used.
pub async fn authenticate(
    app: &AppState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Client, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    let (id, secret, used_basic) = match (basic, p.get("client_secret")) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request(
                "more than one client authentication method",
            ));
        }
        (Some(b), None) => {
            let (id, secret) = parse_basic(b).ok_or_else(|| OAuthError::invalid_client(true))?;
            if p.get("client_id").is_some_and(|form_id| form_id != id) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the authenticated client",
                ));
            }
            (id, Some(secret), true)
        }
        (None, secret) => {
            let id = p
                .get("client_id")
                .ok_or_else(|| OAuthError::invalid_client(false))?;
            (id.to_string(), secret.map(str::to_owned), false)
        }
    };
    let client = find(&app.store, &id)
        .await?
        .ok_or_else(|| OAuthError::invalid_client(used_basic))?;
    match (client.is_public, secret) {
        (true, None) => Ok(client),
        (false, Some(s)) if client.secret_matches(&s) => Ok(client),
        _ => {
            tracing::info!(client = %client.id, "client authentication failed");
            Err(OAuthError::invalid_client(used_basic))
        }
    }
}

/// RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
fn parse_basic(b64: &str) -> Option<(String, String)> {
    let raw = STANDARD.decode(b64.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| {
        Params::from_query(Some(&format!("v={s}")))
            .ok()?
            .get("v")
            .map(str::to_owned)
    };
    Some((decode(id)?, decode(secret)?))
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

    #[test]
    fn basic_credentials_are_form_decoded() {
        let b = STANDARD.encode("my%20client:s%2Bcr%3At");
        assert_eq!(parse_basic(&b), Some(("my client".into(), "s+cr:t".into())));
        assert_eq!(parse_basic("not base64!"), None);
    }
}
