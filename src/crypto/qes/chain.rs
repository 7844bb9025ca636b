//! Certification path from the signer's certificate to a trusted CA: names chain, each signature
//! verifies with the issuer's key, every certificate is within its validity period, CAs are CAs,
//! and the signer's key may sign (digitalSignature or nonRepudiation).

use super::QesError;
use super::algorithms;
use x509_cert::Certificate;
use x509_cert::der::Encode;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

/// Longest path accepted (signer + intermediates), so a loop of cross-signed CAs ends.
const MAX_DEPTH: usize = 6;

/// True when `issuer`'s key signed `cert` and the names match.
pub fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = cert.signature.as_bytes() else {
        return false;
    };
    algorithms::lookup(&cert.signature_algorithm.oid, None)
        .is_some_and(|alg| alg.verify(&issuer.tbs_certificate.subject_public_key_info, &tbs, sig))
}

fn valid_at(cert: &Certificate, now: i64) -> bool {
    let v = &cert.tbs_certificate.validity;
    let from = v.not_before.to_unix_duration().as_secs() as i64;
    let to = v.not_after.to_unix_duration().as_secs() as i64;
    from <= now && now <= to
}

fn is_ca(cert: &Certificate) -> bool {
    let basic = matches!(
        cert.tbs_certificate.get::<BasicConstraints>(),
        Ok(Some((_, bc))) if bc.ca
    );
    let may_sign_certs = match cert.tbs_certificate.get::<KeyUsage>() {
        Ok(Some((_, ku))) => ku.0.contains(KeyUsages::KeyCertSign),
        Ok(None) => true,
        Err(_) => false,
    };
    basic && may_sign_certs
}

/// The path from `signer` up to (and including) a trust anchor: `[signer, intermediates…, anchor]`.
pub fn build(
    signer: &Certificate,
    attached: &[Certificate],
    anchors: &[Certificate],
    now: i64,
) -> Result<Vec<Certificate>, QesError> {
    match signer.tbs_certificate.get::<KeyUsage>() {
        Ok(Some((_, ku)))
            if ku.0.contains(KeyUsages::DigitalSignature)
                || ku.0.contains(KeyUsages::NonRepudiation) => {}
        _ => return Err(QesError::KeyUsage),
    }
    let mut path = vec![signer.clone()];
    loop {
        let current = path.last().expect("path starts with the signer");
        if let Some(anchor) = anchors.iter().find(|a| issued_by(current, a)) {
            path.push(anchor.clone());
            break;
        }
        if path.len() >= MAX_DEPTH {
            return Err(QesError::Untrusted);
        }
        let next = attached
            .iter()
            .find(|c| is_ca(c) && !path.contains(c) && issued_by(current, c))
            .ok_or(QesError::Untrusted)?;
        path.push(next.clone());
    }
    if path.iter().any(|c| !valid_at(c, now)) {
        return Err(QesError::Expired);
    }
    Ok(path)
}
