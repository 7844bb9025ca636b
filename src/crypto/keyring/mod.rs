//! The keyring: signing keys loaded from the store, decrypted with the KEK, as signers (the
//! `JwsSign` seam) and verifiers. Generated on first start (RS256, ES256, GOST3410_2012_256 and
//! GOST3410_2012_512), so a fresh install signs at once — ESIA-shaped GOST tokens included.
//!
//! * `alg.rs`: the algorithms, and which GOST parameter set vhod's own keys use;
//! * `material.rs`: per algorithm, generating, importing, sealing form, signer and verifier, the
//!   published JWK (GOST: the documented shape with the self-signed certificate in `x5c`);
//! * `verifier.rs`: checking a compact JWS with a published key (josekit has no GOST).

mod alg;
mod material;
mod rotation;
mod verifier;

pub use alg::SigningAlg;
pub use material::GOST_KTY;
pub use rotation::{TOTP_REWRAP_BATCH, TotpBatch, TotpRewrap};

use super::kek::Kek;
use crate::store::keys::SigningKeyRow;
use crate::store::{Store, StoreError};
use material::CertProfile;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use verifier::{Compact, Published};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Kek(#[from] super::kek::KekError),
    #[error("key material: {0}")]
    Jose(String),
    #[error("no active signing key for {0}")]
    NoActiveKey(String),
}

pub(super) fn jose(e: josekit::JoseError) -> KeyError {
    KeyError::Jose(e.to_string())
}

/// ES256 signs with ring, RS256 with josekit, GOST with crypto::gost (see crypto/signer.rs).
type Signer = dyn super::signer::JwsSign;

#[derive(Debug, PartialEq, Eq)]
pub enum Revoked {
    Unknown,
    /// Revoked; `replacement` is the new active key when the revoked one was signing.
    Done {
        replacement: Option<String>,
    },
}

/// A published GOST key's self-signed certificate (ESIA-style portals verify with a certificate).
#[derive(Clone, Debug)]
pub struct PublishedCertificate {
    pub kid: String,
    pub alg: SigningAlg,
    /// `next`, `active` or `retired`.
    pub state: String,
    pub der: Vec<u8>,
}

impl PublishedCertificate {
    pub fn pem(&self) -> String {
        super::gost::certificate::to_pem(&self.der).unwrap_or_default()
    }
}

struct KeySet {
    signers: HashMap<SigningAlg, (String, Arc<Signer>)>,
    /// Every published key (next, active, retired), oldest first.
    published: Vec<Published>,
    /// RS256 and ES256 keys: the JWK Set at jwks_uri.
    jwks: Value,
    /// GOST keys: a JWK Set of their own (see ARCHITECTURE.md, «GOST keys in the JWK Set»).
    gost_jwks: Value,
    certificates: Vec<PublishedCertificate>,
}

#[derive(Clone)]
pub struct Keyring {
    kek: Kek,
    rsa_bits: u32,
    cert: CertProfile,
    set: Arc<RwLock<Arc<KeySet>>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

/// How long the self-signed certificate of a generated or imported GOST key is valid: longer
/// than any key stays published under a sane rotation schedule, short of the 15 years of a
/// CA's own certificate.
const GOST_CERT_VALIDITY_SECS: i64 = 5 * 365 * 86_400;

impl Keyring {
    /// Loads the keys, generating an active key for each algorithm that has none. `issuer` (the
    /// issuer URL) names the subject of the GOST keys' certificates: `CN=<its host>`.
    pub async fn open(
        store: &Store,
        kek: Kek,
        rsa_bits: u32,
        issuer: &str,
    ) -> Result<Keyring, KeyError> {
        let host = url::Url::parse(issuer)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "vhod".into());
        // RFC 4514 escaping is not needed for a host name (letters, digits, '-', '.', ':').
        let ring = Keyring {
            kek,
            rsa_bits,
            cert: CertProfile {
                subject: format!("CN={host}"),
                validity_secs: GOST_CERT_VALIDITY_SECS,
            },
            set: Arc::new(RwLock::new(Arc::new(KeySet {
                signers: HashMap::new(),
                published: Vec::new(),
                jwks: serde_json::json!({"keys": []}),
                gost_jwks: serde_json::json!({"keys": []}),
                certificates: Vec::new(),
            }))),
        };
        let rows = store.published_signing_keys().await?;
        for alg in SigningAlg::ALL {
            if !rows
                .iter()
                .any(|r| r.alg == alg.name() && r.state == "active")
            {
                let row = ring.generate(alg, store.now(), "active")?;
                store.insert_signing_key(&row).await?;
            }
        }
        ring.reload(store).await?;
        Ok(ring)
    }

