//! Signature algorithms a qualified certificate may use, looked up by OID: RSA PKCS#1 v1.5,
//! ECDSA P-256, and GOST R 34.10-2012 with Streebog (256 and 512), the algorithm of Russian
//! qualified certificates (RFC 9215 for certificates and CRLs, RFC 4490 / RFC 9337 for CMS).

use crate::crypto::gost;
use x509_cert::der::Encode;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::oid::db::rfc5912;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

/// One way of checking a signature; `message` is the signed bytes (the algorithm does the hashing).
pub trait SignatureAlgorithm: Sync {
    fn name(&self) -> &'static str;
    fn verify(&self, key: &SubjectPublicKeyInfoOwned, message: &[u8], signature: &[u8]) -> bool;
}

struct Ring {
    name: &'static str,
    key_oid: ObjectIdentifier,
    curve: Option<ObjectIdentifier>,
    alg: &'static dyn ring::signature::VerificationAlgorithm,
}

impl SignatureAlgorithm for Ring {
    fn name(&self) -> &'static str {
        self.name
    }

    fn verify(&self, key: &SubjectPublicKeyInfoOwned, message: &[u8], signature: &[u8]) -> bool {
        if key.algorithm.oid != self.key_oid {
            return false;
        }
        if let Some(curve) = self.curve {
            let named = key
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            if named != Some(curve) {
                return false;
            }
        }
        let Some(raw) = key.subject_public_key.as_bytes() else {
            return false;
        };
        ring::signature::UnparsedPublicKey::new(self.alg, raw)
            .verify(message, signature)
            .is_ok()
    }
}

static RSA_SHA256: Ring = Ring {
    name: "RSA PKCS#1 v1.5 SHA-256",
    key_oid: rfc5912::RSA_ENCRYPTION,
    curve: None,
    alg: &ring::signature::RSA_PKCS1_2048_8192_SHA256,
};
static RSA_SHA384: Ring = Ring {
    name: "RSA PKCS#1 v1.5 SHA-384",
    key_oid: rfc5912::RSA_ENCRYPTION,
    curve: None,
    alg: &ring::signature::RSA_PKCS1_2048_8192_SHA384,
};
static RSA_SHA512: Ring = Ring {
    name: "RSA PKCS#1 v1.5 SHA-512",
    key_oid: rfc5912::RSA_ENCRYPTION,
    curve: None,
    alg: &ring::signature::RSA_PKCS1_2048_8192_SHA512,
};
static ECDSA_P256_SHA256: Ring = Ring {
    name: "ECDSA P-256 SHA-256",
    key_oid: rfc5912::ID_EC_PUBLIC_KEY,
    curve: Some(rfc5912::SECP_256_R_1),
    alg: &ring::signature::ECDSA_P256_SHA256_ASN1,
};

/// GOST R 34.10-2012 of one key size: Streebog of that size over the message, signature `s‖r`
/// big-endian (certificates, CRLs and CMS as OpenSSL's engine and CryptoPro write them).
struct Gost {
    name: &'static str,
    size: gost::KeySize,
}

impl SignatureAlgorithm for Gost {
    fn name(&self) -> &'static str {
        self.name
    }

    fn verify(&self, key: &SubjectPublicKeyInfoOwned, message: &[u8], signature: &[u8]) -> bool {
        let Ok(der) = key.to_der() else {
            return false;
        };
        match gost::VerifyingKey::from_spki_der(&der) {
            Ok(k) if k.param_set().key_size() == self.size => k.verify(message, signature).is_ok(),
            _ => false,
        }
    }
}

static GOST_256: Gost = Gost {
    name: "GOST R 34.10-2012 256 Streebog-256",
    size: gost::KeySize::Bits256,
};
static GOST_512: Gost = Gost {
    name: "GOST R 34.10-2012 512 Streebog-512",
    size: gost::KeySize::Bits512,
};

/// The algorithm named by a signature OID. In CMS a signer may name only the key type
/// (rsaEncryption) and give the hash separately, hence `digest`.
pub fn lookup(
    signature: &ObjectIdentifier,
    digest: Option<&ObjectIdentifier>,
) -> Option<&'static dyn SignatureAlgorithm> {
    let by_digest = |d: Option<&ObjectIdentifier>| -> Option<&'static dyn SignatureAlgorithm> {
        match d? {
            d if *d == rfc5912::ID_SHA_256 => Some(&RSA_SHA256),
            d if *d == rfc5912::ID_SHA_384 => Some(&RSA_SHA384),
            d if *d == rfc5912::ID_SHA_512 => Some(&RSA_SHA512),
            _ => None,
        }
    };
    match *signature {
        s if s == rfc5912::SHA_256_WITH_RSA_ENCRYPTION => Some(&RSA_SHA256),
        s if s == rfc5912::SHA_384_WITH_RSA_ENCRYPTION => Some(&RSA_SHA384),
        s if s == rfc5912::SHA_512_WITH_RSA_ENCRYPTION => Some(&RSA_SHA512),
        s if s == rfc5912::RSA_ENCRYPTION => by_digest(digest),
        s if s == rfc5912::ECDSA_WITH_SHA_256 => Some(&ECDSA_P256_SHA256),
        s if s == gost::OID_SIGN_WITH_STREEBOG256 => Some(&GOST_256),
        s if s == gost::OID_SIGN_WITH_STREEBOG512 => Some(&GOST_512),
        // CMS signers (OpenSSL's engine, CryptoPro) name the key algorithm; the digest must be
        // the Streebog of the key's size.
        s if s == gost::OID_GOST3410_2012_256
            && digest.is_none_or(|d| *d == gost::OID_STREEBOG256) =>
        {
            Some(&GOST_256)
        }
        s if s == gost::OID_GOST3410_2012_512
            && digest.is_none_or(|d| *d == gost::OID_STREEBOG512) =>
        {
            Some(&GOST_512)
        }
        // openssl names only the key type for ECDSA signers too in some versions.
        s if s == rfc5912::ID_EC_PUBLIC_KEY
            && digest.is_some_and(|d| *d == rfc5912::ID_SHA_256) =>
        {
            Some(&ECDSA_P256_SHA256)
        }
        _ => None,
    }
}

/// Digest of `data` by a digest-algorithm OID (for the CMS messageDigest attribute).
pub fn digest(oid: &ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    if *oid == gost::OID_STREEBOG256 {
        return Some(gost::streebog256(data).to_vec());
    }
    if *oid == gost::OID_STREEBOG512 {
        return Some(gost::streebog512(data).to_vec());
    }
    let alg = match *oid {
        o if o == rfc5912::ID_SHA_256 => &ring::digest::SHA256,
        o if o == rfc5912::ID_SHA_384 => &ring::digest::SHA384,
        o if o == rfc5912::ID_SHA_512 => &ring::digest::SHA512,
        _ => return None,
    };
    Some(ring::digest::digest(alg, data).as_ref().to_vec())
}
