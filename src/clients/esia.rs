//! ESIA clients: portals that speak ESIA's own protocol (src/esia). Such a client is a `clients` row
//! (mnemonic id, name, redirect URIs, allowed scopes, token algorithm, level) with no OpenID way to
//! authenticate (no secret, no keys, no grant types: the OpenID token endpoint refuses it), plus
//! the ESIA part: the legacy flag and one or more registered GOST certificates. Its client_secret
//! is a signature checked with a registered certificate; `client_certificate_hash` names which
//! (Streebog-256 of the DER). A replaced certificate stays valid for an overlap, as a rotated
//! OpenID secret does.

use super::Client;
use crate::crypto::gost::{self, KeySize, VerifyingKey};
use crate::crypto::keyring::SigningAlg;
use crate::store::change::Change;
use crate::store::clients::ClientRow;
use crate::store::esia_clients::{EsiaCertificateRow, EsiaClientRow};
use crate::store::{Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The token algorithm of a new ESIA client when none is chosen: ESIA signs with
/// GOST R 34.10-2012 (256-bit); RS256 (or any other vhod signs with) is selectable per client.
pub const DEFAULT_TOKEN_ALG: SigningAlg = SigningAlg::Gost256;

#[derive(Debug, Clone)]
pub struct EsiaCertificate {
    /// Streebog-256 of the DER, lowercase hex.
    pub hash: String,
    pub der: Vec<u8>,
    pub added_at: i64,
    /// None = current; otherwise accepted until then.
    pub expires_at: Option<i64>,
}

impl EsiaCertificate {
    pub fn verifying_key(&self) -> Result<VerifyingKey, gost::GostError> {
        VerifyingKey::from_certificate_der(&self.der)
    }
}

#[derive(Debug, Clone)]
pub struct EsiaClient {
    pub client: Client,
    pub legacy: bool,
    /// The certificates valid now, newest first.
    pub certificates: Vec<EsiaCertificate>,
}

impl EsiaClient {
    /// The registered certificate `hash` names (64 hex digits, any case).
    pub fn certificate(&self, hash: &str) -> Option<&EsiaCertificate> {
        let hash = hash.to_ascii_lowercase();
        self.certificates
            .iter()
            .find(|c| crate::crypto::ct_eq(&c.hash, &hash))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EsiaClientError {
    #[error(
        "client id `{0}` must be a mnemonic: 1 to 64 letters A-Z, digits, '_' or '-' (ESIA's form, e.g. PORTAL_01)"
    )]
    BadClientId(String),
    #[error("client name must not be empty")]
    NoName,
    #[error("certificate: {0}")]
    BadCertificate(String),
    #[error(
        "redirect URI `{0}` must be an absolute https URL (http only for localhost) without a fragment"
    )]
    BadRedirectUri(String),
    #[error("an ESIA client needs at least one redirect URI")]
    NoRedirectUri,
    #[error("scope `{0}` is not a valid scope token")]
    BadScope(String),
    #[error("level `{0}` is not simplified, standard or confirmed")]
    BadLevel(String),
    #[error("a client with this id already exists")]
    Exists,
    #[error("no ESIA client with this id")]
    Unknown,
    #[error("this certificate is already registered for the client")]
    SameCertificate,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for EsiaClientError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => EsiaClientError::Exists,
            e => EsiaClientError::Store(e),
        }
    }
}

/// What an ESIA client is registered with.
#[derive(Debug, Clone, Default)]
pub struct NewEsiaClient {
    /// The mnemonic (ESIA's client_id), e.g. `PORTAL_01`.
    pub client_id: String,
    pub name: String,
    /// PEM (or DER) of the client's GOST R 34.10-2012 certificate.
    pub certificate: Vec<u8>,
    pub redirect_uris: Vec<String>,
    /// Signs with detached CMS at /aas/oauth2/ac and /te (the old protocol).
    pub legacy: bool,
    /// Scopes it may ask for; empty = every person scope (organisation scopes must be listed).
    pub scopes: Vec<String>,
    pub token_alg: Option<SigningAlg>,
    /// The account level a person needs (simplified, standard, confirmed); None = simplified.
    pub min_level: Option<String>,
    /// Every authorization request must carry PKCE (code_challenge S256); otherwise PKCE is
    /// optional, as in ESIA, and a client that sends code_challenge is held to it.
    pub require_pkce: bool,
}

/// The ESIA flags that may change after registration; `None` keeps the current value. (Name,
/// redirect URIs, scopes, token algorithm and level change as any client's: `clients::manage`.)
#[derive(Debug, Clone, Copy, Default)]
pub struct EsiaFlags {
    pub legacy: Option<bool>,
    pub require_pkce: Option<bool>,
}

