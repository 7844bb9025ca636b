//! Qualified electronic signature (QES): the pure verification of a detached CMS signature over a
//! login challenge — signature, path to a trusted CA (keys/trust/ or `qes.trust_dir`), validity,
//! key usage, revocation (CRLs) — and the SNILS the certificate names (OID 1.2.643.100.3).
//! The login and binding flows built on it are in `authn/qes/`.

pub mod algorithms;
pub mod chain;
pub mod cms;
pub mod crl;
pub mod sign;

use crate::types::validation::Snils;
use std::sync::Arc;
use x509_cert::Certificate;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, DecodePem, Tag, Tagged};

/// SNILS in a qualified certificate's subject (Order of the FSB No. 795).
pub const OID_SNILS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.3");

/// Why a signature was refused. Each maps to a message the person sees (web/i18n `qes.err.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QesError {
    #[error("not a readable CMS SignedData with one signer and detached content")]
    BadCms,
    #[error("the signer's certificate is not in the signature")]
    NoSignerCertificate,
    #[error("signature or certificate algorithm not supported")]
    UnsupportedAlgorithm,
    #[error("the signature is not over this challenge")]
    WrongChallenge,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("no path to a trusted certification authority")]
    Untrusted,
    #[error("a certificate in the path is expired or not yet valid")]
    Expired,
    #[error("the certificate's key usage does not allow signing")]
    KeyUsage,
    #[error("the certificate is revoked")]
    Revoked,
    #[error("no current revocation list for the certificate's issuer")]
    RevocationUnknown,
    #[error("the certificate names no valid SNILS")]
    NoSnils,
}

impl QesError {
    /// The i18n key of the message shown to the person.
    pub fn message_key(self) -> &'static str {
        match self {
            QesError::BadCms | QesError::NoSignerCertificate => "qes.err.bad_cms",
            QesError::UnsupportedAlgorithm => "qes.err.algorithm",
            QesError::WrongChallenge | QesError::BadSignature => "qes.err.signature",
            QesError::Untrusted => "qes.err.untrusted",
            QesError::Expired => "qes.err.expired",
            QesError::KeyUsage => "qes.err.key_usage",
            QesError::Revoked => "qes.err.revoked",
            QesError::RevocationUnknown => "qes.err.revocation_unknown",
            QesError::NoSnils => "qes.err.no_snils",
        }
    }
}

/// What a verified signature tells about its signer.
#[derive(Debug, Clone)]
pub struct Verified {
    pub snils: Snils,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub fingerprint: String,
    /// The subject's text attributes as (dotted OID, value): OGRN, INN and the organisation's name
    /// of a certificate issued to a legal entity's head (`orgs` reads them).
    pub attributes: Vec<(String, String)>,
}

/// Trusted CAs and revocation lists; one per node (cheap to clone).
#[derive(Clone, Debug, Default)]
pub struct Qes {
    anchors: Arc<Vec<Certificate>>,
    crls: crl::CrlCache,
}

impl Qes {
    /// Loads every certificate (PEM, possibly several per file, or DER) in `dir`. A missing
    /// directory means no trusted CA: signature login then refuses every certificate.
    pub fn load(dir: &str) -> anyhow::Result<Qes> {
        let mut anchors = Vec::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Qes::default());
            }
            Err(e) => anyhow::bail!("qes.trust_dir {dir}: {e}"),
        };
        for entry in entries {
            let path = entry?.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "pem" | "crt" | "cer" | "der") {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            let found = parse_certificates(&bytes);
            if found.is_empty() {
                anyhow::bail!("qes.trust_dir: {} holds no certificate", path.display());
            }
            anchors.extend(found);
        }
        Ok(Qes {
            anchors: Arc::new(anchors),
            crls: Default::default(),
        })
    }

    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// The complete check of a detached signature over `challenge`; `now` is unix seconds.
    pub async fn verify(
        &self,
        config: &crate::config::Qes,
        http: &crate::outbound::Outbound,
        signature: &[u8],
        challenge: &[u8],
        now: i64,
    ) -> Result<Verified, QesError> {
        let der = cms::decode_input(signature)?;
        let signed = cms::verify_detached(&der, challenge)?;
        let path = chain::build(&signed.signer, &signed.others, &self.anchors, now)?;
        let sources: Vec<String> = config
            .crls
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let crls = self
            .crls
            .current(http, &sources, config.crl_refresh_secs, now)
            .await;
        crl::check_path(&path, &crls, config.require_crl, now)?;
        describe(&signed.signer)
    }
}

/// PEM (one or more "CERTIFICATE" blocks) or a single DER certificate.
pub fn parse_certificates(bytes: &[u8]) -> Vec<Certificate> {
    if let Ok(c) = Certificate::from_der(bytes) {
        return vec![c];
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let tail = &rest[start..];
        let Some(end) = tail.find("-----END CERTIFICATE-----") else {
            break;
        };
        let block = &tail[..end + "-----END CERTIFICATE-----".len()];
        if let Ok(c) = Certificate::from_pem(block.as_bytes()) {
            out.push(c);
        }
        rest = &tail[block.len()..];
    }
    out
}

/// The SNILS named in the subject: NumericString (or another string type) of 11 digits.
pub fn snils_of(cert: &Certificate) -> Option<Snils> {
    subject_attributes(cert)
        .into_iter()
        .filter(|(oid, _)| *oid == OID_SNILS.to_string())
        .find_map(|(_, text)| text.parse().ok())
}

/// The subject's attributes held as text (Numeric, Printable, UTF-8 or IA5 strings).
pub fn subject_attributes(cert: &Certificate) -> Vec<(String, String)> {
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter_map(|atv| {
            let text = match atv.value.tag() {
                Tag::NumericString | Tag::PrintableString | Tag::Utf8String | Tag::Ia5String => {
                    std::str::from_utf8(atv.value.value()).ok()?
                }
                _ => return None,
            };
            Some((atv.oid.to_string(), text.to_string()))
        })
        .collect()
}

fn describe(cert: &Certificate) -> Result<Verified, QesError> {
    let tbs = &cert.tbs_certificate;
    Ok(Verified {
        snils: snils_of(cert).ok_or(QesError::NoSnils)?,
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial: hex::encode(tbs.serial_number.as_bytes()),
        fingerprint: cms::fingerprint(cert),
        attributes: subject_attributes(cert),
    })
}

#[cfg(test)]
mod tests;
