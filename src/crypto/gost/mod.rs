//! GOST R 34.10-2012 signatures (256- and 512-bit) and GOST R 34.11-2012 (Streebog) hashing,
//! in pure Rust on `crypto-bigint` and `streebog`.
//!
//! # API
//! * [`ParamSet`]: the parameter sets with their OIDs — TC26 256-bit A–D, CryptoPro A/B/C,
//!   XchA/XchB, TC26 512-bit A–C, and the two test sets of the standard's worked examples.
//! * [`SigningKey`]: [`generate`](SigningKey::generate), [`from_pkcs8_der`](SigningKey::from_pkcs8_der)
//!   / [`from_pkcs8_pem`](SigningKey::from_pkcs8_pem) and back, [`sign`](SigningKey::sign)
//!   (Streebog of the key's size, then sign), [`sign_digest`](SigningKey::sign_digest),
//!   [`verifying_key`](SigningKey::verifying_key).
//! * [`VerifyingKey`]: from/to SubjectPublicKeyInfo (DER or PEM), from a certificate,
//!   [`verify`](VerifyingKey::verify), [`verify_digest`](VerifyingKey::verify_digest).
//! * [`verify_certificate_signature`]: checks a certificate signed with GOST R 34.10-2012.
//! * [`streebog256`], [`streebog512`]; [`signature_to_cryptopro`] / [`signature_from_cryptopro`].
//!
//! Every malformed input is an `Err(GostError)`; nothing here panics on input.
//!
//! # Formats
//! * Digest → integer: `e` is the Streebog digest read as a **little-endian** integer, mod `q`
//!   (`e = 0` becomes 1), as OpenSSL's gost engine and CryptoPro do.
//! * Signature: **`s‖r`, each big-endian**, 64 bytes (256-bit keys) or 128 bytes (512-bit) —
//!   what `openssl dgst -sign` writes and what the certificate BIT STRING holds. CryptoPro
//!   (CAPI/CSP) writes the same bytes reversed (`r‖s`, each little-endian);
//!   [`signature_to_cryptopro`] and [`signature_from_cryptopro`] convert.
//! * Keys: see the notes at the top of `keys.rs` — little-endian coordinates and private key, the
//!   parameter-set OID (and digest OID where OpenSSL writes one) in the algorithm parameters.
//!
//! # Side channels
//! Signing and key derivation are constant time: a fixed-base comb with constant-time table
//! selection over complete projective formulas (`comb.rs`, `point.rs`), constant-time inversion
//! and reductions. The nonce is hedged: fresh randomness mixed with HMAC-SHA-512 of the key and
//! the digest (`sign.rs`, which also says why not HMAC-Streebog). Verification handles only
//! public values and is variable time.
//!
//! # Speed
//! `benches/signing.rs`. Per-curve comb tables (60 KiB per 256-bit curve, 240 KiB per 512-bit
//! curve) are built on first use of the curve in the process (a few tens of milliseconds).

pub mod certificate;
mod comb;
mod curves;
mod field;
mod keys;
mod point;
mod sign;
mod verify;

#[cfg(test)]
mod tests;

use crypto_bigint::{U256, U512};
use streebog::{Digest, Streebog256, Streebog512};
use zeroize::Zeroizing;

pub use curves::{
    KeySize, OID_GOST3410_2012_256, OID_GOST3410_2012_512, OID_SIGN_WITH_STREEBOG256,
    OID_SIGN_WITH_STREEBOG512, OID_STREEBOG256, OID_STREEBOG512, ParamSet,
};

use curves::Curve;

const N256: usize = U256::LIMBS;
const N512: usize = U512::LIMBS;

