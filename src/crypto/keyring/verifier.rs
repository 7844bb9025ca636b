//! Checking vhod's own compact JWS tokens. josekit knows RS256 and ES256 but not GOST, so the
//! keyring parses the token itself and hands the signature to a [`Verifier`] of the key's
//! algorithm: one code path for every algorithm, with and without `kid`.

use super::SigningAlg;
use crate::crypto::gost;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::JwsVerifier;
use serde_json::{Map, Value};

/// The public half of one published key.
pub(super) enum Verifier {
    /// RS256 and ES256 (josekit; the signature is the JWS form: PKCS#1 v1.5, or r‖s).
    Jose(Box<dyn JwsVerifier>),
    /// GOST R 34.10-2012: Streebog of the key's size over the signing input, `s‖r` big-endian
    /// (the order vhod signs in; CryptoPro's reversed order is for other issuers' tokens, see
    /// `crypto::jws_verify`).
    Gost(gost::VerifyingKey),
}

impl Verifier {
    fn verifies(&self, input: &[u8], signature: &[u8]) -> bool {
        match self {
            Verifier::Jose(v) => v.verify(input, signature).is_ok(),
            Verifier::Gost(k) => k.verify(input, signature).is_ok(),
        }
    }
}

/// One published key: kid, algorithm, verifier (shared between reloads: a kid's public key never
/// changes, and building a verifier from a JWK costs more than the reload's database read).
pub(super) struct Published {
    pub kid: String,
    pub alg: SigningAlg,
    pub verifier: std::sync::Arc<Verifier>,
}

/// A compact JWS split and decoded, not yet verified.
pub(super) struct Compact<'a> {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub alg: SigningAlg,
    input: &'a str,
    signature: Vec<u8>,
}

impl<'a> Compact<'a> {
    /// Splits `token`; None unless it is three base64url parts, a JSON-object header naming one of
    /// vhod's algorithms with no `crit` (vhod never sets one, so none is understood) and a
    /// JSON-object payload.
    pub fn parse(token: &'a str) -> Option<Compact<'a>> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let object = |part: &str| -> Option<Map<String, Value>> {
            match serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()? {
                Value::Object(m) => Some(m),
                _ => None,
            }
        };
        let header = object(h)?;
        if header.contains_key("crit") {
            return None;
        }
        let alg = SigningAlg::parse(header.get("alg")?.as_str()?)?;
        Some(Compact {
            alg,
            claims: object(p)?,
            header,
            input: &token[..h.len() + 1 + p.len()],
            signature: URL_SAFE_NO_PAD.decode(s).ok()?,
        })
    }

    /// True when `key` is of the token's algorithm and its signature checks out.
    pub fn is_signed_by(&self, key: &Published) -> bool {
        key.alg == self.alg
            && key
                .verifier
                .verifies(self.input.as_bytes(), &self.signature)
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    pub fn typ(&self) -> Option<String> {
        self.header
            .get("typ")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::gost::{ParamSet, SigningKey};

    fn token(header: &Value, key: &SigningKey) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(r#"{"sub":"1"}"#)
        );
        let sig = key.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    #[test]
    fn only_a_token_of_the_keys_own_algorithm_without_crit_verifies() {
        let key = SigningKey::generate(ParamSet::CryptoProA).unwrap();
        let published = Published {
            kid: "k".into(),
            alg: SigningAlg::Gost256,
            verifier: Verifier::Gost(key.verifying_key()).into(),
        };
        let good = token(&serde_json::json!({"alg": "GOST3410_2012_256"}), &key);
        assert!(Compact::parse(&good).unwrap().is_signed_by(&published));
        // The same signature under another alg name: the key is not of that algorithm.
        let other_alg = token(&serde_json::json!({"alg": "GOST3410_2012_512"}), &key);
        assert!(!Compact::parse(&other_alg).unwrap().is_signed_by(&published));
        // Not understood: crit, unknown or missing alg, a non-object payload, a fourth part.
        for header in [
            serde_json::json!({"alg": "GOST3410_2012_256", "crit": ["b64"], "b64": false}),
            serde_json::json!({"alg": "none"}),
            serde_json::json!({"typ": "JWT"}),
        ] {
            assert!(Compact::parse(&token(&header, &key)).is_none(), "{header}");
        }
        assert!(Compact::parse(&format!("{good}.x")).is_none());
        let array = format!(
            "{}.{}.AA",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"GOST3410_2012_256"}"#),
            URL_SAFE_NO_PAD.encode("[1]")
        );
        assert!(Compact::parse(&array).is_none());
    }
}
