//! Key material per algorithm: generating and importing keys, the signer built from the sealed
//! private part, the verifier built from the published public part.
//!
//! What is sealed under the KEK: a private JWK (RS256, ES256) or the PKCS#8 PEM exactly as
//! OpenSSL's gost engine writes it (GOST). What is published: the public JWK; for GOST in the
//! shape documented in ARCHITECTURE.md («GOST keys in the JWK Set»):
//! `{"kty":"GOST","crv":<parameter-set OID>,"x","y":<big-endian coordinates, base64url>,
//! "x5c":[<self-signed certificate>],"x5t#S256",…}`.

use super::verifier::Verifier;
use super::{KeyError, SigningAlg, jose};
use crate::crypto::gost::{self, SigningKey, VerifyingKey};
use crate::crypto::signer::{self, JwsSign};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use josekit::jwk::Jwk;
use josekit::jws::{ES256, RS256};
use serde_json::{Map, Value};
use std::sync::Arc;
use zeroize::Zeroizing;

/// A new key before it gets its kid and row.
pub(super) struct Material {
    pub private: Zeroizing<Vec<u8>>,
    pub public: Map<String, Value>,
}

/// Who the self-signed certificate of a GOST key names, and for how long it is valid.
#[derive(Clone, Debug)]
pub(super) struct CertProfile {
    /// RFC 4514 subject, `CN=<issuer host>`.
    pub subject: String,
    pub validity_secs: i64,
}

/// The kty vhod publishes GOST keys under (not registered at IANA; see ARCHITECTURE.md).
pub const GOST_KTY: &str = "GOST";

fn gost_err(e: gost::GostError) -> KeyError {
    KeyError::Jose(format!("GOST key: {e}"))
}

fn from_jose(private: &Jwk, public: &Jwk) -> Material {
    Material {
        private: Zeroizing::new(private.to_string().into_bytes()),
        public: public.as_ref().clone(),
    }
}

/// A fresh key for `alg`.
pub(super) fn generate(
    alg: SigningAlg,
    rsa_bits: u32,
    cert: &CertProfile,
    now: i64,
) -> Result<Material, KeyError> {
    match alg {
        SigningAlg::Rs256 => {
            let kp = RS256.generate_key_pair(rsa_bits).map_err(jose)?;
            Ok(from_jose(&kp.to_jwk_private_key(), &kp.to_jwk_public_key()))
        }
        SigningAlg::Es256 => {
            let kp = ES256.generate_key_pair().map_err(jose)?;
            Ok(from_jose(&kp.to_jwk_private_key(), &kp.to_jwk_public_key()))
        }
        SigningAlg::Gost256 | SigningAlg::Gost512 => {
            let ps = alg
                .own_param_set()
                .expect("GOST algorithms have a parameter set");
            gost_material(SigningKey::generate(ps).map_err(gost_err)?, cert, now)
        }
    }
}

/// An existing private key (PEM) for `alg`: PKCS#8 or traditional for RS256/ES256; PKCS#8 as
/// OpenSSL's gost engine writes it for GOST (any parameter set of the right size).
pub(super) fn import(
    alg: SigningAlg,
    pem: &[u8],
    cert: &CertProfile,
    now: i64,
) -> Result<Material, KeyError> {
    match alg {
        SigningAlg::Rs256 => {
            let kp = RS256.key_pair_from_pem(pem).map_err(jose)?;
            Ok(from_jose(&kp.to_jwk_private_key(), &kp.to_jwk_public_key()))
        }
        SigningAlg::Es256 => {
            let kp = ES256.key_pair_from_pem(pem).map_err(jose)?;
            Ok(from_jose(&kp.to_jwk_private_key(), &kp.to_jwk_public_key()))
        }
        SigningAlg::Gost256 | SigningAlg::Gost512 => {
            let text = std::str::from_utf8(pem)
                .map_err(|_| KeyError::Jose("GOST key: the PEM is not text".into()))?;
            let key = SigningKey::from_pkcs8_pem(text).map_err(gost_err)?;
            let size = key.param_set().key_size();
            if SigningAlg::of_gost_size(size) != alg {
                return Err(KeyError::Jose(format!(
                    "GOST key: a {size:?} key cannot sign {}",
                    alg.name()
                )));
            }
            gost_material(key, cert, now)
        }
    }
}