/// Everything that can go wrong; malformed input of any kind lands here, never in a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GostError {
    #[error("malformed DER: {0}")]
    Der(String),
    #[error("malformed PEM, or not the expected PEM label")]
    Pem,
    #[error("unsupported algorithm or digest OID {0}")]
    UnsupportedAlgorithm(String),
    #[error("unsupported GOST R 34.10-2012 parameter set OID {0}")]
    UnsupportedParamSet(String),
    #[error("key size does not match the algorithm or parameter set")]
    KeySizeMismatch,
    #[error("invalid public key: {0}")]
    InvalidPublicKey(&'static str),
    #[error("invalid private key (must be 0 < d < q)")]
    InvalidPrivateKey,
    #[error("signature must be {expected} bytes, got {got}")]
    SignatureLength { expected: usize, got: usize },
    #[error("digest must be {expected} bytes, got {got}")]
    DigestLength { expected: usize, got: usize },
    #[error("signature does not verify")]
    BadSignature,
    #[error("certificate: {0}")]
    Certificate(&'static str),
    #[error("the operating system's random number generator failed")]
    Rng,
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// Streebog-256 (GOST R 34.11-2012, 256-bit output), bytes in the order the hash emits them.
pub fn streebog256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Streebog256::digest(data));
    out
}

/// Streebog-512 (GOST R 34.11-2012, 512-bit output).
pub fn streebog512(data: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out.copy_from_slice(&Streebog512::digest(data));
    out
}

/// Streebog of the size that goes with `size` (what [`SigningKey::sign`] hashes with).
pub fn streebog_for(size: KeySize, data: &[u8]) -> Vec<u8> {
    match size {
        KeySize::Bits256 => streebog256(data).to_vec(),
        KeySize::Bits512 => streebog512(data).to_vec(),
    }
}

fn check_signature_len(sig: &[u8]) -> Result<(), GostError> {
    match sig.len() {
        64 | 128 => Ok(()),
        got => Err(GostError::SignatureLength {
            expected: if got > 64 { 128 } else { 64 },
            got,
        }),
    }
}

/// OpenSSL form (`s‖r`, big-endian) → CryptoPro form: the whole buffer reversed, which is
/// `r‖s` with each half little-endian. 64 or 128 bytes.
pub fn signature_to_cryptopro(openssl_sig: &[u8]) -> Result<Vec<u8>, GostError> {
    check_signature_len(openssl_sig)?;
    Ok(openssl_sig.iter().rev().copied().collect())
}

/// CryptoPro form (`r‖s`, each little-endian) → OpenSSL form (`s‖r`, big-endian).
pub fn signature_from_cryptopro(cryptopro_sig: &[u8]) -> Result<Vec<u8>, GostError> {
    signature_to_cryptopro(cryptopro_sig)
}

fn pem_decode(pem: &str, label: &str) -> Result<Vec<u8>, GostError> {
    let (got, der) = der::pem::decode_vec(pem.as_bytes()).map_err(|_| GostError::Pem)?;
    if got == label {
        Ok(der)
    } else {
        Err(GostError::Pem)
    }
}

fn pem_encode(label: &'static str, der: &[u8]) -> Result<String, GostError> {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).map_err(|_| GostError::Pem)
}

enum Secret {
    S256(Box<sign::SecretKey<N256>>),
    S512(Box<sign::SecretKey<N512>>),
}

/// A GOST R 34.10-2012 private key with its parameter set and public key.
pub struct SigningKey {
    ps: ParamSet,
    secret: Secret,
    public: VerifyingKey,
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("param_set", &self.ps)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    fn from_secret(ps: ParamSet, secret: Secret) -> Result<Self, GostError> {
        let public = match &secret {
            Secret::S256(k) => {
                let (x, y) = k.public_point()?;
                Public::P256(Box::new(verify::PublicKey::from_fe(k.curve, x, y)?))
            }
            Secret::S512(k) => {
                let (x, y) = k.public_point()?;
                Public::P512(Box::new(verify::PublicKey::from_fe(k.curve, x, y)?))
            }
        };
        Ok(SigningKey {
            ps,
            secret,
            public: VerifyingKey { ps, public },
        })
    }

