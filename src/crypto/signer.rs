//! The signing seam. The keyring builds the JWS (header, payload, base64url) and asks a `JwsSign`
//! for the raw signature, so a key that never leaves a hardware module can sign too.
//!
//! Adding an HSM (PKCS#11): implement `JwsSign` with a session to the module — `C_SignInit` with
//! `CKM_ECDSA` over the SHA-256 of the input (ES256; the module returns r‖s, which is the JWS form),
//! or `CKM_SHA256_RSA_PKCS` (RS256) — and let the keyring build it for rows whose `private_sealed`
//! holds a key *reference* (token label + key id) instead of sealed key material. Nothing else in
//! vhod signs, so no other code changes.

use super::keyring::KeyError;
use josekit::jws::JwsSigner;

pub trait JwsSign: Send + Sync {
    /// The JWS `alg` this key signs with.
    fn alg(&self) -> &'static str;
    /// The signature over `signing_input` (ASCII "header.payload"), as JWS wants it.
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// ES256 with ring: constant-time P-256 in assembly, about twice as fast as the OpenSSL path per
/// call (benches: `cargo run --release --example hotpath`).
pub struct RingEs256(pub ring::signature::EcdsaKeyPair);

impl JwsSign for RingEs256 {
    fn alg(&self) -> &'static str {
        "ES256"
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = ring::rand::SystemRandom::new();
        self.0
            .sign(&rng, signing_input)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| KeyError::Jose("ES256 signing failed".into()))
    }
}

/// Any josekit signer (RS256 today).
pub struct Jose(pub Box<dyn JwsSigner>);

impl JwsSign for Jose {
    fn alg(&self) -> &'static str {
        match self.0.algorithm().name() {
            "RS256" => "RS256",
            "PS256" => "PS256",
            "ES256" => "ES256",
            _ => "unknown",
        }
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.0
            .sign(signing_input)
            .map_err(|e| KeyError::Jose(e.to_string()))
    }
}

/// GOST R 34.10-2012 with vhod's constant-time signer (`crypto::gost`): Streebog of the key's size
/// over the signing input, signature `s‖r` big-endian (what OpenSSL writes and ESIA's verifiers
/// read). `GOST3410_2012_256` or `GOST3410_2012_512` by the key's size.
pub struct Gost {
    key: super::gost::SigningKey,
    alg: &'static str,
}

impl Gost {
    pub fn new(key: super::gost::SigningKey) -> Gost {
        let alg = match key.param_set().key_size() {
            super::gost::KeySize::Bits256 => "GOST3410_2012_256",
            super::gost::KeySize::Bits512 => "GOST3410_2012_512",
        };
        Gost { key, alg }
    }
}

impl JwsSign for Gost {
    fn alg(&self) -> &'static str {
        self.alg
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.key
            .sign(signing_input)
            .map_err(|e| KeyError::Jose(format!("GOST signing failed: {e}")))
    }
}
