//! DER forms of GOST keys and certificates (RFC 9215, RFC 4491, and what OpenSSL's gost
//! engine writes):
//!
//! * `AlgorithmIdentifier`: `id-tc26-gost3410-12-256` / `-512` with parameters
//!   `GostR3410-2012-PublicKeyParameters ::= SEQUENCE { publicKeyParamSet OID,
//!   digestParamSet OID OPTIONAL, encryptionParamSet OID OPTIONAL }`. Read: the digest OID may
//!   be absent, and if present must be the Streebog of the key's size; an encryption OID is
//!   ignored. Written: the digest OID exactly when [`ParamSet::writes_digest_oid`] says so.
//! * SubjectPublicKeyInfo: the BIT STRING holds an OCTET STRING with `x‖y`, each little-endian.
//! * PKCS#8 (`PrivateKeyInfo` v1): the `privateKey` OCTET STRING holds `d` little-endian,
//!   32 or 64 bytes, as the engine writes. Also read: that value wrapped once more in an
//!   OCTET STRING, or a DER INTEGER (big-endian), as older OpenSSL versions wrote.
//! * Certificates: `signatureAlgorithm` `id-tc26-signwithdigest-gost3410-12-256` / `-512`,
//!   the signature BIT STRING is `s‖r` big-endian over Streebog of the DER TBSCertificate.

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode, Reader, SliceReader};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::GostError;
use super::curves::{KeySize, ParamSet};

fn der_err(e: der::Error) -> GostError {
    GostError::Der(e.to_string())
}

/// The parameter set named by a GOST `AlgorithmIdentifier`.
pub(super) fn param_set_from_algorithm(
    alg: &AlgorithmIdentifierRef<'_>,
) -> Result<ParamSet, GostError> {
    let size = if alg.oid == KeySize::Bits256.key_algorithm_oid() {
        KeySize::Bits256
    } else if alg.oid == KeySize::Bits512.key_algorithm_oid() {
        KeySize::Bits512
    } else {
        return Err(GostError::UnsupportedAlgorithm(alg.oid.to_string()));
    };
    let params = alg
        .parameters
        .ok_or(GostError::Der("GOST key parameters missing".into()))?;
    let oids =
        Vec::<ObjectIdentifier>::from_der(&params.to_der().map_err(der_err)?).map_err(der_err)?;
    let (set_oid, digest) = match oids.as_slice() {
        [set] => (set, None),
        [set, digest] | [set, digest, _] => (set, Some(digest)),
        _ => {
            return Err(GostError::Der(
                "bad GostR3410-2012-PublicKeyParameters".into(),
            ));
        }
    };
    let ps = ParamSet::from_oid(set_oid)
        .ok_or_else(|| GostError::UnsupportedParamSet(set_oid.to_string()))?;
    if ps.key_size() != size {
        return Err(GostError::KeySizeMismatch);
    }
    if let Some(d) = digest
        && *d != size.digest_oid()
    {
        return Err(GostError::UnsupportedAlgorithm(d.to_string()));
    }
    Ok(ps)
}

/// DER of `GostR3410-2012-PublicKeyParameters` for `ps`.
fn params_der(ps: ParamSet) -> Result<Vec<u8>, GostError> {
    let mut oids = vec![ps.oid()];
    if ps.writes_digest_oid() {
        oids.push(ps.key_size().digest_oid());
    }
    oids.to_der().map_err(der_err)
}

/// SubjectPublicKeyInfo → (parameter set, `x‖y` little-endian).
pub(super) fn decode_spki(der_bytes: &[u8]) -> Result<(ParamSet, Vec<u8>), GostError> {
    let spki = SubjectPublicKeyInfoRef::from_der(der_bytes).map_err(der_err)?;
    let ps = param_set_from_algorithm(&spki.algorithm)?;
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or(GostError::InvalidPublicKey("BIT STRING with unused bits"))?;
    let octets = OctetStringRef::from_der(bits).map_err(der_err)?;
    Ok((ps, octets.as_bytes().to_vec()))
}

