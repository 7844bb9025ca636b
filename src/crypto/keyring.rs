//! The keyring: signing keys loaded from the store, decrypted with the KEK, as josekit signers and
//! verifiers. Generated on first start (RS256 and ES256), so a fresh install signs at once.

use super::kek::Kek;
use crate::store::keys::SigningKeyRow;
use crate::store::{Store, StoreError};
use josekit::jwk::Jwk;
use josekit::jws::{ES256, JwsVerifier, RS256};
use josekit::jwt;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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

/// A ring P-256 key from a private JWK: the scalar `d` and the point `x`, `y`.
fn es256_ring_key(private: &Jwk) -> Result<ring::signature::EcdsaKeyPair, KeyError> {
    use base64::Engine;
    use josekit::jwk::KeyPair;
    // The stored private JWK may omit the public point; derive it.
    let public = josekit::jwk::alg::ec::EcKeyPair::from_jwk(private)
        .map_err(jose)?
        .to_jwk_public_key();
    let part = |name: &str| {
        private
            .parameter(name)
            .or_else(|| public.parameter(name))
            .and_then(Value::as_str)
            .and_then(|v| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(v)
                    .ok()
            })
            .ok_or_else(|| KeyError::Jose(format!("ES256 key: no `{name}`")))
    };
    let mut point = vec![4u8];
    point.extend(part("x")?);
    point.extend(part("y")?);
    ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &part("d")?,
        &point,
        &ring::rand::SystemRandom::new(),
    )
    .map_err(|e| KeyError::Jose(format!("ES256 key: {e}")))
}

fn jose(e: josekit::JoseError) -> KeyError {
    KeyError::Jose(e.to_string())
}

/// Algorithms vhod can sign with today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SigningAlg {
    #[default]
    Rs256,
    Es256,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 2] = [SigningAlg::Rs256, SigningAlg::Es256];

    pub fn name(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
        }
    }

    pub fn parse(s: &str) -> Option<SigningAlg> {
        Self::ALL.into_iter().find(|a| a.name() == s)
    }
}

/// ES256 signs with ring, RS256 with josekit (see crypto/signer.rs); verification is josekit's.
type Signer = dyn super::signer::JwsSign;

#[derive(Debug, PartialEq, Eq)]
pub enum Revoked {
    Unknown,
    /// Revoked; `replacement` is the new active key when the revoked one was signing.
    Done {
        replacement: Option<String>,
    },
}

struct KeySet {
    signers: HashMap<SigningAlg, (String, Arc<Signer>)>,
    verifiers: HashMap<String, Box<dyn JwsVerifier>>,
    /// The same published keys, verifying tokens that carry no `kid` (ESIA's shape).
    kidless: Vec<Box<dyn JwsVerifier>>,
    jwks: Value,
}