    /// A new random key on `ps`.
    pub fn generate(ps: ParamSet) -> Result<Self, GostError> {
        let secret = match ps.key_size() {
            KeySize::Bits256 => {
                let c = Curve::new(ps)?;
                let t = comb::table_256(ps, &c)?;
                Secret::S256(Box::new(sign::SecretKey::generate(c, t)?))
            }
            KeySize::Bits512 => {
                let c = Curve::new(ps)?;
                let t = comb::table_512(ps, &c)?;
                Secret::S512(Box::new(sign::SecretKey::generate(c, t)?))
            }
        };
        Self::from_secret(ps, secret)
    }

    /// From the private key `d` as little-endian bytes (32 or 64); requires `0 < d < q`.
    pub fn from_bytes_le(ps: ParamSet, d_le: &[u8]) -> Result<Self, GostError> {
        let secret = match ps.key_size() {
            KeySize::Bits256 => {
                let c = Curve::new(ps)?;
                let t = comb::table_256(ps, &c)?;
                Secret::S256(Box::new(sign::SecretKey::from_le_bytes(c, t, d_le)?))
            }
            KeySize::Bits512 => {
                let c = Curve::new(ps)?;
                let t = comb::table_512(ps, &c)?;
                Secret::S512(Box::new(sign::SecretKey::from_le_bytes(c, t, d_le)?))
            }
        };
        Self::from_secret(ps, secret)
    }

    /// From PKCS#8 DER as OpenSSL's gost engine writes it (see `keys.rs` for the forms read).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, GostError> {
        let (ps, d) = keys::decode_pkcs8(der)?;
        Self::from_bytes_le(ps, &d)
    }

    /// From a `-----BEGIN PRIVATE KEY-----` PEM block.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, GostError> {
        let der = Zeroizing::new(pem_decode(pem, "PRIVATE KEY")?);
        Self::from_pkcs8_der(&der)
    }

    /// `d` as little-endian bytes.
    pub fn to_bytes_le(&self) -> Zeroizing<Vec<u8>> {
        match &self.secret {
            Secret::S256(k) => k.to_le_bytes(),
            Secret::S512(k) => k.to_le_bytes(),
        }
    }

    /// PKCS#8 DER, byte for byte what OpenSSL's gost engine writes for the same key.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, GostError> {
        keys::encode_pkcs8(self.ps, &self.to_bytes_le())
    }

    /// PKCS#8 PEM (`PRIVATE KEY`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, GostError> {
        Ok(Zeroizing::new(pem_encode(
            "PRIVATE KEY",
            &self.to_pkcs8_der()?,
        )?))
    }

    pub fn param_set(&self) -> ParamSet {
        self.ps
    }

    /// The public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.public.clone()
    }

    /// Hashes `msg` with Streebog of the key's size and signs: `s‖r`, big-endian.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, GostError> {
        self.sign_digest(&streebog_for(self.ps.key_size(), msg))
    }

    /// Signs a Streebog digest (32 bytes for 256-bit keys, 64 for 512-bit): `s‖r`, big-endian.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, GostError> {
        match &self.secret {
            Secret::S256(k) => k.sign_digest(digest),
            Secret::S512(k) => k.sign_digest(digest),
        }
    }
}

#[derive(Clone)]
enum Public {
    P256(Box<verify::PublicKey<N256>>),
    P512(Box<verify::PublicKey<N512>>),
}

/// A validated GOST R 34.10-2012 public key (on the curve, of order `q`).
#[derive(Clone)]
pub struct VerifyingKey {
    ps: ParamSet,
    public: Public,
}

impl core::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (x, y) = self.coordinates_be();
        f.debug_struct("VerifyingKey")
            .field("param_set", &self.ps)
            .field("x", &hex::encode_upper(x))
            .field("y", &hex::encode_upper(y))
            .finish()
    }
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.ps == other.ps && self.to_xy_le() == other.to_xy_le()
    }
}

impl Eq for VerifyingKey {}

