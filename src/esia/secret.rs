//! The ESIA client_secret: a raw GOST R 34.10-2012 (256) signature, made with the client's key,
//! over a concatenation of request parameters (no separators), in base64. The public client
//! libraries disagree on the details, so every variant they use is accepted:
//! - encoding: base64url without padding, base64url with padding, standard base64 (and standard
//!   base64 whose `+` a form decoder turned into a space);
//! - byte order: OpenSSL's (`s‖r`, big-endian) and CryptoPro's (the whole value reversed);
//! - the timestamp: any UTC offset (see [`super::timestamp`]).
//!
//! The signing strings (what is concatenated) are built by the endpoints.

use super::errors::EsiaError;
use crate::clients::esia::{EsiaCertificate, EsiaClient, certificate_hash};
use crate::crypto::gost;
use crate::crypto::qes::cms;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// Which protocol a request speaks: `v2` (a raw GOST signature) or the old one, for clients
/// registered as legacy (a detached CMS signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2,
    Legacy,
}

/// The old protocol's client_secret: a detached CMS SignedData (DER, in any of the encodings
/// above) over `message`, by a certificate registered for the client.
pub fn check_legacy(client: &EsiaClient, message: &str, secret: &str) -> Result<(), EsiaError> {
    use x509_cert::der::Encode;
    let der = decode(secret).ok_or(EsiaError::Secret)?;
    let signed = cms::verify_detached(&der, message.as_bytes()).map_err(|_| EsiaError::Secret)?;
    let signer = signed.signer.to_der().map_err(|_| EsiaError::Secret)?;
    client
        .certificate(&certificate_hash(&signer))
        .map(|_| ())
        .ok_or(EsiaError::Certificate)
}

/// The signature bytes of a client_secret in any of the accepted encodings.
pub fn decode(secret: &str) -> Option<Vec<u8>> {
    let s = secret.trim();
    // A legacy secret is a CMS with the signer's certificate: a few kilobytes.
    if s.is_empty() || s.len() > 16 * 1024 {
        return None;
    }
    let plus = s.replace(' ', "+");
    [
        URL_SAFE_NO_PAD.decode(s),
        URL_SAFE.decode(s),
        STANDARD.decode(&plus),
        STANDARD_NO_PAD.decode(&plus),
    ]
    .into_iter()
    .find_map(Result::ok)
}

/// Whether `signature` (either byte order) verifies over `message` with the certificate's key.
pub fn verifies(cert: &EsiaCertificate, message: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = cert.verifying_key() else {
        return false;
    };
    if key.verify(message, signature).is_ok() {
        return true;
    }
    gost::signature_from_cryptopro(signature).is_ok_and(|s| key.verify(message, &s).is_ok())
}

/// Which certificates a request may be checked with: the one `client_certificate_hash` names
/// (any case), or — when an older library sends no hash — every valid one.
pub fn candidates<'a>(
    client: &'a EsiaClient,
    hash: Option<&str>,
) -> Result<Vec<&'a EsiaCertificate>, EsiaError> {
    match hash {
        Some(h) => client
            .certificate(h.trim())
            .map(|c| vec![c])
            .ok_or(EsiaError::Certificate),
        None if client.certificates.is_empty() => Err(EsiaError::Certificate),
        None => Ok(client.certificates.iter().collect()),
    }
}

/// Checks `secret` over any of `messages` (the signing-string conventions in use) with any of
/// `certs`.
pub fn check(
    certs: &[&EsiaCertificate],
    messages: &[String],
    secret: &str,
) -> Result<(), EsiaError> {
    let signature = decode(secret).ok_or(EsiaError::Secret)?;
    if signature.len() != 64 {
        return Err(EsiaError::Secret);
    }
    let ok = certs.iter().any(|c| {
        messages
            .iter()
            .any(|m| verifies(c, m.as_bytes(), &signature))
    });
    if ok { Ok(()) } else { Err(EsiaError::Secret) }
}