fn is_mnemonic(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The DER of a certificate given as PEM or DER, with its Streebog-256 hash (lowercase hex); it
/// must carry a GOST R 34.10-2012 256-bit key (ESIA's client_secret is a GOST-256 signature).
pub fn parse_certificate(bytes: &[u8]) -> Result<(Vec<u8>, String), EsiaClientError> {
    let bad = |why: String| EsiaClientError::BadCertificate(why);
    let der = if bytes.trim_ascii_start().starts_with(b"-----") {
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8 PEM".into()))?;
        let (label, der) = der::pem::decode_vec(text.trim().as_bytes())
            .map_err(|e| bad(format!("not a PEM certificate ({e})")))?;
        if label != "CERTIFICATE" {
            return Err(bad(format!("PEM label {label}, CERTIFICATE expected")));
        }
        der
    } else {
        bytes.to_vec()
    };
    let key = VerifyingKey::from_certificate_der(&der)
        .map_err(|e| bad(format!("not a GOST R 34.10-2012 certificate ({e})")))?;
    if key.param_set().key_size() != KeySize::Bits256 {
        return Err(bad("the key must be GOST R 34.10-2012 256-bit".into()));
    }
    Ok((der.clone(), certificate_hash(&der)))
}

/// `client_certificate_hash`: Streebog-256 of the certificate's DER, lowercase hex.
pub fn certificate_hash(der: &[u8]) -> String {
    hex::encode(gost::streebog256(der))
}

fn cert_from_row(row: EsiaCertificateRow) -> Result<EsiaCertificate, StoreError> {
    Ok(EsiaCertificate {
        der: STANDARD.decode(&row.der).map_err(|_| {
            StoreError::Corrupt(format!("certificate {} of {}", row.hash, row.client_id))
        })?,
        hash: row.hash,
        added_at: row.added_at,
        expires_at: row.expires_at,
    })
}

/// The ESIA client `id` with the certificates valid now; None when there is no such client or it
/// is an OpenID client (or disabled).
pub async fn find(store: &Store, id: &str) -> Result<Option<EsiaClient>, StoreError> {
    let Some(row) = store.esia_client(id).await? else {
        return Ok(None);
    };
    let Some(client) = super::find(store, id).await? else {
        return Ok(None);
    };
    let certificates = store.esia_certificates(id, store.now()).await?;
    assembled(&row, client, certificates).map(Some)
}

/// [`find`] inside an operator's change (the client it is about to write).
pub async fn find_in(change: &mut Change<'_>, id: &str) -> Result<Option<EsiaClient>, StoreError> {
    let Some(row) = change.esia_client(id).await? else {
        return Ok(None);
    };
    let Some(client) = super::find_in(change, id).await? else {
        return Ok(None);
    };
    let now = change.store().now();
    let certificates = change.esia_certificates(id, now).await?;
    assembled(&row, client, certificates).map(Some)
}

/// An ESIA client from its rows.
fn assembled(
    row: &EsiaClientRow,
    client: Client,
    certificates: Vec<EsiaCertificateRow>,
) -> Result<EsiaClient, StoreError> {
    Ok(EsiaClient {
        client,
        legacy: row.legacy != 0,
        certificates: certificates
            .into_iter()
            .map(cert_from_row)
            .collect::<Result<_, _>>()?,
    })
}

/// Every ESIA client (disabled ones left out).
pub async fn list(store: &Store) -> Result<Vec<EsiaClient>, StoreError> {
    let mut out = vec![];
    for id in store.esia_client_ids().await? {
        if let Some(c) = find(store, &id).await? {
            out.push(c);
        }
    }
    Ok(out)
}

/// Validates and stores an ESIA client with no audit entry (the demo's own portal, tests).
pub async fn register(store: &Store, new: NewEsiaClient) -> Result<EsiaClient, EsiaClientError> {
    let (client, change) = register_staged(store, new).await?;
    change.commit_unaudited().await?;
    Ok(client)
}

/// Validates an ESIA client and writes it in a change the caller commits with its audit entry;
/// returns the client as it is once committed.
pub async fn register_staged(
    store: &Store,
    new: NewEsiaClient,
) -> Result<(EsiaClient, Change<'_>), EsiaClientError> {
    if !is_mnemonic(&new.client_id) {
        return Err(EsiaClientError::BadClientId(new.client_id));
    }
    if new.name.trim().is_empty() {
        return Err(EsiaClientError::NoName);
    }
    if new.redirect_uris.is_empty() {
        return Err(EsiaClientError::NoRedirectUri);
    }
    if let Some(u) = new
        .redirect_uris
        .iter()
        .find(|u| !super::is_acceptable_redirect_uri(u))
    {
        return Err(EsiaClientError::BadRedirectUri(u.clone()));
    }
    if let Some(s) = new.scopes.iter().find(|s| {
        s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    }) {
        return Err(EsiaClientError::BadScope(s.clone()));
    }
    let min_level = new.min_level.unwrap_or_else(|| "simplified".into());
    if !["simplified", "standard", "confirmed"].contains(&min_level.as_str()) {
        return Err(EsiaClientError::BadLevel(min_level));
    }
    let (der, hash) = parse_certificate(&new.certificate)?;
    let row = ClientRow {
        id: new.client_id.clone(),
        name: new.name.trim().to_string(),
        secret_hash: None,
        redirect_uris: serde_json::to_string(&new.redirect_uris).expect("strings serialise"),
        is_public: 0,
        id_token_alg: new
            .token_alg
            .unwrap_or(DEFAULT_TOKEN_ALG)
            .name()
            .to_string(),
        require_pkce: i64::from(new.require_pkce),
        // No OpenID grant: the OpenID token endpoint refuses this client.
        grant_types: "[]".into(),
        created_at: store.now(),
        disabled_at: None,
        allowed_scopes: serde_json::to_string(&new.scopes).expect("strings serialise"),
        // No keys registered: private_key_jwt can never succeed, so the client cannot
        // authenticate at the OpenID endpoints.
        auth_method: "private_key_jwt".into(),
        jwks: None,
        jwks_uri: None,
        post_logout_redirect_uris: "[]".into(),
        backchannel_logout_uri: None,
        require_par: 0,
        subject_type: "public".into(),
        sector: None,
        require_dpop: 0,
        fapi2: 0,
        previous_secret_hash: None,
        previous_secret_expires: None,
        min_level,
        require_org: 0,
        min_acr: crate::authn::ACR_LOW.into(),
        request_object_alg: String::new(),
        request_uris: "[]".into(),
        ciba_mode: String::new(),
        ciba_notification_endpoint: None,
    };
    let added_at = row.created_at;
    let mut change = store.change().await?;
    change
        .insert_esia_client(&row, new.legacy, &hash, &STANDARD.encode(&der))
        .await?;
    let client = EsiaClient {
        client: Client::from_row(row)?,
        legacy: new.legacy,
        certificates: vec![EsiaCertificate {
            der,
            hash,
            added_at,
            expires_at: None,
        }],
    };
    Ok((client, change))
}

/// [`replace_certificate_staged`] with no audit entry (the demo's own portal, tests).
pub async fn replace_certificate(
    store: &Store,
    client_id: &str,
    certificate: &[u8],
    overlap: i64,
) -> Result<String, EsiaClientError> {
    let (hash, change) = replace_certificate_staged(store, client_id, certificate, overlap).await?;
    change.commit_unaudited().await?;
    Ok(hash)
}

/// Registers `certificate` as the client's current one; the ones current until now stay valid
/// `overlap` seconds more (so the portal can switch its key without a gap). Returns the new hash
/// and the change to commit with its audit entry.
pub async fn replace_certificate_staged<'a>(
    store: &'a Store,
    client_id: &str,
    certificate: &[u8],
    overlap: i64,
) -> Result<(String, Change<'a>), EsiaClientError> {
    let (der, hash) = parse_certificate(certificate)?;
    let mut change = store.change().await?;
    match change
        .replace_esia_certificate(client_id, &hash, &STANDARD.encode(&der), overlap.max(0))
        .await
    {
        Ok(true) => Ok((hash, change)),
        Ok(false) => Err(EsiaClientError::Unknown),
        Err(StoreError::Conflict) => Err(EsiaClientError::SameCertificate),
        Err(e) => Err(EsiaClientError::Store(e)),
    }
}

