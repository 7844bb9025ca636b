//! Registering a client: validation of redirect URIs, grant types, authentication method, keys
//! and the pairwise sector; the secret is returned once and stored hashed.

use super::{AuthMethod, Client, DEFAULT_GRANT_TYPES, GRANT_TYPES};
use crate::crypto::{self, keyring::SigningAlg};
use crate::outbound::Outbound;
use crate::store::change::Change;
use crate::store::clients::ClientRow;
use crate::store::{Store, StoreError};

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
    #[error(
        "unknown grant type `{0}` (authorization_code, refresh_token, client_credentials, device_code, ciba)"
    )]
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
    #[error("CIBA: {0}")]
    BadCiba(String),
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
    /// A person signs in only on behalf of an organisation (no «как частное лицо»).
    pub require_org: bool,
    /// CIBA clients: `poll` (default) or `ping`.
    pub ciba_mode: Option<String>,
    /// CIBA ping mode: the client's backchannel_client_notification_endpoint (https).
    pub ciba_notification_endpoint: Option<String>,
}

/// CIBA (Core §4, FAPI-CIBA §5.2.2): a confidential client authenticating with private_key_jwt;
/// ping needs an https notification endpoint, poll has none. Returns the mode to store.
fn check_ciba(
    new: &NewClient,
    method: AuthMethod,
    grants: &[String],
) -> Result<String, RegisterError> {
    let bad = |m: &str| Err(RegisterError::BadCiba(m.to_string()));
    if !grants.iter().any(|g| g == super::CIBA_GRANT) {
        if new.ciba_mode.is_some() || new.ciba_notification_endpoint.is_some() {
            return bad("a delivery mode or notification endpoint needs the ciba grant type");
        }
        return Ok(String::new());
    }
    if method != AuthMethod::PrivateKeyJwt {
        return bad("a CIBA client authenticates with private_key_jwt");
    }
    let mode = match new.ciba_mode.as_deref() {
        None => super::CibaMode::Poll,
        Some(m) => match super::CibaMode::parse(m) {
            Some(mode) => mode,
            None => return bad("the delivery mode is poll or ping (push is not offered)"),
        },
    };
    match (mode, new.ciba_notification_endpoint.as_deref()) {
        (super::CibaMode::Ping, None) => bad("ping mode needs a notification endpoint"),
        (super::CibaMode::Poll, Some(_)) => bad("poll mode has no notification endpoint"),
        (super::CibaMode::Ping, Some(u)) if !is_acceptable_redirect_uri(u) => {
            bad("the notification endpoint must be https (http only for localhost)")
        }
        _ => Ok(mode.name().to_string()),
    }
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
    register_with(store, &strict_outbound()?, new).await
}

/// The outbound guard [`register`] fetches a sector_identifier_uri through (public https only).
pub fn strict_outbound() -> Result<Outbound, RegisterError> {
    Outbound::new(crate::outbound::Policy::strict()).map_err(RegisterError::BadSector)
}

/// [`register`], fetching a sector_identifier_uri through `outbound` (the configured guard).
pub async fn register_with(
    store: &Store,
    outbound: &Outbound,
    new: NewClient,
) -> Result<(Client, Option<String>), RegisterError> {
    let (client, secret, change) = register_staged(store, outbound, new).await?;
    change
        .commit_unaudited()
        .await
        .map_err(RegisterError::Store)?;
    Ok((client, secret))
}

/// [`register_with`] for an operator's registration: the client is written in a change the caller
/// commits with its audit entry (nothing is stored without it).
pub async fn register_staged<'a>(
    store: &'a Store,
    outbound: &Outbound,
    mut new: NewClient,
) -> Result<(Client, Option<String>, Change<'a>), RegisterError> {
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
        new.grant_types
            .iter()
            .map(|g| super::grant_type_name(g))
            .collect()
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
    let ciba_mode = check_ciba(&new, auth_method, &grant_types)?;
    check_request_objects(
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
        require_org: i64::from(new.require_org),
        ciba_mode,
        ciba_notification_endpoint: new.ciba_notification_endpoint.clone(),
    };
    // Validated (and the sector fetched) before the transaction: it holds SQLite's write lock.
    let mut change = store.change().await.map_err(RegisterError::Store)?;
    change.insert_client(&row).await.map_err(|e| match e {
        StoreError::Conflict => RegisterError::Exists,
        e => RegisterError::Store(e),
    })?;
    let client = Client::from_row(row).map_err(RegisterError::Store)?;
    Ok((client, secret, change))
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

/// Algorithms a client may register as request_object_signing_alg.
pub const REGISTRABLE_ALGS: [&str; 4] = ["none", "RS256", "PS256", "ES256"];

/// Registration checks: a known algorithm, never `none` for FAPI 2.0 (which signs with PS256 or
/// ES256), and request_uris that are absolute https URLs (http only on loopback).
pub fn check_request_objects(
    fapi2: bool,
    alg: Option<&str>,
    uris: &[String],
) -> Result<(), String> {
    if let Some(a) = alg {
        if !REGISTRABLE_ALGS.contains(&a) {
            return Err(format!(
                "request_object_signing_alg must be one of {}",
                REGISTRABLE_ALGS.join(", ")
            ));
        }
        if fapi2 && !matches!(a, "PS256" | "ES256") {
            return Err("a FAPI 2.0 client signs request objects with PS256 or ES256".into());
        }
    }
    if let Some(bad) = uris.iter().find(|u| !is_acceptable_request_uri(u)) {
        return Err(format!(
            "request_uri `{bad}` must be https (http only for localhost)"
        ));
    }
    Ok(())
}

fn is_acceptable_request_uri(uri: &str) -> bool {
    match url::Url::parse(uri) {
        Ok(u) => match u.scheme() {
            "https" => u.host().is_some(),
            "http" => matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
            _ => false,
        },
        Err(_) => false,
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
