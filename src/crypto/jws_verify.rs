//! Verifying a compact JWS with a public key or certificate the caller names, in any algorithm vhod
//! knows: RS256, PS256, ES256, and GOST3410_2012_256 / GOST3410_2012_512 (the JWS algorithm names
//! ESIA uses; the signature is GOST R 34.10-2012 over the ASCII signing input with Streebog of the
//! key's size). It is the check integrators lack for ESIA-style tokens (`vhod jws verify`).
//!
//! GOST signature bytes are accepted in the order OpenSSL writes them (s‖r, big-endian) and in
//! CryptoPro's reversed order (r‖s, little-endian): issuers differ, and both describe one (r, s).

use super::gost::{self, VerifyingKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

/// A verified token: its protected header and its payload (JSON when it is JSON).
#[derive(Debug)]
pub struct Verified {
    pub header: Value,
    pub payload: Value,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwsVerifyError {
    #[error("not a compact JWS: {0}")]
    Malformed(String),
    #[error(
        "algorithm {0:?} is not supported (RS256, PS256, ES256, GOST3410_2012_256, GOST3410_2012_512)"
    )]
    UnsupportedAlg(String),
    #[error("the key does not fit algorithm {alg}: {why}")]
    KeyMismatch { alg: String, why: String },
    #[error("the signature does not verify")]
    BadSignature,
}

fn b64(part: &str, what: &str) -> Result<Vec<u8>, JwsVerifyError> {
    URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| JwsVerifyError::Malformed(format!("the {what} is not base64url")))
}

/// The SubjectPublicKeyInfo (DER) of a "PUBLIC KEY" PEM or of a certificate PEM.
fn spki_der(key_pem: &str) -> Option<Vec<u8>> {
    if let Ok(cert) = Certificate::from_pem(key_pem.as_bytes()) {
        return cert.tbs_certificate.subject_public_key_info.to_der().ok();
    }
    let body: String = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .ok()
}