/// Changes the ESIA flags of a registered ESIA client in a change the caller commits with its
/// audit entry; Unknown when there is no such ESIA client. Returns the client as it is once
/// committed.
pub async fn set_flags_staged<'a>(
    store: &'a Store,
    client_id: &str,
    flags: EsiaFlags,
) -> Result<(EsiaClient, Change<'a>), EsiaClientError> {
    let mut change = store.change().await?;
    let client = set_flags_in(&mut change, client_id, flags).await?;
    Ok((client, change))
}

/// [`set_flags_staged`] within `change` (one of several writes of an operator's action).
pub async fn set_flags_in(
    change: &mut Change<'_>,
    client_id: &str,
    flags: EsiaFlags,
) -> Result<EsiaClient, EsiaClientError> {
    let mut client = find_in(change, client_id)
        .await?
        .ok_or(EsiaClientError::Unknown)?;
    if !change
        .set_esia_flags(
            client_id,
            flags.legacy.map(i64::from),
            flags.require_pkce.map(i64::from),
        )
        .await?
    {
        return Err(EsiaClientError::Unknown);
    }
    client.legacy = flags.legacy.unwrap_or(client.legacy);
    client.client.require_pkce = flags.require_pkce.unwrap_or(client.client.require_pkce);
    Ok(client)
}
