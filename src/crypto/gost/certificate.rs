//! Issuing X.509 certificates signed with GOST R 34.10-2012 (RFC 9215 §3, RFC 5280): the
//! self-signed certificate vhod publishes for each of its GOST token keys (ESIA publishes a
//! certificate, not a JWK, and portals written against it verify with one), and, for tests and
//! tools, certificates issued by a GOST CA key.
//!
//! The `TBSCertificate` is assembled from `x509-cert` types, DER-encoded, hashed with Streebog of
//! the issuer key's size and signed; the signature BIT STRING is `s‖r` big-endian, as OpenSSL's
//! engine writes and [`super::verify_certificate_signature`] reads.

use std::str::FromStr;
use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, OctetString, UtcTime};
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use super::{GostError, SigningKey, VerifyingKey};

/// What a certificate says about its subject.
#[derive(Debug, Clone)]
pub struct CertificateParams<'a> {
    /// RFC 4514 string, e.g. `CN=id.example.org` or `CN=Иванов Иван,1.2.643.100.3=11223344595`
    /// (attributes named by OID are UTF8String).
    pub subject: &'a str,
    /// Positive serial number, big-endian, at most 20 bytes.
    pub serial: &'a [u8],
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    /// A CA certificate (basicConstraints CA, keyCertSign) or an end-entity signing one
    /// (digitalSignature, nonRepudiation).
    pub ca: bool,
}

fn der_err(e: der::Error) -> GostError {
    GostError::Der(e.to_string())
}

/// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after.
fn time(unix: i64) -> Result<Time, GostError> {
    let secs = u64::try_from(unix).map_err(|_| GostError::Certificate("time before 1970"))?;
    let d = Duration::from_secs(secs);
    if secs < 2_524_608_000 {
        Ok(Time::UtcTime(
            UtcTime::from_unix_duration(d).map_err(der_err)?,
        ))
    } else {
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(d).map_err(der_err)?,
        ))
    }
}

fn extension(
    oid: der::asn1::ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, GostError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(der_err)?).map_err(der_err)?,
    })
}

/// A certificate for `subject_key` described by `params`, signed by `issuer` whose name is
/// `issuer_name` (RFC 4514; for a self-signed certificate the subject). DER.
pub fn issue(
    issuer: &SigningKey,
    issuer_name: &str,
    subject_key: &VerifyingKey,
    params: &CertificateParams<'_>,
) -> Result<Vec<u8>, GostError> {
    let subject = Name::from_str(params.subject).map_err(der_err)?;
    let issuer_name = Name::from_str(issuer_name).map_err(der_err)?;
    let spki_der = subject_key.to_spki_der()?;
    let spki = SubjectPublicKeyInfoOwned::from_der(&spki_der).map_err(der_err)?;
    // RFC 5280 §4.2.1.2 method (1) with the hash of the key's own family.
    let key_id = &super::streebog256(&subject_key.to_xy_le())[..20];
    let usage = if params.ca {
        KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyCertSign | KeyUsages::CRLSign)
    } else {
        KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation)
    };
    let basic = BasicConstraints {
        ca: params.ca,
        path_len_constraint: None,
    };
    let extensions = vec![
        extension(BasicConstraints::OID, true, &basic)?,
        extension(KeyUsage::OID, true, &usage)?,
        extension(
            SubjectKeyIdentifier::OID,
            false,
            &SubjectKeyIdentifier(OctetString::new(key_id).map_err(der_err)?),
        )?,
    ];
    let algorithm = AlgorithmIdentifierOwned {
        oid: issuer.param_set().key_size().signature_algorithm_oid(),
        parameters: None,
    };
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(params.serial).map_err(der_err)?,
        signature: algorithm.clone(),
        issuer: issuer_name,
        validity: Validity {
            not_before: time(params.not_before)?,
            not_after: time(params.not_after)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = issuer.sign(&tbs.to_der().map_err(der_err)?)?;
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature).map_err(der_err)?,
    }
    .to_der()
    .map_err(der_err)
}

/// A self-signed certificate for `key` (RFC 4514 `subject`), valid from `not_before` to
/// `not_after`. It is a CA certificate (it signs itself), so `openssl verify -CAfile` takes it as
/// its own trust anchor.
pub fn self_signed(
    key: &SigningKey,
    subject: &str,
    serial: &[u8],
    not_before: i64,
    not_after: i64,
) -> Result<Vec<u8>, GostError> {
    issue(
        key,
        subject,
        &key.verifying_key(),
        &CertificateParams {
            subject,
            serial,
            not_before,
            not_after,
            ca: true,
        },
    )
}

/// PEM (`CERTIFICATE`) of a DER certificate.
pub fn to_pem(der: &[u8]) -> Result<String, GostError> {
    super::pem_encode("CERTIFICATE", der)
}