fn gost_material(key: SigningKey, cert: &CertProfile, now: i64) -> Result<Material, KeyError> {
    let public = key.verifying_key();
    let serial = {
        // Positive and 16 bytes: random, as RFC 5280 §4.1.2.2 advises.
        let mut s = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut s);
        s[0] = (s[0] & 0x7f) | 0x40;
        s
    };
    let cert_der = gost::certificate::self_signed(
        &key,
        &cert.subject,
        &serial,
        now - 60,
        now + cert.validity_secs,
    )
    .map_err(gost_err)?;
    let (x, y) = public.coordinates_be();
    let mut jwk = Map::new();
    jwk.insert("kty".into(), GOST_KTY.into());
    jwk.insert("crv".into(), public.param_set().oid().to_string().into());
    jwk.insert("x".into(), URL_SAFE_NO_PAD.encode(x).into());
    jwk.insert("y".into(), URL_SAFE_NO_PAD.encode(y).into());
    jwk.insert(
        "x5c".into(),
        Value::Array(vec![STANDARD.encode(&cert_der).into()]),
    );
    jwk.insert(
        "x5t#S256".into(),
        URL_SAFE_NO_PAD
            .encode(ring::digest::digest(&ring::digest::SHA256, &cert_der))
            .into(),
    );
    let pem = key.to_pkcs8_pem().map_err(gost_err)?;
    Ok(Material {
        private: Zeroizing::new(pem.as_bytes().to_vec()),
        public: jwk,
    })
}

/// The DER certificate a published GOST JWK carries in `x5c`.
pub(super) fn certificate_of(public: &Map<String, Value>) -> Option<Vec<u8>> {
    let first = public.get("x5c")?.as_array()?.first()?.as_str()?;
    STANDARD.decode(first).ok()
}

/// The verifier of a published key.
pub(super) fn verifier(alg: SigningAlg, public: &Map<String, Value>) -> Result<Verifier, KeyError> {
    match alg {
        SigningAlg::Rs256 | SigningAlg::Es256 => {
            let mut jwk = Jwk::from_map(public.clone()).map_err(jose)?;
            // The kid is the keyring's business, not the verifier's.
            jwk.set_parameter("kid", None).map_err(jose)?;
            Ok(Verifier::Jose(match alg {
                SigningAlg::Rs256 => Box::new(RS256.verifier_from_jwk(&jwk).map_err(jose)?),
                _ => Box::new(ES256.verifier_from_jwk(&jwk).map_err(jose)?),
            }))
        }
        SigningAlg::Gost256 | SigningAlg::Gost512 => {
            let cert = certificate_of(public)
                .ok_or_else(|| KeyError::Jose("GOST key: no x5c certificate".into()))?;
            let key = VerifyingKey::from_certificate_der(&cert).map_err(gost_err)?;
            if alg.gost_size() != Some(key.param_set().key_size()) {
                return Err(KeyError::Jose("GOST key: size does not match alg".into()));
            }
            Ok(Verifier::Gost(key))
        }
    }
}

/// The signer of an active key from its opened private part.
pub(super) fn signer(alg: SigningAlg, private: &[u8]) -> Result<Arc<dyn JwsSign>, KeyError> {
    Ok(match alg {
        SigningAlg::Rs256 => {
            let jwk = Jwk::from_bytes(private).map_err(jose)?;
            Arc::new(signer::Jose(Box::new(
                RS256.signer_from_jwk(&jwk).map_err(jose)?,
            )))
        }
        SigningAlg::Es256 => {
            let jwk = Jwk::from_bytes(private).map_err(jose)?;
            Arc::new(signer::RingEs256(es256_ring_key(&jwk)?))
        }
        SigningAlg::Gost256 | SigningAlg::Gost512 => {
            let text = std::str::from_utf8(private)
                .map_err(|_| KeyError::Jose("GOST key: sealed key is not PEM".into()))?;
            let key = SigningKey::from_pkcs8_pem(text).map_err(gost_err)?;
            Arc::new(signer::Gost::new(key))
        }
    })
}

/// A ring P-256 key from a private JWK: the scalar `d` and the point `x`, `y`.
fn es256_ring_key(private: &Jwk) -> Result<ring::signature::EcdsaKeyPair, KeyError> {
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
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
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