    fn generate(&self, alg: SigningAlg, now: i64, state: &str) -> Result<SigningKeyRow, KeyError> {
        let m = material::generate(alg, self.rsa_bits, &self.cert, now)?;
        Ok(self.row(alg, m, now, state))
    }

    /// A new key row: fresh kid, `alg`/`use` set on the public JWK, private part sealed under the KEK.
    fn row(&self, alg: SigningAlg, m: material::Material, now: i64, state: &str) -> SigningKeyRow {
        let kid = format!(
            "{}-{}",
            alg.name().to_ascii_lowercase(),
            &super::random_token()[..16]
        );
        let mut public = m.public;
        public.insert("kid".into(), kid.clone().into());
        public.insert("alg".into(), alg.name().into());
        public.insert("use".into(), "sig".into());
        SigningKeyRow {
            kid,
            alg: alg.name().into(),
            state: state.into(),
            private_sealed: self.kek.seal(&m.private),
            public_jwk: Value::Object(public).to_string(),
            created_at: now,
            activated_at: (state == "active").then_some(now),
            retired_at: None,
            revoked_at: None,
        }
    }

    /// Re-reads keys from the store (another node or the CLI may have changed them). Signers whose
    /// key did not change are reused, so the periodic reload costs no decryption.
    pub async fn reload(&self, store: &Store) -> Result<(), KeyError> {
        let rows = store.published_signing_keys().await?;
        let previous = self.current();
        let mut published = Vec::new();
        let mut jwks = Vec::new();
        let mut gost_jwks = Vec::new();
        let mut certificates = Vec::new();
        // The newest active key per algorithm signs (older actives are retired by the lifecycle).
        let mut newest: HashMap<SigningAlg, &SigningKeyRow> = HashMap::new();
        for row in &rows {
            let Some(alg) = SigningAlg::parse(&row.alg) else {
                continue;
            };
            let public: Map<String, Value> = serde_json::from_str(&row.public_jwk)
                .map_err(|e| KeyError::Jose(format!("public JWK of {}: {e}", row.kid)))?;
            let known = previous
                .published
                .iter()
                .find(|p| p.kid == row.kid && p.alg == alg);
            let verifier = match known {
                Some(p) => p.verifier.clone(),
                None => Arc::new(material::verifier(alg, &public)?),
            };
            published.push(Published {
                kid: row.kid.clone(),
                alg,
                verifier,
            });
            if alg.gost_size().is_some()
                && let Some(der) = material::certificate_of(&public)
            {
                certificates.push(PublishedCertificate {
                    kid: row.kid.clone(),
                    alg,
                    state: row.state.clone(),
                    der,
                });
            }
            if alg.gost_size().is_some() {
                gost_jwks.push(Value::Object(public));
            } else {
                jwks.push(Value::Object(public));
            }
            if row.state == "active" {
                let key = (row.activated_at, &row.kid);
                if newest
                    .get(&alg)
                    .is_none_or(|n| (n.activated_at, &n.kid) < key)
                {
                    newest.insert(alg, row);
                }
            }
        }
        let mut signers = HashMap::new();
        for (alg, row) in newest {
            let signer = match previous.signers.get(&alg) {
                Some((kid, s)) if *kid == row.kid => s.clone(),
                _ => {
                    let private = zeroize::Zeroizing::new(self.kek.open(&row.private_sealed)?);
                    material::signer(alg, &private)?
                }
            };
            signers.insert(alg, (row.kid.clone(), signer));
        }
        let set = KeySet {
            signers,
            published,
            jwks: serde_json::json!({ "keys": jwks }),
            gost_jwks: serde_json::json!({ "keys": gost_jwks }),
            certificates,
        };
        *self.set.write().expect("keyring lock") = Arc::new(set);
        Ok(())
    }

    fn current(&self) -> Arc<KeySet> {
        self.set.read().expect("keyring lock").clone()
    }

