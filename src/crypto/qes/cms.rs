//! Detached CMS SignedData (RFC 5652): parse it, find the signer's certificate among the attached
//! ones, and check that the signature covers the challenge.

use super::QesError;
use super::algorithms;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use x509_cert::Certificate;
use x509_cert::der::asn1::OctetString;
use x509_cert::der::oid::db::rfc5911;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::SubjectKeyIdentifier;

/// A signature whose bytes check out against the challenge: the signer's certificate and any
/// other certificates the signer attached (candidates for intermediates).
#[derive(Debug)]
pub struct Signed {
    pub signer: Certificate,
    pub others: Vec<Certificate>,
}

/// The signature as pasted: base64 (with or without PEM armour and line breaks) or raw DER.
pub fn decode_input(input: &[u8]) -> Result<Vec<u8>, QesError> {
    use base64::Engine;
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let text = std::str::from_utf8(input).map_err(|_| QesError::BadCms)?;
    let body: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("-----"))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&body)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&body))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&body))
        .map_err(|_| QesError::BadCms)
}

/// Verifies a detached signature over `challenge`.
pub fn verify_detached(der: &[u8], challenge: &[u8]) -> Result<Signed, QesError> {
    let info = ContentInfo::from_der(der).map_err(|_| QesError::BadCms)?;
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(QesError::BadCms);
    }
    let sd: SignedData = info.content.decode_as().map_err(|_| QesError::BadCms)?;
    if sd.encap_content_info.econtent.is_some() {
        // An attached signature carries its own content; login wants the challenge detached.
        return Err(QesError::BadCms);
    }
    let mut signers = sd.signer_infos.0.iter();
    let (Some(si), None) = (signers.next(), signers.next()) else {
        return Err(QesError::BadCms);
    };
    let certs: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let idx = certs
        .iter()
        .position(|c| identifies(&si.sid, c))
        .ok_or(QesError::NoSignerCertificate)?;
    let signer = certs[idx].clone();
    let others = certs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != idx)
        .map(|(_, c)| c)
        .collect();
    let message = signed_message(si, challenge)?;
    let alg = algorithms::lookup(&si.signature_algorithm.oid, Some(&si.digest_alg.oid))
        .ok_or(QesError::UnsupportedAlgorithm)?;
    let key = &signer.tbs_certificate.subject_public_key_info;
    if !alg.verify(key, &message, si.signature.as_bytes()) {
        return Err(if si.signed_attrs.is_none() {
            // Without signed attributes the signature is over the content itself: a mismatch
            // means either another challenge or a forged signature; both are refusals.
            QesError::WrongChallenge
        } else {
            QesError::BadSignature
        });
    }
    Ok(Signed { signer, others })
}

fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == cert.tbs_certificate.issuer
                && ias.serial_number == cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => matches!(
            cert.tbs_certificate.get::<SubjectKeyIdentifier>(),
            Ok(Some((_, own))) if own == *ski
        ),
    }
}

/// The bytes the signature covers: the DER SET OF signed attributes when present (after checking
/// that their messageDigest is the challenge's digest), otherwise the challenge itself.
fn signed_message(si: &SignerInfo, challenge: &[u8]) -> Result<Vec<u8>, QesError> {
    let Some(attrs) = &si.signed_attrs else {
        return Ok(challenge.to_vec());
    };
    let expected =
        algorithms::digest(&si.digest_alg.oid, challenge).ok_or(QesError::UnsupportedAlgorithm)?;
    let mut digest_seen = false;
    for attr in attrs.iter() {
        if attr.oid == rfc5911::ID_MESSAGE_DIGEST {
            let mut values = attr.values.iter();
            let (Some(v), None) = (values.next(), values.next()) else {
                return Err(QesError::BadCms);
            };
            let got: OctetString = v.decode_as().map_err(|_| QesError::BadCms)?;
            if got.as_bytes() != expected.as_slice() {
                return Err(QesError::WrongChallenge);
            }
            digest_seen = true;
        } else if attr.oid == rfc5911::ID_CONTENT_TYPE {
            let ok = attr.values.iter().all(|v| {
                v.decode_as::<x509_cert::der::asn1::ObjectIdentifier>().ok()
                    == Some(rfc5911::ID_DATA)
            });
            if !ok {
                return Err(QesError::BadCms);
            }
        }
    }
    if !digest_seen {
        return Err(QesError::BadCms);
    }
    attrs.to_der().map_err(|_| QesError::BadCms)
}

/// SHA-256 of the certificate's DER, hex: how a bound certificate is recognised.
pub fn fingerprint(cert: &Certificate) -> String {
    let der = cert.to_der().unwrap_or_default();
    hex::encode(ring::digest::digest(&ring::digest::SHA256, &der))
}