/// Verifies `token` (compact serialization) with `key_pem` (a public key or a certificate, PEM).
pub fn verify_compact(token: &str, key_pem: &str) -> Result<Verified, JwsVerifyError> {
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts[..] else {
        return Err(JwsVerifyError::Malformed(
            "three dot-separated parts expected".into(),
        ));
    };
    let header: Value = serde_json::from_slice(&b64(header_b64, "header")?)
        .map_err(|_| JwsVerifyError::Malformed("the header is not JSON".into()))?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| JwsVerifyError::Malformed("the header names no alg".into()))?
        .to_string();
    let payload_bytes = b64(payload_b64, "payload")?;
    let signature = b64(signature_b64, "signature")?;
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    let mismatch = |why: &str| JwsVerifyError::KeyMismatch {
        alg: alg.clone(),
        why: why.to_string(),
    };
    match alg.as_str() {
        "GOST3410_2012_256" | "GOST3410_2012_512" => {
            let key = VerifyingKey::from_certificate_pem(key_pem)
                .or_else(|_| VerifyingKey::from_public_key_pem(key_pem))
                .map_err(|e| {
                    mismatch(&format!("not a GOST R 34.10-2012 key or certificate ({e})"))
                })?;
            let wanted = if alg.ends_with("_256") {
                gost::KeySize::Bits256
            } else {
                gost::KeySize::Bits512
            };
            let size = key.param_set().key_size();
            if size != wanted {
                return Err(mismatch(&format!("the key is {size:?}")));
            }
            let as_openssl = key.verify(signing_input.as_bytes(), &signature);
            let as_cryptopro = || {
                gost::signature_from_cryptopro(&signature)
                    .and_then(|s| key.verify(signing_input.as_bytes(), &s))
            };
            if as_openssl.is_err() && as_cryptopro().is_err() {
                return Err(JwsVerifyError::BadSignature);
            }
        }
        "RS256" | "PS256" | "ES256" => {
            use josekit::jws;
            let der =
                spki_der(key_pem).ok_or_else(|| mismatch("not a PEM public key or certificate"))?;
            let verifier: Box<dyn jws::JwsVerifier> = match alg.as_str() {
                "RS256" => Box::new(
                    jws::RS256
                        .verifier_from_der(&der)
                        .map_err(|e| mismatch(&e.to_string()))?,
                ),
                "PS256" => Box::new(
                    jws::PS256
                        .verifier_from_der(&der)
                        .map_err(|e| mismatch(&e.to_string()))?,
                ),
                _ => Box::new(
                    jws::ES256
                        .verifier_from_der(&der)
                        .map_err(|e| mismatch(&e.to_string()))?,
                ),
            };
            verifier
                .verify(signing_input.as_bytes(), &signature)
                .map_err(|_| JwsVerifyError::BadSignature)?;
        }
        other => return Err(JwsVerifyError::UnsupportedAlg(other.to_string())),
    }
    let payload = serde_json::from_slice(&payload_bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&payload_bytes).into_owned()));
    Ok(Verified { header, payload })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::gost::{ParamSet, SigningKey};

    fn compact(header: &Value, payload: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let sig = sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn esia_header() -> Value {
        serde_json::json!({"ver": 1, "typ": "JWT", "sbt": "access", "alg": "GOST3410_2012_256"})
    }

    #[test]
    fn a_gost_token_in_esia_shape_verifies_in_both_byte_orders_and_tampering_is_refused() {
        let key = SigningKey::generate(ParamSet::CryptoProXchA).unwrap();
        let pem = key.verifying_key().to_public_key_pem().unwrap();
        let claims = serde_json::json!({"urn:esia:sbj_id": 1000299353, "scope": "openid"});
        let token = compact(&esia_header(), &claims, |m| key.sign(m).unwrap());
        let ok = verify_compact(&token, &pem).unwrap();
        assert_eq!(ok.header["sbt"], "access");
        assert_eq!(ok.payload["urn:esia:sbj_id"], 1000299353);

        let reversed = compact(&esia_header(), &claims, |m| {
            gost::signature_to_cryptopro(&key.sign(m).unwrap()).unwrap()
        });
        assert!(verify_compact(&reversed, &pem).is_ok());

        let (head, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let other = URL_SAFE_NO_PAD.encode(r#"{"scope":"openid","urn:esia:sbj_id":1}"#);
        let tampered = format!("{head}.{other}.{sig}");
        assert_eq!(
            verify_compact(&tampered, &pem).unwrap_err(),
            JwsVerifyError::BadSignature
        );

        let stranger = SigningKey::generate(ParamSet::CryptoProXchA).unwrap();
        let stranger_pem = stranger.verifying_key().to_public_key_pem().unwrap();
        assert_eq!(
            verify_compact(&token, &stranger_pem).unwrap_err(),
            JwsVerifyError::BadSignature
        );
    }

    #[test]
    fn the_openssl_made_gost_certificate_is_a_key_too_and_sizes_must_match() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gost");
        let key_pem = std::fs::read_to_string(format!("{fixtures}/256-A.key.pem")).unwrap();
        let cert_pem = std::fs::read_to_string(format!("{fixtures}/256-A.cert.pem")).unwrap();
        let key = SigningKey::from_pkcs8_pem(&key_pem).unwrap();
        let claims = serde_json::json!({"sub": "1000299353"});
        let token = compact(&esia_header(), &claims, |m| key.sign(m).unwrap());
        assert!(verify_compact(&token, &cert_pem).is_ok());

        let mut header = esia_header();
        header["alg"] = "GOST3410_2012_512".into();
        let token512 = compact(&header, &claims, |m| key.sign(m).unwrap());
        assert!(matches!(
            verify_compact(&token512, &cert_pem),
            Err(JwsVerifyError::KeyMismatch { .. })
        ));
    }

    #[test]
    fn es256_verifies_and_alg_none_or_garbage_is_refused() {
        use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
        use josekit::jws::{ES256, JwsSigner};
        let pair = EcKeyPair::generate(EcCurve::P256).unwrap();
        let signer = ES256.signer_from_der(pair.to_der_private_key()).unwrap();
        let pem = String::from_utf8(pair.to_pem_public_key()).unwrap();
        let header = serde_json::json!({"alg": "ES256", "typ": "JWT"});
        let token = compact(&header, &serde_json::json!({"sub": "x"}), |m| {
            signer.sign(m).unwrap()
        });
        assert_eq!(verify_compact(&token, &pem).unwrap().payload["sub"], "x");

        let none = compact(
            &serde_json::json!({"alg": "none"}),
            &serde_json::json!({}),
            |_| vec![],
        );
        assert!(matches!(
            verify_compact(&none, &pem),
            Err(JwsVerifyError::UnsupportedAlg(_))
        ));
        assert!(matches!(
            verify_compact("a.b", &pem),
            Err(JwsVerifyError::Malformed(_))
        ));
        assert!(matches!(
            verify_compact("!.!.!", &pem),
            Err(JwsVerifyError::Malformed(_))
        ));
    }
}