#[derive(Clone)]
pub struct Keyring {
    kek: Kek,
    rsa_bits: u32,
    set: Arc<RwLock<Arc<KeySet>>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

impl Keyring {
    /// Loads the keys, generating an active key for each algorithm that has none.
    pub async fn open(store: &Store, kek: Kek, rsa_bits: u32) -> Result<Keyring, KeyError> {
        let ring = Keyring {
            kek,
            rsa_bits,
            set: Arc::new(RwLock::new(Arc::new(KeySet {
                signers: HashMap::new(),
                verifiers: HashMap::new(),
                kidless: Vec::new(),
                jwks: serde_json::json!({"keys": []}),
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
        let (private, public) = match alg {
            SigningAlg::Rs256 => {
                let kp = RS256.generate_key_pair(self.rsa_bits).map_err(jose)?;
                (kp.to_jwk_private_key(), kp.to_jwk_public_key())
            }
            SigningAlg::Es256 => {
                let kp = ES256.generate_key_pair().map_err(jose)?;
                (kp.to_jwk_private_key(), kp.to_jwk_public_key())
            }
        };
        Ok(self.row(alg, private, public, now, state))
    }

    /// A new key row: fresh kid, `alg`/`use` set, private part sealed under the KEK.
    fn row(
        &self,
        alg: SigningAlg,
        mut private: Jwk,
        mut public: Jwk,
        now: i64,
        state: &str,
    ) -> SigningKeyRow {
        let kid = format!(
            "{}-{}",
            alg.name().to_ascii_lowercase(),
            &super::random_token()[..16]
        );
        for jwk in [&mut private, &mut public] {
            jwk.set_key_id(&kid);
            jwk.set_algorithm(alg.name());
            jwk.set_key_use("sig");
        }
        SigningKeyRow {
            kid,
            alg: alg.name().into(),
            state: state.into(),
            private_sealed: self.kek.seal(private.to_string().as_bytes()),
            public_jwk: public.to_string(),
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
        let mut verifiers: HashMap<String, Box<dyn JwsVerifier>> = HashMap::new();
        let mut kidless: Vec<Box<dyn JwsVerifier>> = Vec::new();
        let mut published = Vec::new();
        // The newest active key per algorithm signs (older actives are retired by the lifecycle).
        let mut newest: HashMap<SigningAlg, &SigningKeyRow> = HashMap::new();
        for row in &rows {
            let Some(alg) = SigningAlg::parse(&row.alg) else {
                continue;
            };
            let public = Jwk::from_bytes(row.public_jwk.as_bytes()).map_err(jose)?;
            let verifier: Box<dyn JwsVerifier> = match alg {
                SigningAlg::Rs256 => Box::new(RS256.verifier_from_jwk(&public).map_err(jose)?),
                SigningAlg::Es256 => Box::new(ES256.verifier_from_jwk(&public).map_err(jose)?),
            };
            verifiers.insert(row.kid.clone(), verifier);
            let mut anonymous = public.clone();
            anonymous.set_parameter("kid", None).map_err(jose)?;
            kidless.push(match alg {
                SigningAlg::Rs256 => Box::new(RS256.verifier_from_jwk(&anonymous).map_err(jose)?),
                SigningAlg::Es256 => Box::new(ES256.verifier_from_jwk(&anonymous).map_err(jose)?),
            });
            published.push(Value::Object(public.as_ref().clone()));
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
                    let private_json = self.kek.open(&row.private_sealed)?;
                    let private = Jwk::from_bytes(&private_json).map_err(jose)?;
                    let signer: Arc<Signer> = match alg {
                        SigningAlg::Rs256 => Arc::new(super::signer::Jose(Box::new(
                            RS256.signer_from_jwk(&private).map_err(jose)?,
                        ))),
                        SigningAlg::Es256 => {
                            Arc::new(super::signer::RingEs256(es256_ring_key(&private)?))
                        }
                    };
                    signer
                }
            };
            signers.insert(alg, (row.kid.clone(), signer));
        }
        let set = KeySet {
            signers,
            verifiers,
            kidless,
            jwks: serde_json::json!({ "keys": published }),
        };
        *self.set.write().expect("keyring lock") = Arc::new(set);
        Ok(())
    }

    /// A new key for `alg`: published at once as `next` (it starts signing after the
    /// pre-publication period), or active immediately with `now` (the old one retires).
    /// Stores a new key; with `now` it signs at once and the previous key of its algorithm retires.
    async fn install(
        &self,
        store: &Store,
        row: SigningKeyRow,
        now: bool,
        keep_retired: i64,
    ) -> Result<String, KeyError> {
        store.insert_signing_key(&row).await?;
        if now {
            store.retire_other_active_keys(&row.alg, &row.kid).await?;
            store
                .advance_key_lifecycle(i64::MAX / 4, keep_retired)
                .await?;
        }
        self.reload(store).await?;
        Ok(row.kid)
    }

    pub async fn rotate(
        &self,
        store: &Store,
        alg: SigningAlg,
        now: bool,
        keep_retired: i64,
    ) -> Result<String, KeyError> {
        let row = self.generate(alg, store.now(), if now { "active" } else { "next" })?;
        self.install(store, row, now, keep_retired).await
    }

    /// Imports an existing private key (PEM, PKCS#8 or traditional) as the next key of its algorithm,
    /// or as the active one with `now`; returns its kid.
    pub async fn import_pem(
        &self,
        store: &Store,
        alg: SigningAlg,
        pem: &[u8],
        now: bool,
        keep_retired: i64,
    ) -> Result<String, KeyError> {
        let (private, public) = match alg {
            SigningAlg::Rs256 => {
                let kp = RS256.key_pair_from_pem(pem).map_err(jose)?;
                (kp.to_jwk_private_key(), kp.to_jwk_public_key())
            }
            SigningAlg::Es256 => {
                let kp = ES256.key_pair_from_pem(pem).map_err(jose)?;
                (kp.to_jwk_private_key(), kp.to_jwk_public_key())
            }
        };
        let row = self.row(
            alg,
            private,
            public,
            store.now(),
            if now { "active" } else { "next" },
        );
        self.install(store, row, now, keep_retired).await
    }

    /// Moves every stored key (revoked ones too) under `new` in one transaction; returns how many.
    pub async fn rewrap(&self, store: &Store, new: &Kek) -> Result<usize, KeyError> {
        let mut resealed = Vec::new();
        for row in store.all_signing_keys().await? {
            let private = self.kek.open(&row.private_sealed)?;
            resealed.push((row.kid, new.seal(&private)));
        }
        store.reseal_signing_keys(&resealed).await?;
        Ok(resealed.len())
    }

    /// Moves every authenticator-app (TOTP) secret under `new`, like [`Self::rewrap`]; returns how many.
    pub async fn rewrap_totp(&self, store: &Store, new: &Kek) -> Result<usize, KeyError> {
        let mut resealed = Vec::new();
        for (account_id, sealed) in store.all_totp_secrets().await? {
            let secret = self.kek.open(&sealed)?;
            resealed.push((account_id, new.seal(&secret)));
        }
        store.reseal_totp_secrets(&resealed).await?;
        Ok(resealed.len())
    }

    /// Revokes `kid`; if it was signing, a fresh active key of its algorithm takes over at once.
    pub async fn revoke(&self, store: &Store, kid: &str) -> Result<Revoked, KeyError> {
        // RETURNING gives the new state; whether it was signing is read first.
        let was_active = store
            .published_signing_keys()
            .await?
            .iter()
            .any(|r| r.kid == kid && r.state == "active");
        let Some(row) = store.revoke_signing_key(kid).await? else {
            return Ok(Revoked::Unknown);
        };
        let mut replacement = None;
        if was_active && let Some(alg) = SigningAlg::parse(&row.alg) {
            let still_active = store
                .published_signing_keys()
                .await?
                .iter()
                .any(|r| r.alg == row.alg && r.state == "active");
            if !still_active {
                let fresh = self.generate(alg, store.now(), "active")?;
                store.insert_signing_key(&fresh).await?;
                replacement = Some(fresh.kid);
            }
        }
        self.reload(store).await?;
        Ok(Revoked::Done { replacement })
    }

    fn current(&self) -> Arc<KeySet> {
        self.set.read().expect("keyring lock").clone()
    }

    /// The public JWK Set (RFC 7517) as served at jwks_uri.
    /// Seals a small secret (a TOTP seed) under the key-encryption key, like the signing keys.
    pub fn seal_secret(&self, plaintext: &[u8]) -> String {
        self.kek.seal(plaintext)
    }

    /// Opens a secret sealed by [`Self::seal_secret`] (under the current or an older KEK).
    pub fn open_secret(&self, sealed: &str) -> Option<Vec<u8>> {
        self.kek.open(sealed).ok()
    }

    pub fn jwks(&self) -> Value {
        self.current().jwks.clone()
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
        let mut out = super::b64url(header.to_string().as_bytes());
        out.push('.');
        out.push_str(&super::b64url(Value::Object(claims).to_string().as_bytes()));
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
        let mut out = super::b64url(Value::Object(header).to_string().as_bytes());
        out.push('.');
        out.push_str(&super::b64url(Value::Object(claims).to_string().as_bytes()));
        let signature = signer.sign(out.as_bytes())?;
        out.push('.');
        out.push_str(&super::b64url(&signature));
        Ok(out)
    }

    /// Verifies a JWT without a `kid` (see `sign_with_header`) against every published key;
    /// returns its claims and the header.
    pub fn verify_without_kid(
        &self,
        token: &str,
    ) -> Option<(Map<String, Value>, Map<String, Value>)> {
        let set = self.current();
        set.kidless.iter().find_map(|verifier| {
            let (payload, header) = jwt::decode_with_verifier(token, verifier.as_ref()).ok()?;
            Some((payload.claims_set().clone(), header.claims_set().clone()))
        })
    }

    /// Verifies a JWT signed by one of our published keys; returns its claims and header `typ`.
    pub fn verify(&self, token: &str) -> Option<(Map<String, Value>, Option<String>)> {
        self.verify_with_kid(token).map(|(c, t, _)| (c, t))
    }

    /// As `verify`, also returning the `kid` that signed it.
    pub fn verify_with_kid(
        &self,
        token: &str,
    ) -> Option<(Map<String, Value>, Option<String>, String)> {
        let set = self.current();
        let (payload, header) = jwt::decode_with_verifier_selector(token, |header| {
            Ok(header
                .key_id()
                .and_then(|kid| set.verifiers.get(kid))
                .map(|v| v.as_ref()))
        })
        .ok()?;
        Some((
            payload.claims_set().clone(),
            header.token_type().map(str::to_owned),
            header.key_id().unwrap_or_default().to_string(),
        ))
    }
}