/// (parameter set, `x‖y` little-endian) → SubjectPublicKeyInfo DER.
pub(super) fn encode_spki(ps: ParamSet, xy_le: &[u8]) -> Result<Vec<u8>, GostError> {
    let params = params_der(ps)?;
    let octets = OctetStringRef::new(xy_le)
        .map_err(der_err)?
        .to_der()
        .map_err(der_err)?;
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid: ps.key_size().key_algorithm_oid(),
            parameters: Some(AnyRef::from_der(&params).map_err(der_err)?),
        },
        subject_public_key: BitStringRef::from_bytes(&octets).map_err(der_err)?,
    };
    spki.to_der().map_err(der_err)
}

/// PKCS#8 → (parameter set, `d` little-endian).
pub(super) fn decode_pkcs8(der_bytes: &[u8]) -> Result<(ParamSet, Zeroizing<Vec<u8>>), GostError> {
    let info =
        pkcs8::PrivateKeyInfo::try_from(der_bytes).map_err(|e| GostError::Der(e.to_string()))?;
    let ps = param_set_from_algorithm(&info.algorithm)?;
    let n = ps.key_size().scalar_len();
    let raw = info.private_key;
    let d = if raw.len() == n {
        raw.to_vec()
    } else if let Ok(inner) = OctetStringRef::from_der(raw) {
        inner.as_bytes().to_vec()
    } else if let Ok(int) = UintRef::from_der(raw) {
        let be = int.as_bytes();
        if be.len() > n {
            return Err(GostError::InvalidPrivateKey);
        }
        let mut le: Vec<u8> = be.iter().rev().copied().collect();
        le.resize(n, 0);
        le
    } else {
        return Err(GostError::InvalidPrivateKey);
    };
    Ok((ps, Zeroizing::new(d)))
}

/// (parameter set, `d` little-endian) → PKCS#8 DER, byte for byte as OpenSSL's engine writes.
pub(super) fn encode_pkcs8(ps: ParamSet, d_le: &[u8]) -> Result<Zeroizing<Vec<u8>>, GostError> {
    let params = params_der(ps)?;
    let info = pkcs8::PrivateKeyInfo::new(
        AlgorithmIdentifierRef {
            oid: ps.key_size().key_algorithm_oid(),
            parameters: Some(AnyRef::from_der(&params).map_err(der_err)?),
        },
        d_le,
    );
    Ok(Zeroizing::new(info.to_der().map_err(der_err)?))
}

/// The parts of a certificate that its signature check needs.
pub(super) struct CertSignature {
    /// The DER TBSCertificate exactly as it appears in the certificate.
    pub tbs: Vec<u8>,
    pub size: KeySize,
    pub signature: Vec<u8>,
}

/// Splits a DER certificate signed with GOST R 34.10-2012.
pub(super) fn decode_certificate(cert_der: &[u8]) -> Result<CertSignature, GostError> {
    let cert = x509_cert::Certificate::from_der(cert_der).map_err(der_err)?;
    // The TBSCertificate's own bytes: the first element of the outer SEQUENCE.
    let tbs = {
        let mut reader = SliceReader::new(cert_der).map_err(der_err)?;
        der::Header::decode(&mut reader).map_err(der_err)?;
        reader.tlv_bytes().map_err(der_err)?.to_vec()
    };
    let alg = &cert.signature_algorithm.oid;
    let size = if *alg == KeySize::Bits256.signature_algorithm_oid() {
        KeySize::Bits256
    } else if *alg == KeySize::Bits512.signature_algorithm_oid() {
        KeySize::Bits512
    } else {
        return Err(GostError::UnsupportedAlgorithm(alg.to_string()));
    };
    if cert.tbs_certificate.signature.oid != *alg {
        return Err(GostError::Certificate(
            "inner and outer signature algorithms differ",
        ));
    }
    let signature = cert
        .signature
        .as_bytes()
        .ok_or(GostError::Certificate(
            "signature BIT STRING with unused bits",
        ))?
        .to_vec();
    Ok(CertSignature {
        tbs,
        size,
        signature,
    })
}