impl VerifyingKey {
    /// From the public point `x‖y`, each coordinate little-endian (32 or 64 bytes each).
    pub fn from_xy_le(ps: ParamSet, xy: &[u8]) -> Result<Self, GostError> {
        let public = match ps.key_size() {
            KeySize::Bits256 => Public::P256(Box::new(verify::PublicKey::from_le_xy(
                Curve::new(ps)?,
                xy,
            )?)),
            KeySize::Bits512 => Public::P512(Box::new(verify::PublicKey::from_le_xy(
                Curve::new(ps)?,
                xy,
            )?)),
        };
        Ok(VerifyingKey { ps, public })
    }

    /// `x‖y`, each little-endian: the content of the SPKI's OCTET STRING.
    pub fn to_xy_le(&self) -> Vec<u8> {
        match &self.public {
            Public::P256(k) => k.to_le_xy(),
            Public::P512(k) => k.to_le_xy(),
        }
    }

    /// The affine coordinates `(x, y)`, each big-endian (as `openssl pkey -text` prints them).
    pub fn coordinates_be(&self) -> (Vec<u8>, Vec<u8>) {
        match &self.public {
            Public::P256(k) => {
                let (x, y) = k.coordinates();
                (field::uint_to_be(&x), field::uint_to_be(&y))
            }
            Public::P512(k) => {
                let (x, y) = k.coordinates();
                (field::uint_to_be(&x), field::uint_to_be(&y))
            }
        }
    }

    /// From DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, GostError> {
        let (ps, xy) = keys::decode_spki(der)?;
        Self::from_xy_le(ps, &xy)
    }

    /// From a `-----BEGIN PUBLIC KEY-----` PEM block.
    pub fn from_public_key_pem(pem: &str) -> Result<Self, GostError> {
        Self::from_spki_der(&pem_decode(pem, "PUBLIC KEY")?)
    }

    /// DER SubjectPublicKeyInfo, as OpenSSL's gost engine writes it.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, GostError> {
        keys::encode_spki(self.ps, &self.to_xy_le())
    }

    /// PEM (`PUBLIC KEY`).
    pub fn to_public_key_pem(&self) -> Result<String, GostError> {
        pem_encode("PUBLIC KEY", &self.to_spki_der()?)
    }

    /// The subject public key of a DER certificate (which must be a GOST 2012 key).
    pub fn from_certificate_der(cert_der: &[u8]) -> Result<Self, GostError> {
        use der::{Decode, Encode};
        let cert = x509_cert::Certificate::from_der(cert_der)
            .map_err(|e| GostError::Der(e.to_string()))?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| GostError::Der(e.to_string()))?;
        Self::from_spki_der(&spki)
    }

    /// The subject public key of a `-----BEGIN CERTIFICATE-----` PEM block.
    pub fn from_certificate_pem(pem: &str) -> Result<Self, GostError> {
        Self::from_certificate_der(&pem_decode(pem, "CERTIFICATE")?)
    }

    pub fn param_set(&self) -> ParamSet {
        self.ps
    }

    /// Checks `signature` (`s‖r`, big-endian) over Streebog(`msg`) of the key's size.
    pub fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), GostError> {
        self.verify_digest(&streebog_for(self.ps.key_size(), msg), signature)
    }

    /// Checks `signature` (`s‖r`, big-endian) over a Streebog digest of the key's size.
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> Result<(), GostError> {
        match &self.public {
            Public::P256(k) => k.verify_digest(digest, signature),
            Public::P512(k) => k.verify_digest(digest, signature),
        }
    }
}

/// Checks the signature of a DER certificate signed with GOST R 34.10-2012
/// (`id-tc26-signwithdigest-gost3410-12-256` / `-512`) against the issuer's key: Streebog of
/// the TBSCertificate bytes, signature BIT STRING = `s‖r` big-endian. For a self-signed
/// certificate pass the certificate's own key ([`VerifyingKey::from_certificate_der`]).
pub fn verify_certificate_signature(
    cert_der: &[u8],
    issuer_key: &VerifyingKey,
) -> Result<(), GostError> {
    let parts = keys::decode_certificate(cert_der)?;
    if parts.size != issuer_key.ps.key_size() {
        return Err(GostError::KeySizeMismatch);
    }
    issuer_key.verify(&parts.tbs, &parts.signature)
}