    /// Seals a small secret (a TOTP seed) under the key-encryption key, like the signing keys.
    pub fn seal_secret(&self, plaintext: &[u8]) -> String {
        self.kek.seal(plaintext)
    }

    /// Opens a secret sealed by [`Self::seal_secret`] (under the current or an older KEK).
    pub fn open_secret(&self, sealed: &str) -> Option<Vec<u8>> {
        self.kek.open(sealed).ok()
    }

    /// The public JWK Set (RFC 7517) as served at jwks_uri: the RS256 and ES256 keys.
    pub fn jwks(&self) -> Value {
        self.current().jwks.clone()
    }

    /// The GOST keys as a JWK Set of their own (`kty` "GOST", not registered; served apart so
    /// that relying parties whose JOSE library fails a whole set on an unknown `kty` are safe).
    pub fn gost_jwks(&self) -> Value {
        self.current().gost_jwks.clone()
    }

    /// Signs `claims` as a JWT with the active key for `alg`, with header `typ`.
    pub fn sign(
        &self,
        alg: SigningAlg,
        typ: &str,
        claims: Map<String, Value>,
    ) -> Result<String, KeyError> {
        let set = self.current();
        let (kid, signer) = set
            .signers
            .get(&alg)
            .ok_or_else(|| KeyError::NoActiveKey(alg.name().into()))?;
        let header = serde_json::json!({ "typ": typ, "alg": signer.alg(), "kid": kid });
        let mut out = super::b64url(&json_bytes(&header));
        out.push('.');
        out.push_str(&super::b64url(&json_bytes(&claims)));
        let signature = signer.sign(out.as_bytes())?;
        out.push('.');
        out.push_str(&super::b64url(&signature));
        Ok(out)
    }

    /// Signs `claims` with the active key for `alg` under exactly `header` plus `alg` (no `kid`):
    /// the ESIA token shape (`{"ver":1,"typ":"JWT","sbt":"access","alg":…}`). Such a token is
    /// checked with `verify_without_kid`.
    pub fn sign_with_header(
        &self,
        alg: SigningAlg,
        mut header: Map<String, Value>,
        claims: Map<String, Value>,
    ) -> Result<String, KeyError> {
        let set = self.current();
        let (_, signer) = set
            .signers
            .get(&alg)
            .ok_or_else(|| KeyError::NoActiveKey(alg.name().into()))?;
        header.insert("alg".into(), Value::String(signer.alg().into()));
        let mut out = super::b64url(&json_bytes(&header));
        out.push('.');
        out.push_str(&super::b64url(&json_bytes(&claims)));
        let signature = signer.sign(out.as_bytes())?;
        out.push('.');
        out.push_str(&super::b64url(&signature));
        Ok(out)
    }

    /// Verifies a JWT without a `kid` (see `sign_with_header`) against every published key of
    /// its algorithm; returns its claims and the header.
    pub fn verify_without_kid(
        &self,
        token: &str,
    ) -> Option<(Map<String, Value>, Map<String, Value>)> {
        let set = self.current();
        let jws = Compact::parse(token)?;
        set.published
            .iter()
            .any(|k| jws.is_signed_by(k))
            .then_some((jws.claims, jws.header))
    }

    /// Verifies a JWT signed by one of our published keys; returns its claims and header `typ`.
    pub fn verify(&self, token: &str) -> Option<(Map<String, Value>, Option<String>)> {
        self.verify_with_kid(token).map(|(c, t, _)| (c, t))
    }

    /// As `verify`, also returning the `kid` that signed it. The token must name the key by `kid`.
    pub fn verify_with_kid(
        &self,
        token: &str,
    ) -> Option<(Map<String, Value>, Option<String>, String)> {
        let set = self.current();
        let jws = Compact::parse(token)?;
        let kid = jws.kid()?;
        let key = set.published.iter().find(|k| k.kid == kid)?;
        if !jws.is_signed_by(key) {
            return None;
        }
        let typ = jws.typ();
        let kid = key.kid.clone();
        Some((jws.claims, typ, kid))
    }

    /// The self-signed certificates of the published GOST keys (next, active, retired), oldest
    /// first.
    pub fn gost_certificates(&self) -> Vec<PublishedCertificate> {
        self.current().certificates.clone()
    }
}

/// A JWS header's or payload's JSON, compact (what `Value`'s `Display` writes, without going
/// through a formatter).
fn json_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serialises")
}
