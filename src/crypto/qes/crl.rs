//! Certificate revocation lists, configured as a list of file paths and http(s) URLs
//! (`qes.crls`). Each list is matched to its CA by issuer name and signature, kept in memory and
//! fetched again after `qes.crl_refresh_secs` or once its nextUpdate has passed. A list that cannot
//! be fetched again is kept until then; after that the status is unknown and login is refused.

use super::QesError;
use crate::outbound::Outbound;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::der::{Decode, Encode};

#[derive(Clone, Debug, Default)]
pub struct CrlCache {
    lists: Arc<Mutex<HashMap<String, Fetched>>>,
}

#[derive(Clone, Debug)]
struct Fetched {
    at: i64,
    crl: Arc<CertificateList>,
}

/// Parses a CRL in DER or PEM ("X509 CRL").
pub fn parse(bytes: &[u8]) -> Option<CertificateList> {
    CertificateList::from_der(bytes).ok().or_else(|| {
        let (label, der) = x509_cert::der::pem::decode_vec(bytes).ok()?;
        (label == "X509 CRL")
            .then(|| CertificateList::from_der(&der).ok())
            .flatten()
    })
}

/// The largest CRL accepted (a national CA's list can run to megabytes).
const MAX_CRL_BYTES: usize = 16 * 1024 * 1024;

async fn fetch(http: &Outbound, source: &str) -> Option<CertificateList> {
    let bytes = if source.starts_with("http://") || source.starts_with("https://") {
        match http.get_limited(source, MAX_CRL_BYTES).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(source = %source, error = %e, "CRL fetch failed");
                return None;
            }
        }
    } else {
        tokio::fs::read(source).await.ok()?
    };
    parse(&bytes)
}

fn next_update(crl: &CertificateList) -> Option<i64> {
    crl.tbs_cert_list
        .next_update
        .map(|t| t.to_unix_duration().as_secs() as i64)
}

impl CrlCache {
    /// Every configured list, fetched when missing or due.
    pub async fn current(
        &self,
        http: &Outbound,
        sources: &[String],
        refresh_secs: i64,
        now: i64,
    ) -> Vec<Arc<CertificateList>> {
        let mut out = Vec::new();
        for source in sources {
            let cached = self.lists.lock().expect("crl cache").get(source).cloned();
            let due = match &cached {
                None => true,
                Some(f) => {
                    now - f.at >= refresh_secs || next_update(&f.crl).is_some_and(|n| n < now)
                }
            };
            let fresh = if due { fetch(http, source).await } else { None };
            match (fresh, cached) {
                (Some(crl), _) => {
                    let crl = Arc::new(crl);
                    self.lists.lock().expect("crl cache").insert(
                        source.clone(),
                        Fetched {
                            at: now,
                            crl: crl.clone(),
                        },
                    );
                    out.push(crl);
                }
                (None, Some(old)) => {
                    if due {
                        tracing::warn!(source = %source, "CRL could not be refreshed; keeping the previous one");
                    }
                    out.push(old.crl);
                }
                (None, None) => tracing::warn!(source = %source, "CRL could not be fetched"),
            }
        }
        out
    }
}

/// Checks every certificate of `path` (except the trust anchor at its end) against a current CRL
/// signed by its issuer. Without one the status is unknown, which is a refusal when `required`.
pub fn check_path(
    path: &[Certificate],
    crls: &[Arc<CertificateList>],
    required: bool,
    now: i64,
) -> Result<(), QesError> {
    for pair in path.windows(2) {
        let (cert, issuer) = (&pair[0], &pair[1]);
        let list = crls.iter().find(|crl| {
            crl.tbs_cert_list.issuer == issuer.tbs_certificate.subject
                && signed_by(crl, issuer)
                && next_update(crl).is_none_or(|n| n >= now)
        });
        match list {
            Some(crl) => {
                let revoked = crl
                    .tbs_cert_list
                    .revoked_certificates
                    .iter()
                    .flatten()
                    .any(|r| r.serial_number == cert.tbs_certificate.serial_number);
                if revoked {
                    return Err(QesError::Revoked);
                }
            }
            None if required => return Err(QesError::RevocationUnknown),
            None => {}
        }
    }
    Ok(())
}

fn signed_by(crl: &CertificateList, issuer: &Certificate) -> bool {
    let Ok(tbs) = crl.tbs_cert_list.to_der() else {
        return false;
    };
    let Some(sig) = crl.signature.as_bytes() else {
        return false;
    };
    super::algorithms::lookup(&crl.signature_algorithm.oid, None)
        .is_some_and(|alg| alg.verify(&issuer.tbs_certificate.subject_public_key_info, &tbs, sig))
}
