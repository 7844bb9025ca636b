//! The signing side, for `vhod sign-challenge`: a detached CMS SignedData over a challenge with a
//! PEM certificate and its PKCS#8 private key (ECDSA P-256, RSA, or GOST R 34.10-2012 256/512 as
//! OpenSSL's gost engine writes it), the way a person's signing software would make one: signed
//! attributes (content type, message digest), SHA-256 — or, for a GOST key, Streebog of the key's
//! size, with the key algorithm as the signature algorithm, as `openssl cms -sign` with the engine
//! and CryptoPro write it. Production signatures come from the person's own token and software.

use crate::crypto::gost;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::der::Encode;
use x509_cert::der::asn1::{Any, OctetString, SetOfVec};
use x509_cert::der::oid::db::{rfc5911, rfc5912};
use x509_cert::spki::AlgorithmIdentifierOwned;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};

/// DER of a detached signature over `challenge` by `cert_pem`'s key, attaching `chain_pem`
/// (intermediate certificates, may be empty).
pub fn sign_detached(
    challenge: &[u8],
    cert_pem: &[u8],
    key_pem: &[u8],
    chain_pem: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let cert = super::parse_certificates(cert_pem)
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no certificate in the certificate file"))?;
    let (label, pkcs8) = x509_cert::der::pem::decode_vec(key_pem)
        .map_err(|e| anyhow::anyhow!("private key: {e}"))?;
    anyhow::ensure!(
        label == "PRIVATE KEY",
        "the private key must be PKCS#8 (\"BEGIN PRIVATE KEY\"); convert it with `openssl pkcs8 -topk8 -nocrypt`"
    );
    let key_oid = cert.tbs_certificate.subject_public_key_info.algorithm.oid;
    let digest_oid = if key_oid == gost::OID_GOST3410_2012_256 {
        gost::OID_STREEBOG256
    } else if key_oid == gost::OID_GOST3410_2012_512 {
        gost::OID_STREEBOG512
    } else {
        rfc5912::ID_SHA_256
    };
    let digest = super::algorithms::digest(&digest_oid, challenge)
        .ok_or_else(|| anyhow::anyhow!("no digest for {digest_oid}"))?;
    let attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
        Attribute {
            oid: rfc5911::ID_CONTENT_TYPE,
            values: SetOfVec::try_from(vec![Any::encode_from(&rfc5911::ID_DATA)?])?,
        },
        Attribute {
            oid: rfc5911::ID_MESSAGE_DIGEST,
            values: SetOfVec::try_from(vec![Any::encode_from(&OctetString::new(digest)?)?])?,
        },
    ])?;
    let to_sign = attrs.to_der()?;
    let (signature, signature_algorithm) = key_sign(&cert, &pkcs8, &to_sign)?;
    let digest_alg = AlgorithmIdentifierOwned {
        oid: digest_oid,
        parameters: None,
    };
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let mut certs = vec![CertificateChoices::Certificate(cert)];
    certs.extend(
        super::parse_certificates(chain_pem)
            .into_iter()
            .map(CertificateChoices::Certificate),
    );
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer])?),
    };
    Ok(ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&sd)?,
    }
    .to_der()?)
}

fn key_sign(
    cert: &Certificate,
    pkcs8: &[u8],
    message: &[u8],
) -> anyhow::Result<(Vec<u8>, AlgorithmIdentifierOwned)> {
    let rng = ring::rand::SystemRandom::new();
    let key_oid = cert.tbs_certificate.subject_public_key_info.algorithm.oid;
    if key_oid == rfc5912::ID_EC_PUBLIC_KEY {
        let key = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            pkcs8,
            &rng,
        )
        .map_err(|e| anyhow::anyhow!("ECDSA P-256 private key: {e}"))?;
        let sig = key
            .sign(&rng, message)
            .map_err(|_| anyhow::anyhow!("signing failed"))?;
        Ok((
            sig.as_ref().to_vec(),
            AlgorithmIdentifierOwned {
                oid: rfc5912::ECDSA_WITH_SHA_256,
                parameters: None,
            },
        ))
    } else if key_oid == rfc5912::RSA_ENCRYPTION {
        let key = ring::signature::RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|e| anyhow::anyhow!("RSA private key: {e}"))?;
        let mut sig = vec![0; key.public().modulus_len()];
        key.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
            .map_err(|_| anyhow::anyhow!("signing failed"))?;
        Ok((
            sig,
            AlgorithmIdentifierOwned {
                oid: rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(Any::encode_from(&x509_cert::der::asn1::Null)?),
            },
        ))
    } else if key_oid == gost::OID_GOST3410_2012_256 || key_oid == gost::OID_GOST3410_2012_512 {
        let key = gost::SigningKey::from_pkcs8_der(pkcs8)
            .map_err(|e| anyhow::anyhow!("GOST private key: {e}"))?;
        let spki = x509_cert::der::Encode::to_der(&cert.tbs_certificate.subject_public_key_info)?;
        anyhow::ensure!(
            gost::VerifyingKey::from_spki_der(&spki).ok() == Some(key.verifying_key()),
            "the GOST private key does not belong to the certificate"
        );
        let sig = key
            .sign(message)
            .map_err(|e| anyhow::anyhow!("GOST signing failed: {e}"))?;
        Ok((
            sig,
            AlgorithmIdentifierOwned {
                oid: key_oid,
                parameters: None,
            },
        ))
    } else {
        anyhow::bail!(
            "unsupported key type {key_oid} (ECDSA P-256, RSA and GOST R 34.10-2012 are supported)"
        )
    }
}
